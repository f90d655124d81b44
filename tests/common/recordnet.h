/*
 * recordnet.h: a two-member network (district health, a township) with an
 * in-memory node, and helpers that write records as either member: the
 * fixture of the records queries' and the report's unit tests. Header-
 * only; include after cmocka.h, the node headers and testnode.h.
 */
#ifndef WARD_TESTS_RECORDNET_H
#define WARD_TESTS_RECORDNET_H

enum { HEALTH, TOWNSHIP, N_MEMBERS };
static uint8_t pk[N_MEMBERS][32], sk[N_MEMBERS][64];
static uint8_t *roster;
static size_t roster_len;
static char empty[] = "";
static char names[N_MEMBERS][16] = {"health", "township"};

#define TOWN "120116001"
#define TOWN2 "120116002"
#define DISTRICT "120116"

static void setup_keys(void)
{
	struct node_member m[N_MEMBERS];
	static const enum node_role roles[N_MEMBERS] = {NODE_ROLE_HEALTH,
							NODE_ROLE_TOWNSHIP};
	static const char *const scopes[N_MEMBERS] = {DISTRICT, TOWN};
	memset(m, 0, sizeof(m));
	for (int i = 0; i < N_MEMBERS; i++) {
		uint8_t s[32];
		memset(s, 0x70 + i, sizeof(s));
		crypto_sign_seed_keypair(pk[i], sk[i], s);
		memcpy(m[i].key, pk[i], 32);
		m[i].role = roles[i];
		m[i].name = names[i];
		snprintf(m[i].scope, sizeof(m[i].scope), "%s", scopes[i]);
		m[i].address = empty;
		m[i].cert_pem = empty;
	}
	/* Schema version 1: these tests write plaintext at the ledger's
	 * level; what they test (due, rates, reports) reads no sealed field
	 * (test_sealing and sealed.sh test sealing). */
	assert_int_equal(node_roster_build_genesis_schema(
			     m, N_MEMBERS, pk[HEALTH], sk[HEALTH], 1, &roster,
			     &roster_len),
			 0);
}

struct node {
	struct node_kv *kv;
	struct node_ledger *l;
	uint64_t now;
};

static void node_up(struct node *n)
{
	n->now = 1780000000000ull;
	test_node_open(&n->kv, &n->l, roster, roster_len);
}

static void node_down(struct node *n)
{
	test_node_close(n->kv, n->l);
}

/* Writes one entry as who in scope: a create of type (when type is set,
 * entity written to id) or changes to id, with "field=value" pairs (value
 * parsed as an operator types it; references as 32 hex). */
static void vwrite(struct node *n, int who, const char *scope, const char *type,
		   uint8_t id[16], va_list ap)
{
	struct crdt_op ops[32];
	static uint8_t bufs[32][CRDT_MAX_STR_BYTES + 16];
	size_t k = 0;
	memset(ops, 0, sizeof(ops));
	const struct node_type *t;
	if (type) {
		uint64_t seq;
		node_ledger_next_seq(n->l, pk[who], scope, &seq);
		crdt_entity_id(id, pk[who], scope, seq, 0);
		ops[k].code = CRDT_OP_CREATE;
		ops[k].name = type;
		ops[k].name_len = strlen(type);
		k++;
		t = node_schema_type(type, strlen(type));
	} else {
		struct node_entity e;
		assert_int_equal(node_ledger_entity(n->l, id, &e), 0);
		t = node_schema_type(e.type, strlen(e.type));
	}
	assert_non_null(t);
	const char *fv;
	while ((fv = va_arg(ap, const char *)) != NULL) {
		if (!*fv)
			continue; /* an absent optional field */
		const char *eq = strchr(fv, '=');
		assert_non_null(eq);
		const struct node_field *f =
		    node_schema_field(t, fv, (size_t)(eq - fv));
		assert_non_null(f);
		struct crdt_op *op = &ops[k];
		char why[256];
		if (node_schema_parse(f, eq + 1, &op->value, bufs[k],
				      sizeof(bufs[k]), why, sizeof(why)) != 0)
			fail_msg("%s: %s", fv, why);
		op->code = f->is_set ? CRDT_OP_ADD : CRDT_OP_SET;
		if (!f->is_set && !type) {
			/* Supersede every version this node sees. */
			static struct crdt_dot preds[32][CRDT_MAX_DOTS];
			struct crdt_cell c;
			assert_int_equal(
			    node_ledger_cell(n->l, id, f->name, &c), 0);
			for (size_t i = 0; i < c.n_live && i < CRDT_MAX_DOTS;
			     i++)
				preds[k][op->n_dots++] = c.live[i].dot;
			op->dots = preds[k];
			crdt_cell_fini(&c);
		}
		memcpy(op->entity, id, 16);
		op->name = f->name;
		op->name_len = strlen(f->name);
		k++;
	}
	struct node_write w = {.scope = scope, .n_ops = k, .ops = ops};
	char why[256];
	uint64_t seq;
	struct node_reason why_r;
	int rc = node_ledger_write(n->l, sk[who], pk[who], &w, n->now += 1000,
				   &seq, &why_r);
	if (rc)
		node_schema_reason_text(&why_r, NODE_LANG_EN, why, sizeof(why));
	if (rc)
		fail_msg("write: %s", why);
}

static void rec(struct node *n, const char *scope, const char *type,
		uint8_t id[16], ...)
{
	va_list ap;
	va_start(ap, id);
	vwrite(n, HEALTH, scope, type, id, ap);
	va_end(ap);
}

#endif
