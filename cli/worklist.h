/*
 * worklist.h: the work lists an operator prints and works from (`due`,
 * `joint-missing`, `list`, `show --timeline`): one table model, shown on
 * a terminal fitted to its width (only when stdout is a terminal; a pipe
 * or a file gets every column whole) or written as CSV for printing
 * (`--csv FILE`: UTF-8 with a BOM, so spreadsheets on Chinese Windows read
 * it, mode 0600, since rows hold names and phones). Headers and values are
 * Chinese under a zh locale, as the tables are.
 */
#ifndef WARD_CLI_WORKLIST_H
#define WARD_CLI_WORKLIST_H

#include <stdbool.h>

#include "node/api/doc.h"

/* Prints the answer r of cmd ("due", "joint_missing", "list") as a table
 * and returns true, or returns false for another command. */
bool cli_worklist_print(const char *cmd, const struct node_doc *r);
/* Whether cmd's answer can be written with --csv FILE. */
bool cli_worklist_has_csv(const char *cmd);
/* Writes the table of cmd's answer r to path as CSV (after a UTF-8 BOM
 * when bom) and says so on stdout. Returns 0, or 6 with a message on
 * stderr. */
int cli_worklist_csv(const char *cmd, const struct node_doc *r,
		     const char *path, bool bom);
/* Prints the "timeline" of a show answer (NULL: nothing). */
void cli_print_timeline(const struct node_doc *timeline);

#endif
