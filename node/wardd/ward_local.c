/*
 * ward_local.c: ward-local, the helper that serves `ward` when no daemon
 * answers. `ward` links no store (docs/architecture.md, "A thin ward"):
 * it replaces itself (execv) with this program, found beside itself, as
 *
 *     ward-local FD [--progress] DIR -- WARD ARGS...
 *
 * with one encoded local API request ([1, doc], docs/protocol.md) in the
 * memory file FD. ward-local serves it, writes the answer document over
 * it and runs WARD ARGS... again (the same ward, same arguments) with
 * WARD_LOCAL_ANSWER_FD=FD, so that ward prints the answer as it would
 * have printed its own, all in one process. Three requests only
 * ward-local knows set a node up from files: "init", "network_create" and
 * "network_join"; their answer is {"exit": code, "message": text}. Not a
 * command for people.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"
#include "node/store/oneshot.h"

/* The setup requests: a node_exit code and its message. */
static struct node_doc *setup(const char *dir, const struct node_doc *in,
			      const char *cmd)
{
	char msg[2048] = "";
	const char *lang = node_doc_get_str(in, "lang");
	bool zh = lang && !strcmp(lang, "zh");
	int rc;
	if (!strcmp(cmd, "init")) {
		struct node_init_opts o = {
		    dir,
		    node_doc_get_str(in, "role"),
		    node_doc_get_str(in, "name"),
		    node_doc_get_str(in, "scope"),
		    node_doc_get_str(in, "listen"),
		    zh,
		};
		rc = node_init(&o, msg, sizeof(msg));
	} else if (!strcmp(cmd, "network_create")) {
		const struct node_doc *m = node_doc_get(in, "members");
		size_t n = node_doc_len(m);
		const char **files = crdt_xcalloc(n + 1, sizeof(*files));
		for (size_t i = 0; i < n; i++)
			files[i] = node_doc_as_str(node_doc_at(m, i), NULL);
		rc = node_network_create(dir, files, n,
					 node_doc_get_str(in, "out"), zh, msg,
					 sizeof(msg));
		free(files);
	} else {
		rc = node_network_join(dir, node_doc_get_str(in, "roster"), zh,
				       msg, sizeof(msg));
	}
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "exit", node_doc_int(rc));
	node_doc_set(d, "message", node_doc_str(msg));
	return d;
}

int main(int argc, char **argv)
{
	/* ward-local FD [--progress] DIR -- WARD ARGS... */
	int sep = 0;
	for (int i = 1; i < argc && !sep; i++)
		if (!strcmp(argv[i], "--"))
			sep = i;
	bool progress = sep == 4 && !strcmp(argv[2], "--progress");
	if ((sep != 3 && !progress) || sep + 1 >= argc) {
		fprintf(stderr, "usage: ward-local FD [--progress] DIR -- WARD "
				"ARGS... (run by ward, not by people)\n");
		return NODE_EXIT_USAGE;
	}
	int fd = atoi(argv[1]);
	const char *dir = argv[sep - 1];
	struct crdt_buf req;
	crdt_buf_init(&req);
	uint8_t chunk[65536];
	off_t off = 0;
	ssize_t got;
	while ((got = pread(fd, chunk, sizeof(chunk), off)) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			fprintf(stderr, "ward: cannot read the request: %s\n",
				strerror(errno));
			return NODE_EXIT_IO;
		}
		crdt_buf_append(&req, chunk, (size_t)got);
		off += got;
	}
	/* The setup requests first; every other goes to the local API. */
	struct node_doc *in = NULL, *resp = NULL;
	struct crdt_mp_cursor c;
	size_t n;
	uint64_t version;
	crdt_mp_cursor_init(&c, req.data, req.len, false);
	if (!crdt_mp_read_array(&c, &n) && n == 2 &&
	    !crdt_mp_read_uint(&c, &version) && version == 1 &&
	    node_doc_decode(c.p, crdt_mp_left(&c), &in) == 0) {
		const char *cmd = node_doc_get_str(in, "cmd");
		if (cmd &&
		    (!strcmp(cmd, "init") || !strcmp(cmd, "network_create") ||
		     !strcmp(cmd, "network_join")))
			resp = setup(dir, in, cmd);
		else if (cmd && !strcmp(cmd, "audit_offline"))
			resp = node_audit_offline(in); /* no node: dir unused */
		node_doc_free(in);
	}
	if (!resp) {
		/* The store's open syncs only what keeps it whole and the
		 * command's write, and writes no OPTIONS file where the store
		 * has one: node/store/oneshot.c. */
		char db[4096];
		snprintf(db, sizeof(db), "%s/db", dir);
		node_oneshot_manage(db);
		resp = node_local_call(dir, req.data, req.len, progress);
		node_oneshot_finish();
	}
	crdt_buf_fini(&req);
	/* The answer replaces the request in the same memory file, and ward
	 * runs again to print it. */
	struct crdt_buf out;
	crdt_buf_init(&out);
	node_doc_encode(resp, &out);
	node_doc_free(resp);
	size_t done = 0;
	if (ftruncate(fd, 0) == 0)
		while (done < out.len) {
			ssize_t w = pwrite(fd, out.data + done, out.len - done,
					   (off_t)done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			done += (size_t)w;
		}
	if (done != out.len) {
		fprintf(stderr, "ward: cannot pass the answer on: %s\n",
			strerror(errno));
		return NODE_EXIT_IO;
	}
	crdt_buf_fini(&out);
	char fdtxt[16];
	snprintf(fdtxt, sizeof(fdtxt), "%d", fd);
	setenv("WARD_LOCAL_ANSWER_FD", fdtxt, 1);
	execv(argv[sep + 1], argv + sep + 2);
	fprintf(stderr, "ward: cannot run %s again: %s\n", argv[sep + 1],
		strerror(errno));
	return NODE_EXIT_IO;
}
