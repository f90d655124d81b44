/*
 * node.c: opening a node (identity, store, ledger) and the gate asked
 * before it signs. Serving a request against the open node is serve.c's.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"

/* The seams that still answer an exit code and a message (wardd, the
 * tools, the tests): node_ctx_open_why's result, mapped once. */
static int open_mapped(const char *dir, bool zh, bool read_only,
		       struct node_ctx **out, char *msg, size_t msg_len)
{
	struct node_reason why;
	int rc = node_ctx_open_why(dir, read_only, out, &why);
	if (rc)
		node_reason_text(&why, zh ? NODE_LANG_ZH : NODE_LANG_EN, msg,
				 msg_len);
	return node_exit_from_errno(rc);
}

int node_ctx_open(const char *dir, struct node_ctx **out, char *msg,
		  size_t msg_len)
{
	return open_mapped(dir, false, false, out, msg, msg_len);
}

int node_ctx_open_lang(const char *dir, bool zh, struct node_ctx **out,
		       char *msg, size_t msg_len)
{
	return open_mapped(dir, zh, false, out, msg, msg_len);
}

int node_ctx_open_ro(const char *dir, bool zh, struct node_ctx **out,
		     char *msg, size_t msg_len)
{
	return open_mapped(dir, zh, true, out, msg, msg_len);
}

int node_ctx_open_why(const char *dir, bool read_only, struct node_ctx **out,
		      struct node_reason *why)
{
	if (sodium_init() < 0) {
		NODE_REASON0(why, MSG_LIBSODIUM_FAILED_INITIALISE);
		return -EIO;
	}
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		NODE_REASON_LONG(why, MSG_NO_NODE_RUN_WARD_INIT, dir, dir);
		return -ENOTCONN;
	}
	struct node_ctx *n = crdt_xcalloc(1, sizeof(*n));
	snprintf(n->dir, sizeof(n->dir), "%s", dir);
	n->peer_uid = -1;
	int rc = node_identity_load(dir, n->pk, &n->sk);
	if (rc) {
		if (rc == -ENOENT)
			NODE_REASON_LONG(
			    why, MSG_NOT_INITIALISED_RUN_WARD_INIT_2, dir, dir);
		else
			NODE_REASON_LONG(why, MSG_NODE_KEY_UNREADABLE, dir);
		free(n);
		return rc == -ENOENT ? -ENOTCONN : -EIO;
	}
	char path[NODE_PATH_MAX], err[512];
	node_path(path, dir, "db");
	/* A node whose store was never made gets one, read-only or not. */
	rc = read_only ? node_kv_open_rocks_ro(path, &n->kv, err, sizeof(err))
		       : -ENOENT;
	if (rc == -ENOENT)
		rc = node_kv_open_rocks(path, true, &n->kv, err, sizeof(err));
	if (rc) {
		if (rc == -EBUSY)
			NODE_REASON_LONG(
			    why, MSG_STORE_USE_ANOTHER_PROCESS_RUNNING, dir);
		else
			NODE_REASON_LONG(why, MSG_CANNOT_OPEN_STORE, dir, err);
		sodium_free(n->sk);
		free(n);
		return rc == -EBUSY ? -EBUSY : -EIO;
	}
	rc = node_ledger_open(n->kv, &n->ledger);
	if (rc) {
		NODE_REASON_LONG(why, MSG_CANNOT_READ_LEDGER, dir);
		node_kv_close(n->kv);
		sodium_free(n->sk);
		free(n);
		return -EIO;
	}
	n->may_sign = node_ctx_daemon_gate;
	*out = n;
	return 0;
}

/* The unconfirmed-writes marker (node_int.h). Stores of earlier versions
 * kept "Mrunning" while wardd ran; one left behind means the same. */
#define META_UNCONFIRMED "Munconfirmed"
#define META_RUNNING_OLD "Mrunning"

int node_ctx_mark_unconfirmed(struct node_ctx *n, bool set)
{
	struct node_kv_batch *b = node_kv_batch_new();
	const uint8_t *k = (const uint8_t *)META_UNCONFIRMED;
	if (set) {
		uint8_t pid[8];
		uint64_t v = (uint64_t)getpid();
		for (int i = 0; i < 8; i++)
			pid[i] = (uint8_t)(v >> (56 - 8 * i));
		node_kv_batch_put(b, k, strlen(META_UNCONFIRMED), pid, 8);
	} else {
		node_kv_batch_del(b, k, strlen(META_UNCONFIRMED));
		node_kv_batch_del(b, (const uint8_t *)META_RUNNING_OLD,
				  strlen(META_RUNNING_OLD));
	}
	int rc = node_kv_write(n->kv, b, true);
	node_kv_batch_free(b);
	return rc;
}

static bool meta_present(struct node_ctx *n, const char *key)
{
	uint8_t *v;
	size_t len;
	if (node_kv_get(n->kv, (const uint8_t *)key, strlen(key), &v, &len) !=
	    0)
		return false;
	free(v);
	return true;
}

bool node_ctx_unconfirmed(struct node_ctx *n)
{
	return meta_present(n, META_UNCONFIRMED) ||
	       meta_present(n, META_RUNNING_OLD);
}

int node_ctx_daemon_gate(struct node_ctx *n, struct node_reason *why)
{
	if (node_ctx_restored(n)) {
		NODE_REASON_LONG(why, MSG_REFUSED_NOTHING_WRITTEN_NODE_WAS,
				 n->dir);
		return -EBUSY;
	}
	if (!node_ctx_unconfirmed(n))
		return 0;
	NODE_REASON_LONG(why, MSG_REFUSED_NOTHING_WRITTEN_WARDD_DID, n->dir);
	return -EBUSY;
}

int node_ctx_may_sign(struct node_ctx *n, struct node_reason *why)
{
	return n->may_sign ? n->may_sign(n, why) : 0;
}

void node_ctx_close(struct node_ctx *n)
{
	if (!n)
		return;
	node_keyring_free(n->keyring);
	node_ledger_close(n->ledger);
	node_kv_close(n->kv);
	sodium_free(n->sk);
	free(n);
}
