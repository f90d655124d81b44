/*
 * entry.c: the signed entry, ward's unit of change (DESIGN.md section 3).
 *
 *   wire  = [body: bin, sig: bin(64)]
 *   body  = [1, author: bin(32), scope: str, seq: uint, prev: bin(32),
 *            hlc: uint, roster_version: uint, ops: array]
 *   sig   = Ed25519("ward-entry-v1" || net_id || body)
 *   hash  = BLAKE2b-256(body || sig)
 *
 * The signature covers the body bytes as sent: nothing is re-encoded to
 * verify. Decoding enforces the canonical form and every limit, so two
 * different byte strings never decode to the same entry.
 */
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"

#define ENTRY_PREFIX "ward-entry-v1"
#define ENTRY_PREFIX_LEN (sizeof(ENTRY_PREFIX) - 1)
/* Shortest encoded dot: array header, bin8 header + 32 bytes, two fixints. */
#define MIN_DOT_BYTES 37u

static const size_t scope_levels[] = {2, 4, 6, 9, 12};

bool crdt_scope_valid(const char *s, size_t len)
{
	size_t level = 0;
	while (level < 5 && scope_levels[level] != len)
		level++;
	if (level == 5)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	/* The last level's group must not be all zeros: that form is the
	 * padded spelling of the shorter code. */
	size_t from = level ? scope_levels[level - 1] : 0;
	for (size_t i = from; i < len; i++)
		if (s[i] != '0')
			return true;
	return false;
}

/* The one scope rule's other half: padded forms cut to the canonical. */
bool crdt_scope_normalise(const char *in, char out[13])
{
	const size_t *levels = scope_levels;
	size_t len = strlen(in);
	if (len < 2 || len > 12)
		return false;
	for (size_t i = 0; i < len; i++)
		if (in[i] < '0' || in[i] > '9')
			return false;
	size_t lv = 0;
	while (lv < 5 && levels[lv] != len)
		lv++;
	if (lv == 5)
		return false;
	/* Drop trailing all-zero levels. */
	while (lv > 0) {
		bool zero = true;
		for (size_t i = levels[lv - 1]; i < levels[lv]; i++)
			zero &= in[i] == '0';
		if (!zero)
			break;
		lv--;
	}
	if (lv == 0) {
		bool zero = in[0] == '0' && in[1] == '0';
		if (zero)
			return false;
	}
	memcpy(out, in, levels[lv]);
	out[levels[lv]] = 0;
	return crdt_scope_valid(out, levels[lv]);
}

bool crdt_scope_covers(const char *a, const char *b)
{
	size_t la = strlen(a);
	return strlen(b) >= la && memcmp(a, b, la) == 0;
}

void crdt_entity_id(uint8_t out[CRDT_ENTITY_BYTES],
		    const uint8_t author[CRDT_KEY_BYTES], const char *scope,
		    uint64_t seq, uint32_t index)
{
	crypto_generichash_state st;
	uint8_t be[12];
	uint8_t h[CRDT_HASH_BYTES];
	for (int i = 0; i < 8; i++)
		be[i] = (uint8_t)(seq >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		be[8 + i] = (uint8_t)(index >> (24 - 8 * i));
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, author, CRDT_KEY_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)scope, strlen(scope));
	crypto_generichash_update(&st, be, sizeof(be));
	crypto_generichash_final(&st, h, sizeof(h));
	memcpy(out, h, CRDT_ENTITY_BYTES);
}

void crdt_entry_fini(struct crdt_entry *e)
{
	free(e->ops);
	free(e->dots);
	e->ops = NULL;
	e->dots = NULL;
	e->n_ops = 0;
}

static int decode_body(struct crdt_entry *e, enum crdt_reject *why)
{
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t version;
	const char *scope;
	size_t scope_len;
	crdt_mp_cursor_init(&c, e->body, e->body_len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n != 8) {
		*why = CRDT_REJECT_BODY_ARITY;
		return -EBADMSG;
	}
	if (crdt_mp_read_uint(&c, &version) != 0 || version != 1) {
		*why = CRDT_REJECT_VERSION;
		return -EBADMSG;
	}
	if (crdt_mp_read_bin_fixed(&c, e->author, CRDT_KEY_BYTES) != 0) {
		*why = CRDT_REJECT_AUTHOR;
		return -EBADMSG;
	}
	if (crdt_mp_read_str(&c, &scope, &scope_len) != 0 ||
	    !crdt_scope_valid(scope, scope_len)) {
		*why = CRDT_REJECT_SCOPE;
		return -EBADMSG;
	}
	memcpy(e->scope, scope, scope_len);
	e->scope[scope_len] = '\0';
	if (crdt_mp_read_uint(&c, &e->seq) != 0 || e->seq == 0) {
		*why = CRDT_REJECT_SEQ;
		return -EBADMSG;
	}
	if (crdt_mp_read_bin_fixed(&c, e->prev, CRDT_HASH_BYTES) != 0) {
		*why = CRDT_REJECT_PREV;
		return -EBADMSG;
	}
	if (crdt_mp_read_uint(&c, &e->hlc) != 0 ||
	    crdt_mp_read_uint(&c, &e->roster_version) != 0) {
		*why = CRDT_REJECT_HLC;
		return -EBADMSG;
	}
	if (crdt_mp_read_array(&c, &n) != 0 || n > CRDT_MAX_OPS) {
		*why = CRDT_REJECT_OPS;
		return -EBADMSG;
	}
	e->n_ops = n;
	e->ops = crdt_xcalloc(n, sizeof(*e->ops));
	size_t dots_cap = e->body_len / MIN_DOT_BYTES + 1;
	e->dots = crdt_xcalloc(dots_cap, sizeof(*e->dots));
	size_t used = 0;
	for (size_t i = 0; i < n; i++) {
		struct crdt_op *op = &e->ops[i];
		if (crdt_op_decode(&c, op, e->dots + used, dots_cap - used) !=
		    0) {
			*why = CRDT_REJECT_OP;
			return -EBADMSG;
		}
		used += op->n_dots;
		if (op->code == CRDT_OP_CREATE) {
			uint8_t id[CRDT_ENTITY_BYTES];
			crdt_entity_id(id, e->author, e->scope, e->seq,
				       (uint32_t)i);
			if (memcmp(id, op->entity, sizeof(id)) != 0) {
				*why = CRDT_REJECT_CREATE_ID;
				return -EBADMSG;
			}
		}
	}
	if (crdt_mp_left(&c) != 0) {
		*why = CRDT_REJECT_TRAILING_BODY;
		return -EBADMSG;
	}
	return 0;
}

int crdt_entry_decode(const uint8_t *wire, size_t len, struct crdt_entry *out,
		      enum crdt_reject *why)
{
	struct crdt_mp_cursor c;
	struct crdt_entry e;
	size_t n;
	enum crdt_reject reason = CRDT_REJECT_MALFORMED;
	memset(&e, 0, sizeof(e));
	crdt_mp_cursor_init(&c, wire, len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n != 2 ||
	    crdt_mp_read_bin(&c, &e.body, &e.body_len) != 0 ||
	    crdt_mp_read_bin_fixed(&c, e.sig, CRDT_SIG_BYTES) != 0) {
		reason = CRDT_REJECT_NOT_PAIR;
		goto bad;
	}
	if (crdt_mp_left(&c) != 0) {
		reason = CRDT_REJECT_TRAILING_ENTRY;
		goto bad;
	}
	if (e.body_len > CRDT_MAX_BODY_BYTES) {
		reason = CRDT_REJECT_BODY_TOO_LARGE;
		goto bad;
	}
	int rc = decode_body(&e, &reason);
	if (rc != 0) {
		crdt_entry_fini(&e);
		if (why)
			*why = reason;
		return rc;
	}
	crdt_entry_hash(e.hash, e.body, e.body_len, e.sig);
	*out = e;
	return 0;
bad:
	if (why)
		*why = reason;
	return -EBADMSG;
}

void crdt_entry_encode_body(struct crdt_buf *b, const struct crdt_entry *e)
{
	crdt_pack_array(b, 8);
	crdt_pack_uint(b, 1);
	crdt_pack_bin(b, e->author, CRDT_KEY_BYTES);
	crdt_pack_cstr(b, e->scope);
	crdt_pack_uint(b, e->seq);
	crdt_pack_bin(b, e->prev, CRDT_HASH_BYTES);
	crdt_pack_uint(b, e->hlc);
	crdt_pack_uint(b, e->roster_version);
	crdt_pack_array(b, e->n_ops);
	for (size_t i = 0; i < e->n_ops; i++)
		crdt_op_encode(b, &e->ops[i]);
}

void crdt_entry_encode_wire(struct crdt_buf *b, const uint8_t *body,
			    size_t body_len, const uint8_t sig[CRDT_SIG_BYTES])
{
	crdt_pack_array(b, 2);
	crdt_pack_bin(b, body, body_len);
	crdt_pack_bin(b, sig, CRDT_SIG_BYTES);
}

/* "ward-entry-v1" || net_id || body, in one buffer (Ed25519 is not a
 * streaming signature). */
static uint8_t *signed_message(const uint8_t net_id[CRDT_HASH_BYTES],
			       const uint8_t *body, size_t body_len,
			       size_t *len)
{
	*len = ENTRY_PREFIX_LEN + CRDT_HASH_BYTES + body_len;
	uint8_t *m = crdt_xmalloc(*len);
	memcpy(m, ENTRY_PREFIX, ENTRY_PREFIX_LEN);
	memcpy(m + ENTRY_PREFIX_LEN, net_id, CRDT_HASH_BYTES);
	memcpy(m + ENTRY_PREFIX_LEN + CRDT_HASH_BYTES, body, body_len);
	return m;
}

void crdt_entry_sign(uint8_t sig[CRDT_SIG_BYTES],
		     const uint8_t net_id[CRDT_HASH_BYTES], const uint8_t *body,
		     size_t body_len, const uint8_t *secret_key)
{
	size_t len;
	uint8_t *m = signed_message(net_id, body, body_len, &len);
	crypto_sign_detached(sig, NULL, m, len, secret_key);
	free(m);
}

bool crdt_entry_verify(const uint8_t sig[CRDT_SIG_BYTES],
		       const uint8_t net_id[CRDT_HASH_BYTES],
		       const uint8_t *body, size_t body_len,
		       const uint8_t author[CRDT_KEY_BYTES])
{
	size_t len;
	uint8_t *m = signed_message(net_id, body, body_len, &len);
	bool ok = crypto_sign_verify_detached(sig, m, len, author) == 0;
	free(m);
	return ok;
}

void crdt_entry_hash(uint8_t out[CRDT_HASH_BYTES], const uint8_t *body,
		     size_t body_len, const uint8_t sig[CRDT_SIG_BYTES])
{
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, CRDT_HASH_BYTES);
	crypto_generichash_update(&st, body, body_len);
	crypto_generichash_update(&st, sig, CRDT_SIG_BYTES);
	crypto_generichash_final(&st, out, CRDT_HASH_BYTES);
}
