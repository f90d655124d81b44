/*
 * test_registers.c: issue 12's registers and write-time rules below the
 * CLI: the future-date judge and its field list, the roles named in
 * refusals, the per-file row keys, and guardian matching through the
 * local API (patient and id_number, else name; a stored guardian with
 * another id_number is not the one; two are ambiguous), and a matched
 * row's scope cell.
 */
#define _XOPEN_SOURCE 700
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
#include "node/api/api_match.h"
#include "node/api/api_rules.h"
#include "node/api/node.h"
#include "node/api/node_int.h"
#include "node/ledger/schema.h"

/* ---- the rules' pure parts ---- */

static bool ahead(const char *date, const char *today)
{
	return node_rules_date_ahead(date, strlen(date), today);
}

static void test_date_ahead(void **state)
{
	(void)state;
	/* Today and tomorrow are fine; the day after is ahead. */
	assert_false(ahead("2026-02-27", "2026-02-27"));
	assert_false(ahead("2026-02-28", "2026-02-27"));
	assert_true(ahead("2026-03-01", "2026-02-27"));
	/* Across a leap day, a month end and a year end. */
	assert_false(ahead("2024-02-29", "2024-02-28"));
	assert_true(ahead("2024-03-01", "2024-02-28"));
	assert_false(ahead("2027-01-01", "2026-12-31"));
	assert_true(ahead("2027-01-02", "2026-12-31"));
	assert_true(ahead("2027-12-05", "2026-12-05"));
	/* The past, and what is no date, are not ahead. */
	assert_false(ahead("1949-10-01", "2026-12-05"));
	assert_false(ahead("2026-13-01", "2026-12-05"));
	assert_false(ahead("tomorrow", "2026-12-05"));
	assert_false(node_rules_date_ahead("2030-01-01x", 10, "bad"));
	/* A value is bytes, not a string: digits after it are not its. */
	assert_false(node_rules_date_ahead("2026-05-10123", 10, "2026-12-05"));
	assert_true(node_rules_date_ahead("2027-05-10000", 10, "2026-12-05"));
}

static void test_past_date_fields(void **state)
{
	(void)state;
	assert_true(node_rules_past_date("followup", "date"));
	assert_true(node_rules_past_date("patient", "registered_on"));
	assert_true(node_rules_past_date("hospitalization", "admitted"));
	/* Planned dates may lie ahead. */
	assert_false(node_rules_past_date("followup", "next_visit"));
	assert_false(node_rules_past_date("agreement", "period_to"));
	assert_false(node_rules_past_date("guardian", "until"));
	/* Every listed field is a date of its type. */
	const char *const pairs[][2] = {{"followup", "date"},
					{"exam", "date"},
					{"transfer_accept", "accepted_on"}};
	for (size_t i = 0; i < 3; i++) {
		const struct node_type *t =
		    node_schema_type(pairs[i][0], strlen(pairs[i][0]));
		assert_non_null(t);
		const struct node_field *f =
		    node_schema_field(t, pairs[i][1], strlen(pairs[i][1]));
		assert_non_null(f);
		assert_int_equal(f->kind, NODE_FIELD_DATE);
	}
}

static void test_roles_text(void **state)
{
	(void)state;
	char out[256];
	unsigned mask =
	    NODE_ROLE_BIT(NODE_ROLE_HEALTH) | NODE_ROLE_BIT(NODE_ROLE_TOWNSHIP);
	node_rules_roles(mask, false, out, sizeof(out));
	assert_string_equal(out, "health, township");
	node_rules_roles(mask, true, out, sizeof(out));
	assert_string_equal(out, "卫生健康（health）、乡镇街道（township）");
	node_rules_roles(NODE_ROLE_BIT(NODE_ROLE_POLICE), false, out,
			 sizeof(out));
	assert_string_equal(out, "police");
	/* A short buffer stays terminated. */
	node_rules_roles(mask, false, out, 8);
	assert_true(strlen(out) < 8);
}

static void test_seen_keys(void **state)
{
	(void)state;
	struct node_match_seen *s = node_match_seen_new();
	size_t first = 0;
	const char *a[] = {"patient_no=1", "", "id_number=X"};
	assert_int_equal(node_match_seen_check(s, a, 3, 2, &first), 0);
	/* Either key again is the row of line 2. */
	const char *b[] = {"", "id_number=X"};
	assert_int_equal(node_match_seen_check(s, b, 2, 7, &first), 1);
	assert_int_equal(first, 2);
	const char *c[] = {"patient_no=1"};
	assert_int_equal(node_match_seen_check(s, c, 1, 8, &first), 1);
	/* Empty keys never meet. */
	const char *e[] = {"", NULL};
	assert_int_equal(node_match_seen_check(s, e, 2, 9, &first), 0);
	assert_int_equal(node_match_seen_check(s, e, 2, 10, &first), 0);
	/* Many keys (the table grows), each found at its own line. */
	char k[32];
	for (size_t i = 0; i < 5000; i++) {
		snprintf(k, sizeof(k), "k%zu", i);
		const char *one[] = {k};
		assert_int_equal(
		    node_match_seen_check(s, one, 1, 100 + i, &first), 0);
	}
	for (size_t i = 0; i < 5000; i += 499) {
		snprintf(k, sizeof(k), "k%zu", i);
		const char *one[] = {k};
		assert_int_equal(
		    node_match_seen_check(s, one, 1, 99999, &first), 1);
		assert_int_equal(first, 100 + i);
	}
	/* A new pass forgets. */
	node_match_seen_reset(s);
	assert_int_equal(node_match_seen_check(s, c, 1, 3, &first), 0);
	node_match_seen_free(s);
}

/* ---- guardian matching through the local API ---- */

struct one {
	char root[64], dir[NODE_PATH_MAX];
	struct node_ctx *n;
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int one_setup(void **state)
{
	struct one *o = calloc(1, sizeof(*o));
	assert_non_null(o);
	snprintf(o->root, sizeof(o->root), "/tmp/ward-test-reg-XXXXXX");
	assert_non_null(mkdtemp(o->root));
	snprintf(o->dir, sizeof(o->dir), "%s/h", o->root);
	char msg[2048], roster[NODE_PATH_MAX + 16];
	struct node_init_opts io = {.dir = o->dir,
				    .role = "health",
				    .name = "health",
				    .scope = "120116",
				    .listen = "127.0.0.1:17501"};
	assert_int_equal(node_init(&io, msg, sizeof(msg)), NODE_EXIT_OK);
	snprintf(roster, sizeof(roster), "%s/roster", o->root);
	assert_int_equal(node_network_create(o->dir, NULL, 0, roster, false,
					     msg, sizeof(msg)),
			 NODE_EXIT_OK);
	assert_int_equal(node_ctx_open(o->dir, &o->n, msg, sizeof(msg)),
			 NODE_EXIT_OK);
	o->n->peer_uid = (int64_t)getuid();
	*state = o;
	return 0;
}

static int one_teardown(void **state)
{
	struct one *o = *state;
	node_ctx_close(o->n);
	nftw(o->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(o);
	return 0;
}

static struct node_doc *serve(struct node_ctx *n, struct node_doc *req)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_uint(&b, 1);
	node_doc_encode(req, &b);
	node_doc_free(req);
	struct node_doc *resp = node_serve(n, b.data, b.len);
	crdt_buf_fini(&b);
	assert_non_null(resp);
	return resp;
}

/* Imports csv as type (match: --match or NULL); the answer (owned). */
static struct node_doc *import(struct one *o, const char *type,
			       const char *match, const char *csv)
{
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/in.csv", o->root);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs(csv, f);
	assert_int_equal(fclose(f), 0);
	struct node_doc *req = node_doc_object();
	node_doc_set(req, "cmd", node_doc_str("import_records"));
	node_doc_set(req, "path", node_doc_str(path));
	node_doc_set(req, "format", node_doc_str("csv"));
	node_doc_set(req, "type", node_doc_str(type));
	if (match)
		node_doc_set(req, "match", node_doc_str(match));
	return serve(o->n, req);
}

static const struct node_doc *result(const struct node_doc *resp)
{
	if (!node_doc_get_bool(resp, "ok", false))
		fprintf(stderr, "error: %s\n", node_doc_get_str(resp, "error"));
	assert_true(node_doc_get_bool(resp, "ok", false));
	return node_doc_get(resp, "result");
}

static void expect_counts(struct node_doc *resp, int64_t created,
			  int64_t updated, int64_t unchanged)
{
	const struct node_doc *r = result(resp);
	if (node_doc_get_int(r, "bad_count", 0)) {
		char *j = node_doc_to_json(r, false);
		fprintf(stderr, "%s\n", j);
		free(j);
	}
	assert_int_equal(node_doc_get_int(r, "bad_count", -1), 0);
	assert_int_equal(node_doc_get_int(r, "created", -1), created);
	assert_int_equal(node_doc_get_int(r, "updated", -1), updated);
	assert_int_equal(node_doc_get_int(r, "unchanged", -1), unchanged);
	node_doc_free(resp);
}

/* The first bad row's text (resp owned by the caller). */
static const char *first_bad(const struct node_doc *resp)
{
	const struct node_doc *bad = node_doc_get(result(resp), "bad");
	assert_true(node_doc_len(bad) >= 1);
	return node_doc_as_str(node_doc_at(bad, 0), NULL);
}

static void test_guardian_match(void **state)
{
	struct one *o = *state;
	expect_counts(import(o, "patient", NULL,
			     "scope,patient_no,name\n120116001,P1,张三\n"),
		      1, 0, 0);
	/* Created, then found again by patient and id_number. */
	const char *g = "patient,name,id_number,phone\n"
			"P1,张父,11010519491231002X,1\n";
	expect_counts(import(o, "guardian", NULL, g), 1, 0, 0);
	expect_counts(import(o, "guardian", NULL, g), 0, 0, 1);
	/* By name when the row has no id_number; the phone updates. */
	expect_counts(
	    import(o, "guardian", NULL, "patient,name,phone\nP1,张父,2\n"), 0,
	    1, 0);
	/* A namesake with another id_number is another guardian. */
	expect_counts(import(o, "guardian", NULL,
			     "patient,name,id_number\n"
			     "P1,张父,110105198001010016\n"),
		      1, 0, 0);
	/* Now a row by name alone cannot say which. */
	struct node_doc *resp =
	    import(o, "guardian", NULL, "patient,name,phone\nP1,张父,3\n");
	assert_non_null(strstr(first_bad(resp), "matches 2 guardian records"));
	node_doc_free(resp);
	/* --match id_number leaves the name out: the row creates. */
	expect_counts(import(o, "guardian", "id_number",
			     "patient,name,phone\nP1,张父,3\n"),
		      1, 0, 0);
	/* Modes a type does not take are refused. */
	resp = import(o, "guardian", "patient_no", "patient,name\nP1,x\n");
	assert_false(node_doc_get_bool(resp, "ok", true));
	assert_int_equal(node_doc_get_int(resp, "exit", 0), NODE_EXIT_USAGE);
	assert_non_null(
	    strstr(node_doc_get_str(resp, "error"), "--match patient_no"));
	node_doc_free(resp);
	/* A matching row whose scope cell names another scope. */
	resp = import(o, "patient", NULL,
		      "scope,patient_no,name\n120116002,P1,张三\n");
	assert_non_null(strstr(first_bad(resp), "whose scope is 120116001"));
	node_doc_free(resp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_date_ahead),
	    cmocka_unit_test(test_past_date_fields),
	    cmocka_unit_test(test_roles_text),
	    cmocka_unit_test(test_seen_keys),
	    cmocka_unit_test_setup_teardown(test_guardian_match, one_setup,
					    one_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
