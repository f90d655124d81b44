/*
 * lthash.c: the state digest, a lattice hash (Bellare and Micciancio's
 * additive hash as LtHash, see Lewi et al., "Securing Update Propagation
 * with Homomorphic Hashing", 2019). The state is a multiset of elements;
 * each maps to 1,024 little-endian 16-bit lanes (2,048 bytes of ChaCha20
 * keystream keyed by the element's BLAKE2b-256) and the digest is their
 * lane-wise sum mod 2^16. Because addition commutes, replicas that hold the
 * same state hold the same digest however they reached it, and applying an
 * op costs a subtraction and an addition, not a rehash of the state.
 */
#include <sodium.h>
#include <string.h>

#include "crdt/crdt.h"

#define LTHASH_BYTES (CRDT_LTHASH_LANES * 2u)

void crdt_lthash_init(struct crdt_lthash *h)
{
	memset(h, 0, sizeof(*h));
}

static void expand(const uint8_t *elem, size_t len,
		   uint16_t lanes[CRDT_LTHASH_LANES])
{
	uint8_t key[crypto_stream_chacha20_KEYBYTES];
	uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
	uint8_t stream[LTHASH_BYTES];
	crypto_generichash(key, sizeof(key), elem, len, NULL, 0);
	crypto_stream_chacha20(stream, sizeof(stream), nonce, key);
	for (size_t i = 0; i < CRDT_LTHASH_LANES; i++)
		lanes[i] = (uint16_t)(stream[2 * i] | stream[2 * i + 1] << 8);
}

void crdt_lthash_add(struct crdt_lthash *h, const uint8_t *elem, size_t len)
{
	uint16_t lanes[CRDT_LTHASH_LANES];
	expand(elem, len, lanes);
	for (size_t i = 0; i < CRDT_LTHASH_LANES; i++)
		h->lane[i] = (uint16_t)(h->lane[i] + lanes[i]);
}

void crdt_lthash_sub(struct crdt_lthash *h, const uint8_t *elem, size_t len)
{
	uint16_t lanes[CRDT_LTHASH_LANES];
	expand(elem, len, lanes);
	for (size_t i = 0; i < CRDT_LTHASH_LANES; i++)
		h->lane[i] = (uint16_t)(h->lane[i] - lanes[i]);
}

void crdt_lthash_encode(const struct crdt_lthash *h, uint8_t out[2048])
{
	for (size_t i = 0; i < CRDT_LTHASH_LANES; i++) {
		out[2 * i] = (uint8_t)(h->lane[i] & 0xff);
		out[2 * i + 1] = (uint8_t)(h->lane[i] >> 8);
	}
}

void crdt_lthash_decode(struct crdt_lthash *h, const uint8_t in[2048])
{
	for (size_t i = 0; i < CRDT_LTHASH_LANES; i++)
		h->lane[i] = (uint16_t)(in[2 * i] | in[2 * i + 1] << 8);
}

void crdt_lthash_digest(const struct crdt_lthash *h,
			uint8_t out[CRDT_HASH_BYTES])
{
	uint8_t bytes[LTHASH_BYTES];
	crdt_lthash_encode(h, bytes);
	crypto_generichash(out, CRDT_HASH_BYTES, bytes, sizeof(bytes), NULL,
			   0);
}

void crdt_elem_create(struct crdt_buf *b, const uint8_t entity[16],
		      const char *type, size_t type_len)
{
	crdt_pack_array(b, 3);
	crdt_pack_uint(b, 0);
	crdt_pack_bin(b, entity, CRDT_ENTITY_BYTES);
	crdt_pack_str(b, type, type_len);
}
