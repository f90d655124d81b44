/*
 * report_tables.c: what `ward report` prints beyond the rates (issue 12):
 * the breakdown (--by village|township|month), the patients behind a
 * rate's gap (--missing RATE), and where the page went (--html FILE).
 * Chinese under a zh locale; cells measured in display columns.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/report_tables.h"
#include "cli/tables.h"
#include "node/catalog/catalog.h"

static void cell(const char *s, size_t w, bool right)
{
	cli_cell(s, w, right, false);
}

static void rate_text(char *out, size_t n, const struct node_doc *rates,
		      const char *key)
{
	const struct node_doc *v =
	    node_doc_get(node_doc_get(rates, key), "value");
	int64_t m;
	unsigned scale;
	if (!v || !node_doc_as_dec(v, &m, &scale) || scale != 2) {
		snprintf(out, n, "-");
		return;
	}
	snprintf(out, n, "%lld.%02lld%%", (long long)(m / 100),
		 (long long)(m % 100));
}

/* The rates a breakdown row shows. */
static const struct {
	const char *key;
	enum node_msg label;
} row_keys[] = {
    {"management", MSG_RT_MANAGED},
    {"regular_management", MSG_RT_REGULAR},
    {"face_to_face", MSG_RT_FACE2FACE},
    {"regular_medication", MSG_RT_REGMED},
};

static void print_rows(const struct node_doc *rows, bool months)
{
	printf("\n");
	cell(months ? TM(MSG_MONTH) : TM(MSG_AREA), months ? 8 : 12, false);
	printf(" ");
	if (!months) {
		cell(TM(MSG_NAME), 12, false);
		printf(" ");
	}
	cell(TM(MSG_REG), 5, true);
	for (size_t k = 0; k < 4; k++) {
		printf(" ");
		cell(node_catalog_text(cli_zh() ? NODE_LANG_ZH : NODE_LANG_EN,
				       row_keys[k].label),
		     10, true);
	}
	printf("\n");
	for (size_t i = 0; i < node_doc_len(rows); i++) {
		const struct node_doc *a = node_doc_at(rows, i);
		char reg[24];
		snprintf(reg, sizeof(reg), "%lld",
			 (long long)node_doc_get_int(a, "registered", 0));
		cell(node_doc_get_str(a, months ? "month" : "area"),
		     months ? 8 : 12, false);
		printf(" ");
		if (!months) {
			const char *name = node_doc_get_str(a, "name");
			if (node_doc_get_bool(a, "own", false))
				name = TM(MSG_LEVEL);
			cell(name, 12, false);
			printf(" ");
		}
		cell(reg, 5, true);
		const struct node_doc *rates = node_doc_get(a, "rates");
		for (size_t k = 0; k < 4; k++) {
			char v[32];
			rate_text(v, sizeof(v), rates, row_keys[k].key);
			printf(" ");
			cell(v, 10, true);
		}
		printf("\n");
	}
}

/* What each gap is called. */
static const struct {
	const char *key;
	enum node_msg label;
} gaps[] = {
    {"management", MSG_GAP_MANAGEMENT},
    {"regular_management", MSG_GAP_REGULAR_MANAGEMENT},
    {"face_to_face", MSG_GAP_FACE_TO_FACE},
    {"medication", MSG_GAP_MEDICATION},
    {"regular_medication", MSG_GAP_REGULAR_MEDICATION},
    {"stability", MSG_GAP_STABILITY},
    {"free_medication_share", MSG_GAP_FREE_MED_SHARE},
    {"free_medication_consent", MSG_GAP_FREE_MED_CONSENT},
};

static void print_missing(const struct node_doc *m)
{
	const char *rate = node_doc_get_str(m, "rate");
	const char *label = rate;
	for (size_t i = 0; rate && i < sizeof(gaps) / sizeof(gaps[0]); i++)
		if (!strcmp(gaps[i].key, rate))
			label = node_catalog_text(cli_zh() ? NODE_LANG_ZH
							   : NODE_LANG_EN,
						  gaps[i].label);
	const struct node_doc *ps = node_doc_get(m, "patients");
	size_t n = node_doc_len(ps);
	printf(TM(MSG_T_MISSING_HEAD), label, n);
	if (!n)
		return;
	cell(TM(MSG_PATIENT_NO), 14, false);
	printf(" ");
	cell(TM(MSG_NAME_2), 12, false);
	printf(" ");
	cell(TM(MSG_SCOPE), 12, false);
	printf(" ");
	cell(TM(MSG_PHONE), 13, false);
	printf(" ");
	fputs(TM(MSG_ID), stdout);
	printf("\n");
	for (size_t i = 0; i < n; i++) {
		const struct node_doc *p = node_doc_at(ps, i);
		const char *id = node_doc_get_str(p, "id");
		const char *dash = id ? strrchr(id, '-') : NULL;
		char sid[16];
		snprintf(sid, sizeof(sid), "%.12s", dash ? dash + 1 : "-");
		cell(node_doc_get_str(p, "patient_no"), 14, false);
		printf(" ");
		cell(node_doc_get_str(p, "name"), 12, false);
		printf(" ");
		cell(node_doc_get_str(p, "scope"), 12, false);
		printf(" ");
		cell(node_doc_get_str(p, "phone"), 13, false);
		printf(" ");
		fputs(sid, stdout);
		printf("\n");
	}
}

void cli_print_report_parts(const struct node_doc *r)
{
	const char *by = node_doc_get_str(r, "by");
	const struct node_doc *areas = node_doc_get(r, "areas");
	if (by && !strcmp(by, "month"))
		print_rows(node_doc_get(r, "months"), true);
	else if (areas)
		print_rows(areas, false);
	const struct node_doc *m = node_doc_get(r, "missing");
	if (m)
		print_missing(m);
	const char *html = node_doc_get_str(r, "html");
	if (html)
		printf(MSGZ(cli_zh(), MSG_REPORT_PAGE_WRITTEN), html, html);
}
