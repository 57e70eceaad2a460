#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/remove.h>

#include <errno.h>
#include <stdint.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ccgov_atomic_file {
	int fd;
	ccgov_ownership proof; /* of the temporary file, for removing it */
	mode_t mode;
	char *path;     /* final name */
	char *tmp_path; /* where the bytes go until commit */
	int failed;
	int stream;     /* path is a device or FIFO (or a link to one): written through, never replaced */
};

int ccgov_file_read_fd(char **out, size_t *len, int fd, const char *name, size_t max_size)
{
	struct stat st;
	char *data = NULL;
	size_t have = 0;
	int err = 0;

	*out = NULL;
	*len = 0;
	if (fstat(fd, &st) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", name);
	if (!S_ISREG(st.st_mode))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not a regular file", name);
	if ((uint64_t)st.st_size > max_size)
		return ccgov_error_set(CCGOV_EINVALID, "%s: larger than %zu bytes", name, max_size);
	/* The size can change under us: read until EOF, but never past the limit. */
	if (!(data = malloc((size_t)st.st_size + 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "%s: out of memory", name);
	for (;;) {
		ssize_t n = read(fd, data + have, (size_t)st.st_size + 1 - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: read", name);
			goto done;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		if (have > (size_t)st.st_size) {
			err = ccgov_error_set(CCGOV_EIO, "%s: file grew while being read", name);
			goto done;
		}
	}
	data[have] = '\0';
	*out = data;
	*len = have;
	data = NULL;
done:
	free(data);
	return err;
}

int ccgov_file_read(char **out, size_t *len, const char *path, size_t max_size)
{
	int fd, err;

	*out = NULL;
	*len = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	err = ccgov_file_read_fd(out, len, fd, path, max_size);
	close(fd);
	return err;
}

int ccgov_file_open_folder(DIR **out, const char *path, const struct stat *listed, const char *shown)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), err = 0;
	struct stat now;

	*out = NULL;
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR))
		return ccgov_error_set(CCGOV_EIO, "%s: replaced while being read (now a link or a file)", shown);
	if (fd < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", shown);
	if (listed && (fstat(fd, &now) < 0 || now.st_dev != listed->st_dev || now.st_ino != listed->st_ino))
		err = ccgov_error_set(CCGOV_EIO, "%s: replaced while being read", shown);
	else if (!(*out = fdopendir(fd)))
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", shown);
	if (err < 0)
		close(fd);
	return err;
}

int ccgov_file_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_parent(const char *path)
{
	char *copy = strdup(path);
	int fd, err = 0;

	if (!copy)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: sync folder", path);
	if (fd >= 0)
		close(fd);
	free(copy);
	return err;
}

/*
 * What path is now, if anything: 1 for a character device or FIFO, or a
 * link to one (-o /dev/null, -o /dev/stdout, a pipe), which is written
 * through and never replaced: renaming over /dev/null as root would
 * destroy it for the whole machine. A socket, block device or folder is
 * refused. 0 for a regular file, a link to anything else, or nothing.
 */
static int special_target(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return 0;
	if (S_ISLNK(st.st_mode) && stat(path, &st) < 0)
		return 0;
	if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		return 1;
	if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode))
		return 0;
	return ccgov_error_set(CCGOV_EINVALID, "%s: a %s, not a file: ccgov replaces only files", path,
			       S_ISDIR(st.st_mode) ? "folder" : S_ISSOCK(st.st_mode) ? "socket" : "block device");
}

static int open_stream(ccgov_atomic_file *f)
{
	struct stat st;

	if ((f->fd = open(f->path, O_WRONLY | O_NOCTTY | O_CLOEXEC)) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", f->path);
	if (fstat(f->fd, &st) < 0 || !(S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)))
		return ccgov_error_set(CCGOV_EINVALID, "%s: changed while it was opened", f->path);
	f->stream = 1;
	return 0;
}

int ccgov_atomic_file_open(ccgov_atomic_file **out, const char *path, mode_t mode)
{
	ccgov_atomic_file *f = calloc(1, sizeof(*f));
	char *copy = NULL, *slash;
	size_t n;
	int special, err;

	*out = NULL;
	if (!f || !(f->path = strdup(path)) || !(copy = strdup(path)))
		goto nomem;
	f->fd = -1;
	if ((special = special_target(path)) != 0) {
		free(copy);
		if (special < 0 || (err = open_stream(f)) < 0) {
			err = special < 0 ? special : err;
			ccgov_atomic_file_abort(f);
			return err;
		}
		*out = f;
		return 0;
	}
	/* ".NAME.XXXXXX" beside the target, so rename never crosses a file system. */
	slash = strrchr(copy, '/');
	n = strlen(path) + 16;
	if (!(f->tmp_path = malloc(n)))
		goto nomem;
	if (slash) {
		*slash = '\0';
		snprintf(f->tmp_path, n, "%s/.%s.XXXXXX", copy, slash + 1);
	} else {
		snprintf(f->tmp_path, n, ".%s.XXXXXX", copy);
	}
	free(copy);
	f->mode = mode;
	if ((f->fd = mkostemp(f->tmp_path, O_CLOEXEC)) < 0) {
		int e = errno;

		free(f->tmp_path);
		f->tmp_path = NULL;
		f->fd = -1;
		ccgov_atomic_file_abort(f);
		return ccgov_error_set_errno(ccgov_error_from_errno(e), e, "%s", path);
	}
	ccgov_ownership_of_fd(&f->proof, f->fd);
	*out = f;
	return 0;
nomem:
	free(copy);
	if (f) {
		f->fd = -1;
		ccgov_atomic_file_abort(f);
	}
	return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}

int ccgov_atomic_file_write(ccgov_atomic_file *f, const void *data, size_t len)
{
	if (f->failed)
		return CCGOV_EIO;
	if (ccgov_file_write_all(f->fd, data, len) < 0) {
		f->failed = 1;
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s: write", f->path);
	}
	return 0;
}

int ccgov_atomic_file_fd(const ccgov_atomic_file *f)
{
	return f->fd;
}

void ccgov_atomic_file_proof(ccgov_ownership *out, const ccgov_atomic_file *f)
{
	*out = f->proof;
}

int ccgov_atomic_file_commit(ccgov_atomic_file *f)
{
	int err;

	if (f->failed) {
		err = ccgov_error_set(CCGOV_EIO, "%s: an earlier write failed", f->path);
		goto fail;
	}
	if (f->stream) {
		err = close(f->fd) < 0 ? ccgov_error_set_errno(CCGOV_EIO, errno, "%s: close", f->path) : 0;
		f->fd = -1;
		goto fail;
	}
	/* mkstemp made it 0600; the mode is set before the name is visible. */
	if (fchmod(f->fd, f->mode) < 0 || fsync(f->fd) < 0) {
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", f->path);
		goto fail;
	}
	if (close(f->fd) < 0) {
		f->fd = -1;
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: close", f->path);
		goto fail;
	}
	f->fd = -1;
	/* A device put there meanwhile is not replaced either. */
	if ((err = special_target(f->path)) != 0) {
		if (err > 0)
			err = ccgov_error_set(CCGOV_EINVALID, "%s: became a device or FIFO while it was written; not replaced",
					      f->path);
		goto fail;
	}
	if (rename(f->tmp_path, f->path) < 0) {
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", f->path);
		goto fail;
	}
	free(f->tmp_path);
	f->tmp_path = NULL;
	err = fsync_parent(f->path);
	ccgov_atomic_file_abort(f);
	return err;
fail:
	ccgov_atomic_file_abort(f);
	return err;
}

void ccgov_atomic_file_abort(ccgov_atomic_file *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (f->tmp_path)
		ccgov_remove(f->tmp_path, &f->proof, 0);
	free(f->tmp_path);
	free(f->path);
	free(f);
}

int ccgov_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	ccgov_atomic_file *f;
	int err;

	if ((err = ccgov_atomic_file_open(&f, path, mode)) < 0)
		return err;
	if ((err = ccgov_atomic_file_write(f, data, len)) < 0) {
		ccgov_atomic_file_abort(f);
		return err;
	}
	return ccgov_atomic_file_commit(f);
}

int ccgov_file_temp_dir(char **out, ccgov_ownership *proof, const char *final)
{
	const char *slash = strrchr(final, '/');
	size_t n = strlen(final) + 16;
	char *tmp = malloc(n);
	int fd, e;

	*out = NULL;
	if (!tmp)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (slash)
		snprintf(tmp, n, "%.*s/.%s.XXXXXX", (int)(slash - final), final, slash + 1);
	else
		snprintf(tmp, n, ".%s.XXXXXX", final);
	if (!mkdtemp(tmp) || (fd = open(tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		e = errno;
		free(tmp);
		return ccgov_error_set_errno(ccgov_error_from_errno(e), e, "%s", final);
	}
	e = ccgov_ownership_of_fd(proof, fd);
	close(fd);
	if (e < 0) {
		free(tmp);
		return e;
	}
	*out = tmp;
	return 0;
}

int ccgov_file_publish_dir(const char *tmp, const char *final)
{
	/* renameat2 NOREPLACE: never swap a folder over one that appeared meanwhile. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, final, RENAME_NOREPLACE) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", final);
	return fsync_parent(final);
}

static int copy_file(const char *src, const char *dst, mode_t mode)
{
	char buf[1 << 16];
	int in, out, err = 0;

	if ((in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", src);
	if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600)) < 0) {
		close(in);
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", dst);
	}
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && ccgov_file_write_all(out, buf, (size_t)n) < 0)) {
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", n < 0 ? src : dst);
			break;
		}
		if (n == 0)
			break;
	}
	if (err == 0 && fchmod(out, mode) < 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", dst);
	close(in);
	if (close(out) < 0 && err == 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", dst);
	return err;
}

static int copy_tree(const char *src, const char *dst, int depth)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int err = 0;

	if (depth > 256)
		return ccgov_error_set(CCGOV_EINVALID, "%s: folders nested too deep", src);
	if (lstat(src, &st) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", src);
	if (S_ISREG(st.st_mode))
		return copy_file(src, dst, st.st_mode & 0111 ? 0755 : 0644);
	if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlink(src, target, sizeof(target) - 1);

		if (n < 0)
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", src);
		target[n] = '\0';
		if (symlink(target, dst) < 0)
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", dst);
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not a file, folder or link", src);
	if (mkdir(dst, 0755) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", dst);
	if ((err = ccgov_file_open_folder(&d, src, &st, src)) < 0)
		return err;
	while (err == 0 && (de = readdir(d))) {
		char *s, *t;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		s = malloc(strlen(src) + strlen(de->d_name) + 2);
		t = malloc(strlen(dst) + strlen(de->d_name) + 2);
		if (!s || !t)
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else {
			sprintf(s, "%s/%s", src, de->d_name);
			sprintf(t, "%s/%s", dst, de->d_name);
			err = copy_tree(s, t, depth + 1);
		}
		free(s);
		free(t);
	}
	closedir(d);
	return err;
}

int ccgov_file_copy_tree(const char *src, const char *dst)
{
	return copy_tree(src, dst, 0);
}

static struct timespec tree_time[2];

static int set_entry_time(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return utimensat(AT_FDCWD, path, tree_time, AT_SYMLINK_NOFOLLOW);
}

int ccgov_file_set_times_tree(const char *path, int64_t seconds)
{
	/* nftw has no context argument; ccgov runs this from one thread at a time. */
	tree_time[0].tv_sec = tree_time[1].tv_sec = (time_t)seconds;
	tree_time[0].tv_nsec = tree_time[1].tv_nsec = 0;
	if (nftw(path, set_entry_time, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) != 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s: set times", path);
	return 0;
}
