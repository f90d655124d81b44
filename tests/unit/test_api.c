/*
 * test_api: the local API's write and read handlers (node/api.c,
 * node/api_csv.c), driven the way wardd drives them: a request document
 * encoded as [1, doc] and served by node_serve on a node_ctx opened over a
 * data directory that node_init, node_network_create and node_network_join
 * made. Two members: a health node over district 120116 (the network's
 * creator) and a township node over 120116001.
 *
 *  (a) add: fields read back by show; bad values, unknown fields, missing
 *      required fields; writes outside the node's role or jurisdiction
 *      refused with nothing written; set fields with several values and
 *      at the 256-item cap;
 *  (b) set: replace, clear, FIELD+=V and FIELD-=V, write-once fields;
 *      preds: a set resolves only the versions its node had seen;
 *  (c) import_records: good rows, a bad row named by line and field,
 *      --skip-bad, --dry-run, the header (labels, spaces, unknown
 *      columns, an empty file, short rows);
 *  (d) history: every op of a record in order, with writer, op, field,
 *      preds and effect, including an op a peer signed without effect;
 *  (e) status: the keys scripts read, with their types.
 */
/* nftw(3), to remove the temporary network. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "crdt/crdt.h"
#include "node/api/node.h"
#include "node/api/node_int.h"
#include "node/api/ops.h"

enum { HEALTH, TOWNSHIP, N_NODES };

#define DISTRICT "120116"
#define TOWN "120116001"
#define TOWN2 "120116002"

/* A resident id with a valid checksum (GB 11643's own example). */
#define ID_NUMBER "11010519491231002X"

struct net {
	char root[64];
	char dir[N_NODES][NODE_PATH_MAX];
	struct node_ctx *n[N_NODES];
};

/* ---- the network on disk ---- */

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void init_node(struct net *t, int who, const char *role,
		      const char *name, const char *scope, const char *listen)
{
	char msg[2048], root[sizeof(t->root)];
	memcpy(root, t->root, sizeof(root));
	snprintf(t->dir[who], sizeof(t->dir[who]), "%s/%s", root, name);
	struct node_init_opts o = {.dir = t->dir[who],
				   .role = role,
				   .name = name,
				   .scope = scope,
				   .listen = listen};
	int rc = node_init(&o, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "init %s: %s\n", name, msg);
	assert_int_equal(rc, NODE_EXIT_OK);
}

static int net_setup(void **state)
{
	struct net *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->root, sizeof(t->root), "/tmp/ward-test-api-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	init_node(t, HEALTH, "health", "health", DISTRICT, "127.0.0.1:17401");
	init_node(t, TOWNSHIP, "township", "township", TOWN, "127.0.0.1:17402");
	char msg[2048], pub[NODE_PATH_MAX + 16], roster[NODE_PATH_MAX];
	snprintf(pub, sizeof(pub), "%s/node.pub", t->dir[TOWNSHIP]);
	snprintf(roster, sizeof(roster), "%s/roster", t->root);
	const char *members[] = {pub};
	int rc = node_network_create(t->dir[HEALTH], members, 1, roster, false,
				     msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "network create: %s\n", msg);
	assert_int_equal(rc, NODE_EXIT_OK);
	rc = node_network_join(t->dir[TOWNSHIP], roster, false, msg,
			       sizeof(msg));
	if (rc)
		fprintf(stderr, "network join: %s\n", msg);
	assert_int_equal(rc, NODE_EXIT_OK);
	for (int i = 0; i < N_NODES; i++) {
		rc = node_ctx_open(t->dir[i], &t->n[i], msg, sizeof(msg));
		if (rc)
			fprintf(stderr, "open %s: %s\n", t->dir[i], msg);
		assert_int_equal(rc, NODE_EXIT_OK);
		t->n[i]->peer_uid = (int64_t)getuid();
	}
	*state = t;
	return 0;
}

static int net_teardown(void **state)
{
	struct net *t = *state;
	for (int i = 0; i < N_NODES; i++)
		node_ctx_close(t->n[i]);
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* ---- requests and answers ---- */

/* Serves req (taken) as wardd does: encoded, then node_serve. Returns the
 * answer (owned). */
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

static struct node_doc *request(const char *cmd)
{
	struct node_doc *req = node_doc_object();
	node_doc_set(req, "cmd", node_doc_str(cmd));
	return req;
}

/* "FIELD=VALUE" as the CLI sends it: [field, value], or with ops
 * [field, "=" | "+=" | "-=", value]. */
static struct node_doc *assignment(const char *word, bool ops)
{
	const char *eq = strchr(word, '=');
	assert_non_null(eq);
	const char *how = "=";
	size_t flen = (size_t)(eq - word);
	if (ops && flen > 1 && (eq[-1] == '+' || eq[-1] == '-')) {
		how = eq[-1] == '+' ? "+=" : "-=";
		flen--;
	}
	struct node_doc *d = node_doc_array();
	node_doc_push(d, node_doc_strn(word, flen));
	if (ops)
		node_doc_push(d, node_doc_str(how));
	node_doc_push(d, node_doc_str(eq + 1));
	return d;
}

static struct node_doc *add_req(const char *type, const char *scope,
				const char *const *fields)
{
	struct node_doc *req = request("add");
	node_doc_set(req, "type", node_doc_str(type));
	if (scope)
		node_doc_set(req, "scope", node_doc_str(scope));
	struct node_doc *f = node_doc_array();
	for (size_t i = 0; fields[i]; i++)
		node_doc_push(f, assignment(fields[i], false));
	node_doc_set(req, "fields", f);
	return req;
}

static struct node_doc *set_req(const char *id, const char *const *changes)
{
	struct node_doc *req = request("set");
	node_doc_set(req, "id", node_doc_str(id));
	struct node_doc *c = node_doc_array();
	for (size_t i = 0; changes[i]; i++)
		node_doc_push(c, assignment(changes[i], true));
	node_doc_set(req, "changes", c);
	return req;
}

static struct node_doc *id_req(const char *cmd, const char *id)
{
	struct node_doc *req = request(cmd);
	node_doc_set(req, "id", node_doc_str(id));
	return req;
}

#define ADD(n, type, scope, ...)                                               \
	serve(n, add_req(type, scope, (const char *const[]){__VA_ARGS__, NULL}))
#define SET(n, id, ...)                                                        \
	serve(n, set_req(id, (const char *const[]){__VA_ARGS__, NULL}))

/* Asserts resp succeeded with no exit code; returns its result (borrowed
 * from resp). */
static struct node_doc *ok_result(const struct node_doc *resp)
{
	if (!node_doc_get_bool(resp, "ok", false))
		fprintf(stderr, "unexpected error: %s\n",
			node_doc_get_str(resp, "error"));
	assert_true(node_doc_get_bool(resp, "ok", false));
	assert_int_equal(node_doc_get_int(resp, "exit", 0), 0);
	struct node_doc *r = node_doc_get(resp, "result");
	assert_non_null(r);
	return r;
}

/* Asserts resp (taken) failed with exit and a message holding each of
 * the NULL-terminated needles. */
static void expect_fail(struct node_doc *resp, int exit,
			const char *const *needles)
{
	const char *error = node_doc_get_str(resp, "error");
	if (node_doc_get_bool(resp, "ok", true) || !error) {
		char *json = node_doc_to_json(resp, false);
		fprintf(stderr, "expected a failure, got %s\n", json);
		free(json);
	}
	assert_false(node_doc_get_bool(resp, "ok", true));
	assert_non_null(error);
	assert_int_equal(node_doc_get_int(resp, "exit", -1), exit);
	for (size_t i = 0; needles[i]; i++) {
		if (!strstr(error, needles[i]))
			fprintf(stderr, "'%s' lacks '%s'\n", error, needles[i]);
		assert_non_null(strstr(error, needles[i]));
	}
	node_doc_free(resp);
}

#define FAILS(resp, exit, ...)                                                 \
	expect_fail(resp, exit, (const char *const[]){__VA_ARGS__, NULL})

/* Asserts resp (taken) succeeded, and frees it. */
static void ok_free(struct node_doc *resp)
{
	(void)ok_result(resp);
	node_doc_free(resp);
}

static int64_t entries(struct node_ctx *n)
{
	struct node_doc *resp = serve(n, request("status"));
	int64_t count = node_doc_get_int(ok_result(resp), "entries", -1);
	node_doc_free(resp);
	assert_true(count >= 0);
	return count;
}

/* A new record's "TYPE-hex" id into out (80 bytes). */
static void add_ok(struct node_ctx *n, struct node_doc *resp, char out[80])
{
	(void)n;
	const char *id = node_doc_get_str(ok_result(resp), "id");
	assert_non_null(id);
	snprintf(out, 80, "%s", id);
	node_doc_free(resp);
}

/* The show document of id (owned; its "fields" object). */
static struct node_doc *show(struct node_ctx *n, const char *id)
{
	struct node_doc *resp = serve(n, id_req("show", id));
	(void)ok_result(resp);
	return resp;
}

static const struct node_doc *field_of(const struct node_doc *shown,
				       const char *field)
{
	const struct node_doc *f = node_doc_get(
	    node_doc_get(node_doc_get(shown, "result"), "fields"), field);
	return f;
}

/* A register field's shown text, or NULL when unset. */
static const char *shown_str(const struct node_doc *shown, const char *field)
{
	const struct node_doc *f = field_of(shown, field);
	return f ? node_doc_get_str(f, "value") : NULL;
}

/* Whether a set field holds value. */
static bool set_has(const struct node_doc *shown, const char *field,
		    const char *value)
{
	const struct node_doc *f = field_of(shown, field);
	const struct node_doc *v = f ? node_doc_get(f, "value") : NULL;
	for (size_t i = 0; v && i < node_doc_len(v); i++)
		if (!strcmp(node_doc_as_str(node_doc_at(v, i), NULL), value))
			return true;
	return false;
}

static size_t set_len(const struct node_doc *shown, const char *field)
{
	const struct node_doc *f = field_of(shown, field);
	const struct node_doc *v = f ? node_doc_get(f, "value") : NULL;
	return v ? node_doc_len(v) : 0;
}

static void add_patient(struct node_ctx *n, const char *scope, const char *name,
			char id[80])
{
	char field[128];
	snprintf(field, sizeof(field), "name=%s", name);
	add_ok(n, ADD(n, "patient", scope, field, "registered_on=2024-01-05"),
	       id);
}

/* ---- (a) add ---- */

static void test_add_valid(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	struct node_doc *resp = ADD(
	    h, "patient", "120116001000" /* padded: normalised */, "name=张三",
	    "sex=male", "birth_date=1980-01-02", "id_number=" ID_NUMBER,
	    "diagnosis=schizophrenia", "registered_on=2024-01-05");
	const struct node_doc *r = ok_result(resp);
	const char *id = node_doc_get_str(r, "id");
	assert_non_null(id);
	assert_int_equal(strncmp(id, "patient-", 8), 0);
	assert_int_equal(strlen(id), 8 + 32);
	assert_string_equal(node_doc_get_str(r, "type"), "patient");
	assert_string_equal(node_doc_get_str(r, "scope"), TOWN);
	char rid[80];
	snprintf(rid, sizeof(rid), "%s", id);
	node_doc_free(resp);
	assert_int_equal(entries(h), before + 1);

	/* Read back by show, with the prefix an operator types. */
	char prefix[16];
	snprintf(prefix, sizeof(prefix), "%.10s", rid + 8);
	struct node_doc *s = show(h, prefix);
	assert_string_equal(node_doc_get_str(node_doc_get(s, "result"), "id"),
			    rid);
	assert_string_equal(shown_str(s, "name"), "张三");
	assert_string_equal(shown_str(s, "sex"), "male");
	assert_string_equal(shown_str(s, "birth_date"), "1980-01-02");
	assert_string_equal(shown_str(s, "id_number"), ID_NUMBER);
	assert_string_equal(shown_str(s, "diagnosis"), "schizophrenia");
	assert_null(field_of(s, "phone"));
	const struct node_doc *name = field_of(s, "name");
	assert_string_equal(node_doc_get_str(name, "by_name"), "health");
	assert_string_equal(node_doc_get_str(name, "by_role"), "health");
	assert_int_equal(node_doc_len(node_doc_get(name, "versions")), 1);
	assert_null(node_doc_get(name, "conflict"));
	const struct node_doc *created =
	    node_doc_get(node_doc_get(s, "result"), "created");
	assert_string_equal(node_doc_get_str(created, "by_role"), "health");
	node_doc_free(s);

	/* A record about the patient takes the patient's scope. */
	char fu[80], ref[128];
	snprintf(ref, sizeof(ref), "patient=%s", prefix);
	s = ADD(h, "followup", NULL, ref, "date=2024-02-01");
	r = ok_result(s);
	assert_string_equal(node_doc_get_str(r, "scope"), TOWN);
	assert_string_equal(
	    node_doc_get_str(node_doc_get(node_doc_get(r, "fields"), "patient"),
			     "value"),
	    rid);
	snprintf(fu, sizeof(fu), "%s", node_doc_get_str(r, "id"));
	node_doc_free(s);
	assert_int_equal(strncmp(fu, "followup-", 9), 0);
	FAILS(ADD(h, "followup", TOWN2, ref, "date=2024-02-01"),
	      NODE_EXIT_USAGE, "take the patient's scope " TOWN ", not " TOWN2);
	assert_int_equal(entries(h), before + 2);
}

static void test_add_bad_value(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	FAILS(ADD(h, "patient", TOWN, "name=张三", "sex=unknown"),
	      NODE_EXIT_USAGE, "sex", "unknown");
	FAILS(ADD(h, "patient", TOWN, "name=张三", "birth_date=1980-13-45"),
	      NODE_EXIT_USAGE, "birth_date");
	FAILS(ADD(h, "patient", TOWN, "name=张三",
		  "id_number=110105194912310021"),
	      NODE_EXIT_USAGE, "id_number");
	FAILS(ADD(h, "patient", TOWN, "name=张三", "disability_grade=7"),
	      NODE_EXIT_USAGE, "disability_grade");
	FAILS(ADD(h, "patient", TOWN, "name=张三", "special=floating|bogus"),
	      NODE_EXIT_USAGE, "special", "bogus");
	/* Required field, scope, and a field given twice. */
	FAILS(ADD(h, "patient", TOWN, "sex=male"), NODE_EXIT_USAGE,
	      "patient needs name=");
	FAILS(ADD(h, "patient", NULL, "name=张三"), NODE_EXIT_USAGE,
	      "scope=CODE");
	FAILS(ADD(h, "patient", "1201161", "name=张三"), NODE_EXIT_USAGE,
	      "scope=1201161 is not a region code");
	FAILS(ADD(h, "patient", TOWN, "name=张三", "name=李四"),
	      NODE_EXIT_USAGE, "field name given twice");
	/* A reference to no record, and to a record of another type. */
	FAILS(ADD(h, "followup", NULL, "patient=abcdef0123", "date=2024-02-01"),
	      NODE_EXIT_NOT_FOUND, "no record abcdef0123");
	assert_int_equal(entries(h), before);
}

static void test_add_unknown_field(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	FAILS(ADD(h, "patient", TOWN, "name=张三", "shoe_size=42"),
	      NODE_EXIT_USAGE, "patient has no field 'shoe_size'");
	FAILS(ADD(h, "pet", TOWN, "name=Rex"), NODE_EXIT_USAGE,
	      "unknown record type 'pet'", "patient");
	FAILS(serve(h, request("no_such_cmd")), NODE_EXIT_USAGE,
	      "unknown request 'no_such_cmd'");
	assert_int_equal(entries(h), before);
}

static void test_add_outside_role_or_scope(void **state)
{
	struct net *t = *state;
	struct node_ctx *tw = t->n[TOWNSHIP], *h = t->n[HEALTH];
	char p[80];
	add_patient(tw, TOWN, "王五", p);
	int64_t before = entries(tw), h_before = entries(h);
	/* Jurisdiction: a sibling township, and the district above. */
	FAILS(ADD(tw, "patient", TOWN2, "name=张三"), NODE_EXIT_USAGE,
	      "refused, nothing written", "outside", "jurisdiction " TOWN);
	FAILS(ADD(tw, "patient", DISTRICT, "name=张三"), NODE_EXIT_USAGE,
	      "refused, nothing written", "outside");
	/* Role: a type township may not create, a field it may not write. */
	char ref[128];
	snprintf(ref, sizeof(ref), "patient=%s", p);
	FAILS(ADD(tw, "exam", NULL, ref, "date=2024-03-01"), NODE_EXIT_USAGE,
	      "refused, nothing written", "role township may not create exam");
	FAILS(ADD(tw, "patient", TOWN, "name=张三", "diagnosis=bipolar"),
	      NODE_EXIT_USAGE, "refused, nothing written",
	      "role township may not write patient.diagnosis");
	/* The same in the operator's language. */
	struct node_doc *req = add_req(
	    "patient", TOWN,
	    (const char *const[]){"name=张三", "diagnosis=bipolar", NULL});
	node_doc_set(req, "lang", node_doc_str("zh"));
	FAILS(serve(tw, req), NODE_EXIT_USAGE, "已拒绝，未写入任何内容",
	      "角色 township 无权填写 patient.diagnosis");
	/* set is judged the same way. */
	FAILS(SET(tw, p, "diagnosis=bipolar"), NODE_EXIT_USAGE,
	      "refused, nothing written",
	      "role township may not write patient.diagnosis");
	assert_int_equal(entries(tw), before);
	assert_int_equal(entries(h), h_before);
}

static void test_add_set_values(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_ok(h,
	       ADD(h, "patient", TOWN, "name=张三",
		   "special=floating|lost_contact", "benefits=minimum_living"),
	       id);
	struct node_doc *s = show(h, id);
	assert_int_equal(set_len(s, "special"), 2);
	assert_true(set_has(s, "special", "floating"));
	assert_true(set_has(s, "special", "lost_contact"));
	assert_int_equal(set_len(s, "benefits"), 1);
	assert_true(set_has(s, "benefits", "minimum_living"));
	node_doc_free(s);
}

/* A set of n distinct visitor names "v1|v2|...|vn" (owned). */
static char *visitors(size_t n)
{
	size_t cap = n * 8 + 16, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	len += (size_t)snprintf(text, cap, "visitors=");
	for (size_t i = 1; i <= n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%sv%zu",
					i > 1 ? "|" : "", i);
	return text;
}

/* At the cap of 256 items every item is written. */
static void test_add_set_at_cap(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char p[80], ref[128], fu[80];
	add_patient(h, TOWN, "张三", p);
	snprintf(ref, sizeof(ref), "patient=%s", p);
	char *v = visitors(256);
	add_ok(h, ADD(h, "followup", NULL, ref, "date=2024-02-01", v), fu);
	free(v);
	struct node_doc *s = show(h, fu);
	assert_int_equal(set_len(s, "visitors"), 256);
	assert_true(set_has(s, "visitors", "v1"));
	assert_true(set_has(s, "visitors", "v256"));
	node_doc_free(s);
	/* One more is refused whole, naming the field and the cap; before,
	 * the 257th was dropped without a word. */
	int64_t before = entries(h);
	v = visitors(257);
	struct node_doc *resp =
	    ADD(h, "followup", NULL, ref, "date=2024-02-01", v);
	free(v);
	FAILS(resp, NODE_EXIT_USAGE, "visitors", "256");
	assert_int_equal(entries(h), before);
}

/* ---- (b) set ---- */

static void test_set_replace_clear(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_ok(h,
	       ADD(h, "patient", TOWN, "name=张三", "phone=13800000000",
		   "sex=male"),
	       id);
	int64_t before = entries(h);
	struct node_doc *resp = SET(h, id, "name=张三丰", "phone=");
	const struct node_doc *r = ok_result(resp);
	/* The answer is the record after the change. */
	const struct node_doc *name =
	    node_doc_get(node_doc_get(r, "fields"), "name");
	assert_string_equal(node_doc_get_str(name, "value"), "张三丰");
	node_doc_free(resp);
	assert_int_equal(entries(h), before + 1);
	struct node_doc *s = show(h, id);
	assert_string_equal(shown_str(s, "name"), "张三丰");
	assert_int_equal(
	    node_doc_len(node_doc_get(field_of(s, "name"), "versions")), 1);
	assert_null(shown_str(s, "phone"));		  /* cleared */
	assert_string_equal(shown_str(s, "sex"), "male"); /* untouched */
	node_doc_free(s);
	/* Nothing written for a bad value, an unknown field or no change. */
	FAILS(SET(h, id, "sex=other"), NODE_EXIT_USAGE, "sex");
	FAILS(SET(h, id, "height=170"), NODE_EXIT_USAGE,
	      "patient has no field 'height'");
	FAILS(serve(h, set_req(id, (const char *const[]){NULL})),
	      NODE_EXIT_USAGE, "nothing to change");
	FAILS(SET(h, "patient-ffffffffff", "name=x"), NODE_EXIT_NOT_FOUND,
	      "no record patient-ffffffffff");
	/* An exited patient needs an exit date. */
	FAILS(SET(h, id, "status=exited"), NODE_EXIT_USAGE,
	      "refused, nothing written", "exit_date is required");
	assert_int_equal(entries(h), before + 1);
}

static void test_set_set_ops(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_ok(h, ADD(h, "patient", TOWN, "name=张三", "special=floating"), id);
	struct node_doc *s;

	ok_free(SET(h, id, "special+=lost_contact"));
	s = show(h, id);
	assert_int_equal(set_len(s, "special"), 2);
	assert_true(set_has(s, "special", "floating"));
	assert_true(set_has(s, "special", "lost_contact"));
	node_doc_free(s);

	ok_free(SET(h, id, "special-=floating"));
	s = show(h, id);
	assert_int_equal(set_len(s, "special"), 1);
	assert_true(set_has(s, "special", "lost_contact"));
	node_doc_free(s);

	int64_t before = entries(h);
	FAILS(SET(h, id, "special-=floating"), NODE_EXIT_USAGE,
	      "special: 'floating' is not in the set; nothing to remove");
	FAILS(SET(h, id, "name+=x"), NODE_EXIT_USAGE,
	      "name holds one value: use name=VALUE");
	assert_int_equal(entries(h), before);

	/* = replaces the whole set; an empty value clears it. */
	ok_free(SET(h, id, "special=weak_guardianship|floating"));
	s = show(h, id);
	assert_int_equal(set_len(s, "special"), 2);
	assert_true(set_has(s, "special", "weak_guardianship"));
	assert_true(set_has(s, "special", "floating"));
	assert_false(set_has(s, "special", "lost_contact"));
	node_doc_free(s);
	ok_free(SET(h, id, "special="));
	s = show(h, id);
	assert_null(field_of(s, "special"));
	node_doc_free(s);
}

static void test_set_write_once(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char p1[80], p2[80], fu[80], ref[128];
	add_patient(h, TOWN, "张三", p1);
	add_patient(h, TOWN, "李四", p2);
	snprintf(ref, sizeof(ref), "patient=%s", p1);
	add_ok(h, ADD(h, "followup", NULL, ref, "date=2024-02-01"), fu);
	int64_t before = entries(h);
	snprintf(ref, sizeof(ref), "patient=%s", p2);
	FAILS(SET(h, fu, ref), NODE_EXIT_USAGE, "refused, nothing written",
	      "patient is write-once");
	snprintf(ref, sizeof(ref), "transferred_from=%s", p2);
	FAILS(SET(h, p1, ref), NODE_EXIT_USAGE, "refused, nothing written",
	      "transferred_from is write-once");
	assert_int_equal(entries(h), before);
	struct node_doc *s = show(h, fu);
	snprintf(ref, sizeof(ref), "%s", p1);
	assert_string_equal(shown_str(s, "patient"), ref);
	node_doc_free(s);
}

/* Copies every entry of from to to through export_entries and
 * import_entries; returns how many to applied. */
static int64_t sync_entries(struct net *t, int from, int to)
{
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/entries-%d-%d", t->root, from, to);
	struct node_doc *req = request("export_entries");
	node_doc_set(req, "path", node_doc_str(path));
	ok_free(serve(t->n[from], req));
	req = request("import_entries");
	node_doc_set(req, "path", node_doc_str(path));
	struct node_doc *resp = serve(t->n[to], req);
	const struct node_doc *r = ok_result(resp);
	assert_int_equal(node_doc_len(node_doc_get(r, "rejected")), 0);
	int64_t applied = node_doc_get_int(r, "applied", -1);
	node_doc_free(resp);
	unlink(path);
	return applied;
}

static size_t versions(const struct node_doc *shown, const char *field)
{
	return node_doc_len(node_doc_get(field_of(shown, field), "versions"));
}

/* Two nodes set one register apart: both versions stay (a conflict). A
 * set that had seen only its own node's version replaces only that one;
 * a set made after both were seen resolves the conflict. */
static void test_set_preds_concurrent(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH], *tw = t->n[TOWNSHIP];
	char id[80];
	add_patient(h, TOWN, "张三", id);
	assert_int_equal(sync_entries(t, HEALTH, TOWNSHIP), 1);

	/* Apart: each replaces the version it saw. */
	ok_free(SET(tw, id, "name=李四"));
	ok_free(SET(h, id, "name=王五"));
	assert_int_equal(sync_entries(t, TOWNSHIP, HEALTH), 1);
	struct node_doc *s = show(h, id);
	assert_int_equal(versions(s, "name"), 2);
	const struct node_doc *conf =
	    node_doc_get(field_of(s, "name"), "conflict");
	assert_non_null(conf);
	assert_int_equal(node_doc_len(conf), 2);
	node_doc_free(s);

	/* The township, not yet shown the health node's 王五, sets again:
	 * its set replaces 李四 (the version it saw) but not 王五. */
	ok_free(SET(tw, id, "name=孙七"));
	assert_int_equal(sync_entries(t, TOWNSHIP, HEALTH), 1);
	s = show(h, id);
	assert_int_equal(versions(s, "name"), 2);
	bool saw_wang = false, saw_sun = false, saw_li = false;
	conf = node_doc_get(field_of(s, "name"), "conflict");
	for (size_t i = 0; i < node_doc_len(conf); i++) {
		const char *v = node_doc_as_str(node_doc_at(conf, i), NULL);
		saw_wang |= !strcmp(v, "王五");
		saw_sun |= !strcmp(v, "孙七");
		saw_li |= !strcmp(v, "李四");
	}
	assert_true(saw_wang && saw_sun && !saw_li);
	node_doc_free(s);

	/* The health node has seen both: its set resolves the conflict. */
	ok_free(SET(h, id, "name=张三"));
	s = show(h, id);
	assert_int_equal(versions(s, "name"), 1);
	assert_null(node_doc_get(field_of(s, "name"), "conflict"));
	assert_string_equal(shown_str(s, "name"), "张三");
	node_doc_free(s);
	/* And on the township once it has the entries. */
	assert_int_equal(sync_entries(t, HEALTH, TOWNSHIP), 2);
	s = show(tw, id);
	assert_int_equal(versions(s, "name"), 1);
	assert_string_equal(shown_str(s, "name"), "张三");
	node_doc_free(s);
}

/* ---- (c) import_records ---- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* Imports csv text as type into n; returns the answer (owned). */
static struct node_doc *import_csv(struct net *t, struct node_ctx *n,
				   const char *type, const char *csv,
				   bool skip_bad, bool dry_run)
{
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/import.csv", t->root);
	write_text(path, csv);
	struct node_doc *req = request("import_records");
	node_doc_set(req, "path", node_doc_str(path));
	node_doc_set(req, "format", node_doc_str("csv"));
	node_doc_set(req, "type", node_doc_str(type));
	node_doc_set(req, "skip_bad", node_doc_bool(skip_bad));
	node_doc_set(req, "dry_run", node_doc_bool(dry_run));
	return serve(n, req);
}

static int64_t count_records(struct node_ctx *n, const char *type)
{
	struct node_doc *req = request("list");
	node_doc_set(req, "type", node_doc_str(type));
	node_doc_set(req, "filters", node_doc_array());
	struct node_doc *resp = serve(n, req);
	const struct node_doc *r = ok_result(resp);
	assert_int_equal(node_doc_kind(r), NODE_DOC_ARRAY);
	int64_t count = (int64_t)node_doc_len(r);
	node_doc_free(resp);
	return count;
}

static void test_import_good_rows(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	struct node_doc *resp =
	    import_csv(t, h, "patient",
		       "name,sex,scope,special,registered_on\n"
		       "张三,male," TOWN ",floating|lost_contact,2024-01-05\n"
		       "李四,female," TOWN2 ",,2024-01-06\n",
		       false, false);
	const struct node_doc *r = ok_result(resp);
	assert_string_equal(node_doc_get_str(r, "type"), "patient");
	assert_int_equal(node_doc_get_int(r, "rows", -1), 2);
	assert_int_equal(node_doc_get_int(r, "bad_count", -1), 0);
	assert_int_equal(node_doc_len(node_doc_get(r, "bad")), 0);
	assert_true(node_doc_get_bool(r, "written", false));
	assert_false(node_doc_get_bool(r, "dry_run", true));
	assert_int_equal(node_doc_get_int(r, "created", -1), 2);
	assert_int_equal(node_doc_get_int(r, "updated", -1), 0);
	/* One entry per scope. */
	assert_int_equal(node_doc_get_int(r, "entries", -1), 2);
	node_doc_free(resp);
	assert_int_equal(entries(h), before + 2);
	assert_int_equal(count_records(h, "patient"), 2);
	/* Each row's cells, as show reads them back. */
	struct node_doc *req = request("list");
	node_doc_set(req, "type", node_doc_str("patient"));
	node_doc_set(req, "filters", node_doc_array());
	resp = serve(h, req);
	r = ok_result(resp);
	int seen = 0;
	for (size_t i = 0; i < node_doc_len(r); i++) {
		struct node_doc *s =
		    show(h, node_doc_get_str(node_doc_at(r, i), "id"));
		const char *name = shown_str(s, "name");
		if (!strcmp(name, "张三")) {
			seen |= 1;
			assert_string_equal(shown_str(s, "sex"), "male");
			assert_string_equal(
			    node_doc_get_str(node_doc_get(s, "result"),
					     "scope"),
			    TOWN);
			assert_int_equal(set_len(s, "special"), 2);
			assert_true(set_has(s, "special", "floating"));
			assert_true(set_has(s, "special", "lost_contact"));
		} else {
			assert_string_equal(name, "李四");
			seen |= 2;
			assert_string_equal(
			    node_doc_get_str(node_doc_get(s, "result"),
					     "scope"),
			    TOWN2);
			assert_string_equal(shown_str(s, "registered_on"),
					    "2024-01-06");
			assert_null(field_of(s, "special"));
		}
		node_doc_free(s);
	}
	assert_int_equal(seen, 3);
	node_doc_free(resp);

	/* Export, then import the export unchanged: every row unchanged;
	 * with one cell changed, that row is updated. */
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/export.csv", t->root);
	req = request("export_records");
	node_doc_set(req, "path", node_doc_str(path));
	node_doc_set(req, "format", node_doc_str("csv"));
	node_doc_set(req, "type", node_doc_str("patient"));
	ok_free(serve(h, req));
	req = request("import_records");
	node_doc_set(req, "path", node_doc_str(path));
	node_doc_set(req, "format", node_doc_str("csv"));
	node_doc_set(req, "type", node_doc_str("patient"));
	resp = serve(h, req);
	r = ok_result(resp);
	assert_int_equal(node_doc_get_int(r, "unchanged", -1), 2);
	assert_int_equal(node_doc_get_int(r, "created", -1), 0);
	assert_int_equal(node_doc_get_int(r, "entries", -1), 0);
	node_doc_free(resp);
	assert_int_equal(entries(h), before + 2);
}

static void test_import_bad_row(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	const char *csv = "name,sex,scope\n"
			  "张三,male," TOWN "\n"
			  "李四,robot," TOWN "\n"
			  "王五,female," TOWN "\n"
			  ",male," TOWN "\n";
	struct node_doc *resp = import_csv(t, h, "patient", csv, false, false);
	/* A result with exit 2: the bad rows, and nothing written. */
	assert_true(node_doc_get_bool(resp, "ok", false));
	assert_int_equal(node_doc_get_int(resp, "exit", 0), NODE_EXIT_USAGE);
	const struct node_doc *r = node_doc_get(resp, "result");
	assert_int_equal(node_doc_get_int(r, "rows", -1), 4);
	assert_int_equal(node_doc_get_int(r, "bad_count", -1), 2);
	assert_false(node_doc_get_bool(r, "written", true));
	const struct node_doc *bad = node_doc_get(r, "bad");
	assert_int_equal(node_doc_len(bad), 2);
	const char *b0 = node_doc_as_str(node_doc_at(bad, 0), NULL);
	const char *b1 = node_doc_as_str(node_doc_at(bad, 1), NULL);
	assert_int_equal(strncmp(b0, "line 3: ", 8), 0);
	assert_non_null(strstr(b0, "sex"));
	assert_non_null(strstr(b0, "robot"));
	assert_int_equal(strncmp(b1, "line 5: ", 8), 0);
	assert_non_null(strstr(b1, "patient needs name"));
	assert_int_equal(node_doc_get_int(r, "created", -1), 0);
	node_doc_free(resp);
	assert_int_equal(entries(h), before);

	/* --skip-bad writes the good rows and still lists the bad. */
	resp = import_csv(t, h, "patient", csv, true, false);
	assert_true(node_doc_get_bool(resp, "ok", false));
	assert_int_equal(node_doc_get_int(resp, "exit", 0), 0);
	r = node_doc_get(resp, "result");
	assert_int_equal(node_doc_get_int(r, "bad_count", -1), 2);
	assert_true(node_doc_get_bool(r, "written", false));
	assert_int_equal(node_doc_get_int(r, "created", -1), 2);
	node_doc_free(resp);
	assert_int_equal(entries(h), before + 1);
	assert_int_equal(count_records(h, "patient"), 2);

	/* Rows a node may not write: out of scope, a field of another
	 * role's, more set values than a cell may hold. */
	struct node_ctx *tw = t->n[TOWNSHIP];
	int64_t tw_before = entries(tw);
	char many[4096] = "name,scope,special\n张三," TOWN ",";
	for (int i = 0; i < NODE_OPS_MAX_ELEMS + 1; i++)
		strcat(many, i ? "|floating" : "floating");
	strcat(many, "\n李四," TOWN2 ",\n");
	resp = import_csv(t, tw, "patient", many, false, false);
	r = node_doc_get(resp, "result");
	assert_int_equal(node_doc_get_int(resp, "exit", 0), NODE_EXIT_USAGE);
	bad = node_doc_get(r, "bad");
	assert_int_equal(node_doc_len(bad), 2);
	b0 = node_doc_as_str(node_doc_at(bad, 0), NULL);
	b1 = node_doc_as_str(node_doc_at(bad, 1), NULL);
	assert_string_equal(b0,
			    "line 2: special takes at most 256 values at once");
	assert_int_equal(strncmp(b1, "line 3: ", 8), 0);
	assert_non_null(strstr(b1, "outside this node's jurisdiction"));
	node_doc_free(resp);
	resp = import_csv(t, tw, "patient",
			  "name,scope,diagnosis\n张三," TOWN ",bipolar\n",
			  false, false);
	bad = node_doc_get(node_doc_get(resp, "result"), "bad");
	assert_string_equal(node_doc_as_str(node_doc_at(bad, 0), NULL),
			    "line 2: role township may not write "
			    "patient.diagnosis; it is written by health");
	node_doc_free(resp);
	assert_int_equal(entries(tw), tw_before);
}

static void test_import_dry_run(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	const char *good = "name,scope\n张三," TOWN "\n李四," TOWN "\n";
	struct node_doc *resp = import_csv(t, h, "patient", good, false, true);
	const struct node_doc *r = ok_result(resp);
	assert_true(node_doc_get_bool(r, "dry_run", false));
	assert_false(node_doc_get_bool(r, "written", true));
	assert_int_equal(node_doc_get_int(r, "rows", -1), 2);
	assert_int_equal(node_doc_get_int(r, "bad_count", -1), 0);
	assert_int_equal(node_doc_get_int(r, "entries", -1), 0);
	node_doc_free(resp);
	/* A dry run with bad rows lists them, exit 2; with --skip-bad too. */
	resp = import_csv(t, h, "patient", "name,sex,scope\n张三,x," TOWN "\n",
			  true, true);
	assert_int_equal(node_doc_get_int(resp, "exit", 0), NODE_EXIT_USAGE);
	r = node_doc_get(resp, "result");
	assert_int_equal(node_doc_get_int(r, "bad_count", -1), 1);
	assert_false(node_doc_get_bool(r, "written", true));
	node_doc_free(resp);
	assert_int_equal(entries(h), before);
	assert_int_equal(count_records(h, "patient"), 0);
}

static void test_import_header(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	/* Chinese labels, spaces around names, a BOM, CRLF line ends. */
	struct node_doc *resp =
	    import_csv(t, h, "patient",
		       "\xef\xbb\xbf 姓名 ,辖区, sex\r\n张三," TOWN ",male\r\n",
		       false, false);
	const struct node_doc *r = ok_result(resp);
	assert_int_equal(node_doc_get_int(r, "created", -1), 1);
	node_doc_free(resp);
	assert_int_equal(entries(h), before + 1);

	/* An unknown column refuses the whole file. */
	FAILS(import_csv(t, h, "patient", "name,scope,shoe\n张三," TOWN ",42\n",
			 true, false),
	      NODE_EXIT_USAGE, "column 'shoe' is no field of patient",
	      "nothing imported");
	FAILS(import_csv(t, h, "patient", "", false, false), NODE_EXIT_USAGE,
	      "is empty (no header)");
	assert_int_equal(entries(h), before + 1);
}

static void test_import_row_shape(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	int64_t before = entries(h);
	struct node_doc *resp = import_csv(t, h, "patient",
					   "name,scope\n"
					   "张三\n"
					   "\"李四," TOWN "\n",
					   false, false);
	assert_int_equal(node_doc_get_int(resp, "exit", 0), NODE_EXIT_USAGE);
	const struct node_doc *bad =
	    node_doc_get(node_doc_get(resp, "result"), "bad");
	assert_int_equal(node_doc_len(bad), 2);
	assert_string_equal(node_doc_as_str(node_doc_at(bad, 0), NULL),
			    "line 2: 1 cells, the header has 2");
	assert_non_null(strstr(node_doc_as_str(node_doc_at(bad, 1), NULL),
			       "a quoted cell is not closed"));
	node_doc_free(resp);
	/* A field in two columns: every row is bad. */
	resp =
	    import_csv(t, h, "patient", "name,name\n张三,李四\n", false, false);
	assert_int_equal(node_doc_get_int(resp, "exit", 0), NODE_EXIT_USAGE);
	bad = node_doc_get(node_doc_get(resp, "result"), "bad");
	assert_string_equal(node_doc_as_str(node_doc_at(bad, 0), NULL),
			    "line 2: name given twice");
	node_doc_free(resp);
	assert_int_equal(entries(h), before);
}

/* ---- (d) history ---- */

static const struct node_doc *hist_at(const struct node_doc *hist, size_t i)
{
	return node_doc_at(hist, i);
}

static void expect_op(const struct node_doc *o, const char *op,
		      const char *field, const char *by_role, bool effect)
{
	assert_string_equal(node_doc_get_str(o, "op"), op);
	if (field)
		assert_string_equal(node_doc_get_str(o, "field"), field);
	else
		assert_int_equal(node_doc_kind(node_doc_get(o, "field")),
				 NODE_DOC_NULL);
	assert_string_equal(node_doc_get_str(o, "by_role"), by_role);
	assert_int_equal(node_doc_get_bool(o, "effect", !effect), effect);
}

/* An entry the township signs as a peer would, setting a field its role
 * may not write: valid to store, judged without effect. */
static void forge_township_set(struct net *t, const uint8_t entity[16],
			       const char *field, const char *value)
{
	uint8_t pk[32], *sk, net_id[32];
	assert_int_equal(node_identity_load(t->dir[TOWNSHIP], pk, &sk), 0);
	struct node_doc *resp = serve(t->n[HEALTH], request("status"));
	assert_int_equal(
	    node_unhex(node_doc_get_str(ok_result(resp), "net_id"), net_id, 32),
	    0);
	node_doc_free(resp);
	struct crdt_op op;
	memset(&op, 0, sizeof(op));
	op.code = CRDT_OP_SET;
	memcpy(op.entity, entity, 16);
	op.name = field;
	op.name_len = strlen(field);
	op.value = (struct crdt_value){.kind = CRDT_VALUE_STR,
				       .p = (const uint8_t *)value,
				       .len = strlen(value)};
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", TOWN);
	e.seq = 1;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	e.hlc =
	    ((uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u + 1)
	    << 16;
	e.roster_version = 1;
	e.n_ops = 1;
	e.ops = &op;
	struct crdt_buf body, wire;
	crdt_buf_init(&body);
	crdt_buf_init(&wire);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	crdt_entry_sign(sig, net_id, body.data, body.len, sk);
	crdt_entry_encode_wire(&wire, body.data, body.len, sig);
	sodium_free(sk);
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/forged", t->root);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(wire.data, 1, wire.len, f), wire.len);
	assert_int_equal(fclose(f), 0);
	crdt_buf_fini(&body);
	crdt_buf_fini(&wire);
	struct node_doc *req = request("import_entries");
	node_doc_set(req, "path", node_doc_str(path));
	resp = serve(t->n[HEALTH], req);
	assert_int_equal(node_doc_get_int(ok_result(resp), "applied", -1), 1);
	node_doc_free(resp);
}

static void test_history(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_ok(h, ADD(h, "patient", TOWN, "name=张三", "special=floating"), id);
	ok_free(SET(h, id, "name=李四"));
	ok_free(SET(h, id, "special-=floating"));
	uint8_t entity[16];
	assert_int_equal(node_unhex(id + 8, entity, 16), 0);
	forge_township_set(t, entity, "diagnosis", "bipolar");

	struct node_doc *resp = serve(h, id_req("history", id));
	const struct node_doc *hist = ok_result(resp);
	assert_int_equal(node_doc_kind(hist), NODE_DOC_ARRAY);
	assert_int_equal(node_doc_len(hist), 6);
	expect_op(hist_at(hist, 0), "create", NULL, "health", true);
	assert_string_equal(node_doc_get_str(hist_at(hist, 0), "value"),
			    "patient");
	expect_op(hist_at(hist, 1), "set", "name", "health", true);
	assert_string_equal(node_doc_get_str(hist_at(hist, 1), "value"),
			    "张三");
	assert_int_equal(node_doc_len(node_doc_get(hist_at(hist, 1), "pred")),
			 0);
	expect_op(hist_at(hist, 2), "add", "special", "health", true);
	assert_string_equal(node_doc_get_str(hist_at(hist, 2), "value"),
			    "floating");
	/* The second set names the first as its pred. */
	expect_op(hist_at(hist, 3), "set", "name", "health", true);
	assert_string_equal(node_doc_get_str(hist_at(hist, 3), "value"),
			    "李四");
	const struct node_doc *pred = node_doc_get(hist_at(hist, 3), "pred");
	assert_int_equal(node_doc_len(pred), 1);
	char dot[128];
	snprintf(dot, sizeof(dot), "%s/%lld/%lld",
		 node_doc_get_str(hist_at(hist, 1), "by"),
		 (long long)node_doc_get_int(hist_at(hist, 1), "seq", -1),
		 (long long)node_doc_get_int(hist_at(hist, 1), "index", -1));
	assert_string_equal(node_doc_as_str(node_doc_at(pred, 0), NULL), dot);
	expect_op(hist_at(hist, 4), "remove", "special", "health", true);
	assert_int_equal(
	    node_doc_len(node_doc_get(hist_at(hist, 4), "observed")), 1);
	/* The peer's op a township may not make: kept, without effect. */
	expect_op(hist_at(hist, 5), "set", "diagnosis", "township", false);
	assert_string_equal(node_doc_get_str(hist_at(hist, 5), "by_name"),
			    "township");
	assert_non_null(strstr(node_doc_get_str(hist_at(hist, 5), "why"),
			       "may not write patient.diagnosis"));
	/* In order: hlc never decreases, seqs of one feed rise. */
	for (size_t i = 1; i < node_doc_len(hist); i++) {
		unsigned long long a = strtoull(
		    node_doc_get_str(hist_at(hist, i - 1), "hlc"), NULL, 10);
		unsigned long long b = strtoull(
		    node_doc_get_str(hist_at(hist, i), "hlc"), NULL, 10);
		assert_true(a <= b);
		assert_non_null(node_doc_get_str(hist_at(hist, i), "at"));
	}
	node_doc_free(resp);
	/* The shown record did not take the op. */
	struct node_doc *s = show(h, id);
	assert_null(field_of(s, "diagnosis"));
	node_doc_free(s);
	FAILS(serve(h, id_req("history", "zz")), NODE_EXIT_USAGE,
	      "'zz' is not a record id");
}

/* ---- (e) status ---- */

static void expect_kind(const struct node_doc *d, const char *key,
			enum node_doc_kind kind)
{
	const struct node_doc *v = node_doc_get(d, key);
	if (!v)
		fprintf(stderr, "status lacks %s\n", key);
	assert_non_null(v);
	assert_int_equal(node_doc_kind(v), kind);
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

static void test_status(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_patient(h, TOWN, "张三", id);
	struct node_doc *resp = serve(h, request("status"));
	const struct node_doc *s = ok_result(resp);
	expect_kind(s, "node_id", NODE_DOC_STR);
	expect_kind(s, "name", NODE_DOC_STR);
	expect_kind(s, "role", NODE_DOC_STR);
	expect_kind(s, "scope", NODE_DOC_STR);
	expect_kind(s, "net_id", NODE_DOC_STR);
	expect_kind(s, "entries", NODE_DOC_INT);
	expect_kind(s, "digest", NODE_DOC_STR);
	expect_kind(s, "feeds", NODE_DOC_ARRAY);
	expect_kind(s, "proofs", NODE_DOC_ARRAY);
	expect_kind(s, "restored", NODE_DOC_BOOL);
	expect_kind(s, "clock_skew_entries", NODE_DOC_INT);
	expect_kind(s, "members", NODE_DOC_INT);
	expect_kind(s, "peers", NODE_DOC_ARRAY);
	char hex[65];
	node_hex(hex, h->pk, 32);
	assert_string_equal(node_doc_get_str(s, "node_id"), hex);
	assert_string_equal(node_doc_get_str(s, "name"), "health");
	assert_string_equal(node_doc_get_str(s, "role"), "health");
	assert_string_equal(node_doc_get_str(s, "scope"), DISTRICT);
	assert_true(is_hex(node_doc_get_str(s, "net_id"), 64));
	assert_true(is_hex(node_doc_get_str(s, "digest"), 64));
	assert_int_equal(node_doc_get_int(s, "entries", -1), 1);
	assert_int_equal(node_doc_get_int(s, "members", -1), 2);
	assert_int_equal(node_doc_get_int(s, "clock_skew_entries", -1), 0);
	assert_false(node_doc_get_bool(s, "restored", true));
	assert_int_equal(node_doc_len(node_doc_get(s, "proofs")), 0);
	const struct node_doc *feeds = node_doc_get(s, "feeds");
	assert_int_equal(node_doc_len(feeds), 1);
	const struct node_doc *f = node_doc_at(feeds, 0);
	assert_string_equal(node_doc_get_str(f, "author"), hex);
	assert_string_equal(node_doc_get_str(f, "scope"), TOWN);
	assert_int_equal(node_doc_get_int(f, "seq", -1), 1);
	assert_true(is_hex(node_doc_get_str(f, "head"), 64));
	const struct node_doc *peers = node_doc_get(s, "peers");
	assert_int_equal(node_doc_len(peers), 1);
	assert_string_equal(node_doc_get_str(node_doc_at(peers, 0), "name"),
			    "township");
	char digest[65], net_id[65];
	snprintf(digest, sizeof(digest), "%s", node_doc_get_str(s, "digest"));
	snprintf(net_id, sizeof(net_id), "%s", node_doc_get_str(s, "net_id"));
	node_doc_free(resp);

	/* The township: same network, own identity; digests agree once
	 * both hold the same entries. */
	resp = serve(t->n[TOWNSHIP], request("status"));
	s = ok_result(resp);
	assert_string_equal(node_doc_get_str(s, "net_id"), net_id);
	assert_string_equal(node_doc_get_str(s, "role"), "township");
	assert_string_equal(node_doc_get_str(s, "scope"), TOWN);
	assert_int_equal(node_doc_get_int(s, "entries", -1), 0);
	assert_string_not_equal(node_doc_get_str(s, "digest"), digest);
	node_doc_free(resp);
	assert_int_equal(sync_entries(t, HEALTH, TOWNSHIP), 1);
	resp = serve(t->n[TOWNSHIP], request("status"));
	assert_string_equal(node_doc_get_str(ok_result(resp), "digest"),
			    digest);
	node_doc_free(resp);
}

#define T(f) cmocka_unit_test_setup_teardown(f, net_setup, net_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_add_valid),
	    T(test_add_bad_value),
	    T(test_add_unknown_field),
	    T(test_add_outside_role_or_scope),
	    T(test_add_set_values),
	    T(test_add_set_at_cap),
	    T(test_set_replace_clear),
	    T(test_set_set_ops),
	    T(test_set_write_once),
	    T(test_set_preds_concurrent),
	    T(test_import_good_rows),
	    T(test_import_bad_row),
	    T(test_import_dry_run),
	    T(test_import_header),
	    T(test_import_row_shape),
	    T(test_history),
	    T(test_status),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
