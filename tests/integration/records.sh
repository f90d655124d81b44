#!/usr/bin/env bash
# The records agencies keep, driven through the ward CLI: list filters from
# the indexes, the due list, joint visits, the kpi-v1 report, show's related
# records, retraction, duplicates, write-time checks, Chinese tables, and
# audit recomputing the indexes.
. "$(dirname "$0")/lib.sh" "$@"

net_setup
S=scope=120116001
add() { ok add "$@" --data h; echo "$OUT"; }

# ---- a small township ----
A=$(add patient $S name=张三 registered_on=2025-06-01 status=registered \
	id_number=11010519491231002X patient_no=TJ-001 special=lost_contact)
B=$(add patient $S name=李四 registered_on=2026-03-15 status=registered)
C=$(add patient $S name=王五 registered_on=2025-01-01 status=registered)
add followup patient="$A" date=2026-02-10 mode=clinic reached=yes class=stable \
	adherence=regular risk=1 >/dev/null
add followup patient="$A" date=2026-05-10 mode=home reached=yes class=stable \
	adherence=regular risk=1 >/dev/null
add followup patient="$B" date=2026-04-20 mode=phone reached=yes class=basic \
	adherence=intermittent risk=3 >/dev/null
add followup patient="$C" date=2026-03-01 mode=clinic reached=yes \
	class=unstable hospital=now adherence=none risk=4 joint=yes >/dev/null
add assessment patient="$C" date=2026-03-05 risk=4 source=followup >/dev/null
add hospitalization patient="$C" admitted=2026-06-01 >/dev/null
add free_med patient="$A" from=2025-01-01 >/dev/null
add agreement patient="$A" kind=free_med_consent signed_on=2025-12-01 \
	status=active >/dev/null
add region $S population=10000 year=2025 >/dev/null

# ---- list from the indexes ----
ok list followup --data h 'risk>=3' --json
eq "$(jq length <<<"$OUT")" 2 "risk>=3"
ok list followup --data h risk=..1 --json
eq "$(jq length <<<"$OUT")" 2 "risk=..1"
ok list followup --data h date=2026-03-01..2026-05-10 --json
eq "$(jq length <<<"$OUT")" 3 "date range"
ok list followup --data h 'date<=2026-02-10' --json
eq "$(jq length <<<"$OUT")" 1 "date<="
ok list followup --data h patient="$A" class=stable --json
eq "$(jq length <<<"$OUT")" 2 "patient= and class="
ok list patient --data h --special lost_contact --json
eq "$(jq -r '.[0].id' <<<"$OUT")" "$A" "--special"
ok list patient --data h --scope 120116001 --json
eq "$(jq length <<<"$OUT")" 3 "--scope"
ok list patient --data h --scope 120116002 --json
eq "$(jq length <<<"$OUT")" 0 "--scope elsewhere"
ok list patient --data h patient_no=TJ-001 --json
eq "$(jq -r '.[0].id' <<<"$OUT")" "$A" "patient_no="
expect 2 list followup --data h 'mode>=3'
contains "$ERR" "numbers and dates" "range on an enum"
expect 2 list followup --data h nosuch=1

# ---- due, joint-missing ----
ok due --data h --on 2026-07-10 --json
# A: stable 05-10 + 90 = 08-08, not due. B: basic 04-20 + 30 = 05-20
# (51 days). C: in hospital since 06-01.
eq "$(jq length <<<"$OUT")" 1 "due count"
eq "$(jq -r '.[0].id' <<<"$OUT")" "$B" "due id"
eq "$(jq -r '.[0].due' <<<"$OUT")" 2026-05-20 "due date"
eq "$(jq -r '.[0].days_overdue' <<<"$OUT")" 51 "days overdue"
eq "$(jq -r '.[0].class' <<<"$OUT")" basic "due class"
eq "$(jq -r '.[0].risk' <<<"$OUT")" 3 "due risk"
eq "$(jq -r '.[0].name' <<<"$OUT")" 李四 "due name"
ok due --data h --on 2026-09-01 --json
eq "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "$B $A" "most overdue first"
# A township policy: basic patients every 20 days.
add policy $S basic_days=20 >/dev/null
ok due --data h --on 2026-07-10 --json
eq "$(jq -r '.[0].due' <<<"$OUT")" 2026-05-10 "due under the policy"
ok joint-missing --data h --on 2026-07-10 --json
eq "$(jq -r '[.[].id] | join(" ")' <<<"$OUT")" "$B" "joint missing (C is in hospital)"

# ---- report ----
ok report --data h --from 2026-01-01 --to 2026-06-30 --json
R=$OUT
for k in registered managed regularly_managed face_to_face medication \
	regular_medication stable free_medication consent_signed incident \
	population definition rates; do
	jq -e "has(\"$k\")" <<<"$R" >/dev/null || fail "report lacks $k"
done
for k in prevalence_permille management regular_management face_to_face \
	medication regular_medication stability free_medication_share \
	free_medication_consent incident; do
	jq -e ".rates.$k | has(\"numerator\") and has(\"denominator\") and has(\"value\") and has(\"target\")" \
		<<<"$R" >/dev/null || fail "report rate $k incomplete"
done
eq "$(jq -r .definition <<<"$R")" kpi-v1 "definition"
eq "$(jq -r .registered <<<"$R")" 3 "registered"
eq "$(jq -r .managed <<<"$R")" 3 "managed"
eq "$(jq -r .population <<<"$R")" 10000 "population"
eq "$(jq -r .rates.prevalence_permille.value <<<"$R")" 0.3 "prevalence"
eq "$(jq -r .rates.face_to_face.value <<<"$R")" 66.67 "face to face 2/3"
eq "$(jq -r .rates.regular_medication.target <<<"$R")" 85 "target"
eq "$(jq -r .rates.incident.value <<<"$R")" 0 "incident"
ok report --data h --from 2026-01-01 --to 2026-06-30
contains "$OUT" "regular management rate" "report table"
OUT=$(env LANG=zh_CN.UTF-8 "$W" report --data h --from 2026-01-01 --to 2026-06-30)
contains "$OUT" "规范管理率" "Chinese report"
expect 2 report --data h --from 2026-07-01
expect 2 report --data h --from 2026-07-01 --to 2026-01-01

# ---- Chinese tables: the report fits 80 columns; work lists are whole
# when piped (worklists.sh fits them to a terminal) ----
# (env: no zh_CN locale need be installed, and bash need not adopt it)
OUT=$(env LC_ALL= LC_MESSAGES=zh_CN.UTF-8 LANG=C "$W" due --data h --on 2026-09-01)
contains "$OUT" "逾期天数" "Chinese due header (LC_MESSAGES)"
contains "$OUT" 李四 "Chinese due row"
OUT=$(env LC_ALL=en_US.UTF-8 LANG=zh_CN.UTF-8 "$W" due --data h --on 2026-09-01)
contains "$OUT" "OVERDUE" "LC_ALL wins"
for cmd in "due --on 2026-09-01" "list patient" "list followup"; do
	# shellcheck disable=SC2086
	OUT=$(env LANG=zh_CN.UTF-8 "$W" $cmd --data h)
	case $OUT in *…*) fail "a piped work list is cut: $cmd
$OUT" ;; esac
done
for cmd in "report --from 2026-01-01 --to 2026-06-30"; do
	# shellcheck disable=SC2086
	env LANG=zh_CN.UTF-8 "$W" $cmd --data h >wide
	python3 - wide "$cmd" <<'PY' || fail "table wider than 80 columns: $cmd"
import sys, unicodedata
for line in open(sys.argv[1], encoding="utf-8"):
    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
            for c in line.rstrip("\n"))
    if w > 80:
        print(f"{sys.argv[2]}: {w} columns: {line!r}", file=sys.stderr)
        sys.exit(1)
PY
done

# ---- show relates ----
G=$(add guardian patient="$A" name=张父 relation=parent)
ok show "$A" --data h --json
eq "$(jq -r '.related.guardians[0].id' <<<"$OUT")" "$G" "related guardian"
eq "$(jq -r '.related.latest_followup.date' <<<"$OUT")" 2026-05-10 "latest follow-up"
eq "$(jq -r '.related.agreements[0].kind' <<<"$OUT")" free_med_consent "agreement"
T=$(add transfer patient="$A" to_scope=120116002 out_on=2026-07-01 status=open)
N=$(add patient scope=120116002 name=张三 transferred_from="$A" registered_on=2026-07-02)
add transfer_accept scope=120116002 transfer="$T" accepted_on=2026-07-02 >/dev/null
ok show "$A" --data h --json
eq "$(jq -r '.related.transfers[0].id' <<<"$OUT")" "$T" "transfer out"
eq "$(jq -r '.related.transferred_to[0].id' <<<"$OUT")" "$N" "transferred to"
eq "$(jq -r '.related.transfers[0].accepted | length' <<<"$OUT")" 1 "accepted"
ok show "$N" --data h --json
eq "$(jq -r '.related.transferred_from.id' <<<"$OUT")" "$A" "transferred from"

# ---- write-time checks ----
n=$(status_field h .entries)
expect 2 set "$B" --data h status=exited
contains "$ERR" "exit_date" "exit_date required"
eq "$(status_field h .entries)" "$n" "nothing written"
ok set "$B" --data h status=exited exit_reason=moved_out exit_date=2026-08-01
D=$(add patient $S name=张三 id_number=11010519491231002X 2>/dev/null)
ok add patient --data h $S name=张三丙 patient_no=TJ-001
contains "$ERR" "warning" "duplicate patient_no warned"
contains "$ERR" "$A" "warning names the other record"
ok duplicates --data h --json
eq "$(jq length <<<"$OUT")" 2 "duplicate groups"
eq "$(jq -r '[.[].field] | sort | join(",")' <<<"$OUT")" id_number,patient_no "duplicate fields"

# ---- retract ----
expect 2 retract "$D" --data h
ok retract "$D" --data h --reason "registered twice"
ok show "$D" --data h --json
eq "$(jq -r .fields.retracted.value <<<"$OUT")" yes "retracted"
eq "$(jq -r .fields.retract_reason.value <<<"$OUT")" "registered twice" "reason"
expect 2 retract "$D" --data h --reason again
ok list patient --data h --json
jq -e --arg d "$D" 'all(.[]; .id != $d)' <<<"$OUT" >/dev/null || fail "list shows a retracted record"
ok list patient --data h retracted=yes --json
eq "$(jq -r '.[0].id' <<<"$OUT")" "$D" "list retracted=yes"
ok duplicates --data h --json
eq "$(jq length <<<"$OUT")" 1 "a retracted record is no duplicate"

# ---- registers in and out ----
ok export --data h --csv p.csv --type patient --scope 120116001
contains "$OUT" "exported" "export message"
eq "$(head -c 6 p.csv)" $'\xef\xbb\xbfid,' "a BOM, then id first"
ok import --data h --csv p.csv --type patient
contains "$OUT" "all as stored: nothing written" "round trip changes nothing"
ok export --data h --jsonl p.jsonl --type patient
ok import --data h --jsonl p.jsonl --type patient --dry-run
contains "$OUT" "all good" "jsonl round trip checks"
ok export --data h --csv pl.csv --type patient --labels
contains "$(head -1 pl.csv)" 姓名 "--labels header"
ok import --data h --csv pl.csv --type patient
contains "$OUT" "all as stored: nothing written" "Chinese header round trip"
n=$(status_field h .entries)
printf '\xef\xbb\xbf姓名,辖区,患者编号,建档日期,性别\n赵一,120116001,B1,2026-01-01,男\n钱二,120116001,B2,2026-13-01,female\n孙三,120116001,B3,2026-01-01,nobody\n' >new.csv
expect 2 import --data h --csv new.csv --type patient
contains "$OUT" "line 3: registered_on" "bad row listed by line"
contains "$OUT" "line 4: sex" "second bad row listed"
eq "$(status_field h .entries)" "$n" "nothing written when a row is bad"
expect 2 import --data h --csv new.csv --type patient --dry-run --skip-bad
eq "$(status_field h .entries)" "$n" "dry run writes nothing"
ok import --data h --csv new.csv --type patient --skip-bad
contains "$OUT" "1 created" "--skip-bad imports the good row"
ok list patient --data h patient_no=B1 --json
eq "$(jq -r '.[0].fields.sex.value' <<<"$OUT")" male "label value imported"
# A follow-up refers to its patient by patient_no; set cells split on '|'.
printf 'patient,date,mode,reached,class,medication\nB1,2026-05-02,home,yes,stable,"利培酮;2;0;2|奥氮平;0;0;10"\n' >fu.csv
ok import --data h --csv fu.csv --type followup
ok list followup --data h date=2026-05-02 --json
eq "$(jq -c '.[0].fields.medication.value' <<<"$OUT")" '["利培酮;2;0;2","奥氮平;0;0;10"]' "medication lines"
# A row with an id updates only what changed.
ok export --data h --csv f.csv --type followup
sed -i 's/2026-05-02/2026-05-03/' f.csv
ok import --data h --csv f.csv --type followup
contains "$OUT" "1 updated" "one row changed"
# JSON lines create too (sets as arrays); quoted CSV cells keep commas
# and newlines.
printf '{"name":"周七","scope":"120116001","benefits":["minimum_living","family_doctor"],"disability_grade":2}\n' >new.jsonl
ok import --data h --jsonl new.jsonl --type patient
contains "$OUT" "1 created" "jsonl create"
ok list patient --data h --scope 120116001 name=周七 --json
eq "$(jq -c '.[0].fields.benefits.value' <<<"$OUT")" '["family_doctor","minimum_living"]' "jsonl set"
eq "$(jq -r '.[0].fields.disability_grade.value' <<<"$OUT")" 2 "jsonl int"
printf 'name,scope,address\n"吴八",120116001,"新河街道, 1号\n2单元"\n' >quoted.csv
ok import --data h --csv quoted.csv --type patient
ok list patient --data h name=吴八 --json
eq "$(jq -r '.[0].fields.address.value' <<<"$OUT")" "新河街道, 1号
2单元" "quoted cell"
# Spreadsheets' GB18030 is refused with the way out.
if iconv -f UTF-8 -t GB18030 new.csv >gb.csv 2>/dev/null; then
	expect 2 import --data h --csv gb.csv --type patient
	contains "$ERR" "GB18030" "GB18030 detected"
	contains "$ERR" "iconv" "how to convert"
fi
ok access-log --data h --json
jq -e 'map(.action) | index("export") and index("list") and index("show") and index("report")' \
	<<<"$OUT" >/dev/null || fail "access log lacks an action: $OUT"
eq "$(jq -r '.[0].user' <<<"$OUT")" "$(id -un)" "access log user"
[ "$(stat -c %a h/access.log)" = 600 ] || fail "access.log mode"

# ---- the township node gets everything; audit recomputes the indexes ----
ok export --data h --entries h.bin
ok import --data t --entries h.bin
ok report --data h --from 2026-01-01 --to 2026-06-30 --scope 120116001 --json
R=$OUT
ok report --data t --from 2026-01-01 --to 2026-06-30 --scope 120116001 --json
eq "$OUT" "$R" "same state, same report"
ok audit verify --data h
ok audit verify --data t
echo "records: ok"
