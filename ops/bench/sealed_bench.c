/*
 * sealed_bench.c: the in-process half of ops/bench/sealed. It measures
 * what sealing H and ID fields (DESIGN.md section 8) costs, against the
 * same work on a network whose roster names schema version 1 (no
 * sealing), in one process, alternating the two so that both see the
 * same machine. Each mode prints "key value" lines for the script:
 *
 *   sealed_bench setup DIR SV       two health members of 330102, DIR/src
 *                                   (the genesis's admin) and DIR/dst,
 *                                   joined to a genesis of schema SV
 *   sealed_bench write S U COUNT    `add patient` with 4 ID fields (name,
 *                                   id_number, phone, address) and 3
 *                                   plain ones through node_serve, as
 *                                   wardd serves it, on S/src (sealed)
 *                                   and U/src (unsealed), alternating:
 *                                   COUNT each synced (the acknowledged
 *                                   write), then COUNT each with the
 *                                   store's sync turned off (what the
 *                                   CPU does: wall and thread CPU time)
 *   sealed_bench ingest S U N       N ten-op registrations (create + 9
 *                                   sets, 4 of them ID fields) written
 *                                   by S/src and U/src (outside the
 *                                   clock; S's first entry carries its
 *                                   group's key record), then ingested
 *                                   into S/dst and U/dst by the node's
 *                                   path (node_verify_ingest_many, txns
 *                                   of 500, synced), alternating batches
 *   sealed_bench fsync DIR COUNT    4 KiB write + fdatasync latency
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/keyring.h"
#include "node/api/node.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger.h"
#include "node/ledger/roster.h"
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

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void die(const char *what, const char *msg)
{
	fprintf(stderr, "sealed_bench: %s: %s\n", what, msg);
	exit(1);
}

static struct node_ctx *open_node(const char *dir)
{
	struct node_ctx *n;
	char msg[512];
	if (node_ctx_open(dir, &n, msg, sizeof(msg)) != 0)
		die(dir, msg);
	n->peer_uid = (int64_t)getuid();
	return n;
}

/* ---- the store's sync, off: the same RocksDB writes, unsynced ---- */

static const struct node_kv_ops *real_ops;
static struct node_kv_ops nosync_ops;

static int write_nosync(struct node_kv *kv, struct node_kv_batch *b,
			bool sync)
{
	(void)sync;
	return real_ops->write(kv, b, false);
}

static void set_sync(struct node_ctx *n, bool on)
{
	if (!real_ops) {
		real_ops = n->kv->ops;
		nosync_ops = *real_ops;
		nosync_ops.write = write_nosync;
	}
	n->kv->ops = on ? real_ops : &nosync_ops;
}

/* ---- setup: a network under schema version sv ---- */

static int mode_setup(const char *dir, uint64_t sv)
{
	char msg[2048], d[2][NODE_PATH_MAX], pub[NODE_PATH_MAX];
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		die(dir, strerror(errno));
	const char *names[2] = {"src", "dst"};
	const char *listen[2] = {"127.0.0.1:17451", "127.0.0.1:17452"};
	struct node_member ms[2];
	for (int i = 0; i < 2; i++) {
		snprintf(d[i], sizeof(d[i]), "%s/%s", dir, names[i]);
		struct node_init_opts o = {.dir = d[i],
					   .role = "health",
					   .name = names[i],
					   .scope = SCOPE,
					   .listen = listen[i]};
		if (node_init(&o, msg, sizeof(msg)) != 0)
			die("init", msg);
		node_path(pub, d[i], "node.pub");
		struct node_reason why;
		if (node_read_pub(pub, &ms[i], &why) != 0)
			die(pub, node_reason_text(&why, NODE_LANG_EN, msg,
						  sizeof(msg)));
	}
	uint8_t pk[32], *sk;
	if (node_identity_load(d[0], pk, &sk) != 0)
		die(d[0], "no identity");
	uint8_t *wire;
	size_t len;
	if (node_roster_build_genesis_schema(ms, 2, pk, sk, sv, &wire, &len))
		die("genesis", "cannot build");
	char roster[NODE_PATH_MAX];
	node_path(roster, dir, "roster");
	FILE *f = fopen(roster, "wb");
	if (!f || fwrite(wire, 1, len, f) != len || fclose(f) != 0)
		die(roster, strerror(errno));
	for (int i = 0; i < 2; i++)
		if (node_network_join(d[i], roster, false, msg, sizeof(msg)))
			die("join", msg);
	for (int i = 0; i < 2; i++)
		node_member_fini(&ms[i]);
	free(wire);
	sodium_free(sk);
	printf("schema_version %llu\n", (unsigned long long)sv);
	return 0;
}

/* ---- resident ID numbers (GB 11643) with their check character ---- */

static void id_number(char out[19], uint64_t i)
{
	static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6,
				  3, 7, 9, 10, 5, 8, 4, 2};
	snprintf(out, 19, "%s19%02llu%02llu%02llu%03llu", SCOPE,
		 (unsigned long long)(50 + i % 50),
		 (unsigned long long)(1 + i / 50 % 12),
		 (unsigned long long)(1 + i / 600 % 28),
		 (unsigned long long)(i % 1000));
	int s = 0;
	for (int k = 0; k < 17; k++)
		s += (out[k] - '0') * w[k];
	out[17] = "10X98765432"[s % 11];
	out[18] = 0;
}

/* ---- local writes through the API ---- */

static void field(struct node_doc *fields, const char *name, const char *v)
{
	struct node_doc *a = node_doc_array();
	node_doc_push(a, node_doc_str(name));
	node_doc_push(a, node_doc_str(v));
	node_doc_push(fields, a);
}

/* `ward add patient` as the CLI sends it, encoded as [1, doc]. */
static void add_request(struct crdt_buf *b, uint64_t i)
{
	char name[64], idn[19], phone[32], addr[96], birth[16];
	snprintf(name, sizeof(name), "患者%llu", (unsigned long long)i);
	id_number(idn, i);
	snprintf(phone, sizeof(phone), "138%08llu",
		 (unsigned long long)(i % 100000000));
	snprintf(addr, sizeof(addr), "某市某区某街道%llu号",
		 (unsigned long long)(i % 1000));
	snprintf(birth, sizeof(birth), "19%.2s-%.2s-%.2s", idn + 8, idn + 10,
		 idn + 12);
	struct node_doc *req = node_doc_object();
	node_doc_set(req, "cmd", node_doc_str("add"));
	node_doc_set(req, "type", node_doc_str("patient"));
	node_doc_set(req, "scope", node_doc_str(SCOPE));
	struct node_doc *f = node_doc_array();
	field(f, "name", name);
	field(f, "id_number", idn);
	field(f, "phone", phone);
	field(f, "address", addr);
	field(f, "sex", i & 1 ? "male" : "female");
	field(f, "birth_date", birth);
	field(f, "household", i & 2 ? "urban" : "rural");
	node_doc_set(req, "fields", f);
	crdt_buf_init(b);
	crdt_pack_array(b, 2);
	crdt_pack_uint(b, 1);
	node_doc_encode(req, b);
	node_doc_free(req);
}

static void serve_add(struct node_ctx *n, uint64_t i)
{
	struct crdt_buf b;
	add_request(&b, i);
	struct node_doc *resp = node_serve(n, b.data, b.len);
	crdt_buf_fini(&b);
	const struct node_doc *ok = node_doc_get(resp, "ok");
	if (!ok || !node_doc_as_bool(ok)) {
		const char *e = node_doc_get_str(resp, "error");
		die("add", e ? e : "failed");
	}
	node_doc_free(resp);
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Prints key_med and key_p90 of v[0..n) in microseconds. */
static void stats(const char *key, double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_d);
	double med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	size_t k = (size_t)((double)n * 0.9);
	printf("%s_med_us %.1f\n", key, med * 1e6);
	printf("%s_p90_us %.1f\n", key, v[k < n ? k : n - 1] * 1e6);
}

static int mode_write(const char *sdir, const char *udir, size_t count)
{
	char p[NODE_PATH_MAX];
	node_path(p, sdir, "src");
	struct node_ctx *ns = open_node(p);
	node_path(p, udir, "src");
	struct node_ctx *nu = open_node(p);
	struct node_ctx *n[2] = {ns, nu};
	const char *tag[2] = {"sealed", "plain"};
	double *wall[2][2], *cpu[2];
	for (int k = 0; k < 2; k++) {
		for (int s = 0; s < 2; s++)
			wall[k][s] = calloc(count, sizeof(double));
		cpu[k] = calloc(count, sizeof(double));
	}
	/* One untimed write each: the sealed network's first entry makes
	 * its group's key (a one-off, as on a real node). */
	serve_add(ns, 1000000);
	serve_add(nu, 1000000);
	uint64_t id = 0;
	for (int synced = 1; synced >= 0; synced--) {
		set_sync(ns, synced);
		set_sync(nu, synced);
		for (size_t i = 0; i < count; i++) {
			for (int k = 0; k < 2; k++) {
				int who = (int)((i + (size_t)k) % 2);
				double c0 = cpu_s(), t0 = now_s();
				serve_add(n[who], id++);
				double t1 = now_s(), c1 = cpu_s();
				wall[who][synced][i] = t1 - t0;
				if (!synced)
					cpu[who][i] = c1 - c0;
			}
		}
	}
	for (int k = 0; k < 2; k++) {
		char key[64];
		snprintf(key, sizeof(key), "%s_sync", tag[k]);
		stats(key, wall[k][1], count);
		snprintf(key, sizeof(key), "%s_nosync", tag[k]);
		stats(key, wall[k][0], count);
		snprintf(key, sizeof(key), "%s_cpu", tag[k]);
		stats(key, cpu[k], count);
		free(wall[k][0]);
		free(wall[k][1]);
		free(cpu[k]);
	}
	set_sync(ns, true);
	set_sync(nu, true);
	node_ctx_close(ns);
	node_ctx_close(nu);
	return 0;
}

/* ---- ingest: ten-op registrations ---- */

static const char *const reg_fields[9] = {
    "name",	 "id_number", "phone",	       "address", "sex",
    "birth_date", "household", "registered_on", "status",
};

/* Writes count registrations as node n (sealed where its roster seals),
 * unsynced: the stream a peer would send. Returns the seconds spent
 * sealing (node_keyring_seal). */
static double write_registrations(struct node_ctx *n, size_t count)
{
	double seal = 0;
	set_sync(n, false);
	for (size_t i = 0; i < count; i++) {
		char text[9][96];
		snprintf(text[0], 96, "患者%zu", i);
		id_number(text[1], i);
		snprintf(text[2], 96, "138%08zu", i % 100000000);
		snprintf(text[3], 96, "某市某区某街道%zu号", i % 1000);
		snprintf(text[4], 96, "%s", i & 1 ? "male" : "female");
		snprintf(text[5], 96, "19%.2s-%.2s-%.2s", text[1] + 8,
			 text[1] + 10, text[1] + 12);
		snprintf(text[6], 96, "%s", i & 2 ? "urban" : "rural");
		snprintf(text[7], 96, "2024-0%zu-1%zu", i % 9 + 1, i % 9);
		snprintf(text[8], 96, "registered");
		uint64_t seq;
		node_ledger_next_seq(n->ledger, n->pk, SCOPE, &seq);
		struct crdt_op ops[10];
		memset(ops, 0, sizeof(ops));
		crdt_entity_id(ops[0].entity, n->pk, SCOPE, seq, 0);
		ops[0].code = CRDT_OP_CREATE;
		ops[0].name = "patient";
		ops[0].name_len = 7;
		for (int k = 0; k < 9; k++) {
			struct crdt_op *op = &ops[k + 1];
			op->code = CRDT_OP_SET;
			memcpy(op->entity, ops[0].entity, 16);
			op->name = reg_fields[k];
			op->name_len = strlen(reg_fields[k]);
			op->value.kind = CRDT_VALUE_STR;
			op->value.p = (const uint8_t *)text[k];
			op->value.len = strlen(text[k]);
		}
		struct node_sealed_ops so;
		struct node_reason why;
		char msg[512];
		double t0 = now_s();
		int rc = node_keyring_seal(n, SCOPE, seq, ops, 10, &so, &why);
		seal += now_s() - t0;
		if (rc == 0) {
			struct node_write w = {
			    .scope = SCOPE, .n_ops = so.n, .ops = so.ops};
			rc = node_ledger_write(n->ledger, n->sk, n->pk, &w,
					       wall_ms(), &seq, &why);
			node_sealed_ops_fini(&so);
		}
		if (rc) {
			node_schema_reason_text(&why, NODE_LANG_EN, msg,
						sizeof(msg));
			die("registration", msg);
		}
	}
	set_sync(n, true);
	return seal;
}

/* The whole feed (n's key, SCOPE) as wire entries. */
struct stream {
	struct crdt_buf buf;
	struct node_wire *e;
	size_t n;
};

static void read_feed(struct node_ctx *n, struct stream *s)
{
	crdt_buf_init(&s->buf);
	uint64_t head = node_ledger_feed_seq(n->ledger, n->pk, SCOPE);
	s->e = calloc(head, sizeof(*s->e));
	s->n = 0;
	for (uint64_t from = 1; from <= head;) {
		int k = node_ledger_read_range(n->ledger, n->pk, SCOPE, from,
					       INGEST_TXN, SIZE_MAX, &s->buf);
		if (k <= 0)
			die("read_range", "failed");
		from += (uint64_t)k;
	}
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, s->buf.data, s->buf.len, false);
	while (crdt_mp_left(&c) > 0) {
		const uint8_t *p = c.p;
		if (crdt_mp_skip(&c) != 0)
			die("stream", "bad wire");
		s->e[s->n++] = (struct node_wire){p, (size_t)(c.p - p)};
	}
	if (s->n != head)
		die("stream", "count");
}

static int mode_ingest(const char *sdir, const char *udir, size_t total)
{
	const char *dirs[2] = {sdir, udir};
	const char *tag[2] = {"sealed", "plain"};
	struct node_ctx *dst[2];
	struct stream st[2];
	for (int k = 0; k < 2; k++) {
		char p[NODE_PATH_MAX];
		node_path(p, dirs[k], "src");
		struct node_ctx *src = open_node(p);
		double seal = write_registrations(src, total);
		printf("%s_seal_us %.1f\n", tag[k], 1e6 * seal / (double)total);
		read_feed(src, &st[k]);
		node_ctx_close(src);
		node_path(p, dirs[k], "dst");
		dst[k] = open_node(p);
	}
	double busy[2] = {0, 0};
	int *res = calloc(INGEST_TXN, sizeof(int));
	enum node_msg *why = calloc(INGEST_TXN, sizeof(*why));
	/* Alternating batches: both streams see the same machine. */
	size_t done[2] = {0, 0};
	for (size_t round = 0; done[0] < st[0].n || done[1] < st[1].n;
	     round++) {
		for (int j = 0; j < 2; j++) {
			int k = (int)((round + (size_t)j) % 2);
			size_t left = st[k].n - done[k];
			size_t cnt = left < INGEST_TXN ? left : INGEST_TXN;
			if (!cnt)
				continue;
			double t0 = now_s();
			if (node_verify_ingest_many(dst[k]->ledger,
						    st[k].e + done[k], cnt,
						    INGEST_TXN, true, res,
						    why) != 0)
				die("ingest", "commit failed");
			busy[k] += now_s() - t0;
			for (size_t i = 0; i < cnt; i++)
				if (res[i] != 0) {
					fprintf(stderr,
						"sealed_bench: %s entry %zu: "
						"%d %s\n",
						tag[k], done[k] + i, res[i],
						node_catalog_text(
						    NODE_LANG_EN, why[i]));
					exit(1);
				}
			done[k] += cnt;
		}
	}
	for (int k = 0; k < 2; k++) {
		printf("%s_entries %zu\n", tag[k], st[k].n);
		printf("%s_entry_bytes %.0f\n", tag[k],
		       (double)st[k].buf.len / (double)st[k].n);
		printf("%s_ingest_per_s %.0f\n", tag[k],
		       (double)st[k].n / busy[k]);
		printf("%s_held %llu\n", tag[k],
		       (unsigned long long)node_ledger_entry_count(
			   dst[k]->ledger));
		crdt_buf_fini(&st[k].buf);
		free(st[k].e);
		node_ctx_close(dst[k]);
	}
	free(res);
	free(why);
	return 0;
}

/* ---- fsync latency ---- */

static int mode_fsync(const char *dir, size_t count)
{
	char p[NODE_PATH_MAX];
	node_path(p, dir, "fsync-probe");
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die(p, strerror(errno));
	char block[4096];
	memset(block, 'w', sizeof(block));
	double *v = calloc(count, sizeof(double));
	for (size_t i = 0; i < count; i++) {
		double t0 = now_s();
		if (write(fd, block, sizeof(block)) != (ssize_t)sizeof(block) ||
		    fdatasync(fd) != 0)
			die(p, strerror(errno));
		v[i] = now_s() - t0;
	}
	close(fd);
	unlink(p);
	stats("fsync", v, count);
	free(v);
	return 0;
}

int main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 4 && !strcmp(argv[1], "setup"))
		return mode_setup(argv[2], strtoull(argv[3], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "write"))
		return mode_write(argv[2], argv[3],
				  (size_t)strtoull(argv[4], NULL, 10));
	if (argc == 5 && !strcmp(argv[1], "ingest"))
		return mode_ingest(argv[2], argv[3],
				   (size_t)strtoull(argv[4], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "fsync"))
		return mode_fsync(argv[2], (size_t)strtoull(argv[3], NULL, 10));
	fprintf(stderr, "usage: sealed_bench setup DIR SV | write S U COUNT | "
			"ingest S U N | fsync DIR COUNT\n");
	return 2;
}
