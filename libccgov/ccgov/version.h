/* What ccgov is, and what it runs on: an auditor must be able to name both. */
#ifndef CCGOV_VERSION_H
#define CCGOV_VERSION_H

#define CCGOV_VERSION "0.1.0"

typedef struct {
	const char *ccgov;
	const char *openssl;
	const char *libgit2;
	const char *libarchive;
	const char *cjson;
	const char *tree_sitter;          /* the core library, fixed at link time */
	int tree_sitter_language_abi;     /* newest grammar ABI it accepts */
	int tree_sitter_min_language_abi; /* oldest */
} ccgov_versions;

/* Versions of the libraries as loaded now, not as compiled against. */
void ccgov_versions_get(ccgov_versions *out);

/* Starts the libraries ccgov uses; call once before any other ccgov_* call. */
int ccgov_init(void);
void ccgov_shutdown(void);

#endif
