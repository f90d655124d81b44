/*
 * finding.c: reasons (node/catalog/catalog.h) as the ledger stores them,
 * in findings ('F'), a record's create ('E') and waiting ops ('W'):
 *
 *   [id name: str, arg...]   arg = int | uint | str | [0, id name]
 *                                    | [1, "type.field"]
 *
 * The id is stored by name, so a build that renumbers the catalog reads
 * old stores; a name it does not know, or a value in no such form (a
 * store written before reasons were codes), reads as the text itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/finding.h"

void node_finding_encode(const struct node_reason *r, struct crdt_buf *b)
{
	crdt_pack_array(b, 1 + r->n_args);
	crdt_pack_cstr(b, node_catalog_name(r->id));
	for (unsigned i = 0; i < r->n_args; i++) {
		const struct node_reason_arg *a = &r->args[i];
		switch (a->kind) {
		case 'i':
			crdt_pack_int(b, a->i);
			break;
		case 'u':
			crdt_pack_uint(b, a->u);
			break;
		case 'm':
		case 'f':
			crdt_pack_array(b, 2);
			crdt_pack_uint(b, a->kind == 'm' ? 0 : 1);
			crdt_pack_cstr(b, a->s);
			break;
		default:
			crdt_pack_cstr(b, a->s);
			break;
		}
	}
}

static void copy_text(char *out, const char *s, size_t len)
{
	if (len >= NODE_REASON_ARG_BYTES)
		len = NODE_REASON_ARG_BYTES - 1;
	memcpy(out, s, len);
	out[len] = '\0';
}

/* A value in no reason's form: the text itself, as MSG_F_TEXT. */
static void as_text(const uint8_t *p, size_t len, struct node_reason *r)
{
	memset(r, 0, sizeof(*r));
	r->id = MSG_F_TEXT;
	r->n_args = 1;
	r->args[0].kind = 's';
	copy_text(r->args[0].s, (const char *)p, len);
}

int node_finding_decode(const uint8_t *p, size_t len, struct node_reason *r)
{
	struct crdt_mp_cursor c;
	size_t n, sl;
	const char *s;
	crdt_mp_cursor_init(&c, p, len, false);
	if (crdt_mp_read_array(&c, &n) != 0 || n == 0 ||
	    n > 1 + NODE_REASON_MAX_ARGS ||
	    crdt_mp_read_str(&c, &s, &sl) != 0) {
		as_text(p, len, r);
		return 0;
	}
	memset(r, 0, sizeof(*r));
	r->id = node_catalog_id(s, sl);
	if (r->id == MSG_NONE) {
		as_text((const uint8_t *)s, sl, r);
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		struct node_reason_arg *a = &r->args[r->n_args];
		enum crdt_mp_type ty;
		if (crdt_mp_peek(&c, &ty) != 0)
			return -EBADMSG;
		if (ty == CRDT_MP_UINT) {
			uint64_t u;
			crdt_mp_read_uint(&c, &u);
			a->kind = 'u';
			a->u = u;
		} else if (ty == CRDT_MP_INT) {
			int64_t v;
			crdt_mp_read_int(&c, &v);
			a->kind = 'i';
			a->i = v;
		} else if (ty == CRDT_MP_STR) {
			crdt_mp_read_str(&c, &s, &sl);
			a->kind = 's';
			copy_text(a->s, s, sl);
		} else if (ty == CRDT_MP_ARRAY) {
			size_t k;
			uint64_t which;
			if (crdt_mp_read_array(&c, &k) != 0 || k != 2 ||
			    crdt_mp_read_uint(&c, &which) != 0 || which > 1 ||
			    crdt_mp_read_str(&c, &s, &sl) != 0)
				return -EBADMSG;
			a->kind = which == 0 ? 'm' : 'f';
			copy_text(a->s, s, sl);
		} else {
			return -EBADMSG;
		}
		r->n_args++;
	}
	return 0;
}
