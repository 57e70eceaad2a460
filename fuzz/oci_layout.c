/*
 * The OCI layout reader on a hostile index.json: the input becomes the
 * index of a layout folder, and the reader must refuse or accept it without
 * crashing or reading outside the folder.
 */
#include <ccgov/ccgov.h>

#include "scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error_shape.h"

static char dir[64];

__attribute__((destructor)) static void remove_layout(void)
{
	if (dir[0])
		remove_scratch(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[128];
	ccgov_image image;

	if (!dir[0])
		make_scratch_layout(dir, sizeof(dir), "/tmp/ccgov-fuzz-oci.XXXXXX");
	snprintf(path, sizeof(path), "%s/index.json", dir);
	if (ccgov_file_write_atomic(path, data, size, 0644) < 0)
		abort();
	check_error_shape(ccgov_oci_verify(&image, dir, size % 2 ? "latest" : NULL), dir);
	return 0;
}
