/*
 * localapi.c: the local API's transport, req/rep over a unix socket inside
 * the data directory (socket mode 0600). wardd listens with nng's rep0 on
 * ipc://; the CLI asks it here, speaking the same bytes without nng (see
 * "the client's side" below); when nothing listens it serves the request
 * in ward-local.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "crdt/crdt.h"
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

/* ---- the client's side of the socket ----
 *
 * ward speaks nng's req/rep protocol over the unix socket itself, so that
 * the command links no nng (and no TLS library) and starts no threads:
 * nng's initialisation alone started 13 threads per `ward status`. The
 * bytes are nng's SP-over-IPC transport (docs/protocol.md, "The local
 * API"): each side first sends an 8-byte header, 0 'S' 'P' 0 and its
 * protocol number (req0 0x30, rep0 0x31) as a big-endian u16, then 0 0;
 * each message is the byte 1, its length as a big-endian u64, and the
 * message. A request's message starts with the 4-byte request id, its top
 * bit set; the reply starts with the same 4 bytes. */

#define SP_REQ0 0x30
#define SP_REP0 0x31
#define SP_SEND_TIMEOUT_MS 5000
#define SP_MAX_REPLY (64u << 20)

static int sp_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = SP_SEND_TIMEOUT_MS / 1000};
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	tv.tv_sec = LOCALAPI_TIMEOUT_MS / 1000;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int sp_write(int fd, const uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t w = send(fd, p, len, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return errno == EAGAIN ? -ETIMEDOUT : -EIO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int sp_read(int fd, uint8_t *p, size_t len)
{
	while (len > 0) {
		ssize_t r = recv(fd, p, len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -EIO;
		if (r == 0)
			return -EIO; /* the daemon closed: it stopped */
		p += r;
		len -= (size_t)r;
	}
	return 0;
}

/* Sends req and reads its reply's body into *out (owned). 0, -EIO or
 * -ETIMEDOUT. */
static int sp_request(int fd, const uint8_t *req, size_t len, uint8_t **out,
		      size_t *out_len)
{
	uint8_t hello[8] = {0, 'S', 'P', 0, SP_REQ0 >> 8, SP_REQ0 & 0xff,
			    0, 0};
	uint8_t peer[8];
	uint32_t id = 0x80000000u | ((uint32_t)getpid() & 0x7fffffffu);
	uint8_t head[1 + 8 + 4];
	uint64_t total = (uint64_t)len + 4;
	head[0] = 1;
	for (int i = 0; i < 8; i++)
		head[1 + i] = (uint8_t)(total >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		head[9 + i] = (uint8_t)(id >> (24 - 8 * i));
	int rc = sp_write(fd, hello, sizeof(hello));
	if (!rc)
		rc = sp_read(fd, peer, sizeof(peer));
	if (!rc && (peer[0] != 0 || peer[1] != 'S' || peer[2] != 'P' ||
		    peer[3] != 0 || peer[4] != (SP_REP0 >> 8) ||
		    peer[5] != (SP_REP0 & 0xff)))
		rc = -EIO; /* not a ward daemon's rep socket */
	if (!rc)
		rc = sp_write(fd, head, sizeof(head));
	if (!rc)
		rc = sp_write(fd, req, len);
	if (rc)
		return rc;
	/* Replies to an earlier id cannot come on a fresh connection, but
	 * a reply must name ours. */
	uint8_t rhead[9];
	if ((rc = sp_read(fd, rhead, sizeof(rhead))) != 0)
		return rc;
	uint64_t rlen = 0;
	for (int i = 0; i < 8; i++)
		rlen = rlen << 8 | rhead[1 + i];
	if (rhead[0] != 1 || rlen < 4 || rlen > SP_MAX_REPLY)
		return -EIO;
	uint8_t *body = crdt_xmalloc((size_t)rlen);
	if ((rc = sp_read(fd, body, (size_t)rlen)) != 0) {
		free(body);
		return rc;
	}
	uint32_t got = (uint32_t)body[0] << 24 | (uint32_t)body[1] << 16 |
		       (uint32_t)body[2] << 8 | body[3];
	if (got != id) {
		free(body);
		return -EIO;
	}
	memmove(body, body + 4, (size_t)rlen - 4);
	*out = body;
	*out_len = (size_t)rlen - 4;
	return 0;
}

struct node_doc *node_answer_error(int code, const char *msg)
{
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "ok", node_doc_bool(false));
	node_doc_set(d, "error", node_doc_str(msg));
	node_doc_set(d, "exit", node_doc_int(code));
	return d;
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
	/* A stale socket from a crashed daemon refuses: serve here. The
	 * connect is synchronous, so the directory's descriptor may close
	 * after. */
	int fd = sp_connect(a.url + strlen("ipc://"));
	close(a.dirfd);
	if (fd < 0)
		return NULL;
	struct node_doc *d = NULL;
	uint8_t *buf = NULL;
	size_t n = 0;
	*rc = sp_request(fd, req, len, &buf, &n);
	if (*rc == 0) {
		if (node_doc_decode(buf, n, &d) != 0)
			*rc = -EIO;
		free(buf);
	}
	close(fd);
	return d;
}
