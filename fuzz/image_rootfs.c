/*
 * An image's file system from hostile layers: the input is read as a
 * layer tar and applied twice, as layers 1 and 2 (so that every member
 * replaces, whites out or links to what the first pass made). Whatever
 * is accepted must list sorted, without folders, every file with content
 * and every link with a target; nothing may crash, loop or leak.
 */
#include <ccgov/ccgov.h>

#include "memory_source.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int apply_layer(ccgov_rootfs *fs, const uint8_t *data, size_t size)
{
	memory in = { data, size, 0 };
	ccgov_tar_reader *r;
	const ccgov_tar_member *m;
	int rc, err = 0;

	if (ccgov_tar_reader_new(&r, from_memory, &in) < 0)
		return -1;
	ccgov_rootfs_next_layer(fs);
	while (err == 0 && (rc = ccgov_tar_next(r, &m)) == 1) {
		ccgov_rootfs_content *c;
		const char *landed;

		if ((err = ccgov_rootfs_apply(fs, m, "layer", &c, &landed)) == 0 && c) {
			c->hashed = 1;
			c->size = m->size;
		}
		if (err == 0 && landed && landed[0] != '/')
			abort();
	}
	ccgov_tar_reader_free(r);
	return err;
}

static void check_list(ccgov_rootfs *fs)
{
	ccgov_rootfs_entry *list;
	size_t n;

	if (ccgov_rootfs_list(fs, &list, &n) < 0)
		return;
	for (size_t i = 0; i < n; i++) {
		if (list[i].type == CCGOV_ROOTFS_DIR || list[i].path[0] != '/')
			abort();
		if (i > 0 && strcmp(list[i - 1].path, list[i].path) >= 0)
			abort();
		if ((list[i].type == CCGOV_ROOTFS_FILE) != (list[i].content != NULL))
			abort();
		if ((list[i].type == CCGOV_ROOTFS_SYMLINK) != (list[i].link != NULL))
			abort();
		/* A listed path goes through folders only: looking it up finds that very content. */
		if (list[i].type == CCGOV_ROOTFS_FILE && ccgov_rootfs_lookup(fs, list[i].path) != list[i].content)
			abort();
	}
	ccgov_rootfs_list_free(list, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_rootfs *fs;

	if (ccgov_rootfs_new(&fs, free) < 0)
		return 0;
	if (apply_layer(fs, data, size) == 0)
		apply_layer(fs, data, size);
	check_list(fs);
	ccgov_rootfs_free(fs);
	return 0;
}
