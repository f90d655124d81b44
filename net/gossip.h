/*
 * net/gossip: the anti-entropy state machine (DESIGN.md section 6). It is
 * sans-I/O: it never touches a socket, a clock or a disk. The caller hands
 * it events (start, peer up or down, a message, the timer, a local write,
 * the result of an ingest) with the current time, and drains the actions it
 * appends (send, ingest, disconnect, set the timer). Production drives it
 * from the node's event loop over nng; the simulator drives it over a fake
 * network and clock. Messages are those of net/wire.h.
 *
 * One thread uses a state machine at a time; nothing here is thread-safe.
 */
#ifndef WARD_NET_GOSSIP_H
#define WARD_NET_GOSSIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/wire.h"

struct crdt_buf;
struct net_gossip;

/* One proof a replica holds (see struct net_gossip_replica.proofs). */
typedef void (*net_gossip_proof_fn)(void *arg, enum net_wire_type type,
				    const uint8_t *a, size_t a_len,
				    const uint8_t *b, size_t b_len);

/* Tunables. net_gossip_cfg_default fills in the defaults noted. */
struct net_gossip_cfg {
	uint32_t fanout;	  /* peers sent a DIGEST per round: 2 */
	uint64_t round_ms;	  /* mean round interval (+-10%): 2000 */
	uint64_t pull_timeout_ms; /* unanswered PULL forgotten: 4000 */
	uint32_t max_inflight;	  /* PULLs (sent or ingesting) per peer: 4 */
	uint32_t pull_entries;	  /* entries asked per PULL: 256 (<= 1024) */
	uint32_t feed_depth;	  /* PULLs of one feed in flight, the next
				     asked as a batch arrives: 4 */
	size_t batch_bytes;	  /* entries per ENTRIES reply: 256 KiB */
	size_t list_bytes;	  /* VECTOR and ANNOUNCE chunk: 256 KiB */
	size_t serve_bytes;	  /* ENTRIES bytes served a peer per round:
				     64 MiB; PULLs beyond are not answered */
	uint32_t max_vectors;	  /* VECTOR replies to a peer per round: 4 */
	uint64_t backoff_base_ms; /* first disconnect backoff: 1000 */
	uint64_t backoff_max_ms;  /* backoff cap (doubling): 300000 */
	uint64_t seed;		  /* the machine's own PRNG (peer choice,
				     jitter, the wants table's hash key): 0 */
	/* What one peer may make us do per round, checked before the work
	 * (docs/protocol.md section 4); the excess is ignored. */
	uint32_t max_digests;	/* DIGESTs handled: 4 */
	uint32_t max_proofs;	/* FORK and DIVERGENCE checked: 8 */
	uint32_t max_rosters;	/* ROSTER messages handled: 4 */
	uint32_t max_pulls;	/* PULLs answered: 4096 */
	size_t max_list_items;	/* VECTOR and ANNOUNCE items read: 65536 */
	/* This node's own signing key, when it has one (has_self): its own
	 * feeds get the write-safety rule of net_gossip_own_behind and
	 * NET_GOSSIP_HEADS_SHOWN. */
	bool has_self;
	uint8_t self[32];
};

/* The node's side: synchronous reads of the local replica. Each borrows
 * ctx and the pointers it is given. A *why it sets is log text for the
 * operator, never shown to a user: it must outlive the call until the
 * actions are handled (node/ledger/replica.c gives the message catalog's
 * English; docs/architecture.md, "The message catalog"). */
struct net_gossip_replica {
	/* Every feed held, in any order: writes a malloc'd array (freed by
	 * the state machine) and its length. 0 or a negative errno (the
	 * round or reply is then skipped). */
	int (*vv)(void *ctx, struct net_wire_feed **out, size_t *n);
	/* Head seq of feed (author, scope); 0 when not held. */
	uint64_t (*feed_seq)(void *ctx, const uint8_t author[32],
			     const char *scope);
	/* Appends the wire form ([body, sig]) of the consecutive entries of
	 * feed (author, scope) from seq `from` on, at most max_entries of
	 * them, stopping before an entry that would take the bytes appended
	 * past max_bytes (the first entry is always appended). Returns the
	 * count appended (0 when `from` is past the head) or a negative
	 * errno (nothing appended). */
	int (*read_range)(void *ctx, const uint8_t author[32],
			  const char *scope, uint64_t from, size_t max_entries,
			  size_t max_bytes, struct crdt_buf *out);

	/* Optional (NULL: the replica has no state digest, checkpoints or
	 * proofs; DIGEST then carries zeros and none are exchanged). */
	/* The replica's state digest. */
	void (*state_digest)(void *ctx, uint8_t out[32]);
	/* Appends this node's signed checkpoint ([body, sig]) of its current
	 * state to out: 0, or a negative errno (none is sent). */
	int (*checkpoint)(void *ctx, struct crdt_buf *out);
	/* A peer's checkpoint: 1 when it proves a divergence (a proof is now
	 * held), 0 when there is nothing to do, -EBADMSG with *why when it
	 * does not verify, another negative errno on a local failure. */
	int (*checkpoint_seen)(void *ctx, const uint8_t *cp, size_t len,
			       const char **why);
	/* A proof from a peer, type NET_WIRE_FORK or NET_WIRE_DIVERGENCE, a
	 * and b its two signed values: 1 newly held, 0 already held, -EBADMSG
	 * with *why when it proves nothing, another negative errno on a
	 * local failure. */
	int (*proof_add)(void *ctx, enum net_wire_type type, const uint8_t *a,
			 size_t a_len, const uint8_t *b, size_t b_len,
			 const char **why);
	/* Calls fn for every proof held (fn may be NULL); returns how many
	 * are held. */
	size_t (*proofs)(void *ctx, net_gossip_proof_fn fn, void *arg);
	/* Optional: a number that changes whenever the vector does (NULL:
	 * the vector is read again for every use). With it, the sorted
	 * vector and its digest are cached, so what a peer sends costs no
	 * read of the whole vector. */
	uint64_t (*vv_version)(void *ctx);

	/* Optional (NULL: roster versions and proposals do not travel; no
	 * ROSTER is sent and those received are ignored). */
	/* The roster version in force, and its id (BLAKE2b-256 of its
	 * body). */
	uint64_t (*roster_version)(void *ctx);
	void (*roster_id)(void *ctx, uint8_t out[32]);
	/* Appends roster versions from `from` on, each a bin of its
	 * [body, sigs] bytes, as many as fit in max_bytes (the first always);
	 * returns how many. */
	size_t (*rosters_read)(void *ctx, uint64_t from, size_t max_bytes,
			       struct crdt_buf *out);
	/* A digest of the proposals held and their signatures: equal on
	 * two nodes holding the same. */
	void (*proposals_digest)(void *ctx, uint8_t out[32]);
	/* Appends the proposal items held, as many as fit in max_bytes;
	 * returns how many. */
	size_t (*proposals_read)(void *ctx, size_t max_bytes,
				 struct crdt_buf *out);
	/* A roster version a peer sent ([body, sigs]): 1 it is now in
	 * force (the next version, or another body of the newest version
	 * with a lower id: DESIGN.md section 3's rule for competing
	 * bodies), 0 already held, not the next or on another branch
	 * (nobody's fault), -EBADMSG with *why when it follows our newest
	 * version but is not a valid successor, another negative errno on a
	 * local failure. */
	int (*roster_add)(void *ctx, const uint8_t *r, size_t len,
			  const char **why);
	/* A proposal item a peer sent: 1 it changed what is held (new, new
	 * signatures, a version now in force), 0 nothing new or not for the
	 * next version, -EBADMSG with *why when invalid, another negative
	 * errno otherwise (ignored). */
	int (*proposal_add)(void *ctx, const uint8_t *item, size_t len,
			    const char **why);
};

enum net_gossip_action_kind {
	/* Send bytes[0..len) to peer. Best effort: a lost message costs
	 * time, never correctness. */
	NET_GOSSIP_SEND,
	/* Verify and apply, in order, the count consecutive entries in
	 * bytes[0..len) ([body, sig] each) that peer sent, stopping at the
	 * first that fails; then report with net_gossip_on_ingested(id).
	 * Entries are not checked beyond their structure: verify all. */
	NET_GOSSIP_INGEST,
	/* Close the connection to peer (reason, a static string, is for the
	 * log) and do not dial it for ms. */
	NET_GOSSIP_DISCONNECT,
	/* Call net_gossip_on_timer ms after now; replaces any earlier
	 * TIMER. */
	NET_GOSSIP_TIMER,
	/* Every head peer holds is now known and none of this node's own
	 * feeds (cfg.self) is ahead of ours there: its DIGEST equals ours
	 * (reason "equal_digest"), or its whole VECTOR came, every chunk in
	 * order from the first to the last, and listed no own feed beyond
	 * our head ("vector"). A node restored from a backup waits for this
	 * before it signs (DESIGN.md section 5). */
	NET_GOSSIP_HEADS_SHOWN,
};

struct net_gossip_action {
	enum net_gossip_action_kind kind;
	uint32_t peer;
	uint8_t *bytes; /* SEND, INGEST: owned by the action list */
	size_t len;
	size_t count; /* INGEST: entries in bytes */
	uint64_t id;  /* INGEST: handle for net_gossip_on_ingested */
	uint64_t ms;  /* TIMER delay; DISCONNECT backoff */
	const char *reason;
};

/* A list of actions the caller drains. The list owns each action's bytes:
 * a caller that keeps them sets the action's bytes to NULL first. */
struct net_gossip_actions {
	struct net_gossip_action *v;
	size_t n, cap;
};

void net_gossip_actions_init(struct net_gossip_actions *a);
/* Frees the bytes of every action and empties the list. */
void net_gossip_actions_reset(struct net_gossip_actions *a);
void net_gossip_actions_fini(struct net_gossip_actions *a);

/* Counters since net_gossip_new. */
struct net_gossip_stats {
	uint64_t msgs_sent, bytes_sent;
	uint64_t msgs_received, bytes_received;
	uint64_t pulls_sent, entries_received, entries_served;
	uint64_t disconnects, ignored;
	uint64_t fork_pulls; /* entries pulled to prove a fork */
	uint64_t over_budget; /* messages or items ignored: a budget was
				 spent (included in ignored) */
};

/* What gossip knows of one peer, for status and metrics. */
struct net_gossip_peer_info {
	bool up;
	bool lag_known;	      /* a whole vector of it, or an equal digest */
	uint64_t lag_entries; /* entries we hold that it lacked then */
	size_t wants;	      /* feeds it is ahead on, to pull */
	uint64_t over_budget; /* its messages ignored over a budget */
};

void net_gossip_cfg_default(struct net_gossip_cfg *cfg);

/* Creates a state machine. cfg is copied; ops and ctx are borrowed and
 * must outlive it. Returns 0 and *out, -EINVAL for a cfg out of range
 * (batch_bytes or list_bytes too large for one message, zero fanout,
 * round_ms or max_inflight, pull_entries above the wire's limit), or
 * -ENOMEM. */
int net_gossip_new(const struct net_gossip_cfg *cfg,
		   const struct net_gossip_replica *ops, void *ctx,
		   struct net_gossip **out);
/* Frees g (NULL is a no-op). Outstanding INGEST ids become invalid. */
void net_gossip_free(struct net_gossip *g);
void net_gossip_stats(const struct net_gossip *g, struct net_gossip_stats *out);

/*
 * Events. Each appends its actions to out (borrowed) and cannot fail.
 * Peer ids are the caller's and should name the same remote node across
 * reconnections (a roster member index, say), since a backoff follows the
 * id. now_ms is any monotonic millisecond clock.
 */

/* Arms the round timer. */
void net_gossip_on_start(struct net_gossip *g, uint64_t now_ms,
			 struct net_gossip_actions *out);
/* A connection to peer is ready (after the hello). Sends it a DIGEST at
 * once; a peer still backing off is disconnected again instead. */
void net_gossip_on_peer_up(struct net_gossip *g, uint32_t peer, uint64_t now_ms,
			   struct net_gossip_actions *out);
/* The connection to peer is gone: its pulls are forgotten (INGESTs already
 * handed out must still be reported). */
void net_gossip_on_peer_down(struct net_gossip *g, uint32_t peer,
			     uint64_t now_ms, struct net_gossip_actions *out);
/* A message from peer (msg borrowed). A malformed one, or one of another
 * protocol version, disconnects the peer with a backoff. Messages from a
 * peer that is not up (no net_gossip_on_peer_up yet, down, or backing
 * off) are ignored. */
void net_gossip_on_message(struct net_gossip *g, uint32_t peer,
			   const uint8_t *msg, size_t len, uint64_t now_ms,
			   struct net_gossip_actions *out);
/* The TIMER fired: a round (DIGEST to fanout random peers), pull timeouts,
 * budgets; arms the next TIMER. */
void net_gossip_on_timer(struct net_gossip *g, uint64_t now_ms,
			 struct net_gossip_actions *out);
/* This node appended entry seq to feed (author, scope): ANNOUNCE it to
 * every connected peer at once. */
void net_gossip_on_local_write(struct net_gossip *g, const uint8_t author[32],
			       const char *scope, uint64_t seq, uint64_t now_ms,
			       struct net_gossip_actions *out);
/* Reports INGEST id (exactly once each, even if its peer went down):
 * applied entries of it were applied or already held, then rc: 0 all of
 * them; -EBADMSG entry number `applied` was rejected outright (the peer is
 * disconnected with a backoff); -EILSEQ entry number `applied` follows
 * another entry than ours at the seq before (its author forked the feed;
 * the peer did nothing wrong, and its entry at that seq is pulled to prove
 * the fork); -EAGAIN it is ahead of its feed's head or of the roster
 * (pulled again later); -EDQUOT it would start a feed its author may not
 * have (the author holds the most feeds one may: not the peer's offence;
 * that author's feeds new to us are then not pulled); any other negative
 * errno (a local failure) just ends the batch. */
void net_gossip_on_ingested(struct net_gossip *g, uint64_t id, size_t applied,
			    int rc, uint64_t now_ms,
			    struct net_gossip_actions *out);

/* This node's rosters or proposals changed (a proposal made or signed
 * here, a version put in force): a ROSTER goes to every connected peer
 * at once, with the newest roster version when new_version. */
void net_gossip_on_roster_changed(struct net_gossip *g, bool new_version,
				  uint64_t now_ms,
				  struct net_gossip_actions *out);

/* Reports that the signatures of the first `verified` entries of INGEST
 * id checked out (before they are applied; optional: without it only
 * applied entries count). An entry of this node's own feed that verified
 * is the evidence net_gossip_own_behind believes. */
void net_gossip_on_verified(struct net_gossip *g, uint64_t id,
			    size_t verified);

/*
 * The write-safety rule (docs/architecture.md). True, with the feed's
 * scope in scope_out, while some peer has shown a validly signed entry of
 * one of this node's own feeds (cfg.self) that this node does not hold:
 * signing now would fork that feed. Claims (ANNOUNCE, VECTOR, PULL,
 * ENTRIES' have_seq) are never believed: only entries whose signature
 * verified (net_gossip_on_verified, or applied) count, and only this node
 * could have signed them. Cheap: one head lookup per such feed.
 */
bool net_gossip_own_behind(struct net_gossip *g, char scope_out[13]);

/* What gossip knows of peer (zeros for one never seen). */
void net_gossip_peer_info(const struct net_gossip *g, uint32_t peer,
			  struct net_gossip_peer_info *out);

/* Sorts feeds by net_wire_feed_cmp and writes BLAKE2b-256 of their
 * encoding as an array of [author, scope, seq, head]: the digest a DIGEST
 * message carries (and the vv a checkpoint signs). */
void net_gossip_vv_digest(struct net_wire_feed *feeds, size_t n,
			  uint8_t out[32]);

#endif
