/*
 * wire.c: encoding and decoding of the anti-entropy messages (wire.h,
 * docs/protocol.md). Decoding trusts nothing: the crdt cursor checks every
 * header against the bytes left, and every count is bounded again by the
 * smallest encoding of one item before anything is allocated, so a peer
 * cannot make us reserve more than a small multiple of what it sent.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "net/wire.h"

/* Smallest encodings of list items: [bin(32), fixstr(2), fixint, bin(32)],
 * [bin(32), fixstr(2), fixint] and [bin8(1), bin8(64)]. */
#define MIN_VECTOR_ITEM 73u
#define MIN_ANNOUNCE_ITEM 39u
#define MIN_ENTRY 70u

int net_wire_feed_cmp(const uint8_t a_author[32], const char *a_scope,
		      const uint8_t b_author[32], const char *b_scope)
{
	int c = memcmp(a_author, b_author, 32);
	if (c != 0)
		return c < 0 ? -1 : 1;
	c = strcmp(a_scope, b_scope);
	return c < 0 ? -1 : c > 0 ? 1 : 0;
}

size_t net_wire_entries_overhead(void)
{
	/* array(7) + 2 fixints + bin(32) + str(12) + 2 uint64 + array32. */
	return 1 + 2 + 34 + 13 + 9 + 9 + 5;
}

/* ---------------------------------------------------------------------- */
/* Encoding.                                                               */

static void pack_scope(struct crdt_buf *b, const char *scope)
{
	size_t n = strlen(scope);
	assert(crdt_scope_valid(scope, n));
	crdt_pack_str(b, scope, n);
}

static void pack_feed(struct crdt_buf *b, const struct net_wire_feed *f,
		      bool head)
{
	crdt_pack_array(b, head ? 4 : 3);
	crdt_pack_bin(b, f->author, 32);
	pack_scope(b, f->scope);
	crdt_pack_uint(b, f->seq);
	if (head)
		crdt_pack_bin(b, f->head, 32);
}

void net_wire_encode(struct crdt_buf *b, const struct net_wire_msg *m)
{
	switch (m->type) {
	case NET_WIRE_DIGEST:
		crdt_pack_array(b, 4);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, m->type);
		crdt_pack_bin(b, m->digest, 32);
		crdt_pack_bin(b, m->state, 32);
		return;
	case NET_WIRE_VECTOR:
		crdt_pack_array(b, 5);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, m->type);
		if (m->has_after) {
			crdt_pack_array(b, 2);
			crdt_pack_bin(b, m->after_author, 32);
			pack_scope(b, m->after_scope);
		} else {
			crdt_pack_nil(b);
		}
		crdt_pack_bool(b, m->last);
		crdt_pack_array(b, m->n_feeds);
		for (size_t i = 0; i < m->n_feeds; i++) {
			assert(i == 0 ||
			       net_wire_feed_cmp(m->feeds[i - 1].author,
						 m->feeds[i - 1].scope,
						 m->feeds[i].author,
						 m->feeds[i].scope) < 0);
			pack_feed(b, &m->feeds[i], true);
		}
		return;
	case NET_WIRE_ANNOUNCE:
		assert(m->n_feeds > 0);
		crdt_pack_array(b, 3);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, m->type);
		crdt_pack_array(b, m->n_feeds);
		for (size_t i = 0; i < m->n_feeds; i++)
			pack_feed(b, &m->feeds[i], false);
		return;
	case NET_WIRE_PULL:
		assert(m->from_seq >= 1);
		assert(m->max_entries >= 1 &&
		       m->max_entries <= NET_WIRE_MAX_PULL_ENTRIES);
		crdt_pack_array(b, 6);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, m->type);
		crdt_pack_bin(b, m->author, 32);
		pack_scope(b, m->scope);
		crdt_pack_uint(b, m->from_seq);
		crdt_pack_uint(b, m->max_entries);
		return;
	case NET_WIRE_ENTRIES:
		assert(m->from_seq >= 1);
		crdt_pack_array(b, 7);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, m->type);
		crdt_pack_bin(b, m->author, 32);
		pack_scope(b, m->scope);
		crdt_pack_uint(b, m->from_seq);
		crdt_pack_uint(b, m->have_seq);
		crdt_pack_array(b, m->n_entries);
		crdt_buf_append(b, m->entries, m->entries_len);
		return;
	case NET_WIRE_FORK:
	case NET_WIRE_DIVERGENCE:
		crdt_pack_array(b, 4);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, m->type);
		crdt_buf_append(b, m->a, m->a_len);
		crdt_buf_append(b, m->b, m->b_len);
		return;
	case NET_WIRE_CHECKPOINT:
		crdt_pack_array(b, 3);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, m->type);
		crdt_buf_append(b, m->a, m->a_len);
		return;
	case NET_WIRE_PING:
		crdt_pack_array(b, 2);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, NET_WIRE_PING);
		return;
	case NET_WIRE_ROSTER:
		crdt_pack_array(b, 7);
		crdt_pack_uint(b, NET_WIRE_VERSION);
		crdt_pack_uint(b, NET_WIRE_ROSTER);
		crdt_pack_uint(b, m->roster_version);
		crdt_pack_bin(b, m->roster_id, 32);
		crdt_pack_bin(b, m->proposals_digest, 32);
		crdt_pack_array(b, m->n_rosters);
		crdt_buf_append(b, m->rosters, m->rosters_len);
		crdt_pack_array(b, m->n_proposals);
		crdt_buf_append(b, m->proposals, m->proposals_len);
		return;
	case NET_WIRE_UNKNOWN:
		break;
	}
	assert(!"net_wire_encode: unknown message type");
}

/* ---------------------------------------------------------------------- */
/* Decoding.                                                               */

#define FAIL(reason)                                                           \
	do {                                                                   \
		*why = (reason);                                               \
		goto fail;                                                     \
	} while (0)

static int read_scope(struct crdt_mp_cursor *c, char out[13])
{
	const char *s;
	size_t n;
	if (crdt_mp_read_str(c, &s, &n) != 0 || n > 12 ||
	    !crdt_scope_valid(s, n))
		return -EBADMSG;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

/* One whole entry [body: bin(1..64 KiB), sig: bin(64)]. */
static int read_entry(struct crdt_mp_cursor *c)
{
	size_t n, len;
	const uint8_t *p;
	if (crdt_mp_read_array(c, &n) != 0 || n != 2)
		return -EBADMSG;
	if (crdt_mp_read_bin(c, &p, &len) != 0 || len == 0 ||
	    len > CRDT_MAX_BODY_BYTES)
		return -EBADMSG;
	if (crdt_mp_read_bin(c, &p, &len) != 0 || len != CRDT_SIG_BYTES)
		return -EBADMSG;
	return 0;
}

static int read_feeds(struct crdt_mp_cursor *c, bool head,
		      struct net_wire_feed **out, size_t *n_out,
		      const char **why)
{
	size_t n;
	if (crdt_mp_read_array(c, &n) != 0) {
		*why = "feed list is not an array";
		return -EBADMSG;
	}
	size_t min = head ? MIN_VECTOR_ITEM : MIN_ANNOUNCE_ITEM;
	if (n > crdt_mp_left(c) / min) {
		*why = "feed count exceeds the bytes left";
		return -EBADMSG;
	}
	struct net_wire_feed *f = NULL;
	if (n > 0) {
		f = crdt_xcalloc(n, sizeof(*f));
	}
	for (size_t i = 0; i < n; i++) {
		size_t k;
		if (crdt_mp_read_array(c, &k) != 0 || k != (head ? 4u : 3u) ||
		    crdt_mp_read_bin_fixed(c, f[i].author, 32) != 0 ||
		    read_scope(c, f[i].scope) != 0 ||
		    crdt_mp_read_uint(c, &f[i].seq) != 0 ||
		    (head && crdt_mp_read_bin_fixed(c, f[i].head, 32) != 0)) {
			*why = "malformed feed item";
			goto fail;
		}
		if (head && i > 0 &&
		    net_wire_feed_cmp(f[i - 1].author, f[i - 1].scope,
				      f[i].author, f[i].scope) >= 0) {
			*why = "vector feeds not sorted and distinct";
			goto fail;
		}
	}
	*out = f;
	*n_out = n;
	return 0;
fail:
	free(f);
	return -EBADMSG;
}

int net_wire_decode(const uint8_t *msg, size_t len, struct net_wire_msg *out,
		    const char **why)
{
	struct net_wire_msg m;
	struct crdt_mp_cursor c;
	size_t n, k;
	uint64_t version, type;
	int rc = -EBADMSG;

	memset(&m, 0, sizeof(m));
	if (len > NET_WIRE_MAX_MSG_BYTES) {
		*why = "message larger than 1 MiB";
		return -EBADMSG;
	}
	crdt_mp_cursor_init(&c, msg, len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n < 2)
		FAIL("not an array [version, type, ...]");
	if (crdt_mp_read_uint(&c, &version) != 0)
		FAIL("version is not an unsigned integer");
	if (version != NET_WIRE_VERSION) {
		*why = "unsupported protocol version";
		return -EPROTO;
	}
	if (crdt_mp_read_uint(&c, &type) != 0)
		FAIL("type is not an unsigned integer");

	switch (type) {
	case NET_WIRE_DIGEST:
		if (n != 4 || crdt_mp_read_bin_fixed(&c, m.digest, 32) != 0 ||
		    crdt_mp_read_bin_fixed(&c, m.state, 32) != 0)
			FAIL("malformed DIGEST");
		break;
	case NET_WIRE_VECTOR: {
		enum crdt_mp_type t;
		if (n != 5 || crdt_mp_peek(&c, &t) != 0)
			FAIL("malformed VECTOR");
		if (t == CRDT_MP_NIL) {
			(void)crdt_mp_read_nil(&c);
		} else if (crdt_mp_read_array(&c, &k) != 0 || k != 2 ||
			   crdt_mp_read_bin_fixed(&c, m.after_author, 32) !=
			       0 ||
			   read_scope(&c, m.after_scope) != 0) {
			FAIL("malformed VECTOR bound");
		} else {
			m.has_after = true;
		}
		if (crdt_mp_read_bool(&c, &m.last) != 0)
			FAIL("malformed VECTOR last flag");
		rc = read_feeds(&c, true, &m.feeds, &m.n_feeds, why);
		if (rc != 0)
			return rc;
		rc = -EBADMSG;
		if (m.has_after && m.n_feeds > 0 &&
		    net_wire_feed_cmp(m.after_author, m.after_scope,
				      m.feeds[0].author, m.feeds[0].scope) >= 0)
			FAIL("VECTOR feed not after its bound");
		if (m.n_feeds == 0 && !m.last)
			FAIL("empty VECTOR chunk that is not the last");
		break;
	}
	case NET_WIRE_ANNOUNCE:
		if (n != 3)
			FAIL("malformed ANNOUNCE");
		rc = read_feeds(&c, false, &m.feeds, &m.n_feeds, why);
		if (rc != 0)
			return rc;
		rc = -EBADMSG;
		if (m.n_feeds == 0)
			FAIL("empty ANNOUNCE");
		break;
	case NET_WIRE_PULL:
		if (n != 6 || crdt_mp_read_bin_fixed(&c, m.author, 32) != 0 ||
		    read_scope(&c, m.scope) != 0 ||
		    crdt_mp_read_uint(&c, &m.from_seq) != 0 ||
		    crdt_mp_read_uint(&c, &m.max_entries) != 0)
			FAIL("malformed PULL");
		if (m.from_seq == 0 || m.max_entries == 0 ||
		    m.max_entries > NET_WIRE_MAX_PULL_ENTRIES)
			FAIL("PULL bounds out of range");
		break;
	case NET_WIRE_ENTRIES:
		if (n != 7 || crdt_mp_read_bin_fixed(&c, m.author, 32) != 0 ||
		    read_scope(&c, m.scope) != 0 ||
		    crdt_mp_read_uint(&c, &m.from_seq) != 0 ||
		    crdt_mp_read_uint(&c, &m.have_seq) != 0 ||
		    crdt_mp_read_array(&c, &m.n_entries) != 0)
			FAIL("malformed ENTRIES");
		if (m.from_seq == 0)
			FAIL("ENTRIES from_seq is 0");
		if (m.n_entries > crdt_mp_left(&c) / MIN_ENTRY)
			FAIL("entry count exceeds the bytes left");
		if (m.n_entries > 0 &&
		    m.from_seq - 1 > UINT64_MAX - m.n_entries)
			FAIL("ENTRIES seq overflow");
		m.entries = c.p;
		for (size_t i = 0; i < m.n_entries; i++)
			if (read_entry(&c) != 0)
				FAIL("malformed entry in ENTRIES");
		m.entries_len = (size_t)(c.p - m.entries);
		break;
	case NET_WIRE_FORK:
	case NET_WIRE_DIVERGENCE:
		if (n != 4)
			FAIL("malformed proof");
		m.a = c.p;
		if (read_entry(&c) != 0)
			FAIL("malformed signed value in a proof");
		m.a_len = (size_t)(c.p - m.a);
		m.b = c.p;
		if (read_entry(&c) != 0)
			FAIL("malformed signed value in a proof");
		m.b_len = (size_t)(c.p - m.b);
		break;
	case NET_WIRE_PING:
		if (n != 2)
			FAIL("malformed PING");
		break;
	case NET_WIRE_ROSTER: {
		enum crdt_mp_type t;
		if (n != 7 || crdt_mp_read_uint(&c, &m.roster_version) != 0 ||
		    m.roster_version == 0 ||
		    crdt_mp_read_bin_fixed(&c, m.roster_id, 32) != 0 ||
		    crdt_mp_read_bin_fixed(&c, m.proposals_digest, 32) != 0 ||
		    crdt_mp_read_array(&c, &m.n_rosters) != 0)
			FAIL("malformed ROSTER");
		m.rosters = c.p;
		for (size_t i = 0; i < m.n_rosters; i++) {
			const uint8_t *p;
			size_t pl;
			if (crdt_mp_read_bin(&c, &p, &pl) != 0)
				FAIL("malformed roster in ROSTER");
		}
		m.rosters_len = (size_t)(c.p - m.rosters);
		if (crdt_mp_read_array(&c, &m.n_proposals) != 0)
			FAIL("malformed ROSTER proposals");
		m.proposals = c.p;
		for (size_t i = 0; i < m.n_proposals; i++)
			if (crdt_mp_peek(&c, &t) != 0 || t != CRDT_MP_ARRAY ||
			    crdt_mp_skip(&c) != 0)
				FAIL("malformed proposal in ROSTER");
		m.proposals_len = (size_t)(c.p - m.proposals);
		break;
	}
	case NET_WIRE_CHECKPOINT:
		if (n != 3)
			FAIL("malformed CHECKPOINT");
		m.a = c.p;
		if (read_entry(&c) != 0)
			FAIL("malformed signed CHECKPOINT");
		m.a_len = (size_t)(c.p - m.a);
		break;
	default:
		/* A newer peer's message: well-formed values, not understood.
		 */
		for (size_t i = 2; i < n; i++)
			if (crdt_mp_skip(&c) != 0)
				FAIL("malformed message of unknown type");
		m.type = NET_WIRE_UNKNOWN;
		if (crdt_mp_left(&c) != 0)
			FAIL("trailing bytes");
		*out = m;
		return 0;
	}
	if (crdt_mp_left(&c) != 0)
		FAIL("trailing bytes");
	m.type = (enum net_wire_type)type;
	*out = m;
	return 0;
fail:
	free(m.feeds);
	return rc;
}

void net_wire_msg_fini(struct net_wire_msg *m)
{
	free(m->feeds);
	memset(m, 0, sizeof(*m));
}
