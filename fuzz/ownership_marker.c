/*
 * The .ccgov-owned marker is read from folders anyone may have made: any
 * bytes must give a proof only when they name that very folder, and never
 * crash. The input is written as the marker of a scratch folder; a second
 * round puts the folder's real device and inode into the input's numbers.
 */
#include <ccgov/ccgov.h>

#include "scratch.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static int dirfd_ = -1;

__attribute__((destructor)) static void remove_dir(void)
{
	if (dirfd_ >= 0)
		close(dirfd_);
	if (dir[0])
		remove_scratch(dir);
}

static void check(const uint8_t *data, size_t size)
{
	char path[128];
	ccgov_ownership proof;
	struct stat st;
	long pid;

	snprintf(path, sizeof(path), "%s/" CCGOV_MARKER, dir);
	if (ccgov_file_write_atomic(path, data, size, 0644) < 0)
		abort();
	if (ccgov_marker_check(&proof, &pid, dirfd_, dir) == 0 &&
	    (fstat(dirfd_, &st) < 0 || proof.dev != st.st_dev || proof.ino != st.st_ino))
		abort(); /* a proof for anything but this folder */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char real[160];
	struct stat st;
	long pid = 0;

	if (!dir[0] && (!mkdtemp(strcpy(dir, "/tmp/ccgov-fuzz-marker.XXXXXX")) ||
			(dirfd_ = open(dir, O_RDONLY | O_DIRECTORY)) < 0))
		abort();
	check(data, size);
	/* The same pid with this folder's numbers: must pass only if well formed. */
	if (size < 32) {
		memcpy(&pid, data, size < sizeof(pid) ? size : sizeof(pid));
		fstat(dirfd_, &st);
		snprintf(real, sizeof(real), "ccgov-owned 1\ndev %ju\nino %ju\npid %ld\n%.*s",
			 (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, pid, (int)size, (const char *)data);
		check((const uint8_t *)real, strlen(real));
	}
	return 0;
}
