/*
 * The EIF reader, over any bytes (given to it as a memory file), twice:
 * the bytes as an EIF, with the CRC-32 made right so that mutations get
 * past it to the checks behind it (the signature section is read only
 * after the CRC matched); and the bytes as the signature section of a
 * small valid EIF, so that every input reaches the CBOR, PEM and COSE
 * readers. The same EIF measures the same twice, and a refusal is one
 * line naming the file.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "error_shape.h"

#define EIF_HEADER 548
#define EIF_CRC_AT 0x220

static void measure(const uint8_t *data, size_t size)
{
	ccgov_nitro_pcrs a, b;
	char path[64];
	int fd = memfd_create("eif", MFD_CLOEXEC);

	if (fd < 0)
		return;
	if (write(fd, data, size) == (ssize_t)size) {
		int ra, rb;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		ra = ccgov_nitro_measure_eif(&a, path);
		check_error_shape(ra, path);
		rb = ccgov_nitro_measure_eif(&b, path);
		if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0))
			abort();
	}
	close(fd);
}

static void put_be(uint8_t *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void fix_crc(uint8_t *eif, size_t size)
{
	uLong crc = crc32(crc32(0, Z_NULL, 0), eif, EIF_CRC_AT);

	crc = crc32(crc, eif + EIF_CRC_AT + 4, (uInt)(size - EIF_CRC_AT - 4));
	put_be(eif + EIF_CRC_AT, crc, 4);
}

/*
 * Version 4, x86_64: kernel "k", command line "c", ramdisk "r", then sig.
 * fuzz/corpus/nitro_eif/signature-section.cbor is signed for this image's
 * PCR0, so mutations of it start from a signature that verifies.
 */
static uint8_t *signed_eif(const uint8_t *sig, size_t sig_len, size_t *len)
{
	static const char parts[] = "kcr";
	uint8_t *eif = calloc(1, EIF_HEADER + 4 * 12 + 3 + sig_len), *p = eif + EIF_HEADER;

	if (!eif)
		return NULL;
	memcpy(eif, ".eif", 4);
	put_be(eif + 4, 4, 2);
	put_be(eif + 0x1a, 4, 2);
	for (int i = 0; i < 4; i++) {
		size_t n = i < 3 ? 1 : sig_len;

		put_be(eif + 0x1c + 8 * i, (uint64_t)(p - eif), 8);
		put_be(eif + 0x11c + 8 * i, n, 8);
		put_be(p, (uint64_t)i + 1, 2); /* kernel, command line, ramdisk, signature */
		put_be(p + 4, n, 8);
		if (i < 3)
			p[12] = (uint8_t)parts[i];
		else if (sig_len)
			memcpy(p + 12, sig, sig_len);
		p += 12 + n;
	}
	*len = (size_t)(p - eif);
	fix_crc(eif, *len);
	return eif;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1), *eif;
	size_t len;

	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	if (size >= EIF_HEADER)
		fix_crc(copy, size);
	measure(copy, size);
	free(copy);
	if ((eif = signed_eif(data, size, &len)) != NULL)
		measure(eif, len);
	free(eif);
	return 0;
}
