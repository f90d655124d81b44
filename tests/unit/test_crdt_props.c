/*
 * test_crdt_props: seeded property tests of the merge (DESIGN.md section 4)
 * and of entry encoding.
 *
 *  - Random op sets on a few entities and fields (register sets whose preds
 *    name random existing or not-yet-existing dots, set adds, and removes
 *    observing random tags), each op applied exactly once per replica in
 *    several random orders: byte-identical cells (crdt_cell_encode) and
 *    identical LtHash digests across orders, and both equal to a model
 *    computed from the definitions (live = versions minus every version a
 *    pred names; present = adds minus observed tags; shown = greatest
 *    (hlc, author, seq, index)) and a digest built independently from
 *    section 3's element encodings.
 *  - crdt_entry_decode(encode(x)) == x for random entries, and decoding
 *    random or mutated entry bytes never crashes; whatever decodes
 *    re-encodes to exactly its body (only canonical bytes are accepted).
 *
 * WARD_SEED=<n> replays a run (the seed is printed); WARD_PROP_ITERS sets
 * the number of op sets (default 10,000; 2,000 under sanitizers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "crdt/crdt.h"

#if defined(__SANITIZE_ADDRESS__)
#define WARD_UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WARD_UNDER_SANITIZER 1
#endif
#endif
#ifdef WARD_UNDER_SANITIZER
#define DEFAULT_ITERS 2000u
#else
#define DEFAULT_ITERS 10000u
#endif

static uint64_t seed;
#include "tests/common/testseed.h"

static unsigned env_uint(const char *name, unsigned dflt)
{
	const char *s = getenv(name);
	return s ? (unsigned)strtoul(s, NULL, 0) : dflt;
}

/* ---- the op-set model ---- */

#define N_AUTHORS 3
#define N_ENTITIES 2
#define MAX_OPS 40
#define N_ORDERS 4

/* Fields: 0, 1 registers; 2 a set. */
static const char *const field_names[] = {"name", "status", "special"};
#define N_FIELDS 3
#define FIELD_IS_SET(f) ((f) == 2)

struct pop {
	enum crdt_op_code code; /* SET, ADD or REMOVE */
	int entity, field;
	struct crdt_dot dot;
	uint64_t hlc;
	struct crdt_value value;
	uint8_t vbuf[8];
	size_t n_dots;
	struct crdt_dot dots[8];
};

static uint8_t authors[N_AUTHORS][32];
static uint8_t entities[N_ENTITIES][16];

static void random_small_value(struct pop *o, bool element)
{
	/* small domains so that equal values and conflicts are common */
	switch (rnd_below(element ? 3 : 5)) {
	case 0:
		o->value.kind = CRDT_VALUE_INT;
		o->value.i = (int64_t)rnd_below(3) - 1;
		break;
	case 1:
		o->value.kind = CRDT_VALUE_STR;
		o->vbuf[0] = (uint8_t)('a' + rnd_below(3));
		o->value.p = o->vbuf;
		o->value.len = 1 + rnd_below(2);
		o->vbuf[1] = 'z';
		break;
	case 2:
		o->value.kind = CRDT_VALUE_BIN;
		o->vbuf[0] = (uint8_t)rnd_below(2);
		o->value.p = o->vbuf;
		o->value.len = rnd_below(2);
		break;
	case 3:
		o->value.kind = CRDT_VALUE_BOOL;
		o->value.b = rnd() & 1;
		break;
	default:
		o->value.kind = CRDT_VALUE_NIL;
		break;
	}
}

static size_t gen_ops(struct pop *ops)
{
	size_t n = 1 + rnd_below(MAX_OPS);
	uint64_t next_seq[N_AUTHORS] = {0};
	for (size_t i = 0; i < n; i++) {
		struct pop *o = &ops[i];
		memset(o, 0, sizeof(*o));
		o->entity = (int)rnd_below(N_ENTITIES);
		o->field = (int)rnd_below(N_FIELDS);
		size_t a = rnd_below(N_AUTHORS);
		memcpy(o->dot.author, authors[a], 32);
		/* unique dots: seq grows per author, index small */
		if (rnd_below(3) == 0 && next_seq[a] > 0) {
			o->dot.seq = next_seq[a];
			o->dot.index = 0;
			/* find a free index at this seq */
			for (size_t j = 0; j < i; j++)
				if (crdt_dot_equal(&ops[j].dot, &o->dot)) {
					o->dot.index++;
					j = (size_t)-1;
				}
		} else {
			o->dot.seq = ++next_seq[a];
			/* sometimes a large seq to exercise wide encodings */
			if (rnd_below(8) == 0)
				o->dot.seq += (uint64_t)1 << (8 * rnd_below(8));
			next_seq[a] = o->dot.seq;
			o->dot.index = (uint32_t)rnd_below(2);
		}
		/* hlcs collide sometimes so ties break on (author, seq, index) */
		o->hlc = 1000 + rnd_below(8);
		if (FIELD_IS_SET(o->field)) {
			o->code = rnd_below(3) ? CRDT_OP_ADD : CRDT_OP_REMOVE;
			random_small_value(o, true);
		} else {
			o->code = CRDT_OP_SET;
			random_small_value(o, false);
		}
	}
	/* preds and observed name dots of the same cell: any op of it (before
	 * or after in generation order), or a dot that never arrives. */
	for (size_t i = 0; i < n; i++) {
		struct pop *o = &ops[i];
		if (o->code == CRDT_OP_ADD)
			continue;
		size_t want = rnd_below(4);
		for (size_t k = 0; k < want && o->n_dots < 8; k++) {
			struct crdt_dot d;
			if (rnd_below(5) == 0) {
				memcpy(d.author, authors[rnd_below(N_AUTHORS)],
				       32);
				d.seq = 100000 + rnd_below(3);
				d.index = (uint32_t)rnd_below(2);
			} else {
				size_t j = rnd_below(n);
				if (j == i || ops[j].entity != o->entity ||
				    ops[j].field != o->field)
					continue;
				if (o->code == CRDT_OP_REMOVE &&
				    ops[j].code != CRDT_OP_ADD)
					continue;
				d = ops[j].dot;
			}
			bool dup = false;
			for (size_t m = 0; m < o->n_dots; m++)
				dup |= crdt_dot_equal(&o->dots[m], &d);
			if (!dup)
				o->dots[o->n_dots++] = d;
		}
	}
	return n;
}

struct replica {
	struct crdt_cell cells[N_ENTITIES][N_FIELDS];
	struct crdt_lthash h;
};

static void replica_init(struct replica *r)
{
	for (int e = 0; e < N_ENTITIES; e++)
		for (int f = 0; f < N_FIELDS; f++)
			crdt_cell_init(&r->cells[e][f], FIELD_IS_SET(f));
	crdt_lthash_init(&r->h);
}

static void replica_fini(struct replica *r)
{
	for (int e = 0; e < N_ENTITIES; e++)
		for (int f = 0; f < N_FIELDS; f++)
			crdt_cell_fini(&r->cells[e][f]);
}

static void apply(struct replica *r, const struct pop *o)
{
	struct crdt_cell *c = &r->cells[o->entity][o->field];
	const char *fn = field_names[o->field];
	switch (o->code) {
	case CRDT_OP_SET:
		crdt_cell_set(c, entities[o->entity], fn, strlen(fn), &o->dot,
			      o->hlc, &o->value, o->dots, o->n_dots, &r->h);
		break;
	case CRDT_OP_ADD:
		crdt_cell_add(c, entities[o->entity], fn, strlen(fn), &o->dot,
			      &o->value, &r->h);
		break;
	default:
		crdt_cell_remove(c, entities[o->entity], fn, strlen(fn),
				 &o->value, o->dots, o->n_dots, &r->h);
		break;
	}
}

/* ---- the model ---- */

static bool named(const struct pop *ops, size_t n, const struct pop *v)
{
	for (size_t i = 0; i < n; i++) {
		if (ops[i].entity != v->entity || ops[i].field != v->field ||
		    ops[i].code == CRDT_OP_ADD)
			continue;
		for (size_t k = 0; k < ops[i].n_dots; k++)
			if (crdt_dot_equal(&ops[i].dots[k], &v->dot))
				return true;
	}
	return false;
}

struct blob {
	uint8_t *p;
	size_t len;
};

static int blob_cmp(const void *a, const void *b)
{
	const struct blob *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->p, y->p, n);
	if (r)
		return r;
	return x->len < y->len ? -1 : x->len > y->len ? 1 : 0;
}

static void model_digest(const struct pop *ops, size_t n,
			 struct crdt_lthash *h)
{
	crdt_lthash_init(h);
	for (int e = 0; e < N_ENTITIES; e++) {
		for (int f = 0; f < N_FIELDS; f++) {
			const char *fn = field_names[f];
			struct blob items[MAX_OPS];
			size_t ni = 0;
			if (!FIELD_IS_SET(f)) {
				for (size_t i = 0; i < n; i++) {
					if (ops[i].entity != e ||
					    ops[i].field != f ||
					    named(ops, n, &ops[i]))
						continue;
					struct crdt_buf b;
					crdt_buf_init(&b);
					crdt_pack_array(&b, 2);
					crdt_dot_encode(&b, &ops[i].dot);
					crdt_value_encode(&b, &ops[i].value);
					items[ni].p = crdt_buf_take(&b, &items[ni].len);
					ni++;
				}
				if (ni == 0)
					continue;
				qsort(items, ni, sizeof(items[0]), blob_cmp);
				struct crdt_buf b;
				crdt_buf_init(&b);
				crdt_pack_array(&b, 4);
				crdt_pack_uint(&b, 1);
				crdt_pack_bin(&b, entities[e], 16);
				crdt_pack_cstr(&b, fn);
				crdt_pack_array(&b, ni);
				for (size_t k = 0; k < ni; k++) {
					crdt_buf_append(&b, items[k].p,
							items[k].len);
					free(items[k].p);
				}
				crdt_lthash_add(h, b.data, b.len);
				crdt_buf_fini(&b);
				continue;
			}
			/* set: each distinct element with its live tags */
			for (size_t i = 0; i < n; i++) {
				if (ops[i].entity != e || ops[i].field != f ||
				    ops[i].code != CRDT_OP_ADD)
					continue;
				bool first = true;
				for (size_t j = 0; j < i && first; j++)
					if (ops[j].entity == e &&
					    ops[j].field == f &&
					    ops[j].code == CRDT_OP_ADD &&
					    crdt_value_equal(&ops[j].value,
							     &ops[i].value))
						first = false;
				if (!first)
					continue;
				ni = 0;
				for (size_t j = 0; j < n; j++) {
					if (ops[j].entity != e ||
					    ops[j].field != f ||
					    ops[j].code != CRDT_OP_ADD ||
					    !crdt_value_equal(&ops[j].value,
							      &ops[i].value) ||
					    named(ops, n, &ops[j]))
						continue;
					struct crdt_buf b;
					crdt_buf_init(&b);
					crdt_dot_encode(&b, &ops[j].dot);
					items[ni].p = crdt_buf_take(&b, &items[ni].len);
					ni++;
				}
				if (ni == 0)
					continue;
				qsort(items, ni, sizeof(items[0]), blob_cmp);
				struct crdt_buf b;
				crdt_buf_init(&b);
				crdt_pack_array(&b, 5);
				crdt_pack_uint(&b, 2);
				crdt_pack_bin(&b, entities[e], 16);
				crdt_pack_cstr(&b, fn);
				crdt_value_encode(&b, &ops[i].value);
				crdt_pack_array(&b, ni);
				for (size_t k = 0; k < ni; k++) {
					crdt_buf_append(&b, items[k].p,
							items[k].len);
					free(items[k].p);
				}
				crdt_lthash_add(h, b.data, b.len);
				crdt_buf_fini(&b);
			}
		}
	}
}

/* Checks a replica's cells against the definitions. */
static void check_model(const struct replica *r, const struct pop *ops,
			size_t n)
{
	for (int e = 0; e < N_ENTITIES; e++) {
		for (int f = 0; f < N_FIELDS; f++) {
			const struct crdt_cell *c = &r->cells[e][f];
			size_t live = 0;
			const struct pop *best = NULL;
			for (size_t i = 0; i < n; i++) {
				const struct pop *o = &ops[i];
				if (o->entity != e || o->field != f ||
				    o->code == CRDT_OP_REMOVE ||
				    named(ops, n, o))
					continue;
				live++;
				if (FIELD_IS_SET(f)) {
					const struct crdt_elem *el =
					    crdt_cell_find(c, &o->value);
					assert_non_null(el);
					bool has = false;
					for (size_t k = 0; k < el->n_tags; k++)
						has |= crdt_dot_equal(
						    &el->tags[k], &o->dot);
					assert_true(has);
					continue;
				}
				if (!best || o->hlc > best->hlc ||
				    (o->hlc == best->hlc &&
				     (memcmp(o->dot.author, best->dot.author,
					     32) > 0 ||
				      (!memcmp(o->dot.author, best->dot.author,
					       32) &&
				       (o->dot.seq > best->dot.seq ||
					(o->dot.seq == best->dot.seq &&
					 o->dot.index > best->dot.index))))))
					best = o;
			}
			if (FIELD_IS_SET(f)) {
				size_t tags = 0;
				for (size_t k = 0; k < c->n_elems; k++)
					tags += c->elems[k].n_tags;
				assert_int_equal(tags, live);
				continue;
			}
			assert_int_equal(c->n_live, live);
			const struct crdt_version *shown = crdt_cell_shown(c);
			if (!best) {
				assert_null(shown);
				continue;
			}
			assert_non_null(shown);
			assert_true(crdt_dot_equal(&shown->dot, &best->dot));
			assert_true(crdt_value_equal(&shown->value,
						     &best->value));
		}
	}
}

static void encode_cells(const struct replica *r, struct crdt_buf *b)
{
	for (int e = 0; e < N_ENTITIES; e++)
		for (int f = 0; f < N_FIELDS; f++) {
			struct crdt_buf cb;
			crdt_buf_init(&cb);
			crdt_cell_encode(&cb, &r->cells[e][f]);
			/* and the storage form round-trips */
			struct crdt_cell back;
			assert_int_equal(crdt_cell_decode(&back, cb.data,
							  cb.len),
					 0);
			struct crdt_buf cb2;
			crdt_buf_init(&cb2);
			crdt_cell_encode(&cb2, &back);
			assert_int_equal(cb2.len, cb.len);
			assert_memory_equal(cb2.data, cb.data, cb.len);
			crdt_buf_fini(&cb2);
			crdt_cell_fini(&back);
			crdt_pack_bin(b, cb.data, cb.len);
			crdt_buf_fini(&cb);
		}
}

static void print_ops(const struct pop *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct pop *o = &ops[i];
		fprintf(stderr, "  op %zu: %s e%d f%d dot(a%02x,%llu,%u) hlc %llu dots",
			i, o->code == CRDT_OP_SET ? "set" :
			   o->code == CRDT_OP_ADD ? "add" : "remove",
			o->entity, o->field, o->dot.author[0],
			(unsigned long long)o->dot.seq, o->dot.index,
			(unsigned long long)o->hlc);
		for (size_t k = 0; k < o->n_dots; k++)
			fprintf(stderr, " (a%02x,%llu,%u)", o->dots[k].author[0],
				(unsigned long long)o->dots[k].seq,
				o->dots[k].index);
		fprintf(stderr, "\n");
	}
}

static void test_merge_orders(void **state)
{
	(void)state;
	unsigned iters = env_uint("WARD_PROP_ITERS", DEFAULT_ITERS);
	static struct pop ops[MAX_OPS];
	size_t order[MAX_OPS];
	unsigned cell_mismatch = 0, first_bad = 0;
	for (unsigned it = 0; it < iters; it++) {
		size_t n = gen_ops(ops);
		struct crdt_buf ref;
		uint8_t ref_digest[32];
		struct crdt_lthash model;
		uint8_t model_d[32];
		model_digest(ops, n, &model);
		crdt_lthash_digest(&model, model_d);
		crdt_buf_init(&ref);
		for (int k = 0; k < N_ORDERS; k++) {
			for (size_t i = 0; i < n; i++)
				order[i] = i;
			if (k == 1) /* reverse */
				for (size_t i = 0; i < n; i++)
					order[i] = n - 1 - i;
			else if (k > 1)
				for (size_t i = n; i > 1; i--) {
					size_t j = rnd_below(i);
					size_t t = order[i - 1];
					order[i - 1] = order[j];
					order[j] = t;
				}
			struct replica r;
			replica_init(&r);
			for (size_t i = 0; i < n; i++)
				apply(&r, &ops[order[i]]);
			check_model(&r, ops, n);
			uint8_t d[32];
			crdt_lthash_digest(&r.h, d);
			if (memcmp(d, model_d, 32) != 0) {
				fprintf(stderr,
					"seed %llu iteration %u order %d: "
					"digest differs from the model\n",
					(unsigned long long)seed, it, k);
				print_ops(ops, n);
				fail();
			}
			struct crdt_buf cells;
			crdt_buf_init(&cells);
			encode_cells(&r, &cells);
			if (k == 0) {
				memcpy(ref_digest, d, 32);
				crdt_buf_append(&ref, cells.data, cells.len);
			} else {
				assert_memory_equal(d, ref_digest, 32);
				if (cells.len != ref.len ||
				    memcmp(cells.data, ref.data, ref.len)) {
					if (cell_mismatch++ == 0) {
						first_bad = it;
						fprintf(stderr,
							"seed %llu iteration %u "
							"order %d: cell encodings "
							"differ across orders\n",
							(unsigned long long)seed,
							it, k);
						print_ops(ops, n);
					}
				}
			}
			crdt_buf_fini(&cells);
			replica_fini(&r);
		}
		crdt_buf_fini(&ref);
	}
	printf("merge: %u op sets x %d orders, %u with differing cell bytes "
	       "(first at iteration %u)\n",
	       iters, N_ORDERS, cell_mismatch, first_bad);
	assert_int_equal(cell_mismatch, 0);
}

/* A directed case of the above: two sets naming the same version, which
 * arrives before one and after the other. */
static void test_shared_pred(void **state)
{
	(void)state;
	static struct pop ops[3];
	memset(ops, 0, sizeof(ops));
	for (int i = 0; i < 3; i++) {
		ops[i].code = CRDT_OP_SET;
		memcpy(ops[i].dot.author, authors[i], 32);
		ops[i].dot.seq = 1;
		ops[i].hlc = 1000 + (uint64_t)i;
		ops[i].value.kind = CRDT_VALUE_INT;
		ops[i].value.i = i;
	}
	ops[1].n_dots = ops[2].n_dots = 1;
	ops[1].dots[0] = ops[0].dot;
	ops[2].dots[0] = ops[0].dot;
	static const size_t orders[][3] = {{0, 1, 2}, {1, 2, 0}, {1, 0, 2}};
	struct crdt_buf first;
	crdt_buf_init(&first);
	for (int k = 0; k < 3; k++) {
		struct replica r;
		replica_init(&r);
		for (int i = 0; i < 3; i++)
			apply(&r, &ops[orders[k][i]]);
		struct crdt_buf b;
		crdt_buf_init(&b);
		crdt_cell_encode(&b, &r.cells[0][0]);
		if (k == 0)
			crdt_buf_append(&first, b.data, b.len);
		else if (b.len != first.len ||
			 memcmp(b.data, first.data, b.len) != 0)
			fprintf(stderr,
				"shared pred: order %d: cell has %zu dead dots, "
				"%zu bytes (order 0: %zu bytes)\n",
				k, r.cells[0][0].n_dead, b.len, first.len);
		assert_int_equal(b.len, first.len);
		assert_memory_equal(b.data, first.data, b.len);
		crdt_buf_fini(&b);
		replica_fini(&r);
	}
	crdt_buf_fini(&first);
}

/* ---- entries ---- */

static const char *const scopes[] = {"12", "1201", "120116", "120116001",
				     "120116001002", "99"};

static void random_value(struct crdt_value *v, uint8_t *buf, bool element)
{
	switch (rnd_below(element ? 4 : 5)) {
	case 0:
		v->kind = CRDT_VALUE_INT;
		v->i = (int64_t)(rnd() >> rnd_below(64)) * (rnd() & 1 ? -1 : 1);
		break;
	case 1: {
		v->kind = CRDT_VALUE_STR;
		size_t n = rnd_below(40);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(' ' + rnd_below(90));
		if (n >= 3 && rnd() & 1)
			memcpy(buf, "\xe5\x8d\xab", 3); /* 卫 */
		v->p = buf;
		v->len = n;
		break;
	}
	case 2: {
		v->kind = CRDT_VALUE_BIN;
		size_t n = rnd_below(40);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)rnd();
		v->p = buf;
		v->len = n;
		break;
	}
	case 3:
		v->kind = CRDT_VALUE_BOOL;
		v->b = rnd() & 1;
		break;
	default:
		v->kind = CRDT_VALUE_NIL;
		break;
	}
}

struct gen_entry {
	struct crdt_entry e;
	struct crdt_op ops[12];
	struct crdt_dot dots[12][6];
	uint8_t vbuf[12][48];
	char names[12][16];
};

static void gen_entry(struct gen_entry *g)
{
	memset(g, 0, sizeof(*g));
	struct crdt_entry *e = &g->e;
	for (int i = 0; i < 32; i++)
		e->author[i] = (uint8_t)rnd();
	snprintf(e->scope, sizeof(e->scope), "%s",
		 scopes[rnd_below(sizeof(scopes) / sizeof(scopes[0]))]);
	e->seq = 1 + (rnd() >> rnd_below(64));
	if (e->seq == 0)
		e->seq = 1;
	for (int i = 0; i < 32; i++)
		e->prev[i] = (uint8_t)rnd();
	e->hlc = rnd() >> rnd_below(64);
	e->roster_version = rnd() >> rnd_below(64);
	e->n_ops = rnd_below(13);
	e->ops = g->ops;
	for (size_t i = 0; i < e->n_ops; i++) {
		struct crdt_op *op = &g->ops[i];
		op->code = (enum crdt_op_code)rnd_below(4);
		size_t nl = 1 + rnd_below(15);
		for (size_t k = 0; k < nl; k++)
			g->names[i][k] = (char)('a' + rnd_below(26));
		op->name = g->names[i];
		op->name_len = nl;
		if (op->code == CRDT_OP_CREATE) {
			crdt_entity_id(op->entity, e->author, e->scope, e->seq,
				       (uint32_t)i);
			continue;
		}
		for (int k = 0; k < 16; k++)
			op->entity[k] = (uint8_t)rnd();
		random_value(&op->value, g->vbuf[i],
			     op->code != CRDT_OP_SET);
		if (op->code == CRDT_OP_ADD)
			continue;
		op->n_dots = rnd_below(7);
		op->dots = g->dots[i];
		for (size_t k = 0; k < op->n_dots; k++) {
			struct crdt_dot *d = &g->dots[i][k];
			for (int m = 0; m < 32; m++)
				d->author[m] = (uint8_t)rnd();
			/* seq from 1, index below CRDT_MAX_OPS */
			d->seq = (rnd() >> rnd_below(64)) | 1;
			d->index = (uint32_t)rnd_below(CRDT_MAX_OPS);
		}
	}
}

static void assert_op_equal(const struct crdt_op *a, const struct crdt_op *b)
{
	assert_int_equal(a->code, b->code);
	assert_memory_equal(a->entity, b->entity, 16);
	assert_int_equal(a->name_len, b->name_len);
	assert_memory_equal(a->name, b->name, a->name_len);
	if (a->code == CRDT_OP_CREATE)
		return;
	assert_true(crdt_value_equal(&a->value, &b->value));
	if (a->code == CRDT_OP_ADD)
		return;
	assert_int_equal(a->n_dots, b->n_dots);
	for (size_t k = 0; k < a->n_dots; k++)
		assert_true(crdt_dot_equal(&a->dots[k], &b->dots[k]));
}

/* Decodes arbitrary bytes; whatever decodes must re-encode to its body. */
static void decode_any(const uint8_t *wire, size_t len)
{
	uint8_t *h = malloc(len ? len : 1);
	assert_non_null(h);
	memcpy(h, wire, len);
	struct crdt_entry d;
	enum crdt_reject why = CRDT_REJECT_NONE;
	int rc = crdt_entry_decode(h, len, &d, &why);
	if (rc == 0) {
		struct crdt_buf b;
		crdt_buf_init(&b);
		crdt_entry_encode_body(&b, &d);
		assert_int_equal(b.len, d.body_len);
		assert_memory_equal(b.data, d.body, b.len);
		crdt_buf_reset(&b);
		crdt_entry_encode_wire(&b, d.body, d.body_len, d.sig);
		assert_int_equal(b.len, len);
		assert_memory_equal(b.data, h, len);
		crdt_buf_fini(&b);
		crdt_entry_fini(&d);
	} else {
		assert_int_equal(rc, -EBADMSG);
		assert_int_not_equal(why, CRDT_REJECT_NONE);
	}
	free(h);
}

static void test_entry_roundtrip(void **state)
{
	(void)state;
	unsigned iters = env_uint("WARD_PROP_ITERS", DEFAULT_ITERS);
	static struct gen_entry g;
	for (unsigned it = 0; it < iters; it++) {
		gen_entry(&g);
		struct crdt_buf body, wire;
		crdt_buf_init(&body);
		crdt_buf_init(&wire);
		crdt_entry_encode_body(&body, &g.e);
		uint8_t sig[64];
		for (int i = 0; i < 64; i++)
			sig[i] = (uint8_t)rnd();
		crdt_entry_encode_wire(&wire, body.data, body.len, sig);
		struct crdt_entry d;
		enum crdt_reject why = CRDT_REJECT_NONE;
		int rc = crdt_entry_decode(wire.data, wire.len, &d, &why);
		if (rc != 0)
			fprintf(stderr, "seed %llu iteration %u: reason %d\n",
				(unsigned long long)seed, it, (int)why);
		assert_int_equal(rc, 0);
		assert_memory_equal(d.author, g.e.author, 32);
		assert_string_equal(d.scope, g.e.scope);
		assert_int_equal(d.seq, g.e.seq);
		assert_memory_equal(d.prev, g.e.prev, 32);
		assert_int_equal(d.hlc, g.e.hlc);
		assert_int_equal(d.roster_version, g.e.roster_version);
		assert_int_equal(d.n_ops, g.e.n_ops);
		for (size_t i = 0; i < d.n_ops; i++)
			assert_op_equal(&d.ops[i], &g.e.ops[i]);
		assert_memory_equal(d.sig, sig, 64);
		assert_int_equal(d.body_len, body.len);
		assert_memory_equal(d.body, body.data, body.len);
		uint8_t hash[32];
		crdt_entry_hash(hash, body.data, body.len, sig);
		assert_memory_equal(d.hash, hash, 32);
		crdt_entry_fini(&d);

		/* mutations of the valid wire form */
		uint8_t *m = malloc(wire.len + 16);
		assert_non_null(m);
		for (int k = 0; k < 4; k++) {
			size_t len = wire.len;
			memcpy(m, wire.data, len);
			unsigned muts = 1 + (unsigned)rnd_below(3);
			for (unsigned u = 0; u < muts; u++) {
				switch (rnd_below(5)) {
				case 0:
					m[rnd_below(len)] ^=
					    (uint8_t)(1 + rnd_below(255));
					break;
				case 1:
					len = rnd_below(len + 1);
					break;
				case 2:
					if (len)
						m[rnd_below(len)] =
						    (uint8_t)(0xc0 + rnd_below(0x40));
					break;
				case 3:
					if (len < wire.len + 16)
						m[len++] = (uint8_t)rnd();
					break;
				default:
					if (len)
						m[rnd_below(len)] =
						    rnd() & 1 ? 0xff : 0x00;
					break;
				}
				if (len == 0)
					break;
			}
			decode_any(m, len);
		}
		free(m);
		crdt_buf_fini(&body);
		crdt_buf_fini(&wire);
	}
	/* pure noise, with plausible entry headers */
	uint8_t buf[300];
	for (unsigned it = 0; it < iters; it++) {
		size_t len = rnd_below(sizeof(buf));
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rnd();
		if (len > 8 && rnd() & 1) {
			buf[0] = 0x92;
			buf[1] = 0xc4;
			buf[2] = (uint8_t)rnd_below(len);
			buf[3] = 0x98;
			buf[4] = 1;
		}
		decode_any(buf, len);
	}
}

int main(void)
{
	const char *s = getenv("WARD_SEED");
	if (s)
		seed = strtoull(s, NULL, 0);
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32);
	rng_state = seed;
	printf("test_crdt_props: seed %llu (replay with WARD_SEED=%llu), "
	       "%u iterations\n",
	       (unsigned long long)seed, (unsigned long long)seed,
	       env_uint("WARD_PROP_ITERS", DEFAULT_ITERS));
	for (int a = 0; a < N_AUTHORS; a++)
		for (int i = 0; i < 32; i++)
			authors[a][i] = (uint8_t)(0x10 * (a + 1) + i);
	for (int e = 0; e < N_ENTITIES; e++)
		for (int i = 0; i < 16; i++)
			entities[e][i] = (uint8_t)(0xe0 + e + i);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shared_pred),
	    cmocka_unit_test(test_merge_orders),
	    cmocka_unit_test(test_entry_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
