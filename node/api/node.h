/*
 * node.h: the public face of a ward node for the `ward` command. Setting a
 * node up (init, network create and join) works on files; everything else
 * is a request to the node's local API: a versioned message carrying a
 * document ({"cmd": ..., ...}) answered by a document. When no daemon
 * holds the store, `ward` becomes ward-local, the same command with the
 * store linked in, which serves the request in its own process; so the
 * CLI works the same against a running node and a stopped one. In `ward`
 * these functions come from client.c (ward_client), which links no store;
 * in ward-local from inproc.c and identity.c; in tests and tools from
 * identity.c.
 */
#ifndef WARD_NODE_H
#define WARD_NODE_H

#include <stdbool.h>
#include <stddef.h>

#include "node/api/doc.h"

/* Exit codes (DESIGN.md section 7). */
enum node_exit {
	NODE_EXIT_OK = 0,
	NODE_EXIT_CHECK = 1,
	NODE_EXIT_USAGE = 2,
	NODE_EXIT_NOT_FOUND = 3,
	NODE_EXIT_NOT_INIT = 4,
	NODE_EXIT_BUSY = 5,
	NODE_EXIT_IO = 6,
};

struct node_init_opts {
	const char *dir;
	const char *role;
	const char *name;
	const char *scope; /* padded forms accepted */
	const char *listen; /* HOST:PORT or NULL for 127.0.0.1:7400 */
	bool zh;	    /* messages in Chinese */
};

/* Makes the node's identities in dir (created if absent): node.key
 * (Ed25519, 0600, never overwritten), tls.key and tls.crt (P-256, v3,
 * CA:FALSE), node.pub (the public identity for the network's creator).
 * Returns a node_exit code with a one-line message in msg. */
int node_init(const struct node_init_opts *o, char *msg, size_t msg_len);
/* Writes a genesis roster listing this node (its only admin) and each
 * member file once to out_path, and joins this node to it. The message is
 * in Chinese when zh. */
int node_network_create(const char *dir, const char *const *member_files,
			size_t n_members, const char *out_path, bool zh,
			char *msg, size_t msg_len);
/* Verifies the roster at roster_path and makes this node adopt it. */
int node_network_join(const char *dir, const char *roster_path, bool zh,
		      char *msg, size_t msg_len);

/* Serves one local API request against the node in dir: the daemon
 * that holds its store, else ward-local beside the running program (a
 * request that only reads opens the store read-only). Always returns a
 * document (owned): {"ok": true, "result": ...} or {"ok": false,
 * "error": "...", "exit": node_exit}. A request with "lang": "zh" gets
 * its messages for people (errors, warnings, bad rows) in Chinese. progress,
 * when set, receives progress lines for long work (audit, import) on a
 * terminal. */
struct node_doc *node_call(const char *dir, const struct node_doc *req,
			   bool progress);

/* Serves a request that needs no node (audit_offline) in ward-local,
 * whatever daemon runs: the answer as node_call's (owned). */
struct node_doc *node_call_offline(const struct node_doc *req, bool progress);

/* Ends the program with exit code rc, once its output is printed. In
 * ward-local (inproc.c) it first lets a flush or compaction the store
 * started finish, and leaves the store to the process's end rather than
 * closing it; elsewhere it is exit(rc). Never returns. */
_Noreturn void node_exit(int rc);


#endif
