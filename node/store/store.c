/*
 * store.c: the RocksDB implementation of kv.h, and the only file that
 * includes rocksdb/c.h. Three column families keep access patterns apart:
 * `log` (entries, appended and read by range), `meta` (roster, digest,
 * proofs: tiny and hot) and `default` (state, cells and indexes). Memory is
 * bounded by one small shared block cache and a total write-buffer budget.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <rocksdb/c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/store/kv.h"

#define CF_DEFAULT 0
#define CF_LOG 1
#define CF_META 2
#define N_CF 3

static const char *cf_names[N_CF] = {"default", "log", "meta"};

struct rocks_kv {
	struct node_kv base;
	rocksdb_t *db;
	rocksdb_options_t *opts;
	rocksdb_cache_t *cache;
	rocksdb_block_based_table_options_t *table;
	rocksdb_column_family_handle_t *cf[N_CF];
	rocksdb_readoptions_t *ro;
	rocksdb_writeoptions_t *wo_sync;
	rocksdb_writeoptions_t *wo_nosync;
	int lock_fd; /* read-only: the shared lock on LOCK; else -1 */
};

struct rocks_iter {
	struct node_kv_iter base;
	rocksdb_iterator_t *it;
	uint8_t *prefix;
	size_t prefix_len;
	rocksdb_readoptions_t *ro;
};

static int family(const uint8_t *key, size_t len)
{
	if (len == 0)
		return CF_DEFAULT;
	if (key[0] == 'L')
		return CF_LOG;
	if (key[0] == 'M' || key[0] == 'P')
		return CF_META;
	return CF_DEFAULT;
}

static int rocks_get(struct node_kv *kv, const uint8_t *key, size_t key_len,
		     uint8_t **val, size_t *val_len)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	char *err = NULL;
	size_t len;
	char *v = rocksdb_get_cf(r->db, r->ro, r->cf[family(key, key_len)],
				 (const char *)key, key_len, &len, &err);
	if (err) {
		fprintf(stderr, "store.get error=\"%s\"\n", err);
		rocksdb_free(err);
		return -EIO;
	}
	if (!v)
		return -ENOENT;
	uint8_t *copy = crdt_xmalloc(len ? len : 1);
	memcpy(copy, v, len);
	rocksdb_free(v);
	*val = copy;
	*val_len = len;
	return 0;
}

/* Orders batch operations by column family and key, and keeps the batch's
 * order among operations on the same key (the last one wins). */
static int op_cmp(const void *pa, const void *pb)
{
	const struct node_kv_batch_op *a =
	    *(const struct node_kv_batch_op *const *)pa;
	const struct node_kv_batch_op *b =
	    *(const struct node_kv_batch_op *const *)pb;
	int fa = family(a->key, a->key_len), fb = family(b->key, b->key_len);
	if (fa != fb)
		return fa < fb ? -1 : 1;
	size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
	int c = memcmp(a->key, b->key, n);
	if (c)
		return c;
	if (a->key_len != b->key_len)
		return a->key_len < b->key_len ? -1 : 1;
	return a < b ? -1 : a > b; /* same key: batch order */
}

static int rocks_write(struct node_kv *kv, struct node_kv_batch *b, bool sync)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
	/* The memtable is a skiplist that starts each insert from where the
	 * last one ended: a large batch inserted in key order walks a short
	 * way each time instead of descending from the top for each key. */
	struct node_kv_batch_op **order = crdt_xcalloc(b->n, sizeof(*order));
	for (size_t i = 0; i < b->n; i++)
		order[i] = &b->ops[i];
	if (b->n > 1)
		qsort(order, b->n, sizeof(*order), op_cmp);
	for (size_t i = 0; i < b->n; i++) {
		struct node_kv_batch_op *op = order[i];
		rocksdb_column_family_handle_t *cf =
			r->cf[family(op->key, op->key_len)];
		if (op->del)
			rocksdb_writebatch_delete_cf(wb, cf, (const char *)op->key,
						     op->key_len);
		else
			rocksdb_writebatch_put_cf(wb, cf, (const char *)op->key,
						  op->key_len,
						  (const char *)op->val,
						  op->val_len);
	}
	free(order);
	char *err = NULL;
	rocksdb_write(r->db, sync ? r->wo_sync : r->wo_nosync, wb, &err);
	rocksdb_writebatch_destroy(wb);
	if (err) {
		fprintf(stderr, "store.write error=\"%s\"\n", err);
		rocksdb_free(err);
		return -EIO;
	}
	return 0;
}

static bool it_valid(const struct node_kv_iter *base)
{
	const struct rocks_iter *it = (const struct rocks_iter *)base;
	if (!rocksdb_iter_valid(it->it))
		return false;
	size_t len;
	const char *k = rocksdb_iter_key(it->it, &len);
	return len >= it->prefix_len && memcmp(k, it->prefix, it->prefix_len) == 0;
}

static void it_next(struct node_kv_iter *base)
{
	rocksdb_iter_next(((struct rocks_iter *)base)->it);
}

static const uint8_t *it_key(const struct node_kv_iter *base, size_t *len)
{
	return (const uint8_t *)rocksdb_iter_key(
		((const struct rocks_iter *)base)->it, len);
}

static const uint8_t *it_value(const struct node_kv_iter *base, size_t *len)
{
	return (const uint8_t *)rocksdb_iter_value(
		((const struct rocks_iter *)base)->it, len);
}

static void it_free(struct node_kv_iter *base)
{
	struct rocks_iter *it = (struct rocks_iter *)base;
	rocksdb_iter_destroy(it->it);
	rocksdb_readoptions_destroy(it->ro);
	free(it->prefix);
	free(it);
}

static void it_seek(struct node_kv_iter *base, const uint8_t *key,
		    size_t key_len)
{
	rocksdb_iter_seek(((struct rocks_iter *)base)->it, (const char *)key,
			  key_len);
}

static const struct node_kv_iter_ops rocks_iter_ops = {
	it_valid, it_next, it_key, it_value, it_free, it_seek,
};

static struct node_kv_iter *rocks_iter_new(struct node_kv *kv,
					   const uint8_t *prefix,
					   size_t prefix_len)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	struct rocks_iter *it = crdt_xcalloc(1, sizeof(*it));
	it->base.ops = &rocks_iter_ops;
	it->prefix = crdt_xmalloc(prefix_len ? prefix_len : 1);
	memcpy(it->prefix, prefix, prefix_len);
	it->prefix_len = prefix_len;
	/* Scans fill the cache too: with partitioned indexes a scan that did
	 * not would read its index partition again for every data block
	 * (audit's integrity pass took twice as long). Index and filter
	 * blocks sit in the cache's high-priority pool, so a long scan
	 * evicts data blocks first. */
	it->ro = rocksdb_readoptions_create();
	it->it = rocksdb_create_iterator_cf(r->db, it->ro,
					    r->cf[family(prefix, prefix_len)]);
	rocksdb_iter_seek(it->it, (const char *)prefix, prefix_len);
	return &it->base;
}

static void rocks_close(struct node_kv *kv)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	for (int i = 0; i < N_CF; i++)
		if (r->cf[i])
			rocksdb_column_family_handle_destroy(r->cf[i]);
	if (r->db)
		rocksdb_close(r->db);
	rocksdb_readoptions_destroy(r->ro);
	rocksdb_writeoptions_destroy(r->wo_sync);
	rocksdb_writeoptions_destroy(r->wo_nosync);
	rocksdb_options_destroy(r->opts);
	rocksdb_block_based_options_destroy(r->table);
	rocksdb_cache_destroy(r->cache);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	free(r);
}

/* How many WAL files the store holds: each open starts one, and until a
 * flush every later open replays them all. */
static int wal_files(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return 0;
	int n = 0;
	const struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		if (len > 4 && !strcmp(e->d_name + len - 4, ".log"))
			n++;
	}
	closedir(d);
	return n;
}

/* Keys the open replayed from the WAL into the memtables. */
static uint64_t replayed_keys(struct rocks_kv *r)
{
	uint64_t sum = 0, v;
	for (int i = 0; i < N_CF; i++)
		if (rocksdb_property_int_cf(
			r->db, r->cf[i], "rocksdb.num-entries-active-mem-table",
			&v) == 0)
			sum += v;
	return sum;
}

/* Flushes what the open replayed when it is worth a table file per
 * column family: more than 16 WAL files (a replay costs about 0.1 ms
 * each), or more than 4,096 keys (a long-lived process closed with full
 * memtables, or crashed). Fewer are left for a later open. A failed flush
 * loses nothing: the WAL stays. */
static void flush_recovered(struct rocks_kv *r, const char *path)
{
	uint64_t keys = replayed_keys(r);
	if (wal_files(path) <= 16 && keys <= 4096)
		return;
	if (keys == 0) {
		/* Only empty WALs (commands that wrote nothing): RocksDB 7.8
		 * deletes them only after a memtable flush (fixed upstream in
		 * facebook/rocksdb#11409), and an empty memtable does not
		 * flush. One key in the meta family gives it one to flush. */
		static const char key[] = "Mstore-flush";
		char *err = NULL;
		rocksdb_put_cf(r->db, r->wo_nosync, r->cf[CF_META], key,
			       sizeof(key) - 1, "", 0, &err);
		if (err) {
			fprintf(stderr, "store.put error=\"%s\"\n", err);
			rocksdb_free(err);
			return;
		}
	}
	rocksdb_flushoptions_t *fo = rocksdb_flushoptions_create();
	rocksdb_flushoptions_set_wait(fo, 1);
	for (int i = 0; i < N_CF; i++) {
		char *err = NULL;
		rocksdb_flush_cf(r->db, fo, r->cf[i], &err);
		if (err) {
			fprintf(stderr, "store.flush error=\"%s\"\n", err);
			rocksdb_free(err);
		}
	}
	rocksdb_flushoptions_destroy(fo);
}

/* A checkpoint is RocksDB's consistent copy of an open database: it
 * flushes the memtables (log_size_for_flush 0), so the copy needs no WAL
 * replay, then links or copies every live file at one sequence number. A
 * batch is all in it or not at all, so every entry in it is whole. */
static int rocks_checkpoint(struct node_kv *kv, const char *dir, char *err_out,
			    size_t err_len)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	char *err = NULL;
	if (access(dir, F_OK) == 0) {
		snprintf(err_out, err_len, "%s exists", dir);
		return -EEXIST;
	}
	rocksdb_checkpoint_t *cp =
	    rocksdb_checkpoint_object_create(r->db, &err);
	if (!err)
		rocksdb_checkpoint_create(cp, dir, 0, &err);
	if (cp)
		rocksdb_checkpoint_object_destroy(cp);
	if (err) {
		fprintf(stderr, "store.checkpoint error=\"%s\"\n", err);
		snprintf(err_out, err_len, "%s", err);
		rocksdb_free(err);
		return -EIO;
	}
	return 0;
}

/* compact_range over each whole column family, with this store's options,
 * so the tables it writes have the partitioned indexes and filters every
 * table a node writes has. */
static int rocks_compact(struct node_kv *kv)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	for (int i = 0; i < N_CF; i++)
		rocksdb_compact_range_cf(r->db, r->cf[i], NULL, 0, NULL, 0);
	return 0;
}

static int rocks_property(struct node_kv *kv, const char *name,
			  uint64_t *sum)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	for (int i = 0; i < N_CF; i++) {
		uint64_t v;
		if (rocksdb_property_int_cf(r->db, r->cf[i], name, &v) != 0) {
			/* some (num-files-at-levelN) exist only as text */
			char *text = rocksdb_property_value_cf(r->db, r->cf[i],
							       name);
			char *end = NULL;
			v = text ? strtoull(text, &end, 10) : 0;
			bool ok = text && end != text && *end == 0;
			rocksdb_free(text);
			if (!ok)
				return -EINVAL;
		}
		*sum += v;
	}
	return 0;
}

static bool rocks_background(struct node_kv *kv)
{
	struct rocks_kv *r = (struct rocks_kv *)kv;
	if (r->lock_fd >= 0) /* read-only: it compacts nothing */
		return false;
	uint64_t n = 0;
	if (rocks_property(kv, "rocksdb.background-errors", &n) != 0 || n)
		return false; /* stopped: nothing more will end */
	/* pending: RocksDB has decided to run it; running: it runs */
	static const char *const work[] = {
	    "rocksdb.compaction-pending",
	    "rocksdb.mem-table-flush-pending",
	    "rocksdb.num-running-compactions",
	    "rocksdb.num-running-flushes",
	};
	for (size_t i = 0; i < sizeof(work) / sizeof(work[0]); i++) {
		n = 0;
		if (rocks_property(kv, work[i], &n) == 0 && n)
			return true;
	}
	return false;
}

static const struct node_kv_ops rocks_ops = {
	rocks_get,	  rocks_write,	   rocks_iter_new,
	rocks_close,	  rocks_checkpoint, rocks_compact,
	rocks_property,	  rocks_background,
};

/* A store object with every option set, not opened yet (NULL: out of
 * memory). */
static struct rocks_kv *configure(bool create)
{
	struct rocks_kv *r = crdt_xcalloc(1, sizeof(*r));
	r->base.ops = &rocks_ops;
	r->lock_fd = -1;
	r->opts = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(r->opts, create);
	rocksdb_options_set_create_missing_column_families(r->opts, 1);
	rocksdb_options_set_db_write_buffer_size(r->opts, 32u << 20);
	rocksdb_options_set_write_buffer_size(r->opts, 8u << 20);
	rocksdb_options_set_max_open_files(r->opts, 256);
	/* Every L0 table holds keys from all over the state (an entry writes
	 * cells, indexes, history), so each L0 -> L1 compaction rewrites all
	 * of L1. Compacting eight tables at a time instead of four halves
	 * that work: an ingest of 100,000 registrations used 12% less CPU.
	 * L0 stays well below the slowdown trigger (20). */
	rocksdb_options_set_level0_file_num_compaction_trigger(r->opts, 8);
	rocksdb_options_set_keep_log_file_num(r->opts, 2);
	rocksdb_options_set_info_log_level(r->opts, 3 /* ERROR */);
	/* The CLI opens and closes the store per command: keep that cheap. */
	rocksdb_options_set_max_background_jobs(r->opts, 2);
	rocksdb_options_set_skip_stats_update_on_db_open(r->opts, 1);
	/* A command writes one entry: its synced WAL is enough. Closing
	 * without a flush (avoid_flush_during_shutdown) only moves the flush
	 * to the next open, which by default writes each column family's
	 * replayed memtable to a table file: three tiny L0 files per command,
	 * each read by every later lookup. avoid_flush_during_recovery keeps
	 * the replayed data in memory and its WAL on disk instead, and
	 * flush_recovered writes it out once enough has gathered. The C API
	 * has no setters for these.
	 *
	 * No preallocation (allow_fallocate=false, and none for the
	 * MANIFEST): each open starts a new WAL and MANIFEST, and a file
	 * preallocated at its first write has the unused space cut off again
	 * when closed; both cost a command 1-2 ms on a loaded machine
	 * (ftruncate freeing 4 MiB of extents) for files that stay small.
	 *
	 * An OPTIONS file that cannot be written does not fail the open
	 * (fail_if_options_file_error, the default in 7.8, set here for later
	 * versions): ward-local does not write one where the store has one
	 * (node/store/oneshot.c). */
	rocksdb_options_set_manifest_preallocation_size(r->opts, 0);
	rocksdb_options_set_max_total_wal_size(r->opts, 4u << 20);
	char *oerr = NULL;
	rocksdb_options_t *tuned = rocksdb_options_create();
	rocksdb_get_options_from_string(
	    r->opts,
	    "avoid_flush_during_shutdown=true;"
	    "avoid_flush_during_recovery=true;"
	    "max_file_opening_threads=1;"
	    "skip_checking_sst_file_sizes_on_db_open=true;"
	    "allow_fallocate=false;"
	    "fail_if_options_file_error=false;"
	    "stats_dump_period_sec=0;"
	    "stats_persist_period_sec=0",
	    tuned, &oerr);
	if (oerr) {
		rocksdb_free(oerr); /* keep the defaults: slower, still safe */
		rocksdb_options_destroy(tuned);
	} else {
		rocksdb_options_destroy(r->opts);
		r->opts = tuned;
	}
	r->cache = rocksdb_cache_create_lru(16u << 20);
	r->table = rocksdb_block_based_options_create();
	rocksdb_block_based_options_set_block_cache(r->table, r->cache);
	/* Most lookups while applying are for keys that do not exist yet. */
	rocksdb_block_based_options_set_filter_policy(
		r->table, rocksdb_filterpolicy_create_bloom(10));
	/* A table's index and filter grow with it (3 MB for a 50 MB table)
	 * and were read whole by every open that touched the table.
	 * Partitioned, an open reads a small top-level index and a lookup
	 * the one partition it needs, through the shared block cache. */
	rocksdb_block_based_options_set_index_type(
	    r->table,
	    rocksdb_block_based_table_index_type_two_level_index_search);
	rocksdb_block_based_options_set_partition_filters(r->table, 1);
	rocksdb_block_based_options_set_metadata_block_size(r->table, 4096);
	rocksdb_block_based_options_set_cache_index_and_filter_blocks(r->table,
								      1);
	rocksdb_block_based_options_set_cache_index_and_filter_blocks_with_high_priority(
	    r->table, 1);
	rocksdb_block_based_options_set_pin_top_level_index_and_filter(r->table,
								       1);
	rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(
	    r->table, 1);
	rocksdb_options_set_block_based_table_factory(r->opts, r->table);
	r->ro = rocksdb_readoptions_create();
	r->wo_sync = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(r->wo_sync, 1);
	r->wo_nosync = rocksdb_writeoptions_create();
	return r;
}

/* Translates a failed open's error into the codes of kv.h and frees r. */
static int open_failed(struct rocks_kv *r, char *err, char *err_out,
		       size_t err_len)
{
	int rc = -EIO;
	if (strstr(err, "lock") || strstr(err, "Resource temporarily"))
		rc = -EBUSY;
	else if (strstr(err, "does not exist"))
		rc = -ENOENT;
	snprintf(err_out, err_len, "%s", err);
	rocksdb_free(err);
	r->db = NULL;
	memset(r->cf, 0, sizeof(r->cf));
	rocks_close(&r->base);
	return rc;
}

int node_kv_open_rocks(const char *path, bool create, struct node_kv **out,
		       char *err_out, size_t err_len)
{
	struct rocks_kv *r = configure(create);
	if (!r)
		return -ENOMEM;
	const rocksdb_options_t *cf_opts[N_CF] = {r->opts, r->opts, r->opts};
	char *err = NULL;
	r->db = rocksdb_open_column_families(r->opts, path, N_CF, cf_names,
					     cf_opts, r->cf, &err);
	if (err)
		return open_failed(r, err, err_out, err_len);
	flush_recovered(r, path);
	*out = &r->base;
	return 0;
}

/* A read-only open writes nothing: no MANIFEST, OPTIONS, WAL or info LOG
 * file (RocksDB 7.8 makes none of them read-only). It replays every WAL
 * into memory, so it sees every synced write, and it takes no LOCK. It
 * takes a shared fcntl lock on LOCK instead, the kind RocksDB's exclusive
 * one conflicts with: while a writer holds the store the open fails with
 * -EBUSY, as a read-write open would, and while it is open no writer can
 * start, so no compaction or flush deletes a file under it. Readers do
 * not exclude each other. */
int node_kv_open_rocks_ro(const char *path, struct node_kv **out,
			  char *err_out, size_t err_len)
{
	char lock[4096];
	snprintf(lock, sizeof(lock), "%s/LOCK", path);
	int fd = open(lock, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err_out, err_len, "%s: %s", lock, strerror(errno));
		return errno == ENOENT ? -ENOENT : -EIO;
	}
	struct flock fl = {.l_type = F_RDLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_SETLK, &fl) != 0) {
		int e = errno;
		snprintf(err_out, err_len, "lock %s: %s", lock, strerror(e));
		close(fd);
		return e == EAGAIN || e == EACCES ? -EBUSY : -EIO;
	}
	struct rocks_kv *r = configure(false);
	if (!r) {
		close(fd);
		return -ENOMEM;
	}
	r->lock_fd = fd;
	const rocksdb_options_t *cf_opts[N_CF] = {r->opts, r->opts, r->opts};
	char *err = NULL;
	r->db = rocksdb_open_for_read_only_column_families(
	    r->opts, path, N_CF, cf_names, cf_opts, r->cf, 0, &err);
	if (err)
		return open_failed(r, err, err_out, err_len);
	*out = &r->base;
	return 0;
}
