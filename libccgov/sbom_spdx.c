/*
 * SPDX 2.3 JSON. Every component is a package with its purl as an
 * external reference; the document DESCRIBES the project, which DEPENDS_ON
 * its direct dependencies, and so on down the graph. Development and
 * optional dependencies use SPDX's own relationship types for them.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>
#include <ccgov/timestamp.h>
#include <ccgov/uri.h>
#include <ccgov/version.h>

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SPDXRef-TYPE-NAME-VERSION-HASH8: readable, and unique by the hash of the ref. */
static void spdx_id(char out[200], const ccgov_component *c)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	char raw[160];
	size_t k = 0;

	EVP_Digest(c->ref, strlen(c->ref), md, &n, EVP_sha256(), NULL);
	snprintf(raw, sizeof(raw), "%s-%s", c->name, c->version ? c->version : "");
	for (char *p = raw; *p; p++)
		raw[k++] = (char)((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
					  *p == '.' || *p == '-' ? *p : '-');
	raw[k] = '\0';
	snprintf(out, 200, "SPDXRef-Package-%s-%02x%02x%02x%02x", raw, md[0], md[1], md[2], md[3]);
}

static const char *spdx_alg(const char *cdx)
{
	if (strcmp(cdx, "SHA-1") == 0)
		return "SHA1";
	if (strcmp(cdx, "SHA-256") == 0)
		return "SHA256";
	if (strcmp(cdx, "SHA-384") == 0)
		return "SHA384";
	return "SHA512";
}

static cJSON *package_json(const ccgov_component *c, const char *created)
{
	cJSON *o = cJSON_CreateObject(), *annotations = NULL;
	char id[200];

	spdx_id(id, c);
	cJSON_AddStringToObject(o, "SPDXID", id);
	cJSON_AddStringToObject(o, "name", c->name);
	if (c->version)
		cJSON_AddStringToObject(o, "versionInfo", c->version);
	cJSON_AddStringToObject(o, "downloadLocation", "NOASSERTION");
	cJSON_AddBoolToObject(o, "filesAnalyzed", 0);
	cJSON_AddStringToObject(o, "licenseConcluded", "NOASSERTION");
	if (c->license && ccgov_sbom_license_is_expression(c->license)) {
		cJSON_AddStringToObject(o, "licenseDeclared", c->license);
	} else {
		cJSON_AddStringToObject(o, "licenseDeclared", "NOASSERTION");
		if (c->license) {
			char text[512];

			snprintf(text, sizeof(text), "declared as: %s", c->license);
			cJSON_AddStringToObject(o, "licenseComments", text);
		}
	}
	cJSON_AddStringToObject(o, "copyrightText", "NOASSERTION");
	cJSON_AddStringToObject(o, "primaryPackagePurpose", strcmp(c->type, "application") == 0 ? "APPLICATION" :
							    strcmp(c->type, "file") == 0 ? "FILE" : "LIBRARY");
	if (c->source) {
		char text[512];

		snprintf(text, sizeof(text), "from %s", c->source);
		cJSON_AddStringToObject(o, "sourceInfo", text);
	}
	if (c->nhashes) {
		cJSON *sums = cJSON_AddArrayToObject(o, "checksums");

		for (size_t i = 0; i < c->nhashes; i++) {
			cJSON *h = cJSON_CreateObject();

			cJSON_AddStringToObject(h, "algorithm", spdx_alg(c->hashes[i].alg));
			cJSON_AddStringToObject(h, "checksumValue", c->hashes[i].hex);
			cJSON_AddItemToArray(sums, h);
		}
	}
	if (c->purl) {
		cJSON *ref = cJSON_CreateObject();

		cJSON_AddStringToObject(ref, "referenceCategory", "PACKAGE-MANAGER");
		cJSON_AddStringToObject(ref, "referenceType", "purl");
		cJSON_AddStringToObject(ref, "referenceLocator", c->purl);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "externalRefs"), ref);
	}
	/* What SPDX has no field for (go.sum's h1:, a VCS commit) is an annotation. */
	for (size_t i = 0; i < c->nprops; i++) {
		cJSON *a = cJSON_CreateObject();
		char text[1024];

		if (!annotations)
			annotations = cJSON_AddArrayToObject(o, "annotations");
		snprintf(text, sizeof(text), "%s=%s", c->props[i].name, c->props[i].value);
		cJSON_AddStringToObject(a, "annotationDate", created);
		cJSON_AddStringToObject(a, "annotationType", "OTHER");
		cJSON_AddStringToObject(a, "annotator", "Tool: ccgov-" CCGOV_VERSION);
		cJSON_AddStringToObject(a, "comment", text);
		cJSON_AddItemToArray(annotations, a);
	}
	return o;
}

static void relate(cJSON *rels, const char *from, const char *type, const char *to)
{
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "spdxElementId", from);
	cJSON_AddStringToObject(r, "relationshipType", type);
	cJSON_AddStringToObject(r, "relatedSpdxElement", to);
	cJSON_AddItemToArray(rels, r);
}

/* from depends on to: said the way SPDX says it for to's kind. */
static void relate_dependency(cJSON *rels, const ccgov_component *from, const ccgov_component *to)
{
	char a[200], b[200];

	spdx_id(a, from);
	spdx_id(b, to);
	if (!strcmp(to->type, "file"))
		relate(rels, a, "CONTAINS", b);
	else if (to->scope && !strcmp(to->scope, "toolchain"))
		relate(rels, b, "BUILD_TOOL_OF", a);
	else if (to->scope && (!strcmp(to->scope, "test") || !strcmp(to->scope, "fuzz")))
		relate(rels, b, "TEST_DEPENDENCY_OF", a);
	else if (to->scope && !strcmp(to->scope, "ci"))
		relate(rels, b, "DEV_TOOL_OF", a);
	else if (to->kind == CCGOV_DEP_DEV || to->scope)
		relate(rels, b, "DEV_DEPENDENCY_OF", a);
	else if (to->kind == CCGOV_DEP_OPTIONAL)
		relate(rels, b, "OPTIONAL_DEPENDENCY_OF", a);
	else
		relate(rels, a, "DEPENDS_ON", b);
}

static void add_relationships(cJSON *rels, ccgov_sbom *s)
{
	unsigned char *reached = calloc(s->len + 1, 1);
	char root_id[200];

	spdx_id(root_id, &s->root);
	relate(rels, "SPDXRef-DOCUMENT", "DESCRIBES", root_id);
	for (size_t i = 0; i <= s->len; i++) {
		ccgov_component *from = i == s->len ? &s->root : &s->items[i];

		for (size_t d = 0; d < from->ndepends; d++) {
			ccgov_component *to = ccgov_sbom_find(s, from->depends[d]);

			if (!to || to == &s->root)
				continue;
			relate_dependency(rels, from, to);
			if (reached)
				reached[to - s->items] = 1;
		}
	}
	/* What no edge reaches (a docs/ lock file's packages, say) still belongs to the project. */
	for (size_t i = 0; reached && i < s->len; i++)
		if (!reached[i])
			relate_dependency(rels, &s->root, &s->items[i]);
	free(reached);
}

int ccgov_sbom_write_spdx(ccgov_buffer *out, ccgov_sbom *s)
{
	cJSON *doc, *info, *packages, *rels;
	char when[CCGOV_TIMESTAMP_MAX], uuid[37], name[300], ns[400];
	int err;

	if ((err = ccgov_sbom_keep_writable(s)) < 0)
		return err;
	ccgov_sbom_sort(s);
	if ((err = ccgov_timestamp_format(when, s->time)) < 0)
		return err;
	if (!(doc = cJSON_CreateObject()))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	snprintf(name, sizeof(name), "%s%s%s", s->root.name, s->root.version ? "-" : "",
		 s->root.version ? s->root.version : "");
	cJSON_AddStringToObject(doc, "spdxVersion", "SPDX-2.3");
	cJSON_AddStringToObject(doc, "dataLicense", "CC0-1.0");
	cJSON_AddStringToObject(doc, "SPDXID", "SPDXRef-DOCUMENT");
	cJSON_AddStringToObject(doc, "name", name);
	info = cJSON_AddObjectToObject(doc, "creationInfo");
	cJSON_AddStringToObject(info, "created", when);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(info, "creators"), cJSON_CreateString("Tool: ccgov-" CCGOV_VERSION));
	packages = cJSON_AddArrayToObject(doc, "packages");
	cJSON_AddItemToArray(packages, package_json(&s->root, when));
	for (size_t i = 0; i < s->len; i++)
		cJSON_AddItemToArray(packages, package_json(&s->items[i], when));
	rels = cJSON_AddArrayToObject(doc, "relationships");
	add_relationships(rels, s);
	/* The namespace must be unique per document: derive it from the content. */
	if ((err = ccgov_sbom_document_uuid(uuid, doc)) == 0) {
		char *enc = ccgov_uri_encode(name, NULL);

		snprintf(ns, sizeof(ns), "https://ccgov.dev/spdxdocs/%s-%s", enc ? enc : "sbom", uuid);
		free(enc);
		cJSON_AddStringToObject(doc, "documentNamespace", ns);
		err = ccgov_json_write(out, doc, CCGOV_JSON_PRETTY);
	}
	cJSON_Delete(doc);
	return err;
}
