/*
 * txnmap.c: an open-addressing hash map (a word-wise multiply-shift hash,
 * linear probing, load below one half) over an append-only entry array.
 * Keys are never removed: a deletion is an entry marked deleted, which is
 * what commit needs.
 */
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/store/txnmap.h"

/* Eight bytes a step (keys run to 128 bytes and are hashed on every
 * read and write of the apply path), each word mixed in by a multiply
 * and a shift; the final mix spreads the bits into the low ones that
 * pick the slot. */
static uint64_t hash(const uint8_t *p, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ n, w;
	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ h >> 29;
}

void node_txnmap_init(struct node_txnmap *m)
{
	memset(m, 0, sizeof(*m));
}

void node_txnmap_fini(struct node_txnmap *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->entries[i].key);
		free(m->entries[i].val);
	}
	free(m->entries);
	free(m->slots);
	node_txnmap_init(m);
}

static size_t probe(const struct node_txnmap *m, const uint8_t *key,
		    size_t key_len, bool *found)
{
	size_t mask = m->n_slots - 1;
	size_t i = (size_t)hash(key, key_len) & mask;
	for (;; i = (i + 1) & mask) {
		uint32_t s = m->slots[i];
		if (s == 0) {
			*found = false;
			return i;
		}
		const struct node_txnmap_entry *e = &m->entries[s - 1];
		if (e->key_len == key_len && memcmp(e->key, key, key_len) == 0) {
			*found = true;
			return i;
		}
	}
}

static void grow(struct node_txnmap *m)
{
	size_t n_slots = m->n_slots ? 2 * m->n_slots : 64;
	free(m->slots);
	m->slots = crdt_xcalloc(n_slots, sizeof(*m->slots));
	m->n_slots = n_slots;
	for (size_t k = 0; k < m->n; k++) {
		bool found;
		size_t i = probe(m, m->entries[k].key, m->entries[k].key_len,
				 &found);
		m->slots[i] = (uint32_t)(k + 1);
	}
}

const struct node_txnmap_entry *node_txnmap_find(const struct node_txnmap *m,
						 const uint8_t *key,
						 size_t key_len)
{
	if (m->n_slots == 0)
		return NULL;
	bool found;
	size_t i = probe(m, key, key_len, &found);
	return found ? &m->entries[m->slots[i] - 1] : NULL;
}

void node_txnmap_put(struct node_txnmap *m, const uint8_t *key,
		     size_t key_len, const uint8_t *val, size_t val_len)
{
	if (2 * (m->n + 1) > m->n_slots)
		grow(m);
	bool found;
	size_t i = probe(m, key, key_len, &found);
	struct node_txnmap_entry *e;
	if (found) {
		e = &m->entries[m->slots[i] - 1];
		free(e->val);
	} else {
		if (m->n == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 64;
			m->entries = crdt_xrealloc(
			    m->entries, m->cap * sizeof(*m->entries));
		}
		e = &m->entries[m->n];
		e->key = crdt_xrealloc(NULL, key_len);
		memcpy(e->key, key, key_len);
		e->key_len = key_len;
		m->slots[i] = (uint32_t)(++m->n);
	}
	e->deleted = val == NULL;
	e->val = NULL;
	e->val_len = 0;
	if (val) {
		e->val = crdt_xrealloc(NULL, val_len);
		if (val_len)
			memcpy(e->val, val, val_len);
		e->val_len = val_len;
	}
}
