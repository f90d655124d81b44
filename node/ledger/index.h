/*
 * index.h: secondary indexes, kept in the same transaction as the ops that
 * change them (DESIGN.md section 5). They are state: audit recomputes them,
 * so every key is a function of the records' cells and metadata alone,
 * never of the order ops arrived in.
 *
 *   'I' tlen type flen field enc(value) entity(16) -> '' or "c" (conflict)
 *       one key per shown value of an `indexed` field (per element of a
 *       set), plus the pseudo-field "scope" (the record's home scope) for
 *       every record. enc: str bytes (at most NODE_INDEX_STR_MAX) then 0x00;
 *       int 8 bytes big-endian with the sign bit flipped; bin as is.
 *   'X' scope(12, NUL-padded) patient(16) kind(1) sort(10) hlc(8)
 *       entity(16) -> slots
 *       the records about one patient side by side, under the patient's
 *       row (kind 'a'), carrying the values `due` and `report` need
 *       (node_index_xrow_decode). A record about a patient is filed under
 *       its own home scope, which the write path makes the patient's.
 *   'x' entity(16) -> the tracked fields' shown values, from which the
 *       record's 'I' and 'X' keys are derived (so a change can remove the
 *       keys of the value it replaces).
 */
#ifndef WARD_NODE_INDEX_H
#define WARD_NODE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdt/crdt.h"
#include "node/ledger/ledger.h"
#include "node/ledger/schema.h"

#define NODE_INDEX_STR_MAX 64
#define NODE_INDEX_SLOTS 10

/* The hooks the ledger calls when records change, node_index_created and
 * node_index_changed, are declared with the key layout in ledger_int.h:
 * the ledger never includes this header. */

/* ---- reading ---- */

/* Builds the 'I' prefix for (type, field) into k (KEY_MAX bytes) and
 * returns its length. */
size_t node_index_prefix(uint8_t *k, const char *type, const char *field);
/* Appends the encoding of v to the prefix k[0..len) and returns the new
 * length. Strings longer than NODE_INDEX_STR_MAX are cut there and get no
 * terminator (the caller then checks candidates against their cells). */
size_t node_index_append_value(uint8_t *k, size_t len,
			       const struct crdt_value *v, bool *cut);
/* Decodes the value part of an 'I' key (after a prefix of plen bytes) for
 * a field of kind: str (p/len into key), int or bin. 0 or -EBADMSG. */
int node_index_key_value(const uint8_t *key, size_t key_len, size_t plen,
			 enum node_field_kind kind, struct crdt_value *out);

/* The 'X' scan prefix for a scope (NULL or "" for everything). */
size_t node_index_xprefix(uint8_t *k, const char *scope);

struct node_xrow {
	char kind; /* 'a' patient, 'f' followup, 'r' assessment,
		      'h' hospitalization, 'm' free_med, 'g' agreement,
		      'i' incident */
	char scope[13];
	uint8_t patient[16];
	uint8_t entity[16];
	uint64_t hlc; /* of the record's create */
	/* Slot values as text ("" when unset), in the order of
	 * node_index_slot_names(kind). */
	char slot[NODE_INDEX_SLOTS][24];
};

/* Decodes one 'X' key and value. 0 or -EBADMSG. */
int node_index_xrow_decode(const uint8_t *key, size_t key_len,
			   const uint8_t *val, size_t val_len,
			   struct node_xrow *out);
/* The slot names of a kind: a NULL-terminated static array, or NULL. */
const char *const *node_index_slot_names(char kind);

#endif
