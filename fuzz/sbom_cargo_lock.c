/* The Cargo.lock cataloger, and both SBOM writers over what it accepts. */
#include "sbom_writers.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_sbom s;

	if (fuzz_sbom_start(&s) == 0)
		fuzz_sbom_finish(&s, ccgov_catalog_cargo_lock(&s, "Cargo.lock", (const char *)data, size));
	else
		ccgov_sbom_free(&s);
	return 0;
}
