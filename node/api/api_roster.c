/*
 * api_roster.c: `ward roster ...` (issue 10): proposals for the next
 * roster version made from words (add FILE.pub, remove NODE, set NODE
 * k=v, revoke NODE [--from SCOPE:SEQ], admins add|remove NODE, threshold
 * K, schema V), signed by admins, listed, and the chain shown, logged and
 * exported. The ledger (node/ledger/proposal.h) checks and merges them;
 * wardd gossips them. A NODE is named by its name, its key in hex, or a
 * unique hex prefix of its key.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/api/api.h"
#include "node/api/node_int.h"
#include "node/ledger/proofs.h"
#include "node/ledger/proposal.h"


static char *dupstr(const char *s)
{
	size_t n = strlen(s);
	char *p = crdt_xmalloc(n + 1);
	memcpy(p, s, n + 1);
	return p;
}

/* The member of r a NODE word names: its name, its key in hex, or a
 * unique hex prefix of its key. NULL with *ambiguous when several. */
static struct node_member *find_node(struct node_roster *r, const char *word,
				     bool *ambiguous)
{
	struct node_member *found = NULL;
	*ambiguous = false;
	for (size_t i = 0; i < r->n_members; i++)
		if (!strcmp(r->members[i].name, word)) {
			if (found)
				*ambiguous = true;
			found = &r->members[i];
		}
	if (found)
		return *ambiguous ? NULL : found;
	size_t wl = strlen(word);
	if (wl < 4 || wl > 64)
		return NULL;
	for (size_t i = 0; i < wl; i++)
		if (!strchr("0123456789abcdef", word[i]))
			return NULL;
	for (size_t i = 0; i < r->n_members; i++) {
		char hex[65];
		node_hex(hex, r->members[i].key, 32);
		if (!strncmp(hex, word, wl)) {
			if (found)
				*ambiguous = true;
			found = &r->members[i];
		}
	}
	return *ambiguous ? NULL : found;
}

static const char *name_of(const struct node_ledger *l, const uint8_t key[32],
			   char hex[17])
{
	/* Newest first: a member keeps its name across versions. */
	const struct node_roster *cur = node_ledger_roster(l);
	for (uint64_t v = cur ? cur->version : 0; v >= 1; v--) {
		const struct node_member *m =
		    node_roster_find(node_ledger_roster_at(l, v), key);
		if (m)
			return m->name;
	}
	node_hex(hex, key, 8);
	return hex;
}

static int admin_index(const struct node_roster *r, const uint8_t key[32])
{
	for (size_t i = 0; i < r->n_admins; i++)
		if (!memcmp(r->admins[i], key, 32))
			return (int)i;
	return -1;
}

static void remove_admin(struct node_roster *r, int i)
{
	memmove(r->admins[i], r->admins[i + 1],
		((size_t)r->n_admins - (size_t)i - 1) * 32);
	r->n_admins--;
}

static void add_admin(struct node_roster *r, const uint8_t key[32])
{
	uint8_t(*a)[32] = crdt_xrealloc(r->admins, (r->n_admins + 1) * 32);
	r->admins = a;
	memcpy(r->admins[r->n_admins++], key, 32);
}

static void set_revocation(struct node_member *m, const char *scope,
			   uint64_t seq)
{
	for (size_t i = 0; i < m->n_revoked; i++)
		if (!strcmp(m->revoked[i].scope, scope)) {
			m->revoked[i].seq = seq;
			return;
		}
	struct node_revocation *v =
	    crdt_xrealloc(m->revoked, (m->n_revoked + 1) * sizeof(*v));
	m->revoked = v;
	snprintf(m->revoked[m->n_revoked].scope, 13, "%s", scope);
	m->revoked[m->n_revoked].seq = seq;
	m->n_revoked++;
}

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static int read_text_file(const char *path, char **out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	char *buf = crdt_xmalloc(64 * 1024 + 1);
	size_t n = fread(buf, 1, 64 * 1024, f);
	bool big = !feof(f);
	fclose(f);
	if (big) {
		free(buf);
		return -1;
	}
	buf[n] = 0;
	*out = buf;
	return 0;
}

/*
 * Applies the change words w[*i..] (one change, moving *i past it) to r.
 * 0, or -errno with *why.
 */
static int apply_change(struct node_ctx *n, struct node_roster *r,
			const char *const *w, size_t nw, size_t *i,
			struct node_reason *why)
{
	int rc = 0;
	const char *verb = w[*i];
	bool amb;
	struct node_member *m = NULL;
	(*i)++;
#define ARG(k) ((*i) + (k) < nw ? w[(*i) + (k)] : NULL)
#define NODE_ARG(word)                                                         \
	do {                                                                   \
		if (!(word))                                                   \
			FAIL0(-EINVAL, MSG_ROSTER_USAGE_PROPOSE);              \
		m = find_node(r, (word), &amb);                                \
		if (!m && amb)                                                 \
			FAIL(-ENOENT, MSG_ROSTER_AMBIGUOUS_NODE, (word));      \
		if (!m)                                                        \
			FAIL(-ENOENT, MSG_ROSTER_NO_SUCH_NODE, (word));        \
	} while (0)
	if (!strcmp(verb, "add")) {
		const char *path = ARG(0);
		if (!path)
			FAIL0(-EINVAL, MSG_ROSTER_USAGE_PROPOSE);
		(*i)++;
		struct node_member nm;
		if ((rc = node_read_pub(path, &nm, why)) != 0)
			return rc;
		const struct node_member *old = node_roster_find(r, nm.key);
		if (old) {
			NODE_REASON_LONG(why, MSG_ROSTER_ALREADY_MEMBER,
					 nm.name, old->name);
			node_member_fini(&nm);
			return -EINVAL;
		}
		struct node_member *v =
		    crdt_xrealloc(r->members, (r->n_members + 1) * sizeof(*v));
		r->members = v;
		r->members[r->n_members++] = nm;
		return 0;
	}
	if (!strcmp(verb, "remove")) {
		NODE_ARG(ARG(0));
		(*i)++;
		if (admin_index(r, m->key) >= 0)
			FAIL(-EINVAL, MSG_ROSTER_REMOVE_ADMIN_FIRST, m->name,
			     m->name);
		size_t k = (size_t)(m - r->members);
		node_member_fini(m);
		memmove(&r->members[k], &r->members[k + 1],
			(r->n_members - k - 1) * sizeof(*m));
		r->n_members--;
		return 0;
	}
	if (!strcmp(verb, "set")) {
		NODE_ARG(ARG(0));
		const char *kv = ARG(1);
		if (!kv || !strchr(kv, '='))
			FAIL(-EINVAL, MSG_ROSTER_BAD_SET, kv ? kv : "");
		*i += 2;
		const char *val = strchr(kv, '=') + 1;
		size_t klen = (size_t)(val - 1 - kv);
		if (klen == 7 && !strncmp(kv, "address", 7)) {
			free(m->address);
			m->address = dupstr(val);
		} else if (klen == 4 && !strncmp(kv, "role", 4)) {
			if (node_role_parse(val, strlen(val), &m->role) != 0)
				FAIL(-EINVAL, MSG_ROSTER_BAD_ROLE, val);
		} else if (klen == 5 && !strncmp(kv, "scope", 5)) {
			char sc[13];
			if (!crdt_scope_normalise(val, sc))
				FAIL(-EINVAL, MSG_ROSTER_BAD_SCOPE, val);
			memcpy(m->scope, sc, sizeof(sc));
		} else if (klen == 4 && !strncmp(kv, "cert", 4)) {
			char *pem, cwhy[160];
			if (read_text_file(val, &pem) != 0)
				FAIL(-EINVAL, MSG_ROSTER_CANNOT_READ_CERT, val);
			char *old = m->cert_pem;
			m->cert_pem = pem;
			if (node_member_cert_check(m, cwhy, sizeof(cwhy)) !=
			    0) {
				m->cert_pem = old;
				free(pem);
				FAIL(-EINVAL, MSG_ROSTER_CERT_REFUSED, val,
				     cwhy);
			}
			free(old);
		} else if (klen == 3 && !strncmp(kv, "key", 3)) {
			/* A new key comes with the certificate naming it. */
			struct node_member nm;
			if ((rc = node_read_pub(val, &nm, why)) != 0)
				return rc;
			if (node_roster_find(r, nm.key)) {
				node_member_fini(&nm);
				FAIL(-EINVAL, MSG_ROSTER_KEY_TAKEN, val);
			}
			int a = admin_index(r, m->key);
			if (a >= 0)
				memcpy(r->admins[a], nm.key, 32);
			memcpy(m->key, nm.key, 32);
			free(m->cert_pem);
			m->cert_pem = nm.cert_pem;
			nm.cert_pem = NULL;
			/* A fresh key starts fresh feeds: no bound. */
			free(m->revoked);
			m->revoked = NULL;
			m->n_revoked = 0;
			node_member_fini(&nm);
		} else {
			FAIL(-EINVAL, MSG_ROSTER_BAD_SET, kv);
		}
		return 0;
	}
	if (!strcmp(verb, "revoke")) {
		NODE_ARG(ARG(0));
		(*i)++;
		bool any = false;
		for (;;) {
			const char *flag = ARG(0);
			if (!flag || strcmp(flag, "--from") != 0)
				break;
			const char *v = ARG(1);
			const char *colon = v ? strchr(v, ':') : NULL;
			char sc[13], scope_in[32];
			uint64_t seq;
			if (!colon || (size_t)(colon - v) >= sizeof(scope_in))
				FAIL(-EINVAL, MSG_ROSTER_BAD_FROM, v ? v : "");
			memcpy(scope_in, v, (size_t)(colon - v));
			scope_in[colon - v] = 0;
			if (!crdt_scope_normalise(scope_in, sc) ||
			    parse_u64(colon + 1, &seq) != 0)
				FAIL(-EINVAL, MSG_ROSTER_BAD_FROM, v);
			set_revocation(m, sc, seq);
			*i += 2;
			any = true;
		}
		if (!any) {
			/* Its current heads: every feed this node holds. */
			struct node_feed_head *h;
			size_t nh;
			if (node_ledger_heads(n->ledger, &h, &nh) != 0)
				nh = 0, h = NULL;
			for (size_t k = 0; k < nh; k++)
				if (!memcmp(h[k].author, m->key, 32)) {
					set_revocation(m, h[k].scope, h[k].seq);
					any = true;
				}
			free(h);
			if (!any)
				FAIL(-EINVAL, MSG_ROSTER_NO_HEADS, m->name);
		}
		return 0;
	}
	if (!strcmp(verb, "admins")) {
		const char *sub = ARG(0);
		if (!sub || (strcmp(sub, "add") && strcmp(sub, "remove")))
			FAIL0(-EINVAL, MSG_ROSTER_USAGE_PROPOSE);
		NODE_ARG(ARG(1));
		*i += 2;
		int a = admin_index(r, m->key);
		if (!strcmp(sub, "add")) {
			if (a >= 0)
				FAIL(-EINVAL, MSG_ROSTER_ALREADY_ADMIN,
				     m->name);
			add_admin(r, m->key);
		} else {
			if (a < 0)
				FAIL(-EINVAL, MSG_ROSTER_NOT_ADMIN, m->name);
			if (r->n_admins == 1)
				FAIL(-EINVAL, MSG_ROSTER_LAST_ADMIN, m->name);
			remove_admin(r, a);
		}
		return 0;
	}
	if (!strcmp(verb, "threshold") || !strcmp(verb, "schema")) {
		const char *v = ARG(0);
		uint64_t k;
		if (!v || parse_u64(v, &k) != 0)
			FAIL(-EINVAL, MSG_ROSTER_BAD_NUMBER, v ? v : "");
		(*i)++;
		if (verb[0] == 't') {
			r->threshold = k;
		} else {
			if (k > NODE_SCHEMA_VERSION || k == 0)
				FAIL(-EINVAL, MSG_ROSTER_SCHEMA_UNKNOWN,
				     (unsigned long long)k,
				     NODE_SCHEMA_VERSION);
			r->schema_version = k;
		}
		return 0;
	}
	FAIL(-EINVAL, MSG_ROSTER_BAD_CHANGE, verb);
#undef ARG
#undef NODE_ARG
fail:
	return rc;
}

/* What changed from a to b, in the words of `ward roster propose`. */
static struct node_doc *changes_doc(const struct node_ledger *l,
				    const struct node_roster *a,
				    const struct node_roster *b)
{
	struct node_doc *d = node_doc_array();
	char hex[65], h16[17];
	/* Members matched by key, then a key change by name. */
	for (size_t i = 0; i < b->n_members; i++) {
		const struct node_member *m = &b->members[i];
		const struct node_member *o = node_roster_find(a, m->key);
		if (!o) {
			for (size_t k = 0; k < a->n_members; k++)
				if (!strcmp(a->members[k].name, m->name) &&
				    !node_roster_find(b, a->members[k].key))
					o = &a->members[k];
			if (!o) {
				node_doc_push(
				    d, node_doc_strf("add %s (%s, %s)", m->name,
						     node_role_name(m->role),
						     m->scope));
				continue;
			}
			node_hex(hex, m->key, 32);
			node_doc_push(
			    d, node_doc_strf("set %s key=%.16s", m->name, hex));
		}
		if (strcmp(o->address, m->address))
			node_doc_push(d, node_doc_strf("set %s address=%s",
						       m->name, m->address));
		if (strcmp(o->cert_pem, m->cert_pem) &&
		    !memcmp(o->key, m->key, 32))
			node_doc_push(
			    d, node_doc_strf("set %s cert=(new)", m->name));
		if (o->role != m->role)
			node_doc_push(d,
				      node_doc_strf("set %s role=%s", m->name,
						    node_role_name(m->role)));
		if (strcmp(o->scope, m->scope))
			node_doc_push(d, node_doc_strf("set %s scope=%s",
						       m->name, m->scope));
		if (strcmp(o->name, m->name))
			node_doc_push(d, node_doc_strf("rename %s to %s",
						       o->name, m->name));
		for (size_t k = 0; k < m->n_revoked; k++) {
			const struct node_revocation *rv = &m->revoked[k];
			if (!memcmp(o->key, m->key, 32) &&
			    node_member_last_seq(o, rv->scope) == rv->seq)
				continue;
			node_doc_push(
			    d, node_doc_strf("revoke %s --from %s:%llu",
					     m->name, rv->scope,
					     (unsigned long long)rv->seq));
		}
	}
	for (size_t i = 0; i < a->n_members; i++) {
		const struct node_member *o = &a->members[i];
		if (node_roster_find(b, o->key))
			continue;
		bool renamed = false;
		for (size_t k = 0; k < b->n_members; k++)
			renamed |= !strcmp(b->members[k].name, o->name) &&
				   !node_roster_find(a, b->members[k].key);
		if (!renamed)
			node_doc_push(d, node_doc_strf("remove %s", o->name));
	}
	for (size_t i = 0; i < b->n_admins; i++)
		if (!node_roster_is_admin(a, b->admins[i]) &&
		    node_roster_find(a, b->admins[i]))
			node_doc_push(
			    d, node_doc_strf("admins add %s",
					     name_of(l, b->admins[i], h16)));
	for (size_t i = 0; i < a->n_admins; i++)
		if (!node_roster_is_admin(b, a->admins[i]) &&
		    node_roster_find(b, a->admins[i]))
			node_doc_push(
			    d, node_doc_strf("admins remove %s",
					     name_of(l, a->admins[i], h16)));
	if (a->threshold != b->threshold)
		node_doc_push(d,
			      node_doc_strf("threshold %llu",
					    (unsigned long long)b->threshold));
	if (a->schema_version != b->schema_version)
		node_doc_push(
		    d, node_doc_strf("schema %llu",
				     (unsigned long long)b->schema_version));
	return d;
}

static struct node_doc *signers_doc(const struct node_ledger *l,
				    const struct node_roster *r)
{
	struct node_doc *d = node_doc_array();
	char h16[17];
	for (size_t i = 0; i < r->n_sigs; i++)
		node_doc_push(d, node_doc_str(name_of(l, r->sig_keys[i], h16)));
	return d;
}

static struct node_doc *proposal_doc(struct node_ctx *n,
				     const struct node_proposal *p)
{
	struct node_doc *d = node_doc_object();
	char hex[65], h16[17];
	node_hex(hex, p->id, 32);
	node_doc_set(d, "id", node_doc_str(hex));
	node_doc_set(d, "version", node_doc_int((int64_t)p->r->version));
	node_doc_set(
	    d, "changes",
	    changes_doc(n->ledger, node_ledger_roster(n->ledger), p->r));
	node_doc_set(d, "proposer",
		     node_doc_str(name_of(n->ledger, p->proposer, h16)));
	node_doc_set(d, "note", node_doc_str(p->note));
	node_doc_set(d, "signatures", node_doc_int((int64_t)p->r->n_sigs));
	node_doc_set(d, "signers", signers_doc(n->ledger, p->r));
	node_doc_set(d, "needed", node_doc_int((int64_t)p->needed));
	return d;
}

static int need_roster(struct node_ctx *n, struct node_reason *why)
{
	if (node_ledger_roster(n->ledger))
		return 0;
	NODE_REASON0(why, MSG_NODE_HAS_NOT_JOINED_NETWORK_2);
	return -ENOTCONN;
}

/* Checks the threshold rule on r after all changes: a message naming the
 * numbers, since the ledger's reason is terse. */
static int check_threshold(const struct node_roster *r, struct node_reason *why)
{
	if (r->threshold >= 1 && r->threshold <= r->n_admins &&
	    2 * r->threshold > r->n_admins)
		return 0;
	NODE_REASON(why, MSG_ROSTER_BAD_THRESHOLD,
		    (unsigned long long)r->threshold, r->n_admins,
		    r->n_admins / 2 + 1);
	return -EINVAL;
}

/* {words: [..], note}: a proposal for the next version, signed when this
 * node is an admin. */
int node_api_roster_propose(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	struct node_roster *r = NULL;
	const char **w = NULL;
	uint8_t *item = NULL;
	if ((rc = need_roster(n, why)) != 0)
		return rc;
	const struct node_roster *cur = node_ledger_roster(n->ledger);
	const struct node_doc *words = node_doc_get(req, "words");
	const char *note = node_doc_get_str(req, "note");
	size_t nw = node_doc_len(words);
	if (nw == 0)
		FAIL0(-EINVAL, MSG_ROSTER_USAGE_PROPOSE);
	if (note && strlen(note) > NODE_PROPOSAL_NOTE_MAX)
		FAIL0(-EINVAL, MSG_ROSTER_NOTE_TOO_LONG);
	w = crdt_xcalloc(nw, sizeof(*w));
	for (size_t i = 0; i < nw; i++) {
		w[i] = node_doc_as_str(node_doc_at(words, i), NULL);
		if (!w[i])
			FAIL0(-EINVAL, MSG_ROSTER_USAGE_PROPOSE);
	}
	enum node_msg dwhy;
	if (node_roster_decode(cur->wire, cur->wire_len, &r, &dwhy) != 0)
		FAIL(-EIO, MSG_ROSTER_REFUSED, NODE_REASON_ID(dwhy));
	r->version = cur->version + 1;
	r->has_prev = true;
	memcpy(r->prev, cur->body_hash, 32);
	for (size_t i = 0; i < nw;)
		if ((rc = apply_change(n, r, w, nw, &i, why)) != 0)
			goto fail;
	if ((rc = check_threshold(r, why)) != 0)
		goto fail;
	struct crdt_buf body;
	crdt_buf_init(&body);
	node_roster_encode_body(&body, r);
	/* Nothing changed: the body equals the current one but for its
	 * version and prev. */
	struct node_roster *same;
	if (node_roster_decode(cur->wire, cur->wire_len, &same, &dwhy) == 0) {
		same->version = r->version;
		same->has_prev = true;
		memcpy(same->prev, r->prev, 32);
		struct crdt_buf b2;
		crdt_buf_init(&b2);
		node_roster_encode_body(&b2, same);
		bool unchanged =
		    b2.len == body.len && !memcmp(b2.data, body.data, body.len);
		crdt_buf_fini(&b2);
		node_roster_free(same);
		if (unchanged) {
			crdt_buf_fini(&body);
			FAIL0(-EINVAL, MSG_ROSTER_NO_CHANGE);
		}
	}
	/* An admin signs at most one body per version: having signed
	 * another, it proposes without signing. */
	bool admin = node_roster_is_admin(cur, n->pk) &&
		     cur->schema_version <= NODE_SCHEMA_VERSION &&
		     !node_proposal_signed_other(n->ledger, n->pk, NULL);
	size_t item_len;
	int prc = node_proposal_make(n->ledger, body.data, body.len, n->pk,
				     n->sk, note ? note : "", admin, &item,
				     &item_len, why);
	crdt_buf_fini(&body);
	if (prc == 0)
		prc = node_proposal_add(n->ledger, item, item_len, why);
	if (prc < 0) {
		/* The ledger's reason, inside "proposal refused, ...". */
		rc = prc == -EDQUOT ? -EBUSY : -EINVAL;
		NODE_REASON_WRAP(why, MSG_ROSTER_REFUSED, NODE_REASON_INNER);
		goto fail;
	}
	struct node_doc *d = node_doc_object();
	char hex[65];
	uint8_t id[32];
	/* The id: the body's hash (the item holds the roster). */
	struct crdt_buf b3;
	crdt_buf_init(&b3);
	node_roster_encode_body(&b3, r);
	crypto_generichash(id, 32, b3.data, b3.len, NULL, 0);
	crdt_buf_fini(&b3);
	node_hex(hex, id, 32);
	node_doc_set(d, "id", node_doc_str(hex));
	node_doc_set(d, "version", node_doc_int((int64_t)r->version));
	node_doc_set(d, "changes", changes_doc(n->ledger, cur, r));
	node_doc_set(d, "signed", node_doc_bool(admin));
	node_doc_set(d, "in_force",
		     node_doc_bool(prc == NODE_PROPOSAL_IN_FORCE));
	node_doc_set(d, "needed", node_doc_int((int64_t)cur->threshold));
	free(item);
	free(w);
	node_roster_free(r);
	return (*out = d, 0);
fail:
	free(item);
	free(w);
	node_roster_free(r);
	return rc;
}

int node_api_roster_pending(struct node_ctx *n, const struct node_doc *req,
			    struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	(void)req;
	if ((rc = need_roster(n, why)) != 0)
		return rc;
	struct node_proposal *p;
	size_t np;
	node_proposals(n->ledger, &p, &np);
	struct node_doc *d = node_doc_array();
	for (size_t i = 0; i < np; i++)
		node_doc_push(d, proposal_doc(n, &p[i]));
	node_proposals_free(p, np);
	return (*out = d, 0);
}

/* {id: hex or a unique prefix}: this admin's signature. */
int node_api_roster_sign(struct node_ctx *n, const struct node_doc *req,
			 struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	if ((rc = need_roster(n, why)) != 0)
		return rc;
	const struct node_roster *cur = node_ledger_roster(n->ledger);
	const char *want = node_doc_get_str(req, "id");
	if (!want || !*want) {
		NODE_REASON0(why, MSG_ROSTER_USAGE);
		return -EINVAL;
	}
	if (cur->schema_version > NODE_SCHEMA_VERSION) {
		NODE_REASON(why, MSG_ROSTER_SCHEMA_UNKNOWN,
			    (unsigned long long)cur->schema_version,
			    NODE_SCHEMA_VERSION);
		return -EINVAL;
	}
	if (!node_roster_is_admin(cur, n->pk)) {
		NODE_REASON(why, MSG_ROSTER_NOT_ADMIN_SIGN,
			    (unsigned long long)cur->version);
		return -EINVAL;
	}
	struct node_proposal *p;
	size_t np, hits = 0;
	node_proposals(n->ledger, &p, &np);
	const struct node_proposal *found = NULL;
	for (size_t i = 0; i < np; i++) {
		char hex[65];
		node_hex(hex, p[i].id, 32);
		if (!strncmp(hex, want, strlen(want))) {
			found = &p[i];
			hits++;
		}
	}
	struct node_doc *d = NULL;
	if (hits != 1) {
		if (hits)
			NODE_REASON_LONG(why, MSG_ROSTER_AMBIGUOUS_PROPOSAL,
					 want);
		else
			NODE_REASON_LONG(why, MSG_ROSTER_NO_PROPOSAL, want);
		rc = -ENOENT;
		goto out;
	}
	uint8_t id[32];
	memcpy(id, found->id, 32);
	rc = node_proposal_sign(n->ledger, id, n->pk, n->sk, why);
	if (rc < 0) {
		NODE_REASON_WRAP(why, MSG_ROSTER_SIGN_REFUSED,
				 NODE_REASON_INNER);
		rc = rc == -ENOENT ? -ENOENT : -EINVAL;
		goto out;
	}
	d = node_doc_object();
	char hex[65];
	node_hex(hex, id, 32);
	node_doc_set(d, "id", node_doc_str(hex));
	node_doc_set(d, "in_force",
		     node_doc_bool(rc == NODE_PROPOSAL_IN_FORCE));
	node_doc_set(
	    d, "version",
	    node_doc_int((int64_t)node_ledger_roster(n->ledger)->version));
	*out = d;
	rc = 0;
out:
	node_proposals_free(p, np);
	return rc;
}

static struct node_doc *roster_doc(struct node_ctx *n,
				   const struct node_roster *r)
{
	struct node_doc *d = node_doc_object();
	char hex[65], h16[17];
	node_doc_set(d, "version", node_doc_int((int64_t)r->version));
	node_hex(hex, r->body_hash, 32);
	node_doc_set(d, "id", node_doc_str(hex));
	if (r->has_prev) {
		node_hex(hex, r->prev, 32);
		node_doc_set(d, "prev", node_doc_str(hex));
	} else {
		node_doc_set(d, "prev", node_doc_null());
	}
	node_doc_set(d, "schema_version",
		     node_doc_int((int64_t)r->schema_version));
	node_doc_set(d, "threshold", node_doc_int((int64_t)r->threshold));
	struct node_doc *admins = node_doc_array();
	for (size_t i = 0; i < r->n_admins; i++) {
		struct node_doc *a = node_doc_object();
		node_hex(hex, r->admins[i], 32);
		node_doc_set(a, "key", node_doc_str(hex));
		node_doc_set(
		    a, "name",
		    node_doc_str(name_of(n->ledger, r->admins[i], h16)));
		node_doc_push(admins, a);
	}
	node_doc_set(d, "admins", admins);
	struct node_doc *members = node_doc_array();
	for (size_t i = 0; i < r->n_members; i++) {
		const struct node_member *m = &r->members[i];
		struct node_doc *o = node_doc_object();
		node_hex(hex, m->key, 32);
		node_doc_set(o, "key", node_doc_str(hex));
		node_doc_set(o, "name", node_doc_str(m->name));
		node_doc_set(o, "role", node_doc_str(node_role_name(m->role)));
		node_doc_set(o, "scope", node_doc_str(m->scope));
		node_doc_set(o, "address", node_doc_str(m->address));
		node_doc_set(o, "admin",
			     node_doc_bool(node_roster_is_admin(r, m->key)));
		struct node_doc *ls = node_doc_array();
		for (size_t k = 0; k < m->n_revoked; k++) {
			struct node_doc *b = node_doc_object();
			node_doc_set(b, "scope",
				     node_doc_str(m->revoked[k].scope));
			node_doc_set(b, "seq",
				     node_doc_int((int64_t)m->revoked[k].seq));
			node_doc_push(ls, b);
		}
		node_doc_set(o, "last_seq", ls);
		node_doc_push(members, o);
	}
	node_doc_set(d, "members", members);
	node_doc_set(d, "signers", signers_doc(n->ledger, r));
	return d;
}

/* {version?}: the roster in force, or version N. */
int node_api_roster_show(struct node_ctx *n, const struct node_doc *req,
			 struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	if ((rc = need_roster(n, why)) != 0)
		return rc;
	const struct node_roster *cur = node_ledger_roster(n->ledger);
	const struct node_roster *r = cur;
	const struct node_doc *v = node_doc_get(req, "version");
	if (v) {
		int64_t k =
		    node_doc_kind(v) == NODE_DOC_INT ? node_doc_as_int(v) : -1;
		r = k > 0 ? node_ledger_roster_at(n->ledger, (uint64_t)k)
			  : NULL;
		if (!r) {
			NODE_REASON_LONG(why, MSG_ROSTER_NO_VERSION,
					 (long long)k,
					 (unsigned long long)cur->version);
			return -ENOENT;
		}
	}
	return (*out = roster_doc(n, r), 0);
}

/* Every version: who signed it, what changed. */
int node_api_roster_log(struct node_ctx *n, const struct node_doc *req,
			struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	(void)req;
	if ((rc = need_roster(n, why)) != 0)
		return rc;
	const struct node_roster *cur = node_ledger_roster(n->ledger);
	struct node_doc *d = node_doc_array();
	for (uint64_t v = 1; v <= cur->version; v++) {
		const struct node_roster *r =
		    node_ledger_roster_at(n->ledger, v);
		struct node_doc *o = node_doc_object();
		char hex[65];
		node_doc_set(o, "version", node_doc_int((int64_t)v));
		node_hex(hex, r->body_hash, 32);
		node_doc_set(o, "id", node_doc_str(hex));
		node_doc_set(o, "signers", signers_doc(n->ledger, r));
		if (v == 1) {
			struct node_doc *c = node_doc_array();
			node_doc_push(
			    c,
			    node_doc_strf(MSG(n, MSG_ROSTER_LOG_GENESIS),
					  r->n_members, r->n_admins,
					  (unsigned long long)r->threshold));
			node_doc_set(o, "changes", c);
		} else {
			node_doc_set(
			    o, "changes",
			    changes_doc(n->ledger,
					node_ledger_roster_at(n->ledger, v - 1),
					r));
		}
		node_doc_push(d, o);
	}
	return (*out = d, 0);
}

/* {path, version?}: the chain file from genesis. */
int node_api_roster_export(struct node_ctx *n, const struct node_doc *req,
			   struct node_doc **out, struct node_reason *why)
{
	int rc = 0;
	if ((rc = need_roster(n, why)) != 0)
		return rc;
	const char *path = node_doc_get_str(req, "path");
	if (!path) {
		NODE_REASON0(why, MSG_ROSTER_USAGE);
		return -EINVAL;
	}
	struct crdt_buf b;
	crdt_buf_init(&b);
	node_ledger_roster_chain(n->ledger, 0, &b);
	FILE *f = fopen(path, "wb");
	bool ok = f && fwrite(b.data, 1, b.len, f) == b.len;
	if (f)
		ok &= fclose(f) == 0;
	crdt_buf_fini(&b);
	if (!ok) {
		NODE_REASON_LONG(why, MSG_ROSTER_CANNOT_WRITE, path,
				 strerror(errno));
		return -EIO;
	}
	struct node_doc *d = node_doc_object();
	node_doc_set(d, "path", node_doc_str(path));
	node_doc_set(
	    d, "version",
	    node_doc_int((int64_t)node_ledger_roster(n->ledger)->version));
	return (*out = d, 0);
}

/* What status adds: the roster version, proposals pending, admins proven
 * to have signed two proposals, and for each forked author held a proof
 * of, what to propose. */
struct fork_advice {
	struct node_ctx *n;
	struct node_doc *list;
};

static void admin_fork_doc(void *ctx, const uint8_t admin[32], uint64_t version)
{
	struct fork_advice *fa = ctx;
	struct node_doc *o = node_doc_object();
	char hex[65], h16[17];
	node_hex(hex, admin, 32);
	node_doc_set(o, "admin", node_doc_str(hex));
	node_doc_set(o, "name",
		     node_doc_str(name_of(fa->n->ledger, admin, h16)));
	node_doc_set(o, "version", node_doc_int((int64_t)version));
	node_doc_push(fa->list, o);
}

static int fork_advice_one(void *arg, enum node_proof_kind kind,
			   const uint8_t *a, size_t a_len, const uint8_t *b,
			   size_t b_len)
{
	struct fork_advice *fa = arg;
	(void)b;
	(void)b_len;
	struct crdt_entry e;
	if (kind != NODE_PROOF_FORK || crdt_entry_decode(a, a_len, &e, NULL))
		return 0;
	struct node_ledger *l = fa->n->ledger;
	const struct node_roster *cur = node_ledger_roster(l);
	uint64_t bound = e.seq - 1;
	/* Revoked at the fork already, or its key replaced: done. */
	if (node_ledger_bound(l, e.author, e.scope) <= bound ||
	    !node_roster_find(cur, e.author)) {
		crdt_entry_fini(&e);
		return 0;
	}
	const struct node_member *m = node_roster_find(cur, e.author);
	struct node_doc *o = node_doc_object();
	char hex[65];
	node_hex(hex, e.author, 32);
	node_doc_set(o, "author", node_doc_str(hex));
	node_doc_set(o, "name", node_doc_str(m->name));
	node_doc_set(o, "scope", node_doc_str(e.scope));
	node_doc_set(o, "seq", node_doc_int((int64_t)e.seq));
	node_doc_set(o, "propose",
		     node_doc_strf(
			 "ward roster propose revoke %s --from %s:%llu "
			 "set %s key=NEW.pub",
			 m->name, e.scope, (unsigned long long)bound, m->name));
	node_doc_push(fa->list, o);
	crdt_entry_fini(&e);
	return 0;
}

void node_api_roster_status(struct node_ctx *n, struct node_doc *d)
{
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (!r)
		return;
	node_doc_set(d, "roster_version", node_doc_int((int64_t)r->version));
	struct node_proposal *p;
	size_t np;
	node_proposals(n->ledger, &p, &np);
	node_proposals_free(p, np);
	node_doc_set(d, "proposals_pending", node_doc_int((int64_t)np));
	struct fork_advice fa = {n, node_doc_array()};
	node_admin_forks(n->ledger, admin_fork_doc, &fa);
	node_doc_set(d, "admin_forks", fa.list);
	fa.list = node_doc_array();
	node_proofs_each(n->ledger, fork_advice_one, &fa);
	node_doc_set(d, "revoke_needed", fa.list);
}
