/*
 * testnode.h: an in-memory store with a ledger joined to a test roster,
 * for the unit tests of the ledger, the queries and the proofs. Header-
 * only; include after cmocka.h and the node headers.
 */
#ifndef WARD_TESTS_TESTNODE_H
#define WARD_TESTS_TESTNODE_H

#include <stdio.h>

static inline void test_node_open(struct node_kv **kv, struct node_ledger **l,
				  const uint8_t *roster, size_t roster_len)
{
	struct node_reason why;
	char text[512];
	*kv = node_kv_new_mem();
	assert_non_null(*kv);
	assert_int_equal(node_ledger_open(*kv, l), 0);
	int rc = node_ledger_set_roster(*l, roster, roster_len, &why);
	if (rc)
		fprintf(stderr, "set_roster: %s\n",
			node_reason_text(&why, NODE_LANG_EN, text, sizeof(text)));
	assert_int_equal(rc, 0);
}

static inline void test_node_close(struct node_kv *kv, struct node_ledger *l)
{
	node_ledger_close(l);
	node_kv_close(kv);
}

#endif
