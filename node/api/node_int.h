/*
 * node_int.h: what the node's modules share behind node.h: the open node
 * (identity, store, ledger) and the helpers the API layer, wardd and the
 * tools use. The handlers and what they lend each other are in api.h.
 *
 * Layer node/api: may include node/records, node/ledger, node/store, net/
 * and crdt/; wardd and cli/ (node.h and doc.h only) include it.
 */
#ifndef WARD_NODE_INT_H
#define WARD_NODE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "node/api/doc.h"
#include "node/api/node.h"
#include "node/catalog/catalog.h"
#include "node/ledger/ledger.h"
#include "node/store/kv.h"

#define NODE_PATH_MAX 4096

/* Messages for the operator come from the catalog in the request's
 * language (en, or zh when the request said "lang": "zh"): MSG(n, id),
 * or MSGZ(zh, id) where there is no node_ctx (setting a node up, before
 * the store is open). See node/catalog/catalog.h. */

struct node_ctx {
	char dir[NODE_PATH_MAX];
	uint8_t pk[32];
	uint8_t *sk; /* sodium_malloc'd, 64 bytes */
	struct node_kv *kv;
	struct node_ledger *ledger;
	bool progress;
	/* The operator's language for this request: set by node_serve from
	 * the request's "lang" ("zh"), cleared when the answer is made (wardd
	 * serves every request with one ctx). Only messages for people follow
	 * it (NT); stored data, findings, logs and JSON keys never do. */
	bool lang_zh;
	/* Who asked, for the access log: the OS user of the process at the
	 * other end of wardd's ipc connection (the kernel's SO_PEERCRED,
	 * set per request by wardd), or getuid() when ward serves in its
	 * own process; -1 when unknown. Never what a request claims. */
	int64_t peer_uid;
	/* Asked before this node signs an entry (add, set, retract, a CSV
	 * import): 0, or -EBUSY / -EIO with the reason, and nothing is
	 * signed. node_ctx_open installs node_ctx_daemon_gate; wardd puts
	 * its own (DESIGN.md section 5: a restored node must not fork its
	 * feed). */
	int (*may_sign)(struct node_ctx *n, struct node_reason *why);
	void *may_sign_arg;
	/* Group keys opened from this node's envelopes (keyring.c): in
	 * memory only, made on first use. */
	struct node_keyring *keyring;
};

/* Frees a keyring, wiping the keys (keyring.c; declared here so that
 * node.c, which keyring.c depends on, need not include keyring.h). */
struct node_keyring;
void node_keyring_free(struct node_keyring *k);

/* The unconfirmed-writes marker ("Munconfirmed"): wardd sets it (synced)
 * before the first entry it signs after its heads were last confirmed by
 * a peer, and removes it when a peer confirms them again and at a clean
 * stop. Found at start, it means wardd died after writes no peer has
 * confirmed: the node then waits for a peer before it signs. 0 or a
 * negative errno. */
int node_ctx_mark_unconfirmed(struct node_ctx *n, bool set);
bool node_ctx_unconfirmed(struct node_ctx *n);
/* The gate for ward with no daemon: refuses to sign while the marker is
 * set (wardd died after unconfirmed writes, or this store is a copy of a
 * running node's), since peers may then hold more of this node's own
 * feed than the store does. */
int node_ctx_daemon_gate(struct node_ctx *n, struct node_reason *why);
/* Calls n->may_sign; 0 when signing may go ahead, else -errno and *why. */
int node_ctx_may_sign(struct node_ctx *n, struct node_reason *why);

/* Opens the node in dir: identity and store (read-only: the store opened
 * with node_kv_open_rocks_ro, so the open writes no file and the node's
 * writes fail). 0, or -errno with *why: -ENOTCONN no node here or not
 * initialised, -EBUSY another process holds the store, -EIO. */
int node_ctx_open_why(const char *dir, bool read_only, struct node_ctx **out,
		      struct node_reason *why);
/* The same answering a node_exit code (node_exit_from_errno) with the
 * message in msg (in Chinese when zh), for wardd, the tools and the
 * tests. node_ctx_open is the same with English messages. */
int node_ctx_open_lang(const char *dir, bool zh, struct node_ctx **out,
		       char *msg, size_t msg_len);
int node_ctx_open(const char *dir, struct node_ctx **out, char *msg,
		  size_t msg_len);
/* The same, with the store opened read-only (node_kv_open_rocks_ro): the
 * open writes no file, and the node's writes fail. */
int node_ctx_open_ro(const char *dir, bool zh, struct node_ctx **out,
		     char *msg, size_t msg_len);
void node_ctx_close(struct node_ctx *n);
/* The exit code (enum node_exit) of a result of the local API's error
 * model (api.h, node_api_fn): 0 -> OK, NODE_API_CHECK_FAILED and
 * -EBADMSG (data given that does not verify) -> CHECK,
 * NODE_API_INPUT_REFUSED and -EINVAL -> USAGE, -ENOENT -> NOT_FOUND,
 * -ENOTCONN -> NOT_INIT, -EBUSY/-EAGAIN -> BUSY, any other -> IO
 * (serve.c; the table is in docs/architecture.md, "Errors"). */
#define NODE_API_CHECK_FAILED 1
#define NODE_API_INPUT_REFUSED 2
int node_exit_from_errno(int rc);
/* Its inverse, for a seam that receives an exit code. */
int node_errno_from_exit(int code);
/* The answer document of a result of that model (node.h, node_call):
 * {"ok": true, "result": result[, "exit": 1 or 2]} for rc >= 0 (takes
 * result), else {"ok": false, "error": why in zh or English, "exit"}. */
struct node_doc *node_answer(int rc, struct node_doc *result,
			     const struct node_reason *why, bool zh);
/* {"ok": false, "error": msg, "exit": code}: the answer of a seam that
 * has only an exit code and a message (localapi.c, for ward too). */
struct node_doc *node_answer_error(int code, const char *msg);
/* Reads the node's own Ed25519 key pair from dir/node.key. */
int node_identity_load(const char *dir, uint8_t pk[32], uint8_t **sk);
/* Path join into out (NODE_PATH_MAX). */
void node_path(char *out, const char *dir, const char *name);

/* Serves one encoded request ([1, doc]) against an open node; returns the
 * answer document (owned). */
struct node_doc *node_serve(struct node_ctx *ctx, const uint8_t *req,
			    size_t len);

/* Serves one encoded request ([1, doc]) against the node in dir in this
 * process (serve.c, for ward-local): opens the node, read-only when the
 * request only reads (node_local_read_only), and closes it, or hands it
 * to *keep when keep is not NULL (NULL when the open failed). Returns the
 * answer as node_call does (owned). progress: progress lines on stderr. */
struct node_doc *node_local_call(const char *dir, const uint8_t *req,
				 size_t len, bool progress,
				 struct node_ctx **keep);
/* Whether the local API request cmd never writes to the store. */
bool node_local_read_only(const char *cmd);

/* The local API over ipc:// (localapi.c). The socket is always
 * DIR/ward.sock, never in a shared place: when that path is over a unix
 * socket's 107 bytes it is reached through a descriptor of DIR held here,
 * as /proc/self/fd/N/ward.sock. */
struct node_localapi_addr {
	int dirfd;		      /* DIR; -1 when closed */
	char path[NODE_PATH_MAX];     /* DIR/ward.sock, for people */
	char url[NODE_PATH_MAX + 32]; /* what nng dials or listens on */
};
/* wardd's side, before it binds: opens dir and checks that no other user
 * can create files in it (owned by this user or root, or any owner when
 * run as root; not writable by group or others), removes a stale socket
 * and fills a. Returns 0, or a node_exit code with a message (English: a
 * daemon's). Close with node_localapi_listen_close, which removes the
 * socket. */
int node_localapi_listen_open(const char *dir, struct node_localapi_addr *a,
			      char *msg, size_t msg_len);
void node_localapi_listen_close(struct node_localapi_addr *a);
/* Sends a request to the daemon serving dir. Returns its answer (owned),
 * or NULL with *rc = -ENOENT when no daemon listens (serve in-process);
 * -EPERM when a socket is there but ward must not trust it (its directory
 * is writable by others, or it belongs to another user): nothing was sent
 * and msg says why (in Chinese when zh); -ETIMEDOUT or -EIO when one
 * listens but failed. */
struct node_doc *node_localapi_call(const char *dir, bool zh,
				    const uint8_t *req, size_t len, int *rc,
				    char *msg, size_t msg_len);
/* The name of the user uid (getpwuid_r) into out; "?" for a negative uid
 * (unknown), "uid N" when the system has no name for it. */
void node_uid_name(int64_t uid, char *out, size_t out_len);

/* A member's node.pub file into m (identity.c): 0, or -EINVAL with *why
 * set; its certificate must pass node_member_cert_check and be within its
 * validity period. */
struct node_member;
int node_read_pub(const char *path, struct node_member *m,
		  struct node_reason *why);
/* The roster's certificate policy for m: 0, or -1 with why. */
int node_member_cert_check(const struct node_member *m, char *why,
			   size_t why_len);

/* `ward audit verify --roster CHAIN --entries FILE` (audit_offline.c):
 * the answer document for the request {roster, entries, lang}, served by
 * ward-local with no node open. */
struct node_doc *node_audit_offline(const struct node_doc *req);

/* Hex helpers. */
void node_hex(char *out, const uint8_t *p, size_t n);
int node_unhex(const char *s, uint8_t *out, size_t n);

/* Backups (backup.c). */
struct node_backup_info {
	uint64_t made_ms;   /* when: also the value of the store's "Mbackup" */
	uint64_t entries;   /* entries in the backup */
	uint8_t digest[32]; /* the backup's state digest */
};
/* Makes a backup of the open node in dir (absolute; absent, or an empty
 * directory): made 0700, it receives the node's identity and config files
 * and db/, a consistent checkpoint of the store marked as a backup. Safe
 * while the node writes. Returns 0, or -EINVAL / -EIO with *why; on
 * failure nothing of the backup is left. */
int node_ctx_backup(struct node_ctx *n, const char *dir,
		    struct node_backup_info *info, struct node_reason *why);
/* Whether the node's store is a backup's (it holds "Mbackup"): it was
 * restored, and may be behind its own feeds as its peers hold them. */
bool node_ctx_restored(struct node_ctx *n);
/* Removes the marker, synced (once a peer has confirmed this node's own
 * feeds). 0 or a negative errno. */
int node_ctx_clear_restored(struct node_ctx *n);

#endif
