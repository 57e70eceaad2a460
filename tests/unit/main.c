/* Runs every unit test and prints TAP; exit status 1 if any failed. */
#include "unit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static int failed;
static char tmpdir[4096];

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("# %s:%d: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failed = 1;
}

int unit_failed(void)
{
	return failed;
}

const char *unit_tmpdir(void)
{
	return tmpdir;
}

char *unit_run(const char *fmt, ...)
{
	ccgov_buffer cmd = CCGOV_BUFFER_INIT, out = CCGOV_BUFFER_INIT;
	char chunk[4096];
	va_list ap;
	FILE *p;
	size_t n;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(chunk, sizeof(chunk), fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= sizeof(chunk))
		return NULL;
	ccgov_buffer_puts(&cmd, chunk);
	p = popen(cmd.data, "r");
	ccgov_buffer_free(&cmd);
	if (!p)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		ccgov_buffer_append(&out, chunk, n);
	if (pclose(p) != 0) {
		ccgov_buffer_free(&out);
		return NULL;
	}
	while (out.len && out.data[out.len - 1] == '\n')
		out.data[--out.len] = '\0';
	return ccgov_buffer_detach(&out, NULL);
}

int unit_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int unit_remove(const char *path)
{
	ccgov_ownership own;
	int err = ccgov_ownership_of_path(&own, path);

	return err < 0 ? err : ccgov_remove(path, &own, 0);
}

static const struct {
	const char *suite;
	const struct unit_test *tests;
} suites[] = {
	{ "digest", digest_tests }, { "json", json_tests }, { "file", file_tests },
	{ "path", path_tests },     { "git", git_tests },   { "text", text_tests },
	{ "image", image_tests }, { "toml", toml_tests }, { "sbom", sbom_tests }, { "elf", elf_tests },
	{ "remove", remove_tests },
	{ "tar", tar_tests },
	{ "rootfs", rootfs_tests },
	{ "links", links_tests },
};

int main(int argc, char **argv)
{
	const char *base = getenv("TMPDIR");
	char root[1024];
	int number = 0, failures = 0;

	snprintf(root, sizeof(root), "%s/ccgov-unit.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(root) || ccgov_init() < 0) {
		perror("unit-tests: setup");
		return 3;
	}
	for (size_t s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		/* With an argument, run only the suites it names. */
		if (argc > 1 && !strstr(argv[1], suites[s].suite))
			continue;
		for (const struct unit_test *t = suites[s].tests; t->name; t++) {
			snprintf(tmpdir, sizeof(tmpdir), "%s/%d", root, ++number);
			if (mkdir(tmpdir, 0700) < 0) {
				perror(tmpdir);
				return 3;
			}
			ccgov_error_clear();
			failed = 0;
			t->run();
			printf("%s %d - %s: %s\n", failed ? "not ok" : "ok", number,
			       suites[s].suite, t->name);
			fflush(stdout);
			failures += failed;
		}
	}
	printf("1..%d\n", number);
	if (unit_remove(root) < 0)
		printf("# leaving %s: %s\n", root, ccgov_error_last()->message);
	ccgov_shutdown();
	return failures ? 1 : 0;
}
