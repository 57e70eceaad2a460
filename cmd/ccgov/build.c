#include "cli.h"

#include <ccgov/ccgov.h>
#include <ccgov/base.h>
#include <ccgov/build.h>

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_LOCK_TIMEOUT 600 /* seconds: longer than most builds, shorter than a CI job */

/* Image settings from flags, applied over ccgov.json in the order given. */
struct override {
	int option;
	const char *value;
};

enum {
	OPT_COMMAND = 256, OPT_OUTPUT, OPT_NAME, OPT_TAG, OPT_ENTRYPOINT, OPT_CMD, OPT_ENV,
	OPT_LABEL, OPT_USER, OPT_WORKDIR, OPT_KEEP_ENV, OPT_BUILD_DIR, OPT_THREADS, OPT_FORMAT,
	OPT_COMPRESSION, OPT_ALLOW_DIRTY, OPT_REV, OPT_KEEP_BUILD_DIR, OPT_OCI_ARCHIVE, OPT_TIMEOUT,
	OPT_LOCK_TIMEOUT, OPT_NO_NAMESPACE, OPT_NO_SUBMODULES, OPT_BASE, OPT_PLATFORM, OPT_STRICT
};

static const struct option longopts[] = {
	{ "output-dir", required_argument, NULL, 'o' },
	{ "rev", required_argument, NULL, OPT_REV },
	{ "allow-dirty", no_argument, NULL, OPT_ALLOW_DIRTY },
	{ "no-submodules", no_argument, NULL, OPT_NO_SUBMODULES },
	{ "compression", required_argument, NULL, OPT_COMPRESSION },
	{ "command", required_argument, NULL, OPT_COMMAND },
	{ "output", required_argument, NULL, OPT_OUTPUT },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "tag", required_argument, NULL, OPT_TAG },
	{ "entrypoint", required_argument, NULL, OPT_ENTRYPOINT },
	{ "cmd", required_argument, NULL, OPT_CMD },
	{ "env", required_argument, NULL, OPT_ENV },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "user", required_argument, NULL, OPT_USER },
	{ "workdir", required_argument, NULL, OPT_WORKDIR },
	{ "base", required_argument, NULL, OPT_BASE },
	{ "platform", required_argument, NULL, OPT_PLATFORM },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "keep-env", required_argument, NULL, OPT_KEEP_ENV },
	{ "build-dir", required_argument, NULL, OPT_BUILD_DIR },
	{ "keep-build-dir", no_argument, NULL, OPT_KEEP_BUILD_DIR },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT },
	{ "no-namespace", no_argument, NULL, OPT_NO_NAMESPACE },
	{ "oci-archive", no_argument, NULL, OPT_OCI_ARCHIVE },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 }
};

/*
 * --base with a relative path means one under the current folder (in
 * ccgov.json, under the project): it is made absolute here, once.
 */
static int set_base(ccgov_project *p, const char *value)
{
	ccgov_base_ref ref;
	char *cwd = NULL, *abs = NULL;
	int err;

	if ((err = ccgov_base_ref_parse(&ref, value)) < 0)
		return ccgov_error_wrap("--base");
	if (ref.path[0] == '/') {
		err = ccgov_project_set_string(p, "base", value);
	} else if (!(cwd = getcwd(NULL, 0)) ||
		   asprintf(&abs, "%s:%s/%s", ref.archive ? "oci-archive" : "oci", cwd, value + (ref.archive ? 12 : 4)) < 0) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		abs = NULL;
	} else {
		err = ccgov_project_set_string(p, "base", abs);
	}
	free(cwd);
	free(abs);
	ccgov_base_ref_clear(&ref);
	return err;
}

static int apply(ccgov_project *p, const struct override *o, int *outputs_replaced)
{
	switch (o->option) {
	case OPT_BASE: return set_base(p, o->value);
	case OPT_PLATFORM: return ccgov_project_set_string(p, "platform", o->value);
	case OPT_COMMAND: return ccgov_project_set_string(p, "build", o->value);
	case OPT_NAME: return ccgov_project_set_string(p, "name", o->value);
	case OPT_TAG: return ccgov_project_set_string(p, "tag", o->value);
	case OPT_USER: return ccgov_project_set_string(p, "user", o->value);
	case OPT_WORKDIR: return ccgov_project_set_string(p, "workdir", o->value);
	case OPT_ENTRYPOINT: return ccgov_project_set_argv(p, "entrypoint", o->value);
	case OPT_CMD: return ccgov_project_set_argv(p, "cmd", o->value);
	case OPT_ENV: return ccgov_project_add_env(p, o->value);
	case OPT_LABEL: return ccgov_project_add_label(p, o->value);
	case OPT_OUTPUT: {
		int replace = !*outputs_replaced;

		*outputs_replaced = 1;
		return ccgov_project_add_output(p, o->value, replace);
	}
	}
	return 0;
}

/*
 * ccgov.json comes from the exported tree: uncommitted settings never reach
 * a build. One in the work tree only is named, not silently passed over.
 */
static int load_project(ccgov_project **out, const ccgov_build *b, const char *project_dir)
{
	char *path = ccgov_path_join(ccgov_build_project_dir(b), CCGOV_PROJECT_FILE);
	char *shown = ccgov_path_join(project_dir, CCGOV_PROJECT_FILE);
	int err;

	if (!path || !shown)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	else if ((err = ccgov_project_load(out, path, shown)) != CCGOV_ENOTFOUND)
		;
	else if (ccgov_build_commit(b) && access(shown, F_OK) == 0)
		err = ccgov_error_set(CCGOV_EINVALID,
				      "%s: not committed; commit it (ccgov builds only what is committed)", shown);
	else
		err = ccgov_project_new(out);
	free(path);
	free(shown);
	return err;
}

static int print_summary(const ccgov_bundle *bundle, const ccgov_project *p, const ccgov_build *b,
			 enum output_format format)
{
	char diff_id[CCGOV_DIGEST_STRING_MAX], blob[CCGOV_DIGEST_STRING_MAX];
	const ccgov_layer *l = &bundle->image.layer;
	cJSON *root, *layer;
	int err;

	ccgov_digest_string(diff_id, &l->diff_id);
	ccgov_digest_string(blob, &l->blob);
	if (format == FORMAT_TEXT) {
		printf("image       %s (%s:%s)\n", bundle->layout_dir, p->name, p->tag ? p->tag : "latest");
		printf("source      %s\n", ccgov_build_commit(b) ? ccgov_build_commit(b) : "(no VCS)");
		printf("layer       %s (%s, %llu bytes)\n", blob, l->media_type,
		       (unsigned long long)l->blob_size);
		printf("diff_id     %s (%llu bytes)\n", diff_id, (unsigned long long)l->tar_size);
		printf("provenance  %s\n", bundle->provenance_path);
		printf("sbom        %s/sbom.cdx.json, sbom.spdx.json\n", bundle->out_dir);
		if (bundle->archive_path)
			printf("archive     %s\n", bundle->archive_path);
		printf("%s\n", bundle->digest);
		return 0;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "digest", bundle->digest);
	cJSON_AddStringToObject(root, "name", p->name);
	cJSON_AddStringToObject(root, "tag", p->tag ? p->tag : "latest");
	cJSON_AddStringToObject(root, "out_dir", bundle->out_dir);
	cJSON_AddStringToObject(root, "image", bundle->layout_dir);
	cJSON_AddStringToObject(root, "provenance", bundle->provenance_path);
	{
		cJSON *sbom = cJSON_AddObjectToObject(root, "sbom");
		char *cdx = NULL, *spdx = NULL;

		if (asprintf(&cdx, "%s/sbom.cdx.json", bundle->out_dir) >= 0)
			cJSON_AddStringToObject(sbom, "cyclonedx", cdx);
		if (asprintf(&spdx, "%s/sbom.spdx.json", bundle->out_dir) >= 0)
			cJSON_AddStringToObject(sbom, "spdx", spdx);
		free(cdx);
		free(spdx);
	}
	if (bundle->archive_path)
		cJSON_AddStringToObject(root, "oci_archive", bundle->archive_path);
	if (ccgov_build_commit(b))
		cJSON_AddStringToObject(root, "commit", ccgov_build_commit(b));
	else
		cJSON_AddNullToObject(root, "commit");
	cJSON_AddNumberToObject(root, "source_date_epoch", (double)ccgov_build_source_date_epoch(b));
	layer = cJSON_AddObjectToObject(root, "layer");
	cJSON_AddStringToObject(layer, "digest", blob);
	cJSON_AddStringToObject(layer, "diff_id", diff_id);
	cJSON_AddStringToObject(layer, "media_type", l->media_type);
	cJSON_AddNumberToObject(layer, "size", (double)l->blob_size);
	cJSON_AddNumberToObject(layer, "uncompressed_size", (double)l->tar_size);
	{
		ccgov_build_timings t;
		cJSON *seconds = cJSON_AddObjectToObject(root, "seconds");

		/* Milliseconds are enough, and keep the numbers short. */
		ccgov_build_get_timings(&t, b);
		cJSON_AddNumberToObject(seconds, "source", (double)(long)(t.source * 1000) / 1000);
		cJSON_AddNumberToObject(seconds, "build", (double)(long)(t.build * 1000) / 1000);
		cJSON_AddNumberToObject(seconds, "pack", (double)(long)(t.pack * 1000) / 1000);
	}
	err = print_json(root);
	cJSON_Delete(root);
	return err;
}

/*
 * A --keep-env name, checked now and kept once: a bad one must fail before
 * any work, and one given twice would be two keys of one JSON object in
 * the provenance.
 */
static int add_keep_env(const char **names, size_t *n, const char *name)
{
	if (ccgov_build_check_keep_env(name) < 0)
		return -1;
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return 0;
	names[(*n)++] = name;
	return 0;
}

/* Whole seconds from min to max, or a usage error naming the option. */
static int parse_seconds(double *out, const char *option, const char *value, long min, long max)
{
	char *end;
	long n = strtol(value, &end, 10);

	if (!value[0] || *end || value[0] == '-' || value[0] == '+' || n < min || n > max) {
		error_line("build: %s: '%s' is not whole seconds from %ld to %ld", option, value, min, max);
		return -1;
	}
	*out = (double)n;
	return 0;
}

static void say_waiting(void *ctx, const char *path, long pid)
{
	(void)ctx;
	fprintf(stderr, "ccgov: build: waiting for %s, held by another ccgov build (pid %ld); --lock-timeout bounds the wait\n",
		path, pid);
}

/*
 * CI stops jobs with SIGTERM, people with ^C, closed terminals with SIGHUP:
 * each stops the build's process group at once, and ccgov unwinds, removing
 * what it created, before it exits 128+N.
 */
static void on_stop_signal(int signo)
{
	ccgov_interrupt(signo);
}

static void catch_stop_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal, .sa_flags = SA_RESTART };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* A failure: the library's message, unless a signal caused it (said once, at the end). */
static int failed(void)
{
	return ccgov_interrupted() ? EXIT_INTERNAL : error_from_library();
}

int cmd_build(int argc, char **argv)
{
	ccgov_build_options opts = { .compression = CCGOV_COMPRESS_GZIP, .output_fd = STDERR_FILENO,
				     .lock_timeout = DEFAULT_LOCK_TIMEOUT, .on_wait = say_waiting };
	struct override *overrides = calloc((size_t)argc, sizeof(*overrides));
	const char **keep_env = calloc((size_t)argc, sizeof(*keep_env));
	enum output_format format = FORMAT_TEXT;
	const char *out_dir = "ccgov-out";
	ccgov_project *project = NULL, *scratch = NULL;
	ccgov_build *b = NULL;
	ccgov_bundle bundle = { 0 };
	size_t noverrides = 0;
	int c, quiet = 0, status = EXIT_OK, replaced = 0, scratch_replaced = 0;

	/* Flags are applied to a scratch project as they come, so a bad value fails before any work. */
	if (!overrides || !keep_env || ccgov_project_new(&scratch) < 0) {
		error_line("out of memory");
		status = EXIT_INTERNAL;
		goto done;
	}
	optind = 1;
	while ((c = next_option("build", argc, argv, "o:q", longopts)) != -1) {
		switch (c) {
		case 'o': out_dir = optarg; break;
		case 'q': quiet = 1; break;
		case OPT_REV: opts.rev = optarg; break;
		case OPT_ALLOW_DIRTY: opts.allow_dirty = 1; break;
		case OPT_NO_SUBMODULES: opts.no_submodules = 1; break;
		case OPT_BUILD_DIR: opts.build_dir = optarg; break;
		case OPT_KEEP_BUILD_DIR: opts.keep_build_dir = 1; break;
		case OPT_OCI_ARCHIVE: opts.oci_archive = 1; break;
		case OPT_NO_NAMESPACE: opts.no_namespace = 1; break;
		case OPT_STRICT: opts.strict = 1; break;
		case OPT_TIMEOUT:
		case OPT_LOCK_TIMEOUT:
			if (parse_seconds(c == OPT_TIMEOUT ? &opts.timeout : &opts.lock_timeout,
					  c == OPT_TIMEOUT ? "--timeout" : "--lock-timeout", optarg,
					  c == OPT_TIMEOUT ? 1 : 0, CCGOV_PROJECT_MAX_TIMEOUT) < 0) {
				status = EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_KEEP_ENV:
			if (add_keep_env(keep_env, &opts.nkeep_env, optarg) < 0) {
				status = error_from_library();
				goto done;
			}
			break;
		case OPT_COMPRESSION:
			if (ccgov_compression_parse(&opts.compression, optarg) < 0) {
				status = error_from_library();
				goto done;
			}
			break;
		case OPT_THREADS:
			opts.threads = atoi(optarg);
			if (opts.threads < 1 || opts.threads > 64 || strspn(optarg, "0123456789") != strlen(optarg)) {
				error_line("build: --threads: '%s' is not a number from 1 to 64", optarg);
				status = EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_FORMAT:
			if (parse_format(&format, "build", optarg) < 0) {
				status = EXIT_USAGE;
				goto done;
			}
			break;
		case '?':
			status = EXIT_USAGE;
			goto done;
		default:
			overrides[noverrides] = (struct override){ c, optarg };
			if (apply(scratch, &overrides[noverrides++], &scratch_replaced) < 0) {
				status = error_from_library();
				goto done;
			}
		}
	}
	if (argc - optind > 1) {
		error_line("build: too many arguments (usage: ccgov build [PROJECT_DIR] [options])");
		status = EXIT_USAGE;
		goto done;
	}
	opts.project_dir = optind < argc ? argv[optind] : ".";
	opts.keep_env = keep_env;
	if (quiet)
		opts.output_fd = -1;
	catch_stop_signals();
	if (ccgov_build_check_out_dir(&opts, out_dir) < 0 || ccgov_build_prepare(&b, &opts) < 0 ||
	    load_project(&project, b, opts.project_dir) < 0) {
		status = failed();
		goto done;
	}
	for (size_t i = 0; i < noverrides; i++) {
		if (apply(project, &overrides[i], &replaced) < 0) {
			status = error_from_library();
			goto done;
		}
	}
	if (ccgov_project_check(project, opts.project_dir) < 0 || ccgov_build_run(b, project) < 0 ||
	    ccgov_build_write_bundle(&bundle, b, project, out_dir) < 0) {
		status = failed();
		goto done;
	}
	/* What the SBOM catalogers read only in part, one line each. */
	for (size_t i = 0; i < bundle.nsbom_warnings; i++)
		fprintf(stderr, "ccgov: warning: sbom: %s\n", bundle.sbom_warnings[i]);
	for (size_t i = 0; i < bundle.nwarnings; i++)
		fprintf(stderr, "ccgov: warning: build: %s\n", bundle.warnings[i]);
	if (print_summary(&bundle, project, b, format) < 0)
		status = error_from_library();
done:
	ccgov_bundle_clear(&bundle);
	ccgov_project_free(project);
	ccgov_project_free(scratch);
	ccgov_build_free(b);
	free(overrides);
	free(keep_env);
	if (ccgov_interrupted() && status != EXIT_OK) {
		int signo = ccgov_interrupted();

		error_line("build: interrupted by SIG%s: the build's processes were stopped and its temporary folders removed; %s was left as it was",
			   sigabbrev_np(signo), out_dir);
		status = 128 + signo;
	}
	return status;
}
