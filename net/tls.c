/*
 * net/tls.c: the node's TLS identity and the roster's certificate checks,
 * the only file of ward that uses mbedTLS's X.509 and key-writing APIs.
 *
 * Nodes authenticate by pinning: every roster member's whole self-signed
 * certificate sits in the CA chain of its peers (notes/nng-tls.md), and
 * mbedTLS trusts a chain certificate that is byte for byte the peer's.
 * That only pins if no member can mint certificates: a CA:TRUE or v1
 * certificate in the chain would let its owner sign a certificate carrying
 * another member's CN, and mbedTLS would accept it. So net_tls_cert_check()
 * insists on v3 with CA:FALSE, and on one strict encoding (exactly one PEM
 * block, no trailing bytes) so that what the roster signs is what TLS
 * loads. Identities are created with O_EXCL so that a second `ward init`
 * can never silently replace a node's key.
 */
#include "net/tls.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecp.h>
#include <mbedtls/entropy.h>
#include <mbedtls/md.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/platform_util.h>
#include <mbedtls/sha256.h>
#include <mbedtls/x509_crt.h>

#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"
#define DRBG_PERSONALIZATION "ward-tls-identity-v1"
#define SERIAL_BYTES 16
#define VALIDITY_YEARS 30
#define KEY_PEM_CAP 1024
#define CERT_PEM_CAP 4096

/* ---------------------------------------------------------------------- */
/* mbedTLS errors                                                          */

/*
 * mbedTLS error codes are a high-level part (bits 7..14) plus a low-level
 * part (bits 0..6). Running out of memory is the only failure of ours
 * worth telling apart; everything else in key and certificate writing is
 * a failure of the random source or of mbedTLS itself.
 */
static int from_mbedtls(int ret)
{
	int high = -ret & 0x7F80;
	int low = -ret & 0x007F;

	if (high == -MBEDTLS_ERR_PK_ALLOC_FAILED ||
	    high == -MBEDTLS_ERR_ECP_ALLOC_FAILED ||
	    high == -MBEDTLS_ERR_X509_ALLOC_FAILED ||
	    high == -MBEDTLS_ERR_PEM_ALLOC_FAILED ||
	    low == -MBEDTLS_ERR_MPI_ALLOC_FAILED ||
	    low == -MBEDTLS_ERR_ASN1_ALLOC_FAILED)
		return -ENOMEM;
	return -EIO;
}

/* ---------------------------------------------------------------------- */
/* Making the identity                                                     */

/* Only characters that need no escaping in a distinguished name. */
static bool cn_valid(const char *cn)
{
	size_t n = strlen(cn);

	if (n == 0 || n > NET_TLS_CN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = cn[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' ||
			  c == '-';
		if (!ok)
			return false;
	}
	return true;
}

/*
 * Formats t + years (UTC) as mbedTLS's "YYYYMMDDhhmmss". A 29 February
 * moved to a common year becomes the 28th; mbedTLS writes UTCTime up to
 * 2049 and GeneralizedTime from 2050 on, as RFC 5280 asks.
 */
static int format_time(time_t t, int years, char out[15])
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return -EIO;
	tm.tm_year += years;
	if (tm.tm_mon == 1 && tm.tm_mday == 29)
		tm.tm_mday = 28;
	if (strftime(out, 15, "%Y%m%d%H%M%S", &tm) != 14)
		return -EIO;
	return 0;
}

/*
 * Makes a fresh key and its certificate as NUL-terminated PEM in the
 * caller's buffers. On failure the key buffer may hold partial secrets;
 * the caller wipes it either way.
 */
static int make_identity(const char *cn, unsigned char *key_pem, size_t key_cap,
			 unsigned char *cert_pem, size_t cert_cap)
{
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	mbedtls_pk_context key;
	mbedtls_x509write_cert crt;
	mbedtls_mpi serial;
	unsigned char serial_bytes[SERIAL_BYTES];
	char name[sizeof("CN=") + NET_TLS_CN_MAX];
	char not_before[15], not_after[15];
	time_t now = time(NULL);
	int ret, rc;

	if (now == (time_t)-1)
		return -EIO;
	rc = format_time(now - 24 * 60 * 60, 0, not_before);
	if (rc == 0)
		rc = format_time(now, VALIDITY_YEARS, not_after);
	if (rc != 0)
		return rc;
	snprintf(name, sizeof(name), "CN=%s", cn);

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	mbedtls_pk_init(&key);
	mbedtls_x509write_crt_init(&crt);
	mbedtls_mpi_init(&serial);

	ret = mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				    (const unsigned char *)DRBG_PERSONALIZATION,
				    sizeof(DRBG_PERSONALIZATION) - 1);
	if (ret != 0)
		goto out;
	ret =
	    mbedtls_pk_setup(&key, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY));
	if (ret != 0)
		goto out;
	ret = mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, mbedtls_pk_ec(key),
				  mbedtls_ctr_drbg_random, &drbg);
	if (ret != 0)
		goto out;
	ret = mbedtls_pk_write_key_pem(&key, key_pem, key_cap);
	if (ret != 0)
		goto out;

	/* Positive (top bit clear) and a full 16 bytes long (next bit set). */
	ret =
	    mbedtls_ctr_drbg_random(&drbg, serial_bytes, sizeof(serial_bytes));
	if (ret != 0)
		goto out;
	serial_bytes[0] = (unsigned char)((serial_bytes[0] & 0x3F) | 0x40);
	ret = mbedtls_mpi_read_binary(&serial, serial_bytes,
				      sizeof(serial_bytes));
	if (ret != 0)
		goto out;

	mbedtls_x509write_crt_set_version(&crt, MBEDTLS_X509_CRT_VERSION_3);
	mbedtls_x509write_crt_set_md_alg(&crt, MBEDTLS_MD_SHA256);
	mbedtls_x509write_crt_set_subject_key(&crt, &key);
	mbedtls_x509write_crt_set_issuer_key(&crt, &key);
	if ((ret = mbedtls_x509write_crt_set_serial(&crt, &serial)) != 0 ||
	    (ret = mbedtls_x509write_crt_set_validity(&crt, not_before,
						      not_after)) != 0 ||
	    (ret = mbedtls_x509write_crt_set_subject_name(&crt, name)) != 0 ||
	    (ret = mbedtls_x509write_crt_set_issuer_name(&crt, name)) != 0 ||
	    (ret = mbedtls_x509write_crt_set_basic_constraints(&crt, 0, -1)) !=
		0 ||
	    (ret = mbedtls_x509write_crt_set_key_usage(
		 &crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE |
			   MBEDTLS_X509_KU_KEY_AGREEMENT)) != 0 ||
	    (ret = mbedtls_x509write_crt_set_subject_key_identifier(&crt)) !=
		0 ||
	    (ret = mbedtls_x509write_crt_set_authority_key_identifier(&crt)) !=
		0)
		goto out;
	ret = mbedtls_x509write_crt_pem(&crt, cert_pem, cert_cap,
					mbedtls_ctr_drbg_random, &drbg);

out:
	mbedtls_mpi_free(&serial);
	mbedtls_x509write_crt_free(&crt);
	mbedtls_pk_free(&key);
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return ret == 0 ? 0 : from_mbedtls(ret);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Writes len bytes, syncs and closes fd (which is closed in any case). */
static int finish_file(int fd, const void *buf, size_t len)
{
	int rc = write_all(fd, buf, len);

	if (rc == 0 && fsync(fd) != 0)
		rc = -EIO;
	if (close(fd) != 0 && rc == 0)
		rc = -EIO;
	return rc;
}

/* Makes a new directory entry for path durable. */
static int sync_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd, rc = 0;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	if (dir == NULL)
		return -ENOMEM;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	if (fd < 0)
		return -EIO;
	if (fsync(fd) != 0)
		rc = -EIO;
	close(fd);
	return rc;
}

static int create_excl(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return errno == EEXIST ? -EEXIST : -EIO;
	return fd;
}

int net_tls_identity_create(const char *key_path, const char *cert_path,
			    const char *cn)
{
	unsigned char key_pem[KEY_PEM_CAP];
	unsigned char cert_pem[CERT_PEM_CAP];
	int key_fd, cert_fd, rc;

	assert(key_path != NULL && cert_path != NULL && cn != NULL);
	assert(strcmp(key_path, cert_path) != 0);
	if (!cn_valid(cn))
		return -EINVAL;

	/*
	 * Claim both names before the (slow) key generation, so a second
	 * init fails fast and touches nothing. A umask such as 0277 would
	 * narrow the key to 0400; the contract promises exactly 0600.
	 */
	key_fd = create_excl(key_path, S_IRUSR | S_IWUSR);
	if (key_fd < 0)
		return key_fd;
	if (fchmod(key_fd, S_IRUSR | S_IWUSR) != 0) {
		close(key_fd);
		rc = -EIO;
		goto fail_key;
	}
	cert_fd = create_excl(cert_path, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
	if (cert_fd < 0) {
		close(key_fd);
		rc = cert_fd;
		goto fail_key;
	}

	rc = make_identity(cn, key_pem, sizeof(key_pem), cert_pem,
			   sizeof(cert_pem));
	if (rc != 0) {
		close(cert_fd);
		close(key_fd);
		goto fail_cert;
	}
	/* Both PEM writers NUL-terminate; the files hold the text only. */
	rc = finish_file(key_fd, key_pem, strlen((const char *)key_pem));
	if (rc != 0) {
		close(cert_fd);
		goto fail_cert;
	}
	rc = finish_file(cert_fd, cert_pem, strlen((const char *)cert_pem));
	if (rc != 0)
		goto fail_cert;
	rc = sync_parent(key_path);
	if (rc == 0)
		rc = sync_parent(cert_path);
	if (rc != 0)
		goto fail_cert;
	mbedtls_platform_zeroize(key_pem, sizeof(key_pem));
	return 0;

fail_cert:
	unlink(cert_path);
fail_key:
	unlink(key_path);
	mbedtls_platform_zeroize(key_pem, sizeof(key_pem));
	return rc;
}

/* ---------------------------------------------------------------------- */
/* Reading certificates                                                    */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Parses pem (len bytes, untrusted) into crt, which the caller has
 * initialised and frees. Accepts exactly one PEM CERTIFICATE block with
 * only whitespace around it, whose base64 holds exactly one DER
 * certificate and nothing after it. mbedtls_x509_crt_parse() alone would
 * skip text before a block, load every block and ignore bytes after the
 * DER, so the strict framing is done here. On -EBADMSG *why says why.
 */
static int parse_one(const char *pem, size_t len, mbedtls_x509_crt *crt,
		     const char **why)
{
	mbedtls_pem_context block;
	size_t start = 0, used = 0, rest;
	char *text;
	int ret, rc = -EBADMSG;

	*why = "not a PEM certificate";
	if (len > NET_TLS_CERT_PEM_MAX_BYTES) {
		*why = "PEM certificate is too large";
		return -EBADMSG;
	}
	if (len > 0 && memchr(pem, '\0', len) != NULL)
		return -EBADMSG;
	while (start < len && is_space(pem[start]))
		start++;
	if (len - start < sizeof(PEM_BEGIN) - 1 ||
	    memcmp(pem + start, PEM_BEGIN, sizeof(PEM_BEGIN) - 1) != 0)
		return -EBADMSG;

	/* mbedTLS's PEM reader wants a NUL-terminated string. */
	text = malloc(len - start + 1);
	if (text == NULL)
		return -ENOMEM;
	memcpy(text, pem + start, len - start);
	text[len - start] = '\0';

	mbedtls_pem_init(&block);
	ret = mbedtls_pem_read_buffer(&block, PEM_BEGIN, PEM_END,
				      (const unsigned char *)text, NULL, 0,
				      &used);
	if (ret == MBEDTLS_ERR_PEM_NO_HEADER_FOOTER_PRESENT) {
		*why = "PEM certificate is truncated";
		goto out;
	}
	if (ret == MBEDTLS_ERR_PEM_ALLOC_FAILED) {
		rc = -ENOMEM;
		goto out;
	}
	if (ret != 0) {
		*why = "PEM certificate has bad base64";
		goto out;
	}
	for (rest = used; text[rest] != '\0' && is_space(text[rest]); rest++)
		;
	if (text[rest] != '\0') {
		*why = strstr(text + rest, PEM_BEGIN) != NULL
			   ? "PEM holds more than one certificate"
			   : "data after the PEM certificate";
		goto out;
	}

	ret = mbedtls_x509_crt_parse_der(crt, block.buf, block.buflen);
	if (ret != 0) {
		if (from_mbedtls(ret) == -ENOMEM)
			rc = -ENOMEM;
		*why = "certificate does not parse as X.509";
		goto out;
	}
	if (crt->raw.len != block.buflen) {
		*why = "data after the certificate DER";
		goto out;
	}
	rc = 0;

out:
	mbedtls_pem_free(&block);
	free(text);
	return rc;
}

/*
 * The policy of net_tls_cert_check() on a parsed certificate. Not const:
 * mbedtls_pk_verify_ext() of 2.28 takes a mutable key.
 */
static const char *policy_failure(mbedtls_x509_crt *crt)
{
	unsigned char hash[MBEDTLS_MD_MAX_SIZE];
	const mbedtls_md_info_t *md;
	const mbedtls_ecp_keypair *ec;
	mbedtls_pk_type_t type = mbedtls_pk_get_type(&crt->pk);

	if (crt->version != 3)
		return "certificate is not X.509 v3";
	if ((crt->ext_types & MBEDTLS_X509_EXT_BASIC_CONSTRAINTS) == 0)
		return "certificate has no basicConstraints";
	if (crt->ca_istrue)
		return "certificate is CA:TRUE";
	if (type != MBEDTLS_PK_ECKEY && type != MBEDTLS_PK_ECDSA)
		return "certificate key is not an EC signing key";
	ec = mbedtls_pk_ec(crt->pk);
	if (ec == NULL || ec->grp.id != MBEDTLS_ECP_DP_SECP256R1)
		return "certificate key is not on P-256";
	if (mbedtls_x509_crt_check_key_usage(
		crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE) != 0)
		return "certificate key usage lacks digitalSignature";
	if (mbedtls_x509_crt_check_extended_key_usage(
		crt, MBEDTLS_OID_SERVER_AUTH,
		MBEDTLS_OID_SIZE(MBEDTLS_OID_SERVER_AUTH)) != 0 ||
	    mbedtls_x509_crt_check_extended_key_usage(
		crt, MBEDTLS_OID_CLIENT_AUTH,
		MBEDTLS_OID_SIZE(MBEDTLS_OID_CLIENT_AUTH)) != 0)
		return "certificate extended key usage excludes TLS client or "
		       "server";
	if (crt->issuer_raw.len != crt->subject_raw.len ||
	    memcmp(crt->issuer_raw.p, crt->subject_raw.p,
		   crt->subject_raw.len) != 0)
		return "certificate is not self-signed";
	if (crt->sig_pk != MBEDTLS_PK_ECDSA)
		return "certificate signature is not ECDSA";
	if (crt->sig_md != MBEDTLS_MD_SHA256 &&
	    crt->sig_md != MBEDTLS_MD_SHA384 &&
	    crt->sig_md != MBEDTLS_MD_SHA512)
		return "certificate signature hash is weaker than SHA-256";
	md = mbedtls_md_info_from_type(crt->sig_md);
	if (md == NULL || mbedtls_md(md, crt->tbs.p, crt->tbs.len, hash) != 0 ||
	    mbedtls_pk_verify_ext(crt->sig_pk, crt->sig_opts, &crt->pk,
				  crt->sig_md, hash, mbedtls_md_get_size(md),
				  crt->sig.p, crt->sig.len) != 0)
		return "certificate self-signature does not verify";
	return NULL;
}

int net_tls_cert_check(const char *pem, size_t len, char *why, size_t why_len)
{
	mbedtls_x509_crt crt;
	const char *reason;
	int rc;

	assert(pem != NULL || len == 0);
	mbedtls_x509_crt_init(&crt);
	rc = parse_one(pem, len, &crt, &reason);
	if (rc == 0) {
		reason = policy_failure(&crt);
		if (reason != NULL)
			rc = -EBADMSG;
	}
	if (rc == -EBADMSG && why != NULL && why_len > 0)
		snprintf(why, why_len, "%s", reason);
	mbedtls_x509_crt_free(&crt);
	return rc;
}

int net_tls_cert_check_member(const char *pem, size_t len, const char *cn,
			      char *why, size_t why_len)
{
	char got[NET_TLS_CN_MAX + 1];
	int rc = net_tls_cert_check(pem, len, why, why_len);

	if (rc != 0)
		return rc;
	rc = net_tls_cert_cn(pem, len, got, sizeof(got));
	if (rc == -ENOMEM)
		return rc;
	if (rc != 0 || strcasecmp(got, cn) != 0) {
		if (why != NULL && why_len > 0)
			snprintf(why, why_len, "%s",
				 rc != 0 ? "certificate has no usable CN"
					 : "certificate CN names another key "
					   "than the member's");
		return -EBADMSG;
	}
	return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian), without timegm's
 * dependence on the process's time zone. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t x509_seconds(const mbedtls_x509_time *t)
{
	return days_from_civil(t->year, t->mon, t->day) * 86400 +
	       (int64_t)t->hour * 3600 + (int64_t)t->min * 60 + t->sec;
}

int net_tls_cert_validity(const char *pem, size_t len, int64_t *not_before,
			  int64_t *not_after)
{
	mbedtls_x509_crt crt;
	const char *reason;
	int rc;

	assert((pem != NULL || len == 0) && not_before && not_after);
	mbedtls_x509_crt_init(&crt);
	rc = parse_one(pem, len, &crt, &reason);
	if (rc == 0) {
		*not_before = x509_seconds(&crt.valid_from);
		*not_after = x509_seconds(&crt.valid_to);
	}
	mbedtls_x509_crt_free(&crt);
	return rc;
}

int net_tls_cert_fingerprint(const char *pem, size_t len,
			     uint8_t out[NET_TLS_FINGERPRINT_BYTES])
{
	mbedtls_x509_crt crt;
	const char *reason;
	unsigned char digest[32];
	int rc;

	assert((pem != NULL || len == 0) && out != NULL);
	mbedtls_x509_crt_init(&crt);
	rc = parse_one(pem, len, &crt, &reason);
	if (rc == 0 &&
	    mbedtls_sha256_ret(crt.raw.p, crt.raw.len, digest, 0) != 0)
		rc = -EIO;
	if (rc == 0)
		memcpy(out, digest, sizeof(digest));
	mbedtls_x509_crt_free(&crt);
	return rc;
}

int net_tls_cert_cn(const char *pem, size_t len, char *cn, size_t cn_len)
{
	mbedtls_x509_crt crt;
	const mbedtls_x509_name *name;
	const mbedtls_x509_buf *found = NULL;
	const char *reason;
	int rc;

	assert((pem != NULL || len == 0) && cn != NULL);
	mbedtls_x509_crt_init(&crt);
	rc = parse_one(pem, len, &crt, &reason);
	if (rc != 0)
		goto out;
	rc = -EBADMSG;
	for (name = &crt.subject; name != NULL; name = name->next) {
		if (name->oid.p == NULL ||
		    MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &name->oid) != 0)
			continue;
		if (found != NULL)
			goto out;
		found = &name->val;
	}
	if (found == NULL || found->len == 0 || found->len > NET_TLS_CN_MAX ||
	    memchr(found->p, '\0', found->len) != NULL)
		goto out;
	if (found->len >= cn_len) {
		rc = -EINVAL;
		goto out;
	}
	memcpy(cn, found->p, found->len);
	cn[found->len] = '\0';
	rc = 0;
out:
	mbedtls_x509_crt_free(&crt);
	return rc;
}
