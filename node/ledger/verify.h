/*
 * verify.h: signature checks of many entries at once, on both cores.
 * Ed25519 verification dominates ingest and audit; it needs nothing but
 * the bytes, so it runs beside the single-threaded apply.
 */
#ifndef WARD_NODE_VERIFY_H
#define WARD_NODE_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdt/crdt.h"
#include "node/catalog/catalog.h"

struct node_wire {
	const uint8_t *p; /* an entry's wire form, borrowed */
	size_t len;
};

/* Sets ok[i] when entry i decodes and its signature verifies under
 * net_id (it says nothing of the chain or the roster). Splits the work
 * over two threads when n is large enough to pay for one. */
void node_verify_batch(const uint8_t net_id[32], const struct node_wire *e,
		       size_t n, bool *ok);

/* What a check learns of an entry's header, so that chain checks need
 * not decode it again. decoded is false (and why says why) when the bytes
 * are not an entry. */
struct node_entry_head {
	bool decoded;
	enum crdt_reject why;
	uint8_t author[32];
	char scope[13];
	uint64_t seq;
	uint64_t hlc;
	uint64_t roster_version;
	uint8_t prev[32];
	uint8_t hash[32];
};

/* The same, in the background on two threads, so the caller can do its
 * serial work meanwhile: start returns at once (it borrows net_id, e, ok
 * and heads until wait returns); wait joins and frees the job. heads, when
 * not NULL, receives each entry's header. */
struct node_verify_job;
struct node_verify_job *node_verify_start(const uint8_t net_id[32],
					  const struct node_wire *e, size_t n,
					  bool *ok,
					  struct node_entry_head *heads);
void node_verify_wait(struct node_verify_job *j);

/* Verifies and applies entries in order through one ledger: a second
 * thread checks signatures ahead of this one, which applies them and
 * checks the next entries itself when the other falls behind, so
 * verification and apply overlap. Commits every
 * txn_entries entries (and at the end), the last commit synced when sync.
 * res[i] is 0 (applied), 1 (already held) or node_txn_ingest's negative
 * code, with why[i] its reason (a catalog id without arguments). Returns 0, or the store's negative
 * errno when a commit failed: the entries the failed batch applied, and
 * every later one, are then reported with it, never as applied. */
struct node_ledger;
int node_verify_ingest_many(struct node_ledger *l, const struct node_wire *e,
			    size_t n, size_t txn_entries, bool sync, int *res,
			    enum node_msg *why);

#endif
