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

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/keyring.h"
#include "node/api/node_int.h"
#include "node/ledger/reject.h"
#include "node/ledger/verify.h"

#define AUDIT_BATCH 4096

struct item {
	struct node_log_pos pos;
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
	uint8_t author[32];
	char scope[13];
	bool started;
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

/* Reads up to AUDIT_BATCH log entries from it into items (owned copies). */
static size_t read_batch(struct node_ledger_log *log, struct item *items)
{
	size_t cnt = 0;
	const uint8_t *v;
	size_t vl;
	while (cnt < AUDIT_BATCH &&
	       node_ledger_log_next(log, &items[cnt].pos, &v, &vl) == 1) {
		items[cnt].wire = crdt_xmalloc(vl ? vl : 1);
		memcpy(items[cnt].wire, v, vl);
		items[cnt].len = vl;
		cnt++;
	}
	return cnt;
}

static void free_batch(struct item *items, size_t cnt)
{
	for (size_t i = 0; i < cnt; i++)
		free(items[i].wire);
}

/* Log positions of entries that failed the integrity pass (few,
 * normally none). */
struct bad_keys {
	size_t n, cap;
	struct node_log_pos *k;
};

static void bad_add(struct bad_keys *b, const struct node_log_pos *pos)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->k = crdt_xrealloc(b->k, b->cap * sizeof(*b->k));
	}
	b->k[b->n++] = *pos;
}

/* Both passes walk the log in its order, so the bad positions come sorted
 * and one cursor (*pos) finds them. */
static bool bad_has(const struct bad_keys *b, size_t *pos,
		    const struct node_log_pos *at)
{
	if (*pos < b->n && node_log_pos_cmp(&b->k[*pos], at) == 0) {
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
static void check_chain(struct node_ctx *n, struct item *items,
			const bool *sig_ok,
			const struct node_entry_head *heads, size_t cnt,
			struct feed_state *fs, size_t *feeds,
			struct node_doc *failures, struct bad_keys *bad)
{
	static const uint8_t zero[32];
	for (size_t i = 0; i < cnt; i++) {
		struct item *x = &items[i];
		const struct node_entry_head *e = &heads[i];
		uint64_t kseq = x->pos.seq;
		const char *scope = x->pos.scope;
		size_t slen = strlen(scope);
		if (!fs->started || memcmp(fs->author, x->pos.author, 32) ||
		    strcmp(fs->scope, scope)) {
			memset(fs, 0, sizeof(*fs));
			memcpy(fs->author, x->pos.author, 32);
			memcpy(fs->scope, scope, slen + 1);
			fs->started = true;
			(*feeds)++;
		}
		char malformed[256];
		const char *reason = NULL;
		if (!e->decoded) {
			snprintf(malformed, sizeof(malformed),
				 MSG(n, MSG_AUDIT_MALFORMED),
				 node_catalog_text(
				     n->lang_zh ? NODE_LANG_ZH : NODE_LANG_EN,
				     node_reject_msg(e->why)));
			reason = malformed;
		} else if (!sig_ok[i]) {
			reason = MSG(n, MSG_AUDIT_BAD_SIGNATURE);
		} else if (memcmp(e->author, x->pos.author, 32) ||
			   strlen(e->scope) != slen ||
			   memcmp(e->scope, scope, slen) || e->seq != kseq) {
			reason = MSG(n, MSG_AUDIT_WRONG_PLACE);
		} else if (e->seq != fs->seq + 1) {
			reason = MSG(n, MSG_AUDIT_SEQ_GAP);
		} else if (memcmp(e->prev, fs->seq ? fs->hash : zero, 32)) {
			reason = MSG(n, MSG_AUDIT_PREV);
		} else if (fs->seq && e->hlc <= fs->hlc) {
			reason = MSG(n, MSG_AUDIT_HLC);
		} else if (e->roster_version < fs->rv) {
			reason = MSG(n, MSG_AUDIT_ROSTER_DECREASING);
		}
		if (reason) {
			char hex[65];
			node_hex(hex, x->pos.author, 32);
			node_doc_push(failures,
				      node_doc_strf(MSG(n, MSG_AUDIT_FEED_FAILURE),
						    hex, scope,
						    (unsigned long long)kseq,
						    reason));
			bad_add(bad, &x->pos);
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
	struct node_ledger_log *it = node_ledger_log_open(n->ledger);
	struct item *items[2];
	bool *ok[2];
	struct node_entry_head *heads[2];
	struct node_wire *w = crdt_xcalloc(AUDIT_BATCH, sizeof(*w));
	for (int b = 0; b < 2; b++) {
		items[b] = crdt_xcalloc(AUDIT_BATCH, sizeof(*items[b]));
		ok[b] = crdt_xcalloc(AUDIT_BATCH, sizeof(*ok[b]));
		heads[b] = crdt_xcalloc(AUDIT_BATCH, sizeof(*heads[b]));
	}
	if (!it)
		crdt_oom();
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
		check_chain(n, items[prev], ok[prev], heads[prev], prev_cnt, &fs,
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
	node_ledger_log_close(it);
	for (int b = 0; b < 2; b++) {
		free(items[b]);
		free(ok[b]);
		free(heads[b]);
	}
	free(w);
	return entries;
}

struct findings_scan {
	struct node_ctx *n;
	struct node_doc *out;
};

static int finding_doc(void *ctx, const struct node_ledger_finding *x)
{
	struct findings_scan *fs = ctx;
	char hex[65], text[512];
	node_hex(hex, x->author, 32);
	struct node_doc *f = node_doc_object();
	node_doc_set(f, "author", node_doc_str(hex));
	node_doc_set(f, "scope", node_doc_str(x->scope));
	node_doc_set(f, "seq", node_doc_int((int64_t)x->seq));
	node_doc_set(f, "index", node_doc_int(x->index));
	node_doc_set(f, "why",
		     node_doc_str(node_api_reason(fs->n, &x->reason, text,
						  sizeof(text))));
	node_doc_set(f, "code", node_doc_str(node_catalog_name(x->reason.id)));
	node_doc_push(fs->out, f);
	return 0;
}

/* A sealed value this node may read that fails to open or to check, or a
 * bad envelope for it: a finding like the ledger's. */
static void sealed_finding(void *ctx, const struct crdt_dot *dot,
			   const char *scope, const struct node_reason *why)
{
	struct findings_scan *fs = ctx;
	char hex[65], text[512];
	struct node_doc *f = node_doc_object();
	if (dot)
		node_hex(hex, dot->author, 32);
	node_doc_set(f, "author", dot ? node_doc_str(hex) : node_doc_null());
	node_doc_set(f, "scope", node_doc_str(scope));
	node_doc_set(f, "seq", node_doc_int(dot ? (int64_t)dot->seq : 0));
	node_doc_set(f, "index", node_doc_int(dot ? dot->index : 0));
	node_doc_set(f, "why",
		     node_doc_str(node_api_reason(fs->n, why, text,
						  sizeof(text))));
	node_doc_set(f, "code", node_doc_str(node_catalog_name(why->id)));
	node_doc_push(fs->out, f);
}

/* Pass 2: the whole state again, from the log alone, in a scratch store. */
static void recompute(struct node_ctx *n, struct node_ledger *l2,
		      const struct bad_keys *bad, struct node_doc *failures)
{
	struct node_ledger_log *it = node_ledger_log_open(n->ledger);
	struct item *items = crdt_xcalloc(AUDIT_BATCH, sizeof(*items));
	size_t done = 0, cnt, bad_pos = 0;
	double t0 = now_s(), last = t0;
	if (!it)
		crdt_oom();
	do {
		cnt = read_batch(it, items);
		struct node_txn *t = node_ledger_begin(l2);
		for (size_t i = 0; i < cnt; i++) {
			if (bad_has(bad, &bad_pos, &items[i].pos))
				continue;
			enum node_ingest res;
			enum node_msg why = MSG_NONE;
			/* Signatures were checked in pass 1. */
			int rc = node_txn_ingest(t, items[i].wire, items[i].len,
						 true, &res, &why);
			if (rc && rc != -EAGAIN)
				node_doc_push(
				    failures,
				    node_doc_strf(MSG(n, MSG_AUDIT_RECOMPUTE),
						  done + i + 1,
						  node_catalog_text(
						      n->lang_zh ? NODE_LANG_ZH
								 : NODE_LANG_EN,
						      why)));
		}
		node_txn_commit(t, false);
		free_batch(items, cnt);
		done += cnt;
		progress(n, "recomputed", done, t0, &last);
	} while (cnt == AUDIT_BATCH);
	node_ledger_log_close(it);
	free(items);
}

int node_audit_verify(struct node_ctx *n, struct node_doc **out,
		      struct node_reason *why)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (!r) {
		NODE_REASON0(why, MSG_NODE_HAS_NOT_JOINED_NETWORK_2);
		return -ENOTCONN;
	}
	char scratch[NODE_PATH_MAX];
	node_path(scratch, n->dir, "audit-scratch");
	rm_rf(scratch);
	struct node_kv *kv2;
	char err[256];
	if (node_kv_open_rocks(scratch, true, &kv2, err, sizeof(err)) != 0) {
		NODE_REASON_LONG(why, MSG_CANNOT_OPEN_SCRATCH_STORE, err);
		return -EIO;
	}
	struct node_ledger *l2;
	struct node_reason lwhy;
	node_ledger_open(kv2, &l2);
	struct crdt_buf chain;
	crdt_buf_init(&chain);
	node_ledger_roster_chain(n->ledger, 0, &chain);
	node_ledger_set_roster(l2, chain.data, chain.len, &lwhy);
	crdt_buf_fini(&chain);
	uint8_t net_id[32];
	node_ledger_net_id(n->ledger, net_id);

	struct node_doc *failures = node_doc_array();
	struct bad_keys bad = {0};
	size_t feeds = 0;
	double t0 = now_s();
	size_t entries = check_integrity(n, net_id, failures, &bad, &feeds);
	double t1 = now_s();
	recompute(n, l2, &bad, failures);
	double t2 = now_s();
	if (n->progress && t2 - t0 > 0.5)
		fprintf(stderr, "\n");
	free(bad.k);

	uint8_t stored[32], recomputed[32];
	node_ledger_digest(n->ledger, stored);
	node_ledger_digest(l2, recomputed);
	if (memcmp(stored, recomputed, 32) != 0)
		node_doc_push(failures,
			      node_doc_str(MSG(n, MSG_AUDIT_DIGEST_DIFFERS)));
	size_t diffs = node_ledger_state_diff(n->ledger, l2);
	if (diffs)
		node_doc_push(failures,
			      node_doc_strf(MSG(n, MSG_AUDIT_STATE_DIFFERS),
					    diffs));
	struct node_doc *findings = node_doc_array();
	struct findings_scan fsc = {.n = n, .out = findings};
	node_ledger_each_finding(l2, finding_doc, &fsc);
	/* Sealed values: opened and checked where this node may read them
	 * (DESIGN.md section 8); the rest are counted, never an error. */
	struct node_seal_counts sc;
	node_keyring_audit(n, sealed_finding, &fsc, &sc);
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
	struct node_doc *sd = node_doc_object();
	node_doc_set(sd, "opened", node_doc_int((int64_t)sc.opened));
	node_doc_set(sd, "not_readable_here", node_doc_int((int64_t)sc.sealed));
	node_doc_set(sd, "unreadable", node_doc_int((int64_t)sc.unreadable));
	node_doc_set(sd, "bad_envelopes",
		     node_doc_int((int64_t)sc.bad_envelopes));
	node_doc_set(d, "sealed", sd);
	node_doc_set(d, "digest", node_doc_str(hex));
	node_doc_set(d, "failures", failures);
	node_doc_set(d, "seconds", node_doc_strf("%.3f", secs));
	node_doc_set(d, "integrity_seconds", node_doc_strf("%.3f", t1 - t0));
	node_doc_set(d, "recompute_seconds", node_doc_strf("%.3f", t2 - t1));
	node_doc_set(d, "ok", node_doc_bool(node_doc_len(failures) == 0));
	*out = d;
	return node_doc_len(failures) > 0 ? NODE_API_CHECK_FAILED : 0;
}
