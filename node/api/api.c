/*
 * api.c: the local API's handlers. Each takes a request document and
 * answers with a result document the CLI prints as a table or as JSON.
 * Values arrive as text and are parsed and checked against the schema
 * here, in the node, so every client gets the same validation.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crdt/seal.h"
#include "crdt/crdt.h"
#include "node/api/access.h"
#include "node/api/api.h"
#include "node/api/keyring.h"
#include "node/api/api_worklist.h"
#include "node/api/export_file.h"
#include "node/api/node_int.h"
#include "node/api/ops.h"
#include "node/ledger/proofs.h"
#include "node/ledger/schema.h"
#include "node/ledger/verify.h"
#include "node/records/query.h"


static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void id_text(char out[80], const char *type, const uint8_t id[16])
{
	char hex[33];
	node_hex(hex, id, 16);
	snprintf(out, 80, "%.40s-%s", type, hex);
}

/* ---- resolving ids ---- */

/* resolve()'s scan over the records whose id begins with the prefix. */
struct resolve_scan {
	struct node_ctx *n;
	const char *hex, *type;
	size_t len;
	uint8_t *id;
	struct node_entity *ent;
	size_t found;
	char cands[512];
};

static int resolve_one(void *ctx, const uint8_t id[16])
{
	struct resolve_scan *rs = ctx;
	char full[33];
	node_hex(full, id, 16);
	if (strncasecmp(full, rs->hex, rs->len) != 0)
		return 0;
	struct node_entity e;
	if (node_ledger_entity(rs->n->ledger, id, &e) != 0)
		return 0;
	if (*rs->type && strcmp(rs->type, e.type) != 0)
		return 0;
	if (rs->found == 0) {
		memcpy(rs->id, id, 16);
		*rs->ent = e;
	}
	rs->found++;
	size_t cl = strlen(rs->cands);
	if (cl < sizeof(rs->cands) - 80)
		snprintf(rs->cands + cl, sizeof(rs->cands) - cl, " %s-%s",
			 e.type, full);
	return 0;
}

/* Resolves "TYPE-hex", "hex" (a prefix of at least 6 hex digits). */
static int resolve(struct node_ctx *n, const char *text, uint8_t id[16],
		   struct node_entity *ent, struct node_reason *why)
{
	char type[32] = "";
	const char *hex = text;
	const char *dash = strrchr(text, '-');
	if (dash) {
		snprintf(type, sizeof(type), "%.*s", (int)(dash - text), text);
		hex = dash + 1;
	}
	size_t len = strlen(hex);
	uint8_t prefix[16];
	bool ok = len >= 6 && len <= 32;
	for (size_t i = 0; ok && i < len; i++)
		ok = (hex[i] >= '0' && hex[i] <= '9') ||
		     (hex[i] >= 'a' && hex[i] <= 'f') ||
		     (hex[i] >= 'A' && hex[i] <= 'F');
	if (!ok) {
		NODE_REASON_LONG(why, MSG_NOT_RECORD_ID_TYPE_HEX, text);
		return -EINVAL;
	}
	char even[33];
	snprintf(even, sizeof(even), "%.*s", (int)(len & ~(size_t)1), hex);
	node_unhex(even, prefix, len / 2);
	struct resolve_scan rs = {.n = n, .hex = hex, .len = len, .type = type,
				  .id = id, .ent = ent};
	node_ledger_each_id(n->ledger, prefix, len / 2, resolve_one, &rs);
	size_t found = rs.found;
	const char *cands = rs.cands;
	if (found == 1)
		return 0;
	if (found == 0)
		NODE_REASON_LONG(why, MSG_NO_RECORD, text);
	else
		NODE_REASON_LONG(why, MSG_AMBIGUOUS, text, cands);
	return -ENOENT;
}

/* ---- value rendering ---- */

static struct node_doc *value_doc(const struct crdt_value *v)
{
	switch (v->kind) {
	case CRDT_VALUE_NIL:
		return node_doc_null();
	case CRDT_VALUE_BOOL:
		return node_doc_bool(v->b);
	case CRDT_VALUE_INT:
		return node_doc_int(v->i);
	case CRDT_VALUE_STR:
		return node_doc_strn((const char *)v->p, v->len);
	case CRDT_VALUE_BIN: {
		char hex[2 * CRDT_MAX_STR_BYTES + 1];
		node_hex(hex, v->p, v->len);
		return node_doc_str(hex);
	}
	}
	return node_doc_null();
}

/* A reference value as "TYPE-hex" when the record is known; a sealed
 * value (field f of record entity) opened where this node may read it,
 * else {"sealed": true} (and "unreadable": true when it fails to open or
 * to check): never empty, never an error. */
static struct node_doc *field_value_doc(struct node_ctx *n,
					const uint8_t entity[16],
					const struct node_field *f,
					const struct crdt_value *v)
{
	struct crdt_value pv = *v;
	uint8_t *plain = NULL;
	if (f && v->kind == CRDT_VALUE_BIN &&
	    crdt_seal_is_sealed(v->p, v->len)) {
		plain = malloc(v->len);
		if (!plain)
			abort();
		int rc = node_keyring_open(n, entity, f, v, plain, v->len, &pv);
		if (rc) {
			free(plain);
			return node_keyring_sealed_doc(rc == -EBADMSG);
		}
		node_keyring_note_read(n, f->name);
	}
	struct node_doc *d;
	if (f && f->kind == NODE_FIELD_REF && pv.kind == CRDT_VALUE_BIN &&
	    pv.len == 16) {
		char text[80];
		id_text(text, f->ref_type, pv.p);
		d = node_doc_str(text);
	} else {
		d = value_doc(&pv);
	}
	if (plain) {
		sodium_memzero(plain, v->len);
		free(plain);
	}
	return d;
}

static void writer(struct node_ctx *n, struct node_doc *o,
		   const struct crdt_dot *dot, uint64_t hlc)
{
	char hex[65], at[32];
	node_hex(hex, dot->author, 32);
	crdt_hlc_rfc3339(at, hlc);
	/* The newest version that lists the key: a member removed, or
	 * whose key was replaced, is still named. */
	const struct node_member *m = node_ledger_member(n->ledger, dot->author);
	node_doc_set(o, "by", node_doc_str(hex));
	node_doc_set(o, "by_name", m ? node_doc_str(m->name) : node_doc_null());
	node_doc_set(o, "by_role",
		     m ? node_doc_str(node_role_name(m->role))
		       : node_doc_null());
	node_doc_set(o, "at", node_doc_str(at));
}

/* One element of a set as shown: ordered by its value's encoding, as
 * the set's elements are stored, but of the plaintext where this node
 * opens a sealed one (two sealed forms of one value shown once). */
struct shown_elem {
	uint8_t *key;
	size_t key_len;
	struct node_doc *doc;
};

static int shown_elem_cmp(const void *a, const void *b)
{
	const struct shown_elem *x = a, *y = b;
	size_t m = x->key_len < y->key_len ? x->key_len : y->key_len;
	int r = memcmp(x->key, y->key, m);
	return r ? r : (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

static struct node_doc *set_doc(struct node_ctx *n, const uint8_t id[16],
				const struct node_field *f,
				const struct crdt_cell *c)
{
	struct shown_elem *v = calloc(c->n_elems ? c->n_elems : 1, sizeof(*v));
	if (!v)
		abort();
	for (size_t i = 0; i < c->n_elems; i++) {
		const struct crdt_value *ev = &c->elems[i].value;
		struct crdt_value pv = *ev;
		uint8_t *plain = malloc(ev->len + 1);
		if (!plain)
			abort();
		if (f && node_keyring_open(n, id, f, ev, plain, ev->len + 1,
					   &pv) != 0)
			pv = *ev;
		struct crdt_buf b;
		crdt_buf_init(&b);
		crdt_value_encode(&b, &pv);
		v[i].key = crdt_buf_take(&b, &v[i].key_len);
		v[i].doc = field_value_doc(n, id, f, ev);
		sodium_memzero(plain, ev->len + 1);
		free(plain);
	}
	qsort(v, c->n_elems, sizeof(*v), shown_elem_cmp);
	struct node_doc *arr = node_doc_array();
	for (size_t i = 0; i < c->n_elems; i++) {
		bool again = i && v[i].key_len == v[i - 1].key_len &&
			     !memcmp(v[i].key, v[i - 1].key, v[i].key_len);
		if (again)
			node_doc_free(v[i].doc);
		else
			node_doc_push(arr, v[i].doc);
	}
	/* freed after: each key is compared with the one before it */
	for (size_t i = 0; i < c->n_elems; i++)
		free(v[i].key);
	free(v);
	return arr;
}

/* record_doc's view of one field. */
struct fields_scan {
	struct node_ctx *n;
	const uint8_t *id;
	const struct node_type *t;
	struct node_doc *fields;
};

static int field_doc(void *ctx, const char *name, const struct crdt_cell *c)
{
	struct fields_scan *fs = ctx;
	struct node_ctx *n = fs->n;
	const struct node_type *t = fs->t;
	struct node_doc *fields = fs->fields;
	const struct node_field *f =
	    t ? node_schema_field(t, name, strlen(name)) : NULL;
	struct node_doc *fd = node_doc_object();
	if (c->is_set) {
		if (c->n_elems == 0) {
			node_doc_free(fd);
			return 0;
		}
		node_doc_set(fd, "value", set_doc(n, fs->id, f, c));
	} else {
		const struct crdt_version *shown = crdt_cell_shown(c);
		if (!shown) {
			node_doc_free(fd);
			return 0;
		}
		struct node_doc *sv = field_value_doc(n, fs->id, f,
						      &shown->value);
		if (node_doc_get(sv, "sealed"))
			node_doc_set(fd, "sealed", node_doc_bool(true));
		node_doc_set(fd, "value", sv);
		writer(n, fd, &shown->dot, shown->hlc);
		if (c->n_live > 1) {
			struct node_doc *conf = node_doc_array();
			for (size_t i = 0; i < c->n_live; i++)
				node_doc_push(
				    conf, field_value_doc(
					      n, fs->id, f, &c->live[i].value));
			node_doc_set(fd, "conflict", conf);
		}
		struct node_doc *vers = node_doc_array();
		for (size_t i = 0; i < c->n_live; i++) {
			struct node_doc *v = node_doc_object();
			node_doc_set(
			    v, "value",
			    field_value_doc(n, fs->id, f, &c->live[i].value));
			writer(n, v, &c->live[i].dot, c->live[i].hlc);
			node_doc_push(vers, v);
		}
		node_doc_set(fd, "versions", vers);
	}
	node_doc_set(fields, name, fd);
	return 0;
}

static struct node_doc *record_doc(struct node_ctx *n, const uint8_t id[16],
				   const struct node_entity *e)
{
	struct node_doc *d = node_doc_object();
	char text[80], hex[33];
	id_text(text, e->type, id);
	node_hex(hex, id, 16);
	node_doc_set(d, "id", node_doc_str(text));
	node_doc_set(d, "entity", node_doc_str(hex));
	node_doc_set(d, "type", node_doc_str(e->type));
	node_doc_set(d, "scope", node_doc_str(e->scope));
	struct node_doc *created = node_doc_object();
	writer(n, created, &e->created, e->hlc);
	node_doc_set(d, "created", created);
	const struct node_type *t = node_schema_type(e->type, strlen(e->type));
	struct node_doc *fields = node_doc_object();
	struct fields_scan fs = {.n = n, .id = id, .t = t, .fields = fields};
	node_ledger_each_cell(n->ledger, id, field_doc, &fs);
	node_doc_set(d, "fields", fields);
	return d;
}

/* ---- building ops from text (ops.h) ---- */

/* A reference as add and set take it: "TYPE-hex" or a hex prefix of a
 * record of the field's type (node_ops_ref_fn). */
int node_api_ref(void *ctx, const struct node_field *f, const char *text,
		 uint8_t id[16], struct node_reason *why)
{
	struct node_ctx *n = ctx;
	struct node_entity e;
	int rc = resolve(n, text, id, &e, why);
	if (rc != 0) {
		NODE_REASON_TAIL(why, MSG_FIELD, f->name);
		return rc;
	}
	if (strcmp(e.type, f->ref_type) != 0) {
		NODE_REASON_LONG(why, MSG_NOT, f->name, text, e.type,
				 f->ref_type);
		return -EINVAL;
	}
	return 0;
}

static int do_write(struct node_ctx *n, const char *scope, struct node_ops *b,
		    uint64_t *seq, struct node_reason *why)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (!r) {
		NODE_REASON0(why, MSG_NODE_HAS_NOT_JOINED_NETWORK);
		return -ENOTCONN;
	}
	int rc = node_ctx_may_sign(n, why);
	if (rc)
		return rc;
	/* H and ID values sealed to their groups (keyring.h): a key record
	 * may be put first, which renames the entry's creates. */
	uint64_t next;
	node_ledger_next_seq(n->ledger, n->pk, scope, &next);
	struct node_sealed_ops so;
	rc = node_keyring_seal(n, scope, next, b->ops, b->n, &so, why);
	if (rc) {
		node_refused(why);
		return -EINVAL;
	}
	struct node_write w = {.scope = scope, .n_ops = so.n, .ops = so.ops};
	rc = node_ledger_write(n->ledger, n->sk, n->pk, &w, now_ms(), seq, why);
	if (rc) {
		node_refused(why);
		rc = rc == -EIO ? -EIO : -EINVAL;
		node_keyring_forget_made(n);
	}
	for (size_t i = 0; i < b->n; i++)
		if (b->ops[i].code == CRDT_OP_CREATE)
			memcpy(b->ops[i].entity, so.created[i], 16);
	node_sealed_ops_fini(&so);
	return rc;
}

/* ---- handlers ---- */

static int api_add(struct node_ctx *n, const struct node_doc *req,
		   struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	struct node_ops b = {0};
	const char *tname = node_doc_get_str(req, "type");
	const struct node_type *t =
	    tname ? node_schema_type_find(tname, strlen(tname)) : NULL;
	const struct node_doc *fields = node_doc_get(req, "fields");
	char scope[13] = "";
	if (!t) {
		char list[512] = "";
		for (size_t i = 0; i < node_schema_type_count(); i++) {
			size_t l = strlen(list);
			snprintf(list + l, sizeof(list) - l, "%s%s",
				 i ? ", " : "", node_schema_type_at(i)->name);
		}
		FAIL(-EINVAL, MSG_UNKNOWN_RECORD_TYPE_TYPES, tname ? tname : "",
		     list);
	}
	/* Scope: given, or the referenced patient's. */
	const char *given = node_doc_get_str(req, "scope");
	if (given && !crdt_scope_normalise(given, scope))
		FAIL(-EINVAL, MSG_SCOPE_NOT_REGION_CODE_2, given);
	if (t->patient_field) {
		for (size_t i = 0; fields && i < node_doc_len(fields); i++) {
			const struct node_doc *p = node_doc_at(fields, i);
			const char *fname =
			    node_doc_as_str(node_doc_at(p, 0), NULL);
			const struct node_field *f =
			    node_schema_field(t, fname, strlen(fname));
			if (!f || strcmp(f->name, t->patient_field) != 0)
				continue;
			uint8_t pid[16];
			struct node_entity pe;
			const char *text =
			    node_doc_as_str(node_doc_at(p, 1), NULL);
			if ((rc = resolve(n, text, pid, &pe, why)) != 0)
				goto fail;
			if (*scope && strcmp(scope, pe.scope) != 0)
				FAIL(-EINVAL,
				     MSG_RECORDS_ABOUT_PATIENT_TAKE_PATIENT,
				     pe.scope, scope);
			snprintf(scope, sizeof(scope), "%s", pe.scope);
		}
	}
	if (!*scope && t->patient_field &&
	    node_schema_field(t, t->patient_field, strlen(t->patient_field))
		->required)
		FAIL(-EINVAL, MSG_REG_ADD_NEEDS_PATIENT,
		     n->lang_zh ? t->label_zh : t->name);
	if (!*scope)
		FAIL0(-EINVAL, MSG_SAY_WHERE_RECORD_BELONGS_SCOPE);
	uint64_t seq;
	node_ledger_next_seq(n->ledger, n->pk, scope, &seq);
	uint8_t entity[16];
	crdt_entity_id(entity, n->pk, scope, seq, 0);
	node_ops_push(&b, CRDT_OP_CREATE, entity, t->name);
	for (size_t i = 0; fields && i < node_doc_len(fields); i++) {
		const struct node_doc *p = node_doc_at(fields, i);
		const char *fname = node_doc_as_str(node_doc_at(p, 0), NULL);
		const char *text = node_doc_as_str(node_doc_at(p, 1), NULL);
		const struct node_field *f =
		    node_schema_field(t, fname, strlen(fname));
		if (!f)
			FAIL(-EINVAL, MSG_HAS_NO_FIELD, t->name, fname);
		for (size_t k = 0; k < i; k++) {
			const char *prev = node_doc_as_str(
			    node_doc_at(node_doc_at(fields, k), 0), NULL);
			if (node_schema_field(t, prev, strlen(prev)) == f)
				FAIL(-EINVAL, MSG_FIELD_GIVEN_TWICE, f->name);
		}
		if (!*text)
			continue;
		struct node_ops_field in = {.entity = entity,
					    .f = f,
					    .text = text,
					    .how = NODE_OPS_ADD,
					    .ref = node_api_ref,
					    .ref_ctx = n};
		if (!f->is_set)
			in.how = NODE_OPS_ASSIGN;
		if ((rc = node_ops_field(&b, &in, why)) != 0)
			goto fail;
	}
	for (size_t i = 0; i < t->n_fields; i++) {
		const struct node_field *f = &t->fields[i];
		if (!f->required)
			continue;
		bool have = false;
		for (size_t k = 1; k < b.n; k++)
			have |= strcmp(b.ops[k].name, f->name) == 0;
		if (!have)
			FAIL(-EINVAL, MSG_NEEDS, t->name, f->name);
	}
	struct node_doc *warn = NULL;
	if ((rc = node_check_write(n, t, NULL, b.ops, b.n, &warn, why)) != 0)
		goto fail;
	if ((rc = do_write(n, scope, &b, &seq, why)) != 0) {
		node_doc_free(warn);
		goto fail;
	}
	memcpy(entity, b.ops[0].entity, 16); /* renamed when a key came first */
	struct node_entity e;
	node_ledger_entity(n->ledger, entity, &e);
	node_ops_fini(&b);
	return (*out = node_check_attach(record_doc(n, entity, &e), warn), 0);
fail:
	node_ops_fini(&b);
	return rc;
}

static int api_set(struct node_ctx *n, const struct node_doc *req,
		   struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	struct node_ops b = {0};
	uint8_t id[16];
	struct node_entity e;
	const char *idtext = node_doc_get_str(req, "id");
	if (!idtext)
		rc = -EIO; /* the CLI always sends one */
	else
		rc = resolve(n, idtext, id, &e, why);
	if (rc)
		goto fail;
	if (!e.valid) {
		node_entity_why(&e, why);
		NODE_REASON_WRAP(why, MSG_HAS_NO_EFFECT_CANNOT_CHANGED, idtext,
				 NODE_REASON_INNER);
		rc = -EINVAL;
		goto fail;
	}
	const struct node_type *t = node_schema_type(e.type, strlen(e.type));
	const struct node_doc *changes = node_doc_get(req, "changes");
	for (size_t i = 0; changes && i < node_doc_len(changes); i++) {
		const struct node_doc *c = node_doc_at(changes, i);
		const char *fname = node_doc_as_str(node_doc_at(c, 0), NULL);
		const char *how = node_doc_as_str(node_doc_at(c, 1), NULL);
		const char *text = node_doc_as_str(node_doc_at(c, 2), NULL);
		const struct node_field *f =
		    node_schema_field(t, fname, strlen(fname));
		if (!f)
			FAIL(-EINVAL, MSG_HAS_NO_FIELD, t->name, fname);
		/* plaintext, sealed fields opened (keyring.h) */
		struct crdt_cell cell;
		node_keyring_cell(n, id, f->name, &cell);
		struct node_ops_field in = {
		    .entity = id,
		    .f = f,
		    .text = text,
		    .how = !strcmp(how, "=")	 ? NODE_OPS_ASSIGN
			   : !strcmp(how, "-=") ? NODE_OPS_REMOVE
						: NODE_OPS_ADD,
		    .cell = &cell,
		    .ref = node_api_ref,
		    .ref_ctx = n};
		rc = node_ops_field(&b, &in, why);
		crdt_cell_fini(&cell);
		if (rc)
			goto fail;
	}
	if (b.n == 0)
		FAIL0(-EINVAL, MSG_NOTHING_CHANGE_GIVE_FIELD_VALUE);
	uint64_t seq;
	struct node_doc *warn = NULL;
	if ((rc = node_check_write(n, t, id, b.ops, b.n, &warn, why)) != 0)
		goto fail;
	if ((rc = do_write(n, e.scope, &b, &seq, why)) != 0) {
		node_doc_free(warn);
		goto fail;
	}
	node_ops_fini(&b);
	return (*out = node_check_attach(record_doc(n, id, &e), warn), 0);
fail:
	node_ops_fini(&b);
	return rc;
}

static int api_show(struct node_ctx *n, const struct node_doc *req,
		    struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	uint8_t id[16];
	struct node_entity e;
	const char *idtext = node_doc_get_str(req, "id");
	if (!idtext)
		return -EIO; /* the CLI always sends one */
	if ((rc = resolve(n, idtext, id, &e, why)) != 0)
		return rc;
	bool timeline = node_doc_get_bool(req, "timeline", false);
	if (timeline && strcmp(e.type, "patient") != 0) {
		NODE_REASON_LONG(why, MSG_TIMELINE_IS_FOR_A_PATIENT, idtext,
				 e.type);
		return -EINVAL;
	}
	struct node_doc *d = record_doc(n, id, &e);
	if (!e.valid) {
		struct node_reason r;
		char text[512];
		node_entity_why(&e, &r);
		node_doc_set(d, "no_effect",
			     node_doc_str(node_api_reason(n, &r, text,
							  sizeof(text))));
	}
	node_query_related(n, id, &e, d);
	if (timeline)
		node_doc_set(d, "timeline", node_worklist_timeline(n, id));
	char what[NODE_PATH_MAX + 64];
	node_access_log_doc(
	    n, req, "show",
	    node_worklist_log_what(req, e.type, what, sizeof(what)), d);
	return (*out = d, 0);
}

/* api_history's view of one op. */
struct history_scan {
	struct node_ctx *n;
	const struct node_type *t;
	struct node_doc *out;
};

static int history_op(void *ctx, const struct node_ledger_op *x)
{
	static const char *op_names[] = {"create", "set", "add", "remove"};
	struct history_scan *hs = ctx;
	struct node_ctx *n = hs->n;
	const struct node_type *t = hs->t;
	const struct crdt_op *op = x->op;
	struct node_doc *o = node_doc_object();
	struct crdt_dot dot;
	memcpy(dot.author, x->author, 32);
	dot.seq = x->seq;
	dot.index = x->index;
	writer(n, o, &dot, x->hlc);
	node_doc_set(o, "seq", node_doc_int((int64_t)x->seq));
	node_doc_set(o, "index", node_doc_int(x->index));
	node_doc_set(
	    o, "hlc",
	    node_doc_strf("%llu", (unsigned long long)x->hlc));
	node_doc_set(o, "op", node_doc_str(op_names[op->code]));
	node_doc_set(
	    o, "field",
	    op->code == CRDT_OP_CREATE
		? node_doc_null()
		: node_doc_strn(op->name, op->name_len));
	const struct node_field *f =
	    t && op->code != CRDT_OP_CREATE
		? node_schema_field(t, op->name, op->name_len)
		: NULL;
	node_doc_set(o, "value",
		     op->code == CRDT_OP_CREATE
			 ? node_doc_strn(op->name, op->name_len)
			 : field_value_doc(n, op->entity, f, &op->value));
	if (op->code == CRDT_OP_SET ||
	    op->code == CRDT_OP_REMOVE) {
		struct node_doc *dots = node_doc_array();
		for (size_t i = 0; i < op->n_dots; i++) {
			char hex[65];
			node_hex(hex, op->dots[i].author, 32);
			node_doc_push(
			    dots,
			    node_doc_strf(
				"%s/%llu/%u", hex,
				(unsigned long long)op->dots[i]
				    .seq,
				op->dots[i].index));
		}
		node_doc_set(o,
			     op->code == CRDT_OP_SET
				 ? "pred"
				 : "observed",
			     dots);
	}
	if (x->finding) {
		node_doc_set(o, "effect", node_doc_bool(false));
		char text[512];
		node_doc_set(o, "why",
			     node_doc_str(node_api_reason(n, x->finding, text,
							  sizeof(text))));
	} else {
		node_doc_set(o, "effect", node_doc_bool(true));
	}
	node_doc_push(hs->out, o);
	return 0;
}

static int api_history(struct node_ctx *n, const struct node_doc *req,
		       struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	uint8_t id[16];
	struct node_entity e;
	const char *idtext = node_doc_get_str(req, "id");
	if (!idtext)
		return -EIO; /* the CLI always sends one */
	if ((rc = resolve(n, idtext, id, &e, why)) != 0)
		return rc;
	const struct node_type *t = node_schema_type(e.type, strlen(e.type));
	struct node_doc *arr = node_doc_array();
	struct history_scan hs = {.n = n, .t = t, .out = arr};
	node_ledger_record_history(n->ledger, id, history_op, &hs);
	*out = arr;
	return 0;
}

/* A member's name for a key, or NULL. */
static const char *member_name(const struct node_roster *r,
			       const uint8_t key[32])
{
	const struct node_member *m = r ? node_roster_find(r, key) : NULL;
	return m ? m->name : NULL;
}

static struct node_doc *str_or_null(const char *s)
{
	return s ? node_doc_str(s) : node_doc_null();
}

struct proofs_arg {
	struct node_doc *list;
	struct node_ledger *l;
};

/* One proof as status shows it. */
static int proof_doc(void *arg, enum node_proof_kind kind, const uint8_t *a,
		     size_t a_len, const uint8_t *b, size_t b_len)
{
	struct node_doc *list = ((struct proofs_arg *)arg)->list;
	struct node_ledger *l = ((struct proofs_arg *)arg)->l;
	const struct node_roster *r = node_ledger_roster(l);
	struct node_doc *p = node_doc_object();
	char hex[65];
	if (kind == NODE_PROOF_FORK) {
		struct crdt_entry ea, eb;
		node_doc_set(p, "kind", node_doc_str("fork"));
		if (crdt_entry_decode(a, a_len, &ea, NULL) == 0) {
			if (crdt_entry_decode(b, b_len, &eb, NULL) == 0) {
				node_hex(hex, ea.author, 32);
				node_doc_set(p, "author", node_doc_str(hex));
				node_doc_set(p, "name", str_or_null(member_name(
							    r, ea.author)));
				node_doc_set(p, "scope", node_doc_str(ea.scope));
				node_doc_set(p, "seq",
					     node_doc_int((int64_t)ea.seq));
				struct node_doc *h = node_doc_array();
				node_hex(hex, ea.hash, 32);
				node_doc_push(h, node_doc_str(hex));
				node_hex(hex, eb.hash, 32);
				node_doc_push(h, node_doc_str(hex));
				node_doc_set(p, "hashes", h);
				crdt_entry_fini(&eb);
			}
			crdt_entry_fini(&ea);
		}
	} else {
		struct node_checkpoint ca, cb;
		enum node_msg why;
		node_doc_set(p, "kind", node_doc_str("divergence"));
		/* Checked in full when the proof was kept. */
		if (node_checkpoint_read(l, a, a_len, &ca, &why) == 0 &&
		    node_checkpoint_read(l, b, b_len, &cb, &why) == 0) {
			struct node_doc *nodes = node_doc_array();
			struct node_doc *names = node_doc_array();
			struct node_doc *digests = node_doc_array();
			const struct node_checkpoint *c[2] = {&ca, &cb};
			for (int i = 0; i < 2; i++) {
				node_hex(hex, c[i]->node, 32);
				node_doc_push(nodes, node_doc_str(hex));
				node_doc_push(names, str_or_null(member_name(
							 r, c[i]->node)));
				node_hex(hex, c[i]->digest, 32);
				node_doc_push(digests, node_doc_str(hex));
			}
			node_doc_set(p, "nodes", nodes);
			node_doc_set(p, "names", names);
			node_doc_set(p, "digests", digests);
			node_doc_set(p, "feeds",
				     node_doc_int((int64_t)ca.n_feeds));
			node_doc_set(p, "roster_version",
				     node_doc_int((int64_t)ca.roster_version));
		}
	}
	node_doc_push(list, p);
	return 0;
}

/* Every fork and divergence proof held. */
static struct node_doc *proofs_doc(struct node_ledger *l)
{
	struct proofs_arg arg = {node_doc_array(), l};
	node_proofs_each(l, proof_doc, &arg);
	return arg.list;
}

/* ward unblock --accept-fork-risk: the operator says this node may sign
 * without a peer's confirmation of its own feeds (the markers of an
 * unclean stop or a restore go; a running wardd also stops waiting). */
static int api_unblock(struct node_ctx *n, const struct node_doc *req,
		       struct node_doc **out, struct node_reason *why)
{
	if (!node_doc_get_bool(req, "accept_fork_risk", false)) {
		NODE_REASON0(why, MSG_WARD_UNBLOCK_LETS_NODE_SIGN);
		return -EINVAL;
	}
	bool was = node_ctx_unconfirmed(n) || node_ctx_restored(n);
	int rc = node_ctx_mark_unconfirmed(n, false);
	if (rc == 0)
		rc = node_ctx_clear_restored(n);
	if (rc) {
		NODE_REASON0(why, MSG_CANNOT_WRITE_STORE);
		return -EIO;
	}
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "unblocked", node_doc_bool(true));
	node_doc_set(d, "was_blocked", node_doc_bool(was));
	return (*out = d, 0);
}

/* The store's table files, and how many wait in level 0 to be compacted:
 * every lookup reads each of those (null for a memory store). */
static struct node_doc *store_doc(struct node_kv *kv)
{
	uint64_t level0, files = 0, at;
	if (node_kv_property(kv, "rocksdb.num-files-at-level0", &level0) != 0)
		return node_doc_null();
	for (int level = 0; level < 7; level++) {
		char name[64];
		snprintf(name, sizeof(name), "rocksdb.num-files-at-level%d",
			 level);
		if (node_kv_property(kv, name, &at) == 0)
			files += at;
	}
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "table_files", node_doc_int((int64_t)files));
	node_doc_set(d, "level0_files", node_doc_int((int64_t)level0));
	return d;
}

static int api_status(struct node_ctx *n, const struct node_doc *req,
		      struct node_doc **out, struct node_reason *why)
{
	(void)req;
	(void)why;
	struct node_doc *d = node_doc_object();
	char hex[65];
	node_hex(hex, n->pk, 32);
	node_doc_set(d, "node_id", node_doc_str(hex));
	const struct node_roster *r = node_ledger_roster(n->ledger);
	const struct node_member *m = r ? node_roster_find(r, n->pk) : NULL;
	node_doc_set(d, "name", m ? node_doc_str(m->name) : node_doc_null());
	node_doc_set(d, "role",
		     m ? node_doc_str(node_role_name(m->role))
		       : node_doc_null());
	node_doc_set(d, "scope", m ? node_doc_str(m->scope) : node_doc_null());
	if (r) {
		uint8_t nid[32];
		node_ledger_net_id(n->ledger, nid);
		node_hex(hex, nid, 32);
		node_doc_set(d, "net_id", node_doc_str(hex));
		node_doc_set(d, "roster_version",
			     node_doc_int((int64_t)r->version));
		node_doc_set(d, "members", node_doc_int((int64_t)r->n_members));
	} else {
		node_doc_set(d, "net_id", node_doc_null());
	}
	uint8_t dg[32];
	node_ledger_digest(n->ledger, dg);
	node_hex(hex, dg, 32);
	node_doc_set(d, "digest", node_doc_str(hex));
	node_doc_set(d, "entries",
		     node_doc_int((int64_t)node_ledger_entry_count(n->ledger)));
	/* Entries that came with an hlc over 60 s ahead of this node's clock
	 * (accepted; DESIGN.md section 4): a peer's clock, or ours, is off. */
	struct node_clock_skew sk;
	node_ledger_clock_skew(n->ledger, &sk);
	node_doc_set(d, "clock_skew_entries", node_doc_int((int64_t)sk.count));
	if (sk.count) {
		struct node_doc *last = node_doc_object();
		node_hex(hex, sk.author, 32);
		node_doc_set(last, "author", node_doc_str(hex));
		node_doc_set(last, "scope", node_doc_str(sk.scope));
		node_doc_set(last, "seq", node_doc_int((int64_t)sk.seq));
		char at[32];
		crdt_hlc_rfc3339(at, sk.hlc);
		node_doc_set(last, "at", node_doc_str(at));
		node_doc_set(d, "clock_skew_last", last);
	} else {
		node_doc_set(d, "clock_skew_last", node_doc_null());
	}
	struct node_doc *feeds = node_doc_array();
	struct node_feed_head *heads = NULL;
	size_t n_heads = 0;
	if (node_ledger_heads(n->ledger, &heads, &n_heads) != 0)
		n_heads = 0;
	for (size_t i = 0; i < n_heads; i++) {
		struct node_doc *f = node_doc_object();
		node_hex(hex, heads[i].author, 32);
		node_doc_set(f, "author", node_doc_str(hex));
		node_doc_set(f, "scope", node_doc_str(heads[i].scope));
		node_doc_set(f, "seq", node_doc_int((int64_t)heads[i].seq));
		node_hex(hex, heads[i].head, 32);
		node_doc_set(f, "head", node_doc_str(hex));
		node_doc_push(feeds, f);
	}
	free(heads);
	node_doc_set(d, "feeds", feeds);
	node_doc_set(d, "proofs", proofs_doc(n->ledger));
	node_doc_set(d, "store", store_doc(n->kv));
	/* per group this node reads: keys held and missing (keyring.h) */
	node_doc_set(d, "keys", node_keyring_status(n));
	node_api_roster_status(n, d);
	/* Made from `ward backup`: may be behind its own feeds. */
	node_doc_set(d, "restored", node_doc_bool(node_ctx_restored(n)));
	/* Served in-process no daemon runs: every peer is disconnected. A
	 * running wardd answers status itself with live peers and whether
	 * it runs insecure. */
	node_doc_set(d, "insecure", node_doc_bool(false));
	node_doc_set(d, "daemon", node_doc_bool(false));
	struct node_doc *peers = node_doc_array();
	for (size_t i = 0; r && i < r->n_members; i++) {
		const struct node_member *pm = &r->members[i];
		if (!memcmp(pm->key, n->pk, 32))
			continue;
		struct node_doc *p = node_doc_object();
		node_hex(hex, pm->key, 32);
		node_doc_set(p, "node_id", node_doc_str(hex));
		node_doc_set(p, "name", node_doc_str(pm->name));
		node_doc_set(p, "address", node_doc_str(pm->address));
		node_doc_set(p, "connected", node_doc_bool(false));
		node_doc_set(p, "lag_entries", node_doc_null());
		node_doc_set(p, "last_seen", node_doc_null());
		node_doc_push(peers, p);
	}
	node_doc_set(d, "peers", peers);
	return (*out = d, 0);
}

static int api_export_entries(struct node_ctx *n, const struct node_doc *req,
			      struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	const char *path = node_doc_get_str(req, "path");
	FILE *f = path ? node_export_file_open(path) : NULL; /* 0600 */
	if (!f)
		FAIL(-EIO, MSG_CANNOT_WRITE, path ? path : "(none)");
	struct node_ledger_log *log = node_ledger_log_open(n->ledger);
	int64_t count = 0;
	bool ok = log != NULL;
	struct node_log_pos pos;
	const uint8_t *v;
	size_t vl;
	while (ok && node_ledger_log_next(log, &pos, &v, &vl) == 1) {
		ok &= fwrite(v, 1, vl, f) == vl;
		count++;
	}
	node_ledger_log_close(log);
	ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok &= fclose(f) == 0;
	if (!ok)
		FAIL(-EIO, MSG_WRITING_FAILED, path);
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "entries", node_doc_int(count));
	node_doc_set(d, "path", node_doc_str(path));
	return (*out = d, 0);
fail:
	return rc;
}

struct pending_entry {
	const uint8_t *p;
	size_t len;
	size_t index;
};

static int api_import_entries(struct node_ctx *n, const struct node_doc *req,
			      struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	const char *path = node_doc_get_str(req, "path");
	if (!node_ledger_roster(n->ledger))
		FAIL0(-ENOTCONN, MSG_NODE_HAS_NOT_JOINED_NETWORK_2);
	FILE *f = path ? fopen(path, "rb") : NULL;
	if (!f)
		FAIL(-EINVAL, MSG_CANNOT_READ, path ? path : "(none)");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *buf = crdt_xmalloc(size > 0 ? (size_t)size : 1);
	if (size < 0 || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(buf);
		FAIL(-EIO, MSG_CANNOT_READ, path);
	}
	fclose(f);
	/* Split into entries. */
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, buf, (size_t)size, true);
	size_t n_ent = 0, cap = 0;
	struct pending_entry *ents = NULL;
	while (crdt_mp_left(&c) > 0) {
		const uint8_t *start = c.p;
		if (crdt_mp_skip(&c) != 0) {
			size_t at = (size_t)(start - buf);
			free(ents);
			free(buf);
			FAIL(-EINVAL, MSG_ENTRY_BYTE_NOT_MESSAGEPACK_NOTHING,
			     path, n_ent + 1, at);
		}
		if (n_ent == cap) {
			cap = cap ? 2 * cap : 64;
			ents = crdt_xrealloc(ents, cap * sizeof(*ents));
		}
		ents[n_ent] = (struct pending_entry){
		    start, (size_t)(c.p - start), n_ent + 1};
		n_ent++;
	}
	size_t applied = 0, dup = 0, bad = 0;
	struct node_doc *rejected = node_doc_array();
	struct node_wire *wires = crdt_xcalloc(n_ent, sizeof(*wires));
	int *res = crdt_xcalloc(n_ent, sizeof(*res));
	enum node_msg *whys = crdt_xcalloc(n_ent, sizeof(*whys));
	enum node_lang lang = n->lang_zh ? NODE_LANG_ZH : NODE_LANG_EN;
	/* Apply in passes: an entry ahead of its feed waits for the next. */
	bool progress = true;
	size_t left = n_ent;
	while (left > 0 && progress) {
		progress = false;
		for (size_t i = 0; i < left; i++)
			wires[i] = (struct node_wire){ents[i].p, ents[i].len};
		if (node_verify_ingest_many(n->ledger, wires, left, 1000, true,
					    res, whys) != 0) {
			free(ents);
			free(buf);
			free(wires);
			free(res);
			free(whys);
			node_doc_free(rejected);
			FAIL0(-EIO, MSG_STORE_WRITE_FAILED);
		}
		size_t w = 0;
		for (size_t i = 0; i < left; i++) {
			int r = res[i];
			if (r == -EAGAIN) {
				ents[w++] = ents[i];
				continue;
			}
			progress = true;
			if (r == 1) {
				dup++;
			} else if (r == 0) {
				applied++;
			} else {
				bad++;
				struct crdt_entry e;
				const char *text =
				    node_catalog_text(lang, whys[i]);
				if (crdt_entry_decode(ents[i].p, ents[i].len,
						      &e, NULL) == 0) {
					char hex[65];
					node_hex(hex, e.author, 32);
					node_doc_push(
					    rejected,
					    node_doc_strf(
						MSG(n, MSG_IMPORT_AT),
						ents[i].index, hex, e.scope,
						(unsigned long long)e.seq,
						text));
					crdt_entry_fini(&e);
				} else {
					node_doc_push(
					    rejected,
					    node_doc_strf(
						MSG(n, MSG_IMPORT_AT_INDEX),
						ents[i].index, text));
				}
			}
		}
		left = w;
	}
	free(wires);
	free(res);
	free(whys);
	for (size_t i = 0; i < left; i++) {
		bad++;
		node_doc_push(rejected,
			      node_doc_strf(MSG(n, MSG_IMPORT_FEED_GAP),
					    ents[i].index));
	}
	free(ents);
	free(buf);
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "entries", node_doc_int((int64_t)n_ent));
	node_doc_set(d, "applied", node_doc_int((int64_t)applied));
	node_doc_set(d, "duplicates", node_doc_int((int64_t)dup));
	node_doc_set(d, "rejected", rejected);
	*out = d;
	return bad ? NODE_API_CHECK_FAILED : 0;
fail:
	return rc;
}

static int api_audit(struct node_ctx *n, const struct node_doc *req,
		     struct node_doc **out, struct node_reason *why)
{
	(void)req;
	return node_audit_verify(n, out, why);
}

/* ---- helpers for the handlers in other files (api.h) ---- */

struct node_doc *node_api_record_doc(struct node_ctx *n, const uint8_t id[16],
				     const struct node_entity *e)
{
	return record_doc(n, id, e);
}

int node_api_resolve(struct node_ctx *n, const char *text, uint8_t id[16],
		     struct node_entity *e, struct node_reason *why)
{
	return resolve(n, text, id, e, why);
}

int node_api_parse_value(struct node_ctx *n, const struct node_field *f,
			 const char *text, struct crdt_value *v, uint8_t *buf,
			 struct node_reason *why)
{
	return node_ops_parse(f, text, node_api_ref, n, v, buf, why);
}

/* {"dir": absolute path}: a consistent backup of this node in dir
 * (backup.c); answers where, when, and what it holds. */
static int api_backup(struct node_ctx *n, const struct node_doc *req,
		      struct node_doc **out, struct node_reason *why)
{
	const char *dir = node_doc_get_str(req, "dir");
	struct node_backup_info info;
	if (!dir || !*dir) {
		NODE_REASON0(why, MSG_BACKUP_NEEDS_DIRECTORY);
		return -EINVAL;
	}
	int rc = node_ctx_backup(n, dir, &info, why);
	if (rc)
		return rc;
	char hex[65], at[32];
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "dir", node_doc_str(dir));
	crdt_hlc_rfc3339(at, info.made_ms << 16);
	node_doc_set(d, "made", node_doc_str(at));
	node_doc_set(d, "entries", node_doc_int((int64_t)info.entries));
	node_hex(hex, info.digest, 32);
	node_doc_set(d, "digest", node_doc_str(hex));
	return (*out = d, 0);
}

struct handler {
	const char *cmd;
	node_api_fn fn;
};

static const struct handler handlers[] = {
    {"status", api_status},
    {"unblock", api_unblock},
    {"add", api_add},
    {"set", api_set},
    {"show", api_show},
    {"list", node_api_list},
    {"due", node_api_due},
    {"joint_missing", node_api_joint_missing},
    {"report", node_api_report_page},
    {"retract", node_api_retract},
    {"duplicates", node_api_duplicates},
    {"access_log", node_api_access_log},
    {"export_records", node_api_export_records},
    {"import_records", node_api_import_records},
    {"history", api_history},
    {"export_entries", api_export_entries},
    {"import_entries", api_import_entries},
    {"audit_verify", api_audit},
    {"backup", api_backup},
    {"roster_propose", node_api_roster_propose},
    {"roster_pending", node_api_roster_pending},
    {"roster_sign", node_api_roster_sign},
    {"roster_show", node_api_roster_show},
    {"roster_log", node_api_roster_log},
    {"roster_export", node_api_roster_export},
};

int node_api_dispatch(struct node_ctx *n, const struct node_doc *req,
		      struct node_doc **out, struct node_reason *why)
{
	*out = NULL;
	const char *cmd = node_doc_get_str(req, "cmd");
	for (size_t i = 0; cmd && i < sizeof(handlers) / sizeof(handlers[0]);
	     i++)
		if (!strcmp(handlers[i].cmd, cmd))
			return handlers[i].fn(n, req, out, why);
	NODE_REASON_LONG(why, MSG_UNKNOWN_REQUEST, cmd ? cmd : "");
	return -EINVAL;
}
