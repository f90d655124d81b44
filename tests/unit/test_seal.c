/*
 * test_seal: the sealed-field format (DESIGN.md section 8, crdt/seal.c).
 * Values of every kind round-trip; sealing is deterministic and depends on
 * entity, field, network and key; ct lengths are whole pad blocks plus the
 * tag; every truncation and every flipped byte of a sealed value fails
 * (with the error its region calls for); the wrong key is -ENOKEY and the
 * wrong network, entity or field -EBADMSG; non-canonical headers and odd
 * ct lengths do not parse; nil is never sealed and a box whose plaintext
 * is nil, two values, a non-canonical value or bad padding does not open
 * (those are crafted here with the subkeys, as a writer could). Envelopes
 * round-trip, are refused to anyone but their recipient, and tampered or
 * malformed ones are refused.
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

static uint8_t key_a[32], key_b[32], net[32], net2[32], ent[16], ent2[16];

static struct crdt_value str_value(const char *s, size_t len)
{
	struct crdt_value v = {.kind = CRDT_VALUE_STR,
			       .p = (const uint8_t *)s,
			       .len = len};
	return v;
}

static struct crdt_value int_value(int64_t i)
{
	struct crdt_value v = {.kind = CRDT_VALUE_INT, .i = i};
	return v;
}

/* Seals v into a fresh buffer (asserting success). */
static void seal(struct crdt_buf *b, const uint8_t *k, const uint8_t *n,
		 const uint8_t *e, const char *field,
		 const struct crdt_value *v)
{
	crdt_buf_init(b);
	assert_int_equal(
	    crdt_seal_value(b, k, n, e, field, strlen(field), v), 0);
}

static int open_with(const uint8_t *p, size_t len, const uint8_t *k,
		     const uint8_t *n, const uint8_t *e, const char *field,
		     struct crdt_value *v)
{
	static uint8_t plain[8192];
	assert_true(len <= sizeof(plain));
	return crdt_seal_open(p, len, k, n, e, field, strlen(field), plain,
			      sizeof(plain), v);
}

static void round_trip(const struct crdt_value *v)
{
	struct crdt_buf b;
	seal(&b, key_a, net, ent, "name", v);
	struct crdt_sealed s;
	assert_true(crdt_seal_is_sealed(b.data, b.len));
	assert_int_equal(crdt_seal_parse(b.data, b.len, &s), 0);
	assert_int_equal((s.ct_len - CRDT_SEAL_TAG_BYTES) % CRDT_SEAL_PAD, 0);
	uint8_t id[16];
	crdt_seal_key_id(key_a, id);
	assert_memory_equal(s.key_id, id, 16);
	uint8_t *plain = malloc(b.len);
	struct crdt_value got;
	assert_int_equal(crdt_seal_open(b.data, b.len, key_a, net, ent, "name",
					4, plain, b.len, &got),
			 0);
	assert_true(crdt_value_equal(&got, v));
	free(plain);
	crdt_buf_fini(&b);
}

static void test_round_trip(void **state)
{
	(void)state;
	struct crdt_value v = str_value("张三", strlen("张三"));
	round_trip(&v);
	v = str_value("", 0);
	round_trip(&v);
	int64_t ints[] = {0, 1, -1, 127, 128, -33, 1700000000000,
			  INT64_MAX, INT64_MIN};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		v = int_value(ints[i]);
		round_trip(&v);
	}
	static const uint8_t bin[] = {0, 1, 2, 0x80, 0xff};
	v = (struct crdt_value){.kind = CRDT_VALUE_BIN, .p = bin, .len = 5};
	round_trip(&v);
	v = (struct crdt_value){.kind = CRDT_VALUE_BOOL, .b = true};
	round_trip(&v);
	v = (struct crdt_value){.kind = CRDT_VALUE_BOOL, .b = false};
	round_trip(&v);
	char *longs = malloc(CRDT_MAX_STR_BYTES);
	memset(longs, 'x', CRDT_MAX_STR_BYTES);
	v = str_value(longs, CRDT_MAX_STR_BYTES);
	round_trip(&v);
	free(longs);
}

static void test_refused_values(void **state)
{
	(void)state;
	struct crdt_buf b;
	crdt_buf_init(&b);
	struct crdt_value nil = {.kind = CRDT_VALUE_NIL};
	assert_int_equal(crdt_seal_value(&b, key_a, net, ent, "name", 4, &nil),
			 -EINVAL);
	char *big = malloc(CRDT_MAX_STR_BYTES + 1);
	memset(big, 'x', CRDT_MAX_STR_BYTES + 1);
	struct crdt_value v = str_value(big, CRDT_MAX_STR_BYTES + 1);
	assert_int_equal(crdt_seal_value(&b, key_a, net, ent, "name", 4, &v),
			 -EINVAL);
	free(big);
	v = str_value("\xff\xfe", 2);
	assert_int_equal(crdt_seal_value(&b, key_a, net, ent, "name", 4, &v),
			 -EINVAL);
	/* Field names: up to 63 bytes (shorter than a pad block). */
	char field[64];
	memset(field, 'f', sizeof(field));
	v = str_value("x", 1);
	assert_int_equal(crdt_seal_value(&b, key_a, net, ent, field, 64, &v),
			 -EINVAL);
	assert_int_equal(b.len, 0);
	assert_int_equal(crdt_seal_value(&b, key_a, net, ent, field, 63, &v),
			 0);
	uint8_t plain[256];
	struct crdt_value got;
	assert_int_equal(crdt_seal_open(b.data, b.len, key_a, net, ent, field,
					63, plain, sizeof(plain), &got),
			 0);
	assert_int_equal(crdt_seal_open(b.data, b.len, key_a, net, ent, field,
					64, plain, sizeof(plain), &got),
			 -EINVAL);
	crdt_buf_fini(&b);
}

static bool same(const struct crdt_buf *x, const struct crdt_buf *y)
{
	return x->len == y->len && memcmp(x->data, y->data, x->len) == 0;
}

static void test_deterministic(void **state)
{
	(void)state;
	struct crdt_value v = str_value("schizophrenia", 13);
	struct crdt_buf a, a2, e, f, n, k;
	seal(&a, key_a, net, ent, "diagnosis", &v);
	seal(&a2, key_a, net, ent, "diagnosis", &v);
	seal(&e, key_a, net, ent2, "diagnosis", &v);
	seal(&f, key_a, net, ent, "diagnosed", &v);
	seal(&n, key_a, net2, ent, "diagnosis", &v);
	seal(&k, key_b, net, ent, "diagnosis", &v);
	assert_true(same(&a, &a2));
	assert_false(same(&a, &e));
	assert_false(same(&a, &f));
	assert_false(same(&a, &n));
	assert_false(same(&a, &k));
	/* A different value in the same place: a different nonce. */
	struct crdt_value w = str_value("bipolar", 7);
	struct crdt_buf o;
	seal(&o, key_a, net, ent, "diagnosis", &w);
	struct crdt_sealed sa, so;
	assert_int_equal(crdt_seal_parse(a.data, a.len, &sa), 0);
	assert_int_equal(crdt_seal_parse(o.data, o.len, &so), 0);
	assert_memory_not_equal(sa.nonce, so.nonce, CRDT_SEAL_NONCE_BYTES);
	crdt_buf_fini(&a);
	crdt_buf_fini(&a2);
	crdt_buf_fini(&e);
	crdt_buf_fini(&f);
	crdt_buf_fini(&n);
	crdt_buf_fini(&k);
	crdt_buf_fini(&o);
}

static void test_lengths(void **state)
{
	(void)state;
	char s[300];
	memset(s, 'a', sizeof(s));
	for (size_t len = 0; len < sizeof(s); len++) {
		struct crdt_value v = str_value(s, len);
		struct crdt_buf b;
		seal(&b, key_a, net, ent, "name", &v);
		struct crdt_sealed p;
		assert_int_equal(crdt_seal_parse(b.data, b.len, &p), 0);
		size_t enc = len + (len < 32 ? 1 : 2);
		size_t blocks = enc / CRDT_SEAL_PAD + 1;
		assert_int_equal(p.ct_len,
				 CRDT_SEAL_TAG_BYTES + blocks * CRDT_SEAL_PAD);
		crdt_buf_fini(&b);
	}
	struct crdt_value one = str_value(s, 1), forty = str_value(s, 40);
	struct crdt_buf b1, b40;
	seal(&b1, key_a, net, ent, "name", &one);
	seal(&b40, key_a, net, ent, "name", &forty);
	assert_int_equal(b1.len, b40.len);
	crdt_buf_fini(&b1);
	crdt_buf_fini(&b40);

	/* A sealed value travels as a bin value, at most 4 KiB: strs up to
	 * 3,964 bytes fit once sealed, longer ones do not (see seal.h). */
	char *big = malloc(4000);
	memset(big, 'z', 4000);
	struct crdt_value fits = str_value(big, 3964), over = str_value(big, 3965);
	seal(&b1, key_a, net, ent, "note", &fits);
	seal(&b40, key_a, net, ent, "note", &over);
	assert_true(b1.len <= CRDT_MAX_STR_BYTES);
	assert_true(b40.len > CRDT_MAX_STR_BYTES);
	crdt_buf_fini(&b1);
	crdt_buf_fini(&b40);
	free(big);
}

/* Bytes of a sealed value: magic 0..14, 0x93 at 14, key_id bin 15..33
 * (data 17..33), nonce bin 33..59 (data 35..59), ct header at 59. */
enum { AT_KEY_ID = 17, AT_NONCE_HDR = 33, AT_NONCE = 35, AT_CT_HDR = 59 };

static void test_truncated_and_flipped(void **state)
{
	(void)state;
	struct crdt_value v = str_value("120116198001011234", 18);
	struct crdt_buf b;
	seal(&b, key_a, net, ent, "id_number", &v);
	struct crdt_sealed s;
	struct crdt_value got;
	for (size_t len = 0; len < b.len; len++) {
		assert_int_equal(crdt_seal_parse(b.data, len, &s), -EINVAL);
		assert_int_equal(open_with(b.data, len, key_a, net, ent,
					   "id_number", &got),
				 -EINVAL);
	}
	uint8_t *m = malloc(b.len);
	static const uint8_t flips[] = {0x01, 0x80, 0xff};
	for (size_t i = 0; i < b.len; i++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			memcpy(m, b.data, b.len);
			m[i] ^= flips[f];
			int want;
			if (i < AT_KEY_ID)
				want = -EINVAL; /* magic, array, bin header */
			else if (i < AT_NONCE_HDR)
				want = -ENOKEY;
			else if (i < AT_NONCE)
				want = -EINVAL;
			else if (i < AT_CT_HDR)
				want = -EBADMSG;
			else if (i < AT_CT_HDR + 2)
				want = -EINVAL;
			else
				want = -EBADMSG; /* ct and tag */
			int rc = open_with(m, b.len, key_a, net, ent,
					   "id_number", &got);
			if (rc != want)
				fprintf(stderr, "byte %zu ^ %02x: %d\n", i,
					flips[f], rc);
			assert_int_equal(rc, want);
		}
	}
	/* A trailing byte. */
	uint8_t *t = malloc(b.len + 1);
	memcpy(t, b.data, b.len);
	t[b.len] = 0;
	assert_int_equal(crdt_seal_parse(t, b.len + 1, &s), -EINVAL);
	assert_int_equal(crdt_seal_parse(b.data, b.len, &s), 0);
	assert_int_equal(open_with(b.data, b.len, key_a, net, ent, "id_number",
				   &got),
			 0);
	free(t);
	free(m);
	crdt_buf_fini(&b);
}

static void test_wrong_context(void **state)
{
	(void)state;
	struct crdt_value v = str_value("李四", strlen("李四"));
	struct crdt_buf b;
	seal(&b, key_a, net, ent, "name", &v);
	struct crdt_value got;
	assert_int_equal(open_with(b.data, b.len, key_b, net, ent, "name", &got),
			 -ENOKEY);
	assert_int_equal(open_with(b.data, b.len, key_a, net2, ent, "name", &got),
			 -EBADMSG);
	assert_int_equal(open_with(b.data, b.len, key_a, net, ent2, "name", &got),
			 -EBADMSG);
	assert_int_equal(open_with(b.data, b.len, key_a, net, ent, "phone", &got),
			 -EBADMSG);
	assert_int_equal(open_with(b.data, b.len, key_a, net, ent, "nam", &got),
			 -EBADMSG);
	/* The plaintext itself is not a sealed value. */
	uint8_t plain[] = {0xa6, 0xe6, 0x9d, 0x8e, 0xe5, 0x9b, 0x9b};
	struct crdt_sealed s;
	assert_false(crdt_seal_is_sealed(plain, sizeof(plain)));
	assert_int_equal(crdt_seal_parse(plain, sizeof(plain), &s), -EINVAL);
	/* Too small a plaintext buffer is the caller's error. */
	uint8_t small[8];
	assert_int_equal(crdt_seal_open(b.data, b.len, key_a, net, ent, "name",
					4, small, sizeof(small), &got),
			 -EINVAL);
	crdt_buf_fini(&b);
}

/* The sealed value of a ct re-framed with the given bin header. */
static size_t reframe(uint8_t *out, const struct crdt_buf *b,
		      const uint8_t *hdr, size_t hdr_len)
{
	struct crdt_sealed s;
	assert_int_equal(crdt_seal_parse(b->data, b->len, &s), 0);
	memcpy(out, b->data, AT_CT_HDR);
	memcpy(out + AT_CT_HDR, hdr, hdr_len);
	memcpy(out + AT_CT_HDR + hdr_len, s.ct, s.ct_len);
	return AT_CT_HDR + hdr_len + s.ct_len;
}

static void test_non_canonical_headers(void **state)
{
	(void)state;
	struct crdt_value v = int_value(3);
	struct crdt_buf b;
	seal(&b, key_a, net, ent, "risk", &v);
	assert_int_equal(b.len, AT_CT_HDR + 2 + 80);
	uint8_t m[512];
	struct crdt_sealed s;
	struct crdt_value got;
	size_t n = reframe(m, &b, (const uint8_t[]){0xc5, 0x00, 0x50}, 3);
	assert_int_equal(crdt_seal_parse(m, n, &s), -EINVAL);
	assert_int_equal(open_with(m, n, key_a, net, ent, "risk", &got),
			 -EINVAL);
	n = reframe(m, &b, (const uint8_t[]){0xc6, 0, 0, 0x00, 0x50}, 5);
	assert_int_equal(crdt_seal_parse(m, n, &s), -EINVAL);
	n = reframe(m, &b, (const uint8_t[]){0xc4, 0x50}, 2);
	assert_int_equal(crdt_seal_parse(m, n, &s), 0);
	/* A str header where a bin belongs, an array of 4, a bin16 key_id. */
	memcpy(m, b.data, b.len);
	m[AT_CT_HDR] = 0xd9;
	assert_int_equal(crdt_seal_parse(m, b.len, &s), -EINVAL);
	memcpy(m, b.data, b.len);
	m[14] = 0x94;
	assert_int_equal(crdt_seal_parse(m, b.len, &s), -EINVAL);
	/* ct lengths that are not 16 + 64m (m >= 1). */
	uint8_t odd[AT_CT_HDR + 2 + 81];
	memcpy(odd, b.data, AT_CT_HDR);
	odd[AT_CT_HDR] = 0xc4;
	for (size_t len = 0; len <= 81; len++) {
		odd[AT_CT_HDR + 1] = (uint8_t)len;
		memset(odd + AT_CT_HDR + 2, 0x5a, len);
		int want = len == 80 ? 0 : -EINVAL;
		assert_int_equal(crdt_seal_parse(odd, AT_CT_HDR + 2 + len, &s),
				 want);
	}
	crdt_buf_fini(&b);

	/* A long value's bin16 ct re-framed as bin32. */
	char *longs = malloc(1000);
	memset(longs, 'y', 1000);
	v = str_value(longs, 1000);
	seal(&b, key_a, net, ent, "note", &v);
	assert_int_equal(crdt_seal_parse(b.data, b.len, &s), 0);
	assert_int_equal(b.data[AT_CT_HDR], 0xc5);
	uint8_t *big = malloc(b.len + 2);
	uint8_t h[5] = {0xc6, 0, 0, (uint8_t)(s.ct_len >> 8),
			(uint8_t)s.ct_len};
	n = reframe(big, &b, h, 5);
	assert_int_equal(crdt_seal_parse(big, n, &s), -EINVAL);
	free(big);
	free(longs);
	crdt_buf_fini(&b);
}

/* Seals an arbitrary (already padded) plaintext as a writer with the key
 * could, bypassing crdt_seal_value's checks. */
static void seal_raw(struct crdt_buf *out, const uint8_t *k, const char *field,
		     const uint8_t *pt, size_t pt_len)
{
	uint8_t aead[32], nkey[32], id[16], nonce[24];
	crypto_kdf_derive_from_key(aead, 32, 1, "wardseal", k);
	crypto_kdf_derive_from_key(nkey, 32, 2, "wardseal", k);
	crdt_seal_key_id(k, id);
	crypto_generichash_state st;
	crypto_generichash_init(&st, nkey, 32, 24);
	crypto_generichash_update(&st, ent, 16);
	crypto_generichash_update(&st, (const uint8_t *)field, strlen(field));
	crypto_generichash_update(&st, pt, pt_len);
	crypto_generichash_final(&st, nonce, 24);
	struct crdt_buf ad;
	crdt_buf_init(&ad);
	crdt_buf_append(&ad, "ward-sealed-v1", 14);
	crdt_buf_append(&ad, net, 32);
	crdt_buf_append(&ad, ent, 16);
	crdt_buf_append(&ad, field, strlen(field));
	uint8_t *ct = malloc(pt_len + 16);
	unsigned long long clen;
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, pt, pt_len,
						   ad.data, ad.len, NULL,
						   nonce, aead);
	crdt_buf_init(out);
	crdt_buf_append(out, "ward-sealed-v1", 14);
	crdt_pack_array(out, 3);
	crdt_pack_bin(out, id, 16);
	crdt_pack_bin(out, nonce, 24);
	crdt_pack_bin(out, ct, (size_t)clen);
	free(ct);
	crdt_buf_fini(&ad);
}

static int open_crafted(const uint8_t *value, size_t len, bool pad)
{
	uint8_t pt[128] = {0};
	memcpy(pt, value, len);
	size_t padded = 64;
	if (pad)
		assert_int_equal(sodium_pad(&padded, pt, len, 64, sizeof(pt)),
				 0);
	struct crdt_buf b;
	seal_raw(&b, key_a, "name", pt, padded);
	struct crdt_value got;
	int rc = open_with(b.data, b.len, key_a, net, ent, "name", &got);
	crdt_buf_fini(&b);
	return rc;
}

static void test_crafted_plaintexts(void **state)
{
	(void)state;
	/* The crafting itself is right: a good plaintext opens. */
	assert_int_equal(open_crafted((const uint8_t[]){0xa1, 'x'}, 2, true),
			 0);
	/* Two values. */
	assert_int_equal(open_crafted((const uint8_t[]){0x01, 0x02}, 2, true),
			 -EBADMSG);
	/* nil. */
	assert_int_equal(open_crafted((const uint8_t[]){0xc0}, 1, true),
			 -EBADMSG);
	/* Nothing at all. */
	assert_int_equal(open_crafted((const uint8_t[]){0}, 0, true),
			 -EBADMSG);
	/* A non-canonical value: str8 header for a 1-byte str. */
	assert_int_equal(
	    open_crafted((const uint8_t[]){0xd9, 0x01, 'x'}, 3, true),
	    -EBADMSG);
	/* A value that is no field value: an array, a map, a float. */
	assert_int_equal(open_crafted((const uint8_t[]){0x90}, 1, true),
			 -EBADMSG);
	assert_int_equal(open_crafted((const uint8_t[]){0x80}, 1, true),
			 -EBADMSG);
	assert_int_equal(
	    open_crafted((const uint8_t[]){0xca, 0, 0, 0, 0}, 5, true),
	    -EBADMSG);
	/* Bad padding: zeros without the 0x80 marker, and a marker followed
	 * by a non-zero byte. */
	assert_int_equal(open_crafted((const uint8_t[]){0xa1, 'x'}, 2, false),
			 -EBADMSG);
	uint8_t bad[64] = {0xa1, 'x', 0x80, 0x01};
	assert_int_equal(open_crafted(bad, 64, false), -EBADMSG);
	/* One whole value filling the block, with no padding at all. */
	uint8_t whole[64] = {0xd9, 62};
	memset(whole + 2, 'y', 62);
	assert_int_equal(open_crafted(whole, 64, false), -EBADMSG);
}

static void member(uint8_t seed_byte, uint8_t pk[32], uint8_t sk[64])
{
	uint8_t seed[32];
	memset(seed, seed_byte, sizeof(seed));
	crypto_sign_seed_keypair(pk, sk, seed);
}

static void test_envelopes(void **state)
{
	(void)state;
	uint8_t apk[32], ask[64], bpk[32], bsk[64];
	member(0x41, apk, ask);
	member(0x42, bpk, bsk);
	uint8_t env[CRDT_SEAL_ENVELOPE_BYTES], env2[CRDT_SEAL_ENVELOPE_BYTES];
	assert_int_equal(crdt_seal_envelope(env, apk, key_a), 0);
	assert_int_equal(crdt_seal_envelope(env2, apk, key_a), 0);
	assert_memory_not_equal(env, env2, sizeof(env)); /* fresh ephemeral */
	const uint8_t *to;
	assert_int_equal(crdt_seal_envelope_parse(env, sizeof(env), &to), 0);
	assert_ptr_equal(to, env + 3);
	assert_memory_equal(to, apk, 32);
	uint8_t k[32];
	assert_int_equal(
	    crdt_seal_envelope_open(env, sizeof(env), apk, ask, k), 0);
	assert_memory_equal(k, key_a, 32);
	assert_int_equal(
	    crdt_seal_envelope_open(env2, sizeof(env2), apk, ask, k), 0);
	assert_memory_equal(k, key_a, 32);
	/* Someone else's envelope. */
	assert_int_equal(
	    crdt_seal_envelope_open(env, sizeof(env), bpk, bsk, k), -EACCES);
	/* B's keys with the recipient rewritten to B: the box is still A's. */
	uint8_t m[CRDT_SEAL_ENVELOPE_BYTES];
	memcpy(m, env, sizeof(m));
	memcpy(m + 3, bpk, 32);
	assert_int_equal(crdt_seal_envelope_open(m, sizeof(m), bpk, bsk, k),
			 -EBADMSG);
	/* Every byte of the box. */
	for (size_t i = 37; i < sizeof(env); i++) {
		memcpy(m, env, sizeof(m));
		m[i] ^= 0x01;
		assert_int_equal(
		    crdt_seal_envelope_open(m, sizeof(m), apk, ask, k),
		    -EBADMSG);
	}
	/* Truncations, a trailing byte, wrong headers, garbage. */
	for (size_t len = 0; len < sizeof(env); len++) {
		assert_int_equal(crdt_seal_envelope_parse(env, len, &to),
				 -EINVAL);
		assert_int_equal(crdt_seal_envelope_open(env, len, apk, ask, k),
				 -EINVAL);
	}
	uint8_t longer[CRDT_SEAL_ENVELOPE_BYTES + 1];
	memcpy(longer, env, sizeof(env));
	longer[sizeof(env)] = 0;
	assert_int_equal(crdt_seal_envelope_parse(longer, sizeof(longer), &to),
			 -EINVAL);
	static const size_t hdr[] = {0, 1, 2, 35, 36};
	for (size_t i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		memcpy(m, env, sizeof(m));
		m[hdr[i]] ^= 0x01;
		assert_int_equal(crdt_seal_envelope_parse(m, sizeof(m), &to),
				 -EINVAL);
	}
	memset(m, 0xa5, sizeof(m));
	assert_int_equal(crdt_seal_envelope_parse(m, sizeof(m), &to), -EINVAL);
	/* No valid Ed25519 key: nothing is written. */
	uint8_t zero[32] = {0};
	memset(m, 0x77, sizeof(m));
	assert_int_equal(crdt_seal_envelope(m, zero, key_a), -EINVAL);
	for (size_t i = 0; i < sizeof(m); i++)
		assert_int_equal(m[i], 0x77);
}

static void test_key_id_and_new(void **state)
{
	(void)state;
	uint8_t ia[16], ib[16], h[32];
	crdt_seal_key_id(key_a, ia);
	crdt_seal_key_id(key_b, ib);
	assert_memory_not_equal(ia, ib, 16);
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"ward-key-id-v1", 14);
	crypto_generichash_update(&st, key_a, 32);
	crypto_generichash_final(&st, h, 32);
	assert_memory_equal(ia, h, 16);
	uint8_t k1[32], k2[32];
	crdt_seal_key_new(k1);
	crdt_seal_key_new(k2);
	assert_memory_not_equal(k1, k2, 32);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	memset(key_a, 0x11, sizeof(key_a));
	memset(key_b, 0x22, sizeof(key_b));
	memset(net, 0x33, sizeof(net));
	memset(net2, 0x34, sizeof(net2));
	memset(ent, 0x55, sizeof(ent));
	memset(ent2, 0x56, sizeof(ent2));
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_refused_values),
	    cmocka_unit_test(test_deterministic),
	    cmocka_unit_test(test_lengths),
	    cmocka_unit_test(test_truncated_and_flipped),
	    cmocka_unit_test(test_wrong_context),
	    cmocka_unit_test(test_non_canonical_headers),
	    cmocka_unit_test(test_crafted_plaintexts),
	    cmocka_unit_test(test_envelopes),
	    cmocka_unit_test(test_key_id_and_new),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
