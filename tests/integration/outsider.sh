#!/usr/bin/env bash
# A node outside the roster cannot complete a connection: it holds the
# members' certificates and addresses (it made its own roster of them), but
# their listeners require a certificate of their own roster, so its entries
# never arrive.
. "$(dirname "$0")/lib.sh" "$@"

ok init --data h --role health --name "District health" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok init --data t --role township --name "Xinhe township" --scope 120116001 --listen "127.0.0.1:$(free_port)"
ok init --data x --role health --name "Outsider" --scope 120116 --listen "127.0.0.1:$(free_port)"
ok network create --data h --member t/node.pub --out roster
ok network join --data t roster
ok network create --data x --member h/node.pub --member t/node.pub --out xroster
XID=$(status_field x .node_id)

# x writes while its daemon is down (ward serves in-process).
ok add patient --data x scope=120116 name=外人 phone=999
XP=$OUT
start_node h
start_node t
start_node x
wait_until 20 "h connected" connected h 1
wait_until 20 "t connected" connected t 1
# Alone, x's daemon signs at once: it never stopped uncleanly, so no peer
# can hold more of its feeds (the write-safety rule); its entries still
# reach nobody.
ok add patient --data x scope=120116 name=外人二 phone=998
# Time passes with gossip working: two writes at t reach h.
for i in 1 2; do
	ok add patient --data t scope=120116001 name=张$i phone=11$i
	wait_until 10 "h and t agree ($i)" same_digest h t
done
# x's dialers have tried for the whole time.
wait_until 10 "x has tried to dial" grep -q gossip.started "$TMP/x.log"
for n in h t; do
	eq "$(status_field $n "[.feeds[] | select(.author == \"$XID\")] | length")" 0 \
		"$n holds nothing of the outsider"
	expect 3 show "$XP" --data $n
done
eq "$(status_field x '[.peers[] | select(.connected)] | length')" 0 \
	"the outsider connected to nobody"
eq "$(status_field h '[.peers[] | .name] | join(",")')" "Xinhe township" \
	"h's peers are its roster's"
note ok
