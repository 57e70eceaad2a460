/*
 * package-lock.json, lockfileVersion 2 and 3: the "packages" map, keyed by
 * install path ("node_modules/a/node_modules/@s/b"). Each entry gives a
 * version, integrity hashes (SRI: "sha512-BASE64"), and dev/optional
 * flags; its dependencies are found the way Node resolves them, in the
 * nearest node_modules up the path.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>

#include <openssl/evp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LOCK_DEPTH 64

static int flag(const cJSON *o, const char *key)
{
	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

/* The package name an install path ends with: "node_modules/@s/b" gives "@s/b". */
static const char *name_of_path(const char *key)
{
	const char *at = NULL;

	for (const char *p = key; (p = strstr(p, "node_modules/")); p += 13)
		at = p + 13;
	return at;
}

/* "sha512-BASE64 sha1-BASE64": each as a CycloneDX algorithm and hex. */
static int add_integrity(ccgov_sbom *s, ccgov_component *c, const char *integrity, const char *path,
			 const char *key)
{
	static const struct {
		const char *prefix, *alg;
		int size;
	} algs[] = { { "sha512-", "SHA-512", 64 }, { "sha384-", "SHA-384", 48 }, { "sha256-", "SHA-256", 32 },
		     { "sha1-", "SHA-1", 20 } };
	char *copy = strdup(integrity), *save = NULL;
	int err = 0;

	if (!copy)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (char *t = strtok_r(copy, " ", &save); t && err == 0; t = strtok_r(NULL, " ", &save)) {
		size_t i, n = sizeof(algs) / sizeof(algs[0]);
		unsigned char raw[80];
		char hex[161];
		int len;

		for (i = 0; i < n && strncmp(t, algs[i].prefix, strlen(algs[i].prefix)) != 0; i++)
			;
		if (i == n) {
			err = ccgov_sbom_warn(s, "%s: %s: unknown integrity algorithm in '%.20s'", path, key, t);
			continue;
		}
		t += strlen(algs[i].prefix);
		len = strlen(t) <= 108 ? EVP_DecodeBlock(raw, (const unsigned char *)t, (int)strlen(t)) : -1;
		/* EVP_DecodeBlock counts the '=' padding as zero bytes. */
		if (len > 0)
			len -= (int)(strlen(t) > 0 && t[strlen(t) - 1] == '=') + (int)(strlen(t) > 1 && t[strlen(t) - 2] == '=');
		if (len != algs[i].size) {
			err = ccgov_sbom_warn(s, "%s: %s: integrity value is not a %s digest; left out", path, key,
					      algs[i].alg);
			continue;
		}
		for (int b = 0; b < len; b++)
			snprintf(hex + 2 * b, 3, "%02x", raw[b]);
		err = ccgov_component_hash(c, algs[i].alg, hex);
	}
	free(copy);
	return err;
}

/* "@scope/name": the scope is the purl namespace. */
static char *npm_purl(const char *name, const char *version)
{
	return ccgov_purl_split("npm", name, name[0] == '@' ? strchr(name, '/') : NULL, version);
}

/*
 * The install path Node would load dependency name from, for the package
 * at from: from/node_modules/name, then each parent's node_modules.
 */
static const cJSON *resolve(const cJSON *packages, const char *from, const char *name, char **key_out)
{
	char *base = strdup(from);

	*key_out = NULL;
	while (base) {
		char *key = NULL;
		const cJSON *e;

		if (asprintf(&key, "%s%snode_modules/%s", base, base[0] ? "/" : "", name) < 0)
			break;
		if ((e = cJSON_GetObjectItemCaseSensitive(packages, key))) {
			free(base);
			*key_out = key;
			return e;
		}
		free(key);
		if (!base[0])
			break;
		/* Up one level: drop "/node_modules/<name>" (a scoped name has two parts). */
		{
			char *nm = NULL;

			for (char *p = base; (p = strstr(p, "node_modules/")); p++)
				nm = p;
			if (!nm)
				break;
			*(nm > base ? nm - 1 : nm) = '\0';
		}
	}
	free(base);
	return NULL;
}

static int add_entry(ccgov_sbom *s, const char *path, const char *scope, const char *key, const cJSON *e,
		     char **ref_out)
{
	const char *name = ccgov_json_string(e, "name") ? ccgov_json_string(e, "name") : name_of_path(key);
	const char *version = ccgov_json_string(e, "version"), *integrity = ccgov_json_string(e, "integrity"), *license = ccgov_json_string(e, "license");
	ccgov_dep_kind kind = flag(e, "dev") ? CCGOV_DEP_DEV :
			      (flag(e, "optional") || flag(e, "devOptional")) ? CCGOV_DEP_OPTIONAL : CCGOV_DEP_RUNTIME;
	ccgov_component *c;
	char *purl, *where = NULL;
	int err;

	*ref_out = NULL;
	if (!name || !version)
		return ccgov_sbom_warn(s, "%s: \"%s\": no %s; left out", path, key, name ? "version" : "name");
	if (asprintf(&where, "%s: packages[\"%s\"]", path, key) < 0)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	err = ccgov_sbom_usable(s, where, "name", name, "version", version, NULL);
	/* A license that is not text is left out alone: the package is still there. */
	if (err > 0 && license && (err = ccgov_sbom_usable(s, where, "license", license, NULL)) == 0)
		license = NULL, err = 1;
	free(where);
	if (err <= 0)
		return err;
	if (!(purl = npm_purl(name, version)) || !(c = ccgov_sbom_add(s, "library", name, version, purl, path))) {
		free(purl);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	free(purl);
	ccgov_component_use(c, kind, scope, 0);
	c->deps_known = 1;
	if (!(*ref_out = strdup(c->ref)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (license && !c->license && !(c->license = strdup(license)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return integrity ? add_integrity(s, c, integrity, path, key) : 0;
}

/* The ref add_entry gives the entry at key, or NULL when it has none. */
static char *entry_ref(const char *key, const cJSON *e)
{
	const char *name = ccgov_json_string(e, "name") ? ccgov_json_string(e, "name") : name_of_path(key), *version = ccgov_json_string(e, "version");

	return name && version ? npm_purl(name, version) : NULL;
}

/* The dependency lists an entry declares; the root's dev and peer ones count too. */
static int add_edges(ccgov_sbom *s, const cJSON *packages, const char *path, const char *key, const char *ref,
		     int root)
{
	static const char *const lists[] = { "dependencies", "optionalDependencies", "devDependencies",
					     "peerDependencies" };
	const cJSON *entry = cJSON_GetObjectItemCaseSensitive(packages, key);
	int err = 0;

	for (size_t l = 0; l < (root ? 4u : 2u) && err == 0; l++) {
		const cJSON *d;

		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(entry, lists[l])) {
			char *to_key = NULL, *to_ref = NULL;
			const cJSON *to = resolve(packages, key, d->string, &to_key);
			ccgov_component *from, *target;

			/* Optional and peer packages may be absent; links are the project's own folders. */
			if (!to || flag(to, "link") || !(to_ref = entry_ref(to_key, to))) {
				if (!to && l == 0)
					err = ccgov_sbom_warn(s, "%s: \"%s\" depends on %s, which the lock file does not install",
							      path, key[0] ? key : "(root)", d->string);
				free(to_key);
				continue;
			}
			/* An entry left out (its name was not text, say) has no edges either way. */
			from = ccgov_sbom_find(s, ref);
			target = ccgov_sbom_find(s, to_ref);
			if (from && target && (err = ccgov_component_depends(from, to_ref)) == 0 && root)
				target->direct = 1;
			free(to_ref);
			free(to_key);
			if (err < 0)
				break;
		}
	}
	return err;
}

int ccgov_catalog_npm_lock(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	cJSON *doc = NULL, *version, *packages, *e;
	const char *scope = ccgov_sbom_scope_of(path);
	int64_t n = 0;
	int err;

	if ((err = ccgov_json_parse(&doc, text, len, path)) < 0)
		return err;
	version = cJSON_GetObjectItemCaseSensitive(doc, "lockfileVersion");
	packages = cJSON_GetObjectItemCaseSensitive(doc, "packages");
	if (version && (err = ccgov_json_int64(&n, version, INT64_MIN, INT64_MAX, path)) < 0) {
		cJSON_Delete(doc);
		return err;
	}
	if (!version || (n != 2 && n != 3)) {
		char shown[24] = "missing";

		if (version)
			snprintf(shown, sizeof(shown), "%" PRId64, n);
		cJSON_Delete(doc);
		return ccgov_error_set(CCGOV_EINVALID,
				       "%s: lockfileVersion %s is not supported (2 and 3 are; npm 7 and later write them)",
				       path, shown);
	}
	if (!cJSON_IsObject(packages)) {
		cJSON_Delete(doc);
		return ccgov_error_set(CCGOV_EINVALID, "%s: no \"packages\" object", path);
	}
	/* Every package first, then the edges between them. */
	for (int pass = 0; pass < 2 && err == 0; pass++) {
		cJSON_ArrayForEach(e, packages) {
			char *ref = NULL;

			/* The root is the project; links point at folders of the project. */
			if (!e->string[0] || !strstr(e->string, "node_modules/") || (cJSON_IsObject(e) && flag(e, "link")))
				continue;
			if (!cJSON_IsObject(e)) {
				if (pass == 0)
					err = ccgov_sbom_warn(s, "%s: \"%s\" is not an object; left out", path, e->string);
			} else if (pass == 0) {
				err = add_entry(s, path, scope, e->string, e, &ref);
			} else if ((ref = entry_ref(e->string, e))) {
				err = add_edges(s, packages, path, e->string, ref, 0);
			}
			free(ref);
			if (err < 0)
				break;
		}
	}
	/* A lock file under docs/ or test/ has a root of its own, not the project. */
	if (err == 0 && !scope && cJSON_GetObjectItemCaseSensitive(packages, ""))
		err = add_edges(s, packages, path, "", s->root.ref, 1);
	cJSON_Delete(doc);
	return err;
}
