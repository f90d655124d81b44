/*
 * test_gossip.c: unit tests for net/gossip.c, the sans-I/O anti-entropy
 * state machine. Two or three machines are wired together through an
 * in-test message queue and a virtual clock, each over a toy replica: a
 * list of feeds, each an array of opaque [body, sig] entries whose body
 * names its feed and seq. Checked: replicas converge (also with lost and
 * duplicated messages, batches and chunked vectors), a local write's
 * ANNOUNCE makes peers pull without waiting for a round, pulls in flight
 * stay bounded, malformed messages and rejected entries disconnect with a
 * growing backoff, and idle rounds cost little. Random tests print their
 * seed; set WARD_SEED to replay one.
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

#include <sodium.h>

#include "crdt/crdt.h"
#include "net/gossip.h"
#include "net/wire.h"

#include "tests/common/testseed.h"

/* ---------------------------------------------------------------------- */
/* The toy replica. An entry is [body: bin, sig: bin(64)] with body =      */
/* author(32) seq(8, BE) scope(13, NUL padded) payload; a sig of all 0xee  */
/* bytes is "forged" and rejected by ingest.                               */

#define BODY_HDR (32 + 8 + 13)

struct toy_feed {
	uint8_t author[32];
	char scope[13];
	size_t n, cap;
	uint8_t **e;
	size_t *len;
};

struct toy {
	struct toy_feed *f;
	size_t n;
	/* Proofs, for the tests of their gossip: the toy's checkpoint is
	 * [bin(2) {id, state}, sig]; states differing under equal vectors
	 * make a proof (their checkpoint, ours); a proof whose first value's
	 * body starts with 0xee is invalid. */
	uint8_t id, state;
	size_t n_proofs;
	uint8_t *proof[64];
	size_t proof_len[64];
	enum net_wire_type proof_type[64];
	/* What reading the replica costs: calls of vv, and a version that
	 * moves with every append (the vv_version op). */
	uint64_t vv_calls, version;
};

static struct toy_feed *toy_find(struct toy *t, const uint8_t author[32],
				 const char *scope, bool create)
{
	for (size_t i = 0; i < t->n; i++)
		if (memcmp(t->f[i].author, author, 32) == 0 &&
		    strcmp(t->f[i].scope, scope) == 0)
			return &t->f[i];
	if (!create)
		return NULL;
	t->f = realloc(t->f, (t->n + 1) * sizeof(*t->f));
	struct toy_feed *f = &t->f[t->n++];
	memset(f, 0, sizeof(*f));
	memcpy(f->author, author, 32);
	strcpy(f->scope, scope);
	return f;
}

static void toy_append(struct toy_feed *f, const uint8_t *e, size_t len)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->e = realloc(f->e, f->cap * sizeof(*f->e));
		f->len = realloc(f->len, f->cap * sizeof(*f->len));
	}
	f->e[f->n] = malloc(len);
	memcpy(f->e[f->n], e, len);
	f->len[f->n] = len;
	f->n++;
}

/* Makes entry seq of feed (author, scope) with payload_len bytes. */
static uint8_t *toy_entry(const uint8_t author[32], const char *scope,
			  uint64_t seq, size_t payload_len, bool forged,
			  size_t *len)
{
	size_t blen = BODY_HDR + payload_len;
	uint8_t *body = calloc(1, blen), sig[64];
	memcpy(body, author, 32);
	for (int i = 0; i < 8; i++)
		body[32 + i] = (uint8_t)(seq >> (56 - 8 * i));
	strcpy((char *)body + 40, scope);
	for (size_t i = 0; i < payload_len; i++)
		body[BODY_HDR + i] = (uint8_t)(seq * 31 + i);
	memset(sig, forged ? 0xee : 0x11, sizeof(sig));
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_bin(&b, body, blen);
	crdt_pack_bin(&b, sig, 64);
	free(body);
	return crdt_buf_take(&b, len);
}

/* Appends n local entries to feed (author byte a, scope). */
static void toy_write(struct toy *t, uint8_t a, const char *scope, size_t n,
		      size_t payload_len)
{
	uint8_t author[32];
	memset(author, a, 32);
	struct toy_feed *f = toy_find(t, author, scope, true);
	for (size_t i = 0; i < n; i++) {
		size_t len;
		uint8_t *e = toy_entry(author, scope, f->n + 1, payload_len,
				       false, &len);
		toy_append(f, e, len);
		free(e);
	}
}

static void toy_free(struct toy *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t k = 0; k < t->f[i].n; k++)
			free(t->f[i].e[k]);
		free(t->f[i].e);
		free(t->f[i].len);
	}
	free(t->f);
	for (size_t i = 0; i < t->n_proofs; i++)
		free(t->proof[i]);
	memset(t, 0, sizeof(*t));
}

static int toy_vv(void *ctx, struct net_wire_feed **out, size_t *n)
{
	struct toy *t = ctx;
	struct net_wire_feed *v = calloc(t->n + 1, sizeof(*v));
	t->vv_calls++;
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++) {
		struct toy_feed *f = &t->f[i];
		if (f->n == 0)
			continue;
		memcpy(v[k].author, f->author, 32);
		strcpy(v[k].scope, f->scope);
		v[k].seq = f->n;
		crypto_generichash(v[k].head, 32, f->e[f->n - 1],
				   f->len[f->n - 1], NULL, 0);
		k++;
	}
	*out = v;
	*n = k;
	return 0;
}

static uint64_t toy_feed_seq(void *ctx, const uint8_t author[32],
			     const char *scope)
{
	struct toy_feed *f = toy_find(ctx, author, scope, false);
	return f ? f->n : 0;
}

static int toy_read_range(void *ctx, const uint8_t author[32],
			  const char *scope, uint64_t from, size_t max_entries,
			  size_t max_bytes, struct crdt_buf *out)
{
	struct toy_feed *f = toy_find(ctx, author, scope, false);
	size_t count = 0, bytes = 0;
	if (!f)
		return 0;
	for (uint64_t s = from; s <= f->n && count < max_entries; s++) {
		size_t len = f->len[s - 1];
		if (count > 0 && bytes + len > max_bytes)
			break;
		crdt_buf_append(out, f->e[s - 1], len);
		bytes += len;
		count++;
	}
	return (int)count;
}

static void toy_state_digest(void *ctx, uint8_t out[32])
{
	struct toy *t = ctx;
	memset(out, t->state, 32);
}

static void toy_signed(struct crdt_buf *out, uint8_t id, uint8_t state)
{
	uint8_t body[2] = {id, state}, sig[64];
	memset(sig, 0x11, sizeof(sig));
	crdt_pack_array(out, 2);
	crdt_pack_bin(out, body, 2);
	crdt_pack_bin(out, sig, 64);
}

static int toy_checkpoint(void *ctx, struct crdt_buf *out)
{
	struct toy *t = ctx;
	toy_signed(out, t->id, t->state);
	return 0;
}

/* Keeps the pair (a, b) of type unless held; 1 new, 0 held. */
static int toy_keep(struct toy *t, enum net_wire_type type, const uint8_t *a,
		    size_t a_len, const uint8_t *b, size_t b_len)
{
	size_t len = a_len + b_len;
	uint8_t *p = malloc(len);
	/* One order for a pair, so (a, b) and (b, a) are one proof. */
	bool swap = a_len > b_len ||
		    (a_len == b_len && memcmp(a, b, a_len) > 0);
	memcpy(p, swap ? b : a, swap ? b_len : a_len);
	memcpy(p + (swap ? b_len : a_len), swap ? a : b, swap ? a_len : b_len);
	for (size_t i = 0; i < t->n_proofs; i++)
		if (t->proof_len[i] == len && !memcmp(t->proof[i], p, len)) {
			free(p);
			return 0;
		}
	assert_true(t->n_proofs < 64);
	t->proof[t->n_proofs] = p;
	t->proof_type[t->n_proofs] = type;
	t->proof_len[t->n_proofs++] = len;
	return 1;
}

static int toy_checkpoint_seen(void *ctx, const uint8_t *cp, size_t len,
			       const char **why)
{
	struct toy *t = ctx;
	(void)why;
	/* [bin(2), bin(64)]: 0x92 0xc4 0x02 id state ... */
	assert_true(len == 3 + 2 + 2 + 64);
	if (cp[4] == t->state)
		return 0;
	struct crdt_buf mine;
	crdt_buf_init(&mine);
	toy_signed(&mine, t->id, t->state);
	int rc = toy_keep(t, NET_WIRE_DIVERGENCE, cp, len, mine.data, mine.len);
	crdt_buf_fini(&mine);
	return rc;
}

static int toy_proof_add(void *ctx, enum net_wire_type type, const uint8_t *a,
			 size_t a_len, const uint8_t *b, size_t b_len,
			 const char **why)
{
	struct toy *t = ctx;
	assert_true(type == NET_WIRE_FORK || type == NET_WIRE_DIVERGENCE);
	if (a[3] == 0xee) {
		*why = "toy: invalid proof";
		return -EBADMSG;
	}
	return toy_keep(t, type, a, a_len, b, b_len);
}

static size_t toy_proofs(void *ctx, net_gossip_proof_fn fn, void *arg)
{
	struct toy *t = ctx;
	for (size_t i = 0; fn && i < t->n_proofs; i++) {
		/* The two halves: two toy checkpoints of 71 bytes, or two
		 * entries (a fork), of one value each. */
		struct crdt_mp_cursor c;
		crdt_mp_cursor_init(&c, t->proof[i], t->proof_len[i], true);
		assert_int_equal(crdt_mp_skip(&c), 0);
		size_t half = (size_t)(c.p - t->proof[i]);
		fn(arg, t->proof_type[i], t->proof[i], half,
		   t->proof[i] + half, t->proof_len[i] - half);
	}
	return t->n_proofs;
}

static uint64_t toy_vv_version(void *ctx)
{
	struct toy *t = ctx;
	uint64_t n = 0;
	for (size_t i = 0; i < t->n; i++)
		n += t->f[i].n;
	return n; /* toys only grow */
}

static const struct net_gossip_replica toy_ops = {
    .vv = toy_vv,
    .feed_seq = toy_feed_seq,
    .read_range = toy_read_range,
    .state_digest = toy_state_digest,
    .checkpoint = toy_checkpoint,
    .checkpoint_seen = toy_checkpoint_seen,
    .proof_add = toy_proof_add,
    .proofs = toy_proofs,
    .vv_version = toy_vv_version,
};

/* Applies consecutive entries as the ledger would: in order, stopping at
 * the first that fails. */
static int toy_ingest(struct toy *t, const uint8_t *p, size_t len, size_t count,
		      size_t *applied)
{
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, p, len, true);
	*applied = 0;
	for (size_t i = 0; i < count; i++) {
		const uint8_t *start = c.p, *body, *sig;
		size_t n, blen, slen;
		assert_int_equal(crdt_mp_read_array(&c, &n), 0);
		assert_int_equal(crdt_mp_read_bin(&c, &body, &blen), 0);
		assert_int_equal(crdt_mp_read_bin(&c, &sig, &slen), 0);
		if (blen < BODY_HDR || sig[0] == 0xee)
			return -EBADMSG;
		uint64_t seq = 0;
		for (int k = 0; k < 8; k++)
			seq = seq << 8 | body[32 + k];
		char scope[13];
		memcpy(scope, body + 40, 13);
		scope[12] = '\0';
		struct toy_feed *f = toy_find(t, body, scope, true);
		if (seq > f->n + 1)
			return -EAGAIN;
		size_t len_e = (size_t)(c.p - start);
		if (seq <= f->n && (f->len[seq - 1] != len_e ||
				    memcmp(f->e[seq - 1], start, len_e))) {
			toy_keep(t, NET_WIRE_FORK, f->e[seq - 1],
				 f->len[seq - 1], start, len_e);
			return -EEXIST;
		}
		if (seq == f->n + 1)
			toy_append(f, start, (size_t)(c.p - start));
		(*applied)++;
	}
	return 0;
}

static bool toy_equal(const struct toy *a, const struct toy *b)
{
	size_t na = 0, nb = 0;
	for (size_t i = 0; i < a->n; i++) {
		const struct toy_feed *f = &a->f[i];
		if (f->n == 0)
			continue;
		na++;
		struct toy_feed *g =
		    toy_find((struct toy *)b, f->author, f->scope, false);
		if (!g || g->n != f->n)
			return false;
		for (size_t k = 0; k < f->n; k++)
			if (g->len[k] != f->len[k] ||
			    memcmp(g->e[k], f->e[k], f->len[k]) != 0)
				return false;
	}
	for (size_t i = 0; i < b->n; i++)
		nb += b->f[i].n > 0;
	return na == nb;
}

/* ---------------------------------------------------------------------- */
/* The harness: nodes, a FIFO message queue, a virtual clock.             */

#define MAX_NODES 4
#define MAX_LOG 64

struct msg {
	uint32_t from, to;
	uint8_t *bytes;
	size_t len;
};

struct node {
	struct toy toy;
	struct net_gossip *g;
	uint64_t timer_at;
	bool has_timer;
	size_t n_disc;
	unsigned whole[MAX_NODES]; /* HEADS_SHOWN seen, by peer */
	const char *disc_reason[MAX_LOG];
	uint64_t disc_ms[MAX_LOG];
};

struct net {
	size_t n;
	struct node node[MAX_NODES];
	bool link[MAX_NODES][MAX_NODES];
	struct msg *q;
	size_t q_head, q_n, q_cap;
	uint64_t now;
	uint64_t rng;
	unsigned drop_pct, dup_pct;
	/* counters by message type, over the whole run */
	uint64_t sent_type[8], sent_bytes;
	uint64_t sent_to[MAX_NODES][MAX_NODES]; /* messages, by link */
	int ingest_rc; /* when not 0, every ingest reports it, none applied */
	bool defer;    /* hold INGESTs in held[] until the test runs them */
	struct held {
		uint32_t node;
		uint64_t id;
		uint8_t *bytes;
		size_t len, count;
	} held[16];
	size_t n_held;
};

static void enqueue(struct net *w, uint32_t from, uint32_t to,
		    const uint8_t *bytes, size_t len)
{
	if (w->q_n == w->q_cap) {
		w->q_cap = w->q_cap ? w->q_cap * 2 : 64;
		w->q = realloc(w->q, w->q_cap * sizeof(*w->q));
	}
	struct msg *m = &w->q[w->q_n++];
	m->from = from;
	m->to = to;
	m->bytes = malloc(len);
	memcpy(m->bytes, bytes, len);
	m->len = len;
}

static void handle(struct net *w, uint32_t self, struct net_gossip_actions *a)
{
	struct node *nd = &w->node[self];
	for (size_t k = 0; k < a->n; k++) {
		struct net_gossip_action act = a->v[k];
		switch (act.kind) {
		case NET_GOSSIP_SEND:
			assert_true(act.len <= NET_WIRE_MAX_MSG_BYTES);
			w->sent_bytes += act.len;
			if (act.len > 2 && act.bytes[2] < 8)
				w->sent_type[act.bytes[2]]++;
			w->sent_to[self][act.peer]++;
			if (!w->link[self][act.peer])
				break;
			if (splitmix64(&w->rng) % 100 < w->drop_pct)
				break;
			enqueue(w, self, act.peer, act.bytes, act.len);
			if (splitmix64(&w->rng) % 100 < w->dup_pct)
				enqueue(w, self, act.peer, act.bytes, act.len);
			break;
		case NET_GOSSIP_INGEST: {
			if (w->defer) {
				assert_true(w->n_held < 16);
				struct held *h = &w->held[w->n_held++];
				h->node = self;
				h->id = act.id;
				h->bytes = act.bytes;
				h->len = act.len;
				h->count = act.count;
				a->v[k].bytes = NULL; /* held owns them */
				break;
			}
			size_t applied = 0;
			int rc = w->ingest_rc;
			if (rc == 0)
				rc = toy_ingest(&nd->toy, act.bytes, act.len,
						act.count, &applied);
			net_gossip_on_ingested(nd->g, act.id, applied, rc,
					       w->now, a);
			break;
		}
		case NET_GOSSIP_DISCONNECT:
			assert_non_null(act.reason);
			if (nd->n_disc < MAX_LOG) {
				nd->disc_reason[nd->n_disc] = act.reason;
				nd->disc_ms[nd->n_disc] = act.ms;
			}
			nd->n_disc++;
			if (w->link[self][act.peer]) {
				struct net_gossip_actions o;
				net_gossip_actions_init(&o);
				w->link[self][act.peer] = false;
				w->link[act.peer][self] = false;
				net_gossip_on_peer_down(w->node[act.peer].g,
							self, w->now, &o);
				handle(w, act.peer, &o);
				net_gossip_actions_fini(&o);
			}
			break;
		case NET_GOSSIP_TIMER:
			nd->has_timer = true;
			nd->timer_at = w->now + act.ms;
			break;
		case NET_GOSSIP_HEADS_SHOWN:
			nd->whole[act.peer]++;
			break;
		}
	}
	net_gossip_actions_reset(a);
}

static void net_init(struct net *w, size_t n, const struct net_gossip_cfg *c,
		     uint64_t seed)
{
	memset(w, 0, sizeof(*w));
	w->n = n;
	w->rng = seed;
	w->now = 1000;
	for (size_t i = 0; i < n; i++) {
		struct net_gossip_cfg cfg = *c;
		cfg.seed = seed + i;
		assert_int_equal(net_gossip_new(&cfg, &toy_ops, &w->node[i].toy,
						&w->node[i].g),
				 0);
	}
}

static void net_start(struct net *w)
{
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	for (uint32_t i = 0; i < w->n; i++) {
		net_gossip_on_start(w->node[i].g, w->now, &a);
		handle(w, i, &a);
	}
	for (uint32_t i = 0; i < w->n; i++)
		for (uint32_t j = 0; j < w->n; j++)
			if (i != j)
				w->link[i][j] = true;
	for (uint32_t i = 0; i < w->n; i++)
		for (uint32_t j = 0; j < w->n; j++)
			if (i != j) {
				net_gossip_on_peer_up(w->node[i].g, j, w->now,
						      &a);
				handle(w, i, &a);
			}
	net_gossip_actions_fini(&a);
}

static void net_fini(struct net *w)
{
	for (size_t i = w->q_head; i < w->q_n; i++)
		free(w->q[i].bytes);
	free(w->q);
	for (size_t i = 0; i < w->n; i++) {
		net_gossip_free(w->node[i].g);
		toy_free(&w->node[i].toy);
	}
}

/* Delivers every queued message (and what they cause). */
static void deliver_all(struct net *w)
{
	struct net_gossip_actions a;
	size_t delivered = 0;
	net_gossip_actions_init(&a);
	while (w->q_head < w->q_n) {
		struct msg m = w->q[w->q_head++];
		if (++delivered > 100000)
			fail_msg("messages never stop: a hot loop");
		if (w->link[m.from][m.to]) {
			net_gossip_on_message(w->node[m.to].g, m.from, m.bytes,
					      m.len, w->now, &a);
			handle(w, m.to, &a);
		}
		free(m.bytes);
	}
	w->q_head = w->q_n = 0;
	net_gossip_actions_fini(&a);
}

/* Runs until `until`: deliver, then fire the earliest timer. */
static void run_until(struct net *w, uint64_t until)
{
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	for (;;) {
		deliver_all(w);
		size_t best = SIZE_MAX;
		for (size_t i = 0; i < w->n; i++)
			if (w->node[i].has_timer &&
			    (best == SIZE_MAX ||
			     w->node[i].timer_at < w->node[best].timer_at))
				best = i;
		if (best == SIZE_MAX || w->node[best].timer_at > until)
			break;
		w->now = w->node[best].timer_at;
		w->node[best].has_timer = false;
		net_gossip_on_timer(w->node[best].g, w->now, &a);
		handle(w, (uint32_t)best, &a);
	}
	if (w->now < until)
		w->now = until;
	net_gossip_actions_fini(&a);
}

static bool all_equal(struct net *w)
{
	for (size_t i = 1; i < w->n; i++)
		if (!toy_equal(&w->node[0].toy, &w->node[i].toy))
			return false;
	return true;
}

/* ---------------------------------------------------------------------- */

static void test_two_converge(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 2, &cfg, 1);
	toy_write(&w.node[0].toy, 1, "120116", 50, 100);
	toy_write(&w.node[0].toy, 1, "120116001", 3, 100);
	toy_write(&w.node[1].toy, 2, "12", 7, 100);
	/* B already holds a prefix of one of A's feeds. */
	uint8_t a1[32];
	memset(a1, 1, 32);
	struct toy_feed *fa = toy_find(&w.node[0].toy, a1, "120116", false);
	struct toy_feed *fb = toy_find(&w.node[1].toy, a1, "120116", true);
	for (size_t k = 0; k < 20; k++)
		toy_append(fb, fa->e[k], fa->len[k]);
	assert_false(all_equal(&w));
	net_start(&w);
	/* peer_up's DIGEST alone converges them, before any round. */
	deliver_all(&w);
	assert_true(all_equal(&w));
	net_fini(&w);
}

static void test_three_converge_batches_and_chunks(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	cfg.batch_bytes = 4096; /* many batches per feed */
	cfg.pull_entries = 7;
	cfg.list_bytes = 64 + 2 * 91; /* two feeds per VECTOR chunk */
	cfg.max_inflight = 2;
	net_init(&w, 3, &cfg, 2);
	static const char *scopes[] = {"12", "1201", "120116", "120116001",
				       "120116001001"};
	for (uint8_t i = 0; i < 3; i++)
		for (size_t s = 0; s < 5; s++)
			toy_write(&w.node[i].toy, (uint8_t)(10 + i), scopes[s],
				  10 + 13 * s + i, 900);
	net_start(&w);
	run_until(&w, w.now + 10 * cfg.round_ms);
	assert_true(all_equal(&w));
	assert_true(w.sent_type[NET_WIRE_VECTOR] > 0);
	/* Every node pulled the other two's 5 feeds in many batches. */
	struct net_gossip_stats st;
	net_gossip_stats(w.node[0].g, &st);
	assert_true(st.pulls_sent >= 10);
	net_fini(&w);
}

static void test_announce_triggers_pull(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	struct net_gossip_actions a;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 3, &cfg, 3);
	net_start(&w);
	deliver_all(&w);
	assert_true(all_equal(&w));

	toy_write(&w.node[0].toy, 9, "120116001", 1, 64);
	uint8_t a9[32];
	memset(a9, 9, 32);
	net_gossip_actions_init(&a);
	net_gossip_on_local_write(w.node[0].g, a9, "120116001", 1, w.now, &a);
	size_t announces = 0;
	for (size_t k = 0; k < a.n; k++)
		announces += a.v[k].kind == NET_GOSSIP_SEND &&
			     a.v[k].bytes[2] == NET_WIRE_ANNOUNCE;
	assert_int_equal(announces, 2); /* one per connected peer */
	handle(&w, 0, &a);
	net_gossip_actions_fini(&a);
	/* No timer fires: the ANNOUNCE alone gets it pulled. */
	deliver_all(&w);
	assert_true(all_equal(&w));
	assert_int_equal(toy_feed_seq(&w.node[2].toy, a9, "120116001"), 1);
	net_fini(&w);
}

/* A far-behind node keeps at most max_inflight pulls on a peer. */
static void test_inflight_bounded(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	cfg.max_inflight = 3;
	net_init(&w, 2, &cfg, 4);
	static const char *scopes[] = {"12", "13", "14", "15", "16",
				       "17", "18", "19", "21", "22"};
	for (size_t s = 0; s < 10; s++)
		toy_write(&w.node[1].toy, 5, scopes[s], 3, 10);
	net_start(&w);
	/* Deliver step by step and watch the queue: never more than 3 PULLs
	 * from 0 to 1 outstanding without their ENTRIES. */
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	int outstanding = 0, most = 0;
	while (w.q_head < w.q_n) {
		struct msg m = w.q[w.q_head++];
		if (m.len > 2 && m.bytes[2] == NET_WIRE_PULL)
			outstanding++;
		if (m.len > 2 && m.bytes[2] == NET_WIRE_ENTRIES)
			outstanding--;
		/* count pulls queued but not yet answered */
		int queued = 0;
		for (size_t i = w.q_head; i < w.q_n; i++)
			queued +=
			    w.q[i].len > 2 && w.q[i].bytes[2] == NET_WIRE_PULL;
		if (outstanding + queued > most)
			most = outstanding + queued;
		net_gossip_on_message(w.node[m.to].g, m.from, m.bytes, m.len,
				      w.now, &a);
		handle(&w, m.to, &a);
		free(m.bytes);
	}
	net_gossip_actions_fini(&a);
	assert_true(most >= 1);
	assert_true(most <= 3);
	assert_true(all_equal(&w));
	net_fini(&w);
}

/* Runs held ingest i (the toy applies it or reports a gap) and whatever
 * it causes; removes it from held[]. */
static void run_held(struct net *w, size_t i)
{
	struct held h = w->held[i];
	memmove(&w->held[i], &w->held[i + 1],
		(w->n_held - i - 1) * sizeof(w->held[0]));
	w->n_held--;
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	size_t applied = 0;
	int rc = toy_ingest(&w->node[h.node].toy, h.bytes, h.len, h.count,
			    &applied);
	free(h.bytes);
	net_gossip_on_ingested(w->node[h.node].g, h.id, applied, rc, w->now,
			       &a);
	handle(w, h.node, &a);
	net_gossip_actions_fini(&a);
}

static size_t count_type(const struct net *w, uint8_t type)
{
	size_t n = 0;
	for (size_t i = w->q_head; i < w->q_n; i++)
		n += w->q[i].len > 2 && w->q[i].bytes[2] == type;
	return n;
}

/* A feed far behind is pulled feed_depth batches deep before the first
 * batch is applied; a batch that arrives before its predecessor applied
 * (reported as a gap) is pulled again, and the replicas still converge. */
static void test_feed_pulled_ahead(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	cfg.pull_entries = 4;
	cfg.feed_depth = 3;
	net_init(&w, 2, &cfg, 11);
	toy_write(&w.node[1].toy, 7, "120116", 40, 20);
	net_start(&w);
	w.defer = true;
	deliver_all(&w);
	/* Three batches arrived, none applied yet: no fourth PULL. */
	assert_int_equal(w.n_held, 3);
	assert_int_equal(count_type(&w, NET_WIRE_PULL), 0);
	/* The second batch first: a gap, so nothing applies and it will be
	 * pulled again. */
	run_held(&w, 1);
	assert_int_equal(w.n_held, 2);
	/* The first applies and a PULL ahead of the third goes out. */
	run_held(&w, 0);
	assert_int_equal(count_type(&w, NET_WIRE_PULL), 1);
	w.defer = false;
	run_held(&w, 0);
	run_until(&w, w.now + 20 * cfg.round_ms);
	assert_true(all_equal(&w));
	net_fini(&w);
}

/* Equal vectors, different states: the digests show it, a checkpoint goes
 * out, the proof it makes floods to every node once; an invalid proof
 * disconnects its sender. */
static void test_divergence_proof_floods(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 3, &cfg, 21);
	for (uint8_t i = 0; i < 3; i++) {
		w.node[i].toy.id = i;
		toy_write(&w.node[i].toy, 1, "120116", 3, 10);
	}
	w.node[2].toy.state = 0x55; /* node 2 diverged */
	net_start(&w);
	run_until(&w, w.now + 10 * cfg.round_ms);
	for (size_t i = 0; i < 3; i++) {
		/* 0 and 1 each proved it against 2; 2 proved both. */
		assert_int_equal(w.node[i].toy.n_proofs, 2);
		assert_int_equal(w.node[i].n_disc, 0);
	}
	uint64_t proofs_sent = 0;
	for (size_t i = 0; i < 3; i++) {
		struct net_gossip_stats st;
		net_gossip_stats(w.node[i].g, &st);
		proofs_sent += st.msgs_sent;
	}
	/* Quiet again: rounds do not resend proofs. */
	uint64_t before = proofs_sent;
	run_until(&w, w.now + 10 * cfg.round_ms);
	proofs_sent = 0;
	for (size_t i = 0; i < 3; i++) {
		struct net_gossip_stats st;
		net_gossip_stats(w.node[i].g, &st);
		proofs_sent += st.msgs_sent;
	}
	/* DIGESTs (2 per node per round) and the checkpoints they still
	 * draw (one per differing pair and round), nothing more. */
	assert_true(proofs_sent - before <= 10 * 3 * (2 + 2));

	/* An invalid proof disconnects its sender. */
	struct crdt_buf a, m;
	crdt_buf_init(&a);
	crdt_buf_init(&m);
	toy_signed(&a, 0xee, 0);
	struct net_wire_msg msg;
	memset(&msg, 0, sizeof(msg));
	msg.type = NET_WIRE_DIVERGENCE;
	msg.a = a.data;
	msg.a_len = a.len;
	msg.b = a.data;
	msg.b_len = a.len;
	net_wire_encode(&m, &msg);
	struct net_gossip_actions acts;
	net_gossip_actions_init(&acts);
	net_gossip_on_message(w.node[0].g, 1, m.data, m.len, w.now, &acts);
	handle(&w, 0, &acts);
	net_gossip_actions_fini(&acts);
	assert_int_equal(w.node[0].n_disc, 1);
	assert_string_equal(w.node[0].disc_reason[0], "toy: invalid proof");
	crdt_buf_fini(&a);
	crdt_buf_fini(&m);
	net_fini(&w);
}

/* Two replicas hold different entries at one seq of a feed (its author
 * forked it): the vectors show equal seqs and different heads, one side
 * pulls the other's entry, its ingest keeps the fork proof, and the proof
 * floods to every node; the entry is pulled once, not every round. */
static void test_fork_found_from_vectors(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 3, &cfg, 31);
	for (size_t i = 0; i < 2; i++)
		toy_write(&w.node[i].toy, 9, "120116", 2, 10);
	toy_write(&w.node[0].toy, 9, "120116", 1, 10);
	toy_write(&w.node[1].toy, 9, "120116", 1, 11); /* the fork */
	net_start(&w);
	run_until(&w, w.now + 10 * cfg.round_ms);
	uint64_t pulls = 0;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(w.node[i].toy.n_proofs, 1);
		assert_int_equal(w.node[i].toy.proof_type[0], NET_WIRE_FORK);
		assert_int_equal(w.node[i].n_disc, 0);
		struct net_gossip_stats st;
		net_gossip_stats(w.node[i].g, &st);
		pulls += st.fork_pulls;
	}
	assert_true(pulls >= 1);
	assert_true(pulls <= 4); /* once per peer and fork, not per round */
	net_fini(&w);
}

/* A VECTOR of many chunks: the receiver is told the peer has shown its
 * heads once every chunk has come in order, and not when one is lost; a
 * DIGEST equal to the receiver's own vector shows them too. */
static void test_vector_whole_across_chunks(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	cfg.list_bytes = 64 + 3 * 91; /* three feeds a chunk */
	net_init(&w, 2, &cfg, 41);
	static const char *scopes[] = {"12", "13", "14", "15", "16",
				       "17", "18", "19", "21", "22"};
	for (size_t i = 0; i < 10; i++)
		toy_write(&w.node[1].toy, 5, scopes[i], 1, 10);
	net_start(&w);
	deliver_all(&w);
	assert_true(w.sent_type[NET_WIRE_VECTOR] >= 4); /* chunks */
	assert_int_equal(w.node[0].whole[1], 1);
	/* Node 1 now asks again; a chunk of node 0's answer is lost. */
	toy_write(&w.node[0].toy, 6, "120116", 1, 10);
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	w.node[1].whole[0] = 0;
	uint8_t d[32];
	memset(d, 0xaa, sizeof(d)); /* a digest that differs */
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_DIGEST;
	memcpy(m.digest, d, 32);
	struct crdt_buf b;
	crdt_buf_init(&b);
	net_wire_encode(&b, &m);
	net_gossip_on_message(w.node[0].g, 1, b.data, b.len, w.now, &a);
	/* Node 0's answer: VECTOR chunks to node 1; drop the second. */
	size_t chunk = 0;
	for (size_t k = 0; k < a.n; k++) {
		struct net_gossip_action *act = &a.v[k];
		if (act->kind != NET_GOSSIP_SEND || act->len < 3 ||
		    act->bytes[2] != NET_WIRE_VECTOR)
			continue;
		if (chunk++ == 1)
			continue;
		struct net_gossip_actions o;
		net_gossip_actions_init(&o);
		net_gossip_on_message(w.node[1].g, 0, act->bytes, act->len,
				      w.now, &o);
		for (size_t j = 0; j < o.n; j++)
			if (o.v[j].kind == NET_GOSSIP_HEADS_SHOWN)
				w.node[1].whole[0]++;
		net_gossip_actions_fini(&o);
	}
	assert_true(chunk >= 3);
	assert_int_equal(w.node[1].whole[0], 0);
	/* A DIGEST equal to node 1's own vector shows every head too. */
	struct net_wire_feed *f;
	size_t n;
	assert_int_equal(toy_vv(&w.node[1].toy, &f, &n), 0);
	net_gossip_vv_digest(f, n, m.digest);
	free(f);
	crdt_buf_reset(&b);
	net_wire_encode(&b, &m);
	net_gossip_actions_reset(&a);
	net_gossip_on_message(w.node[1].g, 0, b.data, b.len, w.now, &a);
	size_t shown = 0;
	for (size_t k = 0; k < a.n; k++)
		if (a.v[k].kind == NET_GOSSIP_HEADS_SHOWN) {
			assert_string_equal(a.v[k].reason, "equal_digest");
			shown++;
		}
	assert_int_equal(shown, 1);
	net_gossip_actions_fini(&a);
	crdt_buf_fini(&b);
	net_fini(&w);
}

static void test_malformed_disconnects_with_backoff(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	struct net_gossip_actions a;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 2, &cfg, 5);
	net_start(&w);
	deliver_all(&w);
	net_gossip_actions_init(&a);

	static const uint8_t junk[] = {0x93, 0x01, 0x04, 0xff};
	net_gossip_on_message(w.node[0].g, 1, junk, sizeof(junk), w.now, &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.v[0].kind, NET_GOSSIP_DISCONNECT);
	assert_int_equal(a.v[0].peer, 1);
	assert_int_equal(a.v[0].ms, cfg.backoff_base_ms);
	assert_non_null(a.v[0].reason);
	printf("disconnect reason: %s\n", a.v[0].reason);
	handle(&w, 0, &a);

	/* Reconnecting during the backoff is refused again. */
	net_gossip_on_peer_up(w.node[0].g, 1, w.now + 10, &a);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.v[0].kind, NET_GOSSIP_DISCONNECT);
	assert_int_equal(a.v[0].ms, cfg.backoff_base_ms - 10);
	net_gossip_actions_reset(&a);

	/* After it, the peer is back; a second offence doubles the wait. */
	w.now += cfg.backoff_base_ms;
	net_gossip_on_peer_up(w.node[0].g, 1, w.now, &a);
	assert_int_equal(a.v[0].kind, NET_GOSSIP_SEND);
	net_gossip_actions_reset(&a);
	static const uint8_t v2[] = {0x93, 0x02, 0x01, 0xc0};
	net_gossip_on_message(w.node[0].g, 1, v2, sizeof(v2), w.now, &a);
	assert_int_equal(a.v[0].kind, NET_GOSSIP_DISCONNECT);
	assert_int_equal(a.v[0].ms, 2 * cfg.backoff_base_ms);
	net_gossip_actions_reset(&a);

	/* While disconnected its messages are ignored. */
	net_gossip_on_message(w.node[0].g, 1, junk, sizeof(junk), w.now + 1,
			      &a);
	assert_int_equal(a.n, 0);

	/* Unknown types and unasked ENTRIES are no offence. */
	net_gossip_on_peer_up(w.node[1].g, 0, w.now, &a);
	net_gossip_actions_reset(&a);
	static const uint8_t unknown[] = {0x93, 0x01, 0x63, 0xc0};
	net_gossip_on_message(w.node[1].g, 0, unknown, sizeof(unknown), w.now,
			      &a);
	assert_int_equal(a.n, 0);
	struct crdt_buf e, b;
	crdt_buf_init(&e);
	crdt_buf_init(&b);
	uint8_t au[32];
	memset(au, 3, 32);
	size_t len;
	uint8_t *ent = toy_entry(au, "12", 1, 5, false, &len);
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ENTRIES;
	memcpy(m.author, au, 32);
	strcpy(m.scope, "12");
	m.from_seq = 1;
	m.have_seq = 1;
	m.n_entries = 1;
	m.entries = ent;
	m.entries_len = len;
	net_wire_encode(&b, &m);
	net_gossip_on_message(w.node[1].g, 0, b.data, b.len, w.now, &a);
	assert_int_equal(a.n, 0);
	free(ent);
	crdt_buf_fini(&e);
	crdt_buf_fini(&b);
	net_gossip_actions_fini(&a);
	net_fini(&w);
}

/* A peer whose entries the ledger rejects is disconnected. */
static void test_bad_entry_disconnects(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 2, &cfg, 6);
	toy_write(&w.node[1].toy, 4, "12", 5, 10);
	/* Node 1 serves a forged third entry. */
	uint8_t a4[32];
	memset(a4, 4, 32);
	struct toy_feed *f = toy_find(&w.node[1].toy, a4, "12", false);
	free(f->e[2]);
	f->e[2] = toy_entry(a4, "12", 3, 10, true, &f->len[2]);
	net_start(&w);
	deliver_all(&w);
	assert_int_equal(w.node[0].n_disc, 1);
	assert_string_equal(w.node[0].disc_reason[0],
			    "peer sent an entry the ledger rejects");
	assert_int_equal(toy_feed_seq(&w.node[0].toy, a4, "12"), 2);
	assert_false(w.link[0][1]);
	net_fini(&w);
}

/* When nothing changes, a round costs well under 2 KB per peer. */
static void test_idle_traffic_small(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 3, &cfg, 7);
	for (uint8_t i = 0; i < 3; i++)
		for (int s = 0; s < 40; s++) {
			char scope[13];
			snprintf(scope, sizeof(scope), "1201%02d", s + 11);
			toy_write(&w.node[i].toy, (uint8_t)(20 + i), scope, 5,
				  50);
		}
	net_start(&w);
	run_until(&w, w.now + 5 * cfg.round_ms);
	assert_true(all_equal(&w));
	uint64_t before = w.sent_bytes;
	uint64_t rounds = 50;
	run_until(&w, w.now + rounds * cfg.round_ms);
	uint64_t per_peer_round = (w.sent_bytes - before) / rounds / 3;
	printf("idle: %" PRIu64 " bytes per node per round\n", per_peer_round);
	assert_true(per_peer_round < 2048);
	assert_true(w.sent_bytes > before); /* rounds did run */
	assert_int_equal(w.node[0].n_disc, 0);
	net_fini(&w);
}

/* With lost and duplicated messages, rounds still converge. */
static void test_lossy_converges(void **state)
{
	(void)state;
	uint64_t seed = test_seed("test_lossy_converges");
	for (int run = 0; run < 20; run++) {
		struct net_gossip_cfg cfg;
		struct net w;
		uint64_t s = seed + (uint64_t)run;
		net_gossip_cfg_default(&cfg);
		cfg.batch_bytes = 2048;
		cfg.pull_timeout_ms = cfg.round_ms;
		net_init(&w, 3, &cfg, s);
		w.drop_pct = 25;
		w.dup_pct = 20;
		for (uint8_t i = 0; i < 3; i++)
			toy_write(&w.node[i].toy, (uint8_t)(30 + i), "120116",
				  1 + splitmix64(&s) % 60, 300);
		net_start(&w);
		run_until(&w, w.now + 100 * cfg.round_ms);
		if (!all_equal(&w))
			fail_msg("run %d (seed %" PRIu64 ") did not converge",
				 run, seed + (uint64_t)run);
		assert_int_equal(
		    w.node[0].n_disc + w.node[1].n_disc + w.node[2].n_disc, 0);
		net_fini(&w);
	}
}

/* An entry that cannot apply yet (-EAGAIN on the first of a batch) is
 * asked for again by a later round, not at once in a loop. */
static void test_gap_does_not_spin(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 2, &cfg, 8);
	toy_write(&w.node[1].toy, 6, "12", 3, 10);
	w.ingest_rc = -EAGAIN;
	net_start(&w);
	uint64_t rounds = 10;
	run_until(&w, w.now + rounds * cfg.round_ms);
	uint64_t pulls = w.sent_type[NET_WIRE_PULL];
	printf("gap: %" PRIu64 " pulls in %" PRIu64 " rounds\n", pulls, rounds);
	assert_true(pulls >= 2);	  /* it does retry */
	assert_true(pulls <= 3 * rounds); /* once or twice a round */
	assert_int_equal(w.node[0].n_disc, 0);
	/* Once the entries can apply, the next round gets them. */
	w.ingest_rc = 0;
	run_until(&w, w.now + 3 * cfg.round_ms);
	assert_true(all_equal(&w));
	net_fini(&w);
}

/* ---------------------------------------------------------------------- */
/* A hostile member (issue 8): what one peer can make a node believe, hold */
/* and do. Node 1's messages are forged by the test and handed to node 0. */

static void inject(struct net *w, uint32_t from, uint32_t to,
		   const struct net_wire_msg *m)
{
	struct crdt_buf b;
	struct net_gossip_actions a;
	crdt_buf_init(&b);
	net_wire_encode(&b, m);
	net_gossip_actions_init(&a);
	net_gossip_on_message(w->node[to].g, from, b.data, b.len, w->now, &a);
	handle(w, to, &a);
	net_gossip_actions_fini(&a);
	crdt_buf_fini(&b);
}

static void self_cfg(struct net_gossip_cfg *cfg, uint8_t self)
{
	net_gossip_cfg_default(cfg);
	cfg->has_self = true;
	memset(cfg->self, self, 32);
}

/* Claims of a node's own feed at a higher seq (PULL from 2^63, ANNOUNCE,
 * a whole VECTOR, an unsolicited ENTRIES) never make it refuse writes, and
 * a VECTOR claiming more of its own feed does not confirm its heads. */
static void test_claims_never_block_writes(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	char scope[13];
	self_cfg(&cfg, 1);
	net_init(&w, 2, &cfg, 11);
	toy_write(&w.node[0].toy, 1, "120116", 3, 20);
	net_start(&w);
	run_until(&w, w.now + 3 * cfg.round_ms);
	assert_false(net_gossip_own_behind(w.node[0].g, scope));
	unsigned shown = w.node[0].whole[1];

	struct net_wire_feed f;
	memset(&f, 0, sizeof(f));
	memset(f.author, 1, 32);
	strcpy(f.scope, "120116");
	f.seq = 1000;
	memset(f.head, 0x42, 32);
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_PULL;
	memcpy(m.author, f.author, 32);
	strcpy(m.scope, f.scope);
	m.from_seq = UINT64_C(1) << 63;
	m.max_entries = 1;
	inject(&w, 1, 0, &m);
	assert_false(net_gossip_own_behind(w.node[0].g, scope));

	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ANNOUNCE;
	m.feeds = &f;
	m.n_feeds = 1;
	inject(&w, 1, 0, &m);
	assert_false(net_gossip_own_behind(w.node[0].g, scope));

	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_VECTOR;
	m.last = true;
	m.feeds = &f;
	m.n_feeds = 1;
	inject(&w, 1, 0, &m);
	assert_false(net_gossip_own_behind(w.node[0].g, scope));
	assert_int_equal(w.node[0].whole[1], shown); /* not confirmed */

	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ENTRIES;
	memcpy(m.author, f.author, 32);
	strcpy(m.scope, f.scope);
	m.from_seq = 4;
	m.have_seq = UINT64_C(1) << 62;
	inject(&w, 1, 0, &m);
	assert_false(net_gossip_own_behind(w.node[0].g, scope));
	net_fini(&w);
}

/* A verified entry of the node's own feed that it lacks is evidence: the
 * node refuses to sign until it has applied it. */
static void test_verified_own_entry_blocks_until_applied(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	char scope[13];
	self_cfg(&cfg, 1);
	net_init(&w, 2, &cfg, 12);
	/* Node 1 holds two more entries of node 0's own feed (node 0 was
	 * restored from an older copy). */
	toy_write(&w.node[1].toy, 1, "120116", 5, 20);
	uint8_t a[32];
	memset(a, 1, 32);
	struct toy_feed *src = toy_find(&w.node[1].toy, a, "120116", false);
	struct toy_feed *dst = toy_find(&w.node[0].toy, a, "120116", true);
	for (size_t i = 0; i < 3; i++)
		toy_append(dst, src->e[i], src->len[i]);
	w.defer = true;
	net_start(&w);
	deliver_all(&w);
	assert_int_equal(w.node[0].whole[1], 0); /* its vector is ahead */
	assert_int_equal(w.n_held, 1);
	struct held h = w.held[0];
	assert_int_equal(h.node, 0);
	assert_false(net_gossip_own_behind(w.node[0].g, scope)); /* a claim */
	net_gossip_on_verified(w.node[0].g, h.id, h.count);
	assert_true(net_gossip_own_behind(w.node[0].g, scope));
	assert_string_equal(scope, "120116");
	size_t applied;
	assert_int_equal(toy_ingest(&w.node[0].toy, h.bytes, h.len, h.count,
				    &applied),
			 0);
	struct net_gossip_actions out;
	net_gossip_actions_init(&out);
	net_gossip_on_ingested(w.node[0].g, h.id, applied, 0, w.now, &out);
	handle(&w, 0, &out);
	net_gossip_actions_fini(&out);
	free(h.bytes);
	w.n_held = 0;
	assert_false(net_gossip_own_behind(w.node[0].g, scope));
	w.defer = false;
	run_until(&w, w.now + 3 * cfg.round_ms);
	assert_true(w.node[0].whole[1] > 0); /* now its heads confirm ours */
	net_fini(&w);
}

/* A DIGEST flood costs one read of the vector, a few VECTOR answers, and
 * is cut at the budget before any work. */
static void test_digest_flood_bounded(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 2, &cfg, 13);
	toy_write(&w.node[0].toy, 5, "120116", 3, 20);
	net_start(&w);
	run_until(&w, w.now + 3 * cfg.round_ms);
	uint64_t calls = w.node[0].toy.vv_calls;
	uint64_t vectors = w.sent_type[NET_WIRE_VECTOR];
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_DIGEST;
	for (int i = 0; i < 3000; i++) {
		m.digest[0] = (uint8_t)i;
		m.digest[1] = (uint8_t)(i >> 8);
		inject(&w, 1, 0, &m);
	}
	assert_true(w.node[0].toy.vv_calls - calls <= 1);
	assert_true(w.sent_type[NET_WIRE_VECTOR] - vectors <= cfg.max_vectors);
	struct net_gossip_peer_info pi;
	net_gossip_peer_info(w.node[0].g, 1, &pi);
	assert_true(pi.over_budget >= 3000 - cfg.max_digests);
	net_fini(&w);
}

/* ANNOUNCEs of 20,000 random feeds each: the wants stay bounded and the
 * items read per round stop at the budget. */
static void test_announce_flood_bounded(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 2, &cfg, 14);
	net_start(&w);
	run_until(&w, w.now + cfg.round_ms);
	size_t n = 20000;
	struct net_wire_feed *f = calloc(n, sizeof(*f));
	uint64_t rng = 99;
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ANNOUNCE;
	m.feeds = f;
	m.n_feeds = n;
	struct net_gossip_stats st0, st1;
	net_gossip_stats(w.node[0].g, &st0);
	for (int k = 0; k < 16; k++) {
		for (size_t i = 0; i < n; i++) {
			for (int b = 0; b < 32; b += 8) {
				uint64_t r = splitmix64(&rng);
				memcpy(f[i].author + b, &r, 8);
			}
			strcpy(f[i].scope, "120116");
			f[i].seq = 7;
		}
		inject(&w, 1, 0, &m);
	}
	free(f);
	net_gossip_stats(w.node[0].g, &st1);
	struct net_gossip_peer_info pi;
	net_gossip_peer_info(w.node[0].g, 1, &pi);
	assert_true(pi.wants <= 4096);
	/* 65,536 items a round: three messages and a bit were read. */
	assert_true(st1.over_budget - st0.over_budget >= 12);
	/* The next round the budget is back. */
	run_until(&w, w.now + cfg.round_ms + cfg.round_ms / 5);
	net_gossip_peer_info(w.node[0].g, 1, &pi);
	assert_true(pi.up);
	net_fini(&w);
}

/* FORK spam: at most max_proofs a round reach the replica, and a new
 * proof is passed on alone, to the other peers, not back. */
static void test_fork_spam_bounded(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 3, &cfg, 15);
	net_start(&w);
	run_until(&w, w.now + cfg.round_ms);
	uint64_t to1 = w.sent_type[NET_WIRE_FORK];
	uint8_t author[32];
	memset(author, 9, 32);
	for (int i = 0; i < 200; i++) {
		size_t la, lb;
		uint8_t *ea = toy_entry(author, "120116", (uint64_t)i + 1, 4,
					false, &la);
		uint8_t *eb = toy_entry(author, "120116", (uint64_t)i + 1, 5,
					false, &lb);
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_FORK;
		m.a = ea;
		m.a_len = la;
		m.b = eb;
		m.b_len = lb;
		inject(&w, 2, 0, &m);
		free(ea);
		free(eb);
	}
	assert_int_equal(w.node[0].toy.n_proofs, cfg.max_proofs);
	/* Each new one went to node 1 once: not all of them each time. */
	assert_int_equal(w.sent_type[NET_WIRE_FORK] - to1, cfg.max_proofs);
	assert_int_equal(w.sent_to[0][2] > 0, true); /* DIGESTs at least */
	net_fini(&w);
}

/* Every connected peer hears from a node every round, whatever the
 * fanout: a link silent for two rounds is dead, and the transport tears it
 * down. */
static void test_every_peer_hears_each_round(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	cfg.fanout = 1;
	net_init(&w, 4, &cfg, 16);
	net_start(&w);
	run_until(&w, w.now + 3 * cfg.round_ms);
	uint64_t before[MAX_NODES][MAX_NODES];
	memcpy(before, w.sent_to, sizeof(before));
	run_until(&w, w.now + 10 * cfg.round_ms);
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
			if (i != j)
				assert_true(w.sent_to[i][j] - before[i][j] >=
					    8);
	net_fini(&w);
}

/* An author at its feed cap (-EDQUOT) is not the relayer's offence, and
 * its feeds new to us are not pulled again and again. */
static void test_feed_cap_not_an_offence(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net w;
	net_gossip_cfg_default(&cfg);
	net_init(&w, 2, &cfg, 17);
	for (int s = 0; s < 20; s++) {
		char scope[13];
		snprintf(scope, sizeof(scope), "1201%02d", s + 11);
		toy_write(&w.node[1].toy, 0x33, scope, 2, 10);
	}
	w.ingest_rc = -EDQUOT;
	net_start(&w);
	run_until(&w, w.now + 10 * cfg.round_ms);
	assert_int_equal(w.node[0].n_disc, 0);
	assert_int_equal(w.node[1].n_disc, 0);
	/* The first refusal marks the author; at most the pulls then in
	 * flight were answered. */
	assert_true(w.sent_type[NET_WIRE_PULL] <= cfg.max_inflight);
	net_fini(&w);
}

static void test_cfg_checked(void **state)
{
	(void)state;
	struct net_gossip_cfg cfg;
	struct net_gossip *g;
	net_gossip_cfg_default(&cfg);
	cfg.batch_bytes = NET_WIRE_MAX_MSG_BYTES;
	assert_int_equal(net_gossip_new(&cfg, &toy_ops, NULL, &g), -EINVAL);
	net_gossip_cfg_default(&cfg);
	cfg.fanout = 0;
	assert_int_equal(net_gossip_new(&cfg, &toy_ops, NULL, &g), -EINVAL);
	net_gossip_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_two_converge),
	    cmocka_unit_test(test_three_converge_batches_and_chunks),
	    cmocka_unit_test(test_announce_triggers_pull),
	    cmocka_unit_test(test_inflight_bounded),
	    cmocka_unit_test(test_feed_pulled_ahead),
	    cmocka_unit_test(test_divergence_proof_floods),
	    cmocka_unit_test(test_fork_found_from_vectors),
	    cmocka_unit_test(test_vector_whole_across_chunks),
	    cmocka_unit_test(test_malformed_disconnects_with_backoff),
	    cmocka_unit_test(test_bad_entry_disconnects),
	    cmocka_unit_test(test_idle_traffic_small),
	    cmocka_unit_test(test_lossy_converges),
	    cmocka_unit_test(test_gap_does_not_spin),
	    cmocka_unit_test(test_cfg_checked),
	    cmocka_unit_test(test_claims_never_block_writes),
	    cmocka_unit_test(test_verified_own_entry_blocks_until_applied),
	    cmocka_unit_test(test_digest_flood_bounded),
	    cmocka_unit_test(test_announce_flood_bounded),
	    cmocka_unit_test(test_fork_spam_bounded),
	    cmocka_unit_test(test_every_peer_hears_each_round),
	    cmocka_unit_test(test_feed_cap_not_an_offence),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
