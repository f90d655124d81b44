/*
 * ledger_int.h: the key layout of a node's store (DESIGN.md section 5).
 * One family byte, then fixed-width or length-prefixed parts; integers are
 * big-endian so byte order is numeric order.
 *
 *   'L' feed seq(8)                      -> entry wire bytes        (log)
 *   'H' feed                             -> [seq, hash, hlc, roster_version]
 *   'E' entity(16)                       -> [valid, type, scope, author, seq,
 *                                            index, hlc, reason|nil]
 *   'C' entity(16) flen(1) field         -> cell (crdt_cell_encode)
 *   'W' entity(16) feed seq(8) index(4)  -> [hlc, op bytes] op waiting for
 *                                            its entity's create
 *   'T' tlen(1) type entity(16)          -> ''  records by type
 *   'O' entity(16) hlc(8) feed seq(8)    -> index(4)... the entry's ops
 *                                            on the record, ascending
 *   'F' feed seq(8) index(4)             -> reason: op stored without effect
 *   'Y' key_id(16) entity(16) feed seq(8) index(4) -> '' an op on a sealed
 *                                            field waiting (its 'W' key) for
 *                                            the key record of key_id
 *   'Z' key_id(16) rlen roles slen scope entity(16) -> [roles, made]: a usable key
 *                                            record and the roster version
 *                                            it was made under
 *   'G' slen scope rlen roles made(8) key_id(16) entity(16) -> '' the same,
 *                                            by group
 *   'P' feed seq(8)                      -> [wire a, wire b] fork proof (meta)
 *   'M' name                             -> node metadata (meta);
 *                                           "Mstore-flush" is store.c's
 *
 * feed = author(32) slen(1) scope. 'L' and 'M'/'P' live in their own column
 * families; everything else is state and is recomputed by audit.
 *
 * Below the layout: the hooks the ledger calls in index.c. They are the
 * ledger's contract, declared here rather than in index.h, so that the
 * ledger never includes the indexes and index.c (which reads and writes
 * through the ledger's transaction) is the only side of the arrow.
 */
#ifndef WARD_NODE_LEDGER_INT_H
#define WARD_NODE_LEDGER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define KEY_MAX 128

struct key {
	uint8_t b[KEY_MAX];
	size_t len;
};

static inline void key_init(struct key *k, char family)
{
	k->b[0] = (uint8_t)family;
	k->len = 1;
}

static inline void key_bytes(struct key *k, const void *p, size_t n)
{
	if (n == 0)
		return; /* p may be NULL: an empty prefix */
	memcpy(k->b + k->len, p, n);
	k->len += n;
}

static inline void key_u64(struct key *k, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		k->b[k->len++] = (uint8_t)(v >> (56 - 8 * i));
}

static inline void key_u32(struct key *k, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		k->b[k->len++] = (uint8_t)(v >> (24 - 8 * i));
}

static inline void key_str(struct key *k, const char *s, size_t n)
{
	k->b[k->len++] = (uint8_t)n;
	key_bytes(k, s, n);
}

static inline void key_feed(struct key *k, const uint8_t author[32],
			    const char *scope)
{
	key_bytes(k, author, 32);
	key_str(k, scope, strlen(scope));
}

static inline uint64_t get_u64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static inline uint32_t get_u32(const uint8_t *p)
{
	uint32_t v = 0;
	for (int i = 0; i < 4; i++)
		v = v << 8 | p[i];
	return v;
}

#define META_ROSTER "Mroster" /* genesis */
/* || version (8 bytes BE): roster versions 2 and later (roster_chain.c) */
#define META_ROSTER_V "Mroster-v"
/* Present while entries are being judged again under a new chain. */
#define META_REJUDGE "Mrejudge"
/* || body hash (32): a proposal held (proposal.c) */
#define META_PROPOSAL "Mproposal-"
/* || admin key (32): proof that an admin signed two bodies of a version */
#define META_ADMIN_FORK "Madmin-fork-"
#define META_DIGEST "Mdigest"
#define META_HLC "Mhlc"
#define META_COUNT "Mentries"
/* [count, author bin(32), scope, seq, hlc]: entries accepted with an hlc
 * past the wall clock + 60 s, and the last of them (DESIGN.md section 4). */
#define META_SKEW "Mclock-skew"

/* Hooks the ledger calls (index.c, DESIGN.md section 5). A valid create
 * of type (from the schema table) landed in scope at hlc: writes the
 * record's scope key and, for a patient, its 'X' row. */
struct node_txn;
struct node_type;
struct node_entity;
struct node_field;
struct crdt_cell;
void node_index_created(struct node_txn *t, const uint8_t id[16],
			const struct node_type *type, const char *scope,
			uint64_t hlc);
/* Field f of record id (metadata e) now holds cell (both borrowed): brings
 * the record's 'I', 'X' and 'x' keys up to date. Cheap for fields neither
 * indexed nor carried in an 'X' row. */
void node_index_changed(struct node_txn *t, const uint8_t id[16],
			const struct node_entity *e, const struct node_field *f,
			const struct crdt_cell *cell);

#endif
