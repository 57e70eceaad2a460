/*
 * The scanned tree: which files a scan reads, and the path it names each
 * by. A compiler that builds the tree follows its symbolic links, so the
 * walk follows them too, as far as the tree goes (links.c). A real file is
 * read once per language however many paths reach it, and a real folder
 * is walked once: the walk takes each folder's names in byte order, so the
 * first path to a file, the one reported, does not depend on the order the
 * file system lists names in. What the walk decides on is pinned by device
 * and inode, and whoever opens it checks that it opened that very file.
 */
#include "engine.h"

#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/git.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_DEPTH 64

/* ---- the same file by several paths --------------------------------------- */

typedef struct {
	dev_t dev;
	ino_t ino;
	int tag;      /* the language for files; 0 for folders */
	size_t value; /* the file's place in the list */
	int used;
} inode_slot;

/* (device, inode, tag) keys, by open addressing; cap is 0 or a power of two. */
typedef struct {
	inode_slot *slots;
	size_t cap, len;
} inode_set;

static size_t inode_hash(dev_t dev, ino_t ino, int tag)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ull ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4full ^ (uint64_t)tag;

	return (size_t)(h ^ h >> 31);
}

/* The key's slot, or the empty slot where it would go. */
static inode_slot *inode_find(const inode_set *s, dev_t dev, ino_t ino, int tag)
{
	size_t i = inode_hash(dev, ino, tag) & (s->cap - 1);

	while (s->slots[i].used && !(s->slots[i].dev == dev && s->slots[i].ino == ino && s->slots[i].tag == tag))
		i = (i + 1) & (s->cap - 1);
	return &s->slots[i];
}

static int inode_grow(inode_set *s)
{
	inode_set bigger = { NULL, s->cap ? s->cap * 2 : 256, s->len };

	if (!(bigger.slots = calloc(bigger.cap, sizeof(*bigger.slots))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (size_t i = 0; i < s->cap; i++)
		if (s->slots[i].used)
			*inode_find(&bigger, s->slots[i].dev, s->slots[i].ino, s->slots[i].tag) = s->slots[i];
	free(s->slots);
	*s = bigger;
	return 0;
}

/* 1 if the key is new (it is added with *value), 0 if it was there (*value is its value). */
static int inode_add(inode_set *s, const struct stat *st, int tag, size_t *value)
{
	inode_slot *slot;
	int err;

	if ((s->len + 1) * 2 > s->cap && (err = inode_grow(s)) < 0)
		return err;
	slot = inode_find(s, st->st_dev, st->st_ino, tag);
	if (slot->used) {
		*value = slot->value;
		return 0;
	}
	*slot = (inode_slot){ st->st_dev, st->st_ino, tag, *value, 1 };
	s->len++;
	return 1;
}

/* ---- opening what was decided on --------------------------------------------- */

int open_decided(int *fd, struct stat *got, int rootfd, const char *real, int flags, dev_t dev, ino_t ino)
{
	struct open_how how = { 0 };
	const char *rel = real[0] ? real : ".";
	long r;
	int tries = 0;

	how.flags = (unsigned long long)(flags | O_NOFOLLOW | O_CLOEXEC);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
	do {
		r = syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	} while (r < 0 && errno == EAGAIN && ++tries < 16);
	/* Where a sandbox forbids openat2, the inode check below still holds. */
	if (r < 0 && (errno == ENOSYS || errno == EPERM))
		r = openat(rootfd, rel, flags | O_NOFOLLOW | O_CLOEXEC);
	if (r < 0)
		return errno;
	if (fstat((int)r, got) < 0 || got->st_dev != dev || got->st_ino != ino) {
		close((int)r);
		return ESTALE;
	}
	*fd = (int)r;
	return 0;
}

const char *open_decided_error(int e)
{
	/* A link on the way, or another file in its place: the tree changed under the scan. */
	if (e == ESTALE || e == ELOOP || e == EXDEV)
		return "it changed while the scan ran";
	return strerror(e);
}

/* ---- the walk ---------------------------------------------------------------- */

typedef struct {
	file_list *out;
	int rootfd;
	const char *root_real;
	git_repository *repo;    /* NULL outside a work tree */
	const char *repo_prefix; /* the root's path in the work tree */
	char **changed;          /* --changed-since: sorted repository paths, or NULL */
	size_t nchanged;
	inode_set files, folders;
} walker;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The path of rel (from the root) in the repository, or NULL when out of memory. */
static char *repo_path(const walker *w, const char *rel)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;

	ccgov_buffer_printf(&b, "%s%s%s", w->repo_prefix, w->repo_prefix[0] && rel[0] ? "/" : "", rel);
	return b.failed ? (ccgov_buffer_free(&b), NULL) : ccgov_buffer_detach(&b, NULL);
}

/*
 * .gitignore hides untracked files from git, not committed ones: a change
 * that lists its own file there (and adds it with git add -f) must not
 * hide it from the gate. A folder is walked if anything in it is tracked.
 */
static int is_tracked(git_repository *repo, const char *path, int folder)
{
	git_index *index;
	size_t pos;
	int tracked;

	if (git_repository_index(&index, repo) < 0)
		return 0;
	if (folder) {
		ccgov_buffer prefix = CCGOV_BUFFER_INIT;

		ccgov_buffer_printf(&prefix, "%s/", path);
		tracked = !prefix.failed && git_index_find_prefix(&pos, index, prefix.data) == 0;
		ccgov_buffer_free(&prefix);
	} else {
		tracked = git_index_get_bypath(index, path, 0) != NULL;
	}
	git_index_free(index);
	return tracked;
}

/*
 * Whether git leaves the entry at real out. It is judged where the entry
 * really is, as git sees it (a link as itself, what lies beneath a linked
 * folder where that folder is), so no path through a link can hide a
 * tracked file.
 */
static int is_ignored(const walker *w, const char *real, int folder)
{
	char *path;
	int ignored = 0;

	if (!w->repo || !(path = repo_path(w, real)))
		return 0;
	if (git_ignore_path_is_ignored(&ignored, w->repo, path) == 0 && ignored)
		ignored = !is_tracked(w->repo, path, folder);
	else
		ignored = 0;
	free(path);
	return ignored;
}

static int in_changed(const walker *w, const char *rel)
{
	char *key = repo_path(w, rel);
	int found = key && bsearch(&key, w->changed, w->nchanged, sizeof(*w->changed), by_name);

	free(key);
	return found;
}

/* --changed-since: a path is checked when it, or the place it leads to, changed. */
static int is_changed(const walker *w, const char *path, const char *real)
{
	return !w->changed || in_changed(w, path) || in_changed(w, real);
}

static int push_file(file_list *l, const char *path, const char *real, const struct stat *st, int changed)
{
	listed_file *f;

	if (l->len == l->cap) {
		listed_file *p = realloc(l->items, (l->cap = l->cap ? l->cap * 2 : 1024) * sizeof(*p));

		if (!p)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		l->items = p;
	}
	f = &l->items[l->len];
	*f = (listed_file){ strdup(path), strdup(real), st->st_dev, st->st_ino, changed };
	if (!f->path || !f->real) {
		free(f->path);
		free(f->real);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	l->len++;
	return 0;
}

/* A source file reached by path: new, or one more path to a file already listed. */
static int add_file(walker *w, const char *path, const char *real, const struct stat *st)
{
	const language *lang = language_for_path(path);
	int changed = is_changed(w, path, real), err;
	size_t at = w->out->len;

	if (!lang)
		return 0;
	if ((err = inode_add(&w->files, st, language_index(lang) + 1, &at)) <= 0) {
		if (err == 0)
			w->out->items[at].changed |= changed;
		return err;
	}
	return push_file(w->out, path, real, st, changed);
}

static int walk_folder(walker *w, ccgov_buffer *path, ccgov_buffer *real, int fd, int depth);

/* A folder, by its first path; one already walked has had its files listed. */
static int enter_folder(walker *w, ccgov_buffer *path, ccgov_buffer *real, const struct stat *st, int depth)
{
	struct stat got;
	size_t unused = 0;
	int fd, err;

	/* A folder out of reach may hold source: it is named, never passed over in silence. */
	if (depth > MAX_DEPTH)
		return push_skip(&w->out->skipped, path->data, CCGOV_SKIP_UNREADABLE,
				 "folder more than %d levels deep, not read", MAX_DEPTH);
	if ((err = inode_add(&w->folders, st, 0, &unused)) <= 0)
		return err;
	if ((err = open_decided(&fd, &got, w->rootfd, real->data, O_RDONLY | O_DIRECTORY, st->st_dev, st->st_ino)) != 0)
		return push_skip(&w->out->skipped, path->len ? path->data : ".", CCGOV_SKIP_UNREADABLE,
				 "folder: %s", open_decided_error(err));
	return walk_folder(w, path, real, fd, depth);
}

/*
 * A link that is not followed is named when what it names would have been
 * read: a source file's name, or a folder. A link to a README outside the
 * tree hides no code.
 */
static int link_counts(const link_resolution *r, const char *path, int dirfd, const char *name)
{
	struct stat st;

	if (language_for_path(path) || r->end == LINK_ENCLOSING)
		return 1;
	/* Only the kind of what lies outside is asked, never its contents. */
	return fstatat(dirfd, name, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

static int follow_link(walker *w, ccgov_buffer *path, const char *real, int dirfd, const char *name, int depth)
{
	link_resolution r;
	char why[512];
	int err = link_resolve(&r, w->rootfd, w->root_real, real);

	if (err < 0)
		return err;
	if (r.end == LINK_INSIDE && S_ISDIR(r.st.st_mode)) {
		ccgov_buffer target = CCGOV_BUFFER_INIT;

		ccgov_buffer_puts(&target, r.real);
		if ((err = ccgov_buffer_check(&target)) == 0)
			err = enter_folder(w, path, &target, &r.st, depth + 1);
		ccgov_buffer_free(&target);
	} else if (r.end == LINK_INSIDE && S_ISREG(r.st.st_mode)) {
		err = add_file(w, path->data, r.real, &r.st);
	} else if (r.end != LINK_INSIDE && link_counts(&r, path->data, dirfd, name) &&
		   is_changed(w, path->data, real)) {
		ccgov_skip_kind kind = link_skip_reason(why, sizeof(why), &r);

		err = push_skip(&w->out->skipped, path->data, kind, "%s", why);
	}
	link_resolution_free(&r);
	return err;
}

/*
 * One name of a folder: path is how the walk reached the folder, real
 * where it is. 0, an error, or an errno when the name cannot be reached.
 */
static int walk_entry(walker *w, ccgov_buffer *path, ccgov_buffer *real, int dirfd, const char *name, int depth)
{
	size_t path_len = path->len, real_len = real->len;
	struct stat st;
	int err = 0;

	if (path->len)
		ccgov_buffer_putc(path, '/');
	ccgov_buffer_puts(path, name);
	if (real->len)
		ccgov_buffer_putc(real, '/');
	ccgov_buffer_puts(real, name);
	if ((err = ccgov_buffer_check(path)) < 0 || (err = ccgov_buffer_check(real)) < 0)
		return err;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		/* Gone since the folder was listed, there is nothing to read; else the folder cannot be searched. */
		err = errno == ENOENT ? 0 : errno;
	} else if (!is_ignored(w, real->data, S_ISDIR(st.st_mode))) {
		if (S_ISDIR(st.st_mode))
			err = enter_folder(w, path, real, &st, depth + 1);
		else if (S_ISREG(st.st_mode))
			err = add_file(w, path->data, real->data, &st);
		else if (S_ISLNK(st.st_mode))
			err = follow_link(w, path, real->data, dirfd, name, depth);
	}
	path->len = path_len;
	path->data[path_len] = '\0';
	real->len = real_len;
	real->data[real_len] = '\0';
	return err;
}

/* The folder's names but . .. and .git, sorted; NULL names and an errno on failure. */
static int read_names(char ***names, size_t *n, DIR *d)
{
	size_t cap = 0;
	struct dirent *de;

	*names = NULL;
	*n = 0;
	for (errno = 0; (de = readdir(d)); errno = 0) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 || strcmp(de->d_name, ".git") == 0)
			continue;
		if (*n == cap) {
			char **p = realloc(*names, (cap = cap ? cap * 2 : 64) * sizeof(*p));

			if (!p)
				break;
			*names = p;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			break;
		(*n)++;
	}
	if (!de && errno == 0) {
		if (*n > 1)
			qsort(*names, *n, sizeof(**names), by_name);
		return 0;
	}
	return de ? ENOMEM : errno;
}

/* Walks the open folder fd (closed here), entry by entry in byte order. */
static int walk_folder(walker *w, ccgov_buffer *path, ccgov_buffer *real, int fd, int depth)
{
	DIR *d = fdopendir(fd);
	char **names = NULL;
	size_t n = 0;
	int err = 0, e;

	if (!d) {
		e = errno;
		close(fd);
		return push_skip(&w->out->skipped, path->len ? path->data : ".", CCGOV_SKIP_UNREADABLE, "folder: %s",
				 strerror(e));
	}
	if ((e = read_names(&names, &n, d)) == ENOMEM)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	else if (e)
		err = push_skip(&w->out->skipped, path->len ? path->data : ".", CCGOV_SKIP_UNREADABLE, "folder: %s",
				strerror(e));
	for (size_t i = 0; i < n && err == 0 && !e; i++)
		err = walk_entry(w, path, real, dirfd(d), names[i], depth);
	/* Listed but not searchable (r without x): its files are out of reach, so it is named. */
	if (err > 0)
		err = push_skip(&w->out->skipped, path->len ? path->data : ".", CCGOV_SKIP_UNREADABLE, "folder: %s",
				strerror(err));
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return err;
}

/* ---- the whole tree ------------------------------------------------------------ */

/* Repository paths that differ between rev's tree and the work tree (index included), sorted. */
static int changed_paths(char ***out, size_t *n, git_repository *repo, const char *rev)
{
	git_object *obj = NULL;
	git_tree *tree = NULL;
	git_diff *diff = NULL;
	git_diff_options opts;
	int err = 0;

	*out = NULL;
	*n = 0;
	git_diff_options_init(&opts, GIT_DIFF_OPTIONS_VERSION);
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
	if (git_revparse_single(&obj, repo, rev) < 0 ||
	    git_object_peel((git_object **)&tree, obj, GIT_OBJECT_TREE) < 0) {
		err = ccgov_error_set(CCGOV_ENOTFOUND, "%s: no such revision", rev);
		goto done;
	}
	if (git_diff_tree_to_workdir_with_index(&diff, repo, tree, &opts) < 0) {
		err = ccgov_error_set(CCGOV_EIO, "%s: cannot compare with the work tree", rev);
		goto done;
	}
	if (!(*out = calloc(git_diff_num_deltas(diff) + 1, sizeof(**out)))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < git_diff_num_deltas(diff); i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->status == GIT_DELTA_DELETED)
			continue;
		if (!((*out)[(*n)++] = strdup(d->new_file.path))) {
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			break;
		}
	}
	if (err == 0)
		qsort(*out, *n, sizeof(**out), by_name);
done:
	git_diff_free(diff);
	git_tree_free(tree);
	git_object_free(obj);
	return err;
}

/* --changed-since: only the files a changed path leads to are read. */
static void keep_changed(file_list *l)
{
	size_t kept = 0;

	for (size_t i = 0; i < l->len; i++) {
		if (l->items[i].changed) {
			l->items[kept++] = l->items[i];
			continue;
		}
		free(l->items[i].path);
		free(l->items[i].real);
	}
	l->len = kept;
}

/* The root's path in its git work tree, or NULL (and no repository) outside one. */
static char *open_work_tree(git_repository **repo, const char *root, const char *root_real)
{
	char *wd, *prefix = NULL;
	size_t n;

	*repo = NULL;
	if (ccgov_git_init() < 0 || git_repository_open_ext(repo, root, 0, NULL) < 0)
		return NULL;
	if (git_repository_workdir(*repo) && (wd = realpath(git_repository_workdir(*repo), NULL))) {
		n = strlen(wd);
		if (strncmp(root_real, wd, n) == 0)
			prefix = strdup(root_real[n] == '/' ? root_real + n + 1 : "");
		free(wd);
	}
	if (!prefix) {
		git_repository_free(*repo);
		*repo = NULL;
	}
	return prefix;
}

/* Walks from the root, once it is open; the walker holds what the walk needs. */
static int walk_root(walker *w, const char *changed_since)
{
	ccgov_buffer path = CCGOV_BUFFER_INIT, real = CCGOV_BUFFER_INIT;
	struct stat st;
	size_t unused = 0;
	int err, fd;

	if (changed_since && (err = changed_paths(&w->changed, &w->nchanged, w->repo, changed_since)) < 0)
		return err;
	ccgov_buffer_append(&path, "", 0);
	ccgov_buffer_append(&real, "", 0);
	if ((err = ccgov_buffer_check(&path)) == 0 && (err = ccgov_buffer_check(&real)) == 0) {
		if (fstat(w->rootfd, &st) < 0 || (fd = dup(w->rootfd)) < 0)
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", w->root_real);
		else if ((err = inode_add(&w->folders, &st, 0, &unused)) < 0)
			close(fd);
		else
			err = walk_folder(w, &path, &real, fd, 0);
	}
	ccgov_buffer_free(&path);
	ccgov_buffer_free(&real);
	return err;
}

int find_files(file_list *l, const char *root, const char *changed_since)
{
	walker w = { .out = l, .rootfd = -1 };
	char *root_real, *prefix;
	struct stat st;
	int err = 0;

	l->rootfd = -1;
	if (stat(root, &st) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", root);
	if (!S_ISDIR(st.st_mode))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not a folder", root);
	if (!(root_real = realpath(root, NULL)))
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", root);
	/* .gitignore is honoured when the folder is in a work tree. */
	prefix = open_work_tree(&w.repo, root, root_real);
	w.root_real = root_real;
	w.repo_prefix = prefix ? prefix : "";
	if (changed_since && !prefix)
		err = ccgov_error_set(CCGOV_EINVALID, "%s: --changed-since needs a git work tree", root);
	else if ((w.rootfd = open(root_real, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		err = push_skip(&l->skipped, ".", CCGOV_SKIP_UNREADABLE, "folder: %s", strerror(errno));
	else
		err = walk_root(&w, changed_since);
	if (err == 0 && changed_since)
		keep_changed(l);
	l->rootfd = w.rootfd;
	for (size_t i = 0; i < w.nchanged; i++)
		free(w.changed[i]);
	free(w.changed);
	free(w.files.slots);
	free(w.folders.slots);
	git_repository_free(w.repo);
	free(prefix);
	free(root_real);
	return err;
}

void file_list_free(file_list *l)
{
	for (size_t i = 0; i < l->len; i++) {
		free(l->items[i].path);
		free(l->items[i].real);
	}
	free(l->items);
	skip_list_free(&l->skipped);
	if (l->rootfd >= 0)
		close(l->rootfd);
	memset(l, 0, sizeof(*l));
	l->rootfd = -1;
}
