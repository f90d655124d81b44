/*
 * transport.c: gossip's connections over nng (see transport.h for the
 * shape). One pair1 polyamorous socket listens; one pair1 socket per peer
 * dials it. nng's threads run only the receive and pipe callbacks below,
 * which queue an event under a mutex and wake the loop; the loop drains the
 * queue in net_transport_poll, runs the hello, and hands identified
 * messages to the caller.
 *
 * Why a socket per peer for sending: pair1 polyamorous keeps two messages
 * per pipe and drops the rest silently, which would lose most of a burst of
 * ENTRIES replies. A one-pipe pair1 socket queues sends with a bounded
 * buffer instead, and tells us when it is full.
 *
 * nng's own errors are translated here, once.
 */
#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <nng/nng.h>
#include <nng/protocol/pair1/pair.h>
#include <nng/supplemental/tls/tls.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "net/transport.h"

#define HELLO_NONCE 7u
#define HELLO_ANSWER 8u
#define SEND_QUEUE_MSGS 64
#define RECONNECT_MIN_MS 250
#define RECONNECT_MAX_MS 30000
/* A dial that has not come up this long while the peer is plainly alive
 * (it dialed us and said hello) is stuck, typically in a TLS handshake
 * that nng 1.5.2 never times out: it is started again. */
#define DIAL_STALL_MS 3000
/* A peer we reach that has not reached us this long, while our dial to it
 * is up: our listener is wedged (accepted connections whose handshake
 * never progresses have been seen after restarts); it is opened again. */
#define LISTEN_STALL_MS 6000
/* Reopening drops every peer's inbound connection, so when it does not
 * help (a peer that cannot reach us at all: a one-way firewall) it is
 * tried ever more rarely, doubling up to this, until all are well again. */
#define LISTEN_RETRY_MAX_MS 300000
#define URL_MAX 300

enum ev_kind { EV_ADD, EV_REM, EV_MSG };

/* An event queued by an nng thread. sock is the peer index of a dialing
 * socket, or UINT32_MAX for the listening socket. */
struct qev {
	struct qev *next;
	enum ev_kind kind;
	uint32_t sock;
	uint32_t pipe;
	nng_msg *msg;
};

struct sockrx {
	struct net_transport *t;
	uint32_t sock;
	nng_socket s;
	nng_aio *aio;
};

struct inpipe {
	uint32_t id;
	uint32_t member; /* UINT32_MAX until the hello verifies */
	uint8_t nonce[32];
	uint64_t since_ms;
};

struct peer {
	uint8_t key[32];
	char url[URL_MAX];
	nng_tls_config *tls;
	struct sockrx rx; /* the dialing socket */
	nng_dialer d;
	bool dialing;
	uint64_t dial_since_ms;
	uint64_t up_since_ms;
	uint32_t pipe; /* the dialer's current pipe, 0 if none */
	bool up;
	uint64_t blocked_until_ms;
	struct net_transport_peer_info info;
};

struct net_transport {
	uint8_t net_id[32], pk[32];
	const uint8_t *sk;
	bool insecure;
	uint32_t self;
	size_t n;
	struct peer *peers;
	struct sockrx lrx; /* the listening socket */
	nng_listener l;
	char lurl[URL_MAX];
	bool listening;
	uint64_t listen_since_ms;
	uint64_t relisten_wait_ms;
	uint64_t relistens;
	nng_tls_config *ltls;
	struct inpipe *in;
	size_t n_in, cap_in;
	uint64_t now_ms;
	/* The queue nng's threads fill. */
	pthread_mutex_t mu;
	struct qev *head, *tail;
	bool closing;
	void (*wake)(void *);
	void *wake_arg;
};

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

/* ---- nng threads ---- */

static void push(struct net_transport *t, struct qev *e)
{
	pthread_mutex_lock(&t->mu);
	if (t->closing) {
		pthread_mutex_unlock(&t->mu);
		if (e->msg)
			nng_msg_free(e->msg);
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
	pthread_mutex_unlock(&t->mu);
}

static void recv_cb(void *arg)
{
	struct sockrx *rx = arg;
	int rv = nng_aio_result(rx->aio);
	if (rv == NNG_ECLOSED || rv == NNG_ECANCELED)
		return;
	if (rv == 0) {
		nng_msg *m = nng_aio_get_msg(rx->aio);
		nng_aio_set_msg(rx->aio, NULL);
		struct qev *e = calloc(1, sizeof(*e));
		if (e) {
			e->kind = EV_MSG;
			e->sock = rx->sock;
			e->pipe = nng_pipe_id(nng_msg_get_pipe(m));
			e->msg = m;
			push(rx->t, e);
		} else {
			nng_msg_free(m);
		}
	}
	nng_recv_aio(rx->s, rx->aio);
}

static void pipe_cb(nng_pipe p, nng_pipe_ev ev, void *arg)
{
	struct sockrx *rx = arg;
	struct qev *e = calloc(1, sizeof(*e));
	if (!e)
		return;
	e->kind = ev == NNG_PIPE_EV_ADD_POST ? EV_ADD : EV_REM;
	e->sock = rx->sock;
	e->pipe = (uint32_t)nng_pipe_id(p);
	push(rx->t, e);
}

/* ---- setup ---- */

static int sock_open(struct net_transport *t, struct sockrx *rx, uint32_t sock,
		     bool poly)
{
	rx->t = t;
	rx->sock = sock;
	int rv = poly ? nng_pair1_open_poly(&rx->s) : nng_pair1_open(&rx->s);
	if (rv == 0)
		rv = nng_socket_set_size(rx->s, NNG_OPT_RECVMAXSZ,
					 NET_TRANSPORT_RECV_MAX_BYTES);
	if (rv == 0 && !poly)
		rv =
		    nng_socket_set_int(rx->s, NNG_OPT_SENDBUF, SEND_QUEUE_MSGS);
	if (rv == 0)
		rv = nng_socket_set_ms(rx->s, NNG_OPT_RECONNMINT,
				       RECONNECT_MIN_MS);
	if (rv == 0)
		rv = nng_socket_set_ms(rx->s, NNG_OPT_RECONNMAXT,
				       RECONNECT_MAX_MS);
	if (rv == 0)
		rv = nng_pipe_notify(rx->s, NNG_PIPE_EV_ADD_POST, pipe_cb, rx);
	if (rv == 0)
		rv = nng_pipe_notify(rx->s, NNG_PIPE_EV_REM_POST, pipe_cb, rx);
	if (rv == 0)
		rv = nng_aio_alloc(&rx->aio, recv_cb, rx);
	return errno_of(rv);
}

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

/* Listens on t->lurl with the listener's TLS configuration; an nng
 * error code. */
static int listen_start(struct net_transport *t)
{
	int rv = nng_listener_create(&t->l, t->lrx.s, t->lurl);
	if (rv == 0 && !t->insecure)
		rv = nng_listener_set_ptr(t->l, NNG_OPT_TLS_CONFIG, t->ltls);
	if (rv == 0)
		rv = nng_listener_start(t->l, 0);
	if (rv) {
		nng_listener_close(t->l);
		return rv;
	}
	t->listening = true;
	t->listen_since_ms = t->now_ms;
	return 0;
}

static int dial_start(struct net_transport *t, struct peer *p)
{
	int rv = nng_dialer_create(&p->d, p->rx.s, p->url);
	if (rv == 0 && !t->insecure)
		rv = nng_dialer_set_ptr(p->d, NNG_OPT_TLS_CONFIG, p->tls);
	if (rv == 0)
		rv = nng_dialer_start(p->d, NNG_FLAG_NONBLOCK);
	if (rv) {
		nng_dialer_close(p->d);
		return errno_of(rv);
	}
	p->dialing = true;
	p->dial_since_ms = t->now_ms;
	return 0;
}

int net_transport_open(const struct net_transport_cfg *cfg,
		       struct net_transport **out, char *why, size_t why_len)
{
	*why = 0;
	struct net_transport *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	int rc;
	memcpy(t->net_id, cfg->net_id, 32);
	memcpy(t->pk, cfg->pk, 32);
	t->sk = cfg->sk;
	t->insecure = cfg->insecure;
	t->wake = cfg->wake;
	t->wake_arg = cfg->wake_arg;
	t->n = cfg->n_members;
	t->self = UINT32_MAX;
	pthread_mutex_init(&t->mu, NULL);
	t->peers = calloc(t->n ? t->n : 1, sizeof(*t->peers));
	if (!t->peers) {
		free(t);
		return -ENOMEM;
	}
	for (size_t i = 0; i < t->n; i++) {
		memcpy(t->peers[i].key, cfg->members[i].key, 32);
		if (!memcmp(cfg->members[i].key, cfg->pk, 32))
			t->self = (uint32_t)i;
	}
	if (t->self == UINT32_MAX) {
		snprintf(why, why_len, "this node is not in the roster");
		rc = -EINVAL;
		goto fail;
	}
	char url[URL_MAX];
	if (make_url(url, cfg->listen, t->insecure)) {
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
	/* The listening socket; options are set before it listens. */
	rc = sock_open(t, &t->lrx, UINT32_MAX, true);
	if (rc) {
		snprintf(why, why_len, "cannot open a socket");
		goto fail;
	}
	snprintf(t->lurl, sizeof(t->lurl), "%s", url);
	int rv = listen_start(t);
	if (rv) {
		snprintf(why, why_len, "cannot listen on %s: %s", url,
			 nng_strerror(rv));
		rc = errno_of(rv);
		if (rc != -EADDRINUSE && rc != -EINVAL)
			rc = -EIO;
		goto fail;
	}
	nng_recv_aio(t->lrx.s, t->lrx.aio);
	for (size_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		if (i == t->self)
			continue;
		rc = sock_open(t, &p->rx, (uint32_t)i, false);
		if (rc == 0)
			rc = dial_start(t, p);
		if (rc) {
			snprintf(why, why_len, "cannot dial %s", p->url);
			goto fail;
		}
		nng_recv_aio(p->rx.s, p->rx.aio);
	}
	*out = t;
	return 0;
fail:
	net_transport_close(t);
	return rc;
}

static void sockrx_close(struct sockrx *rx)
{
	if (!rx->t)
		return;
	nng_close(rx->s);
	if (rx->aio) {
		nng_aio_stop(rx->aio);
		nng_aio_free(rx->aio);
	}
}

void net_transport_close(struct net_transport *t)
{
	if (!t)
		return;
	pthread_mutex_lock(&t->mu);
	t->closing = true;
	pthread_mutex_unlock(&t->mu);
	sockrx_close(&t->lrx);
	for (size_t i = 0; i < t->n; i++)
		sockrx_close(&t->peers[i].rx);
	for (size_t i = 0; i < t->n; i++)
		if (t->peers[i].tls)
			nng_tls_config_free(t->peers[i].tls);
	if (t->ltls)
		nng_tls_config_free(t->ltls);
	for (struct qev *e = t->head, *nx; e; e = nx) {
		nx = e->next;
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
	}
	pthread_mutex_destroy(&t->mu);
	free(t->in);
	free(t->peers);
	free(t);
}

/* ---- the loop ---- */

static nng_pipe pipe_of(uint32_t id)
{
	nng_pipe p = NNG_PIPE_INITIALIZER;
	p.id = id;
	return p;
}

static struct inpipe *inpipe_find(struct net_transport *t, uint32_t id)
{
	for (size_t i = 0; i < t->n_in; i++)
		if (t->in[i].id == id)
			return &t->in[i];
	return NULL;
}

static void inpipe_drop(struct net_transport *t, struct inpipe *ip)
{
	*ip = t->in[--t->n_in];
}

static void remote_addr(uint32_t pipe, char *out, size_t len)
{
	nng_sockaddr sa;
	*out = 0;
	if (nng_pipe_get_addr(pipe_of(pipe), NNG_OPT_REMADDR, &sa) != 0)
		return;
	if (sa.s_family == NNG_AF_INET) {
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &sa.s_in.sa_addr, ip, sizeof(ip));
		snprintf(out, len, "%s:%u", ip, ntohs(sa.s_in.sa_port));
	} else if (sa.s_family == NNG_AF_INET6) {
		char ip[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, sa.s_in6.sa_addr, ip, sizeof(ip));
		snprintf(out, len, "[%s]:%u", ip, ntohs(sa.s_in6.sa_port));
	}
}

static void reject(struct net_transport *t, uint32_t pipe, uint32_t member,
		   const char *reason, net_transport_event_fn fn, void *arg)
{
	char addr[80];
	remote_addr(pipe, addr, sizeof(addr));
	nng_pipe_close(pipe_of(pipe));
	struct net_transport_event ev = {.kind = NET_TRANSPORT_REJECTED,
					 .peer = member,
					 .reason = reason,
					 .addr = addr};
	(void)t;
	fn(arg, &ev);
}

static int send_on(nng_socket s, uint32_t pipe, const uint8_t *bytes,
		   size_t len)
{
	nng_msg *m;
	int rv = nng_msg_alloc(&m, 0);
	if (rv == 0)
		rv = nng_msg_append(m, bytes, len);
	if (rv) {
		if (rv != NNG_ENOMEM)
			nng_msg_free(m);
		return -ENOMEM;
	}
	if (pipe)
		nng_msg_set_pipe(m, pipe_of(pipe));
	rv = nng_sendmsg(s, m, NNG_FLAG_NONBLOCK);
	if (rv) {
		nng_msg_free(m);
		return errno_of(rv) == -EAGAIN ? -EAGAIN : -EIO;
	}
	return 0;
}

static void send_nonce(struct net_transport *t, struct inpipe *ip)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 3);
	crdt_pack_uint(&b, 1);
	crdt_pack_uint(&b, HELLO_NONCE);
	crdt_pack_bin(&b, ip->nonce, 32);
	send_on(t->lrx.s, ip->id, b.data, b.len);
	crdt_buf_fini(&b);
}

/* The dialer's answer to a nonce from the peer we dialed. */
static void answer_nonce(struct net_transport *t, struct peer *p,
			 const uint8_t nonce[32])
{
	uint8_t signed_bytes[NET_TRANSPORT_HELLO_SIGNED_BYTES], sig[64];
	net_transport_hello_signed(signed_bytes, t->net_id, p->key, t->pk,
				   nonce);
	crypto_sign_detached(sig, NULL, signed_bytes, sizeof(signed_bytes),
			     t->sk);
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 4);
	crdt_pack_uint(&b, 1);
	crdt_pack_uint(&b, HELLO_ANSWER);
	crdt_pack_bin(&b, t->pk, 32);
	crdt_pack_bin(&b, sig, 64);
	send_on(p->rx.s, 0, b.data, b.len);
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

static const char *check_answer(struct net_transport *t, struct inpipe *ip,
				const uint8_t *m, size_t len, uint32_t *member)
{
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t v, type;
	uint8_t key[32], sig[64];
	crdt_mp_cursor_init(&c, m, len, true);
	if (crdt_mp_read_array(&c, &n) || n != 4 || crdt_mp_read_uint(&c, &v) ||
	    v != 1 || crdt_mp_read_uint(&c, &type) || type != HELLO_ANSWER ||
	    crdt_mp_read_bin_fixed(&c, key, 32) ||
	    crdt_mp_read_bin_fixed(&c, sig, 64) || crdt_mp_left(&c) != 0)
		return "malformed_hello";
	uint32_t who = UINT32_MAX;
	for (size_t i = 0; i < t->n; i++)
		if (i != t->self && !memcmp(t->peers[i].key, key, 32))
			who = (uint32_t)i;
	if (who == UINT32_MAX)
		return "not_in_roster";
	uint8_t signed_bytes[NET_TRANSPORT_HELLO_SIGNED_BYTES];
	net_transport_hello_signed(signed_bytes, t->net_id, t->pk, key,
				   ip->nonce);
	if (crypto_sign_verify_detached(sig, signed_bytes, sizeof(signed_bytes),
					key) != 0) {
		*member = who;
		return "bad_hello_signature";
	}
	*member = who;
	if (t->now_ms < t->peers[who].blocked_until_ms)
		return "backing_off";
	return NULL;
}

static void handle(struct net_transport *t, struct qev *e,
		   net_transport_event_fn fn, void *arg)
{
	const uint8_t *bytes = e->msg ? nng_msg_body(e->msg) : NULL;
	size_t len = e->msg ? nng_msg_len(e->msg) : 0;
	if (e->sock == UINT32_MAX) {
		struct inpipe *ip = inpipe_find(t, e->pipe);
		switch (e->kind) {
		case EV_ADD:
			if (ip)
				return;
			if (t->n_in == t->cap_in) {
				size_t cap = t->cap_in ? 2 * t->cap_in : 16;
				struct inpipe *v =
				    realloc(t->in, cap * sizeof(*v));
				if (!v) {
					nng_pipe_close(pipe_of(e->pipe));
					return;
				}
				t->in = v;
				t->cap_in = cap;
			}
			ip = &t->in[t->n_in++];
			ip->id = e->pipe;
			ip->member = UINT32_MAX;
			ip->since_ms = t->now_ms;
			randombytes_buf(ip->nonce, 32);
			send_nonce(t, ip);
			return;
		case EV_REM:
			if (ip) {
				if (ip->member != UINT32_MAX)
					t->peers[ip->member].info.inbound--;
				inpipe_drop(t, ip);
			}
			return;
		case EV_MSG:
			break;
		}
		if (!ip)
			return;
		if (ip->member == UINT32_MAX) {
			uint32_t who = UINT32_MAX;
			const char *why = check_answer(t, ip, bytes, len, &who);
			if (why) {
				inpipe_drop(t, ip);
				reject(t, e->pipe, who, why, fn, arg);
				return;
			}
			ip->member = who;
			struct peer *back = &t->peers[who];
			back->info.inbound++;
			/* The peer is back: dial it now rather than when our
			 * dialer's backoff (up to RECONNECT_MAX_MS) ends. */
			if (back->dialing && !back->up && back->pipe == 0) {
				nng_dialer_close(back->d);
				back->dialing = false;
				dial_start(t, back);
			}
			return;
		}
		struct peer *p = &t->peers[ip->member];
		p->info.msgs_in++;
		p->info.bytes_in += len;
		p->info.last_seen_ms = t->now_ms;
		uint64_t type = msg_type(bytes, len);
		if (type == HELLO_NONCE || type == HELLO_ANSWER)
			return;
		struct net_transport_event ev = {.kind = NET_TRANSPORT_MESSAGE,
						 .peer = ip->member,
						 .bytes = bytes,
						 .len = len};
		fn(arg, &ev);
		return;
	}
	/* One of our dialing sockets. */
	struct peer *p = &t->peers[e->sock];
	struct net_transport_event ev = {.peer = e->sock};
	switch (e->kind) {
	case EV_ADD:
		p->pipe = e->pipe;
		return;
	case EV_REM:
		if (p->pipe == e->pipe) {
			p->pipe = 0;
			if (p->up) {
				p->up = false;
				p->info.up = false;
				ev.kind = NET_TRANSPORT_PEER_DOWN;
				fn(arg, &ev);
			}
		}
		return;
	case EV_MSG:
		break;
	}
	/* The only message a listener sends us is its nonce. */
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t v, type;
	uint8_t nonce[32];
	crdt_mp_cursor_init(&c, bytes, len, true);
	if (crdt_mp_read_array(&c, &n) || n != 3 || crdt_mp_read_uint(&c, &v) ||
	    v != 1 || crdt_mp_read_uint(&c, &type) || type != HELLO_NONCE ||
	    crdt_mp_read_bin_fixed(&c, nonce, 32) || crdt_mp_left(&c) != 0)
		return;
	if (p->up || t->now_ms < p->blocked_until_ms)
		return;
	p->pipe = e->pipe;
	answer_nonce(t, p, nonce);
	p->up = true;
	p->up_since_ms = t->now_ms;
	p->info.up = true;
	ev.kind = NET_TRANSPORT_PEER_UP;
	fn(arg, &ev);
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
		if (e->msg)
			nng_msg_free(e->msg);
		free(e);
		e = nx;
	}
}

void net_transport_tick(struct net_transport *t, uint64_t now_ms)
{
	t->now_ms = now_ms;
	for (size_t i = 0; i < t->n_in;) {
		struct inpipe *ip = &t->in[i];
		if (ip->member == UINT32_MAX &&
		    now_ms - ip->since_ms > NET_TRANSPORT_HELLO_TIMEOUT_MS) {
			nng_pipe_close(pipe_of(ip->id));
			inpipe_drop(t, ip);
			continue;
		}
		i++;
	}
	for (size_t i = 0; i < t->n; i++) {
		struct peer *p = &t->peers[i];
		if (i == t->self || now_ms < p->blocked_until_ms)
			continue;
		if (p->dialing && !p->up && p->info.inbound > 0 &&
		    now_ms - p->dial_since_ms > DIAL_STALL_MS) {
			nng_dialer_close(p->d); /* closes a half-open pipe */
			p->dialing = false;
			p->info.redials++;
		}
		if (!p->dialing)
			dial_start(t, p);
	}
	bool wedged = false;
	for (size_t i = 0; i < t->n; i++) {
		const struct peer *p = &t->peers[i];
		if (i != t->self && p->up && p->info.inbound == 0 &&
		    now_ms - p->up_since_ms > LISTEN_STALL_MS)
			wedged = true;
	}
	if (t->relisten_wait_ms == 0 || !wedged)
		t->relisten_wait_ms = LISTEN_STALL_MS;
	if (!t->listening ||
	    (wedged && now_ms - t->listen_since_ms > t->relisten_wait_ms)) {
		if (t->listening) {
			nng_listener_close(t->l); /* and what it accepted */
			if (t->relisten_wait_ms < LISTEN_RETRY_MAX_MS)
				t->relisten_wait_ms *= 2;
		}
		t->listening = false;
		if (listen_start(t) == 0)
			t->relistens++;
	}
}

int net_transport_send(struct net_transport *t, uint32_t peer,
		       const uint8_t *bytes, size_t len)
{
	assert(peer < t->n);
	struct peer *p = &t->peers[peer];
	if (!p->up)
		return -ENOTCONN;
	int rc = send_on(p->rx.s, 0, bytes, len);
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
	if (p->dialing) {
		/* Closing the dialer closes its pipe; the REM event then
		 * reports the peer down. */
		nng_dialer_close(p->d);
		p->dialing = false;
	}
	for (size_t i = 0; i < t->n_in; i++)
		if (t->in[i].member == peer)
			nng_pipe_close(pipe_of(t->in[i].id));
}

uint64_t net_transport_relistens(const struct net_transport *t)
{
	return t->relistens;
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
}
