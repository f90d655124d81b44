/*
 * catalog.c: the list of languages and the lookup (catalog.h).
 */
#include "node/catalog/catalog.h"

#include <string.h>

/* Each language's texts by id. An id without its ID_XX macro in a
 * language file does not compile. */
static const char *const en[NODE_MSG_COUNT] = {
#define X(id) [id] = id##_EN,
#include "node/catalog/catalog_ids.h"
#undef X
};

static const char *const zh[NODE_MSG_COUNT] = {
#define X(id) [id] = id##_ZH,
#include "node/catalog/catalog_ids.h"
#undef X
};

/* One line per language, in enum node_lang's order. */
static const char *const *const tables[NODE_LANG_COUNT] = {
    [NODE_LANG_EN] = en,
    [NODE_LANG_ZH] = zh,
};

static const char *const names[NODE_MSG_COUNT] = {
    [MSG_NONE] = "MSG_NONE",
#define X(id) [id] = #id,
#include "node/catalog/catalog_ids.h"
#undef X
};

const char *node_catalog_text(enum node_lang lang, enum node_msg id)
{
	if ((unsigned)id >= NODE_MSG_COUNT || id == MSG_NONE)
		return "";
	if ((unsigned)lang >= NODE_LANG_COUNT)
		lang = NODE_LANG_EN;
	return tables[lang][id];
}

const char *node_catalog_name(enum node_msg id)
{
	return (unsigned)id < NODE_MSG_COUNT ? names[id] : "MSG_NONE";
}

enum node_lang node_catalog_lang(const char *locale)
{
	return locale && !strncmp(locale, "zh", 2) ? NODE_LANG_ZH
						   : NODE_LANG_EN;
}
