/*
 * identity.c: a node's identities and its joining a network. `ward init`
 * makes the Ed25519 key that signs entries and the P-256 key and
 * certificate for TLS (net/tls.c); node.pub carries the public half to
 * whoever creates the network; `network create` signs a genesis roster and
 * `network join` adopts one. Key files are created exclusively, mode 0600,
 * and never overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crdt/crdt.h"
#include "net/tls.h"
#include "node/api/node_int.h"
#include "node/ledger/roster.h"
#include "node/ledger/schema.h"

#define PUB_MAGIC "ward-node-v1"

static int read_file(const char *path, uint8_t **out, size_t *len,
		     size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errno == ENOENT ? -ENOENT : -EIO;
	uint8_t *buf = crdt_xmalloc(max);
	size_t n = fread(buf, 1, max, f);
	bool more = fgetc(f) != EOF;
	fclose(f);
	if (more) {
		free(buf);
		return -EFBIG;
	}
	*out = buf;
	*len = n;
	return 0;
}

/* Writes data to path through a temporary file and rename, synced. */
static int write_file_atomic(const char *path, const uint8_t *data,
			     size_t len, mode_t mode)
{
	char tmp[NODE_PATH_MAX + 8];
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0)
		return -EIO;
	bool ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	ok &= close(fd) == 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -EIO;
	}
	return 0;
}

int node_identity_load(const char *dir, uint8_t pk[32], uint8_t **sk)
{
	char path[NODE_PATH_MAX];
	node_path(path, dir, "node.key");
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return errno == ENOENT ? -ENOENT : -EIO;
	uint8_t *key = sodium_malloc(64);
	if (!key) {
		close(fd);
		return -ENOMEM;
	}
	ssize_t n = read(fd, key, 64);
	close(fd);
	if (n != 64) {
		sodium_free(key);
		return -EBADMSG;
	}
	crypto_sign_ed25519_sk_to_pk(pk, key);
	*sk = key;
	return 0;
}

/* The roster's certificate policy (docs/architecture.md): net/tls's
 * checks, and the CN must be the member's own key, so that no member can
 * carry a certificate naming another. */
int node_member_cert_check(const struct node_member *m, char *why,
			   size_t why_len)
{
	char cn[65];
	node_hex(cn, m->key, 32);
	return net_tls_cert_check_member(m->cert_pem, strlen(m->cert_pem), cn,
					 why, why_len);
}

/* Whether m's certificate is within its validity period by this
 * machine's clock: 0; 1 expired, -1 not yet valid, with the bound passed
 * as RFC 3339 text in when. */
static int cert_period(const struct node_member *m, char when[32])
{
	int64_t from, to;
	if (net_tls_cert_validity(m->cert_pem, strlen(m->cert_pem), &from,
				  &to) != 0)
		return 0; /* net_tls_cert_check has spoken */
	time_t now = time(NULL);
	time_t bound;
	int v = 0;
	if ((int64_t)now > to) {
		v = 1;
		bound = (time_t)to;
	} else if ((int64_t)now < from) {
		v = -1;
		bound = (time_t)from;
	}
	if (v) {
		struct tm tm;
		gmtime_r(&bound, &tm);
		strftime(when, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	return v;
}

int node_read_pub(const char *path, struct node_member *m,
		  struct node_reason *why)
{
	uint8_t *buf;
	size_t len;
	int rc = read_file(path, &buf, &len, 64 * 1024);
	if (rc) {
		NODE_REASON_LONG(why, MSG_CANNOT_READ_2, path,
				 NODE_REASON_ID(rc == -ENOENT
						    ? MSG_NO_SUCH_FILE
						    : MSG_READ_ERROR));
		return -EINVAL;
	}
	struct crdt_mp_cursor c;
	size_t n;
	const char *s;
	size_t slen;
	crdt_mp_cursor_init(&c, buf, len, true);
	rc = crdt_mp_read_array(&c, &n) || n != 2 ||
	     crdt_mp_read_str(&c, &s, &slen) || slen != strlen(PUB_MAGIC) ||
	     memcmp(s, PUB_MAGIC, slen) || node_member_decode(&c, m) ||
	     crdt_mp_left(&c) != 0;
	free(buf);
	if (rc) {
		NODE_REASON_LONG(why, MSG_NOT_WARD_NODE_PUB_FILE, path);
		return -EINVAL;
	}
	char cwhy[128];
	if (node_member_cert_check(m, cwhy, sizeof(cwhy)) != 0) {
		NODE_REASON_LONG(why, MSG_REFUSED_CERTIFICATES_MUST_X_509, path,
				 cwhy);
		node_member_fini(m);
		return -EINVAL;
	}
	/* Whoever creates the network decides with its own clock: a
	 * certificate out of its period would fail every handshake. */
	char when[32];
	int v = cert_period(m, when);
	if (v != 0) {
		if (v > 0)
			NODE_REASON(why,
				    MSG_REFUSED_TLS_CERTIFICATE_EXPIRED_MACHINE,
				    path, when);
		else
			NODE_REASON(why, MSG_REFUSED_TLS_CERTIFICATE_VALID_ONLY,
				    path, when);
		node_member_fini(m);
		return -EINVAL;
	}
	return 0;
}

/* The three setup steps answer 0 with *said, the line that says what was
 * done, or -errno with *said the reason (-EINVAL bad input or a file that
 * exists, -ENOTCONN not initialised, -EIO); node_init and the network
 * functions below render it and map the errno once. */
static int init_why(const struct node_init_opts *o, struct node_reason *said)
{
	enum node_role role;
	char scope[13];
	if (sodium_init() < 0) {
		NODE_REASON0(said, MSG_LIBSODIUM_FAILED_INITIALISE);
		return -EIO;
	}
	if (!o->role || node_role_parse(o->role, strlen(o->role), &role)) {
		NODE_REASON0(said, MSG_ROLE_MUST_ONE_HEALTH_TOWNSHIP);
		return -EINVAL;
	}
	if (!o->name || !*o->name || strlen(o->name) > 200) {
		NODE_REASON0(said, MSG_NAME_MUST_NON_EMPTY_NAME);
		return -EINVAL;
	}
	if (!o->scope || !crdt_scope_normalise(o->scope, scope)) {
		NODE_REASON0(said, MSG_SCOPE_MUST_REGION_CODE_2);
		return -EINVAL;
	}
	const char *listen = o->listen ? o->listen : "127.0.0.1:7400";
	const char *colon = strrchr(listen, ':');
	if (!colon || colon == listen || atoi(colon + 1) <= 0 ||
	    atoi(colon + 1) > 65535) {
		NODE_REASON_LONG(said, MSG_LISTEN_MUST_HOST_PORT_NOT, listen);
		return -EINVAL;
	}
	if (mkdir(o->dir, 0700) != 0 && errno != EEXIST) {
		NODE_REASON_LONG(said, MSG_CANNOT_CREATE, o->dir,
				 strerror(errno));
		return -EIO;
	}
	/* The directory holds the keys, the records and wardd's socket:
	 * only its owner may enter it. An existing directory that others
	 * may read or write is closed to them, and the message says so. */
	struct stat dst;
	mode_t was = 0;
	if (stat(o->dir, &dst) != 0 || !S_ISDIR(dst.st_mode)) {
		NODE_REASON_LONG(said, MSG_NOT_DIRECTORY, o->dir);
		return -EINVAL;
	}
	if (dst.st_mode & 077) {
		was = dst.st_mode & 07777;
		if (chmod(o->dir, 0700) != 0) {
			NODE_REASON_LONG(
			    said, MSG_MODE_CANNOT_MADE_PRIVATE_NODE, o->dir,
			    (unsigned)was, strerror(errno));
			return -EINVAL;
		}
	}
	char path[NODE_PATH_MAX], tls_key[NODE_PATH_MAX], tls_crt[NODE_PATH_MAX];
	node_path(path, o->dir, "node.key");
	node_path(tls_key, o->dir, "tls.key");
	node_path(tls_crt, o->dir, "tls.crt");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		int e = errno;
		if (e == EEXIST)
			NODE_REASON_LONG(
			    said, MSG_ALREADY_INITIALISED_NODE_KEY_EXISTS,
			    o->dir);
		else
			NODE_REASON_LONG(said, MSG_CANNOT_CREATE, path,
					 strerror(e));
		return e == EEXIST ? -EINVAL : -EIO;
	}
	uint8_t pk[32];
	uint8_t *sk = sodium_malloc(64);
	if (!sk)
		crdt_oom();
	crypto_sign_keypair(pk, sk);
	bool ok = write(fd, sk, 64) == 64 && fsync(fd) == 0;
	ok &= close(fd) == 0;
	sodium_free(sk);
	if (!ok) {
		unlink(path);
		NODE_REASON_LONG(said, MSG_CANNOT_WRITE, path);
		return -EIO;
	}
	char cn[65];
	node_hex(cn, pk, 32);
	int rc = net_tls_identity_create(tls_key, tls_crt, cn);
	if (rc) {
		NODE_REASON_LONG(
		    said, MSG_CANNOT_CREATE_TLS_IDENTITY, o->dir,
		    rc == -EEXIST ? NODE_REASON_ID(MSG_TLS_KEY_EXISTS) : "");
		return rc == -EEXIST ? -EINVAL : -EIO;
	}
	uint8_t *pem;
	size_t pem_len;
	if (read_file(tls_crt, &pem, &pem_len, 16 * 1024) != 0) {
		NODE_REASON_LONG(said, MSG_CANNOT_READ, tls_crt);
		return -EIO;
	}
	char *pem_str = crdt_xmalloc(pem_len + 1);
	memcpy(pem_str, pem, pem_len);
	pem_str[pem_len] = 0;
	free(pem);
	struct node_member m = {.role = role};
	memcpy(m.key, pk, 32);
	m.name = (char *)o->name;
	memcpy(m.scope, scope, sizeof(scope));
	m.address = (char *)listen;
	m.cert_pem = pem_str;
	struct crdt_buf b;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_cstr(&b, PUB_MAGIC);
	node_member_encode(&b, &m);
	node_path(path, o->dir, "node.pub");
	rc = write_file_atomic(path, b.data, b.len, 0644);
	crdt_buf_fini(&b);
	free(pem_str);
	if (rc) {
		NODE_REASON_LONG(said, MSG_CANNOT_WRITE, path);
		return -EIO;
	}
	NODE_REASON_LONG(said, MSG_INITIALISED_NODE_ROLE_SCOPE_LISTEN, o->dir,
			 cn, node_role_name(role), scope, listen, o->dir);
	if (was)
		NODE_REASON_TAIL(said, MSG_WAS_MODE_NOW_0700_ONLY, o->dir,
				 (unsigned)was);
	return 0;
}

/* Stores the roster in the node's store and beside it as a file. */
static int adopt(const char *dir, const uint8_t *wire, size_t len,
		 struct node_reason *said)
{
	struct node_ctx *n;
	int rc = node_ctx_open_why(dir, false, &n, said);
	if (rc)
		return rc;
	rc = node_ledger_set_roster(n->ledger, wire, len, said);
	if (rc) {
		NODE_REASON_WRAP(said, MSG_CANNOT_JOIN, NODE_REASON_INNER);
		node_ctx_close(n);
		return -EINVAL;
	}
	const struct node_roster *r = node_ledger_roster(n->ledger);
	if (!node_roster_find(r, n->pk)) {
		NODE_REASON0(said, MSG_NODE_NOT_MEMBER_ROSTER);
		node_ctx_close(n);
		return -EINVAL;
	}
	char path[NODE_PATH_MAX];
	node_path(path, dir, "roster");
	write_file_atomic(path, wire, len, 0644);
	char net[65];
	uint8_t nid[32];
	node_ledger_net_id(n->ledger, nid);
	node_hex(net, nid, 32);
	NODE_REASON(said, MSG_JOINED_NETWORK_MEMBERS, net, r->n_members);
	node_ctx_close(n);
	return 0;
}

/* At join: a certificate against the policy refuses the roster; one out
 * of its validity period by this machine's clock only warns (each warning
 * a reason appended to *warns, *n_warns of them): the roster is the
 * network's, signed by its admins, and that member's connections fail in
 * TLS until a roster change replaces it. */
static int check_roster_certs(const struct node_roster *r,
			      struct node_reason *said,
			      struct node_reason **warns, size_t *n_warns)
{
	for (size_t i = 0; i < r->n_members; i++) {
		char why[128];
		const struct node_member *m = &r->members[i];
		if (node_member_cert_check(m, why, sizeof(why)) != 0) {
			NODE_REASON_LONG(said,
					 MSG_ROSTER_MEMBER_CERTIFICATE_REFUSED,
					 m->name, why);
			return -EINVAL;
		}
		char when[32];
		int v = cert_period(m, when);
		if (v == 0)
			continue;
		*warns =
		    crdt_xreallocarray(*warns, *n_warns + 1, sizeof(**warns));
		struct node_reason *w = &(*warns)[(*n_warns)++];
		if (v > 0)
			NODE_REASON_LONG(w,
					 MSG_WARNING_MEMBER_S_TLS_CERTIFICATE,
					 m->name, when);
		else
			NODE_REASON_LONG(w,
					 MSG_WARNING_MEMBER_S_TLS_CERTIFICATE_2,
					 m->name, when);
	}
	return 0;
}

static int network_create_why(const char *dir, const char *const *member_files,
			      size_t n_members, const char *out_path,
			      struct node_reason *said)
{
	uint8_t pk[32], *sk;
	if (sodium_init() < 0) {
		NODE_REASON0(said, MSG_LIBSODIUM_FAILED_INITIALISE);
		return -EIO;
	}
	int rc = node_identity_load(dir, pk, &sk);
	if (rc) {
		NODE_REASON_LONG(said, MSG_NOT_INITIALISED_RUN_WARD_INIT, dir,
				 dir);
		return -ENOTCONN;
	}
	struct node_member *ms = crdt_xcalloc(n_members + 1, sizeof(*ms));
	size_t n = 0;
	char path[NODE_PATH_MAX];
	node_path(path, dir, "node.pub");
	if ((rc = node_read_pub(path, &ms[n], said)) != 0)
		goto out;
	n++;
	for (size_t i = 0; i < n_members; i++) {
		struct node_member m;
		if ((rc = node_read_pub(member_files[i], &m, said)) != 0)
			goto out;
		bool dup = false;
		for (size_t k = 0; k < n; k++)
			dup |= !memcmp(ms[k].key, m.key, 32);
		if (dup) {
			node_member_fini(&m);
			continue; /* each member once */
		}
		ms[n++] = m;
	}
	uint8_t *wire;
	size_t wire_len;
	node_roster_build_genesis(ms, n, pk, sk, &wire, &wire_len);
	int fd = open(out_path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		int e = errno;
		NODE_REASON_LONG(
		    said, MSG_CANNOT_CREATE, out_path,
		    e == EEXIST
			? NODE_REASON_ID(MSG_EXISTS_REMOVE_CHOOSE_ANOTHER_OUT)
			: strerror(e));
		rc = e == EEXIST ? -EINVAL : -EIO;
		free(wire);
		goto out;
	}
	bool ok = write(fd, wire, wire_len) == (ssize_t)wire_len &&
		  fsync(fd) == 0;
	ok &= close(fd) == 0;
	if (!ok) {
		NODE_REASON_LONG(said, MSG_CANNOT_WRITE, out_path);
		rc = -EIO;
		free(wire);
		goto out;
	}
	rc = adopt(dir, wire, wire_len, said);
	if (rc == 0)
		NODE_REASON_TAIL(said, MSG_ROSTER_WRITTEN_HAND_EACH_MEMBER,
				 out_path);
	free(wire);
out:
	for (size_t i = 0; i < n; i++)
		node_member_fini(&ms[i]);
	free(ms);
	sodium_free(sk);
	return rc;
}

static int network_join_why(const char *dir, const char *roster_path,
			    struct node_reason *said,
			    struct node_reason **warns, size_t *n_warns)
{
	uint8_t *buf;
	size_t len;
	int rc = read_file(roster_path, &buf, &len, 16 * 1024 * 1024);
	if (rc) {
		NODE_REASON_LONG(said, MSG_CANNOT_READ_ROSTER, roster_path);
		return -EINVAL;
	}
	/* A chain of any length (or a lone genesis roster), verified from
	 * genesis; the certificates checked are those of the newest. */
	struct node_roster_chain chain;
	if (node_roster_chain_decode(buf, len, &chain, said) != 0) {
		NODE_REASON_WRAP(said, MSG_NOT_VALID_ROSTER, roster_path,
				 NODE_REASON_INNER);
		free(buf);
		return -EINVAL;
	}
	rc = check_roster_certs(chain.v[chain.n - 1], said, warns, n_warns);
	node_roster_chain_fini(&chain);
	if (rc == 0)
		rc = adopt(dir, buf, len, said);
	free(buf);
	return rc;
}

/* ---- the setup seams: render what was said and map the errno, once ---- */

static int said_text(int rc, const struct node_reason *said, bool zh, char *msg,
		     size_t msg_len)
{
	node_reason_text(said, zh ? NODE_LANG_ZH : NODE_LANG_EN, msg, msg_len);
	return node_exit_from_errno(rc);
}

int node_init(const struct node_init_opts *o, char *msg, size_t msg_len)
{
	struct node_reason said;
	int rc = init_why(o, &said);
	return said_text(rc, &said, o->zh, msg, msg_len);
}

int node_network_create(const char *dir, const char *const *member_files,
			size_t n_members, const char *out_path, bool zh,
			char *msg, size_t msg_len)
{
	struct node_reason said;
	int rc =
	    network_create_why(dir, member_files, n_members, out_path, &said);
	return said_text(rc, &said, zh, msg, msg_len);
}

int node_network_join(const char *dir, const char *roster_path, bool zh,
		      char *msg, size_t msg_len)
{
	struct node_reason said, *warns = NULL;
	size_t n_warns = 0;
	int rc = network_join_why(dir, roster_path, &said, &warns, &n_warns);
	int code = said_text(rc, &said, zh, msg, msg_len);
	for (size_t i = 0; rc == 0 && i < n_warns; i++) {
		size_t l = strlen(msg);
		node_reason_text(&warns[i], zh ? NODE_LANG_ZH : NODE_LANG_EN,
				 msg + l, msg_len - l);
	}
	free(warns);
	return code;
}
