/*
 * sealing.c: groups of readers over roster versions (sealing.h).
 *
 * Rosters are small (tens of members), and a version's comparison with the
 * one before is a quadratic walk over both; group_since walks versions down
 * from v. Both are cheap next to the signature check of the entry whose
 * op asks.
 */
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"
#include "node/ledger/sealing.h"

bool node_seal_member_in_group(const struct node_member *m, unsigned roles,
			       const char *scope)
{
	return (unsigned)m->role < NODE_ROLE_COUNT &&
	       (roles & NODE_ROLE_BIT(m->role)) != 0 && m->n_revoked == 0 &&
	       crdt_scope_covers(m->scope, scope);
}

/* Whether every group member of a is a group member of b, with the same
 * key. */
static bool group_within(const struct node_roster *a,
			 const struct node_roster *b, unsigned roles,
			 const char *scope)
{
	for (size_t i = 0; i < a->n_members; i++) {
		const struct node_member *m = &a->members[i];
		if (!node_seal_member_in_group(m, roles, scope))
			continue;
		const struct node_member *o = node_roster_find(b, m->key);
		if (!o || !node_seal_member_in_group(o, roles, scope))
			return false;
	}
	return true;
}

bool node_seal_group_changed(const struct node_roster *a,
			     const struct node_roster *b, unsigned roles,
			     const char *scope)
{
	return !group_within(a, b, roles, scope) ||
	       !group_within(b, a, roles, scope);
}

uint64_t node_seal_group_since(const struct node_seal_chain *chain,
			       unsigned roles, const char *scope, uint64_t v)
{
	if (v == 0 || v > chain->n)
		return 0;
	const struct node_roster *cur = chain->v[v - 1];
	for (; v > 1; v--) {
		const struct node_roster *prev = chain->v[v - 2];
		if (node_seal_group_changed(prev, cur, roles, scope))
			return v;
		cur = prev;
	}
	return 1;
}

bool node_seal_key_serves(const struct node_seal_chain *chain,
			  unsigned roles, const char *scope, uint64_t made,
			  uint64_t v)
{
	if (made == 0 || made > v)
		return false;
	uint64_t since = node_seal_group_since(chain, roles, scope, v);
	return since != 0 && since <= made;
}

size_t node_seal_group_size(const struct node_roster *r, unsigned roles,
			    const char *scope)
{
	size_t n = 0;
	for (size_t i = 0; i < r->n_members; i++)
		if (node_seal_member_in_group(&r->members[i], roles, scope))
			n++;
	return n;
}
