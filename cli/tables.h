/*
 * tables.h: the human tables of the query commands (list, due,
 * joint-missing, report, duplicates, access-log), in Chinese when the
 * locale says zh and English otherwise, fitted to 80 columns by display
 * width (a CJK character takes two).
 */
#ifndef WARD_CLI_TABLES_H
#define WARD_CLI_TABLES_H

#include <stdbool.h>
#include <stddef.h>

#include "node/api/doc.h"
#include "node/catalog/catalog.h"

/* Whether human output is Chinese: the first of LC_ALL, LC_MESSAGES, LANG
 * that is set and non-empty starts with "zh". No locale need be installed. */
bool cli_zh(void);
/* A message of the catalog in the reader's language. */
#define TM(id) MSGZ(cli_zh(), id)
/* Display columns of the UTF-8 text s[0..len). */
size_t cli_width(const char *s, size_t len);
/* Prints s (NULL: "-") in exactly w display columns: cut with "…" or
 * padded with spaces, right-aligned when right; no padding after the last
 * column of a line. */
void cli_cell(const char *s, size_t w, bool right, bool last);
/* Prints the answer r of request cmd as a table and returns true, or
 * returns false for a command it does not handle. */
bool cli_print_table(const char *cmd, const struct node_doc *r);

/* The first line of a record as show prints it: "ID  (type, scope S)",
 * the type's label under zh. */
void cli_print_record_head(const struct node_doc *r);
/* "  NAME" padded to 22 columns and a space: the field's Chinese label
 * under zh. */
void cli_print_field_name(const char *type, const char *field);
/* An enum code of type's field as its Chinese label under zh (else, or
 * when unknown, code itself). */
const char *cli_code_label(const char *type, const char *field,
			   const char *code);
/* A record type's Chinese label under zh, else the type. */
const char *cli_type_label(const char *type);
/* A role code ("health") as its Chinese label under zh, else itself. */
const char *cli_role_label(const char *role);
/* A field's Chinese label under zh, else its name. */
const char *cli_field_label(const char *type, const char *field);
/* The fields of record document x as "name=value ..." into line (len
 * bytes), labels and enum values in Chinese under zh, references as 8 hex,
 * leaving out retracted, retract_reason and the names in skip (NULL-
 * terminated, or NULL). */
void cli_fields_text(const struct node_doc *x, const char *const *skip,
		     char *line, size_t len);
/* Prints an audit's failures and findings, a line each (ward audit verify,
 * online or offline). */
void cli_print_audit_lines(const struct node_doc *r);
/* Prints the "related" part of a patient's show answer (NULL: nothing). */
void cli_print_related(const struct node_doc *related);

#endif
