/*
 * help.c: help for a record type (ward help TYPE, ward add TYPE --help):
 * its fields with their labels, what values they take, who may write them,
 * and which are required, write-once or sets, from the schema table, in
 * the reader's language.
 */
#include <stdio.h>
#include <string.h>

#include "cli/help.h"
#include "cli/tables.h"
#include "node/catalog/catalog.h"
#include "node/ledger/schema.h"


/* A role as the reader calls it. */
static const char *role_text(enum node_role r)
{
	return cli_zh() ? node_role_label_zh(r) : node_role_name(r);
}

/* The roles of a NODE_ROLE_BIT mask, comma-separated, into out. */
static void roles(unsigned mask, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (int r = 0; r < NODE_ROLE_COUNT && o < len; r++)
		if (mask & NODE_ROLE_BIT(r))
			o += (size_t)snprintf(out + o, len - o, "%s%s",
					      o ? (cli_zh() ? "、" : ", ") : "",
					      role_text((enum node_role)r));
	if (!o)
		snprintf(out, len, "-");
}

/* What a field takes, in words. */
static void values(const struct node_field *f, char *out, size_t len)
{
	size_t o = 0;
	switch (f->kind) {
	case NODE_FIELD_TEXT:
		o = (size_t)snprintf(out, len, "%s", TM(MSG_HELP_KIND_TEXT));
		break;
	case NODE_FIELD_DATE:
		o = (size_t)snprintf(out, len, "%s", TM(MSG_HELP_KIND_DATE));
		break;
	case NODE_FIELD_ENUM:
		for (size_t i = 0; f->enums[i] && o < len; i++)
			o +=
			    (size_t)snprintf(out + o, len - o, "%s%s %s",
					     i ? (cli_zh() ? "，" : ", ") : "",
					     f->enums[i], f->enum_labels_zh[i]);
		break;
	case NODE_FIELD_INT:
		if (f->max == INT64_MAX)
			o = (size_t)snprintf(out, len,
					     TM(MSG_HELP_KIND_INT_MIN),
					     (long long)f->min);
		else
			o = (size_t)snprintf(out, len, TM(MSG_HELP_KIND_INT),
					     (long long)f->min,
					     (long long)f->max);
		if (f->unit && o < len)
			o += (size_t)snprintf(
			    out + o, len - o, TM(MSG_HELP_UNIT),
			    cli_zh() ? node_schema_unit_label_zh(f->unit)
				     : f->unit);
		break;
	case NODE_FIELD_REF:
		o = (size_t)snprintf(out, len, TM(MSG_HELP_KIND_REF),
				     f->ref_type);
		break;
	case NODE_FIELD_ID_NUMBER:
		o = (size_t)snprintf(out, len, "%s",
				     TM(MSG_HELP_KIND_ID_NUMBER));
		break;
	case NODE_FIELD_MED_LINE:
		o = (size_t)snprintf(out, len, "%s",
				     TM(MSG_HELP_KIND_MED_LINE));
		break;
	case NODE_FIELD_SCOPE:
		o = (size_t)snprintf(out, len, "%s", TM(MSG_HELP_KIND_SCOPE));
		break;
	case NODE_FIELD_ROLES: /* ward's own key records: never typed */
		o = (size_t)snprintf(out, len, "%s", TM(MSG_ALLOWED_ROLES));
		break;
	case NODE_FIELD_KEY_ID:
		o = (size_t)snprintf(out, len, "%s", TM(MSG_ALLOWED_KEY_ID));
		break;
	case NODE_FIELD_ENVELOPE:
		o = (size_t)snprintf(out, len, "%s", TM(MSG_ALLOWED_ENVELOPE));
		break;
	}
	const char *flags[3];
	size_t nf = 0;
	if (f->required)
		flags[nf++] = TM(MSG_HELP_FLAG_REQUIRED);
	if (f->write_once)
		flags[nf++] = TM(MSG_HELP_FLAG_WRITE_ONCE);
	if (f->is_set)
		flags[nf++] = TM(MSG_HELP_FLAG_SET);
	for (size_t i = 0; i < nf && o < len; i++)
		o += (size_t)snprintf(
		    out + o, len - o, "%s%s%s",
		    i ? (cli_zh() ? "；" : "; ") : (cli_zh() ? "（" : " ("),
		    flags[i], i + 1 == nf ? (cli_zh() ? "）" : ")") : "");
}


/* The type's fields (those every type has among them); NULL past the
 * end. */
static const struct node_field *field_at(const struct node_type *t, size_t i)
{
	return i < t->n_fields ? &t->fields[i] : NULL;
}

void cli_help_type(const struct node_type *t)
{
	char buf[1024];
	size_t wn = 0, wl = 0, ww = 0;
	const struct node_field *f;
	for (size_t i = 0; (f = field_at(t, i)) != NULL; i++) {
		size_t w = strlen(f->name);
		wn = w > wn ? w : wn;
		w = cli_width(f->label_zh, strlen(f->label_zh));
		wl = w > wl ? w : wl;
		roles(f->writers, buf, sizeof(buf));
		w = cli_width(buf, strlen(buf));
		ww = w > ww ? w : ww;
	}
	/* the headings fit too */
	const char *head[3] = {TM(MSG_HELP_COL_FIELD), TM(MSG_HELP_COL_LABEL),
			       TM(MSG_HELP_COL_WRITERS)};
	size_t *width[3] = {&wn, &wl, &ww};
	for (int k = 0; k < 3; k++) {
		size_t w = cli_width(head[k], strlen(head[k]));
		*width[k] = w > *width[k] ? w : *width[k];
	}
	roles(t->creators, buf, sizeof(buf));
	printf(TM(MSG_HELP_TYPE_HEAD), t->name, t->label_zh, buf);
	fputs("  ", stdout);
	cli_cell(TM(MSG_HELP_COL_FIELD), wn + 2, false, false);
	cli_cell(TM(MSG_HELP_COL_LABEL), wl + 2, false, false);
	cli_cell(TM(MSG_HELP_COL_WRITERS), ww + 2, false, false);
	printf("%s\n", TM(MSG_HELP_COL_VALUES));
	for (size_t i = 0; (f = field_at(t, i)) != NULL; i++) {
		fputs("  ", stdout);
		cli_cell(f->name, wn + 2, false, false);
		cli_cell(f->label_zh, wl + 2, false, false);
		roles(f->writers, buf, sizeof(buf));
		cli_cell(buf, ww + 2, false, false);
		values(f, buf, sizeof(buf));
		printf("%s\n", buf);
	}
	fputs(TM(MSG_HELP_TYPE_FOOT), stdout);
}

void cli_help_types(void)
{
	fputs(TM(MSG_HELP_TYPES), stdout);
	for (size_t i = 0; i < node_schema_type_count(); i++) {
		const struct node_type *t = node_schema_type_at(i);
		fputs("  ", stdout);
		cli_cell(t->name, 18, false, false);
		printf("%s\n", t->label_zh);
	}
}

const struct node_type *cli_help_find_type(const char *text)
{
	return text ? node_schema_type_find(text, strlen(text)) : NULL;
}
