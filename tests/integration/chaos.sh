#!/usr/bin/env bash
# Link chaos (issue 8, finding 6): four daemons whose peer traffic goes
# through TCP relays the test controls (the roster's addresses are the
# relays'; each wardd listens behind its own). Each round does one random
# thing to one random node or link: restart the daemon (SIGTERM, start),
# SIGSTOP it for a while, drop every TCP connection to it, or black-hole
# them for a while. Then a record is written somewhere and all four nodes
# must agree (same digest) within 10 s. Rounds are short (round_ms = 300,
# fanout = 3, so every up peer hears from us every round; a link silent
# for 2.5 rounds is torn down and dialed again).
#
# CHAOS_ROUNDS (default 30) and CHAOS_SEED (default random, printed)
# reproduce a run.
HERE=$(cd "$(dirname "$0")" && pwd)
. "$(dirname "$0")/lib.sh" "$@"

ROUNDS=${CHAOS_ROUNDS:-30}
SEED=${CHAOS_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
RANDOM=$SEED
note "seed $SEED, $ROUNDS rounds"

NODES="h t p c"
RELAYS=""
declare -A RELAY
init_node() { # DIR ROLE NAME SCOPE
	rp=$(free_port)
	np=$(free_port)
	ok init --data "$1" --role "$2" --name "$3" --scope "$4" --listen "127.0.0.1:$rp"
	printf 'log_level = %s\nround_ms = 300\nfanout = 3\nlisten = 127.0.0.1:%s\n' "${CHAOS_LOG:-info}" "$np" >"$1/wardd.conf"
	python3 "$HERE/relay.py" "$rp" "$np" &
	RELAY[$1]=$!
	RELAYS="$RELAYS $!"
}
trap 'kill $RELAYS 2>/dev/null; reap; [ -n "${CHAOS_KEEP:-}" ] && cp -r "$TMP" "$CHAOS_KEEP"; rm -rf "$TMP"' EXIT
init_node h health "District health" 120116
init_node t township "Xinhe township" 120116001
init_node p police "District police" 120116
init_node c civil "Civil affairs" 120116
ok network create --data h --member t/node.pub --member p/node.pub --member c/node.pub --out roster
for n in t p c; do ok network join --data $n roster; done
for n in $NODES; do start_node $n; done
for n in $NODES; do wait_until 20 "$n connected to 3 peers" connected $n 3; done

pick() { # one of the arguments, at random
	set -- "$@"
	shift $((RANDOM % $#))
	echo "$1"
}
pause() { sleep "$((RANDOM % 3)).$((RANDOM % 10))"; } # 0.0 .. 2.9 s
ms() { echo $(($(date +%s%N) / 1000000)); }

# write WHO I: adds a record at WHO, waiting out a node that has just
# started and not yet had its heads confirmed by a peer.
write() {
	scope=120116
	[ "$1" = t ] && scope=120116001
	end=$(($(ms) + 10000))
	while ! "$W" add patient --data "$1" scope=$scope name=混沌$2 phone=$2 >/dev/null 2>"$TMP/.err"; do
		[ "$(ms)" -lt "$end" ] || fail "round $2: ward add at $1 refused for 10 s: $(cat "$TMP/.err")"
		sleep 0.1
	done
}

START=$(ms)
WORST=0
for round in $(seq 1 "$ROUNDS"); do
	n=$(pick $NODES)
	eval "pid=\$PID_$n"
	case $((RANDOM % 5)) in
	0)
		act="restart $n"
		kill_node $n
		start_node $n
		;;
	1)
		act="SIGSTOP $n"
		kill -STOP "$pid"
		pause
		kill -CONT "$pid"
		;;
	2)
		act="drop the connections to $n"
		kill -USR1 "${RELAY[$n]}"
		;;
	3)
		act="black-hole the links to $n"
		kill -USR2 "${RELAY[$n]}"
		pause
		kill -USR2 "${RELAY[$n]}"
		;;
	4)
		act="drop every connection"
		for r in $RELAYS; do kill -USR1 "$r"; done
		;;
	esac
	writer=$(pick h t)
	t0=$(ms)
	write "$writer" "$round"
	wait_until 10 "round $round ($act, written at $writer): all four agree" same_digest $NODES
	took=$(($(ms) - t0))
	[ "$took" -gt "$WORST" ] && WORST=$took
	note "round $round: $act; written at $writer; agreed after $took ms"
done
note "$ROUNDS rounds in $((($(ms) - START) / 1000)) s; slowest agreement $WORST ms"
for n in $NODES; do
	grep -c 'transport.dropped reason=idle' $n.log | sed "s/^/# idle teardowns at $n: /"
done
note ok
