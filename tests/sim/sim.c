/*
 * sim.c: ward's deterministic simulator. Many nodes in one process, each a
 * real ledger (node/ledger.c over an in-memory kv) driven by the real gossip
 * state machine (net/gossip.c), on a simulated network and a virtual clock.
 *
 * One seed decides everything: the membership, the network's loss,
 * duplication, delay and reordering, partitions (symmetric or one-way) that
 * come and go, connections that drop, node crashes (the kv forgets every
 * unsynced write, the ledger is reopened from what is left) and restarts,
 * and a stream of local writes (patients created by township and health
 * nodes, fields set with their preds, set elements added and removed,
 * follow-ups by the police). When the fault phase ends the network heals
 * and every node must reach the same version vector and state digest within
 * a bounded simulated time, with every acknowledged write on every node and
 * no honest peer ever disconnected.
 *
 * Events run in (time, sequence) order from one priority queue; a BLAKE2b
 * hash over every event handled is printed as the trace hash, so the same
 * seed gives the same trace. Usage:
 *
 *   ward_sim [--seeds N] [--first S] [--nodes K] [--twice] [--verbose]
 *
 * --twice runs each seed again and fails unless the trace hash repeats.
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

#include <sodium.h>

#include "crdt/crdt.h"
#include "net/gossip.h"
#include "net/wire.h"
#include "node/kv.h"
#include "node/ledger.h"
#include "node/proofs.h"
#include "node/replica.h"
#include "node/roster.h"
#include "node/schema.h"

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
};

struct patient {
	uint8_t id[16];
	char scope[13];
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
	uint64_t writes_tried, writes_refused, crashes, partitions, flaps;
	uint64_t msgs_sent, msgs_dropped, ingested, honest_rejects;
	char failure[512];
};

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
		if (!x->alive)
			continue;
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
		net_gossip_on_peer_up(x->g, (uint32_t)ends[1 - k], s->now, &a);
		handle_actions(s, x, &a);
	}
	net_gossip_actions_fini(&a);
}

static void net_send(struct sim *s, int from, int to, const uint8_t *bytes,
		     size_t len)
{
	s->msgs_sent++;
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
	const char *why = NULL;
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
			     why ? why : "?");
			return rc;
		}
	}
	struct net_gossip_cfg cfg = s->gcfg;
	cfg.seed =
	    s->seed * 1000003u + (uint64_t)nd->idx * 7919u + nd->incarnation;
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
	for (int j = 0; j < s->n; j++)
		if (j != nd->idx)
			conn_down(s, nd->idx, j);
	nd->alive = false;
	nd->incarnation++;
	net_gossip_free(nd->g);
	nd->g = NULL;
	node_ledger_close(nd->ledger);
	nd->ledger = NULL;
	node_kv_mem_crash(nd->kv);
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
	for (int j = 0; j < s->n; j++)
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

static void do_write(struct sim *s)
{
	static const char *sexes[] = {"male", "female"};
	static const char *specials[] = {"not_managed", "floating",
					 "weak_guardianship"};
	int tries = 0, i;
	do {
		i = (int)(splitmix64(&s->rng) % (uint64_t)s->n);
	} while ((!s->node[i].alive || s->node[i].role == NODE_ROLE_CIVIL) &&
		 ++tries < 20);
	struct sim_node *nd = &s->node[i];
	if (!nd->alive || nd->role == NODE_ROLE_CIVIL)
		return;

	struct crdt_op ops[4];
	struct crdt_dot dots[CRDT_MAX_DOTS];
	struct node_write w;
	char scope[13], name[32], phone[32];
	const char *date = "2024-03-01";
	uint8_t id[16];
	struct crdt_cell cell;
	bool have_cell = false, create = false;
	memset(&w, 0, sizeof(w));
	w.ops = ops;
	const struct patient *p = pick_patient(s, nd);
	uint64_t r = splitmix64(&s->rng) % 100;

	if (nd->role == NODE_ROLE_POLICE) {
		if (!p)
			return;
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
		uint64_t seq;
		node_ledger_next_seq(nd->ledger, nd->pk, scope, &seq);
		crdt_entity_id(id, nd->pk, scope, seq, 0);
		snprintf(name, sizeof(name), "patient-%" PRIu64,
			 s->writes_tried);
		set_op(&ops[0], CRDT_OP_CREATE, id, "patient");
		set_op(&ops[1], CRDT_OP_SET, id, "name");
		str_value(&ops[1].value, name);
		set_op(&ops[2], CRDT_OP_SET, id, "sex");
		str_value(&ops[2].value, sexes[r % 2]);
		w.n_ops = 3;
		create = true;
	} else {
		snprintf(scope, sizeof(scope), "%s", p->scope);
		memcpy(id, p->id, 16);
		if (r < 70) {
			/* Overwrite the phone, superseding what we see. */
			snprintf(phone, sizeof(phone), "1380000%04" PRIu64,
				 s->writes_tried % 10000);
			set_op(&ops[0], CRDT_OP_SET, id, "phone");
			str_value(&ops[0].value, phone);
			if (node_ledger_cell(nd->ledger, id, "phone", &cell) !=
			    0)
				return;
			have_cell = true;
			for (size_t k = 0; k < cell.n_live && k < CRDT_MAX_DOTS;
			     k++)
				dots[ops[0].n_dots++] = cell.live[k].dot;
			ops[0].dots = dots;
		} else {
			const char *el = specials[r % 3];
			struct crdt_value v;
			str_value(&v, el);
			if (node_ledger_cell(nd->ledger, id, "special",
					     &cell) != 0)
				return;
			have_cell = true;
			const struct crdt_elem *e = crdt_cell_find(&cell, &v);
			if (e && r % 2 == 0) {
				set_op(&ops[0], CRDT_OP_REMOVE, id, "special");
				for (size_t k = 0;
				     k < e->n_tags && k < CRDT_MAX_DOTS; k++)
					dots[ops[0].n_dots++] = e->tags[k];
				ops[0].dots = dots;
			} else {
				set_op(&ops[0], CRDT_OP_ADD, id, "special");
			}
			ops[0].value = v;
		}
		w.n_ops = 1;
	}
	w.scope = scope;
	s->writes_tried++;
	char why[256] = "";
	uint64_t seq = 0;
	uint64_t wall = (uint64_t)((int64_t)s->now + nd->skew_ms);
	int rc = node_ledger_write(nd->ledger, nd->sk, nd->pk, &w, wall, &seq,
				   why, sizeof(why));
	if (have_cell)
		crdt_cell_fini(&cell);
	if (rc != 0) {
		s->writes_refused++;
		vlog(s, "write refused on node %d: %d %s", i, rc, why);
		return;
	}
	vlog(s, "write node %d scope %s seq %" PRIu64, i, scope, seq);
	if (s->n_acks == s->cap_acks) {
		s->cap_acks = s->cap_acks ? s->cap_acks * 2 : 64;
		s->acks = realloc(s->acks, s->cap_acks * sizeof(*s->acks));
		if (!s->acks)
			abort();
	}
	struct ack *ak = &s->acks[s->n_acks++];
	memset(ak, 0, sizeof(*ak));
	ak->node = i;
	snprintf(ak->scope, sizeof(ak->scope), "%s", scope);
	ak->seq = seq;
	ak->create = create || nd->role == NODE_ROLE_POLICE;
	memcpy(ak->id, id, 16);
	if (create) {
		if (s->n_patients == s->cap_patients) {
			s->cap_patients =
			    s->cap_patients ? s->cap_patients * 2 : 64;
			s->patients =
			    realloc(s->patients,
				    s->cap_patients * sizeof(*s->patients));
			if (!s->patients)
				abort();
		}
		struct patient *np = &s->patients[s->n_patients++];
		memcpy(np->id, id, 16);
		snprintf(np->scope, sizeof(np->scope), "%s", scope);
	}
	struct net_gossip_actions a;
	net_gossip_actions_init(&a);
	net_gossip_on_local_write(nd->g, nd->pk, scope, seq, s->now, &a);
	handle_actions(s, nd, &a);
	net_gossip_actions_fini(&a);
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
	for (int i = 0; i < s->n; i++)
		node_restart(s, &s->node[i]);
	for (int i = 0; i < s->n; i++)
		for (int j = i + 1; j < s->n; j++)
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
		if (node_proofs_count(nd->ledger) != 0) {
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

/* After convergence and a quiet spell: still converged, and the rounds
 * cost little. */
static void idle_end(struct sim *s)
{
	uint64_t rounds = IDLE_MS / s->gcfg.round_ms;
	s->idle_bytes_per_round =
	    (bytes_sent(s) - s->idle_bytes0) / rounds / (uint64_t)s->n;
	if (!converged(s, true))
		fail(s, "replicas diverged again while idle");
	else if (s->idle_bytes_per_round >= IDLE_MAX_BYTES)
		fail(s, "idle traffic %" PRIu64 " bytes per node per round",
		     s->idle_bytes_per_round);
	s->done = true;
}

/* ---------------------------------------------------------------------- */
/* Events.                                                                 */

static void ingest(struct sim *s, struct sim_node *nd, const struct ev *e)
{
	struct crdt_mp_cursor c;
	struct node_txn *t = node_ledger_begin(nd->ledger);
	size_t applied = 0;
	int rc = 0;
	crdt_mp_cursor_init(&c, e->bytes, e->len, true);
	for (size_t k = 0; k < e->count; k++) {
		const uint8_t *start = c.p;
		enum node_ingest res;
		const char *why = NULL;
		if (crdt_mp_skip(&c) != 0) {
			fail(s, "node %d: INGEST bytes not %zu values", nd->idx,
			     e->count);
			rc = -EBADMSG;
			break;
		}
		rc = node_txn_ingest(t, start, (size_t)(c.p - start), false,
				     &res, &why);
		if (rc != 0) {
			/* Honest authors never fork: a fork here is a bug. */
			if (rc == -EBADMSG || rc == -EILSEQ || rc == -EEXIST) {
				s->honest_rejects++;
				fail(s,
				     "node %d rejected an honest entry "
				     "from node %d: %s",
				     nd->idx, e->b, why ? why : "?");
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
		if (nd->alive && s->node[e->b].alive && s->conn[e->a][e->b] &&
		    s->epoch[e->a][e->b] == e->gen) {
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
			do_write(s);
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

static int sim_setup(struct sim *s, uint64_t seed, int nodes, bool verbose)
{
	memset(s, 0, sizeof(*s));
	s->seed = seed;
	s->rng = seed ^ 0x77617264u; /* "ward" */
	s->verbose = verbose;
	s->n = nodes > 0 ? nodes : 5 + (int)(splitmix64(&s->rng) % 3);
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
	for (int i = 0; i < s->n; i++) {
		struct sim_node *nd = &s->node[i];
		uint64_t ks = seed * 31u + (uint64_t)i;
		for (int k = 0; k < 32; k++)
			kseed[k] = (uint8_t)splitmix64(&ks);
		crypto_sign_seed_keypair(nd->pk, nd->sk, kseed);
		nd->s = s;
		nd->idx = i;
		nd->role = layout[i].role;
		snprintf(nd->scope, sizeof(nd->scope), "%s", layout[i].scope);
		nd->skew_ms = (int64_t)urange(&s->rng, 0, 4000) - 2000;
		nd->kv = node_kv_new_mem();
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
	int rc =
	    node_roster_build_genesis(members, (size_t)s->n, s->roster_pk,
				      s->roster_sk, &s->roster, &s->roster_len);
	if (rc != 0) {
		fail(s, "roster build failed: %d", rc);
		return rc;
	}
	for (int i = 0; i < s->n; i++)
		if (node_boot(s, &s->node[i]) != 0)
			return -EIO;
	for (int i = 0; i < s->n; i++)
		for (int j = i + 1; j < s->n; j++)
			conn_up(s, i, j);
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
	}
	free(s->roster);
	free(s->patients);
	free(s->acks);
	sodium_memzero(s->roster_sk, sizeof(s->roster_sk));
}

/* Runs one seed; returns true when it passed. */
static bool run_seed(uint64_t seed, int nodes, bool verbose, uint8_t th[32])
{
	struct sim *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	if (sim_setup(s, seed, nodes, verbose) == 0) {
		while (!s->done && s->n_heap > 0) {
			struct ev e = ev_pop(s);
			step(s, &e);
		}
		if (!s->done)
			fail(s, "event queue ran dry");
	}
	crypto_generichash_final(&s->trace, th, 32);
	bool ok = s->failure[0] == '\0';
	printf("seed %" PRIu64 " nodes %d loss %u%% dup %u%% writes %" PRIu64
	       " acked %zu refused %" PRIu64 " crashes %" PRIu64
	       " partitions %" PRIu64 " flaps %" PRIu64 " ingested %" PRIu64
	       " converged_ms %" PRIu64 " idle_bytes %" PRIu64
	       " trace %02x%02x%02x%02x%02x%02x%02x%02x"
	       " %s\n",
	       seed, s->n, s->fault_loss_pct, s->fault_dup_pct, s->writes_tried,
	       s->n_acks, s->writes_refused, s->crashes, s->partitions,
	       s->flaps, s->ingested, ok ? s->converged_at - s->healed_at : 0,
	       s->idle_bytes_per_round, th[0], th[1], th[2], th[3], th[4],
	       th[5], th[6], th[7], ok ? "ok" : "FAILED");
	if (!ok) {
		printf("  failure: %s\n", s->failure);
		if (nodes > 0)
			printf("  replay: ward_sim --seeds 1 --first %" PRIu64
			       " --nodes %d --verbose\n",
			       seed, nodes);
		else
			printf("  replay: ward_sim --seeds 1 --first %" PRIu64
			       " --verbose\n",
			       seed);
	}
	if (ok && s->n_acks == 0) {
		printf("  failure: no write was acknowledged\n");
		ok = false;
	}
	fflush(stdout);
	sim_teardown(s);
	free(s);
	return ok;
}

static void usage(void)
{
	fprintf(stderr, "usage: ward_sim [--seeds N] [--first S] [--nodes K] "
			"[--twice] [--verbose]\n");
}

int main(int argc, char **argv)
{
	uint64_t seeds = 10, first = 1;
	int nodes = 0;
	bool verbose = false, twice = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--seeds") && i + 1 < argc) {
			seeds = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--first") && i + 1 < argc) {
			first = strtoull(argv[++i], NULL, 0);
		} else if (!strcmp(argv[i], "--nodes") && i + 1 < argc) {
			nodes = atoi(argv[++i]);
			if (nodes < 2 || nodes > MAX_NODES) {
				fprintf(stderr, "--nodes: 2 to %d\n",
					MAX_NODES);
				return 2;
			}
		} else if (!strcmp(argv[i], "--verbose")) {
			verbose = true;
		} else if (!strcmp(argv[i], "--twice")) {
			twice = true;
		} else {
			usage();
			return 2;
		}
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ward_sim: libsodium failed to start\n");
		return 1;
	}
	uint64_t failed = 0;
	clock_t t0 = clock();
	for (uint64_t k = 0; k < seeds; k++) {
		uint8_t th[32], again[32];
		if (!run_seed(first + k, nodes, verbose, th)) {
			failed++;
		} else if (twice) {
			/* The same seed must give the same trace. */
			if (!run_seed(first + k, nodes, false, again) ||
			    memcmp(th, again, 32) != 0) {
				printf("  failure: seed %" PRIu64
				       " is not deterministic: a second run "
				       "gave another trace\n",
				       first + k);
				failed++;
			}
		}
	}
	printf("%" PRIu64 " seeds from %" PRIu64 ": %" PRIu64
	       " failed (%.1f s cpu)\n",
	       seeds, first, failed, (double)(clock() - t0) / CLOCKS_PER_SEC);
	return failed ? 1 : 0;
}
