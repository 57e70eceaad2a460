/* The ELF reader: any bytes, never a read outside them, never a leak. */
#include <ccgov/ccgov.h>

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_elf_info info;

	if (ccgov_elf_read(&info, data, size, "fuzz") == 0)
		ccgov_elf_info_free(&info);
	return 0;
}
