/*
 * api_rules.h: DOMAIN.md's rules that a node applies to its own writes at
 * write time, not as op validity (issue 12, finding 7). Verdicts on ops
 * stay the ledger's and the same at every node; these depend on who
 * writes here and on this node's clock, so they refuse before signing:
 *   - a role that may not create the type or write a field is told which
 *     roles may;
 *   - township and police write joint follow-ups only (joint=yes after
 *     the write);
 *   - a date of something that has happened (a visit, an assessment, an
 *     admission, a registration...) more than one day after today, by
 *     this node's local clock, is refused with the date named. Planned
 *     dates (next_visit, an agreement's period, a guardianship's until)
 *     may lie ahead.
 */
#ifndef WARD_NODE_API_RULES_H
#define WARD_NODE_API_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node_ctx;
struct node_type;
struct crdt_op;

/* Judges the ops of one local write of a record of type t (id: the record
 * changed, NULL on create, ops[0] then the create). 0, or -EINVAL with
 * *why, a reason wrapped as "refused, nothing written: ...". */
struct node_reason;
int node_rules_check(struct node_ctx *n, const struct node_type *t,
		     const uint8_t *id, const struct crdt_op *ops, size_t n_ops,
		     struct node_reason *why);

/* The roles of a NODE_ROLE_BIT mask for people: "health, township", or
 * under zh "卫生健康（health）、乡镇街道（township）". */
void node_rules_roles(unsigned mask, bool zh, char *out, size_t out_len);

/* Whether field of type records something that has happened (its date
 * may not lie ahead). */
bool node_rules_past_date(const char *type, const char *field);

/* Whether date (YYYY-MM-DD) lies more than one day after today
 * (YYYY-MM-DD): the judge behind the future-date rule. */
bool node_rules_date_ahead(const char *date, size_t len, const char *today);

/* Whether patient id was moved from another live patient that shows
 * value in field (a transfer-in and its transfer-out: one person, not a
 * duplicate). */
bool node_rules_moved_from_same(struct node_ctx *n, const uint8_t id[16],
				const char *field, const char *value,
				size_t value_len);

#endif
