/*
 * ops.h: the one text->ops builder, shared by `ward add`, `ward set` and
 * the CSV/JSONL import (issue 9). It owns a list of ops and the storage
 * their names, values and dots borrow, and turns what an operator typed
 * for one field into that field's ops:
 *
 *   register  a value: a set with the preds of every live version; empty
 *             text clears (a nil value, the same preds);
 *   set       '|'-separated elements, at most NODE_OPS_MAX_ELEMS (more is
 *             refused, naming the field: nothing is dropped), each listed
 *             once; "=" replaces (removes of the elements not listed, adds
 *             of the new ones; on a create, adds), "+=" adds, "-=" removes
 *             with the tags observed, refusing an element not present.
 *
 * References are resolved by the caller's node_ops_ref_fn (add and set
 * resolve id prefixes, the import patient_no too). The field's current
 * cell is the caller's too, and must be plaintext: read it with
 * node_keyring_cell (keyring.h), never node_ledger_cell, so a sealed
 * field's values compare as what the operator typed. Sealing stays with
 * whoever signs the finished ops (node_keyring_seal).
 *
 * Errors: 0, or -EINVAL with *why a catalog reason. Includes crdt/,
 * node/ledger/schema.h and the catalog only (no node_ctx), so
 * tests/unit/test_ops.c drives it without a node.
 */
#ifndef WARD_NODE_OPS_H
#define WARD_NODE_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdt/crdt.h"

struct node_field;
struct node_reason;

/* The most elements one field's text may list. */
#define NODE_OPS_MAX_ELEMS 256

struct node_ops {
	size_t n, cap;
	struct crdt_op *ops;
	/* An estimate of the ops' encoded size once sealed (keyring.c adds
	 * a magic, key id, nonce, tag and padding to 64 bytes per value). */
	size_t bytes;
	/* Storage the ops' names, values and dots borrow. */
	size_t n_bufs, cap_bufs;
	void **bufs;
};

/* A zeroed struct node_ops is empty and ready. */
/* Drops the ops and frees their storage; the list stays usable. */
void node_ops_clear(struct node_ops *o);
/* node_ops_clear, and frees the list itself. */
void node_ops_fini(struct node_ops *o);
/* A copy of n bytes of p kept as long as the ops (cleared with them). */
void *node_ops_keep(struct node_ops *o, const void *p, size_t n);
/* Appends an op of code on entity (may be NULL: zeros) named name (a
 * create's type or a field); returns it, for node_ops_value/_dots. */
struct crdt_op *node_ops_push(struct node_ops *o, enum crdt_op_code code,
			      const uint8_t *entity, const char *name);
/* Sets op's value (bytes copied) or dots (copied). */
void node_ops_value(struct node_ops *o, struct crdt_op *op,
		    const struct crdt_value *v);
void node_ops_dots(struct node_ops *o, struct crdt_op *op,
		   const struct crdt_dot *d, size_t n);
/* Moves every op of src, and the storage they borrow, to the end of dst;
 * src is left empty. */
void node_ops_adopt(struct node_ops *dst, struct node_ops *src);

/* Resolves a reference typed as text (never empty) for field f to the id
 * of a record of f's ref_type: 0, or -errno with *why. */
typedef int (*node_ops_ref_fn)(void *ctx, const struct node_field *f,
			       const char *text, uint8_t id[16],
			       struct node_reason *why);

/* Parses one value for field f (a register's value or one element),
 * references through ref (NULL: only a full 32-hex id). *v may point into
 * buf (CRDT_MAX_STR_BYTES + 16 bytes). 0, or -errno with *why. */
int node_ops_parse(const struct node_field *f, const char *text,
		   node_ops_ref_fn ref, void *ref_ctx, struct crdt_value *v,
		   uint8_t *buf, struct node_reason *why);

/* How a field's text changes it: "=", "+=", "-=". */
enum node_ops_how {
	NODE_OPS_ASSIGN, /* register: the value; set: replace */
	NODE_OPS_ADD,	 /* set only: adds each element listed */
	NODE_OPS_REMOVE, /* set only: removes each element listed */
};

struct node_ops_field {
	const uint8_t *entity;	/* the record (a create's: as pushed) */
	const struct node_field *f;
	const char *text;
	enum node_ops_how how;
	/* The field now, plaintext (node_keyring_cell); NULL for a create. */
	const struct crdt_cell *cell;
	/* Only what differs from cell: no set of the value a register
	 * shows, no add of an element present (the import, which writes a
	 * row that changes nothing as nothing). add and set write what was
	 * typed. */
	bool only_changes;
	node_ops_ref_fn ref;
	void *ref_ctx;
};

/* Appends the ops of one field's text to o. On a refusal o holds what it
 * held before. 0, or -errno with *why (naming the field, and the element
 * where one is at fault). */
int node_ops_field(struct node_ops *o, const struct node_ops_field *in,
		   struct node_reason *why);

#endif
