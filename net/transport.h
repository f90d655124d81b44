/*
 * net/transport: the connections gossip travels on, nng streams over mutual
 * TLS (DESIGN.md section 6, notes/nng-tls.md). Every node listens on its
 * roster address and dials every other member. A member's connection to
 * us is identified by the hello (types 7 and 8, docs/protocol.md): we send
 * a fresh nonce, the dialer answers with its key and an Ed25519 signature
 * over "ward-hello-v1" || net_id || our key || its key || nonce, and only
 * then do its messages reach the caller, tagged with its member index.
 *
 * Each connection is one object with its own send queue, so nothing queued
 * for one connection can go out on the next; we send to a peer only on the
 * connection we dialed, and receive from peers only on connections we
 * accepted and identified. A dialed connection is "up" once the peer's
 * nonce was answered on it. Connections that have not finished the hello
 * have a deadline and a cap (in all and per remote address), so outsiders
 * cannot hold our file descriptors; what is dropped is reported, counted
 * and rate-limited, as NET_TRANSPORT_DROPPED events.
 *
 * Threads: nng's threads only queue events, stamp arrival times and close
 * connections over their cap; everything else, including
 * net_transport_poll and net_transport_tick, runs on one thread (the
 * node's loop). Every now_ms is CLOCK_MONOTONIC in milliseconds, the clock
 * the nng callbacks stamp arrivals with. nng types stay inside
 * transport.c.
 */
#ifndef WARD_NET_TRANSPORT_H
#define WARD_NET_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct net_transport;

/* Largest message a peer may send: twice the protocol's 1 MiB, a backstop
 * set on every socket before it listens or dials. */
#define NET_TRANSPORT_RECV_MAX_BYTES (2u << 20)
/* A connection that has not finished its hello within this is closed:
 * inbound, from accept to a verified HELLO; dialed, from connect to the
 * peer's nonce. It covers the TLS handshake, which nng puts no timeout on. */
#define NET_TRANSPORT_HELLO_TIMEOUT_MS 10000u
/* Inbound connections still in their handshake, at most: in all, and from
 * one remote IP address. A new one over either cap closes the oldest of
 * its kind, so a member that completes its hello always gets through. */
#define NET_TRANSPORT_PENDING_MAX 64u
#define NET_TRANSPORT_PENDING_PER_IP 16u
/* One NET_TRANSPORT_DROPPED event per reason at most this often. */
#define NET_TRANSPORT_DROP_REPORT_MS 10000u

/* One roster member. Pointers are borrowed for the call that takes them. */
struct net_transport_member {
	uint8_t key[32];
	const char *address;  /* HOST:PORT */
	const char *cert_pem; /* its whole self-signed certificate */
};

struct net_transport_cfg {
	const char *listen; /* HOST:PORT to listen on */
	bool insecure;	    /* plain tcp://, no TLS: tests and debugging */
	const char *cert_pem, *key_pem; /* our TLS identity (PEM) */
	uint8_t net_id[32];
	uint8_t pk[32];
	const uint8_t *sk; /* Ed25519 secret key, 64 bytes; borrowed for the
			      transport's life (signs hellos) */
	size_t n_members;  /* the whole roster, ourselves included */
	/* A peer from which nothing has arrived for this long has its
	 * connections closed and is dialed again; 0 = never. wardd passes
	 * 2.5 gossip rounds, since every up peer is sent a message a round. */
	uint64_t idle_ms;
	const struct net_transport_member *members;
	/* Called from any thread when events are waiting; must be cheap
	 * and thread-safe (uv_async_send). */
	void (*wake)(void *arg);
	void *wake_arg;
};

enum net_transport_event_kind {
	NET_TRANSPORT_PEER_UP,	 /* we can send to peer */
	NET_TRANSPORT_PEER_DOWN, /* our connection to peer closed */
	NET_TRANSPORT_MESSAGE,	 /* bytes from an identified peer */
	NET_TRANSPORT_REJECTED,	 /* a connection closed for its hello */
	NET_TRANSPORT_DROPPED,	 /* connections we closed on our own */
};

/*
 * REJECTED: the hello of one connection failed. peer is the member only
 * when its signature verified (reason backing_off); a hello that did not
 * verify names nobody, and the key it claimed is in claimed (unverified:
 * anybody can put any key there), or claimed is NULL (malformed).
 *
 * DROPPED: a summary of connections the transport closed by itself, one
 * event per reason at most every NET_TRANSPORT_DROP_REPORT_MS: count since
 * the last one, addr the last remote address, peer the member for idle
 * and dial_deadline. Reasons: handshake_deadline (inbound, no hello in
 * time), pending_cap and per_ip_cap (inbound, evicted as the oldest in
 * their handshake when a new one came over a cap), handshake_failed
 * (inbound, closed or failed TLS/SP before its hello: an outsider without
 * a roster certificate lands here), accept_failed (accept returned an
 * error, e.g. out of descriptors), idle (a peer silent for idle_ms: its
 * connections were closed and it is dialed again), dial_deadline (our
 * dial did not get the peer's nonce in time).
 */
struct net_transport_event {
	enum net_transport_event_kind kind;
	uint32_t peer; /* member index; UINT32_MAX when unknown */
	const uint8_t *bytes;
	size_t len;
	const char *reason;	/* REJECTED, DROPPED: a static string */
	const char *addr;	/* REJECTED, DROPPED: remote address, or "" */
	const uint8_t *claimed; /* REJECTED: unverified key, or NULL */
	uint64_t count;		/* DROPPED: connections since the last */
};

/* Counters of one peer, for status and metrics. */
struct net_transport_peer_info {
	bool up; /* our connection to it is up */
	/* up, and something arrived from it within idle_ms (with idle_ms 0:
	 * up): messages flow both ways. */
	bool connected;
	uint32_t inbound;      /* its identified connections to us */
	uint64_t last_seen_ms; /* last bytes from it, as nng delivered them
				  (CLOCK_MONOTONIC ms), or 0 */
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out, send_drops;
	uint64_t redials; /* dials closed as stuck or idle (tick) */
};

/*
 * Opens the transport: builds the TLS configurations (listener: our
 * certificate, every other member's certificate added one by one, client
 * authentication required; dialers: only that peer's certificate, server
 * name its key in hex), listens on cfg->listen and starts dialing every
 * other member. cfg and what it points to are borrowed (sk for the
 * transport's life). Returns 0 and *out; -EINVAL with *why for a bad
 * address or our own key missing from members; -EBADMSG with *why for a
 * certificate or key nng refuses (the member is named in why); -EADDRINUSE
 * or -EIO when listening fails; -ENOMEM. why (why_len bytes) is written
 * on failure.
 */
int net_transport_open(const struct net_transport_cfg *cfg,
		       struct net_transport **out, char *why, size_t why_len);
/* Closes every socket and frees t (NULL is a no-op). Loop thread, with no
 * poll running. */
void net_transport_close(struct net_transport *t);

/* Drains queued events, calling fn for each on this thread (the event and
 * its bytes are valid only during the call), then reports drops that are
 * due. */
typedef void (*net_transport_event_fn)(void *arg,
				       const struct net_transport_event *ev);
void net_transport_poll(struct net_transport *t, uint64_t now_ms,
			net_transport_event_fn fn, void *arg);

/* Housekeeping, about once a second, also while polls are deferred:
 * closes connections past the hello deadline, closes the connections of
 * peers idle for idle_ms (and dials them again), and wakes the loop when
 * drops are due to be reported. */
void net_transport_tick(struct net_transport *t, uint64_t now_ms);

/* Sends bytes (borrowed) to peer on our connection to it. Best effort:
 * 0 queued; -ENOTCONN the peer is not up; -EAGAIN its queue is full (the
 * message is dropped and counted); -ENOMEM. */
int net_transport_send(struct net_transport *t, uint32_t peer,
		       const uint8_t *bytes, size_t len);

/* Closes every connection with peer and neither dials it nor accepts its
 * hello until now_ms + backoff_ms. */
void net_transport_disconnect(struct net_transport *t, uint32_t peer,
			      uint64_t now_ms, uint64_t backoff_ms);

size_t net_transport_member_count(const struct net_transport *t);
/* Our own member index. */
uint32_t net_transport_self(const struct net_transport *t);
void net_transport_peer_info(const struct net_transport *t, uint32_t peer,
			     struct net_transport_peer_info *out);

/* The hello's signed string: "ward-hello-v1" || net_id || listener key ||
 * dialer key || nonce (13 + 4 * 32 bytes). Exposed for tests. */
#define NET_TRANSPORT_HELLO_SIGNED_BYTES (13u + 4u * 32u)
void net_transport_hello_signed(uint8_t out[NET_TRANSPORT_HELLO_SIGNED_BYTES],
				const uint8_t net_id[32],
				const uint8_t listener_key[32],
				const uint8_t dialer_key[32],
				const uint8_t nonce[32]);

/* Checks a HELLO (bytes, len) answering nonce on a listener with key
 * self_key, against the n member keys (keys[i], 32 bytes each; self is
 * the listener's own index, never accepted). NULL and *member when it
 * verifies; otherwise the rejection reason (malformed_hello,
 * not_in_roster, bad_hello_signature), *member untouched, and claimed
 * (32 bytes) holds the key the hello named whenever it had one, *has_claim
 * saying so. Pure; exposed for tests. */
const char *net_transport_hello_verify(const uint8_t net_id[32],
				       const uint8_t self_key[32],
				       const uint8_t (*keys)[32], size_t n,
				       uint32_t self, const uint8_t nonce[32],
				       const uint8_t *bytes, size_t len,
				       uint32_t *member, uint8_t claimed[32],
				       bool *has_claim);

#endif
