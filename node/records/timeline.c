/*
 * timeline.c: the dated events of one patient (timeline.h). Each record
 * type about a patient names the field that dates it (and a second one
 * for the end of a stay, a search found, free medication ended); a record
 * with no date field (a care group) is dated by its create. Records are
 * found through the 'I' key of their indexed patient reference, so the
 * cost is that of the patient's own records.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/index.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"
#include "node/records/timeline.h"

/* Which fields date a type's events. */
static const struct {
	const char *type;
	const char *field, *event;	   /* NULL field: the create's day */
	const char *end_field, *end_event; /* or NULL */
} dated[] = {
    {"followup", "date", "followup", NULL, NULL},
    {"assessment", "date", "assessment", NULL, NULL},
    {"hospitalization", "admitted", "admitted", "discharged", "discharged"},
    {"incident", "date", "incident", NULL, NULL},
    {"search", "declared_on", "search", "found_on", "search_found"},
    {"agreement", "signed_on", "agreement", NULL, NULL},
    {"free_med", "from", "free_med", "to", "free_med_end"},
    {"care_group", NULL, "care_group", NULL, NULL},
    {"transfer", "out_on", "transfer_out", NULL, NULL},
    {"exam", "date", "exam", NULL, NULL},
};

struct items {
	size_t n, cap;
	struct node_timeline_item *v;
};

static void text_of(struct node_ledger *l, const uint8_t id[16],
		    const char *field, char *out, size_t len)
{
	struct crdt_cell c;
	out[0] = 0;
	if (node_ledger_cell(l, id, field, &c) != 0)
		return;
	const struct crdt_version *s = c.is_set ? NULL : crdt_cell_shown(&c);
	if (s && s->value.kind == CRDT_VALUE_STR)
		snprintf(out, len, "%.*s", (int)s->value.len,
			 (const char *)s->value.p);
	else if (s && s->value.kind == CRDT_VALUE_BIN && s->value.len == 16 &&
		 len >= 33)
		for (size_t i = 0; i < 16; i++)
			snprintf(out + 2 * i, 3, "%02x", s->value.p[i]);
	crdt_cell_fini(&c);
}

static bool live_record(struct node_ledger *l, const uint8_t id[16],
			struct node_entity *e)
{
	char r[8];
	if (node_ledger_entity(l, id, e) != 0 || !e->valid)
		return false;
	text_of(l, id, "retracted", r, sizeof(r));
	return strcmp(r, "yes") != 0;
}

static void push(struct items *x, const struct node_entity *e,
		 const uint8_t id[16], const char *event, const char *date)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 32;
		x->v = crdt_xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	struct node_timeline_item *it = &x->v[x->n++];
	memset(it, 0, sizeof(*it));
	int64_t day;
	if (date && node_query_day(date, &day)) {
		memcpy(it->date, date, 10);
	} else {
		it->undated = true;
		node_query_date((int64_t)(crdt_hlc_ms(e->hlc) / 86400000u),
				it->date);
	}
	it->event = event;
	snprintf(it->type, sizeof(it->type), "%s", e->type);
	memcpy(it->id, id, 16);
	it->created = e->created;
	it->hlc = e->hlc;
}

/* Records of type whose indexed field holds the reference id. */
static void referring(struct node_ledger *l, const char *type,
		      const char *field, const uint8_t id[16],
		      void (*fn)(struct node_ledger *, const uint8_t[16],
				 const struct node_entity *, void *),
		      void *ctx)
{
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t kl = node_index_prefix(k, type, field);
	memcpy(k + kl, id, 16);
	kl += 16;
	struct node_kv_iter *it = node_kv_iter_new(node_ledger_kv(l), k, kl);
	uint8_t last[16];
	bool have = false;
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t len;
		const uint8_t *key = node_kv_iter_key(it, &len);
		if (len != kl + 16)
			continue;
		const uint8_t *rid = key + kl;
		if (have && !memcmp(last, rid, 16))
			continue;
		memcpy(last, rid, 16);
		have = true;
		struct node_entity e;
		if (live_record(l, rid, &e) && !strcmp(e.type, type))
			fn(l, rid, &e, ctx);
	}
	node_kv_iter_free(it);
}

struct about {
	struct items *x;
	size_t k; /* index into dated[] */
};

static void accepted(struct node_ledger *l, const uint8_t id[16],
		     const struct node_entity *e, void *ctx)
{
	char d[32];
	text_of(l, id, "accepted_on", d, sizeof(d));
	push(ctx, e, id, "transfer_accepted", d);
}

static void one_about(struct node_ledger *l, const uint8_t id[16],
		      const struct node_entity *e, void *ctx)
{
	struct about *a = ctx;
	char d[32] = "";
	if (dated[a->k].field)
		text_of(l, id, dated[a->k].field, d, sizeof(d));
	push(a->x, e, id, dated[a->k].event, d);
	if (dated[a->k].end_field) {
		text_of(l, id, dated[a->k].end_field, d, sizeof(d));
		if (*d)
			push(a->x, e, id, dated[a->k].end_event, d);
	}
	if (!strcmp(e->type, "transfer"))
		referring(l, "transfer_accept", "transfer", id, accepted, a->x);
}

static void moved_to(struct node_ledger *l, const uint8_t id[16],
		     const struct node_entity *e, void *ctx)
{
	char d[32];
	text_of(l, id, "registered_on", d, sizeof(d));
	push(ctx, e, id, "transferred_to", d);
}

static int item_cmp(const void *pa, const void *pb)
{
	const struct node_timeline_item *a = pa, *b = pb;
	int c = strcmp(a->date, b->date);
	if (c)
		return c;
	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	c = memcmp(a->created.author, b->created.author, 32);
	if (c)
		return c;
	if (a->created.seq != b->created.seq)
		return a->created.seq < b->created.seq ? -1 : 1;
	if (a->created.index != b->created.index)
		return a->created.index < b->created.index ? -1 : 1;
	return strcmp(a->event, b->event);
}

int node_timeline_collect(struct node_ledger *l, const uint8_t pid[16],
			  struct node_timeline_item **out, size_t *n)
{
	struct node_entity pe;
	if (node_ledger_entity(l, pid, &pe) != 0 || !pe.valid ||
	    strcmp(pe.type, "patient") != 0)
		return -ENOENT;
	struct items x = {0};
	char d[40];
	text_of(l, pid, "registered_on", d, sizeof(d));
	char from[40];
	text_of(l, pid, "transferred_from", from, sizeof(from));
	push(&x, &pe, pid, *from ? "transferred_from" : "registered", d);
	text_of(l, pid, "exit_date", d, sizeof(d));
	if (*d)
		push(&x, &pe, pid, "exited", d);
	for (size_t k = 0; k < sizeof(dated) / sizeof(dated[0]); k++) {
		struct about a = {.x = &x, .k = k};
		referring(l, dated[k].type, "patient", pid, one_about, &a);
	}
	referring(l, "patient", "transferred_from", pid, moved_to, &x);
	if (x.n > 1)
		qsort(x.v, x.n, sizeof(*x.v), item_cmp);
	*out = x.v;
	*n = x.n;
	return 0;
}
