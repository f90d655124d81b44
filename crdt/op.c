/*
 * op.c: the four ops of DESIGN.md section 3 (create, set, add, remove) and
 * their canonical encodings. Decoding checks structure, arity, op codes,
 * value kinds and limits; meaning (schema, roles) is judged in node/.
 */
#include <errno.h>
#include <string.h>

#include "crdt/crdt.h"

static int read_name(struct crdt_mp_cursor *c, struct crdt_op *op)
{
	if (crdt_mp_read_str(c, &op->name, &op->name_len) != 0 ||
	    op->name_len == 0 || op->name_len > CRDT_MAX_STR_BYTES)
		return -EBADMSG;
	return 0;
}

static int read_dots(struct crdt_mp_cursor *c, struct crdt_op *op,
		     struct crdt_dot *dots, size_t cap)
{
	size_t n;
	if (crdt_mp_read_array(c, &n) != 0 || n > CRDT_MAX_DOTS || n > cap)
		return -EBADMSG;
	for (size_t i = 0; i < n; i++)
		if (crdt_dot_decode(c, &dots[i]) != 0)
			return -EBADMSG;
	op->dots = dots;
	op->n_dots = n;
	return 0;
}

int crdt_op_decode(struct crdt_mp_cursor *c, struct crdt_op *out,
		   struct crdt_dot *dots, size_t dots_cap)
{
	struct crdt_mp_cursor save = *c;
	struct crdt_op op;
	size_t n;
	uint64_t code;
	memset(&op, 0, sizeof(op));
	if (crdt_mp_read_array(c, &n) != 0 || n < 3 ||
	    crdt_mp_read_uint(c, &code) != 0 || code > CRDT_OP_REMOVE)
		goto bad;
	op.code = (enum crdt_op_code)code;
	static const size_t arity[] = {3, 5, 4, 5};
	if (n != arity[code])
		goto bad;
	if (crdt_mp_read_bin_fixed(c, op.entity, CRDT_ENTITY_BYTES) != 0 ||
	    read_name(c, &op) != 0)
		goto bad;
	if (op.code != CRDT_OP_CREATE &&
	    crdt_value_decode(c, &op.value) != 0)
		goto bad;
	if ((op.code == CRDT_OP_SET || op.code == CRDT_OP_REMOVE) &&
	    read_dots(c, &op, dots, dots_cap) != 0)
		goto bad;
	*out = op;
	return 0;
bad:
	*c = save;
	return -EBADMSG;
}

void crdt_op_encode(struct crdt_buf *b, const struct crdt_op *op)
{
	static const size_t arity[] = {3, 5, 4, 5};
	crdt_pack_array(b, arity[op->code]);
	crdt_pack_uint(b, op->code);
	crdt_pack_bin(b, op->entity, CRDT_ENTITY_BYTES);
	crdt_pack_str(b, op->name, op->name_len);
	if (op->code == CRDT_OP_CREATE)
		return;
	crdt_value_encode(b, &op->value);
	if (op->code == CRDT_OP_SET || op->code == CRDT_OP_REMOVE) {
		crdt_pack_array(b, op->n_dots);
		for (size_t i = 0; i < op->n_dots; i++)
			crdt_dot_encode(b, &op->dots[i]);
	}
}
