/*
 * forge_peer.c: a test-only malicious member. It runs as the roster member
 * whose data directory it is given (that node's own daemon must not run),
 * announces the member's own feed to every peer that connects, and answers
 * PULLs with that feed's entries after flipping a bit in the signature of
 * the last one: a forged entry from an authenticated peer. Honest nodes
 * must disconnect it and store nothing of the forged entry.
 *
 *   forge_peer --data DIR [--seconds N] [--insecure] [--malformed]
 *
 * With --malformed the last entry's body is broken instead (its ops array
 * header becomes a map's): a malformed entry, which the log must not call
 * a bad signature.
 *
 * Prints one line per event on stdout; exits 0 after N seconds (10).
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "net/tls.h"
#include "net/transport.h"
#include "net/wire.h"
#include "node/api/node_int.h"
#include "tests/integration/test_peer.h"
#include "node/ledger/ledger.h"

struct forger {
	struct node_ctx *n;
	struct net_transport *t;
	const struct node_roster *r;
	char scope[13];
	uint64_t head;
	int wake_pipe[2];
	bool malformed;
};

static void wake(void *arg)
{
	struct forger *f = arg;
	char c = 1;
	if (write(f->wake_pipe[1], &c, 1) < 0) {
		/* the pipe is full: poll wakes anyway */
	}
}

static void send_msg(struct forger *f, uint32_t peer,
		     const struct net_wire_msg *m)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	net_wire_encode(&b, m);
	net_transport_send(f->t, peer, b.data, b.len);
	crdt_buf_fini(&b);
}

static void announce(struct forger *f, uint32_t peer)
{
	struct net_wire_feed feed = {.seq = f->head};
	memcpy(feed.author, f->n->pk, 32);
	snprintf(feed.scope, sizeof(feed.scope), "%s", f->scope);
	struct net_wire_msg m = {
	    .type = NET_WIRE_ANNOUNCE, .n_feeds = 1, .feeds = &feed};
	send_msg(f, peer, &m);
}

static void on_event(void *arg, const struct net_transport_event *ev)
{
	struct forger *f = arg;
	const char *name =
	    ev->peer < f->r->n_members ? f->r->members[ev->peer].name : "?";
	switch (ev->kind) {
	case NET_TRANSPORT_PEER_UP:
		printf("up %s\n", name);
		announce(f, ev->peer);
		break;
	case NET_TRANSPORT_PEER_DOWN:
		printf("down %s\n", name);
		break;
	case NET_TRANSPORT_REJECTED:
		printf("rejected %s %s\n", name, ev->reason);
		break;
	case NET_TRANSPORT_DROPPED:
		printf("dropped %s %" PRIu64 "\n", ev->reason, ev->count);
		break;
	case NET_TRANSPORT_MESSAGE: {
		struct net_wire_msg in;
		const char *why;
		if (net_wire_decode(ev->bytes, ev->len, &in, &why) != 0)
			break;
		/* A peer's round: it may have ignored our first ANNOUNCE
		 * (sent before its own connection to us was up). */
		if (in.type == NET_WIRE_DIGEST)
			announce(f, ev->peer);
		if (in.type == NET_WIRE_PULL &&
		    !memcmp(in.author, f->n->pk, 32) &&
		    !strcmp(in.scope, f->scope) && in.from_seq <= f->head) {
			struct crdt_buf e;
			crdt_buf_init(&e);
			int k = node_ledger_read_range(
			    f->n->ledger, f->n->pk, f->scope, in.from_seq,
			    (size_t)in.max_entries, 256u * 1024u, &e);
			if (k > 0) {
				/* The signature is the last 64 bytes of the
				 * last entry: forge it. Or break that entry's
				 * body: its first byte, an array of 8, becomes
				 * a map of 8 (malformed). */
				if (f->malformed) {
					struct crdt_mp_cursor c;
					crdt_mp_cursor_init(&c, e.data, e.len,
							    true);
					for (int j = 0; j + 1 < k; j++)
						crdt_mp_skip(&c);
					const uint8_t *body;
					size_t n, blen;
					if (crdt_mp_read_array(&c, &n) == 0 &&
					    crdt_mp_read_bin(&c, &body,
							     &blen) == 0)
						e.data[body - e.data] = 0x88;
				} else {
					e.data[e.len - 1] ^= 0x01;
				}
				struct net_wire_msg m = {
				    .type = NET_WIRE_ENTRIES,
				    .from_seq = in.from_seq,
				    .have_seq = f->head,
				    .n_entries = (size_t)k,
				    .entries = e.data,
				    .entries_len = e.len,
				};
				memcpy(m.author, f->n->pk, 32);
				snprintf(m.scope, sizeof(m.scope), "%s",
					 f->scope);
				send_msg(f, ev->peer, &m);
				printf("forged %s seq %llu..%llu\n", name,
				       (unsigned long long)in.from_seq,
				       (unsigned long long)(in.from_seq +
							    (uint64_t)k - 1));
			}
			crdt_buf_fini(&e);
		}
		net_wire_msg_fini(&in);
		break;
	}
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int seconds = 10;
	bool insecure = false, malformed = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc)
			dir = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			seconds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--insecure"))
			insecure = true;
		else if (!strcmp(argv[i], "--malformed"))
			malformed = true;
		else
			dir = NULL, i = argc;
	}
	if (!dir) {
		fprintf(stderr, "usage: forge_peer --data DIR [--seconds N] "
				"[--insecure]\n");
		return 2;
	}
	struct forger f = {0};
	f.malformed = malformed;
	char msg[512];
	if (node_ctx_open(dir, &f.n, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "forge_peer: %s\n", msg);
		return 1;
	}
	f.r = node_ledger_roster(f.n->ledger);
	struct node_feed_head *h;
	size_t nh;
	if (!f.r || node_ledger_heads(f.n->ledger, &h, &nh) != 0) {
		fprintf(stderr, "forge_peer: not joined\n");
		return 1;
	}
	for (size_t i = 0; i < nh; i++)
		if (!memcmp(h[i].author, f.n->pk, 32)) {
			snprintf(f.scope, sizeof(f.scope), "%s", h[i].scope);
			f.head = h[i].seq;
		}
	free(h);
	if (!f.head) {
		fprintf(stderr, "forge_peer: write something first\n");
		return 1;
	}
	if (pipe(f.wake_pipe) != 0)
		return 1;
	int rc = test_peer_transport_open(f.n, dir, insecure, wake, &f,
					  &f.t, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "forge_peer: %s\n", msg);
		return 1;
	}
	printf("serving feed %s up to seq %llu\n", f.scope,
	       (unsigned long long)f.head);
	fflush(stdout);
	uint64_t end = test_peer_mono_ms() + (uint64_t)seconds * 1000u;
	while (test_peer_mono_ms() < end) {
		struct pollfd pfd = {.fd = f.wake_pipe[0], .events = POLLIN};
		if (poll(&pfd, 1, 200) > 0) {
			char buf[64];
			if (read(f.wake_pipe[0], buf, sizeof(buf)) < 0)
				break;
		}
		net_transport_poll(f.t, test_peer_mono_ms(), on_event, &f);
		net_transport_tick(f.t, test_peer_mono_ms());
	}
	net_transport_close(f.t);
	node_ctx_close(f.n);
	return 0;
}
