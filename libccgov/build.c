#include "build_image.h"

#include <ccgov/buffer.h>
#include <ccgov/build.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/image_files.h>
#include <ccgov/json.h>
#include <ccgov/interrupt.h>
#include <ccgov/layer.h>
#include <ccgov/owned_dir.h>
#include <ccgov/path.h>
#include <ccgov/provenance.h>
#include <ccgov/sandbox.h>
#include <ccgov/sbom.h>
#include <ccgov/timestamp.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct ccgov_build {
	ccgov_build_options opts;
	ccgov_owned_dir *dir; /* the real build folder, locked while we hold it */
	char *root;        /* its path */
	char *view;        /* the path the build command sees it at */
	int isolated;      /* view is shown in a private mount namespace */
	char *src;         /* root/src: the exported tree */
	char *project;     /* the project's folder inside src */

	int has_git;
	ccgov_repo *repo;  /* held open from the export to the SBOM: both read one repository */
	char commit[CCGOV_OID_HEX];
	ccgov_repo_submodule *submodules; /* as the export met them */
	size_t nsubmodules;
	char *remote;
	char *rel_path;    /* project path inside the repository */
	int dirty;
	int64_t epoch;
	const char *epoch_source;
	int64_t started, finished;

	ccgov_build_timings timings;
	char **env;        /* the build's environment, "K=V", NULL-terminated */
	cJSON *env_record; /* the same for provenance; kept values as digests */
	ccgov_sbom sbom;   /* the source's, read before the build command runs */
	int has_sbom;
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void ccgov_build_get_timings(ccgov_build_timings *out, const ccgov_build *b)
{
	*out = b->timings;
}

const char *ccgov_build_project_dir(const ccgov_build *b)
{
	return b->project;
}

int64_t ccgov_build_source_date_epoch(const ccgov_build *b)
{
	return b->epoch;
}

const char *ccgov_build_commit(const ccgov_build *b)
{
	return b->has_git ? b->commit : NULL;
}

static char *join(const char *a, const char *b)
{
	return ccgov_path_join(a, b);
}

/* ---- the build folder ------------------------------------------------- */

static void say_waiting(void *ctx, const char *path, long pid)
{
	const ccgov_build_options *o = ctx;

	if (o->on_wait)
		o->on_wait(o->wait_ctx, path, pid);
}

/* An absolute path: the build's HOME and TMPDIR must not depend on where it starts. */
static int absolute(char **out, const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/')
		*out = strdup(path);
	else if (!getcwd(cwd, sizeof(cwd)))
		return ccgov_error_set_errno(CCGOV_EIO, errno, "current folder");
	else
		*out = join(cwd, path);
	return *out ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}

/* Where real build folders go when the build sees a fixed view of them. */
static const char *temp_base(void)
{
	const char *t = getenv("TMPDIR");
	struct stat st;

	return t && t[0] == '/' && stat(t, &st) == 0 && S_ISDIR(st.st_mode) ? t : "/tmp";
}

/*
 * The real folder. In a private mount namespace every build gets one of
 * its own (--build-dir, or a fresh one in TMPDIR), shown to the build at
 * the fixed path. Without, the build runs at the real path, so the fixed
 * path itself is claimed, one build at a time.
 */
static int claim_build_dir(ccgov_build *b)
{
	ccgov_claim_options claim = {
		.timeout = b->opts.lock_timeout, .on_wait = say_waiting, .ctx = &b->opts,
		.what = "build folder", .option = "--build-dir",
	};
	char *path = NULL, *template = NULL;
	int err;

	b->isolated = !b->opts.no_namespace && ccgov_sandbox_available();
	if (b->opts.build_dir || !b->isolated) {
		if ((err = absolute(&path, b->opts.build_dir ? b->opts.build_dir : CCGOV_DEFAULT_BUILD_DIR)) == 0)
			err = ccgov_owned_dir_claim(&b->dir, path, &claim);
	} else {
		ccgov_owned_dir_sweep(temp_base(), "ccgov-build.");
		if (!(template = join(temp_base(), "ccgov-build.XXXXXX")))
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else
			err = ccgov_owned_dir_create_temp(&b->dir, template);
	}
	free(path);
	free(template);
	if (err < 0)
		return err;
	if (!(b->root = strdup(ccgov_owned_dir_path(b->dir))) ||
	    !(b->view = strdup(b->isolated ? CCGOV_DEFAULT_BUILD_DIR : b->root)) ||
	    !(b->src = join(b->root, "src")))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (fchmod(ccgov_owned_dir_fd(b->dir), 0700) < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", b->root);
	return 0;
}

/* ---- the source ------------------------------------------------------- */

static int read_git_source(ccgov_build *b, ccgov_repo *repo)
{
	const char *rev = b->opts.rev ? b->opts.rev : "HEAD";
	int64_t commit_time;
	int err;

	b->has_git = 1;
	if ((err = ccgov_repo_relative_path(&b->rel_path, repo, b->opts.project_dir)) < 0 ||
	    (err = ccgov_repo_commit_id(b->commit, repo, rev)) < 0 ||
	    (err = ccgov_repo_commit_time(&commit_time, repo, rev)) < 0 ||
	    (err = ccgov_repo_is_dirty(&b->dirty, repo, b->commit)) < 0)
		return err;
	if (b->dirty && !b->opts.allow_dirty)
		return ccgov_error_set(CCGOV_EINVALID,
				       "%s: the work tree has uncommitted changes; commit them, or pass --allow-dirty (the build still uses the committed tree, and the provenance says the tree was dirty)",
				       ccgov_repo_workdir(repo));
	err = ccgov_repo_remote_url(&b->remote, repo, NULL);
	if (err == CCGOV_ENOTFOUND)
		err = 0;
	if (err == 0 && b->epoch_source == NULL) {
		b->epoch = commit_time;
		b->epoch_source = "commit time";
	}
	return err;
}

/* Without git, the newest mtime in the folder stands in for the commit time. */
static int newest_mtime(int64_t *out, const char *dir, int depth)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int err = 0;

	if (lstat(dir, &st) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", dir);
	if (st.st_mtim.tv_sec > *out)
		*out = st.st_mtim.tv_sec;
	if (!S_ISDIR(st.st_mode) || depth > 256)
		return 0;
	if ((err = ccgov_file_open_folder(&d, dir, &st, dir)) < 0)
		return err;
	while (err == 0 && (de = readdir(d))) {
		char *p;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (!(p = join(dir, de->d_name)))
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else
			err = newest_mtime(out, p, depth + 1);
		free(p);
	}
	closedir(d);
	return err;
}

/*
 * What the source is: the commit rev names (and whether the work tree
 * differs from it), or, outside git, the folder as it is. Read before any
 * folder is made, so a bad --rev or a dirty tree costs nothing.
 */
static int read_source(ccgov_build *b)
{
	int err = ccgov_repo_open(&b->repo, b->opts.project_dir);

	if (err == 0)
		return read_git_source(b, b->repo);
	if (err != CCGOV_ENOTFOUND || !strstr(ccgov_error_last()->message, "not inside a git repository"))
		return err;
	/* No VCS: the folder as it is, and the provenance says so. */
	if (b->opts.rev)
		return ccgov_error_set(CCGOV_EINVALID, "%s: --rev needs a git repository", b->opts.project_dir);
	if (!b->epoch_source) {
		b->epoch = 0;
		if ((err = newest_mtime(&b->epoch, b->opts.project_dir, 0)) < 0)
			return err;
		b->epoch_source = "newest file time";
	}
	return (b->rel_path = strdup("")) ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}

static int export_source(ccgov_build *b)
{
	int err;

	/* The commit id, not rev: a branch or tag moved meanwhile must not change what is exported. */
	if (b->has_git)
		err = ccgov_repo_export_ext(&b->submodules, &b->nsubmodules, b->repo, b->commit, b->src,
					    b->opts.no_submodules ? CCGOV_SUBMODULES_LEAVE_EMPTY : CCGOV_SUBMODULES_EXPORT);
	else
		err = ccgov_file_copy_tree(b->opts.project_dir, b->src);
	if (err < 0)
		return err;
	b->project = b->rel_path[0] ? join(b->src, b->rel_path) : strdup(b->src);
	if (!b->project)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (access(b->project, F_OK) != 0)
		return ccgov_error_set(CCGOV_ENOTFOUND, "%s: not in the committed tree of %s",
				       b->rel_path, b->opts.rev ? b->opts.rev : "HEAD");
	return 0;
}

/* ---- the environment -------------------------------------------------- */

static int env_push(ccgov_build *b, size_t *n, const char *key, const char *value)
{
	ccgov_buffer kv = CCGOV_BUFFER_INIT;
	char **env = realloc(b->env, (*n + 2) * sizeof(*env));

	if (!env)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	b->env = env;
	ccgov_buffer_printf(&kv, "%s=%s", key, value);
	if (kv.failed)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	b->env[(*n)++] = ccgov_buffer_detach(&kv, NULL);
	b->env[*n] = NULL;
	return 0;
}

int ccgov_build_check_keep_env(const char *name)
{
	if (!ccgov_env_name_valid(name, strlen(name)))
		return ccgov_error_set(CCGOV_EINVALID,
				       "--keep-env: '%s' is not a variable name (letters, digits and _, not starting with a digit)",
				       name);
	return 0;
}

/* Whether keep_env[k] was named before it: a name kept twice is kept once. */
static int kept_before(const ccgov_build *b, size_t k)
{
	for (size_t i = 0; i < k; i++)
		if (strcmp(b->opts.keep_env[i], b->opts.keep_env[k]) == 0)
			return 1;
	return 0;
}

/*
 * The build sees only this: a fixed PATH, UTC, the C.UTF-8 locale, a fresh
 * HOME and TMPDIR inside the build folder (as the build sees it),
 * SOURCE_DATE_EPOCH, and what --keep-env names. Kept values may be
 * secrets, so provenance records only their SHA-256.
 */
static int make_environment(ccgov_build *b)
{
	char epoch[24], *home = join(b->view, "home"), *tmp = join(b->view, "tmp");
	char *real_home = join(b->root, "home"), *real_tmp = join(b->root, "tmp");
	const char *fixed[][2] = {
		{ "HOME", home },    { "LANG", "C.UTF-8" },         { "LC_ALL", "C.UTF-8" },
		{ "PATH", CCGOV_BUILD_PATH }, { "SOURCE_DATE_EPOCH", epoch },
		{ "TMPDIR", tmp },   { "TZ", "UTC" },
	};
	cJSON *kept;
	size_t n = 0;
	int err = 0;

	if (!home || !tmp || !real_home || !real_tmp || !(b->env_record = cJSON_CreateObject())) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	if (mkdir(real_home, 0755) < 0 || mkdir(real_tmp, 0755) < 0) {
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", b->root);
		goto done;
	}
	snprintf(epoch, sizeof(epoch), "%lld", (long long)b->epoch);
	kept = cJSON_CreateObject();
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]) && err == 0; i++) {
		const char *value = fixed[i][1];

		for (size_t k = 0; k < b->opts.nkeep_env; k++) {
			const char *v = getenv(b->opts.keep_env[k]);

			if (strcmp(b->opts.keep_env[k], fixed[i][0]) == 0 && v)
				value = v;
		}
		err = env_push(b, &n, fixed[i][0], value);
		if (value == fixed[i][1])
			cJSON_AddStringToObject(b->env_record, fixed[i][0], value);
	}
	for (size_t k = 0; k < b->opts.nkeep_env && err == 0; k++) {
		const char *name = b->opts.keep_env[k], *v = getenv(name);
		char text[CCGOV_DIGEST_STRING_MAX];
		ccgov_digest d;
		int fixed_name = 0;

		if (kept_before(b, k))
			continue;
		for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
			fixed_name |= strcmp(name, fixed[i][0]) == 0;
		if (!v) {
			cJSON_AddNullToObject(kept, name);
			continue;
		}
		if (!fixed_name)
			err = env_push(b, &n, name, v);
		if (err == 0 && (err = ccgov_digest_buffer(&d, CCGOV_SHA256, v, strlen(v))) == 0) {
			ccgov_digest_string(text, &d);
			cJSON_AddStringToObject(kept, name, text);
		}
	}
	cJSON_AddItemToObject(b->env_record, "kept", kept);
done:
	free(home);
	free(tmp);
	free(real_home);
	free(real_tmp);
	return err;
}

int ccgov_build_prepare(ccgov_build **out, const ccgov_build_options *opts)
{
	ccgov_build *b = calloc(1, sizeof(*b));
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	int err;

	*out = NULL;
	if (!b)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	b->opts = *opts;
	if (!b->opts.project_dir)
		b->opts.project_dir = ".";
	/* Options are checked before any work: a bad name must not cost a whole build. */
	for (size_t k = 0; k < b->opts.nkeep_env; k++) {
		if ((err = ccgov_build_check_keep_env(b->opts.keep_env[k])) < 0) {
			ccgov_build_free(b);
			return err;
		}
	}
	/* The project and its repository above it are never a build folder or a bundle. */
	if ((err = ccgov_protect_path(b->opts.project_dir, "the project being built")) < 0) {
		ccgov_build_free(b);
		return err;
	}
	if (sde && sde[0]) {
		if ((err = ccgov_timestamp_parse_epoch(&b->epoch, sde)) < 0) {
			ccgov_build_free(b);
			return err;
		}
		b->epoch_source = "SOURCE_DATE_EPOCH";
	}
	b->started = (int64_t)time(NULL);
	b->timings.source = now();
	if ((err = read_source(b)) < 0 || (err = claim_build_dir(b)) < 0 || (err = export_source(b)) < 0 ||
	    (err = ccgov_interrupt_check()) < 0 || (err = make_environment(b)) < 0) {
		ccgov_build_free(b);
		return err;
	}
	b->timings.source = now() - b->timings.source;
	*out = b;
	return 0;
}

/* ---- running the build command ---------------------------------------- */

/* --timeout, else ccgov.json's "timeout", else none (0). */
static double build_timeout(const ccgov_build *b, const ccgov_project *p)
{
	return b->opts.timeout > 0 ? b->opts.timeout : (double)p->timeout;
}

/*
 * The source's SBOM, read from the exported tree before the build command
 * runs: it describes the commit built (what a fresh clone of it holds),
 * never the checkout it was built from, nor what the command writes into
 * the tree. Named after the image, as ccgov sbom --name would.
 */
static int describe_source(ccgov_build *b, const ccgov_project *p)
{
	ccgov_sbom_source source = { .repo = b->repo, .commit = b->commit, .path = b->rel_path };
	ccgov_sbom_options opts = { .root = b->project, .name = p->name, .source = &source };
	double started = now();
	int err;

	if (b->has_sbom)
		return 0;
	ccgov_sbom_init(&b->sbom);
	b->has_sbom = 1;
	err = ccgov_sbom_collect(&b->sbom, &opts);
	b->timings.source += now() - started;
	return err;
}

int ccgov_build_run(ccgov_build *b, const ccgov_project *p)
{
	ccgov_sandbox_spec spec = {
		.command = p->build, .env = b->env, .isolate = b->isolated,
		.root = b->root, .root_fd = ccgov_owned_dir_fd(b->dir), .view_path = CCGOV_DEFAULT_BUILD_DIR,
		.timeout = build_timeout(b, p),
		.output_fd = b->opts.output_fd,
	};
	char *src = join(b->view, "src"), *where = NULL;
	int err;

	/* The project's folder as the build sees it. */
	if (src)
		where = b->rel_path[0] ? join(src, b->rel_path) : strdup(src);
	spec.cwd = where;
	if (!where)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	else if ((err = describe_source(b, p)) == 0)
		err = ccgov_sandbox_run(&spec, &b->timings.build);
	free(src);
	free(where);
	return err;
}

/* ---- outputs and the bundle ------------------------------------------- */

/*
 * An output's parent folder must resolve inside the build tree; the output
 * itself is taken as it is (a link stays a link and is never followed).
 */
static int add_output(ccgov_fileset *fs, const ccgov_build *b, const ccgov_output *o)
{
	char *within = NULL, *parent = NULL, *source = NULL, *slash;
	int err;

	/* o->path is normalized: no "..", no "." components, not absolute. */
	if (!(within = b->rel_path[0] ? ccgov_path_join(b->rel_path, o->path) : strdup(o->path)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((slash = strrchr(within, '/'))) {
		*slash = '\0';
		if ((err = ccgov_path_resolve_beneath(&parent, b->src, within)) < 0) {
			err = ccgov_error_wrap("outputs: %s", o->path);
			goto done;
		}
		source = join(parent, slash + 1);
	} else {
		source = join(b->src, within);
	}
	err = source ? ccgov_fileset_add(fs, source, o->dest, o->path)
		     : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
done:
	free(within);
	free(parent);
	free(source);
	return err;
}

static int not_a_bundle(const char *out_dir)
{
	return ccgov_error_set(CCGOV_EEXISTS, "%s: exists and is not a ccgov evidence bundle; not replacing it", out_dir);
}

/*
 * What -o may replace: nothing, an empty folder (removed now: nothing is
 * lost), or a bundle that a ccgov run wrote (its marker names it). *old
 * gets the old bundle's proof, for removing it once swapped out. With
 * dry_run nothing is removed: an empty folder is only found empty.
 */
static int check_replaceable(int *has_old, ccgov_ownership *old, const char *out_dir, int dry_run)
{
	struct stat st;
	int fd, err, empty;

	*has_old = 0;
	if (lstat(out_dir, &st) < 0)
		return errno == ENOENT ? 0 : ccgov_error_set_errno(CCGOV_EIO, errno, "%s", out_dir);
	if (S_ISLNK(st.st_mode))
		return ccgov_error_set(CCGOV_EEXISTS, "%s: is a symbolic link; not replacing it", out_dir);
	if (!S_ISDIR(st.st_mode))
		return not_a_bundle(out_dir);
	if ((err = ccgov_check_removable(out_dir, &st)) < 0)
		return err;
	if ((fd = open(out_dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", out_dir);
	err = ccgov_marker_check(old, NULL, fd, out_dir);
	empty = err == CCGOV_ENOTFOUND && dry_run && ccgov_folder_is_empty(fd);
	close(fd);
	if (err == 0) {
		*has_old = 1;
		return 0;
	}
	if (err == CCGOV_ENOTFOUND) {
		if (dry_run)
			return empty ? 0 : not_a_bundle(out_dir);
		old->dev = st.st_dev;
		old->ino = st.st_ino;
		if (ccgov_remove(out_dir, old, CCGOV_REMOVE_EMPTY_ONLY) == 0)
			return 0;
		return not_a_bundle(out_dir);
	}
	/* A marker that names another folder, or is not ours: the same refusal, exit 2. */
	{
		char why[1024];

		snprintf(why, sizeof(why), "%s", ccgov_error_last()->message);
		return ccgov_error_set(CCGOV_EEXISTS, "%s; not replacing it", why);
	}
}

int ccgov_build_check_out_dir(const ccgov_build_options *opts, const char *out_dir)
{
	ccgov_ownership old;
	int has_old, err;

	/* As ccgov_build_prepare does: the project is never a bundle, and is named as such. */
	if ((err = ccgov_protect_path(opts->project_dir ? opts->project_dir : ".", "the project being built")) < 0)
		return err;
	return check_replaceable(&has_old, &old, out_dir, 1);
}

/* Moves the finished bundle to out_dir; an old one is swapped out in one step, then removed. */
static int publish_bundle(ccgov_owned_dir *tmp, const char *out_dir, int has_old, const ccgov_ownership *old)
{
	int err;

	if ((err = ccgov_interrupt_check()) < 0)
		return err;
	return has_old ? ccgov_owned_dir_replace(tmp, out_dir, old) : ccgov_owned_dir_publish(tmp, out_dir);
}

static int write_text(const char *dir, const char *name, const char *text, size_t len)
{
	char *path = join(dir, name);
	int err;

	if (!path)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	err = ccgov_file_write_atomic(path, text, len, 0644);
	free(path);
	return err;
}

/*
 * The base's name for the image's base.name annotation: its layout's or
 * archive's file name (not its path, which differs between machines),
 * without .tar.
 */
static char *base_name(const ccgov_base_ref *ref)
{
	const char *slash = strrchr(ref->path, '/');
	char *name = strdup(slash && slash[1] ? slash + 1 : ref->path), *dot;

	if (name && ref->archive && (dot = strstr(name, ".tar")) && dot > name)
		*dot = '\0';
	return name;
}

/*
 * The SBOMs of the build, in both formats, about the image just written:
 * what the committed source pins (read before the build ran) and what the
 * image holds (read back from it), its base included.
 */
static int write_sboms(ccgov_bundle *out, ccgov_build *b, const char *tmp, ccgov_rootfs *fs,
		       const cJSON *annotations)
{
	ccgov_buffer doc = CCGOV_BUFFER_INIT;
	ccgov_sbom *s = &b->sbom;
	int err;

	if (!b->has_sbom)
		return ccgov_error_set(CCGOV_ERROR, "the source was not described: ccgov_build_run() comes first");
	if ((err = ccgov_sbom_describe_image_files(s, fs, out->digest, annotations)) == 0 &&
	    (err = ccgov_sbom_write_cyclonedx(&doc, s)) == 0)
		err = write_text(tmp, "sbom.cdx.json", doc.data, doc.len);
	doc.len = 0;
	if (err == 0 && (err = ccgov_sbom_write_spdx(&doc, s)) == 0)
		err = write_text(tmp, "sbom.spdx.json", doc.data, doc.len);
	if (err == 0) {
		out->sbom_warnings = s->warnings;
		out->nsbom_warnings = s->nwarnings;
		s->warnings = NULL;
		s->nwarnings = 0;
	}
	ccgov_buffer_free(&doc);
	return err;
}

/* The pinned base, opened and copied into layout as it is read into fs (an archive is unpacked beside the build). */
static int take_base(ccgov_oci_reader **base, ccgov_build *b, const ccgov_base_ref *ref, const ccgov_project *p,
		     const char *layout, ccgov_rootfs *fs)
{
	char *scratch = ref->archive ? join(b->root, "base-archive") : NULL;
	int err = 0;

	if (ref->archive && (!scratch || mkdir(scratch, 0700) < 0))
		err = scratch ? ccgov_error_set_errno(CCGOV_EIO, errno, "%s", scratch)
			      : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (err == 0 && (err = ccgov_base_open(base, ref, b->opts.project_dir ? b->opts.project_dir : ".",
					       p->platform, scratch)) == 0)
		err = ccgov_build_take_base(fs, *base, layout, ref->written);
	free(scratch);
	return err;
}

/* NAME's value in a config's Env ("NAME=VALUE" strings), or NULL. */
static const char *env_value(const cJSON *env, const char *name)
{
	const cJSON *e;
	size_t n = strlen(name);

	cJSON_ArrayForEach(e, env)
		if (cJSON_IsString(e) && strncmp(e->valuestring, name, n) == 0 && e->valuestring[n] == '=')
			return e->valuestring + n + 1;
	return NULL;
}

/*
 * What the image checks found, as warnings; under --strict the first is
 * the error. The image's LD_LIBRARY_PATH is ours, else the base's, as the
 * merged config has it.
 */
static int check_image(ccgov_bundle *out, ccgov_build *b, ccgov_rootfs *fs, const ccgov_build_list *files,
		       const cJSON *config, ccgov_oci_reader *base)
{
	const char *lib_path = env_value(cJSON_GetObjectItemCaseSensitive(config, "Env"), "LD_LIBRARY_PATH");
	ccgov_build_list missing = { 0 };
	int err;

	if (!lib_path && base)
		lib_path = env_value(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
						     ccgov_oci_config(base), "config"), "Env"), "LD_LIBRARY_PATH");
	err = ccgov_build_check_libraries(fs, files, lib_path, &missing);

	if (err == 0 && missing.len && b->opts.strict)
		err = ccgov_error_set(CCGOV_EMISMATCH, "%s%s (--strict)", missing.items[0],
				      missing.len > 1 ? ", and more" : "");
	if (err < 0) {
		ccgov_build_list_free(&missing);
		return err;
	}
	out->warnings = missing.items;
	out->nwarnings = missing.len;
	return 0;
}

int ccgov_build_write_bundle(ccgov_bundle *out, ccgov_build *b, const ccgov_project *p,
			     const char *out_dir)
{
	ccgov_image_spec spec = { 0 };
	ccgov_fileset *fs = NULL;
	cJSON *config = NULL, *annotations = NULL, *statement = NULL;
	ccgov_buffer text = CCGOV_BUFFER_INIT;
	ccgov_owned_dir *bundle = NULL;
	ccgov_ownership old;
	ccgov_base_ref ref = { 0 };
	ccgov_oci_reader *base = NULL;
	ccgov_rootfs *files = NULL;
	ccgov_build_list own = { 0 };
	const char *tmp;
	char *layout = NULL, *blobs = NULL;
	int err, has_old;

	memset(out, 0, sizeof(*out));
	if ((err = check_replaceable(&has_old, &old, out_dir, 0)) < 0)
		return err;
	if (p->base && (err = ccgov_base_ref_parse(&ref, p->base)) < 0)
		return err;
	if ((err = ccgov_fileset_new(&fs)) < 0)
		goto done;
	for (size_t i = 0; i < p->noutputs && err == 0; i++)
		err = add_output(fs, b, &p->outputs[i]);
	/* Written beside out_dir under a private name, marked and locked. */
	if (err < 0 || (err = ccgov_owned_dir_create_beside(&bundle, out_dir)) < 0)
		goto done;
	tmp = ccgov_owned_dir_path(bundle);
	if (chmod(tmp, 0755) < 0 || !(layout = join(tmp, "image")) || mkdir(layout, 0755) < 0 ||
	    chmod(layout, 0755) < 0 || !(blobs = join(layout, "blobs")) || mkdir(blobs, 0755) < 0) {
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", tmp);
		goto done;
	}
	free(blobs);
	if (!(blobs = join(layout, "blobs/sha256")) || mkdir(blobs, 0755) < 0) {
		err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", tmp);
		goto done;
	}
	config = ccgov_project_image_config(p);
	annotations = cJSON_CreateObject();
	{
		char created[CCGOV_TIMESTAMP_MAX];

		ccgov_timestamp_format(created, b->epoch);
		cJSON_AddStringToObject(annotations, "org.opencontainers.image.created", created);
	}
	if (b->has_git)
		cJSON_AddStringToObject(annotations, "org.opencontainers.image.revision", b->commit);
	/*
	 * No org.opencontainers.image.source: the remote differs between clones
	 * of one commit, and the digest must not. The provenance names it.
	 */
	spec.tag = p->tag ? p->tag : "latest";
	spec.created = b->epoch;
	spec.architecture = ccgov_oci_host_architecture();
	spec.os = "linux";
	spec.config = config;
	spec.annotations = annotations;
	spec.created_by = "ccgov build";
	spec.compression = b->opts.compression;
	spec.threads = b->opts.threads;
	b->timings.pack = now();
	if ((err = ccgov_rootfs_new(&files, ccgov_file_facts_free)) < 0)
		goto done;
	if (p->base) {
		char manifest[CCGOV_DIGEST_STRING_MAX], *name;
		const char *arch;

		if ((err = take_base(&base, b, &ref, p, layout, files)) < 0)
			goto done;
		spec.base = base;
		/* The platform is the base's; base.digest and base.name (image-spec annotations.md) name it. */
		if ((arch = ccgov_json_string(ccgov_oci_config(base), "architecture")))
			spec.architecture = arch;
		ccgov_digest_string(manifest, &ccgov_oci_image(base)->manifest);
		cJSON_AddStringToObject(annotations, "org.opencontainers.image.base.digest", manifest);
		if (!(name = base_name(&ref))) {
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			goto done;
		}
		cJSON_AddStringToObject(annotations, "org.opencontainers.image.base.name", name);
		free(name);
	}
	if ((err = ccgov_oci_write(&out->image, layout, &spec, fs)) < 0 ||
	    (err = ccgov_build_read_own_layer(files, layout, p->base ? ref.written : NULL, &own)) < 0 ||
	    (err = check_image(out, b, files, &own, config, base)) < 0)
		goto done;
	b->timings.pack = now() - b->timings.pack;
	ccgov_digest_string(out->digest, &out->image.manifest);
	ccgov_buffer_printf(&text, "%s\n", out->digest);
	if ((err = ccgov_buffer_check(&text)) < 0 ||
	    (err = write_text(tmp, "image.digest", text.data, text.len)) < 0)
		goto done;
	b->finished = (int64_t)time(NULL);
	{
		ccgov_build_facts facts = {
			.path = b->rel_path, .has_git = b->has_git, .commit = b->commit,
			.remote = b->remote, .revision = b->opts.rev ? b->opts.rev : "HEAD",
			.dirty = b->dirty, .source_date_epoch = b->epoch,
			.source_date_epoch_from = b->epoch_source, .environment = b->env_record,
			.build_dir = b->view, .build_dir_isolated = b->isolated,
			.timeout = build_timeout(b, p), .started = b->started, .finished = b->finished,
			.compression = b->opts.compression, .architecture = spec.architecture,
			.submodules = b->submodules, .nsubmodules = b->nsubmodules,
			.submodules_left_empty = b->opts.no_submodules,
			.base = base ? ref.written : NULL, .base_pinned = &ref.digest,
			.base_manifest = base ? &ccgov_oci_image(base)->manifest : NULL,
		};

		if ((err = ccgov_provenance_build(&statement, &facts, p, &out->image)) < 0)
			goto done;
	}
	text.len = 0;
	if ((err = ccgov_json_write(&text, statement, CCGOV_JSON_CANONICAL)) < 0 ||
	    (err = write_text(tmp, "provenance.intoto.json", text.data, text.len)) < 0 ||
	    (err = write_sboms(out, b, tmp, files, annotations)) < 0)
		goto done;
	if (b->opts.oci_archive) {
		char *archive = join(tmp, "image.oci.tar");

		err = archive ? ccgov_oci_write_archive(layout, archive, b->epoch)
			      : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		free(archive);
		if (err < 0)
			goto done;
	}
	if ((err = publish_bundle(bundle, out_dir, has_old, &old)) < 0)
		goto done;
	ccgov_owned_dir_release(bundle);
	bundle = NULL;
	if (!(out->out_dir = strdup(out_dir)) || !(out->layout_dir = join(out_dir, "image")) ||
	    !(out->provenance_path = join(out_dir, "provenance.intoto.json")) ||
	    (b->opts.oci_archive && !(out->archive_path = join(out_dir, "image.oci.tar"))))
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
done:
	if (bundle) {
		int saved = err;

		ccgov_owned_dir_remove(bundle);
		err = saved;
	}
	free(layout);
	free(blobs);
	ccgov_buffer_free(&text);
	cJSON_Delete(config);
	cJSON_Delete(annotations);
	cJSON_Delete(statement);
	ccgov_fileset_free(fs);
	ccgov_build_list_free(&own);
	ccgov_rootfs_free(files);
	ccgov_oci_close(base);
	ccgov_base_ref_clear(&ref);
	return err;
}

void ccgov_bundle_clear(ccgov_bundle *bundle)
{
	free(bundle->out_dir);
	free(bundle->layout_dir);
	free(bundle->provenance_path);
	free(bundle->archive_path);
	for (size_t i = 0; i < bundle->nsbom_warnings; i++)
		free(bundle->sbom_warnings[i]);
	free(bundle->sbom_warnings);
	for (size_t i = 0; i < bundle->nwarnings; i++)
		free(bundle->warnings[i]);
	free(bundle->warnings);
	memset(bundle, 0, sizeof(*bundle));
}

void ccgov_build_free(ccgov_build *b)
{
	if (!b)
		return;
	if (b->opts.keep_build_dir)
		ccgov_owned_dir_release(b->dir);
	else
		ccgov_owned_dir_remove(b->dir);
	free(b->root);
	free(b->view);
	free(b->src);
	free(b->project);
	free(b->remote);
	free(b->rel_path);
	ccgov_repo_free(b->repo);
	if (b->has_sbom)
		ccgov_sbom_free(&b->sbom);
	ccgov_repo_submodules_free(b->submodules, b->nsubmodules);
	for (size_t i = 0; b->env && b->env[i]; i++)
		free(b->env[i]);
	free(b->env);
	cJSON_Delete(b->env_record);
	free(b);
}
