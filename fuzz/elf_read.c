/*
 * The ELF reader: any bytes, never a read outside them, never a leak; a
 * refusal is one line naming the file.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>

#include "error_shape.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_elf_info info;
	int rc = ccgov_elf_read(&info, data, size, "fuzz");

	check_error_shape(rc, "fuzz");
	if (rc == 0)
		ccgov_elf_info_free(&info);
	return 0;
}
