/*
 * client.c: node.h for the thin `ward` (ward_client). ward links no store:
 * node_call asks the daemon that holds the store over the local API
 * socket (localapi.c), and when none listens the process becomes
 * ward-local (execv): the same command with the store linked in, which
 * parses the same arguments, serves the request in its own process and
 * prints the answer (inproc.c). init and network create/join always run
 * there. ward-local is the program beside the running ward
 * (/proc/self/exe), never one found on PATH: a ward and its helper are
 * built and installed together from the same sources.
 */
#include <errno.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"

#define HELPER_NAME "ward-local"

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

/* Reads all of fd (owned bytes in b). */
static int read_all(int fd, struct crdt_buf *b)
{
	uint8_t chunk[4096];
	for (;;) {
		ssize_t got = read(fd, chunk, sizeof(chunk));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -EIO;
		if (got == 0)
			return 0;
		crdt_buf_append(b, chunk, (size_t)got);
	}
}

/* Replaces this process with ward-local, the same command with the store
 * linked in (inproc.c), run with this ward's own arguments: it parses
 * them as this one did, serves the request in its own process and prints
 * the answer. One process throughout: a signal that kills it stops the
 * serving too, and the store is free again the moment it is reaped.
 * Returns only on failure, with a message. */
static void become_local(bool zh, char *msg, size_t msg_len)
{
	char self[NODE_PATH_MAX], path[NODE_PATH_MAX];
	if (beside_self(HELPER_NAME, self, sizeof(self), path, sizeof(path)) !=
	    0) {
		snprintf(msg, msg_len,
			 MSGZ(zh, MSG_CANNOT_FIND_BESIDE_WARD_PROC),
			 HELPER_NAME);
		return;
	}
	/* This ward's own arguments, argv[0] included. */
	struct crdt_buf cmdline;
	crdt_buf_init(&cmdline);
	int cfd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (cfd < 0 || read_all(cfd, &cmdline) != 0 || cmdline.len == 0) {
		snprintf(msg, msg_len, MSGZ(zh, MSG_CANNOT_RUN), path,
			 strerror(errno));
		goto out;
	}
	crdt_buf_append(&cmdline, "", 1);
	size_t n_args = 0;
	for (size_t i = 0; i < cmdline.len; i++)
		n_args += cmdline.data[i] == 0;
	char **args = crdt_xcalloc(n_args + 1, sizeof(*args));
	size_t k = 0;
	for (size_t i = 0; i + 1 < cmdline.len; i += strlen(args[k - 1]) + 1)
		args[k++] = (char *)cmdline.data + i;
	args[k] = NULL;
	fflush(NULL);
	execv(path, args);
	snprintf(msg, msg_len, MSGZ(zh, MSG_CANNOT_RUN), path,
		 strerror(errno));
	free(args);
out:
	if (cfd >= 0)
		close(cfd);
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
	(void)progress; /* a daemon prints none; ward-local decides again */
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
			return node_answer_error(NODE_EXIT_BUSY, msg);
		if (!resp)
			return node_answer_error(
			    NODE_EXIT_BUSY,
			    MSGZ(zh, MSG_NODE_S_DAEMON_DID_NOT));
		return resp;
	}
	crdt_buf_fini(&b);
	become_local(zh, msg, sizeof(msg));
	return node_answer_error(NODE_EXIT_IO, msg);
}

struct node_doc *node_call_offline(const struct node_doc *req, bool progress)
{
	(void)progress;
	char msg[1024] = "";
	become_local(request_zh(req), msg, sizeof(msg));
	return node_answer_error(NODE_EXIT_IO, msg);
}

_Noreturn void node_exit(int rc)
{
	exit(rc);
}

/* init and network create/join work on the node's files: ward-local
 * does them. Returns only when it cannot be run. */
static int setup_call(bool zh, char *msg, size_t msg_len)
{
	become_local(zh, msg, msg_len);
	return NODE_EXIT_IO;
}

int node_init(const struct node_init_opts *o, char *msg, size_t msg_len)
{
	return setup_call(o->zh, msg, msg_len);
}

int node_network_create(const char *dir, const char *const *member_files,
			size_t n_members, const char *out_path, bool zh,
			char *msg, size_t msg_len)
{
	(void)dir, (void)member_files, (void)n_members, (void)out_path;
	return setup_call(zh, msg, msg_len);
}

int node_network_join(const char *dir, const char *roster_path, bool zh,
		      char *msg, size_t msg_len)
{
	(void)dir, (void)roster_path;
	return setup_call(zh, msg, msg_len);
}
