#include "cli.h"

#include <ccgov/ccgov.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

struct source_facts {
	const char *workdir;
	char *path;   /* PATH relative to the work tree */
	const char *rev;
	char commit[CCGOV_OID_HEX];
	int64_t time;
	char time_text[CCGOV_TIMESTAMP_MAX];
	char *remote; /* NULL when there is no origin */
	int dirty;
	int checked_out; /* the work tree is a checkout of commit (HEAD is it) */
};

static int gather(struct source_facts *f, ccgov_repo *repo, const char *path)
{
	int err;

	f->workdir = ccgov_repo_workdir(repo);
	if ((err = ccgov_repo_relative_path(&f->path, repo, path)) < 0 ||
	    (err = ccgov_repo_commit_id(f->commit, repo, f->rev)) < 0 ||
	    (err = ccgov_repo_commit_time(&f->time, repo, f->rev)) < 0 ||
	    (err = ccgov_timestamp_format(f->time_text, f->time)) < 0 ||
	    (err = ccgov_repo_is_dirty(&f->dirty, repo, f->rev)) < 0)
		return err;
	{
		char head[CCGOV_OID_HEX];

		f->checked_out = ccgov_repo_commit_id(head, repo, "HEAD") == 0 && strcmp(head, f->commit) == 0;
	}
	err = ccgov_repo_remote_url(&f->remote, repo, NULL);
	return err == CCGOV_ENOTFOUND ? 0 : err;
}

static int print_facts(const struct source_facts *f, enum output_format format)
{
	cJSON *root;
	int err;

	if (format == FORMAT_TEXT) {
		printf("repository   %s\n", f->workdir);
		printf("path         %s\n", f->path[0] ? f->path : ".");
		printf("revision     %s\n", f->rev);
		printf("commit       %s\n", f->commit);
		printf("commit time  %s (%" PRId64 ")\n", f->time_text, f->time);
		printf("remote       %s\n", f->remote ? f->remote : "(none)");
		printf("work tree    %s\n", !f->checked_out ? "not read (HEAD is another commit)" :
					  f->dirty ? "dirty (tracked files differ from HEAD)" : "clean");
		return 0;
	}
	if (!(root = cJSON_CreateObject()))
		return -1;
	cJSON_AddStringToObject(root, "repository", f->workdir);
	cJSON_AddStringToObject(root, "path", f->path);
	cJSON_AddStringToObject(root, "revision", f->rev);
	cJSON_AddStringToObject(root, "commit", f->commit);
	cJSON_AddNumberToObject(root, "commit_time", (double)f->time);
	cJSON_AddStringToObject(root, "commit_time_rfc3339", f->time_text);
	if (f->remote)
		cJSON_AddStringToObject(root, "remote", f->remote);
	else
		cJSON_AddNullToObject(root, "remote");
	cJSON_AddBoolToObject(root, "dirty", f->dirty);
	err = print_json(root);
	cJSON_Delete(root);
	return err;
}

int cmd_source(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rev", required_argument, NULL, 'r' },
		{ "export", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	struct source_facts facts = { .rev = "HEAD" };
	enum output_format format = FORMAT_TEXT;
	const char *path = ".", *export_dir = NULL;
	ccgov_repo *repo = NULL;
	int c, status = EXIT_OK;

	optind = 1;
	while ((c = next_option("source", argc, argv, "r:", longopts)) != -1) {
		switch (c) {
		case 'r':
			facts.rev = optarg;
			break;
		case 'e':
			export_dir = optarg;
			break;
		case 'f':
			if (parse_format(&format, "source", optarg) < 0)
				return EXIT_USAGE;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		error_line("source: too many arguments (usage: ccgov source [PATH] [--rev REV])");
		return EXIT_USAGE;
	}
	if (optind < argc)
		path = argv[optind];
	if (ccgov_repo_open(&repo, path) < 0 || gather(&facts, repo, path) < 0 ||
	    (export_dir && ccgov_repo_export(repo, facts.rev, export_dir) < 0))
		status = error_from_library();
	else if (print_facts(&facts, format) < 0)
		status = error_from_library();
	free(facts.path);
	free(facts.remote);
	ccgov_repo_free(repo);
	return status;
}
