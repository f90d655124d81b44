#!/usr/bin/env bash
# SIGKILL durability: a writer adds records one by one; a killer SIGKILLs
# the running ward at random moments. After every round the database opens,
# every acknowledged write is there, and the audit passes.
# Optional: ROUNDS (default 60), SEED (default random; printed).
. "$(dirname "$0")/lib.sh" "$@"

ROUNDS=${ROUNDS:-60}
SEED=${SEED:-$(($$ ^ $(date +%s)))}
RANDOM=$SEED
note "crash: $ROUNDS rounds, SEED=$SEED"
start=$(date +%s)

net_setup
: >acked      # "id name" per acknowledged add, appended after ward returns
: >rcs        # exit status of every ward add the writer ran
: >acked_set  # "id address" per acknowledged set
wpid=
cleanup() {
	[ -n "$wpid" ] && kill -9 "$wpid" 2>/dev/null
	[ -s "$TMP/cur.pid" ] && kill -9 "$(cat "$TMP/cur.pid")" 2>/dev/null
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

# ward_bg ARGS...: runs ward in the background, records its pid in cur.pid
# for the killer, waits; sets rc, appends it to rcs.
ward_bg() {
	"$W" "$@" >add.out 2>add.err &
	pid=$!
	echo "$pid" >cur.pid
	wait "$pid"
	rc=$?
	echo "$rc" >>rcs
	if [ "$rc" != 0 ] && [ "$rc" != 137 ]; then
		echo "writer: ward $* exited $rc: $(cat add.err)" >&2
		echo "$rc" >writer.failed
	fi
}

# writer ROUND: adds (and sets on every other new record) until the stop
# file appears.
writer() {
	local i=0 pid rc id
	while [ ! -e stop ]; do
		i=$((i + 1))
		ward_bg add patient --data t scope=120116001 name="r$1_$i" \
			phone="$1$i" benefits="minimum_living|disability_card"
		[ -e writer.failed ] && return
		[ "$rc" = 0 ] || continue
		id=$(cat add.out)
		echo "$id r$1_$i" >>acked
		[ $((i % 2)) = 0 ] && [ ! -e stop ] || continue
		ward_bg set "$id" --data t address="a$1_$i" benefits-=disability_card
		[ -e writer.failed ] && return
		[ "$rc" = 0 ] && echo "$id a$1_$i" >>acked_set
	done
}

killed=0
for round in $(seq 1 "$ROUNDS"); do
	rm -f stop cur.pid
	before=$(wc -l <acked)
	before_set=$(wc -l <acked_set)
	# (bash reports each SIGKILLed job on stderr: keep that in a file)
	writer "$round" 2>>writer.log &
	wpid=$!
	ms=$((RANDOM % 201))
	sleep "$((ms / 1000)).$(printf %03d $((ms % 1000)))"
	touch stop
	# the writer may not have started its first ward yet
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ -s cur.pid ] && break
		sleep 0.01
	done
	if [ -s cur.pid ]; then
		kill -9 "$(cat cur.pid)" 2>/dev/null
	fi
	wait "$wpid"
	[ -e writer.failed ] && fail "round $round: a ward add failed (not by SIGKILL):
$(grep -v Killed writer.log)"
	[ "$(tail -n 1 rcs)" = 137 ] && killed=$((killed + 1))

	# The database opens and is not left busy.
	expect 0 status --data t --json
	entries=$(jq -r .entries <<<"$OUT")
	# Every acknowledged record of this round is shown with its name.
	while read -r id name; do
		expect 0 show "$id" --data t --json
		eq "$(jq -r .fields.name.value <<<"$OUT")" "$name" \
			"round $round: $id name"
	done < <(tail -n +"$((before + 1))" acked)
	while read -r id addr; do
		expect 0 show "$id" --data t --json
		eq "$(jq -r .fields.address.value <<<"$OUT")" "$addr" \
			"round $round: $id address"
		eq "$(jq -c .fields.benefits.value <<<"$OUT")" '["minimum_living"]' \
			"round $round: $id benefits"
	done < <(tail -n +"$((before_set + 1))" acked_set)
	# ... and every acknowledged record of every round is listed.
	expect 0 list patient --data t --json
	jq -r '.[] | "\(.id) \(.fields.name.value)"' <<<"$OUT" | sort >listed
	missing=$(sort acked | comm -23 - listed)
	[ -z "$missing" ] || fail "round $round: acknowledged but lost:
$missing"
	[ "$(wc -l <listed)" -ge "$(wc -l <acked)" ] || fail "round $round: list short"
	# A killed add may have committed (then it is one more entry) or not.
	acks=$(($(wc -l <acked) + $(wc -l <acked_set)))
	[ "$entries" -ge "$acks" ] ||
		fail "round $round: $entries entries < $acks acknowledged writes"
	expect 0 audit verify --data t
	if [ $(($(date +%s) - start)) -gt 170 ]; then
		note "time budget reached after $round rounds"
		[ "$round" -ge 50 ] || fail "only $round rounds in 170 s: too slow"
		break
	fi
done

# At the end, every acknowledged id, one by one, and the ledger travels.
while read -r id name; do
	expect 0 show "$id" --data t --json
	eq "$(jq -r .fields.name.value <<<"$OUT")" "$name" "final: $id name"
done <acked
while read -r id addr; do
	expect 0 show "$id" --data t --json
	eq "$(jq -r .fields.address.value <<<"$OUT")" "$addr" "final: $id address"
done <acked_set
ok export --data t --entries all.bin
ok import --data h --entries all.bin
eq "$(status_field h .digest)" "$(status_field t .digest)" "digest after export/import"
ok audit verify --data h

total=$(wc -l <rcs)
note "crash ok: $round rounds, $killed killed mid-write, $(wc -l <acked) adds and $(wc -l <acked_set) sets acknowledged of $total writes, $(($(date +%s) - start)) s"
[ "$killed" -ge $((round / 4)) ] ||
	fail "only $killed of $round rounds killed a running ward: the test is not testing"
