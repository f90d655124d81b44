/*
 * backup.c: `ward backup DIR` and the marker a backup carries. A backup is
 * a data directory of its own: the node's identity and configuration
 * files, and db/, a RocksDB checkpoint of the store (node_kv_checkpoint),
 * consistent at one point between writes even while wardd writes on.
 *
 * Its store holds the meta key "Mbackup" (when it was made), so that a
 * node started from it knows it was restored: it may be behind its own
 * feeds as its peers hold them, and must not sign until a peer has shown
 * it its heads, or it would fork its own feed (DESIGN.md section 5). A raw
 * copy of a data directory carries no marker; the fork it can cause is
 * still caught, and proven to every node.
 */
/* nftw is XSI. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "node/api/node_int.h"

#define META_BACKUP "Mbackup"

/* What a backup copies besides the store; the last two may be absent (a
 * node not yet joined, a node with default settings). */
static const char *const files[] = {
    "node.key", "tls.key", "tls.crt", "node.pub", "roster", "wardd.conf",
};
#define N_REQUIRED 4

static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static bool dir_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	const struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)) != NULL)
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(d);
	return empty;
}

static int fsync_path(const char *path)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -EIO;
	int rc = fsync(fd) == 0 ? 0 : -EIO;
	close(fd);
	return rc;
}

/* Copies src to dst (which must not exist) with src's permission bits,
 * synced. -ENOENT when src is absent, -EIO otherwise. */
static int copy_file(const char *src, const char *dst)
{
	int in = open(src, O_RDONLY);
	if (in < 0)
		return errno == ENOENT ? -ENOENT : -EIO;
	struct stat st;
	if (fstat(in, &st) != 0) {
		close(in);
		return -EIO;
	}
	int out = open(dst, O_WRONLY | O_CREAT | O_EXCL, st.st_mode & 0777);
	if (out < 0) {
		close(in);
		return -EIO;
	}
	int rc = 0;
	char buf[16384];
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n == 0)
			break;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -EIO;
			break;
		}
		for (ssize_t off = 0; rc == 0 && off < n;) {
			ssize_t w = write(out, buf + off, (size_t)(n - off));
			if (w < 0 && errno != EINTR)
				rc = -EIO;
			else if (w > 0)
				off += w;
		}
		if (rc)
			break;
	}
	if (rc == 0 && fsync(out) != 0)
		rc = -EIO;
	if (close(out) != 0)
		rc = -EIO;
	close(in);
	if (rc)
		unlink(dst);
	return rc;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Marks the checkpoint at db as a backup made at ms, and reads what it
 * holds. */
static int mark(const char *db, uint64_t ms, struct node_backup_info *info,
		char *err, size_t err_len)
{
	struct node_kv *kv;
	int rc = node_kv_open_rocks(db, false, &kv, err, err_len);
	if (rc)
		return rc;
	uint8_t v[8];
	for (int i = 0; i < 8; i++)
		v[i] = (uint8_t)(ms >> (56 - 8 * i));
	struct node_kv_batch *b = node_kv_batch_new();
	node_kv_batch_put(b, (const uint8_t *)META_BACKUP, strlen(META_BACKUP),
			  v, sizeof(v));
	rc = node_kv_write(kv, b, true);
	node_kv_batch_free(b);
	struct node_ledger *l;
	if (rc == 0 && (rc = node_ledger_open(kv, &l)) == 0) {
		info->entries = node_ledger_entry_count(l);
		node_ledger_digest(l, info->digest);
		node_ledger_close(l);
	}
	if (rc)
		snprintf(err, err_len, "cannot mark the copy as a backup");
	node_kv_close(kv);
	return rc;
}

int node_ctx_backup(struct node_ctx *n, const char *dir,
		    struct node_backup_info *info, struct node_reason *why)
{
	char path[NODE_PATH_MAX], src[NODE_PATH_MAX], err[512] = "";
	struct stat st;
	bool made_dir = false;
	(void)n;
	if (dir[0] != '/' || strlen(dir) + 16 >= NODE_PATH_MAX) {
		NODE_REASON_LONG(why, MSG_BACKUP_NOT_ABSOLUTE_PATH, dir);
		return -EINVAL;
	}
	if (mkdir(dir, 0700) == 0) {
		made_dir = true;
	} else if (errno != EEXIST) {
		NODE_REASON_LONG(why, MSG_CANNOT_CREATE, dir, strerror(errno));
		return -EIO;
	} else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) ||
		   !dir_empty(dir)) {
		NODE_REASON_LONG(why, MSG_EXISTS_NOT_EMPTY_DIRECTORY_GIVE, dir);
		return -EINVAL;
	} else if (chmod(dir, 0700) != 0) {
		NODE_REASON_LONG(why, MSG_CANNOT_MAKE_PRIVATE, dir,
				 strerror(errno));
		return -EIO;
	}
	/* The keys first: a backup without them restores nothing. */
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		node_path(src, n->dir, files[i]);
		node_path(path, dir, files[i]);
		int rc = copy_file(src, path);
		if (rc == -ENOENT && i >= N_REQUIRED)
			continue;
		if (rc) {
			NODE_REASON_LONG(why, MSG_BACKUP_CANNOT_COPY, src,
					 path);
			goto undo;
		}
	}
	uint64_t ms = wall_ms();
	node_path(path, dir, "db");
	int rc = node_kv_checkpoint(n->kv, path, err, sizeof(err));
	if (rc == 0)
		rc = mark(path, ms, info, err, sizeof(err));
	if (rc == 0)
		rc = fsync_path(dir);
	if (rc) {
		NODE_REASON_LONG(why, MSG_BACKUP_CANNOT_COPY_STORE, path,
				 err[0] ? err : "I/O error");
		goto undo;
	}
	info->made_ms = ms;
	return 0;
undo:
	/* No half backup is left to be mistaken for one. */
	node_path(path, dir, "db");
	nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		node_path(path, dir, files[i]);
		unlink(path);
	}
	if (made_dir)
		rmdir(dir);
	return -EIO;
}

bool node_ctx_restored(struct node_ctx *n)
{
	uint8_t *v;
	size_t len;
	if (node_kv_get(n->kv, (const uint8_t *)META_BACKUP,
			strlen(META_BACKUP), &v, &len) != 0)
		return false;
	free(v);
	return true;
}

int node_ctx_clear_restored(struct node_ctx *n)
{
	struct node_kv_batch *b = node_kv_batch_new();
	node_kv_batch_del(b, (const uint8_t *)META_BACKUP, strlen(META_BACKUP));
	int rc = node_kv_write(n->kv, b, true);
	node_kv_batch_free(b);
	return rc;
}
