/*
 * C and C++: what no package manager of the language pins is pinned by
 * git submodules (a path, a URL and a commit), conan.lock (Conan 1 and 2)
 * or vcpkg.json. A submodule is a component whose version is its commit:
 * pkg:github/OWNER/REPO@COMMIT for GitHub, else pkg:generic/NAME@COMMIT
 * with the URL as the vcs_url qualifier.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>
#include <ccgov/uri.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The repository's name in a URL: ".../mruby.git" gives "mruby". */
static char *repo_name(const char *url)
{
	const char *end = url + strlen(url), *start;

	while (end > url && end[-1] == '/')
		end--;
	start = end;
	while (start > url && start[-1] != '/' && start[-1] != ':')
		start--;
	if (end - start > 4 && strncmp(end - 4, ".git", 4) == 0)
		end -= 4;
	return end > start ? strndup(start, (size_t)(end - start)) : strdup("submodule");
}

static char *submodule_purl(const char *name, const char *url, const char *commit)
{
	char *purl = ccgov_purl_github(url, commit), *base, *vcs = NULL, *enc;

	if (purl)
		return purl;
	if (!(base = ccgov_purl("generic", NULL, name, commit)))
		return NULL;
	if (asprintf(&vcs, "git+%s@%s", url, commit) < 0) {
		free(base);
		return NULL;
	}
	enc = ccgov_uri_encode(vcs, NULL);
	free(vcs);
	if (!enc || asprintf(&purl, "%s?vcs_url=%s", base, enc) < 0)
		purl = NULL;
	free(enc);
	free(base);
	return purl;
}

static int add_submodule(ccgov_sbom *s, const char *path, const char *url, const char *commit);

int ccgov_catalog_submodule(ccgov_sbom *s, const char *path, const char *url, const char *commit)
{
	char *shown;
	int err;

	if (!url)
		return ccgov_sbom_warn(s, ".gitmodules: submodule %s has no url; left out", path);
	if (!commit || !commit[0])
		return ccgov_sbom_warn(s, ".gitmodules: submodule %s has no commit in the tree (not added, or removed); left out", path);
	if ((err = ccgov_sbom_usable(s, ".gitmodules", "submodule path", path, "url", url, "commit", commit, NULL)) <= 0)
		return err;
	/* The URL is recorded twice (vcs:url, the purl's vcs_url): never with a password or token. */
	if (!(shown = ccgov_uri_redact(url, NULL)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	err = add_submodule(s, path, shown, commit);
	free(shown);
	return err;
}

static int add_submodule(ccgov_sbom *s, const char *path, const char *url, const char *commit)
{
	ccgov_component *c;
	char *name, *purl;
	int err;

	if (!(name = repo_name(url)) || !(purl = submodule_purl(name, url, commit))) {
		free(name);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	c = ccgov_sbom_add(s, "library", name, commit, purl, ".gitmodules");
	free(name);
	free(purl);
	if (!c)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	/* A submodule's place decides its scope as a lock file's does (tests/munit is a test's). */
	{
		char *as_file = NULL;
		const char *scope = asprintf(&as_file, "%s/x", path) < 0 ? NULL : ccgov_sbom_scope_of(as_file);

		free(as_file);
		ccgov_component_use(c, CCGOV_DEP_RUNTIME, scope, 1);
		if ((err = ccgov_component_property(c, "ccgov:submodule:path", path)) == 0 &&
		    (err = ccgov_component_property(c, "ccgov:vcs:url", url)) == 0 && !scope)
			err = ccgov_component_depends(&s->root, c->ref);
	}
	return err;
}

/* "zlib/1.3.1[@user/channel][#rrev[%time]]": name and version, or -1. */
static int conan_ref(const char *ref, char **name, char **version)
{
	const char *slash = strchr(ref, '/'), *end;

	*name = *version = NULL;
	if (!slash || slash == ref)
		return -1;
	end = slash + 1 + strcspn(slash + 1, "@#%");
	if (end == slash + 1)
		return -1;
	*name = strndup(ref, (size_t)(slash - ref));
	*version = strndup(slash + 1, (size_t)(end - slash - 1));
	return *name && *version ? 0 : -2;
}

static int add_conan(ccgov_sbom *s, const char *path, const char *ref, ccgov_dep_kind kind)
{
	char *name, *version, *purl = NULL;
	ccgov_component *c = NULL;
	int err = conan_ref(ref, &name, &version);

	if (err == -1)
		err = ccgov_sbom_warn(s, "%s: '%s' is not a Conan reference (name/version); left out", path, ref);
	else if (err < 0)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	/* The reference holds the name and version: one check covers the three values taken from it. */
	else if ((err = ccgov_sbom_usable(s, path, "Conan reference", ref, NULL)) > 0) {
		if (!(purl = ccgov_purl("conan", NULL, name, version)) ||
		    !(c = ccgov_sbom_add(s, "library", name, version, purl, path)))
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else
			ccgov_component_use(c, kind, ccgov_sbom_scope_of(path), 0);
		/* The recipe revision pins the recipe's exact content. */
		if (c && strchr(ref, '#'))
			err = ccgov_component_property(c, "ccgov:conan:reference", ref);
	}
	free(purl);
	free(name);
	free(version);
	return err < 0 ? err : 0;
}

int ccgov_catalog_conan_lock(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	static const struct {
		const char *key;
		ccgov_dep_kind kind;
	} lists[] = { { "requires", CCGOV_DEP_RUNTIME }, { "build_requires", CCGOV_DEP_DEV },
		      { "python_requires", CCGOV_DEP_DEV } };
	cJSON *doc = NULL, *nodes, *n;
	int err = ccgov_json_parse(&doc, text, len, path), found = 0;

	if (err < 0)
		return err;
	/* Conan 2: lists of references. */
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]) && err == 0; l++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(doc, lists[l].key), *r;

		found |= cJSON_IsArray(list);
		cJSON_ArrayForEach(r, list)
			if (cJSON_IsString(r) && (err = add_conan(s, path, r->valuestring, lists[l].kind)) < 0)
				break;
	}
	/* Conan 1: graph_lock.nodes, node "0" being the consumer. */
	nodes = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "graph_lock"), "nodes");
	cJSON_ArrayForEach(n, nodes) {
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(n, "ref");

		found = 1;
		if (err == 0 && cJSON_IsString(ref) && strcmp(n->string, "0") != 0)
			err = add_conan(s, path, ref->valuestring, CCGOV_DEP_RUNTIME);
	}
	if (err == 0 && !found)
		err = ccgov_error_set(CCGOV_EINVALID, "%s: neither \"requires\" (Conan 2) nor \"graph_lock\" (Conan 1): not a conan.lock", path);
	cJSON_Delete(doc);
	return err;
}

/*
 * vcpkg.json names dependencies; exact versions come from "overrides" and
 * otherwise from the registry baseline, which the manifest only names, so
 * such components have no version (and a warning says so).
 */
int ccgov_catalog_vcpkg(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	cJSON *doc = NULL, *deps, *d, *o;
	int err = ccgov_json_parse(&doc, text, len, path);

	if (err < 0)
		return err;
	deps = cJSON_GetObjectItemCaseSensitive(doc, "dependencies");
	cJSON_ArrayForEach(d, deps) {
		const char *name = cJSON_IsString(d) ? d->valuestring :
				   ccgov_json_string(d, "name");
		const char *version = NULL;
		char *purl;
		ccgov_component *c;

		if (!name) {
			err = ccgov_sbom_warn(s, "%s: a dependency without a name; left out", path);
			continue;
		}
		cJSON_ArrayForEach(o, cJSON_GetObjectItemCaseSensitive(doc, "overrides")) {
			const char *on = ccgov_json_string(o, "name");

			if (on && strcmp(on, name) == 0)
				version = ccgov_json_string(o, "version");
		}
		if ((err = ccgov_sbom_usable(s, path, "dependency", name, "version", version, NULL)) <= 0) {
			if (err < 0)
				break;
			continue;
		}
		err = 0;
		if (!version && (err = ccgov_sbom_warn(s, "%s: %s: no exact version (it comes from the vcpkg baseline); listed without one",
						       path, name)) < 0)
			break;
		if (!(purl = ccgov_purl("generic", "vcpkg", name, version)) ||
		    !(c = ccgov_sbom_add(s, "library", name, version, purl, path))) {
			free(purl);
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			break;
		}
		free(purl);
		ccgov_component_use(c, cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(d, "host")) ? CCGOV_DEP_DEV :
				       CCGOV_DEP_RUNTIME, ccgov_sbom_scope_of(path), 1);
		if (!ccgov_sbom_scope_of(path) && (err = ccgov_component_depends(&s->root, c->ref)) < 0)
			break;
	}
	if (err == 0 && deps && !cJSON_IsArray(deps))
		err = ccgov_error_set(CCGOV_EINVALID, "%s: \"dependencies\" is not an array", path);
	cJSON_Delete(doc);
	return err;
}
