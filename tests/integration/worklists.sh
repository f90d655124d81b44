#!/usr/bin/env bash
# Work lists of people (issue 12, findings 2 and 3), as a township operator
# uses them: due, joint-missing and list name each patient (name,
# patient_no, village, phone; due also the guardian, the care-group
# leader, the last visit and failed attempts), are sorted by what they are
# for, print whole unless on a terminal (which they fit), and write CSV for
# printing; lost-contact patients count from their last attempt; --month;
# one patient's file (show's related records, --timeline); patients
# without a care group.
. "$(dirname "$0")/lib.sh" "$@"

net_setup
# The township registers, health visits; entries travel both ways.
sync() {
	ok export --data h --entries h.bin
	ok export --data t --entries t.bin
	ok import --data t --entries h.bin
	ok import --data h --entries t.bin
}
V1=scope=120116001001
V2=scope=120116001002
pat() { ok add patient --data t "$@"; echo "$OUT"; }
fu() { ok add followup --data h "$@"; }

P1=$(pat $V1 name=张三 patient_no=TJ-003 phone=13800000003 registered_on=2025-01-01)
P2=$(pat $V2 name=李四 patient_no=TJ-001 phone=13800000001 registered_on=2025-01-01)
P3=$(pat $V1 name=王五 patient_no=TJ-002 phone=13800000002 registered_on=2021-03-01 special=lost_contact)
P4=$(pat $V2 name=赵六 patient_no=TJ-004 registered_on=2021-03-01 special=floating)
P5=$(pat $V2 name=钱七 patient_no=TJ-005 registered_on=2026-06-20)
P6=$(pat $V1 name=孙八 patient_no=TJ-006 registered_on=2025-01-01)
P8=$(pat $V2 name=周九 patient_no=TJ-008 registered_on=2025-01-01)
ok add guardian --data t patient="$P2" name=李父 relation=parent phone=13900000001
ok add care_group --data t patient="$P2" leader=王组长 members="村医:刘|民警:陈"
# P1: an ended guardianship is passed over; P6: the latest since wins.
ok add guardian --data t patient="$P1" name=张母 relation=parent phone=13900000031 since=2020-01-01
ok add guardian --data t patient="$P1" name=张兄 relation=sibling phone=13900000032 since=2024-01-01 until=2026-01-01
ok add guardian --data t patient="$P6" name=孙父 relation=parent since=2020-01-01
ok add guardian --data t patient="$P6" name=孙妻 relation=spouse since=2025-03-01
sync
fu patient="$P1" date=2026-03-01 mode=home reached=yes class=stable risk=3
fu patient="$P2" date=2026-05-01 mode=home reached=yes class=basic risk=3
fu patient="$P3" date=2026-05-10 mode=home reached=no lost_reason=missing
fu patient="$P3" date=2026-06-10 mode=home reached=no lost_reason=missing
fu patient="$P4" date=2026-01-05 mode=home reached=yes class=basic
fu patient="$P4" date=2026-04-01 mode=home reached=no lost_reason=moved
fu patient="$P6" date=2026-05-01 mode=clinic reached=yes class=basic
fu patient="$P8" date=2026-06-25 mode=clinic reached=yes class=basic
ok add assessment --data h patient="$P6" date=2026-06-01 risk=4 source=followup
ok add hospitalization --data h patient="$P1" admitted=2026-01-10 discharged=2026-01-20 hospital=安定医院
ok add free_med --data h patient="$P2" from=2026-01-01 source=health
ok add incident --data h patient="$P2" date=2026-02-02 kind=nuisance place=村口
sync

# ---- due: who, and in which order ----
ok due --data t --on 2026-07-10 --json
D=$OUT
# P4 floating: counted from its failed attempt 04-01 (+30, basic) = 05-01,
# 70 days; P1 stable 03-01 + 90 = 05-30 (41); P6 and P2 basic 05-01 + 30 =
# 05-31 (40, village 001 before 002); P3 lost contact, never reached:
# 06-10 + 14 = 06-24 (16); P5 first visit 06-20 + 14 = 07-04 (6).
eq "$(jq -r '[.[].patient_no] | join(" ")' <<<"$D")" \
	"TJ-004 TJ-003 TJ-006 TJ-001 TJ-002 TJ-005" "due order"
eq "$(jq -r '[.[].days_overdue] | join(" ")' <<<"$D")" "70 41 40 40 16 6" \
	"days overdue"
for k in name patient_no scope phone guardian care_group_leader \
	last_followup last_attempt failed_attempts; do
	jq -e "all(.[]; has(\"$k\"))" <<<"$D" >/dev/null || fail "due row lacks $k"
done
R2=$(jq -c '.[] | select(.patient_no == "TJ-001")' <<<"$D")
eq "$(jq -r .name <<<"$R2")" 李四 "due name"
eq "$(jq -r .scope <<<"$R2")" 120116001002 "due village"
eq "$(jq -r .phone <<<"$R2")" 13800000001 "due phone"
eq "$(jq -r .guardian.name <<<"$R2")" 李父 "guardian name"
eq "$(jq -r .guardian.phone <<<"$R2")" 13900000001 "guardian phone"
eq "$(jq -r .care_group_leader <<<"$R2")" 王组长 "care-group leader"
eq "$(jq -r .last_followup <<<"$R2")" 2026-05-01 "last visit"
eq "$(jq -r '.[] | select(.patient_no == "TJ-003") | .guardian.name' <<<"$D")" 张母 \
	"an ended guardianship is passed over"
eq "$(jq -r '.[] | select(.patient_no == "TJ-006") | .guardian.name + " " + .guardian.relation' <<<"$D")" \
	"孙妻 spouse" "the latest guardian"
eq "$(jq -r '.[] | select(.patient_no == "TJ-005") | .guardian' <<<"$D")" null "no guardian"
# The lost-contact rule: from the last attempt, and the attempts listed.
R3=$(jq -c '.[] | select(.patient_no == "TJ-002")' <<<"$D")
eq "$(jq -r .due <<<"$R3")" 2026-06-24 "lost contact counted from the attempt"
eq "$(jq -r .last_attempt <<<"$R3")" 2026-06-10 "last failed attempt"
eq "$(jq -c .failed_attempts <<<"$R3")" '["2026-05-10","2026-06-10"]' "failed attempts"
eq "$(jq -r .counted_from_attempt <<<"$R3")" true "marked as counted from an attempt"
R4=$(jq -c '.[] | select(.patient_no == "TJ-004")' <<<"$D")
eq "$(jq -r .due <<<"$R4")" 2026-05-01 "floating counted from the attempt"
eq "$(jq -r .last_followup <<<"$R4")" 2026-01-05 "floating: last visit kept"

# ---- human tables: whole when piped, fitted on a terminal ----
ok due --data t --on 2026-07-10
contains "$OUT" "TJ-001" "due table: patient_no"
contains "$OUT" "李四" "due table: name"
contains "$OUT" "13900000001" "due table: guardian phone"
contains "$OUT" "王组长" "due table: leader"
contains "$OUT" "2026-05-10 2026-06-10" "due table: attempts"
case $OUT in *…*) fail "piped due table is cut: $OUT" ;; esac
first=$(sed -n 2p <<<"$OUT")
case $first in TJ-004*) ;; *) fail "due table order: $first" ;; esac
OUT=$(env LANG=zh_CN.UTF-8 "$W" due --data t --on 2026-07-10)
contains "$OUT" "患者编号" "Chinese due header"
contains "$OUT" "监护人电话" "Chinese guardian phone header"
contains "$OUT" "基本稳定" "class as a label"
contains "$OUT" "失联或流动患者" "lost-contact note"
for cols in 100 60; do
	python3 - "$W" "$cols" <<'PY' || fail "due not fitted to a $cols-column terminal"
import os, pty, struct, fcntl, termios, sys, unicodedata
w, cols = sys.argv[1], int(sys.argv[2])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(w, [w, "due", "--data", "t", "--on", "2026-07-10"])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, cols, 0, 0))
out = b""
while True:
    try:
        b = os.read(fd, 65536)
    except OSError:
        break
    if not b:
        break
    out += b
os.waitpid(pid, 0)
text = out.decode("utf-8").replace("\r", "")
lines = [l for l in text.split("\n") if l]
widest = max(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in l)
             for l in lines if "TJ-0" in l or l is lines[0])
# Every row is there, the first columns whole; what is left out is said.
if widest > cols or "TJ-004" not in text or "李四" not in text or "--csv" not in text:
    print(f"widest {widest} > {cols}:\n{text}", file=sys.stderr)
    sys.exit(1)
PY
done

# ---- --csv: the same list, for printing ----
touch due.csv
chmod 644 due.csv
ok due --data t --on 2026-07-10 --csv due.csv
contains "$OUT" "due.csv" "csv written"
eq "$(stat -c %a due.csv)" 600 "csv mode"
eq "$(head -c 3 due.csv | od -An -tx1 | tr -d ' ')" efbbbf "csv BOM"
eq "$(wc -l <due.csv | tr -d ' ')" 7 "csv rows"
contains "$(head -1 due.csv)" "PATIENT NO,NAME,VILLAGE,PHONE" "csv header"
contains "$(sed -n 2p due.csv)" "TJ-004,赵六" "csv order"
contains "$(cat due.csv)" "李父 (parent),13900000001,王组长" "csv guardian"
env LANG=zh_CN.UTF-8 "$W" due --data t --on 2026-07-10 --csv due-zh.csv >/dev/null ||
	fail "Chinese csv"
contains "$(head -1 due-zh.csv)" "患者编号,姓名,辖区,电话" "Chinese csv header"
ok due --data t --on 2026-07-10 --csv plain.csv --no-bom
eq "$(head -c 7 plain.csv)" "PATIENT" "--no-bom"
ok list followup --data t --csv fu.csv
eq "$(wc -l <fu.csv | tr -d ' ')" 9 "list csv rows"
expect 6 due --data t --on 2026-07-10 --csv /nonexistent/dir/x.csv
# The access log says which file a list went to.
ok access-log --data t --json
eq "$(jq -r '[.[] | select(.action == "due") | .what] | map(select(endswith("/due.csv"))) | length' <<<"$OUT")" 1 \
	"access log names the csv file"
eq "$(jq -r '[.[] | select(.action == "list" and (.what | endswith("/fu.csv")))] | .[0].count' <<<"$OUT")" 8 \
	"access log: the list's rows"

# ---- --month: who is due that month, and when ----
ok due --data t --month 2026-07 --json
M=$OUT
# Everyone due by 07-31, by due date; P8 basic 06-25 + 30 = 07-25.
eq "$(jq -r '[.[].patient_no] | join(" ")' <<<"$M")" \
	"TJ-004 TJ-003 TJ-006 TJ-001 TJ-002 TJ-005 TJ-008" "month order"
eq "$(jq -r '[.[].due] | join(" ")' <<<"$M")" \
	"2026-05-01 2026-05-30 2026-05-31 2026-05-31 2026-06-24 2026-07-04 2026-07-25" \
	"month due dates"
eq "$(jq -r '.[-1].days_overdue' <<<"$M")" -24 "due later in the month"
eq "$(jq -r '.[0].month' <<<"$M")" 2026-07 "month key"
ok due --data t --month 2026-07
contains "$OUT" "due in 2026-07" "month title"
expect 2 due --data t --month 2026-13
contains "$ERR" "YYYY-MM" "bad month"
expect 2 due --data t --month 2026-07 --on 2026-07-01
contains "$ERR" "not both" "--month with --on"
ERR=$(env LANG=zh_CN.UTF-8 "$W" due --data t --month 2026-13 2>&1 >/dev/null)
contains "$ERR" "不是月份" "bad month in Chinese"

# ---- joint-missing: highest risk first, then longest waiting ----
ok joint-missing --data t --on 2026-07-10 --json
eq "$(jq -r '[.[].patient_no] | join(" ")' <<<"$OUT")" "TJ-006 TJ-003 TJ-001" \
	"joint-missing order"
jq -e 'all(.[]; has("name") and has("patient_no") and has("scope") and has("phone"))' \
	<<<"$OUT" >/dev/null || fail "joint-missing rows lack the person"

# ---- list: people, sorted by date (records) or village and number ----
ok list followup --data t --json
eq "$(jq -r '[.[].fields.date.value] | join(" ")' <<<"$OUT")" \
	"2026-01-05 2026-03-01 2026-04-01 2026-05-01 2026-05-01 2026-05-10 2026-06-10 2026-06-25" \
	"follow-ups by date"
# Same date: village 001 (P6) before 002 (P2).
eq "$(jq -r '[.[].patient_no] | join(" ")' <<<"$OUT")" \
	"TJ-004 TJ-003 TJ-004 TJ-006 TJ-001 TJ-002 TJ-002 TJ-008" "follow-up patients"
eq "$(jq -r '.[1].name' <<<"$OUT")" 张三 "follow-up row name"
eq "$(jq -r '.[1].phone' <<<"$OUT")" 13800000003 "follow-up row phone"
eq "$(jq -r '.[1].scope' <<<"$OUT")" 120116001001 "follow-up row village"
jq -e '.[1].fields.patient.value | startswith("patient-")' <<<"$OUT" >/dev/null ||
	fail "existing keys kept"
ok list followup --data t
contains "$OUT" "张三" "follow-up table names the patient"
for ty in care_group guardian free_med incident hospitalization assessment; do
	ok list $ty --data t --json
	jq -e 'length > 0 and all(.[]; (.name | type) == "string" and (.patient_no | type) == "string")' \
		<<<"$OUT" >/dev/null || fail "list $ty rows lack the patient: $OUT"
done
ok list care_group --data t
contains "$OUT" "李四" "care-group list names the patient"
# An incident about someone not registered still has the keys.
ok add incident --data h scope=120116001 date=2026-03-03 kind=trouble
ok list incident --data h --json
eq "$(jq -c '[.[] | [.name, .patient_no, .phone, .scope]]' <<<"$OUT")" \
	'[["李四","TJ-001","13800000001","120116001002"],[null,null,null,"120116001"]]' \
	"incident rows"
ok list patient --data t --json
eq "$(jq -r '[.[].patient_no] | join(" ")' <<<"$OUT")" \
	"TJ-002 TJ-003 TJ-006 TJ-001 TJ-004 TJ-005 TJ-008" "patients by village, number"

# ---- patients without a care group ----
ok list patient --data t care_group= --json
eq "$(jq length <<<"$OUT")" 6 "patients without a care group"
jq -e 'all(.[]; .patient_no != "TJ-001")' <<<"$OUT" >/dev/null ||
	fail "the patient with a group is listed"
ok list patient --data t care_group=yes --json
eq "$(jq -r '[.[].patient_no] | join(" ")' <<<"$OUT")" TJ-001 "patients with a care group"
ok list patient --data t 关爱帮扶小组= --scope 120116001002 --json
eq "$(jq -r '[.[].patient_no] | join(" ")' <<<"$OUT")" "TJ-004 TJ-005 TJ-008" \
	"by Chinese type label, in one village"
expect 2 list patient --data t care_group=maybe
contains "$ERR" "care_group=" "bad presence value"

# ---- one patient's file ----
ok show "$P2" --data t --json
eq "$(jq -r '.related.care_groups[0].leader' <<<"$OUT")" 王组长 "show: care group"
eq "$(jq -r '.related.free_medication[0].from' <<<"$OUT")" 2026-01-01 "show: free medication"
eq "$(jq -r '.related.incidents[0].kind' <<<"$OUT")" nuisance "show: incident"
ok show "$P1" --data t --json
eq "$(jq -r '.related.hospitalizations[0].admitted' <<<"$OUT")" 2026-01-10 "show: hospital stay"
ok show "$P2" --data t
contains "$OUT" "care group" "show table: care group"
ok show "$P2" --data t --timeline --json
T=$OUT
eq "$(jq -r '[.timeline[] | select(.undated | not) | .date + ":" + .event] | join(" ")' <<<"$T")" \
	"2025-01-01:registered 2026-01-01:free_med 2026-02-02:incident 2026-05-01:followup" \
	"timeline in date order"
eq "$(jq -r '[.timeline[] | .event] | sort | join(" ")' <<<"$T")" \
	"care_group followup free_med incident registered" "timeline events"
eq "$(jq -r '.timeline[] | select(.event == "followup") | .by_name + "/" + .by_role' <<<"$T")" \
	"Binhai health/health" "who wrote the follow-up"
eq "$(jq -r '.timeline[] | select(.event == "care_group") | .by_role' <<<"$T")" \
	township "who wrote the care group"
eq "$(jq -r '.timeline[] | select(.event == "followup") | .summary.class' <<<"$T")" \
	basic "timeline summary"
ok show "$P1" --data t --timeline --json
eq "$(jq -r '[.timeline[] | .event] | join(" ")' <<<"$OUT")" \
	"registered admitted discharged followup" "hospital stay in the timeline"
ok show "$P2" --data t --timeline
contains "$OUT" "follow-up" "timeline table"
contains "$OUT" "Binhai health" "timeline table: writer"
OUT=$(env LANG=zh_CN.UTF-8 "$W" show "$P2" --data t --timeline)
contains "$OUT" "随访" "Chinese timeline"
contains "$OUT" "病情分类=基本稳定" "Chinese timeline values"
contains "$OUT" "Binhai health (卫生健康)" "Chinese timeline writer's role"
ok show "$P2" --data t --timeline --csv tl.csv
eq "$(stat -c %a tl.csv)" 600 "timeline csv mode"
F=$(jq -r '.[0].id' <<<"$("$W" list followup --data t --json)")
expect 2 show "$F" --data t --timeline
echo "worklists: ok"
