/* Paths from untrusted input stay beneath their root. */
#include "unit.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static void normalize_accepts_and_cleans(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "a", "a" }, { "a/b", "a/b" }, { "./a//b/", "a/b" }, { "a/./b/.", "a/b" },
		{ "..a/b..", "..a/b.." }, { "caf\xc3\xa9", "caf\xc3\xa9" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out;

		CHECK_OK(ccgov_path_normalize(&out, cases[i].in));
		CHECK_STR(out, cases[i].out);
		free(out);
	}
}

static void normalize_refuses_escapes(void)
{
	char *out = NULL;

	CHECK_ERR(ccgov_path_normalize(&out, "/etc/passwd"), CCGOV_EUNSAFE, "absolute path");
	CHECK_ERR(ccgov_path_normalize(&out, "../x"), CCGOV_EUNSAFE, "'..'");
	CHECK_ERR(ccgov_path_normalize(&out, "a/../../x"), CCGOV_EUNSAFE, "'..'");
	CHECK_ERR(ccgov_path_normalize(&out, "a/.."), CCGOV_EUNSAFE, "'..'");
	CHECK_ERR(ccgov_path_normalize(&out, ""), CCGOV_EINVALID, "empty path");
	CHECK_ERR(ccgov_path_normalize(&out, "./."), CCGOV_EINVALID, "names no file");
	CHECK_ERR(ccgov_path_normalize(&out, "a\xff"), CCGOV_EINVALID, "not valid UTF-8");
	CHECK_ERR(ccgov_path_normalize(&out, "a\nb"), CCGOV_EINVALID, "control character");
	CHECK(out == NULL);
}

/* root/{in/file, up -> .., out -> /etc, loop -> loop, ok -> in} */
static int make_tree(char *root, size_t size)
{
	char p[4300];

	snprintf(root, size, "%s/root", unit_tmpdir());
	mkdir(root, 0755);
	snprintf(p, sizeof(p), "%s/in", root);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/in/file", root);
	unit_write(p, "x");
	static const char *links[][2] = { { "up", ".." }, { "out", "/etc" },
					  { "loop", "loop" }, { "ok", "in" } };

	for (size_t i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, links[i][0]);
		if (symlink(links[i][1], p) < 0)
			return -1;
	}
	return 0;
}

static void resolve_stays_beneath_root(void)
{
	char root[4200], *real, want[4300], *real_root;

	CHECK(make_tree(root, sizeof(root)) == 0);
	real_root = realpath(root, NULL);
	CHECK_OK(ccgov_path_resolve_beneath(&real, root, "ok/file"));
	snprintf(want, sizeof(want), "%s/in/file", real_root);
	free(real_root);
	CHECK_STR(real, want);
	free(real);
	CHECK_ERR(ccgov_path_resolve_beneath(&real, root, "out/passwd"), CCGOV_EUNSAFE,
		  "out/passwd: a symbolic link leads outside");
	CHECK_ERR(ccgov_path_resolve_beneath(&real, root, "up"), CCGOV_EUNSAFE, "leads outside");
	CHECK_ERR(ccgov_path_resolve_beneath(&real, root, "loop"), CCGOV_EUNSAFE,
		  "loop: symbolic link loop");
	CHECK_ERR(ccgov_path_resolve_beneath(&real, root, "in/missing"), CCGOV_ENOTFOUND,
		  "in/missing");
	CHECK_ERR(ccgov_path_resolve_beneath(&real, root, "../root/in"), CCGOV_EUNSAFE, "'..'");
}

static void open_beneath_is_enforced_by_the_kernel(void)
{
	char root[4200];
	int rootfd, fd = -1;

	CHECK(make_tree(root, sizeof(root)) == 0);
	CHECK((rootfd = open(root, O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK_OK(ccgov_path_open_beneath(&fd, rootfd, "ok/file", O_RDONLY, "ok/file"));
	close(fd);
	CHECK_ERR(ccgov_path_open_beneath(&fd, rootfd, "out/passwd", O_RDONLY, "out/passwd"),
		  CCGOV_EUNSAFE, "out/passwd: path leads outside its folder");
	CHECK_ERR(ccgov_path_open_beneath(&fd, rootfd, "../root/in/file", O_RDONLY, "x"),
		  CCGOV_EUNSAFE, "leads outside");
	CHECK_ERR(ccgov_path_open_beneath(&fd, rootfd, "/etc/passwd", O_RDONLY, "abs"),
		  CCGOV_EUNSAFE, "leads outside");
	CHECK_ERR(ccgov_path_open_beneath(&fd, rootfd, "loop", O_RDONLY, "loop"),
		  CCGOV_EUNSAFE, "symbolic link loop");
	close(rootfd);
}

const struct unit_test path_tests[] = {
	{ "normalize accepts and cleans relative paths", normalize_accepts_and_cleans },
	{ "normalize refuses absolute, '..', empty, non-UTF-8", normalize_refuses_escapes },
	{ "resolve stays beneath the root through links", resolve_stays_beneath_root },
	{ "open beneath: the kernel refuses escapes", open_beneath_is_enforced_by_the_kernel },
	{ NULL, NULL }
};
