/*
 * verify.c: node_verify_batch, the two-thread signature check shared by
 * import, audit and replication.
 */
#include <pthread.h>

#include "crdt/crdt.h"
#include "node/verify.h"

struct job {
	const uint8_t *net_id;
	const struct node_wire *e;
	bool *ok;
	size_t from, to;
};

static void *run(void *arg)
{
	struct job *j = arg;
	for (size_t i = j->from; i < j->to; i++) {
		struct crdt_entry d;
		j->ok[i] = false;
		if (crdt_entry_decode(j->e[i].p, j->e[i].len, &d, NULL) != 0)
			continue;
		j->ok[i] = crdt_entry_verify(d.sig, j->net_id, d.body,
					     d.body_len, d.author);
		crdt_entry_fini(&d);
	}
	return NULL;
}

void node_verify_batch(const uint8_t net_id[32], const struct node_wire *e,
		       size_t n, bool *ok)
{
	struct job a = {net_id, e, ok, 0, n / 2};
	struct job b = {net_id, e, ok, n / 2, n};
	pthread_t t;
	/* A thread costs tens of microseconds: worth it past a few checks. */
	bool threaded = n >= 16 && pthread_create(&t, NULL, run, &b) == 0;
	run(&a);
	if (threaded)
		pthread_join(t, NULL);
	else
		run(&b);
}
