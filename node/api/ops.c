/*
 * ops.c: the one text->ops builder (ops.h). `ward add`, `ward set` and
 * the import each had their own until issue 9: add and set capped a set's
 * elements at 256, the import at 64 with its own message; a register the
 * import found unchanged wrote nothing while `ward set` wrote it again.
 * The differences that remain are the callers' choice, said in struct
 * node_ops_field: how references resolve, and whether only changes count.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "node/api/ops.h"
#include "node/catalog/catalog.h"
#include "node/ledger/schema.h"

void node_ops_clear(struct node_ops *o)
{
	for (size_t i = 0; i < o->n_bufs; i++)
		free(o->bufs[i]);
	o->n_bufs = 0;
	o->n = 0;
	o->bytes = 0;
}

void node_ops_fini(struct node_ops *o)
{
	node_ops_clear(o);
	free(o->bufs);
	free(o->ops);
	memset(o, 0, sizeof(*o));
}

static void keep_buf(struct node_ops *o, void *q)
{
	if (o->n_bufs == o->cap_bufs) {
		o->cap_bufs = o->cap_bufs ? 2 * o->cap_bufs : 64;
		o->bufs = crdt_xrealloc(o->bufs, o->cap_bufs * sizeof(*o->bufs));
	}
	o->bufs[o->n_bufs++] = q;
}

void *node_ops_keep(struct node_ops *o, const void *p, size_t n)
{
	void *q = crdt_xmalloc(n ? n : 1);
	if (n)
		memcpy(q, p, n);
	keep_buf(o, q);
	return q;
}

static void reserve(struct node_ops *o, size_t more)
{
	if (o->n + more <= o->cap)
		return;
	size_t cap = o->cap ? o->cap : 16;
	while (cap < o->n + more)
		cap *= 2;
	o->ops = crdt_xrealloc(o->ops, cap * sizeof(*o->ops));
	o->cap = cap;
}

struct crdt_op *node_ops_push(struct node_ops *o, enum crdt_op_code code,
			      const uint8_t *entity, const char *name)
{
	reserve(o, 1);
	struct crdt_op *op = &o->ops[o->n++];
	memset(op, 0, sizeof(*op));
	op->code = code;
	if (entity)
		memcpy(op->entity, entity, 16);
	op->name_len = strlen(name);
	op->name = node_ops_keep(o, name, op->name_len + 1);
	o->bytes += 40 + op->name_len;
	return op;
}

void node_ops_value(struct node_ops *o, struct crdt_op *op,
		    const struct crdt_value *v)
{
	op->value = *v;
	if (v->kind == CRDT_VALUE_STR || v->kind == CRDT_VALUE_BIN)
		op->value.p = node_ops_keep(o, v->p, v->len);
	if (v->kind != CRDT_VALUE_NIL)
		o->bytes += v->len + 160;
}

void node_ops_dots(struct node_ops *o, struct crdt_op *op,
		   const struct crdt_dot *d, size_t n)
{
	op->dots = node_ops_keep(o, d, n * sizeof(*d));
	op->n_dots = n;
	o->bytes += n * 48;
}

void node_ops_adopt(struct node_ops *dst, struct node_ops *src)
{
	reserve(dst, src->n);
	memcpy(dst->ops + dst->n, src->ops, src->n * sizeof(*src->ops));
	dst->n += src->n;
	dst->bytes += src->bytes;
	for (size_t i = 0; i < src->n_bufs; i++)
		keep_buf(dst, src->bufs[i]);
	src->n_bufs = 0;
	src->n = 0;
	src->bytes = 0;
}

int node_ops_parse(const struct node_field *f, const char *text,
		   node_ops_ref_fn ref, void *ref_ctx, struct crdt_value *v,
		   uint8_t *buf, struct node_reason *why)
{
	if (f->kind == NODE_FIELD_REF && *text && ref) {
		int rc = ref(ref_ctx, f, text, buf, why);
		if (rc)
			return rc;
		*v = (struct crdt_value){
		    .kind = CRDT_VALUE_BIN, .p = buf, .len = 16};
		return 0;
	}
	return node_schema_parse_reason(f, text, v, buf,
					CRDT_MAX_STR_BYTES + 16, why);
}

/* A register: the value typed, superseding every live version. */
static int register_ops(struct node_ops *o, const struct node_ops_field *in,
			struct node_reason *why)
{
	const struct node_field *f = in->f;
	if (in->how != NODE_OPS_ASSIGN) {
		NODE_REASON_LONG(why, MSG_HOLDS_ONE_VALUE_USE_VALUE, f->name,
				 f->name);
		return -EINVAL;
	}
	uint8_t buf[CRDT_MAX_STR_BYTES + 16];
	struct crdt_value v = {.kind = CRDT_VALUE_NIL};
	int rc = node_ops_parse(f, in->text, in->ref, in->ref_ctx, &v, buf,
				why);
	if (rc)
		return rc;
	const struct crdt_cell *cell = in->cell;
	if (in->only_changes) {
		const struct crdt_version *s =
		    cell ? crdt_cell_shown(cell) : NULL;
		if (s ? crdt_value_equal(&s->value, &v)
		      : v.kind == CRDT_VALUE_NIL)
			return 0;
	}
	struct crdt_op *op = node_ops_push(o, CRDT_OP_SET, in->entity, f->name);
	node_ops_value(o, op, &v);
	if (cell && cell->n_live) {
		struct crdt_dot preds[CRDT_MAX_DOTS];
		size_t np = 0;
		for (size_t k = 0; k < cell->n_live && np < CRDT_MAX_DOTS; k++)
			preds[np++] = cell->live[k].dot;
		node_ops_dots(o, op, preds, np);
	}
	return 0;
}

/* A set: its elements, each parsed, listed once. */
static int set_ops(struct node_ops *o, const struct node_ops_field *in,
		   struct node_reason *why)
{
	const struct node_field *f = in->f;
	const struct crdt_cell *cell = in->cell;
	char *copy = crdt_xstrdup(in->text), *save = NULL;
	char *parts[NODE_OPS_MAX_ELEMS];
	size_t np = 0;
	int rc = 0;
	for (char *p = strtok_r(copy, "|", &save); p;
	     p = strtok_r(NULL, "|", &save)) {
		if (np == NODE_OPS_MAX_ELEMS) {
			NODE_REASON_LONG(why, MSG_TAKES_MOST_VALUES_ONCE,
					 f->name, NODE_OPS_MAX_ELEMS);
			free(copy);
			return -EINVAL;
		}
		parts[np++] = p;
	}
	uint8_t *buf = crdt_xmalloc(CRDT_MAX_STR_BYTES + 16);
	struct crdt_value *vals = crdt_xcalloc(np ? np : 1, sizeof(*vals));
	bool *dup = crdt_xcalloc(np ? np : 1, sizeof(*dup));
	size_t before = o->n, bytes = o->bytes;
	for (size_t i = 0; i < np && !rc; i++) {
		rc = node_ops_parse(f, parts[i], in->ref, in->ref_ctx, &vals[i],
				    buf, why);
		if (rc)
			break;
		/* keep the parsed bytes: buf is reused */
		if (vals[i].kind == CRDT_VALUE_STR ||
		    vals[i].kind == CRDT_VALUE_BIN)
			vals[i].p = node_ops_keep(o, vals[i].p, vals[i].len);
		for (size_t k = 0; k < i && !dup[i]; k++)
			dup[i] = crdt_value_equal(&vals[k], &vals[i]);
	}
	if (rc)
		goto out;
	if (in->how == NODE_OPS_REMOVE) {
		for (size_t i = 0; i < np; i++) {
			if (dup[i])
				continue;
			const struct crdt_elem *e =
			    cell ? crdt_cell_find(cell, &vals[i]) : NULL;
			if (!e) {
				NODE_REASON_LONG(why,
						 MSG_NOT_SET_NOTHING_REMOVE,
						 f->name, parts[i]);
				rc = -EINVAL;
				goto out;
			}
			struct crdt_op *op = node_ops_push(
			    o, CRDT_OP_REMOVE, in->entity, f->name);
			node_ops_value(o, op, &vals[i]);
			node_ops_dots(o, op, e->tags, e->n_tags);
		}
		goto out;
	}
	bool replace = in->how == NODE_OPS_ASSIGN;
	for (size_t i = 0; replace && cell && i < cell->n_elems; i++) {
		bool keep = false;
		for (size_t k = 0; k < np && !keep; k++)
			keep = crdt_value_equal(&cell->elems[i].value, &vals[k]);
		if (keep)
			continue;
		struct crdt_op *op =
		    node_ops_push(o, CRDT_OP_REMOVE, in->entity, f->name);
		node_ops_value(o, op, &cell->elems[i].value);
		node_ops_dots(o, op, cell->elems[i].tags, cell->elems[i].n_tags);
	}
	for (size_t i = 0; i < np; i++) {
		if (dup[i])
			continue;
		if ((replace || in->only_changes) && cell &&
		    crdt_cell_find(cell, &vals[i]))
			continue;
		struct crdt_op *op =
		    node_ops_push(o, CRDT_OP_ADD, in->entity, f->name);
		node_ops_value(o, op, &vals[i]);
	}
out:
	if (rc) {
		o->n = before;
		o->bytes = bytes;
	}
	free(dup);
	free(vals);
	free(buf);
	free(copy);
	return rc;
}

int node_ops_field(struct node_ops *o, const struct node_ops_field *in,
		   struct node_reason *why)
{
	return in->f->is_set ? set_ops(o, in, why) : register_ops(o, in, why);
}
