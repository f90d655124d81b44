/*
 * skew_write.c: a test-only writer with a fast clock. It signs, as the node
 * in DIR (its daemon must not run), N patient registrations in SCOPE whose
 * hlc is SECONDS ahead of the wall clock: what a member whose clock runs
 * fast sends its peers.
 *
 *   skew_write --data DIR --scope SCOPE --ahead SECONDS [--count N]
 *
 * Exits 0 after printing the seq of each entry, or non-zero with a reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdt/crdt.h"
#include "node/api/keyring.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger.h"

int main(int argc, char **argv)
{
	const char *dir = NULL, *scope = NULL;
	long ahead = -1, count = 1;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--data"))
			dir = argv[i + 1];
		else if (!strcmp(argv[i], "--scope"))
			scope = argv[i + 1];
		else if (!strcmp(argv[i], "--ahead"))
			ahead = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--count"))
			count = atol(argv[i + 1]);
	}
	if (!dir || !scope || ahead < 0 || count < 1) {
		fprintf(stderr, "usage: skew_write --data DIR --scope SCOPE "
				"--ahead SECONDS [--count N]\n");
		return 2;
	}
	char msg[1024];
	struct node_ctx *n;
	int rc = node_ctx_open(dir, &n, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "skew_write: %s\n", msg);
		return rc;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ahead * 1000u;
	for (long k = 0; k < count && rc == 0; k++) {
		uint64_t seq;
		uint8_t id[16];
		node_ledger_next_seq(n->ledger, n->pk, scope, &seq);
		crdt_entity_id(id, n->pk, scope, seq, 0);
		struct crdt_op ops[2];
		memset(ops, 0, sizeof(ops));
		ops[0].code = CRDT_OP_CREATE;
		memcpy(ops[0].entity, id, 16);
		ops[0].name = "patient";
		ops[0].name_len = 7;
		ops[1].code = CRDT_OP_SET;
		memcpy(ops[1].entity, id, 16);
		ops[1].name = "name";
		ops[1].name_len = 4;
		ops[1].value.kind = CRDT_VALUE_STR;
		ops[1].value.p = (const uint8_t *)"skew";
		ops[1].value.len = 4;
		/* the name sealed, as ward add seals it (keyring.h) */
		struct node_sealed_ops so;
		char why[256];
		struct node_reason why_r;
		rc = node_keyring_seal(n, scope, seq, ops, 2, &so, &why_r);
		struct node_write w = {.scope = scope, .n_ops = so.n,
				       .ops = so.ops};
		if (rc == 0)
			rc = node_ledger_write(n->ledger, n->sk, n->pk, &w,
					       now + (uint64_t)k, &seq, &why_r);
		node_sealed_ops_fini(&so);
		if (rc)
			node_schema_reason_text(&why_r, NODE_LANG_EN, why, sizeof(why));
		if (rc)
			fprintf(stderr, "skew_write: %s\n", why);
		else
			printf("%llu\n", (unsigned long long)seq);
	}
	node_ctx_close(n);
	return rc ? 6 : 0;
}
