/*
 * test_query: secondary indexes (index.c), the follow-up schedule and the
 * kpi-v1 rates (query.c) over an in-memory ledger.
 *
 *  (a) a hand-computed report fixture: every count and rate of DOMAIN.md
 *      section 4 for a township and for its district (population by region
 *      records, exits, retractions, hospital stays, withdrawn consents);
 *  (b) rounding half to even and null rates;
 *  (c) the due list under layered policies (longest scope, later-created
 *      wins), next_visit, a missing class, hospital stays, exits;
 *      joint-missing;
 *  (d) indexes are state: replaying the same entries in random feed
 *      interleavings and transaction splits gives byte-identical 'I', 'X'
 *      and 'x' families; a register in conflict is indexed under its shown
 *      value with the conflict flag.
 *
 * Seeded: WARD_SEED=<n> replays.
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
#include "node/ledger/index.h"
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"
#include "node/records/timeline.h"
#include "node/store/kv.h"
#include "tests/common/testnode.h"
#include "tests/common/testseed.h"

static uint64_t rng;

#include "tests/common/recordnet.h"

static void rec_as(struct node *n, int who, const char *scope, const char *type,
		   uint8_t id[16], ...)
{
	va_list ap;
	va_start(ap, id);
	vwrite(n, who, scope, type, id, ap);
	va_end(ap);
}

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

static void assert_counts(const struct node_report *r, const int64_t *want)
{
	for (int i = 0; i < NODE_KPI_N; i++)
		if (r->count[i] != want[i])
			fail_msg("count %d: got %lld, want %lld", i,
				 (long long)r->count[i], (long long)want[i]);
}

static void test_report(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	build_report_fixture(&n);
	struct node_report r;
	assert_int_equal(
	    node_query_report(n.l, TOWN, "2026-01-01", "2026-06-30", &r), 0);
	/* registered A B C G H I J; managed A B C H I; regular A B H I;
	 * face to face A C H I; medication A B C H I; regular A H I; stable
	 * A H; free medication A C; consent A; incident C. */
	static const int64_t want[NODE_KPI_N] = {7, 5, 4, 4, 5, 3, 2, 2, 1, 1};
	assert_counts(&r, want);
	assert_int_equal(r.population, 10000);
	struct node_doc *d =
	    node_query_report_doc(&r, TOWN, "2026-01-01", "2026-06-30");
	char *json = node_doc_to_json(d, false);
	static const char *const expect[] = {
	    "\"definition\":\"kpi-v1\"",
	    "\"prevalence_permille\":{\"numerator\":7,\"denominator\":10000,"
	    "\"value\":0.70,\"target\":4.50}",
	    "\"management\":{\"numerator\":5,\"denominator\":7,\"value\":71.43,"
	    "\"target\":null}",
	    "\"regular_management\":{\"numerator\":4,\"denominator\":7,"
	    "\"value\":57.14,\"target\":95.00}",
	    "\"face_to_face\":{\"numerator\":4,\"denominator\":7,\"value\":57."
	    "14",
	    "\"medication\":{\"numerator\":5,\"denominator\":7,\"value\":71.43",
	    "\"regular_medication\":{\"numerator\":3,\"denominator\":7,"
	    "\"value\":42.86,\"target\":85.00}",
	    "\"stability\":{\"numerator\":2,\"denominator\":5,\"value\":40.00",
	    "\"free_medication_share\":{\"numerator\":2,\"denominator\":5,"
	    "\"value\":40.00,\"target\":30.00}",
	    "\"free_medication_consent\":{\"numerator\":1,\"denominator\":2,"
	    "\"value\":50.00,\"target\":100.00}",
	    "\"incident\":{\"numerator\":1,\"denominator\":7,\"value\":14.29",
	    "\"registered\":7,\"managed\":5,\"regularly_managed\":4",
	    "\"population\":10000",
	};
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++)
		if (!strstr(json, expect[i]))
			fail_msg("report lacks %s:\n%s", expect[i], json);
	free(json);
	node_doc_free(d);

	/* The district: K joins (managed, face to face, medication, stable;
	 * not regular: no visit in Q2); population sums the two townships
	 * (the village is covered by its township). */
	assert_int_equal(
	    node_query_report(n.l, DISTRICT, "2026-01-01", "2026-06-30", &r),
	    0);
	static const int64_t want2[NODE_KPI_N] = {8, 6, 4, 5, 6, 4, 3, 2, 1, 1};
	assert_counts(&r, want2);
	assert_int_equal(r.population, 18000);
	/* No region under this scope: population and prevalence null. */
	assert_int_equal(
	    node_query_report(n.l, "120117", "2026-01-01", "2026-06-30", &r),
	    0);
	assert_int_equal(r.population, -1);
	assert_int_equal(r.count[NODE_KPI_REGISTERED], 0);
	d = node_query_report_doc(&r, "120117", "2026-01-01", "2026-06-30");
	json = node_doc_to_json(d, false);
	assert_non_null(strstr(json, "\"prevalence_permille\":{\"numerator\":0,"
				     "\"denominator\":null,\"value\":null"));
	assert_non_null(strstr(json, "\"management\":{\"numerator\":0,"
				     "\"denominator\":0,\"value\":null"));
	free(json);
	node_doc_free(d);
	/* Bad periods. */
	assert_int_equal(
	    node_query_report(n.l, TOWN, "2026-07-01", "2026-06-30", &r),
	    -EINVAL);
	assert_int_equal(
	    node_query_report(n.l, TOWN, "2026-02-30", "2026-06-30", &r),
	    -EINVAL);
	node_down(&n);
}

/* ---- (b) rounding ---- */

static void test_rate_rounding(void **state)
{
	(void)state;
	int64_t v;
	assert_true(node_query_rate(1, 32, 100, &v)); /* 3.125 */
	assert_int_equal(v, 312);
	assert_true(node_query_rate(3, 32, 100, &v)); /* 9.375 */
	assert_int_equal(v, 938);
	assert_true(node_query_rate(2, 3, 100, &v)); /* 66.666... */
	assert_int_equal(v, 6667);
	assert_true(node_query_rate(1, 3, 100, &v)); /* 33.333... */
	assert_int_equal(v, 3333);
	assert_true(node_query_rate(9, 2000, 1000, &v)); /* 4.5 per mille */
	assert_int_equal(v, 450);
	assert_true(node_query_rate(0, 5, 100, &v));
	assert_int_equal(v, 0);
	assert_false(node_query_rate(0, 0, 100, &v));
	/* dates */
	int64_t d;
	char out[11];
	assert_true(node_query_day("1970-01-01", &d));
	assert_int_equal(d, 0);
	assert_true(node_query_day("2024-02-29", &d));
	node_query_date(d + 1, out);
	assert_string_equal(out, "2024-03-01");
	assert_false(node_query_day("2023-02-29", &d));
	/* Rates travel as decimals: MessagePack ext and back, JSON numbers. */
	struct node_doc *o = node_doc_array();
	node_doc_push(o, node_doc_dec(9524, 2));
	node_doc_push(o, node_doc_dec(-5, 2));
	node_doc_push(o, node_doc_dec(7, 0));
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_doc_encode(o, &b);
	struct node_doc *back;
	assert_int_equal(node_doc_decode(b.data, b.len, &back), 0);
	assert_true(node_doc_equal(o, back));
	char *json = node_doc_to_json(back, false);
	assert_string_equal(json, "[95.24,-0.05,7]");
	free(json);
	int64_t m;
	unsigned scale;
	assert_true(node_doc_as_dec(node_doc_at(back, 0), &m, &scale));
	assert_int_equal(m, 9524);
	assert_int_equal(scale, 2);
	/* a wrong ext length or type is still refused */
	b.data[2] = 8;
	assert_int_equal(node_doc_decode(b.data, b.len, &back), -EBADMSG);
	node_doc_free(o);
	node_doc_free(back);
	crdt_buf_fini(&b);
}

/* ---- (c) due ---- */

static const struct node_due *find_due(const struct node_due *v, size_t n,
				       const uint8_t id[16])
{
	for (size_t i = 0; i < n; i++)
		if (!memcmp(v[i].patient, id, 16))
			return &v[i];
	return NULL;
}

static void test_due(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	build_report_fixture(&n);
	char r[80];
	uint8_t x[16], pL[16], pM[16], pN[16], pO[16], pQ[16];
	/* Policies: the district makes stable monthly; the township sets
	 * basic twice, the later-created winning; a retracted one counts for
	 * nothing. */
	rec(&n, DISTRICT, "policy", x, "stable_days=30", "basic_days=10", NULL);
	rec(&n, TOWN, "policy", x, "basic_days=20", NULL);
	rec(&n, TOWN, "policy", x, "basic_days=25", NULL);
	rec(&n, TOWN, "policy", x, "basic_days=2", NULL);
	set(&n, HEALTH, TOWN, x, "retracted=yes", NULL);
	rec(&n, TOWN, "patient", pL, "name=L", "registered_on=2026-07-01",
	    NULL);
	rec(&n, TOWN, "patient", pM, "name=M", "registered_on=2025-01-01",
	    NULL);
	rec(&n, TOWN, "followup", x, ref(r, "patient", pM), "date=2026-07-01",
	    "class=stable", "next_visit=2026-07-05", NULL);
	rec(&n, TOWN, "patient", pN, "name=N", "registered_on=2025-01-01",
	    NULL);
	rec(&n, TOWN, "followup", x, ref(r, "patient", pN), "date=2026-03-01",
	    "reached=yes", NULL);
	rec(&n, TOWN, "patient", pO, "name=O", "registered_on=2025-01-01",
	    NULL);
	rec(&n, TOWN, "followup", x, ref(r, "patient", pO), "date=2026-07-10",
	    "class=unstable", "next_visit=2026-07-01", NULL);
	/* Q: risk 4 assessed after its last joint visit. */
	rec(&n, TOWN, "patient", pQ, "name=Q", "registered_on=2025-01-01",
	    NULL);
	rec(&n, TOWN, "followup", x, ref(r, "patient", pQ), "date=2026-07-01",
	    "class=stable", "joint=yes", "risk=2", NULL);
	rec(&n, TOWN, "assessment", x, ref(r, "patient", pQ), "date=2026-07-03",
	    "risk=4", NULL);
	struct node_due *v;
	size_t cnt;
	assert_int_equal(
	    node_query_due(n.l, TOWN, "2026-07-10", false, &v, &cnt), 0);
	/* A: stable 05-10 + 30 = 06-09 (31 days). B: basic 04-20 + 25 =
	 * 05-15 (56). C, I: in hospital. D, H: exited. E, L: not yet due.
	 * G, J: never seen, 2025-01-01 + 14 = 2025-01-15 (541). M: next
	 * visit 07-05 (5). N: no class, the shortest interval (stable 30,
	 * basic 25, unstable 14): 03-15 (117). O: next_visit before its
	 * date is ignored. Q: stable 07-01 + 30: not due. F: retracted. */
	const struct node_due *a = find_due(v, cnt, pA);
	assert_non_null(a);
	assert_string_equal(a->due, "2026-06-09");
	assert_int_equal(a->days_overdue, 31);
	assert_string_equal(a->cls, "stable");
	const struct node_due *b = find_due(v, cnt, pB);
	assert_non_null(b);
	assert_string_equal(b->due, "2026-05-15");
	assert_int_equal(b->days_overdue, 56);
	const struct node_due *g = find_due(v, cnt, pG);
	assert_non_null(g);
	assert_string_equal(g->due, "2025-01-15");
	assert_int_equal(g->days_overdue, 541);
	assert_int_equal(g->risk, -1);
	assert_string_equal(g->cls, "");
	assert_non_null(find_due(v, cnt, pJ));
	const struct node_due *m = find_due(v, cnt, pM);
	assert_non_null(m);
	assert_int_equal(m->days_overdue, 5);
	const struct node_due *nn = find_due(v, cnt, pN);
	assert_non_null(nn);
	assert_string_equal(nn->due, "2026-03-15");
	assert_int_equal(nn->days_overdue, 117);
	assert_int_equal(cnt, 6);
	/* Most overdue first. */
	for (size_t i = 1; i < cnt; i++)
		assert_true(v[i - 1].days_overdue >= v[i].days_overdue);
	free(v);
	/* Joint visit missing: Q only (risk 4 on 07-03, joint visit 07-01). */
	assert_int_equal(
	    node_query_due(n.l, TOWN, "2026-07-10", true, &v, &cnt), 0);
	assert_int_equal(cnt, 1);
	assert_memory_equal(v[0].patient, pQ, 16);
	assert_int_equal(v[0].risk, 4);
	free(v);
	/* Due today counts (0 days); the day before does not. */
	assert_int_equal(
	    node_query_due(n.l, TOWN, "2026-07-05", false, &v, &cnt), 0);
	m = find_due(v, cnt, pM);
	assert_non_null(m);
	assert_int_equal(m->days_overdue, 0);
	free(v);
	assert_int_equal(
	    node_query_due(n.l, TOWN, "2026-07-04", false, &v, &cnt), 0);
	assert_null(find_due(v, cnt, pM));
	free(v);
	node_down(&n);
}

/* ---- (c2) the lost-contact rule and failed attempts ---- */

static void miss(struct node *n, const uint8_t *p, const char *date)
{
	char r[80], d[40];
	uint8_t x[16];
	snprintf(d, sizeof(d), "date=%s", date);
	rec(n, TOWN, "followup", x, ref(r, "patient", p), d, "mode=home",
	    "reached=no", "lost_reason=missing", NULL);
}

static void test_due_lost_contact(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	uint8_t pLC[16], pFL[16], pPL[16], pOld[16], pMany[16];
	/* Lost contact since registration: three failed attempts, none
	 * reached. The national default's shortest interval is 14 days. */
	rec(&n, TOWN, "patient", pLC, "name=LC", "registered_on=2021-06-01",
	    "special=lost_contact", NULL);
	miss(&n, pLC, "2026-05-02");
	miss(&n, pLC, "2026-06-01");
	miss(&n, pLC, "2026-07-01");
	/* Floating: seen stable in January, missed in April. */
	rec(&n, TOWN, "patient", pFL, "name=FL", "registered_on=2021-06-01",
	    "special=floating", NULL);
	fu(&n, TOWN, pFL, "2026-01-10", "home", "yes", "stable", "regular",
	   NULL);
	miss(&n, pFL, "2026-04-01");
	/* Plain: a miss does not move the due date. */
	rec(&n, TOWN, "patient", pPL, "name=PL", "registered_on=2021-06-01",
	    NULL);
	fu(&n, TOWN, pPL, "2026-05-01", "home", "yes", "basic", "regular",
	   NULL);
	miss(&n, pPL, "2026-06-10");
	/* A miss before the latest visit is no attempt since. */
	rec(&n, TOWN, "patient", pOld, "name=Old", "registered_on=2021-06-01",
	    "special=lost_contact", NULL);
	miss(&n, pOld, "2026-03-01");
	fu(&n, TOWN, pOld, "2026-04-01", "home", "yes", "stable", "regular",
	   NULL);
	/* Ten monthly misses: the latest eight are listed. */
	rec(&n, TOWN, "patient", pMany, "name=Many", "registered_on=2021-06-01",
	    "special=lost_contact", NULL);
	for (int m = 0; m < 10; m++) {
		char d[11];
		snprintf(d, sizeof(d), "%04d-%02d-01", m < 4 ? 2025 : 2026,
			 m < 4 ? 9 + m : m - 3);
		miss(&n, pMany, d);
	}
	struct node_due *v;
	size_t cnt;
	assert_int_equal(
	    node_query_due(n.l, TOWN, "2026-07-10", false, &v, &cnt), 0);
	/* On 07-10 LC is not due: 07-01 + 14 = 07-15. */
	assert_null(find_due(v, cnt, pLC));
	free(v);
	assert_int_equal(
	    node_query_due(n.l, TOWN, "2026-07-20", false, &v, &cnt), 0);
	assert_int_equal(cnt, 5);
	const struct node_due *lc = find_due(v, cnt, pLC);
	assert_non_null(lc);
	assert_string_equal(lc->due, "2026-07-15");
	assert_int_equal(lc->days_overdue, 5);
	assert_true(lc->from_attempt);
	assert_string_equal(lc->last_attempt, "2026-07-01");
	assert_int_equal(lc->n_attempts, 3);
	assert_string_equal(lc->attempts[0], "2026-05-02");
	assert_string_equal(lc->attempts[1], "2026-06-01");
	assert_string_equal(lc->attempts[2], "2026-07-01");
	assert_string_equal(lc->last, "");
	const struct node_due *fl = find_due(v, cnt, pFL);
	assert_non_null(fl);
	/* Stable: 04-01 + 90, not 01-10 + 90. */
	assert_string_equal(fl->due, "2026-06-30");
	assert_int_equal(fl->days_overdue, 20);
	assert_string_equal(fl->cls, "stable");
	assert_string_equal(fl->last, "2026-01-10");
	assert_int_equal(fl->n_attempts, 1);
	const struct node_due *pl = find_due(v, cnt, pPL);
	assert_non_null(pl);
	assert_string_equal(pl->due, "2026-05-31");
	assert_int_equal(pl->days_overdue, 50);
	assert_false(pl->from_attempt);
	assert_string_equal(pl->last_attempt, "2026-06-10");
	assert_int_equal(pl->n_attempts, 1);
	const struct node_due *old = find_due(v, cnt, pOld);
	assert_non_null(old);
	assert_string_equal(old->due, "2026-06-30");
	assert_int_equal(old->n_attempts, 0);
	assert_string_equal(old->last_attempt, "2026-03-01");
	assert_false(old->from_attempt);
	const struct node_due *many = find_due(v, cnt, pMany);
	assert_non_null(many);
	assert_string_equal(many->due, "2026-06-15");
	assert_int_equal(many->n_attempts, 10);
	assert_string_equal(many->attempts[0], "2025-11-01");
	assert_string_equal(many->attempts[7], "2026-06-01");
	/* Most overdue first: PL 50, Many 35, FL and Old 20, LC 5. */
	static const int64_t want[] = {50, 35, 20, 20, 5};
	for (size_t i = 0; i < cnt; i++)
		assert_int_equal(v[i].days_overdue, want[i]);
	assert_memory_equal(v[0].patient, pPL, 16);
	assert_memory_equal(v[1].patient, pMany, 16);
	assert_memory_equal(v[4].patient, pLC, 16);
	free(v);
	node_down(&n);
}

/* ---- (c3) one patient's timeline ---- */

static void test_timeline(void **state)
{
	(void)state;
	struct node n;
	node_up(&n);
	char r[80], r2[80];
	uint8_t p[16], other[16], x[16], tr[16], moved[16], gone[16];
	rec(&n, TOWN, "patient", p, "name=P", "registered_on=2025-01-01", NULL);
	rec(&n, TOWN, "patient", other, "name=Other",
	    "registered_on=2025-01-01", NULL);
	/* Written out of date order. */
	rec(&n, TOWN, "followup", x, ref(r, "patient", p), "date=2026-03-01",
	    "reached=yes", NULL);
	rec(&n, TOWN, "assessment", x, ref(r, "patient", p), "date=2026-01-05",
	    "risk=3", NULL);
	rec(&n, TOWN, "hospitalization", x, ref(r, "patient", p),
	    "admitted=2026-02-01", "discharged=2026-02-20", NULL);
	rec(&n, TOWN, "incident", x, ref(r, "patient", p), "date=2026-02-10",
	    "kind=trouble", NULL);
	rec_as(&n, TOWNSHIP, TOWN, "care_group", x, ref(r, "patient", p),
	       "leader=王组长", NULL);
	rec_as(&n, TOWNSHIP, TOWN, "search", x, ref(r, "patient", p),
	       "declared_on=2026-04-01", NULL);
	rec(&n, TOWN, "agreement", x, ref(r, "patient", p),
	    "kind=guardianship_reward", "signed_on=2025-12-01", NULL);
	rec(&n, TOWN, "free_med", x, ref(r, "patient", p), "from=2026-01-01",
	    NULL);
	rec(&n, TOWN, "transfer", tr, ref(r, "patient", p),
	    "to_scope=120116002", "out_on=2026-06-01", NULL);
	rec(&n, TOWN2, "patient", moved, "name=P",
	    ref(r, "transferred_from", p), "registered_on=2026-06-03", NULL);
	rec(&n, TOWN2, "transfer_accept", x, ref(r2, "transfer", tr),
	    "accepted_on=2026-06-03", NULL);
	/* Same date as the follow-up, written later: after it. */
	rec(&n, TOWN, "exam", x, ref(r, "patient", p), "date=2026-03-01", NULL);
	/* Not this patient's, or retracted: left out. */
	rec(&n, TOWN, "followup", x, ref(r, "patient", other),
	    "date=2026-03-02", NULL);
	rec(&n, TOWN, "followup", gone, ref(r, "patient", p), "date=2026-03-03",
	    NULL);
	set(&n, HEALTH, TOWN, gone, "retracted=yes", NULL);
	struct node_timeline_item *v;
	size_t cnt;
	assert_int_equal(node_timeline_collect(n.l, p, &v, &cnt), 0);
	static const char *const want[][2] = {
	    {"2025-01-01", "registered"},
	    {"2025-12-01", "agreement"},
	    {"2026-01-01", "free_med"},
	    {"2026-01-05", "assessment"},
	    {"2026-02-01", "admitted"},
	    {"2026-02-10", "incident"},
	    {"2026-02-20", "discharged"},
	    {"2026-03-01", "followup"},
	    {"2026-03-01", "exam"},
	    {"2026-04-01", "search"},
	    {"2026-05-28", "care_group"},
	    {"2026-06-01", "transfer_out"},
	    {"2026-06-03", "transferred_to"},
	    {"2026-06-03", "transfer_accepted"},
	};
	assert_int_equal(cnt, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < cnt; i++) {
		assert_string_equal(v[i].date, want[i][0]);
		assert_string_equal(v[i].event, want[i][1]);
	}
	assert_true(v[10].undated);
	assert_false(v[9].undated);
	assert_string_equal(v[10].type, "care_group");
	assert_memory_equal(v[12].id, moved, 16);
	assert_memory_equal(v[0].created.author, pk[HEALTH], 32);
	free(v);
	assert_int_equal(node_timeline_collect(n.l, x, &v, &cnt), -ENOENT);
	node_down(&n);
}

/* ---- (d) indexes are state ---- */

static void family_hash(struct node_kv *kv, char family, uint8_t out[32])
{
	uint8_t p = (uint8_t)family;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	struct node_kv_iter *it = node_kv_iter_new(kv, &p, 1);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		uint8_t l[2] = {(uint8_t)kl, (uint8_t)vl};
		crypto_generichash_update(&st, l, 2);
		crypto_generichash_update(&st, k, kl);
		crypto_generichash_update(&st, v, vl);
	}
	node_kv_iter_free(it);
	crypto_generichash_final(&st, out, 32);
}

/* Prints the keys of one family present in only one of two stores. */
static void dump_one(const char *tag, const uint8_t *k, size_t kl,
		     const uint8_t *v, size_t vl)
{
	fprintf(stderr, "%s ", tag);
	for (size_t i = 0; i < kl; i++)
		fprintf(stderr, k[i] >= 32 && k[i] < 127 ? "%c" : "\\x%02x",
			k[i]);
	fprintf(stderr, " = %zu bytes\n", vl);
	(void)v;
}

static void dump_diff(struct node_kv *a, struct node_kv *b, char family)
{
	uint8_t p = (uint8_t)family;
	struct node_kv_iter *x = node_kv_iter_new(a, &p, 1);
	struct node_kv_iter *y = node_kv_iter_new(b, &p, 1);
	while (node_kv_iter_valid(x) || node_kv_iter_valid(y)) {
		size_t xl = 0, yl = 0, xv = 0, yv = 0;
		const uint8_t *xk =
		    node_kv_iter_valid(x) ? node_kv_iter_key(x, &xl) : NULL;
		const uint8_t *yk =
		    node_kv_iter_valid(y) ? node_kv_iter_key(y, &yl) : NULL;
		int c = !xk ? 1 : !yk ? -1 : memcmp(xk, yk, xl < yl ? xl : yl);
		if (!c && xk && yk)
			c = xl < yl ? -1 : xl > yl;
		if (c == 0) {
			const uint8_t *xvv = node_kv_iter_value(x, &xv);
			const uint8_t *yvv = node_kv_iter_value(y, &yv);
			if (xv != yv || memcmp(xvv, yvv, xv)) {
				dump_one("value ref", xk, xl, xvv, xv);
				dump_one("value got", yk, yl, yvv, yv);
			}
			node_kv_iter_next(x);
			node_kv_iter_next(y);
		} else if (c < 0) {
			dump_one("only ref", xk, xl, NULL, 0);
			node_kv_iter_next(x);
		} else {
			dump_one("only got", yk, yl, NULL, 0);
			node_kv_iter_next(y);
		}
	}
	node_kv_iter_free(x);
	node_kv_iter_free(y);
}

struct wire {
	uint8_t *p;
	size_t len;
	int feed;
};

static size_t read_log(struct node_kv *kv, struct wire *out, size_t max)
{
	uint8_t p = 'L';
	size_t n = 0;
	int feed = -1;
	uint8_t last[64];
	size_t last_len = 0;
	struct node_kv_iter *it = node_kv_iter_new(kv, &p, 1);
	for (; node_kv_iter_valid(it) && n < max; node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		if (kl - 9 != last_len || memcmp(last, k + 1, kl - 9)) {
			feed++;
			last_len = kl - 9;
			memcpy(last, k + 1, last_len);
		}
		out[n].p = malloc(vl);
		memcpy(out[n].p, v, vl);
		out[n].len = vl;
		out[n].feed = feed;
		n++;
	}
	node_kv_iter_free(it);
	return n;
}

static bool has_ikey(struct node_kv *kv, const char *type, const char *field,
		     const struct crdt_value *v, const uint8_t id[16],
		     bool *conflict)
{
	uint8_t k[128];
	bool cut;
	size_t kl = node_index_prefix(k, type, field);
	kl = node_index_append_value(k, kl, v, &cut);
	memcpy(k + kl, id, 16);
	uint8_t *val;
	size_t vl;
	if (node_kv_get(kv, k, kl + 16, &val, &vl) != 0)
		return false;
	*conflict = vl == 1 && val[0] == 'c';
	free(val);
	return true;
}

static void test_index_state(void **state)
{
	(void)state;
	struct node a, b;
	node_up(&a);
	node_up(&b);
	b.now = a.now + 500;
	build_report_fixture(&a);
	/* B learns A's entries, then both edit a follow-up concurrently:
	 * class conflicts; B moves the date (its 'X' row moves); B adds a
	 * special category to A's patient. */
	struct wire *w = calloc(4096, sizeof(*w));
	size_t nw = read_log(a.kv, w, 4096);
	for (size_t i = 0; i < nw; i++) {
		struct node_txn *t = node_ledger_begin(b.l);
		enum node_ingest res;
		enum node_msg why;
		assert_int_equal(
		    node_txn_ingest(t, w[i].p, w[i].len, true, &res, &why), 0);
		assert_int_equal(node_txn_commit(t, false), 0);
		free(w[i].p);
	}
	char r[80];
	uint8_t f[16];
	rec(&a, TOWN, "followup", f, ref(r, "patient", pG), "date=2026-03-03",
	    NULL);
	/* A moves the date (the 'X' row moves) and sets a class in later
	 * entries. (B's edits below name only dots of those later entries:
	 * a pred naming a dot of the create's own entry, arriving before the
	 * create, currently lets that value come back as a second live
	 * version when the ledger prunes the pred as settled; reported.) */
	set(&a, HEALTH, TOWN, f, "date=2026-03-04", NULL);
	set(&a, HEALTH, TOWN, f, "class=basic", NULL);
	/* B gets that follow-up, then both change its class concurrently. */
	nw = read_log(a.kv, w, 4096);
	for (size_t i = 0; i < nw; i++) {
		struct node_txn *t = node_ledger_begin(b.l);
		enum node_ingest res;
		enum node_msg why;
		node_txn_ingest(t, w[i].p, w[i].len, true, &res, &why);
		node_txn_commit(t, false);
		free(w[i].p);
	}
	set(&a, HEALTH, TOWN, f, "class=stable", NULL);
	set(&b, TOWNSHIP, TOWN, f, "class=unstable", "risk=2", NULL);
	set(&b, TOWNSHIP, TOWN, pA, "special=floating", NULL);
	set(&b, TOWNSHIP, TOWN, pA, "patient_no=TJ-0001", NULL);
	/* The reference state: A with everything. */
	struct wire *wb = calloc(4096, sizeof(*wb));
	size_t nb = read_log(b.kv, wb, 4096);
	for (size_t i = 0; i < nb; i++) {
		struct node_txn *t = node_ledger_begin(a.l);
		enum node_ingest res;
		enum node_msg why;
		node_txn_ingest(t, wb[i].p, wb[i].len, true, &res, &why);
		node_txn_commit(t, false);
		free(wb[i].p);
	}
	free(wb);
	/* (Not 'C': the ledger's own tests hold cells to byte identity;
	 * indexes see only live versions.) */
	uint8_t ref_h[3][32];
	const char fams[3] = {'I', 'X', 'x'};
	for (int i = 0; i < 3; i++)
		family_hash(a.kv, fams[i], ref_h[i]);
	/* The conflict is indexed under the shown value, flagged. */
	struct crdt_cell c;
	assert_int_equal(node_ledger_cell(a.l, f, "class", &c), 0);
	assert_int_equal(c.n_live, 2);
	const struct crdt_version *shown = crdt_cell_shown(&c);
	bool conflict = false;
	assert_true(
	    has_ikey(a.kv, "followup", "class", &shown->value, f, &conflict));
	assert_true(conflict);
	for (size_t i = 0; i < c.n_live; i++) {
		if (&c.live[i] == shown)
			continue;
		assert_false(has_ikey(a.kv, "followup", "class",
				      &c.live[i].value, f, &conflict));
	}
	crdt_cell_fini(&c);
	struct crdt_value sv = {
	    .kind = CRDT_VALUE_STR, .p = (const uint8_t *)"floating", .len = 8};
	assert_true(has_ikey(a.kv, "patient", "special", &sv, pA, &conflict));
	assert_false(conflict);

	/* Replays in random feed interleavings and txn splits. */
	nw = read_log(a.kv, w, 4096);
	for (int trial = 0; trial < 12; trial++) {
		struct node z;
		node_up(&z);
		/* Random interleaving that keeps each feed in order. */
		size_t nf = 0;
		for (size_t i = 0; i < nw; i++)
			if ((size_t)w[i].feed + 1 > nf)
				nf = (size_t)w[i].feed + 1;
		size_t *pos = calloc(nf, sizeof(*pos));
		size_t *start = calloc(nf + 1, sizeof(*start));
		for (size_t i = 0; i < nw; i++)
			start[w[i].feed + 1] = i + 1;
		for (size_t fi = 1; fi <= nf; fi++)
			if (start[fi] < start[fi - 1])
				start[fi] = start[fi - 1];
		size_t done = 0;
		struct node_txn *t = node_ledger_begin(z.l);
		size_t in_txn = 0;
		while (done < nw) {
			size_t fi = (size_t)(splitmix64(&rng) % nf);
			size_t idx = start[fi] + pos[fi];
			if (idx >= start[fi + 1])
				continue;
			pos[fi]++;
			done++;
			enum node_ingest res;
			enum node_msg why;
			assert_int_equal(node_txn_ingest(t, w[idx].p,
							 w[idx].len, true, &res,
							 &why),
					 0);
			if (++in_txn >= 1 + splitmix64(&rng) % 7) {
				assert_int_equal(node_txn_commit(t, false), 0);
				t = node_ledger_begin(z.l);
				in_txn = 0;
			}
		}
		assert_int_equal(node_txn_commit(t, false), 0);
		free(pos);
		free(start);
		for (int i = 0; i < 3; i++) {
			uint8_t h[32];
			family_hash(z.kv, fams[i], h);
			if (memcmp(h, ref_h[i], 32)) {
				dump_diff(a.kv, z.kv, fams[i]);
				fail_msg("trial %d: family %c differs", trial,
					 fams[i]);
			}
		}
		node_down(&z);
	}
	for (size_t i = 0; i < nw; i++)
		free(w[i].p);
	free(w);
	node_down(&a);
	node_down(&b);
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
	rng = test_seed("test_query");
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_report),
	    cmocka_unit_test(test_rate_rounding),
	    cmocka_unit_test(test_due),
	    cmocka_unit_test(test_due_lost_contact),
	    cmocka_unit_test(test_timeline),
	    cmocka_unit_test(test_index_state),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
