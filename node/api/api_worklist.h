/*
 * api_worklist.h: work lists of people (api_worklist.c). What `due`,
 * `joint-missing` and `list` answer is made into lists an operator works
 * from: every row about a patient names the patient (name, patient_no,
 * village scope, phone), `due` adds the guardian, the care-group leader,
 * the last visit and the failed attempts since, and each list is sorted
 * by what it is for, not by id. Also `show --timeline` (timeline.h) and
 * the `list patient care_group=` form (patients without a record of a
 * type). api_query.c and api.c call these from their handlers.
 *
 * Layer node/api.
 */
#ifndef WARD_NODE_API_WORKLIST_H
#define WARD_NODE_API_WORKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/api/doc.h"
#include "node/records/query.h"

struct node_ctx;
struct node_type;

/* --month YYYY-MM of a due request: 1 with on = the month's last day and
 * first = its first day, 0 when the request names no month, or -EINVAL
 * with *why set (a bad month, or both --month and --on). */
int node_worklist_month(struct node_ctx *n, const struct node_doc *req,
			char on[11], char first[11], struct node_reason *why);

/* The answer of due (joint false) or joint-missing (joint true) for the
 * rows v[0..cnt) (borrowed) computed on day `on`: owned array of row
 * objects, sorted (due: most overdue first; joint-missing: highest risk,
 * then longest since it was assessed; a month: by due date), ties by
 * village, patient_no, name, id. month_first: the first day of a --month
 * list (days_overdue then counts from it; "month" is set), else NULL. */
struct node_doc *node_worklist_due_doc(struct node_ctx *n,
				       const struct node_due *v, size_t cnt,
				       bool joint, const char *on,
				       const char *month_first);

/* Filters of `list patient` that name a record type about patients
 * instead of a field: TYPE= (no live record of that type refers to the
 * patient) or TYPE=yes (one does), e.g. care_group=. */
#define NODE_WORKLIST_PRESENCE_MAX 8
struct node_worklist_presence {
	size_t n;
	const struct node_type *type[NODE_WORKLIST_PRESENCE_MAX];
	bool with[NODE_WORKLIST_PRESENCE_MAX];
};

/* Splits a list request's filters (an array of [field, value], borrowed,
 * may be NULL) for records of type t into *rest (owned: the field
 * filters, for the index) and *p. 0, or -EINVAL with *why set. */
int node_worklist_split_filters(struct node_ctx *n, const struct node_type *t,
				const struct node_doc *filters,
				struct node_doc **rest,
				struct node_worklist_presence *p,
				struct node_reason *why);

/* The rows of a list, gathered before they are sorted. */
struct node_worklist_rows {
	size_t n, cap;
	struct node_doc **v;
};

/* Takes d (a record document as show prints it). */
void node_worklist_rows_add(struct node_worklist_rows *r, struct node_doc *d);
/* The list's answer (owned array): rows of records about a patient carry
 * name, patient_no and phone of the patient at the top level, rows that
 * fail p are dropped, and the rest are sorted for the type (by its date,
 * then village, patient_no, name, id; patients and records without a date
 * by village, patient_no, name). Empties r. */
struct node_doc *
node_worklist_rows_finish(struct node_ctx *n, const struct node_type *t,
			  struct node_worklist_rows *r,
			  const struct node_worklist_presence *p);

/* What the access log says a work list read: what itself, or, when the
 * request says the list goes to a CSV file ("csv": its path), "WHAT to
 * PATH" in buf (len bytes). */
const char *node_worklist_log_what(const struct node_doc *req, const char *what,
				   char *buf, size_t len);

/* The dated events of patient id (timeline.h) as an owned array of
 * {date, undated, event, type, id, scope, summary, by, by_name, by_role,
 * at}; an empty array when id is no patient. */
struct node_doc *node_worklist_timeline(struct node_ctx *n,
					const uint8_t id[16]);

#endif
