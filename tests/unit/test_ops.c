/*
 * test_ops: the one text->ops builder (node/api/ops.h) on its own, with
 * cells built here and references resolved by a callback of the test's:
 * registers set and cleared, sets added to, replaced and removed from,
 * the one cap on elements, a bad element named, storage moved between
 * lists.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crdt/crdt.h"
#include "node/api/ops.h"
#include "node/catalog/catalog.h"
#include "node/ledger/schema.h"

static const uint8_t ENTITY[16] = {1, 2, 3, 4, 5, 6, 7, 8,
				   9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t PATIENT[16] = {0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3, 4,
				    5,	  6,	7,    8,    9, 10, 11, 12};

static const struct node_field *field(const char *type, const char *name)
{
	const struct node_type *t = node_schema_type(type, strlen(type));
	assert_non_null(t);
	const struct node_field *f = node_schema_field(t, name, strlen(name));
	assert_non_null(f);
	return f;
}

static struct crdt_value str(const char *s)
{
	return (struct crdt_value){
	    .kind = CRDT_VALUE_STR, .p = (const uint8_t *)s, .len = strlen(s)};
}

static struct crdt_dot dot(uint8_t author, uint64_t seq)
{
	struct crdt_dot d;
	memset(&d, 0, sizeof(d));
	d.author[0] = author;
	d.seq = seq;
	return d;
}

static bool is_str(const struct crdt_value *v, const char *s)
{
	return v->kind == CRDT_VALUE_STR && v->len == strlen(s) &&
	       memcmp(v->p, s, v->len) == 0;
}

static const char *text_of(const struct node_reason *why, enum node_lang l)
{
	static char out[1024];
	return node_schema_reason_text(why, l, out, sizeof(out));
}

/* The test's resolver: "P-42" is PATIENT, anything else unknown. */
static int calls;
static int test_ref(void *ctx, const struct node_field *f, const char *text,
		    uint8_t id[16], struct node_reason *why)
{
	assert_ptr_equal(ctx, &calls);
	calls++;
	if (!strcmp(text, "P-42")) {
		memcpy(id, PATIENT, 16);
		return 0;
	}
	NODE_REASON_LONG(why, MSG_NO_RECORD, text);
	(void)f;
	return -ENOENT;
}

static int build(struct node_ops *o, const char *type, const char *name,
		 const char *text, enum node_ops_how how,
		 const struct crdt_cell *cell, bool only_changes,
		 struct node_reason *why)
{
	struct node_ops_field in = {.entity = ENTITY,
				    .f = field(type, name),
				    .text = text,
				    .how = how,
				    .cell = cell,
				    .only_changes = only_changes,
				    .ref = test_ref,
				    .ref_ctx = &calls};
	return node_ops_field(o, &in, why);
}

static void test_register_set_and_clear(void **state)
{
	(void)state;
	struct node_ops o = {0};
	struct node_reason why;
	/* A create: the value, no preds. */
	assert_int_equal(build(&o, "patient", "sex", "male", NODE_OPS_ASSIGN,
			       NULL, false, &why),
			 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.ops[0].code, CRDT_OP_SET);
	assert_memory_equal(o.ops[0].entity, ENTITY, 16);
	assert_string_equal(o.ops[0].name, "sex");
	assert_true(is_str(&o.ops[0].value, "male"));
	assert_int_equal(o.ops[0].n_dots, 0);

	/* Two concurrent versions live: a set supersedes both. */
	struct crdt_cell cell;
	crdt_cell_init(&cell, false);
	struct crdt_value male = str("male"), female = str("female");
	struct crdt_dot d1 = dot(1, 1), d2 = dot(2, 1);
	crdt_cell_set(&cell, ENTITY, "sex", 3, &d1, 10, &male, NULL, 0, NULL);
	crdt_cell_set(&cell, ENTITY, "sex", 3, &d2, 11, &female, NULL, 0,
		      NULL);
	assert_int_equal(cell.n_live, 2);
	node_ops_clear(&o);
	assert_int_equal(build(&o, "patient", "sex", "male", NODE_OPS_ASSIGN,
			       &cell, false, &why),
			 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.ops[0].n_dots, 2);

	/* Empty text clears: a nil value over every live version. */
	assert_int_equal(build(&o, "patient", "sex", "", NODE_OPS_ASSIGN,
			       &cell, false, &why),
			 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.ops[1].code, CRDT_OP_SET);
	assert_int_equal(o.ops[1].value.kind, CRDT_VALUE_NIL);
	assert_int_equal(o.ops[1].n_dots, 2);

	/* Only changes: the value shown (female, the later) is nothing;
	 * another value is a set. */
	node_ops_clear(&o);
	assert_int_equal(build(&o, "patient", "sex", "female",
			       NODE_OPS_ASSIGN, &cell, true, &why),
			 0);
	assert_int_equal(o.n, 0);
	assert_int_equal(build(&o, "patient", "sex", "male", NODE_OPS_ASSIGN,
			       &cell, true, &why),
			 0);
	assert_int_equal(o.n, 1);
	/* and clearing an empty register is nothing */
	struct crdt_cell empty;
	crdt_cell_init(&empty, false);
	assert_int_equal(build(&o, "patient", "sex", "", NODE_OPS_ASSIGN,
			       &empty, true, &why),
			 0);
	assert_int_equal(o.n, 1);

	/* A register takes one value: += is refused, naming the field. */
	assert_int_equal(build(&o, "patient", "sex", "male", NODE_OPS_ADD,
			       &cell, false, &why),
			 -EINVAL);
	assert_int_equal(why.id, MSG_HOLDS_ONE_VALUE_USE_VALUE);
	assert_non_null(strstr(text_of(&why, NODE_LANG_EN), "sex"));
	assert_int_equal(o.n, 1);
	crdt_cell_fini(&empty);
	crdt_cell_fini(&cell);
	node_ops_fini(&o);
}

/* The cell of patient.special holding floating (tags d1, d2) and
 * weak_guardianship (d3). */
static void special_cell(struct crdt_cell *cell)
{
	crdt_cell_init(cell, true);
	struct crdt_value fl = str("floating"), wg = str("weak_guardianship");
	struct crdt_dot d1 = dot(1, 1), d2 = dot(2, 1), d3 = dot(1, 2);
	crdt_cell_add(cell, ENTITY, "special", 7, &d1, &fl, NULL);
	crdt_cell_add(cell, ENTITY, "special", 7, &d2, &fl, NULL);
	crdt_cell_add(cell, ENTITY, "special", 7, &d3, &wg, NULL);
	assert_int_equal(cell->n_elems, 2);
}

static void test_set_add_replace_remove(void **state)
{
	(void)state;
	struct node_ops o = {0};
	struct node_reason why;
	/* A create adds each element once. */
	assert_int_equal(build(&o, "patient", "special",
			       "floating|not_managed|floating", NODE_OPS_ADD,
			       NULL, false, &why),
			 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.ops[0].code, CRDT_OP_ADD);
	assert_true(is_str(&o.ops[0].value, "floating"));
	assert_int_equal(o.ops[1].code, CRDT_OP_ADD);
	assert_true(is_str(&o.ops[1].value, "not_managed"));
	/* "=" on a create is the same */
	node_ops_clear(&o);
	assert_int_equal(build(&o, "patient", "special", "floating",
			       NODE_OPS_ASSIGN, NULL, false, &why),
			 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.ops[0].code, CRDT_OP_ADD);

	struct crdt_cell cell;
	special_cell(&cell);
	/* "=": removes of what is not listed (with its tags), adds of what
	 * is new, nothing for what stays. */
	node_ops_clear(&o);
	assert_int_equal(build(&o, "patient", "special",
			       "floating|not_managed", NODE_OPS_ASSIGN, &cell,
			       false, &why),
			 0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.ops[0].code, CRDT_OP_REMOVE);
	assert_true(is_str(&o.ops[0].value, "weak_guardianship"));
	assert_int_equal(o.ops[0].n_dots, 1);
	assert_int_equal(o.ops[0].dots[0].seq, 2);
	assert_int_equal(o.ops[1].code, CRDT_OP_ADD);
	assert_true(is_str(&o.ops[1].value, "not_managed"));
	/* "=" with nothing removes everything */
	node_ops_clear(&o);
	assert_int_equal(
	    build(&o, "patient", "special", "", NODE_OPS_ASSIGN, &cell, false,
		  &why),
	    0);
	assert_int_equal(o.n, 2);
	assert_int_equal(o.ops[0].code, CRDT_OP_REMOVE);
	assert_int_equal(o.ops[1].code, CRDT_OP_REMOVE);

	/* "+=" adds what is listed (as typed: add and set); with only
	 * changes, not what is there. */
	node_ops_clear(&o);
	assert_int_equal(build(&o, "patient", "special", "floating",
			       NODE_OPS_ADD, &cell, false, &why),
			 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(build(&o, "patient", "special", "floating",
			       NODE_OPS_ADD, &cell, true, &why),
			 0);
	assert_int_equal(o.n, 1);

	/* "-=": a remove with every tag observed. */
	node_ops_clear(&o);
	assert_int_equal(build(&o, "patient", "special", "floating",
			       NODE_OPS_REMOVE, &cell, false, &why),
			 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.ops[0].code, CRDT_OP_REMOVE);
	assert_true(is_str(&o.ops[0].value, "floating"));
	assert_int_equal(o.ops[0].n_dots, 2);
	/* An element not in the set is refused, naming it; nothing of the
	 * field is kept, not even the elements before it. */
	assert_int_equal(build(&o, "patient", "special",
			       "weak_guardianship|not_managed",
			       NODE_OPS_REMOVE, &cell, false, &why),
			 -EINVAL);
	assert_int_equal(why.id, MSG_NOT_SET_NOTHING_REMOVE);
	assert_non_null(strstr(text_of(&why, NODE_LANG_EN), "'not_managed'"));
	assert_int_equal(o.n, 1);
	crdt_cell_fini(&cell);
	node_ops_fini(&o);
}

static void test_cap(void **state)
{
	(void)state;
	struct node_ops o = {0};
	struct node_reason why;
	size_t len = (NODE_OPS_MAX_ELEMS + 1) * 8 + 1;
	char *text = calloc(1, len);
	for (int i = 0; i < NODE_OPS_MAX_ELEMS; i++)
		snprintf(text + strlen(text), len - strlen(text), "%sm%03d",
			 i ? "|" : "", i);
	/* At the cap: every element, none dropped. */
	assert_int_equal(build(&o, "care_group", "members", text, NODE_OPS_ADD,
			       NULL, false, &why),
			 0);
	assert_int_equal(o.n, NODE_OPS_MAX_ELEMS);
	for (size_t i = 0; i < o.n; i++) {
		char want[24];
		snprintf(want, sizeof(want), "m%03zu", i);
		assert_true(is_str(&o.ops[i].value, want));
	}
	/* One over: refused with the one message, naming the field and the
	 * cap, and nothing of it written. */
	strcat(text, "|m999");
	node_ops_clear(&o);
	assert_int_equal(build(&o, "care_group", "members", text, NODE_OPS_ADD,
			       NULL, false, &why),
			 -EINVAL);
	assert_int_equal(why.id, MSG_TAKES_MOST_VALUES_ONCE);
	assert_string_equal(text_of(&why, NODE_LANG_EN),
			    "members takes at most 256 values at once");
	assert_string_equal(text_of(&why, NODE_LANG_ZH),
			    "members 一次最多 256 个值");
	assert_int_equal(o.n, 0);
	/* A register's text is one value, '|' and all. */
	assert_int_equal(build(&o, "care_group", "leader", text,
			       NODE_OPS_ASSIGN, NULL, false, &why),
			 0);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.ops[0].value.len, strlen(text));
	free(text);
	node_ops_fini(&o);
}

static void test_bad_element(void **state)
{
	(void)state;
	struct node_ops o = {0};
	struct node_reason why;
	assert_int_equal(build(&o, "patient", "special", "floating|robot",
			       NODE_OPS_ADD, NULL, false, &why),
			 -EINVAL);
	const char *t = text_of(&why, NODE_LANG_EN);
	assert_non_null(strstr(t, "special"));
	assert_non_null(strstr(t, "robot"));
	assert_int_equal(o.n, 0);
	/* a register's bad value likewise */
	assert_int_equal(build(&o, "patient", "sex", "robot", NODE_OPS_ASSIGN,
			       NULL, false, &why),
			 -EINVAL);
	assert_non_null(strstr(text_of(&why, NODE_LANG_EN), "robot"));
	assert_int_equal(o.n, 0);
	node_ops_fini(&o);
}

static void test_reference_through_callback(void **state)
{
	(void)state;
	struct node_ops o = {0};
	struct node_reason why;
	calls = 0;
	assert_int_equal(build(&o, "guardian", "patient", "P-42",
			       NODE_OPS_ASSIGN, NULL, false, &why),
			 0);
	assert_int_equal(calls, 1);
	assert_int_equal(o.n, 1);
	assert_int_equal(o.ops[0].value.kind, CRDT_VALUE_BIN);
	assert_int_equal(o.ops[0].value.len, 16);
	assert_memory_equal(o.ops[0].value.p, PATIENT, 16);
	/* The callback's refusal is the builder's, as it gave it. */
	assert_int_equal(build(&o, "guardian", "patient", "P-7",
			       NODE_OPS_ASSIGN, NULL, false, &why),
			 -ENOENT);
	assert_int_equal(calls, 2);
	assert_int_equal(why.id, MSG_NO_RECORD);
	assert_non_null(strstr(text_of(&why, NODE_LANG_EN), "P-7"));
	assert_int_equal(o.n, 1);
	/* Empty clears without asking it. */
	assert_int_equal(build(&o, "guardian", "patient", "", NODE_OPS_ASSIGN,
			       NULL, false, &why),
			 0);
	assert_int_equal(calls, 2);
	/* Without a callback, only a full id parses. */
	struct crdt_value v;
	uint8_t buf[CRDT_MAX_STR_BYTES + 16];
	assert_int_equal(node_ops_parse(field("guardian", "patient"),
					"aabbccdd0102030405060708090a0b0c",
					NULL, NULL, &v, buf, &why),
			 0);
	assert_int_equal(v.len, 16);
	assert_memory_equal(v.p, PATIENT, 16);
	node_ops_fini(&o);
}

static void test_adopt(void **state)
{
	(void)state;
	struct node_ops a = {0}, b = {0};
	struct node_reason why;
	node_ops_push(&a, CRDT_OP_CREATE, NULL, "patient");
	assert_int_equal(build(&b, "patient", "name", "张三", NODE_OPS_ASSIGN,
			       NULL, false, &why),
			 0);
	assert_int_equal(build(&b, "patient", "special", "floating",
			       NODE_OPS_ADD, NULL, false, &why),
			 0);
	size_t bytes = a.bytes + b.bytes;
	assert_true(b.bytes > 0);
	node_ops_adopt(&a, &b);
	assert_int_equal(a.n, 3);
	assert_int_equal(a.bytes, bytes);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.bytes, 0);
	assert_int_equal(b.n_bufs, 0);
	/* b's storage is a's now: b cleared, a's ops still read */
	node_ops_fini(&b);
	assert_string_equal(a.ops[1].name, "name");
	assert_true(is_str(&a.ops[1].value, "张三"));
	assert_true(is_str(&a.ops[2].value, "floating"));
	node_ops_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_register_set_and_clear),
	    cmocka_unit_test(test_set_add_replace_remove),
	    cmocka_unit_test(test_cap),
	    cmocka_unit_test(test_bad_element),
	    cmocka_unit_test(test_reference_through_callback),
	    cmocka_unit_test(test_adopt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
