/*
 * The SGX enclave layout reader: any bytes, a precise error or a layout,
 * never a read outside them. A layout it accepts must also measure: its
 * checks are meant to be those of the SGXS stream the layout becomes, so
 * a stream the SGXS reader refuses would be a bug in one of them.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>

#include "error_shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_sgx_layout *l = NULL;
	ccgov_sgx_measurement m;
	uint64_t pages = 0;
	int files = 0;

	int rc = ccgov_sgx_layout_parse(&l, (const char *)data, size, "fuzz.json", "/nonexistent");

	check_error_shape(rc, "fuzz.json");
	if (rc < 0)
		return 0;
	for (size_t i = 0; i < l->nregions; i++) {
		pages += l->regions[i].pages; /* regions never overlap: at most the enclave's pages */
		files |= l->regions[i].file != NULL;
	}
	/* Measuring hashes every page: only small layouts, and only without files to open. */
	if (!files && pages <= 4096 && ccgov_sgx_measure_layout(&m, l) < 0)
		abort();
	ccgov_sgx_layout_free(l);
	return 0;
}
