/*
 * replication_gen.c: the in-process half of ops/bench/replication.
 *
 *   replication_gen fill DIR PATIENT N   appends N entries to DIR's own
 *                                        feed (PATIENT's scope), signed by
 *                                        DIR's key, committed in batches:
 *                                        one op each (~300 bytes), the
 *                                        first 1,000 creating patients, the
 *                                        rest setting their addresses in
 *                                        turn (a cell keeps every version
 *                                        it superseded, so sets on a single
 *                                        field would grow one cell without
 *                                        bound)
 *   replication_gen verify SECONDS       raw Ed25519 verify rate of
 *                                        ~300-byte messages on one core
 *
 * Prints "key value" lines.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int mode_verify(double seconds)
{
	uint8_t pk[32], sk[64], msg[300], sig[64];
	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof(msg));
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	size_t n = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 256; i++)
			if (crypto_sign_verify_detached(sig, msg, sizeof(msg),
							pk) != 0)
				return 1;
		n += 256;
		t = now_s();
	} while (t - t0 < seconds);
	printf("verify_per_s %.0f\n", (double)n / (t - t0));
	return 0;
}

static int mode_fill(const char *dir, const char *patient, size_t total)
{
	struct node_ctx *n;
	char msg[512];
	if (node_ctx_open(dir, &n, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "replication_gen: %s\n", msg);
		return 1;
	}
	uint8_t entity[16];
	(void)0;
	const char *dash = strrchr(patient, '-');
	if (!dash || node_unhex(dash + 1, entity, 16) != 0) {
		fprintf(stderr, "replication_gen: bad id %s\n", patient);
		return 2;
	}
	struct node_entity ent;
	if (node_ledger_entity(n->ledger, entity, &ent) != 0) {
		fprintf(stderr, "replication_gen: no %s\n", patient);
		return 3;
	}
	struct node_feed_head *h;
	size_t nh;
	node_ledger_heads(n->ledger, &h, &nh);
	struct node_feed_head head = {0};
	for (size_t i = 0; i < nh; i++)
		if (!memcmp(h[i].author, n->pk, 32) &&
		    !strcmp(h[i].scope, ent.scope))
			head = h[i];
	free(h);
	if (!head.seq) {
		fprintf(stderr, "replication_gen: no own feed in %s\n",
			ent.scope);
		return 3;
	}
	uint8_t net_id[32];
	node_ledger_net_id(n->ledger, net_id);
	enum { PATIENTS = 1000 };
	static uint8_t ids[PATIENTS][16];
	static struct crdt_dot last[PATIENTS];
	uint64_t seq = head.seq, hlc = head.hlc;
	uint8_t prev[32];
	memcpy(prev, head.head, 32);
	size_t bytes = 0;
	double t0 = now_s();
	for (size_t done = 0; done < total;) {
		struct node_txn *t = node_ledger_begin(n->ledger);
		for (size_t k = 0; k < 1000 && done < total; k++, done++) {
			char addr[256];
			struct crdt_entry e;
			memset(&e, 0, sizeof(e));
			memcpy(e.author, n->pk, 32);
			snprintf(e.scope, sizeof(e.scope), "%s", ent.scope);
			e.seq = ++seq;
			memcpy(e.prev, prev, 32);
			e.hlc = ++hlc;
			e.roster_version = 1;
			snprintf(addr, sizeof(addr), "%070llu",
				 (unsigned long long)e.seq);
			struct crdt_op set;
			memset(&set, 0, sizeof(set));
			size_t which = done % PATIENTS;
			if (done < PATIENTS) {
				set.code = CRDT_OP_CREATE;
				crdt_entity_id(ids[which], n->pk, e.scope,
					       e.seq, 0);
				memcpy(set.entity, ids[which], 16);
				set.name = "patient";
				set.name_len = 7;
			} else {
				set.code = CRDT_OP_SET;
				memcpy(set.entity, ids[which], 16);
				set.name = "address";
				set.name_len = 7;
				set.value = (struct crdt_value){
				    .kind = CRDT_VALUE_STR,
				    .p = (const uint8_t *)addr,
				    .len = strlen(addr)};
				set.dots = &last[which];
				set.n_dots = last[which].seq ? 1 : 0;
				memcpy(last[which].author, n->pk, 32);
				last[which].seq = e.seq;
				last[which].index = 0;
			}
			e.n_ops = 1;
			e.ops = &set;
			struct crdt_buf body, wire;
			crdt_buf_init(&body);
			crdt_buf_init(&wire);
			crdt_entry_encode_body(&body, &e);
			uint8_t sig[64];
			crdt_entry_sign(sig, net_id, body.data, body.len,
					n->sk);
			crdt_entry_encode_wire(&wire, body.data, body.len, sig);
			crdt_entry_hash(prev, body.data, body.len, sig);
			enum node_ingest res;
			enum node_msg why = MSG_NONE;
			int rc = node_txn_ingest(t, wire.data, wire.len, true,
						 &res, &why);
			bytes += wire.len;
			crdt_buf_fini(&body);
			crdt_buf_fini(&wire);
			if (rc) {
				fprintf(
				    stderr, "replication_gen: seq %llu: %s\n",
				    (unsigned long long)e.seq,
				    node_catalog_text(NODE_LANG_EN, why));
				return 1;
			}
		}
		if (node_txn_commit(t, done == total) != 0) {
			fprintf(stderr, "replication_gen: commit failed\n");
			return 1;
		}
	}
	printf("fill_seconds %.2f\n", now_s() - t0);
	printf("entry_bytes %.0f\n", (double)bytes / (double)total);
	printf("entries %llu\n",
	       (unsigned long long)node_ledger_entry_count(n->ledger));
	node_ctx_close(n);
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 5 && !strcmp(argv[1], "fill"))
		return mode_fill(argv[2], argv[3],
				 (size_t)strtoull(argv[4], NULL, 10));
	if (argc == 3 && !strcmp(argv[1], "verify"))
		return mode_verify(atof(argv[2]));
	fprintf(stderr, "usage: replication_gen fill DIR PATIENT N | verify "
			"SECONDS\n");
	return 2;
}
