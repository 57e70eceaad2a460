/*
 * The SEV firmware reader (footer GUID table, SEV metadata, sections) and
 * every mode over it, over any bytes. The library reads firmware by path,
 * so the input is put in a memory file once per run. Each mode measures
 * the same bytes the same twice, and a refusal is one line naming the
 * firmware.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "error_shape.h"

static void measure_twice(const ccgov_sev_launch *l)
{
	ccgov_sev_measurement a, b;
	int ra, rb;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ra = ccgov_sev_measure(&a, l);
	check_error_shape(ra, l->ovmf);
	rb = ccgov_sev_measure(&b, l);
	if (ra != rb || (ra == 0 && memcmp(&a, &b, sizeof(a)) != 0))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	unsigned char hash[48] = { 0 };
	ccgov_sev_launch l = { .ovmf = path, .vcpus = 2, .vcpu_sig = 0xa00f11, .guest_features = 1 };

	if (fd < 0) {
		if ((fd = memfd_create("fuzz.fd", 0)) < 0)
			return 0;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		return 0;
	(void)ccgov_sev_ovmf_hash(hash, path);
	for (int vmm = CCGOV_VMM_QEMU; vmm <= CCGOV_VMM_GCE; vmm++) {
		l.vmm = (ccgov_sev_vmm)vmm;
		l.mode = CCGOV_SEV_SNP;
		l.kernel = NULL;
		measure_twice(&l);
		l.kernel = "/dev/null";
		measure_twice(&l);
		l.mode = CCGOV_SEV_ES;
		measure_twice(&l);
	}
	l.mode = CCGOV_SEV;
	measure_twice(&l);
	l.vmm = CCGOV_VMM_QEMU;
	l.mode = CCGOV_SEV_SNP_SVSM;
	l.svsm = path;
	l.vars_size = 0x1000;
	measure_twice(&l);
	return 0;
}
