/*
 * catalog.h: the message catalog. Every text ward shows a person (errors,
 * refusals, status lines, table headings, help) has an id here and a text
 * (catalog_ids.h) and a text in each language file: catalog_en.h (the
 * reference), catalog_zh.h. Code names the id, never the words, so
 * nothing is translated by matching strings, and adding a language is one
 * file (its ID_XX macros) plus its line in MSGZ below and in catalog.c's
 * table.
 *
 * Texts are printf formats, each a string-literal macro (MSG_NO_RECORD_EN),
 * so that MSG(n, MSG_NO_RECORD) is a choice between literals and -Wformat
 * checks every language's text against the arguments at every call site.
 * A language that lacks an id fails the build (catalog.c's tables).
 *
 * Layer node/catalog: pure data, includes nothing of ward's. Every layer
 * of node/ and cli/ may include it.
 */
#ifndef WARD_NODE_CATALOG_H
#define WARD_NODE_CATALOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "node/catalog/catalog_en.h"
#include "node/catalog/catalog_zh.h"

enum node_msg {
	MSG_NONE,
#define X(id) id,
#include "node/catalog/catalog_ids.h"
#undef X
	NODE_MSG_COUNT
};

enum node_lang {
	NODE_LANG_EN,
	NODE_LANG_ZH,
	NODE_LANG_COUNT
};

/* The text of id in lang, for an id held in a variable (a reason code);
 * "" for MSG_NONE and ids out of range. */
const char *node_catalog_text(enum node_lang lang, enum node_msg id);
/* The id's name ("MSG_NO_RECORD"), for logs and tests. */
const char *node_catalog_name(enum node_msg id);
/* The language of a locale string (LANG, LC_ALL, LC_MESSAGES): zh... is
 * Chinese, anything else English. */
enum node_lang node_catalog_lang(const char *locale);

/* The text of a literal id: MSGZ(zh, id) for a flag saying Chinese,
 * MSG(n, id) for anything with a lang_zh member. */
#define MSGZ(zh, id) ((zh) ? id##_ZH : id##_EN)
#define MSG(n, id) MSGZ((n)->lang_zh, id)

/* ---- reasons ----
 *
 * A reason is a catalog id with its arguments, captured where it arises
 * and rendered in a reader's language later: a finding the ledger stores
 * is shown in the language of whoever reads it. NODE_REASON checks the
 * arguments against the English text with -Wformat, as MSG does. An
 * argument is a number, a text, or another id (a detail inside a reason,
 * NODE_REASON_ID), which renders in the reader's language too. Only %s,
 * %d, %u, %lld, %llu, %zu (with flags, width and precision) may appear in
 * a reason's texts; an argument that does not fit is cut. */
#define NODE_REASON_MAX_ARGS 8
#define NODE_REASON_ARG_BYTES 128
/* The room an argument has: NODE_REASON cuts at NODE_REASON_ARG_BYTES
 * (what the ledger stores in a finding), NODE_REASON_LONG at this (the
 * local API's reasons, rendered once and never stored: a list of
 * candidates or of roles, a path, a refusal's detail). */
#define NODE_REASON_TEXT_BYTES 1024

struct node_reason_arg {
	char kind; /* 'i' signed, 'u' unsigned, 's' text, 'm' an id, 'f' a
		      field whose allowed values the schema renders */
	long long i;
	unsigned long long u;
	char s[NODE_REASON_TEXT_BYTES];
};

struct node_reason {
	enum node_msg id;
	/* MSG_NONE, or an id whose text ends with a %s for the reason: the
	 * reason renders inside it ("refused, nothing written: %s", "%s has
	 * no effect (%s): ..."), the wrap's own arguments being
	 * args[wrap_at..tail_at or n_args). Never stored: the ledger's
	 * reasons leave it 0. Made by NODE_REASON_WRAP. */
	enum node_msg wrap;
	unsigned wrap_at;
	/* MSG_NONE, or an id rendered right after the reason (" (field
	 * %s)"), its arguments args[tail_at..n_args). Never stored either:
	 * made by NODE_REASON_TAIL. */
	enum node_msg tail;
	unsigned tail_at;
	unsigned n_args;
	struct node_reason_arg args[NODE_REASON_MAX_ARGS];
};

/* An id passed as an argument: give NODE_REASON_ID(MSG_X) where the text
 * has %s and the detail should render in the reader's language. */
#define NODE_REASON_ID(id) node_catalog_id_arg(id)
const char *node_catalog_id_arg(enum node_msg id);

void node_reason_make(struct node_reason *r, enum node_msg id,
		      const char *fmt_en, ...)
    __attribute__((format(printf, 3, 4)));
/* The same with the arguments in ap (for a wrapper with its own format
 * attribute). */
void node_reason_vmake(struct node_reason *r, enum node_msg id, va_list ap);
#define NODE_REASON(r, id, ...) \
	node_reason_make((r), (id), id##_EN, __VA_ARGS__)
#define NODE_REASON0(r, id) node_reason_make((r), (id), id##_EN)
/* A reason of an id held in a variable whose texts take no arguments (a
 * code a lower layer returned, e.g. node_txn_ingest's). */
void node_reason_of(struct node_reason *r, enum node_msg id);
/* The same, each text argument kept up to NODE_REASON_TEXT_BYTES. */
void node_reason_make_long(struct node_reason *r, enum node_msg id,
			   const char *fmt_en, ...)
    __attribute__((format(printf, 3, 4)));
#define NODE_REASON_LONG(r, id, ...)                                           \
	node_reason_make_long((r), (id), id##_EN, __VA_ARGS__)
/* Appends id with its arguments to r as its tail (r->tail, above); r must
 * have none yet. */
void node_reason_tail(struct node_reason *r, enum node_msg id,
		      const char *fmt_en, ...)
    __attribute__((format(printf, 3, 4)));
/* Puts r inside id, whose text's last conversion is a %s for r: give
 * id's other arguments, then NODE_REASON_INNER in that place. Before any
 * tail. */
void node_reason_wrap(struct node_reason *r, enum node_msg id,
		      const char *fmt_en, ...)
    __attribute__((format(printf, 3, 4)));
#define NODE_REASON_INNER ""
#define NODE_REASON_WRAP(r, id, ...)                                           \
	node_reason_wrap((r), (id), id##_EN, __VA_ARGS__)
#define NODE_REASON_TAIL(r, id, ...)                                           \
	node_reason_tail((r), (id), id##_EN, __VA_ARGS__)
/* The reason as text in lang into out (always NUL-terminated). Returns
 * out. An argument of kind 'f' shows as its text unless fn renders it
 * (node_schema_reason_text passes the schema's). */
typedef void (*node_reason_arg_fn)(const struct node_reason_arg *a,
				   enum node_lang lang, char *out, size_t len);
char *node_reason_text_fn(const struct node_reason *r, enum node_lang lang,
			  node_reason_arg_fn fn, char *out, size_t len);
char *node_reason_text(const struct node_reason *r, enum node_lang lang,
		       char *out, size_t len);
/* The mark that makes a text argument a field reference (kind 'f'):
 * NODE_REASON_FIELD_MARK "patient.sex". */
#define NODE_REASON_FIELD_MARK "\x02"

/* An id by its name ("MSG_NO_RECORD"), for reasons read back from a
 * store; MSG_NONE when this build does not know it. */
enum node_msg node_catalog_id(const char *name, size_t len);

#endif
