/*
 * value.c: the values a field can hold (nil, bool, int, str, bin) and dots,
 * the unique names of ops. Their canonical encodings are what the digest
 * hashes and sorts by, so compare functions work on encoded bytes.
 */
#include <errno.h>
#include <string.h>

#include "crdt/crdt.h"

int crdt_value_decode(struct crdt_mp_cursor *c, struct crdt_value *out)
{
	enum crdt_mp_type t;
	struct crdt_value v = {0};
	const char *s;
	if (crdt_mp_peek(c, &t) != 0)
		return -EBADMSG;
	switch (t) {
	case CRDT_MP_NIL:
		v.kind = CRDT_VALUE_NIL;
		if (crdt_mp_read_nil(c) != 0)
			return -EBADMSG;
		break;
	case CRDT_MP_BOOL:
		v.kind = CRDT_VALUE_BOOL;
		if (crdt_mp_read_bool(c, &v.b) != 0)
			return -EBADMSG;
		break;
	case CRDT_MP_UINT:
	case CRDT_MP_INT:
		v.kind = CRDT_VALUE_INT;
		if (crdt_mp_read_int(c, &v.i) != 0)
			return -EBADMSG;
		break;
	case CRDT_MP_STR:
		v.kind = CRDT_VALUE_STR;
		if (crdt_mp_read_str(c, &s, &v.len) != 0)
			return -EBADMSG;
		if (v.len > CRDT_MAX_STR_BYTES)
			return -EBADMSG;
		v.p = (const uint8_t *)s;
		break;
	case CRDT_MP_BIN:
		v.kind = CRDT_VALUE_BIN;
		if (crdt_mp_read_bin(c, &v.p, &v.len) != 0)
			return -EBADMSG;
		if (v.len > CRDT_MAX_STR_BYTES)
			return -EBADMSG;
		break;
	default:
		return -EBADMSG;
	}
	*out = v;
	return 0;
}

void crdt_value_encode(struct crdt_buf *b, const struct crdt_value *v)
{
	switch (v->kind) {
	case CRDT_VALUE_NIL: crdt_pack_nil(b); break;
	case CRDT_VALUE_BOOL: crdt_pack_bool(b, v->b); break;
	case CRDT_VALUE_INT: crdt_pack_int(b, v->i); break;
	case CRDT_VALUE_STR: crdt_pack_str(b, (const char *)v->p, v->len); break;
	case CRDT_VALUE_BIN: crdt_pack_bin(b, v->p, v->len); break;
	}
}

bool crdt_value_equal(const struct crdt_value *a, const struct crdt_value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case CRDT_VALUE_NIL: return true;
	case CRDT_VALUE_BOOL: return a->b == b->b;
	case CRDT_VALUE_INT: return a->i == b->i;
	default:
		return a->len == b->len &&
		       (a->len == 0 || memcmp(a->p, b->p, a->len) == 0);
	}
}

int crdt_dot_decode(struct crdt_mp_cursor *c, struct crdt_dot *out)
{
	struct crdt_mp_cursor save = *c;
	struct crdt_dot d;
	size_t n;
	uint64_t idx;
	if (crdt_mp_read_array(c, &n) != 0 || n != 3 ||
	    crdt_mp_read_bin_fixed(c, d.author, CRDT_KEY_BYTES) != 0 ||
	    crdt_mp_read_uint(c, &d.seq) != 0 || d.seq == 0 ||
	    crdt_mp_read_uint(c, &idx) != 0 || idx >= CRDT_MAX_OPS) {
		*c = save;
		return -EBADMSG;
	}
	d.index = (uint32_t)idx;
	*out = d;
	return 0;
}

void crdt_dot_encode(struct crdt_buf *b, const struct crdt_dot *d)
{
	crdt_pack_array(b, 3);
	crdt_pack_bin(b, d->author, CRDT_KEY_BYTES);
	crdt_pack_uint(b, d->seq);
	crdt_pack_uint(b, d->index);
}

/* Length of the canonical uint encoding and its bytes, for comparing dots
 * as encoded without building buffers. */
static size_t uint_bytes(uint64_t v, uint8_t out[9])
{
	if (v < 0x80) {
		out[0] = (uint8_t)v;
		return 1;
	}
	size_t n = v < 0x100 ? 1 : v < 0x10000 ? 2 : v < 0x100000000ull ? 4 : 8;
	out[0] = n == 1 ? 0xcc : n == 2 ? 0xcd : n == 4 ? 0xce : 0xcf;
	for (size_t i = 0; i < n; i++)
		out[1 + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	return n + 1;
}

static int bytes_cmp(const uint8_t *a, size_t alen, const uint8_t *b,
		     size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int r = n ? memcmp(a, b, n) : 0;
	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

int crdt_dot_cmp_encoded(const struct crdt_dot *a, const struct crdt_dot *b)
{
	int r = memcmp(a->author, b->author, CRDT_KEY_BYTES);
	if (r != 0)
		return r;
	uint8_t x[18], y[18];
	size_t xl = uint_bytes(a->seq, x);
	size_t yl = uint_bytes(b->seq, y);
	xl += uint_bytes(a->index, x + xl);
	yl += uint_bytes(b->index, y + yl);
	/* The seq encodings are prefix-free, so comparing the concatenation
	 * orders exactly as the whole encoded dots do. */
	return bytes_cmp(x, xl, y, yl);
}

bool crdt_dot_equal(const struct crdt_dot *a, const struct crdt_dot *b)
{
	return a->seq == b->seq && a->index == b->index &&
	       memcmp(a->author, b->author, CRDT_KEY_BYTES) == 0;
}
