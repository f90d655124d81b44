/*
 * api_report.c: the local API's `report` with the options of issue 12 —
 * "by" (village, township or month: a breakdown), "missing" (a rate key:
 * the patients behind its gap) and "html" (a path: the report as one
 * self-contained page, report_html.c). Without them it is node_api_report
 * (api_query.c) as before, whose answer every variant starts from. The
 * counts come from node/records/report.c, which sums query.c's one
 * judgement; nothing here computes a rate.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/access.h"
#include "node/api/api.h"
#include "node/api/node_int.h"
#include "node/api/report_html.h"
#include "node/records/report.h"


/* A patient of a list, with what the list shows of them. */
struct listed {
	uint8_t id[16];
	char scope[13];
	char name[256], patient_no[64], phone[64];
};

static int listed_cmp(const void *a, const void *b)
{
	const struct listed *x = a, *y = b;
	int c = strcmp(x->scope, y->scope);
	if (!c)
		c = strcmp(x->patient_no, y->patient_no);
	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : memcmp(x->id, y->id, 16);
}

/* The patients of p in rate's gap, sorted by scope, patient_no and name,
 * as documents; their ids are appended to *ids (for the access log). */
static struct node_doc *gap_list(struct node_ctx *n,
				 const struct node_kpi_rate *rate,
				 const struct node_report_patient *p, size_t np,
				 uint8_t (**ids)[16], size_t *n_ids)
{
	struct listed *v = crdt_xcalloc(np ? np : 1, sizeof(*v));
	size_t k = 0;
	for (size_t i = 0; i < np; i++) {
		if (!node_report_in_gap(rate, p[i].in))
			continue;
		struct listed *x = &v[k++];
		memcpy(x->id, p[i].id, 16);
		snprintf(x->scope, sizeof(x->scope), "%s", p[i].scope);
		/* Read as this node may read them (sealed fields, once
		 * sealed, come back empty and are shown as null). */
		node_api_shown_text(n, p[i].id, "name", x->name,
				    sizeof(x->name));
		node_api_shown_text(n, p[i].id, "patient_no", x->patient_no,
				    sizeof(x->patient_no));
		node_api_shown_text(n, p[i].id, "phone", x->phone,
				    sizeof(x->phone));
	}
	if (k > 1)
		qsort(v, k, sizeof(*v), listed_cmp);
	struct node_doc *arr = node_doc_array();
	*ids = crdt_xrealloc(*ids, (*n_ids + k + 1) * 16);
	for (size_t i = 0; i < k; i++) {
		char hex[33];
		node_hex(hex, v[i].id, 16);
		struct node_doc *o = node_doc_object();
		node_doc_set(o, "id", node_doc_strf("patient-%s", hex));
		node_doc_set(o, "name",
			     *v[i].name ? node_doc_str(v[i].name)
					: node_doc_null());
		node_doc_set(o, "patient_no",
			     *v[i].patient_no ? node_doc_str(v[i].patient_no)
					      : node_doc_null());
		node_doc_set(o, "scope", node_doc_str(v[i].scope));
		node_doc_set(o, "phone",
			     *v[i].phone ? node_doc_str(v[i].phone)
					 : node_doc_null());
		node_doc_push(arr, o);
		memcpy((*ids)[(*n_ids)++], v[i].id, 16);
	}
	free(v);
	return arr;
}

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* The keys --missing takes, for a message. */
static void gap_keys(char *out, size_t len)
{
	out[0] = 0;
	for (int i = 0; i < NODE_KPI_N_RATES; i++) {
		if (!node_kpi_rates[i].gap_en)
			continue;
		size_t l = strlen(out);
		snprintf(out + l, len - l, "%s%s", l ? ", " : "",
			 node_kpi_rates[i].key);
	}
}

/* Writes the page to path, 0600 (it holds names), synced. */
static int write_page(const char *path, const struct crdt_buf *b)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	/* An existing file keeps its mode through O_TRUNC: tighten it. */
	int rc = fchmod(fd, 0600) == 0 ? 0 : -errno;
	size_t off = 0;
	while (rc == 0 && off < b->len) {
		ssize_t w = write(fd, b->data + off, b->len - off);
		if (w < 0)
			rc = errno == EINTR ? 0 : -errno;
		else
			off += (size_t)w;
	}
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	if (close(fd) != 0 && rc == 0)
		rc = -errno;
	return rc;
}

static void local_time(char out[32])
{
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	if (!strftime(out, 32, "%Y-%m-%d %H:%M", &tm))
		snprintf(out, 32, "?");
}

int node_api_report_page(struct node_ctx *n, const struct node_doc *req,
			 struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	const char *by = node_doc_get_str(req, "by");
	const char *missing = node_doc_get_str(req, "missing");
	const char *html = node_doc_get_str(req, "html");
	struct node_doc *d = NULL;
	struct node_report_patient *p = NULL;
	uint8_t(*ids)[16] = NULL;
	size_t np = 0, n_ids = 0;
	struct crdt_buf page;
	crdt_buf_init(&page);
	if (by && *by && strcmp(by, "village") && strcmp(by, "township") &&
	    strcmp(by, "month"))
		FAIL(-EINVAL, MSG_REPORT_BY_VALUES, by);
	const struct node_kpi_rate *gap = NULL;
	if (missing) {
		gap = node_kpi_rate_find(missing);
		if (!gap || !gap->gap_en) {
			char keys[400];
			gap_keys(keys, sizeof(keys));
			FAIL(-EINVAL, MSG_REPORT_MISSING_KEYS, missing, keys);
		}
	}
	if (html && !*html)
		FAIL0(-EINVAL, MSG_REPORT_HTML_NEEDS_FILE);
	if ((rc = node_api_report(n, req, &d, why)) != 0)
		return rc;
	if ((!by || !*by) && !missing && !html) {
		*out = d;
		return 0;
	}
	char scope[13] = "", from[11], to[11];
	const char *s = node_doc_get_str(d, "scope");
	snprintf(scope, sizeof(scope), "%s", s ? s : "");
	snprintf(from, sizeof(from), "%s", node_doc_get_str(d, "from"));
	snprintf(to, sizeof(to), "%s", node_doc_get_str(d, "to"));
	size_t slen = strlen(scope);
	/* The level of the breakdown: asked, or for a page the level below
	 * the scope's (townships of a district, villages of a township). */
	const char *level = by && *by ? by : NULL;
	if (!level && html)
		level = slen < 9 ? "township" : slen < 12 ? "village" : NULL;
	if (level && strcmp(level, "month")) {
		size_t want = !strcmp(level, "village") ? 12 : 9;
		if (slen >= want)
			FAIL(-EINVAL, MSG_REPORT_BY_NEEDS_LARGER_SCOPE, level,
			     scope);
		struct node_report_area *a;
		size_t na;
		if (node_report_by_area(n->ledger, scope, from, to, want, &a,
					&na) != 0)
			FAIL0(-EINVAL, MSG_BAD_PERIOD);
		struct node_doc *arr = node_doc_array();
		for (size_t i = 0; i < na; i++) {
			struct node_doc *o =
			    node_query_report_doc(&a[i].r, a[i].area, from, to);
			char name[256];
			node_doc_set(o, "area", node_doc_str(a[i].area));
			node_doc_set(o, "own", node_doc_bool(a[i].own));
			node_doc_set(o, "name",
				     !a[i].own && node_report_area_name(
						      n->ledger, a[i].area,
						      name, sizeof(name))
					 ? node_doc_str(name)
					 : node_doc_null());
			node_doc_push(arr, o);
		}
		free(a);
		node_doc_set(d, "by", node_doc_str(level));
		node_doc_set(d, "areas", arr);
	}
	if ((level && !strcmp(level, "month")) || html) {
		struct node_report_month *m;
		size_t nm;
		int mrc =
		    node_report_months(n->ledger, scope, from, to, &m, &nm);
		if (mrc == -E2BIG)
			FAIL(-EINVAL, MSG_REPORT_TOO_MANY_MONTHS, from, to,
			     NODE_REPORT_MAX_MONTHS);
		if (mrc)
			FAIL0(-EINVAL, MSG_BAD_PERIOD);
		struct node_doc *arr = node_doc_array();
		for (size_t i = 0; i < nm; i++) {
			struct node_doc *o = node_query_report_doc(
			    &m[i].r, scope, m[i].from, m[i].to);
			node_doc_set(o, "month", node_doc_str(m[i].month));
			node_doc_push(arr, o);
		}
		free(m);
		if (level && !strcmp(level, "month"))
			node_doc_set(d, "by", node_doc_str("month"));
		node_doc_set(d, "months", arr);
	}
	if (missing || html) {
		if (node_report_patients(n->ledger, scope, from, to, &p, &np) !=
		    0)
			FAIL0(-EINVAL, MSG_BAD_PERIOD);
	}
	if (gap) {
		struct node_doc *o = node_doc_object();
		node_doc_set(o, "rate", node_doc_str(gap->key));
		node_doc_set(o, "patients",
			     gap_list(n, gap, p, np, &ids, &n_ids));
		node_doc_set(d, "missing", o);
	}
	if (html) {
		/* The lists behind every target the page shows. */
		struct node_doc *gaps = node_doc_object();
		for (int i = 0; i < NODE_KPI_N_RATES; i++) {
			const struct node_kpi_rate *k = &node_kpi_rates[i];
			if (k->target >= 0 && k->gap_en)
				node_doc_set(
				    gaps, k->key,
				    gap_list(n, k, p, np, &ids, &n_ids));
		}
		node_doc_set(d, "gaps", gaps);
		char name[256];
		node_doc_set(d, "scope_name",
			     *scope && node_report_area_name(n->ledger, scope,
							     name, sizeof(name))
				 ? node_doc_str(name)
				 : node_doc_null());
		char made[32];
		local_time(made);
		node_report_html(&page, d, n->lang_zh, made);
		int wrc = write_page(html, &page);
		if (wrc)
			FAIL(-EIO, MSG_CANNOT_WRITE_WHY, html, strerror(-wrc));
		node_doc_set(d, "html", node_doc_str(html));
		node_doc_set(d, "html_bytes", node_doc_int((int64_t)page.len));
	}
	if (n_ids) {
		/* The names a list or a page discloses, as export logs its
		 * records; once each. */
		qsort(ids, n_ids, 16, id_cmp);
		size_t k = 0;
		for (size_t i = 0; i < n_ids; i++)
			if (!k || memcmp(ids[k - 1], ids[i], 16))
				memmove(ids[k++], ids[i], 16);
		n_ids = k;
		char what[96];
		snprintf(what, sizeof(what), "%s scope %s %s..%s",
			 html ? "report page" : gap->key,
			 *scope ? scope : "all", from, to);
		node_access_log(n, req, "report", what,
				(const uint8_t(*)[16])ids, n_ids);
	}
	free(ids);
	free(p);
	crdt_buf_fini(&page);
	*out = d;
	return 0;
fail:
	free(ids);
	free(p);
	crdt_buf_fini(&page);
	node_doc_free(d);
	return rc;
}
