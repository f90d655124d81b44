#!/usr/bin/env bash
# A hostile roster member against three honest live nodes (issue 8): one
# attack at a time that breaks no signature (tests/integration/
# hostile_peer.c: claims of the victims' own feeds, ANNOUNCEs of 20,000
# random feeds, fork-proof spam, a DIGEST flood, 4,096 feeds of its own).
# During each: `ward status` on an honest node answers in under 200 ms,
# its wardd's memory stays bounded, and writes at every honest node are
# never refused; after each, replication between honest nodes resumes
# within 10 s: a record written at one is at the others. $3 is the
# hostile_peer helper.
. "$(dirname "$0")/lib.sh" "$@"
HOSTILE=${3:-}
case $HOSTILE in /* | "") ;; *) HOSTILE=$OLDPWD/$HOSTILE ;; esac
[ -x "$HOSTILE" ] || fail "no hostile_peer binary (third argument)"
ATTACK_S=${WARD_HOSTILE_SECONDS:-8}
STATUS_MAX_MS=${WARD_STATUS_MAX_MS:-200}

ok init --data h --role health --name "District health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data t --role township --name "Xinhe township" --scope 120116001 --listen "127.0.0.1:$(free_port)"
ok init --data p --role police --name "District police" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data f --role health --name "Rogue" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok network create --data h --member t/node.pub --member p/node.pub --member f/node.pub --out roster
for n in t p f; do ok network join --data $n roster; done
for n in h t p; do printf 'log_level = info\n' >$n/wardd.conf; start_node $n; done
for n in h t p; do wait_until 20 "$n connected" connected $n 2; done
ok add patient --data h scope=120116 name=张三 phone=111
P=$OUT
ok add patient --data t scope=120116001 name=李四 phone=222
wait_until 10 "honest nodes agree" same_digest h t p

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$PID_h/status"; }
# CPU seconds (user + system) h's wardd has used.
cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$PID_h/stat"; }
RSS0=$(rss_kb)
RSS_MAX=$RSS0
i=0
for attack in ${WARD_HOSTILE_ATTACKS:-claim views forkspam digests feeds}; do
	note "attack: $attack"
	"$HOSTILE" --data f --attack $attack --seconds "$ATTACK_S" >"$TMP/hostile.$attack.out" 2>&1 &
	HPID=$!
	DAEMONS="$DAEMONS $HPID"
	end=$(($(date +%s) + ATTACK_S))
	slow=0
	worst=0
	cpu0=$(cpu_s)
	log0=$(wc -l <"$TMP/h.log")
	while [ "$(date +%s)" -lt "$end" ]; do
		i=$((i + 1))
		t0=$(date +%s%N)
		run status --data h --json
		t1=$(date +%s%N)
		[ "$RC" = 0 ] || fail "$attack: ward status at h failed: $ERR"
		ms=$(((t1 - t0) / 1000000))
		[ "$ms" -gt "$worst" ] && worst=$ms
		[ "$ms" -le "$STATUS_MAX_MS" ] || { slow=$((slow + 1)); note "$attack: ward status took $ms ms"; }
		ok set --data h "$P" phone=3$i
		ok add patient --data t scope=120116001 name=王$i phone=4$i
		r=$(rss_kb)
		[ "$r" -gt "$RSS_MAX" ] && RSS_MAX=$r
		sleep 0.3
	done
	# The node's own time: wardd logs api.slow for a request that waited
	# or ran over 100 ms; none may reach the bound. The command's wall
	# time also counts starting a process on a loaded machine: one sample
	# over the bound is that noise, two (or one over 1 s) are not.
	node_worst=$(tail -n +"$((log0 + 1))" "$TMP/h.log" |
		sed -n 's/.*api.slow cmd=status wait_ms=\([0-9]*\) serve_ms=\([0-9]*\).*/\1 \2/p' |
		awk 'BEGIN {m = 0} {if ($1 + $2 > m) m = $1 + $2} END {print m}')
	[ "$node_worst" -lt "$STATUS_MAX_MS" ] ||
		fail "$attack: wardd took $node_worst ms to answer ward status"
	[ "$slow" -le 1 ] && [ "$worst" -le 1000 ] ||
		fail "$attack: ward status took over $STATUS_MAX_MS ms $slow times (worst $worst ms)"
	wait "$HPID" 2>/dev/null
	DAEMONS=$(echo "$DAEMONS" | tr ' ' '\n' | grep -vx "$HPID" | tr '\n' ' ')
	grep -q "^up " "$TMP/hostile.$attack.out" || fail "$attack: the attacker never connected: $(cat "$TMP/hostile.$attack.out")"
	ok add patient --data t scope=120116001 name=赵$i phone=5$i
	NEW_T=$OUT
	ok add patient --data h scope=120116 name=钱$i phone=6$i
	NEW_H=$OUT
	for n in h p; do wait_until 10 "$attack: t's new record at $n" succeeds show "$NEW_T" --data $n; done
	for n in t p; do wait_until 10 "$attack: h's new record at $n" succeeds show "$NEW_H" --data $n; done
	# A rogue over its feed cap leaves honest nodes holding different
	# feeds of it (like a forker's branches); otherwise they agree.
	[ "$attack" = feeds ] || wait_until 10 "$attack: honest nodes agree again" same_digest h t p
	eq "$(status_field h .writes_blocked)" false "$attack: h's writes not blocked"
	note "$attack: $(tail -1 "$TMP/hostile.$attack.out"); h: status worst $worst ms (wardd's part under 100 ms, or $node_worst), cpu $(awk -v a="$(cpu_s)" -v b="$cpu0" "BEGIN {printf \"%.2f\", a - b}") s in ${ATTACK_S} s, rss $(rss_kb) kB"
done
note "h's wardd: rss $RSS0 kB before, at most $RSS_MAX kB during the attacks"
[ "$RSS_MAX" -le $((RSS0 + 200000)) ] || fail "h's memory grew from $RSS0 to $RSS_MAX kB"
# One fork proof of the rogue, whatever it sent.
eq "$(status_field h '[.proofs[] | select(.kind == "fork")] | length')" 1 "one fork proof at h"
FID=$(status_field f .node_id)
feeds=$(status_field h "[.feeds[] | select(.author == \"$FID\")] | length")
[ "$feeds" -le 1024 ] || fail "h holds $feeds feeds of the rogue (cap 1024)"
note "h holds $feeds feeds of the rogue"
for n in h t p; do ok audit verify --data $n; done
note ok
