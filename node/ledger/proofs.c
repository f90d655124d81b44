/*
 * proofs.c: fork proofs, checkpoints and divergence proofs (proofs.h).
 *
 * Keys (meta column family, ledger_int.h):
 *   'P' feed seq(8)        -> [wire a, wire b]  fork proof
 *   "Mdiv" node(32) node(32) -> [cp a, cp b]    divergence proof, the two
 *                                               signers in byte order
 * One fork proof per author, and one divergence proof per pair of nodes,
 * is enough to prove the misbehaviour; later ones add nothing and are not
 * kept (nor checked: a key lookup finds them), which bounds what a peer
 * can make us store and send by the roster's size. Stores written before
 * this rule may hold several per author; they are kept.
 *
 * A checkpoint's body is [1, node, hlc, roster_version, schema_version,
 * vv, digest] (DESIGN.md section 3), vv the feeds in net_wire_feed_cmp
 * order as [author, scope, seq, head], hlc the greatest head hlc of the
 * vector, and its signature Ed25519 over "ward-checkpoint-v1" || net_id ||
 * body. The vv is canonical, so two checkpoints name the same vector
 * exactly when their encoded vv bytes are equal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crdt/crdt.h"
#include "net/wire.h"
#include "node/ledger/ledger.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/proofs.h"
#include "node/ledger/reject.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"

#define CP_PREFIX "ward-checkpoint-v1"
#define CP_PREFIX_LEN (sizeof(CP_PREFIX) - 1)
#define META_DIVERGENCE "Mdiv"
#define META_DIVERGENCE_LEN 4
/* Smallest encoded vv item: array, bin(32), str(2), uint, bin(32). */
#define VV_ITEM_MIN 72u

static uint8_t *cp_message(const uint8_t net_id[32], const uint8_t *body,
			   size_t body_len, size_t *len)
{
	*len = CP_PREFIX_LEN + 32 + body_len;
	uint8_t *m = crdt_xmalloc(*len);
	memcpy(m, CP_PREFIX, CP_PREFIX_LEN);
	memcpy(m + CP_PREFIX_LEN, net_id, 32);
	memcpy(m + CP_PREFIX_LEN + 32, body, body_len);
	return m;
}

static int head_cmp(const void *x, const void *y)
{
	const struct node_feed_head *a = x, *b = y;
	return net_wire_feed_cmp(a->author, a->scope, b->author, b->scope);
}

int node_checkpoint_make(struct node_ledger *l, const uint8_t pk[32],
			 const uint8_t *sk, struct crdt_buf *out)
{
	const struct node_roster *r = node_ledger_roster(l);
	struct node_feed_head *h;
	size_t n;
	if (!r)
		return -EPERM;
	/* The state is not the chain's until a failed re-judgement is
	 * done: it would sign a digest no other node has. */
	if (node_ledger_rejudging(l))
		return -EAGAIN;
	int rc = node_ledger_heads(l, &h, &n);
	if (rc)
		return rc;
	qsort(h, n, sizeof(*h), head_cmp);
	uint64_t hlc = 0;
	struct crdt_buf body;
	crdt_buf_init(&body);
	crdt_pack_array(&body, 7);
	crdt_pack_uint(&body, 1);
	crdt_pack_bin(&body, pk, 32);
	for (size_t i = 0; i < n; i++)
		if (h[i].hlc > hlc)
			hlc = h[i].hlc;
	crdt_pack_uint(&body, hlc);
	crdt_pack_uint(&body, r->version);
	crdt_pack_uint(&body, NODE_SCHEMA_VERSION);
	crdt_pack_array(&body, n);
	for (size_t i = 0; i < n; i++) {
		crdt_pack_array(&body, 4);
		crdt_pack_bin(&body, h[i].author, 32);
		crdt_pack_cstr(&body, h[i].scope);
		crdt_pack_uint(&body, h[i].seq);
		crdt_pack_bin(&body, h[i].head, 32);
	}
	free(h);
	uint8_t d[32], net_id[32], sig[64];
	node_ledger_digest(l, d);
	crdt_pack_bin(&body, d, 32);
	if (body.len > CRDT_MAX_BODY_BYTES) {
		crdt_buf_fini(&body);
		return -E2BIG;
	}
	node_ledger_net_id(l, net_id);
	size_t mlen;
	uint8_t *m = cp_message(net_id, body.data, body.len, &mlen);
	crypto_sign_detached(sig, NULL, m, mlen, sk);
	free(m);
	crdt_pack_array(out, 2);
	crdt_pack_bin(out, body.data, body.len);
	crdt_pack_bin(out, sig, 64);
	crdt_buf_fini(&body);
	return 0;
}

#define BAD(reason)                                                            \
	do {                                                                   \
		*why = (reason);                                               \
		return -EBADMSG;                                               \
	} while (0)

/* The vector inside a checkpoint body: canonical feeds in order. */
static int read_vv(struct crdt_mp_cursor *c, size_t *n_out, enum node_msg *why)
{
	size_t n;
	if (crdt_mp_read_array(c, &n) != 0)
		BAD(MSG_P_VV_NOT_ARRAY);
	if (n > crdt_mp_left(c) / VV_ITEM_MIN)
		BAD(MSG_P_VV_TOO_LONG);
	uint8_t prev_author[32];
	char prev_scope[NET_WIRE_SCOPE_BYTES] = "";
	for (size_t i = 0; i < n; i++) {
		size_t k, slen;
		const char *s;
		uint8_t author[32], head[32];
		uint64_t seq;
		char scope[NET_WIRE_SCOPE_BYTES];
		if (crdt_mp_read_array(c, &k) != 0 || k != 4 ||
		    crdt_mp_read_bin_fixed(c, author, 32) != 0 ||
		    crdt_mp_read_str(c, &s, &slen) != 0 ||
		    !crdt_scope_valid(s, slen) ||
		    crdt_mp_read_uint(c, &seq) != 0 || seq == 0 ||
		    crdt_mp_read_bin_fixed(c, head, 32) != 0)
			BAD(MSG_P_VV_ITEM);
		memcpy(scope, s, slen);
		scope[slen] = '\0';
		if (i > 0 &&
		    net_wire_feed_cmp(prev_author, prev_scope, author, scope) >= 0)
			BAD(MSG_P_VV_ORDER);
		memcpy(prev_author, author, 32);
		memcpy(prev_scope, scope, sizeof(prev_scope));
	}
	*n_out = n;
	return 0;
}

/* Decodes a checkpoint and checks its form; the signature is left to
 * cp_verify. */
static int cp_decode(struct node_ledger *l, const uint8_t *wire, size_t len,
		     struct node_checkpoint *out, const uint8_t **body,
		     size_t *body_len, const uint8_t **sig, enum node_msg *why)
{
	const struct node_roster *r = node_ledger_roster(l);
	struct crdt_mp_cursor c;
	size_t n, sig_len;
	uint64_t version;
	memset(out, 0, sizeof(*out));
	if (!r)
		BAD(MSG_I_NOT_JOINED);
	crdt_mp_cursor_init(&c, wire, len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n != 2 ||
	    crdt_mp_read_bin(&c, body, body_len) != 0 ||
	    crdt_mp_read_bin(&c, sig, &sig_len) != 0 || sig_len != 64 ||
	    crdt_mp_left(&c) != 0)
		BAD(MSG_P_CP_NOT_PAIR);
	crdt_mp_cursor_init(&c, *body, *body_len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n != 7 ||
	    crdt_mp_read_uint(&c, &version) != 0 || version != 1 ||
	    crdt_mp_read_bin_fixed(&c, out->node, 32) != 0 ||
	    crdt_mp_read_uint(&c, &out->hlc) != 0 ||
	    crdt_mp_read_uint(&c, &out->roster_version) != 0 ||
	    crdt_mp_read_uint(&c, &out->schema_version) != 0)
		BAD(MSG_P_CP_HEADER);
	out->vv = c.p;
	int rc = read_vv(&c, &out->n_feeds, why);
	if (rc)
		return rc;
	out->vv_len = (size_t)(c.p - out->vv);
	if (crdt_mp_read_bin_fixed(&c, out->digest, 32) != 0 ||
	    crdt_mp_left(&c) != 0)
		BAD(MSG_P_CP_DIGEST);
	if (!node_roster_find(r, out->node))
		BAD(MSG_P_CP_OUTSIDER);
	return 0;
}

static int cp_verify(struct node_ledger *l, const struct node_checkpoint *cp,
		     const uint8_t *body, size_t body_len, const uint8_t *sig,
		     enum node_msg *why)
{
	uint8_t net_id[32];
	node_ledger_net_id(l, net_id);
	size_t mlen;
	uint8_t *m = cp_message(net_id, body, body_len, &mlen);
	bool ok = crypto_sign_verify_detached(sig, m, mlen, cp->node) == 0;
	free(m);
	if (!ok)
		BAD(MSG_P_CP_SIGNATURE);
	return 0;
}

int node_checkpoint_read(struct node_ledger *l, const uint8_t *wire,
			 size_t len, struct node_checkpoint *out,
			 enum node_msg *why)
{
	const uint8_t *body, *sig;
	size_t body_len;
	return cp_decode(l, wire, len, out, &body, &body_len, &sig, why);
}

int node_checkpoint_check(struct node_ledger *l, const uint8_t *wire,
			  size_t len, struct node_checkpoint *out,
			  enum node_msg *why)
{
	const uint8_t *body, *sig;
	size_t body_len;
	int rc = cp_decode(l, wire, len, out, &body, &body_len, &sig, why);
	return rc ? rc : cp_verify(l, out, body, body_len, sig, why);
}

/* Whether a proof is held under key k. */
static bool held(struct node_ledger *l, const struct key *k)
{
	uint8_t *v;
	size_t len;
	if (node_kv_get(node_ledger_kv(l), k->b, k->len, &v, &len) != 0)
		return false;
	free(v);
	return true;
}

/* Whether any fork proof of author is held. */
static bool author_held(struct node_ledger *l, const uint8_t author[32])
{
	struct key k;
	key_init(&k, 'P');
	key_bytes(&k, author, 32);
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), k.b, k.len);
	bool any = node_kv_iter_valid(it);
	node_kv_iter_free(it);
	return any;
}

/* Stores the pair under key k, synced (the callers found none held
 * there): 1, or a negative errno. */
static int keep(struct node_ledger *l, const struct key *k, const uint8_t *a,
		size_t a_len, const uint8_t *b, size_t b_len)
{
	struct crdt_buf v;
	crdt_buf_init(&v);
	crdt_pack_array(&v, 2);
	crdt_pack_bin(&v, a, a_len);
	crdt_pack_bin(&v, b, b_len);
	struct node_kv_batch *batch = node_kv_batch_new();
	node_kv_batch_put(batch, k->b, k->len, v.data, v.len);
	int rc = node_kv_write(node_ledger_kv(l), batch, true);
	node_kv_batch_free(batch);
	crdt_buf_fini(&v);
	return rc ? rc : 1;
}

/* Checks two checkpoints prove divergence; fills the key for the pair
 * and orders (a, b) by signer. 0, or 1 when a proof for the pair is
 * held already (the signatures are then not checked), or -EBADMSG. */
static int divergence_check(struct node_ledger *l, const uint8_t **a,
			    size_t *a_len, const uint8_t **b, size_t *b_len,
			    struct key *k, enum node_msg *why)
{
	struct node_checkpoint ca, cb;
	const uint8_t *body_a, *sig_a, *body_b, *sig_b;
	size_t blen_a, blen_b;
	int rc = cp_decode(l, *a, *a_len, &ca, &body_a, &blen_a, &sig_a, why);
	if (rc == 0)
		rc = cp_decode(l, *b, *b_len, &cb, &body_b, &blen_b, &sig_b,
			       why);
	if (rc)
		return rc;
	int order = memcmp(ca.node, cb.node, 32);
	if (order == 0)
		BAD(MSG_P_DIV_SELF);
	key_init(k, 'M');
	key_bytes(k, META_DIVERGENCE + 1, META_DIVERGENCE_LEN - 1);
	key_bytes(k, order < 0 ? ca.node : cb.node, 32);
	key_bytes(k, order < 0 ? cb.node : ca.node, 32);
	if (held(l, k))
		return 1;
	if (ca.roster_version != cb.roster_version ||
	    ca.schema_version != cb.schema_version || ca.vv_len != cb.vv_len ||
	    memcmp(ca.vv, cb.vv, ca.vv_len) != 0)
		BAD(MSG_P_DIV_STATES);
	if (!memcmp(ca.digest, cb.digest, 32))
		BAD(MSG_P_DIV_AGREE);
	if ((rc = cp_verify(l, &ca, body_a, blen_a, sig_a, why)) != 0 ||
	    (rc = cp_verify(l, &cb, body_b, blen_b, sig_b, why)) != 0)
		return rc;
	if (order > 0) {
		const uint8_t *t = *a;
		size_t tl = *a_len;
		*a = *b;
		*a_len = *b_len;
		*b = t;
		*b_len = tl;
	}
	return 0;
}

int node_checkpoint_seen(struct node_ledger *l, const uint8_t pk[32],
			 const uint8_t *sk, const uint8_t *wire, size_t len,
			 enum node_msg *why)
{
	struct node_checkpoint theirs;
	int rc = node_checkpoint_check(l, wire, len, &theirs, why);
	if (rc)
		return rc;
	if (!memcmp(theirs.node, pk, 32))
		BAD(MSG_P_CP_OWN);
	struct crdt_buf mine;
	crdt_buf_init(&mine);
	rc = node_checkpoint_make(l, pk, sk, &mine);
	if (rc) {
		crdt_buf_fini(&mine);
		return rc == -E2BIG ? 0 : rc;
	}
	const uint8_t *a = wire, *b = mine.data;
	size_t a_len = len, b_len = mine.len;
	struct key k;
	enum node_msg ignored;
	/* Not comparable, or consistent: nothing to keep. */
	if (divergence_check(l, &a, &a_len, &b, &b_len, &k, &ignored) != 0) {
		crdt_buf_fini(&mine);
		return 0;
	}
	rc = keep(l, &k, a, a_len, b, b_len);
	crdt_buf_fini(&mine);
	return rc;
}

static int fork_check(struct node_ledger *l, const uint8_t *a, size_t a_len,
		      const uint8_t *b, size_t b_len, struct key *k,
		      enum node_msg *why)
{
	const struct node_roster *r = node_ledger_roster(l);
	struct crdt_entry ea, eb;
	if (!r)
		BAD(MSG_I_NOT_JOINED);
	enum crdt_reject rej = CRDT_REJECT_NONE;
	if (crdt_entry_decode(a, a_len, &ea, &rej) != 0)
		BAD(node_reject_msg(rej));
	if (crdt_entry_decode(b, b_len, &eb, &rej) != 0) {
		crdt_entry_fini(&ea);
		BAD(node_reject_msg(rej));
	}
	uint8_t net_id[32];
	node_ledger_net_id(l, net_id);
	enum node_msg bad = MSG_NONE;
	int rc = 0;
	if (memcmp(ea.author, eb.author, 32) != 0 ||
	    strcmp(ea.scope, eb.scope) != 0 || ea.seq != eb.seq) {
		bad = MSG_P_FORK_DIFFERENT;
		goto out;
	}
	key_init(k, 'P');
	key_feed(k, ea.author, ea.scope);
	key_u64(k, ea.seq);
	if (author_held(l, ea.author)) {
		rc = 1; /* nothing new: skip the signature checks */
		goto out;
	}
	if (!memcmp(ea.hash, eb.hash, 32))
		bad = MSG_P_FORK_SAME;
	/* Any version held: an author whose key was replaced or who was
	 * removed after forking stays proven (a member that joins later gets
	 * the proof from its peers). */
	else if (!node_ledger_member(l, ea.author))
		bad = MSG_P_FORK_OUTSIDER;
	else if (!crdt_entry_verify(ea.sig, net_id, ea.body, ea.body_len,
				    ea.author) ||
		 !crdt_entry_verify(eb.sig, net_id, eb.body, eb.body_len,
				    eb.author))
		bad = MSG_P_FORK_SIGNATURE;
out:
	crdt_entry_fini(&ea);
	crdt_entry_fini(&eb);
	if (bad)
		BAD(bad);
	return rc;
}

int node_proof_add(struct node_ledger *l, enum node_proof_kind kind,
		   const uint8_t *a, size_t a_len, const uint8_t *b,
		   size_t b_len, enum node_msg *why)
{
	struct key k;
	int rc = kind == NODE_PROOF_FORK
		     ? fork_check(l, a, a_len, b, b_len, &k, why)
		     : divergence_check(l, &a, &a_len, &b, &b_len, &k, why);
	if (rc)
		return rc < 0 ? rc : 0; /* 1: held already */
	return keep(l, &k, a, a_len, b, b_len);
}

static int each_under(struct node_ledger *l, const uint8_t *prefix,
		      size_t prefix_len, enum node_proof_kind kind,
		      node_proof_fn fn, void *arg, int *count)
{
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), prefix, prefix_len);
	int rc = 0;
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t len, n, a_len, b_len;
		const uint8_t *v = node_kv_iter_value(it, &len), *a, *b;
		struct crdt_mp_cursor c;
		crdt_mp_cursor_init(&c, v, len, true);
		if (crdt_mp_read_array(&c, &n) != 0 || n != 2 ||
		    crdt_mp_read_bin(&c, &a, &a_len) != 0 ||
		    crdt_mp_read_bin(&c, &b, &b_len) != 0)
			continue; /* not ours to judge here: audit's */
		(*count)++;
		if (fn && (rc = fn(arg, kind, a, a_len, b, b_len)) != 0)
			break;
	}
	node_kv_iter_free(it);
	return rc;
}

int node_proofs_each(struct node_ledger *l, node_proof_fn fn, void *arg)
{
	const uint8_t fork = 'P';
	int count = 0;
	if (each_under(l, &fork, 1, NODE_PROOF_FORK, fn, arg, &count) == 0)
		each_under(l, (const uint8_t *)META_DIVERGENCE,
			   META_DIVERGENCE_LEN, NODE_PROOF_DIVERGENCE, fn, arg,
			   &count);
	return count;
}

size_t node_proofs_count(struct node_ledger *l)
{
	return (size_t)node_proofs_each(l, NULL, NULL);
}
