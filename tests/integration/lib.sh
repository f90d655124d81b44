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
