/*
 * Unit tests for the hello of net/transport.c (net_transport_hello_verify):
 * who a connection is, decided from its HELLO alone, no sockets. Issue 8,
 * finding 10: a hello that does not verify must not be pinned on the
 * member whose key it claims.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sodium.h>
#include <stdbool.h>
#include <string.h>

#include "crdt/crdt.h"
#include "net/transport.h"

#define N 3

struct net {
	uint8_t net_id[32];
	uint8_t pk[N][32], sk[N][64];
	uint8_t nonce[32];
};

static void net_init(struct net *n)
{
	assert_true(sodium_init() >= 0);
	randombytes_buf(n->net_id, 32);
	randombytes_buf(n->nonce, 32);
	for (int i = 0; i < N; i++)
		crypto_sign_keypair(n->pk[i], n->sk[i]);
}

/* The HELLO member `from` sends to listener `to`, signed with sk over
 * nonce. */
static void hello(const struct net *n, int to, const uint8_t key[32],
		  const uint8_t sk[64], const uint8_t nonce[32],
		  struct crdt_buf *b)
{
	uint8_t msg[NET_TRANSPORT_HELLO_SIGNED_BYTES], sig[64];
	net_transport_hello_signed(msg, n->net_id, n->pk[to], key, nonce);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	crdt_buf_init(b);
	crdt_pack_array(b, 4);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, 8);
	crdt_pack_bin(b, key, 32);
	crdt_pack_bin(b, sig, 64);
}

static const char *verify(const struct net *n, const struct crdt_buf *b,
			  uint32_t *member, uint8_t claimed[32],
			  bool *has_claim)
{
	return net_transport_hello_verify(
	    n->net_id, n->pk[0], (const uint8_t(*)[32])n->pk, N, 0, n->nonce,
	    b->data, b->len, member, claimed, has_claim);
}

static void test_good_hello_names_member(void **state)
{
	(void)state;
	struct net n;
	net_init(&n);
	struct crdt_buf b;
	hello(&n, 0, n.pk[2], n.sk[2], n.nonce, &b);
	uint32_t member = UINT32_MAX;
	uint8_t claimed[32];
	bool has;
	assert_null(verify(&n, &b, &member, claimed, &has));
	assert_int_equal(member, 2);
	crdt_buf_fini(&b);
}

/* Member 1's key, signed by somebody else: a forgery, or member 1 answering
 * a stale nonce. Either way nobody is named. */
static void test_bad_signature_names_nobody(void **state)
{
	(void)state;
	struct net n;
	net_init(&n);
	uint8_t opk[32], osk[64];
	crypto_sign_keypair(opk, osk);
	struct crdt_buf b;
	hello(&n, 0, n.pk[1], osk, n.nonce, &b);
	uint32_t member = UINT32_MAX;
	uint8_t claimed[32];
	bool has = false;
	assert_string_equal(verify(&n, &b, &member, claimed, &has),
			    "bad_hello_signature");
	assert_int_equal(member, UINT32_MAX);
	assert_true(has);
	assert_memory_equal(claimed, n.pk[1], 32);
	crdt_buf_fini(&b);

	/* The right key over another nonce (what a stale answer is). */
	uint8_t other[32];
	randombytes_buf(other, 32);
	hello(&n, 0, n.pk[1], n.sk[1], other, &b);
	assert_string_equal(verify(&n, &b, &member, claimed, &has),
			    "bad_hello_signature");
	assert_int_equal(member, UINT32_MAX);
	crdt_buf_fini(&b);
}

static void test_outsider_and_self(void **state)
{
	(void)state;
	struct net n;
	net_init(&n);
	uint8_t opk[32], osk[64];
	crypto_sign_keypair(opk, osk);
	struct crdt_buf b;
	uint32_t member = UINT32_MAX;
	uint8_t claimed[32];
	bool has = false;
	hello(&n, 0, opk, osk, n.nonce, &b);
	assert_string_equal(verify(&n, &b, &member, claimed, &has),
			    "not_in_roster");
	assert_int_equal(member, UINT32_MAX);
	assert_true(has);
	assert_memory_equal(claimed, opk, 32);
	crdt_buf_fini(&b);
	/* The listener's own key, validly signed, is not a peer. */
	hello(&n, 0, n.pk[0], n.sk[0], n.nonce, &b);
	assert_string_equal(verify(&n, &b, &member, claimed, &has),
			    "not_in_roster");
	assert_int_equal(member, UINT32_MAX);
	crdt_buf_fini(&b);
}

static void test_malformed_claims_nothing(void **state)
{
	(void)state;
	struct net n;
	net_init(&n);
	struct crdt_buf b;
	hello(&n, 0, n.pk[2], n.sk[2], n.nonce, &b);
	uint32_t member = UINT32_MAX;
	uint8_t claimed[32];
	bool has = true;
	for (size_t cut = 0; cut < b.len; cut++) {
		has = true;
		assert_string_equal(
		    net_transport_hello_verify(
			n.net_id, n.pk[0], (const uint8_t(*)[32])n.pk, N, 0,
			n.nonce, b.data, cut, &member, claimed, &has),
		    "malformed_hello");
		assert_false(has);
		assert_int_equal(member, UINT32_MAX);
	}
	crdt_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good_hello_names_member),
	    cmocka_unit_test(test_bad_signature_names_nobody),
	    cmocka_unit_test(test_outsider_and_self),
	    cmocka_unit_test(test_malformed_claims_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
