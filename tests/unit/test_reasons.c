/*
 * test_reasons: issue 9's "no English text below the message catalog" for
 * the ledger's reasons. crdt/ refuses an entry with an enum crdt_reject,
 * the ledger with catalog ids (node_txn_ingest) or reasons with arguments
 * (node_ledger_set_roster), and the text is chosen where a request is
 * served, in its language.
 *
 *  (a) every crdt_reject maps to its own catalog id (node_reject_msg),
 *      whose English is the text crdt/ used to give, byte for byte, and
 *      whose Chinese differs;
 *  (b) `ward import --entries` under a zh request: a line that is not an
 *      entry and an entry with a bad signature are rejected in Chinese,
 *      and in the same English as before under an en request;
 *  (c) `ward network join` refused by the roster checks (a file that is
 *      no roster; another network's roster) says why in Chinese with zh,
 *      in English without;
 *  (d) `ward audit verify --roster --entries` (no node): the same entries'
 *      failures, and a roster file that is none, in the request's
 *      language.
 */
/* nftw(3), to remove the temporary nodes. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/node.h"
#include "node/api/node_int.h"
#include "node/ledger/reject.h"

/* ---- (a) crdt/'s reasons ---- */

static void test_reject_table(void **state)
{
	(void)state;
	/* The texts crdt_entry_decode returned before it returned codes. */
	static const struct {
		enum crdt_reject r;
		const char *en;
	} was[] = {
	    {CRDT_REJECT_MALFORMED, "malformed entry"},
	    {CRDT_REJECT_NOT_PAIR, "entry is not [body, sig]"},
	    {CRDT_REJECT_TRAILING_ENTRY, "trailing bytes after entry"},
	    {CRDT_REJECT_BODY_TOO_LARGE, "body larger than 64 KiB"},
	    {CRDT_REJECT_BODY_ARITY, "body is not an array of 8"},
	    {CRDT_REJECT_VERSION, "unknown entry format version"},
	    {CRDT_REJECT_AUTHOR, "bad author"},
	    {CRDT_REJECT_SCOPE, "bad scope"},
	    {CRDT_REJECT_SEQ, "bad seq"},
	    {CRDT_REJECT_PREV, "bad prev"},
	    {CRDT_REJECT_HLC, "bad hlc or roster version"},
	    {CRDT_REJECT_OPS, "bad ops array"},
	    {CRDT_REJECT_OP, "malformed op"},
	    {CRDT_REJECT_CREATE_ID,
	     "entity id of a create not derived from its dot"},
	    {CRDT_REJECT_TRAILING_BODY, "trailing bytes after body"},
	};
	assert_int_equal(sizeof(was) / sizeof(was[0]), CRDT_REJECT_COUNT - 1);
	assert_int_equal(node_reject_msg(CRDT_REJECT_NONE), MSG_NONE);
	for (size_t i = 0; i < sizeof(was) / sizeof(was[0]); i++) {
		enum node_msg m = node_reject_msg(was[i].r);
		assert_int_not_equal(m, MSG_NONE);
		assert_string_equal(node_catalog_text(NODE_LANG_EN, m),
				    was[i].en);
		assert_string_not_equal(node_catalog_text(NODE_LANG_ZH, m),
					was[i].en);
		for (size_t k = 0; k < i; k++)
			assert_int_not_equal(node_reject_msg(was[k].r), m);
	}
	/* A value this build does not know is a malformed entry. */
	assert_int_equal(node_reject_msg((enum crdt_reject)(CRDT_REJECT_COUNT +
							   3)),
			 MSG_ENTRY_MALFORMED);
}

/* ---- nodes on disk ---- */

struct nodes {
	char root[64];
	char dir[2][NODE_PATH_MAX];
	char roster[NODE_PATH_MAX];
	struct node_ctx *joined;
};

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void init_node(struct nodes *t, int i, const char *name,
		      const char *listen)
{
	char msg[2048], root[sizeof(t->root)];
	memcpy(root, t->root, sizeof(root));
	snprintf(t->dir[i], sizeof(t->dir[i]), "%s/%s", root, name);
	struct node_init_opts o = {.dir = t->dir[i],
				   .role = "health",
				   .name = name,
				   .scope = "120116",
				   .listen = listen};
	int rc = node_init(&o, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "init %s: %s\n", name, msg);
	assert_int_equal(rc, NODE_EXIT_OK);
}

static int nodes_setup(void **state)
{
	struct nodes *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	snprintf(t->root, sizeof(t->root), "/tmp/ward-test-reasons-XXXXXX");
	assert_non_null(mkdtemp(t->root));
	init_node(t, 0, "joined", "127.0.0.1:17421");
	init_node(t, 1, "other", "127.0.0.1:17422");
	char msg[2048];
	snprintf(t->roster, sizeof(t->roster), "%s/roster", t->root);
	assert_int_equal(node_network_create(t->dir[0], NULL, 0, t->roster,
					     false, msg, sizeof(msg)),
			 NODE_EXIT_OK);
	*state = t;
	return 0;
}

static int nodes_teardown(void **state)
{
	struct nodes *t = *state;
	if (t->joined)
		node_ctx_close(t->joined);
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t);
	return 0;
}

/* Serves req (taken) on n as ward would send it, in zh or English. */
static struct node_doc *serve(struct node_ctx *n, struct node_doc *req,
			      bool zh)
{
	if (zh)
		node_doc_set(req, "lang", node_doc_str("zh"));
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_uint(&b, 1);
	node_doc_encode(req, &b);
	node_doc_free(req);
	struct node_doc *d = node_serve(n, b.data, b.len);
	crdt_buf_fini(&b);
	return d;
}

/* ---- (b) import ---- */

/* Writes root/bad.bin: entry 1 a MessagePack value that is no entry,
 * entry 2 a well-formed entry of pk's feed whose signature is wrong. */
static void write_bad(const struct nodes *t, const uint8_t pk[32],
		      char *path, size_t path_len)
{
	struct crdt_buf f, body;
	crdt_buf_init(&f);
	crdt_buf_init(&body);
	crdt_pack_uint(&f, 7);
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, pk, 32);
	snprintf(e.scope, sizeof(e.scope), "120116");
	e.seq = 1;
	e.hlc = 1u << 16;
	e.roster_version = 1;
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	memset(sig, 0x33, sizeof(sig));
	crdt_entry_encode_wire(&f, body.data, body.len, sig);
	crdt_buf_fini(&body);
	snprintf(path, path_len, "%s/bad.bin", t->root);
	FILE *fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(f.data, 1, f.len, fp), f.len);
	fclose(fp);
	crdt_buf_fini(&f);
}

static void test_import_rejected_zh(void **state)
{
	struct nodes *t = *state;
	struct node_reason why;
	assert_int_equal(node_ctx_open_why(t->dir[0], false, &t->joined, &why),
			 0);
	char path[NODE_PATH_MAX + 16];
	write_bad(t, t->joined->pk, path, sizeof(path));
	char hex[65];
	node_hex(hex, t->joined->pk, 32);
	for (int zh = 0; zh < 2; zh++) {
		struct node_doc *req = node_doc_object();
		node_doc_set(req, "cmd", node_doc_str("import_entries"));
		node_doc_set(req, "path", node_doc_str(path));
		struct node_doc *d = serve(t->joined, req, zh);
		assert_int_equal(node_doc_get_int(d, "exit", -1),
				 NODE_EXIT_CHECK);
		const struct node_doc *res = node_doc_get(d, "result");
		assert_non_null(res);
		const struct node_doc *rej = node_doc_get(res, "rejected");
		assert_non_null(rej);
		assert_int_equal(node_doc_len(rej), 2);
		char want[512], inner[256];
		snprintf(want, sizeof(want),
			 zh ? MSG_IMPORT_AT_INDEX_ZH : MSG_IMPORT_AT_INDEX_EN,
			 (size_t)1,
			 zh ? MSG_ENTRY_NOT_PAIR_ZH : MSG_ENTRY_NOT_PAIR_EN);
		assert_string_equal(node_doc_as_str(node_doc_at(rej, 0), NULL),
				    want);
		snprintf(inner, sizeof(inner), "%s",
			 zh ? MSG_I_BAD_SIGNATURE_ZH : MSG_I_BAD_SIGNATURE_EN);
		snprintf(want, sizeof(want),
			 zh ? MSG_IMPORT_AT_ZH : MSG_IMPORT_AT_EN, (size_t)2,
			 hex, "120116", 1ull, inner);
		assert_string_equal(node_doc_as_str(node_doc_at(rej, 1), NULL),
				    want);
		if (zh) {
			assert_non_null(strstr(want, "签名无效"));
		} else {
			/* byte for byte what ward said before */
			char was[256];
			snprintf(was, sizeof(was),
				 "entry 2 (feed %.16s/120116 seq 1): bad "
				 "signature",
				 hex);
			assert_string_equal(want, was);
		}
		node_doc_free(d);
	}
	remove(path);
}

/* ---- (c) join ---- */

static void test_join_refused_zh(void **state)
{
	struct nodes *t = *state;
	char msg[4096], bad[NODE_PATH_MAX + 16];
	/* A file that is no roster. */
	snprintf(bad, sizeof(bad), "%s/not-a-roster", t->root);
	FILE *fp = fopen(bad, "wb");
	assert_non_null(fp);
	fputs("hello", fp);
	fclose(fp);
	for (int zh = 0; zh < 2; zh++) {
		int rc = node_network_join(t->dir[1], bad, zh, msg,
					   sizeof(msg));
		assert_int_not_equal(rc, NODE_EXIT_OK);
		char want[1024];
		snprintf(want, sizeof(want),
			 zh ? MSG_NOT_VALID_ROSTER_ZH : MSG_NOT_VALID_ROSTER_EN,
			 bad, zh ? MSG_R_NOT_CHAIN_ZH : MSG_R_NOT_CHAIN_EN);
		if (!strstr(msg, want))
			fprintf(stderr, "got '%s', want '%s'\n", msg, want);
		assert_non_null(strstr(msg, want));
	}
	/* Another network's roster, offered to a node of the first: the
	 * ledger refuses it (a reason made in node/ledger, rendered here). */
	char other[NODE_PATH_MAX + 16];
	snprintf(other, sizeof(other), "%s/roster-other", t->root);
	assert_int_equal(node_network_create(t->dir[1], NULL, 0, other, false,
					     msg, sizeof(msg)),
			 NODE_EXIT_OK);
	for (int zh = 0; zh < 2; zh++) {
		int rc = node_network_join(t->dir[0], other, zh, msg,
					   sizeof(msg));
		assert_int_not_equal(rc, NODE_EXIT_OK);
		const char *want = zh ? MSG_R_OTHER_NETWORK_ZH
				      : MSG_R_OTHER_NETWORK_EN;
		if (!strstr(msg, want))
			fprintf(stderr, "got '%s', want '%s'\n", msg, want);
		assert_non_null(strstr(msg, want));
	}
	remove(bad);
}

/* ---- (d) audit without a node ---- */

static void test_audit_offline_zh(void **state)
{
	struct nodes *t = *state;
	struct node_ctx *n;
	struct node_reason why;
	assert_int_equal(node_ctx_open_why(t->dir[0], true, &n, &why), 0);
	uint8_t pk[32];
	memcpy(pk, n->pk, 32);
	node_ctx_close(n);
	char path[NODE_PATH_MAX + 16], bad[NODE_PATH_MAX + 16];
	char want[2 * NODE_PATH_MAX + 512];
	write_bad(t, pk, path, sizeof(path));
	snprintf(bad, sizeof(bad), "%s/not-a-roster", t->root);
	FILE *fp = fopen(bad, "wb");
	assert_non_null(fp);
	fputs("hello", fp);
	fclose(fp);
	for (int zh = 0; zh < 2; zh++) {
		struct node_doc *req = node_doc_object();
		node_doc_set(req, "roster", node_doc_str(t->roster));
		node_doc_set(req, "entries", node_doc_str(path));
		if (zh)
			node_doc_set(req, "lang", node_doc_str("zh"));
		struct node_doc *d = node_audit_offline(req);
		node_doc_free(req);
		assert_int_equal(node_doc_get_int(d, "exit", -1),
				 NODE_EXIT_CHECK);
		const struct node_doc *f =
		    node_doc_get(node_doc_get(d, "result"), "failures");
		assert_non_null(f);
		assert_int_equal(node_doc_len(f), 2);
		snprintf(want, sizeof(want),
			 zh ? MSG_IMPORT_AT_INDEX_ZH : MSG_IMPORT_AT_INDEX_EN,
			 (size_t)1,
			 zh ? MSG_ENTRY_NOT_PAIR_ZH : MSG_ENTRY_NOT_PAIR_EN);
		assert_string_equal(node_doc_as_str(node_doc_at(f, 0), NULL),
				    want);
		assert_string_equal(node_doc_as_str(node_doc_at(f, 1), NULL),
				    zh ? "第 2 条：签名无效"
				       : "entry 2: bad signature");
		node_doc_free(d);

		req = node_doc_object();
		node_doc_set(req, "roster", node_doc_str(bad));
		node_doc_set(req, "entries", node_doc_str(path));
		if (zh)
			node_doc_set(req, "lang", node_doc_str("zh"));
		d = node_audit_offline(req);
		node_doc_free(req);
		snprintf(want, sizeof(want),
			 zh ? MSG_NOT_VALID_ROSTER_ZH : MSG_NOT_VALID_ROSTER_EN,
			 bad, zh ? MSG_R_NOT_CHAIN_ZH : MSG_R_NOT_CHAIN_EN);
		assert_string_equal(node_doc_get_str(d, "error"), want);
		node_doc_free(d);
	}
	remove(bad);
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reject_table),
	    cmocka_unit_test_setup_teardown(test_import_rejected_zh,
					    nodes_setup, nodes_teardown),
	    cmocka_unit_test_setup_teardown(test_join_refused_zh, nodes_setup,
					    nodes_teardown),
	    cmocka_unit_test_setup_teardown(test_audit_offline_zh, nodes_setup,
					    nodes_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
