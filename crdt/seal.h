/*
 * seal: the sealed-field format of DESIGN.md section 8, version 1. Pure
 * functions over bytes and keys (libsodium only): group key ids and
 * subkeys, sealing and opening one value, envelopes that carry a group key
 * to one member, and parsing a sealed value without any key (what every
 * node's validity verdict needs). No I/O, no clock, no globals; safe from
 * any thread.
 *
 *   key_id    = BLAKE2b-256("ward-key-id-v1" || K)[0..16)
 *   aead key  = crypto_kdf_derive_from_key(id 1, ctx "wardseal", K)
 *   nonce key = crypto_kdf_derive_from_key(id 2, ctx "wardseal", K)
 *   sealed    = "ward-sealed-v1" || [key_id: bin(16), nonce: bin(24), ct: bin]
 *   plaintext = sodium_pad(canonical encoding of the value, 64)
 *               (ISO/IEC 7816-4: 0x80 then zeros to a multiple of 64)
 *   nonce     = BLAKE2b-192 keyed with the nonce key, of
 *               entity(16) || field name || plaintext (padded)
 *   ct        = XChaCha20-Poly1305-IETF(aead key, nonce, plaintext,
 *               ad = "ward-sealed-v1" || net_id || entity || field)
 *   envelope  = the canonical array [recipient: bin(32), box: bin(80)],
 *               box = crypto_box_seal(K, X25519 of the recipient's
 *               Ed25519 key); carried as a bin element of a key record's
 *               envelopes set.
 */
#ifndef WARD_CRDT_SEAL_H
#define WARD_CRDT_SEAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdt/crdt.h"

#define CRDT_SEAL_MAGIC "ward-sealed-v1"
#define CRDT_SEAL_MAGIC_LEN 14
#define CRDT_SEAL_KEY_BYTES 32
#define CRDT_SEAL_KEY_ID_BYTES 16
#define CRDT_SEAL_NONCE_BYTES 24
#define CRDT_SEAL_TAG_BYTES 16
#define CRDT_SEAL_PAD 64
/* crypto_box_seal of a 32-byte key: ephemeral key 32 + K 32 + MAC 16. */
#define CRDT_SEAL_BOX_BYTES 80
/* Field names are shorter than one pad block, so the nonce input's length
 * fixes where the field name ends and the padded plaintext begins (no two
 * field/plaintext pairs hash the same bytes). Longer ones: -EINVAL. */
#define CRDT_SEAL_MAX_FIELD_BYTES (CRDT_SEAL_PAD - 1)
/* The envelope element: 0x92, 0xc4 0x20 key(32), 0xc4 0x50 box(80). */
#define CRDT_SEAL_ENVELOPE_BYTES (1 + 2 + 32 + 2 + CRDT_SEAL_BOX_BYTES)

/* key_id of group key K. */
void crdt_seal_key_id(const uint8_t k[CRDT_SEAL_KEY_BYTES],
		      uint8_t id[CRDT_SEAL_KEY_ID_BYTES]);

/* A fresh group key from the system's random source. */
void crdt_seal_key_new(uint8_t k[CRDT_SEAL_KEY_BYTES]);

/* The parts of a sealed value, pointing into the bytes parsed. */
struct crdt_sealed {
	const uint8_t *key_id; /* CRDT_SEAL_KEY_ID_BYTES */
	const uint8_t *nonce;  /* CRDT_SEAL_NONCE_BYTES */
	const uint8_t *ct;
	size_t ct_len;
};

/* Whether p[0..len) begins with the 14 magic bytes (a value that claims
 * to be sealed, well formed or not). */
bool crdt_seal_is_sealed(const uint8_t *p, size_t len);

/* Parses a sealed value without any key: the magic, then exactly the
 * canonical array [bin(16), bin(24), bin] and no trailing bytes, with
 * ct_len = TAG + a non-zero multiple of CRDT_SEAL_PAD. Returns 0 and fills
 * *out, or -EINVAL (a truncated or malformed box). */
int crdt_seal_parse(const uint8_t *p, size_t len, struct crdt_sealed *out);

/* Seals value v (never nil: nil is never sealed; -EINVAL) of field
 * field[0..field_len) of entity under group key k for network net_id.
 * Appends the sealed bytes to out. Deterministic: the same value, field,
 * entity and key always give the same bytes. Returns 0, or -EINVAL (nil,
 * a str or bin over CRDT_MAX_STR_BYTES, a str that is not UTF-8: values
 * that would not open again; a field name over CRDT_SEAL_MAX_FIELD_BYTES). The sealed bytes are the padded plaintext
 * plus 77 (78 once the ct reaches 256 bytes), so a sealed value that fits
 * a bin of CRDT_MAX_STR_BYTES (what an op carries) holds a str of at most
 * 3,964 bytes; the caller checks out's length. */
int crdt_seal_value(struct crdt_buf *out, const uint8_t k[CRDT_SEAL_KEY_BYTES],
		    const uint8_t net_id[32], const uint8_t entity[16],
		    const char *field, size_t field_len,
		    const struct crdt_value *v);

/* Opens sealed bytes p[0..len) with group key k (whose key_id the value
 * must name: -ENOKEY otherwise). On success writes the plaintext's
 * canonical encoding, unpadded, to plain (the caller's storage,
 * plain_cap bytes; len always suffices, less than the padded plaintext is
 * -EINVAL; wiped on failure) and decodes it into *v, which points into
 * plain. Returns 0; -EINVAL when the bytes do not parse (or the field
 * name is over CRDT_SEAL_MAX_FIELD_BYTES);
 * -EBADMSG when the box fails to open, the padding is wrong or the
 * plaintext is not exactly one canonical value other than nil. */
int crdt_seal_open(const uint8_t *p, size_t len,
		   const uint8_t k[CRDT_SEAL_KEY_BYTES],
		   const uint8_t net_id[32], const uint8_t entity[16],
		   const char *field, size_t field_len, uint8_t *plain,
		   size_t plain_cap, struct crdt_value *v);

/* An envelope carrying k to the member whose Ed25519 public key is
 * recipient: CRDT_SEAL_ENVELOPE_BYTES written to out. Randomised (a fresh
 * ephemeral key each time). Returns 0, or -EINVAL when recipient is no
 * valid Ed25519 key. */
int crdt_seal_envelope(uint8_t out[CRDT_SEAL_ENVELOPE_BYTES],
		       const uint8_t recipient[32],
		       const uint8_t k[CRDT_SEAL_KEY_BYTES]);

/* Parses an envelope element without opening it: writes a pointer to its
 * recipient key. Returns 0 or -EINVAL. */
int crdt_seal_envelope_parse(const uint8_t *p, size_t len,
			     const uint8_t **recipient);

/* Opens an envelope meant for the member with Ed25519 key pair (pk, sk:
 * libsodium's 64-byte secret key). Returns 0 and writes k; -EINVAL when
 * it does not parse; -EACCES when it is for another recipient; -EBADMSG
 * when the box fails to open. The caller checks k against the key record's
 * key_id. */
int crdt_seal_envelope_open(const uint8_t *p, size_t len,
			    const uint8_t pk[32], const uint8_t sk[64],
			    uint8_t k[CRDT_SEAL_KEY_BYTES]);

#endif
