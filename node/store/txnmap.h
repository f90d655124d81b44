/*
 * txnmap.h: the write overlay of a ledger transaction: a hash map from key
 * to a new value or a deletion. Lookups are O(1) (the apply path reads
 * back almost everything it writes) and commit walks the entries in the
 * order they were first written. Internal to node/.
 */
#ifndef WARD_NODE_TXNMAP_H
#define WARD_NODE_TXNMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node_txnmap_entry {
	uint8_t *key;
	size_t key_len;
	uint8_t *val; /* NULL when deleted */
	size_t val_len;
	bool deleted;
};

struct node_txnmap {
	size_t n, cap;                    /* entries */
	struct node_txnmap_entry *entries;
	size_t n_slots;                   /* power of two */
	uint32_t *slots;                  /* entry index + 1; 0 empty */
};

void node_txnmap_init(struct node_txnmap *m);
void node_txnmap_fini(struct node_txnmap *m);
/* The entry for key, or NULL when the transaction never wrote it. */
const struct node_txnmap_entry *node_txnmap_find(const struct node_txnmap *m,
						 const uint8_t *key,
						 size_t key_len);
/* Records a new value (copied) or, with val NULL, a deletion. */
void node_txnmap_put(struct node_txnmap *m, const uint8_t *key,
		     size_t key_len, const uint8_t *val, size_t val_len);

#endif
