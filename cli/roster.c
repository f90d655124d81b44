/*
 * roster.c: `ward roster ...` (issue 10). Its words are parsed here, not
 * by main.c's option table: `revoke NODE --from S:N` repeats --from and
 * belongs to one change among several. File arguments (add FILE.pub,
 * cert=FILE.pem, key=FILE.pub, export --out FILE) are sent as absolute
 * paths, since the daemon may run in another directory.
 *
 *   ward roster propose CHANGE... [--note TEXT]   stdout: the id only
 *   ward roster pending [--json]
 *   ward roster sign ID
 *   ward roster show [--version N] [--json]
 *   ward roster log [--json]
 *   ward roster export --out FILE
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "cli/tables.h"
#include "node/api/node.h"
#include "node/catalog/catalog.h"


int cli_roster(int argc, char **argv);
void cli_roster_status(const struct node_doc *status);
int cli_audit_offline(const char *roster, const char *entries, bool json);
int cli_roster_export(const char *data, const char *entries_path, bool json);

/* Status's roster lines: the version, proposals pending, and for each
 * forked author what to propose. */
void cli_roster_status(const struct node_doc *r)
{
	if (!node_doc_get(r, "roster_version"))
		return;
	printf(TM(MSG_ROSTER_STATUS),
	       (long long)node_doc_get_int(r, "roster_version", 0),
	       (long long)node_doc_get_int(r, "proposals_pending", 0));
	const struct node_doc *rv = node_doc_get(r, "revoke_needed");
	for (size_t i = 0; i < node_doc_len(rv); i++) {
		const struct node_doc *o = node_doc_at(rv, i);
		printf(TM(MSG_ROSTER_REVOKE_NEEDED),
		       node_doc_get_str(o, "name"),
		       node_doc_get_str(o, "scope"),
		       (long long)node_doc_get_int(o, "seq", 0),
		       node_doc_get_str(o, "propose"));
	}
	const struct node_doc *af = node_doc_get(r, "admin_forks");
	for (size_t i = 0; i < node_doc_len(af); i++) {
		const struct node_doc *o = node_doc_at(af, i);
		printf(TM(MSG_ROSTER_ADMIN_FORKED), node_doc_get_str(o, "name"),
		       (long long)node_doc_get_int(o, "version", 0));
	}
}

static char *absolute(const char *path)
{
	char *out = crdt_xmalloc(PATH_MAX + strlen(path) + 2);
	if (path[0] == '/' || !getcwd(out, PATH_MAX))
		strcpy(out, path);
	else
		sprintf(out + strlen(out), "/%s", path);
	return out;
}

static struct node_doc *word_doc(const char *w, bool file)
{
	if (!file)
		return node_doc_str(w);
	char *a = absolute(w);
	struct node_doc *d = node_doc_str(a);
	free(a);
	return d;
}

/* NAME=FILE words whose value is a file. */
static struct node_doc *setting_doc(const char *w)
{
	if (strncmp(w, "cert=", 5) && strncmp(w, "key=", 4))
		return node_doc_str(w);
	const char *eq = strchr(w, '=');
	char *a = absolute(eq + 1);
	struct node_doc *d = node_doc_strf("%.*s=%s", (int)(eq - w), w, a);
	free(a);
	return d;
}

static void print_list(const char *label, const struct node_doc *l)
{
	printf("%s", label);
	for (size_t i = 0; i < node_doc_len(l); i++)
		printf("%s%s", i ? ", " : "",
		       node_doc_as_str(node_doc_at(l, i), NULL));
	printf("\n");
}

static void print_human(const char *cmd, const struct node_doc *r)
{
	if (!strcmp(cmd, "roster_propose")) {
		/* stdout: the id alone, for scripts; the rest on stderr. */
		printf("%s\n", node_doc_get_str(r, "id"));
		fprintf(
		    stderr, TM(MSG_ROSTER_PROPOSED),
		    (long long)node_doc_get_int(r, "version", 0),
		    (long long)(node_doc_get_bool(r, "signed", false) ? 1 : 0),
		    (long long)node_doc_get_int(r, "needed", 0),
		    node_doc_get_bool(r, "in_force", false)
			? TM(MSG_ROSTER_NOW_IN_FORCE)
			: "");
	} else if (!strcmp(cmd, "roster_sign")) {
		printf(TM(MSG_ROSTER_SIGNED), node_doc_get_str(r, "id"),
		       (long long)node_doc_get_int(r, "version", 0),
		       node_doc_get_bool(r, "in_force", false)
			   ? TM(MSG_ROSTER_NOW_IN_FORCE)
			   : "");
	} else if (!strcmp(cmd, "roster_pending")) {
		if (node_doc_len(r) == 0)
			printf("%s", TM(MSG_ROSTER_NO_PENDING));
		for (size_t i = 0; i < node_doc_len(r); i++) {
			const struct node_doc *p = node_doc_at(r, i);
			printf(TM(MSG_ROSTER_PENDING_LINE),
			       node_doc_get_str(p, "id"),
			       (long long)node_doc_get_int(p, "version", 0),
			       node_doc_get_str(p, "proposer"),
			       (long long)node_doc_get_int(p, "signatures", 0),
			       (long long)node_doc_get_int(p, "needed", 0));
			const char *note = node_doc_get_str(p, "note");
			if (note && *note)
				printf(TM(MSG_ROSTER_NOTE_LINE), note);
			print_list(TM(MSG_ROSTER_CHANGES_LABEL),
				   node_doc_get(p, "changes"));
			print_list(TM(MSG_ROSTER_SIGNED_BY_LABEL),
				   node_doc_get(p, "signers"));
		}
	} else if (!strcmp(cmd, "roster_show")) {
		printf(TM(MSG_ROSTER_SHOW_HEAD),
		       (long long)node_doc_get_int(r, "version", 0),
		       node_doc_get_str(r, "id"),
		       (long long)node_doc_get_int(r, "threshold", 0),
		       (long long)node_doc_get_int(r, "schema_version", 0));
		const struct node_doc *m = node_doc_get(r, "members");
		for (size_t i = 0; i < node_doc_len(m); i++) {
			const struct node_doc *o = node_doc_at(m, i);
			printf("  %.16s  %-20s %-9s %-12s %-21s%s",
			       node_doc_get_str(o, "key"),
			       node_doc_get_str(o, "name"),
			       node_doc_get_str(o, "role"),
			       node_doc_get_str(o, "scope"),
			       node_doc_get_str(o, "address"),
			       node_doc_get_bool(o, "admin", false)
				   ? TM(MSG_ROSTER_ADMIN_MARK)
				   : "");
			const struct node_doc *ls = node_doc_get(o, "last_seq");
			for (size_t k = 0; k < node_doc_len(ls); k++) {
				const struct node_doc *b = node_doc_at(ls, k);
				printf(
				    TM(MSG_ROSTER_REVOKED_AFTER),
				    node_doc_get_str(b, "scope"),
				    (long long)node_doc_get_int(b, "seq", 0));
			}
			printf("\n");
		}
		print_list(TM(MSG_ROSTER_SIGNED_BY_LABEL),
			   node_doc_get(r, "signers"));
	} else if (!strcmp(cmd, "roster_log")) {
		for (size_t i = 0; i < node_doc_len(r); i++) {
			const struct node_doc *v = node_doc_at(r, i);
			printf(TM(MSG_ROSTER_LOG_HEAD),
			       (long long)node_doc_get_int(v, "version", 0),
			       node_doc_get_str(v, "id"));
			print_list(TM(MSG_ROSTER_SIGNED_BY_LABEL),
				   node_doc_get(v, "signers"));
			print_list(TM(MSG_ROSTER_CHANGES_LABEL),
				   node_doc_get(v, "changes"));
		}
	} else if (!strcmp(cmd, "roster_export")) {
		printf(TM(MSG_ROSTER_EXPORTED),
		       (long long)node_doc_get_int(r, "version", 0),
		       node_doc_get_str(r, "path"));
	}
}

static int call(const char *data, bool json, const char *cmd,
		struct node_doc *req)
{
	node_doc_set(req, "cmd", node_doc_str(cmd));
	if (cli_zh())
		node_doc_set(req, "lang", node_doc_str("zh"));
	struct node_doc *resp = node_call(data, req, isatty(2));
	node_doc_free(req);
	int code = (int)node_doc_get_int(resp, "exit", 0);
	if (!node_doc_get_bool(resp, "ok", false)) {
		fprintf(stderr, "ward: %s\n", node_doc_get_str(resp, "error"));
		node_doc_free(resp);
		return code ? code : 6;
	}
	const struct node_doc *r = node_doc_get(resp, "result");
	if (json && strcmp(cmd, "roster_propose") != 0) {
		node_doc_print_json(stdout, r, true);
		printf("\n");
	} else {
		print_human(cmd, r);
	}
	node_doc_free(resp);
	return code;
}

/* `ward export --entries FILE --with-roster`: the chain in FILE.roster. */
int cli_roster_export(const char *data, const char *entries_path, bool json)
{
	struct node_doc *req = node_doc_object();
	node_doc_set(req, "path", node_doc_strf("%s.roster", entries_path));
	return call(data, json, "roster_export", req);
}

/* `ward audit verify --roster CHAIN --entries FILE`, served by ward-local
 * with no node. */
int cli_audit_offline(const char *roster, const char *entries, bool json)
{
	if (!roster || !entries) {
		fprintf(stderr, "ward: %s\n",
			TM(MSG_ROSTER_AUDIT_OFFLINE_USAGE));
		return 2;
	}
	struct node_doc *req = node_doc_object();
	char *r = absolute(roster), *e = absolute(entries);
	node_doc_set(req, "cmd", node_doc_str("audit_offline"));
	node_doc_set(req, "roster", node_doc_str(r));
	node_doc_set(req, "entries", node_doc_str(e));
	free(r);
	free(e);
	if (cli_zh())
		node_doc_set(req, "lang", node_doc_str("zh"));
	struct node_doc *resp = node_call_offline(req, isatty(2));
	node_doc_free(req);
	int code = (int)node_doc_get_int(resp, "exit", 0);
	if (!node_doc_get_bool(resp, "ok", false)) {
		fprintf(stderr, "ward: %s\n", node_doc_get_str(resp, "error"));
		node_doc_free(resp);
		return code ? code : 6;
	}
	const struct node_doc *res = node_doc_get(resp, "result");
	if (json) {
		node_doc_print_json(stdout, res, true);
		printf("\n");
	} else {
		const struct node_doc *fail = node_doc_get(res, "failures");
		const struct node_doc *fnd = node_doc_get(res, "findings");
		cli_print_audit_lines(res);
		printf(TM(MSG_ROSTER_AUDIT_SUMMARY),
		       node_doc_len(fail) ? TM(MSG_ROSTER_AUDIT_FAILED)
					  : TM(MSG_ROSTER_AUDIT_OK),
		       (long long)node_doc_get_int(res, "entries", 0),
		       (long long)node_doc_get_int(res, "roster_version", 0),
		       node_doc_len(fnd), node_doc_get_str(res, "digest"));
	}
	node_doc_free(resp);
	return code;
}

static int usage_error(void)
{
	fprintf(stderr, "ward: %s\n", TM(MSG_ROSTER_USAGE));
	return 2;
}

int cli_roster(int argc, char **argv)
{
	const char *data = getenv("WARD_DATA");
	const char *note = NULL, *out = NULL, *version = NULL;
	bool json = false;
	/* Options anywhere but inside a change's words: --data, --json,
	 * --note, --out, --version. */
	char **words = crdt_xcalloc((size_t)argc + 1, sizeof(*words));
	int nw = 0;
	bool seen_roster = false;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!seen_roster && !strcmp(s, "roster")) {
			seen_roster = true;
			continue;
		}
		const char **slot = !strcmp(s, "--data")      ? &data
				    : !strcmp(s, "--note")    ? &note
				    : !strcmp(s, "--out")     ? &out
				    : !strcmp(s, "--version") ? &version
							      : NULL;
		if (!strcmp(s, "--help") || !strcmp(s, "-h") ||
		    (nw == 0 && !strcmp(s, "help"))) {
			fputs(TM(MSG_ROSTER_HELP), stdout);
			free(words);
			return 0;
		}
		if (!strcmp(s, "--json")) {
			json = true;
		} else if (slot) {
			if (i + 1 >= argc) {
				fprintf(stderr, "ward: ");
				fprintf(stderr, TM(MSG_ROSTER_NEEDS_VALUE), s);
				fprintf(stderr, "\n");
				free(words);
				return 2;
			}
			*slot = argv[++i];
		} else {
			words[nw++] = argv[i];
		}
	}
	int rc = 2;
	if (nw == 0) {
		rc = usage_error();
		goto out;
	}
	if (!data || !*data) {
		fprintf(stderr, "ward: %s\n",
			TM(MSG_NO_DATA_DIRECTORY_GIVE_DATA));
		goto out;
	}
	const char *sub = words[0];
	struct node_doc *req = node_doc_object();
	if (!strcmp(sub, "propose")) {
		if (nw < 2) {
			node_doc_free(req);
			fprintf(stderr, "ward: %s\n",
				TM(MSG_ROSTER_USAGE_PROPOSE));
			goto out;
		}
		struct node_doc *w = node_doc_array();
		for (int i = 1; i < nw; i++) {
			bool file = i > 1 && !strcmp(words[i - 1], "add") &&
				    (i < 3 || strcmp(words[i - 2], "admins"));
			if (i > 1 && !strcmp(words[i - 1], "--from"))
				file = false;
			node_doc_push(w, file ? word_doc(words[i], true)
					      : setting_doc(words[i]));
		}
		node_doc_set(req, "words", w);
		if (note)
			node_doc_set(req, "note", node_doc_str(note));
		rc = call(data, json, "roster_propose", req);
	} else if (!strcmp(sub, "pending") && nw == 1) {
		rc = call(data, json, "roster_pending", req);
	} else if (!strcmp(sub, "sign") && nw == 2) {
		node_doc_set(req, "id", node_doc_str(words[1]));
		rc = call(data, json, "roster_sign", req);
	} else if (!strcmp(sub, "show") && nw == 1) {
		if (version) {
			char *end;
			long long v = strtoll(version, &end, 10);
			if (*end || v <= 0) {
				node_doc_free(req);
				fprintf(stderr, "ward: ");
				fprintf(stderr, TM(MSG_ROSTER_BAD_NUMBER),
					version);
				fprintf(stderr, "\n");
				goto out;
			}
			node_doc_set(req, "version", node_doc_int(v));
		}
		rc = call(data, json, "roster_show", req);
	} else if (!strcmp(sub, "log") && nw == 1) {
		rc = call(data, json, "roster_log", req);
	} else if (!strcmp(sub, "export") && nw == 1 && out) {
		char *a = absolute(out);
		node_doc_set(req, "path", node_doc_str(a));
		free(a);
		rc = call(data, json, "roster_export", req);
	} else {
		node_doc_free(req);
		rc = usage_error();
	}
out:
	free(words);
	return rc;
}
