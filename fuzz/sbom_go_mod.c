/* The go.mod and go.sum cataloger, and both SBOM writers over what it accepts. */
#include "sbom_writers.h"

#include <stdint.h>

/* The input is go.mod, then a NUL byte, then go.sum. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t mod_len = nul ? (size_t)(nul - data) : size;
	ccgov_sbom s;

	if (fuzz_sbom_start(&s) == 0)
		fuzz_sbom_finish(&s, ccgov_catalog_go_mod(&s, "go.mod", (const char *)data, mod_len,
							   nul ? (const char *)nul + 1 : NULL, nul ? size - mod_len - 1 : 0));
	else
		ccgov_sbom_free(&s);
	return 0;
}
