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

struct node_wire {
	const uint8_t *p; /* an entry's wire form, borrowed */
	size_t len;
};

/* Sets ok[i] when entry i decodes and its signature verifies under
 * net_id (it says nothing of the chain or the roster). Splits the work
 * over two threads when n is large enough to pay for one. */
void node_verify_batch(const uint8_t net_id[32], const struct node_wire *e,
		       size_t n, bool *ok);

/* The same, in the background on two threads, so the caller can do its
 * serial work meanwhile: start returns at once (it borrows net_id, e and
 * ok until wait returns); wait joins and frees the job. */
struct node_verify_job;
struct node_verify_job *node_verify_start(const uint8_t net_id[32],
					  const struct node_wire *e, size_t n,
					  bool *ok);
void node_verify_wait(struct node_verify_job *j);

/* Verifies and applies entries in order through one ledger: signatures
 * of the next chunk are checked on a second thread while this one applies
 * the current chunk, so verification and apply overlap. Commits every
 * txn_entries entries (and at the end), the last commit synced when sync.
 * res[i] is 0 (applied), 1 (already held) or node_txn_ingest's negative
 * code, with why[i] its static reason. Returns 0, or -EIO when the store
 * failed (entries from the failed batch on are reported -EIO). */
struct node_ledger;
int node_ledger_ingest_many(struct node_ledger *l, const struct node_wire *e,
			    size_t n, size_t txn_entries, bool sync, int *res,
			    const char **why);

#endif
