/*
 * ledger.h: the signed ledger of one node over a kv.h store: verifying and
 * applying entries (DESIGN.md section 4), local writes, the state digest,
 * feed heads, fork proofs and the findings of ops stored without effect.
 *
 * Entries are applied inside a transaction: an in-memory overlay over the
 * store that becomes one write batch on commit, so that an entry's log
 * record, state, indexes, head and digest land together or not at all. An
 * entry is validated completely (decode, roster, signature, chain) before it
 * touches the overlay; applying its ops cannot fail, it only records
 * findings. One thread uses a ledger at a time.
 *
 * Layer node/ledger: may include node/store, net/ and crdt/.
 */
#ifndef WARD_NODE_LEDGER_H
#define WARD_NODE_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdt/crdt.h"
#include "node/catalog/catalog.h"
#include "node/ledger/roster.h"
#include "node/store/kv.h"

struct node_ledger;
struct node_txn;

/* Opens the ledger kept in kv (borrowed; must outlive the ledger). A store
 * with no roster yet opens too: it refuses writes until one is set. */
int node_ledger_open(struct node_kv *kv, struct node_ledger **out);
void node_ledger_close(struct node_ledger *l);
struct node_kv *node_ledger_kv(struct node_ledger *l);
/* Sets the wall clock the ledger consults when it observes a remote hlc
 * (default: CLOCK_REALTIME). The simulator passes its virtual clock. */
typedef uint64_t (*node_clock_fn)(void *ctx);
void node_ledger_set_clock(struct node_ledger *l, node_clock_fn fn, void *ctx);

/* The newest roster version held (the one in force), or NULL before
 * joining. Every version held stays valid until close. */
const struct node_roster *node_ledger_roster(const struct node_ledger *l);
/* Appends the chain file of versions 1..upto (0: every version held). */
void node_ledger_roster_chain(const struct node_ledger *l, uint64_t upto,
			      struct crdt_buf *out);
/* What proposal.c caches about the proposals held: gen changes with
 * them (proposal.c bumps it, and so does a new roster version). */
struct node_proposal_cache {
	uint64_t gen;
	uint64_t digest_gen; /* gen + 1 when digest is of gen */
	uint8_t digest[32];
};
struct node_proposal_cache *node_ledger_proposal_cache(struct node_ledger *l);
/* Roster version `version`, or NULL when not held. */
const struct node_roster *node_ledger_roster_at(const struct node_ledger *l,
					      uint64_t version);
/* The member with key in the newest roster version that lists it (a
 * member removed, or whose key was replaced, is still named), or NULL. */
const struct node_member *node_ledger_member(const struct node_ledger *l,
					     const uint8_t key[32]);
/* The revocation bound of author's feed in scope under the newest roster
 * that lists it (DESIGN.md section 4): UINT64_MAX when none. */
uint64_t node_ledger_bound(const struct node_ledger *l,
			   const uint8_t author[32], const char *scope);
/* Verifies and stores roster versions (synced): a chain file (every
 * version from genesis, or a lone genesis roster) whose versions held
 * match, or one roster, the successor of the newest held. New versions
 * whose revocation bounds change the verdict on entries held make the
 * ledger judge every entry again. 0 (also when nothing is new); -EBADMSG
 * with *why; -EEXIST when a different network's roster is already set
 * (*why says so too). */
int node_ledger_set_roster(struct node_ledger *l, const uint8_t *wire,
			   size_t len, struct node_reason *why);
void node_ledger_net_id(const struct node_ledger *l, uint8_t out[32]);
/* True while a re-judgement under a new roster version failed on the
 * store and waits to be done again: the state digest is then not the
 * chain's, and no checkpoint is made or compared. */
bool node_ledger_rejudging(const struct node_ledger *l);
void node_ledger_digest(const struct node_ledger *l, uint8_t out[32]);
uint64_t node_ledger_entry_count(const struct node_ledger *l);
/* A number that changes whenever entries are added (so whenever the feed
 * heads change), never repeated by another ledger of this process: what
 * gossip keys its cached vector on. */
uint64_t node_ledger_version(const struct node_ledger *l);

/* The most feeds (scopes) one author may have. An entry that would start
 * another is refused (-EDQUOT), so that a member cannot make every node
 * hold and list feeds without end; an honest member writes one feed per
 * jurisdiction it serves, far fewer. */
#define NODE_LEDGER_MAX_FEEDS_PER_AUTHOR 1024u
#define NODE_LEDGER_MAX_FEEDS_PER_AUTHOR_STR "1024"

/* Entries accepted with an hlc more than 60 s past this node's wall clock
 * when they arrived (DESIGN.md section 4: accepted, the clock advanced only
 * to wall + 60 s, the skew logged and counted): how many since the store
 * was made, and the feed and seq of the last. Kept in the store with the
 * entries that caused them. */
struct node_clock_skew {
	uint64_t count;
	uint8_t author[32]; /* the last skewed entry; zero when count is 0 */
	char scope[13];
	uint64_t seq;
	uint64_t hlc;
};
void node_ledger_clock_skew(const struct node_ledger *l,
			    struct node_clock_skew *out);

/* ---- transactions ---- */

struct node_txn *node_ledger_begin(struct node_ledger *l);
/* Writes the transaction as one batch (synced when sync) and makes it the
 * ledger's state. The transaction is freed either way. */
int node_txn_commit(struct node_txn *t, bool sync);
void node_txn_abort(struct node_txn *t);
/* Reads through the overlay. Owned value; -ENOENT. */
int node_txn_get(struct node_txn *t, const uint8_t *key, size_t key_len,
		 uint8_t **val, size_t *val_len);
/* Writes / deletes one key in the overlay (key_len <= 128; the index
 * maintenance of index.c). */
void node_txn_put(struct node_txn *t, const uint8_t *key, size_t key_len,
		  const uint8_t *val, size_t val_len);
void node_txn_del(struct node_txn *t, const uint8_t *key, size_t key_len);

enum node_ingest {
	NODE_INGEST_APPLIED,
	NODE_INGEST_DUPLICATE, /* already held, same hash */
};

/* Verifies and applies one entry in wire form. sig_checked: the caller
 * already verified the signature (a worker thread did). Returns 0 with
 * *res, or: -EBADMSG rejected outright (*why says why); -EEXIST a validly
 * signed entry that forks its feed (a different entry holds its seq): it
 * is rejected and the pair is kept as a fork proof, and whoever relayed it
 * did nothing wrong; -EILSEQ a validly signed entry next on its feed whose
 * prev names another entry than the one held before it: its author signed
 * two histories, the entry is rejected, and whoever relayed it did nothing
 * wrong (the relayer's entry at the seq before makes the fork proof);
 * -EAGAIN the entry is ahead of its feed's head (a gap) or names an
 * unknown roster version: retry after the missing ones; -EDQUOT it would
 * start a feed of an author that has NODE_LEDGER_MAX_FEEDS_PER_AUTHOR
 * (refused, nothing stored; whoever relayed it did nothing wrong). *why
 * is a message catalog id (MSG_I_..., MSG_ENTRY_...), without arguments:
 * render it with node_catalog_text in the reader's language. */
int node_txn_ingest(struct node_txn *t, const uint8_t *wire, size_t len,
		    bool sig_checked, enum node_ingest *res,
		    enum node_msg *why);

/* ---- local writes ---- */

/* Ops of a local write. name/value borrow the caller's memory. */
struct node_write {
	const char *scope;
	size_t n_ops;
	struct crdt_op *ops;
};

/* Signs and applies an entry of the given ops as this node (secret key
 * sk, 64 bytes), acknowledged after its batch is synced. Every op must
 * take effect: when the judge would store any without effect, nothing is
 * written and -EPERM/-EINVAL returns with the reason in *why (the first
 * op's finding, or why nothing could be written: render it with
 * node_schema_reason_text). On success writes the entry's seq and the
 * create ops' entity ids (in op order). */
int node_ledger_write(struct node_ledger *l, const uint8_t *sk,
		      const uint8_t pk[32], const struct node_write *w,
		      uint64_t now_ms, uint64_t *seq_out,
		      struct node_reason *why);

/* Entity ids a write of scope at (pk, seq) gets for create op i. */
void node_ledger_next_seq(struct node_ledger *l, const uint8_t pk[32],
			  const char *scope, uint64_t *seq);

/* ---- reading the log (for replication and export) ---- */

struct node_feed_head {
	uint8_t author[32];
	char scope[13];
	uint64_t seq;
	uint8_t head[32];
	uint64_t hlc;
};

/* Every feed held: an owned array (free()) and its length. */
int node_ledger_heads(struct node_ledger *l, struct node_feed_head **out,
		      size_t *n);
/* Head seq of feed (author, scope); 0 when not held. */
uint64_t node_ledger_feed_seq(struct node_ledger *l, const uint8_t author[32],
			      const char *scope);
/* Appends the wire form of consecutive entries of a feed from seq `from`,
 * at most max_entries, stopping before one that would take the appended
 * bytes past max_bytes (the first is always appended). Returns the count
 * or a negative errno (nothing appended). */
int node_ledger_read_range(struct node_ledger *l, const uint8_t author[32],
			   const char *scope, uint64_t from,
			   size_t max_entries, size_t max_bytes,
			   struct crdt_buf *out);

/* ---- reading state (ledger.c, ledger_read.c) ----
 *
 * The key layout is the ledger's own (ledger_int.h): the layers above read
 * only through these functions and index.h's. The each_* functions call fn
 * for every item in key order until it returns nonzero, and return that (or
 * 0, or -ENOMEM). */

/* The longest key the ledger or its indexes write. */
#define NODE_LEDGER_KEY_MAX 128

typedef int (*node_ledger_id_fn)(void *ctx, const uint8_t id[16]);
/* Records whose id begins with prefix[0..len) (len <= 16), in id order. */
int node_ledger_each_id(struct node_ledger *l, const uint8_t *prefix,
			size_t len, node_ledger_id_fn fn, void *ctx);
/* Records validly created with a type, in id order. */
int node_ledger_each_of_type(struct node_ledger *l, const char *type,
			     node_ledger_id_fn fn, void *ctx);

/* A usable key record (DESIGN.md section 8): valid, its roles set before
 * its key_id in the entry that created it, by a member of those roles. */
struct node_key_record {
	uint8_t entity[16];
	uint8_t key_id[16];
	unsigned roles; /* NODE_ROLE_BIT mask */
	char scope[13]; /* the group's home scope: the record's */
	uint64_t made;	/* the roster version its create entry names */
};
typedef int (*node_ledger_key_fn)(void *ctx, const struct node_key_record *k);
/* The usable key records of group (roles, scope), by made, then key_id;
 * of every group (scope NULL, roles 0), by scope and roles; or those
 * naming key_id (node_ledger_each_key_id). Stops at fn's first non-zero
 * return, which is returned. */
int node_ledger_each_group_key(struct node_ledger *l, unsigned roles,
			       const char *scope, node_ledger_key_fn fn,
			       void *ctx);
int node_ledger_each_key_id(struct node_ledger *l, const uint8_t key_id[16],
			    node_ledger_key_fn fn, void *ctx);
/* Every roster version held, genesis first (v[i] is version i + 1):
 * valid until the ledger is closed (sealing.h's node_seal_chain). */
void node_ledger_rosters(const struct node_ledger *l,
			 const struct node_roster *const **v, size_t *n);

/* Every field of a record ever written, in field-name order (the cell is
 * borrowed for the call). */
typedef int (*node_ledger_cell_fn)(void *ctx, const char *field,
				   const struct crdt_cell *cell);
int node_ledger_each_cell(struct node_ledger *l, const uint8_t id[16],
			  node_ledger_cell_fn fn, void *ctx);

/* One op on a record, with the entry that carries it and its verdict. */
struct node_ledger_op {
	uint8_t author[32];
	char scope[13];
	uint64_t seq;
	uint32_t index;
	uint64_t hlc;
	const struct crdt_op *op;
	const struct node_reason *finding; /* NULL: it took effect */
};
typedef int (*node_ledger_op_fn)(void *ctx, const struct node_ledger_op *op);
/* The ops on a record in the order they were made (hlc, feed, seq, index). */
int node_ledger_record_history(struct node_ledger *l, const uint8_t id[16],
			       node_ledger_op_fn fn, void *ctx);

/* An op stored without effect (DESIGN.md section 4). */
struct node_ledger_finding {
	uint8_t author[32];
	char scope[13];
	uint64_t seq;
	uint32_t index;
	struct node_reason reason;
};
typedef int (*node_ledger_finding_fn)(void *ctx,
				      const struct node_ledger_finding *f);
int node_ledger_each_finding(struct node_ledger *l, node_ledger_finding_fn fn,
			     void *ctx);

/* The log, entry by entry in feed then seq order (export, audit). An
 * entry's bytes stay valid until the next call. next returns 1 with an
 * entry, 0 at the end. */
struct node_log_pos {
	uint8_t author[32];
	char scope[13];
	uint64_t seq;
};
struct node_ledger_log;
struct node_ledger_log *node_ledger_log_open(struct node_ledger *l);
int node_ledger_log_next(struct node_ledger_log *g, struct node_log_pos *pos,
			 const uint8_t **wire, size_t *len);
void node_ledger_log_close(struct node_ledger_log *g);
/* The log's order: <0, 0 or >0. */
int node_log_pos_cmp(const struct node_log_pos *a,
		     const struct node_log_pos *b);

/* How many state keys differ between two ledgers (audit compares the
 * stored state with one recomputed from the log). */
size_t node_ledger_state_diff(struct node_ledger *a, struct node_ledger *b);


struct node_entity {
	bool valid;
	char type[32];
	char scope[13];
	struct crdt_dot created; /* the create's dot */
	uint64_t hlc;
	/* why the create has no effect: a stored reason (finding.h), read
	 * with node_entity_why */
	uint8_t reason[240];
	size_t reason_len;
};
/* Why a record's create has no effect (MSG_NONE when it has one). */
void node_entity_why(const struct node_entity *e, struct node_reason *out);

int node_ledger_entity(struct node_ledger *l, const uint8_t id[16],
		       struct node_entity *out);
/* The cell of (entity, field); an empty cell when never written. */
int node_ledger_cell(struct node_ledger *l, const uint8_t id[16],
		     const char *field, struct crdt_cell *out);

#endif
