/*
 * oneshot.h: what a one-shot process (ward-local) skips in its store
 * directory without risking an acknowledged write: syncs that keep
 * nothing, and a new OPTIONS file where the store has one (oneshot.c says
 * which and why). Only a program linked with oneshot.c and its -Wl,--wrap options
 * (node/CMakeLists.txt: ward-local) has these.
 *
 * Layer node/store: may include crdt/ only.
 */
#ifndef WARD_NODE_ONESHOT_H
#define WARD_NODE_ONESHOT_H

#include <stdint.h>

/* Names the store directory (DIR/db) oneshot.c works in; until then, and
 * for every other directory, each call is passed on as it is. */
void node_oneshot_manage(const char *dir);

struct node_oneshot_stats {
	uint64_t synced;  /* fsync/fdatasync calls passed on */
	uint64_t skipped; /* calls that oneshot.c answered itself */
	uint64_t refused;  /* OPTIONS files not made */
	uint64_t deferred;  /* syncs started on a thread of their own */
	uint64_t postponed; /* removals made on a thread */
};
/* Waits until every sync started on a thread has ended: 0, or -1 with
 * the errno of one that failed. */
int node_oneshot_settle(void);

/* Ends the work: waits as node_oneshot_settle does, and until the files
 * RocksDB removed meanwhile are gone (unless a sync failed).
 * node_oneshot_manage calls it first. A program may also end without it
 * (ward-local does, once settled): a file left is one RocksDB's next open
 * removes as obsolete. */
int node_oneshot_finish(void);

/* Counts since the program started. */
struct node_oneshot_stats node_oneshot_stats(void);

#endif
