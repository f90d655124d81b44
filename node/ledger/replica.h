/*
 * replica.h: the ledger seen by the gossip state machine. One
 * implementation of struct net_gossip_replica over node/ledger/ledger.h, used by
 * wardd and by the simulator alike, so the code that answers peers in
 * tests is the code that answers them in production.
 */
#ifndef WARD_NODE_REPLICA_H
#define WARD_NODE_REPLICA_H

#include <stdint.h>

#include "net/gossip.h"

struct node_ledger;

/* The ops' ctx: the ledger to read and this node's key pair, which signs
 * its checkpoints (all borrowed by the state machine for its whole life).
 * Every op runs on the thread that owns the ledger. */
struct node_replica {
	struct node_ledger *ledger;
	const uint8_t *pk; /* 32 bytes */
	const uint8_t *sk; /* 64 bytes */
};

extern const struct net_gossip_replica node_replica_ops;

#endif
