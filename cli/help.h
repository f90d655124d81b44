/*
 * help.h: help for record types (help.c), from the schema table.
 */
#ifndef WARD_CLI_HELP_H
#define WARD_CLI_HELP_H

struct node_type;
/* A type by its code or Chinese label, or NULL. */
const struct node_type *cli_help_find_type(const char *text);
/* Prints a type's fields: labels, values, writers, flags. */
void cli_help_type(const struct node_type *t);
/* Prints the list of record types. */
void cli_help_types(void);

#endif
