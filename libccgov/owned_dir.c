#include <ccgov/error.h>
#include <ccgov/interrupt.h>
#include <ccgov/owned_dir.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

struct ccgov_owned_dir {
	char *path;
	int fd;                 /* open and flock'ed while we hold it */
	ccgov_ownership proof;
	int keep_top;           /* an empty folder taken over: emptied, not removed */
};

const char *ccgov_owned_dir_path(const ccgov_owned_dir *d)
{
	return d->path;
}

int ccgov_owned_dir_fd(const ccgov_owned_dir *d)
{
	return d->fd;
}

static void owned_free(ccgov_owned_dir *d)
{
	if (d->fd >= 0)
		close(d->fd); /* also releases the lock */
	free(d->path);
	free(d);
}

static int owned_new(ccgov_owned_dir **out, const char *path, int fd)
{
	ccgov_owned_dir *d = calloc(1, sizeof(*d));

	if (!d || !(d->path = strdup(path))) {
		free(d);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	d->fd = fd;
	*out = d;
	return ccgov_ownership_of_fd(&d->proof, fd);
}

/* Opens the folder mkdtemp just made, locks it and writes its marker. */
static int adopt_new_folder(ccgov_owned_dir **out, const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), err;

	*out = NULL;
	if (fd < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s: lock", path);
	}
	if ((err = owned_new(out, path, fd)) < 0 || (err = ccgov_marker_write(fd, path)) < 0) {
		if (*out)
			ccgov_owned_dir_remove(*out);
		else
			close(fd);
		*out = NULL;
	}
	return err;
}

int ccgov_owned_dir_create_temp(ccgov_owned_dir **out, const char *template)
{
	char *name = strdup(template);
	int err;

	*out = NULL;
	if (!name)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (!mkdtemp(name)) {
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", template);
		free(name);
		return err;
	}
	err = adopt_new_folder(out, name);
	free(name);
	return err;
}

int ccgov_owned_dir_create_beside(ccgov_owned_dir **out, const char *final)
{
	char *copy = strdup(final), *prefix = NULL, *template = NULL, *slash;
	const char *parent = ".", *name;
	int err;

	*out = NULL;
	if (!copy)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
		copy[n - 1] = '\0';
	name = copy;
	if ((slash = strrchr(copy, '/'))) {
		*slash = '\0';
		parent = slash == copy ? "/" : copy;
		name = slash + 1;
	}
	/* ".NAME.XXXXXX" beside final, so that rename never crosses a file system. */
	if (asprintf(&prefix, ".%s.", name) < 0)
		prefix = NULL;
	else if (asprintf(&template, "%s/%sXXXXXX", parent, prefix) < 0)
		template = NULL;
	if (!template) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	} else {
		ccgov_owned_dir_sweep(parent, prefix);
		if ((err = ccgov_owned_dir_create_temp(out, template)) < 0)
			err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", final);
	}
	free(copy);
	free(prefix);
	free(template);
	return err;
}

int ccgov_owned_dir_create(ccgov_owned_dir **out, const char *path)
{
	int err;

	/* Made under a private name, marked and locked, then renamed into place. */
	if ((err = ccgov_owned_dir_create_beside(out, path)) == 0 &&
	    (err = ccgov_owned_dir_publish(*out, path)) < 0) {
		ccgov_owned_dir_remove(*out);
		*out = NULL;
	}
	return err;
}

int ccgov_owned_dir_publish(ccgov_owned_dir *d, const char *final)
{
	char *copy = strdup(final);

	if (!copy)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (renameat2(AT_FDCWD, d->path, AT_FDCWD, final, RENAME_NOREPLACE) < 0) {
		int e = errno;

		free(copy);
		return ccgov_error_set_errno(ccgov_error_from_errno(e), e, "%s", final);
	}
	free(d->path);
	d->path = copy;
	return 0;
}

int ccgov_owned_dir_replace(ccgov_owned_dir *d, const char *final, const ccgov_ownership *old)
{
	struct stat st;
	int err;

	if (renameat2(AT_FDCWD, d->path, AT_FDCWD, final, RENAME_EXCHANGE) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", final);
	/* d->path now names what was at final: ours only if it is what old proves. */
	if (lstat(d->path, &st) < 0 || st.st_dev != old->dev || st.st_ino != old->ino) {
		err = ccgov_error_set(CCGOV_EUNSAFE, "%s: was replaced while the bundle was written; left in place",
				      final);
		renameat2(AT_FDCWD, d->path, AT_FDCWD, final, RENAME_EXCHANGE);
		return err;
	}
	err = ccgov_remove(d->path, old, 0);
	free(d->path);
	if (!(d->path = strdup(final)) && err == 0)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return err;
}

int ccgov_owned_dir_remove(ccgov_owned_dir *d)
{
	int err;

	if (!d)
		return 0;
	err = ccgov_remove(d->path, &d->proof, d->keep_top ? CCGOV_REMOVE_KEEP_TOP : 0);
	owned_free(d);
	return err;
}

void ccgov_owned_dir_release(ccgov_owned_dir *d)
{
	if (d)
		owned_free(d);
}

/* ---- claiming a folder that may exist --------------------------------- */

static double seconds_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int ccgov_folder_is_empty(int fd)
{
	/* dup() would drop close-on-exec, and a build started meanwhile would inherit the copy. */
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0), empty = 1;
	struct dirent *de;
	DIR *d;

	if (copy < 0 || !(d = fdopendir(copy))) {
		if (copy >= 0)
			close(copy);
		return 0;
	}
	while (empty && (de = readdir(d)))
		empty = strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* Why path cannot be opened as a folder of ours, touching nothing. */
static int refuse_open(const char *path, int errnum, const ccgov_claim_options *o)
{
	struct stat st;

	if ((errnum == ELOOP || errnum == ENOTDIR) && lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode))
			return ccgov_error_set(CCGOV_EUNSAFE,
					       "%s: is a symbolic link; ccgov never builds in or removes through a link: give the real folder to %s",
					       path, o->option);
		return ccgov_error_set(CCGOV_EEXISTS, "%s: exists and is not a folder", path);
	}
	return ccgov_error_set_errno(ccgov_error_from_errno(errnum), errnum, "%s", path);
}

/* With the lock held: the folder is ours if empty or marked by a dead run. */
static int take_over(ccgov_owned_dir **out, const char *path, int fd, const ccgov_claim_options *o)
{
	ccgov_ownership proof;
	int err = ccgov_marker_check(&proof, NULL, fd, path), keep_top = 0;

	if (err == CCGOV_ENOTFOUND && ccgov_folder_is_empty(fd)) {
		keep_top = 1;
	} else if (err == CCGOV_ENOTFOUND) {
		return ccgov_error_set(CCGOV_EEXISTS,
				       "%s: exists and is not a ccgov %s (it has content and no ccgov marker); ccgov removes only what it created: empty or remove it yourself, or choose another %s",
				       path, o->what, o->option);
	} else if (err < 0) {
		char why[1024];

		snprintf(why, sizeof(why), "%s", ccgov_error_last()->message);
		return ccgov_error_set(CCGOV_EEXISTS, "%s; not taken as a %s: choose another %s", why, o->what,
				       o->option);
	} else if ((err = ccgov_remove(path, &proof, CCGOV_REMOVE_KEEP_TOP)) < 0) {
		/* A killed run's leftovers: emptied, the folder kept with our lock. */
		return err;
	}
	if ((err = owned_new(out, path, fd)) < 0 || (err = ccgov_marker_write(fd, path)) < 0) {
		if (*out) {
			(*out)->fd = -1;
			owned_free(*out);
			*out = NULL;
		}
		return err;
	}
	(*out)->keep_top = keep_top;
	return 0;
}

/* 1 if fd, just locked, is still the folder at path (not removed or replaced meanwhile). */
static int still_at(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && a.st_nlink > 0 && lstat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int wait_turn(int fd, const char *path, const ccgov_claim_options *o, double deadline,
		     int *announced)
{
	ccgov_ownership ignored;
	long pid = 0;
	int err;

	if (!*announced && o->on_wait) {
		ccgov_marker_check(&ignored, &pid, fd, path);
		ccgov_error_clear();
		o->on_wait(o->ctx, path, pid);
	}
	*announced = 1;
	if ((err = ccgov_interrupt_check()) < 0)
		return err;
	if (o->timeout >= 0 && seconds_now() >= deadline) {
		ccgov_marker_check(&ignored, &pid, fd, path);
		return ccgov_error_set(CCGOV_ERROR,
				       "%s: still held by another ccgov run (pid %ld) after %g seconds; wait longer with --lock-timeout, or choose another %s",
				       path, pid, o->timeout, o->option);
	}
	usleep(100 * 1000);
	return 0;
}

int ccgov_owned_dir_claim(ccgov_owned_dir **out, const char *path, const ccgov_claim_options *o)
{
	double deadline = seconds_now() + o->timeout;
	int announced = 0, err;

	*out = NULL;
	for (;;) {
		struct stat st;
		int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

		if (fd < 0 && errno == ENOENT) {
			if ((err = ccgov_owned_dir_create(out, path)) != CCGOV_EEXISTS)
				return err;
			continue; /* another run made it first */
		}
		if (fd < 0)
			return refuse_open(path, errno, o);
		if (fstat(fd, &st) < 0) {
			close(fd);
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
		}
		if ((err = ccgov_check_removable(path, &st)) < 0) {
			close(fd);
			return err;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			err = errno == EWOULDBLOCK ? wait_turn(fd, path, o, deadline, &announced)
						   : ccgov_error_set_errno(CCGOV_EIO, errno, "%s: lock", path);
			close(fd);
			if (err < 0)
				return err;
			continue;
		}
		if (!still_at(fd, path)) {
			close(fd);
			continue;
		}
		if ((err = take_over(out, path, fd, o)) < 0)
			close(fd);
		return err;
	}
}

/* ---- leftovers of killed runs ----------------------------------------- */

void ccgov_owned_dir_sweep(const char *parent, const char *prefix)
{
	size_t n = strlen(prefix);
	struct dirent *de;
	DIR *d = opendir(parent);

	if (!d)
		return;
	while ((de = readdir(d))) {
		ccgov_ownership proof;
		struct stat st;
		char *path = NULL;
		int fd;

		if (strncmp(de->d_name, prefix, n) != 0 ||
		    (fd = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
			continue;
		if (fstat(fd, &st) == 0 && st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    ccgov_marker_check(&proof, NULL, fd, de->d_name) == 0 &&
		    asprintf(&path, "%s/%s", parent, de->d_name) >= 0)
			ccgov_remove(path, &proof, 0);
		free(path);
		close(fd);
	}
	closedir(d);
	ccgov_error_clear();
}
