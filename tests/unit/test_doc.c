/*
 * test_doc.c: unit tests for node/api/doc.c, the local API's document tree:
 * building and reading, MessagePack round trips and exact bytes, JSON
 * escaping and layout, and the decoder against random, truncated and
 * mutated bytes, huge counts and depth bombs. Random tests print their seed;
 * set WARD_SEED to replay one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "crdt/crdt.h"
#include "node/api/doc.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

/* ---------------------------------------------------------------------- */
/* Helpers.                                                                */

#include "tests/common/testseed.h"

static uint8_t *encode(const struct node_doc *d, size_t *len)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_doc_encode(d, &b);
	return crdt_buf_take(&b, len);
}

/* The checking helpers report the caller's line. */
#define assert_json(d, pretty, want)                                           \
	assert_json_at(d, pretty, want, __FILE__, __LINE__)
#define assert_bad(p, len) assert_bad_at(p, len, __FILE__, __LINE__)
#define decode_ok(p, len) decode_ok_at(p, len, __FILE__, __LINE__)

static void assert_json_at(const struct node_doc *d, bool pretty,
			   const char *want, const char *file, int line)
{
	char *got = node_doc_to_json(d, pretty);
	_assert_string_equal(got, want, file, line);
	free(got);
}

/* Decodes bytes that must be rejected, leaving *out untouched. */
static void assert_bad_at(const uint8_t *p, size_t len, const char *file,
			  int line)
{
	static struct node_doc *const canary =
	    (struct node_doc *)(uintptr_t)0x1;
	struct node_doc *d = canary;
	int rc = node_doc_decode(p, len, &d);
	_assert_int_equal(cast_to_largest_integral_type(rc),
			  cast_to_largest_integral_type(-EBADMSG), file, line);
	_assert_true(d == canary, "out untouched", file, line);
}

#define BAD(...)                                                               \
	do {                                                                   \
		static const uint8_t bytes_[] = {__VA_ARGS__};                 \
		assert_bad(bytes_, sizeof bytes_);                             \
	} while (0)

static struct node_doc *decode_ok_at(const uint8_t *p, size_t len,
				     const char *file, int line)
{
	struct node_doc *d = NULL;
	int rc = node_doc_decode(p, len, &d);
	_assert_int_equal(cast_to_largest_integral_type(rc), 0, file, line);
	_assert_true(d != NULL, "decoded tree", file, line);
	return d;
}

/* A doc that exercises every kind, the edges of each integer form and
 * every header size. */
static struct node_doc *sample_doc(void)
{
	static const int64_t ints[] = {
	    0,	       1,      127,    128,	      255,
	    256,       65535,  65536,  4294967295ll,  4294967296ll,
	    INT64_MAX, -1,     -32,    -33,	      -128,
	    -129,      -32768, -32769, -2147483648ll, -2147483649ll,
	    INT64_MIN};
	struct node_doc *root = node_doc_object();
	struct node_doc *nums = node_doc_array();
	for (size_t k = 0; k < sizeof ints / sizeof ints[0]; k++)
		node_doc_push(nums, node_doc_int(ints[k]));
	node_doc_set(root, "ints", nums);
	node_doc_set(root, "null", node_doc_null());
	node_doc_set(root, "yes", node_doc_bool(true));
	node_doc_set(root, "no", node_doc_bool(false));
	node_doc_set(root, "empty", node_doc_str(""));
	node_doc_set(root, "text", node_doc_str("中文 \"ward\"\n"));
	node_doc_set(root, "nul", node_doc_strn("a\0b", 3));
	node_doc_set(root, "raw", node_doc_strn("\xff\xfe", 2));
	static const uint8_t key[4] = {0xde, 0xad, 0x00, 0xef};
	node_doc_set(root, "bin", node_doc_bin(key, sizeof key));
	node_doc_set(root, "nobin", node_doc_bin(NULL, 0));
	node_doc_set(root, "", node_doc_object());
	node_doc_set(root, "arr", node_doc_array());

	/* str8, str16 and str32 bodies; bin8/16/32; array16/32; map16. */
	size_t sizes[] = {31, 32, 255, 256, 65535, 65536};
	struct node_doc *strs = node_doc_array();
	struct node_doc *bins = node_doc_array();
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		char *s = malloc(sizes[k]);
		assert_non_null(s);
		for (size_t i = 0; i < sizes[k]; i++)
			s[i] = (char)('a' + i % 26);
		node_doc_push(strs, node_doc_strn(s, sizes[k]));
		node_doc_push(bins, node_doc_bin((uint8_t *)s, sizes[k]));
		free(s);
	}
	node_doc_set(root, "strs", strs);
	node_doc_set(root, "bins", bins);
	struct node_doc *many = node_doc_array();
	for (int64_t k = 0; k < 70000; k++)
		node_doc_push(many, node_doc_int(k));
	node_doc_set(root, "many", many);
	struct node_doc *wide = node_doc_object();
	for (int k = 0; k < 40; k++) {
		char name[16];
		snprintf(name, sizeof name, "k%02d", k);
		node_doc_set(wide, name, node_doc_int(k));
	}
	node_doc_set(root, "wide", wide);

	struct node_doc *deep = node_doc_str("bottom");
	for (int k = 0; k < NODE_DOC_MAX_DEPTH - 1; k++) {
		struct node_doc *up =
		    k % 2 ? node_doc_array() : node_doc_object();
		if (k % 2)
			node_doc_push(up, deep);
		else
			node_doc_set(up, "d", deep);
		deep = up;
	}
	/* deep is 63 containers; under root that makes 64, the limit. */
	node_doc_set(root, "deep", deep);
	return root;
}

/* A small doc for the mutation fuzzer: short, so mutations hit structure. */
static struct node_doc *small_doc(void)
{
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "op", node_doc_str("put"));
	node_doc_set(d, "n", node_doc_int(-300));
	node_doc_set(d, "big", node_doc_int(1ll << 40));
	node_doc_set(d, "ok", node_doc_bool(true));
	node_doc_set(d, "none", node_doc_null());
	static const uint8_t id[5] = {1, 2, 3, 4, 5};
	node_doc_set(d, "id", node_doc_bin(id, sizeof id));
	struct node_doc *arr = node_doc_array();
	node_doc_push(arr, node_doc_str("x"));
	node_doc_push(arr, node_doc_int(7));
	struct node_doc *inner = node_doc_object();
	node_doc_set(inner, "k", node_doc_array());
	node_doc_push(arr, inner);
	node_doc_set(d, "items", arr);
	return d;
}

/* ---------------------------------------------------------------------- */
/* Building and reading.                                                   */

static void test_build_and_read(void **state)
{
	(void)state;
	struct node_doc *root = node_doc_object();
	assert_ptr_equal(node_doc_set(root, "name", node_doc_str("alice")),
			 root);
	node_doc_set(root, "age", node_doc_int(41));
	node_doc_set(root, "admin", node_doc_bool(true));
	struct node_doc *tags = node_doc_array();
	assert_ptr_equal(node_doc_push(tags, node_doc_str("a")), tags);
	node_doc_push(node_doc_push(tags, node_doc_str("b")), node_doc_null());
	node_doc_set(root, "tags", tags);

	assert_int_equal(node_doc_kind(root), NODE_DOC_OBJECT);
	assert_int_equal(node_doc_len(root), 4);
	assert_string_equal(node_doc_key_at(root, 0), "name");
	assert_string_equal(node_doc_key_at(root, 3), "tags");
	assert_ptr_equal(node_doc_at(root, 3), tags);
	assert_string_equal(node_doc_get_str(root, "name"), "alice");
	assert_int_equal(node_doc_get_int(root, "age", -1), 41);
	assert_true(node_doc_get_bool(root, "admin", false));
	assert_int_equal(node_doc_len(tags), 3);
	assert_int_equal(node_doc_kind(node_doc_at(tags, 2)), NODE_DOC_NULL);
	size_t len = 99;
	assert_string_equal(node_doc_as_str(node_doc_at(tags, 1), &len), "b");
	assert_int_equal(len, 1);

	/* Absent keys, wrong kinds and NULL all read as absent. */
	assert_null(node_doc_get(root, "missing"));
	assert_null(node_doc_get(tags, "name"));
	assert_null(node_doc_get(NULL, "name"));
	assert_null(node_doc_get_str(root, "age"));
	assert_int_equal(node_doc_get_int(root, "name", -7), -7);
	assert_int_equal(node_doc_get_int(NULL, "age", -7), -7);
	assert_false(node_doc_get_bool(root, "age", false));
	assert_null(node_doc_get_str(node_doc_get(root, "nope"), "x"));
	assert_int_equal(node_doc_as_int(node_doc_get(root, "name")), 0);
	assert_false(node_doc_as_bool(node_doc_get(root, "age")));
	assert_null(node_doc_as_str(tags, &len));
	assert_null(node_doc_as_bin(node_doc_get(root, "name"), &len));
	assert_int_equal(node_doc_len(node_doc_get(root, "age")), 0);
	node_doc_free(root);
	node_doc_free(NULL);
}

static void test_set_replaces_in_place(void **state)
{
	(void)state;
	struct node_doc *o = node_doc_object();
	node_doc_set(o, "a", node_doc_int(1));
	node_doc_set(o, "b", node_doc_str("two"));
	node_doc_set(o, "c", node_doc_int(3));
	node_doc_set(o, "b", node_doc_int(22)); /* frees "two" (ASan checks) */
	struct node_doc *same = node_doc_int(33);
	node_doc_set(o, "c", same);
	node_doc_set(o, "c", same); /* setting the same value is harmless */
	assert_int_equal(node_doc_len(o), 3);
	assert_string_equal(node_doc_key_at(o, 1), "b");
	assert_int_equal(node_doc_get_int(o, "b", 0), 22);
	assert_int_equal(node_doc_get_int(o, "c", 0), 33);
	assert_json(o, false, "{\"a\":1,\"b\":22,\"c\":33}");

	/* The key is copied. */
	char key[] = "dyn";
	node_doc_set(o, key, node_doc_null());
	key[0] = 'X';
	assert_non_null(node_doc_get(o, "dyn"));
	node_doc_free(o);
}

static void test_strings_and_bytes(void **state)
{
	(void)state;
	struct node_doc *s = node_doc_strf("%s-%d-%05.1f", "w", 42, 2.5);
	assert_string_equal(node_doc_as_str(s, NULL), "w-42-002.5");
	node_doc_free(s);
	s = node_doc_strf("%s", "");
	assert_string_equal(node_doc_as_str(s, NULL), "");
	node_doc_free(s);

	/* A string with a NUL: whole with a length, refused as a C string. */
	struct node_doc *o = node_doc_object();
	node_doc_set(o, "nul", node_doc_strn("ab\0cd", 5));
	size_t len = 0;
	const char *p = node_doc_as_str(node_doc_get(o, "nul"), &len);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "ab\0cd", 6);
	assert_null(node_doc_as_str(node_doc_get(o, "nul"), NULL));
	assert_null(node_doc_get_str(o, "nul"));
	node_doc_free(o);

	s = node_doc_strn(NULL, 0);
	assert_string_equal(node_doc_as_str(s, &len), "");
	assert_int_equal(len, 0);
	node_doc_free(s);

	struct node_doc *b = node_doc_bin(NULL, 0);
	assert_non_null(node_doc_as_bin(b, &len));
	assert_int_equal(len, 0);
	assert_int_equal(node_doc_kind(b), NODE_DOC_BIN);
	assert_null(node_doc_as_str(b, &len));
	node_doc_free(b);
}

static void test_equal(void **state)
{
	(void)state;
	struct node_doc *a = node_doc_object();
	node_doc_set(a, "x", node_doc_int(1));
	node_doc_set(a, "y", node_doc_str("s"));
	struct node_doc *b = node_doc_object();
	node_doc_set(b, "y", node_doc_str("s"));
	node_doc_set(b, "x", node_doc_int(1));
	assert_true(node_doc_equal(a, b)); /* key order ignored */
	node_doc_set(b, "x", node_doc_int(2));
	assert_false(node_doc_equal(a, b));
	node_doc_set(b, "x", node_doc_int(1));
	node_doc_set(b, "z", node_doc_null());
	assert_false(node_doc_equal(a, b));
	assert_false(node_doc_equal(a, NULL));
	assert_true(node_doc_equal(NULL, NULL));

	struct node_doc *s = node_doc_str("ab");
	struct node_doc *bin = node_doc_bin((const uint8_t *)"ab", 2);
	assert_false(node_doc_equal(s, bin));
	struct node_doc *arr1 =
	    node_doc_push(node_doc_array(), node_doc_int(1));
	struct node_doc *arr2 =
	    node_doc_push(node_doc_array(), node_doc_int(1));
	assert_true(node_doc_equal(arr1, arr2));
	node_doc_push(arr2, node_doc_int(2));
	assert_false(node_doc_equal(arr1, arr2));
	node_doc_free(arr1);
	node_doc_free(arr2);
	node_doc_free(s);
	node_doc_free(bin);
	node_doc_free(a);
	node_doc_free(b);
}

/* ---------------------------------------------------------------------- */
/* MessagePack.                                                            */

static void test_encode_exact_bytes(void **state)
{
	(void)state;
	struct node_doc *d = node_doc_object();
	struct node_doc *arr = node_doc_array();
	node_doc_push(arr, node_doc_bool(true));
	node_doc_push(arr, node_doc_null());
	node_doc_push(arr, node_doc_int(-1));
	node_doc_push(arr, node_doc_int(200));
	node_doc_set(d, "a", node_doc_int(1));
	node_doc_set(d, "b", arr);
	node_doc_set(d, "c", node_doc_str("hi"));
	static const uint8_t raw[2] = {0x01, 0xff};
	node_doc_set(d, "d", node_doc_bin(raw, 2));
	static const uint8_t want[] = {0x84, 0xa1, 'a',	 0x01, 0xa1, 'b',
				       0x94, 0xc3, 0xc0, 0xff, 0xcc, 200,
				       0xa1, 'c',  0xa2, 'h',  'i',  0xa1,
				       'd',  0xc4, 0x02, 0x01, 0xff};
	size_t len;
	uint8_t *got = encode(d, &len);
	assert_int_equal(len, sizeof want);
	assert_memory_equal(got, want, sizeof want);
	struct node_doc *back = decode_ok(got, len);
	assert_true(node_doc_equal(d, back));
	node_doc_free(back);
	free(got);
	node_doc_free(d);
}

static void test_roundtrip(void **state)
{
	(void)state;
	struct node_doc *d = sample_doc();
	size_t len;
	uint8_t *bytes = encode(d, &len);
	struct node_doc *back = decode_ok(bytes, len);
	assert_true(node_doc_equal(d, back));

	/* Order is kept too: the re-encoding and the JSON are identical. */
	size_t len2;
	uint8_t *bytes2 = encode(back, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, bytes2, len);
	char *j1 = node_doc_to_json(d, true);
	char *j2 = node_doc_to_json(back, true);
	assert_string_equal(j1, j2);
	assert_string_equal(node_doc_key_at(back, 0), "ints");
	assert_int_equal(
	    node_doc_as_int(node_doc_at(node_doc_get(back, "ints"), 20)),
	    INT64_MIN);

	/* Every strict prefix is rejected (msgpack is prefix-free); check
	 * all of the first bytes and a spread of the rest. */
	for (size_t cut = 0; cut < len; cut += cut < 4096 ? 1 : 997)
		assert_bad(bytes, cut);
	/* One byte more is rejected too. */
	uint8_t *more = malloc(len + 1);
	assert_non_null(more);
	memcpy(more, bytes, len);
	more[len] = 0xc0;
	assert_bad(more, len + 1);

	free(more);
	free(j1);
	free(j2);
	free(bytes);
	free(bytes2);
	node_doc_free(back);
	node_doc_free(d);
}

static void test_decode_accepts_any_form(void **state)
{
	(void)state;
	/* Non-shortest forms of the same values as {"k":[1,-1,"x",""]}. */
	static const uint8_t loose[] = {
	    0xde, 0x00, 0x01,				/* map16 1 */
	    0xd9, 0x01, 'k',				/* str8 "k" */
	    0xdd, 0x00, 0x00, 0x00, 0x04,		/* array32 4 */
	    0xd3, 0,	0,    0,    0,	  0,   0, 0, 1, /* int64 1 */
	    0xd1, 0xff, 0xff,				/* int16 -1 */
	    0xdb, 0x00, 0x00, 0x00, 0x01, 'x',		/* str32 */
	    0xda, 0x00, 0x00};				/* str16 "" */
	struct node_doc *d = decode_ok(loose, sizeof loose);
	assert_json(d, false, "{\"k\":[1,-1,\"x\",\"\"]}");
	node_doc_free(d);

	static const uint8_t big[] = {0xcf, 0x7f, 0xff, 0xff, 0xff,
				      0xff, 0xff, 0xff, 0xff};
	d = decode_ok(big, sizeof big);
	assert_int_equal(node_doc_as_int(d), INT64_MAX);
	node_doc_free(d);

	/* Invalid UTF-8 is kept as is; the printer repairs it. */
	static const uint8_t bad_utf8[] = {0xa2, 0xc3, 0x28};
	d = decode_ok(bad_utf8, sizeof bad_utf8);
	size_t len;
	assert_memory_equal(node_doc_as_str(d, &len), "\xc3\x28", 2);
	assert_json(d, false, "\"\xef\xbf\xbd(\"");
	node_doc_free(d);
}

static void test_decode_rejects(void **state)
{
	(void)state;
	assert_bad(NULL, 0);
	BAD(0xc1);			      /* never used */
	BAD(0xca, 0, 0, 0, 0);		      /* float32 */
	BAD(0xcb, 0, 0, 0, 0, 0, 0, 0, 0);    /* float64 */
	BAD(0xd4, 0x01, 0x00);		      /* fixext1 */
	BAD(0xc7, 0x00, 0x01);		      /* ext8 */
	BAD(0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0); /* uint64 > INT64_MAX */
	BAD(0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
	BAD(0xc0, 0xc0);			     /* trailing bytes */
	BAD(0x91);				     /* missing item */
	BAD(0x81, 0xa1, 'k');			     /* missing value */
	BAD(0x81, 0x01, 0xc0);			     /* int key */
	BAD(0x81, 0xc0, 0xc0);			     /* nil key */
	BAD(0x81, 0xc4, 0x01, 'k', 0xc0);	     /* bin key */
	BAD(0x81, 0xa2, 'k', 0x00, 0xc0);	     /* key holding NUL */
	BAD(0x82, 0xa1, 'k', 0x01, 0xa1, 'k', 0x02); /* duplicate key */
	BAD(0x83, 0xa1, 'a', 0xc0, 0xa0, 0xc0, 0xa0, 0xc0); /* dup "" */
	BAD(0xa3, 'a', 'b');				    /* short str */
	BAD(0xc4, 0x03, 0x00);				    /* short bin */
	BAD(0xcd, 0x01);				    /* short uint16 */
	BAD(0x92, 0x01, 0x81, 0xa1, 'k', 0xc1); /* bad nested value */
}

/* A map with more keys than the pairwise duplicate check covers. */
static void test_decode_many_keys(void **state)
{
	(void)state;
	const size_t n = 70000;
	for (int dup = 0; dup < 2; dup++) {
		struct crdt_buf b;
		crdt_buf_init(&b);
		crdt_pack_map(&b, n);
		for (size_t k = 0; k < n; k++) {
			char key[24];
			/* With dup, the last key repeats the first. */
			size_t id = dup && k == n - 1 ? 0 : k;
			snprintf(key, sizeof key, "key%zu", id);
			crdt_pack_cstr(&b, key);
			crdt_pack_uint(&b, k);
		}
		struct node_doc *d = NULL;
		int rc = node_doc_decode(b.data, b.len, &d);
		if (dup) {
			assert_int_equal(rc, -EBADMSG);
			assert_null(d);
		} else {
			assert_int_equal(rc, 0);
			assert_int_equal(node_doc_len(d), n);
			assert_int_equal(node_doc_get_int(d, "key69999", -1),
					 69999);
			assert_string_equal(node_doc_key_at(d, 12345),
					    "key12345");
			node_doc_free(d);
		}
		crdt_buf_fini(&b);
	}
	/* Seventeen keys (just past the pairwise check): "ka".."kq", then
	 * the same with key 9 renamed to repeat key 2. */
	struct crdt_buf b;
	crdt_buf_init(&b);
	for (int dup = 0; dup < 2; dup++) {
		crdt_buf_reset(&b);
		crdt_pack_map(&b, 17);
		for (int k = 0; k < 17; k++) {
			char key[3] = {'k', (char)('a' + k), 0};
			if (dup && k == 9)
				key[1] = 'c';
			crdt_pack_cstr(&b, key);
			crdt_pack_nil(&b);
		}
		if (dup) {
			assert_bad(b.data, b.len);
		} else {
			struct node_doc *d = decode_ok(b.data, b.len);
			assert_int_equal(node_doc_len(d), 17);
			node_doc_free(d);
		}
	}
	crdt_buf_fini(&b);
}

/* ---------------------------------------------------------------------- */
/* Hostile sizes and depth.                                                 */

static void test_huge_counts(void **state)
{
	(void)state;
	BAD(0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0, 0xc0); /* array32 4G */
	BAD(0xdc, 0xff, 0xff, 0xc0);		       /* array16 64K */
	BAD(0xdf, 0xff, 0xff, 0xff, 0xff, 0xa0, 0xc0); /* map32 4G */
	BAD(0xde, 0x00, 0x02, 0xa0, 0xc0);	       /* map16, 2 claimed */
	BAD(0xdb, 0xff, 0xff, 0xff, 0xff, 'a');	       /* str32 4G */
	BAD(0xc6, 0xff, 0xff, 0xff, 0xff, 0x00);       /* bin32 4G */
	BAD(0x9f, 0x01);			       /* fixarray 15 */
	BAD(0x91, 0xdd, 0xff, 0xff, 0xff, 0xfe, 0xc0); /* nested */
}

static size_t put_be32(uint8_t *p, uint8_t tag, uint32_t v)
{
	p[0] = tag;
	p[1] = (uint8_t)(v >> 24);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 8);
	p[4] = (uint8_t)v;
	return 5;
}

/* Every header of a 64-deep nest claims as many items as there are bytes
 * left, which the cursor's count check allows. A decoder that reserved the
 * claimed counts would ask for 64 x 8 MiB x 16 bytes = 8 GiB and, with the
 * address space capped 256 MiB above where it started, abort on allocation
 * failure; this one must simply return -EBADMSG. (No cap under ASan, which
 * maps terabytes of shadow.) */
static void test_claimed_counts_cost_nothing(void **state)
{
	(void)state;
	const size_t len = 8u << 20;
	uint8_t *p = malloc(len);
	assert_non_null(p);
	memset(p, 0xc1, len);
	for (int map = 0; map < 2; map++) {
		size_t off = 0;
		for (int k = 0; k < NODE_DOC_MAX_DEPTH; k++) {
			uint32_t left = (uint32_t)(len - off - 5);
			off += put_be32(p + off, map ? 0xdf : 0xdd,
					map ? left / 2 : left);
			if (map)
				p[off++] = 0xa0; /* key "" */
		}
#ifndef UNDER_ASAN
		struct rlimit old, lim;
		long pages = 0;
		FILE *f = fopen("/proc/self/statm", "r");
		bool limited = f && fscanf(f, "%ld", &pages) == 1 &&
			       getrlimit(RLIMIT_AS, &old) == 0;
		if (f)
			fclose(f);
		if (limited) {
			lim = old;
			lim.rlim_cur =
			    (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE) +
			    (256u << 20);
			if (old.rlim_cur != RLIM_INFINITY &&
			    old.rlim_cur < lim.rlim_cur)
				lim.rlim_cur = old.rlim_cur;
			limited = setrlimit(RLIMIT_AS, &lim) == 0;
		}
#endif
		struct node_doc *d = NULL;
		int rc = node_doc_decode(p, len, &d);
#ifndef UNDER_ASAN
		if (limited)
			assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
#endif
		assert_int_equal(rc, -EBADMSG);
		assert_null(d);
	}
	free(p);
}

static void test_depth_limit(void **state)
{
	(void)state;
	const size_t max = NODE_DOC_MAX_DEPTH;
	uint8_t buf[3 * (NODE_DOC_MAX_DEPTH + 1) + 1];

	/* [[...[]...]]: max deep passes, one more fails. */
	memset(buf, 0x91, max - 1);
	buf[max - 1] = 0x90;
	struct node_doc *d = decode_ok(buf, max);
	node_doc_free(d);
	memset(buf, 0x91, max);
	buf[max] = 0x90;
	assert_bad(buf, max + 1);

	/* {"":{"":...{"":nil}}} likewise. */
	for (size_t depth = max; depth <= max + 1; depth++) {
		size_t off = 0;
		for (size_t k = 0; k < depth; k++) {
			buf[off++] = 0x81;
			buf[off++] = 0xa0;
		}
		buf[off++] = 0xc0;
		if (depth == max) {
			d = decode_ok(buf, off);
			const struct node_doc *at = d;
			for (size_t k = 0; k < max; k++)
				at = node_doc_get(at, "");
			assert_non_null(at);
			assert_int_equal(node_doc_kind(at), NODE_DOC_NULL);
			node_doc_free(d);
		} else {
			assert_bad(buf, off);
		}
	}

	/* A megabyte of 0x91 (a million claimed levels) fails at once. */
	const size_t bomb = 1u << 20;
	uint8_t *p = malloc(bomb);
	assert_non_null(p);
	memset(p, 0x91, bomb);
	assert_bad(p, bomb);
	memset(p, 0xdc, bomb); /* array16 headers nesting 0xdcdc items */
	assert_bad(p, bomb);
	for (size_t k = 0; k + 1 < bomb; k += 2) {
		p[k] = 0x81;
		p[k + 1] = 0xa0;
	}
	assert_bad(p, bomb);
	free(p);
}

/* ---------------------------------------------------------------------- */
/* Decoding arbitrary bytes.                                                */

static void check_decoded(struct node_doc *d)
{
	/* Whatever decodes must re-encode to something that decodes to the
	 * same tree, and must print. */
	size_t len;
	uint8_t *bytes = encode(d, &len);
	struct node_doc *again = decode_ok(bytes, len);
	assert_true(node_doc_equal(d, again));
	char *json = node_doc_to_json(d, true);
	assert_non_null(json);
	free(json);
	node_doc_free(again);
	free(bytes);
	node_doc_free(d);
}

/* Bytes that are often structural, so random input gets past byte one. */
static uint8_t random_byte(uint64_t *s)
{
	static const uint8_t hot[] = {
	    0x00, 0x01, 0x7f, 0x80, 0x81, 0x82, 0x8f, 0x90, 0x91, 0x92,
	    0x9f, 0xa0, 0xa1, 0xa2, 0xbf, 0xc0, 0xc1, 0xc2, 0xc3, 0xc4,
	    0xc5, 0xc6, 0xcc, 0xcd, 0xce, 0xcf, 0xd0, 0xd1, 0xd2, 0xd3,
	    0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0xe0, 0xff, 'k'};
	uint64_t r = splitmix64(s);
	if (r & 1)
		return (uint8_t)(r >> 8);
	return hot[(r >> 8) % sizeof hot];
}

static void test_decode_random_bytes(void **state)
{
	(void)state;
	uint64_t s = test_seed("decode_random_bytes");
	uint8_t buf[96];
	size_t ok = 0;
	for (int it = 0; it < 300000; it++) {
		size_t len = (size_t)(splitmix64(&s) % (sizeof buf + 1));
		for (size_t k = 0; k < len; k++)
			buf[k] = random_byte(&s);
		struct node_doc *d = NULL;
		int rc = node_doc_decode(buf, len, &d);
		assert_true(rc == 0 || rc == -EBADMSG);
		if (rc == 0) {
			ok++;
			check_decoded(d);
		} else {
			assert_null(d);
		}
	}
	printf("decode_random_bytes: %zu of 300000 decoded\n", ok);
}

static void test_decode_mutations(void **state)
{
	(void)state;
	uint64_t s = test_seed("decode_mutations");
	struct node_doc *orig = small_doc();
	size_t len;
	uint8_t *valid = encode(orig, &len);
	uint8_t buf[256];
	assert_true(len + 16 <= sizeof buf);
	for (size_t cut = 0; cut < len; cut++)
		assert_bad(valid, cut);
	size_t ok = 0;
	for (int it = 0; it < 300000; it++) {
		size_t n = len;
		memcpy(buf, valid, len);
		int edits = 1 + (int)(splitmix64(&s) % 4);
		for (int e = 0; e < edits && n > 0; e++) {
			uint64_t r = splitmix64(&s);
			size_t at = (size_t)((r >> 8) % n);
			switch (r % 5) {
			case 0: /* flip a bit */
				buf[at] ^= (uint8_t)(1u << ((r >> 40) % 8));
				break;
			case 1: /* replace a byte */
				buf[at] = random_byte(&s);
				break;
			case 2: /* insert a byte */
				if (n < sizeof buf) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = random_byte(&s);
					n++;
				}
				break;
			case 3: /* delete a byte */
				memmove(buf + at, buf + at + 1, n - at - 1);
				n--;
				break;
			default: /* truncate */
				n = at;
				break;
			}
		}
		struct node_doc *d = NULL;
		int rc = node_doc_decode(buf, n, &d);
		assert_true(rc == 0 || rc == -EBADMSG);
		if (rc == 0) {
			ok++;
			check_decoded(d);
		} else {
			assert_null(d);
		}
	}
	printf("decode_mutations: %zu of 300000 decoded\n", ok);
	free(valid);
	node_doc_free(orig);
}

/* ---------------------------------------------------------------------- */
/* JSON.                                                                   */

static void assert_json_str(const char *s, size_t len, const char *want)
{
	struct node_doc *d = node_doc_strn(s, len);
	assert_json(d, false, want);
	assert_json(d, true, want);
	node_doc_free(d);
}

#define JSTR(lit, want) assert_json_str(lit, sizeof lit - 1, want)

static void test_json_escaping(void **state)
{
	(void)state;
	JSTR("", "\"\"");
	JSTR("plain text", "\"plain text\"");
	JSTR("say \"hi\"", "\"say \\\"hi\\\"\"");
	JSTR("a\\b/c", "\"a\\\\b/c\"");
	JSTR("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
	JSTR("\x01\x1f\x1b[31m", "\"\\u0001\\u001f\\u001b[31m\"");
	JSTR("a\0b", "\"a\\u0000b\"");
	JSTR("\x7f", "\"\\u007f\"");
	JSTR("\xc2\x85\xc2\x9b\xc2\xa0", "\"\\u0085\\u009b\xc2\xa0\""); /* C1 */
	JSTR("中文记录", "\"中文记录\"");
	JSTR("emoji \xf0\x9f\x98\x80!", "\"emoji \xf0\x9f\x98\x80!\"");
	JSTR("\xef\xbf\xbd", "\"\xef\xbf\xbd\""); /* a real U+FFFD */

	/* Invalid UTF-8: one U+FFFD per maximal subpart. */
#define FFFD "\xef\xbf\xbd"
	JSTR("\x80", "\"" FFFD "\"");
	JSTR("a\xff"
	     "b",
	     "\"a" FFFD "b\"");
	JSTR("\xe4\xb8", "\"" FFFD "\""); /* truncated 中 */
	JSTR("\xe4\xb8"
	     "a",
	     "\"" FFFD "a\"");
	JSTR("\xc0\xaf", "\"" FFFD FFFD "\"");		/* overlong '/' */
	JSTR("\xe0\x80\xaf", "\"" FFFD FFFD FFFD "\""); /* overlong */
	JSTR("\xed\xa0\x80", "\"" FFFD FFFD FFFD "\""); /* surrogate */
	JSTR("\xf4\x90\x80\x80", "\"" FFFD FFFD FFFD FFFD "\"");
	JSTR("\xf0\x9f\x98", "\"" FFFD "\""); /* truncated emoji */
	JSTR("\xf0\x9f\x98\"", "\"" FFFD "\\\"\"");
	JSTR("\xc3\x28", "\"" FFFD "(\"");
	JSTR("\xf8\x88\x80\x80\x80", "\"" FFFD FFFD FFFD FFFD FFFD "\"");
#undef FFFD

	/* Keys are escaped the same way. */
	struct node_doc *o = node_doc_object();
	node_doc_set(o, "k\"\n\xff", node_doc_int(1));
	assert_json(o, false, "{\"k\\\"\\n\xef\xbf\xbd\":1}");
	node_doc_free(o);
}

static void test_json_layout(void **state)
{
	(void)state;
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "name", node_doc_str("ward"));
	node_doc_set(d, "n", node_doc_int(-42));
	node_doc_set(d, "min", node_doc_int(INT64_MIN));
	node_doc_set(d, "ok", node_doc_bool(true));
	node_doc_set(d, "off", node_doc_bool(false));
	node_doc_set(d, "none", node_doc_null());
	static const uint8_t raw[] = {0x00, 0x0f, 0xab, 0xff};
	node_doc_set(d, "key", node_doc_bin(raw, sizeof raw));
	node_doc_set(d, "nokey", node_doc_bin(NULL, 0));
	node_doc_set(d, "empty", node_doc_array());
	node_doc_set(d, "obj", node_doc_object());
	struct node_doc *peers = node_doc_array();
	struct node_doc *peer = node_doc_object();
	node_doc_set(peer, "addr", node_doc_str("127.0.0.1:7000"));
	node_doc_set(peer, "up", node_doc_bool(true));
	node_doc_push(peers, peer);
	node_doc_push(peers, node_doc_push(node_doc_array(), node_doc_int(1)));
	node_doc_set(d, "peers", peers);

	assert_json(d, false,
		    "{\"name\":\"ward\",\"n\":-42,\"min\":-9223372036854775808,"
		    "\"ok\":true,\"off\":false,\"none\":null,"
		    "\"key\":\"000fabff\",\"nokey\":\"\",\"empty\":[],"
		    "\"obj\":{},\"peers\":[{\"addr\":\"127.0.0.1:7000\","
		    "\"up\":true},[1]]}");
	assert_json(d, true,
		    "{\n"
		    "  \"name\": \"ward\",\n"
		    "  \"n\": -42,\n"
		    "  \"min\": -9223372036854775808,\n"
		    "  \"ok\": true,\n"
		    "  \"off\": false,\n"
		    "  \"none\": null,\n"
		    "  \"key\": \"000fabff\",\n"
		    "  \"nokey\": \"\",\n"
		    "  \"empty\": [],\n"
		    "  \"obj\": {},\n"
		    "  \"peers\": [\n"
		    "    {\n"
		    "      \"addr\": \"127.0.0.1:7000\",\n"
		    "      \"up\": true\n"
		    "    },\n"
		    "    [\n"
		    "      1\n"
		    "    ]\n"
		    "  ]\n"
		    "}");

	/* Scalars and empty containers at the top. */
	struct node_doc *s = node_doc_int(INT64_MAX);
	assert_json(s, true, "9223372036854775807");
	node_doc_free(s);
	s = node_doc_array();
	assert_json(s, true, "[]");
	node_doc_free(s);
	s = node_doc_null();
	assert_json(s, false, "null");
	node_doc_free(s);

	/* print_json writes the same bytes as to_json. */
	for (int pretty = 0; pretty < 2; pretty++) {
		char *mem = NULL;
		size_t mem_len = 0;
		FILE *f = open_memstream(&mem, &mem_len);
		assert_non_null(f);
		node_doc_print_json(f, d, pretty);
		assert_int_equal(fclose(f), 0);
		char *want = node_doc_to_json(d, pretty);
		assert_int_equal(mem_len, strlen(want));
		assert_string_equal(mem, want);
		free(want);
		free(mem);
	}
	node_doc_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_build_and_read),
	    cmocka_unit_test(test_set_replaces_in_place),
	    cmocka_unit_test(test_strings_and_bytes),
	    cmocka_unit_test(test_equal),
	    cmocka_unit_test(test_encode_exact_bytes),
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_decode_accepts_any_form),
	    cmocka_unit_test(test_decode_rejects),
	    cmocka_unit_test(test_decode_many_keys),
	    cmocka_unit_test(test_huge_counts),
	    cmocka_unit_test(test_claimed_counts_cost_nothing),
	    cmocka_unit_test(test_depth_limit),
	    cmocka_unit_test(test_decode_random_bytes),
	    cmocka_unit_test(test_decode_mutations),
	    cmocka_unit_test(test_json_escaping),
	    cmocka_unit_test(test_json_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
