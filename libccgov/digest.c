#include <ccgov/digest.h>
#include <ccgov/error.h>

#include <openssl/evp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ccgov_hasher {
	EVP_MD_CTX *ctx;
	const EVP_MD *md;
	ccgov_digest_alg alg;
};

static const struct {
	const char *name;
	size_t size;
} algs[] = {
	[CCGOV_SHA256] = { "sha256", 32 },
	[CCGOV_SHA384] = { "sha384", 48 },
	[CCGOV_SHA512] = { "sha512", 64 },
};

#define FILE_BLOCK (1u << 20)

const char *ccgov_digest_alg_name(ccgov_digest_alg alg)
{
	return algs[alg].name;
}

size_t ccgov_digest_alg_size(ccgov_digest_alg alg)
{
	return algs[alg].size;
}

int ccgov_digest_alg_parse(ccgov_digest_alg *out, const char *name)
{
	for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(name, algs[i].name) == 0) {
			*out = (ccgov_digest_alg)i;
			return 0;
		}
	}
	return ccgov_error_set(CCGOV_EINVALID,
			       "'%s': unknown digest algorithm (expected sha256, sha384 or sha512)",
			       name);
}

static const EVP_MD *evp_for(ccgov_digest_alg alg)
{
	switch (alg) {
	case CCGOV_SHA256:
		return EVP_sha256();
	case CCGOV_SHA384:
		return EVP_sha384();
	case CCGOV_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

int ccgov_hasher_new(ccgov_hasher **out, ccgov_digest_alg alg)
{
	ccgov_hasher *h = calloc(1, sizeof(*h));

	*out = NULL;
	if (!h)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	h->alg = alg;
	h->md = evp_for(alg);
	h->ctx = EVP_MD_CTX_new();
	if (!h->md || !h->ctx || EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1) {
		ccgov_hasher_free(h);
		return ccgov_error_set(CCGOV_ERROR, "OpenSSL: cannot start %s",
				       ccgov_digest_alg_name(alg));
	}
	*out = h;
	return 0;
}

int ccgov_hasher_update(ccgov_hasher *h, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(h->ctx, data, len) != 1)
		return ccgov_error_set(CCGOV_ERROR, "OpenSSL: digest update failed");
	return 0;
}

int ccgov_hasher_final(ccgov_digest *out, ccgov_hasher *h)
{
	unsigned int n = 0;

	memset(out, 0, sizeof(*out));
	out->alg = h->alg;
	if (EVP_DigestFinal_ex(h->ctx, out->bytes, &n) != 1 ||
	    n != algs[h->alg].size ||
	    EVP_DigestInit_ex(h->ctx, h->md, NULL) != 1)
		return ccgov_error_set(CCGOV_ERROR, "OpenSSL: digest final failed");
	out->len = n;
	return 0;
}

void ccgov_hasher_free(ccgov_hasher *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

int ccgov_digest_buffer(ccgov_digest *out, ccgov_digest_alg alg,
			const void *data, size_t len)
{
	unsigned int n = 0;

	memset(out, 0, sizeof(*out));
	out->alg = alg;
	if (EVP_Digest(data, len, out->bytes, &n, evp_for(alg), NULL) != 1)
		return ccgov_error_set(CCGOV_ERROR, "OpenSSL: digest failed");
	out->len = n;
	return 0;
}

int ccgov_hasher_update_fd(ccgov_hasher *h, uint64_t *size, int fd, const char *name)
{
	unsigned char *block = malloc(FILE_BLOCK);
	uint64_t total = 0;
	int err = block ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");

	while (err == 0) {
		ssize_t n = read(fd, block, FILE_BLOCK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: read", name);
		else if (n == 0)
			break;
		else if ((err = ccgov_hasher_update(h, block, (size_t)n)) == 0)
			total += (uint64_t)n;
	}
	if (size)
		*size = total;
	free(block);
	return err;
}

int ccgov_digest_fd(ccgov_digest *out, uint64_t *size, ccgov_digest_alg alg,
		    int fd, const char *name)
{
	ccgov_hasher *h = NULL;
	int err;

	if ((err = ccgov_hasher_new(&h, alg)) < 0)
		return err;
	if ((err = ccgov_hasher_update_fd(h, size, fd, name)) == 0)
		err = ccgov_hasher_final(out, h);
	ccgov_hasher_free(h);
	return err;
}

int ccgov_digest_file(ccgov_digest *out, ccgov_digest_alg alg, const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int err;

	if (fd < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno,
					     "%s", path);
	/* A folder opens, then fails to read: name it as the user's mistake, not as an I/O failure. */
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return ccgov_error_set(CCGOV_EINVALID, "%s: a folder, not a file", path);
	}
	err = ccgov_digest_fd(out, NULL, alg, fd, path);
	close(fd);
	return err;
}

void ccgov_hex(char *buf, const unsigned char *bytes, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		buf[2 * i] = hex[bytes[i] >> 4];
		buf[2 * i + 1] = hex[bytes[i] & 15];
	}
	buf[2 * len] = '\0';
}

void ccgov_digest_hex(char *buf, const ccgov_digest *d)
{
	ccgov_hex(buf, d->bytes, d->len);
}

void ccgov_digest_string(char *buf, const ccgov_digest *d)
{
	size_t n = strlen(algs[d->alg].name);

	memcpy(buf, algs[d->alg].name, n);
	buf[n] = ':';
	ccgov_digest_hex(buf + n + 1, d);
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int ccgov_digest_parse(ccgov_digest *out, const char *text)
{
	const char *colon = strchr(text, ':');
	char name[8];
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!colon || (size_t)(colon - text) >= sizeof(name))
		return ccgov_error_set(CCGOV_EINVALID,
				       "'%.80s': not a digest of the form sha256:<hex>", text);
	memcpy(name, text, (size_t)(colon - text));
	name[colon - text] = '\0';
	if (ccgov_digest_alg_parse(&out->alg, name) < 0)
		return CCGOV_EINVALID;
	n = algs[out->alg].size;
	if (strlen(colon + 1) != 2 * n)
		return ccgov_error_set(CCGOV_EINVALID,
				       "'%.80s': a %s digest has %zu hex digits", text,
				       name, 2 * n);
	for (size_t i = 0; i < n; i++) {
		int hi = hex_value(colon[1 + 2 * i]), lo = hex_value(colon[2 + 2 * i]);

		if (hi < 0 || lo < 0)
			return ccgov_error_set(CCGOV_EINVALID,
					       "'%.80s': digest is not lowercase hex", text);
		out->bytes[i] = (unsigned char)(hi << 4 | lo);
	}
	out->len = n;
	return 0;
}

int ccgov_digest_equal(const ccgov_digest *a, const ccgov_digest *b)
{
	return a->alg == b->alg && a->len == b->len &&
	       memcmp(a->bytes, b->bytes, a->len) == 0;
}
