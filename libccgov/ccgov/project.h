/*
 * ccgov.json: how a project is built and what its image is. Every field
 * can also be set by a flag of `ccgov build`; the merged result is what
 * the provenance records.
 *
 *   {
 *     "name": "sample", "tag": "1.0",
 *     "build": "make", "timeout": 3600,
 *     "outputs": [ { "path": "hello", "dest": "/usr/local/bin/hello" } ],
 *     "image": { "entrypoint": ["/usr/local/bin/hello"], "cmd": [],
 *                "env": ["A=b"], "labels": {"k": "v"},
 *                "user": "65532:65532", "workdir": "/" },
 *     "scan": { "allow_skipped": ["generated"] }
 *   }
 *
 * "scan" is read by `ccgov scan` from the scanned folder's ccgov.json; it
 * is not part of the build's configuration.
 */
#ifndef CCGOV_PROJECT_H
#define CCGOV_PROJECT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#define CCGOV_PROJECT_FILE "ccgov.json"
#define CCGOV_PROJECT_MAX_SIZE (1u << 20)
#define CCGOV_PROJECT_MAX_TIMEOUT 86400

typedef struct {
	char *path; /* in the build tree, relative to the project, normalized */
	char *dest; /* in the image, relative to its root, normalized */
} ccgov_output;

typedef struct {
	char *name;
	char *tag;
	char *build;          /* shell command, run with /bin/sh -c */
	char *base;           /* the base image, pinned (ccgov/base.h), or NULL: the image holds the outputs only */
	char *platform;       /* the base index's platform to take, or NULL: this machine's */
	ccgov_output *outputs;
	size_t noutputs;
	cJSON *entrypoint;    /* array of strings, or NULL */
	cJSON *cmd;
	cJSON *env;           /* array of "K=V" */
	cJSON *labels;        /* object of strings */
	char *user;
	char *workdir;
	long timeout;         /* seconds the build command may run; 0 for no limit */
	unsigned scan_allow_skipped; /* 1 << CCGOV_SKIP_* that scan's gate accepts */
} ccgov_project;

/* An empty project (every field unset), for flags-only builds. */
int ccgov_project_new(ccgov_project **out);
/*
 * Reads and validates a ccgov.json; errors name the file as shown_as (the
 * path the user knows, not the build folder's) and the field.
 * CCGOV_ENOTFOUND when there is none; CCGOV_EUNSAFE when it is a symbolic
 * link (never followed: it could lead out of the project).
 */
int ccgov_project_load(ccgov_project **out, const char *path, const char *shown_as);
/* The same from bytes already in memory. */
int ccgov_project_parse(ccgov_project **out, const char *text, size_t len, const char *shown_as);
void ccgov_project_free(ccgov_project *p);

/* Setters for flags; each validates its value as the file would. */
int ccgov_project_set_string(ccgov_project *p, const char *field, const char *value);
/*
 * "path:dest" as on the command line; the first call drops the file's
 * outputs. An output given twice is kept once; another path for a dest
 * already taken is refused.
 */
int ccgov_project_add_output(ccgov_project *p, const char *spec, int replace);
/* --entrypoint/--cmd: a JSON array of strings, or one plain string. */
int ccgov_project_set_argv(ccgov_project *p, const char *field, const char *value);
/* NAME=VALUE; a NAME set before (by ccgov.json or a flag) takes the new value. */
int ccgov_project_add_env(ccgov_project *p, const char *key_value);
int ccgov_project_add_label(ccgov_project *p, const char *key_value);

/* 1 when name (len bytes) is an environment variable name: letters, digits and _, not starting with a digit. */
int ccgov_env_name_valid(const char *name, size_t len);

/* Fails, naming the field, if what a build needs is missing. */
int ccgov_project_check(const ccgov_project *p, const char *name);

/* The image config's "config" object (Entrypoint, Cmd, Env, Labels, User, WorkingDir). */
cJSON *ccgov_project_image_config(const ccgov_project *p);
/* The whole merged configuration, as JSON, for provenance. */
cJSON *ccgov_project_to_json(const ccgov_project *p);

#endif
