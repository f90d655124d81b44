/*
 * crdt: ward's pure data layer. Canonical MessagePack (a bounded cursor
 * decoder and a packer), values, dots, ops, signed entries, the hybrid
 * logical clock, the multi-value register and add-wins OR-set cells, and the
 * LtHash state digest. No I/O, no clock reads, no globals, no logging: time
 * is passed in, bytes are handed over. See DESIGN.md sections 3 and 4.
 */
#ifndef WARD_CRDT_H
#define WARD_CRDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits of DESIGN.md section 3. */
#define CRDT_MAX_BODY_BYTES (64u * 1024u)
#define CRDT_MAX_OPS 1000u
#define CRDT_MAX_STR_BYTES 4096u
#define CRDT_MAX_DOTS 64u
#define CRDT_KEY_BYTES 32u
#define CRDT_SIG_BYTES 64u
#define CRDT_HASH_BYTES 32u
#define CRDT_ENTITY_BYTES 16u
#define CRDT_MAX_SCOPE_BYTES 12u

/* ---------------------------------------------------------------------- */
/* The one allocator wrapper (alloc.c).                                    */
/*                                                                         */
/* Out of memory is not a caller's error: these print "ward: out of       */
/* memory" to stderr and abort() (docs/architecture.md, "Out of memory"). */
/* A size of 0 allocates 1 byte, so the result is never NULL.             */
/* ---------------------------------------------------------------------- */
_Noreturn void crdt_oom(void);
void *crdt_xmalloc(size_t n);
void *crdt_xcalloc(size_t n, size_t size);
void *crdt_xrealloc(void *p, size_t n);
/* realloc to n * size, aborting (crdt_oom) when the product overflows. */
void *crdt_xreallocarray(void *p, size_t n, size_t size);
char *crdt_xstrdup(const char *s);

/* ---------------------------------------------------------------------- */
/* Bounded MessagePack cursor (mp.c).                                      */
/*                                                                         */
/* Reads from borrowed bytes; never allocates. Every read checks the bytes */
/* left before anything else and, in canonical mode, rejects any form that */
/* is not the shortest. All readers return 0 or -EBADMSG and advance the   */
/* cursor only on success.                                                  */

enum crdt_mp_type {
	CRDT_MP_NIL,
	CRDT_MP_BOOL,
	CRDT_MP_UINT,
	CRDT_MP_INT, /* negative */
	CRDT_MP_STR,
	CRDT_MP_BIN,
	CRDT_MP_ARRAY,
	CRDT_MP_MAP,
	CRDT_MP_OTHER, /* float, ext, never-used byte */
};

struct crdt_mp_cursor {
	const uint8_t *p;
	const uint8_t *end;
	bool canonical; /* reject non-shortest forms, maps and invalid UTF-8 */
};

void crdt_mp_cursor_init(struct crdt_mp_cursor *c, const uint8_t *buf,
			 size_t len, bool canonical);
size_t crdt_mp_left(const struct crdt_mp_cursor *c);
/* Type of the next value; -EBADMSG at the end of input. */
int crdt_mp_peek(const struct crdt_mp_cursor *c, enum crdt_mp_type *out);
int crdt_mp_read_nil(struct crdt_mp_cursor *c);
int crdt_mp_read_bool(struct crdt_mp_cursor *c, bool *out);
int crdt_mp_read_uint(struct crdt_mp_cursor *c, uint64_t *out);
/* Any integer that fits int64 (positive or negative forms). */
int crdt_mp_read_int(struct crdt_mp_cursor *c, int64_t *out);
/* str: pointer into the buffer, UTF-8 checked in canonical mode. */
int crdt_mp_read_str(struct crdt_mp_cursor *c, const char **s, size_t *len);
int crdt_mp_read_bin(struct crdt_mp_cursor *c, const uint8_t **b, size_t *len);
/* A bin of exactly len bytes. */
int crdt_mp_read_bin_fixed(struct crdt_mp_cursor *c, uint8_t *out, size_t len);
/* Array header; n is checked against the bytes left (each item >= 1). */
int crdt_mp_read_array(struct crdt_mp_cursor *c, size_t *n);
/* Map header (non-canonical mode only); n pairs, checked against the bytes left. */
int crdt_mp_read_map(struct crdt_mp_cursor *c, size_t *n);
/* Skips one whole value, depth-limited. */
int crdt_mp_skip(struct crdt_mp_cursor *c);

bool crdt_utf8_valid(const uint8_t *s, size_t len);

/* A growable byte buffer with a msgpack-c packer behind it (pack.c). The
 * pack functions emit the canonical (shortest) form. Allocation failure
 * aborts: buffers here are small and bounded by the limits above. */
struct crdt_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

void crdt_buf_init(struct crdt_buf *b);
void crdt_buf_fini(struct crdt_buf *b);
void crdt_buf_reset(struct crdt_buf *b);
void crdt_buf_append(struct crdt_buf *b, const void *p, size_t len);
/* Returns the bytes (owned by the caller) and re-initialises b. */
uint8_t *crdt_buf_take(struct crdt_buf *b, size_t *len);
void crdt_pack_nil(struct crdt_buf *b);
void crdt_pack_bool(struct crdt_buf *b, bool v);
void crdt_pack_uint(struct crdt_buf *b, uint64_t v);
void crdt_pack_int(struct crdt_buf *b, int64_t v);
void crdt_pack_str(struct crdt_buf *b, const char *s, size_t len);
void crdt_pack_cstr(struct crdt_buf *b, const char *s);
void crdt_pack_bin(struct crdt_buf *b, const uint8_t *p, size_t len);
void crdt_pack_array(struct crdt_buf *b, size_t n);
void crdt_pack_map(struct crdt_buf *b, size_t n);

/* ---------------------------------------------------------------------- */
/* Values and dots (value.c).                                              */

enum crdt_value_kind {
	CRDT_VALUE_NIL,
	CRDT_VALUE_BOOL,
	CRDT_VALUE_INT,
	CRDT_VALUE_STR,
	CRDT_VALUE_BIN,
};

/* A value or set element. For STR and BIN, p/len borrow from whoever made
 * the value (a decoded buffer or a cell that owns its bytes). */
struct crdt_value {
	enum crdt_value_kind kind;
	bool b;
	int64_t i;
	const uint8_t *p;
	size_t len;
};

struct crdt_dot {
	uint8_t author[CRDT_KEY_BYTES];
	uint64_t seq;
	uint32_t index;
};

int crdt_value_decode(struct crdt_mp_cursor *c, struct crdt_value *out);
void crdt_value_encode(struct crdt_buf *b, const struct crdt_value *v);
bool crdt_value_equal(const struct crdt_value *a, const struct crdt_value *b);
int crdt_dot_decode(struct crdt_mp_cursor *c, struct crdt_dot *out);
void crdt_dot_encode(struct crdt_buf *b, const struct crdt_dot *d);
/* Orders by encoded bytes (the order the digest sorts by). */
int crdt_dot_cmp_encoded(const struct crdt_dot *a, const struct crdt_dot *b);
bool crdt_dot_equal(const struct crdt_dot *a, const struct crdt_dot *b);

/* ---------------------------------------------------------------------- */
/* Ops and entries (op.c, entry.c).                                        */

enum crdt_op_code {
	CRDT_OP_CREATE = 0,
	CRDT_OP_SET = 1,
	CRDT_OP_ADD = 2,
	CRDT_OP_REMOVE = 3,
};

/* A decoded op; every pointer borrows from the entry body. */
struct crdt_op {
	enum crdt_op_code code;
	uint8_t entity[CRDT_ENTITY_BYTES];
	const char *name; /* type (create) or field (others) */
	size_t name_len;
	struct crdt_value value; /* set value or set element */
	size_t n_dots;           /* pred (set) or observed (remove) */
	struct crdt_dot *dots;   /* storage given to the decoder */
};

struct crdt_entry {
	uint8_t author[CRDT_KEY_BYTES];
	char scope[CRDT_MAX_SCOPE_BYTES + 1];
	uint64_t seq;
	uint8_t prev[CRDT_HASH_BYTES];
	uint64_t hlc;
	uint64_t roster_version;
	size_t n_ops;
	struct crdt_op *ops;   /* owned; crdt_entry_fini frees it */
	struct crdt_dot *dots; /* owned pool the ops' dots point into */
	/* The exact signed bytes. */
	const uint8_t *body;
	size_t body_len;
	uint8_t sig[CRDT_SIG_BYTES];
	uint8_t hash[CRDT_HASH_BYTES];
};

/* True when scope is 2..12 ASCII digits with no trailing zero pair that
 * normalisation would drop (the canonical form). */
bool crdt_scope_valid(const char *s, size_t len);
/* Normalises a region code as typed (padded forms such as 120000 become
 * 12) into out (13 bytes). False when it is no region code. */
bool crdt_scope_normalise(const char *in, char out[13]);
/* Scope a covers b when a is a prefix of b. */
bool crdt_scope_covers(const char *a, const char *b);

/* Decodes one op; its dots are written to dots (room for dots_cap). */
int crdt_op_decode(struct crdt_mp_cursor *c, struct crdt_op *out,
		   struct crdt_dot *dots, size_t dots_cap);
void crdt_op_encode(struct crdt_buf *b, const struct crdt_op *op);

/* Why crdt_entry_decode refused bytes. crdt/ shows no text: node/ledger
 * maps each value to a message catalog id (node/ledger/reject.c), and a
 * new value needs its line there. */
enum crdt_reject {
	CRDT_REJECT_NONE,       /* not refused */
	CRDT_REJECT_MALFORMED,  /* malformed, no more precise reason */
	CRDT_REJECT_NOT_PAIR,   /* not a 2-array [body: bin, sig: bin(64)] */
	CRDT_REJECT_TRAILING_ENTRY, /* bytes after the [body, sig] value */
	CRDT_REJECT_BODY_TOO_LARGE, /* body over CRDT_MAX_BODY_BYTES */
	CRDT_REJECT_BODY_ARITY, /* body is not an array of 8 */
	CRDT_REJECT_VERSION,    /* entry format version other than 1 */
	CRDT_REJECT_AUTHOR,     /* author is not a 32-byte bin */
	CRDT_REJECT_SCOPE,      /* scope is not a valid scope string */
	CRDT_REJECT_SEQ,        /* seq missing or 0 */
	CRDT_REJECT_PREV,       /* prev is not a 32-byte bin */
	CRDT_REJECT_HLC,        /* hlc or roster version is not a uint */
	CRDT_REJECT_OPS,        /* ops is not an array of at most CRDT_MAX_OPS */
	CRDT_REJECT_OP,         /* an op does not decode */
	CRDT_REJECT_CREATE_ID,  /* a create's entity id is not from its dot */
	CRDT_REJECT_TRAILING_BODY, /* bytes after the body's 8 items */
	CRDT_REJECT_COUNT
};

/* Decodes the wire form [body: bin, sig: bin(64)]: structure, canonical
 * encoding and limits only (no signature check). On success *out borrows
 * wire for body and op strings; call crdt_entry_fini. -EBADMSG with the
 * reason in *why (when why is not NULL) when malformed. */
int crdt_entry_decode(const uint8_t *wire, size_t len, struct crdt_entry *out,
		      enum crdt_reject *why);
void crdt_entry_fini(struct crdt_entry *e);
/* Encodes a body from e's header fields and ops into b. */
void crdt_entry_encode_body(struct crdt_buf *b, const struct crdt_entry *e);
/* Encodes the wire form of body + sig. */
void crdt_entry_encode_wire(struct crdt_buf *b, const uint8_t *body,
			    size_t body_len, const uint8_t sig[CRDT_SIG_BYTES]);
void crdt_entry_sign(uint8_t sig[CRDT_SIG_BYTES],
		     const uint8_t net_id[CRDT_HASH_BYTES], const uint8_t *body,
		     size_t body_len, const uint8_t *secret_key);
bool crdt_entry_verify(const uint8_t sig[CRDT_SIG_BYTES],
		       const uint8_t net_id[CRDT_HASH_BYTES],
		       const uint8_t *body, size_t body_len,
		       const uint8_t author[CRDT_KEY_BYTES]);
void crdt_entry_hash(uint8_t out[CRDT_HASH_BYTES], const uint8_t *body,
		     size_t body_len, const uint8_t sig[CRDT_SIG_BYTES]);
/* Entity id of the create op at (author, scope, seq, index). */
void crdt_entity_id(uint8_t out[CRDT_ENTITY_BYTES],
		    const uint8_t author[CRDT_KEY_BYTES], const char *scope,
		    uint64_t seq, uint32_t index);

/* ---------------------------------------------------------------------- */
/* Hybrid logical clock (hlc.c). hlc = ms << 16 | counter.                 */

#define CRDT_HLC_MAX_SKEW_MS 60000u

struct crdt_hlc {
	uint64_t last;
};

/* Next local timestamp, strictly greater than every value issued or
 * observed. Returns 0 and writes *out, or -EAGAIN when the wall clock is
 * so far behind that the counter space is exhausted and the caller should
 * wait (never reuse a value). */
int crdt_hlc_next(struct crdt_hlc *h, uint64_t wall_ms, uint64_t *out);
/* Observes a remote hlc: advances to at most wall + 60 s. Returns true when
 * the remote was ahead of that bound (skew to log and count). */
bool crdt_hlc_observe(struct crdt_hlc *h, uint64_t remote, uint64_t wall_ms);
uint64_t crdt_hlc_ms(uint64_t hlc);
/* The RFC 3339 UTC time of an hlc's milliseconds, "2026-12-05T23:30:01.123Z",
 * into out (32 bytes). */
void crdt_hlc_rfc3339(char out[32], uint64_t hlc);

/* ---------------------------------------------------------------------- */
/* LtHash state digest (lthash.c).                                         */

#define CRDT_LTHASH_LANES 1024u

struct crdt_lthash {
	uint16_t lane[CRDT_LTHASH_LANES];
};

void crdt_lthash_init(struct crdt_lthash *h);
/* Adds or subtracts one element given by its canonical encoding. */
void crdt_lthash_add(struct crdt_lthash *h, const uint8_t *elem, size_t len);
void crdt_lthash_sub(struct crdt_lthash *h, const uint8_t *elem, size_t len);
void crdt_lthash_digest(const struct crdt_lthash *h,
			uint8_t out[CRDT_HASH_BYTES]);
void crdt_lthash_encode(const struct crdt_lthash *h, uint8_t out[2048]);
void crdt_lthash_decode(struct crdt_lthash *h, const uint8_t in[2048]);

/* Digest elements (section 3). */
void crdt_elem_create(struct crdt_buf *b, const uint8_t entity[16],
		      const char *type, size_t type_len);

/* ---------------------------------------------------------------------- */
/* Field cells: one per (entity, field) (cell.c).                          */
/*                                                                         */
/* A register cell holds the live versions and the dots named by preds     */
/* that have not arrived (dead on arrival). A set cell holds each element   */
/* with its live add tags and the tags named by removes not yet arrived.   */
/* Cells own their bytes. Applying an op updates the cell and the digest   */
/* (subtracting the elements it replaces and adding the new ones).         */

struct crdt_version {
	struct crdt_dot dot;
	uint64_t hlc;
	struct crdt_value value; /* owned by the cell */
};

struct crdt_elem {
	struct crdt_value value; /* owned */
	size_t n_tags;
	struct crdt_dot *tags; /* sorted by encoded bytes */
};

struct crdt_cell {
	bool is_set;
	size_t n_live;
	struct crdt_version *live; /* register: sorted by (hlc, author, seq, index) */
	size_t n_elems;
	struct crdt_elem *elems; /* set: sorted by encoded element bytes */
	size_t n_dead;
	struct crdt_dot *dead; /* sorted by encoded bytes */
};

void crdt_cell_init(struct crdt_cell *c, bool is_set);
void crdt_cell_fini(struct crdt_cell *c);
/* Cell storage form (ward's own, not a contract). -EBADMSG if corrupt. */
int crdt_cell_decode(struct crdt_cell *c, const uint8_t *buf, size_t len);
void crdt_cell_encode(struct crdt_buf *b, const struct crdt_cell *c);
bool crdt_cell_empty(const struct crdt_cell *c);

/* Register set: dot/hlc/value of the op, preds it supersedes. */
void crdt_cell_set(struct crdt_cell *c, const uint8_t entity[16],
		   const char *field, size_t field_len,
		   const struct crdt_dot *dot, uint64_t hlc,
		   const struct crdt_value *value, const struct crdt_dot *preds,
		   size_t n_preds, struct crdt_lthash *h);
void crdt_cell_add(struct crdt_cell *c, const uint8_t entity[16],
		   const char *field, size_t field_len,
		   const struct crdt_dot *dot, const struct crdt_value *elem,
		   struct crdt_lthash *h);
void crdt_cell_remove(struct crdt_cell *c, const uint8_t entity[16],
		      const char *field, size_t field_len,
		      const struct crdt_value *elem,
		      const struct crdt_dot *observed, size_t n_observed,
		      struct crdt_lthash *h);
/* Drops from the dead list every dot that settled(ctx, dot) says can never
 * arrive again (its op was applied or judged). Such a dot can supersede
 * nothing more, and dropping it keeps the list to what is still in flight,
 * so a field written a thousand times does not carry a thousand
 * tombstones. The caller decides settledness (crdt/ knows no feeds). */
typedef bool (*crdt_dot_settled_fn)(void *ctx, const struct crdt_dot *dot);
void crdt_cell_prune_dead(struct crdt_cell *c, crdt_dot_settled_fn settled,
			  void *ctx);
/* Shown version of a register: greatest (hlc, author, seq, index), or NULL. */
const struct crdt_version *crdt_cell_shown(const struct crdt_cell *c);
/* Element lookup in a set cell; NULL when absent. */
const struct crdt_elem *crdt_cell_find(const struct crdt_cell *c,
				       const struct crdt_value *elem);

#endif
