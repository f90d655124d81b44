/*
 * test_store.c: node/store's RocksDB store, for what a one-shot process
 * (ward-local, node/api/inproc.c) asks of it before it exits:
 * node_kv_background says whether RocksDB has a flush or compaction that
 * will end, and node_kv_settle waits for it.
 *  - a store used read-write lets its compaction finish;
 *  - a store opened read-only reports a compaction pending once level 0
 *    is full, and never runs it: nothing to wait for (ward show after
 *    level 0 filled waited 60 s);
 *  - a store whose flush failed stops its background work and keeps
 *    reporting it pending: nothing to wait for either (every command
 *    waited 60 s).
 * This file defines fsync and fdatasync, which RocksDB's calls reach
 * (the program's own definition wins over libc's), to fail a table's
 * sync on demand.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <rocksdb/c.h>

#include "node/store/kv.h"

static char root[] = "/tmp/ward-test-store.XXXXXX";
static bool fail_tables; /* a table file's sync fails with EIO */

static bool is_table(int fd)
{
	char link[64], path[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, path, sizeof(path) - 1);
	if (n <= 4)
		return false;
	path[n] = 0;
	return !strcmp(path + n - 4, ".sst");
}

int fsync(int fd);
int fdatasync(int fd);

int fsync(int fd)
{
	if (fail_tables && is_table(fd)) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

int fdatasync(int fd)
{
	if (fail_tables && is_table(fd)) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fdatasync, fd);
}

static int setup(void **state)
{
	(void)state;
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

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A store at path (node/store's column families) whose first family
 * holds `tables` table files in level 0: written and flushed one at a
 * time with automatic compactions off, as a store looks after one-shot
 * commands whose compactions were stopped. */
static void make_level0(const char *path, int tables)
{
	static const char *names[3] = {"default", "log", "meta"};
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(o, 1);
	rocksdb_options_set_create_missing_column_families(o, 1);
	rocksdb_options_set_disable_auto_compactions(o, 1);
	const rocksdb_options_t *co[3] = {o, o, o};
	rocksdb_column_family_handle_t *cf[3];
	char *err = NULL;
	rocksdb_t *db = rocksdb_open_column_families(o, path, 3, names, co, cf,
						     &err);
	assert_null(err);
	rocksdb_writeoptions_t *wo = rocksdb_writeoptions_create();
	rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
	rocksdb_flushoptions_set_wait(fo, 1);
	for (int i = 0; i < tables; i++) {
		char key[32], val[256];
		snprintf(key, sizeof(key), "k%04d", i);
		memset(val, 'a' + i % 26, sizeof(val));
		rocksdb_put_cf(db, wo, cf[0], key, strlen(key), val,
			       sizeof(val), &err);
		assert_null(err);
		rocksdb_flush_cf(db, fo, cf[0], &err);
		assert_null(err);
	}
	rocksdb_flushoptions_destroy(fo);
	rocksdb_writeoptions_destroy(wo);
	for (int i = 0; i < 3; i++)
		rocksdb_column_family_handle_destroy(cf[i]);
	rocksdb_close(db);
	rocksdb_options_destroy(o);
}

static uint64_t property(struct node_kv *kv, const char *name)
{
	uint64_t v = 0;
	assert_int_equal(node_kv_property(kv, name, &v), 0);
	return v;
}

/* Read-write, RocksDB compacts a full level 0: settle waits until it
 * has, and then nothing is left to do. */
static void test_settle_read_write(void **state)
{
	(void)state;
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/rw", root);
	make_level0(path, 10);
	struct node_kv *kv;
	assert_int_equal(node_kv_open_rocks(path, false, &kv, err,
					    sizeof(err)),
			 0);
	assert_true(node_kv_settle(kv, 60000));
	assert_false(node_kv_background(kv));
	assert_true(property(kv, "rocksdb.num-files-at-level0") < 8);
	node_kv_close(kv);
}

/* Read-only, RocksDB reports the compaction pending and never runs it:
 * there is nothing to wait for. */
static void test_settle_read_only(void **state)
{
	(void)state;
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/ro", root);
	make_level0(path, 10);
	struct node_kv *kv;
	assert_int_equal(node_kv_open_rocks_ro(path, &kv, err, sizeof(err)),
			 0);
	assert_int_equal(property(kv, "rocksdb.num-files-at-level0"), 10);
	assert_int_equal(property(kv, "rocksdb.compaction-pending"), 1);
	assert_false(node_kv_background(kv));
	double t0 = now_ms();
	assert_true(node_kv_settle(kv, 3000));
	assert_true(now_ms() - t0 < 1000);
	node_kv_close(kv);
}

/* A flush that fails stops RocksDB's background work, which it keeps
 * reporting pending: there is nothing to wait for. */
static void test_settle_after_background_error(void **state)
{
	(void)state;
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/err", root);
	struct node_kv *kv;
	assert_int_equal(node_kv_open_rocks(path, true, &kv, err,
					    sizeof(err)),
			 0);
	/* enough for the next open to flush what it replays (store.c) */
	struct node_kv_batch *b = node_kv_batch_new();
	for (int i = 0; i < 5000; i++) {
		char key[32];
		snprintf(key, sizeof(key), "Sk%05d", i);
		node_kv_batch_put(b, (const uint8_t *)key, strlen(key),
				  (const uint8_t *)"v", 1);
	}
	assert_int_equal(node_kv_write(kv, b, true), 0);
	node_kv_batch_free(b);
	node_kv_close(kv);

	fail_tables = true;
	assert_int_equal(node_kv_open_rocks(path, false, &kv, err,
					    sizeof(err)),
			 0); /* its flush fails; the WAL stays */
	fail_tables = false;
	assert_true(property(kv, "rocksdb.background-errors") > 0);
	assert_false(node_kv_background(kv));
	double t0 = now_ms();
	assert_true(node_kv_settle(kv, 3000));
	assert_true(now_ms() - t0 < 1000);
	node_kv_close(kv);

	/* nothing was lost: the next open replays it */
	assert_int_equal(node_kv_open_rocks(path, false, &kv, err,
					    sizeof(err)),
			 0);
	uint8_t *v;
	size_t len;
	assert_int_equal(node_kv_get(kv, (const uint8_t *)"Sk04999", 7, &v,
				     &len),
			 0);
	free(v);
	node_kv_close(kv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_settle_read_write),
	    cmocka_unit_test(test_settle_read_only),
	    cmocka_unit_test(test_settle_after_background_error),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
