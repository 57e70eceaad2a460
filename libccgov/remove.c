#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/remove.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DEPTH 1024    /* deeper than any real build tree; bounds descriptors */
#define MAX_PASSES 16     /* re-reads of a folder that others keep filling */
#define MAX_PROTECTED 16

int ccgov_ownership_of_fd(ccgov_ownership *out, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "fstat");
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return 0;
}

int ccgov_ownership_of_path(ccgov_ownership *out, const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	out->dev = st.st_dev;
	out->ino = st.st_ino;
	return 0;
}

/* ---- the marker ------------------------------------------------------- */

int ccgov_marker_write(int dirfd, const char *path)
{
	char text[128];
	struct stat st;
	int fd, n, err = 0;

	if (fstat(dirfd, &st) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
	n = snprintf(text, sizeof(text), "ccgov-owned 1\ndev %ju\nino %ju\npid %ld\n",
		     (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (long)getpid());
	fd = openat(dirfd, CCGOV_MARKER, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s/%s", path, CCGOV_MARKER);
	if (write(fd, text, (size_t)n) != n)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s/%s", path, CCGOV_MARKER);
	close(fd);
	return err;
}

int ccgov_marker_check(ccgov_ownership *out, long *pid, int dirfd, const char *path)
{
	char text[129];
	uintmax_t dev, ino;
	long writer;
	struct stat st, self;
	ssize_t n;
	int fd, used = 0;

	fd = openat(dirfd, CCGOV_MARKER, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? ccgov_error_set(CCGOV_ENOTFOUND, "%s: has no ccgov marker", path)
				       : ccgov_error_set_errno(CCGOV_EINVALID, errno, "%s/%s", path, CCGOV_MARKER);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || (n = read(fd, text, sizeof(text) - 1)) < 0) {
		close(fd);
		return ccgov_error_set(CCGOV_EINVALID, "%s/%s: not a ccgov marker", path, CCGOV_MARKER);
	}
	close(fd);
	text[n] = '\0';
	if (sscanf(text, "ccgov-owned 1\ndev %ju\nino %ju\npid %ld\n%n", &dev, &ino, &writer, &used) != 3 ||
	    used != n)
		return ccgov_error_set(CCGOV_EINVALID, "%s/%s: not a ccgov marker", path, CCGOV_MARKER);
	if (fstat(dirfd, &self) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
	if ((uintmax_t)self.st_dev != dev || (uintmax_t)self.st_ino != ino)
		return ccgov_error_set(CCGOV_EMISMATCH,
				       "%s: its ccgov marker was written for another folder (a copy, or the folder was moved to another file system)",
				       path);
	out->dev = self.st_dev;
	out->ino = self.st_ino;
	if (pid)
		*pid = writer;
	return 0;
}

/* ---- what is never removed -------------------------------------------- */

static struct {
	char *path;
	const char *label;
} protected[MAX_PROTECTED];
static size_t nprotected;

int ccgov_protect_path(const char *path, const char *label)
{
	for (size_t i = 0; i < nprotected; i++)
		if (strcmp(protected[i].path, path) == 0)
			return 0; /* a library user may prepare many builds of one project */
	if (nprotected == MAX_PROTECTED)
		return ccgov_error_set(CCGOV_ERROR, "too many protected paths");
	if (!(protected[nprotected].path = strdup(path)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	protected[nprotected++].label = label;
	return 0;
}

/*
 * 1 if st is the folder at start or one above it. Walks ".." by descriptor,
 * so links in start's path lead to the real ancestors.
 */
static int is_at_or_above(const struct stat *st, const char *start)
{
	int fd = open(start, O_RDONLY | O_DIRECTORY | O_CLOEXEC), found = 0;

	for (int steps = 0; fd >= 0 && steps < 4096 && !found; steps++) {
		struct stat here, up;
		int parent;

		if (fstat(fd, &here) < 0)
			break;
		found = here.st_dev == st->st_dev && here.st_ino == st->st_ino;
		parent = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = parent;
		if (fd >= 0 && fstat(fd, &up) == 0 && up.st_dev == here.st_dev && up.st_ino == here.st_ino)
			break; /* "/" is its own parent */
	}
	if (fd >= 0)
		close(fd);
	return found;
}

int ccgov_check_removable(const char *path, const struct stat *st)
{
	const char *home = getenv("HOME");
	struct passwd *pw = getpwuid(getuid());
	struct stat root;

	if (stat("/", &root) == 0 && root.st_dev == st->st_dev && root.st_ino == st->st_ino)
		return ccgov_error_set(CCGOV_EUNSAFE, "%s: is the root folder; ccgov never removes or replaces it",
				       path);
	if (is_at_or_above(st, "."))
		return ccgov_error_set(CCGOV_EUNSAFE,
				       "%s: is the current folder or one above it; ccgov never removes or replaces it",
				       path);
	if ((home && home[0] == '/' && is_at_or_above(st, home)) ||
	    (pw && pw->pw_dir && pw->pw_dir[0] == '/' && is_at_or_above(st, pw->pw_dir)))
		return ccgov_error_set(CCGOV_EUNSAFE,
				       "%s: is the home folder or one above it; ccgov never removes or replaces it",
				       path);
	for (size_t i = 0; i < nprotected; i++)
		if (is_at_or_above(st, protected[i].path))
			return ccgov_error_set(CCGOV_EUNSAFE,
					       "%s: is %s or one above it; ccgov never removes or replaces it",
					       path, protected[i].label);
	return 0;
}

/* ---- the walk --------------------------------------------------------- */

typedef struct {
	dev_t dev;            /* the tree's file system: never crossed */
	ccgov_buffer path;    /* of the folder being emptied, for messages */
	int err;              /* the first thing left in place */
} walk;

static void walk_error(walk *w, int code, int errnum, const char *name, const char *why)
{
	if (w->err)
		return;
	if (errnum)
		w->err = ccgov_error_set_errno(code, errnum, "%s/%s: %s", w->path.data, name, why);
	else
		w->err = ccgov_error_set(code, "%s/%s: %s", w->path.data, name, why);
}

/* A mount inside the tree: another device, or a bind mount of the same one. */
static int is_mount_root(int fd, const struct stat *st, dev_t dev)
{
	struct statx sx;

	if (st->st_dev != dev)
		return 1;
	return statx(fd, "", AT_EMPTY_PATH, 0, &sx) == 0 &&
	       (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
	       (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static void empty_folder(walk *w, int fd, int depth);

/* Removes the folder name inside fd, which unlinkat said is a folder. */
static void remove_subfolder(walk *w, int fd, const char *name, int depth)
{
	size_t base = w->path.len;
	struct stat st;
	int sub;

	sub = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (sub < 0) {
		/* Swapped for a link or a file since: the next pass unlinks that. */
		if (errno != ELOOP && errno != ENOTDIR && errno != ENOENT)
			walk_error(w, CCGOV_EIO, errno, name, "cannot open");
		return;
	}
	if (fstat(sub, &st) < 0 || is_mount_root(sub, &st, w->dev)) {
		walk_error(w, CCGOV_EUNSAFE, 0, name, "a mount inside the tree; ccgov does not cross mounts, left in place");
		close(sub);
		return;
	}
	if (depth >= MAX_DEPTH) {
		walk_error(w, CCGOV_EINVALID, 0, name, "folders nested too deep; left in place");
		close(sub);
		return;
	}
	ccgov_buffer_putc(&w->path, '/');
	ccgov_buffer_puts(&w->path, name);
	empty_folder(w, sub, depth + 1);
	w->path.len = base;
	if (w->path.data)
		w->path.data[base] = '\0';
	close(sub);
	if (unlinkat(fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		walk_error(w, CCGOV_EIO, errno, name, "cannot remove");
}

/* One pass over fd's entries; 1 if it saw any. */
static int remove_entries(walk *w, int fd, int depth)
{
	/* dup() would drop close-on-exec, and a build started meanwhile would inherit the copy. */
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0), seen = 0, opened = 0;
	struct dirent *de;
	DIR *d;

	if (copy < 0 || !(d = fdopendir(copy))) {
		if (copy >= 0)
			close(copy);
		walk_error(w, CCGOV_EIO, errno, ".", "cannot read");
		return 0;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		seen = 1;
		if (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT)
			continue;
		if (errno == EISDIR) {
			remove_subfolder(w, fd, de->d_name, depth);
		} else if ((errno == EACCES || errno == EPERM) && !opened) {
			/* A read-only folder of ours (0555 exports): open it up once. */
			struct stat st;

			opened = 1;
			if (fstat(fd, &st) == 0 && fchmod(fd, (st.st_mode & 07777) | 0700) == 0 &&
			    (unlinkat(fd, de->d_name, 0) == 0 || errno == ENOENT))
				continue;
			if (errno == EISDIR)
				remove_subfolder(w, fd, de->d_name, depth);
			else
				walk_error(w, CCGOV_EIO, errno, de->d_name, "cannot remove");
		} else {
			walk_error(w, CCGOV_EIO, errno, de->d_name, "cannot remove");
		}
	}
	closedir(d);
	return seen;
}

/*
 * Empties the folder fd. Passes repeat while entries remain, since
 * something may add entries while we walk; a bounded number of times.
 */
static void empty_folder(walk *w, int fd, int depth)
{
	for (int pass = 0; pass < MAX_PASSES && !w->err; pass++)
		if (!remove_entries(w, fd, depth))
			return;
}

/* Splits path into its parent folder and last name; refuses "." and "..". */
static int split_path(char **parent, const char **name, char *copy, const char *path)
{
	size_t n = strlen(copy);
	char *slash;

	while (n > 1 && copy[n - 1] == '/')
		copy[--n] = '\0';
	slash = strrchr(copy, '/');
	if (!slash) {
		*parent = ".";
		*name = copy;
	} else if (slash == copy) {
		*parent = "/";
		*name = slash + 1;
	} else {
		*slash = '\0';
		*parent = copy;
		*name = slash + 1;
	}
	if (!**name || strcmp(*name, ".") == 0 || strcmp(*name, "..") == 0)
		return ccgov_error_set(CCGOV_EUNSAFE, "%s: not a name ccgov removes", path);
	return 0;
}

static int same(const struct stat *st, const ccgov_ownership *proof)
{
	return st->st_dev == proof->dev && st->st_ino == proof->ino;
}

int ccgov_remove(const char *path, const ccgov_ownership *proof, unsigned flags)
{
	char *copy = strdup(path), *parent_path;
	const char *name;
	walk w = { .err = 0, .path = CCGOV_BUFFER_INIT };
	struct stat st;
	int parent = -1, top = -1, err;

	if (!copy)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = split_path(&parent_path, &name, copy, path)) < 0)
		goto done;
	if ((parent = open(parent_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		err = errno == ENOENT ? 0 : ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
		goto done;
	}
	if (!same(&st, proof)) {
		err = ccgov_error_set(CCGOV_EUNSAFE, "%s: is not what this run of ccgov created; left in place", path);
		goto done;
	}
	if ((err = ccgov_check_removable(path, &st)) < 0)
		goto done;
	if (!S_ISDIR(st.st_mode) || (flags & CCGOV_REMOVE_EMPTY_ONLY)) {
		if (unlinkat(parent, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0 && errno != ENOENT)
			err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
		goto done;
	}
	top = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (top < 0 || fstat(top, &st) < 0 || !same(&st, proof)) {
		err = ccgov_error_set(CCGOV_EUNSAFE, "%s: was replaced while ccgov opened it; left in place", path);
		goto done;
	}
	w.dev = st.st_dev;
	ccgov_buffer_puts(&w.path, path);
	if ((err = ccgov_buffer_check(&w.path)) < 0)
		goto done;
	empty_folder(&w, top, 0);
	if ((err = w.err) < 0)
		goto done;
	if (!(flags & CCGOV_REMOVE_KEEP_TOP) && unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s: remove", path);
done:
	if (top >= 0)
		close(top);
	if (parent >= 0)
		close(parent);
	ccgov_buffer_free(&w.path);
	free(copy);
	return err;
}
