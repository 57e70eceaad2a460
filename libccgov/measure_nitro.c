/*
 * AWS Nitro Enclaves: the PCRs of an Enclave Image File (EIF), per the EIF
 * specification in aws-nitro-enclaves-image-format. A 548-byte big-endian
 * header (magic ".eif", version, flags, up to 32 section offsets and
 * sizes, CRC-32 of the rest of the file), then sections, each a 12-byte
 * header (type, flags, size) and its data: 1 kernel, 2 command line,
 * 3 ramdisk, 4 signature, 5 metadata (not measured).
 *
 * A signed EIF's signature section is CBOR that nitro-cli writes with
 * serde_cbor (aws-nitro-enclaves-image-format src/utils/eif_signer.rs,
 * EifSigner::generate_eif_signature): an array of {signing_certificate,
 * signature}, both Rust Vec<u8> and so arrays of integers, not byte
 * strings. The certificate is the PEM file given to nitro-cli; the
 * signature a COSE_Sign1 over the CBOR {register_index: 0, register_value:
 * PCR0}. PCR8 extends SHA-384 of the certificate in DER (EifReader::from_eif).
 */
#include "bytes.h"

#include <ccgov/digest.h>
#include <ccgov/error.h>
#include <ccgov/measure.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define EIF_HEADER 548
#define EIF_CRC_AT 0x220
#define MAX_SECTIONS 32
#define BLOCK (1 << 20)
#define SIGNATURE_MAX 32768 /* SIGNATURE_MAX_SIZE of the EIF specification */

enum { SEC_KERNEL = 1, SEC_CMDLINE, SEC_RAMDISK, SEC_SIGNATURE, SEC_METADATA };

typedef struct {
	EVP_MD_CTX *pcr[3];
	int ramdisks;
} pcr_hashers;

static int hashers_start(pcr_hashers *h)
{
	memset(h, 0, sizeof(*h));
	for (int i = 0; i < 3; i++)
		if (!(h->pcr[i] = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(h->pcr[i], EVP_sha384(), NULL))
			return ccgov_error_set(CCGOV_ERROR, "SHA-384 unavailable");
	return 0;
}

/* Which PCRs a section's data goes to: kernel and command line to 0 and 1, the first ramdisk too, later ones to 0 and 2. */
static void feed(pcr_hashers *h, int type, int ramdisk_index, const void *data, size_t n)
{
	if (type == SEC_KERNEL || type == SEC_CMDLINE || (type == SEC_RAMDISK && ramdisk_index == 0)) {
		EVP_DigestUpdate(h->pcr[0], data, n);
		EVP_DigestUpdate(h->pcr[1], data, n);
	} else if (type == SEC_RAMDISK) {
		EVP_DigestUpdate(h->pcr[0], data, n);
		EVP_DigestUpdate(h->pcr[2], data, n);
	}
}

/* PCR = SHA-384(0^48 || SHA-384(content)): one extend from zero. */
/* PCR = SHA-384(0^48 || measurement): one extend from zero, as the hypervisor does it. */
static int extend_from_zero(unsigned char pcr[48], const unsigned char measurement[48])
{
	unsigned char buf[96] = { 0 };
	unsigned int n;

	memcpy(buf + 48, measurement, 48);
	if (!EVP_Digest(buf, sizeof(buf), pcr, &n, EVP_sha384(), NULL))
		return ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
	return 0;
}

static int hashers_finish(pcr_hashers *h, ccgov_nitro_pcrs *out, int err)
{
	unsigned char *dest[3] = { out->pcr0, out->pcr1, out->pcr2 };

	for (int i = 0; i < 3; i++) {
		unsigned char m[48];
		unsigned int n = 0;

		if (err == 0 && !EVP_DigestFinal_ex(h->pcr[i], m, &n))
			err = ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
		if (err == 0)
			err = extend_from_zero(dest[i], m);
		EVP_MD_CTX_free(h->pcr[i]);
	}
	return err;
}

/*
 * CBOR (RFC 8949) as serde_cbor writes the signature section: definite
 * lengths and every head in the fewest bytes; anything else is refused.
 * The layout is fixed, so nothing recurses (the depth is what the code
 * reads), and every length is checked against the bytes that remain.
 */
enum { CBOR_UINT, CBOR_NINT, CBOR_BYTES, CBOR_TEXT, CBOR_ARRAY, CBOR_MAP, CBOR_TAG, CBOR_SIMPLE };

static const char *const cbor_types[] = { "an unsigned integer", "a negative integer", "a byte string",
					  "a text string", "an array", "a map", "a tag", "a float or simple value" };

typedef struct {
	const unsigned char *start, *p, *end;
	const char *path, *what; /* what: which CBOR, for messages */
} cbor;

static int cbor_fail(const cbor *c, const unsigned char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int cbor_fail(const cbor *c, const unsigned char *at, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return ccgov_error_set(CCGOV_EINVALID, "%s: %s, byte %zu: %s", c->path, c->what, (size_t)(at - c->start), why);
}

/* The head of the next item, which must be of the given type: its argument (a value, length or count). */
static int cbor_head(cbor *c, int type, uint64_t *arg)
{
	const unsigned char *at = c->p;
	int info, n;

	if (at == c->end)
		return cbor_fail(c, at, "truncated: the data ends where %s should be", cbor_types[type]);
	if (*at >> 5 != type)
		return cbor_fail(c, at, "%s where %s should be", cbor_types[*at >> 5], cbor_types[type]);
	info = *at & 31;
	if (info > 27)
		return cbor_fail(c, at, "an indefinite length or a reserved value, which nitro-cli never writes");
	n = info < 24 ? 0 : 1 << (info - 24);
	if (c->end - at - 1 < n)
		return cbor_fail(c, at, "truncated: the data ends inside %s", cbor_types[type]);
	*arg = n ? bytes_be(at + 1, n) : (uint64_t)info;
	if (n && *arg < (n == 1 ? 24 : 1ull << (4 * n)))
		return cbor_fail(c, at, "a number in more bytes than it needs, which nitro-cli never writes");
	c->p = at + 1 + n;
	return 0;
}

/* A byte or text string: its bytes, in place. */
static int cbor_string(cbor *c, int type, const unsigned char **s, size_t *n)
{
	const unsigned char *at = c->p;
	uint64_t len;
	int err = cbor_head(c, type, &len);

	if (err < 0)
		return err;
	if (len > (uint64_t)(c->end - c->p))
		return cbor_fail(c, at, "truncated: %s of %llu bytes, %zu remain", cbor_types[type],
				 (unsigned long long)len, (size_t)(c->end - c->p));
	*s = c->p;
	*n = (size_t)len;
	c->p += len;
	return 0;
}

/* An array or map head; each item takes a byte at least, so more items than bytes left is a truncation. */
static int cbor_count(cbor *c, int type, uint64_t *n)
{
	const unsigned char *at = c->p;
	int err = cbor_head(c, type, n);

	if (err == 0 && *n > (uint64_t)(c->end - c->p) / (type == CBOR_MAP ? 2 : 1))
		return cbor_fail(c, at, "truncated: %s of %llu items, %zu bytes remain", cbor_types[type],
				 (unsigned long long)*n, (size_t)(c->end - c->p));
	return err;
}

/* An array or map of exactly `want` items (entries, for a map). */
static int cbor_expect(cbor *c, int type, uint64_t want)
{
	const unsigned char *at = c->p;
	uint64_t n;
	int err = cbor_count(c, type, &n);

	if (err == 0 && n != want)
		return cbor_fail(c, at, "%s of %llu items where the format has %llu", cbor_types[type],
				 (unsigned long long)n, (unsigned long long)want);
	return err;
}

/* A struct field's name: serde writes them in declaration order. Untrusted text is not echoed. */
static int cbor_key(cbor *c, const char *key)
{
	const unsigned char *at = c->p, *s;
	size_t n;
	int err = cbor_string(c, CBOR_TEXT, &s, &n);

	if (err == 0 && (n != strlen(key) || memcmp(s, key, n) != 0))
		return cbor_fail(c, at, "another key where \"%s\" should be", key);
	return err;
}

/* A Rust Vec<u8> as serde writes it: an array of integers 0 to 255, into a new buffer. */
static int cbor_u8_array(cbor *c, unsigned char **out, size_t *len)
{
	uint64_t n, v;
	int err = cbor_count(c, CBOR_ARRAY, &n);

	if (err < 0)
		return err;
	if (!(*out = malloc(n ? (size_t)n : 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (uint64_t i = 0; i < n; i++) {
		const unsigned char *at = c->p;

		if ((err = cbor_head(c, CBOR_UINT, &v)) < 0)
			return err;
		if (v > 255)
			return cbor_fail(c, at, "%llu in an array of bytes", (unsigned long long)v);
		(*out)[i] = (unsigned char)v;
	}
	*len = (size_t)n;
	return 0;
}

typedef struct {
	unsigned char *cert, *cose; /* signing_certificate (PEM) and signature (COSE_Sign1) */
	size_t cert_len, cose_len;
} pcr_signature;

static void pcr_signature_free(pcr_signature *s)
{
	free(s->cert);
	free(s->cose);
	memset(s, 0, sizeof(*s));
}

/* One PcrSignature (src/defs/mod.rs): the map {signing_certificate, signature}. */
static int read_pcr_signature(cbor *c, pcr_signature *s)
{
	int err;

	if ((err = cbor_expect(c, CBOR_MAP, 2)) < 0 || (err = cbor_key(c, "signing_certificate")) < 0 ||
	    (err = cbor_u8_array(c, &s->cert, &s->cert_len)) < 0 || (err = cbor_key(c, "signature")) < 0)
		return err;
	return cbor_u8_array(c, &s->cose, &s->cose_len);
}

/* The section, an array of PcrSignature: each is read, the first kept (nitro-cli writes and checks only it). */
static int read_signature_section(pcr_signature *first, const unsigned char *data, size_t len, const char *path)
{
	cbor c = { data, data, data + len, path, "signature section" };
	uint64_t n;
	int err = cbor_count(&c, CBOR_ARRAY, &n);

	if (err == 0 && n == 0)
		err = cbor_fail(&c, data, "an empty array: no signature");
	for (uint64_t i = 0; err == 0 && i < n; i++) {
		pcr_signature other = { 0 };

		err = read_pcr_signature(&c, i == 0 ? first : &other);
		pcr_signature_free(&other);
	}
	if (err == 0 && c.p != c.end)
		err = cbor_fail(&c, c.p, "bytes after the array of signatures");
	return err;
}

typedef struct {
	int64_t alg; /* COSE algorithm, from the protected header */
	const unsigned char *protected_hdr, *payload, *signature;
	size_t protected_len, payload_len, signature_len;
} cose_sign1;

/* The protected header: the map {1 (alg): algorithm} and nothing else, as CoseSign1::new writes it. */
static int read_protected_header(cose_sign1 *s, const char *path)
{
	const unsigned char *p = s->protected_hdr;
	cbor c = { p, p, p + s->protected_len, path, "COSE protected header" };
	const unsigned char *at;
	uint64_t label, v;
	int err;

	if ((err = cbor_expect(&c, CBOR_MAP, 1)) < 0)
		return err;
	at = c.p;
	if ((err = cbor_head(&c, CBOR_UINT, &label)) < 0)
		return err;
	if (label != 1)
		return cbor_fail(&c, at, "label %llu where 1 (alg) should be", (unsigned long long)label);
	at = c.p;
	if ((err = cbor_head(&c, CBOR_NINT, &v)) < 0)
		return err;
	if (v > 255)
		return cbor_fail(&c, at, "an algorithm number out of range");
	if (c.p != c.end)
		return cbor_fail(&c, c.p, "bytes after the header map");
	s->alg = -1 - (int64_t)v;
	return 0;
}

/* COSE_Sign1 (RFC 8152): [protected, {}, payload, signature], untagged as nitro-cli writes it, or with tag 18. */
static int read_cose_sign1(cose_sign1 *s, const unsigned char *data, size_t len, const char *path)
{
	cbor c = { data, data, data + len, path, "COSE_Sign1" };
	uint64_t tag;
	int err;

	if (len && data[0] >> 5 == CBOR_TAG) {
		if ((err = cbor_head(&c, CBOR_TAG, &tag)) < 0)
			return err;
		if (tag != 18)
			return cbor_fail(&c, data, "tag %llu where COSE_Sign1's is 18", (unsigned long long)tag);
	}
	if ((err = cbor_expect(&c, CBOR_ARRAY, 4)) < 0 ||
	    (err = cbor_string(&c, CBOR_BYTES, &s->protected_hdr, &s->protected_len)) < 0 ||
	    (err = cbor_expect(&c, CBOR_MAP, 0)) < 0 ||
	    (err = cbor_string(&c, CBOR_BYTES, &s->payload, &s->payload_len)) < 0 ||
	    (err = cbor_string(&c, CBOR_BYTES, &s->signature, &s->signature_len)) < 0)
		return err;
	if (c.p != c.end)
		return cbor_fail(&c, c.p, "bytes after the COSE_Sign1 array");
	return read_protected_header(s, path);
}

/* The payload, PcrInfo {register_index, register_value} (src/defs/mod.rs): which PCR is signed, and its value. */
static int read_payload(uint64_t *index, unsigned char value[48], const cose_sign1 *s, const char *path)
{
	cbor c = { s->payload, s->payload, s->payload + s->payload_len, path, "COSE payload" };
	unsigned char *v = NULL;
	const unsigned char *at;
	size_t n = 0;
	int err;

	if ((err = cbor_expect(&c, CBOR_MAP, 2)) == 0 && (err = cbor_key(&c, "register_index")) == 0 &&
	    (err = cbor_head(&c, CBOR_UINT, index)) == 0 && (err = cbor_key(&c, "register_value")) == 0) {
		at = c.p;
		if ((err = cbor_u8_array(&c, &v, &n)) == 0 && n != 48)
			err = cbor_fail(&c, at, "a register value of %zu bytes, where a SHA-384 PCR has 48", n);
		else if (err == 0 && c.p != c.end)
			err = cbor_fail(&c, c.p, "bytes after the payload map");
		else if (err == 0)
			memcpy(value, v, 48);
	}
	free(v);
	return err;
}

/* The signature algorithms of the EIF specification: ECDSA on the curve that goes with the hash. */
typedef struct {
	int64_t alg;
	const char *name, *group, *curve; /* group: OpenSSL's name of the curve */
	const EVP_MD *(*md)(void);
	size_t half; /* bytes of r and of s in the signature */
} cose_alg;

static const cose_alg cose_algs[] = {
	{ -7, "ES256", "prime256v1", "P-256", EVP_sha256, 32 },
	{ -35, "ES384", "secp384r1", "P-384", EVP_sha384, 48 },
	{ -36, "ES512", "secp521r1", "P-521", EVP_sha512, 66 },
};

static unsigned char *put_head(unsigned char *p, int type, uint64_t n)
{
	int size = n < 24 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x100000000ull ? 4 : 8;

	*p++ = (unsigned char)(type << 5 | (size == 0 ? (int)n : size == 1 ? 24 : size == 2 ? 25 : size == 4 ? 26 : 27));
	for (int i = size - 1; i >= 0; i--)
		*p++ = (unsigned char)(n >> (8 * i));
	return p;
}

/* What COSE_Sign1 signs: ["Signature1", protected, external_aad (empty), payload]. Free it. */
static unsigned char *sig_structure(const cose_sign1 *s, size_t *len)
{
	unsigned char *buf = malloc(32 + s->protected_len + s->payload_len), *p = buf;

	if (!buf)
		return NULL;
	p = put_head(p, CBOR_ARRAY, 4);
	p = put_head(p, CBOR_TEXT, 10);
	memcpy(p, "Signature1", 10);
	p = put_head(p + 10, CBOR_BYTES, s->protected_len);
	memcpy(p, s->protected_hdr, s->protected_len);
	p = put_head(p + s->protected_len, CBOR_BYTES, 0);
	p = put_head(p, CBOR_BYTES, s->payload_len);
	memcpy(p, s->payload, s->payload_len);
	*len = (size_t)(p + s->payload_len - buf);
	return buf;
}

/* COSE's r || s as the DER ECDSA-Sig-Value OpenSSL verifies. Free it with OPENSSL_free. */
static int ecdsa_der(unsigned char **der, const unsigned char *raw, size_t half)
{
	ECDSA_SIG *sig = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(raw, (int)half, NULL), *s = BN_bin2bn(raw + half, (int)half, NULL);
	int len = -1;

	*der = NULL;
	if (sig && r && s && ECDSA_SIG_set0(sig, r, s)) {
		r = s = NULL;
		len = i2d_ECDSA_SIG(sig, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(sig);
	return len;
}

/*
 * The signature, checked as nitro-cli run-enclave checks it
 * (CoseSign1::verify_signature): the key's curve must match the algorithm.
 */
static int verify_cose_sign1(const cose_sign1 *s, X509 *cert, const char *path)
{
	const cose_alg *a = NULL;
	EVP_PKEY *key = X509_get0_pubkey(cert);
	EVP_MD_CTX *md = NULL;
	unsigned char *tbs = NULL, *der = NULL;
	char group[32] = "";
	size_t tbs_len = 0, group_len;
	int der_len, ok = 0;

	for (size_t i = 0; i < sizeof(cose_algs) / sizeof(cose_algs[0]); i++)
		a = cose_algs[i].alg == s->alg ? &cose_algs[i] : a;
	if (!a)
		return ccgov_error_set(CCGOV_EINVALID, "%s: COSE algorithm %lld: the EIF format signs with ES256, ES384 or ES512",
				       path, (long long)s->alg);
	if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC ||
	    !EVP_PKEY_get_group_name(key, group, sizeof(group), &group_len) || strcmp(group, a->group) != 0) {
		ERR_clear_error();
		return ccgov_error_set(CCGOV_EMISMATCH, "%s: an %s signature, and the signing certificate's key is not on %s",
				       path, a->name, a->curve);
	}
	if (s->signature_len != 2 * a->half)
		return ccgov_error_set(CCGOV_EINVALID, "%s: an %s signature of %zu bytes, where it has %zu", path, a->name,
				       s->signature_len, 2 * a->half);
	if ((der_len = ecdsa_der(&der, s->signature, a->half)) > 0 && (tbs = sig_structure(s, &tbs_len)) &&
	    (md = EVP_MD_CTX_new()) && EVP_DigestVerifyInit(md, NULL, a->md(), NULL, key) == 1)
		ok = EVP_DigestVerify(md, der, (size_t)der_len, tbs, tbs_len) == 1;
	EVP_MD_CTX_free(md);
	OPENSSL_free(der);
	free(tbs);
	ERR_clear_error();
	if (!ok)
		return ccgov_error_set(CCGOV_EMISMATCH, "%s: the %s signature does not verify with the signing certificate's key",
				       path, a->name);
	return 0;
}

/* The certificate as nitro-cli reads it: the first PEM certificate in the bytes (X509::from_pem). */
static int read_certificate(X509 **out, const unsigned char *pem, size_t len, const char *path)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	const unsigned char *p = pem;
	X509 *der;

	*out = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	ERR_clear_error();
	if (*out)
		return 0;
	der = d2i_X509(NULL, &p, (long)len);
	ERR_clear_error();
	if (der) {
		X509_free(der);
		return ccgov_error_set(CCGOV_EINVALID, "%s: the signing certificate is DER; an EIF holds it in PEM, the only form nitro-cli reads",
				       path);
	}
	return ccgov_error_set(CCGOV_EINVALID, "%s: the signing certificate is not a PEM certificate", path);
}

/* The PCR of one piece of data: the extend of its SHA-384. */
static int pcr_of(unsigned char pcr[48], const unsigned char *data, size_t len)
{
	unsigned char m[48];
	unsigned int n;

	if (!EVP_Digest(data, len, m, &n, EVP_sha384(), NULL))
		return ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
	return extend_from_zero(pcr, m);
}

/* PCR8: the certificate in DER, re-encoded by OpenSSL as nitro-cli's X509::to_der does. */
static int certificate_pcr(unsigned char pcr8[48], X509 *cert)
{
	unsigned char *der = NULL;
	int len = i2d_X509(cert, &der), err;

	if (len <= 0)
		return ccgov_error_set(CCGOV_ERROR, "the signing certificate cannot be written as DER");
	err = pcr_of(pcr8, der, (size_t)len);
	OPENSSL_free(der);
	return err;
}

/* The signed PCR must be this EIF's PCR0: a signature made for another image is a failed check. */
static int check_payload(const cose_sign1 *s, const unsigned char pcr0[48], const char *path)
{
	unsigned char value[48];
	char want[97], got[97];
	uint64_t index;
	int err = read_payload(&index, value, s, path);

	if (err < 0)
		return err;
	if (index != 0)
		return ccgov_error_set(CCGOV_EMISMATCH, "%s: the signature is for PCR%llu; an EIF's signature is for PCR0",
				       path, (unsigned long long)index);
	if (memcmp(value, pcr0, 48) != 0) {
		ccgov_hex(got, value, 48);
		ccgov_hex(want, pcr0, 48);
		return ccgov_error_set(CCGOV_EMISMATCH, "%s: the signature is for PCR0 %s, not this EIF's PCR0 %s", path, got, want);
	}
	return 0;
}

/*
 * PCR8 from the first signature's certificate, whose key must verify its
 * COSE_Sign1, whose payload must name this EIF's PCR0 (out->pcr0 is set).
 */
static int measure_signature(ccgov_nitro_pcrs *out, const unsigned char *data, size_t len, const char *path)
{
	pcr_signature ps = { 0 };
	cose_sign1 cose;
	X509 *cert = NULL;
	int err = read_signature_section(&ps, data, len, path);

	if (err == 0)
		err = read_certificate(&cert, ps.cert, ps.cert_len, path);
	if (err == 0)
		err = certificate_pcr(out->pcr8, cert);
	if (err == 0)
		err = read_cose_sign1(&cose, ps.cose, ps.cose_len, path);
	if (err == 0)
		err = verify_cose_sign1(&cose, cert, path);
	if (err == 0)
		err = check_payload(&cose, out->pcr0, path);
	X509_free(cert);
	pcr_signature_free(&ps);
	return err;
}

typedef struct {
	int fd;
	const char *path;
	uLong crc;
	uint64_t pos;
} eif_reader;

/* Exactly n bytes, into the CRC (except the CRC field itself). */
static int read_exact(eif_reader *r, unsigned char *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t k = read(r->fd, buf + got, n - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", r->path);
		if (k == 0)
			return ccgov_error_set(CCGOV_EINVALID, "%s: truncated at byte %llu", r->path,
					       (unsigned long long)(r->pos + got));
		got += (size_t)k;
	}
	r->pos += n;
	return 0;
}

static int read_section(eif_reader *r, pcr_hashers *h, int type, uint64_t size, unsigned char *buf)
{
	int index = type == SEC_RAMDISK ? h->ramdisks++ : 0;

	while (size) {
		size_t n = size < BLOCK ? (size_t)size : BLOCK;
		int err = read_exact(r, buf, n);

		if (err < 0)
			return err;
		r->crc = crc32(r->crc, buf, (uInt)n);
		feed(h, type, index, buf, n);
		size -= n;
	}
	return 0;
}

/* The signature section is kept whole (it is small), to be read once PCR0 is known. */
static int read_signature(eif_reader *r, uint64_t size, unsigned char **sig, size_t *len)
{
	int err;

	if (*sig)
		return ccgov_error_set(CCGOV_EINVALID, "%s: two signature sections", r->path);
	if (size > SIGNATURE_MAX)
		return ccgov_error_set(CCGOV_EINVALID, "%s: a signature section of %llu bytes (at most %d)", r->path,
				       (unsigned long long)size, SIGNATURE_MAX);
	if (!(*sig = malloc(size ? (size_t)size : 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	*len = (size_t)size;
	if ((err = read_exact(r, *sig, *len)) < 0)
		return err;
	r->crc = crc32(r->crc, *sig, (uInt)*len);
	return 0;
}

int ccgov_nitro_measure_eif(ccgov_nitro_pcrs *out, const char *path)
{
	unsigned char header[EIF_HEADER], sh[12], *buf = malloc(BLOCK), *sig = NULL, trailing;
	eif_reader r = { -1, path, 0, 0 };
	pcr_hashers h;
	uint64_t nsections;
	size_t sig_len = 0;
	int err, kernels = 0, cmdlines = 0;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((r.fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	}
	if ((err = hashers_start(&h)) < 0 || (err = read_exact(&r, header, sizeof(header))) < 0)
		goto done;
	r.crc = crc32(crc32(0, Z_NULL, 0), header, EIF_CRC_AT);
	r.crc = crc32(r.crc, header + EIF_CRC_AT + 4, EIF_HEADER - EIF_CRC_AT - 4);
	out->version = (uint16_t)bytes_be(header + 4, 2);
	out->aarch64 = header[7] & 1;
	nsections = bytes_be(header + 0x1a, 2);
	if (memcmp(header, ".eif", 4) != 0) {
		err = ccgov_error_set(CCGOV_EINVALID, "%s: not an EIF file (no \".eif\" magic)", path);
	} else if (out->version < 2 || out->version > 4) {
		err = ccgov_error_set(CCGOV_EINVALID, "%s: EIF version %u (2, 3 and 4 are defined)", path, out->version);
	} else if (bytes_be(header + 6, 2) & ~1u) {
		err = ccgov_error_set(CCGOV_EINVALID, "%s: unknown EIF flags 0x%llx", path,
				      (unsigned long long)bytes_be(header + 6, 2));
	} else if (nsections < 2 || nsections > MAX_SECTIONS) {
		err = ccgov_error_set(CCGOV_EINVALID, "%s: %llu sections (2 to 32 are allowed)", path,
				      (unsigned long long)nsections);
	}
	for (uint64_t i = 0; err == 0 && i < nsections; i++) {
		uint64_t offset = bytes_be(header + 0x1c + 8 * i, 8), size = bytes_be(header + 0x11c + 8 * i, 8);
		int type;

		if (offset != r.pos) {
			err = ccgov_error_set(CCGOV_EINVALID, "%s: section %llu is not where the header says (byte %llu)",
					      path, (unsigned long long)i, (unsigned long long)offset);
			break;
		}
		if ((err = read_exact(&r, sh, sizeof(sh))) < 0)
			break;
		r.crc = crc32(r.crc, sh, sizeof(sh));
		type = (int)bytes_be(sh, 2);
		if (type < SEC_KERNEL || type > SEC_METADATA || bytes_be(sh + 4, 8) != size) {
			err = ccgov_error_set(CCGOV_EINVALID, "%s: section %llu: unknown type %d, or a size other than the header's",
					      path, (unsigned long long)i, type);
			break;
		}
		kernels += type == SEC_KERNEL;
		cmdlines += type == SEC_CMDLINE;
		if (type == SEC_RAMDISK && kernels == 0) {
			err = ccgov_error_set(CCGOV_EINVALID, "%s: a ramdisk before the kernel", path);
			break;
		}
		err = type == SEC_SIGNATURE ? read_signature(&r, size, &sig, &sig_len) : read_section(&r, &h, type, size, buf);
	}
	out->ramdisks = (size_t)h.ramdisks;
	if (err == 0 && (kernels != 1 || cmdlines != 1 || h.ramdisks == 0))
		err = ccgov_error_set(CCGOV_EINVALID, "%s: an EIF needs one kernel, one command line and a ramdisk", path);
	if (err == 0 && read(r.fd, &trailing, 1) != 0)
		err = ccgov_error_set(CCGOV_EINVALID, "%s: bytes after the last section", path);
	if (err == 0 && r.crc != bytes_be(header + EIF_CRC_AT, 4))
		err = ccgov_error_set(CCGOV_EMISMATCH, "%s: CRC-32 mismatch (the file was changed after it was built)", path);
done:
	err = hashers_finish(&h, out, err);
	out->signed_eif = sig != NULL;
	if (err == 0 && sig)
		err = measure_signature(out, sig, sig_len, path);
	close(r.fd);
	free(buf);
	free(sig);
	return err;
}

static int feed_file(pcr_hashers *h, int type, int index, const char *path, unsigned char *buf)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n;

	if (fd < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	while ((n = read(fd, buf, BLOCK)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
			break;
		}
		feed(h, type, index, buf, (size_t)n);
	}
	close(fd);
	return err;
}

int ccgov_nitro_measure_parts(ccgov_nitro_pcrs *out, const char *kernel, const char *cmdline,
			      const char *const *ramdisks, size_t nramdisks)
{
	unsigned char *buf = malloc(BLOCK);
	pcr_hashers h;
	int err;

	memset(out, 0, sizeof(*out));
	if (!buf)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (nramdisks == 0) {
		free(buf);
		return ccgov_error_set(CCGOV_EINVALID, "an enclave needs at least one ramdisk");
	}
	if ((err = hashers_start(&h)) == 0)
		err = feed_file(&h, SEC_KERNEL, 0, kernel, buf);
	/* The command line as the EIF holds it: its bytes, no terminating NUL. */
	if (err == 0)
		feed(&h, SEC_CMDLINE, 0, cmdline, strlen(cmdline));
	for (size_t i = 0; i < nramdisks && err == 0; i++)
		err = feed_file(&h, SEC_RAMDISK, (int)i, ramdisks[i], buf);
	out->ramdisks = nramdisks;
	free(buf);
	return hashers_finish(&h, out, err);
}
