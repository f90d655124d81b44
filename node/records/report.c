/*
 * report.c: the kpi-v1 rate table, and the report broken down by area,
 * by month and into the patients behind each gap (report.h). All of it
 * sums node_query_report_each's verdicts, so it agrees with
 * node_query_report by construction.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/ledger.h"
#include "node/records/report.h"

const struct node_kpi_rate node_kpi_rates[NODE_KPI_N_RATES] = {
    {"prevalence_permille", NODE_KPI_REGISTERED, NODE_KPI_POPULATION, 1000, 450,
     "reported prevalence", "报告患病率", NULL, NULL},
    {"management", NODE_KPI_MANAGED, NODE_KPI_REGISTERED, 100, -1,
     "management rate", "在册患者管理率", "not managed", "未管理"},
    {"regular_management", NODE_KPI_REGULARLY_MANAGED, NODE_KPI_REGISTERED, 100,
     9500, "regular management rate", "规范管理率", "not regularly managed",
     "未规范管理"},
    {"face_to_face", NODE_KPI_FACE_TO_FACE, NODE_KPI_REGISTERED, 100, 9500,
     "face-to-face rate", "面访率", "not seen face to face", "未面访"},
    {"medication", NODE_KPI_MEDICATION, NODE_KPI_REGISTERED, 100, -1,
     "medication rate", "服药率", "not taking medication", "未服药"},
    {"regular_medication", NODE_KPI_REGULAR_MEDICATION, NODE_KPI_REGISTERED,
     100, 8500, "regular medication rate", "规律服药率",
     "not regularly medicated", "未规律服药"},
    {"stability", NODE_KPI_STABLE, NODE_KPI_MANAGED, 100, -1, "stability rate",
     "病情稳定率", "managed, not stable", "已管理但病情不稳定"},
    {"free_medication_share", NODE_KPI_FREE_MEDICATION, NODE_KPI_MANAGED, 100,
     3000, "free medication share", "免费服药比例",
     "managed, no free medication", "已管理但未免费服药"},
    {"free_medication_consent", NODE_KPI_CONSENT_SIGNED,
     NODE_KPI_FREE_MEDICATION, 100, 10000, "free-medication consent",
     "免费服药知情同意率", "free medication, no consent signed",
     "免费服药但未签知情同意"},
    {"incident", NODE_KPI_INCIDENT, NODE_KPI_REGISTERED, 100, -1,
     "incident rate", "肇事肇祸率", NULL, NULL},
};

const struct node_kpi_rate *node_kpi_rate_find(const char *key)
{
	for (size_t i = 0; key && i < NODE_KPI_N_RATES; i++)
		if (!strcmp(node_kpi_rates[i].key, key))
			return &node_kpi_rates[i];
	return NULL;
}

bool node_report_in_gap(const struct node_kpi_rate *rate, uint32_t in)
{
	if (!rate->gap_en || rate->den == NODE_KPI_POPULATION)
		return false;
	return (in >> rate->den & 1) && !(in >> rate->num & 1);
}

/* ---- the patients ---- */

struct patients {
	struct node_report_patient *v;
	size_t n, cap;
};

static int patient_push(void *ctx, const uint8_t id[16], const char *scope,
			uint32_t in)
{
	struct patients *p = ctx;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 64;
		p->v = crdt_xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	struct node_report_patient *x = &p->v[p->n++];
	memcpy(x->id, id, 16);
	snprintf(x->scope, sizeof(x->scope), "%s", scope);
	x->in = in;
	return 0;
}

int node_report_patients(struct node_ledger *l, const char *scope,
			 const char *from, const char *to,
			 struct node_report_patient **out, size_t *n)
{
	struct patients p = {0};
	int rc = node_query_report_each(l, scope, from, to, patient_push, &p);
	if (rc) {
		free(p.v);
		return rc;
	}
	*out = p.v;
	*n = p.n;
	return 0;
}

/* ---- by area ---- */

int node_report_by_area(struct node_ledger *l, const char *scope,
			const char *from, const char *to, size_t level,
			struct node_report_area **out, size_t *n)
{
	if (level != 9 && level != 12)
		return -EINVAL;
	struct node_report_patient *p;
	size_t np;
	int rc = node_report_patients(l, scope, from, to, &p, &np);
	if (rc)
		return rc;
	struct node_report_area *a = NULL;
	size_t na = 0, cap = 0;
	for (size_t i = 0; i < np; i++) {
		char area[13];
		size_t len = strlen(p[i].scope);
		bool own = len < level;
		snprintf(area, sizeof(area), "%.*s", (int)(own ? len : level),
			 p[i].scope);
		size_t k;
		for (k = 0; k < na; k++)
			if (!strcmp(a[k].area, area) && a[k].own == own)
				break;
		if (k == na) {
			if (na == cap) {
				cap = cap ? 2 * cap : 16;
				a = crdt_xrealloc(a, cap * sizeof(*a));
			}
			memset(&a[na], 0, sizeof(a[na]));
			memcpy(a[na].area, area, sizeof(area));
			a[na].own = own;
			na++;
		}
		for (int c = 0; c < NODE_KPI_N; c++)
			a[k].r.count[c] += p[i].in >> c & 1;
	}
	free(p);
	for (size_t k = 0; k < na; k++)
		a[k].r.population =
		    a[k].own ? -1 : node_query_population(l, a[k].area, to);
	/* Area order; a scope's own patients before the areas within it. */
	for (size_t i = 1; i < na; i++)
		for (size_t j = i; j > 0; j--) {
			int c = strcmp(a[j - 1].area, a[j].area);
			if (c < 0 || (c == 0 && a[j - 1].own))
				break;
			struct node_report_area t = a[j];
			a[j] = a[j - 1];
			a[j - 1] = t;
		}
	*out = a;
	*n = na;
	return 0;
}

/* ---- by month ---- */

int node_report_months(struct node_ledger *l, const char *scope,
		       const char *from, const char *to,
		       struct node_report_month **out, size_t *n)
{
	int64_t f, t;
	if (!node_query_day(from, &f) || !node_query_day(to, &t) || f > t)
		return -EINVAL;
	int y = atoi(from), m = atoi(from + 5);
	int ty = atoi(to), tm = atoi(to + 5);
	long months = (long)(ty - y) * 12 + (tm - m) + 1;
	if (months > NODE_REPORT_MAX_MONTHS)
		return -E2BIG;
	struct node_report_month *v = crdt_xcalloc((size_t)months, sizeof(*v));
	for (long i = 0; i < months; i++) {
		struct node_report_month *x = &v[i];
		char first[11], next[11];
		unsigned yy = (unsigned)y % 10000u, mm = (unsigned)m % 100u;
		snprintf(x->month, sizeof(x->month), "%04u-%02u", yy, mm);
		snprintf(first, sizeof(first), "%04u-%02u-01", yy, mm);
		if (++m > 12) {
			m = 1;
			y++;
		}
		yy = (unsigned)y % 10000u;
		mm = (unsigned)m % 100u;
		snprintf(next, sizeof(next), "%04u-%02u-01", yy, mm);
		int64_t lo, hi;
		node_query_day(first, &lo);
		node_query_day(next, &hi);
		hi--;
		node_query_date(lo > f ? lo : f, x->from);
		node_query_date(hi < t ? hi : t, x->to);
		int rc = node_query_report(l, scope, x->from, x->to, &x->r);
		if (rc) {
			free(v);
			return rc;
		}
	}
	*out = v;
	*n = (size_t)months;
	return 0;
}

/* ---- area names ---- */

struct name_scan {
	struct node_ledger *l;
	const char *area;
	char *out;
	size_t out_len;
	int64_t year;
	uint64_t hlc;
	bool found;
};

static bool str_cell(struct node_ledger *l, const uint8_t id[16],
		     const char *field, char *out, size_t out_len)
{
	struct crdt_cell c;
	if (node_ledger_cell(l, id, field, &c) != 0)
		return false;
	const struct crdt_version *s = c.is_set ? NULL : crdt_cell_shown(&c);
	bool ok = s && s->value.kind == CRDT_VALUE_STR;
	if (ok)
		snprintf(out, out_len, "%.*s", (int)s->value.len,
			 (const char *)s->value.p);
	crdt_cell_fini(&c);
	return ok;
}

static int name_one(void *ctx, const uint8_t id[16])
{
	struct name_scan *x = ctx;
	struct node_entity e;
	char v[256];
	if (node_ledger_entity(x->l, id, &e) != 0 || !e.valid ||
	    strcmp(e.scope, x->area) != 0)
		return 0;
	if (str_cell(x->l, id, "retracted", v, sizeof(v)) && !strcmp(v, "yes"))
		return 0;
	if (!str_cell(x->l, id, "name", v, sizeof(v)) || !*v)
		return 0;
	int64_t year = -1;
	struct crdt_cell c;
	if (node_ledger_cell(x->l, id, "year", &c) == 0) {
		const struct crdt_version *s =
		    c.is_set ? NULL : crdt_cell_shown(&c);
		if (s && s->value.kind == CRDT_VALUE_INT)
			year = s->value.i;
		crdt_cell_fini(&c);
	}
	if (x->found &&
	    (year < x->year || (year == x->year && e.hlc <= x->hlc)))
		return 0;
	x->found = true;
	x->year = year;
	x->hlc = e.hlc;
	snprintf(x->out, x->out_len, "%s", v);
	return 0;
}

bool node_report_area_name(struct node_ledger *l, const char *area, char *out,
			   size_t out_len)
{
	struct name_scan x = {
	    .l = l, .area = area, .out = out, .out_len = out_len};
	if (out_len)
		out[0] = 0;
	node_ledger_each_of_type(l, "region", name_one, &x);
	return x.found;
}
