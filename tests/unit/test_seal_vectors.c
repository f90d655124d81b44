/*
 * test_seal_vectors: reproduces tests/vectors/sealed-v1.json (written by
 * tests/vectors/sealed-gen.py, an implementation of its own in Python)
 * byte for byte with ward's C code and libsodium: members' Ed25519 and
 * X25519 keys, group key ids and subkeys, every envelope rebuilt from its
 * fixed ephemeral key and opened by its recipient, every sealed register
 * value and set element form sealed from its value (exactly the bytes
 * given) and opened back, and every bad case giving its expected results.
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
#include "tests/common/minijson.h"

static struct mj *vec;
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

/* Hex field key of o into out, exactly len bytes. */
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

static void group_key(const char *name, uint8_t k[32])
{
	struct mj *o = mj_get(mj_get(vec, "keys"), name);
	assert_non_null(o);
	hex_fixed(o, "k", k, 32);
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

static int errno_of(const char *name)
{
	assert_non_null(name);
	if (!strcmp(name, "ok"))
		return 0;
	if (!strcmp(name, "EINVAL"))
		return -EINVAL;
	if (!strcmp(name, "EBADMSG"))
		return -EBADMSG;
	if (!strcmp(name, "ENOKEY"))
		return -ENOKEY;
	if (!strcmp(name, "EACCES"))
		return -EACCES;
	fail_msg("unknown result %s", name);
	return 1;
}

static void test_members(void **state)
{
	(void)state;
	struct mj *order = mj_get(vec, "member_order");
	assert_true(order && order->n >= 3);
	for (size_t i = 0; i < order->n; i++) {
		const char *name = order->items[i]->str;
		struct mj *o = mj_get(mj_get(vec, "members"), name);
		uint8_t pk[32], sk[64], x[32];
		member_keys(name, pk, sk);
		assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(x, pk), 0);
		assert_hex(x, 32, mj_str(o, "x25519_pk"));
		assert_int_equal(crypto_sign_ed25519_sk_to_curve25519(x, sk), 0);
		assert_hex(x, 32, mj_str(o, "x25519_sk"));
	}
}

static void test_keys(void **state)
{
	(void)state;
	struct mj *order = mj_get(vec, "key_order");
	assert_true(order && order->n >= 2);
	for (size_t i = 0; i < order->n; i++) {
		const char *name = order->items[i]->str;
		struct mj *o = mj_get(mj_get(vec, "keys"), name);
		uint8_t k[32], id[16], sub[32];
		group_key(name, k);
		crdt_seal_key_id(k, id);
		assert_hex(id, 16, mj_str(o, "key_id"));
		crypto_kdf_derive_from_key(sub, 32, 1, "wardseal", k);
		assert_hex(sub, 32, mj_str(o, "aead_key"));
		crypto_kdf_derive_from_key(sub, 32, 2, "wardseal", k);
		assert_hex(sub, 32, mj_str(o, "nonce_key"));
	}
}

static void test_envelopes(void **state)
{
	(void)state;
	struct mj *envs = mj_get(vec, "envelopes");
	assert_true(envs && envs->n >= 4);
	for (size_t i = 0; i < envs->n; i++) {
		const struct mj *o = envs->items[i];
		uint8_t k[32], pk[32], sk[64], xpk[32], esk[32], epk[32];
		uint8_t nonce[24], el[CRDT_SEAL_ENVELOPE_BYTES];
		group_key(mj_str(o, "key"), k);
		member_keys(mj_str(o, "recipient"), pk, sk);
		hex_fixed(o, "ephemeral_secret", esk, 32);
		assert_int_equal(crypto_scalarmult_base(epk, esk), 0);
		assert_hex(epk, 32, mj_str(o, "ephemeral_public"));
		assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(xpk, pk),
				 0);
		crypto_generichash_state st;
		crypto_generichash_init(&st, NULL, 0, sizeof(nonce));
		crypto_generichash_update(&st, epk, 32);
		crypto_generichash_update(&st, xpk, 32);
		crypto_generichash_final(&st, nonce, sizeof(nonce));
		assert_hex(nonce, 24, mj_str(o, "nonce"));
		/* crypto_box_seal with this ephemeral key, as libsodium
		 * builds it: epk || crypto_box_easy(K). */
		el[0] = 0x92;
		el[1] = 0xc4;
		el[2] = 32;
		memcpy(el + 3, pk, 32);
		el[35] = 0xc4;
		el[36] = CRDT_SEAL_BOX_BYTES;
		memcpy(el + 37, epk, 32);
		assert_int_equal(crypto_box_easy(el + 69, k, 32, nonce, xpk, esk),
				 0);
		assert_hex(el, sizeof(el), mj_str(o, "element"));

		const uint8_t *to;
		assert_int_equal(crdt_seal_envelope_parse(el, sizeof(el), &to),
				 0);
		assert_memory_equal(to, pk, 32);
		uint8_t got[32];
		assert_int_equal(
		    crdt_seal_envelope_open(el, sizeof(el), pk, sk, got), 0);
		assert_memory_equal(got, k, 32);
		/* And ward's own (randomised) envelope opens to the same. */
		uint8_t mine[CRDT_SEAL_ENVELOPE_BYTES];
		assert_int_equal(crdt_seal_envelope(mine, pk, k), 0);
		assert_memory_equal(mine, el, 37);
		assert_int_equal(
		    crdt_seal_envelope_open(mine, sizeof(mine), pk, sk, got),
		    0);
		assert_memory_equal(got, k, 32);
	}
}

/* The value of a register vector; str pointers borrow from the JSON. */
static struct crdt_value value_of(const struct mj *o)
{
	struct mj *v = mj_get(o, "value");
	assert_non_null(v);
	const char *type = mj_str(v, "type");
	struct crdt_value out = {0};
	if (!strcmp(type, "str")) {
		const char *s = mj_str(v, "str");
		out.kind = CRDT_VALUE_STR;
		out.p = (const uint8_t *)s;
		out.len = strlen(s);
	} else if (!strcmp(type, "int")) {
		out.kind = CRDT_VALUE_INT;
		out.i = strtoll(mj_get(v, "int")->numtext, NULL, 10);
	} else if (!strcmp(type, "bool")) {
		out.kind = CRDT_VALUE_BOOL;
		out.b = mj_get(v, "bool")->b != 0;
	} else {
		fail_msg("unknown value type %s", type);
	}
	return out;
}

/* Seals one vector's value and compares every intermediate; opens it. */
static void check_sealed(const struct mj *o)
{
	uint8_t k[32], ent[16];
	group_key(mj_str(o, "key"), k);
	hex_fixed(o, "entity", ent, 16);
	const char *field = mj_str(o, "field");
	struct crdt_value v = value_of(o);

	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_value_encode(&b, &v);
	assert_hex(b.data, b.len, mj_str(o, "encoding"));
	uint8_t pt[8192];
	size_t padded;
	assert_true(b.len < sizeof(pt) - 64);
	memcpy(pt, b.data, b.len);
	assert_int_equal(sodium_pad(&padded, pt, b.len, 64, sizeof(pt)), 0);
	assert_hex(pt, padded, mj_str(o, "plaintext"));

	crdt_buf_reset(&b);
	assert_int_equal(crdt_seal_value(&b, k, net_id, ent, field,
					 strlen(field), &v),
			 0);
	assert_hex(b.data, b.len, mj_str(o, "sealed"));
	struct crdt_sealed s;
	assert_int_equal(crdt_seal_parse(b.data, b.len, &s), 0);
	assert_hex(s.nonce, 24, mj_str(o, "nonce"));
	assert_int_equal(s.ct_len, padded + 16);

	uint8_t plain[8192];
	struct crdt_value got;
	assert_int_equal(crdt_seal_open(b.data, b.len, k, net_id, ent, field,
					strlen(field), plain, sizeof(plain),
					&got),
			 0);
	assert_true(crdt_value_equal(&got, &v));
	crdt_buf_fini(&b);
}

static void test_registers(void **state)
{
	(void)state;
	struct mj *rs = mj_get(vec, "registers");
	assert_true(rs && rs->n >= 5);
	for (size_t i = 0; i < rs->n; i++)
		check_sealed(rs->items[i]);
}

static void test_set_element(void **state)
{
	(void)state;
	struct mj *forms = mj_get(mj_get(vec, "set_element"), "forms");
	assert_true(forms && forms->n == 2);
	for (size_t i = 0; i < forms->n; i++)
		check_sealed(forms->items[i]);
	/* One element, two keys: two sealed forms. */
	assert_string_not_equal(mj_str(forms->items[0], "sealed"),
				mj_str(forms->items[1], "sealed"));
	assert_string_equal(mj_str(forms->items[0], "encoding"),
			    mj_str(forms->items[1], "encoding"));
}

static void test_bad_sealed(void **state)
{
	(void)state;
	struct mj *bad = mj_get(vec, "bad_sealed");
	assert_true(bad && bad->n >= 7);
	/* Every case is tried and every mismatch named before failing. */
	int wrong = 0;
	for (size_t i = 0; i < bad->n; i++) {
		const struct mj *o = bad->items[i];
		uint8_t k[32], ent[16], *p;
		group_key(mj_str(o, "key"), k);
		hex_fixed(o, "entity", ent, 16);
		const char *field = mj_str(o, "field");
		size_t len = mj_hex(mj_str(o, "sealed"), &p);
		struct crdt_sealed s;
		int rc = crdt_seal_parse(p, len, &s);
		int want = errno_of(mj_str(o, "parse"));
		if (rc != want) {
			fprintf(stderr, "%s: parse %d, want %d\n",
				mj_str(o, "name"), rc, want);
			wrong++;
		}
		uint8_t plain[8192];
		struct crdt_value got;
		assert_true(len <= sizeof(plain));
		rc = crdt_seal_open(p, len, k, net_id, ent, field,
				    strlen(field), plain, sizeof(plain), &got);
		want = errno_of(mj_str(o, "open"));
		if (rc != want) {
			fprintf(stderr, "%s: open %d, want %d\n",
				mj_str(o, "name"), rc, want);
			wrong++;
		}
		free(p);
	}
	assert_int_equal(wrong, 0);
}

static void test_bad_envelopes(void **state)
{
	(void)state;
	struct mj *bad = mj_get(vec, "bad_envelopes");
	assert_true(bad && bad->n >= 3);
	int wrong = 0;
	for (size_t i = 0; i < bad->n; i++) {
		const struct mj *o = bad->items[i];
		uint8_t pk[32], sk[64], k[32], *p;
		member_keys(mj_str(o, "member"), pk, sk);
		size_t len = mj_hex(mj_str(o, "element"), &p);
		int rc = crdt_seal_envelope_open(p, len, pk, sk, k);
		int want = errno_of(mj_str(o, "open"));
		if (rc != want) {
			fprintf(stderr, "%s: open %d, want %d\n",
				mj_str(o, "name"), rc, want);
			wrong++;
		}
		/* Only the malformed ones fail to parse. */
		const uint8_t *to;
		int prc = crdt_seal_envelope_parse(p, len, &to);
		if (prc != (want == -EINVAL ? -EINVAL : 0)) {
			fprintf(stderr, "%s: parse %d\n", mj_str(o, "name"),
				prc);
			wrong++;
		}
		free(p);
	}
	assert_int_equal(wrong, 0);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	char path[4096];
	const char *dir = getenv("WARD_VECTORS_DIR");
	snprintf(path, sizeof(path), "%s/sealed-v1.json",
		 dir ? dir : "tests/vectors");
	vec = mj_parse_file(path);
	if (!vec) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	uint8_t *n;
	if (mj_hex(mj_str(vec, "net_id"), &n) != 32) {
		fprintf(stderr, "%s: no net_id\n", path);
		return 1;
	}
	memcpy(net_id, n, 32);
	free(n);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_members),
	    cmocka_unit_test(test_keys),
	    cmocka_unit_test(test_envelopes),
	    cmocka_unit_test(test_registers),
	    cmocka_unit_test(test_set_element),
	    cmocka_unit_test(test_bad_sealed),
	    cmocka_unit_test(test_bad_envelopes),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	mj_free(vec);
	return rc;
}
