/*
 * index.c: the secondary indexes of index.h, maintained by the ledger in
 * the transaction that applies an op.
 *
 * Indexes are state, so they must be a pure function of the records: audit
 * replays the log in its own order and compares key by key. Each record
 * keeps one 'x' key holding the shown values of its tracked fields (those
 * marked indexed, and those an 'X' row carries). A change recomputes the
 * changed field's values from its cell, which is already order-free, and
 * derives the old and new 'I'/'X' keys from the old and new 'x' record: the
 * keys after any sequence of changes are those of the final cells. A
 * register in conflict is indexed under its shown value (the greatest
 * version, as `ward show` prints it) and its 'I' keys carry the flag "c".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger/index.h"
#include "node/ledger/ledger_int.h"

#define MAX_VALS 8

/* The values of an 'X' row, per kind. The first slot of every kind but the
 * patient's is its date and sorts the row. */
struct xdef {
	const char *type;
	char kind;
	const char *const slots[NODE_INDEX_SLOTS + 1];
};

static const struct xdef xdefs[] = {
    {"patient",
     'a',
     {"registered_on", "status", "exit_date", "retracted", NULL}},
    {"followup",
     'f',
     {"date", "reached", "mode", "class", "adherence", "hospital", "risk",
      "joint", "next_visit", "retracted", NULL}},
    {"assessment", 'r', {"date", "risk", "retracted", NULL}},
    {"hospitalization", 'h', {"admitted", "discharged", "retracted", NULL}},
    {"free_med", 'm', {"from", "to", "retracted", NULL}},
    {"agreement", 'g', {"signed_on", "kind", "status", "retracted", NULL}},
    {"incident", 'i', {"date", "kind", "retracted", NULL}},
};

#define N_XDEFS (sizeof(xdefs) / sizeof(xdefs[0]))

static const struct xdef *xdef_of(const char *type)
{
	for (size_t i = 0; i < N_XDEFS; i++)
		if (!strcmp(xdefs[i].type, type))
			return &xdefs[i];
	return NULL;
}

const char *const *node_index_slot_names(char kind)
{
	for (size_t i = 0; i < N_XDEFS; i++)
		if (xdefs[i].kind == kind)
			return xdefs[i].slots;
	return NULL;
}

static bool in_slots(const struct xdef *x, const char *name)
{
	for (size_t i = 0; x && x->slots[i]; i++)
		if (!strcmp(x->slots[i], name))
			return true;
	return false;
}

static bool tracked(const struct node_type *t, const struct xdef *x,
		    const struct node_field *f)
{
	return f->indexed || in_slots(x, f->name) ||
	       (t->patient_field && !strcmp(f->name, t->patient_field));
}

/* ---- 'I' keys ---- */

size_t node_index_prefix(uint8_t *k, const char *type, const char *field)
{
	size_t tl = strlen(type), fl = strlen(field), n = 0;
	k[n++] = 'I';
	k[n++] = (uint8_t)tl;
	memcpy(k + n, type, tl);
	n += tl;
	k[n++] = (uint8_t)fl;
	memcpy(k + n, field, fl);
	return n + fl;
}

size_t node_index_append_value(uint8_t *k, size_t len,
			       const struct crdt_value *v, bool *cut)
{
	*cut = false;
	switch (v->kind) {
	case CRDT_VALUE_STR: {
		size_t n = v->len;
		if (n > NODE_INDEX_STR_MAX) {
			n = NODE_INDEX_STR_MAX;
			*cut = true;
		}
		memcpy(k + len, v->p, n);
		len += n;
		if (!*cut)
			k[len++] = 0;
		return len;
	}
	case CRDT_VALUE_INT: {
		uint64_t u = (uint64_t)v->i ^ (UINT64_C(1) << 63);
		for (int i = 0; i < 8; i++)
			k[len++] = (uint8_t)(u >> (56 - 8 * i));
		return len;
	}
	case CRDT_VALUE_BIN: {
		size_t n = v->len < 16 ? v->len : 16;
		memcpy(k + len, v->p, n);
		return len + n;
	}
	case CRDT_VALUE_BOOL:
		k[len++] = v->b ? 1 : 0;
		return len;
	case CRDT_VALUE_NIL:
		return len;
	}
	return len;
}

int node_index_key_value(const uint8_t *key, size_t key_len, size_t plen,
			 enum node_field_kind kind, struct crdt_value *out)
{
	if (key_len < plen + 16)
		return -EBADMSG;
	const uint8_t *p = key + plen;
	size_t n = key_len - plen - 16;
	memset(out, 0, sizeof(*out));
	if (kind == NODE_FIELD_INT) {
		if (n != 8)
			return -EBADMSG;
		out->kind = CRDT_VALUE_INT;
		out->i = (int64_t)(get_u64(p) ^ (UINT64_C(1) << 63));
		return 0;
	}
	if (kind == NODE_FIELD_REF) {
		if (n != 16)
			return -EBADMSG;
		out->kind = CRDT_VALUE_BIN;
		out->p = p;
		out->len = 16;
		return 0;
	}
	out->kind = CRDT_VALUE_STR;
	out->p = p;
	out->len = n && p[n - 1] == 0 ? n - 1 : n;
	return 0;
}

static void put_ikey(struct node_txn *t, const char *type, const char *field,
		     const struct crdt_value *v, const uint8_t id[16],
		     bool conflict, bool del)
{
	uint8_t k[KEY_MAX];
	bool cut;
	size_t n = node_index_prefix(k, type, field);
	n = node_index_append_value(k, n, v, &cut);
	memcpy(k + n, id, 16);
	n += 16;
	if (del)
		node_txn_del(t, k, n);
	else
		node_txn_put(t, k, n, (const uint8_t *)"c", conflict ? 1 : 0);
}

/* ---- the 'x' record: [[field, conflict, [value...]]...] ---- */

struct fstate {
	const struct node_field *f;
	bool conflict;
	size_t n;
	struct crdt_value v[MAX_VALS];
};

struct xrec {
	size_t n;
	struct fstate fs[48];
};

static void xrec_init(struct xrec *r, const struct node_type *t,
		      const struct xdef *x)
{
	r->n = 0;
	for (size_t i = 0; i < t->n_fields && r->n < 48; i++) {
		if (!tracked(t, x, &t->fields[i]))
			continue;
		memset(&r->fs[r->n], 0, sizeof(r->fs[0]));
		r->fs[r->n++].f = &t->fields[i];
	}
}

static struct fstate *xrec_field(struct xrec *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->fs[i].f->name, name))
			return &r->fs[i];
	return NULL;
}

/* Decodes into r (initialised for the type); values borrow buf. */
static void xrec_decode(struct xrec *r, const uint8_t *buf, size_t len)
{
	struct crdt_mp_cursor c;
	size_t n;
	crdt_mp_cursor_init(&c, buf, len, false);
	if (crdt_mp_read_array(&c, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++) {
		size_t three, nv, nl;
		const char *name;
		bool conflict;
		if (crdt_mp_read_array(&c, &three) != 0 || three != 3 ||
		    crdt_mp_read_str(&c, &name, &nl) != 0 ||
		    crdt_mp_read_bool(&c, &conflict) != 0 ||
		    crdt_mp_read_array(&c, &nv) != 0)
			return;
		char fname[64];
		snprintf(fname, sizeof(fname), "%.*s", (int)nl, name);
		struct fstate *s = xrec_field(r, fname);
		for (size_t k = 0; k < nv; k++) {
			struct crdt_value v;
			if (crdt_value_decode(&c, &v) != 0)
				return;
			if (s && s->n < MAX_VALS)
				s->v[s->n++] = v;
		}
		if (s)
			s->conflict = conflict;
	}
}

static void xrec_encode(struct crdt_buf *b, const struct xrec *r)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n; i++)
		n += r->fs[i].n > 0;
	crdt_pack_array(b, n);
	for (size_t i = 0; i < r->n; i++) {
		const struct fstate *s = &r->fs[i];
		if (!s->n)
			continue;
		crdt_pack_array(b, 3);
		crdt_pack_cstr(b, s->f->name);
		crdt_pack_bool(b, s->conflict);
		crdt_pack_array(b, s->n);
		for (size_t k = 0; k < s->n; k++)
			crdt_value_encode(b, &s->v[k]);
	}
}

static void xkey_record(uint8_t *k, const uint8_t id[16])
{
	k[0] = 'x';
	memcpy(k + 1, id, 16);
}

/* ---- 'X' rows ---- */

size_t node_index_xprefix(uint8_t *k, const char *scope)
{
	size_t n = scope ? strlen(scope) : 0;
	k[0] = 'X';
	if (n > 12)
		n = 12;
	memcpy(k + 1, scope, n);
	return 1 + n;
}

static void slot_text(const struct fstate *s, char *out, size_t out_len)
{
	out[0] = 0;
	if (!s || !s->n)
		return;
	const struct crdt_value *v = &s->v[0];
	if (v->kind == CRDT_VALUE_STR)
		snprintf(out, out_len, "%.*s", (int)v->len, (const char *)v->p);
	else if (v->kind == CRDT_VALUE_INT)
		snprintf(out, out_len, "%lld", (long long)v->i);
}

/* The 'X' key and value of a record, or 0 when it has none. */
static size_t xrow(const struct xdef *x, const struct node_type *t,
		   const uint8_t id[16], const char *scope, uint64_t hlc,
		   struct xrec *r, uint8_t *key, struct crdt_buf *val)
{
	if (!x)
		return 0;
	uint8_t patient[16];
	if (x->kind == 'a') {
		memcpy(patient, id, 16);
	} else {
		struct fstate *p = xrec_field(r, t->patient_field);
		if (!p || !p->n || p->v[0].kind != CRDT_VALUE_BIN ||
		    p->v[0].len != 16)
			return 0;
		memcpy(patient, p->v[0].p, 16);
	}
	size_t n = 0;
	key[n++] = 'X';
	memset(key + n, 0, 12);
	memcpy(key + n, scope, strlen(scope) < 12 ? strlen(scope) : 12);
	n += 12;
	memcpy(key + n, patient, 16);
	n += 16;
	key[n++] = (uint8_t)x->kind;
	char sort[24] = "";
	if (x->kind != 'a')
		slot_text(xrec_field(r, x->slots[0]), sort, sizeof(sort));
	memset(key + n, 0, 10);
	memcpy(key + n, sort, strlen(sort) < 10 ? strlen(sort) : 10);
	n += 10;
	for (int i = 0; i < 8; i++)
		key[n++] = (uint8_t)(hlc >> (56 - 8 * i));
	memcpy(key + n, id, 16);
	n += 16;
	crdt_buf_reset(val);
	for (size_t i = 0; x->slots[i]; i++) {
		char text[24];
		slot_text(xrec_field(r, x->slots[i]), text, sizeof(text));
		uint8_t l = (uint8_t)strlen(text);
		crdt_buf_append(val, &l, 1);
		crdt_buf_append(val, text, l);
	}
	return n;
}

int node_index_xrow_decode(const uint8_t *key, size_t key_len,
			   const uint8_t *val, size_t val_len,
			   struct node_xrow *out)
{
	if (key_len != 1 + 12 + 16 + 1 + 10 + 8 + 16 || key[0] != 'X')
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	memcpy(out->scope, key + 1, 12);
	memcpy(out->patient, key + 13, 16);
	out->kind = (char)key[29];
	out->hlc = get_u64(key + 40);
	memcpy(out->entity, key + 48, 16);
	size_t pos = 0;
	for (size_t i = 0; i < NODE_INDEX_SLOTS && pos < val_len; i++) {
		size_t l = val[pos++];
		if (pos + l > val_len)
			return -EBADMSG;
		snprintf(out->slot[i], sizeof(out->slot[i]), "%.*s", (int)l,
			 (const char *)val + pos);
		pos += l;
	}
	return 0;
}

/* ---- hooks ---- */

void node_index_created(struct node_txn *t, const uint8_t id[16],
			const struct node_type *type, const char *scope,
			uint64_t hlc)
{
	struct crdt_value sv = {.kind = CRDT_VALUE_STR,
				.p = (const uint8_t *)scope,
				.len = strlen(scope)};
	put_ikey(t, type->name, "scope", &sv, id, false, false);
	const struct xdef *x = xdef_of(type->name);
	struct xrec r;
	xrec_init(&r, type, x);
	if (r.n == 0)
		return;
	struct crdt_buf b;
	crdt_buf_init(&b);
	xrec_encode(&b, &r);
	uint8_t k[17];
	xkey_record(k, id);
	node_txn_put(t, k, sizeof(k), b.data, b.len);
	uint8_t xk[KEY_MAX];
	size_t xl = xrow(x, type, id, scope, hlc, &r, xk, &b);
	if (xl)
		node_txn_put(t, xk, xl, b.data, b.len);
	crdt_buf_fini(&b);
}

void node_index_changed(struct node_txn *t, const uint8_t id[16],
			const struct node_entity *e, const struct node_field *f,
			const struct crdt_cell *cell)
{
	const struct node_type *type =
	    node_schema_type(e->type, strlen(e->type));
	if (!type)
		return;
	const struct xdef *x = xdef_of(type->name);
	if (!tracked(type, x, f))
		return;
	uint8_t k[17];
	xkey_record(k, id);
	uint8_t *old_buf = NULL;
	size_t old_len = 0;
	struct xrec *r = crdt_xmalloc(2 * sizeof(*r));
	struct xrec *old = &r[0], *now = &r[1];
	xrec_init(old, type, x);
	if (node_txn_get(t, k, sizeof(k), &old_buf, &old_len) == 0)
		xrec_decode(old, old_buf, old_len);
	*now = *old;
	struct fstate *was = xrec_field(old, f->name);
	struct fstate *is = xrec_field(now, f->name);
	is->n = 0;
	is->conflict = false;
	if (cell->is_set) {
		for (size_t i = 0; i < cell->n_elems && is->n < MAX_VALS; i++)
			is->v[is->n++] = cell->elems[i].value;
	} else {
		const struct crdt_version *s = crdt_cell_shown(cell);
		if (s && s->value.kind != CRDT_VALUE_NIL)
			is->v[is->n++] = s->value;
		is->conflict = cell->n_live > 1;
	}
	if (f->indexed) {
		for (size_t i = 0; i < was->n; i++) {
			bool kept = false;
			for (size_t j = 0; j < is->n && !kept; j++)
				kept = crdt_value_equal(&was->v[i], &is->v[j]);
			if (!kept || was->conflict != is->conflict)
				put_ikey(t, type->name, f->name, &was->v[i], id,
					 false, true);
		}
		for (size_t j = 0; j < is->n; j++) {
			bool had = false;
			for (size_t i = 0; i < was->n && !had; i++)
				had = crdt_value_equal(&was->v[i], &is->v[j]);
			if (!had || was->conflict != is->conflict)
				put_ikey(t, type->name, f->name, &is->v[j], id,
					 is->conflict, false);
		}
	}
	struct crdt_buf ob, nb;
	crdt_buf_init(&ob);
	crdt_buf_init(&nb);
	uint8_t ok_[KEY_MAX], nk[KEY_MAX];
	size_t ol = xrow(x, type, id, e->scope, e->hlc, old, ok_, &ob);
	size_t nl = xrow(x, type, id, e->scope, e->hlc, now, nk, &nb);
	bool same_key = ol == nl && !memcmp(ok_, nk, nl);
	if (ol && !same_key)
		node_txn_del(t, ok_, ol);
	if (nl &&
	    (!same_key || ob.len != nb.len || memcmp(ob.data, nb.data, nb.len)))
		node_txn_put(t, nk, nl, nb.data, nb.len);
	/* The record last: the values above borrow old_buf and the cell. */
	crdt_buf_reset(&nb);
	xrec_encode(&nb, now);
	node_txn_put(t, k, sizeof(k), nb.data, nb.len);
	crdt_buf_fini(&ob);
	crdt_buf_fini(&nb);
	free(old_buf);
	free(r);
}
