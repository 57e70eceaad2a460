/*
 * Hostile source code: the input is scanned as C, Go, Rust and Python
 * with the shipped rules; the scan must finish without crashing, and
 * name whatever it skips (binary, generated, syntax errors).
 */
#include <ccgov/ccgov.h>

#include "scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char dir[64];
static ccgov_ruleset *rules;

__attribute__((destructor)) static void cleanup(void)
{
	if (dir[0])
		remove_scratch(dir);
	ccgov_ruleset_free(rules);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "a.c", "a.cpp", "a.go", "a.rs", "a.py" };
	ccgov_scan_options opts = { .threads = 1 };
	ccgov_scan_result result;
	char path[128];

	if (!rules) {
		const char *dirs[] = { "rules" };

		if (ccgov_ruleset_load(&rules, dirs, 1) < 0 || !mkdtemp(strcpy(dir, "/tmp/ccgov-fuzz-scan.XXXXXX")))
			abort();
	}
	for (size_t i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		remove_scratch(path);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, names[size % 5]);
	if (ccgov_file_write_atomic(path, data, size, 0644) < 0)
		abort();
	opts.root = dir;
	if (ccgov_scan(&result, rules, &opts) == 0) {
		/* A skip always names its file, a known kind and a reason. */
		for (size_t i = 0; i < result.nskipped; i++)
			if (!result.skipped[i].path[0] || result.skipped[i].kind >= CCGOV_SKIP_KINDS ||
			    !result.skipped[i].reason[0])
				abort();
		ccgov_scan_result_clear(&result);
	}
	return 0;
}
