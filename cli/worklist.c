/*
 * worklist.c: work lists as tables and CSV (worklist.h), cli layer. Each
 * list is first made into rows of text cells, then either printed with
 * columns as wide as their widest cell (cut, with "…", only to fit a
 * terminal: the columns marked elastic give way first) or written as CSV
 * (RFC 4180 quoting). So a printed list and a CSV list hold the same
 * cells.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "cli/tables.h"
#include "cli/worklist.h"
#include "node/catalog/catalog.h"

#define MAX_COLS 16


struct table {
	size_t ncol, nrow, cap;
	const char *head[MAX_COLS];
	bool right[MAX_COLS];
	bool elastic[MAX_COLS]; /* may be cut to fit a terminal */
	char **cells;		/* nrow * ncol owned strings */
	char foot[256];		/* a line after the table, or "" */
};

static void col(struct table *t, const char *head, bool right, bool elastic)
{
	t->head[t->ncol] = head;
	t->right[t->ncol] = right;
	t->elastic[t->ncol] = elastic;
	t->ncol++;
}

/* Starts a row; cells are then set with put(). */
static void row(struct table *t)
{
	if (t->nrow == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 32;
		t->cells =
		    crdt_xrealloc(t->cells, t->cap * MAX_COLS * sizeof(char *));
	}
	for (size_t i = 0; i < MAX_COLS; i++)
		t->cells[t->nrow * MAX_COLS + i] = NULL;
	t->nrow++;
}

static void put(struct table *t, size_t c, const char *s)
{
	char **slot = &t->cells[(t->nrow - 1) * MAX_COLS + c];
	free(*slot);
	*slot = crdt_xstrdup(s ? s : "");
}

static const char *at(const struct table *t, size_t r, size_t c)
{
	const char *s = t->cells[r * MAX_COLS + c];
	return s ? s : "";
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrow * MAX_COLS; i++)
		free(t->cells[i]);
	free(t->cells);
}

/* ---- cells from the answers ---- */

static const char *str(const struct node_doc *x, const char *key)
{
	const char *s = node_doc_get_str(x, key);
	return s ? s : "";
}

static void int_cell(char *out, size_t n, const struct node_doc *v)
{
	if (v && node_doc_kind(v) == NODE_DOC_INT)
		snprintf(out, n, "%lld", (long long)node_doc_as_int(v));
	else
		out[0] = 0;
}

/* The id's hex, cut to 8 digits (a prefix `show` accepts). */
static void short_id(char out[9], const char *id)
{
	const char *dash = strrchr(id, '-');
	snprintf(out, 9, "%.8s", dash ? dash + 1 : id);
}

/* The person columns every row about a patient starts with. */
static void person_cols(struct table *t)
{
	col(t, TM(MSG_WL_H_PATIENT_NO), false, false);
	col(t, TM(MSG_WL_H_NAME), false, false);
	col(t, TM(MSG_WL_H_VILLAGE), false, false);
	col(t, TM(MSG_WL_H_PHONE), false, false);
}

static void person_cells(struct table *t, const struct node_doc *x)
{
	put(t, 0, str(x, "patient_no"));
	put(t, 1, str(x, "name"));
	put(t, 2, str(x, "scope"));
	put(t, 3, str(x, "phone"));
}

static void build_due(struct table *t, const struct node_doc *r, bool joint)
{
	bool month =
	    node_doc_len(r) && node_doc_get_str(node_doc_at(r, 0), "month");
	person_cols(t);
	if (joint) {
		col(t, TM(MSG_WL_H_RISK), true, false);
		col(t, TM(MSG_WL_H_RISK_ON), false, false);
		col(t, TM(MSG_WL_H_LAST_VISIT), false, false);
	} else {
		col(t, TM(MSG_WL_H_DUE), false, false);
		col(t, TM(MSG_WL_H_OVERDUE), true, false);
		col(t, TM(MSG_WL_H_CLASS), false, false);
		col(t, TM(MSG_WL_H_RISK), true, false);
		col(t, TM(MSG_WL_H_LAST_VISIT), false, false);
		col(t, TM(MSG_WL_H_LAST_ATTEMPT), false, false);
		col(t, TM(MSG_WL_H_FAILED_ATTEMPTS), false, true);
	}
	col(t, TM(MSG_WL_H_GUARDIAN), false, true);
	col(t, TM(MSG_WL_H_GUARDIAN_PHONE), false, false);
	col(t, TM(MSG_WL_H_CARE_GROUP_LEADER), false, true);
	col(t, TM(MSG_WL_H_ID), false, false);
	bool marked = false;
	for (size_t i = 0; i < node_doc_len(r); i++) {
		const struct node_doc *x = node_doc_at(r, i);
		char num[48], id[9];
		size_t c = 4;
		row(t);
		person_cells(t, x);
		int_cell(num, sizeof(num), node_doc_get(x, "risk"));
		if (joint) {
			put(t, c++, num);
			put(t, c++, str(x, "risk_on"));
			put(t, c++, str(x, "last_followup"));
		} else {
			put(t, c++, str(x, "due"));
			char od[48];
			int64_t d = node_doc_get_int(x, "days_overdue", 0);
			bool from =
			    node_doc_get_bool(x, "counted_from_attempt", false);
			marked |= from;
			if (month && d <= 0)
				snprintf(od, sizeof(od), "%s", from ? "*" : "");
			else
				snprintf(od, sizeof(od), "%lld%s", (long long)d,
					 from ? "*" : "");
			put(t, c++, od);
			put(t, c++,
			    cli_code_label("followup", "class",
					   str(x, "class")));
			put(t, c++, num);
			put(t, c++, str(x, "last_followup"));
			char la[48] = "";
			long long na = (long long)node_doc_get_int(
			    x, "attempts_since_visit", 0);
			if (*str(x, "last_attempt"))
				snprintf(la, sizeof(la), "%s",
					 str(x, "last_attempt"));
			if (na > 1)
				snprintf(la + strlen(la),
					 sizeof(la) - strlen(la), " (%lld)",
					 na);
			put(t, c++, la);
			const struct node_doc *att =
			    node_doc_get(x, "failed_attempts");
			char list[256] = "";
			for (size_t k = 0; att && k < node_doc_len(att); k++) {
				size_t l = strlen(list);
				snprintf(
				    list + l, sizeof(list) - l, "%s%s",
				    k ? " " : "",
				    node_doc_as_str(node_doc_at(att, k), NULL));
			}
			put(t, c++, list);
		}
		const struct node_doc *g = node_doc_get(x, "guardian");
		char gn[256] = "";
		if (g && node_doc_kind(g) == NODE_DOC_OBJECT) {
			const char *rel = cli_code_label("guardian", "relation",
							 str(g, "relation"));
			snprintf(gn, sizeof(gn), "%s%s%s%s", str(g, "name"),
				 *rel ? " (" : "", rel, *rel ? ")" : "");
		}
		put(t, c++, gn);
		put(t, c++, g ? str(g, "phone") : "");
		put(t, c++, str(x, "care_group_leader"));
		short_id(id, str(x, "id"));
		put(t, c++, id);
	}
	size_t n = node_doc_len(r);
	const char *m = n ? node_doc_get_str(node_doc_at(r, 0), "month") : NULL;
	size_t l = 0;
	if (m)
		l = (size_t)snprintf(t->foot, sizeof(t->foot),
				     TM(MSG_WL_DUE_IN_MONTH), m);
	l += (size_t)snprintf(t->foot + l, sizeof(t->foot) - l,
			      TM(MSG_WL_N_PATIENTS), n);
	if (marked)
		snprintf(t->foot + l, sizeof(t->foot) - l, "%s",
			 TM(MSG_WL_NOTE_COUNTED_FROM_ATTEMPT));
}

/* The field that dates a list of the type (as the node sorts it). */
static const char *list_date_field(const char *type)
{
	static const char *const m[][2] = {
	    {"followup", "date"},
	    {"assessment", "date"},
	    {"hospitalization", "admitted"},
	    {"incident", "date"},
	    {"search", "declared_on"},
	    {"agreement", "signed_on"},
	    {"free_med", "from"},
	    {"transfer", "out_on"},
	    {"transfer_accept", "accepted_on"},
	    {"exam", "date"},
	    {"meeting", "date"},
	};
	for (size_t i = 0; type && i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(m[i][0], type))
			return m[i][1];
	return NULL;
}

static void build_list(struct table *t, const struct node_doc *r)
{
	const struct node_doc *first =
	    node_doc_len(r) ? node_doc_at(r, 0) : NULL;
	const char *type = first ? node_doc_get_str(first, "type") : NULL;
	const char *df = list_date_field(type);
	/* Rows about a patient carry its patient_no, name and phone. */
	bool people = first && node_doc_get(first, "patient_no");
	bool is_patient = type && !strcmp(type, "patient");
	if (df)
		col(t, TM(MSG_WL_H_DATE), false, false);
	if (people) {
		person_cols(t);
	} else {
		col(t, TM(MSG_WL_H_TYPE), false, false);
		col(t, TM(MSG_WL_H_SCOPE), false, false);
	}
	col(t, TM(MSG_WL_H_FIELDS), false, true);
	col(t, TM(MSG_WL_H_ID), false, false);
	static const char *const skip_patient[] = {"name", "patient_no",
						   "phone", NULL};
	static const char *const skip_about[] = {"patient", NULL};
	char *line = crdt_xmalloc(8192);
	for (size_t i = 0; i < node_doc_len(r); i++) {
		const struct node_doc *x = node_doc_at(r, i);
		size_t c = 0;
		row(t);
		if (df) {
			const char *d = node_doc_get_str(
			    node_doc_get(node_doc_get(x, "fields"), df),
			    "value");
			put(t, c++, d ? d : "");
		}
		if (people) {
			put(t, c++, str(x, "patient_no"));
			put(t, c++, str(x, "name"));
			put(t, c++, str(x, "scope"));
			put(t, c++, str(x, "phone"));
		} else {
			put(t, c++, str(x, "type"));
			put(t, c++, str(x, "scope"));
		}
		const char *const *skip = is_patient ? skip_patient
					  : people   ? skip_about
						     : NULL;
		if (df) {
			/* (the date has its column) */
			static const char *with_date[8];
			size_t k = 0;
			for (; skip && skip[k] && k < 6; k++)
				with_date[k] = skip[k];
			with_date[k++] = df;
			with_date[k] = NULL;
			skip = with_date;
		}
		cli_fields_text(x, skip, line, 8192);
		put(t, c++, line);
		char id[9];
		short_id(id, str(x, "id"));
		put(t, c++, id);
	}
	free(line);
	snprintf(t->foot, sizeof(t->foot), TM(MSG_WL_N_RECORDS),
		 node_doc_len(r));
}

/* What happened, by event code. */
static const char *event_label(const char *e)
{
	static const char *const m[][3] = {
	    {"registered", MSG_WL_EV_REGISTERED_EN, MSG_WL_EV_REGISTERED_ZH},
	    {"transferred_from", MSG_WL_EV_TRANSFERRED_FROM_EN,
	     MSG_WL_EV_TRANSFERRED_FROM_ZH},
	    {"exited", MSG_WL_EV_EXITED_EN, MSG_WL_EV_EXITED_ZH},
	    {"followup", MSG_WL_EV_FOLLOWUP_EN, MSG_WL_EV_FOLLOWUP_ZH},
	    {"assessment", MSG_WL_EV_ASSESSMENT_EN, MSG_WL_EV_ASSESSMENT_ZH},
	    {"admitted", MSG_WL_EV_ADMITTED_EN, MSG_WL_EV_ADMITTED_ZH},
	    {"discharged", MSG_WL_EV_DISCHARGED_EN, MSG_WL_EV_DISCHARGED_ZH},
	    {"incident", MSG_WL_EV_INCIDENT_EN, MSG_WL_EV_INCIDENT_ZH},
	    {"search", MSG_WL_EV_SEARCH_EN, MSG_WL_EV_SEARCH_ZH},
	    {"search_found", MSG_WL_EV_SEARCH_FOUND_EN,
	     MSG_WL_EV_SEARCH_FOUND_ZH},
	    {"agreement", MSG_WL_EV_AGREEMENT_EN, MSG_WL_EV_AGREEMENT_ZH},
	    {"free_med", MSG_WL_EV_FREE_MED_EN, MSG_WL_EV_FREE_MED_ZH},
	    {"free_med_end", MSG_WL_EV_FREE_MED_END_EN,
	     MSG_WL_EV_FREE_MED_END_ZH},
	    {"care_group", MSG_WL_EV_CARE_GROUP_EN, MSG_WL_EV_CARE_GROUP_ZH},
	    {"transfer_out", MSG_WL_EV_TRANSFER_OUT_EN,
	     MSG_WL_EV_TRANSFER_OUT_ZH},
	    {"transfer_accepted", MSG_WL_EV_TRANSFER_ACCEPTED_EN,
	     MSG_WL_EV_TRANSFER_ACCEPTED_ZH},
	    {"transferred_to", MSG_WL_EV_TRANSFERRED_TO_EN,
	     MSG_WL_EV_TRANSFERRED_TO_ZH},
	    {"exam", MSG_WL_EV_EXAM_EN, MSG_WL_EV_EXAM_ZH},
	};
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		if (!strcmp(m[i][0], e))
			return cli_zh() ? m[i][2] : m[i][1];
	return e;
}

static void build_timeline(struct table *t, const struct node_doc *r)
{
	col(t, TM(MSG_WL_H_DATE), false, false);
	col(t, TM(MSG_WL_H_EVENT), false, false);
	col(t, TM(MSG_WL_H_DETAILS), false, true);
	col(t, TM(MSG_WL_H_WRITTEN_BY), false, true);
	col(t, TM(MSG_WL_H_ID), false, false);
	bool undated = false;
	for (size_t i = 0; i < node_doc_len(r); i++) {
		const struct node_doc *x = node_doc_at(r, i);
		const char *type = str(x, "type");
		char date[16], details[1024] = "", by[256], id[9];
		bool u = node_doc_get_bool(x, "undated", false);
		undated |= u;
		snprintf(date, sizeof(date), "%s%s", str(x, "date"),
			 u ? "*" : "");
		const struct node_doc *s = node_doc_get(x, "summary");
		for (size_t k = 0; s && k < node_doc_len(s); k++) {
			const char *f = node_doc_key_at(s, k);
			const char *v =
			    node_doc_as_str(node_doc_at(s, k), NULL);
			size_t l = strlen(details);
			snprintf(details + l, sizeof(details) - l, "%s%s=%s",
				 l ? " " : "", cli_field_label(type, f),
				 cli_code_label(type, f, v));
		}
		if (!strcmp(str(x, "event"), "transferred_to") ||
		    !strcmp(str(x, "event"), "transfer_accepted")) {
			size_t l = strlen(details);
			snprintf(details + l, sizeof(details) - l, "%s%s %s",
				 l ? " " : "", TM(MSG_WL_SCOPE_WORD),
				 str(x, "scope"));
		}
		const char *role = cli_role_label(str(x, "by_role"));
		snprintf(by, sizeof(by), "%s%s%s%s", str(x, "by_name"),
			 *role ? " (" : "", role, *role ? ")" : "");
		short_id(id, str(x, "id"));
		row(t);
		put(t, 0, date);
		put(t, 1, event_label(str(x, "event")));
		put(t, 2, details);
		put(t, 3, by);
		put(t, 4, id);
	}
	int l = snprintf(t->foot, sizeof(t->foot), TM(MSG_WL_N_EVENTS),
			 node_doc_len(r));
	if (undated && l > 0)
		snprintf(t->foot + l, sizeof(t->foot) - (size_t)l, "%s",
			 TM(MSG_WL_NOTE_UNDATED));
}

static bool build(const char *cmd, const struct node_doc *r, struct table *t)
{
	memset(t, 0, sizeof(*t));
	if (!strcmp(cmd, "due") || !strcmp(cmd, "joint_missing"))
		build_due(t, r, cmd[0] == 'j');
	else if (!strcmp(cmd, "list"))
		build_list(t, r);
	else if (!strcmp(cmd, "timeline"))
		build_timeline(t, r);
	else
		return false;
	return true;
}

/* ---- on a terminal ---- */

/* The terminal's width when stdout is one, else 0 (no limit). */
static size_t term_width(void)
{
	if (!isatty(1))
		return 0;
	struct winsize ws;
	if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *c = getenv("COLUMNS");
	return c && atoi(c) > 0 ? (size_t)atoi(c) : 80;
}

static void print_table(const struct table *t)
{
	size_t w[MAX_COLS], total = 0, shown = t->ncol;
	for (size_t c = 0; c < t->ncol; c++) {
		w[c] = cli_width(t->head[c], strlen(t->head[c]));
		for (size_t r = 0; r < t->nrow; r++) {
			size_t x = cli_width(at(t, r, c), strlen(at(t, r, c)));
			if (x > w[c])
				w[c] = x;
		}
		total += w[c] + (c ? 2 : 0);
	}
	/* Fit a terminal: the widest elastic column (text) gives way first,
	 * down to 8 columns; then whole columns from the right are left out
	 * (dates and numbers are never cut), and a line says so. */
	size_t limit = term_width();
	while (limit && total > limit) {
		size_t best = MAX_COLS;
		for (size_t c = 0; c < t->ncol; c++)
			if (t->elastic[c] && w[c] > 8 &&
			    (best == MAX_COLS || w[c] > w[best]))
				best = c;
		if (best == MAX_COLS)
			break;
		w[best]--;
		total--;
	}
	while (limit && total > limit && shown > 2)
		total -= w[--shown] + 2;
	for (size_t c = 0; c < shown; c++) {
		if (c)
			fputs("  ", stdout);
		cli_cell(t->head[c], w[c], t->right[c], c + 1 == shown);
	}
	putchar('\n');
	for (size_t r = 0; r < t->nrow; r++) {
		for (size_t c = 0; c < shown; c++) {
			if (c)
				fputs("  ", stdout);
			cli_cell(at(t, r, c), w[c], t->right[c], c + 1 == shown);
		}
		putchar('\n');
	}
	if (*t->foot)
		printf("%s\n", t->foot);
	if (shown < t->ncol)
		printf(MSGZ(cli_zh(), MSG_COLUMNS_DO_NOT_FIT_TERMINAL),
		       t->ncol - shown, t->head[shown]);
}

bool cli_worklist_print(const char *cmd, const struct node_doc *r)
{
	struct table t;
	if (!build(cmd, r, &t))
		return false;
	print_table(&t);
	table_free(&t);
	return true;
}

void cli_print_timeline(const struct node_doc *timeline)
{
	if (!timeline)
		return;
	struct table t;
	build("timeline", timeline, &t);
	print_table(&t);
	table_free(&t);
}

/* ---- CSV ---- */

bool cli_worklist_has_csv(const char *cmd)
{
	return !strcmp(cmd, "due") || !strcmp(cmd, "joint_missing") ||
	       !strcmp(cmd, "list") || !strcmp(cmd, "timeline");
}

static void csv_cell(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

int cli_worklist_csv(const char *cmd, const struct node_doc *r,
		     const char *path, bool bom)
{
	struct table t;
	if (!build(cmd, r, &t))
		return 2;
	/* 0600 even over an existing file: the rows name people. */
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 && fchmod(fd, 0600) == 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, MSGZ(cli_zh(), MSG_CANNOT_WRITE_FILE), path);
		table_free(&t);
		return 6;
	}
	if (bom)
		fputs("\xef\xbb\xbf", f);
	for (size_t c = 0; c < t.ncol; c++) {
		if (c)
			fputc(',', f);
		csv_cell(f, t.head[c]);
	}
	fputs("\r\n", f);
	for (size_t r0 = 0; r0 < t.nrow; r0++) {
		for (size_t c = 0; c < t.ncol; c++) {
			if (c)
				fputc(',', f);
			csv_cell(f, at(&t, r0, c));
		}
		fputs("\r\n", f);
	}
	bool bad = ferror(f) != 0;
	bad |= fclose(f) != 0;
	if (bad) {
		fprintf(stderr, MSGZ(cli_zh(), MSG_CANNOT_WRITE_FILE), path);
		table_free(&t);
		return 6;
	}
	printf(MSGZ(cli_zh(), MSG_WROTE_ROWS_TO), t.nrow, path);
	table_free(&t);
	return 0;
}
