/*
 * What an image's files are, read from its layers as they stream through
 * the checked OCI reader: the file system a runtime unpacks
 * (ccgov/rootfs.h), each regular file with its SHA-256 and what its bytes
 * say. The image SBOM catalogs it; ccgov build checks the image it made
 * against it (a base's links under ccgov's files, libraries that do not
 * resolve).
 */
#ifndef CCGOV_IMAGE_FILES_H
#define CCGOV_IMAGE_FILES_H

#include <ccgov/digest.h>
#include <ccgov/elf.h>
#include <ccgov/oci.h>
#include <ccgov/rootfs.h>
#include <ccgov/tar.h>

#include <stddef.h>

/* Files over this are hashed, not parsed; the dpkg database and os-release over the second are not kept. */
#define CCGOV_IMAGE_MAX_PARSED_FILE (256u << 20)
#define CCGOV_IMAGE_MAX_TEXT_FILE (64u << 20)

/* Learnt from a file's content as it streamed: each ccgov_rootfs_content's facts. */
typedef struct {
	int is_elf;
	ccgov_elf_info elf;
	char *elf_problem; /* it looks like ELF but does not read as one */
	char *text;        /* /var/lib/dpkg/status, /lib/apk/db/installed, os-release, ld.so.conf and ld.so.conf.d/NAME.conf, kept whole */
	size_t text_len;
	int sparse;
} ccgov_file_facts;

/* The free_facts for ccgov_rootfs_new. */
void ccgov_file_facts_free(void *facts);

/* How a layer is read, beyond applying it (every field may be left zero). */
typedef struct {
	const char *copy_to; /* a layout folder: the blob is copied into it as read (ccgov_oci_layer_copy_to) */
	/* Before each member is applied; a CCGOV_E* code stops the read with it. where names the layer. */
	int (*check)(void *ctx, ccgov_rootfs *fs, const ccgov_tar_member *m, const char *where);
	/* After each regular file landed, with the path it landed at ("/usr/bin/x"). */
	int (*landed)(void *ctx, const char *path);
	void *ctx;
} ccgov_layer_reading;

/*
 * Applies layer i of r to fs (made with ccgov_rootfs_new(&fs,
 * ccgov_file_facts_free)), where naming it in messages; how may be NULL.
 * What it learnt counts only if this returns 0: the reader has then
 * checked the blob's digest and size and the layer's diff_id (and a copy
 * has taken its name).
 */
int ccgov_image_files_read_layer(ccgov_rootfs *fs, ccgov_oci_reader *r, size_t i, const char *where,
				 const ccgov_layer_reading *how);

/*
 * Every layer of the image in the layout, in order; digest gets its
 * manifest digest, *annotations (if not NULL) a copy of its manifest's
 * annotations, or NULL when it has none.
 */
int ccgov_image_files_read(ccgov_rootfs **out, const char *layout_dir, char digest[CCGOV_DIGEST_STRING_MAX],
			   cJSON **annotations);

#endif
