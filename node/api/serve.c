/*
 * serve.c: serving one encoded local API request against an open node
 * (node_serve: wardd, and ward-local through node_local_call). The request
 * and the answer cross the same encoding as over the daemon's ipc://
 * socket, so the seam between the CLI and the node stays a message, not a
 * function call. `ward` itself does not link this file: it asks the daemon
 * or becomes ward-local (client.c), which serves here (inproc.c).
 * A request that only reads opens the store read-only, so it writes no
 * MANIFEST, OPTIONS or WAL file and does not wait for a disk sync. (Split
 * from node.c, which opens the node that serve.c dispatches requests
 * against.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/keyring.h"
#include "node/api/node_int.h"
#include "node/ledger/schema.h"

struct node_doc *node_answer(int rc, struct node_doc *result,
			     const struct node_reason *why, bool zh)
{
	char msg[2048] = "";
	int code = node_exit_from_errno(rc);
	if (rc < 0) {
		node_doc_free(result);
		result = NULL;
		node_schema_reason_text(why, zh ? NODE_LANG_ZH : NODE_LANG_EN,
					msg, sizeof(msg));
	} else if (!result) {
		code = NODE_EXIT_IO; /* a handler must answer */
	}
	if (!result)
		return node_answer_error(code, msg);
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "ok", node_doc_bool(true));
	node_doc_set(d, "result", result);
	if (code)
		node_doc_set(d, "exit", node_doc_int(code));
	return d;
}

/* The request's "lang": only "zh" changes anything. */
static bool request_zh(const struct node_doc *req)
{
	const char *lang = node_doc_get_str(req, "lang");
	return lang && !strcmp(lang, "zh");
}

int node_exit_from_errno(int rc)
{
	switch (rc) {
	case 0:
		return NODE_EXIT_OK;
	case NODE_API_CHECK_FAILED:
	case -EBADMSG:
		return NODE_EXIT_CHECK;
	case NODE_API_INPUT_REFUSED:
	case -EINVAL:
		return NODE_EXIT_USAGE;
	case -ENOENT:
		return NODE_EXIT_NOT_FOUND;
	case -ENOTCONN:
		return NODE_EXIT_NOT_INIT;
	case -EBUSY:
	case -EAGAIN:
		return NODE_EXIT_BUSY;
	default:
		return NODE_EXIT_IO;
	}
}

int node_errno_from_exit(int code)
{
	switch (code) {
	case NODE_EXIT_OK:
		return 0;
	case NODE_EXIT_CHECK:
		return NODE_API_CHECK_FAILED;
	case NODE_EXIT_USAGE:
		return -EINVAL;
	case NODE_EXIT_NOT_FOUND:
		return -ENOENT;
	case NODE_EXIT_NOT_INIT:
		return -ENOTCONN;
	case NODE_EXIT_BUSY:
		return -EBUSY;
	default:
		return -EIO;
	}
}

struct node_doc *node_serve(struct node_ctx *ctx, const uint8_t *req,
			    size_t len)
{
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t version;
	crdt_mp_cursor_init(&c, req, len, false);
	struct node_doc *in = NULL;
	if (crdt_mp_read_array(&c, &n) || n != 2 ||
	    crdt_mp_read_uint(&c, &version) || version != 1 ||
	    node_doc_decode(c.p, crdt_mp_left(&c), &in) != 0)
		return node_answer_error(NODE_EXIT_USAGE,
				 "malformed request (this ward and the node "
				 "speak different versions?)");
	bool zh = ctx->lang_zh = request_zh(in);
	/* the access log names the sealed fields this request reads */
	char stale[8];
	node_keyring_take_reads(ctx, stale, sizeof(stale));
	struct node_doc *result = NULL;
	struct node_reason why = {0};
	int rc = node_api_dispatch(ctx, in, &result, &why);
	ctx->lang_zh = false;
	node_doc_free(in);
	/* The one place a handler's errno becomes an exit code and its
	 * reason text, in the request's language. */
	return node_answer(rc, result, &why, zh);
}

/* Requests that never write to the store. The access log they append to
 * is a file of its own (access.c), not the store. */
static const char *const read_only_cmds[] = {
    "status",	  "show",	    "list",	      "history",
    "due",	  "joint_missing",  "report",	      "duplicates",
    "access_log", "export_records", "export_entries", "audit_verify",
    "roster_pending", "roster_show", "roster_log", "roster_export",
};

bool node_local_read_only(const char *cmd)
{
	for (size_t i = 0;
	     cmd && i < sizeof(read_only_cmds) / sizeof(read_only_cmds[0]); i++)
		if (!strcmp(cmd, read_only_cmds[i]))
			return true;
	return false;
}

struct node_doc *node_local_call(const char *dir, const uint8_t *req,
				 size_t len, bool progress,
				 struct node_ctx **keep)
{
	char msg[2048] = "";
	if (keep)
		*keep = NULL;
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t version;
	struct node_doc *in = NULL;
	crdt_mp_cursor_init(&c, req, len, false);
	/* node_serve checks the request again and words the error. */
	bool zh = false, ro = false;
	if (!crdt_mp_read_array(&c, &n) && n == 2 &&
	    !crdt_mp_read_uint(&c, &version) && version == 1 &&
	    node_doc_decode(c.p, crdt_mp_left(&c), &in) == 0) {
		const char *lang = node_doc_get_str(in, "lang");
		zh = lang && !strcmp(lang, "zh");
		ro = node_local_read_only(node_doc_get_str(in, "cmd"));
		node_doc_free(in);
	}
	struct node_ctx *ctx;
	struct node_reason why;
	int rc = node_ctx_open_why(dir, ro, &ctx, &why);
	if (rc) {
		node_reason_text(&why, zh ? NODE_LANG_ZH : NODE_LANG_EN, msg,
				 sizeof(msg));
		return node_answer_error(node_exit_from_errno(rc), msg);
	}
	ctx->progress = progress;
	ctx->peer_uid = (int64_t)getuid(); /* served here: we asked */
	struct node_doc *resp = node_serve(ctx, req, len);
	if (keep)
		*keep = ctx;
	else
		node_ctx_close(ctx);
	return resp;
}
