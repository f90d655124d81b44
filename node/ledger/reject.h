/*
 * reject.h: the message catalog's id for each reason crdt/ gives for
 * refusing bytes (enum crdt_reject). crdt/ shows no text; this is the one
 * table that turns its reasons into words.
 *
 * Layer node/ledger: includes crdt/ and node/catalog/.
 */
#ifndef WARD_NODE_LEDGER_REJECT_H
#define WARD_NODE_LEDGER_REJECT_H

#include "crdt/crdt.h"
#include "node/catalog/catalog.h"

/* MSG_ENTRY_MALFORMED for a value this build does not know. */
enum node_msg node_reject_msg(enum crdt_reject r);

#endif
