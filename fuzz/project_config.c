/*
 * ccgov.json: any input either loads into a project whose outputs are
 * safe relative paths, or fails with a message; never a crash.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error_shape.h"

/* Relative, and no component is "." or ".." or empty. */
static int safe(const char *path)
{
	const char *p = path;

	if (*p == '/' || !*p)
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n + (p[n] == '/');
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_project *p = NULL;
	int rc = ccgov_project_parse(&p, (const char *)data, size, "ccgov.json");

	check_error_shape(rc, "ccgov.json");
	if (rc == 0) {
		cJSON *json = ccgov_project_to_json(p), *config = ccgov_project_image_config(p);

		for (size_t i = 0; i < p->noutputs; i++)
			if (!safe(p->outputs[i].path) || !safe(p->outputs[i].dest))
				abort();
		/* scan.allow_skipped holds known kinds only. */
		if (p->scan_allow_skipped >> CCGOV_SKIP_KINDS)
			abort();
		cJSON_Delete(json);
		cJSON_Delete(config);
		ccgov_project_free(p);
	}
	return 0;
}
