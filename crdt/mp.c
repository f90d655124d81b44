/*
 * mp.c: ward's bounded MessagePack cursor decoder.
 *
 * msgpack-c's unpacker trusts the counts it reads and accepts any encoding
 * of a value; signed structures need the opposite. This cursor checks every
 * header against the bytes left before acting on it, never allocates, and
 * in canonical mode accepts only the shortest form of each integer and
 * header (DESIGN.md section 3), so that bytes that verify are the only
 * encoding of what they mean.
 */
#include <errno.h>
#include <string.h>

#include "crdt/crdt.h"

#define MP_MAX_DEPTH 32

void crdt_mp_cursor_init(struct crdt_mp_cursor *c, const uint8_t *buf,
			 size_t len, bool canonical)
{
	c->p = buf;
	c->end = buf + len;
	c->canonical = canonical;
}

size_t crdt_mp_left(const struct crdt_mp_cursor *c)
{
	return (size_t)(c->end - c->p);
}

static uint64_t be(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

int crdt_mp_peek(const struct crdt_mp_cursor *c, enum crdt_mp_type *out)
{
	if (c->p >= c->end)
		return -EBADMSG;
	uint8_t b = *c->p;
	enum crdt_mp_type t;
	if (b <= 0x7f || b == 0xcc || b == 0xcd || b == 0xce || b == 0xcf)
		t = CRDT_MP_UINT;
	else if (b >= 0xe0 || (b >= 0xd0 && b <= 0xd3))
		t = CRDT_MP_INT;
	else if ((b & 0xe0) == 0xa0 || b == 0xd9 || b == 0xda || b == 0xdb)
		t = CRDT_MP_STR;
	else if (b == 0xc4 || b == 0xc5 || b == 0xc6)
		t = CRDT_MP_BIN;
	else if ((b & 0xf0) == 0x90 || b == 0xdc || b == 0xdd)
		t = CRDT_MP_ARRAY;
	else if ((b & 0xf0) == 0x80 || b == 0xde || b == 0xdf)
		t = CRDT_MP_MAP;
	else if (b == 0xc0)
		t = CRDT_MP_NIL;
	else if (b == 0xc2 || b == 0xc3)
		t = CRDT_MP_BOOL;
	else
		t = CRDT_MP_OTHER;
	*out = t;
	return 0;
}

int crdt_mp_read_nil(struct crdt_mp_cursor *c)
{
	if (c->p >= c->end || *c->p != 0xc0)
		return -EBADMSG;
	c->p++;
	return 0;
}

int crdt_mp_read_bool(struct crdt_mp_cursor *c, bool *out)
{
	if (c->p >= c->end || (*c->p != 0xc2 && *c->p != 0xc3))
		return -EBADMSG;
	*out = *c->p == 0xc3;
	c->p++;
	return 0;
}

/* Reads any integer form into a sign flag and magnitude-free int64/uint64. */
static int read_integer(struct crdt_mp_cursor *c, bool *neg, uint64_t *u,
			int64_t *s)
{
	if (c->p >= c->end)
		return -EBADMSG;
	uint8_t b = *c->p;
	size_t left = crdt_mp_left(c);
	if (b <= 0x7f) {
		*neg = false;
		*u = b;
		c->p++;
		return 0;
	}
	if (b >= 0xe0) {
		*neg = true;
		*s = (int8_t)b;
		c->p++;
		return 0;
	}
	size_t n;
	bool is_signed;
	switch (b) {
	case 0xcc: n = 1; is_signed = false; break;
	case 0xcd: n = 2; is_signed = false; break;
	case 0xce: n = 4; is_signed = false; break;
	case 0xcf: n = 8; is_signed = false; break;
	case 0xd0: n = 1; is_signed = true; break;
	case 0xd1: n = 2; is_signed = true; break;
	case 0xd2: n = 4; is_signed = true; break;
	case 0xd3: n = 8; is_signed = true; break;
	default: return -EBADMSG;
	}
	if (left < 1 + n)
		return -EBADMSG;
	uint64_t raw = be(c->p + 1, n);
	if (!is_signed) {
		if (c->canonical) {
			uint64_t min = n == 1 ? 0x80 : n == 2 ? 0x100
				       : n == 4 ? 0x10000 : 0x100000000ull;
			if (raw < min)
				return -EBADMSG;
		}
		*neg = false;
		*u = raw;
	} else {
		int64_t v;
		if (n == 1)
			v = (int8_t)raw;
		else if (n == 2)
			v = (int16_t)raw;
		else if (n == 4)
			v = (int32_t)raw;
		else
			v = (int64_t)raw;
		if (c->canonical) {
			/* Signed forms only for negatives, and only when the
			 * next shorter signed form cannot hold the value. */
			int64_t lo = n == 1 ? -33 : n == 2 ? -129
				     : n == 4 ? -32769 : -2147483649ll;
			if (v >= 0 || v > lo)
				return -EBADMSG;
		}
		if (v >= 0) {
			*neg = false;
			*u = (uint64_t)v;
		} else {
			*neg = true;
			*s = v;
		}
	}
	c->p += 1 + n;
	return 0;
}

int crdt_mp_read_uint(struct crdt_mp_cursor *c, uint64_t *out)
{
	const uint8_t *save = c->p;
	bool neg;
	uint64_t u;
	int64_t s;
	if (read_integer(c, &neg, &u, &s) != 0)
		return -EBADMSG;
	if (neg) {
		c->p = save;
		return -EBADMSG;
	}
	*out = u;
	return 0;
}

int crdt_mp_read_int(struct crdt_mp_cursor *c, int64_t *out)
{
	const uint8_t *save = c->p;
	bool neg;
	uint64_t u;
	int64_t s;
	if (read_integer(c, &neg, &u, &s) != 0)
		return -EBADMSG;
	if (!neg) {
		if (u > (uint64_t)INT64_MAX) {
			c->p = save;
			return -EBADMSG;
		}
		*out = (int64_t)u;
	} else {
		*out = s;
	}
	return 0;
}

bool crdt_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint8_t b = s[i];
		if (b < 0x80) {
			i++;
			continue;
		}
		size_t n;
		uint32_t cp;
		if ((b & 0xe0) == 0xc0) {
			n = 1;
			cp = b & 0x1f;
		} else if ((b & 0xf0) == 0xe0) {
			n = 2;
			cp = b & 0x0f;
		} else if ((b & 0xf8) == 0xf0) {
			n = 3;
			cp = b & 0x07;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Reads a str/bin/array/map header of the given family. */
static int read_len(struct crdt_mp_cursor *c, uint8_t fix_mask,
		    uint8_t fix_tag, uint32_t fix_max, const uint8_t tags[3],
		    size_t *out)
{
	if (c->p >= c->end)
		return -EBADMSG;
	uint8_t b = *c->p;
	size_t left = crdt_mp_left(c);
	if (fix_mask && (b & fix_mask) == fix_tag) {
		*out = b & (uint8_t)~fix_mask;
		c->p++;
		return 0;
	}
	size_t n;
	if (tags[0] && b == tags[0])
		n = 1;
	else if (b == tags[1])
		n = 2;
	else if (b == tags[2])
		n = 4;
	else
		return -EBADMSG;
	if (left < 1 + n)
		return -EBADMSG;
	uint64_t v = be(c->p + 1, n);
	if (c->canonical) {
		/* bin has no fix form, so bin8 starts at 0. */
		uint64_t min = n == 1   ? (fix_mask ? (uint64_t)fix_max + 1 : 0)
			       : n == 2 ? (tags[0] ? 0x100 : (uint64_t)fix_max + 1)
					: 0x10000;
		if (v < min)
			return -EBADMSG;
	}
	c->p += 1 + n;
	*out = (size_t)v;
	return 0;
}

int crdt_mp_read_str(struct crdt_mp_cursor *c, const char **s, size_t *len)
{
	static const uint8_t tags[3] = {0xd9, 0xda, 0xdb};
	const uint8_t *save = c->p;
	size_t n;
	if (read_len(c, 0xe0, 0xa0, 31, tags, &n) != 0)
		return -EBADMSG;
	if (crdt_mp_left(c) < n ||
	    (c->canonical && !crdt_utf8_valid(c->p, n))) {
		c->p = save;
		return -EBADMSG;
	}
	*s = (const char *)c->p;
	*len = n;
	c->p += n;
	return 0;
}

int crdt_mp_read_bin(struct crdt_mp_cursor *c, const uint8_t **b, size_t *len)
{
	/* bin has no fix form: bin8 covers 0..255 and is the shortest. */
	static const uint8_t tags[3] = {0xc4, 0xc5, 0xc6};
	const uint8_t *save = c->p;
	size_t n;
	if (read_len(c, 0, 0, 0, tags, &n) != 0)
		return -EBADMSG;
	if (crdt_mp_left(c) < n) {
		c->p = save;
		return -EBADMSG;
	}
	*b = c->p;
	*len = n;
	c->p += n;
	return 0;
}

int crdt_mp_read_bin_fixed(struct crdt_mp_cursor *c, uint8_t *out, size_t len)
{
	const uint8_t *save = c->p;
	const uint8_t *b;
	size_t n;
	if (crdt_mp_read_bin(c, &b, &n) != 0)
		return -EBADMSG;
	if (n != len) {
		c->p = save;
		return -EBADMSG;
	}
	memcpy(out, b, len);
	return 0;
}

int crdt_mp_read_array(struct crdt_mp_cursor *c, size_t *n)
{
	static const uint8_t tags[3] = {0, 0xdc, 0xdd};
	const uint8_t *save = c->p;
	size_t count;
	if (read_len(c, 0xf0, 0x90, 15, tags, &count) != 0)
		return -EBADMSG;
	if (count > crdt_mp_left(c)) {
		c->p = save;
		return -EBADMSG;
	}
	*n = count;
	return 0;
}

int crdt_mp_read_map(struct crdt_mp_cursor *c, size_t *n)
{
	static const uint8_t tags[3] = {0, 0xde, 0xdf};
	if (c->canonical)
		return -EBADMSG;
	const uint8_t *save = c->p;
	size_t count;
	if (read_len(c, 0xf0, 0x80, 15, tags, &count) != 0)
		return -EBADMSG;
	if (count > crdt_mp_left(c) / 2) {
		c->p = save;
		return -EBADMSG;
	}
	*n = count;
	return 0;
}

static int skip(struct crdt_mp_cursor *c, int depth)
{
	enum crdt_mp_type t;
	if (depth > MP_MAX_DEPTH || crdt_mp_peek(c, &t) != 0)
		return -EBADMSG;
	const char *s;
	const uint8_t *b;
	size_t n;
	uint64_t u;
	int64_t i;
	bool v;
	switch (t) {
	case CRDT_MP_NIL: return crdt_mp_read_nil(c);
	case CRDT_MP_BOOL: return crdt_mp_read_bool(c, &v);
	case CRDT_MP_UINT: return crdt_mp_read_uint(c, &u);
	case CRDT_MP_INT: return crdt_mp_read_int(c, &i);
	case CRDT_MP_STR: return crdt_mp_read_str(c, &s, &n);
	case CRDT_MP_BIN: return crdt_mp_read_bin(c, &b, &n);
	case CRDT_MP_ARRAY:
		if (crdt_mp_read_array(c, &n) != 0)
			return -EBADMSG;
		for (size_t k = 0; k < n; k++)
			if (skip(c, depth + 1) != 0)
				return -EBADMSG;
		return 0;
	case CRDT_MP_MAP:
		if (crdt_mp_read_map(c, &n) != 0)
			return -EBADMSG;
		for (size_t k = 0; k < 2 * n; k++)
			if (skip(c, depth + 1) != 0)
				return -EBADMSG;
		return 0;
	default: return -EBADMSG;
	}
}

int crdt_mp_skip(struct crdt_mp_cursor *c)
{
	const uint8_t *save = c->p;
	if (skip(c, 0) != 0) {
		c->p = save;
		return -EBADMSG;
	}
	return 0;
}
