/* The TDVF reader (footer GUID table, descriptor, sections), over any bytes. */
#include <ccgov/ccgov.h>

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_tdx_measurement m;

	(void)ccgov_tdx_measure(&m, data, size, "fuzz.fd", CCGOV_TDX_INTERLEAVED);
	(void)ccgov_tdx_measure(&m, data, size, "fuzz.fd", CCGOV_TDX_TWO_PASS);
	return 0;
}
