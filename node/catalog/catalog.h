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

#endif
