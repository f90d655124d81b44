/*
 * test_mp: the bounded cursor's canonical rules (DESIGN.md section 3).
 * Every non-shortest int/str/bin/array header is rejected in canonical mode
 * and read in non-canonical mode; maps are rejected in canonical mode;
 * invalid UTF-8 is rejected; an array count beyond the bytes left is
 * rejected before anything is done with it; the packer's output is the
 * shortest form and round-trips; random and mutated bytes never crash the
 * decoders (seeded: WARD_SEED=<n> replays a run, the seed is printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <cmocka.h>

#include "crdt/crdt.h"

static uint64_t seed;
#include "tests/common/testseed.h"

static void cur(struct crdt_mp_cursor *c, const uint8_t *b, size_t n,
		bool canonical)
{
	crdt_mp_cursor_init(c, b, n, canonical);
}

/* ---- integers ---- */

struct int_form {
	uint8_t bytes[9];
	size_t len;
	bool negative;
	int64_t value; /* as read by crdt_mp_read_int */
};

/* Non-shortest integer forms, each readable in non-canonical mode. */
static const struct int_form non_shortest_ints[] = {
    {{0xcc, 0x00}, 2, false, 0},
    {{0xcc, 0x7f}, 2, false, 127},
    {{0xcd, 0x00, 0x80}, 3, false, 128},
    {{0xcd, 0x00, 0xff}, 3, false, 255},
    {{0xce, 0x00, 0x00, 0xff, 0xff}, 5, false, 65535},
    {{0xce, 0x00, 0x00, 0x00, 0x01}, 5, false, 1},
    {{0xcf, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}, 9, false, 0xffffffffll},
    {{0xcf, 0, 0, 0, 0, 0, 0, 0, 0}, 9, false, 0},
    /* signed forms of non-negative values */
    {{0xd0, 0x05}, 2, false, 5},
    {{0xd0, 0x00}, 2, false, 0},
    {{0xd1, 0x00, 0x80}, 3, false, 128},
    {{0xd2, 0x00, 0x00, 0x01, 0x00}, 5, false, 256},
    {{0xd3, 0, 0, 0, 0, 0, 0, 0, 7}, 9, false, 7},
    /* negatives in longer forms than needed */
    {{0xd0, 0xff}, 2, true, -1},
    {{0xd0, 0xe0}, 2, true, -32},
    {{0xd1, 0xff, 0xdf}, 3, true, -33},
    {{0xd1, 0xff, 0x80}, 3, true, -128},
    {{0xd2, 0xff, 0xff, 0xff, 0x7f}, 5, true, -129},
    {{0xd2, 0xff, 0xff, 0x80, 0x00}, 5, true, -32768},
    {{0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0xff}, 9, true,
     -32769},
    {{0xd3, 0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0}, 9, true,
     -2147483648ll},
};

static void test_int_non_shortest(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(non_shortest_ints) /
				   sizeof(non_shortest_ints[0]);
	     i++) {
		const struct int_form *f = &non_shortest_ints[i];
		struct crdt_mp_cursor c;
		int64_t v;
		uint64_t u;
		cur(&c, f->bytes, f->len, true);
		assert_int_equal(crdt_mp_read_int(&c, &v), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), f->len); /* not advanced */
		assert_int_equal(crdt_mp_read_uint(&c, &u), -EBADMSG);
		assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), f->len);
		cur(&c, f->bytes, f->len, false);
		assert_int_equal(crdt_mp_read_int(&c, &v), 0);
		assert_int_equal(v, f->value);
		assert_int_equal(crdt_mp_left(&c), 0);
		cur(&c, f->bytes, f->len, false);
		if (f->negative) {
			assert_int_equal(crdt_mp_read_uint(&c, &u), -EBADMSG);
		} else {
			assert_int_equal(crdt_mp_read_uint(&c, &u), 0);
			assert_int_equal(u, (uint64_t)f->value);
		}
		cur(&c, f->bytes, f->len, false);
		assert_int_equal(crdt_mp_skip(&c), 0);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
}

/* Shortest encoded length of v (MessagePack's rules). */
static size_t uint_len(uint64_t v)
{
	return v < 128 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3
	       : v < 0x100000000ull ? 5 : 9;
}

static size_t int_len(int64_t v)
{
	if (v >= 0)
		return uint_len((uint64_t)v);
	return v >= -32 ? 1 : v >= -128 ? 2 : v >= -32768 ? 3
	       : v >= INT32_MIN ? 5 : 9;
}

static void test_pack_ints(void **state)
{
	(void)state;
	static const uint64_t us[] = {
	    0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffull,
	    0x100000000ull, (uint64_t)INT64_MAX, UINT64_MAX};
	static const int64_t is[] = {
	    0, 1, 127, 128, 255, 256, 65535, 65536, 0xffffffffll,
	    0x100000000ll, -1, -32, -33, -128, -129, -32768, -32769,
	    INT32_MIN, (int64_t)INT32_MIN - 1, INT64_MIN, INT64_MAX};
	struct crdt_buf b;
	crdt_buf_init(&b);
	for (size_t i = 0; i < sizeof(us) / sizeof(us[0]); i++) {
		crdt_buf_reset(&b);
		crdt_pack_uint(&b, us[i]);
		assert_int_equal(b.len, uint_len(us[i]));
		struct crdt_mp_cursor c;
		uint64_t u;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_read_uint(&c, &u), 0);
		assert_int_equal(u, us[i]);
		assert_int_equal(crdt_mp_left(&c), 0);
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_skip(&c), 0);
	}
	for (size_t i = 0; i < sizeof(is) / sizeof(is[0]); i++) {
		crdt_buf_reset(&b);
		crdt_pack_int(&b, is[i]);
		assert_int_equal(b.len, int_len(is[i]));
		struct crdt_mp_cursor c;
		int64_t v;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_read_int(&c, &v), 0);
		assert_true(v == is[i]);
		assert_int_equal(crdt_mp_left(&c), 0);
		enum crdt_mp_type t;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_peek(&c, &t), 0);
		assert_int_equal(t, is[i] < 0 ? CRDT_MP_INT : CRDT_MP_UINT);
		/* the same value packed as a value round-trips too */
		struct crdt_value in = {.kind = CRDT_VALUE_INT, .i = is[i]};
		struct crdt_value out;
		struct crdt_buf vb;
		crdt_buf_init(&vb);
		crdt_value_encode(&vb, &in);
		assert_memory_equal(vb.data, b.data, b.len);
		cur(&c, vb.data, vb.len, true);
		assert_int_equal(crdt_value_decode(&c, &out), 0);
		assert_true(crdt_value_equal(&in, &out));
		crdt_buf_fini(&vb);
	}
	/* A uint64 above INT64_MAX is no int64. */
	crdt_buf_reset(&b);
	crdt_pack_uint(&b, UINT64_MAX);
	struct crdt_mp_cursor c;
	int64_t v;
	cur(&c, b.data, b.len, true);
	assert_int_equal(crdt_mp_read_int(&c, &v), -EBADMSG);
	assert_int_equal(crdt_mp_left(&c), 9);
	crdt_buf_fini(&b);
}

/* ---- str, bin, array headers ---- */

/* Builds a header of the given tag and width for length n, then n body
 * bytes of 'a' (or zero items for arrays: nils). */
static size_t header(uint8_t *out, uint8_t tag, size_t width, size_t n,
		     uint8_t fill)
{
	size_t k = 0;
	out[k++] = tag;
	for (size_t i = 0; i < width; i++)
		out[k++] = (uint8_t)(n >> (8 * (width - 1 - i)));
	memset(out + k, fill, n);
	return k + n;
}

static uint8_t big[70000 + 16];

static void test_str_non_shortest(void **state)
{
	(void)state;
	/* str8 for < 32, str16 for < 256, str32 for < 65536 */
	static const struct {
		uint8_t tag;
		size_t width;
		size_t n;
	} cases[] = {
	    {0xd9, 1, 0},   {0xd9, 1, 31},  {0xda, 2, 0},
	    {0xda, 2, 31},  {0xda, 2, 255}, {0xdb, 4, 0},
	    {0xdb, 4, 255}, {0xdb, 4, 65535},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = header(big, cases[i].tag, cases[i].width,
				    cases[i].n, 'a');
		struct crdt_mp_cursor c;
		const char *s;
		size_t n;
		cur(&c, big, len, true);
		assert_int_equal(crdt_mp_read_str(&c, &s, &n), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), len);
		assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
		cur(&c, big, len, false);
		assert_int_equal(crdt_mp_read_str(&c, &s, &n), 0);
		assert_int_equal(n, cases[i].n);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
	/* shortest forms at each boundary are accepted */
	static const size_t ok[] = {0, 31, 32, 255, 256, 65535, 65536};
	struct crdt_buf b;
	crdt_buf_init(&b);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		crdt_buf_reset(&b);
		memset(big, 'x', ok[i]);
		crdt_pack_str(&b, (const char *)big, ok[i]);
		size_t hl = ok[i] < 32 ? 1 : ok[i] < 256 ? 2 : ok[i] < 65536 ? 3 : 5;
		assert_int_equal(b.len, hl + ok[i]);
		struct crdt_mp_cursor c;
		const char *s;
		size_t n;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_read_str(&c, &s, &n), 0);
		assert_int_equal(n, ok[i]);
		assert_memory_equal(s, big, n);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
	crdt_buf_fini(&b);
}

static void test_bin_non_shortest(void **state)
{
	(void)state;
	static const struct {
		uint8_t tag;
		size_t width;
		size_t n;
	} cases[] = {
	    {0xc5, 2, 0},   {0xc5, 2, 255},   {0xc6, 4, 0},
	    {0xc6, 4, 255}, {0xc6, 4, 65535},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = header(big, cases[i].tag, cases[i].width,
				    cases[i].n, 7);
		struct crdt_mp_cursor c;
		const uint8_t *p;
		size_t n;
		cur(&c, big, len, true);
		assert_int_equal(crdt_mp_read_bin(&c, &p, &n), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), len);
		cur(&c, big, len, false);
		assert_int_equal(crdt_mp_read_bin(&c, &p, &n), 0);
		assert_int_equal(n, cases[i].n);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
	static const size_t ok[] = {0, 1, 255, 256, 65535, 65536};
	struct crdt_buf b;
	crdt_buf_init(&b);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		crdt_buf_reset(&b);
		memset(big, 0xab, ok[i]);
		crdt_pack_bin(&b, big, ok[i]);
		size_t hl = ok[i] < 256 ? 2 : ok[i] < 65536 ? 3 : 5;
		assert_int_equal(b.len, hl + ok[i]);
		struct crdt_mp_cursor c;
		const uint8_t *p;
		size_t n;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_read_bin(&c, &p, &n), 0);
		assert_int_equal(n, ok[i]);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
	/* a fixed-size bin must have exactly its size */
	uint8_t out[32];
	crdt_buf_reset(&b);
	crdt_pack_bin(&b, big, 31);
	struct crdt_mp_cursor c;
	cur(&c, b.data, b.len, true);
	assert_int_equal(crdt_mp_read_bin_fixed(&c, out, 32), -EBADMSG);
	assert_int_equal(crdt_mp_left(&c), b.len);
	crdt_buf_fini(&b);
}

static void test_array_non_shortest(void **state)
{
	(void)state;
	static const struct {
		uint8_t tag;
		size_t width;
		size_t n;
	} cases[] = {
	    {0xdc, 2, 0}, {0xdc, 2, 15}, {0xdd, 4, 0},
	    {0xdd, 4, 15}, {0xdd, 4, 65535},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = header(big, cases[i].tag, cases[i].width,
				    cases[i].n, 0xc0);
		struct crdt_mp_cursor c;
		size_t n;
		cur(&c, big, len, true);
		assert_int_equal(crdt_mp_read_array(&c, &n), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), len);
		assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
		cur(&c, big, len, false);
		assert_int_equal(crdt_mp_read_array(&c, &n), 0);
		assert_int_equal(n, cases[i].n);
		cur(&c, big, len, false);
		assert_int_equal(crdt_mp_skip(&c), 0);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
	static const size_t ok[] = {0, 15, 16, 65535, 65536};
	struct crdt_buf b;
	crdt_buf_init(&b);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		crdt_buf_reset(&b);
		crdt_pack_array(&b, ok[i]);
		for (size_t k = 0; k < ok[i]; k++)
			crdt_pack_nil(&b);
		size_t hl = ok[i] < 16 ? 1 : ok[i] < 65536 ? 3 : 5;
		assert_int_equal(b.len, hl + ok[i]);
		struct crdt_mp_cursor c;
		size_t n;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_read_array(&c, &n), 0);
		assert_int_equal(n, ok[i]);
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_skip(&c), 0);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
	crdt_buf_fini(&b);
}

static void test_map_rejected(void **state)
{
	(void)state;
	static const uint8_t fixmap[] = {0x81, 0x01, 0x02};
	static const uint8_t map16[] = {0xde, 0x00, 0x01, 0x01, 0x02};
	static const uint8_t empty[] = {0x80};
	const uint8_t *maps[] = {fixmap, map16, empty};
	size_t lens[] = {sizeof(fixmap), sizeof(map16), sizeof(empty)};
	for (size_t i = 0; i < 3; i++) {
		struct crdt_mp_cursor c;
		size_t n;
		enum crdt_mp_type t;
		cur(&c, maps[i], lens[i], true);
		assert_int_equal(crdt_mp_peek(&c, &t), 0);
		assert_int_equal(t, CRDT_MP_MAP);
		assert_int_equal(crdt_mp_read_map(&c, &n), -EBADMSG);
		assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), lens[i]);
		cur(&c, maps[i], lens[i], false);
		assert_int_equal(crdt_mp_skip(&c), 0);
		assert_int_equal(crdt_mp_left(&c), 0);
	}
	/* packer's map output is readable only in non-canonical mode */
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_map(&b, 1);
	crdt_pack_cstr(&b, "k");
	crdt_pack_uint(&b, 1);
	struct crdt_mp_cursor c;
	size_t n;
	cur(&c, b.data, b.len, false);
	assert_int_equal(crdt_mp_read_map(&c, &n), 0);
	assert_int_equal(n, 1);
	cur(&c, b.data, b.len, true);
	assert_int_equal(crdt_mp_read_map(&c, &n), -EBADMSG);
	crdt_buf_fini(&b);
	/* a map count beyond the bytes left is rejected even non-canonically */
	static const uint8_t huge[] = {0xdf, 0xff, 0xff, 0xff, 0xff, 0x01};
	cur(&c, huge, sizeof(huge), false);
	assert_int_equal(crdt_mp_read_map(&c, &n), -EBADMSG);
}

static void test_utf8(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool valid;
	} cases[] = {
	    {"", true},
	    {"plain", true},
	    {"\xe5\x8d\xab\xe7\x94\x9f", true},   /* 卫生 */
	    {"\xf0\x9f\x98\x80", true},           /* U+1F600 */
	    {"\xc3\xa9", true},                   /* é */
	    {"\x80", false},                      /* lone continuation */
	    {"\xc3", false},                      /* truncated */
	    {"\xc0\xaf", false},                  /* overlong '/' */
	    {"\xe0\x80\xaf", false},              /* overlong */
	    {"\xf0\x80\x80\xaf", false},          /* overlong */
	    {"\xed\xa0\x80", false},              /* surrogate */
	    {"\xf4\x90\x80\x80", false},          /* > U+10FFFF */
	    {"\xf8\x88\x80\x80\x80", false},      /* 5-byte form */
	    {"\xff", false},
	    {"a\xe5\x8d", false},                 /* truncated 3-byte */
	    {"\xe5\x41\xab", false},              /* bad continuation */
	};
	struct crdt_buf b;
	crdt_buf_init(&b);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = strlen(cases[i].s);
		assert_int_equal(crdt_utf8_valid((const uint8_t *)cases[i].s,
						 n),
				 cases[i].valid);
		crdt_buf_reset(&b);
		crdt_pack_str(&b, cases[i].s, n);
		struct crdt_mp_cursor c;
		const char *s;
		size_t len;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_read_str(&c, &s, &len),
				 cases[i].valid ? 0 : -EBADMSG);
		if (!cases[i].valid)
			assert_int_equal(crdt_mp_left(&c), b.len);
		cur(&c, b.data, b.len, false);
		assert_int_equal(crdt_mp_read_str(&c, &s, &len), 0);
		assert_int_equal(len, n);
	}
	crdt_buf_fini(&b);
}

static void test_counts_beyond_input(void **state)
{
	(void)state;
	/* array32 claiming 2^32-1 items in 5 bytes: rejected at once, in
	 * both modes, without advancing; likewise array16. */
	static const uint8_t a32[] = {0xdd, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t a16[] = {0xdc, 0xff, 0xff, 0xc0, 0xc0};
	static const uint8_t fix[] = {0x93, 0xc0, 0xc0}; /* 3 items, 2 bytes */
	static const uint8_t s32[] = {0xdb, 0xff, 0xff, 0xff, 0xff, 'a'};
	static const uint8_t b32[] = {0xc6, 0x7f, 0xff, 0xff, 0xff, 1};
	static const uint8_t trunc_u64[] = {0xcf, 0, 0, 0};
	for (int canonical = 0; canonical < 2; canonical++) {
		struct crdt_mp_cursor c;
		size_t n;
		const char *s;
		const uint8_t *p;
		uint64_t u;
		cur(&c, a32, sizeof(a32), canonical);
		assert_int_equal(crdt_mp_read_array(&c, &n), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), sizeof(a32));
		assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
		cur(&c, a16, sizeof(a16), canonical);
		assert_int_equal(crdt_mp_read_array(&c, &n), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), sizeof(a16));
		cur(&c, fix, sizeof(fix), canonical);
		assert_int_equal(crdt_mp_read_array(&c, &n), -EBADMSG);
		cur(&c, s32, sizeof(s32), canonical);
		assert_int_equal(crdt_mp_read_str(&c, &s, &n), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), sizeof(s32));
		cur(&c, b32, sizeof(b32), canonical);
		assert_int_equal(crdt_mp_read_bin(&c, &p, &n), -EBADMSG);
		assert_int_equal(crdt_mp_left(&c), sizeof(b32));
		cur(&c, trunc_u64, sizeof(trunc_u64), canonical);
		assert_int_equal(crdt_mp_read_uint(&c, &u), -EBADMSG);
		/* an empty cursor */
		cur(&c, a32, 0, canonical);
		enum crdt_mp_type t;
		assert_int_equal(crdt_mp_peek(&c, &t), -EBADMSG);
		assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
	}
	/* An entry whose ops array claims 2^32-1 ops is rejected (and, under
	 * ASan, would show an allocation of that size as a failure). */
	uint8_t body[200];
	size_t k = 0;
	body[k++] = 0x98; /* fixarray 8 */
	body[k++] = 1;
	body[k++] = 0xc4;
	body[k++] = 32;
	memset(body + k, 1, 32);
	k += 32;
	body[k++] = 0xa2;
	body[k++] = '1';
	body[k++] = '2';
	body[k++] = 1;
	body[k++] = 0xc4;
	body[k++] = 32;
	memset(body + k, 0, 32);
	k += 32;
	body[k++] = 5;
	body[k++] = 1;
	memcpy(body + k, a32, sizeof(a32));
	k += sizeof(a32);
	struct crdt_buf w;
	uint8_t sig[64] = {0};
	crdt_buf_init(&w);
	crdt_entry_encode_wire(&w, body, k, sig);
	struct crdt_entry e;
	enum crdt_reject why = CRDT_REJECT_NONE;
	assert_int_equal(crdt_entry_decode(w.data, w.len, &e, &why), -EBADMSG);
	assert_int_not_equal(why, CRDT_REJECT_NONE);
	crdt_buf_fini(&w);
}

static void test_trailing_and_depth(void **state)
{
	(void)state;
	/* skip is depth-limited: 10,000 nested fixarray(1) headers */
	static uint8_t nest[10001];
	memset(nest, 0x91, sizeof(nest) - 1);
	nest[sizeof(nest) - 1] = 0xc0;
	struct crdt_mp_cursor c;
	cur(&c, nest, sizeof(nest), true);
	assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
	assert_int_equal(crdt_mp_left(&c), sizeof(nest));
	/* a shallow nest is fine */
	cur(&c, nest + sizeof(nest) - 5, 5, true);
	assert_int_equal(crdt_mp_skip(&c), 0);
	/* float, ext and 0xc1 are no values */
	static const uint8_t others[][2] = {{0xca, 0}, {0xcb, 0}, {0xc1, 0},
					    {0xd4, 0}, {0xc7, 0}};
	for (size_t i = 0; i < 5; i++) {
		enum crdt_mp_type t;
		struct crdt_value v;
		cur(&c, others[i], 2, false);
		assert_int_equal(crdt_mp_peek(&c, &t), 0);
		assert_int_equal(t, CRDT_MP_OTHER);
		assert_int_equal(crdt_mp_skip(&c), -EBADMSG);
		cur(&c, others[i], 2, true);
		assert_int_equal(crdt_value_decode(&c, &v), -EBADMSG);
	}
}

/* ---- never crash ---- */

/* Reads whatever the bytes hold with every reader; returns how many values
 * it consumed. The cursor must stay within the buffer. */
static size_t walk(const uint8_t *buf, size_t len, bool canonical)
{
	struct crdt_mp_cursor c;
	size_t count = 0;
	cur(&c, buf, len, canonical);
	while (crdt_mp_left(&c) > 0) {
		struct crdt_mp_cursor probe = c;
		enum crdt_mp_type t;
		assert_int_equal(crdt_mp_peek(&probe, &t), 0);
		const char *s;
		const uint8_t *p;
		size_t n;
		uint64_t u;
		int64_t i;
		bool b;
		uint8_t fixed[32];
		struct crdt_value v;
		struct crdt_dot d;
		struct crdt_op op;
		struct crdt_dot dots[CRDT_MAX_DOTS];
		/* each typed read either fails without moving or moves */
		probe = c;
		(void)crdt_mp_read_nil(&probe);
		probe = c;
		(void)crdt_mp_read_bool(&probe, &b);
		probe = c;
		(void)crdt_mp_read_uint(&probe, &u);
		probe = c;
		(void)crdt_mp_read_int(&probe, &i);
		probe = c;
		if (crdt_mp_read_str(&probe, &s, &n) == 0)
			assert_true((const uint8_t *)s + n <= c.end);
		probe = c;
		if (crdt_mp_read_bin(&probe, &p, &n) == 0)
			assert_true(p + n <= c.end);
		probe = c;
		(void)crdt_mp_read_bin_fixed(&probe, fixed, sizeof(fixed));
		probe = c;
		if (crdt_mp_read_array(&probe, &n) == 0)
			assert_true(n <= crdt_mp_left(&probe));
		probe = c;
		(void)crdt_mp_read_map(&probe, &n);
		probe = c;
		(void)crdt_value_decode(&probe, &v);
		probe = c;
		(void)crdt_dot_decode(&probe, &d);
		probe = c;
		if (crdt_op_decode(&probe, &op, dots, CRDT_MAX_DOTS) == 0)
			assert_true(op.n_dots <= CRDT_MAX_DOTS);
		const uint8_t *before = c.p;
		if (crdt_mp_skip(&c) != 0) {
			assert_ptr_equal(c.p, before);
			c.p++; /* resynchronise one byte on */
		} else {
			assert_true(c.p > before && c.p <= c.end);
			count++;
		}
	}
	return count;
}

static void random_value(struct crdt_buf *b, int depth)
{
	switch (rnd_below(depth < 3 ? 9 : 7)) {
	case 0: crdt_pack_nil(b); break;
	case 1: crdt_pack_bool(b, rnd() & 1); break;
	case 2: crdt_pack_uint(b, rnd() >> rnd_below(64)); break;
	case 3: crdt_pack_int(b, (int64_t)rnd() >> rnd_below(64)); break;
	case 4: {
		char s[40];
		size_t n = rnd_below(sizeof(s));
		for (size_t i = 0; i < n; i++)
			s[i] = (char)('a' + rnd_below(26));
		crdt_pack_str(b, s, n);
		break;
	}
	case 5: {
		uint8_t p[40];
		size_t n = rnd_below(sizeof(p));
		for (size_t i = 0; i < n; i++)
			p[i] = (uint8_t)rnd();
		crdt_pack_bin(b, p, n);
		break;
	}
	case 6: {
		uint8_t p[32];
		for (size_t i = 0; i < 32; i++)
			p[i] = (uint8_t)rnd();
		crdt_pack_array(b, 3); /* a dot */
		crdt_pack_bin(b, p, 32);
		crdt_pack_uint(b, rnd() >> rnd_below(64));
		crdt_pack_uint(b, rnd_below(5));
		break;
	}
	default: {
		size_t n = rnd_below(5);
		crdt_pack_array(b, n);
		for (size_t i = 0; i < n; i++)
			random_value(b, depth + 1);
		break;
	}
	}
}

static unsigned iters(void)
{
	const char *s = getenv("WARD_FUZZ_ITERS");
	return s ? (unsigned)strtoul(s, NULL, 10) : 20000u;
}

static void test_random_bytes(void **state)
{
	(void)state;
	uint8_t buf[256];
	unsigned n = iters();
	for (unsigned it = 0; it < n; it++) {
		size_t len = rnd_below(sizeof(buf) + 1);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		/* bias towards interesting header bytes */
		for (size_t i = 0; i < len; i++)
			if (rnd_below(4) == 0)
				buf[i] = (uint8_t)(0xc0 + rnd_below(0x20));
		/* copy into an exact-size heap buffer so ASan sees overruns */
		uint8_t *h = malloc(len ? len : 1);
		assert_non_null(h);
		memcpy(h, buf, len);
		walk(h, len, true);
		walk(h, len, false);
		struct crdt_entry e;
		enum crdt_reject why = CRDT_REJECT_NONE;
		if (crdt_entry_decode(h, len, &e, &why) == 0)
			crdt_entry_fini(&e);
		struct crdt_cell cell;
		if (crdt_cell_decode(&cell, h, len) == 0)
			crdt_cell_fini(&cell);
		free(h);
	}
}

static void test_mutated_bytes(void **state)
{
	(void)state;
	struct crdt_buf b;
	crdt_buf_init(&b);
	unsigned n = iters();
	for (unsigned it = 0; it < n; it++) {
		crdt_buf_reset(&b);
		random_value(&b, 0);
		/* a well-formed value is canonical and skips exactly */
		struct crdt_mp_cursor c;
		cur(&c, b.data, b.len, true);
		assert_int_equal(crdt_mp_skip(&c), 0);
		assert_int_equal(crdt_mp_left(&c), 0);
		size_t len = b.len;
		uint8_t *h = malloc(len + 8);
		assert_non_null(h);
		memcpy(h, b.data, len);
		unsigned muts = 1 + (unsigned)rnd_below(4);
		for (unsigned m = 0; m < muts; m++) {
			switch (rnd_below(4)) {
			case 0: /* flip a byte */
				if (len)
					h[rnd_below(len)] ^= (uint8_t)(1 + rnd_below(255));
				break;
			case 1: /* truncate */
				len = rnd_below(len + 1);
				break;
			case 2: /* insert a header byte */
				if (len < b.len + 8) {
					size_t at = rnd_below(len + 1);
					memmove(h + at + 1, h + at, len - at);
					h[at] = (uint8_t)(0xc0 + rnd_below(0x40));
					len++;
				}
				break;
			default: /* set a length byte to 0xff */
				if (len)
					h[rnd_below(len)] = 0xff;
				break;
			}
		}
		uint8_t *x = malloc(len ? len : 1);
		assert_non_null(x);
		memcpy(x, h, len);
		walk(x, len, true);
		walk(x, len, false);
		free(x);
		free(h);
	}
	crdt_buf_fini(&b);
}

int main(void)
{
	const char *s = getenv("WARD_SEED");
	if (s)
		seed = strtoull(s, NULL, 0);
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	rng_state = seed;
	printf("test_mp: seed %llu (replay with WARD_SEED=%llu)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_int_non_shortest),
	    cmocka_unit_test(test_pack_ints),
	    cmocka_unit_test(test_str_non_shortest),
	    cmocka_unit_test(test_bin_non_shortest),
	    cmocka_unit_test(test_array_non_shortest),
	    cmocka_unit_test(test_map_rejected),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_counts_beyond_input),
	    cmocka_unit_test(test_trailing_and_depth),
	    cmocka_unit_test(test_random_bytes),
	    cmocka_unit_test(test_mutated_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
