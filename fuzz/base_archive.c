/*
 * A base image as an oci-archive over hostile bytes: the input is the
 * archive. It is unpacked into a fresh scratch folder (only oci-layout,
 * index.json and blobs/sha256/HEX may come out of it, nothing outside the
 * folder), then opened pinned at the first digest its index.json names,
 * so that an index and its platforms are read too. A refusal is one line
 * naming the input. The input is also read as a base reference.
 */
#include <ccgov/ccgov.h>
#include <ccgov/base.h>

#include "error_shape.h"
#include "scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];

__attribute__((destructor)) static void remove_dir(void)
{
	if (dir[0])
		remove_scratch(dir);
}

/* The first "sha256:<64 hex>" in the unpacked index.json, as the pin; else any digest. */
static void first_digest(ccgov_digest *pin, const char *index)
{
	char *text = NULL;
	size_t len = 0;
	const char *p;

	ccgov_digest_parse(pin, "sha256:0000000000000000000000000000000000000000000000000000000000000000");
	if (ccgov_file_read(&text, &len, index, 1 << 20) < 0)
		return;
	if ((p = strstr(text, "sha256:")) && strlen(p) >= 71) {
		char d[72];

		memcpy(d, p, 71);
		d[71] = '\0';
		ccgov_digest_parse(pin, d);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char archive[128], scratch[128], index[160], *text;
	ccgov_base_ref ref = { 0 };
	ccgov_oci_reader *r = NULL;
	int rc;

	if (!dir[0] && !mkdtemp(strcpy(dir, "/tmp/ccgov-fuzz-base.XXXXXX")))
		abort();
	snprintf(archive, sizeof(archive), "%s/base.tar", dir);
	snprintf(scratch, sizeof(scratch), "%s/unpacked", dir);
	if (ccgov_file_write_atomic(archive, data, size, 0644) < 0 || mkdir(scratch, 0700) < 0)
		abort();
	/* The pin: what the archive's own index.json names, once unpacked. */
	ref.written = (char *)"oci-archive:base.tar@pin";
	ref.path = archive;
	ref.archive = 1;
	snprintf(index, sizeof(index), "%s/index.json", scratch);
	rc = ccgov_base_open(&r, &ref, NULL, size % 3 ? NULL : "linux/arm64", scratch);
	check_error_shape(rc, "base.tar");
	ccgov_oci_close(r);
	if (access(index, F_OK) == 0) {
		first_digest(&ref.digest, index);
		remove_scratch(scratch);
		if (mkdir(scratch, 0700) < 0)
			abort();
		rc = ccgov_base_open(&r, &ref, NULL, size % 3 ? NULL : "linux/arm64", scratch);
		check_error_shape(rc, "base.tar");
		ccgov_oci_close(r);
	}
	remove_scratch(scratch);
	/* And the bytes as a base reference. */
	if ((text = strndup((const char *)data, size < 512 ? size : 512))) {
		if (ccgov_base_ref_parse(&ref, text) == 0)
			ccgov_base_ref_clear(&ref);
		free(text);
	}
	return 0;
}
