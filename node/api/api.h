/*
 * api.h: the local API's handlers and what they share, behind node.h and
 * node_int.h. Every handler takes a request document and returns a result
 * document (owned) or fails with -errno and a reason (node_api_fn below).
 * Defined in api.c, api_query.c, api_records.c, api_csv.c and audit.c;
 * serve.c dispatches to them. They were declared in node_int.h (shared
 * with node.c, identity.c and the tools) and in node/records/query.h (the
 * layer below); declared here, in the layer that defines them, includes
 * point one way: api*.c -> api.h -> node_int.h, query.h.
 */
#ifndef WARD_NODE_API_H
#define WARD_NODE_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/api/doc.h"
#include "node/api/node_int.h"
#include "node/records/query.h"

/* In a handler with `int rc`, `struct node_reason *why` and a `fail:`
 * label: fails with -errno err and the reason id with its arguments. */
#define FAIL(err, id, ...)                                                     \
	do {                                                                   \
		rc = (err);                                                    \
		NODE_REASON_LONG(why, id, __VA_ARGS__);                        \
		goto fail;                                                     \
	} while (0)
#define FAIL0(err, id)                                                         \
	do {                                                                   \
		rc = (err);                                                    \
		NODE_REASON0(why, id);                                         \
		goto fail;                                                     \
	} while (0)

/* API handlers, issue 9's one error model. A handler returns:
 *   0                      *out is the reply (owned);
 *   NODE_API_CHECK_FAILED  *out is the reply (owned), and the check the
 *                          command makes failed (audit verify finding a
 *                          failure, import_entries rejecting an entry):
 *                          the request is answered, with exit 1;
 *   NODE_API_INPUT_REFUSED *out is the reply (owned), and the input was
 *                          refused (import_records with bad rows writes
 *                          nothing and lists them): exit 2;
 *   -errno                 nothing in *out; *why is the reason (a catalog
 *                          id and its arguments, never text).
 * node_serve renders *why in the request's language and maps the errno to
 * an exit code, once, with node_exit_from_errno (the table is in
 * docs/architecture.md, "Errors"). Helpers below the handlers follow the
 * same rule: 0 or -errno with *why set. */
typedef int (*node_api_fn)(struct node_ctx *n, const struct node_doc *req,
			   struct node_doc **out, struct node_reason *why);
/* Serves req by its "cmd": a handler's result as above. */
int node_api_dispatch(struct node_ctx *n, const struct node_doc *req,
		      struct node_doc **out, struct node_reason *why);
/* node_exit_from_errno (node_int.h) maps these to exit codes. */

/* What api.c lends the handlers in other files: a record as `show` prints
 * it (owned), an id as typed resolved to a record, a value as typed parsed
 * for a field (references resolved). Codes and messages as the handlers'. */
struct node_doc *node_api_record_doc(struct node_ctx *n, const uint8_t id[16],
				     const struct node_entity *e);
int node_api_resolve(struct node_ctx *n, const char *text, uint8_t id[16],
		     struct node_entity *e, struct node_reason *why);
struct node_field;
struct crdt_value;
int node_api_parse_value(struct node_ctx *n, const struct node_field *f,
			 const char *text, struct crdt_value *v, uint8_t *buf,
			 struct node_reason *why);
/* A reference as add and set take it, "TYPE-hex" or a hex prefix, to a
 * record of f's ref_type: ops.h's node_ops_ref_fn, ctx the node_ctx. */
int node_api_ref(void *ctx, const struct node_field *f, const char *text,
		 uint8_t id[16], struct node_reason *why);

/* The shown value of a register field of record id as text into out: ""
 * when unset, ints in decimal, references as 32 hex (api_query.c). */
void node_api_shown_text(struct node_ctx *n, const uint8_t id[16],
			 const char *field, char *out, size_t out_len);

/* Audit verify (audit.c). */
int node_audit_verify(struct node_ctx *n, struct node_doc **out,
		      struct node_reason *why);

/* The report as the local API answers it (JSON keys of issue 3). */
struct node_doc *node_query_report_doc(const struct node_report *r,
				       const char *scope, const char *from,
				       const char *to);

/* ---- local API handlers (api_query.c, api_records.c, api_csv.c) ---- */

struct node_ctx;
struct node_entity;
int node_api_list(struct node_ctx *n, const struct node_doc *req,
		  struct node_doc **out, struct node_reason *why);
int node_api_due(struct node_ctx *n, const struct node_doc *req,
		 struct node_doc **out, struct node_reason *why);
int node_api_joint_missing(struct node_ctx *n, const struct node_doc *req,
			   struct node_doc **out, struct node_reason *why);
int node_api_report(struct node_ctx *n, const struct node_doc *req,
		    struct node_doc **out, struct node_reason *why);
/* report with "by", "missing" and "html" (api_report.c); without them,
 * node_api_report. */
int node_api_report_page(struct node_ctx *n, const struct node_doc *req,
			 struct node_doc **out, struct node_reason *why);
int node_api_export_records(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why);
int node_api_import_records(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why);
int node_api_retract(struct node_ctx *n, const struct node_doc *req,
		     struct node_doc **out, struct node_reason *why);
int node_api_duplicates(struct node_ctx *n, const struct node_doc *req,
			struct node_doc **out, struct node_reason *why);

/* Checks a node makes at write time, beyond op validity (api_records.c):
 * a patient with status exited needs an exit_date (after the change); a
 * patient sharing an id_number or patient_no with another live patient
 * is written but warned about. id: the record changed, NULL on create
 * (ops[0] is then the create). Returns 0 with *warnings an owned array of
 * messages or NULL, or -EINVAL with *why set. */
struct node_type;
struct crdt_op;
int node_check_write(struct node_ctx *n, const struct node_type *t,
		     const uint8_t *id, const struct crdt_op *ops, size_t n_ops,
		     struct node_doc **warnings, struct node_reason *why);
/* Makes why, a reason node_ledger_write refused a local write for, read
 * "refused, nothing written: WHY" (in the request's language, when
 * node_serve renders it). */
void node_refused(struct node_reason *why);
/* A reason (a ledger finding, a schema verdict) as text in the request's
 * language into out; returns out. */
const char *node_api_reason(struct node_ctx *n, const struct node_reason *r,
			    char *out, size_t len);
/* Sets "warnings" on the record document d when there are any; takes
 * warnings; returns d. */
struct node_doc *node_check_attach(struct node_doc *d,
				   struct node_doc *warnings);

/* Adds "related" to the show document d of a patient (no-op otherwise). */
void node_query_related(struct node_ctx *n, const uint8_t id[16],
			const struct node_entity *e, struct node_doc *d);

/* ---- roster versions (api_roster.c) ---- */
int node_api_roster_propose(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why);
int node_api_roster_pending(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why);
int node_api_roster_sign(struct node_ctx *n, const struct node_doc *req,
			 struct node_doc **out, struct node_reason *why);
int node_api_roster_show(struct node_ctx *n, const struct node_doc *req,
			 struct node_doc **out, struct node_reason *why);
int node_api_roster_log(struct node_ctx *n, const struct node_doc *req,
			struct node_doc **out, struct node_reason *why);
int node_api_roster_export(struct node_ctx *n, const struct node_doc *req,
			   struct node_doc **out, struct node_reason *why);
/* Adds roster_version, proposals_pending, admin_forks and revoke_needed
 * (what to propose for each forked author) to a status document. */
void node_api_roster_status(struct node_ctx *n, struct node_doc *d);

#endif
