#!/usr/bin/env bash
# Clock skew (DESIGN.md section 4; issue 8, finding 10b): an entry whose hlc
# is more than 60 s ahead of the receiving node's clock is accepted, and
# the skew is counted (ward status --json: clock_skew_entries and the last
# one), exposed as ward_clock_skew_entries_total and logged by wardd as
# entry.clock_skew.
. "$(dirname "$0")/lib.sh" "$@"

SKEW=${3:-}
case $SKEW in /*) ;; *) SKEW=$OLDPWD/$SKEW ;; esac
[ -x "$SKEW" ] || fail "no skew_write binary (third argument)"

ok init --data h --role health --name "Binhai health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data t --role township --name "Xinhe street" --scope 120116001 --listen "127.0.0.1:$(free_port)"
ok network create --data h --member t/node.pub --out roster
ok network join --data t roster
T_ID=$(status_field t .node_id)

# t signs two entries as a node whose wall clock runs an hour fast.
"$SKEW" --data t --scope 120116001 --ahead 3600 --count 2 >skew.out 2>&1 ||
	fail "skew_write: $(cat skew.out)"
ok export --data t --entries t.bin
eq "$(status_field h .clock_skew_entries)" 0 "h before"
eq "$(status_field h .clock_skew_last)" null "h's last before"

MPORT=$(free_port)
printf 'log_level = info\nmetrics = 127.0.0.1:%s\n' "$MPORT" >h/wardd.conf
start_node h --standalone
ok import --data h --entries t.bin --json
eq "$(jq -r .applied <<<"$OUT")" 2 "entries from the fast clock applied"
eq "$(status_field h .clock_skew_entries)" 2 "clock_skew_entries"
eq "$(status_field h .clock_skew_last.author)" "$T_ID" "last skewed author"
eq "$(status_field h .clock_skew_last.scope)" 120116001 "last skewed scope"
eq "$(status_field h .clock_skew_last.seq)" 2 "last skewed seq"
grep -q 'entry.clock_skew count=2 total=2 author=' h.log ||
	fail "no entry.clock_skew in h's log"
scrape() {
	python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "http://127.0.0.1:$MPORT/metrics" >metrics.txt &&
		grep -q '^ward_clock_skew_entries_total 2$' metrics.txt
}
wait_until 10 "ward_clock_skew_entries_total 2" scrape
reap
# Kept in the store: counted once, still known with no daemon.
eq "$(status_field h .clock_skew_entries)" 2 "clock_skew_entries after a restart"
note "skew ok"
