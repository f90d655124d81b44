/*
 * sealing: who reads a sealed field, as groups of roster members
 * (DESIGN.md section 8, DOMAIN.md section 5). A group is (reader roles,
 * home scope); its members under a roster version are the members whose
 * role is one of the roles, whose scope covers the home scope and who are
 * not revoked. A group key serves entries naming the version it was made
 * under, and later ones, until a later version changes the group's
 * members. Pure over rosters: the same answer on every node.
 */
#ifndef WARD_NODE_SEALING_H
#define WARD_NODE_SEALING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct node_roster;
struct node_member;

/* Whether m belongs to the group (roles, a NODE_ROLE_BIT mask; scope, a
 * record's home scope). A member with a revocation bound (last_seq) reads
 * nothing new: it is in no group. */
bool node_seal_member_in_group(const struct node_member *m, unsigned roles,
			       const char *scope);

/* Whether the group's members differ between rosters a and b (a member
 * added or removed, revoked, or its key, role or scope changed). */
bool node_seal_group_changed(const struct node_roster *a,
			     const struct node_roster *b, unsigned roles,
			     const char *scope);

/* The roster chain a node holds: chain[i] is version i + 1. */
struct node_seal_chain {
	const struct node_roster *const *v;
	size_t n;
};

/* The latest roster version <= v that changed the group (1 when none
 * after genesis did), in chain; 0 when v is not in it. */
uint64_t node_seal_group_since(const struct node_seal_chain *chain,
			       unsigned roles, const char *scope, uint64_t v);

/* Whether a key of the group made under version made serves an entry
 * naming version v: made <= v and no version in (made, v] changed the
 * group. */
bool node_seal_key_serves(const struct node_seal_chain *chain,
			  unsigned roles,
			  const char *scope, uint64_t made, uint64_t v);

/* The number of the group's members under r. */
size_t node_seal_group_size(const struct node_roster *r, unsigned roles,
			    const char *scope);

#endif
