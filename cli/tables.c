/*
 * tables.c: human tables for the query commands (cli layer). Text is
 * measured in display columns, not bytes: a CJK ideograph or full-width
 * form takes two columns on a terminal, so padding by bytes would tear a
 * table of Chinese names apart. Cells too wide for their column are cut at
 * a character boundary and end with "…".
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/tables.h"
#include "cli/timefmt.h"
#include "node/catalog/catalog.h"
#include "node/ledger/schema.h"

static size_t dlen(const struct node_doc *d)
{
	return d ? node_doc_len(d) : 0;
}

bool cli_zh(void)
{
	static const char *const vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
	for (size_t i = 0; i < 3; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return !strncmp(v, "zh", 2);
	}
	return false;
}

/* Decodes one UTF-8 character; returns its length (1 for a bad byte). */
static size_t utf8_char(const unsigned char *s, size_t len, uint32_t *cp)
{
	if (s[0] < 0x80 || len < 2) {
		*cp = s[0];
		return 1;
	}
	size_t n = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc0 ? 2 : 1;
	if (n == 1 || n > len) {
		*cp = 0xfffd;
		return 1;
	}
	uint32_t c = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

static int cp_width(uint32_t c)
{
	if (c == 0 || (c >= 0x300 && c <= 0x36f) || c == 0x200b)
		return 0;
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	    (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

size_t cli_width(const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len;) {
		uint32_t c;
		i += utf8_char((const unsigned char *)s + i, len - i, &c);
		w += (size_t)cp_width(c);
	}
	return w;
}

void cli_cell(const char *s, size_t w, bool right, bool last)
{
	if (!s)
		s = "-";
	size_t len = strlen(s), full = cli_width(s, len);
	if (full <= w) {
		if (right)
			printf("%*s", (int)(w - full), "");
		fputs(s, stdout);
		if (!right && !last)
			printf("%*s", (int)(w - full), "");
		return;
	}
	size_t used = 0, i = 0;
	while (i < len) {
		uint32_t c;
		size_t n = utf8_char((const unsigned char *)s + i, len - i, &c);
		size_t cw = (size_t)cp_width(c);
		if (used + cw > w - 1)
			break;
		used += cw;
		i += n;
	}
	fwrite(s, 1, i, stdout);
	fputs("…", stdout);
	if (!last)
		printf("%*s", (int)(w - 1 - used), "");
}

static void cell(const char *s, size_t w, bool right)
{
	cli_cell(s, w, right, false);
}

/* An enum code shown as its Chinese label under zh. */
static const char *code_label(const char *type, const char *field,
			      const char *code)
{
	if (!code || !cli_zh())
		return code;
	const struct node_type *t = node_schema_type(type, strlen(type));
	const struct node_field *f =
	    t ? node_schema_field(t, field, strlen(field)) : NULL;
	const char *l =
	    f ? node_schema_enum_label_zh(f, code, strlen(code)) : NULL;
	return l ? l : code;
}

static void int_text(char *out, size_t n, const struct node_doc *v)
{
	if (v && node_doc_kind(v) == NODE_DOC_INT)
		snprintf(out, n, "%lld", (long long)node_doc_as_int(v));
	else
		snprintf(out, n, "-");
}

static void dec_text(char *out, size_t n, const struct node_doc *v,
		     const char *unit)
{
	int64_t m;
	unsigned scale;
	if (!node_doc_as_dec(v, &m, &scale) || scale != 2) {
		snprintf(out, n, "-");
		return;
	}
	int64_t a = m < 0 ? -m : m;
	snprintf(out, n, "%s%lld.%02lld%s", m < 0 ? "-" : "",
		 (long long)(a / 100), (long long)(a % 100), unit);
}

static void print_report(const struct node_doc *r)
{
	static const struct {
		const char *key;
		enum node_msg label;
	} rows[] = {
	    {"prevalence_permille", MSG_RATE_PREVALENCE},
	    {"management", MSG_RATE_MANAGEMENT},
	    {"regular_management", MSG_RATE_REGULAR_MANAGEMENT},
	    {"face_to_face", MSG_RATE_FACE_TO_FACE},
	    {"medication", MSG_RATE_MEDICATION},
	    {"regular_medication", MSG_RATE_REGULAR_MEDICATION},
	    {"stability", MSG_RATE_STABILITY},
	    {"free_medication_share", MSG_RATE_FREE_MED_SHARE},
	    {"free_medication_consent", MSG_RATE_FREE_MED_CONSENT},
	    {"incident", MSG_RATE_INCIDENT},
	};
	const char *scope = node_doc_get_str(r, "scope");
	char pop[32];
	int_text(pop, sizeof(pop), node_doc_get(r, "population"));
	printf(TM(MSG_T_REPORT_HEAD), scope ? scope : TM(MSG_T_ALL),
	       node_doc_get_str(r, "from"), node_doc_get_str(r, "to"),
	       node_doc_get_str(r, "definition"), pop);
	cell(TM(MSG_RATE), 26, false);
	printf(" ");
	cell(TM(MSG_NUM), 9, true);
	printf(" ");
	cell(TM(MSG_DENOM), 10, true);
	printf(" ");
	cell(TM(MSG_VALUE), 10, true);
	printf(" ");
	cell(TM(MSG_TARGET), 10, true);
	printf("\n");
	const struct node_doc *rates = node_doc_get(r, "rates");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct node_doc *x = node_doc_get(rates, rows[i].key);
		const char *unit = i == 0 ? "‰" : "%";
		char num[32], den[32], val[40], tgt[40];
		int_text(num, sizeof(num), node_doc_get(x, "numerator"));
		int_text(den, sizeof(den), node_doc_get(x, "denominator"));
		dec_text(val, sizeof(val), node_doc_get(x, "value"), unit);
		dec_text(tgt, sizeof(tgt), node_doc_get(x, "target"), unit);
		cell(node_catalog_text(cli_zh() ? NODE_LANG_ZH : NODE_LANG_EN,
				       rows[i].label),
		     26, false);
		printf(" ");
		cell(num, 9, true);
		printf(" ");
		cell(den, 10, true);
		printf(" ");
		cell(val, 10, true);
		printf(" ");
		cell(tgt, 10, true);
		printf("\n");
	}
}

static void value_text(char *out, size_t n, const struct node_doc *v)
{
	out[0] = 0;
	if (!v)
		return;
	switch (node_doc_kind(v)) {
	case NODE_DOC_INT:
		snprintf(out, n, "%lld", (long long)node_doc_as_int(v));
		break;
	case NODE_DOC_STR:
		snprintf(out, n, "%s", node_doc_as_str(v, NULL));
		break;
	case NODE_DOC_ARRAY:
		for (size_t i = 0; i < dlen(v); i++) {
			size_t l = strlen(out);
			char part[256];
			value_text(part, sizeof(part), node_doc_at(v, i));
			snprintf(out + l, n - l, "%s%s", i ? "|" : "", part);
		}
		break;
	case NODE_DOC_OBJECT: /* {"sealed": true}: never shown as empty */
		if (node_doc_get(v, "sealed"))
			snprintf(out, n, "%s",
				 node_doc_get(v, "unreadable")
				     ? TM(MSG_UNREADABLE)
				     : TM(MSG_SEALED));
		break;
	default:
		break;
	}
}

const char *cli_code_label(const char *type, const char *field,
			   const char *code)
{
	return code_label(type, field, code);
}

const char *cli_type_label(const char *type)
{
	const struct node_type *t =
	    type && cli_zh() ? node_schema_type(type, strlen(type)) : NULL;
	return t ? t->label_zh : type;
}

const char *cli_role_label(const char *role)
{
	enum node_role r;
	if (!role || !cli_zh() || node_role_parse(role, strlen(role), &r))
		return role;
	return node_role_label_zh(r);
}

const char *cli_field_label(const char *type, const char *field)
{
	const struct node_type *t =
	    type && cli_zh() ? node_schema_type(type, strlen(type)) : NULL;
	const struct node_field *f =
	    t ? node_schema_field(t, field, strlen(field)) : NULL;
	return f ? f->label_zh : field;
}

void cli_fields_text(const struct node_doc *x, const char *const *skip,
		     char *line, size_t len)
{
	line[0] = 0;
	const char *type = node_doc_get_str(x, "type");
	const struct node_doc *fields = node_doc_get(x, "fields");
	const struct node_type *t =
	    type ? node_schema_type(type, strlen(type)) : NULL;
	for (size_t k = 0; k < dlen(fields); k++) {
		const char *fname = node_doc_key_at(fields, k);
		bool skipped = !strcmp(fname, "retracted") ||
			       !strcmp(fname, "retract_reason");
		for (size_t j = 0; skip && skip[j] && !skipped; j++)
			skipped = !strcmp(fname, skip[j]);
		if (skipped)
			continue;
		const struct node_field *f =
		    t ? node_schema_field(t, fname, strlen(fname)) : NULL;
		char v[512];
		value_text(v, sizeof(v),
			   node_doc_get(node_doc_at(fields, k), "value"));
		const char *shown =
		    f && f->kind == NODE_FIELD_ENUM && !f->is_set
			? code_label(type, fname, v)
			: v;
		if (f && f->kind == NODE_FIELD_REF) {
			const char *dash = strrchr(v, '-');
			snprintf(v, 9, "%.8s", dash ? dash + 1 : v);
			shown = v;
		}
		size_t l = strlen(line);
		snprintf(line + l, len - l, "%s%s=%s", l ? " " : "",
			 cli_zh() && f ? f->label_zh : fname, shown);
	}
}

static void print_duplicates(const struct node_doc *r)
{
	for (size_t i = 0; i < dlen(r); i++) {
		const struct node_doc *g = node_doc_at(r, i);
		const struct node_doc *ps = node_doc_get(g, "patients");
		const char *field = node_doc_get_str(g, "field");
		printf(TM(MSG_T_DUP_GROUP), cli_field_label("patient", field),
		       node_doc_get_str(g, "value"), dlen(ps));
		for (size_t k = 0; k < dlen(ps); k++) {
			const struct node_doc *p = node_doc_at(ps, k);
			printf("  ");
			cell(node_doc_get_str(p, "id"), 40, false);
			printf(" ");
			cell(node_doc_get_str(p, "name"), 12, false);
			printf(" ");
			cell(node_doc_get_str(p, "scope"), 12, false);
			printf(" ");
			cell(node_doc_get_str(p, "registered_on"), 10, false);
			printf("\n");
		}
	}
	printf(TM(MSG_T_DUP_COUNT), dlen(r));
}

static void print_import(const struct node_doc *r)
{
	bool zh = cli_zh();
	const struct node_doc *bad = node_doc_get(r, "bad");
	for (size_t i = 0; i < dlen(bad); i++)
		printf("%s %s\n", TM(MSG_T_BAD),
		       node_doc_as_str(node_doc_at(bad, i), NULL));
	long long nbad = (long long)node_doc_get_int(r, "bad_count", 0);
	if (nbad > (long long)dlen(bad))
		printf("... %lld %s\n", nbad - (long long)dlen(bad),
		       TM(MSG_T_MORE_BAD));
	bool written = node_doc_get_bool(r, "written", false);
	bool dry = node_doc_get_bool(r, "dry_run", false);
	long long rows = (long long)node_doc_get_int(r, "rows", 0);
	if (!written && dry && !nbad) {
		printf(TM(MSG_T_DRY_OK), rows);
		return;
	}
	if (!written) {
		const char *hint = dry ? "" : TM(MSG_T_SKIP_BAD_HINT);
		printf(TM(MSG_T_NOTHING_WRITTEN), rows, nbad, hint);
		return;
	}
	long long created = (long long)node_doc_get_int(r, "created", 0);
	long long updated = (long long)node_doc_get_int(r, "updated", 0);
	long long same = (long long)node_doc_get_int(r, "unchanged", 0);
	long long entries = (long long)node_doc_get_int(r, "entries", 0);
	const char *secs = node_doc_get_str(r, "seconds");
	long long matched = (long long)node_doc_get_int(r, "matched", 0);
	if (matched)
		printf(MSGZ(zh, MSG_REG_MATCHED), matched,
		       node_doc_get_str(r, "matched_by"));
	if (!created && !updated && !nbad) {
		printf(MSGZ(zh, MSG_REG_NOTHING_TO_WRITE), rows);
		return;
	}
	printf(TM(MSG_T_IMPORTED), rows, created, updated, same, nbad,
	       entries, secs);
}

static void print_access_log(const struct node_doc *r)
{
	cell(TM(MSG_TIME), 24, false);
	printf(" ");
	cell(TM(MSG_USER), 10, false);
	printf(" ");
	cell(TM(MSG_ACTION), 8, false);
	printf(" ");
	cell(TM(MSG_COUNT), 6, true);
	printf(" ");
	cell(TM(MSG_WHAT), 26, false);
	printf("\n");
	for (size_t i = 0; i < dlen(r); i++) {
		const struct node_doc *x = node_doc_at(r, i);
		char num[32];
		int_text(num, sizeof(num), node_doc_get(x, "count"));
		char when[40];
		cell(cli_local_time(node_doc_get_str(x, "at"), when,
				    sizeof(when)),
		     24, false);
		printf(" ");
		cell(node_doc_get_str(x, "user"), 10, false);
		printf(" ");
		cell(node_doc_get_str(x, "action"), 8, false);
		printf(" ");
		cell(num, 6, true);
		printf(" ");
		cell(node_doc_get_str(x, "what"), 26, false);
		printf("\n");
	}
}

bool cli_print_table(const char *cmd, const struct node_doc *r)
{
	if (!strcmp(cmd, "import_records")) {
		print_import(r);
		return true;
	}
	if (!strcmp(cmd, "export_records")) {
		const struct node_doc *c = node_doc_get(r, "conflicts");
		for (size_t i = 0; i < dlen(c); i++)
			printf("%s %s\n",
			       TM(MSG_CONFLICT_SHOWN_VALUE_EXPORTED),
			       node_doc_as_str(node_doc_at(c, i), NULL));
		const char *type = node_doc_get_str(r, "type");
		const struct node_type *t =
		    type ? node_schema_type(type, strlen(type)) : NULL;
		printf(MSGZ(cli_zh(), MSG_REG_EXPORTED),
		       (long long)node_doc_get_int(r, "records", 0),
		       cli_zh() && t ? t->label_zh : type,
		       node_doc_get_str(r, "path"));
		long long left =
		    (long long)node_doc_get_int(r, "retracted_left_out", 0);
		if (left)
			printf(
			    MSGZ(cli_zh(), MSG_REG_EXPORT_RETRACTED_LEFT_OUT),
			    left);
		return true;
	}
	if (!strcmp(cmd, "access_log")) {
		print_access_log(r);
		return true;
	}
	if (!strcmp(cmd, "duplicates")) {
		print_duplicates(r);
		return true;
	}
	if (!strcmp(cmd, "retract")) {
		printf("%s %s\n", TM(MSG_RETRACTED),
		       node_doc_get_str(r, "id"));
		return true;
	}
	if (!strcmp(cmd, "report")) {
		print_report(r);
		return true;
	}
	return false;
}

/* One related record: "  label  id  key=value ...". */
static void related_line(const char *label, const struct node_doc *o)
{
	if (!o || node_doc_kind(o) != NODE_DOC_OBJECT)
		return;
	char line[512] = "";
	for (size_t i = 0; i < dlen(o); i++) {
		const char *k = node_doc_key_at(o, i);
		if (!strcmp(k, "id") || !strcmp(k, "accepted"))
			continue;
		char v[256];
		value_text(v, sizeof(v), node_doc_at(o, i));
		if (!*v)
			continue;
		size_t l = strlen(line);
		snprintf(line + l, sizeof(line) - l, "%s%s=%s", l ? " " : "", k,
			 v);
	}
	const char *id = node_doc_get_str(o, "id");
	size_t used = 2 + 14 + 1 + (id ? strlen(id) : 0) + 2;
	printf("  ");
	cell(label, 14, false);
	printf(" %s  ", id ? id : "-");
	if (used < 80 && *line)
		cell(line, 80 - used, false);
	printf("\n");
}

void cli_print_related(const struct node_doc *rel)
{
	if (!rel)
		return;
	static const struct {
		const char *key;
		enum node_msg label;
	} keys[] = {
	    {"guardians", MSG_REL_GUARDIAN},
	    {"latest_followup", MSG_REL_LAST_VISIT},
	    {"latest_assessment", MSG_REL_LAST_RISK},
	    {"open_searches", MSG_REL_OPEN_SEARCH},
	    {"agreements", MSG_REL_AGREEMENT},
	    {"care_groups", MSG_REL_CARE_GROUP},
	    {"hospitalizations", MSG_REL_HOSPITAL_STAY},
	    {"free_medication", MSG_REL_FREE_MED},
	    {"incidents", MSG_REL_INCIDENT},
	    {"transfers", MSG_REL_TRANSFER_OUT},
	    {"transferred_from", MSG_REL_MOVED_FROM},
	    {"transferred_to", MSG_REL_MOVED_TO},
	};
	printf("%s\n", TM(MSG_RELATED));
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct node_doc *v = node_doc_get(rel, keys[i].key);
		const char *label = node_catalog_text(
		    cli_zh() ? NODE_LANG_ZH : NODE_LANG_EN, keys[i].label);
		if (v && node_doc_kind(v) == NODE_DOC_ARRAY) {
			for (size_t k = 0; k < dlen(v); k++) {
				related_line(label, node_doc_at(v, k));
				const struct node_doc *acc =
				    node_doc_get(node_doc_at(v, k), "accepted");
				for (size_t j = 0; j < dlen(acc); j++)
					related_line(
					    TM(MSG_ACCEPTED),
					    node_doc_at(acc, j));
			}
		} else {
			related_line(label, v);
		}
	}
}

void cli_print_record_head(const struct node_doc *r)
{
	const char *type = node_doc_get_str(r, "type");
	const struct node_type *t =
	    type ? node_schema_type(type, strlen(type)) : NULL;
	printf(TM(MSG_T_RECORD_HEAD), node_doc_get_str(r, "id"),
	       t && cli_zh() ? t->label_zh : type, node_doc_get_str(r, "scope"));
}

void cli_print_field_name(const char *type, const char *field)
{
	const char *name = field;
	if (cli_zh() && type) {
		const struct node_type *t =
		    node_schema_type(type, strlen(type));
		const struct node_field *f =
		    t ? node_schema_field(t, field, strlen(field)) : NULL;
		if (f)
			name = f->label_zh;
	}
	printf("  ");
	cell(name, 20, false);
	printf(" ");
}

void cli_print_audit_lines(const struct node_doc *r)
{
	const struct node_doc *fail = node_doc_get(r, "failures");
	for (size_t i = 0; i < dlen(fail); i++)
		printf(TM(MSG_AUDIT_FAIL_LINE),
		       node_doc_as_str(node_doc_at(fail, i), NULL));
	const struct node_doc *fnd = node_doc_get(r, "findings");
	for (size_t i = 0; i < dlen(fnd); i++) {
		const struct node_doc *f = node_doc_at(fnd, i);
		printf(TM(MSG_AUDIT_FINDING_LINE), node_doc_get_str(f, "author"),
		       node_doc_get_str(f, "scope"),
		       (long long)node_doc_get_int(f, "seq", 0),
		       (long long)node_doc_get_int(f, "index", 0),
		       node_doc_get_str(f, "why"));
	}
}
