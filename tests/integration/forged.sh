#!/usr/bin/env bash
# A roster member that serves a forged entry (its signature broken) is
# disconnected and logged by the honest nodes, and nothing of the entry is
# stored; one that serves a malformed entry is logged as such, not as a
# bad signature. $3 is the forge_peer helper.
. "$(dirname "$0")/lib.sh" "$@"
FORGE=${3:-}
case $FORGE in /* | "") ;; *) FORGE=$OLDPWD/$FORGE ;; esac
[ -x "$FORGE" ] || fail "no forge_peer binary (third argument)"

ok init --data h --role health --name "District health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data t --role township --name "Xinhe township" --scope 120116001 --listen "127.0.0.1:$(free_port)"
ok init --data f --role health --name "Rogue" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok network create --data h --member t/node.pub --member f/node.pub --out roster
for n in t f; do ok network join --data $n roster; done
FID=$(status_field f .node_id)

start_node h
start_node t
wait_until 20 "h connected" connected h 1
wait_until 20 "t connected" connected t 1
ok add patient --data t scope=120116001 name=张三 phone=111
wait_until 10 "h and t agree" same_digest h t
E_H=$(status_field h .entries)

# f's only entry exists in f's store; the forger serves it with a broken
# signature.
ok add patient --data f scope=120116 name=伪造 phone=999
FP=$OUT
"$FORGE" --data f --seconds 30 >"$TMP/forge.out" 2>&1 &
FORGE_PID=$!
DAEMONS="$DAEMONS $FORGE_PID"

rejected() { grep -q "peer.rejected.*name=\"Rogue\"" "$TMP/$1.log"; }
wait_until 20 "h rejects the forger" rejected h
wait_until 20 "t rejects the forger" rejected t
grep -q forged "$TMP/forge.out" || fail "the forger never served: $(cat "$TMP/forge.out")"
note "$(grep 'peer.rejected' "$TMP/h.log" | head -1)"
for n in h t; do
	eq "$(status_field $n "[.feeds[] | select(.author == \"$FID\")] | length")" 0 \
		"$n holds no entry of the forger's feed"
	expect 3 show "$FP" --data $n
done
eq "$(status_field h .entries)" "$E_H" "entries at h unchanged"
ok audit verify --data h
ok audit verify --data t
grep -q 'peer.rejected.*name="Rogue".*detail="bad signature"' "$TMP/h.log" ||
	fail "h did not log the forged signature: $(grep peer.rejected "$TMP/h.log")"

note "a malformed entry is logged as malformed, not as a bad signature"
kill "$FORGE_PID"
wait "$FORGE_PID" 2>/dev/null
kill_node h TERM
: >"$TMP/h.log"
start_node h
"$FORGE" --data f --seconds 30 --malformed >"$TMP/forge2.out" 2>&1 &
FORGE2_PID=$!
DAEMONS="$DAEMONS $FORGE2_PID"
wait_until 20 "h rejects the malformed entry" rejected h
R=$(grep 'peer.rejected.*name="Rogue"' "$TMP/h.log" | head -1)
note "$R"
contains "$R" "detail=" "the reason is given"
case $R in *'detail="bad signature"'*) fail "a malformed entry logged as a bad signature: $R" ;; esac
eq "$(status_field h "[.feeds[] | select(.author == \"$FID\")] | length")" 0 "h stores nothing of it"
note ok
