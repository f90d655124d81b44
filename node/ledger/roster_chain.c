/*
 * roster_chain.c: the roster as it changes (DESIGN.md section 3). Version
 * N+1 is valid when its prev names version N's body and at least N's
 * threshold distinct admins of N signed it, and its own threshold stays
 * above half its admins, so that at most one body per version reaches the
 * threshold unless an admin signs two. A chain file is the array of every
 * version from genesis; verifying it needs nothing but its bytes.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/roster.h"

#define ROSTER_PREFIX "ward-roster-v1"

bool node_roster_is_admin(const struct node_roster *r, const uint8_t key[32])
{
	for (size_t i = 0; i < r->n_admins; i++)
		if (!memcmp(r->admins[i], key, 32))
			return true;
	return false;
}

void node_roster_encode_body(struct crdt_buf *b, const struct node_roster *r)
{
	crdt_pack_array(b, 7);
	crdt_pack_uint(b, 1);
	crdt_pack_uint(b, r->version);
	if (r->has_prev)
		crdt_pack_bin(b, r->prev, 32);
	else
		crdt_pack_nil(b);
	crdt_pack_uint(b, r->schema_version);
	crdt_pack_uint(b, r->threshold);
	crdt_pack_array(b, r->n_admins);
	for (size_t i = 0; i < r->n_admins; i++)
		crdt_pack_bin(b, r->admins[i], 32);
	crdt_pack_array(b, r->n_members);
	for (size_t i = 0; i < r->n_members; i++)
		node_member_encode(b, &r->members[i]);
}

static uint8_t *signed_bytes(const uint8_t *body, size_t len, size_t *out_len)
{
	size_t plen = sizeof(ROSTER_PREFIX) - 1;
	uint8_t *m = crdt_xmalloc(plen + len);
	memcpy(m, ROSTER_PREFIX, plen);
	memcpy(m + plen, body, len);
	*out_len = plen + len;
	return m;
}

void node_roster_sign(const uint8_t *body, size_t len, const uint8_t *sk,
		      uint8_t sig[64])
{
	size_t n;
	uint8_t *m = signed_bytes(body, len, &n);
	crypto_sign_detached(sig, NULL, m, n, sk);
	free(m);
}

bool node_roster_sig_ok(const uint8_t sig[64], const uint8_t key[32],
			const uint8_t *body, size_t len)
{
	size_t n;
	uint8_t *m = signed_bytes(body, len, &n);
	bool ok = crypto_sign_verify_detached(sig, m, n, key) == 0;
	free(m);
	return ok;
}

struct keyed_sig {
	const uint8_t *key;
	const uint8_t *sig;
};

static int keyed_cmp(const void *a, const void *b)
{
	return memcmp(((const struct keyed_sig *)a)->key,
		      ((const struct keyed_sig *)b)->key, 32);
}

void node_roster_assemble(struct crdt_buf *out, const uint8_t *body, size_t len,
			  size_t n, const uint8_t (*keys)[32],
			  const uint8_t (*sigs)[64])
{
	struct keyed_sig *v = crdt_xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++) {
		v[i].key = keys[i];
		v[i].sig = sigs[i];
	}
	qsort(v, n, sizeof(*v), keyed_cmp);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || memcmp(v[k - 1].key, v[i].key, 32) != 0)
			v[k++] = v[i];
	crdt_pack_array(out, 2);
	crdt_pack_bin(out, body, len);
	crdt_pack_array(out, k);
	for (size_t i = 0; i < k; i++) {
		crdt_pack_array(out, 2);
		crdt_pack_bin(out, v[i].key, 32);
		crdt_pack_bin(out, v[i].sig, 64);
	}
	free(v);
}

int node_roster_check_successor(const struct node_roster *prev,
				const struct node_roster *next, uint64_t *good,
				enum node_msg *why)
{
	*good = 0;
	if (next->version != prev->version + 1) {
		*why = next->version <= prev->version
			   ? MSG_R_VERSION_HELD
			   : MSG_R_VERSION_GAP;
		return -EBADMSG;
	}
	if (!next->has_prev || memcmp(next->prev, prev->body_hash, 32) != 0) {
		*why = MSG_R_PREV_WRONG;
		return -EBADMSG;
	}
	if (2 * next->threshold <= next->n_admins) {
		*why = MSG_R_THRESHOLD_HALF;
		return -EBADMSG;
	}
	for (size_t i = 0; i < next->n_sigs; i++) {
		if (!node_roster_is_admin(prev, next->sig_keys[i])) {
			*why = MSG_R_SIGNER_NOT_ADMIN;
			return -EBADMSG;
		}
		for (size_t k = 0; k < i; k++) {
			if (!memcmp(next->sig_keys[k], next->sig_keys[i], 32)) {
				*why = MSG_R_SIG_TWICE;
				return -EBADMSG;
			}
		}
		if (!node_roster_sig_ok(next->sigs[i], next->sig_keys[i],
					next->body, next->body_len)) {
			*why = MSG_R_SIG_BODY;
			return -EBADMSG;
		}
		(*good)++;
	}
	return 0;
}

int node_roster_verify_successor(const struct node_roster *prev,
				 const struct node_roster *next,
				 enum node_msg *why)
{
	uint64_t good;
	int rc = node_roster_check_successor(prev, next, &good, why);
	if (rc)
		return rc;
	if (good < prev->threshold) {
		*why = MSG_R_TOO_FEW_PREV_SIGS;
		return -EBADMSG;
	}
	return 0;
}

void node_roster_chain_fini(struct node_roster_chain *c)
{
	for (size_t i = 0; i < c->n; i++)
		node_roster_free(c->v[i]);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void chain_push(struct node_roster_chain *c, struct node_roster *r)
{
	struct node_roster **v = crdt_xrealloc(c->v, (c->n + 1) * sizeof(*v));
	c->v = v;
	c->v[c->n++] = r;
}

/* Verifies r as element i of a chain whose earlier elements are in c. */
static int chain_check(struct node_roster_chain *c, struct node_roster *r,
		       struct node_reason *why)
{
	enum node_msg reason;
	int rc;
	if (c->n == 0)
		rc = node_roster_verify_genesis(r, &reason);
	else
		rc = node_roster_verify_successor(c->v[c->n - 1], r, &reason);
	if (rc)
		NODE_REASON(why, MSG_R_AT_VERSION, (unsigned long long)r->version,
			    NODE_REASON_ID(reason));
	return rc;
}

int node_roster_chain_decode(const uint8_t *wire, size_t len,
			     struct node_roster_chain *out,
			     struct node_reason *why)
{
	struct crdt_mp_cursor c;
	size_t n;
	enum crdt_mp_type t;
	enum node_msg reason;
	struct node_roster *r;
	memset(out, 0, sizeof(*out));
	crdt_mp_cursor_init(&c, wire, len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n == 0 ||
	    crdt_mp_peek(&c, &t) != 0) {
		NODE_REASON0(why, MSG_R_NOT_CHAIN);
		return -EBADMSG;
	}
	if (t == CRDT_MP_BIN) {
		/* One roster: a chain of one. */
		if (node_roster_decode(wire, len, &r, &reason) != 0) {
			node_reason_of(why, reason);
			return -EBADMSG;
		}
		if (chain_check(out, r, why) != 0) {
			node_roster_free(r);
			return -EBADMSG;
		}
		chain_push(out, r);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *start = c.p;
		if (crdt_mp_skip(&c) != 0) {
			NODE_REASON(why, MSG_R_CHAIN_ITEM_MALFORMED, i + 1);
			goto bad;
		}
		if (node_roster_decode(start, (size_t)(c.p - start), &r,
				       &reason) != 0) {
			NODE_REASON(why, MSG_R_CHAIN_ITEM, i + 1,
				    NODE_REASON_ID(reason));
			goto bad;
		}
		if (r->version != i + 1) {
			NODE_REASON(why, MSG_R_CHAIN_ORDER, i + 1,
				    (unsigned long long)r->version);
			node_roster_free(r);
			goto bad;
		}
		if (chain_check(out, r, why) != 0) {
			node_roster_free(r);
			goto bad;
		}
		chain_push(out, r);
	}
	if (crdt_mp_left(&c) != 0) {
		NODE_REASON0(why, MSG_R_CHAIN_TRAILING);
		goto bad;
	}
	return 0;
bad:
	node_roster_chain_fini(out);
	return -EBADMSG;
}

void node_roster_chain_encode(struct crdt_buf *out,
			      struct node_roster *const *v, size_t n)
{
	crdt_pack_array(out, n);
	for (size_t i = 0; i < n; i++)
		crdt_buf_append(out, v[i]->wire, v[i]->wire_len);
}

uint64_t node_roster_chain_bound(struct node_roster *const *v, size_t n,
				 const uint8_t author[32], const char *scope)
{
	for (size_t i = n; i-- > 0;) {
		const struct node_member *m = node_roster_find(v[i], author);
		if (m)
			return node_member_last_seq(m, scope);
	}
	return UINT64_MAX;
}
