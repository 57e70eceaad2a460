/*
 * TEE launch measurements: the values an attestation service must expect,
 * computed from the same build that produced the image.
 */
#ifndef CCGOV_MEASURE_H
#define CCGOV_MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include <ccgov/digest.h>

/* Measurements as evidence: an in-toto Statement v1 with this predicate type. */
#define CCGOV_MEASUREMENT_PREDICATE "https://ccgov.dev/measurement/v1"

/*
 * The subject a measurement is evidence about: with image, the image
 * digest, read from an OCI layout folder (every blob checked) or given as
 * "sha256:<hex>"; without, the SHA-256 of the measured input file. *name
 * gets what the Statement calls it (free it).
 */
int ccgov_measure_subject(ccgov_digest *out, char **name, const char *image, const char *input);

/* ---- Intel SGX ------------------------------------------------------------ */

typedef struct {
	unsigned char mrenclave[32];
	uint32_t ssaframesize;     /* from ECREATE, in pages */
	uint64_t size;             /* the enclave's size in bytes */
	uint64_t pages;            /* EADD records */
	uint64_t measured_chunks;  /* EEXTEND records (256 bytes each) */
	uint64_t unmeasured_chunks; /* UNMEASRD records: loaded, not measured */
} ccgov_sgx_measurement;

/*
 * MRENCLAVE from an SGXS stream (the Fortanix format: the ECREATE, EADD
 * and EEXTEND records the Intel SDM hashes, plus UNMEASRD records that are
 * loaded but not measured). The stream must be canonical: one ECREATE
 * first, page-aligned strictly increasing EADD offsets inside the enclave,
 * each EEXTEND a new 256-byte chunk of the page just added, zero padding.
 * Anything else is CCGOV_EINVALID naming the record and its offset.
 */
int ccgov_sgx_measure_sgxs(ccgov_sgx_measurement *out, const char *path);
int ccgov_sgx_measure_sgxs_buffer(ccgov_sgx_measurement *out, const unsigned char *data, size_t len,
				  const char *name);

/*
 * An enclave layout: what a loader adds to an enclave, described rather
 * than recorded (the JSON format is in ccgov-measure(1)). Each region is
 * a run of pages added in order, with the chunks of each page that are
 * EEXTENDed; content comes from a file beside the layout, zero-filled
 * past its end, or is zero.
 */
typedef struct {
	uint64_t offset;        /* from the enclave's base, page aligned */
	uint64_t pages;
	uint64_t secinfo_flags; /* page type << 8 | X << 2 | W << 1 | R */
	char *file;             /* relative to the layout's folder, normalized; NULL: zero pages */
	uint64_t file_offset;   /* where the first page's content starts in file */
	uint16_t mask;          /* chunks EEXTENDed in every page: bit n is bytes 256n to 256n+255 */
	uint16_t *page_masks;   /* or one mask per page (pages of them); NULL when mask holds */
} ccgov_sgx_region;

typedef struct {
	char *name;             /* the layout as messages call it */
	char *dir;              /* the folder region files are relative to */
	uint64_t size;          /* enclave size in bytes, a power of two */
	uint32_t ssaframesize;  /* in pages */
	ccgov_sgx_region *regions; /* by increasing offset, never overlapping */
	size_t nregions;
} ccgov_sgx_layout;

/*
 * Reads and checks a layout file: unknown keys, sizes, alignment, order,
 * overlaps, page types and permissions, and file paths that could leave
 * the layout's folder are CCGOV_EINVALID or CCGOV_EUNSAFE naming the file
 * and the region's index. Region files are opened only when measured.
 */
int ccgov_sgx_layout_read(ccgov_sgx_layout **out, const char *path);
/* The same from text in memory; dir is the folder its files are relative to. */
int ccgov_sgx_layout_parse(ccgov_sgx_layout **out, const char *text, size_t len, const char *name,
			   const char *dir);
void ccgov_sgx_layout_free(ccgov_sgx_layout *layout);

/*
 * MRENCLAVE of a layout: the records an SGXS stream of the same enclave
 * would hold, hashed by the same code. Content is streamed from the
 * region files (opened beneath the layout's folder: a link that leads out
 * is CCGOV_EUNSAFE), and only for pages with chunks to measure.
 * unmeasured_chunks counts chunks of file-backed pages left unmeasured.
 */
int ccgov_sgx_measure_layout(ccgov_sgx_measurement *out, const ccgov_sgx_layout *layout);

typedef struct {
	uint32_t vendor;           /* 0, or 0x8086 for Intel */
	uint32_t date;             /* BCD yyyymmdd */
	uint32_t miscselect, miscmask;
	uint64_t attributes_flags, attributes_xfrm;
	uint64_t attributemask_flags, attributemask_xfrm;
	unsigned char enclavehash[32]; /* the MRENCLAVE the signer signed */
	unsigned char mrsigner[32];    /* SHA-256 of the modulus as stored */
	uint16_t isvprodid, isvsvn;
} ccgov_sgx_sigstruct;

/*
 * Reads a 1808-byte SIGSTRUCT and checks its fixed headers, its exponent
 * (3) and its RSA-3072 signature over the signed ranges; a bad signature
 * is CCGOV_EMISMATCH.
 */
int ccgov_sgx_sigstruct_read(ccgov_sgx_sigstruct *out, const unsigned char *data, size_t len, const char *name);

/* ---- Intel TDX -------------------------------------------------------------- */

/* The order in which pages are added and extended: the image cannot tell. */
typedef enum {
	CCGOV_TDX_INTERLEAVED, /* per page: MEM.PAGE.ADD, then its MR.EXTENDs (KVM/QEMU 9 and later) */
	CCGOV_TDX_TWO_PASS     /* per section: every MEM.PAGE.ADD, then every MR.EXTEND (QEMU-TDX 8.2) */
} ccgov_tdx_order;

typedef struct {
	unsigned char mrtd[48];
	uint32_t sections;         /* TDVF metadata sections */
	uint64_t pages_added, chunks_extended;
} ccgov_tdx_measurement;

/*
 * MRTD of a TDVF firmware image (OVMF built with TDX): the TDVF metadata
 * found through the OVMF footer GUID table, each section's pages added at
 * their guest addresses and, for MR.EXTEND sections, measured in 256-byte
 * chunks, with SHA-384 (TDX module ABI: TDH.MEM.PAGE.ADD, TDH.MR.EXTEND).
 * Every table, offset and size is checked; a measured section whose file
 * data is shorter than its memory is refused (tools disagree on it).
 */
int ccgov_tdx_measure(ccgov_tdx_measurement *out, const unsigned char *fw, size_t len, const char *name,
		      ccgov_tdx_order order);

/* ---- AWS Nitro Enclaves ------------------------------------------------------- */

typedef struct {
	unsigned char pcr0[48]; /* kernel, command line and every ramdisk */
	unsigned char pcr1[48]; /* kernel, command line and the first ramdisk */
	unsigned char pcr2[48]; /* the other ramdisks (the empty input's PCR when there is one) */
	uint16_t version;       /* EIF format version; 0 when measured from parts */
	int aarch64;            /* EIF flags bit 0 */
	size_t ramdisks;
	int signed_eif;         /* the EIF has a signature section, so pcr8 is set */
	unsigned char pcr8[48]; /* the signing certificate (DER) of a signed EIF; zero otherwise */
} ccgov_nitro_pcrs;

/*
 * PCR0, PCR1 and PCR2 of an EIF file, as the Nitro hypervisor extends them:
 * PCRn = SHA-384(48 zero bytes || SHA-384(the sections' data)), headers
 * excluded. The header, every section and the CRC-32 are checked; sections
 * are hashed as they stream.
 *
 * A signed EIF also gets PCR8, the same extend of its signing certificate
 * in DER. The signature section (CBOR, at most 32768 bytes) is read
 * strictly as nitro-cli writes it; the certificate must be PEM, its key
 * must verify the COSE_Sign1 signature (ES256, ES384 or ES512), and the
 * signed payload must be PCR0 with this EIF's value: otherwise
 * CCGOV_EMISMATCH. A malformed section or certificate is CCGOV_EINVALID.
 * The certificate's validity dates are not checked (a measurement does
 * not depend on the day it is taken).
 */
int ccgov_nitro_measure_eif(ccgov_nitro_pcrs *out, const char *path);

/* The same from the parts an EIF would be built from. */
int ccgov_nitro_measure_parts(ccgov_nitro_pcrs *out, const char *kernel, const char *cmdline,
			      const char *const *ramdisks, size_t nramdisks);

/* ---- AMD SEV, SEV-ES and SEV-SNP ---------------------------------------------- */

typedef enum {
	CCGOV_SEV,          /* SHA-256 of the firmware and the kernel hashes table */
	CCGOV_SEV_ES,       /* the same, then each vCPU's VMSA page */
	CCGOV_SEV_SNP,      /* the SNP launch digest: a SHA-384 chain of PAGE_INFO records */
	CCGOV_SEV_SNP_SVSM  /* SNP with a Coconut-SVSM below the firmware */
} ccgov_sev_mode;

/* Whose hypervisor launches the guest: each sets some initial registers its own way. */
typedef enum { CCGOV_VMM_QEMU, CCGOV_VMM_EC2, CCGOV_VMM_GCE } ccgov_sev_vmm;

#define CCGOV_SEV_MAX_VCPUS 4096 /* KVM_MAX_VCPUS on x86-64 */
#define CCGOV_SEV_PAGE 4096

typedef struct {
	ccgov_sev_mode mode;
	ccgov_sev_vmm vmm;
	const char *ovmf;
	/* The kernel hashes table is measured when kernel is set; initrd and
	 * append may then be NULL (hashed as empty). */
	const char *kernel, *initrd, *append;
	uint32_t vcpus;            /* 1 to CCGOV_SEV_MAX_VCPUS; ignored in CCGOV_SEV */
	uint64_t vcpu_sig;         /* CPUID 1 EAX the guest sees (RDX at reset) */
	uint64_t guest_features;   /* SEV_FEATURES of each VMSA (SNP only) */
	/* SNP: the digest after the firmware pages, precomputed (48 bytes), so
	 * that the firmware's contents are not hashed again; NULL to hash them. */
	const unsigned char *ovmf_hash;
	const char *svsm;          /* CCGOV_SEV_SNP_SVSM: the SVSM image ... */
	uint64_t vars_size;        /* ... which sits below the OVMF and its variable store */
	/* Called with each VMSA page as it is measured, if set (to keep them). */
	int (*vmsa_page)(void *ctx, uint32_t index, const unsigned char page[CCGOV_SEV_PAGE]);
	void *vmsa_ctx;
} ccgov_sev_launch;

typedef struct {
	unsigned char digest[48];
	size_t len;                /* 48 for SNP, 32 for SEV and SEV-ES */
	/* With a kernel: the SHA-256s the kernel hashes table holds (the command line with its NUL). */
	int kernel_measured;
	unsigned char kernel_sha256[32], initrd_sha256[32], cmdline_sha256[32];
} ccgov_sev_measurement;

/*
 * The launch digest the AMD secure processor computes for the guest, as
 * virtee/sev-snp-measure computes it: the OVMF image mapped to end at
 * 4 GiB, the sections its SEV metadata lists, the kernel hashes page when
 * a kernel is given (SNP ABI PAGE_INFO, QEMU's SEV hash table), and one
 * VMSA per vCPU. The footer table, metadata and sections are checked;
 * firmware that lacks what the options need is CCGOV_EINVALID naming the
 * missing table.
 */
int ccgov_sev_measure(ccgov_sev_measurement *out, const ccgov_sev_launch *launch);

/* The SNP digest of the firmware pages alone, for --snp-ovmf-hash later. */
int ccgov_sev_ovmf_hash(unsigned char out[48], const char *ovmf);

/* The CPUID signature of a family, model and stepping (AMD's encoding). */
uint64_t ccgov_sev_cpu_sig(int64_t family, int64_t model, int64_t stepping);

/* The signature of a QEMU CPU model name (EPYC, EPYC-Milan-v2, ...); CCGOV_ENOTFOUND if unknown. */
int ccgov_sev_cpu_sig_named(uint64_t *out, const char *name);

/* The CPU model names ccgov_sev_cpu_sig_named knows, NULL-terminated. */
extern const char *const ccgov_sev_cpu_names[];

#endif
