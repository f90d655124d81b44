/*
 * proofs.h: evidence a node keeps forever and gossips (DESIGN.md sections
 * 2 and 3).
 *
 * - A fork proof: two validly signed entries of one feed with the same seq
 *   and different hashes; its author equivocated.
 * - A checkpoint: a node's signed statement "with this version vector,
 *   roster version and schema version, my state digest is D".
 * - A divergence proof: two checkpoints by different nodes that agree on
 *   vector, roster version and schema version and differ in D; one of the
 *   two replicas is corrupt or lied.
 *
 * Every function runs on the thread that owns the ledger.
 */
#ifndef WARD_NODE_PROOFS_H
#define WARD_NODE_PROOFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/catalog/catalog.h"

struct crdt_buf;
struct node_ledger;

enum node_proof_kind {
	NODE_PROOF_FORK,
	NODE_PROOF_DIVERGENCE,
};

/* Appends this node's signed checkpoint of the ledger's current state,
 * [body, sig], to out. 0, -EPERM before the node joined a network, -E2BIG
 * when the vector is too large for one checkpoint, or another errno. */
int node_checkpoint_make(struct node_ledger *l, const uint8_t pk[32],
			 const uint8_t *sk, struct crdt_buf *out);

/* A checkpoint as decoded and verified. */
struct node_checkpoint {
	uint8_t node[32];
	uint64_t hlc, roster_version, schema_version;
	size_t n_feeds;
	uint8_t digest[32];
	const uint8_t *vv; /* the encoded vector inside the body */
	size_t vv_len;
};

/* Decodes wire (one [body, sig]) and checks the canonical form, that the
 * signer is a member of the roster and the signature. 0, or -EBADMSG with
 * *why. Pointers in *out borrow from wire. */
int node_checkpoint_check(struct node_ledger *l, const uint8_t *wire,
			  size_t len, struct node_checkpoint *out,
			  enum node_msg *why);

/* The same without the signature check, for checkpoints already checked
 * (those inside a proof this node keeps). */
int node_checkpoint_read(struct node_ledger *l, const uint8_t *wire,
			 size_t len, struct node_checkpoint *out,
			 enum node_msg *why);

/* A peer's checkpoint: compared with this node's state. Returns 1 when it
 * agrees with ours on vector, roster and schema version and differs in
 * digest (a divergence proof of it and our own checkpoint is then kept),
 * 0 when it is consistent, not comparable (other vector) or its proof is
 * already held, -EBADMSG (with *why) when it does not verify. */
int node_checkpoint_seen(struct node_ledger *l, const uint8_t pk[32],
			 const uint8_t *sk, const uint8_t *wire, size_t len,
			 enum node_msg *why);

/* A proof from a peer, a and b its two signed values: checked in full,
 * then kept. 1 newly kept; 0 when one is held already for that feed and
 * seq, or that pair of nodes (found before any signature is checked, so a
 * proof that keeps coming back costs a key lookup); -EBADMSG (with *why)
 * when it proves nothing; or another negative errno (store). */
int node_proof_add(struct node_ledger *l, enum node_proof_kind kind,
		   const uint8_t *a, size_t a_len, const uint8_t *b,
		   size_t b_len, enum node_msg *why);

/* Calls fn for every proof held, forks first; stops early when fn returns
 * non-zero. Returns how many were visited or a negative errno. */
typedef int (*node_proof_fn)(void *arg, enum node_proof_kind kind,
			     const uint8_t *a, size_t a_len, const uint8_t *b,
			     size_t b_len);
int node_proofs_each(struct node_ledger *l, node_proof_fn fn, void *arg);

/* How many proofs are held (forks and divergences). */
size_t node_proofs_count(struct node_ledger *l);

#endif
