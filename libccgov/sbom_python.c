/*
 * Python: requirements.txt (pip's format: "name==version; markers
 * --hash=sha256:HEX", with "\" continuations and option lines) and
 * poetry.lock (TOML). A requirement pins a version only with "==" (or
 * "==="); anything looser is reported without a version and warned
 * about. The hashes pip checks are hashes of distribution files (a wheel,
 * an sdist), several per package, so they are kept as properties
 * "ccgov:pypi:file-hash" = "sha256:HEX", not as the package's own hash.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>
#include <ccgov/toml.h>
#include <ccgov/utf8.h>

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* PEP 503 normalization, which the pypi purl type asks for: lower case, runs of -_. as one -. */
static char *normalize(const char *name, size_t n)
{
	char *out = malloc(n + 1);
	size_t k = 0;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (name[i] == '-' || name[i] == '_' || name[i] == '.') {
			if (k == 0 || out[k - 1] != '-')
				out[k++] = '-';
		} else {
			out[k++] = (char)tolower((unsigned char)name[i]);
		}
	}
	out[k] = '\0';
	return out;
}

static ccgov_component *add_package(ccgov_sbom *s, const char *path, const char *name, const char *version,
				    ccgov_dep_kind kind, int direct)
{
	char *purl = ccgov_purl("pypi", NULL, name, version);
	ccgov_component *c = purl ? ccgov_sbom_add(s, "library", name, version, purl, path) : NULL;

	if (c) {
		ccgov_component_use(c, kind, ccgov_sbom_scope_of(path), direct);
		if (direct && !ccgov_sbom_scope_of(path) && ccgov_component_depends(&s->root, c->ref) < 0)
			c = NULL;
	}
	free(purl);
	return c;
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '.';
}

/* One logical requirement line (continuations joined, comment removed). */
static int requirement(ccgov_sbom *s, const char *path, int line, char *text)
{
	char *p = text, *name, *version = NULL, *hashes = strstr(text, "--hash=");
	size_t n;
	ccgov_component *c;
	int err = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return 0;
	/* Option lines (-r, -c, --index-url ...) pin nothing; an editable install names a folder, not a release. */
	if (*p == '-')
		return (strncmp(p, "-e ", 3) == 0 || strncmp(p, "--editable", 10) == 0) ?
		       ccgov_sbom_warn(s, "%s:%d: editable requirement left out (a folder or URL, not a release)", path, line) : 0;
	for (n = 0; is_name_char(p[n]); n++)
		;
	if (n == 0)
		return ccgov_sbom_warn(s, "%s:%d: not a requirement; left out", path, line);
	if (!(name = normalize(p, n)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	p += n;
	if (*p == '[') /* extras */
		p = strchr(p, ']') ? strchr(p, ']') + 1 : p + strlen(p);
	while (*p == ' ')
		p++;
	if (strncmp(p, "===", 3) == 0 || (strncmp(p, "==", 2) == 0 && p[2] != '=')) {
		char *v = p + (p[2] == '=' ? 3 : 2);
		size_t vl;

		while (*v == ' ')
			v++;
		for (vl = 0; v[vl] && !strchr(" ;,\t\\", v[vl]); vl++)
			;
		if (!memchr(v, '*', vl) && vl)
			version = strndup(v, vl);
	}
	if (version && (err = ccgov_sbom_text_usable(s, path, line, "version", version, strlen(version))) <= 0)
		goto done;
	err = 0;
	if (!version && (err = ccgov_sbom_warn(s, "%s:%d: %s is not pinned with ==; listed without a version", path,
					       line, name)) < 0)
		goto done;
	if (!(c = add_package(s, path, name, version, CCGOV_DEP_RUNTIME, 1))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	for (char *h = hashes; h && err == 0; h = strstr(h + 7, "--hash=")) {
		char value[200];

		if (sscanf(h + 7, "%199[^ \t\\]", value) == 1 && strchr(value, ':') &&
		    (err = ccgov_sbom_text_usable(s, path, line, "--hash", value, strlen(value))) > 0)
			err = ccgov_component_property(c, "ccgov:pypi:file-hash", value);
	}
done:
	free(version);
	free(name);
	return err;
}

int ccgov_catalog_requirements(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	char *logical = NULL;
	size_t cap = 0, used = 0;
	int line = 0, start = 1, err = 0;
	const char *p = text, *end = text + len;

	if (!ccgov_utf8_valid(text, len) || memchr(text, '\0', len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not UTF-8 text", path);
	while (p < end && err == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *hash;
		size_t n;
		int continued;

		line++;
		if (!used)
			start = line;
		/* A comment starts at " #" or at the line's start. */
		for (hash = p; hash < e && !(*hash == '#' && (hash == p || hash[-1] == ' ' || hash[-1] == '\t')); hash++)
			;
		n = (size_t)(hash - p);
		while (n && (p[n - 1] == '\r' || p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		continued = n && p[n - 1] == '\\';
		if (continued)
			n--;
		if (used + n + 2 > cap) {
			char *grown = realloc(logical, cap = (used + n + 2) * 2);

			if (!grown) {
				err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
				break;
			}
			logical = grown;
		}
		memcpy(logical + used, p, n);
		used += n;
		logical[used++] = ' ';
		logical[used] = '\0';
		p = nl ? nl + 1 : end;
		if (!continued || p >= end) {
			err = requirement(s, path, start, logical);
			used = 0;
		}
	}
	free(logical);
	return err;
}

/* poetry.lock's own list of what the project asks for is in pyproject.toml; without it, the graph's roots. */
static int is_depended_on(const cJSON *packages, const char *normalized)
{
	const cJSON *p, *d;

	cJSON_ArrayForEach(p, packages) {
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(p, "dependencies")) {
			char *n = normalize(d->string, strlen(d->string));
			int same = n && strcmp(n, normalized) == 0;

			free(n);
			if (same)
				return 1;
		}
	}
	return 0;
}

int ccgov_catalog_poetry_lock(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	cJSON *doc = NULL, *packages, *p;
	int err = ccgov_toml_parse(&doc, text, len, path);

	if (err < 0)
		return err;
	packages = cJSON_GetObjectItemCaseSensitive(doc, "package");
	if (!cJSON_IsArray(packages)) {
		cJSON_Delete(doc);
		return ccgov_error_set(CCGOV_EINVALID, "%s: no [[package]] tables: not a poetry.lock", path);
	}
	for (int pass = 0; pass < 2 && err == 0; pass++) {
		int index = 0;

		cJSON_ArrayForEach(p, packages) {
			char where[PATH_MAX + 32];
			const char *raw = ccgov_json_string(p, "name"), *version = ccgov_json_string(p, "version"), *category = ccgov_json_string(p, "category");
			char *name = raw ? normalize(raw, strlen(raw)) : NULL, *purl = NULL;
			ccgov_component *c;
			const cJSON *d, *files;

			snprintf(where, sizeof(where), "%s: [[package]] %d", path, ++index);
			if (!name || !version) {
				if (pass == 0)
					err = ccgov_sbom_warn(s, "%s: no name or version; left out", where);
				free(name);
				if (err < 0)
					break;
				continue;
			}
			if (pass == 0 && (err = ccgov_sbom_usable(s, where, "name", raw, "version", version, NULL)) <= 0) {
				free(name);
				if (err < 0)
					break;
				continue;
			}
			err = 0;
			if (pass == 0) {
				int direct = !is_depended_on(packages, name);

				if (!(c = add_package(s, path, name, version,
						      category && strcmp(category, "dev") == 0 ? CCGOV_DEP_DEV :
						      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "optional")) ? CCGOV_DEP_OPTIONAL :
						      CCGOV_DEP_RUNTIME, direct))) {
					err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
				} else {
					c->deps_known = 1;
					files = cJSON_GetObjectItemCaseSensitive(p, "files");
					cJSON_ArrayForEach(d, files) {
						const char *h = ccgov_json_string(d, "hash");

						if (h && strchr(h, ':') && (err = ccgov_sbom_usable(s, where, "hash", h, NULL)) > 0)
							err = ccgov_component_property(c, "ccgov:pypi:file-hash", h);
						if (err < 0)
							break;
						err = 0;
					}
				}
			} else if ((purl = ccgov_purl("pypi", NULL, name, version)) && (c = ccgov_sbom_find(s, purl))) {
				/* Edges: each dependency is the one package of that name in the lock. */
				cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(p, "dependencies")) {
					char *dn = normalize(d->string, strlen(d->string));
					const cJSON *q;
					const char *to_version = NULL;

					cJSON_ArrayForEach(q, packages) {
						char *qn = ccgov_json_string(q, "name") ? normalize(ccgov_json_string(q, "name"), strlen(ccgov_json_string(q, "name"))) : NULL;

						if (qn && dn && strcmp(qn, dn) == 0)
							to_version = ccgov_json_string(q, "version");
						free(qn);
					}
					if (to_version) {
						char *to = ccgov_purl("pypi", NULL, dn, to_version);

						/* A package left out has no edges to it. */
						err = !to ? ccgov_error_set(CCGOV_ENOMEM, "out of memory") :
						      ccgov_sbom_find(s, to) ? ccgov_component_depends(ccgov_sbom_find(s, purl), to) : 0;
						free(to);
					} else if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "optional"))) {
						err = ccgov_sbom_warn(s, "%s: %s %s depends on %s, which the lock file does not list",
								      path, name, version, d->string);
					}
					free(dn);
					if (err < 0)
						break;
				}
			}
			free(purl);
			free(name);
			if (err < 0)
				break;
		}
	}
	cJSON_Delete(doc);
	return err;
}
