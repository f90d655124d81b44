#!/usr/bin/env bash
# ward backup (issue 8, finding 7): a consistent copy of a node's data
# directory, taken from a running wardd while it writes and from a stopped
# node in-process. A node restored from it holds what the node held at
# that moment (digest, records, a clean audit), every write acknowledged
# before the backup began, its keys at 0600 in a 0700 directory, and the
# marker (`restored: true` in ward status) that makes it wait for a peer
# before it signs.
. "$(dirname "$0")/lib.sh" "$@"

net4
start_node h
start_node t
wait_until 20 "h connected to t and writable" connected h 1

# Some writes, then more while the backup is taken.
for i in 1 2 3 4 5; do
	ok add patient --data h scope=120116001 name="before$i"
	echo "$OUT" >>acked_before
done
(
	i=0
	while [ ! -e stop ]; do
		i=$((i + 1))
		id=$("$W" add patient --data h scope=120116001 name="during$i" 2>>writer.err) &&
			echo "$id" >>acked_during
	done
) &
writer=$!
wait_until 20 "writes during the test" test -s acked_during
cp acked_during acked_at_start # every one of these returned before
ok backup --data h b1
contains "$OUT" "backup of" "backup output"
sleep 0.3
touch stop
wait "$writer"
[ "$(wc -l <acked_during)" -gt "$(wc -l <acked_at_start)" ] ||
	fail "the writer did not keep writing across the backup"

# The backup directory: private, the keys private, a store.
eq "$(stat -c %a b1)" 700 "backup directory mode"
eq "$(stat -c %a b1/node.key)" 600 "node.key mode"
eq "$(stat -c %a b1/tls.key)" 600 "tls.key mode"
for f in node.pub tls.crt roster wardd.conf; do
	[ -f "b1/$f" ] || fail "backup lacks $f"
done
[ -d b1/db ] || fail "backup lacks db/"

# Restored into a fresh directory: consistent, marked, holding everything
# acknowledged before the backup began.
cp -a b1 r1
ok status --data r1 --json
eq "$(jq -r .restored <<<"$OUT")" true "restored copy's marker"
backup_entries=$(jq -r .entries <<<"$OUT")
ok audit verify --data r1
while read -r id; do
	expect 0 show "$id" --data r1 --json
done < <(cat acked_before acked_at_start)
eq "$(status_field h .restored)" false "the node itself is not restored"
[ "$backup_entries" -ge $((5 + $(wc -l <acked_at_start))) ] ||
	fail "backup holds $backup_entries entries, fewer than acknowledged"

# A backup of a quiet running node equals it, record for record.
ok backup --data h b2
digest_h=$(status_field h .digest)
eq "$(jq -r .digest <<<"$("$W" backup --data h b3 --json)")" "$digest_h" \
	"backup answer's digest"
kill_node h
cp -a b2 r2
eq "$(status_field r2 .digest)" "$digest_h" "restored digest"
eq "$(status_field r2 .restored)" true "restored marker"
id=$(tail -n 1 acked_during)
eq "$("$W" show "$id" --data r2 --json | jq -c .fields)" \
	"$("$W" show "$id" --data h --json | jq -c .fields)" "restored record"

# In-process, with no wardd: the same, and the same refusals.
kill_node t
mkdir empty
chmod 755 empty
ok backup --data t empty
eq "$(stat -c %a empty)" 700 "an empty directory is made private"
eq "$(status_field empty .digest)" "$(status_field t .digest)" "offline backup digest"
eq "$(status_field empty .restored)" true "offline backup marker"
expect 2 backup --data t empty
contains "$ERR" "not an empty directory" "refusing a used directory"
expect 2 backup --data t

# h restored from its backup, with its peer down: it refuses to sign,
# saying why and what to do, alone and through wardd; once the peer is up
# and has confirmed h's own feeds (its missing entries come back first),
# it writes.
start_node t
kill -STOP "$PID_t"
mv h h.orig
cp -a b1 h
expect 5 add patient --data h scope=120116001 name=after
contains "$ERR" "restored from a backup" "ward alone says why"
contains "$ERR" "unblock --accept-fork-risk" "and what to do"
start_node h
expect 5 add patient --data h scope=120116001 name=after
contains "$ERR" "restored from a backup" "wardd says why"
eq "$(status_field h .writes_blocked_reason)" restored_unconfirmed "status says why"
kill -CONT "$PID_t"
wait_until 20 "the restored h confirmed by t" succeeds add patient --data h scope=120116001 name=after
eq "$(status_field h .restored)" false "the marker goes once confirmed"
while read -r id; do
	expect 0 show "$id" --data h --json
done <acked_during
wait_until 10 "h and t agree" same_digest h t
eq "$(status_field h '.proofs | length')" 0 "no fork"
note "backup ok: $backup_entries entries in the backup taken during $(wc -l <acked_during) writes"
