/*
 * The TDVF reader (footer GUID table, descriptor, sections), over any
 * bytes, in both orders: the same bytes give the same MRTD every time,
 * and a refusal is one line naming the firmware.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error_shape.h"

static void measure_twice(const uint8_t *data, size_t size, ccgov_tdx_order order)
{
	ccgov_tdx_measurement a, b;
	int ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = ccgov_tdx_measure(&a, data, size, "fuzz.fd", order);
	check_error_shape(ra, "fuzz.fd");
	rb = ccgov_tdx_measure(&b, data, size, "fuzz.fd", order);
	if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	measure_twice(data, size, CCGOV_TDX_INTERLEAVED);
	measure_twice(data, size, CCGOV_TDX_TWO_PASS);
	return 0;
}
