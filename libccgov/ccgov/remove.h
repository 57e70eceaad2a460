/*
 * The one way ccgov deletes anything.
 *
 * ccgov runs as root on CI machines and auditors' workstations, so a wrong
 * path here would destroy someone's files. Nothing is removed without a
 * proof of ownership: the device and inode of what this process created,
 * or those recorded by ccgov's marker inside a folder an earlier, killed
 * run created (the marker must name the very folder it sits in, so a copy
 * of a marker proves nothing). The walk works relative to open folder
 * descriptors, never follows a link, never crosses a mount, and refuses
 * "/", the home folder, the current folder, every path given to
 * ccgov_protect_path() (the repository being built) and their ancestors.
 */
#ifndef CCGOV_REMOVE_H
#define CCGOV_REMOVE_H

#include <sys/stat.h>
#include <sys/types.h>

/* The marker file inside a folder that ccgov created. */
#define CCGOV_MARKER ".ccgov-owned"

typedef struct {
	dev_t dev;
	ino_t ino;
} ccgov_ownership;

/* The proof for a file or folder this process created and holds open. */
int ccgov_ownership_of_fd(ccgov_ownership *out, int fd);

/*
 * What is at path now, for tests and tools that made path themselves and
 * nothing else could have replaced it; ccgov's own code holds descriptors.
 */
int ccgov_ownership_of_path(ccgov_ownership *out, const char *path);

/*
 * Writes the marker into the folder dirfd, which this process has just
 * created: it records the folder's device and inode and this process id.
 */
int ccgov_marker_write(int dirfd, const char *path);

/*
 * Reads the marker of the folder dirfd (shown as path in errors). 0 and the
 * proof when the marker names this very folder; CCGOV_ENOTFOUND without a
 * marker; CCGOV_EMISMATCH when it names another folder (it was copied);
 * CCGOV_EINVALID when it is not a ccgov marker. pid, if not NULL, gets the
 * process that wrote it.
 */
int ccgov_marker_check(ccgov_ownership *out, long *pid, int dirfd, const char *path);

/*
 * Adds path, and so every folder above it, to what ccgov never removes or
 * replaces, for this process's lifetime. label says what it is to the user
 * ("the repository being built").
 */
int ccgov_protect_path(const char *path, const char *label);

/*
 * 0 if the file or folder st (found at path) may be removed or replaced;
 * CCGOV_EUNSAFE, naming what it is, if it is "/", the home folder, the
 * current folder, a protected path or an ancestor of one of them.
 */
int ccgov_check_removable(const char *path, const struct stat *st);

/* Keep the top folder itself, empty, with its marker removed too. */
#define CCGOV_REMOVE_KEEP_TOP 1
/* Remove the top folder only if it is empty; never walk into it. */
#define CCGOV_REMOVE_EMPTY_ONLY 2

/*
 * Removes path (a file, or a folder and everything beneath it) if it is
 * still what proof names, and not protected. A missing path is not an
 * error. A refusal touches nothing; a mount or an unremovable entry inside
 * the tree is left in place and reported.
 */
int ccgov_remove(const char *path, const ccgov_ownership *proof, unsigned flags);

#endif
