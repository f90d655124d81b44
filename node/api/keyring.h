/*
 * keyring: this node's side of sealed fields (DESIGN.md section 8). The
 * group keys it holds are opened from their envelopes in the replicated
 * key records, with the node's own Ed25519 key, when first needed, and
 * kept in memory only: no group key is ever written to disk, so the data
 * directory holds no key but the node's identity.
 *
 *   reading  a sealed value the node may read opens to its plaintext; one
 *            it may not read (or whose key has not reached it) is "sealed";
 *            one that fails to open or to check is "unreadable";
 *   writing  the ops of an entry get their H and ID values sealed to the
 *            current key of each field's group, and a fresh key record is
 *            put first in the entry when this node holds no key serving the
 *            current roster version;
 *   keeping  wardd adds envelopes for members who joined a group, and
 *            makes a fresh key after a roster version changed a group.
 */
#ifndef WARD_NODE_KEYRING_H
#define WARD_NODE_KEYRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdt/crdt.h"

struct node_ctx;
struct node_doc;
struct node_field;
struct node_reason;
struct node_keyring;

/* What an export writes for a value this node cannot read, and what an
 * import then leaves as stored. */
#define NODE_EXPORT_SEALED "[sealed]"

/* node_keyring_free: in node_int.h, beside the context that owns it. */

/* Whether this node reads field f of a record of home scope scope: its
 * role reads f's class and its scope covers the record's, under the
 * roster in force. True for every unsealed field. */
bool node_keyring_may_read(struct node_ctx *n, const struct node_field *f,
			   const char *scope);

/* Whether this node reads field f of any record within scope (NULL: its
 * own reach): its role reads f's class and its scope and scope overlap
 * (one covers the other). True for every unsealed field. */
bool node_keyring_may_read_somewhere(struct node_ctx *n,
				     const struct node_field *f,
				     const char *scope);

/* Opens value v of field f of record entity. A value that is not sealed
 * is returned as it is (*out = *v). A sealed one is opened into plain (the
 * caller's storage, cap bytes; v->len suffices) and checked against f.
 * Returns 0; -ENOKEY when this node holds no key for it (it may not read
 * the field, or the key's envelope has not reached it); -EBADMSG when it
 * fails to open or its plaintext fails the field's check. */
int node_keyring_open(struct node_ctx *n, const uint8_t entity[16],
		      const struct node_field *f, const struct crdt_value *v,
		      uint8_t *plain, size_t cap, struct crdt_value *out);

/* {"sealed": true}, and "unreadable": true when unreadable: what a reader
 * sees of a value it cannot open (owned). */
struct node_doc *node_keyring_sealed_doc(bool unreadable);
/* Notes that this request read sealed field name in plaintext: the access
 * log's next line names it (node_access_log), then forgets. */
void node_keyring_note_read(struct node_ctx *n, const char *name);
/* The sealed fields read since the last call, as "name,id_number" ("" for
 * none), into out (len bytes); forgets them. */
void node_keyring_take_reads(struct node_ctx *n, char *out, size_t len);

/* Opens every version or element of cell (field f of record entity) in
 * place, where this node can: a set's elements that open to one plaintext
 * become one element carrying all their tags. What cannot be opened stays
 * as it is. The cell then compares with what an operator typed. */
void node_keyring_open_cell(struct node_ctx *n, const uint8_t entity[16],
			    const struct node_field *f,
			    struct crdt_cell *cell);

/* node_ledger_cell with node_keyring_open_cell: field of record id as
 * this node reads it (the record's type names the field). 0 or -errno. */
int node_keyring_cell(struct node_ctx *n, const uint8_t id[16],
		      const char *field, struct crdt_cell *out);

/* Forgets the keys this node made in entries not yet committed (an
 * import's transaction that failed): a later write makes a fresh one. */
void node_keyring_forget_made(struct node_ctx *n);

/* The ops of one entry, sealed: key records first. */
struct node_sealed_ops {
	struct crdt_op *ops;
	size_t n;
	size_t n_prefix; /* key record ops put first */
	uint8_t (*created)[16]; /* per input op: a create's final id */
	void **bufs;	 /* storage the ops borrow */
	size_t n_bufs;
};
void node_sealed_ops_fini(struct node_sealed_ops *s);

/* Seals the values of in[0..n_in) (an entry in scope scope that will have
 * seq seq): every set and add of an H or ID field gets its value sealed
 * to the field's group's current key; a remove of a plaintext element
 * becomes one remove per sealed form of it in the field; nil and values
 * already sealed stay. Key record ops are put first where this node holds
 * no key serving the roster version in force, and creates are renamed for
 * their new op index (references to them too). Under a schema version
 * without sealing the ops are copied as they are. Returns 0, or -errno
 * with why. */
int node_keyring_seal(struct node_ctx *n, const char *scope, uint64_t seq,
		      const struct crdt_op *in, size_t n_in,
		      struct node_sealed_ops *out, struct node_reason *why);

/* Envelopes for members who joined a group since its keys were made, and
 * a fresh key for a group a roster version changed, where this node is the
 * group's keeper (its lowest member key among those holding the group's
 * keys). Writes entries; *written counts them. 0 or -errno. */
int node_keyring_maintain(struct node_ctx *n, unsigned *written);

/* Audit of the sealed values this node holds: each is opened where this
 * node may read it and checked against its field; one that fails to open
 * or to check is a finding (fn, with the dot that wrote it, the record's
 * scope and a reason), as is an envelope for this node whose key does not
 * hash to its record's key_id. Counts what it saw. */
struct node_seal_counts {
	uint64_t opened, sealed, unreadable, bad_envelopes;
};
typedef void (*node_keyring_finding_fn)(void *ctx, const struct crdt_dot *dot,
					const char *scope,
					const struct node_reason *why);
void node_keyring_audit(struct node_ctx *n, node_keyring_finding_fn fn,
			void *ctx, struct node_seal_counts *counts);

/* Keys held and missing per group this node belongs to, for status:
 * [{roles, scope, held, missing, current}] (owned). */
struct node_doc *node_keyring_status(struct node_ctx *n);

#endif
