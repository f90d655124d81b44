/*
 * report.h: the kpi-v1 report beyond its totals (issue 12, "the report as
 * a page"): the rate table (DOMAIN.md section 4), a breakdown by area, the
 * months of a period, and the patients behind a rate's gap. Everything
 * here is built on node_query_report_each (query.c), the one judgement of
 * who is in which count: an area's or a month's counts are that
 * judgement summed over its patients, or over its dates, never a second
 * formula.
 *
 * Layer node/records: may include node/ledger, node/store and crdt/.
 */
#ifndef WARD_NODE_REPORT_H
#define WARD_NODE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/records/query.h"

/* A rate's denominator that is the population, not a count. */
#define NODE_KPI_POPULATION NODE_KPI_N
#define NODE_KPI_N_RATES 10

/* One rate of DOMAIN.md section 4. */
struct node_kpi_rate {
	const char *key;     /* JSON key, and --missing KEY */
	int num, den;	     /* enum node_kpi_count, or NODE_KPI_POPULATION */
	int64_t scale;	     /* 100, or 1000 for per mille */
	int64_t target;	     /* in hundredths; -1: none */
	const char *en, *zh; /* the rate's name */
	/* Who is in its gap (in the denominator, not the numerator); NULL
	 * where a gap names nobody (prevalence, incidents). */
	const char *gap_en, *gap_zh;
};

extern const struct node_kpi_rate node_kpi_rates[NODE_KPI_N_RATES];
/* The rate of key, or NULL. */
const struct node_kpi_rate *node_kpi_rate_find(const char *key);

/* A patient on the register in the period, with the counts it is in
 * (bits as node_query_report_each gives them). */
struct node_report_patient {
	uint8_t id[16];
	char scope[13];
	uint32_t in;
};

/* Every patient of scope (NULL or "": all) on the register in [from, to],
 * in scope and id order. 0 with an owned array (free()), or -EINVAL. */
int node_report_patients(struct node_ledger *l, const char *scope,
			 const char *from, const char *to,
			 struct node_report_patient **out, size_t *n);

/* Whether a patient with counts `in` is in rate's gap. */
bool node_report_in_gap(const struct node_kpi_rate *rate, uint32_t in);

/* One area of a breakdown: the patients whose home scope lies within
 * `area`, and its population (-1: none, and always -1 for `own`). */
struct node_report_area {
	char area[13];
	/* The patients registered at a level above the breakdown's (a
	 * township's own patients in a breakdown by village): area is
	 * their scope and holds no one of the areas below it. */
	bool own;
	struct node_report r;
};

/* The breakdown of scope over [from, to] by areas of `level` digits
 * (9: township, 12: village), in area order; only areas with patients.
 * 0 with an owned array, -EINVAL (bad period or level). */
int node_report_by_area(struct node_ledger *l, const char *scope,
			const char *from, const char *to, size_t level,
			struct node_report_area **out, size_t *n);

/* The months of [from, to]: each the report over its part of the period
 * (the first and the last month may be partial). */
struct node_report_month {
	char month[8]; /* YYYY-MM */
	char from[11], to[11];
	struct node_report r;
};
#define NODE_REPORT_MAX_MONTHS 120
/* 0 with an owned array; -EINVAL (bad period), -E2BIG (more than
 * NODE_REPORT_MAX_MONTHS months). */
int node_report_months(struct node_ledger *l, const char *scope,
		       const char *from, const char *to,
		       struct node_report_month **out, size_t *n);

/* The name of the region record created in exactly `area` (the latest
 * year's), into out; false when there is none. */
bool node_report_area_name(struct node_ledger *l, const char *area, char *out,
			   size_t out_len);

#endif
