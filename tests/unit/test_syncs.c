/*
 * test_syncs.c: node/store/syncs.c, linked as ward-local links it (its
 * -Wl,--wrap options, tests/CMakeLists.txt): which syncs in the managed
 * store directory it passes on and which it answers itself.
 */
#include <fcntl.h>
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
#include "node/store/syncs.h"

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ward-syncs.XXXXXX");
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

/* Calls passed on and answered since the last call. */
static struct node_syncs_stats last;
static void expect(uint64_t synced, uint64_t skipped)
{
	struct node_syncs_stats s = node_syncs_stats();
	assert_int_equal(s.synced - last.synced, synced);
	assert_int_equal(s.skipped - last.skipped, skipped);
	last = s;
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
	node_syncs_manage(db);
	last = node_syncs_stats();
	int dfd = open(db, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	/* The first is real: an earlier process may have left entries. */
	assert_int_equal(fsync(dfd), 0);
	expect(1, 0);
	/* Nothing new since: skipped. */
	assert_int_equal(fsync(dfd), 0);
	assert_int_equal(fdatasync(dfd), 0);
	expect(0, 2);

	/* A new WAL: its data and then the directory are synced. */
	int wal = make(db, "000004.log");
	assert_int_equal(fdatasync(wal), 0);
	assert_int_equal(fsync(dfd), 0);
	expect(2, 0);
	assert_int_equal(fsync(dfd), 0);
	expect(0, 1);

	/* OPTIONS files: neither their syncs nor their entries count. */
	int opt = make(db, "OPTIONS-000005.dbtmp");
	assert_int_equal(fsync(opt), 0);
	snprintf(p, sizeof(p), "%s/OPTIONS-000005.dbtmp", db);
	snprintf(q, sizeof(q), "%s/OPTIONS-000006", db);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(fsync(opt), 0); /* now under its final name */
	assert_int_equal(fsync(dfd), 0);
	expect(0, 3);
	close(opt);

	/* A removal makes nothing dirty. */
	snprintf(p, sizeof(p), "%s/000004.log", db);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(fsync(dfd), 0);
	expect(0, 1);

	/* A rename onto CURRENT does; so do link and mkdir. */
	close(make(db, "000007.dbtmp"));
	assert_int_equal(fsync(dfd), 0);
	expect(1, 0);
	snprintf(p, sizeof(p), "%s/000007.dbtmp", db);
	snprintf(q, sizeof(q), "%s/CURRENT", db);
	assert_int_equal(rename(p, q), 0);
	assert_int_equal(fsync(dfd), 0);
	expect(1, 0);
	snprintf(p, sizeof(p), "%s/000008.sst", db);
	assert_int_equal(link(q, p), 0);
	assert_int_equal(fsync(dfd), 0);
	expect(1, 0);
	snprintf(p, sizeof(p), "%s/sub", db);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(fsync(dfd), 0);
	assert_int_equal(fsync(dfd), 0);
	expect(1, 1);

	/* A LOG file is not needed either. */
	close(make(db, "LOG"));
	assert_int_equal(fsync(dfd), 0);
	expect(0, 1);

	/* Every other file is synced, in and outside the directory. */
	assert_int_equal(fdatasync(wal), 0);
	expect(1, 0);
	close(wal);
	int other = make(root, "OPTIONS-000001");
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
	node_syncs_manage(db);
	assert_int_equal(fsync(dfd), 0);
	expect(1, 0);
	close(dfd);
}

/* Before any directory is named, nothing is skipped. */
static void test_unmanaged(void **state)
{
	(void)state;
	node_syncs_manage("/nonexistent/ward-syncs");
	last = node_syncs_stats();
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

/* RocksDB through it: an open, a synced write and a close skip some of
 * their syncs, and a later open reads the write back. */
static void test_rocksdb(void **state)
{
	(void)state;
	char db[128], err[256];
	snprintf(db, sizeof(db), "%s/rdb", root);
	struct node_kv *kv;
	assert_int_equal(node_kv_open_rocks(db, true, &kv, err, sizeof(err)),
			 0);
	node_kv_close(kv);
	node_syncs_manage(db);
	last = node_syncs_stats();
	assert_int_equal(node_kv_open_rocks(db, false, &kv, err, sizeof(err)),
			 0);
	struct node_kv_batch *b = node_kv_batch_new();
	node_kv_batch_put(b, (const uint8_t *)"Sk", 2, (const uint8_t *)"v",
			  1);
	assert_int_equal(node_kv_write(kv, b, true), 0);
	node_kv_batch_free(b);
	node_kv_close(kv);
	struct node_syncs_stats s = node_syncs_stats();
	assert_true(s.skipped - last.skipped >= 3);
	assert_true(s.synced - last.synced >= 2); /* MANIFEST..., the WAL */
	assert_int_equal(node_kv_open_rocks_ro(db, &kv, err, sizeof(err)), 0);
	uint8_t *v;
	size_t len;
	assert_int_equal(node_kv_get(kv, (const uint8_t *)"Sk", 2, &v, &len),
			 0);
	assert_int_equal(len, 1);
	assert_memory_equal(v, "v", 1);
	free(v);
	node_kv_close(kv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_directory_syncs),
	    cmocka_unit_test(test_unmanaged),
	    cmocka_unit_test(test_rocksdb),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
