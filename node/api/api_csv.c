/*
 * api_csv.c: registers in and out (node layer). `import_records` reads a
 * CSV (RFC 4180, header of field names or Chinese labels) or JSON-lines
 * file of one record type; `export_records` writes one.
 *
 * Import checks every row before writing any: a first pass builds and
 * checks each row's ops exactly as the write path would (values, roles,
 * jurisdiction, write-once, required fields, exit dates) and lists the bad
 * rows by line; only when none is bad (or --skip-bad) does a second pass
 * write. A row with a known id changes only the fields whose value
 * differs; a row without one creates a record. Rows are packed into signed
 * entries per scope (up to CHUNK_OPS ops) and applied in transactions of
 * COMMIT_ENTRIES entries, synced once at the end: a register of a million
 * rows is thousands of entries, not a million synced writes. Every op is
 * checked before signing, so the node's own judge finds nothing to store
 * without effect.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "node/api/access.h"
#include "crdt/seal.h"
#include "node/api/api.h"
#include "node/api/keyring.h"
#include "node/api/ops.h"
#include "node/api/api_match.h"
#include "node/api/api_rules.h"
#include "node/api/export_file.h"
#include "node/api/node_int.h"
#include "node/ledger/index.h"
#include "node/ledger/schema.h"
#include "node/records/query.h"

#define CHUNK_OPS 900
#define CHUNK_BYTES (48u * 1024u)
#define COMMIT_ENTRIES 500
#define MAX_COLS 64
#define MAX_COLS_TEXT "64"
#define MAX_SCOPES 256
#define MAX_BAD_LISTED 1000

static uint64_t wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------------- */
/* Reading the file: encoding, CSV, JSON lines.                            */

/* Whether the bytes could be GB18030 (two-byte forms, or four-byte forms
 * of digit pairs) rather than random garbage. */
static bool looks_gb18030(const uint8_t *p, size_t n)
{
	size_t pairs = 0;
	for (size_t i = 0; i < n;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (i + 1 < n && p[i] >= 0x81 && p[i] <= 0xfe &&
		    ((p[i + 1] >= 0x40 && p[i + 1] <= 0xfe &&
		      p[i + 1] != 0x7f))) {
			pairs++;
			i += 2;
			continue;
		}
		if (i + 3 < n && p[i] >= 0x81 && p[i] <= 0xfe &&
		    p[i + 1] >= 0x30 && p[i + 1] <= 0x39 && p[i + 2] >= 0x81 &&
		    p[i + 2] <= 0xfe && p[i + 3] >= 0x30 && p[i + 3] <= 0x39) {
			pairs++;
			i += 4;
			continue;
		}
		return false;
	}
	return pairs > 0;
}

/* Checks the text is UTF-8, line by line; on the first bad line writes the
 * message. */
static int check_utf8(const char *path, const uint8_t *p, size_t n,
		      struct node_reason *why)
{
	size_t line = 1;
	for (size_t i = 0; i < n;) {
		const uint8_t *nl = memchr(p + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - p) : n;
		if (!crdt_utf8_valid(p + i, end - i)) {
			if (looks_gb18030(p + i, end - i))
				NODE_REASON_LONG(why, MSG_LINE_NOT_UTF_8_FILE,
						 path, line, path);
			else
				NODE_REASON_LONG(why, MSG_LINE_NOT_UTF_8_TEXT,
						 path, line);
			return -EINVAL;
		}
		line++;
		i = end + 1;
	}
	return 0;
}

struct row {
	size_t line;
	size_t n;
	char *name[MAX_COLS]; /* JSONL: per row; CSV: the header's */
	char *text[MAX_COLS];
	bool bad_shape;
	char why[160];
};

/* One CSV record from *pos (RFC 4180); cells are copied into row->text.
 * Returns false at the end. Lines are counted through quoted newlines. */
static bool csv_next(const char *p, size_t n, size_t *pos, size_t *line,
		     struct row *r)
{
	size_t i = *pos;
	/* Skip blank lines. */
	while (i < n && (p[i] == '\n' || p[i] == '\r')) {
		if (p[i] == '\n')
			(*line)++;
		i++;
	}
	if (i >= n)
		return false;
	r->line = *line;
	r->n = 0;
	r->bad_shape = false;
	struct crdt_buf cell;
	crdt_buf_init(&cell);
	for (;;) {
		crdt_buf_reset(&cell);
		if (i < n && p[i] == '"') {
			i++;
			for (;;) {
				if (i >= n) {
					r->bad_shape = true;
					snprintf(r->why, sizeof(r->why),
						 "a quoted cell is not closed");
					break;
				}
				if (p[i] == '"') {
					if (i + 1 < n && p[i + 1] == '"') {
						crdt_buf_append(&cell, "\"", 1);
						i += 2;
						continue;
					}
					i++;
					break;
				}
				if (p[i] == '\n')
					(*line)++;
				crdt_buf_append(&cell, p + i, 1);
				i++;
			}
			while (i < n && p[i] != ',' && p[i] != '\n' &&
			       p[i] != '\r')
				i++; /* text after a closing quote: dropped */
		} else {
			size_t s = i;
			while (i < n && p[i] != ',' && p[i] != '\n' &&
			       p[i] != '\r')
				i++;
			crdt_buf_append(&cell, p + s, i - s);
		}
		crdt_buf_append(&cell, "", 1);
		if (r->n < MAX_COLS) {
			r->text[r->n++] =
			    (char *)crdt_buf_take(&cell, &(size_t){0});
		} else {
			r->bad_shape = true;
			snprintf(r->why, sizeof(r->why), "more than %d columns",
				 MAX_COLS);
		}
		if (i < n && p[i] == ',') {
			i++;
			continue;
		}
		break;
	}
	if (i < n && p[i] == '\r')
		i++;
	if (i < n && p[i] == '\n') {
		i++;
		(*line)++;
	}
	crdt_buf_fini(&cell);
	*pos = i;
	return true;
}

/* ---- a minimal JSON object reader for JSON lines ---- */

static void ws(const char **s)
{
	while (**s == ' ' || **s == '\t' || **s == '\r')
		(*s)++;
}

static bool json_string(const char **s, struct crdt_buf *out)
{
	if (**s != '"')
		return false;
	(*s)++;
	while (**s && **s != '"') {
		char c = **s;
		if (c == '\\') {
			(*s)++;
			char e = **s;
			const char *map = strchr("\"\\/bfnrt", e);
			if (map && e) {
				static const char rep[] = "\"\\/\b\f\n\r\t";
				crdt_buf_append(out, &rep[map - "\"\\/bfnrt"],
						1);
			} else if (e == 'u') {
				unsigned cp = 0;
				for (int k = 1; k <= 4; k++) {
					char h = (*s)[k];
					cp <<= 4;
					if (h >= '0' && h <= '9')
						cp |= (unsigned)(h - '0');
					else if ((h | 32) >= 'a' &&
						 (h | 32) <= 'f')
						cp |= (unsigned)((h | 32) -
								 'a' + 10);
					else
						return false;
				}
				*s += 4;
				if (cp >= 0xd800 && cp <= 0xdbff &&
				    (*s)[1] == '\\' && (*s)[2] == 'u') {
					unsigned lo = (unsigned)strtoul(
					    (char[5]){(*s)[3], (*s)[4], (*s)[5],
						      (*s)[6], 0},
					    NULL, 16);
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
					*s += 6;
				}
				uint8_t u[4];
				size_t l;
				if (cp < 0x80) {
					u[0] = (uint8_t)cp;
					l = 1;
				} else if (cp < 0x800) {
					u[0] = (uint8_t)(0xc0 | cp >> 6);
					u[1] = (uint8_t)(0x80 | (cp & 0x3f));
					l = 2;
				} else if (cp < 0x10000) {
					u[0] = (uint8_t)(0xe0 | cp >> 12);
					u[1] =
					    (uint8_t)(0x80 | (cp >> 6 & 0x3f));
					u[2] = (uint8_t)(0x80 | (cp & 0x3f));
					l = 3;
				} else {
					u[0] = (uint8_t)(0xf0 | cp >> 18);
					u[1] =
					    (uint8_t)(0x80 | (cp >> 12 & 0x3f));
					u[2] =
					    (uint8_t)(0x80 | (cp >> 6 & 0x3f));
					u[3] = (uint8_t)(0x80 | (cp & 0x3f));
					l = 4;
				}
				crdt_buf_append(out, u, l);
			} else {
				return false;
			}
			(*s)++;
			continue;
		}
		crdt_buf_append(out, &c, 1);
		(*s)++;
	}
	if (**s != '"')
		return false;
	(*s)++;
	return true;
}

/* Whether a cell's text is the export's marker of a value it could not
 * read, or, for a set, has it among its '|'-separated elements. */
static bool holds_sealed_marker(const char *text, bool is_set)
{
	size_t ml = strlen(NODE_EXPORT_SEALED);
	if (!strcmp(text, NODE_EXPORT_SEALED))
		return true;
	for (const char *p = text; is_set && (p = strstr(p, NODE_EXPORT_SEALED));
	     p += ml)
		if ((p == text || p[-1] == '|') && (p[ml] == '|' || !p[ml]))
			return true;
	return false;
}

/* What an export writes for a value it could not read: {"sealed": true}
 * (and "unreadable": true), read back as NODE_EXPORT_SEALED. */
static bool json_sealed(const char **s, struct crdt_buf *out)
{
	const char *p = *s + 1;
	bool sealed = false;
	struct crdt_buf k;
	crdt_buf_init(&k);
	for (;;) {
		ws(&p);
		crdt_buf_reset(&k);
		if (!json_string(&p, &k))
			break;
		ws(&p);
		if (*p != ':')
			break;
		p++;
		ws(&p);
		if (strncmp(p, "true", 4) != 0)
			break;
		p += 4;
		if (k.len == 6 && !memcmp(k.data, "sealed", 6))
			sealed = true;
		ws(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p != '}' || !sealed)
			break;
		crdt_buf_fini(&k);
		*s = p + 1;
		crdt_buf_append(out, NODE_EXPORT_SEALED,
				strlen(NODE_EXPORT_SEALED));
		return true;
	}
	crdt_buf_fini(&k);
	return false;
}

/* A scalar as text: string, integer, null (""), a sealed value's marker,
 * into out. */
static bool json_scalar(const char **s, struct crdt_buf *out)
{
	if (**s == '{')
		return json_sealed(s, out);
	if (**s == '"')
		return json_string(s, out);
	if (!strncmp(*s, "null", 4)) {
		*s += 4;
		return true;
	}
	const char *st = *s;
	if (**s == '-')
		(*s)++;
	while (**s >= '0' && **s <= '9')
		(*s)++;
	if (*s == st || **s == '.' || **s == 'e' || **s == 'E')
		return false;
	crdt_buf_append(out, st, (size_t)(*s - st));
	return true;
}

/* Parses one line's object into r (names and texts; arrays joined by
 * '|'). False with r->why on malformed input. */
static bool json_row(const char *line, struct row *r)
{
	const char *s = line;
	struct crdt_buf b;
	crdt_buf_init(&b);
	r->n = 0;
	ws(&s);
	if (*s != '{')
		goto bad;
	s++;
	ws(&s);
	if (*s == '}')
		goto done;
	for (;;) {
		ws(&s);
		crdt_buf_reset(&b);
		if (!json_string(&s, &b))
			goto bad;
		crdt_buf_append(&b, "", 1);
		if (r->n >= MAX_COLS)
			goto bad;
		r->name[r->n] = (char *)crdt_buf_take(&b, &(size_t){0});
		r->text[r->n] = NULL;
		r->n++;
		ws(&s);
		if (*s != ':')
			goto bad;
		s++;
		ws(&s);
		if (*s == '[') {
			s++;
			ws(&s);
			bool first = true;
			while (*s != ']') {
				if (!first) {
					if (*s != ',')
						goto bad;
					s++;
					ws(&s);
					crdt_buf_append(&b, "|", 1);
				}
				if (!json_scalar(&s, &b))
					goto bad;
				ws(&s);
				first = false;
			}
			s++;
		} else if (!json_scalar(&s, &b)) {
			goto bad;
		}
		crdt_buf_append(&b, "", 1);
		r->text[r->n - 1] = (char *)crdt_buf_take(&b, &(size_t){0});
		ws(&s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '}')
			break;
		goto bad;
	}
done:
	crdt_buf_fini(&b);
	return true;
bad:
	crdt_buf_fini(&b);
	snprintf(r->why, sizeof(r->why),
		 "not a JSON object of field names and values");
	return false;
}

static void row_free(struct row *r, bool names)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->text[i]);
		if (names)
			free(r->name[i]);
		r->text[i] = NULL;
	}
	r->n = 0;
}

/* ---------------------------------------------------------------------- */
/* Ops of a row.                                                           */

struct prepared {
	bool create;
	char scope[13];
	uint8_t entity[16]; /* update: the record */
	/* the row's ops (ops.h), with their size estimate and storage */
	struct node_ops ops;
	bool unchanged;
	bool matched; /* no id: matched to entity (api_match.c) */
	struct node_doc *warnings;
};

struct import_ctx {
	struct node_ctx *n;
	const struct node_type *t;
	const struct node_member *me;
	const struct node_field *col_field[MAX_COLS];
	int id_col, scope_col;
	size_t n_cols;
	bool header_done;
	/* writing */
	struct node_txn *txn;
	size_t in_txn;
	uint64_t hlc;
	size_t entries;
	int64_t created, updated, unchanged, matched;
	char matched_by[64]; /* the keys rows matched by, ", "-joined */
	enum node_match_mode match;
	struct node_match_seen *seen; /* rows of this pass (api_match.h) */
	struct pending *pend[MAX_SCOPES];
	size_t n_pend;
};

/* A reference as typed: TYPE-hex, hex (prefix), or for a patient its
 * patient_no. */
static int import_ref(void *ctx, const struct node_field *f,
		      const char *text, uint8_t buf[16],
		      struct node_reason *why)
{
	struct import_ctx *c = ctx;
	const char *dash = strrchr(text, '-');
	const char *hex = dash ? dash + 1 : text;
	struct node_entity e;
	if (strlen(hex) == 32 && node_unhex(hex, buf, 16) == 0 &&
	    node_ledger_entity(c->n->ledger, buf, &e) == 0) {
		if (strcmp(e.type, f->ref_type) != 0) {
			NODE_REASON_LONG(why, MSG_NOT, f->name, text, e.type,
					 f->ref_type);
			return -EINVAL;
		}
		return 0;
	}
	if (!strcmp(f->ref_type, "patient")) {
		/* by patient_no */
		uint8_t k[NODE_LEDGER_KEY_MAX];
		bool cut;
		struct crdt_value pv = {.kind = CRDT_VALUE_STR,
					.p = (const uint8_t *)text,
					.len = strlen(text)};
		size_t kl = node_index_prefix(k, "patient", "patient_no");
		kl = node_index_append_value(k, kl, &pv, &cut);
		size_t found = 0;
		struct node_kv_iter *it = node_kv_iter_new(c->n->kv, k, kl);
		for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
			size_t len;
			const uint8_t *key = node_kv_iter_key(it, &len);
			if (len != kl + 16)
				continue;
			struct crdt_cell cell;
			bool retracted = false;
			if (node_ledger_cell(c->n->ledger, key + kl,
					     "retracted", &cell) == 0) {
				retracted = crdt_cell_shown(&cell) != NULL;
				crdt_cell_fini(&cell);
			}
			if (retracted)
				continue;
			if (!found)
				memcpy(buf, key + kl, 16);
			found++;
		}
		node_kv_iter_free(it);
		if (found == 1)
			return 0;
		if (found > 1) {
			NODE_REASON_LONG(why, MSG_PATIENT_NO_HELD_PATIENTS_SEE,
					 f->name, text, found);
			return -EINVAL;
		}
	}
	return node_api_ref(c->n, f, text, buf, why) ? -EINVAL : 0;
}

/* A row's shape problem (the reader's words) in the request's language. */
static void shape_why(struct node_ctx *n, const char *en, char *why,
		      size_t why_len)
{
	const char *zh = NULL;
	if (n->lang_zh && !strcmp(en, "a quoted cell is not closed"))
		zh = "引号括起的单元格没有结束引号";
	else if (n->lang_zh && !strncmp(en, "more than ", 10))
		zh = "列数超过了上限 " MAX_COLS_TEXT;
	else if (n->lang_zh && !strncmp(en, "not a JSON object", 17))
		zh = "这一行不是由字段名和值组成的 JSON 对象";
	snprintf(why, why_len, "%s", zh ? zh : en);
}

/* Rows of one file that are one record (the same id or match, or the
 * same key on creating rows): the second is an error. */
static int seen_row(struct import_ctx *c, struct prepared *p,
		    const struct node_match *m, size_t line, char *why,
		    size_t why_len)
{
	char self[80] = "", hex[33];
	if (!p->create) {
		node_hex(hex, p->entity, 16);
		snprintf(self, sizeof(self), "%.40s-%s", c->t->name, hex);
	}
	const char *keys[1 + NODE_MATCH_KEYS] = {self, m->keys[0], m->keys[1]};
	size_t first = 0;
	if (node_match_seen_check(c->seen, keys, 1 + NODE_MATCH_KEYS, line,
				  &first)) {
		snprintf(why, why_len, MSG(c->n, MSG_REG_SAME_RECORD_LINE),
			 first,
			 *self	       ? self
			 : *m->keys[0] ? m->keys[0]
				       : m->keys[1]);
		return -EINVAL;
	}
	return 0;
}

/* Builds the ops of one row into p. 0, or -EINVAL with why. */
static int prepare_row(struct import_ctx *c, struct row *r, struct prepared *p,
		       char *why, size_t why_len)
{
	struct node_ctx *n = c->n;
	const struct node_type *t = c->t;
	node_ops_clear(&p->ops);
	p->create = true;
	p->unchanged = false;
	p->matched = false;
	p->scope[0] = 0;
	p->warnings = NULL;
	memset(p->entity, 0, 16);
	if (r->bad_shape) {
		shape_why(c->n, r->why, why, why_len);
		return -EINVAL;
	}
	/* Map this row's columns (JSONL rows name their own). */
	const struct node_field *fields[MAX_COLS];
	int id_col = c->id_col, scope_col = c->scope_col;
	if (!c->header_done) {
		id_col = scope_col = -1;
		for (size_t i = 0; i < r->n; i++) {
			fields[i] = NULL;
			if (!strcmp(r->name[i], "id") ||
			    !strcmp(r->name[i], "编号"))
				id_col = (int)i;
			else if (!strcmp(r->name[i], "scope") ||
				 !strcmp(r->name[i], "辖区"))
				scope_col = (int)i;
			else if (!(fields[i] = node_schema_field(
				       t, r->name[i], strlen(r->name[i])))) {
				snprintf(why, why_len,
					 MSG(n, MSG_HAS_NO_FIELD),
					 t->name, r->name[i]);
				return -EINVAL;
			}
		}
	} else {
		if (r->n != c->n_cols) {
			snprintf(why, why_len,
				 MSG(n, MSG_CELLS_HEADER_HAS),
				 r->n, c->n_cols);
			return -EINVAL;
		}
		memcpy(fields, c->col_field, sizeof(fields));
	}
	const char *idtext =
	    id_col >= 0 && r->text[id_col] ? r->text[id_col] : "";
	const char *stext =
	    scope_col >= 0 && r->text[scope_col] ? r->text[scope_col] : "";
	struct node_entity e;
	struct node_match m = {0};
	if (!*idtext && node_match_find(n, t, c->me->scope, c->match, fields,
					r->text, r->n, &m, why, why_len) != 0)
		return -EINVAL;
	if (m.found) {
		/* The row is that record, in its home scope. */
		char norm[13], mid[80], hex[33];
		node_ledger_entity(n->ledger, m.id, &e);
		node_hex(hex, m.id, 16);
		snprintf(mid, sizeof(mid), "%.40s-%s", t->name, hex);
		if (*stext && (!crdt_scope_normalise(stext, norm) ||
			       strcmp(norm, e.scope) != 0)) {
			snprintf(why, why_len,
				 MSG(n, MSG_REG_MATCH_SCOPE_FIXED), stext, mid,
				 e.scope);
			return -EINVAL;
		}
		memcpy(p->entity, m.id, 16);
		p->create = false;
		p->matched = true;
		if (!strstr(c->matched_by, m.by))
			snprintf(c->matched_by + strlen(c->matched_by),
				 sizeof(c->matched_by) - strlen(c->matched_by),
				 "%s%s", *c->matched_by ? ", " : "", m.by);
		snprintf(p->scope, sizeof(p->scope), "%s", e.scope);
	} else if (*idtext) {
		struct node_reason rr;
		if (node_api_resolve(n, idtext, p->entity, &e, &rr) != 0) {
			node_api_reason(n, &rr, why, why_len);
			return -EINVAL;
		}
		if (strcmp(e.type, t->name) != 0 || !e.valid) {
			snprintf(why, why_len,
				 MSG(n, MSG_NOT_RECORD),
				 idtext,
				 e.valid
				     ? e.type
				     : MSG(n, MSG_WITHOUT_EFFECT),
				 t->name);
			return -EINVAL;
		}
		p->create = false;
		snprintf(p->scope, sizeof(p->scope), "%s", e.scope);
		char norm[13];
		if (*stext && (!crdt_scope_normalise(stext, norm) ||
			       strcmp(norm, e.scope) != 0)) {
			snprintf(why, why_len,
				 MSG(n, MSG_SCOPE_RECORD_S_SCOPE_FIXED),
				 stext, e.scope);
			return -EINVAL;
		}
	} else if (*stext) {
		if (!crdt_scope_normalise(stext, p->scope)) {
			snprintf(why, why_len,
				 MSG(n, MSG_SCOPE_NOT_REGION_CODE),
				 stext);
			return -EINVAL;
		}
	}
	if (p->create) {
		if (!node_schema_may_create(t, c->me->role)) {
			char roles[256];
			node_rules_roles(t->creators, n->lang_zh, roles,
					 sizeof(roles));
			snprintf(why, why_len,
				 MSG(n, MSG_REG_ROLE_MAY_NOT_CREATE),
				 node_role_name(c->me->role), t->name, roles);
			return -EINVAL;
		}
		node_ops_push(&p->ops, CRDT_OP_CREATE, NULL, t->name);
	}
	for (size_t i = 0; i < r->n; i++) {
		const struct node_field *f = fields[i];
		const char *text = r->text[i] ? r->text[i] : "";
		if (!f)
			continue;
		for (size_t k = 0; k < i; k++)
			if (fields[k] == f) {
				snprintf(why, why_len,
					 MSG(n, MSG_GIVEN_TWICE),
					 f->name);
				return -EINVAL;
			}
		/* An empty cell creates nothing; in a row matched without
		 * an id it leaves the field as stored (only a row with the
		 * id clears). */
		if ((p->create || p->matched) && !*text)
			continue;
		/* A value the exporting node could not read ("[sealed]", see
		 * value_text; {"sealed": true} in JSONL) is left as it is
		 * stored: a register, or a set holding one such element. */
		if (holds_sealed_marker(text, f->is_set))
			continue;
		/* plaintext, sealed fields opened (keyring.h) */
		struct crdt_cell cell;
		crdt_cell_init(&cell, f->is_set);
		if (!p->create &&
		    node_keyring_cell(n, p->entity, f->name, &cell) != 0)
			crdt_cell_init(&cell, f->is_set);
		size_t before = p->ops.n;
		struct node_ops_field in = {.entity = p->entity,
					    .f = f,
					    .text = text,
					    .how = NODE_OPS_ASSIGN,
					    .cell = &cell,
					    .only_changes = true,
					    .ref = import_ref,
					    .ref_ctx = c};
		struct node_reason fr;
		int rc = node_ops_field(&p->ops, &in, &fr);
		crdt_cell_fini(&cell);
		if (rc) {
			node_api_reason(n, &fr, why, why_len);
			return rc;
		}
		if (p->ops.n > before) {
			if (!node_schema_may_write(f, c->me->role)) {
				char roles[256];
				node_rules_roles(f->writers, n->lang_zh, roles,
						 sizeof(roles));
				snprintf(why, why_len,
					 MSG(n, MSG_REG_ROLE_MAY_NOT_WRITE),
					 node_role_name(c->me->role), t->name,
					 f->name, roles);
				return -EINVAL;
			}
			if (f->write_once && !p->create) {
				snprintf(why, why_len,
					 MSG(n, MSG_WRITE_ONCE_SET_ONLY_WHEN),
					 f->name);
				return -EINVAL;
			}
			if (p->create && t->patient_field &&
			    !strcmp(f->name, t->patient_field) &&
			    p->ops.ops[before].value.kind == CRDT_VALUE_BIN) {
				struct node_entity pe;
				if (node_ledger_entity(n->ledger,
						       p->ops.ops[before].value.p,
						       &pe) == 0) {
					if (*p->scope &&
					    strcmp(p->scope, pe.scope)) {
						snprintf(
						    why, why_len,
						    MSG(n, MSG_RECORDS_ABOUT_PATIENT_TAKE_PATIENT_2),
						    pe.scope, p->scope);
						return -EINVAL;
					}
					snprintf(p->scope, sizeof(p->scope),
						 "%s", pe.scope);
				}
			}
		}
	}
	/* A row that changes nothing writes nothing, whoever keeps it. */
	if (p->ops.n == 0) {
		p->unchanged = true;
		return seen_row(c, p, &m, r->line, why, why_len);
	}
	/* A township or village node's creating rows are its own. */
	if (!*p->scope && p->create && strlen(c->me->scope) >= 9)
		snprintf(p->scope, sizeof(p->scope), "%s", c->me->scope);
	if (!*p->scope) {
		const struct node_field *pf =
		    t->patient_field
			? node_schema_field(t, t->patient_field,
					    strlen(t->patient_field))
			: NULL;
		if (pf && pf->required)
			snprintf(why, why_len,
				 MSG(n, MSG_REG_ROW_NEEDS_PATIENT),
				 n->lang_zh ? t->label_zh : t->name);
		else
			snprintf(why, why_len,
				 MSG(n, MSG_SAY_WHERE_RECORD_BELONGS_SCOPE_2));
		return -EINVAL;
	}
	if (!crdt_scope_covers(c->me->scope, p->scope)) {
		if (p->create)
			snprintf(why, why_len,
				 MSG(n, MSG_SCOPE_OUTSIDE_NODE_S_JURISDICTION),
				 p->scope, c->me->scope);
		else
			snprintf(why, why_len,
				 MSG(n, MSG_REG_OUTSIDE_SCOPE_CHANGED),
				 p->scope, c->me->scope);
		return -EINVAL;
	}
	if (p->create) {
		for (size_t i = 0; i < t->n_fields; i++) {
			if (!t->fields[i].required)
				continue;
			bool have = false;
			for (size_t k = 1; k < p->ops.n && !have; k++)
				have = !strcmp(p->ops.ops[k].name,
					       t->fields[i].name);
			if (!have) {
				snprintf(
				    why, why_len,
				    MSG(n, MSG_NEEDS_2),
				    t->name, t->fields[i].name);
				return -EINVAL;
			}
		}
	}
	struct node_reason cr;
	if (node_check_write(n, t, p->create ? NULL : p->entity, p->ops.ops,
			     p->ops.n,
			     &p->warnings, &cr) != 0) {
		/* a row's reason, without the "refused, nothing written: "
		 * of a single write */
		cr.wrap = MSG_NONE;
		cr.n_args = cr.wrap_at;
		node_api_reason(n, &cr, why, why_len);
		return -EINVAL;
	}
	if (p->ops.bytes > CHUNK_BYTES || p->ops.n > CHUNK_OPS) {
		snprintf(why, why_len,
			 MSG(n, MSG_ROW_TOO_LARGE_ONE_ENTRY));
		return -EINVAL;
	}
	return seen_row(c, p, &m, r->line, why, why_len);
}

/* ---------------------------------------------------------------------- */
/* Packing rows into signed entries.                                       */

struct pending {
	char scope[13];
	uint64_t seq; /* of the next entry */
	uint8_t prev[32];
	struct node_ops ops; /* the rows placed, with their storage */
	int32_t link[CRDT_MAX_OPS]; /* index of the row's create, or -1 */
};

static struct pending *pending_for(struct import_ctx *c, const char *scope)
{
	for (size_t i = 0; i < c->n_pend; i++)
		if (!strcmp(c->pend[i]->scope, scope))
			return c->pend[i];
	if (c->n_pend == MAX_SCOPES)
		return NULL;
	struct pending *p = crdt_xcalloc(1, sizeof(*p));
	snprintf(p->scope, sizeof(p->scope), "%s", scope);
	/* The feed's head as committed, or as this import left it. */
	struct node_feed_head *heads;
	size_t nh;
	p->seq = 1;
	if (node_ledger_heads(c->n->ledger, &heads, &nh) == 0) {
		for (size_t i = 0; i < nh; i++)
			if (!memcmp(heads[i].author, c->n->pk, 32) &&
			    !strcmp(heads[i].scope, scope)) {
				p->seq = heads[i].seq + 1;
				memcpy(p->prev, heads[i].head, 32);
			}
		free(heads);
	}
	c->pend[c->n_pend++] = p;
	return p;
}

static int flush(struct import_ctx *c, struct pending *p,
		 struct node_reason *why)
{
	if (p->ops.n == 0)
		return 0;
	const struct node_roster *r = node_ledger_roster(c->n->ledger);
	struct crdt_entry e;
	memset(&e, 0, sizeof(e));
	memcpy(e.author, c->n->pk, 32);
	snprintf(e.scope, sizeof(e.scope), "%s", p->scope);
	e.seq = p->seq;
	memcpy(e.prev, p->prev, 32);
	uint64_t wall = wall_ms() << 16;
	c->hlc = c->hlc + 1 > wall ? c->hlc + 1 : wall;
	e.hlc = c->hlc;
	e.roster_version = r->version;
	e.n_ops = p->ops.n;
	e.ops = p->ops.ops;
	for (size_t i = 0; i < p->ops.n; i++)
		if (p->ops.ops[i].code == CRDT_OP_CREATE)
			crdt_entity_id(p->ops.ops[i].entity, c->n->pk, e.scope,
				       e.seq, (uint32_t)i);
		else if (p->link[i] >= 0)
			memcpy(p->ops.ops[i].entity, p->ops.ops[p->link[i]].entity, 16);
	/* H and ID values sealed (keyring.h): a key record may come first,
	 * renaming the creates. */
	struct node_sealed_ops so;
	if (node_keyring_seal(c->n, p->scope, e.seq, p->ops.ops, p->ops.n, &so,
			      why) != 0)
		return -EIO;
	e.ops = so.ops;
	e.n_ops = so.n;
	for (size_t i = 0; i < p->ops.n; i++)
		if (p->ops.ops[i].code == CRDT_OP_CREATE)
			memcpy(p->ops.ops[i].entity, so.created[i], 16);
	struct crdt_buf body, wire;
	crdt_buf_init(&body);
	crdt_buf_init(&wire);
	crdt_entry_encode_body(&body, &e);
	uint8_t sig[64];
	uint8_t nid[32];
	node_ledger_net_id(c->n->ledger, nid);
	crdt_entry_sign(sig, nid, body.data, body.len, c->n->sk);
	crdt_entry_encode_wire(&wire, body.data, body.len, sig);
	crdt_entry_hash(p->prev, body.data, body.len, sig);
	crdt_buf_fini(&body);
	node_sealed_ops_fini(&so);
	enum node_ingest res;
	enum node_msg iwhy = MSG_NONE;
	int rc =
	    node_txn_ingest(c->txn, wire.data, wire.len, true, &res, &iwhy);
	crdt_buf_fini(&wire);
	if (rc) {
		NODE_REASON_LONG(why, MSG_WRITING_FAILED_2,
				 NODE_REASON_ID(iwhy ? iwhy : MSG_ENTRY_MALFORMED));
		return -EIO;
	}
	p->seq++;
	node_ops_clear(&p->ops);
	c->entries++;
	if (++c->in_txn >= COMMIT_ENTRIES) {
		if (node_txn_commit(c->txn, false) != 0) {
			c->txn = NULL;
			NODE_REASON0(why, MSG_STORE_WRITE_FAILED);
			return -EIO;
		}
		c->txn = node_ledger_begin(c->n->ledger);
		c->in_txn = 0;
	}
	return 0;
}

/* Moves a prepared row into its scope's pending entry (flushing it first
 * when the row would not fit). */
static int place(struct import_ctx *c, struct prepared *row,
		 struct node_reason *why)
{
	struct pending *p = pending_for(c, row->scope);
	if (!p) {
		NODE_REASON(why, MSG_MORE_THAN_SCOPES_ONE_IMPORT, MAX_SCOPES);
		return -EIO; /* exit 6, as it always was */
	}
	if (p->ops.n + row->ops.n > CHUNK_OPS ||
	    p->ops.bytes + row->ops.bytes > CHUNK_BYTES) {
		int rc = flush(c, p, why);
		if (rc)
			return rc;
	}
	int32_t create_at = row->create ? (int32_t)p->ops.n : -1;
	for (size_t i = 0; i < row->ops.n; i++)
		p->link[p->ops.n + i] =
		    row->ops.ops[i].code == CRDT_OP_CREATE ? -1 : create_at;
	/* The row's ops, and the storage they borrow, now belong to the
	 * entry. */
	node_ops_adopt(&p->ops, &row->ops);
	return 0;
}

/* ---------------------------------------------------------------------- */
/* The handler.                                                            */

/* The file at path, whole: 0, or -EINVAL with *why (the import names a
 * file it cannot read: bad input, exit 2). */
static int read_file(const char *path, char **out, size_t *len,
		     struct node_reason *why)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		NODE_REASON_LONG(why, MSG_CANNOT_READ, path);
		return -EINVAL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0) {
		fclose(f);
		NODE_REASON_LONG(why, MSG_CANNOT_READ, path);
		return -EINVAL;
	}
	size_t n = (size_t)st.st_size;
	char *b = crdt_xmalloc(n + 1);
	if (fread(b, 1, n, f) != n) {
		fclose(f);
		free(b);
		NODE_REASON_LONG(why, MSG_CANNOT_READ, path);
		return -EINVAL;
	}
	fclose(f);
	b[n] = 0;
	*out = b;
	*len = n;
	return 0;
}

/* Iterates the file's rows: CSV after its header, or JSON lines. */
struct reader {
	bool jsonl;
	const char *p;
	size_t n, pos, line;
	struct row header;
};

static bool next_row(struct reader *rd, struct row *r)
{
	if (!rd->jsonl) {
		if (!csv_next(rd->p, rd->n, &rd->pos, &rd->line, r))
			return false;
		for (size_t i = 0; i < r->n && i < rd->header.n; i++)
			r->name[i] = rd->header.text[i];
		return true;
	}
	for (;;) {
		if (rd->pos >= rd->n)
			return false;
		const char *s = rd->p + rd->pos;
		const char *nl = memchr(s, '\n', rd->n - rd->pos);
		size_t len = nl ? (size_t)(nl - s) : rd->n - rd->pos;
		rd->pos += len + 1;
		r->line = rd->line++;
		bool blank = true;
		for (size_t i = 0; i < len && blank; i++)
			blank = s[i] == ' ' || s[i] == '\t' || s[i] == '\r';
		if (blank)
			continue;
		char *copy = crdt_xmalloc(len + 1);
		memcpy(copy, s, len);
		copy[len] = 0;
		r->bad_shape = !json_row(copy, r);
		free(copy);
		return true;
	}
}

static void reader_free_row(struct reader *rd, struct row *r)
{
	row_free(r, rd->jsonl);
}

int node_api_import_records(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	const char *path = node_doc_get_str(req, "path");
	const char *format = node_doc_get_str(req, "format");
	const char *tname = node_doc_get_str(req, "type");
	bool skip_bad = node_doc_get_bool(req, "skip_bad", false);
	bool dry_run = node_doc_get_bool(req, "dry_run", false);
	const struct node_roster *ros = node_ledger_roster(n->ledger);
	struct import_ctx c;
	memset(&c, 0, sizeof(c));
	c.n = n;
	c.t = tname ? node_schema_type_find(tname, strlen(tname)) : NULL;
	if (!ros) {
		NODE_REASON0(why, MSG_NODE_HAS_NOT_JOINED_NETWORK_2);
		return -ENOTCONN;
	}
	if (!dry_run && (rc = node_ctx_may_sign(n, why)) != 0)
		return rc;
	c.me = node_roster_find(ros, n->pk);
	if (!c.t || !c.me || !path) {
		if (!c.t)
			NODE_REASON0(why, MSG_GIVE_TYPE_TYPE_RECORD_TYPE);
		else
			NODE_REASON0(why, MSG_NODE_NOT_NETWORK_S_ROSTER);
		return -EINVAL;
	}
	if ((rc = node_match_mode_parse(n, c.t, node_doc_get_str(req, "match"),
					&c.match, why)) != 0)
		return rc;
	char *data;
	size_t len;
	if ((rc = read_file(path, &data, &len, why)) != 0)
		return rc;
	struct reader rd = {.jsonl = format && !strcmp(format, "jsonl"),
			    .p = data,
			    .n = len,
			    .line = 1};
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		rd.pos = 3; /* a BOM */
	if ((rc = check_utf8(path, (const uint8_t *)data + rd.pos, len - rd.pos,
			     why)) != 0) {
		free(data);
		return rc;
	}
	c.id_col = c.scope_col = -1;
	if (!rd.jsonl) {
		if (!csv_next(rd.p, rd.n, &rd.pos, &rd.line, &rd.header)) {
			free(data);
			NODE_REASON_LONG(why, MSG_EMPTY_NO_HEADER, path);
			return -EINVAL;
		}
		c.n_cols = rd.header.n;
		for (size_t i = 0; i < rd.header.n; i++) {
			char *h = rd.header.text[i];
			/* trim spaces around header names */
			while (*h == ' ')
				memmove(h, h + 1, strlen(h));
			for (size_t l = strlen(h); l && h[l - 1] == ' '; l--)
				h[l - 1] = 0;
			if (!strcmp(h, "id") || !strcmp(h, "编号"))
				c.id_col = (int)i;
			else if (!strcmp(h, "scope") || !strcmp(h, "辖区"))
				c.scope_col = (int)i;
			else if (!(c.col_field[i] =
				       node_schema_field(c.t, h, strlen(h)))) {
				NODE_REASON_LONG(
				    why, MSG_COLUMN_NO_FIELD_NOTHING_IMPORTED,
				    path, h, c.t->name);
				row_free(&rd.header, false);
				free(data);
				return -EINVAL;
			}
		}
		c.header_done = true;
	}
	size_t body_pos = rd.pos, body_line = rd.line;
	struct prepared *p = crdt_xcalloc(1, sizeof(*p));
	struct node_doc *bad = node_doc_array();
	struct node_doc *warnings = node_doc_array();
	size_t n_bad = 0, rows = 0;
	char rwhy[512];
	double t0 = mono_s(), last = t0;
	/* Pass 1: check every row. */
	c.seen = node_match_seen_new();
	struct row r;
	memset(&r, 0, sizeof(r));
	while (next_row(&rd, &r)) {
		rows++;
		if (prepare_row(&c, &r, p, rwhy, sizeof(rwhy)) != 0) {
			if (n_bad++ < MAX_BAD_LISTED)
				node_doc_push(bad,
					      node_doc_strf(MSG(n, MSG_LINE),
							    r.line, rwhy));
		} else if (p->warnings) {
			for (size_t i = 0; i < node_doc_len(p->warnings); i++)
				node_doc_push(
				    warnings,
				    node_doc_strf(
					MSG(n, MSG_LINE),
					r.line,
					node_doc_as_str(
					    node_doc_at(p->warnings, i),
					    NULL)));
			node_doc_free(p->warnings);
		}
		node_ops_clear(&p->ops);
		reader_free_row(&rd, &r);
		if (n->progress && mono_s() - last > 0.5) {
			last = mono_s();
			fprintf(stderr, "\rimport: checked %zu rows", rows);
		}
	}
	bool write = !dry_run && (n_bad == 0 || skip_bad);
	if (write) {
		c.txn = node_ledger_begin(n->ledger);
		struct node_feed_head *heads;
		size_t nh;
		if (node_ledger_heads(n->ledger, &heads, &nh) == 0) {
			for (size_t i = 0; i < nh; i++)
				if (!memcmp(heads[i].author, n->pk, 32) &&
				    heads[i].hlc > c.hlc)
					c.hlc = heads[i].hlc;
			free(heads);
		}
		rd.pos = body_pos;
		rd.line = body_line;
		node_match_seen_reset(c.seen);
		size_t done = 0;
		while (rc == 0 && next_row(&rd, &r)) {
			done++;
			if (prepare_row(&c, &r, p, rwhy, sizeof(rwhy)) != 0) {
				node_ops_clear(&p->ops);
				reader_free_row(&rd, &r);
				continue; /* listed in pass 1; skipped */
			}
			node_doc_free(p->warnings);
			c.matched += p->matched;
			if (p->unchanged) {
				c.unchanged++;
			} else {
				if (p->create)
					c.created++;
				else
					c.updated++;
				rc = place(&c, p, why);
			}
			node_ops_clear(&p->ops);
			reader_free_row(&rd, &r);
			if (n->progress && mono_s() - last > 0.5) {
				last = mono_s();
				fprintf(stderr,
					"\rimport: wrote %zu of %zu rows", done,
					rows);
			}
		}
		for (size_t i = 0; rc == 0 && i < c.n_pend; i++)
			rc = flush(&c, c.pend[i], why);
		if (rc == 0 && c.txn) {
			if (node_txn_commit(c.txn, true) != 0) {
				rc = -EIO;
				NODE_REASON0(why, MSG_STORE_WRITE_FAILED);
			}
		} else if (c.txn) {
			node_txn_abort(c.txn);
			node_keyring_forget_made(n);
		}
	}
	if (n->progress && mono_s() - t0 > 0.5)
		fprintf(stderr, "\n");
	for (size_t i = 0; i < c.n_pend; i++) {
		node_ops_fini(&c.pend[i]->ops);
		free(c.pend[i]);
	}
	node_ops_fini(&p->ops);
	free(p);
	node_match_seen_free(c.seen);
	row_free(&rd.header, false);
	free(data);
	if (rc) {
		node_doc_free(bad);
		node_doc_free(warnings);
		return -EIO; /* a write failed: exit 6 */
	}
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "type", node_doc_str(c.t->name));
	node_doc_set(d, "rows", node_doc_int((int64_t)rows));
	node_doc_set(d, "bad", bad);
	node_doc_set(d, "bad_count", node_doc_int((int64_t)n_bad));
	node_doc_set(d, "written", node_doc_bool(write));
	node_doc_set(d, "dry_run", node_doc_bool(dry_run));
	node_doc_set(d, "created", node_doc_int(c.created));
	node_doc_set(d, "updated", node_doc_int(c.updated));
	node_doc_set(d, "unchanged", node_doc_int(c.unchanged));
	node_doc_set(d, "matched", node_doc_int(c.matched));
	if (c.matched)
		node_doc_set(d, "matched_by", node_doc_str(c.matched_by));
	node_doc_set(d, "entries", node_doc_int((int64_t)c.entries));
	node_doc_set(d, "seconds", node_doc_strf("%.3f", mono_s() - t0));
	node_doc_set(d, "warnings", warnings);
	*out = d;
	return n_bad && !write ? NODE_API_INPUT_REFUSED : 0;
}

/* ---------------------------------------------------------------------- */
/* Export.                                                                 */

static void csv_cell(struct crdt_buf *b, const char *s, size_t len)
{
	bool quote = false;
	for (size_t i = 0; i < len && !quote; i++)
		quote =
		    s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		crdt_buf_append(b, s, len);
		return;
	}
	crdt_buf_append(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			crdt_buf_append(b, "\"", 1);
		crdt_buf_append(b, s + i, 1);
	}
	crdt_buf_append(b, "\"", 1);
}

/* A value as import reads it back; with labels an enumeration's code
 * as its Chinese label (import takes either). */
static void value_text(struct crdt_buf *b, const struct node_field *f,
		       const struct crdt_value *v, bool labels)
{
	char tmp[96];
	const char *label = NULL;
	switch (v->kind) {
	case CRDT_VALUE_STR:
		if (labels && f)
			label = node_schema_enum_label_zh(f, (const char *)v->p,
							  v->len);
		if (label)
			crdt_buf_append(b, label, strlen(label));
		else
			crdt_buf_append(b, v->p, v->len);
		break;
	case CRDT_VALUE_INT:
		snprintf(tmp, sizeof(tmp), "%lld", (long long)v->i);
		crdt_buf_append(b, tmp, strlen(tmp));
		break;
	case CRDT_VALUE_BIN: {
		if (crdt_seal_is_sealed(v->p, v->len)) {
			/* not this node's to read: never written as empty,
			 * which an import would take as clearing it */
			crdt_buf_append(b, NODE_EXPORT_SEALED,
					strlen(NODE_EXPORT_SEALED));
			break;
		}
		char hex[33];
		node_hex(hex, v->p, v->len < 16 ? v->len : 16);
		snprintf(tmp, sizeof(tmp), "%s-%s",
			 f && f->ref_type ? f->ref_type : "record", hex);
		crdt_buf_append(b, tmp, strlen(tmp));
		break;
	}
	default:
		break;
	}
}

int node_api_export_records(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why)
{
	const char *path = node_doc_get_str(req, "path");
	const char *format = node_doc_get_str(req, "format");
	const char *tname = node_doc_get_str(req, "type");
	const char *scope = node_doc_get_str(req, "scope");
	bool labels = node_doc_get_bool(req, "labels", false);
	bool jsonl = format && !strcmp(format, "jsonl");
	/* Spreadsheets read UTF-8 only after a BOM (Excel on Chinese
	 * Windows takes the file for GB18030 otherwise); import skips it. */
	bool bom = !jsonl && node_doc_get_bool(req, "bom", true);
	bool with_retracted = node_doc_get_bool(req, "retracted", false);
	/* Labels are for people: CSV only; JSON lines keep the codes. */
	labels = labels && !jsonl;
	int64_t left_out = 0;
	const struct node_type *t =
	    tname ? node_schema_type_find(tname, strlen(tname)) : NULL;
	char norm[13] = "";
	if (!t || !path) {
		NODE_REASON0(why, MSG_GIVE_TYPE_TYPE_RECORD_TYPE);
		return -EINVAL;
	}
	if (scope && *scope && !crdt_scope_normalise(scope, norm)) {
		NODE_REASON_LONG(why, MSG_SCOPE_NOT_REGION_CODE_3, scope);
		return -EINVAL;
	}
	/* The file holds identities: this user's alone, as the access
	 * log is; an existing file is truncated and made 0600 too. */
	FILE *f = node_export_file_open(path);
	if (!f) {
		NODE_REASON_LONG(why, MSG_CANNOT_WRITE, path);
		return -EIO;
	}
	struct crdt_buf b;
	crdt_buf_init(&b);
	if (bom)
		crdt_buf_append(&b, "\xef\xbb\xbf", 3);
	if (!jsonl) {
		crdt_buf_append(&b, "id,", 3);
		const char *sc = labels ? "辖区" : "scope";
		crdt_buf_append(&b, sc, strlen(sc));
		for (size_t i = 0; i < t->n_fields; i++) {
			const char *h =
			    labels ? t->fields[i].label_zh : t->fields[i].name;
			crdt_buf_append(&b, ",", 1);
			csv_cell(&b, h, strlen(h));
		}
		crdt_buf_append(&b, "\r\n", 2);
	}
	/* Records: by the scope index (prefix) or every one of the type. */
	uint8_t k[NODE_LEDGER_KEY_MAX];
	size_t kl = node_index_prefix(k, t->name, "scope");
	memcpy(k + kl, norm, strlen(norm));
	kl += strlen(norm);
	struct node_kv_iter *it = node_kv_iter_new(n->kv, k, kl);
	struct node_doc *conflicts = node_doc_array();
	size_t cap = 1024, cnt = 0;
	uint8_t(*ids)[16] = crdt_xmalloc(cap * 16);
	bool ok = true;
	struct crdt_buf v;
	crdt_buf_init(&v);
	for (; node_kv_iter_valid(it) && ok; node_kv_iter_next(it)) {
		size_t len;
		const uint8_t *key = node_kv_iter_key(it, &len);
		const uint8_t *id = key + len - 16;
		struct node_entity e;
		if (node_ledger_entity(n->ledger, id, &e) != 0 || !e.valid)
			continue;
		if (!with_retracted) {
			char rt[8];
			node_api_shown_text(n, id, "retracted", rt, sizeof(rt));
			if (!strcmp(rt, "yes")) {
				left_out++;
				continue;
			}
		}
		if (cnt == cap) {
			cap *= 2;
			ids = crdt_xrealloc(ids, cap * 16);
		}
		memcpy(ids[cnt++], id, 16);
		char idt[80], hex[33];
		node_hex(hex, id, 16);
		snprintf(idt, sizeof(idt), "%s-%s", t->name, hex);
		struct node_doc *o = jsonl ? node_doc_object() : NULL;
		if (jsonl) {
			node_doc_set(o, "id", node_doc_str(idt));
			node_doc_set(o, "scope", node_doc_str(e.scope));
		} else {
			crdt_buf_append(&b, idt, strlen(idt));
			crdt_buf_append(&b, ",", 1);
			crdt_buf_append(&b, e.scope, strlen(e.scope));
		}
		for (size_t i = 0; i < t->n_fields; i++) {
			const struct node_field *fl = &t->fields[i];
			struct crdt_cell cell;
			crdt_buf_reset(&v);
			struct node_doc *arr =
			    jsonl && fl->is_set ? node_doc_array() : NULL;
			struct node_doc *val = NULL;
			if (node_keyring_cell(n, id, fl->name, &cell) == 0) {
				if (fl->is_set) {
					for (size_t j = 0; j < cell.n_elems;
					     j++) {
						size_t at = v.len;
						if (j && !jsonl)
							crdt_buf_append(&v, "|",
									1);
						at = v.len;
						value_text(&v, fl,
							   &cell.elems[j].value,
							   labels);
						const struct crdt_value *ev =
						    &cell.elems[j].value;
						if (arr &&
						    ev->kind == CRDT_VALUE_BIN &&
						    crdt_seal_is_sealed(ev->p,
									ev->len))
							node_doc_push(
							    arr,
							    node_keyring_sealed_doc(
								false));
						else if (arr)
							node_doc_push(
							    arr,
							    node_doc_strn(
								(char *)v.data +
								    at,
								v.len - at));
					}
				} else {
					const struct crdt_version *s =
					    crdt_cell_shown(&cell);
					if (s &&
					    s->value.kind == CRDT_VALUE_INT &&
					    jsonl)
						val = node_doc_int(s->value.i);
					else if (s && jsonl &&
						 s->value.kind ==
						     CRDT_VALUE_BIN &&
						 crdt_seal_is_sealed(
						     s->value.p, s->value.len))
						val = node_keyring_sealed_doc(
						    false);
					else if (s)
						value_text(&v, fl, &s->value,
							   labels);
					if (cell.n_live > 1)
						node_doc_push(
						    conflicts,
						    node_doc_strf("%s %s", idt,
								  fl->name));
				}
				crdt_cell_fini(&cell);
			}
			if (jsonl) {
				if (arr && node_doc_len(arr))
					node_doc_set(o, fl->name, arr);
				else
					node_doc_free(arr);
				if (!val && !fl->is_set && v.len)
					val = node_doc_strn((char *)v.data,
							    v.len);
				if (val)
					node_doc_set(o, fl->name, val);
			} else {
				crdt_buf_append(&b, ",", 1);
				csv_cell(&b, (const char *)v.data, v.len);
			}
		}
		if (jsonl) {
			char *line = node_doc_to_json(o, false);
			crdt_buf_append(&b, line, strlen(line));
			crdt_buf_append(&b, "\n", 1);
			free(line);
			node_doc_free(o);
		} else {
			crdt_buf_append(&b, "\r\n", 2);
		}
		if (b.len > (1u << 20)) {
			ok = fwrite(b.data, 1, b.len, f) == b.len;
			crdt_buf_reset(&b);
		}
	}
	node_kv_iter_free(it);
	crdt_buf_fini(&v);
	if (b.len)
		ok &= fwrite(b.data, 1, b.len, f) == b.len;
	crdt_buf_fini(&b);
	ok &= fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok &= fclose(f) == 0;
	if (!ok) {
		free(ids);
		node_doc_free(conflicts);
		NODE_REASON_LONG(why, MSG_WRITING_FAILED, path);
		return -EIO;
	}
	char what[64];
	snprintf(what, sizeof(what), "%s scope %s", t->name,
		 *norm ? norm : "all");
	node_access_log(n, req, "export", what, (const uint8_t(*)[16])ids, cnt);
	free(ids);
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "path", node_doc_str(path));
	node_doc_set(d, "type", node_doc_str(t->name));
	node_doc_set(d, "records", node_doc_int((int64_t)cnt));
	node_doc_set(d, "retracted_left_out", node_doc_int(left_out));
	node_doc_set(d, "mode", node_doc_str("0600"));
	node_doc_set(d, "bom", node_doc_bool(bom));
	node_doc_set(d, "conflicts", conflicts);
	return (*out = d, 0);
}
