/*
 * test_keyring: the node's side of sealed fields (node/api/keyring.h,
 * DESIGN.md section 8, DOMAIN.md section 5), driven through the local API
 * as wardd serves it (node_serve on a node_ctx over a data directory) and
 * by direct calls where a misbehaving member must be simulated. Five
 * members, each with its own data directory: health 120116 (the network's
 * creator and only admin), township 120116001, township 120116002, police
 * 120116 and an auditor 120116. Entries and roster versions travel between
 * them by sync_to (the log read and ingested as gossip would).
 *
 *  (1) add seals name, id_number, phone, address; a scope's first write
 *      carries a key record first, a second reuses the key (also after a
 *      restart);
 *  (2) set of a sealed register, add and remove of a sealed set element;
 *      a remove of an element held under two keys removes both forms;
 *  (3) import seals; a re-import is unchanged; a write refused by the
 *      ledger and an import whose transaction fails forget the keys they
 *      made;
 *  (4) open_cell merges two sealed forms of one plaintext;
 *  (5) what a reader without the key sees; unreadable values and
 *      envelopes of the wrong key as audit findings;
 *  (6) the access log names the sealed fields a read opened;
 *  (7) maintain: envelopes for a newcomer and a fresh key by the keeper;
 *      status before and after;
 *  (8) filters and duplicates on sealed fields.
 */
/* nftw(3), to remove the temporary network. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "crdt/crdt.h"
#include "crdt/seal.h"
#include "node/api/keyring.h"
#include "node/api/node.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"

enum { HEALTH, TOWNSHIP, TOWNSHIP2, POLICE, AUDITOR, N_NODES };

#define DISTRICT "120116"
#define TOWN "120116001"
#define TOWN2 "120116002"

/* Resident ids with valid checksums. */
#define ID_NUMBER "11010519491231002X"
#define ID_NUMBER2 "120116199002020027"

struct net {
	char root[64];
	char dir[N_NODES + 1][NODE_PATH_MAX];
	struct node_ctx *n[N_NODES + 1]; /* + a late member (test 7) */
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

static void open_node(struct net *t, int who)
{
	char msg[2048];
	int rc = node_ctx_open(t->dir[who], &t->n[who], msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "open %s: %s\n", t->dir[who], msg);
	assert_int_equal(rc, NODE_EXIT_OK);
	t->n[who]->peer_uid = (int64_t)getuid();
}

static int net_setup(void **state)
{
	struct net *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->root, sizeof(t->root), "/tmp/ward-test-keyring-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	init_node(t, HEALTH, "health", "health", DISTRICT, "127.0.0.1:17501");
	init_node(t, TOWNSHIP, "township", "township", TOWN, "127.0.0.1:17502");
	init_node(t, TOWNSHIP2, "township", "township2", TOWN2,
		  "127.0.0.1:17503");
	init_node(t, POLICE, "police", "police", DISTRICT, "127.0.0.1:17504");
	init_node(t, AUDITOR, "auditor", "auditor", DISTRICT,
		  "127.0.0.1:17505");
	char msg[2048], pubs[N_NODES][NODE_PATH_MAX + 16],
	    roster[NODE_PATH_MAX];
	const char *members[N_NODES - 1];
	for (int i = 1; i < N_NODES; i++) {
		snprintf(pubs[i], sizeof(pubs[i]), "%s/node.pub", t->dir[i]);
		members[i - 1] = pubs[i];
	}
	snprintf(roster, sizeof(roster), "%s/roster", t->root);
	int rc = node_network_create(t->dir[HEALTH], members, N_NODES - 1,
				     roster, false, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "network create: %s\n", msg);
	assert_int_equal(rc, NODE_EXIT_OK);
	for (int i = 1; i < N_NODES; i++) {
		rc = node_network_join(t->dir[i], roster, false, msg,
				       sizeof(msg));
		if (rc)
			fprintf(stderr, "network join: %s\n", msg);
		assert_int_equal(rc, NODE_EXIT_OK);
	}
	for (int i = 0; i < N_NODES; i++)
		open_node(t, i);
	*state = t;
	return 0;
}

static int net_teardown(void **state)
{
	struct net *t = *state;
	for (int i = 0; i <= N_NODES; i++)
		if (t->n[i])
			node_ctx_close(t->n[i]);
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* Gossip, by hand: from's roster chain and every entry to lacks. */
static void sync_to(struct node_ctx *from, struct node_ctx *to)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_ledger_roster_chain(from->ledger, 0, &b);
	struct node_reason rwhy;
	char text[512];
	enum node_msg why = MSG_NONE;
	int rc = node_ledger_set_roster(to->ledger, b.data, b.len, &rwhy);
	if (rc)
		fail_msg("set_roster: %s",
			 node_reason_text(&rwhy, NODE_LANG_EN, text,
					  sizeof(text)));
	crdt_buf_fini(&b);
	struct node_feed_head *h;
	size_t nh;
	assert_int_equal(node_ledger_heads(from->ledger, &h, &nh), 0);
	for (size_t i = 0; i < nh; i++) {
		uint64_t have =
		    node_ledger_feed_seq(to->ledger, h[i].author, h[i].scope);
		for (uint64_t s = have + 1; s <= h[i].seq; s++) {
			crdt_buf_init(&b);
			assert_int_equal(node_ledger_read_range(
					     from->ledger, h[i].author,
					     h[i].scope, s, 1, 1u << 24, &b),
					 1);
			struct node_txn *x = node_ledger_begin(to->ledger);
			enum node_ingest res;
			rc = node_txn_ingest(x, b.data, b.len, false, &res,
					     &why);
			if (rc)
				fail_msg("ingest: %d %s", rc,
					 node_catalog_text(NODE_LANG_EN, why));
			assert_int_equal(node_txn_commit(x, true), 0);
			crdt_buf_fini(&b);
		}
	}
	free(h);
}

static void sync_all(struct net *t)
{
	for (int i = 0; i < N_NODES; i++)
		for (int j = 0; j < N_NODES; j++)
			if (i != j)
				sync_to(t->n[i], t->n[j]);
}

/* ---- requests and answers ---- */

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

#define ADD(n, type, scope, ...)                                               \
	serve(n, add_req(type, scope, (const char *const[]){__VA_ARGS__, NULL}))
#define SET(n, id, ...)                                                        \
	serve(n, set_req(id, (const char *const[]){__VA_ARGS__, NULL}))

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

static void ok_free(struct node_doc *resp)
{
	(void)ok_result(resp);
	node_doc_free(resp);
}

static void expect_fail(struct node_doc *resp, int exit, const char *needle)
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
	if (!strstr(error, needle))
		fprintf(stderr, "'%s' lacks '%s'\n", error, needle);
	assert_non_null(strstr(error, needle));
	node_doc_free(resp);
}

static void add_ok(struct node_doc *resp, char out[80])
{
	const char *id = node_doc_get_str(ok_result(resp), "id");
	assert_non_null(id);
	snprintf(out, 80, "%s", id);
	node_doc_free(resp);
}

/* The entity bytes of a "TYPE-hex" id. */
static void entity_of(const char *id, uint8_t out[16])
{
	const char *dash = strchr(id, '-');
	assert_non_null(dash);
	assert_int_equal(node_unhex(dash + 1, out, 16), 0);
}

static struct node_doc *show(struct node_ctx *n, const char *id)
{
	struct node_doc *req = request("show");
	node_doc_set(req, "id", node_doc_str(id));
	struct node_doc *resp = serve(n, req);
	(void)ok_result(resp);
	return resp;
}

static const struct node_doc *shown_value(const struct node_doc *shown,
					  const char *field)
{
	const struct node_doc *f = node_doc_get(
	    node_doc_get(node_doc_get(shown, "result"), "fields"), field);
	return f ? node_doc_get(f, "value") : NULL;
}

static const char *shown_str(const struct node_doc *shown, const char *field)
{
	const struct node_doc *v = shown_value(shown, field);
	return v ? node_doc_as_str(v, NULL) : NULL;
}

/* Whether a shown value is {"sealed": true} (and "unreadable" as asked). */
static bool shown_sealed(const struct node_doc *shown, const char *field,
			 bool unreadable)
{
	const struct node_doc *v = shown_value(shown, field);
	if (!v || node_doc_kind(v) != NODE_DOC_OBJECT) {
		char *json = v ? node_doc_to_json(v, false) : NULL;
		fprintf(stderr, "%s shown as %s\n", field,
			json ? json : "nothing");
		free(json);
		return false;
	}
	return node_doc_get_bool(v, "sealed", false) &&
	       node_doc_get_bool(v, "unreadable", false) == unreadable;
}

static size_t set_count(const struct node_doc *shown, const char *field,
			const char *value)
{
	const struct node_doc *v = shown_value(shown, field);
	size_t k = 0;
	for (size_t i = 0; v && i < node_doc_len(v); i++) {
		const char *s = node_doc_as_str(node_doc_at(v, i), NULL);
		k += s && !strcmp(s, value);
	}
	return k;
}

/* ---- the store underneath ---- */

/* Whether every version and element of field of id is a sealed value. */
static size_t sealed_forms(struct node_ctx *n, const uint8_t id[16],
			   const char *field)
{
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(n->ledger, id, field, &c), 0);
	size_t k = 0, all = c.n_live + c.n_elems;
	for (size_t i = 0; i < all; i++) {
		const struct crdt_value *v = i < c.n_live
						 ? &c.live[i].value
						 : &c.elems[i - c.n_live].value;
		assert_int_equal(v->kind, CRDT_VALUE_BIN);
		assert_true(v->len > CRDT_SEAL_MAGIC_LEN);
		assert_memory_equal(v->p, "ward-sealed-v1", 14);
		k++;
	}
	crdt_cell_fini(&c);
	return k;
}

struct key_count {
	const char *scope;
	size_t n;
};

static int count_key(void *arg, const struct node_key_record *k)
{
	struct key_count *c = arg;
	if (!c->scope || !strcmp(k->scope, c->scope))
		c->n++;
	return 0;
}

/* Key records held for groups of home scope scope. */
static size_t key_records(struct node_ctx *n, const char *scope)
{
	struct key_count c = {scope, 0};
	node_ledger_each_group_key(n->ledger, 0, NULL, count_key, &c);
	return c.n;
}

static const struct node_field *field_named(const char *type, const char *name)
{
	const struct node_type *t = node_schema_type(type, strlen(type));
	assert_non_null(t);
	const struct node_field *f = node_schema_field(t, name, strlen(name));
	assert_non_null(f);
	return f;
}

static void add_patient(struct node_ctx *n, const char *scope, const char *name,
			const char *id_number, char id[80])
{
	char nf[128], idf[64];
	snprintf(nf, sizeof(nf), "name=%s", name);
	snprintf(idf, sizeof(idf), "id_number=%s", id_number ? id_number : "");
	if (id_number)
		add_ok(ADD(n, "patient", scope, nf, idf,
			   "registered_on=2024-01-05"),
		       id);
	else
		add_ok(ADD(n, "patient", scope, nf, "registered_on=2024-01-05"),
		       id);
}

/* Proposes words as the health node, the only admin: in force at once. */
static void roster_change(struct net *t, const char *const *words)
{
	struct node_doc *req = request("roster_propose");
	struct node_doc *w = node_doc_array();
	for (size_t i = 0; words[i]; i++)
		node_doc_push(w, node_doc_str(words[i]));
	node_doc_set(req, "words", w);
	struct node_doc *resp = serve(t->n[HEALTH], req);
	assert_true(node_doc_get_bool(ok_result(resp), "in_force", false));
	node_doc_free(resp);
}

/* ---- (1) add ---- */

/* Rule: a patient's ID fields are stored sealed (DESIGN.md section 8) and
 * show opens them; the first write in a scope carries its group's key
 * record first (the record's create renamed for its op index: the id add
 * answers is the record's real id); a later write in that scope reuses
 * the key held. */
static void test_add_seals_with_key_record_first(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	assert_int_equal(key_records(h, TOWN), 0);
	char id[80];
	add_ok(ADD(h, "patient", TOWN, "name=张三", "id_number=" ID_NUMBER,
		   "phone=13900001111", "address=幸福路1号",
		   "registered_on=2024-01-05"),
	       id);
	uint8_t ent[16];
	entity_of(id, ent);
	const char *sealed[] = {"name", "id_number", "phone", "address"};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(sealed_forms(h, ent, sealed[i]), 1);
	struct node_doc *s = show(h, id);
	assert_string_equal(shown_str(s, "name"), "张三");
	assert_string_equal(shown_str(s, "id_number"), ID_NUMBER);
	assert_string_equal(shown_str(s, "phone"), "13900001111");
	assert_string_equal(shown_str(s, "address"), "幸福路1号");
	assert_string_equal(shown_str(s, "registered_on"), "2024-01-05");
	node_doc_free(s);

	/* The entry: a key record's create at op 0, the patient after it. */
	assert_int_equal(key_records(h, TOWN), 1);
	uint64_t seq = node_ledger_feed_seq(h->ledger, h->pk, TOWN);
	uint8_t first[16];
	crdt_entity_id(first, h->pk, TOWN, seq, 0);
	struct node_entity e;
	assert_int_equal(node_ledger_entity(h->ledger, first, &e), 0);
	assert_string_equal(e.type, "key");
	assert_memory_not_equal(first, ent, 16);
	assert_int_equal(node_ledger_entity(h->ledger, ent, &e), 0);
	assert_string_equal(e.type, "patient");
	assert_true(e.valid);

	/* A second write in the scope: no second key record, the patient's
	 * create is op 0; also after a restart, when the key is known only
	 * from its record in the store (not as one this context made). */
	node_ctx_close(t->n[HEALTH]);
	t->n[HEALTH] = NULL;
	open_node(t, HEALTH);
	h = t->n[HEALTH];
	char id2[80];
	add_patient(h, TOWN, "李四", NULL, id2);
	assert_int_equal(key_records(h, TOWN), 1);
	uint8_t ent2[16], at0[16];
	entity_of(id2, ent2);
	crdt_entity_id(at0, h->pk, TOWN,
		       node_ledger_feed_seq(h->ledger, h->pk, TOWN), 0);
	assert_memory_equal(at0, ent2, 16);
	s = show(h, id2);
	assert_string_equal(shown_str(s, "name"), "李四");
	node_doc_free(s);
	/* Another scope is another group: its own key record. */
	char id3[80];
	add_patient(h, TOWN2, "王五", NULL, id3);
	assert_int_equal(key_records(h, TOWN2), 1);
	assert_int_equal(key_records(h, TOWN), 1);
}

/* ---- (2) set, and (4) two sealed forms ---- */

#define MED "olanzapine;10;0;0"

/* A followup of a TOWN patient by health whose medication holds MED under
 * two keys: added, the H group changed by a roster version (the auditor
 * removed) so the next write makes a fresh key, and added again. */
static void two_forms(struct net *t, char fu[80], uint8_t ent[16])
{
	struct node_ctx *h = t->n[HEALTH];
	char p[80], ref[128];
	add_patient(h, TOWN, "张三", NULL, p);
	snprintf(ref, sizeof(ref), "patient=%s", p);
	add_ok(ADD(h, "followup", NULL, ref, "date=2024-02-01"), fu);
	entity_of(fu, ent);
	ok_free(SET(h, fu, "medication+=" MED));
	size_t before = key_records(h, TOWN);
	roster_change(t, (const char *const[]){"remove", "auditor", NULL});
	ok_free(SET(h, fu, "medication+=" MED));
	/* fresh keys: the H group's and (the auditor read names too) the
	 * ID group's need none here, only the H one was written */
	assert_int_equal(key_records(h, TOWN), before + 1);
	assert_int_equal(sealed_forms(h, ent, "medication"), 2);
}

/* Rule: a set of a sealed register replaces it with a sealed version; an
 * add of a set element is sealed; a remove of a plaintext element removes
 * every sealed form of it (keyring.h, node_keyring_seal), here two forms
 * under two keys. */
static void test_set_and_remove_sealed(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char p[80];
	add_patient(h, TOWN, "张三", NULL, p);
	uint8_t pe[16];
	entity_of(p, pe);
	ok_free(SET(h, p, "phone=13900002222"));
	ok_free(SET(h, p, "phone=13900003333"));
	struct node_doc *s = show(h, p);
	assert_int_equal(sealed_forms(h, pe, "phone"), 1);
	assert_string_equal(shown_str(s, "phone"), "13900003333");
	node_doc_free(s);

	char fu[80];
	uint8_t ent[16];
	two_forms(t, fu, ent);
	s = show(h, fu);
	assert_int_equal(set_count(s, "medication", MED), 1);
	node_doc_free(s);
	ok_free(SET(h, fu, "medication-=" MED));
	assert_int_equal(sealed_forms(h, ent, "medication"), 0);
	s = show(h, fu);
	assert_int_equal(set_count(s, "medication", MED), 0);
	node_doc_free(s);
	/* and a single form is added and removed the same way */
	ok_free(SET(h, fu, "medication+=risperidone;2;0;0"));
	assert_int_equal(sealed_forms(h, ent, "medication"), 1);
	ok_free(SET(h, fu, "medication-=risperidone;2;0;0"));
	assert_int_equal(sealed_forms(h, ent, "medication"), 0);
}

/* Rule: node_keyring_open_cell makes the sealed forms of one plaintext
 * one element carrying every tag (what an operator typed compares with
 * it, and a remove names every dot). */
static void test_open_cell_merges_forms(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char fu[80];
	uint8_t ent[16];
	two_forms(t, fu, ent);
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(h->ledger, ent, "medication", &c), 0);
	assert_int_equal(c.n_elems, 2);
	crdt_cell_fini(&c);
	assert_int_equal(node_keyring_cell(h, ent, "medication", &c), 0);
	assert_int_equal(c.n_elems, 1);
	assert_int_equal(c.elems[0].n_tags, 2);
	assert_int_equal(c.elems[0].value.kind, CRDT_VALUE_STR);
	assert_int_equal(c.elems[0].value.len, strlen(MED));
	assert_memory_equal(c.elems[0].value.p, MED, strlen(MED));
	crdt_cell_fini(&c);
	/* Where the node cannot open them they stay two. */
	sync_to(h, t->n[POLICE]);
	assert_int_equal(node_keyring_cell(t->n[POLICE], ent, "medication", &c),
			 0);
	assert_int_equal(c.n_elems, 2);
	crdt_cell_fini(&c);
}

/* ---- (3) import ---- */

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static struct node_doc *import_csv(struct net *t, struct node_ctx *n,
				   const char *csv)
{
	char path[NODE_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/import.csv", t->root);
	write_text(path, csv);
	struct node_doc *req = request("import_records");
	node_doc_set(req, "path", node_doc_str(path));
	node_doc_set(req, "format", node_doc_str("csv"));
	node_doc_set(req, "type", node_doc_str("patient"));
	return serve(n, req);
}

static struct node_doc *list_req(const char *field, const char *value,
				 const char *scope)
{
	struct node_doc *req = request("list");
	node_doc_set(req, "type", node_doc_str("patient"));
	struct node_doc *f = node_doc_array();
	if (field) {
		struct node_doc *p = node_doc_array();
		node_doc_push(p, node_doc_str(field));
		node_doc_push(p, node_doc_str(value));
		node_doc_push(f, p);
	}
	node_doc_set(req, "filters", f);
	if (scope)
		node_doc_set(req, "scope", node_doc_str(scope));
	return req;
}

/* Rule: an import seals what it writes as add does, and compares the
 * rows with what the node reads in plaintext: the same file again is
 * unchanged. */
static void test_import_seals(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	const char *csv = "name,id_number,scope,registered_on\n"
			  "张三," ID_NUMBER "," TOWN ",2024-01-05\n"
			  "李四," ID_NUMBER2 "," TOWN2 ",2024-01-06\n";
	struct node_doc *resp = import_csv(t, h, csv);
	const struct node_doc *r = ok_result(resp);
	assert_int_equal(node_doc_get_int(r, "created", -1), 2);
	node_doc_free(resp);
	assert_int_equal(key_records(h, TOWN), 1);
	assert_int_equal(key_records(h, TOWN2), 1);
	resp = serve(h, list_req(NULL, NULL, NULL));
	r = ok_result(resp);
	assert_int_equal(node_doc_len(r), 2);
	int seen = 0;
	for (size_t i = 0; i < 2; i++) {
		const char *id = node_doc_get_str(node_doc_at(r, i), "id");
		uint8_t ent[16];
		entity_of(id, ent);
		assert_int_equal(sealed_forms(h, ent, "name"), 1);
		struct node_doc *s = show(h, id);
		if (!strcmp(shown_str(s, "name"), "张三")) {
			seen |= 1;
			assert_int_equal(sealed_forms(h, ent, "id_number"), 1);
			assert_string_equal(shown_str(s, "id_number"),
					    ID_NUMBER);
		} else {
			assert_string_equal(shown_str(s, "name"), "李四");
			assert_string_equal(shown_str(s, "id_number"),
					    ID_NUMBER2);
			seen |= 2;
		}
		node_doc_free(s);
	}
	node_doc_free(resp);
	assert_int_equal(seen, 3);
	uint64_t entries = node_ledger_entry_count(h->ledger);
	resp = import_csv(t, h, csv);
	r = ok_result(resp);
	assert_int_equal(node_doc_get_int(r, "created", -1), 0);
	assert_int_equal(node_doc_get_int(r, "updated", -1), 0);
	assert_int_equal(node_doc_get_int(r, "unchanged", -1), 2);
	node_doc_free(resp);
	assert_int_equal(node_ledger_entry_count(h->ledger), entries);
}

/* A set field's value of n items of len bytes each (owned). */
static char *big_items(const char *field, size_t n, size_t len)
{
	size_t cap = strlen(field) + 2 + n * (len + 1);
	char *s = malloc(cap);
	assert_non_null(s);
	size_t at = (size_t)snprintf(s, cap, "%s=", field);
	for (size_t i = 0; i < n; i++) {
		if (i)
			s[at++] = '|';
		memset(s + at, 'a' + (int)(i % 26), len);
		at += len;
		s[at - 1] = (char)('a' + (int)(i / 26 % 26)); /* distinct */
	}
	s[at] = '\0';
	return s;
}

/* Rule: a write refused after its values were sealed forgets the key it
 * made (node_keyring_forget_made): the next write in the group makes a
 * fresh key with its key record, never seals to a key no record carries.
 * Here the ledger refuses a followup too large for one entry, after its
 * rehab items were sealed to a key made for them. */
static void test_failed_write_forgets_key(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char p[80], ref[128];
	add_patient(h, TOWN, "张三", NULL, p);
	assert_int_equal(key_records(h, TOWN), 1); /* the ID group's */
	snprintf(ref, sizeof(ref), "patient=%s", p);
	char *rehab = big_items("rehab", 17, 4000);
	uint64_t before = node_ledger_entry_count(h->ledger);
	expect_fail(ADD(h, "followup", NULL, ref, "date=2024-02-01", rehab),
		    NODE_EXIT_USAGE, "larger than 64 KiB");
	free(rehab);
	assert_int_equal(node_ledger_entry_count(h->ledger), before);
	assert_int_equal(key_records(h, TOWN), 1);
	/* The H group's next write carries its own key record. */
	ok_free(SET(h, p, "diagnosis=schizophrenia"));
	assert_int_equal(key_records(h, TOWN), 2);
	/* and the value opens elsewhere: the key came with its record */
	sync_to(h, t->n[AUDITOR]);
	struct node_doc *s = show(t->n[AUDITOR], p);
	assert_string_equal(shown_str(s, "diagnosis"), "schizophrenia");
	node_doc_free(s);
}

static void village(char out[13], size_t i)
{
	snprintf(out, 13, "120116%03zu%03zu", 1 + i / 999, 1 + i % 999);
}

/* Rule: an import whose transaction fails leaves no made key behind
 * (node_keyring_forget_made): nothing it sealed reached the store, and the
 * next write in the group carries a key record. The import fails at the
 * ledger's cap on an author's feeds (imports of at most 256 scopes each
 * first give health 1024 feeds, in villages): its first row, in a village
 * held, seals a diagnosis to a key made for it; its second starts a feed
 * too many, and the transaction is dropped. */
static void test_failed_import_forgets_keys(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	size_t feeds = NODE_LEDGER_MAX_FEEDS_PER_AUTHOR, per = 256;
	char *csv = malloc(64 + per * 48), v[13];
	assert_non_null(csv);
	for (size_t from = 0; from < feeds; from += per) {
		size_t at = (size_t)sprintf(csv, "name,scope,registered_on\n");
		for (size_t i = from; i < from + per && i < feeds; i++) {
			village(v, i);
			at += (size_t)sprintf(csv + at, "p%zu,%s,2024-01-05\n",
					      i, v);
		}
		ok_free(import_csv(t, h, csv));
	}
	assert_int_equal(key_records(h, NULL), feeds);
	char first[13], extra[13];
	village(first, 0);
	village(extra, feeds);
	sprintf(csv,
		"name,scope,diagnosis,registered_on\n"
		"甲,%s,schizophrenia,2024-01-05\n"
		"乙,%s,,2024-01-05\n",
		first, extra);
	uint64_t before = node_ledger_entry_count(h->ledger);
	struct node_doc *resp = import_csv(t, h, csv);
	free(csv);
	assert_false(node_doc_get_bool(resp, "ok", true));
	assert_non_null(strstr(node_doc_get_str(resp, "error"), "most feeds"));
	node_doc_free(resp);
	assert_int_equal(node_ledger_entry_count(h->ledger), before);
	assert_int_equal(key_records(h, first), 1); /* the ID group's */
	/* The H group's next write in that village carries its key record,
	 * and what it seals opens elsewhere. */
	char id[80];
	add_ok(ADD(h, "patient", first, "name=丙", "diagnosis=bipolar",
		   "registered_on=2024-01-05"),
	       id);
	assert_int_equal(key_records(h, first), 2);
	sync_to(h, t->n[AUDITOR]);
	struct node_doc *s = show(t->n[AUDITOR], id);
	assert_string_equal(shown_str(s, "diagnosis"), "bipolar");
	node_doc_free(s);
}

/* ---- (5) readers without the key, unreadable values ---- */

/* Rule: a reader that may not read a field sees {"sealed": true}, never
 * an empty value and never an error (DOMAIN.md section 5: another
 * township reads no name of this one's; police read no diagnosis). */
static void test_reader_without_key(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_ok(ADD(h, "patient", TOWN, "name=张三", "diagnosis=schizophrenia",
		   "registered_on=2024-01-05"),
	       id);
	sync_all(t);
	struct node_doc *s = show(t->n[TOWNSHIP2], id);
	assert_true(shown_sealed(s, "name", false));
	assert_true(shown_sealed(s, "diagnosis", false));
	assert_string_equal(shown_str(s, "registered_on"), "2024-01-05");
	node_doc_free(s);
	s = show(t->n[POLICE], id);
	assert_string_equal(shown_str(s, "name"), "张三");
	assert_true(shown_sealed(s, "diagnosis", false));
	node_doc_free(s);
	s = show(t->n[TOWNSHIP], id);
	assert_string_equal(shown_str(s, "name"), "张三");
	assert_true(shown_sealed(s, "diagnosis", false));
	node_doc_free(s);
	s = show(t->n[AUDITOR], id);
	assert_string_equal(shown_str(s, "diagnosis"), "schizophrenia");
	node_doc_free(s);
}

struct findings {
	size_t unreadable, wrong_key, other;
};

static void count_findings(const struct node_doc *audit, struct findings *f)
{
	memset(f, 0, sizeof(*f));
	const struct node_doc *v = node_doc_get(audit, "findings");
	for (size_t i = 0; v && i < node_doc_len(v); i++) {
		const char *code = node_doc_get_str(node_doc_at(v, i), "code");
		assert_non_null(code);
		if (strstr(code, "SEALED_UNREADABLE"))
			f->unreadable++;
		else if (strstr(code, "ENVELOPE_WRONG_KEY"))
			f->wrong_key++;
		else
			f->other++;
	}
}

/* Writes ops as h, directly (what a misbehaving member's software would
 * sign): the ledger takes what it cannot check. */
static void write_direct(struct node_ctx *h, const char *scope,
			 struct crdt_op *ops, size_t n)
{
	struct node_write w = {.scope = scope, .n_ops = n, .ops = ops};
	struct node_reason why;
	uint64_t seq;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int rc = node_ledger_write(h->ledger, h->sk, h->pk, &w,
				   (uint64_t)ts.tv_sec * 1000u, &seq, &why);
	if (rc) {
		char text[256];
		node_schema_reason_text(&why, NODE_LANG_EN, text, sizeof(text));
		fail_msg("write: %s", text);
	}
}

/* Rule: a value that opens with the right key but fails its field's
 * check is "unreadable" where it is read, and audit verify lists it as a
 * finding (MSG_F_SEALED_UNREADABLE) and still exits 0: findings are not
 * failures. */
static void test_unreadable_value(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_ok(ADD(h, "patient", TOWN, "name=张三", "diagnosis=schizophrenia",
		   "registered_on=2024-01-05"),
	       id);
	uint8_t ent[16];
	entity_of(id, ent);
	/* "not-a-diagnosis", sealed with the group's key by node_keyring_seal
	 * (which seals what it is given), superseding the version held. */
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(h->ledger, ent, "diagnosis", &c), 0);
	assert_int_equal(c.n_live, 1);
	struct crdt_dot pred = c.live[0].dot;
	crdt_cell_fini(&c);
	struct crdt_op op = {.code = CRDT_OP_SET,
			     .name = "diagnosis",
			     .name_len = 9,
			     .dots = &pred,
			     .n_dots = 1};
	memcpy(op.entity, ent, 16);
	op.value = (struct crdt_value){.kind = CRDT_VALUE_STR,
				       .p = (const uint8_t *)"not-a-diagnosis",
				       .len = 15};
	uint64_t seq;
	node_ledger_next_seq(h->ledger, h->pk, TOWN, &seq);
	struct node_sealed_ops so;
	struct node_reason why;
	assert_int_equal(node_keyring_seal(h, TOWN, seq, &op, 1, &so, &why), 0);
	assert_int_equal(so.n_prefix, 0); /* the key held */
	write_direct(h, TOWN, so.ops, so.n);
	node_sealed_ops_fini(&so);
	assert_int_equal(sealed_forms(h, ent, "diagnosis"), 1);

	struct node_doc *s = show(h, id);
	assert_true(shown_sealed(s, "diagnosis", true));
	assert_string_equal(shown_str(s, "name"), "张三");
	node_doc_free(s);
	uint8_t plain[256];
	struct crdt_value v, out;
	assert_int_equal(node_ledger_cell(h->ledger, ent, "diagnosis", &c), 0);
	v = c.live[0].value;
	assert_int_equal(node_keyring_open(h, ent,
					   field_named("patient", "diagnosis"),
					   &v, plain, sizeof(plain), &out),
			 -EBADMSG);
	crdt_cell_fini(&c);

	struct node_doc *resp = serve(h, request("audit_verify"));
	const struct node_doc *r = ok_result(resp);
	struct findings f;
	count_findings(r, &f);
	assert_int_equal(f.unreadable, 1);
	assert_int_equal(f.wrong_key, 0);
	assert_true(node_doc_get_bool(r, "ok", false)); /* no failure */
	assert_int_equal(
	    node_doc_get_int(node_doc_get(r, "sealed"), "unreadable", -1), 1);
	node_doc_free(resp);
	/* Where it is not this node's to read, it is only sealed. */
	sync_to(h, t->n[POLICE]);
	s = show(t->n[POLICE], id);
	assert_true(shown_sealed(s, "diagnosis", false));
	node_doc_free(s);
	resp = serve(t->n[POLICE], request("audit_verify"));
	count_findings(ok_result(resp), &f);
	assert_int_equal(f.unreadable, 0);
	node_doc_free(resp);
}

/* Rule: an envelope for this node that opens to a key hashing to another
 * key_id than its record's is a finding (MSG_F_ENVELOPE_WRONG_KEY), and
 * that key is never used: a value of the record's key_id stays sealed (not
 * "unreadable", which it would be if the wrong key were tried on it), and
 * the next write in the scope makes a fresh key. */
static void test_envelope_wrong_key(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	uint8_t k1[CRDT_SEAL_KEY_BYTES], k2[CRDT_SEAL_KEY_BYTES];
	uint8_t id1[CRDT_SEAL_KEY_ID_BYTES], env[CRDT_SEAL_ENVELOPE_BYTES];
	crdt_seal_key_new(k1);
	crdt_seal_key_new(k2);
	crdt_seal_key_id(k1, id1);
	assert_int_equal(crdt_seal_envelope(env, h->pk, k2), 0);
	const struct node_field *name = field_named("patient", "name");
	char roles[96];
	size_t rl = node_schema_roles_text(node_schema_readers(name), roles,
					   sizeof(roles));
	/* Entry 1: a key record of key_id(k1) whose envelope for h holds k2. */
	uint64_t seq;
	node_ledger_next_seq(h->ledger, h->pk, TOWN2, &seq);
	uint8_t kr[16];
	crdt_entity_id(kr, h->pk, TOWN2, seq, 0);
	struct crdt_op ops[4];
	memset(ops, 0, sizeof(ops));
	for (int i = 0; i < 4; i++)
		memcpy(ops[i].entity, kr, 16);
	ops[0].code = CRDT_OP_CREATE;
	ops[0].name = "key";
	ops[0].name_len = 3;
	ops[1].code = CRDT_OP_SET;
	ops[1].name = "roles";
	ops[1].name_len = 5;
	ops[1].value = (struct crdt_value){
	    .kind = CRDT_VALUE_STR, .p = (const uint8_t *)roles, .len = rl};
	ops[2].code = CRDT_OP_SET;
	ops[2].name = "key_id";
	ops[2].name_len = 6;
	ops[2].value =
	    (struct crdt_value){.kind = CRDT_VALUE_BIN, .p = id1, .len = 16};
	ops[3].code = CRDT_OP_ADD;
	ops[3].name = "envelopes";
	ops[3].name_len = 9;
	ops[3].value = (struct crdt_value){
	    .kind = CRDT_VALUE_BIN, .p = env, .len = sizeof(env)};
	write_direct(h, TOWN2, ops, 4);
	assert_int_equal(key_records(h, TOWN2), 1);
	/* Entry 2: a patient whose name is sealed with k1. */
	node_ledger_next_seq(h->ledger, h->pk, TOWN2, &seq);
	uint8_t pe[16], net_id[32];
	crdt_entity_id(pe, h->pk, TOWN2, seq, 0);
	node_ledger_net_id(h->ledger, net_id);
	struct crdt_value plain = {.kind = CRDT_VALUE_STR,
				   .p = (const uint8_t *)"张三",
				   .len = strlen("张三")};
	struct crdt_buf sealed;
	crdt_buf_init(&sealed);
	assert_int_equal(
	    crdt_seal_value(&sealed, k1, net_id, pe, "name", 4, &plain), 0);
	memset(ops, 0, sizeof(ops));
	for (int i = 0; i < 2; i++)
		memcpy(ops[i].entity, pe, 16);
	ops[0].code = CRDT_OP_CREATE;
	ops[0].name = "patient";
	ops[0].name_len = 7;
	ops[1].code = CRDT_OP_SET;
	ops[1].name = "name";
	ops[1].name_len = 4;
	ops[1].value = (struct crdt_value){
	    .kind = CRDT_VALUE_BIN, .p = sealed.data, .len = sealed.len};
	write_direct(h, TOWN2, ops, 2);
	crdt_buf_fini(&sealed);

	char id[80] = "patient-";
	node_hex(id + 8, pe, 16);
	struct node_doc *s = show(h, id);
	assert_true(shown_sealed(s, "name", false));
	node_doc_free(s);
	struct node_doc *resp = serve(h, request("audit_verify"));
	const struct node_doc *r = ok_result(resp);
	struct findings f;
	count_findings(r, &f);
	assert_int_equal(f.wrong_key, 1);
	assert_int_equal(f.unreadable, 0);
	assert_true(node_doc_get_bool(r, "ok", false));
	assert_int_equal(
	    node_doc_get_int(node_doc_get(r, "sealed"), "bad_envelopes", -1),
	    1);
	node_doc_free(resp);
	/* The next write in TOWN2 makes its own key, and reads back. */
	char id2[80];
	add_patient(h, TOWN2, "李四", NULL, id2);
	assert_int_equal(key_records(h, TOWN2), 2);
	s = show(h, id2);
	assert_string_equal(shown_str(s, "name"), "李四");
	node_doc_free(s);
	sync_to(h, t->n[TOWNSHIP2]);
	s = show(t->n[TOWNSHIP2], id2);
	assert_string_equal(shown_str(s, "name"), "李四");
	node_doc_free(s);
}

/* ---- (6) the access log ---- */

/* The last column of the access log's last line, into out. */
static void last_reads(struct node_ctx *n, char *out, size_t len)
{
	char path[NODE_PATH_MAX + 16], line[4096], last[4096] = "";
	snprintf(path, sizeof(path), "%s/access.log", n->dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		memcpy(last, line, sizeof(line));
	fclose(f);
	last[strcspn(last, "\n")] = '\0';
	const char *tab = strrchr(last, '\t');
	assert_non_null(tab);
	snprintf(out, len, "%s", tab + 1);
}

/* Rule: the access log's last column names the sealed fields a read
 * opened (DOMAIN.md section 5: a record of who read what), none where it
 * opened nothing. */
static void test_access_log_reads(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80], reads[256];
	add_ok(ADD(h, "patient", TOWN, "name=张三", "id_number=" ID_NUMBER,
		   "diagnosis=schizophrenia", "registered_on=2024-01-05"),
	       id);
	struct node_doc *s = show(h, id);
	node_doc_free(s);
	last_reads(h, reads, sizeof(reads));
	assert_non_null(strstr(reads, "name"));
	assert_non_null(strstr(reads, "id_number"));
	assert_non_null(strstr(reads, "diagnosis"));
	assert_null(strstr(reads, "registered_on"));

	ok_free(serve(h, list_req(NULL, NULL, NULL)));
	last_reads(h, reads, sizeof(reads));
	assert_non_null(strstr(reads, "name"));

	sync_all(t);
	s = show(t->n[TOWNSHIP2], id);
	node_doc_free(s);
	last_reads(t->n[TOWNSHIP2], reads, sizeof(reads));
	assert_string_equal(reads, "");
	ok_free(serve(t->n[TOWNSHIP2], list_req(NULL, NULL, NULL)));
	last_reads(t->n[TOWNSHIP2], reads, sizeof(reads));
	assert_string_equal(reads, "");
	/* police read the name, not the diagnosis */
	s = show(t->n[POLICE], id);
	node_doc_free(s);
	last_reads(t->n[POLICE], reads, sizeof(reads));
	assert_non_null(strstr(reads, "name"));
	assert_null(strstr(reads, "diagnosis"));
}

/* ---- (7) keeping keys ---- */

struct keys_row {
	int64_t held, missing;
	bool current;
	bool found;
};

/* The status answer's keys row of the ID group (every role) of scope. */
static struct keys_row keys_of(struct node_ctx *n, const char *scope)
{
	struct keys_row k = {0};
	struct node_doc *resp = serve(n, request("status"));
	const struct node_doc *keys = node_doc_get(ok_result(resp), "keys");
	assert_non_null(keys);
	for (size_t i = 0; i < node_doc_len(keys); i++) {
		const struct node_doc *o = node_doc_at(keys, i);
		if (strcmp(node_doc_get_str(o, "scope"), scope) ||
		    !strstr(node_doc_get_str(o, "roles"), "township"))
			continue;
		k.found = true;
		k.held = node_doc_get_int(o, "held", -1);
		k.missing = node_doc_get_int(o, "missing", -1);
		k.current = node_doc_get_bool(o, "current", false);
	}
	node_doc_free(resp);
	return k;
}

/* One patient in TOWN, then a roster version that adds a second police
 * station (in TOWN's ID group), which joins and catches up; keys as status
 * shows them before any upkeep are checked. Returns the newcomer's index;
 * id gets the patient's. */
static int join_newcomer(struct net *t, char id[80])
{
	struct node_ctx *h = t->n[HEALTH];
	add_patient(h, TOWN, "张三", NULL, id);
	sync_all(t);
	unsigned w;
	for (int i = 0; i < N_NODES; i++) {
		assert_int_equal(node_keyring_maintain(t->n[i], &w), 0);
		assert_int_equal(w, 0); /* nothing to do yet */
	}
	struct keys_row k = keys_of(t->n[TOWNSHIP], TOWN);
	assert_true(k.found);
	assert_int_equal(k.held, 1);
	assert_int_equal(k.missing, 0);
	assert_true(k.current);

	/* A second police station joins: in the ID group of TOWN. */
	const int NEW = N_NODES;
	init_node(t, NEW, "police", "police2", DISTRICT, "127.0.0.1:17506");
	char pub[NODE_PATH_MAX + 16];
	snprintf(pub, sizeof(pub), "%s/node.pub", t->dir[NEW]);
	roster_change(t, (const char *const[]){"add", pub, NULL});
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_ledger_roster_chain(h->ledger, 0, &b);
	char chain[NODE_PATH_MAX + 16], msg[2048];
	snprintf(chain, sizeof(chain), "%s/chain", t->root);
	FILE *f = fopen(chain, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	assert_int_equal(fclose(f), 0);
	crdt_buf_fini(&b);
	int rc = node_network_join(t->dir[NEW], chain, false, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "join: %s\n", msg);
	assert_int_equal(rc, 0);
	open_node(t, NEW);
	sync_all(t);
	sync_to(h, t->n[NEW]);

	k = keys_of(t->n[NEW], TOWN);
	assert_true(k.found);
	assert_int_equal(k.held, 0);
	assert_int_equal(k.missing, 1);
	assert_false(k.current);
	k = keys_of(t->n[TOWNSHIP], TOWN);
	assert_int_equal(k.held, 1);
	assert_false(k.current); /* it serves no longer */

	return NEW;
}

/* The keeper may be down: any other holder steps in after a grace
 * (WARD_KEEPER_GRACE_MS; 0 here: at once), so the newcomer gets its
 * envelopes without the keeper (duplicates are harmless). */
static void test_maintain_keeper_down(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	const int NEW = join_newcomer(t, id);
	unsigned w;
	struct keys_row k;
	(void)h;
	setenv("WARD_KEEPER_GRACE_MS", "0", 1);
	unsigned total = 0, writers = 0;
	for (int i = 0; i <= NEW; i++) {
		assert_int_equal(node_keyring_maintain(t->n[i], &w), 0);
		if (i == AUDITOR || i == NEW || i == TOWNSHIP2)
			assert_int_equal(w, 0);
		writers += w != 0;
		total += w;
	}
	unsetenv("WARD_KEEPER_GRACE_MS");
	assert_true(writers > 1); /* not the keeper alone */
	for (int i = 0; i < N_NODES; i++)
		if (i != NEW)
			sync_to(t->n[i], t->n[NEW]);
	k = keys_of(t->n[NEW], TOWN);
	assert_int_equal(k.missing, 0);
	assert_true(k.held >= 1);
}

/* Rule: after a roster version adds a member to a group, the group's
 * keeper (its lowest member key holding the keys, never the auditor)
 * writes the newcomer's envelopes (one entry) and a fresh key for the
 * changed group (one entry); every other member writes nothing; a second
 * round writes nothing; status shows keys held and missing. */
static void test_maintain_newcomer(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	const int NEW = join_newcomer(t, id);
	unsigned w;
	struct keys_row k;
	(void)h;
	/* Each member once: the keeper writes, the others do not. */
	unsigned total = 0, writers = 0;
	int keeper = -1;
	for (int i = 0; i <= NEW; i++) {
		assert_int_equal(node_keyring_maintain(t->n[i], &w), 0);
		if (i == AUDITOR || i == NEW || i == TOWNSHIP2)
			assert_int_equal(w, 0);
		if (w) {
			writers++;
			keeper = i;
		}
		total += w;
	}
	assert_int_equal(writers, 1);
	assert_int_equal(total, 2);
	/* Again: nothing left to do. */
	assert_int_equal(node_keyring_maintain(t->n[keeper], &w), 0);
	assert_int_equal(w, 0);
	for (int i = 0; i < N_NODES; i++)
		sync_to(t->n[keeper], t->n[i]);
	sync_to(t->n[keeper], t->n[NEW]);
	for (int i = 0; i <= NEW; i++) {
		assert_int_equal(node_keyring_maintain(t->n[i], &w), 0);
		assert_int_equal(w, 0);
	}
	k = keys_of(t->n[NEW], TOWN);
	assert_int_equal(k.held, 2);
	assert_int_equal(k.missing, 0);
	assert_true(k.current);
	/* The newcomer reads what was written before it joined. */
	struct node_doc *s = show(t->n[NEW], id);
	assert_string_equal(shown_str(s, "name"), "张三");
	node_doc_free(s);
	/* And the next write in TOWN uses the fresh key: no other record. */
	size_t before = key_records(h, TOWN);
	char id2[80];
	add_patient(h, TOWN, "李四", NULL, id2);
	assert_int_equal(key_records(h, TOWN), before);
	sync_to(h, t->n[NEW]);
	s = show(t->n[NEW], id2);
	assert_string_equal(shown_str(s, "name"), "李四");
	node_doc_free(s);
}

/* ---- (8) filters and duplicates ---- */

/* Rule: a list filter on a sealed field finds what the node reads, and is
 * refused with exit 2 where the node cannot read the field in the scope
 * asked (never an empty answer that looks like "none"). */
static void test_filter_on_sealed(void **state)
{
	struct net *t = *state;
	struct node_ctx *h = t->n[HEALTH];
	char id[80];
	add_ok(ADD(h, "patient", TOWN, "name=张三", "diagnosis=schizophrenia",
		   "registered_on=2024-01-05"),
	       id);
	add_patient(h, TOWN, "李四", NULL, (char[80]){0});
	sync_all(t);
	struct node_doc *resp = serve(h, list_req("name", "张三", NULL));
	const struct node_doc *r = ok_result(resp);
	assert_int_equal(node_doc_len(r), 1);
	assert_string_equal(node_doc_get_str(node_doc_at(r, 0), "id"), id);
	node_doc_free(resp);
	resp = serve(t->n[TOWNSHIP], list_req("name", "张三", NULL));
	assert_int_equal(node_doc_len(ok_result(resp)), 1);
	node_doc_free(resp);
	resp = serve(h, list_req("diagnosis", "schizophrenia", NULL));
	assert_int_equal(node_doc_len(ok_result(resp)), 1);
	node_doc_free(resp);
	expect_fail(serve(t->n[TOWNSHIP2], list_req("name", "张三", TOWN)),
		    NODE_EXIT_USAGE, "cannot read this field here");
	expect_fail(
	    serve(t->n[POLICE], list_req("diagnosis", "schizophrenia", NULL)),
	    NODE_EXIT_USAGE, "cannot read this field here");
}

static size_t dup_groups(struct node_ctx *n, const char *value)
{
	struct node_doc *resp = serve(n, request("duplicates"));
	const struct node_doc *r = ok_result(resp);
	size_t k = 0;
	for (size_t i = 0; i < node_doc_len(r); i++) {
		const struct node_doc *g = node_doc_at(r, i);
		if (strcmp(node_doc_get_str(g, "field"), "id_number") ||
		    strcmp(node_doc_get_str(g, "value"), value))
			continue;
		assert_int_equal(node_doc_len(node_doc_get(g, "patients")), 2);
		k++;
	}
	node_doc_free(resp);
	return k;
}

/* Rule: duplicates compare id_numbers as the node reads them: two
 * patients sharing one, sealed under different keys by different members
 * (so their sealed bytes differ), are one group where the node opens both,
 * and no group where it opens neither. */
static void test_duplicates_sealed(void **state)
{
	struct net *t = *state;
	char a[80], b[80];
	add_patient(t->n[HEALTH], TOWN, "张三", ID_NUMBER, a);
	add_patient(t->n[TOWNSHIP], TOWN, "张叁", ID_NUMBER, b);
	sync_all(t);
	assert_int_equal(key_records(t->n[HEALTH], TOWN), 2);
	uint8_t ea[16], eb[16];
	entity_of(a, ea);
	entity_of(b, eb);
	struct crdt_cell ca, cb;
	assert_int_equal(
	    node_ledger_cell(t->n[HEALTH]->ledger, ea, "id_number", &ca), 0);
	assert_int_equal(
	    node_ledger_cell(t->n[HEALTH]->ledger, eb, "id_number", &cb), 0);
	assert_false(crdt_value_equal(&ca.live[0].value, &cb.live[0].value));
	crdt_cell_fini(&ca);
	crdt_cell_fini(&cb);
	assert_int_equal(dup_groups(t->n[HEALTH], ID_NUMBER), 1);
	assert_int_equal(dup_groups(t->n[TOWNSHIP], ID_NUMBER), 1);
	assert_int_equal(dup_groups(t->n[POLICE], ID_NUMBER), 1);
	assert_int_equal(dup_groups(t->n[TOWNSHIP2], ID_NUMBER), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, net_setup, net_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_add_seals_with_key_record_first),
	    T(test_set_and_remove_sealed),
	    T(test_open_cell_merges_forms),
	    T(test_import_seals),
	    T(test_failed_write_forgets_key),
	    T(test_failed_import_forgets_keys),
	    T(test_reader_without_key),
	    T(test_unreadable_value),
	    T(test_envelope_wrong_key),
	    T(test_access_log_reads),
	    T(test_maintain_newcomer),
	    T(test_maintain_keeper_down),
	    T(test_filter_on_sealed),
	    T(test_duplicates_sealed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
