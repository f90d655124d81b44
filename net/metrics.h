/*
 * net/metrics: a Prometheus text endpoint on nng's HTTP server. The node
 * renders its counters on its own thread and publishes the text; HTTP
 * requests, on nng's threads, are answered with the last text published.
 * Off by default; only a loopback address is accepted.
 */
#ifndef WARD_NET_METRICS_H
#define WARD_NET_METRICS_H

#include <stddef.h>

struct net_metrics;

/* Serves GET /metrics on addr ("127.0.0.1:PORT"). Returns 0 and *out,
 * -EINVAL for an address that is not 127.0.0.1:PORT, -EADDRINUSE or -EIO
 * when the server cannot start, -ENOMEM. */
int net_metrics_open(const char *addr, struct net_metrics **out);
/* Stops serving and frees m (NULL is a no-op). */
void net_metrics_close(struct net_metrics *m);
/* Replaces the text served (copied). Any thread. */
void net_metrics_publish(struct net_metrics *m, const char *text, size_t len);

#endif
