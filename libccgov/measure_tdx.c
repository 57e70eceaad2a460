/*
 * Intel TDX: MRTD of a TDVF firmware image. The image ends with the OVMF
 * footer GUID table (ovmf.h), whose TDX metadata offset entry gives, from the end of the file, the TDVF
 * descriptor (preceded by its own GUID): "TDVF", length, version 1, and
 * 32-byte sections (data offset, raw size, guest address, memory size,
 * type, attributes: bit 0 MR.EXTEND, bit 1 PAGE.AUG).
 */
#include "bytes.h"
#include "ovmf.h"

#include <ccgov/error.h>
#include <ccgov/measure.h>

#include <openssl/evp.h>
#include <string.h>

#define PAGE 4096
#define CHUNK 256

static const ovmf_guid TDX_OFFSET_GUID = { 0x35, 0x65, 0x7a, 0xe4, 0x4a, 0x98, 0x98, 0x47,
					   0x86, 0x5e, 0x46, 0x85, 0xa7, 0xbf, 0x8e, 0xc2 };
static const ovmf_guid TDX_METADATA_GUID = { 0xf3, 0xf9, 0xea, 0xe9, 0x8e, 0x16, 0xd5, 0x44,
					     0xa8, 0xeb, 0x7f, 0x4d, 0x87, 0x38, 0xf6, 0xae };

static void record(EVP_MD_CTX *sha, const char *tag, uint64_t gpa)
{
	unsigned char buf[128] = { 0 };

	memcpy(buf, tag, strlen(tag));
	for (int i = 0; i < 8; i++)
		buf[16 + i] = (unsigned char)(gpa >> (8 * i));
	EVP_DigestUpdate(sha, buf, sizeof(buf));
}

static void extend_page(EVP_MD_CTX *sha, const unsigned char *data, uint64_t gpa, ccgov_tdx_measurement *out)
{
	for (int c = 0; c < PAGE / CHUNK; c++) {
		record(sha, "MR.EXTEND", gpa + (uint64_t)c * CHUNK);
		EVP_DigestUpdate(sha, data + c * CHUNK, CHUNK);
		out->chunks_extended++;
	}
}

int ccgov_tdx_measure(ccgov_tdx_measurement *out, const unsigned char *fw, size_t len, const char *name,
		      ccgov_tdx_order order)
{
	const unsigned char *entry, *desc;
	size_t n = 0, at;
	uint64_t count;
	EVP_MD_CTX *sha;
	unsigned int mdlen = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!ovmf_footer_present(fw, len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: no OVMF footer GUID table at the end of the image", name);
	if ((err = ovmf_footer_entry(&entry, &n, fw, len, TDX_OFFSET_GUID, name)) <= 0)
		return err < 0 ? err : ccgov_error_set(CCGOV_EINVALID, "%s: no TDX metadata entry in the OVMF footer table (not a TDVF image)", name);
	if (n != 4 || bytes_le(entry, 4) < 16 || bytes_le(entry, 4) > len - 16)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the TDX metadata offset is out of range", name);
	at = len - (size_t)bytes_le(entry, 4);
	if (memcmp(fw + at - 16, TDX_METADATA_GUID, 16) != 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: no TDX metadata GUID before the TDVF descriptor", name);
	desc = fw + at;
	if (len - at < 16 || memcmp(desc, "TDVF", 4) != 0 || bytes_le(desc + 8, 4) != 1)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the TDVF descriptor has no \"TDVF\" signature or is not version 1", name);
	count = bytes_le(desc + 12, 4);
	if (count == 0 || bytes_le(desc + 4, 4) != 16 + 32 * count || 16 + 32 * count > len - at)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the TDVF section table is empty, mis-sized or past the end of the image", name);
	/*
	 * Check every section before measuring any. Firmware sections lie below
	 * 4 GiB; more than that in all is a hostile table, not firmware, and
	 * would have the measurement add pages for hours.
	 */
	for (uint64_t i = 0, total = 0; i < count; i++) {
		const unsigned char *s = desc + 16 + 32 * i;
		uint64_t off = bytes_le(s, 4), raw = bytes_le(s + 4, 4), gpa = bytes_le(s + 8, 8), mem = bytes_le(s + 16, 8);
		uint64_t type = bytes_le(s + 24, 4), attr = bytes_le(s + 28, 4);

		if (gpa % PAGE || mem % PAGE || mem == 0 || gpa + mem < gpa || gpa + mem > (1ull << 52) || raw > mem ||
		    off + raw > len || type > 8 || (attr & ~3ull))
			return ccgov_error_set(CCGOV_EINVALID, "%s: TDVF section %llu is malformed (alignment, sizes, bounds, type or attributes)",
					       name, (unsigned long long)i);
		if ((total += mem) > (1ull << 32))
			return ccgov_error_set(CCGOV_EINVALID, "%s: the TDVF sections add more than 4 GiB of memory", name);
		if ((attr & 1) && raw != mem)
			return ccgov_error_set(CCGOV_EINVALID, "%s: TDVF section %llu is measured but its file data is shorter than its memory",
					       name, (unsigned long long)i);
	}
	if (!(sha = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(sha, EVP_sha384(), NULL)) {
		EVP_MD_CTX_free(sha);
		return ccgov_error_set(CCGOV_ERROR, "SHA-384 unavailable");
	}
	for (uint64_t i = 0; i < count; i++) {
		const unsigned char *s = desc + 16 + 32 * i;
		uint64_t off = bytes_le(s, 4), gpa = bytes_le(s + 8, 8), mem = bytes_le(s + 16, 8), attr = bytes_le(s + 28, 4);
		int extend = attr & 1, aug = attr & 2;

		for (uint64_t p = 0; p < mem / PAGE; p++) {
			if (!aug) {
				record(sha, "MEM.PAGE.ADD", gpa + p * PAGE);
				out->pages_added++;
			}
			if (extend && order == CCGOV_TDX_INTERLEAVED)
				extend_page(sha, fw + off + p * PAGE, gpa + p * PAGE, out);
		}
		for (uint64_t p = 0; extend && order == CCGOV_TDX_TWO_PASS && p < mem / PAGE; p++)
			extend_page(sha, fw + off + p * PAGE, gpa + p * PAGE, out);
	}
	out->sections = (uint32_t)count;
	err = EVP_DigestFinal_ex(sha, out->mrtd, &mdlen) ? 0 : ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
	EVP_MD_CTX_free(sha);
	return err;
}
