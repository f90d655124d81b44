/*
 * access.h: the node-local, append-only access log (DOMAIN.md section 5):
 * who (the OS user the CLI runs as) read or exported which records through
 * show, list, export and report. One JSON object per line in access.log in
 * the data directory (0600); never replicated, never rewritten.
 */
#ifndef WARD_NODE_ACCESS_H
#define WARD_NODE_ACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "node/doc.h"

struct node_ctx;

/* Appends one event: action ("show", "list", "export", "report"), what
 * (a type, or a report's scope and period), the records' ids (borrowed;
 * n_ids may be 0). The user is the request's "user" (set by the CLI). A
 * failure to write is logged on stderr and does not fail the read. */
void node_access_log(struct node_ctx *n, const struct node_doc *req,
		     const char *action, const char *what,
		     const uint8_t (*ids)[16], size_t n_ids);
/* Ids of the records in a list or show answer (an array of record
 * documents or one), appended as above. */
void node_access_log_doc(struct node_ctx *n, const struct node_doc *req,
			 const char *action, const char *what,
			 const struct node_doc *records);
/* The local API's access_log: every event, oldest first. */
struct node_doc *node_api_access_log(struct node_ctx *n,
				     const struct node_doc *req, int *exit,
				     char *msg, size_t msg_len);

#endif
