/*
 * audit.c: `ward audit verify`. Checks every stored entry (signature,
 * chain, seq, hlc, roster version, entity ids) with signature checks spread
 * over two threads, then recomputes the whole state from the log alone in a
 * scratch store and compares it key by key, and the digest, with the
 * stored state. Ops stored without effect are listed as findings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "node/api/api.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/verify.h"

#define AUDIT_BATCH 4096

struct item {
	uint8_t *key;
	size_t key_len;
	uint8_t *wire;
	size_t len;
};

static void rm_rf(const char *path)
{
	char cmd[NODE_PATH_MAX + 16];
	/* The scratch store is ours alone, under the data directory. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "audit.cleanup failed path=%s\n", path);
}

struct feed_state {
	uint8_t feed[64];
	size_t feed_len;
	uint64_t seq;
	uint8_t hash[32];
	uint64_t hlc;
	uint64_t rv;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Compares state families between the stored and recomputed stores. */
static size_t compare_state(struct node_kv *a, struct node_kv *b,
			    struct node_doc *failures)
{
	static const char fams[] = "HECWTOFIXx";
	size_t diffs = 0;
	for (const char *f = fams; *f; f++) {
		uint8_t p = (uint8_t)*f;
		struct node_kv_iter *x = node_kv_iter_new(a, &p, 1);
		struct node_kv_iter *y = node_kv_iter_new(b, &p, 1);
		while (node_kv_iter_valid(x) || node_kv_iter_valid(y)) {
			size_t xl = 0, yl = 0, xvl = 0, yvl = 0;
			const uint8_t *xk = node_kv_iter_valid(x)
						    ? node_kv_iter_key(x, &xl)
						    : NULL;
			const uint8_t *yk = node_kv_iter_valid(y)
						    ? node_kv_iter_key(y, &yl)
						    : NULL;
			int c;
			if (!xk)
				c = 1;
			else if (!yk)
				c = -1;
			else {
				size_t m = xl < yl ? xl : yl;
				c = memcmp(xk, yk, m);
				if (!c)
					c = xl < yl ? -1 : xl > yl;
			}
			if (c == 0) {
				const uint8_t *xv = node_kv_iter_value(x, &xvl);
				const uint8_t *yv = node_kv_iter_value(y, &yvl);
				if (xvl != yvl || memcmp(xv, yv, xvl) != 0)
					diffs++;
				node_kv_iter_next(x);
				node_kv_iter_next(y);
			} else if (c < 0) {
				diffs++;
				node_kv_iter_next(x);
			} else {
				diffs++;
				node_kv_iter_next(y);
			}
		}
		node_kv_iter_free(x);
		node_kv_iter_free(y);
	}
	if (diffs)
		node_doc_push(failures,
			      node_doc_strf("stored state differs from the state "
					    "recomputed from the log in %zu keys",
					    diffs));
	return diffs;
}

/* Reads up to AUDIT_BATCH log entries from it into items (owned copies). */
static size_t read_batch(struct node_kv_iter *it, struct item *items)
{
	size_t cnt = 0;
	for (; cnt < AUDIT_BATCH && node_kv_iter_valid(it);
	     node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		items[cnt].key = malloc(kl);
		items[cnt].wire = malloc(vl ? vl : 1);
		if (!items[cnt].key || !items[cnt].wire)
			abort();
		memcpy(items[cnt].key, k, kl);
		memcpy(items[cnt].wire, v, vl);
		items[cnt].key_len = kl;
		items[cnt].len = vl;
		cnt++;
	}
	return cnt;
}

static void free_batch(struct item *items, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++) {
		free(items[i].key);
		free(items[i].wire);
	}
}

/* Log keys of entries that failed the integrity pass (few, normally none). */
struct bad_keys {
	size_t n, cap;
	struct item *k; /* key only */
};

static void bad_add(struct bad_keys *b, const uint8_t *key, size_t len)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->k = realloc(b->k, b->cap * sizeof(*b->k));
		if (!b->k)
			abort();
	}
	b->k[b->n].key = malloc(len);
	if (!b->k[b->n].key)
		abort();
	memcpy(b->k[b->n].key, key, len);
	b->k[b->n].key_len = len;
	b->n++;
}

/* Both passes walk the log in key order, so the bad keys come sorted and
 * one cursor (*pos) finds them. */
static bool bad_has(const struct bad_keys *b, size_t *pos, const uint8_t *key,
		    size_t len)
{
	if (*pos < b->n && b->k[*pos].key_len == len &&
	    !memcmp(b->k[*pos].key, key, len)) {
		(*pos)++;
		return true;
	}
	return false;
}

static void progress(struct node_ctx *n, const char *what, size_t done,
		     double t0, double *last)
{
	double now = now_s();
	if (!n->progress || now - *last < 0.5)
		return;
	fprintf(stderr, "\raudit: %s %zu entries (%.0f/s)   ", what, done,
		(double)done / (now - t0));
	*last = now;
}

/* Chain checks of one verified batch, from the headers the verifying
 * threads decoded. */
static void check_chain(struct item *items, const bool *sig_ok,
			const struct node_entry_head *heads, size_t cnt,
			struct feed_state *fs, size_t *feeds,
			struct node_doc *failures, struct bad_keys *bad)
{
	static const uint8_t zero[32];
	for (size_t i = 0; i < cnt; i++) {
		struct item *x = &items[i];
		const struct node_entry_head *e = &heads[i];
		/* key: 'L' author(32) slen scope seq(8) */
		size_t feed_len = x->key_len - 9;
		uint64_t kseq = get_u64(x->key + x->key_len - 8);
		const char *scope = (const char *)x->key + 34;
		size_t slen = x->key[33] < 12 ? x->key[33] : 12;
		if (fs->feed_len != feed_len ||
		    memcmp(fs->feed, x->key + 1, feed_len)) {
			memset(fs, 0, sizeof(*fs));
			memcpy(fs->feed, x->key + 1, feed_len);
			fs->feed_len = feed_len;
			(*feeds)++;
		}
		const char *reason = NULL;
		if (!e->decoded)
			reason = e->why ? e->why : "malformed entry";
		else if (!sig_ok[i])
			reason = "bad signature";
		else if (memcmp(e->author, x->key + 1, 32) ||
			 strlen(e->scope) != slen ||
			 memcmp(e->scope, scope, slen) || e->seq != kseq)
			reason = "entry stored under another feed or seq";
		else if (e->seq != fs->seq + 1)
			reason = "seq gap";
		else if (memcmp(e->prev, fs->seq ? fs->hash : zero, 32))
			reason = "prev does not match the previous entry";
		else if (fs->seq && e->hlc <= fs->hlc)
			reason = "hlc not increasing";
		else if (e->roster_version < fs->rv)
			reason = "roster version decreasing";
		if (reason) {
			char hex[65];
			node_hex(hex, x->key + 1, 32);
			node_doc_push(failures,
				      node_doc_strf("feed %s/%.*s seq %llu: %s",
						    hex, (int)slen, scope,
						    (unsigned long long)kseq,
						    reason));
			bad_add(bad, x->key, x->key_len);
		}
		/* Chain on from what is stored, so that one bad entry is
		 * reported once, not for every later one. */
		fs->seq = kseq;
		if (e->decoded) {
			memcpy(fs->hash, e->hash, 32);
			fs->hlc = e->hlc;
			fs->rv = e->roster_version;
		} else {
			memset(fs->hash, 0, 32);
		}
	}
}

/* Pass 1: every signature and every chain link. Two threads check the
 * signatures of one batch while this one reads the next and walks the
 * chains of the previous, so the serial work hides behind verification. */
static size_t check_integrity(struct node_ctx *n, const uint8_t *net_id,
			      struct node_doc *failures, struct bad_keys *bad,
			      size_t *feeds)
{
	struct key lp;
	key_init(&lp, 'L');
	struct node_kv_iter *it = node_kv_iter_new(n->kv, lp.b, lp.len);
	struct item *items[2];
	bool *ok[2];
	struct node_entry_head *heads[2];
	struct node_wire *w = calloc(AUDIT_BATCH, sizeof(*w));
	for (int b = 0; b < 2; b++) {
		items[b] = calloc(AUDIT_BATCH, sizeof(*items[b]));
		ok[b] = calloc(AUDIT_BATCH, sizeof(*ok[b]));
		heads[b] = calloc(AUDIT_BATCH, sizeof(*heads[b]));
		if (!items[b] || !ok[b] || !heads[b])
			abort();
	}
	if (!w)
		abort();
	struct feed_state fs = {0};
	size_t entries = 0, prev_cnt = 0;
	int cur = 0;
	double t0 = now_s(), last = t0;
	size_t cnt = read_batch(it, items[cur]);
	while (cnt > 0 || prev_cnt > 0) {
		for (size_t i = 0; i < cnt; i++)
			w[i] = (struct node_wire){items[cur][i].wire,
						  items[cur][i].len};
		struct node_verify_job *job =
			cnt ? node_verify_start(net_id, w, cnt, ok[cur], heads[cur])
			    : NULL;
		int prev = 1 - cur;
		check_chain(items[prev], ok[prev], heads[prev], prev_cnt, &fs,
			    feeds, failures, bad);
		free_batch(items[prev], prev_cnt);
		entries += prev_cnt;
		size_t next = cnt == AUDIT_BATCH ? read_batch(it, items[prev]) : 0;
		if (job)
			node_verify_wait(job);
		prev_cnt = cnt;
		cnt = next;
		cur = prev;
		progress(n, "checked", entries, t0, &last);
	}
	node_kv_iter_free(it);
	for (int b = 0; b < 2; b++) {
		free(items[b]);
		free(ok[b]);
		free(heads[b]);
	}
	free(w);
	return entries;
}

/* Pass 2: the whole state again, from the log alone, in a scratch store. */
static void recompute(struct node_ctx *n, struct node_ledger *l2,
		      const struct bad_keys *bad, struct node_doc *failures)
{
	struct key lp;
	key_init(&lp, 'L');
	struct node_kv_iter *it = node_kv_iter_new(n->kv, lp.b, lp.len);
	struct item *items = calloc(AUDIT_BATCH, sizeof(*items));
	size_t done = 0, cnt, bad_pos = 0;
	double t0 = now_s(), last = t0;
	if (!items)
		abort();
	do {
		cnt = read_batch(it, items);
		struct node_txn *t = node_ledger_begin(l2);
		for (size_t i = 0; i < cnt; i++) {
			if (bad_has(bad, &bad_pos, items[i].key, items[i].key_len))
				continue;
			enum node_ingest res;
			const char *why = NULL;
			/* Signatures were checked in pass 1. */
			int rc = node_txn_ingest(t, items[i].wire, items[i].len,
						 true, &res, &why);
			if (rc && rc != -EAGAIN)
				node_doc_push(failures,
					      node_doc_strf("recompute: entry %zu: %s",
							    done + i + 1, why));
		}
		node_txn_commit(t, false);
		free_batch(items, cnt);
		done += cnt;
		progress(n, "recomputed", done, t0, &last);
	} while (cnt == AUDIT_BATCH);
	node_kv_iter_free(it);
	free(items);
}

struct node_doc *node_audit_verify(struct node_ctx *n, int *exit, char *msg,
				   size_t msg_len)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (!r) {
		*exit = NODE_EXIT_NOT_INIT;
		snprintf(msg, msg_len,
			 NT(n, "this node has not joined a network",
			    "本节点尚未加入网络：请先运行 ward network join "
			    "ROSTER"));
		return NULL;
	}
	char scratch[NODE_PATH_MAX];
	node_path(scratch, n->dir, "audit-scratch");
	rm_rf(scratch);
	struct node_kv *kv2;
	char err[256];
	if (node_kv_open_rocks(scratch, true, &kv2, err, sizeof(err)) != 0) {
		*exit = NODE_EXIT_IO;
		snprintf(msg, msg_len,
			 NT(n, "cannot open a scratch store: %s",
			    "无法打开审计用的临时数据库：%s"),
			 err);
		return NULL;
	}
	struct node_ledger *l2;
	const char *why;
	node_ledger_open(kv2, &l2);
	node_ledger_set_roster(l2, r->wire, r->wire_len, &why);

	struct node_doc *failures = node_doc_array();
	struct bad_keys bad = {0};
	size_t feeds = 0;
	double t0 = now_s();
	size_t entries = check_integrity(n, r->body_hash, failures, &bad, &feeds);
	double t1 = now_s();
	recompute(n, l2, &bad, failures);
	double t2 = now_s();
	if (n->progress && t2 - t0 > 0.5)
		fprintf(stderr, "\n");
	for (size_t i = 0; i < bad.n; i++)
		free(bad.k[i].key);
	free(bad.k);

	uint8_t stored[32], recomputed[32];
	node_ledger_digest(n->ledger, stored);
	node_ledger_digest(l2, recomputed);
	if (memcmp(stored, recomputed, 32) != 0)
		node_doc_push(failures,
			      node_doc_str("stored digest differs from the digest "
					   "recomputed from the log"));
	compare_state(n->kv, kv2, failures);
	struct node_doc *findings = node_doc_array();
	struct key fp;
	key_init(&fp, 'F');
	struct node_kv_iter *it = node_kv_iter_new(kv2, fp.b, fp.len);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		char hex[65], scope[13] = {0};
		node_hex(hex, k + 1, 32);
		size_t sl = k[33] < 12 ? k[33] : 12;
		memcpy(scope, k + 34, sl);
		struct node_doc *f = node_doc_object();
		node_doc_set(f, "author", node_doc_str(hex));
		node_doc_set(f, "scope", node_doc_str(scope));
		node_doc_set(f, "seq", node_doc_int((int64_t)get_u64(k + 34 + k[33])));
		node_doc_set(f, "index", node_doc_int(get_u32(k + 42 + k[33])));
		node_doc_set(f, "why", node_doc_strn((const char *)v, vl));
		node_doc_push(findings, f);
	}
	node_kv_iter_free(it);
	node_ledger_close(l2);
	node_kv_close(kv2);
	rm_rf(scratch);

	double secs = now_s() - t0;
	char hex[65];
	node_hex(hex, stored, 32);
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "entries", node_doc_int((int64_t)entries));
	node_doc_set(d, "feeds", node_doc_int((int64_t)feeds));
	node_doc_set(d, "findings", findings);
	node_doc_set(d, "digest", node_doc_str(hex));
	node_doc_set(d, "failures", failures);
	node_doc_set(d, "seconds", node_doc_strf("%.3f", secs));
	node_doc_set(d, "integrity_seconds", node_doc_strf("%.3f", t1 - t0));
	node_doc_set(d, "recompute_seconds", node_doc_strf("%.3f", t2 - t1));
	node_doc_set(d, "ok", node_doc_bool(node_doc_len(failures) == 0));
	if (node_doc_len(failures) > 0)
		*exit = NODE_EXIT_CHECK;
	return d;
}
