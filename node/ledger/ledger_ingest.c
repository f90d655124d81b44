/*
 * ledger_ingest.c: ingest, local writes and reading the log. Owns the first
 * gate (node_txn_ingest: encoding, author, signature, the chain; rejected
 * entries are never stored), the feed heads ('H') and the log ('L'), fork
 * proofs ('P'), the entries this node signs (node_ledger_write), and the
 * log's read side (heads, ranges).
 *
 * Layer: node/ledger (may include node/store, net/, crdt/). The ledger's
 * state is in ledger_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger/ledger.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/reject.h"

/* ---- ingest ---- */

/* Whether author already has NODE_LEDGER_MAX_FEEDS_PER_AUTHOR feeds, in
 * the store or this transaction; stops counting at the cap. */
static bool author_at_cap(struct node_txn *t, const uint8_t author[32])
{
	struct key prefix;
	size_t n = 0;
	key_init(&prefix, 'H');
	key_bytes(&prefix, author, 32);
	struct node_kv_iter *it =
	    node_kv_iter_new(t->l->kv, prefix.b, prefix.len);
	for (; n < NODE_LEDGER_MAX_FEEDS_PER_AUTHOR && node_kv_iter_valid(it);
	     node_kv_iter_next(it))
		n++;
	node_kv_iter_free(it);
	for (size_t i = 0;
	     n < NODE_LEDGER_MAX_FEEDS_PER_AUTHOR && i < t->overlay.n; i++) {
		const struct node_txnmap_entry *e = &t->overlay.entries[i];
		uint8_t *v;
		size_t vl;
		if (e->deleted || e->key_len < prefix.len ||
		    memcmp(e->key, prefix.b, prefix.len) != 0)
			continue;
		/* Counted above when the store holds it too. */
		if (node_kv_get(t->l->kv, e->key, e->key_len, &v, &vl) == 0)
			free(v);
		else
			n++;
	}
	return n >= NODE_LEDGER_MAX_FEEDS_PER_AUTHOR;
}


int ledger_read_head(struct node_txn *t, const uint8_t author[32],
		     const char *scope, struct head *h)
{
	struct key k;
	uint8_t *v;
	size_t n, arr;
	key_init(&k, 'H');
	key_feed(&k, author, scope);
	int rc = node_txn_get(t, k.b, k.len, &v, &n);
	if (rc)
		return rc;
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, v, n, false);
	rc = crdt_mp_read_array(&c, &arr) || arr != 4 ||
	     crdt_mp_read_uint(&c, &h->seq) ||
	     crdt_mp_read_bin_fixed(&c, h->hash, 32) ||
	     crdt_mp_read_uint(&c, &h->hlc) ||
	     crdt_mp_read_uint(&c, &h->roster_version);
	free(v);
	return rc ? -EIO : 0;
}

static void write_head(struct node_txn *t, const struct crdt_entry *e)
{
	struct key k;
	struct crdt_buf b;
	key_init(&k, 'H');
	key_feed(&k, e->author, e->scope);
	crdt_buf_init(&b);
	crdt_pack_array(&b, 4);
	crdt_pack_uint(&b, e->seq);
	crdt_pack_bin(&b, e->hash, 32);
	crdt_pack_uint(&b, e->hlc);
	crdt_pack_uint(&b, e->roster_version);
	ledger_txn_put(t, &k, b.data, b.len);
	crdt_buf_fini(&b);
}

static void record_fork(struct node_txn *t, const struct crdt_entry *e,
			const uint8_t *held, size_t held_len,
			const uint8_t *wire, size_t len)
{
	struct key k;
	struct crdt_buf b;
	/* One proof per author is enough (node/ledger/proofs.c): keep the first. */
	key_init(&k, 'P');
	key_bytes(&k, e->author, 32);
	struct node_kv_iter *it = node_kv_iter_new(t->l->kv, k.b, k.len);
	bool have_one = node_kv_iter_valid(it);
	node_kv_iter_free(it);
	if (have_one)
		return;
	key_init(&k, 'P');
	key_feed(&k, e->author, e->scope);
	key_u64(&k, e->seq);
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_bin(&b, held, held_len);
	crdt_pack_bin(&b, wire, len);
	/* Proofs are kept even though the entry is rejected: write now. */
	struct node_kv_batch *batch = node_kv_batch_new();
	node_kv_batch_put(batch, k.b, k.len, b.data, b.len);
	node_kv_write(t->l->kv, batch, true);
	node_kv_batch_free(batch);
	crdt_buf_fini(&b);
}

static void log_key(struct key *k, const uint8_t author[32], const char *scope,
		    uint64_t seq)
{
	key_init(k, 'L');
	key_feed(k, author, scope);
	key_u64(k, seq);
}

/* MSG_I_FEED_CAP's texts name the cap. */
_Static_assert(NODE_LEDGER_MAX_FEEDS_PER_AUTHOR == 1024u,
	       "MSG_I_FEED_CAP names 1024: change its texts with the cap");

int node_txn_ingest(struct node_txn *t, const uint8_t *wire, size_t len,
		    bool sig_checked, enum node_ingest *res, enum node_msg *why)
{
	struct node_ledger *l = t->l;
	struct crdt_entry e;
	enum node_msg reason = MSG_NONE;
	enum crdt_reject bad = CRDT_REJECT_NONE;
	int rc;
	if (!l->roster) {
		*why = MSG_I_NOT_JOINED;
		return -EPERM;
	}
	if (l->rejudge_pending) {
		*why = MSG_I_REJUDGE_PENDING;
		return -EIO;
	}
	rc = crdt_entry_decode(wire, len, &e, &bad);
	if (rc) {
		*why = node_reject_msg(bad);
		return -EBADMSG;
	}
	struct head h;
	rc = -EBADMSG;
	if (e.roster_version == 0) {
		reason = MSG_I_ROSTER_ZERO;
		goto out;
	}
	/* Judged under the roster version the entry names (DESIGN.md
	 * section 4): it waits until that version arrives, and until this
	 * build knows the schema version in force there. */
	if (e.roster_version > l->n_rosters) {
		reason = MSG_I_ROSTER_UNKNOWN;
		rc = -EAGAIN;
		goto out;
	}
	const struct node_roster *named = l->rosters[e.roster_version - 1];
	if (named->schema_version > NODE_SCHEMA_VERSION) {
		reason = MSG_I_SCHEMA_UNKNOWN;
		rc = -EAGAIN;
		goto out;
	}
	const struct node_member *m = node_roster_find(named, e.author);
	if (!m) {
		reason = MSG_I_UNKNOWN_AUTHOR;
		goto out;
	}
	if (!sig_checked && !crdt_entry_verify(e.sig, l->rosters[0]->body_hash,
					       e.body, e.body_len, e.author)) {
		reason = MSG_I_BAD_SIGNATURE;
		goto out;
	}
	int hrc = ledger_read_head(t, e.author, e.scope, &h);
	if (hrc && hrc != -ENOENT) {
		reason = MSG_I_HEAD_UNREADABLE;
		rc = -EIO;
		goto out;
	}
	bool has_head = hrc == 0;
	if (!has_head && author_at_cap(t, e.author)) {
		reason = MSG_I_FEED_CAP;
		rc = -EDQUOT;
		goto out;
	}
	if (has_head && e.seq <= h.seq) {
		struct key k;
		uint8_t *held;
		size_t held_len;
		log_key(&k, e.author, e.scope, e.seq);
		if (node_txn_get(t, k.b, k.len, &held, &held_len) == 0) {
			uint8_t hh[32];
			struct crdt_entry he;
			bool same = held_len == len && !memcmp(held, wire, len);
			if (!same && crdt_entry_decode(held, held_len, &he,
						       NULL) == 0) {
				memcpy(hh, he.hash, 32);
				crdt_entry_fini(&he);
				same = !memcmp(hh, e.hash, 32);
			}
			if (same) {
				free(held);
				*res = NODE_INGEST_DUPLICATE;
				crdt_entry_fini(&e);
				return 0;
			}
			record_fork(t, &e, held, held_len, wire, len);
			free(held);
			reason = MSG_I_FORK;
			rc = -EEXIST;
			goto out;
		}
		reason = MSG_I_BELOW_HEAD_MISSING;
		rc = -EIO;
		goto out;
	}
	uint64_t expect = has_head ? h.seq + 1 : 1;
	if (e.seq != expect) {
		reason = MSG_I_SEQ_GAP;
		rc = -EAGAIN;
		goto out;
	}
	static const uint8_t zero[32];
	if (memcmp(e.prev, has_head ? h.hash : zero, 32) != 0) {
		reason = MSG_I_PREV_MISMATCH;
		/* Signed by its author after another entry than ours at the
		 * seq before: the author forked the feed. */
		if (has_head) {
			reason = MSG_I_PREV_FORK;
			rc = -EILSEQ;
		}
		goto out;
	}
	if (has_head && e.hlc <= h.hlc) {
		reason = MSG_I_HLC_NOT_INCREASING;
		goto out;
	}
	if (has_head && e.roster_version < h.roster_version) {
		reason = MSG_I_ROSTER_DECREASING;
		goto out;
	}
	/* Accepted: log, head, then each op. */
	struct key k;
	if (!t->replaying) {
		log_key(&k, e.author, e.scope, e.seq);
		ledger_txn_put(t, &k, wire, len);
	}
	write_head(t, &e);
	t->entries++;
	struct crdt_hlc clock = {t->hlc_last};
	if (!t->replaying &&
	    crdt_hlc_observe(&clock, e.hlc, l->clock(l->clock_ctx))) {
		/* Accepted (the clock went only to wall + 60 s); counted so
		 * that a peer's runaway clock shows in status and metrics. */
		t->skew.count++;
		memcpy(t->skew.author, e.author, 32);
		snprintf(t->skew.scope, sizeof(t->skew.scope), "%s", e.scope);
		t->skew.seq = e.seq;
		t->skew.hlc = e.hlc;
	}
	t->hlc_last = clock.last;
	struct node_reason fault;
	const struct node_reason *entry_fault = NULL;
	if (!crdt_scope_covers(m->scope, e.scope)) {
		/* a local write is refused, in this node's words */
		if (t->strict)
			NODE_REASON(&fault, MSG_W_OUTSIDE_JURISDICTION,
				    e.scope, m->scope);
		else
			NODE_REASON(&fault, MSG_F_OUTSIDE_JURISDICTION,
				    e.scope, m->scope);
		entry_fault = &fault;
	} else if (e.seq > node_ledger_bound(l, e.author, e.scope)) {
		/* The bound of the newest roster, whatever version the entry
		 * names: a stolen key cannot dodge it. */
		NODE_REASON0(&fault, MSG_F_PAST_REVOCATION);
		entry_fault = &fault;
	}
	for (size_t i = 0; i < e.n_ops; i++) {
		struct op_ctx x = {
			.author = e.author,
			.scope = e.scope,
			.seq = e.seq,
			.index = (uint32_t)i,
			.hlc = e.hlc,
			.member = m,
			.entry_fault = entry_fault,
			.roster_version = e.roster_version,
			.sv = named->schema_version,
		};
		t->applying = &e;
		t->applying_index = (uint32_t)i;
		if (e.ops[i].code == CRDT_OP_CREATE)
			ledger_apply_create(t, &e.ops[i], &x);
		else
			ledger_apply_field_op(t, &e.ops[i], &x);
	}
	t->applying = NULL;
	/* The ops that waited for this entry's creates, now that the whole
	 * entry is in: a verdict must not depend on which op of the create
	 * entry they happened to follow. */
	for (size_t i = 0; i < t->n_created; i++)
		ledger_process_waiting(t, t->created[i]);
	t->n_created = 0;
	*res = NODE_INGEST_APPLIED;
	rc = 0;
out:
	crdt_entry_fini(&e);
	if (rc)
		*why = reason;
	return rc;
}

/* ---- local writes ---- */

void node_ledger_next_seq(struct node_ledger *l, const uint8_t pk[32],
			  const char *scope, uint64_t *seq)
{
	struct node_txn *t = node_ledger_begin(l);
	struct head h;
	*seq = ledger_read_head(t, pk, scope, &h) == 0 ? h.seq + 1 : 1;
	node_txn_abort(t);
}

int node_ledger_write(struct node_ledger *l, const uint8_t *sk,
		      const uint8_t pk[32], const struct node_write *w,
		      uint64_t now_ms, uint64_t *seq_out,
		      struct node_reason *why)
{
	if (!l->roster) {
		NODE_REASON0(why, MSG_W_NOT_JOINED);
		return -EPERM;
	}
	if (!node_roster_find(l->roster, pk)) {
		NODE_REASON(why, MSG_W_NOT_MEMBER_NOW,
			    (unsigned long long)l->roster->version);
		return -EPERM;
	}
	if (l->roster->schema_version > NODE_SCHEMA_VERSION) {
		NODE_REASON(why, MSG_W_SCHEMA_UNKNOWN,
			    (unsigned long long)l->roster->schema_version);
		return -EPERM;
	}
	if (!crdt_scope_valid(w->scope, strlen(w->scope))) {
		NODE_REASON(why, MSG_W_NOT_REGION, w->scope);
		return -EINVAL;
	}
	if (w->n_ops == 0 || w->n_ops > CRDT_MAX_OPS) {
		NODE_REASON(why, MSG_W_OPS_COUNT, (unsigned)CRDT_MAX_OPS);
		return -EINVAL;
	}
	struct node_txn *t = node_ledger_begin(l);
	if (l->rejudge_pending) {
		node_txn_abort(t);
		NODE_REASON0(why, MSG_W_REJUDGING);
		return -EIO;
	}
	t->strict = true;
	struct head h;
	bool has_head = ledger_read_head(t, pk, w->scope, &h) == 0;
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", w->scope);
	e.seq = has_head ? h.seq + 1 : 1;
	if (has_head)
		memcpy(e.prev, h.hash, 32);
	if (crdt_hlc_next(&l->hlc, now_ms, &e.hlc) != 0) {
		node_txn_abort(t);
		NODE_REASON0(why, MSG_W_CLOCK_BEHIND);
		return -EAGAIN;
	}
	if (has_head && e.hlc <= h.hlc) {
		l->hlc.last = h.hlc;
		crdt_hlc_next(&l->hlc, now_ms, &e.hlc);
	}
	t->hlc_last = l->hlc.last;
	e.roster_version = l->roster->version;
	e.n_ops = w->n_ops;
	e.ops = w->ops;
	for (size_t i = 0; i < w->n_ops; i++)
		if (w->ops[i].code == CRDT_OP_CREATE)
			crdt_entity_id(w->ops[i].entity, pk, e.scope, e.seq,
				       (uint32_t)i);
	struct crdt_buf body, wire;
	crdt_buf_init(&body);
	crdt_buf_init(&wire);
	crdt_entry_encode_body(&body, &e);
	if (body.len > CRDT_MAX_BODY_BYTES) {
		crdt_buf_fini(&body);
		node_txn_abort(t);
		NODE_REASON0(why, MSG_W_TOO_LARGE);
		return -EINVAL;
	}
	uint8_t sig[64];
	crdt_entry_sign(sig, l->rosters[0]->body_hash, body.data, body.len, sk);
	crdt_entry_encode_wire(&wire, body.data, body.len, sig);
	crdt_buf_fini(&body);
	enum node_ingest res;
	enum node_msg reason = MSG_NONE;
	/* Signed just above with our own key: no need to verify. */
	int rc = node_txn_ingest(t, wire.data, wire.len, true, &res, &reason);
	crdt_buf_fini(&wire);
	if (rc == 0 && t->strict_failed) {
		*why = t->strict_why;
		node_txn_abort(t);
		return -EPERM;
	}
	if (rc) {
		NODE_REASON(why, MSG_W_REJECTED,
			    NODE_REASON_ID(reason ? reason : MSG_ENTRY_MALFORMED));
		node_txn_abort(t);
		return rc;
	}
	rc = node_txn_commit(t, true);
	if (rc) {
		NODE_REASON0(why, MSG_W_STORE_FAILED);
		return rc;
	}
	*seq_out = e.seq;
	return 0;
}

/* ---- reading the log ---- */

static int decode_head_value(const uint8_t *v, size_t n,
			     struct node_feed_head *h)
{
	struct crdt_mp_cursor c;
	size_t arr;
	uint64_t rv;
	crdt_mp_cursor_init(&c, v, n, false);
	if (crdt_mp_read_array(&c, &arr) || arr != 4 ||
	    crdt_mp_read_uint(&c, &h->seq) ||
	    crdt_mp_read_bin_fixed(&c, h->head, 32) ||
	    crdt_mp_read_uint(&c, &h->hlc) || crdt_mp_read_uint(&c, &rv))
		return -EIO;
	return 0;
}

int node_ledger_heads(struct node_ledger *l, struct node_feed_head **out,
		      size_t *n)
{
	size_t cap = 16, k = 0;
	struct node_feed_head *f = malloc(cap * sizeof(*f));
	if (!f)
		return -ENOMEM;
	const uint8_t prefix = 'H';
	struct node_kv_iter *it = node_kv_iter_new(l->kv, &prefix, 1);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		const uint8_t *val = node_kv_iter_value(it, &vl);
		if (kl < 34 || key[33] > 12 || kl != 34u + key[33])
			continue;
		if (k == cap) {
			cap *= 2;
			struct node_feed_head *g = realloc(f, cap * sizeof(*f));
			if (!g) {
				free(f);
				node_kv_iter_free(it);
				return -ENOMEM;
			}
			f = g;
		}
		memset(&f[k], 0, sizeof(f[k]));
		memcpy(f[k].author, key + 1, 32);
		memcpy(f[k].scope, key + 34, key[33]);
		if (decode_head_value(val, vl, &f[k]) == 0)
			k++;
	}
	node_kv_iter_free(it);
	*out = f;
	*n = k;
	return 0;
}

uint64_t node_ledger_feed_seq(struct node_ledger *l, const uint8_t author[32],
			      const char *scope)
{
	struct key k;
	uint8_t *v;
	size_t n;
	struct node_feed_head h;
	key_init(&k, 'H');
	key_feed(&k, author, scope);
	if (node_kv_get(l->kv, k.b, k.len, &v, &n) != 0)
		return 0;
	int rc = decode_head_value(v, n, &h);
	free(v);
	return rc ? 0 : h.seq;
}

int node_ledger_read_range(struct node_ledger *l, const uint8_t author[32],
			   const char *scope, uint64_t from,
			   size_t max_entries, size_t max_bytes,
			   struct crdt_buf *out)
{
	if (from == 0 || strlen(scope) > 12)
		return -EINVAL;
	struct key k;
	key_init(&k, 'L');
	key_feed(&k, author, scope);
	key_u64(&k, from);
	struct key prefix;
	key_init(&prefix, 'L');
	key_feed(&prefix, author, scope);
	/* One iterator from `from` on: the log is contiguous per feed. */
	struct node_kv_iter *it = node_kv_iter_new(l->kv, prefix.b, prefix.len);
	node_kv_iter_seek(it, k.b, k.len);
	size_t count = 0, bytes = 0;
	uint64_t want = from;
	for (; node_kv_iter_valid(it) && count < max_entries;
	     node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		if (kl != prefix.len + 8)
			continue;
		uint64_t seq = get_u64(key + prefix.len);
		if (seq < want)
			continue;
		if (seq != want)
			break;
		const uint8_t *v = node_kv_iter_value(it, &vl);
		if (count > 0 && bytes + vl > max_bytes)
			break;
		crdt_buf_append(out, v, vl);
		bytes += vl;
		count++;
		want++;
	}
	node_kv_iter_free(it);
	return (int)count;
}
