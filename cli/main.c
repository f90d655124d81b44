/*
 * main.c: the `ward` command. Parses arguments, sends requests to the
 * node's local API (node.h) and prints the answers as tables for people or
 * JSON (--json) for scripts. Errors go to stderr as one line; exit codes
 * are those of DESIGN.md section 7.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "cli/help.h"
#include "cli/report_tables.h"
#include "cli/tables.h"
#include "cli/timefmt.h"
#include "cli/worklist.h"
#include "node/api/node.h"
#include "node/catalog/catalog.h"

/* roster.c: `ward roster ...`, and status's roster lines. */
int cli_roster(int argc, char **argv);
void cli_roster_status(const struct node_doc *status);
int cli_audit_offline(const char *roster, const char *entries, bool json);
int cli_roster_export(const char *data, const char *entries_path, bool json);


static void print_usage(FILE *f)
{
	/* in the reader's language, section by section */
	fputs(TM(MSG_USAGE_HEAD), f);
	fputs(TM(MSG_USAGE_SETUP), f);
	fputs(TM(MSG_USAGE_ROSTER), f);
	fputs(TM(MSG_USAGE_RECORDS), f);
	fputs(TM(MSG_USAGE_WORK), f);
	fputs(TM(MSG_USAGE_REGISTERS), f);
	fputs(TM(MSG_USAGE_LEDGER), f);
	fputs(TM(MSG_USAGE_FOOT), f);
}

struct args {
	const char *data;
	bool json;
	int argc;
	char **argv; /* positional and FIELD=VALUE words */
	/* options with values */
	const char *role, *name, *scope, *listen, *out, *entries, *roster;
	const char *special, *on, *from, *to, *reason, *csv, *jsonl, *type;
	const char *by, *missing, *html, *match, *month;
	bool labels, skip_bad, dry_run, accept_fork_risk, help, no_bom,
	    retracted, timeline, with_roster;
	const char **members;
	size_t n_members;
};

__attribute__((format(printf, 2, 3))) static int die(int code,
							const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "ward: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	return code;
}

static int parse(int argc, char **argv, struct args *a)
{
	memset(a, 0, sizeof(*a));
	a->argv = crdt_xcalloc((size_t)argc + 1, sizeof(char *));
	a->members = crdt_xcalloc((size_t)argc + 1, sizeof(char *));
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **slot = NULL;
		if (!strcmp(s, "--json")) {
			a->json = true;
			continue;
		}
		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			a->help = true;
			continue;
		}
		if (!strcmp(s, "--accept-fork-risk")) {
			a->accept_fork_risk = true;
			continue;
		}
		if (!strcmp(s, "--with-roster")) {
			a->with_roster = true;
			continue;
		}
		if (!strcmp(s, "--timeline")) {
			a->timeline = true;
			continue;
		}
		if (!strcmp(s, "--no-bom") || !strcmp(s, "--retracted")) {
			*(s[2] == 'n' ? &a->no_bom : &a->retracted) = true;
			continue;
		}
		if (!strcmp(s, "--labels") || !strcmp(s, "--skip-bad") ||
		    !strcmp(s, "--dry-run")) {
			bool *flag = s[2] == 'l'   ? &a->labels
				     : s[2] == 's' ? &a->skip_bad
						   : &a->dry_run;
			*flag = true;
			continue;
		}
		if (!strcmp(s, "--data"))
			slot = &a->data;
		else if (!strcmp(s, "--special"))
			slot = &a->special;
		else if (!strcmp(s, "--on"))
			slot = &a->on;
		else if (!strcmp(s, "--month"))
			slot = &a->month;
		else if (!strcmp(s, "--from"))
			slot = &a->from;
		else if (!strcmp(s, "--to"))
			slot = &a->to;
		else if (!strcmp(s, "--by"))
			slot = &a->by;
		else if (!strcmp(s, "--missing"))
			slot = &a->missing;
		else if (!strcmp(s, "--html"))
			slot = &a->html;
		else if (!strcmp(s, "--reason"))
			slot = &a->reason;
		else if (!strcmp(s, "--csv"))
			slot = &a->csv;
		else if (!strcmp(s, "--jsonl"))
			slot = &a->jsonl;
		else if (!strcmp(s, "--type"))
			slot = &a->type;
		else if (!strcmp(s, "--match"))
			slot = &a->match;
		else if (!strcmp(s, "--role"))
			slot = &a->role;
		else if (!strcmp(s, "--name"))
			slot = &a->name;
		else if (!strcmp(s, "--scope"))
			slot = &a->scope;
		else if (!strcmp(s, "--listen"))
			slot = &a->listen;
		else if (!strcmp(s, "--out"))
			slot = &a->out;
		else if (!strcmp(s, "--entries"))
			slot = &a->entries;
		else if (!strcmp(s, "--roster"))
			slot = &a->roster;
		else if (!strcmp(s, "--member")) {
			if (i + 1 >= argc)
				return die(
				    2,
				    TM(MSG_NEEDS_VALUE),
				    s);
			a->members[a->n_members++] = argv[++i];
			continue;
		} else if (!strncmp(s, "--", 2)) {
			return die(2,
				   TM(MSG_UNKNOWN_OPTION_SEE_WARD_HELP),
				   s);
		}
		if (slot) {
			if (i + 1 >= argc)
				return die(
				    2,
				    TM(MSG_NEEDS_VALUE),
				    s);
			*slot = argv[++i];
			continue;
		}
		a->argv[a->argc++] = argv[i];
	}
	if (!a->data)
		a->data = getenv("WARD_DATA");
	return 0;
}

static int need_data(const struct args *a)
{
	if (!a->data || !*a->data)
		return die(2, "%s",
			   TM(MSG_NO_DATA_DIRECTORY_GIVE_DATA));
	return 0;
}

/* ---- printing ---- */

/* A field's value for people: an enum code as its label under zh (type
 * and field say which enum; NULL: shown as it is). */
static void print_value_of(const char *type, const char *field,
			   const struct node_doc *v)
{
	if (!v)
		return;
	switch (node_doc_kind(v)) {
	case NODE_DOC_NULL: fputs(TM(MSG_VALUE_CLEARED), stdout); break;
	case NODE_DOC_BOOL:
		fputs(node_doc_as_bool(v) ? TM(MSG_VALUE_YES) : TM(MSG_VALUE_NO),
		      stdout);
		break;
	case NODE_DOC_INT: printf("%lld", (long long)node_doc_as_int(v)); break;
	case NODE_DOC_STR: {
		const char *s = node_doc_as_str(v, NULL);
		fputs(type && field ? cli_code_label(type, field, s) : s,
		      stdout);
		break;
	}
	case NODE_DOC_ARRAY:
		for (size_t i = 0; i < node_doc_len(v); i++) {
			if (i)
				fputs("|", stdout);
			print_value_of(type, field, node_doc_at(v, i));
		}
		break;
	case NODE_DOC_OBJECT: /* {"sealed": true}: not this node's to read */
		if (node_doc_get(v, "sealed"))
			fputs(node_doc_get(v, "unreadable")
				  ? TM(MSG_UNREADABLE)
				  : TM(MSG_SEALED),
			      stdout);
		break;
	default: break;
	}
}


static void print_record(const struct node_doc *r)
{
	cli_print_record_head(r);
	const char *no_effect = node_doc_get_str(r, "no_effect");
	if (no_effect)
		printf(TM(MSG_SHOW_NO_EFFECT), no_effect);
	const struct node_doc *fields = node_doc_get(r, "fields");
	for (size_t i = 0; i < node_doc_len(fields); i++) {
		const struct node_doc *f = node_doc_at(fields, i);
		const char *type = node_doc_get_str(r, "type");
		const char *name = node_doc_key_at(fields, i);
		cli_print_field_name(type, name);
		print_value_of(type, name, node_doc_get(f, "value"));
		const char *by = node_doc_get_str(f, "by_name");
		char when[40];
		if (by)
			printf("   [%s/%s %s]", by,
			       cli_role_label(node_doc_get_str(f, "by_role")),
			       cli_local_time(node_doc_get_str(f, "at"), when,
					      sizeof(when)));
		printf("\n");
		const struct node_doc *conf = node_doc_get(f, "versions");
		if (node_doc_get(f, "conflict")) {
			printf(TM(MSG_SHOW_CONFLICT), "", node_doc_len(conf));
			for (size_t k = 0; k < node_doc_len(conf); k++) {
				const struct node_doc *v = node_doc_at(conf, k);
				printf("  %-22s ", "");
				print_value_of(type, name, node_doc_get(v, "value"));
				printf("   [%s/%s %s]\n",
				       node_doc_get_str(v, "by_name"),
				       cli_role_label(node_doc_get_str(v, "by_role")),
				       cli_local_time(node_doc_get_str(v, "at"),
						      when, sizeof(when)));
			}
		}
	}
}

/* The fork and divergence proofs status lists, one line each. */
static void print_proofs(const struct node_doc *proofs)
{
	size_t n = node_doc_len(proofs);
	printf(TM(MSG_PROOFS), n);
	for (size_t i = 0; i < n; i++) {
		const struct node_doc *p = node_doc_at(proofs, i);
		const char *kind = node_doc_get_str(p, "kind");
		if (kind && !strcmp(kind, "fork")) {
			const char *name = node_doc_get_str(p, "name");
			printf(TM(MSG_FORK_WROTE_TWO_DIFFERENT_ENTRIES),
			       node_doc_get_str(p, "author"),
			       name ? name : "?", node_doc_get_str(p, "scope"),
			       (long long)node_doc_get_int(p, "seq", 0));
		} else {
			const struct node_doc *names = node_doc_get(p, "names");
			const struct node_doc *a = node_doc_at(names, 0);
			const struct node_doc *b = node_doc_at(names, 1);
			const char *na =
			    a && node_doc_kind(a) == NODE_DOC_STR
				? node_doc_as_str(a, NULL)
				: "?";
			const char *nb =
			    b && node_doc_kind(b) == NODE_DOC_STR
				? node_doc_as_str(b, NULL)
				: "?";
			printf(TM(MSG_DIVERGENCE_HOLD_SAME_ENTRIES_BUT),
			       na, nb);
		}
	}
}

/* A history op's verb (create, set, add, remove) in the reader's
 * language; the JSON keeps the code. */
static const char *op_verb(const char *op)
{
	if (!op)
		return "?";
	if (!strcmp(op, "create"))
		return TM(MSG_OP_CREATE);
	if (!strcmp(op, "set"))
		return TM(MSG_OP_SET);
	if (!strcmp(op, "add"))
		return TM(MSG_OP_ADD);
	if (!strcmp(op, "remove"))
		return TM(MSG_OP_REMOVE);
	return op;
}

static void print_human(const char *cmd, const struct node_doc *r)
{
	if (cli_worklist_print(cmd, r))
		return;
	if (cli_print_table(cmd, r)) {
		if (!strcmp(cmd, "report"))
			cli_print_report_parts(r);
		return;
	}
	if (!strcmp(cmd, "add")) {
		printf("%s\n", node_doc_get_str(r, "id"));
	} else if (!strcmp(cmd, "show") && node_doc_get(r, "timeline")) {
		cli_print_record_head(r);
		cli_print_timeline(node_doc_get(r, "timeline"));
	} else if (!strcmp(cmd, "show") || !strcmp(cmd, "set")) {
		print_record(r);
		cli_print_related(node_doc_get(r, "related"));
	} else if (!strcmp(cmd, "history")) {
		const char *type = NULL; /* the create's: the first op */
		for (size_t i = 0; i < node_doc_len(r); i++) {
			const struct node_doc *o = node_doc_at(r, i);
			char when[40];
			printf(TM(MSG_SEQ),
			       cli_local_time(node_doc_get_str(o, "at"), when,
					      sizeof(when)),
			       node_doc_get_str(o, "by_name"),
			       cli_role_label(node_doc_get_str(o, "by_role")), "",
			       (long long)node_doc_get_int(o, "seq", 0),
			       (long long)node_doc_get_int(o, "index", 0),
			       op_verb(node_doc_get_str(o, "op")));
			const char *f = node_doc_get_str(o, "field");
			const char *op = node_doc_get_str(o, "op");
			if (op && !strcmp(op, "create"))
				type = node_doc_get_str(o, "value");
			if (f && type)
				printf("%s=", cli_field_label(type, f));
			else if (f)
				printf("%s=", f);
			if (op && !strcmp(op, "create") && type)
				fputs(cli_type_label(type), stdout);
			else
				print_value_of(type, f, node_doc_get(o, "value"));
			if (!node_doc_get_bool(o, "effect", true))
				printf(TM(MSG_NO_EFFECT),
				       node_doc_get_str(o, "why"));
			printf("\n");
		}
	} else if (!strcmp(cmd, "status")) {
		printf(TM(MSG_NODE),
		       node_doc_get_str(r, "node_id"));
		const char *name = node_doc_get_str(r, "name");
		if (name)
			printf(TM(MSG_NAME_SCOPE),
			       name,
			       node_doc_get_str(r, "role"),
			       node_doc_get_str(r, "scope"));
		const char *net = node_doc_get_str(r, "net_id");
		printf(TM(MSG_NETWORK),
		       net ? net : TM(MSG_NOT_JOINED));
		printf(TM(MSG_ENTRIES),
		       (long long)node_doc_get_int(r, "entries", 0));
		printf(TM(MSG_DIGEST),
		       node_doc_get_str(r, "digest"));
		const struct node_doc *feeds = node_doc_get(r, "feeds");
		printf(TM(MSG_FEEDS), node_doc_len(feeds));
		for (size_t i = 0; i < node_doc_len(feeds); i++) {
			const struct node_doc *f = node_doc_at(feeds, i);
			printf(TM(MSG_STATUS_FEED),
			       node_doc_get_str(f, "author"),
			       node_doc_get_str(f, "scope"),
			       (long long)node_doc_get_int(f, "seq", 0));
		}
		print_proofs(node_doc_get(r, "proofs"));
		const struct node_doc *keys = node_doc_get(r, "keys");
		if (keys && node_doc_len(keys))
			printf(TM(MSG_STATUS_KEYS), node_doc_len(keys));
		for (size_t i = 0; keys && i < node_doc_len(keys); i++) {
			const struct node_doc *k = node_doc_at(keys, i);
			printf(TM(MSG_STATUS_KEY_GROUP),
			       node_doc_get_str(k, "roles"),
			       node_doc_get_str(k, "scope"),
			       (long long)node_doc_get_int(k, "held", 0),
			       (long long)node_doc_get_int(k, "missing", 0),
			       node_doc_get_bool(k, "current", false)
				   ? ""
				   : TM(MSG_STATUS_KEY_NOT_CURRENT));
		}
		cli_roster_status(r);
		if (node_doc_get_bool(r, "insecure", false))
			printf("%s", TM(MSG_STATUS_INSECURE));
		if (node_doc_get_bool(r, "restored", false))
			printf("%s", TM(MSG_RESTORED_FROM_BACKUP_MAY_BEHIND));
		if (node_doc_get_bool(r, "writes_blocked", false)) {
			const char *why =
			    node_doc_get_str(r, "writes_blocked_reason");
			if (why && !strcmp(why, "own_feed_behind"))
				printf("%s", TM(MSG_WRITES_BLOCKED_PEER_SENT_SIGNED));
			else if (why && !strcmp(why, "restored_unconfirmed"))
				printf("%s", TM(MSG_WRITES_BLOCKED_RESTORED_FROM_BACKUP));
			else
				printf("%s", TM(MSG_WRITES_BLOCKED_WARDD_STOPPED_UNCLEANLY));
		}
		const struct node_doc *peers = node_doc_get(r, "peers");
		printf(TM(MSG_PEERS), node_doc_len(peers));
		for (size_t i = 0; i < node_doc_len(peers); i++) {
			const struct node_doc *p = node_doc_at(peers, i);
			const struct node_doc *lag = node_doc_get(p, "lag_entries");
			const char *seen = node_doc_get_str(p, "last_seen");
			char when[40];
			char lagtxt[24] = "?";
			if (lag && node_doc_kind(lag) != NODE_DOC_NULL)
				snprintf(lagtxt, sizeof(lagtxt), "%lld",
					 (long long)node_doc_as_int(lag));
			printf(TM(MSG_STATUS_PEER),
			       node_doc_get_str(p, "node_id"),
			       node_doc_get_str(p, "name"),
			       node_doc_get_str(p, "address"),
			       node_doc_get_bool(p, "connected", false)
				       ? TM(MSG_CONNECTED)
				       : TM(MSG_DISCONNECTED),
			       lagtxt,
			       seen ? cli_local_time(seen, when, sizeof(when))
				    : TM(MSG_NEVER));
		}
	} else if (!strcmp(cmd, "unblock")) {
		printf("%s", node_doc_get_bool(r, "was_blocked", false)
				 ? TM(MSG_WRITES_UNBLOCKED_NODE_SIGNS_NOW)
				 : TM(MSG_WRITES_WERE_NOT_BLOCKED));
	} else if (!strcmp(cmd, "audit_verify")) {
		const struct node_doc *fail = node_doc_get(r, "failures");
		const struct node_doc *fnd = node_doc_get(r, "findings");
		cli_print_audit_lines(r);
		const struct node_doc *sl = node_doc_get(r, "sealed");
		if (sl && (node_doc_get_int(sl, "opened", 0) ||
			   node_doc_get_int(sl, "not_readable_here", 0) ||
			   node_doc_get_int(sl, "unreadable", 0)))
			printf(TM(MSG_AUDIT_SEALED),
			       (unsigned long long)node_doc_get_int(sl, "opened",
								    0),
			       (unsigned long long)node_doc_get_int(
				   sl, "not_readable_here", 0),
			       (unsigned long long)node_doc_get_int(
				   sl, "unreadable", 0));
		printf(TM(MSG_AUDIT_ENTRIES_FEEDS_FINDINGS_DIGEST),
		       node_doc_len(fail) ? TM(MSG_FAILED) : TM(MSG_OK),
		       (long long)node_doc_get_int(r, "entries", 0),
		       (long long)node_doc_get_int(r, "feeds", 0),
		       node_doc_len(fnd), node_doc_get_str(r, "digest"));
	} else if (!strcmp(cmd, "backup")) {
		printf(TM(MSG_BACKUP_ENTRIES_DIGEST_MADE),
		       (long long)node_doc_get_int(r, "entries", 0),
		       node_doc_get_str(r, "dir"), node_doc_get_str(r, "digest"),
		       node_doc_get_str(r, "made"));
	} else if (!strcmp(cmd, "export_entries")) {
		printf(TM(MSG_EXPORTED_ENTRIES),
		       (long long)node_doc_get_int(r, "entries", 0),
		       node_doc_get_str(r, "path"));
	} else if (!strcmp(cmd, "import_entries")) {
		const struct node_doc *rej = node_doc_get(r, "rejected");
		for (size_t i = 0; i < node_doc_len(rej); i++)
			printf(TM(MSG_REJECTED_LINE),
			       node_doc_as_str(node_doc_at(rej, i), NULL));
		printf(TM(MSG_IMPORTED_ENTRIES),
		       (long long)node_doc_get_int(r, "applied", 0),
		       (long long)node_doc_get_int(r, "entries", 0),
		       (long long)node_doc_get_int(r, "duplicates", 0),
		       node_doc_len(rej));
	}
}

static int call(const struct args *a, const char *cmd, struct node_doc *req)
{
	node_doc_set(req, "cmd", node_doc_str(cmd));
	/* The node words its errors for this reader; the flag travels in the
	 * request because a running wardd serves it in another process. */
	if (cli_zh())
		node_doc_set(req, "lang", node_doc_str("zh"));
	/* A work list written to a file: the node's access log says where. */
	if (a->csv && (cli_worklist_has_csv(cmd) || a->timeline)) {
		char path[8192];
		if (a->csv[0] != '/' && getcwd(path, sizeof(path) / 2))
			snprintf(path + strlen(path),
				 sizeof(path) - strlen(path), "/%s", a->csv);
		else
			snprintf(path, sizeof(path), "%s", a->csv);
		node_doc_set(req, "csv", node_doc_str(path));
	}
	/* Who reads is not said here: the node's access log takes it from
	 * the kernel (the ipc peer's uid), which a request cannot forge. */
	struct node_doc *resp = node_call(a->data, req, isatty(2));
	node_doc_free(req);
	int code = (int)node_doc_get_int(resp, "exit", 0);
	if (!node_doc_get_bool(resp, "ok", false)) {
		fprintf(stderr, "ward: %s\n", node_doc_get_str(resp, "error"));
		node_doc_free(resp);
		return code ? code : 6;
	}
	const struct node_doc *r = node_doc_get(resp, "result");
	const struct node_doc *warn = node_doc_get(r, "warnings");
	for (size_t i = 0; warn && i < node_doc_len(warn); i++)
		fprintf(stderr, TM(MSG_WARD_WARNING),
			node_doc_as_str(node_doc_at(warn, i), NULL));
	const struct node_doc *tl = node_doc_get(r, "timeline");
	if (a->csv && (cli_worklist_has_csv(cmd) || tl)) {
		/* The list for printing; --json still prints the answer. */
		int rc = tl ? cli_worklist_csv("timeline", tl, a->csv,
					       !a->no_bom)
			    : cli_worklist_csv(cmd, r, a->csv, !a->no_bom);
		code = code ? code : rc;
		if (a->json) {
			node_doc_print_json(stdout, r, true);
			printf("\n");
		}
	} else if (a->json) {
		node_doc_print_json(stdout, r, true);
		printf("\n");
	} else {
		print_human(cmd, r);
	}
	node_doc_free(resp);
	return code;
}

/* FIELD=VALUE, FIELD+=VALUE, FIELD-=VALUE into [field, how, value]. */
static struct node_doc *assignment(const char *word, bool allow_ops)
{
	const char *eq = strchr(word, '=');
	if (!eq || eq == word)
		return NULL;
	const char *how = "=";
	size_t flen = (size_t)(eq - word);
	if (allow_ops && flen > 1 && (eq[-1] == '+' || eq[-1] == '-')) {
		how = eq[-1] == '+' ? "+=" : "-=";
		flen--;
	}
	struct node_doc *d = node_doc_array();
	node_doc_push(d, node_doc_strn(word, flen));
	if (allow_ops)
		node_doc_push(d, node_doc_str(how));
	node_doc_push(d, node_doc_str(eq + 1));
	return d;
}

static int cmd_records(struct args *a, const char *cmd)
{
	struct node_doc *req = node_doc_object();
	int rc = need_data(a);
	if (rc) {
		node_doc_free(req);
		return rc;
	}
	if (!strcmp(cmd, "add") || !strcmp(cmd, "list")) {
		if (a->argc < 2) {
			node_doc_free(req);
			return die(2,
				   TM(MSG_USAGE_WARD_TYPE_FIELD_VALUE),
				   cmd);
		}
		node_doc_set(req, "type", node_doc_str(a->argv[1]));
		struct node_doc *fields = node_doc_array();
		for (int i = 2; i < a->argc; i++) {
			if (!strncmp(a->argv[i], "scope=", 6) && !strcmp(cmd, "add")) {
				node_doc_set(req, "scope", node_doc_str(a->argv[i] + 6));
				continue;
			}
			struct node_doc *p = assignment(a->argv[i], false);
			if (!p) {
				node_doc_free(fields);
				node_doc_free(req);
				return die(2,
					   TM(MSG_NOT_FIELD_VALUE),
					   a->argv[i]);
			}
			node_doc_push(fields, p);
		}
		node_doc_set(req, !strcmp(cmd, "add") ? "fields" : "filters", fields);
		if (a->scope)
			node_doc_set(req, "scope", node_doc_str(a->scope));
		if (a->special)
			node_doc_set(req, "special", node_doc_str(a->special));
		return call(a, cmd, req);
	}
	if (!strcmp(cmd, "show") && a->timeline) {
		if (a->argc < 2) {
			node_doc_free(req);
			return die(2, "%s",
				   TM(MSG_USAGE_WARD_SHOW_TIMELINE));
		}
		node_doc_set(req, "id", node_doc_str(a->argv[1]));
		node_doc_set(req, "timeline", node_doc_bool(true));
		return call(a, cmd, req);
	}
	if (a->argc < 2) {
		node_doc_free(req);
		return die(2, TM(MSG_USAGE_WARD_ID), cmd);
	}
	node_doc_set(req, "id", node_doc_str(a->argv[1]));
	if (!strcmp(cmd, "set")) {
		struct node_doc *changes = node_doc_array();
		for (int i = 2; i < a->argc; i++) {
			struct node_doc *p = assignment(a->argv[i], true);
			if (!p) {
				node_doc_free(changes);
				node_doc_free(req);
				return die(2,
					   TM(MSG_NOT_FIELD_VALUE),
					   a->argv[i]);
			}
			node_doc_push(changes, p);
		}
		node_doc_set(req, "changes", changes);
	}
	return call(a, cmd, req);
}

/* due, joint-missing, report, duplicates, access-log, retract: options
 * into the request as they are. */
static int cmd_query(struct args *a, const char *cmd)
{
	int rc = need_data(a);
	if (rc)
		return rc;
	struct node_doc *req = node_doc_object();
	const char *opts[][2] = {{"scope", a->scope}, {"on", a->on},
				 {"from", a->from},   {"to", a->to},
				 {"reason", a->reason}, {"by", a->by},
				 {"missing", a->missing}, {"month", a->month}};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i][1])
			node_doc_set(req, opts[i][0], node_doc_str(opts[i][1]));
	if (!strcmp(cmd, "report") && (!a->from || !a->to)) {
		node_doc_free(req);
		return die(2, "%s",
			   TM(MSG_USAGE_WARD_REPORT_FROM_DATE));
	}
	if ((a->by || a->missing || a->html) && strcmp(cmd, "report")) {
		node_doc_free(req);
		return die(2, TM(MSG_REPORT_OPTIONS_ONLY), cmd);
	}
	if (a->html) {
		/* The node may be a daemon in another directory: an absolute
		 * path. */
		char path[8192];
		if (a->html[0] != '/' && getcwd(path, sizeof(path) / 2))
			snprintf(path + strlen(path), sizeof(path) - strlen(path),
				 "/%s", a->html);
		else
			snprintf(path, sizeof(path), "%s", a->html);
		node_doc_set(req, "html", node_doc_str(path));
	}
	if (!strcmp(cmd, "retract")) {
		if (a->argc < 2 || !a->reason) {
			node_doc_free(req);
			return die(2, "%s",
				   TM(MSG_USAGE_WARD_RETRACT_ID_REASON));
		}
		node_doc_set(req, "id", node_doc_str(a->argv[1]));
	}
	char name[32];
	snprintf(name, sizeof(name), "%s", cmd);
	for (char *p = name; *p; p++)
		if (*p == '-')
			*p = '_';
	return call(a, name, req);
}

/* import/export --csv FILE | --jsonl FILE --type TYPE: registers. */
static int cmd_records_file(struct args *a, const char *cmd)
{
	const char *file = a->csv ? a->csv : a->jsonl;
	if (!a->type)
		return die(2,
			   TM(MSG_USAGE_WARD_FILE_TYPE_TYPE),
			   cmd, a->csv ? "csv" : "jsonl");
	/* The node may be a daemon in another directory: an absolute path. */
	char path[8192];
	if (file[0] != '/' && getcwd(path, sizeof(path) / 2))
		snprintf(path + strlen(path), sizeof(path) - strlen(path), "/%s",
			 file);
	else
		snprintf(path, sizeof(path), "%s", file);
	struct node_doc *req = node_doc_object();
	node_doc_set(req, "path", node_doc_str(path));
	node_doc_set(req, "format", node_doc_str(a->csv ? "csv" : "jsonl"));
	node_doc_set(req, "type", node_doc_str(a->type));
	if (a->scope)
		node_doc_set(req, "scope", node_doc_str(a->scope));
	node_doc_set(req, "labels", node_doc_bool(a->labels));
	node_doc_set(req, "skip_bad", node_doc_bool(a->skip_bad));
	node_doc_set(req, "dry_run", node_doc_bool(a->dry_run));
	if (a->match)
		node_doc_set(req, "match", node_doc_str(a->match));
	node_doc_set(req, "bom", node_doc_bool(!a->no_bom));
	node_doc_set(req, "retracted", node_doc_bool(a->retracted));
	return call(a, !strcmp(cmd, "import") ? "import_records"
					      : "export_records",
		    req);
}

static int run(struct args *ap);
static int help(const char *cmd, int argc, char **argv);

int main(int argc, char **argv)
{
	struct args a;
	if (argc < 2) {
		print_usage(stderr);
		return 2;
	}
	/* The command word: the first that is not --data DIR or --json. */
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data")) {
			i++;
			continue;
		}
		if (!strcmp(argv[i], "--json"))
			continue;
		if (!strcmp(argv[i], "roster"))
			node_exit(cli_roster(argc, argv));
		break;
	}
	int rc = parse(argc, argv, &a);
	if (rc == 0 && a.help)
		rc = help(a.argc ? a.argv[0] : "help", a.argc, a.argv);
	else if (rc == 0)
		rc = run(&a);
	free(a.argv);
	free(a.members);
	node_exit(rc);
}

static int help(const char *cmd, int argc, char **argv)
{
	/* ward help [TOPIC], or COMMAND [TYPE] --help */
	const char *topic = !strcmp(cmd, "help") ? (argc > 1 ? argv[1] : NULL)
						 : (argc > 1 ? argv[1] : cmd);
	const struct node_type *t = cli_help_find_type(topic);
	if (t) {
		cli_help_type(t);
		return 0;
	}
	static const char *const commands[] = {
	    "init",	  "network",	"add",	  "set",     "show",
	    "list",	  "history",	"retract", "duplicates", "due",
	    "joint-missing", "report",	"import",  "export",  "access-log",
	    "status",	  "audit",	"backup",  "unblock", "roster",
	    "help",	  NULL};
	bool known = !topic;
	for (size_t i = 0; commands[i] && !known; i++)
		known = !strcmp(topic, commands[i]);
	if (!known && !strcmp(cmd, "help"))
		return die(2, TM(MSG_HELP_UNKNOWN_TOPIC), topic);
	print_usage(stdout);
	putchar('\n');
	cli_help_types();
	return 0;
}

static int run(struct args *ap)
{
	struct args a = *ap;
	int rc;
	if (a.argc == 0) {
		print_usage(stderr);
		return 2;
	}
	const char *cmd = a.argv[0];
	char msg[2048] = "";
	if (!strcmp(cmd, "help"))
		return help(cmd, a.argc, a.argv);
	if (!strcmp(cmd, "init")) {
		if ((rc = need_data(&a)))
			return rc;
		struct node_init_opts o = {a.data,  a.role,   a.name,
					   a.scope, a.listen, cli_zh()};
		rc = node_init(&o, msg, sizeof(msg));
		fprintf(rc ? stderr : stdout, "%s%s\n", rc ? "ward: " : "", msg);
		return rc;
	}
	if (!strcmp(cmd, "network")) {
		if ((rc = need_data(&a)))
			return rc;
		if (a.argc >= 2 && !strcmp(a.argv[1], "create")) {
			if (!a.out)
				return die(
				    2, "%s",
				    TM(MSG_NETWORK_CREATE_NEEDS_OUT_ROSTER));
			rc = node_network_create(a.data, a.members, a.n_members,
						 a.out, cli_zh(), msg,
						 sizeof(msg));
		} else if (a.argc >= 3 && !strcmp(a.argv[1], "join")) {
			rc = node_network_join(a.data, a.argv[2], cli_zh(), msg,
					       sizeof(msg));
		} else {
			return die(
			    2, "%s",
			    TM(MSG_USAGE_WARD_NETWORK_CREATE_MEMBER));
		}
		fprintf(rc ? stderr : stdout, "%s%s\n", rc ? "ward: " : "", msg);
		return rc;
	}
	if (!strcmp(cmd, "add") || !strcmp(cmd, "set") || !strcmp(cmd, "show") ||
	    !strcmp(cmd, "list") || !strcmp(cmd, "history"))
		return cmd_records(&a, cmd);
	if (!strcmp(cmd, "status")) {
		if ((rc = need_data(&a)))
			return rc;
		return call(&a, "status", node_doc_object());
	}
	if (!strcmp(cmd, "unblock")) {
		if ((rc = need_data(&a)))
			return rc;
		struct node_doc *req = node_doc_object();
		node_doc_set(req, "accept_fork_risk",
			     node_doc_bool(a.accept_fork_risk));
		return call(&a, "unblock", req);
	}
	if (!strcmp(cmd, "due") || !strcmp(cmd, "joint-missing") ||
	    !strcmp(cmd, "report") || !strcmp(cmd, "duplicates") ||
	    !strcmp(cmd, "access-log") || !strcmp(cmd, "retract"))
		return cmd_query(&a, cmd);
	if (!strcmp(cmd, "audit")) {
		if (a.argc < 2 || strcmp(a.argv[1], "verify"))
			return die(2, "%s",
				   TM(MSG_USAGE_WARD_AUDIT_VERIFY));
		/* The auditor's offline check: no node, no data directory. */
		if (a.roster || a.entries)
			return cli_audit_offline(a.roster, a.entries, a.json);
		if ((rc = need_data(&a)))
			return rc;
		return call(&a, "audit_verify", node_doc_object());
	}
	if (!strcmp(cmd, "backup")) {
		if ((rc = need_data(&a)))
			return rc;
		if (a.argc != 2)
			return die(2, "%s",
				   TM(MSG_USAGE_WARD_BACKUP_DIR));
		/* The node may be a daemon in another directory: an absolute
		 * path. */
		char path[8192];
		if (a.argv[1][0] != '/' && getcwd(path, sizeof(path) / 2))
			snprintf(path + strlen(path), sizeof(path) - strlen(path),
				 "/%s", a.argv[1]);
		else
			snprintf(path, sizeof(path), "%s", a.argv[1]);
		struct node_doc *req = node_doc_object();
		node_doc_set(req, "dir", node_doc_str(path));
		return call(&a, "backup", req);
	}
	if (!strcmp(cmd, "export") || !strcmp(cmd, "import")) {
		if ((rc = need_data(&a)))
			return rc;
		if (a.csv || a.jsonl)
			return cmd_records_file(&a, cmd);
		if (!a.entries)
			return die(
			    2,
			    TM(MSG_USAGE_WARD_ENTRIES_FILE_CSV),
			    cmd);
		/* The node may be a daemon in another directory: send an
		 * absolute path. */
		char path[8192];
		if (a.entries[0] != '/' && getcwd(path, sizeof(path) / 2))
			snprintf(path + strlen(path), sizeof(path) - strlen(path),
				 "/%s", a.entries);
		else
			snprintf(path, sizeof(path), "%s", a.entries);
		struct node_doc *req = node_doc_object();
		node_doc_set(req, "path", node_doc_str(path));
		rc = call(&a, !strcmp(cmd, "export") ? "export_entries"
						     : "import_entries",
			  req);
		/* The chain beside it, for an auditor's offline check. */
		if (rc == 0 && a.with_roster && !strcmp(cmd, "export"))
			rc = cli_roster_export(a.data, path, a.json);
		return rc;
	}
	return die(2,
		   TM(MSG_UNKNOWN_COMMAND_SEE_WARD_HELP),
		   cmd);
}
