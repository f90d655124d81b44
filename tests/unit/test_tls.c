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
#include <mbedtls/x509_crt.h>

#include "net/tls.h"

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

/* Returns an owned NUL-terminated PEM certificate made to s. */
static char *make_cert(const struct spec *s)
{
	mbedtls_pk_context key, signer;
	mbedtls_x509write_cert w;
	mbedtls_mpi serial;
	const char *subject = "CN=" CN_HEX;
	char *pem = malloc(4096);

	assert_non_null(pem);
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
			     &w, "20240101000000", "20540101000000"),
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

	mbedtls_x509write_crt_free(&w);
	mbedtls_mpi_free(&serial);
	mbedtls_pk_free(&signer);
	mbedtls_pk_free(&key);
	return pem;
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
	};

	return cmocka_run_group_tests(tests, drbg_setup, drbg_teardown);
}
