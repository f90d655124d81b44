/*
 * node/api/doc.h: a small dynamic document tree (null, bool, int, str, bin,
 * array, object) for the local API between the `ward` CLI and the node.
 * Requests and responses travel as MessagePack; the CLI prints them as JSON.
 * Pure memory: no I/O except the JSON printer's FILE, no globals, no locks
 * (a document belongs to one thread at a time).
 *
 * Allocation failure aborts, like crdt_buf: documents are small and bounded
 * by the local API's frame size, so builders return pointers, not codes.
 */
#ifndef WARD_NODE_DOC_H
#define WARD_NODE_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct crdt_buf;

enum node_doc_kind {
	NODE_DOC_NULL,
	NODE_DOC_BOOL,
	NODE_DOC_INT,
	NODE_DOC_STR,
	NODE_DOC_BIN,
	NODE_DOC_ARRAY,
	NODE_DOC_OBJECT,
	NODE_DOC_DEC, /* a decimal: mantissa / 10^scale (rates, JSON numbers) */
};

/* Deepest nesting of arrays and objects node_doc_decode accepts (a lone
 * scalar is depth 0, [[]] is depth 2). */
#define NODE_DOC_MAX_DEPTH 64

struct node_doc;

#if defined(__GNUC__) || defined(__clang__)
#define NODE_DOC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define NODE_DOC_PRINTF(f, a)
#endif

/* Builders. Each returns an owned node; free it with node_doc_free or hand
 * it to node_doc_push / node_doc_set. */
struct node_doc *node_doc_null(void);
struct node_doc *node_doc_bool(bool v);
struct node_doc *node_doc_int(int64_t v);
/* Copies the NUL-terminated s (borrowed). */
struct node_doc *node_doc_str(const char *s);
/* Copies len bytes of s (borrowed; NULL allowed when len is 0). The bytes
 * may hold NULs and need not be UTF-8; the copy is NUL-terminated. */
struct node_doc *node_doc_strn(const char *s, size_t len);
/* A string from a printf format. An encoding error aborts. */
struct node_doc *node_doc_strf(const char *fmt, ...) NODE_DOC_PRINTF(1, 2);
/* A decimal mantissa / 10^scale (scale <= 18), printed in JSON as a number
 * with exactly scale fractional digits and carried in MessagePack as ext8
 * type 0x64 ('d'): scale (1 byte), mantissa (int64 big-endian). */
struct node_doc *node_doc_dec(int64_t mantissa, unsigned scale);
/* Copies len bytes of p (borrowed; NULL allowed when len is 0). */
struct node_doc *node_doc_bin(const uint8_t *p, size_t len);
/* Empty containers. */
struct node_doc *node_doc_array(void);
struct node_doc *node_doc_object(void);

/* Frees d and everything below it. NULL is a no-op. */
void node_doc_free(struct node_doc *d);

/* Appends item to the array arr. Takes item (which must not already belong
 * to a tree); returns arr for chaining. Asserts arr is an array. */
struct node_doc *node_doc_push(struct node_doc *arr, struct node_doc *item);
/* Sets key (borrowed, copied) to val in the object obj. Takes val. An
 * existing key keeps its position and its old value is freed; a new key is
 * appended, so keys stay in insertion order. Returns obj for chaining.
 * Asserts obj is an object. Lookup is linear: objects are small. */
struct node_doc *node_doc_set(struct node_doc *obj, const char *key,
			      struct node_doc *val);

/* Accessors. They borrow d; returned pointers live as long as the node.
 * node_doc_kind, _len, _at and _key_at assert d is not NULL; the others
 * accept NULL (treated as absent) so lookups can be chained. */
enum node_doc_kind node_doc_kind(const struct node_doc *d);
/* The value, or false / 0 when d is not a BOOL / INT. */
bool node_doc_as_bool(const struct node_doc *d);
int64_t node_doc_as_int(const struct node_doc *d);
/* A DEC's mantissa and scale; false when d is not a DEC. */
bool node_doc_as_dec(const struct node_doc *d, int64_t *mantissa,
		     unsigned *scale);
/* The NUL-terminated string and its length in *len, or NULL when d is not a
 * STR. With len NULL, a string holding a NUL byte also gives NULL, so a
 * caller reading it as a C string never sees just a prefix. */
const char *node_doc_as_str(const struct node_doc *d, size_t *len);
/* The bytes and *len, or NULL when d is not a BIN (an empty BIN gives a
 * non-NULL pointer and *len 0). len must not be NULL. */
const uint8_t *node_doc_as_bin(const struct node_doc *d, size_t *len);
/* Number of items of an array or members of an object; 0 otherwise. */
size_t node_doc_len(const struct node_doc *d);
/* Item i of an array or value of member i of an object (borrowed). Asserts
 * i < node_doc_len(d). */
struct node_doc *node_doc_at(const struct node_doc *d, size_t i);
/* Key of member i of an object. Asserts d is an object and i is in range. */
const char *node_doc_key_at(const struct node_doc *d, size_t i);
/* The value under key (borrowed), or NULL when absent or obj is not an
 * object. */
struct node_doc *node_doc_get(const struct node_doc *obj, const char *key);
/* The string under key, or NULL unless it is a STR without NUL bytes. */
const char *node_doc_get_str(const struct node_doc *obj, const char *key);
/* The integer / bool under key, or dflt unless it is an INT / BOOL. */
int64_t node_doc_get_int(const struct node_doc *obj, const char *key,
			 int64_t dflt);
bool node_doc_get_bool(const struct node_doc *obj, const char *key, bool dflt);

/* Deep equality: same kinds and values; objects compare as sets of members
 * (key order ignored, quadratic in their size). Either may be NULL. */
bool node_doc_equal(const struct node_doc *a, const struct node_doc *b);

/* Appends d as MessagePack to out: nil, bool, ints in their shortest form,
 * str, bin, arrays, objects as maps with str keys in insertion order. */
void node_doc_encode(const struct node_doc *d, struct crdt_buf *out);
/* Decodes exactly one value filling all of p[0..len) (borrowed) and
 * returns 0 with an owned tree in *out, or -EBADMSG (nothing written) when
 * the bytes are malformed, truncated or followed by more bytes, nest deeper
 * than NODE_DOC_MAX_DEPTH, or hold a float, ext, an integer outside int64,
 * a map key that is not a str, a key holding a NUL byte, or a duplicate
 * key. Any header form is accepted (not only the shortest); strings are not
 * UTF-8 checked (the JSON printer repairs them). Counts are checked against
 * the bytes left and containers grow as items arrive, so memory stays
 * within a small constant times len whatever the headers claim. */
int node_doc_decode(const uint8_t *p, size_t len, struct node_doc **out);

/* Writes d as JSON (RFC 8259) to f, without a trailing newline. Strings and
 * keys: '"' and '\\' escaped, \b \f \n \r \t as such, other C0 controls,
 * DEL and C1 controls (U+0080..U+009F, terminal escapes) as \u00XX, other
 * UTF-8 passed through, each maximal invalid UTF-8 subsequence replaced by
 * U+FFFD. A BIN prints as a string of lowercase hex. Object keys in
 * insertion order. pretty: one item per line, two-space indentation,
 * "key": value; else compact with no spaces. Write errors are left for the
 * caller to see with ferror(f). */
void node_doc_print_json(FILE *f, const struct node_doc *d, bool pretty);
/* The same JSON as a NUL-terminated string; returns owned (free()). */
char *node_doc_to_json(const struct node_doc *d, bool pretty);

#endif
