/*
 * ccgov scan: tree-sitter queries over source code, as a pre-merge gate for
 * the framework's "circumscribed" code (nothing loaded after attestation)
 * and "immutable" configuration (nothing security-sensitive changes at run
 * time), and for sealing that breaks on live migration.
 *
 * Rules are data: one .scm file per rule, a tree-sitter query preceded by
 * "; key: value" header lines (see rules/README.md).
 */
#ifndef CCGOV_SCAN_H
#define CCGOV_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
	CCGOV_SEVERITY_NOTE,
	CCGOV_SEVERITY_WARNING,
	CCGOV_SEVERITY_ERROR
} ccgov_severity;

const char *ccgov_severity_name(ccgov_severity s);
int ccgov_severity_parse(ccgov_severity *out, const char *name);

typedef enum {
	CCGOV_LANG_C = 1 << 0,
	CCGOV_LANG_CPP = 1 << 1,
	CCGOV_LANG_GO = 1 << 2,
	CCGOV_LANG_RUST = 1 << 3,
	CCGOV_LANG_PYTHON = 1 << 4,
	CCGOV_LANG_JSON = 1 << 5, /* enclave configuration: EGo's enclave.json */
	CCGOV_LANG_TOML = 1 << 6  /* enclave configuration: Gramine manifests */
} ccgov_language;

typedef struct {
	char *id;          /* "sealing.sgx-seal-data" */
	char *title;
	char *category;    /* sealing, runtime-config, code-loading, insecure-transport, debug-enclave */
	char *message;
	char *remediation;
	char *requirement; /* the framework requirement it serves */
	char *path;        /* the rule file */
	char *inventory;   /* for category "inventory": env, file or reload; else NULL */
	char *skip_files;  /* "setup.py, build.rs": globs of files the rule does not apply to, or NULL */
	ccgov_severity severity;
	unsigned languages; /* CCGOV_LANG_* bits */
} ccgov_rule;

typedef struct ccgov_ruleset ccgov_ruleset;

/*
 * Loads every *.scm file under each folder, in name order. A file that
 * does not parse, a query that does not compile, or an unknown predicate
 * fails the whole load with "FILE:LINE: problem".
 */
int ccgov_ruleset_load(ccgov_ruleset **out, const char *const *dirs, size_t ndirs);
size_t ccgov_ruleset_count(const ccgov_ruleset *rs);
const ccgov_rule *ccgov_ruleset_rule(const ccgov_ruleset *rs, size_t i);
void ccgov_ruleset_free(ccgov_ruleset *rs);

typedef struct {
	const ccgov_rule *rule;
	char *path;         /* relative to the scanned root, the name's exact bytes */
	uint32_t line, column, end_line, end_column; /* 1-based */
	char *source_line;  /* the line of code, without its newline */
	char *suppression;  /* the reason of a ccgov:ignore, or NULL */
	int baselined;      /* accepted by --baseline */
	char *key;          /* inventory: the @key capture's literal text, unquoted, or NULL */
} ccgov_finding;

/*
 * 32 hex digits that identify a finding across edits elsewhere in the file:
 * SHA-256 of the rule id, the path and the finding's line of code with its
 * white space removed. SARIF's partialFingerprints and baselines use it.
 */
void ccgov_finding_fingerprint(char out[33], const ccgov_finding *f);

/*
 * Why scan did not check a file, or checked only part of it. Every skip is
 * named in the report; while the gate is on, a skip fails it unless its
 * kind is allowed (--allow-skipped, or "scan": {"allow_skipped": [...]} in
 * the scanned folder's ccgov.json), so a file cannot leave the gate
 * silently by being padded, marked generated or made unreadable.
 */
typedef enum {
	CCGOV_SKIP_BINARY,       /* "binary": mostly NUL and control bytes */
	CCGOV_SKIP_LARGE,        /* "large": over max_file_size */
	CCGOV_SKIP_GENERATED,    /* "generated": a generator's marker in the leading comments */
	CCGOV_SKIP_UNREADABLE,   /* "unreadable": a file or folder that cannot be read */
	CCGOV_SKIP_SYNTAX_ERROR, /* "syntax-error": parsed with errors; code past one may be missed */
	CCGOV_SKIP_SYMLINK,      /* "symlink": a link that leaves the scanned tree, points to nothing or loops */
	CCGOV_SKIP_KINDS
} ccgov_skip_kind;

/* The kinds' names, as errors list them. */
#define CCGOV_SKIP_KIND_LIST "binary, large, generated, unreadable, syntax-error or symlink"

/* "binary", "large", "generated", "unreadable", "syntax-error", "symlink". */
const char *ccgov_skip_kind_name(ccgov_skip_kind kind);
/*
 * Adds the kinds named in a comma-separated list ("large,generated") to
 * *mask, as bits 1 << kind; an empty or unknown name is an error that
 * lists the kinds.
 */
int ccgov_skip_kinds_parse(unsigned *mask, const char *list);

typedef struct {
	char *path;    /* relative to the scanned root, the name's exact bytes; "." is the root */
	ccgov_skip_kind kind;
	char *reason;  /* why, without the path: "5000000 bytes, over the 4194304-byte limit" */
	int allowed;   /* its kind is in the options' allow_skipped */
} ccgov_skipped_file;

typedef struct {
	const char *root;      /* folder (or file) to scan */
	int threads;           /* 0: all online CPUs */
	uint64_t max_file_size;
	const char *changed_since; /* only files changed against this git revision, or NULL */
	int no_prefilter;          /* parse every file, even those no rule can match */
	int inventory;             /* run the inventory rules instead of the checks */
	unsigned allow_skipped;    /* 1 << CCGOV_SKIP_* of the skips the gate accepts */
} ccgov_scan_options;

typedef struct {
	ccgov_finding *findings; /* sorted by path, line, column, rule id */
	size_t nfindings;
	size_t files_scanned;   /* read and checked (parsed or ruled out by the pre-filter) */
	size_t files_parsed;
	size_t files_with_syntax_errors;
	size_t skipped_binary, skipped_generated, skipped_large, skipped_unreadable, skipped_symlink;
	ccgov_skipped_file *skipped; /* every skip, files with syntax errors too, sorted by path */
	size_t nskipped;
} ccgov_scan_result;

int ccgov_scan(ccgov_scan_result *out, const ccgov_ruleset *rules, const ccgov_scan_options *opts);
void ccgov_scan_result_clear(ccgov_scan_result *r);

/*
 * Sensitivity class of a configuration key for the inventory: "sensitive"
 * (names of secrets, keys, certificates, trust, attestation, debug and
 * security switches), "non-sensitive", or "unknown" when the key is not a
 * literal (key == NULL or not a plain name).
 */
const char *ccgov_inventory_sensitivity(const char *key);

/*
 * Marks the findings that a baseline accepts. The baseline is an earlier
 * `ccgov scan --format json` report: each of its findings accepts one
 * current finding with the same fingerprint, so moved code stays accepted
 * and a second copy of it does not.
 */
int ccgov_scan_apply_baseline(ccgov_scan_result *r, const char *baseline_path);

#endif
