/*
 * test_crdt_vectors: reproduces ../shared/vectors/ledger-v1.json (a copy
 * lives in tests/vectors) byte for byte: the roster's net_id, every entry's
 * body, signature, wire form, hash and entity id, the state and digest after
 * applying the entries in each listed order, and the rejected entries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>

#include "crdt/crdt.h"
#include "tests/common/minijson.h"

static struct mj *vec;

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
	uint8_t *want;
	size_t n = mj_hex(hex, &want);
	assert_int_equal(n, len);
	assert_memory_equal(got, want, len);
	free(want);
}

static void net_id(uint8_t out[32])
{
	uint8_t *body;
	size_t n = mj_hex(mj_str(vec, "roster_body"), &body);
	crypto_generichash(out, 32, body, n, NULL, 0);
	free(body);
}

static void keypair(const char *who, uint8_t pk[32], uint8_t sk[64])
{
	struct mj *a = mj_get(mj_get(vec, "authors"), who);
	uint8_t *seed;
	mj_hex(mj_str(a, "seed"), &seed);
	crypto_sign_seed_keypair(pk, sk, seed);
	free(seed);
}

static void test_net_id(void **state)
{
	(void)state;
	uint8_t id[32];
	net_id(id);
	assert_hex(id, 32, mj_str(vec, "net_id"));
	uint8_t pk[32], sk[64];
	keypair("health", pk, sk);
	assert_hex(pk, 32, mj_str(mj_get(mj_get(vec, "authors"), "health"),
				  "public_key"));
}

static void test_entries(void **state)
{
	(void)state;
	uint8_t nid[32];
	net_id(nid);
	struct mj *entries = mj_get(vec, "entries");
	for (size_t i = 0; i < entries->n; i++) {
		struct mj *e = entries->items[i];
		uint8_t pk[32], sk[64];
		keypair(mj_str(e, "author"), pk, sk);
		uint8_t *wire;
		size_t wire_len = mj_hex(mj_str(e, "wire"), &wire);
		struct crdt_entry d;
		enum crdt_reject why = CRDT_REJECT_NONE;
		assert_int_equal(crdt_entry_decode(wire, wire_len, &d, &why), 0);
		assert_memory_equal(d.author, pk, 32);
		assert_int_equal(d.seq,
				 (uint64_t)mj_get(e, "seq")->num);
		char hlc[32];
		snprintf(hlc, sizeof(hlc), "%llu", (unsigned long long)d.hlc);
		assert_string_equal(hlc, mj_get(e, "hlc")->numtext);
		assert_hex(d.body, d.body_len, mj_str(e, "body"));
		/* Re-encoding the decoded body reproduces it exactly. */
		struct crdt_buf b;
		crdt_buf_init(&b);
		crdt_entry_encode_body(&b, &d);
		assert_hex(b.data, b.len, mj_str(e, "body"));
		/* Signing reproduces the signature (Ed25519 is deterministic). */
		uint8_t sig[64];
		crdt_entry_sign(sig, nid, b.data, b.len, sk);
		assert_hex(sig, 64, mj_str(e, "sig"));
		assert_true(crdt_entry_verify(sig, nid, b.data, b.len, pk));
		struct crdt_buf w;
		crdt_buf_init(&w);
		crdt_entry_encode_wire(&w, b.data, b.len, sig);
		assert_hex(w.data, w.len, mj_str(e, "wire"));
		assert_hex(d.hash, 32, mj_str(e, "hash"));
		crdt_buf_fini(&b);
		crdt_buf_fini(&w);
		crdt_entry_fini(&d);
		free(wire);
	}
	uint8_t pk[32], sk[64], id[16];
	keypair("health", pk, sk);
	crdt_entity_id(id, pk, "120116001", 1, 0);
	assert_hex(id, 16, mj_str(vec, "patient_entity"));
}

/* A minimal replica: cells by field name of the one entity in the vectors. */
struct replica {
	struct crdt_lthash h;
	size_t n;
	char names[16][32];
	struct crdt_cell cells[16];
};

static struct crdt_cell *cell_for(struct replica *r, const char *name,
				  size_t len, bool is_set)
{
	for (size_t i = 0; i < r->n; i++)
		if (strlen(r->names[i]) == len && !memcmp(r->names[i], name, len))
			return &r->cells[i];
	memcpy(r->names[r->n], name, len);
	r->names[r->n][len] = 0;
	crdt_cell_init(&r->cells[r->n], is_set);
	return &r->cells[r->n++];
}

static void apply(struct replica *r, const struct crdt_entry *e)
{
	for (size_t i = 0; i < e->n_ops; i++) {
		const struct crdt_op *op = &e->ops[i];
		struct crdt_dot dot;
		memcpy(dot.author, e->author, 32);
		dot.seq = e->seq;
		dot.index = (uint32_t)i;
		struct crdt_buf b;
		switch (op->code) {
		case CRDT_OP_CREATE:
			crdt_buf_init(&b);
			crdt_elem_create(&b, op->entity, op->name, op->name_len);
			crdt_lthash_add(&r->h, b.data, b.len);
			crdt_buf_fini(&b);
			break;
		case CRDT_OP_SET:
			crdt_cell_set(cell_for(r, op->name, op->name_len, false),
				      op->entity, op->name, op->name_len, &dot,
				      e->hlc, &op->value, op->dots, op->n_dots,
				      &r->h);
			break;
		case CRDT_OP_ADD:
			crdt_cell_add(cell_for(r, op->name, op->name_len, true),
				      op->entity, op->name, op->name_len, &dot,
				      &op->value, &r->h);
			break;
		case CRDT_OP_REMOVE:
			crdt_cell_remove(cell_for(r, op->name, op->name_len, true),
					 op->entity, op->name, op->name_len,
					 &op->value, op->dots, op->n_dots, &r->h);
			break;
		}
	}
}

static struct mj *entry_named(const char *name)
{
	struct mj *entries = mj_get(vec, "entries");
	for (size_t i = 0; i < entries->n; i++)
		if (!strcmp(mj_str(entries->items[i], "name"), name))
			return entries->items[i];
	fail_msg("no entry %s", name);
	return NULL;
}

static void check_state(struct replica *r)
{
	struct mj *want = mj_get(vec, "expected_state");
	for (size_t i = 0; i < want->n; i++) {
		const char *field = want->keys[i];
		struct mj *w = want->items[i];
		struct crdt_cell *c = cell_for(r, field, strlen(field), false);
		struct mj *set = mj_get(w, "set");
		if (set) {
			assert_int_equal(c->n_elems, set->n);
			/* A set: compare membership (order is by encoded bytes). */
			for (size_t k = 0; k < set->n; k++) {
				struct crdt_value v = {
					.kind = CRDT_VALUE_STR,
					.p = (const uint8_t *)set->items[k]->str,
					.len = strlen(set->items[k]->str)};
				assert_non_null(crdt_cell_find(c, &v));
			}
			continue;
		}
		assert_int_equal(c->n_live, (size_t)mj_get(w, "live")->num);
		const struct crdt_version *v = crdt_cell_shown(c);
		assert_non_null(v);
		struct mj *value = mj_get(w, "value");
		if (value->kind == MJ_NULL) {
			assert_int_equal(v->value.kind, CRDT_VALUE_NIL);
		} else {
			assert_int_equal(v->value.len, strlen(value->str));
			assert_memory_equal(v->value.p, value->str, v->value.len);
		}
		struct mj *conflict = mj_get(w, "conflict");
		if (conflict) {
			for (size_t k = 0; k < conflict->n; k++)
				assert_memory_equal(c->live[k].value.p,
						    conflict->items[k]->str,
						    strlen(conflict->items[k]->str));
		}
	}
}

static void test_orders(void **state)
{
	(void)state;
	struct mj *orders = mj_get(vec, "orders");
	uint8_t first_cells[16][512];
	size_t first_len[16] = {0};
	for (size_t o = 0; o < orders->n; o++) {
		struct replica *r = calloc(1, sizeof(*r));
		crdt_lthash_init(&r->h);
		struct mj *order = orders->items[o];
		for (size_t i = 0; i < order->n; i++) {
			struct mj *e = entry_named(order->items[i]->str);
			uint8_t *wire;
			size_t len = mj_hex(mj_str(e, "wire"), &wire);
			struct crdt_entry d;
			assert_int_equal(crdt_entry_decode(wire, len, &d, NULL), 0);
			apply(r, &d);
			if (o == 0) {
				uint8_t dg[32];
				crdt_lthash_digest(&r->h, dg);
				assert_hex(dg, 32,
					   mj_get(vec, "digest_after")->items[i]->str);
			}
			crdt_entry_fini(&d);
			free(wire);
		}
		uint8_t dg[32];
		crdt_lthash_digest(&r->h, dg);
		assert_hex(dg, 32, mj_str(vec, "expected_digest"));
		check_state(r);
		/* Cells are byte-identical in every order. */
		const char *fields[] = {"name", "sex", "address", "phone",
					"benefits"};
		for (size_t f = 0; f < 5; f++) {
			struct crdt_buf b;
			crdt_buf_init(&b);
			crdt_cell_encode(&b, cell_for(r, fields[f],
						      strlen(fields[f]), false));
			if (o == 0) {
				memcpy(first_cells[f], b.data, b.len);
				first_len[f] = b.len;
			} else {
				assert_int_equal(b.len, first_len[f]);
				assert_memory_equal(b.data, first_cells[f], b.len);
			}
			/* And survive a storage round trip. */
			struct crdt_cell back;
			assert_int_equal(crdt_cell_decode(&back, b.data, b.len), 0);
			struct crdt_buf b2;
			crdt_buf_init(&b2);
			crdt_cell_encode(&b2, &back);
			assert_int_equal(b2.len, b.len);
			assert_memory_equal(b2.data, b.data, b.len);
			crdt_cell_fini(&back);
			crdt_buf_fini(&b2);
			crdt_buf_fini(&b);
		}
		for (size_t i = 0; i < r->n; i++)
			crdt_cell_fini(&r->cells[i]);
		free(r);
	}
}

static void test_invalid(void **state)
{
	(void)state;
	uint8_t nid[32];
	net_id(nid);
	struct mj *inv = mj_get(vec, "invalid");
	for (size_t i = 0; i < inv->n; i++) {
		uint8_t *body, *sig;
		size_t blen = mj_hex(mj_str(inv->items[i], "body"), &body);
		assert_int_equal(mj_hex(mj_str(inv->items[i], "sig"), &sig), 64);
		struct crdt_buf w;
		crdt_buf_init(&w);
		crdt_entry_encode_wire(&w, body, blen, sig);
		struct crdt_entry d;
		/* Well formed, but the signature does not verify. */
		if (crdt_entry_decode(w.data, w.len, &d, NULL) == 0) {
			assert_false(crdt_entry_verify(d.sig, nid, d.body,
						       d.body_len, d.author));
			crdt_entry_fini(&d);
		}
		crdt_buf_fini(&w);
		free(body);
		free(sig);
	}
}

static void test_digest_empty(void **state)
{
	(void)state;
	struct crdt_lthash h;
	uint8_t dg[32];
	crdt_lthash_init(&h);
	crdt_lthash_digest(&h, dg);
	assert_hex(dg, 32, mj_str(vec, "digest_empty"));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	vec = mj_parse_file(WARD_VECTORS);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_net_id),
		cmocka_unit_test(test_entries),
		cmocka_unit_test(test_orders),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_digest_empty),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mj_free(vec);
	return rc;
}
