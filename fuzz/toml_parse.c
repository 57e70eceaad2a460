/*
 * The TOML reader (Cargo.lock, poetry.lock). Any accepted document becomes
 * a tree the canonical JSON writer writes, unless it holds a number with
 * no exact canonical form, and what it writes reads back as the same
 * values, integers to the digit.
 */
#include "values_kept.h"

#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>

#include "error_shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_buffer out = CCGOV_BUFFER_INIT;
	cJSON *v = NULL;

	int rc = ccgov_toml_parse(&v, (const char *)data, size, "fuzz");

	check_error_shape(rc, "fuzz");
	if (rc < 0)
		return 0;
	check_values_kept(v, &out);
	cJSON_Delete(v);
	ccgov_buffer_free(&out);
	return 0;
}
