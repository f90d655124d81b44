/*
 * ledger_bench.c: the in-process half of ops/bench/ledger. Each mode
 * measures one thing and prints one line "key value" per figure, so the
 * script can collect them into its table:
 *
 *   ledger_bench sodium SECONDS        raw Ed25519 sign/verify, one core
 *   ledger_bench write DIR COUNT       node_ledger_write, 10 ops, synced
 *   ledger_bench ingest SRC DST N      foreign entries by SRC's key into
 *                                      DST's store, txns of 500
 *   ledger_bench settle DIR            compacts DIR's store fully, so
 *                                      what is timed next (audit) does
 *                                      not share the cores with
 *                                      compactions the ingest left
 *
 * Timing covers only the measured calls: entry generation for ingest is
 * done outside the clock.
 */
#include <errno.h>
#include <stdbool.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger.h"
#include "node/ledger/verify.h"
#include "node/store/kv.h"

#define INGEST_TXN 500
#define SCOPE "330102"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static struct node_ctx *open_node(const char *dir)
{
	struct node_ctx *n;
	char msg[512];
	if (node_ctx_open(dir, &n, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "ledger_bench: %s: %s\n", dir, msg);
		exit(1);
	}
	return n;
}

/* ---- one patient: create + 9 sets ---- */

static const char *const field_names[9] = {
	"name",	     "sex",	   "birth_date",    "phone",  "address",
	"household", "patient_no", "registered_on", "status",
};

struct patient {
	char text[9][64];
	struct crdt_op ops[10];
};

static void patient_fill(struct patient *p, const uint8_t entity[16],
			 uint64_t i)
{
	snprintf(p->text[0], 64, "患者%llu", (unsigned long long)i);
	snprintf(p->text[1], 64, "%s", i & 1 ? "male" : "female");
	snprintf(p->text[2], 64, "19%02llu-0%llu-1%llu",
		 (unsigned long long)(i % 90 + 10),
		 (unsigned long long)(i % 9 + 1),
		 (unsigned long long)(i % 9));
	snprintf(p->text[3], 64, "138%08llu", (unsigned long long)(i % 100000000));
	snprintf(p->text[4], 64, "某市某区某街道%llu号",
		 (unsigned long long)(i % 1000));
	snprintf(p->text[5], 64, "%s", i & 2 ? "urban" : "rural");
	snprintf(p->text[6], 64, "P%010llu", (unsigned long long)i);
	snprintf(p->text[7], 64, "2024-0%llu-1%llu",
		 (unsigned long long)(i % 9 + 1), (unsigned long long)(i % 9));
	snprintf(p->text[8], 64, "registered");
	memset(p->ops, 0, sizeof(p->ops));
	p->ops[0].code = CRDT_OP_CREATE;
	memcpy(p->ops[0].entity, entity, 16);
	p->ops[0].name = "patient";
	p->ops[0].name_len = 7;
	for (int k = 0; k < 9; k++) {
		struct crdt_op *op = &p->ops[k + 1];
		op->code = CRDT_OP_SET;
		memcpy(op->entity, entity, 16);
		op->name = field_names[k];
		op->name_len = strlen(field_names[k]);
		op->value.kind = CRDT_VALUE_STR;
		op->value.p = (const uint8_t *)p->text[k];
		op->value.len = strlen(p->text[k]);
	}
}

/* ---- sodium ---- */

static int mode_sodium(double secs)
{
	uint8_t pk[32], sk[64], sig[64], msg[300];
	crypto_sign_keypair(pk, sk);
	randombytes_buf(msg, sizeof(msg));
	size_t n = 0;
	double t0 = now_s(), t;
	do {
		for (int i = 0; i < 256; i++, n++) {
			msg[0] = (uint8_t)n;
			crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
		}
		t = now_s() - t0;
	} while (t < secs);
	printf("sign_per_s %.0f\n", (double)n / t);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	n = 0;
	t0 = now_s();
	do {
		for (int i = 0; i < 256; i++, n++)
			if (crypto_sign_verify_detached(sig, msg, sizeof(msg),
							pk) != 0)
				abort();
		t = now_s() - t0;
	} while (t < secs);
	printf("verify_per_s %.0f\n", (double)n / t);
	return 0;
}

/* ---- local writes ---- */

static int mode_write(const char *dir, size_t count)
{
	struct node_ctx *n = open_node(dir);
	double t0 = now_s();
	for (size_t i = 0; i < count; i++) {
		uint64_t seq;
		node_ledger_next_seq(n->ledger, n->pk, SCOPE, &seq);
		uint8_t entity[16];
		crdt_entity_id(entity, n->pk, SCOPE, seq, 0);
		struct patient p;
		patient_fill(&p, entity, i);
		struct node_write w = {.scope = SCOPE, .n_ops = 10, .ops = p.ops};
		char why[512];
		struct node_reason why_r;
		int rc = node_ledger_write(n->ledger, n->sk, n->pk, &w,
					   wall_ms(), &seq, &why_r);
		if (rc)
			node_schema_reason_text(&why_r, NODE_LANG_EN, why, sizeof(why));
		if (rc) {
			fprintf(stderr, "ledger_bench: write %zu: %d %s\n", i,
				rc, why);
			return 1;
		}
	}
	double t = now_s() - t0;
	printf("write_per_s %.1f\n", (double)count / t);
	printf("write_ms %.3f\n", 1000.0 * t / (double)count);
	node_ctx_close(n);
	return 0;
}

/* ---- ingest of foreign entries ---- */

struct feed {
	uint8_t pk[32];
	const uint8_t *sk;
	uint8_t net_id[32];
	uint64_t seq;
	uint8_t prev[32];
	uint64_t hlc;
	bool one_op;         /* after the first entry, one set op each */
	uint8_t entity[16];  /* the patient the one-op entries update */
	struct crdt_dot last; /* the version the next set supersedes */
};

/* Appends the next entry of f in wire form to out. */
static void feed_next(struct feed *f, struct crdt_buf *out)
{
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, f->pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", SCOPE);
	e.seq = ++f->seq;
	memcpy(e.prev, f->prev, 32);
	e.hlc = ++f->hlc;
	e.roster_version = 1;
	uint8_t entity[16];
	struct patient p;
	/* A ~250-byte address: one-op entries come to ~350 bytes. */
	char addr[256];
	struct crdt_op set;
	if (f->one_op && e.seq > 1) {
		snprintf(addr, sizeof(addr),
			 "%0240llu", (unsigned long long)e.seq);
		memset(&set, 0, sizeof(set));
		set.code = CRDT_OP_SET;
		memcpy(set.entity, f->entity, 16);
		set.name = "address";
		set.name_len = 7;
		set.value = (struct crdt_value){.kind = CRDT_VALUE_STR,
						.p = (const uint8_t *)addr,
						.len = strlen(addr)};
		set.dots = &f->last;
		set.n_dots = f->last.seq ? 1 : 0;
		e.n_ops = 1;
		e.ops = &set;
		memcpy(f->last.author, f->pk, 32);
		f->last.seq = e.seq;
		f->last.index = 0;
	} else {
		crdt_entity_id(entity, f->pk, SCOPE, e.seq, 0);
		memcpy(f->entity, entity, 16);
		patient_fill(&p, entity, e.seq);
		e.n_ops = 10;
		e.ops = p.ops;
	}
	struct crdt_buf body;
	crdt_buf_init(&body);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	crdt_entry_sign(sig, f->net_id, body.data, body.len, f->sk);
	crdt_entry_encode_wire(out, body.data, body.len, sig);
	crdt_entry_hash(f->prev, body.data, body.len, sig);
	crdt_buf_fini(&body);
}

static int mode_ingest(const char *src, const char *dst, size_t total,
		       bool one_op)
{
	struct node_ctx *a = open_node(src);
	struct feed f = {0};
	f.one_op = one_op;
	memcpy(f.pk, a->pk, 32);
	f.sk = a->sk;
	node_ledger_net_id(a->ledger, f.net_id);
	f.hlc = wall_ms() << 16;
	struct node_ctx *b = open_node(dst);
	struct crdt_buf wire[INGEST_TXN];
	size_t off[INGEST_TXN];
	double busy = 0, gen = 0;
	size_t done = 0, bytes = 0;
	while (done < total) {
		size_t cnt = total - done < INGEST_TXN ? total - done
						       : INGEST_TXN;
		double g0 = now_s();
		for (size_t i = 0; i < cnt; i++) {
			crdt_buf_init(&wire[i]);
			feed_next(&f, &wire[i]);
			off[i] = wire[i].len;
			bytes += wire[i].len;
		}
		double t0 = now_s();
		gen += t0 - g0;
		/* One received message: the node's own ingest path, which
		 * checks the next chunk's signatures on the second core while
		 * it applies, and commits the message as one synced batch. */
		struct node_wire ws[INGEST_TXN];
		int res[INGEST_TXN];
		enum node_msg why[INGEST_TXN];
		for (size_t i = 0; i < cnt; i++)
			ws[i] = (struct node_wire){wire[i].data, off[i]};
		if (node_verify_ingest_many(b->ledger, ws, cnt, INGEST_TXN, true,
					    res, why) != 0) {
			fprintf(stderr, "ledger_bench: commit failed\n");
			return 1;
		}
		for (size_t i = 0; i < cnt; i++) {
			if (res[i] != 0) {
				fprintf(stderr,
					"ledger_bench: ingest %zu: %d %s\n",
					done + i, res[i],
					node_catalog_text(NODE_LANG_EN,
							  why[i]));
				return 1;
			}
		}
		busy += now_s() - t0;
		for (size_t i = 0; i < cnt; i++)
			crdt_buf_fini(&wire[i]);
		done += cnt;
	}
	printf("ingest_per_s %.0f\n", (double)total / busy);
	printf("ingest_entry_bytes %.0f\n", (double)bytes / (double)total);
	printf("gen_seconds %.2f\n", gen);
	printf("entries %llu\n",
	       (unsigned long long)node_ledger_entry_count(b->ledger));
	node_ctx_close(b);
	node_ctx_close(a);
	return 0;
}

/* Opens DIR/db as a node does (node_kv_open_rocks: the store's own table
 * options), compacts each column family whole, closes. RocksDB's default
 * options here would leave one big table with a flat index and no bloom
 * filter, a store no node ever writes, and every later lookup in it would
 * read that whole index. */
static int mode_settle(const char *dir)
{
	char path[4096], err[512];
	snprintf(path, sizeof(path), "%s/db", dir);
	struct node_kv *kv;
	int rc = node_kv_open_rocks(path, false, &kv, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "settle: %s\n", err);
		return 1;
	}
	rc = node_kv_compact(kv);
	node_kv_close(kv);
	if (rc) {
		fprintf(stderr, "settle: compaction failed (%d)\n", rc);
		return 1;
	}
	printf("settled\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && !strcmp(argv[1], "sodium"))
		return mode_sodium(atof(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "write"))
		return mode_write(argv[2], (size_t)strtoull(argv[3], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "ingest"))
		return mode_ingest(argv[2], argv[3],
				   (size_t)strtoull(argv[4], NULL, 10), false);
	if (argc == 5 && !strcmp(argv[1], "ingest1"))
		return mode_ingest(argv[2], argv[3],
				   (size_t)strtoull(argv[4], NULL, 10), true);
	if (argc == 3 && !strcmp(argv[1], "settle"))
		return mode_settle(argv[2]);
	fprintf(stderr, "usage: ledger_bench sodium SECS | write DIR N | "
			"ingest|ingest1 SRC DST N | settle DIR\n");
	return 2;
}
