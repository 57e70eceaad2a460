/*
 * CycloneDX 1.6 JSON. The serial number is the version 5 UUID of the
 * canonical form of the document without it, so the same content always
 * has the same serial number and any change gives a new one.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>
#include <ccgov/timestamp.h>
#include <ccgov/version.h>

#include <stdio.h>
#include <string.h>

static const char *scope_of(const ccgov_component *c)
{
	if (c->scope || c->kind == CCGOV_DEP_DEV)
		return "excluded";
	return c->kind == CCGOV_DEP_OPTIONAL ? "optional" : "required";
}

static void add_property(cJSON *props, const char *name, const char *value)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddStringToObject(p, "name", name);
	cJSON_AddStringToObject(p, "value", value);
	cJSON_AddItemToArray(props, p);
}

static cJSON *component_json(const ccgov_component *c, int root)
{
	static const char *const kinds[] = { "runtime", "dev", "optional" };
	cJSON *o = cJSON_CreateObject(), *props;

	cJSON_AddStringToObject(o, "type", c->type);
	cJSON_AddStringToObject(o, "bom-ref", c->ref);
	cJSON_AddStringToObject(o, "name", c->name);
	if (c->version)
		cJSON_AddStringToObject(o, "version", c->version);
	if (c->purl)
		cJSON_AddStringToObject(o, "purl", c->purl);
	if (!root)
		cJSON_AddStringToObject(o, "scope", scope_of(c));
	if (c->nhashes) {
		cJSON *hashes = cJSON_AddArrayToObject(o, "hashes");

		for (size_t i = 0; i < c->nhashes; i++) {
			cJSON *h = cJSON_CreateObject();

			cJSON_AddStringToObject(h, "alg", c->hashes[i].alg);
			cJSON_AddStringToObject(h, "content", c->hashes[i].hex);
			cJSON_AddItemToArray(hashes, h);
		}
	}
	if (c->license) {
		cJSON *l = cJSON_CreateObject();

		/* An SPDX expression goes in as one; anything else by name. */
		if (ccgov_sbom_license_is_expression(c->license)) {
			cJSON_AddStringToObject(l, "expression", c->license);
		} else {
			cJSON_AddStringToObject(cJSON_AddObjectToObject(l, "license"), "name", c->license);
		}
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "licenses"), l);
	}
	props = cJSON_CreateArray();
	for (size_t i = 0; i < c->nprops; i++) {
		if (strcmp(c->props[i].name, "ccgov:vcs:url") == 0) {
			cJSON *ref = cJSON_CreateObject();

			cJSON_AddStringToObject(ref, "type", "vcs");
			cJSON_AddStringToObject(ref, "url", c->props[i].value);
			cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "externalReferences"), ref);
		}
		add_property(props, c->props[i].name, c->props[i].value);
	}
	if (!root) {
		add_property(props, "ccgov:dependency", kinds[c->kind]);
		add_property(props, "ccgov:relationship", c->direct ? "direct" : "transitive");
		if (c->scope)
			add_property(props, "ccgov:scope", c->scope);
		if (c->source)
			add_property(props, "ccgov:source", c->source);
	}
	if (cJSON_GetArraySize(props))
		cJSON_AddItemToObject(o, "properties", props);
	else
		cJSON_Delete(props);
	return o;
}

static cJSON *dependency_json(const ccgov_component *c)
{
	cJSON *d = cJSON_CreateObject(), *on = cJSON_CreateArray();

	cJSON_AddStringToObject(d, "ref", c->ref);
	for (size_t i = 0; i < c->ndepends; i++)
		cJSON_AddItemToArray(on, cJSON_CreateString(c->depends[i]));
	cJSON_AddItemToObject(d, "dependsOn", on);
	return d;
}

int ccgov_sbom_write_cyclonedx(ccgov_buffer *out, ccgov_sbom *s)
{
	cJSON *doc, *meta, *tool, *components, *deps;
	char when[CCGOV_TIMESTAMP_MAX], uuid[37], serial[46];
	int err;

	if ((err = ccgov_sbom_keep_writable(s)) < 0)
		return err;
	ccgov_sbom_sort(s);
	if ((err = ccgov_timestamp_format(when, s->time)) < 0)
		return err;
	if (!(doc = cJSON_CreateObject()))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	cJSON_AddStringToObject(doc, "$schema", "http://cyclonedx.org/schema/bom-1.6.schema.json");
	cJSON_AddStringToObject(doc, "bomFormat", "CycloneDX");
	cJSON_AddStringToObject(doc, "specVersion", "1.6");
	cJSON_AddNumberToObject(doc, "version", 1);
	meta = cJSON_AddObjectToObject(doc, "metadata");
	cJSON_AddStringToObject(meta, "timestamp", when);
	tool = cJSON_CreateObject();
	cJSON_AddStringToObject(tool, "type", "application");
	cJSON_AddStringToObject(tool, "name", "ccgov");
	cJSON_AddStringToObject(tool, "version", CCGOV_VERSION);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(cJSON_AddObjectToObject(meta, "tools"), "components"), tool);
	cJSON_AddItemToObject(meta, "component", component_json(&s->root, 1));
	components = cJSON_AddArrayToObject(doc, "components");
	deps = cJSON_AddArrayToObject(doc, "dependencies");
	cJSON_AddItemToArray(deps, dependency_json(&s->root));
	for (size_t i = 0; i < s->len; i++) {
		cJSON_AddItemToArray(components, component_json(&s->items[i], 0));
		if (s->items[i].deps_known)
			cJSON_AddItemToArray(deps, dependency_json(&s->items[i]));
	}
	/* The serial number names the content: hash the document without it. */
	if ((err = ccgov_sbom_document_uuid(uuid, doc)) == 0) {
		snprintf(serial, sizeof(serial), "urn:uuid:%s", uuid);
		cJSON_AddStringToObject(doc, "serialNumber", serial);
		err = ccgov_json_write(out, doc, CCGOV_JSON_PRETTY);
	}
	cJSON_Delete(doc);
	return err;
}
