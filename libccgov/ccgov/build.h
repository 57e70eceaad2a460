/*
 * A normalized build: the committed source of one revision, built with a
 * cleared environment at a fixed path, its outputs packed into an OCI
 * image, and an evidence bundle that says exactly how.
 *
 *   ccgov_build_prepare()   source facts, build folder claimed, source exported
 *   ccgov_build_project_dir()  where the project's source now is (ccgov.json)
 *   ccgov_build_run()       the source's SBOM read, then the build command in
 *                           the normalized environment
 *   ccgov_build_write_bundle()  image layout, image.digest, provenance, SBOMs
 *   ccgov_build_free()      removes the build folder this run created
 */
#ifndef CCGOV_BUILD_H
#define CCGOV_BUILD_H

#include <ccgov/compress.h>
#include <ccgov/git.h>
#include <ccgov/oci.h>
#include <ccgov/project.h>

#include <cjson/cJSON.h>
#include <stdint.h>

/*
 * The path every build sees its folder at, so that paths compiled into
 * binaries are the same on every machine, for every user (sandbox.h).
 */
#define CCGOV_DEFAULT_BUILD_DIR "/tmp/ccgov-build"
/* The PATH a build sees unless --keep-env PATH passes the caller's. */
#define CCGOV_BUILD_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

typedef struct {
	const char *project_dir;     /* default "." */
	const char *rev;             /* default HEAD; only with git */
	int allow_dirty;
	const char *build_dir;       /* the real build folder; default: see claim_build_dir() in build.c */
	const char *const *keep_env; /* names of caller variables to pass through */
	size_t nkeep_env;
	ccgov_compression compression;
	int threads;                 /* 0: all online CPUs */
	int output_fd;               /* the build's output goes here; -1 to drop it */
	int keep_build_dir;          /* leave the build folder for inspection */
	int oci_archive;             /* also write OUT/image.oci.tar */
	double timeout;              /* seconds the build command may run; 0: ccgov.json's, or none */
	double lock_timeout;         /* seconds to wait for a build folder another run holds; < 0 forever */
	int no_namespace;            /* run at the real path, even where a private mount namespace works */
	/* Told once when another run holds the build folder: the path and its pid. */
	void (*on_wait)(void *ctx, const char *path, long holder_pid);
	void *wait_ctx;
	int no_submodules;           /* leave submodules empty folders (the provenance says so) */
	int strict;                  /* a library the image lacks is an error, not a warning */
} ccgov_build_options;

typedef struct ccgov_build ccgov_build;

/*
 * CCGOV_EINVALID unless name can be a --keep-env name (letters, digits
 * and _, not starting with a digit). ccgov_build_prepare checks every
 * one before it starts; a name given twice is kept once.
 */
int ccgov_build_check_keep_env(const char *name);

int ccgov_build_prepare(ccgov_build **out, const ccgov_build_options *opts);
/* The project's folder inside the build tree. */
const char *ccgov_build_project_dir(const ccgov_build *b);
int64_t ccgov_build_source_date_epoch(const ccgov_build *b);
/* "a1b2…" or NULL when the project is not in git. */
const char *ccgov_build_commit(const ccgov_build *b);

/* Seconds spent exporting the source, running the build, and packing the image. */
typedef struct {
	double source, build, pack;
} ccgov_build_timings;
void ccgov_build_get_timings(ccgov_build_timings *out, const ccgov_build *b);

/*
 * Reads the SBOM of the exported source (the commit built, before the
 * command can change the tree), then runs the project's build command. A
 * failing command is CCGOV_EMISMATCH with its exit status and the last
 * lines of its output in the message.
 */
int ccgov_build_run(ccgov_build *b, const ccgov_project *p);

typedef struct {
	ccgov_image image;
	char digest[CCGOV_DIGEST_STRING_MAX]; /* "sha256:<hex>" of the manifest */
	char *out_dir;
	char *layout_dir;                     /* OUT/image */
	char *provenance_path;                /* OUT/provenance.intoto.json */
	char *archive_path;                   /* OUT/image.oci.tar, or NULL */
	char **sbom_warnings;                 /* what the SBOM catalogers read only in part */
	size_t nsbom_warnings;
	char **warnings;                      /* what the image checks found: libraries it does not have */
	size_t nwarnings;
} ccgov_bundle;

/*
 * Packs the outputs into OUT/image (on the project's base image, if it
 * names one: ccgov/base.h), writes OUT/image.digest, the provenance
 * statement and the SBOMs, all in a temporary folder renamed to out_dir
 * at the end: out_dir is replaced whole, or not at all. The image is
 * then read back: every ELF file the outputs put must find its loader
 * and libraries in it; each miss is a warning (bundle->warnings), or
 * CCGOV_EMISMATCH with opts.strict, and nothing is written. An existing out_dir
 * is replaced only if it is a bundle a ccgov run wrote (its .ccgov-owned
 * marker names it) or empty.
 */
int ccgov_build_write_bundle(ccgov_bundle *out, ccgov_build *b, const ccgov_project *p,
			     const char *out_dir);
void ccgov_bundle_clear(ccgov_bundle *bundle);

/*
 * Fails as ccgov_build_write_bundle would on out_dir (a file, a link, a
 * folder with content that no ccgov run wrote, the project or a folder
 * above it), changing nothing: for a caller that must refuse before the
 * build runs. The bundle is checked again when it is written.
 */
int ccgov_build_check_out_dir(const ccgov_build_options *opts, const char *out_dir);

void ccgov_build_free(ccgov_build *b);

#endif
