/*
 * api_match.h: which stored record a register row means (node layer), so
 * that importing the same register twice updates instead of duplicating
 * (issue 12, "Registers that update").
 *
 * A row without an id is matched to a live record (valid, not retracted)
 * whose home scope the importing node's scope covers:
 *   patient     by patient_no, else by id_number (--match patient_no,
 *               id_number or none picks one or neither);
 *   guardian    by patient and id_number, else by patient and name (a
 *               stored guardian with another id_number is not the one);
 *   care_group  by patient (a patient has one care group).
 * Other types are not matched. Two candidates are an error naming both.
 *
 * The rows of one file are also checked against each other: two rows that
 * are the same record (the same id, the same match, or two creating rows
 * with the same key) are an error on the second.
 */
#ifndef WARD_NODE_API_MATCH_H
#define WARD_NODE_API_MATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node_ctx;
struct node_type;
struct node_field;

enum node_match_mode {
	NODE_MATCH_AUTO, /* the type's keys in order */
	NODE_MATCH_PATIENT_NO,
	NODE_MATCH_ID_NUMBER,
	NODE_MATCH_NONE, /* every row without an id creates */
};

/* Parses --match for type t (NULL or "" is auto). 0, or -EINVAL with
 * *why naming the modes t takes. */
struct node_reason;
int node_match_mode_parse(struct node_ctx *n, const struct node_type *t,
			  const char *text, enum node_match_mode *out,
			  struct node_reason *why);

#define NODE_MATCH_KEYS 2
#define NODE_MATCH_KEY_MAX 200

struct node_match {
	bool found;
	uint8_t id[16];
	const char *by; /* the field that matched: "patient_no", ... */
	/* The row's identifying keys (for rows of one file), "" when unused. */
	char keys[NODE_MATCH_KEYS][NODE_MATCH_KEY_MAX];
};

/* Matches a row (its columns' fields, NULL for id/scope columns, and
 * texts) of type t against the records within scope. Fills *m (found or
 * not, and the row's keys). 0, or -EINVAL with why (two candidates). */
int node_match_find(struct node_ctx *n, const struct node_type *t,
		    const char *scope, enum node_match_mode mode,
		    const struct node_field *const *fields, char *const *texts,
		    size_t n_cols, struct node_match *m, char *why,
		    size_t why_len);

/* The keys seen in one pass over a file. */
struct node_match_seen;
struct node_match_seen *node_match_seen_new(void);
void node_match_seen_free(struct node_match_seen *s);
/* Forgets every key (a new pass). */
void node_match_seen_reset(struct node_match_seen *s);
/* Whether one of keys (n_keys, "" skipped) was seen on an earlier line:
 * then 1 with *line that line; else records them for line and 0. */
int node_match_seen_check(struct node_match_seen *s, const char *const *keys,
			  size_t n_keys, size_t line, size_t *first);

#endif
