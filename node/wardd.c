/*
 * wardd.c: the node daemon. A libuv loop owns the open node (store and
 * ledger) and serves the local API over ipc:// inside the data directory;
 * nng receives requests on its own threads and hands them to the loop
 * through a uv_async_t, so all node state stays on the loop thread.
 * SIGTERM and SIGINT finish the request in flight and close the store.
 *
 * Gossip between nodes (issue 4) is not wired in yet.
 */
#include <errno.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include "node/node_int.h"

struct daemon {
	uv_loop_t loop;
	uv_async_t wake;
	uv_signal_t sigterm, sigint;
	nng_socket sock;
	nng_aio *aio;
	struct node_ctx *node;
	pthread_mutex_t mu;
	nng_msg *pending; /* a received request for the loop */
	bool stopping;
	char url[NODE_PATH_MAX + 16];
};

static void logline(const char *level, const char *event, const char *kv)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s %s %s%s%s\n", ts, level, event, kv ? " " : "",
		kv ? kv : "");
}

/* nng thread: a request arrived, or a reply went out. */
static void aio_cb(void *arg)
{
	struct daemon *d = arg;
	int rv = nng_aio_result(d->aio);
	nng_msg *m = rv == 0 ? nng_aio_get_msg(d->aio) : NULL;
	pthread_mutex_lock(&d->mu);
	if (m) {
		d->pending = m;
		nng_aio_set_msg(d->aio, NULL);
		pthread_mutex_unlock(&d->mu);
		uv_async_send(&d->wake);
		return;
	}
	bool stopping = d->stopping;
	pthread_mutex_unlock(&d->mu);
	/* A reply completed (or a receive failed): wait for the next one. */
	if (!stopping && rv != NNG_ECLOSED)
		nng_recv_aio(d->sock, d->aio);
}

/* Loop thread: serve the pending request and send the answer. */
static void on_wake(uv_async_t *h)
{
	struct daemon *d = h->data;
	pthread_mutex_lock(&d->mu);
	nng_msg *m = d->pending;
	d->pending = NULL;
	pthread_mutex_unlock(&d->mu);
	if (!m)
		return;
	struct node_doc *resp =
		node_serve(d->node, nng_msg_body(m), nng_msg_len(m));
	nng_msg_free(m);
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_doc_encode(resp, &b);
	node_doc_free(resp);
	nng_msg *out;
	if (nng_msg_alloc(&out, 0) == 0 && nng_msg_append(out, b.data, b.len) == 0) {
		nng_aio_set_msg(d->aio, out);
		nng_send_aio(d->sock, d->aio);
	} else {
		logline("error", "api.reply_failed", NULL);
		nng_recv_aio(d->sock, d->aio);
	}
	crdt_buf_fini(&b);
}

static void on_signal(uv_signal_t *s, int signum)
{
	struct daemon *d = s->data;
	char kv[32];
	snprintf(kv, sizeof(kv), "signal=%d", signum);
	logline("info", "node.stopping", kv);
	pthread_mutex_lock(&d->mu);
	d->stopping = true;
	pthread_mutex_unlock(&d->mu);
	uv_close((uv_handle_t *)&d->wake, NULL);
	uv_close((uv_handle_t *)&d->sigterm, NULL);
	uv_close((uv_handle_t *)&d->sigint, NULL);
}

static const char usage[] =
	"usage: wardd --data DIR\n"
	"Runs the ward node in DIR (or $WARD_DATA): serves the local API that\n"
	"the ward command uses over ipc:// inside DIR. Stop with SIGTERM.\n";

int main(int argc, char **argv)
{
	const char *dir = getenv("WARD_DATA");
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--data") && i + 1 < argc) {
			dir = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "wardd: unknown argument %s\n%s", argv[i],
				usage);
			return 2;
		}
	}
	if (!dir) {
		fprintf(stderr, "wardd: no data directory: give --data DIR or "
				"set WARD_DATA\n");
		return 2;
	}
	static struct daemon d;
	char msg[1024];
	int rc = node_ctx_open(dir, &d.node, msg, sizeof(msg));
	if (rc) {
		fprintf(stderr, "wardd: %s\n", msg);
		return rc;
	}
	pthread_mutex_init(&d.mu, NULL);
	uv_loop_init(&d.loop);
	uv_async_init(&d.loop, &d.wake, on_wake);
	d.wake.data = &d;
	uv_signal_init(&d.loop, &d.sigterm);
	uv_signal_init(&d.loop, &d.sigint);
	d.sigterm.data = d.sigint.data = &d;
	uv_signal_start(&d.sigterm, on_signal, SIGTERM);
	uv_signal_start(&d.sigint, on_signal, SIGINT);

	node_localapi_url(dir, d.url, sizeof(d.url));
	unlink(d.url + 6); /* a stale socket of a stopped daemon */
	nng_listener l;
	if (nng_rep0_open(&d.sock) != 0 ||
	    nng_setopt_size(d.sock, NNG_OPT_RECVMAXSZ, 2u << 20) != 0 ||
	    nng_listener_create(&l, d.sock, d.url) != 0 ||
	    nng_listener_setopt_int(l, NNG_OPT_IPC_PERMISSIONS, 0600) != 0 ||
	    nng_listener_start(l, 0) != 0 ||
	    nng_aio_alloc(&d.aio, aio_cb, &d) != 0) {
		fprintf(stderr, "wardd: cannot listen on %s\n", d.url);
		node_ctx_close(d.node);
		return NODE_EXIT_IO;
	}
	char kv[NODE_PATH_MAX + 64];
	snprintf(kv, sizeof(kv), "api=%s", d.url);
	logline("info", "node.started", kv);
	nng_recv_aio(d.sock, d.aio);
	uv_run(&d.loop, UV_RUN_DEFAULT);

	nng_close(d.sock);
	nng_aio_free(d.aio);
	unlink(d.url + 6);
	pthread_mutex_lock(&d.mu);
	if (d.pending)
		nng_msg_free(d.pending);
	pthread_mutex_unlock(&d.mu);
	uv_loop_close(&d.loop);
	node_ctx_close(d.node);
	logline("info", "node.stopped", NULL);
	return 0;
}
