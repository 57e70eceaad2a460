#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/path.h>
#include <ccgov/utf8.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int ccgov_path_normalize(char **out, const char *rel)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	const char *p = rel;
	size_t len = strlen(rel);

	*out = NULL;
	if (len == 0)
		return ccgov_error_set(CCGOV_EINVALID, "empty path");
	if (!ccgov_utf8_valid(rel, len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: path is not valid UTF-8", rel);
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)rel[i] < 0x20 || rel[i] == 0x7f)
			return ccgov_error_set(CCGOV_EINVALID,
					       "%s: path contains a control character", rel);
	if (rel[0] == '/')
		return ccgov_error_set(CCGOV_EUNSAFE, "%s: absolute path not allowed", rel);
	while (*p) {
		size_t n = strcspn(p, "/");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			ccgov_buffer_free(&b);
			return ccgov_error_set(CCGOV_EUNSAFE,
					       "%s: path leaves its folder through '..'", rel);
		}
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (b.len)
				ccgov_buffer_putc(&b, '/');
			ccgov_buffer_append(&b, p, n);
		}
		p += n;
		if (*p == '/')
			p++;
	}
	if (b.len == 0) {
		ccgov_buffer_free(&b);
		return ccgov_error_set(CCGOV_EINVALID, "%s: path names no file", rel);
	}
	if (ccgov_buffer_check(&b) < 0)
		return CCGOV_ENOMEM;
	*out = ccgov_buffer_detach(&b, NULL);
	return 0;
}

char *ccgov_path_join(const char *root, const char *rel)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	size_t n = strlen(root);

	ccgov_buffer_puts(&b, root);
	if (n == 0 || root[n - 1] != '/')
		ccgov_buffer_putc(&b, '/');
	ccgov_buffer_puts(&b, rel);
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	return ccgov_buffer_detach(&b, NULL);
}

static int is_beneath(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (strcmp(root, "/") == 0)
		return 1;
	return strncmp(root, path, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

int ccgov_path_resolve_beneath(char **out, const char *root, const char *rel)
{
	char *real_root = NULL, *clean = NULL, *joined = NULL, *real = NULL;
	int err = 0;

	*out = NULL;
	if ((err = ccgov_path_normalize(&clean, rel)) < 0)
		return err;
	if (!(real_root = realpath(root, NULL))) {
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", root);
		goto done;
	}
	if (!(joined = ccgov_path_join(real_root, clean))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	if (!(real = realpath(joined, NULL))) {
		if (errno == ELOOP)
			err = ccgov_error_set(CCGOV_EUNSAFE, "%s: symbolic link loop", rel);
		else
			err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno,
						    "%s", rel);
		goto done;
	}
	if (!is_beneath(real_root, real)) {
		err = ccgov_error_set(CCGOV_EUNSAFE,
				      "%s: a symbolic link leads outside %s", rel, root);
		goto done;
	}
	*out = real;
	real = NULL;
done:
	free(real_root);
	free(clean);
	free(joined);
	free(real);
	return err;
}

/*
 * Where a sandbox forbids openat2 (seccomp gives ENOSYS or EPERM), the
 * same promise kept the strict way: one component at a time, none of
 * them a link, no "..".
 */
static int open_without_links(int rootfd, const char *rel, int flags)
{
	const char *p = rel;
	int cur = rootfd, next;

	for (;;) {
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];

		if (n == 0 || n > NAME_MAX || (n == 2 && p[0] == '.' && p[1] == '.')) {
			errno = n > NAME_MAX ? ENAMETOOLONG : EXDEV;
			next = -1;
		} else {
			memcpy(name, p, n);
			name[n] = '\0';
			next = p[n] ? openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				    : openat(cur, name, flags | O_NOFOLLOW | O_CLOEXEC);
		}
		if (cur != rootfd) {
			int keep = errno;

			close(cur);
			errno = keep;
		}
		if (next < 0 || !p[n])
			return next;
		cur = next;
		p += n + 1;
	}
}

int ccgov_path_open_beneath(int *fd, int rootfd, const char *rel, int flags,
			    const char *shown_as)
{
	struct open_how how = { 0 };
	long r;
	int tries = 0;

	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
	do {
		r = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	} while (r < 0 && errno == EAGAIN && ++tries < 16);
	if (r < 0 && (errno == ENOSYS || errno == EPERM))
		r = open_without_links(rootfd, rel, flags);
	if (r < 0) {
		if (errno == EXDEV)
			return ccgov_error_set(CCGOV_EUNSAFE,
					       "%s: path leads outside its folder", shown_as);
		if (errno == ELOOP)
			return ccgov_error_set(CCGOV_EUNSAFE, "%s: a symbolic link loop, or a link where none may be",
					       shown_as);
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s",
					     shown_as);
	}
	*fd = (int)r;
	return 0;
}
