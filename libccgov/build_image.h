/*
 * The image a build writes, beyond packing its own layer (build.c calls
 * these in order): a pinned base copied in and read; ccgov's layer read
 * back and checked against the base; the libraries the ELF files ccgov
 * put need, looked for in the image. Private to libccgov.
 */
#ifndef CCGOV_BUILD_IMAGE_H
#define CCGOV_BUILD_IMAGE_H

#include <ccgov/base.h>
#include <ccgov/oci.h>
#include <ccgov/rootfs.h>

#include <stddef.h>

typedef struct {
	char **items;
	size_t len;
} ccgov_build_list;

void ccgov_build_list_free(ccgov_build_list *l);

/*
 * Each layer of base, its blob copied into layout (whose blobs/sha256
 * exists) as it is read and checked, and applied to fs. Memory does not
 * grow with the base's size: blobs stream.
 */
int ccgov_build_take_base(ccgov_rootfs *fs, ccgov_oci_reader *base, const char *layout, const char *written);

/*
 * Reads back the last layer of the image in layout (ccgov's own) into
 * fs. On a base, a folder ccgov's layer makes where the base has a
 * symbolic link (it would replace the link, and what the base reaches
 * through it), or a file where the base has a folder, is refused naming
 * both. files gets the regular files the layer put, as they landed.
 */
int ccgov_build_read_own_layer(ccgov_rootfs *fs, const char *layout, const char *base_written,
			       ccgov_build_list *files);

/*
 * For each ELF file among files: its PT_INTERP and each DT_NEEDED must
 * be a file in fs, looked for as the loader looks (DT_RPATH without
 * DT_RUNPATH, the image's LD_LIBRARY_PATH if its config sets one (or
 * NULL), DT_RUNPATH with $ORIGIN, the image's ld.so.conf, the default and
 * multiarch folders). Each miss is one line in missing.
 */
int ccgov_build_check_libraries(ccgov_rootfs *fs, const ccgov_build_list *files, const char *ld_library_path,
				ccgov_build_list *missing);

#endif
