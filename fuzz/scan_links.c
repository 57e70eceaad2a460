/*
 * Hostile symbolic links: each input line is the target of one link in a
 * small scratch tree that holds one source file, src/x.c. The scan must
 * finish without an error or a hang, name every link it does not follow
 * with an escaped, one-line UTF-8 reason, and read that one file at most once,
 * however many links lead to it.
 */
#include <ccgov/ccgov.h>

#include "scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static ccgov_ruleset *rules;
/* Where the links go: source names, a folder name, and names in a subfolder. */
static const char *const slots[] = { "a.c", "b.c", "lib", "sub/up", "sub/c.c", "sub/d" };
#define NSLOTS (sizeof(slots) / sizeof(*slots))

__attribute__((destructor)) static void cleanup(void)
{
	if (dir[0])
		remove_scratch(dir);
	ccgov_ruleset_free(rules);
}

static void make_tree(void)
{
	static const char code[] = "void *f(void) { return dlopen(\"x\", 0); }\n";
	const char *dirs[] = { "rules" };
	char path[128];

	if (ccgov_ruleset_load(&rules, dirs, 1) < 0 || !mkdtemp(strcpy(dir, "/tmp/ccgov-fuzz-links.XXXXXX")))
		abort();
	snprintf(path, sizeof(path), "%s/src", dir);
	if (mkdir(path, 0755) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/sub", dir);
	if (mkdir(path, 0755) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/src/x.c", dir);
	if (ccgov_file_write_atomic(path, code, strlen(code), 0644) < 0)
		abort();
}

/* One link per line of the input, in slot order; an empty line leaves its slot empty. */
static void make_links(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	char path[128], target[4096];

	for (size_t i = 0; i < NSLOTS; i++) {
		const char *nl = p < end ? memchr(p, '\n', (size_t)(end - p)) : NULL;
		size_t n = (size_t)((nl ? nl : end) - p);

		snprintf(path, sizeof(path), "%s/%s", dir, slots[i]);
		remove_scratch(path);
		if (p < end && n && n < sizeof(target) && !memchr(p, '\0', n)) {
			memcpy(target, p, n);
			target[n] = '\0';
			if (symlink(target, path) < 0)
				abort();
		}
		p = nl ? nl + 1 : end;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_scan_options opts = { .threads = 1 };
	ccgov_scan_result result;

	if (!rules)
		make_tree();
	make_links(data, size);
	opts.root = dir;
	if (ccgov_scan(&result, rules, &opts) < 0)
		abort();
	/* One real file, one language: read once at most, whatever the links. */
	if (result.files_scanned > 1 || result.nfindings > 1)
		abort();
	for (size_t i = 0; i < result.nskipped; i++) {
		const ccgov_skipped_file *s = &result.skipped[i];

		if (!s->path[0] || s->kind >= CCGOV_SKIP_KINDS || !s->reason[0] || strpbrk(s->reason, "\n\r\t") ||
		    !ccgov_utf8_valid(s->reason, strlen(s->reason)))
			abort();
	}
	ccgov_scan_result_clear(&result);
	return 0;
}
