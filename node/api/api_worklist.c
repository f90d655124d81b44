/*
 * api_worklist.c: work lists of people (api_worklist.h), node layer. A
 * township operator works from names, numbers, villages and phones, not
 * record ids: the patient behind each row is looked up once per list (a
 * small hash of the patients seen), and rows are sorted by what the list
 * is for. The schedule itself is query.c's; this file only words it.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/api/api_worklist.h"
#include "node/api/keyring.h"
#include "crdt/seal.h"
#include "node/api/node_int.h"
#include "node/ledger/index.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"
#include "node/records/timeline.h"

/* The shown value of a register field as text ("" when unset). Not
 * api.h's node_api_shown_text: api.c includes this file's header, and
 * files include one way. */
static void shown_text(struct node_ctx *n, const uint8_t id[16],
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
	crdt_cell_fini(&c);
}

/* Several fields of one record in one pass over its cells (one seek, not
 * a lookup per field): out[i] gets names[i]'s shown text, "" if unset. */
struct texts {
	const char *const *names;
	size_t n, len;
	char *out; /* n strings of len bytes */
	/* for sealed values: the record, its type, and which of the names
	 * hold a value this node may not read (NULL: not asked) */
	struct node_ctx *ctx;
	const uint8_t *id;
	const struct node_type *type;
	bool *sealed;
};

static int texts_one(void *ctx, const char *field, const struct crdt_cell *c)
{
	struct texts *t = ctx;
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(field, t->names[i]) != 0)
			continue;
		const struct crdt_version *s =
		    c->is_set ? NULL : crdt_cell_shown(c);
		char *o = t->out + i * t->len;
		struct crdt_value pv;
		uint8_t plain[512];
		const struct node_field *f =
		    t->type ? node_schema_field(t->type, field, strlen(field))
			    : NULL;
		if (s && f && s->value.kind == CRDT_VALUE_BIN &&
		    crdt_seal_is_sealed(s->value.p, s->value.len)) {
			if (s->value.len <= sizeof(plain) &&
			    node_keyring_open(t->ctx, t->id, f, &s->value,
					      plain, sizeof(plain), &pv) == 0 &&
			    pv.kind == CRDT_VALUE_STR) {
				node_keyring_note_read(t->ctx, f->name);
				snprintf(o, t->len, "%.*s", (int)pv.len,
					 (const char *)pv.p);
			} else if (t->sealed) {
				t->sealed[i] = true;
			}
			sodium_memzero(plain, sizeof(plain));
			continue;
		}
		if (s && s->value.kind == CRDT_VALUE_STR)
			snprintf(o, t->len, "%.*s", (int)s->value.len,
				 (const char *)s->value.p);
		else if (s && s->value.kind == CRDT_VALUE_INT)
			snprintf(o, t->len, "%lld", (long long)s->value.i);
	}
	return 0;
}

/* shown_texts, noting in sealed[i] (count flags) which hold a value this
 * node may not read. */
static void shown_texts_sealed(struct node_ctx *n, const uint8_t id[16],
			       const char *const *names, size_t count,
			       char *out, size_t len, bool *sealed)
{
	struct node_entity e;
	struct texts t = {.names = names, .n = count, .len = len, .out = out,
			  .ctx = n, .id = id, .sealed = sealed};
	if (node_ledger_entity(n->ledger, id, &e) == 0)
		t.type = node_schema_type(e.type, strlen(e.type));
	memset(out, 0, count * len);
	if (sealed)
		memset(sealed, 0, count * sizeof(*sealed));
	node_ledger_each_cell(n->ledger, id, texts_one, &t);
}


/* ---- the patients behind the rows ---- */

struct person {
	bool used;
	uint8_t id[16];
	char name[128], no[128], phone[128];
	bool name_sealed, phone_sealed; /* held, not this node's to read */
};

struct people {
	size_t cap; /* a power of two */
	size_t n;
	struct person *v;
};

static uint64_t id_hash(const uint8_t id[16])
{
	uint64_t h = 1469598103934665603u;
	for (int i = 0; i < 16; i++)
		h = (h ^ id[i]) * 1099511628211u;
	return h;
}

static void people_grow(struct people *pp)
{
	size_t cap = pp->cap ? 2 * pp->cap : 64;
	struct person *v = crdt_xcalloc(cap, sizeof(*v));
	for (size_t i = 0; i < pp->cap; i++) {
		if (!pp->v[i].used)
			continue;
		size_t k = id_hash(pp->v[i].id) & (cap - 1);
		while (v[k].used)
			k = (k + 1) & (cap - 1);
		v[k] = pp->v[i];
	}
	free(pp->v);
	pp->v = v;
	pp->cap = cap;
}

/* The patient id's name, patient_no and phone (looked up once). */
static const struct person *person(struct node_ctx *n, struct people *pp,
				   const uint8_t id[16])
{
	size_t k = 0;
	if (pp->cap) {
		k = id_hash(id) & (pp->cap - 1);
		while (pp->v[k].used) {
			if (!memcmp(pp->v[k].id, id, 16))
				return &pp->v[k];
			k = (k + 1) & (pp->cap - 1);
		}
	}
	/* Grows only to insert, so a lookup never moves what it returns. */
	if (2 * (pp->n + 1) > pp->cap) {
		people_grow(pp);
		k = id_hash(id) & (pp->cap - 1);
		while (pp->v[k].used)
			k = (k + 1) & (pp->cap - 1);
	}
	struct person *p = &pp->v[k];
	p->used = true;
	memcpy(p->id, id, 16);
	static const char *const f[] = {"name", "patient_no", "phone"};
	char v[3][128];
	bool sealed[3];
	shown_texts_sealed(n, id, f, 3, v[0], sizeof(v[0]), sealed);
	p->name_sealed = sealed[0];
	p->phone_sealed = sealed[2];
	snprintf(p->name, sizeof(p->name), "%s", v[0]);
	snprintf(p->no, sizeof(p->no), "%s", v[1]);
	snprintf(p->phone, sizeof(p->phone), "%s", v[2]);
	pp->n++;
	return p;
}

static struct node_doc *str_or_null(const char *s)
{
	return s && *s ? node_doc_str(s) : node_doc_null();
}

/* A field's text, {"sealed": true} when held but not this node's to read,
 * or null. */
static struct node_doc *text_or_sealed(const char *s, bool sealed)
{
	return sealed ? node_keyring_sealed_doc(false) : str_or_null(s);
}

/* Sets name, patient_no and phone of patient id on the row object. */
static void person_set(struct node_doc *row, const struct person *p)
{
	node_doc_set(row, "name", text_or_sealed(p->name, p->name_sealed));
	node_doc_set(row, "patient_no", str_or_null(p->no));
	node_doc_set(row, "phone", text_or_sealed(p->phone, p->phone_sealed));
}

static bool retracted(struct node_ctx *n, const uint8_t id[16])
{
	char v[8];
	shown_text(n, id, "retracted", v, sizeof(v));
	return !strcmp(v, "yes");
}

/* The (reference, record) pairs of one 'I' family (type, field), read in
 * one scan: a long list asks about every patient, and one iterator over
 * the family costs far less than one per row. Key order is reference
 * order, so a patient's records are found by binary search. */
struct refs {
	const char *type;
	size_t n, cap;
	uint8_t (*pair)[32]; /* reference(16) record(16) */
};

static void refs_load(struct node_ctx *n, const char *type, const char *field,
		      struct refs *r)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t kl = node_index_prefix(k, type, field);
	struct node_kv_iter *it = node_kv_iter_new(n->kv, k, kl);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t len;
		const uint8_t *key = node_kv_iter_key(it, &len);
		if (len != kl + 32)
			continue;
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 256;
			r->pair = crdt_xrealloc(r->pair, r->cap * 32);
		}
		memcpy(r->pair[r->n++], key + kl, 32);
	}
	node_kv_iter_free(it);
}

/* Calls fn for each live record of r's type referring to id, until fn
 * returns true. Returns whether it did. */
static bool each_referring(struct node_ctx *n, const struct refs *r,
			   const uint8_t id[16],
			   bool (*fn)(void *, const uint8_t[16],
				      const struct node_entity *),
			   void *ctx)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(r->pair[mid], id, 16) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < r->n && !memcmp(r->pair[i], id, 16); i++) {
		const uint8_t *rid = r->pair[i] + 16;
		struct node_entity e;
		if (node_ledger_entity(n->ledger, rid, &e) != 0 || !e.valid ||
		    strcmp(e.type, r->type) != 0 || retracted(n, rid))
			continue;
		if (fn(ctx, rid, &e))
			return true;
	}
	return false;
}

/* ---- due, joint-missing ---- */

int node_worklist_month(struct node_ctx *n, const struct node_doc *req,
			char on[11], char first[11], struct node_reason *why)
{
	(void)n;
	const char *m = node_doc_get_str(req, "month");
	if (!m || !*m)
		return 0;
	const char *o = node_doc_get_str(req, "on");
	if (o && *o) {
		NODE_REASON0(why, MSG_GIVE_MONTH_OR_ON_NOT_BOTH);
		return -EINVAL;
	}
	char d[16];
	int64_t day;
	snprintf(d, sizeof(d), "%.7s-01", m);
	if (strlen(m) != 7 || m[4] != '-' || !node_query_day(d, &day)) {
		NODE_REASON_LONG(why, MSG_MONTH_NOT_A_MONTH, m);
		return -EINVAL;
	}
	memcpy(first, d, 11);
	/* The last day: the day before the next month's first. */
	int y = atoi(d), mo = atoi(d + 5);
	char next[32];
	snprintf(next, sizeof(next), "%04d-%02d-01", mo == 12 ? y + 1 : y,
		 mo == 12 ? 1 : mo + 1);
	int64_t nd;
	if (!node_query_day(next, &nd))
		nd = day + 31;
	node_query_date(nd - 1, on);
	return 1;
}

struct due_row {
	const struct node_due *d;
	const struct person *p;
	char village[13];
};

static int tie_cmp(const struct due_row *a, const struct due_row *b)
{
	int c = strcmp(a->village, b->village);
	if (!c)
		c = strcmp(a->p->no, b->p->no);
	if (!c)
		c = strcmp(a->p->name, b->p->name);
	if (!c)
		c = memcmp(a->d->patient, b->d->patient, 16);
	return c;
}

static int overdue_cmp(const void *x, const void *y)
{
	const struct due_row *a = x, *b = y;
	if (a->d->days_overdue != b->d->days_overdue)
		return a->d->days_overdue > b->d->days_overdue ? -1 : 1;
	return tie_cmp(a, b);
}

static int when_cmp(const void *x, const void *y)
{
	const struct due_row *a = x, *b = y;
	int c = strcmp(a->d->due, b->d->due);
	return c ? c : tie_cmp(a, b);
}

static int joint_cmp(const void *x, const void *y)
{
	const struct due_row *a = x, *b = y;
	if (a->d->risk != b->d->risk)
		return a->d->risk > b->d->risk ? -1 : 1;
	int c = strcmp(a->d->risk_on, b->d->risk_on);
	return c ? c : tie_cmp(a, b);
}

/* The guardian due shows: a live one whose `until` is not before the
 * day, the latest `since` (then the latest created) first. */
enum { G_UNTIL, G_SINCE, G_NAME, G_RELATION, G_PHONE, G_N };

struct guardian_pick {
	struct node_ctx *n;
	const char *on;
	bool have;
	uint8_t id[16];
	char v[G_N][128]; /* the chosen one's fields */
	bool sealed[G_N]; /* held but not this node's to read */
	uint64_t hlc;
};

static bool guardian_one(void *ctx, const uint8_t id[16],
			 const struct node_entity *e)
{
	static const char *const f[G_N] = {"until", "since", "name", "relation",
					   "phone"};
	struct guardian_pick *g = ctx;
	char v[G_N][128];
	bool sealed[G_N];
	shown_texts_sealed(g->n, id, f, G_N, v[0], sizeof(v[0]), sealed);
	if (*v[G_UNTIL] && strcmp(v[G_UNTIL], g->on) < 0)
		return false;
	int c = g->have ? strcmp(v[G_SINCE], g->v[G_SINCE]) : 1;
	if (c > 0 || (c == 0 && e->hlc > g->hlc)) {
		g->have = true;
		memcpy(g->id, id, 16);
		memcpy(g->v, v, sizeof(v));
		memcpy(g->sealed, sealed, sizeof(sealed));
		g->hlc = e->hlc;
	}
	return false;
}

/* The latest created live care group of the patient. */
struct group_pick {
	bool have;
	uint8_t id[16];
	uint64_t hlc;
};

static bool group_one(void *ctx, const uint8_t id[16],
		      const struct node_entity *e)
{
	struct group_pick *g = ctx;
	if (!g->have || e->hlc > g->hlc) {
		g->have = true;
		memcpy(g->id, id, 16);
		g->hlc = e->hlc;
	}
	return false;
}

static void id_text(char out[80], const char *type, const uint8_t id[16])
{
	char hex[33];
	node_hex(hex, id, 16);
	snprintf(out, 80, "%.40s-%s", type, hex);
}

static struct node_doc *due_row_doc(struct node_ctx *n, const struct due_row *r,
				    const char *on, const char *month_first,
				    const struct refs *guardians,
				    const struct refs *groups)
{
	const struct node_due *d = r->d;
	struct node_doc *o = node_doc_object();
	char id[80], v[256];
	id_text(id, "patient", d->patient);
	node_doc_set(o, "id", node_doc_str(id));
	node_doc_set(o, "name", text_or_sealed(r->p->name, r->p->name_sealed));
	node_doc_set(o, "patient_no", str_or_null(r->p->no));
	node_doc_set(o, "scope", node_doc_str(d->scope));
	node_doc_set(o, "phone",
		     text_or_sealed(r->p->phone, r->p->phone_sealed));
	node_doc_set(o, "due", node_doc_str(d->due));
	int64_t overdue = d->days_overdue;
	if (month_first) {
		int64_t a, b;
		if (node_query_day(month_first, &a) &&
		    node_query_day(d->due, &b))
			overdue = a - b;
		char month[8];
		snprintf(month, sizeof(month), "%.7s", month_first);
		node_doc_set(o, "month", node_doc_str(month));
	}
	node_doc_set(o, "days_overdue", node_doc_int(overdue));
	node_doc_set(o, "class", str_or_null(d->cls));
	node_doc_set(o, "risk",
		     d->risk >= 0 ? node_doc_int(d->risk) : node_doc_null());
	node_doc_set(o, "last_followup", str_or_null(d->last));
	node_doc_set(o, "risk_on", str_or_null(d->risk_on));
	node_doc_set(o, "joint_missing", node_doc_bool(d->joint_missing));
	node_doc_set(o, "last_attempt", str_or_null(d->last_attempt));
	node_doc_set(o, "attempts_since_visit", node_doc_int(d->n_attempts));
	struct node_doc *att = node_doc_array();
	int shown = d->n_attempts < NODE_DUE_ATTEMPTS ? d->n_attempts
						      : NODE_DUE_ATTEMPTS;
	for (int i = 0; i < shown; i++)
		node_doc_push(att, node_doc_str(d->attempts[i]));
	node_doc_set(o, "failed_attempts", att);
	node_doc_set(o, "counted_from_attempt", node_doc_bool(d->from_attempt));
	struct guardian_pick g = {.n = n, .on = on};
	each_referring(n, guardians, d->patient, guardian_one, &g);
	if (g.have) {
		struct node_doc *gd = node_doc_object();
		id_text(id, "guardian", g.id);
		node_doc_set(gd, "id", node_doc_str(id));
		node_doc_set(gd, "name",
			     text_or_sealed(g.v[G_NAME], g.sealed[G_NAME]));
		node_doc_set(gd, "relation", str_or_null(g.v[G_RELATION]));
		node_doc_set(gd, "phone",
			     text_or_sealed(g.v[G_PHONE], g.sealed[G_PHONE]));
		node_doc_set(o, "guardian", gd);
	} else {
		node_doc_set(o, "guardian", node_doc_null());
	}
	struct group_pick cg = {0};
	each_referring(n, groups, d->patient, group_one, &cg);
	v[0] = 0;
	if (cg.have)
		shown_text(n, cg.id, "leader", v, sizeof(v));
	node_doc_set(o, "care_group_leader", str_or_null(v));
	return o;
}

struct node_doc *node_worklist_due_doc(struct node_ctx *n,
				       const struct node_due *v, size_t cnt,
				       bool joint, const char *on,
				       const char *month_first)
{
	struct people pp = {0};
	struct due_row *rows = crdt_xcalloc(cnt ? cnt : 1, sizeof(*rows));
	for (size_t i = 0; i < cnt; i++) {
		rows[i].d = &v[i];
		snprintf(rows[i].village, sizeof(rows[i].village), "%s",
			 v[i].scope);
	}
	/* Looked up after every row is in place: the hash may move. */
	for (size_t i = 0; i < cnt; i++)
		person(n, &pp, v[i].patient);
	for (size_t i = 0; i < cnt; i++)
		rows[i].p = person(n, &pp, v[i].patient);
	if (cnt > 1)
		qsort(rows, cnt, sizeof(*rows),
		      joint	    ? joint_cmp
		      : month_first ? when_cmp
				    : overdue_cmp);
	struct refs guardians, groups;
	refs_load(n, "guardian", "patient", &guardians);
	refs_load(n, "care_group", "patient", &groups);
	struct node_doc *out = node_doc_array();
	for (size_t i = 0; i < cnt; i++)
		node_doc_push(out, due_row_doc(n, &rows[i], on, month_first,
					       &guardians, &groups));
	free(guardians.pair);
	free(groups.pair);
	free(rows);
	free(pp.v);
	return out;
}

/* ---- list ---- */

static const struct node_type *presence_type(const char *name)
{
	const struct node_type *t =
	    name ? node_schema_type_find(name, strlen(name)) : NULL;
	return t && t->patient_field ? t : NULL;
}

int node_worklist_split_filters(struct node_ctx *n, const struct node_type *t,
				const struct node_doc *filters,
				struct node_doc **rest,
				struct node_worklist_presence *p,
				struct node_reason *why)
{
	(void)n;
	memset(p, 0, sizeof(*p));
	*rest = node_doc_array();
	for (size_t i = 0; filters && i < node_doc_len(filters); i++) {
		const struct node_doc *f = node_doc_at(filters, i);
		const char *field = node_doc_as_str(node_doc_at(f, 0), NULL);
		const char *value = node_doc_as_str(node_doc_at(f, 1), NULL);
		const struct node_type *pt = presence_type(field);
		if (!strcmp(t->name, "patient") && pt && value &&
		    !node_schema_field(t, field, strlen(field))) {
			bool with = !strcmp(value, "yes") ||
				    !strcmp(value, "是") ||
				    !strcmp(value, "有");
			if ((*value && !with) ||
			    p->n == NODE_WORKLIST_PRESENCE_MAX) {
				NODE_REASON_LONG(
				    why, MSG_PATIENTS_WITH_OR_WITHOUT_RECORD,
				    field, value, field, pt->name, field);
				node_doc_free(*rest);
				*rest = NULL;
				return -EINVAL;
			}
			p->type[p->n] = pt;
			p->with[p->n++] = with;
			continue;
		}
		/* A copy of the filter as it came. */
		struct node_doc *c = node_doc_array();
		for (size_t k = 0; k < node_doc_len(f); k++) {
			const char *s =
			    node_doc_as_str(node_doc_at(f, k), NULL);
			node_doc_push(c, s ? node_doc_str(s) : node_doc_null());
		}
		node_doc_push(*rest, c);
	}
	return 0;
}

void node_worklist_rows_add(struct node_worklist_rows *r, struct node_doc *d)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->v = crdt_xrealloc(r->v, r->cap * sizeof(*r->v));
	}
	r->v[r->n++] = d;
}

/* The field that dates a list's rows, by type; NULL: none. */
static const char *date_field(const char *type)
{
	static const char *const m[][2] = {
	    {"followup", "date"},
	    {"assessment", "date"},
	    {"hospitalization", "admitted"},
	    {"incident", "date"},
	    {"search", "declared_on"},
	    {"agreement", "signed_on"},
	    {"free_med", "from"},
	    {"transfer", "out_on"},
	    {"transfer_accept", "accepted_on"},
	    {"exam", "date"},
	    {"meeting", "date"},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(m[i][0], type))
			return m[i][1];
	return NULL;
}

struct list_row {
	struct node_doc *d;
	const char *date; /* "" when the row has none */
	const char *scope, *no, *name, *id;
};

static int list_cmp(const void *x, const void *y)
{
	const struct list_row *a = x, *b = y;
	/* Undated rows after the dated ones. */
	if (!*a->date != !*b->date)
		return *a->date ? -1 : 1;
	int c = strcmp(a->date, b->date);
	if (!c)
		c = strcmp(a->scope, b->scope);
	if (!c)
		c = strcmp(a->no, b->no);
	if (!c)
		c = strcmp(a->name, b->name);
	if (!c)
		c = strcmp(a->id, b->id);
	return c;
}

static const char *field_str(const struct node_doc *d, const char *field)
{
	const char *s = node_doc_get_str(
	    node_doc_get(node_doc_get(d, "fields"), field), "value");
	return s ? s : "";
}

static bool found(void *ctx, const uint8_t id[16], const struct node_entity *e)
{
	(void)ctx;
	(void)id;
	(void)e;
	return true;
}

/* The patient a row is about: itself, or its patient reference. */
static bool row_patient(const struct node_type *t, const struct node_doc *d,
			uint8_t pid[16])
{
	const char *ref = !strcmp(t->name, "patient")
			      ? node_doc_get_str(d, "entity")
			  : t->patient_field ? field_str(d, t->patient_field)
					     : NULL;
	if (!ref || !*ref)
		return false;
	const char *dash = strrchr(ref, '-');
	return node_unhex(dash ? dash + 1 : ref, pid, 16) == 0;
}

struct node_doc *
node_worklist_rows_finish(struct node_ctx *n, const struct node_type *t,
			  struct node_worklist_rows *r,
			  const struct node_worklist_presence *p)
{
	struct people pp = {0};
	struct list_row *rows = crdt_xcalloc(r->n ? r->n : 1, sizeof(*rows));
	const char *df = date_field(t->name);
	struct refs pr[NODE_WORKLIST_PRESENCE_MAX];
	for (size_t j = 0; j < p->n; j++)
		refs_load(n, p->type[j]->name, p->type[j]->patient_field,
			  &pr[j]);
	size_t k = 0;
	for (size_t i = 0; i < r->n; i++) {
		struct node_doc *d = r->v[i];
		uint8_t pid[16];
		bool about = row_patient(t, d, pid);
		bool keep = true;
		for (size_t j = 0; about && keep && j < p->n; j++)
			keep = each_referring(n, &pr[j], pid, found, NULL) ==
			       p->with[j];
		if (!keep) {
			node_doc_free(d);
			continue;
		}
		if (about) {
			/* (copied: the hash may move as it grows) */
			struct person pe = *person(n, &pp, pid);
			person_set(d, &pe);
		} else if (t->patient_field) {
			/* An incident about someone not registered. */
			struct person none = {0};
			person_set(d, &none);
		}
		rows[k++].d = d;
	}
	for (size_t i = 0; i < k; i++) {
		struct node_doc *d = rows[i].d;
		const char *s;
		rows[i].date = df ? field_str(d, df) : "";
		rows[i].scope = (s = node_doc_get_str(d, "scope")) ? s : "";
		rows[i].no = (s = node_doc_get_str(d, "patient_no")) ? s : "";
		rows[i].name = (s = node_doc_get_str(d, "name")) ? s : "";
		rows[i].id = (s = node_doc_get_str(d, "id")) ? s : "";
	}
	if (k > 1)
		qsort(rows, k, sizeof(*rows), list_cmp);
	struct node_doc *out = node_doc_array();
	for (size_t i = 0; i < k; i++)
		node_doc_push(out, rows[i].d);
	for (size_t j = 0; j < p->n; j++)
		free(pr[j].pair);
	free(rows);
	free(pp.v);
	free(r->v);
	memset(r, 0, sizeof(*r));
	return out;
}

const char *node_worklist_log_what(const struct node_doc *req, const char *what,
				   char *buf, size_t len)
{
	const char *csv = node_doc_get_str(req, "csv");
	if (!csv || !*csv)
		return what;
	snprintf(buf, len, "%s to %s", what, csv);
	return buf;
}

/* ---- show --timeline ---- */

/* What each event shows of its record, by type. */
static const char *const *summary_fields(const char *type)
{
	static const char *const fu[] = {
	    "mode", "reached", "lost_reason", "class", "risk", "joint", NULL};
	static const char *const as[] = {"risk", "source", NULL};
	static const char *const ho[] = {"hospital", "involuntary", NULL};
	static const char *const in[] = {"kind", "place", NULL};
	static const char *const se[] = {"trigger", "station", "outcome", NULL};
	static const char *const ag[] = {"kind", "status", NULL};
	static const char *const fm[] = {"source", NULL};
	static const char *const cg[] = {"leader", NULL};
	static const char *const tr[] = {"to_scope", "status", NULL};
	static const char *const pa[] = {"status", "exit_reason", NULL};
	static const char *const none[] = {NULL};
	static const struct {
		const char *type;
		const char *const *f;
	} m[] = {
	    {"followup", fu}, {"assessment", as}, {"hospitalization", ho},
	    {"incident", in}, {"search", se},	  {"agreement", ag},
	    {"free_med", fm}, {"care_group", cg}, {"transfer", tr},
	    {"patient", pa},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(m[i].type, type))
			return m[i].f;
	return none;
}

struct node_doc *node_worklist_timeline(struct node_ctx *n,
					const uint8_t id[16])
{
	struct node_doc *out = node_doc_array();
	struct node_timeline_item *v;
	size_t cnt;
	if (node_timeline_collect(n->ledger, id, &v, &cnt) != 0)
		return out;
	const struct node_roster *ros = node_ledger_roster(n->ledger);
	for (size_t i = 0; i < cnt; i++) {
		struct node_doc *o = node_doc_object();
		char text[80], at[32], hex[65], val[256];
		node_doc_set(o, "date", node_doc_str(v[i].date));
		node_doc_set(o, "undated", node_doc_bool(v[i].undated));
		node_doc_set(o, "event", node_doc_str(v[i].event));
		node_doc_set(o, "type", node_doc_str(v[i].type));
		id_text(text, v[i].type, v[i].id);
		node_doc_set(o, "id", node_doc_str(text));
		struct node_entity e;
		node_doc_set(o, "scope",
			     node_ledger_entity(n->ledger, v[i].id, &e) == 0
				 ? node_doc_str(e.scope)
				 : node_doc_null());
		struct node_doc *s = node_doc_object();
		const char *const *f = summary_fields(v[i].type);
		for (size_t k = 0; f[k]; k++) {
			shown_text(n, v[i].id, f[k], val, sizeof(val));
			if (*val)
				node_doc_set(s, f[k], node_doc_str(val));
		}
		node_doc_set(o, "summary", s);
		const struct node_member *m =
		    ros ? node_roster_find(ros, v[i].created.author) : NULL;
		node_hex(hex, v[i].created.author, 32);
		node_doc_set(o, "by", node_doc_str(hex));
		node_doc_set(o, "by_name",
			     m ? node_doc_str(m->name) : node_doc_null());
		node_doc_set(o, "by_role",
			     m ? node_doc_str(node_role_name(m->role))
			       : node_doc_null());
		crdt_hlc_rfc3339(at, v[i].hlc);
		node_doc_set(o, "at", node_doc_str(at));
		node_doc_push(out, o);
	}
	free(v);
	return out;
}
