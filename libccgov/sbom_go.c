/*
 * go.mod and go.sum. go.mod lists every module the build needs (direct
 * ones, and since Go 1.17 the indirect ones marked "// indirect"), with
 * replacements; go.sum gives each module's "h1:" hash. That hash is
 * SHA-256 over a summary of the module's files (Go's dirhash), not a
 * SHA-256 of anything one can download, so it is recorded as what it is,
 * a property ccgov:go:h1, never as a SHA-256 hash of the component.
 */
#include <ccgov/error.h>
#include <ccgov/sbom.h>
#include <ccgov/utf8.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_TOKENS 8

typedef struct {
	char *from_path, *from_version; /* from_version NULL: every version */
	char *to_path, *to_version;     /* to_version NULL: a local folder */
	int unusable;                   /* not text an SBOM can hold: what it replaces is left out */
} replacement;

typedef struct {
	char *tokens[MAX_TOKENS];
	int n;
	int indirect;
} line_tokens;

static void tokens_free(line_tokens *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->tokens[i]);
	t->n = 0;
}

/* Splits one line into words and quoted strings; notes a "// indirect" comment. */
static int tokenize(line_tokens *t, const char *p, const char *end)
{
	memset(t, 0, sizeof(*t));
	while (p < end) {
		const char *s;

		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p >= end)
			break;
		if (end - p >= 2 && p[0] == '/' && p[1] == '/') {
			const char *c = p + 2;

			while (c < end && *c == ' ')
				c++;
			t->indirect = end - c >= 8 && strncmp(c, "indirect", 8) == 0 &&
				      (end - c == 8 || c[8] == ';' || c[8] == ' ' || c[8] == '\r');
			break;
		}
		if (t->n == MAX_TOKENS)
			return -1;
		if (*p == '"' || *p == '`') {
			char q = *p++;

			s = p;
			while (p < end && *p != q)
				p += (*p == '\\' && q == '"' && p + 1 < end) ? 2 : 1;
			if (p >= end)
				return -1;
			t->tokens[t->n] = strndup(s, (size_t)(p - s));
			p++;
		} else {
			s = p;
			while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			t->tokens[t->n] = strndup(s, (size_t)(p - s));
		}
		if (!t->tokens[t->n++])
			return -2;
	}
	return 0;
}

/* A module path's last part is the purl name, the rest its namespace. */
static char *go_purl(const char *module, const char *version)
{
	return ccgov_purl_split("golang", module, strrchr(module, '/'), version);
}

/* go.sum's h1: for module@version (not the /go.mod line), or NULL. */
static char *sum_of(const char *gosum, size_t len, const char *module, const char *version)
{
	const char *p = gosum, *end;
	size_t ml = strlen(module), vl = strlen(version);

	if (!gosum)
		return NULL;
	end = gosum + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

		if ((size_t)(e - p) > ml + vl + 5 && memcmp(p, module, ml) == 0 && p[ml] == ' ' &&
		    memcmp(p + ml + 1, version, vl) == 0 && p[ml + 1 + vl] == ' ' &&
		    strncmp(p + ml + 2 + vl, "h1:", 3) == 0) {
			const char *h = p + ml + 2 + vl, *he = h;

			while (he < e && *he != ' ' && *he != '\r')
				he++;
			return strndup(h, (size_t)(he - h));
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

static int add_module(ccgov_sbom *s, const char *path, int line, const char *scope, const char *module,
		      const char *version, int indirect, const replacement *reps, size_t nreps, const char *gosum,
		      size_t gosum_len)
{
	const replacement *r = NULL;
	const char *name = module, *ver = version;
	ccgov_component *c;
	char *purl, *h1, *ref = NULL, where[PATH_MAX + 24];
	int err = 0;

	snprintf(where, sizeof(where), "%s:%d", path, line);
	if ((err = ccgov_sbom_usable(s, where, "module", module, "version", version, NULL)) <= 0)
		return err;
	err = 0;
	for (size_t i = 0; i < nreps && !r; i++)
		if (strcmp(reps[i].from_path, module) == 0 &&
		    (!reps[i].from_version || strcmp(reps[i].from_version, version) == 0))
			r = &reps[i];
	if (r && r->unusable)
		return 0; /* its replace line was warned about */
	if (r && r->to_version)
		name = r->to_path, ver = r->to_version;
	if (!(purl = go_purl(name, ver)) || !(c = ccgov_sbom_add(s, "library", name, ver, purl, path))) {
		free(purl);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	free(purl);
	ccgov_component_use(c, CCGOV_DEP_RUNTIME, scope, !indirect);
	if (r) {
		char *was = NULL;

		if (asprintf(&was, "%s@%s", module, version) < 0)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		err = ccgov_component_property(c, "ccgov:go:replaces", was);
		free(was);
		if (err == 0 && !r->to_version)
			err = ccgov_component_property(c, "ccgov:go:replaced-by-folder", r->to_path);
	}
	if (err == 0 && (!r || r->to_version) && (h1 = sum_of(gosum, gosum_len, name, ver))) {
		if ((err = ccgov_sbom_usable(s, where, "go.sum hash", h1, NULL)) > 0)
			err = ccgov_component_property(c, "ccgov:go:h1", h1);
		free(h1);
	} else if (err == 0 && gosum && (!r || r->to_version)) {
		err = ccgov_sbom_warn(s, "%s: %s %s has no h1: line in go.sum", path, name, ver);
	}
	if (err == 0 && !indirect && !scope && (ref = strdup(c->ref)))
		err = ccgov_component_depends(&s->root, ref);
	free(ref);
	return err;
}

int ccgov_catalog_go_mod(ccgov_sbom *s, const char *path, const char *gomod, size_t gomod_len,
			 const char *gosum, size_t gosum_len)
{
	const char *p = gomod, *end = gomod + gomod_len, *scope = ccgov_sbom_scope_of(path);
	replacement *reps = NULL;
	size_t nreps = 0;
	int err = 0, line = 0, pass;

	if (!ccgov_utf8_valid(gomod, gomod_len) || memchr(gomod, '\0', gomod_len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not UTF-8 text", path);
	/* go.sum is only searched; a broken one just has no usable lines. */
	if (gosum && (!ccgov_utf8_valid(gosum, gosum_len) || memchr(gosum, '\0', gosum_len)))
		return ccgov_error_set(CCGOV_EINVALID, "%.*sgo.sum: not UTF-8 text", (int)(strlen(path) - 6), path);
	/* Two passes: replacements may come after the requirements they change. */
	for (pass = 0; pass < 2 && err == 0; pass++) {
		char block[16] = "", where[PATH_MAX + 24];

		p = gomod;
		line = 0;
		while (p < end && err == 0) {
			const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
			line_tokens t;
			char **w;
			int n;

			line++;
			if (tokenize(&t, p, e) < 0) {
				tokens_free(&t);
				err = ccgov_error_set(CCGOV_EINVALID, "%s:%d: malformed line", path, line);
				break;
			}
			p = nl ? nl + 1 : end;
			w = t.tokens;
			n = t.n;
			if (n == 1 && strcmp(w[0], ")") == 0) {
				block[0] = '\0';
			} else if (n == 2 && strcmp(w[1], "(") == 0) {
				snprintf(block, sizeof(block), "%s", w[0]);
			} else if (n > 0) {
				const char *verb = block[0] ? block : w[0];
				char **args = block[0] ? w : w + 1;
				int nargs = block[0] ? n : n - 1;

				if (strcmp(verb, "require") == 0 && pass == 1) {
					if (nargs != 2)
						err = ccgov_error_set(CCGOV_EINVALID, "%s:%d: require needs a module and a version", path, line);
					else
						err = add_module(s, path, line, scope, args[0], args[1], t.indirect, reps, nreps, gosum, gosum_len);
				} else if (strcmp(verb, "replace") == 0 && pass == 0) {
					int arrow = nargs >= 3 && strcmp(args[1], "=>") == 0 ? 1 : nargs >= 4 && strcmp(args[2], "=>") == 0 ? 2 : 0;
					replacement *grown;

					if (!arrow || (nargs - arrow - 1 != 1 && nargs - arrow - 1 != 2)) {
						err = ccgov_error_set(CCGOV_EINVALID, "%s:%d: replace needs 'MODULE [VERSION] => TARGET [VERSION]'", path, line);
					} else if (!(grown = realloc(reps, (nreps + 1) * sizeof(*reps)))) {
						err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
					} else {
						reps = grown;
						reps[nreps].from_path = strdup(args[0]);
						reps[nreps].from_version = arrow == 2 ? strdup(args[1]) : NULL;
						reps[nreps].to_path = strdup(args[arrow + 1]);
						reps[nreps].to_version = nargs - arrow - 1 == 2 ? strdup(args[arrow + 2]) : NULL;
						snprintf(where, sizeof(where), "%s:%d", path, line);
						err = ccgov_sbom_usable(s, where, "replacement", args[arrow + 1], "version",
									reps[nreps].to_version, NULL);
						reps[nreps++].unusable = err == 0;
						err = err < 0 ? err : 0;
					}
				}
			}
			tokens_free(&t);
		}
	}
	for (size_t i = 0; i < nreps; i++) {
		free(reps[i].from_path);
		free(reps[i].from_version);
		free(reps[i].to_path);
		free(reps[i].to_version);
	}
	free(reps);
	return err;
}
