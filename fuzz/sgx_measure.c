/*
 * The SGXS reader and the SIGSTRUCT reader: any bytes, a precise error or
 * a measurement, never a read outside them.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_sgx_measurement m;
	ccgov_sgx_sigstruct s;

	(void)ccgov_sgx_measure_sgxs_buffer(&m, data, size, "fuzz.sgxs");
	(void)ccgov_sgx_sigstruct_read(&s, data, size, "fuzz.sigstruct");
	return 0;
}
