/*
 * Reading tar as Go's archive/tar does, since that is how every container
 * runtime will read the layer: the same names, the same extension headers
 * honoured, the same members with content. Names stay bytes: no locale,
 * no character set conversion, no Unicode normalization.
 */
#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/tar.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PAX_MAX (1u << 20) /* a larger extended header is hostile, not a layer */
#define SIZE 124
#define CHECKSUM 148
#define TYPEFLAG 156
#define LINKNAME 157
#define MAGIC 257
#define PREFIX 345
#define GNU_EXTENDED 482    /* old GNU sparse: more map blocks follow */
#define GNU_EXT_EXTENDED 504 /* the same flag in each of those blocks */

struct ccgov_tar_reader {
	ccgov_tar_source source;
	void *ctx;
	uint64_t offset;  /* bytes read, for messages */
	uint64_t left;    /* of the current member's content */
	uint64_t padding; /* zeros after it */
	int ended;
	ccgov_tar_member member;
	char *path, *link;
	/* What extension headers said about the next member. */
	char *pax_path, *pax_link, *long_path, *long_link;
	int pax_has_size, pax_sparse;
	uint64_t pax_size;
};

static int damaged(const ccgov_tar_reader *r, const char *why)
{
	return ccgov_error_set(CCGOV_EINVALID, "tar: %s at byte %llu", why,
			       (unsigned long long)r->offset);
}

/* Exactly n bytes, or CCGOV_EINVALID if the stream ends first; *clean_end when it ended before any. */
static int fill(ccgov_tar_reader *r, void *buf, size_t n, int *clean_end)
{
	size_t got = 0;

	if (clean_end)
		*clean_end = 0;
	while (got < n) {
		long k = r->source(r->ctx, (char *)buf + got, n - got);

		if (k < 0)
			return (int)k;
		if (k == 0) {
			if (got == 0 && clean_end) {
				*clean_end = 1;
				return 0;
			}
			return damaged(r, "archive truncated");
		}
		got += (size_t)k;
		r->offset += (uint64_t)k;
	}
	return 0;
}

static int skip(ccgov_tar_reader *r, uint64_t n)
{
	char scratch[8192];
	int err = 0;

	while (n > 0 && err == 0) {
		size_t k = n < sizeof(scratch) ? (size_t)n : sizeof(scratch);

		err = fill(r, scratch, k, NULL);
		n -= k;
	}
	return err;
}

int ccgov_tar_reader_new(ccgov_tar_reader **out, ccgov_tar_source source, void *ctx)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	(*out)->source = source;
	(*out)->ctx = ctx;
	return 0;
}

static void forget_extensions(ccgov_tar_reader *r)
{
	free(r->pax_path);
	free(r->pax_link);
	free(r->long_path);
	free(r->long_link);
	r->pax_path = r->pax_link = r->long_path = r->long_link = NULL;
	r->pax_has_size = r->pax_sparse = 0;
	r->pax_size = 0;
}

void ccgov_tar_reader_free(ccgov_tar_reader *r)
{
	if (!r)
		return;
	forget_extensions(r);
	free(r->path);
	free(r->link);
	free(r);
}

/* A numeric field: octal between spaces and NULs, or base-256 (negative refused: only sizes are read). */
static int number(uint64_t *out, const unsigned char *f, size_t len)
{
	size_t i = 0, end = len;
	uint64_t v = 0;

	if (f[0] & 0x80) {
		if (f[0] & 0x40)
			return -1;
		for (i = 0; i < len; i++) {
			if (v >> 55)
				return -1;
			v = v << 8 | (i == 0 ? f[0] & 0x7f : f[i]);
		}
		*out = v;
		return 0;
	}
	while (i < len && (f[i] == ' ' || f[i] == '\0'))
		i++;
	while (end > i && (f[end - 1] == ' ' || f[end - 1] == '\0'))
		end--;
	for (; i < end; i++) {
		if (f[i] < '0' || f[i] > '7' || v >> 60)
			return -1;
		v = v << 3 | (uint64_t)(f[i] - '0');
	}
	*out = v;
	return 0;
}

static int checksum_ok(const unsigned char h[CCGOV_TAR_BLOCK])
{
	uint64_t want;
	unsigned sum = 0;
	int ssum = 0;

	if (number(&want, h + CHECKSUM, 8) < 0)
		return 0;
	for (int i = 0; i < CCGOV_TAR_BLOCK; i++) {
		unsigned char c = i >= CHECKSUM && i < CHECKSUM + 8 ? ' ' : h[i];

		sum += c;
		ssum += (signed char)c;
	}
	/* Some old tars summed signed chars. */
	return want == sum || (int64_t)want == ssum;
}

static char *field(const unsigned char *f, size_t len)
{
	return strndup((const char *)f, strnlen((const char *)f, len));
}

/* One "LEN key=value\n" record of a pax header at p (n bytes left); its length, or 0 if malformed. */
static size_t pax_record(ccgov_tar_reader *r, const char *p, size_t n)
{
	const char *sp = memchr(p, ' ', n < 24 ? n : 24), *eq;
	size_t len = 0;

	if (!sp || sp == p)
		return 0;
	for (const char *d = p; d < sp; d++) {
		if (*d < '0' || *d > '9' || len > n)
			return 0;
		len = len * 10 + (size_t)(*d - '0');
	}
	if (len > n || len < (size_t)(sp - p) + 3 || p[len - 1] != '\n' ||
	    !(eq = memchr(sp + 1, '=', (size_t)(p + len - 1 - (sp + 1)))))
		return 0;
	{
		const char *key = sp + 1, *value = eq + 1;
		size_t klen = (size_t)(eq - key), vlen = (size_t)(p + len - 1 - value);
		char **slot = NULL;

		if (klen == 4 && memcmp(key, "path", 4) == 0)
			slot = &r->pax_path;
		else if (klen == 8 && memcmp(key, "linkpath", 8) == 0)
			slot = &r->pax_link;
		else if (klen == 15 && memcmp(key, "GNU.sparse.name", 15) == 0)
			slot = &r->pax_path;
		if (klen > 11 && memcmp(key, "GNU.sparse.", 11) == 0)
			r->pax_sparse = 1;
		if (klen == 4 && memcmp(key, "size", 4) == 0) {
			uint64_t v = 0;

			if (vlen == 0 || vlen > 19)
				return 0;
			for (size_t i = 0; i < vlen; i++) {
				if (value[i] < '0' || value[i] > '9')
					return 0;
				v = v * 10 + (uint64_t)(value[i] - '0');
			}
			r->pax_size = v;
			r->pax_has_size = 1;
		}
		if (slot) {
			if (memchr(value, '\0', vlen))
				return 0;
			free(*slot);
			if (!(*slot = strndup(value, vlen)))
				return 0;
		}
	}
	return len;
}

static int read_pax(ccgov_tar_reader *r, uint64_t size)
{
	char *data;
	int err;

	if (size > PAX_MAX)
		return damaged(r, "pax header larger than 1 MiB");
	if (!(data = malloc(size ? (size_t)size : 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = fill(r, data, (size_t)size, NULL)) == 0) {
		for (size_t at = 0; at < size && err == 0;) {
			size_t n = pax_record(r, data + at, (size_t)size - at);

			if (n == 0)
				err = damaged(r, "malformed pax record");
			at += n;
		}
	}
	free(data);
	return err == 0 ? skip(r, ccgov_tar_padding(size)) : err;
}

/* A GNU long name or link target: the content, up to its first NUL. */
static int read_long_name(ccgov_tar_reader *r, char **slot, uint64_t size)
{
	char *data;
	int err;

	if (size > CCGOV_TAR_NAME_MAX + 1)
		return damaged(r, "GNU long name too long");
	if (!(data = calloc(1, (size_t)size + 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = fill(r, data, (size_t)size, NULL)) < 0) {
		free(data);
		return err;
	}
	free(*slot);
	*slot = data;
	return skip(r, ccgov_tar_padding(size));
}

/* Old GNU sparse files: map blocks between the header and the data. */
static int skip_sparse_blocks(ccgov_tar_reader *r, const unsigned char *h)
{
	unsigned char block[CCGOV_TAR_BLOCK];
	int more = h[GNU_EXTENDED] != 0, err = 0;

	while (more && err == 0) {
		err = fill(r, block, sizeof(block), NULL);
		more = block[GNU_EXT_EXTENDED] != 0;
	}
	return err;
}

static int header_only(char type)
{
	return type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6';
}

/* The member that header h describes, with what extension headers said before it. */
static int take_member(ccgov_tar_reader *r, const unsigned char *h, uint64_t size)
{
	int ustar = memcmp(h + MAGIC, "ustar\0", 6) == 0;
	char *name = field(h, 100), *prefix = ustar ? field(h + PREFIX, 155) : NULL;

	free(r->path);
	free(r->link);
	r->path = r->link = NULL;
	if (!name || (ustar && !prefix)) {
		free(name);
		free(prefix);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	if (r->long_path) {
		r->path = r->long_path;
		r->long_path = NULL;
	} else if (r->pax_path) {
		r->path = r->pax_path;
		r->pax_path = NULL;
	} else if (prefix && prefix[0]) {
		ccgov_buffer b = CCGOV_BUFFER_INIT;

		ccgov_buffer_printf(&b, "%s/%s", prefix, name);
		r->path = ccgov_buffer_detach(&b, NULL);
	} else {
		r->path = name;
		name = NULL;
	}
	if (r->long_link) {
		r->link = r->long_link;
		r->long_link = NULL;
	} else if (r->pax_link) {
		r->link = r->pax_link;
		r->pax_link = NULL;
	} else if (h[LINKNAME]) {
		r->link = field(h + LINKNAME, 100);
	}
	free(name);
	free(prefix);
	r->member = (ccgov_tar_member){ r->path, r->link, (char)h[TYPEFLAG], 0, size };
	r->member.sparse = r->pax_sparse || h[TYPEFLAG] == 'S';
	if (r->pax_has_size)
		r->member.size = r->pax_size;
	if (header_only(r->member.type))
		r->member.size = 0;
	forget_extensions(r);
	if (!r->path || (h[LINKNAME] && !r->link))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	r->left = r->member.size;
	r->padding = ccgov_tar_padding(r->member.size);
	return h[TYPEFLAG] == 'S' ? skip_sparse_blocks(r, h) : 0;
}

static int is_zero(const unsigned char *h)
{
	for (int i = 0; i < CCGOV_TAR_BLOCK; i++)
		if (h[i])
			return 0;
	return 1;
}

int ccgov_tar_next(ccgov_tar_reader *r, const ccgov_tar_member **out)
{
	unsigned char h[CCGOV_TAR_BLOCK];
	uint64_t size;
	int err, end;

	*out = NULL;
	if (r->ended)
		return 0;
	if ((err = skip(r, r->left + r->padding)) < 0)
		return err;
	r->left = r->padding = 0;
	for (;;) {
		if ((err = fill(r, h, sizeof(h), &end)) < 0)
			return err;
		/* The end: a zero block, or the stream ending between members. */
		if (end || is_zero(h)) {
			r->ended = 1;
			return 0;
		}
		if (!checksum_ok(h))
			return damaged(r, "bad header checksum");
		if (number(&size, h + SIZE, 12) < 0 || size > INT64_MAX)
			return damaged(r, "bad size field");
		if (h[TYPEFLAG] == 'x')
			err = read_pax(r, size);
		else if (h[TYPEFLAG] == 'g')
			err = skip(r, size + ccgov_tar_padding(size)); /* Go ignores global records too */
		else if (h[TYPEFLAG] == 'L')
			err = read_long_name(r, &r->long_path, size);
		else if (h[TYPEFLAG] == 'K')
			err = read_long_name(r, &r->long_link, size);
		else
			break;
		if (err < 0)
			return err;
	}
	if ((err = take_member(r, h, size)) < 0)
		return err;
	*out = &r->member;
	return 1;
}

long ccgov_tar_read(ccgov_tar_reader *r, void *buf, size_t len)
{
	int err;

	if (len > r->left)
		len = (size_t)r->left;
	if (len > (1u << 30))
		len = 1u << 30;
	if (len == 0)
		return 0;
	if ((err = fill(r, buf, len, NULL)) < 0)
		return err;
	r->left -= len;
	return (long)len;
}
