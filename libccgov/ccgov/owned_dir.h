/*
 * Folders that ccgov creates, holds and later removes: the build folder,
 * the temporary bundle, the exported source.
 *
 * An owned folder carries ccgov's marker (see remove.h) from the moment
 * its name appears, and is locked (flock on the folder itself) for as long
 * as this process holds it. So a second run knows a live folder from one a
 * killed run left behind: the first is locked, the second is not, and its
 * marker still names the very folder it sits in, which proves a ccgov run
 * created it. Nothing else is ever taken over, except an empty folder.
 */
#ifndef CCGOV_OWNED_DIR_H
#define CCGOV_OWNED_DIR_H

#include <ccgov/remove.h>

typedef struct ccgov_owned_dir ccgov_owned_dir;

/*
 * Creates the folder path, which must not exist, with its marker and lock
 * in place before the name appears. CCGOV_EEXISTS if path exists.
 */
int ccgov_owned_dir_create(ccgov_owned_dir **out, const char *path);

/*
 * Creates ".NAME.XXXXXX" beside final, for a tree that is then published
 * at final; first removes what killed runs left there under such names.
 */
int ccgov_owned_dir_create_beside(ccgov_owned_dir **out, const char *final);

/* Creates a folder named template with its trailing XXXXXX made unique. */
int ccgov_owned_dir_create_temp(ccgov_owned_dir **out, const char *template);

/* Told once when claim has to wait for another ccgov that holds path. */
typedef void (*ccgov_wait_fn)(void *ctx, const char *path, long holder_pid);

typedef struct {
	double timeout;       /* seconds to wait for another run; < 0 forever */
	ccgov_wait_fn on_wait;
	void *ctx;
	const char *what;     /* "build folder", for messages */
	const char *option;   /* "--build-dir", named in refusals */
} ccgov_claim_options;

/*
 * Claims path for this process: creates it, or takes over a folder that a
 * killed ccgov run left (its marker names it and no process holds it:
 * emptied first), or an empty folder (kept, empty, when released). Anything
 * else is refused, touching nothing: a link, a file, a folder with content
 * and no marker, "/", the home, current or a protected folder, or an
 * ancestor of one. Waits while another live run holds it.
 */
int ccgov_owned_dir_claim(ccgov_owned_dir **out, const char *path, const ccgov_claim_options *opts);

const char *ccgov_owned_dir_path(const ccgov_owned_dir *d);
/* The open descriptor of the folder, valid until it is released. */
int ccgov_owned_dir_fd(const ccgov_owned_dir *d);

/* Renames the folder to final, which must not exist; the marker stays valid. */
int ccgov_owned_dir_publish(ccgov_owned_dir *d, const char *final);

/*
 * Puts the folder at final in one step, in place of the folder old proves
 * ours, which is then removed. If what was at final is not that folder any
 * more, it is swapped back, and nothing is removed.
 */
int ccgov_owned_dir_replace(ccgov_owned_dir *d, const char *final, const ccgov_ownership *old);

/* Removes the folder and all beneath it, unlocks, frees d (NULL is fine). */
int ccgov_owned_dir_remove(ccgov_owned_dir *d);

/* Leaves the folder as it is, unlocks, frees d (NULL is fine). */
void ccgov_owned_dir_release(ccgov_owned_dir *d);

/*
 * Removes the folders parent/PREFIX* that killed ccgov runs of this user
 * left: unlocked, with a marker naming them. Others are left alone.
 */
void ccgov_owned_dir_sweep(const char *parent, const char *prefix);

/* 1 when the folder open at fd holds nothing; fd stays open (a close-on-exec copy is read and closed). */
int ccgov_folder_is_empty(int fd);

#endif
