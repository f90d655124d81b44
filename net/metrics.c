/*
 * metrics.c: the Prometheus endpoint (see metrics.h) on nng's HTTP server.
 */
#include <errno.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "net/metrics.h"

struct net_metrics {
	nng_http_server *srv;
	nng_http_handler *h;
	pthread_mutex_t mu;
	char *text;
	size_t len;
};

static void serve(nng_aio *aio)
{
	nng_http_handler *h = nng_aio_get_input(aio, 1);
	struct net_metrics *m = nng_http_handler_get_data(h);
	nng_http_res *res;
	if (nng_http_res_alloc(&res) != 0) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	pthread_mutex_lock(&m->mu);
	int rv = nng_http_res_copy_data(res, m->text ? m->text : "",
					m->text ? m->len : 0);
	pthread_mutex_unlock(&m->mu);
	if (rv == 0)
		rv = nng_http_res_set_header(res, "Content-Type",
					     "text/plain; version=0.0.4");
	if (rv) {
		nng_http_res_free(res);
		nng_aio_finish(aio, rv);
		return;
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

int net_metrics_open(const char *addr, struct net_metrics **out)
{
	char url[96];
	const char *port = addr ? strchr(addr, ':') : NULL;
	if (!addr || strncmp(addr, "127.0.0.1:", 10) != 0 || !port[1] ||
	    strlen(addr) > 32)
		return -EINVAL;
	snprintf(url, sizeof(url), "http://%s", addr);
	struct net_metrics *m = crdt_xcalloc(1, sizeof(*m));
	pthread_mutex_init(&m->mu, NULL);
	nng_url *u = NULL;
	int rv = nng_url_parse(&u, url);
	if (rv == 0)
		rv = nng_http_server_hold(&m->srv, u);
	if (u)
		nng_url_free(u);
	if (rv == 0)
		rv = nng_http_handler_alloc(&m->h, "/metrics", serve);
	if (rv == 0)
		rv = nng_http_handler_set_data(m->h, m, NULL);
	if (rv == 0)
		rv = nng_http_server_add_handler(m->srv, m->h);
	else if (m->h)
		nng_http_handler_free(m->h);
	if (rv == 0)
		rv = nng_http_server_start(m->srv);
	if (rv) {
		if (m->srv)
			nng_http_server_release(m->srv);
		pthread_mutex_destroy(&m->mu);
		free(m);
		return rv == NNG_EADDRINUSE			  ? -EADDRINUSE
		       : rv == NNG_ENOMEM			  ? -ENOMEM
		       : rv == NNG_EINVAL || rv == NNG_EADDRINVAL ? -EINVAL
								  : -EIO;
	}
	*out = m;
	return 0;
}

void net_metrics_close(struct net_metrics *m)
{
	if (!m)
		return;
	nng_http_server_stop(m->srv);
	nng_http_server_release(m->srv);
	pthread_mutex_destroy(&m->mu);
	free(m->text);
	free(m);
}

void net_metrics_publish(struct net_metrics *m, const char *text, size_t len)
{
	char *copy = crdt_xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = 0;
	pthread_mutex_lock(&m->mu);
	free(m->text);
	m->text = copy;
	m->len = len;
	pthread_mutex_unlock(&m->mu);
}
