/* The fuzz targets' scratch files and folders, made by the target itself. */
#ifndef FUZZ_SCRATCH_H
#define FUZZ_SCRATCH_H

#include <ccgov/file.h>
#include <ccgov/remove.h>

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

static inline void remove_scratch(const char *path)
{
	ccgov_ownership own;

	if (ccgov_ownership_of_path(&own, path) == 0)
		ccgov_remove(path, &own, 0);
}

/* A scratch OCI layout made once per process from template ("/tmp/x.XXXXXX"): oci-layout and blobs/sha256/. */
static inline void make_scratch_layout(char *dir, size_t size, const char *template)
{
	char path[128];

	snprintf(dir, size, "%s", template);
	if (!mkdtemp(dir))
		abort();
	snprintf(path, sizeof(path), "%s/oci-layout", dir);
	if (ccgov_file_write_atomic(path, "{\"imageLayoutVersion\":\"1.0.0\"}", 30, 0644) < 0)
		abort();
	snprintf(path, sizeof(path), "%s/blobs", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/blobs/sha256", dir);
	mkdir(path, 0755);
}

#endif
