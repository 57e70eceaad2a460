/*
 * Digests over buffers, files and streams, through OpenSSL's EVP interface.
 * A digest names an artifact as "sha256:<hex>" (the OCI and in-toto form).
 */
#ifndef CCGOV_DIGEST_H
#define CCGOV_DIGEST_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	CCGOV_SHA256,
	CCGOV_SHA384,
	CCGOV_SHA512
} ccgov_digest_alg;

#define CCGOV_DIGEST_MAX 64
/* Longest "sha512:" + 128 hex digits + NUL. */
#define CCGOV_DIGEST_STRING_MAX (7 + 2 * CCGOV_DIGEST_MAX + 1)

typedef struct {
	ccgov_digest_alg alg;
	size_t len;
	unsigned char bytes[CCGOV_DIGEST_MAX];
} ccgov_digest;

typedef struct ccgov_hasher ccgov_hasher;

/* "sha256", "sha384", "sha512". */
const char *ccgov_digest_alg_name(ccgov_digest_alg alg);
size_t ccgov_digest_alg_size(ccgov_digest_alg alg);
/* Parses an algorithm name as above; CCGOV_EINVALID for any other. */
int ccgov_digest_alg_parse(ccgov_digest_alg *out, const char *name);

int ccgov_hasher_new(ccgov_hasher **out, ccgov_digest_alg alg);
int ccgov_hasher_update(ccgov_hasher *h, const void *data, size_t len);
/* Finishes the digest; the hasher starts over, ready for new data. */
int ccgov_hasher_final(ccgov_digest *out, ccgov_hasher *h);
void ccgov_hasher_free(ccgov_hasher *h);

int ccgov_digest_buffer(ccgov_digest *out, ccgov_digest_alg alg,
			const void *data, size_t len);
/* Reads the file in large blocks; never maps or loads it whole. */
int ccgov_digest_file(ccgov_digest *out, ccgov_digest_alg alg,
		      const char *path);
/* Adds everything readable from fd to h, counting the bytes if size != NULL. */
int ccgov_hasher_update_fd(ccgov_hasher *h, uint64_t *size, int fd, const char *name);
/* Digests everything readable from fd, counting the bytes if size != NULL. */
int ccgov_digest_fd(ccgov_digest *out, uint64_t *size, ccgov_digest_alg alg,
		    int fd, const char *name);

/* Lowercase hex into buf (at least 2 * len + 1 bytes). */
void ccgov_digest_hex(char *buf, const ccgov_digest *d);
/* The same for any bytes. */
void ccgov_hex(char *buf, const unsigned char *bytes, size_t len);
/* "sha256:<hex>" into buf (at least CCGOV_DIGEST_STRING_MAX bytes). */
void ccgov_digest_string(char *buf, const ccgov_digest *d);
/* Parses "alg:<lowercase hex>" with the exact length for alg. */
int ccgov_digest_parse(ccgov_digest *out, const char *text);
/* 1 if both digests have the same algorithm and bytes, else 0. */
int ccgov_digest_equal(const ccgov_digest *a, const ccgov_digest *b);

#endif
