/*
 * syncs.h: the syncs a one-shot process (ward-local) skips in its store
 * directory without risking an acknowledged write (syncs.c says which and
 * why). Only a program linked with syncs.c and its -Wl,--wrap options
 * (node/CMakeLists.txt: ward-local) has these.
 *
 * Layer node/store: may include crdt/ only.
 */
#ifndef WARD_NODE_SYNCS_H
#define WARD_NODE_SYNCS_H

#include <stdint.h>

/* Names the store directory (DIR/db) whose syncs are folded; until then,
 * and for every other file, each sync is made. */
void node_syncs_manage(const char *dir);

struct node_syncs_stats {
	uint64_t synced;  /* fsync/fdatasync calls passed on */
	uint64_t skipped; /* calls that syncs.c answered itself */
};
/* Counts since the program started. */
struct node_syncs_stats node_syncs_stats(void);

#endif
