/*
 * test_peer.h: what the test-only rogue members (forge_peer.c,
 * hostile_peer.c) share: a monotonic clock, and opening the real
 * transport as the member whose data directory they run on. Header-only.
 */
#ifndef WARD_TESTS_TEST_PEER_H
#define WARD_TESTS_TEST_PEER_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "net/tls.h"
#include "net/transport.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger.h"

static inline uint64_t test_peer_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static inline char *test_peer_slurp(const char *dir, const char *name)
{
	char path[NODE_PATH_MAX];
	node_path(path, dir, name);
	FILE *fp = fopen(path, "r");
	if (!fp)
		return NULL;
	char *buf = calloc(1, NET_TLS_CERT_PEM_MAX_BYTES + 1);
	if (buf && fread(buf, 1, NET_TLS_CERT_PEM_MAX_BYTES, fp) == 0) {
		free(buf);
		buf = NULL;
	}
	fclose(fp);
	return buf;
}

/* Opens the transport as node n (its roster, TLS identity in dir) on its
 * roster address. 0, or the transport's error with msg. */
static inline int test_peer_transport_open(struct node_ctx *n,
					   const char *dir, bool insecure,
					   void (*wake)(void *), void *arg,
					   struct net_transport **t, char *msg,
					   size_t msg_len)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	const struct node_member *me = node_roster_find(r, n->pk);
	struct net_transport_member *mm = calloc(r->n_members, sizeof(*mm));
	for (size_t i = 0; i < r->n_members; i++) {
		memcpy(mm[i].key, r->members[i].key, 32);
		mm[i].address = r->members[i].address;
		mm[i].cert_pem = r->members[i].cert_pem;
	}
	char *cert = test_peer_slurp(dir, "tls.crt");
	char *key = test_peer_slurp(dir, "tls.key");
	struct net_transport_cfg tc = {
	    .listen = me->address,
	    .insecure = insecure,
	    .cert_pem = cert,
	    .key_pem = key,
	    .sk = n->sk,
	    .n_members = r->n_members,
	    .members = mm,
	    .wake = wake,
	    .wake_arg = arg,
	};
	node_ledger_net_id(n->ledger, tc.net_id);
	memcpy(tc.pk, n->pk, 32);
	int rc = net_transport_open(&tc, t, msg, msg_len);
	free(mm);
	free(cert);
	free(key);
	return rc;
}

#endif
