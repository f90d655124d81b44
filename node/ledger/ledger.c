/*
 * ledger.c: verifying and applying signed entries (DESIGN.md section 4).
 *
 * An entry passes two gates. The first rejects outright anything decidable
 * from its bytes and the roster's membership: encoding, unknown author,
 * signature, the chain (seq, prev, hlc, roster version). Rejected entries
 * are never stored. The second judges each op against the schema, the
 * author's role and jurisdiction and the record's create: an op that fails
 * is stored without effect and recorded as a finding, because every node
 * holding the same entries reaches the same verdict from immutable inputs.
 * An op whose record's create has not arrived waits ('W' keys) and is
 * judged when the create arrives, so feeds apply in any interleaving.
 *
 * This file holds the ledger object (open, close, accessors, setting the
 * roster), transactions and their overlay, records, and roster versions
 * with the re-judgement they cause. The first gate is ledger_ingest.c's,
 * the second ledger_apply.c's, its sealed fields and key records
 * ledger_sealed.c's; the state they share is in ledger_int.h. Layer:
 * node/ledger (may include node/store, net/, crdt/).
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/ledger/ledger.h"
#include "node/ledger/ledger_int.h"
#include "node/store/txnmap.h"

static int rejudge(struct node_ledger *l);
static int replace_newest(struct node_ledger *l, struct node_roster *r,
			  struct node_reason *why);
static void admin_forks(const struct node_roster *a,
			const struct node_roster *b, struct node_kv_batch *batch);
static int store_rosters(struct node_ledger *l, struct node_roster **v,
			 size_t n, bool rejudge_needed,
			 struct node_reason *why);

static uint64_t wall_ms(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* ---- overlay ---- */

int node_txn_get(struct node_txn *t, const uint8_t *key, size_t key_len,
		 uint8_t **val, size_t *val_len)
{
	const struct node_txnmap_entry *e =
		node_txnmap_find(&t->overlay, key, key_len);
	if (!e)
		return node_kv_get(t->l->kv, key, key_len, val, val_len);
	if (e->deleted)
		return -ENOENT;
	uint8_t *v = crdt_xmalloc(e->val_len ? e->val_len : 1);
	if (e->val_len)
		memcpy(v, e->val, e->val_len);
	*val = v;
	*val_len = e->val_len;
	return 0;
}

void ledger_txn_put(struct node_txn *t, const struct key *k, const uint8_t *v,
		    size_t n)
{
	static const uint8_t empty[1];
	node_txnmap_put(&t->overlay, k->b, k->len, v ? v : empty, n);
}

void ledger_txn_del(struct node_txn *t, const struct key *k)
{
	node_txnmap_put(&t->overlay, k->b, k->len, NULL, 0);
}

/* Whether the record was created in this transaction: then none of its
 * state keys can be in the store yet (ops on a record wait for its create,
 * and an entry's ops on a record are all applied in one transaction), and
 * reads of them need not ask RocksDB, whose misses are costly. */
static bool created_here(struct node_txn *t, const uint8_t entity[16])
{
	uint8_t k[17];
	k[0] = 'E';
	memcpy(k + 1, entity, 16);
	return node_txnmap_find(&t->overlay, k, sizeof(k)) != NULL;
}

/* node_txn_get, skipping the store for a record created here. */
int ledger_txn_get_state(struct node_txn *t, const uint8_t entity[16],
			 const uint8_t *key, size_t key_len, uint8_t **val,
			 size_t *val_len)
{
	if (!node_txnmap_find(&t->overlay, key, key_len) &&
	    created_here(t, entity))
		return -ENOENT;
	return node_txn_get(t, key, key_len, val, val_len);
}

static int item_cmp(const void *a, const void *b)
{
	const struct scan_item *x = a, *y = b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int r = memcmp(x->key, y->key, n);
	if (r)
		return r;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static void scan_push(struct scan_item **items, size_t *n, size_t *cap,
		      const uint8_t *k, size_t kl, const uint8_t *v, size_t vl)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*items = crdt_xrealloc(*items, *cap * sizeof(**items));
	}
	struct scan_item *it = &(*items)[(*n)++];
	it->key = crdt_xmalloc(kl);
	it->val = crdt_xmalloc(vl ? vl : 1);
	memcpy(it->key, k, kl);
	if (vl)
		memcpy(it->val, v, vl);
	it->key_len = kl;
	it->val_len = vl;
}

/* Keys with a prefix as the transaction sees them, in order (owned). The
 * store and the overlay are walked only when they may hold such keys
 * (with_store, with_overlay). */
size_t ledger_txn_scan(struct node_txn *t, const struct key *prefix,
		       bool with_store, bool with_overlay,
		       struct scan_item **out)
{
	size_t n = 0, cap = 0;
	struct scan_item *items = NULL;
	struct node_kv_iter *it =
	    with_store ? node_kv_iter_new(t->l->kv, prefix->b, prefix->len)
		       : NULL;
	for (; it && node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		if (!node_txnmap_find(&t->overlay, k, kl))
			scan_push(&items, &n, &cap, k, kl, v, vl);
	}
	if (it)
		node_kv_iter_free(it);
	for (size_t i = 0; with_overlay && i < t->overlay.n; i++) {
		const struct node_txnmap_entry *e = &t->overlay.entries[i];
		if (e->deleted || e->key_len < prefix->len ||
		    memcmp(e->key, prefix->b, prefix->len) != 0)
			continue;
		scan_push(&items, &n, &cap, e->key, e->key_len, e->val,
			  e->val_len);
	}
	if (n > 1)
		qsort(items, n, sizeof(*items), item_cmp);
	*out = items;
	return n;
}

void ledger_scan_free(struct scan_item *items, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(items[i].key);
		free(items[i].val);
	}
	free(items);
}

/* ---- open / roster ---- */

/* Roster version v's meta key: META_ROSTER for genesis (as stores made
 * before rosters changed hold it), META_ROSTER_V || v (8 bytes BE) after. */
static void roster_key(struct key *k, uint64_t v)
{
	k->len = 0;
	if (v == 1) {
		key_bytes(k, META_ROSTER, strlen(META_ROSTER));
		return;
	}
	key_bytes(k, META_ROSTER_V, strlen(META_ROSTER_V));
	key_u64(k, v);
}

static void push_roster(struct node_ledger *l, struct node_roster *r)
{
	struct node_roster **v =
	    crdt_xrealloc(l->rosters, (l->n_rosters + 1) * sizeof(*v));
	l->rosters = v;
	l->rosters[l->n_rosters++] = r;
	l->roster = r;
}

static int load_roster(struct node_ledger *l)
{
	for (uint64_t ver = 1;; ver++) {
		uint8_t *v;
		size_t n;
		enum node_msg why;
		struct key k;
		struct node_roster *r;
		roster_key(&k, ver);
		int rc = node_kv_get(l->kv, k.b, k.len, &v, &n);
		if (rc == -ENOENT)
			return 0;
		if (rc)
			return rc;
		rc = node_roster_decode(v, n, &r, &why);
		free(v);
		if (rc)
			return rc;
		if (r->version != ver) {
			node_roster_free(r);
			return -EIO;
		}
		push_roster(l, r);
	}
}

/* META_SKEW's value into out; a value that does not decode (only a
 * damaged store holds one) leaves out zero: the count is a statistic. */
static void decode_skew(const uint8_t *v, size_t n, struct node_clock_skew *out)
{
	struct crdt_mp_cursor c;
	struct node_clock_skew k = {0};
	const char *scope;
	size_t arr, slen;
	crdt_mp_cursor_init(&c, v, n, false);
	if (crdt_mp_read_array(&c, &arr) || arr != 5 ||
	    crdt_mp_read_uint(&c, &k.count) ||
	    crdt_mp_read_bin_fixed(&c, k.author, 32) ||
	    crdt_mp_read_str(&c, &scope, &slen) || slen >= sizeof(k.scope) ||
	    crdt_mp_read_uint(&c, &k.seq) || crdt_mp_read_uint(&c, &k.hlc))
		return;
	memcpy(k.scope, scope, slen);
	k.scope[slen] = 0;
	*out = k;
}

void node_ledger_clock_skew(const struct node_ledger *l,
			    struct node_clock_skew *out)
{
	*out = l->skew;
}

int node_ledger_open(struct node_kv *kv, struct node_ledger **out)
{
	struct node_ledger *l = calloc(1, sizeof(*l));
	uint8_t *v;
	size_t n;
	if (!l)
		return -ENOMEM;
	l->kv = kv;
	l->clock = wall_ms;
	/* Each ledger opened in this process starts its versions far from
	 * every other's, so a reopened store never repeats one. */
	static uint64_t opened;
	l->version = __atomic_add_fetch(&opened, 1, __ATOMIC_RELAXED) << 32;
	crdt_lthash_init(&l->digest);
	int rc = load_roster(l);
	if (rc) {
		node_ledger_close(l);
		return rc;
	}
	if (node_kv_get(kv, (const uint8_t *)META_DIGEST, strlen(META_DIGEST),
			&v, &n) == 0) {
		if (n == 2048)
			crdt_lthash_decode(&l->digest, v);
		free(v);
	}
	if (node_kv_get(kv, (const uint8_t *)META_HLC, strlen(META_HLC), &v,
			&n) == 0) {
		if (n == 8)
			l->hlc.last = get_u64(v);
		free(v);
	}
	if (node_kv_get(kv, (const uint8_t *)META_COUNT, strlen(META_COUNT),
			&v, &n) == 0) {
		if (n == 8)
			l->entries = get_u64(v);
		free(v);
	}
	if (node_kv_get(kv, (const uint8_t *)META_SKEW, strlen(META_SKEW), &v,
			&n) == 0) {
		decode_skew(v, n, &l->skew);
		free(v);
	}
	/* A re-judgement a crash interrupted is done again. */
	if (node_kv_get(kv, (const uint8_t *)META_REJUDGE,
			strlen(META_REJUDGE), &v, &n) == 0) {
		free(v);
		rc = rejudge(l);
		if (rc) {
			node_ledger_close(l);
			return rc;
		}
	}
	*out = l;
	return 0;
}

void node_ledger_close(struct node_ledger *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n_rosters; i++)
		node_roster_free(l->rosters[i]);
	free(l->rosters);
	for (size_t i = 0; i < l->n_replaced; i++)
		node_roster_free(l->replaced[i]);
	free(l->replaced);
	free(l);
}

struct node_kv *node_ledger_kv(struct node_ledger *l)
{
	return l->kv;
}

void node_ledger_set_clock(struct node_ledger *l, node_clock_fn fn, void *ctx)
{
	l->clock = fn ? fn : wall_ms;
	l->clock_ctx = ctx;
}

const struct node_roster *node_ledger_roster(const struct node_ledger *l)
{
	return l->roster;
}

void node_ledger_net_id(const struct node_ledger *l, uint8_t out[32])
{
	if (l->n_rosters)
		memcpy(out, l->rosters[0]->body_hash, 32);
	else
		memset(out, 0, 32);
}

void node_ledger_digest(const struct node_ledger *l, uint8_t out[32])
{
	crdt_lthash_digest(&l->digest, out);
}

uint64_t node_ledger_entry_count(const struct node_ledger *l)
{
	return l->entries;
}

uint64_t node_ledger_version(const struct node_ledger *l)
{
	return l->version;
}

const struct node_roster *node_ledger_roster_at(const struct node_ledger *l,
					      uint64_t version)
{
	if (version == 0 || version > l->n_rosters)
		return NULL;
	return l->rosters[version - 1];
}

void node_ledger_rosters(const struct node_ledger *l,
			 const struct node_roster *const **v, size_t *n)
{
	*v = (const struct node_roster *const *)l->rosters;
	*n = l->n_rosters;
}

void node_ledger_roster_chain(const struct node_ledger *l, uint64_t upto,
			      struct crdt_buf *out)
{
	size_t n = l->n_rosters;
	if (upto && upto < n)
		n = (size_t)upto;
	node_roster_chain_encode(out, l->rosters, n);
}

struct node_proposal_cache *node_ledger_proposal_cache(struct node_ledger *l)
{
	return &l->pcache;
}

const struct node_member *node_ledger_member(const struct node_ledger *l,
					     const uint8_t key[32])
{
	for (size_t i = l->n_rosters; i-- > 0;) {
		const struct node_member *m = node_roster_find(l->rosters[i], key);
		if (m)
			return m;
	}
	return NULL;
}

uint64_t node_ledger_bound(const struct node_ledger *l,
			   const uint8_t author[32], const char *scope)
{
	return node_roster_chain_bound(l->rosters, l->n_rosters, author, scope);
}

/* Whether rosters v[0..n) bound some feed held differently from the
 * ledger's chain: then entries already applied must be judged again. */
static bool bounds_differ(struct node_ledger *l, struct node_roster *const *v,
			  size_t n)
{
	struct node_feed_head *h;
	size_t nh;
	bool differ = false;
	if (node_ledger_heads(l, &h, &nh) != 0)
		return true;
	for (size_t i = 0; i < nh && !differ; i++) {
		uint64_t a = node_ledger_bound(l, h[i].author, h[i].scope);
		uint64_t b = node_roster_chain_bound(v, n, h[i].author,
						     h[i].scope);
		differ = (a < h[i].seq ? a : h[i].seq) !=
			 (b < h[i].seq ? b : h[i].seq);
	}
	free(h);
	return differ;
}

int node_ledger_set_roster(struct node_ledger *l, const uint8_t *wire,
			   size_t len, struct node_reason *why)
{
	struct node_roster_chain c = {0};
	struct node_roster *one = NULL;
	enum node_msg reason;
	int rc;
	node_reason_of(why, MSG_NONE);
	/* One roster of a version after genesis: the successor of the newest
	 * held (or one held already). Else a chain from genesis. */
	if (node_roster_decode(wire, len, &one, &reason) == 0 &&
	    one->version > 1) {
		if (l->n_rosters == 0) {
			node_roster_free(one);
			NODE_REASON(why, MSG_R_ALONE,
				    (unsigned long long)one->version);
			return -EBADMSG;
		}
		if (one->version <= l->n_rosters) {
			const struct node_roster *held =
			    l->rosters[one->version - 1];
			int cmp = memcmp(one->body_hash, held->body_hash, 32);
			/* Another body of the newest version reaching the
			 * threshold (an admin signed both): the lowest id
			 * stands (DESIGN.md section 3). */
			if (cmp != 0 && one->version == l->n_rosters &&
			    node_roster_verify_successor(
				l->rosters[one->version - 2], one,
				&reason) == 0) {
				if (cmp > 0) {
					/* Ours stands; the pair proves who
					 * signed both. */
					struct node_kv_batch *kb =
					    node_kv_batch_new();
					admin_forks(held, one, kb);
					node_kv_write(l->kv, kb, true);
					node_kv_batch_free(kb);
					node_roster_free(one);
					return 0;
				}
				return replace_newest(l, one, why);
			}
			NODE_REASON(why, MSG_R_OTHER_HELD,
				    (unsigned long long)one->version);
			node_roster_free(one);
			return cmp == 0 ? 0 : -EBADMSG;
		}
		if (node_roster_verify_successor(l->roster, one, &reason) != 0) {
			NODE_REASON(why, MSG_R_NOT_SUCCESSOR,
				    (unsigned long long)one->version,
				    (unsigned long long)l->roster->version,
				    NODE_REASON_ID(reason));
			node_roster_free(one);
			return -EBADMSG;
		}
		struct node_roster **all =
		    crdt_xmalloc((l->n_rosters + 1) * sizeof(*all));
		memcpy(all, l->rosters, l->n_rosters * sizeof(*all));
		all[l->n_rosters] = one;
		bool rejudge_needed = bounds_differ(l, all, l->n_rosters + 1);
		free(all);
		return store_rosters(l, &one, 1, rejudge_needed, why);
	}
	node_roster_free(one);
	rc = node_roster_chain_decode(wire, len, &c, why);
	if (rc)
		return rc;
	if (l->n_rosters &&
	    memcmp(l->rosters[0]->body_hash, c.v[0]->body_hash, 32) != 0) {
		node_roster_chain_fini(&c);
		NODE_REASON0(why, MSG_R_OTHER_NETWORK);
		return -EEXIST;
	}
	for (size_t i = 0; i < c.n && i < l->n_rosters; i++) {
		if (memcmp(l->rosters[i]->body_hash, c.v[i]->body_hash, 32)) {
			NODE_REASON(why, MSG_R_CHAIN_DIFFERS, i + 1);
			node_roster_chain_fini(&c);
			return -EBADMSG;
		}
	}
	if (c.n <= l->n_rosters) {
		node_roster_chain_fini(&c);
		return 0;
	}
	size_t from = l->n_rosters;
	bool rejudge_needed = from > 0 && bounds_differ(l, c.v, c.n);
	rc = store_rosters(l, c.v + from, c.n - from, rejudge_needed, why);
	for (size_t i = 0; i < from; i++)
		node_roster_free(c.v[i]);
	free(c.v); /* the rest now belong to the ledger, or were freed */
	return rc;
}

/* ---- transactions ---- */

bool node_ledger_rejudging(const struct node_ledger *l)
{
	return l->rejudge_pending;
}

struct node_txn *node_ledger_begin(struct node_ledger *l)
{
	if (l->rejudge_pending) {
		/* Cleared first: rejudge begins transactions of its own. */
		l->rejudge_pending = false;
		if (rejudge(l) != 0)
			l->rejudge_pending = true;
	}
	struct node_txn *t = crdt_xcalloc(1, sizeof(*t));
	t->l = l;
	node_txnmap_init(&t->overlay);
	t->digest = l->digest;
	t->entries = l->entries;
	t->hlc_last = l->hlc.last;
	t->skew = l->skew;
	return t;
}

void node_txn_abort(struct node_txn *t)
{
	if (!t)
		return;
	node_txnmap_fini(&t->overlay);
	free(t->created);
	free(t->served);
	free(t);
}

int node_txn_commit(struct node_txn *t, bool sync)
{
	struct node_kv_batch *b = node_kv_batch_new();
	for (size_t i = 0; i < t->overlay.n; i++) {
		const struct node_txnmap_entry *e = &t->overlay.entries[i];
		if (e->deleted)
			node_kv_batch_del(b, e->key, e->key_len);
		else
			node_kv_batch_put(b, e->key, e->key_len, e->val,
					  e->val_len);
	}
	uint8_t lanes[2048], u[8];
	crdt_lthash_encode(&t->digest, lanes);
	node_kv_batch_put(b, (const uint8_t *)META_DIGEST, strlen(META_DIGEST),
			  lanes, sizeof(lanes));
	for (int i = 0; i < 8; i++)
		u[i] = (uint8_t)(t->entries >> (56 - 8 * i));
	node_kv_batch_put(b, (const uint8_t *)META_COUNT, strlen(META_COUNT),
			  u, 8);
	uint64_t hlc = t->hlc_last > t->l->hlc.last ? t->hlc_last : t->l->hlc.last;
	for (int i = 0; i < 8; i++)
		u[i] = (uint8_t)(hlc >> (56 - 8 * i));
	node_kv_batch_put(b, (const uint8_t *)META_HLC, strlen(META_HLC), u, 8);
	struct crdt_buf sk;
	crdt_buf_init(&sk);
	if (t->skew.count != t->l->skew.count) {
		crdt_pack_array(&sk, 5);
		crdt_pack_uint(&sk, t->skew.count);
		crdt_pack_bin(&sk, t->skew.author, 32);
		crdt_pack_cstr(&sk, t->skew.scope);
		crdt_pack_uint(&sk, t->skew.seq);
		crdt_pack_uint(&sk, t->skew.hlc);
		node_kv_batch_put(b, (const uint8_t *)META_SKEW,
				  strlen(META_SKEW), sk.data, sk.len);
	}
	crdt_buf_fini(&sk);
	/* Before the write: a failed write may still have reached the store. */
	if (t->waiting_written)
		t->l->waiting = WAITING_MAYBE;
	int rc = node_kv_write(t->l->kv, b, sync);
	node_kv_batch_free(b);
	if (rc == 0) {
		if (t->entries != t->l->entries)
			t->l->version++;
		t->l->digest = t->digest;
		t->l->entries = t->entries;
		t->l->hlc.last = hlc;
		t->l->skew = t->skew;
	}
	node_txn_abort(t);
	return rc;
}

/* ---- records ---- */

void ledger_encode_entity(struct crdt_buf *b, const struct node_entity *e)
{
	crdt_pack_array(b, 8);
	crdt_pack_bool(b, e->valid);
	crdt_pack_cstr(b, e->type);
	crdt_pack_cstr(b, e->scope);
	crdt_pack_bin(b, e->created.author, 32);
	crdt_pack_uint(b, e->created.seq);
	crdt_pack_uint(b, e->created.index);
	crdt_pack_uint(b, e->hlc);
	if (e->valid)
		crdt_pack_nil(b);
	else
		crdt_pack_bin(b, e->reason, e->reason_len);
}

static int decode_entity(const uint8_t *v, size_t n, struct node_entity *e)
{
	struct crdt_mp_cursor c;
	size_t k, len;
	const char *s;
	uint64_t idx;
	memset(e, 0, sizeof(*e));
	crdt_mp_cursor_init(&c, v, n, false);
	if (crdt_mp_read_array(&c, &k) != 0 || k != 8 ||
	    crdt_mp_read_bool(&c, &e->valid) != 0 ||
	    crdt_mp_read_str(&c, &s, &len) != 0 || len >= sizeof(e->type))
		return -EBADMSG;
	memcpy(e->type, s, len);
	if (crdt_mp_read_str(&c, &s, &len) != 0 || len >= sizeof(e->scope))
		return -EBADMSG;
	memcpy(e->scope, s, len);
	if (crdt_mp_read_bin_fixed(&c, e->created.author, 32) != 0 ||
	    crdt_mp_read_uint(&c, &e->created.seq) != 0 ||
	    crdt_mp_read_uint(&c, &idx) != 0 ||
	    crdt_mp_read_uint(&c, &e->hlc) != 0)
		return -EBADMSG;
	e->created.index = (uint32_t)idx;
	const uint8_t *rb;
	if (crdt_mp_read_bin(&c, &rb, &len) == 0 && len <= sizeof(e->reason)) {
		memcpy(e->reason, rb, len);
		e->reason_len = len;
	}
	return 0;
}

void ledger_entity_key(struct key *k, const uint8_t id[16])
{
	key_init(k, 'E');
	key_bytes(k, id, 16);
}

void ledger_cell_key(struct key *k, const uint8_t id[16], const char *field,
		     size_t len)
{
	key_init(k, 'C');
	key_bytes(k, id, 16);
	key_str(k, field, len);
}

int ledger_txn_entity(struct node_txn *t, const uint8_t id[16],
		      struct node_entity *e)
{
	struct key k;
	uint8_t *v;
	size_t n;
	ledger_entity_key(&k, id);
	int rc = node_txn_get(t, k.b, k.len, &v, &n);
	if (rc)
		return rc;
	rc = decode_entity(v, n, e);
	free(v);
	return rc;
}

int node_ledger_entity(struct node_ledger *l, const uint8_t id[16],
		       struct node_entity *out)
{
	struct key k;
	uint8_t *v;
	size_t n;
	ledger_entity_key(&k, id);
	int rc = node_kv_get(l->kv, k.b, k.len, &v, &n);
	if (rc)
		return rc;
	rc = decode_entity(v, n, out);
	free(v);
	return rc;
}

int node_ledger_cell(struct node_ledger *l, const uint8_t id[16],
		     const char *field, struct crdt_cell *out)
{
	struct key k;
	uint8_t *v;
	size_t n;
	ledger_cell_key(&k, id, field, strlen(field));
	int rc = node_kv_get(l->kv, k.b, k.len, &v, &n);
	if (rc == -ENOENT) {
		crdt_cell_init(out, false);
		return 0;
	}
	if (rc)
		return rc;
	rc = crdt_cell_decode(out, v, n);
	free(v);
	return rc;
}

/* ---- overlay access for the indexes (index.c) ---- */

void node_txn_put(struct node_txn *t, const uint8_t *key, size_t key_len,
		  const uint8_t *val, size_t val_len)
{
	struct key k;
	if (key_len > KEY_MAX)
		abort(); /* our bug: index keys are bounded */
	memcpy(k.b, key, key_len);
	k.len = key_len;
	ledger_txn_put(t, &k, val, val_len);
}

void node_txn_del(struct node_txn *t, const uint8_t *key, size_t key_len)
{
	struct key k;
	if (key_len > KEY_MAX)
		abort(); /* our bug: index keys are bounded */
	memcpy(k.b, key, key_len);
	k.len = key_len;
	ledger_txn_del(t, &k);
}

/* ---- roster versions and re-judgement ---- */

/* Stores rosters v[0..n) (owned; verified as the successors of the chain
 * held) in one synced batch, with the re-judgement marker when the bounds
 * they set change the verdict on entries held; then re-judges. */
static int store_rosters(struct node_ledger *l, struct node_roster **v,
			 size_t n, bool rejudge_needed,
			 struct node_reason *why)
{
	struct node_kv_batch *b = node_kv_batch_new();
	for (size_t i = 0; i < n; i++) {
		struct key k;
		roster_key(&k, v[i]->version);
		node_kv_batch_put(b, k.b, k.len, v[i]->wire, v[i]->wire_len);
	}
	/* Proposals held were for the first of these versions: stale now. */
	struct node_kv_iter *it =
	    node_kv_iter_new(l->kv, (const uint8_t *)META_PROPOSAL,
			     strlen(META_PROPOSAL));
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		node_kv_batch_del(b, k, kl);
	}
	node_kv_iter_free(it);
	if (rejudge_needed)
		node_kv_batch_put(b, (const uint8_t *)META_REJUDGE,
				  strlen(META_REJUDGE), (const uint8_t *)"", 0);
	int rc = node_kv_write(l->kv, b, true);
	node_kv_batch_free(b);
	if (rc) {
		for (size_t i = 0; i < n; i++)
			node_roster_free(v[i]);
		NODE_REASON0(why, MSG_R_WRITE_FAILED);
		return rc;
	}
	for (size_t i = 0; i < n; i++)
		push_roster(l, v[i]);
	l->version++;
	l->pcache.gen++; /* the proposals held were dropped */
	if (rejudge_needed) {
		rc = rejudge(l);
		if (rc) {
			/* Tried again before the next transaction. */
			l->rejudge_pending = true;
			NODE_REASON0(why, MSG_R_REJUDGE_FAILED);
			return rc;
		}
	}
	return 0;
}

/* Judges every entry held again, under the chain held now: the state
 * (every key but the log 'L' and meta 'M'/'P') is cleared and the log
 * applied again in its order, in bounded transactions. DESIGN.md section
 * 4: a revocation bound applies under the newest roster, and entries past
 * it lose their effect when it arrives. META_REJUDGE marks the work until
 * it is done, so that a crash halfway makes the next open do it again. */
static int rejudge(struct node_ledger *l)
{
	enum { BATCH = 4096 };
	int rc = 0;
	/* Clear the state. */
	for (;;) {
		struct node_kv_batch *b = node_kv_batch_new();
		static const uint8_t all = 0;
		struct node_kv_iter *it = node_kv_iter_new(l->kv, &all, 0);
		size_t cnt = 0;
		for (; node_kv_iter_valid(it) && cnt < BATCH;
		     node_kv_iter_next(it)) {
			size_t kl;
			const uint8_t *k = node_kv_iter_key(it, &kl);
			if (kl == 0 || k[0] == 'L' || k[0] == 'M' || k[0] == 'P')
				continue;
			node_kv_batch_del(b, k, kl);
			cnt++;
		}
		node_kv_iter_free(it);
		if (cnt)
			rc = node_kv_write(l->kv, b, false);
		node_kv_batch_free(b);
		if (rc)
			return rc;
		if (cnt < BATCH)
			break;
	}
	crdt_lthash_init(&l->digest);
	l->entries = 0;
	l->waiting = WAITING_UNKNOWN;
	/* Apply the log again. */
	struct node_ledger_log *g = node_ledger_log_open(l);
	struct node_log_pos pos;
	const uint8_t *w;
	size_t wl;
	bool more = true;
	while (more && rc == 0) {
		struct node_txn *t = node_ledger_begin(l);
		t->replaying = true;
		size_t cnt = 0;
		while (cnt < BATCH &&
		       (more = node_ledger_log_next(g, &pos, &w, &wl) == 1)) {
			enum node_ingest res;
			enum node_msg why;
			/* Each entry verified when it arrived; one that the
			 * chain held now refuses is left without effect. */
			(void)node_txn_ingest(t, w, wl, true, &res, &why);
			cnt++;
		}
		rc = node_txn_commit(t, false);
	}
	node_ledger_log_close(g);
	if (rc)
		return rc;
	struct node_kv_batch *b = node_kv_batch_new();
	node_kv_batch_del(b, (const uint8_t *)META_REJUDGE,
			  strlen(META_REJUDGE));
	rc = node_kv_write(l->kv, b, true);
	node_kv_batch_free(b);
	l->version++;
	return rc;
}

/* Puts into batch the proof against each admin who signed both a and b,
 * two bodies of one version. */
static void admin_forks(const struct node_roster *a,
			const struct node_roster *b, struct node_kv_batch *batch)
{
	for (size_t i = 0; i < b->n_sigs; i++) {
		bool both = false;
		for (size_t j = 0; j < a->n_sigs; j++)
			both |= !memcmp(a->sig_keys[j], b->sig_keys[i], 32);
		if (!both)
			continue;
		struct crdt_buf v;
		struct key k;
		crdt_buf_init(&v);
		crdt_pack_array(&v, 3);
		crdt_pack_uint(&v, b->version);
		crdt_pack_bin(&v, a->wire, a->wire_len);
		crdt_pack_bin(&v, b->wire, b->wire_len);
		k.len = 0;
		key_bytes(&k, META_ADMIN_FORK, strlen(META_ADMIN_FORK));
		key_bytes(&k, b->sig_keys[i], 32);
		node_kv_batch_put(batch, k.b, k.len, v.data, v.len);
		crdt_buf_fini(&v);
	}
}

/* r (owned, verified: a successor of the version before the newest, with
 * its threshold of signatures, and a lower id than the newest) replaces
 * the newest version. The admins who signed both are proven forkers; the
 * entries are judged again under the chain that stands. */
static int replace_newest(struct node_ledger *l, struct node_roster *r,
			  struct node_reason *why)
{
	struct node_roster *old = l->roster;
	struct node_kv_batch *b = node_kv_batch_new();
	struct key k;
	roster_key(&k, r->version);
	node_kv_batch_put(b, k.b, k.len, r->wire, r->wire_len);
	node_kv_batch_put(b, (const uint8_t *)META_REJUDGE,
			  strlen(META_REJUDGE), (const uint8_t *)"", 0);
	admin_forks(old, r, b);
	struct node_kv_iter *it =
	    node_kv_iter_new(l->kv, (const uint8_t *)META_PROPOSAL,
			     strlen(META_PROPOSAL));
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		node_kv_batch_del(b, key, kl);
	}
	node_kv_iter_free(it);
	int rc = node_kv_write(l->kv, b, true);
	node_kv_batch_free(b);
	if (rc) {
		node_roster_free(r);
		NODE_REASON0(why, MSG_R_WRITE_FAILED);
		return rc;
	}
	struct node_roster **g =
	    crdt_xrealloc(l->replaced, (l->n_replaced + 1) * sizeof(*g));
	l->replaced = g;
	l->replaced[l->n_replaced++] = old;
	l->rosters[l->n_rosters - 1] = r;
	l->roster = r;
	l->version++;
	l->pcache.gen++;
	rc = rejudge(l);
	if (rc) {
		l->rejudge_pending = true;
		NODE_REASON0(why, MSG_R_REJUDGE_FAILED);
	}
	return rc;
}
