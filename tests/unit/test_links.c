/* scan's walk through symbolic links: where a link leads, and opening only what was decided on. */
#include "unit.h"

#include "../../analyzers/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* root/{src/x.c, lib -> src, in.c -> lib/x.c, out.c -> ../../x, up -> .., abs.c -> ROOT/src/x.c, ...} */
static int make_links(char *root, size_t size, char **real)
{
	static const char *const links[][2] = {
		{ "in.c", "lib/x.c" },   { "lib", "src" },        { "out.c", "../x" },
		{ "sneak.c", "src/../../x" }, { "gone.c", "src/missing.c" }, { "a.c", "b.c" },
		{ "b.c", "a.c" },        { "src/up", ".." },      { "self", "." },
		{ "notdir.c", "src/x.c/.." },
	};
	char p[4300];

	snprintf(root, size, "%s/links", unit_tmpdir());
	snprintf(p, sizeof(p), "%s/src", root);
	if (mkdir(root, 0755) < 0 || mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/src/x.c", root);
	if (unit_write(p, "int x;\n") < 0)
		return -1;
	for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, links[i][0]);
		if (symlink(links[i][1], p) < 0)
			return -1;
	}
	if (!(*real = realpath(root, NULL)))
		return -1;
	snprintf(p, sizeof(p), "%s/abs.c", root);
	{
		char target[4300];

		snprintf(target, sizeof(target), "%s/src/x.c", *real);
		return symlink(target, p);
	}
}

/* The end of the link at rel, and (for links that end inside) its real place. */
static int end_of(int rootfd, const char *root_real, const char *rel, char *real, size_t size)
{
	link_resolution r;
	int end;

	if (link_resolve(&r, rootfd, root_real, rel) < 0)
		return -1;
	end = (int)r.end;
	snprintf(real, size, "%s", r.real ? r.real : "-");
	link_resolution_free(&r);
	return end;
}

static void links_resolve_beneath_the_root(void)
{
	char root[4200], *real_root = NULL, real[4300];
	int rootfd;

	CHECK(make_links(root, sizeof(root), &real_root) == 0);
	CHECK((rootfd = open(root, O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK(end_of(rootfd, real_root, "in.c", real, sizeof(real)) == LINK_INSIDE);
	CHECK_STR(real, "src/x.c");
	CHECK(end_of(rootfd, real_root, "abs.c", real, sizeof(real)) == LINK_INSIDE);
	CHECK_STR(real, "src/x.c");
	CHECK(end_of(rootfd, real_root, "lib", real, sizeof(real)) == LINK_INSIDE);
	CHECK_STR(real, "src");
	CHECK(end_of(rootfd, real_root, "out.c", real, sizeof(real)) == LINK_LEAVES);
	/* Out and back in by name is still out: the kernel's RESOLVE_BENEATH says the same. */
	CHECK(end_of(rootfd, real_root, "sneak.c", real, sizeof(real)) == LINK_LEAVES);
	CHECK(end_of(rootfd, real_root, "gone.c", real, sizeof(real)) == LINK_DANGLES);
	CHECK(end_of(rootfd, real_root, "notdir.c", real, sizeof(real)) == LINK_DANGLES);
	CHECK(end_of(rootfd, real_root, "a.c", real, sizeof(real)) == LINK_LOOPS);
	CHECK(end_of(rootfd, real_root, "src/up", real, sizeof(real)) == LINK_ENCLOSING);
	CHECK(end_of(rootfd, real_root, "self", real, sizeof(real)) == LINK_ENCLOSING);
	close(rootfd);
	free(real_root);
}

static void a_skip_reason_names_the_chain_escaped(void)
{
	link_resolution r = { 0 };
	char why[512];

	r.end = LINK_LEAVES;
	r.target = strdup("x.c");
	r.via = strdup("x.c");
	r.via_target = strdup("/etc/\npasswd");
	CHECK(link_skip_reason(why, sizeof(why), &r) == CCGOV_SKIP_SYMLINK);
	CHECK_STR(why, "symbolic link leaves the scanned tree (-> x.c, then x.c -> /etc/\\npasswd)");
	r.end = LINK_UNREADABLE;
	r.error = EACCES;
	CHECK(link_skip_reason(why, sizeof(why), &r) == CCGOV_SKIP_UNREADABLE);
	CHECK_STR(why, "symbolic link cannot be followed: Permission denied (-> x.c, then x.c -> /etc/\\npasswd)");
	/* A target too long for one line is cut between characters, and says so. */
	free(r.via_target);
	CHECK((r.via_target = malloc(1001)) != NULL);
	for (int i = 0; i < 500; i++)
		memcpy(r.via_target + 2 * i, "\xc3\xa9", 2);
	r.via_target[1000] = '\0';
	r.end = LINK_LEAVES;
	link_skip_reason(why, sizeof(why), &r);
	CHECK(strlen(why) < sizeof(why) && ccgov_utf8_valid(why, strlen(why)));
	CHECK(strcmp(why + strlen(why) - 5, "\xc3\xa9...") == 0);
	link_resolution_free(&r);
}

/* What the walk decided on is what is opened: another file in its place, or a link on the way, is refused. */
static void only_the_decided_file_is_opened(void)
{
	char root[4200], p[4300], q[4300];
	struct stat decided, got;
	int rootfd, fd = -1;

	snprintf(root, sizeof(root), "%s/decided", unit_tmpdir());
	CHECK(mkdir(root, 0755) == 0);
	snprintf(p, sizeof(p), "%s/a", root);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/a/x.c", root);
	CHECK(unit_write(p, "int x;\n") == 0);
	CHECK(stat(p, &decided) == 0);
	CHECK((rootfd = open(root, O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK(open_decided(&fd, &got, rootfd, "a/x.c", O_RDONLY, decided.st_dev, decided.st_ino) == 0);
	close(fd);
	/* Replaced by another file with the same name. */
	snprintf(q, sizeof(q), "%s/a/x.c.new", root);
	CHECK(unit_write(q, "int y;\n") == 0);
	CHECK(rename(q, p) == 0);
	CHECK(open_decided(&fd, &got, rootfd, "a/x.c", O_RDONLY, decided.st_dev, decided.st_ino) == ESTALE);
	CHECK_STR(open_decided_error(ESTALE), "it changed while the scan ran");
	/* A folder on the way replaced by a link to another folder with an x.c. */
	CHECK(stat(p, &decided) == 0);
	snprintf(q, sizeof(q), "%s/c", root);
	CHECK(mkdir(q, 0755) == 0);
	snprintf(q, sizeof(q), "%s/c/x.c", root);
	CHECK(unit_write(q, "int z;\n") == 0);
	snprintf(p, sizeof(p), "%s/a", root);
	snprintf(q, sizeof(q), "%s/b", root);
	CHECK(rename(p, q) == 0);
	CHECK(symlink("c", p) == 0);
	CHECK(open_decided(&fd, &got, rootfd, "a/x.c", O_RDONLY, decided.st_dev, decided.st_ino) != 0);
	CHECK(open_decided(&fd, &got, rootfd, "b/x.c", O_RDONLY, decided.st_dev, decided.st_ino) == 0);
	close(fd);
	close(rootfd);
}

const struct unit_test links_tests[] = {
	{ "a link resolves beneath the root: inside, leaves, dangles, loops, encloses", links_resolve_beneath_the_root },
	{ "a link's skip reason names the chain, escaped", a_skip_reason_names_the_chain_escaped },
	{ "only the file the walk decided on is opened", only_the_decided_file_is_opened },
	{ NULL, NULL }
};
