/*
 * Unit tests for net/tls.c: creating the node's TLS identity in a
 * temporary directory, and the roster's certificate checks against
 * certificates made here with mbedTLS's x509write API (CA:TRUE, v1, no
 * basicConstraints, wrong curve, forged signature) and against broken PEM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/oid.h>
#include <mbedtls/pem.h>
#include <mbedtls/pk.h>
#include <mbedtls/sha256.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include <sodium.h>

#include "crdt/crdt.h"
#include "net/tls.h"
#include "node/api/node_int.h"
#include "node/ledger/roster.h"

#define CN_HEX                                                                 \
	"3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"
#define PEM_BEGIN_LINE "-----BEGIN CERTIFICATE-----\n"
#define PEM_END_LINE "-----END CERTIFICATE-----\n"

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

struct dir {
	char path[64];
	char key[128];
	char cert[128];
};

static int dir_setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	strcpy(d->path, "/tmp/ward-test-tls-XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->key, sizeof(d->key), "%s/tls.key", d->path);
	snprintf(d->cert, sizeof(d->cert), "%s/tls.crt", d->path);
	*state = d;
	return 0;
}

static int dir_teardown(void **state)
{
	struct dir *d = *state;

	unlink(d->key);
	unlink(d->cert);
	assert_int_equal(rmdir(d->path), 0);
	free(d);
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Reads a whole small file; returns owned, NUL-terminated, length in *len. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = malloc(8192);
	FILE *f = fopen(path, "rb");
	size_t n;

	assert_non_null(buf);
	assert_non_null(f);
	n = fread(buf, 1, 8191, f);
	assert_int_equal(ferror(f), 0);
	assert_true(feof(f));
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static mbedtls_entropy_context entropy;
static mbedtls_ctr_drbg_context drbg;

static int drbg_setup(void **state)
{
	(void)state;
	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&drbg);
	return mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy,
				     (const unsigned char *)"test_tls", 8);
}

static int drbg_teardown(void **state)
{
	(void)state;
	mbedtls_ctr_drbg_free(&drbg);
	mbedtls_entropy_free(&entropy);
	return 0;
}

static void gen_key(mbedtls_pk_context *pk, mbedtls_ecp_group_id curve)
{
	mbedtls_pk_init(pk);
	assert_int_equal(
	    mbedtls_pk_setup(pk, mbedtls_pk_info_from_type(MBEDTLS_PK_ECKEY)),
	    0);
	assert_int_equal(mbedtls_ecp_gen_key(curve, mbedtls_pk_ec(*pk),
					     mbedtls_ctr_drbg_random, &drbg),
			 0);
}

enum bc { BC_NONE, BC_FALSE, BC_TRUE };

/* What make_cert() writes; cert_good() is a certificate ward accepts. */
struct spec {
	int version;
	enum bc bc;
	mbedtls_ecp_group_id curve;
	mbedtls_md_type_t md;
	unsigned key_usage; /* 0: no keyUsage extension */
	bool foreign_signer;
	const char *issuer;	  /* NULL: same as subject */
	const unsigned char *eku; /* extKeyUsage DER value, or NULL */
	size_t eku_len;
	const char *cn;		/* NULL: CN_HEX */
	const char *not_before; /* "YYYYMMDDhhmmss"; NULL: 2024 */
	const char *not_after;	/* NULL: 2054 */
};

static struct spec cert_good(void)
{
	struct spec s = {
	    .version = MBEDTLS_X509_CRT_VERSION_3,
	    .bc = BC_FALSE,
	    .curve = MBEDTLS_ECP_DP_SECP256R1,
	    .md = MBEDTLS_MD_SHA256,
	    .key_usage = MBEDTLS_X509_KU_DIGITAL_SIGNATURE,
	    .foreign_signer = false,
	    .issuer = NULL,
	    .eku = NULL,
	    .eku_len = 0,
	};
	return s;
}

/* Returns an owned NUL-terminated PEM certificate made to s; its private
 * key as owned PEM in *key_pem unless key_pem is NULL. */
static char *make_cert_key(const struct spec *s, char **key_pem)
{
	mbedtls_pk_context key, signer;
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	char subject[80];
	char *pem = malloc(4096);

	assert_non_null(pem);
	snprintf(subject, sizeof(subject), "CN=%s", s->cn ? s->cn : CN_HEX);
	gen_key(&key, s->curve);
	gen_key(&signer, MBEDTLS_ECP_DP_SECP256R1);
	mbedtls_mpi_init(&serial);
	assert_int_equal(mbedtls_mpi_lset(&serial, 12345), 0);

	mbedtls_x509write_crt_init(&w);
	mbedtls_x509write_crt_set_version(&w, s->version);
	mbedtls_x509write_crt_set_md_alg(&w, s->md);
	mbedtls_x509write_crt_set_subject_key(&w, &key);
	mbedtls_x509write_crt_set_issuer_key(&w, s->foreign_signer ? &signer
								   : &key);
	assert_int_equal(mbedtls_x509write_crt_set_serial(&w, &serial), 0);
	assert_int_equal(mbedtls_x509write_crt_set_validity(
			     &w,
			     s->not_before ? s->not_before : "20240101000000",
			     s->not_after ? s->not_after : "20540101000000"),
			 0);
	assert_int_equal(mbedtls_x509write_crt_set_subject_name(&w, subject),
			 0);
	assert_int_equal(mbedtls_x509write_crt_set_issuer_name(
			     &w, s->issuer ? s->issuer : subject),
			 0);
	if (s->bc != BC_NONE)
		assert_int_equal(mbedtls_x509write_crt_set_basic_constraints(
				     &w, s->bc == BC_TRUE, -1),
				 0);
	if (s->key_usage != 0)
		assert_int_equal(
		    mbedtls_x509write_crt_set_key_usage(&w, s->key_usage), 0);
	if (s->eku != NULL)
		assert_int_equal(
		    mbedtls_x509write_crt_set_extension(
			&w, MBEDTLS_OID_EXTENDED_KEY_USAGE,
			MBEDTLS_OID_SIZE(MBEDTLS_OID_EXTENDED_KEY_USAGE), 0,
			s->eku, s->eku_len),
		    0);
	assert_int_equal(
	    mbedtls_x509write_crt_pem(&w, (unsigned char *)pem, 4096,
				      mbedtls_ctr_drbg_random, &drbg),
	    0);

	if (key_pem != NULL) {
		*key_pem = malloc(1024);
		assert_non_null(*key_pem);
		assert_int_equal(mbedtls_pk_write_key_pem(
				     &key, (unsigned char *)*key_pem, 1024),
				 0);
	}

	mbedtls_x509write_crt_free(&w);
	mbedtls_mpi_free(&serial);
	mbedtls_pk_free(&signer);
	mbedtls_pk_free(&key);
	return pem;
}

static char *make_cert(const struct spec *s)
{
	return make_cert_key(s, NULL);
}

/* Re-encodes len DER bytes as an owned NUL-terminated PEM certificate. */
static char *der_to_pem(const unsigned char *der, size_t len)
{
	char *pem = malloc(8192);
	size_t olen;

	assert_non_null(pem);
	assert_int_equal(
	    mbedtls_pem_write_buffer(PEM_BEGIN_LINE, PEM_END_LINE, der, len,
				     (unsigned char *)pem, 8192, &olen),
	    0);
	return pem;
}

/* Checks pem (a C string) and that it is refused with reason want. */
static void assert_refused(const char *pem, size_t len, const char *want)
{
	char why[128] = "";

	assert_int_equal(net_tls_cert_check(pem, len, why, sizeof(why)),
			 -EBADMSG);
	if (strcmp(why, want) != 0)
		fail_msg("reason \"%s\", want \"%s\"", why, want);
}

static void assert_refused_str(const char *pem, const char *want)
{
	assert_refused(pem, strlen(pem), want);
}

static void assert_accepted(const char *pem, size_t len)
{
	char why[128] = "unchanged";

	if (net_tls_cert_check(pem, len, why, sizeof(why)) != 0)
		fail_msg("refused: %s", why);
	assert_string_equal(why, "unchanged");
}

/* ---------------------------------------------------------------------- */
/* net_tls_identity_create                                                 */

static void test_create_identity(void **state)
{
	struct dir *d = *state;
	struct stat st;
	char *key_pem, *cert_pem;
	size_t key_len, cert_len;
	uint8_t fp1[NET_TLS_FINGERPRINT_BYTES], fp2[NET_TLS_FINGERPRINT_BYTES];
	unsigned char der_hash[32];
	char cn[NET_TLS_CN_MAX + 1];
	mbedtls_x509_crt crt;
	mbedtls_pk_context key;
	time_t now = time(NULL);
	struct tm tm;
	uint32_t flags = 1;

	assert_int_equal(net_tls_identity_create(d->key, d->cert, CN_HEX), 0);
	assert_int_equal(stat(d->key, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(d->cert, &st), 0);
	assert_true(S_ISREG(st.st_mode));

	cert_pem = slurp(d->cert, &cert_len);
	key_pem = slurp(d->key, &key_len);
	assert_accepted(cert_pem, cert_len);

	assert_int_equal(net_tls_cert_cn(cert_pem, cert_len, cn, sizeof(cn)),
			 0);
	assert_string_equal(cn, CN_HEX);

	assert_int_equal(net_tls_cert_fingerprint(cert_pem, cert_len, fp1), 0);
	assert_int_equal(net_tls_cert_fingerprint(cert_pem, cert_len, fp2), 0);
	assert_memory_equal(fp1, fp2, sizeof(fp1));

	/* The fingerprint is SHA-256 of the DER; the key is the cert's. */
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse(&crt,
						(const unsigned char *)cert_pem,
						cert_len + 1),
			 0);
	assert_int_equal(
	    mbedtls_sha256_ret(crt.raw.p, crt.raw.len, der_hash, 0), 0);
	assert_memory_equal(fp1, der_hash, sizeof(fp1));
	mbedtls_pk_init(&key);
	assert_int_equal(mbedtls_pk_parse_key(&key,
					      (const unsigned char *)key_pem,
					      key_len + 1, NULL, 0),
			 0);
	assert_int_equal(mbedtls_pk_check_pair(&crt.pk, &key), 0);

	/* The details the contract promises. */
	assert_int_equal(crt.version, 3);
	assert_int_equal(crt.sig_md, MBEDTLS_MD_SHA256);
	assert_true(crt.serial.len >= 1 && crt.serial.len <= 20);
	assert_int_equal(crt.serial.p[0] & 0x80, 0);
	assert_true(crt.ext_types & MBEDTLS_X509_EXT_KEY_USAGE);
	assert_int_equal(mbedtls_x509_crt_check_key_usage(
			     &crt, MBEDTLS_X509_KU_DIGITAL_SIGNATURE),
			 0);
	assert_false(mbedtls_x509_time_is_future(&crt.valid_from));
	assert_false(mbedtls_x509_time_is_past(&crt.valid_to));
	assert_non_null(gmtime_r(&now, &tm));
	assert_int_equal(crt.valid_to.year, tm.tm_year + 1900 + 30);

	/* Pinned as its own trust anchor, as the TLS config will. */
	assert_int_equal(mbedtls_x509_crt_verify(&crt, &crt, NULL, CN_HEX,
						 &flags, NULL, NULL),
			 0);
	assert_int_equal(flags, 0);

	mbedtls_pk_free(&key);
	mbedtls_x509_crt_free(&crt);
	free(key_pem);
	free(cert_pem);
}

static void test_create_twice_refused(void **state)
{
	struct dir *d = *state;
	char *key1, *cert1, *key2, *cert2;
	size_t key1_len, cert1_len, key2_len, cert2_len;

	assert_int_equal(net_tls_identity_create(d->key, d->cert, CN_HEX), 0);
	key1 = slurp(d->key, &key1_len);
	cert1 = slurp(d->cert, &cert1_len);

	assert_int_equal(net_tls_identity_create(d->key, d->cert, CN_HEX),
			 -EEXIST);
	key2 = slurp(d->key, &key2_len);
	cert2 = slurp(d->cert, &cert2_len);
	assert_int_equal(key1_len, key2_len);
	assert_memory_equal(key1, key2, key1_len);
	assert_int_equal(cert1_len, cert2_len);
	assert_memory_equal(cert1, cert2, cert1_len);

	free(key1);
	free(cert1);
	free(key2);
	free(cert2);
}

/* An existing certificate is not replaced either, and no key is left. */
static void test_create_existing_cert_refused(void **state)
{
	struct dir *d = *state;
	char *cert;
	size_t len;
	int fd;

	fd = open(d->cert, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old", 3), 3);
	close(fd);

	assert_int_equal(net_tls_identity_create(d->key, d->cert, CN_HEX),
			 -EEXIST);
	assert_false(exists(d->key));
	cert = slurp(d->cert, &len);
	assert_string_equal(cert, "old");
	free(cert);
}

static void test_create_bad_cn(void **state)
{
	struct dir *d = *state;
	static const char *const bad[] = {
	    "",		"a,b",	       "a=b",	    "with space",
	    "quote\"",	"back\\slash", "plus+sign", "x\ny",
	    "\xc3\xa9", CN_HEX "0",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    net_tls_identity_create(d->key, d->cert, bad[i]), -EINVAL);
		assert_false(exists(d->key));
		assert_false(exists(d->cert));
	}
}

static void test_create_short_cn(void **state)
{
	struct dir *d = *state;
	char *pem;
	size_t len;
	char cn[NET_TLS_CN_MAX + 1];

	assert_int_equal(net_tls_identity_create(d->key, d->cert, "node-1.a_B"),
			 0);
	pem = slurp(d->cert, &len);
	assert_accepted(pem, len);
	assert_int_equal(net_tls_cert_cn(pem, len, cn, sizeof(cn)), 0);
	assert_string_equal(cn, "node-1.a_B");
	free(pem);
}

/* File errors are -EIO and leave nothing behind. */
static void test_create_file_errors(void **state)
{
	struct dir *d = *state;
	char missing[192];

	snprintf(missing, sizeof(missing), "%s/no/such/dir/tls.key", d->path);
	assert_int_equal(net_tls_identity_create(missing, d->cert, CN_HEX),
			 -EIO);
	assert_false(exists(d->cert));

	snprintf(missing, sizeof(missing), "%s/no/such/dir/tls.crt", d->path);
	assert_int_equal(net_tls_identity_create(d->key, missing, CN_HEX),
			 -EIO);
	assert_false(exists(d->key));
}

/* ---------------------------------------------------------------------- */
/* net_tls_cert_check                                                      */

static void test_check_made_good(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	pem = make_cert(&s);
	assert_accepted(pem, strlen(pem));

	/* Without a keyUsage extension it is acceptable as well. */
	free(pem);
	s.key_usage = 0;
	pem = make_cert(&s);
	assert_accepted(pem, strlen(pem));
	free(pem);
}

static void test_check_ca_true(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.bc = BC_TRUE;
	s.key_usage |= MBEDTLS_X509_KU_KEY_CERT_SIGN;
	pem = make_cert(&s);
	assert_refused_str(pem, "certificate is CA:TRUE");
	free(pem);
}

static void test_check_v1(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.version = MBEDTLS_X509_CRT_VERSION_1;
	pem = make_cert(&s);
	assert_refused_str(pem, "certificate is not X.509 v3");
	free(pem);
}

static void test_check_no_basic_constraints(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.bc = BC_NONE;
	pem = make_cert(&s);
	assert_refused_str(pem, "certificate has no basicConstraints");
	free(pem);
}

static void test_check_wrong_curve(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.curve = MBEDTLS_ECP_DP_SECP384R1;
	pem = make_cert(&s);
	assert_refused_str(pem, "certificate key is not on P-256");
	free(pem);
}

static void test_check_key_usage(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.key_usage = MBEDTLS_X509_KU_KEY_AGREEMENT;
	pem = make_cert(&s);
	assert_refused_str(pem, "certificate key usage lacks digitalSignature");
	free(pem);
}

static void test_check_extended_key_usage(void **state)
{
	/* SEQUENCE { serverAuth } and SEQUENCE { serverAuth, clientAuth }. */
	static const unsigned char server[] = {0x30, 0x0a, 0x06, 0x08,
					       0x2b, 0x06, 0x01, 0x05,
					       0x05, 0x07, 0x03, 0x01};
	static const unsigned char both[] = {
	    0x30, 0x14, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03,
	    0x01, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x02};
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.eku = server;
	s.eku_len = sizeof(server);
	pem = make_cert(&s);
	assert_refused_str(
	    pem,
	    "certificate extended key usage excludes TLS client or server");
	free(pem);

	s.eku = both;
	s.eku_len = sizeof(both);
	pem = make_cert(&s);
	assert_accepted(pem, strlen(pem));
	free(pem);
}

static void test_check_not_self_signed(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.foreign_signer = true;
	pem = make_cert(&s);
	assert_refused_str(pem, "certificate self-signature does not verify");
	free(pem);

	s = cert_good();
	s.issuer = "CN=someone else";
	pem = make_cert(&s);
	assert_refused_str(pem, "certificate is not self-signed");
	free(pem);
}

static void test_check_weak_hash(void **state)
{
	struct spec s = cert_good();
	char *pem;

	(void)state;
	s.md = MBEDTLS_MD_SHA1;
	pem = make_cert(&s);
	assert_refused_str(pem,
			   "certificate signature hash is weaker than SHA-256");
	free(pem);
}

static void test_check_garbage(void **state)
{
	char why[64] = "unchanged";
	unsigned char noise[700];

	(void)state;
	assert_refused_str("", "not a PEM certificate");
	assert_refused_str("hello, world", "not a PEM certificate");
	assert_refused_str(PEM_BEGIN_LINE "AAAA\n" PEM_END_LINE,
			   "certificate does not parse as X.509");
	assert_refused_str(PEM_BEGIN_LINE "!!!!\n" PEM_END_LINE,
			   "PEM certificate has bad base64");
	assert_refused_str(PEM_BEGIN_LINE PEM_END_LINE,
			   "PEM certificate has bad base64");
	assert_refused_str(PEM_BEGIN_LINE, "PEM certificate is truncated");
	assert_refused_str("-----BEGIN CERTIFICATE REQUEST-----\n",
			   "not a PEM certificate");
	assert_int_equal(net_tls_cert_check(NULL, 0, NULL, 0), -EBADMSG);

	/* A NULL why, and a why too small for the reason, are fine. */
	assert_int_equal(net_tls_cert_check("x", 1, NULL, 0), -EBADMSG);
	assert_int_equal(net_tls_cert_check("x", 1, why, 4), -EBADMSG);
	assert_string_equal(why, "not");

	assert_int_equal(mbedtls_ctr_drbg_random(&drbg, noise, sizeof(noise)),
			 0);
	assert_int_equal(
	    net_tls_cert_check((const char *)noise, sizeof(noise), NULL, 0),
	    -EBADMSG);
}

static void test_check_truncated(void **state)
{
	struct spec s = cert_good();
	char *pem, *copy;
	size_t len;
	size_t footer_end;

	(void)state;
	pem = make_cert(&s);
	len = strlen(pem);
	assert_accepted(pem, len);
	/* The last byte is the newline after the footer; it is optional. */
	assert_int_equal(pem[len - 1], '\n');
	footer_end = len - 1;
	assert_accepted(pem, footer_end);

	/* Every shorter prefix, each in a buffer of exactly its size. */
	for (size_t n = 0; n < footer_end; n++) {
		copy = malloc(n + 1);
		assert_non_null(copy);
		memcpy(copy, pem, n);
		assert_int_equal(net_tls_cert_check(copy, n, NULL, 0),
				 -EBADMSG);
		free(copy);
	}
	free(pem);
}

static void test_check_two_certs(void **state)
{
	struct spec s = cert_good();
	char *a, *b, both[8192];

	(void)state;
	a = make_cert(&s);
	b = make_cert(&s);
	snprintf(both, sizeof(both), "%s%s", a, b);
	assert_refused_str(both, "PEM holds more than one certificate");
	snprintf(both, sizeof(both), "%s%s", a, a);
	assert_refused_str(both, "PEM holds more than one certificate");
	free(a);
	free(b);
}

static void test_check_framing(void **state)
{
	struct spec s = cert_good();
	char *pem, buf[8192];
	unsigned char der[2048];
	size_t der_len;
	mbedtls_x509_crt crt;
	char *padded;

	(void)state;
	pem = make_cert(&s);

	/* Whitespace around the block is fine. */
	snprintf(buf, sizeof(buf), " \r\n\t%s\r\n\n", pem);
	assert_accepted(buf, strlen(buf));

	/* Text before or after it is not. */
	snprintf(buf, sizeof(buf), "subject=me\n%s", pem);
	assert_refused_str(buf, "not a PEM certificate");
	snprintf(buf, sizeof(buf), "%sextra\n", pem);
	assert_refused_str(buf, "data after the PEM certificate");

	/* A NUL byte inside: not text. */
	memcpy(buf, pem, strlen(pem) + 1);
	buf[100] = '\0';
	assert_refused(buf, strlen(pem), "not a PEM certificate");

	/* Bytes after the DER inside the base64. */
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse(
			     &crt, (const unsigned char *)pem, strlen(pem) + 1),
			 0);
	der_len = crt.raw.len;
	assert_true(der_len + 1 <= sizeof(der));
	memcpy(der, crt.raw.p, der_len);
	mbedtls_x509_crt_free(&crt);
	der[der_len] = 0x00;
	padded = der_to_pem(der, der_len + 1);
	assert_refused_str(padded, "data after the certificate DER");
	free(padded);

	/* A flipped bit in the signature. */
	der[der_len - 3] ^= 0x01;
	padded = der_to_pem(der, der_len);
	assert_refused_str(padded,
			   "certificate self-signature does not verify");
	free(padded);

	/* Oversized input is refused before anything is copied. */
	padded = calloc(1, NET_TLS_CERT_PEM_MAX_BYTES + 1);
	assert_non_null(padded);
	memset(padded, ' ', NET_TLS_CERT_PEM_MAX_BYTES + 1);
	memcpy(padded, pem, strlen(pem));
	assert_refused(padded, NET_TLS_CERT_PEM_MAX_BYTES + 1,
		       "PEM certificate is too large");
	free(padded);
	free(pem);
}

/* ---------------------------------------------------------------------- */
/* net_tls_cert_fingerprint and net_tls_cert_cn                           */

static void test_fingerprint_and_cn_errors(void **state)
{
	struct spec s = cert_good();
	uint8_t fp[NET_TLS_FINGERPRINT_BYTES], zero[NET_TLS_FINGERPRINT_BYTES];
	char cn[NET_TLS_CN_MAX + 1];
	char *pem, *other;
	uint8_t fp_other[NET_TLS_FINGERPRINT_BYTES];

	(void)state;
	memset(fp, 0, sizeof(fp));
	memset(zero, 0, sizeof(zero));
	assert_int_equal(net_tls_cert_fingerprint("junk", 4, fp), -EBADMSG);
	assert_memory_equal(fp, zero, sizeof(fp));
	strcpy(cn, "unchanged");
	assert_int_equal(net_tls_cert_cn("junk", 4, cn, sizeof(cn)), -EBADMSG);
	assert_string_equal(cn, "unchanged");

	/* Fingerprint and CN do not depend on the policy check. */
	s.bc = BC_TRUE;
	pem = make_cert(&s);
	assert_int_equal(net_tls_cert_fingerprint(pem, strlen(pem), fp), 0);
	assert_int_equal(net_tls_cert_cn(pem, strlen(pem), cn, sizeof(cn)), 0);
	assert_string_equal(cn, CN_HEX);

	/* Different certificates, different fingerprints. */
	other = make_cert(&s);
	assert_int_equal(
	    net_tls_cert_fingerprint(other, strlen(other), fp_other), 0);
	assert_memory_not_equal(fp, fp_other, sizeof(fp));

	/* A buffer too small for the CN is the caller's error. */
	strcpy(cn, "unchanged");
	assert_int_equal(net_tls_cert_cn(pem, strlen(pem), cn, 64), -EINVAL);
	assert_string_equal(cn, "unchanged");
	free(other);
	free(pem);
}

/* ---------------------------------------------------------------------- */
/* Roster policy: a member's CN, and the validity period                  */

#define CN_OTHER                                                               \
	"9f1c0d2e4b6a8c0e1f3a5b7c9d1e2f4a6b8c0d2e4f6a8b0c2d4e6f8a0b2c4d6e"

static void test_check_member_cn(void **state)
{
	struct spec s = cert_good();
	char why[128] = "";
	char *pem, *upper;

	(void)state;
	pem = make_cert(&s);
	assert_int_equal(
	    net_tls_cert_check_member(pem, strlen(pem), CN_HEX, why, 128), 0);
	/* Hex in either case names the same key, as in the dialer's check. */
	upper = strdup(CN_HEX);
	for (char *c = upper; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	assert_int_equal(
	    net_tls_cert_check_member(pem, strlen(pem), upper, why, 128), 0);
	/* A certificate naming another member is refused. */
	assert_int_equal(
	    net_tls_cert_check_member(pem, strlen(pem), CN_OTHER, why, 128),
	    -EBADMSG);
	assert_string_equal(why, "certificate CN names another key than the "
				 "member's");
	/* The general policy still applies first. */
	free(pem);
	s.bc = BC_TRUE;
	pem = make_cert(&s);
	assert_int_equal(
	    net_tls_cert_check_member(pem, strlen(pem), CN_HEX, why, 128),
	    -EBADMSG);
	assert_string_equal(why, "certificate is CA:TRUE");
	free(pem);
	free(upper);
}

static void test_validity(void **state)
{
	struct spec s = cert_good();
	int64_t from = 1, to = 2;
	char *pem;

	(void)state;
	s.not_before = "20010203040506";
	s.not_after = "20020304050607";
	pem = make_cert(&s);
	assert_int_equal(net_tls_cert_validity(pem, strlen(pem), &from, &to),
			 0);
	assert_int_equal(from, 981173106); /* 2001-02-03T04:05:06Z */
	assert_int_equal(to, 1015218367);  /* 2002-03-04T05:06:07Z */
	/* The policy check ignores the clock: an expired certificate passes
	 * it, and the roster decides what to do with it. */
	assert_int_equal(net_tls_cert_check(pem, strlen(pem), NULL, 0), 0);
	free(pem);
	from = 1;
	assert_int_equal(net_tls_cert_validity("junk", 4, &from, &to),
			 -EBADMSG);
	assert_int_equal(from, 1);
}

/*
 * A mutual TLS handshake in memory, configured as nng 1.5.2 configures
 * mbedTLS for ward: auth mode REQUIRED on both sides, each side's CA chain
 * the other's self-signed certificate, and the dialer asking for the
 * peer's name (its key in hex) as nng_tls_config_server_name does. This
 * answers what the handshake itself refuses, so the roster policy need not
 * duplicate it.
 */
struct pipe_buf {
	unsigned char b[64 * 1024];
	size_t len;
};
struct end {
	struct pipe_buf *in, *out;
};

static int bio_send(void *ctx, const unsigned char *p, size_t n)
{
	struct end *e = ctx;

	if (n > sizeof(e->out->b) - e->out->len)
		n = sizeof(e->out->b) - e->out->len;
	if (n == 0)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	memcpy(e->out->b + e->out->len, p, n);
	e->out->len += n;
	return (int)n;
}

static int bio_recv(void *ctx, unsigned char *p, size_t n)
{
	struct end *e = ctx;

	if (e->in->len == 0)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (n > e->in->len)
		n = e->in->len;
	memcpy(p, e->in->b, n);
	memmove(e->in->b, e->in->b + n, e->in->len - n);
	e->in->len -= n;
	return (int)n;
}

struct side {
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	mbedtls_x509_crt own, peer;
	mbedtls_pk_context key;
	struct end end;
	int rc;
};

static void side_init(struct side *sd, bool server, const char *own_pem,
		      const char *key_pem, const char *peer_pem,
		      const char *peer_name)
{
	mbedtls_ssl_config_init(&sd->conf);
	mbedtls_ssl_init(&sd->ssl);
	mbedtls_x509_crt_init(&sd->own);
	mbedtls_x509_crt_init(&sd->peer);
	mbedtls_pk_init(&sd->key);
	assert_int_equal(mbedtls_x509_crt_parse(&sd->own,
						(const unsigned char *)own_pem,
						strlen(own_pem) + 1),
			 0);
	assert_int_equal(mbedtls_x509_crt_parse(&sd->peer,
						(const unsigned char *)peer_pem,
						strlen(peer_pem) + 1),
			 0);
	assert_int_equal(mbedtls_pk_parse_key(&sd->key,
					      (const unsigned char *)key_pem,
					      strlen(key_pem) + 1, NULL, 0),
			 0);
	assert_int_equal(
	    mbedtls_ssl_config_defaults(
		&sd->conf,
		server ? MBEDTLS_SSL_IS_SERVER : MBEDTLS_SSL_IS_CLIENT,
		MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT),
	    0);
	mbedtls_ssl_conf_rng(&sd->conf, mbedtls_ctr_drbg_random, &drbg);
	mbedtls_ssl_conf_authmode(&sd->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	mbedtls_ssl_conf_ca_chain(&sd->conf, &sd->peer, NULL);
	assert_int_equal(
	    mbedtls_ssl_conf_own_cert(&sd->conf, &sd->own, &sd->key), 0);
	assert_int_equal(mbedtls_ssl_setup(&sd->ssl, &sd->conf), 0);
	if (peer_name != NULL)
		assert_int_equal(mbedtls_ssl_set_hostname(&sd->ssl, peer_name),
				 0);
	mbedtls_ssl_set_bio(&sd->ssl, &sd->end, bio_send, bio_recv, NULL);
	sd->rc = MBEDTLS_ERR_SSL_WANT_READ;
}

static void side_fini(struct side *sd)
{
	mbedtls_ssl_free(&sd->ssl);
	mbedtls_ssl_config_free(&sd->conf);
	mbedtls_x509_crt_free(&sd->own);
	mbedtls_x509_crt_free(&sd->peer);
	mbedtls_pk_free(&sd->key);
}

static bool pending(int rc)
{
	return rc == MBEDTLS_ERR_SSL_WANT_READ ||
	       rc == MBEDTLS_ERR_SSL_WANT_WRITE;
}

/* Handshakes a dialer (certificate from dspec, asking for dial_name) with
 * a listener (lspec). Returns true when both ends completed; the verify
 * flags each end found in the other's certificate in *dflags, *lflags. */
static bool handshake(const struct spec *dspec, const struct spec *lspec,
		      const char *dial_name, uint32_t *dflags, uint32_t *lflags)
{
	static struct pipe_buf to_l, to_d;
	struct side d, l;
	char *dkey, *lkey;
	char *dcert = make_cert_key(dspec, &dkey);
	char *lcert = make_cert_key(lspec, &lkey);

	to_l.len = to_d.len = 0;
	side_init(&d, false, dcert, dkey, lcert, dial_name);
	side_init(&l, true, lcert, lkey, dcert, NULL);
	d.end = (struct end){&to_d, &to_l};
	l.end = (struct end){&to_l, &to_d};
	for (int i = 0; i < 200 && (pending(d.rc) || pending(l.rc)); i++) {
		if (pending(d.rc))
			d.rc = mbedtls_ssl_handshake(&d.ssl);
		if (pending(l.rc))
			l.rc = mbedtls_ssl_handshake(&l.ssl);
		/* One end failed: the other would wait for good. */
		if ((!pending(d.rc) && d.rc != 0) ||
		    (!pending(l.rc) && l.rc != 0))
			break;
	}
	*dflags = mbedtls_ssl_get_verify_result(&d.ssl);
	*lflags = mbedtls_ssl_get_verify_result(&l.ssl);
	bool ok = d.rc == 0 && l.rc == 0;
	side_fini(&d);
	side_fini(&l);
	free(dcert);
	free(dkey);
	free(lcert);
	free(lkey);
	return ok;
}

static void test_handshake_policy(void **state)
{
	struct spec good = cert_good(), other = cert_good(), bad;
	uint32_t df, lf;

	(void)state;
	other.cn = CN_OTHER;
	/* Two good members: the handshake completes. */
	assert_true(handshake(&good, &other, CN_OTHER, &df, &lf));
	assert_int_equal(df, 0);
	assert_int_equal(lf, 0);

	/* An expired listener: the dialer refuses it. */
	bad = other;
	bad.not_before = "20010101000000";
	bad.not_after = "20020101000000";
	assert_false(handshake(&good, &bad, CN_OTHER, &df, &lf));
	assert_true(df & MBEDTLS_X509_BADCERT_EXPIRED);
	/* An expired dialer: the listener refuses it. */
	bad = good;
	bad.not_before = "20010101000000";
	bad.not_after = "20020101000000";
	assert_false(handshake(&bad, &other, CN_OTHER, &df, &lf));
	assert_true(lf & MBEDTLS_X509_BADCERT_EXPIRED);
	/* Not valid yet: refused the same way. */
	bad = other;
	bad.not_before = "20900101000000";
	bad.not_after = "20990101000000";
	assert_false(handshake(&good, &bad, CN_OTHER, &df, &lf));
	assert_true(df & MBEDTLS_X509_BADCERT_FUTURE);

	/* A listener whose certificate names another member than the one
	 * dialed: the dialer's name check refuses it. */
	bad = other;
	bad.cn = CN_HEX;
	assert_false(handshake(&good, &bad, CN_OTHER, &df, &lf));
	assert_true(df & MBEDTLS_X509_BADCERT_CN_MISMATCH);
	/* The listener asks for no name: a dialer's certificate naming
	 * another member passes TLS (the hello's signature says who it is),
	 * which is why the roster refuses such certificates up front. */
	bad = good;
	bad.cn = CN_OTHER;
	assert_true(handshake(&bad, &other, CN_OTHER, &df, &lf));
}

/* ---------------------------------------------------------------------- */
/* The roster applies the policy (node/api/identity.c)                        */

/* Reads DIR/node.pub: [magic, member]. */
static void read_member(const char *dir, struct node_member *m)
{
	char path[256];
	size_t len;
	const char *magic;
	size_t n, mlen;
	struct crdt_mp_cursor c;

	snprintf(path, sizeof(path), "%s/node.pub", dir);
	char *buf = slurp(path, &len);
	crdt_mp_cursor_init(&c, (const uint8_t *)buf, len, true);
	assert_int_equal(crdt_mp_read_array(&c, &n), 0);
	assert_int_equal(crdt_mp_read_str(&c, &magic, &mlen), 0);
	assert_int_equal(node_member_decode(&c, m), 0);
	free(buf);
}

/* Writes m as a node.pub at path, with its certificate replaced by pem. */
static void write_member(const char *path, const struct node_member *m,
			 const char *pem)
{
	struct node_member x = *m;
	struct crdt_buf b;
	FILE *f = fopen(path, "wb");

	x.cert_pem = (char *)pem;
	crdt_buf_init(&b);
	crdt_pack_array(&b, 2);
	crdt_pack_cstr(&b, "ward-node-v1");
	node_member_encode(&b, &x);
	assert_non_null(f);
	assert_int_equal(fwrite(b.data, 1, b.len, f), b.len);
	fclose(f);
	crdt_buf_fini(&b);
}

static void test_roster_policy(void **state)
{
	char base[] = "/tmp/ward-test-roster-XXXXXX";
	char a[64], bdir[64], pub[96], roster[96], msg[2048], cn_b[65];
	struct node_member ma, mb;
	struct spec s = cert_good();
	uint8_t pk[32], *sk;
	const char *files[1] = {pub};

	(void)state;
	assert_non_null(mkdtemp(base));
	snprintf(a, sizeof(a), "%s/a", base);
	snprintf(bdir, sizeof(bdir), "%s/b", base);
	snprintf(pub, sizeof(pub), "%s/doctored.pub", base);
	snprintf(roster, sizeof(roster), "%s/roster", base);
	struct node_init_opts oa = {
	    .dir = a, .role = "health", .name = "A", .scope = "120116"};
	struct node_init_opts ob = {
	    .dir = bdir, .role = "township", .name = "B", .scope = "120116001"};
	assert_int_equal(node_init(&oa, msg, sizeof(msg)), 0);
	assert_int_equal(node_init(&ob, msg, sizeof(msg)), 0);
	read_member(a, &ma);
	read_member(bdir, &mb);
	node_hex(cn_b, mb.key, 32);

	/* B's node.pub carrying A's certificate (CN = A's key): refused. */
	write_member(pub, &mb, ma.cert_pem);
	assert_int_equal(
	    node_network_create(a, files, 1, roster, false, msg, sizeof(msg)),
	    NODE_EXIT_USAGE);
	assert_non_null(strstr(msg, "CN names another key"));
	assert_false(exists(roster));

	/* B's key in a certificate that expired: refused at create. */
	s.cn = cn_b;
	s.not_before = "20010101000000";
	s.not_after = "20020101000000";
	char *expired = make_cert(&s);
	write_member(pub, &mb, expired);
	assert_int_equal(
	    node_network_create(a, files, 1, roster, false, msg, sizeof(msg)),
	    NODE_EXIT_USAGE);
	assert_non_null(strstr(msg, "expired on 2002-01-01T00:00:00Z"));
	/* Not valid yet: refused too. */
	s.not_before = "20900101000000";
	s.not_after = "20990101000000";
	char *future = make_cert(&s);
	write_member(pub, &mb, future);
	assert_int_equal(
	    node_network_create(a, files, 1, roster, false, msg, sizeof(msg)),
	    NODE_EXIT_USAGE);
	assert_non_null(strstr(msg, "valid only from 2090-01-01T00:00:00Z"));

	/* At join, a roster signed by its admin: a CN naming another
	 * member refuses it; an expired certificate only warns. */
	assert_int_equal(node_identity_load(a, pk, &sk), 0);
	struct node_member two[2] = {ma, mb};
	uint8_t *wire;
	size_t wire_len;
	FILE *f;
	two[1].cert_pem = ma.cert_pem;
	assert_int_equal(
	    node_roster_build_genesis(two, 2, pk, sk, &wire, &wire_len), 0);
	f = fopen(roster, "wb");
	assert_int_equal(fwrite(wire, 1, wire_len, f), wire_len);
	fclose(f);
	free(wire);
	assert_int_equal(
	    node_network_join(bdir, roster, false, msg, sizeof(msg)),
	    NODE_EXIT_USAGE);
	assert_non_null(strstr(msg, "CN names another key"));
	two[1].cert_pem = expired;
	assert_int_equal(
	    node_roster_build_genesis(two, 2, pk, sk, &wire, &wire_len), 0);
	f = fopen(roster, "wb");
	assert_int_equal(fwrite(wire, 1, wire_len, f), wire_len);
	fclose(f);
	free(wire);
	assert_int_equal(
	    node_network_join(bdir, roster, false, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "joined network"));
	assert_non_null(strstr(msg, "warning: member B's TLS certificate "
				    "expired on 2002-01-01T00:00:00Z"));

	sodium_free(sk);
	free(expired);
	free(future);
	node_member_fini(&ma);
	node_member_fini(&mb);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_create_identity, dir_setup,
					    dir_teardown),
	    cmocka_unit_test_setup_teardown(test_create_twice_refused,
					    dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_create_existing_cert_refused,
					    dir_setup, dir_teardown),
	    cmocka_unit_test_setup_teardown(test_create_bad_cn, dir_setup,
					    dir_teardown),
	    cmocka_unit_test_setup_teardown(test_create_short_cn, dir_setup,
					    dir_teardown),
	    cmocka_unit_test_setup_teardown(test_create_file_errors, dir_setup,
					    dir_teardown),
	    cmocka_unit_test(test_check_made_good),
	    cmocka_unit_test(test_check_ca_true),
	    cmocka_unit_test(test_check_v1),
	    cmocka_unit_test(test_check_no_basic_constraints),
	    cmocka_unit_test(test_check_wrong_curve),
	    cmocka_unit_test(test_check_key_usage),
	    cmocka_unit_test(test_check_extended_key_usage),
	    cmocka_unit_test(test_check_not_self_signed),
	    cmocka_unit_test(test_check_weak_hash),
	    cmocka_unit_test(test_check_garbage),
	    cmocka_unit_test(test_check_truncated),
	    cmocka_unit_test(test_check_two_certs),
	    cmocka_unit_test(test_check_framing),
	    cmocka_unit_test(test_fingerprint_and_cn_errors),
	    cmocka_unit_test(test_check_member_cn),
	    cmocka_unit_test(test_validity),
	    cmocka_unit_test(test_handshake_policy),
	    cmocka_unit_test(test_roster_policy),
	};

	return cmocka_run_group_tests(tests, drbg_setup, drbg_teardown);
}
