/*
 * test_roster_vectors: reproduces tests/vectors/roster-v1.json (written by
 * tests/vectors/roster-chain-gen.py, an implementation of its own) byte for
 * byte with ward's code: every roster body from its fields, its id, its
 * signatures and whole form, the chain file; the chain verifies from
 * genesis and the bad version 3 is refused; each entry is rebuilt from its
 * fields and gets its verdict under the chain; the state digest after them
 * is the one given.
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
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/store/kv.h"
#include "tests/common/minijson.h"

static struct mj *vec;

static void assert_hex(const uint8_t *got, size_t len, const char *hex)
{
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

static void key_of(const char *name, uint8_t pk[32], uint8_t sk[64])
{
	struct mj *k = mj_get(mj_get(vec, "keys"), name);
	assert_non_null(k);
	uint8_t *seed;
	assert_int_equal(mj_hex(mj_str(k, "seed"), &seed), 32);
	crypto_sign_seed_keypair(pk, sk, seed);
	free(seed);
	assert_hex(pk, 32, mj_str(k, "public_key"));
}

static uint64_t num(const struct mj *o, const char *key)
{
	struct mj *v = mj_get(o, key);
	assert_non_null(v);
	assert_int_equal(v->kind, MJ_NUM);
	return strtoull(v->numtext, NULL, 10);
}

/* The roster of entry i of "rosters", built from its fields. */
static struct node_roster *build(const struct mj *r)
{
	struct node_roster *x = calloc(1, sizeof(*x));
	x->version = num(r, "version");
	const char *prev = mj_str(r, "prev");
	if (prev) {
		uint8_t *p;
		assert_int_equal(mj_hex(prev, &p), 32);
		memcpy(x->prev, p, 32);
		free(p);
		x->has_prev = true;
	}
	x->schema_version = num(r, "schema_version");
	x->threshold = num(r, "threshold");
	struct mj *ad = mj_get(r, "admins");
	x->n_admins = ad->n;
	x->admins = calloc(ad->n, 32);
	for (size_t i = 0; i < ad->n; i++) {
		uint8_t sk[64];
		key_of(ad->items[i]->str, x->admins[i], sk);
	}
	struct mj *ms = mj_get(r, "members");
	x->n_members = ms->n;
	x->members = calloc(ms->n, sizeof(*x->members));
	for (size_t i = 0; i < ms->n; i++) {
		struct node_member *m = &x->members[i];
		const struct mj *o = ms->items[i];
		uint8_t sk[64];
		key_of(mj_str(o, "name"), m->key, sk);
		assert_hex(m->key, 32, mj_str(o, "key"));
		const char *role = mj_str(o, "role");
		assert_int_equal(node_role_parse(role, strlen(role), &m->role),
				 0);
		m->name = strdup(mj_str(o, "name"));
		snprintf(m->scope, sizeof(m->scope), "%s", mj_str(o, "scope"));
		m->address = strdup(mj_str(o, "address"));
		m->cert_pem = strdup("");
		struct mj *ls = mj_get(o, "last_seq");
		if (ls && ls->kind == MJ_ARR) {
			m->revoked = calloc(ls->n, sizeof(*m->revoked));
			for (size_t k = 0; k < ls->n; k++) {
				struct mj *pair = ls->items[k];
				snprintf(m->revoked[k].scope, 13, "%s",
					 pair->items[0]->str);
				m->revoked[k].seq =
				    strtoull(pair->items[1]->numtext, NULL, 10);
			}
			m->n_revoked = ls->n;
		}
	}
	return x;
}

static void test_rosters_and_chain(void **state)
{
	(void)state;
	struct mj *rs = mj_get(vec, "rosters");
	assert_int_equal(rs->n, 3);
	struct node_roster *decoded[3];
	for (size_t i = 0; i < rs->n; i++) {
		const struct mj *r = rs->items[i];
		struct node_roster *x = build(r);
		struct crdt_buf body, wire;
		crdt_buf_init(&body);
		crdt_buf_init(&wire);
		node_roster_encode_body(&body, x);
		assert_hex(body.data, body.len, mj_str(r, "body"));
		uint8_t id[32];
		crypto_generichash(id, 32, body.data, body.len, NULL, 0);
		assert_hex(id, 32, mj_str(r, "id"));
		struct mj *sg = mj_get(r, "signers");
		uint8_t keys[4][32], sigs[4][64];
		for (size_t k = 0; k < sg->n; k++) {
			uint8_t sk[64];
			key_of(sg->items[k]->str, keys[k], sk);
			node_roster_sign(body.data, body.len, sk, sigs[k]);
		}
		node_roster_assemble(&wire, body.data, body.len, sg->n,
				     (const uint8_t(*)[32])keys,
				     (const uint8_t(*)[64])sigs);
		assert_hex(wire.data, wire.len, mj_str(r, "roster"));
		enum node_msg why;
		assert_int_equal(
		    node_roster_decode(wire.data, wire.len, &decoded[i], &why),
		    0);
		crdt_buf_fini(&body);
		crdt_buf_fini(&wire);
		node_roster_free(x);
	}
	struct crdt_buf chain;
	crdt_buf_init(&chain);
	node_roster_chain_encode(&chain, decoded, 3);
	assert_hex(chain.data, chain.len, mj_str(vec, "chain"));
	struct node_roster_chain c;
	struct node_reason why;
	assert_int_equal(node_roster_chain_decode(chain.data, chain.len, &c,
						  &why),
			 0);
	assert_int_equal(c.n, 3);
	assert_hex(c.v[0]->body_hash, 32, mj_str(vec, "net_id"));
	node_roster_chain_fini(&c);
	crdt_buf_fini(&chain);
	/* The bad version 3, offered to a node holding 1 and 2. */
	struct node_kv *kv = node_kv_new_mem();
	struct node_ledger *l;
	struct node_reason w;
	char text[512];
	assert_int_equal(node_ledger_open(kv, &l), 0);
	crdt_buf_init(&chain);
	node_roster_chain_encode(&chain, decoded, 2);
	assert_int_equal(node_ledger_set_roster(l, chain.data, chain.len, &w),
			 0);
	uint8_t *bad;
	size_t bn =
	    mj_hex(mj_str(mj_get(vec, "bad_version_3"), "roster"), &bad);
	assert_int_equal(node_ledger_set_roster(l, bad, bn, &w), -EBADMSG);
	assert_non_null(
	    strstr(node_reason_text(&w, NODE_LANG_EN, text, sizeof(text)),
		   mj_str(mj_get(vec, "bad_version_3"), "why")));
	assert_int_equal(node_ledger_roster(l)->version, 2);
	free(bad);
	crdt_buf_fini(&chain);
	node_ledger_close(l);
	node_kv_close(kv);
	for (int i = 0; i < 3; i++)
		node_roster_free(decoded[i]);
}

static bool has_finding_ctx_hit;
static struct mj *finding_want;
static int finding_fn(void *ctx, const struct node_ledger_finding *f)
{
	const uint8_t *author = ctx;
	if (!memcmp(f->author, author, 32) &&
	    !strcmp(f->scope, mj_str(finding_want, "scope")) &&
	    f->seq == num(finding_want, "seq"))
		has_finding_ctx_hit = true;
	return 0;
}

static void test_entries(void **state)
{
	(void)state;
	uint8_t *chain;
	size_t cn = mj_hex(mj_str(vec, "chain"), &chain);
	struct node_kv *kv = node_kv_new_mem();
	struct node_ledger *l;
	struct node_reason rwhy;
	enum node_msg why;
	assert_int_equal(node_ledger_open(kv, &l), 0);
	assert_int_equal(node_ledger_set_roster(l, chain, cn, &rwhy), 0);
	free(chain);
	uint8_t net_id[32];
	node_ledger_net_id(l, net_id);
	struct mj *es = mj_get(vec, "entries");
	for (size_t i = 0; i < es->n; i++) {
		struct mj *o = es->items[i];
		uint8_t pk[32], sk[64];
		key_of(mj_str(o, "author"), pk, sk);
		struct crdt_entry e;
		struct crdt_op op;
		memset(&e, 0, sizeof(e));
		memset(&op, 0, sizeof(op));
		memcpy(e.author, pk, 32);
		snprintf(e.scope, sizeof(e.scope), "%s", mj_str(o, "scope"));
		e.seq = num(o, "seq");
		uint8_t *prev;
		assert_int_equal(mj_hex(mj_str(o, "prev"), &prev), 32);
		memcpy(e.prev, prev, 32);
		free(prev);
		e.hlc = num(o, "hlc");
		e.roster_version = num(o, "roster_version");
		op.code = CRDT_OP_CREATE;
		op.name = mj_str(o, "type");
		op.name_len = strlen(op.name);
		crdt_entity_id(op.entity, pk, e.scope, e.seq, 0);
		assert_hex(op.entity, 16, mj_str(o, "entity"));
		e.n_ops = 1;
		e.ops = &op;
		struct crdt_buf body, wire;
		crdt_buf_init(&body);
		crdt_buf_init(&wire);
		crdt_entry_encode_body(&body, &e);
		uint8_t sig[64], hash[32];
		crdt_entry_sign(sig, net_id, body.data, body.len, sk);
		crdt_entry_encode_wire(&wire, body.data, body.len, sig);
		crdt_entry_hash(hash, body.data, body.len, sig);
		assert_hex(wire.data, wire.len, mj_str(o, "wire"));
		assert_hex(hash, 32, mj_str(o, "hash"));
		struct node_txn *t = node_ledger_begin(l);
		enum node_ingest res;
		int rc =
		    node_txn_ingest(t, wire.data, wire.len, false, &res, &why);
		if (rc == 0)
			assert_int_equal(node_txn_commit(t, true), 0);
		else
			node_txn_abort(t);
		const char *verdict = mj_str(o, "verdict");
		has_finding_ctx_hit = false;
		finding_want = o;
		node_ledger_each_finding(l, finding_fn, pk);
		if (!strcmp(verdict, "applied")) {
			assert_int_equal(rc, 0);
			assert_false(has_finding_ctx_hit);
		} else if (!strcmp(verdict, "no_effect")) {
			assert_int_equal(rc, 0);
			assert_true(has_finding_ctx_hit);
		} else if (!strcmp(verdict, "rejected")) {
			assert_int_equal(rc, -EBADMSG);
		} else {
			assert_string_equal(verdict, "waits");
			assert_int_equal(rc, -EAGAIN);
		}
		crdt_buf_fini(&body);
		crdt_buf_fini(&wire);
	}
	uint8_t d[32];
	node_ledger_digest(l, d);
	assert_hex(d, 32, mj_str(vec, "digest_after"));
	node_ledger_close(l);
	node_kv_close(kv);
}

int main(void)
{
	char path[4096];
	const char *dir = getenv("WARD_VECTORS_DIR");
	snprintf(path, sizeof(path), "%s/roster-v1.json",
		 dir ? dir : "tests/vectors");
	vec = mj_parse_file(path);
	if (!vec) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rosters_and_chain),
	    cmocka_unit_test(test_entries),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mj_free(vec);
	return rc;
}
