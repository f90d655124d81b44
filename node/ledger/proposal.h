/*
 * proposal.h: proposals for the next roster version (DESIGN.md section 3),
 * held in the ledger's meta family, merged and gossiped.
 *
 *   item = [roster: bin ([body, sigs] so far), proposer: bin(32),
 *           note: str (<= 1 KiB), proposer_sig: bin(64)]
 *   proposer_sig = Ed25519("ward-proposal-v1" || net_id || BLAKE2b-256(body)
 *                          || note) by a member of the version in force
 *
 * A proposal's id is BLAKE2b-256 of its body. Signatures of one body merge
 * (their union); every signature must be an admin's of the version in
 * force, over that body. As soon as a body holds its threshold of them it
 * is the next roster version; when several do (only an admin signing two
 * bodies of one version makes that possible: a proof kept against it) the
 * lowest id stands.
 */
#ifndef WARD_NODE_PROPOSAL_H
#define WARD_NODE_PROPOSAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"

/* Most proposals held at once; more are refused until one is in force. */
#define NODE_PROPOSALS_MAX 64u
/* ... of which one member's proposals (proposer) at most. */
#define NODE_PROPOSALS_PER_MEMBER 4u
#define NODE_PROPOSAL_NOTE_MAX 1024u

struct node_proposal {
	struct node_roster *r; /* body and the valid signatures so far */
	uint8_t id[32];	       /* BLAKE2b-256(body) */
	uint8_t proposer[32];
	char *note;
	uint64_t needed; /* threshold of the version in force */
	uint8_t *item;	 /* the item as held (gossiped) */
	size_t item_len;
};

/* What node_proposal_add did. */
enum node_proposal_result {
	NODE_PROPOSAL_NOTHING_NEW = 0,
	NODE_PROPOSAL_MERGED = 1, /* stored, or new signatures merged */
	NODE_PROPOSAL_IN_FORCE =
	    2, /* ... and a new roster version is in force */
};

/* Makes the item proposing body (the next version's body, canonical) as
 * member pk/sk with note, signed as admin when pk is one (admin_sign).
 * Returns 0 with *item (owned), -EBADMSG with *why. */
int node_proposal_make(struct node_ledger *l, const uint8_t *body,
		       size_t body_len, const uint8_t pk[32], const uint8_t *sk,
		       const char *note, bool admin_sign, uint8_t **item,
		       size_t *item_len, struct node_reason *why);
/* Adds or merges an item (from a peer or this node). >= 0: an enum
 * node_proposal_result; -EBADMSG it is invalid (*why: a signature by a
 * non-admin or over another body, a broken threshold, ...); -ESTALE it is
 * for a version other than the next (dropped; nobody's fault); -EDQUOT
 * NODE_PROPOSALS_MAX are held, or NODE_PROPOSALS_PER_MEMBER of its
 * proposer's (refused, nobody's offence); another negative errno on a local failure.
 * Nothing changes unless it returns > 0. */
int node_proposal_add(struct node_ledger *l, const uint8_t *item, size_t len,
		      struct node_reason *why);
/* Adds this admin's signature to the proposal held with id. As
 * node_proposal_add; -ENOENT when none is held. */
int node_proposal_sign(struct node_ledger *l, const uint8_t id[32],
		       const uint8_t pk[32], const uint8_t *sk,
		       struct node_reason *why);
/* The proposals held for the next version, by id. */
int node_proposals(struct node_ledger *l, struct node_proposal **out,
		   size_t *n);
void node_proposals_free(struct node_proposal *v, size_t n);
/* Appends the items held (concatenated), as many as fit in max_bytes;
 * returns how many. */
size_t node_proposals_encode(struct node_ledger *l, struct crdt_buf *out,
			     size_t max_bytes);
/* BLAKE2b-256 over the proposals held for the next version, by id: each
 * id and its signers' keys (sorted). Equal at two nodes that hold the same
 * proposals with the same signatures. */
void node_proposals_digest(struct node_ledger *l, uint8_t out[32]);
/* Whether admin pk signed a proposal held for the next version other
 * than id (NULL: any). */
bool node_proposal_signed_other(struct node_ledger *l, const uint8_t pk[32],
				const uint8_t *id);

/* Admins proven to have signed two bodies of one version: calls fn (may
 * be NULL) for each; returns how many. */
typedef void (*node_admin_fork_fn)(void *ctx, const uint8_t admin[32],
				   uint64_t version);
size_t node_admin_forks(struct node_ledger *l, node_admin_fork_fn fn,
			void *ctx);

#endif
