/*
 * Reading bounded files and writing files atomically.
 *
 * Every artifact is written to a temporary name in its target folder,
 * flushed to disk, and renamed over the final name, so a reader sees the
 * old file or the whole new one, never half of it, even after a crash.
 */
#ifndef CCGOV_FILE_H
#define CCGOV_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <ccgov/remove.h>

/* Writes all len bytes to fd, retrying short writes and EINTR; -1 with errno set on failure. */
int ccgov_file_write_all(int fd, const void *data, size_t len);

/* Reads a whole regular file of at most max_size bytes (NUL-terminated). */
int ccgov_file_read(char **out, size_t *len, const char *path, size_t max_size);
/*
 * The same for a file already open, from where fd stands; messages name it
 * name. For readers that must check what they opened before they read it.
 */
int ccgov_file_read_fd(char **out, size_t *len, int fd, const char *name, size_t max_size);

/*
 * Opens the folder at path for reading its entries, never through a link
 * at its end; with listed (what an earlier lstat saw), only if it is still
 * that folder (device and inode). A walk that lstat's, then opens, cannot
 * be sent elsewhere in between: CCGOV_EIO "replaced while being read".
 */
int ccgov_file_open_folder(DIR **out, const char *path, const struct stat *listed, const char *shown);

typedef struct ccgov_atomic_file ccgov_atomic_file;

/*
 * Starts writing path: the bytes go to a hidden temporary file beside it.
 * A character device or FIFO at path, or a link to one (/dev/null,
 * /dev/stdout, a pipe), is written through instead and never replaced; a
 * folder, socket or block device is refused (CCGOV_EINVALID).
 */
int ccgov_atomic_file_open(ccgov_atomic_file **out, const char *path, mode_t mode);
int ccgov_atomic_file_write(ccgov_atomic_file *f, const void *data, size_t len);
/* The descriptor of the temporary file, for writers that need one. */
int ccgov_atomic_file_fd(const ccgov_atomic_file *f);
/* The proof that this process made the file, which keeps its inode when committed (remove.h). */
void ccgov_atomic_file_proof(ccgov_ownership *out, const ccgov_atomic_file *f);
/* fsyncs, renames onto the final path, fsyncs the folder, frees f. */
int ccgov_atomic_file_commit(ccgov_atomic_file *f);
/* Removes the temporary file and frees f; the final path is untouched. */
void ccgov_atomic_file_abort(ccgov_atomic_file *f);

/* The whole sequence for a buffer already in memory. */
int ccgov_file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);

/*
 * Makes a new, empty, private folder beside final (".NAME.XXXXXX"), for
 * building a whole tree that ccgov_file_publish_dir() then moves into place.
 * proof is what ccgov_remove() needs to remove it again (remove.h).
 */
int ccgov_file_temp_dir(char **out, ccgov_ownership *proof, const char *final);

/* Renames the finished folder tmp to final, which must not exist. */
int ccgov_file_publish_dir(const char *tmp, const char *final);

/*
 * Copies the folder src to dst (which must not exist): files with their
 * executable bit, folders, symbolic links as links. Other kinds of file
 * are refused, naming them.
 */
int ccgov_file_copy_tree(const char *src, const char *dst);

/* Sets the modification (and access) time of path and all beneath it, links included. */
int ccgov_file_set_times_tree(const char *path, int64_t seconds);

#endif
