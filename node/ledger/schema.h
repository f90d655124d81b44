/*
 * schema: ward's record schema as data (DOMAIN.md sections 1 and 2). One
 * table lists every record type with its Chinese label, the roles that may
 * create it and its fields; each field names its kind, its allowed values,
 * its sensitivity and the roles that may write it. Value checks and the
 * parsing of what an operator typed are driven by that table alone. Pure:
 * no I/O, no globals beyond the constant table, safe from any thread.
 */
#ifndef WARD_NODE_SCHEMA_H
#define WARD_NODE_SCHEMA_H

#include "node/catalog/catalog.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crdt/crdt.h"

/* The version checkpoints and rosters name (DESIGN.md section 3). Bump it
 * whenever a change to the table could change a validity verdict. */
#define NODE_SCHEMA_VERSION 2
/* The first schema version whose H and ID fields are sealed (DESIGN.md
 * section 8): entries naming an older one keep their plaintext verdicts. */
#define NODE_SCHEMA_SEALED 2

/* ---------------------------------------------------------------------- */
/* Roles (DOMAIN.md section 1).                                            */

enum node_role {
	NODE_ROLE_HEALTH,
	NODE_ROLE_TOWNSHIP,
	NODE_ROLE_POLICE,
	NODE_ROLE_CIVIL,
	NODE_ROLE_DISABLED,
	NODE_ROLE_LEGAL,
	NODE_ROLE_AUDITOR,
	NODE_ROLE_COUNT
};

#define NODE_ROLE_BIT(r) (1u << (r))

/* Parses a role code ("health", "township", "police", "civil", "disabled",
 * "legal", "auditor"), exactly, from s[0..len) (borrowed, need not be
 * NUL-terminated). Codes only, never labels: a signed roster has one
 * spelling per role. Returns 0 and writes *out, or -EINVAL (nothing
 * written). */
int node_role_parse(const char *s, size_t len, enum node_role *out);
/* The role's code, a static string; "?" for a value outside the enum. */
const char *node_role_name(enum node_role r);
/* The role's Chinese label, a static string; "?" outside the enum. */
const char *node_role_label_zh(enum node_role r);

/* ---------------------------------------------------------------------- */
/* The table.                                                              */

enum node_field_kind {
	NODE_FIELD_TEXT,      /* str: non-empty UTF-8, no control characters
				 but tab and newline */
	NODE_FIELD_DATE,      /* str YYYY-MM-DD, a real date, years 1900-2100 */
	NODE_FIELD_ENUM,      /* str: one of enums[] (yes/no is {yes, no}) */
	NODE_FIELD_INT,	      /* int in [min, max], in the field's unit */
	NODE_FIELD_REF,	      /* bin(16): entity id of a record of ref_type */
	NODE_FIELD_ID_NUMBER, /* str: 18-character resident ID (GB 11643) */
	NODE_FIELD_MED_LINE,  /* str: one medication line in canonical form */
	NODE_FIELD_SCOPE,     /* str: canonical region code (a transfer's
				 to_scope) */
	/* ward's own key records (DESIGN.md section 8): */
	NODE_FIELD_ROLES,     /* str: distinct role codes in byte order,
				 joined by ',' ("auditor,health") */
	NODE_FIELD_KEY_ID,    /* bin(16): a group key's id */
	NODE_FIELD_ENVELOPE,  /* bin: [recipient: bin(32), box: bin(80)] */
};

/* Sensitivity tags. DOMAIN.md marks H and ID fields; the rest (R, F, and H
 * on clinical detail DOMAIN.md leaves unmarked) is ward's reading. */
#define NODE_SENS_CLINICAL 'H'
#define NODE_SENS_IDENTIFIER 'I'
#define NODE_SENS_RISK 'R'
#define NODE_SENS_FINANCE 'F'

struct node_field {
	const char *name;     /* English snake_case: JSON keys, op fields */
	const char *label_zh; /* Chinese label for display and input */
	enum node_field_kind kind;
	bool is_set; /* an add-wins OR-set of such values; else a register */
	/* ENUM: NULL-terminated codes, and their Chinese labels in the same
	 * order (same length). NULL for other kinds. */
	const char *const *enums;
	const char *const *enum_labels_zh;
	int64_t min, max;     /* INT range, inclusive; max INT64_MAX: none */
	const char *unit;     /* INT unit ("0.1kg", "mmHg", "yuan", "days")
				 or NULL */
	const char *ref_type; /* REF: type name of the referenced record */
	char sensitivity;     /* a NODE_SENS_* tag, or 0 */
	unsigned writers;     /* NODE_ROLE_BIT mask of roles that may write */
	unsigned writers_v1;  /* schema version 1's mask where it differs
				 (a follow-up's clinical fields), else 0 */
	bool write_once;      /* valid only in the entry that creates the
				 record (references) */
	bool indexed;	      /* worth a secondary index */
	bool required;	      /* must be given in the create entry */
};

struct node_type {
	const char *name;
	const char *label_zh;
	unsigned creators; /* NODE_ROLE_BIT mask */
	const struct node_field *fields;
	size_t n_fields;
	/* "patient" when records of this type are about one patient (the
	 * field holding the reference), else NULL; NULL for the patient type
	 * itself. An incident's reference is optional and may be nil. */
	const char *patient_field;
	/* ward's own type (the key record): found by node_schema_type only,
	 * never by what an operator types, never listed, from schema version
	 * NODE_SCHEMA_SEALED on. */
	bool internal;
};

/* Lookup of a type by its name, exactly, name[0..len) (borrowed, need not
 * be NUL-terminated): what a create op names. Returns a pointer into the
 * static table, valid forever, or NULL when unknown. */
const struct node_type *node_schema_type(const char *name, size_t len);
/* The same for what an operator typed: the name or the Chinese label. */
const struct node_type *node_schema_type_find(const char *text, size_t len);
/* The i-th type in table order (i < node_schema_type_count()), or NULL. */
const struct node_type *node_schema_type_at(size_t i);
/* The number of types in the table. */
size_t node_schema_type_count(void);
/* A field of t (from this table) by its name or, failing that, its Chinese
 * label, name[0..len) borrowed. Returns a pointer into the static table, or
 * NULL when unknown (the patient's read-only "scope" is no field). An op
 * names a field by its name only: validity checks compare f->name with the
 * op's bytes. Every type
 * has the fields "retracted" (ENUM {yes}) and "retract_reason" (TEXT),
 * writable by the type's creators. */
const struct node_field *node_schema_field(const struct node_type *t,
					   const char *name, size_t len);

/* ---------------------------------------------------------------------- */
/* Values.                                                                 */

/* Checks a decoded value against field f: its kind, enum membership, date
 * validity (leap years included), int range, a 16-byte bin for a
 * reference, the ID number's check digit, the medication line's canonical
 * form, a canonical region code. nil is allowed for a register field (it
 * clears) and rejected as a set element; an empty str is never a value.
 * Returns 0, or -EINVAL with a reason in why (why_len bytes of the caller's
 * storage, always NUL-terminated; why may be NULL) naming the field, the
 * value and what is allowed, e.g. "sex: 'm' is not one of male, female".
 * The reason quotes the value: show it to the operator, never log it.
 * Write-once and permission rules are not checked here. */
int node_schema_check(const struct node_field *f, const struct crdt_value *v,
		      char *why, size_t why_len);
/* The same with the reason in Chinese when zh (the field, the value and
 * every code stay as they are typed; an enum's codes are listed with their
 * labels). Reasons that reach stored findings use node_schema_check. */
int node_schema_check_lang(const struct node_field *f,
			   const struct crdt_value *v, bool zh, char *why,
			   size_t why_len);

/* The same with the reason as a catalog reason (node/catalog/catalog.h),
 * which renders in any language later: node_schema_reason_text. The
 * ledger stores findings this way. */
struct node_reason;
int node_schema_check_reason(const struct node_field *f,
			     const struct crdt_value *v,
			     struct node_reason *why);
/* A reason made by this module (or any reason) as text in lang: fields'
 * allowed values are rendered in that language. */
char *node_schema_reason_text(const struct node_reason *r,
			      enum node_lang lang, char *out, size_t len);

/* Parses what an operator typed for field f (text, a NUL-terminated string,
 * borrowed) into *v. Surrounding whitespace is trimmed; an empty input is
 * nil (clears) for a register field and an error for a set. Strings and
 * references are written into buf (the caller's storage, buf_len bytes;
 * CRDT_MAX_STR_BYTES always suffices) and v->p points into buf, so *v lives
 * as long as buf. Accepted forms:
 *   TEXT       the text as typed
 *   DATE       YYYY-MM-DD only
 *   INT        a decimal integer, in the field's unit
 *   ENUM       a code exactly, or its Chinese label
 *   REF        "TYPE-<32 hex>" (TYPE must be ref_type) or "<32 hex>"; the
 *              resolution of shorter prefixes is the caller's job
 *   ID_NUMBER  18 characters; a trailing x is uppercased
 *   MED_LINE   normalised: spaces around ';' (or a full-width '；') trimmed,
 *              numbers without leading zeros or trailing fractional zeros,
 *              "LAI" in any case as "lai"
 *   SCOPE      a region code, padded forms (120000) normalised (12)
 * then checked as node_schema_check does. Returns 0 and writes *v, or
 * -EINVAL with a reason in why as for node_schema_check (*v untouched, buf
 * possibly scribbled). */
int node_schema_parse(const struct node_field *f, const char *text,
		      struct crdt_value *v, uint8_t *buf, size_t buf_len,
		      char *why, size_t why_len);
/* node_schema_parse with the reason in Chinese when zh, as
 * node_schema_check_lang; and with a catalog reason. */
int node_schema_parse_reason(const struct node_field *f, const char *text,
			     struct crdt_value *v, uint8_t *buf,
			     size_t buf_len, struct node_reason *why);
int node_schema_parse_lang(const struct node_field *f, const char *text,
			   struct crdt_value *v, uint8_t *buf, size_t buf_len,
			   bool zh, char *why, size_t why_len);

/* Whether role r may create records of type t. False for the auditor and
 * for any value outside the enum. */
bool node_schema_may_create(const struct node_type *t, enum node_role r);
/* Whether role r may write field f (in the create entry for write-once
 * fields, which the caller enforces). False for the auditor. Under this
 * build's schema version; _at under schema version sv. */
bool node_schema_may_write(const struct node_field *f, enum node_role r);
bool node_schema_may_write_at(const struct node_field *f, enum node_role r,
			      uint64_t sv);

/* ---------------------------------------------------------------------- */
/* Sealing (DESIGN.md section 8, DOMAIN.md section 5).                     */

/* Whether f's values are sealed under schema version sv: its class is H
 * or ID and sv >= NODE_SCHEMA_SEALED. */
bool node_schema_sealed(const struct node_field *f, uint64_t sv);
/* The roles that read sealed field f (a NODE_ROLE_BIT mask): every role
 * for ID; health, the auditor and f's writers for H. 0 when f is not of a
 * sealed class. Who among them reads is limited by scope: see the ledger's
 * groups (node/ledger/sealing.h). */
unsigned node_schema_readers(const struct node_field *f);
/* The roles of mask as a key record's roles value: distinct codes in byte
 * order joined by ','. Writes at most len bytes, NUL-terminated, and
 * returns the length; 0 for an empty mask. 64 bytes always suffice. */
size_t node_schema_roles_text(unsigned mask, char *out, size_t len);
/* Parses a roles value, s[0..len) borrowed, in exactly that canonical
 * form. Returns 0 and the mask, or -EINVAL. */
int node_schema_roles_parse(const char *s, size_t len, unsigned *mask);

/* The Chinese label of the enum code s[0..len) (borrowed) of field f: a
 * static string, or NULL when f is no ENUM or the code is not one of its
 * codes (callers then show the code as it is). */
const char *node_schema_enum_label_zh(const struct node_field *f,
				      const char *code, size_t len);

/* The Chinese label of an INT field's unit code ("days": 天), or the code
 * itself when it has none. */
const char *node_schema_unit_label_zh(const char *unit);

/* Whether s[0..len) is a date in ward's form: YYYY-MM-DD, a real calendar
 * date (Gregorian leap years), year 1900-2100. */
bool node_schema_date_valid(const char *s, size_t len);

/* Whether s[0..len) is an 18-character resident ID number (GB 11643-1999):
 * 17 digits and a check character ('0'-'9' or uppercase 'X') equal to
 * "10X98765432"[sum(digit[i] * weight[i]) mod 11] with weights
 * 7,9,10,5,8,4,2,1,6,3,7,9,10,5,8,4,2, and digits 7-14 a valid date. */
bool node_schema_id_number_valid(const char *s, size_t len);

#endif
