#!/usr/bin/env bash
# Issue 12, the operator's day: registers that update (finding 1), exports
# for spreadsheets (finding 5) and the domain rules of the write path
# (finding 7). A township imports its monthly register twice and gets no
# duplicate; the health office's sheet keyed by patient_no updates the
# same patients; exports open in Excel, are private, and import back.
. "$(dirname "$0")/lib.sh" "$@"

net4
# sync FROM TO: TO gets every entry FROM holds.
sync() {
	ok export --data "$1" --entries "$1.bin"
	ok import --data "$2" --entries "$1.bin"
}
count() { # count DIR TYPE [FILTER...]: live records listed
	ok list "$2" --data "$1" "${@:3}" --json
	jq length <<<"$OUT"
}

# ---- registers that update ----
# The township's monthly register: no id, no scope column.
cat >reg.csv <<'EOF'
patient_no,name,sex,registered_on,status,id_number,phone
ZT-001,张三,男,2025-01-05,registered,11010519491231002X,13800000001
ZT-002,李四,female,2025-02-01,在册,,13800000002
ZT-003,王五,male,2025-03-01,registered,,
EOF
ok import --data t --csv reg.csv --type patient
contains "$OUT" "3 created" "a township's creating rows take its own scope"
ok list patient --data t --json
eq "$(jq -r '[.[].scope] | unique | join(" ")' <<<"$OUT")" 120116001 "own scope"
n=$(status_field t .entries)
ok import --data t --csv reg.csv --type patient
contains "$OUT" "all as stored: nothing written" "the same register again"
contains "$OUT" "3 rows without an id matched" "matched by patient_no"
eq "$(status_field t .entries)" "$n" "nothing signed for an unchanged register"
eq "$(count t patient)" 3 "importing a register twice gives no duplicate"
ok duplicates --data t --json
eq "$(jq length <<<"$OUT")" 0 "no duplicates"
ok import --data t --json --csv reg.csv --type patient
eq "$(jq -c '[.created, .updated, .unchanged, .entries]' <<<"$OUT")" '[0,0,3,0]' "json counts"
# Next month: one phone changed, one cell left empty (kept as stored).
sed -e 's/13800000002/13900000002/' -e 's/,13800000001$/,/' reg.csv >reg2.csv
ok import --data t --csv reg2.csv --type patient
contains "$OUT" "0 created, 1 updated, 2 unchanged" "only the changed row"
ok list patient --data t patient_no=ZT-002 --json
eq "$(jq -r '.[0].fields.phone.value' <<<"$OUT")" 13900000002 "changed cell"
ok list patient --data t patient_no=ZT-001 --json
eq "$(jq -r '.[0].fields.phone.value' <<<"$OUT")" 13800000001 "an empty cell keeps the stored value"
P1=$(jq -r '.[0].id' <<<"$OUT")
# The health office's sheet keyed by patient_no: no name, no scope.
sync t h
eq "$(stat -c %a t.bin)" 600 "an entries export is private too"
printf 'patient_no,diagnosis,diagnosed_on\nZT-001,schizophrenia,2024-12-01\nZT-003,bipolar,2024-11-02\n' >health.csv
ok import --data h --csv health.csv --type patient
contains "$OUT" "0 created, 2 updated" "a patient_no sheet updates, needing no scope"
eq "$(count h patient)" 3 "no patient added at the district"
ok show "$P1" --data h --json
eq "$(jq -r .fields.diagnosis.value <<<"$OUT")" schizophrenia "sheet cell written"
# A creating row at a district node must say where.
printf 'patient_no,name\nZT-009,赵九\n' >new.csv
expect 2 import --data h --csv new.csv --type patient
contains "$OUT" "say where the record belongs" "district rows name a scope"
# id_number when patient_no is absent or unknown; --match picks one.
printf 'id_number,phone\n11010519491231002X,13700000001\n' >byid.csv
ok import --data t --csv byid.csv --type patient
contains "$OUT" "matched a stored record (by id_number)" "by id_number"
contains "$OUT" "1 updated" "by id_number updates"
printf 'patient_no,phone\nZT-002,13900000002\n' >mode.csv
ok import --data h --csv mode.csv --type patient
contains "$OUT" "all as stored" "matched at the district"
for m in id_number none; do
	expect 2 import --data h --csv mode.csv --type patient --match $m
	contains "$OUT" "say where the record belongs" "--match $m: no match, a create"
done
expect 2 import --data t --csv mode.csv --type patient --match nosuch
contains "$ERR" "--match nosuch" "bad --match named"
contains "$ERR" "patient_no, id_number, none" "the modes listed"
# Two rows of one file that are one patient.
printf 'patient_no,name\nZT-004,甲\nZT-004,甲\n' >twice.csv
expect 2 import --data t --csv twice.csv --type patient
contains "$OUT" "line 3: the same record as line 2" "a row twice in one file"
# Two stored patients with one patient_no: the row cannot say which.
ok add patient --data t scope=120116001 name=重复 patient_no=ZT-003 registered_on=2025-03-01
printf 'patient_no,phone\nZT-003,13600000003\n' >amb.csv
expect 2 import --data t --csv amb.csv --type patient
contains "$OUT" "patient_no ZT-003 matches 2 patient records" "ambiguous match"
contains "$OUT" "add an id column" "how to say which"
ok list patient --data t name=重复 --json
ok retract "$(jq -r '.[0].id' <<<"$OUT")" --data t --reason "registered twice"

# Guardians: by patient and id_number, else name.
cat >gu.csv <<'EOF'
patient,name,relation,phone
ZT-001,张父,parent,13500000001
ZT-002,李母,parent,13500000002
EOF
ok import --data t --csv gu.csv --type guardian
contains "$OUT" "2 created" "guardians created"
ok import --data t --csv gu.csv --type guardian
contains "$OUT" "all as stored: nothing written" "guardians again"
sed -i 's/13500000002/13500000009/' gu.csv
ok import --data t --csv gu.csv --type guardian
contains "$OUT" "1 updated" "a guardian's phone"
eq "$(count t guardian)" 2 "no guardian added"
# Care groups: by patient.
printf 'patient,leader,members\nZT-001,村支书王,village:王|police:刘\n' >cg.csv
ok import --data t --csv cg.csv --type care_group
ok import --data t --csv cg.csv --type care_group
contains "$OUT" "all as stored: nothing written" "care group again"
sed -i 's/村支书王/网格员赵/' cg.csv
ok import --data t --csv cg.csv --type care_group
contains "$OUT" "1 updated" "care group leader changed"
eq "$(count t care_group)" 1 "one care group"

# ---- exports for spreadsheets ----
ok export --data t --csv t.csv --type patient
eq "$(head -c 6 t.csv)" $'\xef\xbb\xbfid,' "a UTF-8 BOM for Excel"
eq "$(stat -c %a t.csv)" 600 "export file mode"
contains "$OUT" "0600" "the mode said"
ok export --data t --csv raw.csv --type patient --no-bom
eq "$(head -c 3 raw.csv)" "id," "--no-bom"
umask 022
printf 'old' >lab.csv
chmod 644 lab.csv
ok export --data t --csv lab.csv --type patient --labels
eq "$(stat -c %a lab.csv)" 600 "an existing file is made 0600"
contains "$(cat lab.csv)" ",女," "--labels translates sex"
contains "$(cat lab.csv)" ",在册," "--labels translates status"
case $(cat lab.csv) in *",female,"* | *",registered,"*) fail "codes left in a labelled export" ;; esac
ok import --data t --csv lab.csv --type patient
contains "$OUT" "all as stored: nothing written" "a labelled export imports back"
# Retracted rows are left out, unless asked for.
eq "$(grep -c 重复 t.csv)" 0 "no retracted row"
ok export --data t --csv all.csv --type patient --retracted
eq "$(grep -c 重复 all.csv)" 1 "--retracted includes it"
ok export --data t --csv t.csv --type patient
contains "$OUT" "1 retracted records left out" "the left-out rows counted"
# A township's export holding another township's patient imports back;
# a changed row of that scope is reported and skipped under --skip-bad.
ok add patient --data h scope=120116002 name=外乡 registered_on=2025-01-01
sync h t
ok export --data t --csv t.csv --type patient
# Its name is sealed to members whose scope covers 120116002 (DOMAIN.md
# section 5): the row is exported with the name as [sealed], never empty,
# and [sealed] imports back as "leave it as stored".
grep -q '^patient-[0-9a-f]*,120116002,\[sealed\],' t.csv ||
	fail "another scope's row exported with its name sealed: $(cat t.csv)"
! grep -q 外乡 t.csv || fail "another township's name in the export"
ok import --data t --csv t.csv --type patient
contains "$OUT" "all as stored: nothing written" "own export imports back"
sed -i -e '/,120116002,/s/,2025-01-01,/,2025-01-02,/' -e 's/,王五,/,王五五,/' t.csv
expect 2 import --data t --csv t.csv --type patient
contains "$OUT" "outside this node's jurisdiction" "another scope's change reported"
ok import --data t --csv t.csv --type patient --skip-bad
contains "$OUT" "1 updated" "the township's own row"
contains "$OUT" "1 skipped as bad" "the other scope's row skipped"

# ---- domain rules ----
sync t h
sync h p
today=$(date +%F)
ok add followup --data h patient="$P1" date="$today" mode=home reached=yes class=stable
ok add followup --data h patient="$P1" date="$(date -d '+1 day' +%F)" mode=phone reached=yes
late=$(date -d '+3 days' +%F)
expect 2 add followup --data h patient="$P1" date="$late" mode=home reached=yes
contains "$ERR" "followup.date $late is in the future" "a future date named"
LANG=zh_CN.UTF-8 expect 2 add followup --data h patient="$P1" date="$late"
contains "$ERR" "晚于今天" "the future date in Chinese"
expect 2 add hospitalization --data h patient="$P1" admitted="$(date -d '+1 year' +%F)"
# Township and police write joint follow-ups only.
for node in t p; do
	expect 2 add followup --data $node patient="$P1" date="$today" mode=home reached=yes joint=no
	contains "$ERR" "writes joint follow-ups only" "$node joint=no"
	expect 2 add followup --data $node patient="$P1" date="$today" mode=home reached=yes
	contains "$ERR" "joint=yes" "$node without joint"
done
ok add followup --data t patient="$P1" date="$today" mode=home reached=yes joint=yes
F=$OUT
expect 2 set "$F" joint=no --data t
contains "$ERR" "writes joint follow-ups only" "set joint=no"
ok add followup --data p patient="$P1" date="$today" mode=home reached=yes joint=yes
# Refusals name the roles that may write.
expect 2 set "$P1" diagnosis=bipolar --data t
contains "$ERR" "role township may not write patient.diagnosis; it is written by health" "who writes"
expect 2 add exam --data t patient="$P1" date="$today"
contains "$ERR" "they are created by health" "who creates"
expect 2 retract "$P1" --data p --reason "not ours"
contains "$ERR" "patient.retracted; it is written by health, township" "who retracts"
LANG=zh_CN.UTF-8 expect 2 set "$P1" diagnosis=bipolar --data t
contains "$ERR" "可填写的角色：卫生健康（health）" "who writes, in Chinese"
# A follow-up without its patient is told to give the patient.
expect 2 add followup --data h date="$today" reached=yes
contains "$ERR" "give patient=ID" "give the patient"
case $ERR in *scope=*) fail "told to give a scope: $ERR" ;; esac
# duplicates ignores a transfer-out and its transfer-in.
ok add transfer --data h patient="$P1" to_scope=120116002 out_on="$today" status=open
T=$OUT
ok add patient --data h scope=120116002 name=张三 id_number=11010519491231002X transferred_from="$P1" registered_on="$today"
case $ERR in *"already held"*) fail "a transfer-in warned as a duplicate: $ERR" ;; esac
N=$OUT
ok duplicates --data h --json
eq "$(jq length <<<"$OUT")" 0 "a transfer pair is no duplicate"
ok set "$N" id_number=11010519491231002X phone=1 --data h
case $ERR in *"already held"*) fail "a transfer-in's change warned as a duplicate: $ERR" ;; esac
ok add patient --data h scope=120116002 name=张三丰 id_number=11010519491231002X registered_on="$today"
ok duplicates --data h --json
eq "$(jq '.[0].patients | length' <<<"$OUT")" 2 "a real duplicate still listed"
# The help offers risk=3.., which needs no quoting.
ok help
contains "$OUT" "risk=3.." "risk=3.. in the help"
ok audit verify --data t
ok audit verify --data h
echo "registers: ok"
