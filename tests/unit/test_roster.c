/*
 * test_roster: roster versions (DESIGN.md sections 3 and 4).
 *
 *  (a) a chain of three versions verifies; each bad input at the chain's
 *      door is refused with its reason and changes nothing: a signature by
 *      a non-admin, over another body, too few signatures, a threshold of
 *      0, above the admins or not above half of them, no admin left, two
 *      versions with one number, a gap, a prev naming another body;
 *  (b) an entry naming a version not yet held waits (-EAGAIN) and applies
 *      once it arrives; a member added in version 2 is an unknown author
 *      in entries naming version 1;
 *  (c) an entry is judged under the version it names: a role change in a
 *      later version does not change an earlier entry's verdict;
 *  (d) a revocation bound applies under the newest roster: entries past it
 *      lose their effect when it arrives, and the state and digest equal
 *      those of a node that held the bound before the entries, whatever
 *      version the entries name; a crash while judging again is finished
 *      at the next open;
 *  (e) proposals: one signature of a threshold of two is not in force, a
 *      second puts it in force; signatures merge; a signature by a
 *      non-admin or over another body is refused; an admin refuses to sign
 *      a second body; two bodies signed by one admin make a proof, and the
 *      lowest id reaching the threshold stands;
 *  (g) schema versions: an entry naming a roster version whose schema
 *      this build lacks waits, an older one is judged; the node refuses to
 *      write or sign, and says to upgrade;
 *  (f) gossip: ROSTER encodes and decodes (and a malformed one does not);
 *      a proposal made at one node reaches another, whose signature puts
 *      it in force at both; a node that comes up at version 1 gets version
 *      2 from a peer; a peer sending an invalid roster is disconnected;
 *      two bodies of one version in force at two nodes (an admin signed
 *      both): when they meet the lowest id stands at both.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "crdt/crdt.h"
#include "node/ledger/ledger.h"
#include "node/ledger/proofs.h"
#include "node/ledger/proposal.h"
#include "node/ledger/replica.h"
#include "net/gossip.h"
#include "net/wire.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/store/kv.h"

/* 0 health, 1 township, 2 police: the three admins of genesis (threshold
 * 2); 3 auditor, added in version 2; 4 a stranger. */
enum { HEALTH, TOWNSHIP, POLICE, AUDITOR, STRANGER, N_KEYS };
static uint8_t pk[N_KEYS][32], sk[N_KEYS][64];
static char empty[] = "";
static char names[N_KEYS][16] = {"health", "township", "police", "auditor",
				 "stranger"};
static const enum node_role roles[N_KEYS] = {
    NODE_ROLE_HEALTH, NODE_ROLE_TOWNSHIP, NODE_ROLE_POLICE, NODE_ROLE_AUDITOR,
    NODE_ROLE_HEALTH};
#define SCOPE "120116001"

static struct node_roster *decode(const uint8_t *w, size_t n)
{
	struct node_roster *r;
	enum node_msg why = MSG_NONE;
	int rc = node_roster_decode(w, n, &r, &why);
	if (rc)
		fprintf(stderr, "decode: %s\n",
			node_catalog_text(NODE_LANG_EN, why));
	assert_int_equal(rc, 0);
	return r;
}

/* Encodes r's body and signs it with the keys listed (-1 ends). */
static uint8_t *sign_roster(const struct node_roster *r, const int *who,
			    size_t *len)
{
	struct crdt_buf body, out;
	crdt_buf_init(&body);
	crdt_buf_init(&out);
	node_roster_encode_body(&body, r);
	uint8_t keys[8][32], sigs[8][64];
	size_t n = 0;
	for (; who[n] >= 0; n++) {
		memcpy(keys[n], pk[who[n]], 32);
		node_roster_sign(body.data, body.len, sk[who[n]], sigs[n]);
	}
	node_roster_assemble(&out, body.data, body.len, n,
			     (const uint8_t(*)[32])keys,
			     (const uint8_t(*)[64])sigs);
	crdt_buf_fini(&body);
	return crdt_buf_take(&out, len);
}

static void add_member(struct node_roster *r, int who, const char *scope)
{
	r->members =
	    realloc(r->members, (r->n_members + 1) * sizeof(*r->members));
	assert_non_null(r->members);
	struct node_member *m = &r->members[r->n_members++];
	memset(m, 0, sizeof(*m));
	memcpy(m->key, pk[who], 32);
	m->role = roles[who];
	m->name = strdup(names[who]);
	snprintf(m->scope, sizeof(m->scope), "%s", scope);
	m->address = strdup("");
	m->cert_pem = strdup("");
}

static void set_admins(struct node_roster *r, const int *who, uint64_t k)
{
	size_t n = 0;
	while (who[n] >= 0)
		n++;
	free(r->admins);
	r->admins = calloc(n ? n : 1, 32);
	for (size_t i = 0; i < n; i++)
		memcpy(r->admins[i], pk[who[i]], 32);
	r->n_admins = n;
	r->threshold = k;
}

/* A successor of prev: version + 1, prev = its body hash (change it
 * after). */
static struct node_roster *next_of(const uint8_t *w, size_t n)
{
	struct node_roster *r = decode(w, n);
	r->version++;
	r->has_prev = true;
	memcpy(r->prev, r->body_hash, 32);
	return r;
}

static const int ADMINS3[] = {HEALTH, TOWNSHIP, POLICE, -1};
static const int SIG_HT[] = {HEALTH, TOWNSHIP, -1};
static const int SIG_HP[] = {HEALTH, POLICE, -1};
static const int SIG_H[] = {HEALTH, -1};

static uint8_t *g_wire, *v2_wire, *v3_wire;
static size_t g_len, v2_len, v3_len;

/* Genesis: health, township, police; admins all three, threshold 2.
 * Version 2 adds the auditor. Version 3 makes police a civil member and
 * revokes township's feed SCOPE after seq 2. */
static void build_chain(void)
{
	struct node_member m[3];
	memset(m, 0, sizeof(m));
	for (int i = 0; i < 3; i++) {
		memcpy(m[i].key, pk[i], 32);
		m[i].role = roles[i];
		m[i].name = names[i];
		snprintf(m[i].scope, sizeof(m[i].scope), "%s",
			 i == TOWNSHIP ? SCOPE : "120116");
		m[i].address = empty;
		m[i].cert_pem = empty;
	}
	uint8_t *w;
	size_t n;
	node_roster_build_genesis(m, 3, pk[HEALTH], sk[HEALTH], &w, &n);
	struct node_roster *g = decode(w, n);
	free(w);
	set_admins(g, ADMINS3, 2);
	g_wire = sign_roster(g, SIG_HT, &g_len);
	node_roster_free(g);

	struct node_roster *r = next_of(g_wire, g_len);
	add_member(r, AUDITOR, "120116");
	v2_wire = sign_roster(r, SIG_HP, &v2_len);
	node_roster_free(r);

	r = next_of(v2_wire, v2_len);
	r->members[POLICE].role = NODE_ROLE_CIVIL;
	struct node_member *t = &r->members[TOWNSHIP];
	t->revoked = calloc(1, sizeof(*t->revoked));
	snprintf(t->revoked[0].scope, 13, "%s", SCOPE);
	t->revoked[0].seq = 2;
	t->n_revoked = 1;
	v3_wire = sign_roster(r, SIG_HT, &v3_len);
	node_roster_free(r);
}

static uint8_t *chain_of(const uint8_t *const *w, const size_t *n, size_t k,
			 size_t *len)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, k);
	for (size_t i = 0; i < k; i++)
		crdt_buf_append(&b, w[i], n[i]);
	return crdt_buf_take(&b, len);
}

static int setup(void **state)
{
	(void)state;
	for (int i = 0; i < N_KEYS; i++) {
		uint8_t s[32];
		memset(s, 0x60 + i, sizeof(s));
		crypto_sign_seed_keypair(pk[i], sk[i], s);
	}
	build_chain();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(g_wire);
	free(v2_wire);
	free(v3_wire);
	return 0;
}

/* ---- (a) the chain ---- */

/* A reason in English, as the tests compare it (one buffer: use at once). */
static const char *en(const struct node_reason *r)
{
	static char buf[1024];
	return node_reason_text(r, NODE_LANG_EN, buf, sizeof(buf));
}

static void expect_chain(const uint8_t *w, size_t n, const char *want)
{
	struct node_roster_chain c;
	struct node_reason r;
	int rc = node_roster_chain_decode(w, n, &c, &r);
	const char *why = rc ? en(&r) : "";
	if (!want) {
		if (rc)
			fprintf(stderr, "chain: %s\n", why);
		assert_int_equal(rc, 0);
		node_roster_chain_fini(&c);
		return;
	}
	assert_int_equal(rc, -EBADMSG);
	if (!strstr(why, want))
		fprintf(stderr, "want '%s', got '%s'\n", want, why);
	assert_non_null(strstr(why, want));
}

/* A chain genesis, v2, then a bad v3 made from v2 by mut and signed by
 * signers. */
static void expect_bad_v3(void (*mut)(struct node_roster *), const int *signers,
			  const char *want)
{
	struct node_roster *r = next_of(v2_wire, v2_len);
	mut(r);
	size_t n3, len;
	uint8_t *w3 = sign_roster(r, signers, &n3);
	node_roster_free(r);
	const uint8_t *ws[] = {g_wire, v2_wire, w3};
	const size_t ns[] = {g_len, v2_len, n3};
	uint8_t *c = chain_of(ws, ns, 3, &len);
	expect_chain(c, len, want);
	/* The same version offered alone to a ledger holding v2: refused,
	 * nothing changes. */
	struct node_kv *kv = node_kv_new_mem();
	struct node_ledger *l;
	struct node_reason why;
	assert_int_equal(node_ledger_open(kv, &l), 0);
	const uint8_t *ws2[] = {g_wire, v2_wire};
	const size_t ns2[] = {g_len, v2_len};
	size_t l2;
	uint8_t *c2 = chain_of(ws2, ns2, 2, &l2);
	assert_int_equal(node_ledger_set_roster(l, c2, l2, &why), 0);
	assert_int_equal(node_ledger_set_roster(l, w3, n3, &why), -EBADMSG);
	assert_non_null(strstr(en(&why), want));
	assert_int_equal(node_ledger_roster(l)->version, 2);
	node_ledger_close(l);
	/* Reopened: still version 2. */
	assert_int_equal(node_ledger_open(kv, &l), 0);
	assert_int_equal(node_ledger_roster(l)->version, 2);
	node_ledger_close(l);
	node_kv_close(kv);
	free(c2);
	free(c);
	free(w3);
}

static void mut_none(struct node_roster *r)
{
	(void)r;
}
static void mut_threshold_0(struct node_roster *r)
{
	r->threshold = 0;
}
static void mut_threshold_4(struct node_roster *r)
{
	r->threshold = 4;
}
static void mut_half(struct node_roster *r)
{
	static const int four[] = {HEALTH, TOWNSHIP, POLICE, AUDITOR, -1};
	set_admins(r, four, 2);
}
static void mut_no_admin(struct node_roster *r)
{
	static const int none[] = {-1};
	set_admins(r, none, 1);
}
static void mut_prev(struct node_roster *r)
{
	r->prev[0] ^= 1;
}
static void mut_gap(struct node_roster *r)
{
	r->version++;
}

static void test_chain_valid(void **state)
{
	(void)state;
	const uint8_t *ws[] = {g_wire, v2_wire, v3_wire};
	const size_t ns[] = {g_len, v2_len, v3_len};
	size_t len;
	uint8_t *c = chain_of(ws, ns, 3, &len);
	expect_chain(c, len, NULL);
	free(c);
	/* A lone genesis roster is a chain of one. */
	expect_chain(g_wire, g_len, NULL);
}

static void test_chain_bad(void **state)
{
	(void)state;
	static const int sig_hs[] = {HEALTH, STRANGER, -1};
	static const int sig_ha[] = {HEALTH, AUDITOR, -1};
	expect_bad_v3(mut_none, sig_hs, "not an admin");
	/* The auditor is a member of v2, not an admin. */
	expect_bad_v3(mut_none, sig_ha, "not an admin");
	expect_bad_v3(mut_none, SIG_H, "lacks enough admin signatures");
	expect_bad_v3(mut_threshold_0, SIG_HT, "threshold is 0");
	expect_bad_v3(mut_threshold_4, SIG_HT, "threshold exceeds");
	expect_bad_v3(mut_half, SIG_HT, "above half");
	expect_bad_v3(mut_no_admin, SIG_HT, "no admin");
	expect_bad_v3(mut_prev, SIG_HT, "prev does not name");
	expect_bad_v3(mut_gap, SIG_HT, "without a gap");

	/* A signature over another body: v3's signatures on a v3' body. */
	struct node_roster *a = decode(v3_wire, v3_len);
	struct node_roster *b = next_of(v2_wire, v2_len);
	b->threshold = 3;
	struct crdt_buf body, out;
	crdt_buf_init(&body);
	crdt_buf_init(&out);
	node_roster_encode_body(&body, b);
	node_roster_assemble(&out, body.data, body.len, a->n_sigs,
			     (const uint8_t(*)[32])a->sig_keys,
			     (const uint8_t(*)[64])a->sigs);
	const uint8_t *ws[] = {g_wire, v2_wire, out.data};
	const size_t ns[] = {g_len, v2_len, out.len};
	size_t len;
	uint8_t *c = chain_of(ws, ns, 3, &len);
	expect_chain(c, len, "does not verify over its body");
	free(c);
	crdt_buf_fini(&body);
	crdt_buf_fini(&out);
	node_roster_free(a);
	node_roster_free(b);

	/* Two versions with one number; a chain with a gap. */
	const uint8_t *dup[] = {g_wire, v2_wire, v2_wire};
	const size_t dn[] = {g_len, v2_len, v2_len};
	c = chain_of(dup, dn, 3, &len);
	expect_chain(c, len, "without a gap or a repeat");
	free(c);
	const uint8_t *gap[] = {g_wire, v3_wire};
	const size_t gn[] = {g_len, v3_len};
	c = chain_of(gap, gn, 2, &len);
	expect_chain(c, len, "without a gap or a repeat");
	free(c);
}

/* ---- entries ---- */

struct feed {
	int who;
	uint64_t seq;
	uint8_t prev[32];
	uint64_t hlc;
};

/* The next entry of f: creates a patient, naming roster version rv. */
static uint8_t *entry(struct feed *f, uint64_t rv, const char *type,
		      size_t *len)
{
	uint8_t net_id[32];
	struct node_roster *g = decode(g_wire, g_len);
	memcpy(net_id, g->body_hash, 32);
	node_roster_free(g);
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_CREATE;
	op.name = type;
	op.name_len = strlen(type);
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, pk[f->who], 32);
	snprintf(e.scope, sizeof(e.scope), "%s", SCOPE);
	e.seq = ++f->seq;
	memcpy(e.prev, f->prev, 32);
	e.hlc = (f->hlc += 1000) << 16;
	e.roster_version = rv;
	e.n_ops = 1;
	e.ops = &op;
	crdt_entity_id(op.entity, e.author, e.scope, e.seq, 0);
	struct crdt_buf body, wire;
	crdt_buf_init(&body);
	crdt_buf_init(&wire);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	crdt_entry_sign(sig, net_id, body.data, body.len, sk[f->who]);
	crdt_entry_encode_wire(&wire, body.data, body.len, sig);
	crdt_entry_hash(f->prev, body.data, body.len, sig);
	crdt_buf_fini(&body);
	return crdt_buf_take(&wire, len);
}

static int ingest(struct node_ledger *l, const uint8_t *w, size_t n,
		  struct node_reason *why)
{
	struct node_txn *t = node_ledger_begin(l);
	enum node_ingest res;
	enum node_msg m = MSG_NONE;
	int rc = node_txn_ingest(t, w, n, false, &res, &m);
	node_reason_of(why, m);
	if (rc == 0)
		assert_int_equal(node_txn_commit(t, true), 0);
	else
		node_txn_abort(t);
	return rc;
}

static size_t findings(struct node_ledger *l);

static int count_finding(void *ctx, const struct node_ledger_finding *f)
{
	(void)f;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t findings(struct node_ledger *l)
{
	size_t n = 0;
	node_ledger_each_finding(l, count_finding, &n);
	return n;
}

static void open_with(struct node_kv **kv, struct node_ledger **l,
		      size_t versions)
{
	const uint8_t *ws[] = {g_wire, v2_wire, v3_wire};
	const size_t ns[] = {g_len, v2_len, v3_len};
	size_t len;
	struct node_reason why;
	uint8_t *c = chain_of(ws, ns, versions, &len);
	*kv = node_kv_new_mem();
	assert_int_equal(node_ledger_open(*kv, l), 0);
	int rc = node_ledger_set_roster(*l, c, len, &why);
	if (rc)
		fprintf(stderr, "set_roster: %s\n", en(&why));
	assert_int_equal(rc, 0);
	free(c);
}

/* ---- (b) waiting for a version ---- */

static void test_entry_waits_for_version(void **state)
{
	(void)state;
	struct node_kv *kv;
	struct node_ledger *l;
	struct node_reason why;
	open_with(&kv, &l, 1);
	struct feed f = {.who = HEALTH, .hlc = 1700000000000ull};
	size_t n;
	uint8_t *w = entry(&f, 2, "patient", &n);
	assert_int_equal(ingest(l, w, n, &why), -EAGAIN);
	assert_int_equal(node_ledger_entry_count(l), 0);
	/* The auditor, added in v2, naming v1: not a member there. */
	struct feed a = {.who = AUDITOR, .hlc = 1700000000000ull};
	size_t an;
	uint8_t *aw = entry(&a, 1, "patient", &an);
	assert_int_equal(ingest(l, aw, an, &why), -EBADMSG);
	assert_int_equal(why.id, MSG_I_UNKNOWN_AUTHOR);
	assert_string_equal(en(&why), "unknown author");
	/* v2 arrives alone, as gossip brings it: both now judged. */
	assert_int_equal(node_ledger_set_roster(l, v2_wire, v2_len, &why), 0);
	assert_int_equal(node_ledger_roster(l)->version, 2);
	assert_non_null(node_ledger_roster_at(l, 1));
	assert_int_equal(ingest(l, w, n, &why), 0);
	assert_int_equal(ingest(l, aw, an, &why), -EBADMSG);
	assert_int_equal(node_ledger_entry_count(l), 1);
	/* v3 without v2 at a node holding v1 only: refused (a gap). */
	struct node_kv *kv2;
	struct node_ledger *l2;
	open_with(&kv2, &l2, 1);
	assert_int_equal(node_ledger_set_roster(l2, v3_wire, v3_len, &why),
			 -EBADMSG);
	assert_non_null(strstr(en(&why), "without a gap"));
	node_ledger_close(l2);
	node_kv_close(kv2);
	free(w);
	free(aw);
	node_ledger_close(l);
	node_kv_close(kv);
}

/* ---- (c) judged under the version named ---- */

static void test_judged_under_named_version(void **state)
{
	(void)state;
	/* Police may not create a patient; as civil in v3 it may not either:
	 * use township, whose role does not change, and police's "incident"
	 * rights: simpler, the police entry naming v1 keeps its verdict after
	 * v3 arrives, and equals that of a node that held v3 first. */
	struct node_kv *kv1, *kv2;
	struct node_ledger *l1, *l2;
	struct node_reason why;
	open_with(&kv1, &l1, 1);
	open_with(&kv2, &l2, 3);
	struct feed f = {.who = POLICE, .hlc = 1700000000000ull};
	size_t n;
	uint8_t *w = entry(&f, 1, "patient", &n);
	assert_int_equal(ingest(l1, w, n, &why), 0);
	assert_int_equal(ingest(l2, w, n, &why), 0);
	size_t f1 = findings(l1);
	const uint8_t *ws[] = {g_wire, v2_wire, v3_wire};
	const size_t ns[] = {g_len, v2_len, v3_len};
	size_t len;
	uint8_t *c = chain_of(ws, ns, 3, &len);
	assert_int_equal(node_ledger_set_roster(l1, c, len, &why), 0);
	free(c);
	assert_int_equal(findings(l1), f1);
	uint8_t d1[32], d2[32];
	node_ledger_digest(l1, d1);
	node_ledger_digest(l2, d2);
	assert_memory_equal(d1, d2, 32);
	free(w);
	node_ledger_close(l1);
	node_kv_close(kv1);
	node_ledger_close(l2);
	node_kv_close(kv2);
}

/* ---- (d) revocation bounds ---- */

static void test_revocation_bound(void **state)
{
	(void)state;
	struct node_kv *kv1, *kv2;
	struct node_ledger *l1, *l2;
	struct node_reason why;
	open_with(&kv1, &l1, 2);
	open_with(&kv2, &l2, 3);
	struct feed f = {.who = TOWNSHIP, .hlc = 1700000000000ull};
	uint8_t *w[5];
	size_t n[5];
	/* Entries 1..4 name v1 or v2: none names v3, which bounds them. */
	for (int i = 0; i < 5; i++)
		w[i] = entry(&f, i < 2 ? 1 : 2, "patient", &n[i]);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ingest(l1, w[i], n[i], &why), 0);
	assert_int_equal(findings(l1), 0);
	uint8_t before[32];
	node_ledger_digest(l1, before);
	for (int i = 0; i < 4; i++)
		assert_int_equal(ingest(l2, w[i], n[i], &why), 0);
	assert_int_equal(findings(l2), 2);
	/* v3 arrives at l1: entries 3 and 4 lose their effect. */
	assert_int_equal(node_ledger_set_roster(l1, v3_wire, v3_len, &why), 0);
	assert_int_equal(findings(l1), 2);
	uint8_t d1[32], d2[32];
	node_ledger_digest(l1, d1);
	node_ledger_digest(l2, d2);
	assert_memory_not_equal(before, d1, 32);
	assert_memory_equal(d1, d2, 32);
	assert_int_equal(node_ledger_entry_count(l1), 4);
	/* The fifth, naming v2 (an old version), still past the bound. */
	assert_int_equal(ingest(l1, w[4], n[4], &why), 0);
	assert_int_equal(ingest(l2, w[4], n[4], &why), 0);
	assert_int_equal(findings(l1), 3);
	node_ledger_digest(l1, d1);
	node_ledger_digest(l2, d2);
	assert_memory_equal(d1, d2, 32);
	/* A judgement interrupted by a crash is finished at the next open:
	 * the marker alone makes the ledger judge again. */
	node_ledger_close(l1);
	struct node_kv_batch *b = node_kv_batch_new();
	node_kv_batch_put(b, (const uint8_t *)"Mrejudge", 8,
			  (const uint8_t *)"", 0);
	/* Damage the state as a half-done judgement would leave it. */
	uint8_t fk = 'F';
	struct node_kv_iter *it = node_kv_iter_new(kv1, &fk, 1);
	size_t kl;
	const uint8_t *k = node_kv_iter_key(it, &kl);
	node_kv_batch_del(b, k, kl);
	node_kv_iter_free(it);
	assert_int_equal(node_kv_write(kv1, b, true), 0);
	node_kv_batch_free(b);
	assert_int_equal(node_ledger_open(kv1, &l1), 0);
	assert_int_equal(findings(l1), 3);
	uint8_t *v;
	size_t vn;
	assert_int_equal(
	    node_kv_get(kv1, (const uint8_t *)"Mrejudge", 8, &v, &vn), -ENOENT);
	node_ledger_digest(l1, d1);
	assert_memory_equal(d1, d2, 32);
	for (int i = 0; i < 5; i++)
		free(w[i]);
	node_ledger_close(l1);
	node_kv_close(kv1);
	node_ledger_close(l2);
	node_kv_close(kv2);
}

/* A store failing while entries are judged again: the new version is
 * held, the node refuses to write or ingest until the judgement is done,
 * and once the store works it ends as a node that judged them at once. */
static void test_rejudge_store_fault(void **state)
{
	(void)state;
	struct node_kv *kv1, *kv2;
	struct node_ledger *l1, *l2;
	struct node_reason why;
	open_with(&kv1, &l1, 2);
	open_with(&kv2, &l2, 3);
	struct feed f = {.who = TOWNSHIP, .hlc = 1700000000000ull};
	uint8_t *w[4];
	size_t n[4];
	for (int i = 0; i < 4; i++) {
		w[i] = entry(&f, 2, "patient", &n[i]);
		assert_int_equal(ingest(l1, w[i], n[i], &why), 0);
		assert_int_equal(ingest(l2, w[i], n[i], &why), 0);
	}
	node_kv_mem_fault(kv1, NODE_KV_FAULT_WRITE, 1, 1000, 1);
	assert_int_not_equal(node_ledger_set_roster(l1, v3_wire, v3_len, &why),
			     0);
	assert_int_equal(node_ledger_roster(l1)->version, 3);
	assert_true(node_ledger_rejudging(l1));
	struct feed g = {.who = HEALTH, .hlc = 1700000000000ull};
	size_t hn;
	uint8_t *h = entry(&g, 3, "patient", &hn);
	assert_int_equal(ingest(l1, h, hn, &why), -EIO);
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_CREATE;
	op.name = "patient";
	op.name_len = 7;
	struct node_write wr = {.scope = SCOPE, .n_ops = 1, .ops = &op};
	uint64_t seq;
	struct node_reason wy;
	assert_int_equal(node_ledger_write(l1, sk[TOWNSHIP], pk[TOWNSHIP], &wr,
					   1800000000000ull, &seq, &wy),
			 -EIO);
	assert_int_equal(wy.id, MSG_W_REJUDGING);
	struct crdt_buf cp;
	crdt_buf_init(&cp);
	/* The store works again: the next transaction finishes the job. */
	node_kv_mem_fault_clear(kv1);
	assert_int_equal(ingest(l1, h, hn, &why), 0);
	assert_false(node_ledger_rejudging(l1));
	assert_int_equal(ingest(l2, h, hn, &why), 0);
	uint8_t d1[32], d2[32];
	node_ledger_digest(l1, d1);
	node_ledger_digest(l2, d2);
	assert_memory_equal(d1, d2, 32);
	assert_int_equal(findings(l1), findings(l2));
	crdt_buf_fini(&cp);
	for (int i = 0; i < 4; i++)
		free(w[i]);
	free(h);
	node_ledger_close(l1);
	node_kv_close(kv1);
	node_ledger_close(l2);
	node_kv_close(kv2);
}

/* ---- (e) proposals ---- */

/* The v2 body (the auditor added) as a proposal by `who`. */
static uint8_t *propose(struct node_ledger *l, int who, int threshold,
			size_t *len, uint8_t id[32])
{
	struct node_roster *r = next_of(g_wire, g_len);
	add_member(r, AUDITOR, "120116");
	if (threshold)
		r->threshold = (uint64_t)threshold;
	struct crdt_buf body;
	crdt_buf_init(&body);
	node_roster_encode_body(&body, r);
	node_roster_free(r);
	crypto_generichash(id, 32, body.data, body.len, NULL, 0);
	uint8_t *item;
	struct node_reason why;
	const struct node_roster *cur = node_ledger_roster(l);
	assert_int_equal(node_proposal_make(l, body.data, body.len, pk[who],
					    sk[who], "add the auditor",
					    node_roster_is_admin(cur, pk[who]),
					    &item, len, &why),
			 0);
	crdt_buf_fini(&body);
	return item;
}

static void test_proposals(void **state)
{
	(void)state;
	struct node_kv *kv1, *kv2;
	struct node_ledger *l1, *l2;
	struct node_reason why;
	open_with(&kv1, &l1, 1);
	open_with(&kv2, &l2, 1);
	uint8_t id[32];
	size_t n;
	uint8_t *item = propose(l1, HEALTH, 0, &n, id);
	assert_int_equal(node_proposal_add(l1, item, n, &why),
			 NODE_PROPOSAL_MERGED);
	assert_int_equal(node_proposal_add(l1, item, n, &why),
			 NODE_PROPOSAL_NOTHING_NEW);
	assert_int_equal(node_ledger_roster(l1)->version, 1);
	struct node_proposal *p;
	size_t np;
	node_proposals(l1, &p, &np);
	assert_int_equal(np, 1);
	assert_int_equal(p[0].r->n_sigs, 1);
	assert_int_equal(p[0].needed, 2);
	assert_memory_equal(p[0].id, id, 32);
	assert_string_equal(p[0].note, "add the auditor");
	node_proposals_free(p, np);
	/* A second body proposed by health without signing it: health
	 * refuses to sign it, having signed the first. */
	{
		struct node_roster *r = next_of(g_wire, g_len);
		r->threshold = 3;
		struct crdt_buf body;
		crdt_buf_init(&body);
		node_roster_encode_body(&body, r);
		node_roster_free(r);
		uint8_t id2[32], *it2;
		size_t n2;
		crypto_generichash(id2, 32, body.data, body.len, NULL, 0);
		assert_int_equal(node_proposal_make(l1, body.data, body.len,
						    pk[HEALTH], sk[HEALTH], "",
						    false, &it2, &n2, &why),
				 0);
		crdt_buf_fini(&body);
		assert_int_equal(node_proposal_add(l1, it2, n2, &why),
				 NODE_PROPOSAL_MERGED);
		assert_int_equal(
		    node_proposal_sign(l1, id2, pk[HEALTH], sk[HEALTH], &why),
		    -EEXIST);
		assert_non_null(strstr(en(&why), "already signed another"));
		assert_int_equal(node_admin_forks(l1, NULL, NULL), 0);
		free(it2);
	}
	/* l2 gets it by gossip; police signs there. */
	assert_int_equal(node_proposal_add(l2, item, n, &why),
			 NODE_PROPOSAL_MERGED);
	/* A non-admin (the stranger is no member at all) cannot sign. */
	assert_int_equal(
	    node_proposal_sign(l2, id, pk[STRANGER], sk[STRANGER], &why),
	    -EPERM);
	assert_int_equal(
	    node_proposal_sign(l2, id, pk[POLICE], sk[POLICE], &why),
	    NODE_PROPOSAL_IN_FORCE);
	assert_int_equal(node_ledger_roster(l2)->version, 2);
	node_proposals(l2, &p, &np);
	assert_int_equal(np, 0);
	node_proposals_free(p, np);
	/* l2's copy merged back into l1 puts it in force there. */
	const struct node_roster *r2 = node_ledger_roster(l2);
	assert_int_equal(
	    node_ledger_set_roster(l1, r2->wire, r2->wire_len, &why), 0);
	assert_int_equal(node_ledger_roster(l1)->version, 2);
	/* The proposals l1 held are dropped: they were for version 2. */
	node_proposals(l1, &p, &np);
	assert_int_equal(np, 0);
	node_proposals_free(p, np);
	assert_int_equal(
	    node_proposals_encode(l1, &(struct crdt_buf){0}, 1 << 20), 0);
	/* The proposal arriving again is stale. */
	assert_int_equal(node_proposal_add(l1, item, n, &why), -ESTALE);
	free(item);
	node_ledger_close(l1);
	node_kv_close(kv1);
	node_ledger_close(l2);
	node_kv_close(kv2);
}

/* Any member may propose, so one member may hold at most
 * NODE_PROPOSALS_PER_MEMBER of the slots: a hostile member cannot crowd
 * out the others' proposals. */
static void test_proposals_per_member(void **state)
{
	(void)state;
	struct node_kv *kv;
	struct node_ledger *l;
	struct node_reason why;
	open_with(&kv, &l, 1);
	/* distinct bodies: the auditor added with another scope each */
	static const char *const scopes[] = {"120116", "1201", "12",
					     "120116001", "120116002"};
	for (unsigned i = 0; i <= NODE_PROPOSALS_PER_MEMBER; i++) {
		struct node_roster *r = next_of(g_wire, g_len);
		add_member(r, AUDITOR, scopes[i]);
		struct crdt_buf body;
		crdt_buf_init(&body);
		node_roster_encode_body(&body, r);
		node_roster_free(r);
		uint8_t *item;
		size_t n;
		assert_int_equal(node_proposal_make(l, body.data, body.len,
						    pk[POLICE], sk[POLICE], "",
						    false, &item, &n, &why),
				 0);
		crdt_buf_fini(&body);
		int rc = node_proposal_add(l, item, n, &why);
		free(item);
		if (i < NODE_PROPOSALS_PER_MEMBER)
			assert_int_equal(rc, NODE_PROPOSAL_MERGED);
		else
			assert_int_equal(rc, -EDQUOT);
	}
	/* another member's proposal still finds room */
	size_t n;
	uint8_t id[32];
	uint8_t *item = propose(l, HEALTH, 0, &n, id);
	assert_int_equal(node_proposal_add(l, item, n, &why),
			 NODE_PROPOSAL_MERGED);
	free(item);
	node_ledger_close(l);
	node_kv_close(kv);
}

static void test_proposal_bad(void **state)
{
	(void)state;
	struct node_kv *kv;
	struct node_ledger *l;
	struct node_reason why;
	open_with(&kv, &l, 1);
	uint8_t id[32];
	size_t n;
	/* Threshold 1 of 3 admins: not above half. */
	uint8_t *item = propose(l, HEALTH, 1, &n, id);
	assert_int_equal(node_proposal_add(l, item, n, &why), -EBADMSG);
	assert_non_null(strstr(en(&why), "above half"));
	free(item);
	/* A signature by a non-admin: the auditor is not even a member;
	 * graft the stranger's signature into a valid item. */
	item = propose(l, HEALTH, 0, &n, id);
	struct node_roster *r = next_of(g_wire, g_len);
	add_member(r, AUDITOR, "120116");
	static const int sig_s[] = {STRANGER, -1};
	size_t wl;
	uint8_t *w = sign_roster(r, sig_s, &wl);
	node_roster_free(r);
	struct crdt_mp_cursor c;
	size_t arr;
	const uint8_t *ro;
	size_t rl;
	uint8_t prop[32], psig[64];
	const char *note;
	size_t note_len;
	crdt_mp_cursor_init(&c, item, n, true);
	assert_int_equal(crdt_mp_read_array(&c, &arr), 0);
	assert_int_equal(crdt_mp_read_bin(&c, &ro, &rl), 0);
	assert_int_equal(crdt_mp_read_bin_fixed(&c, prop, 32), 0);
	assert_int_equal(crdt_mp_read_str(&c, &note, &note_len), 0);
	assert_int_equal(crdt_mp_read_bin_fixed(&c, psig, 64), 0);
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 4);
	crdt_pack_bin(&b, w, wl);
	crdt_pack_bin(&b, prop, 32);
	crdt_pack_str(&b, note, note_len);
	crdt_pack_bin(&b, psig, 64);
	assert_int_equal(node_proposal_add(l, b.data, b.len, &why), -EBADMSG);
	assert_non_null(strstr(en(&why), "not an admin"));
	crdt_buf_fini(&b);
	free(w);
	/* Nothing held. */
	struct node_proposal *p;
	size_t np;
	node_proposals(l, &p, &np);
	assert_int_equal(np, 0);
	node_proposals_free(p, np);
	free(item);
	node_ledger_close(l);
	node_kv_close(kv);
}

/* A fork proof of an author whose key a later version replaced (or who
 * was removed) is still a proof: a member that joins later gets it from
 * its peers and must keep it, not refuse the peer (found by roster.sh: a
 * node joining after a forked key was replaced cut every peer off). */
static void test_fork_proof_of_replaced_key(void **state)
{
	(void)state;
	struct node_roster *r = next_of(g_wire, g_len);
	memcpy(r->members[TOWNSHIP].key, pk[STRANGER], 32);
	size_t r2_len;
	uint8_t *r2 = sign_roster(r, SIG_HP, &r2_len);
	node_roster_free(r);
	const uint8_t *ws[] = {g_wire, r2};
	const size_t ns[] = {g_len, r2_len};
	size_t len;
	uint8_t *c = chain_of(ws, ns, 2, &len);
	struct node_kv *kv = node_kv_new_mem();
	struct node_ledger *l;
	struct node_reason rwhy;
	enum node_msg why = MSG_NONE;
	assert_int_equal(node_ledger_open(kv, &l), 0);
	assert_int_equal(node_ledger_set_roster(l, c, len, &rwhy), 0);
	free(c);
	free(r2);
	/* township signed two entries at seq 1 under version 1 */
	struct feed f1 = {.who = TOWNSHIP}, f2 = {.who = TOWNSHIP, .hlc = 7};
	size_t la, lb;
	uint8_t *a = entry(&f1, 1, "patient", &la);
	uint8_t *b = entry(&f2, 1, "incident", &lb);
	int rc = node_proof_add(l, NODE_PROOF_FORK, a, la, b, lb, &why);
	if (rc < 0)
		fprintf(stderr, "proof refused: %s\n",
			node_catalog_text(NODE_LANG_EN, why));
	assert_int_equal(rc, 1);
	free(a);
	free(b);
	node_ledger_close(l);
	node_kv_close(kv);
}

static void test_admin_fork(void **state)
{
	(void)state;
	struct node_kv *kv;
	struct node_ledger *l;
	struct node_reason why;
	open_with(&kv, &l, 1);
	uint8_t id_a[32], id_b[32];
	size_t na, nb;
	/* Two bodies for v2, both signed by health. */
	uint8_t *a = propose(l, HEALTH, 0, &na, id_a);
	uint8_t *b = propose(l, HEALTH, 3, &nb, id_b);
	assert_int_equal(node_proposal_add(l, a, na, &why),
			 NODE_PROPOSAL_MERGED);
	assert_int_equal(node_admin_forks(l, NULL, NULL), 0);
	assert_int_equal(node_proposal_add(l, b, nb, &why),
			 NODE_PROPOSAL_MERGED);
	assert_int_equal(node_admin_forks(l, NULL, NULL), 1);
	/* Township signs a: health and township reach the threshold. */
	assert_int_equal(
	    node_proposal_sign(l, id_a, pk[TOWNSHIP], sk[TOWNSHIP], &why),
	    NODE_PROPOSAL_IN_FORCE);
	assert_int_equal(node_ledger_roster(l)->version, 2);
	assert_memory_equal(node_ledger_roster(l)->body_hash, id_a, 32);
	free(a);
	free(b);
	node_ledger_close(l);
	node_kv_close(kv);
}

/* ---- schema versions ---- */

static void test_schema_version(void **state)
{
	(void)state;
	struct node_kv *kv;
	struct node_ledger *l;
	struct node_reason why;
	open_with(&kv, &l, 1);
	/* Version 2 in force with a schema version this build lacks. */
	struct node_roster *r = next_of(g_wire, g_len);
	r->schema_version = NODE_SCHEMA_VERSION + 1;
	size_t n2;
	uint8_t *w2 = sign_roster(r, SIG_HT, &n2);
	node_roster_free(r);
	assert_int_equal(node_ledger_set_roster(l, w2, n2, &why), 0);
	free(w2);
	/* An entry naming it waits; one naming version 1 is judged. */
	struct feed f = {.who = HEALTH, .hlc = 1700000000000ull};
	size_t n;
	uint8_t *a = entry(&f, 1, "patient", &n);
	assert_int_equal(ingest(l, a, n, &why), 0);
	assert_int_equal(findings(l), 0);
	uint8_t *b = entry(&f, 2, "patient", &n);
	assert_int_equal(ingest(l, b, n, &why), -EAGAIN);
	assert_non_null(strstr(en(&why), "schema version"));
	/* This node may not write, and says to upgrade. */
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_CREATE;
	op.name = "patient";
	op.name_len = 7;
	struct node_write w = {.scope = SCOPE, .n_ops = 1, .ops = &op};
	uint64_t seq;
	struct node_reason wy;
	char buf[256];
	assert_int_equal(node_ledger_write(l, sk[HEALTH], pk[HEALTH], &w,
					   1800000000000ull, &seq, &wy),
			 -EPERM);
	assert_int_equal(wy.id, MSG_W_SCHEMA_UNKNOWN);
	node_reason_text(&wy, NODE_LANG_EN, buf, sizeof(buf));
	assert_non_null(strstr(buf, "upgrade"));
	/* Nor sign a proposal whose schema it does not know. */
	struct node_roster *p = next_of(node_ledger_roster(l)->wire,
					node_ledger_roster(l)->wire_len);
	struct crdt_buf body;
	crdt_buf_init(&body);
	node_roster_encode_body(&body, p);
	node_roster_free(p);
	uint8_t id[32], *item;
	size_t il;
	crypto_generichash(id, 32, body.data, body.len, NULL, 0);
	assert_int_equal(node_proposal_make(l, body.data, body.len, pk[POLICE],
					    sk[POLICE], "", false, &item, &il,
					    &why),
			 0);
	crdt_buf_fini(&body);
	assert_int_equal(node_proposal_add(l, item, il, &why),
			 NODE_PROPOSAL_MERGED);
	assert_int_equal(
	    node_proposal_sign(l, id, pk[HEALTH], sk[HEALTH], &why), -EPERM);
	assert_non_null(strstr(en(&why), "upgrade"));
	free(item);
	free(a);
	free(b);
	node_ledger_close(l);
	node_kv_close(kv);
}

/* ---- (f) gossip ---- */

static void test_wire_roster(void **state)
{
	(void)state;
	struct crdt_buf rb, pb, b;
	crdt_buf_init(&rb);
	crdt_buf_init(&pb);
	crdt_buf_init(&b);
	crdt_pack_bin(&rb, v2_wire, v2_len);
	crdt_pack_array(&pb, 1);
	crdt_pack_uint(&pb, 7);
	struct net_wire_msg m, d;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ROSTER;
	m.roster_version = 2;
	memset(m.proposals_digest, 0xab, 32);
	m.n_rosters = 1;
	m.rosters = rb.data;
	m.rosters_len = rb.len;
	m.n_proposals = 1;
	m.proposals = pb.data;
	m.proposals_len = pb.len;
	net_wire_encode(&b, &m);
	const char *why = NULL;
	assert_int_equal(net_wire_decode(b.data, b.len, &d, &why), 0);
	assert_int_equal(d.type, NET_WIRE_ROSTER);
	assert_int_equal(d.roster_version, 2);
	assert_int_equal(d.proposals_digest[31], 0xab);
	assert_int_equal(d.n_rosters, 1);
	assert_int_equal(d.rosters_len, rb.len);
	assert_memory_equal(d.rosters, rb.data, rb.len);
	assert_int_equal(d.n_proposals, 1);
	net_wire_msg_fini(&d);
	/* Version 0, a proposal that is not an array, a roster that is not
	 * a bin, a digest that is not 32 bytes: malformed. */
	static const uint8_t tails[][4] = {
	    {0x90, 0x91, 0x07}, {0x91, 0x07, 0x90}, {0x90, 0x90}};
	static const size_t tail_len[] = {3, 3, 2};
	for (int i = 0; i < 4; i++) {
		uint8_t bad[128];
		size_t k = 0;
		bad[k++] = 0x97;
		bad[k++] = 0x01;
		bad[k++] = 0x0c;
		bad[k++] = i == 3 ? 0x00 : 0x01;
		bad[k++] = 0xc4;
		bad[k++] = 32;
		memset(bad + k, 0, 32);
		k += 32;
		bad[k++] = 0xc4;
		bad[k++] = i == 2 ? 31 : 32;
		memset(bad + k, 0, 32);
		k += i == 2 ? 31 : 32;
		int t = i == 3 ? 2 : i;
		memcpy(bad + k, tails[t], tail_len[t]);
		k += tail_len[t];
		if (i == 2) { /* otherwise well formed */
			memcpy(bad + k - tail_len[t], tails[2], 2);
			k = k - tail_len[t] + 2;
		}
		assert_int_equal(net_wire_decode(bad, k, &d, &why), -EBADMSG);
	}
	crdt_buf_fini(&rb);
	crdt_buf_fini(&pb);
	crdt_buf_fini(&b);
}

struct gnode {
	struct node_kv *kv;
	struct node_ledger *l;
	struct node_replica rep;
	struct net_gossip *g;
	int who;
};

static void gnode_up(struct gnode *n, int who, size_t versions)
{
	open_with(&n->kv, &n->l, versions);
	n->who = who;
	n->rep.ledger = n->l;
	n->rep.pk = pk[who];
	n->rep.sk = sk[who];
	struct net_gossip_cfg cfg;
	net_gossip_cfg_default(&cfg);
	assert_int_equal(
	    net_gossip_new(&cfg, &node_replica_ops, &n->rep, &n->g), 0);
}

static void gnode_down(struct gnode *n)
{
	net_gossip_free(n->g);
	node_ledger_close(n->l);
	node_kv_close(n->kv);
}

/* Delivers every SEND of out (from node `from`) to its peer, whose own
 * actions are delivered in turn, until none is left. Peer ids are node
 * indexes. Returns how many DISCONNECTs there were. */
static int deliver(struct gnode *ns, int from, struct net_gossip_actions *out)
{
	int disconnects = 0;
	for (size_t i = 0; i < out->n; i++) {
		struct net_gossip_action *a = &out->v[i];
		if (a->kind == NET_GOSSIP_DISCONNECT)
			disconnects++;
		if (a->kind != NET_GOSSIP_SEND)
			continue;
		struct net_gossip_actions next;
		net_gossip_actions_init(&next);
		net_gossip_on_message(ns[a->peer].g, (uint32_t)from, a->bytes,
				      a->len, 1000, &next);
		disconnects += deliver(ns, (int)a->peer, &next);
		net_gossip_actions_fini(&next);
	}
	return disconnects;
}

static void connect_all(struct gnode *ns, int n)
{
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			if (i == j)
				continue;
			struct net_gossip_actions out;
			net_gossip_actions_init(&out);
			net_gossip_on_peer_up(ns[i].g, (uint32_t)j, 1000, &out);
			/* Only ROSTERs matter here: entries are not pulled. */
			assert_int_equal(deliver(ns, i, &out), 0);
			net_gossip_actions_fini(&out);
		}
}

static void test_gossip_rosters(void **state)
{
	(void)state;
	struct gnode ns[3];
	gnode_up(&ns[0], HEALTH, 1);
	gnode_up(&ns[1], POLICE, 1);
	gnode_up(&ns[2], TOWNSHIP, 1);
	connect_all(ns, 2); /* 0 and 1 talk; 2 comes later */
	uint8_t id[32];
	size_t n;
	struct node_reason why;
	uint8_t *item = propose(ns[0].l, HEALTH, 0, &n, id);
	assert_int_equal(node_proposal_add(ns[0].l, item, n, &why),
			 NODE_PROPOSAL_MERGED);
	free(item);
	struct net_gossip_actions out;
	net_gossip_actions_init(&out);
	net_gossip_on_roster_changed(ns[0].g, false, 1000, &out);
	assert_int_equal(deliver(ns, 0, &out), 0);
	net_gossip_actions_reset(&out);
	struct node_proposal *p;
	size_t np;
	node_proposals(ns[1].l, &p, &np);
	assert_int_equal(np, 1);
	assert_memory_equal(p[0].id, id, 32);
	node_proposals_free(p, np);
	/* Police signs at node 1: in force there, and at node 0. */
	assert_int_equal(
	    node_proposal_sign(ns[1].l, id, pk[POLICE], sk[POLICE], &why),
	    NODE_PROPOSAL_IN_FORCE);
	net_gossip_on_roster_changed(ns[1].g, true, 1000, &out);
	assert_int_equal(deliver(ns, 1, &out), 0);
	net_gossip_actions_reset(&out);
	assert_int_equal(node_ledger_roster(ns[0].l)->version, 2);
	assert_int_equal(node_ledger_roster(ns[1].l)->version, 2);
	/* Node 2, at version 1, comes up: it asks, and gets version 2. */
	assert_int_equal(node_ledger_roster(ns[2].l)->version, 1);
	connect_all(ns, 3);
	assert_int_equal(node_ledger_roster(ns[2].l)->version, 2);
	for (int i = 0; i < 3; i++)
		gnode_down(&ns[i]);

	/* A peer sending a version signed by a non-admin is cut off. */
	gnode_up(&ns[0], HEALTH, 1);
	gnode_up(&ns[1], POLICE, 1);
	connect_all(ns, 2);
	struct node_roster *r = next_of(g_wire, g_len);
	add_member(r, AUDITOR, "120116");
	static const int sig_s[] = {HEALTH, STRANGER, -1};
	size_t wl;
	uint8_t *w = sign_roster(r, sig_s, &wl);
	node_roster_free(r);
	struct crdt_buf rb, b;
	crdt_buf_init(&rb);
	crdt_buf_init(&b);
	crdt_pack_bin(&rb, w, wl);
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ROSTER;
	m.roster_version = 2;
	m.n_rosters = 1;
	m.rosters = rb.data;
	m.rosters_len = rb.len;
	net_wire_encode(&b, &m);
	net_gossip_on_message(ns[1].g, 0, b.data, b.len, 1000, &out);
	bool cut = false;
	for (size_t i = 0; i < out.n; i++)
		cut |= out.v[i].kind == NET_GOSSIP_DISCONNECT;
	assert_true(cut);
	assert_int_equal(node_ledger_roster(ns[1].l)->version, 1);
	net_gossip_actions_fini(&out);
	crdt_buf_fini(&rb);
	crdt_buf_fini(&b);
	free(w);
	for (int i = 0; i < 2; i++)
		gnode_down(&ns[i]);
}

/* Two bodies of version 2 reach the threshold at two nodes (health, a
 * forker, signed both): when they meet, by set_roster or by gossip, the
 * lowest id stands at both, the entries are judged under it, and both hold
 * the proof against health. */
static void test_competing_bodies(void **state)
{
	(void)state;
	struct gnode ns[2];
	gnode_up(&ns[0], TOWNSHIP, 1);
	gnode_up(&ns[1], POLICE, 1);
	struct node_roster *x = next_of(g_wire, g_len);
	add_member(x, AUDITOR, "120116");
	struct node_roster *y = next_of(g_wire, g_len);
	y->threshold = 3;
	static const int sig_ht[] = {HEALTH, TOWNSHIP, -1};
	static const int sig_hp[] = {HEALTH, POLICE, -1};
	size_t xn, yn;
	uint8_t *xw = sign_roster(x, sig_ht, &xn),
		*yw = sign_roster(y, sig_hp, &yn);
	node_roster_free(x);
	node_roster_free(y);
	struct node_reason why;
	assert_int_equal(node_ledger_set_roster(ns[0].l, xw, xn, &why), 0);
	assert_int_equal(node_ledger_set_roster(ns[1].l, yw, yn, &why), 0);
	/* The same entry at both, naming version 2. */
	struct feed f = {.who = TOWNSHIP, .hlc = 1700000000000ull};
	size_t en;
	uint8_t *e = entry(&f, 2, "patient", &en);
	assert_int_equal(ingest(ns[0].l, e, en, &why), 0);
	assert_int_equal(ingest(ns[1].l, e, en, &why), 0);
	uint8_t low[32];
	const struct node_roster *r0 = node_ledger_roster(ns[0].l);
	const struct node_roster *r1 = node_ledger_roster(ns[1].l);
	assert_memory_not_equal(r0->body_hash, r1->body_hash, 32);
	memcpy(low,
	       memcmp(r0->body_hash, r1->body_hash, 32) < 0 ? r0->body_hash
							    : r1->body_hash,
	       32);
	connect_all(ns, 2);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(node_ledger_roster(ns[i].l)->version, 2);
		assert_memory_equal(node_ledger_roster(ns[i].l)->body_hash, low,
				    32);
		assert_int_equal(node_admin_forks(ns[i].l, NULL, NULL), 1);
	}
	uint8_t d0[32], d1[32];
	node_ledger_digest(ns[0].l, d0);
	node_ledger_digest(ns[1].l, d1);
	assert_memory_equal(d0, d1, 32);
	/* The higher body offered again changes nothing. */
	assert_int_equal(node_ledger_set_roster(ns[0].l, xw, xn, &why), 0);
	assert_int_equal(node_ledger_set_roster(ns[0].l, yw, yn, &why), 0);
	assert_memory_equal(node_ledger_roster(ns[0].l)->body_hash, low, 32);
	free(xw);
	free(yw);
	free(e);
	for (int i = 0; i < 2; i++)
		gnode_down(&ns[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_valid),
	    cmocka_unit_test(test_chain_bad),
	    cmocka_unit_test(test_entry_waits_for_version),
	    cmocka_unit_test(test_judged_under_named_version),
	    cmocka_unit_test(test_revocation_bound),
	    cmocka_unit_test(test_rejudge_store_fault),
	    cmocka_unit_test(test_proposals),
	    cmocka_unit_test(test_proposals_per_member),
	    cmocka_unit_test(test_proposal_bad),
	    cmocka_unit_test(test_admin_fork),
	    cmocka_unit_test(test_fork_proof_of_replaced_key),
	    cmocka_unit_test(test_schema_version),
	    cmocka_unit_test(test_wire_roster),
	    cmocka_unit_test(test_gossip_rosters),
	    cmocka_unit_test(test_competing_bodies),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
