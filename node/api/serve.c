/*
 * serve.c: serving one local API request, in this process or by asking
 * the node's daemon. The request and the answer cross the same encoding
 * they will over the daemon's ipc:// socket, so the seam between the CLI
 * and the node stays a message, not a function call. (Split from node.c,
 * which opens the node that serve.c dispatches requests against.)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/node_int.h"

static struct node_doc *error_doc(int exit, const char *msg)
{
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "ok", node_doc_bool(false));
	node_doc_set(d, "error", node_doc_str(msg));
	node_doc_set(d, "exit", node_doc_int(exit));
	return d;
}

/* The request's "lang": only "zh" changes anything. */
static bool request_zh(const struct node_doc *req)
{
	const char *lang = node_doc_get_str(req, "lang");
	return lang && !strcmp(lang, "zh");
}

struct node_doc *node_serve(struct node_ctx *ctx, const uint8_t *req,
			    size_t len)
{
	char msg[1024] = "";
	int exit = 0;
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t version;
	crdt_mp_cursor_init(&c, req, len, false);
	struct node_doc *in = NULL;
	if (crdt_mp_read_array(&c, &n) || n != 2 ||
	    crdt_mp_read_uint(&c, &version) || version != 1 ||
	    node_doc_decode(c.p, crdt_mp_left(&c), &in) != 0)
		return error_doc(NODE_EXIT_USAGE,
				 "malformed request (this ward and the node "
				 "speak different versions?)");
	ctx->lang_zh = request_zh(in);
	struct node_doc *result =
		node_api_dispatch(ctx, in, &exit, msg, sizeof(msg));
	ctx->lang_zh = false;
	node_doc_free(in);
	if (!result)
		return error_doc(exit ? exit : NODE_EXIT_IO, msg);
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "ok", node_doc_bool(true));
	node_doc_set(d, "result", result);
	if (exit)
		node_doc_set(d, "exit", node_doc_int(exit));
	return d;
}

struct node_doc *node_call(const char *dir, const struct node_doc *req,
			   bool progress)
{
	char msg[1024] = "";
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_uint(&b, 1);
	node_doc_encode(req, &b);
	/* A running daemon owns the store: ask it. */
	int rc;
	bool zh = request_zh(req);
	struct node_doc *resp =
	    node_localapi_call(dir, zh, b.data, b.len, &rc, msg, sizeof(msg));
	if (resp || rc != -ENOENT) {
		crdt_buf_fini(&b);
		if (!resp && rc == -EPERM)
			return error_doc(NODE_EXIT_BUSY, msg);
		if (!resp)
			return error_doc(
			    NODE_EXIT_BUSY,
			    NTZ(zh,
				"the node's daemon did not answer; is wardd "
				"overloaded or stuck?",
				"节点的守护进程 wardd 没有应答；它是否负载"
				"过重或已卡住？请检查 wardd 的日志"));
		return resp;
	}
	struct node_ctx *ctx;
	int exit = node_ctx_open_lang(dir, zh, &ctx, msg, sizeof(msg));
	if (exit) {
		crdt_buf_fini(&b);
		return error_doc(exit, msg);
	}
	ctx->progress = progress;
	ctx->peer_uid = (int64_t)getuid(); /* served here: we asked */
	resp = node_serve(ctx, b.data, b.len);
	node_ctx_close(ctx);
	crdt_buf_fini(&b);
	return resp;
}
