/* Atomic output and bounded input. */
#include "unit.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* Number of entries in a folder other than . and .. */
static int entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void atomic_write_replaces_whole_file(void)
{
	char path[4200], *data;
	size_t len;
	struct stat st;

	snprintf(path, sizeof(path), "%s/out.json", unit_tmpdir());
	CHECK_OK(ccgov_file_write_atomic(path, "old", 3, 0644));
	CHECK_OK(ccgov_file_write_atomic(path, "new content", 11, 0640));
	CHECK_OK(ccgov_file_read(&data, &len, path, 100));
	CHECK(len == 11 && memcmp(data, "new content", 11) == 0);
	free(data);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(entries(unit_tmpdir()) == 1); /* no temporary left behind */
}

static void aborted_write_leaves_old_file(void)
{
	char path[4200], *data;
	ccgov_atomic_file *f;
	size_t len;

	snprintf(path, sizeof(path), "%s/image.digest", unit_tmpdir());
	CHECK_OK(ccgov_file_write_atomic(path, "sha256:old\n", 11, 0644));
	CHECK_OK(ccgov_atomic_file_open(&f, path, 0644));
	CHECK_OK(ccgov_atomic_file_write(f, "sha256:ne", 9));
	CHECK(entries(unit_tmpdir()) == 2); /* the temporary sits beside it */
	ccgov_atomic_file_abort(f);
	CHECK_OK(ccgov_file_read(&data, &len, path, 100));
	CHECK_STR(data, "sha256:old\n");
	free(data);
	CHECK(entries(unit_tmpdir()) == 1);
}

static void write_into_missing_folder_fails_cleanly(void)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/missing/out", unit_tmpdir());
	CHECK_ERR(ccgov_file_write_atomic(path, "x", 1, 0644), CCGOV_ENOTFOUND, "missing/out");
}

static void read_is_bounded(void)
{
	char path[4200], *data = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/big", unit_tmpdir());
	CHECK(unit_write(path, "0123456789") == 0);
	CHECK_ERR(ccgov_file_read(&data, &len, path, 9), CCGOV_EINVALID, "larger than 9 bytes");
	CHECK(data == NULL);
	CHECK_OK(ccgov_file_read(&data, &len, path, 10));
	CHECK(len == 10 && data[10] == '\0');
	free(data);
	CHECK_ERR(ccgov_file_read(&data, &len, unit_tmpdir(), 10), CCGOV_EINVALID,
		  "not a regular file");
	CHECK_ERR(ccgov_file_read(&data, &len, "/nonexistent", 10), CCGOV_ENOTFOUND,
		  "/nonexistent: No such file or directory");
}

/* A file read from an open descriptor is bounded too, and named as its reader shows it. */
static void read_fd_names_the_file_as_told(void)
{
	char path[4200], *data = NULL;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/opened", unit_tmpdir());
	CHECK(unit_write(path, "0123456789") == 0);
	CHECK((fd = open(path, O_RDONLY)) >= 0);
	CHECK_ERR(ccgov_file_read_fd(&data, &len, fd, "app/x.c", 9), CCGOV_EINVALID, "app/x.c: larger than 9 bytes");
	CHECK(data == NULL);
	CHECK_OK(ccgov_file_read_fd(&data, &len, fd, "app/x.c", 10));
	CHECK(len == 10 && memcmp(data, "0123456789", 11) == 0);
	free(data);
	close(fd);
	CHECK((fd = open(unit_tmpdir(), O_RDONLY | O_DIRECTORY)) >= 0);
	CHECK_ERR(ccgov_file_read_fd(&data, &len, fd, "lib", 10), CCGOV_EINVALID, "lib: not a regular file");
	close(fd);
	CHECK(unit_remove(path) == 0);
}

static void temp_dir_is_published_without_replacing(void)
{
	char final[4200], *tmp, file[4300];
	ccgov_ownership proof, again;

	snprintf(final, sizeof(final), "%s/bundle", unit_tmpdir());
	CHECK_OK(ccgov_file_temp_dir(&tmp, &proof, final));
	CHECK(strstr(tmp, "/.bundle.") != NULL);
	snprintf(file, sizeof(file), "%s/a", tmp);
	CHECK(unit_write(file, "a") == 0);
	CHECK_OK(ccgov_file_publish_dir(tmp, final));
	free(tmp);
	CHECK_OK(ccgov_file_temp_dir(&tmp, &again, final));
	CHECK_ERR(ccgov_file_publish_dir(tmp, final), CCGOV_EEXISTS, "bundle");
	CHECK_OK(ccgov_remove(tmp, &again, 0));
	free(tmp);
	CHECK_OK(ccgov_remove(final, &proof, 0)); /* renamed, still the same folder */
	CHECK(entries(unit_tmpdir()) == 0);
	CHECK_OK(ccgov_remove(final, &proof, 0)); /* already gone: fine */
}

const struct unit_test file_tests[] = {
	{ "atomic write replaces the whole file, with its mode", atomic_write_replaces_whole_file },
	{ "aborted write leaves the old file and no temporary", aborted_write_leaves_old_file },
	{ "write into a missing folder fails with its name", write_into_missing_folder_fails_cleanly },
	{ "reads are bounded and regular files only", read_is_bounded },
	{ "a read from a descriptor is bounded and names the file as told", read_fd_names_the_file_as_told },
	{ "temporary folders publish by rename, never over another", temp_dir_is_published_without_replacing },
	{ NULL, NULL }
};
