/*
 * api_records.c: record lifecycle in the local API (node layer): `retract`,
 * `duplicates`, and the checks a node makes at write time beyond op
 * validity (DOMAIN.md section 2): an exited patient needs its exit date;
 * a second patient with the same id_number or patient_no is allowed (two
 * offices may register one person while apart) but the writer is warned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "node/api/api.h"
#include "node/api/keyring.h"
#include "node/api/api_rules.h"
#include "node/api/node_int.h"
#include "node/ledger/index.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void id_text(char out[80], const char *type, const uint8_t id[16])
{
	char hex[33];
	node_hex(hex, id, 16);
	snprintf(out, 80, "%.40s-%s", type, hex);
}

/* Live patients other than self (and than moved_from, the record a
 * transfer-in comes from) holding value in the indexed field. */
static void same_value(struct node_ctx *n, const char *field,
		       const struct crdt_value *v, const uint8_t *self,
		       const uint8_t *moved_from, struct node_doc *warnings)
{
	uint8_t k[NODE_LEDGER_KEY_MAX];
	bool cut;
	size_t kl = node_index_prefix(k, "patient", field);
	kl = node_index_append_value(k, kl, v, &cut);
	struct node_kv_iter *it = node_kv_iter_new(n->kv, k, kl);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t len;
		const uint8_t *key = node_kv_iter_key(it, &len);
		const uint8_t *other = key + len - 16;
		if (len != kl + 16 || (self && !memcmp(other, self, 16)) ||
		    (moved_from && !memcmp(other, moved_from, 16)))
			continue;
		char r[8], id[80];
		node_api_shown_text(n, other, "retracted", r, sizeof(r));
		if (!strcmp(r, "yes"))
			continue;
		id_text(id, "patient", other);
		node_doc_push(
		    warnings,
		    node_doc_strf(MSG(n, MSG_ALREADY_HELD_SEE_WARD_DUPLICATES),
				  field, (int)v->len, (const char *)v->p, id));
	}
	node_kv_iter_free(it);
}

int node_check_write(struct node_ctx *n, const struct node_type *t,
		     const uint8_t *id, const struct crdt_op *ops, size_t n_ops,
		     struct node_doc **warnings, struct node_reason *why)
{
	*warnings = NULL;
	int rc = node_rules_check(n, t, id, ops, n_ops, why);
	if (rc != 0)
		return rc;
	if (strcmp(t->name, "patient") != 0)
		return 0;
	const uint8_t *moved_from = NULL;
	for (size_t i = 0; i < n_ops; i++)
		if (ops[i].code == CRDT_OP_SET && ops[i].name_len == 16 &&
		    !memcmp(ops[i].name, "transferred_from", 16) &&
		    ops[i].value.kind == CRDT_VALUE_BIN &&
		    ops[i].value.len == 16)
			moved_from = ops[i].value.p;
	uint8_t stored_from[16];
	char from_hex[40] = "";
	if (!moved_from && id)
		node_api_shown_text(n, id, "transferred_from", from_hex,
				    sizeof(from_hex));
	if (strlen(from_hex) == 32 &&
	    node_unhex(from_hex, stored_from, 16) == 0)
		moved_from = stored_from;
	/* As large as text below: copies between them never truncate (a
	 * Debug or MinSizeRel build checks that under -Werror). */
	char status[64] = "", exit_date[64] = "";
	if (id) {
		node_api_shown_text(n, id, "status", status, sizeof(status));
		node_api_shown_text(n, id, "exit_date", exit_date, sizeof(exit_date));
	}
	struct node_doc *w = node_doc_array();
	for (size_t i = 0; i < n_ops; i++) {
		const struct crdt_op *op = &ops[i];
		if (op->code != CRDT_OP_SET)
			continue;
		const struct crdt_value *v = &op->value;
		char text[64] = "";
		if (v->kind == CRDT_VALUE_STR)
			snprintf(text, sizeof(text), "%.*s", (int)v->len,
				 (const char *)v->p);
		if (op->name_len == 6 && !memcmp(op->name, "status", 6))
			snprintf(status, sizeof(status), "%s", text);
		else if (op->name_len == 9 && !memcmp(op->name, "exit_date", 9))
			snprintf(exit_date, sizeof(exit_date), "%s", text);
		else if (v->kind == CRDT_VALUE_STR &&
			 ((op->name_len == 9 &&
			   !memcmp(op->name, "id_number", 9)) ||
			  (op->name_len == 10 &&
			   !memcmp(op->name, "patient_no", 10))))
			same_value(
			    n, op->name_len == 9 ? "id_number" : "patient_no",
			    v, id, moved_from, w);
	}
	if (!strcmp(status, "exited") && !*exit_date) {
		node_doc_free(w);
		NODE_REASON0(why, MSG_REFUSED_NOTHING_WRITTEN_EXIT_DATE);
		return -EINVAL;
	}
	if (node_doc_len(w) == 0)
		node_doc_free(w);
	else
		*warnings = w;
	return 0;
}

const char *node_api_reason(struct node_ctx *n, const struct node_reason *r,
			    char *out, size_t len)
{
	return node_schema_reason_text(
	    r, n->lang_zh ? NODE_LANG_ZH : NODE_LANG_EN, out, len);
}

void node_refused(struct node_reason *why)
{
	NODE_REASON_WRAP(why, MSG_REFUSED_TEXT, NODE_REASON_INNER);
}

struct node_doc *node_check_attach(struct node_doc *d,
				   struct node_doc *warnings)
{
	if (warnings)
		node_doc_set(d, "warnings", warnings);
	return d;
}

/* ---- retract ---- */

int node_api_retract(struct node_ctx *n, const struct node_doc *req,
		     struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	uint8_t id[16];
	struct node_entity e;
	const char *idtext = node_doc_get_str(req, "id");
	const char *reason = node_doc_get_str(req, "reason");
	if (!node_ledger_roster(n->ledger)) {
		NODE_REASON0(why, MSG_NODE_HAS_NOT_JOINED_NETWORK_2);
		return -ENOTCONN;
	}
	if (!idtext)
		return -EIO; /* the CLI always sends one */
	if ((rc = node_api_resolve(n, idtext, id, &e, why)) != 0)
		return rc;
	if (!reason || !*reason) {
		NODE_REASON0(why, MSG_SAY_WHY_REASON_TEXT);
		return -EINVAL;
	}
	if (!e.valid) {
		node_entity_why(&e, why);
		NODE_REASON_WRAP(why, MSG_HAS_NO_EFFECT_NOTHING_RETRACT, idtext,
				 NODE_REASON_INNER);
		return -EINVAL;
	}
	char already[8];
	node_api_shown_text(n, id, "retracted", already, sizeof(already));
	if (!strcmp(already, "yes")) {
		NODE_REASON_LONG(why, MSG_ALREADY_RETRACTED, idtext);
		return -EINVAL;
	}
	static const char *const fields[2] = {"retracted", "retract_reason"};
	const char *values[2] = {"yes", reason};
	struct crdt_op ops[2];
	struct crdt_dot preds[2][CRDT_MAX_DOTS];
	memset(ops, 0, sizeof(ops));
	for (int i = 0; i < 2; i++) {
		struct crdt_cell c;
		node_ledger_cell(n->ledger, id, fields[i], &c);
		for (size_t k = 0; k < c.n_live && k < CRDT_MAX_DOTS; k++)
			preds[i][ops[i].n_dots++] = c.live[k].dot;
		crdt_cell_fini(&c);
		ops[i].code = CRDT_OP_SET;
		memcpy(ops[i].entity, id, 16);
		ops[i].name = fields[i];
		ops[i].name_len = strlen(fields[i]);
		ops[i].value.kind = CRDT_VALUE_STR;
		ops[i].value.p = (const uint8_t *)values[i];
		ops[i].value.len = strlen(values[i]);
		ops[i].dots = preds[i];
	}
	const struct node_type *t = node_schema_type(e.type, strlen(e.type));
	char swhy[512];
	if (t && node_schema_check_lang(
		     node_schema_field(t, "retract_reason", 14), &ops[1].value,
		     n->lang_zh, swhy, sizeof(swhy)) != 0) {
		NODE_REASON_LONG(why, MSG_F_TEXT, swhy);
		return -EINVAL;
	}
	if (t && (rc = node_rules_check(n, t, id, ops, 2, why)) != 0)
		return rc;
	struct node_write w = {.scope = e.scope, .n_ops = 2, .ops = ops};
	uint64_t seq;
	if ((rc = node_ctx_may_sign(n, why)) != 0)
		return rc;
	rc =
	    node_ledger_write(n->ledger, n->sk, n->pk, &w, now_ms(), &seq, why);
	if (rc) {
		node_refused(why);
		return rc == -EIO ? -EIO : -EINVAL;
	}
	*out = node_api_record_doc(n, id, &e);
	return 0;
}

/* ---- duplicates ---- */

/* One patient holding a value of the field duplicates looks at. */
struct dup_item {
	char *value; /* as shown: opened where the field is sealed */
	uint8_t id[16];
};

static int dup_cmp(const void *a, const void *b)
{
	const struct dup_item *x = a, *y = b;
	int r = strcmp(x->value, y->value);
	return r ? r : memcmp(x->id, y->id, 16);
}

/* Patients sharing a value of field. The field's index lists every
 * patient holding a value; the values are compared as this node reads
 * them (a sealed field's index holds sealed bytes, unique per record, so
 * its values are opened first: what this node may not read is left out). */
static void dup_field(struct node_ctx *n, const char *field,
		      struct node_doc *out)
{
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t plen = node_index_prefix(k, "patient", field);
	struct node_kv_iter *it = node_kv_iter_new(n->kv, k, plen);
	struct dup_item *v = NULL;
	size_t nv = 0, cap = 0;
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t len;
		const uint8_t *key = node_kv_iter_key(it, &len);
		if (len < plen + 16)
			continue;
		const uint8_t *id = key + len - 16;
		char text[CRDT_MAX_STR_BYTES + 1];
		node_api_shown_text(n, id, field, text, sizeof(text));
		if (!*text)
			continue; /* unset, or not this node's to read */
		if (nv == cap) {
			cap = cap ? 2 * cap : 64;
			v = realloc(v, cap * sizeof(*v));
			if (!v)
				abort();
		}
		v[nv].value = strdup(text);
		if (!v[nv].value)
			abort();
		memcpy(v[nv].id, id, 16);
		nv++;
	}
	node_kv_iter_free(it);
	if (nv > 1)
		qsort(v, nv, sizeof(*v), dup_cmp);
	for (size_t i = 0; i < nv;) {
		size_t j = i;
		while (j < nv && !strcmp(v[j].value, v[i].value))
			j++;
		struct node_doc *group = node_doc_object();
		struct node_doc *ids = node_doc_array();
		node_doc_set(group, "field", node_doc_str(field));
		node_doc_set(group, "value", node_doc_str(v[i].value));
		node_doc_set(group, "patients", ids);
		for (size_t m = i; m < j && j - i >= 2; m++) {
			const uint8_t *id = v[m].id;
			struct node_entity e;
			char r[8];
			node_api_shown_text(n, id, "retracted", r, sizeof(r));
			if (node_ledger_entity(n->ledger, id, &e) != 0 ||
			    !e.valid || !strcmp(r, "yes"))
				continue;
			/* A transfer-in beside its transfer-out is one
			 * person. */
			if (node_rules_moved_from_same(n, id, field, v[i].value,
						       strlen(v[i].value)))
				continue;
			struct node_doc *p = node_doc_object();
			char text[80], name[256], reg[16];
			id_text(text, "patient", id);
			node_api_shown_text(n, id, "name", name, sizeof(name));
			node_api_shown_text(n, id, "registered_on", reg,
					    sizeof(reg));
			node_doc_set(p, "id", node_doc_str(text));
			node_doc_set(p, "name",
				     *name ? node_doc_str(name)
					   : node_keyring_sealed_doc(false));
			node_doc_set(p, "scope", node_doc_str(e.scope));
			node_doc_set(p, "registered_on",
				     *reg ? node_doc_str(reg) : node_doc_null());
			node_doc_push(ids, p);
		}
		if (node_doc_len(ids) >= 2)
			node_doc_push(out, group);
		else
			node_doc_free(group);
		i = j;
	}
	for (size_t i = 0; i < nv; i++)
		free(v[i].value);
	free(v);
}

int node_api_duplicates(struct node_ctx *n, const struct node_doc *req,
			struct node_doc **out, struct node_reason *why)
{
	(void)req;
	(void)why;
	struct node_doc *arr = node_doc_array();
	dup_field(n, "id_number", arr);
	dup_field(n, "patient_no", arr);
	*out = arr;
	return 0;
}
