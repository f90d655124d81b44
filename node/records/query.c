/*
 * query.c: the follow-up schedule (DOMAIN.md section 3) and the rates
 * (section 4, kpi-v1), computed from the 'X' rows of index.h: one ordered
 * scan of a scope's rows visits each patient with every record about it
 * side by side, so neither question reads a cell of a follow-up. Policies
 * and regions are few and are read from their cells.
 *
 * "Latest" is the greatest date, then the greater (hlc, author, seq, index)
 * of the record's create; the 'X' key orders by date and hlc, and an exact
 * tie of both is broken by reading the two creates.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdt/crdt.h"
#include "node/ledger/index.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"

/* ---- dates ---- */

static void copy(char *dst, size_t n, const char *src)
{
	size_t l = strlen(src);
	if (l >= n)
		l = n - 1;
	memcpy(dst, src, l);
	dst[l] = 0;
}

static void ymd(char out[11], int64_t y, unsigned m, unsigned d)
{
	unsigned yy = (unsigned)(y < 0 ? 0 : y % 10000);
	out[0] = (char)('0' + yy / 1000);
	out[1] = (char)('0' + yy / 100 % 10);
	out[2] = (char)('0' + yy / 10 % 10);
	out[3] = (char)('0' + yy % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10 % 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10 % 10);
	out[9] = (char)('0' + d % 10);
	out[10] = 0;
}

bool node_query_day(const char *s, int64_t *day)
{
	if (!s || strlen(s) < 10 || !node_schema_date_valid(s, 10))
		return false;
	int64_t y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 +
		    (s[2] - '0') * 10 + (s[3] - '0');
	unsigned m = (unsigned)((s[5] - '0') * 10 + (s[6] - '0'));
	unsigned d = (unsigned)((s[8] - '0') * 10 + (s[9] - '0'));
	/* Days from civil (H. Hinnant). */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*day = era * 146097 + (int64_t)doe - 719468;
	return true;
}

void node_query_date(int64_t z, char out[11])
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t y = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	unsigned d = doy - (153 * mp + 2) / 5 + 1;
	unsigned m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	ymd(out, y, m, d);
}

void node_query_today(char out[11])
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	ymd(out, tm.tm_year + 1900, (unsigned)tm.tm_mon + 1,
	    (unsigned)tm.tm_mday);
}

static int64_t hlc_day(uint64_t hlc)
{
	return (int64_t)(crdt_hlc_ms(hlc) / 86400000u);
}

/* ---- reading cells of the few policy and region records ---- */

static bool cell_int(struct node_ledger *l, const uint8_t id[16],
		     const char *field, int64_t *out)
{
	struct crdt_cell c;
	if (node_ledger_cell(l, id, field, &c) != 0)
		return false;
	const struct crdt_version *s = crdt_cell_shown(&c);
	bool ok = s && s->value.kind == CRDT_VALUE_INT;
	if (ok)
		*out = s->value.i;
	crdt_cell_fini(&c);
	return ok;
}

static bool cell_set(struct node_ledger *l, const uint8_t id[16],
		     const char *field)
{
	struct crdt_cell c;
	if (node_ledger_cell(l, id, field, &c) != 0)
		return false;
	const struct crdt_version *s = crdt_cell_shown(&c);
	bool set = s && s->value.kind != CRDT_VALUE_NIL;
	crdt_cell_fini(&c);
	return set;
}

/* A record of a small type, with its create's order. */
struct small {
	char scope[13];
	struct node_entity e;
	int64_t v[5];
	bool has[5];
};

/* Creation order: (hlc, author, seq, index). */
static int created_cmp(const struct node_entity *a, const struct node_entity *b)
{
	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	int c = memcmp(a->created.author, b->created.author, 32);
	if (c)
		return c < 0 ? -1 : 1;
	if (a->created.seq != b->created.seq)
		return a->created.seq < b->created.seq ? -1 : 1;
	if (a->created.index != b->created.index)
		return a->created.index < b->created.index ? -1 : 1;
	return 0;
}

/* load_small's view of one record of the type. */
struct small_scan {
	struct node_ledger *l;
	const char *const *fields;
	size_t nf, n, cap;
	struct small *v;
};

static int small_one(void *ctx, const uint8_t id[16])
{
	struct small_scan *x = ctx;
	struct small s;
	memset(&s, 0, sizeof(s));
	if (node_ledger_entity(x->l, id, &s.e) != 0 || !s.e.valid ||
	    cell_set(x->l, id, "retracted"))
		return 0;
	snprintf(s.scope, sizeof(s.scope), "%s", s.e.scope);
	for (size_t i = 0; i < x->nf; i++)
		s.has[i] = cell_int(x->l, id, x->fields[i], &s.v[i]);
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 16;
		x->v = crdt_xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	x->v[x->n++] = s;
	return 0;
}

static size_t load_small(struct node_ledger *l, const char *type,
			 const char *const *fields, size_t nf,
			 struct small **out)
{
	struct small_scan x = {.l = l, .fields = fields, .nf = nf};
	node_ledger_each_of_type(l, type, small_one, &x);
	*out = x.v;
	return x.n;
}

enum { P_UNSTABLE, P_BASIC, P_STABLE, P_MAX_GAP, P_FIRST };

static const char *const policy_fields[] = {
    "unstable_days", "basic_days",	 "stable_days",
    "max_gap_days",  "first_visit_days",
};

struct policy {
	int64_t v[5];
};

/* Each setting from the policy of the longest covering scope that sets
 * it, the later-created of one scope winning; else the national default. */
static void policy_for(const struct small *pol, size_t np, const char *scope,
		       struct policy *out)
{
	static const int64_t dflt[5] = {
	    NODE_POLICY_UNSTABLE_DAYS, NODE_POLICY_BASIC_DAYS,
	    NODE_POLICY_STABLE_DAYS, NODE_POLICY_MAX_GAP_DAYS,
	    NODE_POLICY_FIRST_VISIT_DAYS};
	for (int s = 0; s < 5; s++) {
		const struct small *best = NULL;
		for (size_t i = 0; i < np; i++) {
			const struct small *p = &pol[i];
			if (!p->has[s] || !crdt_scope_covers(p->scope, scope))
				continue;
			if (!best || strlen(p->scope) > strlen(best->scope) ||
			    (strlen(p->scope) == strlen(best->scope) &&
			     created_cmp(&p->e, &best->e) > 0))
				best = p;
		}
		out->v[s] = best ? best->v[s] : dflt[s];
	}
}

/* ---- a patient's rows ---- */

struct group {
	size_t n, cap;
	struct node_xrow *rows;
	const struct node_xrow *patient;
};

static void group_push(struct group *g, const struct node_xrow *r)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 32;
		g->rows = crdt_xrealloc(g->rows, g->cap * sizeof(*g->rows));
	}
	g->rows[g->n++] = *r;
}

/* Slot indexes, by kind (index.c's order). */
enum { PA_REGISTERED, PA_STATUS, PA_EXIT, PA_RETRACTED };
enum {
	FU_DATE,
	FU_REACHED,
	FU_MODE,
	FU_CLASS,
	FU_ADHERENCE,
	FU_HOSPITAL,
	FU_RISK,
	FU_JOINT,
	FU_NEXT,
	FU_RETRACTED
};
enum { AS_DATE, AS_RISK, AS_RETRACTED };
enum { HO_ADMITTED, HO_DISCHARGED, HO_RETRACTED };
enum { FM_FROM, FM_TO, FM_RETRACTED };
enum { AG_SIGNED, AG_KIND, AG_STATUS, AG_RETRACTED };
enum { IN_DATE, IN_KIND, IN_RETRACTED };

static int retracted_slot(char kind)
{
	switch (kind) {
	case 'a':
		return PA_RETRACTED;
	case 'f':
		return FU_RETRACTED;
	case 'r':
		return AS_RETRACTED;
	case 'h':
		return HO_RETRACTED;
	case 'm':
		return FM_RETRACTED;
	case 'g':
		return AG_RETRACTED;
	case 'i':
		return IN_RETRACTED;
	}
	return -1;
}

static bool live(const struct node_xrow *r)
{
	int s = retracted_slot(r->kind);
	return s < 0 || strcmp(r->slot[s], "yes") != 0;
}

static int64_t slot_day(const struct node_xrow *r, int s, int64_t dflt)
{
	int64_t d;
	return node_query_day(r->slot[s], &d) ? d : dflt;
}

/* Whether row a is later than row b (both of one kind, dated). */
static bool later(struct node_ledger *l, const struct node_xrow *a,
		  const struct node_xrow *b)
{
	int c = strcmp(a->slot[0], b->slot[0]);
	if (c)
		return c > 0;
	if (a->hlc != b->hlc)
		return a->hlc > b->hlc;
	struct node_entity ea, eb;
	if (node_ledger_entity(l, a->entity, &ea) != 0 ||
	    node_ledger_entity(l, b->entity, &eb) != 0)
		return memcmp(a->entity, b->entity, 16) > 0;
	return created_cmp(&ea, &eb) > 0;
}

static bool reached(const struct node_xrow *r)
{
	/* A follow-up that does not say is taken as reached. */
	return strcmp(r->slot[FU_REACHED], "no") != 0;
}

#define DAY_NONE INT64_MIN
#define DAY_OPEN INT64_MAX

/* The patient's registration and exit days. */
static void register_span(const struct node_xrow *p, int64_t *reg,
			  int64_t *exit_day)
{
	*reg = slot_day(p, PA_REGISTERED, hlc_day(p->hlc));
	*exit_day = DAY_OPEN;
	if (!strcmp(p->slot[PA_STATUS], "exited"))
		*exit_day = slot_day(p, PA_EXIT, DAY_NONE);
}

/* ---- due ---- */

static int due_cmp(const void *a, const void *b)
{
	const struct node_due *x = a, *y = b;
	if (x->days_overdue != y->days_overdue)
		return x->days_overdue > y->days_overdue ? -1 : 1;
	return memcmp(x->patient, y->patient, 16);
}

/* Whether the patient's `special` set holds lost_contact or floating: a
 * patient who cannot be reached where registered (the lost-contact rule). */
static bool hard_to_reach(struct node_ledger *l, const uint8_t pid[16])
{
	struct crdt_cell c;
	if (node_ledger_cell(l, pid, "special", &c) != 0)
		return false;
	bool yes = false;
	for (size_t i = 0; c.is_set && i < c.n_elems && !yes; i++) {
		const struct crdt_value *v = &c.elems[i].value;
		yes = v->kind == CRDT_VALUE_STR &&
		      ((v->len == 12 && !memcmp(v->p, "lost_contact", 12)) ||
		       (v->len == 8 && !memcmp(v->p, "floating", 8)));
	}
	crdt_cell_fini(&c);
	return yes;
}

/* The due date after a visit on day d of class cls (""/unknown: the
 * shortest interval) with next_visit next ("" or a date), DOMAIN.md
 * section 3. */
static int64_t due_after(int64_t d, const char *cls, const char *next_text,
			 const struct policy *pv)
{
	int64_t iv;
	if (!strcmp(cls, "unstable"))
		iv = pv->v[P_UNSTABLE];
	else if (!strcmp(cls, "basic"))
		iv = pv->v[P_BASIC];
	else if (!strcmp(cls, "stable"))
		iv = pv->v[P_STABLE];
	else {
		iv = pv->v[P_UNSTABLE];
		if (pv->v[P_BASIC] < iv)
			iv = pv->v[P_BASIC];
		if (pv->v[P_STABLE] < iv)
			iv = pv->v[P_STABLE];
	}
	int64_t due = d + iv, next;
	if (node_query_day(next_text, &next) && next >= d && next < due)
		due = next;
	if (due > d + pv->v[P_MAX_GAP])
		due = d + pv->v[P_MAX_GAP];
	return due;
}

static bool due_one(struct node_ledger *l, struct group *g, int64_t day,
		    const struct small *pol, size_t np, bool joint,
		    struct node_due *out)
{
	const struct node_xrow *p = g->patient;
	if (!live(p) || !strcmp(p->slot[PA_STATUS], "exited"))
		return false;
	int64_t reg, exit_day;
	register_span(p, &reg, &exit_day);
	if (reg > day)
		return false;
	const struct node_xrow *last = NULL, *risk = NULL, *jointv = NULL;
	const struct node_xrow *failed = NULL;
	for (size_t i = 0; i < g->n; i++) {
		const struct node_xrow *r = &g->rows[i];
		if (!live(r))
			continue;
		if (r->kind == 'h') {
			int64_t adm = slot_day(r, HO_ADMITTED, DAY_OPEN);
			int64_t dis = slot_day(r, HO_DISCHARGED, DAY_OPEN);
			if (adm <= day && dis >= day)
				return false; /* in hospital on the day */
			continue;
		}
		if (r->kind != 'f' && r->kind != 'r')
			continue;
		int64_t d;
		if (!node_query_day(r->slot[0], &d) || d > day)
			continue;
		const char *rk = r->slot[r->kind == 'f' ? FU_RISK : AS_RISK];
		if (*rk && (!risk || later(l, r, risk)))
			risk = r;
		if (r->kind != 'f')
			continue;
		if (reached(r) && (!last || later(l, r, last)))
			last = r;
		if (!reached(r) && (!failed || later(l, r, failed)))
			failed = r;
		if (!strcmp(r->slot[FU_JOINT], "yes") &&
		    (!jointv || later(l, r, jointv)))
			jointv = r;
	}
	memset(out, 0, sizeof(*out));
	memcpy(out->patient, p->patient, 16);
	snprintf(out->scope, sizeof(out->scope), "%s", p->scope);
	out->risk = -1;
	if (risk) {
		out->risk =
		    atoi(risk->slot[risk->kind == 'f' ? FU_RISK : AS_RISK]);
		copy(out->risk_on, sizeof(out->risk_on), risk->slot[0]);
	}
	out->joint_missing =
	    out->risk >= 3 &&
	    (!jointv || strcmp(jointv->slot[0], out->risk_on) < 0);
	/* The attempts since the latest reached visit; 'X' rows of a kind
	 * come in date order, so the dates are kept oldest first. */
	if (failed)
		copy(out->last_attempt, sizeof(out->last_attempt),
		     failed->slot[FU_DATE]);
	for (size_t i = 0; failed && i < g->n; i++) {
		const struct node_xrow *r = &g->rows[i];
		int64_t d;
		if (r->kind != 'f' || !live(r) || reached(r) ||
		    !node_query_day(r->slot[FU_DATE], &d) || d > day ||
		    (last && !later(l, r, last)))
			continue;
		if (out->n_attempts >= NODE_DUE_ATTEMPTS)
			memmove(out->attempts[0], out->attempts[1],
				(NODE_DUE_ATTEMPTS - 1) * 11);
		int k = out->n_attempts < NODE_DUE_ATTEMPTS
			    ? out->n_attempts
			    : NODE_DUE_ATTEMPTS - 1;
		copy(out->attempts[k], 11, r->slot[FU_DATE]);
		out->n_attempts++;
	}
	struct policy pv;
	policy_for(pol, np, p->scope, &pv);
	int64_t due;
	const char *cls = last ? last->slot[FU_CLASS] : "";
	if (failed && (!last || later(l, failed, last)) &&
	    hard_to_reach(l, p->patient)) {
		/* The lost-contact rule: counted from the latest attempt. */
		due = due_after(slot_day(failed, FU_DATE, 0), cls,
				failed->slot[FU_NEXT], &pv);
		out->from_attempt = true;
	} else if (last) {
		due = due_after(slot_day(last, FU_DATE, 0), cls,
				last->slot[FU_NEXT], &pv);
	} else {
		due = reg + pv.v[P_FIRST];
	}
	if (last) {
		copy(out->cls, sizeof(out->cls), cls);
		copy(out->last, sizeof(out->last), last->slot[FU_DATE]);
	}
	node_query_date(due, out->due);
	out->days_overdue = day - due;
	if (joint)
		return out->joint_missing;
	return due <= day;
}

struct scan {
	struct node_kv_iter *it;
	struct node_xrow next;
	bool have;
};

static void scan_advance(struct scan *s)
{
	s->have = false;
	for (; node_kv_iter_valid(s->it); node_kv_iter_next(s->it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(s->it, &kl);
		const uint8_t *v = node_kv_iter_value(s->it, &vl);
		if (node_index_xrow_decode(k, kl, v, vl, &s->next) == 0) {
			node_kv_iter_next(s->it);
			s->have = true;
			return;
		}
	}
}

/* Next patient group (rows of one scope and patient); false at the end. */
static bool next_group(struct scan *s, struct group *g)
{
	g->n = 0;
	g->patient = NULL;
	if (!s->have)
		return false;
	struct node_xrow first = s->next;
	while (s->have && !memcmp(s->next.patient, first.patient, 16) &&
	       !strcmp(s->next.scope, first.scope)) {
		group_push(g, &s->next);
		scan_advance(s);
	}
	for (size_t i = 0; i < g->n; i++)
		if (g->rows[i].kind == 'a' &&
		    !memcmp(g->rows[i].entity, g->rows[i].patient, 16))
			g->patient = &g->rows[i];
	return true;
}

static void scan_open(struct scan *s, struct node_ledger *l, const char *scope)
{
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t kl = node_index_xprefix(k, scope);
	s->it = node_kv_iter_new(node_ledger_kv(l), k, kl);
	scan_advance(s);
}

int node_query_due(struct node_ledger *l, const char *scope, const char *on,
		   bool joint, struct node_due **out, size_t *n)
{
	int64_t day;
	if (!node_query_day(on, &day))
		return -EINVAL;
	struct small *pol;
	size_t np = load_small(l, "policy", policy_fields, 5, &pol);
	struct scan s;
	struct group g = {0};
	size_t cnt = 0, cap = 0;
	struct node_due *v = NULL;
	scan_open(&s, l, scope);
	while (next_group(&s, &g)) {
		struct node_due d;
		if (!g.patient || !due_one(l, &g, day, pol, np, joint, &d))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 64;
			v = crdt_xrealloc(v, cap * sizeof(*v));
		}
		v[cnt++] = d;
	}
	node_kv_iter_free(s.it);
	free(g.rows);
	free(pol);
	if (cnt > 1)
		qsort(v, cnt, sizeof(*v), due_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

/* ---- the rates ---- */

struct period {
	int64_t from, to;
};

static bool in_period(const struct period *p, int64_t d)
{
	return d >= p->from && d <= p->to;
}

/* The first day of the quarter holding day d, and of the next. */
static void quarter_of(int64_t d, int64_t *start, int64_t *next)
{
	char date[11], q[11];
	node_query_date(d, date);
	int y = atoi(date);
	int m = (date[5] - '0') * 10 + (date[6] - '0');
	int qm = (m - 1) / 3 * 3 + 1;
	ymd(q, y, (unsigned)qm, 1);
	node_query_day(q, start);
	if (qm == 10)
		ymd(q, y + 1, 1, 1);
	else
		ymd(q, y, (unsigned)qm + 3, 1);
	node_query_day(q, next);
}

/* The counts of section 4 the patient of g is in, as bits (1 << count);
 * 0 when not on the register. */
static uint32_t report_one(struct node_ledger *l, struct group *g,
			   const struct period *p)
{
	uint32_t in = 0;
	const struct node_xrow *pt = g->patient;
	if (!live(pt))
		return 0;
	int64_t reg, exit_day;
	register_span(pt, &reg, &exit_day);
	if (reg > p->to || exit_day < p->from)
		return 0; /* (an exit without its date counts as long ago) */
	in |= 1u << NODE_KPI_REGISTERED;
	const struct node_xrow *last = NULL;
	bool any_reached = false, f2f = false, hosp = false, hosp_end = false;
	bool free_med = false, consent = false, incident = false;
	for (size_t i = 0; i < g->n; i++) {
		const struct node_xrow *r = &g->rows[i];
		if (!live(r))
			continue;
		int64_t d;
		switch (r->kind) {
		case 'f':
			if (!node_query_day(r->slot[FU_DATE], &d) ||
			    !in_period(p, d) || !reached(r))
				break;
			any_reached = true;
			f2f |= !strcmp(r->slot[FU_MODE], "clinic") ||
			       !strcmp(r->slot[FU_MODE], "home");
			if (!last || later(l, r, last))
				last = r;
			break;
		case 'h': {
			int64_t adm = slot_day(r, HO_ADMITTED, DAY_OPEN);
			int64_t dis = slot_day(r, HO_DISCHARGED, DAY_OPEN);
			hosp |= adm <= p->to && dis >= p->from;
			hosp_end |= adm <= p->to && dis >= p->to;
			break;
		}
		case 'm': {
			int64_t from = slot_day(r, FM_FROM, DAY_OPEN);
			int64_t to = slot_day(r, FM_TO, DAY_OPEN);
			free_med |= from <= p->to && to >= p->from;
			break;
		}
		case 'g':
			if (!strcmp(r->slot[AG_KIND], "free_med_consent") &&
			    strcmp(r->slot[AG_STATUS], "withdrawn") != 0 &&
			    node_query_day(r->slot[AG_SIGNED], &d) &&
			    d <= p->to)
				consent = true;
			break;
		case 'i':
			if ((!strcmp(r->slot[IN_KIND], "trouble") ||
			     !strcmp(r->slot[IN_KIND], "disaster")) &&
			    node_query_day(r->slot[IN_DATE], &d) &&
			    in_period(p, d))
				incident = true;
			break;
		}
	}
	bool managed = any_reached || hosp;
	if (managed) {
		in |= 1u << NODE_KPI_MANAGED;
		/* Every calendar quarter wholly within the period and the
		 * time on the register needs a reached follow-up. */
		int64_t lo = p->from > reg ? p->from : reg;
		int64_t hi = p->to < exit_day ? p->to : exit_day;
		bool regular = true;
		int64_t qs, qn;
		quarter_of(lo, &qs, &qn);
		while (regular && qs <= hi) {
			if (qs >= lo && qn - 1 <= hi) {
				bool seen = false;
				for (size_t i = 0; i < g->n && !seen; i++) {
					const struct node_xrow *r = &g->rows[i];
					int64_t d;
					seen = r->kind == 'f' && live(r) &&
					       reached(r) &&
					       node_query_day(r->slot[FU_DATE],
							      &d) &&
					       d >= qs && d < qn;
				}
				regular = seen;
			}
			int64_t a, b;
			quarter_of(qn, &a, &b);
			qs = a;
			qn = b;
		}
		if (regular)
			in |= 1u << NODE_KPI_REGULARLY_MANAGED;
		if (last && !strcmp(last->slot[FU_CLASS], "stable") &&
		    !hosp_end)
			in |= 1u << NODE_KPI_STABLE;
		if (free_med) {
			in |= 1u << NODE_KPI_FREE_MEDICATION;
			if (consent)
				in |= 1u << NODE_KPI_CONSENT_SIGNED;
		}
	}
	if (f2f)
		in |= 1u << NODE_KPI_FACE_TO_FACE;
	if (last) {
		const char *adh = last->slot[FU_ADHERENCE];
		bool regular = !strcmp(adh, "regular");
		if (regular || !strcmp(adh, "intermittent") ||
		    !strcmp(last->slot[FU_HOSPITAL], "now"))
			in |= 1u << NODE_KPI_MEDICATION;
		if (regular)
			in |= 1u << NODE_KPI_REGULAR_MEDICATION;
	}
	if (incident)
		in |= 1u << NODE_KPI_INCIDENT;
	return in;
}

enum { R_POPULATION, R_YEAR };
static const char *const region_fields[] = {"population", "year"};

/* DOMAIN.md section 4: per region scope within S the record of the latest
 * year not after the period's end; S's own record alone if it has one,
 * else the sum of those no other region within S covers. */
static int64_t population(struct node_ledger *l, const char *scope,
			  int64_t year)
{
	struct small *r;
	size_t n = load_small(l, "region", region_fields, 2, &r);
	const char *s = scope ? scope : "";
	/* Keep, per scope, the chosen record. */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!r[i].has[R_POPULATION] || !r[i].has[R_YEAR] ||
		    r[i].v[R_YEAR] > year || strncmp(r[i].scope, s, strlen(s)))
			continue;
		size_t j;
		for (j = 0; j < k; j++)
			if (!strcmp(r[j].scope, r[i].scope))
				break;
		if (j == k) {
			r[k++] = r[i];
		} else if (r[i].v[R_YEAR] > r[j].v[R_YEAR] ||
			   (r[i].v[R_YEAR] == r[j].v[R_YEAR] &&
			    created_cmp(&r[i].e, &r[j].e) > 0)) {
			r[j] = r[i];
		}
	}
	int64_t total = -1;
	for (size_t i = 0; i < k; i++)
		if (!strcmp(r[i].scope, s)) {
			total = r[i].v[R_POPULATION];
			free(r);
			return total;
		}
	for (size_t i = 0; i < k; i++) {
		bool covered = false;
		for (size_t j = 0; j < k && !covered; j++)
			covered =
			    j != i && crdt_scope_covers(r[j].scope, r[i].scope);
		if (covered)
			continue;
		total = (total < 0 ? 0 : total) + r[i].v[R_POPULATION];
	}
	free(r);
	return total;
}

int node_query_report_each(struct node_ledger *l, const char *scope,
			   const char *from, const char *to,
			   node_query_patient_fn fn, void *ctx)
{
	struct period p;
	if (!node_query_day(from, &p.from) || !node_query_day(to, &p.to) ||
	    p.from > p.to)
		return -EINVAL;
	struct scan s;
	struct group g = {0};
	int rc = 0;
	scan_open(&s, l, scope);
	while (rc == 0 && next_group(&s, &g)) {
		uint32_t in = g.patient ? report_one(l, &g, &p) : 0;
		if (in)
			rc = fn(ctx, g.patient->patient, g.patient->scope, in);
	}
	node_kv_iter_free(s.it);
	free(g.rows);
	return rc;
}

int64_t node_query_population(struct node_ledger *l, const char *scope,
			      const char *to)
{
	return population(l, scope, atoi(to));
}

static int report_sum(void *ctx, const uint8_t patient[16], const char *scope,
		      uint32_t in)
{
	struct node_report *out = ctx;
	(void)patient;
	(void)scope;
	for (int i = 0; i < NODE_KPI_N; i++)
		out->count[i] += (in >> i) & 1;
	return 0;
}

int node_query_report(struct node_ledger *l, const char *scope,
		      const char *from, const char *to, struct node_report *out)
{
	memset(out, 0, sizeof(*out));
	int rc = node_query_report_each(l, scope, from, to, report_sum, out);
	if (rc)
		return rc;
	out->population = node_query_population(l, scope, to);
	return 0;
}

bool node_query_rate(int64_t num, int64_t den, int64_t scale,
		     int64_t *hundredths)
{
	if (den <= 0)
		return false;
	/* Exact: num * scale * 100 / den, half to even (counts are far
	 * below 2^63 / 10^5). */
	int64_t x = num * scale * 100;
	int64_t q = x / den, r = x % den;
	if (2 * r > den || (2 * r == den && (q & 1)))
		q++;
	*hundredths = (int64_t)q;
	return true;
}
