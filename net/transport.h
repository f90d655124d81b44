/*
 * net/transport: the connections gossip travels on, nng over mutual TLS
 * (DESIGN.md section 6, notes/nng-tls.md). Every node listens on its
 * roster address and dials every other member. A member's connection to
 * us is identified by the hello (types 7 and 8, docs/protocol.md): we send
 * a fresh nonce, the dialer answers with its key and an Ed25519 signature
 * over "ward-hello-v1" || net_id || our key || its key || nonce, and only
 * then do its messages reach the caller, tagged with its member index.
 *
 * Each peer has its own dialing socket (pair1, one pipe, a send queue with
 * back-pressure); we send to a peer only on it, and receive from peers
 * only on the listening socket (pair1 polyamorous), whose per-pipe queue
 * of two messages then carries nothing but hello nonces. A pipe of ours is
 * "up" once the peer's nonce was answered; the peer has then checked, or
 * is about to check, who we are.
 *
 * Threads: nng's threads only queue events and call the wake function;
 * everything else, including net_transport_poll, runs on one thread (the
 * node's loop). nng types stay inside transport.c.
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
/* An inbound connection that has not said hello within this is closed. */
#define NET_TRANSPORT_HELLO_TIMEOUT_MS 10000u

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
	NET_TRANSPORT_REJECTED,	 /* a connection closed for reason */
};

struct net_transport_event {
	enum net_transport_event_kind kind;
	uint32_t peer; /* member index; UINT32_MAX when unknown */
	const uint8_t *bytes;
	size_t len;
	const char *reason; /* REJECTED: a static string */
	const char *addr;   /* REJECTED: the remote address, or "" */
};

/* Counters of one peer, for status and metrics. */
struct net_transport_peer_info {
	bool up;	       /* our connection to it is up */
	uint32_t inbound;      /* its identified connections to us */
	uint64_t last_seen_ms; /* last message from it (poll's clock), 0 */
	uint64_t msgs_in, bytes_in, msgs_out, bytes_out, send_drops;
	uint64_t redials; /* dials restarted as stuck (net_transport_tick) */
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
 * its bytes are valid only during the call). now_ms is a monotonic clock
 * used for last_seen. */
typedef void (*net_transport_event_fn)(void *arg,
				       const struct net_transport_event *ev);
void net_transport_poll(struct net_transport *t, uint64_t now_ms,
			net_transport_event_fn fn, void *arg);

/* Housekeeping, about once a second: closes inbound connections silent
 * past the hello timeout, redials peers whose backoff ended, restarts a
 * dial not up after 3 s to a peer that has itself dialed us (alive, so
 * the dial is stuck: nng 1.5.2 puts no timeout on a TLS handshake), and
 * opens the listener again when a peer we reach has not reached us for
 * 6 s (accepted connections whose handshake never progressed were seen
 * wedging it after restarts); while that goes on, ever more rarely (the
 * wait doubles up to 5 minutes), since reopening drops every inbound
 * connection. */
void net_transport_tick(struct net_transport *t, uint64_t now_ms);
/* How many times net_transport_tick opened the listener again: a peer we
 * reach had not reached us for 6 s (a wedged listener). */
uint64_t net_transport_relistens(const struct net_transport *t);

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

#endif
