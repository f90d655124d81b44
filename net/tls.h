/*
 * net/tls: the node's TLS identity, an ECDSA P-256 key and a self-signed
 * X.509 v3 certificate made at `ward init` (mbedTLS cannot put Ed25519 in a
 * certificate), and the checks a roster applies to a member's certificate
 * before anyone pins it. mbedTLS stays inside tls.c; see notes/nng-tls.md.
 */
#ifndef WARD_NET_TLS_H
#define WARD_NET_TLS_H

#include <stddef.h>
#include <stdint.h>

/* Longest common name we write or read (RFC 5280's ub-common-name). */
#define NET_TLS_CN_MAX 64u
/* Largest PEM text accepted: a P-256 certificate is about 600 bytes. */
#define NET_TLS_CERT_PEM_MAX_BYTES (16u * 1024u)
#define NET_TLS_FINGERPRINT_BYTES 32u

/*
 * Creates the node's TLS identity: an ECDSA P-256 private key (PEM) at
 * key_path and a self-signed certificate (PEM) for it at cert_path. The
 * certificate is X.509 v3, signed with ECDSA-SHA-256, subject = issuer =
 * "CN=<cn>", a random positive 127-bit serial, valid from now - 1 day to
 * now + 30 years, basicConstraints CA:FALSE, keyUsage digitalSignature and
 * keyAgreement, with subject and authority key identifiers. Randomness is a
 * CTR-DRBG seeded from mbedTLS's entropy source (getrandom).
 *
 * Both files are created with O_EXCL, so an existing file is never
 * replaced: the key with mode 0600 (exactly, whatever the umask), the
 * certificate with mode 0644 less the umask. Both files and their
 * directories are fsynced before returning 0. On any failure every file
 * this call created is removed again, and a file that already existed is
 * left untouched.
 *
 * cn is borrowed: 1..NET_TLS_CN_MAX characters from [A-Za-z0-9._-] (ward
 * passes the node's Ed25519 public key in hex), so it needs no escaping in
 * a distinguished name and net_tls_cert_cn() returns it byte for byte.
 *
 * Returns 0, -EINVAL (bad cn), -EEXIST (key_path or cert_path exists),
 * -EIO (a file could not be created, written or synced, or the random
 * source failed), -ENOMEM. Thread-safe; blocks on disk I/O.
 */
int net_tls_identity_create(const char *key_path, const char *cert_path,
			    const char *cn);

/*
 * Checks a certificate a roster may carry. pem is borrowed text of len
 * bytes and need not be NUL-terminated. It is acceptable when it holds
 * exactly one PEM "CERTIFICATE" block (only whitespace around it, no bytes
 * after the DER inside it) that parses as an X.509 v3 certificate with a
 * basicConstraints extension saying CA:FALSE, an EC public key on P-256, an
 * ECDSA signature with SHA-256 or stronger that verifies under its own key
 * with issuer = subject, and, where present, key usage allowing
 * digitalSignature and extended key usage allowing both TLS server and
 * client. These are the checks that stop a member from minting
 * certificates for others (a CA:TRUE or v1 certificate in a pinned chain
 * could) and that make a bad certificate fail here rather than in every
 * handshake. The validity period is deliberately not checked: the answer
 * must not depend on the clock of the node that asks.
 *
 * Returns 0 if acceptable, or -EBADMSG with a short reason in why (e.g.
 * "certificate is CA:TRUE"), NUL-terminated and truncated to why_len.
 * why may be NULL (then why_len is ignored) and is left alone on success.
 * Thread-safe.
 */
int net_tls_cert_check(const char *pem, size_t len, char *why, size_t why_len);

/*
 * net_tls_cert_check() for the certificate of a roster member, which must
 * also name that member: its subject's CN must be cn (ward writes the
 * member's Ed25519 key in hex), compared without regard to case as the
 * dialer's server-name check does. A certificate naming another member
 * would pass no dialer of ours (each pins one member and asks for its
 * name), so a roster carrying one is broken or hostile: refused with
 * -EBADMSG and "certificate CN names another key than the member's".
 * Returns as net_tls_cert_check(). The validity period is not checked
 * here either (see net_tls_cert_validity). Thread-safe.
 */
int net_tls_cert_check_member(const char *pem, size_t len, const char *cn,
			      char *why, size_t why_len);

/*
 * The certificate's validity period as seconds since the Unix epoch (UTC)
 * into *not_before and *not_after, for a caller that decides with its own
 * clock (mbedTLS's handshake refuses a certificate outside its period:
 * tests/unit/test_tls.c). pem as for net_tls_cert_fingerprint(). Returns
 * 0, -EBADMSG (outputs untouched), -ENOMEM. Thread-safe.
 */
int net_tls_cert_validity(const char *pem, size_t len, int64_t *not_before,
			  int64_t *not_after);

/*
 * Writes to out the SHA-256 of the certificate's DER, a display id (the
 * pin itself is the whole certificate). pem as for net_tls_cert_check(),
 * which this does not imply. Returns 0, or -EBADMSG if pem is not exactly
 * one parseable PEM certificate (out untouched), -ENOMEM. Thread-safe.
 */
int net_tls_cert_fingerprint(const char *pem, size_t len,
			     uint8_t out[NET_TLS_FINGERPRINT_BYTES]);

/*
 * Copies the common name of the certificate's subject to cn,
 * NUL-terminated; cn_len is its size, NET_TLS_CN_MAX + 1 always suffices.
 * pem as for net_tls_cert_fingerprint(). Returns 0; -EBADMSG if pem is not
 * exactly one parseable PEM certificate or its subject has no CN, several
 * CNs, an empty CN, a CN longer than NET_TLS_CN_MAX or one holding a NUL byte;
 * -EINVAL if the CN does not fit in cn_len; -ENOMEM. cn is written only on
 * success. Thread-safe.
 */
int net_tls_cert_cn(const char *pem, size_t len, char *cn, size_t cn_len);

#endif
