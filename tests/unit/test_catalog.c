/*
 * test_catalog.c: the message catalog (node/catalog). Call sites are
 * checked by -Wformat (each text is a literal macro); this checks what a
 * caller holding an id in a variable relies on: every id has a text in
 * every language, the languages take the same printf conversions in the
 * same order, and the lookup's edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "node/catalog/catalog.h"

/* The conversions of a printf format, e.g. "%s|%.*s|%zu|". */
static void conversions(const char *f, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (const char *p = f; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		const char *q = p + 1;
		while (*q && strchr("-+ #0123456789.*hlzjt", *q))
			q++;
		/* flags and widths may differ by language (padding of a
		 * column); what is read from the arguments may not. */
		char spec[16];
		size_t sl = 0;
		for (const char *r = p + 1; r < q && sl < sizeof(spec) - 2; r++)
			if (strchr("*hlzjt", *r))
				spec[sl++] = *r;
		spec[sl++] = *q;
		spec[sl] = '\0';
		o += (size_t)snprintf(out + o, len - o, "%s|", spec);
		if (o >= len)
			break;
		p = q;
	}
}

static void test_every_language_has_every_id(void **state)
{
	(void)state;
	for (int id = 1; id < NODE_MSG_COUNT; id++) {
		const char *en = node_catalog_text(NODE_LANG_EN, id);
		const char *zh = node_catalog_text(NODE_LANG_ZH, id);
		assert_non_null(en);
		assert_non_null(zh);
		if (!*en || !*zh)
			fail_msg("%s has an empty text", node_catalog_name(id));
	}
}

static void test_languages_take_the_same_arguments(void **state)
{
	(void)state;
	char a[256], b[256];
	for (int id = 1; id < NODE_MSG_COUNT; id++) {
		conversions(node_catalog_text(NODE_LANG_EN, id), a, sizeof(a));
		conversions(node_catalog_text(NODE_LANG_ZH, id), b, sizeof(b));
		if (strcmp(a, b) != 0)
			fail_msg("%s: English takes %s, Chinese %s",
				 node_catalog_name(id), a, b);
	}
}

static void test_names_and_edges(void **state)
{
	(void)state;
	assert_string_equal(node_catalog_name(MSG_NONE), "MSG_NONE");
	assert_string_equal(node_catalog_text(NODE_LANG_EN, MSG_NONE), "");
	assert_string_equal(node_catalog_text(NODE_LANG_ZH, NODE_MSG_COUNT),
			    "");
	/* a language out of range reads English */
	assert_string_equal(node_catalog_text((enum node_lang)7, 1),
			    node_catalog_text(NODE_LANG_EN, 1));
	for (int i = 1; i < NODE_MSG_COUNT; i++) {
		assert_true(!strncmp(node_catalog_name(i), "MSG_", 4));
		for (int j = i + 1; j < NODE_MSG_COUNT; j++)
			assert_string_not_equal(node_catalog_name(i),
						node_catalog_name(j));
	}
	assert_int_equal(node_catalog_lang("zh_CN.UTF-8"), NODE_LANG_ZH);
	assert_int_equal(node_catalog_lang("en_US.UTF-8"), NODE_LANG_EN);
	assert_int_equal(node_catalog_lang("C"), NODE_LANG_EN);
	assert_int_equal(node_catalog_lang(NULL), NODE_LANG_EN);
	/* the literal form and the lookup agree */
	assert_string_equal(MSGZ(1, MSG_NEEDS_VALUE),
			    node_catalog_text(NODE_LANG_ZH, MSG_NEEDS_VALUE));
	assert_string_equal(MSGZ(0, MSG_NEEDS_VALUE),
			    node_catalog_text(NODE_LANG_EN, MSG_NEEDS_VALUE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_language_has_every_id),
	    cmocka_unit_test(test_languages_take_the_same_arguments),
	    cmocka_unit_test(test_names_and_edges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
