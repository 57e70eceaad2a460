/*
 * Build provenance: an in-toto Statement v1 whose subject is the image
 * digest and whose predicate is SLSA Provenance v1, so that SLSA and
 * in-toto verifiers read it without ccgov.
 */
#ifndef CCGOV_PROVENANCE_H
#define CCGOV_PROVENANCE_H

#include <ccgov/compress.h>
#include <ccgov/git.h>
#include <ccgov/oci.h>
#include <ccgov/project.h>

#include <cjson/cJSON.h>
#include <stdint.h>

#define CCGOV_STATEMENT_TYPE "https://in-toto.io/Statement/v1"
#define CCGOV_SLSA_PROVENANCE "https://slsa.dev/provenance/v1"
/* ccgov's own URIs: versioned, so that a change of meaning gets a new one. */
#define CCGOV_BUILDER_ID "https://ccgov.dev/builder/v1"
#define CCGOV_BUILD_TYPE "https://ccgov.dev/build/v1"

typedef struct {
	const char *path;          /* the project inside its repository ("" for the top) */
	int has_git;
	const char *commit;
	const char *remote;        /* NULL if none */
	const char *revision;      /* as asked for: HEAD, a tag, ... */
	int dirty;
	int64_t source_date_epoch;
	const char *source_date_epoch_from;
	const cJSON *environment;  /* what the build saw */
	const char *build_dir;        /* as the build saw it */
	int build_dir_isolated;       /* shown in a private mount namespace */
	double timeout;               /* the build command's limit in seconds; 0 none */
	int64_t started, finished;
	ccgov_compression compression;
	const char *architecture;
	const ccgov_repo_submodule *submodules; /* every gitlink of the source, in path order */
	size_t nsubmodules;
	int submodules_left_empty;              /* --no-submodules */
	const char *base;                       /* the base image as written, or NULL */
	const ccgov_digest *base_pinned;        /* the digest it pins (a manifest's or an index's) */
	const ccgov_digest *base_manifest;      /* the manifest taken, the platform's when the pin is an index */
} ccgov_build_facts;

/* An in-toto Statement v1 about one subject, owning predicate; NULL when out of memory. */
cJSON *ccgov_statement_new(const char *subject_name, const ccgov_digest *subject, const char *predicate_type,
			   cJSON *predicate);

int ccgov_provenance_build(cJSON **out, const ccgov_build_facts *facts, const ccgov_project *p,
			   const ccgov_image *image);

#endif
