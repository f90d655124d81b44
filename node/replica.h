/*
 * replica.h: the ledger seen by the gossip state machine. One
 * implementation of struct net_gossip_replica over node/ledger.h, used by
 * wardd and by the simulator alike, so the code that answers peers in
 * tests is the code that answers them in production.
 */
#ifndef WARD_NODE_REPLICA_H
#define WARD_NODE_REPLICA_H

#include "net/gossip.h"

/* The ops; ctx is the struct node_ledger * to read (borrowed by the state
 * machine for its whole life). Every op runs on the thread that owns the
 * ledger. */
extern const struct net_gossip_replica node_replica_ops;

#endif
