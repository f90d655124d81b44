/*
 * ledger_apply.c: judging and applying ops (DESIGN.md section 4). Owns the
 * second gate: each op of an accepted entry is judged against the schema,
 * the author's role and the record's create, and either reaches its cell or
 * is stored without effect with a finding ('F'); ops whose record's create
 * has not arrived wait ('W') and are judged when it does.
 *
 * Layer: node/ledger (may include node/store, net/, crdt/). The ledger's
 * state is in ledger_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger/ledger.h"
#include "node/ledger/finding.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/schema.h"
#include "crdt/seal.h"

/* ---- judging and applying ops ---- */

void ledger_finding(struct node_txn *t, const struct op_ctx *x,
		    const struct node_reason *reason)
{
	struct key k;
	struct crdt_buf b;
	key_init(&k, 'F');
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	key_u32(&k, x->index);
	crdt_buf_init(&b);
	node_finding_encode(reason, &b);
	ledger_txn_put(t, &k, b.data, b.len);
	crdt_buf_fini(&b);
	if (t->strict && !t->strict_failed) {
		t->strict_why = *reason;
		t->strict_failed = true;
	}
}

/* The roles that may create type (may_create) or write field f, as
 * "health, township". */
static void roles_that(const struct node_type *type,
		       const struct node_field *f, char *out, size_t len)
{
	size_t o = 0;
	out[0] = '\0';
	for (int r = 0; r < NODE_ROLE_COUNT && o < len; r++) {
		bool may = f ? node_schema_may_write(f, (enum node_role)r)
			     : node_schema_may_create(type, (enum node_role)r);
		if (may)
			o += (size_t)snprintf(out + o, len - o, "%s%s",
					      o ? ", " : "",
					      node_role_name((enum node_role)r));
	}
	if (!o)
		snprintf(out, len, "-");
}

/* One 'O' key per (record, entry): its value lists the entry's op indexes
 * on the record as sorted big-endian u32s, so a ten-op entry costs one key,
 * not ten, and the bytes do not depend on the order ops were judged. */
static void history(struct node_txn *t, const uint8_t entity[16],
		    const struct op_ctx *x)
{
	struct key k;
	uint8_t *v = NULL;
	size_t n = 0;
	key_init(&k, 'O');
	key_bytes(&k, entity, 16);
	key_u64(&k, x->hlc);
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	if (ledger_txn_get_state(t, entity, k.b, k.len, &v, &n) != 0) {
		v = NULL;
		n = 0;
	}
	uint8_t *out = crdt_xmalloc(n + 4);
	size_t pos = 0;
	while (pos + 4 <= n && get_u32(v + pos) < x->index)
		pos += 4;
	/* Already listed: an op judged again after it waited for its key
	 * record (ledger_judge_sealed) was recorded when it first arrived. */
	if (pos + 4 <= n && get_u32(v + pos) == x->index) {
		free(out);
		free(v);
		return;
	}
	if (n)
		memcpy(out, v, pos);
	for (int i = 0; i < 4; i++)
		out[pos + (size_t)i] = (uint8_t)(x->index >> (24 - 8 * i));
	if (n > pos)
		memcpy(out + pos + 4, v + pos, n - pos);
	ledger_txn_put(t, &k, out, n + 4);
	free(out);
	free(v);
}

/* Whether the store may hold 'W' keys (see struct node_ledger). */
static bool store_may_wait(struct node_ledger *l)
{
	if (l->waiting == WAITING_UNKNOWN) {
		const uint8_t prefix = 'W';
		struct node_kv_iter *it = node_kv_iter_new(l->kv, &prefix, 1);
		l->waiting =
		    node_kv_iter_valid(it) ? WAITING_MAYBE : WAITING_NONE;
		node_kv_iter_free(it);
	}
	return l->waiting == WAITING_MAYBE;
}

/* Applies an op that waited ('W' key k[0..kl), value v[0..vl)), judging it
 * as if it arrived now. The 'W' key goes first: the op may wait again
 * (for a key record), under the same key. */
static void resume_waiting(struct node_txn *t, const uint8_t *k, size_t kl,
			   const uint8_t *v, size_t vl)
{
	/* key: 'W' entity(16) author(32) slen scope seq(8) index(4) */
	if (kl < 50 || kl != 50 + (size_t)k[49] + 12 || k[49] > 12)
		return;
	const uint8_t *author = k + 17;
	size_t slen = k[49];
	char scope[13] = {0};
	memcpy(scope, k + 50, slen);
	struct op_ctx x = {
		.author = author,
		.scope = scope,
		.seq = get_u64(k + 50 + slen),
		.index = get_u32(k + 58 + slen),
	};
	struct key wk;
	wk.len = kl;
	memcpy(wk.b, k, kl);
	ledger_txn_del(t, &wk);
	struct crdt_mp_cursor c;
	size_t arr;
	const uint8_t *opb;
	size_t opl;
	crdt_mp_cursor_init(&c, v, vl, false);
	struct crdt_dot dots[CRDT_MAX_DOTS];
	struct crdt_op op;
	if (crdt_mp_read_array(&c, &arr) != 0 || arr < 3 || arr > 4 ||
	    crdt_mp_read_uint(&c, &x.hlc) != 0 ||
	    crdt_mp_read_bin(&c, &opb, &opl) != 0)
		return;
	/* The entry-level fault (jurisdiction, revocation) stored with the
	 * op, or nil. */
	struct node_reason fault;
	const uint8_t *fstart = c.p;
	if (crdt_mp_read_nil(&c) != 0) {
		if (crdt_mp_skip(&c) != 0)
			return;
		if (node_finding_decode(fstart, (size_t)(c.p - fstart),
					&fault) == 0)
			x.entry_fault = &fault;
	}
	/* The member as the roster version the entry named has it (stores
	 * from before roster versions hold no version: the only one,
	 * genesis). */
	uint64_t rv = 1;
	if (arr == 4 && crdt_mp_read_uint(&c, &rv) != 0)
		return;
	x.roster_version = rv;
	const struct node_roster *named = node_ledger_roster_at(t->l, rv);
	x.member = named ? node_roster_find(named, author) : NULL;
	x.sv = named ? named->schema_version : 0;
	struct crdt_mp_cursor oc;
	crdt_mp_cursor_init(&oc, opb, opl, true);
	if (crdt_op_decode(&oc, &op, dots, CRDT_MAX_DOTS) == 0 && x.member)
		ledger_apply_field_op(t, &op, &x);
}

void ledger_process_waiting(struct node_txn *t, const uint8_t entity[16])
{
	struct key prefix;
	struct scan_item *items;
	key_init(&prefix, 'W');
	key_bytes(&prefix, entity, 16);
	bool in_store = store_may_wait(t->l);
	if (!in_store && !t->waiting_written)
		return;
	size_t n =
	    ledger_txn_scan(t, &prefix, in_store, t->waiting_written, &items);
	for (size_t i = 0; i < n; i++)
		resume_waiting(t, items[i].key, items[i].key_len, items[i].val,
			       items[i].val_len);
	ledger_scan_free(items, n);
}

/* A key record of key_id became usable: the ops that waited for it
 * ('Y' key_id(16) then their 'W' key without its family byte) are judged
 * again. */
void ledger_process_waiting_for_key(struct node_txn *t,
				    const uint8_t key_id[16])
{
	struct key prefix;
	struct scan_item *items;
	key_init(&prefix, 'Y');
	key_bytes(&prefix, key_id, 16);
	bool in_store = store_may_wait(t->l);
	if (!in_store && !t->waiting_written)
		return;
	size_t n =
	    ledger_txn_scan(t, &prefix, in_store, t->waiting_written, &items);
	for (size_t i = 0; i < n; i++) {
		struct key yk, wk;
		yk.len = items[i].key_len;
		memcpy(yk.b, items[i].key, yk.len);
		ledger_txn_del(t, &yk);
		if (yk.len <= 17)
			continue;
		key_init(&wk, 'W');
		key_bytes(&wk, yk.b + 17, yk.len - 17);
		uint8_t *v;
		size_t vl;
		if (node_txn_get(t, wk.b, wk.len, &v, &vl) != 0)
			continue;
		resume_waiting(t, wk.b, wk.len, v, vl);
		free(v);
	}
	ledger_scan_free(items, n);
}

void ledger_apply_create(struct node_txn *t, const struct crdt_op *op,
			 const struct op_ctx *x)
{
	struct node_entity e;
	memset(&e, 0, sizeof(e));
	const struct node_type *type = node_schema_type(op->name, op->name_len);
	if (type && (strlen(type->name) != op->name_len ||
		     memcmp(type->name, op->name, op->name_len) != 0))
		type = NULL; /* found by its Chinese label: not a code */
	if (type && type->internal && x->sv < NODE_SCHEMA_SEALED)
		type = NULL; /* key records come with sealing */
	snprintf(e.type, sizeof(e.type), "%.*s",
		 (int)(op->name_len < 31 ? op->name_len : 31), op->name);
	snprintf(e.scope, sizeof(e.scope), "%s", x->scope);
	memcpy(e.created.author, x->author, 32);
	e.created.seq = x->seq;
	e.created.index = x->index;
	e.hlc = x->hlc;
	struct node_reason why;
	const struct node_reason *reason = NULL;
	if (!type) {
		NODE_REASON0(&why, MSG_F_UNKNOWN_RECORD_TYPE);
		reason = &why;
	} else if (!node_schema_may_create(type, x->member->role)) {
		char may[128];
		roles_that(type, NULL, may, sizeof(may));
		NODE_REASON(&why, MSG_F_ROLE_MAY_NOT_CREATE,
			    node_role_name(x->member->role), type->name, may);
		reason = &why;
	} else if (x->entry_fault) {
		reason = x->entry_fault;
	}
	e.valid = reason == NULL;
	if (reason) {
		struct crdt_buf rb;
		crdt_buf_init(&rb);
		node_finding_encode(reason, &rb);
		if (rb.len <= sizeof(e.reason)) {
			memcpy(e.reason, rb.data, rb.len);
			e.reason_len = rb.len;
		}
		crdt_buf_fini(&rb);
	}
	struct crdt_buf b;
	struct key k;
	crdt_buf_init(&b);
	ledger_encode_entity(&b, &e);
	ledger_entity_key(&k, op->entity);
	ledger_txn_put(t, &k, b.data, b.len);
	crdt_buf_reset(&b);
	history(t, op->entity, x);
	if (!e.valid) {
		ledger_finding(t, x, reason);
	} else {
		crdt_elem_create(&b, op->entity, op->name, op->name_len);
		crdt_lthash_add(&t->digest, b.data, b.len);
		key_init(&k, 'T');
		key_str(&k, type->name, strlen(type->name));
		key_bytes(&k, op->entity, 16);
		ledger_txn_put(t, &k, NULL, 0);
		node_index_created(t, op->entity, type, x->scope, x->hlc);
	}
	crdt_buf_fini(&b);
	if (t->n_created == t->cap_created) {
		t->cap_created = t->cap_created ? 2 * t->cap_created : 8;
		t->created = crdt_xrealloc(t->created,
				     t->cap_created * sizeof(*t->created));
	}
	memcpy(t->created[t->n_created++], op->entity, 16);
}

void ledger_wait_for_create(struct node_txn *t, const struct crdt_op *op,
			    const struct op_ctx *x)
{
	struct key k;
	struct crdt_buf b, opb;
	key_init(&k, 'W');
	key_bytes(&k, op->entity, 16);
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	key_u32(&k, x->index);
	crdt_buf_init(&b);
	crdt_buf_init(&opb);
	crdt_op_encode(&opb, op);
	crdt_pack_array(&b, 4);
	crdt_pack_uint(&b, x->hlc);
	crdt_pack_bin(&b, opb.data, opb.len);
	if (x->entry_fault)
		node_finding_encode(x->entry_fault, &b);
	else
		crdt_pack_nil(&b);
	crdt_pack_uint(&b, x->roster_version);
	ledger_txn_put(t, &k, b.data, b.len);
	t->waiting_written = true;
	crdt_buf_fini(&b);
	crdt_buf_fini(&opb);
}

struct settle_ctx {
	struct node_txn *t;
	const uint8_t *entity;
	const char *scope;
};

/* A dot named in a cell of this record can arrive only from an entry of
 * the record's scope. It is settled when that entry has been applied and
 * its op is not waiting for the record's create ('W'): it will never
 * reach the cell again. */
static bool dot_settled(void *ctx, const struct crdt_dot *d)
{
	struct settle_ctx *sc = ctx;
	struct head h;
	if (ledger_read_head(sc->t, d->author, sc->scope, &h) != 0 ||
	    h.seq < d->seq)
		return false;
	/* An op of the entry being applied that comes after the current one
	 * (a waiting op applied at its record's create may name it) has not
	 * reached the cell: pruning it would let it come back as a live
	 * version. */
	const struct crdt_entry *a = sc->t->applying;
	if (a && a->seq == d->seq && d->index > sc->t->applying_index &&
	    !memcmp(a->author, d->author, 32) && !strcmp(a->scope, sc->scope))
		return false;
	struct key k;
	uint8_t *v;
	size_t n;
	key_init(&k, 'W');
	key_bytes(&k, sc->entity, 16);
	key_feed(&k, d->author, sc->scope);
	key_u64(&k, d->seq);
	key_u32(&k, d->index);
	if (node_txn_get(sc->t, k.b, k.len, &v, &n) == 0) {
		free(v);
		return false;
	}
	return true;
}


void ledger_apply_field_op(struct node_txn *t, const struct crdt_op *op,
			   const struct op_ctx *x)
{
	struct node_entity e;
	int rc = ledger_txn_entity(t, op->entity, &e);
	if (rc == -ENOENT) {
		if (t->strict) {
			FINDING0(t, x, MSG_F_NO_SUCH_RECORD);
			return;
		}
		ledger_wait_for_create(t, op, x);
		return;
	}
	history(t, op->entity, x);
	if (rc) {
		FINDING0(t, x, MSG_F_RECORD_UNREADABLE);
		return;
	}
	if (!e.valid) {
		FINDING0(t, x, MSG_F_CREATE_NO_EFFECT);
		return;
	}
	if (strcmp(e.scope, x->scope) != 0) {
		FINDING(t, x, MSG_F_OP_SCOPE, x->scope, e.scope);
		return;
	}
	const struct node_type *type = node_schema_type(e.type, strlen(e.type));
	const struct node_field *f =
		type ? node_schema_field(type, op->name, op->name_len) : NULL;
	if (!f || strlen(f->name) != op->name_len ||
	    memcmp(f->name, op->name, op->name_len) != 0) {
		char name[65];
		snprintf(name, sizeof(name), "%.*s",
			 (int)(op->name_len < 64 ? op->name_len : 64), op->name);
		FINDING(t, x, MSG_F_NO_FIELD, e.type, name);
		return;
	}
	if (f->is_set != (op->code != CRDT_OP_SET)) {
		if (f->is_set)
			FINDING(t, x, MSG_F_SET_FIELD_TAKES, f->name);
		else
			FINDING(t, x, MSG_F_SINGLE_FIELD_TAKES, f->name);
		return;
	}
	bool in_create = !memcmp(e.created.author, x->author, 32) &&
			 e.created.seq == x->seq;
	if (f->write_once && !in_create) {
		FINDING(t, x, MSG_F_WRITE_ONCE, f->name);
		return;
	}
	if (!node_schema_may_write_at(f, x->member->role, x->sv)) {
		char may[128];
		roles_that(type, f, may, sizeof(may));
		FINDING(t, x, MSG_F_ROLE_MAY_NOT_WRITE,
			node_role_name(x->member->role), e.type, f->name, may);
		return;
	}
	if (x->entry_fault) {
		ledger_finding(t, x, x->entry_fault);
		return;
	}
	struct node_reason bad;
	if (node_schema_sealed(f, x->sv)) {
		/* The plaintext is the readers' to check (audit). */
		if (ledger_judge_sealed(t, op, x, &e, f) != 0)
			return;
	} else if (x->sv >= NODE_SCHEMA_SEALED &&
		   op->value.kind == CRDT_VALUE_BIN &&
		   crdt_seal_is_sealed(op->value.p, op->value.len)) {
		FINDING(t, x, MSG_F_SEALED_IN_PLAIN, f->name);
		return;
	} else if (node_schema_check_reason(f, &op->value, &bad) != 0) {
		ledger_finding(t, x, &bad);
		return;
	} else if (type->internal &&
		   ledger_judge_key_op(t, op, x, &e, f) != 0) {
		return;
	}
	/* Takes effect. */
	struct key k;
	struct crdt_cell cell;
	uint8_t *v;
	size_t n;
	ledger_cell_key(&k, op->entity, f->name, strlen(f->name));
	if (ledger_txn_get_state(t, op->entity, k.b, k.len, &v, &n) == 0) {
		rc = crdt_cell_decode(&cell, v, n);
		free(v);
		if (rc) {
			FINDING0(t, x, MSG_F_CELL_UNREADABLE);
			return;
		}
	} else {
		crdt_cell_init(&cell, f->is_set);
	}
	struct crdt_dot dot;
	memcpy(dot.author, x->author, 32);
	dot.seq = x->seq;
	dot.index = x->index;
	if (op->code == CRDT_OP_SET)
		crdt_cell_set(&cell, op->entity, op->name, op->name_len, &dot,
			      x->hlc, &op->value, op->dots, op->n_dots,
			      &t->digest);
	else if (op->code == CRDT_OP_ADD)
		crdt_cell_add(&cell, op->entity, op->name, op->name_len, &dot,
			      &op->value, &t->digest);
	else
		crdt_cell_remove(&cell, op->entity, op->name, op->name_len,
				 &op->value, op->dots, op->n_dots, &t->digest);
	struct settle_ctx sc = {t, op->entity, x->scope};
	crdt_cell_prune_dead(&cell, dot_settled, &sc);
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_cell_encode(&b, &cell);
	ledger_txn_put(t, &k, b.data, b.len);
	crdt_buf_fini(&b);
	node_index_changed(t, op->entity, &e, f, &cell);
	crdt_cell_fini(&cell);
	if (f->kind == NODE_FIELD_KEY_ID)
		ledger_key_usable(t, op->entity, op->value.p,
				  x->roster_version);
}
