/*
 * wardd.c: the node daemon. A libuv loop owns the open node (store and
 * ledger), serves the local API over ipc:// inside the data directory, and
 * replicates the ledger with the other members of the roster: the gossip
 * state machine (net/gossip.h) over the nng transport (net/transport.h).
 *
 * Threads. nng's threads only queue work and wake the loop through a
 * uv_async_t. Entries received from peers are checked in two steps on
 * libuv's worker pool: signatures first (several messages at once, on
 * every core), then one RocksDB batch per message. While that batch is
 * being written the worker owns the ledger, and the loop defers whatever
 * would read it (peer messages, CLI requests, the gossip round) until the
 * result comes back; the loop itself never waits.
 *
 * Write safety (docs/architecture.md): a node refuses to sign only while
 * a peer has shown it a validly signed entry of one of its own feeds that
 * it lacks (net_gossip_own_behind), never on a peer's claim. A node that
 * died after writes no peer confirmed (the store's unconfirmed marker),
 * or was restored from a backup, waits until a peer confirms its heads
 * (NET_GOSSIP_HEADS_SHOWN) or the operator runs ward unblock; otherwise it
 * signs at once. The check is node_ctx's may_sign, asked by every request
 * that signs (add, set, retract, a CSV import).
 *
 * SIGTERM and SIGINT finish the work in flight and close the store; SIGHUP
 * rereads wardd.conf (log level, metrics) and restarts replication, with
 * the roster as stored, only when its peers or its settings changed.
 */
#include <errno.h>
#include <inttypes.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "crdt/crdt.h"
#include "net/gossip.h"
#include "net/metrics.h"
#include "net/tls.h"
#include "net/transport.h"
#include "net/wire.h"
#include "node/api/node_int.h"
#include "node/api/keyring.h"
#include "node/ledger/proofs.h"
#include "node/ledger/reject.h"
#include "node/ledger/replica.h"

enum { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };
static const char *const level_names[] = {"debug", "info", "warn", "error"};
static int log_level = LOG_INFO;

/* wardd.conf, documented in ops/wardd.conf.example. */
struct conf {
	char listen[256]; /* empty: the roster's address */
	bool insecure;
	int log_level;
	uint64_t round_ms;
	uint32_t fanout;
	char metrics[64]; /* "off" or 127.0.0.1:PORT */
};

/* What the log says of one member: its size is the roster's, whatever
 * the member sends (what gossip knows of it lives in net/gossip). */
struct peer_log {
	char rejected[48];    /* last reason logged: log each once */
	enum node_msg last_why; /* the ledger's reason for a rejected entry */
	uint64_t rejects;
};

/* Entries one ENTRIES message brought, on their way through the pool. */
struct ingest {
	uv_work_t w;
	struct daemon *d;
	uint64_t gen; /* the gossip machine it belongs to */
	uint64_t id;
	uint32_t peer;
	uint8_t *bytes;
	size_t len, count;
	size_t verified;	 /* leading entries whose signature verified */
	size_t split, split_off; /* the second half: first entry, its byte */
	size_t verified2;	 /* leading entries of it that verified */
	enum node_msg vwhy, vwhy2; /* why each half stopped early */
	int halves;		 /* verify jobs still running */
	bool ready;		 /* verified: may be applied */
	uv_work_t w2;
	size_t applied;
	int rc;
	enum node_msg why;
	uint8_t last_author[32]; /* the last entry applied, for the log */
	char last_scope[13];
	uint64_t last_seq;
	struct ingest *next;
};

struct daemon {
	uv_loop_t loop;
	uv_async_t wake;
	uv_signal_t sigterm, sigint, sighup;
	uv_timer_t gossip_timer, tick;
	char dir[NODE_PATH_MAX];
	bool flag_insecure;
	struct conf conf;
	/* the local API */
	nng_socket sock;
	nng_aio *aio;
	pthread_mutex_t mu;
	nng_msg *pending;
	uint64_t pending_ns; /* when it arrived (uv_hrtime) */
	int64_t pending_uid; /* the pending request's ipc peer, -1 unknown */
	bool stopping;
	char url[NODE_PATH_MAX + 16];
	struct node_ctx *node;
	unsigned keys_ticks; /* on_tick calls since keys_upkeep ran */
	/* the ledger and roster versions keys_upkeep last saw */
	uint64_t keys_ledger_version, keys_roster_version;
	/* replication */
	uint8_t net_id[32];
	struct net_gossip *g;
	struct node_replica rep; /* the gossip machine's view of the ledger */
	struct net_transport *t;
	uint64_t gen;
	struct peer_log *views;
	size_t n_members;
	bool busy; /* a worker holds the ledger */
	/* Write safety (docs/architecture.md): a node that has evidence of
	 * a restore, or of a crash after writes no peer confirmed, signs only
	 * once a peer has shown its heads (or the operator unblocked it). */
	bool heads_confirmed;
	bool dirty; /* the unconfirmed-writes marker is set in the store */
	bool restored; /* the backup marker is set in the store */
	const char *wait_why; /* why it waits: "unclean_stop", "restored" */
	bool flag_standalone;
	bool timer_due; /* the gossip round waits for the ledger */
	struct ingest *apply_head, *apply_tail;
	size_t in_pool;	     /* ingests on the worker pool */
	uint64_t entries_in; /* entries applied from peers */
	uint64_t skew_logged; /* clock-skewed entries already logged */
	uint64_t rejected_total;
	struct {
		const char *reason;
		uint64_t n;
	} rejects[32];
	size_t n_rejects;
	struct net_metrics *metrics;
	char metrics_addr[64];
	bool reload_due; /* SIGHUP waits for the ledger */
	/* What replication started with: SIGHUP restarts it only when
	 * these changed. */
	struct conf started;
	uint64_t started_roster;
	size_t started_members;
	/* A roster version came into force after replication started (a
	 * peer's ROSTER, a signature here): when it was first seen. */
	uint64_t roster_seen, roster_seen_ms;
};

static void logf_(int level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void logf_(int level, const char *event, const char *fmt, ...)
{
	if (level < log_level)
		return;
	char ts[40], kv[1024] = "";
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct tm tm;
	gmtime_r(&now.tv_sec, &tm);
	size_t k = strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + k, sizeof(ts) - k, ".%03ldZ", now.tv_nsec / 1000000);
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(kv, sizeof(kv), fmt, ap);
		va_end(ap);
	}
	fprintf(stderr, "%s %s %s%s%s\n", ts, level_names[level], event,
		*kv ? " " : "", kv);
}

static uint64_t now_ms(void)
{
	return uv_hrtime() / 1000000u;
}

/* ---- configuration ---- */

static int parse_level(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, level_names[i]))
			return i;
	return -1;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' ||
		     s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

/* Reads DIR/wardd.conf into c (defaults when absent). 0, or -EINVAL with
 * a message naming the line. */
static int conf_load(const char *dir, struct conf *c, char *msg, size_t len)
{
	struct net_gossip_cfg g;
	net_gossip_cfg_default(&g);
	memset(c, 0, sizeof(*c));
	c->log_level = LOG_INFO;
	c->round_ms = g.round_ms;
	c->fanout = g.fanout;
	snprintf(c->metrics, sizeof(c->metrics), "off");
	char path[NODE_PATH_MAX];
	node_path(path, dir, "wardd.conf");
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char line[512];
	int no = 0, rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		no++;
		char *s = trim(line);
		if (!*s || *s == '#')
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(msg, len,
				 "wardd.conf:%d: expected key = value", no);
			rc = -EINVAL;
			break;
		}
		*eq = 0;
		char *key = trim(s), *val = trim(eq + 1);
		char *end;
		if (!strcmp(key, "listen")) {
			snprintf(c->listen, sizeof(c->listen), "%s", val);
		} else if (!strcmp(key, "insecure")) {
			if (strcmp(val, "true") && strcmp(val, "false"))
				rc = -EINVAL;
			c->insecure = !strcmp(val, "true");
		} else if (!strcmp(key, "log_level")) {
			c->log_level = parse_level(val);
			if (c->log_level < 0)
				rc = -EINVAL;
		} else if (!strcmp(key, "round_ms")) {
			c->round_ms = strtoull(val, &end, 10);
			if (*end || c->round_ms < 50 || c->round_ms > 600000)
				rc = -EINVAL;
		} else if (!strcmp(key, "fanout")) {
			c->fanout = (uint32_t)strtoul(val, &end, 10);
			if (*end || c->fanout < 1 || c->fanout > 64)
				rc = -EINVAL;
		} else if (!strcmp(key, "metrics")) {
			if (strcmp(val, "off") &&
			    strncmp(val, "127.0.0.1:", 10) != 0)
				rc = -EINVAL;
			snprintf(c->metrics, sizeof(c->metrics), "%s", val);
		} else {
			snprintf(msg, len,
				 "wardd.conf:%d: unknown setting '%s'", no,
				 key);
			rc = -EINVAL;
			break;
		}
		if (rc)
			snprintf(msg, len,
				 "wardd.conf:%d: bad value '%s' for %s "
				 "(see ops/wardd.conf.example)",
				 no, val, key);
	}
	fclose(f);
	return rc;
}

/* ---- write safety ---- */

/* A peer has shown us its heads and none of our own feeds is ahead there
 * (DESIGN.md section 5): a node that was waiting may sign, and what it
 * wrote since the last confirmation is now known to peers, so the
 * marker of unconfirmed writes goes. */
static void confirm(struct daemon *d, uint32_t peer, const char *how)
{
	if (d->restored) {
		if (node_ctx_clear_restored(d->node) == 0)
			d->restored = false;
		else
			logf_(LOG_ERROR, "store.failed", "what=backup_marker");
	}
	if (d->dirty) {
		if (node_ctx_mark_unconfirmed(d->node, false) == 0)
			d->dirty = false;
		else
			logf_(LOG_ERROR, "store.failed",
			      "what=unconfirmed_marker");
	}
	if (d->heads_confirmed)
		return;
	d->heads_confirmed = true;
	logf_(LOG_INFO, "heads.confirmed", "peer=%u how=%s", peer, how);
}

/* ---- gossip actions ---- */

static void pump(struct daemon *d);
static void on_gossip_timer(uv_timer_t *h);
static void handle_actions(struct daemon *d, struct net_gossip_actions *a);

/* The roster replication runs with: its members are the peer ids. A
 * newer version takes over when replication restarts (roster_check). */
static const struct node_roster *running_roster(struct daemon *d)
{
	if (d->g)
		return node_ledger_roster_at(d->node->ledger, d->started_roster);
	return node_ledger_roster(d->node->ledger);
}

static const char *member_name(struct daemon *d, uint32_t peer)
{
	const struct node_roster *r = running_roster(d);
	if (!r || peer >= r->n_members)
		return "?";
	return r->members[peer].name;
}

static void peer_hex(struct daemon *d, uint32_t peer, char hex[17])
{
	const struct node_roster *r = running_roster(d);
	if (!r || peer >= r->n_members) {
		snprintf(hex, 17, "unknown");
		return;
	}
	node_hex(hex, r->members[peer].key, 8);
}

/* A reason's English text for the log ("" for none): the log is read by
 * operators and tools in one language, but its words are the catalog's. */
static const char *why_en(enum node_msg m)
{
	return node_catalog_text(NODE_LANG_EN, m);
}

static void count_reject(struct daemon *d, const char *reason)
{
	for (size_t i = 0; i < d->n_rejects; i++)
		if (!strcmp(d->rejects[i].reason, reason)) {
			d->rejects[i].n++;
			return;
		}
	if (d->n_rejects < sizeof(d->rejects) / sizeof(d->rejects[0])) {
		d->rejects[d->n_rejects].reason = reason;
		d->rejects[d->n_rejects++].n = 1;
	}
}

static void log_rejected(struct daemon *d, uint32_t peer, const char *reason,
			 const char *addr)
{
	d->rejected_total++;
	count_reject(d, reason);
	if (peer == UINT32_MAX || !d->views || peer >= d->n_members) {
		logf_(LOG_WARN, "peer.rejected", "reason=%s addr=%s", reason,
		      addr && *addr ? addr : "?");
		return;
	}
	struct peer_log *v = &d->views[peer];
	v->rejects++;
	if (!strcmp(v->rejected, reason))
		return; /* logged once */
	snprintf(v->rejected, sizeof(v->rejected), "%s", reason);
	char hex[17];
	peer_hex(d, peer, hex);
	bool q = strchr(reason, ' ') != NULL;
	logf_(LOG_WARN, "peer.rejected",
	      "reason=%s%s%s peer=%s name=\"%s\"%s%s%s%s%s", q ? "\"" : "",
	      reason, q ? "\"" : "", hex, member_name(d, peer),
	      addr && *addr ? " addr=" : "", addr && *addr ? addr : "",
	      v->last_why ? " detail=\"" : "", why_en(v->last_why),
	      v->last_why ? "\"" : "");
	v->last_why = MSG_NONE;
}

/* Verifies entries [first, end) of in, starting at byte off; returns how
 * many verified before the first that did not, and *why that one failed
 * (a malformed entry is not a bad signature: the log says which). */
static size_t verify_range(struct ingest *in, size_t first, size_t end,
			   size_t off, enum node_msg *why)
{
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, in->bytes + off, in->len - off, true);
	size_t verified = 0;
	*why = MSG_NONE;
	for (size_t k = first; k < end; k++) {
		const uint8_t *start = c.p;
		if (crdt_mp_skip(&c) != 0) {
			*why = MSG_I_NOT_MESSAGEPACK;
			break;
		}
		struct crdt_entry e;
		enum crdt_reject reason = CRDT_REJECT_NONE;
		if (crdt_entry_decode(start, (size_t)(c.p - start), &e,
				      &reason)) {
			*why = node_reject_msg(reason);
			break;
		}
		bool ok = crdt_entry_verify(e.sig, in->d->net_id, e.body,
					    e.body_len, e.author);
		crdt_entry_fini(&e);
		if (!ok) {
			*why = MSG_I_BAD_SIGNATURE;
			break;
		}
		verified++;
	}
	return verified;
}

/* The first half of a message's entries; the second half runs on another
 * worker at once (verify_work2), so one message uses two cores. */
static void verify_work(uv_work_t *w)
{
	struct ingest *in = w->data;
	in->verified = verify_range(in, 0, in->split, 0, &in->vwhy);
}

static void verify_work2(uv_work_t *w)
{
	struct ingest *in = w->data;
	in->verified2 = verify_range(in, in->split, in->count, in->split_off,
				     &in->vwhy2);
}

static void apply_work(uv_work_t *w)
{
	struct ingest *in = w->data;
	struct node_ledger *l = in->d->node->ledger;
	struct node_txn *t = node_ledger_begin(l);
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, in->bytes, in->len, true);
	in->applied = 0;
	in->rc = 0;
	in->why = MSG_NONE;
	for (size_t k = 0; k < in->verified; k++) {
		const uint8_t *start = c.p;
		enum node_ingest res;
		if (crdt_mp_skip(&c) != 0) {
			in->rc = -EBADMSG;
			break;
		}
		in->rc = node_txn_ingest(t, start, (size_t)(c.p - start), true,
					 &res, &in->why);
		if (in->rc)
			break;
		in->applied++;
	}
	if (in->applied > 0) {
		/* For the log: the last entry applied (c is past it). */
		struct crdt_mp_cursor r;
		crdt_mp_cursor_init(&r, in->bytes, in->len, true);
		const uint8_t *last = NULL;
		for (size_t k = 0; k < in->applied; k++) {
			last = r.p;
			if (crdt_mp_skip(&r) != 0)
				break;
		}
		struct crdt_entry e;
		if (last && crdt_entry_decode(last, (size_t)(r.p - last), &e,
					      NULL) == 0) {
			memcpy(in->last_author, e.author, 32);
			snprintf(in->last_scope, sizeof(in->last_scope), "%s",
				 e.scope);
			in->last_seq = e.seq;
			crdt_entry_fini(&e);
		}
	}
	if (in->rc == 0 && in->verified < in->count) {
		in->rc = -EBADMSG;
		in->why = in->vwhy ? in->vwhy : MSG_I_BAD_ENTRY;
	}
	if (in->applied > 0) {
		int rc = node_txn_commit(t, false);
		if (rc) {
			in->rc = rc;
			in->applied = 0;
			in->why = MSG_I_STORE_WRITE_FAILED;
		}
	} else {
		node_txn_abort(t);
	}
}

/* Logs the entries that arrived with an hlc over 60 s ahead of our clock
 * since the last call (DESIGN.md section 4: accepted, logged, counted). */
static void note_clock_skew(struct daemon *d)
{
	struct node_clock_skew k;
	node_ledger_clock_skew(d->node->ledger, &k);
	if (k.count == d->skew_logged)
		return;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int64_t ahead_s = (int64_t)(k.hlc >> 16) / 1000 - (int64_t)ts.tv_sec;
	char hex[17];
	node_hex(hex, k.author, 8);
	logf_(LOG_WARN, "entry.clock_skew",
	      "count=%" PRIu64 " total=%" PRIu64 " author=%s scope=%s "
	      "seq=%" PRIu64 " ahead_s=%" PRId64,
	      k.count - d->skew_logged, k.count, hex, k.scope, k.seq, ahead_s);
	d->skew_logged = k.count;
}

static void apply_done(uv_work_t *w, int status)
{
	struct ingest *in = w->data;
	struct daemon *d = in->d;
	(void)status;
	d->busy = false;
	d->in_pool--;
	d->entries_in += in->applied;
	note_clock_skew(d);
	if (in->applied > 0 && in->last_seq > 0) {
		char hex[17];
		node_hex(hex, in->last_author, 8);
		logf_(LOG_DEBUG, "entries.applied",
		      "peer=%u count=%zu author=%s scope=%s seq=%" PRIu64,
		      in->peer, in->applied, hex, in->last_scope, in->last_seq);
	}
	if (in->rc == -EEXIST)
		logf_(LOG_WARN, "fork.detected", "peer=%s reason=\"%s\"",
		      member_name(d, in->peer), why_en(in->why));
	else if (in->rc == -EILSEQ)
		logf_(LOG_DEBUG, "fork.suspected", "peer=%s reason=\"%s\"",
		      member_name(d, in->peer), why_en(in->why));
	else if (in->rc == -EDQUOT)
		logf_(LOG_WARN, "feed.refused", "peer=%s reason=\"%s\"",
		      member_name(d, in->peer), why_en(in->why));
	else if (in->rc == -EBADMSG && d->views && in->gen == d->gen)
		d->views[in->peer].last_why = in->why;
	else if (in->rc && in->rc != -EAGAIN)
		logf_(LOG_ERROR, "ingest.failed", "peer=%s rc=%d reason=\"%s\"",
		      member_name(d, in->peer), in->rc, why_en(in->why));
	if (d->g && in->gen == d->gen) {
		struct net_gossip_actions a;
		net_gossip_actions_init(&a);
		net_gossip_on_ingested(d->g, in->id, in->applied, in->rc,
				       now_ms(), &a);
		handle_actions(d, &a);
		net_gossip_actions_fini(&a);
	}
	free(in->bytes);
	free(in);
	pump(d);
}

static void verify_done(uv_work_t *w, int status)
{
	struct ingest *in = w->data;
	struct daemon *d = in->d;
	(void)status;
	if (--in->halves > 0)
		return;
	if (in->verified == in->split) {
		in->verified += in->verified2;
		in->vwhy = in->vwhy2;
	}
	/* Verified entries of our own feed that we lack are the evidence
	 * the write-safety rule believes (net_gossip_own_behind). */
	if (d->g && in->gen == d->gen)
		net_gossip_on_verified(d->g, in->id, in->verified);
	in->ready = true;
	pump(d);
}

/* Cuts a message of many entries in two for two verify workers. */
static void split_halves(struct ingest *in)
{
	in->split = in->count;
	in->split_off = in->len;
	in->halves = 1;
	if (in->count < 32)
		return;
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, in->bytes, in->len, true);
	size_t half = in->count / 2;
	for (size_t k = 0; k < half; k++)
		if (crdt_mp_skip(&c) != 0)
			return; /* malformed: one job finds where */
	in->split = half;
	in->split_off = (size_t)(c.p - in->bytes);
	in->halves = 2;
}

static void handle_actions(struct daemon *d, struct net_gossip_actions *a)
{
	for (size_t k = 0; k < a->n; k++) {
		struct net_gossip_action *act = &a->v[k];
		switch (act->kind) {
		case NET_GOSSIP_SEND:
			if (d->t)
				net_transport_send(d->t, act->peer, act->bytes,
						   act->len);
			break;
		case NET_GOSSIP_INGEST: {
			struct ingest *in = crdt_xcalloc(1, sizeof(*in));
			in->d = d;
			in->gen = d->gen;
			in->id = act->id;
			in->peer = act->peer;
			in->bytes = act->bytes;
			in->len = act->len;
			in->count = act->count;
			act->bytes = NULL;
			in->w.data = in->w2.data = in;
			d->in_pool++;
			/* Applied in arrival order (a feed's next batch may
			 * verify first), each once it has verified. */
			if (d->apply_tail)
				d->apply_tail->next = in;
			else
				d->apply_head = in;
			d->apply_tail = in;
			split_halves(in);
			uv_queue_work(&d->loop, &in->w, verify_work,
				      verify_done);
			if (in->halves == 2)
				uv_queue_work(&d->loop, &in->w2, verify_work2,
					      verify_done);
			break;
		}
		case NET_GOSSIP_DISCONNECT:
			log_rejected(d, act->peer, act->reason, NULL);
			if (d->t)
				net_transport_disconnect(d->t, act->peer,
							 now_ms(), act->ms);
			break;
		case NET_GOSSIP_TIMER:
			uv_timer_start(&d->gossip_timer, on_gossip_timer,
				       act->ms, 0);
			break;
		case NET_GOSSIP_HEADS_SHOWN:
			/* The peer has shown every head it holds, none of
			 * our own feeds ahead of ours. */
			confirm(d, act->peer, act->reason);
			break;
		}
	}
	net_gossip_actions_reset(a);
}

/* ---- transport events ---- */

static void on_transport(void *arg, const struct net_transport_event *ev)
{
	struct daemon *d = arg;
	struct net_gossip_actions a;
	char hex[17];
	net_gossip_actions_init(&a);
	switch (ev->kind) {
	case NET_TRANSPORT_PEER_UP:
		peer_hex(d, ev->peer, hex);
		logf_(LOG_INFO, "peer.up", "peer=%s name=\"%s\"", hex,
		      member_name(d, ev->peer));
		d->views[ev->peer].rejected[0] = 0;
		net_gossip_on_peer_up(d->g, ev->peer, now_ms(), &a);
		break;
	case NET_TRANSPORT_PEER_DOWN:
		peer_hex(d, ev->peer, hex);
		logf_(LOG_INFO, "peer.down", "peer=%s name=\"%s\"", hex,
		      member_name(d, ev->peer));
		net_gossip_on_peer_down(d->g, ev->peer, now_ms(), &a);
		break;
	case NET_TRANSPORT_MESSAGE:
		net_gossip_on_message(d->g, ev->peer, ev->bytes, ev->len,
				      now_ms(), &a);
		break;
	case NET_TRANSPORT_REJECTED:
		if (ev->claimed) {
			/* Whoever sent it, not necessarily that member. */
			node_hex(hex, ev->claimed, 8);
			logf_(LOG_WARN, "peer.rejected",
			      "reason=%s addr=%s claimed=%s verified=no",
			      ev->reason, *ev->addr ? ev->addr : "?", hex);
			d->rejected_total++;
			count_reject(d, ev->reason);
			break;
		}
		log_rejected(d, ev->peer, ev->reason, ev->addr);
		break;
	case NET_TRANSPORT_DROPPED:
		if (ev->peer != UINT32_MAX)
			peer_hex(d, ev->peer, hex);
		logf_(LOG_WARN, "transport.dropped",
		      "reason=%s count=%" PRIu64 " addr=%s%s%s", ev->reason,
		      ev->count, *ev->addr ? ev->addr : "?",
		      ev->peer != UINT32_MAX ? " peer=" : "",
		      ev->peer != UINT32_MAX ? hex : "");
		break;
	}
	handle_actions(d, &a);
	net_gossip_actions_fini(&a);
}

static void on_gossip_timer(uv_timer_t *h)
{
	struct daemon *d = h->data;
	if (d->busy) {
		d->timer_due = true;
		return;
	}
	if (!d->g)
		return;
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	net_gossip_on_timer(d->g, now_ms(), &a);
	handle_actions(d, &a);
	net_gossip_actions_fini(&a);
}

/* Any thread. The mutex orders this against the handle's closing. */
static void wake_loop(void *arg)
{
	struct daemon *d = arg;
	pthread_mutex_lock(&d->mu);
	if (!d->stopping)
		uv_async_send(&d->wake);
	pthread_mutex_unlock(&d->mu);
}

static void gossip_stop(struct daemon *d)
{
	net_transport_close(d->t);
	d->t = NULL;
	net_gossip_free(d->g);
	d->g = NULL;
	d->gen++;
	free(d->views);
	d->views = NULL;
	d->n_members = 0;
	uv_timer_stop(&d->gossip_timer);
}

static char *read_text(const char *dir, const char *name)
{
	char path[NODE_PATH_MAX];
	node_path(path, dir, name);
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = crdt_xcalloc(1, NET_TLS_CERT_PEM_MAX_BYTES + 1);
	size_t n = fread(buf, 1, NET_TLS_CERT_PEM_MAX_BYTES, f);
	fclose(f);
	if (n == 0) {
		free(buf);
		buf = NULL;
	}
	return buf;
}

/* Starts replication with the stored roster: the gossip machine, then the
 * transport. 0, or -errno after logging why (-ENOTCONN not in the roster
 * or no TLS identity, -EBUSY the address is taken, -EINVAL, -EIO). */
static int gossip_start(struct daemon *d)
{
	const struct node_roster *r = node_ledger_roster(d->node->ledger);
	if (!r) {
		logf_(LOG_WARN, "gossip.disabled",
		      "reason=not_joined hint=\"ward network join\"");
		return 0;
	}
	node_ledger_net_id(d->node->ledger, d->net_id);
	const struct node_member *me = node_roster_find(r, d->node->pk);
	if (!me) {
		logf_(LOG_ERROR, "gossip.disabled", "reason=not_in_roster");
		return -ENOTCONN;
	}
	struct net_gossip_cfg gc;
	net_gossip_cfg_default(&gc);
	gc.round_ms = d->conf.round_ms;
	gc.fanout = d->conf.fanout;
	/* Larger batches than the default (1,024 entries, at most about
	 * 512 KiB, well under the 1 MiB message limit) mean fewer round
	 * trips and fewer RocksDB batches per entry during catch-up. */
	gc.pull_entries = NET_WIRE_MAX_PULL_ENTRIES;
	gc.batch_bytes = 512u * 1024u;
	randombytes_buf(&gc.seed, sizeof(gc.seed));
	gc.has_self = true;
	memcpy(gc.self, d->node->pk, 32);
	d->rep.ledger = d->node->ledger;
	d->rep.pk = d->node->pk;
	d->rep.sk = d->node->sk;
	int rc = net_gossip_new(&gc, &node_replica_ops, &d->rep, &d->g);
	if (rc) {
		logf_(LOG_ERROR, "gossip.failed", "rc=%d", rc);
		return -EINVAL;
	}
	d->gen++;
	d->started = d->conf;
	d->started_roster = r->version;
	d->started_members = r->n_members;
	d->n_members = r->n_members;
	if (r->n_members == 1 || d->flag_standalone)
		d->heads_confirmed = true;

	d->views = crdt_xcalloc(r->n_members, sizeof(*d->views));
	struct net_transport_member *mm =
	    crdt_xcalloc(r->n_members, sizeof(*mm));
	char *cert = read_text(d->dir, "tls.crt");
	char *key = read_text(d->dir, "tls.key");
	for (size_t i = 0; i < r->n_members; i++) {
		memcpy(mm[i].key, r->members[i].key, 32);
		mm[i].address = r->members[i].address;
		mm[i].cert_pem = r->members[i].cert_pem;
	}
	bool insecure = d->flag_insecure || d->conf.insecure;
	if (!insecure && (!cert || !key)) {
		logf_(LOG_ERROR, "gossip.failed",
		      "reason=\"no TLS identity (tls.crt, tls.key) in %s\"",
		      d->dir);
		rc = -ENOTCONN;
		goto out;
	}
	struct net_transport_cfg tc = {
	    .listen = *d->conf.listen ? d->conf.listen : me->address,
	    .insecure = insecure,
	    .cert_pem = cert,
	    .key_pem = key,
	    .sk = d->node->sk,
	    .n_members = r->n_members,
	    .members = mm,
	    .idle_ms = d->conf.round_ms * 5 / 2,
	    .wake = wake_loop,
	    .wake_arg = d,
	};
	memcpy(tc.net_id, d->net_id, 32);
	memcpy(tc.pk, d->node->pk, 32);
	char why[512];
	rc = net_transport_open(&tc, &d->t, why, sizeof(why));
	if (rc) {
		logf_(LOG_ERROR, "gossip.failed", "reason=\"%s\"", why);
		rc = rc == -EADDRINUSE ? -EBUSY : -EINVAL;
		goto out;
	}
	if (insecure)
		logf_(LOG_WARN, "transport.insecure",
		      "warning=\"PLAIN TCP: peers are not authenticated and "
		      "traffic is not encrypted; for tests only\"");
	logf_(LOG_INFO, "gossip.started",
	      "listen=%s://%s peers=%zu round_ms=%" PRIu64 " fanout=%u",
	      insecure ? "tcp" : "tls+tcp", tc.listen, r->n_members - 1,
	      gc.round_ms, gc.fanout);
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	net_gossip_on_start(d->g, now_ms(), &a);
	handle_actions(d, &a);
	net_gossip_actions_fini(&a);
	rc = 0;
out:
	if (key) {
		sodium_memzero(key, strlen(key));
		free(key);
	}
	free(cert);
	free(mm);
	if (rc)
		gossip_stop(d);
	return rc;
}

/* ---- the local API ---- */

/* nng thread: a request arrived, or a reply went out. */
static void aio_cb(void *arg)
{
	struct daemon *d = arg;
	int rv = nng_aio_result(d->aio);
	nng_msg *m = rv == 0 ? nng_aio_get_msg(d->aio) : NULL;
	pthread_mutex_lock(&d->mu);
	if (m) {
		nng_aio_set_msg(d->aio, NULL);
		if (d->stopping) {
			nng_msg_free(m);
		} else {
			/* Who asked, from the kernel (SO_PEERCRED), read while
			 * the pipe is surely open: for the access log. */
			uint64_t uid;
			d->pending_uid =
			    nng_pipe_get_uint64(nng_msg_get_pipe(m),
						NNG_OPT_IPC_PEER_UID, &uid) == 0
				? (int64_t)uid
				: -1;
			d->pending = m;
			d->pending_ns = uv_hrtime();
			uv_async_send(&d->wake);
		}
		pthread_mutex_unlock(&d->mu);
		return;
	}
	bool stopping = d->stopping;
	pthread_mutex_unlock(&d->mu);
	/* A reply completed (or a receive failed): wait for the next one. */
	if (!stopping && rv != NNG_ECLOSED)
		nng_recv_aio(d->sock, d->aio);
}

/* node_ctx's may_sign while wardd runs: the write-safety rule
 * (docs/architecture.md). Refused while the node waits for a peer to
 * confirm its heads (it was restored, or crashed after writes no peer had
 * confirmed), or while a peer has shown a validly signed entry of one of
 * its own feeds that it does not hold; claims never block. Before the
 * first entry signed since the last confirmation the unconfirmed-writes
 * marker is set (synced), so that a crash from here on is known at the
 * next start. */
static int daemon_may_sign(struct node_ctx *n, struct node_reason *why)
{
	struct daemon *d = n->may_sign_arg;
	char scope[13];
	if (d->g && !d->heads_confirmed) {
		bool restored = d->wait_why && !strcmp(d->wait_why, "restored");
		logf_(LOG_WARN, "write.refused", "reason=heads_unconfirmed "
		      "why=%s", d->wait_why ? d->wait_why : "?");
		if (restored)
			NODE_REASON0(why,
				     MSG_REFUSED_NOTHING_WRITTEN_NODE_WAS_2);
		else
			NODE_REASON0(why,
				     MSG_REFUSED_NOTHING_WRITTEN_WARDD_DID_2);
		return -EBUSY;
	}
	if (d->g && net_gossip_own_behind(d->g, scope)) {
		logf_(LOG_WARN, "write.refused",
		      "reason=own_feed_behind scope=%s", scope);
		NODE_REASON(why, MSG_REFUSED_NOTHING_WRITTEN_PEER_HAS, scope);
		return -EBUSY;
	}
	if (!d->dirty && d->g && !d->flag_standalone) {
		if (node_ctx_mark_unconfirmed(d->node, true) != 0) {
			logf_(LOG_ERROR, "store.failed",
			      "what=unconfirmed_marker");
			NODE_REASON0(why,
				     MSG_REFUSED_NOTHING_WRITTEN_STORE_COULD);
			return -EIO;
		}
		d->dirty = true;
	}
	return 0;
}

/* Unblocks writes on the operator's word (ward unblock
 * --accept-fork-risk): the node signs without a peer's confirmation. */
static void daemon_unblock(struct daemon *d)
{
	if (!d->heads_confirmed)
		logf_(LOG_WARN, "heads.unblocked",
		      "by=operator risk=\"entries signed now may fork this "
		      "node's own feeds\"");
	d->heads_confirmed = true;
	d->wait_why = NULL;
}

/* Adds live replication to a status answer. */
static void status_peers(struct daemon *d, struct node_doc *resp)
{
	struct node_doc *res = node_doc_get(resp, "result");
	if (!res || node_doc_kind(res) != NODE_DOC_OBJECT)
		return;
	bool insecure = d->flag_insecure || d->conf.insecure;
	node_doc_set(res, "daemon", node_doc_bool(true));
	node_doc_set(res, "insecure", node_doc_bool(d->t && insecure));
	if (!d->t)
		return;
	const struct node_roster *r = running_roster(d);
	struct node_doc *peers = node_doc_array();
	uint64_t now = now_ms();
	time_t wall = time(NULL);
	for (uint32_t i = 0; r && i < r->n_members && i < d->n_members; i++) {
		if (i == net_transport_self(d->t))
			continue;
		struct net_transport_peer_info pi;
		net_transport_peer_info(d->t, i, &pi);
		struct node_doc *p = node_doc_object();
		char hex[65];
		node_hex(hex, r->members[i].key, 32);
		node_doc_set(p, "node_id", node_doc_str(hex));
		node_doc_set(p, "name", node_doc_str(r->members[i].name));
		node_doc_set(p, "address", node_doc_str(r->members[i].address));
		node_doc_set(p, "connected", node_doc_bool(pi.connected));
		node_doc_set(p, "inbound", node_doc_int(pi.inbound));
		struct net_gossip_peer_info gi;
		net_gossip_peer_info(d->g, i, &gi);
		node_doc_set(p, "lag_entries",
			     gi.lag_known ? node_doc_int((int64_t)gi.lag_entries)
					  : node_doc_null());
		node_doc_set(p, "over_budget",
			     node_doc_int((int64_t)gi.over_budget));
		if (pi.last_seen_ms) {
			char ts[32];
			struct tm tm;
			time_t t =
			    wall - (time_t)((now - pi.last_seen_ms) / 1000);
			gmtime_r(&t, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
			node_doc_set(p, "last_seen", node_doc_str(ts));
		} else {
			node_doc_set(p, "last_seen", node_doc_null());
		}
		node_doc_set(p, "msgs_in", node_doc_int((int64_t)pi.msgs_in));
		node_doc_set(p, "bytes_in", node_doc_int((int64_t)pi.bytes_in));
		node_doc_set(p, "msgs_out", node_doc_int((int64_t)pi.msgs_out));
		node_doc_set(p, "bytes_out",
			     node_doc_int((int64_t)pi.bytes_out));
		node_doc_set(p, "rejections",
			     node_doc_int((int64_t)d->views[i].rejects));
		node_doc_push(peers, p);
	}
	node_doc_set(res, "peers", peers);
	char scope[13];
	const char *blocked = NULL;
	if (!d->heads_confirmed)
		blocked = d->wait_why && !strcmp(d->wait_why, "restored")
			      ? "restored_unconfirmed"
			      : "unclean_stop_unconfirmed";
	else if (net_gossip_own_behind(d->g, scope))
		blocked = "own_feed_behind";
	node_doc_set(res, "heads_confirmed", node_doc_bool(d->heads_confirmed));
	node_doc_set(res, "writes_blocked", node_doc_bool(blocked != NULL));
	node_doc_set(res, "writes_blocked_reason",
		     blocked ? node_doc_str(blocked) : node_doc_null());
}

/* Own feeds' seqs before a request, to announce what it appended. */
struct heads_snap {
	struct node_feed_head *h;
	size_t n;
};

static void announce_new(struct daemon *d, const struct heads_snap *before)
{
	struct node_feed_head *h;
	size_t n;
	if (!d->g || node_ledger_heads(d->node->ledger, &h, &n) != 0)
		return;
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	for (size_t i = 0; i < n; i++) {
		uint64_t old = 0;
		for (size_t k = 0; k < before->n; k++)
			if (!memcmp(before->h[k].author, h[i].author, 32) &&
			    !strcmp(before->h[k].scope, h[i].scope))
				old = before->h[k].seq;
		if (h[i].seq > old) {
			char hex[17];
			node_hex(hex, h[i].author, 8);
			logf_(LOG_DEBUG, "entry.written",
			      "author=%s scope=%s seq=%" PRIu64, hex,
			      h[i].scope, h[i].seq);
			net_gossip_on_local_write(d->g, h[i].author, h[i].scope,
						  h[i].seq, now_ms(), &a);
		}
	}
	free(h);
	handle_actions(d, &a);
	net_gossip_actions_fini(&a);
}

static void serve_pending(struct daemon *d)
{
	pthread_mutex_lock(&d->mu);
	nng_msg *m = d->pending;
	uint64_t arrived = d->pending_ns;
	int64_t uid = d->pending_uid;
	d->pending = NULL;
	pthread_mutex_unlock(&d->mu);
	if (!m)
		return;
	uint64_t started = uv_hrtime();
	const uint8_t *req = nng_msg_body(m);
	size_t len = nng_msg_len(m);
	/* Peek at the command. */
	const char *cmd = "";
	struct node_doc *in = NULL;
	struct crdt_mp_cursor c;
	size_t arr;
	uint64_t ver;
	crdt_mp_cursor_init(&c, req, len, false);
	if (crdt_mp_read_array(&c, &arr) == 0 && arr == 2 &&
	    crdt_mp_read_uint(&c, &ver) == 0 &&
	    node_doc_decode(c.p, crdt_mp_left(&c), &in) == 0) {
		const char *s = node_doc_get_str(in, "cmd");
		cmd = s ? s : "";
	}
	bool roster_cmd = !strcmp(cmd, "roster_propose") ||
			  !strcmp(cmd, "roster_sign");
	/* Requests that may add entries: their new heads are announced. */
	bool writes = !strcmp(cmd, "add") || !strcmp(cmd, "set") ||
		      !strcmp(cmd, "retract") ||
		      !strcmp(cmd, "import_records") ||
		      !strcmp(cmd, "import_entries");
	struct heads_snap before = {0};
	if (writes)
		node_ledger_heads(d->node->ledger, &before.h, &before.n);
	d->node->peer_uid = uid;
	struct node_doc *resp = node_serve(d->node, req, len);
	d->node->peer_uid = -1;
	if (writes) {
		note_clock_skew(d); /* import --entries */
		announce_new(d, &before);
	}
	free(before.h);
	if (roster_cmd && d->g) {
		/* A proposal made or signed here goes to every peer now,
		 * with the new version when it came into force. */
		const struct node_roster *r = node_ledger_roster(d->node->ledger);
		struct net_gossip_actions a;
		net_gossip_actions_init(&a);
		net_gossip_on_roster_changed(
		    d->g, r && r->version != d->started_roster, now_ms(), &a);
		handle_actions(d, &a);
		net_gossip_actions_fini(&a);
	}
	if (!strcmp(cmd, "status"))
		status_peers(d, resp);
	if (!strcmp(cmd, "unblock") && node_doc_get(resp, "result")) {
		struct node_doc *res = node_doc_get(resp, "result");
		node_doc_set(res, "was_blocked",
			     node_doc_bool(!d->heads_confirmed));
		daemon_unblock(d);
		d->dirty = false; /* the handler removed the markers */
		d->restored = false;
	}
	/* A request that waited or ran long is worth a line: it is what an
	 * operator at the terminal felt. */
	uint64_t done = uv_hrtime();
	if (done - arrived > 100000000u)
		logf_(LOG_WARN, "api.slow",
		      "cmd=%s wait_ms=%" PRIu64 " serve_ms=%" PRIu64,
		      *cmd ? cmd : "?", (started - arrived) / 1000000u,
		      (done - started) / 1000000u);
	node_doc_free(in);
	nng_msg_free(m);
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_doc_encode(resp, &b);
	node_doc_free(resp);
	nng_msg *out;
	if (nng_msg_alloc(&out, 0) == 0) {
		if (nng_msg_append(out, b.data, b.len) == 0) {
			nng_aio_set_msg(d->aio, out);
			nng_send_aio(d->sock, d->aio);
		} else {
			nng_msg_free(out);
			logf_(LOG_ERROR, "api.reply_failed", NULL);
			nng_recv_aio(d->sock, d->aio);
		}
	} else {
		logf_(LOG_ERROR, "api.reply_failed", NULL);
		nng_recv_aio(d->sock, d->aio);
	}
	crdt_buf_fini(&b);
}

/* A roster version in force that replication did not start with: logged
 * when first seen, and replication restarts with it a moment later (the
 * ROSTERs announcing it go out first): TLS pins the new certificates, new
 * members are dialed, removed members' connections close. Nobody restarts
 * anything by hand. */
static void roster_check(struct daemon *d)
{
	const struct node_roster *r = node_ledger_roster(d->node->ledger);
	if (!d->g || !r || r->version == d->started_roster)
		return;
	if (d->roster_seen != r->version) {
		d->roster_seen = r->version;
		d->roster_seen_ms = now_ms();
		char hex[17];
		node_hex(hex, r->body_hash, 8);
		logf_(LOG_INFO, "roster.in_force",
		      "version=%" PRIu64 " id=%s members=%zu", r->version, hex,
		      r->n_members);
	}
	if (now_ms() - d->roster_seen_ms >= 300)
		d->reload_due = true;
}

/* Runs whatever waits for the ledger, unless a worker holds it. */
static void pump(struct daemon *d)
{
	if (d->busy || d->stopping)
		return;
	if (d->t)
		net_transport_poll(d->t, now_ms(), on_transport, d);
	serve_pending(d);
	roster_check(d);
	if (d->reload_due) {
		d->reload_due = false;
		gossip_stop(d);
		gossip_start(d);
	}
	if (d->timer_due) {
		d->timer_due = false;
		on_gossip_timer(&d->gossip_timer);
	}
	if (d->apply_head && d->apply_head->ready) {
		struct ingest *in = d->apply_head;
		d->apply_head = in->next;
		if (!d->apply_head)
			d->apply_tail = NULL;
		d->busy = true;
		uv_queue_work(&d->loop, &in->w, apply_work, apply_done);
	}
}

static void on_wake(uv_async_t *h)
{
	pump(h->data);
}

static void metrics_configure(struct daemon *d)
{
	if (!strcmp(d->metrics_addr, d->conf.metrics))
		return;
	net_metrics_close(d->metrics);
	d->metrics = NULL;
	snprintf(d->metrics_addr, sizeof(d->metrics_addr), "%s",
		 d->conf.metrics);
	if (!strcmp(d->conf.metrics, "off"))
		return;
	int rc = net_metrics_open(d->conf.metrics, &d->metrics);
	if (rc)
		logf_(LOG_ERROR, "metrics.failed", "addr=%s rc=%d",
		      d->conf.metrics, rc);
	else
		logf_(LOG_INFO, "metrics.started", "url=http://%s/metrics",
		      d->conf.metrics);
}

/* The Prometheus text: what ward status reports, as counters. */
static void metrics_render(struct daemon *d)
{
	if (d->busy)
		return; /* a worker holds the ledger: keep the last text */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return;
	fprintf(f, "# TYPE ward_entries gauge\nward_entries %" PRIu64 "\n",
		node_ledger_entry_count(d->node->ledger));
	fprintf(f,
		"# TYPE ward_entries_received_total counter\n"
		"ward_entries_received_total %" PRIu64 "\n",
		d->entries_in);
	struct node_feed_head *h;
	size_t n;
	if (node_ledger_heads(d->node->ledger, &h, &n) == 0) {
		fprintf(f, "# TYPE ward_feeds gauge\nward_feeds %zu\n", n);
		free(h);
	}
	if (d->g) {
		struct net_gossip_stats st;
		net_gossip_stats(d->g, &st);
		fprintf(f,
			"# TYPE ward_gossip_messages_sent_total counter\n"
			"ward_gossip_messages_sent_total %" PRIu64 "\n"
			"# TYPE ward_gossip_bytes_sent_total counter\n"
			"ward_gossip_bytes_sent_total %" PRIu64 "\n"
			"# TYPE ward_gossip_messages_received_total counter\n"
			"ward_gossip_messages_received_total %" PRIu64 "\n"
			"# TYPE ward_gossip_bytes_received_total counter\n"
			"ward_gossip_bytes_received_total %" PRIu64 "\n",
			st.msgs_sent, st.bytes_sent, st.msgs_received,
			st.bytes_received);
	}
	fprintf(f, "# TYPE ward_proofs gauge\nward_proofs %zu\n",
		node_proofs_count(d->node->ledger));
	struct node_clock_skew skew;
	node_ledger_clock_skew(d->node->ledger, &skew);
	fprintf(f,
		"# TYPE ward_clock_skew_entries_total counter\n"
		"ward_clock_skew_entries_total %" PRIu64 "\n",
		skew.count);
	const struct node_roster *ros = running_roster(d);
	if (d->t && d->g && ros) {
		fprintf(f, "# TYPE ward_peer_lag_entries gauge\n");
		for (uint32_t i = 0; i < d->n_members; i++) {
			struct net_gossip_peer_info gi;
			net_gossip_peer_info(d->g, i, &gi);
			char hex[17];
			node_hex(hex, ros->members[i].key, 8);
			if (gi.lag_known && i != net_transport_self(d->t))
				fprintf(f,
					"ward_peer_lag_entries{peer=\"%s\"} "
					"%" PRIu64 "\n",
					hex, gi.lag_entries);
		}
		struct net_gossip_stats st;
		net_gossip_stats(d->g, &st);
		fprintf(f,
			"# TYPE ward_gossip_over_budget_total counter\n"
			"ward_gossip_over_budget_total %" PRIu64 "\n",
			st.over_budget);
	}
	if (d->t) {
		fprintf(f, "# TYPE ward_peer_connected gauge\n");
		const struct node_roster *r =
		    running_roster(d);
		for (uint32_t i = 0; r && i < d->n_members; i++) {
			if (i == net_transport_self(d->t))
				continue;
			struct net_transport_peer_info pi;
			net_transport_peer_info(d->t, i, &pi);
			char hex[17];
			node_hex(hex, r->members[i].key, 8);
			fprintf(
			    f,
			    "ward_peer_connected{peer=\"%s\"} %d\n"
			    "ward_peer_bytes_in_total{peer=\"%s\"} %" PRIu64
			    "\nward_peer_bytes_out_total{peer=\"%s\"} %" PRIu64
			    "\nward_peer_messages_in_total{peer=\"%s\"} "
			    "%" PRIu64 "\nward_peer_messages_out_total{peer=\"%"
				       "s\"} %" PRIu64 "\n",
			    hex, pi.connected ? 1 : 0, hex, pi.bytes_in, hex,
			    pi.bytes_out, hex, pi.msgs_in, hex, pi.msgs_out);
		}
	}
	fprintf(f, "# TYPE ward_rejections_total counter\n");
	for (size_t i = 0; i < d->n_rejects; i++)
		fprintf(f, "ward_rejections_total{reason=\"%s\"} %" PRIu64 "\n",
			d->rejects[i].reason, d->rejects[i].n);
	fclose(f);
	net_metrics_publish(d->metrics, text, len);
	free(text);
}

#define KEYS_EVERY_TICKS 3 /* on_tick runs once a second */
/* ... and at least this often when nothing changed: another holder steps
 * in for a keeper that is down after a grace (keyring.c) */
#define KEYS_RECHECK_TICKS 30

/* Group keys (keyring.h), every few seconds when the ledger or the roster
 * moved: envelopes for members who joined a group, a fresh key where a
 * roster version changed one. A quiet node does not scan its key records
 * every round. What it writes is announced like a local write. */
static void keys_upkeep(struct daemon *d)
{
	if (!d->g || ++d->keys_ticks < KEYS_EVERY_TICKS)
		return;
	const struct node_roster *r = node_ledger_roster(d->node->ledger);
	uint64_t lv = node_ledger_version(d->node->ledger);
	uint64_t rv = r ? r->version : 0;
	if (lv == d->keys_ledger_version && rv == d->keys_roster_version &&
	    d->keys_ticks < KEYS_RECHECK_TICKS)
		return;
	d->keys_ticks = 0;
	struct heads_snap before = {0};
	node_ledger_heads(d->node->ledger, &before.h, &before.n);
	unsigned written = 0;
	int rc = node_keyring_maintain(d->node, &written);
	/* its own writes count as seen: only new entries or a new roster
	 * version make the next round look again */
	d->keys_ledger_version = node_ledger_version(d->node->ledger);
	d->keys_roster_version = rv;
	if (rc && rc != -EAGAIN)
		logf_(LOG_WARN, "keys.upkeep_failed", "rc=%d", rc);
	if (written) {
		logf_(LOG_INFO, "keys.written", "entries=%u", written);
		announce_new(d, &before);
	}
	free(before.h);
}

static void on_tick(uv_timer_t *h)
{
	struct daemon *d = h->data;
	if (d->t)
		net_transport_tick(d->t, now_ms());
	if (d->metrics)
		metrics_render(d);
	roster_check(d);
	if (d->reload_due)
		pump(d);
	keys_upkeep(d);
}

/* ---- signals ---- */

static void close_all(struct daemon *d)
{
	uv_close((uv_handle_t *)&d->wake, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
	uv_close((uv_handle_t *)&d->sighup, NULL);
	uv_close((uv_handle_t *)&d->gossip_timer, NULL);
	uv_close((uv_handle_t *)&d->tick, NULL);
}

/* Whether what replication runs with (the roster's members, listen
 * address, transport, round and fanout) differs from what it started
 * with: only then does SIGHUP restart it and drop its connections. */
static bool replication_changed(const struct daemon *d)
{
	const struct node_roster *r = node_ledger_roster(d->node->ledger);
	const struct conf *a = &d->started, *b = &d->conf;
	if (!d->g)
		return r != NULL; /* not running: start it if it can */
	return !r || r->version != d->started_roster ||
	       r->n_members != d->started_members ||
	       strcmp(a->listen, b->listen) != 0 ||
	       a->insecure != b->insecure || a->round_ms != b->round_ms ||
	       a->fanout != b->fanout;
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;
	if (signum == SIGHUP) {
		char msg[512];
		struct conf c;
		if (conf_load(d->dir, &c, msg, sizeof(msg)) != 0) {
			logf_(LOG_ERROR, "config.rejected", "reason=\"%s\"",
			      msg);
			return;
		}
		d->conf = c;
		log_level = c.log_level;
		bool restart = replication_changed(d);
		logf_(LOG_INFO, "config.reloaded",
		      "log_level=%s metrics=%s replication=%s",
		      level_names[c.log_level], c.metrics,
		      restart ? "restarted" : "kept");
		metrics_configure(d);
		if (restart) {
			d->reload_due = true;
			pump(d);
		}
		return;
	}
	logf_(LOG_INFO, "node.stopping", "signal=%d", signum);
	pthread_mutex_lock(&d->mu);
	d->stopping = true;
	pthread_mutex_unlock(&d->mu);
	/* Work on the pool finishes (the loop runs until it has); nothing
	 * new starts. */
	gossip_stop(d);
	close_all(d);
}

static const char usage[] =
    "usage: wardd --data DIR [--insecure] [--standalone]\n"
    "Runs the ward node in DIR (or $WARD_DATA): serves the local API that\n"
    "the ward command uses over ipc:// inside DIR and replicates the\n"
    "ledger with the roster's other members over mutual TLS.\n"
    "  --insecure    plain tcp:// between nodes, no TLS (tests only)\n"
    "  --standalone  never wait for a peer to confirm this node's own\n"
    "                feeds (a node alone for good; see below)\n"
    "A node never forks its own feed: it refuses to sign only while a\n"
    "peer has shown it a signed entry of its own feed that it lacks.\n"
    "A clean stop, and it writes at once when started again, peers up\n"
    "or not. After wardd died following writes no peer confirmed, or\n"
    "restored from ward backup, it waits for a peer to confirm its\n"
    "feeds (ward status), or for ward unblock --accept-fork-risk.\n"
    "Settings: DIR/wardd.conf (see ops/wardd.conf.example). SIGHUP\n"
    "rereads it (replication restarts only when its settings or the\n"
    "roster changed); SIGTERM stops the node.\n";

int main(int argc, char **argv)
{
	static struct daemon d;
	const char *dir = getenv("WARD_DATA");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--insecure")) {
			d.flag_insecure = true;
		} else if (!strcmp(argv[i], "--standalone")) {
			d.flag_standalone = true;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "wardd: unknown argument %s\n%s",
				argv[i], usage);
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "wardd: no data directory: give --data DIR or "
				"set WARD_DATA\n");
		return 2;
	}
	char msg[1024];
	snprintf(d.dir, sizeof(d.dir), "%s", dir);
	if (conf_load(dir, &d.conf, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "wardd: %s\n", msg);
		return NODE_EXIT_USAGE;
	}
	log_level = d.conf.log_level;
	/* A ward command that found no daemon holds the store for a moment
	 * (its own in-process answer): wait a little for it. */
	struct node_reason why;
	int rc = node_ctx_open_why(dir, false, &d.node, &why);
	for (int tries = 0; rc == -EBUSY && tries < 100; tries++) {
		struct timespec ts = {0, 50 * 1000 * 1000};
		nanosleep(&ts, NULL);
		rc = node_ctx_open_why(dir, false, &d.node, &why);
	}
	if (rc) {
		fprintf(stderr, "wardd: %s\n",
			node_reason_text(&why, NODE_LANG_EN, msg, sizeof(msg)));
		return node_exit_from_errno(rc);
	}
	struct node_clock_skew skew0;
	node_ledger_clock_skew(d.node->ledger, &skew0);
	d.skew_logged = skew0.count; /* logged by an earlier run */
	pthread_mutex_init(&d.mu, NULL);
	uv_loop_init(&d.loop);
	uv_async_init(&d.loop, &d.wake, on_wake);
	d.wake.data = &d;
	uv_signal_init(&d.loop, &d.sigterm);
	uv_signal_init(&d.loop, &d.sigint);
	uv_signal_init(&d.loop, &d.sighup);
	d.sigterm.data = d.sigint.data = d.sighup.data = &d;
	uv_signal_start(&d.sigterm, on_signal, SIGTERM);
	uv_signal_start(&d.sigint, on_signal, SIGINT);
	uv_signal_start(&d.sighup, on_signal, SIGHUP);
	uv_timer_init(&d.loop, &d.gossip_timer);
	uv_timer_init(&d.loop, &d.tick);
	d.gossip_timer.data = d.tick.data = &d;

	/* The socket lives in the data directory only, which no other user
	 * may write to (issue 8): checked before binding. */
	struct node_localapi_addr api;
	rc = node_localapi_listen_open(dir, &api, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "wardd: %s\n", msg);
		node_ctx_close(d.node);
		return rc;
	}
	nng_listener l;
	if (nng_rep0_open(&d.sock) != 0 ||
	    nng_socket_set_size(d.sock, NNG_OPT_RECVMAXSZ, 2u << 20) != 0 ||
	    nng_listener_create(&l, d.sock, api.url) != 0 ||
	    nng_listener_set_int(l, NNG_OPT_IPC_PERMISSIONS, 0600) != 0 ||
	    nng_listener_start(l, 0) != 0 ||
	    nng_aio_alloc(&d.aio, aio_cb, &d) != 0) {
		fprintf(stderr, "wardd: cannot listen on %s\n", api.path);
		node_localapi_listen_close(&api);
		node_ctx_close(d.node);
		return NODE_EXIT_IO;
	}
	/* Write safety (docs/architecture.md): a clean stop, or no write
	 * since a peer last confirmed our heads, and the node signs at once;
	 * otherwise it waits for a peer (or the operator's ward unblock). */
	d.dirty = node_ctx_unconfirmed(d.node);
	d.restored = node_ctx_restored(d.node);
	d.heads_confirmed = !d.dirty && !d.restored;
	if (d.dirty)
		d.wait_why = "unclean_stop";
	if (d.restored)
		d.wait_why = "restored";
	if (!d.heads_confirmed)
		logf_(LOG_WARN, "writes.waiting",
		      "reason=%s hint=\"writes resume once a peer confirms "
		      "this node's own feeds\"",
		      d.wait_why);
	rc = gossip_start(&d);
	if (rc) {
		nng_close(d.sock);
		nng_aio_free(d.aio);
		node_localapi_listen_close(&api);
		node_ctx_close(d.node);
		return node_exit_from_errno(rc);
	}
	metrics_configure(&d);
	d.node->may_sign = daemon_may_sign;
	d.node->may_sign_arg = &d;
	uv_timer_start(&d.tick, on_tick, 1000, 1000);
	logf_(LOG_INFO, "node.started", "api=ipc://%s", api.path);
	nng_recv_aio(d.sock, d.aio);
	uv_run(&d.loop, UV_RUN_DEFAULT);

	nng_close(d.sock);
	nng_aio_free(d.aio);
	node_localapi_listen_close(&api);
	pthread_mutex_lock(&d.mu);
	if (d.pending)
		nng_msg_free(d.pending);
	pthread_mutex_unlock(&d.mu);
	gossip_stop(&d);
	for (struct ingest *in = d.apply_head, *nx; in; in = nx) {
		nx = in->next;
		free(in->bytes);
		free(in);
	}
	net_metrics_close(d.metrics);
	uv_loop_close(&d.loop);
	/* A clean stop: the store holds every entry this node signed, so it
	 * signs at once when it starts again (but a node still waiting for
	 * a peer keeps waiting). */
	if (d.heads_confirmed && d.dirty &&
	    node_ctx_mark_unconfirmed(d.node, false) != 0)
		logf_(LOG_ERROR, "store.failed", "what=unconfirmed_marker");
	node_ctx_close(d.node);
	logf_(LOG_INFO, "node.stopped", NULL);
	return 0;
}
