/*
 * client.c: node.h for the thin `ward` (ward_client). ward links no store:
 * node_call asks the daemon that holds the store over the local API
 * socket (localapi.c), and when none listens hands the same encoded
 * request to ward-local (node/wardd/ward_local.c), which serves it. init and network
 * create/join always run there. ward-local is the program beside the running
 * ward (/proc/self/exe), never one found on PATH: a ward and its helper are
 * built and installed together, and each speaks the other's version of the
 * message. ward becomes ward-local (execv) and ward-local becomes ward again
 * with the answer, so one process serves the command from start to end.
 */
#define _GNU_SOURCE /* memfd_create */
#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"

#define HELPER_NAME "ward-local"
#define ANSWER_ENV "WARD_LOCAL_ANSWER_FD"

static struct node_doc *error_doc(int code, const char *msg)
{
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "ok", node_doc_bool(false));
	node_doc_set(d, "error", node_doc_str(msg));
	node_doc_set(d, "exit", node_doc_int(code));
	return d;
}

/* The file beside the running program called name. */
static int beside_self(const char *name, char *self, size_t self_len, char *out,
		       size_t out_len)
{
	ssize_t n = readlink("/proc/self/exe", self, self_len - 1);
	if (n <= 0)
		return -ENOENT;
	self[n] = 0;
	const char *slash = strrchr(self, '/');
	if (!slash)
		return -ENOENT;
	if ((size_t)snprintf(out, out_len, "%.*s/%s", (int)(slash - self), self,
			     name) >= out_len)
		return -EINVAL;
	return 0;
}

/* Reads all of fd from its start (owned bytes in b). */
static int read_all(int fd, struct crdt_buf *b)
{
	uint8_t chunk[65536];
	off_t off = 0;
	for (;;) {
		ssize_t got = pread(fd, chunk, sizeof(chunk), off);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -EIO;
		if (got == 0)
			return 0;
		crdt_buf_append(b, chunk, (size_t)got);
		off += got;
	}
}

/* The answer ward-local left for this process, when it ran first: the
 * document in the descriptor WARD_LOCAL_ANSWER_FD names. */
static struct node_doc *answer_left(void)
{
	const char *v = getenv(ANSWER_ENV);
	if (!v)
		return NULL;
	int fd = atoi(v);
	unsetenv(ANSWER_ENV);
	struct crdt_buf b;
	crdt_buf_init(&b);
	struct node_doc *d = NULL;
	if (read_all(fd, &b) != 0 || node_doc_decode(b.data, b.len, &d) != 0)
		d = NULL;
	crdt_buf_fini(&b);
	close(fd);
	return d;
}

/* Replaces this process with ward-local, which serves the request and
 * then runs this same ward again with the same arguments, the answer in a
 * memory file (answer_left). One process throughout, as when ward served
 * requests itself: a signal that kills it stops the serving too, and the
 * store is free again the moment it is reaped. Returns only on failure,
 * with a message. */
static void exec_helper(const char *dir, const uint8_t *req, size_t len,
			bool progress, bool zh, char *msg, size_t msg_len)
{
	char self[NODE_PATH_MAX], path[NODE_PATH_MAX], fdtxt[16];
	if (beside_self(HELPER_NAME, self, sizeof(self), path, sizeof(path)) !=
	    0) {
		snprintf(msg, msg_len,
			 MSGZ(zh, MSG_CANNOT_FIND_BESIDE_WARD_PROC),
			 HELPER_NAME);
		return;
	}
	/* This ward's own arguments, to run it again. */
	struct crdt_buf cmdline;
	crdt_buf_init(&cmdline);
	int cfd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	int fd = memfd_create("ward-request", 0);
	if (cfd < 0 || read_all(cfd, &cmdline) != 0 || cmdline.len == 0 ||
	    fd < 0 || pwrite(fd, req, len, 0) != (ssize_t)len) {
		snprintf(msg, msg_len,
			 MSGZ(zh, MSG_CANNOT_RUN), path,
			 strerror(errno));
		goto out;
	}
	crdt_buf_append(&cmdline, "", 1);
	size_t n_args = 0;
	for (size_t i = 0; i < cmdline.len; i++)
		n_args += cmdline.data[i] == 0;
	char **args = crdt_xcalloc(n_args + 8, sizeof(*args));
	size_t k = 0;
	snprintf(fdtxt, sizeof(fdtxt), "%d", fd);
	args[k++] = (char *)HELPER_NAME;
	args[k++] = fdtxt;
	if (progress)
		args[k++] = "--progress";
	args[k++] = (char *)dir;
	args[k++] = "--";
	args[k++] = self;
	for (size_t i = 0; i + 1 < cmdline.len; i += strlen(args[k - 1]) + 1)
		args[k++] = (char *)cmdline.data + i;
	args[k] = NULL;
	execv(path, args);
	snprintf(msg, msg_len, MSGZ(zh, MSG_CANNOT_RUN),
		 path, strerror(errno));
	free(args);
out:
	if (cfd >= 0)
		close(cfd);
	if (fd >= 0)
		close(fd);
	crdt_buf_fini(&cmdline);
}

static bool request_zh(const struct node_doc *req)
{
	const char *lang = node_doc_get_str(req, "lang");
	return lang && !strcmp(lang, "zh");
}

/* Whether another process holds the store's lock (RocksDB takes an
 * fcntl write lock on db/LOCK while it has the store open). */
static bool store_locked(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/db/LOCK", dir);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	bool held = fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK;
	close(fd);
	return held;
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
	struct node_doc *resp = answer_left();
	if (resp) {
		crdt_buf_fini(&b);
		return resp;
	}
	resp =
	    node_localapi_call(dir, zh, b.data, b.len, &rc, msg, sizeof(msg));
	/* No socket to talk to, yet another process holds the store: a
	 * daemon starting or stopping (its socket comes and goes around
	 * its lock). Ask it again for a few seconds rather than fail. */
	for (int tries = 0; !resp && rc == -ENOENT && tries < 30 &&
			    store_locked(dir);
	     tries++) {
		struct timespec ts = {0, 100 * 1000 * 1000};
		nanosleep(&ts, NULL);
		resp = node_localapi_call(dir, zh, b.data, b.len, &rc, msg,
					  sizeof(msg));
	}
	if (resp || rc != -ENOENT) {
		crdt_buf_fini(&b);
		if (!resp && rc == -EPERM)
			return error_doc(NODE_EXIT_BUSY, msg);
		if (!resp)
			return error_doc(
			    NODE_EXIT_BUSY,
			    MSGZ(zh, MSG_NODE_S_DAEMON_DID_NOT));
		return resp;
	}
	exec_helper(dir, b.data, b.len, progress, zh, msg, sizeof(msg));
	crdt_buf_fini(&b);
	return error_doc(NODE_EXIT_IO, msg);
}

/* A setup request (init, network create/join) served by ward-local:
 * its exit code, and its message in msg. */
static int setup_call(const char *dir, struct node_doc *req, const char *cmd,
		      bool zh, char *msg, size_t msg_len)
{
	node_doc_set(req, "cmd", node_doc_str(cmd));
	if (zh)
		node_doc_set(req, "lang", node_doc_str("zh"));
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_uint(&b, 1);
	node_doc_encode(req, &b);
	node_doc_free(req);
	struct node_doc *resp = answer_left();
	if (!resp)
		exec_helper(dir, b.data, b.len, false, zh, msg, msg_len);
	crdt_buf_fini(&b);
	if (!resp)
		return NODE_EXIT_IO;
	int rc = (int)node_doc_get_int(resp, "exit", NODE_EXIT_IO);
	const char *m = node_doc_get_str(resp, "message");
	snprintf(msg, msg_len, "%s", m ? m : "");
	node_doc_free(resp);
	return rc;
}

struct node_doc *node_call_offline(const struct node_doc *req, bool progress)
{
	const char *lang = node_doc_get_str(req, "lang");
	bool zh = lang && !strcmp(lang, "zh");
	char msg[1024] = "";
	struct node_doc *resp = answer_left();
	if (resp)
		return resp;
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_uint(&b, 1);
	node_doc_encode(req, &b);
	exec_helper(".", b.data, b.len, progress, zh, msg, sizeof(msg));
	crdt_buf_fini(&b);
	return error_doc(NODE_EXIT_IO, msg);
}

static void set_str(struct node_doc *d, const char *key, const char *v)
{
	if (v)
		node_doc_set(d, key, node_doc_str(v));
}

int node_init(const struct node_init_opts *o, char *msg, size_t msg_len)
{
	struct node_doc *req = node_doc_object();
	set_str(req, "role", o->role);
	set_str(req, "name", o->name);
	set_str(req, "scope", o->scope);
	set_str(req, "listen", o->listen);
	return setup_call(o->dir, req, "init", o->zh, msg, msg_len);
}

int node_network_create(const char *dir, const char *const *member_files,
			size_t n_members, const char *out_path, bool zh,
			char *msg, size_t msg_len)
{
	struct node_doc *req = node_doc_object();
	struct node_doc *m = node_doc_array();
	for (size_t i = 0; i < n_members; i++)
		node_doc_push(m, node_doc_str(member_files[i]));
	node_doc_set(req, "members", m);
	set_str(req, "out", out_path);
	return setup_call(dir, req, "network_create", zh, msg, msg_len);
}

int node_network_join(const char *dir, const char *roster_path, bool zh,
		      char *msg, size_t msg_len)
{
	struct node_doc *req = node_doc_object();
	set_str(req, "roster", roster_path);
	return setup_call(dir, req, "network_join", zh, msg, msg_len);
}
