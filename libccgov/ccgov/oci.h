/*
 * OCI image layouts (image-spec v1.1 "image-layout.md"): writing the one
 * image a build produces, and reading one back with every digest checked.
 * The manifest digest is the image's identity: the subject of all evidence.
 */
#ifndef CCGOV_OCI_H
#define CCGOV_OCI_H

#include <ccgov/compress.h>
#include <ccgov/digest.h>
#include <ccgov/layer.h>

#include <cjson/cJSON.h>
#include <stdint.h>

#define CCGOV_MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define CCGOV_MEDIA_CONFIG "application/vnd.oci.image.config.v1+json"
#define CCGOV_MEDIA_INDEX "application/vnd.oci.image.index.v1+json"

typedef struct {
	const char *tag;          /* org.opencontainers.image.ref.name in index.json */
	int64_t created;          /* SOURCE_DATE_EPOCH: config "created" and history */
	const char *architecture; /* GOARCH spelling: amd64, arm64 */
	const char *os;           /* linux */
	const cJSON *config;      /* the image config's "config" object (Entrypoint, Env, ...) or NULL */
	const cJSON *annotations; /* manifest annotations (string values) or NULL */
	const char *created_by;   /* history entry */
	ccgov_compression compression;
	int threads;
} ccgov_image_spec;

typedef struct {
	ccgov_digest manifest; /* the image digest */
	uint64_t manifest_size;
	ccgov_digest config;
	ccgov_layer layer;
} ccgov_image;

/*
 * Writes an OCI image layout holding one image with one layer made of fs
 * into layout_dir, an existing empty folder (normally a temporary one
 * that the caller renames into place).
 */
int ccgov_oci_write(ccgov_image *out, const char *layout_dir, const ccgov_image_spec *spec,
		    ccgov_fileset *fs);

/*
 * Writes the layout as one uncompressed tar (the "oci-archive" form that
 * skopeo and podman read), with the same normalization as a layer: sorted,
 * owners 0, times clamped to created.
 */
int ccgov_oci_write_archive(const char *layout_dir, const char *archive_path, int64_t created);

/* GOARCH name of the machine ccgov runs on ("amd64", "arm64", ...). */
const char *ccgov_oci_host_architecture(void);

/*
 * Reads the image tagged tag (or the only one, if tag is NULL) from a
 * layout and checks everything a consumer would trust: every blob's size
 * and digest, that each layer decompresses to the diff_id the config
 * names, and the media types. CCGOV_EMISMATCH names the blob that lies;
 * CCGOV_EINVALID a malformed layout.
 */
int ccgov_oci_verify(ccgov_image *out, const char *layout_dir, const char *tag);

#endif
