/*
 * api_rules.c: DOMAIN.md's rules a node applies to its own writes
 * (api_rules.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/api/api.h"
#include "node/api/api_rules.h"
#include "node/api/node_int.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"

/* Dates of what has happened: never ahead of today (+1 day for clocks
 * and time zones). Planned dates (next_visit, agreement periods, a
 * guardian's since/until, free medication's from/to, a transfer's out_on)
 * are not listed. */
static const char *const past_dates[][2] = {
    {"patient", "birth_date"},
    {"patient", "registered_on"},
    {"patient", "exit_date"},
    {"patient", "diagnosed_on"},
    {"patient", "onset_on"},
    {"patient", "consent_on"},
    {"followup", "date"},
    {"followup", "last_discharge"},
    {"assessment", "date"},
    {"hospitalization", "admitted"},
    {"hospitalization", "discharged"},
    {"incident", "date"},
    {"search", "declared_on"},
    {"search", "found_on"},
    {"agreement", "signed_on"},
    {"transfer", "letter_on"},
    {"transfer_accept", "accepted_on"},
    {"exam", "date"},
};

bool node_rules_past_date(const char *type, const char *field)
{
	for (size_t i = 0; i < sizeof(past_dates) / sizeof(past_dates[0]); i++)
		if (!strcmp(past_dates[i][0], type) &&
		    !strcmp(past_dates[i][1], field))
			return true;
	return false;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

static bool parse_date(const char *text, size_t len, long *days)
{
	char s[11]; /* a value's bytes need not end in a NUL */
	if (len != 10 || !node_schema_date_valid(text, len))
		return false;
	memcpy(s, text, 10);
	s[10] = 0;
	long y = strtol(s, NULL, 10);
	unsigned m = (unsigned)strtoul(s + 5, NULL, 10);
	unsigned d = (unsigned)strtoul(s + 8, NULL, 10);
	*days = days_from_civil(y, m, d);
	return true;
}

bool node_rules_date_ahead(const char *date, size_t len, const char *today)
{
	long a, t;
	if (!parse_date(date, len, &a) || !parse_date(today, strlen(today), &t))
		return false;
	return a > t + 1;
}

static void local_today(char out[16])
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

void node_rules_roles(unsigned mask, bool zh, char *out, size_t out_len)
{
	size_t l = 0;
	out[0] = 0;
	for (int r = 0; r < NODE_ROLE_COUNT; r++) {
		if (!(mask & NODE_ROLE_BIT(r)))
			continue;
		int w =
		    zh ? snprintf(out + l, out_len - l, "%s%s（%s）",
				  l ? "、" : "",
				  node_role_label_zh((enum node_role)r),
				  node_role_name((enum node_role)r))
		       : snprintf(out + l, out_len - l, "%s%s", l ? ", " : "",
				  node_role_name((enum node_role)r));
		if (w < 0 || (size_t)w >= out_len - l)
			break;
		l += (size_t)w;
	}
}

/* why, as a refusal of the whole write. */
static int refuse(struct node_reason *why)
{
	node_refused(why);
	return -EINVAL;
}

int node_rules_check(struct node_ctx *n, const struct node_type *t,
		     const uint8_t *id, const struct crdt_op *ops, size_t n_ops,
		     struct node_reason *why)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	const struct node_member *me = r ? node_roster_find(r, n->pk) : NULL;
	char roles[256];
	if (!me)
		return 0; /* the write path says "not joined" */
	const char *role = node_role_name(me->role);
	/* Roles, in the ledger's order: the create, then each field. */
	for (size_t i = 0; i < n_ops; i++) {
		const struct crdt_op *op = &ops[i];
		if (op->code == CRDT_OP_CREATE) {
			if (node_schema_may_create(t, me->role))
				continue;
			node_rules_roles(t->creators, n->lang_zh, roles,
					 sizeof(roles));
			NODE_REASON_LONG(why, MSG_REG_ROLE_MAY_NOT_CREATE, role,
					 t->name, roles);
			return refuse(why);
		}
		const struct node_field *f =
		    node_schema_field(t, op->name, op->name_len);
		if (!f || node_schema_may_write(f, me->role))
			continue;
		node_rules_roles(f->writers, n->lang_zh, roles, sizeof(roles));
		NODE_REASON_LONG(why, MSG_REG_ROLE_MAY_NOT_WRITE, role, t->name,
				 f->name, roles);
		return refuse(why);
	}
	/* Township and police write joint follow-ups only. */
	if (!strcmp(t->name, "followup") &&
	    (me->role == NODE_ROLE_TOWNSHIP || me->role == NODE_ROLE_POLICE)) {
		char joint[16] = "";
		if (id)
			node_api_shown_text(n, id, "joint", joint,
					    sizeof(joint));
		for (size_t i = 0; i < n_ops; i++)
			if (ops[i].code == CRDT_OP_SET &&
			    ops[i].name_len == 5 &&
			    !memcmp(ops[i].name, "joint", 5))
				snprintf(joint, sizeof(joint), "%.*s",
					 ops[i].value.kind == CRDT_VALUE_STR
					     ? (int)ops[i].value.len
					     : 0,
					 (const char *)ops[i].value.p);
		if (strcmp(joint, "yes") != 0) {
			NODE_REASON_LONG(why, MSG_REG_JOINT_ONLY, role);
			return refuse(why);
		}
	}
	/* What has happened is not dated ahead. */
	char today[16];
	local_today(today);
	for (size_t i = 0; i < n_ops; i++) {
		const struct crdt_op *op = &ops[i];
		if (op->code != CRDT_OP_SET || op->value.kind != CRDT_VALUE_STR)
			continue;
		const struct node_field *f =
		    node_schema_field(t, op->name, op->name_len);
		if (!f || f->kind != NODE_FIELD_DATE ||
		    !node_rules_past_date(t->name, f->name) ||
		    !node_rules_date_ahead((const char *)op->value.p,
					   op->value.len, today))
			continue;
		NODE_REASON_LONG(why, MSG_REG_DATE_AHEAD, t->name, f->name,
				 (int)op->value.len, (const char *)op->value.p,
				 today);
		return refuse(why);
	}
	return 0;
}

bool node_rules_moved_from_same(struct node_ctx *n, const uint8_t id[16],
				const char *field, const char *value,
				size_t value_len)
{
	char from[40], shown[CRDT_MAX_STR_BYTES + 1], r[8];
	uint8_t src[16];
	struct node_entity e;
	node_api_shown_text(n, id, "transferred_from", from, sizeof(from));
	if (strlen(from) != 32 || node_unhex(from, src, 16) != 0 ||
	    node_ledger_entity(n->ledger, src, &e) != 0 || !e.valid)
		return false;
	node_api_shown_text(n, src, "retracted", r, sizeof(r));
	if (!strcmp(r, "yes"))
		return false;
	node_api_shown_text(n, src, field, shown, sizeof(shown));
	return strlen(shown) == value_len && !memcmp(shown, value, value_len);
}
