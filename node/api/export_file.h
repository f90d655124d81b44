/*
 * export_file.h: files of records written for people (node layer): CSV
 * and JSON-lines registers and entry exports hold identities, so they are
 * this user's alone (DOMAIN.md section 5), as the access log is.
 */
#ifndef WARD_NODE_EXPORT_FILE_H
#define WARD_NODE_EXPORT_FILE_H

#include <stdio.h>

/* Opens path for writing: created 0600, or truncated and made 0600 when
 * it existed. NULL with errno on failure. */
FILE *node_export_file_open(const char *path);

#endif
