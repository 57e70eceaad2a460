/*
 * A test shim (LD_PRELOAD) that plays the attacker of a check-then-use
 * race deterministically: the second time the process opens a path that
 * ends with $SWAP_PATH, $SWAP_WITH is renamed over it first. A reader that
 * checks a file and then opens it again to use it reads the swapped file;
 * one that checks and uses the same descriptor never sees it.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int opened;

static void maybe_swap(const char *path)
{
	const char *want = getenv("SWAP_PATH"), *with = getenv("SWAP_WITH");
	size_t n = path ? strlen(path) : 0, k = want ? strlen(want) : 0;

	if (!want || !with || n < k || strcmp(path + n - k, want) != 0)
		return;
	if (++opened == 2 && rename(with, path) != 0)
		perror("swap_on_reopen: rename");
}

#define SHIM_OPENAT(name)                                                                    \
	int name(int dirfd, const char *path, int flags, ...)                                \
	{                                                                                    \
		static int (*real)(int, const char *, int, ...);                             \
		va_list ap;                                                                  \
		mode_t mode;                                                                 \
                                                                                             \
		if (!real)                                                                   \
			real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		va_start(ap, flags);                                                         \
		mode = flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, mode_t) : 0;                                                \
		va_end(ap);                                                                  \
		maybe_swap(path);                                                            \
		return real(dirfd, path, flags, mode);                                       \
	}

#define SHIM_OPEN(name)                                                                 \
	int name(const char *path, int flags, ...)                                      \
	{                                                                               \
		static int (*real)(const char *, int, ...);                             \
		va_list ap;                                                             \
		mode_t mode;                                                            \
                                                                                        \
		if (!real)                                                              \
			real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, #name); \
		va_start(ap, flags);                                                    \
		mode = flags & (O_CREAT | O_TMPFILE) ? va_arg(ap, mode_t) : 0;                                           \
		va_end(ap);                                                             \
		maybe_swap(path);                                                       \
		return real(path, flags, mode);                                         \
	}

SHIM_OPEN(open)
SHIM_OPEN(open64)
SHIM_OPENAT(openat)
SHIM_OPENAT(openat64)
