#!/usr/bin/env bash
# Fork and divergence proofs travel between live wardd processes:
# - a node's cold copy, written to while the node itself writes on, forks
#   the node's feed; one peer that is handed the copy's entries keeps the
#   fork proof and gossip brings it to every node, which `ward status`
#   shows (JSON .proofs[] with kind "fork", the author and seq);
# - a node holding the other branch of a forked feed, one entry longer,
#   is not punished for relaying it: its peers pull the entry before the
#   one that does not chain, which proves the fork, and it too floods;
# - a node whose stored state is changed behind its back (its digest no
#   longer matches its entries) is caught by its peers' checkpoints: every
#   node ends up holding a divergence proof naming it.
. "$(dirname "$0")/lib.sh" "$@"

LDB=$(command -v ldb || command -v rocksdb_ldb || true)
[ -n "$LDB" ] ||
	fail "needs RocksDB's ldb tool: install rocksdb-tools (apt-get install rocksdb-tools)"

net4
for n in h t p c; do start_node $n; done
for n in h t p c; do wait_until 20 "$n connected to 3 peers" connected $n 3; done
ok add patient --data t scope=120116001 name=张三 phone=111
wait_until 10 "four equal digests" same_digest h t p c
for n in h t p c; do eq "$(status_field $n ".proofs | length")" 0 "no proof at $n yet"; done

note "a fork: a cold copy of t and t itself both write the next seq"
T_ID=$(status_field t .node_id)
kill_node t TERM
cp -a t t2
ok add patient --data t2 scope=120116001 name=甲 # no daemon on the copy
start_node t
wait_until 20 "t connected" connected t 3
ok add patient --data t scope=120116001 name=乙
wait_until 10 "the original's entry everywhere" same_digest h t p c
ok export --data t2 --entries fork.bin
run import --data h --entries fork.bin
[ "$RC" != 0 ] || fail "importing a fork succeeded: $OUT"
has_fork() {
	[ "$(status_field "$1" '[.proofs[] | select(.kind == "fork")] | length')" = 1 ]
}
for n in h t p c; do wait_until 20 "fork proof at $n" has_fork $n; done
for n in h t p c; do
	eq "$(status_field $n '.proofs[0].author')" "$T_ID" "fork author at $n"
	eq "$(status_field $n '.proofs[0].name')" "Xinhe township" "fork name at $n"
	eq "$(status_field $n '.proofs[0].hashes | length')" 2 "fork hashes at $n"
done
ok status --data p
contains "$OUT" "FORK" "status names the fork"
eq "$(status_field h '.proofs[0].seq')" "$(status_field t2 '.feeds[] | select(.author == "'"$T_ID"'") | .seq')" "fork seq"

note "a fork found by gossip: p holds the copy's branch, two entries long"
# Another author (h): a node keeps one fork proof per author.
H_ID=$(status_field h .node_id)
kill_node h TERM
cp -a h h3
start_node h
wait_until 20 "h connected again" connected h 3
kill_node p TERM
ok add patient --data h3 scope=120116 name=丙 # the copy's branch
ok add patient --data h3 scope=120116 name=丁
ok export --data h3 --entries fork2.bin
ok add patient --data h scope=120116 name=戊 # the original's branch
wait_until 10 "t and c hold the original's entry" same_digest h t c
ok import --data p --entries fork2.bin # in-process: p's daemon is down
start_node p
# h, t and c are one entry behind p on h's feed; pulling it they find it
# follows another entry: they pull p's entry before it, which proves the
# fork. p relayed its author's entries and is not punished for it.
two_forks() {
	[ "$(status_field "$1" '[.proofs[] | select(.kind == "fork")] | length')" = 2 ]
}
for n in h t p c; do wait_until 20 "second fork proof at $n" two_forks $n; done
seq2=$(status_field h3 '.feeds[] | select(.author == "'"$H_ID"'") | .seq')
eq "$(status_field h '[.proofs[] | select(.kind == "fork" and .author == "'"$H_ID"'") | .seq] | max')" "$((seq2 - 1))" "second fork's seq"
for n in h t c; do
	grep -q 'peer.rejected.*District police' "$TMP/$n.log" && fail "$n punished p for relaying a forked feed"
done
wait_until 20 "p still connected to all" connected p 3

note "one proof per author: t forking again adds nothing"
kill_node t TERM
cp -a t t4
ok add patient --data t4 scope=120116001 name=己
ok export --data t4 --entries fork3.bin
start_node t
ok add patient --data t scope=120116001 name=庚
wait_until 20 "t connected once more" connected t 3
# h must hold t's entry at that seq first, or t4's is just the next entry
# there (the import raced the gossip)
wait_until 20 "h holds t's new entry" same_digest h t
run import --data h --entries fork3.bin
[ "$RC" != 0 ] || fail "importing a fork succeeded: $OUT"
sleep 1
for n in h t p c; do eq "$(status_field $n '[.proofs[] | select(.kind == "fork")] | length')" 2 "still two fork proofs at $n"; done

note "a divergence: c's stored digest changed behind its back"
C_ID=$(status_field c .node_id)
kill_node c TERM
key=0x4D646967657374 # "Mdigest"
"$LDB" --db=c/db --column_family=meta get --hex "$key" >ldb.out 2>ldb.err ||
	fail "ldb get: $(cat ldb.err)"
val=$(sed 's/^0x//' ldb.out)
[ ${#val} = 4096 ] || fail "stored digest is not 2048 bytes: ${#val} hex digits"
c0=${val:100:1}
val=${val:0:100}$(printf '%X' $(((0x$c0 + 1) % 16)))${val:101}
"$LDB" --db=c/db --column_family=meta put --hex "$key" "0x$val" >/dev/null 2>ldb.err ||
	fail "ldb put: $(cat ldb.err)"
start_node c
has_div() {
	[ "$(status_field "$1" '[.proofs[] | select(.kind == "divergence" and (.nodes | index("'"$C_ID"'")))] | length')" -ge 1 ]
}
for n in h t p c; do wait_until 30 "divergence proof naming c at $n" has_div $n; done
names=$(status_field h '[.proofs[] | select(.kind == "divergence") | .names[]] | unique | join(",")')
contains "$names" "Civil affairs" "divergence names c"
ok status --data h
contains "$OUT" "DIVERGENCE" "status names the divergence"
expect 1 audit verify --data c
note "ok"
