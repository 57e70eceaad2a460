/*
 * The image SBOM from a hostile layer: the input becomes the one layer
 * (uncompressed, or gzipped when its first byte is odd) of an OCI layout
 * whose digests all match, so the checked stream, the tar reader, the
 * file system and the ELF and dpkg readers all see it. Whatever is
 * accepted must make both writers succeed.
 */
#include "sbom_writers.h"
#include "scratch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

static char dir[64];

__attribute__((destructor)) static void remove_layout(void)
{
	if (dir[0])
		remove_scratch(dir);
}

/* Writes a blob, returns its hex digest in hex. */
static void put_blob(char hex[65], const void *data, size_t len)
{
	char path[200];
	ccgov_digest d;

	if (ccgov_digest_buffer(&d, CCGOV_SHA256, data, len) < 0)
		abort();
	ccgov_digest_hex(hex, &d);
	snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, hex);
	if (ccgov_file_write_atomic(path, data, len, 0644) < 0)
		abort();
}

static size_t gzip_of(unsigned char **out, const uint8_t *data, size_t size)
{
	uLongf n = compressBound(size) + 64;
	z_stream z = { 0 };

	if (!(*out = malloc(n)) || deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		abort();
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)size;
	z.next_out = *out;
	z.avail_out = (uInt)n;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		abort();
	n = z.total_out;
	deflateEnd(&z);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[200], diff[65], layer[65], config[65], manifest[65];
	char config_json[256], manifest_json[1024], index_json[512];
	unsigned char *gz = NULL;
	size_t layer_size = size;
	int gzipped = size > 0 && (data[0] & 1);
	char digest[CCGOV_DIGEST_STRING_MAX];
	ccgov_digest d;
	ccgov_sbom s;

	if (!dir[0])
		make_scratch_layout(dir, sizeof(dir), "/tmp/ccgov-fuzz-image.XXXXXX");
	if (ccgov_digest_buffer(&d, CCGOV_SHA256, data, size) < 0)
		abort();
	ccgov_digest_hex(diff, &d);
	if (gzipped)
		layer_size = gzip_of(&gz, data, size);
	put_blob(layer, gzipped ? gz : data, layer_size);
	free(gz);
	snprintf(config_json, sizeof(config_json),
		 "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]}}",
		 diff);
	put_blob(config, config_json, strlen(config_json));
	snprintf(manifest_json, sizeof(manifest_json),
		 "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:%s\",\"size\":%zu},"
		 "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\",\"digest\":\"sha256:%s\",\"size\":%zu}]}",
		 config, strlen(config_json), gzipped ? "+gzip" : "", layer, layer_size);
	put_blob(manifest, manifest_json, strlen(manifest_json));
	snprintf(index_json, sizeof(index_json),
		 "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		 "\"digest\":\"sha256:%s\",\"size\":%zu}]}",
		 manifest, strlen(manifest_json));
	snprintf(path, sizeof(path), "%s/index.json", dir);
	if (ccgov_file_write_atomic(path, index_json, strlen(index_json), 0644) < 0)
		abort();
	if (fuzz_sbom_start(&s) < 0)
		abort();
	fuzz_sbom_finish(&s, ccgov_sbom_collect_image(&s, dir, digest));
	/* Every blob differs per input: keep the folder small. */
	{
		const char *blobs[] = { layer, config, manifest };

		for (size_t i = 0; i < 3; i++) {
			snprintf(path, sizeof(path), "%s/blobs/sha256/%s", dir, blobs[i]);
			remove_scratch(path);
		}
	}
	return 0;
}
