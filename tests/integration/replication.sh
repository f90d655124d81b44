#!/usr/bin/env bash
# Four live wardd processes over mutual TLS on 127.0.0.1: writes at
# different nodes converge on every node; a node killed with SIGKILL while
# the others write catches up after a restart; two nodes writing one field
# while apart both show the conflict once they meet; SIGHUP restarts
# replication only when its settings changed; a cleanly stopped node with
# every peer down writes at once; one that died after writes no peer
# confirmed waits for a peer (or the operator's ward unblock); a raw copy
# of a data directory forks its feed, and every node holds the proof.
. "$(dirname "$0")/lib.sh" "$@"

net4
for n in h t p c; do start_node $n; done
for n in h t p c; do wait_until 20 "$n connected to 3 peers" connected $n 3; done
eq "$(status_field h .insecure)" false "TLS, not insecure"

note "writes at two nodes converge"
ok add patient --data t scope=120116001 name=张三 phone=111
P1=$OUT
ok add patient --data h scope=120116 name=李四 phone=222
P2=$OUT
wait_until 10 "four equal digests" same_digest h t p c
for n in h t p c; do
	eq "$(show_json $n "$P1" | jq -r .fields.name.value)" 张三 "$P1 at $n"
	eq "$(show_json $n "$P1" | jq -r .fields.name.by_name)" "Xinhe township" "writer of $P1 at $n"
	eq "$(show_json $n "$P2" | jq -r .fields.name.by_name)" "District health" "writer of $P2 at $n"
	eq "$(status_field $n .entries)" "$(status_field t .entries)" "entries at $n"
done
no_lag() { [ "$(status_field "$1" '[.peers[] | .lag_entries] | max')" = 0 ]; }
wait_until 10 "p reports no lag (rounds bring every peer's digest)" no_lag p

note "a node killed while others write catches up"
kill_node p KILL
for i in 1 2 3 4 5; do
	ok add patient --data t scope=120116001 name=王$i phone=30$i
done
ok set --data h "$P2" phone=223
wait_until 10 "h, t, c agree" same_digest h t c
[ "$(status_field t .digest)" != "$(status_field p .digest)" ] ||
	fail "p has what it could not have received"
start_node p
wait_until 20 "p caught up" same_digest h t p c
eq "$(show_json p "$P2" | jq -r .fields.phone.value)" 223 "set seen at p"
ok audit verify --data p

note "concurrent writes of one field show the conflict on both"
kill_node h TERM
ok set --data h "$P1" name=张山   # in-process: h's daemon is down
ok set --data t "$P1" name=张三丰
start_node h
wait_until 20 "all agree after the conflict" same_digest h t p c
for n in h t; do
	J=$(show_json $n "$P1")
	vals=$(jq -r '[.fields.name.conflict[] | if type == "object" then .value else . end] | sort | join(",")' <<<"$J")
	eq "$vals" "张三丰,张山" "$n: conflicting values"
done

note "SIGHUP keeps connections unless replication settings changed"
wait_until 20 "c connected before the reload" connected c 3
downs=$(grep -c 'peer.down' "$TMP/c.log")
printf 'log_level = debug\n' >c/wardd.conf
kill -HUP "$PID_c"
wait_until 5 "c reloaded" grep -q "config.reloaded log_level=debug.*replication=kept" "$TMP/c.log"
[ "$(grep -c 'gossip.started' "$TMP/c.log")" = 1 ] || fail "c restarted gossip on a log level change"
[ "$(grep -c 'peer.down' "$TMP/c.log")" = "$downs" ] || fail "c dropped peers on a log level change"
printf 'log_level = info\nround_ms = 1500\n' >c/wardd.conf
kill -HUP "$PID_c"
wait_until 5 "c restarted replication" grep -q "replication=restarted" "$TMP/c.log"
wait_until 20 "c reconnected" connected c 3
ok add patient --data t scope=120116001 name=郑 phone=7
wait_until 10 "all agree after the reload" same_digest h t p c

note "metrics on loopback, switched on by SIGHUP"
MPORT=$(free_port)
printf 'metrics = 127.0.0.1:%s\n' "$MPORT" >c/wardd.conf
kill -HUP "$PID_c"
scrape() {
	python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=2).read().decode())' "http://127.0.0.1:$MPORT/metrics" >metrics.txt
}
wait_until 10 "c serves metrics" scrape
wait_until 20 "c connected after the restart" connected c 3
# The text is rendered once a second: wait for one after the reconnection.
# A peer's lag is known once it has said what it holds (a DIGEST).
three_up() {
	scrape && [ "$(grep -c '^ward_peer_connected{peer="[0-9a-f]*"} 1$' metrics.txt)" = 3 ] &&
		grep -q '^ward_peer_lag_entries{peer="[0-9a-f]*"} [0-9]*$' metrics.txt
}
wait_until 10 "metrics show three peers connected, with their lag" three_up
M=$(cat metrics.txt)
contains "$M" "ward_entries $(status_field c .entries)" "entries metric"
contains "$M" "ward_proofs 0" "proofs metric"
grep -q '^ward_gossip_bytes_sent_total [1-9]' metrics.txt || fail "no bytes metric: $M"

note "a cleanly stopped node restarted with every peer down writes at once"
for n in t p c; do kill -STOP "$(eval echo \$PID_$n)"; done
kill_node h TERM
start_node h
ok set --data h "$P2" phone=224
eq "$(status_field h .writes_blocked)" false "h not blocked"
for n in t p c; do kill -CONT "$(eval echo \$PID_$n)"; done
wait_until 20 "all agree after h's offline write" same_digest h t p c

note "after wardd dies with writes no peer confirmed, it waits for a peer"
for n in t p c; do kill -STOP "$(eval echo \$PID_$n)"; done
ok set --data h "$P2" phone=225 # no peer can confirm this one
kill_node h KILL
expect 5 set --data h "$P2" phone=226
contains "$ERR" "did not stop cleanly" "why ward alone refused"
ok show --data h "$P2" # reading is fine
start_node h
expect 5 set --data h "$P2" phone=226
contains "$ERR" "waits for a peer to confirm" "why wardd refused"
eq "$(status_field h .writes_blocked_reason)" unclean_stop_unconfirmed "status says why"
for n in t p c; do kill -CONT "$(eval echo \$PID_$n)"; done
wait_until 20 "h confirmed again" connected h 3
wait_until 10 "h writes again" succeeds set --data h "$P2" phone=226
wait_until 20 "all agree after h's writes" same_digest h t p c
eq "$(show_json p "$P2" | jq -r .fields.phone.value)" 226 "h's write at p"

note "the operator can unblock a waiting node, after saying what it risks"
for n in t p c; do kill -STOP "$(eval echo \$PID_$n)"; done
ok set --data h "$P2" phone=227
kill_node h KILL
start_node h
expect 5 set --data h "$P2" phone=228
expect 2 unblock --data h
contains "$ERR" "accept-fork-risk" "unblock names the flag"
ok unblock --data h --accept-fork-risk
contains "$OUT" "unblocked" "unblock says so"
ok set --data h "$P2" phone=228
for n in t p c; do kill -CONT "$(eval echo \$PID_$n)"; done
wait_until 20 "all agree after the unblock" same_digest h t p c

note "a raw copy of a stopped node forks its feed, and every node holds the proof"
kill_node t TERM
cp -a t "$TMP/t.bak"
start_node t
wait_until 20 "t connected" connected t 3
ok add patient --data t scope=120116001 name=周 phone=5
wait_until 10 "all agree on the entry the copy lacks" same_digest h t p c
kill_node t TERM
rm -rf t && cp -a "$TMP/t.bak" t
ok add patient --data t scope=120116001 name=吴 phone=6 # signs at once
start_node t
proof_at() { [ "$(status_field "$1" '.proofs | length')" -ge 1 ]; }
for n in h t p c; do wait_until 20 "fork proof at $n" proof_at $n; done
eq "$(status_field p '.proofs[0].kind')" fork "the proof is a fork"
note "ok"
