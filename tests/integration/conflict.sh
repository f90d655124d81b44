#!/usr/bin/env bash
# Concurrent writes to one field at two nodes surface as a conflict on
# both after an exchange of entries, and both converge to one digest.
. "$(dirname "$0")/lib.sh" "$@"

net_setup

# t creates the record; h receives it.
ok add patient --data t scope=120116001 name=张三 phone=111
P=$OUT
ok export --data t --entries create.bin
ok import --data h --entries create.bin
eq "$(show_json h "$P" | jq -r .fields.name.value)" 张三 "record at h"
eq "$(status_field h .digest)" "$(status_field t .digest)" "digest after create"

# Each sets name (and h also sets a field t leaves alone) without seeing
# the other's write.
ok set --data t "$P" name=张三丰
ok set --data h "$P" name=张山 diagnosis=schizophrenia
[ "$(status_field h .digest)" != "$(status_field t .digest)" ] ||
	fail "digests equal before exchange"
eq "$(show_json t "$P" | jq -r '.fields.name | has("conflict")')" false \
	"no conflict at t before exchange"

# Exchange: each exports everything, the other imports.
ok export --data t --entries t.bin
ok export --data h --entries h.bin
ok import --data h --entries t.bin --json
eq "$(jq -r .applied <<<"$OUT")" 1 "h applied t's set"
ok import --data t --entries h.bin --json
eq "$(jq -r .applied <<<"$OUT")" 1 "t applied h's set"

dh=$(status_field h .digest)
dt=$(status_field t .digest)
eq "$dh" "$dt" "digest after exchange"
eq "$(status_field h .entries)" 3 "entries at h"
eq "$(status_field t .entries)" 3 "entries at t"

for n in h t; do
	J=$(show_json $n "$P") || fail "show at $n"
	jq -e '.fields.name.conflict | type == "array"' <<<"$J" >/dev/null ||
		fail "$n: no conflict array on name: $(jq -c .fields.name <<<"$J")"
	vals=$(jq -r '[.fields.name.conflict[] | if type == "object" then .value else . end] | sort | join(",")' <<<"$J")
	eq "$vals" "张三丰,张山" "$n: conflicting values"
	roles=$(jq -r '[.fields.name.versions[] | .by_role] | sort | join(",")' <<<"$J")
	eq "$roles" "health,township" "$n: conflicting writers (versions)"
	vv=$(jq -r '[.fields.name.versions[].value] | sort | join(",")' <<<"$J")
	eq "$vv" "张三丰,张山" "$n: versions' values"
	# the field nobody contested is plain where the node may read it: a
	# diagnosis is health's (DOMAIN.md section 5); the township sees it
	# sealed, never empty
	if [ $n = h ]; then
		eq "$(jq -r .fields.diagnosis.value <<<"$J")" schizophrenia "$n: diagnosis"
	else
		eq "$(jq -r .fields.diagnosis.sealed <<<"$J")" true "$n: diagnosis sealed"
	fi
	eq "$(jq -r '.fields.diagnosis | has("conflict")' <<<"$J")" false \
		"$n: diagnosis not in conflict"
	eq "$(jq -r .fields.phone.value <<<"$J")" 111 "$n: phone"
	ok show "$P" --data $n
	contains "$OUT" 张三丰 "$n: text show lists one value"
	contains "$OUT" 张山 "$n: text show lists the other"
	ok audit verify --data $n
done
# Both nodes render the same record identically, but for what only one
# of them may read.
eq "$(show_json h "$P" | jq -c 'del(.fields.diagnosis)')" \
	"$(show_json t "$P" | jq -c 'del(.fields.diagnosis)')" "show --json h vs t"

# Resolving: a later set at t sees both and supersedes them.
ok set --data t "$P" name=张三
ok export --data t --entries t2.bin
ok import --data h --entries t2.bin
for n in h t; do
	J=$(show_json $n "$P")
	eq "$(jq -r .fields.name.value <<<"$J")" 张三 "$n: name after resolve"
	eq "$(jq -r '.fields.name.conflict // [] | length' <<<"$J")" 0 \
		"$n: conflict after resolve"
	eq "$(jq -r '.fields.name.versions | length' <<<"$J")" 1 \
		"$n: versions after resolve"
done
eq "$(status_field h .digest)" "$(status_field t .digest)" "digest after resolve"

note "conflict ok"
