/*
 * AWS Nitro Enclaves: the PCRs of an Enclave Image File (EIF), per the EIF
 * specification in aws-nitro-enclaves-image-format. A 548-byte big-endian
 * header (magic ".eif", version, flags, up to 32 section offsets and
 * sizes, CRC-32 of the rest of the file), then sections, each a 12-byte
 * header (type, flags, size) and its data: 1 kernel, 2 command line,
 * 3 ramdisk, 4 signature, 5 metadata (not measured).
 */
#include "bytes.h"

#include <ccgov/error.h>
#include <ccgov/measure.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define EIF_HEADER 548
#define EIF_CRC_AT 0x220
#define MAX_SECTIONS 32
#define BLOCK (1 << 20)

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
static int hashers_finish(pcr_hashers *h, ccgov_nitro_pcrs *out, int err)
{
	unsigned char *dest[3] = { out->pcr0, out->pcr1, out->pcr2 };

	for (int i = 0; i < 3; i++) {
		unsigned char buf[96] = { 0 };
		unsigned int n = 0;

		if (err == 0 && (!EVP_DigestFinal_ex(h->pcr[i], buf + 48, &n) ||
				 !EVP_Digest(buf, sizeof(buf), dest[i], &n, EVP_sha384(), NULL)))
			err = ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
		EVP_MD_CTX_free(h->pcr[i]);
	}
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

int ccgov_nitro_measure_eif(ccgov_nitro_pcrs *out, const char *path)
{
	unsigned char header[EIF_HEADER], sh[12], *buf = malloc(BLOCK), trailing;
	eif_reader r = { -1, path, 0, 0 };
	pcr_hashers h;
	uint64_t nsections;
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
		out->signed_eif |= type == SEC_SIGNATURE;
		if (type == SEC_RAMDISK && kernels == 0) {
			err = ccgov_error_set(CCGOV_EINVALID, "%s: a ramdisk before the kernel", path);
			break;
		}
		err = read_section(&r, &h, type, size, buf);
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
	close(r.fd);
	free(buf);
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
