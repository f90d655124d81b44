/*
 * cell.c: one field of one entity, as a multi-value register or an
 * add-wins observed-remove set (Shapiro et al., "A comprehensive study of
 * Convergent and Commutative Replicated Data Types", 2011).
 *
 * Register: a set writes a version named by its dot and supersedes exactly
 * the versions its pred names. The live versions are all versions minus
 * every version any pred names. Every dot a pred names is kept in `dead`
 * (a version that has not arrived is dead on arrival), and never leaves
 * it, so that the cell's bytes are the same in every arrival order.
 *
 * Set: each add's dot is its tag; an element is present while some tag of
 * it is live. A remove kills the tags it observed; tags it names that have
 * not arrived go to `dead` and are killed on arrival. Tags are matched
 * across the whole field so that the outcome never depends on which of
 * the add or the remove arrived first.
 *
 * Every mutation updates the LtHash: the field's (or element's) old digest
 * element is subtracted and the new one added, so that any order of the
 * same ops yields the same cell bytes and the same digest.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"

static void value_own(struct crdt_value *dst, const struct crdt_value *src)
{
	*dst = *src;
	if (src->kind == CRDT_VALUE_STR || src->kind == CRDT_VALUE_BIN) {
		uint8_t *p = crdt_xrealloc(NULL, src->len);
		if (src->len)
			memcpy(p, src->p, src->len);
		dst->p = p;
	} else {
		dst->p = NULL;
		dst->len = 0;
	}
}

static void value_release(struct crdt_value *v)
{
	if (v->kind == CRDT_VALUE_STR || v->kind == CRDT_VALUE_BIN)
		free((void *)v->p);
	v->p = NULL;
}

void crdt_cell_init(struct crdt_cell *c, bool is_set)
{
	memset(c, 0, sizeof(*c));
	c->is_set = is_set;
}

void crdt_cell_fini(struct crdt_cell *c)
{
	for (size_t i = 0; i < c->n_live; i++)
		value_release(&c->live[i].value);
	for (size_t i = 0; i < c->n_elems; i++) {
		value_release(&c->elems[i].value);
		free(c->elems[i].tags);
	}
	free(c->live);
	free(c->elems);
	free(c->dead);
	crdt_cell_init(c, c->is_set);
}

bool crdt_cell_empty(const struct crdt_cell *c)
{
	return c->n_live == 0 && c->n_elems == 0 && c->n_dead == 0;
}

/* (hlc, author, seq, index): the order in which the shown value wins. */
static int version_cmp(const struct crdt_version *a,
		       const struct crdt_version *b)
{
	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	int r = memcmp(a->dot.author, b->dot.author, CRDT_KEY_BYTES);
	if (r != 0)
		return r;
	if (a->dot.seq != b->dot.seq)
		return a->dot.seq < b->dot.seq ? -1 : 1;
	if (a->dot.index != b->dot.index)
		return a->dot.index < b->dot.index ? -1 : 1;
	return 0;
}

static int value_cmp_encoded(const struct crdt_value *a,
			     const struct crdt_value *b)
{
	struct crdt_buf x, y;
	crdt_buf_init(&x);
	crdt_buf_init(&y);
	crdt_value_encode(&x, a);
	crdt_value_encode(&y, b);
	size_t n = x.len < y.len ? x.len : y.len;
	int r = memcmp(x.data, y.data, n);
	if (r == 0)
		r = x.len < y.len ? -1 : x.len > y.len ? 1 : 0;
	crdt_buf_fini(&x);
	crdt_buf_fini(&y);
	return r;
}

/* Sorted dot arrays (by encoded bytes). */
static bool dots_find(const struct crdt_dot *d, size_t n,
		      const struct crdt_dot *x, size_t *pos)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = crdt_dot_cmp_encoded(&d[mid], x);
		if (r == 0) {
			*pos = mid;
			return true;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return false;
}

static void dots_insert(struct crdt_dot **d, size_t *n, const struct crdt_dot *x)
{
	size_t pos;
	if (dots_find(*d, *n, x, &pos))
		return;
	*d = crdt_xrealloc(*d, (*n + 1) * sizeof(**d));
	memmove(*d + pos + 1, *d + pos, (*n - pos) * sizeof(**d));
	(*d)[pos] = *x;
	(*n)++;
}

static bool dots_remove(struct crdt_dot *d, size_t *n, const struct crdt_dot *x)
{
	size_t pos;
	if (!dots_find(d, *n, x, &pos))
		return false;
	memmove(d + pos, d + pos + 1, (*n - pos - 1) * sizeof(*d));
	(*n)--;
	return true;
}

/* ---- digest elements ---- */

static void field_header(struct crdt_buf *b, unsigned tag, size_t arity,
			 const uint8_t entity[16], const char *field,
			 size_t field_len)
{
	crdt_pack_array(b, arity);
	crdt_pack_uint(b, tag);
	crdt_pack_bin(b, entity, CRDT_ENTITY_BYTES);
	crdt_pack_str(b, field, field_len);
}

/* [1, entity, field, live]: live as [dot, value] sorted by encoded bytes,
 * which for unique, prefix-free dots is the order of the dots. */
static void register_elem(struct crdt_lthash *h, const struct crdt_cell *c,
			  const uint8_t entity[16], const char *field,
			  size_t field_len, bool add)
{
	if (c->n_live == 0 || !h)
		return;
	size_t *order = crdt_xrealloc(NULL, c->n_live * sizeof(*order));
	for (size_t i = 0; i < c->n_live; i++) {
		size_t j = i;
		while (j > 0 && crdt_dot_cmp_encoded(&c->live[order[j - 1]].dot,
						     &c->live[i].dot) > 0) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	struct crdt_buf b;
	crdt_buf_init(&b);
	field_header(&b, 1, 4, entity, field, field_len);
	crdt_pack_array(&b, c->n_live);
	for (size_t i = 0; i < c->n_live; i++) {
		const struct crdt_version *v = &c->live[order[i]];
		crdt_pack_array(&b, 2);
		crdt_dot_encode(&b, &v->dot);
		crdt_value_encode(&b, &v->value);
	}
	if (add)
		crdt_lthash_add(h, b.data, b.len);
	else
		crdt_lthash_sub(h, b.data, b.len);
	crdt_buf_fini(&b);
	free(order);
}

/* [2, entity, field, element, tags] for a present element. */
static void set_elem(struct crdt_lthash *h, const struct crdt_elem *e,
		     const uint8_t entity[16], const char *field,
		     size_t field_len, bool add)
{
	if (e->n_tags == 0 || !h)
		return;
	struct crdt_buf b;
	crdt_buf_init(&b);
	field_header(&b, 2, 5, entity, field, field_len);
	crdt_value_encode(&b, &e->value);
	crdt_pack_array(&b, e->n_tags);
	for (size_t i = 0; i < e->n_tags; i++)
		crdt_dot_encode(&b, &e->tags[i]);
	if (add)
		crdt_lthash_add(h, b.data, b.len);
	else
		crdt_lthash_sub(h, b.data, b.len);
	crdt_buf_fini(&b);
}

/* ---- register ---- */

void crdt_cell_set(struct crdt_cell *c, const uint8_t entity[16],
		   const char *field, size_t field_len,
		   const struct crdt_dot *dot, uint64_t hlc,
		   const struct crdt_value *value, const struct crdt_dot *preds,
		   size_t n_preds, struct crdt_lthash *h)
{
	register_elem(h, c, entity, field, field_len, false);
	for (size_t p = 0; p < n_preds; p++) {
		bool found = false;
		for (size_t i = 0; i < c->n_live; i++) {
			if (crdt_dot_equal(&c->live[i].dot, &preds[p])) {
				value_release(&c->live[i].value);
				memmove(&c->live[i], &c->live[i + 1],
					(c->n_live - i - 1) * sizeof(*c->live));
				c->n_live--;
				found = true;
				break;
			}
		}
		(void)found;
		/* Every dot any pred names stays dead, so that the cell's
		 * bytes do not depend on whether the version came first. */
		dots_insert(&c->dead, &c->n_dead, &preds[p]);
	}
	size_t pos_dead;
	if (!dots_find(c->dead, c->n_dead, dot, &pos_dead)) {
		struct crdt_version v = {.dot = *dot, .hlc = hlc};
		value_own(&v.value, value);
		size_t pos = c->n_live;
		while (pos > 0 && version_cmp(&c->live[pos - 1], &v) > 0)
			pos--;
		c->live =
		    crdt_xrealloc(c->live, (c->n_live + 1) * sizeof(*c->live));
		memmove(&c->live[pos + 1], &c->live[pos],
			(c->n_live - pos) * sizeof(*c->live));
		c->live[pos] = v;
		c->n_live++;
	}
	register_elem(h, c, entity, field, field_len, true);
}

void crdt_cell_prune_dead(struct crdt_cell *c, crdt_dot_settled_fn settled,
			  void *ctx)
{
	size_t w = 0;
	for (size_t i = 0; i < c->n_dead; i++)
		if (!settled(ctx, &c->dead[i]))
			c->dead[w++] = c->dead[i];
	c->n_dead = w;
}

const struct crdt_version *crdt_cell_shown(const struct crdt_cell *c)
{
	return c->n_live ? &c->live[c->n_live - 1] : NULL;
}

/* ---- set ---- */

static bool elem_find(const struct crdt_cell *c, const struct crdt_value *v,
		      size_t *pos)
{
	size_t lo = 0, hi = c->n_elems;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = value_cmp_encoded(&c->elems[mid].value, v);
		if (r == 0) {
			*pos = mid;
			return true;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return false;
}

const struct crdt_elem *crdt_cell_find(const struct crdt_cell *c,
				       const struct crdt_value *elem)
{
	size_t pos;
	if (!elem_find(c, elem, &pos) || c->elems[pos].n_tags == 0)
		return NULL;
	return &c->elems[pos];
}

static void elem_drop_at(struct crdt_cell *c, size_t pos)
{
	value_release(&c->elems[pos].value);
	free(c->elems[pos].tags);
	memmove(&c->elems[pos], &c->elems[pos + 1],
		(c->n_elems - pos - 1) * sizeof(*c->elems));
	c->n_elems--;
}

void crdt_cell_add(struct crdt_cell *c, const uint8_t entity[16],
		   const char *field, size_t field_len,
		   const struct crdt_dot *dot, const struct crdt_value *elem,
		   struct crdt_lthash *h)
{
	size_t pos_dead;
	if (dots_find(c->dead, c->n_dead, dot, &pos_dead))
		return;
	size_t pos;
	if (!elem_find(c, elem, &pos)) {
		c->elems = crdt_xrealloc(c->elems,
					 (c->n_elems + 1) * sizeof(*c->elems));
		memmove(&c->elems[pos + 1], &c->elems[pos],
			(c->n_elems - pos) * sizeof(*c->elems));
		memset(&c->elems[pos], 0, sizeof(c->elems[pos]));
		value_own(&c->elems[pos].value, elem);
		c->n_elems++;
	}
	struct crdt_elem *e = &c->elems[pos];
	set_elem(h, e, entity, field, field_len, false);
	dots_insert(&e->tags, &e->n_tags, dot);
	set_elem(h, e, entity, field, field_len, true);
}

void crdt_cell_remove(struct crdt_cell *c, const uint8_t entity[16],
		      const char *field, size_t field_len,
		      const struct crdt_value *elem,
		      const struct crdt_dot *observed, size_t n_observed,
		      struct crdt_lthash *h)
{
	(void)elem; /* tags are unique: the observed dots alone decide */
	for (size_t o = 0; o < n_observed; o++) {
		bool found = false;
		for (size_t i = 0; i < c->n_elems && !found; i++) {
			struct crdt_elem *e = &c->elems[i];
			size_t pos;
			if (!dots_find(e->tags, e->n_tags, &observed[o], &pos))
				continue;
			found = true;
			set_elem(h, e, entity, field, field_len, false);
			dots_remove(e->tags, &e->n_tags, &observed[o]);
			set_elem(h, e, entity, field, field_len, true);
			if (e->n_tags == 0)
				elem_drop_at(c, i);
		}
		(void)found;
		dots_insert(&c->dead, &c->n_dead, &observed[o]);
	}
}

/* ---- storage form: [is_set, live or elems, dead] ---- */

void crdt_cell_encode(struct crdt_buf *b, const struct crdt_cell *c)
{
	crdt_pack_array(b, 3);
	crdt_pack_bool(b, c->is_set);
	if (c->is_set) {
		crdt_pack_array(b, c->n_elems);
		for (size_t i = 0; i < c->n_elems; i++) {
			crdt_pack_array(b, 2);
			crdt_value_encode(b, &c->elems[i].value);
			crdt_pack_array(b, c->elems[i].n_tags);
			for (size_t k = 0; k < c->elems[i].n_tags; k++)
				crdt_dot_encode(b, &c->elems[i].tags[k]);
		}
	} else {
		crdt_pack_array(b, c->n_live);
		for (size_t i = 0; i < c->n_live; i++) {
			crdt_pack_array(b, 3);
			crdt_dot_encode(b, &c->live[i].dot);
			crdt_pack_uint(b, c->live[i].hlc);
			crdt_value_encode(b, &c->live[i].value);
		}
	}
	crdt_pack_array(b, c->n_dead);
	for (size_t i = 0; i < c->n_dead; i++)
		crdt_dot_encode(b, &c->dead[i]);
}

static int read_dot_array(struct crdt_mp_cursor *m, struct crdt_dot **out,
			  size_t *n_out)
{
	size_t n;
	if (crdt_mp_read_array(m, &n) != 0)
		return -EBADMSG;
	struct crdt_dot *d = crdt_xrealloc(NULL, n * sizeof(*d));
	for (size_t i = 0; i < n; i++) {
		if (crdt_dot_decode(m, &d[i]) != 0) {
			free(d);
			return -EBADMSG;
		}
	}
	*out = d;
	*n_out = n;
	return 0;
}

int crdt_cell_decode(struct crdt_cell *c, const uint8_t *buf, size_t len)
{
	struct crdt_mp_cursor m;
	size_t n, k;
	bool is_set;
	crdt_mp_cursor_init(&m, buf, len, false);
	crdt_cell_init(c, false);
	if (crdt_mp_read_array(&m, &n) != 0 || n != 3 ||
	    crdt_mp_read_bool(&m, &is_set) != 0 ||
	    crdt_mp_read_array(&m, &n) != 0)
		return -EBADMSG;
	c->is_set = is_set;
	if (is_set) {
		c->elems = crdt_xrealloc(NULL, n * sizeof(*c->elems));
		for (size_t i = 0; i < n; i++) {
			struct crdt_elem *e = &c->elems[i];
			struct crdt_value v;
			if (crdt_mp_read_array(&m, &k) != 0 || k != 2 ||
			    crdt_value_decode(&m, &v) != 0)
				goto bad;
			memset(e, 0, sizeof(*e));
			value_own(&e->value, &v);
			c->n_elems++;
			if (read_dot_array(&m, &e->tags, &e->n_tags) != 0)
				goto bad;
		}
	} else {
		c->live = crdt_xrealloc(NULL, n * sizeof(*c->live));
		for (size_t i = 0; i < n; i++) {
			struct crdt_version *v = &c->live[i];
			struct crdt_value val;
			if (crdt_mp_read_array(&m, &k) != 0 || k != 3 ||
			    crdt_dot_decode(&m, &v->dot) != 0 ||
			    crdt_mp_read_uint(&m, &v->hlc) != 0 ||
			    crdt_value_decode(&m, &val) != 0)
				goto bad;
			value_own(&v->value, &val);
			c->n_live++;
		}
	}
	if (read_dot_array(&m, &c->dead, &c->n_dead) != 0 ||
	    crdt_mp_left(&m) != 0)
		goto bad;
	return 0;
bad:
	crdt_cell_fini(c);
	return -EBADMSG;
}
