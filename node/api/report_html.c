/*
 * report_html.c: the report as one self-contained HTML page
 * (report_html.h). Charts are inline SVG drawn here: bars of each rate
 * against its target, a small bar per area and rate, and grouped bars per
 * month. Numbers come from the report document only (api_report.c builds
 * it from query.c's one judgement), never computed again here; this file
 * only draws them. Record text (names, patient numbers, phones, region
 * names) goes through node_html_escape.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "node/api/report_html.h"
#include "node/records/report.h"

#define L(zh, en, z) ((zh) ? (z) : (en))

static void put(struct crdt_buf *b, const char *s)
{
	crdt_buf_append(b, s, strlen(s));
}

/* Formatted text of our own (numbers, our labels): never record text. */
__attribute__((format(printf, 2, 3))) static void putf(struct crdt_buf *b,
						       const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		crdt_buf_append(b, tmp,
				(size_t)n < sizeof(tmp) ? (size_t)n
							: sizeof(tmp) - 1);
}

void node_html_escape(struct crdt_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&':
			put(b, "&amp;");
			break;
		case '<':
			put(b, "&lt;");
			break;
		case '>':
			put(b, "&gt;");
			break;
		case '"':
			put(b, "&quot;");
			break;
		case '\'':
			put(b, "&#39;");
			break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n')
				break;
			crdt_buf_append(b, &s[i], 1);
		}
	}
}

static void esc(struct crdt_buf *b, const char *s)
{
	if (s)
		node_html_escape(b, s, strlen(s));
}

/* The text of a document value (str or int) escaped; "—" when absent. */
static void esc_val(struct crdt_buf *b, const struct node_doc *v)
{
	if (v && node_doc_kind(v) == NODE_DOC_STR) {
		size_t len;
		const char *s = node_doc_as_str(v, &len);
		node_html_escape(b, s, len);
	} else if (v && node_doc_kind(v) == NODE_DOC_INT) {
		putf(b, "%lld", (long long)node_doc_as_int(v));
	} else {
		put(b, "—");
	}
}

/* A decimal of scale 2 as hundredths; false when null or absent. */
static bool hundredths(const struct node_doc *v, int64_t *out)
{
	int64_t m;
	unsigned scale;
	if (!v || !node_doc_as_dec(v, &m, &scale) || scale != 2)
		return false;
	*out = m;
	return true;
}

static void dec_text(char *out, size_t n, int64_t h, const char *unit)
{
	int64_t a = h < 0 ? -h : h;
	snprintf(out, n, "%s%lld.%02lld%s", h < 0 ? "-" : "",
		 (long long)(a / 100), (long long)(a % 100), unit);
}

static const char *unit_of(const struct node_kpi_rate *k)
{
	return k->scale == 1000 ? "‰" : "%";
}

/* "ok" (meets its target), "low" (below it) or "plain" (no target). */
static const char *verdict(const struct node_kpi_rate *k, int64_t v)
{
	if (k->target < 0)
		return "plain";
	return v >= k->target ? "ok" : "low";
}

static const char style[] =
    "<style>\n"
    ":root{--ok:#2e7d32;--low:#c62828;--plain:#1565c0;--ink:#1a1a1a;"
    "--muted:#666;--rule:#ccc}\n"
    "*{box-sizing:border-box}\n"
    "body{font-family:\"Noto Sans CJK SC\",\"WenQuanYi Micro Hei\","
    "\"Microsoft YaHei\",\"PingFang SC\",sans-serif;color:var(--ink);"
    "margin:24px auto;max-width:760px;padding:0 12px;font-size:14px;"
    "line-height:1.45;-webkit-print-color-adjust:exact;"
    "print-color-adjust:exact}\n"
    "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px;"
    "border-bottom:2px solid var(--ink);padding-bottom:2px}"
    "h3{font-size:14px;margin:16px 0 4px}\n"
    ".meta{color:var(--muted);margin:0 0 6px}\n"
    "table{border-collapse:collapse;width:100%;font-size:12px}"
    "th,td{border-bottom:1px solid var(--rule);padding:3px 5px;"
    "text-align:left;vertical-align:middle}"
    "th{background:#f2f2f2}td.n,th.n{text-align:right;"
    "font-variant-numeric:tabular-nums}\n"
    "svg{display:block;max-width:100%;height:auto}"
    "svg.mini{display:inline-block;vertical-align:middle;margin-right:4px}"
    "td.rate{white-space:nowrap}\n"
    "svg text{font-family:inherit;fill:var(--ink)}"
    "svg .label{font-size:13px}svg .value{font-size:12px}"
    "svg .small{font-size:10px;fill:var(--muted)}\n"
    ".bar.ok{fill:var(--ok)}.bar.low{fill:var(--low)}"
    ".bar.plain{fill:var(--plain)}.track{fill:#eee}"
    ".target{stroke:var(--ink);stroke-width:2;stroke-dasharray:3 2}"
    ".grid{stroke:#ddd;stroke-width:1}\n"
    ".s0{fill:#1565c0}.s1{fill:#2e7d32}.s2{fill:#ef6c00}"
    ".t1{stroke:#2e7d32}.t2{stroke:#ef6c00}\n"
    ".legend span{display:inline-block;margin-right:14px}"
    ".sw{display:inline-block;width:11px;height:11px;margin-right:4px;"
    "vertical-align:-1px}.sw.ok{background:var(--ok)}"
    ".sw.low{background:var(--low)}.sw.plain{background:var(--plain)}"
    ".sw.tg{border-left:2px dashed var(--ink);width:2px}\n"
    ".none{color:var(--muted)}td.low{color:var(--low);font-weight:bold}\n"
    "footer{margin-top:28px;color:var(--muted);font-size:11px}\n"
    "@page{size:A4;margin:14mm 12mm}\n"
    "@media print{body{margin:0;max-width:none;padding:0;font-size:10pt}"
    "section{break-inside:avoid}section.gaps{break-inside:auto}"
    "h2,h3{break-after:avoid}tr{break-inside:avoid}"
    "thead{display:table-header-group}}\n"
    "</style>\n";

/* ---- the rates against their targets ---- */

static void rates_chart(struct crdt_buf *b, const struct node_doc *rates,
			bool zh)
{
	const int rowh = 28, top = 8;
	int h = top + NODE_KPI_N_RATES * rowh + 8;
	putf(b,
	     "<svg class=\"chart rates\" viewBox=\"0 0 720 %d\" width=\"720\" "
	     "height=\"%d\" role=\"img\" "
	     "aria-label=\"%s\">\n<title>%s</title>\n",
	     h, h, L(zh, "rates against targets", "各项指标与目标"),
	     L(zh, "rates against targets", "各项指标与目标"));
	const int x0 = 236, w = 330;
	for (int i = 0; i < NODE_KPI_N_RATES; i++) {
		const struct node_kpi_rate *k = &node_kpi_rates[i];
		const struct node_doc *x = node_doc_get(rates, k->key);
		int y = top + i * rowh;
		putf(b,
		     "<g class=\"row\"><text class=\"label\" x=\"%d\" y=\"%d\" "
		     "text-anchor=\"end\">%s%s</text>",
		     x0 - 8, y + 16, L(zh, k->en, k->zh),
		     k->scale == 1000 ? " (‰)" : "");
		putf(b,
		     "<rect class=\"track\" x=\"%d\" y=\"%d\" width=\"%d\" "
		     "height=\"18\"/>",
		     x0, y + 3, w);
		int64_t v = 0, t = k->target;
		bool known = hundredths(node_doc_get(x, "value"), &v);
		/* Percentages on 0..100; per mille on twice the target (or
		 * more, to hold the value). */
		int64_t max = 10000;
		if (k->scale == 1000) {
			max = t > 0 ? 2 * t : 100;
			if (known && v * 5 / 4 > max)
				max = v * 5 / 4;
		}
		char vt[40], tt[48];
		if (known) {
			int64_t bw = v > max ? w : v * w / max;
			dec_text(vt, sizeof(vt), v, unit_of(k));
			putf(b,
			     "<rect class=\"bar %s\" data-key=\"%s\" "
			     "data-value=\"%lld.%02lld\" x=\"%d\" y=\"%d\" "
			     "width=\"%lld\" height=\"18\"/>",
			     verdict(k, v), k->key, (long long)(v / 100),
			     (long long)(v % 100), x0, y + 3, (long long)bw);
		} else {
			snprintf(vt, sizeof(vt), "—");
		}
		if (t >= 0) {
			int64_t tx = x0 + (t > max ? w : t * w / max);
			putf(b,
			     "<line class=\"target\" data-key=\"%s\" "
			     "x1=\"%lld\" "
			     "x2=\"%lld\" y1=\"%d\" y2=\"%d\"/>",
			     k->key, (long long)tx, (long long)tx, y, y + 24);
			dec_text(tt, sizeof(tt), t, unit_of(k));
		} else {
			tt[0] = 0;
		}
		putf(
		    b,
		    "<text class=\"value\" x=\"%d\" y=\"%d\">%s</text>"
		    "<text class=\"small\" x=\"%d\" y=\"%d\">%s%s</text></g>\n",
		    x0 + w + 8, y + 16, vt, x0 + w + 70, y + 16,
		    *tt ? L(zh, "target ", "目标 ") : "", tt);
	}
	put(b, "</svg>\n");
}

static void rates_table(struct crdt_buf *b, const struct node_doc *rates,
			bool zh)
{
	putf(b,
	     "<table class=\"rates\"><thead><tr><th>%s</th><th class=\"n\">%s"
	     "</th><th class=\"n\">%s</th><th class=\"n\">%s</th>"
	     "<th class=\"n\">%s</th></tr></thead><tbody>\n",
	     L(zh, "rate", "指标"), L(zh, "numerator", "分子"),
	     L(zh, "denominator", "分母"), L(zh, "value", "数值"),
	     L(zh, "target", "目标"));
	for (int i = 0; i < NODE_KPI_N_RATES; i++) {
		const struct node_kpi_rate *k = &node_kpi_rates[i];
		const struct node_doc *x = node_doc_get(rates, k->key);
		int64_t v;
		char vt[40] = "—", tt[40] = "—";
		bool known = hundredths(node_doc_get(x, "value"), &v);
		if (known)
			dec_text(vt, sizeof(vt), v, unit_of(k));
		if (k->target >= 0)
			dec_text(tt, sizeof(tt), k->target, unit_of(k));
		putf(b, "<tr><td>%s</td><td class=\"n\">", L(zh, k->en, k->zh));
		esc_val(b, node_doc_get(x, "numerator"));
		put(b, "</td><td class=\"n\">");
		esc_val(b, node_doc_get(x, "denominator"));
		putf(b,
		     "</td><td class=\"n%s\">%s</td><td class=\"n\">%s</td>"
		     "</tr>\n",
		     known && !strcmp(verdict(k, v), "low") ? " low" : "", vt,
		     tt);
	}
	put(b, "</tbody></table>\n");
}

/* ---- by area ---- */

/* The rates an area row and a month show. */
static const char *const area_keys[] = {"management", "regular_management",
					"face_to_face", "regular_medication"};
#define N_AREA_KEYS 4

static void mini_bar(struct crdt_buf *b, const struct node_kpi_rate *k,
		     const struct node_doc *x, const char *area)
{
	int64_t v;
	bool known = hundredths(node_doc_get(x, "value"), &v);
	put(b, "<svg class=\"mini\" viewBox=\"0 0 60 12\" width=\"60\" "
	       "height=\"12\" aria-hidden=\"true\"><rect class=\"track\" "
	       "x=\"0\" y=\"1\" width=\"60\" height=\"10\"/>");
	if (known) {
		putf(b, "<rect class=\"bar %s\" data-key=\"%s\" data-area=\"",
		     verdict(k, v), k->key);
		esc(b, area);
		putf(b,
		     "\" data-value=\"%lld.%02lld\" x=\"0\" y=\"1\" "
		     "width=\"%lld\" height=\"10\"/>",
		     (long long)(v / 100), (long long)(v % 100),
		     (long long)((v > 10000 ? 10000 : v) * 60 / 10000));
	}
	if (k->target >= 0)
		putf(b,
		     "<line class=\"target\" x1=\"%lld\" x2=\"%lld\" y1=\"0\" "
		     "y2=\"12\"/>",
		     (long long)(k->target * 60 / 10000),
		     (long long)(k->target * 60 / 10000));
	put(b, "</svg>");
	char vt[40] = "—";
	if (known)
		dec_text(vt, sizeof(vt), v, "%");
	put(b, vt);
}

static void areas_section(struct crdt_buf *b, const struct node_doc *r, bool zh)
{
	const struct node_doc *areas = node_doc_get(r, "areas");
	const char *by = node_doc_get_str(r, "by");
	if (!areas || !by || !strcmp(by, "month"))
		return;
	bool village = !strcmp(by, "village");
	putf(b, "<section class=\"areas\"><h2>%s</h2>\n",
	     village ? L(zh, "By village", "按村（居）")
		     : L(zh, "By township", "按乡镇（街道）"));
	if (!node_doc_len(areas)) {
		putf(b, "<p class=\"none\">%s</p></section>\n",
		     L(zh, "No patient on the register in this period.",
		       "本期无在册患者。"));
		return;
	}
	putf(b,
	     "<table class=\"areas\"><thead><tr><th>%s</th><th>%s</th>"
	     "<th class=\"n\">%s</th>",
	     L(zh, "area", "区划代码"), L(zh, "name", "名称"),
	     L(zh, "registered", "在册"));
	for (int i = 0; i < N_AREA_KEYS; i++) {
		const struct node_kpi_rate *k =
		    node_kpi_rate_find(area_keys[i]);
		putf(b, "<th>%s</th>", L(zh, k->en, k->zh));
	}
	put(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < node_doc_len(areas); i++) {
		const struct node_doc *a = node_doc_at(areas, i);
		const char *code = node_doc_get_str(a, "area");
		put(b, "<tr class=\"area\" data-area=\"");
		esc(b, code);
		put(b, "\"><td>");
		esc(b, code);
		put(b, "</td><td>");
		if (node_doc_get_bool(a, "own", false))
			put(b, L(zh, "(registered at this level)",
				 "（本级直接登记）"));
		else
			esc_val(b, node_doc_get(a, "name"));
		put(b, "</td><td class=\"n\">");
		esc_val(b, node_doc_get(a, "registered"));
		put(b, "</td>");
		const struct node_doc *rates = node_doc_get(a, "rates");
		for (int k = 0; k < N_AREA_KEYS; k++) {
			const struct node_kpi_rate *kr =
			    node_kpi_rate_find(area_keys[k]);
			put(b, "<td class=\"rate\">");
			mini_bar(b, kr, node_doc_get(rates, kr->key), code);
			put(b, "</td>");
		}
		put(b, "</tr>\n");
	}
	put(b, "</tbody></table></section>\n");
}

/* ---- by month ---- */

static const char *const month_keys[] = {"management", "face_to_face",
					 "regular_medication"};
#define N_MONTH_KEYS 3

static void months_section(struct crdt_buf *b, const struct node_doc *r,
			   bool zh)
{
	const struct node_doc *months = node_doc_get(r, "months");
	size_t nm = months ? node_doc_len(months) : 0;
	if (!nm)
		return;
	putf(b, "<section class=\"months\"><h2>%s</h2>\n",
	     L(zh, "Month by month", "逐月趋势"));
	const int W = 720, H = 262, px0 = 44, px1 = 712, py0 = 34, py1 = 214;
	putf(b,
	     "<svg class=\"chart months\" viewBox=\"0 0 %d %d\" width=\"%d\" "
	     "height=\"%d\" role=\"img\" "
	     "aria-label=\"%s\">\n<title>%s</title>\n",
	     W, H, W, H, L(zh, "rates month by month", "各月指标"),
	     L(zh, "rates month by month", "各月指标"));
	/* Legend. */
	for (int s = 0; s < N_MONTH_KEYS; s++) {
		const struct node_kpi_rate *k =
		    node_kpi_rate_find(month_keys[s]);
		int x = px0 + s * 200;
		putf(b,
		     "<rect class=\"s%d\" x=\"%d\" y=\"6\" width=\"11\" "
		     "height=\"11\"/><text class=\"value\" x=\"%d\" y=\"16\">"
		     "%s</text>\n",
		     s, x, x + 16, L(zh, k->en, k->zh));
	}
	/* Grid: 0, 25, 50, 75, 100 %. */
	for (int g = 0; g <= 4; g++) {
		int y = py1 - (py1 - py0) * g / 4;
		putf(b,
		     "<line class=\"grid\" x1=\"%d\" x2=\"%d\" y1=\"%d\" "
		     "y2=\"%d\"/><text class=\"small\" x=\"%d\" y=\"%d\" "
		     "text-anchor=\"end\">%d%%</text>\n",
		     px0, px1, y, y, px0 - 4, y + 4, g * 25);
	}
	double gw = (double)(px1 - px0) / (double)nm;
	double bw = gw * 0.8 / N_MONTH_KEYS;
	size_t step = nm <= 12 ? 1 : (nm + 11) / 12;
	for (size_t i = 0; i < nm; i++) {
		const struct node_doc *m = node_doc_at(months, i);
		const char *month = node_doc_get_str(m, "month");
		const struct node_doc *rates = node_doc_get(m, "rates");
		double gx = px0 + gw * (double)i + gw * 0.1;
		for (int s = 0; s < N_MONTH_KEYS; s++) {
			int64_t v;
			if (!hundredths(
				node_doc_get(node_doc_get(rates, month_keys[s]),
					     "value"),
				&v))
				continue;
			if (v > 10000)
				v = 10000;
			double bh = (double)(py1 - py0) * (double)v / 10000.0;
			putf(b,
			     "<rect class=\"bar s%d\" data-month=\"%s\" "
			     "data-key=\"%s\" data-value=\"%lld.%02lld\" "
			     "x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			     "height=\"%.1f\"/>\n",
			     s, month ? month : "", month_keys[s],
			     (long long)(v / 100), (long long)(v % 100),
			     gx + bw * s, (double)py1 - bh, bw, bh);
		}
		if (i % step == 0 && month)
			putf(b,
			     "<text class=\"small\" x=\"%.1f\" y=\"%d\" "
			     "text-anchor=\"middle\">%s</text>\n",
			     px0 + gw * ((double)i + 0.5), py1 + 16,
			     nm <= 12 ? month + 5 : month);
	}
	/* Targets of the series that have one. */
	for (int s = 0; s < N_MONTH_KEYS; s++) {
		const struct node_kpi_rate *k =
		    node_kpi_rate_find(month_keys[s]);
		if (k->target < 0)
			continue;
		double y =
		    py1 - (double)(py1 - py0) * (double)k->target / 10000.0;
		putf(b,
		     "<line class=\"target t%d\" data-key=\"%s\" x1=\"%d\" "
		     "x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>\n",
		     s, k->key, px0, px1, y, y);
	}
	const char *first = node_doc_get_str(node_doc_at(months, 0), "month");
	const char *last =
	    node_doc_get_str(node_doc_at(months, nm - 1), "month");
	putf(b,
	     "<text class=\"small\" x=\"%d\" y=\"%d\" text-anchor=\"end\">"
	     "%s %s – %s</text>\n</svg>\n",
	     px1, H - 6, L(zh, "months", "月份"), first ? first : "",
	     last ? last : "");
	putf(b, "<p class=\"meta\">%s</p>\n",
	     L(zh,
	       "Each month counts the follow-ups of that month alone: no "
	       "quarter lies within a month, so a month's regular management "
	       "equals its management. Dashed lines: targets.",
	       "每月只计当月的随访；一个月内没有完整的季度，所以当月规范管理率"
	       "等于"
	       "管理率。虚线为目标值。"));
	putf(b,
	     "<table class=\"months\"><thead><tr><th>%s</th><th class=\"n\">"
	     "%s</th>",
	     L(zh, "month", "月份"), L(zh, "registered", "在册"));
	for (int s = 0; s < N_MONTH_KEYS; s++) {
		const struct node_kpi_rate *k =
		    node_kpi_rate_find(month_keys[s]);
		putf(b, "<th class=\"n\">%s</th>", L(zh, k->en, k->zh));
	}
	put(b, "</tr></thead><tbody>\n");
	for (size_t i = 0; i < nm; i++) {
		const struct node_doc *m = node_doc_at(months, i);
		put(b, "<tr><td>");
		esc(b, node_doc_get_str(m, "month"));
		put(b, "</td><td class=\"n\">");
		esc_val(b, node_doc_get(m, "registered"));
		put(b, "</td>");
		const struct node_doc *rates = node_doc_get(m, "rates");
		for (int s = 0; s < N_MONTH_KEYS; s++) {
			int64_t v;
			char vt[40] = "—";
			if (hundredths(
				node_doc_get(node_doc_get(rates, month_keys[s]),
					     "value"),
				&v))
				dec_text(vt, sizeof(vt), v, "%");
			putf(b, "<td class=\"n\">%s</td>", vt);
		}
		put(b, "</tr>\n");
	}
	put(b, "</tbody></table></section>\n");
}

/* ---- the patients behind each gap ---- */

static void gaps_section(struct crdt_buf *b, const struct node_doc *r, bool zh)
{
	const struct node_doc *gaps = node_doc_get(r, "gaps");
	if (!gaps || !node_doc_len(gaps))
		return;
	putf(b, "<section class=\"gaps\"><h2>%s</h2>\n",
	     L(zh, "Who is behind each gap", "未达标名单"));
	for (size_t g = 0; g < node_doc_len(gaps); g++) {
		const struct node_kpi_rate *k =
		    node_kpi_rate_find(node_doc_key_at(gaps, g));
		const struct node_doc *list = node_doc_at(gaps, g);
		if (!k || !k->gap_en)
			continue;
		size_t n = node_doc_len(list);
		putf(b, "<h3 class=\"gap\" data-key=\"%s\" data-count=\"%zu\">",
		     k->key, n);
		putf(b, L(zh, "%s (%s): %zu", "%s（%s）：%zu 人"),
		     L(zh, k->gap_en, k->gap_zh), L(zh, k->en, k->zh), n);
		put(b, "</h3>\n");
		if (!n) {
			putf(b, "<p class=\"none\">%s</p>\n",
			     L(zh, "Nobody.", "无。"));
			continue;
		}
		putf(b,
		     "<table class=\"gap\" "
		     "data-key=\"%s\"><thead><tr><th>%s</th>"
		     "<th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead>"
		     "<tbody>\n",
		     k->key, L(zh, "patient no.", "档案号"),
		     L(zh, "name", "姓名"), L(zh, "scope", "辖区"),
		     L(zh, "phone", "电话"), L(zh, "record", "记录"));
		for (size_t i = 0; i < n; i++) {
			const struct node_doc *p = node_doc_at(list, i);
			put(b, "<tr><td>");
			esc_val(b, node_doc_get(p, "patient_no"));
			put(b, "</td><td>");
			esc_val(b, node_doc_get(p, "name"));
			put(b, "</td><td>");
			esc_val(b, node_doc_get(p, "scope"));
			put(b, "</td><td>");
			esc_val(b, node_doc_get(p, "phone"));
			put(b, "</td><td>");
			/* patient-<32 hex>: the first 14 characters of the
			 * hex are a prefix `ward show` takes. */
			const char *id = node_doc_get_str(p, "id");
			const char *dash = id ? strchr(id, '-') : NULL;
			if (dash)
				node_html_escape(b, dash + 1,
						 strnlen(dash + 1, 12));
			put(b, "</td></tr>\n");
		}
		put(b, "</tbody></table>\n");
	}
	put(b, "</section>\n");
}

/* ---- the page ---- */

void node_report_html(struct crdt_buf *b, const struct node_doc *r, bool zh,
		      const char *made)
{
	const char *scope = node_doc_get_str(r, "scope");
	const char *scope_name = node_doc_get_str(r, "scope_name");
	putf(b,
	     "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta "
	     "charset=\"utf-8\">\n<meta name=\"viewport\" "
	     "content=\"width=device-width, initial-scale=1\">\n<title>",
	     zh ? "zh-CN" : "en");
	put(b, L(zh, "Severe mental disorder management report",
		 "严重精神障碍患者管理工作报表"));
	put(b, " ");
	esc(b, scope ? scope : L(zh, "all", "全部"));
	put(b, "</title>\n");
	put(b, style);
	put(b, "</head>\n<body>\n<header>\n<h1>");
	put(b, L(zh, "Severe mental disorder management report",
		 "严重精神障碍患者管理工作报表"));
	put(b, "</h1>\n<p class=\"meta\">");
	put(b, L(zh, "Scope ", "辖区 "));
	esc(b, scope ? scope : L(zh, "all", "全部"));
	if (scope_name) {
		put(b, " ");
		esc(b, scope_name);
	}
	put(b, L(zh, " · period ", " · 统计期 "));
	esc(b, node_doc_get_str(r, "from"));
	put(b, L(zh, " to ", " 至 "));
	esc(b, node_doc_get_str(r, "to"));
	put(b, L(zh, " · population ", " · 常住人口 "));
	esc_val(b, node_doc_get(r, "population"));
	put(b, L(zh, " · definition ", " · 口径 "));
	esc(b, node_doc_get_str(r, "definition"));
	put(b, "</p>\n<p class=\"meta\">");
	put(b, L(zh, "Made ", "生成于 "));
	esc(b, made);
	put(b, L(zh,
		 " by ward. It holds names: keep it as you keep the "
		 "register.",
		 "，由 ward 生成。内含患者姓名，请按档案管理要求保管。"));
	put(b, "</p>\n</header>\n");

	const struct node_doc *rates = node_doc_get(r, "rates");
	putf(b, "<section class=\"rates\"><h2>%s</h2>\n",
	     L(zh, "Rates against targets", "指标与目标"));
	putf(
	    b,
	    "<p class=\"legend\"><span><i class=\"sw ok\"></i>%s</span>"
	    "<span><i class=\"sw low\"></i>%s</span><span><i class=\"sw "
	    "plain\"></i>%s</span><span><i class=\"sw tg\"></i>%s</span></p>\n",
	    L(zh, "meets its target", "达标"),
	    L(zh, "below its target", "未达标"), L(zh, "no target", "无目标"),
	    L(zh, "target", "目标值"));
	rates_chart(b, rates, zh);
	rates_table(b, rates, zh);
	put(b, "</section>\n");
	areas_section(b, r, zh);
	months_section(b, r, zh);
	gaps_section(b, r, zh);
	put(b, "<footer>");
	put(b, L(zh,
		 "Rates by ward's definition kpi-v1: a patient counts in the "
		 "area of their home scope; retracted records count for "
		 "nothing.",
		 "指标按 kpi-v1 "
		 "口径计算：患者按户籍所在辖区计入；已撤销的记录不计。"));
	put(b, "</footer>\n</body>\n</html>\n");
}
