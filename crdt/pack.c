/*
 * pack.c: a growable byte buffer and the canonical packer. msgpack-c's
 * packer already emits the shortest form of every integer and header, which
 * is what DESIGN.md section 3 asks of signed bytes; this file adapts it to
 * ward's buffer so callers never see msgpack-c types.
 */
#include <msgpack.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"

void crdt_buf_init(struct crdt_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void crdt_buf_fini(struct crdt_buf *b)
{
	free(b->data);
	crdt_buf_init(b);
}

void crdt_buf_reset(struct crdt_buf *b)
{
	b->len = 0;
}

void crdt_buf_append(struct crdt_buf *b, const void *p, size_t len)
{
	if (len == 0)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + len)
			cap *= 2;
		uint8_t *d = crdt_xrealloc(b->data, cap);
		b->data = d;
		b->cap = cap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += len;
}

uint8_t *crdt_buf_take(struct crdt_buf *b, size_t *len)
{
	uint8_t *d = b->data;
	*len = b->len;
	if (!d)
		d = crdt_xmalloc(1);
	crdt_buf_init(b);
	return d;
}

static int write_cb(void *data, const char *buf, size_t len)
{
	crdt_buf_append(data, buf, len);
	return 0;
}

#define PACKER(b)                                                            \
	msgpack_packer pk;                                                   \
	msgpack_packer_init(&pk, (b), write_cb)

void crdt_pack_nil(struct crdt_buf *b)
{
	PACKER(b);
	msgpack_pack_nil(&pk);
}

void crdt_pack_bool(struct crdt_buf *b, bool v)
{
	PACKER(b);
	if (v)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
}

void crdt_pack_uint(struct crdt_buf *b, uint64_t v)
{
	PACKER(b);
	msgpack_pack_uint64(&pk, v);
}

void crdt_pack_int(struct crdt_buf *b, int64_t v)
{
	PACKER(b);
	msgpack_pack_int64(&pk, v);
}

void crdt_pack_str(struct crdt_buf *b, const char *s, size_t len)
{
	PACKER(b);
	msgpack_pack_str_with_body(&pk, s, len);
}

void crdt_pack_cstr(struct crdt_buf *b, const char *s)
{
	crdt_pack_str(b, s, strlen(s));
}

void crdt_pack_bin(struct crdt_buf *b, const uint8_t *p, size_t len)
{
	PACKER(b);
	msgpack_pack_bin_with_body(&pk, p, len);
}

void crdt_pack_array(struct crdt_buf *b, size_t n)
{
	PACKER(b);
	msgpack_pack_array(&pk, n);
}

void crdt_pack_map(struct crdt_buf *b, size_t n)
{
	PACKER(b);
	msgpack_pack_map(&pk, n);
}
