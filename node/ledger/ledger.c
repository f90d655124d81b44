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
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/ledger/ledger.h"
#include "node/ledger/finding.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/reject.h"
#include "node/ledger/schema.h"
#include "node/ledger/sealing.h"
#include "node/store/txnmap.h"
#include "crdt/seal.h"

struct node_ledger {
	struct node_kv *kv;
	/* Every roster version held, genesis first (rosters[i] is version
	 * i + 1); roster is the newest. Never freed before close, so that a
	 * pointer node_ledger_roster returned stays valid. */
	struct node_roster **rosters;
	size_t n_rosters;
	struct node_roster *roster;
	/* Bodies replaced by a competing one with a lower id (kept until
	 * close: pointers to them may be held). */
	struct node_roster **replaced;
	size_t n_replaced;
	struct node_proposal_cache pcache;
	struct crdt_lthash digest;
	struct crdt_hlc hlc;
	uint64_t entries;
	uint64_t version; /* node_ledger_version */
	node_clock_fn clock;
	void *clock_ctx;
	/* Whether the store may hold 'W' keys: unknown until first asked,
	 * then kept by this ledger, the store's only writer. Most stores hold
	 * none, and a create then need not open a RocksDB iterator to find
	 * the ops waiting for it. */
	enum { WAITING_UNKNOWN, WAITING_NONE, WAITING_MAYBE } waiting;
	struct node_clock_skew skew;
	/* A re-judgement the store failed: the state is not the chain's
	 * until it is done (node_ledger_begin tries again). */
	bool rejudge_pending;
};

struct node_txn {
	struct node_ledger *l;
	struct node_txnmap overlay; /* what this transaction wrote */
	struct crdt_lthash digest;
	uint64_t entries;
	uint64_t hlc_last;
	bool waiting_written; /* a 'W' key is in the overlay */
	struct node_clock_skew skew; /* the ledger's, plus this txn's */
	bool strict;          /* local write: any finding fails the entry */
	bool replaying;       /* re-judging the log: entries are there */
	bool strict_failed;
	struct node_reason strict_why;
	/* The entry whose ops are being applied, and which op: its later
	 * ops have not reached their cells yet (dot_settled). */
	const struct crdt_entry *applying;
	uint32_t applying_index;
	/* Records the entry being applied creates: the ops that waited for
	 * them are judged once the whole entry is applied, so that they see
	 * what the create entry set (a key record's roles). */
	uint8_t (*created)[16];
	size_t n_created, cap_created;
	/* key_serves verdicts that came out true in this transaction: every
	 * sealed op of a group asks the same question, and the answer rests
	 * on 'Z' keys (written only by key_usable, which forgets these) and
	 * on the roster chain (part of the question). */
	struct served *served;
	size_t n_served, cap_served;
};

struct served {
	uint8_t key_id[16];
	unsigned roles;
	char scope[13];
	uint64_t v;
	size_t n_rosters;
	const struct node_roster *at_v; /* the chain's version v */
};

/* Context of one op being judged. */
struct op_ctx {
	const uint8_t *author;
	const char *scope;
	uint64_t seq;
	uint32_t index;
	uint64_t hlc;
	const struct node_member *member;
	/* jurisdiction or revocation, for all ops; NULL when none */
	const struct node_reason *entry_fault;
	uint64_t roster_version; /* the version the entry names */
	uint64_t sv;		 /* its schema version */
};

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

static void txn_put(struct node_txn *t, const struct key *k, const uint8_t *v,
		    size_t n)
{
	static const uint8_t empty[1];
	node_txnmap_put(&t->overlay, k->b, k->len, v ? v : empty, n);
}

static void txn_del(struct node_txn *t, const struct key *k)
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
static int txn_get_state(struct node_txn *t, const uint8_t entity[16],
			 const uint8_t *key, size_t key_len, uint8_t **val,
			 size_t *val_len)
{
	if (!node_txnmap_find(&t->overlay, key, key_len) &&
	    created_here(t, entity))
		return -ENOENT;
	return node_txn_get(t, key, key_len, val, val_len);
}

/* One key/value of a merged scan. */
struct scan_item {
	uint8_t *key;
	size_t key_len;
	uint8_t *val;
	size_t val_len;
};

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
static size_t txn_scan(struct node_txn *t, const struct key *prefix,
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

static void scan_free(struct scan_item *items, size_t n)
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

static void encode_entity(struct crdt_buf *b, const struct node_entity *e)
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

static void entity_key(struct key *k, const uint8_t id[16])
{
	key_init(k, 'E');
	key_bytes(k, id, 16);
}

static void cell_key(struct key *k, const uint8_t id[16], const char *field,
		     size_t len)
{
	key_init(k, 'C');
	key_bytes(k, id, 16);
	key_str(k, field, len);
}

static int txn_entity(struct node_txn *t, const uint8_t id[16],
		      struct node_entity *e)
{
	struct key k;
	uint8_t *v;
	size_t n;
	entity_key(&k, id);
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
	entity_key(&k, id);
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
	cell_key(&k, id, field, strlen(field));
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

/* ---- judging and applying ops ---- */

static void finding(struct node_txn *t, const struct op_ctx *x,
		    const struct node_reason *reason)
{
	struct key k;
	struct crdt_buf b;
	key_init(&k, 'F');
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	key_u32(&k, x->index);
	crdt_buf_init(&b);
	node_finding_encode(reason, &b);
	txn_put(t, &k, b.data, b.len);
	crdt_buf_fini(&b);
	if (t->strict && !t->strict_failed) {
		t->strict_why = *reason;
		t->strict_failed = true;
	}
}

/* A finding of a catalog id, its arguments checked against its text. */
#define FINDING(t, x, id, ...)                                               \
	do {                                                                 \
		struct node_reason r_;                                       \
		NODE_REASON(&r_, id, __VA_ARGS__);                           \
		finding((t), (x), &r_);                                      \
	} while (0)
#define FINDING0(t, x, id)                                                   \
	do {                                                                 \
		struct node_reason r_;                                       \
		NODE_REASON0(&r_, id);                                       \
		finding((t), (x), &r_);                                      \
	} while (0)

/* The roles that may create type (may_create) or write field f, as
 * "health, township". */
static void roles_that(const struct node_type *type,
		       const struct node_field *f, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (int r = 0; r < NODE_ROLE_COUNT && o < len; r++) {
		bool may = f ? node_schema_may_write(f, (enum node_role)r)
			     : node_schema_may_create(type, (enum node_role)r);
		if (may)
			o += (size_t)snprintf(out + o, len - o, "%s%s",
					      o ? ", " : "",
					      node_role_name((enum node_role)r));
	}
	if (!o)
		snprintf(out, len, "-");
}

/* One 'O' key per (record, entry): its value lists the entry's op indexes
 * on the record as sorted big-endian u32s, so a ten-op entry costs one key,
 * not ten, and the bytes do not depend on the order ops were judged. */
static void history(struct node_txn *t, const uint8_t entity[16],
		    const struct op_ctx *x)
{
	struct key k;
	uint8_t *v = NULL;
	size_t n = 0;
	key_init(&k, 'O');
	key_bytes(&k, entity, 16);
	key_u64(&k, x->hlc);
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	if (txn_get_state(t, entity, k.b, k.len, &v, &n) != 0) {
		v = NULL;
		n = 0;
	}
	uint8_t *out = crdt_xmalloc(n + 4);
	size_t pos = 0;
	while (pos + 4 <= n && get_u32(v + pos) < x->index)
		pos += 4;
	/* Already listed: an op judged again after it waited for its key
	 * record (judge_sealed) was recorded when it first arrived. */
	if (pos + 4 <= n && get_u32(v + pos) == x->index) {
		free(out);
		free(v);
		return;
	}
	if (n)
		memcpy(out, v, pos);
	for (int i = 0; i < 4; i++)
		out[pos + (size_t)i] = (uint8_t)(x->index >> (24 - 8 * i));
	if (n > pos)
		memcpy(out + pos + 4, v + pos, n - pos);
	txn_put(t, &k, out, n + 4);
	free(out);
	free(v);
}

static void apply_field_op(struct node_txn *t, const struct crdt_op *op,
			   const struct op_ctx *x);

/* Whether the store may hold 'W' keys (see struct node_ledger). */
static bool store_may_wait(struct node_ledger *l)
{
	if (l->waiting == WAITING_UNKNOWN) {
		const uint8_t prefix = 'W';
		struct node_kv_iter *it = node_kv_iter_new(l->kv, &prefix, 1);
		l->waiting =
		    node_kv_iter_valid(it) ? WAITING_MAYBE : WAITING_NONE;
		node_kv_iter_free(it);
	}
	return l->waiting == WAITING_MAYBE;
}

/* Applies an op that waited ('W' key k[0..kl), value v[0..vl)), judging it
 * as if it arrived now. The 'W' key goes first: the op may wait again
 * (for a key record), under the same key. */
static void resume_waiting(struct node_txn *t, const uint8_t *k, size_t kl,
			   const uint8_t *v, size_t vl)
{
	/* key: 'W' entity(16) author(32) slen scope seq(8) index(4) */
	if (kl < 50 || kl != 50 + (size_t)k[49] + 12 || k[49] > 12)
		return;
	const uint8_t *author = k + 17;
	size_t slen = k[49];
	char scope[13] = {0};
	memcpy(scope, k + 50, slen);
	struct op_ctx x = {
		.author = author,
		.scope = scope,
		.seq = get_u64(k + 50 + slen),
		.index = get_u32(k + 58 + slen),
	};
	struct key wk;
	wk.len = kl;
	memcpy(wk.b, k, kl);
	txn_del(t, &wk);
	struct crdt_mp_cursor c;
	size_t arr;
	const uint8_t *opb;
	size_t opl;
	crdt_mp_cursor_init(&c, v, vl, false);
	struct crdt_dot dots[CRDT_MAX_DOTS];
	struct crdt_op op;
	if (crdt_mp_read_array(&c, &arr) != 0 || arr < 3 || arr > 4 ||
	    crdt_mp_read_uint(&c, &x.hlc) != 0 ||
	    crdt_mp_read_bin(&c, &opb, &opl) != 0)
		return;
	/* The entry-level fault (jurisdiction, revocation) stored with the
	 * op, or nil. */
	struct node_reason fault;
	const uint8_t *fstart = c.p;
	if (crdt_mp_read_nil(&c) != 0) {
		if (crdt_mp_skip(&c) != 0)
			return;
		if (node_finding_decode(fstart, (size_t)(c.p - fstart),
					&fault) == 0)
			x.entry_fault = &fault;
	}
	/* The member as the roster version the entry named has it (stores
	 * from before roster versions hold no version: the only one,
	 * genesis). */
	uint64_t rv = 1;
	if (arr == 4 && crdt_mp_read_uint(&c, &rv) != 0)
		return;
	x.roster_version = rv;
	const struct node_roster *named = node_ledger_roster_at(t->l, rv);
	x.member = named ? node_roster_find(named, author) : NULL;
	x.sv = named ? named->schema_version : 0;
	struct crdt_mp_cursor oc;
	crdt_mp_cursor_init(&oc, opb, opl, true);
	if (crdt_op_decode(&oc, &op, dots, CRDT_MAX_DOTS) == 0 && x.member)
		apply_field_op(t, &op, &x);
}

static void process_waiting(struct node_txn *t, const uint8_t entity[16])
{
	struct key prefix;
	struct scan_item *items;
	key_init(&prefix, 'W');
	key_bytes(&prefix, entity, 16);
	bool in_store = store_may_wait(t->l);
	if (!in_store && !t->waiting_written)
		return;
	size_t n = txn_scan(t, &prefix, in_store, t->waiting_written, &items);
	for (size_t i = 0; i < n; i++)
		resume_waiting(t, items[i].key, items[i].key_len, items[i].val,
			       items[i].val_len);
	scan_free(items, n);
}

/* A key record of key_id became usable: the ops that waited for it
 * ('Y' key_id(16) then their 'W' key without its family byte) are judged
 * again. */
static void process_waiting_for_key(struct node_txn *t,
				    const uint8_t key_id[16])
{
	struct key prefix;
	struct scan_item *items;
	key_init(&prefix, 'Y');
	key_bytes(&prefix, key_id, 16);
	bool in_store = store_may_wait(t->l);
	if (!in_store && !t->waiting_written)
		return;
	size_t n = txn_scan(t, &prefix, in_store, t->waiting_written, &items);
	for (size_t i = 0; i < n; i++) {
		struct key yk, wk;
		yk.len = items[i].key_len;
		memcpy(yk.b, items[i].key, yk.len);
		txn_del(t, &yk);
		if (yk.len <= 17)
			continue;
		key_init(&wk, 'W');
		key_bytes(&wk, yk.b + 17, yk.len - 17);
		uint8_t *v;
		size_t vl;
		if (node_txn_get(t, wk.b, wk.len, &v, &vl) != 0)
			continue;
		resume_waiting(t, wk.b, wk.len, v, vl);
		free(v);
	}
	scan_free(items, n);
}

static void apply_create(struct node_txn *t, const struct crdt_op *op,
			 const struct op_ctx *x)
{
	struct node_entity e;
	memset(&e, 0, sizeof(e));
	const struct node_type *type = node_schema_type(op->name, op->name_len);
	if (type && (strlen(type->name) != op->name_len ||
		     memcmp(type->name, op->name, op->name_len) != 0))
		type = NULL; /* found by its Chinese label: not a code */
	if (type && type->internal && x->sv < NODE_SCHEMA_SEALED)
		type = NULL; /* key records come with sealing */
	snprintf(e.type, sizeof(e.type), "%.*s",
		 (int)(op->name_len < 31 ? op->name_len : 31), op->name);
	snprintf(e.scope, sizeof(e.scope), "%s", x->scope);
	memcpy(e.created.author, x->author, 32);
	e.created.seq = x->seq;
	e.created.index = x->index;
	e.hlc = x->hlc;
	struct node_reason why;
	const struct node_reason *reason = NULL;
	if (!type) {
		NODE_REASON0(&why, MSG_F_UNKNOWN_RECORD_TYPE);
		reason = &why;
	} else if (!node_schema_may_create(type, x->member->role)) {
		char may[128];
		roles_that(type, NULL, may, sizeof(may));
		NODE_REASON(&why, MSG_F_ROLE_MAY_NOT_CREATE,
			    node_role_name(x->member->role), type->name, may);
		reason = &why;
	} else if (x->entry_fault) {
		reason = x->entry_fault;
	}
	e.valid = reason == NULL;
	if (reason) {
		struct crdt_buf rb;
		crdt_buf_init(&rb);
		node_finding_encode(reason, &rb);
		if (rb.len <= sizeof(e.reason)) {
			memcpy(e.reason, rb.data, rb.len);
			e.reason_len = rb.len;
		}
		crdt_buf_fini(&rb);
	}
	struct crdt_buf b;
	struct key k;
	crdt_buf_init(&b);
	encode_entity(&b, &e);
	entity_key(&k, op->entity);
	txn_put(t, &k, b.data, b.len);
	crdt_buf_reset(&b);
	history(t, op->entity, x);
	if (!e.valid) {
		finding(t, x, reason);
	} else {
		crdt_elem_create(&b, op->entity, op->name, op->name_len);
		crdt_lthash_add(&t->digest, b.data, b.len);
		key_init(&k, 'T');
		key_str(&k, type->name, strlen(type->name));
		key_bytes(&k, op->entity, 16);
		txn_put(t, &k, NULL, 0);
		node_index_created(t, op->entity, type, x->scope, x->hlc);
	}
	crdt_buf_fini(&b);
	if (t->n_created == t->cap_created) {
		t->cap_created = t->cap_created ? 2 * t->cap_created : 8;
		t->created = crdt_xrealloc(t->created,
				     t->cap_created * sizeof(*t->created));
	}
	memcpy(t->created[t->n_created++], op->entity, 16);
}

static void wait_for_create(struct node_txn *t, const struct crdt_op *op,
			    const struct op_ctx *x)
{
	struct key k;
	struct crdt_buf b, opb;
	key_init(&k, 'W');
	key_bytes(&k, op->entity, 16);
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	key_u32(&k, x->index);
	crdt_buf_init(&b);
	crdt_buf_init(&opb);
	crdt_op_encode(&opb, op);
	crdt_pack_array(&b, 4);
	crdt_pack_uint(&b, x->hlc);
	crdt_pack_bin(&b, opb.data, opb.len);
	if (x->entry_fault)
		node_finding_encode(x->entry_fault, &b);
	else
		crdt_pack_nil(&b);
	crdt_pack_uint(&b, x->roster_version);
	txn_put(t, &k, b.data, b.len);
	t->waiting_written = true;
	crdt_buf_fini(&b);
	crdt_buf_fini(&opb);
}

/* An op on a sealed field whose key record has not arrived: it waits as an
 * op waits for its record's create ('W'), and a 'Y' key names it under the
 * key_id, so that the key record's arrival finds it. */
static void wait_for_key(struct node_txn *t, const struct crdt_op *op,
			 const struct op_ctx *x, const uint8_t key_id[16])
{
	wait_for_create(t, op, x);
	struct key k;
	key_init(&k, 'Y');
	key_bytes(&k, key_id, 16);
	key_bytes(&k, op->entity, 16);
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	key_u32(&k, x->index);
	txn_put(t, &k, NULL, 0);
}

struct head {
	uint64_t seq;
	uint8_t hash[32];
	uint64_t hlc;
	uint64_t roster_version;
};

struct settle_ctx {
	struct node_txn *t;
	const uint8_t *entity;
	const char *scope;
};

static int read_head(struct node_txn *t, const uint8_t author[32],
		     const char *scope, struct head *h);

/* A dot named in a cell of this record can arrive only from an entry of
 * the record's scope. It is settled when that entry has been applied and
 * its op is not waiting for the record's create ('W'): it will never
 * reach the cell again. */
static bool dot_settled(void *ctx, const struct crdt_dot *d)
{
	struct settle_ctx *sc = ctx;
	struct head h;
	if (read_head(sc->t, d->author, sc->scope, &h) != 0 || h.seq < d->seq)
		return false;
	/* An op of the entry being applied that comes after the current one
	 * (a waiting op applied at its record's create may name it) has not
	 * reached the cell: pruning it would let it come back as a live
	 * version. */
	const struct crdt_entry *a = sc->t->applying;
	if (a && a->seq == d->seq && d->index > sc->t->applying_index &&
	    !memcmp(a->author, d->author, 32) && !strcmp(a->scope, sc->scope))
		return false;
	struct key k;
	uint8_t *v;
	size_t n;
	key_init(&k, 'W');
	key_bytes(&k, sc->entity, 16);
	key_feed(&k, d->author, sc->scope);
	key_u64(&k, d->seq);
	key_u32(&k, d->index);
	if (node_txn_get(sc->t, k.b, k.len, &v, &n) == 0) {
		free(v);
		return false;
	}
	return true;
}

/* ---- sealed fields and key records (DESIGN.md section 8) ---- */

/* A key record's roles: its roles cell holds exactly one live version, a
 * canonical roles value. Returns 0 and the mask; -ENOENT otherwise. */
static int key_roles(struct node_txn *t, const uint8_t entity[16],
		     unsigned *mask)
{
	struct key k;
	uint8_t *v;
	size_t n;
	struct crdt_cell cell;
	cell_key(&k, entity, "roles", 5);
	if (txn_get_state(t, entity, k.b, k.len, &v, &n) != 0)
		return -ENOENT;
	int rc = crdt_cell_decode(&cell, v, n);
	free(v);
	if (rc)
		return -ENOENT;
	rc = -ENOENT;
	if (!cell.is_set && cell.n_live == 1 &&
	    cell.live[0].value.kind == CRDT_VALUE_STR &&
	    node_schema_roles_parse((const char *)cell.live[0].value.p,
				    cell.live[0].value.len, mask) == 0)
		rc = 0;
	crdt_cell_fini(&cell);
	return rc;
}

/* Whether field of record entity has any version or element yet. */
static bool cell_has_value(struct node_txn *t, const uint8_t entity[16],
			   const char *field)
{
	struct key k;
	uint8_t *v;
	size_t n;
	struct crdt_cell cell;
	cell_key(&k, entity, field, strlen(field));
	if (txn_get_state(t, entity, k.b, k.len, &v, &n) != 0)
		return false;
	int rc = crdt_cell_decode(&cell, v, n);
	free(v);
	if (rc)
		return true; /* unreadable: not empty */
	bool has = !crdt_cell_empty(&cell);
	crdt_cell_fini(&cell);
	return has;
}

/* The rules of a key record's fields beyond the schema's: roles and
 * key_id are set once, roles first, by a member of the roles; envelopes
 * are added by a member of the group, for a member of the group, under
 * the roster version the entry names. Returns 0 when op may take effect,
 * else records a finding and returns -1. */
static int judge_key_op(struct node_txn *t, const struct crdt_op *op,
			const struct op_ctx *x, const struct node_entity *e,
			const struct node_field *f)
{
	char roles_text[96];
	unsigned mask = 0;
	const char *role = node_role_name(x->member->role);
	if (f->kind == NODE_FIELD_ROLES) {
		if (cell_has_value(t, op->entity, f->name)) {
			FINDING(t, x, MSG_F_KEY_SET_ONCE, f->name);
			return -1;
		}
		if (op->value.kind == CRDT_VALUE_STR &&
		    node_schema_roles_parse((const char *)op->value.p,
					    op->value.len, &mask) == 0 &&
		    !(mask & NODE_ROLE_BIT(x->member->role))) {
			node_schema_roles_text(mask, roles_text,
					       sizeof(roles_text));
			FINDING(t, x, MSG_F_KEY_NOT_IN_GROUP, role, roles_text);
			return -1;
		}
		return 0;
	}
	if (key_roles(t, op->entity, &mask) != 0) {
		FINDING0(t, x, MSG_F_KEY_NEEDS_ROLES);
		return -1;
	}
	node_schema_roles_text(mask, roles_text, sizeof(roles_text));
	if (!(mask & NODE_ROLE_BIT(x->member->role))) {
		FINDING(t, x, MSG_F_KEY_NOT_IN_GROUP, role, roles_text);
		return -1;
	}
	if (f->kind == NODE_FIELD_KEY_ID &&
	    cell_has_value(t, op->entity, f->name)) {
		FINDING(t, x, MSG_F_KEY_SET_ONCE, f->name);
		return -1;
	}
	const uint8_t *to;
	if (f->kind == NODE_FIELD_ENVELOPE && op->code == CRDT_OP_ADD &&
	    op->value.kind == CRDT_VALUE_BIN &&
	    crdt_seal_envelope_parse(op->value.p, op->value.len, &to) == 0) {
		const struct node_roster *r =
		    node_ledger_roster_at(t->l, x->roster_version);
		const struct node_member *m = r ? node_roster_find(r, to) : NULL;
		if (!m || !node_seal_member_in_group(m, mask, e->scope)) {
			char hex[17];
			for (int i = 0; i < 8; i++)
				snprintf(hex + 2 * i, 3, "%02x", to[i]);
			FINDING(t, x, MSG_F_ENVELOPE_RECIPIENT, hex);
			return -1;
		}
	}
	return 0;
}

/* Key record entity (home scope scope) took its key_id in an entry naming
 * version made: indexed by key_id and group ('Z') and by group ('G'); the ops
 * waiting for that key are judged again. */
static void key_usable(struct node_txn *t, const uint8_t entity[16],
		       const uint8_t key_id[16], uint64_t made)
{
	unsigned mask;
	if (key_roles(t, entity, &mask) != 0)
		return;
	char roles_text[96];
	node_schema_roles_text(mask, roles_text, sizeof(roles_text));
	struct key k;
	struct crdt_buf b;
	struct node_entity e;
	if (txn_entity(t, entity, &e) != 0)
		return;
	t->n_served = 0; /* a 'Z' key changes: key_serves asks again */
	/* 'Z' key_id(16) rlen roles slen scope entity(16) -> [roles, made]:
	 * the group in the key, so that a value's check meets only records
	 * of its own group, however many other groups a member copied its
	 * key_id into. */
	key_init(&k, 'Z');
	key_bytes(&k, key_id, 16);
	key_str(&k, roles_text, strlen(roles_text));
	key_str(&k, e.scope, strlen(e.scope));
	key_bytes(&k, entity, 16);
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_cstr(&b, roles_text);
	crdt_pack_uint(&b, made);
	txn_put(t, &k, b.data, b.len);
	crdt_buf_fini(&b);
	/* by group: 'G' scope roles made(8) key_id(16) entity(16) -> '' */
	{
		key_init(&k, 'G');
		key_str(&k, e.scope, strlen(e.scope));
		key_str(&k, roles_text, strlen(roles_text));
		key_u64(&k, made);
		key_bytes(&k, key_id, 16);
		key_bytes(&k, entity, 16);
		txn_put(t, &k, NULL, 0);
	}
	process_waiting_for_key(t, key_id);
}

/* Whether a usable key record of key_id belongs to group (roles, scope)
 * and serves roster version v. */
static bool key_serves_scan(struct node_txn *t, const uint8_t key_id[16],
			    unsigned roles, const char *scope, uint64_t v)
{
	struct key prefix;
	struct scan_item *items;
	char roles_text[96];
	node_schema_roles_text(roles, roles_text, sizeof(roles_text));
	key_init(&prefix, 'Z');
	key_bytes(&prefix, key_id, 16);
	key_str(&prefix, roles_text, strlen(roles_text));
	key_str(&prefix, scope, strlen(scope));
	size_t n = txn_scan(t, &prefix, true, true, &items);
	bool ok = false;
	for (size_t i = 0; i < n && !ok; i++) {
		struct crdt_mp_cursor c;
		size_t arr;
		const char *rs;
		size_t rl;
		uint64_t made;
		if (items[i].key_len != prefix.len + 16)
			continue;
		crdt_mp_cursor_init(&c, items[i].val, items[i].val_len, false);
		if (crdt_mp_read_array(&c, &arr) != 0 || arr != 2 ||
		    crdt_mp_read_str(&c, &rs, &rl) != 0 ||
		    crdt_mp_read_uint(&c, &made) != 0)
			continue;
		struct node_seal_chain chain = {
		    (const struct node_roster *const *)t->l->rosters,
		    t->l->n_rosters};
		ok = node_seal_key_serves(&chain, roles, scope, made, v);
	}
	scan_free(items, n);
	return ok;
}

/* key_serves_scan, remembered for the transaction when true: the scan of
 * 'Z' walks the store and the whole overlay, once per sealed op
 * otherwise. */
static bool key_serves(struct node_txn *t, const uint8_t key_id[16],
		       unsigned roles, const char *scope, uint64_t v)
{
	size_t nr = t->l->n_rosters;
	const struct node_roster *at_v =
	    v >= 1 && v <= nr ? t->l->rosters[v - 1] : NULL;
	for (size_t i = 0; i < t->n_served; i++) {
		const struct served *s = &t->served[i];
		if (s->roles == roles && s->v == v && s->n_rosters == nr &&
		    s->at_v == at_v && !memcmp(s->key_id, key_id, 16) &&
		    !strcmp(s->scope, scope))
			return true;
	}
	if (!key_serves_scan(t, key_id, roles, scope, v))
		return false;
	if (strlen(scope) >= sizeof(t->served->scope))
		return true;
	if (t->n_served == t->cap_served) {
		size_t cap = t->cap_served ? 2 * t->cap_served : 8;
		struct served *p = crdt_xrealloc(t->served, cap * sizeof(*p));
		t->served = p;
		t->cap_served = cap;
	}
	struct served *s = &t->served[t->n_served++];
	memcpy(s->key_id, key_id, 16);
	s->roles = roles;
	snprintf(s->scope, sizeof(s->scope), "%s", scope);
	s->v = v;
	s->n_rosters = nr;
	s->at_v = at_v;
	return true;
}

/* An op on a field sealed under the entry's schema version: nil clears;
 * anything else must be a well-formed sealed value, and a set or an add
 * must name a key of the field's group (its readers, the record's home
 * scope) that serves the roster version the entry names. Returns 0 to take effect, 1 when the op
 * waits for its key record, -1 after a finding. */
static int judge_sealed(struct node_txn *t, const struct crdt_op *op,
			const struct op_ctx *x, const struct node_entity *e,
			const struct node_field *f)
{
	if (op->code == CRDT_OP_SET && op->value.kind == CRDT_VALUE_NIL)
		return 0;
	struct crdt_sealed sv;
	if (op->value.kind != CRDT_VALUE_BIN ||
	    crdt_seal_parse(op->value.p, op->value.len, &sv) != 0) {
		FINDING(t, x, MSG_F_NOT_SEALED, f->name);
		return -1;
	}
	/* A remove decides by the tags it observed alone (crdt_cell_remove)
	 * and names an element's sealed forms as they were added, under the
	 * keys current then (DESIGN.md section 8, Sets): a key that no longer
	 * serves must not keep an element from ever being removed. */
	if (op->code == CRDT_OP_REMOVE)
		return 0;
	unsigned roles = node_schema_readers(f);
	if (key_serves(t, sv.key_id, roles, e->scope, x->roster_version))
		return 0;
	if (t->strict) {
		char roles_text[96];
		node_schema_roles_text(roles, roles_text, sizeof(roles_text));
		FINDING(t, x, MSG_F_NO_KEY, f->name, roles_text, e->scope);
		return -1;
	}
	wait_for_key(t, op, x, sv.key_id);
	return 1;
}

static void apply_field_op(struct node_txn *t, const struct crdt_op *op,
			   const struct op_ctx *x)
{
	struct node_entity e;
	int rc = txn_entity(t, op->entity, &e);
	if (rc == -ENOENT) {
		if (t->strict) {
			FINDING0(t, x, MSG_F_NO_SUCH_RECORD);
			return;
		}
		wait_for_create(t, op, x);
		return;
	}
	history(t, op->entity, x);
	if (rc) {
		FINDING0(t, x, MSG_F_RECORD_UNREADABLE);
		return;
	}
	if (!e.valid) {
		FINDING0(t, x, MSG_F_CREATE_NO_EFFECT);
		return;
	}
	if (strcmp(e.scope, x->scope) != 0) {
		FINDING(t, x, MSG_F_OP_SCOPE, x->scope, e.scope);
		return;
	}
	const struct node_type *type = node_schema_type(e.type, strlen(e.type));
	const struct node_field *f =
		type ? node_schema_field(type, op->name, op->name_len) : NULL;
	if (!f || strlen(f->name) != op->name_len ||
	    memcmp(f->name, op->name, op->name_len) != 0) {
		char name[65];
		snprintf(name, sizeof(name), "%.*s",
			 (int)(op->name_len < 64 ? op->name_len : 64), op->name);
		FINDING(t, x, MSG_F_NO_FIELD, e.type, name);
		return;
	}
	if (f->is_set != (op->code != CRDT_OP_SET)) {
		if (f->is_set)
			FINDING(t, x, MSG_F_SET_FIELD_TAKES, f->name);
		else
			FINDING(t, x, MSG_F_SINGLE_FIELD_TAKES, f->name);
		return;
	}
	bool in_create = !memcmp(e.created.author, x->author, 32) &&
			 e.created.seq == x->seq;
	if (f->write_once && !in_create) {
		FINDING(t, x, MSG_F_WRITE_ONCE, f->name);
		return;
	}
	if (!node_schema_may_write_at(f, x->member->role, x->sv)) {
		char may[128];
		roles_that(type, f, may, sizeof(may));
		FINDING(t, x, MSG_F_ROLE_MAY_NOT_WRITE,
			node_role_name(x->member->role), e.type, f->name, may);
		return;
	}
	if (x->entry_fault) {
		finding(t, x, x->entry_fault);
		return;
	}
	struct node_reason bad;
	if (node_schema_sealed(f, x->sv)) {
		/* The plaintext is the readers' to check (audit). */
		if (judge_sealed(t, op, x, &e, f) != 0)
			return;
	} else if (x->sv >= NODE_SCHEMA_SEALED &&
		   op->value.kind == CRDT_VALUE_BIN &&
		   crdt_seal_is_sealed(op->value.p, op->value.len)) {
		FINDING(t, x, MSG_F_SEALED_IN_PLAIN, f->name);
		return;
	} else if (node_schema_check_reason(f, &op->value, &bad) != 0) {
		finding(t, x, &bad);
		return;
	} else if (type->internal && judge_key_op(t, op, x, &e, f) != 0) {
		return;
	}
	/* Takes effect. */
	struct key k;
	struct crdt_cell cell;
	uint8_t *v;
	size_t n;
	cell_key(&k, op->entity, f->name, strlen(f->name));
	if (txn_get_state(t, op->entity, k.b, k.len, &v, &n) == 0) {
		rc = crdt_cell_decode(&cell, v, n);
		free(v);
		if (rc) {
			FINDING0(t, x, MSG_F_CELL_UNREADABLE);
			return;
		}
	} else {
		crdt_cell_init(&cell, f->is_set);
	}
	struct crdt_dot dot;
	memcpy(dot.author, x->author, 32);
	dot.seq = x->seq;
	dot.index = x->index;
	if (op->code == CRDT_OP_SET)
		crdt_cell_set(&cell, op->entity, op->name, op->name_len, &dot,
			      x->hlc, &op->value, op->dots, op->n_dots,
			      &t->digest);
	else if (op->code == CRDT_OP_ADD)
		crdt_cell_add(&cell, op->entity, op->name, op->name_len, &dot,
			      &op->value, &t->digest);
	else
		crdt_cell_remove(&cell, op->entity, op->name, op->name_len,
				 &op->value, op->dots, op->n_dots, &t->digest);
	struct settle_ctx sc = {t, op->entity, x->scope};
	crdt_cell_prune_dead(&cell, dot_settled, &sc);
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_cell_encode(&b, &cell);
	txn_put(t, &k, b.data, b.len);
	crdt_buf_fini(&b);
	node_index_changed(t, op->entity, &e, f, &cell);
	crdt_cell_fini(&cell);
	if (f->kind == NODE_FIELD_KEY_ID)
		key_usable(t, op->entity, op->value.p, x->roster_version);
}

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


static int read_head(struct node_txn *t, const uint8_t author[32],
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
	txn_put(t, &k, b.data, b.len);
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
	int hrc = read_head(t, e.author, e.scope, &h);
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
		txn_put(t, &k, wire, len);
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
			apply_create(t, &e.ops[i], &x);
		else
			apply_field_op(t, &e.ops[i], &x);
	}
	t->applying = NULL;
	/* The ops that waited for this entry's creates, now that the whole
	 * entry is in: a verdict must not depend on which op of the create
	 * entry they happened to follow. */
	for (size_t i = 0; i < t->n_created; i++)
		process_waiting(t, t->created[i]);
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
	*seq = read_head(t, pk, scope, &h) == 0 ? h.seq + 1 : 1;
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
	bool has_head = read_head(t, pk, w->scope, &h) == 0;
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

/* ---- overlay access for the indexes (index.c) ---- */

void node_txn_put(struct node_txn *t, const uint8_t *key, size_t key_len,
		  const uint8_t *val, size_t val_len)
{
	struct key k;
	if (key_len > KEY_MAX)
		abort(); /* our bug: index keys are bounded */
	memcpy(k.b, key, key_len);
	k.len = key_len;
	txn_put(t, &k, val, val_len);
}

void node_txn_del(struct node_txn *t, const uint8_t *key, size_t key_len)
{
	struct key k;
	if (key_len > KEY_MAX)
		abort(); /* our bug: index keys are bounded */
	memcpy(k.b, key, key_len);
	k.len = key_len;
	txn_del(t, &k);
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
