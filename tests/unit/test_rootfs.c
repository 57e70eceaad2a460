/*
 * An image's file system, member by member: the orders and corner cases
 * that the bats cross-check against umoci does not reach.
 */
#include "unit.h"

#include <ccgov/rootfs.h>

/* Applies one member; a file's content is tagged with tag (its size) so the listing shows which it is. */
static int put(ccgov_rootfs *fs, const char *path, char type, const char *link, uint64_t tag)
{
	ccgov_tar_member m = { path, link, type, 0, 0 };
	ccgov_rootfs_content *c;
	int err = ccgov_rootfs_apply(fs, &m, "layer", &c, NULL);

	if (err == 0 && c)
		c->size = tag;
	return err;
}

/* "path=tag", "path->target" or "path(other)" per entry, in order, one line each. */
static char *listing(ccgov_rootfs *fs)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	ccgov_rootfs_entry *l;
	size_t n;

	if (ccgov_rootfs_list(fs, &l, &n) < 0)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (l[i].type == CCGOV_ROOTFS_FILE)
			ccgov_buffer_printf(&b, "%s=%llu%s%s\n", l[i].path, (unsigned long long)l[i].content->size,
					    l[i].same_as ? " same as " : "", l[i].same_as ? l[i].same_as : "");
		else if (l[i].type == CCGOV_ROOTFS_SYMLINK)
			ccgov_buffer_printf(&b, "%s->%s\n", l[i].path, l[i].link);
		else
			ccgov_buffer_printf(&b, "%s(other)\n", l[i].path);
	}
	ccgov_rootfs_list_free(l, n);
	ccgov_buffer_append(&b, "", 1);
	return b.data;
}

#define CHECK_LISTING(fs, want)                  \
	do {                                     \
		char *got_ = listing(fs);        \
		int same_ = got_ && strcmp(got_, want) == 0; \
		if (!same_)                      \
			unit_fail(__FILE__, __LINE__, "listing:\n%s\nwant:\n%s", got_ ? got_ : "(null)", want); \
		free(got_);                      \
		if (!same_)                      \
			return;                  \
	} while (0)

static void opaque_keeps_its_own_layer_in_any_order(void)
{
	ccgov_rootfs *fs;

	CHECK_OK(ccgov_rootfs_new(&fs, NULL));
	ccgov_rootfs_next_layer(fs);
	CHECK_OK(put(fs, "d/old", '0', NULL, 1));
	CHECK_OK(put(fs, "d/sub/deep", '0', NULL, 2));
	CHECK_OK(put(fs, "d/keep-name", '0', NULL, 3));
	ccgov_rootfs_next_layer(fs);
	/* The layer's own members come before its opaque marker, and after it. */
	CHECK_OK(put(fs, "d/sub/new", '0', NULL, 4));
	CHECK_OK(put(fs, "d/keep-name", '0', NULL, 5));
	CHECK_OK(put(fs, "d/.wh..wh..opq", '0', NULL, 0));
	CHECK_OK(put(fs, "d/after", '0', NULL, 6));
	CHECK_LISTING(fs, "/d/after=6\n/d/keep-name=5\n/d/sub/new=4\n");
	ccgov_rootfs_free(fs);
}

static void whiteouts_remove_whole_folders(void)
{
	ccgov_rootfs *fs;

	CHECK_OK(ccgov_rootfs_new(&fs, NULL));
	ccgov_rootfs_next_layer(fs);
	CHECK_OK(put(fs, "a/b/c", '0', NULL, 1));
	CHECK_OK(put(fs, "a/x", '0', NULL, 2));
	CHECK_OK(put(fs, "a/.wh..wh.plnk", '0', NULL, 9)); /* aufs bookkeeping: neither listed nor applied */
	ccgov_rootfs_next_layer(fs);
	CHECK_OK(put(fs, "a/.wh.b", '0', NULL, 0));
	CHECK_OK(put(fs, "nowhere/.wh.nothing", '0', NULL, 0));
	CHECK_LISTING(fs, "/a/x=2\n");
	ccgov_rootfs_free(fs);
}

static void replacing_changes_kind(void)
{
	ccgov_rootfs *fs;

	CHECK_OK(ccgov_rootfs_new(&fs, NULL));
	ccgov_rootfs_next_layer(fs);
	CHECK_OK(put(fs, "p/q/r", '0', NULL, 1));
	CHECK_OK(put(fs, "f", '0', NULL, 2));
	CHECK_OK(put(fs, "dev", '3', NULL, 0));
	ccgov_rootfs_next_layer(fs);
	CHECK_OK(put(fs, "p", '0', NULL, 3));   /* a file replaces a folder and all below it */
	CHECK_OK(put(fs, "f/", '5', NULL, 0));  /* a folder replaces a file */
	CHECK_OK(put(fs, "f/in", '0', NULL, 4));
	CHECK_OK(put(fs, "dev", '2', "f/in", 0));
	CHECK_LISTING(fs, "/dev->f/in\n/f/in=4\n/p=3\n");
	ccgov_rootfs_free(fs);
}

static void hard_links_keep_their_content(void)
{
	ccgov_rootfs *fs;
	const ccgov_rootfs_content *c;

	CHECK_OK(ccgov_rootfs_new(&fs, NULL));
	ccgov_rootfs_next_layer(fs);
	CHECK_OK(put(fs, "t", '0', NULL, 1));
	CHECK_OK(put(fs, "l1", '1', "t", 0));
	CHECK_OK(put(fs, "s", '2', "t", 0));
	CHECK_OK(put(fs, "l2", '1', "./s", 0)); /* through a symbolic link: to what it names */
	CHECK_OK(put(fs, "t", '0', NULL, 2));   /* the target replaced: the links keep the old content */
	CHECK_LISTING(fs, "/l1=1\n/l2=1 same as /l1\n/s->t\n/t=2\n");
	CHECK((c = ccgov_rootfs_lookup(fs, "/s")) && c->size == 2);
	CHECK_ERR(put(fs, "d/", '5', NULL, 0) == 0 ? put(fs, "x", '1', "d", 0) : -99, CCGOV_EINVALID,
		  "layer: x: a hard link to a folder");
	CHECK_ERR(put(fs, "y", '1', "missing", 0), CCGOV_EINVALID, "layer: y: a hard link to nothing");
	CHECK_OK(put(fs, "e/f", '0', NULL, 3));
	CHECK_ERR(put(fs, "e", '1', "e/f", 0), CCGOV_EINVALID, "layer: e: a hard link to what it replaces");
	ccgov_rootfs_free(fs);
}

static void folders_resolve_through_links_within_the_root(void)
{
	ccgov_rootfs *fs;

	CHECK_OK(ccgov_rootfs_new(&fs, NULL));
	ccgov_rootfs_next_layer(fs);
	CHECK_OK(put(fs, "etc/", '5', NULL, 0));
	CHECK_OK(put(fs, "up", '2', "../../../etc", 0)); /* ".." stops at the root */
	CHECK_OK(put(fs, "up/passwd", '0', NULL, 1));
	CHECK_OK(put(fs, "abs", '2', "/var/lib", 0));    /* absolute: from the image's root */
	CHECK_OK(put(fs, "abs/x", '0', NULL, 2));         /* a dangling link gets its folders made */
	CHECK_LISTING(fs, "/abs->/var/lib\n/etc/passwd=1\n/up->../../../etc\n/var/lib/x=2\n");
	CHECK_OK(put(fs, "loop1", '2', "loop2", 0));
	CHECK_OK(put(fs, "loop2", '2', "loop1/", 0));
	CHECK_ERR(put(fs, "loop1/x", '0', NULL, 3), CCGOV_EINVALID, "layer: loop1/x: too many levels of symbolic links");
	CHECK_ERR(put(fs, "etc/passwd/x", '0', NULL, 3), CCGOV_EINVALID, "layer: etc/passwd/x: its folder is not a folder");
	CHECK_ERR(put(fs, "../x", '0', NULL, 3), CCGOV_EUNSAFE, "..");
	ccgov_rootfs_free(fs);
}

const struct unit_test rootfs_tests[] = {
	{ "an opaque folder keeps what its own layer wrote, before or after it", opaque_keeps_its_own_layer_in_any_order },
	{ "whiteouts remove whole folders; aufs bookkeeping is skipped", whiteouts_remove_whole_folders },
	{ "a member replaces a folder, a file or a device whatever its kind", replacing_changes_kind },
	{ "hard links keep the content their target had; links to folders or nothing refused", hard_links_keep_their_content },
	{ "folders resolve through links within the root; loops refused", folders_resolve_through_links_within_the_root },
	{ NULL, NULL },
};
