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

static const char *tr(const char *en, const char *zh)
{
	return cli_zh() ? zh : en;
}

/* s in exactly w display columns: cut with "…", or padded. */
static void cell(const char *s, size_t w, bool right)
{
	if (!s)
		s = "-";
	size_t len = strlen(s), full = cli_width(s, len);
	if (full <= w) {
		if (right)
			printf("%*s", (int)(w - full), "");
		fputs(s, stdout);
		if (!right)
			printf("%*s", (int)(w - full), "");
		return;
	}
	size_t used = 0, i = 0;
	while (i < len) {
		size_t n = 1;
		while (i + n < len && ((unsigned char)s[i + n] & 0xc0) == 0x80)
			n++;
		size_t cw = cli_width(s + i, n);
		if (used + cw > w - 1)
			break;
		used += cw;
		i += n;
	}
	fwrite(s, 1, i, stdout);
	fputs("…", stdout);
	printf("%*s", (int)(w - 1 - used), "");
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
static const char *const row_keys[][3] = {
    {"management", "MANAGED", "管理率"},
    {"regular_management", "REGULAR", "规范管理率"},
    {"face_to_face", "FACE2FACE", "面访率"},
    {"regular_medication", "REG.MED", "规律服药率"},
};

static void print_rows(const struct node_doc *rows, bool months)
{
	printf("\n");
	cell(months ? tr("MONTH", "月份") : tr("AREA", "区划"), months ? 8 : 12,
	     false);
	printf(" ");
	if (!months) {
		cell(tr("NAME", "名称"), 12, false);
		printf(" ");
	}
	cell(tr("REG", "在册"), 5, true);
	for (size_t k = 0; k < 4; k++) {
		printf(" ");
		cell(tr(row_keys[k][1], row_keys[k][2]), 10, true);
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
				name = tr("(this level)", "（本级）");
			cell(name, 12, false);
			printf(" ");
		}
		cell(reg, 5, true);
		const struct node_doc *rates = node_doc_get(a, "rates");
		for (size_t k = 0; k < 4; k++) {
			char v[32];
			rate_text(v, sizeof(v), rates, row_keys[k][0]);
			printf(" ");
			cell(v, 10, true);
		}
		printf("\n");
	}
}

/* What each gap is called. */
static const char *const gaps[][3] = {
    {"management", "not managed", "未管理"},
    {"regular_management", "not regularly managed", "未规范管理"},
    {"face_to_face", "not seen face to face", "未面访"},
    {"medication", "not taking medication", "未服药"},
    {"regular_medication", "not regularly medicated", "未规律服药"},
    {"stability", "managed, not stable", "已管理但病情不稳定"},
    {"free_medication_share", "managed, no free medication",
     "已管理但未免费服药"},
    {"free_medication_consent", "free medication, no consent signed",
     "免费服药但未签知情同意"},
};

static void print_missing(const struct node_doc *m)
{
	const char *rate = node_doc_get_str(m, "rate");
	const char *label = rate;
	for (size_t i = 0; rate && i < sizeof(gaps) / sizeof(gaps[0]); i++)
		if (!strcmp(gaps[i][0], rate))
			label = tr(gaps[i][1], gaps[i][2]);
	const struct node_doc *ps = node_doc_get(m, "patients");
	size_t n = node_doc_len(ps);
	if (cli_zh())
		printf("\n%s：%zu 人\n", label, n);
	else
		printf("\n%s: %zu patients\n", label, n);
	if (!n)
		return;
	cell(tr("PATIENT NO", "档案号"), 14, false);
	printf(" ");
	cell(tr("NAME", "姓名"), 12, false);
	printf(" ");
	cell(tr("SCOPE", "辖区"), 12, false);
	printf(" ");
	cell(tr("PHONE", "电话"), 13, false);
	printf(" ");
	fputs(tr("ID", "编号"), stdout);
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
