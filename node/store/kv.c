/*
 * kv.c: the store-independent half of kv.h: batches and the dispatch to
 * the RocksDB or memory implementation.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdt/crdt.h"
#include "node/store/kv.h"

int node_kv_get(struct node_kv *kv, const uint8_t *key, size_t key_len,
		uint8_t **val, size_t *val_len)
{
	return kv->ops->get(kv, key, key_len, val, val_len);
}

int node_kv_write(struct node_kv *kv, struct node_kv_batch *b, bool sync)
{
	return kv->ops->write(kv, b, sync);
}

int node_kv_compact(struct node_kv *kv)
{
	return kv->ops->compact ? kv->ops->compact(kv) : -EINVAL;
}

int node_kv_property(struct node_kv *kv, const char *name, uint64_t *sum)
{
	*sum = 0;
	return kv->ops->property ? kv->ops->property(kv, name, sum) : -EINVAL;
}

bool node_kv_background(struct node_kv *kv)
{
	return kv->ops->background ? kv->ops->background(kv) : false;
}

bool node_kv_settle(struct node_kv *kv, unsigned timeout_ms)
{
	struct timespec tick = {0, 5 * 1000 * 1000};
	for (unsigned waited = 0; node_kv_background(kv); waited += 5) {
		if (waited >= timeout_ms)
			return false;
		nanosleep(&tick, NULL);
	}
	return true;
}

int node_kv_checkpoint(struct node_kv *kv, const char *dir, char *err,
		       size_t err_len)
{
	if (!kv->ops->checkpoint) {
		snprintf(err, err_len, "this store cannot make checkpoints");
		return -EINVAL;
	}
	return kv->ops->checkpoint(kv, dir, err, err_len);
}

void node_kv_close(struct node_kv *kv)
{
	if (kv)
		kv->ops->close(kv);
}

struct node_kv_batch *node_kv_batch_new(void)
{
	struct node_kv_batch *b = crdt_xmalloc(sizeof(*b));
	memset(b, 0, sizeof(*b));
	return b;
}

void node_kv_batch_free(struct node_kv_batch *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++) {
		free(b->ops[i].key);
		free(b->ops[i].val);
	}
	free(b->ops);
	free(b);
}

static struct node_kv_batch_op *push(struct node_kv_batch *b,
				     const uint8_t *key, size_t key_len)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->ops = crdt_xrealloc(b->ops, b->cap * sizeof(*b->ops));
	}
	struct node_kv_batch_op *op = &b->ops[b->n++];
	memset(op, 0, sizeof(*op));
	op->key = crdt_xmalloc(key_len);
	memcpy(op->key, key, key_len);
	op->key_len = key_len;
	return op;
}

void node_kv_batch_put(struct node_kv_batch *b, const uint8_t *key,
		       size_t key_len, const uint8_t *val, size_t val_len)
{
	struct node_kv_batch_op *op = push(b, key, key_len);
	op->val = crdt_xmalloc(val_len);
	if (val_len)
		memcpy(op->val, val, val_len);
	op->val_len = val_len;
}

void node_kv_batch_del(struct node_kv_batch *b, const uint8_t *key,
		       size_t key_len)
{
	push(b, key, key_len)->del = true;
}

size_t node_kv_batch_count(const struct node_kv_batch *b)
{
	return b->n;
}

struct node_kv_iter *node_kv_iter_new(struct node_kv *kv,
				      const uint8_t *prefix, size_t prefix_len)
{
	return kv->ops->iter_new(kv, prefix, prefix_len);
}

void node_kv_iter_seek(struct node_kv_iter *it, const uint8_t *key,
		       size_t key_len)
{
	it->ops->seek(it, key, key_len);
}

bool node_kv_iter_valid(const struct node_kv_iter *it)
{
	return it->ops->valid(it);
}

void node_kv_iter_next(struct node_kv_iter *it)
{
	it->ops->next(it);
}

const uint8_t *node_kv_iter_key(const struct node_kv_iter *it, size_t *len)
{
	return it->ops->key(it, len);
}

const uint8_t *node_kv_iter_value(const struct node_kv_iter *it, size_t *len)
{
	return it->ops->value(it, len);
}

void node_kv_iter_free(struct node_kv_iter *it)
{
	if (it)
		it->ops->free(it);
}
