/*
 * roster.c: decoding, verifying and building the signed roster. The roster
 * decides who may write at all (an unknown author's entry is rejected
 * outright), with which role and jurisdiction (judged per op), and which TLS
 * certificates a node accepts.
 */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/roster.h"

#define ROSTER_PREFIX "ward-roster-v1"

static char *strndup_checked(const char *s, size_t n)
{
	char *p = crdt_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = 0;
	return p;
}

void node_member_fini(struct node_member *m)
{
	free(m->name);
	free(m->address);
	free(m->cert_pem);
	free(m->revoked);
	memset(m, 0, sizeof(*m));
}

int node_member_decode(struct crdt_mp_cursor *c, struct node_member *m)
{
	size_t n;
	const char *s;
	size_t len;
	memset(m, 0, sizeof(*m));
	if (crdt_mp_read_array(c, &n) != 0 || n != 7 ||
	    crdt_mp_read_bin_fixed(c, m->key, 32) != 0)
		return -EBADMSG;
	if (crdt_mp_read_str(c, &s, &len) != 0 ||
	    node_role_parse(s, len, &m->role) != 0)
		return -EBADMSG;
	if (crdt_mp_read_str(c, &s, &len) != 0)
		return -EBADMSG;
	m->name = strndup_checked(s, len);
	if (crdt_mp_read_str(c, &s, &len) != 0 || !crdt_scope_valid(s, len))
		goto bad;
	memcpy(m->scope, s, len);
	m->scope[len] = 0;
	if (crdt_mp_read_str(c, &s, &len) != 0)
		goto bad;
	m->address = strndup_checked(s, len);
	if (crdt_mp_read_str(c, &s, &len) != 0)
		goto bad;
	m->cert_pem = strndup_checked(s, len);
	enum crdt_mp_type t;
	if (crdt_mp_peek(c, &t) != 0)
		goto bad;
	if (t == CRDT_MP_NIL) {
		crdt_mp_read_nil(c);
		return 0;
	}
	if (crdt_mp_read_array(c, &n) != 0)
		goto bad;
	m->revoked = crdt_xcalloc(n ? n : 1, sizeof(*m->revoked));
	for (size_t i = 0; i < n; i++) {
		size_t k;
		if (crdt_mp_read_array(c, &k) != 0 || k != 2 ||
		    crdt_mp_read_str(c, &s, &len) != 0 ||
		    !crdt_scope_valid(s, len))
			goto bad;
		memcpy(m->revoked[i].scope, s, len);
		m->revoked[i].scope[len] = 0;
		if (crdt_mp_read_uint(c, &m->revoked[i].seq) != 0)
			goto bad;
		m->n_revoked++;
	}
	return 0;
bad:
	node_member_fini(m);
	return -EBADMSG;
}

void node_member_encode(struct crdt_buf *b, const struct node_member *m)
{
	crdt_pack_array(b, 7);
	crdt_pack_bin(b, m->key, 32);
	crdt_pack_cstr(b, node_role_name(m->role));
	crdt_pack_cstr(b, m->name);
	crdt_pack_cstr(b, m->scope);
	crdt_pack_cstr(b, m->address ? m->address : "");
	crdt_pack_cstr(b, m->cert_pem ? m->cert_pem : "");
	if (m->n_revoked == 0) {
		crdt_pack_nil(b);
		return;
	}
	crdt_pack_array(b, m->n_revoked);
	for (size_t i = 0; i < m->n_revoked; i++) {
		crdt_pack_array(b, 2);
		crdt_pack_cstr(b, m->revoked[i].scope);
		crdt_pack_uint(b, m->revoked[i].seq);
	}
}

void node_roster_free(struct node_roster *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_members; i++)
		node_member_fini(&r->members[i]);
	free(r->members);
	free(r->admins);
	free(r->sig_keys);
	free(r->sigs);
	free(r->wire);
	free(r);
}

static int decode_body(struct node_roster *r, enum node_msg *why)
{
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t format;
	crdt_mp_cursor_init(&c, r->body, r->body_len, true);
	*why = MSG_R_BODY;
	if (crdt_mp_read_array(&c, &n) != 0 || n != 7 ||
	    crdt_mp_read_uint(&c, &format) != 0 || format != 1 ||
	    crdt_mp_read_uint(&c, &r->version) != 0 || r->version == 0)
		return -EBADMSG;
	enum crdt_mp_type t;
	if (crdt_mp_peek(&c, &t) != 0)
		return -EBADMSG;
	if (t == CRDT_MP_NIL) {
		crdt_mp_read_nil(&c);
	} else {
		if (crdt_mp_read_bin_fixed(&c, r->prev, 32) != 0)
			return -EBADMSG;
		r->has_prev = true;
	}
	if ((r->version == 1) == r->has_prev) {
		*why = MSG_R_PREV_NIL;
		return -EBADMSG;
	}
	if (crdt_mp_read_uint(&c, &r->schema_version) != 0 ||
	    crdt_mp_read_uint(&c, &r->threshold) != 0)
		return -EBADMSG;
	if (r->threshold == 0) {
		*why = MSG_R_THRESHOLD_ZERO;
		return -EBADMSG;
	}
	if (crdt_mp_read_array(&c, &n) != 0)
		return -EBADMSG;
	if (n == 0) {
		*why = MSG_R_NO_ADMIN;
		return -EBADMSG;
	}
	r->admins = crdt_xcalloc(n, 32);
	for (size_t i = 0; i < n; i++) {
		if (crdt_mp_read_bin_fixed(&c, r->admins[i], 32) != 0)
			return -EBADMSG;
		r->n_admins++;
	}
	if (r->threshold > r->n_admins) {
		*why = MSG_R_THRESHOLD_HIGH;
		return -EBADMSG;
	}
	if (crdt_mp_read_array(&c, &n) != 0)
		return -EBADMSG;
	r->members = crdt_xcalloc(n ? n : 1, sizeof(*r->members));
	for (size_t i = 0; i < n; i++) {
		if (node_member_decode(&c, &r->members[i]) != 0) {
			*why = MSG_R_MEMBER;
			return -EBADMSG;
		}
		r->n_members++;
		for (size_t k = 0; k < i; k++) {
			if (!memcmp(r->members[k].key, r->members[i].key, 32)) {
				*why = MSG_R_MEMBER_TWICE;
				return -EBADMSG;
			}
		}
	}
	if (crdt_mp_left(&c) != 0)
		return -EBADMSG;
	return 0;
}

int node_roster_decode(const uint8_t *wire, size_t len,
		       struct node_roster **out, enum node_msg *why)
{
	struct node_roster *r = crdt_xcalloc(1, sizeof(*r));
	struct crdt_mp_cursor c;
	size_t n;
	enum node_msg reason = MSG_R_NOT_PAIR;
	r->wire = crdt_xmalloc(len ? len : 1);
	memcpy(r->wire, wire, len);
	r->wire_len = len;
	crdt_mp_cursor_init(&c, r->wire, len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n != 2 ||
	    crdt_mp_read_bin(&c, &r->body, &r->body_len) != 0 ||
	    crdt_mp_read_array(&c, &n) != 0)
		goto bad;
	r->sig_keys = crdt_xcalloc(n ? n : 1, 32);
	r->sigs = crdt_xcalloc(n ? n : 1, 64);
	for (size_t i = 0; i < n; i++) {
		size_t k;
		if (crdt_mp_read_array(&c, &k) != 0 || k != 2 ||
		    crdt_mp_read_bin_fixed(&c, r->sig_keys[i], 32) != 0 ||
		    crdt_mp_read_bin_fixed(&c, r->sigs[i], 64) != 0)
			goto bad;
		r->n_sigs++;
	}
	if (crdt_mp_left(&c) != 0)
		goto bad;
	if (decode_body(r, &reason) != 0)
		goto bad;
	crypto_generichash(r->body_hash, 32, r->body, r->body_len, NULL, 0);
	*out = r;
	return 0;
bad:
	node_roster_free(r);
	if (why)
		*why = reason;
	return -EBADMSG;
}

static bool verify_sig(const uint8_t sig[64], const uint8_t key[32],
		       const uint8_t *body, size_t body_len)
{
	size_t plen = sizeof(ROSTER_PREFIX) - 1;
	uint8_t *m = crdt_xmalloc(plen + body_len);
	memcpy(m, ROSTER_PREFIX, plen);
	memcpy(m + plen, body, body_len);
	bool ok = crypto_sign_verify_detached(sig, m, plen + body_len, key) == 0;
	free(m);
	return ok;
}

int node_roster_verify_genesis(const struct node_roster *r, enum node_msg *why)
{
	if (r->version != 1) {
		*why = MSG_R_NOT_GENESIS;
		return -EBADMSG;
	}
	uint64_t good = 0;
	for (size_t i = 0; i < r->n_sigs; i++) {
		bool admin = false, seen = false;
		for (size_t a = 0; a < r->n_admins; a++)
			admin |= !memcmp(r->admins[a], r->sig_keys[i], 32);
		for (size_t k = 0; k < i; k++)
			seen |= !memcmp(r->sig_keys[k], r->sig_keys[i], 32);
		if (!admin || seen)
			continue;
		if (!verify_sig(r->sigs[i], r->sig_keys[i], r->body, r->body_len)) {
			*why = MSG_R_SIG;
			return -EBADMSG;
		}
		good++;
	}
	if (good < r->threshold) {
		*why = MSG_R_TOO_FEW_SIGS;
		return -EBADMSG;
	}
	return 0;
}

const struct node_member *node_roster_find(const struct node_roster *r,
					   const uint8_t key[32])
{
	for (size_t i = 0; i < r->n_members; i++)
		if (!memcmp(r->members[i].key, key, 32))
			return &r->members[i];
	return NULL;
}

uint64_t node_member_last_seq(const struct node_member *m, const char *scope)
{
	for (size_t i = 0; i < m->n_revoked; i++)
		if (!strcmp(m->revoked[i].scope, scope))
			return m->revoked[i].seq;
	return UINT64_MAX;
}

int node_roster_build_genesis(const struct node_member *members, size_t n,
			      const uint8_t pk[32], const uint8_t *sk,
			      uint8_t **wire, size_t *wire_len)
{
	return node_roster_build_genesis_schema(
	    members, n, pk, sk, NODE_SCHEMA_VERSION, wire, wire_len);
}

int node_roster_build_genesis_schema(const struct node_member *members,
				     size_t n, const uint8_t pk[32],
				     const uint8_t *sk, uint64_t sv,
				     uint8_t **wire, size_t *wire_len)
{
	struct crdt_buf body, out;
	crdt_buf_init(&body);
	crdt_buf_init(&out);
	crdt_pack_array(&body, 7);
	crdt_pack_uint(&body, 1);
	crdt_pack_uint(&body, 1);
	crdt_pack_nil(&body);
	crdt_pack_uint(&body, sv);
	crdt_pack_uint(&body, 1);
	crdt_pack_array(&body, 1);
	crdt_pack_bin(&body, pk, 32);
	crdt_pack_array(&body, n);
	for (size_t i = 0; i < n; i++)
		node_member_encode(&body, &members[i]);
	size_t plen = sizeof(ROSTER_PREFIX) - 1;
	uint8_t *m = crdt_xmalloc(plen + body.len);
	memcpy(m, ROSTER_PREFIX, plen);
	memcpy(m + plen, body.data, body.len);
	uint8_t sig[64];
	crypto_sign_detached(sig, NULL, m, plen + body.len, sk);
	free(m);
	crdt_pack_array(&out, 2);
	crdt_pack_bin(&out, body.data, body.len);
	crdt_pack_array(&out, 1);
	crdt_pack_array(&out, 2);
	crdt_pack_bin(&out, pk, 32);
	crdt_pack_bin(&out, sig, 64);
	crdt_buf_fini(&body);
	*wire = crdt_buf_take(&out, wire_len);
	return 0;
}
