/*
 * Comparing two SBOMs, of either format: which components were added,
 * removed, or changed in version. A component is known by its purl without
 * the version (pkg:npm/foo), or by its name when it has no purl; several
 * versions of one package (npm installs them side by side) are compared
 * as sets.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>

#include <stdlib.h>
#include <string.h>

#define MAX_SBOM_FILE (512u << 20)
#define MAX_NESTING 32

static void entries_free(ccgov_sbom_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(e[i].key);
		free(e[i].name);
		free(e[i].version);
	}
	free(e);
}

/* pkg:type/ns/name@version?q#sub without "@version". */
static char *purl_key(const char *purl)
{
	size_t end = strcspn(purl, "?#"), at = end;
	char *key;

	while (at > 0 && purl[at - 1] != '@' && purl[at - 1] != '/')
		at--;
	if (at == 0 || purl[at - 1] != '@')
		return strdup(purl);
	if (!(key = malloc(strlen(purl) + 1)))
		return NULL;
	memcpy(key, purl, at - 1);
	strcpy(key + at - 1, purl + end);
	return key;
}

typedef struct {
	ccgov_sbom_entry *items;
	size_t len, cap;
} entry_list;

static int push(entry_list *l, const char *purl, const char *name, const char *version)
{
	ccgov_sbom_entry *e;

	if (!name && !purl)
		return 0;
	if (l->len == l->cap) {
		ccgov_sbom_entry *p = realloc(l->items, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof(*p));

		if (!p)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		l->items = p;
	}
	e = &l->items[l->len];
	e->key = purl ? purl_key(purl) : strdup(name);
	e->name = strdup(name ? name : purl);
	e->version = version ? strdup(version) : NULL;
	if (!e->key || !e->name || (version && !e->version)) {
		free(e->key);
		free(e->name);
		free(e->version);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	l->len++;
	return 0;
}

static int cyclonedx_components(entry_list *l, const cJSON *components, int depth);

/* One component and the components nested in it. */
static int cyclonedx_component(entry_list *l, const cJSON *c, int depth)
{
	int err = push(l, ccgov_json_string(c, "purl"),
		       ccgov_json_string(c, "name"),
		       ccgov_json_string(c, "version"));

	return err < 0 ? err : cyclonedx_components(l, cJSON_GetObjectItemCaseSensitive(c, "components"), depth + 1);
}

static int cyclonedx_components(entry_list *l, const cJSON *components, int depth)
{
	const cJSON *c;
	int err = 0;

	if (depth > MAX_NESTING)
		return ccgov_error_set(CCGOV_EINVALID, "components nested too deeply");
	cJSON_ArrayForEach(c, components)
		if ((err = cyclonedx_component(l, c, depth)) < 0)
			break;
	return err;
}

static const char *spdx_purl(const cJSON *package)
{
	const cJSON *r;

	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(package, "externalRefs")) {
		const char *type = ccgov_json_string(r, "referenceType");

		if (type && strcmp(type, "purl") == 0)
			return ccgov_json_string(r, "referenceLocator");
	}
	return NULL;
}

static int by_key(const void *a, const void *b)
{
	const ccgov_sbom_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->version ? x->version : "", y->version ? y->version : "");
}

int ccgov_sbom_entries(ccgov_sbom_entry **out, size_t *n, const char *path)
{
	cJSON *doc = NULL;
	entry_list l = { 0 };
	int err = ccgov_json_parse_file(&doc, path, MAX_SBOM_FILE);

	*out = NULL;
	*n = 0;
	if (err < 0)
		return err;
	if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "bomFormat"))) {
		const cJSON *meta = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "metadata"), "component");

		/* The described project is a component too: its version changes between releases. */
		if (cJSON_IsObject(meta))
			err = cyclonedx_component(&l, meta, 0);
		if (err == 0)
			err = cyclonedx_components(&l, cJSON_GetObjectItemCaseSensitive(doc, "components"), 0);
	} else if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "spdxVersion"))) {
		const cJSON *p;

		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(doc, "packages")) {
			if ((err = push(&l, spdx_purl(p), ccgov_json_string(p, "name"),
					ccgov_json_string(p, "versionInfo"))) < 0)
				break;
		}
	} else {
		err = ccgov_error_set(CCGOV_EINVALID, "%s: neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON", path);
	}
	cJSON_Delete(doc);
	if (err < 0) {
		entries_free(l.items, l.len);
		return err == CCGOV_EINVALID && !strstr(ccgov_error_last()->message, path) ? ccgov_error_wrap("%s", path) : err;
	}
	if (l.len)
		qsort(l.items, l.len, sizeof(*l.items), by_key);
	*out = l.items;
	*n = l.len;
	return 0;
}

void ccgov_sbom_entries_free(ccgov_sbom_entry *e, size_t n)
{
	entries_free(e, n);
}

static cJSON *entry_json(const ccgov_sbom_entry *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "id", e->key);
	cJSON_AddStringToObject(o, "name", e->name);
	if (e->version)
		cJSON_AddStringToObject(o, "version", e->version);
	else
		cJSON_AddNullToObject(o, "version");
	return o;
}

/* The end of the run of entries with the same key as e[i]. */
static size_t group_end(const ccgov_sbom_entry *e, size_t n, size_t i)
{
	size_t j = i;

	while (j < n && strcmp(e[j].key, e[i].key) == 0)
		j++;
	return j;
}

static int same_versions(const ccgov_sbom_entry *a, size_t na, const ccgov_sbom_entry *b, size_t nb)
{
	if (na != nb)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (strcmp(a[i].version ? a[i].version : "", b[i].version ? b[i].version : "") != 0)
			return 0;
	return 1;
}

static cJSON *versions(const ccgov_sbom_entry *e, size_t n)
{
	cJSON *a = cJSON_CreateArray();

	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(a, e[i].version ? cJSON_CreateString(e[i].version) : cJSON_CreateNull());
	return a;
}

int ccgov_sbom_compare(cJSON **out, const ccgov_sbom_entry *a, size_t na, const ccgov_sbom_entry *b, size_t nb)
{
	cJSON *r = cJSON_CreateObject(), *added, *removed, *changed;
	size_t i = 0, j = 0;

	*out = NULL;
	if (!r)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	added = cJSON_AddArrayToObject(r, "added");
	removed = cJSON_AddArrayToObject(r, "removed");
	changed = cJSON_AddArrayToObject(r, "changed");
	while (i < na || j < nb) {
		int c = i >= na ? 1 : j >= nb ? -1 : strcmp(a[i].key, b[j].key);
		size_t ie = i < na ? group_end(a, na, i) : i, je = j < nb ? group_end(b, nb, j) : j;

		if (c < 0) {
			for (; i < ie; i++)
				cJSON_AddItemToArray(removed, entry_json(&a[i]));
		} else if (c > 0) {
			for (; j < je; j++)
				cJSON_AddItemToArray(added, entry_json(&b[j]));
		} else {
			if (!same_versions(a + i, ie - i, b + j, je - j)) {
				cJSON *o = cJSON_CreateObject();

				cJSON_AddStringToObject(o, "id", a[i].key);
				cJSON_AddStringToObject(o, "name", b[j].name);
				cJSON_AddItemToObject(o, "from", versions(a + i, ie - i));
				cJSON_AddItemToObject(o, "to", versions(b + j, je - j));
				cJSON_AddItemToArray(changed, o);
			}
			i = ie;
			j = je;
		}
	}
	*out = r;
	return 0;
}
