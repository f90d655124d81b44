/*
 * test_wire.c: unit tests for net/wire.c, the anti-entropy messages: exact
 * bytes of a DIGEST, round trips of every type, the rejections the decoder
 * promises, and a seeded loop of random and mutated bytes in which decoding
 * never crashes and whatever decodes re-encodes to the very same bytes.
 * Random tests print their seed; set WARD_SEED to replay one.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "crdt/crdt.h"
#include "net/wire.h"

#include "tests/common/testseed.h"

static void feed(struct net_wire_feed *f, uint8_t a, const char *scope,
		 uint64_t seq)
{
	memset(f, 0, sizeof(*f));
	memset(f->author, a, 32);
	strcpy(f->scope, scope);
	f->seq = seq;
	memset(f->head, a ^ 0x5a, 32);
}

/* One [body, sig] entry with a body of body_len bytes of b. */
static void entry(struct crdt_buf *out, size_t body_len, uint8_t b)
{
	uint8_t *body = malloc(body_len), sig[64];
	memset(body, b, body_len);
	memset(sig, b + 1, sizeof(sig));
	crdt_pack_array(out, 2);
	crdt_pack_bin(out, body, body_len);
	crdt_pack_bin(out, sig, 64);
	free(body);
}

static uint8_t *enc(const struct net_wire_msg *m, size_t *len)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	net_wire_encode(&b, m);
	return crdt_buf_take(&b, len);
}

/* Decodes and re-encodes: must give the same bytes. */
static void assert_roundtrip(const struct net_wire_msg *m)
{
	size_t len, len2;
	uint8_t *bytes = enc(m, &len);
	struct net_wire_msg d;
	const char *why = NULL;
	int rc = net_wire_decode(bytes, len, &d, &why);
	if (rc != 0)
		fprintf(stderr, "decode: %s\n", why);
	assert_int_equal(rc, 0);
	assert_int_equal(d.type, m->type);
	uint8_t *again = enc(&d, &len2);
	assert_int_equal(len, len2);
	assert_memory_equal(bytes, again, len);
	net_wire_msg_fini(&d);
	free(again);
	free(bytes);
}

static int decode_rc(const uint8_t *p, size_t len)
{
	struct net_wire_msg d;
	const char *why = NULL;
	int rc = net_wire_decode(p, len, &d, &why);
	if (rc == 0)
		net_wire_msg_fini(&d);
	else
		assert_non_null(why);
	return rc;
}

/* ---------------------------------------------------------------------- */

static void test_digest_bytes(void **state)
{
	(void)state;
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_DIGEST;
	memset(m.digest, 0xab, 32);
	memset(m.state, 0xcd, 32);
	size_t len;
	uint8_t *b = enc(&m, &len);
	/* [1, 1, bin8(32), bin8(32)] */
	assert_int_equal(len, 3 + 2 * (2 + 32));
	assert_int_equal(b[0], 0x94);
	assert_int_equal(b[1], 0x01);
	assert_int_equal(b[2], 0x01);
	assert_int_equal(b[3], 0xc4);
	assert_int_equal(b[4], 32);
	assert_int_equal(b[5], 0xab);
	assert_int_equal(b[37], 0xc4);
	assert_int_equal(b[38], 32);
	assert_int_equal(b[39], 0xcd);
	free(b);
	assert_roundtrip(&m);
}

static void test_roundtrip_all(void **state)
{
	(void)state;
	struct net_wire_feed f[3];
	feed(&f[0], 1, "12", 1);
	feed(&f[1], 1, "120116", 300);
	feed(&f[2], 2, "120116001", UINT64_MAX);
	struct net_wire_msg m;

	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_VECTOR;
	m.last = true;
	m.feeds = f;
	m.n_feeds = 3;
	assert_roundtrip(&m);
	m.has_after = true;
	memset(m.after_author, 0, 32);
	strcpy(m.after_scope, "13");
	m.last = false;
	assert_roundtrip(&m);
	m.n_feeds = 0;
	m.last = true;
	assert_roundtrip(&m);

	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ANNOUNCE;
	m.feeds = f;
	m.n_feeds = 3;
	assert_roundtrip(&m);

	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_PULL;
	memset(m.author, 7, 32);
	strcpy(m.scope, "120116001001");
	m.from_seq = 70000;
	m.max_entries = NET_WIRE_MAX_PULL_ENTRIES;
	assert_roundtrip(&m);

	struct crdt_buf e;
	crdt_buf_init(&e);
	entry(&e, 1, 1);
	entry(&e, 300, 2);
	entry(&e, CRDT_MAX_BODY_BYTES, 3);
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ENTRIES;
	memset(m.author, 7, 32);
	strcpy(m.scope, "12");
	m.from_seq = 5;
	m.have_seq = 9;
	m.n_entries = 3;
	m.entries = e.data;
	m.entries_len = e.len;
	assert_roundtrip(&m);
	m.n_entries = 0;
	m.entries_len = 0;
	assert_roundtrip(&m);

	/* The decoded entries are the bytes sent, in place. */
	size_t len;
	m.n_entries = 3;
	m.entries_len = e.len;
	uint8_t *b = enc(&m, &len);
	struct net_wire_msg d;
	const char *why;
	assert_int_equal(net_wire_decode(b, len, &d, &why), 0);
	assert_int_equal(d.n_entries, 3);
	assert_int_equal(d.entries_len, e.len);
	assert_memory_equal(d.entries, e.data, e.len);
	assert_int_equal(d.have_seq, 9);
	net_wire_msg_fini(&d);
	free(b);

	crdt_buf_reset(&e);
	entry(&e, 10, 1);
	size_t a_len = e.len;
	entry(&e, 11, 2);
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_FORK;
	m.a = e.data;
	m.a_len = a_len;
	m.b = e.data + a_len;
	m.b_len = e.len - a_len;
	assert_roundtrip(&m);
	m.type = NET_WIRE_DIVERGENCE;
	assert_roundtrip(&m);
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_CHECKPOINT;
	m.a = e.data;
	m.a_len = a_len;
	assert_roundtrip(&m);
	crdt_buf_fini(&e);
}

/* Encodes a raw message built by hand. */
static uint8_t *raw(size_t *len, void (*build)(struct crdt_buf *))
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	build(&b);
	return crdt_buf_take(&b, len);
}

static void b_version2(struct crdt_buf *b)
{
	crdt_pack_array(b, 3);
	crdt_pack_uint(b, 2);
	crdt_pack_uint(b, 1);
	crdt_pack_bin(b, (const uint8_t *)"0123456789abcdef0123456789abcdef",
		      32);
}

static void b_unknown(struct crdt_buf *b)
{
	crdt_pack_array(b, 4);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, 99);
	crdt_pack_cstr(b, "hello");
	crdt_pack_array(b, 1);
	crdt_pack_nil(b);
}

static void b_unsorted(struct crdt_buf *b)
{
	uint8_t a[32] = {0}, h[32] = {0};
	crdt_pack_array(b, 5);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_VECTOR);
	crdt_pack_nil(b);
	crdt_pack_bool(b, true);
	crdt_pack_array(b, 2);
	for (int i = 0; i < 2; i++) {
		crdt_pack_array(b, 4);
		crdt_pack_bin(b, a, 32);
		crdt_pack_cstr(b, "12");
		crdt_pack_uint(b, 1);
		crdt_pack_bin(b, h, 32);
	}
}

static void b_bad_scope(struct crdt_buf *b)
{
	uint8_t a[32] = {0};
	crdt_pack_array(b, 6);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_PULL);
	crdt_pack_bin(b, a, 32);
	crdt_pack_cstr(b, "120000"); /* padded, not canonical */
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, 1);
}

static void b_pull_zero(struct crdt_buf *b)
{
	uint8_t a[32] = {0};
	crdt_pack_array(b, 6);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_PULL);
	crdt_pack_bin(b, a, 32);
	crdt_pack_cstr(b, "12");
	crdt_pack_uint(b, 0);
	crdt_pack_uint(b, 1);
}

static void b_pull_huge(struct crdt_buf *b)
{
	uint8_t a[32] = {0};
	crdt_pack_array(b, 6);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_PULL);
	crdt_pack_bin(b, a, 32);
	crdt_pack_cstr(b, "12");
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_MAX_PULL_ENTRIES + 1);
}

static void b_entries_liar(struct crdt_buf *b)
{
	uint8_t a[32] = {0};
	crdt_pack_array(b, 7);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_ENTRIES);
	crdt_pack_bin(b, a, 32);
	crdt_pack_cstr(b, "12");
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, 1);
	crdt_pack_array(b, 0xffffffffu); /* claims 4 billion entries */
	entry(b, 5, 1);
}

static void b_entry_short_sig(struct crdt_buf *b)
{
	uint8_t a[32] = {0}, sig[63] = {0};
	crdt_pack_array(b, 7);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_ENTRIES);
	crdt_pack_bin(b, a, 32);
	crdt_pack_cstr(b, "12");
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, 1);
	crdt_pack_array(b, 1);
	crdt_pack_array(b, 2);
	crdt_pack_bin(b, a, 32);
	crdt_pack_bin(b, sig, 63);
}

static void b_empty_announce(struct crdt_buf *b)
{
	crdt_pack_array(b, 3);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, NET_WIRE_ANNOUNCE);
	crdt_pack_array(b, 0);
}

static void test_rejects(void **state)
{
	(void)state;
	static const struct {
		void (*build)(struct crdt_buf *);
		int rc;
	} cases[] = {
	    {b_version2, -EPROTO},	   {b_unsorted, -EBADMSG},
	    {b_bad_scope, -EBADMSG},	   {b_pull_zero, -EBADMSG},
	    {b_pull_huge, -EBADMSG},	   {b_entries_liar, -EBADMSG},
	    {b_entry_short_sig, -EBADMSG}, {b_empty_announce, -EBADMSG},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		uint8_t *b = raw(&len, cases[i].build);
		assert_int_equal(decode_rc(b, len), cases[i].rc);
		free(b);
	}

	/* An unknown type of version 1 decodes as such. */
	size_t len;
	uint8_t *b = raw(&len, b_unknown);
	struct net_wire_msg d;
	const char *why;
	assert_int_equal(net_wire_decode(b, len, &d, &why), 0);
	assert_int_equal(d.type, NET_WIRE_UNKNOWN);
	net_wire_msg_fini(&d);
	free(b);

	/* PING is exactly 92 01 0b, and nothing may follow its type. */
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_PING;
	b = enc(&m, &len);
	const uint8_t ping[] = {0x92, 0x01, 0x0b};
	assert_int_equal(len, sizeof(ping));
	assert_memory_equal(b, ping, sizeof(ping));
	assert_int_equal(net_wire_decode(b, len, &d, &why), 0);
	assert_int_equal(d.type, NET_WIRE_PING);
	net_wire_msg_fini(&d);
	free(b);
	const uint8_t ping3[] = {0x93, 0x01, 0x0b, 0xc0};
	assert_int_equal(decode_rc(ping3, sizeof(ping3)), -EBADMSG);

	/* Trailing byte, truncation, non-shortest integer, a map. */
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_DIGEST;
	b = enc(&m, &len);
	uint8_t *t = malloc(len + 1);
	memcpy(t, b, len);
	t[len] = 0;
	assert_int_equal(decode_rc(t, len + 1), -EBADMSG);
	assert_int_equal(decode_rc(t, len - 1), -EBADMSG);
	assert_int_equal(decode_rc(t, 0), -EBADMSG);
	free(t);
	uint8_t longint[] = {0x93, 0xcc, 0x01, 0x01, 0xc4, 0x00};
	assert_int_equal(decode_rc(longint, sizeof(longint)), -EBADMSG);
	uint8_t map[] = {0x81, 0x01, 0x01};
	assert_int_equal(decode_rc(map, sizeof(map)), -EBADMSG);
	free(b);

	/* Larger than 1 MiB, even if well formed otherwise. */
	uint8_t *big = calloc(1, NET_WIRE_MAX_MSG_BYTES + 1);
	big[0] = 0x93;
	assert_int_equal(decode_rc(big, NET_WIRE_MAX_MSG_BYTES + 1), -EBADMSG);
	free(big);

	/* A VECTOR feed at or before its chunk's bound. */
	struct net_wire_feed f;
	feed(&f, 1, "12", 1);
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_VECTOR;
	m.has_after = true;
	memset(m.after_author, 1, 32);
	strcpy(m.after_scope, "12");
	m.last = true;
	m.feeds = &f;
	m.n_feeds = 1;
	b = enc(&m, &len);
	assert_int_equal(decode_rc(b, len), -EBADMSG);
	free(b);
}

static void test_feed_order(void **state)
{
	(void)state;
	uint8_t a[32] = {0}, b[32] = {0};
	b[31] = 1;
	assert_true(net_wire_feed_cmp(a, "12", a, "12") == 0);
	assert_true(net_wire_feed_cmp(a, "12", a, "1201") < 0);
	assert_true(net_wire_feed_cmp(a, "13", a, "1201") > 0);
	assert_true(net_wire_feed_cmp(a, "99", b, "12") < 0);
}

/* Valid messages of every type to mutate. */
static size_t corpus(uint8_t **msgs, size_t *lens, uint64_t *s)
{
	size_t n = 0;
	struct net_wire_feed f[4];
	struct net_wire_msg m;
	struct crdt_buf e;
	static const char *scopes[] = {"12", "1201", "120116", "120116001"};
	for (int i = 0; i < 4; i++)
		feed(&f[i], (uint8_t)(i / 2), scopes[i],
		     splitmix64(s) % 100000);

	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_DIGEST;
	msgs[n] = enc(&m, &lens[n]), n++;
	m.type = NET_WIRE_VECTOR;
	m.feeds = f;
	m.n_feeds = 4;
	m.last = true;
	msgs[n] = enc(&m, &lens[n]), n++;
	m.type = NET_WIRE_ANNOUNCE;
	msgs[n] = enc(&m, &lens[n]), n++;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_PULL;
	strcpy(m.scope, "120116");
	m.from_seq = 3;
	m.max_entries = 100;
	msgs[n] = enc(&m, &lens[n]), n++;
	crdt_buf_init(&e);
	entry(&e, 40, 1);
	entry(&e, 3, 2);
	m.type = NET_WIRE_ENTRIES;
	m.have_seq = 10;
	m.n_entries = 2;
	m.entries = e.data;
	m.entries_len = e.len;
	msgs[n] = enc(&m, &lens[n]), n++;
	crdt_buf_fini(&e);
	return n;
}

static void test_decode_random_and_mutated(void **state)
{
	(void)state;
	uint64_t s = test_seed("test_decode_random_and_mutated");
	uint8_t *msgs[8];
	size_t lens[8];
	size_t n = corpus(msgs, lens, &s);
	uint8_t buf[1024];
	unsigned decoded = 0;

	for (unsigned iter = 0; iter < 300000; iter++) {
		size_t len;
		uint64_t r = splitmix64(&s);
		if (r % 8 == 0) { /* random bytes, array-ish start */
			len = splitmix64(&s) % 64;
			for (size_t i = 0; i < len; i++)
				buf[i] = (uint8_t)splitmix64(&s);
			if (len > 2 && r % 16 == 0) {
				buf[0] = 0x93 + (uint8_t)(r % 5);
				buf[1] = 1;
			}
		} else { /* a valid message, mutated a few times */
			size_t k = (size_t)(r >> 8) % n;
			len = lens[k];
			memcpy(buf, msgs[k], len);
			int muts = 1 + (int)(splitmix64(&s) % 4);
			for (int j = 0; j < muts && len > 0; j++) {
				uint64_t x = splitmix64(&s);
				size_t at = (size_t)(x >> 16) % len;
				switch (x % 5) {
				case 0:
					buf[at] ^=
					    (uint8_t)(1u << (x >> 8) % 8);
					break;
				case 1:
					buf[at] = (uint8_t)(x >> 24);
					break;
				case 2:
					len = at;
					break; /* truncate */
				case 3:	       /* insert a byte */
					if (len < sizeof(buf)) {
						memmove(buf + at + 1, buf + at,
							len - at);
						buf[at] = (uint8_t)(x >> 32);
						len++;
					}
					break;
				default: /* interesting byte */
					buf[at] = (uint8_t[]){0x00, 0x7f, 0xc0,
							      0xc4, 0xdc, 0xdd,
							      0xff, 0x90}[(x >>
									   8) %
									  8];
				}
			}
		}
		/* Copy so that ASan catches any read past len. */
		uint8_t *p = malloc(len ? len : 1);
		memcpy(p, buf, len);
		struct net_wire_msg d;
		const char *why = NULL;
		int rc = net_wire_decode(p, len, &d, &why);
		if (rc == 0) {
			decoded++;
			if (d.type != NET_WIRE_UNKNOWN) {
				size_t len2;
				uint8_t *again = enc(&d, &len2);
				if (len2 != len || memcmp(again, p, len) != 0)
					fail_msg("iteration %u: decoded "
						 "message re-encodes "
						 "differently",
						 iter);
				free(again);
			}
			net_wire_msg_fini(&d);
		} else {
			assert_true(rc == -EBADMSG || rc == -EPROTO);
			assert_non_null(why);
		}
		free(p);
	}
	printf("decoded %u of 300000 random or mutated messages\n", decoded);
	assert_true(decoded > 0);
	for (size_t i = 0; i < n; i++)
		free(msgs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest_bytes),
	    cmocka_unit_test(test_roundtrip_all),
	    cmocka_unit_test(test_rejects),
	    cmocka_unit_test(test_feed_order),
	    cmocka_unit_test(test_decode_random_and_mutated),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
