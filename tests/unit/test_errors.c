/*
 * test_errors: issue 9's one error model. Below the CLI a handler returns
 * 0 (or NODE_API_CHECK_FAILED / NODE_API_INPUT_REFUSED with a reply) or
 * -errno with a reason (a catalog id and its arguments, never text);
 * node_exit_from_errno maps that to the README's exit codes once, where a
 * request is served, and the reason is rendered there in the request's
 * language.
 *
 *  (a) the errno -> exit table and its inverse (docs/architecture.md,
 *      "Errors");
 *  (b) one handler per error class, called through node_api_dispatch:
 *      -EINVAL (unknown request, unknown type), -ENOENT (no such record;
 *      a reference field's " (field X)" tail), -ENOTCONN (a node that has
 *      not joined), -EBUSY (the write gate), -EIO (a backup that cannot
 *      be made); the reason's id and its text in both languages;
 *  (c) node_answer: the answer documents for each outcome, and node_serve
 *      rendering a reason in the request's language;
 *  (d) a reason inside another with its own arguments (NODE_REASON_WRAP)
 *      and one followed by a detail (NODE_REASON_TAIL) stay one reason
 *      and render in either language.
 */
/* nftw(3), to remove the temporary nodes. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/node.h"
#include "node/api/node_int.h"
#include "node/ledger/schema.h"

/* ---- (a) the table ---- */

static void test_exit_from_errno(void **state)
{
	(void)state;
	static const struct {
		int rc, exit;
	} table[] = {
	    {0, NODE_EXIT_OK},
	    {NODE_API_CHECK_FAILED, NODE_EXIT_CHECK},
	    {-EBADMSG, NODE_EXIT_CHECK},
	    {NODE_API_INPUT_REFUSED, NODE_EXIT_USAGE},
	    {-EINVAL, NODE_EXIT_USAGE},
	    {-ENOENT, NODE_EXIT_NOT_FOUND},
	    {-ENOTCONN, NODE_EXIT_NOT_INIT},
	    {-EBUSY, NODE_EXIT_BUSY},
	    {-EAGAIN, NODE_EXIT_BUSY},
	    {-EIO, NODE_EXIT_IO},
	    {-ENOSPC, NODE_EXIT_IO}, /* anything else is I/O */
	    {-EPERM, NODE_EXIT_IO},
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		assert_int_equal(node_exit_from_errno(table[i].rc),
				 table[i].exit);
	/* The inverse, for the seams that receive an exit code. */
	for (int e = NODE_EXIT_OK; e <= NODE_EXIT_IO; e++)
		assert_int_equal(node_exit_from_errno(node_errno_from_exit(e)),
				 e);
}

/* ---- a node on disk ---- */

struct nodes {
	char root[64];
	char dir[2][NODE_PATH_MAX];
	struct node_ctx *joined, *alone;
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void init_node(struct nodes *t, int i, const char *name,
		      const char *listen)
{
	char msg[2048], root[sizeof(t->root)];
	memcpy(root, t->root, sizeof(root));
	snprintf(t->dir[i], sizeof(t->dir[i]), "%s/%s", root, name);
	struct node_init_opts o = {.dir = t->dir[i],
				   .role = "health",
				   .name = name,
				   .scope = "120116",
				   .listen = listen};
	int rc = node_init(&o, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "init %s: %s\n", name, msg);
	assert_int_equal(rc, NODE_EXIT_OK);
}

static int nodes_setup(void **state)
{
	struct nodes *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->root, sizeof(t->root), "/tmp/ward-test-errors-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	init_node(t, 0, "joined", "127.0.0.1:17411");
	init_node(t, 1, "alone", "127.0.0.1:17412");
	char msg[2048], roster[NODE_PATH_MAX];
	snprintf(roster, sizeof(roster), "%s/roster", t->root);
	assert_int_equal(node_network_create(t->dir[0], NULL, 0, roster, false,
					     msg, sizeof(msg)),
			 NODE_EXIT_OK);
	struct node_reason why;
	assert_int_equal(node_ctx_open_why(t->dir[0], false, &t->joined, &why),
			 0);
	assert_int_equal(node_ctx_open_why(t->dir[1], false, &t->alone, &why),
			 0);
	*state = t;
	return 0;
}

static int nodes_teardown(void **state)
{
	struct nodes *t = *state;
	node_ctx_close(t->joined);
	node_ctx_close(t->alone);
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* ---- (b) one handler per class ---- */

static struct node_doc *request(const char *cmd)
{
	struct node_doc *req = node_doc_object();
	node_doc_set(req, "cmd", node_doc_str(cmd));
	return req;
}

/* Dispatches req (taken) on n and checks the errno and the reason's id;
 * the reason rendered in English and Chinese into en and zh. */
static void expect(struct node_ctx *n, struct node_doc *req, int want_rc,
		   enum node_msg want_id, char en[1024], char zh[1024])
{
	struct node_doc *out = NULL;
	struct node_reason why;
	memset(&why, 0x5a, sizeof(why)); /* the handler must set it */
	int rc = node_api_dispatch(n, req, &out, &why);
	node_doc_free(req);
	if (rc != want_rc)
		fprintf(stderr, "rc %d, want %d\n", rc, want_rc);
	assert_int_equal(rc, want_rc);
	assert_null(out);
	assert_string_equal(node_catalog_name(why.id),
			    node_catalog_name(want_id));
	node_schema_reason_text(&why, NODE_LANG_EN, en, 1024);
	node_schema_reason_text(&why, NODE_LANG_ZH, zh, 1024);
}

static void test_einval(void **state)
{
	struct nodes *t = *state;
	char en[1024], zh[1024];
	expect(t->joined, request("no_such_cmd"), -EINVAL, MSG_UNKNOWN_REQUEST,
	       en, zh);
	assert_non_null(strstr(en, "no_such_cmd"));
	assert_non_null(strstr(zh, "no_such_cmd"));
	assert_string_not_equal(en, zh);

	struct node_doc *req = request("add");
	node_doc_set(req, "type", node_doc_str("pateint"));
	expect(t->joined, req, -EINVAL, MSG_UNKNOWN_RECORD_TYPE_TYPES, en, zh);
	assert_non_null(strstr(en, "pateint"));
	assert_non_null(strstr(en, "patient")); /* the list of types */
}

static void test_enoent(void **state)
{
	struct nodes *t = *state;
	char en[1024], zh[1024];
	struct node_doc *req = request("show");
	node_doc_set(req, "id", node_doc_str("patient-abcdef0123"));
	expect(t->joined, req, -ENOENT, MSG_NO_RECORD, en, zh);
	assert_non_null(strstr(en, "patient-abcdef0123"));
	assert_non_null(strstr(zh, "patient-abcdef0123"));

	/* A reference that resolves to nothing: not found, and the reason
	 * names the field after it (its tail), in each language. */
	struct node_doc *add = request("add");
	node_doc_set(add, "type", node_doc_str("patient"));
	node_doc_set(add, "scope", node_doc_str("120116001"));
	struct node_doc *f = node_doc_array();
	const char *kv[][2] = {{"name", "王五"},
			       {"registered_on", "2024-01-05"},
			       {"transferred_from", "abcdef0123"}};
	for (size_t i = 0; i < 3; i++) {
		struct node_doc *p = node_doc_array();
		node_doc_push(p, node_doc_str(kv[i][0]));
		node_doc_push(p, node_doc_str(kv[i][1]));
		node_doc_push(f, p);
	}
	node_doc_set(add, "fields", f);
	expect(t->joined, add, -ENOENT, MSG_NO_RECORD, en, zh);
	const char *tail_en = " (field transferred_from)";
	assert_true(strlen(en) > strlen(tail_en));
	assert_string_equal(en + strlen(en) - strlen(tail_en), tail_en);
	const char *tail_zh = "（字段 transferred_from）";
	assert_true(strlen(zh) > strlen(tail_zh));
	assert_string_equal(zh + strlen(zh) - strlen(tail_zh), tail_zh);
}

static void test_enotconn(void **state)
{
	struct nodes *t = *state;
	char en[1024], zh[1024];
	struct node_doc *req = request("retract");
	node_doc_set(req, "id", node_doc_str("abcdef0123"));
	node_doc_set(req, "reason", node_doc_str("entered twice"));
	expect(t->alone, req, -ENOTCONN, MSG_NODE_HAS_NOT_JOINED_NETWORK_2, en,
	       zh);
	assert_string_not_equal(en, zh);
}

static void test_ebusy(void **state)
{
	struct nodes *t = *state;
	char en[1024], zh[1024];
	/* The marker a crashed wardd leaves: ward alone may not sign. */
	assert_int_equal(node_ctx_mark_unconfirmed(t->joined, true), 0);
	struct node_doc *req = request("add");
	node_doc_set(req, "type", node_doc_str("patient"));
	node_doc_set(req, "scope", node_doc_str("120116001"));
	struct node_doc *f = node_doc_array();
	const char *kv[][2] = {{"name", "赵六"},
			       {"registered_on", "2024-01-05"}};
	for (size_t i = 0; i < 2; i++) {
		struct node_doc *p = node_doc_array();
		node_doc_push(p, node_doc_str(kv[i][0]));
		node_doc_push(p, node_doc_str(kv[i][1]));
		node_doc_push(f, p);
	}
	node_doc_set(req, "fields", f);
	expect(t->joined, req, -EBUSY, MSG_REFUSED_NOTHING_WRITTEN_WARDD_DID,
	       en, zh);
	assert_non_null(strstr(en, t->dir[0]));
	assert_int_equal(node_ctx_mark_unconfirmed(t->joined, false), 0);
}

static void test_eio(void **state)
{
	struct nodes *t = *state;
	char en[1024], zh[1024], dir[NODE_PATH_MAX + 32];
	/* A parent that does not exist: mkdir fails, not the input. */
	snprintf(dir, sizeof(dir), "%s/no/such/parent", t->root);
	struct node_doc *req = request("backup");
	node_doc_set(req, "dir", node_doc_str(dir));
	expect(t->joined, req, -EIO, MSG_CANNOT_CREATE, en, zh);
	assert_non_null(strstr(en, dir));
	/* ... while a relative path is bad input. */
	req = request("backup");
	node_doc_set(req, "dir", node_doc_str("relative/dir"));
	expect(t->joined, req, -EINVAL, MSG_BACKUP_NOT_ABSOLUTE_PATH, en, zh);
}

/* ---- (c) the answer documents ---- */

static void test_answer(void **state)
{
	(void)state;
	struct node_reason why;
	NODE_REASON(&why, MSG_NO_RECORD, "patient-abc");
	struct node_doc *d = node_answer(-ENOENT, NULL, &why, false);
	assert_false(node_doc_get_bool(d, "ok", true));
	assert_int_equal(node_doc_get_int(d, "exit", -1), NODE_EXIT_NOT_FOUND);
	char want[256];
	snprintf(want, sizeof(want), MSG_NO_RECORD_EN, "patient-abc");
	assert_string_equal(node_doc_get_str(d, "error"), want);
	node_doc_free(d);
	d = node_answer(-ENOENT, NULL, &why, true);
	snprintf(want, sizeof(want), MSG_NO_RECORD_ZH, "patient-abc");
	assert_string_equal(node_doc_get_str(d, "error"), want);
	node_doc_free(d);

	/* A reply with a failed check: answered, exit 1. */
	d = node_answer(NODE_API_CHECK_FAILED, node_doc_object(), &why, false);
	assert_true(node_doc_get_bool(d, "ok", false));
	assert_non_null(node_doc_get(d, "result"));
	assert_int_equal(node_doc_get_int(d, "exit", -1), NODE_EXIT_CHECK);
	node_doc_free(d);
	d = node_answer(NODE_API_INPUT_REFUSED, node_doc_object(), &why, false);
	assert_int_equal(node_doc_get_int(d, "exit", -1), NODE_EXIT_USAGE);
	node_doc_free(d);
	/* Plain success carries no exit. */
	d = node_answer(0, node_doc_object(), &why, false);
	assert_true(node_doc_get_bool(d, "ok", false));
	assert_null(node_doc_get(d, "exit"));
	node_doc_free(d);
	/* A handler that answers nothing and no error: I/O, no text. */
	d = node_answer(0, NULL, &why, false);
	assert_int_equal(node_doc_get_int(d, "exit", -1), NODE_EXIT_IO);
	node_doc_free(d);
}

/* node_serve renders the reason once, in the request's language. */
static void test_serve_language(void **state)
{
	struct nodes *t = *state;
	for (int zh = 0; zh < 2; zh++) {
		struct node_doc *req = request("show");
		node_doc_set(req, "id", node_doc_str("patient-abcdef0123"));
		if (zh)
			node_doc_set(req, "lang", node_doc_str("zh"));
		struct crdt_buf b;
		crdt_buf_init(&b);
		crdt_pack_array(&b, 2);
		crdt_pack_uint(&b, 1);
		node_doc_encode(req, &b);
		node_doc_free(req);
		struct node_doc *d = node_serve(t->joined, b.data, b.len);
		crdt_buf_fini(&b);
		assert_int_equal(node_doc_get_int(d, "exit", -1),
				 NODE_EXIT_NOT_FOUND);
		char want[256];
		snprintf(want, sizeof(want),
			 zh ? MSG_NO_RECORD_ZH : MSG_NO_RECORD_EN,
			 "patient-abcdef0123");
		assert_string_equal(node_doc_get_str(d, "error"), want);
		node_doc_free(d);
		assert_false(t->joined->lang_zh); /* reset after the request */
	}
}

/* ---- (d) composed reasons ---- */

static void test_wrap_and_tail(void **state)
{
	(void)state;
	char out[1024], inner[256], want[1024];
	struct node_reason r;
	NODE_REASON(&r, MSG_NO_RECORD, "patient-abc");
	NODE_REASON_WRAP(&r, MSG_HAS_NO_EFFECT_CANNOT_CHANGED, "patient-1",
			 NODE_REASON_INNER);
	snprintf(inner, sizeof(inner), MSG_NO_RECORD_EN, "patient-abc");
	snprintf(want, sizeof(want), MSG_HAS_NO_EFFECT_CANNOT_CHANGED_EN,
		 "patient-1", inner);
	assert_string_equal(node_reason_text(&r, NODE_LANG_EN, out, 1024),
			    want);
	snprintf(inner, sizeof(inner), MSG_NO_RECORD_ZH, "patient-abc");
	snprintf(want, sizeof(want), MSG_HAS_NO_EFFECT_CANNOT_CHANGED_ZH,
		 "patient-1", inner);
	assert_string_equal(node_reason_text(&r, NODE_LANG_ZH, out, 1024),
			    want);

	/* A refusal of a write, then a field named after it. */
	NODE_REASON(&r, MSG_NO_RECORD, "x");
	NODE_REASON_WRAP(&r, MSG_REFUSED_TEXT, NODE_REASON_INNER);
	NODE_REASON_TAIL(&r, MSG_FIELD, "patient");
	char a[256], b[512];
	snprintf(a, sizeof(a), MSG_NO_RECORD_EN, "x");
	snprintf(b, sizeof(b), MSG_REFUSED_TEXT_EN, a);
	snprintf(want, sizeof(want), "%s" MSG_FIELD_EN, b, "patient");
	assert_string_equal(node_reason_text(&r, NODE_LANG_EN, out, 1024),
			    want);
	snprintf(a, sizeof(a), MSG_NO_RECORD_ZH, "x");
	snprintf(b, sizeof(b), MSG_REFUSED_TEXT_ZH, a);
	snprintf(want, sizeof(want), "%s" MSG_FIELD_ZH, b, "patient");
	assert_string_equal(node_reason_text(&r, NODE_LANG_ZH, out, 1024),
			    want);

	/* A long argument (a list of candidates) is kept whole. */
	char cands[600];
	memset(cands, 'c', sizeof(cands) - 1);
	cands[sizeof(cands) - 1] = 0;
	NODE_REASON_LONG(&r, MSG_AMBIGUOUS, "abcdef", cands);
	snprintf(want, sizeof(want), MSG_AMBIGUOUS_EN, "abcdef", cands);
	assert_string_equal(node_reason_text(&r, NODE_LANG_EN, out, 1024),
			    want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_from_errno),
	    cmocka_unit_test(test_answer),
	    cmocka_unit_test(test_wrap_and_tail),
	    cmocka_unit_test_setup_teardown(test_einval, nodes_setup,
					    nodes_teardown),
	    cmocka_unit_test_setup_teardown(test_enoent, nodes_setup,
					    nodes_teardown),
	    cmocka_unit_test_setup_teardown(test_enotconn, nodes_setup,
					    nodes_teardown),
	    cmocka_unit_test_setup_teardown(test_ebusy, nodes_setup,
					    nodes_teardown),
	    cmocka_unit_test_setup_teardown(test_eio, nodes_setup,
					    nodes_teardown),
	    cmocka_unit_test_setup_teardown(test_serve_language, nodes_setup,
					    nodes_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
