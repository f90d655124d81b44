/*
 * gossip.c: push-pull anti-entropy over signed feeds, sans I/O.
 *
 * Anti-entropy (Demers et al., "Epidemic algorithms for replicated database
 * maintenance", 1987) makes replicas converge by having each node, every
 * round, compare its state with a few random peers and copy what it lacks.
 * ward's state is a set of append-only feeds, so a version vector (each
 * feed's head seq and hash) summarises a replica exactly and the difference
 * between two replicas is a list of seq ranges:
 *
 *   A -> B  DIGEST(BLAKE2b of A's vector)          every round, fanout peers
 *   B -> A  VECTOR(B's vector, in chunks)          only when digests differ
 *   A       wants every feed where B is ahead: PULL(feed, from, max) to B,
 *           at most max_inflight at once, one peer per feed;
 *   A -> B  ANNOUNCE(feeds where A is ahead)       B pulls those from A
 *   B -> A  ENTRIES(feed, from, have, batch)       A INGESTs, reports back,
 *                                                  pulls on while B has more
 *
 * A feed far behind is pulled feed_depth batches deep: when a batch
 * arrives and the peer has more, the next PULL goes out at once, so the
 * next batch travels and verifies while this one is applied. The node
 * applies batches in the order they arrive; one that cannot apply yet
 * (its predecessor failed) comes back as -EAGAIN and is pulled again.
 *
 * A local write is ANNOUNCEd to every connected peer at once, so fresh
 * entries spread in one hop; rounds repair everything else (lost messages,
 * partitions, restarts). When replicas agree a round costs one 71-byte
 * DIGEST per chosen peer.
 *
 * DIGEST also carries the state digest. Equal vectors with different
 * states mean a replica is corrupt or lying: the receiver answers with its
 * signed CHECKPOINT, and the node that finds the pair disagreeing keeps a
 * divergence proof. Proofs (those and fork proofs) flood: each node sends
 * the ones it holds to a peer that comes up, and passes on each that is
 * new to it, so every node ends up holding every proof.
 *
 * Budgets keep a peer from costing us much: VECTOR replies and ENTRIES bytes
 * served per peer per round are capped (excess requests are dropped, the
 * peer retries), pulls per peer are capped, and a peer that sends a
 * malformed message or an entry the ledger rejects is disconnected with an
 * exponential backoff that follows its id.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "crdt/crdt.h"
#include "net/gossip.h"
#include "net/wire.h"

#define MAX_WANTS 4096u
#define WANT_SLOTS (2u * MAX_WANTS) /* open addressing, half full at most */
#define MAX_EVIDENCE 64u	    /* own feeds with evidence held */
#define MAX_CAPPED 16u		    /* authors at their feed cap */
/* Largest VECTOR item: array, bin(32), str(12), uint64, bin(32). */
#define VECTOR_ITEM_MAX 91u
#define ANNOUNCE_ITEM_MAX 57u
#define LIST_OVERHEAD 64u

struct want {
	uint8_t author[32];
	char scope[NET_WIRE_SCOPE_BYTES];
	uint64_t seq;  /* what the peer said it holds */
	uint32_t hash; /* its slot in the peer's wants table */
};

struct peer {
	uint32_t id;
	bool up;
	uint32_t strikes;
	uint64_t last_strike_ms;
	uint64_t banned_until;
	uint32_t inflight;
	uint32_t vectors_sent; /* this round */
	bool checkpoint_sent;  /* this round */
	uint32_t checkpoints_in; /* CHECKPOINTs taken from it this round */
	size_t served_bytes;   /* this round */
	/* Budgets of this round (cfg.max_*), checked before the work. */
	uint32_t digests_in, proofs_in, pulls_in, rosters_in;
	size_t items_in;
	bool sent; /* sent anything this round */
	uint64_t over_budget;
	/* The feeds it is ahead on, with a hash table over them (slots hold
	 * index + 1) so that a long list costs O(1) per item. */
	struct want *wants;
	size_t n_wants, cap_wants;
	uint32_t *slots;
	/* What its last whole VECTOR showed: our entries it lacked. */
	bool lag_known;
	uint64_t lag;
	/* Forks pulled from it lately (feed, seq), so that a fork the
	 * vectors keep showing is pulled once, not every round. */
	struct want forks[8];
	size_t n_forks;
	/* Its VECTOR in chunks: the last feed of those seen so far, while
	 * they follow each other from the first. */
	bool vec_open;
	struct want vec_last;
	bool vec_own_ahead; /* this pass listed an own feed beyond our head */
	uint64_t vec_lag;   /* this pass: our entries it lacks */
};

enum pull_stage { PULL_SENT, PULL_INGESTING };

struct pull {
	uint64_t id;
	uint32_t peer;
	bool orphan; /* its peer went down: do not count it against the peer */
	enum pull_stage stage;
	uint8_t author[32];
	char scope[NET_WIRE_SCOPE_BYTES];
	uint64_t from;
	uint64_t max;
	uint64_t deadline;
	size_t count;
	uint64_t have;
};

struct net_gossip {
	struct net_gossip_cfg cfg;
	const struct net_gossip_replica *ops;
	void *ctx;
	uint64_t rng;
	uint64_t next_id;
	struct peer *peers;
	size_t n_peers, cap_peers;
	struct pull *pulls;
	size_t n_pulls, cap_pulls;
	size_t proofs_shared; /* proofs held when they were last sent out */
	struct net_gossip_stats stats;
	uint8_t hash_key[16]; /* SipHash key of the wants tables */
	/* The local vector, sorted, and its digest, while vv_version says
	 * it has not changed. */
	struct net_wire_feed *vv;
	size_t n_vv;
	bool vv_valid;
	uint64_t vv_ver;
	uint8_t vv_digest[32];
	/* Own feeds (cfg.self) of which a peer showed a verified entry:
	 * the highest seq shown. */
	struct {
		char scope[NET_WIRE_SCOPE_BYTES];
		uint64_t seq;
	} evidence[MAX_EVIDENCE];
	size_t n_evidence;
	/* Authors whose feed cap the ledger reported (-EDQUOT): their feeds
	 * new to us are not wanted. A ring: the oldest is forgotten. */
	uint8_t capped[MAX_CAPPED][32];
	size_t n_capped;
};

/* ---------------------------------------------------------------------- */
/* Small helpers.                                                          */

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	size_t n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	void *q = crdt_xreallocarray(p, n, size);
	*cap = n;
	return q;
}

/* splitmix64: the machine's own deterministic PRNG. */
static uint64_t rnd(struct net_gossip *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static struct net_gossip_action *push(struct net_gossip_actions *a,
				      enum net_gossip_action_kind kind,
				      uint32_t peer)
{
	a->v = grow(a->v, &a->cap, a->n + 1, sizeof(*a->v));
	struct net_gossip_action *act = &a->v[a->n++];
	memset(act, 0, sizeof(*act));
	act->kind = kind;
	act->peer = peer;
	return act;
}

void net_gossip_actions_init(struct net_gossip_actions *a)
{
	memset(a, 0, sizeof(*a));
}

void net_gossip_actions_reset(struct net_gossip_actions *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i].bytes);
	a->n = 0;
}

void net_gossip_actions_fini(struct net_gossip_actions *a)
{
	net_gossip_actions_reset(a);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static struct peer *find_peer(struct net_gossip *g, uint32_t id);

static void send_buf(struct net_gossip *g, uint32_t peer, struct crdt_buf *b,
		     struct net_gossip_actions *out)
{
	assert(b->len <= NET_WIRE_MAX_MSG_BYTES);
	struct peer *p = find_peer(g, peer);
	if (p)
		p->sent = true;
	struct net_gossip_action *a = push(out, NET_GOSSIP_SEND, peer);
	a->bytes = crdt_buf_take(b, &a->len);
	g->stats.msgs_sent++;
	g->stats.bytes_sent += a->len;
}

static void send_msg(struct net_gossip *g, uint32_t peer,
		     const struct net_wire_msg *m,
		     struct net_gossip_actions *out)
{
	struct crdt_buf b;
	crdt_buf_init(&b);
	net_wire_encode(&b, m);
	send_buf(g, peer, &b, out);
}

static int feed_cmp(const void *a, const void *b)
{
	const struct net_wire_feed *x = a, *y = b;
	return net_wire_feed_cmp(x->author, x->scope, y->author, y->scope);
}

void net_gossip_vv_digest(struct net_wire_feed *feeds, size_t n,
			  uint8_t out[32])
{
	struct crdt_buf b;
	if (n > 1)
		qsort(feeds, n, sizeof(*feeds), feed_cmp);
	crdt_buf_init(&b);
	crdt_pack_array(&b, n);
	for (size_t i = 0; i < n; i++) {
		crdt_pack_array(&b, 4);
		crdt_pack_bin(&b, feeds[i].author, 32);
		crdt_pack_cstr(&b, feeds[i].scope);
		crdt_pack_uint(&b, feeds[i].seq);
		crdt_pack_bin(&b, feeds[i].head, 32);
	}
	crypto_generichash(out, 32, b.data, b.len, NULL, 0);
	crdt_buf_fini(&b);
}

/* The local vector, sorted, and its digest: borrowed from the cache,
 * valid until the next call. Read again only when the replica's
 * vv_version moved (or it has none), so that a message from a peer costs
 * no read of the whole vector. 0 or the replica's error. */
static int local_vv(struct net_gossip *g, const struct net_wire_feed **out,
		    size_t *n, const uint8_t **digest)
{
	uint64_t ver = g->ops->vv_version ? g->ops->vv_version(g->ctx) : 0;
	if (!g->vv_valid || !g->ops->vv_version || ver != g->vv_ver) {
		struct net_wire_feed *f = NULL;
		size_t k = 0;
		int rc = g->ops->vv(g->ctx, &f, &k);
		if (rc != 0)
			return rc;
		net_gossip_vv_digest(f, k, g->vv_digest); /* sorts f */
		free(g->vv);
		g->vv = f;
		g->n_vv = k;
		g->vv_ver = ver;
		g->vv_valid = true;
	}
	*out = g->vv;
	*n = g->n_vv;
	if (digest)
		*digest = g->vv_digest;
	return 0;
}

/* Our head seq of a feed, from the cached vector (binary search). */
static uint64_t local_seq(struct net_gossip *g, const uint8_t author[32],
			  const char *scope)
{
	const struct net_wire_feed *f;
	size_t n;
	if (local_vv(g, &f, &n, NULL) != 0)
		return g->ops->feed_seq(g->ctx, author, scope);
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = net_wire_feed_cmp(f[mid].author, f[mid].scope, author,
					  scope);
		if (c == 0)
			return f[mid].seq;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

static bool is_self(const struct net_gossip *g, const uint8_t author[32])
{
	return g->cfg.has_self && memcmp(author, g->cfg.self, 32) == 0;
}

static bool is_capped(const struct net_gossip *g, const uint8_t author[32])
{
	size_t n = g->n_capped < MAX_CAPPED ? g->n_capped : MAX_CAPPED;
	for (size_t i = 0; i < n; i++)
		if (!memcmp(g->capped[i], author, 32))
			return true;
	return false;
}

/* Spends one unit of a peer's budget for this round: false (and the
 * message or item is ignored) when none is left. */
static bool spend(struct net_gossip *g, struct peer *p, size_t *used,
		  size_t max, size_t n)
{
	if (*used + n > max) {
		p->over_budget++;
		g->stats.over_budget++;
		g->stats.ignored++;
		return false;
	}
	*used += n;
	return true;
}

static bool spend32(struct net_gossip *g, struct peer *p, uint32_t *used,
		    uint32_t max)
{
	size_t u = *used;
	bool ok = spend(g, p, &u, max, 1);
	*used = (uint32_t)u;
	return ok;
}

/* ---------------------------------------------------------------------- */
/* Peers, wants and pulls.                                                 */

static struct peer *find_peer(struct net_gossip *g, uint32_t id)
{
	for (size_t i = 0; i < g->n_peers; i++)
		if (g->peers[i].id == id)
			return &g->peers[i];
	return NULL;
}

static struct peer *get_peer(struct net_gossip *g, uint32_t id)
{
	struct peer *p = find_peer(g, id);
	if (p)
		return p;
	g->peers =
	    grow(g->peers, &g->cap_peers, g->n_peers + 1, sizeof(*g->peers));
	p = &g->peers[g->n_peers++];
	memset(p, 0, sizeof(*p));
	p->id = id;
	return p;
}

static bool same_feed(const uint8_t a_author[32], const char *a_scope,
		      const uint8_t b_author[32], const char *b_scope)
{
	return memcmp(a_author, b_author, 32) == 0 &&
	       strcmp(a_scope, b_scope) == 0;
}

/*
 * A peer's wants: an array (pull order) and a linear-probing hash table
 * of WANT_SLOTS over it, keyed by SipHash of the feed under the machine's
 * own key, so that a peer cannot choose feeds that collide. Removal
 * moves the last want into the hole and closes the probe run behind the
 * removed slot (backward shift), so no tombstones build up.
 */
static uint32_t want_hash(const struct net_gossip *g, const uint8_t author[32],
			  const char *scope)
{
	uint8_t in[32 + NET_WIRE_SCOPE_BYTES], h[8];
	size_t len = strlen(scope);
	memcpy(in, author, 32);
	memcpy(in + 32, scope, len);
	crypto_shorthash(h, in, 32 + len, g->hash_key);
	return (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 |
	       (uint32_t)h[3] << 24;
}

/* The slot holding feed (author, scope), or the empty slot where it
 * would go. */
static size_t want_slot(const struct peer *p, uint32_t hash,
			const uint8_t author[32], const char *scope)
{
	size_t mask = WANT_SLOTS - 1, i = hash & mask;
	while (p->slots[i]) {
		const struct want *w = &p->wants[p->slots[i] - 1];
		if (w->hash == hash && same_feed(w->author, w->scope, author,
						 scope))
			return i;
		i = (i + 1) & mask;
	}
	return i;
}

static void slots_clear(struct peer *p)
{
	if (p->slots)
		memset(p->slots, 0, WANT_SLOTS * sizeof(*p->slots));
}

/* Records that peer p holds feed up to seq (keeps the largest claim). */
static void add_want(struct net_gossip *g, struct peer *p,
		     const uint8_t author[32], const char *scope, uint64_t seq)
{
	if (!p->slots) {
		p->slots = crdt_xcalloc(WANT_SLOTS, sizeof(*p->slots));
	}
	uint32_t hash = want_hash(g, author, scope);
	size_t s = want_slot(p, hash, author, scope);
	if (p->slots[s]) {
		struct want *w = &p->wants[p->slots[s] - 1];
		if (seq > w->seq)
			w->seq = seq;
		return;
	}
	if (p->n_wants >= MAX_WANTS)
		return; /* rediscovered by a later round */
	p->wants =
	    grow(p->wants, &p->cap_wants, p->n_wants + 1, sizeof(*p->wants));
	struct want *w = &p->wants[p->n_wants++];
	memcpy(w->author, author, 32);
	memcpy(w->scope, scope, sizeof(w->scope));
	w->seq = seq;
	w->hash = hash;
	p->slots[s] = (uint32_t)p->n_wants;
}

/* Empties slot s and shifts back the entries of its probe run that
 * would no longer be found. */
static void slot_remove(struct peer *p, size_t s)
{
	size_t mask = WANT_SLOTS - 1, i = s, j = s;
	for (;;) {
		j = (j + 1) & mask;
		if (!p->slots[j])
			break;
		size_t home = p->wants[p->slots[j] - 1].hash & mask;
		/* j's entry may fill i when its home is not in (i, j]. */
		bool between = i <= j ? (i < home && home <= j)
				      : (i < home || home <= j);
		if (!between) {
			p->slots[i] = p->slots[j];
			i = j;
		}
	}
	p->slots[i] = 0;
}

static void drop_want_at(struct peer *p, size_t i)
{
	struct want *w = &p->wants[i];
	slot_remove(p, want_slot(p, w->hash, w->author, w->scope));
	size_t last = p->n_wants - 1;
	if (i != last) {
		/* The last want fills the hole: repoint its slot. */
		struct want *l = &p->wants[last];
		p->slots[want_slot(p, l->hash, l->author, l->scope)] =
		    (uint32_t)i + 1;
		*w = *l;
	}
	p->n_wants--;
}

static void drop_want(struct net_gossip *g, struct peer *p,
		      const uint8_t author[32], const char *scope)
{
	if (!p->slots || !p->n_wants)
		return;
	uint32_t hash = want_hash(g, author, scope);
	size_t s = want_slot(p, hash, author, scope);
	if (p->slots[s])
		drop_want_at(p, p->slots[s] - 1);
}

/* Pulls of feed (author, scope) in flight, from any peer. */
static size_t feed_pulls(const struct net_gossip *g, const uint8_t author[32],
			 const char *scope)
{
	size_t n = 0;
	for (size_t i = 0; i < g->n_pulls; i++)
		if (same_feed(g->pulls[i].author, g->pulls[i].scope, author,
			      scope))
			n++;
	return n;
}

static bool feed_busy(const struct net_gossip *g, const uint8_t author[32],
		      const char *scope)
{
	return feed_pulls(g, author, scope) > 0;
}

static void remove_pull_at(struct net_gossip *g, size_t i)
{
	memmove(&g->pulls[i], &g->pulls[i + 1],
		(g->n_pulls - i - 1) * sizeof(*g->pulls));
	g->n_pulls--;
}

static void send_pull_n(struct net_gossip *g, struct peer *p,
			const struct want *w, uint64_t from, uint64_t max,
			uint64_t now_ms, struct net_gossip_actions *out)
{
	g->pulls =
	    grow(g->pulls, &g->cap_pulls, g->n_pulls + 1, sizeof(*g->pulls));
	struct pull *pl = &g->pulls[g->n_pulls++];
	memset(pl, 0, sizeof(*pl));
	pl->id = ++g->next_id;
	pl->peer = p->id;
	pl->stage = PULL_SENT;
	memcpy(pl->author, w->author, 32);
	memcpy(pl->scope, w->scope, sizeof(pl->scope));
	pl->from = from;
	pl->max = max;
	pl->deadline = now_ms + g->cfg.pull_timeout_ms;
	p->inflight++;

	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_PULL;
	memcpy(m.author, w->author, 32);
	memcpy(m.scope, w->scope, sizeof(m.scope));
	m.from_seq = from;
	m.max_entries = pl->max;
	send_msg(g, p->id, &m, out);
	g->stats.pulls_sent++;
}

static void send_pull(struct net_gossip *g, struct peer *p,
		      const struct want *w, uint64_t from, uint64_t now_ms,
		      struct net_gossip_actions *out)
{
	send_pull_n(g, p, w, from, g->cfg.pull_entries, now_ms, out);
}

/* Starts pulls from p for the feeds it is ahead on, within its budget and
 * one puller per feed. */
static void schedule(struct net_gossip *g, struct peer *p, uint64_t now_ms,
		     struct net_gossip_actions *out)
{
	size_t i = 0;
	if (!p->up)
		return;
	while (i < p->n_wants && p->inflight < g->cfg.max_inflight) {
		struct want w = p->wants[i];
		if (feed_busy(g, w.author, w.scope)) {
			i++;
			continue;
		}
		uint64_t mine = local_seq(g, w.author, w.scope);
		if (mine >= w.seq || (mine == 0 && is_capped(g, w.author))) {
			drop_want_at(p, i);
			continue;
		}
		i++;
		send_pull(g, p, &w, mine + 1, now_ms, out);
	}
}

static void schedule_all(struct net_gossip *g, uint64_t now_ms,
			 struct net_gossip_actions *out)
{
	for (size_t i = 0; i < g->n_peers; i++)
		schedule(g, &g->peers[i], now_ms, out);
}

/* The peer is gone: forget what it owes us and what we wanted from it. */
static void peer_gone(struct net_gossip *g, struct peer *p)
{
	p->up = false;
	p->inflight = 0;
	p->n_wants = 0;
	slots_clear(p);
	p->vec_open = false;
	p->lag_known = false;
	for (size_t i = 0; i < g->n_pulls;) {
		struct pull *pl = &g->pulls[i];
		if (pl->peer != p->id || pl->orphan) {
			i++;
		} else if (pl->stage == PULL_SENT) {
			remove_pull_at(g, i);
		} else {
			pl->orphan = true;
			i++;
		}
	}
}

static void penalise(struct net_gossip *g, struct peer *p, const char *reason,
		     uint64_t now_ms, struct net_gossip_actions *out)
{
	if (p->strikes > 0 &&
	    now_ms - p->last_strike_ms > 4 * g->cfg.backoff_max_ms)
		p->strikes = 0; /* well behaved for long: forgive */
	p->strikes++;
	p->last_strike_ms = now_ms;
	uint64_t ms = g->cfg.backoff_base_ms;
	for (uint32_t i = 1; i < p->strikes && ms < g->cfg.backoff_max_ms; i++)
		ms *= 2;
	if (ms > g->cfg.backoff_max_ms)
		ms = g->cfg.backoff_max_ms;
	p->banned_until = now_ms + ms;
	struct net_gossip_action *a = push(out, NET_GOSSIP_DISCONNECT, p->id);
	a->ms = ms;
	a->reason = reason;
	g->stats.disconnects++;
	peer_gone(g, p);
}

/* ---------------------------------------------------------------------- */
/* Lists: VECTOR and ANNOUNCE in chunks of at most list_bytes.             */

static void send_vector(struct net_gossip *g, uint32_t peer,
			const struct net_wire_feed *feeds, size_t n,
			struct net_gossip_actions *out)
{
	size_t per = (g->cfg.list_bytes - LIST_OVERHEAD) / VECTOR_ITEM_MAX;
	size_t i = 0;
	do {
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_VECTOR;
		if (i > 0) {
			m.has_after = true;
			memcpy(m.after_author, feeds[i - 1].author, 32);
			memcpy(m.after_scope, feeds[i - 1].scope,
			       sizeof(m.after_scope));
		}
		m.feeds = (struct net_wire_feed *)(feeds + i); /* read only */
		m.n_feeds = n - i < per ? n - i : per;
		i += m.n_feeds;
		m.last = i == n;
		send_msg(g, peer, &m, out);
	} while (i < n);
}

static void send_announce(struct net_gossip *g, uint32_t peer,
			  struct net_wire_feed *feeds, size_t n,
			  struct net_gossip_actions *out)
{
	size_t per = (g->cfg.list_bytes - LIST_OVERHEAD) / ANNOUNCE_ITEM_MAX;
	for (size_t i = 0; i < n;) {
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_ANNOUNCE;
		m.feeds = feeds + i;
		m.n_feeds = n - i < per ? n - i : per;
		i += m.n_feeds;
		send_msg(g, peer, &m, out);
	}
}

/* ---------------------------------------------------------------------- */
/* Messages.                                                               */

/* ---------------------------------------------------------------------- */
/* Checkpoints and proofs.                                                 */

static void send_checkpoint(struct net_gossip *g, uint32_t peer,
			    struct net_gossip_actions *out)
{
	struct crdt_buf cp, b;
	crdt_buf_init(&cp);
	if (g->ops->checkpoint(g->ctx, &cp) == 0) {
		struct net_wire_msg m;
		memset(&m, 0, sizeof(m));
		m.type = NET_WIRE_CHECKPOINT;
		m.a = cp.data;
		m.a_len = cp.len;
		crdt_buf_init(&b);
		net_wire_encode(&b, &m);
		if (b.len <= NET_WIRE_MAX_MSG_BYTES)
			send_buf(g, peer, &b, out);
		crdt_buf_fini(&b);
	}
	crdt_buf_fini(&cp);
}

struct share {
	struct net_gossip *g;
	struct net_gossip_actions *out;
	const uint32_t *peers;
	size_t n_peers;
};

static void share_one(void *arg, enum net_wire_type type, const uint8_t *a,
		      size_t a_len, const uint8_t *b, size_t b_len)
{
	struct share *sh = arg;
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = type;
	m.a = a;
	m.a_len = a_len;
	m.b = b;
	m.b_len = b_len;
	for (size_t i = 0; i < sh->n_peers; i++)
		send_msg(sh->g, sh->peers[i], &m, sh->out);
}

/* The ids of the connected peers other than `except` (all of them for
 * UINT32_MAX) or only `only`; owned. */
static uint32_t *up_peers(struct net_gossip *g, uint32_t only, uint32_t except,
			  size_t *n)
{
	uint32_t *ids =
	    crdt_xmalloc((g->n_peers ? g->n_peers : 1) * sizeof(*ids));
	*n = 0;
	for (size_t i = 0; i < g->n_peers; i++) {
		struct peer *p = &g->peers[i];
		if (p->up && p->id != except &&
		    (only == UINT32_MAX || p->id == only))
			ids[(*n)++] = p->id;
	}
	return ids;
}

/* Sends every proof held to one peer (peer != UINT32_MAX) or to every
 * connected one. A node keeps one fork proof per author and one
 * divergence proof per pair of nodes, so this is bounded by the roster,
 * whatever peers send; it runs when a peer comes up and when the node
 * found a proof by itself (an ingest, an import). */
static void share_proofs(struct net_gossip *g, uint32_t peer,
			 struct net_gossip_actions *out)
{
	if (!g->ops->proofs)
		return;
	size_t n;
	uint32_t *ids = up_peers(g, peer, UINT32_MAX, &n);
	struct share sh = {g, out, ids, n};
	size_t held = g->ops->proofs(g->ctx, n ? share_one : NULL, &sh);
	if (peer == UINT32_MAX)
		g->proofs_shared = held;
	free(ids);
}

static void on_checkpoint(struct net_gossip *g, struct peer *p,
			  const struct net_wire_msg *m, uint64_t now_ms,
			  struct net_gossip_actions *out)
{
	const char *why = "bad checkpoint";
	/* Each costs a signature check and one of ours; a peer gets few
	 * answers per round (one from us), so a few suffice. */
	if (!g->ops->checkpoint_seen ||
	    !spend32(g, p, &p->checkpoints_in, g->cfg.max_vectors))
		return;
	int rc = g->ops->checkpoint_seen(g->ctx, m->a, m->a_len, &why);
	if (rc == -EBADMSG)
		penalise(g, p, why, now_ms, out);
	else if (rc == 1)
		share_proofs(g, UINT32_MAX, out);
}

/* A proof new to us is passed on, alone, to every other connected peer;
 * one already held (the replica keeps one per author, or per pair of
 * nodes) ends there, so the flood ends and a forker signing thousands of
 * pairs costs each node one proof and a key lookup per message, within
 * the peer's per-round budget. */
static void on_proof(struct net_gossip *g, struct peer *p,
		     const struct net_wire_msg *m, uint64_t now_ms,
		     struct net_gossip_actions *out)
{
	const char *why = "bad proof";
	if (!g->ops->proof_add) {
		g->stats.ignored++;
		return;
	}
	if (!spend32(g, p, &p->proofs_in, g->cfg.max_proofs))
		return;
	int rc = g->ops->proof_add(g->ctx, m->type, m->a, m->a_len, m->b,
				   m->b_len, &why);
	if (rc == -EBADMSG) {
		penalise(g, p, why, now_ms, out);
	} else if (rc == 1) {
		size_t n;
		uint32_t *ids = up_peers(g, UINT32_MAX, p->id, &n);
		struct share sh = {g, out, ids, n};
		share_one(&sh, m->type, m->a, m->a_len, m->b, m->b_len);
		free(ids);
		if (g->ops->proofs)
			g->proofs_shared = g->ops->proofs(g->ctx, NULL, NULL);
	}
}

static void on_digest(struct net_gossip *g, struct peer *p,
		      const struct net_wire_msg *m,
		      struct net_gossip_actions *out)
{
	const struct net_wire_feed *f;
	const uint8_t *d;
	size_t n;
	if (!spend32(g, p, &p->digests_in, g->cfg.max_digests))
		return;
	if (local_vv(g, &f, &n, &d) != 0)
		return;
	if (memcmp(d, m->digest, 32) != 0) {
		if (p->vectors_sent < g->cfg.max_vectors) {
			p->vectors_sent++;
			send_vector(g, p->id, f, n, out);
		} else {
			p->over_budget++;
			g->stats.over_budget++;
			g->stats.ignored++;
		}
		return;
	}
	/* It holds exactly our vector: none of our feeds is ahead there. */
	p->lag = 0;
	p->lag_known = true;
	push(out, NET_GOSSIP_HEADS_SHOWN, p->id)->reason = "equal_digest";
	uint8_t s[32];
	if (g->ops->state_digest && g->ops->checkpoint && !p->checkpoint_sent) {
		/* The same entries and another state: one of us is wrong.
		 * Our signed checkpoint lets the peer prove it. */
		g->ops->state_digest(g->ctx, s);
		if (memcmp(s, m->state, 32) != 0) {
			p->checkpoint_sent = true;
			send_checkpoint(g, p->id, out);
		}
	}
}

/* The peer's head of a feed has our seq and another hash: its author
 * signed two entries there. Pulling the peer's one lets the ledger keep
 * the fork proof (it reports -EEXIST), which then floods. */
static void pull_fork(struct net_gossip *g, struct peer *p,
		      const struct net_wire_feed *f, uint64_t now_ms,
		      struct net_gossip_actions *out)
{
	if (feed_busy(g, f->author, f->scope) ||
	    p->inflight >= g->cfg.max_inflight)
		return;
	size_t keep = sizeof(p->forks) / sizeof(p->forks[0]);
	for (size_t i = 0; i < p->n_forks && i < keep; i++)
		if (p->forks[i].seq == f->seq &&
		    same_feed(p->forks[i].author, p->forks[i].scope, f->author,
			      f->scope))
			return;
	struct want *seen = &p->forks[p->n_forks++ % keep];
	memcpy(seen->author, f->author, 32);
	memcpy(seen->scope, f->scope, sizeof(seen->scope));
	seen->seq = f->seq;
	struct want w;
	memcpy(w.author, f->author, 32);
	memcpy(w.scope, f->scope, sizeof(w.scope));
	w.seq = f->seq;
	send_pull_n(g, p, &w, f->seq, 1, now_ms, out);
	g->stats.fork_pulls++;
}

/* A peer is ahead on a feed (or we lack it): want it, unless its author
 * is at its feed cap and the feed is new to us, or it is a claim of one
 * of our own feeds (pulled like any other, but noted: such a vector does
 * not confirm our heads). */
static void want_feed(struct net_gossip *g, struct peer *p,
		      const struct net_wire_feed *f, uint64_t mine)
{
	if (is_self(g, f->author))
		p->vec_own_ahead = true;
	if (mine == 0 && is_capped(g, f->author))
		return;
	add_want(g, p, f->author, f->scope, f->seq);
}

/* Follows a peer's VECTOR chunk by chunk (each names the last feed of the
 * one before as its bound); true when this chunk continues a pass that
 * began with a first chunk. */
static bool vector_chunk(struct peer *p, const struct net_wire_msg *m)
{
	if (!m->has_after) {
		p->vec_open = true; /* a first chunk */
		p->vec_own_ahead = false;
		p->vec_lag = 0;
	} else if (!p->vec_open ||
		   !same_feed(m->after_author, m->after_scope,
			      p->vec_last.author, p->vec_last.scope)) {
		p->vec_open = false; /* one went missing: wait for another */
	}
	if (p->vec_open && !m->last && m->n_feeds > 0) {
		const struct net_wire_feed *f = &m->feeds[m->n_feeds - 1];
		memcpy(p->vec_last.author, f->author, 32);
		memcpy(p->vec_last.scope, f->scope, sizeof(f->scope));
	}
	return p->vec_open;
}

/* Compares a VECTOR chunk with the same key range of the local vector:
 * wants where the peer is ahead, ANNOUNCE where we are. When the last
 * chunk of an in-order pass has come, the peer's lag is known, and its
 * heads confirm ours unless it listed an own feed of ours beyond our
 * head. */
static void on_vector(struct net_gossip *g, struct peer *p,
		      const struct net_wire_msg *m, uint64_t now_ms,
		      struct net_gossip_actions *out)
{
	const struct net_wire_feed *mine;
	struct net_wire_feed *ahead;
	size_t n_mine, n_ahead = 0, i = 0, j = 0;
	if (!spend(g, p, &p->items_in, g->cfg.max_list_items,
		   m->n_feeds + 1)) {
		p->vec_open = false;
		return;
	}
	bool in_pass = vector_chunk(p, m);
	if (local_vv(g, &mine, &n_mine, NULL) != 0)
		return;
	ahead = n_mine ? crdt_xcalloc(n_mine, sizeof(*ahead)) : NULL;
	uint64_t lag = 0;
	/* Skip local feeds at or before the chunk's lower bound. */
	if (m->has_after)
		while (i < n_mine &&
		       net_wire_feed_cmp(mine[i].author, mine[i].scope,
					 m->after_author, m->after_scope) <= 0)
			i++;
	while (i < n_mine || j < m->n_feeds) {
		int c;
		if (i == n_mine)
			c = 1;
		else if (j == m->n_feeds)
			c = m->last ? -1 : 2; /* past the chunk: stop */
		else
			c = net_wire_feed_cmp(mine[i].author, mine[i].scope,
					      m->feeds[j].author,
					      m->feeds[j].scope);
		if (c == 2)
			break;
		if (c < 0) { /* the peer lacks this feed */
			lag += mine[i].seq;
			ahead[n_ahead++] = mine[i++];
		} else if (c > 0) { /* we lack it */
			const struct net_wire_feed *f = &m->feeds[j++];
			if (f->seq > 0)
				want_feed(g, p, f, 0);
		} else {
			const struct net_wire_feed *f = &m->feeds[j++];
			if (f->seq > mine[i].seq) {
				want_feed(g, p, f, mine[i].seq);
			} else if (f->seq < mine[i].seq) {
				lag += mine[i].seq - f->seq;
				ahead[n_ahead++] = mine[i];
			} else if (f->seq > 0 &&
				   memcmp(f->head, mine[i].head, 32)) {
				pull_fork(g, p, f, now_ms, out);
			}
			i++;
		}
	}
	if (in_pass) {
		p->vec_lag += lag;
		if (m->last) {
			p->vec_open = false;
			p->lag = p->vec_lag;
			p->lag_known = true;
			if (!p->vec_own_ahead)
				push(out, NET_GOSSIP_HEADS_SHOWN, p->id)
				    ->reason = "vector";
		}
	}
	if (n_ahead > 0)
		send_announce(g, p->id, ahead, n_ahead, out);
	free(ahead);
	schedule(g, p, now_ms, out);
}

static void on_announce(struct net_gossip *g, struct peer *p,
			const struct net_wire_msg *m, uint64_t now_ms,
			struct net_gossip_actions *out)
{
	if (!spend(g, p, &p->items_in, g->cfg.max_list_items, m->n_feeds))
		return;
	for (size_t i = 0; i < m->n_feeds; i++) {
		const struct net_wire_feed *f = &m->feeds[i];
		uint64_t mine = local_seq(g, f->author, f->scope);
		if (f->seq > mine && !(mine == 0 && is_capped(g, f->author)))
			add_want(g, p, f->author, f->scope, f->seq);
	}
	schedule(g, p, now_ms, out);
}

/* Asks p for the batch after the last one of feed (author, scope) being
 * ingested, when p has more, the feed is below feed_depth pulls and no
 * pull of it awaits its reply (its end is not known yet). */
static void pull_ahead(struct net_gossip *g, struct peer *p,
		       const uint8_t author[32], const char *scope,
		       uint64_t now_ms, struct net_gossip_actions *out)
{
	uint64_t next = 0, have = 0;
	size_t n = 0;
	if (!p->up || p->inflight >= g->cfg.max_inflight)
		return;
	for (size_t i = 0; i < g->n_pulls; i++) {
		const struct pull *pl = &g->pulls[i];
		if (!same_feed(pl->author, pl->scope, author, scope))
			continue;
		if (pl->stage == PULL_SENT || pl->orphan || pl->peer != p->id)
			return;
		n++;
		if (pl->from + pl->count > next)
			next = pl->from + pl->count;
		if (pl->have > have)
			have = pl->have;
	}
	if (n == 0 || n >= g->cfg.feed_depth || have < next)
		return;
	struct want w;
	memcpy(w.author, author, 32);
	memcpy(w.scope, scope, sizeof(w.scope));
	w.seq = have;
	send_pull(g, p, &w, next, now_ms, out);
}

static void on_pull(struct net_gossip *g, struct peer *p,
		    const struct net_wire_msg *m,
		    struct net_gossip_actions *out)
{
	if (p->served_bytes >= g->cfg.serve_bytes) {
		p->over_budget++;
		g->stats.over_budget++;
		g->stats.ignored++;
		return;
	}
	if (!spend32(g, p, &p->pulls_in, g->cfg.max_pulls))
		return;
	struct crdt_buf entries, b;
	crdt_buf_init(&entries);
	size_t max = m->max_entries;
	int n = g->ops->read_range(g->ctx, m->author, m->scope, m->from_seq,
				   max, g->cfg.batch_bytes, &entries);
	if (n < 0) {
		n = 0;
		crdt_buf_reset(&entries);
	}
	assert((size_t)n <= max);
	struct net_wire_msg r;
	memset(&r, 0, sizeof(r));
	r.type = NET_WIRE_ENTRIES;
	memcpy(r.author, m->author, 32);
	memcpy(r.scope, m->scope, sizeof(r.scope));
	r.from_seq = m->from_seq;
	r.have_seq = g->ops->feed_seq(g->ctx, m->author, m->scope);
	r.n_entries = (size_t)n;
	r.entries = entries.data;
	r.entries_len = entries.len;
	crdt_buf_init(&b);
	net_wire_encode(&b, &r);
	crdt_buf_fini(&entries);
	p->served_bytes += b.len;
	g->stats.entries_served += (uint64_t)n;
	send_buf(g, p->id, &b, out);
}

static void on_entries(struct net_gossip *g, struct peer *p,
		       const struct net_wire_msg *m, uint64_t now_ms,
		       struct net_gossip_actions *out)
{
	struct pull *pl = NULL;
	for (size_t i = 0; i < g->n_pulls; i++) {
		struct pull *x = &g->pulls[i];
		if (x->peer == p->id && !x->orphan && x->stage == PULL_SENT &&
		    x->from == m->from_seq &&
		    same_feed(x->author, x->scope, m->author, m->scope)) {
			pl = x;
			break;
		}
	}
	if (!pl) { /* late, duplicated or unasked: harmless, dropped */
		g->stats.ignored++;
		return;
	}
	if (m->n_entries > pl->max) {
		penalise(g, p, "ENTRIES longer than the PULL asked", now_ms,
			 out);
		return;
	}
	if (m->n_entries == 0) {
		/* It has nothing from there after all; a later round asks
		 * again if it still claims more. */
		drop_want(g, p, pl->author, pl->scope);
		remove_pull_at(g, (size_t)(pl - g->pulls));
		p->inflight--;
		schedule(g, p, now_ms, out);
		return;
	}
	pl->stage = PULL_INGESTING;
	pl->count = m->n_entries;
	pl->have = m->have_seq;
	struct net_gossip_action *a = push(out, NET_GOSSIP_INGEST, p->id);
	a->bytes = crdt_xmalloc(m->entries_len);
	memcpy(a->bytes, m->entries, m->entries_len);
	a->len = m->entries_len;
	a->count = m->n_entries;
	a->id = pl->id;
	g->stats.entries_received += m->n_entries;
	pull_ahead(g, p, m->author, m->scope, now_ms, out);
}

/* ---------------------------------------------------------------------- */
/* Rosters and proposals (ROSTER).                                         */

/* Sends peer a ROSTER: our version and proposals digest, the versions from
 * `from` on (none when 0), and the proposals held when with_proposals.
 * Each round's ROSTER carries only the digest: a peer holding other
 * proposals answers with its own, so that idle rounds cost a few bytes
 * however many proposals wait for signatures. */
static void send_roster(struct net_gossip *g, uint32_t peer, uint64_t from,
			bool with_proposals, struct net_gossip_actions *out)
{
	if (!g->ops->roster_version || !g->ops->rosters_read ||
	    !g->ops->proposals_read || !g->ops->proposals_digest ||
	    !g->ops->roster_id)
		return;
	struct crdt_buf rb, pb;
	crdt_buf_init(&rb);
	crdt_buf_init(&pb);
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_ROSTER;
	m.roster_version = g->ops->roster_version(g->ctx);
	if (m.roster_version == 0) {
		crdt_buf_fini(&rb);
		crdt_buf_fini(&pb);
		return;
	}
	size_t half = (NET_WIRE_MAX_MSG_BYTES - LIST_OVERHEAD) / 2;
	if (from && from <= m.roster_version)
		m.n_rosters = g->ops->rosters_read(g->ctx, from, half, &rb);
	m.rosters = rb.data;
	m.rosters_len = rb.len;
	g->ops->roster_id(g->ctx, m.roster_id);
	g->ops->proposals_digest(g->ctx, m.proposals_digest);
	if (with_proposals)
		m.n_proposals = g->ops->proposals_read(g->ctx, half, &pb);
	m.proposals = pb.data;
	m.proposals_len = pb.len;
	if (rb.len + pb.len + LIST_OVERHEAD <= NET_WIRE_MAX_MSG_BYTES)
		send_msg(g, peer, &m, out);
	crdt_buf_fini(&rb);
	crdt_buf_fini(&pb);
}

static void broadcast_roster(struct net_gossip *g, uint32_t except,
			     bool new_version,
			     struct net_gossip_actions *out)
{
	if (!g->ops->roster_version)
		return;
	size_t n;
	uint32_t *ids = up_peers(g, UINT32_MAX, except, &n);
	uint64_t v = g->ops->roster_version(g->ctx);
	for (size_t i = 0; i < n; i++)
		send_roster(g, ids[i], new_version && v > 1 ? v : 0, true, out);
	free(ids);
}

void net_gossip_on_roster_changed(struct net_gossip *g, bool new_version,
				  uint64_t now_ms,
				  struct net_gossip_actions *out)
{
	(void)now_ms;
	broadcast_roster(g, UINT32_MAX, new_version, out);
}

/* A peer's ROSTER: its versions and proposals are added in order (an
 * invalid one penalises it); what changed here goes on to every other
 * peer; a peer behind us gets the versions it lacks, a peer ahead our
 * version, so that it sends us its own. Within the peer's budget of
 * ROSTERs per round, so that two nodes never answer each other without
 * end. */
static void on_roster(struct net_gossip *g, struct peer *p,
		      const struct net_wire_msg *m, uint64_t now_ms,
		      struct net_gossip_actions *out)
{
	if (!g->ops->roster_version || !g->ops->roster_add ||
	    !g->ops->proposal_add || !g->ops->proposals_digest ||
	    !g->ops->roster_id) {
		g->stats.ignored++;
		return;
	}
	if (!spend32(g, p, &p->rosters_in, g->cfg.max_rosters))
		return;
	uint64_t before = g->ops->roster_version(g->ctx);
	uint8_t id_before[32], id[32];
	g->ops->roster_id(g->ctx, id_before);
	bool changed = false;
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, m->rosters, m->rosters_len, true);
	for (size_t i = 0; i < m->n_rosters; i++) {
		const uint8_t *r;
		size_t rl;
		const char *why = "bad roster";
		if (crdt_mp_read_bin(&c, &r, &rl) != 0)
			break;
		int rc = g->ops->roster_add(g->ctx, r, rl, &why);
		if (rc == -EBADMSG) {
			penalise(g, p, why, now_ms, out);
			return;
		}
		if (rc == 1)
			changed = true;
	}
	crdt_mp_cursor_init(&c, m->proposals, m->proposals_len, true);
	for (size_t i = 0; i < m->n_proposals; i++) {
		const uint8_t *start = c.p;
		const char *why = "bad proposal";
		if (crdt_mp_skip(&c) != 0)
			break;
		int rc = g->ops->proposal_add(g->ctx, start,
					      (size_t)(c.p - start), &why);
		if (rc == -EBADMSG) {
			penalise(g, p, why, now_ms, out);
			return;
		}
		if (rc == 1)
			changed = true;
	}
	uint64_t mine = g->ops->roster_version(g->ctx);
	g->ops->roster_id(g->ctx, id);
	bool new_version = mine != before || memcmp(id, id_before, 32) != 0;
	uint8_t pd[32];
	g->ops->proposals_digest(g->ctx, pd);
	/* Our proposals when the peer holds others: it lacks some of ours
	 * (or it sent none, so we cannot tell). */
	bool props = m->roster_version == mine &&
		     memcmp(pd, m->proposals_digest, 32) != 0;
	if (changed)
		broadcast_roster(g, p->id, new_version, out);
	if (m->roster_version < mine)
		send_roster(g, p->id, m->roster_version + 1, true, out);
	else if (m->roster_version > mine)
		send_roster(g, p->id, 0, false, out);
	else if (memcmp(m->roster_id, id, 32) != 0)
		/* Another body of the same version (an admin signed two):
		 * ours goes back, and the lower id stands at both. */
		send_roster(g, p->id, mine, props, out);
	else if (props)
		send_roster(g, p->id, 0, true, out);
}

void net_gossip_on_message(struct net_gossip *g, uint32_t peer,
			   const uint8_t *msg, size_t len, uint64_t now_ms,
			   struct net_gossip_actions *out)
{
	struct peer *p = get_peer(g, peer);
	struct net_wire_msg m;
	const char *why = NULL;
	g->stats.msgs_received++;
	g->stats.bytes_received += len;
	if (!p->up || now_ms < p->banned_until) {
		g->stats.ignored++; /* late from a closed connection */
		return;
	}
	int rc = net_wire_decode(msg, len, &m, &why);
	if (rc == -ENOMEM) {
		g->stats.ignored++;
		return;
	}
	if (rc != 0) {
		penalise(g, p, why, now_ms, out);
		return;
	}
	switch (m.type) {
	case NET_WIRE_DIGEST:
		on_digest(g, p, &m, out);
		break;
	case NET_WIRE_VECTOR:
		on_vector(g, p, &m, now_ms, out);
		break;
	case NET_WIRE_ANNOUNCE:
		on_announce(g, p, &m, now_ms, out);
		break;
	case NET_WIRE_PULL:
		on_pull(g, p, &m, out);
		break;
	case NET_WIRE_ENTRIES:
		on_entries(g, p, &m, now_ms, out);
		break;
	case NET_WIRE_CHECKPOINT:
		on_checkpoint(g, p, &m, now_ms, out);
		break;
	case NET_WIRE_FORK:
	case NET_WIRE_DIVERGENCE:
		on_proof(g, p, &m, now_ms, out);
		break;
	case NET_WIRE_PING:
		break; /* it kept the link alive: nothing to do */
	case NET_WIRE_ROSTER:
		on_roster(g, p, &m, now_ms, out);
		break;
	case NET_WIRE_UNKNOWN:
		g->stats.ignored++;
		break;
	}
	net_wire_msg_fini(&m);
}

/* ---------------------------------------------------------------------- */
/* Other events.                                                           */

void net_gossip_cfg_default(struct net_gossip_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->fanout = 2;
	cfg->round_ms = 2000;
	cfg->pull_timeout_ms = 4000;
	cfg->max_inflight = 4;
	cfg->pull_entries = 256;
	cfg->feed_depth = 4;
	cfg->batch_bytes = 256u * 1024u;
	cfg->list_bytes = 256u * 1024u;
	cfg->serve_bytes = 64u * 1024u * 1024u;
	cfg->max_vectors = 4;
	cfg->backoff_base_ms = 1000;
	cfg->backoff_max_ms = 300000;
	cfg->seed = 0;
	cfg->max_digests = 4;
	cfg->max_proofs = 8;
	cfg->max_rosters = 4;
	cfg->max_pulls = 4096;
	cfg->max_list_items = 65536;
}

int net_gossip_new(const struct net_gossip_cfg *cfg,
		   const struct net_gossip_replica *ops, void *ctx,
		   struct net_gossip **out)
{
	/* An ENTRIES reply may exceed batch_bytes by one entry. */
	size_t entry_max = CRDT_MAX_BODY_BYTES + CRDT_SIG_BYTES + 16;
	if (cfg->fanout == 0 || cfg->round_ms == 0 || cfg->max_inflight == 0 ||
	    cfg->pull_entries == 0 || cfg->feed_depth == 0 ||
	    cfg->pull_entries > NET_WIRE_MAX_PULL_ENTRIES ||
	    cfg->batch_bytes == 0 ||
	    cfg->batch_bytes > NET_WIRE_MAX_MSG_BYTES -
				   net_wire_entries_overhead() - entry_max ||
	    cfg->list_bytes < LIST_OVERHEAD + VECTOR_ITEM_MAX ||
	    cfg->list_bytes > NET_WIRE_MAX_MSG_BYTES ||
	    cfg->backoff_base_ms == 0 ||
	    cfg->backoff_max_ms < cfg->backoff_base_ms || !cfg->max_digests ||
	    !cfg->max_proofs || !cfg->max_rosters || !cfg->max_pulls || !cfg->max_list_items ||
	    !ops || !ops->vv ||
	    !ops->feed_seq || !ops->read_range)
		return -EINVAL;
	struct net_gossip *g = crdt_xcalloc(1, sizeof(*g));
	g->cfg = *cfg;
	g->ops = ops;
	g->ctx = ctx;
	g->rng = cfg->seed;
	for (size_t i = 0; i < sizeof(g->hash_key); i += 8) {
		uint64_t r = rnd(g);
		memcpy(g->hash_key + i, &r, 8);
	}
	*out = g;
	return 0;
}

void net_gossip_free(struct net_gossip *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->n_peers; i++) {
		free(g->peers[i].wants);
		free(g->peers[i].slots);
	}
	free(g->peers);
	free(g->vv);
	free(g->pulls);
	free(g);
}

void net_gossip_stats(const struct net_gossip *g, struct net_gossip_stats *out)
{
	*out = g->stats;
}

static void arm_timer(struct net_gossip *g, struct net_gossip_actions *out)
{
	uint64_t r = g->cfg.round_ms, spread = r / 5;
	uint64_t ms = r - r / 10 + (spread ? rnd(g) % (spread + 1) : 0);
	push(out, NET_GOSSIP_TIMER, 0)->ms = ms ? ms : 1;
}

/* d: the vector's digest, then the state digest (zeros without one). */
static void send_digest(struct net_gossip *g, uint32_t peer,
			const uint8_t d[64], struct net_gossip_actions *out)
{
	struct net_wire_msg m;
	memset(&m, 0, sizeof(m));
	m.type = NET_WIRE_DIGEST;
	memcpy(m.digest, d, 32);
	memcpy(m.state, d + 32, 32);
	send_msg(g, peer, &m, out);
}

static int own_digest(struct net_gossip *g, uint8_t d[64])
{
	const struct net_wire_feed *f;
	const uint8_t *vd;
	size_t n;
	int rc = local_vv(g, &f, &n, &vd);
	if (rc != 0)
		return rc;
	memcpy(d, vd, 32);
	memset(d + 32, 0, 32);
	if (g->ops->state_digest)
		g->ops->state_digest(g->ctx, d + 32);
	return 0;
}

void net_gossip_on_start(struct net_gossip *g, uint64_t now_ms,
			 struct net_gossip_actions *out)
{
	(void)now_ms;
	arm_timer(g, out);
}

void net_gossip_on_peer_up(struct net_gossip *g, uint32_t peer, uint64_t now_ms,
			   struct net_gossip_actions *out)
{
	struct peer *p = get_peer(g, peer);
	uint8_t d[64];
	if (now_ms < p->banned_until) {
		struct net_gossip_action *a =
		    push(out, NET_GOSSIP_DISCONNECT, peer);
		a->ms = p->banned_until - now_ms;
		a->reason = "peer is backing off";
		peer_gone(g, p);
		return;
	}
	p->up = true;
	if (own_digest(g, d) == 0)
		send_digest(g, peer, d, out);
	share_proofs(g, peer, out);
	send_roster(g, peer, 0, false, out);
}

void net_gossip_on_peer_down(struct net_gossip *g, uint32_t peer,
			     uint64_t now_ms, struct net_gossip_actions *out)
{
	(void)now_ms;
	(void)out;
	struct peer *p = find_peer(g, peer);
	if (p)
		peer_gone(g, p);
}

void net_gossip_on_timer(struct net_gossip *g, uint64_t now_ms,
			 struct net_gossip_actions *out)
{
	uint32_t *up = NULL;
	size_t n_up = 0;
	uint8_t d[64];

	for (size_t i = 0; i < g->n_pulls;) {
		struct pull *pl = &g->pulls[i];
		if (pl->stage == PULL_SENT && pl->deadline <= now_ms) {
			struct peer *p = find_peer(g, pl->peer);
			assert(p && p->inflight > 0);
			p->inflight--;
			remove_pull_at(g, i);
		} else {
			i++;
		}
	}
	if (g->n_peers > 0) {
		up = crdt_xmalloc(g->n_peers * sizeof(*up));
	}
	/* A peer sent nothing since the last round gets a PING, so that
	 * every live link carries a message each round: the transport tears
	 * down a link silent for longer (a half-open connection looks up and
	 * carries nothing). A PING asks for nothing back, unlike a DIGEST,
	 * whose answer when vectors differ is a whole VECTOR. */
	bool *quiet =
	    g->n_peers ? crdt_xcalloc(g->n_peers, sizeof(*quiet)) : NULL;
	for (size_t i = 0; i < g->n_peers; i++) {
		struct peer *p = &g->peers[i];
		p->vectors_sent = 0;
		p->checkpoint_sent = false;
		p->checkpoints_in = 0;
		p->served_bytes = 0;
		p->digests_in = p->proofs_in = p->pulls_in = 0;
		p->rosters_in = 0;
		p->items_in = 0;
		if (p->up && now_ms >= p->banned_until) {
			quiet[n_up] = !p->sent;
			up[n_up++] = p->id;
		}
	}
	if (n_up > 0 && own_digest(g, d) == 0) {
		size_t k = g->cfg.fanout < n_up ? g->cfg.fanout : n_up;
		for (size_t i = 0; i < k; i++) { /* partial Fisher-Yates */
			size_t j = i + (size_t)(rnd(g) % (n_up - i));
			uint32_t t = up[i];
			bool q = quiet[i];
			up[i] = up[j];
			quiet[i] = quiet[j];
			up[j] = t;
			quiet[j] = q;
			send_digest(g, up[i], d, out);
			send_roster(g, up[i], 0, false, out);
		}
		struct net_wire_msg ping;
		memset(&ping, 0, sizeof(ping));
		ping.type = NET_WIRE_PING;
		for (size_t i = k; i < n_up; i++)
			if (quiet[i])
				send_msg(g, up[i], &ping, out);
	}
	/* What this round sent does not count for the next one. */
	for (size_t i = 0; i < g->n_peers; i++)
		g->peers[i].sent = false;
	free(quiet);
	free(up);
	/* Proofs found since the last round (an ingest, an import): out. */
	if (g->ops->proofs && g->ops->proofs(g->ctx, NULL, NULL) !=
				  g->proofs_shared)
		share_proofs(g, UINT32_MAX, out);
	schedule_all(g, now_ms, out);
	arm_timer(g, out);
}

void net_gossip_on_local_write(struct net_gossip *g, const uint8_t author[32],
			       const char *scope, uint64_t seq, uint64_t now_ms,
			       struct net_gossip_actions *out)
{
	(void)now_ms;
	struct net_wire_feed f;
	memset(&f, 0, sizeof(f));
	memcpy(f.author, author, 32);
	assert(strlen(scope) < sizeof(f.scope));
	memcpy(f.scope, scope, strlen(scope) + 1);
	f.seq = seq;
	for (size_t i = 0; i < g->n_peers; i++)
		if (g->peers[i].up && now_ms >= g->peers[i].banned_until)
			send_announce(g, g->peers[i].id, &f, 1, out);
}

void net_gossip_on_ingested(struct net_gossip *g, uint64_t id, size_t applied,
			    int rc, uint64_t now_ms,
			    struct net_gossip_actions *out)
{
	size_t i = 0;
	while (i < g->n_pulls && g->pulls[i].id != id)
		i++;
	assert(i < g->n_pulls && g->pulls[i].stage == PULL_INGESTING);
	if (i == g->n_pulls)
		return;
	struct pull pl = g->pulls[i];
	remove_pull_at(g, i);
	struct peer *p = find_peer(g, pl.peer);
	assert(p);
	if (!pl.orphan) {
		assert(p->inflight > 0);
		p->inflight--;
	}
	if (rc == -EBADMSG) {
		if (now_ms >= p->banned_until)
			penalise(g, p, "peer sent an entry the ledger rejects",
				 now_ms, out);
	} else if (rc == -EILSEQ && !pl.orphan && p->up) {
		/* The peer holds another branch of a forked feed: its entry
		 * before the one that failed, set against ours, is the fork
		 * proof. The want goes; a later round brings it back. */
		uint64_t seq = pl.from + applied;
		drop_want(g, p, pl.author, pl.scope);
		if (seq >= 2) {
			struct net_wire_feed f;
			memset(&f, 0, sizeof(f));
			memcpy(f.author, pl.author, 32);
			memcpy(f.scope, pl.scope, sizeof(f.scope));
			f.seq = seq - 1;
			pull_fork(g, p, &f, now_ms, out);
		}
	} else if (rc == -EDQUOT) {
		/* The author holds the most feeds one may: its new feeds are
		 * not wanted from anyone (the relayer did nothing wrong). */
		if (!is_capped(g, pl.author))
			memcpy(g->capped[g->n_capped++ % MAX_CAPPED],
			       pl.author, 32);
		drop_want(g, p, pl.author, pl.scope);
	} else if (pl.orphan) {
		/* its wants went with its connection */
	} else if (rc == 0 && applied == pl.count &&
		   pl.have >= pl.from + pl.count) {
		add_want(g, p, pl.author, pl.scope, pl.have); /* pull on */
		pull_ahead(g, p, pl.author, pl.scope, now_ms, out);
	} else if (rc == -EAGAIN && applied == 0 &&
		   g->ops->feed_seq(g->ctx, pl.author, pl.scope) + 1 >=
		       pl.from) {
		/* The first entry cannot apply yet (a roster version we
		 * lack, say): do not spin on it; a later round retries. */
		drop_want(g, p, pl.author, pl.scope);
	}
	/* The feed is free again: any peer may pull it on. */
	schedule_all(g, now_ms, out);
}

/* Notes that a peer showed a verified entry of own feed scope at seq. */
static void note_evidence(struct net_gossip *g, const char *scope,
			  uint64_t seq)
{
	for (size_t i = 0; i < g->n_evidence; i++)
		if (!strcmp(g->evidence[i].scope, scope)) {
			if (seq > g->evidence[i].seq)
				g->evidence[i].seq = seq;
			return;
		}
	/* Only this node signs its own feeds, so these are its own feeds
	 * (a handful); if ever full, the first slot is reused. */
	size_t i = g->n_evidence < MAX_EVIDENCE ? g->n_evidence++ : 0;
	snprintf(g->evidence[i].scope, sizeof(g->evidence[i].scope), "%s",
		 scope);
	g->evidence[i].seq = seq;
}

void net_gossip_on_verified(struct net_gossip *g, uint64_t id,
			    size_t verified)
{
	for (size_t i = 0; i < g->n_pulls; i++) {
		const struct pull *pl = &g->pulls[i];
		if (pl->id != id)
			continue;
		if (verified > 0 && verified <= pl->count &&
		    is_self(g, pl->author))
			note_evidence(g, pl->scope, pl->from + verified - 1);
		return;
	}
}

bool net_gossip_own_behind(struct net_gossip *g, char scope_out[13])
{
	for (size_t i = 0; i < g->n_evidence;) {
		uint64_t mine = g->ops->feed_seq(g->ctx, g->cfg.self,
						 g->evidence[i].scope);
		if (g->evidence[i].seq > mine) {
			snprintf(scope_out, 13, "%s", g->evidence[i].scope);
			return true;
		}
		/* Caught up: the evidence is spent. */
		g->evidence[i] = g->evidence[--g->n_evidence];
	}
	return false;
}

void net_gossip_peer_info(const struct net_gossip *g, uint32_t peer,
			  struct net_gossip_peer_info *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < g->n_peers; i++) {
		const struct peer *p = &g->peers[i];
		if (p->id != peer)
			continue;
		out->up = p->up;
		out->lag_known = p->lag_known;
		out->lag_entries = p->lag;
		out->wants = p->n_wants;
		out->over_budget = p->over_budget;
		return;
	}
}
