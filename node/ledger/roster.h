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
 * owned roster or -EBADMSG with a static reason in *why. Signatures are
 * not checked here. */
int node_roster_decode(const uint8_t *wire, size_t len,
		       struct node_roster **out, const char **why);
void node_roster_free(struct node_roster *r);
/* A genesis roster (version 1, no prev) is valid when at least threshold
 * distinct admins of its own list signed it. 0 or -EBADMSG with *why. */
int node_roster_verify_genesis(const struct node_roster *r, const char **why);
const struct node_member *node_roster_find(const struct node_roster *r,
					   const uint8_t key[32]);
/* Builds and signs a genesis roster with one admin (secret key sk, public
 * key pk) listing members. Returns owned wire bytes. */
int node_roster_build_genesis(const struct node_member *members, size_t n,
			      const uint8_t pk[32], const uint8_t *sk,
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

#endif
