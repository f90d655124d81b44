/*
 * kv.h: the ordered key-value store the ledger runs on, behind a small
 * vtable so that production uses RocksDB (store.c, the only file that
 * includes rocksdb/c.h) and the simulator uses memory (memkv.c), which
 * also tells synced writes from unsynced ones so that a simulated crash
 * loses exactly what a real one could.
 *
 * Keys start with one family byte (see ledger_int.h); the RocksDB store maps
 * families to a few column families. All functions run on the caller's
 * thread; a store is used by one thread at a time.
 *
 * Layer node/store (the lowest of node/): may include crdt/ only.
 */
#ifndef WARD_NODE_KV_H
#define WARD_NODE_KV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node_kv;
struct node_kv_batch;
struct node_kv_iter;

/* Opens (creating when create is set) a RocksDB store at path. On failure
 * writes a one-line reason to err. -EBUSY when another process holds it,
 * -ENOENT when absent and !create, -EIO otherwise. */
int node_kv_open_rocks(const char *path, bool create, struct node_kv **out,
		       char *err, size_t err_len);
/* Opens an existing RocksDB store at path read-only: it writes no file
 * and sees every synced write. Writes to it fail (-EIO). -EBUSY while a
 * read-write open holds it (and, while open, a read-write open of it fails
 * with -EBUSY); -ENOENT when there is none. */
int node_kv_open_rocks_ro(const char *path, struct node_kv **out, char *err,
			  size_t err_len);
/* A fresh in-memory store. */
struct node_kv *node_kv_new_mem(void);
/* Memory store only: forgets every write not made with sync (a crash). */
void node_kv_mem_crash(struct node_kv *kv);

/* Faults a memory store can inject into node_kv_write, as a disk would
 * fail it. A failed write changes nothing a reader or a crash could see. */
enum node_kv_fault {
	/* The write fails: the batch is not applied, -EIO. */
	NODE_KV_FAULT_WRITE,
	/* A synced write fails to sync: -EIO. A real batch may or may not
	 * have reached the disk; this one is modelled as not durable and not
	 * applied (RocksDB applies a batch to its memtable only after its
	 * log write succeeded). Unsynced writes are not affected. */
	NODE_KV_FAULT_SYNC,
	/* The disk is full: every write fails with -ENOSPC. */
	NODE_KV_FAULT_FULL,
};

/* Memory store only: arms fault `kind` (replacing any armed one). The next
 * after_writes writes succeed; from then on each write the fault applies to
 * fails with probability per_mille / 1000 (1000 or more: every one), drawn
 * from a generator seeded with seed, until node_kv_mem_fault_clear. */
void node_kv_mem_fault(struct node_kv *kv, enum node_kv_fault kind,
		       uint64_t after_writes, unsigned per_mille,
		       uint64_t seed);
/* Memory store only: disarms the fault; later writes succeed. */
void node_kv_mem_fault_clear(struct node_kv *kv);
/* Memory store only: writes failed by an injected fault so far. */
uint64_t node_kv_mem_faults(const struct node_kv *kv);
/* Closes the store; NULL is a no-op. */
void node_kv_close(struct node_kv *kv);
/* Makes a consistent copy of the whole store in dir, which must not exist
 * (its parent must): a RocksDB checkpoint, hard links to the table files
 * where dir is on the same file system, all at one point between writes.
 * The store stays open and writable meanwhile. -EINVAL for a memory store,
 * -EEXIST when dir exists, -EIO otherwise (a reason in err). */
int node_kv_checkpoint(struct node_kv *kv, const char *dir, char *err,
		       size_t err_len);

/* Compacts the whole store into its last level with the store's own
 * table options (partitioned indexes, bloom filters), as a long-running
 * node's compactions leave it; waits until done. For benchmarks that
 * bulk-load a store. -EINVAL for a memory store, -EIO on failure. */
int node_kv_compact(struct node_kv *kv);

/* A RocksDB integer property ("rocksdb.num-files-at-level0", ...) summed
 * over the store's column families. -EINVAL for a memory store or a name
 * RocksDB does not know. */
int node_kv_property(struct node_kv *kv, const char *name, uint64_t *sum);

/* Whether the store has a flush or compaction running or waiting to run
 * that will end: never for a memory store or a store opened read-only
 * (which reports a compaction pending once level 0 is full, and never
 * runs it), nor once a background job has failed (RocksDB then stops
 * them and keeps reporting them pending). */
bool node_kv_background(struct node_kv *kv);

/* Waits until the store has no flush or compaction running or waiting,
 * at most timeout_ms: true once it has none. A process about to exit
 * lets the work RocksDB started end rather than abort it: a close stops
 * a running compaction, so a program that opens the store for one
 * command and closes it would never finish one. */
bool node_kv_settle(struct node_kv *kv, unsigned timeout_ms);

/* Returns an owned copy of the value (free()), -ENOENT when absent. */
int node_kv_get(struct node_kv *kv, const uint8_t *key, size_t key_len,
		uint8_t **val, size_t *val_len);

struct node_kv_batch *node_kv_batch_new(void);
void node_kv_batch_free(struct node_kv_batch *b);
void node_kv_batch_put(struct node_kv_batch *b, const uint8_t *key,
		       size_t key_len, const uint8_t *val, size_t val_len);
void node_kv_batch_del(struct node_kv_batch *b, const uint8_t *key,
		       size_t key_len);
size_t node_kv_batch_count(const struct node_kv_batch *b);
/* Applies the batch atomically; with sync, durable before it returns. */
int node_kv_write(struct node_kv *kv, struct node_kv_batch *b, bool sync);

/* Iterates keys with the given prefix in byte order. */
struct node_kv_iter *node_kv_iter_new(struct node_kv *kv,
				      const uint8_t *prefix, size_t prefix_len);
/* Moves to the first key >= key (still within the prefix). */
void node_kv_iter_seek(struct node_kv_iter *it, const uint8_t *key,
		       size_t key_len);
bool node_kv_iter_valid(const struct node_kv_iter *it);
void node_kv_iter_next(struct node_kv_iter *it);
const uint8_t *node_kv_iter_key(const struct node_kv_iter *it, size_t *len);
const uint8_t *node_kv_iter_value(const struct node_kv_iter *it, size_t *len);
void node_kv_iter_free(struct node_kv_iter *it);

/* Internal vtable, shared by store.c and memkv.c. */
struct node_kv_ops {
	int (*get)(struct node_kv *kv, const uint8_t *key, size_t key_len,
		   uint8_t **val, size_t *val_len);
	int (*write)(struct node_kv *kv, struct node_kv_batch *b, bool sync);
	struct node_kv_iter *(*iter_new)(struct node_kv *kv,
					 const uint8_t *prefix,
					 size_t prefix_len);
	void (*close)(struct node_kv *kv);
	int (*checkpoint)(struct node_kv *kv, const char *dir, char *err,
			  size_t err_len); /* NULL: not supported */
	int (*compact)(struct node_kv *kv); /* NULL: not supported */
	int (*property)(struct node_kv *kv, const char *name,
			uint64_t *sum); /* NULL: not supported */
	bool (*background)(struct node_kv *kv); /* NULL: never */
};

struct node_kv {
	const struct node_kv_ops *ops;
};

struct node_kv_iter_ops {
	bool (*valid)(const struct node_kv_iter *it);
	void (*next)(struct node_kv_iter *it);
	const uint8_t *(*key)(const struct node_kv_iter *it, size_t *len);
	const uint8_t *(*value)(const struct node_kv_iter *it, size_t *len);
	void (*free)(struct node_kv_iter *it);
	void (*seek)(struct node_kv_iter *it, const uint8_t *key,
		     size_t key_len);
};

struct node_kv_iter {
	const struct node_kv_iter_ops *ops;
};

/* A batch is a plain list of operations; stores replay it. */
struct node_kv_batch_op {
	bool del;
	uint8_t *key;
	size_t key_len;
	uint8_t *val;
	size_t val_len;
};

struct node_kv_batch {
	size_t n, cap;
	struct node_kv_batch_op *ops;
};

#endif
