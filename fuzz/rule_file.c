/*
 * Rule files: the input becomes a .scm rule, and loading must succeed or
 * fail with a message; never crash, whatever the header or query says.
 */
#include <ccgov/ccgov.h>

#include "scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_shape.h"

static char dir[64];

__attribute__((destructor)) static void remove_dir(void)
{
	if (dir[0])
		remove_scratch(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *dirs[1];
	char path[128];
	ccgov_ruleset *rs = NULL;
	int rc;

	if (!dir[0] && !mkdtemp(strcpy(dir, "/tmp/ccgov-fuzz-rule.XXXXXX")))
		abort();
	snprintf(path, sizeof(path), "%s/rule.scm", dir);
	if (ccgov_file_write_atomic(path, data, size, 0644) < 0)
		abort();
	dirs[0] = dir;
	rc = ccgov_ruleset_load(&rs, dirs, 1);
	check_error_shape(rc, "rule.scm");
	if (rc == 0)
		ccgov_ruleset_free(rs);
	return 0;
}
