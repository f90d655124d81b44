/*
 * ledger_read.c: the ledger's read API over its key layout (ledger_int.h):
 * records by id prefix and by type, a record's cells and history, the
 * findings, the log in feed order, and the comparison of two stores'
 * state that audit makes. Only node/ledger/ knows how keys are laid out;
 * everything above reads through these functions and ledger.h's.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger/finding.h"
#include "node/ledger/ledger.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/schema.h"

/* Decodes a feed written by key_feed at k[0..len): author(32) slen scope.
 * Returns the bytes used, or 0 when malformed. */
static size_t feed_decode(const uint8_t *k, size_t len, uint8_t author[32],
			  char scope[13])
{
	if (len < 33 || k[32] > 12 || len < 33u + k[32])
		return 0;
	memcpy(author, k, 32);
	memcpy(scope, k + 33, k[32]);
	scope[k[32]] = '\0';
	return 33u + k[32];
}

static int each_id(struct node_ledger *l, const uint8_t *prefix, size_t plen,
		   size_t id_at_end, node_ledger_id_fn fn, void *ctx)
{
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), prefix, plen);
	if (!it)
		return -ENOMEM;
	int rc = 0;
	for (; rc == 0 && node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		if (id_at_end ? kl < plen + 16 : kl != 17)
			continue;
		rc = fn(ctx, id_at_end ? key + kl - 16 : key + 1);
	}
	node_kv_iter_free(it);
	return rc;
}

int node_ledger_each_id(struct node_ledger *l, const uint8_t *prefix,
			size_t len, node_ledger_id_fn fn, void *ctx)
{
	if (len > 16)
		return -EINVAL;
	struct key k;
	key_init(&k, 'E');
	key_bytes(&k, prefix, len);
	return each_id(l, k.b, k.len, false, fn, ctx);
}

int node_ledger_each_of_type(struct node_ledger *l, const char *type,
			     node_ledger_id_fn fn, void *ctx)
{
	size_t tl = strlen(type);
	if (tl > 255)
		return -EINVAL;
	struct key k;
	key_init(&k, 'T');
	key_str(&k, type, tl);
	return each_id(l, k.b, k.len, true, fn, ctx);
}

int node_ledger_each_cell(struct node_ledger *l, const uint8_t id[16],
			  node_ledger_cell_fn fn, void *ctx)
{
	struct key k;
	key_init(&k, 'C');
	key_bytes(&k, id, 16);
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), k.b, k.len);
	if (!it)
		return -ENOMEM;
	int rc = 0;
	for (; rc == 0 && node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		const uint8_t *val = node_kv_iter_value(it, &vl);
		/* 'C' entity(16) flen(1) field */
		if (kl < 18 || kl != 18u + key[17] || key[17] > 63)
			continue;
		char field[64];
		memcpy(field, key + 18, key[17]);
		field[key[17]] = '\0';
		struct crdt_cell c;
		if (crdt_cell_decode(&c, val, vl) != 0)
			continue;
		rc = fn(ctx, field, &c);
		crdt_cell_fini(&c);
	}
	node_kv_iter_free(it);
	return rc;
}

/* The finding of one op into *r: false when the op took effect. */
static bool op_finding(struct node_kv *kv, const uint8_t author[32],
		       const char *scope, uint64_t seq, uint32_t index,
		       struct node_reason *r)
{
	struct key k;
	key_init(&k, 'F');
	key_feed(&k, author, scope);
	key_u64(&k, seq);
	key_u32(&k, index);
	uint8_t *v;
	size_t n;
	if (node_kv_get(kv, k.b, k.len, &v, &n) != 0)
		return false;
	if (node_finding_decode(v, n, r) != 0)
		NODE_REASON0(r, MSG_F_RECORD_UNREADABLE);
	free(v);
	return true;
}

int node_ledger_record_history(struct node_ledger *l, const uint8_t id[16],
			       node_ledger_op_fn fn, void *ctx)
{
	struct node_kv *kv = node_ledger_kv(l);
	struct key k;
	key_init(&k, 'O');
	key_bytes(&k, id, 16);
	struct node_kv_iter *it = node_kv_iter_new(kv, k.b, k.len);
	if (!it)
		return -ENOMEM;
	int rc = 0;
	for (; rc == 0 && node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		const uint8_t *idx = node_kv_iter_value(it, &vl);
		/* 'O' entity(16) hlc(8) feed seq(8) */
		struct node_ledger_op o = {0};
		if (kl < 25)
			continue;
		size_t fl = feed_decode(key + 25, kl - 25, o.author, o.scope);
		if (!fl || kl != 25 + fl + 8)
			continue;
		o.hlc = get_u64(key + 17);
		o.seq = get_u64(key + 25 + fl);
		struct key lk;
		key_init(&lk, 'L');
		key_feed(&lk, o.author, o.scope);
		key_u64(&lk, o.seq);
		uint8_t *wire;
		size_t wl;
		if (node_kv_get(kv, lk.b, lk.len, &wire, &wl) != 0)
			continue;
		struct crdt_entry ent;
		if (crdt_entry_decode(wire, wl, &ent, NULL) != 0) {
			free(wire);
			continue;
		}
		for (size_t i = 0; rc == 0 && i + 4 <= vl; i += 4) {
			o.index = get_u32(idx + i);
			if (o.index >= ent.n_ops)
				continue;
			o.op = &ent.ops[o.index];
			struct node_reason why;
			o.finding = op_finding(kv, o.author, o.scope, o.seq,
					       o.index, &why)
					? &why
					: NULL;
			rc = fn(ctx, &o);
		}
		crdt_entry_fini(&ent);
		free(wire);
	}
	node_kv_iter_free(it);
	return rc;
}

static int each_finding(struct node_kv *kv, node_ledger_finding_fn fn,
			void *ctx)
{
	const uint8_t p = 'F';
	struct node_kv_iter *it = node_kv_iter_new(kv, &p, 1);
	if (!it)
		return -ENOMEM;
	int rc = 0;
	for (; rc == 0 && node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		const uint8_t *val = node_kv_iter_value(it, &vl);
		/* 'F' feed seq(8) index(4) */
		struct node_ledger_finding f = {0};
		size_t fl =
		    kl > 1 ? feed_decode(key + 1, kl - 1, f.author, f.scope)
			   : 0;
		if (!fl || kl != 1 + fl + 12)
			continue;
		f.seq = get_u64(key + 1 + fl);
		f.index = get_u32(key + 1 + fl + 8);
		if (node_finding_decode(val, vl, &f.reason) != 0)
			NODE_REASON0(&f.reason, MSG_F_RECORD_UNREADABLE);
		rc = fn(ctx, &f);
	}
	node_kv_iter_free(it);
	return rc;
}

int node_ledger_each_finding(struct node_ledger *l, node_ledger_finding_fn fn,
			     void *ctx)
{
	return each_finding(node_ledger_kv(l), fn, ctx);
}

/* ---- the log, in feed then seq order ---- */

struct node_ledger_log {
	struct node_kv_iter *it;
	bool started; /* the current item was handed out: move first */
};

struct node_ledger_log *node_ledger_log_open(struct node_ledger *l)
{
	struct node_ledger_log *g = malloc(sizeof(*g));
	if (!g)
		return NULL;
	const uint8_t p = 'L';
	g->started = false;
	g->it = node_kv_iter_new(node_ledger_kv(l), &p, 1);
	if (!g->it) {
		free(g);
		return NULL;
	}
	return g;
}

int node_ledger_log_next(struct node_ledger_log *g, struct node_log_pos *pos,
			 const uint8_t **wire, size_t *len)
{
	/* The item handed out last stays valid until this call moves on. */
	if (g->started && node_kv_iter_valid(g->it))
		node_kv_iter_next(g->it);
	g->started = true;
	for (; node_kv_iter_valid(g->it); node_kv_iter_next(g->it)) {
		size_t kl;
		const uint8_t *key = node_kv_iter_key(g->it, &kl);
		/* 'L' feed seq(8) */
		size_t fl = kl > 1 ? feed_decode(key + 1, kl - 1, pos->author,
						 pos->scope)
				   : 0;
		if (!fl || kl != 1 + fl + 8)
			continue;
		pos->seq = get_u64(key + 1 + fl);
		*wire = node_kv_iter_value(g->it, len);
		return 1;
	}
	return 0;
}

void node_ledger_log_close(struct node_ledger_log *g)
{
	if (!g)
		return;
	node_kv_iter_free(g->it);
	free(g);
}

int node_log_pos_cmp(const struct node_log_pos *a, const struct node_log_pos *b)
{
	int c = memcmp(a->author, b->author, 32);
	if (c)
		return c;
	size_t al = strlen(a->scope), bl = strlen(b->scope);
	/* key order: the scope's length byte first, then its bytes */
	if (al != bl)
		return al < bl ? -1 : 1;
	c = memcmp(a->scope, b->scope, al);
	if (c)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* ---- audit's comparison ---- */

size_t node_ledger_state_diff(struct node_ledger *a, struct node_ledger *b)
{
	/* Every state family (ledger_int.h, index.h): all but the log and
	 * the metadata, which live in their own column families; the
	 * sealed-field families 'Y' (ops waiting for a key record), 'Z' and
	 * 'G' (usable key records) included. */
	static const char fams[] = "HECWTOFIXxYZG";
	size_t diffs = 0;
	for (const char *f = fams; *f; f++) {
		uint8_t p = (uint8_t)*f;
		struct node_kv_iter *x =
		    node_kv_iter_new(node_ledger_kv(a), &p, 1);
		struct node_kv_iter *y =
		    node_kv_iter_new(node_ledger_kv(b), &p, 1);
		while (node_kv_iter_valid(x) || node_kv_iter_valid(y)) {
			size_t xl = 0, yl = 0, xvl = 0, yvl = 0;
			const uint8_t *xk = node_kv_iter_valid(x)
						? node_kv_iter_key(x, &xl)
						: NULL;
			const uint8_t *yk = node_kv_iter_valid(y)
						? node_kv_iter_key(y, &yl)
						: NULL;
			int c;
			if (!xk)
				c = 1;
			else if (!yk)
				c = -1;
			else {
				size_t m = xl < yl ? xl : yl;
				c = memcmp(xk, yk, m);
				if (!c)
					c = xl < yl ? -1 : xl > yl;
			}
			if (c == 0) {
				const uint8_t *xv = node_kv_iter_value(x, &xvl);
				const uint8_t *yv = node_kv_iter_value(y, &yvl);
				if (xvl != yvl || memcmp(xv, yv, xvl) != 0)
					diffs++;
				node_kv_iter_next(x);
				node_kv_iter_next(y);
			} else if (c < 0) {
				diffs++;
				node_kv_iter_next(x);
			} else {
				diffs++;
				node_kv_iter_next(y);
			}
		}
		node_kv_iter_free(x);
		node_kv_iter_free(y);
	}
	return diffs;
}

void node_entity_why(const struct node_entity *e, struct node_reason *out)
{
	memset(out, 0, sizeof(*out));
	if (e->valid || e->reason_len == 0 ||
	    node_finding_decode(e->reason, e->reason_len, out) != 0)
		out->id = e->valid ? MSG_NONE : MSG_F_RECORD_UNREADABLE;
}

/* ---- key records ---- */

/* Decodes a 'G' key: slen scope rlen roles made(8) key_id(16) entity(16). */
static bool group_key_decode(const uint8_t *k, size_t kl,
			     struct node_key_record *out)
{
	if (kl < 2 || k[0] != 'G' || k[1] > 12 || kl < 3u + k[1])
		return false;
	size_t sl = k[1], rl = k[2 + sl];
	if (kl != 3 + sl + rl + 8 + 32)
		return false;
	memcpy(out->scope, k + 2, sl);
	out->scope[sl] = '\0';
	if (node_schema_roles_parse((const char *)k + 3 + sl, rl,
				    &out->roles) != 0)
		return false;
	const uint8_t *p = k + 3 + sl + rl;
	out->made = get_u64(p);
	memcpy(out->key_id, p + 8, 16);
	memcpy(out->entity, p + 24, 16);
	return true;
}

int node_ledger_each_group_key(struct node_ledger *l, unsigned roles,
			       const char *scope, node_ledger_key_fn fn,
			       void *ctx)
{
	struct key k;
	key_init(&k, 'G');
	if (scope) {
		char rt[96];
		size_t rl = node_schema_roles_text(roles, rt, sizeof(rt));
		if (strlen(scope) > 12)
			return -EINVAL;
		key_str(&k, scope, strlen(scope));
		key_str(&k, rt, rl);
	}
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), k.b, k.len);
	if (!it)
		return -ENOMEM;
	int rc = 0;
	for (; rc == 0 && node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		struct node_key_record r;
		if (group_key_decode(key, kl, &r))
			rc = fn(ctx, &r);
	}
	node_kv_iter_free(it);
	return rc;
}

int node_ledger_each_key_id(struct node_ledger *l, const uint8_t key_id[16],
			    node_ledger_key_fn fn, void *ctx)
{
	/* 'Z' key_id(16) rlen roles slen scope entity(16) -> [roles, made] */
	struct key k;
	key_init(&k, 'Z');
	key_bytes(&k, key_id, 16);
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), k.b, k.len);
	if (!it)
		return -ENOMEM;
	int rc = 0;
	for (; rc == 0 && node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *key = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		struct node_key_record r;
		struct crdt_mp_cursor c;
		size_t arr;
		if (kl < 18 || kl < 18u + key[17])
			continue;
		size_t rl = key[17];
		size_t sl = kl > 18 + rl ? key[18 + rl] : 0;
		if (sl > 12 || kl != 19 + rl + sl + 16 ||
		    node_schema_roles_parse((const char *)key + 18, rl,
					    &r.roles) != 0)
			continue;
		crdt_mp_cursor_init(&c, v, vl, false);
		if (crdt_mp_read_array(&c, &arr) != 0 || arr != 2 ||
		    crdt_mp_skip(&c) != 0 ||
		    crdt_mp_read_uint(&c, &r.made) != 0)
			continue;
		memcpy(r.key_id, key_id, 16);
		memcpy(r.scope, key + 19 + rl, sl);
		r.scope[sl] = '\0';
		memcpy(r.entity, key + kl - 16, 16);
		rc = fn(ctx, &r);
	}
	node_kv_iter_free(it);
	return rc;
}
