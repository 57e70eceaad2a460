/*
 * Describing a tree: the project as the root component, then every lock
 * file in it, each read by its cataloger. In a work tree the walk skips
 * untracked files that git ignores (build output, installed
 * dependencies); everywhere it skips node_modules, whose packages the
 * lock file that installed them describes.
 */
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/git.h>
#include <ccgov/image_files.h>
#include <ccgov/path.h>
#include <ccgov/project.h>
#include <ccgov/sbom.h>
#include <ccgov/timestamp.h>
#include <ccgov/toml.h>
#include <ccgov/json.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_LOCK_FILE (64u << 20)
#define MAX_WALK_DEPTH 32

typedef struct {
	char **paths;
	size_t len, cap;
} path_list;

static int push(path_list *l, const char *path)
{
	if (l->len == l->cap) {
		char **p = realloc(l->paths, (l->cap = l->cap ? l->cap * 2 : 32) * sizeof(*p));

		if (!p)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		l->paths = p;
	}
	if (!(l->paths[l->len] = strdup(path)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	l->len++;
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The files a cataloger reads (go.sum is read with its go.mod). */
static int is_lock_file(const char *path)
{
	static const char *const names[] = { "Cargo.lock", "package-lock.json", "go.mod", "poetry.lock",
					     "conan.lock", "vcpkg.json" };
	const char *base = base_name(path);

	size_t n = strlen(base);

	/* What npm installed is described by the lock file that installed it. */
	if (strstr(path, "node_modules/"))
		return 0;
	if (strncmp(path, ".github/workflows/", 18) == 0 && n > 4 &&
	    (strcmp(base + n - 4, ".yml") == 0 || (n > 5 && strcmp(base + n - 5, ".yaml") == 0)))
		return 1;
	if (ccgov_vendored_header(base))
		return 1;
	/* requirements.txt, requirements-dev.txt, requirements/base.txt ... */
	if ((strncmp(base, "requirements", 12) == 0 || strstr(path, "requirements/")) && n > 4 &&
	    strcmp(base + n - 4, ".txt") == 0)
		return 1;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(base, names[i]) == 0)
			return 1;
	return 0;
}

/* Untracked and ignored: what a work tree holds that no commit does (repo NULL: nothing is). */
static int left_out(ccgov_repo *repo, const char *in_repo, int folder)
{
	int ignored = 0, tracked = 0;

	if (!repo || ccgov_repo_is_ignored(&ignored, repo, in_repo) < 0 || !ignored)
		return 0;
	return ccgov_repo_is_tracked(&tracked, repo, in_repo, folder) == 0 && !tracked;
}

/* Walks the tree without following links, skipping what left_out() says. */
static int walk(path_list *l, const char *root, const char *rel, int depth, ccgov_repo *repo, const char *prefix)
{
	char *dir = rel[0] ? ccgov_path_join(root, rel) : strdup(root);
	DIR *d;
	struct dirent *de;
	int err = 0;

	if (!dir)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (depth > MAX_WALK_DEPTH || ccgov_file_open_folder(&d, dir, NULL, dir) < 0) {
		free(dir);
		return 0;
	}
	while (err == 0 && (de = readdir(d))) {
		char *child = NULL, *full = NULL, *in_repo = NULL;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, ".git") ||
		    !strcmp(de->d_name, "node_modules"))
			continue;
		if (asprintf(&child, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) < 0 ||
		    !(full = ccgov_path_join(root, child)) ||
		    (repo && asprintf(&in_repo, "%s%s%s", prefix, prefix[0] ? "/" : "", child) < 0)) {
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		} else if (lstat(full, &st) == 0 && !left_out(repo, in_repo, S_ISDIR(st.st_mode))) {
			if (S_ISDIR(st.st_mode))
				err = walk(l, root, child, depth + 1, repo, prefix);
			else if (S_ISREG(st.st_mode) && is_lock_file(child))
				err = push(l, child);
		}
		free(in_repo);
		free(full);
		free(child);
	}
	closedir(d);
	free(dir);
	return err;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lock files under root, in path order; with repo (a work tree's), not the untracked ones git ignores. */
static int find_lock_files(path_list *l, const char *root, ccgov_repo *repo, const char *prefix)
{
	int err = walk(l, root, "", 0, repo, prefix);

	if (err == 0 && l->len)
		qsort(l->paths, l->len, sizeof(*l->paths), by_string);
	return err;
}

/*
 * A lock file of the tree, opened beneath the tree's descriptor and not
 * through a link at its end: a lock file that is a link (or a folder
 * swapped for one after the walk) is not followed out of the tree.
 */
static int read_in_tree(char **text, size_t *len, int rootfd, const char *rel)
{
	int fd, err;

	if ((err = ccgov_path_open_beneath(&fd, rootfd, rel, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, rel)) < 0)
		return err;
	err = ccgov_file_read_fd(text, len, fd, rel, MAX_LOCK_FILE);
	close(fd);
	return err;
}

static int catalog_file(ccgov_sbom *s, int rootfd, const char *rel)
{
	char *text = NULL, *sum = NULL, *sum_path = NULL;
	size_t len = 0, sum_len = 0;
	int err;

	if ((err = read_in_tree(&text, &len, rootfd, rel)) < 0)
		return err;
	if (strcmp(base_name(rel), "Cargo.lock") == 0) {
		err = ccgov_catalog_cargo_lock(s, rel, text, len);
	} else if (strcmp(base_name(rel), "package-lock.json") == 0) {
		err = ccgov_catalog_npm_lock(s, rel, text, len);
	} else if (ccgov_vendored_header(base_name(rel))) {
		err = ccgov_catalog_vendored(s, rel, text, len);
	} else if (strncmp(rel, ".github/workflows/", 18) == 0) {
		err = ccgov_catalog_workflow(s, rel, text, len);
	} else if (strcmp(base_name(rel), "conan.lock") == 0) {
		err = ccgov_catalog_conan_lock(s, rel, text, len);
	} else if (strcmp(base_name(rel), "vcpkg.json") == 0) {
		err = ccgov_catalog_vcpkg(s, rel, text, len);
	} else if (strcmp(base_name(rel), "poetry.lock") == 0) {
		err = ccgov_catalog_poetry_lock(s, rel, text, len);
	} else if (strcmp(base_name(rel), "go.mod") != 0) {
		err = ccgov_catalog_requirements(s, rel, text, len);
	} else {
		/* go.sum beside go.mod; a module without dependencies has none. */
		if (asprintf(&sum_path, "%.*sgo.sum", (int)(strlen(rel) - strlen("go.mod")), rel) < 0)
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else if (read_in_tree(&sum, &sum_len, rootfd, sum_path) < 0 && ccgov_error_last()->code != CCGOV_ENOTFOUND)
			err = ccgov_sbom_warn(s, "%s: not read", ccgov_error_last()->message);
		if (err == 0)
			err = ccgov_catalog_go_mod(s, rel, text, len, sum, sum_len);
	}
	free(sum_path);
	free(sum);
	free(text);
	/*
	 * A lock file of the product that cannot be read is an error: the SBOM
	 * would miss what it pins. One under test/, fuzz/, docs/ or examples/
	 * (a fixture, often broken on purpose) is reported apart anyway: a
	 * warning says it was skipped.
	 */
	if (err < 0 && err != CCGOV_ENOMEM && ccgov_sbom_scope_of(rel))
		err = ccgov_sbom_warn(s, "%s (skipped)", ccgov_error_last()->message);
	return err;
}

/* The module path of a go.mod ("module example.org/app"), or NULL. */
static char *go_module_path(const char *text, size_t len)
{
	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

		if ((size_t)(e - p) > 7 && strncmp(p, "module", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
			const char *v = p + 7;
			size_t n;

			while (v < e && (*v == ' ' || *v == '\t' || *v == '"'))
				v++;
			for (n = 0; v + n < e && !strchr(" \t\r\"", v[n]); n++)
				;
			return n ? strndup(v, n) : NULL;
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

/* A string at a path of keys in a parsed manifest, or NULL. */
static char *string_at(const cJSON *doc, const char *table, const char *key)
{
	const cJSON *t = table ? cJSON_GetObjectItemCaseSensitive(doc, table) : doc;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(t, key);

	return cJSON_IsString(v) && v->valuestring[0] ? strdup(v->valuestring) : NULL;
}

/*
 * The name a project manifest at the top of the tree declares:
 * Cargo.toml [package] name, package.json name, pyproject.toml [project]
 * name, go.mod's module path, in that order; NULL if none does.
 */
static char *manifest_name(int rootfd)
{
	static const char *const files[] = { "Cargo.toml", "package.json", "pyproject.toml", "go.mod" };
	char *name = NULL;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !name; i++) {
		char *text = NULL;
		size_t len = 0;
		cJSON *doc = NULL;

		if (read_in_tree(&text, &len, rootfd, files[i]) < 0)
			continue;
		if (i == 3)
			name = go_module_path(text, len);
		else if ((i == 1 ? ccgov_json_parse(&doc, text, len, files[i]) : ccgov_toml_parse(&doc, text, len, files[i])) == 0)
			name = string_at(doc, i == 0 ? "package" : i == 2 ? "project" : NULL, "name");
		cJSON_Delete(doc);
		free(text);
		/* A name the document could not hold is no name. */
		if (name && (strlen(name) > CCGOV_SBOM_TEXT_MAX || !ccgov_sbom_text_fits(name, strlen(name)))) {
			free(name);
			name = NULL;
		}
	}
	return name;
}

/*
 * The project's name: given, or ccgov.json's, or its remote's last part,
 * or what its manifest declares, or its folder's name (the only one that
 * depends on where it is checked out).
 */
static char *project_name(const char *given, const char *url, const char *root, int rootfd)
{
	char *real, *name, *config = ccgov_path_join(root, "ccgov.json");
	ccgov_project *p = NULL;
	const char *base;
	size_t n;

	if (given) {
		free(config);
		return strdup(given);
	}
	if (config && ccgov_project_load(&p, config, "ccgov.json") == 0 && p->name) {
		name = strdup(p->name);
		ccgov_project_free(p);
		free(config);
		return name;
	}
	ccgov_project_free(p);
	free(config);
	if (url) {
		base = base_name(url);
		n = strlen(base);
		if (n > 4 && strcmp(base + n - 4, ".git") == 0)
			n -= 4;
		if (n)
			return strndup(base, n);
	}
	if ((name = manifest_name(rootfd)))
		return name;
	if (!(real = realpath(root, NULL)))
		return strdup(base_name(root));
	name = strdup(base_name(real));
	free(real);
	return name;
}

/* The VCS facts of the document: one commit's, whatever is checked out. */
typedef struct {
	ccgov_repo *repo;          /* NULL: no VCS, or a repository without a commit yet */
	const char *rev;           /* the commit described */
	const char *prefix;        /* the tree's place in the repository */
	char commit[CCGOV_OID_HEX];
} vcs_facts;

static int describe_root(ccgov_sbom *s, const ccgov_sbom_options *opts, const vcs_facts *vcs, int rootfd)
{
	char *url = NULL, *version = NULL, *name, *purl = NULL;
	ccgov_component *r = &s->root;
	int err = 0;

	if (vcs->repo) {
		if ((err = ccgov_repo_describe(&version, vcs->repo, vcs->rev)) < 0)
			return err;
		if (ccgov_repo_remote_url(&url, vcs->repo, NULL) < 0)
			url = NULL;
		/* git config takes any bytes: a remote that is not text names nothing here. */
		if (url && (err = ccgov_sbom_usable(s, ".git/config", "remote url", url, NULL)) <= 0) {
			free(url);
			url = NULL;
			if (err < 0) {
				free(version);
				return err;
			}
		}
		err = 0;
	}
	if (!(name = project_name(opts->name, url, opts->root, rootfd))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	if (url)
		purl = ccgov_purl_github(url, vcs->commit);
	/* An image-style name "org/app" is namespace and name. */
	if (!purl)
		purl = ccgov_purl_split("generic", name, strrchr(name, '/'), version);
	r->type = "application";
	r->name = name;
	name = NULL;
	r->version = version;
	version = NULL;
	r->purl = purl;
	if (!purl || !(r->ref = strdup(purl))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	/* A remote that is a folder on this machine is no remote here (ccgov_repo_remote_url): one rule for all evidence. */
	if (url)
		err = ccgov_component_property(r, "ccgov:vcs:url", url);
	if (err == 0 && vcs->repo)
		err = ccgov_component_property(r, "ccgov:vcs:commit", vcs->commit);
done:
	free(name);
	free(version);
	free(url);
	return err;
}

/* The submodules the commit pins under the tree (prefix: the tree's place in the repository). */
static int catalog_submodules(ccgov_sbom *s, const vcs_facts *vcs)
{
	ccgov_repo_submodule *subs;
	size_t n, plen = strlen(vcs->prefix);
	int err = ccgov_repo_submodules(&subs, &n, vcs->repo, vcs->rev);

	for (size_t i = 0; i < n && err == 0; i++) {
		const char *p = subs[i].path;

		if (plen && (strncmp(p, vcs->prefix, plen) != 0 || p[plen] != '/'))
			continue;
		err = ccgov_catalog_submodule(s, p + (plen ? plen + 1 : 0), subs[i].url, subs[i].id);
	}
	ccgov_repo_submodules_free(subs, n);
	return err;
}

/*
 * With an image, the document is about the image: the root becomes it
 * (pkg:oci/NAME@DIGEST, type container), keeping the source's facts as
 * properties, and what the image holds joins what the source pins.
 */
int ccgov_sbom_describe_image(ccgov_sbom *s, const char *layout_dir)
{
	char digest[CCGOV_DIGEST_STRING_MAX];
	ccgov_rootfs *fs = NULL;
	cJSON *annotations = NULL;
	int err = ccgov_image_files_read(&fs, layout_dir, digest, &annotations);

	if (err == 0)
		err = ccgov_sbom_describe_image_files(s, fs, digest, annotations);
	ccgov_rootfs_free(fs);
	cJSON_Delete(annotations);
	return err;
}

/*
 * The base an image was built on, as its manifest's annotations name it
 * (image-spec annotations.md: base.name, base.digest): a container
 * component the image depends on, version its manifest digest. The same
 * from ccgov build and from ccgov sbom --image of its output.
 */
static int describe_base(ccgov_sbom *s, const cJSON *annotations)
{
	const char *name = ccgov_json_string(annotations, "org.opencontainers.image.base.name");
	const char *digest = ccgov_json_string(annotations, "org.opencontainers.image.base.digest");
	ccgov_component *c = NULL;
	char *purl;
	int err;

	if (!name || !digest)
		return 0;
	if ((err = ccgov_sbom_usable(s, "the image's manifest", "base.name", name, "base.digest", digest, NULL)) <= 0)
		return err;
	if (!(purl = ccgov_purl("oci", NULL, name, digest)) ||
	    !(c = ccgov_sbom_add(s, "container", name, digest, purl, "base")) ||
	    ccgov_component_depends(&s->root, c->ref) < 0) {
		free(purl);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	free(purl);
	ccgov_component_use(c, CCGOV_DEP_RUNTIME, NULL, 1);
	return 0;
}

int ccgov_sbom_describe_image_files(ccgov_sbom *s, ccgov_rootfs *fs, const char *digest, const cJSON *annotations)
{
	char *purl, *name;
	const char *slash = strrchr(s->root.name, '/');
	ccgov_component *r = &s->root;
	int err = ccgov_sbom_catalog_image_files(s, fs);

	if (err == 0)
		err = describe_base(s, annotations);
	if (err < 0)
		return err;
	if (r->version && (err = ccgov_component_property(r, "ccgov:source:version", r->version)) < 0)
		return err;
	if (!(name = strdup(slash ? slash + 1 : r->name)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (char *c = name; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	purl = ccgov_purl("oci", NULL, name, digest);
	free(name);
	if (!purl)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	free(r->version);
	free(r->purl);
	free(r->ref);
	r->type = "container";
	r->version = strdup(digest);
	r->purl = purl;
	r->ref = strdup(purl);
	return r->version && r->ref ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}

/* SOURCE_DATE_EPOCH, else the commit's time, else the epoch itself: never the clock. */
static int document_time(int64_t *out, const vcs_facts *vcs)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");

	*out = 0;
	if (sde && *sde)
		return ccgov_timestamp_parse_epoch(out, sde) < 0 ? ccgov_error_wrap("SOURCE_DATE_EPOCH") : 0;
	if (vcs->repo && ccgov_repo_commit_time(out, vcs->repo, vcs->rev) < 0)
		*out = 0;
	return 0;
}

/*
 * The commit that describes the tree: source's, or HEAD of the repository
 * holding root (*owned: opened here). A repository without a commit yet
 * describes nothing, as a folder outside git.
 */
static int find_vcs(vcs_facts *vcs, ccgov_repo **owned, char **prefix, const ccgov_sbom_options *opts)
{
	int err;

	memset(vcs, 0, sizeof(*vcs));
	*owned = NULL;
	*prefix = NULL;
	if (opts->source) {
		vcs->repo = opts->source->repo;
		vcs->rev = opts->source->commit;
		vcs->prefix = opts->source->path ? opts->source->path : "";
	} else {
		if (ccgov_repo_open(owned, opts->root) < 0)
			return 0;
		if ((err = ccgov_repo_relative_path(prefix, *owned, opts->root)) < 0)
			return err;
		vcs->repo = *owned;
		vcs->rev = "HEAD";
		vcs->prefix = *prefix;
	}
	if (vcs->repo && ccgov_repo_commit_id(vcs->commit, vcs->repo, vcs->rev) < 0) {
		if (opts->source)
			return CCGOV_ENOTFOUND; /* the commit just exported: its message stands */
		vcs->repo = NULL;
	}
	return 0;
}

int ccgov_sbom_collect(ccgov_sbom *s, const ccgov_sbom_options *opts)
{
	ccgov_repo *owned = NULL;
	path_list locks = { 0 };
	char *prefix = NULL;
	vcs_facts vcs;
	struct stat st, held;
	int err, rootfd;

	/* The tree is held by one descriptor from the start: lock files are read from it, whatever the path holds later. */
	if ((rootfd = open(opts->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return errno == ENOTDIR ? ccgov_error_set(CCGOV_EINVALID, "%s: not a folder", opts->root)
					: ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", opts->root);
	if ((err = find_vcs(&vcs, &owned, &prefix, opts)) < 0 || (err = describe_root(s, opts, &vcs, rootfd)) < 0 ||
	    (err = document_time(&s->time, &vcs)) < 0)
		goto done;
	/* An exported tree holds only what was committed: no ignore rule applies to it. */
	err = find_lock_files(&locks, opts->root, opts->source ? NULL : owned, vcs.prefix ? vcs.prefix : "");
	/* The walk went by path: it must have walked the tree held, not one put in its place. */
	if (err == 0 && (fstat(rootfd, &held) < 0 || stat(opts->root, &st) < 0 || st.st_dev != held.st_dev ||
			 st.st_ino != held.st_ino))
		err = ccgov_error_set(CCGOV_EIO, "%s: replaced while being read", opts->root);
	for (size_t i = 0; i < locks.len && err == 0; i++)
		err = catalog_file(s, rootfd, locks.paths[i]);
	if (err == 0 && vcs.repo)
		err = catalog_submodules(s, &vcs);
	if (err == 0 && opts->image)
		err = ccgov_sbom_describe_image(s, opts->image);
done:
	close(rootfd);
	for (size_t i = 0; i < locks.len; i++)
		free(locks.paths[i]);
	free(locks.paths);
	free(prefix);
	ccgov_repo_free(owned);
	return err;
}
