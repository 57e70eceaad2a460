/*
 * The strict JSON parser and the RFC 8785 writer. Any accepted input
 * canonicalizes, unless it holds a number with no exact canonical form;
 * its canonical form reads back as the same values, integers to the digit,
 * and canonicalizes to the same bytes.
 */
#include "values_kept.h"

#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error_shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_buffer once = CCGOV_BUFFER_INIT, twice = CCGOV_BUFFER_INIT;
	cJSON *v = NULL, *again = NULL;

	int rc = ccgov_json_parse(&v, (const char *)data, size, "fuzz");

	check_error_shape(rc, "fuzz");
	if (rc < 0)
		return 0;
	if (check_values_kept(v, &once)) {
		if (ccgov_json_parse(&again, once.data, once.len, "canonical") < 0 ||
		    ccgov_json_write(&twice, again, CCGOV_JSON_CANONICAL) < 0 ||
		    once.len != twice.len || memcmp(once.data, twice.data, once.len) != 0)
			abort();
	}
	cJSON_Delete(v);
	cJSON_Delete(again);
	ccgov_buffer_free(&once);
	ccgov_buffer_free(&twice);
	return 0;
}
