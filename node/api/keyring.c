/*
 * keyring.c: group keys as this node holds them (keyring.h).
 *
 * A group key K is never stored by this node: it lives in the replicated
 * key record as envelopes, one per member, and is opened from this
 * node's envelope with its Ed25519 key when first needed (an X25519 box
 * open, tens of microseconds), then cached in memory for the life of the
 * node's context (wardd's: the daemon's life; ward-local's: one request).
 * The cache is sodium_malloc'd and wiped when freed.
 *
 * Which key seals a write: the group's current key (DESIGN.md section 8)
 * is the valid key with the lowest key_id among those made under the
 * latest roster version that changed the group. When no key made there
 * exists yet, those made later (and still serving) stand in, the earliest
 * first; a node that holds none of them makes a fresh one in the same
 * entry as the write. Every choice is valid on every node: any key that
 * serves the entry's roster version does.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdt/seal.h"
#include "node/api/doc.h"
#include "node/api/keyring.h"
#include "node/api/node_int.h"
#include "node/catalog/catalog.h"
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/ledger/sealing.h"

struct held_key {
	uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
	uint8_t k[CRDT_SEAL_KEY_BYTES];
};

struct node_keyring {
	struct held_key *keys; /* sodium_malloc'd */
	size_t n, cap;
	char reads[192]; /* sealed fields read since the access log wrote */
	/* Keys made in entries not yet in the store (an import's open
	 * transaction): the group key scan reads the store only. */
	struct made_key {
		unsigned roles;
		char scope[13];
		uint64_t version;
		uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
	} made[32];
	size_t n_made;
	/* Key records seen lacking an envelope while their keeper (another
	 * member) should add it: when first seen, so that any holder steps in
	 * after KEEPER_GRACE_MS (the keeper may be down). */
	struct lacking {
		uint8_t entity[16];
		uint64_t since_ms;
	} lacking[64];
	size_t n_lacking;
};

#define KEEPER_GRACE_MS 30000

static struct node_keyring *ring(struct node_ctx *n);

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Whether record entity has lacked an envelope for KEEPER_GRACE_MS as this
 * process saw it; notes it as lacking from now when first seen. */
static bool lacking_long(struct node_ctx *n, const uint8_t entity[16])
{
	struct node_keyring *kr = ring(n);
	uint64_t now = mono_ms();
	/* WARD_KEEPER_GRACE_MS: the grace in tests (0: step in at once) */
	const char *env = getenv("WARD_KEEPER_GRACE_MS");
	uint64_t grace = env && *env ? strtoull(env, NULL, 10) : KEEPER_GRACE_MS;
	if (grace == 0)
		return true;
	for (size_t i = 0; i < kr->n_lacking; i++)
		if (!memcmp(kr->lacking[i].entity, entity, 16))
			return now - kr->lacking[i].since_ms >= grace;
	if (kr->n_lacking == sizeof(kr->lacking) / sizeof(kr->lacking[0]))
		kr->n_lacking = 0; /* start over: at worst a later step-in */
	memcpy(kr->lacking[kr->n_lacking].entity, entity, 16);
	kr->lacking[kr->n_lacking++].since_ms = now;
	return false;
}

void node_keyring_free(struct node_keyring *k)
{
	if (!k)
		return;
	if (k->keys)
		sodium_free(k->keys); /* zeroes it */
	free(k);
}

static struct node_keyring *ring(struct node_ctx *n)
{
	if (!n->keyring) {
		n->keyring = crdt_xcalloc(1, sizeof(*n->keyring));
	}
	return n->keyring;
}

static const uint8_t *cache_find(struct node_ctx *n, const uint8_t *id)
{
	struct node_keyring *r = ring(n);
	for (size_t i = 0; i < r->n; i++)
		if (!memcmp(r->keys[i].id, id, CRDT_SEAL_KEY_ID_BYTES))
			return r->keys[i].k;
	return NULL;
}

static void cache_put(struct node_ctx *n, const uint8_t *id, const uint8_t *k)
{
	struct node_keyring *r = ring(n);
	if (cache_find(n, id))
		return;
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		struct held_key *v = sodium_malloc(cap * sizeof(*v));
		if (!v)
			crdt_oom();
		if (r->n)
			memcpy(v, r->keys, r->n * sizeof(*v));
		if (r->keys)
			sodium_free(r->keys);
		r->keys = v;
		r->cap = cap;
	}
	memcpy(r->keys[r->n].id, id, CRDT_SEAL_KEY_ID_BYTES);
	memcpy(r->keys[r->n].k, k, CRDT_SEAL_KEY_BYTES);
	r->n++;
}

/* ---- holding keys ---- */

/* Opens this node's envelope in key record entity; 0 and k when it holds
 * one that opens to a key hashing to key_id. */
static int open_record(struct node_ctx *n, const uint8_t entity[16],
		       const uint8_t *key_id, uint8_t k[CRDT_SEAL_KEY_BYTES])
{
	struct crdt_cell cell;
	if (node_ledger_cell(n->ledger, entity, "envelopes", &cell) != 0)
		return -ENOKEY;
	int rc = -ENOKEY;
	for (size_t i = 0; i < cell.n_elems && rc; i++) {
		const struct crdt_value *v = &cell.elems[i].value;
		uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
		if (v->kind != CRDT_VALUE_BIN ||
		    crdt_seal_envelope_open(v->p, v->len, n->pk, n->sk, k) != 0)
			continue;
		crdt_seal_key_id(k, id);
		if (!memcmp(id, key_id, sizeof(id)))
			rc = 0; /* else a bad envelope: audit's finding */
		else
			sodium_memzero(k, CRDT_SEAL_KEY_BYTES);
	}
	crdt_cell_fini(&cell);
	return rc;
}

struct find_ctx {
	struct node_ctx *n;
	const uint8_t *key_id;
	uint8_t *k;
	bool found;
};

static int find_one(void *arg, const struct node_key_record *r)
{
	struct find_ctx *f = arg;
	if (open_record(f->n, r->entity, f->key_id, f->k) == 0) {
		f->found = true;
		return 1;
	}
	return 0;
}

/* The key of key_id, from the cache or this node's envelope. */
static int key_for_id(struct node_ctx *n, const uint8_t *key_id,
		      uint8_t k[CRDT_SEAL_KEY_BYTES])
{
	const uint8_t *c = cache_find(n, key_id);
	if (c) {
		memcpy(k, c, CRDT_SEAL_KEY_BYTES);
		return 0;
	}
	struct find_ctx f = {n, key_id, k, false};
	node_ledger_each_key_id(n->ledger, key_id, find_one, &f);
	if (!f.found)
		return -ENOKEY;
	cache_put(n, key_id, k);
	return 0;
}

static const struct node_member *me(struct node_ctx *n)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	return r ? node_roster_find(r, n->pk) : NULL;
}

static struct node_seal_chain chain_of(struct node_ctx *n)
{
	struct node_seal_chain c;
	node_ledger_rosters(n->ledger, &c.v, &c.n);
	return c;
}

bool node_keyring_may_read(struct node_ctx *n, const struct node_field *f,
			   const char *scope)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (!r || !node_schema_sealed(f, r->schema_version))
		return true;
	const struct node_member *m = me(n);
	return m &&
	       node_seal_member_in_group(m, node_schema_readers(f), scope);
}

bool node_keyring_may_read_somewhere(struct node_ctx *n,
				     const struct node_field *f,
				     const char *scope)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (!r || !node_schema_sealed(f, r->schema_version))
		return true;
	const struct node_member *m = me(n);
	if (!m || m->n_revoked ||
	    !(node_schema_readers(f) & NODE_ROLE_BIT(m->role)))
		return false;
	return !scope || crdt_scope_covers(m->scope, scope) ||
	       crdt_scope_covers(scope, m->scope);
}

/* ---- reading ---- */

struct node_doc *node_keyring_sealed_doc(bool unreadable)
{
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "sealed", node_doc_bool(true));
	if (unreadable)
		node_doc_set(d, "unreadable", node_doc_bool(true));
	return d;
}

void node_keyring_note_read(struct node_ctx *n, const char *name)
{
	char *r = ring(n)->reads;
	size_t len = strlen(r), nl = strlen(name);
	/* each name once */
	for (const char *p = r; (p = strstr(p, name)) != NULL; p += nl)
		if ((p == r || p[-1] == ',') && (p[nl] == ',' || !p[nl]))
			return;
	if (len + nl + 2 > sizeof(ring(n)->reads))
		return;
	if (len)
		r[len++] = ',';
	memcpy(r + len, name, nl + 1);
}

void node_keyring_take_reads(struct node_ctx *n, char *out, size_t len)
{
	char *r = ring(n)->reads;
	snprintf(out, len, "%s", r);
	r[0] = '\0';
}

int node_keyring_open(struct node_ctx *n, const uint8_t entity[16],
		      const struct node_field *f, const struct crdt_value *v,
		      uint8_t *plain, size_t cap, struct crdt_value *out)
{
	struct crdt_sealed s;
	if (v->kind != CRDT_VALUE_BIN || !crdt_seal_is_sealed(v->p, v->len)) {
		*out = *v;
		return 0;
	}
	if (crdt_seal_parse(v->p, v->len, &s) != 0)
		return -EBADMSG;
	uint8_t k[CRDT_SEAL_KEY_BYTES], net_id[32];
	if (key_for_id(n, s.key_id, k) != 0)
		return -ENOKEY;
	node_ledger_net_id(n->ledger, net_id);
	int rc = crdt_seal_open(v->p, v->len, k, net_id, entity, f->name,
				strlen(f->name), plain, cap, out);
	sodium_memzero(k, sizeof(k));
	if (rc != 0)
		return -EBADMSG;
	if (node_schema_check_reason(f, out, NULL) != 0)
		return -EBADMSG;
	return 0;
}

/* Replaces *v (owned by a cell) by its plaintext when it opens. */
static bool open_owned(struct node_ctx *n, const uint8_t entity[16],
		       const struct node_field *f, struct crdt_value *v)
{
	if (v->kind != CRDT_VALUE_BIN || !crdt_seal_is_sealed(v->p, v->len))
		return false;
	uint8_t *plain = crdt_xmalloc(v->len);
	struct crdt_value out;
	bool ok = node_keyring_open(n, entity, f, v, plain, v->len, &out) == 0;
	if (ok) {
		node_keyring_note_read(n, f->name);
		free((void *)v->p);
		*v = out;
		if (out.kind == CRDT_VALUE_STR || out.kind == CRDT_VALUE_BIN) {
			uint8_t *p = crdt_xmalloc(out.len ? out.len : 1);
			memcpy(p, out.p, out.len);
			v->p = p;
		} else {
			v->p = NULL;
		}
	}
	sodium_memzero(plain, v->len);
	free(plain);
	return ok;
}

void node_keyring_open_cell(struct node_ctx *n, const uint8_t entity[16],
			    const struct node_field *f, struct crdt_cell *cell)
{
	for (size_t i = 0; i < cell->n_live; i++)
		open_owned(n, entity, f, &cell->live[i].value);
	size_t o = 0;
	for (size_t i = 0; i < cell->n_elems; i++) {
		struct crdt_elem *e = &cell->elems[i];
		open_owned(n, entity, f, &e->value);
		/* one plaintext under two keys: one element, all its tags */
		size_t j = 0;
		while (j < o && !crdt_value_equal(&cell->elems[j].value,
						  &e->value))
			j++;
		if (j == o) {
			cell->elems[o++] = *e;
			continue;
		}
		struct crdt_elem *d = &cell->elems[j];
		d->tags = crdt_xrealloc(d->tags,
				  (d->n_tags + e->n_tags) * sizeof(*d->tags));
		memcpy(d->tags + d->n_tags, e->tags,
		       e->n_tags * sizeof(*e->tags));
		d->n_tags += e->n_tags;
		free(e->tags);
		if (e->value.kind == CRDT_VALUE_STR ||
		    e->value.kind == CRDT_VALUE_BIN)
			free((void *)e->value.p);
	}
	cell->n_elems = o;
}

int node_keyring_cell(struct node_ctx *n, const uint8_t id[16],
		      const char *field, struct crdt_cell *out)
{
	int rc = node_ledger_cell(n->ledger, id, field, out);
	if (rc)
		return rc;
	struct node_entity e;
	const struct node_type *t =
	    node_ledger_entity(n->ledger, id, &e) == 0
		? node_schema_type(e.type, strlen(e.type))
		: NULL;
	const struct node_field *f =
	    t ? node_schema_field(t, field, strlen(field)) : NULL;
	if (f && (f->sensitivity == NODE_SENS_CLINICAL ||
		  f->sensitivity == NODE_SENS_IDENTIFIER))
		node_keyring_open_cell(n, id, f, out);
	return 0;
}

/* ---- writing ---- */

struct pick {
	struct node_ctx *n;
	const struct node_seal_chain *chain;
	uint64_t v;
	uint64_t best_made;
	uint8_t best_id[CRDT_SEAL_KEY_ID_BYTES];
	uint8_t k[CRDT_SEAL_KEY_BYTES];
	bool found;
};

static int pick_one(void *arg, const struct node_key_record *r)
{
	struct pick *p = arg;
	if (!node_seal_key_serves(p->chain, r->roles, r->scope, r->made, p->v))
		return 0;
	/* earliest made, then lowest key_id (the scan's own order) */
	if (p->found && (r->made > p->best_made ||
			 (r->made == p->best_made &&
			  memcmp(r->key_id, p->best_id, 16) >= 0)))
		return 0;
	uint8_t k[CRDT_SEAL_KEY_BYTES];
	if (key_for_id(p->n, r->key_id, k) != 0)
		return 0;
	memcpy(p->k, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	memcpy(p->best_id, r->key_id, 16);
	p->best_made = r->made;
	p->found = true;
	return 0;
}

/* The key this node seals group (roles, scope) with under the roster in
 * force, when it holds one that serves it. */
static int current_key(struct node_ctx *n, unsigned roles, const char *scope,
		       uint8_t k[CRDT_SEAL_KEY_BYTES])
{
	struct node_seal_chain c = chain_of(n);
	struct node_keyring *kr = ring(n);
	for (size_t i = 0; i < kr->n_made; i++) {
		const uint8_t *held = cache_find(n, kr->made[i].id);
		if (kr->made[i].roles == roles && held &&
		    kr->made[i].version == c.n &&
		    !strcmp(kr->made[i].scope, scope)) {
			memcpy(k, held, CRDT_SEAL_KEY_BYTES);
			return 0;
		}
	}
	struct pick p = {.n = n, .chain = &c, .v = c.n};
	node_ledger_each_group_key(n->ledger, roles, scope, pick_one, &p);
	if (!p.found)
		return -ENOKEY;
	memcpy(k, p.k, CRDT_SEAL_KEY_BYTES);
	sodium_memzero(p.k, sizeof(p.k));
	return 0;
}

/* Growing storage for the sealed ops. */
static void *keep(struct node_sealed_ops *s, const void *p, size_t len)
{
	void *q = crdt_xmalloc(len ? len : 1);
	void **b = crdt_xrealloc(s->bufs, (s->n_bufs + 1) * sizeof(*b));
	if (len)
		memcpy(q, p, len);
	s->bufs = b;
	s->bufs[s->n_bufs++] = q;
	return q;
}

static struct crdt_op *push(struct node_sealed_ops *s, size_t *cap)
{
	if (s->n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		s->ops = crdt_xrealloc(s->ops, *cap * sizeof(*s->ops));
	}
	struct crdt_op *op = &s->ops[s->n++];
	memset(op, 0, sizeof(*op));
	return op;
}

void node_sealed_ops_fini(struct node_sealed_ops *s)
{
	for (size_t i = 0; i < s->n_bufs; i++)
		free(s->bufs[i]);
	free(s->bufs);
	free(s->ops);
	free(s->created);
	memset(s, 0, sizeof(*s));
}

/* A key made in an entry that may not be in the store yet. */
static void note_made(struct node_ctx *n, unsigned roles, const char *scope,
		      const uint8_t *id)
{
	struct node_keyring *kr = ring(n);
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (kr->n_made == sizeof(kr->made) / sizeof(kr->made[0]))
		kr->n_made = 0; /* the store has the older ones by now */
	struct made_key *m = &kr->made[kr->n_made++];
	m->roles = roles;
	snprintf(m->scope, sizeof(m->scope), "%s", scope);
	m->version = r ? r->version : 0;
	memcpy(m->id, id, sizeof(m->id));
}

void node_keyring_forget_made(struct node_ctx *n)
{
	ring(n)->n_made = 0;
}

/* The ops of a fresh key record for group (roles, scope): create, roles,
 * key_id, and an envelope for each group member under r. Its create is
 * op index *at of the entry with seq seq. */
static void key_record_ops(struct node_ctx *n, struct node_sealed_ops *s,
			   size_t *cap, const char *scope, uint64_t seq,
			   unsigned roles, const uint8_t k[32])
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	uint8_t entity[16], id[CRDT_SEAL_KEY_ID_BYTES];
	crdt_entity_id(entity, n->pk, scope, seq, (uint32_t)s->n);
	crdt_seal_key_id(k, id);
	struct crdt_op *op = push(s, cap);
	op->code = CRDT_OP_CREATE;
	memcpy(op->entity, entity, 16);
	op->name = "key";
	op->name_len = 3;
	char rt[96];
	size_t rl = node_schema_roles_text(roles, rt, sizeof(rt));
	op = push(s, cap);
	op->code = CRDT_OP_SET;
	memcpy(op->entity, entity, 16);
	op->name = "roles";
	op->name_len = 5;
	op->value = (struct crdt_value){
	    .kind = CRDT_VALUE_STR, .p = keep(s, rt, rl), .len = rl};
	op = push(s, cap);
	op->code = CRDT_OP_SET;
	memcpy(op->entity, entity, 16);
	op->name = "key_id";
	op->name_len = 6;
	op->value = (struct crdt_value){
	    .kind = CRDT_VALUE_BIN, .p = keep(s, id, sizeof(id)), .len = 16};
	for (size_t i = 0; r && i < r->n_members; i++) {
		const struct node_member *m = &r->members[i];
		uint8_t env[CRDT_SEAL_ENVELOPE_BYTES];
		if (!node_seal_member_in_group(m, roles, scope) ||
		    crdt_seal_envelope(env, m->key, k) != 0)
			continue;
		op = push(s, cap);
		op->code = CRDT_OP_ADD;
		memcpy(op->entity, entity, 16);
		op->name = "envelopes";
		op->name_len = 9;
		op->value = (struct crdt_value){.kind = CRDT_VALUE_BIN,
						.p = keep(s, env, sizeof(env)),
						.len = sizeof(env)};
	}
	s->n_prefix = s->n;
}

/* The type of the record an op names: created in this entry, or held. */
static const struct node_type *op_type(struct node_ctx *n,
				       const struct crdt_op *in, size_t n_in,
				       const uint8_t entity[16])
{
	for (size_t i = 0; i < n_in; i++)
		if (in[i].code == CRDT_OP_CREATE &&
		    !memcmp(in[i].entity, entity, 16))
			return node_schema_type(in[i].name, in[i].name_len);
	struct node_entity e;
	if (node_ledger_entity(n->ledger, entity, &e) != 0)
		return NULL;
	return node_schema_type(e.type, strlen(e.type));
}

/* Group keys of this entry: one per group it seals to. */
struct group_key {
	unsigned roles;
	uint8_t k[CRDT_SEAL_KEY_BYTES];
};

/* The key of group roles among groups[0..n). */
static const uint8_t *group_k(const struct group_key *groups, size_t n,
			      unsigned roles)
{
	for (size_t g = 0; g < n; g++)
		if (groups[g].roles == roles)
			return groups[g].k;
	return NULL;
}

int node_keyring_seal(struct node_ctx *n, const char *scope, uint64_t seq,
		      const struct crdt_op *in, size_t n_in,
		      struct node_sealed_ops *out, struct node_reason *why)
{
	memset(out, 0, sizeof(*out));
	size_t cap = 0;
	const struct node_roster *r = node_ledger_roster(n->ledger);
	bool sealing = r && r->schema_version >= NODE_SCHEMA_SEALED;
	/* 1. Which groups the entry seals to, and a key for each: held, or
	 * made here and put first. */
	struct group_key groups[NODE_ROLE_COUNT + 1];
	size_t n_groups = 0;
	const struct node_field **fields =
	    crdt_xcalloc(n_in ? n_in : 1, sizeof(*fields));
	for (size_t i = 0; sealing && i < n_in; i++) {
		if (in[i].code == CRDT_OP_CREATE)
			continue;
		const struct node_type *t = op_type(n, in, n_in, in[i].entity);
		const struct node_field *f =
		    t ? node_schema_field(t, in[i].name, in[i].name_len) : NULL;
		if (!f || strlen(f->name) != in[i].name_len ||
		    !node_schema_sealed(f, r->schema_version))
			continue;
		fields[i] = f;
		unsigned roles = node_schema_readers(f);
		if (group_k(groups, n_groups, roles))
			continue;
		size_t g = n_groups++; /* at most one per role set */
		groups[g].roles = roles;
		if (current_key(n, roles, scope, groups[g].k) != 0) {
			crdt_seal_key_new(groups[g].k);
			key_record_ops(n, out, &cap, scope, seq, roles,
				       groups[g].k);
			uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
			crdt_seal_key_id(groups[g].k, id);
			cache_put(n, id, groups[g].k);
			note_made(n, roles, scope, id);
		}
	}
	/* 2. The ops in order; a remove of a plaintext element becomes a
	 * remove of each sealed form of it. to_seal marks what step 4 seals. */
	size_t to_seal_cap = n_in + 1;
	const struct node_field **to_seal = NULL;
	size_t *create_at = crdt_xcalloc(n_in ? n_in : 1, sizeof(*create_at));
	out->created = crdt_xcalloc(n_in ? n_in : 1, sizeof(*out->created));
	for (size_t i = 0; i < n_in; i++) {
		const struct crdt_op *src = &in[i];
		const struct node_field *f = fields[i];
		bool plain_value =
		    src->value.kind != CRDT_VALUE_NIL &&
		    !(src->value.kind == CRDT_VALUE_BIN &&
		      crdt_seal_is_sealed(src->value.p, src->value.len));
		if (f && plain_value && src->code == CRDT_OP_REMOVE) {
			struct crdt_cell cell;
			if (node_ledger_cell(n->ledger, src->entity, f->name,
					     &cell) != 0)
				continue;
			for (size_t e = 0; e < cell.n_elems; e++) {
				const struct crdt_elem *el = &cell.elems[e];
				struct crdt_value pv;
				uint8_t *plain = crdt_xmalloc(el->value.len + 1);
				if (node_keyring_open(n, src->entity, f,
						      &el->value, plain,
						      el->value.len + 1,
						      &pv) == 0 &&
				    crdt_value_equal(&pv, &src->value)) {
					struct crdt_op *op = push(out, &cap);
					*op = *src;
					op->value = el->value;
					op->value.p = keep(out, el->value.p,
							   el->value.len);
					op->dots = keep(out, el->tags,
							el->n_tags *
							    sizeof(*el->tags));
					op->n_dots = el->n_tags;
				}
				sodium_memzero(plain, el->value.len + 1);
				free(plain);
			}
			crdt_cell_fini(&cell);
			continue;
		}
		struct crdt_op *op = push(out, &cap);
		*op = *src;
		if (src->code == CRDT_OP_CREATE)
			create_at[i] = out->n - 1;
		if (f && plain_value) {
			if (!to_seal) {
				to_seal_cap = cap;
				to_seal = crdt_xcalloc(to_seal_cap, sizeof(*to_seal));
			}
			if (out->n > to_seal_cap) {
				size_t nc = 2 * out->n;
				to_seal = crdt_xrealloc(to_seal, nc * sizeof(*to_seal));
				memset(to_seal + to_seal_cap, 0,
				       (nc - to_seal_cap) * sizeof(*to_seal));
				to_seal_cap = nc;
			}
			to_seal[out->n - 1] = f;
		}
	}
	free(fields);
	/* 3. A create's id comes from its op index: where ops moved, the
	 * creates are renamed, with every op and reference naming them. The
	 * old and new ids are all worked out first: a moved create's new id
	 * may be another's old one. */
	size_t n_ren = 0;
	uint8_t(*ren)[2][16] = crdt_xcalloc(out->n ? out->n : 1, sizeof(*ren));
	for (size_t i = out->n_prefix; i < out->n; i++) {
		struct crdt_op *c = &out->ops[i];
		if (c->code != CRDT_OP_CREATE)
			continue;
		memcpy(ren[n_ren][0], c->entity, 16);
		crdt_entity_id(ren[n_ren][1], n->pk, scope, seq, (uint32_t)i);
		if (memcmp(ren[n_ren][0], ren[n_ren][1], 16))
			n_ren++;
	}
	for (size_t j = out->n_prefix; j < out->n && n_ren; j++) {
		struct crdt_op *o = &out->ops[j];
		for (size_t k = 0; k < n_ren; k++)
			if (!memcmp(o->entity, ren[k][0], 16)) {
				memcpy(o->entity, ren[k][1], 16);
				break;
			}
		if (o->value.kind != CRDT_VALUE_BIN || o->value.len != 16)
			continue;
		for (size_t k = 0; k < n_ren; k++)
			if (!memcmp(o->value.p, ren[k][0], 16)) {
				o->value.p = keep(out, ren[k][1], 16);
				break;
			}
	}
	free(ren);
	for (size_t i = 0; i < n_in; i++)
		if (in[i].code == CRDT_OP_CREATE)
			memcpy(out->created[i], out->ops[create_at[i]].entity,
			       16);
	free(create_at);
	/* 4. Seal, under the records' final ids. */
	uint8_t net_id[32] = {0};
	if (r)
		node_ledger_net_id(n->ledger, net_id);
	int rc = 0;
	for (size_t i = 0; to_seal && i < out->n && i < to_seal_cap && rc == 0;
	     i++) {
		const struct node_field *f = to_seal[i];
		if (!f)
			continue;
		struct crdt_op *op = &out->ops[i];
		const uint8_t *k =
		    group_k(groups, n_groups, node_schema_readers(f));
		struct crdt_buf b;
		crdt_buf_init(&b);
		rc = k ? crdt_seal_value(&b, k, net_id, op->entity, f->name,
					 strlen(f->name), &op->value)
		       : -EINVAL;
		if (rc == 0)
			op->value = (struct crdt_value){
			    .kind = CRDT_VALUE_BIN,
			    .p = keep(out, b.data, b.len),
			    .len = b.len};
		crdt_buf_fini(&b);
	}
	free(to_seal);
	for (size_t g = 0; g < n_groups; g++)
		sodium_memzero(groups[g].k, sizeof(groups[g].k));
	if (rc != 0) {
		NODE_REASON0(why, MSG_W_SEAL_FAILED);
		node_sealed_ops_fini(out);
		return rc;
	}
	return 0;
}

/* ---- keeping keys ---- */

/* What maintain and status learn of one key record. */
struct scan_rec {
	struct node_key_record rec;
	bool held;	 /* this node opens its envelope */
	bool serves;	 /* it serves the roster version in force */
	size_t missing;	 /* group members without an envelope in it */
	bool keeper;	 /* this node: the lowest key holding it */
};

struct scan {
	struct node_ctx *n;
	const struct node_roster *r;
	const struct node_member *self;
	struct node_seal_chain chain;
	struct scan_rec *v;
	size_t len, cap;
};

/* Whether the envelopes set of cell holds one for key. */
static bool has_envelope(const struct crdt_cell *cell, const uint8_t key[32])
{
	for (size_t i = 0; i < cell->n_elems; i++) {
		const uint8_t *to;
		const struct crdt_value *v = &cell->elems[i].value;
		if (v->kind == CRDT_VALUE_BIN &&
		    crdt_seal_envelope_parse(v->p, v->len, &to) == 0 &&
		    !memcmp(to, key, 32))
			return true;
	}
	return false;
}

static int scan_one(void *arg, const struct node_key_record *k)
{
	struct scan *s = arg;
	if (!node_seal_member_in_group(s->self, k->roles, k->scope))
		return 0;
	if (s->len == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 16;
		s->v = crdt_xrealloc(s->v, s->cap * sizeof(*s->v));
	}
	struct scan_rec *x = &s->v[s->len++];
	memset(x, 0, sizeof(*x));
	x->rec = *k;
	uint8_t key[CRDT_SEAL_KEY_BYTES];
	x->held = key_for_id(s->n, k->key_id, key) == 0;
	sodium_memzero(key, sizeof(key));
	x->serves = node_seal_key_serves(&s->chain, k->roles, k->scope,
					 k->made, s->chain.n);
	struct crdt_cell cell;
	if (node_ledger_cell(s->n->ledger, k->entity, "envelopes", &cell) != 0)
		crdt_cell_init(&cell, true);
	const uint8_t *lowest = NULL;
	for (size_t i = 0; i < s->r->n_members; i++) {
		const struct node_member *m = &s->r->members[i];
		if (!node_seal_member_in_group(m, k->roles, k->scope))
			continue;
		if (!has_envelope(&cell, m->key))
			x->missing++;
		else if (m->role != NODE_ROLE_AUDITOR && /* writes nothing */
			 (!lowest || memcmp(m->key, lowest, 32) < 0))
			lowest = m->key;
	}
	x->keeper = lowest && !memcmp(lowest, s->n->pk, 32);
	crdt_cell_fini(&cell);
	return 0;
}

static void scan_all(struct node_ctx *n, struct scan *s)
{
	memset(s, 0, sizeof(*s));
	s->n = n;
	s->r = node_ledger_roster(n->ledger);
	s->self = me(n);
	s->chain = chain_of(n);
	if (s->r && s->self)
		node_ledger_each_group_key(n->ledger, 0, NULL, scan_one, s);
}

/* Writes ops[0..n_ops) as one entry in scope. */
static int write_ops(struct node_ctx *n, const char *scope,
		     struct crdt_op *ops, size_t n_ops)
{
	struct node_reason why;
	if (node_ctx_may_sign(n, &why) != 0)
		return -EAGAIN;
	struct node_write w = {.scope = scope, .n_ops = n_ops, .ops = ops};
	uint64_t seq;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000u +
		       (uint64_t)ts.tv_nsec / 1000000u;
	return node_ledger_write(n->ledger, n->sk, n->pk, &w, now, &seq, &why);
}

/* Adds the envelopes record x lacks, as one entry of its scope. */
static int give_envelopes(struct node_ctx *n, const struct scan_rec *x,
			  const struct node_roster *r)
{
	uint8_t k[CRDT_SEAL_KEY_BYTES];
	if (key_for_id(n, x->rec.key_id, k) != 0)
		return -ENOKEY;
	struct crdt_cell cell;
	if (node_ledger_cell(n->ledger, x->rec.entity, "envelopes", &cell) != 0)
		crdt_cell_init(&cell, true);
	struct node_sealed_ops s = {0};
	size_t cap = 0;
	for (size_t i = 0; i < r->n_members && s.n < 200; i++) {
		const struct node_member *m = &r->members[i];
		uint8_t env[CRDT_SEAL_ENVELOPE_BYTES];
		if (!node_seal_member_in_group(m, x->rec.roles, x->rec.scope) ||
		    has_envelope(&cell, m->key) ||
		    crdt_seal_envelope(env, m->key, k) != 0)
			continue;
		struct crdt_op *op = push(&s, &cap);
		op->code = CRDT_OP_ADD;
		memcpy(op->entity, x->rec.entity, 16);
		op->name = "envelopes";
		op->name_len = 9;
		op->value = (struct crdt_value){.kind = CRDT_VALUE_BIN,
						.p = keep(&s, env, sizeof(env)),
						.len = sizeof(env)};
	}
	sodium_memzero(k, sizeof(k));
	crdt_cell_fini(&cell);
	int rc = s.n ? write_ops(n, x->rec.scope, s.ops, s.n) : 0;
	node_sealed_ops_fini(&s);
	return rc;
}

/* A fresh key record for group (roles, scope), as one entry. */
static int fresh_key(struct node_ctx *n, unsigned roles, const char *scope)
{
	uint64_t seq;
	node_ledger_next_seq(n->ledger, n->pk, scope, &seq);
	uint8_t k[CRDT_SEAL_KEY_BYTES], id[CRDT_SEAL_KEY_ID_BYTES];
	crdt_seal_key_new(k);
	struct node_sealed_ops s = {0};
	size_t cap = 0;
	key_record_ops(n, &s, &cap, scope, seq, roles, k);
	int rc = write_ops(n, scope, s.ops, s.n);
	if (rc == 0) {
		crdt_seal_key_id(k, id);
		cache_put(n, id, k);
	}
	sodium_memzero(k, sizeof(k));
	node_sealed_ops_fini(&s);
	return rc;
}

int node_keyring_maintain(struct node_ctx *n, unsigned *written)
{
	struct scan s;
	*written = 0;
	const struct node_member *self = me(n);
	if (!self || self->role == NODE_ROLE_AUDITOR)
		return 0; /* the auditor writes nothing */
	scan_all(n, &s);
	int rc = 0;
	for (size_t i = 0; i < s.len && rc == 0; i++) {
		struct scan_rec *x = &s.v[i];
		/* Envelopes for those who joined: from the keeper, the
		 * lowest member key holding the key (one writer, no
		 * duplicates); the others wait for it. */
		if (x->missing && x->held &&
		    (x->keeper || lacking_long(n, x->rec.entity))) {
			rc = give_envelopes(n, x, s.r);
			if (rc == 0)
				(*written)++;
		}
	}
	/* A group a roster version changed: its keeper makes a fresh key
	 * (writers would make one in their next entry anyway). Groups are
	 * runs of one (scope, roles) in the scan's order. */
	for (size_t i = 0; i < s.len && rc == 0;) {
		size_t j = i;
		bool serving = false, keeper = false, any_held = false;
		while (j < s.len && s.v[j].rec.roles == s.v[i].rec.roles &&
		       !strcmp(s.v[j].rec.scope, s.v[i].rec.scope)) {
			serving |= s.v[j].serves;
			keeper |= s.v[j].keeper;
			any_held |= s.v[j].held;
			j++;
		}
		if (!serving && any_held && keeper) {
			rc = fresh_key(n, s.v[i].rec.roles, s.v[i].rec.scope);
			if (rc == 0)
				(*written)++;
		}
		i = j;
	}
	free(s.v);
	return rc;
}

struct node_doc *node_keyring_status(struct node_ctx *n)
{
	struct scan s;
	scan_all(n, &s);
	struct node_doc *arr = node_doc_array();
	for (size_t i = 0; i < s.len;) {
		size_t j = i, held = 0, missing = 0;
		bool current = false;
		while (j < s.len && s.v[j].rec.roles == s.v[i].rec.roles &&
		       !strcmp(s.v[j].rec.scope, s.v[i].rec.scope)) {
			held += s.v[j].held;
			missing += !s.v[j].held;
			current |= s.v[j].held && s.v[j].serves;
			j++;
		}
		char rt[96];
		node_schema_roles_text(s.v[i].rec.roles, rt, sizeof(rt));
		struct node_doc *o = node_doc_object();
		node_doc_set(o, "roles", node_doc_str(rt));
		node_doc_set(o, "scope", node_doc_str(s.v[i].rec.scope));
		node_doc_set(o, "held", node_doc_int((int64_t)held));
		node_doc_set(o, "missing", node_doc_int((int64_t)missing));
		node_doc_set(o, "current", node_doc_bool(current));
		node_doc_push(arr, o);
		i = j;
	}
	free(s.v);
	return arr;
}

/* ---- audit ---- */

struct audit_scan {
	struct node_ctx *n;
	node_keyring_finding_fn fn;
	void *ctx;
	struct node_seal_counts *counts;
};

/* One value of a sealed field as audit judges it. */
static void audit_value(struct audit_scan *a, const uint8_t id[16],
			const char *scope, const struct node_field *f,
			const struct crdt_value *v, const struct crdt_dot *dot)
{
	if (v->kind != CRDT_VALUE_BIN || !crdt_seal_is_sealed(v->p, v->len))
		return;
	uint8_t *plain = crdt_xmalloc(v->len);
	struct crdt_value out;
	int rc = node_keyring_open(a->n, id, f, v, plain, v->len, &out);
	sodium_memzero(plain, v->len);
	free(plain);
	if (rc == 0) {
		a->counts->opened++;
	} else if (rc == -ENOKEY) {
		a->counts->sealed++;
	} else {
		a->counts->unreadable++;
		struct node_reason why;
		char hex[33];
		for (int i = 0; i < 16; i++)
			snprintf(hex + 2 * i, 3, "%02x", id[i]);
		NODE_REASON(&why, MSG_F_SEALED_UNREADABLE, f->name, hex);
		a->fn(a->ctx, dot, scope, &why);
	}
}

static int audit_record(void *arg, const uint8_t id[16])
{
	struct audit_scan *a = arg;
	struct node_entity e;
	if (node_ledger_entity(a->n->ledger, id, &e) != 0 || !e.valid)
		return 0;
	const struct node_type *t = node_schema_type(e.type, strlen(e.type));
	for (size_t i = 0; t && i < t->n_fields; i++) {
		const struct node_field *f = &t->fields[i];
		if (f->sensitivity != NODE_SENS_CLINICAL &&
		    f->sensitivity != NODE_SENS_IDENTIFIER)
			continue;
		struct crdt_cell c;
		if (node_ledger_cell(a->n->ledger, id, f->name, &c) != 0)
			continue;
		for (size_t k = 0; k < c.n_live; k++)
			audit_value(a, id, e.scope, f, &c.live[k].value,
				    &c.live[k].dot);
		for (size_t k = 0; k < c.n_elems; k++)
			audit_value(a, id, e.scope, f, &c.elems[k].value,
				    c.elems[k].n_tags ? &c.elems[k].tags[0]
						      : NULL);
		crdt_cell_fini(&c);
	}
	return 0;
}

/* This node's envelopes in key record k must open to a key hashing to
 * its key_id. */
static int audit_key(void *arg, const struct node_key_record *k)
{
	struct audit_scan *a = arg;
	struct crdt_cell c;
	if (node_ledger_cell(a->n->ledger, k->entity, "envelopes", &c) != 0)
		return 0;
	for (size_t i = 0; i < c.n_elems; i++) {
		const struct crdt_value *v = &c.elems[i].value;
		uint8_t key[CRDT_SEAL_KEY_BYTES], id[CRDT_SEAL_KEY_ID_BYTES];
		if (v->kind != CRDT_VALUE_BIN ||
		    crdt_seal_envelope_open(v->p, v->len, a->n->pk, a->n->sk,
					    key) != 0)
			continue;
		crdt_seal_key_id(key, id);
		sodium_memzero(key, sizeof(key));
		if (!memcmp(id, k->key_id, sizeof(id)))
			continue;
		a->counts->bad_envelopes++;
		struct node_reason why;
		NODE_REASON0(&why, MSG_F_ENVELOPE_WRONG_KEY);
		a->fn(a->ctx, c.elems[i].n_tags ? &c.elems[i].tags[0] : NULL,
		      k->scope, &why);
	}
	crdt_cell_fini(&c);
	return 0;
}

void node_keyring_audit(struct node_ctx *n, node_keyring_finding_fn fn,
			void *ctx, struct node_seal_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	struct audit_scan a = {n, fn, ctx, counts};
	node_ledger_each_id(n->ledger, NULL, 0, audit_record, &a);
	node_ledger_each_group_key(n->ledger, 0, NULL, audit_key, &a);
}
