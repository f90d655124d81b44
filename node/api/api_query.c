/*
 * api_query.c: the local API's query handlers (node layer): `list` with
 * filters answered from the 'I' indexes, `due`, `joint_missing`, `report`
 * (query.c), and the records `show` relates to a patient.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/api/access.h"
#include "node/api/api.h"
#include "node/api/keyring.h"
#include "crdt/seal.h"
#include "node/api/api_worklist.h"
#include "node/api/node_int.h"
#include "node/ledger/index.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"
#include "node/records/report.h"


static void id_text(char out[80], const char *type, const uint8_t id[16])
{
	char hex[33];
	node_hex(hex, id, 16);
	snprintf(out, 80, "%.40s-%s", type, hex);
}

void node_api_shown_text(struct node_ctx *n, const uint8_t id[16],
			 const char *field, char *out, size_t out_len)
{
	struct crdt_cell c;
	out[0] = 0;
	if (node_keyring_cell(n, id, field, &c) != 0)
		return;
	const struct crdt_version *s = c.is_set ? NULL : crdt_cell_shown(&c);
	if (s && s->value.kind == CRDT_VALUE_STR)
		snprintf(out, out_len, "%.*s", (int)s->value.len,
			 (const char *)s->value.p);
	else if (s && s->value.kind == CRDT_VALUE_INT)
		snprintf(out, out_len, "%lld", (long long)s->value.i);
	else if (s && s->value.kind == CRDT_VALUE_BIN && s->value.len == 16 &&
		 out_len >= 33)
		node_hex(out, s->value.p, 16);
	crdt_cell_fini(&c);
}

static bool retracted(struct node_ctx *n, const uint8_t id[16])
{
	char v[8];
	node_api_shown_text(n, id, "retracted", v, sizeof(v));
	return !strcmp(v, "yes");
}

/* ---- ids from an index ---- */

struct ids {
	size_t n, cap;
	uint8_t (*v)[16];
};

static void ids_push(struct ids *s, const uint8_t id[16])
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = crdt_xrealloc(s->v, s->cap * 16);
	}
	memcpy(s->v[s->n++], id, 16);
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void ids_sort_unique(struct ids *s)
{
	if (s->n < 2)
		return;
	qsort(s->v, s->n, 16, id_cmp);
	size_t w = 1;
	for (size_t i = 1; i < s->n; i++)
		if (memcmp(s->v[i], s->v[w - 1], 16))
			memcpy(s->v[w++], s->v[i], 16);
	s->n = w;
}

static int ids_push_one(void *ctx, const uint8_t id[16])
{
	ids_push(ctx, id);
	return 0;
}

/* Entities under an index prefix (every key ends with the entity id). */
static void ids_scan(struct node_ctx *n, const uint8_t *prefix, size_t plen,
		     struct ids *out)
{
	struct node_kv_iter *it = node_kv_iter_new(n->kv, prefix, plen);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		if (kl >= plen + 16)
			ids_push(out, k + kl - 16);
	}
	node_kv_iter_free(it);
}

/* Records of type whose field holds the reference id. */
static void ids_referring(struct node_ctx *n, const char *type,
			  const char *field, const uint8_t id[16],
			  struct ids *out)
{
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t kl = node_index_prefix(k, type, field);
	memcpy(k + kl, id, 16);
	ids_scan(n, k, kl + 16, out);
}

/* ---- list ---- */

enum filter_op { F_EQ, F_GE, F_LE, F_RANGE };

struct filter {
	const struct node_field *f;
	enum filter_op op;
	bool empty; /* FIELD= : unset */
	struct crdt_value v, lo, hi;
	bool has_lo, has_hi;
	bool sealed; /* H or ID under the roster in force */
	uint8_t buf[CRDT_MAX_STR_BYTES + 16];
	uint8_t lo_buf[64], hi_buf[64];
};

static int bound(struct node_ctx *n, const struct node_field *f,
		 const char *text, struct crdt_value *v, uint8_t *buf,
		 struct node_reason *why)
{
	if (f->kind != NODE_FIELD_INT && f->kind != NODE_FIELD_DATE) {
		NODE_REASON_LONG(why, MSG_RANGES_N_N_APPLY_NUMBERS, f->name);
		return -EINVAL;
	}
	uint8_t big[CRDT_MAX_STR_BYTES + 16];
	int rc = node_api_parse_value(n, f, text, v, big, why);
	if (rc != 0)
		return rc;
	if (v->kind == CRDT_VALUE_STR) {
		memcpy(buf, v->p, v->len < 63 ? v->len : 63);
		v->p = buf;
	}
	return 0;
}

/* Parses [field, value] as the CLI sends FIELD=VALUE, FIELD>=N (field
 * "FIELD>"), FIELD<=N ("FIELD<"), FIELD=N.., FIELD=..N, FIELD=A..B. */
static int parse_filter(struct node_ctx *n, const struct node_type *t,
			const char *fname, const char *text, struct filter *x,
			struct node_reason *why)
{
	char name[64];
	snprintf(name, sizeof(name), "%s", fname);
	size_t l = strlen(name);
	x->op = F_EQ;
	if (l > 1 && (name[l - 1] == '>' || name[l - 1] == '<')) {
		x->op = name[l - 1] == '>' ? F_GE : F_LE;
		name[--l] = 0;
	}
	x->f = node_schema_field(t, name, l);
	if (!x->f) {
		NODE_REASON_LONG(why, MSG_HAS_NO_FIELD, t->name, name);
		return -EINVAL;
	}
	const char *dots = strstr(text, "..");
	if (x->op == F_EQ && dots) {
		char a[64], b[64];
		snprintf(a, sizeof(a), "%.*s", (int)(dots - text), text);
		snprintf(b, sizeof(b), "%s", dots + 2);
		x->op = F_RANGE;
		int rc;
		if (*a) {
			if ((rc = bound(n, x->f, a, &x->lo, x->lo_buf, why)))
				return rc;
			x->has_lo = true;
		}
		if (*b) {
			if ((rc = bound(n, x->f, b, &x->hi, x->hi_buf, why)))
				return rc;
			x->has_hi = true;
		}
		return 0;
	}
	if (x->op != F_EQ) {
		struct crdt_value *v = x->op == F_GE ? &x->lo : &x->hi;
		uint8_t *buf = x->op == F_GE ? x->lo_buf : x->hi_buf;
		int rc = bound(n, x->f, text, v, buf, why);
		if (rc)
			return rc;
		x->has_lo = x->op == F_GE;
		x->has_hi = x->op == F_LE;
		x->op = F_RANGE;
		return 0;
	}
	if (!*text) {
		x->empty = true;
		return 0;
	}
	return node_api_parse_value(n, x->f, text, &x->v, x->buf, why);
}

static int value_cmp(const struct crdt_value *a, const struct crdt_value *b)
{
	if (a->kind == CRDT_VALUE_INT && b->kind == CRDT_VALUE_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (a->kind == CRDT_VALUE_STR && b->kind == CRDT_VALUE_STR) {
		size_t m = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->p, b->p, m);
		if (c)
			return c < 0 ? -1 : 1;
		return a->len < b->len ? -1 : a->len > b->len;
	}
	return 2; /* incomparable */
}

static bool in_range(const struct filter *x, const struct crdt_value *v)
{
	if (x->has_lo) {
		int c = value_cmp(v, &x->lo);
		if (c == 2 || c < 0)
			return false;
	}
	if (x->has_hi) {
		int c = value_cmp(v, &x->hi);
		if (c == 2 || c > 0)
			return false;
	}
	return true;
}

static bool filter_match(struct node_ctx *n, const uint8_t id[16],
			 const struct filter *x)
{
	struct crdt_cell c;
	if (node_keyring_cell(n, id, x->f->name, &c) != 0)
		return false;
	bool match = false;
	if (c.is_set) {
		if (x->empty)
			match = c.n_elems == 0;
		for (size_t i = 0; !x->empty && i < c.n_elems && !match; i++)
			match = x->op == F_EQ
				    ? crdt_value_equal(&c.elems[i].value, &x->v)
				    : in_range(x, &c.elems[i].value);
	} else {
		const struct crdt_version *s = crdt_cell_shown(&c);
		bool unset = !s || s->value.kind == CRDT_VALUE_NIL;
		if (x->empty)
			match = unset;
		else if (!unset)
			match = x->op == F_EQ
				    ? crdt_value_equal(&s->value, &x->v)
				    : in_range(x, &s->value);
	}
	crdt_cell_fini(&c);
	return match;
}

/* Candidates from the most selective index the query allows. */
static void candidates(struct node_ctx *n, const struct node_type *t,
		       const struct filter *fs, size_t nf, const char *scope,
		       struct ids *out)
{
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t kl;
	for (size_t i = 0; i < nf; i++) {
		/* an index of a sealed field holds sealed bytes: no lookup */
		if (!fs[i].f->indexed || fs[i].op != F_EQ || fs[i].empty ||
		    fs[i].sealed)
			continue;
		bool cut;
		kl = node_index_prefix(k, t->name, fs[i].f->name);
		kl = node_index_append_value(k, kl, &fs[i].v, &cut);
		ids_scan(n, k, kl, out);
		return;
	}
	if (*scope) {
		kl = node_index_prefix(k, t->name, "scope");
		memcpy(k + kl, scope, strlen(scope));
		ids_scan(n, k, kl + strlen(scope), out);
		return;
	}
	for (size_t i = 0; i < nf; i++) {
		if (!fs[i].f->indexed || fs[i].op != F_RANGE || fs[i].sealed)
			continue;
		size_t plen = node_index_prefix(k, t->name, fs[i].f->name);
		struct node_kv_iter *it = node_kv_iter_new(n->kv, k, plen);
		for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
			size_t len;
			const uint8_t *key = node_kv_iter_key(it, &len);
			struct crdt_value v;
			if (node_index_key_value(key, len, plen, fs[i].f->kind,
						 &v) != 0)
				continue;
			if (fs[i].has_hi && value_cmp(&v, &fs[i].hi) > 0 &&
			    (v.kind == CRDT_VALUE_INT ||
			     v.len >= NODE_INDEX_STR_MAX))
				break; /* keys are in value order */
			if (in_range(&fs[i], &v))
				ids_push(out, key + len - 16);
		}
		node_kv_iter_free(it);
		return;
	}
	node_ledger_each_of_type(n->ledger, t->name, ids_push_one, out);
}

int node_api_list(struct node_ctx *n, const struct node_doc *req,
		  struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	struct filter *fs = NULL;
	struct ids ids = {0};
	struct node_doc *rest = NULL;
	struct node_worklist_rows rows = {0};
	const char *tname = node_doc_get_str(req, "type");
	const struct node_type *t =
	    tname ? node_schema_type_find(tname, strlen(tname)) : NULL;
	if (!t)
		FAIL(-EINVAL, MSG_UNKNOWN_RECORD_TYPE, tname ? tname : "");
	/* (care_group= and the like: patients with or without a record) */
	struct node_worklist_presence pres;
	if ((rc = node_worklist_split_filters(
		 n, t, node_doc_get(req, "filters"), &rest, &pres, why)) != 0)
		goto fail;
	const struct node_doc *filters = rest;
	const char *scope = node_doc_get_str(req, "scope");
	const char *special = node_doc_get_str(req, "special");
	char norm[13] = "";
	if (scope && *scope && !crdt_scope_normalise(scope, norm))
		FAIL(-EINVAL, MSG_SCOPE_NOT_REGION_CODE_4, scope);
	size_t n_given = filters ? node_doc_len(filters) : 0;
	size_t nf = n_given + (special ? 1 : 0);
	fs = crdt_xcalloc(nf + 1, sizeof(*fs));
	bool want_retracted = false;
	for (size_t i = 0; i < nf; i++) {
		const char *fname = "special", *text = special;
		if (i < n_given) {
			const struct node_doc *p = node_doc_at(filters, i);
			fname = node_doc_as_str(node_doc_at(p, 0), NULL);
			text = node_doc_as_str(node_doc_at(p, 1), NULL);
		} else if (!node_schema_field(t, "special", 7)) {
			FAIL(-EINVAL, MSG_HAS_NO_SPECIAL_CATEGORIES, t->name);
		}
		if (!fname || !text)
			FAIL0(-EINVAL, MSG_FILTER_FIELD_VALUE);
		if ((rc = parse_filter(n, t, fname, text, &fs[i], why)) != 0)
			goto fail;
		if (!strcmp(fs[i].f->name, "retracted"))
			want_retracted = true;
		/* A sealed field filters where this node reads it: its role
		 * reads the field's class, and the scope asked (or its own)
		 * is within its reach. */
		const struct node_roster *r = node_ledger_roster(n->ledger);
		fs[i].sealed = r && node_schema_sealed(fs[i].f,
						       r->schema_version);
		const char *where = *norm ? norm : NULL;
		if (fs[i].sealed &&
		    !node_keyring_may_read_somewhere(n, fs[i].f, where))
			FAIL(-EINVAL, MSG_CANNOT_READ_FIELD_HERE,
			     fs[i].f->name);
	}
	candidates(n, t, fs, nf, norm, &ids);
	ids_sort_unique(&ids);
	for (size_t i = 0; i < ids.n; i++) {
		struct node_entity e;
		if (node_ledger_entity(n->ledger, ids.v[i], &e) != 0 ||
		    !e.valid || strcmp(e.type, t->name) != 0)
			continue;
		if (*norm && !crdt_scope_covers(norm, e.scope))
			continue;
		bool ok = want_retracted || !retracted(n, ids.v[i]);
		for (size_t k = 0; ok && k < nf; k++)
			ok = filter_match(n, ids.v[i], &fs[k]);
		if (ok)
			node_worklist_rows_add(
			    &rows, node_api_record_doc(n, ids.v[i], &e));
	}
	struct node_doc *d = node_worklist_rows_finish(n, t, &rows, &pres);
	free(ids.v);
	free(fs);
	node_doc_free(rest);
	char what[NODE_PATH_MAX + 64];
	node_access_log_doc(
	    n, req, "list",
	    node_worklist_log_what(req, t->name, what, sizeof(what)), d);
	*out = d;
	return 0;
fail:
	free(ids.v);
	free(fs);
	node_doc_free(rest);
	return rc;
}

/* ---- due, joint-missing ---- */

static bool date_arg(const struct node_doc *req, const char *key, char out[11],
		     bool today_default)
{
	const char *s = node_doc_get_str(req, key);
	if (!s || !*s) {
		if (!today_default)
			return false;
		node_query_today(out);
		return true;
	}
	int64_t d;
	if (strlen(s) != 10 || !node_query_day(s, &d))
		return false;
	memcpy(out, s, 11);
	return true;
}

static int due_list(struct node_ctx *n, const struct node_doc *req, bool joint,
		    struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	char on[11], norm[13] = "";
	const char *scope = node_doc_get_str(req, "scope");
	if (scope && *scope && !crdt_scope_normalise(scope, norm))
		FAIL(-EINVAL, MSG_SCOPE_NOT_REGION_CODE_4, scope);
	char first[11];
	int month = node_worklist_month(n, req, on, first, why);
	if (month < 0)
		return month;
	if (!month && !date_arg(req, "on", on, true))
		FAIL(-EINVAL, MSG_NOT_DATE_YYYY_MM_DD,
		     node_doc_get_str(req, "on"));
	struct node_due *v;
	size_t cnt;
	if (node_query_due(n->ledger, norm, on, joint, &v, &cnt) != 0)
		FAIL0(-EIO, MSG_COULD_NOT_COMPUTE_LIST);
	uint8_t(*seen)[16] = crdt_xcalloc(cnt, 16);
	for (size_t i = 0; i < cnt; i++)
		memcpy(seen[i], v[i].patient, 16);
	char what[NODE_PATH_MAX + 64];
	node_access_log(
	    n, req, joint ? "joint-missing" : "due",
	    node_worklist_log_what(req, "patient", what, sizeof(what)),
	    (const uint8_t(*)[16])seen, cnt);
	free(seen);
	*out =
	    node_worklist_due_doc(n, v, cnt, joint, on, month ? first : NULL);
	free(v);
	return 0;
fail:
	return rc;
}

int node_api_due(struct node_ctx *n, const struct node_doc *req,
		 struct node_doc **out, struct node_reason *why)
{
	return due_list(n, req, false, out, why);
}

int node_api_joint_missing(struct node_ctx *n, const struct node_doc *req,
			   struct node_doc **out, struct node_reason *why)
{
	return due_list(n, req, true, out, why);
}

/* ---- report ---- */

int node_api_report(struct node_ctx *n, const struct node_doc *req,
		    struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	char from[11], to[11], norm[13] = "";
	const char *scope = node_doc_get_str(req, "scope");
	if (scope && *scope && !crdt_scope_normalise(scope, norm))
		FAIL(-EINVAL, MSG_SCOPE_NOT_REGION_CODE_4, scope);
	if (!date_arg(req, "from", from, false) ||
	    !date_arg(req, "to", to, false))
		FAIL0(-EINVAL, MSG_REPORT_NEEDS_FROM_DATE_DATE);
	if (strcmp(from, to) > 0)
		FAIL(-EINVAL, MSG_FROM_AFTER, from, to);
	struct node_report r;
	if (node_query_report(n->ledger, norm, from, to, &r) != 0)
		FAIL0(-EINVAL, MSG_BAD_PERIOD);
	char what[64];
	snprintf(what, sizeof(what), "scope %s %s..%s", *norm ? norm : "all",
		 from, to);
	node_access_log(n, req, "report", what, NULL, 0);
	return (*out = node_query_report_doc(&r, norm, from, to), 0);
fail:
	return rc;
}

/* ---- what show relates to a patient ---- */

/* A small object of a record: id and the named fields' shown text. */
static struct node_doc *brief(struct node_ctx *n, const char *type,
			      const uint8_t id[16], const char *const *fields)
{
	struct node_doc *o = node_doc_object();
	char text[80], v[256];
	id_text(text, type, id);
	node_doc_set(o, "id", node_doc_str(text));
	for (size_t i = 0; fields[i]; i++) {
		struct crdt_cell c;
		const struct crdt_version *s = NULL;
		if (node_keyring_cell(n, id, fields[i], &c) == 0)
			s = c.is_set ? NULL : crdt_cell_shown(&c);
		else
			crdt_cell_init(&c, false);
		if (s && s->value.kind == CRDT_VALUE_BIN &&
		    crdt_seal_is_sealed(s->value.p, s->value.len)) {
			node_doc_set(o, fields[i],
				     node_keyring_sealed_doc(false));
		} else if (s && s->value.kind == CRDT_VALUE_INT) {
			node_doc_set(o, fields[i], node_doc_int(s->value.i));
		} else {
			node_api_shown_text(n, id, fields[i], v, sizeof(v));
			node_doc_set(o, fields[i],
				     *v ? node_doc_str(v) : node_doc_null());
		}
		crdt_cell_fini(&c);
	}
	return o;
}

/* The latest record of type about the patient by (date field, create). */
static struct node_doc *latest(struct node_ctx *n, const char *type,
			       const char *date_field, const uint8_t pid[16],
			       const char *const *fields)
{
	struct ids ids = {0};
	ids_referring(n, type, "patient", pid, &ids);
	int best = -1;
	char best_date[16] = "";
	struct node_entity best_e = {0};
	for (size_t i = 0; i < ids.n; i++) {
		struct node_entity e;
		char d[16];
		if (node_ledger_entity(n->ledger, ids.v[i], &e) != 0 ||
		    !e.valid || retracted(n, ids.v[i]))
			continue;
		node_api_shown_text(n, ids.v[i], date_field, d, sizeof(d));
		int c = best < 0 ? 1 : strcmp(d, best_date);
		if (c > 0 || (c == 0 && e.hlc > best_e.hlc)) {
			best = (int)i;
			memcpy(best_date, d, sizeof(d));
			best_e = e;
		}
	}
	struct node_doc *o =
	    best < 0 ? node_doc_null() : brief(n, type, ids.v[best], fields);
	free(ids.v);
	return o;
}

static struct node_doc *all_of(struct node_ctx *n, const char *type,
			       const char *field, const uint8_t id[16],
			       const char *const *fields,
			       const char *only_field,
			       const char *const *only_values)
{
	struct ids ids = {0};
	ids_referring(n, type, field, id, &ids);
	ids_sort_unique(&ids);
	struct node_doc *arr = node_doc_array();
	for (size_t i = 0; i < ids.n; i++) {
		struct node_entity e;
		if (node_ledger_entity(n->ledger, ids.v[i], &e) != 0 ||
		    !e.valid || retracted(n, ids.v[i]))
			continue;
		if (only_field) {
			char v[64];
			bool keep = false;
			node_api_shown_text(n, ids.v[i], only_field, v, sizeof(v));
			for (size_t k = 0; only_values[k] && !keep; k++)
				keep = !strcmp(v, only_values[k]);
			if (!keep)
				continue;
		}
		node_doc_push(arr, brief(n, type, ids.v[i], fields));
	}
	free(ids.v);
	return arr;
}

void node_query_related(struct node_ctx *n, const uint8_t id[16],
			const struct node_entity *e, struct node_doc *d)
{
	if (!e->valid || strcmp(e->type, "patient") != 0)
		return;
	static const char *const g_f[] = {"name", "relation", "strength",
					  "phone", NULL};
	static const char *const f_f[] = {"date",  "mode", "reached",
					  "class", "risk", "next_visit",
					  "joint", NULL};
	static const char *const a_f[] = {"date", "risk", "source", NULL};
	static const char *const s_f[] = {"declared_on", "trigger", "station",
					  "outcome", NULL};
	static const char *const ag_f[] = {
	    "kind", "status", "signed_on", "period_from", "period_to", NULL};
	static const char *const t_f[] = {"to_scope", "status", "out_on", NULL};
	static const char *const ta_f[] = {"accepted_on", NULL};
	static const char *const p_f[] = {"name", "status", NULL};
	struct node_doc *r = node_doc_object();
	node_doc_set(r, "guardians",
		     all_of(n, "guardian", "patient", id, g_f, NULL, NULL));
	node_doc_set(r, "latest_followup",
		     latest(n, "followup", "date", id, f_f));
	node_doc_set(r, "latest_assessment",
		     latest(n, "assessment", "date", id, a_f));
	/* Open searches: outcome unset or open. */
	static const char *const open[] = {"", "open", NULL};
	node_doc_set(r, "open_searches",
		     all_of(n, "search", "patient", id, s_f, "outcome", open));
	node_doc_set(r, "agreements",
		     all_of(n, "agreement", "patient", id, ag_f, NULL, NULL));
	static const char *const cg_f[] = {"leader", NULL};
	static const char *const h_f[] = {"admitted", "discharged", "hospital",
					  NULL};
	static const char *const fm_f[] = {"from", "to", "source", NULL};
	static const char *const i_f[] = {"date", "kind", "place", NULL};
	node_doc_set(r, "care_groups",
		     all_of(n, "care_group", "patient", id, cg_f, NULL, NULL));
	node_doc_set(
	    r, "hospitalizations",
	    all_of(n, "hospitalization", "patient", id, h_f, NULL, NULL));
	node_doc_set(r, "free_medication",
		     all_of(n, "free_med", "patient", id, fm_f, NULL, NULL));
	node_doc_set(r, "incidents",
		     all_of(n, "incident", "patient", id, i_f, NULL, NULL));
	/* Transfers out of this record, with the records accepting them. */
	struct node_doc *tr =
	    all_of(n, "transfer", "patient", id, t_f, NULL, NULL);
	for (size_t i = 0; i < node_doc_len(tr); i++) {
		struct node_doc *t = node_doc_at(tr, i);
		const char *tid = node_doc_get_str(t, "id");
		uint8_t traw[16];
		const char *dash = strrchr(tid, '-');
		if (!dash || node_unhex(dash + 1, traw, 16) != 0)
			continue;
		node_doc_set(t, "accepted",
			     all_of(n, "transfer_accept", "transfer", traw,
				    ta_f, NULL, NULL));
	}
	node_doc_set(r, "transfers", tr);
	char from[40];
	node_api_shown_text(n, id, "transferred_from", from, sizeof(from));
	uint8_t fraw[16];
	if (*from && node_unhex(from, fraw, 16) == 0) {
		struct node_doc *o = brief(n, "patient", fraw, p_f);
		node_doc_set(r, "transferred_from", o);
	} else {
		node_doc_set(r, "transferred_from", node_doc_null());
	}
	node_doc_set(
	    r, "transferred_to",
	    all_of(n, "patient", "transferred_from", id, p_f, NULL, NULL));
	node_doc_set(d, "related", r);
}

static const char *const count_keys[NODE_KPI_N] = {
    "registered",   "managed",	       "regularly_managed",
    "face_to_face", "medication",      "regular_medication",
    "stable",	    "free_medication", "consent_signed",
    "incident",
};

struct node_doc *node_query_report_doc(const struct node_report *r,
				       const char *scope, const char *from,
				       const char *to)
{
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "definition", node_doc_str(NODE_KPI_DEFINITION));
	node_doc_set(d, "scope",
		     scope && *scope ? node_doc_str(scope) : node_doc_null());
	node_doc_set(d, "from", node_doc_str(from));
	node_doc_set(d, "to", node_doc_str(to));
	for (int i = 0; i < NODE_KPI_N; i++)
		node_doc_set(d, count_keys[i], node_doc_int(r->count[i]));
	node_doc_set(d, "population",
		     r->population < 0 ? node_doc_null()
				       : node_doc_int(r->population));
	struct node_doc *rs = node_doc_object();
	/* The rates of DOMAIN.md section 4 (report.c's table). */
	const struct node_kpi_rate *rates = node_kpi_rates;
	for (size_t i = 0; i < NODE_KPI_N_RATES; i++) {
		struct node_doc *x = node_doc_object();
		int64_t num = r->count[rates[i].num];
		bool known = true;
		int64_t den = 0, v;
		if (rates[i].den == NODE_KPI_POPULATION) {
			known = r->population >= 0;
			den = r->population;
		} else {
			den = r->count[rates[i].den];
		}
		node_doc_set(x, "numerator", node_doc_int(num));
		node_doc_set(x, "denominator",
			     known ? node_doc_int(den) : node_doc_null());
		node_doc_set(
		    x, "value",
		    known && node_query_rate(num, den, rates[i].scale, &v)
			? node_doc_dec(v, 2)
			: node_doc_null());
		node_doc_set(x, "target",
			     rates[i].target < 0
				 ? node_doc_null()
				 : node_doc_dec(rates[i].target, 2));
		node_doc_set(rs, rates[i].key, x);
	}
	node_doc_set(d, "rates", rs);
	return d;
}
