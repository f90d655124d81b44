/*
 * test_proofs.c: unit tests for node/ledger/proofs.c. Checked: a checkpoint
 * verifies and any changed byte, or a signer outside the roster, makes it
 * fail; a peer's checkpoint of the same vector and state is consistent, of
 * another vector is not comparable, and of the same vector with another
 * digest makes a divergence proof that is kept once; fork and divergence
 * proofs from peers are checked in full (different feeds or seqs, one
 * entry twice, bad signatures, agreeing checkpoints are refused) and kept
 * once, and more about a feed seq or pair already proved is dropped
 * unchecked; each proof is visited by kind.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "crdt/crdt.h"
#include "node/ledger/ledger.h"
#include "node/ledger/proofs.h"
#include "node/ledger/roster.h"
#include "node/store/kv.h"
#include "tests/common/testnode.h"

enum { A, B, C, N_MEMBERS };
static uint8_t pk[N_MEMBERS + 1][32], sk[N_MEMBERS + 1][64]; /* +1: stranger */
static uint8_t *roster;
static size_t roster_len;
static uint8_t net_id[32];
static char empty[] = "";
static char names[N_MEMBERS][8] = {"a", "b", "c"};
#define SCOPE "120116"

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	struct node_member m[N_MEMBERS];
	memset(m, 0, sizeof(m));
	for (int i = 0; i <= N_MEMBERS; i++) {
		uint8_t s[32];
		memset(s, 0x60 + i, sizeof(s));
		crypto_sign_seed_keypair(pk[i], sk[i], s);
		if (i == N_MEMBERS)
			break;
		memcpy(m[i].key, pk[i], 32);
		m[i].role = NODE_ROLE_HEALTH;
		m[i].name = names[i];
		snprintf(m[i].scope, sizeof(m[i].scope), "%s", SCOPE);
		m[i].address = empty;
		m[i].cert_pem = empty;
	}
	if (node_roster_build_genesis(m, N_MEMBERS, pk[A], sk[A], &roster,
				      &roster_len) != 0)
		return -1;
	struct node_roster *r;
	enum node_msg why = MSG_NONE;
	if (node_roster_decode(roster, roster_len, &r, &why) != 0)
		return -1;
	memcpy(net_id, r->body_hash, 32);
	node_roster_free(r);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(roster);
	return 0;
}

struct node {
	struct node_kv *kv;
	struct node_ledger *l;
};

static void node_up(struct node *n)
{
	test_node_open(&n->kv, &n->l, roster, roster_len);
}

static void node_down(struct node *n)
{
	test_node_close(n->kv, n->l);
}

/* Entry seq of feed (who, scope) creating a record of type, chained to
 * prev; its hash into hash. */
static void make_entry_in(int who, const char *scope, uint64_t seq,
			  const uint8_t prev[32], const char *type,
			  struct crdt_buf *wire, uint8_t hash[32])
{
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_CREATE;
	op.name = type;
	op.name_len = strlen(type);
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, pk[who], 32);
	snprintf(e.scope, sizeof(e.scope), "%s", scope);
	e.seq = seq;
	memcpy(e.prev, prev, 32);
	e.hlc = (1700000000000ull + seq) << 16;
	e.roster_version = 1;
	e.n_ops = 1;
	e.ops = &op;
	crdt_entity_id(op.entity, e.author, e.scope, e.seq, 0);
	struct crdt_buf body;
	crdt_buf_init(&body);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	crdt_entry_sign(sig, net_id, body.data, body.len, sk[who]);
	crdt_buf_reset(wire);
	crdt_entry_encode_wire(wire, body.data, body.len, sig);
	crdt_entry_hash(hash, body.data, body.len, sig);
	crdt_buf_fini(&body);
}

static void make_entry(int who, uint64_t seq, const uint8_t prev[32],
		       const char *type, struct crdt_buf *wire,
		       uint8_t hash[32])
{
	make_entry_in(who, SCOPE, seq, prev, type, wire, hash);
}

static int ingest(struct node *n, const struct crdt_buf *w)
{
	enum node_ingest res;
	enum node_msg why = MSG_NONE;
	struct node_txn *t = node_ledger_begin(n->l);
	int rc = node_txn_ingest(t, w->data, w->len, false, &res, &why);
	assert_int_equal(node_txn_commit(t, true), 0);
	return rc;
}

/* The signed message of a checkpoint body. */
static void cp_sign(const uint8_t *body, size_t len, int who, uint8_t sig[64])
{
	static const char prefix[] = "ward-checkpoint-v1";
	size_t n = sizeof(prefix) - 1 + 32 + len;
	uint8_t *m = malloc(n);
	memcpy(m, prefix, sizeof(prefix) - 1);
	memcpy(m + sizeof(prefix) - 1, net_id, 32);
	memcpy(m + sizeof(prefix) - 1 + 32, body, len);
	crypto_sign_detached(sig, NULL, m, n, sk[who]);
	free(m);
}

/* A copy of checkpoint cp with its digest (the body's last 32 bytes)
 * changed and signed again by `who`, or the signature only changed when
 * digest_too is false. */
static void cp_alter(const struct crdt_buf *cp, int who, bool digest_too,
		     struct crdt_buf *out)
{
	struct crdt_mp_cursor c;
	const uint8_t *body, *sig;
	size_t n, blen, slen;
	crdt_mp_cursor_init(&c, cp->data, cp->len, true);
	assert_int_equal(crdt_mp_read_array(&c, &n), 0);
	assert_int_equal(crdt_mp_read_bin(&c, &body, &blen), 0);
	assert_int_equal(crdt_mp_read_bin(&c, &sig, &slen), 0);
	uint8_t *b = malloc(blen), s[64];
	memcpy(b, body, blen);
	if (digest_too)
		b[blen - 1] ^= 0x01;
	cp_sign(b, blen, who, s);
	crdt_buf_reset(out);
	crdt_pack_array(out, 2);
	crdt_pack_bin(out, b, blen);
	crdt_pack_bin(out, s, 64);
	free(b);
}

static void test_checkpoint_verifies(void **state)
{
	(void)state;
	struct node a;
	node_up(&a);
	struct crdt_buf w, cp, bad;
	uint8_t h[32], zero[32] = {0};
	crdt_buf_init(&w);
	crdt_buf_init(&cp);
	crdt_buf_init(&bad);
	make_entry(A, 1, zero, "patient", &w, h);
	assert_int_equal(ingest(&a, &w), 0);
	assert_int_equal(node_checkpoint_make(a.l, pk[A], sk[A], &cp), 0);
	struct node_checkpoint ck;
	enum node_msg why = MSG_NONE;
	assert_int_equal(node_checkpoint_check(a.l, cp.data, cp.len, &ck, &why),
			 0);
	assert_memory_equal(ck.node, pk[A], 32);
	assert_int_equal(ck.n_feeds, 1);
	assert_int_equal(ck.roster_version, 1);
	uint8_t d[32];
	node_ledger_digest(a.l, d);
	assert_memory_equal(ck.digest, d, 32);
	/* Every changed byte fails (structure or signature). */
	for (size_t i = 0; i < cp.len; i++) {
		crdt_buf_reset(&bad);
		crdt_buf_append(&bad, cp.data, cp.len);
		bad.data[i] ^= 0x01;
		assert_int_equal(node_checkpoint_check(a.l, bad.data, bad.len,
						       &ck, &why),
				 -EBADMSG);
		assert_int_not_equal(why, MSG_NONE);
	}
	/* Signed by a key outside the roster. */
	cp_alter(&cp, N_MEMBERS, false, &bad);
	assert_int_equal(
	    node_checkpoint_check(a.l, bad.data, bad.len, &ck, &why),
	    -EBADMSG);
	crdt_buf_fini(&w);
	crdt_buf_fini(&cp);
	crdt_buf_fini(&bad);
	node_down(&a);
}

static void test_divergence_found_and_kept_once(void **state)
{
	(void)state;
	struct node a, b, c;
	node_up(&a);
	node_up(&b);
	node_up(&c);
	struct crdt_buf w, cp_a, cp_b, forged, proof_a, proof_b;
	uint8_t h[32], zero[32] = {0};
	crdt_buf_init(&w);
	crdt_buf_init(&cp_a);
	crdt_buf_init(&cp_b);
	crdt_buf_init(&forged);
	make_entry(A, 1, zero, "patient", &w, h);
	assert_int_equal(ingest(&a, &w), 0);
	assert_int_equal(ingest(&b, &w), 0);
	enum node_msg why = MSG_NONE;
	/* Same entries, same state: consistent. */
	assert_int_equal(node_checkpoint_make(a.l, pk[A], sk[A], &cp_a), 0);
	assert_int_equal(node_checkpoint_seen(b.l, pk[B], sk[B], cp_a.data,
					      cp_a.len, &why),
			 0);
	assert_int_equal(node_proofs_count(b.l), 0);
	/* Another vector (c holds nothing): not comparable. */
	assert_int_equal(node_checkpoint_seen(c.l, pk[C], sk[C], cp_a.data,
					      cp_a.len, &why),
			 0);
	assert_int_equal(node_proofs_count(c.l), 0);
	/* A checks in with the same vector and another digest. */
	cp_alter(&cp_a, A, true, &forged);
	assert_int_equal(node_checkpoint_seen(b.l, pk[B], sk[B], forged.data,
					      forged.len, &why),
			 1);
	assert_int_equal(node_proofs_count(b.l), 1);
	assert_int_equal(node_checkpoint_seen(b.l, pk[B], sk[B], forged.data,
					      forged.len, &why),
			 0);
	assert_int_equal(node_proofs_count(b.l), 1);
	/* A bad checkpoint is refused outright. */
	forged.data[forged.len - 1] ^= 0x01;
	assert_int_equal(node_checkpoint_seen(b.l, pk[B], sk[B], forged.data,
					      forged.len, &why),
			 -EBADMSG);
	forged.data[forged.len - 1] ^= 0x01;

	/* The proof travels: c checks it in full and keeps it once. */
	crdt_buf_init(&proof_a);
	crdt_buf_init(&proof_b);
	cp_alter(&cp_a, A, true, &proof_a);
	assert_int_equal(node_checkpoint_make(b.l, pk[B], sk[B], &cp_b), 0);
	assert_int_equal(node_proof_add(c.l, NODE_PROOF_DIVERGENCE,
					proof_a.data, proof_a.len, cp_b.data,
					cp_b.len, &why),
			 1);
	assert_int_equal(node_proof_add(c.l, NODE_PROOF_DIVERGENCE, cp_b.data,
					cp_b.len, proof_a.data, proof_a.len,
					&why),
			 0);
	assert_int_equal(node_proofs_count(c.l), 1);
	/* Once a pair is proved, more about it is dropped unchecked. */
	assert_int_equal(node_proof_add(c.l, NODE_PROOF_DIVERGENCE, cp_a.data,
					cp_a.len, cp_b.data, cp_b.len, &why),
			 0);
	/* Checkpoints that agree prove nothing; nor do two of one node (a
	 * holds no proof of the pair). */
	assert_int_equal(node_proof_add(a.l, NODE_PROOF_DIVERGENCE, cp_a.data,
					cp_a.len, cp_b.data, cp_b.len, &why),
			 -EBADMSG);
	assert_int_equal(node_proof_add(a.l, NODE_PROOF_DIVERGENCE, cp_a.data,
					cp_a.len, proof_a.data, proof_a.len,
					&why),
			 -EBADMSG);
	/* Nor does a forged signature. */
	proof_a.data[proof_a.len - 1] ^= 0x01;
	assert_int_equal(node_proof_add(a.l, NODE_PROOF_DIVERGENCE,
					proof_a.data, proof_a.len, cp_b.data,
					cp_b.len, &why),
			 -EBADMSG);
	proof_a.data[proof_a.len - 1] ^= 0x01;
	/* Checkpoints of different vectors prove nothing either. */
	make_entry(A, 2, h, "patient", &w, h);
	assert_int_equal(ingest(&b, &w), 0);
	crdt_buf_reset(&cp_b);
	assert_int_equal(node_checkpoint_make(b.l, pk[B], sk[B], &cp_b), 0);
	assert_int_equal(node_proof_add(a.l, NODE_PROOF_DIVERGENCE,
					proof_a.data, proof_a.len, cp_b.data,
					cp_b.len, &why),
			 -EBADMSG);
	assert_int_equal(node_proofs_count(a.l), 0);

	crdt_buf_fini(&w);
	crdt_buf_fini(&cp_a);
	crdt_buf_fini(&cp_b);
	crdt_buf_fini(&forged);
	crdt_buf_fini(&proof_a);
	crdt_buf_fini(&proof_b);
	node_down(&a);
	node_down(&b);
	node_down(&c);
}

struct seen {
	int forks, divergences;
};

static int count_kinds(void *arg, enum node_proof_kind kind,
		       const uint8_t *a, size_t a_len, const uint8_t *b,
		       size_t b_len)
{
	struct seen *s = arg;
	assert_true(a_len > 0 && b_len > 0 && a && b);
	if (kind == NODE_PROOF_FORK)
		s->forks++;
	else
		s->divergences++;
	return 0;
}

static void test_fork_proof_checked_and_kept_once(void **state)
{
	(void)state;
	struct node a, b;
	node_up(&a);
	node_up(&b);
	struct crdt_buf e1, e1x, e2;
	uint8_t h1[32], h1x[32], h2[32], zero[32] = {0};
	crdt_buf_init(&e1);
	crdt_buf_init(&e1x);
	crdt_buf_init(&e2);
	make_entry(C, 1, zero, "patient", &e1, h1);
	make_entry(C, 1, zero, "guardian", &e1x, h1x); /* C equivocates */
	make_entry(C, 2, h1, "patient", &e2, h2);
	/* a sees both: the ledger keeps the proof. */
	assert_int_equal(ingest(&a, &e1), 0);
	assert_int_equal(ingest(&a, &e1x), -EEXIST);
	assert_int_equal(node_proofs_count(a.l), 1);
	enum node_msg why = MSG_NONE;
	/* b is told. */
	assert_int_equal(node_proof_add(b.l, NODE_PROOF_FORK, e1.data, e1.len,
					e1x.data, e1x.len, &why),
			 1);
	assert_int_equal(node_proof_add(b.l, NODE_PROOF_FORK, e1x.data,
					e1x.len, e1.data, e1.len, &why),
			 0);
	/* Not proofs, at a node holding none: one entry twice, different
	 * seqs, a bad signature. */
	struct node c;
	node_up(&c);
	assert_int_equal(node_proof_add(c.l, NODE_PROOF_FORK, e1.data, e1.len,
					e1.data, e1.len, &why),
			 -EBADMSG);
	assert_int_equal(node_proof_add(c.l, NODE_PROOF_FORK, e1.data, e1.len,
					e2.data, e2.len, &why),
			 -EBADMSG);
	e1x.data[e1x.len - 1] ^= 0x01;
	assert_int_equal(node_proof_add(c.l, NODE_PROOF_FORK, e1.data, e1.len,
					e1x.data, e1x.len, &why),
			 -EBADMSG);
	assert_int_equal(node_proofs_count(c.l), 0);
	node_down(&c);
	assert_int_equal(node_proofs_count(b.l), 1);

	/* With a divergence proof as well, each is visited by kind. */
	struct crdt_buf cp, alt;
	crdt_buf_init(&cp);
	crdt_buf_init(&alt);
	assert_int_equal(node_checkpoint_make(b.l, pk[A], sk[A], &cp), 0);
	cp_alter(&cp, A, true, &alt);
	assert_int_equal(node_checkpoint_seen(b.l, pk[B], sk[B], alt.data,
					      alt.len, &why),
			 1);
	struct seen s = {0, 0};
	assert_int_equal(node_proofs_each(b.l, count_kinds, &s), 2);
	assert_int_equal(s.forks, 1);
	assert_int_equal(s.divergences, 1);
	crdt_buf_fini(&cp);
	crdt_buf_fini(&alt);
	crdt_buf_fini(&e1);
	crdt_buf_fini(&e1x);
	crdt_buf_fini(&e2);
	node_down(&a);
	node_down(&b);
}

/* One fork proof per author proves it a forker; more add nothing, cost a
 * key lookup (no signature check) and are not kept, whoever sends them. */
static void test_one_fork_proof_per_author(void **state)
{
	(void)state;
	struct node a, b;
	node_up(&a);
	node_up(&b);
	struct crdt_buf e1, e1x, e2, e2x;
	uint8_t h1[32], h1x[32], h2[32], h2x[32], zero[32] = {0};
	crdt_buf_init(&e1);
	crdt_buf_init(&e1x);
	crdt_buf_init(&e2);
	crdt_buf_init(&e2x);
	make_entry(C, 1, zero, "patient", &e1, h1);
	make_entry(C, 1, zero, "guardian", &e1x, h1x);
	make_entry(C, 2, h1, "patient", &e2, h2);
	make_entry(C, 2, h1, "guardian", &e2x, h2x);
	assert_int_equal(ingest(&a, &e1), 0);
	assert_int_equal(ingest(&a, &e1x), -EEXIST);
	assert_int_equal(ingest(&a, &e2), 0);
	assert_int_equal(ingest(&a, &e2x), -EEXIST);
	assert_int_equal(node_proofs_count(a.l), 1); /* the ledger's */
	enum node_msg why = MSG_NONE;
	assert_int_equal(node_proof_add(b.l, NODE_PROOF_FORK, e2.data, e2.len,
					e2x.data, e2x.len, &why),
			 1);
	assert_int_equal(node_proof_add(b.l, NODE_PROOF_FORK, e1.data, e1.len,
					e1x.data, e1x.len, &why),
			 0);
	e1x.data[e1x.len - 1] ^= 0x01; /* not even checked */
	assert_int_equal(node_proof_add(b.l, NODE_PROOF_FORK, e1.data, e1.len,
					e1x.data, e1x.len, &why),
			 0);
	assert_int_equal(node_proofs_count(b.l), 1);
	crdt_buf_fini(&e1);
	crdt_buf_fini(&e1x);
	crdt_buf_fini(&e2);
	crdt_buf_fini(&e2x);
	node_down(&a);
	node_down(&b);
}

/* An author may have NODE_LEDGER_MAX_FEEDS_PER_AUTHOR feeds: the entry
 * that would start one more is refused (-EDQUOT) and nothing is stored,
 * while its existing feeds go on. */
static void test_feeds_per_author_capped(void **state)
{
	(void)state;
	struct node a;
	node_up(&a);
	struct crdt_buf e;
	uint8_t h[32], first[32], zero[32] = {0};
	crdt_buf_init(&e);
	for (unsigned i = 0; i <= NODE_LEDGER_MAX_FEEDS_PER_AUTHOR; i++) {
		char scope[13];
		snprintf(scope, sizeof(scope), "1201%02u%03u", 10 + i / 999,
			 i % 999 + 1); /* canonical: no all-zero level */
		make_entry_in(C, scope, 1, zero, "patient", &e, h);
		if (i == 0)
			memcpy(first, h, 32);
		int rc = ingest(&a, &e);
		if (i < NODE_LEDGER_MAX_FEEDS_PER_AUTHOR)
			assert_int_equal(rc, 0);
		else
			assert_int_equal(rc, -EDQUOT);
	}
	uint64_t n = node_ledger_entry_count(a.l);
	assert_int_equal(n, NODE_LEDGER_MAX_FEEDS_PER_AUTHOR);
	/* The first feed still grows; another author is not affected. */
	make_entry_in(C, "120110001", 2, first, "patient", &e, h);
	assert_int_equal(ingest(&a, &e), 0);
	make_entry_in(A, "120116", 1, zero, "patient", &e, h);
	assert_int_equal(ingest(&a, &e), 0);
	crdt_buf_fini(&e);
	node_down(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_checkpoint_verifies),
	    cmocka_unit_test(test_divergence_found_and_kept_once),
	    cmocka_unit_test(test_fork_proof_checked_and_kept_once),
	    cmocka_unit_test(test_one_fork_proof_per_author),
	    cmocka_unit_test(test_feeds_per_author_capped),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
