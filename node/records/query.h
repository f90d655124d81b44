/*
 * query.h: the questions the people doing the work ask, answered from the
 * secondary indexes (index.h): who is due or overdue for a follow-up
 * (DOMAIN.md section 3), who lacks a joint visit, and the official rates
 * (section 4, definition kpi-v1). query.c computes over a ledger's store;
 * api_query.c serves them (and `list`, and the `related` records of `show`)
 * through the local API (their handlers are declared in node/api/api.h).
 *
 * Layer node/records: may include node/ledger, node/store and crdt/.
 */
#ifndef WARD_NODE_QUERY_H
#define WARD_NODE_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/ledger/ledger.h"

#define NODE_KPI_DEFINITION "kpi-v1"

/* National defaults of the follow-up policy (DOMAIN.md section 3). */
#define NODE_POLICY_UNSTABLE_DAYS 14
#define NODE_POLICY_BASIC_DAYS 30
#define NODE_POLICY_STABLE_DAYS 90
#define NODE_POLICY_MAX_GAP_DAYS 90
#define NODE_POLICY_FIRST_VISIT_DAYS 14

/* Days since 1970-01-01 of a date "YYYY-MM-DD" (s[0..10)); false when s is
 * no such date. */
bool node_query_day(const char *s, int64_t *day);
/* The date of a day number into out (11 bytes). */
void node_query_date(int64_t day, char out[11]);
/* Today in the local time zone, into out (11 bytes). */
void node_query_today(char out[11]);

/* At most this many failed attempts are listed per due patient. */
#define NODE_DUE_ATTEMPTS 8

struct node_due {
	uint8_t patient[16];
	char scope[13];
	char due[11];
	int64_t days_overdue;
	char cls[16];	    /* class of the latest reached follow-up, or "" */
	int risk;	    /* latest risk (assessment or follow-up), or -1 */
	char last[11];	    /* date of the latest reached follow-up, or "" */
	bool joint_missing; /* risk >= 3 and no joint follow-up since */
	char risk_on[11];   /* date of that latest risk, or "" */
	/* The latest follow-up not reached dated on or before the day (any
	 * time), or "". */
	char last_attempt[11];
	/* Follow-ups not reached since the latest reached one (all of them
	 * when none was reached): how many, and the dates of the latest
	 * NODE_DUE_ATTEMPTS of them, oldest first. */
	int n_attempts;
	char attempts[NODE_DUE_ATTEMPTS][11];
	/* The due date was counted from the latest failed attempt: the
	 * patient is marked lost_contact or floating (lost-contact rule). */
	bool from_attempt;
};

/* Patients under scope (NULL: all) with due date <= on, most overdue first
 * (ties by patient id). The lost-contact rule: a patient whose `special`
 * holds lost_contact or floating, and whose latest follow-up (on or before
 * on) is an attempt not reached, is counted from that attempt as if it
 * were a visit of the class of the latest reached follow-up (none: the
 * shortest interval), not from registration or an old visit. joint: instead,
 * the patients on the register on `on` whose latest risk is >= 3 with no joint
 * follow-up since (whatever their due date). Returns 0 with an owned array
 * (free()) or -ENOMEM. */
int node_query_due(struct node_ledger *l, const char *scope, const char *on,
		   bool joint, struct node_due **out, size_t *n);

enum node_kpi_count {
	NODE_KPI_REGISTERED,
	NODE_KPI_MANAGED,
	NODE_KPI_REGULARLY_MANAGED,
	NODE_KPI_FACE_TO_FACE,
	NODE_KPI_MEDICATION,
	NODE_KPI_REGULAR_MEDICATION,
	NODE_KPI_STABLE,
	NODE_KPI_FREE_MEDICATION,
	NODE_KPI_CONSENT_SIGNED,
	NODE_KPI_INCIDENT,
	NODE_KPI_N
};

struct node_report {
	int64_t count[NODE_KPI_N];
	int64_t population; /* -1: no region record */
};

/* Counts of DOMAIN.md section 4 for scope (NULL: all) over [from, to]
 * (dates). 0, or -EINVAL when a date is bad or from > to. */
int node_query_report(struct node_ledger *l, const char *scope,
		      const char *from, const char *to,
		      struct node_report *out);

/* The same judgement, patient by patient: fn(ctx, patient id, home
 * scope, in) for each patient of scope on the register in [from, to], in
 * = the counts it is in as bits (1u << enum node_kpi_count; the
 * REGISTERED bit always set). Stops at fn's first non-zero return and
 * returns it; -EINVAL as node_query_report. node_query_report sums these
 * bits, so a breakdown or a list built on them agrees with it. */
typedef int (*node_query_patient_fn)(void *ctx, const uint8_t patient[16],
				     const char *scope, uint32_t in);
int node_query_report_each(struct node_ledger *l, const char *scope,
			   const char *from, const char *to,
			   node_query_patient_fn fn, void *ctx);
/* The population of scope (NULL: all) for a period ending on date to, as
 * node_query_report gives it (-1: no region record). */
int64_t node_query_population(struct node_ledger *l, const char *scope,
			      const char *to);

/* 100 (or 1000 for per mille) x num / den in hundredths, rounded half to
 * even; false when den is 0. */
bool node_query_rate(int64_t num, int64_t den, int64_t scale,
		     int64_t *hundredths);

#endif
