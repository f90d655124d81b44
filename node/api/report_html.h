/*
 * report_html.h: `ward report --html FILE`, the report as one
 * self-contained page (issue 12): the rates against their targets, the
 * breakdown by area, the monthly trend and the patients behind each gap,
 * drawn as inline <svg> bar charts. The page loads nothing: no script,
 * no stylesheet, font or image from anywhere, no data: URI; it prints on
 * A4. Every text that comes from the records (names, numbers, scopes) is
 * escaped.
 *
 * Layer node/api.
 */
#ifndef WARD_NODE_REPORT_HTML_H
#define WARD_NODE_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "crdt/crdt.h"
#include "node/api/doc.h"

/* Appends s[0..len) to b with &, <, >, " and ' as character references,
 * and C0 controls other than tab and newline dropped. */
void node_html_escape(struct crdt_buf *b, const char *s, size_t len);

/* Appends the page for report r to b: r is what the local API's report
 * answers with --html (api_report.c): the kpi-v1 report, its "areas"
 * (by "by"), "months" and "gaps" ({rate key: [patient]}), and
 * "scope_name". made: when it was made, as shown (local time). zh: the
 * page's labels in Chinese. */
void node_report_html(struct crdt_buf *b, const struct node_doc *r, bool zh,
		      const char *made);

#endif
