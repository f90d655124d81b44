/*
 * report_tables.h: the parts of `ward report`'s answer beyond the rates:
 * the breakdown by area or month, the patients behind a gap, where the
 * page was written (report_tables.c).
 */
#ifndef WARD_CLI_REPORT_TABLES_H
#define WARD_CLI_REPORT_TABLES_H

#include "node/api/doc.h"

/* Prints them when r (a report answer) has them; nothing otherwise. */
void cli_print_report_parts(const struct node_doc *r);

#endif
