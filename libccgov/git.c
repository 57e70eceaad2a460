#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/git.h>
#include <ccgov/interrupt.h>
#include <ccgov/gitmodules.h>
#include <ccgov/uri.h>

#include <git2.h>
#include <pthread.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

struct ccgov_repo {
	git_repository *git;
	char *workdir; /* real path, no trailing slash */
};

/* A tree deeper than this is hostile, not source code. */
#define MAX_TREE_DEPTH 256

static int git_fail(int code, const char *what)
{
	const git_error *e = git_error_last();

	return ccgov_error_set(code, "%s: %s", what,
			       e && e->message ? e->message : "libgit2 error");
}

/* Whether this library started libgit2: one start, undone by one stop, so that init/shutdown pairs can repeat. */
static pthread_mutex_t git_lock = PTHREAD_MUTEX_INITIALIZER;
static int git_started;

int ccgov_git_init(void)
{
	int started;

	pthread_mutex_lock(&git_lock);
	if (!git_started)
		git_started = git_libgit2_init() >= 0;
	started = git_started;
	pthread_mutex_unlock(&git_lock);
	return started ? 0 : ccgov_error_set(CCGOV_ERROR, "libgit2: initialisation failed");
}

void ccgov_git_shutdown(void)
{
	pthread_mutex_lock(&git_lock);
	if (git_started)
		git_libgit2_shutdown();
	git_started = 0;
	pthread_mutex_unlock(&git_lock);
}

/*
 * libgit2 answers "not found" for a repository that another user owns (as
 * git's safe.directory rule asks). Taking that for "no git" would build and
 * describe the tree without its commit, so a .git above path is named.
 */
static int not_a_repository(const char *path)
{
	char *dir = realpath(path, NULL), *slash;
	int err = 0;

	for (int depth = 0; dir && depth < 256 && err == 0; depth++) {
		char *git = NULL;
		struct stat st, top;

		if (asprintf(&git, "%s/.git", dir[1] ? dir : "") >= 0 && lstat(git, &st) == 0 && stat(dir, &top) == 0)
			err = ccgov_error_set(CCGOV_EINVALID,
					      "%s: the git repository %s belongs to uid %u, not to this user (uid %u), and git refuses such repositories; run ccgov as its owner, or trust it with: git config --global --add safe.directory %s (and, for libgit2 1.5, %s/ too)",
					      path, dir, (unsigned)top.st_uid, (unsigned)geteuid(), dir, dir);
		free(git);
		if (!(slash = strrchr(dir, '/')) || slash == dir)
			break;
		*slash = '\0';
	}
	free(dir);
	return err ? err : ccgov_error_set(CCGOV_ENOTFOUND, "%s: not inside a git repository", path);
}

int ccgov_repo_open(ccgov_repo **out, const char *path)
{
	ccgov_repo *repo;
	struct stat st;
	int rc;

	*out = NULL;
	if ((rc = ccgov_git_init()) < 0)
		return rc;
	if (stat(path, &st) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	if (!(repo = calloc(1, sizeof(*repo))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	rc = git_repository_open_ext(&repo->git, path, 0, NULL);
	if (rc == GIT_ENOTFOUND) {
		free(repo);
		return not_a_repository(path);
	}
	if (rc < 0) {
		free(repo);
		return git_fail(CCGOV_EINVALID, path);
	}
	if (!git_repository_is_bare(repo->git)) {
		repo->workdir = realpath(git_repository_workdir(repo->git), NULL);
		if (!repo->workdir) {
			int e = errno;

			ccgov_repo_free(repo);
			return ccgov_error_set_errno(CCGOV_EIO, e, "%s: work tree", path);
		}
	}
	*out = repo;
	return 0;
}

void ccgov_repo_free(ccgov_repo *repo)
{
	if (!repo)
		return;
	git_repository_free(repo->git);
	free(repo->workdir);
	free(repo);
}

const char *ccgov_repo_workdir(const ccgov_repo *repo)
{
	return repo->workdir;
}

int ccgov_repo_relative_path(char **out, const ccgov_repo *repo, const char *path)
{
	char *real;
	size_t n;
	int err = 0;

	*out = NULL;
	if (!repo->workdir)
		return ccgov_error_set(CCGOV_EINVALID, "%s: repository has no work tree", path);
	if (!(real = realpath(path, NULL)))
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
	n = strlen(repo->workdir);
	if (strncmp(real, repo->workdir, n) != 0 || (real[n] != '/' && real[n] != '\0'))
		err = ccgov_error_set(CCGOV_EUNSAFE, "%s: outside the repository %s", path,
				      repo->workdir);
	else if (!(*out = strdup(real[n] == '/' ? real + n + 1 : "")))
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	free(real);
	return err;
}

static int lookup_commit(git_commit **out, ccgov_repo *repo, const char *rev)
{
	git_object *obj = NULL, *peeled = NULL;
	int rc;

	*out = NULL;
	rc = git_revparse_single(&obj, repo->git, rev);
	if (rc == GIT_ENOTFOUND && strcmp(rev, "HEAD") == 0 &&
	    git_repository_head_unborn(repo->git) == 1)
		return ccgov_error_set(CCGOV_ENOTFOUND, "HEAD: the repository has no commits yet");
	if (rc == GIT_ENOTFOUND || rc == GIT_EAMBIGUOUS || rc == GIT_EINVALIDSPEC)
		return ccgov_error_set(CCGOV_ENOTFOUND, "%s: no such revision", rev);
	if (rc < 0)
		return git_fail(CCGOV_EINVALID, rev);
	rc = git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT);
	git_object_free(obj);
	if (rc < 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: does not name a commit", rev);
	*out = (git_commit *)peeled;
	return 0;
}

int ccgov_repo_commit_id(char out[CCGOV_OID_HEX], ccgov_repo *repo, const char *rev)
{
	git_commit *commit;
	int err;

	if ((err = lookup_commit(&commit, repo, rev)) < 0)
		return err;
	git_oid_tostr(out, CCGOV_OID_HEX, git_commit_id(commit));
	git_commit_free(commit);
	return 0;
}

int ccgov_repo_commit_time(int64_t *out, ccgov_repo *repo, const char *rev)
{
	git_commit *commit;
	int err;

	if ((err = lookup_commit(&commit, repo, rev)) < 0)
		return err;
	*out = (int64_t)git_commit_time(commit);
	git_commit_free(commit);
	return 0;
}

/* Every URL this file hands out is one that evidence may show (uri.h). */
static char *evidence_url(const char *url)
{
	return ccgov_uri_redact(url, NULL);
}

/*
 * A remote that is a folder on this machine (a path, or file://) names no
 * place anyone else can fetch from, and differs between clones (a CI
 * workspace): it is not evidence. git's rule tells a host:path from a
 * path (a ':' before any '/').
 */
static int names_this_machine(const char *url)
{
	const char *sep = strstr(url, "://"), *colon = strchr(url, ':'), *slash = strchr(url, '/');

	if (sep)
		return sep - url == 4 && strncasecmp(url, "file", 4) == 0;
	return !colon || (slash && slash < colon);
}

int ccgov_repo_remote_url(char **out, ccgov_repo *repo, const char *remote)
{
	git_remote *r = NULL;
	const char *name = remote ? remote : "origin";
	int rc;

	*out = NULL;
	rc = git_remote_lookup(&r, repo->git, name);
	if (rc == GIT_ENOTFOUND || rc == GIT_EINVALIDSPEC)
		return ccgov_error_set(CCGOV_ENOTFOUND, "%s: no such remote", name);
	if (rc < 0)
		return git_fail(CCGOV_EINVALID, name);
	if (git_remote_url(r) && names_this_machine(git_remote_url(r))) {
		git_remote_free(r);
		return ccgov_error_set(CCGOV_ENOTFOUND, "%s: a folder on this machine, not recorded", name);
	}
	if (git_remote_url(r))
		*out = evidence_url(git_remote_url(r));
	git_remote_free(r);
	if (!*out)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

int ccgov_repo_is_dirty(int *dirty, ccgov_repo *repo, const char *rev)
{
	char want[CCGOV_OID_HEX], head[CCGOV_OID_HEX];
	git_status_options opts;
	git_status_list *list = NULL;
	size_t n;
	int err;

	*dirty = 0;
	if (!repo->workdir)
		return 0;
	if ((err = ccgov_repo_commit_id(want, repo, rev)) < 0)
		return err;
	/* The work tree is a checkout of HEAD: another commit it would differ from in everything, and is never read for it. */
	if (ccgov_repo_commit_id(head, repo, "HEAD") < 0 || strcmp(head, want) != 0)
		return 0;
	git_status_options_init(&opts, GIT_STATUS_OPTIONS_VERSION);
	opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	opts.flags = GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	if (git_status_list_new(&list, repo->git, &opts) < 0)
		return git_fail(CCGOV_EIO, "status");
	n = git_status_list_entrycount(list);
	for (size_t i = 0; i < n; i++) {
		const git_status_entry *e = git_status_byindex(list, i);

		if (e->status != GIT_STATUS_CURRENT && !(e->status & GIT_STATUS_IGNORED) &&
		    !(e->status == GIT_STATUS_WT_NEW)) {
			*dirty = 1;
			break;
		}
	}
	git_status_list_free(list);
	return 0;
}

/* ---- export ----------------------------------------------------------- */

/* Submodules inside submodules deeper than this are refused (git sets no limit; a build needs one). */
#define MAX_SUBMODULE_NESTING 8

typedef struct {
	ccgov_repo_submodule *items;
	size_t len, cap;
} submodule_found;

/* One repository's part of an export: the top one, or a submodule's pinned commit. */
typedef struct {
	git_repository *git;
	const git_tree *root;  /* its exported tree, where its .gitmodules is */
	char *modules_dir;     /* where git keeps its submodules' repositories: COMMONDIR/modules */
	const char *url;       /* where it comes from, for its submodules' relative URLs; NULL if unknown */
	size_t base;           /* bytes of path before its root: 0, or strlen("sub/lib/") */
	int nesting;           /* submodules above it */
	ccgov_submodule_mode mode;
	const char *workdir;   /* the top work tree, to show modules folders relative to it; NULL if bare */
	ccgov_buffer *path;    /* of the entry being written (from the top), for messages */
	submodule_found *found;
	ccgov_gitmodule *modules; /* its .gitmodules, read at the first submodule */
	size_t nmodules;
	int modules_read;
} exporter;

static int export_tree(exporter *ex, const git_tree *tree, int dirfd, int depth);

static int entry_name_ok(const char *name)
{
	return name[0] && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 &&
	       strcasecmp(name, ".git") != 0 && !strchr(name, '/');
}

static int export_blob(exporter *ex, const git_tree_entry *e, int dirfd, mode_t mode)
{
	const char *name = git_tree_entry_name(e);
	git_blob *blob = NULL;
	int fd, err = 0;

	if (git_blob_lookup(&blob, ex->git, git_tree_entry_id(e)) < 0)
		return git_fail(CCGOV_EINVALID, ex->path->data);
	fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s",
					    ex->path->data);
	else if (ccgov_file_write_all(fd, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob)) < 0 ||
		 fchmod(fd, mode) < 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", ex->path->data);
	if (fd >= 0 && close(fd) < 0 && err == 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", ex->path->data);
	git_blob_free(blob);
	return err;
}

static int export_link(exporter *ex, const git_tree_entry *e, int dirfd)
{
	git_blob *blob = NULL;
	char *target;
	size_t n;
	int err = 0;

	if (git_blob_lookup(&blob, ex->git, git_tree_entry_id(e)) < 0)
		return git_fail(CCGOV_EINVALID, ex->path->data);
	n = (size_t)git_blob_rawsize(blob);
	if (n == 0 || n >= 4096 || memchr(git_blob_rawcontent(blob), '\0', n)) {
		git_blob_free(blob);
		return ccgov_error_set(CCGOV_EINVALID, "%s: invalid symbolic link target",
				       ex->path->data);
	}
	if (!(target = strndup(git_blob_rawcontent(blob), n)))
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	/* Stored as a link, never followed: where it points is not our business here. */
	else if (symlinkat(target, dirfd, git_tree_entry_name(e)) < 0)
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s",
					    ex->path->data);
	free(target);
	git_blob_free(blob);
	return err;
}

static int export_dir(exporter *ex, const git_tree_entry *e, int dirfd, int depth)
{
	const char *name = git_tree_entry_name(e);
	git_tree *sub = NULL;
	int fd, err = 0;

	if (mkdirat(dirfd, name, 0700) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s",
					     ex->path->data);
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", ex->path->data);
	if (git_tree_entry_filemode(e) == GIT_FILEMODE_TREE) {
		if (git_tree_lookup(&sub, ex->git, git_tree_entry_id(e)) < 0)
			err = git_fail(CCGOV_EINVALID, ex->path->data);
		else
			err = export_tree(ex, sub, fd, depth + 1);
		git_tree_free(sub);
	}
	if (err == 0 && fchmod(fd, 0755) < 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", ex->path->data);
	close(fd);
	return err;
}

/* ---- submodules ------------------------------------------------------- */

/*
 * The .gitmodules of tree, as committed (not as in the work tree); none
 * when the tree has none. shown names it in messages.
 */
static int parse_committed_gitmodules(ccgov_gitmodule **modules, size_t *n, git_repository *git,
				      const git_tree *tree, const char *shown)
{
	const git_tree_entry *e;
	git_blob *blob = NULL;
	int err;

	*modules = NULL;
	*n = 0;
	if (!(e = git_tree_entry_byname(tree, ".gitmodules")))
		return 0;
	/* git refuses a .gitmodules that is a link: it could point anywhere. */
	if (git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB &&
	    git_tree_entry_filemode(e) != GIT_FILEMODE_BLOB_EXECUTABLE)
		err = ccgov_error_set(CCGOV_EUNSAFE, "%s: not a regular file", shown);
	else if (git_blob_lookup(&blob, git, git_tree_entry_id(e)) < 0)
		err = git_fail(CCGOV_EINVALID, shown);
	else if (git_blob_rawsize(blob) > CCGOV_GITMODULES_MAX)
		err = ccgov_error_set(CCGOV_EINVALID, "%s: larger than 1 MiB", shown);
	else
		err = ccgov_gitmodules_parse(modules, n, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob),
					     shown);
	git_blob_free(blob);
	return err;
}

/* This repository's .gitmodules, as committed: read once. */
static int read_gitmodules(exporter *ex)
{
	ccgov_buffer shown = CCGOV_BUFFER_INIT;
	int err;

	if (ex->modules_read)
		return 0;
	ex->modules_read = 1;
	ccgov_buffer_append(&shown, ex->path->data, ex->base);
	ccgov_buffer_puts(&shown, ".gitmodules");
	if ((err = ccgov_buffer_check(&shown)) == 0)
		err = parse_committed_gitmodules(&ex->modules, &ex->nmodules, ex->git, ex->root, shown.data);
	ccgov_buffer_free(&shown);
	return err;
}

/* The entry of modules whose path is rel; NULL if none. Two entries for one path are refused. */
static int find_module(const ccgov_gitmodule **out, const ccgov_gitmodule *modules, size_t n, const char *rel,
		       const char *shown)
{
	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!modules[i].path || strcmp(modules[i].path, rel) != 0)
			continue;
		if (*out)
			return ccgov_error_set(CCGOV_EINVALID, "%s: two submodules in .gitmodules, '%s' and '%s', claim it",
					       shown, (*out)->name, modules[i].name);
		*out = &modules[i];
	}
	return 0;
}

/* The .gitmodules entry whose path is rel; NULL if none. */
static int find_gitmodule(const ccgov_gitmodule **out, const exporter *ex, const char *rel)
{
	return find_module(out, ex->modules, ex->nmodules, rel, ex->path->data);
}

/* A record of the gitlink at ex->path: its index in ex->found, or a negative error. */
static long record_submodule(exporter *ex, const git_tree_entry *e, const ccgov_gitmodule *m)
{
	submodule_found *f = ex->found;
	ccgov_repo_submodule *s;
	char *url = NULL;

	if (f->len == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		ccgov_repo_submodule *p = realloc(f->items, cap * sizeof(*p));

		if (!p)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		f->items = p;
		f->cap = cap;
	}
	s = &f->items[f->len];
	memset(s, 0, sizeof(*s));
	git_oid_tostr(s->id, CCGOV_OID_HEX, git_tree_entry_id(e));
	s->path = strdup(ex->path->data);
	if (m && m->url && (url = evidence_url(m->url)))
		s->uri = ccgov_gitmodule_resolve_url(url, ex->url);
	s->url = url;
	s->name = m ? strdup(m->name) : NULL;
	f->len++;
	if (!s->path || (m && (!s->name || (m->url && !url))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return (long)(f->len - 1);
}

/* DIR shown relative to the top work tree when it is inside it (".git/modules/lib"). */
static const char *shown_dir(const exporter *ex, const char *dir)
{
	size_t n = ex->workdir ? strlen(ex->workdir) : 0;

	if (n && strncmp(dir, ex->workdir, n) == 0 && dir[n] == '/')
		return dir + n + 1;
	return dir;
}

static int not_local(const exporter *ex, const char *id, const char *dir)
{
	return ccgov_error_set(CCGOV_ENOTFOUND,
			       "%s: submodule commit %s is not in the local repository (%s); run 'git submodule update --init%s', or pass --no-submodules to build with it empty",
			       ex->path->data, id, shown_dir(ex, dir), ex->nesting ? " --recursive" : "");
}

/*
 * The pinned commit's tree into the folder fd, read from the submodule's
 * repository under .git/modules: never fetched, so what is built is what
 * this machine already holds, and nothing else.
 */
static int export_pinned(exporter *ex, const ccgov_gitmodule *m, const git_tree_entry *e,
			 const char *id, const char *uri, int fd, int depth)
{
	exporter sub = *ex;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	char *dir = NULL;
	int rc, err = 0;

	if (!ccgov_gitmodule_name_ok(m->name))
		return ccgov_error_set(CCGOV_EUNSAFE, "%s: submodule name '%s' would lead out of .git/modules",
				       ex->path->data, m->name);
	if (ex->nesting >= MAX_SUBMODULE_NESTING)
		return ccgov_error_set(CCGOV_EINVALID, "%s: submodules nested deeper than %d levels",
				       ex->path->data, MAX_SUBMODULE_NESTING);
	if (asprintf(&dir, "%s/%s", ex->modules_dir, m->name) < 0)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	sub.git = NULL;
	if ((rc = git_repository_open_bare(&sub.git, dir)) == GIT_ENOTFOUND)
		err = not_local(ex, id, dir);
	else if (rc < 0)
		err = git_fail(CCGOV_EINVALID, ex->path->data);
	else if ((rc = git_commit_lookup(&commit, sub.git, git_tree_entry_id(e))) == GIT_ENOTFOUND)
		err = not_local(ex, id, dir);
	else if (rc < 0 || git_commit_tree(&tree, commit) < 0)
		err = git_fail(CCGOV_EINVALID, ex->path->data);
	if (err == 0) {
		sub.root = tree;
		sub.url = uri;
		sub.base = ex->path->len + 1;
		sub.nesting = ex->nesting + 1;
		sub.modules = NULL;
		sub.nmodules = 0;
		sub.modules_read = 0;
		if (asprintf(&sub.modules_dir, "%smodules", git_repository_commondir(sub.git)) < 0) {
			sub.modules_dir = NULL;
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		} else {
			err = export_tree(&sub, tree, fd, depth + 1);
		}
		free(sub.modules_dir);
		ccgov_gitmodules_free(sub.modules, sub.nmodules);
	}
	git_tree_free(tree);
	git_commit_free(commit);
	git_repository_free(sub.git);
	free(dir);
	return err;
}

/*
 * A gitlink: a folder holding the submodule's pinned commit, or left empty
 * when asked; recorded either way, so the provenance can say which.
 */
static int export_submodule(exporter *ex, const git_tree_entry *e, int dirfd, int depth)
{
	const ccgov_gitmodule *m = NULL;
	char id[CCGOV_OID_HEX];
	long at = -1;
	int fd, err;

	if (mkdirat(dirfd, git_tree_entry_name(e), 0700) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s",
					     ex->path->data);
	if ((fd = openat(dirfd, git_tree_entry_name(e), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", ex->path->data);
	/* Left empty, a broken .gitmodules only costs the record its name and URL. */
	err = read_gitmodules(ex);
	if (err == 0)
		err = find_gitmodule(&m, ex, ex->path->data + ex->base);
	if (ex->mode == CCGOV_SUBMODULES_LEAVE_EMPTY)
		err = 0;
	if (err == 0 && (at = record_submodule(ex, e, m)) < 0)
		err = (int)at;
	if (err == 0 && ex->mode == CCGOV_SUBMODULES_EXPORT) {
		if (!m)
			err = ccgov_error_set(CCGOV_EINVALID,
					      "%s: submodule commit %s has no entry in .gitmodules; pass --no-submodules to build with it empty",
					      ex->path->data, ex->found->items[at].id);
		/* Copies: nested submodules grow ex->found, which may move its items (not their strings). */
		else if ((err = export_pinned(ex, m, e, strcpy(id, ex->found->items[at].id),
					      ex->found->items[at].uri, fd, depth)) == 0)
			ex->found->items[at].exported = 1;
	}
	if (err == 0 && fchmod(fd, 0755) < 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", ex->path->data);
	close(fd);
	return err;
}

static int export_entry(exporter *ex, const git_tree_entry *e, int dirfd, int depth)
{
	switch (git_tree_entry_filemode(e)) {
	case GIT_FILEMODE_BLOB:
		return export_blob(ex, e, dirfd, 0644);
	case GIT_FILEMODE_BLOB_EXECUTABLE:
		return export_blob(ex, e, dirfd, 0755);
	case GIT_FILEMODE_LINK:
		return export_link(ex, e, dirfd);
	case GIT_FILEMODE_TREE:
		return export_dir(ex, e, dirfd, depth);
	case GIT_FILEMODE_COMMIT:
		return export_submodule(ex, e, dirfd, depth);
	default:
		return ccgov_error_set(CCGOV_EINVALID, "%s: unknown tree entry mode %o",
				       ex->path->data, (unsigned)git_tree_entry_filemode(e));
	}
}

static int export_tree(exporter *ex, const git_tree *tree, int dirfd, int depth)
{
	size_t base = ex->path->len, n = git_tree_entrycount(tree);
	int err = 0;

	if (depth > MAX_TREE_DEPTH)
		return ccgov_error_set(CCGOV_EINVALID, "%s: tree nested deeper than %d levels",
				       ex->path->data, MAX_TREE_DEPTH);
	for (size_t i = 0; i < n && err == 0; i++) {
		const git_tree_entry *e = git_tree_entry_byindex(tree, i);
		const char *name = git_tree_entry_name(e);

		ex->path->len = base;
		if (base)
			ccgov_buffer_putc(ex->path, '/');
		ccgov_buffer_puts(ex->path, name);
		if ((err = ccgov_buffer_check(ex->path)) < 0)
			break;
		if (!entry_name_ok(name))
			err = ccgov_error_set(CCGOV_EUNSAFE, "%s: unsafe name in git tree",
					      ex->path->data);
		else if ((err = ccgov_interrupt_check()) == 0) /* a large tree stops within one file */
			err = export_entry(ex, e, dirfd, depth);
	}
	ex->path->len = base;
	if (ex->path->data)
		ex->path->data[base] = '\0';
	return err;
}

static int export_into(exporter *ex, const char *dir)
{
	int fd, err;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", dir);
	if ((err = export_tree(ex, ex->root, fd, 0)) == 0 && fchmod(fd, 0755) < 0)
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", dir);
	close(fd);
	return err;
}

static int by_submodule_path(const void *a, const void *b);

/* The top repository's exporter; its remote (without credentials) resolves relative submodule URLs. */
static int start_export(exporter *ex, ccgov_repo *repo, const git_tree *tree, ccgov_submodule_mode mode,
			ccgov_buffer *path, submodule_found *found, char **url)
{
	memset(ex, 0, sizeof(*ex));
	ex->git = repo->git;
	ex->root = tree;
	ex->mode = mode;
	ex->workdir = repo->workdir;
	ex->path = path;
	ex->found = found;
	if (ccgov_repo_remote_url(url, repo, NULL) < 0)
		*url = NULL;
	ex->url = *url;
	ccgov_buffer_append(path, "", 0);
	if (asprintf(&ex->modules_dir, "%smodules", git_repository_commondir(repo->git)) < 0) {
		ex->modules_dir = NULL;
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	return ccgov_buffer_check(path);
}

int ccgov_repo_export_ext(ccgov_repo_submodule **subs, size_t *nsubs, ccgov_repo *repo,
			  const char *rev, const char *dest, ccgov_submodule_mode mode)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	ccgov_ownership proof;
	ccgov_buffer path = CCGOV_BUFFER_INIT;
	submodule_found found = { 0 };
	exporter ex = { 0 };
	char *tmp = NULL, *url = NULL;
	struct stat st;
	int err;

	*subs = NULL;
	*nsubs = 0;
	if (lstat(dest, &st) == 0)
		return ccgov_error_set(CCGOV_EEXISTS, "%s: already exists", dest);
	if ((err = lookup_commit(&commit, repo, rev)) < 0)
		return err;
	if (git_commit_tree(&tree, commit) < 0) {
		err = git_fail(CCGOV_EINVALID, rev);
		goto done;
	}
	if ((err = start_export(&ex, repo, tree, mode, &path, &found, &url)) < 0)
		goto done;
	/* Built under a temporary name: an interrupted export leaves no half tree at dest. */
	if ((err = ccgov_file_temp_dir(&tmp, &proof, dest)) < 0)
		goto done;
	if ((err = export_into(&ex, tmp)) == 0)
		err = ccgov_file_publish_dir(tmp, dest);
	if (err < 0) {
		int saved = err;

		ccgov_remove(tmp, &proof, 0);
		err = saved;
	}
done:
	if (err == 0 && found.len) {
		qsort(found.items, found.len, sizeof(*found.items), by_submodule_path);
		*subs = found.items;
		*nsubs = found.len;
	} else {
		ccgov_repo_submodules_free(found.items, found.len);
	}
	free(ex.modules_dir);
	ccgov_gitmodules_free(ex.modules, ex.nmodules);
	ccgov_buffer_free(&path);
	free(url);
	free(tmp);
	git_tree_free(tree);
	git_commit_free(commit);
	return err;
}

int ccgov_repo_export(ccgov_repo *repo, const char *rev, const char *dest)
{
	ccgov_repo_submodule *subs;
	size_t n;
	int err = ccgov_repo_export_ext(&subs, &n, repo, rev, dest, CCGOV_SUBMODULES_LEAVE_EMPTY);

	ccgov_repo_submodules_free(subs, n);
	return err;
}

int ccgov_repo_describe(char **out, ccgov_repo *repo, const char *rev)
{
	git_describe_options opts;
	git_describe_format_options fmt;
	git_describe_result *result = NULL;
	git_buf buf = { 0 };
	int rc;

	*out = NULL;
	git_describe_options_init(&opts, GIT_DESCRIBE_OPTIONS_VERSION);
	git_describe_format_options_init(&fmt, GIT_DESCRIBE_FORMAT_OPTIONS_VERSION);
	opts.describe_strategy = GIT_DESCRIBE_TAGS;
	opts.show_commit_oid_as_fallback = 1;
	fmt.abbreviated_size = 12;
	{
		git_commit *commit;
		int err = lookup_commit(&commit, repo, rev);

		if (err < 0)
			return err;
		rc = git_describe_commit(&result, (git_object *)commit, &opts);
		git_commit_free(commit);
	}
	if (rc == 0)
		rc = git_describe_format(&buf, result, &fmt);
	git_describe_result_free(result);
	if (rc < 0)
		return git_fail(CCGOV_EINVALID, "git describe");
	*out = strdup(buf.ptr);
	git_buf_dispose(&buf);
	return *out ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}

int ccgov_repo_files(ccgov_repo_file **out, size_t *n, ccgov_repo *repo)
{
	git_index *index = NULL;
	size_t count;

	*out = NULL;
	*n = 0;
	if (git_repository_index(&index, repo->git) < 0)
		return git_fail(CCGOV_EIO, "git index");
	count = git_index_entrycount(index);
	if (!(*out = calloc(count ? count : 1, sizeof(**out)))) {
		git_index_free(index);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < count; i++) {
		const git_index_entry *e = git_index_get_byindex(index, i);

		/* Conflicted paths appear once per stage; the first stage is enough. */
		if (!e || (*n && strcmp((*out)[*n - 1].path, e->path) == 0))
			continue;
		if (!((*out)[*n].path = strdup(e->path))) {
			ccgov_repo_files_free(*out, *n);
			*out = NULL;
			*n = 0;
			git_index_free(index);
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		}
		(*out)[*n].mode = e->mode;
		git_oid_tostr((*out)[*n].id, CCGOV_OID_HEX, &e->id);
		(*n)++;
	}
	git_index_free(index);
	return 0;
}

void ccgov_repo_files_free(ccgov_repo_file *files, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(files[i].path);
	free(files);
}

int ccgov_repo_is_ignored(int *ignored, ccgov_repo *repo, const char *path)
{
	*ignored = 0;
	if (git_ignore_path_is_ignored(ignored, repo->git, path) < 0)
		return git_fail(CCGOV_EIO, path);
	return 0;
}

int ccgov_repo_is_tracked(int *tracked, ccgov_repo *repo, const char *path, int folder)
{
	git_index *index = NULL;
	char *prefix = NULL;
	size_t pos;

	*tracked = 0;
	if (git_repository_index(&index, repo->git) < 0)
		return git_fail(CCGOV_EIO, "git index");
	/* A folder holds tracked files, or is a submodule's gitlink itself. */
	*tracked = git_index_get_bypath(index, path, 0) != NULL;
	if (!*tracked && folder) {
		if (asprintf(&prefix, "%s/", path) < 0) {
			git_index_free(index);
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		}
		*tracked = git_index_find_prefix(&pos, index, prefix) == 0;
		free(prefix);
	}
	git_index_free(index);
	return 0;
}

/* The gitlinks of a commit's tree, with what its .gitmodules says of each. */
typedef struct {
	ccgov_repo_submodule *items;
	size_t len, cap;
	const ccgov_gitmodule *modules;
	size_t nmodules;
	int err;
} submodule_list;

static ccgov_repo_submodule *list_push(submodule_list *l)
{
	ccgov_repo_submodule *e;

	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		ccgov_repo_submodule *p = realloc(l->items, cap * sizeof(*p));

		if (!p)
			return NULL;
		l->items = p;
		l->cap = cap;
	}
	e = &l->items[l->len++];
	memset(e, 0, sizeof(*e));
	return e;
}

/* One submodule: its path, and its name and URL (made fit for evidence) when .gitmodules has it. */
static int list_add(submodule_list *l, const char *path, const git_oid *id, const ccgov_gitmodule *m)
{
	ccgov_repo_submodule *e = list_push(l);

	if (!e)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (id)
		git_oid_tostr(e->id, CCGOV_OID_HEX, id);
	e->path = strdup(path);
	e->name = m ? strdup(m->name) : NULL;
	e->url = m && m->url ? evidence_url(m->url) : NULL;
	if (!e->path || (m && !e->name) || (m && m->url && !e->url))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

static int list_gitlink(const char *root, const git_tree_entry *entry, void *payload)
{
	submodule_list *l = payload;
	const ccgov_gitmodule *m = NULL;
	char *path = NULL;
	int depth = 0;

	for (const char *c = root; *c; c++)
		depth += *c == '/';
	if (depth > MAX_TREE_DEPTH) {
		l->err = ccgov_error_set(CCGOV_EINVALID, "%s: tree nested deeper than %d levels", root, MAX_TREE_DEPTH);
		return -1;
	}
	if (git_tree_entry_filemode(entry) != GIT_FILEMODE_COMMIT)
		return 0;
	if (asprintf(&path, "%s%s", root, git_tree_entry_name(entry)) < 0) {
		l->err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		return -1;
	}
	if ((l->err = find_module(&m, l->modules, l->nmodules, path, path)) == 0)
		l->err = list_add(l, path, git_tree_entry_id(entry), m);
	free(path);
	return l->err < 0 ? -1 : 0;
}

/* .gitmodules entries with no gitlink at their path: listed without a commit, so the SBOM can say so. */
static int list_unpinned(submodule_list *l)
{
	size_t pinned = l->len;
	int err = 0;

	for (size_t i = 0; i < l->nmodules && err == 0; i++) {
		int found = !l->modules[i].path;

		for (size_t k = 0; k < pinned && !found; k++)
			found = strcmp(l->items[k].path, l->modules[i].path) == 0;
		if (!found)
			err = list_add(l, l->modules[i].path, NULL, &l->modules[i]);
	}
	return err;
}

static int by_submodule_path(const void *a, const void *b)
{
	return strcmp(((const ccgov_repo_submodule *)a)->path, ((const ccgov_repo_submodule *)b)->path);
}

int ccgov_repo_submodules(ccgov_repo_submodule **out, size_t *n, ccgov_repo *repo, const char *rev)
{
	submodule_list l = { 0 };
	ccgov_gitmodule *modules = NULL;
	size_t nmodules = 0;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = lookup_commit(&commit, repo, rev)) < 0)
		return err;
	if (git_commit_tree(&tree, commit) < 0)
		err = git_fail(CCGOV_EINVALID, rev);
	else if ((err = parse_committed_gitmodules(&modules, &nmodules, repo->git, tree, ".gitmodules")) == 0) {
		l.modules = modules;
		l.nmodules = nmodules;
		if (git_tree_walk(tree, GIT_TREEWALK_PRE, list_gitlink, &l) < 0)
			err = l.err ? l.err : git_fail(CCGOV_EINVALID, rev);
		else
			err = list_unpinned(&l);
	}
	if (err == 0 && l.len)
		qsort(l.items, l.len, sizeof(*l.items), by_submodule_path);
	if (err == 0) {
		*out = l.items;
		*n = l.len;
	} else {
		ccgov_repo_submodules_free(l.items, l.len);
	}
	ccgov_gitmodules_free(modules, nmodules);
	git_tree_free(tree);
	git_commit_free(commit);
	return err;
}

void ccgov_repo_submodules_free(ccgov_repo_submodule *subs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(subs[i].path);
		free(subs[i].url);
		free(subs[i].name);
		free(subs[i].uri);
	}
	free(subs);
}
