/*
 * AMD SEV, SEV-ES and SEV-SNP launch digests, bit for bit as
 * virtee/sev-snp-measure computes them (its commit 8f2b337 is the
 * reference for every vector in testdata/measure/sev-snp).
 *
 * SNP (SEV-SNP firmware ABI, SNP_LAUNCH_UPDATE and the PAGE_INFO
 * structure): the digest starts as 48 zero bytes and each page the
 * hypervisor hands to the secure processor replaces it with SHA-384 of a
 * 112-byte PAGE_INFO: the digest so far, the page's SHA-384 (for normal
 * and VMSA pages; zeros for the others), its length, type and GPA. QEMU
 * adds the OVMF image (mapped to end at 4 GiB), then the sections the
 * image's SEV metadata lists, then one VMSA page per vCPU.
 *
 * SEV and SEV-ES are plain SHA-256 over the same image, the kernel
 * hashes table, and (SEV-ES) the VMSA pages.
 */
#include "bytes.h"
#include "ovmf.h"

#include <ccgov/digest.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/measure.h>

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE CCGOV_SEV_PAGE
#define FOUR_GIB 0x100000000ull
#define MAX_IMAGE (256u << 20)
#define VMSA_GPA 0xFFFFFFFFF000ull /* where the ABI says VMSA pages are measured */
#define BSP_EIP 0xfffffff0u        /* the x86 reset vector */
#define HASH_TABLE_SIZE 176        /* QEMU's SevHashTable (168 bytes) padded to 16 */

/* PAGE_INFO.PAGE_TYPE */
enum { PAGE_NORMAL = 1, PAGE_VMSA = 2, PAGE_ZERO = 3, PAGE_UNMEASURED = 4, PAGE_SECRETS = 5, PAGE_CPUID = 6 };

/* The types of OVMF SEV metadata sections (OvmfPkg/ResetVector/X64/OvmfSevMetadata.asm). */
enum { SEC_MEM = 1, SEC_SECRETS = 2, SEC_CPUID = 3, SEC_SVSM_CAA = 4, SEC_KERNEL_HASHES = 0x10 };

static const ovmf_guid SEV_ES_RESET_BLOCK = { 0xde, 0x71, 0xf7, 0x00, 0x7e, 0x1a, 0xcb, 0x4f,
					      0x89, 0x0e, 0x68, 0xc7, 0x7e, 0x2f, 0xb4, 0x4e };
static const ovmf_guid SEV_HASH_TABLE_RV = { 0x1f, 0x37, 0x55, 0x72, 0x3b, 0x3a, 0x04, 0x4b,
					     0x92, 0x7b, 0x1d, 0xa6, 0xef, 0xa8, 0xd4, 0x54 };
static const ovmf_guid SEV_METADATA = { 0x66, 0x65, 0x88, 0xdc, 0x4a, 0x98, 0x98, 0x47,
					0xa7, 0x5e, 0x55, 0x85, 0xa7, 0xbf, 0x67, 0xcc };
static const ovmf_guid SVSM_INFO = { 0x12, 0xa6, 0x89, 0xa7, 0x97, 0x05, 0x4b, 0x4c,
				     0xa4, 0x9f, 0xcb, 0xb1, 0xfe, 0x9d, 0x1d, 0xdd };
/* QEMU's SEV hash table (target/i386/sev.c): a header and three entries. */
static const ovmf_guid HASH_TABLE_HEADER = { 0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
					     0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21 };
static const ovmf_guid HASH_CMDLINE = { 0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
					0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a };
static const ovmf_guid HASH_INITRD = { 0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
				       0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d };
static const ovmf_guid HASH_KERNEL = { 0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
				       0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b };

/* ---- vCPU signatures ----------------------------------------------------- */

static const struct {
	const char *name;
	int64_t family, model, stepping;
} cpu_models[] = {
	{ "EPYC", 23, 1, 2 }, { "EPYC-v1", 23, 1, 2 }, { "EPYC-v2", 23, 1, 2 }, { "EPYC-IBPB", 23, 1, 2 },
	{ "EPYC-v3", 23, 1, 2 }, { "EPYC-v4", 23, 1, 2 }, { "EPYC-Rome", 23, 49, 0 }, { "EPYC-Rome-v1", 23, 49, 0 },
	{ "EPYC-Rome-v2", 23, 49, 0 }, { "EPYC-Rome-v3", 23, 49, 0 }, { "EPYC-Milan", 25, 1, 1 },
	{ "EPYC-Milan-v1", 25, 1, 1 }, { "EPYC-Milan-v2", 25, 1, 1 }, { "EPYC-Genoa", 25, 17, 0 },
	{ "EPYC-Genoa-v1", 25, 17, 0 }, { "EPYC-Turin", 26, 0, 0 },
};

const char *const ccgov_sev_cpu_names[] = {
	"EPYC", "EPYC-v1", "EPYC-v2", "EPYC-IBPB", "EPYC-v3", "EPYC-v4", "EPYC-Rome", "EPYC-Rome-v1",
	"EPYC-Rome-v2", "EPYC-Rome-v3", "EPYC-Milan", "EPYC-Milan-v1", "EPYC-Milan-v2", "EPYC-Genoa",
	"EPYC-Genoa-v1", "EPYC-Turin", NULL
};

/*
 * CPUID Fn0000_0001_EAX: a family above 15 is 15 plus an extended family;
 * the model's high nibble is the extended model. As in sev-snp-measure,
 * a family of 15 or less is not masked, and arithmetic is modulo 2^64.
 */
uint64_t ccgov_sev_cpu_sig(int64_t family, int64_t model, int64_t stepping)
{
	uint64_t fam_lo = (uint64_t)family, fam_hi = 0;

	if (family > 0xf) {
		fam_lo = 0xf;
		fam_hi = ((uint64_t)family - 0xf) & 0xff;
	}
	return fam_hi << 20 | (uint64_t)((model >> 4) & 0xf) << 16 | fam_lo << 8 | (uint64_t)(model & 0xf) << 4 |
	       (uint64_t)(stepping & 0xf);
}

int ccgov_sev_cpu_sig_named(uint64_t *out, const char *name)
{
	for (size_t i = 0; i < sizeof(cpu_models) / sizeof(cpu_models[0]); i++)
		if (strcmp(cpu_models[i].name, name) == 0) {
			*out = ccgov_sev_cpu_sig(cpu_models[i].family, cpu_models[i].model, cpu_models[i].stepping);
			return 0;
		}
	return ccgov_error_set(CCGOV_ENOTFOUND, "'%s' is not a vCPU type ccgov knows", name);
}

/* ---- the firmware image -------------------------------------------------- */

/*
 * An image is read in pieces, never whole: its tail (where the footer
 * table is: at most 64 KiB before the reset vector), its SEV metadata,
 * and its pages in chunks as they are hashed. A firmware image measured
 * whole would cost a fresh page of memory per page of image, which costs
 * more than hashing it.
 */
#define TAIL_MAX (0xffff + 0x20)
#define MAX_SECTIONS 1024
#define CHUNK_PAGES 64

typedef struct {
	const char *name;
	int fd;
	uint64_t len;
	uint64_t gpa;                   /* the image is mapped to end at its end_gpa */
	unsigned char *tail;            /* its last tail_len bytes */
	size_t tail_len;
	int has_reset_eip, has_hash_table, has_svsm_info;
	uint32_t reset_eip, hash_table_gpa, svsm_info;
	unsigned char *sections;        /* the SEV metadata's section table, 12 bytes each */
	uint32_t nsections;
} firmware;

/* Exactly len bytes at off, or an error: the image is read in pieces, and must not change meanwhile. */
static int read_at(const firmware *fw, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fw->fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", fw->name);
		if (n == 0)
			return ccgov_error_set(CCGOV_EIO, "%s: the file shrank while it was read", fw->name);
		done += (size_t)n;
	}
	return 0;
}

/* One u32 from a footer entry: 1 found, 0 absent, < 0 malformed. */
static int footer_u32(uint32_t *out, const firmware *fw, const ovmf_guid guid, const char *what)
{
	const unsigned char *data;
	size_t n;
	int found = ovmf_footer_entry(&data, &n, fw->tail, fw->tail_len, guid, fw->name);

	if (found <= 0)
		return found;
	if (n < 4)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the OVMF footer table's %s entry is shorter than 4 bytes",
				       fw->name, what);
	*out = (uint32_t)bytes_le(data, 4);
	return 1;
}

static int read_metadata(firmware *fw)
{
	uint32_t offset;
	unsigned char h[16];
	uint64_t size, count;
	int err = footer_u32(&offset, fw, SEV_METADATA, "SEV metadata");

	if (err <= 0)
		return err;
	if (offset < 16 || offset > fw->len)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the SEV metadata offset %u is outside the image", fw->name, offset);
	if ((err = read_at(fw, h, 16, fw->len - offset)) < 0)
		return err;
	if (memcmp(h, "ASEV", 4) != 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the SEV metadata has no \"ASEV\" signature", fw->name);
	if (bytes_le(h + 8, 4) != 1)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the SEV metadata is version %u, not 1", fw->name,
				       (unsigned)bytes_le(h + 8, 4));
	size = bytes_le(h + 4, 4);
	count = bytes_le(h + 12, 4);
	if (size < 16 + 12 * count || size > offset)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the SEV metadata's size does not hold its %llu sections or runs past the image",
				       fw->name, (unsigned long long)count);
	if (count > MAX_SECTIONS)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the SEV metadata lists %llu sections (firmware has a handful; at most %d)",
				       fw->name, (unsigned long long)count, MAX_SECTIONS);
	if (!(fw->sections = malloc(12 * count + 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	fw->nsections = (uint32_t)count;
	return read_at(fw, fw->sections, 12 * count, fw->len - offset + 16);
}

/* Opens an image to end at end_gpa and reads its footer table and metadata; sections are checked where used. */
static int firmware_read(firmware *fw, const char *path, uint64_t end_gpa)
{
	struct stat st;
	int err;

	memset(fw, 0, sizeof(*fw));
	fw->name = path;
	fw->fd = -1;
	if ((fw->fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	if (fstat(fw->fd, &st) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not a regular file", path);
	fw->len = (uint64_t)st.st_size;
	if (fw->len == 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: empty file", path);
	if (fw->len > MAX_IMAGE)
		return ccgov_error_set(CCGOV_EINVALID, "%s: larger than %u MiB, which no firmware image is", path, MAX_IMAGE >> 20);
	if (fw->len > end_gpa)
		return ccgov_error_set(CCGOV_EINVALID, "%s: too large to map below 4 GiB (%llu bytes are free there)", path,
				       (unsigned long long)end_gpa);
	fw->gpa = end_gpa - fw->len;
	fw->tail_len = fw->len < TAIL_MAX ? (size_t)fw->len : TAIL_MAX;
	if (!(fw->tail = malloc(fw->tail_len)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = read_at(fw, fw->tail, fw->tail_len, fw->len - fw->tail_len)) < 0 ||
	    (err = footer_u32(&fw->reset_eip, fw, SEV_ES_RESET_BLOCK, "SEV-ES reset block")) < 0 ||
	    (fw->has_reset_eip = err, err = footer_u32(&fw->hash_table_gpa, fw, SEV_HASH_TABLE_RV, "SEV hash table")) < 0 ||
	    (fw->has_hash_table = err, err = footer_u32(&fw->svsm_info, fw, SVSM_INFO, "SVSM information")) < 0)
		return err;
	fw->has_svsm_info = err;
	return read_metadata(fw);
}

static void firmware_free(firmware *fw)
{
	if (fw->fd >= 0)
		close(fw->fd);
	free(fw->tail);
	free(fw->sections);
	memset(fw, 0, sizeof(*fw));
}

static int whole_pages(const firmware *fw)
{
	if (fw->len % PAGE == 0)
		return 0;
	return ccgov_error_set(CCGOV_EINVALID, "%s: %llu bytes is not a whole number of 4 KiB pages, so SNP cannot measure it",
			       fw->name, (unsigned long long)fw->len);
}

static const char *section_type_name(uint32_t type)
{
	switch (type) {
	case SEC_MEM: return "SNP_SEC_MEM";
	case SEC_SECRETS: return "SNP_SECRETS";
	case SEC_CPUID: return "CPUID";
	case SEC_SVSM_CAA: return "SVSM_CAA";
	case SEC_KERNEL_HASHES: return "SNP_KERNEL_HASHES";
	default: return NULL;
	}
}

/*
 * SNP measures every section at its GPA, so a section that is not whole
 * pages, overlaps another, the image itself or the other image of the
 * launch (the OVMF above an SVSM), or lies above 4 GiB describes memory
 * no launch has: refused before anything is hashed.
 */
static int check_sections(const firmware *fw, const firmware *other)
{
	for (uint32_t i = 0; i < fw->nsections; i++) {
		const unsigned char *s = fw->sections + 12 * i;
		uint64_t gpa = bytes_le(s, 4), size = bytes_le(s + 4, 4), type = bytes_le(s + 8, 4);

		if (!section_type_name((uint32_t)type))
			return ccgov_error_set(CCGOV_EINVALID, "%s: SEV metadata section %u has unknown type %#llx",
					       fw->name, i, (unsigned long long)type);
		if (gpa % PAGE || size % PAGE || size == 0)
			return ccgov_error_set(CCGOV_EINVALID, "%s: SEV metadata section %u (%s) is not whole, aligned pages",
					       fw->name, i, section_type_name((uint32_t)type));
		if (gpa + size > FOUR_GIB)
			return ccgov_error_set(CCGOV_EINVALID, "%s: SEV metadata section %u (%s) ends above 4 GiB",
					       fw->name, i, section_type_name((uint32_t)type));
		if (gpa < fw->gpa + fw->len && fw->gpa < gpa + size)
			return ccgov_error_set(CCGOV_EINVALID, "%s: SEV metadata section %u (%s) overlaps the firmware image",
					       fw->name, i, section_type_name((uint32_t)type));
		if (other && gpa < other->gpa + other->len && other->gpa < gpa + size)
			return ccgov_error_set(CCGOV_EINVALID, "%s: SEV metadata section %u (%s) overlaps %s",
					       fw->name, i, section_type_name((uint32_t)type), other->name);
		for (uint32_t j = 0; j < i; j++) {
			uint64_t g = bytes_le(fw->sections + 12 * j, 4), z = bytes_le(fw->sections + 12 * j + 4, 4);

			if (gpa < g + z && g < gpa + size)
				return ccgov_error_set(CCGOV_EINVALID, "%s: SEV metadata sections %u and %u overlap", fw->name, j, i);
		}
		if (type == SEC_KERNEL_HASHES && size != PAGE)
			return ccgov_error_set(CCGOV_EINVALID, "%s: the SNP_KERNEL_HASHES section is %llu bytes, not one page",
					       fw->name, (unsigned long long)size);
	}
	return 0;
}

static int has_section(const firmware *fw, uint32_t type)
{
	for (uint32_t i = 0; i < fw->nsections; i++)
		if (bytes_le(fw->sections + 12 * i + 8, 4) == type)
			return 1;
	return 0;
}

/* ---- the SNP launch digest ----------------------------------------------- */

typedef struct {
	unsigned char ld[48];
	EVP_MD_CTX *ctx;
	EVP_MD *sha384;
	int failed;
} gctx;

static int gctx_init(gctx *g, const unsigned char *seed)
{
	memset(g, 0, sizeof(*g));
	if (seed)
		memcpy(g->ld, seed, 48);
	g->ctx = EVP_MD_CTX_new();
	g->sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	if (!g->ctx || !g->sha384)
		return ccgov_error_set(CCGOV_ERROR, "SHA-384 unavailable");
	return 0;
}

static void gctx_free(gctx *g)
{
	EVP_MD_CTX_free(g->ctx);
	EVP_MD_free(g->sha384);
}

static void sha384(gctx *g, unsigned char out[48], const void *data, size_t len)
{
	unsigned int n = 0;

	if (!EVP_DigestInit_ex2(g->ctx, g->sha384, NULL) || !EVP_DigestUpdate(g->ctx, data, len) ||
	    !EVP_DigestFinal_ex(g->ctx, out, &n))
		g->failed = 1;
}

/* One PAGE_INFO (SEV-SNP ABI): the digest so far, the contents' digest, length 0x70, type, no IMI or VMPL permissions, the GPA. */
static void page_info(gctx *g, int type, uint64_t gpa, const unsigned char contents[48])
{
	unsigned char pi[0x70] = { 0 };

	memcpy(pi, g->ld, 48);
	if (contents)
		memcpy(pi + 0x30, contents, 48);
	pi[0x60] = 0x70;
	pi[0x62] = (unsigned char)type;
	for (int i = 0; i < 8; i++)
		pi[0x68 + i] = (unsigned char)(gpa >> (8 * i));
	sha384(g, g->ld, pi, sizeof(pi));
}

static void normal_pages(gctx *g, uint64_t gpa, const unsigned char *data, size_t len)
{
	unsigned char h[48];

	for (size_t off = 0; off < len; off += PAGE) {
		sha384(g, h, data + off, PAGE);
		page_info(g, PAGE_NORMAL, gpa + off, h);
	}
}

/* Pages of an image whose SHA-384s one thread computes, reading them in chunks. */
typedef struct {
	const firmware *fw;
	uint64_t first, pages;
	unsigned char (*digests)[48];
	int err;
	char message[512];
} page_batch;

static void *hash_pages(void *arg)
{
	page_batch *b = arg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_MD *md = EVP_MD_fetch(NULL, "SHA384", NULL);
	unsigned char *buf = malloc(CHUNK_PAGES * PAGE);
	unsigned int n;

	b->err = ctx && md && buf ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (uint64_t p = 0; p < b->pages && b->err == 0; p += CHUNK_PAGES) {
		uint64_t count = b->pages - p < CHUNK_PAGES ? b->pages - p : CHUNK_PAGES;

		b->err = read_at(b->fw, buf, (size_t)count * PAGE, (b->first + p) * PAGE);
		for (uint64_t i = 0; i < count && b->err == 0; i++)
			if (!EVP_DigestInit_ex2(ctx, md, NULL) || !EVP_DigestUpdate(ctx, buf + i * PAGE, PAGE) ||
			    !EVP_DigestFinal_ex(ctx, b->digests[p + i], &n))
				b->err = ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
	}
	if (b->err < 0)
		snprintf(b->message, sizeof(b->message), "%s", ccgov_error_last() ? ccgov_error_last()->message : "");
	free(buf);
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return NULL;
}

/*
 * The image's pages, as NORMAL pages from its GPA. The chain is
 * sequential, but each page's own SHA-384 is not: for a firmware image
 * (4 MiB is 1024 pages) two threads hash half the pages each, then the
 * PAGE_INFO records are chained in order.
 */
static int firmware_pages(gctx *g, const firmware *fw)
{
	uint64_t n = fw->len / PAGE;
	unsigned char (*digests)[48] = malloc((size_t)n * 48 + 1);
	page_batch half[2] = { { fw, 0, n, digests, 0, "" }, { fw, 0, 0, NULL, 0, "" } };
	pthread_t thread;
	int threaded = 0, err = 0;

	if (!digests)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (n >= 2 * CHUNK_PAGES) {
		half[0].pages = n / 2;
		half[1] = (page_batch){ fw, n / 2, n - n / 2, digests + n / 2, 0, "" };
		threaded = pthread_create(&thread, NULL, hash_pages, &half[1]) == 0;
	}
	hash_pages(&half[0]);
	if (threaded)
		pthread_join(thread, NULL);
	else if (half[1].pages)
		hash_pages(&half[1]);
	for (int i = 0; i < 2 && err == 0; i++)
		if (half[i].err < 0)
			err = ccgov_error_set(half[i].err, "%s", half[i].message);
	for (uint64_t i = 0; i < n && err == 0; i++)
		page_info(g, PAGE_NORMAL, fw->gpa + i * PAGE, digests[i]);
	free(digests);
	return err;
}

/* The whole image into a running SHA-256 (SEV and SEV-ES); nothing else has moved the file's offset. */
static int firmware_sha256(ccgov_hasher *h, const firmware *fw)
{
	uint64_t n = 0;
	int err = ccgov_hasher_update_fd(h, &n, fw->fd, fw->name);

	if (err == 0 && n != fw->len)
		err = ccgov_error_set(CCGOV_EIO, "%s: the file changed size while it was read", fw->name);
	return err;
}

/* A VMSA page is measured at one fixed GPA, whichever vCPU it is. */
static int vmsa_record(gctx *g, const ccgov_sev_launch *l, uint32_t index, const unsigned char *page)
{
	unsigned char h[48];

	sha384(g, h, page, PAGE);
	page_info(g, PAGE_VMSA, VMSA_GPA, h);
	return l->vmsa_page ? l->vmsa_page(l->vmsa_ctx, index, page) : 0;
}

static int gctx_finish(ccgov_sev_measurement *out, gctx *g, int err)
{
	if (err == 0 && g->failed)
		err = ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
	memcpy(out->digest, g->ld, 48);
	out->len = 48;
	gctx_free(g);
	return err;
}

static void blank_pages(gctx *g, int type, uint64_t gpa, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += PAGE)
		page_info(g, type, gpa + off, NULL);
}

/* ---- the kernel hashes table --------------------------------------------- */

typedef struct {
	const char *path;
	ccgov_digest digest;
	int err;
	char message[512];
} file_hash;

static void *hash_file_thread(void *arg)
{
	file_hash *f = arg;

	if ((f->err = ccgov_digest_file(&f->digest, CCGOV_SHA256, f->path)) < 0)
		snprintf(f->message, sizeof(f->message), "%s", ccgov_error_last() ? ccgov_error_last()->message : "");
	return NULL;
}

static void table_entry(unsigned char *at, const ovmf_guid guid, const unsigned char hash[32])
{
	memcpy(at, guid, 16);
	at[16] = 50; /* the entry's length: GUID, u16, SHA-256 */
	memcpy(at + 18, hash, 32);
}

/*
 * QEMU's SEV hash table: a header (GUID, u16 168) then the command line
 * (with its NUL), initrd and kernel SHA-256 entries, padded to 176 bytes.
 * A big initrd makes its hash the longest part of the measurement, so
 * table_start hashes it on another thread while the caller hashes the
 * firmware, and table_finish hashes the kernel, then waits for it.
 */
typedef struct {
	const ccgov_sev_launch *launch;
	file_hash kernel, initrd;
	pthread_t thread;
	int threaded;
} table_job;

static void table_start(table_job *j, const ccgov_sev_launch *l)
{
	memset(j, 0, sizeof(*j));
	j->launch = l;
	j->kernel.path = l->kernel;
	j->initrd.path = l->initrd;
	if (l->kernel && l->initrd)
		j->threaded = pthread_create(&j->thread, NULL, hash_file_thread, &j->initrd) == 0;
}

/* Waits for the initrd's thread, when what it hashes is not needed after all. */
static void table_wait(table_job *j)
{
	if (j->threaded)
		pthread_join(j->thread, NULL);
	j->threaded = 0;
}

static int table_finish(unsigned char table[HASH_TABLE_SIZE], table_job *j, ccgov_sev_measurement *out)
{
	const ccgov_sev_launch *l = j->launch;
	const char *append = l->append ? l->append : "";
	ccgov_digest cmdline, empty;

	if (!l->kernel)
		return 0;
	if (l->initrd && !j->threaded)
		hash_file_thread(&j->initrd);
	hash_file_thread(&j->kernel);
	table_wait(j);
	if (j->kernel.err < 0 || j->initrd.err < 0) {
		file_hash *bad = j->kernel.err < 0 ? &j->kernel : &j->initrd;
		return ccgov_error_set(bad->err, "%s", bad->message);
	}
	/* The command line is hashed with its terminating NUL, as the kernel receives it. */
	if (ccgov_digest_buffer(&cmdline, CCGOV_SHA256, append, strlen(append) + 1) < 0 ||
	    ccgov_digest_buffer(&empty, CCGOV_SHA256, "", 0) < 0)
		return CCGOV_ERROR;
	memset(table, 0, HASH_TABLE_SIZE);
	memcpy(table, HASH_TABLE_HEADER, 16);
	table[16] = 168;
	table_entry(table + 18, HASH_CMDLINE, cmdline.bytes);
	table_entry(table + 68, HASH_INITRD, l->initrd ? j->initrd.digest.bytes : empty.bytes);
	table_entry(table + 118, HASH_KERNEL, j->kernel.digest.bytes);
	out->kernel_measured = 1;
	memcpy(out->kernel_sha256, j->kernel.digest.bytes, 32);
	memcpy(out->initrd_sha256, table + 68 + 18, 32);
	memcpy(out->cmdline_sha256, cmdline.bytes, 32);
	return 0;
}

/* ---- VMSA pages ------------------------------------------------------------ */

static void put_le(unsigned char *at, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		at[i] = (unsigned char)(v >> (8 * i));
}

/* A VMCB segment register: selector, attributes, limit, base. */
static void segment(unsigned char *vmsa, int offset, uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base)
{
	put_le(vmsa + offset, selector, 2);
	put_le(vmsa + offset + 2, attrib, 2);
	put_le(vmsa + offset + 4, limit, 4);
	put_le(vmsa + offset + 8, base, 8);
}

/* Offsets in the VMSA (SEV-ES save area, AMD APM vol. 2, table B-4). */
enum {
	VMSA_ES = 0x00, VMSA_CS = 0x10, VMSA_SS = 0x20, VMSA_DS = 0x30, VMSA_FS = 0x40, VMSA_GS = 0x50,
	VMSA_GDTR = 0x60, VMSA_LDTR = 0x70, VMSA_IDTR = 0x80, VMSA_TR = 0x90, VMSA_EFER = 0xd0,
	VMSA_CR4 = 0x148, VMSA_CR0 = 0x158, VMSA_DR7 = 0x160, VMSA_DR6 = 0x168, VMSA_RFLAGS = 0x170,
	VMSA_RIP = 0x178, VMSA_G_PAT = 0x268, VMSA_RDX = 0x310, VMSA_SEV_FEATURES = 0x3b0,
	VMSA_XCR0 = 0x3e8, VMSA_MXCSR = 0x408, VMSA_X87_FCW = 0x410
};

static void vmsa_common(unsigned char *v)
{
	memset(v, 0, PAGE);
	segment(v, VMSA_GDTR, 0, 0, 0xffff, 0);
	segment(v, VMSA_IDTR, 0, 0, 0xffff, 0);
	segment(v, VMSA_LDTR, 0, 0x82, 0xffff, 0);
	put_le(v + VMSA_EFER, 0x1000, 8); /* KVM sets EFER.SVME */
	put_le(v + VMSA_CR4, 0x40, 8);    /* and CR4.MCE */
	put_le(v + VMSA_DR7, 0x400, 8);
	put_le(v + VMSA_DR6, 0xffff0ff0, 8);
	put_le(v + VMSA_RFLAGS, 0x2, 8);
	put_le(v + VMSA_XCR0, 0x1, 8);
}

/*
 * The reset state of one vCPU starting at eip, as each hypervisor sets it:
 * real mode with CS based at the 64 KiB block holding eip. EC2 marks the
 * BSP's code segment not-accessed and uses other SS and TR types; EC2 and
 * GCE report the family in RDX as 0x600 and leave the FPU state zero; GCE
 * sets its own PAT.
 */
static void vmsa_page(unsigned char *v, uint32_t eip, uint64_t sev_features, uint64_t sig, ccgov_sev_vmm vmm)
{
	int qemu = vmm == CCGOV_VMM_QEMU;

	vmsa_common(v);
	segment(v, VMSA_ES, 0, 0x93, 0xffff, 0);
	segment(v, VMSA_CS, 0xf000, vmm == CCGOV_VMM_EC2 && eip == BSP_EIP ? 0x9a : 0x9b, 0xffff, eip & 0xffff0000u);
	segment(v, VMSA_SS, 0, vmm == CCGOV_VMM_EC2 ? 0x92 : 0x93, 0xffff, 0);
	segment(v, VMSA_DS, 0, 0x93, 0xffff, 0);
	segment(v, VMSA_FS, 0, 0x93, 0xffff, 0);
	segment(v, VMSA_GS, 0, 0x93, 0xffff, 0);
	segment(v, VMSA_TR, 0, vmm == CCGOV_VMM_EC2 ? 0x83 : 0x8b, 0xffff, 0);
	put_le(v + VMSA_CR0, 0x10, 8);
	put_le(v + VMSA_RIP, eip & 0xffff, 8);
	put_le(v + VMSA_G_PAT, vmm == CCGOV_VMM_GCE ? 0x70106 : 0x7040600070406ull, 8);
	put_le(v + VMSA_RDX, qemu ? sig : 0x600, 8);
	put_le(v + VMSA_SEV_FEATURES, sev_features, 8);
	put_le(v + VMSA_MXCSR, qemu ? 0x1f80 : 0, 4);
	put_le(v + VMSA_X87_FCW, qemu ? 0x37f : 0, 2);
}

/*
 * Coconut-SVSM starts every vCPU in 32-bit protected mode at its entry
 * point, with SEV_FEATURES 1 (SNP active). x87 FCW stays 0: the reference
 * passes it under a name its structure does not have, and the value the
 * guest is measured with is what counts.
 */
static void svsm_vmsa_page(unsigned char *v, uint64_t eip, uint64_t sig)
{
	vmsa_common(v);
	segment(v, VMSA_ES, 0x10, 0xc93, 0xffffffff, 0);
	segment(v, VMSA_CS, 0x08, 0xc9b, 0xffffffff, 0);
	segment(v, VMSA_SS, 0x10, 0xc93, 0xffffffff, 0);
	segment(v, VMSA_DS, 0x10, 0xc93, 0xffffffff, 0);
	segment(v, VMSA_FS, 0x10, 0xc93, 0xffffffff, 0);
	segment(v, VMSA_GS, 0, 0x93, 0xffff, 0);
	segment(v, VMSA_TR, 0, 0x8b, 0xffff, 0);
	put_le(v + VMSA_CR0, 0x11, 8);
	put_le(v + VMSA_RIP, eip, 8);
	put_le(v + VMSA_G_PAT, 0x7040600070406ull, 8);
	put_le(v + VMSA_RDX, sig, 8);
	put_le(v + VMSA_SEV_FEATURES, 1, 8);
	put_le(v + VMSA_MXCSR, 0x1f80, 4);
}

/* ---- the modes ----------------------------------------------------------- */

static int check_launch(const ccgov_sev_launch *l, const firmware *fw)
{
	if (l->mode != CCGOV_SEV && (l->vcpus < 1 || l->vcpus > CCGOV_SEV_MAX_VCPUS))
		return ccgov_error_set(CCGOV_EINVALID, "%u vCPUs: a guest has 1 to %u", l->vcpus, CCGOV_SEV_MAX_VCPUS);
	if (l->mode != CCGOV_SEV && l->mode != CCGOV_SEV_SNP_SVSM && !fw->has_reset_eip)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the OVMF footer table has no SEV-ES reset block, so the vCPUs' start address is unknown%s",
				       fw->name, ovmf_footer_present(fw->tail, fw->tail_len) ? "" : " (the image has no footer table at all)");
	if (l->mode != CCGOV_SEV && l->mode != CCGOV_SEV_SNP_SVSM && fw->reset_eip == 0 && l->vcpus > 1)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the SEV-ES reset block gives address 0, so the application processors cannot start",
				       fw->name);
	if (l->kernel && (l->mode == CCGOV_SEV || l->mode == CCGOV_SEV_ES) && !(fw->has_hash_table && fw->hash_table_gpa))
		return ccgov_error_set(CCGOV_EINVALID, "%s: --kernel given, but the OVMF footer table has no SEV hash table address, so this firmware cannot measure a kernel, initrd or command line",
				       fw->name);
	return 0;
}

/* SEV and SEV-ES: SHA-256 over the image, the hash table, then the VMSAs. */
static int measure_sha256(ccgov_sev_measurement *out, const ccgov_sev_launch *l, const firmware *fw)
{
	unsigned char table[HASH_TABLE_SIZE], page[PAGE];
	ccgov_hasher *h;
	table_job job;
	int err;

	if ((err = ccgov_hasher_new(&h, CCGOV_SHA256)) < 0)
		return err;
	table_start(&job, l);
	if ((err = firmware_sha256(h, fw)) < 0)
		table_wait(&job);
	else
		err = table_finish(table, &job, out);
	if (err < 0) {
		ccgov_hasher_free(h);
		return err;
	}
	if (l->kernel)
		ccgov_hasher_update(h, table, sizeof(table));
	for (uint32_t i = 0; l->mode == CCGOV_SEV_ES && i < l->vcpus && err == 0; i++) {
		vmsa_page(page, i == 0 ? BSP_EIP : fw->reset_eip, 0, l->vcpu_sig, l->vmm);
		ccgov_hasher_update(h, page, PAGE);
		if (l->vmsa_page)
			err = l->vmsa_page(l->vmsa_ctx, i, page);
	}
	if (err == 0) {
		ccgov_digest d;

		if ((err = ccgov_hasher_final(&d, h)) == 0) {
			memcpy(out->digest, d.bytes, 32);
			out->len = 32;
		}
	}
	ccgov_hasher_free(h);
	return err;
}

/* One section of the SEV metadata, as QEMU (or GCE) hands it to the secure processor. */
static void snp_section(gctx *g, const firmware *fw, const unsigned char *s, const unsigned char *table, ccgov_sev_vmm vmm)
{
	uint64_t gpa = bytes_le(s, 4), size = bytes_le(s + 4, 4);
	uint32_t type = (uint32_t)bytes_le(s + 8, 4);
	unsigned char page[PAGE] = { 0 };

	if (type == SEC_MEM) {
		blank_pages(g, vmm == CCGOV_VMM_GCE ? PAGE_UNMEASURED : PAGE_ZERO, gpa, size);
	} else if (type == SEC_SECRETS) {
		page_info(g, PAGE_SECRETS, gpa, NULL);
	} else if (type == SEC_CPUID) {
		if (vmm != CCGOV_VMM_EC2)
			page_info(g, PAGE_CPUID, gpa, NULL);
	} else if (type == SEC_SVSM_CAA || !table) {
		blank_pages(g, PAGE_ZERO, gpa, size);
	} else {
		/* The kernel hashes table sits in its page where the footer's hash table address says. */
		memcpy(page + (fw->hash_table_gpa & 0xfff), table, HASH_TABLE_SIZE);
		normal_pages(g, gpa, page, PAGE);
	}
}

/* The sections of the SEV metadata, in their order; EC2 adds the CPUID pages after all the others. */
static void snp_metadata(gctx *g, const firmware *fw, const unsigned char *table, ccgov_sev_vmm vmm)
{
	for (uint32_t i = 0; i < fw->nsections; i++)
		snp_section(g, fw, fw->sections + 12 * i, table, vmm);
	for (uint32_t i = 0; vmm == CCGOV_VMM_EC2 && i < fw->nsections; i++)
		if (bytes_le(fw->sections + 12 * i + 8, 4) == SEC_CPUID)
			page_info(g, PAGE_CPUID, bytes_le(fw->sections + 12 * i, 4), NULL);
}

static int measure_snp(ccgov_sev_measurement *out, const ccgov_sev_launch *l, const firmware *fw)
{
	unsigned char table[HASH_TABLE_SIZE], page[PAGE];
	table_job job;
	gctx g;
	int err;

	if ((!l->ovmf_hash && (err = whole_pages(fw)) < 0) || (err = check_sections(fw, NULL)) < 0)
		return err;
	if (l->kernel && !has_section(fw, SEC_KERNEL_HASHES))
		return ccgov_error_set(CCGOV_EINVALID, "%s: --kernel given, but the OVMF SEV metadata has no SNP_KERNEL_HASHES section, so this firmware cannot measure a kernel, initrd or command line",
				       fw->name);
	if (l->kernel && !fw->has_hash_table)
		return ccgov_error_set(CCGOV_EINVALID, "%s: --kernel given, but the OVMF footer table has no SEV hash table entry to place it",
				       fw->name);
	if (l->kernel && (fw->hash_table_gpa & 0xfff) + HASH_TABLE_SIZE > PAGE)
		return ccgov_error_set(CCGOV_EINVALID, "%s: the SEV hash table at %#x would cross its page", fw->name,
				       fw->hash_table_gpa);
	if ((err = gctx_init(&g, l->ovmf_hash)) < 0) {
		gctx_free(&g);
		return err;
	}
	table_start(&job, l);
	if ((err = l->ovmf_hash ? 0 : firmware_pages(&g, fw)) < 0)
		table_wait(&job);
	else
		err = table_finish(table, &job, out);
	if (err < 0) {
		gctx_free(&g);
		return err;
	}
	snp_metadata(&g, fw, l->kernel ? table : NULL, l->vmm);
	for (uint32_t i = 0; i < l->vcpus && err == 0; i++) {
		vmsa_page(page, i == 0 ? BSP_EIP : fw->reset_eip, l->guest_features, l->vcpu_sig, l->vmm);
		err = vmsa_record(&g, l, i, page);
	}
	return gctx_finish(out, &g, err);
}

/*
 * Coconut-SVSM: the OVMF image, then the SVSM image mapped below it and
 * its variable store, then the SVSM's own metadata sections (the OVMF's
 * are not used), then one VMSA per vCPU, all starting at the SVSM entry.
 */
static int measure_svsm(ccgov_sev_measurement *out, const ccgov_sev_launch *l, const firmware *ovmf)
{
	unsigned char page[PAGE];
	firmware svsm;
	gctx g;
	int err;

	if (!l->svsm)
		return ccgov_error_set(CCGOV_EINVALID, "snp:svsm needs the SVSM image");
	if (l->vars_size >= ovmf->gpa || l->vars_size % PAGE)
		return ccgov_error_set(CCGOV_EINVALID, "an OVMF variable store of %llu bytes %s", (unsigned long long)l->vars_size,
				       l->vars_size % PAGE ? "is not whole pages, so the SVSM below it would not be page aligned"
							   : "leaves no room below 4 GiB for the SVSM");
	if ((err = firmware_read(&svsm, l->svsm, ovmf->gpa - l->vars_size)) < 0 || (err = whole_pages(ovmf)) < 0 ||
	    (err = whole_pages(&svsm)) < 0 || (err = check_sections(&svsm, ovmf)) < 0) {
		firmware_free(&svsm);
		return err;
	}
	if (!svsm.has_svsm_info) {
		firmware_free(&svsm);
		return ccgov_error_set(CCGOV_EINVALID, "%s: the footer table has no SVSM information entry, so its entry point is unknown",
				       l->svsm);
	}
	if ((err = gctx_init(&g, NULL)) == 0) {
		if ((err = firmware_pages(&g, ovmf)) == 0)
			err = firmware_pages(&g, &svsm);
		snp_metadata(&g, &svsm, NULL, CCGOV_VMM_QEMU);
		svsm_vmsa_page(page, svsm.gpa + svsm.svsm_info, l->vcpu_sig);
		for (uint32_t i = 0; i < l->vcpus && err == 0; i++)
			err = vmsa_record(&g, l, i, page);
	}
	firmware_free(&svsm);
	return gctx_finish(out, &g, err);
}

int ccgov_sev_measure(ccgov_sev_measurement *out, const ccgov_sev_launch *l)
{
	firmware fw;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = firmware_read(&fw, l->ovmf, FOUR_GIB)) == 0 && (err = check_launch(l, &fw)) == 0) {
		if (l->mode == CCGOV_SEV_SNP)
			err = measure_snp(out, l, &fw);
		else if (l->mode == CCGOV_SEV_SNP_SVSM)
			err = measure_svsm(out, l, &fw);
		else
			err = measure_sha256(out, l, &fw);
	}
	firmware_free(&fw);
	return err;
}

int ccgov_sev_ovmf_hash(unsigned char out[48], const char *ovmf)
{
	firmware fw;
	gctx g = { .failed = 0 };
	int err;

	if ((err = firmware_read(&fw, ovmf, FOUR_GIB)) == 0 && (err = whole_pages(&fw)) == 0 &&
	    (err = gctx_init(&g, NULL)) == 0) {
		err = firmware_pages(&g, &fw);
		if (err == 0 && g.failed)
			err = ccgov_error_set(CCGOV_ERROR, "SHA-384 failed");
		memcpy(out, g.ld, 48);
	}
	gctx_free(&g);
	firmware_free(&fw);
	return err;
}
