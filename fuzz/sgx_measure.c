/*
 * The SGXS reader and the SIGSTRUCT reader: any bytes, a precise error or
 * a measurement, never a read outside them; the same bytes measure the
 * same twice, and a refusal is one line naming the input.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error_shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_sgx_measurement m, again;
	ccgov_sgx_sigstruct s;
	int rc;

	memset(&m, 0, sizeof(m));
	memset(&again, 0, sizeof(again));
	rc = ccgov_sgx_measure_sgxs_buffer(&m, data, size, "fuzz.sgxs");
	check_error_shape(rc, "fuzz.sgxs");
	if (rc == 0 && (ccgov_sgx_measure_sgxs_buffer(&again, data, size, "fuzz.sgxs") != 0 ||
			memcmp(&m, &again, sizeof(m)) != 0))
		abort();
	check_error_shape(ccgov_sgx_sigstruct_read(&s, data, size, "fuzz.sigstruct"), "fuzz.sigstruct");
	return 0;
}
