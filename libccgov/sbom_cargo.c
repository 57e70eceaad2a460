/*
 * Cargo.lock: every package with its version, source and checksum (a real
 * SHA-256 of the .crate file), and the dependency graph. Packages without
 * a source are the workspace's own crates: the project depends on them,
 * and what they depend on is a direct dependency.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>
#include <ccgov/toml.h>
#include <ccgov/uri.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *name, *version, *source, *checksum;
	const cJSON *entry; /* its [[package]] table */
	char *ref;
} crate;

static int is_registry(const char *source)
{
	return source && (strncmp(source, "registry+", 9) == 0 || strncmp(source, "sparse+", 7) == 0);
}

static int hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return 0;
	return 1;
}

/* "name", "name version" or "name version (source)": the package meant, or NULL. */
static const crate *resolve(const crate *crates, size_t n, const char *spec)
{
	char name[256], version[256] = "";
	const crate *found = NULL;

	if (sscanf(spec, "%255s %255s", name, version) < 1)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(crates[i].name, name) != 0 || (version[0] && strcmp(crates[i].version, version) != 0))
			continue;
		if (found) /* "name" alone must be unambiguous */
			return NULL;
		found = &crates[i];
	}
	return found;
}

/*
 * Where a crate comes from, as evidence may show it: a registry's index,
 * or a git repository with the branch, tag or rev Cargo.toml asked for
 * (the query Cargo itself writes) and the commit it resolved to (the
 * fragment). A password, a token in the userinfo, or any other query
 * parameter is dropped.
 */
static int add_source(ccgov_component *c, const char *source)
{
	static const char *const cargo_keys[] = { "branch", "tag", "rev", NULL };
	static const ccgov_uri_keep keep = { cargo_keys, 1 };
	char *shown = source ? ccgov_uri_redact(source, &keep) : NULL;
	int err;

	if (source && !shown)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	err = ccgov_component_property(c, "ccgov:cargo:source", shown ? shown : "workspace");
	free(shown);
	return err;
}

static int add_crate(ccgov_sbom *s, crate *k, const char *path, const char *scope, const char *checksum)
{
	ccgov_component *c;
	char *purl = ccgov_purl("cargo", NULL, k->name, k->version);
	int err = 0;

	if (!purl || !(c = ccgov_sbom_add(s, "library", k->name, k->version, purl, path))) {
		free(purl);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	free(purl);
	ccgov_component_use(c, CCGOV_DEP_RUNTIME, scope, 0);
	c->deps_known = 1;
	if (!(k->ref = strdup(c->ref)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (checksum && hex64(checksum))
		err = ccgov_component_hash(c, "SHA-256", checksum);
	else if (checksum)
		err = ccgov_sbom_warn(s, "%s: %s %s: checksum is not 64 hex digits; left out", path, k->name, k->version);
	if (err == 0)
		err = add_source(c, k->source);
	return err;
}

/* Lock file version 1 kept checksums in [metadata]: "checksum NAME VERSION (SOURCE)" = "hex". */
static const char *v1_checksum(const cJSON *doc, const crate *k)
{
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(doc, "metadata"), *e;
	char key[1024];

	if (!cJSON_IsObject(meta) || !k->source)
		return NULL;
	snprintf(key, sizeof(key), "checksum %s %s (%s)", k->name, k->version, k->source);
	e = cJSON_GetObjectItemCaseSensitive(meta, key);
	return cJSON_IsString(e) ? e->valuestring : NULL;
}

int ccgov_catalog_cargo_lock(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	cJSON *doc = NULL, *packages, *p;
	crate *crates = NULL;
	size_t n = 0, seen = 0;
	const char *scope = ccgov_sbom_scope_of(path);
	int err;

	if ((err = ccgov_toml_parse(&doc, text, len, path)) < 0)
		return err;
	packages = cJSON_GetObjectItemCaseSensitive(doc, "package");
	if (!cJSON_IsArray(packages)) {
		cJSON_Delete(doc);
		return ccgov_error_set(CCGOV_EINVALID, "%s: no [[package]] tables: not a Cargo.lock", path);
	}
	if (!(crates = calloc((size_t)cJSON_GetArraySize(packages) + 1, sizeof(*crates)))) {
		cJSON_Delete(doc);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(p, packages) {
		crate *k = &crates[n];
		char where[PATH_MAX + 32];

		k->name = ccgov_json_string(p, "name");
		k->version = ccgov_json_string(p, "version");
		k->source = ccgov_json_string(p, "source");
		snprintf(where, sizeof(where), "%s: [[package]] %zu", path, ++seen);
		if (!k->name || !k->version) {
			err = ccgov_sbom_warn(s, "%s: no name or version; left out", where);
			if (err < 0)
				break;
			k->name = k->version = NULL;
			continue;
		}
		if ((err = ccgov_sbom_usable(s, where, "name", k->name, "version", k->version, "source", k->source,
					     NULL)) <= 0) {
			if (err < 0)
				break;
			k->name = k->version = NULL;
			continue;
		}
		k->checksum = ccgov_json_string(p, "checksum") ? ccgov_json_string(p, "checksum") : v1_checksum(doc, k);
		if (k->source && !is_registry(k->source) && strncmp(k->source, "git+", 4) != 0 &&
		    (err = ccgov_sbom_warn(s, "%s: %s %s: unknown source '%s'", path, k->name, k->version, k->source)) < 0)
			break;
		k->entry = p;
		if ((err = add_crate(s, k, path, scope, k->checksum)) < 0)
			break;
		n++;
	}
	/* Edges, once every package has its ref. */
	for (size_t i = 0; err == 0 && i < n; i++) {
		const cJSON *deps = cJSON_GetObjectItemCaseSensitive(crates[i].entry, "dependencies"), *d;
		ccgov_component *c;

		cJSON_ArrayForEach(d, deps) {
			const crate *to = cJSON_IsString(d) ? resolve(crates, n, d->valuestring) : NULL;

			c = ccgov_sbom_find(s, crates[i].ref);
			if (!to) {
				err = ccgov_sbom_warn(s, "%s: %s %s: dependency '%s' is not a package of the lock file", path,
						      crates[i].name, crates[i].version,
						      cJSON_IsString(d) ? d->valuestring : "(not a string)");
			} else if (!c) {
				continue;
			} else if ((err = ccgov_component_depends(c, to->ref)) == 0 && !crates[i].source) {
				/* A workspace crate's dependencies are the project's direct ones. */
				if ((c = ccgov_sbom_find(s, to->ref)))
					c->direct = 1;
			}
			if (err < 0)
				break;
		}
	}
	/* The project depends on its workspace crates (a fuzz or test lock's crates stay apart). */
	for (size_t i = 0; err == 0 && i < n; i++) {
		ccgov_component *c;

		if (crates[i].source || scope)
			continue;
		if ((err = ccgov_component_depends(&s->root, crates[i].ref)) == 0 && (c = ccgov_sbom_find(s, crates[i].ref)))
			c->direct = 1;
	}
	for (size_t i = 0; i < n; i++)
		free(crates[i].ref);
	free(crates);
	cJSON_Delete(doc);
	return err;
}
