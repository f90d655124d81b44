/*
 * localapi.c: the local API's transport, nng req/rep over ipc:// inside the
 * data directory (socket mode 0600). The CLI asks a running wardd here;
 * when nothing listens it serves the request in its own process.
 *
 * The socket never lives anywhere but in the data directory: a shared,
 * world-writable place such as /tmp lets another local user bind the path
 * first, receive the records a `ward add` carries, and keep wardd from
 * starting (issue 8, finding 8). A unix socket's path is limited to 107
 * bytes; when DIR/ward.sock is longer, both sides reach the same file
 * through a descriptor of the directory, as /proc/self/fd/N/ward.sock.
 * Before it sends a byte, ward checks that the directory is not writable
 * by other users and that the socket belongs to the user it runs as (or,
 * for root, to the directory's owner): only they could have bound it
 * there. wardd makes the same directory check before it binds.
 */
#include <errno.h>
#include <fcntl.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "node/api/node_int.h"

#define LOCALAPI_TIMEOUT_MS (10 * 60 * 1000)
#define SOCK_NAME "ward.sock"

/* Whether a file owned by uid may be trusted by this process: its own,
 * root's, and, for root, the data directory owner's (root acting on a
 * node run by another user trusts that user with the node). */
static bool trusted_owner(uid_t uid, uid_t dir_owner)
{
	uid_t me = geteuid();
	return uid == me || uid == 0 || (me == 0 && uid == dir_owner);
}

/* The directory check both sides make: only the owner (a trusted user)
 * may create files in it. */
static int check_dir(const struct stat *st, const char *dir, bool daemon,
		     bool zh, char *msg, size_t msg_len)
{
	char who[64];
	if (!trusted_owner(st->st_uid, st->st_uid)) {
		node_uid_name((int64_t)st->st_uid, who, sizeof(who));
		snprintf(msg, msg_len,
			 MSGZ(zh, MSG_DATA_DIRECTORY_BELONGS_USER_UID),
			 dir, who, (unsigned)st->st_uid,
			 daemon ? "wardd" : "ward");
		return daemon ? NODE_EXIT_USAGE : NODE_EXIT_BUSY;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		if (daemon)
			snprintf(
			    msg, msg_len,
			    MSGZ(zh, MSG_DATA_DIRECTORY_WRITABLE_OTHER_USERS),
			    dir, (unsigned)(st->st_mode & 07777), dir);
		else
			snprintf(
			    msg, msg_len,
			    MSGZ(zh, MSG_NOTHING_SENT_WARDD_DATA_DIRECTORY),
			    dir, (unsigned)(st->st_mode & 07777), dir);
		return daemon ? NODE_EXIT_USAGE : NODE_EXIT_BUSY;
	}
	return 0;
}

/* Fills a->url for the socket in a->dirfd: the path itself when it fits
 * a unix socket address, else the path through /proc/self/fd. */
static int make_url(struct node_localapi_addr *a, const char *dir,
		    const struct stat *dir_st, bool zh, char *msg,
		    size_t msg_len)
{
	char abs[NODE_PATH_MAX];
	struct sockaddr_un sa;
	if (!realpath(dir, abs))
		snprintf(abs, sizeof(abs), "%s", dir);
	node_path(a->path, abs, SOCK_NAME);
	if (strlen(a->path) < sizeof(sa.sun_path)) {
		snprintf(a->url, sizeof(a->url), "ipc://%s", a->path);
		return 0;
	}
	char via[64];
	struct stat st;
	snprintf(via, sizeof(via), "/proc/self/fd/%d", a->dirfd);
	if (stat(via, &st) != 0 || st.st_dev != dir_st->st_dev ||
	    st.st_ino != dir_st->st_ino) {
		snprintf(msg, msg_len,
			 MSGZ(zh, MSG_SOCKET_PATH_BYTES_OVER_BYTES),
			 a->path, strlen(a->path), sizeof(sa.sun_path) - 1);
		return NODE_EXIT_USAGE;
	}
	snprintf(a->url, sizeof(a->url), "ipc://%s/%s", via, SOCK_NAME);
	return 0;
}

int node_localapi_listen_open(const char *dir, struct node_localapi_addr *a,
			      char *msg, size_t msg_len)
{
	struct stat st;
	a->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a->dirfd < 0 || fstat(a->dirfd, &st) != 0) {
		snprintf(msg, msg_len, "cannot open the data directory %s: %s",
			 dir, strerror(errno));
		if (a->dirfd >= 0)
			close(a->dirfd);
		a->dirfd = -1;
		return NODE_EXIT_IO;
	}
	int rc = check_dir(&st, dir, true, false, msg, msg_len);
	if (!rc)
		rc = make_url(a, dir, &st, false, msg, msg_len);
	if (rc) {
		close(a->dirfd);
		a->dirfd = -1;
		return rc;
	}
	/* A stale socket of a daemon that died: this directory is ours. */
	unlinkat(a->dirfd, SOCK_NAME, 0);
	return 0;
}

void node_localapi_listen_close(struct node_localapi_addr *a)
{
	if (a->dirfd < 0)
		return;
	unlinkat(a->dirfd, SOCK_NAME, 0);
	close(a->dirfd);
	a->dirfd = -1;
}

/* Checks the socket ward is about to talk to. 0, or NODE_EXIT_BUSY with
 * a message, and nothing may be sent. */
static int check_socket(const struct stat *dir_st, const struct stat *st,
			const char *dir, bool zh, char *msg, size_t msg_len)
{
	int rc = check_dir(dir_st, dir, false, zh, msg, msg_len);
	if (rc)
		return rc;
	if (trusted_owner(st->st_uid, dir_st->st_uid))
		return 0;
	char who[64];
	node_uid_name((int64_t)st->st_uid, who, sizeof(who));
	snprintf(msg, msg_len,
		 MSGZ(zh, MSG_NOTHING_SENT_WARDD_BELONGS_USER),
		 dir, SOCK_NAME, who, (unsigned)st->st_uid);
	return NODE_EXIT_BUSY;
}

struct node_doc *node_localapi_call(const char *dir, bool zh,
				    const uint8_t *req, size_t len, int *rc,
				    char *msg, size_t msg_len)
{
	struct node_localapi_addr a = {.dirfd = -1};
	struct stat dir_st, st;
	*rc = -ENOENT;
	a.dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a.dirfd < 0)
		return NULL;
	if (fstat(a.dirfd, &dir_st) != 0 ||
	    fstatat(a.dirfd, SOCK_NAME, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
	    !S_ISSOCK(st.st_mode)) {
		close(a.dirfd);
		return NULL;
	}
	int bad = check_socket(&dir_st, &st, dir, zh, msg, msg_len);
	if (!bad)
		bad = make_url(&a, dir, &dir_st, zh, msg, msg_len);
	if (bad) {
		close(a.dirfd);
		*rc = -EPERM;
		return NULL;
	}
	nng_socket s;
	if (nng_req0_open(&s) != 0) {
		close(a.dirfd);
		return NULL;
	}
	nng_setopt_size(s, NNG_OPT_RECVMAXSZ, 64u << 20);
	nng_setopt_ms(s, NNG_OPT_RECVTIMEO, LOCALAPI_TIMEOUT_MS);
	nng_setopt_ms(s, NNG_OPT_SENDTIMEO, 5000);
	/* A stale socket from a crashed daemon refuses: serve here. The dial
	 * is synchronous, so the directory's descriptor may close after. */
	int dialed = nng_dial(s, a.url, NULL, 0);
	close(a.dirfd);
	if (dialed != 0) {
		nng_close(s);
		return NULL;
	}
	*rc = -EIO;
	struct node_doc *d = NULL;
	void *buf = NULL;
	size_t n = 0;
	if (nng_send(s, (void *)req, len, 0) == 0 &&
	    nng_recv(s, &buf, &n, NNG_FLAG_ALLOC) == 0) {
		if (node_doc_decode(buf, n, &d) == 0)
			*rc = 0;
		nng_free(buf, n);
	} else {
		*rc = -ETIMEDOUT;
	}
	nng_close(s);
	return d;
}
