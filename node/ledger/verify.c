/*
 * verify.c: node_verify_batch, the two-thread signature check shared by
 * import, audit and replication.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/ledger.h"
#include "node/ledger/verify.h"

struct job {
	const uint8_t *net_id;
	const struct node_wire *e;
	bool *ok;
	size_t from, to;
	struct node_entry_head *heads; /* may be NULL */
};

static void *run(void *arg)
{
	struct job *j = arg;
	for (size_t i = j->from; i < j->to; i++) {
		struct crdt_entry d;
		enum crdt_reject why = CRDT_REJECT_NONE;
		j->ok[i] = false;
		if (crdt_entry_decode(j->e[i].p, j->e[i].len, &d, &why) != 0) {
			if (j->heads) {
				j->heads[i].decoded = false;
				j->heads[i].why = why;
			}
			continue;
		}
		if (j->heads) {
			struct node_entry_head *h = &j->heads[i];
			h->decoded = true;
			h->why = CRDT_REJECT_NONE;
			memcpy(h->author, d.author, 32);
			memcpy(h->scope, d.scope, sizeof(h->scope));
			h->seq = d.seq;
			h->hlc = d.hlc;
			h->roster_version = d.roster_version;
			memcpy(h->prev, d.prev, 32);
			memcpy(h->hash, d.hash, 32);
		}
		j->ok[i] = crdt_entry_verify(d.sig, j->net_id, d.body,
					     d.body_len, d.author);
		crdt_entry_fini(&d);
	}
	return NULL;
}

void node_verify_batch(const uint8_t net_id[32], const struct node_wire *e,
		       size_t n, bool *ok)
{
	struct job a = {net_id, e, ok, 0, n / 2, NULL};
	struct job b = {net_id, e, ok, n / 2, n, NULL};
	pthread_t t;
	/* A thread costs tens of microseconds: worth it past a few checks. */
	bool threaded = n >= 16 && pthread_create(&t, NULL, run, &b) == 0;
	run(&a);
	if (threaded)
		pthread_join(t, NULL);
	else
		run(&b);
}

struct node_verify_job {
	struct job half[2];
	pthread_t th[2];
	bool started[2];
};

struct node_verify_job *node_verify_start(const uint8_t net_id[32],
					  const struct node_wire *e, size_t n,
					  bool *ok,
					  struct node_entry_head *heads)
{
	struct node_verify_job *j = crdt_xcalloc(1, sizeof(*j));
	j->half[0] = (struct job){net_id, e, ok, 0, n / 2, heads};
	j->half[1] = (struct job){net_id, e, ok, n / 2, n, heads};
	for (int i = 0; i < 2; i++) {
		j->started[i] =
			pthread_create(&j->th[i], NULL, run, &j->half[i]) == 0;
		if (!j->started[i])
			run(&j->half[i]); /* no thread: do it here */
	}
	return j;
}

void node_verify_wait(struct node_verify_job *j)
{
	for (int i = 0; i < 2; i++)
		if (j->started[i])
			pthread_join(j->th[i], NULL);
	free(j);
}

/*
 * Ingest of many entries: a helper thread checks signatures in order from
 * the front while this thread applies behind it. Each entry is claimed
 * once from a shared counter, so when the helper falls behind (its core is
 * busy with RocksDB's flushes or another process) this thread checks the
 * next entries itself instead of waiting, and neither waits at the start
 * of a message for a first chunk. The only wait is for an entry the helper
 * is checking at that moment.
 */
struct pipe {
	const uint8_t *net_id;
	const struct node_wire *e;
	bool *ok;
	size_t n;
	atomic_size_t next;  /* next entry to claim */
	atomic_bool *done;   /* ok[i] is final */
	atomic_bool waiting; /* the applying thread sleeps on cv */
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

/* Claims and checks the next entry; false when none is left. */
static bool claim(struct pipe *p)
{
	size_t i = atomic_fetch_add(&p->next, 1);
	if (i >= p->n)
		return false;
	struct job one = {p->net_id, p->e, p->ok, i, i + 1, NULL};
	run(&one);
	atomic_store(&p->done[i], true);
	if (atomic_load(&p->waiting)) {
		pthread_mutex_lock(&p->mu);
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return true;
}

static void *helper(void *arg)
{
	while (claim(arg))
		;
	return NULL;
}

/* Returns once ok[i] is final, checking entries itself while it can. */
static void await(struct pipe *p, size_t i)
{
	while (!atomic_load(&p->done[i])) {
		if (claim(p))
			continue;
		/* The helper holds entry i: sleep until it is done. */
		pthread_mutex_lock(&p->mu);
		atomic_store(&p->waiting, true);
		while (!atomic_load(&p->done[i]))
			pthread_cond_wait(&p->cv, &p->mu);
		atomic_store(&p->waiting, false);
		pthread_mutex_unlock(&p->mu);
	}
}

/* A commit of entries [from, to) failed: those it would have applied are
 * not stored, and must not be reported as applied. */
static void unapplied(int *res, enum node_msg *why, size_t from, size_t to,
		      int rc)
{
	for (size_t i = from; i < to; i++)
		if (res[i] == 0) {
			res[i] = rc;
			why[i] = MSG_I_STORE_WRITE_FAILED;
		}
}

int node_verify_ingest_many(struct node_ledger *l, const struct node_wire *e,
			    size_t n, size_t txn_entries, bool sync, int *res,
			    enum node_msg *why)
{
	uint8_t net_id[32];
	node_ledger_net_id(l, net_id);
	struct pipe p = {.net_id = net_id, .e = e, .n = n};
	p.ok = calloc(n ? n : 1, sizeof(*p.ok));
	p.done = calloc(n ? n : 1, sizeof(*p.done));
	if (!p.ok || !p.done) {
		free(p.ok);
		free(p.done);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		atomic_init(&p.done[i], false);
	atomic_init(&p.next, 0);
	atomic_init(&p.waiting, false);
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	pthread_t th;
	/* A thread costs tens of microseconds: worth it past a few checks;
	 * without one, await checks every entry here. */
	bool threaded = n >= 16 && pthread_create(&th, NULL, helper, &p) == 0;
	struct node_txn *t = node_ledger_begin(l);
	size_t in_txn = 0, first = 0; /* first: the open batch's first entry */
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		enum node_ingest r;
		why[i] = MSG_NONE;
		if (rc) {
			res[i] = rc;
			why[i] = MSG_I_STORE_WRITE_FAILED;
			continue;
		}
		await(&p, i);
		/* A failed check is redone inside, to say why. */
		res[i] =
		    node_txn_ingest(t, e[i].p, e[i].len, p.ok[i], &r, &why[i]);
		if (res[i] == 0 && r == NODE_INGEST_DUPLICATE)
			res[i] = 1;
		if (++in_txn == txn_entries) {
			rc = node_txn_commit(t, false);
			if (rc)
				unapplied(res, why, first, i + 1, rc);
			t = node_ledger_begin(l);
			in_txn = 0;
			first = i + 1;
		}
	}
	/* After a store failure nothing more needs checking. */
	atomic_store(&p.next, n);
	if (threaded)
		pthread_join(th, NULL);
	int crc = node_txn_commit(t, sync);
	if (crc && !rc)
		unapplied(res, why, first, n, crc);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	free(p.done);
	free(p.ok);
	return rc ? rc : crc;
}
