#!/usr/bin/env bash
# Need to know (issue 11, DESIGN.md section 8, DOMAIN.md section 5), with
# five live wardd processes over mutual TLS: health h (120116), the
# township t (120116001), another township u (120116002), police p
# (120116) and an auditor a (120116).
#   - t registers patients with names and ID numbers; h writes a
#     diagnosis. Each node reads what its role and scope allow and sees
#     the rest as sealed (JSON "sealed": true, 已加密 in Chinese tables),
#     never empty; filters on a sealed field work where the node reads it
#     and say so where it cannot; due, report and the digest are the same
#     everywhere; audit passes everywhere.
#   - police is removed by the admins: the next write seals to a fresh
#     key it does not hold, so it reads nothing written under it.
#   - a second township office v (120116001) joins later and reads the
#     names written before it joined (envelopes added for it).
#   - every node's whole RocksDB, every column family dumped with ldb,
#     holds no sealed plaintext, while the unsealed patient_no shows (the
#     scan finds what is there).
. "$(dirname "$0")/lib.sh" "$@"

command -v ldb >/dev/null || fail "needs ldb (Debian: rocksdb-tools)"

ok init --data h --role health --name "District health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data t --role township --name "Xinhe township" --scope 120116001 --listen "127.0.0.1:$(free_port)"
ok init --data u --role township --name "Other township" --scope 120116002 --listen "127.0.0.1:$(free_port)"
ok init --data p --role police --name "District police" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data a --role auditor --name "District auditor" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok network create --data h --member t/node.pub --member u/node.pub --member p/node.pub --member a/node.pub --out roster
for n in t u p a; do ok network join --data $n roster; done
for n in h t u p a; do start_node $n; done
for n in h t u p a; do wait_until 30 "$n connected to 4 peers" connected $n 4; done

NAME=张三
IDN=11010519491231002X
note "the township registers, health diagnoses"
ok add patient --data t scope=120116001 name=$NAME id_number=$IDN phone=13700000001 patient_no=ZT-001 registered_on=2025-01-05 status=registered
P1=$OUT
ok add patient --data t scope=120116001 name=李四 id_number=110105198001010032 patient_no=ZT-002 registered_on=2025-02-01 status=registered
P2=$OUT
ok add patient --data u scope=120116002 name=外乡 patient_no=ZU-001 registered_on=2025-01-01 status=registered
U1=$OUT
wait_until 20 "h holds t's patient" sh -c "'$W' show '$P1' --data h --json >/dev/null 2>&1"
ok set --data h "$P1" diagnosis=schizophrenia diagnosed_on=2024-12-01
wait_until 20 "one digest on five nodes" same_digest h t u p a

field() { "$W" show "$2" --data "$1" --json | jq -c ".fields.$3 | if .sealed then \"sealed\" else .value end"; }
for n in h t p a; do eq "$(field $n "$P1" name)" "\"$NAME\"" "$n reads the name"; done
eq "$(field u "$P1" name)" '"sealed"' "the other township sees the name sealed"
eq "$(field u "$P1" id_number)" '"sealed"' "the other township sees the ID number sealed"
eq "$(field u "$P1" patient_no)" '"ZT-001"' "an unsealed field reads everywhere"
for n in h a; do eq "$(field $n "$P1" diagnosis)" '"schizophrenia"' "$n reads the diagnosis"; done
for n in t u p; do eq "$(field $n "$P1" diagnosis)" '"sealed"' "$n sees the diagnosis sealed"; done
eq "$(field t "$U1" name)" '"sealed"' "the township sees the other township's names sealed"
LANG=zh_CN.UTF-8 ok show "$P1" --data u
contains "$OUT" 已加密 "Chinese table: 已加密"
ok show "$P1" --data u
contains "$OUT" sealed "English table: sealed"

note "filters and duplicates on sealed fields"
ok list patient --data t id_number=$IDN --json
eq "$(jq -r '.[0].id // .rows[0].id' <<<"$OUT")" "$P1" "t finds by ID number"
expect 2 list patient --data u id_number=$IDN --scope 120116001
contains "$ERR" "cannot read this field here" "u may not filter t's ID numbers"
expect 2 list patient --data p diagnosis=schizophrenia
contains "$ERR" "cannot read this field here" "police may not filter diagnoses"
ok list patient --data h diagnosis=schizophrenia --json
contains "$OUT" "$P1" "health filters diagnoses"
ok access-log --data t --json
jq -e 'any(.[]; .action == "show" and (.sealed | index("name")))' <<<"$OUT" >/dev/null ||
	fail "t's access log names the sealed fields its shows read: $OUT"
ok access-log --data u --json
jq -e 'all(.[]; .sealed | index("name") | not)' <<<"$OUT" >/dev/null ||
	fail "u read no name, and its access log says none: $OUT"

note "due, report and digests are the same on every node"
for n in h t u p a; do
	"$W" report --data $n --scope 120116 --from 2025-01-01 --to 2025-12-31 --json | jq -c '.rates // .' >rep.$n || fail "report at $n"
	"$W" due --data $n --scope 120116 --json | jq -c '[.[] | del(.name, .phone)]' >due.$n || fail "due at $n"
done
for n in t u p a; do
	cmp -s rep.h rep.$n || fail "report differs at $n: $(cat rep.$n) vs $(cat rep.h)"
	cmp -s due.h due.$n || fail "due differs at $n"
done
"$W" due --data u --scope 120116 --json | jq -e '[.[] | select(.scope == "120116001")] | length > 0 and all(.name | type == "object" and .sealed)' >/dev/null ||
	fail "due at u shows t's patients' names as sealed: $("$W" due --data u --scope 120116 --json)"
"$W" due --data u --scope 120116 --json | jq -e 'any(.[]; .name == "外乡")' >/dev/null ||
	fail "due at u names its own patient"
ok due --data u --scope 120116
contains "$OUT" ZT-001 "u's due table shows t's patient by patient_no"
contains "$OUT" 外乡 "u's due table names its own patient"
for n in h t u p a; do ok audit verify --data $n; done

note "exports: what the node cannot read is [sealed] / {\"sealed\": true}, and imports back as stored"
ok export --data u --csv u.csv --type patient
grep -q '\[sealed\]' u.csv || fail "u's CSV export marks t's names: $(cat u.csv)"
! grep -q "$NAME" u.csv || fail "u's export holds a name it may not read"
ok import --data u --csv u.csv --type patient
contains "$OUT" "all as stored" "u's CSV export imports back as stored"
ok export --data u --jsonl u.jsonl --type patient
grep -q '"sealed":true' u.jsonl || fail "u's JSONL export marks t's names: $(cat u.jsonl)"
ok import --data u --jsonl u.jsonl --type patient
contains "$OUT" "all as stored" "u's JSONL export imports back as stored"
eq "$(field h "$P1" name)" "\"$NAME\"" "the name is as it was"

note "police removed: the next write is sealed to a fresh key it lacks"
version_at() { "$W" roster show --data "$1" --json | jq -r .version; }
ok roster propose --data h remove "District police"
wait_until 10 "version 2 at h t u a" sh -c "for n in h t u a; do [ \"\$('$W' roster show --data \$n --json | jq -r .version)\" = 2 ] || exit 1; done"
for n in h t u a; do wait_until 30 "$n reconnected" connected $n 3; done
ok add patient --data t scope=120116001 name=王五 patient_no=ZT-003 registered_on=2025-03-01 status=registered
P3=$OUT
wait_until 20 "h t u a agree" same_digest h t u a
# The removed node gets the entries by hand: it stores them, reads none.
ok export --data t --entries t.bin
ok import --data p --entries t.bin
eq "$(field p "$P3" name)" '"sealed"' "the removed police node cannot read a name written after its removal"
eq "$(field p "$P1" name)" "\"$NAME\"" "what it could read before stays readable to it"
eq "$(field h "$P3" name)" '"王五"' "health reads the new name"

note "a second township office joins later and reads the names written before"
ok init --data v --role township --name "Xinhe township office 2" --scope 120116001 --listen "127.0.0.1:$(free_port)"
ok roster propose --data h add v/node.pub
wait_until 10 "version 3 at h" sh -c "[ \"\$('$W' roster show --data h --json | jq -r .version)\" = 3 ]"
ok roster export --data h --out chain
ok network join --data v chain
start_node v
wait_until 30 "v connected" connected v 4
wait_until 60 "v reads a name written before it joined" sh -c "[ \"\$('$W' show '$P1' --data v --json | jq -r .fields.name.value)\" = '$NAME' ]"
eq "$(field v "$P3" name)" '"王五"' "v reads the name written at version 2"
eq "$(field v "$U1" name)" '"sealed"' "v does not read the other township's names"
ok status --data v --json
eq "$(jq -r '[.keys[] | .missing] | add' <<<"$OUT")" 0 "v holds every key of its groups"
wait_until 30 "one digest on h t u a v" same_digest h t u a v
for n in h t u a v; do ok audit verify --data $n; done

note "the whole store of every node: no sealed plaintext, the unsealed patient_no everywhere"
for n in h t u a v; do kill_node $n; done
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \n'; }
dump() {
	db=$(dirname "$(find "$1" -name CURRENT | head -1)")
	[ -d "$db" ] || fail "no RocksDB under $1"
	cfs=$(ldb --db="$db" list_column_families 2>/dev/null | sed -n 's/^{\(.*\)}$/\1/p' | tr -d ' ' | tr ',' ' ')
	[ -n "$cfs" ] || fail "no column families listed in $db"
	for cf in $cfs; do
		ldb --db="$db" --column_family="$cf" --hex dump 2>/dev/null || fail "ldb dump $1 $cf"
	done | tr 'A-F' 'a-f'
}
for n in h t u p a v; do
	d=$(dump $n)
	[ -n "$d" ] || fail "empty dump of $n"
	case $d in *"$(hex ZT-001)"*) ;; *) fail "$n: the scan does not find the unsealed patient_no" ;; esac
	for s in "$NAME" "$IDN" 13700000001 schizophrenia 王五 外乡; do
		case $d in *"$(hex "$s")"*) fail "$n: plaintext '$s' in its store" ;; esac
	done
done

note "sealed ok"
