# Shared helpers for ward's integration tests; sourced, not run.
# Usage in a test:  . "$(dirname "$0")/lib.sh" "$@"
# $1 is the ward binary (CMake passes $<TARGET_FILE:ward>).

set -u

W=${1:-}
if [ -z "$W" ] || [ ! -x "$W" ]; then
	echo "usage: $0 PATH/TO/ward (got '${W}')" >&2
	exit 2
fi
case $W in /*) ;; *) W=$(cd "$(dirname "$W")" && pwd)/$(basename "$W") ;; esac

TEST=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ward-it-$TEST.XXXXXX") || exit 6
trap 'rm -rf "$TMP"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
cd "$TMP" || exit 6
unset WARD_DATA

command -v jq >/dev/null 2>&1 || {
	echo "FAIL: $TEST needs jq (apt-get install jq)" >&2
	exit 1
}

fail() {
	echo "FAIL [$TEST]: $*" >&2
	# The daemons' last words, for whoever reads the failure.
	for f in "$TMP"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $(basename "$f") (last 25 lines)" >&2
		tail -25 "$f" >&2
	done
	# A daemon that died on a signal left a core in its data directory.
	for c in "$TMP"/*/core*; do
		[ -f "$c" ] || continue
		echo "--- $c" >&2
		if [ -n "${WD:-}" ] && command -v gdb >/dev/null; then
			gdb -batch -ex bt "$WD" "$c" 2>&1 | tail -30 >&2
		fi
	done
	exit 1
}
note() { echo "# $*"; }

# run CMD...: runs ward with the args; sets RC, OUT (stdout), ERR (stderr).
run() {
	"$W" "$@" >"$TMP/.out" 2>"$TMP/.err"
	RC=$?
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
}

# succeeds ARGS...: runs ward; true when it exited 0 (for wait_until).
succeeds() {
	run "$@"
	[ "$RC" = 0 ]
}

# expect RC ARGS...: runs ward and fails unless it exits with RC.
expect() {
	want=$1
	shift
	run "$@"
	if [ "$RC" != "$want" ]; then
		fail "ward $* exited $RC, want $want
--- stdout:
$OUT
--- stderr:
$ERR"
	fi
}

# ok ARGS...: expect 0.
ok() { expect 0 "$@"; }

# contains HAYSTACK NEEDLE WHAT
contains() {
	case $1 in
	*"$2"*) ;;
	*) fail "$3: '$2' not in:
$1" ;;
	esac
}

# eq GOT WANT WHAT
eq() {
	[ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}

# status_field DIR JQPATH: one value from ward status --json.
status_field() {
	"$W" status --data "$1" --json | jq -r "$2"
}

# show_json DIR ID
show_json() {
	"$W" show "$2" --data "$1" --json
}

# net_setup: a health node h (scope 120116) and a township node t
# (scope 120116001) on one network, both joined.
net_setup() {
	ok init --data h --role health --name "Binhai health" --scope 120116
	ok init --data t --role township --name "Xinhe street" --scope 120116001
	ok network create --data h --member t/node.pub --out roster
	ok network join --data t roster
}

# ---- live daemons (replication tests) ----
# $2, when given, is the wardd binary (CMake passes $<TARGET_FILE:wardd>).
WD=${2:-}
case $WD in /* | "") ;; *) WD=$OLDPWD/$WD ;; esac
DAEMONS=""

# reap: stops every daemon this test started (SIGTERM, then SIGKILL).
reap() {
	for p in $DAEMONS; do kill "$p" 2>/dev/null; done
	for p in $DAEMONS; do
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	DAEMONS=""
}
trap 'reap; rm -rf "$TMP"' EXIT

# free_port: prints a TCP port nobody listens on now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_node DIR [wardd args...]: starts wardd on DIR (log DIR.log); sets
# PID_<DIR> and waits until its local API answers.
start_node() {
	[ -x "$WD" ] || fail "no wardd binary (second argument)"
	d=$1
	shift
	# Debug logs and core dumps (in the data directory), for failures.
	[ -f "$d/wardd.conf" ] || printf 'log_level = debug\n' >"$d/wardd.conf"
	(
		ulimit -c unlimited 2>/dev/null
		cd "$TMP/$d" && exec "$WD" --data "$TMP/$d" "$@" 2>>"$TMP/$d.log"
	) &
	eval "PID_$d=$!"
	DAEMONS="$DAEMONS $!"
	# Only wardd's answer says daemon: true. ward answers status in-process
	# too (peers and all) while a killed daemon's stale socket refuses,
	# and a test that went on then raced the daemon's start.
	wait_until 10 "$d answers" sh -c "test -S '$TMP/$d/ward.sock' && '$W' status --data '$d' --json | jq -e '.daemon' >/dev/null"
}

# kill_node DIR [SIGNAL]: stops the daemon on DIR (SIGTERM by default).
kill_node() {
	eval "p=\$PID_$1"
	kill "-${2:-TERM}" "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	DAEMONS=$(echo "$DAEMONS" | tr ' ' '\n' | grep -vx "$p" | tr '\n' ' ')
}

# wait_until SECONDS WHAT CMD...: runs CMD until it succeeds; fails the
# test with WHAT when SECONDS pass first.
wait_until() {
	secs=$1
	what=$2
	shift 2
	end=$(($(date +%s%N) / 1000000 + secs * 1000))
	while ! "$@" >/dev/null 2>&1; do
		[ "$(($(date +%s%N) / 1000000))" -lt "$end" ] ||
			fail "timed out after ${secs}s waiting for: $what"
		sleep 0.1
	done
}

# same_digest DIR...: true when every node reports the same digest.
same_digest() {
	first=$("$W" status --data "$1" --json | jq -r .digest) || return 1
	for n in "$@"; do
		[ "$("$W" status --data "$n" --json | jq -r .digest)" = "$first" ] || return 1
	done
}

# connected DIR N: true when DIR's daemon has N peers connected and may
# write (a peer has confirmed its own feeds).
connected() {
	"$W" status --data "$1" --json |
		jq -e "([.peers[] | select(.connected)] | length) == $2 and (.writes_blocked | not)"
}

# net4: four agencies on 127.0.0.1 with free ports, joined, not running:
# health h (120116), township t (120116001), police p (120116), civil c
# (120116).
net4() {
	ok init --data h --role health --name "District health" --scope 120116 --listen "127.0.0.1:$(free_port)"
	ok init --data t --role township --name "Xinhe township" --scope 120116001 --listen "127.0.0.1:$(free_port)"
	ok init --data p --role police --name "District police" --scope 120116 --listen "127.0.0.1:$(free_port)"
	ok init --data c --role civil --name "Civil affairs" --scope 120116 --listen "127.0.0.1:$(free_port)"
	ok network create --data h --member t/node.pub --member p/node.pub --member c/node.pub --out roster
	for n in t p c; do ok network join --data $n roster; done
}
