/*
 * test_faults: the ledger over an in-memory store that fails writes on
 * demand (node_kv_mem_fault): I/O errors, failed syncs, a full disk, and
 * crashes between them (DESIGN.md section 5: a local write is acknowledged
 * only after its batch is synced; a crash leaves a whole entry or none).
 *
 *  (a) a write that hits a fault returns an error and changes nothing:
 *      store keys, digest, entry count and heads are as before, and the
 *      ledger reopened from the store agrees with the one that failed;
 *  (b) a failed sync fails a synced write; unsynced writes (peer entries
 *      applied without sync) still go through;
 *  (c) a full disk refuses every write, local and peer, until it clears;
 *      then writes succeed and the node's feed chains on from its last
 *      stored entry, with no seq used twice;
 *  (d) node_verify_ingest_many never reports as applied an entry whose
 *      commit failed;
 *  (e) a seeded random run of local writes, peer entries (synced or not,
 *      one by one or many at once), crashes and faults that come and go:
 *      after every step no acknowledged write is missing or replaced, and
 *      the state, heads, digest and count equal a fresh replay of the log.
 *
 * Seeded: WARD_SEED=<n> replays (the seed is printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <sodium.h>

#include "crdt/crdt.h"
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/ledger/verify.h"
#include "node/store/kv.h"
#include "tests/common/testnode.h"
#include "tests/common/testseed.h"

/* Members: 0 health (this node; also the roster admin), 1 township (a
 * peer whose entries this node ingests). */
enum { SELF, PEER, N_MEMBERS };
static uint8_t pk[N_MEMBERS][32], sk[N_MEMBERS][64];
static uint8_t *roster;
static size_t roster_len;
static const char *const member_scope[N_MEMBERS] = {"120116", "120116001"};
#define SCOPE "120116001"
#define T0 1700000000000ull

static char empty[] = "";
static char names[N_MEMBERS][16] = {"health", "township"};

static void setup_keys(void)
{
	for (int i = 0; i < N_MEMBERS; i++) {
		uint8_t s[32];
		memset(s, 0x60 + i, sizeof(s));
		crypto_sign_seed_keypair(pk[i], sk[i], s);
	}
	struct node_member m[N_MEMBERS];
	static const enum node_role roles[N_MEMBERS] = {NODE_ROLE_HEALTH,
							NODE_ROLE_TOWNSHIP};
	memset(m, 0, sizeof(m));
	for (int i = 0; i < N_MEMBERS; i++) {
		memcpy(m[i].key, pk[i], 32);
		m[i].role = roles[i];
		m[i].name = names[i];
		snprintf(m[i].scope, sizeof(m[i].scope), "%s", member_scope[i]);
		m[i].address = empty;
		m[i].cert_pem = empty;
	}
	assert_int_equal(node_roster_build_genesis_schema(
			     m, N_MEMBERS, pk[SELF], sk[SELF],
			     1 /* plaintext: sealing's own tests below */,
			     &roster, &roster_len),
			 0);
}

struct node {
	struct node_kv *kv;
	struct node_ledger *l;
	uint64_t now;
};

static void node_up(struct node *n)
{
	test_node_open(&n->kv, &n->l, roster, roster_len);
	n->now = T0;
}

static void node_down(struct node *n)
{
	test_node_close(n->kv, n->l);
}

/* Power loss: the store keeps what was synced; the ledger reopens. */
static void node_crash(struct node *n)
{
	node_ledger_close(n->l);
	node_kv_mem_crash(n->kv);
	assert_int_equal(node_ledger_open(n->kv, &n->l), 0);
	assert_non_null(node_ledger_roster(n->l));
}

/* BLAKE2b of every key and value whose family byte is not in `skip`. */
static void store_hash(struct node_kv *kv, const char *skip, uint8_t out[32])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	struct node_kv_iter *it = node_kv_iter_new(kv, NULL, 0);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		if (kl > 0 && memchr(skip, k[0], strlen(skip)))
			continue;
		uint64_t lens[2] = {kl, vl};
		crypto_generichash_update(&st, (const uint8_t *)lens,
					  sizeof(lens));
		crypto_generichash_update(&st, k, kl);
		crypto_generichash_update(&st, v, vl);
	}
	node_kv_iter_free(it);
	crypto_generichash_final(&st, out, 32);
}

/* Families a hash skips: meta (rosters, digest, proofs), or none. */
#define SKIP_META "MP"
#define SKIP_NONE ""

/* What a failed write must leave as it was. */
struct snap {
	uint8_t store[32];
	uint8_t digest[32];
	uint64_t count;
	uint64_t self_seq, peer_seq;
};

static void snap_take(struct node *n, struct snap *s)
{
	store_hash(n->kv, SKIP_NONE, s->store);
	node_ledger_digest(n->l, s->digest);
	s->count = node_ledger_entry_count(n->l);
	s->self_seq = node_ledger_feed_seq(n->l, pk[SELF], SCOPE);
	s->peer_seq = node_ledger_feed_seq(n->l, pk[PEER], SCOPE);
}

static void snap_same(struct node *n, const struct snap *s)
{
	struct snap now;
	snap_take(n, &now);
	assert_memory_equal(now.store, s->store, 32);
	assert_memory_equal(now.digest, s->digest, 32);
	assert_int_equal(now.count, s->count);
	assert_int_equal(now.self_seq, s->self_seq);
	assert_int_equal(now.peer_seq, s->peer_seq);
}

/* The node is what its log says: a fresh ledger that replays every stored
 * entry reaches the same state keys, digest and count, and the node's
 * in-memory digest and count are those its store keeps (a ledger reopened
 * on the same store agrees). */
static void check_consistent(struct node *n)
{
	struct node fresh;
	node_up(&fresh);
	uint8_t p = 'L';
	struct node_txn *t = node_ledger_begin(fresh.l);
	struct node_kv_iter *it = node_kv_iter_new(n->kv, &p, 1);
	size_t entries = 0;
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t vl;
		const uint8_t *v = node_kv_iter_value(it, &vl);
		enum node_ingest res;
		enum node_msg why = MSG_NONE;
		int rc = node_txn_ingest(t, v, vl, false, &res, &why);
		if (rc)
			fprintf(stderr, "replay of the log: %d %s\n", rc,
				node_catalog_text(NODE_LANG_EN, why));
		assert_int_equal(rc, 0);
		assert_int_equal(res, NODE_INGEST_APPLIED);
		entries++;
	}
	node_kv_iter_free(it);
	assert_int_equal(node_txn_commit(t, true), 0);

	uint8_t a[32], b[32];
	store_hash(n->kv, SKIP_META, a);
	store_hash(fresh.kv, SKIP_META, b);
	assert_memory_equal(a, b, 32);
	node_ledger_digest(n->l, a);
	node_ledger_digest(fresh.l, b);
	assert_memory_equal(a, b, 32);
	assert_int_equal(node_ledger_entry_count(n->l), entries);
	assert_int_equal(node_ledger_entry_count(fresh.l), entries);

	struct node_ledger *again;
	assert_int_equal(node_ledger_open(n->kv, &again), 0);
	node_ledger_digest(again, b);
	assert_memory_equal(a, b, 32);
	assert_int_equal(node_ledger_entry_count(again), entries);
	node_ledger_close(again);
	node_down(&fresh);
}

/* ---- writes ---- */

static void val_str(struct crdt_value *v, const char *s)
{
	v->kind = CRDT_VALUE_STR;
	v->p = (const uint8_t *)s;
	v->len = strlen(s);
}

/* Creates a patient as who: the write's rc, its seq and the record id. */
static int create_patient(struct node *n, int who, uint64_t *seq,
			  uint8_t id[16])
{
	uint64_t next;
	node_ledger_next_seq(n->l, pk[who], SCOPE, &next);
	crdt_entity_id(id, pk[who], SCOPE, next, 0);
	struct crdt_op ops[2];
	memset(ops, 0, sizeof(ops));
	ops[0].code = CRDT_OP_CREATE;
	ops[0].name = "patient";
	ops[0].name_len = 7;
	ops[1].code = CRDT_OP_SET;
	memcpy(ops[1].entity, id, 16);
	ops[1].name = "name";
	ops[1].name_len = 4;
	val_str(&ops[1].value, "patient");
	struct node_write w = {.scope = SCOPE, .n_ops = 2, .ops = ops};
	n->now += 7;
	struct node_reason why_r;
	int rc = node_ledger_write(n->l, sk[who], pk[who], &w, n->now, seq,
				   &why_r);
	if (rc == 0)
		assert_int_equal(*seq, next);
	return rc;
}

/* Sets a patient's phone, superseding every version the writer sees. */
static int set_phone(struct node *n, int who, const uint8_t id[16],
		     const char *phone, uint64_t *seq)
{
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(n->l, id, "phone", &c), 0);
	struct crdt_dot preds[CRDT_MAX_DOTS];
	size_t np = 0;
	for (size_t i = 0; i < c.n_live && np < CRDT_MAX_DOTS; i++)
		preds[np++] = c.live[i].dot;
	crdt_cell_fini(&c);
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_SET;
	memcpy(op.entity, id, 16);
	op.name = "phone";
	op.name_len = 5;
	val_str(&op.value, phone);
	op.dots = preds;
	op.n_dots = np;
	struct node_write w = {.scope = SCOPE, .n_ops = 1, .ops = &op};
	n->now += 7;
	struct node_reason why_r;
	return node_ledger_write(n->l, sk[who], pk[who], &w, n->now, seq,
				 &why_r);
}

/* The wire bytes of entry seq of who's feed in n's log (owned), or NULL. */
static uint8_t *entry_at(struct node *n, int who, uint64_t seq, size_t *len)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	int got =
	    node_ledger_read_range(n->l, pk[who], SCOPE, seq, 1, 1 << 20, &b);
	if (got != 1) {
		crdt_buf_fini(&b);
		return NULL;
	}
	uint8_t *p = malloc(b.len);
	assert_non_null(p);
	memcpy(p, b.data, b.len);
	*len = b.len;
	crdt_buf_fini(&b);
	return p;
}

/* Peer entries: the peer's own fault-free node writes them. */
struct peer_feed {
	struct node node;
	size_t n;
	uint8_t *w[256];
	size_t len[256];
};

static void peer_write(struct peer_feed *pf)
{
	uint64_t seq;
	uint8_t id[16];
	assert_true(pf->n < 256);
	assert_int_equal(create_patient(&pf->node, PEER, &seq, id), 0);
	pf->w[pf->n] = entry_at(&pf->node, PEER, seq, &pf->len[pf->n]);
	assert_non_null(pf->w[pf->n]);
	pf->n++;
}

static void peer_free(struct peer_feed *pf)
{
	for (size_t i = 0; i < pf->n; i++)
		free(pf->w[i]);
	node_down(&pf->node);
}

/* Applies peer entries [from, to) in one transaction: the commit's rc. */
static int ingest_range(struct node *n, struct peer_feed *pf, size_t from,
			size_t to, bool sync)
{
	struct node_txn *t = node_ledger_begin(n->l);
	for (size_t i = from; i < to; i++) {
		enum node_ingest res;
		enum node_msg why = MSG_NONE;
		int rc =
		    node_txn_ingest(t, pf->w[i], pf->len[i], false, &res, &why);
		if (rc) {
			node_txn_abort(t);
			return rc;
		}
	}
	return node_txn_commit(t, sync);
}

/* ---- (a) (b) (c) ---- */

/* A local write under fault kind fails with want and changes nothing;
 * once the fault clears the next write takes the seq the failed one
 * would have had, after the last stored entry. */
static void local_write_fails(enum node_kv_fault kind, int want)
{
	struct node n;
	node_up(&n);
	uint8_t id[16], id2[16];
	uint64_t seq;
	for (int i = 0; i < 3; i++)
		assert_int_equal(create_patient(&n, SELF, &seq, id), 0);
	assert_int_equal(set_phone(&n, SELF, id, "13800000001", &seq), 0);
	assert_int_equal(seq, 4);
	size_t head_len;
	uint8_t *head = entry_at(&n, SELF, 4, &head_len);
	assert_non_null(head);

	struct snap before;
	snap_take(&n, &before);
	node_kv_mem_fault(n.kv, kind, 0, 1000, 1);
	uint64_t untouched = 77;
	assert_int_equal(set_phone(&n, SELF, id, "13800000002", &untouched),
			 want);
	assert_int_equal(untouched, 77); /* no seq for a failed write */
	assert_int_equal(create_patient(&n, SELF, &untouched, id2), want);
	assert_int_equal(node_kv_mem_faults(n.kv), 2);
	snap_same(&n, &before);
	check_consistent(&n);
	/* Nothing of it survives a crash either. */
	node_crash(&n);
	snap_same(&n, &before);

	node_kv_mem_fault_clear(n.kv);
	assert_int_equal(set_phone(&n, SELF, id, "13800000003", &seq), 0);
	assert_int_equal(seq, 5);
	/* Chains on the last stored entry. */
	size_t len;
	uint8_t *e5 = entry_at(&n, SELF, 5, &len);
	assert_non_null(e5);
	struct crdt_entry e, h;
	assert_int_equal(crdt_entry_decode(e5, len, &e, NULL), 0);
	assert_int_equal(crdt_entry_decode(head, head_len, &h, NULL), 0);
	assert_memory_equal(e.prev, h.hash, 32);
	crdt_entry_fini(&e);
	crdt_entry_fini(&h);
	free(e5);
	free(head);
	/* Acknowledged: durable. */
	node_crash(&n);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[SELF], SCOPE), 5);
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(n.l, id, "phone", &c), 0);
	assert_int_equal(c.n_live, 1);
	assert_int_equal(c.live[0].value.len, 11);
	assert_memory_equal(c.live[0].value.p, "13800000003", 11);
	crdt_cell_fini(&c);
	check_consistent(&n);
	node_down(&n);
}

static void test_write_error(void **state)
{
	(void)state;
	local_write_fails(NODE_KV_FAULT_WRITE, -EIO);
}

static void test_sync_error(void **state)
{
	(void)state;
	local_write_fails(NODE_KV_FAULT_SYNC, -EIO);

	/* A failed sync touches synced writes only. */
	struct node n;
	struct peer_feed pf;
	memset(&pf, 0, sizeof(pf));
	node_up(&n);
	node_up(&pf.node);
	for (int i = 0; i < 4; i++)
		peer_write(&pf);
	node_kv_mem_fault(n.kv, NODE_KV_FAULT_SYNC, 0, 1000, 1);
	struct snap before;
	snap_take(&n, &before);
	assert_int_equal(ingest_range(&n, &pf, 0, 2, true), -EIO);
	snap_same(&n, &before);
	assert_int_equal(ingest_range(&n, &pf, 0, 2, false), 0);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), 2);
	check_consistent(&n);
	/* Unsynced, and the syncs since failed: a crash loses them. */
	node_crash(&n);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), 0);
	check_consistent(&n);
	node_kv_mem_fault_clear(n.kv);
	assert_int_equal(ingest_range(&n, &pf, 0, 4, true), 0);
	node_crash(&n);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), 4);
	check_consistent(&n);
	peer_free(&pf);
	node_down(&n);
}

static void test_disk_full(void **state)
{
	(void)state;
	local_write_fails(NODE_KV_FAULT_FULL, -ENOSPC);

	struct node n;
	struct peer_feed pf;
	memset(&pf, 0, sizeof(pf));
	node_up(&n);
	node_up(&pf.node);
	for (int i = 0; i < 6; i++)
		peer_write(&pf);
	assert_int_equal(ingest_range(&n, &pf, 0, 2, true), 0);
	/* Full after one more write: the rest fail, however they come. */
	node_kv_mem_fault(n.kv, NODE_KV_FAULT_FULL, 1, 1000, 1);
	assert_int_equal(ingest_range(&n, &pf, 2, 3, false), 0);
	struct snap before;
	snap_take(&n, &before);
	assert_int_equal(ingest_range(&n, &pf, 3, 5, false), -ENOSPC);
	assert_int_equal(ingest_range(&n, &pf, 3, 5, true), -ENOSPC);
	uint64_t seq;
	uint8_t id[16];
	assert_int_equal(create_patient(&n, SELF, &seq, id), -ENOSPC);
	snap_same(&n, &before);
	check_consistent(&n);
	node_kv_mem_fault_clear(n.kv);
	assert_int_equal(ingest_range(&n, &pf, 3, 6, true), 0);
	assert_int_equal(create_patient(&n, SELF, &seq, id), 0);
	assert_int_equal(seq, 1);
	node_crash(&n);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), 6);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[SELF], SCOPE), 1);
	check_consistent(&n);
	peer_free(&pf);
	node_down(&n);
}

/* ---- (d) ---- */

static void test_ingest_many_fault(void **state)
{
	(void)state;
	struct node n;
	struct peer_feed pf;
	memset(&pf, 0, sizeof(pf));
	node_up(&n);
	node_up(&pf.node);
	enum { N = 12, TXN = 5 };
	for (int i = 0; i < N; i++)
		peer_write(&pf);
	struct node_wire ws[N];
	for (size_t i = 0; i < N; i++)
		ws[i] = (struct node_wire){pf.w[i], pf.len[i]};
	int res[N];
	enum node_msg why[N];
	/* The first batch of TXN commits, the second fails. */
	node_kv_mem_fault(n.kv, NODE_KV_FAULT_WRITE, 1, 1000, 1);
	assert_int_equal(
	    node_verify_ingest_many(n.l, ws, N, TXN, true, res, why), -EIO);
	for (int i = 0; i < N; i++) {
		if (i < TXN)
			assert_int_equal(res[i], 0);
		else
			assert_int_equal(res[i], -EIO);
	}
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), TXN);
	check_consistent(&n);
	/* The last commit fails alone: nothing of it reported applied. */
	node_kv_mem_fault(n.kv, NODE_KV_FAULT_FULL, 2, 1000, 1);
	assert_int_equal(
	    node_verify_ingest_many(n.l, ws, N, TXN, true, res, why), -ENOSPC);
	for (int i = 0; i < N; i++) {
		if (i < TXN)
			assert_int_equal(res[i], 1); /* held already */
		else if (i < 2 * TXN)
			assert_int_equal(res[i], 0);
		else
			assert_int_equal(res[i], -ENOSPC);
	}
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), 2 * TXN);
	check_consistent(&n);
	node_kv_mem_fault_clear(n.kv);
	assert_int_equal(
	    node_verify_ingest_many(n.l, ws, N, TXN, true, res, why), 0);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), N);
	node_crash(&n);
	assert_int_equal(node_ledger_feed_seq(n.l, pk[PEER], SCOPE), N);
	check_consistent(&n);
	peer_free(&pf);
	node_down(&n);
}

/* ---- (e) ---- */

struct acked {
	uint64_t seq;
	uint8_t hash[32];
};

static void entry_hash(const uint8_t *w, size_t len, uint8_t out[32])
{
	struct crdt_entry e;
	assert_int_equal(crdt_entry_decode(w, len, &e, NULL), 0);
	memcpy(out, e.hash, 32);
	crdt_entry_fini(&e);
}

static void test_random(void **state)
{
	(void)state;
	uint64_t seed = test_seed("test_faults random"), rng = seed;
	struct node n;
	struct peer_feed pf;
	memset(&pf, 0, sizeof(pf));
	node_up(&n);
	node_up(&pf.node);
	for (int i = 0; i < 200; i++)
		peer_write(&pf);
	struct acked acks[400];
	size_t n_acks = 0;
	uint8_t patients[400][16];
	size_t n_patients = 0;
	unsigned faults = 0, crashes = 0, refused = 0;
	for (int step = 0; step < 400; step++) {
		uint64_t r = splitmix64(&rng) % 100;
		if (r < 10) {
			/* A fault comes, or goes. */
			if (splitmix64(&rng) % 2) {
				node_kv_mem_fault_clear(n.kv);
			} else {
				enum node_kv_fault k =
				    (enum node_kv_fault)(splitmix64(&rng) % 3);
				node_kv_mem_fault(
				    n.kv, k, splitmix64(&rng) % 3,
				    (unsigned)(200 + splitmix64(&rng) % 801),
				    splitmix64(&rng));
				faults++;
			}
		} else if (r < 18) {
			node_crash(&n);
			crashes++;
		} else if (r < 60) {
			uint64_t seq;
			uint8_t id[16];
			int rc;
			if (n_patients == 0 || splitmix64(&rng) % 2) {
				rc = create_patient(&n, SELF, &seq, id);
				if (rc == 0)
					memcpy(patients[n_patients++], id, 16);
			} else {
				char phone[16];
				snprintf(phone, sizeof(phone), "1390000%04d",
					 step);
				rc = set_phone(
				    &n, SELF,
				    patients[splitmix64(&rng) % n_patients],
				    phone, &seq);
			}
			if (rc == 0) {
				/* A new seq, right after the last one. */
				assert_true(n_acks == 0 ||
					    seq == acks[n_acks - 1].seq + 1);
				size_t len;
				uint8_t *w = entry_at(&n, SELF, seq, &len);
				assert_non_null(w);
				acks[n_acks].seq = seq;
				entry_hash(w, len, acks[n_acks].hash);
				n_acks++;
				free(w);
			} else {
				assert_true(rc == -EIO || rc == -ENOSPC);
				refused++;
			}
		} else if (r < 80) {
			/* The next peer entries, a few at a time. */
			size_t from =
			    (size_t)node_ledger_feed_seq(n.l, pk[PEER], SCOPE);
			size_t to = from + 1 + splitmix64(&rng) % 4;
			if (to > pf.n)
				to = pf.n;
			if (from < to)
				ingest_range(&n, &pf, from, to,
					     splitmix64(&rng) % 2);
		} else {
			/* Many at once, with small commits. */
			size_t from =
			    (size_t)node_ledger_feed_seq(n.l, pk[PEER], SCOPE);
			size_t cnt = pf.n - from < 9 ? pf.n - from : 9;
			struct node_wire ws[9];
			int res[9];
			enum node_msg why[9];
			for (size_t i = 0; i < cnt; i++)
				ws[i] = (struct node_wire){pf.w[from + i],
							   pf.len[from + i]};
			node_verify_ingest_many(n.l, ws, cnt,
						1 + splitmix64(&rng) % 4,
						splitmix64(&rng) % 2, res, why);
			/* Applied means held. */
			uint64_t held =
			    node_ledger_feed_seq(n.l, pk[PEER], SCOPE);
			for (size_t i = 0; i < cnt; i++)
				if (res[i] == 0)
					assert_true(from + i + 1 <= held);
		}
		/* Every acknowledged write is held, unchanged. */
		for (size_t k = 0; k < n_acks; k++) {
			size_t len;
			uint8_t h[32];
			uint8_t *w = entry_at(&n, SELF, acks[k].seq, &len);
			if (!w)
				fail_msg("step %d: acknowledged seq %" PRIu64
					 " lost (seed %" PRIu64 ")",
					 step, acks[k].seq, seed);
			entry_hash(w, len, h);
			free(w);
			assert_memory_equal(h, acks[k].hash, 32);
		}
		if (step % 10 == 0)
			check_consistent(&n);
	}
	node_kv_mem_fault_clear(n.kv);
	check_consistent(&n);
	printf("test_faults random: %zu acknowledged, %u refused, %u faults "
	       "armed, %" PRIu64 " injected, %u crashes\n",
	       n_acks, refused, faults, node_kv_mem_faults(n.kv), crashes);
	assert_true(n_acks > 20 && refused > 0 && crashes > 0);
	peer_free(&pf);
	node_down(&n);
}

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	setup_keys();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(roster);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_write_error),
	    cmocka_unit_test(test_sync_error),
	    cmocka_unit_test(test_disk_full),
	    cmocka_unit_test(test_ingest_many_fault),
	    cmocka_unit_test(test_random),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
