#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/provenance.h>
#include <ccgov/timestamp.h>
#include <ccgov/version.h>

#include <string.h>

static cJSON *digest_object(const ccgov_digest *d)
{
	char hex[2 * CCGOV_DIGEST_MAX + 1];
	cJSON *o = cJSON_CreateObject();

	ccgov_digest_hex(hex, d);
	cJSON_AddStringToObject(o, ccgov_digest_alg_name(d->alg), hex);
	return o;
}

static cJSON *source_descriptor(const ccgov_build_facts *f)
{
	cJSON *s = cJSON_CreateObject(), *digest;
	ccgov_buffer uri = CCGOV_BUFFER_INIT;

	if (f->remote) {
		ccgov_buffer_printf(&uri, "git+%s", f->remote);
		if (!uri.failed)
			cJSON_AddStringToObject(s, "uri", uri.data);
		ccgov_buffer_free(&uri);
	}
	digest = cJSON_AddObjectToObject(s, "digest");
	cJSON_AddStringToObject(digest, "gitCommit", f->commit);
	return s;
}

/*
 * A submodule as SLSA's resolvedDependencies names a dependency: its path,
 * where it comes from and its pinned commit; "exported": false says that
 * --no-submodules left its folder empty, so the build did not use it.
 */
static cJSON *submodule_descriptor(const ccgov_repo_submodule *sm)
{
	cJSON *d = cJSON_CreateObject(), *ann;
	ccgov_buffer uri = CCGOV_BUFFER_INIT;

	cJSON_AddStringToObject(d, "name", sm->path);
	if (sm->uri) {
		ccgov_buffer_printf(&uri, "git+%s", sm->uri);
		if (!uri.failed)
			cJSON_AddStringToObject(d, "uri", uri.data);
		ccgov_buffer_free(&uri);
	}
	cJSON_AddStringToObject(cJSON_AddObjectToObject(d, "digest"), "gitCommit", sm->id);
	ann = cJSON_AddObjectToObject(d, "annotations");
	cJSON_AddStringToObject(ann, "kind", "git submodule");
	cJSON_AddStringToObject(ann, "path", sm->path);
	if (sm->name)
		cJSON_AddStringToObject(ann, "submodule", sm->name);
	if (sm->url)
		cJSON_AddStringToObject(ann, "url", sm->url);
	cJSON_AddBoolToObject(ann, "exported", sm->exported);
	return d;
}

/*
 * The base image as a resolved dependency: its name as written (a local
 * path differs between machines; the digest is what pins it), the
 * digest pinned and the manifest taken.
 */
static cJSON *base_descriptor(const ccgov_build_facts *f)
{
	char manifest[CCGOV_DIGEST_STRING_MAX];
	cJSON *d = cJSON_CreateObject(), *ann;

	cJSON_AddStringToObject(d, "name", f->base);
	cJSON_AddItemToObject(d, "digest", digest_object(f->base_pinned));
	ann = cJSON_AddObjectToObject(d, "annotations");
	cJSON_AddStringToObject(ann, "kind", "base image");
	ccgov_digest_string(manifest, f->base_manifest);
	cJSON_AddStringToObject(ann, "manifest", manifest);
	return d;
}

static cJSON *versions(void)
{
	ccgov_versions v;
	cJSON *o = cJSON_CreateObject();

	ccgov_versions_get(&v);
	cJSON_AddStringToObject(o, "ccgov", v.ccgov);
	cJSON_AddStringToObject(o, "cjson", v.cjson);
	cJSON_AddStringToObject(o, "libarchive", v.libarchive);
	cJSON_AddStringToObject(o, "libgit2", v.libgit2);
	cJSON_AddStringToObject(o, "openssl", v.openssl);
	return o;
}

static cJSON *build_definition(const ccgov_build_facts *f, const ccgov_project *p)
{
	cJSON *def = cJSON_CreateObject(), *ext, *src, *internal, *comp;
	ccgov_compression_settings cs;

	cJSON_AddStringToObject(def, "buildType", CCGOV_BUILD_TYPE);
	ext = cJSON_AddObjectToObject(def, "externalParameters");
	src = cJSON_AddObjectToObject(ext, "source");
	if (f->has_git) {
		if (f->remote)
			cJSON_AddStringToObject(src, "repository", f->remote);
		cJSON_AddStringToObject(src, "revision", f->revision);
		cJSON_AddStringToObject(src, "commit", f->commit);
		cJSON_AddStringToObject(src, "submodules", f->submodules_left_empty ? "left empty" : "exported");
	} else {
		cJSON_AddStringToObject(src, "vcs", "none");
	}
	cJSON_AddStringToObject(src, "path", f->path);
	cJSON_AddItemToObject(ext, "config", ccgov_project_to_json(p));

	internal = cJSON_AddObjectToObject(def, "internalParameters");
	cJSON_AddItemToObject(internal, "environment", cJSON_Duplicate(f->environment, 1));
	cJSON_AddStringToObject(internal, "umask", "0022");
	cJSON_AddStringToObject(internal, "buildDir", f->build_dir);
	/* Whether buildDir was a fixed view in a private mount namespace, or the real path. */
	cJSON_AddStringToObject(internal, "buildDirView", f->build_dir_isolated ? "mount namespace" : "real path");
	if (f->timeout > 0)
		cJSON_AddNumberToObject(internal, "timeoutSeconds", f->timeout);
	cJSON_AddStringToObject(internal, "shell", "/bin/sh -c");
	cJSON_AddNumberToObject(internal, "sourceDateEpoch", (double)f->source_date_epoch);
	cJSON_AddStringToObject(internal, "sourceDateEpochFrom", f->source_date_epoch_from);
	cJSON_AddBoolToObject(internal, "dirty", f->dirty);
	cJSON_AddStringToObject(internal, "architecture", f->architecture);
	ccgov_compression_settings_get(&cs, f->compression);
	comp = cJSON_AddObjectToObject(internal, "compression");
	cJSON_AddStringToObject(comp, "algorithm", cs.name);
	cJSON_AddStringToObject(comp, "implementation", cs.implementation);
	cJSON_AddNumberToObject(comp, "level", cs.level);
	cJSON_AddNumberToObject(comp, "chunkSize", (double)cs.chunk_size);
	cJSON_AddStringToObject(comp, "framing",
				f->compression == CCGOV_COMPRESS_GZIP ? "one gzip member per chunk" :
				f->compression == CCGOV_COMPRESS_ZSTD ? "one zstd frame per chunk" : "none");

	if (f->has_git || f->base) {
		cJSON *deps = cJSON_AddArrayToObject(def, "resolvedDependencies");

		if (f->has_git)
			cJSON_AddItemToArray(deps, source_descriptor(f));
		for (size_t i = 0; i < f->nsubmodules; i++)
			cJSON_AddItemToArray(deps, submodule_descriptor(&f->submodules[i]));
		if (f->base)
			cJSON_AddItemToArray(deps, base_descriptor(f));
	}
	return def;
}

static cJSON *run_details(const ccgov_build_facts *f, const ccgov_image *image)
{
	char started[CCGOV_TIMESTAMP_MAX], finished[CCGOV_TIMESTAMP_MAX], diff_id[CCGOV_DIGEST_STRING_MAX];
	cJSON *run = cJSON_CreateObject(), *builder, *meta, *byproducts, *layer, *config, *ann;

	builder = cJSON_AddObjectToObject(run, "builder");
	cJSON_AddStringToObject(builder, "id", CCGOV_BUILDER_ID);
	cJSON_AddItemToObject(builder, "version", versions());
	meta = cJSON_AddObjectToObject(run, "metadata");
	if (ccgov_timestamp_format(started, f->started) == 0)
		cJSON_AddStringToObject(meta, "startedOn", started);
	if (ccgov_timestamp_format(finished, f->finished) == 0)
		cJSON_AddStringToObject(meta, "finishedOn", finished);

	byproducts = cJSON_AddArrayToObject(run, "byproducts");
	config = cJSON_CreateObject();
	cJSON_AddStringToObject(config, "name", "image config");
	cJSON_AddItemToObject(config, "digest", digest_object(&image->config));
	cJSON_AddStringToObject(config, "mediaType", CCGOV_MEDIA_CONFIG);
	cJSON_AddItemToArray(byproducts, config);
	layer = cJSON_CreateObject();
	cJSON_AddStringToObject(layer, "name", "layer");
	cJSON_AddItemToObject(layer, "digest", digest_object(&image->layer.blob));
	cJSON_AddStringToObject(layer, "mediaType", image->layer.media_type);
	ann = cJSON_AddObjectToObject(layer, "annotations");
	ccgov_digest_string(diff_id, &image->layer.diff_id);
	cJSON_AddStringToObject(ann, "diffID", diff_id);
	cJSON_AddNumberToObject(ann, "size", (double)image->layer.blob_size);
	cJSON_AddNumberToObject(ann, "uncompressedSize", (double)image->layer.tar_size);
	cJSON_AddItemToArray(byproducts, layer);
	return run;
}

cJSON *ccgov_statement_new(const char *subject_name, const ccgov_digest *digest, const char *predicate_type,
			   cJSON *predicate)
{
	cJSON *st = cJSON_CreateObject(), *subject = cJSON_CreateObject();

	if (!st || !subject || !predicate) {
		cJSON_Delete(st);
		cJSON_Delete(subject);
		cJSON_Delete(predicate);
		return NULL;
	}
	cJSON_AddStringToObject(st, "_type", CCGOV_STATEMENT_TYPE);
	cJSON_AddStringToObject(subject, "name", subject_name);
	cJSON_AddItemToObject(subject, "digest", digest_object(digest));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(st, "subject"), subject);
	cJSON_AddStringToObject(st, "predicateType", predicate_type);
	cJSON_AddItemToObject(st, "predicate", predicate);
	return st;
}

int ccgov_provenance_build(cJSON **out, const ccgov_build_facts *f, const ccgov_project *p,
			   const ccgov_image *image)
{
	cJSON *pred = cJSON_CreateObject();
	ccgov_buffer name = CCGOV_BUFFER_INIT;

	if (pred) {
		cJSON_AddItemToObject(pred, "buildDefinition", build_definition(f, p));
		cJSON_AddItemToObject(pred, "runDetails", run_details(f, image));
	}
	ccgov_buffer_printf(&name, "%s:%s", p->name, p->tag ? p->tag : "latest");
	*out = ccgov_statement_new(name.failed ? p->name : name.data, &image->manifest, CCGOV_SLSA_PROVENANCE, pred);
	ccgov_buffer_free(&name);
	return *out ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
}
