/*
 * test_oneshot.c: node/store/oneshot.c, linked as ward-local links it (its
 * -Wl,--wrap options, tests/CMakeLists.txt): which syncs in the managed
 * store directory it passes on and which it answers itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "node/store/kv.h"
#include "node/store/oneshot.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ward-oneshot.XXXXXX");
	assert_non_null(mkdtemp(root));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Syncs made, skipped and started on threads since the last call. */
static struct node_oneshot_stats last;
static void expect3(uint64_t synced, uint64_t skipped, uint64_t deferred)
{
	struct node_oneshot_stats s = node_oneshot_stats();
	assert_int_equal(s.synced - last.synced, synced);
	assert_int_equal(s.skipped - last.skipped, skipped);
	assert_int_equal(s.deferred - last.deferred, deferred);
	last = s;
}

static void expect(uint64_t synced, uint64_t skipped)
{
	expect3(synced, skipped, 0);
}

/* Descriptors this process has open. */
static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	assert_non_null(d);
	int n = 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

static int make(const char *dir, const char *name)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	return fd;
}

static void test_directory_syncs(void **state)
{
	(void)state;
	char db[128], p[256], q[256];
	snprintf(db, sizeof(db), "%s/db", root);
	assert_int_equal(mkdir(db, 0755), 0);
	node_oneshot_manage(db);
	last = node_oneshot_stats();
	int dfd = open(db, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	/* The first is real (an earlier process may have left entries),
	 * made on a thread of its own like every real directory sync here:
	 * the next sync, or name made or removed, waits for it. */
	assert_int_equal(fsync(dfd), 0);
	expect3(0, 0, 1); /* on a thread */
	/* Nothing new since: skipped. */
	assert_int_equal(fsync(dfd), 0);
	assert_int_equal(fdatasync(dfd), 0);
	expect(0, 2);

	/* A new WAL: its data and then the directory are synced, in place:
	 * RocksDB acknowledges a write right after the directory sync that
	 * follows a new WAL's first sync, and from a WAL's sync on (a write
	 * acknowledged) no directory sync is deferred, so that its failure
	 * fails the write. */
	int wal = make(db, "000004.log");
	assert_int_equal(fdatasync(wal), 0);
	assert_int_equal(fsync(dfd), 0);
	expect3(2, 0, 0);
	assert_int_equal(fsync(dfd), 0);
	expect(0, 1);

	/* The first OPTIONS file is made and synced like any other. */
	int opt = make(db, "OPTIONS-000005.dbtmp");
	assert_int_equal(fsync(opt), 0);
	snprintf(p, sizeof(p), "%s/OPTIONS-000005.dbtmp", db);
	snprintf(q, sizeof(q), "%s/OPTIONS-000006", db);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(fsync(dfd), 0);
	expect3(1, 0, 1); /* the temporary file's on a thread */
	close(opt);
	/* Once the store has one, no other is made. */
	snprintf(p, sizeof(p), "%s/OPTIONS-000007.dbtmp", db);
	errno = 0;
	assert_int_equal(open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644), -1);
	assert_int_equal(errno, EACCES);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(node_oneshot_stats().refused - last.refused, 1);
	last = node_oneshot_stats();
	/* but opening one that exists, and anything else, works */
	int again = open(q, O_RDONLY);
	assert_true(again >= 0);
	close(again);
	close(make(root, "OPTIONS-000001.dbtmp"));
	assert_int_equal(fsync(dfd), 0);
	expect(0, 1);

	/* A removal makes nothing dirty (and is made on a thread). */
	snprintf(p, sizeof(p), "%s/000004.log", db);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(node_oneshot_finish(), 0);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(fsync(dfd), 0);
	expect(0, 1);

	/* A rename onto CURRENT does; so do link and mkdir. */
	close(make(db, "000007.dbtmp"));
	assert_int_equal(fsync(dfd), 0);
	expect3(1, 0, 0);
	snprintf(p, sizeof(p), "%s/000007.dbtmp", db);
	snprintf(q, sizeof(q), "%s/CURRENT", db);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(fsync(dfd), 0);
	expect3(1, 0, 0);
	snprintf(p, sizeof(p), "%s/000008.sst", db);
	assert_int_equal(link(q, p), 0);
	assert_int_equal(fsync(dfd), 0);
	expect3(1, 0, 0); /* a table's entry: synced in place */
	snprintf(p, sizeof(p), "%s/sub", db);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(fsync(dfd), 0);
	assert_int_equal(fsync(dfd), 0);
	expect3(1, 1, 0);

	/* A LOG file is not needed either. */
	close(make(db, "LOG"));
	assert_int_equal(fsync(dfd), 0);
	expect(0, 1);

	/* Files are synced, in and outside the directory. */
	assert_int_equal(fdatasync(wal), 0);
	expect(1, 0);
	close(wal);
	int other = make(root, "OPTIONS-000002");
	assert_int_equal(fsync(other), 0);
	expect(1, 0);
	close(other);

	/* Another directory is always synced, however clean. */
	int rfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(rfd >= 0);
	assert_int_equal(fsync(rfd), 0);
	assert_int_equal(fsync(rfd), 0);
	expect(2, 0);
	close(rfd);

	/* Naming the directory again starts dirty. */
	node_oneshot_manage(db);
	assert_int_equal(fsync(dfd), 0);
	expect3(0, 0, 1);
	close(dfd);
}

/* MANIFEST and temporary files are synced on threads of their own; a
 * name made or removed in the directory, and any other sync, waits for
 * them. WALs and tables are synced in place. */
static void test_deferred(void **state)
{
	(void)state;
	char db[128], p[256], q[256];
	snprintf(db, sizeof(db), "%s/ddb", root);
	assert_int_equal(mkdir(db, 0755), 0);
	node_oneshot_manage(db);
	last = node_oneshot_stats();
	int fds = open_fds();

	int man = make(db, "MANIFEST-000010");
	assert_int_equal(fdatasync(man), 0);
	int cur = make(db, "000011.dbtmp");
	assert_int_equal(fdatasync(cur), 0);
	close(cur); /* RocksDB closes it before the rename: the sync holds a
		       descriptor of its own */
	expect3(0, 0, 2);
	snprintf(p, sizeof(p), "%s/000011.dbtmp", db);
	snprintf(q, sizeof(q), "%s/CURRENT", db);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(node_oneshot_settle(), 0);
	assert_int_equal(open_fds(), fds + 1); /* man only */

	int wal = make(db, "000012.log");
	assert_int_equal(fdatasync(wal), 0);
	/* A flush: its table, the directory with the table's entry and the
	 * MANIFEST edit naming it are synced in place, in that order. */
	int sst = make(db, "000013.sst");
	assert_int_equal(fsync(sst), 0);
	int dfd = open(db, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(fsync(dfd), 0);
	assert_int_equal(fdatasync(man), 0); /* its second sync */
	expect3(4, 0, 0);
	/* After a WAL's sync (a write acknowledged) a directory sync is made
	 * in place: RocksDB acknowledges the next write right after the one
	 * that follows a new WAL's first sync, so a deferred one failing
	 * would go unseen. */
	close(make(db, "000014.log"));
	assert_int_equal(fsync(dfd), 0);
	expect3(1, 0, 0);
	close(dfd);
	snprintf(p, sizeof(p), "%s/000009.log", db);
	close(make(db, "000009.log"));
	assert_int_equal(unlink(p), 0); /* gone once the directory is synced */
	expect3(0, 0, 0);
	assert_int_equal(node_oneshot_finish(), 0);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(node_oneshot_settle(), 0);
	close(wal);
	close(sst);
	close(man);
	assert_int_equal(open_fds(), fds);

	/* An old MANIFEST is removed on a thread, after the syncs running
	 * (here a new MANIFEST's first) have ended; finish waits for it. */
	int man2 = make(db, "MANIFEST-000015");
	assert_int_equal(fdatasync(man2), 0);
	close(make(db, "MANIFEST-000003"));
	snprintf(p, sizeof(p), "%s/MANIFEST-000003", db);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(node_oneshot_stats().postponed - last.postponed, 1);
	expect3(0, 0, 1);
	assert_int_equal(node_oneshot_finish(), 0);
	assert_int_equal(access(p, F_OK), -1);
	close(man2);

	/* Outside the directory a MANIFEST is synced in place. */
	int out = make(root, "MANIFEST-000001");
	assert_int_equal(fdatasync(out), 0);
	expect3(1, 0, 0);
	close(out);
}

/* Before any directory is named, nothing is skipped. */
static void test_unmanaged(void **state)
{
	(void)state;
	node_oneshot_manage("/nonexistent/ward-oneshot");
	last = node_oneshot_stats();
	int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);
	assert_int_equal(fsync(dfd), 0);
	assert_int_equal(fsync(dfd), 0);
	int f = make(root, "OPTIONS-000009");
	assert_int_equal(fsync(f), 0);
	expect(3, 0);
	close(f);
	close(dfd);
}

/* The OPTIONS files in dir, one line each. */
static void options_files(const char *dir, char *out, size_t len)
{
	out[0] = '\0';
	DIR *d = opendir(dir);
	assert_non_null(d);
	const struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (!strncmp(e->d_name, "OPTIONS-", 8)) {
			strncat(out, e->d_name, len - strlen(out) - 2);
			strcat(out, "\n");
		}
	closedir(d);
}

/* Opens dir read-write as ward-local does, writes a key synced, closes. */
static void put(const char *dir, const char *key)
{
	char err[256];
	struct node_kv *kv;
	assert_int_equal(node_kv_open_rocks(dir, false, &kv, err, sizeof(err)),
			 0);
	struct node_kv_batch *b = node_kv_batch_new();
	node_kv_batch_put(b, (const uint8_t *)key, strlen(key),
			  (const uint8_t *)"v", 1);
	assert_int_equal(node_kv_write(kv, b, true), 0);
	node_kv_batch_free(b);
	node_kv_close(kv);
}

static void get(const char *dir, const char *key)
{
	char err[256];
	struct node_kv *kv;
	assert_int_equal(node_kv_open_rocks_ro(dir, &kv, err, sizeof(err)), 0);
	uint8_t *v;
	size_t len;
	assert_int_equal(node_kv_get(kv, (const uint8_t *)key, strlen(key), &v,
				     &len),
			 0);
	assert_int_equal(len, 1);
	assert_memory_equal(v, "v", 1);
	free(v);
	node_kv_close(kv);
}

/* RocksDB through it: an open, a synced write and a close skip syncs and
 * write no OPTIONS file where the store has one; one without gets one;
 * later opens read the writes back. */
static void test_rocksdb(void **state)
{
	(void)state;
	char db[128], err[256], before[1024], after[1024], path[1200];
	snprintf(db, sizeof(db), "%s/rdb", root);
	struct node_kv *kv;
	assert_int_equal(node_kv_open_rocks(db, true, &kv, err, sizeof(err)),
			 0);
	node_kv_close(kv);
	options_files(db, before, sizeof(before));
	assert_true(strlen(before) > 0);

	node_oneshot_manage(db);
	last = node_oneshot_stats();
	put(db, "Sk");
	struct node_oneshot_stats s = node_oneshot_stats();
#if WARD_ROCKSDB_STATIC
	assert_int_equal(s.refused - last.refused, 1);
	assert_true(s.skipped - last.skipped >= 1); /* the WAL's directory */
	assert_true(s.synced - last.synced >= 1);     /* the WAL */
	assert_true(s.deferred - last.deferred >= 3); /* MANIFEST, CURRENT, dir */
	assert_true(s.postponed - last.postponed >= 1); /* the old MANIFEST */
	assert_int_equal(node_oneshot_finish(), 0);
	options_files(db, after, sizeof(after));
	assert_string_equal(before, after);
#else
	/* RocksDB is a shared library in this build (the sanitizers'):
	 * --wrap reaches only the calls linked into the program, so
	 * RocksDB's go straight to libc: an ordinary open, nothing refused,
	 * deferred or skipped, and the store works all the same. */
	assert_int_equal(s.refused - last.refused, 0);
	assert_int_equal(s.deferred - last.deferred, 0);
	assert_int_equal(node_oneshot_finish(), 0);
#endif
	get(db, "Sk");

	/* Without an OPTIONS file the open writes one. */
	char *line = before, *nl;
	while ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		snprintf(path, sizeof(path), "%s/%s", db, line);
		assert_int_equal(unlink(path), 0);
		line = nl + 1;
	}
	node_oneshot_manage(db);
	last = node_oneshot_stats();
	put(db, "Sl");
	assert_int_equal(node_oneshot_stats().refused - last.refused, 0);
	options_files(db, after, sizeof(after));
	assert_true(strlen(after) > 0);
	get(db, "Sk");
	get(db, "Sl");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_directory_syncs),
	    cmocka_unit_test(test_deferred),
	    cmocka_unit_test(test_unmanaged),
	    cmocka_unit_test(test_rocksdb),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
