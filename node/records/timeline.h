/*
 * timeline.h: one patient's file as dated events (`ward show PATIENT
 * --timeline`): registration and exit, follow-ups, assessments, hospital
 * stays, incidents, searches, agreements, free medication, care-group
 * membership, exams and transfers both ways, in date order. timeline.c
 * finds them through the 'I' index of each type's patient reference and
 * reads their dates from the cells; api_timeline.c words them.
 *
 * Layer node/records: may include node/ledger, node/store and crdt/.
 */
#ifndef WARD_NODE_TIMELINE_H
#define WARD_NODE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/ledger/ledger.h"

struct node_timeline_item {
	char date[11];	   /* the event's date */
	bool undated;	   /* the record has no date: its create's day */
	const char *event; /* static: "registered", "followup", "admitted",
			      "discharged", "transfer_out", ... */
	char type[32];	   /* the record's type */
	uint8_t id[16];	   /* the record */
	struct crdt_dot created; /* its create: who wrote it */
	uint64_t hlc;		 /* and when */
};

/* The events of patient pid, oldest first: by date, then by the create's
 * (hlc, author, seq, index), then event. Retracted records and creates
 * without effect are left out. Returns 0 with an owned array (free(); NULL
 * when empty) or -ENOENT when pid is no valid patient. */
int node_timeline_collect(struct node_ledger *l, const uint8_t pid[16],
			  struct node_timeline_item **out, size_t *n);

#endif
