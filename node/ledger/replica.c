/*
 * replica.c: struct net_gossip_replica over the ledger's read API: the
 * version vector from the feed heads, a feed's head seq, and ranges of the
 * log in wire form (node_ledger_read_range, which seeks to `from`); the
 * state digest, checkpoints and proofs over node/ledger/proofs.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger/ledger.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/proofs.h"
#include "node/ledger/proposal.h"
#include "node/ledger/replica.h"

static int rep_vv(void *ctx, struct net_wire_feed **out, size_t *n)
{
	struct node_feed_head *h;
	size_t k;
	struct node_replica *r = ctx;
	int rc = node_ledger_heads(r->ledger, &h, &k);
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
	struct node_replica *r = ctx;
	return node_ledger_feed_seq(r->ledger, author, scope);
}

static int rep_read_range(void *ctx, const uint8_t author[32],
			  const char *scope, uint64_t from, size_t max_entries,
			  size_t max_bytes, struct crdt_buf *out)
{
	struct node_replica *r = ctx;
	return node_ledger_read_range(r->ledger, author, scope, from,
				      max_entries, max_bytes, out);
}

static void rep_state_digest(void *ctx, uint8_t out[32])
{
	struct node_replica *r = ctx;
	node_ledger_digest(r->ledger, out);
}

static int rep_checkpoint(void *ctx, struct crdt_buf *out)
{
	struct node_replica *r = ctx;
	return node_checkpoint_make(r->ledger, r->pk, r->sk, out);
}

/* net/ logs a peer's fault with a text of its own (it shows nothing to
 * users and holds no catalog ids): the ledger's reason goes to it as the
 * catalog's English, a static string that outlives the call. */
static const char *reason_en(enum node_msg m)
{
	return node_catalog_text(NODE_LANG_EN, m ? m : MSG_ENTRY_MALFORMED);
}

/* The same for a reason: its static text when it has no arguments, else
 * rendered into a thread-local buffer that lives until the next such call
 * on this thread (as node_ledger_set_roster's text did before). */
static const char *reason_text_en(const struct node_reason *r)
{
	static _Thread_local char buf[512];
	if (r->n_args == 0 && r->wrap == MSG_NONE && r->tail == MSG_NONE)
		return reason_en(r->id);
	return node_reason_text(r, NODE_LANG_EN, buf, sizeof(buf));
}

static int rep_checkpoint_seen(void *ctx, const uint8_t *cp, size_t len,
			       const char **why)
{
	struct node_replica *r = ctx;
	enum node_msg m = MSG_NONE;
	int rc = node_checkpoint_seen(r->ledger, r->pk, r->sk, cp, len, &m);
	if (rc == -EBADMSG)
		*why = reason_en(m);
	return rc;
}

static int rep_proof_add(void *ctx, enum net_wire_type type, const uint8_t *a,
			 size_t a_len, const uint8_t *b, size_t b_len,
			 const char **why)
{
	struct node_replica *r = ctx;
	enum node_msg m = MSG_NONE;
	int rc = node_proof_add(r->ledger,
				type == NET_WIRE_FORK ? NODE_PROOF_FORK
						      : NODE_PROOF_DIVERGENCE,
				a, a_len, b, b_len, &m);
	if (rc == -EBADMSG)
		*why = reason_en(m);
	return rc;
}

struct each {
	net_gossip_proof_fn fn;
	void *arg;
};

static int each_proof(void *arg, enum node_proof_kind kind, const uint8_t *a,
		      size_t a_len, const uint8_t *b, size_t b_len)
{
	struct each *e = arg;
	e->fn(e->arg,
	      kind == NODE_PROOF_FORK ? NET_WIRE_FORK : NET_WIRE_DIVERGENCE, a,
	      a_len, b, b_len);
	return 0;
}

static size_t rep_proofs(void *ctx, net_gossip_proof_fn fn, void *arg)
{
	struct node_replica *r = ctx;
	struct each e = {fn, arg};
	int n = node_proofs_each(r->ledger, fn ? each_proof : NULL, &e);
	return n > 0 ? (size_t)n : 0;
}

static uint64_t rep_vv_version(void *ctx)
{
	struct node_replica *r = ctx;
	return node_ledger_version(r->ledger);
}

static uint64_t rep_roster_version(void *ctx)
{
	struct node_replica *r = ctx;
	const struct node_roster *ro = node_ledger_roster(r->ledger);
	return ro ? ro->version : 0;
}

static void rep_roster_id(void *ctx, uint8_t out[32])
{
	struct node_replica *r = ctx;
	const struct node_roster *ro = node_ledger_roster(r->ledger);
	if (ro)
		memcpy(out, ro->body_hash, 32);
	else
		memset(out, 0, 32);
}

static size_t rep_rosters_read(void *ctx, uint64_t from, size_t max_bytes,
			       struct crdt_buf *out)
{
	struct node_replica *r = ctx;
	size_t n = 0, bytes = 0;
	for (uint64_t v = from;; v++) {
		const struct node_roster *ro = node_ledger_roster_at(r->ledger, v);
		if (!ro || (n > 0 && bytes + ro->wire_len + 8 > max_bytes))
			break;
		crdt_pack_bin(out, ro->wire, ro->wire_len);
		bytes += ro->wire_len + 8;
		n++;
	}
	return n;
}

static size_t rep_proposals_read(void *ctx, size_t max_bytes,
				 struct crdt_buf *out)
{
	struct node_replica *r = ctx;
	return node_proposals_encode(r->ledger, out, max_bytes);
}

static void rep_proposals_digest(void *ctx, uint8_t out[32])
{
	struct node_replica *r = ctx;
	node_proposals_digest(r->ledger, out);
}

static int rep_roster_add(void *ctx, const uint8_t *w, size_t len,
			  const char **why)
{
	struct node_replica *r = ctx;
	struct node_roster *ro;
	const struct node_roster *cur = node_ledger_roster(r->ledger);
	if (!cur)
		return 0;
	enum node_msg m;
	if (node_roster_decode(w, len, &ro, &m) != 0) {
		*why = reason_en(m);
		return -EBADMSG;
	}
	uint64_t v = ro->version;
	bool follows = ro->has_prev && !memcmp(ro->prev, cur->body_hash, 32);
	bool same = !memcmp(ro->body_hash, cur->body_hash, 32);
	node_roster_free(ro);
	/* Held already, after a version we lack (the peer answers our
	 * ROSTER with the ones between), or on another branch (an admin
	 * signed two bodies): nobody's fault. */
	if (same || (v != cur->version + 1 && v != cur->version) ||
	    (v == cur->version + 1 && !follows))
		return 0;
	struct node_reason rw;
	int rc = node_ledger_set_roster(r->ledger, w, len, &rw);
	if (rc == -EBADMSG)
		*why = reason_text_en(&rw);
	if (rc == 0)
		return memcmp(node_ledger_roster(r->ledger)->body_hash,
			      cur->body_hash, 32) != 0;
	return v == cur->version ? 0 : rc;
}

static int rep_proposal_add(void *ctx, const uint8_t *item, size_t len,
			    const char **why)
{
	struct node_replica *r = ctx;
	struct node_reason rw;
	int rc = node_proposal_add(r->ledger, item, len, &rw);
	if (rc == -EBADMSG) {
		*why = reason_text_en(&rw);
		return rc;
	}
	return rc > 0 ? 1 : 0;
}

const struct net_gossip_replica node_replica_ops = {
    .roster_version = rep_roster_version,
    .roster_id = rep_roster_id,
    .rosters_read = rep_rosters_read,
    .proposals_read = rep_proposals_read,
    .proposals_digest = rep_proposals_digest,
    .roster_add = rep_roster_add,
    .proposal_add = rep_proposal_add,
    .vv = rep_vv,
    .feed_seq = rep_feed_seq,
    .read_range = rep_read_range,
    .state_digest = rep_state_digest,
    .checkpoint = rep_checkpoint,
    .checkpoint_seen = rep_checkpoint_seen,
    .proof_add = rep_proof_add,
    .proofs = rep_proofs,
    .vv_version = rep_vv_version,
};
