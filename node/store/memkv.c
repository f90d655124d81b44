/*
 * memkv.c: an in-memory kv.h store for the simulator and tests. It keeps
 * what a real disk would: writes made with sync are durable along with
 * every write before them (a write-ahead log's order); node_kv_mem_crash
 * throws away the rest, as power loss would. It can also fail writes on
 * demand (node_kv_mem_fault): an I/O error, a failed sync, a full disk;
 * a failed write changes nothing, so a test can tell whether the layer
 * above acknowledged only what the store holds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/store/kv.h"

struct pair {
	uint8_t *key;
	size_t key_len;
	uint8_t *val;
	size_t val_len;
};

struct map {
	size_t n, cap;
	struct pair *p;
};

struct mem_kv {
	struct node_kv base;
	struct map cur;
	struct map durable;
	size_t n_pending;
	struct node_kv_batch **pending;
	/* The armed fault (node_kv_mem_fault). */
	bool fault_armed;
	enum node_kv_fault fault_kind;
	uint64_t fault_after;
	unsigned fault_per_mille;
	uint64_t fault_rng;
	uint64_t faults;
};

struct mem_iter {
	struct node_kv_iter base;
	size_t i;
	struct map snap;
};

static uint8_t *dup(const uint8_t *p, size_t n)
{
	uint8_t *q = crdt_xmalloc(n ? n : 1);
	if (n)
		memcpy(q, p, n);
	return q;
}

static int keycmp(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	size_t n = al < bl ? al : bl;
	int r = n ? memcmp(a, b, n) : 0;
	if (r)
		return r;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

static bool map_find(const struct map *m, const uint8_t *k, size_t kl,
		     size_t *pos)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = keycmp(m->p[mid].key, m->p[mid].key_len, k, kl);
		if (r == 0) {
			*pos = mid;
			return true;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return false;
}

static void map_put(struct map *m, const uint8_t *k, size_t kl,
		    const uint8_t *v, size_t vl)
{
	size_t pos;
	if (map_find(m, k, kl, &pos)) {
		free(m->p[pos].val);
		m->p[pos].val = dup(v, vl);
		m->p[pos].val_len = vl;
		return;
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->p = crdt_xrealloc(m->p, m->cap * sizeof(*m->p));
	}
	memmove(&m->p[pos + 1], &m->p[pos], (m->n - pos) * sizeof(*m->p));
	m->p[pos] = (struct pair){dup(k, kl), kl, dup(v, vl), vl};
	m->n++;
}

static void map_del(struct map *m, const uint8_t *k, size_t kl)
{
	size_t pos;
	if (!map_find(m, k, kl, &pos))
		return;
	free(m->p[pos].key);
	free(m->p[pos].val);
	memmove(&m->p[pos], &m->p[pos + 1], (m->n - pos - 1) * sizeof(*m->p));
	m->n--;
}

static void map_clear(struct map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->p[i].key);
		free(m->p[i].val);
	}
	free(m->p);
	memset(m, 0, sizeof(*m));
}

static void map_copy(struct map *dst, const struct map *src)
{
	map_clear(dst);
	dst->n = dst->cap = src->n;
	dst->p = crdt_xmalloc((src->n ? src->n : 1) * sizeof(*dst->p));
	for (size_t i = 0; i < src->n; i++)
		dst->p[i] = (struct pair){dup(src->p[i].key, src->p[i].key_len),
					  src->p[i].key_len,
					  dup(src->p[i].val, src->p[i].val_len),
					  src->p[i].val_len};
}

static void map_apply(struct map *m, const struct node_kv_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct node_kv_batch_op *op = &b->ops[i];
		if (op->del)
			map_del(m, op->key, op->key_len);
		else
			map_put(m, op->key, op->key_len, op->val, op->val_len);
	}
}

static int mem_get(struct node_kv *kv, const uint8_t *key, size_t key_len,
		   uint8_t **val, size_t *val_len)
{
	struct mem_kv *m = (struct mem_kv *)kv;
	size_t pos;
	if (!map_find(&m->cur, key, key_len, &pos))
		return -ENOENT;
	*val = dup(m->cur.p[pos].val, m->cur.p[pos].val_len);
	*val_len = m->cur.p[pos].val_len;
	return 0;
}

static struct node_kv_batch *batch_copy(const struct node_kv_batch *b)
{
	struct node_kv_batch *c = node_kv_batch_new();
	for (size_t i = 0; i < b->n; i++) {
		if (b->ops[i].del)
			node_kv_batch_del(c, b->ops[i].key, b->ops[i].key_len);
		else
			node_kv_batch_put(c, b->ops[i].key, b->ops[i].key_len,
					  b->ops[i].val, b->ops[i].val_len);
	}
	return c;
}

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* The error the armed fault gives this write, or 0 to let it through. */
static int injected(struct mem_kv *m, bool sync)
{
	if (!m->fault_armed)
		return 0;
	if (m->fault_kind == NODE_KV_FAULT_SYNC && !sync)
		return 0;
	if (m->fault_after > 0) {
		m->fault_after--;
		return 0;
	}
	if (m->fault_per_mille < 1000 &&
	    splitmix64(&m->fault_rng) % 1000 >= m->fault_per_mille)
		return 0;
	m->faults++;
	return m->fault_kind == NODE_KV_FAULT_FULL ? -ENOSPC : -EIO;
}

void node_kv_mem_fault(struct node_kv *kv, enum node_kv_fault kind,
		       uint64_t after_writes, unsigned per_mille, uint64_t seed)
{
	struct mem_kv *m = (struct mem_kv *)kv;
	m->fault_armed = true;
	m->fault_kind = kind;
	m->fault_after = after_writes;
	m->fault_per_mille = per_mille;
	m->fault_rng = seed;
}

void node_kv_mem_fault_clear(struct node_kv *kv)
{
	((struct mem_kv *)kv)->fault_armed = false;
}

uint64_t node_kv_mem_faults(const struct node_kv *kv)
{
	return ((const struct mem_kv *)kv)->faults;
}

static int mem_write(struct node_kv *kv, struct node_kv_batch *b, bool sync)
{
	struct mem_kv *m = (struct mem_kv *)kv;
	int rc = injected(m, sync);
	if (rc)
		return rc;
	map_apply(&m->cur, b);
	if (!sync) {
		m->pending = crdt_xrealloc(m->pending, (m->n_pending + 1) *
							   sizeof(*m->pending));
		m->pending[m->n_pending++] = batch_copy(b);
		return 0;
	}
	for (size_t i = 0; i < m->n_pending; i++) {
		map_apply(&m->durable, m->pending[i]);
		node_kv_batch_free(m->pending[i]);
	}
	m->n_pending = 0;
	map_apply(&m->durable, b);
	return 0;
}

void node_kv_mem_crash(struct node_kv *kv)
{
	struct mem_kv *m = (struct mem_kv *)kv;
	for (size_t i = 0; i < m->n_pending; i++)
		node_kv_batch_free(m->pending[i]);
	m->n_pending = 0;
	map_copy(&m->cur, &m->durable);
}

static bool it_valid(const struct node_kv_iter *base)
{
	const struct mem_iter *it = (const struct mem_iter *)base;
	return it->i < it->snap.n;
}

static void it_next(struct node_kv_iter *base)
{
	((struct mem_iter *)base)->i++;
}

static const uint8_t *it_key(const struct node_kv_iter *base, size_t *len)
{
	const struct mem_iter *it = (const struct mem_iter *)base;
	*len = it->snap.p[it->i].key_len;
	return it->snap.p[it->i].key;
}

static const uint8_t *it_value(const struct node_kv_iter *base, size_t *len)
{
	const struct mem_iter *it = (const struct mem_iter *)base;
	*len = it->snap.p[it->i].val_len;
	return it->snap.p[it->i].val;
}

static void it_free(struct node_kv_iter *base)
{
	struct mem_iter *it = (struct mem_iter *)base;
	map_clear(&it->snap);
	free(it);
}

static void it_seek(struct node_kv_iter *base, const uint8_t *key,
		    size_t key_len)
{
	struct mem_iter *it = (struct mem_iter *)base;
	size_t pos;
	map_find(&it->snap, key, key_len, &pos);
	it->i = pos;
}

static const struct node_kv_iter_ops mem_iter_ops = {
	it_valid, it_next, it_key, it_value, it_free, it_seek,
};

/* Iterators see a snapshot, so writes during iteration are safe. */
static struct node_kv_iter *mem_iter_new(struct node_kv *kv,
					 const uint8_t *prefix,
					 size_t prefix_len)
{
	struct mem_kv *m = (struct mem_kv *)kv;
	struct mem_iter *it = crdt_xcalloc(1, sizeof(*it));
	it->base.ops = &mem_iter_ops;
	size_t pos;
	map_find(&m->cur, prefix, prefix_len, &pos);
	for (size_t i = pos; i < m->cur.n; i++) {
		const struct pair *p = &m->cur.p[i];
		if (p->key_len < prefix_len ||
		    (prefix_len && memcmp(p->key, prefix, prefix_len) != 0))
			break;
		map_put(&it->snap, p->key, p->key_len, p->val, p->val_len);
	}
	return &it->base;
}

static void mem_close(struct node_kv *kv)
{
	struct mem_kv *m = (struct mem_kv *)kv;
	for (size_t i = 0; i < m->n_pending; i++)
		node_kv_batch_free(m->pending[i]);
	free(m->pending);
	map_clear(&m->cur);
	map_clear(&m->durable);
	free(m);
}

static const struct node_kv_ops mem_ops = {
	mem_get, mem_write, mem_iter_new, mem_close, NULL, NULL, NULL, NULL,
};

struct node_kv *node_kv_new_mem(void)
{
	struct mem_kv *m = crdt_xcalloc(1, sizeof(*m));
	m->base.ops = &mem_ops;
	return &m->base;
}
