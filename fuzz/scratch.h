/* The fuzz targets' scratch files and folders, made by the target itself. */
#ifndef FUZZ_SCRATCH_H
#define FUZZ_SCRATCH_H

#include <ccgov/remove.h>

static inline void remove_scratch(const char *path)
{
	ccgov_ownership own;

	if (ccgov_ownership_of_path(&own, path) == 0)
		ccgov_remove(path, &own, 0);
}

#endif
