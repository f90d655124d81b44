/*
 * sim.c: ward's deterministic simulator. Many nodes in one process, each a
 * real ledger (node/ledger/ledger.c over an in-memory kv) driven by the real gossip
 * state machine (net/gossip.c), on a simulated network and a virtual clock.
 *
 * One seed decides everything: the membership, the network's loss,
 * duplication, delay and reordering, partitions (symmetric or one-way) that
 * come and go, connections that drop, node crashes (the kv forgets every
 * unsynced write, the ledger is reopened from what is left) and restarts,
 * and a stream of local writes (patients created by township and health
 * nodes, fields set with their preds, set elements added and removed,
 * follow-ups by the police), and store faults (failed writes, failed
 * syncs, a full disk: node_kv_mem_fault) that come and go. A seed may add a
 * Byzantine member (--byzantine PCT): a roster member that attacks instead
 * of gossiping (see "Byzantine member" below). When the fault phase ends the
 * network heals and every node must reach the same version vector and state
 * digest within a bounded simulated time, with every acknowledged write on
 * every node and no honest peer ever disconnected.
 *
 * Events run in (time, sequence) order from one priority queue; a BLAKE2b
 * hash over every event handled is printed as the trace hash, so the same
 * seed gives the same trace. Usage:
 *
 *   ward_sim [--seeds N] [--first S] [--nodes K] [--byzantine PCT]
 *            [--attacks LIST] [--rosters PCT] [--sealed] [--twice]
 *            [--quiet] [--verbose]
 *
 * --rosters gives that percentage of seeds changing membership (issue
 * 10): genesis has three admins (threshold 2), and during the fault phase
 * admins propose roster versions (revocations of members' feeds at or
 * below the heads they see, threshold and admin changes, addresses),
 * often two admins at once with conflicting bodies, and sign proposals
 * they hold; proposals and versions travel by gossip. Every node must end
 * with the same roster chain as well as the same state, and an
 * acknowledged write past a revocation bound counts as held when its
 * entry is (it has lost its effect by design).
 *
 * --sealed gives every seed a genesis of the current schema version
 * (NODE_SCHEMA_VERSION), so H and ID fields are sealed (issue 11, DESIGN.md
 * section 8): writers seal patient names and phones and health's
 * follow-up medication under group keys that simulated members make and
 * hold in memory, in key records often in another member's feed than the
 * value (see "Sealed fields" below). Besides the checks above, every
 * honest node must end reading each acknowledged patient's name, opened
 * with its own keys, as its writer wrote it. libsodium's randomness is
 * the seed's (keys and envelopes), so a seed still gives one trace.
 *
 * --twice runs each seed again and fails unless the trace hash repeats.
 * --byzantine gives that percentage of seeds an attacker (default 0),
 * which makes the attacks of --attacks (a comma-separated list; all by
 * default: claim, announce, forks, digests, malformed; and sealed, with
 * --sealed, only when named: entries abusing sealed fields, see
 * byz_sealed).
 * --quiet prints only failing seeds and the summary. The summary counts
 * the faults injected, divergences and lost acknowledged writes (both must
 * be 0) and the seeds run per second; its last line, `summary k=v ...`, is
 * for ops/bench/sim to add up.
 *
 * A failing seed prints the command that replays it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crdt/crdt.h"
#include "crdt/seal.h"
#include "net/gossip.h"
#include "net/wire.h"
#include "node/ledger/ledger.h"
#include "node/ledger/proofs.h"
#include "node/ledger/proposal.h"
#include "node/ledger/replica.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/ledger/sealing.h"
#include "node/store/kv.h"

#define MAX_NODES 8
/* Virtual wall clock origin (2020-09-13): well behind any real clock, so
 * that the ledger's own reads of the wall clock (hlc skew bound) never
 * change an outcome. */
#define EPOCH_MS UINT64_C(1600000000000)
#define FAULT_MS 60000ull
#define SETTLE_MS 60000ull /* convergence bound after the faults stop */
#define CHECK_MS 250ull
#define CHAOS_MS 1000ull
#define IDLE_MS 20000ull     /* quiet time measured after convergence */
#define IDLE_MAX_BYTES 2048u /* per node per round when nothing changes */
#define BYZ_FORKS 48	     /* conflicting entry pairs the attacker signs */
#define BYZ_ANNOUNCE 3000    /* random feeds in one flooding ANNOUNCE */
#define BYZ_DIGESTS 300	     /* DIGESTs in one flood */
#define BYZ_SEAL_MAX 256     /* entries of the sealed-field attacks */
/* What an honest node may send per round while attacked, on average over
 * the attack. Honest traffic in the fault phase is about 25 messages and
 * 6 KiB per node per round, and so it stays under every attack but one:
 * the FORK spam, which today makes each node send about 300 messages and
 * 120 KiB per round, as every new proof re-sends every proof to every
 * peer (issue 8, finding 3; ctest sim.byzantine_forks). */
#define BYZ_MAX_BYTES (32u * 1024u)
#define BYZ_MAX_MSGS 100u

/* ---------------------------------------------------------------------- */
/* Deterministic randomness.                                               */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint64_t urange(uint64_t *s, uint64_t lo, uint64_t hi)
{
	return lo + splitmix64(s) % (hi - lo + 1);
}

/* ---------------------------------------------------------------------- */
/* State.                                                                  */

enum ev_kind {
	EV_DELIVER,
	EV_TIMER,
	EV_INGEST,
	EV_WRITE,
	EV_CHAOS,
	EV_RESTART,
	EV_CONN_UP,
	EV_UNBLOCK,
	EV_HEAL,
	EV_CHECK,
	EV_IDLE_END,
	EV_FAULT_END, /* node a's store stops failing */
	EV_ATTACK,    /* the Byzantine member attacks */
	EV_PROBE,     /* node a, just attacked, must still write */
	EV_ROSTER,    /* an admin proposes or signs a roster version */
};

struct ev {
	uint64_t at, seq;
	enum ev_kind kind;
	int a, b;     /* node(s) */
	uint64_t gen; /* timer generation, connection epoch, incarnation */
	uint64_t id;  /* ingest id */
	uint8_t *bytes;
	size_t len, count;
	unsigned side;		 /* EV_UNBLOCK: nodes on one side */
	bool block_ab, block_ba; /* EV_UNBLOCK: which directions */
};

struct sim_node {
	struct sim *s;
	int idx;
	uint8_t pk[32], sk[64];
	enum node_role role;
	char scope[13];
	int64_t skew_ms;
	struct node_kv *kv;
	struct node_ledger *ledger;
	struct net_gossip *g;
	struct node_replica rep;
	bool alive;
	uint64_t incarnation;
	uint64_t timer_gen;
	uint64_t ingest_at; /* the last ingest queued: they run in order */
	/* --sealed: the group keys this node holds in memory, from keys it
	 * made in acknowledged writes or envelopes it opened (lost in a
	 * crash: opened again from the store's envelopes) */
	struct held_key *ring;
	size_t n_ring, cap_ring;
};

struct held_key {
	uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
	uint8_t k[CRDT_SEAL_KEY_BYTES];
};

/* A record created by an acknowledged write (patients, follow-ups). */
struct patient {
	uint8_t id[16];
	char scope[13];
	/* --sealed patients: the name written and the key it was sealed
	 * under */
	bool sealed;
	char name[32];
	uint8_t key_id[CRDT_SEAL_KEY_ID_BYTES];
};

struct ack {
	int node;
	char scope[13];
	uint64_t seq;
	bool create;
	uint8_t id[16];
};

struct sim {
	uint64_t seed;
	unsigned attacks; /* bit per enum byz_kind the attacker uses */
	uint64_t rng;
	bool verbose;
	int n;
	struct sim_node node[MAX_NODES];
	uint8_t roster_pk[32], roster_sk[64];
	uint8_t *roster;
	size_t roster_len;
	/* network */
	unsigned loss_pct, dup_pct;
	unsigned fault_loss_pct, fault_dup_pct; /* before the heal */
	uint64_t delay_min_ms, delay_jitter_ms;
	bool conn[MAX_NODES][MAX_NODES];      /* symmetric */
	uint64_t epoch[MAX_NODES][MAX_NODES]; /* symmetric */
	bool block[MAX_NODES][MAX_NODES];     /* directional: a -> b dropped */
	struct net_gossip_cfg gcfg;
	/* clock and events */
	uint64_t now;
	uint64_t ev_seq;
	struct ev *heap;
	size_t n_heap, cap_heap;
	bool healed;
	bool done;
	uint64_t healed_at, converged_at;
	uint64_t idle_bytes0, idle_bytes_per_round;
	crypto_generichash_state trace;
	/* workload and outcome */
	struct patient *patients;
	size_t n_patients, cap_patients;
	struct ack *acks;
	size_t n_acks, cap_acks;
	struct patient *followups; /* --sealed: follow-ups acknowledged */
	size_t n_followups, cap_followups;
	uint64_t writes_tried, writes_refused, crashes, partitions, flaps;
	uint64_t msgs_sent, msgs_dropped, ingested, honest_rejects;
	/* store faults */
	uint64_t io_faults, io_refused;
	/* the Byzantine member, when this seed has one */
	struct byz *byz;
	int n_all; /* nodes in the roster: n honest, then the attacker */
	uint64_t byz_disconnects; /* of the attacker by honest nodes */
	uint64_t honest_msgs, honest_bytes; /* sent by honest nodes */
	uint64_t attack_from, attack_msgs0, attack_bytes0;
	uint64_t attack_msgs_per_round, attack_bytes_per_round;
	/* roster changes (--rosters) */
	bool rosters;
	uint64_t roster_proposals, roster_conflicts, roster_signs;
	/* sealed fields (--sealed) */
	bool sealed;
	uint64_t keys_made, keys_inline, keys_apart, keys_upkeep;
	uint64_t sealed_values, sealed_removes, sealed_checked, sealed_opened;
	uint64_t sealed_other_key; /* values sealed under another's key */
	uint64_t sealed_forms_removed; /* remove ops of those removes */
	uint64_t envelopes_upkeep; /* added apart from their key record */
	uint64_t byz_sealed_held; /* attacker's sealed entries checked */
	uint64_t wait_samples, wait_max; /* values seen waiting for a key */
	struct key_maker {
		uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
		int node;
	} *makers;
	size_t n_makers, cap_makers;
	/* outcome figures for the summary */
	bool final_check; /* the convergence check reported */
	bool diverged;
	uint64_t lost_acks;
	char failure[512];
};

/* Percentage of seeds with roster changes (--rosters). */
static unsigned roster_pct;
/* Schema version 2 and sealed H and ID fields (--sealed). */
static bool sealed_mode;
static void ring_clear(struct sim_node *nd);
static void byz_net_id(const struct sim *s, uint8_t out[32]);
static void roster_event(struct sim *s);
static int roster_genesis(struct sim *s);

static void fail(struct sim *s, const char *fmt, ...)
{
	if (s->failure[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->failure, sizeof(s->failure), fmt, ap);
	va_end(ap);
	s->done = true;
}

static void vlog(struct sim *s, const char *fmt, ...)
{
	if (!s->verbose)
		return;
	va_list ap;
	printf("%8" PRIu64 " ", s->now - EPOCH_MS);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static void trace(struct sim *s, const struct ev *e)
{
	uint8_t t[8 * 4];
	uint64_t v[4] = {e->at, (uint64_t)e->kind,
			 (uint64_t)e->a << 8 | (uint64_t)e->b, e->len};
	for (int i = 0; i < 4; i++)
		for (int k = 0; k < 8; k++)
			t[i * 8 + k] = (uint8_t)(v[i] >> (8 * k));
	crypto_generichash_update(&s->trace, t, sizeof(t));
	if (e->bytes)
		crypto_generichash_update(&s->trace, e->bytes, e->len);
}

/* ---------------------------------------------------------------------- */
/* Event queue: a binary heap on (at, seq).                                */

static bool ev_before(const struct ev *x, const struct ev *y)
{
	return x->at < y->at || (x->at == y->at && x->seq < y->seq);
}

static void ev_push(struct sim *s, struct ev e)
{
	if (s->n_heap == s->cap_heap) {
		s->cap_heap = s->cap_heap ? s->cap_heap * 2 : 256;
		s->heap = realloc(s->heap, s->cap_heap * sizeof(*s->heap));
		if (!s->heap)
			abort();
	}
	e.seq = s->ev_seq++;
	size_t i = s->n_heap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (!ev_before(&e, &s->heap[p]))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = e;
}

static struct ev ev_pop(struct sim *s)
{
	struct ev top = s->heap[0];
	struct ev last = s->heap[--s->n_heap];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		const struct ev *best = &last;
		if (l < s->n_heap && ev_before(&s->heap[l], best))
			m = l, best = &s->heap[l];
		if (r < s->n_heap && ev_before(&s->heap[r], best))
			m = r;
		if (m == i)
			break;
		s->heap[i] = s->heap[m];
		i = m;
	}
	if (s->n_heap > 0)
		s->heap[i] = last;
	return top;
}

static void ev_at(struct sim *s, uint64_t delay, enum ev_kind kind, int a,
		  int b)
{
	struct ev e;
	memset(&e, 0, sizeof(e));
	e.at = s->now + delay;
	e.kind = kind;
	e.a = a;
	e.b = b;
	ev_push(s, e);
}

/* ---------------------------------------------------------------------- */
/* Network and actions.                                                    */

static void handle_actions(struct sim *s, struct sim_node *nd,
			   struct net_gossip_actions *a);

static void conn_down(struct sim *s, int i, int j)
{
	if (!s->conn[i][j])
		return;
	s->conn[i][j] = s->conn[j][i] = false;
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	int ends[2] = {i, j};
	for (int k = 0; k < 2; k++) {
		struct sim_node *x = &s->node[ends[k]];
		if (!x->alive || !x->g)
			continue; /* down, or the attacker */
		net_gossip_on_peer_down(x->g, (uint32_t)ends[1 - k], s->now,
					&a);
		handle_actions(s, x, &a);
	}
	net_gossip_actions_fini(&a);
}

/* Connects i and j when both are up and no flap holds the link down. */
static void conn_up(struct sim *s, int i, int j)
{
	if (s->conn[i][j] || !s->node[i].alive || !s->node[j].alive)
		return;
	s->conn[i][j] = s->conn[j][i] = true;
	s->epoch[i][j]++;
	s->epoch[j][i] = s->epoch[i][j];
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	int ends[2] = {i, j};
	for (int k = 0; k < 2; k++) {
		struct sim_node *x = &s->node[ends[k]];
		if (!x->g)
			continue; /* the attacker */
		net_gossip_on_peer_up(x->g, (uint32_t)ends[1 - k], s->now, &a);
		handle_actions(s, x, &a);
	}
	net_gossip_actions_fini(&a);
}

static void net_send(struct sim *s, int from, int to, const uint8_t *bytes,
		     size_t len)
{
	s->msgs_sent++;
	if (from < s->n) {
		s->honest_msgs++;
		s->honest_bytes += len;
	}
	if (!s->conn[from][to] || s->block[from][to] ||
	    splitmix64(&s->rng) % 100 < s->loss_pct) {
		s->msgs_dropped++;
		return;
	}
	int copies = splitmix64(&s->rng) % 100 < s->dup_pct ? 2 : 1;
	for (int c = 0; c < copies; c++) {
		struct ev e;
		memset(&e, 0, sizeof(e));
		e.at = s->now + s->delay_min_ms +
		       (s->delay_jitter_ms
			    ? splitmix64(&s->rng) % (s->delay_jitter_ms + 1)
			    : 0);
		e.kind = EV_DELIVER;
		e.a = from;
		e.b = to;
		e.gen = s->epoch[from][to];
		e.bytes = malloc(len);
		if (!e.bytes)
			abort();
		memcpy(e.bytes, bytes, len);
		e.len = len;
		ev_push(s, e);
	}
}

static void handle_actions(struct sim *s, struct sim_node *nd,
			   struct net_gossip_actions *a)
{
	for (size_t k = 0; k < a->n; k++) {
		struct net_gossip_action *act = &a->v[k];
		switch (act->kind) {
		case NET_GOSSIP_SEND:
			net_send(s, nd->idx, (int)act->peer, act->bytes,
				 act->len);
			break;
		case NET_GOSSIP_INGEST: {
			/* A worker verifies and applies: a few ms later,
			 * in the order the batches arrived, as wardd does. */
			struct ev e;
			memset(&e, 0, sizeof(e));
			e.at = s->now + urange(&s->rng, 1, 20);
			if (e.at < nd->ingest_at)
				e.at = nd->ingest_at;
			nd->ingest_at = e.at;
			e.kind = EV_INGEST;
			e.a = nd->idx;
			e.b = (int)act->peer;
			e.gen = nd->incarnation;
			e.id = act->id;
			e.bytes = act->bytes;
			e.len = act->len;
			e.count = act->count;
			act->bytes = NULL; /* the event owns them now */
			ev_push(s, e);
			break;
		}
		case NET_GOSSIP_DISCONNECT:
			if ((int)act->peer >= s->n) {
				/* The attacker: it comes back after its
				 * backoff, as a real one would. */
				s->byz_disconnects++;
				conn_down(s, nd->idx, (int)act->peer);
				ev_at(s, act->ms, EV_CONN_UP, nd->idx,
				      (int)act->peer);
				break;
			}
			fail(s, "node %d disconnected honest peer %u: %s",
			     nd->idx, act->peer, act->reason);
			conn_down(s, nd->idx, (int)act->peer);
			break;
		case NET_GOSSIP_TIMER: {
			struct ev e;
			memset(&e, 0, sizeof(e));
			e.at = s->now + act->ms;
			e.kind = EV_TIMER;
			e.a = nd->idx;
			e.gen = ++nd->timer_gen;
			ev_push(s, e);
			break;
		}
		case NET_GOSSIP_HEADS_SHOWN:
			break; /* every sim node starts with its store */
		}
	}
	net_gossip_actions_reset(a);
}

/* ---------------------------------------------------------------------- */
/* Nodes: boot, crash, restart.                                            */

static int node_boot(struct sim *s, struct sim_node *nd)
{
	struct node_reason why;
	char text[512];
	int rc = node_ledger_open(nd->kv, &nd->ledger);
	if (rc != 0) {
		fail(s, "node %d: ledger open failed: %d", nd->idx, rc);
		return rc;
	}
	if (!node_ledger_roster(nd->ledger)) {
		if (nd->incarnation > 0) {
			fail(s, "node %d: roster lost in a crash", nd->idx);
			return -EIO;
		}
		rc = node_ledger_set_roster(nd->ledger, s->roster,
					    s->roster_len, &why);
		if (rc != 0) {
			fail(s, "node %d: set_roster: %s", nd->idx,
			     node_reason_text(&why, NODE_LANG_EN, text,
					      sizeof(text)));
			return rc;
		}
	}
	struct net_gossip_cfg cfg = s->gcfg;
	cfg.seed =
	    s->seed * 1000003u + (uint64_t)nd->idx * 7919u + nd->incarnation;
	cfg.has_self = true;
	memcpy(cfg.self, nd->pk, 32);
	nd->rep.ledger = nd->ledger;
	nd->rep.pk = nd->pk;
	nd->rep.sk = nd->sk;
	rc = net_gossip_new(&cfg, &node_replica_ops, &nd->rep, &nd->g);
	if (rc != 0) {
		fail(s, "node %d: gossip_new: %d", nd->idx, rc);
		return rc;
	}
	nd->alive = true;
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	net_gossip_on_start(nd->g, s->now, &a);
	handle_actions(s, nd, &a);
	net_gossip_actions_fini(&a);
	return 0;
}

static void node_crash(struct sim *s, struct sim_node *nd)
{
	for (int j = 0; j < s->n_all; j++)
		if (j != nd->idx)
			conn_down(s, nd->idx, j);
	nd->alive = false;
	nd->incarnation++;
	net_gossip_free(nd->g);
	nd->g = NULL;
	node_ledger_close(nd->ledger);
	nd->ledger = NULL;
	node_kv_mem_crash(nd->kv);
	ring_clear(nd); /* memory: opened again from envelopes */
	s->crashes++;
	vlog(s, "crash node %d", nd->idx);
}

static void node_restart(struct sim *s, struct sim_node *nd)
{
	if (nd->alive)
		return;
	if (node_boot(s, nd) != 0)
		return;
	vlog(s, "restart node %d", nd->idx);
	for (int j = 0; j < s->n_all; j++)
		if (j != nd->idx)
			conn_up(s, nd->idx, j);
}

/* ---------------------------------------------------------------------- */
/* Workload: local writes as operators would make them.                    */

static void set_op(struct crdt_op *op, enum crdt_op_code code,
		   const uint8_t id[16], const char *field)
{
	memset(op, 0, sizeof(*op));
	op->code = code;
	memcpy(op->entity, id, 16);
	op->name = field;
	op->name_len = strlen(field);
}

static void str_value(struct crdt_value *v, const char *str)
{
	memset(v, 0, sizeof(*v));
	v->kind = CRDT_VALUE_STR;
	v->p = (const uint8_t *)str;
	v->len = strlen(str);
}

static bool may_write_scope(const struct sim_node *nd, const char *scope)
{
	return crdt_scope_covers(nd->scope, scope);
}

/* A known patient that nd holds and may write, or NULL. */
static const struct patient *pick_patient(struct sim *s, struct sim_node *nd)
{
	if (s->n_patients == 0)
		return NULL;
	size_t start = (size_t)(splitmix64(&s->rng) % s->n_patients);
	for (size_t k = 0; k < s->n_patients; k++) {
		const struct patient *p =
		    &s->patients[(start + k) % s->n_patients];
		struct node_entity ent;
		if (!may_write_scope(nd, p->scope))
			continue;
		if (node_ledger_entity(nd->ledger, p->id, &ent) == 0 &&
		    ent.valid)
			return p;
	}
	return NULL;
}

/* Whether nd may sign an entry now: the write-safety rule wardd asks
 * before every local write (net_gossip_own_behind, docs/architecture.md).
 * It must never close on an honest node because of what a peer merely
 * claims; every Byzantine seed checks that no attack closes it. (Sim nodes
 * are never restored from a backup, so none waits for a confirmation.) */
static bool may_sign(struct sim *s, struct sim_node *nd)
{
	char scope[13];
	(void)s;
	return !nd->g || !net_gossip_own_behind(nd->g, scope);
}

/* Signs and applies w on node i when its signing gate is open; on success
 * keeps the acknowledgement (create: the entry creates record id) and
 * tells gossip. 0, or the refusal. */
static int commit_write(struct sim *s, int i, const struct node_write *w,
			bool create, const uint8_t id[16])
{
	struct sim_node *nd = &s->node[i];
	s->writes_tried++;
	char why[256] = "";
	uint64_t seq = 0;
	uint64_t wall = (uint64_t)((int64_t)s->now + nd->skew_ms);
	int rc = -EPERM;
	struct node_reason why_r;
	if (may_sign(s, nd)) {
		rc = node_ledger_write(nd->ledger, nd->sk, nd->pk, w, wall,
				       &seq, &why_r);
		if (rc)
			node_schema_reason_text(&why_r, NODE_LANG_EN, why,
						sizeof(why));
	} else {
		snprintf(why, sizeof(why), "the signing gate is closed");
	}
	if (rc != 0) {
		s->writes_refused++;
		if (rc == -EIO || rc == -ENOSPC)
			s->io_refused++;
		vlog(s, "write refused on node %d: %d %s", i, rc, why);
		return rc;
	}
	vlog(s, "write node %d scope %s seq %" PRIu64, i, w->scope, seq);
	if (s->n_acks == s->cap_acks) {
		s->cap_acks = s->cap_acks ? s->cap_acks * 2 : 64;
		s->acks = realloc(s->acks, s->cap_acks * sizeof(*s->acks));
		if (!s->acks)
			abort();
	}
	struct ack *ak = &s->acks[s->n_acks++];
	memset(ak, 0, sizeof(*ak));
	ak->node = i;
	snprintf(ak->scope, sizeof(ak->scope), "%s", w->scope);
	ak->seq = seq;
	ak->create = create;
	memcpy(ak->id, id, 16);
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	net_gossip_on_local_write(nd->g, nd->pk, w->scope, seq, s->now, &a);
	handle_actions(s, nd, &a);
	net_gossip_actions_fini(&a);
	return 0;
}

static struct patient *record_add(struct patient **v, size_t *n, size_t *cap,
				  const uint8_t id[16], const char *scope)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = realloc(*v, *cap * sizeof(**v));
		if (!*v)
			abort();
	}
	struct patient *np = &(*v)[(*n)++];
	memset(np, 0, sizeof(*np));
	memcpy(np->id, id, 16);
	snprintf(np->scope, sizeof(np->scope), "%s", scope);
	return np;
}

/* ---------------------------------------------------------------------- */
/* Sealed fields (--sealed).                                               */
/*
 * Genesis names schema version 2, so every H and ID value is sealed
 * (DESIGN.md section 8): the writers seal patient names and phones under
 * keys of group (every role, the patient's scope), and health seals
 * follow-up medication lines (a set: adds, and removes naming the sealed
 * bytes of an element as added, with its tags) under keys of group
 * (health and auditor, the record's scope). A node seals with a key it
 * holds (made, or opened from its envelope) that serves the roster
 * version its entry names, picked at random among those; holding none,
 * it makes one, either in a key record entry of its own just before or in
 * the write itself (the key record's ops first). Besides, any member may
 * make a key record of a group it may key at any time, or add an envelope
 * to one made in another feed (key upkeep), so a value often names a key
 * record in another member's feed, which other nodes may get later than
 * the value (the value then waits for it), and an envelope often waits for
 * its record's create. A node's keys live in memory only: a crash loses
 * them and it opens them again from its envelopes. At the end every
 * honest node must read each acknowledged patient's name, opened with the
 * keys it holds, as the writer wrote it (when it holds the key record and
 * was in the group the record was made for), and every sealed value it
 * holds a key for must open. The Byzantine attack "sealed" (byz_sealed)
 * abuses sealed fields in entries of the attacker's own feed.
 */

#define G_ALL ((1u << NODE_ROLE_COUNT) - 1) /* who reads ID fields */
#define G_H                                                                    \
	(NODE_ROLE_BIT(NODE_ROLE_HEALTH) | NODE_ROLE_BIT(NODE_ROLE_AUDITOR))
#define N_MEDS 4
static const char *const meds[N_MEDS] = {
    "risperidone|2|0|2", "olanzapine|0|0|10", "clozapine|25|25|50",
    "paliperidone|lai|75|28"};

/* Deterministic randomness for libsodium (keys, envelopes' ephemeral
 * keys): the same seed seals the same bytes. Not for anything real. */
static uint64_t rb_state;
static const char *rb_name(void) { return "ward_sim"; }
static uint32_t rb_random(void) { return (uint32_t)splitmix64(&rb_state); }
static void rb_buf(void *const buf, const size_t size)
{
	uint8_t *p = buf;
	for (size_t n = size; n > 0;) {
		uint64_t x = splitmix64(&rb_state);
		size_t k = n < 8 ? n : 8;
		memcpy(p, &x, k);
		p += k;
		n -= k;
	}
}
static randombytes_implementation rb_sim = {rb_name, rb_random, NULL,
					    NULL,    rb_buf,    NULL};

/* One write's values: freed after the write. */
struct wbufs {
	struct crdt_buf b[32];
	size_t n;
};

static struct crdt_buf *wbuf(struct wbufs *w)
{
	if (w->n == sizeof(w->b) / sizeof(w->b[0]))
		abort();
	crdt_buf_init(&w->b[w->n]);
	return &w->b[w->n++];
}

static void wbufs_fini(struct wbufs *w)
{
	for (size_t i = 0; i < w->n; i++)
		crdt_buf_fini(&w->b[i]);
	w->n = 0;
}

static const uint8_t *ring_find(const struct sim_node *nd, const uint8_t *id)
{
	for (size_t i = 0; i < nd->n_ring; i++)
		if (!memcmp(nd->ring[i].id, id, CRDT_SEAL_KEY_ID_BYTES))
			return nd->ring[i].k;
	return NULL;
}

static void ring_add(struct sim_node *nd, const uint8_t *id, const uint8_t *k)
{
	if (ring_find(nd, id))
		return;
	if (nd->n_ring == nd->cap_ring) {
		nd->cap_ring = nd->cap_ring ? nd->cap_ring * 2 : 16;
		nd->ring = realloc(nd->ring, nd->cap_ring * sizeof(*nd->ring));
		if (!nd->ring)
			abort();
	}
	memcpy(nd->ring[nd->n_ring].id, id, CRDT_SEAL_KEY_ID_BYTES);
	memcpy(nd->ring[nd->n_ring].k, k, CRDT_SEAL_KEY_BYTES);
	nd->n_ring++;
}

static void ring_clear(struct sim_node *nd)
{
	if (nd->ring)
		sodium_memzero(nd->ring, nd->cap_ring * sizeof(*nd->ring));
	free(nd->ring);
	nd->ring = NULL;
	nd->n_ring = nd->cap_ring = 0;
}

struct recs {
	struct node_key_record r[64];
	size_t n;
};

static int collect_rec(void *ctx, const struct node_key_record *k)
{
	struct recs *rs = ctx;
	if (rs->n < sizeof(rs->r) / sizeof(rs->r[0]))
		rs->r[rs->n++] = *k;
	return 0;
}

/* Whether key record entity holds an envelope for nd: 1 when it opens to
 * the key of key_id (written to k), 0 when there is none for nd, -1 when
 * one is for nd and fails to open or opens to another key. */
static int envelope_key(struct sim_node *nd, const uint8_t entity[16],
			const uint8_t key_id[16], uint8_t k[32])
{
	struct crdt_cell cell;
	if (node_ledger_cell(nd->ledger, entity, "envelopes", &cell) != 0)
		return 0;
	int rc = 0;
	for (size_t i = 0; i < cell.n_elems && rc != 1; i++) {
		const struct crdt_value *v = &cell.elems[i].value;
		const uint8_t *to;
		uint8_t id[16];
		if (cell.elems[i].n_tags == 0 || v->kind != CRDT_VALUE_BIN ||
		    crdt_seal_envelope_parse(v->p, v->len, &to) != 0 ||
		    memcmp(to, nd->pk, 32) != 0)
			continue;
		rc = -1;
		if (crdt_seal_envelope_open(v->p, v->len, nd->pk, nd->sk, k) !=
		    0)
			continue;
		crdt_seal_key_id(k, id);
		if (!memcmp(id, key_id, 16))
			rc = 1;
	}
	crdt_cell_fini(&cell);
	if (rc != 1)
		sodium_memzero(k, 32);
	return rc;
}

/* The key of key_id as nd holds it: from its ring, else from its envelope
 * in a usable key record of key_id (then kept in the ring). 0 or -ENOENT. */
static int node_key(struct sim_node *nd, const uint8_t key_id[16],
		    uint8_t k[32])
{
	const uint8_t *h = ring_find(nd, key_id);
	if (h) {
		memcpy(k, h, 32);
		return 0;
	}
	struct recs rs;
	rs.n = 0;
	node_ledger_each_key_id(nd->ledger, key_id, collect_rec, &rs);
	for (size_t i = 0; i < rs.n; i++)
		if (envelope_key(nd, rs.r[i].entity, key_id, k) == 1) {
			ring_add(nd, key_id, k);
			return 0;
		}
	return -ENOENT;
}

/* A key of group (roles, scope) that nd holds and that serves the roster
 * version its next entry names, at random among those: 0 with k and id,
 * or -ENOENT. */
static int pick_key(struct sim *s, struct sim_node *nd, unsigned roles,
		    const char *scope, uint8_t k[32], uint8_t id[16])
{
	struct recs rs;
	rs.n = 0;
	node_ledger_each_group_key(nd->ledger, roles, scope, collect_rec, &rs);
	struct node_seal_chain chain;
	node_ledger_rosters(nd->ledger, &chain.v, &chain.n);
	uint64_t v = node_ledger_roster(nd->ledger)->version;
	size_t ok[64], n_ok = 0;
	for (size_t i = 0; i < rs.n; i++)
		if (node_seal_key_serves(&chain, roles, scope, rs.r[i].made,
					 v) &&
		    node_key(nd, rs.r[i].key_id, k) == 0)
			ok[n_ok++] = i;
	sodium_memzero(k, 32);
	if (n_ok == 0)
		return -ENOENT;
	memcpy(id, rs.r[ok[splitmix64(&s->rng) % n_ok]].key_id, 16);
	return node_key(nd, id, k);
}

/* Appends to ops (at *n, which it advances) a new key record of group
 * (roles, scope) in nd's next entry of scope: its create, roles, key_id,
 * and an envelope for each member of the group under nd's newest roster.
 * The key to k, its id to id, the record's entity to ent. */
static void key_ops_at(struct sim *s, int maker, const char *scope,
		       uint64_t seq, const struct node_roster *r,
		       unsigned roles, struct crdt_op *ops, size_t *n,
		       struct wbufs *wb, bool fresh, uint8_t k[32],
		       uint8_t id[16], uint8_t ent[16]);

static void key_record_ops(struct sim *s, struct sim_node *nd,
			   const char *scope, unsigned roles,
			   struct crdt_op *ops, size_t *n, struct wbufs *wb,
			   uint8_t k[32], uint8_t id[16], uint8_t ent[16])
{
	uint64_t seq;
	node_ledger_next_seq(nd->ledger, nd->pk, scope, &seq);
	key_ops_at(s, nd->idx, scope, seq, node_ledger_roster(nd->ledger),
		   roles, ops, n, wb, true, k, id, ent);
}

/* The same for member maker's entry seq of scope, enveloping the key for
 * the group's members under r; the key k given unless fresh. */
static void key_ops_at(struct sim *s, int maker, const char *scope,
		       uint64_t seq, const struct node_roster *r,
		       unsigned roles, struct crdt_op *ops, size_t *n,
		       struct wbufs *wb, bool fresh, uint8_t k[32],
		       uint8_t id[16], uint8_t ent[16])
{
	crdt_entity_id(ent, s->node[maker].pk, scope, seq, (uint32_t)*n);
	if (fresh)
		crdt_seal_key_new(k);
	crdt_seal_key_id(k, id);
	if (s->n_makers == s->cap_makers) {
		s->cap_makers = s->cap_makers ? s->cap_makers * 2 : 64;
		s->makers =
		    realloc(s->makers, s->cap_makers * sizeof(*s->makers));
		if (!s->makers)
			abort();
	}
	memcpy(s->makers[s->n_makers].id, id, CRDT_SEAL_KEY_ID_BYTES);
	s->makers[s->n_makers++].node = maker;
	set_op(&ops[(*n)++], CRDT_OP_CREATE, ent, "key");
	char text[96];
	size_t tl = node_schema_roles_text(roles, text, sizeof(text));
	struct crdt_buf *b = wbuf(wb);
	crdt_buf_append(b, (const uint8_t *)text, tl);
	set_op(&ops[*n], CRDT_OP_SET, ent, "roles");
	ops[*n].value.kind = CRDT_VALUE_STR;
	ops[*n].value.p = b->data;
	ops[(*n)++].value.len = tl;
	b = wbuf(wb);
	crdt_buf_append(b, id, 16);
	set_op(&ops[*n], CRDT_OP_SET, ent, "key_id");
	ops[*n].value.kind = CRDT_VALUE_BIN;
	ops[*n].value.p = b->data;
	ops[(*n)++].value.len = 16;
	for (size_t m = 0; m < r->n_members; m++) {
		if (!node_seal_member_in_group(&r->members[m], roles, scope))
			continue;
		uint8_t env[CRDT_SEAL_ENVELOPE_BYTES];
		if (crdt_seal_envelope(env, r->members[m].key, k) != 0)
			abort();
		b = wbuf(wb);
		crdt_buf_append(b, env, sizeof(env));
		set_op(&ops[*n], CRDT_OP_ADD, ent, "envelopes");
		ops[*n].value.kind = CRDT_VALUE_BIN;
		ops[*n].value.p = b->data;
		ops[(*n)++].value.len = sizeof(env);
	}
	s->keys_made += maker < s->n; /* honest keys */
}

/* Node i makes a key record of group (roles, scope) in an entry of its
 * own: 0 when acknowledged (the key then in its ring), or the refusal. */
static int key_write(struct sim *s, int i, unsigned roles, const char *scope,
		     uint8_t k[32], uint8_t id[16])
{
	struct sim_node *nd = &s->node[i];
	struct crdt_op ops[16];
	struct wbufs wb;
	uint8_t ent[16];
	size_t n = 0;
	wb.n = 0;
	key_record_ops(s, nd, scope, roles, ops, &n, &wb, k, id, ent);
	struct node_write w = {scope, n, ops};
	int rc = commit_write(s, i, &w, true, ent);
	wbufs_fini(&wb);
	if (rc == 0)
		ring_add(nd, id, k);
	vlog(s, "node %d makes a key of %s: %d", i, scope, rc);
	return rc;
}

/* The key node i seals a value of group (roles, scope) with in its next
 * write: one it holds that serves, else a fresh one made in a key record
 * entry of its own first, or in the write itself (its ops appended to ops
 * at *n; *inline_ then set: the caller keeps the key once acknowledged).
 * 0, or the refusal of the key record's entry. */
static int write_key(struct sim *s, int i, unsigned roles, const char *scope,
		     struct crdt_op *ops, size_t *n, struct wbufs *wb,
		     uint8_t k[32], uint8_t id[16], bool *inline_)
{
	struct sim_node *nd = &s->node[i];
	*inline_ = false;
	if (pick_key(s, nd, roles, scope, k, id) == 0)
		return 0;
	if (splitmix64(&s->rng) % 2) {
		uint8_t ent[16];
		key_record_ops(s, nd, scope, roles, ops, n, wb, k, id, ent);
		s->keys_inline++;
		*inline_ = true;
		return 0;
	}
	s->keys_apart++;
	return key_write(s, i, roles, scope, k, id);
}

/* text of field of entity sealed under k on nd's network, as a value
 * borrowing wb's memory. */
static void seal_text(struct sim *s, struct sim_node *nd, struct wbufs *wb,
		      const uint8_t k[32], const uint8_t entity[16],
		      const char *field, const char *text,
		      struct crdt_value *out)
{
	uint8_t net[32];
	struct crdt_value pv;
	if (nd->ledger)
		node_ledger_net_id(nd->ledger, net);
	else /* the attacker */
		byz_net_id(s, net);
	str_value(&pv, text);
	struct crdt_buf *b = wbuf(wb);
	if (crdt_seal_value(b, k, net, entity, field, strlen(field), &pv) != 0)
		abort();
	memset(out, 0, sizeof(*out));
	out->kind = CRDT_VALUE_BIN;
	out->p = b->data;
	out->len = b->len;
	s->sealed_values++;
	uint8_t id[CRDT_SEAL_KEY_ID_BYTES];
	crdt_seal_key_id(k, id);
	for (size_t i = 0; i < s->n_makers; i++)
		if (!memcmp(s->makers[i].id, id, sizeof(id))) {
			s->sealed_other_key += s->makers[i].node != nd->idx;
			break;
		}
}

/* How many ops wait for their key record on each live node now (read
 * from the ledger's 'Y' keys, ledger_int.h): the case where a value
 * arrived before its key record, which the run should see often. */
static void sample_waits(struct sim *s)
{
	for (int i = 0; i < s->n; i++) {
		if (!s->node[i].alive)
			continue;
		const uint8_t prefix = 'Y';
		uint64_t n = 0;
		struct node_kv_iter *it =
		    node_kv_iter_new(s->node[i].kv, &prefix, 1);
		for (; it && node_kv_iter_valid(it); node_kv_iter_next(it))
			n++;
		node_kv_iter_free(it);
		s->wait_samples += n > 0;
		if (n > s->wait_max)
			s->wait_max = n;
	}
}

/* Node i adds to a key record of group (roles, scope) that it holds, and
 * whose key it holds, an envelope for a member of the group (as members
 * do for those who join): an op on a record made in another feed, which
 * waits on nodes that do not hold the record's create yet. */
static void envelope_upkeep(struct sim *s, int i, unsigned roles,
			    const char *scope)
{
	struct sim_node *nd = &s->node[i];
	struct recs rs;
	rs.n = 0;
	node_ledger_each_group_key(nd->ledger, roles, scope, collect_rec, &rs);
	if (rs.n == 0)
		return;
	const struct node_key_record *kr =
	    &rs.r[splitmix64(&s->rng) % rs.n];
	const struct node_roster *r = node_ledger_roster(nd->ledger);
	size_t in[MAX_NODES + 1], n_in = 0;
	for (size_t m = 0; m < r->n_members && n_in < MAX_NODES + 1; m++)
		if (node_seal_member_in_group(&r->members[m], roles, scope))
			in[n_in++] = m;
	uint8_t k[32], env[CRDT_SEAL_ENVELOPE_BYTES];
	if (n_in == 0 || node_key(nd, kr->key_id, k) != 0)
		return;
	size_t to = in[splitmix64(&s->rng) % n_in];
	if (crdt_seal_envelope(env, r->members[to].key, k) != 0)
		abort();
	sodium_memzero(k, sizeof(k));
	struct crdt_op op;
	set_op(&op, CRDT_OP_ADD, kr->entity, "envelopes");
	op.value.kind = CRDT_VALUE_BIN;
	op.value.p = env;
	op.value.len = sizeof(env);
	struct node_write w = {scope, 1, &op};
	if (commit_write(s, i, &w, false, kr->entity) == 0)
		s->envelopes_upkeep++;
}

/* Key upkeep: a random live member makes a key record of a group it may
 * key (the ID fields' group of a known patient's scope it covers, or
 * health's group), apart from any write. */
static void key_upkeep(struct sim *s)
{
	int i = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
	struct sim_node *nd = &s->node[i];
	if (!nd->alive || s->n_patients == 0)
		return;
	const struct patient *p =
	    &s->patients[splitmix64(&s->rng) % s->n_patients];
	if (!may_write_scope(nd, p->scope))
		return;
	unsigned roles = nd->role == NODE_ROLE_HEALTH &&
				 splitmix64(&s->rng) % 2
			     ? G_H
			     : G_ALL;
	uint8_t k[32], id[16];
	if (splitmix64(&s->rng) % 3 == 0) {
		envelope_upkeep(s, i, roles, p->scope);
		return;
	}
	if (key_write(s, i, roles, p->scope, k, id) == 0)
		s->keys_upkeep++;
	sodium_memzero(k, sizeof(k));
}

/* Opens sealed value v of field of entity with a key nd holds, into
 * out (a str). 0, or -ENOENT / an error of crdt_seal_open. */
static int open_text(struct sim_node *nd, const uint8_t entity[16],
		     const char *field, const struct crdt_value *v, char *out,
		     size_t cap)
{
	struct crdt_sealed sv;
	uint8_t k[32], net[32];
	if (v->kind != CRDT_VALUE_BIN ||
	    crdt_seal_parse(v->p, v->len, &sv) != 0 ||
	    node_key(nd, sv.key_id, k) != 0)
		return -ENOENT;
	node_ledger_net_id(nd->ledger, net);
	uint8_t *plain = malloc(v->len);
	struct crdt_value pv;
	if (!plain)
		abort();
	int rc = crdt_seal_open(v->p, v->len, k, net, entity, field,
				strlen(field), plain, v->len, &pv);
	if (rc == 0 && (pv.kind != CRDT_VALUE_STR || pv.len >= cap))
		rc = -EINVAL;
	if (rc == 0)
		snprintf(out, cap, "%.*s", (int)pv.len, (const char *)pv.p);
	free(plain);
	sodium_memzero(k, sizeof(k));
	return rc;
}

/* A known follow-up that nd holds and may write, or NULL. */
static const struct patient *pick_followup(struct sim *s, struct sim_node *nd)
{
	if (s->n_followups == 0)
		return NULL;
	size_t start = (size_t)(splitmix64(&s->rng) % s->n_followups);
	for (size_t k = 0; k < s->n_followups; k++) {
		const struct patient *p =
		    &s->followups[(start + k) % s->n_followups];
		struct node_entity ent;
		if (may_write_scope(nd, p->scope) &&
		    node_ledger_entity(nd->ledger, p->id, &ent) == 0 &&
		    ent.valid)
			return p;
	}
	return NULL;
}

/* Health seals a follow-up's medication: a new follow-up of patient p with
 * a line, or on a known follow-up a line added, or one removed (each of
 * its sealed forms as added, with their tags). */
static int sealed_medication(struct sim *s, int i, const struct patient *p)
{
	struct sim_node *nd = &s->node[i];
	struct crdt_op ops[24];
	struct wbufs wb;
	size_t n = 0;
	uint8_t k[32], kid[16], id[16];
	bool inl = false, create = false;
	char scope[13];
	wb.n = 0;
	const struct patient *f = splitmix64(&s->rng) % 3 ? pick_followup(s, nd)
							  : NULL;
	snprintf(scope, sizeof(scope), "%s", f ? f->scope : p->scope);
	if (f) {
		memcpy(id, f->id, 16);
		struct crdt_cell cell;
		if (node_ledger_cell(nd->ledger, id, "medication", &cell) != 0)
			return 1;
		size_t live = 0;
		for (size_t e = 0; e < cell.n_elems; e++)
			live += cell.elems[e].n_tags > 0;
		if (live > 0 && splitmix64(&s->rng) % 3 != 0) {
			/* Remove a line: every sealed form of it present
			 * (one per key it was added under), each with the
			 * tags seen (DESIGN.md section 8, Sets). */
			size_t pick = (size_t)(splitmix64(&s->rng) % live);
			const struct crdt_elem *el = NULL;
			for (size_t e = 0; e < cell.n_elems && !el; e++)
				if (cell.elems[e].n_tags > 0 && pick-- == 0)
					el = &cell.elems[e];
			char line[64], other[64];
			bool known = open_text(nd, id, "medication", &el->value,
					       line, sizeof(line)) == 0;
			struct crdt_dot *all =
			    calloc(cell.n_elems * CRDT_MAX_DOTS + 1,
				   sizeof(*all));
			if (!all)
				abort();
			size_t nd_all = 0;
			for (size_t e = 0; e < cell.n_elems && n < 24; e++) {
				const struct crdt_elem *x = &cell.elems[e];
				if (x->n_tags == 0 ||
				    (x != el &&
				     (!known ||
				      open_text(nd, id, "medication", &x->value,
						other, sizeof(other)) != 0 ||
				      strcmp(line, other) != 0)))
					continue;
				struct crdt_buf *b = wbuf(&wb);
				crdt_buf_append(b, x->value.p, x->value.len);
				set_op(&ops[n], CRDT_OP_REMOVE, id,
				       "medication");
				ops[n].value.kind = CRDT_VALUE_BIN;
				ops[n].value.p = b->data;
				ops[n].value.len = b->len;
				ops[n].dots = all + nd_all;
				for (size_t t = 0;
				     t < x->n_tags && t < CRDT_MAX_DOTS; t++)
					all[nd_all + ops[n].n_dots++] =
					    x->tags[t];
				nd_all += ops[n].n_dots;
				n++;
			}
			crdt_cell_fini(&cell);
			struct node_write w = {scope, n, ops};
			int rc = commit_write(s, i, &w, false, id);
			if (rc == 0) {
				s->sealed_removes++;
				s->sealed_forms_removed += n;
			}
			free(all);
			wbufs_fini(&wb);
			return rc;
		}
		crdt_cell_fini(&cell);
	}
	int krc = write_key(s, i, G_H, scope, ops, &n, &wb, k, kid, &inl);
	if (krc != 0) {
		wbufs_fini(&wb);
		return krc;
	}
	if (!f) {
		uint64_t seq;
		node_ledger_next_seq(nd->ledger, nd->pk, scope, &seq);
		crdt_entity_id(id, nd->pk, scope, seq, (uint32_t)n);
		set_op(&ops[n++], CRDT_OP_CREATE, id, "followup");
		set_op(&ops[n], CRDT_OP_SET, id, "patient");
		ops[n].value.kind = CRDT_VALUE_BIN;
		ops[n].value.p = p->id;
		ops[n++].value.len = 16;
		set_op(&ops[n], CRDT_OP_SET, id, "date");
		str_value(&ops[n++].value, "2024-03-02");
		create = true;
	}
	set_op(&ops[n], CRDT_OP_ADD, id, "medication");
	seal_text(s, nd, &wb, k, id, "medication",
		  meds[splitmix64(&s->rng) % N_MEDS], &ops[n].value);
	n++;
	struct node_write w = {scope, n, ops};
	int rc = commit_write(s, i, &w, create, id);
	if (rc == 0 && inl)
		ring_add(nd, kid, k);
	if (rc == 0 && create)
		record_add(&s->followups, &s->n_followups, &s->cap_followups,
			   id, scope);
	sodium_memzero(k, sizeof(k));
	wbufs_fini(&wb);
	return rc;
}

/* A local write on node who (a random writer when who < 0): 0 when
 * acknowledged, 1 when there was nothing to write, or the refusal. */
static int do_write(struct sim *s, int who)
{
	static const char *sexes[] = {"male", "female"};
	static const char *specials[] = {"not_managed", "floating",
					 "weak_guardianship"};
	int tries = 0, i = who;
	while (who < 0) {
		i = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
		if ((s->node[i].alive && s->node[i].role != NODE_ROLE_CIVIL) ||
		    ++tries >= 20)
			break;
	}
	struct sim_node *nd = &s->node[i];
	if (!nd->alive || nd->role == NODE_ROLE_CIVIL)
		return 1;

	struct crdt_op ops[24];
	struct crdt_dot dots[CRDT_MAX_DOTS];
	struct node_write w;
	struct wbufs wb;
	char scope[13], name[32], phone[32];
	const char *date = "2024-03-01";
	uint8_t id[16], k[32], kid[16];
	struct crdt_cell cell;
	bool have_cell = false, create = false, inl = false;
	size_t n = 0;
	memset(&w, 0, sizeof(w));
	wb.n = 0;
	w.ops = ops;
	const struct patient *p = pick_patient(s, nd);
	uint64_t r = splitmix64(&s->rng) % 100;

	if (nd->role == NODE_ROLE_POLICE) {
		if (!p)
			return 1;
		/* A follow-up record of a visit to the patient. */
		snprintf(scope, sizeof(scope), "%s", p->scope);
		uint64_t seq;
		node_ledger_next_seq(nd->ledger, nd->pk, scope, &seq);
		crdt_entity_id(id, nd->pk, scope, seq, 0);
		set_op(&ops[0], CRDT_OP_CREATE, id, "followup");
		set_op(&ops[1], CRDT_OP_SET, id, "patient");
		ops[1].value.kind = CRDT_VALUE_BIN;
		ops[1].value.p = p->id;
		ops[1].value.len = 16;
		set_op(&ops[2], CRDT_OP_SET, id, "date");
		str_value(&ops[2].value, date);
		w.n_ops = 3;
		create = true;
	} else if (s->sealed && p && r >= 80 &&
		   nd->role == NODE_ROLE_HEALTH) {
		return sealed_medication(s, i, p);
	} else if (!p || r < 40) {
		/* A new patient in the node's township, or one of its
		 * townships for a district health node. */
		if (strlen(nd->scope) == 9)
			snprintf(scope, sizeof(scope), "%s%s", nd->scope,
				 r % 3 == 0 ? "001" : "");
		else /* a district: 6 digits (bounded for -Wformat-truncation)
		      */
			snprintf(scope, sizeof(scope), "%.6s00%d", nd->scope,
				 1 + (int)(r % 2));
		snprintf(name, sizeof(name), "patient-%" PRIu64,
			 s->writes_tried);
		int krc = s->sealed ? write_key(s, i, G_ALL, scope, ops, &n,
						&wb, k, kid, &inl)
				    : 0;
		if (krc != 0) {
			wbufs_fini(&wb);
			return krc;
		}
		uint64_t seq;
		node_ledger_next_seq(nd->ledger, nd->pk, scope, &seq);
		crdt_entity_id(id, nd->pk, scope, seq, (uint32_t)n);
		set_op(&ops[n], CRDT_OP_CREATE, id, "patient");
		set_op(&ops[n + 1], CRDT_OP_SET, id, "name");
		if (s->sealed)
			seal_text(s, nd, &wb, k, id, "name", name,
				  &ops[n + 1].value);
		else
			str_value(&ops[n + 1].value, name);
		set_op(&ops[n + 2], CRDT_OP_SET, id, "sex");
		str_value(&ops[n + 2].value, sexes[r % 2]);
		w.n_ops = n + 3;
		create = true;
	} else {
		snprintf(scope, sizeof(scope), "%s", p->scope);
		memcpy(id, p->id, 16);
		if (r < 70) {
			/* Overwrite the phone, superseding what we see. */
			snprintf(phone, sizeof(phone), "1380000%04" PRIu64,
				 s->writes_tried % 10000);
			int krc = s->sealed ? write_key(s, i, G_ALL, scope, ops,
							&n, &wb, k, kid, &inl)
					    : 0;
			if (krc != 0) {
				wbufs_fini(&wb);
				return krc;
			}
			set_op(&ops[n], CRDT_OP_SET, id, "phone");
			if (s->sealed)
				seal_text(s, nd, &wb, k, id, "phone", phone,
					  &ops[n].value);
			else
				str_value(&ops[n].value, phone);
			if (node_ledger_cell(nd->ledger, id, "phone", &cell) !=
			    0) {
				wbufs_fini(&wb);
				return 1;
			}
			have_cell = true;
			for (size_t c = 0; c < cell.n_live && c < CRDT_MAX_DOTS;
			     c++)
				dots[ops[n].n_dots++] = cell.live[c].dot;
			ops[n].dots = dots;
			w.n_ops = n + 1;
		} else {
			const char *el = specials[r % 3];
			struct crdt_value v;
			str_value(&v, el);
			if (node_ledger_cell(nd->ledger, id, "special",
					     &cell) != 0)
				return 1;
			have_cell = true;
			const struct crdt_elem *e = crdt_cell_find(&cell, &v);
			if (e && r % 2 == 0) {
				set_op(&ops[0], CRDT_OP_REMOVE, id, "special");
				for (size_t c = 0;
				     c < e->n_tags && c < CRDT_MAX_DOTS; c++)
					dots[ops[0].n_dots++] = e->tags[c];
				ops[0].dots = dots;
			} else {
				set_op(&ops[0], CRDT_OP_ADD, id, "special");
			}
			ops[0].value = v;
			w.n_ops = 1;
		}
	}
	w.scope = scope;
	int rc = commit_write(s, i, &w, create, id);
	if (have_cell)
		crdt_cell_fini(&cell);
	wbufs_fini(&wb);
	if (rc == 0 && inl)
		ring_add(nd, kid, k);
	sodium_memzero(k, sizeof(k));
	if (rc != 0)
		return rc;
	if (create && nd->role == NODE_ROLE_POLICE) {
		if (s->sealed)
			record_add(&s->followups, &s->n_followups,
				   &s->cap_followups, id, scope);
	} else if (create) {
		struct patient *np = record_add(&s->patients, &s->n_patients,
						&s->cap_patients, id, scope);
		if (s->sealed) {
			np->sealed = true;
			snprintf(np->name, sizeof(np->name), "%s", name);
			memcpy(np->key_id, kid, 16);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------------- */
/* Byzantine member.                                                       */
/*
 * A roster member that attacks instead of gossiping, with the attacks of
 * issue 8 as messages any member can send without breaking a signature:
 *
 *   claim      the victim's own feed claimed at a huge seq: a PULL from
 *              seq 2^63, an ANNOUNCE at 2^62, an unsolicited ENTRIES there
 *              (an entry of the victim's feed signed with the attacker's
 *              key);
 *   announce   an ANNOUNCE of thousands of random feeds;
 *   forks      FORK proofs of its own feed: it signs two histories and
 *              sends the pairs, many seqs of them;
 *   digests    a flood of DIGESTs;
 *   malformed  bytes that do not decode, another protocol version, an
 *              honest entry with its signature altered, a FORK whose
 *              second entry is forged.
 *
 * It never serves its feed, so no honest log holds its entries: honest
 * nodes must converge among themselves, hold no proof but those naming
 * the attacker, write whenever their store lets them (a probe write on the
 * victim after each attack), and spend a bounded amount on it (their
 * traffic per round over the attack, BYZ_MAX_BYTES and BYZ_MAX_MSGS).
 */

enum byz_kind {
	BYZ_CLAIM,
	BYZ_ANNOUNCE_FLOOD,
	BYZ_FORK_SPAM,
	BYZ_DIGEST_FLOOD,
	BYZ_MALFORMED,
	BYZ_SEALED, /* --sealed only, and only when named in --attacks */
	BYZ_KINDS,
};

static const char *const byz_names[BYZ_KINDS] = {
    "claim", "announce", "forks", "digests", "malformed", "sealed",
};

/* --attacks as given, for the replay line. */
static const char *attack_list = "claim,announce,forks,digests,malformed";

struct byz {
	int idx;
	uint8_t net_id[32];
	/* Two histories of its feed: a[i] and b[i] are both seq i + 1. */
	struct crdt_buf fork_a[BYZ_FORKS], fork_b[BYZ_FORKS];
	size_t next_fork;
	uint64_t attacks[BYZ_KINDS];
	uint64_t msgs;
	/* attacks on sealed fields: its feed in BYZ_SCOPE */
	struct crdt_buf seal_log[BYZ_SEAL_MAX];
	uint8_t seal_ids[BYZ_SEAL_MAX][16]; /* the patient each creates */
	bool seal_patient[BYZ_SEAL_MAX];
	uint64_t seal_effect_at[BYZ_SEAL_MAX]; /* its name, from that seq */
	size_t n_seal;
	uint8_t seal_prev[32];
	uint64_t seal_hlc;
	bool has_wrong;
	uint8_t wrong_k[CRDT_SEAL_KEY_BYTES];
};

/* Signs BYZ_FORKS entries of two different histories of the attacker's
 * feed on two scratch ledgers. */
static int byz_forge_forks(struct sim *s, struct byz *b)
{
	struct sim_node *att = &s->node[b->idx];
	for (int h = 0; h < 2; h++) {
		struct node_kv *kv = node_kv_new_mem();
		struct node_ledger *l;
		struct node_reason why;
		int rc = node_ledger_open(kv, &l);
		if (rc == 0)
			rc = node_ledger_set_roster(l, s->roster, s->roster_len,
						    &why);
		if (rc == 0 && h == 0)
			node_ledger_net_id(l, b->net_id);
		for (int i = 0; rc == 0 && i < BYZ_FORKS; i++) {
			struct crdt_op ops[2];
			uint8_t id[16];
			uint64_t seq;
			char name[32];
			struct node_reason why_r2;
			node_ledger_next_seq(l, att->pk, att->scope, &seq);
			crdt_entity_id(id, att->pk, att->scope, seq, 0);
			memset(ops, 0, sizeof(ops));
			ops[0].code = CRDT_OP_CREATE;
			ops[0].name = "patient";
			ops[0].name_len = 7;
			ops[1].code = CRDT_OP_SET;
			memcpy(ops[1].entity, id, 16);
			ops[1].name = "name";
			ops[1].name_len = 4;
			snprintf(name, sizeof(name), "%c-%d", "ab"[h], i);
			if (s->sealed) { /* names are sealed: sex differs */
				ops[1].name = "sex";
				ops[1].name_len = 3;
				snprintf(name, sizeof(name), "%s",
					 h ? "female" : "male");
			}
			ops[1].value.kind = CRDT_VALUE_STR;
			ops[1].value.p = (const uint8_t *)name;
			ops[1].value.len = strlen(name);
			struct node_write w = {att->scope, 2, ops};
			rc = node_ledger_write(l, att->sk, att->pk, &w,
					       EPOCH_MS + (uint64_t)i * 10 +
						   (uint64_t)h,
					       &seq, &why_r2);
			struct crdt_buf *out =
			    h ? &b->fork_b[i] : &b->fork_a[i];
			crdt_buf_init(out);
			if (rc == 0 &&
			    node_ledger_read_range(l, att->pk, att->scope, seq,
						   1, 1u << 20, out) != 1)
				rc = -EIO;
		}
		node_ledger_close(l);
		node_kv_close(kv);
		if (rc) {
			fail(s, "attacker: forging its forks failed: %d", rc);
			return rc;
		}
	}
	return 0;
}

static void byz_free(struct byz *b)
{
	if (!b)
		return;
	for (int i = 0; i < BYZ_FORKS; i++) {
		crdt_buf_fini(&b->fork_a[i]);
		crdt_buf_fini(&b->fork_b[i]);
	}
	for (size_t i = 0; i < b->n_seal; i++)
		crdt_buf_fini(&b->seal_log[i]);
	sodium_memzero(b->wrong_k, sizeof(b->wrong_k));
	free(b);
}

static void byz_send(struct sim *s, int victim, const struct crdt_buf *m)
{
	s->byz->msgs++;
	net_send(s, s->byz->idx, victim, m->data, m->len);
}

static void byz_send_msg(struct sim *s, int victim,
			 const struct net_wire_msg *m)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	net_wire_encode(&b, m);
	byz_send(s, victim, &b);
	crdt_buf_fini(&b);
}

/* One of the victim's own feeds (its scope when it has written none). */
static void victim_feed(struct sim *s, struct sim_node *v, char scope[13])
{
	struct node_feed_head *h;
	size_t n, own = 0;
	snprintf(scope, 13, "%s", v->scope);
	if (node_ledger_heads(v->ledger, &h, &n) != 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (!memcmp(h[i].author, v->pk, 32))
			own++;
	size_t pick = own ? (size_t)(splitmix64(&s->rng) % own) : 0;
	for (size_t i = 0; i < n; i++)
		if (!memcmp(h[i].author, v->pk, 32) && pick-- == 0) {
			snprintf(scope, 13, "%s", h[i].scope);
			break;
		}
	free(h);
}

/* An entry of the victim's feed at seq, signed with the attacker's key. */
static void forged_entry(struct sim *s, const struct sim_node *v,
			 const char *scope, uint64_t seq, struct crdt_buf *out)
{
	struct crdt_entry e;
	struct crdt_op op;
	struct crdt_buf body;
	uint8_t sig[64];
	memset(&e, 0, sizeof(e));
	memset(&op, 0, sizeof(op));
	memcpy(e.author, v->pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", scope);
	e.seq = seq;
	for (int k = 0; k < 32; k++)
		e.prev[k] = (uint8_t)splitmix64(&s->rng);
	e.hlc = (s->now + 1000) << 16;
	e.roster_version = 1;
	op.code = CRDT_OP_CREATE;
	op.name = "patient";
	op.name_len = 7;
	crdt_entity_id(op.entity, v->pk, scope, seq, 0);
	e.n_ops = 1;
	e.ops = &op;
	crdt_buf_init(&body);
	crdt_entry_encode_body(&body, &e);
	crdt_entry_sign(sig, s->byz->net_id, body.data, body.len,
			s->node[s->byz->idx].sk);
	crdt_entry_encode_wire(out, body.data, body.len, sig);
	crdt_buf_fini(&body);
}

static void random_scope(struct sim *s, char scope[13])
{
	static const int lens[] = {2, 4, 6, 9, 12};
	int len = lens[splitmix64(&s->rng) % 5];
	for (int k = 0; k < len; k++)
		scope[k] = (char)('0' + splitmix64(&s->rng) % 10);
	scope[len - 1] = (char)('1' + splitmix64(&s->rng) % 9); /* not 00 */
	scope[len] = 0;
}

static void byz_claim(struct sim *s, struct sim_node *v)
{
	struct net_wire_msg m;
	struct net_wire_feed f;
	char scope[13];
	victim_feed(s, v, scope);
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_PULL;
	memcpy(m.author, v->pk, 32);
	snprintf(m.scope, sizeof(m.scope), "%s", scope);
	m.from_seq = UINT64_C(1) << 63;
	m.max_entries = NET_WIRE_MAX_PULL_ENTRIES;
	byz_send_msg(s, v->idx, &m);

	memset(&f, 0, sizeof(f));
	memcpy(f.author, v->pk, 32);
	snprintf(f.scope, sizeof(f.scope), "%s", scope);
	f.seq = UINT64_C(1) << 62;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ANNOUNCE;
	m.n_feeds = 1;
	m.feeds = &f;
	byz_send_msg(s, v->idx, &m);

	struct crdt_buf e;
	crdt_buf_init(&e);
	forged_entry(s, v, scope, UINT64_C(1) << 62, &e);
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ENTRIES;
	memcpy(m.author, v->pk, 32);
	snprintf(m.scope, sizeof(m.scope), "%s", scope);
	m.from_seq = UINT64_C(1) << 62;
	m.have_seq = (UINT64_C(1) << 62) + 1000;
	m.n_entries = 1;
	m.entries = e.data;
	m.entries_len = e.len;
	byz_send_msg(s, v->idx, &m);
	crdt_buf_fini(&e);
}

static void byz_announce_flood(struct sim *s, struct sim_node *v)
{
	struct net_wire_feed *f = calloc(BYZ_ANNOUNCE, sizeof(*f));
	if (!f)
		abort();
	for (size_t i = 0; i < BYZ_ANNOUNCE; i++) {
		for (int k = 0; k < 32; k++)
			f[i].author[k] = (uint8_t)splitmix64(&s->rng);
		random_scope(s, f[i].scope);
		f[i].seq = urange(&s->rng, 1, UINT64_C(1) << 40);
	}
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ANNOUNCE;
	m.n_feeds = BYZ_ANNOUNCE;
	m.feeds = f;
	byz_send_msg(s, v->idx, &m);
	free(f);
}

static void byz_fork_spam(struct sim *s, struct sim_node *v)
{
	struct byz *b = s->byz;
	for (int k = 0; k < 8; k++) {
		size_t i = b->next_fork++ % BYZ_FORKS;
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_FORK;
		m.a = b->fork_a[i].data;
		m.a_len = b->fork_a[i].len;
		m.b = b->fork_b[i].data;
		m.b_len = b->fork_b[i].len;
		byz_send_msg(s, v->idx, &m);
	}
}

static void byz_digest_flood(struct sim *s, struct sim_node *v)
{
	for (int k = 0; k < BYZ_DIGESTS; k++) {
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_DIGEST;
		for (int j = 0; j < 32; j++) {
			m.digest[j] = (uint8_t)splitmix64(&s->rng);
			m.state[j] = (uint8_t)splitmix64(&s->rng);
		}
		byz_send_msg(s, v->idx, &m);
	}
}

static void byz_malformed(struct sim *s, struct sim_node *v)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	switch (splitmix64(&s->rng) % 4) {
	case 0: { /* noise */
		size_t len = (size_t)urange(&s->rng, 1, 300);
		for (size_t k = 0; k < len; k++) {
			uint8_t c = (uint8_t)splitmix64(&s->rng);
			crdt_buf_append(&b, &c, 1);
		}
		break;
	}
	case 1: { /* protocol version 2 */
		crdt_pack_array(&b, 4);
		crdt_pack_uint(&b, 2);
		crdt_pack_uint(&b, NET_WIRE_DIGEST);
		uint8_t z[32] = {0};
		crdt_pack_bin(&b, z, 32);
		crdt_pack_bin(&b, z, 32);
		break;
	}
	case 2: { /* an honest entry, its signature altered */
		struct crdt_buf e;
		char scope[13];
		crdt_buf_init(&e);
		victim_feed(s, v, scope);
		if (node_ledger_read_range(v->ledger, v->pk, scope, 1, 1,
					   1u << 20, &e) != 1)
			forged_entry(s, v, scope, 1, &e);
		e.data[e.len - 1] ^= 0x01;
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_ENTRIES;
		memcpy(m.author, v->pk, 32);
		snprintf(m.scope, sizeof(m.scope), "%s", scope);
		m.from_seq = 1;
		m.have_seq = 1;
		m.n_entries = 1;
		m.entries = e.data;
		m.entries_len = e.len;
		net_wire_encode(&b, &m);
		crdt_buf_fini(&e);
		break;
	}
	default: { /* a FORK whose second entry is forged */
		struct crdt_buf e;
		crdt_buf_init(&e);
		crdt_buf_append(&e, s->byz->fork_b[0].data,
				s->byz->fork_b[0].len);
		e.data[e.len - 1] ^= 0x01;
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_FORK;
		m.a = s->byz->fork_a[0].data;
		m.a_len = s->byz->fork_a[0].len;
		m.b = e.data;
		m.b_len = e.len;
		net_wire_encode(&b, &m);
		crdt_buf_fini(&e);
		break;
	}
	}
	byz_send(s, v->idx, &b);
	crdt_buf_fini(&b);
}

/* --attacks sealed (with --sealed): the attacker signs entries of its own
 * feed in BYZ_SCOPE that abuse sealed fields, and they reach a random
 * honest node (as if it had served them): a name in plaintext, a
 * truncated box, a name sealed under the key of a group that does not
 * read names (a key record of its own for township and police), a sealed
 * value in a field that is not sealed, and a name sealed under a key no
 * record names. Every one is a valid entry: honest nodes store it, judge
 * it the same way in any order (findings, or values waiting for ever)
 * and pass it on, and must converge with it. */
#define BYZ_SCOPE "120116002001"

static void byz_net_id(const struct sim *s, uint8_t out[32])
{
	memcpy(out, s->byz->net_id, 32);
}

/* Signs ops as the attacker's next entry of BYZ_SCOPE and keeps it:
 * patient is the record it creates (NULL: none), whose name must be in
 * effect once the feed reaches seq effect_at (0: never). */
static void byz_seal_entry(struct sim *s, struct crdt_op *ops, size_t n,
			   const uint8_t *patient, uint64_t effect_at)
{
	struct byz *b = s->byz;
	struct sim_node *att = &s->node[b->idx];
	struct crdt_entry e;
	struct crdt_buf body;
	uint8_t sig[64];
	memset(&e, 0, sizeof(e));
	memcpy(e.author, att->pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", BYZ_SCOPE);
	e.seq = b->n_seal + 1;
	memcpy(e.prev, b->seal_prev, 32);
	e.hlc = (s->now << 16) > b->seal_hlc ? s->now << 16 : b->seal_hlc + 1;
	e.roster_version = 1;
	e.n_ops = n;
	e.ops = ops;
	crdt_buf_init(&body);
	crdt_entry_encode_body(&body, &e);
	crdt_entry_sign(sig, b->net_id, body.data, body.len, att->sk);
	crdt_buf_init(&b->seal_log[b->n_seal]);
	crdt_entry_encode_wire(&b->seal_log[b->n_seal], body.data, body.len,
			       sig);
	crdt_entry_hash(b->seal_prev, body.data, body.len, sig);
	crdt_buf_fini(&body);
	b->seal_patient[b->n_seal] = patient != NULL;
	if (patient)
		memcpy(b->seal_ids[b->n_seal], patient, 16);
	b->seal_effect_at[b->n_seal] = effect_at;
	b->seal_hlc = e.hlc;
	b->n_seal++;
}

static void byz_sealed(struct sim *s, struct sim_node *v)
{
	struct byz *b = s->byz;
	struct sim_node *att = &s->node[b->idx];
	const struct node_roster *r1 = node_ledger_roster_at(v->ledger, 1);
	if (!r1 || b->n_seal + 2 > BYZ_SEAL_MAX)
		return;
	struct crdt_op ops[24];
	struct wbufs wb;
	size_t n = 0;
	uint64_t seq = b->n_seal + 1, effect_at = 0;
	uint8_t id[16], k[32], kid[16], ent[16];
	struct crdt_value sv;
	wb.n = 0;
	unsigned variant = (unsigned)(splitmix64(&s->rng) % 7);
	if ((variant == 2 || variant == 3) && !b->has_wrong) {
		key_ops_at(s, b->idx, BYZ_SCOPE, seq, r1,
			   NODE_ROLE_BIT(NODE_ROLE_TOWNSHIP) |
			       NODE_ROLE_BIT(NODE_ROLE_POLICE),
			   ops, &n, &wb, true, b->wrong_k, kid, ent);
		b->has_wrong = true;
	}
	crdt_entity_id(id, att->pk, BYZ_SCOPE, seq, (uint32_t)n);
	set_op(&ops[n++], CRDT_OP_CREATE, id, "patient");
	set_op(&ops[n], CRDT_OP_SET, id, "name");
	size_t name_op = n;
	switch (variant) {
	case 0: /* plaintext in a sealed field */
		str_value(&ops[n++].value, "byz-plain");
		break;
	case 1: /* a truncated box */
		crdt_seal_key_new(k);
		seal_text(s, att, &wb, k, id, "name", "byz-truncated", &sv);
		sv.len -= (size_t)urange(&s->rng, 1, sv.len - 1);
		ops[n++].value = sv;
		break;
	case 2: /* another group's key */
		seal_text(s, att, &wb, b->wrong_k, id, "name", "byz-wrong",
			  &ops[n++].value);
		break;
	case 3: /* sealed bytes in a field that is not sealed */
		str_value(&ops[n++].value, "byz");
		set_op(&ops[n], CRDT_OP_SET, id, "sex");
		seal_text(s, att, &wb, b->wrong_k, id, "sex", "male",
			  &ops[n++].value);
		break;
	case 4: /* a key no record names */
		crdt_seal_key_new(k);
		seal_text(s, att, &wb, k, id, "name", "byz-nokey",
			  &ops[n++].value);
		break;
	case 5: /* valid, out of order: the key record after the name in
		 * the same entry; the name waits for it, then takes effect */
		n++;
		key_ops_at(s, b->idx, BYZ_SCOPE, seq, r1, G_ALL, ops, &n, &wb,
			   true, k, kid, ent);
		seal_text(s, att, &wb, k, id, "name", "byz-late-key",
			  &ops[name_op].value);
		effect_at = seq;
		break;
	default: /* valid: the key record in the attacker's next entry */
		crdt_seal_key_new(k);
		seal_text(s, att, &wb, k, id, "name", "byz-next-key",
			  &ops[n++].value);
		effect_at = seq + 1;
		break;
	}
	s->sealed_values -= variant != 0; /* counts honest values */
	byz_seal_entry(s, ops, n, id, effect_at);
	if (variant == 6) {
		n = 0;
		key_ops_at(s, b->idx, BYZ_SCOPE, seq + 1, r1, G_ALL, ops, &n,
			   &wb, false, k, kid, ent);
		byz_seal_entry(s, ops, n, NULL, 0);
	}
	sodium_memzero(k, sizeof(k));
	wbufs_fini(&wb);
	/* The victim gets what it lacks of the feed. */
	uint64_t have = node_ledger_feed_seq(v->ledger, att->pk, BYZ_SCOPE);
	struct node_txn *t = node_ledger_begin(v->ledger);
	size_t applied = 0;
	for (uint64_t q = have; q < b->n_seal; q++) {
		enum node_ingest res;
		enum node_msg why = MSG_NONE;
		int rc = node_txn_ingest(t, b->seal_log[q].data,
					 b->seal_log[q].len, false, &res, &why);
		if (rc != 0) {
			fail(s, "node %d rejected the attacker's sealed entry "
				"%" PRIu64 ": %d %s",
			     v->idx, q + 1, rc,
			     node_catalog_text(NODE_LANG_EN, why));
			break;
		}
		applied++;
	}
	if (applied == 0 || node_txn_commit(t, true) != 0) {
		if (applied == 0)
			node_txn_abort(t);
		return;
	}
	vlog(s, "attacker's sealed entries %" PRIu64 "..%zu on node %d",
	     have + 1, b->n_seal, v->idx);
}

/* One attack on a random live honest node, then a probe write on it once
 * the attack has arrived. */
static void byz_attack(struct sim *s)
{
	int v = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
	struct sim_node *nd = &s->node[v];
	enum byz_kind kinds[BYZ_KINDS];
	unsigned n_kinds = 0;
	for (int i = 0; i < BYZ_KINDS; i++)
		if (s->attacks >> i & 1)
			kinds[n_kinds++] = (enum byz_kind)i;
	enum byz_kind k = kinds[splitmix64(&s->rng) % n_kinds];
	if (nd->alive) {
		if (s->attack_from == 0) {
			s->attack_from = s->now;
			s->attack_msgs0 = s->honest_msgs;
			s->attack_bytes0 = s->honest_bytes;
		}
		s->byz->attacks[k]++;
		vlog(s, "attack %s on node %d", byz_names[k], v);
		switch (k) {
		case BYZ_CLAIM:
			byz_claim(s, nd);
			break;
		case BYZ_ANNOUNCE_FLOOD:
			byz_announce_flood(s, nd);
			break;
		case BYZ_FORK_SPAM:
			byz_fork_spam(s, nd);
			break;
		case BYZ_DIGEST_FLOOD:
			byz_digest_flood(s, nd);
			break;
		case BYZ_SEALED:
			byz_sealed(s, nd);
			break;
		default:
			byz_malformed(s, nd);
			break;
		}
		ev_at(s, s->delay_min_ms + s->delay_jitter_ms + 40, EV_PROBE, v,
		      (int)k);
	}
	if (s->now + 1000 < s->healed_at)
		ev_at(s, urange(&s->rng, 200, 1500), EV_ATTACK, 0, 0);
}

/* The victim of attack kind must still write: only its store may refuse
 * (an injected fault), never the attack. */
static void byz_probe(struct sim *s, int v, int kind)
{
	if (s->healed || !s->node[v].alive)
		return;
	int rc = do_write(s, v);
	/* A member revoked by a roster version (--rosters) is refused
	 * writes past its bound: the roster's doing, not the attack's. */
	const struct node_member *m =
	    node_ledger_member(s->node[v].ledger, s->node[v].pk);
	if (rc == -EPERM && m && m->n_revoked > 0)
		return;
	if (rc < 0 && rc != -EIO && rc != -ENOSPC)
		fail(s, "node %d refused a write after attack %s: %d", v,
		     byz_names[kind], rc);
}

/* Honest traffic per node per round over the attack: bounded. */
static void byz_cost(struct sim *s)
{
	if (!s->byz || s->attack_from == 0)
		return;
	uint64_t rounds = (s->now - s->attack_from) / s->gcfg.round_ms;
	if (rounds == 0)
		rounds = 1;
	s->attack_msgs_per_round =
	    (s->honest_msgs - s->attack_msgs0) / rounds / (uint64_t)s->n;
	s->attack_bytes_per_round =
	    (s->honest_bytes - s->attack_bytes0) / rounds / (uint64_t)s->n;
	if (s->attack_bytes_per_round > BYZ_MAX_BYTES ||
	    s->attack_msgs_per_round > BYZ_MAX_MSGS)
		fail(s,
		     "under attack honest nodes sent %" PRIu64
		     " messages, %" PRIu64 " bytes per node per round",
		     s->attack_msgs_per_round, s->attack_bytes_per_round);
}

/* Proofs naming anyone but the attacker (a false alarm among honest
 * nodes). */
struct proof_tally {
	const uint8_t *attacker; /* NULL: no attacker */
	size_t others;
};

static int tally_proof(void *arg, enum node_proof_kind kind, const uint8_t *a,
		       size_t a_len, const uint8_t *b, size_t b_len)
{
	struct proof_tally *t = arg;
	struct crdt_entry e;
	bool attackers = false;
	(void)b;
	(void)b_len;
	if (kind == NODE_PROOF_FORK && t->attacker &&
	    crdt_entry_decode(a, a_len, &e, NULL) == 0) {
		attackers = !memcmp(e.author, t->attacker, 32);
		crdt_entry_fini(&e);
	}
	if (!attackers)
		t->others++;
	return 0;
}

static size_t honest_proofs(struct sim *s, struct sim_node *nd)
{
	struct proof_tally t = {s->byz ? s->node[s->byz->idx].pk : NULL, 0};
	node_proofs_each(nd->ledger, tally_proof, &t);
	return t.others;
}

/* ---------------------------------------------------------------------- */
/* Faults.                                                                 */

static int alive_count(const struct sim *s)
{
	int k = 0;
	for (int i = 0; i < s->n; i++)
		k += s->node[i].alive;
	return k;
}

static void chaos(struct sim *s)
{
	uint64_t r = splitmix64(&s->rng) % 100;
	if (r < 12 && alive_count(s) > 2) {
		int i = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
		if (s->node[i].alive) {
			node_crash(s, &s->node[i]);
			ev_at(s, urange(&s->rng, 200, 8000), EV_RESTART, i, 0);
		}
	} else if (r < 27) {
		/* A partition: a random side cut off from the rest, in both
		 * directions or one only, for a while. */
		uint64_t side = splitmix64(&s->rng);
		int mode = (int)(splitmix64(&s->rng) % 3); /* 0 both, 1, 2 */
		struct ev e;
		memset(&e, 0, sizeof(e));
		e.kind = EV_UNBLOCK;
		e.at = s->now + urange(&s->rng, 1000, 10000);
		e.block_ab = mode != 2;
		e.block_ba = mode != 1;
		e.side = (unsigned)(side & 0xff);
		for (int i = 0; i < s->n; i++)
			for (int j = 0; j < s->n; j++) {
				bool in_i = e.side >> i & 1,
				     in_j = e.side >> j & 1;
				if (in_i && !in_j && e.block_ab)
					s->block[i][j] = true;
				if (!in_i && in_j && e.block_ba)
					s->block[i][j] = true;
			}
		ev_push(s, e);
		s->partitions++;
		vlog(s, "partition side=%#x mode=%d", e.side, mode);
	} else if (r < 37) {
		int i = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
		int j = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
		if (i != j && s->conn[i][j]) {
			conn_down(s, i, j);
			ev_at(s, urange(&s->rng, 100, 5000), EV_CONN_UP, i, j);
			s->flaps++;
			vlog(s, "connection %d-%d drops", i, j);
		}
	} else if (r < 45) {
		/* A store fault for a while: failed writes, failed syncs or
		 * a full disk, every write or some of them. */
		int i = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
		enum node_kv_fault kind =
		    (enum node_kv_fault)(splitmix64(&s->rng) % 3);
		unsigned per_mille = (unsigned)urange(&s->rng, 100, 1000);
		node_kv_mem_fault(s->node[i].kv, kind, urange(&s->rng, 0, 3),
				  per_mille, splitmix64(&s->rng));
		ev_at(s, urange(&s->rng, 200, 6000), EV_FAULT_END, i, 0);
		s->io_faults++;
		vlog(s, "store fault %d (%u/1000) on node %d", (int)kind,
		     per_mille, i);
	}
	if (s->now + CHAOS_MS < s->healed_at)
		ev_at(s, CHAOS_MS, EV_CHAOS, 0, 0);
}

static void unblock(struct sim *s, const struct ev *e)
{
	if (s->healed)
		return;
	for (int i = 0; i < s->n; i++)
		for (int j = 0; j < s->n; j++) {
			bool in_i = e->side >> i & 1, in_j = e->side >> j & 1;
			if (in_i && !in_j && e->block_ab)
				s->block[i][j] = false;
			if (!in_i && in_j && e->block_ba)
				s->block[i][j] = false;
		}
}

static void heal(struct sim *s)
{
	s->healed = true;
	s->loss_pct = 0;
	s->dup_pct = 0;
	memset(s->block, 0, sizeof(s->block));
	byz_cost(s);
	for (int i = 0; i < s->n; i++) {
		node_kv_mem_fault_clear(s->node[i].kv);
		node_restart(s, &s->node[i]);
	}
	for (int i = 0; i < s->n; i++)
		for (int j = i + 1; j < s->n_all; j++)
			conn_up(s, i, j);
	vlog(s, "heal");
	ev_at(s, CHECK_MS, EV_CHECK, 0, 0);
}

/* ---------------------------------------------------------------------- */
/* Convergence.                                                            */

static bool ack_held(struct sim *s, struct sim_node *nd, const struct ack *ak)
{
	if (node_ledger_feed_seq(nd->ledger, s->node[ak->node].pk,
				 ak->scope) < ak->seq)
		return false;
	/* Revoked after it was acknowledged: held, without effect. */
	if (ak->seq > node_ledger_bound(nd->ledger, s->node[ak->node].pk,
					ak->scope))
		return true;
	if (ak->create) {
		struct node_entity ent;
		if (node_ledger_entity(nd->ledger, ak->id, &ent) != 0 ||
		    !ent.valid)
			return false;
	}
	return true;
}

static bool converged(struct sim *s, bool report)
{
	uint8_t d0[32], d[32], v0[32], v[32];
	s->final_check |= report;
	struct net_wire_feed *f;
	size_t n;
	for (int i = 0; i < s->n; i++) {
		struct sim_node *nd = &s->node[i];
		if (!nd->alive)
			return false;
		node_ledger_digest(nd->ledger, i == 0 ? d0 : d);
		if (node_replica_ops.vv(&nd->rep, &f, &n) != 0)
			return false;
		net_gossip_vv_digest(f, n, i == 0 ? v0 : v);
		free(f);
		if (i > 0 && memcmp(v0, v, 32) != 0) {
			if (report)
				fail(s,
				     "node %d's version vector differs "
				     "from node 0's",
				     i);
			return false;
		}
		if (i > 0 && memcmp(node_ledger_roster(nd->ledger)->body_hash,
				    node_ledger_roster(s->node[0].ledger)->body_hash,
				    32) != 0) {
			if (report)
				fail(s, "node %d's roster (version %" PRIu64
					") differs from node 0's (version %" PRIu64 ")",
				     i, node_ledger_roster(nd->ledger)->version,
				     node_ledger_roster(s->node[0].ledger)->version);
			return false;
		}
		if (i > 0 && memcmp(d0, d, 32) != 0) {
			if (report)
				fail(s,
				     "node %d's state digest differs from "
				     "node 0's with the same vector",
				     i);
			return false;
		}
		/* Honest nodes, crashes and all, never prove each other
		 * wrong: a proof here is a false alarm. */
		if (honest_proofs(s, nd) != 0) {
			fail(s, "node %d holds a fork or divergence proof "
				"among honest nodes", i);
			return false;
		}
	}
	for (size_t k = 0; k < s->n_acks; k++)
		for (int i = 0; i < s->n; i++)
			if (!ack_held(s, &s->node[i], &s->acks[k])) {
				if (report)
					fail(s,
					     "acknowledged write %zu (node %d "
					     "scope %s seq %" PRIu64
					     ") missing on node %d",
					     k, s->acks[k].node,
					     s->acks[k].scope, s->acks[k].seq,
					     i);
				return false;
			}
	return true;
}

static uint64_t bytes_sent(const struct sim *s)
{
	uint64_t total = 0;
	for (int i = 0; i < s->n; i++) {
		struct net_gossip_stats st;
		net_gossip_stats(s->node[i].g, &st);
		total += st.bytes_sent;
	}
	return total;
}

/* --sealed, after convergence: on every honest node, each acknowledged
 * patient's name opens, with the keys the node holds, to the name its
 * writer wrote, wherever the node holds a usable key record of the key
 * the writer used and the node was in the group the record was made for;
 * every other sealed value the node holds a key for (phones, follow-up
 * medication) opens. */
static bool check_cell(struct sim *s, struct sim_node *nd,
		       const uint8_t entity[16], const char *field,
		       const char *expect)
{
	struct crdt_cell cell;
	uint8_t net[32], k[32];
	node_ledger_net_id(nd->ledger, net);
	if (node_ledger_cell(nd->ledger, entity, field, &cell) != 0) {
		fail(s, "node %d: %s cell unreadable", nd->idx, field);
		return false;
	}
	bool ok = true;
	size_t n = cell.is_set ? cell.n_elems : cell.n_live;
	for (size_t i = 0; i < n && ok; i++) {
		const struct crdt_value *v =
		    cell.is_set ? &cell.elems[i].value : &cell.live[i].value;
		struct crdt_sealed sv;
		if (cell.is_set && cell.elems[i].n_tags == 0)
			continue;
		if (v->kind != CRDT_VALUE_BIN ||
		    crdt_seal_parse(v->p, v->len, &sv) != 0) {
			fail(s, "node %d: a %s value in effect is not sealed",
			     nd->idx, field);
			ok = false;
			break;
		}
		s->sealed_checked++;
		if (node_key(nd, sv.key_id, k) != 0)
			continue;
		uint8_t *plain = malloc(v->len);
		struct crdt_value pv;
		if (!plain)
			abort();
		int rc = crdt_seal_open(v->p, v->len, k, net, entity, field,
					strlen(field), plain, v->len, &pv);
		if (rc != 0) {
			fail(s, "node %d: a sealed %s fails to open: %d",
			     nd->idx, field, rc);
			ok = false;
		} else if (pv.kind != CRDT_VALUE_STR ||
			   (expect && (pv.len != strlen(expect) ||
				       memcmp(pv.p, expect, pv.len)))) {
			fail(s, "node %d: sealed %s opens to '%.*s', not '%s'",
			     nd->idx, field, (int)pv.len, (const char *)pv.p,
			     expect ? expect : "a str");
			ok = false;
		} else {
			s->sealed_opened++;
		}
		free(plain);
	}
	sodium_memzero(k, sizeof(k));
	crdt_cell_fini(&cell);
	return ok;
}

static void check_sealed(struct sim *s)
{
	for (int i = 0; i < s->n && !s->failure[0]; i++) {
		struct sim_node *nd = &s->node[i];
		/* Opened again from the store, as after a restart. */
		ring_clear(nd);
		for (size_t p = 0; p < s->n_patients && !s->failure[0]; p++) {
			const struct patient *pt = &s->patients[p];
			struct node_entity ent;
			struct crdt_cell cell;
			if (!pt->sealed ||
			    node_ledger_entity(nd->ledger, pt->id, &ent) != 0 ||
			    !ent.valid)
				continue; /* revoked past its bound */
			struct recs rs;
			rs.n = 0;
			node_ledger_each_key_id(nd->ledger, pt->key_id,
						collect_rec, &rs);
			const struct node_key_record *kr = NULL;
			for (size_t k = 0; k < rs.n && !kr; k++)
				if (rs.r[k].roles == G_ALL &&
				    !strcmp(rs.r[k].scope, pt->scope))
					kr = &rs.r[k];
			if (node_ledger_cell(nd->ledger, pt->id, "name",
					     &cell) != 0)
				continue;
			size_t live = cell.n_live;
			crdt_cell_fini(&cell);
			if (!kr) {
				/* The key record lost its effect (revoked):
				 * the name waits for it. */
				if (live != 0)
					fail(s, "node %d: patient %s's name "
						"took effect without its key "
						"record",
					     i, pt->name);
				continue;
			}
			if (live != 1) {
				fail(s, "node %d: patient %s has %zu names "
					"with its key record held",
				     i, pt->name, live);
				break;
			}
			const struct node_roster *r =
			    node_ledger_roster_at(nd->ledger, kr->made);
			const struct node_member *m =
			    r ? node_roster_find(r, nd->pk) : NULL;
			uint8_t k[32];
			bool member = m && node_seal_member_in_group(
					       m, G_ALL, pt->scope);
			if (member && node_key(nd, pt->key_id, k) != 0) {
				fail(s, "node %d: no key to open patient %s's "
					"name, a member of its group",
				     i, pt->name);
				break;
			}
			sodium_memzero(k, sizeof(k));
			if (member && !check_cell(s, nd, pt->id, "name",
						  pt->name))
				break;
			if (!check_cell(s, nd, pt->id, "phone", NULL))
				break;
		}
		for (size_t f = 0; f < s->n_followups && !s->failure[0]; f++)
			check_cell(s, nd, s->followups[f].id, "medication",
				   NULL);
		/* The attacker's abuses of sealed fields held here: none of
		 * its names or sexes took effect, but the valid names whose
		 * key record came after them, once it is held. */
		uint64_t held =
		    s->byz ? node_ledger_feed_seq(nd->ledger,
						  s->node[s->byz->idx].pk,
						  BYZ_SCOPE)
			   : 0;
		for (uint64_t q = 0; q < held && !s->failure[0]; q++) {
			static const char *const fields[] = {"name", "sex"};
			const struct byz *b = s->byz;
			if (!b->seal_patient[q])
				continue;
			bool named = b->seal_effect_at[q] != 0 &&
				     held >= b->seal_effect_at[q];
			for (int f = 0; f < 2; f++) {
				struct crdt_cell cell;
				if (node_ledger_cell(nd->ledger,
						     b->seal_ids[q],
						     fields[f], &cell) != 0)
					continue;
				size_t live = cell.n_live;
				crdt_cell_fini(&cell);
				if (live != (f == 0 && named ? 1u : 0u))
					fail(s, "node %d: the attacker's "
						"sealed-field entry %" PRIu64
						" has %zu %s values",
					     i, q + 1, live, fields[f]);
			}
			s->byz_sealed_held++;
		}
	}
}

/* After convergence and a quiet spell: still converged, and the rounds
 * cost little. */
static void idle_end(struct sim *s)
{
	uint64_t rounds = IDLE_MS / s->gcfg.round_ms;
	s->idle_bytes_per_round =
	    (bytes_sent(s) - s->idle_bytes0) / rounds / (uint64_t)s->n;
	if (!converged(s, true))
		fail(s, "replicas diverged again while idle");
	else if (s->idle_bytes_per_round >= IDLE_MAX_BYTES) {
		fail(s, "idle traffic %" PRIu64 " bytes per node per round",
		     s->idle_bytes_per_round);
	}
	if (s->sealed && !s->failure[0])
		check_sealed(s);
	s->done = true;
}

/* ---------------------------------------------------------------------- */
/* Events.                                                                 */

static void ingest(struct sim *s, struct sim_node *nd, const struct ev *e)
{
	struct crdt_mp_cursor c;
	size_t applied = 0, verified = 0;
	int rc = 0;
	/* Signatures first, as wardd's workers check them: what verified is
	 * the evidence the write-safety rule believes. */
	uint8_t net_id[32];
	node_ledger_net_id(nd->ledger, net_id);
	crdt_mp_cursor_init(&c, e->bytes, e->len, true);
	for (size_t k = 0; k < e->count; k++) {
		const uint8_t *start = c.p;
		struct crdt_entry en;
		if (crdt_mp_skip(&c) != 0 ||
		    crdt_entry_decode(start, (size_t)(c.p - start), &en, NULL))
			break;
		bool ok = crdt_entry_verify(en.sig, net_id, en.body,
					    en.body_len, en.author);
		crdt_entry_fini(&en);
		if (!ok)
			break;
		verified++;
	}
	net_gossip_on_verified(nd->g, e->id, verified);
	struct node_txn *t = node_ledger_begin(nd->ledger);
	crdt_mp_cursor_init(&c, e->bytes, e->len, true);
	for (size_t k = 0; k < e->count; k++) {
		const uint8_t *start = c.p;
		enum node_ingest res;
		enum node_msg why = MSG_NONE;
		if (crdt_mp_skip(&c) != 0) {
			fail(s, "node %d: INGEST bytes not %zu values", nd->idx,
			     e->count);
			rc = -EBADMSG;
			break;
		}
		rc = node_txn_ingest(t, start, (size_t)(c.p - start),
				     k < verified, &res, &why);
		if (rc != 0) {
			/* Honest authors never fork: a fork here is a bug. */
			if (e->b < s->n && (rc == -EBADMSG || rc == -EILSEQ ||
					    rc == -EEXIST)) {
				s->honest_rejects++;
				fail(s,
				     "node %d rejected an honest entry "
				     "from node %d: %s",
				     nd->idx, e->b,
				     node_catalog_text(NODE_LANG_EN, why));
			}
			break;
		}
		applied++;
	}
	if (applied > 0) {
		int crc = node_txn_commit(t, splitmix64(&s->rng) % 2 == 0);
		if (crc != 0) {
			rc = crc;
			applied = 0;
		}
	} else {
		node_txn_abort(t);
	}
	s->ingested += applied;
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	net_gossip_on_ingested(nd->g, e->id, applied, rc, s->now, &a);
	handle_actions(s, nd, &a);
	net_gossip_actions_fini(&a);
}

static void step(struct sim *s, struct ev *e)
{
	struct net_gossip_actions a;
	struct sim_node *nd = &s->node[e->a];
	s->now = e->at;
	trace(s, e);
	net_gossip_actions_init(&a);
	switch (e->kind) {
	case EV_DELIVER:
		/* The attacker reads nothing it is sent. */
		if (e->b < s->n && nd->alive && s->node[e->b].alive &&
		    s->conn[e->a][e->b] && s->epoch[e->a][e->b] == e->gen) {
			struct sim_node *to = &s->node[e->b];
			net_gossip_on_message(to->g, (uint32_t)e->a, e->bytes,
					      e->len, s->now, &a);
			handle_actions(s, to, &a);
		}
		break;
	case EV_TIMER:
		if (nd->alive && e->gen == nd->timer_gen) {
			net_gossip_on_timer(nd->g, s->now, &a);
			handle_actions(s, nd, &a);
		}
		break;
	case EV_INGEST:
		if (nd->alive && e->gen == nd->incarnation)
			ingest(s, nd, e);
		break;
	case EV_WRITE:
		if (!s->healed) {
			if (s->sealed)
				sample_waits(s);
			if (s->sealed && splitmix64(&s->rng) % 100 < 8)
				key_upkeep(s);
			else
				do_write(s, -1);
			ev_at(s, urange(&s->rng, 20, 400), EV_WRITE, 0, 0);
		}
		break;
	case EV_CHAOS:
		if (!s->healed)
			chaos(s);
		break;
	case EV_RESTART:
		if (!s->healed)
			node_restart(s, nd);
		break;
	case EV_CONN_UP:
		if (!s->healed)
			conn_up(s, e->a, e->b);
		break;
	case EV_UNBLOCK:
		unblock(s, e);
		break;
	case EV_HEAL:
		heal(s);
		break;
	case EV_IDLE_END:
		idle_end(s);
		break;
	case EV_FAULT_END:
		node_kv_mem_fault_clear(nd->kv);
		break;
	case EV_ATTACK:
		if (!s->healed)
			byz_attack(s);
		break;
	case EV_PROBE:
		byz_probe(s, e->a, e->b);
		break;
	case EV_ROSTER:
		if (!s->healed)
			roster_event(s);
		break;
	case EV_CHECK:
		if (converged(s, false)) {
			s->converged_at = s->now;
			s->idle_bytes0 = bytes_sent(s);
			ev_at(s, IDLE_MS, EV_IDLE_END, 0, 0);
		} else if (s->now - s->healed_at >= SETTLE_MS) {
			converged(s, true);
			if (!s->failure[0])
				fail(s, "no convergence within %llu ms",
				     (unsigned long long)SETTLE_MS);
		} else {
			ev_at(s, CHECK_MS, EV_CHECK, 0, 0);
		}
		break;
	}
	net_gossip_actions_fini(&a);
	free(e->bytes);
	e->bytes = NULL;
}


/* ---------------------------------------------------------------------- */
/* Roster changes (--rosters).                                             */


static void admins_of(struct node_roster *r, const int *idx, int n,
		      const struct sim *s)
{
	free(r->admins);
	r->admins = calloc((size_t)n, 32);
	if (!r->admins)
		abort();
	for (int i = 0; i < n; i++)
		memcpy(r->admins[i], s->node[idx[i]].pk, 32);
	r->n_admins = (size_t)n;
}

/* Genesis with honest nodes 0, 1, 2 (fewer in a smaller network) as its
 * admins, threshold above half of them, signed by that many. */
static int roster_genesis(struct sim *s)
{
	struct node_roster *r;
	enum node_msg why;
	if (node_roster_decode(s->roster, s->roster_len, &r, &why) != 0) {
		fail(s, "roster decode: %s",
		     node_catalog_text(NODE_LANG_EN, why));
		return -EIO;
	}
	int na = s->n < 3 ? s->n : 3, idx[3] = {0, 1, 2};
	admins_of(r, idx, na, s);
	r->threshold = (uint64_t)na / 2 + 1;
	struct crdt_buf body, out;
	crdt_buf_init(&body);
	crdt_buf_init(&out);
	node_roster_encode_body(&body, r);
	uint8_t keys[3][32], sigs[3][64];
	for (int i = 0; i < (int)r->threshold; i++) {
		memcpy(keys[i], s->node[i].pk, 32);
		node_roster_sign(body.data, body.len, s->node[i].sk, sigs[i]);
	}
	node_roster_assemble(&out, body.data, body.len, r->threshold,
			     (const uint8_t(*)[32])keys,
			     (const uint8_t(*)[64])sigs);
	node_roster_free(r);
	crdt_buf_fini(&body);
	free(s->roster);
	s->roster = crdt_buf_take(&out, &s->roster_len);
	return 0;
}

static int member_index(const struct sim *s, const uint8_t key[32])
{
	for (int i = 0; i < s->n_all; i++)
		if (!memcmp(s->node[i].pk, key, 32))
			return i;
	return -1;
}

/* One change to r (the next version as proposer nd sees it). */
static void roster_change(struct sim *s, struct sim_node *nd,
			  struct node_roster *r)
{
	uint64_t kind = splitmix64(&s->rng) % 4;
	if (kind == 0) {
		/* Revoke a feed of an honest member at or below the head
		 * this node holds. */
		struct node_feed_head *h;
		size_t n;
		if (node_ledger_heads(nd->ledger, &h, &n) == 0 && n > 0) {
			size_t k = (size_t)(splitmix64(&s->rng) % n);
			int who = member_index(s, h[k].author);
			struct node_member *m =
			    who >= 0 && who < s->n
				? (struct node_member *)node_roster_find(
				      r, h[k].author)
				: NULL;
			if (m) {
				uint64_t back = urange(&s->rng, 0, 3);
				uint64_t bound =
				    h[k].seq > back ? h[k].seq - back : 0;
				bool set = false;
				for (size_t i = 0; i < m->n_revoked; i++)
					if (!strcmp(m->revoked[i].scope,
						    h[k].scope)) {
						if (bound < m->revoked[i].seq)
							m->revoked[i].seq = bound;
						set = true;
					}
				if (!set) {
					struct node_revocation *v = realloc(
					    m->revoked,
					    (m->n_revoked + 1) * sizeof(*v));
					if (!v)
						abort();
					m->revoked = v;
					snprintf(v[m->n_revoked].scope, 13, "%s",
						 h[k].scope);
					v[m->n_revoked].seq = bound;
					m->n_revoked++;
				}
				free(h);
				return;
			}
		}
		if (n > 0 || h)
			free(h);
		kind = 3;
	}
	if (kind == 1) {
		uint64_t lo = r->n_admins / 2 + 1;
		r->threshold = urange(&s->rng, lo, r->n_admins);
		return;
	}
	if (kind == 2) {
		/* An honest non-admin becomes an admin, or an admin stops
		 * being one; the threshold follows. */
		int cand = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
		const uint8_t *key = s->node[cand].pk;
		bool is = node_roster_is_admin(r, key);
		if (!is && r->n_admins < 5) {
			uint8_t(*a)[32] = realloc(r->admins, (r->n_admins + 1) * 32);
			if (!a)
				abort();
			r->admins = a;
			memcpy(r->admins[r->n_admins++], key, 32);
		} else if (is && r->n_admins > 1) {
			size_t i = 0;
			while (memcmp(r->admins[i], key, 32))
				i++;
			memmove(r->admins[i], r->admins[i + 1],
				(r->n_admins - i - 1) * 32);
			r->n_admins--;
		}
		if (r->threshold > r->n_admins ||
		    2 * r->threshold <= r->n_admins)
			r->threshold = r->n_admins / 2 + 1;
		return;
	}
	/* A member's address. */
	size_t k = (size_t)(splitmix64(&s->rng) % r->n_members);
	char addr[32];
	snprintf(addr, sizeof(addr), "sim-v%" PRIu64 "-%" PRIu64, r->version,
		 splitmix64(&s->rng) % 1000);
	free(r->members[k].address);
	r->members[k].address = strdup(addr);
	if (!r->members[k].address)
		abort();
}

/* Tells nd's peers that its rosters or proposals changed. */
static void roster_announce(struct sim *s, struct sim_node *nd, bool version)
{
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	net_gossip_on_roster_changed(nd->g, version, s->now, &a);
	handle_actions(s, nd, &a);
	net_gossip_actions_fini(&a);
}

/* Admin nd proposes the next version with one or two changes: true when
 * it made and holds one. */
static bool roster_propose(struct sim *s, struct sim_node *nd)
{
	const struct node_roster *cur = node_ledger_roster(nd->ledger);
	struct node_roster *r;
	enum node_msg dwhy;
	if (node_roster_decode(cur->wire, cur->wire_len, &r, &dwhy) != 0)
		return false;
	r->version++;
	r->has_prev = true;
	memcpy(r->prev, cur->body_hash, 32);
	int changes = (int)urange(&s->rng, 1, 2);
	for (int i = 0; i < changes; i++)
		roster_change(s, nd, r);
	struct crdt_buf body;
	crdt_buf_init(&body);
	node_roster_encode_body(&body, r);
	node_roster_free(r);
	uint8_t *item;
	size_t len;
	uint64_t before = cur->version;
	/* An honest admin signs at most one body per version, and waits
	 * for a pending proposal to be decided before it proposes another:
	 * conflicting bodies come only from admins proposing at once. */
	struct node_proposal *pp;
	size_t npp;
	node_proposals(nd->ledger, &pp, &npp);
	node_proposals_free(pp, npp);
	bool sign = !node_proposal_signed_other(nd->ledger, nd->pk, NULL);
	if (!sign || npp > 0) {
		crdt_buf_fini(&body);
		return false;
	}
	bool made = false;
	struct node_reason why;
	char text[512];
	if (node_proposal_make(nd->ledger, body.data, body.len, nd->pk, nd->sk,
			       "sim", sign, &item, &len, &why) == 0) {
		int rc = node_proposal_add(nd->ledger, item, len, &why);
		vlog(s, "node %d proposes version %" PRIu64 ": %d %s", nd->idx,
		     before + 1, rc,
		     rc < 0 ? node_reason_text(&why, NODE_LANG_EN, text,
					       sizeof(text))
			    : "");
		if (rc > 0) {
			s->roster_proposals++;
			made = true;
			roster_announce(
			    s, nd,
			    node_ledger_roster(nd->ledger)->version != before);
		}
		free(item);
	}
	crdt_buf_fini(&body);
	return made;
}

/* Admin nd signs one of the proposals it holds (an admin that signed
 * another for this version refuses: no honest admin forks). */
static void roster_sign(struct sim *s, struct sim_node *nd)
{
	struct node_proposal *p;
	size_t n;
	node_proposals(nd->ledger, &p, &n);
	/* One it has not signed; none when it signed another (below, the
	 * ledger refuses that too). */
	size_t open_[64], no = 0;
	for (size_t i = 0; i < n && no < 64; i++) {
		bool mine = false;
		for (size_t k = 0; k < p[i].r->n_sigs; k++)
			mine |= !memcmp(p[i].r->sig_keys[k], nd->pk, 32);
		if (!mine)
			open_[no++] = i;
	}
	if (no > 0 && splitmix64(&s->rng) % 100 < 90) {
		size_t k = open_[splitmix64(&s->rng) % no];
		struct node_reason why;
		uint64_t before = node_ledger_roster(nd->ledger)->version;
		int rc = node_proposal_sign(nd->ledger, p[k].id, nd->pk, nd->sk,
					    &why);
		vlog(s, "node %d signs a proposal for version %" PRIu64 ": %d",
		     nd->idx, before + 1, rc);
		if (rc > 0) {
			s->roster_signs++;
			roster_announce(
			    s, nd,
			    node_ledger_roster(nd->ledger)->version != before);
		}
	}
	node_proposals_free(p, n);
}

/* An admin (alive, as its roster says) proposes, sometimes another at
 * once with another body, or signs. */
static void roster_event(struct sim *s)
{
	int admins[MAX_NODES], na = 0;
	for (int i = 0; i < s->n; i++) {
		struct sim_node *nd = &s->node[i];
		if (nd->alive &&
		    node_roster_is_admin(node_ledger_roster(nd->ledger), nd->pk))
			admins[na++] = i;
	}
	if (na == 0)
		return;
	int a = admins[splitmix64(&s->rng) % (uint64_t)na];
	if (splitmix64(&s->rng) % 100 < 40) {
		bool made = roster_propose(s, &s->node[a]);
		if (na > 1 && splitmix64(&s->rng) % 100 < 40) {
			int b = admins[splitmix64(&s->rng) % (uint64_t)na];
			/* Another body for the same version at once. */
			if (b != a && roster_propose(s, &s->node[b]) && made)
				s->roster_conflicts++;
		}
	} else {
		roster_sign(s, &s->node[a]);
	}
	/* Signatures keep coming while proposals are pending. */
	ev_at(s, urange(&s->rng, 200, 3000), EV_ROSTER, 0, 0);
}

/* ---------------------------------------------------------------------- */
/* Set-up and one run.                                                     */

static const struct {
	enum node_role role;
	const char *scope;
} layout[MAX_NODES] = {
    {NODE_ROLE_HEALTH, "120116"},      {NODE_ROLE_TOWNSHIP, "120116001"},
    {NODE_ROLE_TOWNSHIP, "120116002"}, {NODE_ROLE_POLICE, "120116"},
    {NODE_ROLE_CIVIL, "120116"},       {NODE_ROLE_HEALTH, "120116"},
    {NODE_ROLE_TOWNSHIP, "120116001"}, {NODE_ROLE_POLICE, "120116"},
};

static int sim_setup(struct sim *s, uint64_t seed, int nodes, bool verbose,
		     unsigned byz_pct, unsigned attacks)
{
	memset(s, 0, sizeof(*s));
	s->attacks = attacks;
	s->seed = seed;
	s->rng = seed ^ 0x77617264u; /* "ward" */
	s->verbose = verbose;
	s->n = nodes > 0 ? nodes : 5 + (int)(splitmix64(&s->rng) % 3);
	/* Drawn apart from s->rng, so that a seed runs the same faults
	 * whether or not it also has an attacker. */
	uint64_t bs = seed ^ 0x62797a; /* "byz" */
	s->n_all = s->n;
	if (splitmix64(&bs) % 100 < byz_pct && s->n < MAX_NODES) {
		s->byz = calloc(1, sizeof(*s->byz));
		if (!s->byz)
			abort();
		s->byz->idx = s->n;
		s->n_all = s->n + 1;
	}
	s->loss_pct = (unsigned)urange(&s->rng, 0, 30);
	s->dup_pct = (unsigned)urange(&s->rng, 0, 10);
	s->fault_loss_pct = s->loss_pct;
	s->fault_dup_pct = s->dup_pct;
	s->delay_min_ms = urange(&s->rng, 1, 20);
	s->delay_jitter_ms = urange(&s->rng, 0, 300);
	s->now = EPOCH_MS;
	crypto_generichash_init(&s->trace, NULL, 0, 32);

	net_gossip_cfg_default(&s->gcfg);
	static const size_t batches[] = {2048, 16384, 256 * 1024};
	static const uint32_t pulls[] = {4, 64, 256};
	s->gcfg.batch_bytes = batches[splitmix64(&s->rng) % 3];
	s->gcfg.pull_entries = pulls[splitmix64(&s->rng) % 3];

	uint8_t kseed[32];
	struct node_member members[MAX_NODES];
	char names[MAX_NODES][16];
	memset(members, 0, sizeof(members));
	for (int i = 0; i < s->n_all; i++) {
		struct sim_node *nd = &s->node[i];
		uint64_t ks = seed * 31u + (uint64_t)i;
		for (int k = 0; k < 32; k++)
			kseed[k] = (uint8_t)splitmix64(&ks);
		crypto_sign_seed_keypair(nd->pk, nd->sk, kseed);
		nd->s = s;
		nd->idx = i;
		nd->role = layout[i].role;
		snprintf(nd->scope, sizeof(nd->scope), "%s", layout[i].scope);
		if (i == s->n) { /* the attacker: a township office */
			nd->role = NODE_ROLE_TOWNSHIP;
			snprintf(nd->scope, sizeof(nd->scope), "120116002");
			nd->alive = true;
		}
		nd->skew_ms =
		    i < s->n ? (int64_t)urange(&s->rng, 0, 4000) - 2000 : 0;
		nd->kv = i < s->n ? node_kv_new_mem() : NULL;
		memcpy(members[i].key, nd->pk, 32);
		members[i].role = nd->role;
		snprintf(names[i], sizeof(names[i]), "node%d", i);
		members[i].name = names[i];
		snprintf(members[i].scope, sizeof(members[i].scope), "%s",
			 nd->scope);
		members[i].address = (char *)"sim";
		members[i].cert_pem = (char *)"";
	}
	for (int k = 0; k < 32; k++)
		kseed[k] = (uint8_t)splitmix64(&s->rng);
	crypto_sign_seed_keypair(s->roster_pk, s->roster_sk, kseed);
	/* Schema version 1: the simulator's writers put plaintext in every
	 * field; with --sealed, the current version: they seal H and ID
	 * values (see "Sealed fields" above). */
	s->sealed = sealed_mode;
	rb_state = seed ^ 0x7365616cu; /* "seal" */
	int rc = node_roster_build_genesis_schema(
	    members, (size_t)s->n_all, s->roster_pk, s->roster_sk,
	    s->sealed ? NODE_SCHEMA_VERSION : 1, &s->roster, &s->roster_len);
	if (rc != 0) {
		fail(s, "roster build failed: %d", rc);
		return rc;
	}
	/* Drawn apart from s->rng too: the same faults with or without. */
	uint64_t rs = seed ^ 0x726f73; /* "ros" */
	s->rosters = splitmix64(&rs) % 100 < roster_pct;
	if (s->rosters && roster_genesis(s) != 0)
		return -EIO;
	if (s->byz && byz_forge_forks(s, s->byz) != 0)
		return -EIO;
	for (int i = 0; i < s->n; i++)
		if (node_boot(s, &s->node[i]) != 0)
			return -EIO;
	for (int i = 0; i < s->n; i++)
		for (int j = i + 1; j < s->n_all; j++)
			conn_up(s, i, j);
	if (s->byz)
		ev_at(s, urange(&s->rng, 500, 3000), EV_ATTACK, 0, 0);
	if (s->rosters) {
		int k = (int)urange(&rs, 6, 16);
		for (int i = 0; i < k; i++)
			ev_at(s, urange(&rs, 500, FAULT_MS - 5000), EV_ROSTER,
			      0, 0);
	}
	s->healed_at = s->now + FAULT_MS;
	ev_at(s, urange(&s->rng, 10, 500), EV_WRITE, 0, 0);
	ev_at(s, CHAOS_MS, EV_CHAOS, 0, 0);
	ev_at(s, FAULT_MS, EV_HEAL, 0, 0);
	return 0;
}

static void sim_teardown(struct sim *s)
{
	for (size_t i = 0; i < s->n_heap; i++)
		free(s->heap[i].bytes);
	free(s->heap);
	for (int i = 0; i < s->n; i++) {
		net_gossip_free(s->node[i].g);
		node_ledger_close(s->node[i].ledger);
		node_kv_close(s->node[i].kv);
		ring_clear(&s->node[i]);
	}
	free(s->roster);
	free(s->patients);
	free(s->followups);
	free(s->makers);
	free(s->acks);
	byz_free(s->byz);
	sodium_memzero(s->roster_sk, sizeof(s->roster_sk));
}

/* Figures added up over seeds for the summary. */
struct totals {
	uint64_t seeds, failed, acked, crashes, partitions, flaps;
	uint64_t io_faults, io_injected, io_refused;
	uint64_t byz_seeds, byz_attacks, byz_msgs, byz_disconnects;
	uint64_t divergences, lost_acks;
	uint64_t max_attack_bytes, max_attack_msgs;
	uint64_t roster_seeds, roster_versions, roster_proposals;
	uint64_t roster_conflicts, roster_signs, roster_revocations;
	uint64_t keys_made, keys_inline, keys_apart, keys_upkeep;
	uint64_t sealed_values, sealed_removes, sealed_checked, sealed_opened;
	uint64_t sealed_other_key, wait_samples, wait_max, byz_sealed_held;
	uint64_t sealed_forms_removed, envelopes_upkeep;
};

/* After the run: acknowledged writes their own node no longer holds, and
 * whether the honest nodes' vectors or states differ. */
static void outcome(struct sim *s)
{
	for (size_t k = 0; k < s->n_acks; k++) {
		struct sim_node *nd = &s->node[s->acks[k].node];
		if (nd->alive && !ack_held(s, nd, &s->acks[k]))
			s->lost_acks++;
	}
	uint8_t d0[32], d[32], v0[32], v[32];
	/* Replicas differ while faults last: only a run that reached its
	 * final check can have diverged. */
	if (!s->final_check)
		return;
	for (int i = 0; i < s->n; i++) {
		struct sim_node *nd = &s->node[i];
		struct net_wire_feed *f;
		size_t n;
		if (!nd->alive || node_replica_ops.vv(&nd->rep, &f, &n) != 0)
			return; /* a run cut short: nothing to compare */
		net_gossip_vv_digest(f, n, i == 0 ? v0 : v);
		free(f);
		node_ledger_digest(nd->ledger, i == 0 ? d0 : d);
		if (i > 0 && (memcmp(v0, v, 32) || memcmp(d0, d, 32)))
			s->diverged = true;
		if (i > 0 &&
		    memcmp(node_ledger_roster(nd->ledger)->body_hash,
			   node_ledger_roster(s->node[0].ledger)->body_hash, 32))
			s->diverged = true;
	}
}

/* Runs one seed; returns true when it passed. */
static bool run_seed(uint64_t seed, int nodes, bool verbose, bool quiet,
		     unsigned byz_pct, unsigned attacks, uint8_t th[32],
		     struct totals *tot)
{
	struct sim *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	if (sim_setup(s, seed, nodes, verbose, byz_pct, attacks) == 0) {
		while (!s->done && s->n_heap > 0) {
			struct ev e = ev_pop(s);
			step(s, &e);
		}
		if (!s->done)
			fail(s, "event queue ran dry");
	}
	outcome(s);
	if (s->lost_acks && !s->failure[0])
		fail(s, "%" PRIu64 " acknowledged writes lost", s->lost_acks);
	if (s->diverged && !s->failure[0])
		fail(s, "honest replicas diverged");
	crypto_generichash_final(&s->trace, th, 32);
	uint64_t injected = 0;
	for (int i = 0; i < s->n; i++)
		if (s->node[i].kv)
			injected += node_kv_mem_faults(s->node[i].kv);
	bool ok = s->failure[0] == '\0';
	if (ok && s->n_acks == 0) {
		snprintf(s->failure, sizeof(s->failure),
			 "no write was acknowledged");
		ok = false;
	}
	char byz[160] = "";
	if (s->byz)
		snprintf(byz, sizeof(byz),
			 " byzantine %" PRIu64 "/%" PRIu64 "/%" PRIu64
			 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64
			 " attack_msgs %" PRIu64 " attack_bytes %" PRIu64,
			 s->byz->attacks[0], s->byz->attacks[1],
			 s->byz->attacks[2], s->byz->attacks[3],
			 s->byz->attacks[4], s->byz->attacks[5],
			 s->attack_msgs_per_round,
			 s->attack_bytes_per_round);
	if (!ok || !quiet)
		printf("seed %" PRIu64
		       " nodes %d loss %u%% dup %u%% writes %" PRIu64
		       " acked %zu refused %" PRIu64 " crashes %" PRIu64
		       " partitions %" PRIu64 " flaps %" PRIu64
		       " io_faults %" PRIu64 "/%" PRIu64 " ingested %" PRIu64
		       " converged_ms %" PRIu64 " idle_bytes %" PRIu64 "%s"
		       " trace %02x%02x%02x%02x%02x%02x%02x%02x"
		       " %s\n",
		       seed, s->n, s->fault_loss_pct, s->fault_dup_pct,
		       s->writes_tried, s->n_acks, s->writes_refused,
		       s->crashes, s->partitions, s->flaps, s->io_faults,
		       injected, s->ingested,
		       ok ? s->converged_at - s->healed_at : 0,
		       s->idle_bytes_per_round, byz, th[0], th[1], th[2], th[3],
		       th[4], th[5], th[6], th[7], ok ? "ok" : "FAILED");
	if (!ok) {
		printf("  failure: %s\n", s->failure);
		printf("  replay: ward_sim --seeds 1 --first %" PRIu64, seed);
		if (nodes > 0)
			printf(" --nodes %d", nodes);
		if (s->byz)
			printf(" --byzantine 100 --attacks %s", attack_list);
		if (s->rosters)
			printf(" --rosters 100");
		if (s->sealed)
			printf(" --sealed");
		printf(" --verbose\n");
	}
	fflush(stdout);
	if (s->rosters && s->node[0].ledger) {
		const struct node_roster *r = node_ledger_roster(s->node[0].ledger);
		tot->roster_seeds++;
		tot->roster_versions += r->version - 1;
		tot->roster_proposals += s->roster_proposals;
		tot->roster_conflicts += s->roster_conflicts;
		tot->roster_signs += s->roster_signs;
		for (size_t i = 0; i < r->n_members; i++)
			tot->roster_revocations += r->members[i].n_revoked;
	}
	tot->keys_made += s->keys_made;
	tot->keys_inline += s->keys_inline;
	tot->keys_apart += s->keys_apart;
	tot->keys_upkeep += s->keys_upkeep;
	tot->sealed_values += s->sealed_values;
	tot->sealed_removes += s->sealed_removes;
	tot->sealed_forms_removed += s->sealed_forms_removed;
	tot->envelopes_upkeep += s->envelopes_upkeep;
	tot->sealed_checked += s->sealed_checked;
	tot->sealed_opened += s->sealed_opened;
	tot->sealed_other_key += s->sealed_other_key;
	tot->wait_samples += s->wait_samples;
	tot->byz_sealed_held += s->byz_sealed_held;
	if (s->wait_max > tot->wait_max)
		tot->wait_max = s->wait_max;
	tot->seeds++;
	tot->failed += !ok;
	tot->acked += s->n_acks;
	tot->crashes += s->crashes;
	tot->partitions += s->partitions;
	tot->flaps += s->flaps;
	tot->io_faults += s->io_faults;
	tot->io_injected += injected;
	tot->io_refused += s->io_refused;
	tot->divergences += s->diverged;
	tot->lost_acks += s->lost_acks;
	if (s->byz) {
		tot->byz_seeds++;
		for (int k = 0; k < BYZ_KINDS; k++)
			tot->byz_attacks += s->byz->attacks[k];
		tot->byz_msgs += s->byz->msgs;
		tot->byz_disconnects += s->byz_disconnects;
		if (s->attack_bytes_per_round > tot->max_attack_bytes)
			tot->max_attack_bytes = s->attack_bytes_per_round;
		if (s->attack_msgs_per_round > tot->max_attack_msgs)
			tot->max_attack_msgs = s->attack_msgs_per_round;
	}
	sim_teardown(s);
	free(s);
	return ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: ward_sim [--seeds N] [--first S] [--nodes K] "
			"[--byzantine PCT] [--attacks LIST] [--rosters PCT] "
			"[--sealed] [--twice] "
			"[--quiet] [--verbose]\n");
}

/* The attacks named in a comma-separated list, as bits. */
static int parse_attacks(const char *list, unsigned *out)
{
	unsigned bits = 0;
	const char *p = list;
	while (*p) {
		size_t len = strcspn(p, ",");
		int k = 0;
		while (k < BYZ_KINDS && (strlen(byz_names[k]) != len ||
					 strncmp(byz_names[k], p, len)))
			k++;
		if (k == BYZ_KINDS)
			return -EINVAL;
		bits |= 1u << k;
		p += len + (p[len] == ',');
	}
	if (!bits)
		return -EINVAL;
	*out = bits;
	return 0;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint64_t seeds = 10, first = 1;
	int nodes = 0;
	/* Every attack but sealed by default (it needs --sealed). */
	unsigned byz_pct = 0, attacks = (1u << BYZ_SEALED) - 1;
	bool verbose = false, twice = false, quiet = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
			seeds = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--first") && i + 1 < argc) {
			first = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--nodes") && i + 1 < argc) {
			nodes = atoi(argv[++i]);
			/* One slot stays free for an attacker. */
			if (nodes < 2 || nodes > MAX_NODES - 1) {
				fprintf(stderr, "--nodes: 2 to %d\n",
					MAX_NODES - 1);
				return 2;
			}
		} else if (!strcmp(argv[i], "--byzantine") && i + 1 < argc) {
			int pct = atoi(argv[++i]);
			if (pct < 0 || pct > 100) {
				fprintf(stderr, "--byzantine: 0 to 100\n");
				return 2;
			}
			byz_pct = (unsigned)pct;
		} else if (!strcmp(argv[i], "--attacks") && i + 1 < argc) {
			attack_list = argv[++i];
			if (parse_attacks(attack_list, &attacks) != 0) {
				fprintf(stderr, "--attacks: a comma-separated "
						"list of claim, announce, "
						"forks, digests, malformed, "
						"sealed\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--rosters") && i + 1 < argc) {
			int pct = atoi(argv[++i]);
			if (pct < 0 || pct > 100) {
				fprintf(stderr, "--rosters: 0 to 100\n");
				return 2;
			}
			roster_pct = (unsigned)pct;
		} else if (!strcmp(argv[i], "--sealed")) {
			sealed_mode = true;
		} else if (!strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else if (!strcmp(argv[i], "--twice")) {
			twice = true;
		} else {
			usage();
			return 2;
		}
	}
	/* Before sodium_init, as libsodium asks. */
	randombytes_set_implementation(&rb_sim);
	if ((attacks >> BYZ_SEALED & 1) && !sealed_mode) {
		fprintf(stderr, "--attacks sealed needs --sealed\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ward_sim: libsodium failed to start\n");
		return 1;
	}
	struct totals tot, again_tot;
	memset(&tot, 0, sizeof(tot));
	uint64_t nondet = 0;
	double t0 = mono_s();
	clock_t c0 = clock();
	for (uint64_t k = 0; k < seeds; k++) {
		uint8_t th[32], again[32];
		bool ok = run_seed(first + k, nodes, verbose, quiet, byz_pct,
				   attacks, th, &tot);
		if (ok && twice) {
			/* The same seed must give the same trace. */
			memset(&again_tot, 0, sizeof(again_tot));
			if (!run_seed(first + k, nodes, false, true, byz_pct,
				      attacks, again, &again_tot) ||
			    memcmp(th, again, 32) != 0) {
				printf("  failure: seed %" PRIu64
				       " is not deterministic: a second run "
				       "gave another trace\n",
				       first + k);
				nondet++;
			}
		}
	}
	double wall = mono_s() - t0;
	uint64_t failed = tot.failed + nondet;
	printf("%" PRIu64 " seeds from %" PRIu64 ": %" PRIu64
	       " failed (%.1f s cpu, %.1f s wall, %.1f seeds/s)\n",
	       seeds, first, failed, (double)(clock() - c0) / CLOCKS_PER_SEC,
	       wall, wall > 0 ? (double)seeds / wall : 0.0);
	printf("faults: %" PRIu64 " crashes, %" PRIu64 " partitions, %" PRIu64
	       " link drops, %" PRIu64 " store faults (%" PRIu64
	       " writes failed, %" PRIu64 " local writes refused); %" PRIu64
	       " seeds with an attacker: %" PRIu64 " attacks, %" PRIu64
	       " messages, %" PRIu64 " disconnects; honest cost under attack "
	       "at most %" PRIu64 " msgs, %" PRIu64
	       " bytes per node per round\n",
	       tot.crashes, tot.partitions, tot.flaps, tot.io_faults,
	       tot.io_injected, tot.io_refused, tot.byz_seeds, tot.byz_attacks,
	       tot.byz_msgs, tot.byz_disconnects, tot.max_attack_msgs,
	       tot.max_attack_bytes);
	if (tot.roster_seeds)
		printf("rosters: %" PRIu64 " seeds changing membership: %" PRIu64
		       " versions in force, %" PRIu64 " proposals (%" PRIu64
		       " pairs of conflicting bodies made at once), %" PRIu64
		       " signatures, %" PRIu64 " feeds revoked at the end\n",
		       tot.roster_seeds, tot.roster_versions,
		       tot.roster_proposals, tot.roster_conflicts,
		       tot.roster_signs, tot.roster_revocations);
	if (sealed_mode)
		printf("sealed: %" PRIu64 " keys made (%" PRIu64
		       " in the write sealing with them, %" PRIu64
		       " in an entry just before, %" PRIu64
		       " by key upkeep), %" PRIu64
		       " envelopes added to key records apart, %" PRIu64
		       " values sealed (%" PRIu64
		       " under a key another member made), %" PRIu64
		       " sealed elements removed (%" PRIu64 " sealed forms); %" PRIu64
		       " samples of a node holding values that wait for their "
		       "key record (at most %" PRIu64 " at once); at the end %" PRIu64
		       " sealed values checked, %" PRIu64 " opened; %" PRIu64
		       " of the attacker's sealed-field entries held and "
		       "checked\n",
		       tot.keys_made, tot.keys_inline, tot.keys_apart,
		       tot.keys_upkeep, tot.envelopes_upkeep, tot.sealed_values,
		       tot.sealed_other_key,
		       tot.sealed_removes, tot.sealed_forms_removed,
		       tot.wait_samples, tot.wait_max,
		       tot.sealed_checked, tot.sealed_opened,
		       tot.byz_sealed_held);
	printf("outcome: %" PRIu64 " acknowledged writes, %" PRIu64
	       " divergences, %" PRIu64 " lost acknowledged writes\n",
	       tot.acked, tot.divergences, tot.lost_acks);
	printf("summary seeds=%" PRIu64 " failed=%" PRIu64 " acked=%" PRIu64
	       " crashes=%" PRIu64 " partitions=%" PRIu64 " flaps=%" PRIu64
	       " io_faults=%" PRIu64 " io_injected=%" PRIu64
	       " byz_seeds=%" PRIu64 " byz_attacks=%" PRIu64
	       " divergences=%" PRIu64 " lost_acks=%" PRIu64
	       " max_attack_bytes=%" PRIu64 " wall_s=%.3f\n",
	       seeds, failed, tot.acked, tot.crashes, tot.partitions, tot.flaps,
	       tot.io_faults, tot.io_injected, tot.byz_seeds, tot.byz_attacks,
	       tot.divergences, tot.lost_acks, tot.max_attack_bytes, wall);
	return failed ? 1 : 0;
}
