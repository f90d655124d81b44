#!/usr/bin/env bash
# Membership that changes (issue 10), with five live wardd processes over
# mutual TLS: a proposal signed by one admin of three (threshold 2) is not
# in force, a second signature puts it in force on every node within 2 s;
# an auditor added at a later version joins with the exported chain,
# catches up and verifies; a removed member's connections close and its
# new entries go nowhere; a revoked author's entries past the bound are
# findings on every node, with one digest everywhere; a forked author is
# revoked at its fork and the digests agree again. Bad input at every door
# is refused with a reason and changes nothing.
. "$(dirname "$0")/lib.sh" "$@"

net4
ok init --data a --role auditor --name "County auditor" --scope 1201 --listen "127.0.0.1:$(free_port)"
for n in h t p c; do start_node $n; done
for n in h t p c; do wait_until 20 "$n connected to 3 peers" connected $n 3; done

version_at() { "$W" roster show --data "$1" --json | jq -r .version; }
at_version() { [ "$(version_at "$1")" = "$2" ]; }
all_at() {
	v=$1
	shift
	for n in "$@"; do at_version "$n" "$v" || return 1; done
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# holds DIR ID: DIR holds the proposal ID (gossip brought it).
holds() { "$W" roster pending --data "$1" --json | jq -e --arg id "$2" 'any(.[]; .id == $id)' >/dev/null; }
# sign DIR ID: once DIR holds the proposal, its admin signs it.
sign() {
	wait_until 10 "$1 holds proposal $2" holds "$1" "$2"
	ok roster sign --data "$1" "${2:0:12}"
}
# key_of DIR: a unique hex prefix of the node's key (a NODE may be named so)
key_of() { status_field "$1" .node_id | head -c 12; }
H=$(key_of h) T=$(key_of t) P=$(key_of p) C=$(key_of c)

note "bad input at the doors of version 1 (h is the only admin)"
expect 2 roster propose --data h admins remove "District health"
contains "$ERR" "no admin" "removing the last admin"
expect 2 roster propose --data h remove "District health"
contains "$ERR" "is an admin" "removing an admin without 'admins remove'"
expect 2 roster propose --data h threshold 0
contains "$ERR" "threshold 0" "threshold 0"
expect 2 roster propose --data h threshold 2
contains "$ERR" "at most the number of admins" "threshold above the admins"
expect 3 roster propose --data h remove nobody
contains "$ERR" "no member 'nobody'" "remove of a node that does not exist"
expect 2 roster propose --data h frobnicate
expect 2 roster propose --data h set "$T" colour=blue
for n in h t p c; do eq "$(version_at $n)" 1 "version at $n after refusals"; done
eq "$("$W" roster pending --data h --json | jq length)" 0 "nothing pending after refusals"

note "version 2: three admins, threshold 2 (h signs alone: version 1's threshold is 1)"
ok roster propose --data h admins add "Xinhe township" admins add "$P" threshold 2 --note "three admins"
ID=$OUT
[[ $ID =~ ^[0-9a-f]{64}$ ]] || fail "propose printed '$ID', not an id"
wait_until 5 "version 2 everywhere" all_at 2 h t p c
eq "$("$W" roster show --data p --json | jq -r '.threshold, (.admins | length)' | tr '\n' ' ')" "2 3 " "threshold and admins"
for n in h t p c; do wait_until 20 "$n reconnected" connected $n 3; done

note "version 3 adds the auditor: one signature of two is not in force"
ok roster propose --data h add a/node.pub --note "county auditor joins"
ID=$OUT
pending_at() { [ "$("$W" roster pending --data "$1" --json | jq length)" = 1 ]; }
wait_until 5 "t holds the proposal" pending_at t
P=$("$W" roster pending --data t --json)
eq "$(jq -r '.[0].id' <<<"$P")" "$ID" "pending id"
eq "$(jq -r '.[0].signatures, .[0].needed, .[0].version, .[0].proposer' <<<"$P" | tr '\n' ' ')" \
	"1 2 3 District health " "signatures, needed, version, proposer"
contains "$(jq -r '.[0].changes[0]' <<<"$P")" "add County auditor" "changes in words"
sleep 1
for n in h t p c; do eq "$(version_at $n)" 2 "one signature is not in force at $n"; done
expect 2 roster sign --data c "${ID:0:8}"
contains "$ERR" "not an admin" "a non-admin cannot sign"
t0=$(now_ms)
ok roster sign --data t "${ID:0:8}"
wait_until 2 "version 3 in force everywhere within 2 s" all_at 3 h t p c
note "version 3 in force on all four nodes $(($(now_ms) - t0)) ms after the second signature"
for n in h t p c; do wait_until 20 "$n reconnected" connected $n 3; done

note "the auditor joins with the chain, catches up and verifies"
ok add patient --data t scope=120116001 name=张三 phone=111
ok roster export --data h --out chain
ok network join --data a chain
start_node a
wait_until 20 "a connected to 4 peers" connected a 4
wait_until 20 "a caught up" same_digest h t p c a
eq "$(version_at a)" 3 "a's version"
ok audit verify --data a
ok roster log --data a --json
eq "$(jq length <<<"$OUT")" 3 "log lists three versions"
eq "$(jq -r '.[2].signers | sort | join(",")' <<<"$OUT")" "District health,Xinhe township" "version 3's signers"

note "a chain that is not a valid successor is refused, and nothing changes"
python3 - chain bad-gap bad-dup <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
assert b[0] & 0xf0 == 0x90
n = b[0] & 0x0f
def binlen(b, i):
    t = b[i]
    if t == 0xc4: return 2, b[i+1]
    if t == 0xc5: return 3, int.from_bytes(b[i+1:i+3], 'big')
    if t == 0xc6: return 5, int.from_bytes(b[i+1:i+5], 'big')
    raise SystemExit('bin expected')
items, i = [], 1
for _ in range(n):
    s = i
    assert b[i] == 0x92
    h, l = binlen(b, i + 1)
    i += 1 + h + l
    k = b[i] & 0x0f
    i += 1 + k * (1 + 2 + 32 + 2 + 64)
    items.append(b[s:i])
open(sys.argv[2], 'wb').write(bytes([0x90 | 2]) + items[0] + items[2])
open(sys.argv[3], 'wb').write(bytes([0x90 | 3]) + items[0] + items[1] + items[1])
PY
ok init --data x --role civil --name "Stranger" --scope 1201
expect 2 network join --data x bad-gap
contains "$ERR" "without a gap" "a chain with a gap"
expect 2 network join --data x bad-dup
contains "$ERR" "without a gap or a repeat" "two versions with the same number"

note "removing c: its connections close and its new entries go nowhere"
ok roster propose --data h remove "Civil affairs"
sign p "$OUT"
wait_until 5 "version 4 at h t p a" all_at 4 h t p a
c_cut() { [ "$(status_field c '[.peers[] | select(.connected)] | length')" = 0 ]; }
wait_until 20 "c has no connection left" c_cut
for n in h t p a; do wait_until 20 "$n reconnected" connected $n 3; done
# c's entries at h (others keep writing: a fresh group key after c left)
c_at_h() {
	"$W" status --data h --json |
		jq --arg c "$(status_field c .node_id)" '[.feeds[] | select(.author == $c) | .seq] | add // 0'
}
before=$(c_at_h)
expect 2 add patient --data c scope=120116 name=孤 phone=9
contains "$ERR" "not a member of roster version 4" "c may not write"
sleep 2
eq "$(c_at_h)" "$before" "no entry of c's reached h"

note "revoking t after its current seq: the entries past the bound are findings everywhere"
ok add patient --data t scope=120116001 name=李四 phone=222
ok add patient --data t scope=120116001 name=王五 phone=333
wait_until 10 "all agree" same_digest h t p a
# t's own feed there (other members write in 120116001 too: the key
# records' envelopes for members who joined)
seq=$(status_field t "(.node_id) as \$me | .feeds[] | select(.scope == \"120116001\" and .author == \$me) | .seq")
ok roster propose --data h revoke "$T" --from "120116001:$((seq - 1))"
sign p "$OUT"
wait_until 5 "version 5 everywhere" all_at 5 h t p a
wait_until 10 "one digest after the revocation" same_digest h t p a
for n in h t p a; do
	run audit verify --data $n --json
	eq "$RC" 0 "audit at $n"
	eq "$(jq "[.findings[] | select(.seq == $seq and (.why | test(\"revocation\")))] | length" <<<"$OUT")" 1 "finding at $n"
done

note "a forked author is revoked at its fork and the digests agree again"
for n in h t p a; do wait_until 20 "$n reconnected" connected $n 3; done
kill_node h TERM
cp -a h "$TMP/h.bak"
start_node h
wait_until 20 "h connected" connected h 3
ok add patient --data h scope=120116 name=周 phone=5
ZHOU=$OUT
wait_until 10 "all agree on the entry the copy lacks" same_digest h t p a
kill_node h TERM
rm -rf h && cp -a "$TMP/h.bak" h
ok add patient --data h scope=120116 name=吴 phone=6 # the copy signs at once
start_node h
proof_at() { [ "$(status_field "$1" '.proofs | length')" -ge 1 ]; }
for n in h t p a; do wait_until 20 "fork proof at $n" proof_at $n; done
[ "$(status_field h .digest)" != "$(status_field p .digest)" ] || fail "the fork left the digests equal"
advice=$(status_field p '.revoke_needed[0].propose')
contains "$advice" "revoke District" "status says what to propose"
run status --data p
contains "$OUT" "REVOKE NEEDED" "status in words"
fseq=$(status_field p '.revoke_needed[0].seq')
ok roster propose --data p revoke "$H" --from "120116:$((fseq - 1))"
sign t "$OUT"
wait_until 10 "version 6 everywhere" all_at 6 h t p a
wait_until 20 "the digests agree again" same_digest h t p a
eq "$(status_field p '.revoke_needed | length')" 0 "nothing left to revoke"

note "a fresh key for health: it writes on under it, still named"
OLDP=$(status_field h '.feeds[] | select(.scope == "120116") | .seq')
[ -n "$OLDP" ] || fail "h has a feed in 120116"
kill_node h TERM
ok init --data h2 --role health --name "District health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok roster propose --data p set "District health" key=h2/node.pub --note "new laptop"
sign t "$OUT"
wait_until 10 "version 7 at t p a" all_at 7 t p a
ok roster export --data p --out chain7
ok network join --data h2 chain7
start_node h2
for n in t p a; do wait_until 20 "$n reconnected" connected $n 3; done
ok add patient --data h2 scope=120116 name=郑 phone=8
NEW=$OUT
# (30 s: the key change also moves group keys, and their upkeep entries
# spread too)
wait_until 30 "the new key's entry everywhere" same_digest h2 t p a
eq "$(show_json p "$NEW" | jq -r .fields.name.by_name)" "District health" "the new key's writer"
eq "$(show_json p "$ZHOU" | jq -r .created.by_name)" "District health" "the old key's writer is still named"
eq "$("$W" roster show --data p --json | jq -r '.members[] | select(.name == "District health") | .key')" \
	"$(status_field h2 .node_id)" "the roster holds the new key"
# The old laptop (stopped before version 7) is held to its bound.
expect 2 add patient --data h scope=120116 name=旧 phone=1
contains "$ERR" "revocation bound" "the old key may not write"

note "the auditor's offline check of a bundle: no node, no data directory"
ok export --data a --entries bundle --with-roster
[ -s bundle.roster ] || fail "no bundle.roster beside the entries"
mkdir laptop && cp bundle bundle.roster laptop/
( cd laptop && "$W" audit verify --roster bundle.roster --entries bundle --json >../offline.json )
eq "$?" 0 "offline audit exit"
eq "$(jq -r .digest offline.json)" "$(status_field a .digest)" "offline digest equals the node's"
eq "$(jq -r .roster_version offline.json)" 7 "offline roster version"
[ "$(jq '[.findings[] | select(.why | test("revocation"))] | length' offline.json)" -ge 2 ] ||
	fail "offline audit lists the revoked entries as findings"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[len(b)//2]^=1; open(sys.argv[1],"wb").write(b)' laptop/bundle
expect 1 audit verify --roster laptop/bundle.roster --entries laptop/bundle
contains "$OUT" "FAIL" "a tampered bundle fails"
note "ok"
