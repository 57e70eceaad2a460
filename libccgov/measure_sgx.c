/*
 * Intel SGX: MRENCLAVE is SHA-256 over the 64-byte ECREATE, EADD and
 * EEXTEND records (each EEXTEND followed by the 256 bytes it measures), in
 * the order the loader issues them (Intel SDM Vol. 3D, the Operation of
 * ECREATE, EADD and EEXTEND). An SGXS stream (Fortanix) is exactly those
 * records, plus UNMEASRD records for chunks loaded without EEXTEND.
 *
 * The records are checked, not just hashed: two tools that hash the same
 * file must not disagree because one of them normalizes padding, so any
 * non-canonical record is refused.
 *
 * An enclave layout (measure_sgx_layout.c) is measured by writing the
 * records its SGXS stream would hold and checking and hashing them here,
 * with the same code.
 */
#include "bytes.h"

#include <ccgov/error.h>
#include <ccgov/measure.h>
#include <ccgov/path.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD 64
#define CHUNK 256
#define PAGE 4096

static const unsigned char TAG_ECREATE[8] = "ECREATE";
static const unsigned char TAG_EADD[8] = "EADD\0\0\0";
static const unsigned char TAG_EEXTEND[8] = "EEXTEND";
static const unsigned char TAG_UNSIZED[8] = "UNSIZED";
static const unsigned char TAG_UNMEASRD[8] = { 'U', 'N', 'M', 'E', 'A', 'S', 'R', 'D' };

/* SECINFO.FLAGS: R W X PENDING MODIFIED PR, then the page type in bits 15:8. */
#define PT_TCS 1
#define PT_REG 2

typedef struct {
	EVP_MD_CTX *sha;
	const char *name;
	ccgov_sgx_measurement *out;
	int created;
	uint64_t page;        /* offset of the page last added, when one was */
	int have_page;
	uint16_t chunks_seen; /* chunks of that page already extended or loaded */
} sgxs_state;

/* Runs over the reserved bytes of millions of records a gigabyte: without an early exit it vectorizes. */
static int zero(const unsigned char *p, size_t n)
{
	unsigned char any = 0;

	for (size_t i = 0; i < n; i++)
		any |= p[i];
	return any == 0;
}

static int bad(const sgxs_state *st, uint64_t at, const char *what)
{
	return ccgov_error_set(CCGOV_EINVALID, "%s: record at byte %llu: %s", st->name, (unsigned long long)at, what);
}

/* The size of the record whose header is h: 64, or 320 with its data. */
static int record_size(const unsigned char *h)
{
	if (!memcmp(h, TAG_EEXTEND, 8) || !memcmp(h, TAG_UNMEASRD, 8))
		return RECORD + CHUNK;
	if (!memcmp(h, TAG_ECREATE, 8) || !memcmp(h, TAG_EADD, 8) || !memcmp(h, TAG_UNSIZED, 8))
		return RECORD;
	return -1;
}

/* Checks one whole record at stream offset at; returns 1 when it is measured. */
static int check_record(sgxs_state *st, const unsigned char *r, uint64_t at)
{
	if (!memcmp(r, TAG_UNSIZED, 8))
		return bad(st, at, "UNSIZED: the enclave size is not filled in yet, so there is nothing to measure");
	if (!memcmp(r, TAG_ECREATE, 8)) {
		uint64_t size = bytes_le(r + 12, 8);

		if (st->created || at != 0)
			return bad(st, at, "ECREATE must be the first record, and the only one");
		if (bytes_le(r + 8, 4) == 0 || size == 0 || (size & (size - 1)))
			return bad(st, at, "ECREATE: SSA frame size 0, or an enclave size that is not a power of two");
		if (!zero(r + 20, 44))
			return bad(st, at, "ECREATE: non-zero reserved bytes");
		st->created = 1;
		st->out->ssaframesize = (uint32_t)bytes_le(r + 8, 4);
		st->out->size = size;
		return 1;
	}
	if (!st->created)
		return bad(st, at, "the first record must be ECREATE");
	if (!memcmp(r, TAG_EADD, 8)) {
		uint64_t off = bytes_le(r + 8, 8), flags = bytes_le(r + 16, 8), type = flags >> 8 & 0xff;

		if (off % PAGE || off >= st->out->size || (st->have_page && off <= st->page))
			return bad(st, at, "EADD: offset not page aligned, outside the enclave, or not after the previous page");
		if ((type != PT_TCS && type != PT_REG) || (flags >> 16) || (type == PT_TCS && (flags & 7)) ||
		    !zero(r + 24, 40))
			return bad(st, at, "EADD: SECINFO is not a TCS or regular page with valid flags and zero reserved bytes");
		st->page = off;
		st->have_page = 1;
		st->chunks_seen = 0;
		st->out->pages++;
		return 1;
	}
	/* EEXTEND or UNMEASRD: a new 256-byte chunk of the page just added. */
	{
		uint64_t off = bytes_le(r + 8, 8), chunk = (off - st->page) / CHUNK;
		int measured = !memcmp(r, TAG_EEXTEND, 8);

		if (!st->have_page || off % CHUNK || off < st->page || off - st->page >= PAGE)
			return bad(st, at, measured ? "EEXTEND: not a 256-byte chunk of the page just added" :
						      "UNMEASRD: not a 256-byte chunk of the page just added");
		if (st->chunks_seen & (1u << chunk))
			return bad(st, at, "the same 256-byte chunk twice");
		if (!zero(r + 16, 48))
			return bad(st, at, "non-zero reserved bytes");
		st->chunks_seen |= (uint16_t)(1u << chunk);
		if (measured)
			st->out->measured_chunks++;
		else
			st->out->unmeasured_chunks++;
		return measured;
	}
}

static int start(sgxs_state *st, ccgov_sgx_measurement *out, const char *name)
{
	memset(out, 0, sizeof(*out));
	memset(st, 0, sizeof(*st));
	st->out = out;
	st->name = name;
	if (!(st->sha = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(st->sha, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(st->sha);
		return ccgov_error_set(CCGOV_ERROR, "SHA-256 unavailable");
	}
	return 0;
}

static int finish(sgxs_state *st, int err)
{
	unsigned int n = 0;

	if (err == 0 && !st->created)
		err = ccgov_error_set(CCGOV_EINVALID, "%s: empty: no ECREATE record", st->name);
	if (err == 0 && !EVP_DigestFinal_ex(st->sha, st->out->mrenclave, &n))
		err = ccgov_error_set(CCGOV_ERROR, "SHA-256 failed");
	EVP_MD_CTX_free(st->sha);
	return err;
}

/*
 * Records in [data, data + len) at stream offset base: hashes the measured
 * ones, in runs (one digest update per run, not per record, so a large
 * enclave hashes at the speed of SHA-256 itself). *used says how many
 * bytes made whole records.
 */
static int records(sgxs_state *st, const unsigned char *data, size_t len, uint64_t base, size_t *used)
{
	size_t i = 0, run = 0;
	int err = 0;

	while (len - i >= RECORD) {
		int size = record_size(data + i), measured;

		if (size < 0) {
			err = bad(st, base + i, "unknown record tag");
			break;
		}
		if (len - i < (size_t)size)
			break;
		if ((measured = check_record(st, data + i, base + i)) < 0) {
			err = measured;
			break;
		}
		if (!measured) {
			EVP_DigestUpdate(st->sha, data + run, i - run);
			run = i + (size_t)size;
		}
		i += (size_t)size;
	}
	if (i > run)
		EVP_DigestUpdate(st->sha, data + run, i - run);
	*used = i;
	return err;
}

int ccgov_sgx_measure_sgxs_buffer(ccgov_sgx_measurement *out, const unsigned char *data, size_t len,
				  const char *name)
{
	sgxs_state st;
	size_t used = 0;
	int err = start(&st, out, name);

	if (err < 0)
		return err;
	err = records(&st, data, len, 0, &used);
	if (err == 0 && used != len)
		err = bad(&st, used, "truncated: the file ends inside a record");
	return finish(&st, err);
}

int ccgov_sgx_measure_sgxs(ccgov_sgx_measurement *out, const char *path)
{
	enum { BUFFER = 1 << 20 };
	unsigned char *buf = malloc(BUFFER);
	size_t have = 0, used;
	uint64_t base = 0;
	sgxs_state st;
	int fd, err;

	if (!buf)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		free(buf);
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	}
	if ((err = start(&st, out, path)) < 0) {
		close(fd);
		free(buf);
		return err;
	}
	for (;;) {
		ssize_t n = read(fd, buf + have, BUFFER - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
			break;
		}
		have += (size_t)n;
		if ((err = records(&st, buf, have, base, &used)) < 0)
			break;
		if (n == 0) {
			if (used != have)
				err = bad(&st, base + used, "truncated: the file ends inside a record");
			break;
		}
		/* Keep the part of a record that continues in the next read. */
		memmove(buf, buf + used, have - used);
		base += used;
		have -= used;
	}
	close(fd);
	free(buf);
	return finish(&st, err);
}

/* ---- enclave layouts ------------------------------------------------------ */

/*
 * A layout is measured by writing the records its SGXS stream would hold
 * and handing them to records(), the code that measures SGXS files: the
 * two inputs cannot disagree about what is hashed, and a layout that
 * broke a rule of the stream would be caught there too. Records are
 * written BATCH pages at a time, so memory stays small for any enclave.
 */
#define BATCH 256
#define PAGE_RECORDS (RECORD + PAGE / CHUNK * (RECORD + CHUNK)) /* the most one page adds */

static const unsigned char zero_page[PAGE];

typedef struct {
	sgxs_state st;
	const ccgov_sgx_layout *layout;
	int dirfd;              /* the layout's folder, which region files must not leave */
	unsigned char *stream;  /* records of up to BATCH pages */
	unsigned char *content; /* the file content of up to BATCH pages */
	uint64_t base;          /* where the next record would be in an SGXS file, for messages */
} layout_run;

static void put_le(unsigned char *p, uint64_t v, int n)
{
	for (int i = 0; i < n; i++, v >>= 8)
		p[i] = (unsigned char)v;
}

static int feed(layout_run *run, const unsigned char *data, size_t len)
{
	size_t used = 0;
	int err = records(&run->st, data, len, run->base, &used);

	run->base += used;
	return err;
}

/* The EADD record of a page and an EEXTEND record per chunk in mask; returns their size. */
static size_t write_page(unsigned char *p, uint64_t offset, uint64_t flags, unsigned mask,
			 const unsigned char *content)
{
	size_t n = RECORD;

	memset(p, 0, RECORD);
	memcpy(p, TAG_EADD, 8);
	put_le(p + 8, offset, 8);
	put_le(p + 16, flags, 8);
	for (unsigned c = 0; c < PAGE / CHUNK; c++) {
		if (!(mask >> c & 1))
			continue;
		memset(p + n, 0, RECORD);
		memcpy(p + n, TAG_EEXTEND, 8);
		put_le(p + n + 8, offset + c * CHUNK, 8);
		memcpy(p + n + RECORD, content + c * CHUNK, CHUNK);
		n += RECORD + CHUNK;
	}
	return n;
}

/* Region i's file, beneath the layout's folder: a regular file that file_offset lies in. */
static int open_content(int *fd, uint64_t *size, const layout_run *run, size_t i)
{
	const ccgov_sgx_layout *l = run->layout;
	const ccgov_sgx_region *r = &l->regions[i];
	struct stat st;
	int err = 0;

	/* O_NONBLOCK: a FIFO planted under the file's name must not hang the open. */
	if (ccgov_path_open_beneath(fd, run->dirfd, r->file, O_RDONLY | O_NOCTTY | O_NONBLOCK, r->file) < 0)
		return ccgov_error_wrap("%s: region %zu", l->name, i);
	if (fstat(*fd, &st) < 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: region %zu: %s", l->name, i, r->file);
	else if (!S_ISREG(st.st_mode))
		err = ccgov_error_set(CCGOV_EINVALID, "%s: region %zu: %s: not a regular file", l->name, i, r->file);
	else if (r->file_offset > (uint64_t)st.st_size)
		err = ccgov_error_set(CCGOV_EINVALID, "%s: region %zu: file_offset %llu is past the end of %s (%lld bytes)",
				      l->name, i, (unsigned long long)r->file_offset, r->file, (long long)st.st_size);
	if (err < 0) {
		close(*fd);
		return err;
	}
	*size = (uint64_t)st.st_size;
	return 0;
}

/* Content of n pages from page first of region i: the file's bytes, zero past its end. */
static int read_content(layout_run *run, size_t i, int fd, uint64_t size, uint64_t first, size_t n)
{
	const ccgov_sgx_region *r = &run->layout->regions[i];
	uint64_t at = r->file_offset + first * PAGE;
	size_t want = at < size ? (size_t)(size - at < n * PAGE ? size - at : n * PAGE) : 0, have = 0;

	while (have < want) {
		ssize_t got = pread(fd, run->content + have, want - have, (off_t)(at + have));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s: region %zu: %s", run->layout->name, i, r->file);
		if (got == 0)
			break; /* the file shrank: what is gone reads as zero, like the rest past its end */
		have += (size_t)got;
	}
	memset(run->content + have, 0, n * PAGE - have);
	return 0;
}

static unsigned page_mask(const ccgov_sgx_region *r, uint64_t page)
{
	return r->page_masks ? r->page_masks[page] : r->mask;
}

/* Records for pages [first, first + n) of region i, with their content read only when measured. */
static int measure_batch(layout_run *run, size_t i, int fd, uint64_t size, uint64_t first, size_t n)
{
	const ccgov_sgx_region *r = &run->layout->regions[i];
	unsigned any = 0;
	size_t len = 0;
	int err;

	for (size_t k = 0; k < n; k++) {
		unsigned mask = page_mask(r, first + k);

		any |= mask;
		if (fd >= 0) /* loaded from the file, as an UNMEASRD record would say */
			run->st.out->unmeasured_chunks += PAGE / CHUNK - (unsigned)__builtin_popcount(mask);
	}
	if (fd >= 0 && any && (err = read_content(run, i, fd, size, first, n)) < 0)
		return err;
	for (size_t k = 0; k < n; k++)
		len += write_page(run->stream + len, r->offset + (first + k) * PAGE, r->secinfo_flags,
				  page_mask(r, first + k), fd >= 0 && any ? run->content + k * PAGE : zero_page);
	return feed(run, run->stream, len);
}

static int measure_region(layout_run *run, size_t i)
{
	const ccgov_sgx_region *r = &run->layout->regions[i];
	uint64_t size = 0;
	int fd = -1, err = 0;

	if (r->file && (err = open_content(&fd, &size, run, i)) < 0)
		return err;
	for (uint64_t first = 0; err == 0 && first < r->pages; first += BATCH) {
		size_t n = r->pages - first < BATCH ? (size_t)(r->pages - first) : BATCH;

		err = measure_batch(run, i, fd, size, first, n);
	}
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * The folder, and every region file checked once before anything is
 * hashed: a missing file in the last region should not cost the hashing
 * of a gigabyte first.
 */
static int open_files(layout_run *run)
{
	const ccgov_sgx_layout *l = run->layout;
	uint64_t size;
	int fd, err;

	for (size_t i = 0; i < l->nregions; i++) {
		if (!l->regions[i].file)
			continue;
		if (run->dirfd < 0 && (run->dirfd = open(l->dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s: its folder %s", l->name, l->dir);
		if ((err = open_content(&fd, &size, run, i)) < 0)
			return err;
		close(fd);
	}
	return 0;
}

int ccgov_sgx_measure_layout(ccgov_sgx_measurement *out, const ccgov_sgx_layout *layout)
{
	layout_run run = { .layout = layout, .dirfd = -1 };
	unsigned char ecreate[RECORD] = { 0 };
	int err = start(&run.st, out, layout->name);

	if (err < 0)
		return err;
	memcpy(ecreate, TAG_ECREATE, 8);
	put_le(ecreate + 8, layout->ssaframesize, 4);
	put_le(ecreate + 12, layout->size, 8);
	run.stream = malloc(BATCH * PAGE_RECORDS);
	run.content = malloc(BATCH * PAGE);
	if (!run.stream || !run.content)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (err == 0 && (err = open_files(&run)) == 0)
		err = feed(&run, ecreate, RECORD);
	for (size_t i = 0; err == 0 && i < layout->nregions; i++)
		err = measure_region(&run, i);
	if (run.dirfd >= 0)
		close(run.dirfd);
	free(run.stream);
	free(run.content);
	return finish(&run.st, err);
}

/* ---- SIGSTRUCT ------------------------------------------------------------- */

#define SIGSTRUCT_SIZE 1808

static BIGNUM *bn_le(const unsigned char *p, int n)
{
	return BN_lebin2bn(p, n, NULL);
}

/* RSA-3072, e = 3, PKCS#1 v1.5 with SHA-256 over bytes 0..127 and 900..1027. */
static int verify_signature(const unsigned char *s, const char *name)
{
	unsigned char signature[384], signed_data[256];
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	BIGNUM *n = bn_le(s + 128, 384), *e = BN_new();
	int ok = 0;

	/* SIGSTRUCT stores the signature little-endian; PKCS#1 wants it big-endian. */
	for (int i = 0; i < 384; i++)
		signature[i] = s[516 + 383 - i];
	memcpy(signed_data, s, 128);
	memcpy(signed_data + 128, s + 900, 128);
	if (bld && n && e && BN_set_word(e, 3) && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) &&
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) && (params = OSSL_PARAM_BLD_to_param(bld)) &&
	    (pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) && EVP_PKEY_fromdata_init(pctx) > 0 &&
	    EVP_PKEY_fromdata(pctx, &key, EVP_PKEY_PUBLIC_KEY, params) > 0 && (md = EVP_MD_CTX_new()) &&
	    EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) > 0)
		ok = EVP_DigestVerify(md, signature, sizeof(signature), signed_data, sizeof(signed_data)) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(n);
	BN_free(e);
	return ok ? 0 : ccgov_error_set(CCGOV_EMISMATCH, "%s: the RSA signature does not verify with the modulus it carries", name);
}

int ccgov_sgx_sigstruct_read(ccgov_sgx_sigstruct *out, const unsigned char *s, size_t len, const char *name)
{
	static const unsigned char header[16] = { 0x06, 0, 0, 0, 0xe1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0 };
	static const unsigned char header2[16] = { 0x01, 0x01, 0, 0, 0x60, 0, 0, 0, 0x60, 0, 0, 0, 0x01, 0, 0, 0 };
	unsigned int n = 0;

	memset(out, 0, sizeof(*out));
	if (len != SIGSTRUCT_SIZE)
		return ccgov_error_set(CCGOV_EINVALID, "%s: %zu bytes, a SIGSTRUCT has %d", name, len, SIGSTRUCT_SIZE);
	if (memcmp(s, header, 16) || memcmp(s + 24, header2, 16))
		return ccgov_error_set(CCGOV_EINVALID, "%s: HEADER or HEADER2 is not the SIGSTRUCT constant", name);
	if (bytes_le(s + 512, 4) != 3)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the RSA exponent is not 3", name);
	out->vendor = (uint32_t)bytes_le(s + 16, 4);
	if (out->vendor != 0 && out->vendor != 0x8086)
		return ccgov_error_set(CCGOV_EINVALID, "%s: VENDOR is neither 0 nor 0x8086", name);
	out->date = (uint32_t)bytes_le(s + 20, 4);
	out->miscselect = (uint32_t)bytes_le(s + 900, 4);
	out->miscmask = (uint32_t)bytes_le(s + 904, 4);
	out->attributes_flags = bytes_le(s + 928, 8);
	out->attributes_xfrm = bytes_le(s + 936, 8);
	out->attributemask_flags = bytes_le(s + 944, 8);
	out->attributemask_xfrm = bytes_le(s + 952, 8);
	memcpy(out->enclavehash, s + 960, 32);
	out->isvprodid = (uint16_t)bytes_le(s + 1024, 2);
	out->isvsvn = (uint16_t)bytes_le(s + 1026, 2);
	if (!EVP_Digest(s + 128, 384, out->mrsigner, &n, EVP_sha256(), NULL))
		return ccgov_error_set(CCGOV_ERROR, "SHA-256 failed");
	return verify_signature(s, name);
}
