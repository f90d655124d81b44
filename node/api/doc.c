/*
 * doc.c: the local API's dynamic document tree, its MessagePack codec and
 * its JSON printer (node layer).
 *
 * The CLI and the node exchange small self-describing requests and
 * responses, so unlike the signed formats in crdt/ these need neither a
 * schema nor a canonical form: a tree of tagged nodes is enough. What they
 * do need is the same distrust of counts. The decoder reads through the
 * bounded crdt_mp cursor in non-canonical mode, which checks every count
 * against the bytes left; on top of that containers reserve only a few
 * slots and grow geometrically as items actually decode, so a header that
 * claims a million items costs nothing until a million items arrive, and
 * nesting is capped so the recursion stays shallow. Objects keep members in
 * insertion order in a flat array (linear lookup; they are small), which
 * is also the order JSON prints them in.
 *
 * The printer follows RFC 8259 but treats the terminal as a reader too:
 * record contents come from peers, so every control character, C0 or C1,
 * is escaped and invalid UTF-8 becomes U+FFFD instead of raw bytes.
 */
#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/api/doc.h"

/* Slots a decoded container reserves before its items arrive. */
#define DECODE_RESERVE 16
/* Objects up to this size check duplicate keys pairwise, without sorting. */
#define DUP_CHECK_PAIRWISE 16

struct member {
	char *key; /* owned; objects only, NULL in arrays */
	struct node_doc *val;
};

struct node_doc {
	enum node_doc_kind kind;
	union {
		bool b;
		int64_t i;
		struct {
			int64_t m;
			unsigned scale;
		} dec;
		struct {
			uint8_t *p; /* owned, never NULL, NUL after the end */
			size_t len;
		} bytes;
		struct {
			struct member *m;
			size_t n;
			size_t cap;
		} list;
	} u;
};

/* A NUL-terminated copy of len bytes. */
static uint8_t *memdup0(const void *p, size_t len)
{
	if (len == SIZE_MAX)
		crdt_oom();
	uint8_t *q = crdt_xmalloc(len + 1);
	if (len)
		memcpy(q, p, len);
	q[len] = 0;
	return q;
}

static struct node_doc *new_node(enum node_doc_kind kind)
{
	struct node_doc *d = crdt_xmalloc(sizeof *d);
	memset(d, 0, sizeof *d);
	d->kind = kind;
	return d;
}

static struct node_doc *new_bytes(enum node_doc_kind kind, const void *p,
				  size_t len)
{
	assert(p || len == 0);
	struct node_doc *d = new_node(kind);
	d->u.bytes.p = memdup0(p, len);
	d->u.bytes.len = len;
	return d;
}

struct node_doc *node_doc_null(void)
{
	return new_node(NODE_DOC_NULL);
}

struct node_doc *node_doc_bool(bool v)
{
	struct node_doc *d = new_node(NODE_DOC_BOOL);
	d->u.b = v;
	return d;
}

struct node_doc *node_doc_int(int64_t v)
{
	struct node_doc *d = new_node(NODE_DOC_INT);
	d->u.i = v;
	return d;
}

struct node_doc *node_doc_dec(int64_t mantissa, unsigned scale)
{
	assert(scale <= 18);
	struct node_doc *d = new_node(NODE_DOC_DEC);
	d->u.dec.m = mantissa;
	d->u.dec.scale = scale;
	return d;
}

bool node_doc_as_dec(const struct node_doc *d, int64_t *mantissa,
		     unsigned *scale)
{
	if (!d || d->kind != NODE_DOC_DEC)
		return false;
	*mantissa = d->u.dec.m;
	*scale = d->u.dec.scale;
	return true;
}

struct node_doc *node_doc_str(const char *s)
{
	assert(s);
	return new_bytes(NODE_DOC_STR, s, strlen(s));
}

struct node_doc *node_doc_strn(const char *s, size_t len)
{
	return new_bytes(NODE_DOC_STR, s, len);
}

struct node_doc *node_doc_strf(const char *fmt, ...)
{
	va_list ap, ap2;
	va_start(ap, fmt);
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	struct node_doc *d = new_node(NODE_DOC_STR);
	d->u.bytes.p = crdt_xmalloc((size_t)n + 1);
	d->u.bytes.len = (size_t)n;
	if (vsnprintf((char *)d->u.bytes.p, (size_t)n + 1, fmt, ap2) != n)
		abort();
	va_end(ap2);
	return d;
}

struct node_doc *node_doc_bin(const uint8_t *p, size_t len)
{
	return new_bytes(NODE_DOC_BIN, p, len);
}

struct node_doc *node_doc_array(void)
{
	return new_node(NODE_DOC_ARRAY);
}

struct node_doc *node_doc_object(void)
{
	return new_node(NODE_DOC_OBJECT);
}

void node_doc_free(struct node_doc *d)
{
	if (!d)
		return;
	switch (d->kind) {
	case NODE_DOC_STR:
	case NODE_DOC_BIN:
		free(d->u.bytes.p);
		break;
	case NODE_DOC_ARRAY:
	case NODE_DOC_OBJECT:
		for (size_t k = 0; k < d->u.list.n; k++) {
			free(d->u.list.m[k].key);
			node_doc_free(d->u.list.m[k].val);
		}
		free(d->u.list.m);
		break;
	default:
		break;
	}
	free(d);
}

static void reserve(struct node_doc *d, size_t cap)
{
	if (cap <= d->u.list.cap)
		return;
	d->u.list.m = crdt_xreallocarray(d->u.list.m, cap, sizeof *d->u.list.m);
	d->u.list.cap = cap;
}

/* Appends a member; takes key and val. */
static void append(struct node_doc *d, char *key, struct node_doc *val)
{
	if (d->u.list.n == d->u.list.cap) {
		size_t cap = d->u.list.cap ? d->u.list.cap : 2;
		if (cap > SIZE_MAX / 2)
			abort();
		reserve(d, 2 * cap);
	}
	d->u.list.m[d->u.list.n].key = key;
	d->u.list.m[d->u.list.n].val = val;
	d->u.list.n++;
}

struct node_doc *node_doc_push(struct node_doc *arr, struct node_doc *item)
{
	assert(arr && arr->kind == NODE_DOC_ARRAY);
	assert(item && item != arr);
	append(arr, NULL, item);
	return arr;
}

/* Index of key in obj, or obj's length when absent. */
static size_t find(const struct node_doc *obj, const char *key)
{
	size_t k = 0;
	while (k < obj->u.list.n && strcmp(obj->u.list.m[k].key, key) != 0)
		k++;
	return k;
}

struct node_doc *node_doc_set(struct node_doc *obj, const char *key,
			      struct node_doc *val)
{
	assert(obj && obj->kind == NODE_DOC_OBJECT);
	assert(key && val && val != obj);
	size_t k = find(obj, key);
	if (k < obj->u.list.n) {
		if (obj->u.list.m[k].val != val)
			node_doc_free(obj->u.list.m[k].val);
		obj->u.list.m[k].val = val;
	} else {
		append(obj, (char *)memdup0(key, strlen(key)), val);
	}
	return obj;
}

enum node_doc_kind node_doc_kind(const struct node_doc *d)
{
	assert(d);
	return d->kind;
}

bool node_doc_as_bool(const struct node_doc *d)
{
	return d && d->kind == NODE_DOC_BOOL && d->u.b;
}

int64_t node_doc_as_int(const struct node_doc *d)
{
	return d && d->kind == NODE_DOC_INT ? d->u.i : 0;
}

const char *node_doc_as_str(const struct node_doc *d, size_t *len)
{
	if (!d || d->kind != NODE_DOC_STR)
		return NULL;
	if (len)
		*len = d->u.bytes.len;
	else if (memchr(d->u.bytes.p, 0, d->u.bytes.len))
		return NULL;
	return (const char *)d->u.bytes.p;
}

const uint8_t *node_doc_as_bin(const struct node_doc *d, size_t *len)
{
	assert(len);
	if (!d || d->kind != NODE_DOC_BIN)
		return NULL;
	*len = d->u.bytes.len;
	return d->u.bytes.p;
}

size_t node_doc_len(const struct node_doc *d)
{
	assert(d);
	if (d->kind != NODE_DOC_ARRAY && d->kind != NODE_DOC_OBJECT)
		return 0;
	return d->u.list.n;
}

struct node_doc *node_doc_at(const struct node_doc *d, size_t i)
{
	assert(i < node_doc_len(d));
	return d->u.list.m[i].val;
}

const char *node_doc_key_at(const struct node_doc *d, size_t i)
{
	assert(d && d->kind == NODE_DOC_OBJECT && i < d->u.list.n);
	return d->u.list.m[i].key;
}

struct node_doc *node_doc_get(const struct node_doc *obj, const char *key)
{
	assert(key);
	if (!obj || obj->kind != NODE_DOC_OBJECT)
		return NULL;
	size_t k = find(obj, key);
	return k < obj->u.list.n ? obj->u.list.m[k].val : NULL;
}

const char *node_doc_get_str(const struct node_doc *obj, const char *key)
{
	return node_doc_as_str(node_doc_get(obj, key), NULL);
}

int64_t node_doc_get_int(const struct node_doc *obj, const char *key,
			 int64_t dflt)
{
	const struct node_doc *v = node_doc_get(obj, key);
	return v && v->kind == NODE_DOC_INT ? v->u.i : dflt;
}

bool node_doc_get_bool(const struct node_doc *obj, const char *key, bool dflt)
{
	const struct node_doc *v = node_doc_get(obj, key);
	return v && v->kind == NODE_DOC_BOOL ? v->u.b : dflt;
}

bool node_doc_equal(const struct node_doc *a, const struct node_doc *b)
{
	if (a == b)
		return true;
	if (!a || !b || a->kind != b->kind)
		return false;
	switch (a->kind) {
	case NODE_DOC_NULL:
		return true;
	case NODE_DOC_BOOL:
		return a->u.b == b->u.b;
	case NODE_DOC_INT:
		return a->u.i == b->u.i;
	case NODE_DOC_DEC:
		return a->u.dec.m == b->u.dec.m &&
		       a->u.dec.scale == b->u.dec.scale;
	case NODE_DOC_STR:
	case NODE_DOC_BIN:
		return a->u.bytes.len == b->u.bytes.len &&
		       memcmp(a->u.bytes.p, b->u.bytes.p, a->u.bytes.len) == 0;
	case NODE_DOC_ARRAY:
		if (a->u.list.n != b->u.list.n)
			return false;
		for (size_t k = 0; k < a->u.list.n; k++)
			if (!node_doc_equal(a->u.list.m[k].val,
					    b->u.list.m[k].val))
				return false;
		return true;
	case NODE_DOC_OBJECT:
		/* Keys are unique, so equal sizes and every key of a found
		 * in b with an equal value mean the same members. */
		if (a->u.list.n != b->u.list.n)
			return false;
		for (size_t k = 0; k < a->u.list.n; k++)
			if (!node_doc_equal(
				a->u.list.m[k].val,
				node_doc_get(b, a->u.list.m[k].key)))
				return false;
		return true;
	}
	return false;
}

/* ---------------------------------------------------------------------- */
/* MessagePack.                                                            */

void node_doc_encode(const struct node_doc *d, struct crdt_buf *out)
{
	assert(d && out);
	switch (d->kind) {
	case NODE_DOC_NULL:
		crdt_pack_nil(out);
		break;
	case NODE_DOC_BOOL:
		crdt_pack_bool(out, d->u.b);
		break;
	case NODE_DOC_INT:
		crdt_pack_int(out, d->u.i);
		break;
	case NODE_DOC_DEC: {
		uint8_t ext[12] = {0xc7, 9, 'd', (uint8_t)d->u.dec.scale};
		for (int k = 0; k < 8; k++)
			ext[4 + k] = (uint8_t)((uint64_t)d->u.dec.m >> (56 - 8 * k));
		crdt_buf_append(out, ext, sizeof ext);
		break;
	}
	case NODE_DOC_STR:
		assert(d->u.bytes.len <= UINT32_MAX);
		crdt_pack_str(out, (const char *)d->u.bytes.p, d->u.bytes.len);
		break;
	case NODE_DOC_BIN:
		assert(d->u.bytes.len <= UINT32_MAX);
		crdt_pack_bin(out, d->u.bytes.p, d->u.bytes.len);
		break;
	case NODE_DOC_ARRAY:
		assert(d->u.list.n <= UINT32_MAX);
		crdt_pack_array(out, d->u.list.n);
		for (size_t k = 0; k < d->u.list.n; k++)
			node_doc_encode(d->u.list.m[k].val, out);
		break;
	case NODE_DOC_OBJECT:
		assert(d->u.list.n <= UINT32_MAX);
		crdt_pack_map(out, d->u.list.n);
		for (size_t k = 0; k < d->u.list.n; k++) {
			crdt_pack_cstr(out, d->u.list.m[k].key);
			node_doc_encode(d->u.list.m[k].val, out);
		}
		break;
	}
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Duplicate keys would let the CLI and the node read different values out
 * of one request, so the decoder refuses them. Sorting keeps a map with
 * many keys at n log n. */
static bool has_duplicate_keys(const struct node_doc *obj)
{
	size_t n = obj->u.list.n;
	const struct member *m = obj->u.list.m;
	if (n <= DUP_CHECK_PAIRWISE) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if (strcmp(m[i].key, m[j].key) == 0)
					return true;
		return false;
	}
	char **keys = crdt_xreallocarray(NULL, n, sizeof *keys);
	for (size_t i = 0; i < n; i++)
		keys[i] = m[i].key;
	qsort(keys, n, sizeof *keys, cmp_key);
	bool dup = false;
	for (size_t i = 1; i < n && !dup; i++)
		dup = strcmp(keys[i - 1], keys[i]) == 0;
	free(keys);
	return dup;
}

static int decode_value(struct crdt_mp_cursor *c, int depth,
			struct node_doc **out);

static int decode_array(struct crdt_mp_cursor *c, int depth,
			struct node_doc **out)
{
	size_t n;
	if (crdt_mp_read_array(c, &n) != 0)
		return -EBADMSG;
	struct node_doc *d = node_doc_array();
	reserve(d, n < DECODE_RESERVE ? n : DECODE_RESERVE);
	for (size_t k = 0; k < n; k++) {
		struct node_doc *item;
		if (decode_value(c, depth + 1, &item) != 0) {
			node_doc_free(d);
			return -EBADMSG;
		}
		append(d, NULL, item);
	}
	*out = d;
	return 0;
}

static int decode_object(struct crdt_mp_cursor *c, int depth,
			 struct node_doc **out)
{
	size_t n;
	if (crdt_mp_read_map(c, &n) != 0)
		return -EBADMSG;
	struct node_doc *d = node_doc_object();
	reserve(d, n < DECODE_RESERVE ? n : DECODE_RESERVE);
	for (size_t k = 0; k < n; k++) {
		const char *key;
		size_t key_len;
		struct node_doc *val;
		if (crdt_mp_read_str(c, &key, &key_len) != 0 ||
		    (key_len && memchr(key, 0, key_len)) ||
		    decode_value(c, depth + 1, &val) != 0)
			goto fail;
		append(d, (char *)memdup0(key, key_len), val);
	}
	if (has_duplicate_keys(d))
		goto fail;
	*out = d;
	return 0;
fail:
	node_doc_free(d);
	return -EBADMSG;
}

/* depth counts the containers around the value. */
static int decode_value(struct crdt_mp_cursor *c, int depth,
			struct node_doc **out)
{
	enum crdt_mp_type t;
	bool b;
	int64_t i;
	const char *s;
	const uint8_t *p;
	size_t len;
	if (crdt_mp_peek(c, &t) != 0)
		return -EBADMSG;
	switch (t) {
	case CRDT_MP_NIL:
		if (crdt_mp_read_nil(c) != 0)
			return -EBADMSG;
		*out = node_doc_null();
		return 0;
	case CRDT_MP_BOOL:
		if (crdt_mp_read_bool(c, &b) != 0)
			return -EBADMSG;
		*out = node_doc_bool(b);
		return 0;
	case CRDT_MP_UINT:
	case CRDT_MP_INT:
		if (crdt_mp_read_int(c, &i) != 0)
			return -EBADMSG;
		*out = node_doc_int(i);
		return 0;
	case CRDT_MP_STR:
		if (crdt_mp_read_str(c, &s, &len) != 0)
			return -EBADMSG;
		*out = node_doc_strn(s, len);
		return 0;
	case CRDT_MP_BIN:
		if (crdt_mp_read_bin(c, &p, &len) != 0)
			return -EBADMSG;
		*out = node_doc_bin(p, len);
		return 0;
	case CRDT_MP_ARRAY:
		if (depth >= NODE_DOC_MAX_DEPTH)
			return -EBADMSG;
		return decode_array(c, depth, out);
	case CRDT_MP_MAP:
		if (depth >= NODE_DOC_MAX_DEPTH)
			return -EBADMSG;
		return decode_object(c, depth, out);
	default:
		/* The one ext ward sends: a decimal (node_doc_dec). */
		if (crdt_mp_left(c) >= 12 && c->p[0] == 0xc7 && c->p[1] == 9 &&
		    c->p[2] == 'd' && c->p[3] <= 18) {
			uint64_t m = 0;
			for (int k = 0; k < 8; k++)
				m = m << 8 | c->p[4 + k];
			*out = node_doc_dec((int64_t)m, c->p[3]);
			c->p += 12;
			return 0;
		}
		return -EBADMSG;
	}
}

int node_doc_decode(const uint8_t *p, size_t len, struct node_doc **out)
{
	assert(out && (p || len == 0));
	if (len == 0)
		return -EBADMSG;
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, p, len, false);
	struct node_doc *d;
	if (decode_value(&c, 0, &d) != 0)
		return -EBADMSG;
	if (crdt_mp_left(&c) != 0) {
		node_doc_free(d);
		return -EBADMSG;
	}
	*out = d;
	return 0;
}

/* ---------------------------------------------------------------------- */
/* JSON.                                                                   */

#define UTF8_BAD UINT32_MAX

/* Decodes one code point from s[0..n), n > 0, into *cp and returns the
 * bytes it took. On invalid input *cp is UTF8_BAD and the return is the
 * length of the maximal subpart (Unicode 15, section 3.9, U+FFFD
 * substitution): the longest prefix of a well-formed sequence, at least 1. */
static size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint8_t b = s[0];
	uint8_t lo = 0x80, hi = 0xbf;
	size_t need;
	uint32_t v;
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		need = 1;
		v = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		need = 2;
		v = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0; /* overlong */
		else if (b == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		need = 3;
		v = b & 0x07;
		if (b == 0xf0)
			lo = 0x90; /* overlong */
		else if (b == 0xf4)
			hi = 0x8f; /* above U+10FFFF */
	} else {
		*cp = UTF8_BAD;
		return 1;
	}
	for (size_t k = 1; k <= need; k++) {
		if (k >= n || s[k] < lo || s[k] > hi) {
			*cp = UTF8_BAD;
			return k;
		}
		v = v << 6 | (s[k] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

static const char hex_digits[] = "0123456789abcdef";

static void put(struct crdt_buf *b, const char *s)
{
	crdt_buf_append(b, s, strlen(s));
}

static void put_char(struct crdt_buf *b, char ch)
{
	crdt_buf_append(b, &ch, 1);
}

static void json_string(struct crdt_buf *b, const uint8_t *s, size_t len)
{
	put_char(b, '"');
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);
		if (cp == UTF8_BAD) {
			put(b, "\xef\xbf\xbd");
		} else if (cp == '"') {
			put(b, "\\\"");
		} else if (cp == '\\') {
			put(b, "\\\\");
		} else if (cp == '\b') {
			put(b, "\\b");
		} else if (cp == '\f') {
			put(b, "\\f");
		} else if (cp == '\n') {
			put(b, "\\n");
		} else if (cp == '\r') {
			put(b, "\\r");
		} else if (cp == '\t') {
			put(b, "\\t");
		} else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) {
			char esc[7] = {'\\',
				       'u',
				       '0',
				       '0',
				       hex_digits[cp >> 4],
				       hex_digits[cp & 0xf],
				       0};
			put(b, esc);
		} else {
			crdt_buf_append(b, s + i, n);
		}
		i += n;
	}
	put_char(b, '"');
}

static void json_hex(struct crdt_buf *b, const uint8_t *p, size_t len)
{
	put_char(b, '"');
	for (size_t k = 0; k < len; k++) {
		char pair[2] = {hex_digits[p[k] >> 4], hex_digits[p[k] & 0xf]};
		crdt_buf_append(b, pair, 2);
	}
	put_char(b, '"');
}

static void newline(struct crdt_buf *b, size_t depth)
{
	put_char(b, '\n');
	for (size_t k = 0; k < depth; k++)
		put(b, "  ");
}

static void json_value(struct crdt_buf *b, const struct node_doc *d,
		       bool pretty, size_t depth)
{
	char num[32];
	bool obj = d->kind == NODE_DOC_OBJECT;
	switch (d->kind) {
	case NODE_DOC_NULL:
		put(b, "null");
		return;
	case NODE_DOC_BOOL:
		put(b, d->u.b ? "true" : "false");
		return;
	case NODE_DOC_INT:
		snprintf(num, sizeof num, "%lld", (long long)d->u.i);
		put(b, num);
		return;
	case NODE_DOC_DEC: {
		uint64_t p10 = 1, m = d->u.dec.m < 0 ? -(uint64_t)d->u.dec.m
						     : (uint64_t)d->u.dec.m;
		for (unsigned k = 0; k < d->u.dec.scale; k++)
			p10 *= 10;
		if (d->u.dec.scale)
			snprintf(num, sizeof num, "%s%llu.%0*llu",
				 d->u.dec.m < 0 ? "-" : "",
				 (unsigned long long)(m / p10),
				 (int)d->u.dec.scale,
				 (unsigned long long)(m % p10));
		else
			snprintf(num, sizeof num, "%s%llu",
				 d->u.dec.m < 0 ? "-" : "",
				 (unsigned long long)m);
		put(b, num);
		return;
	}
	case NODE_DOC_STR:
		json_string(b, d->u.bytes.p, d->u.bytes.len);
		return;
	case NODE_DOC_BIN:
		json_hex(b, d->u.bytes.p, d->u.bytes.len);
		return;
	case NODE_DOC_ARRAY:
	case NODE_DOC_OBJECT:
		break;
	}
	put_char(b, obj ? '{' : '[');
	for (size_t k = 0; k < d->u.list.n; k++) {
		if (k)
			put_char(b, ',');
		if (pretty)
			newline(b, depth + 1);
		if (obj) {
			const char *key = d->u.list.m[k].key;
			json_string(b, (const uint8_t *)key, strlen(key));
			put(b, pretty ? ": " : ":");
		}
		json_value(b, d->u.list.m[k].val, pretty, depth + 1);
	}
	if (pretty && d->u.list.n)
		newline(b, depth);
	put_char(b, obj ? '}' : ']');
}

void node_doc_print_json(FILE *f, const struct node_doc *d, bool pretty)
{
	assert(f && d);
	struct crdt_buf b;
	crdt_buf_init(&b);
	json_value(&b, d, pretty, 0);
	if (b.len)
		fwrite(b.data, 1, b.len, f);
	crdt_buf_fini(&b);
}

char *node_doc_to_json(const struct node_doc *d, bool pretty)
{
	assert(d);
	struct crdt_buf b;
	crdt_buf_init(&b);
	json_value(&b, d, pretty, 0);
	put_char(&b, '\0');
	size_t len;
	return (char *)crdt_buf_take(&b, &len);
}
