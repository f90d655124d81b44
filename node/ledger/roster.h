/*
 * roster.h: the signed membership list (DESIGN.md section 3).
 *
 *   roster = [body: bin, sigs: array of [admin key: bin(32), sig: bin(64)]]
 *   body   = [1, version, prev: bin(32) | nil, schema_version, threshold,
 *             admins: array of bin(32),
 *             members: array of [key, role, name, scope, address,
 *                                tls_cert_pem, last_seq: nil | [[scope, seq]]]]
 *   sig    = Ed25519("ward-roster-v1" || body), net_id = BLAKE2b-256(genesis body)
 */
#ifndef WARD_NODE_ROSTER_H
#define WARD_NODE_ROSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/catalog/catalog.h"
#include "node/ledger/schema.h"

struct node_revocation {
	char scope[13];
	uint64_t seq;
};

struct node_member {
	uint8_t key[32];
	enum node_role role;
	char *name;
	char scope[13];
	char *address;
	char *cert_pem;
	size_t n_revoked;
	struct node_revocation *revoked;
};

struct node_roster {
	uint64_t version;
	bool has_prev;
	uint8_t prev[32];
	uint64_t schema_version;
	uint64_t threshold;
	size_t n_admins;
	uint8_t (*admins)[32];
	size_t n_members;
	struct node_member *members;
	size_t n_sigs;
	uint8_t (*sig_keys)[32];
	uint8_t (*sigs)[64];
	uint8_t *wire; /* the whole roster as stored */
	size_t wire_len;
	const uint8_t *body; /* inside wire */
	size_t body_len;
	uint8_t body_hash[32]; /* net_id when version 1 */
};

/* Decodes a roster (structure, canonical form, roles, scopes). Returns an
 * owned roster or -EBADMSG with its reason (a catalog id) in *why. Signatures are
 * not checked here. */
int node_roster_decode(const uint8_t *wire, size_t len,
		       struct node_roster **out, enum node_msg *why);
void node_roster_free(struct node_roster *r);
/* A genesis roster (version 1, no prev) is valid when at least threshold
 * distinct admins of its own list signed it. 0 or -EBADMSG with *why. */
int node_roster_verify_genesis(const struct node_roster *r, enum node_msg *why);
const struct node_member *node_roster_find(const struct node_roster *r,
					   const uint8_t key[32]);
/* Builds and signs a genesis roster with one admin (secret key sk, public
 * key pk) listing members, under this build's schema version. Returns
 * owned wire bytes. _schema names schema version sv instead (tests of an
 * older version's verdicts). */
int node_roster_build_genesis(const struct node_member *members, size_t n,
			      const uint8_t pk[32], const uint8_t *sk,
			      uint8_t **wire, size_t *wire_len);
int node_roster_build_genesis_schema(const struct node_member *members,
				     size_t n, const uint8_t pk[32],
				     const uint8_t *sk, uint64_t sv,
				     uint8_t **wire, size_t *wire_len);
/* Revocation bound of member m for a feed scope: the last seq it may
 * write there, or UINT64_MAX. */
uint64_t node_member_last_seq(const struct node_member *m, const char *scope);
/* Encodes one member as the roster's member array (also node.pub's core). */
struct crdt_buf;
void node_member_encode(struct crdt_buf *b, const struct node_member *m);
struct crdt_mp_cursor;
int node_member_decode(struct crdt_mp_cursor *c, struct node_member *m);
void node_member_fini(struct node_member *m);

/* ---- the roster chain (roster_chain.c, DESIGN.md section 3) ---- */

struct crdt_buf;
/* Whether key is an admin of r. */
bool node_roster_is_admin(const struct node_roster *r, const uint8_t key[32]);
/* Encodes r's body from its fields (version, prev, schema_version,
 * threshold, admins, members): what a proposal builds and signs. */
void node_roster_encode_body(struct crdt_buf *b, const struct node_roster *r);
/* Ed25519 over "ward-roster-v1" || body. */
void node_roster_sign(const uint8_t *body, size_t len, const uint8_t *sk,
		      uint8_t sig[64]);
bool node_roster_sig_ok(const uint8_t sig[64], const uint8_t key[32],
			const uint8_t *body, size_t len);
/* [body, sigs] with the n signatures sorted by key (duplicates dropped). */
void node_roster_assemble(struct crdt_buf *out, const uint8_t *body,
			  size_t len, size_t n, const uint8_t (*keys)[32],
			  const uint8_t (*sigs)[64]);
/* Checks next as a candidate successor of prev, whatever signatures it
 * has so far: version prev + 1, prev = prev's body hash, 2 * threshold >
 * admins, and every signature by a distinct admin of prev over next's
 * body. *good counts them. 0, or -EBADMSG with the reason's catalog id. */
int node_roster_check_successor(const struct node_roster *prev,
				const struct node_roster *next, uint64_t *good,
				enum node_msg *why);
/* node_roster_check_successor and at least prev's threshold signatures. */
int node_roster_verify_successor(const struct node_roster *prev,
				 const struct node_roster *next,
				 enum node_msg *why);

/* A verified chain of rosters, genesis first (v[i]->version == i + 1). */
struct node_roster_chain {
	size_t n;
	struct node_roster **v;
};
/* Decodes and verifies a chain file: the array of roster arrays, genesis
 * first, or a single genesis roster (a chain of one). On failure -EBADMSG
 * with *why naming the version at fault. */
int node_roster_chain_decode(const uint8_t *wire, size_t len,
			     struct node_roster_chain *out,
			     struct node_reason *why);
void node_roster_chain_fini(struct node_roster_chain *c);
/* Encodes rosters v[0..n) as a chain file. */
void node_roster_chain_encode(struct crdt_buf *out,
			      struct node_roster *const *v, size_t n);
/* The revocation bound of author for a feed scope under the newest of
 * rosters v[0..n) that lists it (DESIGN.md section 4): UINT64_MAX when
 * none bounds it. */
uint64_t node_roster_chain_bound(struct node_roster *const *v, size_t n,
				 const uint8_t author[32], const char *scope);

#endif
