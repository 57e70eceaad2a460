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

typedef struct ccgov_oci_reader ccgov_oci_reader;

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
	/*
	 * The base image, or NULL: its layers come first (their blobs already
	 * copied into the layout, ccgov_oci_layer_copy_to), its platform and
	 * history are kept, its run config is merged under config.
	 */
	ccgov_oci_reader *base;
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

/*
 * Reading an image's layers for what they hold, with every byte checked
 * as it is read: ccgov_oci_open reads index, manifest and config once
 * each, and checks them before parsing; each layer is then opened once
 * and streamed, its blob digest and size and its diff_id computed from
 * the very bytes handed out. Nothing is read by path twice, so a blob
 * swapped after it was checked cannot be read unchecked.
 *
 * A layer's content may be used only once ccgov_oci_layer_close has
 * returned 0: until then it is unverified.
 */

int ccgov_oci_open(ccgov_oci_reader **out, const char *layout_dir, const char *tag);
void ccgov_oci_close(ccgov_oci_reader *r);

/*
 * Opens the image a digest pins: the manifest index.json lists with that
 * digest, or, for an image index with that digest, its manifest for
 * platform ("os/architecture[/variant]"; "linux/amd64" matches any
 * variant; NULL: this machine's, "linux/" + ccgov_oci_host_architecture()).
 * Index, manifest and config are each checked against their digests.
 * CCGOV_ENOTFOUND when the layout does not hold the pin, or the index has
 * no such platform (the message lists those it has).
 */
int ccgov_oci_open_pinned(ccgov_oci_reader **out, const char *layout_dir, const ccgov_digest *pin,
			  const char *platform);

/* The image's config, manifest and layer descriptors, as read (and checked). */
const cJSON *ccgov_oci_config(const ccgov_oci_reader *r);
const cJSON *ccgov_oci_manifest(const ccgov_oci_reader *r);
const cJSON *ccgov_oci_layer_descriptor(const ccgov_oci_reader *r, size_t i);

/*
 * Copies the open layer's blob, byte for byte as it is read, into
 * layout_dir's blobs (which must exist). The copy takes its digest name
 * only when ccgov_oci_layer_close has checked the blob; otherwise it is
 * removed. Call it before the first read.
 */
int ccgov_oci_layer_copy_to(ccgov_oci_reader *r, const char *layout_dir);

/* The image's manifest digest and size, and its config digest (layer is left zero). */
const ccgov_image *ccgov_oci_image(const ccgov_oci_reader *r);
size_t ccgov_oci_layer_count(const ccgov_oci_reader *r);

/* Starts reading layer i (in manifest order); one layer at a time. */
int ccgov_oci_layer_open(ccgov_oci_reader *r, size_t i);

/*
 * Up to len bytes of the open layer's uncompressed tar: their count, 0 at
 * its end, or a CCGOV_E* code (error set). ctx is the ccgov_oci_reader:
 * the function is a ccgov_tar_source.
 */
long ccgov_oci_layer_read(void *ctx, void *buf, size_t len);

/*
 * Reads what is left of the open layer, then checks it whole: blob size
 * and digest against the manifest, uncompressed digest against the
 * config's diff_id, a compressed stream that is complete. out (or NULL)
 * gets its digests and sizes.
 */
int ccgov_oci_layer_close(ccgov_oci_reader *r, ccgov_layer *out);

/* Drops the open layer unchecked, after a read failed: the error that says why stays the thread's. */
void ccgov_oci_layer_discard(ccgov_oci_reader *r);

#endif
