/*
 * api_match.c: which stored record a register row means (api_match.h).
 * Candidates come from the secondary indexes ('I' keys of patient_no,
 * id_number and the patient reference), then are checked against their
 * cells: live, in the importer's scope, and, where the index cut a long
 * value, equal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/api_match.h"
#include "node/api/node_int.h"
#include "node/ledger/index.h"
#include "node/ledger/schema.h"

#define MAX_CAND 8

int node_match_mode_parse(struct node_ctx *n, const struct node_type *t,
			  const char *text, enum node_match_mode *out,
			  struct node_reason *why)
{
	bool patient = !strcmp(t->name, "patient");
	bool guardian = !strcmp(t->name, "guardian");
	const char *modes = patient    ? "patient_no, id_number, none"
			    : guardian ? "id_number, none"
				       : "none";
	if (!text || !*text || !strcmp(text, "auto")) {
		*out = NODE_MATCH_AUTO;
		return 0;
	}
	if (!strcmp(text, "none")) {
		*out = NODE_MATCH_NONE;
		return 0;
	}
	if (patient && !strcmp(text, "patient_no")) {
		*out = NODE_MATCH_PATIENT_NO;
		return 0;
	}
	if ((patient || guardian) && !strcmp(text, "id_number")) {
		*out = NODE_MATCH_ID_NUMBER;
		return 0;
	}
	NODE_REASON_LONG(why, MSG_REG_MATCH_MODE_BAD, text,
			 n->lang_zh ? t->label_zh : t->name, modes);
	return -EINVAL;
}

/* Whether record id is valid, not retracted, and within scope. */
static bool live_in(struct node_ctx *n, const uint8_t id[16], const char *scope)
{
	struct node_entity e;
	if (node_ledger_entity(n->ledger, id, &e) != 0 || !e.valid)
		return false;
	if (!crdt_scope_covers(scope, e.scope))
		return false;
	char r[8];
	node_api_shown_text(n, id, "retracted", r, sizeof(r));
	return strcmp(r, "yes") != 0;
}

static size_t by_scan(struct node_ctx *n, const char *type, const char *field,
		      const char *text, const char *scope,
		      uint8_t out[MAX_CAND][16]);

/* Live records of type within scope whose indexed field shows v (text:
 * the value as node_api_shown_text writes it, to check values the index
 * cut). Up to MAX_CAND ids into out; returns how many were found. */
static size_t by_index(struct node_ctx *n, const char *type, const char *field,
		       const struct crdt_value *v, const char *text,
		       const char *scope, uint8_t out[MAX_CAND][16])
{
	const struct node_type *t = node_schema_type(type, strlen(type));
	const struct node_field *f =
	    t ? node_schema_field(t, field, strlen(field)) : NULL;
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (f && r && node_schema_sealed(f, r->schema_version))
		return by_scan(n, type, field, text, scope, out);
	uint8_t k[NODE_LEDGER_KEY_MAX];
	bool cut = false;
	size_t kl = node_index_prefix(k, type, field);
	kl = node_index_append_value(k, kl, v, &cut);
	size_t found = 0;
	struct node_kv_iter *it = node_kv_iter_new(n->kv, k, kl);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t len;
		const uint8_t *key = node_kv_iter_key(it, &len);
		if (len < kl + 16 || (!cut && len != kl + 16))
			continue;
		const uint8_t *id = key + len - 16;
		if (!live_in(n, id, scope))
			continue;
		if (cut) {
			char shown[CRDT_MAX_STR_BYTES + 1];
			node_api_shown_text(n, id, field, shown, sizeof(shown));
			if (strcmp(shown, text) != 0)
				continue;
		}
		bool dup = false;
		for (size_t i = 0; i < found && i < MAX_CAND && !dup; i++)
			dup = !memcmp(out[i], id, 16);
		if (dup)
			continue;
		if (found < MAX_CAND)
			memcpy(out[found], id, 16);
		found++;
	}
	node_kv_iter_free(it);
	return found;
}

/* by_index for a sealed field: its index holds sealed bytes, which differ
 * per record (the record's id is in the seal), so the records of type
 * within scope are opened one by one (those this node may read) and
 * compared as text. */
static size_t by_scan(struct node_ctx *n, const char *type, const char *field,
		      const char *text, const char *scope,
		      uint8_t out[MAX_CAND][16])
{
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t kl = node_index_prefix(k, type, "scope");
	memcpy(k + kl, scope, strlen(scope));
	kl += strlen(scope);
	size_t found = 0;
	struct node_kv_iter *it = node_kv_iter_new(n->kv, k, kl);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t len;
		const uint8_t *key = node_kv_iter_key(it, &len);
		if (len < kl + 16)
			continue;
		const uint8_t *id = key + len - 16;
		char shown[CRDT_MAX_STR_BYTES + 1];
		node_api_shown_text(n, id, field, shown, sizeof(shown));
		if (strcmp(shown, text) != 0 || !live_in(n, id, scope))
			continue;
		bool dup = false;
		for (size_t i = 0; i < found && i < MAX_CAND && !dup; i++)
			dup = !memcmp(out[i], id, 16);
		if (dup)
			continue;
		if (found < MAX_CAND)
			memcpy(out[found], id, 16);
		found++;
	}
	node_kv_iter_free(it);
	return found;
}

/* The row's text for field name ("" when absent), and its field. */
static const char *cell_of(const struct node_field *const *fields,
			   char *const *texts, size_t n_cols, const char *name)
{
	for (size_t i = 0; i < n_cols; i++)
		if (fields[i] && !strcmp(fields[i]->name, name))
			return texts[i] ? texts[i] : "";
	return "";
}

/* The canonical text of what the row gives for field f (patient_no,
 * id_number, name: all str), into out; false when empty or not valid
 * (the row's own checks then speak). */
static bool canonical(const struct node_type *t, const char *field,
		      const char *text, char *out, size_t out_len)
{
	const struct node_field *f = node_schema_field(t, field, strlen(field));
	uint8_t buf[CRDT_MAX_STR_BYTES + 16];
	struct crdt_value v;
	if (!f || !*text ||
	    node_schema_parse(f, text, &v, buf, sizeof(buf), NULL, 0) != 0 ||
	    v.kind != CRDT_VALUE_STR || v.len + 1 > out_len)
		return false;
	memcpy(out, v.p, v.len);
	out[v.len] = 0;
	return true;
}

static struct crdt_value str_value(const char *s)
{
	return (struct crdt_value){
	    .kind = CRDT_VALUE_STR, .p = (const uint8_t *)s, .len = strlen(s)};
}

static void id_text(char out[80], const char *type, const uint8_t id[16])
{
	char hex[33];
	node_hex(hex, id, 16);
	snprintf(out, 80, "%.40s-%s", type, hex);
}

static int ambiguous(struct node_ctx *n, const struct node_type *t,
		     const char *field, const char *value, size_t count,
		     uint8_t ids[MAX_CAND][16], char *why, size_t why_len)
{
	char a[80], b[80];
	id_text(a, t->name, ids[0]);
	id_text(b, t->name, ids[1]);
	snprintf(why, why_len, MSG(n, MSG_REG_MATCH_AMBIGUOUS), field, value,
		 count, n->lang_zh ? t->label_zh : t->name, a, b);
	return -EINVAL;
}

/* The patient a row's patient cell names: TYPE-hex, hex, or a patient_no
 * held by one live patient within scope. */
static bool row_patient(struct node_ctx *n, const char *text, const char *scope,
			uint8_t pid[16])
{
	const char *dash = strrchr(text, '-');
	const char *hex = dash ? dash + 1 : text;
	if (strlen(hex) == 32 && node_unhex(hex, pid, 16) == 0)
		return live_in(n, pid, scope);
	const struct node_type *pt = node_schema_type("patient", 7);
	char no[NODE_MATCH_KEY_MAX];
	if (!canonical(pt, "patient_no", text, no, sizeof(no)))
		return false;
	uint8_t ids[MAX_CAND][16];
	struct crdt_value v = str_value(no);
	if (by_index(n, "patient", "patient_no", &v, no, scope, ids) != 1)
		return false;
	memcpy(pid, ids[0], 16);
	return true;
}

static int match_patient(struct node_ctx *n, const struct node_type *t,
			 const char *scope, enum node_match_mode mode,
			 const char *no, const char *idn, struct node_match *m,
			 char *why, size_t why_len)
{
	static const char *const fields[2] = {"patient_no", "id_number"};
	const char *vals[2] = {no, idn};
	for (int i = 0; i < 2; i++) {
		if (!*vals[i] || (mode == NODE_MATCH_PATIENT_NO && i == 1) ||
		    (mode == NODE_MATCH_ID_NUMBER && i == 0))
			continue;
		uint8_t ids[MAX_CAND][16];
		struct crdt_value v = str_value(vals[i]);
		size_t c =
		    by_index(n, "patient", fields[i], &v, vals[i], scope, ids);
		if (c > 1)
			return ambiguous(n, t, fields[i], vals[i], c, ids, why,
					 why_len);
		if (c == 1) {
			m->found = true;
			m->by = fields[i];
			memcpy(m->id, ids[0], 16);
			return 0;
		}
	}
	return 0;
}

/* Guardians or care groups of patient pid within scope, filtered by the
 * shown value of field (NULL: no filter; skip_other: also drop records
 * whose id_number is set and differs from idn). */
static size_t of_patient(struct node_ctx *n, const char *type,
			 const uint8_t pid[16], const char *scope,
			 const char *field, const char *value, const char *idn,
			 uint8_t out[MAX_CAND][16])
{
	uint8_t all[MAX_CAND][16];
	struct crdt_value v = {.kind = CRDT_VALUE_BIN, .p = pid, .len = 16};
	size_t c = by_index(n, type, "patient", &v, NULL, scope, all);
	size_t kept = 0;
	for (size_t i = 0; i < c && i < MAX_CAND; i++) {
		char shown[CRDT_MAX_STR_BYTES + 1];
		if (field) {
			node_api_shown_text(n, all[i], field, shown,
					    sizeof(shown));
			if (strcmp(shown, value) != 0)
				continue;
		}
		if (idn && *idn) {
			node_api_shown_text(n, all[i], "id_number", shown,
					    sizeof(shown));
			if (*shown && strcmp(shown, idn) != 0)
				continue;
		}
		memcpy(out[kept++], all[i], 16);
	}
	/* More than MAX_CAND: ambiguous whatever the filter kept. */
	return c > MAX_CAND && kept ? c : kept;
}

int node_match_find(struct node_ctx *n, const struct node_type *t,
		    const char *scope, enum node_match_mode mode,
		    const struct node_field *const *fields, char *const *texts,
		    size_t n_cols, struct node_match *m, char *why,
		    size_t why_len)
{
	memset(m, 0, sizeof(*m));
	if (mode == NODE_MATCH_NONE)
		return 0;
	char a[128], b[128];
	if (!strcmp(t->name, "patient")) {
		bool has_no = canonical(
		    t, "patient_no",
		    cell_of(fields, texts, n_cols, "patient_no"), a, sizeof(a));
		bool has_id = canonical(
		    t, "id_number", cell_of(fields, texts, n_cols, "id_number"),
		    b, sizeof(b));
		if (!has_no)
			*a = 0;
		if (!has_id)
			*b = 0;
		if (*a)
			snprintf(m->keys[0], sizeof(m->keys[0]),
				 "patient_no=%s", a);
		if (*b)
			snprintf(m->keys[1], sizeof(m->keys[1]), "id_number=%s",
				 b);
		return match_patient(n, t, scope, mode, a, b, m, why, why_len);
	}
	bool guardian = !strcmp(t->name, "guardian");
	if (!guardian && strcmp(t->name, "care_group") != 0)
		return 0;
	const char *ptext = cell_of(fields, texts, n_cols, "patient");
	uint8_t pid[16];
	char phex[33];
	if (!*ptext)
		return 0;
	if (!row_patient(n, ptext, scope, pid)) {
		/* Not a patient this node holds: the row creates, and its
		 * own checks speak; rows of one file still meet by text. */
		snprintf(phex, sizeof(phex), "%.32s", ptext);
	} else {
		node_hex(phex, pid, 16);
	}
	uint8_t ids[MAX_CAND][16];
	if (!guardian) {
		snprintf(m->keys[0], sizeof(m->keys[0]), "care_group:%s", phex);
		if (!row_patient(n, ptext, scope, pid))
			return 0;
		size_t c = of_patient(n, "care_group", pid, scope, NULL, NULL,
				      NULL, ids);
		if (c > 1)
			return ambiguous(n, t, "patient", ptext, c, ids, why,
					 why_len);
		if (c == 1) {
			m->found = true;
			m->by = "patient";
			memcpy(m->id, ids[0], 16);
		}
		return 0;
	}
	bool has_id = canonical(t, "id_number",
				cell_of(fields, texts, n_cols, "id_number"), a,
				sizeof(a));
	bool has_name = canonical(
	    t, "name", cell_of(fields, texts, n_cols, "name"), b, sizeof(b));
	if (has_id)
		snprintf(m->keys[0], sizeof(m->keys[0]), "guardian:%s:id=%s",
			 phex, a);
	else if (has_name)
		snprintf(m->keys[0], sizeof(m->keys[0]), "guardian:%s:name=%s",
			 phex, b);
	if (!row_patient(n, ptext, scope, pid))
		return 0;
	if (has_id) {
		size_t c = of_patient(n, "guardian", pid, scope, "id_number", a,
				      NULL, ids);
		if (c > 1)
			return ambiguous(n, t, "id_number", a, c, ids, why,
					 why_len);
		if (c == 1) {
			m->found = true;
			m->by = "id_number";
			memcpy(m->id, ids[0], 16);
			return 0;
		}
	}
	if (has_name && mode != NODE_MATCH_ID_NUMBER) {
		size_t c = of_patient(n, "guardian", pid, scope, "name", b,
				      has_id ? a : NULL, ids);
		if (c > 1)
			return ambiguous(n, t, "name", b, c, ids, why, why_len);
		if (c == 1) {
			m->found = true;
			m->by = "name";
			memcpy(m->id, ids[0], 16);
		}
	}
	return 0;
}

/* ---- keys seen in one pass ---- */

struct seen_slot {
	char *key;
	size_t line;
};

struct node_match_seen {
	struct seen_slot *slot;
	size_t cap, used;
};

struct node_match_seen *node_match_seen_new(void)
{
	struct node_match_seen *s = crdt_xcalloc(1, sizeof(*s));
	return s;
}

void node_match_seen_reset(struct node_match_seen *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i].key);
	free(s->slot);
	s->slot = NULL;
	s->cap = s->used = 0;
}

void node_match_seen_free(struct node_match_seen *s)
{
	if (!s)
		return;
	node_match_seen_reset(s);
	free(s);
}

static uint64_t fnv(const char *k)
{
	uint64_t h = 1469598103934665603ull;
	for (; *k; k++)
		h = (h ^ (uint8_t)*k) * 1099511628211ull;
	return h;
}

static struct seen_slot *seen_find(struct node_match_seen *s, const char *k)
{
	size_t i = (size_t)fnv(k) & (s->cap - 1);
	while (s->slot[i].key && strcmp(s->slot[i].key, k) != 0)
		i = (i + 1) & (s->cap - 1);
	return &s->slot[i];
}

static void seen_grow(struct node_match_seen *s)
{
	struct seen_slot *old = s->slot;
	size_t oldcap = s->cap;
	s->cap = s->cap ? s->cap * 2 : 256;
	s->slot = crdt_xcalloc(s->cap, sizeof(*s->slot));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].key)
			*seen_find(s, old[i].key) = old[i];
	free(old);
}

int node_match_seen_check(struct node_match_seen *s, const char *const *keys,
			  size_t n_keys, size_t line, size_t *first)
{
	for (size_t i = 0; i < n_keys; i++) {
		if (!keys[i] || !*keys[i] || !s->cap)
			continue;
		struct seen_slot *sl = seen_find(s, keys[i]);
		if (sl->key) {
			*first = sl->line;
			return 1;
		}
	}
	for (size_t i = 0; i < n_keys; i++) {
		if (!keys[i] || !*keys[i])
			continue;
		if ((s->used + 1) * 2 > s->cap)
			seen_grow(s);
		struct seen_slot *sl = seen_find(s, keys[i]);
		if (sl->key)
			continue;
		sl->key = crdt_xstrdup(keys[i]);
		sl->line = line;
		s->used++;
	}
	return 0;
}
