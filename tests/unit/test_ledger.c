/*
 * test_ledger: the node ledger over an in-memory kv (DESIGN.md section 4).
 *
 *  (a) writes at two nodes, exchanged by ingesting each other's 'L' entries
 *      in random interleavings, random txn splits and with duplicates, give
 *      identical digests and entry counts everywhere;
 *  (b) ops on an entity whose create arrives later (feed B before feed A)
 *      end identical to the in-order case;
 *  (c) rejected outright, nothing stored: bad signature, unknown author,
 *      seq gap (-EAGAIN), wrong prev (-EILSEQ past seq 1), hlc not
 *      increasing, trailing bytes;
 *  (d) a fork (two validly signed entries for one feed and seq): -EEXIST
 *      and a 'P' proof;
 *  (e) stored without effect: a police create of a type police may not
 *      create is applied (count rises) but the entity is invalid and an 'F'
 *      finding exists; the same op as a strict local write writes nothing;
 *  (f) crash: a synced write survives node_kv_mem_crash; an unsynced txn
 *      is lost and the reopened ledger's count and digest are those of the
 *      durable state (and equal a fresh replay of the durable log);
 *  (g) node_verify_ingest_many: a forged entry among many is rejected and
 *      the entries after it wait; a second pass applies them.
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

static uint64_t seed;
#include "tests/common/testseed.h"

/* Members: 0 health (120116, also the roster admin), 1 township
 * (120116001), 2 police (120116). */
enum { HEALTH, TOWNSHIP, POLICE, N_MEMBERS };
static uint8_t pk[N_MEMBERS + 1][32], sk[N_MEMBERS + 1][64]; /* +1: stranger */
static uint8_t *roster;
static size_t roster_len;
static uint8_t net_id[32];
static const char *const member_scope[N_MEMBERS] = {"120116", "120116001",
						    "120116"};
#define SCOPE "120116001" /* records live here: all three may write it */
#define T0 1700000000000ull

static char empty[] = "";
static char names[N_MEMBERS][16] = {"health", "township", "police"};

static void setup_keys(void)
{
	for (int i = 0; i <= N_MEMBERS; i++) {
		uint8_t s[32];
		memset(s, 0x40 + i, sizeof(s));
		crypto_sign_seed_keypair(pk[i], sk[i], s);
	}
	struct node_member m[N_MEMBERS];
	static const enum node_role roles[N_MEMBERS] = {
	    NODE_ROLE_HEALTH, NODE_ROLE_TOWNSHIP, NODE_ROLE_POLICE};
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
			     m, N_MEMBERS, pk[HEALTH], sk[HEALTH],
			     1 /* plaintext: sealing's own tests below */,
			     &roster, &roster_len),
			 0);
	struct node_roster *r;
	enum node_msg why = MSG_NONE;
	assert_int_equal(node_roster_decode(roster, roster_len, &r, &why), 0);
	memcpy(net_id, r->body_hash, 32);
	node_roster_free(r);
}

struct node {
	struct node_kv *kv;
	struct node_ledger *l;
};

static void node_up(struct node *n)
{
	test_node_open(&n->kv, &n->l, roster, roster_len);
}

static void node_down(struct node *n)
{
	test_node_close(n->kv, n->l);
}

static size_t count_prefix(struct node_kv *kv, char family)
{
	uint8_t p = (uint8_t)family;
	size_t n = 0;
	struct node_kv_iter *it = node_kv_iter_new(kv, &p, 1);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it))
		n++;
	node_kv_iter_free(it);
	return n;
}

/* BLAKE2b of every key and value of one family, in key order. */
static void family_hash(struct node_kv *kv, char family, uint8_t out[32])
{
	uint8_t p = (uint8_t)family;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	struct node_kv_iter *it = node_kv_iter_new(kv, &p, 1);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		uint64_t lens[2] = {kl, vl};
		crypto_generichash_update(&st, (const uint8_t *)lens,
					  sizeof(lens));
		crypto_generichash_update(&st, k, kl);
		crypto_generichash_update(&st, v, vl);
	}
	node_kv_iter_free(it);
	crypto_generichash_final(&st, out, 32);
}

static uint8_t ref_cells[32], ref_entities[32];
static unsigned cells_differ;

/* ---- entries of a log ---- */

struct wire {
	uint8_t *p;
	size_t len;
};

struct feed {
	size_t n;
	struct wire w[64];
};

/* Reads every 'L' entry of kv whose author is a (in seq order). */
static void read_feed(struct node_kv *kv, const uint8_t a[32],
		      struct feed *f)
{
	uint8_t p = 'L';
	f->n = 0;
	struct node_kv_iter *it = node_kv_iter_new(kv, &p, 1);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		if (kl < 33 || memcmp(k + 1, a, 32) != 0)
			continue;
		assert_true(f->n < 64);
		f->w[f->n].p = malloc(vl);
		memcpy(f->w[f->n].p, v, vl);
		f->w[f->n].len = vl;
		f->n++;
	}
	node_kv_iter_free(it);
}

static void feed_free(struct feed *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->w[i].p);
	f->n = 0;
}

static int ingest_one(struct node *n, const struct wire *w, bool sync,
		      enum node_ingest *res)
{
	enum node_msg why = MSG_NONE;
	struct node_txn *t = node_ledger_begin(n->l);
	int rc = node_txn_ingest(t, w->p, w->len, false, res, &why);
	if (rc == 0)
		assert_int_equal(node_txn_commit(t, sync), 0);
	else
		node_txn_abort(t);
	return rc;
}

/* ---- writes ---- */

static void val_str(struct crdt_value *v, const char *s)
{
	v->kind = CRDT_VALUE_STR;
	v->p = (const uint8_t *)s;
	v->len = strlen(s);
}

static int write_ops(struct node *n, int who, struct crdt_op *ops,
		     size_t n_ops, uint64_t now, uint64_t *seq)
{
	char why[200];
	struct node_write w = {.scope = SCOPE, .n_ops = n_ops, .ops = ops};
	uint64_t s = 0;
	struct node_reason why_r;
	int rc = node_ledger_write(n->l, sk[who], pk[who], &w, now, &s, &why_r);
	if (rc)
		node_schema_reason_text(&why_r, NODE_LANG_EN, why, sizeof(why));
	if (rc)
		fprintf(stderr, "write by %d: %d %s\n", who, rc, why);
	if (seq)
		*seq = s;
	return rc;
}

/* Creates a patient (with its required name) as who; returns its id. */
static void create_patient(struct node *n, int who, uint64_t now,
			   uint8_t id[16])
{
	uint64_t seq;
	node_ledger_next_seq(n->l, pk[who], SCOPE, &seq);
	crdt_entity_id(id, pk[who], SCOPE, seq, 0);
	struct crdt_op ops[2];
	memset(ops, 0, sizeof(ops));
	ops[0].code = CRDT_OP_CREATE;
	ops[0].name = "patient";
	ops[0].name_len = 7;
	ops[1].code = CRDT_OP_SET;
	memcpy(ops[1].entity, id, 16);
	ops[1].name = "name";
	ops[1].name_len = 4;
	val_str(&ops[1].value, "\xe5\xbc\xa0\xe4\xb8\x89"); /* 张三 */
	uint64_t got;
	assert_int_equal(write_ops(n, who, ops, 2, now, &got), 0);
	assert_int_equal(got, seq);
	assert_memory_equal(ops[0].entity, id, 16);
}

/* A register set naming every live version the writer sees. */
static void set_field(struct node *n, int who, const uint8_t id[16],
		      const char *field, const char *value, uint64_t now)
{
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(n->l, id, field, &c), 0);
	struct crdt_dot preds[CRDT_MAX_DOTS];
	size_t np = 0;
	for (size_t i = 0; i < c.n_live && np < CRDT_MAX_DOTS; i++)
		preds[np++] = c.live[i].dot;
	crdt_cell_fini(&c);
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_SET;
	memcpy(op.entity, id, 16);
	op.name = field;
	op.name_len = strlen(field);
	val_str(&op.value, value);
	op.dots = preds;
	op.n_dots = np;
	assert_int_equal(write_ops(n, who, &op, 1, now, NULL), 0);
}

static void add_special(struct node *n, int who, const uint8_t id[16],
			const char *code, uint64_t now)
{
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_ADD;
	memcpy(op.entity, id, 16);
	op.name = "special";
	op.name_len = 7;
	val_str(&op.value, code);
	assert_int_equal(write_ops(n, who, &op, 1, now, NULL), 0);
}

/* Removes code observing the tags this node sees. */
static void remove_special(struct node *n, int who, const uint8_t id[16],
			   const char *code, uint64_t now)
{
	struct crdt_cell c;
	struct crdt_value v;
	val_str(&v, code);
	assert_int_equal(node_ledger_cell(n->l, id, "special", &c), 0);
	struct crdt_dot obs[CRDT_MAX_DOTS];
	size_t no = 0;
	const struct crdt_elem *e = crdt_cell_find(&c, &v);
	for (size_t i = 0; e && i < e->n_tags && no < CRDT_MAX_DOTS; i++)
		obs[no++] = e->tags[i];
	crdt_cell_fini(&c);
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_REMOVE;
	memcpy(op.entity, id, 16);
	op.name = "special";
	op.name_len = 7;
	op.value = v;
	op.dots = obs;
	op.n_dots = no;
	assert_int_equal(write_ops(n, who, &op, 1, now, NULL), 0);
}

/* ---- the shared history of (a) and (b) ---- */

static struct feed feed_a, feed_b, feed_c;
static uint8_t ref_digest[32];
static uint64_t ref_count;
static uint8_t patient1[16], patient2[16];

/* Node A (health) and node B (township) write, exchanging some entries on
 * the way so that they see and supersede each other's versions; node P
 * (police) writes only to what it got from A. */
static void build_history(void)
{
	struct node a, b, p;
	enum node_ingest res;
	node_up(&a);
	node_up(&b);
	node_up(&p);
	uint64_t now = T0;
	create_patient(&a, HEALTH, now += 10, patient1);
	set_field(&a, HEALTH, patient1, "phone", "1300", now += 10);
	add_special(&a, HEALTH, patient1, "floating", now += 10);
	/* B and P learn A's entries so far */
	read_feed(a.kv, pk[HEALTH], &feed_a);
	for (size_t i = 0; i < feed_a.n; i++) {
		assert_int_equal(ingest_one(&b, &feed_a.w[i], true, &res), 0);
		assert_int_equal(ingest_one(&p, &feed_a.w[i], true, &res), 0);
	}
	feed_free(&feed_a);
	/* concurrent edits of the same fields by all three */
	set_field(&a, HEALTH, patient1, "phone", "1311", now += 10);
	set_field(&b, TOWNSHIP, patient1, "phone", "1322", now += 1);
	set_field(&b, TOWNSHIP, patient1, "address", "X road", now += 1);
	add_special(&b, TOWNSHIP, patient1, "weak_guardianship", now += 1);
	remove_special(&b, TOWNSHIP, patient1, "floating", now += 1);
	add_special(&a, HEALTH, patient1, "floating", now += 1);
	remove_special(&p, POLICE, patient1, "floating", now += 1);
	add_special(&p, POLICE, patient1, "lost_contact", now += 1);
	/* B creates a patient of its own and edits it */
	create_patient(&b, TOWNSHIP, now += 10, patient2);
	set_field(&b, TOWNSHIP, patient2, "phone", "1500", now += 10);
	/* a couple of rounds: B learns A, then resolves the conflict */
	read_feed(a.kv, pk[HEALTH], &feed_a);
	for (size_t i = 0; i < feed_a.n; i++)
		assert_int_equal(ingest_one(&b, &feed_a.w[i], true, &res), 0);
	feed_free(&feed_a);
	set_field(&b, TOWNSHIP, patient1, "phone", "1333", now += 10);
	set_field(&a, HEALTH, patient1, "address", "Y road", now += 10);
	read_feed(a.kv, pk[HEALTH], &feed_a);
	read_feed(b.kv, pk[TOWNSHIP], &feed_b);
	read_feed(p.kv, pk[POLICE], &feed_c);
	assert_true(feed_a.n >= 5 && feed_b.n >= 6 && feed_c.n == 2);
	/* exchange everything: A and B converge */
	for (size_t i = 0; i < feed_b.n; i++)
		assert_int_equal(ingest_one(&a, &feed_b.w[i], true, &res), 0);
	for (size_t i = 0; i < feed_c.n; i++) {
		assert_int_equal(ingest_one(&a, &feed_c.w[i], true, &res), 0);
		assert_int_equal(ingest_one(&b, &feed_c.w[i], true, &res), 0);
	}
	for (size_t i = 0; i < feed_a.n; i++)
		assert_int_equal(ingest_one(&b, &feed_a.w[i], true, &res), 0);
	uint8_t da[32], db[32];
	node_ledger_digest(a.l, da);
	node_ledger_digest(b.l, db);
	assert_memory_equal(da, db, 32);
	assert_int_equal(node_ledger_entry_count(a.l),
			 feed_a.n + feed_b.n + feed_c.n);
	assert_int_equal(node_ledger_entry_count(b.l),
			 node_ledger_entry_count(a.l));
	memcpy(ref_digest, da, 32);
	family_hash(a.kv, 'C', ref_cells);
	family_hash(a.kv, 'E', ref_entities);
	ref_count = node_ledger_entry_count(a.l);
	/* the conflict on address is visible: two live versions */
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(a.l, patient1, "address", &c), 0);
	assert_int_equal(c.n_live, 2);
	crdt_cell_fini(&c);
	assert_int_equal(node_ledger_cell(a.l, patient1, "phone", &c), 0);
	assert_int_equal(c.n_live, 1); /* 1333 saw 1311 and 1322 */
	crdt_cell_fini(&c);
	node_down(&a);
	node_down(&b);
	node_down(&p);
}

/* Ingests feeds into a fresh node in the given entry order, split into
 * txns of random sizes; returns the node (caller frees). */
static void replay(struct node *n, struct wire **order, size_t len,
		   bool expect_all_ok)
{
	size_t i = 0;
	while (i < len) {
		size_t take = 1 + rnd_below(4);
		struct node_txn *t = node_ledger_begin(n->l);
		for (size_t k = 0; k < take && i < len; k++, i++) {
			enum node_ingest res;
			enum node_msg why = MSG_NONE;
			int rc = node_txn_ingest(t, order[i]->p, order[i]->len,
						 rnd() & 1, &res, &why);
			if (rc && expect_all_ok)
				fprintf(stderr, "seed %llu: ingest %zu: %d %s\n",
					(unsigned long long)seed, i, rc,
					node_catalog_text(NODE_LANG_EN, why));
			if (expect_all_ok)
				assert_int_equal(rc, 0);
		}
		assert_int_equal(node_txn_commit(t, rnd() & 1), 0);
	}
}

static void check_ref(struct node *n)
{
	uint8_t h[32];
	family_hash(n->kv, 'E', h);
	assert_memory_equal(h, ref_entities, 32);
	/* cells: byte-identical stored state is what audit recomputes and
	 * compares; counted here and asserted in test_cells_identical */
	family_hash(n->kv, 'C', h);
	if (memcmp(h, ref_cells, 32) != 0)
		cells_differ++;

	uint8_t d[32];
	node_ledger_digest(n->l, d);
	assert_memory_equal(d, ref_digest, 32);
	assert_int_equal(node_ledger_entry_count(n->l), ref_count);
	assert_int_equal(count_prefix(n->kv, 'L'), ref_count);
	assert_int_equal(count_prefix(n->kv, 'W'), 0); /* nothing left waiting */
	assert_int_equal(count_prefix(n->kv, 'F'), 0);
	struct node_entity e;
	assert_int_equal(node_ledger_entity(n->l, patient1, &e), 0);
	assert_true(e.valid);
	assert_int_equal(node_ledger_entity(n->l, patient2, &e), 0);
	assert_true(e.valid);
}

static void test_interleavings(void **state)
{
	(void)state;
	struct feed *feeds[3] = {&feed_a, &feed_b, &feed_c};
	for (int trial = 0; trial < 40; trial++) {
		struct wire *order[256];
		size_t len = 0, pos[3] = {0, 0, 0};
		size_t total = feed_a.n + feed_b.n + feed_c.n;
		for (size_t k = 0; k < total;) {
			size_t f = rnd_below(3);
			if (pos[f] >= feeds[f]->n)
				continue;
			order[len++] = &feeds[f]->w[pos[f]++];
			k++;
			/* duplicates of something already sent */
			if (rnd_below(4) == 0) {
				struct wire *dup = order[rnd_below(len)];
				order[len++] = dup;
			}
		}
		struct node n;
		node_up(&n);
		replay(&n, order, len, true);
		check_ref(&n);
		node_down(&n);
	}
}

/* (b): all of B's and P's entries before any of A's, so that every op on
 * patient1 waits for its create; the end state is the in-order one. */
static void test_create_later(void **state)
{
	(void)state;
	struct wire *order[256];
	size_t len = 0;
	for (size_t i = 0; i < feed_b.n; i++)
		order[len++] = &feed_b.w[i];
	for (size_t i = 0; i < feed_c.n; i++)
		order[len++] = &feed_c.w[i];
	struct node n;
	node_up(&n);
	replay(&n, order, len, true);
	assert_true(count_prefix(n.kv, 'W') > 0);
	struct node_entity e;
	assert_int_equal(node_ledger_entity(n.l, patient1, &e), -ENOENT);
	len = 0;
	for (size_t i = 0; i < feed_a.n; i++)
		order[len++] = &feed_a.w[i];
	replay(&n, order, len, true);
	check_ref(&n);
	node_down(&n);
}

/* ---- (c) rejections ---- */

struct hdr {
	int who;
	const char *scope;
	uint64_t seq;
	uint8_t prev[32];
	uint64_t hlc;
};

/* Signs an entry of ops as h->who (pk/sk index; N_MEMBERS: a stranger). */
static void make_entry(const struct hdr *h, struct crdt_op *ops, size_t n,
		       struct crdt_buf *wire, uint8_t hash[32])
{
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, pk[h->who], 32);
	snprintf(e.scope, sizeof(e.scope), "%s", h->scope);
	e.seq = h->seq;
	memcpy(e.prev, h->prev, 32);
	e.hlc = h->hlc;
	e.roster_version = 1;
	e.n_ops = n;
	e.ops = ops;
	for (size_t i = 0; i < n; i++)
		if (ops[i].code == CRDT_OP_CREATE)
			crdt_entity_id(ops[i].entity, e.author, e.scope, e.seq,
				       (uint32_t)i);
	struct crdt_buf body;
	crdt_buf_init(&body);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	crdt_entry_sign(sig, net_id, body.data, body.len, sk[h->who]);
	crdt_buf_reset(wire);
	crdt_entry_encode_wire(wire, body.data, body.len, sig);
	if (hash)
		crdt_entry_hash(hash, body.data, body.len, sig);
	crdt_buf_fini(&body);
}

static struct crdt_op create_op(const char *type)
{
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_CREATE;
	op.name = type;
	op.name_len = strlen(type);
	return op;
}

/* Ingests wire in its own txn, committed whatever happens; checks that no
 * entry and no log record was added when it is rejected. */
static int try_ingest(struct node *n, const uint8_t *w, size_t len,
		      enum node_msg *why)
{
	uint64_t before = node_ledger_entry_count(n->l);
	size_t logs = count_prefix(n->kv, 'L');
	size_t states = count_prefix(n->kv, 'E');
	uint8_t d0[32], d1[32];
	node_ledger_digest(n->l, d0);
	enum node_ingest res;
	struct node_txn *t = node_ledger_begin(n->l);
	*why = MSG_NONE;
	int rc = node_txn_ingest(t, w, len, false, &res, why);
	assert_int_equal(node_txn_commit(t, true), 0);
	if (rc != 0) {
		assert_int_not_equal(*why, MSG_NONE);
		assert_int_equal(node_ledger_entry_count(n->l), before);
		assert_int_equal(count_prefix(n->kv, 'L'), logs);
		assert_int_equal(count_prefix(n->kv, 'E'), states);
		node_ledger_digest(n->l, d1);
		assert_memory_equal(d0, d1, 32);
	}
	return rc;
}

static void test_rejected(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	struct crdt_buf w;
	crdt_buf_init(&w);
	enum node_msg why;
	struct crdt_op op = create_op("patient");
	struct hdr h = {.who = HEALTH, .scope = SCOPE, .seq = 1, .hlc = T0 << 16};

	/* unknown author */
	h.who = N_MEMBERS;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EBADMSG);
	assert_int_equal(why, MSG_I_UNKNOWN_AUTHOR);
	assert_string_equal(node_catalog_text(NODE_LANG_EN, why),
			    "unknown author");
	h.who = HEALTH;
	/* bad signature: one bit of the sig, then one bit of the body */
	make_entry(&h, &op, 1, &w, NULL);
	w.data[w.len - 1] ^= 1;
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EBADMSG);
	assert_int_equal(why, MSG_I_BAD_SIGNATURE);
	w.data[w.len - 1] ^= 1;
	w.data[w.len - 70] ^= 1; /* the last byte of the body: hlc/ops */
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EBADMSG);
	w.data[w.len - 70] ^= 1;
	/* signed by another member's key under this author's name */
	{
		struct crdt_entry e;
		assert_int_equal(crdt_entry_decode(w.data, w.len, &e, NULL), 0);
		uint8_t sig[64];
		crdt_entry_sign(sig, net_id, e.body, e.body_len, sk[TOWNSHIP]);
		struct crdt_buf w2;
		crdt_buf_init(&w2);
		crdt_entry_encode_wire(&w2, e.body, e.body_len, sig);
		assert_int_equal(try_ingest(&n, w2.data, w2.len, &why),
				 -EBADMSG);
		crdt_buf_fini(&w2);
		crdt_entry_fini(&e);
	}
	/* trailing bytes */
	{
		uint8_t *x = malloc(w.len + 1);
		memcpy(x, w.data, w.len);
		x[w.len] = 0xc0;
		assert_int_equal(try_ingest(&n, x, w.len + 1, &why), -EBADMSG);
		assert_int_equal(why, MSG_ENTRY_TRAILING);
		assert_string_equal(node_catalog_text(NODE_LANG_EN, why),
				    "trailing bytes after entry");
		free(x);
	}
	/* wrong prev on seq 1 */
	h.prev[0] = 1;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EBADMSG);
	memset(h.prev, 0, 32);
	/* seq gap */
	h.seq = 2;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EAGAIN);
	assert_int_equal(why, MSG_I_SEQ_GAP);
	assert_string_equal(node_catalog_text(NODE_LANG_EN, why), "seq gap");
	/* the good seq 1 */
	h.seq = 1;
	uint8_t hash1[32];
	make_entry(&h, &op, 1, &w, hash1);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), 0);
	assert_int_equal(node_ledger_entry_count(n.l), 1);
	/* seq 2: wrong prev (its author forked the feed: not the relayer's
	 * fault), then hlc equal, then hlc lower */
	h.seq = 2;
	memset(h.prev, 7, 32);
	h.hlc = (T0 + 1) << 16;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EILSEQ);
	memcpy(h.prev, hash1, 32);
	h.hlc = T0 << 16;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EBADMSG);
	h.hlc = (T0 << 16) - 1;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EBADMSG);
	/* seq 3 is a gap now */
	h.seq = 3;
	h.hlc = (T0 + 5) << 16;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), -EAGAIN);
	/* and the good seq 2 goes in */
	h.seq = 2;
	h.hlc = (T0 + 1) << 16;
	make_entry(&h, &op, 1, &w, NULL);
	assert_int_equal(try_ingest(&n, w.data, w.len, &why), 0);
	assert_int_equal(node_ledger_entry_count(n.l), 2);
	assert_int_equal(count_prefix(n.kv, 'P'), 0);
	assert_int_equal(count_prefix(n.kv, 'F'), 0);
	crdt_buf_fini(&w);
	node_down(&n);
}

/* ---- a waiting op naming a later op of its record's create entry ---- */

/* Regression: township's set names the version health wrote in the same
 * entry that creates the record. Arriving first, it waits; it is applied
 * while the create entry's first op runs, before that entry's own set,
 * which must still be dead on arrival (it was once pruned as settled and
 * came back as a second live version). */
static void test_pred_into_create_entry(void **state)
{
	(void)state;
	struct crdt_buf h1, t1;
	crdt_buf_init(&h1);
	crdt_buf_init(&t1);
	struct crdt_op hops[2];
	memset(hops, 0, sizeof(hops));
	hops[0].code = CRDT_OP_CREATE;
	hops[0].name = "patient";
	hops[0].name_len = 7;
	hops[1].code = CRDT_OP_SET;
	hops[1].name = "name";
	hops[1].name_len = 4;
	hops[1].value = (struct crdt_value){.kind = CRDT_VALUE_STR,
					    .p = (const uint8_t *)"a",
					    .len = 1};
	struct hdr hh = {0, "120116001", 1, {0}, 1000u << 16};
	/* the set's entity is the create's: derive it as make_entry will */
	crdt_entity_id(hops[1].entity, pk[0], "120116001", 1, 0);
	make_entry(&hh, hops, 2, &h1, NULL);
	struct crdt_dot pred;
	memcpy(pred.author, pk[0], 32);
	pred.seq = 1;
	pred.index = 1;
	struct crdt_op top;
	memset(&top, 0, sizeof(top));
	top.code = CRDT_OP_SET;
	memcpy(top.entity, hops[1].entity, 16);
	top.name = "name";
	top.name_len = 4;
	top.value = (struct crdt_value){.kind = CRDT_VALUE_STR,
					.p = (const uint8_t *)"b",
					.len = 1};
	top.dots = &pred;
	top.n_dots = 1;
	struct hdr th = {1, "120116001", 1, {0}, 2000u << 16};
	make_entry(&th, &top, 1, &t1, NULL);
	struct wire wh = {h1.data, h1.len}, wt = {t1.data, t1.len};
	struct node x, y;
	node_up(&x);
	node_up(&y);
	enum node_ingest res;
	assert_int_equal(ingest_one(&x, &wt, false, &res), 0); /* waits */
	assert_int_equal(ingest_one(&x, &wh, false, &res), 0);
	assert_int_equal(ingest_one(&y, &wh, false, &res), 0);
	assert_int_equal(ingest_one(&y, &wt, false, &res), 0);
	struct node *both[2] = {&x, &y};
	for (int i = 0; i < 2; i++) {
		struct crdt_cell c;
		assert_int_equal(node_ledger_cell(both[i]->l, hops[1].entity,
						  "name", &c),
				 0);
		assert_int_equal(c.n_live, 1);
		assert_memory_equal(c.live[0].value.p, "b", 1);
		crdt_cell_fini(&c);
	}
	uint8_t dx[32], dy[32], cx[32], cy[32];
	node_ledger_digest(x.l, dx);
	node_ledger_digest(y.l, dy);
	assert_memory_equal(dx, dy, 32);
	family_hash(x.kv, 'C', cx);
	family_hash(y.kv, 'C', cy);
	assert_memory_equal(cx, cy, 32);
	node_down(&x);
	node_down(&y);
	crdt_buf_fini(&h1);
	crdt_buf_fini(&t1);
}

/* ---- many entries at once, checked on two threads ---- */

/* node_verify_ingest_many over 40 entries (enough for its second thread),
 * committing every 7: one forged signature in the middle is rejected,
 * the entries after it wait for it (a seq gap), and a second pass of the
 * good entries reports the first ones as held and ends where the writer
 * is. */
static void test_ingest_many(void **state)
{
	(void)state;
	struct node a, b;
	node_up(&a);
	node_up(&b);
	enum { N = 40, BAD = 25 };
	for (int i = 0; i < N; i++) {
		uint8_t id[16];
		create_patient(&a, HEALTH, T0 + (uint64_t)i, id);
	}
	struct feed f;
	read_feed(a.kv, pk[HEALTH], &f);
	assert_int_equal(f.n, N);
	struct node_wire ws[N];
	for (size_t i = 0; i < N; i++)
		ws[i] = (struct node_wire){f.w[i].p, f.w[i].len};
	uint8_t *forged = malloc(f.w[BAD].len);
	memcpy(forged, f.w[BAD].p, f.w[BAD].len);
	forged[f.w[BAD].len - 1] ^= 1; /* the signature's last byte */
	ws[BAD].p = forged;
	int res[N];
	enum node_msg why[N];
	assert_int_equal(node_verify_ingest_many(b.l, ws, N, 7, true, res, why),
			 0);
	for (int i = 0; i < N; i++) {
		if (i < BAD) {
			assert_int_equal(res[i], 0);
		} else if (i == BAD) {
			assert_int_equal(res[i], -EBADMSG);
			assert_int_equal(why[i], MSG_I_BAD_SIGNATURE);
			assert_string_equal(
			    node_catalog_text(NODE_LANG_EN, why[i]),
			    "bad signature");
		} else {
			assert_int_equal(res[i], -EAGAIN);
		}
	}
	assert_int_equal(node_ledger_entry_count(b.l), BAD);
	ws[BAD].p = f.w[BAD].p;
	assert_int_equal(node_verify_ingest_many(b.l, ws, N, 7, true, res, why),
			 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(res[i], i < BAD ? 1 : 0);
	uint8_t da[32], db[32];
	node_ledger_digest(a.l, da);
	node_ledger_digest(b.l, db);
	assert_memory_equal(da, db, 32);
	assert_int_equal(node_ledger_entry_count(b.l), N);
	free(forged);
	feed_free(&f);
	node_down(&a);
	node_down(&b);
}

/* ---- reading a feed's log for gossip ---- */

static void test_read_range(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	struct crdt_buf w;
	crdt_buf_init(&w);
	uint8_t prev[32] = {0};
	for (uint64_t seq = 1; seq <= 6; seq++) {
		struct crdt_op op;
		memset(&op, 0, sizeof(op));
		op.code = CRDT_OP_CREATE;
		op.name = "patient";
		op.name_len = 7;
		struct hdr h = {0, "120116001", seq, {0}, (1000u + seq) << 16};
		memcpy(h.prev, prev, 32);
		make_entry(&h, &op, 1, &w, prev);
		struct wire x = {w.data, w.len};
		enum node_ingest res;
		assert_int_equal(ingest_one(&n, &x, false, &res), 0);
	}
	struct crdt_buf out;
	crdt_buf_init(&out);
	/* From the middle, bounded by count. */
	assert_int_equal(node_ledger_read_range(n.l, pk[0], "120116001", 3, 2,
						1 << 20, &out),
			 2);
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, out.data, out.len, true);
	for (uint64_t want = 3; want <= 4; want++) {
		const uint8_t *start = c.p;
		assert_int_equal(crdt_mp_skip(&c), 0);
		struct crdt_entry e;
		assert_int_equal(crdt_entry_decode(start, (size_t)(c.p - start),
						   &e, NULL),
				 0);
		assert_int_equal(e.seq, want);
		crdt_entry_fini(&e);
	}
	assert_int_equal(crdt_mp_left(&c), 0);
	/* Past the head: nothing; another feed: nothing. */
	crdt_buf_reset(&out);
	assert_int_equal(node_ledger_read_range(n.l, pk[0], "120116001", 7, 5,
						1 << 20, &out),
			 0);
	assert_int_equal(node_ledger_read_range(n.l, pk[1], "120116001", 1, 5,
						1 << 20, &out),
			 0);
	/* The byte budget stops before an entry that would exceed it, but
	 * always gives the first. */
	assert_int_equal(node_ledger_read_range(n.l, pk[0], "120116001", 1, 6,
						1, &out),
			 1);
	crdt_buf_fini(&out);
	crdt_buf_fini(&w);
	node_down(&n);
}

/* ---- (d) fork ---- */

static void test_fork(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	struct crdt_buf w1, w2;
	crdt_buf_init(&w1);
	crdt_buf_init(&w2);
	enum node_msg why;
	struct crdt_op op = create_op("patient");
	struct hdr h = {.who = TOWNSHIP, .scope = SCOPE, .seq = 1, .hlc = T0 << 16};
	make_entry(&h, &op, 1, &w1, NULL);
	h.hlc++;
	make_entry(&h, &op, 1, &w2, NULL);
	assert_int_equal(try_ingest(&n, w1.data, w1.len, &why), 0);
	assert_int_equal(count_prefix(n.kv, 'P'), 0);
	/* the same entry again is a duplicate, not a fork */
	enum node_ingest res;
	assert_int_equal(ingest_one(&n, &(struct wire){w1.data, w1.len}, true,
				    &res),
			 0);
	assert_int_equal(res, NODE_INGEST_DUPLICATE);
	assert_int_equal(try_ingest(&n, w2.data, w2.len, &why), -EEXIST);
	assert_int_equal(node_ledger_entry_count(n.l), 1);
	assert_int_equal(count_prefix(n.kv, 'P'), 1);
	/* the proof holds both entries */
	uint8_t p = 'P';
	struct node_kv_iter *it = node_kv_iter_new(n.kv, &p, 1);
	assert_true(node_kv_iter_valid(it));
	size_t vl;
	const uint8_t *v = node_kv_iter_value(it, &vl);
	struct crdt_mp_cursor c;
	size_t arr;
	const uint8_t *a, *b;
	size_t al, bl;
	crdt_mp_cursor_init(&c, v, vl, true);
	assert_int_equal(crdt_mp_read_array(&c, &arr), 0);
	assert_int_equal(arr, 2);
	assert_int_equal(crdt_mp_read_bin(&c, &a, &al), 0);
	assert_int_equal(crdt_mp_read_bin(&c, &b, &bl), 0);
	assert_int_equal(al, w1.len);
	assert_memory_equal(a, w1.data, al);
	assert_int_equal(bl, w2.len);
	assert_memory_equal(b, w2.data, bl);
	node_kv_iter_free(it);
	/* a fork proof survives even when the txn is aborted */
	struct node n2;
	node_up(&n2);
	assert_int_equal(try_ingest(&n2, w2.data, w2.len, &why), 0);
	struct node_txn *t = node_ledger_begin(n2.l);
	assert_int_equal(node_txn_ingest(t, w1.data, w1.len, false, &res, &why),
			 -EEXIST);
	node_txn_abort(t);
	assert_int_equal(count_prefix(n2.kv, 'P'), 1);
	node_down(&n2);
	crdt_buf_fini(&w1);
	crdt_buf_fini(&w2);
	node_down(&n);
}

/* ---- (e) stored without effect ---- */

struct read_seen {
	size_t findings, ops, ops_with_finding, ids;
	uint32_t last_index;
	uint8_t id[16];
};

static int seen_finding(void *ctx, const struct node_ledger_finding *f)
{
	struct read_seen *s = ctx;
	assert_memory_equal(f->author, pk[POLICE], 32);
	assert_int_equal(f->seq, 1);
	assert_true(f->reason.id != MSG_NONE);
	s->findings++;
	s->last_index = f->index;
	return 0;
}

static int seen_op(void *ctx, const struct node_ledger_op *o)
{
	struct read_seen *s = ctx;
	assert_int_equal(o->seq, 1);
	assert_int_equal(o->index, s->ops);
	s->ops++;
	s->ops_with_finding += o->finding != NULL;
	return 0;
}

static int seen_id(void *ctx, const uint8_t id[16])
{
	struct read_seen *s = ctx;
	memcpy(s->id, id, 16);
	s->ids++;
	return 0;
}

static void test_without_effect(void **state)
{
	(void)state;
	/* DOMAIN.md's followup creators include police (schema.c FU), so a
	 * type police may not create is picked from the table. */
	const struct node_type *fu = node_schema_type("followup", 8);
	assert_non_null(fu);
	if (node_schema_may_create(fu, NODE_ROLE_POLICE))
		printf("note: the schema lets police create followup; using "
		       "a type police may not create\n");
	const struct node_type *type = NULL;
	for (size_t i = 0; i < node_schema_type_count() && !type; i++)
		if (!node_schema_may_create(node_schema_type_at(i),
					    NODE_ROLE_POLICE))
			type = node_schema_type_at(i);
	assert_non_null(type);
	struct node n;
	node_up(&n);
	/* strict local write: refused, nothing written */
	struct crdt_op op = create_op(type->name);
	char why[200];
	struct node_write w = {.scope = "120116", .n_ops = 1, .ops = &op};
	uint64_t seq = 0;
	struct node_reason why_r;
	int rc = node_ledger_write(n.l, sk[POLICE], pk[POLICE], &w, T0, &seq,
				   &why_r);
	node_schema_reason_text(&why_r, NODE_LANG_EN, why, sizeof(why));
	assert_true(rc == -EPERM || rc == -EINVAL);
	assert_int_equal(node_ledger_entry_count(n.l), 0);
	assert_int_equal(count_prefix(n.kv, 'L'), 0);
	assert_int_equal(count_prefix(n.kv, 'F'), 0);
	assert_int_equal(count_prefix(n.kv, 'E'), 0);
	uint64_t next;
	node_ledger_next_seq(n.l, pk[POLICE], "120116", &next);
	assert_int_equal(next, 1);
	/* the same op signed and received: applied without effect */
	struct crdt_buf wire;
	crdt_buf_init(&wire);
	struct hdr h = {.who = POLICE, .scope = "120116", .seq = 1,
			.hlc = T0 << 16};
	op = create_op(type->name);
	struct crdt_op ops[2];
	ops[0] = op;
	memset(&ops[1], 0, sizeof(ops[1]));
	ops[1].code = CRDT_OP_SET;
	ops[1].name = "retract_reason";
	ops[1].name_len = strlen("retract_reason");
	val_str(&ops[1].value, "x");
	crdt_entity_id(ops[1].entity, pk[POLICE], "120116", 1, 0);
	make_entry(&h, ops, 2, &wire, NULL);
	uint8_t d0[32], d1[32];
	node_ledger_digest(n.l, d0);
	enum node_msg reason;
	assert_int_equal(try_ingest(&n, wire.data, wire.len, &reason), 0);
	assert_int_equal(node_ledger_entry_count(n.l), 1);
	node_ledger_digest(n.l, d1);
	assert_memory_equal(d0, d1, 32); /* no effect on the state */
	struct node_entity e;
	assert_int_equal(node_ledger_entity(n.l, ops[0].entity, &e), 0);
	assert_false(e.valid);
	assert_true(e.reason_len > 0);
	struct node_reason er;
	node_entity_why(&e, &er);
	assert_int_equal(er.id, MSG_F_ROLE_MAY_NOT_CREATE);
	assert_int_equal(count_prefix(n.kv, 'F'), 2); /* create and set */
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(n.l, ops[0].entity, "retract_reason",
					  &c),
			 0);
	assert_true(crdt_cell_empty(&c));
	crdt_cell_fini(&c);
	/* The read API (ledger_read.c) sees what was stored. */
	struct read_seen seen = {0};
	assert_int_equal(node_ledger_each_finding(n.l, seen_finding, &seen), 0);
	assert_int_equal(seen.findings, 2);
	assert_int_equal(seen.last_index, 1);
	assert_int_equal(node_ledger_record_history(n.l, ops[0].entity,
						    seen_op, &seen),
			 0);
	assert_int_equal(seen.ops, 2); /* the create and the set, both dead */
	assert_int_equal(seen.ops_with_finding, 2);
	/* by type: valid creates only */
	assert_int_equal(node_ledger_each_of_type(n.l, type->name, seen_id,
						  &seen),
			 0);
	assert_int_equal(seen.ids, 0);
	assert_int_equal(node_ledger_each_id(n.l, ops[0].entity, 3, seen_id,
					     &seen),
			 0);
	assert_int_equal(seen.ids, 1);
	assert_memory_equal(seen.id, ops[0].entity, 16);
	struct node_ledger_log *log = node_ledger_log_open(n.l);
	struct node_log_pos pos;
	const uint8_t *lw;
	size_t lwl;
	assert_int_equal(node_ledger_log_next(log, &pos, &lw, &lwl), 1);
	assert_memory_equal(pos.author, pk[POLICE], 32);
	assert_string_equal(pos.scope, "120116");
	assert_int_equal(pos.seq, 1);
	assert_int_equal(lwl, wire.len);
	assert_memory_equal(lw, wire.data, wire.len);
	assert_int_equal(node_ledger_log_next(log, &pos, &lw, &lwl), 0);
	node_ledger_log_close(log);
	crdt_buf_fini(&wire);
	node_down(&n);
}

/* ---- (f) crash ---- */

static void test_crash(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	uint8_t id[16], d_durable[32], d[32];
	create_patient(&n, HEALTH, T0, id);
	set_field(&n, HEALTH, id, "phone", "1300", T0 + 1);
	node_kv_mem_crash(n.kv);
	node_ledger_close(n.l);
	assert_int_equal(node_ledger_open(n.kv, &n.l), 0);
	assert_non_null(node_ledger_roster(n.l));
	assert_int_equal(node_ledger_entry_count(n.l), 2);
	node_ledger_digest(n.l, d_durable);
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(n.l, id, "phone", &c), 0);
	assert_int_equal(c.n_live, 1);
	crdt_cell_fini(&c);
	/* an unsynced txn: someone else's entry, then a crash */
	struct crdt_buf w;
	crdt_buf_init(&w);
	struct crdt_op op = create_op("patient");
	struct hdr h = {.who = TOWNSHIP, .scope = SCOPE, .seq = 1,
			.hlc = T0 << 16};
	make_entry(&h, &op, 1, &w, NULL);
	enum node_ingest res;
	assert_int_equal(ingest_one(&n, &(struct wire){w.data, w.len}, false,
				    &res),
			 0);
	assert_int_equal(node_ledger_entry_count(n.l), 3);
	node_ledger_digest(n.l, d);
	assert_memory_not_equal(d, d_durable, 32);
	node_kv_mem_crash(n.kv);
	node_ledger_close(n.l);
	assert_int_equal(node_ledger_open(n.kv, &n.l), 0);
	assert_int_equal(node_ledger_entry_count(n.l), 2);
	assert_int_equal(count_prefix(n.kv, 'L'), 2);
	node_ledger_digest(n.l, d);
	assert_memory_equal(d, d_durable, 32);
	struct node_entity e;
	uint8_t lost[16];
	crdt_entity_id(lost, pk[TOWNSHIP], SCOPE, 1, 0);
	assert_int_equal(node_ledger_entity(n.l, lost, &e), -ENOENT);
	/* the durable log replayed from scratch gives the same digest */
	struct feed f;
	read_feed(n.kv, pk[HEALTH], &f);
	assert_int_equal(f.n, 2);
	struct node fresh;
	node_up(&fresh);
	for (size_t i = 0; i < f.n; i++)
		assert_int_equal(ingest_one(&fresh, &f.w[i], true, &res), 0);
	node_ledger_digest(fresh.l, d);
	assert_memory_equal(d, d_durable, 32);
	node_down(&fresh);
	feed_free(&f);
	/* the lost entry can be received again, and the node writes on */
	assert_int_equal(ingest_one(&n, &(struct wire){w.data, w.len}, true,
				    &res),
			 0);
	assert_int_equal(res, NODE_INGEST_APPLIED);
	set_field(&n, HEALTH, id, "phone", "1301", T0 + 2);
	assert_int_equal(node_ledger_entry_count(n.l), 4);
	node_kv_mem_crash(n.kv);
	node_ledger_close(n.l);
	assert_int_equal(node_ledger_open(n.kv, &n.l), 0);
	assert_int_equal(node_ledger_entry_count(n.l), 4);
	crdt_buf_fini(&w);
	node_down(&n);
}

/* DESIGN.md section 4: an entry whose hlc is more than 60 s past the wall
 * clock is accepted, and the skew is counted (the last one named), kept
 * across a restart, not counted for a duplicate or an aborted txn. */
static uint64_t skew_now_ms;
static uint64_t skew_clock(void *ctx)
{
	(void)ctx;
	return skew_now_ms;
}

static void test_clock_skew(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	skew_now_ms = T0 + 1000;
	node_ledger_set_clock(n.l, skew_clock, NULL);
	struct node_clock_skew k;
	node_ledger_clock_skew(n.l, &k);
	assert_int_equal(k.count, 0);
	struct crdt_buf w1, w2, w3;
	crdt_buf_init(&w1);
	crdt_buf_init(&w2);
	crdt_buf_init(&w3);
	struct crdt_op op = create_op("patient");
	/* 30 s ahead: within the bound */
	struct hdr h = {.who = TOWNSHIP,
			.scope = SCOPE,
			.seq = 1,
			.hlc = (skew_now_ms + 30000) << 16};
	make_entry(&h, &op, 1, &w1, h.prev);
	enum node_ingest res;
	assert_int_equal(
	    ingest_one(&n, &(struct wire){w1.data, w1.len}, true, &res), 0);
	node_ledger_clock_skew(n.l, &k);
	assert_int_equal(k.count, 0);
	/* 61 s ahead: accepted and counted */
	h.seq = 2;
	h.hlc = (skew_now_ms + 61000) << 16;
	make_entry(&h, &op, 1, &w2, NULL);
	assert_int_equal(
	    ingest_one(&n, &(struct wire){w2.data, w2.len}, true, &res), 0);
	assert_int_equal(res, NODE_INGEST_APPLIED);
	node_ledger_clock_skew(n.l, &k);
	assert_int_equal(k.count, 1);
	assert_memory_equal(k.author, pk[TOWNSHIP], 32);
	assert_string_equal(k.scope, SCOPE);
	assert_int_equal(k.seq, 2);
	assert_int_equal(k.hlc, h.hlc);
	/* the same entry again is a duplicate: not counted twice */
	assert_int_equal(
	    ingest_one(&n, &(struct wire){w2.data, w2.len}, true, &res), 0);
	assert_int_equal(res, NODE_INGEST_DUPLICATE);
	node_ledger_clock_skew(n.l, &k);
	assert_int_equal(k.count, 1);
	/* an aborted txn counts nothing */
	uint8_t prev[32];
	crdt_buf_reset(&w2);
	make_entry(&h, &op, 1, &w2, prev);
	memcpy(h.prev, prev, 32);
	h.seq = 3;
	h.hlc += 1u << 16;
	make_entry(&h, &op, 1, &w3, NULL);
	enum node_msg why = MSG_NONE;
	struct node_txn *t = node_ledger_begin(n.l);
	assert_int_equal(node_txn_ingest(t, w3.data, w3.len, false, &res, &why),
			 0);
	node_txn_abort(t);
	node_ledger_clock_skew(n.l, &k);
	assert_int_equal(k.count, 1);
	/* kept in the store: a restart still knows */
	node_ledger_close(n.l);
	assert_int_equal(node_ledger_open(n.kv, &n.l), 0);
	node_ledger_set_clock(n.l, skew_clock, NULL);
	node_ledger_clock_skew(n.l, &k);
	assert_int_equal(k.count, 1);
	assert_int_equal(k.seq, 2);
	assert_int_equal(
	    ingest_one(&n, &(struct wire){w3.data, w3.len}, true, &res), 0);
	node_ledger_clock_skew(n.l, &k);
	assert_int_equal(k.count, 2);
	assert_int_equal(k.seq, 3);
	crdt_buf_fini(&w1);
	crdt_buf_fini(&w2);
	crdt_buf_fini(&w3);
	node_down(&n);
}

/* The stored cells of every replay above equal those of node A: the merge
 * converges byte for byte, not only in digest. */
static void test_cells_identical(void **state)
{
	(void)state;
	if (cells_differ)
		fprintf(stderr, "%u replays stored cells ('C') differing from "
			"node A's, with the same digest\n", cells_differ);
	assert_int_equal(cells_differ, 0);
}

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	setup_keys();
	build_history();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	feed_free(&feed_a);
	feed_free(&feed_b);
	feed_free(&feed_c);
	free(roster);
	return 0;
}

int main(void)
{
	const char *s = getenv("WARD_SEED");
	if (s)
		seed = strtoull(s, NULL, 0);
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	rng_state = seed;
	printf("test_ledger: seed %llu (replay with WARD_SEED=%llu)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_interleavings),
	    cmocka_unit_test(test_create_later),
	    cmocka_unit_test(test_cells_identical),
	    cmocka_unit_test(test_rejected),
	    cmocka_unit_test(test_fork),
	    cmocka_unit_test(test_pred_into_create_entry),
	    cmocka_unit_test(test_ingest_many),
	    cmocka_unit_test(test_read_range),
	    cmocka_unit_test(test_without_effect),
	    cmocka_unit_test(test_crash),
	    cmocka_unit_test(test_clock_skew),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
