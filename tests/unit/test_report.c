/*
 * test_report: the report beyond its totals (node/records/report.c and
 * node/api/report_html.c, issue 12): a breakdown by township and by
 * village, the months of a period, the patients behind each gap, and the
 * page that draws them. Over test_query's hand-computed fixture (copied:
 * the two files test different modules), every area, month and list is
 * checked against node_query_report of the same scope or dates, so the
 * breakdown can never drift from the rates it breaks down; and the page
 * is checked for its charts, its escaping and for loading nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/report_html.h"
#include "node/ledger/index.h"
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"
#include "node/records/report.h"
#include "node/store/kv.h"
#include "tests/common/testnode.h"

#include "tests/common/recordnet.h"

static void set(struct node *n, int who, const char *scope, uint8_t id[16], ...)
{
	va_list ap;
	va_start(ap, id);
	vwrite(n, who, scope, NULL, id, ap);
	va_end(ap);
}

/* "patient=<hex>" into buf. */
static const char *ref(char buf[80], const char *field, const uint8_t id[16])
{
	int n = snprintf(buf, 80, "%s=", field);
	for (int i = 0; i < 16; i++)
		n += snprintf(buf + n, 80 - (size_t)n, "%02x", id[i]);
	return buf;
}

/* ---- (a) the report fixture ---- */

static uint8_t pA[16], pB[16], pC[16], pD[16], pE[16], pF[16], pG[16], pH[16],
    pI[16], pJ[16], pK[16];

static void fu(struct node *n, const char *scope, const uint8_t *p,
	       const char *date, const char *mode, const char *reached,
	       const char *cls, const char *adh, uint8_t out[16])
{
	char r[80], d[40], m[40], re[40], c[40], a[40];
	snprintf(d, sizeof(d), "date=%s", date);
	snprintf(m, sizeof(m), "mode=%s", mode);
	snprintf(re, sizeof(re), "reached=%s", reached);
	snprintf(c, sizeof(c), "class=%s", cls);
	snprintf(a, sizeof(a), "adherence=%s", adh);
	ref(r, "patient", p);
	uint8_t tmp[16];
	rec(n, scope, "followup", out ? out : tmp, r, d, m, re, *cls ? c : "",
	    *adh ? a : "", NULL);
}

static void build_report_fixture(struct node *n)
{
	char r[80], r2[80];
	uint8_t x[16], ag[16];
	/* A: everything right. */
	rec(n, TOWN, "patient", pA, "name=A", "registered_on=2025-06-01",
	    "status=registered", NULL);
	fu(n, TOWN, pA, "2026-02-10", "clinic", "yes", "stable", "regular",
	   NULL);
	fu(n, TOWN, pA, "2026-05-10", "home", "yes", "stable", "regular", NULL);
	rec(n, TOWN, "free_med", x, ref(r, "patient", pA), "from=2025-01-01",
	    NULL);
	rec(n, TOWN, "agreement", ag, ref(r, "patient", pA),
	    "kind=free_med_consent", "signed_on=2025-12-01", "status=active",
	    NULL);
	/* B: registered mid-period, one phone visit in Q2. */
	rec(n, TOWN, "patient", pB, "name=B", "registered_on=2026-03-15", NULL);
	fu(n, TOWN, pB, "2026-04-20", "phone", "yes", "basic", "intermittent",
	   NULL);
	rec(n, TOWN, "free_med", x, ref(r, "patient", pB), "from=2026-07-01",
	    NULL);
	/* C: a miss, a clinic visit in hospital, admitted again, trouble. */
	rec(n, TOWN, "patient", pC, "name=C", "registered_on=2025-01-01", NULL);
	fu(n, TOWN, pC, "2026-01-15", "home", "no", "", "", NULL);
	rec(n, TOWN, "followup", x, ref(r, "patient", pC), "date=2026-03-01",
	    "mode=clinic", "reached=yes", "class=unstable", "hospital=now",
	    "adherence=none", NULL);
	rec(n, TOWN, "hospitalization", x, ref(r, "patient", pC),
	    "admitted=2026-06-01", NULL);
	rec(n, TOWN, "incident", x, ref(r, "patient", pC), "date=2026-02-01",
	    "kind=trouble", NULL);
	rec(n, TOWN, "free_med", x, ref(r, "patient", pC), "from=2026-01-01",
	    "to=2026-03-31", NULL);
	rec(n, TOWN, "agreement", ag, ref(r, "patient", pC),
	    "kind=free_med_consent", "signed_on=2026-01-01", "status=withdrawn",
	    NULL);
	/* D: exited before the period. E: registered after it. */
	rec(n, TOWN, "patient", pD, "name=D", "registered_on=2025-01-01",
	    "status=exited", "exit_reason=died", "exit_date=2025-12-31", NULL);
	fu(n, TOWN, pD, "2026-02-01", "home", "yes", "stable", "regular", NULL);
	rec(n, TOWN, "patient", pE, "name=E", "registered_on=2026-07-01", NULL);
	/* F: retracted. */
	rec(n, TOWN, "patient", pF, "name=F", "registered_on=2025-05-05", NULL);
	fu(n, TOWN, pF, "2026-02-01", "home", "yes", "stable", "regular", NULL);
	set(n, HEALTH, TOWN, pF, "retracted=yes", "retract_reason=dup", NULL);
	/* G: on the register, never seen; a nuisance does not count. */
	rec(n, TOWN, "patient", pG, "name=G", "registered_on=2025-01-01", NULL);
	rec(n, TOWN, "incident", x, ref(r, "patient", pG), "date=2026-02-02",
	    "kind=nuisance", NULL);
	/* H: exited in February after a visit; a short stay in June. */
	rec(n, TOWN, "patient", pH, "name=H", "registered_on=2025-01-01",
	    "status=exited", "exit_reason=moved_out", "exit_date=2026-02-15",
	    NULL);
	fu(n, TOWN, pH, "2026-01-20", "clinic", "yes", "stable", "regular",
	   NULL);
	rec(n, TOWN, "hospitalization", x, ref(r, "patient", pH),
	    "admitted=2026-06-25", "discharged=2026-06-28", NULL);
	/* I: regular and stable, but in hospital on the last day. */
	rec(n, TOWN, "patient", pI, "name=I", "registered_on=2025-01-01", NULL);
	fu(n, TOWN, pI, "2026-02-01", "home", "yes", "stable", "regular", NULL);
	fu(n, TOWN, pI, "2026-05-01", "home", "yes", "stable", "regular", NULL);
	rec(n, TOWN, "hospitalization", x, ref(r, "patient", pI),
	    "admitted=2026-06-20", NULL);
	/* J: its only visit retracted. */
	rec(n, TOWN, "patient", pJ, "name=J", "registered_on=2025-01-01", NULL);
	fu(n, TOWN, pJ, "2026-02-01", "home", "yes", "stable", "regular", x);
	set(n, HEALTH, TOWN, x, "retracted=yes", NULL);
	/* K: the next township. */
	rec(n, TOWN2, "patient", pK, "name=K", "registered_on=2025-01-01",
	    NULL);
	fu(n, TOWN2, pK, "2026-02-01", "home", "yes", "stable", "regular",
	   NULL);
	/* Regions: the township (2025; 2027 is after the period), a village
	 * inside it, the next township. */
	rec(n, TOWN, "region", x, "population=10000", "year=2025", NULL);
	rec(n, TOWN, "region", x, "population=99999", "year=2027", NULL);
	rec(n, "120116001001", "region", x, "population=500", "year=2025",
	    NULL);
	rec(n, TOWN2, "region", x, "population=8000", "year=2026", NULL);
	(void)r2;
}

#define FROM "2026-01-01"
#define TO "2026-06-30"

static void assert_counts(const struct node_report *r, const int64_t *want)
{
	for (int i = 0; i < NODE_KPI_N; i++)
		if (r->count[i] != want[i])
			fail_msg("count %d: got %lld, want %lld", i,
				 (long long)r->count[i], (long long)want[i]);
}

/* b is what node_query_report says of scope over [from, to]. */
static void assert_as_report(struct node *n, const struct node_report *b,
			     const char *scope, const char *from,
			     const char *to)
{
	struct node_report r;
	assert_int_equal(node_query_report(n->l, scope, from, to, &r), 0);
	assert_counts(b, r.count);
	assert_int_equal(b->population, r.population);
}

/* The fixture's township over the period: registered A B C G H I J;
 * managed A B C H I; regular A B H I; face to face A C H I; medication
 * A B C H I; regular A H I; stable A H; free medication A C; consent A;
 * incident C (test_query.c). */
static const int64_t town[NODE_KPI_N] = {7, 5, 4, 4, 5, 3, 2, 2, 1, 1};

static void test_by_area(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	build_report_fixture(&n);
	struct node_report_area *a;
	size_t na;
	/* The district by township: the fixture's two townships. */
	assert_int_equal(
	    node_report_by_area(n.l, DISTRICT, FROM, TO, 9, &a, &na), 0);
	assert_int_equal(na, 2);
	assert_string_equal(a[0].area, TOWN);
	assert_false(a[0].own);
	assert_counts(&a[0].r, town);
	assert_int_equal(a[0].r.population, 10000);
	assert_string_equal(a[1].area, TOWN2);
	/* K: managed, face to face, medication, stable; not regular. */
	static const int64_t k[NODE_KPI_N] = {1, 1, 0, 1, 1, 1, 1, 0, 0, 0};
	assert_counts(&a[1].r, k);
	assert_int_equal(a[1].r.population, 8000);
	struct node_report sum = {0}, all;
	for (size_t i = 0; i < na; i++) {
		assert_as_report(&n, &a[i].r, a[i].area, FROM, TO);
		for (int c = 0; c < NODE_KPI_N; c++)
			sum.count[c] += a[i].r.count[c];
	}
	assert_int_equal(node_query_report(n.l, DISTRICT, FROM, TO, &all), 0);
	assert_counts(&sum, all.count);
	free(a);

	/* The township by village: its own register first (no village, no
	 * population), then a village with a patient and a region record. */
	uint8_t pV[16];
	rec(&n, "120116001001", "patient", pV, "name=V",
	    "registered_on=2025-01-01", NULL);
	fu(&n, "120116001001", pV, "2026-02-01", "clinic", "yes", "stable",
	   "regular", NULL);
	fu(&n, "120116001001", pV, "2026-05-01", "home", "yes", "stable",
	   "regular", NULL);
	assert_int_equal(node_report_by_area(n.l, TOWN, FROM, TO, 12, &a, &na),
			 0);
	assert_int_equal(na, 2);
	assert_string_equal(a[0].area, TOWN);
	assert_true(a[0].own);
	assert_counts(&a[0].r, town);
	assert_int_equal(a[0].r.population, -1);
	assert_string_equal(a[1].area, "120116001001");
	assert_false(a[1].own);
	static const int64_t v[NODE_KPI_N] = {1, 1, 1, 1, 1, 1, 1, 0, 0, 0};
	assert_counts(&a[1].r, v);
	assert_int_equal(a[1].r.population, 500);
	assert_as_report(&n, &a[1].r, "120116001001", FROM, TO);
	free(a);
	char name[64];
	assert_false(
	    node_report_area_name(n.l, "120116001001", name, sizeof(name)));
	uint8_t x[16];
	rec(&n, "120116001001", "region", x, "name=王庄村", "population=600",
	    "year=2026", NULL);
	assert_true(
	    node_report_area_name(n.l, "120116001001", name, sizeof(name)));
	assert_string_equal(name, "王庄村");
	/* Only township and village levels; periods as the report's. */
	assert_int_equal(node_report_by_area(n.l, TOWN, FROM, TO, 6, &a, &na),
			 -EINVAL);
	assert_int_equal(node_report_by_area(n.l, TOWN, TO, FROM, 12, &a, &na),
			 -EINVAL);
	node_down(&n);
}

static void test_months(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	build_report_fixture(&n);
	struct node_report_month *m;
	size_t nm;
	assert_int_equal(
	    node_report_months(n.l, TOWN, "2026-01-15", "2026-03-10", &m, &nm),
	    0);
	assert_int_equal(nm, 3);
	static const char *const want[3][3] = {
	    {"2026-01", "2026-01-15", "2026-01-31"},
	    {"2026-02", "2026-02-01", "2026-02-28"},
	    {"2026-03", "2026-03-01", "2026-03-10"},
	};
	for (size_t i = 0; i < nm; i++) {
		assert_string_equal(m[i].month, want[i][0]);
		assert_string_equal(m[i].from, want[i][1]);
		assert_string_equal(m[i].to, want[i][2]);
		assert_as_report(&n, &m[i].r, TOWN, m[i].from, m[i].to);
	}
	/* February by hand: on the register A C G H I J (B from March, H
	 * exited on the 15th); A and I seen, both stable and regular; A's
	 * free medication and consent; C's trouble. */
	static const int64_t feb[NODE_KPI_N] = {6, 2, 2, 2, 2, 2, 2, 1, 1, 1};
	assert_counts(&m[1].r, feb);
	free(m);
	/* Across a year's end. */
	assert_int_equal(
	    node_report_months(n.l, TOWN, "2025-11-20", "2026-02-03", &m, &nm),
	    0);
	assert_int_equal(nm, 4);
	assert_string_equal(m[0].month, "2025-11");
	assert_string_equal(m[0].from, "2025-11-20");
	assert_string_equal(m[1].to, "2025-12-31");
	assert_string_equal(m[3].month, "2026-02");
	assert_string_equal(m[3].to, "2026-02-03");
	free(m);
	/* Ten and a half years are too many bars. */
	assert_int_equal(
	    node_report_months(n.l, TOWN, "2016-01-01", TO, &m, &nm), -E2BIG);
	assert_int_equal(node_report_months(n.l, TOWN, TO, FROM, &m, &nm),
			 -EINVAL);
	node_down(&n);
}

/* The fixture's patients, by letter, in the gap of key. */
static void gap_letters(const struct node_report_patient *p, size_t np,
			const char *key, char *out)
{
	const struct node_kpi_rate *k = node_kpi_rate_find(key);
	assert_non_null(k);
	static const struct {
		char c;
		const uint8_t *id;
	} who[] = {{'A', pA}, {'B', pB}, {'C', pC}, {'D', pD},
		   {'E', pE}, {'F', pF}, {'G', pG}, {'H', pH},
		   {'I', pI}, {'J', pJ}, {'K', pK}};
	size_t n = 0;
	for (size_t w = 0; w < sizeof(who) / sizeof(who[0]); w++)
		for (size_t i = 0; i < np; i++)
			if (!memcmp(p[i].id, who[w].id, 16) &&
			    node_report_in_gap(k, p[i].in))
				out[n++] = who[w].c;
	out[n] = 0;
}

static void test_gaps(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	build_report_fixture(&n);
	struct node_report_patient *p;
	size_t np;
	assert_int_equal(node_report_patients(n.l, TOWN, FROM, TO, &p, &np), 0);
	assert_int_equal(np, 7);
	static const char *const want[][2] = {
	    {"management", "GJ"},
	    {"regular_management", "CGJ"},
	    {"face_to_face", "BGJ"},
	    {"medication", "GJ"},
	    {"regular_medication", "BCGJ"},
	    {"stability", "BCI"},
	    {"free_medication_share", "BHI"},
	    {"free_medication_consent", "C"},
	    /* No gap names anyone: the prevalence's denominator is people
	     * not on the register, and incidents are not a target. */
	    {"prevalence_permille", ""},
	    {"incident", ""},
	};
	char got[16];
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		gap_letters(p, np, want[i][0], got);
		if (strcmp(got, want[i][1]))
			fail_msg("%s: gap %s, want %s", want[i][0], got,
				 want[i][1]);
	}
	/* Each gap is the denominator less the numerator. */
	struct node_report r;
	assert_int_equal(node_query_report(n.l, TOWN, FROM, TO, &r), 0);
	for (int i = 0; i < NODE_KPI_N_RATES; i++) {
		const struct node_kpi_rate *k = &node_kpi_rates[i];
		if (!k->gap_en)
			continue;
		int64_t c = 0;
		for (size_t j = 0; j < np; j++)
			c += node_report_in_gap(k, p[j].in);
		assert_int_equal(c, r.count[k->den] - r.count[k->num]);
	}
	assert_null(node_kpi_rate_find("nosuch"));
	assert_null(node_kpi_rate_find(NULL));
	free(p);
	node_down(&n);
}

/* ---- the page ---- */

static size_t count_in(const char *s, const char *end, const char *needle)
{
	size_t c = 0, l = strlen(needle);
	for (const char *q = strstr(s, needle); q && (!end || q < end);
	     q = strstr(q + l, needle))
		c++;
	return c;
}

/* The report document api_report.c answers with --html, built from the
 * same calls, with record text that needs escaping. */
static struct node_doc *page_doc(struct node *n)
{
	struct node_report r;
	assert_int_equal(node_query_report(n->l, TOWN, FROM, TO, &r), 0);
	struct node_doc *d = node_query_report_doc(&r, TOWN, FROM, TO);
	node_doc_set(d, "scope_name", node_doc_str("新河<街道>"));
	struct node_report_area *a;
	size_t na;
	assert_int_equal(node_report_by_area(n->l, TOWN, FROM, TO, 12, &a, &na),
			 0);
	struct node_doc *areas = node_doc_array();
	for (size_t i = 0; i < na; i++) {
		struct node_doc *o =
		    node_query_report_doc(&a[i].r, a[i].area, FROM, TO);
		node_doc_set(o, "area", node_doc_str(a[i].area));
		node_doc_set(o, "own", node_doc_bool(a[i].own));
		node_doc_set(o, "name", node_doc_str("<b>Village & 'Co'</b>"));
		node_doc_push(areas, o);
	}
	free(a);
	node_doc_set(d, "by", node_doc_str("village"));
	node_doc_set(d, "areas", areas);
	struct node_report_month *m;
	size_t nm;
	assert_int_equal(node_report_months(n->l, TOWN, FROM, TO, &m, &nm), 0);
	struct node_doc *months = node_doc_array();
	for (size_t i = 0; i < nm; i++) {
		struct node_doc *o =
		    node_query_report_doc(&m[i].r, TOWN, m[i].from, m[i].to);
		node_doc_set(o, "month", node_doc_str(m[i].month));
		node_doc_push(months, o);
	}
	free(m);
	node_doc_set(d, "months", months);
	struct node_doc *gaps = node_doc_object();
	struct node_doc *list = node_doc_array();
	static const char *const who[] = {"<script>alert(\"x\")</script>",
					  "王五", "J"};
	for (size_t i = 0; i < 3; i++) {
		struct node_doc *o = node_doc_object();
		node_doc_set(
		    o, "id",
		    node_doc_str("patient-0123456789abcdef0123456789abcdef"));
		node_doc_set(o, "name", node_doc_str(who[i]));
		node_doc_set(o, "patient_no", node_doc_str("P&1"));
		node_doc_set(o, "scope", node_doc_str(TOWN));
		node_doc_set(o, "phone", node_doc_null());
		node_doc_push(list, o);
	}
	node_doc_set(gaps, "regular_management", list);
	node_doc_set(gaps, "face_to_face", node_doc_array());
	node_doc_set(d, "gaps", gaps);
	return d;
}

static char *render(const struct node_doc *d, bool zh)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_report_html(&b, d, zh, "2026-07-01 09:00");
	crdt_buf_append(&b, "", 1);
	size_t len;
	return (char *)crdt_buf_take(&b, &len);
}

static void test_html(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	build_report_fixture(&n);
	struct node_doc *d = page_doc(&n);
	char *h = render(d, false);
	assert_memory_equal(h, "<!DOCTYPE html>\n<html lang=\"en\">", 31);
	/* The rates against their targets: a bar for each of the ten rates
	 * (all known here), a target line for each of the six targets. */
	const char *rates = strstr(h, "<svg class=\"chart rates\"");
	assert_non_null(rates);
	const char *rates_end = strstr(rates, "</svg>");
	assert_int_equal(count_in(rates, rates_end, "<rect class=\"bar "), 10);
	assert_int_equal(count_in(rates, rates_end, "<line class=\"target\""),
			 6);
	static const char *const bars[] = {
	    "<rect class=\"bar low\" data-key=\"regular_management\" "
	    "data-value=\"57.14\"",
	    "<rect class=\"bar low\" data-key=\"face_to_face\" "
	    "data-value=\"57.14\"",
	    "<rect class=\"bar low\" data-key=\"regular_medication\" "
	    "data-value=\"42.86\"",
	    "<rect class=\"bar ok\" data-key=\"free_medication_share\" "
	    "data-value=\"40.00\"",
	    "<rect class=\"bar plain\" data-key=\"management\" "
	    "data-value=\"71.43\"",
	    "<rect class=\"bar low\" data-key=\"prevalence_permille\" "
	    "data-value=\"0.70\"",
	};
	for (size_t i = 0; i < sizeof(bars) / sizeof(bars[0]); i++)
		if (!strstr(rates, bars[i]) ||
		    strstr(rates, bars[i]) > rates_end)
			fail_msg("no %s in the rates chart", bars[i]);
	/* The breakdown: one row for the township's own register. */
	assert_non_null(strstr(h, "<table class=\"areas\">"));
	assert_int_equal(count_in(h, NULL, "<tr class=\"area\""), 1);
	assert_non_null(strstr(h,
			       "data-key=\"regular_management\" "
			       "data-area=\"120116001\" data-value=\"57.14\""));
	/* The trend: six months, three series; February's face-to-face is
	 * 2 of 6 (test_months). */
	const char *months = strstr(h, "<svg class=\"chart months\"");
	assert_non_null(months);
	const char *months_end = strstr(months, "</svg>");
	assert_int_equal(count_in(months, months_end, "<rect class=\"bar s"),
			 18);
	assert_non_null(strstr(months, "data-month=\"2026-02\" "
				       "data-key=\"face_to_face\" "
				       "data-value=\"33.33\""));
	assert_non_null(strstr(months, "data-month=\"2026-06\""));
	/* The lists: three behind regular management, nobody behind face
	 * to face. */
	assert_non_null(strstr(h, "<h3 class=\"gap\" "
				  "data-key=\"regular_management\" "
				  "data-count=\"3\">not regularly managed"));
	assert_non_null(strstr(h, "<h3 class=\"gap\" data-key=\"face_to_face\" "
				  "data-count=\"0\">"));
	assert_non_null(strstr(h, "<td>0123456789ab</td>"));
	/* Record text escaped, wherever it goes. */
	assert_non_null(
	    strstr(h, "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"));
	assert_non_null(strstr(h, "<td>P&amp;1</td>"));
	assert_non_null(strstr(h, "新河&lt;街道&gt;"));
	assert_non_null(strstr(h, "王五"));
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "<b>"));
	/* Self-contained: nothing to load, from anywhere. */
	static const char *const never[] = {
	    "http", "src=",  "href",  "url(",	 "@import",
	    "<img", "data:", "<link", "<iframe", "<object"};
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++)
		if (strstr(h, never[i]))
			fail_msg("the page holds %s", never[i]);
	/* A4. */
	assert_non_null(strstr(h, "@page{size:A4"));
	assert_non_null(strstr(h, "@media print{"));
	assert_non_null(strstr(h, "regular management rate"));
	assert_non_null(strstr(h, "By village"));
	assert_non_null(strstr(h, "Made 2026-07-01 09:00"));
	free(h);

	/* Chinese labels under zh; the same figures. */
	h = render(d, true);
	assert_non_null(strstr(h, "<html lang=\"zh-CN\">"));
	static const char *const zh[] = {"严重精神障碍患者管理工作报表",
					 "规范管理率",
					 "按村（居）",
					 "逐月趋势",
					 "未规范管理（规范管理率）：3 人",
					 "未达标名单",
					 "（本级直接登记）"};
	for (size_t i = 0; i < sizeof(zh) / sizeof(zh[0]); i++)
		if (!strstr(h, zh[i]))
			fail_msg("no %s under zh", zh[i]);
	assert_non_null(strstr(h, bars[0]));
	assert_null(strstr(h, "regular management rate"));
	free(h);
	node_doc_free(d);
	node_down(&n);
}

static void test_escape(void **state)
{
	(void)state;
	struct crdt_buf b;
	crdt_buf_init(&b);
	static const char in[] = "a<b>&\"'\x01\x1b c\td\n张";
	node_html_escape(&b, in, sizeof(in) - 1);
	static const char want[] = "a&lt;b&gt;&amp;&quot;&#39; c\td\n张";
	assert_int_equal(b.len, sizeof(want) - 1);
	assert_memory_equal(b.data, want, b.len);
	crdt_buf_fini(&b);
}

static int group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	setup_keys();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(roster);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_by_area), cmocka_unit_test(test_months),
	    cmocka_unit_test(test_gaps),    cmocka_unit_test(test_html),
	    cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
