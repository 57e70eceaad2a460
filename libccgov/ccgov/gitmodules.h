/*
 * .gitmodules as committed: which submodule (by name) sits at which path,
 * and the URL it comes from. Read with git's config syntax (sections,
 * quoted subsections, escapes, continuation lines, comments), but never
 * with its include directives: a committed file must not make ccgov read
 * files of the machine that builds it.
 */
#ifndef CCGOV_GITMODULES_H
#define CCGOV_GITMODULES_H

#include <stddef.h>

/* Larger .gitmodules files are refused: real ones hold a few lines per submodule. */
#define CCGOV_GITMODULES_MAX (1u << 20)

typedef struct {
	char *name; /* as in [submodule "NAME"] */
	char *path; /* submodule.NAME.path; NULL if not set */
	char *url;  /* submodule.NAME.url; NULL if not set */
} ccgov_gitmodule;

/*
 * Parses len bytes of .gitmodules (shown_as names it in messages) into
 * the submodules it declares, in order of first appearance; a key set twice
 * keeps its last value, as git does. CCGOV_EINVALID with "SHOWN:LINE: why"
 * for text git would refuse.
 */
int ccgov_gitmodules_parse(ccgov_gitmodule **out, size_t *n, const char *text, size_t len,
			   const char *shown_as);
void ccgov_gitmodules_free(ccgov_gitmodule *modules, size_t n);

/*
 * Whether name can name the submodule's folder under .git/modules: not
 * empty, not absolute, no "." or ".." component (git's own rule, against
 * names that lead out of .git/modules).
 */
int ccgov_gitmodule_name_ok(const char *name);

/*
 * A submodule URL made absolute the way git makes it: "./x" and "../x"
 * are taken from base (the superproject's URL; its last component is
 * dropped for each "../"). NULL when url is relative and base is NULL,
 * or when out of memory.
 */
char *ccgov_gitmodule_resolve_url(const char *url, const char *base);

#endif
