/* The EIF reader, over any bytes (given to it as a memory file). */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_nitro_pcrs pcrs;
	char path[64];
	int fd = memfd_create("eif", MFD_CLOEXEC);

	if (fd < 0)
		return 0;
	if (write(fd, data, size) == (ssize_t)size) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		(void)ccgov_nitro_measure_eif(&pcrs, path);
	}
	close(fd);
	return 0;
}
