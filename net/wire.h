/*
 * net/wire: the messages nodes exchange for anti-entropy, encoded as
 * canonical MessagePack arrays [1, type, ...] and decoded with crdt's
 * bounded cursor. Pure: no I/O, no clock, no globals. docs/protocol.md
 * documents every message byte by byte; this header is its C face.
 *
 *   DIGEST   [1, 1, digest: bin(32), state: bin(32)]
 *   VECTOR   [1, 2, after: nil | [author: bin(32), scope: str], last: bool,
 *             feeds: array of [author: bin(32), scope: str, seq: uint,
 *                              head: bin(32)]]
 *   ANNOUNCE [1, 3, feeds: array (1..) of [author: bin(32), scope: str,
 *                                          seq: uint]]
 *   PULL     [1, 4, author: bin(32), scope: str, from_seq: uint (>= 1),
 *             max_entries: uint (1..NET_WIRE_MAX_PULL_ENTRIES)]
 *   ENTRIES  [1, 5, author: bin(32), scope: str, from_seq: uint (>= 1),
 *             have_seq: uint, entries: array of [body: bin, sig: bin(64)]]
 *   FORK     [1, 6, a: [body: bin, sig: bin(64)], b: [body, sig]]
 *   CHECKPOINT [1, 9, checkpoint: [body: bin, sig: bin(64)]]
 *   DIVERGENCE [1, 10, a: checkpoint, b: checkpoint]
 *   ROSTER   [1, 12, version: uint (the sender's roster in force),
 *             roster_id: bin(32) (BLAKE2b-256 of that version's body),
 *             proposals_digest: bin(32) (of the proposals it holds),
 *             rosters: array of bin (consecutive roster versions),
 *             proposals: array of proposal items (node/ledger/proposal.h)]
 * (7 and 8 are the transport's hello, net/transport.h.)
 */
#ifndef WARD_NET_WIRE_H
#define WARD_NET_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct crdt_buf;

#define NET_WIRE_VERSION 1u
/* One network message (DESIGN.md section 3). */
#define NET_WIRE_MAX_MSG_BYTES (1024u * 1024u)
/* Most entries one PULL may ask for. */
#define NET_WIRE_MAX_PULL_ENTRIES 1024u
/* Canonical scope: 2..12 digits, plus the NUL. */
#define NET_WIRE_SCOPE_BYTES 13u

enum net_wire_type {
	NET_WIRE_UNKNOWN = 0, /* a version-1 type this node does not know */
	NET_WIRE_DIGEST = 1,
	NET_WIRE_VECTOR = 2,
	NET_WIRE_ANNOUNCE = 3,
	NET_WIRE_PULL = 4,
	NET_WIRE_ENTRIES = 5,
	NET_WIRE_FORK = 6,
	NET_WIRE_CHECKPOINT = 9,
	NET_WIRE_DIVERGENCE = 10,
	NET_WIRE_PING = 11, /* [1, 11]: keeps a link's liveness, no answer */
	NET_WIRE_ROSTER = 12,
};

/* One feed of a version vector: (author, scope) at seq with head hash.
 * ANNOUNCE items carry no head (zeros after decoding, ignored on encoding).
 */
struct net_wire_feed {
	uint8_t author[32];
	char scope[NET_WIRE_SCOPE_BYTES];
	uint64_t seq;
	uint8_t head[32];
};

/* A decoded (or to-be-encoded) message. Only the fields of its type are
 * meaningful. feeds is owned by the message after net_wire_decode (release
 * with net_wire_msg_fini); entries, a and b borrow from the
 * decoded bytes. For encoding every pointer is borrowed. */
struct net_wire_msg {
	enum net_wire_type type;
	/* DIGEST: of the version vector, and the sender's state digest */
	uint8_t digest[32];
	uint8_t state[32];
	/* VECTOR: the feeds listed are every feed of the sender whose key is
	 * after `after` (all of them when !has_after) and at or before the
	 * last feed listed, or with `last` every feed after `after`. */
	bool has_after;
	uint8_t after_author[32];
	char after_scope[NET_WIRE_SCOPE_BYTES];
	bool last;
	/* VECTOR, ANNOUNCE */
	size_t n_feeds;
	struct net_wire_feed *feeds;
	/* PULL, ENTRIES */
	uint8_t author[32];
	char scope[NET_WIRE_SCOPE_BYTES];
	uint64_t from_seq;
	uint64_t max_entries; /* PULL */
	uint64_t have_seq;    /* ENTRIES: the sender's head seq of the feed */
	/* ENTRIES: n_entries consecutive [body, sig] values */
	size_t n_entries;
	const uint8_t *entries;
	size_t entries_len;
	/* FORK: two whole entries; DIVERGENCE: two checkpoints; CHECKPOINT:
	 * one, in a. Each a [body: bin, sig: bin(64)] value. */
	const uint8_t *a, *b;
	size_t a_len, b_len;
	/* ROSTER: the sender's version; rosters: n_rosters consecutive bin
	 * values (each a roster's [body, sigs] bytes); proposals:
	 * n_proposals consecutive array values. */
	uint64_t roster_version;
	uint8_t roster_id[32];
	uint8_t proposals_digest[32];
	size_t n_rosters, rosters_len;
	const uint8_t *rosters;
	size_t n_proposals, proposals_len;
	const uint8_t *proposals;
};

/* Orders feeds by author bytes, then scope bytes (a proper prefix first):
 * the order of VECTOR lists and of the version-vector digest. */
int net_wire_feed_cmp(const uint8_t a_author[32], const char *a_scope,
		      const uint8_t b_author[32], const char *b_scope);

/* Encodes m (borrowed) as one message appended to b. The caller keeps to
 * the limits above (asserted: scopes canonical, feeds of a VECTOR sorted,
 * ENTRIES of well-formed entries is the caller's promise). */
void net_wire_encode(struct crdt_buf *b, const struct net_wire_msg *m);

/* Decodes one message of len bytes (borrowed; entries and fork pointers
 * in *out point into it). Canonical form, bounded counts, canonical
 * scopes, sorted and distinct VECTOR feeds, entries structurally
 * [bin(1..64 KiB), bin(64)] (not verified), no trailing bytes. Returns 0
 * and fills *out (call net_wire_msg_fini), -EBADMSG when malformed or
 * larger than NET_WIRE_MAX_MSG_BYTES, -EPROTO for a version other than 1;
 * on failure *why names the reason (static string) and *out holds nothing
 * to free. A well-formed [1, type, ...] of an unknown type decodes as
 * NET_WIRE_UNKNOWN. */
int net_wire_decode(const uint8_t *msg, size_t len, struct net_wire_msg *out,
		    const char **why);
/* Frees what net_wire_decode allocated; the message is zeroed. */
void net_wire_msg_fini(struct net_wire_msg *m);

/* Size in bytes of the fixed part of an ENTRIES message for feed scope,
 * counted generously, so that header + entries stays within a budget. */
size_t net_wire_entries_overhead(void);

#endif
