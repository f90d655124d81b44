/*
 * proposal.c: proposals for the next roster version (proposal.h). They
 * live in the meta family under META_PROPOSAL || id; an admin fork proof
 * under META_ADMIN_FORK || admin key. When a version comes into force the
 * proposals held are dropped: they were for that version.
 */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crdt/crdt.h"
#include "node/ledger/ledger_int.h"
#include "node/ledger/proposal.h"

#define PROPOSAL_PREFIX "ward-proposal-v1"

struct item {
	const uint8_t *roster;
	size_t roster_len;
	uint8_t proposer[32];
	const char *note;
	size_t note_len;
	uint8_t sig[64];
};

static int item_decode(const uint8_t *b, size_t len, struct item *it)
{
	struct crdt_mp_cursor c;
	size_t n;
	crdt_mp_cursor_init(&c, b, len, true);
	if (crdt_mp_read_array(&c, &n) != 0 || n != 4 ||
	    crdt_mp_read_bin(&c, &it->roster, &it->roster_len) != 0 ||
	    crdt_mp_read_bin_fixed(&c, it->proposer, 32) != 0 ||
	    crdt_mp_read_str(&c, &it->note, &it->note_len) != 0 ||
	    it->note_len > NODE_PROPOSAL_NOTE_MAX ||
	    crdt_mp_read_bin_fixed(&c, it->sig, 64) != 0 ||
	    crdt_mp_left(&c) != 0)
		return -EBADMSG;
	return 0;
}

static void item_encode(struct crdt_buf *b, const uint8_t *roster,
			size_t roster_len, const uint8_t proposer[32],
			const char *note, size_t note_len,
			const uint8_t sig[64])
{
	crdt_pack_array(b, 4);
	crdt_pack_bin(b, roster, roster_len);
	crdt_pack_bin(b, proposer, 32);
	crdt_pack_str(b, note, note_len);
	crdt_pack_bin(b, sig, 64);
}

static uint8_t *proposer_msg(const uint8_t net_id[32], const uint8_t id[32],
			     const char *note, size_t note_len, size_t *len)
{
	size_t plen = sizeof(PROPOSAL_PREFIX) - 1;
	*len = plen + 64 + note_len;
	uint8_t *m = crdt_xmalloc(*len);
	memcpy(m, PROPOSAL_PREFIX, plen);
	memcpy(m + plen, net_id, 32);
	memcpy(m + plen + 32, id, 32);
	if (note_len)
		memcpy(m + plen + 64, note, note_len);
	return m;
}

static void prop_key(struct key *k, const uint8_t id[32])
{
	k->len = 0;
	key_bytes(k, META_PROPOSAL, strlen(META_PROPOSAL));
	key_bytes(k, id, 32);
}

int node_proposal_make(struct node_ledger *l, const uint8_t *body,
		       size_t body_len, const uint8_t pk[32], const uint8_t *sk,
		       const char *note, bool admin_sign, uint8_t **item,
		       size_t *item_len, struct node_reason *why)
{
	uint8_t net_id[32], id[32], psig[64];
	size_t nlen = strlen(note), mlen;
	if (nlen > NODE_PROPOSAL_NOTE_MAX) {
		NODE_REASON0(why, MSG_PR_NOTE_LONG);
		return -EBADMSG;
	}
	node_ledger_net_id(l, net_id);
	crypto_generichash(id, 32, body, body_len, NULL, 0);
	uint8_t *m = proposer_msg(net_id, id, note, nlen, &mlen);
	crypto_sign_detached(psig, NULL, m, mlen, sk);
	free(m);
	struct crdt_buf r, out;
	crdt_buf_init(&r);
	crdt_buf_init(&out);
	uint8_t keys[1][32], sigs[1][64];
	memcpy(keys[0], pk, 32);
	if (admin_sign)
		node_roster_sign(body, body_len, sk, sigs[0]);
	node_roster_assemble(&r, body, body_len, admin_sign ? 1 : 0,
			     (const uint8_t(*)[32])keys,
			     (const uint8_t(*)[64])sigs);
	item_encode(&out, r.data, r.len, pk, note, nlen, psig);
	crdt_buf_fini(&r);
	*item = crdt_buf_take(&out, item_len);
	return 0;
}

/* Decodes a held or received item and checks it against the chain held:
 * the version after the one in force, a member's proposer signature, a
 * valid candidate successor. *r owned on success. */
static int check_item(struct node_ledger *l, const uint8_t *b, size_t len,
		      struct item *it, struct node_roster **r,
		      enum node_msg *why)
{
	const struct node_roster *cur = node_ledger_roster(l);
	uint64_t good;
	if (!cur) {
		*why = MSG_I_NOT_JOINED;
		return -ESTALE;
	}
	if (item_decode(b, len, it) != 0) {
		*why = MSG_PR_MALFORMED;
		return -EBADMSG;
	}
	if (node_roster_decode(it->roster, it->roster_len, r, why) != 0)
		return -EBADMSG;
	if ((*r)->version != cur->version + 1) {
		*why = (*r)->version <= cur->version
			   ? MSG_PR_IN_FORCE
			   : MSG_PR_TOO_FAR;
		node_roster_free(*r);
		return -ESTALE;
	}
	uint8_t net_id[32];
	size_t mlen;
	node_ledger_net_id(l, net_id);
	uint8_t *m = proposer_msg(net_id, (*r)->body_hash, it->note,
				  it->note_len, &mlen);
	bool ok =
	    node_roster_find(cur, it->proposer) &&
	    crypto_sign_verify_detached(it->sig, m, mlen, it->proposer) == 0;
	free(m);
	if (!ok) {
		*why = MSG_PR_NOT_MEMBER;
		node_roster_free(*r);
		return -EBADMSG;
	}
	int rc = node_roster_check_successor(cur, *r, &good, why);
	if (rc) {
		node_roster_free(*r);
		return rc;
	}
	return 0;
}

/* Every item held, raw (owned). */
struct raw {
	uint8_t id[32];
	uint8_t *v;
	size_t n;
};

static size_t held_raw(struct node_ledger *l, struct raw **out)
{
	struct key p;
	size_t n = 0, cap = 0;
	struct raw *v = NULL;
	p.len = 0;
	key_bytes(&p, META_PROPOSAL, strlen(META_PROPOSAL));
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), p.b, p.len);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *val = node_kv_iter_value(it, &vl);
		if (kl != p.len + 32)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 8;
			v = crdt_xrealloc(v, cap * sizeof(*v));
		}
		memcpy(v[n].id, k + p.len, 32);
		v[n].v = crdt_xmalloc(vl ? vl : 1);
		memcpy(v[n].v, val, vl);
		v[n].n = vl;
		n++;
	}
	node_kv_iter_free(it);
	*out = v;
	return n;
}

static void raw_free(struct raw *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].v);
	free(v);
}

void node_proposals_free(struct node_proposal *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		node_roster_free(v[i].r);
		free(v[i].note);
		free(v[i].item);
	}
	free(v);
}

int node_proposals(struct node_ledger *l, struct node_proposal **out, size_t *n)
{
	struct raw *raw;
	size_t nr = held_raw(l, &raw), k = 0;
	struct node_proposal *v = crdt_xcalloc(nr ? nr : 1, sizeof(*v));
	const struct node_roster *cur = node_ledger_roster(l);
	for (size_t i = 0; i < nr; i++) {
		struct item it;
		struct node_roster *r;
		enum node_msg why;
		if (check_item(l, raw[i].v, raw[i].n, &it, &r, &why) != 0)
			continue;
		v[k].r = r;
		memcpy(v[k].id, r->body_hash, 32);
		memcpy(v[k].proposer, it.proposer, 32);
		v[k].note = crdt_xmalloc(it.note_len + 1);
		memcpy(v[k].note, it.note, it.note_len);
		v[k].note[it.note_len] = 0;
		v[k].needed = cur->threshold;
		v[k].item = raw[i].v;
		v[k].item_len = raw[i].n;
		raw[i].v = NULL;
		k++;
	}
	raw_free(raw, nr);
	*out = v;
	*n = k;
	return 0;
}

size_t node_proposals_encode(struct node_ledger *l, struct crdt_buf *out,
			     size_t max_bytes)
{
	struct raw *raw;
	size_t nr = held_raw(l, &raw), k = 0, bytes = 0;
	for (size_t i = 0; i < nr; i++) {
		if (bytes + raw[i].n > max_bytes)
			break;
		crdt_buf_append(out, raw[i].v, raw[i].n);
		bytes += raw[i].n;
		k++;
	}
	raw_free(raw, nr);
	return k;
}

static void put_sync(struct node_ledger *l, const struct key *k,
		     const uint8_t *v, size_t n, int *rc)
{
	node_ledger_proposal_cache(l)->gen++;
	struct node_kv_batch *b = node_kv_batch_new();
	node_kv_batch_put(b, k->b, k->len, v, n);
	*rc = node_kv_write(node_ledger_kv(l), b, true);
	node_kv_batch_free(b);
}

/* Keeps a proof when admin signed another body of this version too. */
static void check_admin_fork(struct node_ledger *l, const struct raw *held,
			     size_t nh, const struct node_roster *r,
			     const uint8_t *item, size_t item_len)
{
	for (size_t s = 0; s < r->n_sigs; s++) {
		for (size_t i = 0; i < nh; i++) {
			if (!memcmp(held[i].id, r->body_hash, 32))
				continue;
			struct item it;
			struct node_roster *o;
			if (item_decode(held[i].v, held[i].n, &it) != 0 ||
			    node_roster_decode(it.roster, it.roster_len, &o,
					       &(enum node_msg){MSG_NONE}) != 0)
				continue;
			bool both = false;
			for (size_t k = 0; k < o->n_sigs; k++)
				both |=
				    !memcmp(o->sig_keys[k], r->sig_keys[s], 32);
			node_roster_free(o);
			if (!both)
				continue;
			struct key k;
			uint8_t *v;
			size_t vn;
			k.len = 0;
			key_bytes(&k, META_ADMIN_FORK, strlen(META_ADMIN_FORK));
			key_bytes(&k, r->sig_keys[s], 32);
			if (node_kv_get(node_ledger_kv(l), k.b, k.len, &v,
					&vn) == 0) {
				free(v);
				continue;
			}
			struct crdt_buf b;
			crdt_buf_init(&b);
			crdt_pack_array(&b, 3);
			crdt_pack_uint(&b, r->version);
			crdt_pack_bin(&b, held[i].v, held[i].n);
			crdt_pack_bin(&b, item, item_len);
			int rc;
			put_sync(l, &k, b.data, b.len, &rc);
			crdt_buf_fini(&b);
		}
	}
}

/* Puts the lowest id holding its threshold in force, if any. 1 when a
 * version came into force. */
static int promote(struct node_ledger *l, struct node_reason *why)
{
	struct node_proposal *v;
	size_t n;
	node_proposals(l, &v, &n);
	const struct node_proposal *best = NULL;
	for (size_t i = 0; i < n; i++) {
		if (v[i].r->n_sigs < v[i].needed)
			continue;
		if (!best || memcmp(v[i].id, best->id, 32) < 0)
			best = &v[i];
	}
	int rc = 0;
	if (best) {
		rc = node_ledger_set_roster(l, best->r->wire, best->r->wire_len,
					    why);
		if (rc == 0) {
			struct raw *raw;
			size_t nr = held_raw(l, &raw);
			struct node_kv_batch *b = node_kv_batch_new();
			for (size_t i = 0; i < nr; i++) {
				struct key k;
				prop_key(&k, raw[i].id);
				node_kv_batch_del(b, k.b, k.len);
			}
			node_kv_write(node_ledger_kv(l), b, true);
			node_kv_batch_free(b);
			raw_free(raw, nr);
			node_ledger_proposal_cache(l)->gen++;
			rc = 1;
		}
	}
	node_proposals_free(v, n);
	return rc;
}

int node_proposal_add(struct node_ledger *l, const uint8_t *b, size_t len,
		      struct node_reason *why)
{
	struct item it;
	struct node_roster *r;
	enum node_msg m = MSG_NONE;
	/* Set on every path: a local failure says nothing more. */
	node_reason_of(why, MSG_NONE);
	int rc = check_item(l, b, len, &it, &r, &m);
	if (rc) {
		/* One already in force, or a copy of it: nothing to do. */
		node_reason_of(why, m);
		return rc;
	}
	struct raw *held;
	size_t nh = held_raw(l, &held);
	struct raw *same = NULL;
	for (size_t i = 0; i < nh; i++)
		if (!memcmp(held[i].id, r->body_hash, 32))
			same = &held[i];
	/* One member may not fill every slot: any member may propose, so
	 * without a share each a hostile one could hold off every honest
	 * proposal until a version comes into force. */
	size_t mine = 0;
	for (size_t i = 0; !same && i < nh; i++) {
		struct item hi;
		if (item_decode(held[i].v, held[i].n, &hi) == 0 &&
		    !memcmp(hi.proposer, it.proposer, 32))
			mine++;
	}
	if (!same && mine >= NODE_PROPOSALS_PER_MEMBER) {
		NODE_REASON0(why, MSG_PR_MEMBER_FULL);
		rc = -EDQUOT;
		goto out;
	}
	if (!same && nh >= NODE_PROPOSALS_MAX) {
		NODE_REASON0(why, MSG_PR_NODE_FULL);
		rc = -EDQUOT;
		goto out;
	}
	/* The union of the signatures held and these. */
	size_t ns = r->n_sigs;
	uint8_t(*keys)[32] = NULL;
	uint8_t(*sigs)[64] = NULL;
	struct item hit = it;
	struct node_roster *hr = NULL;
	if (same && item_decode(same->v, same->n, &hit) == 0 &&
	    node_roster_decode(hit.roster, hit.roster_len, &hr,
			       &(enum node_msg){MSG_NONE}) == 0)
		ns += hr->n_sigs;
	keys = crdt_xcalloc(ns ? ns : 1, 32);
	sigs = crdt_xcalloc(ns ? ns : 1, 64);
	size_t k = 0;
	bool fresh = !same;
	for (size_t i = 0; hr && i < hr->n_sigs; i++, k++) {
		memcpy(keys[k], hr->sig_keys[i], 32);
		memcpy(sigs[k], hr->sigs[i], 64);
	}
	for (size_t i = 0; i < r->n_sigs; i++) {
		bool known = false;
		for (size_t j = 0; hr && j < hr->n_sigs; j++)
			known |= !memcmp(hr->sig_keys[j], r->sig_keys[i], 32);
		if (known)
			continue;
		memcpy(keys[k], r->sig_keys[i], 32);
		memcpy(sigs[k], r->sigs[i], 64);
		k++;
		fresh = true;
	}
	if (!fresh) {
		rc = NODE_PROPOSAL_NOTHING_NEW;
	} else {
		struct crdt_buf rb, ib;
		crdt_buf_init(&rb);
		crdt_buf_init(&ib);
		node_roster_assemble(&rb, r->body, r->body_len, k,
				     (const uint8_t(*)[32])keys,
				     (const uint8_t(*)[64])sigs);
		/* The first proposer and note stay. */
		item_encode(&ib, rb.data, rb.len, hit.proposer, hit.note,
			    hit.note_len, hit.sig);
		struct key key;
		prop_key(&key, r->body_hash);
		check_admin_fork(l, held, nh, r, ib.data, ib.len);
		put_sync(l, &key, ib.data, ib.len, &rc);
		crdt_buf_fini(&rb);
		crdt_buf_fini(&ib);
		if (rc == 0) {
			rc = promote(l, why);
			if (rc >= 0)
				rc = rc ? NODE_PROPOSAL_IN_FORCE
					: NODE_PROPOSAL_MERGED;
		}
	}
	free(keys);
	free(sigs);
	node_roster_free(hr);
out:
	raw_free(held, nh);
	node_roster_free(r);
	return rc;
}

int node_proposal_sign(struct node_ledger *l, const uint8_t id[32],
		       const uint8_t pk[32], const uint8_t *sk,
		       struct node_reason *why)
{
	struct key k;
	uint8_t *v;
	size_t n;
	node_reason_of(why, MSG_NONE);
	prop_key(&k, id);
	if (node_kv_get(node_ledger_kv(l), k.b, k.len, &v, &n) != 0) {
		NODE_REASON0(why, MSG_PR_NO_SUCH);
		return -ENOENT;
	}
	const struct node_roster *cur = node_ledger_roster(l);
	if (!cur || !node_roster_is_admin(cur, pk)) {
		free(v);
		NODE_REASON0(why, MSG_PR_NOT_ADMIN);
		return -EPERM;
	}
	struct item it;
	struct node_roster *r;
	enum node_msg m;
	int rc = check_item(l, v, n, &it, &r, &m);
	if (rc) {
		free(v);
		node_reason_of(why, m);
		return rc;
	}
	if (r->schema_version > NODE_SCHEMA_VERSION) {
		free(v);
		node_roster_free(r);
		NODE_REASON0(why, MSG_PR_SCHEMA);
		return -EPERM;
	}
	/* An admin signs at most one body per version. */
	struct raw *held;
	size_t nh = held_raw(l, &held);
	for (size_t i = 0; i < nh; i++) {
		struct item o;
		struct node_roster *or_;
		if (!memcmp(held[i].id, id, 32) ||
		    item_decode(held[i].v, held[i].n, &o) != 0 ||
		    node_roster_decode(o.roster, o.roster_len, &or_,
				       &(enum node_msg){MSG_NONE}) != 0)
			continue;
		bool signed_other = false;
		for (size_t s = 0; s < or_->n_sigs; s++)
			signed_other |= !memcmp(or_->sig_keys[s], pk, 32);
		node_roster_free(or_);
		if (signed_other) {
			raw_free(held, nh);
			node_roster_free(r);
			free(v);
			NODE_REASON0(why, MSG_PR_SIGNED_OTHER);
			return -EEXIST;
		}
	}
	raw_free(held, nh);
	uint8_t(*keys)[32] = crdt_xcalloc(r->n_sigs + 1, 32);
	uint8_t(*sigs)[64] = crdt_xcalloc(r->n_sigs + 1, 64);
	for (size_t i = 0; i < r->n_sigs; i++) {
		memcpy(keys[i], r->sig_keys[i], 32);
		memcpy(sigs[i], r->sigs[i], 64);
	}
	memcpy(keys[r->n_sigs], pk, 32);
	node_roster_sign(r->body, r->body_len, sk, sigs[r->n_sigs]);
	struct crdt_buf rb, ib;
	crdt_buf_init(&rb);
	crdt_buf_init(&ib);
	node_roster_assemble(&rb, r->body, r->body_len, r->n_sigs + 1,
			     (const uint8_t(*)[32])keys,
			     (const uint8_t(*)[64])sigs);
	item_encode(&ib, rb.data, rb.len, it.proposer, it.note, it.note_len,
		    it.sig);
	rc = node_proposal_add(l, ib.data, ib.len, why);
	crdt_buf_fini(&rb);
	crdt_buf_fini(&ib);
	free(keys);
	free(sigs);
	node_roster_free(r);
	free(v);
	return rc;
}

size_t node_admin_forks(struct node_ledger *l, node_admin_fork_fn fn, void *ctx)
{
	struct key p;
	size_t n = 0;
	p.len = 0;
	key_bytes(&p, META_ADMIN_FORK, strlen(META_ADMIN_FORK));
	struct node_kv_iter *it =
	    node_kv_iter_new(node_ledger_kv(l), p.b, p.len);
	for (; node_kv_iter_valid(it); node_kv_iter_next(it)) {
		size_t kl, vl;
		const uint8_t *k = node_kv_iter_key(it, &kl);
		const uint8_t *v = node_kv_iter_value(it, &vl);
		struct crdt_mp_cursor c;
		size_t arr;
		uint64_t version = 0;
		if (kl != p.len + 32)
			continue;
		crdt_mp_cursor_init(&c, v, vl, false);
		if (crdt_mp_read_array(&c, &arr) == 0 && arr == 3)
			crdt_mp_read_uint(&c, &version);
		if (fn)
			fn(ctx, k + p.len, version);
		n++;
	}
	node_kv_iter_free(it);
	return n;
}

void node_proposals_digest(struct node_ledger *l, uint8_t out[32])
{
	struct node_proposal_cache *pc = node_ledger_proposal_cache(l);
	if (pc->digest_gen == pc->gen + 1) {
		memcpy(out, pc->digest, 32);
		return;
	}
	struct node_proposal *p;
	size_t n;
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, 32);
	node_proposals(l, &p, &n); /* sorted by key: the store's order */
	for (size_t i = 0; i < n; i++) {
		crypto_generichash_update(&st, p[i].id, 32);
		for (size_t k = 0; k < p[i].r->n_sigs; k++)
			crypto_generichash_update(&st, p[i].r->sig_keys[k], 32);
		crypto_generichash_update(&st, (const uint8_t *)"|", 1);
	}
	node_proposals_free(p, n);
	crypto_generichash_final(&st, out, 32);
	memcpy(pc->digest, out, 32);
	pc->digest_gen = pc->gen + 1;
}

bool node_proposal_signed_other(struct node_ledger *l, const uint8_t pk[32],
				const uint8_t *id)
{
	struct node_proposal *p;
	size_t n;
	bool yes = false;
	node_proposals(l, &p, &n);
	for (size_t i = 0; i < n && !yes; i++) {
		if (id && !memcmp(p[i].id, id, 32))
			continue;
		for (size_t k = 0; k < p[i].r->n_sigs; k++)
			yes |= !memcmp(p[i].r->sig_keys[k], pk, 32);
	}
	node_proposals_free(p, n);
	return yes;
}
