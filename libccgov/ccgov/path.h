/*
 * Paths that come from untrusted input (configuration, archives, git
 * trees) are relative to a root and must stay beneath it, however they
 * are spelled and whatever symbolic links lie on the way.
 */
#ifndef CCGOV_PATH_H
#define CCGOV_PATH_H

/*
 * Normalizes a relative path: "a//b/./c" becomes "a/b/c". Refuses, with
 * CCGOV_EUNSAFE or CCGOV_EINVALID and a message naming the path: an
 * absolute path, a ".." component, an empty path, bytes that are not UTF-8,
 * control characters.
 */
int ccgov_path_normalize(char **out, const char *rel);

/*
 * Resolves rel beneath root, following symbolic links, and returns the real
 * path. CCGOV_EUNSAFE if the result is outside root (a link points out) or
 * a link loops; CCGOV_ENOTFOUND if it does not exist.
 */
int ccgov_path_resolve_beneath(char **out, const char *root, const char *rel);

/*
 * Opens rel beneath the folder rootfd with the kernel refusing any step
 * outside it (openat2 RESOLVE_BENEATH), so no race can redirect it.
 */
int ccgov_path_open_beneath(int *fd, int rootfd, const char *rel, int flags,
			    const char *shown_as);

/* root + "/" + rel, freshly allocated. */
char *ccgov_path_join(const char *root, const char *rel);

#endif
