/*
 * The TOML reader (Cargo.lock, poetry.lock). Any accepted document must
 * become a tree that the canonical JSON writer can write.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_buffer out = CCGOV_BUFFER_INIT;
	cJSON *v = NULL;

	if (ccgov_toml_parse(&v, (const char *)data, size, "fuzz") < 0)
		return 0;
	if (ccgov_json_write(&out, v, CCGOV_JSON_CANONICAL) < 0)
		abort();
	cJSON_Delete(v);
	ccgov_buffer_free(&out);
	return 0;
}
