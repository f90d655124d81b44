/*
 * seal.c: the sealed-field format of DESIGN.md section 8, version 1 (the
 * byte layout is in seal.h). A sealed value is deterministic authenticated
 * encryption in the style of SIV: the nonce is a keyed hash of everything
 * the value means (entity, field, padded plaintext), so one value in one
 * field under one key always seals to the same bytes and replicas agree on
 * them without talking, while the AEAD's associated data binds the value
 * to its network, entity and field so a sealed value copied elsewhere does
 * not open. Padding to 64-byte blocks hides the length of short codes.
 *
 * Parsing needs no key: it is what every node's validity verdict uses, so
 * it is strict (one encoding per value) and bounds every length by the
 * bytes left before reading it. Secret material on the stack or in scratch
 * buffers is wiped with sodium_memzero before returning.
 */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/seal.h"

#define KEY_ID_CONTEXT "ward-key-id-v1"
#define KDF_CONTEXT "wardseal"
#define SUBKEY_AEAD 1
#define SUBKEY_NONCE 2

/* Bytes after the magic up to the ct's bin header:
 * 0x93, 0xc4 0x10 key_id(16), 0xc4 0x18 nonce(24). */
#define HEAD_BYTES (1 + 2 + CRDT_SEAL_KEY_ID_BYTES + 2 + CRDT_SEAL_NONCE_BYTES)

/* The largest canonical value encoding (str16/bin16 header + 4 KiB) and
 * the largest padded plaintext, with room to spare for sodium_pad. */
#define VALUE_MAX_BYTES (3 + CRDT_MAX_STR_BYTES)
#define PLAIN_MAX_BYTES (VALUE_MAX_BYTES + 2 * CRDT_SEAL_PAD)

_Static_assert(sizeof(KDF_CONTEXT) - 1 == crypto_kdf_CONTEXTBYTES,
	       "kdf context is 8 bytes");
_Static_assert(CRDT_SEAL_KEY_BYTES == crypto_kdf_KEYBYTES, "kdf key size");
_Static_assert(CRDT_SEAL_KEY_BYTES ==
		   crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	       "aead key size");
_Static_assert(CRDT_SEAL_NONCE_BYTES ==
		   crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
	       "aead nonce size");
_Static_assert(CRDT_SEAL_TAG_BYTES == crypto_aead_xchacha20poly1305_ietf_ABYTES,
	       "aead tag size");
_Static_assert(CRDT_SEAL_BOX_BYTES == crypto_box_SEALBYTES + CRDT_SEAL_KEY_BYTES,
	       "sealed box size");
_Static_assert(sizeof(CRDT_SEAL_MAGIC) - 1 == CRDT_SEAL_MAGIC_LEN,
	       "magic length");

void crdt_seal_key_id(const uint8_t k[CRDT_SEAL_KEY_BYTES],
		      uint8_t id[CRDT_SEAL_KEY_ID_BYTES])
{
	crypto_generichash_state st;
	uint8_t h[32];
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)KEY_ID_CONTEXT,
				  sizeof(KEY_ID_CONTEXT) - 1);
	crypto_generichash_update(&st, k, CRDT_SEAL_KEY_BYTES);
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(id, h, CRDT_SEAL_KEY_ID_BYTES);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(h, sizeof(h));
}

void crdt_seal_key_new(uint8_t k[CRDT_SEAL_KEY_BYTES])
{
	randombytes_buf(k, CRDT_SEAL_KEY_BYTES);
}

bool crdt_seal_is_sealed(const uint8_t *p, size_t len)
{
	return p && len >= CRDT_SEAL_MAGIC_LEN &&
	       memcmp(p, CRDT_SEAL_MAGIC, CRDT_SEAL_MAGIC_LEN) == 0;
}

int crdt_seal_parse(const uint8_t *p, size_t len, struct crdt_sealed *out)
{
	if (!crdt_seal_is_sealed(p, len))
		return -EINVAL;
	const uint8_t *q = p + CRDT_SEAL_MAGIC_LEN;
	size_t left = len - CRDT_SEAL_MAGIC_LEN;
	if (left < HEAD_BYTES)
		return -EINVAL;
	if (q[0] != 0x93 || q[1] != 0xc4 || q[2] != CRDT_SEAL_KEY_ID_BYTES ||
	    q[3 + CRDT_SEAL_KEY_ID_BYTES] != 0xc4 ||
	    q[4 + CRDT_SEAL_KEY_ID_BYTES] != CRDT_SEAL_NONCE_BYTES)
		return -EINVAL;
	const uint8_t *key_id = q + 3;
	const uint8_t *nonce = q + 5 + CRDT_SEAL_KEY_ID_BYTES;
	q += HEAD_BYTES;
	left -= HEAD_BYTES;

	/* The ct's bin header, the shortest for its length. */
	size_t hdr, n;
	if (left < 2)
		return -EINVAL;
	if (q[0] == 0xc4) {
		hdr = 2;
		n = q[1];
	} else if (q[0] == 0xc5) {
		if (left < 3)
			return -EINVAL;
		hdr = 3;
		n = (size_t)q[1] << 8 | q[2];
		if (n < 0x100)
			return -EINVAL;
	} else if (q[0] == 0xc6) {
		if (left < 5)
			return -EINVAL;
		hdr = 5;
		uint64_t v = (uint64_t)q[1] << 24 | (uint64_t)q[2] << 16 |
			     (uint64_t)q[3] << 8 | q[4];
		if (v < 0x10000 || v > SIZE_MAX)
			return -EINVAL;
		n = (size_t)v;
	} else {
		return -EINVAL;
	}
	if (left - hdr != n)
		return -EINVAL; /* truncated, or trailing bytes */
	if (n < CRDT_SEAL_TAG_BYTES + CRDT_SEAL_PAD ||
	    (n - CRDT_SEAL_TAG_BYTES) % CRDT_SEAL_PAD != 0)
		return -EINVAL;
	out->key_id = key_id;
	out->nonce = nonce;
	out->ct = q + hdr;
	out->ct_len = n;
	return 0;
}

static void subkeys(const uint8_t k[CRDT_SEAL_KEY_BYTES],
		    uint8_t aead[CRDT_SEAL_KEY_BYTES],
		    uint8_t nonce_key[CRDT_SEAL_KEY_BYTES])
{
	crypto_kdf_derive_from_key(aead, CRDT_SEAL_KEY_BYTES, SUBKEY_AEAD,
				   KDF_CONTEXT, k);
	crypto_kdf_derive_from_key(nonce_key, CRDT_SEAL_KEY_BYTES,
				   SUBKEY_NONCE, KDF_CONTEXT, k);
}

/* ad = magic || net_id || entity || field, into ad (reset first). */
static void build_ad(struct crdt_buf *ad, const uint8_t net_id[32],
		     const uint8_t entity[16], const char *field,
		     size_t field_len)
{
	crdt_buf_reset(ad);
	crdt_buf_append(ad, CRDT_SEAL_MAGIC, CRDT_SEAL_MAGIC_LEN);
	crdt_buf_append(ad, net_id, 32);
	crdt_buf_append(ad, entity, CRDT_ENTITY_BYTES);
	crdt_buf_append(ad, field, field_len);
}

/* A value that would not come back from crdt_seal_open: nil (never
 * sealed), a str or bin over the limit, or a str that is not UTF-8. */
static bool sealable(const struct crdt_value *v)
{
	switch (v->kind) {
	case CRDT_VALUE_BOOL:
	case CRDT_VALUE_INT:
		return true;
	case CRDT_VALUE_STR:
		return v->len <= CRDT_MAX_STR_BYTES &&
		       (v->len == 0 || crdt_utf8_valid(v->p, v->len));
	case CRDT_VALUE_BIN:
		return v->len <= CRDT_MAX_STR_BYTES;
	default:
		return false;
	}
}

int crdt_seal_value(struct crdt_buf *out, const uint8_t k[CRDT_SEAL_KEY_BYTES],
		    const uint8_t net_id[32], const uint8_t entity[16],
		    const char *field, size_t field_len,
		    const struct crdt_value *v)
{
	if (!v || !sealable(v) || (field_len && !field) ||
	    field_len > CRDT_SEAL_MAX_FIELD_BYTES)
		return -EINVAL;

	/* The plaintext in a buffer that never grows (so no stale copy is
	 * left behind by realloc), wiped before it is freed. */
	struct crdt_buf pt;
	crdt_buf_init(&pt);
	pt.data = crdt_xmalloc(PLAIN_MAX_BYTES);
	pt.cap = PLAIN_MAX_BYTES;
	crdt_value_encode(&pt, v);
	size_t padded;
	int rc = sodium_pad(&padded, pt.data, pt.len, CRDT_SEAL_PAD, pt.cap);
	if (rc != 0) {
		/* Cannot happen: sealable() bounds the length. */
		sodium_memzero(pt.data, pt.cap);
		crdt_buf_fini(&pt);
		return -EINVAL;
	}

	uint8_t aead[CRDT_SEAL_KEY_BYTES], nkey[CRDT_SEAL_KEY_BYTES];
	uint8_t id[CRDT_SEAL_KEY_ID_BYTES], nonce[CRDT_SEAL_NONCE_BYTES];
	subkeys(k, aead, nkey);
	crdt_seal_key_id(k, id);

	crypto_generichash_state st;
	crypto_generichash_init(&st, nkey, sizeof(nkey), sizeof(nonce));
	crypto_generichash_update(&st, entity, CRDT_ENTITY_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)field, field_len);
	crypto_generichash_update(&st, pt.data, padded);
	crypto_generichash_final(&st, nonce, sizeof(nonce));

	struct crdt_buf ad;
	crdt_buf_init(&ad);
	build_ad(&ad, net_id, entity, field, field_len);
	size_t ct_len = padded + CRDT_SEAL_TAG_BYTES;
	uint8_t *ct = crdt_xmalloc(ct_len);
	unsigned long long clen;
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, pt.data, padded,
						   ad.data, ad.len, NULL,
						   nonce, aead);

	crdt_buf_append(out, CRDT_SEAL_MAGIC, CRDT_SEAL_MAGIC_LEN);
	crdt_pack_array(out, 3);
	crdt_pack_bin(out, id, sizeof(id));
	crdt_pack_bin(out, nonce, sizeof(nonce));
	crdt_pack_bin(out, ct, (size_t)clen);

	free(ct);
	crdt_buf_fini(&ad);
	sodium_memzero(pt.data, pt.cap);
	crdt_buf_fini(&pt);
	sodium_memzero(&st, sizeof(st));
	sodium_memzero(aead, sizeof(aead));
	sodium_memzero(nkey, sizeof(nkey));
	return 0;
}

int crdt_seal_open(const uint8_t *p, size_t len,
		   const uint8_t k[CRDT_SEAL_KEY_BYTES],
		   const uint8_t net_id[32], const uint8_t entity[16],
		   const char *field, size_t field_len, uint8_t *plain,
		   size_t plain_cap, struct crdt_value *v)
{
	struct crdt_sealed s;
	if (crdt_seal_parse(p, len, &s) != 0)
		return -EINVAL;
	size_t padded = s.ct_len - CRDT_SEAL_TAG_BYTES;
	if (!plain || plain_cap < padded || (field_len && !field) ||
	    field_len > CRDT_SEAL_MAX_FIELD_BYTES)
		return -EINVAL;
	uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
	crdt_seal_key_id(k, id);
	if (memcmp(id, s.key_id, sizeof(id)) != 0)
		return -ENOKEY;

	uint8_t aead[CRDT_SEAL_KEY_BYTES], nkey[CRDT_SEAL_KEY_BYTES];
	subkeys(k, aead, nkey);
	sodium_memzero(nkey, sizeof(nkey));
	struct crdt_buf ad;
	crdt_buf_init(&ad);
	build_ad(&ad, net_id, entity, field, field_len);
	unsigned long long mlen;
	int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(
	    plain, &mlen, NULL, s.ct, s.ct_len, ad.data, ad.len, s.nonce, aead);
	crdt_buf_fini(&ad);
	sodium_memzero(aead, sizeof(aead));
	if (rc != 0)
		return -EBADMSG;

	size_t unpadded;
	struct crdt_mp_cursor c;
	struct crdt_value got;
	if (sodium_unpad(&unpadded, plain, (size_t)mlen, CRDT_SEAL_PAD) != 0)
		goto bad;
	crdt_mp_cursor_init(&c, plain, unpadded, true);
	if (crdt_value_decode(&c, &got) != 0 || crdt_mp_left(&c) != 0 ||
	    got.kind == CRDT_VALUE_NIL)
		goto bad;
	/* The padding after the value is no part of the plaintext. */
	sodium_memzero(plain + unpadded, (size_t)mlen - unpadded);
	*v = got;
	return 0;
bad:
	sodium_memzero(plain, (size_t)mlen);
	return -EBADMSG;
}

int crdt_seal_envelope(uint8_t out[CRDT_SEAL_ENVELOPE_BYTES],
		       const uint8_t recipient[32],
		       const uint8_t k[CRDT_SEAL_KEY_BYTES])
{
	uint8_t xpk[crypto_box_PUBLICKEYBYTES];
	uint8_t e[CRDT_SEAL_ENVELOPE_BYTES];
	if (crypto_sign_ed25519_pk_to_curve25519(xpk, recipient) != 0)
		return -EINVAL;
	e[0] = 0x92;
	e[1] = 0xc4;
	e[2] = 32;
	memcpy(e + 3, recipient, 32);
	e[35] = 0xc4;
	e[36] = CRDT_SEAL_BOX_BYTES;
	if (crypto_box_seal(e + 37, k, CRDT_SEAL_KEY_BYTES, xpk) != 0)
		return -EINVAL;
	memcpy(out, e, sizeof(e));
	return 0;
}

int crdt_seal_envelope_parse(const uint8_t *p, size_t len,
			     const uint8_t **recipient)
{
	if (!p || len != CRDT_SEAL_ENVELOPE_BYTES || p[0] != 0x92 ||
	    p[1] != 0xc4 || p[2] != 32 || p[35] != 0xc4 ||
	    p[36] != CRDT_SEAL_BOX_BYTES)
		return -EINVAL;
	*recipient = p + 3;
	return 0;
}

int crdt_seal_envelope_open(const uint8_t *p, size_t len,
			    const uint8_t pk[32], const uint8_t sk[64],
			    uint8_t k[CRDT_SEAL_KEY_BYTES])
{
	const uint8_t *to;
	if (crdt_seal_envelope_parse(p, len, &to) != 0)
		return -EINVAL;
	if (memcmp(to, pk, 32) != 0)
		return -EACCES;
	uint8_t xpk[crypto_box_PUBLICKEYBYTES], xsk[crypto_box_SECRETKEYBYTES];
	uint8_t got[CRDT_SEAL_KEY_BYTES];
	if (crypto_sign_ed25519_pk_to_curve25519(xpk, pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(xsk, sk) != 0) {
		sodium_memzero(xsk, sizeof(xsk));
		return -EINVAL;
	}
	int rc = crypto_box_seal_open(got, p + 37, CRDT_SEAL_BOX_BYTES, xpk,
				      xsk);
	sodium_memzero(xsk, sizeof(xsk));
	if (rc != 0) {
		sodium_memzero(got, sizeof(got));
		return -EBADMSG;
	}
	memcpy(k, got, sizeof(got));
	sodium_memzero(got, sizeof(got));
	return 0;
}
