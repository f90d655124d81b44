/*
 * replica.c: struct net_gossip_replica over the ledger's read API: the
 * version vector from the feed heads, a feed's head seq, and ranges of the
 * log in wire form (read key by key, see rep_read_range).
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

/* Point reads, one per seq: node_ledger_read_range walks its feed's log
 * from the first seq on every call, which makes serving a long catch-up
 * quadratic. */
static int rep_read_range(void *ctx, const uint8_t author[32],
			  const char *scope, uint64_t from, size_t max_entries,
			  size_t max_bytes, struct crdt_buf *out)
{
	struct node_kv *kv = node_ledger_kv(ctx);
	if (from == 0 || strlen(scope) > 12)
		return -EINVAL;
	size_t count = 0, bytes = 0;
	for (uint64_t seq = from; count < max_entries; seq++) {
		struct key k;
		uint8_t *v;
		size_t n;
		key_init(&k, 'L');
		key_feed(&k, author, scope);
		key_u64(&k, seq);
		int rc = node_kv_get(kv, k.b, k.len, &v, &n);
		if (rc == -ENOENT)
			break;
		if (rc) {
			if (count == 0)
				return rc;
			break;
		}
		if (count > 0 && bytes + n > max_bytes) {
			free(v);
			break;
		}
		crdt_buf_append(out, v, n);
		bytes += n;
		count++;
		free(v);
	}
	return (int)count;
}

const struct net_gossip_replica node_replica_ops = {
    .vv = rep_vv,
    .feed_seq = rep_feed_seq,
    .read_range = rep_read_range,
};
