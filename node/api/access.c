/*
 * access.c: the append-only access log of access.h (node layer). Lines are
 * written with O_APPEND in one write() each and synced, so concurrent
 * readers of one node (the daemon and an in-process CLI never run at once
 * on a store, but a log reader may) see whole lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/access.h"
#include "node/api/keyring.h"
#include "node/api/node_int.h"

static void now_text(char out[32])
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

/* One field of a log line: tabs and newlines (which a user name or a
 * type never holds) become spaces so a line stays one line of columns. */
static void put_field(struct crdt_buf *b, const char *s, bool last)
{
	for (; s && *s; s++) {
		char c = *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s;
		crdt_buf_append(b, &c, 1);
	}
	crdt_buf_append(b, last ? "\n" : "\t", 1);
}

void node_access_log(struct node_ctx *n, const struct node_doc *req,
		     const char *action, const char *what,
		     const uint8_t (*ids)[16], size_t n_ids)
{
	/* at TAB user TAB action TAB what TAB count TAB id,id,... TAB uid.
	 * The user is who the kernel says asked (n->peer_uid), never the
	 * request's word: any local process can write a request. */
	(void)req;
	struct crdt_buf b;
	char at[32], count[24], user[64], uid[24];
	crdt_buf_init(&b);
	now_text(at);
	node_uid_name(n->peer_uid, user, sizeof(user));
	snprintf(uid, sizeof(uid), "%lld", (long long)n->peer_uid);
	snprintf(count, sizeof(count), "%zu", n_ids);
	put_field(&b, at, false);
	put_field(&b, user, false);
	put_field(&b, action, false);
	put_field(&b, what, false);
	put_field(&b, count, false);
	for (size_t i = 0; i < n_ids; i++) {
		char hex[34];
		node_hex(hex, ids[i], 16);
		if (i)
			crdt_buf_append(&b, ",", 1);
		crdt_buf_append(&b, hex, 32);
	}
	crdt_buf_append(&b, "\t", 1);
	put_field(&b, uid, false);
	/* The sealed fields this request read in plaintext (DOMAIN.md
	 * section 5: a record of who read what). */
	char reads[192];
	node_keyring_take_reads(n, reads, sizeof(reads));
	put_field(&b, reads, true);
	char path[NODE_PATH_MAX];
	node_path(path, n->dir, "access.log");
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	bool ok = fd >= 0 && write(fd, b.data, b.len) == (ssize_t)b.len &&
		  fdatasync(fd) == 0;
	if (fd >= 0)
		close(fd);
	if (!ok)
		fprintf(stderr, "access.write_failed path=%s errno=%d\n", path,
			errno);
	crdt_buf_fini(&b);
}

void node_access_log_doc(struct node_ctx *n, const struct node_doc *req,
			 const char *action, const char *what,
			 const struct node_doc *records)
{
	if (!records)
		return;
	bool one = node_doc_kind(records) == NODE_DOC_OBJECT;
	size_t cnt = one ? 1 : node_doc_len(records);
	uint8_t(*ids)[16] = crdt_xcalloc(cnt, 16);
	size_t k = 0;
	for (size_t i = 0; i < cnt; i++) {
		const struct node_doc *r =
		    one ? records : node_doc_at(records, i);
		const char *hex = node_doc_get_str(r, "entity");
		if (hex && node_unhex(hex, ids[k], 16) == 0)
			k++;
	}
	node_access_log(n, req, action, what, (const uint8_t(*)[16])ids, k);
	free(ids);
}

int node_api_access_log(struct node_ctx *n, const struct node_doc *req,
			struct node_doc **out, struct node_reason *why)
{
	(void)req;
	char path[NODE_PATH_MAX];
	node_path(path, n->dir, "access.log");
	struct node_doc *arr = node_doc_array();
	FILE *f = fopen(path, "r");
	if (!f) {
		*out = arr; /* nothing read yet */
		return 0;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	static const char *const keys[] = {"at", "user", "action", "what",
					   "count"};
	while ((len = getline(&line, &cap, f)) > 0) {
		if (line[len - 1] == '\n')
			line[--len] = 0;
		struct node_doc *o = node_doc_object();
		char *save = NULL, *p = line;
		for (size_t i = 0; i < 8; i++) {
			char *tab = strchr(p, '\t');
			if (tab)
				*tab = 0;
			if (i == 6) {
				long long u = atoll(p);
				node_doc_set(o, "uid",
					     *p && u >= 0 ? node_doc_int(u)
							  : node_doc_null());
			} else if (i == 7) {
				struct node_doc *sf = node_doc_array();
				for (char *t = strtok_r(p, ",", &save); t;
				     t = strtok_r(NULL, ",", &save))
					node_doc_push(sf, node_doc_str(t));
				node_doc_set(o, "sealed", sf);
			} else if (i == 4) {
				node_doc_set(o, keys[i],
					     node_doc_int(atoll(p)));
			} else if (i < 4) {
				node_doc_set(o, keys[i], node_doc_str(p));
			} else if (i == 5) {
				struct node_doc *ids = node_doc_array();
				for (char *t = strtok_r(p, ",", &save); t;
				     t = strtok_r(NULL, ",", &save))
					node_doc_push(ids, node_doc_str(t));
				node_doc_set(o, "records", ids);
			}
			if (!tab)
				break;
			p = tab + 1;
		}
		/* Lines written before the uid column have six fields. */
		if (!node_doc_get(o, "uid"))
			node_doc_set(o, "uid", node_doc_null());
		/* ... and before the sealed column, none. */
		if (!node_doc_get(o, "sealed"))
			node_doc_set(o, "sealed", node_doc_array());
		node_doc_push(arr, o);
	}
	free(line);
	if (ferror(f)) {
		fclose(f);
		node_doc_free(arr);
		NODE_REASON_LONG(why, MSG_CANNOT_READ, path);
		return -EIO;
	}
	fclose(f);
	*out = arr;
	return 0;
}
