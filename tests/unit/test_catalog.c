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

/* A reason keeps its arguments and renders them in either language; an
 * id argument renders in the reader's language too. */
static void test_reasons(void **state)
{
	(void)state;
	struct node_reason r;
	char out[512];
	NODE_REASON(&r, MSG_F_ROLE_MAY_NOT_WRITE, "police", "patient",
		    "diagnosis", "health");
	assert_int_equal(r.n_args, 4);
	node_reason_text(&r, NODE_LANG_EN, out, sizeof(out));
	assert_string_equal(out, "role police may not write patient.diagnosis "
				 "(it is written by: health)");
	node_reason_text(&r, NODE_LANG_ZH, out, sizeof(out));
	assert_non_null(strstr(out, "角色 police 无权填写 patient.diagnosis"));
	/* numbers of each width */
	NODE_REASON(&r, MSG_W_OPS_COUNT, 1000u);
	node_reason_text(&r, NODE_LANG_EN, out, sizeof(out));
	assert_string_equal(out, "a write holds 1 to 1000 changes");
	/* an id inside a reason */
	NODE_REASON(&r, MSG_W_REJECTED, NODE_REASON_ID(MSG_F_NO_SUCH_RECORD));
	node_reason_text(&r, NODE_LANG_EN, out, sizeof(out));
	assert_string_equal(out, "rejected: no such record");
	node_reason_text(&r, NODE_LANG_ZH, out, sizeof(out));
	assert_string_equal(out, "被拒绝：没有这条记录");
	/* no arguments */
	NODE_REASON0(&r, MSG_F_CREATE_NO_EFFECT);
	assert_int_equal(r.n_args, 0);
	node_reason_text(&r, NODE_LANG_EN, out, sizeof(out));
	assert_string_equal(out, "the record's create has no effect");
	/* a long argument is cut at a character boundary, a small buffer
	 * stays terminated */
	char big[400];
	memset(big, 0, sizeof(big));
	for (size_t i = 0; i + 3 < sizeof(big) - 1; i += 3)
		memcpy(big + i, "\xe5\x90\x8d", 3); /* 名 */
	NODE_REASON(&r, MSG_F_TEXT, big);
	assert_true(strlen(r.args[0].s) < NODE_REASON_ARG_BYTES);
	assert_int_equal(strlen(r.args[0].s) % 3, 0);
	node_reason_text(&r, NODE_LANG_EN, out, 8);
	assert_true(strlen(out) < 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_language_has_every_id),
	    cmocka_unit_test(test_languages_take_the_same_arguments),
	    cmocka_unit_test(test_names_and_edges),
	    cmocka_unit_test(test_reasons),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
