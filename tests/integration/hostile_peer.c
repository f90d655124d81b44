/*
 * hostile_peer.c: a test-only malicious roster member (issue 8). It runs as
 * the member whose data directory it is given (that node's own daemon must
 * not run), connects to the honest nodes over the real transport and, for
 * the given number of seconds, mounts one attack that breaks no signature:
 *
 *   claim      claims each peer's own feed far ahead: PULL from 2^63, an
 *              ANNOUNCE and an unasked ENTRIES with have_seq 2^40
 *   views      ANNOUNCEs of 20,000 random feeds, 16 a second to each peer
 *   forkspam   2,000 pairs of its own conflicting entries as FORK messages
 *   digests    3,000 DIGESTs a second to each peer
 *   feeds      4,096 feeds of its own, one entry each, announced and served
 *
 *   hostile_peer --data DIR --attack NAME [--seconds N] [--insecure]
 *
 * Prints one line per event on stdout; exits 0 after N seconds (10).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crdt/crdt.h"
#include "net/tls.h"
#include "net/transport.h"
#include "net/wire.h"
#include "node/api/node_int.h"
#include "tests/integration/test_peer.h"
#include "node/ledger/ledger.h"

#define FEEDS 4096u
#define FORK_PAIRS 2000u

struct own_entry {
	char scope[13];
	uint8_t *wire;
	size_t len;
};

struct hostile {
	struct node_ctx *n;
	struct net_transport *t;
	const struct node_roster *r;
	const char *attack;
	uint8_t net_id[32];
	int wake_pipe[2];
	bool *up;
	uint64_t sent, dropped;
	struct own_entry *feeds; /* "feeds": one entry per feed */
	size_t n_feeds;
};

static void wake(void *arg)
{
	struct hostile *h = arg;
	char c = 1;
	if (write(h->wake_pipe[1], &c, 1) < 0) {
		/* the pipe is full: poll wakes anyway */
	}
}

static void send_msg(struct hostile *h, uint32_t peer,
		     const struct net_wire_msg *m)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	net_wire_encode(&b, m);
	if (net_transport_send(h->t, peer, b.data, b.len) == 0)
		h->sent++;
	else
		h->dropped++;
	crdt_buf_fini(&b);
}

/* One signed entry of ours: seq of feed scope, creating a record of type,
 * chained on prev. */
static void make_entry(struct hostile *h, const char *scope, uint64_t seq,
		       const uint8_t prev[32], const char *type,
		       struct crdt_buf *wire)
{
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_CREATE;
	op.name = type;
	op.name_len = strlen(type);
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, h->n->pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", scope);
	e.seq = seq;
	memcpy(e.prev, prev, 32);
	e.hlc = ((uint64_t)time(NULL) * 1000u) << 16;
	e.roster_version = h->r->version;
	e.n_ops = 1;
	e.ops = &op;
	crdt_entity_id(op.entity, e.author, e.scope, e.seq, 0);
	struct crdt_buf body;
	crdt_buf_init(&body);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	crdt_entry_sign(sig, h->net_id, body.data, body.len, h->n->sk);
	crdt_entry_encode_wire(wire, body.data, body.len, sig);
	crdt_buf_fini(&body);
}

/* A village code under the member's scope (canonical: no zero level). */
static void village(const struct hostile *h, unsigned i, char out[13])
{
	const struct node_member *me = node_roster_find(h->r, h->n->pk);
	snprintf(out, 13, "%.6s%03u%03u", me->scope, (i / 999 + 1) % 1000,
		 i % 999 + 1);
}

static void prepare_feeds(struct hostile *h)
{
	uint8_t zero[32] = {0};
	h->feeds = calloc(FEEDS, sizeof(*h->feeds));
	for (unsigned i = 0; i < FEEDS; i++) {
		struct crdt_buf w;
		crdt_buf_init(&w);
		village(h, i, h->feeds[i].scope);
		make_entry(h, h->feeds[i].scope, 1, zero, "patient", &w);
		h->feeds[i].wire = crdt_buf_take(&w, &h->feeds[i].len);
	}
	h->n_feeds = FEEDS;
}

static void attack_claim(struct hostile *h, uint32_t peer)
{
	const struct node_member *m = &h->r->members[peer];
	struct net_wire_msg msg;
	memset(&msg, 0, sizeof(msg));
	msg.type = NET_WIRE_PULL;
	memcpy(msg.author, m->key, 32);
	snprintf(msg.scope, sizeof(msg.scope), "%s", m->scope);
	msg.from_seq = UINT64_C(1) << 63;
	msg.max_entries = 1;
	send_msg(h, peer, &msg);
	struct net_wire_feed f;
	memset(&f, 0, sizeof(f));
	memcpy(f.author, m->key, 32);
	snprintf(f.scope, sizeof(f.scope), "%s", m->scope);
	f.seq = UINT64_C(1) << 40;
	memset(&msg, 0, sizeof(msg));
	msg.type = NET_WIRE_ANNOUNCE;
	msg.feeds = &f;
	msg.n_feeds = 1;
	send_msg(h, peer, &msg);
	memset(&msg, 0, sizeof(msg));
	msg.type = NET_WIRE_ENTRIES;
	memcpy(msg.author, m->key, 32);
	snprintf(msg.scope, sizeof(msg.scope), "%s", m->scope);
	msg.from_seq = 1;
	msg.have_seq = UINT64_C(1) << 40;
	send_msg(h, peer, &msg);
}

static void attack_views(struct hostile *h, uint32_t peer)
{
	size_t n = 20000;
	struct net_wire_feed *f = calloc(n, sizeof(*f));
	for (size_t i = 0; i < n; i++) {
		randombytes_buf(f[i].author, 32);
		snprintf(f[i].scope, sizeof(f[i].scope), "120116");
		f[i].seq = 1 + (uint64_t)(i % 1000);
	}
	struct net_wire_msg msg;
	memset(&msg, 0, sizeof(msg));
	msg.type = NET_WIRE_ANNOUNCE;
	msg.feeds = f;
	msg.n_feeds = n;
	send_msg(h, peer, &msg);
	free(f);
}

static void attack_digests(struct hostile *h, uint32_t peer)
{
	struct net_wire_msg msg;
	memset(&msg, 0, sizeof(msg));
	msg.type = NET_WIRE_DIGEST;
	for (int i = 0; i < 300; i++) {
		randombytes_buf(msg.digest, 32);
		send_msg(h, peer, &msg);
	}
}

static void attack_forkspam(struct hostile *h, uint32_t peer)
{
	uint8_t zero[32] = {0};
	const struct node_member *me = node_roster_find(h->r, h->n->pk);
	for (unsigned i = 0; i < FORK_PAIRS / 4; i++) {
		struct crdt_buf a, b;
		crdt_buf_init(&a);
		crdt_buf_init(&b);
		uint64_t seq = 1000 + (uint64_t)randombytes_uniform(1u << 30);
		make_entry(h, me->scope, seq, zero, "patient", &a);
		make_entry(h, me->scope, seq, zero, "guardian", &b);
		struct net_wire_msg msg;
		memset(&msg, 0, sizeof(msg));
		msg.type = NET_WIRE_FORK;
		msg.a = a.data;
		msg.a_len = a.len;
		msg.b = b.data;
		msg.b_len = b.len;
		send_msg(h, peer, &msg);
		crdt_buf_fini(&a);
		crdt_buf_fini(&b);
	}
}

static void attack_feeds(struct hostile *h, uint32_t peer)
{
	size_t per = 2000, i = 0;
	while (i < h->n_feeds) {
		size_t k = h->n_feeds - i < per ? h->n_feeds - i : per;
		struct net_wire_feed *f = calloc(k, sizeof(*f));
		for (size_t j = 0; j < k; j++) {
			memcpy(f[j].author, h->n->pk, 32);
			memcpy(f[j].scope, h->feeds[i + j].scope, 13);
			f[j].seq = 1;
		}
		struct net_wire_msg msg;
		memset(&msg, 0, sizeof(msg));
		msg.type = NET_WIRE_ANNOUNCE;
		msg.feeds = f;
		msg.n_feeds = k;
		send_msg(h, peer, &msg);
		free(f);
		i += k;
	}
}

/* Serves the "feeds" attack's entries to whoever pulls them. */
static void serve_pull(struct hostile *h, uint32_t peer,
		       const struct net_wire_msg *in)
{
	if (memcmp(in->author, h->n->pk, 32) != 0 || in->from_seq != 1)
		return;
	for (size_t i = 0; i < h->n_feeds; i++) {
		if (strcmp(h->feeds[i].scope, in->scope) != 0)
			continue;
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_ENTRIES;
		memcpy(m.author, h->n->pk, 32);
		memcpy(m.scope, in->scope, 13);
		m.from_seq = 1;
		m.have_seq = 1;
		m.n_entries = 1;
		m.entries = h->feeds[i].wire;
		m.entries_len = h->feeds[i].len;
		send_msg(h, peer, &m);
		return;
	}
}

static void round_of(struct hostile *h, uint32_t peer)
{
	if (!strcmp(h->attack, "claim"))
		attack_claim(h, peer);
	else if (!strcmp(h->attack, "views"))
		for (int i = 0; i < 4; i++)
			attack_views(h, peer);
	else if (!strcmp(h->attack, "digests"))
		attack_digests(h, peer);
	else if (!strcmp(h->attack, "forkspam"))
		attack_forkspam(h, peer);
	else if (!strcmp(h->attack, "feeds"))
		attack_feeds(h, peer);
}

static void on_event(void *arg, const struct net_transport_event *ev)
{
	struct hostile *h = arg;
	const char *name =
	    ev->peer < h->r->n_members ? h->r->members[ev->peer].name : "?";
	switch (ev->kind) {
	case NET_TRANSPORT_PEER_UP:
		printf("up %s\n", name);
		h->up[ev->peer] = true;
		break;
	case NET_TRANSPORT_PEER_DOWN:
		printf("down %s\n", name);
		h->up[ev->peer] = false;
		break;
	case NET_TRANSPORT_REJECTED:
		printf("rejected %s %s\n", name, ev->reason);
		break;
	case NET_TRANSPORT_DROPPED:
		break;
	case NET_TRANSPORT_MESSAGE: {
		struct net_wire_msg in;
		const char *why;
		if (net_wire_decode(ev->bytes, ev->len, &in, &why) != 0)
			break;
		if (in.type == NET_WIRE_PULL && h->n_feeds)
			serve_pull(h, ev->peer, &in);
		net_wire_msg_fini(&in);
		break;
	}
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *dir = NULL, *attack = NULL;
	int seconds = 10;
	bool insecure = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--attack") && i + 1 < argc)
			attack = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--insecure"))
			insecure = true;
		else
			dir = NULL, i = argc;
	}
	if (!dir || !attack) {
		fprintf(stderr, "usage: hostile_peer --data DIR --attack "
				"claim|views|forkspam|digests|feeds "
				"[--seconds N] [--insecure]\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	struct hostile h = {0};
	h.attack = attack;
	char msg[512];
	if (node_ctx_open(dir, &h.n, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "hostile_peer: %s\n", msg);
		return 1;
	}
	h.r = node_ledger_roster(h.n->ledger);
	if (!h.r) {
		fprintf(stderr, "hostile_peer: not joined\n");
		return 1;
	}
	node_ledger_net_id(h.n->ledger, h.net_id);
	if (!strcmp(attack, "feeds"))
		prepare_feeds(&h);
	h.up = calloc(h.r->n_members, sizeof(*h.up));
	if (pipe(h.wake_pipe) != 0)
		return 1;
	int rc = test_peer_transport_open(h.n, dir, insecure, wake, &h,
					  &h.t, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "hostile_peer: %s\n", msg);
		return 1;
	}
	printf("attack %s for %d s\n", attack, seconds);
	fflush(stdout);
	uint64_t end = test_peer_mono_ms() + (uint64_t)seconds * 1000u, next = 0;
	while (test_peer_mono_ms() < end) {
		struct pollfd pfd = {.fd = h.wake_pipe[0], .events = POLLIN};
		if (poll(&pfd, 1, 50) > 0) {
			char buf[64];
			if (read(h.wake_pipe[0], buf, sizeof(buf)) < 0)
				break;
		}
		net_transport_poll(h.t, test_peer_mono_ms(), on_event, &h);
		net_transport_tick(h.t, test_peer_mono_ms());
		/* Forks and feeds once per connection; the rest every
		 * quarter of a second. */
		if (test_peer_mono_ms() >= next) {
			for (uint32_t p = 0; p < h.r->n_members; p++)
				if (h.up[p])
					round_of(&h, p);
			bool once = !strcmp(attack, "forkspam") ||
				    !strcmp(attack, "feeds");
			next = test_peer_mono_ms() + (once ? 2000u : 250u);
		}
	}
	printf("sent %llu dropped %llu\n", (unsigned long long)h.sent,
	       (unsigned long long)h.dropped);
	net_transport_close(h.t);
	for (size_t i = 0; i < h.n_feeds; i++)
		free(h.feeds[i].wire);
	free(h.feeds);
	free(h.up);
	node_ctx_close(h.n);
	return 0;
}
