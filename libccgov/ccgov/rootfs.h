/*
 * The file system an image's layers make, built in memory as a container
 * runtime builds it on disk (OCI image-spec layer.md, "Applying
 * Changesets", as containerd and umoci apply it):
 *
 *  - layers apply in order, members in archive order; a later member at a
 *    path replaces what was there (a folder is kept only when a folder
 *    replaces it), so a path named twice holds the last content;
 *  - ".wh.NAME" removes NAME; ".wh..wh..opq" hides everything below its
 *    folder that lower layers made, whatever its order in the layer;
 *  - the folders of a member's path are resolved through the symbolic
 *    links already there, as the runtime resolves them within the root
 *    (".." stops at "/"); missing ones are made;
 *  - a hard link shares the content its target has when the link is made:
 *    replacing the target later does not change the link.
 *
 * What no runtime unpacks is refused (CCGOV_EINVALID naming the member):
 * a folder of the path that is a file, a hard link to nothing or to a
 * folder, a symbolic link loop, a path deeper than Linux allows.
 */
#ifndef CCGOV_ROOTFS_H
#define CCGOV_ROOTFS_H

#include <ccgov/digest.h>
#include <ccgov/tar.h>

#include <stddef.h>
#include <stdint.h>

typedef struct ccgov_rootfs ccgov_rootfs;

typedef enum {
	CCGOV_ROOTFS_DIR,
	CCGOV_ROOTFS_FILE,
	CCGOV_ROOTFS_SYMLINK,
	CCGOV_ROOTFS_OTHER /* a device or FIFO: present, without content */
} ccgov_rootfs_type;

/* A regular file's content, shared by every hard link to it. */
typedef struct {
	int hashed;          /* the caller hashed it (a sparse file is not) */
	ccgov_digest sha256;
	uint64_t size;
	void *facts;         /* what the caller learnt of it; freed by the free_facts given to ccgov_rootfs_new */
} ccgov_rootfs_content;

typedef struct {
	const char *path;             /* "/usr/bin/x", as resolved */
	ccgov_rootfs_type type;       /* never CCGOV_ROOTFS_DIR */
	const char *link;             /* a symbolic link's target, as written */
	ccgov_rootfs_content *content; /* a file's */
	const char *same_as;          /* a file hard-linked to a path listed before it: that path */
} ccgov_rootfs_entry;

int ccgov_rootfs_new(ccgov_rootfs **out, void (*free_facts)(void *facts));
void ccgov_rootfs_free(ccgov_rootfs *fs);

/* The next layer begins (the first one too): its whiteouts hide what came before. */
void ccgov_rootfs_next_layer(ccgov_rootfs *fs);

/*
 * Applies one member of the current layer, named where in messages. For
 * a regular file, *content (if not NULL) gets its new content record for
 * the caller to fill as the member's bytes are read, else NULL; *landed
 * (if not NULL) the path where it landed, links resolved ("/usr/bin/x"),
 * valid until the next call, or NULL for a whiteout.
 */
int ccgov_rootfs_apply(ccgov_rootfs *fs, const ccgov_tar_member *m, const char *where,
		       ccgov_rootfs_content **content, const char **landed);

/* The content of the regular file at path ("/etc/os-release"), links followed; NULL if none. */
const ccgov_rootfs_content *ccgov_rootfs_lookup(ccgov_rootfs *fs, const char *path);

/*
 * What is at path itself, its folders' links followed but not a link at
 * its end (lstat): 1 with *type (and *link, a link's target as written,
 * if link is not NULL), 0 if nothing is there, or a CCGOV_E* code (a
 * folder of the path is a file, a link loop).
 */
int ccgov_rootfs_stat(ccgov_rootfs *fs, const char *path, ccgov_rootfs_type *type, const char **link);

/*
 * Every file, symbolic link, device and FIFO, in byte order of path
 * (folders are implied). Free the list with ccgov_rootfs_list_free; its
 * links and contents belong to fs.
 */
int ccgov_rootfs_list(ccgov_rootfs *fs, ccgov_rootfs_entry **out, size_t *count);
void ccgov_rootfs_list_free(ccgov_rootfs_entry *entries, size_t count);

#endif
