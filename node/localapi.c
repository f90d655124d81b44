/*
 * localapi.c: the local API's transport, nng req/rep over ipc:// inside the
 * data directory (socket mode 0600). The CLI asks a running wardd here;
 * when nothing listens it serves the request in its own process.
 */
#include <errno.h>
#include <nng/nng.h>
#include <nng/protocol/reqrep0/req.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "node/node_int.h"

#define LOCALAPI_TIMEOUT_MS (10 * 60 * 1000)

void node_localapi_url(const char *dir, char *url, size_t url_len)
{
	char path[NODE_PATH_MAX];
	char abs[NODE_PATH_MAX];
	if (!realpath(dir, abs))
		snprintf(abs, sizeof(abs), "%s", dir);
	node_path(path, abs, "ward.sock");
	struct sockaddr_un sa;
	if (strlen(path) < sizeof(sa.sun_path)) {
		snprintf(url, url_len, "ipc://%s", path);
		return;
	}
	uint8_t h[8];
	char hex[17];
	crypto_generichash(h, sizeof(h), (const uint8_t *)abs, strlen(abs),
			   NULL, 0);
	node_hex(hex, h, sizeof(h));
	snprintf(url, url_len, "ipc:///tmp/ward-%s.sock", hex);
}

struct node_doc *node_localapi_call(const char *dir, const uint8_t *req,
				    size_t len, int *rc)
{
	char url[NODE_PATH_MAX + 16];
	struct stat st;
	node_localapi_url(dir, url, sizeof(url));
	*rc = -ENOENT;
	if (stat(url + 6, &st) != 0 || !S_ISSOCK(st.st_mode))
		return NULL;
	nng_socket s;
	if (nng_req0_open(&s) != 0)
		return NULL;
	nng_setopt_size(s, NNG_OPT_RECVMAXSZ, 64u << 20);
	nng_setopt_ms(s, NNG_OPT_RECVTIMEO, LOCALAPI_TIMEOUT_MS);
	nng_setopt_ms(s, NNG_OPT_SENDTIMEO, 5000);
	/* A stale socket file from a crashed daemon refuses: serve here. */
	if (nng_dial(s, url, NULL, 0) != 0) {
		nng_close(s);
		return NULL;
	}
	*rc = -EIO;
	struct node_doc *d = NULL;
	void *buf = NULL;
	size_t n = 0;
	if (nng_send(s, (void *)req, len, 0) == 0 &&
	    nng_recv(s, &buf, &n, NNG_FLAG_ALLOC) == 0) {
		if (node_doc_decode(buf, n, &d) == 0)
			*rc = 0;
		nng_free(buf, n);
	} else {
		*rc = -ETIMEDOUT;
	}
	nng_close(s);
	return d;
}
