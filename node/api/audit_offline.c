/*
 * audit_offline.c: `ward audit verify --roster CHAIN --entries FILE`, the
 * auditor's check that needs no node, no data directory and no network:
 * the chain verifies from genesis (every version's prev and its admins'
 * signatures), every entry of the file verifies and is judged under the
 * roster version it names (revocation bounds under the newest) in a ledger
 * held in memory, and the state digest is recomputed. Entries rejected
 * outright, or waiting for a version or an earlier entry the file lacks,
 * are failures; ops stored without effect are findings, as in `ward audit
 * verify`. Runs in ward-local (it needs the ledger), never in a daemon.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/api/node_int.h"
#include "node/ledger/ledger.h"
#include "node/ledger/schema.h"
#include "node/store/kv.h"

static int read_all(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	size_t cap = 1 << 16, n = 0;
	uint8_t *b = crdt_xmalloc(cap);
	size_t got;
	while ((got = fread(b + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			b = crdt_xrealloc(b, cap);
		}
	}
	int err = ferror(f) ? -EIO : 0;
	fclose(f);
	if (err) {
		free(b);
		return err;
	}
	*out = b;
	*len = n;
	return 0;
}

struct item {
	const uint8_t *p;
	size_t len;
	bool done;
};

struct fscan {
	struct node_doc *list;
	bool zh;
};

static int finding_doc(void *ctx, const struct node_ledger_finding *f)
{
	struct fscan *fs = ctx;
	struct node_doc *o = node_doc_object();
	char hex[65], text[512];
	node_hex(hex, f->author, 32);
	node_doc_set(o, "author", node_doc_str(hex));
	node_doc_set(o, "scope", node_doc_str(f->scope));
	node_doc_set(o, "seq", node_doc_int((int64_t)f->seq));
	node_doc_set(o, "index", node_doc_int((int64_t)f->index));
	node_doc_set(o, "why",
		     node_doc_str(node_schema_reason_text(
			 &f->reason, fs->zh ? NODE_LANG_ZH : NODE_LANG_EN, text,
			 sizeof(text))));
	node_doc_set(o, "code", node_doc_str(node_catalog_name(f->reason.id)));
	node_doc_push(fs->list, o);
	return 0;
}

/* The check, in the handlers' shape (api.h): 0 or NODE_API_CHECK_FAILED
 * with the result, or -errno with *why (-EBADMSG: the roster given does
 * not verify, exit 1). */
static int audit_offline(const struct node_doc *req, bool zh,
			 struct node_doc **out, struct node_reason *why)
{
	const char *roster_path = node_doc_get_str(req, "roster");
	const char *entries_path = node_doc_get_str(req, "entries");
	uint8_t *chain = NULL, *ents = NULL;
	size_t chain_len, ents_len;
	if (!roster_path || read_all(roster_path, &chain, &chain_len) != 0) {
		NODE_REASON_LONG(why, MSG_CANNOT_READ_ROSTER,
				 roster_path ? roster_path : "(none)");
		return -EINVAL;
	}
	if (!entries_path || read_all(entries_path, &ents, &ents_len) != 0) {
		free(chain);
		NODE_REASON_LONG(why, MSG_ROSTER_CANNOT_READ_ENTRIES,
				 entries_path ? entries_path : "(none)");
		return -EINVAL;
	}
	struct node_kv *kv = node_kv_new_mem();
	struct node_ledger *l;
	if (node_ledger_open(kv, &l) != 0) {
		free(chain);
		free(ents);
		node_kv_close(kv);
		NODE_REASON0(why, MSG_CANNOT_OPEN_MEMORY_LEDGER);
		return -EIO;
	}
	if (node_ledger_set_roster(l, chain, chain_len, why) != 0) {
		NODE_REASON_WRAP(why, MSG_NOT_VALID_ROSTER, roster_path,
				 NODE_REASON_INNER);
		free(chain);
		free(ents);
		node_ledger_close(l);
		node_kv_close(kv);
		return -EBADMSG;
	}
	free(chain);
	/* The file: [body, sig] values one after another. */
	struct item *items = NULL;
	size_t n = 0, cap = 0;
	struct node_doc *failures = node_doc_array();
	struct crdt_mp_cursor c;
	crdt_mp_cursor_init(&c, ents, ents_len, false);
	while (crdt_mp_left(&c) > 0) {
		const uint8_t *start = c.p;
		if (crdt_mp_skip(&c) != 0) {
			node_doc_push(
			    failures,
			    node_doc_strf(MSGZ(zh, MSG_AUDIT_OFF_TRAILING),
					  n));
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			items = crdt_xrealloc(items, cap * sizeof(*items));
		}
		items[n++] = (struct item){start, (size_t)(c.p - start), false};
	}
	/* In the file's order (feed, then seq), again while some apply: an
	 * entry may follow one of another feed it does not depend on. */
	size_t applied = 0, dups = 0;
	bool progress = true;
	while (progress) {
		progress = false;
		for (size_t i = 0; i < n; i++) {
			if (items[i].done)
				continue;
			struct node_txn *t = node_ledger_begin(l);
			enum node_ingest res;
			enum node_msg iwhy = MSG_NONE;
			int rc = node_txn_ingest(t, items[i].p, items[i].len,
						 false, &res, &iwhy);
			if (rc == -EAGAIN) {
				node_txn_abort(t);
				continue;
			}
			items[i].done = true;
			progress = true;
			if (rc) {
				node_txn_abort(t);
				node_doc_push(failures,
					      node_doc_strf(
						  MSGZ(zh, MSG_IMPORT_AT_INDEX),
						  i + 1,
						  node_catalog_text(
						      zh ? NODE_LANG_ZH
							 : NODE_LANG_EN,
						      iwhy)));
				continue;
			}
			node_txn_commit(t, false);
			if (res == NODE_INGEST_DUPLICATE)
				dups++;
			else
				applied++;
		}
	}
	for (size_t i = 0; i < n; i++)
		if (!items[i].done)
			node_doc_push(
			    failures,
			    node_doc_strf(MSGZ(zh, MSG_AUDIT_OFF_WAITS),
					  i + 1));
	struct node_doc *findings = node_doc_array();
	struct fscan fs = {findings, zh};
	node_ledger_each_finding(l, finding_doc, &fs);
	uint8_t d[32];
	char hex[65];
	node_ledger_digest(l, d);
	node_hex(hex, d, 32);
	struct node_doc *r = node_doc_object();
	node_doc_set(r, "entries", node_doc_int((int64_t)n));
	node_doc_set(r, "applied", node_doc_int((int64_t)applied));
	node_doc_set(r, "duplicates", node_doc_int((int64_t)dups));
	node_doc_set(r, "roster_version",
		     node_doc_int((int64_t)node_ledger_roster(l)->version));
	node_ledger_net_id(l, d);
	node_hex(hex + 0, d, 32);
	node_doc_set(r, "net_id", node_doc_str(hex));
	node_ledger_digest(l, d);
	node_hex(hex, d, 32);
	node_doc_set(r, "digest", node_doc_str(hex));
	node_doc_set(r, "findings", findings);
	bool ok = node_doc_len(failures) == 0;
	node_doc_set(r, "failures", failures);
	node_doc_set(r, "ok", node_doc_bool(ok));
	node_doc_set(r, "feeds", node_doc_int(0));
	free(items);
	free(ents);
	node_ledger_close(l);
	node_kv_close(kv);
	*out = r;
	return ok ? 0 : NODE_API_CHECK_FAILED;
}

struct node_doc *node_audit_offline(const struct node_doc *req)
{
	const char *lang = node_doc_get_str(req, "lang");
	bool zh = lang && !strcmp(lang, "zh");
	struct node_doc *r = NULL;
	struct node_reason why = {0};
	int rc = audit_offline(req, zh, &r, &why);
	return node_answer(rc, r, &why, zh);
}
