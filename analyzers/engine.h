/* The scan engine's own interface: languages, compiled rules, predicates. */
#ifndef CCGOV_ENGINE_H
#define CCGOV_ENGINE_H

#include <ccgov/scan.h>

#include <regex.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <tree_sitter/api.h>

#define LANGUAGE_COUNT 7

typedef struct {
	ccgov_language bit;
	const char *name;               /* as rules name it: c, cpp, go, rust, python */
	const char *const *extensions;  /* ".c", ".h", ... NULL-terminated */
	const TSLanguage *(*grammar)(void);
} language;

extern const language languages[LANGUAGE_COUNT];
/* The language of a file name, or NULL. */
const language *language_for_path(const char *path);
int language_index(const language *l);

/* #contains? (as in Neovim): the node's text holds one of the strings. */
typedef enum { PRED_EQ, PRED_MATCH, PRED_ANY_OF, PRED_CONTAINS } predicate_kind;

typedef struct {
	predicate_kind kind;
	int negate;
	uint32_t capture;       /* the capture tested */
	int other_capture;      /* #eq? @a @b: the second capture, else -1 */
	const char **strings;   /* #eq? / #any-of? / #contains? values (owned by the query) */
	size_t nstrings;
	regex_t regex;          /* #match? */
	int has_regex;
	int required;           /* the capture always holds a node (not ? or *) */
} predicate;

typedef struct {
	predicate *items;
	size_t count;
} pattern_predicates;

/* Where one rule's query text sits in a language's combined query. */
typedef struct {
	uint32_t offset, length; /* in the combined source */
	size_t rule;             /* index in the sorted rule set */
	uint32_t base_line;      /* the text's first line in the rule file */
} query_segment;

/*
 * All the rules of one language (checks or inventory) compiled as one
 * query, so that a file's tree is walked once however many rules there
 * are. Each pattern remembers the rule it came from.
 */
typedef struct {
	TSQuery *query;
	pattern_predicates *patterns; /* one per pattern of the query */
	uint32_t pattern_count;
	size_t *pattern_rule;         /* the rule each pattern belongs to */
	unsigned char *pattern_role;  /* PATTERN_* of each pattern */
	int finding_capture;          /* @finding, or -1 */
	int exclude_capture;          /* @exclude, or -1 */
	int key_capture;              /* @key (inventory rules), or -1 */
} compiled_query;

/*
 * What a match of a pattern means: a finding at its first capture, a
 * finding at its @finding capture, or (a pattern with @exclude) a region
 * in which the rule's other findings do not count, like "a
 * VerifyPeerCertificate in the same tls.Config".
 */
enum { PATTERN_FIRST_CAPTURE, PATTERN_FINDING, PATTERN_EXCLUDE };

/* A rule's query text for one language: a slice of its file's text. */
typedef struct {
	uint32_t offset, length;
	uint32_t base_line;
	int present;
} query_section;

typedef struct {
	ccgov_rule rule;
	char *text;                              /* the rule file */
	query_section sections[LANGUAGE_COUNT];  /* present where the rule applies */
} rule_entry;

/*
 * Literals that a file must contain for any rule of a language to match,
 * derived from the rules' #eq?, #any-of? and #match? predicates. A file
 * with none of them cannot produce a finding, so it is not parsed.
 * usable is 0 when some rule has no literal: then every file is parsed.
 */
typedef struct {
	int usable;
	char **literals;
	size_t count;
	/* literals by their first two bytes, for one pass over the text */
	uint32_t *bucket_start; /* 65537 entries */
	uint32_t *order;        /* literal indices sorted by bucket */
	/*
	 * A pattern can match only if each of its predicates' literal sets
	 * (a clause) has a literal in the text: clause k of pattern p holds
	 * literals clause_lits[clause_start[k] .. clause_start[k + 1]).
	 */
	size_t *pattern_start;  /* clauses of pattern p: pattern_start[p] .. [p + 1] */
	size_t *clause_start;
	size_t npatterns, nclauses;
	const size_t *pattern_rule; /* the rule each pattern belongs to (the query's array) */
	unsigned char *rule_always; /* per rule: some pattern needs no literal */
} prefilter;

struct ccgov_ruleset {
	rule_entry *rules;
	size_t count;
	/* [0]: the checks; [1]: the inventory rules (--inventory) */
	compiled_query queries[2][LANGUAGE_COUNT];
	prefilter prefilters[2][LANGUAGE_COUNT];
};

/* Compiles the rules of each language as one query (after the rules are sorted). */
int queries_compile(ccgov_ruleset *rs);
void query_free(compiled_query *q);

int prefilter_build(ccgov_ruleset *rs);
void prefilter_free(prefilter *p);
/*
 * Which rules can match text: rule_ok[r] (one byte per rule of the set) is
 * set for every rule whose literals the text holds, or that needs none.
 * Returns 1 if any rule can match. -1 when out of memory (then every rule
 * is marked, which is always correct).
 */
int prefilter_rules(const prefilter *p, size_t nrules, const char *text, size_t len,
		    unsigned char *rule_ok);

/*
 * Compiles the predicates of every pattern; refuses unknown ones, naming
 * the rule file and line through the segments of the combined source.
 */
int predicates_compile(compiled_query *q, const ccgov_ruleset *rs, const char *source,
		       const query_segment *segments, size_t nsegments);
void predicates_free(compiled_query *q);

/* 1 if every predicate of the match's pattern holds on the source text. */
int predicates_hold(const compiled_query *q, const TSQueryMatch *m, const char *source,
		    char **scratch, size_t *scratch_size);

/*
 * The skip tests (skipped.c). looks_binary: 1 if text is binary, with why
 * written. generated_marker: the name of the generator marker form the
 * file's leading comments hold, and its line, or NULL.
 */
int looks_binary(char *why, size_t why_size, const char *text, size_t len);
const char *generated_marker(uint32_t *line_no, const char *text, size_t len, const language *lang);

/* Skips as they are found, before they go into the result (skipped.c). */
typedef struct {
	ccgov_skipped_file *items;
	size_t len, cap;
} skip_list;

int push_skip(skip_list *l, const char *path, ccgov_skip_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void skip_list_free(skip_list *l);

/*
 * Where a symbolic link in the scanned tree leads (links.c). LINK_INSIDE:
 * to a file or folder in the tree, real being its place from the root
 * with no link on the way; the others are named as skips, not followed.
 */
typedef enum {
	LINK_INSIDE,
	LINK_ENCLOSING,  /* to a folder that holds the link: walking it would never end */
	LINK_LEAVES,     /* out of the scanned tree, by ".." or an absolute target */
	LINK_DANGLES,    /* to nothing */
	LINK_LOOPS,      /* back to a link already met on the way */
	LINK_TOO_MANY,   /* through more links than the kernel follows */
	LINK_UNREADABLE  /* a folder on the way cannot be searched (error) */
} link_end;

typedef struct {
	link_end end;
	int error;          /* LINK_DANGLES, LINK_UNREADABLE: errno */
	char *real;         /* LINK_INSIDE, LINK_ENCLOSING: the target's place ("" is the root) */
	struct stat st;     /* LINK_INSIDE, LINK_ENCLOSING: the target (lstat) */
	char *target;       /* what the link holds */
	char *via, *via_target; /* a later link on the way where it ended, and what it holds, or NULL */
} link_resolution;

/*
 * Resolves the link at rel (from the root, with no link before it) name by
 * name beneath rootfd, as realpath() would. An absolute target stays inside
 * only if it names the root by its real path, root_real.
 */
int link_resolve(link_resolution *out, int rootfd, const char *root_real, const char *rel);
void link_resolution_free(link_resolution *r);
/* The skip a link that is not followed makes: its kind, and why (one line, escaped, UTF-8; size > 4). */
ccgov_skip_kind link_skip_reason(char *why, size_t size, const link_resolution *r);

/*
 * The files a scan reads (tree.c), each once per language however many
 * paths reach it: path is how it is reported, the first path to it in a
 * walk that takes each folder's names in byte order; real is where it is,
 * with no link on the way; dev and ino are what the walk decided to read.
 */
typedef struct {
	char *path;
	char *real;
	dev_t dev;
	ino_t ino;
	int changed; /* --changed-since: a path to it, or its place, changed */
} listed_file;

typedef struct {
	listed_file *items;
	size_t len, cap;
	skip_list skipped; /* folders that could not be read, links not followed */
	int rootfd;        /* the scanned folder, open while the files are read */
} file_list;

int find_files(file_list *l, const char *root, const char *changed_since);
void file_list_free(file_list *l);
/*
 * Opens real beneath rootfd with no link on the way and checks that it is
 * the file the walk decided on (dev, ino), so that a tree changed under the
 * scan cannot swap another file in. 0 with *fd and *got, or an errno.
 */
int open_decided(int *fd, struct stat *got, int rootfd, const char *real, int flags, dev_t dev, ino_t ino);
/* Why open_decided failed, for a skip's reason. */
const char *open_decided_error(int e);

#endif
