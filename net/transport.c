/*
 * transport.c: gossip's connections over nng streams (see transport.h for
 * the shape). We own every connection: an nng stream listener accepts,
 * one nng stream dialer per peer dials, and each connection speaks the
 * SP-over-TCP framing of nng's pair1 protocol itself (RFC sp-tcp-mapping:
 * an 8-byte header "\0SP\0" + protocol 0x0011 + "\0\0", then frames of a
 * 64-bit big-endian length and a payload that starts with pair1's 32-bit
 * hop count), so older nodes that use nng pair1 sockets still talk to us.
 *
 * Why not nng's sockets, as before: an nng socket shows a connection only
 * after its TLS and SP handshakes, which nng 1.5.2 never times out, so
 * outsiders could hold any number of descriptors unseen (issue 8, finding
 * 5); and a pair1 socket keeps one send queue across its connections and
 * reports connections and messages on different threads, which let a
 * stale hello answer go out first on a new connection and left a peer
 * "up" on a connection that was gone (finding 6). Here a connection is an
 * object: its events carry its own id, never reused; its queue dies with
 * it; its deadline covers the handshakes.
 *
 * Threads: nng's threads run the callbacks below. They read frames, stamp
 * arrival times, queue events under t->mu and wake the loop; the accept
 * callback also enforces the caps on connections in their handshake. A
 * connection is freed only by the loop, after its receive chain reported
 * it closed (EV_CLOSED), and only after it left t->conns under t->mu, so
 * any thread holding t->mu may close one it finds there.
 *
 * nng's own errors are translated here, once.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <nng/nng.h>
#include <nng/supplemental/tls/tls.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdt/crdt.h"
#include "net/transport.h"

#define HELLO_NONCE 7u
#define HELLO_ANSWER 8u
/* Messages queued on one connection before a send reports -EAGAIN. */
#define SEND_QUEUE_MSGS 64
#define RECONNECT_MIN_MS 250
#define RECONNECT_MAX_MS 30000
/* After accept fails (out of descriptors, typically), try again after
 * this rather than spin. */
#define ACCEPT_RETRY_MS 100
/* Before a connection is identified its frames are hellos (103 bytes): a
 * larger one is refused before anything is allocated for it. */
#define PREHELLO_MAX_BYTES 512u
/* A closed connection whose receive has not ended after this has it
 * aborted (see net_transport_tick). */
#define CLOSE_STUCK_MS 1000
#define URL_MAX 300
#define ADDR_MAX 64

/* pair1 over SP/TCP. */
#define SP_PROTO_PAIR1 0x11u
#define SP_HEADER_BYTES 8u
#define FRAME_LEN_BYTES 8u
#define PAIR1_HOPS_BYTES 4u

enum drop_kind {
	DROP_DEADLINE,
	DROP_PENDING_CAP,
	DROP_PER_IP_CAP,
	DROP_HANDSHAKE_FAILED,
	DROP_ACCEPT_FAILED,
	DROP_IDLE,
	DROP_DIAL_DEADLINE,
	N_DROPS
};

static const char *const drop_names[N_DROPS] = {
    "handshake_deadline", "pending_cap", "per_ip_cap",	  "handshake_failed",
    "accept_failed",	  "idle",	 "dial_deadline",
};

enum ev_kind { EV_MSG, EV_CLOSED, EV_DIALED, EV_DIAL_FAILED };

/* An event queued by an nng thread. */
struct qev {
	struct qev *next;
	enum ev_kind kind;
	uint64_t conn; /* the connection's id */
	uint32_t peer; /* EV_DIALED, EV_DIAL_FAILED */
	uint8_t *bytes;
	size_t len;
};

struct txm {
	struct txm *next;
	size_t len;
	uint8_t data[]; /* the whole frame */
};

enum rx_phase { RX_SP, RX_LEN, RX_BODY };

struct conn {
	struct conn *next; /* in t->conns; under t->mu */
	struct net_transport *t;
	uint64_t id;
	nng_stream *s;
	nng_aio *rxa, *txa;
	bool inbound;
	char addr[ADDR_MAX]; /* remote HOST:PORT */
	char ip[ADDR_MAX];   /* remote host, the per-IP cap's key */
	uint64_t since_ms;
	uint8_t nonce[32]; /* inbound: the nonce we sent */
	/* Under t->mu. */
	uint32_t peer;	    /* dialed: the peer; inbound: once identified */
	bool hello_done;    /* inbound: identified; dialed: nonce answered */
	bool dead;	    /* out of t->conns; the loop is freeing it */
	bool closed;	    /* nng_stream_close called */
	uint64_t closed_ms; /* when, CLOCK_MONOTONIC */
	int drop;	    /* why we closed it (enum drop_kind), or -1 */
	struct txm *txq, *txq_tail;
	size_t tx_n;
	bool tx_busy;
	/* The send callback's (and its starter's) alone. */
	struct txm *tx_cur;
	size_t tx_off;
	/* The receive callback's alone. */
	enum rx_phase rx_phase;
	uint8_t rx_hdr[SP_HEADER_BYTES];
	size_t rx_got;
	uint8_t *rx_body;
	size_t rx_len;
	bool rx_fail; /* a protocol error, not the network's */
	/* Written by the receive callback, read by the loop. */
	_Atomic uint64_t last_rx_ms;
	_Atomic bool big_ok; /* identified: frames up to the message limit */
};

struct peer {
	struct net_transport *t;
	uint32_t idx;
	uint8_t key[32];
	char url[URL_MAX];
	nng_tls_config *tls;
	nng_stream_dialer *sd;
	nng_aio *da;
	_Atomic bool dial_sleeping; /* da: a sleep (true) or a dial */
	bool dial_busy;		    /* da in flight (loop's view) */
	struct conn *dc;	    /* our dialed connection, if any (loop) */
	bool up;
	bool redial_now; /* dial again without backoff when dc closes */
	uint64_t backoff_ms;
	uint64_t blocked_until_ms;
	uint64_t idle_from_ms; /* no idle teardown before idle_ms after this */
	uint64_t
	    last_rx_gone_ms; /* latest arrival on a connection now closed */
	struct net_transport_peer_info info;
};

struct drop {
	uint64_t count, total;
	uint64_t reported_ms;
	bool reported;
	uint32_t peer;
	char addr[ADDR_MAX];
};

struct net_transport {
	uint8_t net_id[32], pk[32];
	const uint8_t *sk;
	bool insecure;
	uint32_t self;
	size_t n;
	uint64_t idle_ms;
	struct peer *peers;
	uint8_t (*keys)[32];
	char lurl[URL_MAX];
	nng_tls_config *ltls;
	nng_stream_listener *sl;
	nng_aio *aa;
	bool accept_sleeping; /* the accept callback's alone */
	uint64_t stuck; /* dialed connections given up as never ending */
	uint64_t now_ms;
	pthread_mutex_t mu;
	/* Under mu. */
	struct conn *conns;
	uint64_t next_id;
	struct qev *head, *tail;
	struct drop drops[N_DROPS];
	bool closing;
	void (*wake)(void *);
	void *wake_arg;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void net_transport_hello_signed(uint8_t out[NET_TRANSPORT_HELLO_SIGNED_BYTES],
				const uint8_t net_id[32],
				const uint8_t listener_key[32],
				const uint8_t dialer_key[32],
				const uint8_t nonce[32])
{
	memcpy(out, "ward-hello-v1", 13);
	memcpy(out + 13, net_id, 32);
	memcpy(out + 45, listener_key, 32);
	memcpy(out + 77, dialer_key, 32);
	memcpy(out + 109, nonce, 32);
}

const char *net_transport_hello_verify(const uint8_t net_id[32],
				       const uint8_t self_key[32],
				       const uint8_t (*keys)[32], size_t n,
				       uint32_t self, const uint8_t nonce[32],
				       const uint8_t *bytes, size_t len,
				       uint32_t *member, uint8_t claimed[32],
				       bool *has_claim)
{
	struct crdt_mp_cursor c;
	size_t k;
	uint64_t v, type;
	uint8_t key[32], sig[64];
	*has_claim = false;
	crdt_mp_cursor_init(&c, bytes, len, true);
	if (crdt_mp_read_array(&c, &k) || k != 4 || crdt_mp_read_uint(&c, &v) ||
	    v != 1 || crdt_mp_read_uint(&c, &type) || type != HELLO_ANSWER ||
	    crdt_mp_read_bin_fixed(&c, key, 32) ||
	    crdt_mp_read_bin_fixed(&c, sig, 64) || crdt_mp_left(&c) != 0)
		return "malformed_hello";
	memcpy(claimed, key, 32);
	*has_claim = true;
	uint32_t who = UINT32_MAX;
	for (size_t i = 0; i < n; i++)
		if (i != self && !memcmp(keys[i], key, 32))
			who = (uint32_t)i;
	if (who == UINT32_MAX)
		return "not_in_roster";
	uint8_t signed_bytes[NET_TRANSPORT_HELLO_SIGNED_BYTES];
	net_transport_hello_signed(signed_bytes, net_id, self_key, key, nonce);
	/* Until the signature verifies, the key is only a claim: the
	 * rejection must not be pinned on the member it names. */
	if (crypto_sign_verify_detached(sig, signed_bytes, sizeof(signed_bytes),
					key) != 0)
		return "bad_hello_signature";
	*member = who;
	return NULL;
}

static int errno_of(int nrv)
{
	switch (nrv) {
	case 0:
		return 0;
	case NNG_ENOMEM:
		return -ENOMEM;
	case NNG_EADDRINUSE:
		return -EADDRINUSE;
	case NNG_EADDRINVAL:
	case NNG_EINVAL:
		return -EINVAL;
	case NNG_EAGAIN:
		return -EAGAIN;
	case NNG_ECRYPTO:
		return -EBADMSG;
	default:
		return -EIO;
	}
}

/* ---- any thread ---- */

/* Under t->mu. */
static void enqueue_locked(struct net_transport *t, struct qev *e)
{
	if (t->closing) {
		free(e->bytes);
		free(e);
		return;
	}
	e->next = NULL;
	if (t->tail)
		t->tail->next = e;
	else
		t->head = e;
	t->tail = e;
	/* Under the lock, so that a transport being closed is never woken
	 * for (wake must not take a lock its caller could hold). */
	t->wake(t->wake_arg);
}

static void push(struct net_transport *t, enum ev_kind kind, uint64_t conn,
		 uint32_t peer, uint8_t *bytes, size_t len)
{
	struct qev *e = crdt_xcalloc(1, sizeof(*e));
	e->kind = kind;
	e->conn = conn;
	e->peer = peer;
	e->bytes = bytes;
	e->len = len;
	pthread_mutex_lock(&t->mu);
	enqueue_locked(t, e);
	pthread_mutex_unlock(&t->mu);
}

/* Counts one connection dropped for kind. Under t->mu. */
static void drop_note(struct net_transport *t, int kind, const char *addr,
		      uint32_t peer)
{
	struct drop *d = &t->drops[kind];
	d->count++;
	d->total++;
	d->peer = peer;
	snprintf(d->addr, sizeof(d->addr), "%s", addr ? addr : "");
}

/* Closes c's stream; its receive chain then reports EV_CLOSED. Under
 * t->mu, c still in t->conns: nng completes the aborted operations on its
 * own threads, never inside this call. */
static void close_locked(struct net_transport *t, struct conn *c, int drop)
{
	if (c->closed)
		return;
	c->closed = true;
	c->closed_ms = mono_ms();
	c->drop = drop;
	if (drop >= 0)
		drop_note(t, drop, c->addr, c->peer);
	nng_stream_close(c->s);
}

static void sockaddr_str(const nng_sockaddr *sa, char *addr, char *ip)
{
	char h[INET6_ADDRSTRLEN] = "";
	unsigned port = 0;
	if (sa->s_family == NNG_AF_INET) {
		inet_ntop(AF_INET, &sa->s_in.sa_addr, h, sizeof(h));
		port = ntohs(sa->s_in.sa_port);
		snprintf(addr, ADDR_MAX, "%s:%u", h, port);
	} else if (sa->s_family == NNG_AF_INET6) {
		inet_ntop(AF_INET6, sa->s_in6.sa_addr, h, sizeof(h));
		port = ntohs(sa->s_in6.sa_port);
		snprintf(addr, ADDR_MAX, "[%s]:%u", h, port);
	} else {
		snprintf(addr, ADDR_MAX, "?");
	}
	snprintf(ip, ADDR_MAX, "%s", *h ? h : "?");
}

/* Starts sending c's next queued frame, if none is in flight. The caller
 * holds no lock: nng may complete a send on this very thread. */
static void tx_kick(struct conn *c)
{
	struct net_transport *t = c->t;
	pthread_mutex_lock(&t->mu);
	if (c->tx_busy || !c->txq || c->closed) {
		pthread_mutex_unlock(&t->mu);
		return;
	}
	c->tx_busy = true;
	c->tx_cur = c->txq;
	c->txq = c->txq->next;
	if (!c->txq)
		c->txq_tail = NULL;
	c->tx_n--;
	c->tx_off = 0;
	pthread_mutex_unlock(&t->mu);
	nng_iov iov = {.iov_buf = c->tx_cur->data, .iov_len = c->tx_cur->len};
	nng_aio_set_iov(c->txa, 1, &iov);
	nng_stream_send(c->s, c->txa);
}

static void tx_cb(void *arg)
{
	struct conn *c = arg;
	struct net_transport *t = c->t;
	int rv = nng_aio_result(c->txa);
	if (rv == 0) {
		c->tx_off += nng_aio_count(c->txa);
		if (c->tx_off < c->tx_cur->len) {
			nng_iov iov = {.iov_buf = c->tx_cur->data + c->tx_off,
				       .iov_len = c->tx_cur->len - c->tx_off};
			nng_aio_set_iov(c->txa, 1, &iov);
			nng_stream_send(c->s, c->txa);
			return;
		}
	}
	free(c->tx_cur);
	c->tx_cur = NULL;
	pthread_mutex_lock(&t->mu);
	c->tx_busy = false;
	if (rv != 0 && !c->dead)
		close_locked(t, c, -1); /* the receive chain reports it */
	pthread_mutex_unlock(&t->mu);
	if (rv == 0)
		tx_kick(c);
}

/* Queues payload as one pair1 frame on c. 0, -EAGAIN (queue full),
 * -ENOTCONN (closed), -ENOMEM. Any thread, no lock held. */
static int conn_send(struct conn *c, const uint8_t *payload, size_t len,
		     bool raw)
{
	struct net_transport *t = c->t;
	size_t flen = raw ? len : FRAME_LEN_BYTES + PAIR1_HOPS_BYTES + len;
	struct txm *m = crdt_xmalloc(sizeof(*m) + flen);
	m->next = NULL;
	m->len = flen;
	if (raw) {
		memcpy(m->data, payload, len);
	} else {
		uint64_t fl = PAIR1_HOPS_BYTES + len;
		for (int i = 0; i < 8; i++)
			m->data[i] = (uint8_t)(fl >> (56 - 8 * i));
		/* pair1's hop count: one hop, as a pair1 socket sends. */
		m->data[8] = m->data[9] = m->data[10] = 0;
		m->data[11] = 1;
		memcpy(m->data + FRAME_LEN_BYTES + PAIR1_HOPS_BYTES, payload,
		       len);
	}
	pthread_mutex_lock(&t->mu);
	int rc = 0;
	if (c->closed)
		rc = -ENOTCONN;
	else if (c->tx_n >= SEND_QUEUE_MSGS)
		rc = -EAGAIN;
	if (rc) {
		pthread_mutex_unlock(&t->mu);
		free(m);
		return rc;
	}
	if (c->txq_tail)
		c->txq_tail->next = m;
	else
		c->txq = m;
	c->txq_tail = m;
	c->tx_n++;
	pthread_mutex_unlock(&t->mu);
	tx_kick(c);
	return 0;
}

static void rx_want(struct conn *c, uint8_t *buf, size_t len)
{
	nng_iov iov = {.iov_buf = buf, .iov_len = len};
	nng_aio_set_iov(c->rxa, 1, &iov);
	nng_stream_recv(c->s, c->rxa);
}

/* The receive chain: SP header, then frames (length, body), each body
 * queued as an EV_MSG; when it ends, EV_CLOSED, its last act. */
static void rx_cb(void *arg)
{
	struct conn *c = arg;
	struct net_transport *t = c->t;
	int rv = nng_aio_result(c->rxa);
	size_t got = rv == 0 ? nng_aio_count(c->rxa) : 0;
	if (rv == 0 && got == 0)
		rv = NNG_ECLOSED;
	if (rv == 0) {
		atomic_store(&c->last_rx_ms, mono_ms());
		c->rx_got += got;
		switch (c->rx_phase) {
		case RX_SP:
			if (c->rx_got < SP_HEADER_BYTES) {
				rx_want(c, c->rx_hdr + c->rx_got,
					SP_HEADER_BYTES - c->rx_got);
				return;
			}
			if (c->rx_hdr[0] != 0 || c->rx_hdr[1] != 'S' ||
			    c->rx_hdr[2] != 'P' || c->rx_hdr[3] != 0 ||
			    c->rx_hdr[4] != 0 ||
			    c->rx_hdr[5] != SP_PROTO_PAIR1 || c->rx_hdr[6] ||
			    c->rx_hdr[7]) {
				c->rx_fail = true;
				rv = NNG_EPROTO;
				break;
			}
			c->rx_phase = RX_LEN;
			c->rx_got = 0;
			rx_want(c, c->rx_hdr, FRAME_LEN_BYTES);
			return;
		case RX_LEN: {
			if (c->rx_got < FRAME_LEN_BYTES) {
				rx_want(c, c->rx_hdr + c->rx_got,
					FRAME_LEN_BYTES - c->rx_got);
				return;
			}
			uint64_t fl = 0;
			for (int i = 0; i < 8; i++)
				fl = fl << 8 | c->rx_hdr[i];
			uint64_t max = atomic_load(&c->big_ok)
					   ? NET_TRANSPORT_RECV_MAX_BYTES
					   : PREHELLO_MAX_BYTES;
			/* Checked before anything is allocated for it. */
			if (fl < PAIR1_HOPS_BYTES ||
			    fl > max + PAIR1_HOPS_BYTES) {
				c->rx_fail = true;
				rv = NNG_EMSGSIZE;
				break;
			}
			c->rx_body = crdt_xmalloc(fl);
			c->rx_len = fl;
			c->rx_phase = RX_BODY;
			c->rx_got = 0;
			rx_want(c, c->rx_body, fl);
			return;
		}
		case RX_BODY:
			if (c->rx_got < c->rx_len) {
				rx_want(c, c->rx_body + c->rx_got,
					c->rx_len - c->rx_got);
				return;
			}
			/* pair1 drops a message whose hop count is over
			 * 255; a direct peer's is 1. */
			if (c->rx_body[0] || c->rx_body[1] || c->rx_body[2]) {
				c->rx_fail = true;
				rv = NNG_EPROTO;
				break;
			}
			memmove(c->rx_body, c->rx_body + PAIR1_HOPS_BYTES,
				c->rx_len - PAIR1_HOPS_BYTES);
			push(t, EV_MSG, c->id, UINT32_MAX, c->rx_body,
			     c->rx_len - PAIR1_HOPS_BYTES);
			c->rx_body = NULL;
			c->rx_phase = RX_LEN;
			c->rx_got = 0;
			pthread_mutex_lock(&t->mu);
			bool dead = c->dead;
			pthread_mutex_unlock(&t->mu);
			if (dead)
				return;
			rx_want(c, c->rx_hdr, FRAME_LEN_BYTES);
			return;
		}
	}
	free(c->rx_body);
	c->rx_body = NULL;
	pthread_mutex_lock(&t->mu);
	if (!c->dead)
		close_locked(t, c, -1);
	pthread_mutex_unlock(&t->mu);
	push(t, EV_CLOSED, c->id, UINT32_MAX, NULL, 0);
}

/* A new connection on stream s (taken), linked into t->conns. Under
 * t->mu; NULL (s closed and freed) when out of memory. */
static struct conn *conn_new_locked(struct net_transport *t, nng_stream *s,
				    bool inbound, uint32_t peer)
{
	struct conn *c = crdt_xcalloc(1, sizeof(*c));
	if ((nng_aio_alloc(&c->rxa, rx_cb, c) ||
	     nng_aio_alloc(&c->txa, tx_cb, c))) {
		nng_aio_free(c->rxa);
		free(c);
		c = NULL;
	}
	if (!c) {
		nng_stream_close(s);
		nng_stream_free(s);
		return NULL;
	}
	c->t = t;
	c->s = s;
	c->id = ++t->next_id;
	c->inbound = inbound;
	c->peer = peer;
	c->drop = -1;
	c->since_ms = mono_ms();
	nng_sockaddr sa;
	if (nng_stream_get_addr(s, NNG_OPT_REMADDR, &sa) == 0)
		sockaddr_str(&sa, c->addr, c->ip);
	else
		snprintf(c->addr, sizeof(c->addr), "?");
	c->next = t->conns;
	t->conns = c;
	return c;
}

/* Sends our SP header (and, inbound, the nonce) and starts receiving. No
 * lock held; c is in t->conns. */
static void conn_start(struct conn *c)
{
	static const uint8_t sp[SP_HEADER_BYTES] = {
	    0, 'S', 'P', 0, 0, SP_PROTO_PAIR1, 0, 0};
	conn_send(c, sp, sizeof(sp), true);
	if (c->inbound) {
		struct crdt_buf b;
		crdt_buf_init(&b);
		crdt_pack_array(&b, 3);
		crdt_pack_uint(&b, 1);
		crdt_pack_uint(&b, HELLO_NONCE);
		crdt_pack_bin(&b, c->nonce, 32);
		conn_send(c, b.data, b.len, false);
		crdt_buf_fini(&b);
	}
	rx_want(c, c->rx_hdr, SP_HEADER_BYTES);
}

/* Makes room for one more inbound connection in its handshake from ip:
 * closes the oldest such from ip when ip is at its cap, else the oldest of
 * all when all are at theirs. Under t->mu. */
static void enforce_caps_locked(struct net_transport *t, const char *ip)
{
	size_t all = 0, same = 0;
	struct conn *oldest = NULL, *oldest_same = NULL;
	for (struct conn *c = t->conns; c; c = c->next) {
		if (!c->inbound || c->hello_done || c->closed)
			continue;
		all++;
		if (!oldest || c->id < oldest->id)
			oldest = c;
		if (!strcmp(c->ip, ip)) {
			same++;
			if (!oldest_same || c->id < oldest_same->id)
				oldest_same = c;
		}
	}
	if (same >= NET_TRANSPORT_PENDING_PER_IP)
		close_locked(t, oldest_same, DROP_PER_IP_CAP);
	else if (all >= NET_TRANSPORT_PENDING_MAX)
		close_locked(t, oldest, DROP_PENDING_CAP);
}

static void accept_cb(void *arg)
{
	struct net_transport *t = arg;
	int rv = nng_aio_result(t->aa);
	if (t->accept_sleeping) {
		t->accept_sleeping = false;
		if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
			return;
		nng_stream_listener_accept(t->sl, t->aa);
		return;
	}
	if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
		return;
	if (rv != 0) {
		/* Out of descriptors, typically: counted, and tried again
		 * shortly rather than in a tight loop. */
		pthread_mutex_lock(&t->mu);
		drop_note(t, DROP_ACCEPT_FAILED, nng_strerror(rv), UINT32_MAX);
		bool closing = t->closing;
		pthread_mutex_unlock(&t->mu);
		if (closing)
			return;
		t->accept_sleeping = true;
		nng_sleep_aio(ACCEPT_RETRY_MS, t->aa);
		return;
	}
	nng_stream *s = nng_aio_get_output(t->aa, 0);
	nng_sockaddr sa;
	char addr[ADDR_MAX] = "?", ip[ADDR_MAX] = "?";
	if (nng_stream_get_addr(s, NNG_OPT_REMADDR, &sa) == 0)
		sockaddr_str(&sa, addr, ip);
	pthread_mutex_lock(&t->mu);
	struct conn *c = NULL;
	bool closing = t->closing;
	if (closing) {
		nng_stream_close(s);
		nng_stream_free(s);
	} else {
		enforce_caps_locked(t, ip);
		c = conn_new_locked(t, s, true, UINT32_MAX);
		if (c)
			randombytes_buf(c->nonce, sizeof(c->nonce));
	}
	pthread_mutex_unlock(&t->mu);
	if (c)
		conn_start(c);
	if (!closing)
		nng_stream_listener_accept(t->sl, t->aa);
}

/* A peer's dial chain: a sleep (the backoff), then a dial; the loop
 * learns the outcome from EV_DIALED or EV_DIAL_FAILED. */
static void dial_cb(void *arg)
{
	struct peer *p = arg;
	struct net_transport *t = p->t;
	int rv = nng_aio_result(p->da);
	pthread_mutex_lock(&t->mu);
	bool closing = t->closing;
	pthread_mutex_unlock(&t->mu);
	if (atomic_load(&p->dial_sleeping)) {
		/* Slept, or cancelled by the loop to dial at once. */
		atomic_store(&p->dial_sleeping, false);
		if (closing || rv == NNG_ECLOSED) {
			push(t, EV_DIAL_FAILED, 0, p->idx, NULL, 0);
			return;
		}
		nng_aio_set_timeout(p->da, NET_TRANSPORT_HELLO_TIMEOUT_MS);
		nng_stream_dialer_dial(p->sd, p->da);
		return;
	}
	if (rv != 0) {
		push(t, EV_DIAL_FAILED, 0, p->idx, NULL, 0);
		return;
	}
	nng_stream *s = nng_aio_get_output(p->da, 0);
	struct qev *e = crdt_xcalloc(1, sizeof(*e));
	pthread_mutex_lock(&t->mu);
	struct conn *c = NULL;
	if (t->closing) {
		nng_stream_close(s);
		nng_stream_free(s);
	} else {
		c = conn_new_locked(t, s, false, p->idx);
	}
	if (e) {
		/* Queued before the connection can receive anything, so the
		 * loop knows it before its first message. */
		e->kind = c ? EV_DIALED : EV_DIAL_FAILED;
		e->conn = c ? c->id : 0;
		e->peer = p->idx;
		enqueue_locked(t, e);
	}
	pthread_mutex_unlock(&t->mu);
	if (c)
		conn_start(c);
	else if (!e)
		push(t, EV_DIAL_FAILED, 0, p->idx, NULL, 0);
}

/* ---- setup ---- */

static int add_ca(nng_tls_config *c, const char *pem)
{
	return nng_tls_config_ca_chain(c, pem, NULL);
}

static int tls_config(struct net_transport *t,
		      const struct net_transport_cfg *cfg, bool server,
		      uint32_t only, nng_tls_config **out, char *why,
		      size_t why_len)
{
	nng_tls_config *c;
	int rv = nng_tls_config_alloc(&c, server ? NNG_TLS_MODE_SERVER
						 : NNG_TLS_MODE_CLIENT);
	if (rv) {
		snprintf(why, why_len, "TLS configuration: %s",
			 nng_strerror(rv));
		return errno_of(rv);
	}
	rv = nng_tls_config_own_cert(c, cfg->cert_pem, cfg->key_pem, NULL);
	if (rv) {
		snprintf(why, why_len, "our TLS certificate or key: %s",
			 nng_strerror(rv));
		goto fail;
	}
	for (size_t i = 0; i < cfg->n_members; i++) {
		if (i == t->self || (!server && i != only))
			continue;
		rv = add_ca(c, cfg->members[i].cert_pem);
		if (rv) {
			char hex[65];
			sodium_bin2hex(hex, sizeof(hex), cfg->members[i].key,
				       32);
			snprintf(why, why_len,
				 "certificate of member %.16s: %s", hex,
				 nng_strerror(rv));
			goto fail;
		}
	}
	if (!server) {
		char hex[65];
		sodium_bin2hex(hex, sizeof(hex), cfg->members[only].key, 32);
		rv = nng_tls_config_server_name(c, hex);
		if (rv)
			goto fail;
	}
	/* The default for a server is NONE: anybody could connect. */
	rv = nng_tls_config_auth_mode(c, NNG_TLS_AUTH_MODE_REQUIRED);
	if (rv)
		goto fail;
	*out = c;
	return 0;
fail:
	if (!*why)
		snprintf(why, why_len, "TLS configuration: %s",
			 nng_strerror(rv));
	nng_tls_config_free(c);
	return rv == NNG_ENOMEM ? -ENOMEM : -EBADMSG;
}

static int make_url(char *url, const char *addr, bool insecure)
{
	const char *colon = addr ? strrchr(addr, ':') : NULL;
	if (!colon || colon == addr || !colon[1] || strlen(addr) > URL_MAX - 16)
		return -EINVAL;
	snprintf(url, URL_MAX, "%s://%s", insecure ? "tcp" : "tls+tcp", addr);
	return 0;
}

/* Listens on t->lurl and starts accepting; an nng error code. */
static int listen_start(struct net_transport *t)
{
	int rv = nng_stream_listener_alloc(&t->sl, t->lurl);
	if (rv == 0 && !t->insecure)
		rv = nng_stream_listener_set_ptr(t->sl, NNG_OPT_TLS_CONFIG,
						 t->ltls);
	if (rv == 0)
		rv = nng_stream_listener_listen(t->sl);
	if (rv) {
		nng_stream_listener_free(t->sl);
		t->sl = NULL;
		return rv;
	}
	nng_stream_listener_accept(t->sl, t->aa);
	return 0;
}

/* Starts p's dial chain after delay_ms (at least until its backoff from
 * net_transport_disconnect ends), unless it is dialing or connected. */
static void dial_later(struct net_transport *t, struct peer *p,
		       uint64_t delay_ms)
{
	if (p->dial_busy || p->dc)
		return;
	if (p->blocked_until_ms > t->now_ms &&
	    p->blocked_until_ms - t->now_ms > delay_ms)
		delay_ms = p->blocked_until_ms - t->now_ms;
	p->dial_busy = true;
	atomic_store(&p->dial_sleeping, true);
	nng_aio_set_timeout(p->da, NNG_DURATION_DEFAULT);
	nng_sleep_aio((nng_duration)delay_ms, p->da);
}

/* The next reconnect delay: random within the current backoff, which
 * doubles up to RECONNECT_MAX_MS (reset when the peer comes up). */
static uint64_t backoff_next(struct peer *p)
{
	uint64_t b = p->backoff_ms;
	uint64_t d = b / 2 + randombytes_uniform((uint32_t)(b / 2 + 1));
	p->backoff_ms = b * 2 > RECONNECT_MAX_MS ? RECONNECT_MAX_MS : b * 2;
	return d;
}

int net_transport_open(const struct net_transport_cfg *cfg,
		       struct net_transport **out, char *why, size_t why_len)
{
	*why = 0;
	struct net_transport *t = crdt_xcalloc(1, sizeof(*t));
	int rc;
	memcpy(t->net_id, cfg->net_id, 32);
	memcpy(t->pk, cfg->pk, 32);
	t->sk = cfg->sk;
	t->insecure = cfg->insecure;
	t->wake = cfg->wake;
	t->wake_arg = cfg->wake_arg;
	t->n = cfg->n_members;
	t->idle_ms = cfg->idle_ms;
	t->self = UINT32_MAX;
	t->now_ms = mono_ms();
	pthread_mutex_init(&t->mu, NULL);
	t->peers = crdt_xcalloc(t->n, sizeof(*t->peers));
	t->keys = crdt_xcalloc(t->n, sizeof(*t->keys));
	for (size_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		p->t = t;
		p->idx = (uint32_t)i;
		p->backoff_ms = RECONNECT_MIN_MS;
		memcpy(p->key, cfg->members[i].key, 32);
		memcpy(t->keys[i], cfg->members[i].key, 32);
		if (!memcmp(cfg->members[i].key, cfg->pk, 32))
			t->self = (uint32_t)i;
	}
	if (t->self == UINT32_MAX) {
		snprintf(why, why_len, "this node is not in the roster");
		rc = -EINVAL;
		goto fail;
	}
	if (make_url(t->lurl, cfg->listen, t->insecure)) {
		snprintf(why, why_len, "listen address '%s' is not HOST:PORT",
			 cfg->listen ? cfg->listen : "");
		rc = -EINVAL;
		goto fail;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		if (i == t->self)
			continue;
		if (make_url(p->url, cfg->members[i].address, t->insecure)) {
			char hex[65];
			sodium_bin2hex(hex, sizeof(hex), p->key, 32);
			snprintf(why, why_len,
				 "member %.16s has address '%s', not HOST:PORT",
				 hex, cfg->members[i].address);
			rc = -EINVAL;
			goto fail;
		}
		if (!t->insecure) {
			rc = tls_config(t, cfg, false, (uint32_t)i, &p->tls,
					why, why_len);
			if (rc)
				goto fail;
		}
	}
	if (!t->insecure) {
		rc = tls_config(t, cfg, true, 0, &t->ltls, why, why_len);
		if (rc)
			goto fail;
	}
	int rv = nng_aio_alloc(&t->aa, accept_cb, t);
	if (rv == 0)
		rv = listen_start(t);
	if (rv) {
		snprintf(why, why_len, "cannot listen on %s: %s", t->lurl,
			 nng_strerror(rv));
		rc = errno_of(rv);
		if (rc != -EADDRINUSE && rc != -EINVAL && rc != -ENOMEM)
			rc = -EIO;
		goto fail;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		if (i == t->self)
			continue;
		rv = nng_stream_dialer_alloc(&p->sd, p->url);
		if (rv == 0 && !t->insecure)
			rv = nng_stream_dialer_set_ptr(
			    p->sd, NNG_OPT_TLS_CONFIG, p->tls);
		if (rv == 0)
			rv = nng_aio_alloc(&p->da, dial_cb, p);
		if (rv) {
			snprintf(why, why_len, "cannot dial %s: %s", p->url,
				 nng_strerror(rv));
			rc = errno_of(rv);
			goto fail;
		}
		dial_later(t, p, 0);
	}
	*out = t;
	return 0;
fail:
	net_transport_close(t);
	return rc;
}

static void conn_free(struct conn *c)
{
	nng_stream_close(c->s);
	nng_aio_stop(c->rxa);
	nng_aio_stop(c->txa);
	nng_stream_free(c->s);
	nng_aio_free(c->rxa);
	nng_aio_free(c->txa);
	for (struct txm *m = c->txq, *nx; m; m = nx) {
		nx = m->next;
		free(m);
	}
	free(c->tx_cur);
	free(c->rx_body);
	free(c);
}

void net_transport_close(struct net_transport *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->closing = true;
	pthread_mutex_unlock(&t->mu);
	if (t->sl)
		nng_stream_listener_close(t->sl);
	nng_aio_stop(t->aa);
	for (size_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		if (p->sd)
			nng_stream_dialer_close(p->sd);
		nng_aio_stop(p->da);
	}
	pthread_mutex_lock(&t->mu);
	struct conn *all = t->conns;
	t->conns = NULL;
	for (struct conn *c = all; c; c = c->next) {
		c->dead = true;
		close_locked(t, c, -1);
	}
	pthread_mutex_unlock(&t->mu);
	for (struct conn *c = all, *nx; c; c = nx) {
		nx = c->next;
		conn_free(c);
	}
	for (size_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		nng_aio_free(p->da);
		nng_stream_dialer_free(p->sd);
		if (p->tls)
			nng_tls_config_free(p->tls);
	}
	nng_aio_free(t->aa);
	nng_stream_listener_free(t->sl);
	if (t->ltls)
		nng_tls_config_free(t->ltls);
	for (struct qev *e = t->head, *nx; e; e = nx) {
		nx = e->next;
		free(e->bytes);
		free(e);
	}
	pthread_mutex_destroy(&t->mu);
	free(t->keys);
	free(t->peers);
	free(t);
}

/* ---- the loop ---- */

/* Reason codes for connections we close that are reported otherwise (a
 * REJECTED event, a disconnect, a newer connection of the same member),
 * so they are not counted as drops. */
#define CLOSED_REPORTED (-2)

static struct conn *conn_find(struct net_transport *t, uint64_t id)
{
	pthread_mutex_lock(&t->mu);
	struct conn *c = t->conns;
	while (c && c->id != id)
		c = c->next;
	pthread_mutex_unlock(&t->mu);
	return c;
}

/* The latest arrival from peer i on any connection: CLOCK_MONOTONIC ms,
 * or 0. */
static uint64_t peer_last_rx(const struct net_transport *t, uint32_t i)
{
	struct net_transport *mt = (struct net_transport *)t;
	uint64_t last = t->peers[i].last_rx_gone_ms;
	pthread_mutex_lock(&mt->mu);
	for (const struct conn *c = t->conns; c; c = c->next)
		if (c->inbound && c->hello_done && c->peer == i) {
			uint64_t at =
			    atomic_load(&((struct conn *)c)->last_rx_ms);
			if (at > last)
				last = at;
		}
	pthread_mutex_unlock(&mt->mu);
	return last;
}

/* Closes every connection with peer i (ours and its), each as reported. */
static void close_peer(struct net_transport *t, uint32_t i)
{
	pthread_mutex_lock(&t->mu);
	for (struct conn *c = t->conns; c; c = c->next)
		if (c->peer == i && (!c->inbound || c->hello_done))
			close_locked(t, c, CLOSED_REPORTED);
	pthread_mutex_unlock(&t->mu);
}

static void reject(struct net_transport *t, struct conn *c, uint32_t member,
		   const char *reason, const uint8_t *claimed,
		   net_transport_event_fn fn, void *arg)
{
	pthread_mutex_lock(&t->mu);
	close_locked(t, c, CLOSED_REPORTED);
	pthread_mutex_unlock(&t->mu);
	struct net_transport_event ev = {.kind = NET_TRANSPORT_REJECTED,
					 .peer = member,
					 .reason = reason,
					 .addr = c->addr,
					 .claimed = claimed};
	fn(arg, &ev);
}

/* The dialer's answer to a nonce from the peer we dialed, on the
 * connection it came on. */
static void answer_nonce(struct net_transport *t, struct conn *c,
			 const uint8_t nonce[32])
{
	uint8_t signed_bytes[NET_TRANSPORT_HELLO_SIGNED_BYTES], sig[64];
	net_transport_hello_signed(signed_bytes, t->net_id,
				   t->peers[c->peer].key, t->pk, nonce);
	crypto_sign_detached(sig, NULL, signed_bytes, sizeof(signed_bytes),
			     t->sk);
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 4);
	crdt_pack_uint(&b, 1);
	crdt_pack_uint(&b, HELLO_ANSWER);
	crdt_pack_bin(&b, t->pk, 32);
	crdt_pack_bin(&b, sig, 64);
	conn_send(c, b.data, b.len, false);
	crdt_buf_fini(&b);
}

/* [1, type, ...] with a small type: the type, or 0. */
static uint64_t msg_type(const uint8_t *m, size_t len)
{
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t v, type;
	crdt_mp_cursor_init(&c, m, len, true);
	if (crdt_mp_read_array(&c, &n) || n < 2 || crdt_mp_read_uint(&c, &v) ||
	    v != 1 || crdt_mp_read_uint(&c, &type))
		return 0;
	return type;
}

/* A message on a connection we accepted. */
static void on_inbound(struct net_transport *t, struct conn *c,
		       const uint8_t *bytes, size_t len,
		       net_transport_event_fn fn, void *arg)
{
	if (!c->hello_done) {
		uint32_t who = UINT32_MAX;
		uint8_t claimed[32];
		bool has_claim;
		const char *why = net_transport_hello_verify(
		    t->net_id, t->pk, (const uint8_t(*)[32])t->keys, t->n,
		    t->self, c->nonce, bytes, len, &who, claimed, &has_claim);
		if (why) {
			reject(t, c, UINT32_MAX, why,
			       has_claim ? claimed : NULL, fn, arg);
			return;
		}
		if (t->now_ms < t->peers[who].blocked_until_ms) {
			reject(t, c, who, "backing_off", NULL, fn, arg);
			return;
		}
		struct peer *p = &t->peers[who];
		pthread_mutex_lock(&t->mu);
		/* Its dialer has one connection at a time: any older one of
		 * its to us is dead, though maybe not closed yet. */
		for (struct conn *o = t->conns; o; o = o->next)
			if (o != c && o->inbound && o->hello_done &&
			    o->peer == who)
				close_locked(t, o, CLOSED_REPORTED);
		c->hello_done = true;
		c->peer = who;
		pthread_mutex_unlock(&t->mu);
		atomic_store(&c->big_ok, true);
		p->info.inbound++;
		if (!p->up)
			p->idle_from_ms = t->now_ms;
		/* The peer is back: dial it now rather than when our
		 * backoff (up to RECONNECT_MAX_MS) ends. */
		if (!p->dc && p->dial_busy && atomic_load(&p->dial_sleeping))
			nng_aio_cancel(p->da);
		p->backoff_ms = RECONNECT_MIN_MS;
		return;
	}
	struct peer *p = &t->peers[c->peer];
	p->info.msgs_in++;
	p->info.bytes_in += len;
	uint64_t type = msg_type(bytes, len);
	if (type == HELLO_NONCE || type == HELLO_ANSWER)
		return;
	struct net_transport_event ev = {.kind = NET_TRANSPORT_MESSAGE,
					 .peer = c->peer,
					 .bytes = bytes,
					 .len = len};
	fn(arg, &ev);
}

/* A message on a connection we dialed: the only one a listener sends is
 * its nonce, answered once, on this connection. */
static void on_dialed(struct net_transport *t, struct conn *c,
		      const uint8_t *bytes, size_t len,
		      net_transport_event_fn fn, void *arg)
{
	struct peer *p = &t->peers[c->peer];
	struct crdt_mp_cursor m;
	size_t n;
	uint64_t v, type;
	uint8_t nonce[32];
	crdt_mp_cursor_init(&m, bytes, len, true);
	if (crdt_mp_read_array(&m, &n) || n != 3 || crdt_mp_read_uint(&m, &v) ||
	    v != 1 || crdt_mp_read_uint(&m, &type) || type != HELLO_NONCE ||
	    crdt_mp_read_bin_fixed(&m, nonce, 32) || crdt_mp_left(&m) != 0)
		return;
	if (c != p->dc || c->hello_done || t->now_ms < p->blocked_until_ms)
		return;
	answer_nonce(t, c, nonce);
	pthread_mutex_lock(&t->mu);
	c->hello_done = true;
	pthread_mutex_unlock(&t->mu);
	p->up = true;
	p->info.up = true;
	p->backoff_ms = RECONNECT_MIN_MS;
	p->idle_from_ms = t->now_ms;
	struct net_transport_event ev = {.kind = NET_TRANSPORT_PEER_UP,
					 .peer = c->peer};
	fn(arg, &ev);
}

/* A connection's receive chain ended: it leaves t->conns and is freed. */
static void on_closed(struct net_transport *t, struct conn *c,
		      net_transport_event_fn fn, void *arg)
{
	pthread_mutex_lock(&t->mu);
	struct conn **pp = &t->conns;
	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	c->dead = true;
	/* Closed by the other end or by TLS before its hello: an outsider
	 * without a roster certificate, typically. */
	if (c->inbound && !c->hello_done && c->drop == -1)
		drop_note(t, DROP_HANDSHAKE_FAILED, c->addr, UINT32_MAX);
	pthread_mutex_unlock(&t->mu);
	uint64_t at = atomic_load(&c->last_rx_ms);
	if (c->inbound && c->hello_done) {
		struct peer *p = &t->peers[c->peer];
		p->info.inbound--;
		if (at > p->last_rx_gone_ms)
			p->last_rx_gone_ms = at;
	}
	if (!c->inbound) {
		struct peer *p = &t->peers[c->peer];
		if (p->dc == c) {
			bool now = p->redial_now;
			p->redial_now = false;
			p->dc = NULL;
			if (p->up) {
				p->up = false;
				p->info.up = false;
				struct net_transport_event ev = {
				    .kind = NET_TRANSPORT_PEER_DOWN,
				    .peer = c->peer};
				fn(arg, &ev);
			}
			dial_later(t, p, now ? 0 : backoff_next(p));
		}
	}
	conn_free(c);
}

static void handle(struct net_transport *t, struct qev *e,
		   net_transport_event_fn fn, void *arg)
{
	if (e->kind == EV_DIAL_FAILED) {
		struct peer *p = &t->peers[e->peer];
		p->dial_busy = false;
		dial_later(t, p, backoff_next(p));
		return;
	}
	struct conn *c = conn_find(t, e->conn);
	if (!c)
		return; /* freed already: a late duplicate */
	switch (e->kind) {
	case EV_DIALED: {
		struct peer *p = &t->peers[e->peer];
		p->dial_busy = false;
		p->dc = c;
		if (t->now_ms < p->blocked_until_ms) {
			pthread_mutex_lock(&t->mu);
			close_locked(t, c, CLOSED_REPORTED);
			pthread_mutex_unlock(&t->mu);
		}
		return;
	}
	case EV_CLOSED:
		on_closed(t, c, fn, arg);
		return;
	case EV_MSG:
		if (c->closed)
			return; /* we closed it: nothing more it says counts */
		if (c->inbound)
			on_inbound(t, c, e->bytes, e->len, fn, arg);
		else
			on_dialed(t, c, e->bytes, e->len, fn, arg);
		return;
	case EV_DIAL_FAILED:
		return;
	}
}

static bool drop_due(const struct drop *d, uint64_t now_ms)
{
	return d->count > 0 &&
	       (!d->reported ||
		now_ms - d->reported_ms >= NET_TRANSPORT_DROP_REPORT_MS);
}

void net_transport_poll(struct net_transport *t, uint64_t now_ms,
			net_transport_event_fn fn, void *arg)
{
	t->now_ms = now_ms;
	pthread_mutex_lock(&t->mu);
	struct qev *e = t->head;
	t->head = t->tail = NULL;
	pthread_mutex_unlock(&t->mu);
	while (e) {
		struct qev *nx = e->next;
		handle(t, e, fn, arg);
		free(e->bytes);
		free(e);
		e = nx;
	}
	for (int k = 0; k < N_DROPS; k++) {
		struct drop d;
		pthread_mutex_lock(&t->mu);
		bool due = drop_due(&t->drops[k], now_ms);
		if (due) {
			d = t->drops[k];
			t->drops[k].count = 0;
			t->drops[k].reported = true;
			t->drops[k].reported_ms = now_ms;
		}
		pthread_mutex_unlock(&t->mu);
		if (!due)
			continue;
		struct net_transport_event ev = {.kind = NET_TRANSPORT_DROPPED,
						 .peer = d.peer,
						 .reason = drop_names[k],
						 .addr = d.addr,
						 .count = d.count};
		fn(arg, &ev);
	}
}

void net_transport_tick(struct net_transport *t, uint64_t now_ms)
{
	t->now_ms = now_ms;
	bool due = false;
	pthread_mutex_lock(&t->mu);
	for (struct conn *c = t->conns; c; c = c->next) {
		if (!c->hello_done && !c->closed && now_ms > c->since_ms &&
		    now_ms - c->since_ms > NET_TRANSPORT_HELLO_TIMEOUT_MS)
			close_locked(t, c,
				     c->inbound ? DROP_DEADLINE
						: DROP_DIAL_DEADLINE);
		/* nng 1.5.2's TLS stream was seen to leave a receive pending
		 * for good on a connection whose handshake failed (a send
		 * failed with ECONNSHUT, and closing the stream did not end
		 * the receive): try to end the chain. */
		if (c->closed && !c->dead && now_ms > c->closed_ms &&
		    now_ms - c->closed_ms > CLOSE_STUCK_MS)
			nng_aio_cancel(c->rxa);
	}
	pthread_mutex_unlock(&t->mu);
	/* If that does not end it either, the peer must not wait on it: a
	 * dialed connection closed before its hello and still not reported
	 * is given up (left to nng, a few hundred bytes; its descriptor is
	 * closed) and the peer dialed again. */
	for (uint32_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		struct conn *c = p->dc;
		if (!c || c->hello_done || !c->closed ||
		    now_ms < c->closed_ms ||
		    now_ms - c->closed_ms <= 2 * CLOSE_STUCK_MS)
			continue;
		p->dc = NULL;
		t->stuck++;
		dial_later(t, p, backoff_next(p));
	}
	for (uint32_t i = 0; t->idle_ms && i < t->n; i++) {
		struct peer *p = &t->peers[i];
		if (i == t->self || (!p->up && p->info.inbound == 0) ||
		    now_ms - p->idle_from_ms <= t->idle_ms)
			continue;
		uint64_t last = peer_last_rx(t, i);
		if (last && now_ms - last <= t->idle_ms)
			continue;
		/* Silent for idle_ms although every up peer is sent a
		 * message a round: the link is dead whatever its state
		 * says. Close both ways and dial again at once. */
		pthread_mutex_lock(&t->mu);
		drop_note(t, DROP_IDLE, p->url + strcspn(p->url, "/") + 2, i);
		pthread_mutex_unlock(&t->mu);
		close_peer(t, i);
		p->redial_now = true;
		p->idle_from_ms = now_ms;
		p->info.redials++;
	}
	pthread_mutex_lock(&t->mu);
	for (int k = 0; k < N_DROPS; k++)
		due = due || drop_due(&t->drops[k], now_ms);
	if (due && !t->closing)
		t->wake(t->wake_arg);
	pthread_mutex_unlock(&t->mu);
}

int net_transport_send(struct net_transport *t, uint32_t peer,
		       const uint8_t *bytes, size_t len)
{
	assert(peer < t->n);
	struct peer *p = &t->peers[peer];
	if (!p->up || !p->dc)
		return -ENOTCONN;
	int rc = conn_send(p->dc, bytes, len, false);
	if (rc == 0) {
		p->info.msgs_out++;
		p->info.bytes_out += len;
	} else {
		p->info.send_drops++;
	}
	return rc;
}

void net_transport_disconnect(struct net_transport *t, uint32_t peer,
			      uint64_t now_ms, uint64_t backoff_ms)
{
	assert(peer < t->n && peer != t->self);
	struct peer *p = &t->peers[peer];
	p->blocked_until_ms = now_ms + backoff_ms;
	/* The dialed connection's close reports the peer down, and dials
	 * again once the backoff ends. */
	close_peer(t, peer);
}

size_t net_transport_member_count(const struct net_transport *t)
{
	return t->n;
}

uint32_t net_transport_self(const struct net_transport *t)
{
	return t->self;
}

void net_transport_peer_info(const struct net_transport *t, uint32_t peer,
			     struct net_transport_peer_info *out)
{
	assert(peer < t->n);
	*out = t->peers[peer].info;
	if (peer == t->self)
		return;
	out->last_seen_ms = peer_last_rx(t, peer);
	uint64_t now = mono_ms();
	out->connected =
	    out->up &&
	    (t->idle_ms == 0 ||
	     (out->last_seen_ms && now - out->last_seen_ms <= t->idle_ms));
}
