/*
 * verify.c: node_verify_batch, the two-thread signature check shared by
 * import, audit and replication.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger.h"
#include "node/verify.h"

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
		const char *why = NULL;
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
			h->why = NULL;
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
	struct node_verify_job *j = calloc(1, sizeof(*j));
	if (!j)
		abort();
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

#define CHUNK 128

int node_ledger_ingest_many(struct node_ledger *l, const struct node_wire *e,
			    size_t n, size_t txn_entries, bool sync, int *res,
			    const char **why)
{
	uint8_t net_id[32];
	node_ledger_net_id(l, net_id);
	bool *ok = calloc(n ? n : 1, sizeof(*ok));
	if (!ok)
		return -ENOMEM;
	size_t first = n < CHUNK ? n : CHUNK;
	node_verify_batch(net_id, e, first, ok);
	struct node_txn *t = node_ledger_begin(l);
	size_t in_txn = 0;
	int rc = 0;
	for (size_t from = 0; from < n; from += CHUNK) {
		size_t to = from + CHUNK < n ? from + CHUNK : n;
		size_t next_to = to + CHUNK < n ? to + CHUNK : n;
		struct job next = {net_id, e, ok, to, next_to, NULL};
		pthread_t th;
		bool threaded = to < n && pthread_create(&th, NULL, run, &next) == 0;
		if (!threaded && to < n)
			run(&next);
		for (size_t i = from; i < to; i++) {
			enum node_ingest r;
			why[i] = NULL;
			if (rc) {
				res[i] = rc;
				why[i] = "store write failed";
				continue;
			}
			/* A failed check is redone inside, to say why. */
			res[i] = node_txn_ingest(t, e[i].p, e[i].len, ok[i], &r,
						 &why[i]);
			if (res[i] == 0 && r == NODE_INGEST_DUPLICATE)
				res[i] = 1;
			if (++in_txn == txn_entries) {
				rc = node_txn_commit(t, false);
				t = node_ledger_begin(l);
				in_txn = 0;
			}
		}
		if (threaded)
			pthread_join(th, NULL);
	}
	int crc = node_txn_commit(t, sync);
	free(ok);
	return rc ? rc : crc;
}
