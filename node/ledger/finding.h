/*
 * finding.h: how the ledger stores a reason (node/catalog/catalog.h): the
 * findings of ops stored without effect, why a record's create has none,
 * an entry's fault carried by its waiting ops. Shown with
 * node_schema_reason_text in the reader's language.
 */
#ifndef WARD_NODE_FINDING_H
#define WARD_NODE_FINDING_H

#include <stddef.h>
#include <stdint.h>

#include "node/catalog/catalog.h"

struct crdt_buf;
void node_finding_encode(const struct node_reason *r, struct crdt_buf *b);
/* Reads a stored reason into *r. A value in no reason's form (a store from
 * before reasons were codes) reads as MSG_F_TEXT with the text. 0, or
 * -EBADMSG for a reason whose arguments are malformed. */
int node_finding_decode(const uint8_t *p, size_t len, struct node_reason *r);

#endif
