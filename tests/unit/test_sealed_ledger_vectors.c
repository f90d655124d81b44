/*
 * test_sealed_ledger_vectors: reproduces the "ledger" section of
 * tests/vectors/sealed-v1.json (written by tests/vectors/sealed-gen.py, an
 * implementation of its own in Python) with ward's code: the schema-2
 * genesis from its members, every entry from its fields (key records,
 * envelopes from fixed ephemeral keys, sealed values from their keys and
 * plaintexts), byte for byte; then applies the entries to a ledger in each
 * listed order and checks every op's verdict as it arrives and at the end
 * (a finding by its catalog name; "effect" in the cells; "wait" neither)
 * and the state digest (DESIGN.md sections 3 and 8).
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
#include "tests/common/minijson.h"

static struct mj *vec; /* the "ledger" section */
static struct mj *root;
static uint8_t net_id[32];

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	assert_non_null(hex);
	uint8_t *want;
	size_t n = mj_hex(hex, &want);
	if (n != len || memcmp(got, want, len) != 0) {
		char *g = malloc(2 * len + 1);
		sodium_bin2hex(g, 2 * len + 1, got, len);
		fprintf(stderr, "got  %s\nwant %s\n", g, hex);
		free(g);
	}
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
	free(want);
}

static void hex_fixed(const struct mj *o, const char *key, uint8_t *out,
		      size_t len)
{
	const char *s = mj_str(o, key);
	assert_non_null(s);
	uint8_t *b;
	assert_int_equal(mj_hex(s, &b), len);
	memcpy(out, b, len);
	free(b);
}

static uint64_t num(const struct mj *o, const char *key)
{
	struct mj *v = mj_get(o, key);
	assert_non_null(v);
	assert_int_equal(v->kind, MJ_NUM);
	return strtoull(v->numtext, NULL, 10);
}

static void member_keys(const char *name, uint8_t pk[32], uint8_t sk[64])
{
	struct mj *o = mj_get(mj_get(vec, "members"), name);
	assert_non_null(o);
	uint8_t seed[32];
	hex_fixed(o, "seed", seed, 32);
	crypto_sign_seed_keypair(pk, sk, seed);
	assert_hex(pk, 32, mj_str(o, "ed25519_pk"));
}

static void group_key(const char *name, uint8_t k[32])
{
	struct mj *o = mj_get(mj_get(vec, "keys"), name);
	assert_non_null(o);
	hex_fixed(o, "k", k, 32);
	uint8_t id[16];
	crdt_seal_key_id(k, id);
	assert_hex(id, 16, mj_str(o, "key_id"));
}

/* ---- the entries, rebuilt from their fields ---- */

struct vop {
	struct crdt_op op;
	struct crdt_dot dots[4];
	struct crdt_dot dot; /* the op's own */
	struct crdt_buf value;
	const char *verdict;
};

struct ventry {
	const struct mj *o;
	const char *name;
	uint8_t pk[32];
	uint8_t *wire;
	size_t len;
	size_t n_ops;
	struct vop *ops;
	bool in; /* ingested in the current order */
};

static struct ventry *ents;
static size_t n_ents;

static void dots_of(const struct mj *arr, struct crdt_dot *out, size_t *n)
{
	assert_non_null(arr);
	assert_true(arr->n <= 4);
	for (size_t i = 0; i < arr->n; i++) {
		const struct mj *d = arr->items[i];
		uint8_t sk[64];
		member_keys(mj_str(d, "author"), out[i].author, sk);
		out[i].seq = num(d, "seq");
		out[i].index = (uint32_t)num(d, "index");
	}
	*n = arr->n;
}

/* Builds op o's value into v->value; v->op.value points into it. */
static void value_of(struct vop *v, const struct mj *o)
{
	const struct mj *d = mj_get(o, "value");
	const char *type = mj_str(d, "type");
	struct crdt_buf *b = &v->value;
	struct crdt_value out = {0};
	assert_non_null(type);
	if (!strcmp(type, "nil")) {
		out.kind = CRDT_VALUE_NIL;
	} else if (!strcmp(type, "str")) {
		const char *s = mj_str(d, "str");
		crdt_buf_append(b, (const uint8_t *)s, strlen(s));
		out.kind = CRDT_VALUE_STR;
	} else if (!strcmp(type, "sealed")) {
		uint8_t k[32];
		group_key(mj_str(d, "key"), k);
		const char *s = mj_str(d, "str");
		struct crdt_value pv = {.kind = CRDT_VALUE_STR,
					.p = (const uint8_t *)s,
					.len = strlen(s)};
		assert_int_equal(crdt_seal_value(b, k, net_id, v->op.entity,
						 v->op.name, v->op.name_len,
						 &pv),
				 0);
		struct mj *cut = mj_get(d, "cut");
		if (cut)
			b->len -= strtoull(cut->numtext, NULL, 10);
		out.kind = CRDT_VALUE_BIN;
	} else if (!strcmp(type, "key_id")) {
		uint8_t k[32], id[16];
		group_key(mj_str(d, "key"), k);
		crdt_seal_key_id(k, id);
		crdt_buf_append(b, id, 16);
		out.kind = CRDT_VALUE_BIN;
	} else if (!strcmp(type, "envelope")) {
		/* crypto_box_seal with the given ephemeral key, as libsodium
		 * builds it: [recipient, epk || crypto_box_easy(K)]. */
		uint8_t k[32], pk[32], sk[64], xpk[32], esk[32], epk[32];
		uint8_t nonce[24], el[CRDT_SEAL_ENVELOPE_BYTES];
		group_key(mj_str(d, "key"), k);
		member_keys(mj_str(d, "recipient"), pk, sk);
		hex_fixed(d, "ephemeral_secret", esk, 32);
		assert_int_equal(crypto_scalarmult_base(epk, esk), 0);
		assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(xpk, pk),
				 0);
		crypto_generichash_state st;
		crypto_generichash_init(&st, NULL, 0, sizeof(nonce));
		crypto_generichash_update(&st, epk, 32);
		crypto_generichash_update(&st, xpk, 32);
		crypto_generichash_final(&st, nonce, sizeof(nonce));
		el[0] = 0x92;
		el[1] = 0xc4;
		el[2] = 32;
		memcpy(el + 3, pk, 32);
		el[35] = 0xc4;
		el[36] = CRDT_SEAL_BOX_BYTES;
		memcpy(el + 37, epk, 32);
		assert_int_equal(
		    crypto_box_easy(el + 69, k, 32, nonce, xpk, esk), 0);
		/* The recipient opens it to K. */
		uint8_t got[32];
		assert_int_equal(
		    crdt_seal_envelope_open(el, sizeof(el), pk, sk, got), 0);
		assert_memory_equal(got, k, 32);
		crdt_buf_append(b, el, sizeof(el));
		out.kind = CRDT_VALUE_BIN;
	} else {
		fail_msg("unknown value type %s", type);
	}
	out.p = b->data;
	out.len = b->len;
	v->op.value = out;
	struct crdt_buf enc;
	crdt_buf_init(&enc);
	crdt_value_encode(&enc, &out);
	assert_hex(enc.data, enc.len, mj_str(o, "encoded"));
	crdt_buf_fini(&enc);
}

static void build_entry(struct ventry *x, const struct mj *o)
{
	uint8_t sk[64];
	x->o = o;
	x->name = mj_str(o, "name");
	member_keys(mj_str(o, "author"), x->pk, sk);
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, x->pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", mj_str(o, "scope"));
	e.seq = num(o, "seq");
	hex_fixed(o, "prev", e.prev, 32);
	e.hlc = num(o, "hlc");
	e.roster_version = num(o, "roster_version");
	const struct mj *ops = mj_get(o, "ops");
	assert_non_null(ops);
	x->n_ops = ops->n;
	x->ops = calloc(ops->n, sizeof(*x->ops));
	struct crdt_op *eops = calloc(ops->n, sizeof(*eops));
	for (size_t i = 0; i < ops->n; i++) {
		const struct mj *p = ops->items[i];
		struct vop *v = &x->ops[i];
		const char *code = mj_str(p, "op");
		assert_int_equal(num(p, "index"), i);
		crdt_buf_init(&v->value);
		v->verdict = mj_str(p, "verdict");
		memcpy(v->dot.author, x->pk, 32);
		v->dot.seq = e.seq;
		v->dot.index = (uint32_t)i;
		if (!strcmp(code, "create")) {
			v->op.code = CRDT_OP_CREATE;
			v->op.name = mj_str(p, "type");
			v->op.name_len = strlen(v->op.name);
			crdt_entity_id(v->op.entity, x->pk, e.scope, e.seq,
				       (uint32_t)i);
			assert_hex(v->op.entity, 16, mj_str(p, "entity"));
		} else {
			v->op.code = !strcmp(code, "set")   ? CRDT_OP_SET
				     : !strcmp(code, "add") ? CRDT_OP_ADD
							    : CRDT_OP_REMOVE;
			if (v->op.code == CRDT_OP_REMOVE)
				assert_string_equal(code, "remove");
			hex_fixed(p, "entity", v->op.entity, 16);
			v->op.name = mj_str(p, "field");
			v->op.name_len = strlen(v->op.name);
			value_of(v, p);
			if (v->op.code != CRDT_OP_ADD) {
				dots_of(mj_get(p, v->op.code == CRDT_OP_SET
						      ? "pred"
						      : "observed"),
					v->dots, &v->op.n_dots);
				v->op.dots = v->dots;
			}
		}
		eops[i] = v->op;
	}
	e.n_ops = ops->n;
	e.ops = eops;
	struct crdt_buf body, wire;
	crdt_buf_init(&body);
	crdt_buf_init(&wire);
	crdt_entry_encode_body(&body, &e);
	assert_hex(body.data, body.len, mj_str(o, "body"));
	uint8_t sig[64], hash[32];
	crdt_entry_sign(sig, net_id, body.data, body.len, sk);
	crdt_entry_encode_wire(&wire, body.data, body.len, sig);
	crdt_entry_hash(hash, body.data, body.len, sig);
	assert_hex(wire.data, wire.len, mj_str(o, "wire"));
	assert_hex(hash, 32, mj_str(o, "hash"));
	x->wire = crdt_buf_take(&wire, &x->len);
	crdt_buf_fini(&body);
	free(eops);
}

static struct ventry *entry_named(const char *name)
{
	for (size_t i = 0; i < n_ents; i++)
		if (!strcmp(ents[i].name, name))
			return &ents[i];
	fail_msg("no entry %s", name);
	return NULL;
}

/* ---- the genesis ---- */

static uint8_t *genesis;
static size_t genesis_len;

static void test_genesis(void **state)
{
	(void)state;
	const struct mj *order = mj_get(vec, "member_order");
	assert_non_null(order);
	assert_int_equal(order->n, 4);
	struct node_member m[4];
	uint8_t sk[4][64], admin_pk[32], admin_sk[64];
	char empty[] = "";
	memset(m, 0, sizeof(m));
	for (size_t i = 0; i < order->n; i++) {
		const char *name = order->items[i]->str;
		const struct mj *o = mj_get(mj_get(vec, "members"), name);
		member_keys(name, m[i].key, sk[i]);
		const char *role = mj_str(o, "role");
		assert_int_equal(
		    node_role_parse(role, strlen(role), &m[i].role), 0);
		m[i].name = (char *)name;
		snprintf(m[i].scope, sizeof(m[i].scope), "%s",
			 mj_str(o, "scope"));
		m[i].address = empty;
		m[i].cert_pem = empty;
	}
	member_keys(mj_str(vec, "admin"), admin_pk, admin_sk);
	uint8_t *w;
	size_t n;
	assert_int_equal(
	    node_roster_build_genesis_schema(
		m, 4, admin_pk, admin_sk, num(vec, "schema_version"), &w, &n),
	    0);
	assert_hex(w, n, mj_str(vec, "genesis"));
	struct node_roster *r;
	enum node_msg why;
	assert_int_equal(node_roster_decode(w, n, &r, &why), 0);
	assert_int_equal(r->schema_version, NODE_SCHEMA_SEALED);
	assert_hex(r->body_hash, 32, mj_str(vec, "net_id"));
	node_roster_free(r);
	free(w);
}

static void test_entries_rebuilt(void **state)
{
	(void)state;
	/* Built in setup; here every op's group text matches ward's. */
	char text[96];
	node_schema_roles_text((1u << NODE_ROLE_COUNT) - 1, text, sizeof(text));
	assert_string_equal(text, mj_str(mj_get(vec, "groups"), "id"));
	node_schema_roles_text(NODE_ROLE_BIT(NODE_ROLE_AUDITOR) |
				   NODE_ROLE_BIT(NODE_ROLE_HEALTH),
			       text, sizeof(text));
	assert_string_equal(text, mj_str(mj_get(vec, "groups"), "health"));
	assert_true(n_ents >= 10);
}

/* ---- verdicts ---- */

struct find_ctx {
	const struct ventry *x;
	uint32_t index;
	enum node_msg id;
	size_t count;
};

static int find_cb(void *ctx, const struct node_ledger_finding *f)
{
	struct find_ctx *c = ctx;
	c->count++;
	if (c->x && !memcmp(f->author, c->x->pk, 32) &&
	    !strcmp(f->scope, mj_str(c->x->o, "scope")) &&
	    f->seq == num(c->x->o, "seq") && f->index == c->index)
		c->id = f->reason.id;
	return 0;
}

/* Whether op's dot is in its cell: a live version (set), a tag of its
 * element (add), and for a remove whether the tags it observed are gone
 * (true when gone). */
static bool in_state(struct node_ledger *l, const struct vop *v)
{
	if (v->op.code == CRDT_OP_CREATE) {
		struct node_entity e;
		return node_ledger_entity(l, v->op.entity, &e) == 0 && e.valid;
	}
	char field[64];
	snprintf(field, sizeof(field), "%.*s", (int)v->op.name_len, v->op.name);
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(l, v->op.entity, field, &c), 0);
	bool found = false;
	if (v->op.code == CRDT_OP_SET) {
		for (size_t i = 0; i < c.n_live; i++)
			if (crdt_dot_equal(&c.live[i].dot, &v->dot)) {
				assert_true(crdt_value_equal(&c.live[i].value,
							     &v->op.value));
				found = true;
			}
	} else {
		const struct crdt_elem *el = crdt_cell_find(&c, &v->op.value);
		if (v->op.code == CRDT_OP_ADD) {
			for (size_t i = 0; el && i < el->n_tags; i++)
				found |= crdt_dot_equal(&el->tags[i], &v->dot);
		} else {
			found = true;
			for (size_t i = 0; el && i < el->n_tags; i++)
				for (size_t k = 0; k < v->op.n_dots; k++)
					if (crdt_dot_equal(&el->tags[i],
							   &v->op.dots[k]))
						found = false;
		}
	}
	crdt_cell_fini(&c);
	return found;
}

/* Whether an ingested remove took away the tag of add op v. */
static bool removed(const struct vop *v)
{
	for (size_t i = 0; i < n_ents; i++) {
		if (!ents[i].in)
			continue;
		for (size_t j = 0; j < ents[i].n_ops; j++) {
			const struct vop *r = &ents[i].ops[j];
			if (r->op.code != CRDT_OP_REMOVE ||
			    strcmp(r->verdict, "effect") != 0)
				continue;
			for (size_t k = 0; k < r->op.n_dots; k++)
				if (crdt_dot_equal(&r->op.dots[k], &v->dot))
					return true;
		}
	}
	return false;
}

/* Checks op i of x against verdict want, after entry last of order
 * arrived; returns 1 on a mismatch. */
static int check_op(struct node_ledger *l, const struct ventry *x, size_t i,
		    const char *want, const char *order, const char *last)
{
	const struct vop *v = &x->ops[i];
	struct find_ctx c = {x, (uint32_t)i, MSG_NONE, 0};
	assert_int_equal(node_ledger_each_finding(l, find_cb, &c), 0);
	const char *got_finding =
	    c.id == MSG_NONE ? NULL : node_catalog_name(c.id);
	bool effect = in_state(l, v);
	bool ok;
	if (!strcmp(want, "effect")) {
		if (v->op.code == CRDT_OP_ADD && removed(v))
			effect = !effect;
		ok = !got_finding && effect;
	} else if (!strcmp(want, "wait")) {
		ok = !got_finding && (v->op.code == CRDT_OP_REMOVE || !effect);
	} else {
		ok = got_finding && !strcmp(got_finding, want) &&
		     (v->op.code == CRDT_OP_REMOVE || !effect);
	}
	if (!ok)
		fprintf(stderr,
			"%s, after %s: %s op %zu (%s): want %s, got finding "
			"%s, %s\n",
			order, last, x->name, i,
			mj_str(mj_get(x->o, "ops")->items[i], "note"), want,
			got_finding ? got_finding : "none",
			effect ? "in the state" : "not in the state");
	return ok ? 0 : 1;
}

/* The verdict op i of x has now in order o: "wait" while the entry it
 * waits for has not arrived. */
static const char *verdict_now(const struct mj *o, const struct ventry *x,
			       size_t i)
{
	const struct mj *ws = mj_get(o, "waits");
	for (size_t k = 0; ws && k < ws->n; k++) {
		const struct mj *w = ws->items[k];
		if (!strcmp(mj_str(w, "entry"), x->name) && num(w, "op") == i &&
		    !entry_named(mj_str(w, "until"))->in)
			return "wait";
	}
	return x->ops[i].verdict;
}

static void run_order(const struct mj *o)
{
	const char *oname = mj_str(o, "name");
	struct node_kv *kv = node_kv_new_mem();
	struct node_ledger *l;
	struct node_reason rwhy;
	enum node_msg why = MSG_NONE;
	assert_int_equal(node_ledger_open(kv, &l), 0);
	assert_int_equal(node_ledger_set_roster(l, genesis, genesis_len, &rwhy),
			 0);
	uint8_t id[32];
	node_ledger_net_id(l, id);
	assert_memory_equal(id, net_id, 32);
	for (size_t i = 0; i < n_ents; i++)
		ents[i].in = false;
	const struct mj *list = mj_get(o, "entries");
	assert_int_equal(list->n, n_ents);
	int wrong = 0;
	for (size_t k = 0; k < list->n; k++) {
		struct ventry *x = entry_named(list->items[k]->str);
		struct node_txn *t = node_ledger_begin(l);
		enum node_ingest res;
		int rc = node_txn_ingest(t, x->wire, x->len, false, &res, &why);
		if (rc)
			fprintf(stderr, "%s: %s: %d %s\n", oname, x->name, rc,
				node_catalog_text(NODE_LANG_EN, why));
		assert_int_equal(rc, 0);
		assert_int_equal(res, NODE_INGEST_APPLIED);
		assert_int_equal(node_txn_commit(t, true), 0);
		x->in = true;
		/* Every op so far, as it stands now. */
		for (size_t j = 0; j <= k; j++) {
			struct ventry *y = entry_named(list->items[j]->str);
			for (size_t i = 0; i < y->n_ops; i++)
				wrong += check_op(l, y, i, verdict_now(o, y, i),
						  oname, x->name);
		}
	}
	/* Nothing else was found. */
	size_t want_findings = 0;
	for (size_t i = 0; i < n_ents; i++)
		for (size_t j = 0; j < ents[i].n_ops; j++)
			if (strcmp(ents[i].ops[j].verdict, "effect") &&
			    strcmp(ents[i].ops[j].verdict, "wait"))
				want_findings++;
	struct find_ctx c = {NULL, 0, MSG_NONE, 0};
	assert_int_equal(node_ledger_each_finding(l, find_cb, &c), 0);
	assert_int_equal(c.count, want_findings);
	assert_int_equal(wrong, 0);
	uint8_t d[32];
	node_ledger_digest(l, d);
	assert_hex(d, 32, mj_str(vec, "digest"));
	node_ledger_close(l);
	node_kv_close(kv);
}

static void test_keys_first(void **state)
{
	(void)state;
	run_order(mj_get(vec, "orders")->items[0]);
}

static void test_values_first(void **state)
{
	(void)state;
	const struct mj *o = mj_get(vec, "orders")->items[1];
	assert_non_null(mj_get(o, "waits"));
	assert_true(mj_get(o, "waits")->n > 0);
	run_order(o);
}

static int setup(void **state)
{
	(void)state;
	const struct mj *es = mj_get(vec, "entries");
	if (!es)
		return -1;
	n_ents = es->n;
	ents = calloc(n_ents, sizeof(*ents));
	for (size_t i = 0; i < n_ents; i++)
		build_entry(&ents[i], es->items[i]);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_ents; i++) {
		for (size_t j = 0; j < ents[i].n_ops; j++)
			crdt_buf_fini(&ents[i].ops[j].value);
		free(ents[i].ops);
		free(ents[i].wire);
	}
	free(ents);
	return 0;
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char path[4096];
	const char *dir = getenv("WARD_VECTORS_DIR");
	snprintf(path, sizeof(path), "%s/sealed-v1.json",
		 dir ? dir : "tests/vectors");
	root = mj_parse_file(path);
	vec = mj_get(root, "ledger");
	if (!vec) {
		fprintf(stderr, "cannot read %s's ledger section\n", path);
		return 1;
	}
	uint8_t *n;
	if (mj_hex(mj_str(vec, "net_id"), &n) != 32) {
		fprintf(stderr, "%s: no ledger net_id\n", path);
		return 1;
	}
	memcpy(net_id, n, 32);
	free(n);
	genesis_len = mj_hex(mj_str(vec, "genesis"), &genesis);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_genesis),
	    cmocka_unit_test(test_entries_rebuilt),
	    cmocka_unit_test(test_keys_first),
	    cmocka_unit_test(test_values_first),
	};
	int rc = cmocka_run_group_tests(tests, setup, teardown);
	free(genesis);
	mj_free(root);
	return rc;
}
