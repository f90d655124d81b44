/*
 * replica.c: struct net_gossip_replica over the ledger's read API: the
 * version vector from the feed heads, a feed's head seq, and ranges of the
 * log in wire form (node_ledger_read_range, which seeks to `from`).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger.h"
#include "node/ledger_int.h"
#include "node/replica.h"

static int rep_vv(void *ctx, struct net_wire_feed **out, size_t *n)
{
	struct node_feed_head *h;
	size_t k;
	int rc = node_ledger_heads(ctx, &h, &k);
	if (rc)
		return rc;
	struct net_wire_feed *f = calloc(k ? k : 1, sizeof(*f));
	if (!f) {
		free(h);
		return -ENOMEM;
	}
	for (size_t i = 0; i < k; i++) {
		memcpy(f[i].author, h[i].author, 32);
		memcpy(f[i].scope, h[i].scope, sizeof(f[i].scope));
		f[i].scope[sizeof(f[i].scope) - 1] = 0;
		f[i].seq = h[i].seq;
		memcpy(f[i].head, h[i].head, 32);
	}
	free(h);
	*out = f;
	*n = k;
	return 0;
}

static uint64_t rep_feed_seq(void *ctx, const uint8_t author[32],
			     const char *scope)
{
	return node_ledger_feed_seq(ctx, author, scope);
}

static int rep_read_range(void *ctx, const uint8_t author[32],
			  const char *scope, uint64_t from, size_t max_entries,
			  size_t max_bytes, struct crdt_buf *out)
{
	return node_ledger_read_range(ctx, author, scope, from, max_entries,
				      max_bytes, out);
}

const struct net_gossip_replica node_replica_ops = {
    .vv = rep_vv,
    .feed_seq = rep_feed_seq,
    .read_range = rep_read_range,
};
