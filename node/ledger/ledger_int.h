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
 *
 * Last, the ledger's own state: the structs and helpers that ledger.c,
 * ledger_apply.c, ledger_sealed.c and ledger_ingest.c share.
 */
#ifndef WARD_NODE_LEDGER_INT_H
#define WARD_NODE_LEDGER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "node/catalog/catalog.h"
#include "node/ledger/ledger.h"
#include "node/store/txnmap.h"

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

/* ---- the ledger's own state ----
 *
 * The structs and helpers shared by the parts of the ledger: ledger.c,
 * ledger_apply.c, ledger_sealed.c and ledger_ingest.c. They are here, in
 * the ledger's own private header, rather than in a header of their own,
 * because such a header would include ledger.h and be included by
 * ledger.c: a circle between units (ops/check-layers). The other files of
 * node/ledger/ do not use them: they go through ledger.h and the hooks
 * above.
 */
struct node_ledger {
	struct node_kv *kv;
	/* Every roster version held, genesis first (rosters[i] is version
	 * i + 1); roster is the newest. Never freed before close, so that a
	 * pointer node_ledger_roster returned stays valid. */
	struct node_roster **rosters;
	size_t n_rosters;
	struct node_roster *roster;
	/* Bodies replaced by a competing one with a lower id (kept until
	 * close: pointers to them may be held). */
	struct node_roster **replaced;
	size_t n_replaced;
	struct node_proposal_cache pcache;
	struct crdt_lthash digest;
	struct crdt_hlc hlc;
	uint64_t entries;
	uint64_t version; /* node_ledger_version */
	node_clock_fn clock;
	void *clock_ctx;
	/* Whether the store may hold 'W' keys: unknown until first asked,
	 * then kept by this ledger, the store's only writer. Most stores hold
	 * none, and a create then need not open a RocksDB iterator to find
	 * the ops waiting for it. */
	enum { WAITING_UNKNOWN, WAITING_NONE, WAITING_MAYBE } waiting;
	struct node_clock_skew skew;
	/* A re-judgement the store failed: the state is not the chain's
	 * until it is done (node_ledger_begin tries again). */
	bool rejudge_pending;
};

struct node_txn {
	struct node_ledger *l;
	struct node_txnmap overlay; /* what this transaction wrote */
	struct crdt_lthash digest;
	uint64_t entries;
	uint64_t hlc_last;
	bool waiting_written; /* a 'W' key is in the overlay */
	struct node_clock_skew skew; /* the ledger's, plus this txn's */
	bool strict;          /* local write: any finding fails the entry */
	bool replaying;       /* re-judging the log: entries are there */
	bool strict_failed;
	struct node_reason strict_why;
	/* The entry whose ops are being applied, and which op: its later
	 * ops have not reached their cells yet (dot_settled, in
	 * ledger_apply.c). */
	const struct crdt_entry *applying;
	uint32_t applying_index;
	/* Records the entry being applied creates: the ops that waited for
	 * them are judged once the whole entry is applied, so that they see
	 * what the create entry set (a key record's roles). */
	uint8_t (*created)[16];
	size_t n_created, cap_created;
	/* key_serves verdicts (ledger_sealed.c) that came out true in this
	 * transaction: every sealed op of a group asks the same question,
	 * and the answer rests on 'Z' keys (written only by
	 * ledger_key_usable, which forgets these) and on the roster chain
	 * (part of the question). */
	struct served *served;
	size_t n_served, cap_served;
};

struct served {
	uint8_t key_id[16];
	unsigned roles;
	char scope[13];
	uint64_t v;
	size_t n_rosters;
	const struct node_roster *at_v; /* the chain's version v */
};

/* Context of one op being judged. */
struct op_ctx {
	const uint8_t *author;
	const char *scope;
	uint64_t seq;
	uint32_t index;
	uint64_t hlc;
	const struct node_member *member;
	/* jurisdiction or revocation, for all ops; NULL when none */
	const struct node_reason *entry_fault;
	uint64_t roster_version; /* the version the entry names */
	uint64_t sv;		 /* its schema version */
};

/* One key/value of a merged scan. */
struct scan_item {
	uint8_t *key;
	size_t key_len;
	uint8_t *val;
	size_t val_len;
};

/* A feed's head as its 'H' key holds it. */
struct head {
	uint64_t seq;
	uint8_t hash[32];
	uint64_t hlc;
	uint64_t roster_version;
};

/* A finding of a catalog id, its arguments checked against its text. */
#define FINDING(t, x, id, ...)                                               \
	do {                                                                 \
		struct node_reason r_;                                       \
		NODE_REASON(&r_, id, __VA_ARGS__);                           \
		ledger_finding((t), (x), &r_);                               \
	} while (0)
#define FINDING0(t, x, id)                                                   \
	do {                                                                 \
		struct node_reason r_;                                       \
		NODE_REASON0(&r_, id);                                       \
		ledger_finding((t), (x), &r_);                               \
	} while (0)

/* ledger.c: the overlay and records */

/* Puts k -> v[0..n) in the transaction's overlay (v NULL: empty). */
void ledger_txn_put(struct node_txn *t, const struct key *k, const uint8_t *v,
		    size_t n);
/* Deletes k in the transaction's overlay. */
void ledger_txn_del(struct node_txn *t, const struct key *k);
/* node_txn_get, skipping the store for a record created here. */
int ledger_txn_get_state(struct node_txn *t, const uint8_t entity[16],
			 const uint8_t *key, size_t key_len, uint8_t **val,
			 size_t *val_len);
/* Keys with a prefix as the transaction sees them, in order (owned). */
size_t ledger_txn_scan(struct node_txn *t, const struct key *prefix,
		       bool with_store, bool with_overlay,
		       struct scan_item **out);
/* Frees what ledger_txn_scan returned. */
void ledger_scan_free(struct scan_item *items, size_t n);
/* A record's metadata as its 'E' value. */
void ledger_encode_entity(struct crdt_buf *b, const struct node_entity *e);
/* The 'E' key of record id. */
void ledger_entity_key(struct key *k, const uint8_t id[16]);
/* The 'C' key of field[0..len) of record id. */
void ledger_cell_key(struct key *k, const uint8_t id[16], const char *field,
		     size_t len);
/* Record id's metadata as the transaction sees it; -ENOENT when none. */
int ledger_txn_entity(struct node_txn *t, const uint8_t id[16],
		      struct node_entity *e);

/* ledger_apply.c: judging and applying ops */

/* Stores op x's finding ('F' key); a strict transaction fails on it. */
void ledger_finding(struct node_txn *t, const struct op_ctx *x,
		    const struct node_reason *reason);
/* Judges the ops that waited for record entity's create. */
void ledger_process_waiting(struct node_txn *t, const uint8_t entity[16]);
/* Judges again the ops that waited for a key record of key_id. */
void ledger_process_waiting_for_key(struct node_txn *t,
				    const uint8_t key_id[16]);
/* Judges and applies a create op. */
void ledger_apply_create(struct node_txn *t, const struct crdt_op *op,
			 const struct op_ctx *x);
/* Stores op under a 'W' key until its record's create arrives. */
void ledger_wait_for_create(struct node_txn *t, const struct crdt_op *op,
			    const struct op_ctx *x);
/* Judges and applies an op on a record's field (set, add, remove). */
void ledger_apply_field_op(struct node_txn *t, const struct crdt_op *op,
			   const struct op_ctx *x);

/* ledger_sealed.c: sealed fields and key records (DESIGN.md section 8) */

/* The rules of a key record's fields: 0 when op may take effect, else -1
 * after a finding. */
int ledger_judge_key_op(struct node_txn *t, const struct crdt_op *op,
			const struct op_ctx *x, const struct node_entity *e,
			const struct node_field *f);
/* Key record entity took its key_id: indexes it ('Z', 'G') and judges
 * again the ops that waited for it. */
void ledger_key_usable(struct node_txn *t, const uint8_t entity[16],
		       const uint8_t key_id[16], uint64_t made);
/* An op on a sealed field: 0 to take effect, 1 when it waits for its key
 * record, -1 after a finding. */
int ledger_judge_sealed(struct node_txn *t, const struct crdt_op *op,
			const struct op_ctx *x, const struct node_entity *e,
			const struct node_field *f);

/* ledger_ingest.c: ingest */

/* The head of feed (author, scope) as the transaction sees it. */
int ledger_read_head(struct node_txn *t, const uint8_t author[32],
		     const char *scope, struct head *h);

#endif
