/*
 * test_sealing: sealed H and ID fields in the ledger (DESIGN.md section 8,
 * DOMAIN.md section 5), with entries built and signed by hand.
 *
 *  1. a sealed name under a usable key record of the field's group takes
 *     effect; the cell holds the sealed bytes, which open with the key; the
 *     digest does not depend on the order feeds arrive in;
 *  2. plaintext in a sealed field under schema 2: no effect, NOT_SEALED;
 *     the same under schema 1 takes effect;
 *  3. a truncated sealed value, a flipped magic byte: no effect, a finding;
 *  4. a sealed value naming an unknown key waits, and takes effect when its
 *     key record arrives (same digest as key-first); a later set naming the
 *     waiting op in its pred wins (no resurrection);
 *  5. key record rules: a creator outside its roles, roles set twice,
 *     key_id before roles, key_id outside the create entry;
 *  6. envelopes for non-members of the group are refused, for members kept;
 *  7. a key_id shared by records of two groups serves each group only
 *     through that group's record;
 *  8. a roster version that changes a group's members: old keys no longer
 *     serve entries naming it, new keys do; old entries keep old keys;
 *  9. a sealed value in an unsealed field: SEALED_IN_PLAIN;
 * 10. a strict local write of a sealed value with no usable key: refused
 *     with NO_KEY, nothing written;
 * 11. a follow-up's H field: health's alone under schema 2;
 * 12. a revocation bound arriving later: judging again keeps key records
 *     and sealed values consistent with a fresh ingest under the new chain;
 * 13. a sealed set element added under a key that no longer serves can
 *     still be removed; a remove of a waiting add wins in any order;
 * 14. an op waits for its record's create, then for its key record;
 * 15. a key record and a value naming it in one local write;
 * 16. many entries in one transaction (as ingest commits them) get the
 *     verdicts they get one transaction each: whether a key serves is
 *     remembered within a transaction, per key, group, scope and version.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "crdt/crdt.h"
#include "crdt/seal.h"
#include "node/catalog/catalog.h"
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/store/kv.h"

/* Members: health (120116, the one admin), township (120116001), police
 * (120116), the auditor (120116), a second township (120116002); and a
 * stranger outside every roster. */
enum { HEALTH, TOWNSHIP, POLICE, AUDITOR, TOWN2, STRANGER, N_KEYS };
static uint8_t pk[N_KEYS][32], sk[N_KEYS][64];
static char empty[] = "";
static char names[N_KEYS][16] = {"health", "township", "police",
				 "auditor", "town2", "stranger"};
static const enum node_role roles_of[N_KEYS] = {
    NODE_ROLE_HEALTH, NODE_ROLE_TOWNSHIP, NODE_ROLE_POLICE,
    NODE_ROLE_AUDITOR, NODE_ROLE_TOWNSHIP, NODE_ROLE_HEALTH};
static const char *const scope_of[N_KEYS] = {"120116", "120116001", "120116",
					     "120116", "120116002", "120116"};
#define SCOPE "120116001" /* records live here */
#define T0 1700000000000ull

/* Groups: ID fields (every role) and health's H fields (auditor, health). */
#define G_ALL ((1u << NODE_ROLE_COUNT) - 1)
#define G_AH (NODE_ROLE_BIT(NODE_ROLE_AUDITOR) | NODE_ROLE_BIT(NODE_ROLE_HEALTH))

/* ---- networks ---- */

struct net {
	size_t n;	  /* versions */
	uint8_t *w[3];	  /* version i + 1's wire */
	size_t len[3];
	uint8_t id[32];	  /* net_id */
};

/* net2: schema 2, v2 removes police, v3 the auditor. netr: schema 2, v2 revokes
 * township's feed SCOPE after seq 2. net1: schema 1, genesis only. */
static struct net net2, netr, net1;

static struct node_roster *decode(const uint8_t *w, size_t n)
{
	struct node_roster *r;
	enum node_msg why = MSG_NONE;
	int rc = node_roster_decode(w, n, &r, &why);
	if (rc)
		fprintf(stderr, "decode: %s\n",
			node_catalog_text(NODE_LANG_EN, why));
	assert_int_equal(rc, 0);
	return r;
}

/* r's body signed by health, the one admin. */
static uint8_t *sign_roster(const struct node_roster *r, size_t *len)
{
	struct crdt_buf body, out;
	crdt_buf_init(&body);
	crdt_buf_init(&out);
	node_roster_encode_body(&body, r);
	uint8_t sig[64];
	node_roster_sign(body.data, body.len, sk[HEALTH], sig);
	node_roster_assemble(&out, body.data, body.len, 1,
			     (const uint8_t(*)[32])pk[HEALTH],
			     (const uint8_t(*)[64])sig);
	crdt_buf_fini(&body);
	return crdt_buf_take(&out, len);
}

static void build_genesis(struct net *n, uint64_t sv)
{
	struct node_member m[5];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 5; i++) {
		memcpy(m[i].key, pk[i], 32);
		m[i].role = roles_of[i];
		m[i].name = names[i];
		snprintf(m[i].scope, sizeof(m[i].scope), "%s", scope_of[i]);
		m[i].address = empty;
		m[i].cert_pem = empty;
	}
	assert_int_equal(node_roster_build_genesis_schema(m, 5, pk[HEALTH],
							  sk[HEALTH], sv,
							  &n->w[0], &n->len[0]),
			 0);
	n->n = 1;
	struct node_roster *g = decode(n->w[0], n->len[0]);
	memcpy(n->id, g->body_hash, 32);
	assert_int_equal(g->schema_version, sv);
	node_roster_free(g);
}

/* Appends the successor of n's newest version, changed by mut. */
static void add_version(struct net *n, void (*mut)(struct node_roster *))
{
	struct node_roster *r = decode(n->w[n->n - 1], n->len[n->n - 1]);
	r->version++;
	r->has_prev = true;
	memcpy(r->prev, r->body_hash, 32);
	mut(r);
	n->w[n->n] = sign_roster(r, &n->len[n->n]);
	n->n++;
	node_roster_free(r);
}

static void remove_police(struct node_roster *r)
{
	for (size_t i = 0; i < r->n_members; i++) {
		if (memcmp(r->members[i].key, pk[POLICE], 32) != 0)
			continue;
		node_member_fini(&r->members[i]);
		memmove(&r->members[i], &r->members[i + 1],
			(r->n_members - i - 1) * sizeof(*r->members));
		r->n_members--;
		return;
	}
	fail();
}

static void remove_auditor(struct node_roster *r)
{
	for (size_t i = 0; i < r->n_members; i++) {
		if (memcmp(r->members[i].key, pk[AUDITOR], 32) != 0)
			continue;
		node_member_fini(&r->members[i]);
		memmove(&r->members[i], &r->members[i + 1],
			(r->n_members - i - 1) * sizeof(*r->members));
		r->n_members--;
		return;
	}
	fail();
}

static void revoke_township(struct node_roster *r)
{
	for (size_t i = 0; i < r->n_members; i++) {
		struct node_member *m = &r->members[i];
		if (memcmp(m->key, pk[TOWNSHIP], 32) != 0)
			continue;
		m->revoked = calloc(1, sizeof(*m->revoked));
		snprintf(m->revoked[0].scope, 13, "%s", SCOPE);
		m->revoked[0].seq = 2;
		m->n_revoked = 1;
		return;
	}
	fail();
}

static uint8_t *chain_of(const struct net *n, size_t k, size_t *len)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, k);
	for (size_t i = 0; i < k; i++)
		crdt_buf_append(&b, n->w[i], n->len[i]);
	return crdt_buf_take(&b, len);
}

struct node {
	struct node_kv *kv;
	struct node_ledger *l;
};

/* A ledger holding versions 1..k of n. */
static void node_up(struct node *nd, const struct net *n, size_t k)
{
	struct node_reason why;
	char text[512];
	size_t len;
	uint8_t *c = chain_of(n, k, &len);
	nd->kv = node_kv_new_mem();
	assert_non_null(nd->kv);
	assert_int_equal(node_ledger_open(nd->kv, &nd->l), 0);
	int rc = node_ledger_set_roster(nd->l, c, len, &why);
	if (rc)
		fprintf(stderr, "set_roster: %s\n",
			node_reason_text(&why, NODE_LANG_EN, text, sizeof(text)));
	assert_int_equal(rc, 0);
	free(c);
}

static void node_down(struct node *nd)
{
	node_ledger_close(nd->l);
	node_kv_close(nd->kv);
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < N_KEYS; i++) {
		uint8_t s[32];
		memset(s, 0x70 + i, sizeof(s));
		crypto_sign_seed_keypair(pk[i], sk[i], s);
	}
	build_genesis(&net2, 2);
	add_version(&net2, remove_police);
	add_version(&net2, remove_auditor);
	build_genesis(&netr, 2);
	add_version(&netr, revoke_township);
	build_genesis(&net1, 1);
	return 0;
}

static void net_free(struct net *n)
{
	for (size_t i = 0; i < n->n; i++)
		free(n->w[i]);
	n->n = 0;
}

static int teardown(void **state)
{
	(void)state;
	net_free(&net2);
	net_free(&netr);
	net_free(&net1);
	return 0;
}

/* ---- values: an arena freed after each test ---- */

static struct crdt_buf arena[256];
static size_t n_arena;

static struct crdt_buf *arena_buf(void)
{
	assert_true(n_arena < sizeof(arena) / sizeof(arena[0]));
	struct crdt_buf *b = &arena[n_arena++];
	crdt_buf_init(b);
	return b;
}

static int arena_reset(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_arena; i++)
		crdt_buf_fini(&arena[i]);
	n_arena = 0;
	return 0;
}

static struct crdt_value v_str(const char *s)
{
	struct crdt_value v = {.kind = CRDT_VALUE_STR,
			       .p = (const uint8_t *)s,
			       .len = strlen(s)};
	return v;
}

static struct crdt_value v_bin(const uint8_t *p, size_t len)
{
	struct crdt_value v = {.kind = CRDT_VALUE_BIN, .p = p, .len = len};
	return v;
}

static struct crdt_value v_nil(void)
{
	struct crdt_value v = {.kind = CRDT_VALUE_NIL};
	return v;
}

/* text (a str value) of field of entity sealed under k for network n. */
static struct crdt_value sealed(const uint8_t k[32], const struct net *n,
				const uint8_t entity[16], const char *field,
				const char *text)
{
	struct crdt_buf *b = arena_buf();
	struct crdt_value pv = v_str(text);
	assert_int_equal(crdt_seal_value(b, k, n->id, entity, field,
					 strlen(field), &pv),
			 0);
	return v_bin(b->data, b->len);
}

static void new_key(uint8_t k[32], uint8_t id[16])
{
	crdt_seal_key_new(k);
	crdt_seal_key_id(k, id);
}

/* ---- entries ---- */

struct wire {
	uint8_t *p;
	size_t len;
};

struct feed {
	const struct net *net;
	int who;
	const char *scope;
	uint64_t seq;
	uint8_t prev[32];
};

static uint64_t clock_ms = T0;
static struct wire wires[128];
static size_t n_wires;

static void feed_init(struct feed *f, const struct net *n, int who)
{
	memset(f, 0, sizeof(*f));
	f->net = n;
	f->who = who;
	f->scope = SCOPE;
}

/* The entity id of create op i of f's next entry. */
static void next_id(const struct feed *f, uint32_t i, uint8_t id[16])
{
	crdt_entity_id(id, pk[f->who], f->scope, f->seq + 1, i);
}

/* The dot of op i of f's last entry. */
static struct crdt_dot last_dot(const struct feed *f, uint32_t i)
{
	struct crdt_dot d;
	memset(&d, 0, sizeof(d));
	memcpy(d.author, pk[f->who], 32);
	d.seq = f->seq;
	d.index = i;
	return d;
}

/* f's next entry of ops, naming roster version rv; the wire is kept until
 * the test's teardown. Create ops get their entity ids. */
static struct wire put(struct feed *f, uint64_t rv, struct crdt_op *ops,
		       size_t n_ops)
{
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, pk[f->who], 32);
	snprintf(e.scope, sizeof(e.scope), "%s", f->scope);
	e.seq = ++f->seq;
	memcpy(e.prev, f->prev, 32);
	e.hlc = (clock_ms += 1000) << 16;
	e.roster_version = rv;
	e.n_ops = n_ops;
	e.ops = ops;
	for (size_t i = 0; i < n_ops; i++)
		if (ops[i].code == CRDT_OP_CREATE)
			crdt_entity_id(ops[i].entity, e.author, e.scope, e.seq,
				       (uint32_t)i);
	struct crdt_buf body, wire;
	crdt_buf_init(&body);
	crdt_buf_init(&wire);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	crdt_entry_sign(sig, f->net->id, body.data, body.len, sk[f->who]);
	crdt_entry_encode_wire(&wire, body.data, body.len, sig);
	crdt_entry_hash(f->prev, body.data, body.len, sig);
	crdt_buf_fini(&body);
	assert_true(n_wires < sizeof(wires) / sizeof(wires[0]));
	struct wire w;
	w.p = crdt_buf_take(&wire, &w.len);
	wires[n_wires++] = w;
	return w;
}

static int test_teardown(void **state)
{
	for (size_t i = 0; i < n_wires; i++)
		free(wires[i].p);
	n_wires = 0;
	return arena_reset(state);
}

static struct crdt_op op_create(const char *type)
{
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_CREATE;
	op.name = type;
	op.name_len = strlen(type);
	return op;
}

static struct crdt_op op_field(enum crdt_op_code code,
			       const uint8_t entity[16], const char *field,
			       struct crdt_value v)
{
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = code;
	memcpy(op.entity, entity, 16);
	op.name = field;
	op.name_len = strlen(field);
	op.value = v;
	return op;
}

static struct crdt_op op_set(const uint8_t entity[16], const char *field,
			     struct crdt_value v)
{
	return op_field(CRDT_OP_SET, entity, field, v);
}

static struct crdt_value roles_value(unsigned mask)
{
	struct crdt_buf *b = arena_buf();
	char text[96];
	size_t n = node_schema_roles_text(mask, text, sizeof(text));
	crdt_buf_append(b, (const uint8_t *)text, n);
	struct crdt_value v = {.kind = CRDT_VALUE_STR, .p = b->data, .len = n};
	return v;
}

static struct crdt_value envelope_value(int to, const uint8_t k[32])
{
	struct crdt_buf *b = arena_buf();
	uint8_t env[CRDT_SEAL_ENVELOPE_BYTES];
	assert_int_equal(crdt_seal_envelope(env, pk[to], k), 0);
	crdt_buf_append(b, env, sizeof(env));
	return v_bin(b->data, b->len);
}

static struct crdt_value key_id_value(const uint8_t k[32])
{
	struct crdt_buf *b = arena_buf();
	uint8_t id[16];
	crdt_seal_key_id(k, id);
	crdt_buf_append(b, id, 16);
	return v_bin(b->data, 16);
}

/* A key record of group (roles, f's scope) for k, made in one entry:
 * create, roles, key_id, then an envelope for each of to[] (-1 ends; NULL
 * for none). */
static struct wire key_entry(struct feed *f, uint64_t rv, const uint8_t k[32],
			     unsigned roles, const int *to, uint8_t entity[16])
{
	struct crdt_op ops[12];
	size_t n = 0;
	uint8_t id[16];
	next_id(f, 0, id);
	ops[n++] = op_create("key");
	ops[n++] = op_set(id, "roles", roles_value(roles));
	ops[n++] = op_set(id, "key_id", key_id_value(k));
	for (size_t i = 0; to && to[i] >= 0; i++)
		ops[n++] = op_field(CRDT_OP_ADD, id, "envelopes",
				    envelope_value(to[i], k));
	if (entity)
		memcpy(entity, id, 16);
	return put(f, rv, ops, n);
}

/* A patient whose name is text, sealed under k (plaintext when k is
 * NULL). */
static struct wire patient_entry(struct feed *f, uint64_t rv,
				 const uint8_t *k, const char *text,
				 uint8_t entity[16], struct crdt_value *name)
{
	uint8_t id[16];
	next_id(f, 0, id);
	struct crdt_op ops[2];
	ops[0] = op_create("patient");
	ops[1] = op_set(id, "name",
			k ? sealed(k, f->net, id, "name", text) : v_str(text));
	if (entity)
		memcpy(entity, id, 16);
	if (name)
		*name = ops[1].value;
	return put(f, rv, ops, 2);
}

/* A register set of field to v, superseding preds. */
static struct wire set_entry(struct feed *f, uint64_t rv,
			     const uint8_t entity[16], const char *field,
			     struct crdt_value v, struct crdt_dot *preds,
			     size_t n_preds)
{
	struct crdt_op op = op_set(entity, field, v);
	op.dots = preds;
	op.n_dots = n_preds;
	return put(f, rv, &op, 1);
}

/* ---- reading ---- */

static void ingest(struct node *nd, struct wire w)
{
	enum node_msg why = MSG_NONE;
	enum node_ingest res;
	struct node_txn *t = node_ledger_begin(nd->l);
	int rc = node_txn_ingest(t, w.p, w.len, false, &res, &why);
	if (rc)
		fprintf(stderr, "ingest: %d %s\n", rc,
			node_catalog_text(NODE_LANG_EN, why));
	assert_int_equal(rc, 0);
	assert_int_equal(res, NODE_INGEST_APPLIED);
	assert_int_equal(node_txn_commit(t, true), 0);
}

struct find_ctx {
	const uint8_t *author;
	uint64_t seq;
	uint32_t index;
	enum node_msg id;
	size_t count;
};

static int find_cb(void *ctx, const struct node_ledger_finding *f)
{
	struct find_ctx *c = ctx;
	c->count++;
	if (c->author && !memcmp(f->author, c->author, 32) &&
	    f->seq == c->seq && f->index == c->index)
		c->id = f->reason.id;
	return 0;
}

/* The finding on op index of who's entry seq in SCOPE, or MSG_NONE. */
static enum node_msg finding_at(struct node *nd, int who, uint64_t seq,
				uint32_t index)
{
	struct find_ctx c = {pk[who], seq, index, MSG_NONE, 0};
	assert_int_equal(node_ledger_each_finding(nd->l, find_cb, &c), 0);
	return c.id;
}

static size_t findings(struct node *nd)
{
	struct find_ctx c = {NULL, 0, 0, MSG_NONE, 0};
	assert_int_equal(node_ledger_each_finding(nd->l, find_cb, &c), 0);
	return c.count;
}

static void expect_finding(struct node *nd, int who, uint64_t seq,
			   uint32_t index, enum node_msg want)
{
	enum node_msg got = finding_at(nd, who, seq, index);
	if (got != want)
		fprintf(stderr, "finding at %s seq %llu op %u: got %d, want %d\n",
			names[who], (unsigned long long)seq, index, (int)got,
			(int)want);
	assert_int_equal(got, want);
}

/* Whether field of entity holds exactly one live version, equal to v
 * (v NULL: the cell is empty). */
static void expect_cell(struct node *nd, const uint8_t entity[16],
			const char *field, const struct crdt_value *v)
{
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(nd->l, entity, field, &c), 0);
	if (!v) {
		assert_int_equal(c.n_live, 0);
	} else {
		assert_int_equal(c.n_live, 1);
		assert_true(crdt_value_equal(&c.live[0].value, v));
	}
	crdt_cell_fini(&c);
}

static void expect_same_digest(struct node *a, struct node *b)
{
	uint8_t da[32], db[32];
	node_ledger_digest(a->l, da);
	node_ledger_digest(b->l, db);
	assert_memory_equal(da, db, 32);
}

static int count_key_cb(void *ctx, const struct node_key_record *k)
{
	(void)k;
	(*(size_t *)ctx)++;
	return 0;
}

/* The usable key records naming key k. */
static size_t key_records(struct node *nd, const uint8_t k[32])
{
	uint8_t id[16];
	crdt_seal_key_id(k, id);
	size_t n = 0;
	assert_int_equal(node_ledger_each_key_id(nd->l, id, count_key_cb, &n),
			 0);
	return n;
}

static int count_op_cb(void *ctx, const struct node_ledger_op *op)
{
	(void)op;
	(*(size_t *)ctx)++;
	return 0;
}

/* How many ops a record's history lists. */
static size_t history_ops(struct node *nd, const uint8_t id[16])
{
	size_t n = 0;
	assert_int_equal(
	    node_ledger_record_history(nd->l, id, count_op_cb, &n), 0);
	return n;
}

/* Deletes every key of family fam from nd's store (a damaged state). */
static void drop_family(struct node *nd, char fam)
{
	uint8_t p = (uint8_t)fam;
	struct node_kv_batch *b = node_kv_batch_new();
	struct node_kv_iter *it = node_kv_iter_new(nd->kv, &p, 1);
	size_t n = 0;
	for (; node_kv_iter_valid(it); node_kv_iter_next(it), n++) {
		size_t kl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		node_kv_batch_del(b, k, kl);
	}
	node_kv_iter_free(it);
	assert_true(n > 0);
	assert_int_equal(node_kv_write(nd->kv, b, true), 0);
	node_kv_batch_free(b);
}

static bool entity_valid(struct node *nd, const uint8_t id[16])
{
	struct node_entity e;
	assert_int_equal(node_ledger_entity(nd->l, id, &e), 0);
	return e.valid;
}

/* ---- 1. a sealed value under a usable key of its group takes effect ---- */

struct key_list {
	size_t n;
	struct node_key_record k[8];
};

static int list_key_cb(void *ctx, const struct node_key_record *k)
{
	struct key_list *l = ctx;
	if (l->n < 8)
		l->k[l->n] = *k;
	l->n++;
	return 0;
}

/* Rule: under schema 2 a set of an ID field takes effect when its value is
 * well formed and names the key_id of a usable key record of the field's
 * group (every role, the record's home scope) serving the entry's roster
 * version; the key record may come from any feed of that scope, and the
 * state does not depend on the order feeds arrive in. */
static void test_sealed_name_takes_effect(void **state)
{
	(void)state;
	uint8_t kt[32], kh[32], kt_id[16];
	new_key(kt, kt_id);
	crdt_seal_key_new(kh);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	uint8_t p1[16], p2[16], krec[16];
	struct crdt_value n1, n2;
	struct wire t1 = key_entry(&t, 1, kt, G_ALL, NULL, krec);
	struct wire t2 = patient_entry(&t, 1, kt, "张三", p1, &n1);
	struct wire h1 = key_entry(&h, 1, kh, G_ALL, NULL, NULL);
	struct wire t3 = patient_entry(&t, 1, kh, "李四", p2, &n2);

	struct node a, b;
	node_up(&a, &net2, 1);
	node_up(&b, &net2, 1);
	ingest(&a, h1);
	ingest(&a, t1);
	ingest(&a, t2);
	ingest(&a, t3);
	assert_int_equal(findings(&a), 0);
	expect_cell(&a, p1, "name", &n1);
	expect_cell(&a, p2, "name", &n2);

	/* The cell's bytes open with the key to the name. */
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(a.l, p1, "name", &c), 0);
	uint8_t plain[512];
	struct crdt_value v;
	assert_int_equal(crdt_seal_open(c.live[0].value.p, c.live[0].value.len,
					kt, net2.id, p1, "name", 4, plain,
					sizeof(plain), &v),
			 0);
	assert_int_equal(v.kind, CRDT_VALUE_STR);
	assert_int_equal(v.len, strlen("张三"));
	assert_memory_equal(v.p, "张三", v.len);
	crdt_cell_fini(&c);

	/* The key records, by key_id and by group. */
	struct key_list kl = {0};
	assert_int_equal(
	    node_ledger_each_key_id(a.l, kt_id, list_key_cb, &kl), 0);
	assert_int_equal(kl.n, 1);
	assert_memory_equal(kl.k[0].entity, krec, 16);
	assert_memory_equal(kl.k[0].key_id, kt_id, 16);
	assert_int_equal(kl.k[0].roles, G_ALL);
	assert_string_equal(kl.k[0].scope, SCOPE);
	assert_int_equal(kl.k[0].made, 1);
	memset(&kl, 0, sizeof(kl));
	assert_int_equal(
	    node_ledger_each_group_key(a.l, G_ALL, SCOPE, list_key_cb, &kl), 0);
	assert_int_equal(kl.n, 2);
	memset(&kl, 0, sizeof(kl));
	assert_int_equal(
	    node_ledger_each_group_key(a.l, G_AH, SCOPE, list_key_cb, &kl), 0);
	assert_int_equal(kl.n, 0);

	/* Township's feed first: p2's name waits for health's key record. */
	ingest(&b, t1);
	ingest(&b, t2);
	ingest(&b, t3);
	expect_cell(&b, p2, "name", NULL);
	assert_int_equal(findings(&b), 0);
	ingest(&b, h1);
	expect_cell(&b, p2, "name", &n2);
	assert_int_equal(findings(&b), 0);
	expect_same_digest(&a, &b);
	assert_int_equal(node_ledger_state_diff(a.l, b.l), 0);
	/* The key indexes are state: audit's comparison sees them. */
	drop_family(&b, 'G');
	assert_int_not_equal(node_ledger_state_diff(a.l, b.l), 0);
	drop_family(&a, 'G');
	assert_int_equal(node_ledger_state_diff(a.l, b.l), 0);
	drop_family(&b, 'Z');
	assert_int_not_equal(node_ledger_state_diff(a.l, b.l), 0);
	node_down(&a);
	node_down(&b);
}

/* ---- 2. plaintext in a sealed field ---- */

/* Rule: under schema 2 a plaintext value in an ID field is stored without
 * effect (MSG_F_NOT_SEALED); an entry naming a schema-1 roster keeps its
 * plaintext verdict and takes effect. */
static void test_plaintext_not_sealed(void **state)
{
	(void)state;
	struct feed t;
	uint8_t p[16];
	struct crdt_value nv;
	struct node a;
	feed_init(&t, &net2, TOWNSHIP);
	struct wire w = patient_entry(&t, 1, NULL, "张三", p, &nv);
	node_up(&a, &net2, 1);
	ingest(&a, w);
	assert_true(entity_valid(&a, p));
	expect_finding(&a, TOWNSHIP, 1, 1, MSG_F_NOT_SEALED);
	assert_int_equal(findings(&a), 1);
	expect_cell(&a, p, "name", NULL);
	/* A nil set clears: it is never sealed and takes effect. */
	struct wire w2 = set_entry(&t, 1, p, "name", v_nil(), NULL, 0);
	ingest(&a, w2);
	assert_int_equal(findings(&a), 1);
	struct crdt_value nil = v_nil();
	expect_cell(&a, p, "name", &nil);
	node_down(&a);

	/* Schema 1: the same plaintext takes effect. */
	struct feed t1;
	feed_init(&t1, &net1, TOWNSHIP);
	struct wire w1 = patient_entry(&t1, 1, NULL, "张三", p, &nv);
	node_up(&a, &net1, 1);
	ingest(&a, w1);
	assert_int_equal(findings(&a), 0);
	expect_cell(&a, p, "name", &nv);
	node_down(&a);
}

/* ---- 3. malformed sealed values ---- */

/* Rule: a sealed field's value must parse as a sealed value (DESIGN.md
 * section 8): a truncated box or a wrong magic is stored without effect
 * with a finding, even when the key it names is usable. */
static void test_malformed_sealed(void **state)
{
	(void)state;
	uint8_t k[32];
	crdt_seal_key_new(k);
	struct feed t;
	feed_init(&t, &net2, TOWNSHIP);
	struct node a;
	node_up(&a, &net2, 1);
	ingest(&a, key_entry(&t, 1, k, G_ALL, NULL, NULL));
	/* Three patients: one byte short, 17 bytes short (into the tag), a
	 * flipped first magic byte. */
	size_t cut[] = {1, 17, 0};
	for (int i = 0; i < 3; i++) {
		uint8_t id[16];
		next_id(&t, 0, id);
		struct crdt_value sv = sealed(k, &net2, id, "name", "张三");
		struct crdt_buf *b = arena_buf();
		crdt_buf_append(b, sv.p, sv.len - cut[i]);
		if (i == 2)
			b->data[0] ^= 1;
		struct crdt_op ops[2];
		ops[0] = op_create("patient");
		ops[1] = op_set(id, "name", v_bin(b->data, b->len));
		ingest(&a, put(&t, 1, ops, 2));
		assert_true(entity_valid(&a, id));
		expect_finding(&a, TOWNSHIP, t.seq, 1, MSG_F_NOT_SEALED);
		expect_cell(&a, id, "name", NULL);
	}
	assert_int_equal(findings(&a), 3);
	node_down(&a);
}

/* ---- 4. unknown key: the op waits ---- */

/* Rule: a well-formed sealed value naming a key_id no usable key record
 * of its group has yet waits (no effect, no finding) and is judged when
 * such a record arrives; the end state equals a node's that got the key
 * record first. */
static void test_unknown_key_waits(void **state)
{
	(void)state;
	uint8_t kh[32];
	crdt_seal_key_new(kh);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	uint8_t p[16];
	struct crdt_value nv;
	struct wire t1 = patient_entry(&t, 1, kh, "张三", p, &nv);
	struct wire h1 = key_entry(&h, 1, kh, G_ALL, NULL, NULL);
	struct node a, b;
	node_up(&a, &net2, 1);
	node_up(&b, &net2, 1);
	ingest(&a, t1);
	assert_true(entity_valid(&a, p));
	expect_cell(&a, p, "name", NULL);
	assert_int_equal(findings(&a), 0);
	ingest(&a, h1);
	expect_cell(&a, p, "name", &nv);
	assert_int_equal(findings(&a), 0);
	/* The op that waited is in the record's history once. */
	assert_int_equal(history_ops(&a, p), 2);
	ingest(&b, h1);
	ingest(&b, t1);
	expect_cell(&b, p, "name", &nv);
	expect_same_digest(&a, &b);
	assert_int_equal(node_ledger_state_diff(a.l, b.l), 0);
	node_down(&a);
	node_down(&b);
}

/* Rule: an op waiting for its key record is a version the cell has not
 * seen; a later set naming it in its pred supersedes it, so when the key
 * record arrives the waiting op does not come back as a live version. */
static void test_waiting_op_superseded(void **state)
{
	(void)state;
	uint8_t kt[32], kh[32];
	crdt_seal_key_new(kt);
	crdt_seal_key_new(kh);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	uint8_t p[16];
	struct crdt_value first, second;
	struct wire t1 = key_entry(&t, 1, kt, G_ALL, NULL, NULL);
	/* The name under health's key, not yet held... */
	struct wire t2 = patient_entry(&t, 1, kh, "张三", p, &first);
	/* ...then corrected under township's own key, naming it. */
	struct crdt_dot pred = last_dot(&t, 1);
	second = sealed(kt, &net2, p, "name", "张珊");
	struct wire t3 = set_entry(&t, 1, p, "name", second, &pred, 1);
	struct wire h1 = key_entry(&h, 1, kh, G_ALL, NULL, NULL);
	struct node a, b;
	node_up(&a, &net2, 1);
	node_up(&b, &net2, 1);
	ingest(&a, t1);
	ingest(&a, t2);
	expect_cell(&a, p, "name", NULL);
	ingest(&a, t3);
	expect_cell(&a, p, "name", &second);
	ingest(&a, h1);
	expect_cell(&a, p, "name", &second);
	assert_int_equal(findings(&a), 0);
	/* In order, key first. */
	ingest(&b, h1);
	ingest(&b, t1);
	ingest(&b, t2);
	expect_cell(&b, p, "name", &first);
	ingest(&b, t3);
	expect_cell(&b, p, "name", &second);
	expect_same_digest(&a, &b);
	(void)first;
	node_down(&a);
	node_down(&b);
}

/* ---- 5. key record rules ---- */

/* Rule: a key record's roles must include its author's role
 * (MSG_F_KEY_NOT_IN_GROUP), else the record is never usable and values
 * naming its key_id keep waiting; roles and key_id are set once
 * (MSG_F_KEY_SET_ONCE), roles first (MSG_F_KEY_NEEDS_ROLES), both in the
 * create entry (MSG_F_WRITE_ONCE). */
static void test_key_record_rules(void **state)
{
	(void)state;
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	struct node a;
	node_up(&a, &net2, 1);
	uint8_t kt[32], kx[32], k2[32], k3[32], k4[32], k5[32];
	crdt_seal_key_new(kt);
	crdt_seal_key_new(kx);
	crdt_seal_key_new(k2);
	crdt_seal_key_new(k3);
	crdt_seal_key_new(k4);
	crdt_seal_key_new(k5);
	uint8_t p[16];
	ingest(&a, key_entry(&t, 1, kt, G_ALL, NULL, NULL));
	ingest(&a, patient_entry(&t, 1, kt, "张三", p, NULL));
	assert_int_equal(findings(&a), 0);

	/* Township makes a key of group (auditor, health). */
	ingest(&a, key_entry(&t, 1, kx, G_AH, NULL, NULL));
	expect_finding(&a, TOWNSHIP, t.seq, 0, MSG_NONE);
	expect_finding(&a, TOWNSHIP, t.seq, 1, MSG_F_KEY_NOT_IN_GROUP);
	expect_finding(&a, TOWNSHIP, t.seq, 2, MSG_F_KEY_NEEDS_ROLES);
	assert_int_equal(key_records(&a, kx), 0);
	/* Health's diagnosis under it waits, and keeps waiting. */
	struct crdt_value dx = sealed(kx, &net2, p, "diagnosis", "bipolar");
	ingest(&a, set_entry(&h, 1, p, "diagnosis", dx, NULL, 0));
	expect_finding(&a, HEALTH, 1, 0, MSG_NONE);
	expect_cell(&a, p, "diagnosis", NULL);
	size_t before = findings(&a);

	/* Roles set twice: the second has no effect, the key is usable. */
	uint8_t id[16];
	next_id(&t, 0, id);
	struct crdt_op ops[5];
	ops[0] = op_create("key");
	ops[1] = op_set(id, "roles", roles_value(G_ALL));
	ops[2] = op_set(id, "roles", roles_value(G_ALL));
	ops[3] = op_set(id, "key_id", key_id_value(k2));
	ops[4] = op_set(id, "key_id", key_id_value(k5));
	ingest(&a, put(&t, 1, ops, 5));
	expect_finding(&a, TOWNSHIP, t.seq, 1, MSG_NONE);
	expect_finding(&a, TOWNSHIP, t.seq, 2, MSG_F_KEY_SET_ONCE);
	expect_finding(&a, TOWNSHIP, t.seq, 3, MSG_NONE);
	expect_finding(&a, TOWNSHIP, t.seq, 4, MSG_F_KEY_SET_ONCE);
	assert_int_equal(key_records(&a, k2), 1);
	assert_int_equal(key_records(&a, k5), 0);

	/* key_id before roles: not usable. */
	next_id(&t, 0, id);
	ops[0] = op_create("key");
	ops[1] = op_set(id, "key_id", key_id_value(k3));
	ops[2] = op_set(id, "roles", roles_value(G_ALL));
	ingest(&a, put(&t, 1, ops, 3));
	expect_finding(&a, TOWNSHIP, t.seq, 1, MSG_F_KEY_NEEDS_ROLES);
	expect_finding(&a, TOWNSHIP, t.seq, 2, MSG_NONE);
	assert_int_equal(key_records(&a, k3), 0);

	/* key_id in a later entry: not in the create entry. */
	next_id(&t, 0, id);
	ops[0] = op_create("key");
	ops[1] = op_set(id, "roles", roles_value(G_ALL));
	ingest(&a, put(&t, 1, ops, 2));
	ingest(&a, set_entry(&t, 1, id, "key_id", key_id_value(k4), NULL, 0));
	expect_finding(&a, TOWNSHIP, t.seq, 0, MSG_F_WRITE_ONCE);
	assert_int_equal(key_records(&a, k4), 0);
	assert_int_equal(findings(&a), before + 4);
	/* The diagnosis still waits: no finding, no effect. */
	expect_finding(&a, HEALTH, 1, 0, MSG_NONE);
	expect_cell(&a, p, "diagnosis", NULL);
	node_down(&a);
}

/* ---- 6. envelopes ---- */

/* Rule: an envelope is added by a member of the key record's roles for a
 * recipient who is a member of the group (roles, home scope) under the
 * entry's roster version; any other recipient is MSG_F_ENVELOPE_RECIPIENT
 * (police in a group of auditor and health, a township of another scope,
 * a stranger), and an adder outside the roles MSG_F_KEY_NOT_IN_GROUP. */
static void test_envelopes(void **state)
{
	(void)state;
	uint8_t ka[32], kt[32];
	crdt_seal_key_new(ka);
	crdt_seal_key_new(kt);
	struct feed t, h, p;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	feed_init(&p, &net2, POLICE);
	struct node a;
	node_up(&a, &net2, 1);
	uint8_t ra[16], rt[16];
	static const int to_a[] = {AUDITOR, POLICE, HEALTH, -1};
	static const int to_t[] = {TOWNSHIP, TOWN2, STRANGER, POLICE, -1};
	ingest(&a, key_entry(&h, 1, ka, G_AH, to_a, ra));
	expect_finding(&a, HEALTH, 1, 3, MSG_NONE);
	expect_finding(&a, HEALTH, 1, 4, MSG_F_ENVELOPE_RECIPIENT);
	expect_finding(&a, HEALTH, 1, 5, MSG_NONE);
	ingest(&a, key_entry(&t, 1, kt, G_ALL, to_t, rt));
	expect_finding(&a, TOWNSHIP, 1, 3, MSG_NONE);
	expect_finding(&a, TOWNSHIP, 1, 4, MSG_F_ENVELOPE_RECIPIENT);
	expect_finding(&a, TOWNSHIP, 1, 5, MSG_F_ENVELOPE_RECIPIENT);
	expect_finding(&a, TOWNSHIP, 1, 6, MSG_NONE);
	assert_int_equal(findings(&a), 3);
	/* Police adds itself an envelope for (auditor, health)'s key. */
	struct crdt_op op =
	    op_field(CRDT_OP_ADD, ra, "envelopes", envelope_value(POLICE, ka));
	ingest(&a, put(&p, 1, &op, 1));
	expect_finding(&a, POLICE, 1, 0, MSG_F_KEY_NOT_IN_GROUP);
	/* The auditor... may not write at all; health adds one for the
	 * auditor again later: kept. */
	op = op_field(CRDT_OP_ADD, ra, "envelopes",
		      envelope_value(AUDITOR, ka));
	ingest(&a, put(&h, 1, &op, 1));
	expect_finding(&a, HEALTH, 2, 0, MSG_NONE);
	assert_int_equal(findings(&a), 4);

	/* What is kept opens for its recipient only. */
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(a.l, ra, "envelopes", &c), 0);
	assert_int_equal(c.n_elems, 3); /* auditor twice, health */
	size_t opened = 0;
	for (size_t i = 0; i < c.n_elems; i++) {
		const uint8_t *to;
		const struct crdt_value *ev = &c.elems[i].value;
		assert_int_equal(crdt_seal_envelope_parse(ev->p, ev->len, &to),
				 0);
		int who = !memcmp(to, pk[AUDITOR], 32) ? AUDITOR : HEALTH;
		assert_memory_equal(to, pk[who], 32);
		uint8_t k[32];
		assert_int_equal(crdt_seal_envelope_open(ev->p, ev->len,
							 pk[who], sk[who], k),
				 0);
		assert_memory_equal(k, ka, 32);
		assert_int_equal(crdt_seal_envelope_open(ev->p, ev->len,
							 pk[POLICE],
							 sk[POLICE], k),
				 -EACCES);
		opened++;
	}
	assert_int_equal(opened, 3);
	crdt_cell_fini(&c);
	assert_int_equal(node_ledger_cell(a.l, rt, "envelopes", &c), 0);
	assert_int_equal(c.n_elems, 2); /* township, police */
	crdt_cell_fini(&c);
	node_down(&a);
}

/* ---- 7. key_id collision ---- */

/* Rule: a value names a key_id, and only a usable key record of the
 * field's own group with that key_id serves it: a record of another group
 * naming the same key_id does not, whichever group comes first. */
static void test_key_id_collision(void **state)
{
	(void)state;
	uint8_t kt[32], kc[32];
	crdt_seal_key_new(kt);
	crdt_seal_key_new(kc);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	uint8_t p[16];
	struct crdt_value n1;
	struct wire t1 = key_entry(&t, 1, kt, G_ALL, NULL, NULL);
	struct wire t2 = patient_entry(&t, 1, kt, "张三", p, &n1);
	/* A name under kc (group: every role), naming the first. */
	struct crdt_dot pred = last_dot(&t, 1);
	struct crdt_value n2 = sealed(kc, &net2, p, "name", "张珊");
	struct wire t3 = set_entry(&t, 1, p, "name", n2, &pred, 1);
	/* B: kc as a key of every role. */
	struct wire t4 = key_entry(&t, 1, kc, G_ALL, NULL, NULL);
	/* A diagnosis under kc (group auditor, health); A: kc as a key of
	 * that group. */
	struct crdt_value dx = sealed(kc, &net2, p, "diagnosis", "bipolar");
	struct wire h1 = set_entry(&h, 1, p, "diagnosis", dx, NULL, 0);
	struct wire h2 = key_entry(&h, 1, kc, G_AH, NULL, NULL);
	struct node a;
	node_up(&a, &net2, 1);
	ingest(&a, t1);
	ingest(&a, t2);
	ingest(&a, t3);
	ingest(&a, h1);
	expect_cell(&a, p, "name", &n1);
	expect_cell(&a, p, "diagnosis", NULL);
	/* A's record: the diagnosis takes effect, the name still waits. */
	ingest(&a, h2);
	assert_int_equal(key_records(&a, kc), 1);
	expect_cell(&a, p, "diagnosis", &dx);
	expect_cell(&a, p, "name", &n1);
	/* B's record: the name takes effect. */
	ingest(&a, t4);
	assert_int_equal(key_records(&a, kc), 2);
	expect_cell(&a, p, "name", &n2);
	expect_cell(&a, p, "diagnosis", &dx);
	assert_int_equal(findings(&a), 0);

	/* The other way round: B's record first, then the diagnosis waits
	 * until A's. */
	struct node b;
	node_up(&b, &net2, 1);
	ingest(&b, t1);
	ingest(&b, t2);
	ingest(&b, t3);
	ingest(&b, t4);
	expect_cell(&b, p, "name", &n2);
	ingest(&b, h1);
	expect_cell(&b, p, "diagnosis", NULL);
	ingest(&b, h2);
	expect_cell(&b, p, "diagnosis", &dx);
	expect_same_digest(&a, &b);
	/* t3 waited twice at a (judged again when A's record came): each op
	 * is in the history once. */
	assert_int_equal(history_ops(&a, p), 4);
	assert_int_equal(history_ops(&b, p), 4);
	assert_int_equal(node_ledger_state_diff(a.l, b.l), 0);
	node_down(&a);
	node_down(&b);
}

/* ---- 8. a group changes ---- */

/* Rule: a key made under roster version m serves an entry naming v when
 * m <= v and no version in (m, v] changed the group's members. Version 2
 * removes police: the every-role group of SCOPE changes there (its key
 * made at 1 serves entries naming 1 only, a key made at 2 serves entries
 * naming 2 but not 1); the group of auditor and health does not change
 * (its key made at 1 still serves entries naming 2). */
static void test_group_change(void **state)
{
	(void)state;
	uint8_t k1[32], k2[32], ka[32];
	crdt_seal_key_new(k1);
	crdt_seal_key_new(k2);
	crdt_seal_key_new(ka);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	struct node a;
	node_up(&a, &net2, 2);
	uint8_t p1[16], p2[16], p3[16], p5[16];
	struct crdt_value n1, n2, n3, n5, dx;
	ingest(&a, key_entry(&t, 1, k1, G_ALL, NULL, NULL));
	ingest(&a, patient_entry(&t, 1, k1, "张三", p1, &n1));
	expect_cell(&a, p1, "name", &n1);
	/* Naming version 2 under the key made at 1: waits. */
	ingest(&a, patient_entry(&t, 2, k1, "李四", p2, &n2));
	expect_cell(&a, p2, "name", NULL);
	/* A key made under version 2 serves version 2. */
	ingest(&a, key_entry(&t, 2, k2, G_ALL, NULL, NULL));
	expect_cell(&a, p2, "name", NULL);
	ingest(&a, patient_entry(&t, 2, k2, "王五", p3, &n3));
	expect_cell(&a, p3, "name", &n3);
	/* Health's feed, naming version 1: the old key serves it, the new
	 * one does not. */
	struct wire h1 = patient_entry(&h, 1, k1, "赵六", p5, &n5);
	ingest(&a, h1);
	expect_cell(&a, p5, "name", &n5);
	struct crdt_dot pred = last_dot(&h, 1);
	struct crdt_value n5b = sealed(k2, &net2, p5, "name", "赵七");
	ingest(&a, set_entry(&h, 1, p5, "name", n5b, &pred, 1));
	expect_cell(&a, p5, "name", &n5);
	/* (auditor, health) does not change at 2: its key made at 1 serves
	 * a diagnosis naming 2. */
	ingest(&a, key_entry(&h, 1, ka, G_AH, NULL, NULL));
	dx = sealed(ka, &net2, p1, "diagnosis", "bipolar");
	ingest(&a, set_entry(&h, 2, p1, "diagnosis", dx, NULL, 0));
	expect_cell(&a, p1, "diagnosis", &dx);
	assert_int_equal(findings(&a), 0);
	node_down(&a);
}

/* ---- 9. a sealed value where none belongs ---- */

/* Rule: under schema 2 a sealed value in a field that is not sealed
 * (patient_no) is stored without effect (MSG_F_SEALED_IN_PLAIN). */
static void test_sealed_in_plain(void **state)
{
	(void)state;
	uint8_t kt[32];
	crdt_seal_key_new(kt);
	struct feed t;
	feed_init(&t, &net2, TOWNSHIP);
	struct node a;
	node_up(&a, &net2, 1);
	uint8_t p[16];
	ingest(&a, key_entry(&t, 1, kt, G_ALL, NULL, NULL));
	ingest(&a, patient_entry(&t, 1, kt, "张三", p, NULL));
	struct crdt_value v = sealed(kt, &net2, p, "patient_no", "P001");
	ingest(&a, set_entry(&t, 1, p, "patient_no", v, NULL, 0));
	expect_finding(&a, TOWNSHIP, 3, 0, MSG_F_SEALED_IN_PLAIN);
	expect_cell(&a, p, "patient_no", NULL);
	struct crdt_value plain = v_str("P001");
	ingest(&a, set_entry(&t, 1, p, "patient_no", plain, NULL, 0));
	expect_cell(&a, p, "patient_no", &plain);
	assert_int_equal(findings(&a), 1);
	node_down(&a);
}

/* ---- 10. a local write without a key ---- */

static int write_local(struct node *nd, int who, struct crdt_op *ops,
		       size_t n, struct node_reason *why)
{
	struct node_write w = {.scope = SCOPE, .n_ops = n, .ops = ops};
	uint64_t seq = 0;
	return node_ledger_write(nd->l, sk[who], pk[who], &w,
				 (clock_ms += 1000), &seq, why);
}

/* Rule: a local (strict) write never leaves an op waiting: a sealed value
 * with no usable key is refused (-EPERM, MSG_F_NO_KEY) and nothing is
 * written; once the key record is written, the same write succeeds. */
static void test_local_write_no_key(void **state)
{
	(void)state;
	uint8_t k[32];
	crdt_seal_key_new(k);
	struct node a;
	node_up(&a, &net2, 1);
	uint8_t before[32], after[32];
	node_ledger_digest(a.l, before);
	uint64_t seq;
	node_ledger_next_seq(a.l, pk[TOWNSHIP], SCOPE, &seq);
	assert_int_equal(seq, 1);
	uint8_t p[16];
	crdt_entity_id(p, pk[TOWNSHIP], SCOPE, seq, 0);
	struct crdt_op ops[4];
	ops[0] = op_create("patient");
	struct crdt_value nv = sealed(k, &net2, p, "name", "张三");
	ops[1] = op_set(p, "name", nv);
	struct node_reason why;
	assert_int_equal(write_local(&a, TOWNSHIP, ops, 2, &why), -EPERM);
	assert_int_equal(why.id, MSG_F_NO_KEY);
	assert_int_equal(node_ledger_entry_count(a.l), 0);
	assert_int_equal(node_ledger_feed_seq(a.l, pk[TOWNSHIP], SCOPE), 0);
	assert_int_equal(findings(&a), 0);
	node_ledger_digest(a.l, after);
	assert_memory_equal(before, after, 32);
	/* Plaintext: refused too. */
	ops[1] = op_set(p, "name", v_str("张三"));
	assert_int_equal(write_local(&a, TOWNSHIP, ops, 2, &why), -EPERM);
	assert_int_equal(why.id, MSG_F_NOT_SEALED);
	assert_int_equal(node_ledger_entry_count(a.l), 0);

	/* The key record, written locally, then the same patient (now at
	 * seq 2). */
	uint8_t kr[16];
	crdt_entity_id(kr, pk[TOWNSHIP], SCOPE, 1, 0);
	ops[0] = op_create("key");
	ops[1] = op_set(kr, "roles", roles_value(G_ALL));
	ops[2] = op_set(kr, "key_id", key_id_value(k));
	ops[3] = op_field(CRDT_OP_ADD, kr, "envelopes",
			  envelope_value(TOWNSHIP, k));
	assert_int_equal(write_local(&a, TOWNSHIP, ops, 4, &why), 0);
	assert_int_equal(key_records(&a, k), 1);
	crdt_entity_id(p, pk[TOWNSHIP], SCOPE, 2, 0);
	ops[0] = op_create("patient");
	nv = sealed(k, &net2, p, "name", "张三");
	ops[1] = op_set(p, "name", nv);
	assert_int_equal(write_local(&a, TOWNSHIP, ops, 2, &why), 0);
	expect_cell(&a, p, "name", &nv);
	assert_int_equal(findings(&a), 0);
	node_down(&a);
}

/* ---- 11. a follow-up's H fields ---- */

/* Rule: under schema 2 a follow-up's clinical (H) fields are health's
 * alone (township: MSG_F_ROLE_MAY_NOT_WRITE, sealed or not), sealed to
 * the group (auditor, health); under schema 1 township wrote them. */
static void test_followup_h_field(void **state)
{
	(void)state;
	uint8_t kt[32], ka[32];
	crdt_seal_key_new(kt);
	crdt_seal_key_new(ka);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	struct node a;
	node_up(&a, &net2, 1);
	uint8_t p[16], fu[16];
	ingest(&a, key_entry(&t, 1, kt, G_ALL, NULL, NULL));
	ingest(&a, patient_entry(&t, 1, kt, "张三", p, NULL));
	ingest(&a, key_entry(&h, 1, ka, G_AH, NULL, NULL));
	next_id(&t, 0, fu);
	struct crdt_op ops[5];
	ops[0] = op_create("followup");
	ops[1] = op_set(fu, "patient", v_bin(p, 16));
	ops[2] = op_set(fu, "date", v_str("2026-01-05"));
	ops[3] = op_set(fu, "insight", v_str("partial"));
	ops[4] = op_set(fu, "insight",
			sealed(ka, &net2, fu, "insight", "partial"));
	ingest(&a, put(&t, 1, ops, 5));
	assert_true(entity_valid(&a, fu));
	expect_finding(&a, TOWNSHIP, t.seq, 1, MSG_NONE);
	expect_finding(&a, TOWNSHIP, t.seq, 2, MSG_NONE);
	expect_finding(&a, TOWNSHIP, t.seq, 3, MSG_F_ROLE_MAY_NOT_WRITE);
	expect_finding(&a, TOWNSHIP, t.seq, 4, MSG_F_ROLE_MAY_NOT_WRITE);
	expect_cell(&a, fu, "insight", NULL);
	struct crdt_value iv = sealed(ka, &net2, fu, "insight", "full");
	ingest(&a, set_entry(&h, 1, fu, "insight", iv, NULL, 0));
	expect_finding(&a, HEALTH, h.seq, 0, MSG_NONE);
	expect_cell(&a, fu, "insight", &iv);
	/* Health under the every-role key: not the field's group; waits. */
	struct crdt_dot pred = last_dot(&h, 0);
	struct crdt_value iw = sealed(kt, &net2, fu, "insight", "none");
	ingest(&a, set_entry(&h, 1, fu, "insight", iw, &pred, 1));
	expect_cell(&a, fu, "insight", &iv);
	assert_int_equal(findings(&a), 2);
	node_down(&a);

	/* Schema 1: township writes insight in plaintext. */
	struct feed t1;
	feed_init(&t1, &net1, TOWNSHIP);
	node_up(&a, &net1, 1);
	ingest(&a, patient_entry(&t1, 1, NULL, "张三", p, NULL));
	next_id(&t1, 0, fu);
	ops[0] = op_create("followup");
	ops[1] = op_set(fu, "patient", v_bin(p, 16));
	ops[2] = op_set(fu, "date", v_str("2026-01-05"));
	ops[3] = op_set(fu, "insight", v_str("partial"));
	ingest(&a, put(&t1, 1, ops, 4));
	assert_int_equal(findings(&a), 0);
	struct crdt_value pv = v_str("partial");
	expect_cell(&a, fu, "insight", &pv);
	node_down(&a);
}

/* ---- 12. judging again under a revocation bound ---- */

/* Rule: a revocation bound arriving later makes the ledger judge every
 * entry again (DESIGN.md section 4): a key record past the bound loses
 * its effect and is no longer usable, values naming it wait again, and
 * the state equals that of a fresh node ingesting the same log under the
 * new chain, in log order or not. */
static void test_rejudge_revocation(void **state)
{
	(void)state;
	uint8_t k[32], k2[32], ka[32];
	crdt_seal_key_new(k);
	crdt_seal_key_new(k2);
	crdt_seal_key_new(ka);
	struct feed t, h;
	feed_init(&t, &netr, TOWNSHIP);
	feed_init(&h, &netr, HEALTH);
	uint8_t p1[16], p2[16], p3[16];
	struct crdt_value n1, n2, n3;
	struct wire w[8];
	size_t nw = 0;
	/* Township: seq 1 and 2 within the bound, 3..5 past it. */
	w[nw++] = key_entry(&t, 1, k, G_ALL, NULL, NULL);
	w[nw++] = patient_entry(&t, 1, k, "张三", p1, &n1);
	struct crdt_dot t2 = last_dot(&t, 1);
	w[nw++] = key_entry(&t, 1, k2, G_ALL, NULL, NULL);
	w[nw++] = patient_entry(&t, 1, k2, "李四", p2, &n2);
	w[nw++] = patient_entry(&t, 1, k, "王五", p3, &n3);
	/* Health: p1's name under township's second key; a diagnosis. */
	struct crdt_value hn = sealed(k2, &netr, p1, "name", "张珊");
	w[nw++] = set_entry(&h, 1, p1, "name", hn, &t2, 1);
	w[nw++] = key_entry(&h, 1, ka, G_AH, NULL, NULL);
	struct crdt_value dx = sealed(ka, &netr, p1, "diagnosis", "bipolar");
	w[nw++] = set_entry(&h, 1, p1, "diagnosis", dx, NULL, 0);

	struct node a;
	node_up(&a, &netr, 1);
	for (size_t i = 0; i < nw; i++)
		ingest(&a, w[i]);
	assert_int_equal(findings(&a), 0);
	expect_cell(&a, p1, "name", &hn);
	expect_cell(&a, p2, "name", &n2);
	expect_cell(&a, p3, "name", &n3);
	assert_int_equal(key_records(&a, k2), 1);

	/* The bound arrives. */
	struct node_reason why;
	assert_int_equal(
	    node_ledger_set_roster(a.l, netr.w[1], netr.len[1], &why), 0);
	assert_false(node_ledger_rejudging(a.l));
	assert_int_equal(key_records(&a, k), 1);
	assert_int_equal(key_records(&a, k2), 0);
	assert_int_equal(key_records(&a, ka), 1);
	assert_false(entity_valid(&a, p2));
	assert_false(entity_valid(&a, p3));
	expect_cell(&a, p1, "name", &n1); /* health's set waits for k2 */
	expect_cell(&a, p1, "diagnosis", &dx);
	expect_cell(&a, p2, "name", NULL);
	expect_cell(&a, p3, "name", NULL);
	expect_finding(&a, HEALTH, 1, 0, MSG_NONE);

	/* A fresh node under the new chain, health's feed first. */
	struct node b;
	node_up(&b, &netr, 2);
	for (size_t i = 5; i < nw; i++)
		ingest(&b, w[i]);
	for (size_t i = 0; i < 5; i++)
		ingest(&b, w[i]);
	expect_same_digest(&a, &b);
	assert_int_equal(findings(&a), findings(&b));
	assert_int_equal(key_records(&b, k2), 0);
	expect_cell(&b, p1, "name", &n1);
	/* And one in the log's order (feed, then seq): the same state, key
	 * for key. */
	struct node c;
	node_up(&c, &netr, 2);
	struct node_ledger_log *g = node_ledger_log_open(a.l);
	struct node_log_pos pos;
	const uint8_t *lw;
	size_t ll;
	while (node_ledger_log_next(g, &pos, &lw, &ll) == 1) {
		struct wire x = {(uint8_t *)lw, ll};
		ingest(&c, x);
	}
	node_ledger_log_close(g);
	expect_same_digest(&a, &c);
	assert_int_equal(node_ledger_state_diff(a.l, c.l), 0);
	node_down(&a);
	node_down(&b);
	node_down(&c);
}

/* ---- 13. removing a sealed set element after its group changed ---- */

/* Rule (DESIGN.md section 8, Sets): a writer that removes an element names
 * every sealed form of it present in the field. A remove decides by the
 * tags it observed, and carries the element's sealed bytes as they were
 * added, under whatever key was current then: after a roster version that
 * changed the group (v3 removes the auditor from (auditor, health)) the
 * element made under the old key can still be removed. A remove in
 * plaintext is still refused (it would put the plaintext in the log). */
static void test_remove_after_group_change(void **state)
{
	(void)state;
	uint8_t kt[32], ka[32], ka3[32];
	crdt_seal_key_new(kt);
	crdt_seal_key_new(ka);
	crdt_seal_key_new(ka3);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	struct node a;
	node_up(&a, &net2, 3);
	uint8_t p[16], fu[16];
	ingest(&a, key_entry(&t, 1, kt, G_ALL, NULL, NULL));
	ingest(&a, patient_entry(&t, 1, kt, "张三", p, NULL));
	next_id(&t, 0, fu);
	struct crdt_op ops[3];
	ops[0] = op_create("followup");
	ops[1] = op_set(fu, "patient", v_bin(p, 16));
	ops[2] = op_set(fu, "date", v_str("2026-01-05"));
	ingest(&a, put(&t, 1, ops, 3));
	ingest(&a, key_entry(&h, 1, ka, G_AH, NULL, NULL));
	struct crdt_value m1 =
	    sealed(ka, &net2, fu, "medication", "risperidone;2;mg;bid");
	struct crdt_op op = op_field(CRDT_OP_ADD, fu, "medication", m1);
	ingest(&a, put(&h, 1, &op, 1));
	struct crdt_dot tag = last_dot(&h, 0);
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(a.l, fu, "medication", &c), 0);
	assert_int_equal(c.n_elems, 1);
	crdt_cell_fini(&c);
	/* Under v3 the old key no longer serves adds... */
	ingest(&a, key_entry(&h, 3, ka3, G_AH, NULL, NULL));
	struct crdt_value m_old =
	    sealed(ka, &net2, fu, "medication", "olanzapine;5;mg;qn");
	op = op_field(CRDT_OP_ADD, fu, "medication", m_old);
	ingest(&a, put(&h, 3, &op, 1));
	struct crdt_value m3 =
	    sealed(ka3, &net2, fu, "medication", "olanzapine;5;mg;qn");
	op = op_field(CRDT_OP_ADD, fu, "medication", m3);
	ingest(&a, put(&h, 3, &op, 1));
	assert_int_equal(node_ledger_cell(a.l, fu, "medication", &c), 0);
	assert_int_equal(c.n_elems, 2); /* m1 and m3; m_old waits */
	crdt_cell_fini(&c);
	/* ...but m1, added under it, is removed. */
	op = op_field(CRDT_OP_REMOVE, fu, "medication", m1);
	op.dots = &tag;
	op.n_dots = 1;
	ingest(&a, put(&h, 3, &op, 1));
	expect_finding(&a, HEALTH, h.seq, 0, MSG_NONE);
	assert_int_equal(node_ledger_cell(a.l, fu, "medication", &c), 0);
	assert_int_equal(c.n_elems, 1);
	assert_true(crdt_value_equal(&c.elems[0].value, &m3));
	crdt_cell_fini(&c);
	/* A remove in plaintext: no effect. */
	struct crdt_dot tag3 = {0};
	memcpy(tag3.author, pk[HEALTH], 32);
	tag3.seq = h.seq - 1;
	op = op_field(CRDT_OP_REMOVE, fu, "medication",
		      v_str("olanzapine;5;mg;qn"));
	op.dots = &tag3;
	op.n_dots = 1;
	ingest(&a, put(&h, 3, &op, 1));
	expect_finding(&a, HEALTH, h.seq, 0, MSG_F_NOT_SEALED);
	assert_int_equal(node_ledger_cell(a.l, fu, "medication", &c), 0);
	assert_int_equal(c.n_elems, 1);
	crdt_cell_fini(&c);
	assert_int_equal(findings(&a), 1);
	node_down(&a);

	/* An add waiting for its key record, removed before the record
	 * arrives: the element never shows, as at a node that got the key
	 * first. */
	uint8_t kw[32];
	crdt_seal_key_new(kw);
	struct wire w[6];
	size_t nw = 0;
	struct feed t2;
	feed_init(&t2, &net2, TOWNSHIP);
	w[nw++] = key_entry(&t2, 1, kt, G_ALL, NULL, NULL);
	w[nw++] = patient_entry(&t2, 1, kt, "张三", p, NULL);
	next_id(&t2, 0, fu);
	ops[0] = op_create("followup");
	ops[1] = op_set(fu, "patient", v_bin(p, 16));
	ops[2] = op_set(fu, "date", v_str("2026-01-05"));
	w[nw++] = put(&t2, 1, ops, 3);
	struct feed h3;
	feed_init(&h3, &net2, HEALTH);
	struct crdt_value mw =
	    sealed(kw, &net2, fu, "medication", "risperidone;2;mg;bid");
	op = op_field(CRDT_OP_ADD, fu, "medication", mw);
	w[nw++] = put(&h3, 1, &op, 1);
	struct crdt_dot wtag = last_dot(&h3, 0);
	op = op_field(CRDT_OP_REMOVE, fu, "medication", mw);
	op.dots = &wtag;
	op.n_dots = 1;
	w[nw++] = put(&h3, 1, &op, 1);
	w[nw++] = key_entry(&h3, 1, kw, G_AH, NULL, NULL);
	struct node b;
	node_up(&a, &net2, 1);
	node_up(&b, &net2, 1);
	/* a: township's feed first; the add waits for the key, the remove
	 * takes effect before it. */
	for (size_t i = 0; i < 4; i++)
		ingest(&a, w[i]);
	assert_int_equal(node_ledger_cell(a.l, fu, "medication", &c), 0);
	assert_int_equal(c.n_elems, 0); /* the add waits */
	crdt_cell_fini(&c);
	ingest(&a, w[4]);
	ingest(&a, w[5]);
	/* b: health's feed first; both wait for the create, after the
	 * key. */
	for (size_t i = 3; i < nw; i++)
		ingest(&b, w[i]);
	for (size_t i = 0; i < 3; i++)
		ingest(&b, w[i]);
	for (int side = 0; side < 2; side++) {
		struct node *nd = side ? &b : &a;
		assert_int_equal(node_ledger_cell(nd->l, fu, "medication", &c),
				 0);
		assert_int_equal(c.n_elems, 0);
		crdt_cell_fini(&c);
		assert_int_equal(findings(nd), 0);
	}
	expect_same_digest(&a, &b);
	node_down(&a);
	node_down(&b);
}

/* ---- 14. waiting for the create, then for the key ---- */

/* Rule: an op may wait for its record's create and then, judged at the
 * create, for its key record: it takes effect when both arrived, in any
 * order, with the state of a node that got them in order. */
static void test_waits_for_create_then_key(void **state)
{
	(void)state;
	uint8_t kh[32], kt[32];
	crdt_seal_key_new(kh);
	crdt_seal_key_new(kt);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	uint8_t pt[16];
	struct wire t1 = key_entry(&t, 1, kt, G_ALL, NULL, NULL);
	struct wire t2 = patient_entry(&t, 1, kt, "张三", pt, NULL);
	/* Health's feed: the phone under its own key, then the key. */
	struct crdt_value ph = sealed(kh, &net2, pt, "phone", "13800000000");
	struct wire h1 = set_entry(&h, 1, pt, "phone", ph, NULL, 0);
	struct wire h2 = key_entry(&h, 1, kh, G_ALL, NULL, NULL);
	struct node a, b, c;
	node_up(&a, &net2, 1);
	node_up(&b, &net2, 1);
	node_up(&c, &net2, 1);
	/* a: health's feed first: the phone waits for the create only. */
	ingest(&a, h1);
	ingest(&a, h2);
	expect_cell(&a, pt, "phone", NULL);
	ingest(&a, t1);
	ingest(&a, t2);
	expect_cell(&a, pt, "phone", &ph);
	/* b: in the order written by both. */
	ingest(&b, t1);
	ingest(&b, t2);
	ingest(&b, h1);
	expect_cell(&b, pt, "phone", NULL);
	ingest(&b, h2);
	expect_cell(&b, pt, "phone", &ph);
	/* c: the phone waits for the create, then for the key. */
	ingest(&c, h1);
	ingest(&c, t1);
	ingest(&c, t2);
	expect_cell(&c, pt, "phone", NULL);
	assert_int_equal(findings(&c), 0);
	ingest(&c, h2);
	expect_cell(&c, pt, "phone", &ph);
	assert_int_equal(findings(&a) + findings(&b) + findings(&c), 0);
	expect_same_digest(&a, &b);
	expect_same_digest(&a, &c);
	assert_int_equal(node_ledger_state_diff(a.l, b.l), 0);
	assert_int_equal(node_ledger_state_diff(a.l, c.l), 0);
	assert_int_equal(history_ops(&c, pt), 3);
	node_down(&a);
	node_down(&b);
	node_down(&c);
}

/* ---- 15. a key record and a value in one local write ---- */

/* Rule: a key record becomes usable at its key_id op, so values after it
 * in the same entry may name it, in a strict local write too. */
static void test_key_and_value_in_one_write(void **state)
{
	(void)state;
	uint8_t k[32];
	crdt_seal_key_new(k);
	struct node a;
	node_up(&a, &net2, 1);
	uint64_t seq;
	node_ledger_next_seq(a.l, pk[TOWNSHIP], SCOPE, &seq);
	uint8_t kr[16], p[16];
	crdt_entity_id(kr, pk[TOWNSHIP], SCOPE, seq, 0);
	crdt_entity_id(p, pk[TOWNSHIP], SCOPE, seq, 3);
	struct crdt_op ops[5];
	ops[0] = op_create("key");
	ops[1] = op_set(kr, "roles", roles_value(G_ALL));
	ops[2] = op_set(kr, "key_id", key_id_value(k));
	ops[3] = op_create("patient");
	struct crdt_value nv = sealed(k, &net2, p, "name", "张三");
	ops[4] = op_set(p, "name", nv);
	struct node_reason why;
	assert_int_equal(write_local(&a, TOWNSHIP, ops, 5, &why), 0);
	expect_cell(&a, p, "name", &nv);
	assert_int_equal(key_records(&a, k), 1);
	/* The value before the key in one entry: refused. */
	uint8_t k2[32];
	crdt_seal_key_new(k2);
	node_ledger_next_seq(a.l, pk[TOWNSHIP], SCOPE, &seq);
	crdt_entity_id(p, pk[TOWNSHIP], SCOPE, seq, 0);
	crdt_entity_id(kr, pk[TOWNSHIP], SCOPE, seq, 2);
	ops[0] = op_create("patient");
	nv = sealed(k2, &net2, p, "name", "李四");
	ops[1] = op_set(p, "name", nv);
	ops[2] = op_create("key");
	ops[3] = op_set(kr, "roles", roles_value(G_ALL));
	ops[4] = op_set(kr, "key_id", key_id_value(k2));
	assert_int_equal(write_local(&a, TOWNSHIP, ops, 5, &why), -EPERM);
	assert_int_equal(why.id, MSG_F_NO_KEY);
	node_down(&a);
}

/* ---- 16. one transaction, many sealed ops ---- */

/* Rule: a transaction remembers that a key serves a (group, scope,
 * version), never more: the same key for another group or for a version
 * after its group changed does not serve, and a key record arriving in
 * the transaction is seen by the ops after it. */
static void test_one_txn_same_verdicts(void **state)
{
	(void)state;
	uint8_t kt[32], ka[32];
	crdt_seal_key_new(kt);
	crdt_seal_key_new(ka);
	struct feed t, h;
	feed_init(&t, &net2, TOWNSHIP);
	feed_init(&h, &net2, HEALTH);
	uint8_t p[16], q[16];
	struct crdt_value np, nq, dxp, dxq;
	struct wire w[8];
	size_t n = 0;
	w[n++] = key_entry(&t, 1, kt, G_ALL, NULL, NULL);
	w[n++] = patient_entry(&t, 1, kt, "张三", p, &np);
	struct crdt_dot pred = last_dot(&t, 1);
	/* An H field under kt, a key of every role's group only: waits for
	 * good (served for names, never for a diagnosis). */
	w[n++] = set_entry(&h, 1, p, "diagnosis",
			   sealed(kt, &net2, p, "diagnosis", "bipolar"), NULL,
			   0);
	w[n++] = patient_entry(&t, 1, kt, "李四", q, &nq);
	/* Under ka, whose record comes later in the transaction: waits. */
	dxq = sealed(ka, &net2, q, "diagnosis", "schizophrenia");
	w[n++] = set_entry(&h, 1, q, "diagnosis", dxq, NULL, 0);
	/* Under kt (made at 1) naming version 2, where police left the
	 * group: waits for good. */
	w[n++] = set_entry(&t, 2, p, "name",
			   sealed(kt, &net2, p, "name", "张珊"), &pred, 1);
	/* ka's record: q's diagnosis takes effect, and p's under ka. */
	w[n++] = key_entry(&h, 1, ka, G_AH, NULL, NULL);
	dxp = sealed(ka, &net2, p, "diagnosis", "depression");
	w[n++] = set_entry(&h, 1, p, "diagnosis", dxp, NULL, 0);
	struct node one, each;
	node_up(&one, &net2, 2);
	node_up(&each, &net2, 2);
	struct node_txn *tx = node_ledger_begin(one.l);
	for (size_t i = 0; i < n; i++) {
		enum node_msg why = MSG_NONE;
		enum node_ingest res;
		int rc = node_txn_ingest(tx, w[i].p, w[i].len, false, &res,
					 &why);
		if (rc)
			fprintf(stderr, "entry %zu: %s\n", i,
				node_catalog_text(NODE_LANG_EN, why));
		assert_int_equal(rc, 0);
		assert_int_equal(res, NODE_INGEST_APPLIED);
	}
	assert_int_equal(node_txn_commit(tx, true), 0);
	for (size_t i = 0; i < n; i++)
		ingest(&each, w[i]);
	struct node *both[2] = {&one, &each};
	for (int k = 0; k < 2; k++) {
		expect_cell(both[k], p, "name", &np);
		expect_cell(both[k], q, "name", &nq);
		expect_cell(both[k], p, "diagnosis", &dxp);
		expect_cell(both[k], q, "diagnosis", &dxq);
		assert_int_equal(findings(both[k]), 0);
	}
	expect_same_digest(&one, &each);
	assert_int_equal(node_ledger_state_diff(one.l, each.l), 0);
	node_down(&one);
	node_down(&each);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_sealed_name_takes_effect,
				      test_teardown),
	    cmocka_unit_test_teardown(test_plaintext_not_sealed, test_teardown),
	    cmocka_unit_test_teardown(test_malformed_sealed, test_teardown),
	    cmocka_unit_test_teardown(test_unknown_key_waits, test_teardown),
	    cmocka_unit_test_teardown(test_waiting_op_superseded,
				      test_teardown),
	    cmocka_unit_test_teardown(test_key_record_rules, test_teardown),
	    cmocka_unit_test_teardown(test_envelopes, test_teardown),
	    cmocka_unit_test_teardown(test_key_id_collision, test_teardown),
	    cmocka_unit_test_teardown(test_group_change, test_teardown),
	    cmocka_unit_test_teardown(test_sealed_in_plain, test_teardown),
	    cmocka_unit_test_teardown(test_local_write_no_key, test_teardown),
	    cmocka_unit_test_teardown(test_followup_h_field, test_teardown),
	    cmocka_unit_test_teardown(test_rejudge_revocation, test_teardown),
	    cmocka_unit_test_teardown(test_remove_after_group_change,
				      test_teardown),
	    cmocka_unit_test_teardown(test_waits_for_create_then_key,
				      test_teardown),
	    cmocka_unit_test_teardown(test_key_and_value_in_one_write,
				      test_teardown),
	    cmocka_unit_test_teardown(test_one_txn_same_verdicts,
				      test_teardown),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
