/*
 * ledger_sealed.c: sealed fields and key records (DESIGN.md section 8).
 * Owns the rules of a key record's fields, the 'Z' and 'G' keys that make a
 * key record usable, whether a key serves a sealed op's group and roster
 * version, and the ops that wait ('Y') for their key record.
 *
 * Layer: node/ledger (may include node/store, net/, crdt/). The ledger's
 * state is in ledger_int.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/ledger/ledger.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/schema.h"
#include "node/ledger/sealing.h"
#include "crdt/seal.h"

/* ---- sealed fields and key records (DESIGN.md section 8) ---- */

/* An op on a sealed field whose key record has not arrived: it waits as an
 * op waits for its record's create ('W'), and a 'Y' key names it under the
 * key_id, so that the key record's arrival finds it. */
static void wait_for_key(struct node_txn *t, const struct crdt_op *op,
			 const struct op_ctx *x, const uint8_t key_id[16])
{
	ledger_wait_for_create(t, op, x);
	struct key k;
	key_init(&k, 'Y');
	key_bytes(&k, key_id, 16);
	key_bytes(&k, op->entity, 16);
	key_feed(&k, x->author, x->scope);
	key_u64(&k, x->seq);
	key_u32(&k, x->index);
	ledger_txn_put(t, &k, NULL, 0);
}

/* A key record's roles: its roles cell holds exactly one live version, a
 * canonical roles value. Returns 0 and the mask; -ENOENT otherwise. */
static int key_roles(struct node_txn *t, const uint8_t entity[16],
		     unsigned *mask)
{
	struct key k;
	uint8_t *v;
	size_t n;
	struct crdt_cell cell;
	ledger_cell_key(&k, entity, "roles", 5);
	if (ledger_txn_get_state(t, entity, k.b, k.len, &v, &n) != 0)
		return -ENOENT;
	int rc = crdt_cell_decode(&cell, v, n);
	free(v);
	if (rc)
		return -ENOENT;
	rc = -ENOENT;
	if (!cell.is_set && cell.n_live == 1 &&
	    cell.live[0].value.kind == CRDT_VALUE_STR &&
	    node_schema_roles_parse((const char *)cell.live[0].value.p,
				    cell.live[0].value.len, mask) == 0)
		rc = 0;
	crdt_cell_fini(&cell);
	return rc;
}

/* Whether field of record entity has any version or element yet. */
static bool cell_has_value(struct node_txn *t, const uint8_t entity[16],
			   const char *field)
{
	struct key k;
	uint8_t *v;
	size_t n;
	struct crdt_cell cell;
	ledger_cell_key(&k, entity, field, strlen(field));
	if (ledger_txn_get_state(t, entity, k.b, k.len, &v, &n) != 0)
		return false;
	int rc = crdt_cell_decode(&cell, v, n);
	free(v);
	if (rc)
		return true; /* unreadable: not empty */
	bool has = !crdt_cell_empty(&cell);
	crdt_cell_fini(&cell);
	return has;
}

/* The rules of a key record's fields beyond the schema's: roles and
 * key_id are set once, roles first, by a member of the roles; envelopes
 * are added by a member of the group, for a member of the group, under
 * the roster version the entry names. Returns 0 when op may take effect,
 * else records a finding and returns -1. */
int ledger_judge_key_op(struct node_txn *t, const struct crdt_op *op,
			const struct op_ctx *x, const struct node_entity *e,
			const struct node_field *f)
{
	char roles_text[96];
	unsigned mask = 0;
	const char *role = node_role_name(x->member->role);
	if (f->kind == NODE_FIELD_ROLES) {
		if (cell_has_value(t, op->entity, f->name)) {
			FINDING(t, x, MSG_F_KEY_SET_ONCE, f->name);
			return -1;
		}
		if (op->value.kind == CRDT_VALUE_STR &&
		    node_schema_roles_parse((const char *)op->value.p,
					    op->value.len, &mask) == 0 &&
		    !(mask & NODE_ROLE_BIT(x->member->role))) {
			node_schema_roles_text(mask, roles_text,
					       sizeof(roles_text));
			FINDING(t, x, MSG_F_KEY_NOT_IN_GROUP, role, roles_text);
			return -1;
		}
		return 0;
	}
	if (key_roles(t, op->entity, &mask) != 0) {
		FINDING0(t, x, MSG_F_KEY_NEEDS_ROLES);
		return -1;
	}
	node_schema_roles_text(mask, roles_text, sizeof(roles_text));
	if (!(mask & NODE_ROLE_BIT(x->member->role))) {
		FINDING(t, x, MSG_F_KEY_NOT_IN_GROUP, role, roles_text);
		return -1;
	}
	if (f->kind == NODE_FIELD_KEY_ID &&
	    cell_has_value(t, op->entity, f->name)) {
		FINDING(t, x, MSG_F_KEY_SET_ONCE, f->name);
		return -1;
	}
	const uint8_t *to;
	if (f->kind == NODE_FIELD_ENVELOPE && op->code == CRDT_OP_ADD &&
	    op->value.kind == CRDT_VALUE_BIN &&
	    crdt_seal_envelope_parse(op->value.p, op->value.len, &to) == 0) {
		const struct node_roster *r =
		    node_ledger_roster_at(t->l, x->roster_version);
		const struct node_member *m = r ? node_roster_find(r, to) : NULL;
		if (!m || !node_seal_member_in_group(m, mask, e->scope)) {
			char hex[17];
			for (int i = 0; i < 8; i++)
				snprintf(hex + 2 * i, 3, "%02x", to[i]);
			FINDING(t, x, MSG_F_ENVELOPE_RECIPIENT, hex);
			return -1;
		}
	}
	return 0;
}

/* Key record entity (home scope scope) took its key_id in an entry naming
 * version made: indexed by key_id and group ('Z') and by group ('G'); the ops
 * waiting for that key are judged again. */
void ledger_key_usable(struct node_txn *t, const uint8_t entity[16],
		       const uint8_t key_id[16], uint64_t made)
{
	unsigned mask;
	if (key_roles(t, entity, &mask) != 0)
		return;
	char roles_text[96];
	node_schema_roles_text(mask, roles_text, sizeof(roles_text));
	struct key k;
	struct crdt_buf b;
	struct node_entity e;
	if (ledger_txn_entity(t, entity, &e) != 0)
		return;
	t->n_served = 0; /* a 'Z' key changes: key_serves asks again */
	/* 'Z' key_id(16) rlen roles slen scope entity(16) -> [roles, made]:
	 * the group in the key, so that a value's check meets only records
	 * of its own group, however many other groups a member copied its
	 * key_id into. */
	key_init(&k, 'Z');
	key_bytes(&k, key_id, 16);
	key_str(&k, roles_text, strlen(roles_text));
	key_str(&k, e.scope, strlen(e.scope));
	key_bytes(&k, entity, 16);
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_cstr(&b, roles_text);
	crdt_pack_uint(&b, made);
	ledger_txn_put(t, &k, b.data, b.len);
	crdt_buf_fini(&b);
	/* by group: 'G' scope roles made(8) key_id(16) entity(16) -> '' */
	{
		key_init(&k, 'G');
		key_str(&k, e.scope, strlen(e.scope));
		key_str(&k, roles_text, strlen(roles_text));
		key_u64(&k, made);
		key_bytes(&k, key_id, 16);
		key_bytes(&k, entity, 16);
		ledger_txn_put(t, &k, NULL, 0);
	}
	ledger_process_waiting_for_key(t, key_id);
}

/* Whether a usable key record of key_id belongs to group (roles, scope)
 * and serves roster version v. */
static bool key_serves_scan(struct node_txn *t, const uint8_t key_id[16],
			    unsigned roles, const char *scope, uint64_t v)
{
	struct key prefix;
	struct scan_item *items;
	char roles_text[96];
	node_schema_roles_text(roles, roles_text, sizeof(roles_text));
	key_init(&prefix, 'Z');
	key_bytes(&prefix, key_id, 16);
	key_str(&prefix, roles_text, strlen(roles_text));
	key_str(&prefix, scope, strlen(scope));
	size_t n = ledger_txn_scan(t, &prefix, true, true, &items);
	bool ok = false;
	for (size_t i = 0; i < n && !ok; i++) {
		struct crdt_mp_cursor c;
		size_t arr;
		const char *rs;
		size_t rl;
		uint64_t made;
		if (items[i].key_len != prefix.len + 16)
			continue;
		crdt_mp_cursor_init(&c, items[i].val, items[i].val_len, false);
		if (crdt_mp_read_array(&c, &arr) != 0 || arr != 2 ||
		    crdt_mp_read_str(&c, &rs, &rl) != 0 ||
		    crdt_mp_read_uint(&c, &made) != 0)
			continue;
		struct node_seal_chain chain = {
		    (const struct node_roster *const *)t->l->rosters,
		    t->l->n_rosters};
		ok = node_seal_key_serves(&chain, roles, scope, made, v);
	}
	ledger_scan_free(items, n);
	return ok;
}

/* key_serves_scan, remembered for the transaction when true: the scan of
 * 'Z' walks the store and the whole overlay, once per sealed op
 * otherwise. */
static bool key_serves(struct node_txn *t, const uint8_t key_id[16],
		       unsigned roles, const char *scope, uint64_t v)
{
	size_t nr = t->l->n_rosters;
	const struct node_roster *at_v =
	    v >= 1 && v <= nr ? t->l->rosters[v - 1] : NULL;
	for (size_t i = 0; i < t->n_served; i++) {
		const struct served *s = &t->served[i];
		if (s->roles == roles && s->v == v && s->n_rosters == nr &&
		    s->at_v == at_v && !memcmp(s->key_id, key_id, 16) &&
		    !strcmp(s->scope, scope))
			return true;
	}
	if (!key_serves_scan(t, key_id, roles, scope, v))
		return false;
	if (strlen(scope) >= sizeof(t->served->scope))
		return true;
	if (t->n_served == t->cap_served) {
		size_t cap = t->cap_served ? 2 * t->cap_served : 8;
		struct served *p = crdt_xrealloc(t->served, cap * sizeof(*p));
		t->served = p;
		t->cap_served = cap;
	}
	struct served *s = &t->served[t->n_served++];
	memcpy(s->key_id, key_id, 16);
	s->roles = roles;
	snprintf(s->scope, sizeof(s->scope), "%s", scope);
	s->v = v;
	s->n_rosters = nr;
	s->at_v = at_v;
	return true;
}

/* An op on a field sealed under the entry's schema version: nil clears;
 * anything else must be a well-formed sealed value, and a set or an add
 * must name a key of the field's group (its readers, the record's home
 * scope) that serves the roster version the entry names. Returns 0 to take effect, 1 when the op
 * waits for its key record, -1 after a finding. */
int ledger_judge_sealed(struct node_txn *t, const struct crdt_op *op,
			const struct op_ctx *x, const struct node_entity *e,
			const struct node_field *f)
{
	if (op->code == CRDT_OP_SET && op->value.kind == CRDT_VALUE_NIL)
		return 0;
	struct crdt_sealed sv;
	if (op->value.kind != CRDT_VALUE_BIN ||
	    crdt_seal_parse(op->value.p, op->value.len, &sv) != 0) {
		FINDING(t, x, MSG_F_NOT_SEALED, f->name);
		return -1;
	}
	/* A remove decides by the tags it observed alone (crdt_cell_remove)
	 * and names an element's sealed forms as they were added, under the
	 * keys current then (DESIGN.md section 8, Sets): a key that no longer
	 * serves must not keep an element from ever being removed. */
	if (op->code == CRDT_OP_REMOVE)
		return 0;
	unsigned roles = node_schema_readers(f);
	if (key_serves(t, sv.key_id, roles, e->scope, x->roster_version))
		return 0;
	if (t->strict) {
		char roles_text[96];
		node_schema_roles_text(roles, roles_text, sizeof(roles_text));
		FINDING(t, x, MSG_F_NO_KEY, f->name, roles_text, e->scope);
		return -1;
	}
	wait_for_key(t, op, x, sv.key_id);
	return 1;
}
