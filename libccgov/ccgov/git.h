/*
 * Facts about the source, read through libgit2: which commit a build
 * claims, when it was made, where it came from, whether the work tree
 * still matches it, and the committed tree itself.
 */
#ifndef CCGOV_GIT_H
#define CCGOV_GIT_H

#include <stddef.h>
#include <stdint.h>

typedef struct ccgov_repo ccgov_repo;

#define CCGOV_OID_HEX 41 /* 40 hex digits and a NUL (SHA-1 repositories) */

/*
 * Starts libgit2, once, on first use: its start loads the system's TLS
 * certificates, milliseconds that commands which never read a repository
 * (measure, sbom of an image) should not pay. Safe from any thread; the
 * functions below call it themselves.
 */
int ccgov_git_init(void);
/* Stops it, if it was started (ccgov_shutdown calls it). */
void ccgov_git_shutdown(void);

/*
 * Opens the repository that contains path (a file or folder inside its
 * work tree). CCGOV_ENOTFOUND with "PATH: not inside a git repository"
 * when there is none.
 */
int ccgov_repo_open(ccgov_repo **out, const char *path);
void ccgov_repo_free(ccgov_repo *repo);

/* The work tree's real path, with no trailing slash; NULL for a bare repository. */
const char *ccgov_repo_workdir(const ccgov_repo *repo);

/*
 * path relative to the work tree ("" for its top), so a project in a
 * subfolder can be found again in an exported tree.
 */
int ccgov_repo_relative_path(char **out, const ccgov_repo *repo, const char *path);

/* The commit that rev (HEAD, a branch, a tag, an id) names, as hex. */
int ccgov_repo_commit_id(char out[CCGOV_OID_HEX], ccgov_repo *repo, const char *rev);

/* The committer time of rev's commit, in seconds since the epoch. */
int ccgov_repo_commit_time(int64_t *out, ccgov_repo *repo, const char *rev);

/*
 * The URL of a remote (NULL means "origin"), as evidence may show it
 * (ccgov_uri_redact: no password, token, query or fragment).
 * CCGOV_ENOTFOUND if the repository has no such remote, or if it is a
 * folder on this machine (a path or file://: nowhere anyone else can
 * fetch from, and different in every CI workspace).
 */
int ccgov_repo_remote_url(char **out, ccgov_repo *repo, const char *remote);

/*
 * *dirty = 1 when rev names the commit checked out (HEAD's) and a tracked
 * file differs from it, in the index or in the work tree. Untracked files
 * do not count: they never reach an export. For any other commit *dirty
 * is 0: the work tree is not a checkout of it, and exporting it never
 * reads the work tree.
 */
int ccgov_repo_is_dirty(int *dirty, ccgov_repo *repo, const char *rev);

/*
 * Writes the committed tree of rev into the folder dest, which must not
 * exist yet. Blobs are written as stored (no filters, no keyword
 * expansion), modes are 0644 or 0755, symbolic links stay links,
 * submodules become empty folders. Entry names that could escape the
 * folder (".", "..", ".git", names with '/') are refused.
 */
int ccgov_repo_export(ccgov_repo *repo, const char *rev, const char *dest);

typedef enum {
	/*
	 * Each submodule's pinned commit (the gitlink's id), exported in its
	 * folder, and theirs in turn (8 levels at most). The commit is read from
	 * the submodule's repository in the local .git/modules/NAME, NAME coming
	 * from .gitmodules at rev; it is never fetched. CCGOV_ENOTFOUND, naming
	 * the submodule and --no-submodules, when it is not there.
	 */
	CCGOV_SUBMODULES_EXPORT,
	/* Empty folders, as git archive leaves them. */
	CCGOV_SUBMODULES_LEAVE_EMPTY,
} ccgov_submodule_mode;

typedef struct ccgov_repo_submodule ccgov_repo_submodule;

/*
 * ccgov_repo_export, with submodules as mode says, and *subs the
 * submodules met (free with ccgov_repo_submodules_free), in path order:
 * those inside an exported submodule too, with paths from dest.
 */
int ccgov_repo_export_ext(ccgov_repo_submodule **subs, size_t *n, ccgov_repo *repo,
			  const char *rev, const char *dest, ccgov_submodule_mode mode);

/*
 * The nearest tag reachable from rev's commit as git describe --tags
 * prints it ("v1.2.0", "v1.2.0-3-gabcdef012345"), or the abbreviated
 * commit when there is no tag.
 */
int ccgov_repo_describe(char **out, ccgov_repo *repo, const char *rev);

/* *ignored = 1 when .gitignore rules ignore path (relative to the work tree). */
int ccgov_repo_is_ignored(int *ignored, ccgov_repo *repo, const char *path);

/*
 * *tracked = 1 when the index holds path (relative to the work tree) or,
 * for a folder, anything under it. Ignore rules keep untracked files out
 * of git, never committed ones: a walk skips what is ignored and untracked.
 */
int ccgov_repo_is_tracked(int *tracked, ccgov_repo *repo, const char *path, int folder);

/* A submodule as a commit's tree and the .gitmodules committed with it describe it. */
struct ccgov_repo_submodule {
	char *path;             /* relative to the work tree (to the exported tree) */
	char *url;              /* as .gitmodules says, made fit for evidence (ccgov_uri_redact); NULL if none */
	char id[CCGOV_OID_HEX]; /* the pinned commit (the gitlink); "" when there is none */
	char *name;             /* in .gitmodules; NULL when it has no entry */
	/* Export only: */
	char *uri;              /* url made absolute against the superproject's; NULL if it cannot be */
	int exported;           /* 1: the commit's tree is in its folder; 0: the folder was left empty */
};

/*
 * The submodules of rev's commit, in path order: each gitlink of its tree,
 * with name and URL from the .gitmodules of the same commit, and each
 * .gitmodules entry without a gitlink (id ""). Neither the index nor the
 * work tree is read: the list describes the commit, whatever is checked
 * out. Submodules of submodules are not listed.
 */
int ccgov_repo_submodules(ccgov_repo_submodule **out, size_t *n, ccgov_repo *repo, const char *rev);
void ccgov_repo_submodules_free(ccgov_repo_submodule *subs, size_t n);

/* One entry of the index: what is tracked, as committed or staged. */
typedef struct {
	char *path;            /* relative to the work tree */
	unsigned mode;         /* 0100644, 0100755, 0120000 (link), 0160000 (submodule) */
	char id[CCGOV_OID_HEX]; /* the blob, or the submodule's pinned commit */
} ccgov_repo_file;

/* The tracked files, in path order. */
int ccgov_repo_files(ccgov_repo_file **out, size_t *n, ccgov_repo *repo);
void ccgov_repo_files_free(ccgov_repo_file *files, size_t n);

#endif
