/*
 * inproc.c: node.h's node_call, node_call_offline and node_exit for
 * ward-local, the `ward` that serves its request in its own process (the
 * thin ward becomes it when no daemon answers: client.c). The CLI's code is
 * the same in both programs; only these functions differ. node_init and
 * node_network_create/join come from identity.c here.
 *
 * One command, one open of the store, and the answer printed before the
 * store is let go: node_call keeps the open node, and node_exit ends the
 * process once the CLI has printed. What RocksDB still has to do is a
 * flush or compaction its open started; node_exit lets it finish (the
 * reader already has the answer), since a close aborts a running
 * compaction and a store used only through one-shot commands would
 * otherwise never finish one (level 0 piles up, and every read checks
 * every file in it). While it waits it still holds the store: another
 * command started meanwhile finds it busy, as with any command running.
 * A store opened read-only, or one whose background work failed, has
 * nothing that will end, and node_kv_background says so. When nothing
 * runs it leaves without closing the store: every write was acknowledged
 * only after its synced batch and every sync oneshot.c deferred
 * (node_call turns the answer into an error when one of those failed),
 * so ending the process here is a crash that loses nothing, and RocksDB
 * recovers from exactly that at the next open (it replays the WAL either
 * way: the close flushes nothing, avoid_flush_during_shutdown). The lock
 * RocksDB holds on the store goes with the process.
 *
 * Layer node/api.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"
#include "node/store/kv.h"
#include "node/store/oneshot.h"

/* How long node_exit lets the store's own work run before it closes the
 * store anyway (which stops it; the next open starts it again). */
#define SETTLE_MS 60000

static struct node_ctx *held; /* the node the last node_call opened */

/* Any of the standard descriptors closed (`ward add ... >&-`) gets
 * /dev/null, before the store opens: else RocksDB's next file takes the
 * number and what the command prints goes into that file. */
static void standard_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0 &&
		    open("/dev/null", fd ? O_WRONLY : O_RDONLY) != fd)
			_exit(NODE_EXIT_IO);
}

struct node_doc *node_call(const char *dir, const struct node_doc *req,
			   bool progress)
{
	standard_fds();
	node_ctx_close(held); /* one node at a time (export --with-roster) */
	held = NULL;
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_uint(&b, 1);
	node_doc_encode(req, &b);
	char db[NODE_PATH_MAX];
	node_path(db, dir, "db");
	node_oneshot_manage(db);
	struct node_doc *resp =
	    node_local_call(dir, b.data, b.len, progress, &held);
	crdt_buf_fini(&b);
	/* Every sync oneshot.c ran on a thread of its own has ended before
	 * the answer is shown. A write's WAL sync waits for those started
	 * before it and fails if one did, and oneshot.c runs none on a
	 * thread after a WAL's sync; this holds it whatever the request did:
	 * if one failed, what the answer reports may not survive a power
	 * loss. */
	if (node_oneshot_settle() != 0) {
		const char *lang = node_doc_get_str(req, "lang");
		bool zh = lang && !strcmp(lang, "zh");
		char msg[1024];
		snprintf(msg, sizeof(msg),
			 MSGZ(zh, MSG_SYNC_FAILED_AFTER_WRITE), dir);
		node_doc_free(resp);
		resp = node_answer_error(NODE_EXIT_IO, msg);
	}
	return resp;
}

struct node_doc *node_call_offline(const struct node_doc *req, bool progress)
{
	(void)progress;
	return node_audit_offline(req);
}

_Noreturn void node_exit(int rc)
{
	if (fflush(stdout) != 0 && rc == 0)
		rc = NODE_EXIT_IO; /* the answer did not get out */
	fflush(stderr);
	if (held && node_kv_background(held->kv)) {
		/* Whoever reads the output has it all now: a pipe sees its
		 * end while the store finishes. */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
			close(null);
		}
		if (!node_kv_settle(held->kv, SETTLE_MS))
			node_ctx_close(held); /* stops it, as before */
	}
	_exit(rc);
}
