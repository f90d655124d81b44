/*
 * access.h: the node-local, append-only access log (DOMAIN.md section 5):
 * who read or exported which records through show, list, due, export and
 * report. One tab-separated line per event in access.log in the data
 * directory (0600): time, user, action, what, count, record ids, uid, and
 * the sealed fields the request read in plaintext ("name,id_number").
 * Never replicated, never rewritten. The user is the OS user the kernel
 * names for the ipc connection to wardd (its uid and name), or the user
 * of the ward process that served the request itself.
 */
#ifndef WARD_NODE_ACCESS_H
#define WARD_NODE_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "node/api/doc.h"

struct node_ctx;

/* Appends one event: action ("show", "list", "export", "report"), what
 * (a type, or a report's scope and period), the records' ids (borrowed;
 * n_ids may be 0). The user is n->peer_uid (set by whoever serves the
 * request); req is not consulted for it. A failure to write is logged on
 * stderr and does not fail the read. */
void node_access_log(struct node_ctx *n, const struct node_doc *req,
		     const char *action, const char *what,
		     const uint8_t (*ids)[16], size_t n_ids);
/* Ids of the records in a list or show answer (an array of record
 * documents or one), appended as above. */
void node_access_log_doc(struct node_ctx *n, const struct node_doc *req,
			 const char *action, const char *what,
			 const struct node_doc *records);
/* The local API's access_log: every event, oldest first, each
 * {at, user, action, what, count, records, uid} (uid null in lines
 * written before it was logged). */
struct node_reason;
int node_api_access_log(struct node_ctx *n, const struct node_doc *req,
			struct node_doc **out, struct node_reason *why);

#endif
