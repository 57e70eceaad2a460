#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/json.h>
#include <ccgov/oci.h>
#include <ccgov/path.h>
#include <ccgov/timestamp.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

/* Manifests, configs and indexes are small; anything bigger is not ours to trust. */
#define MAX_JSON_BLOB (4u << 20)

const char *ccgov_oci_host_architecture(void)
{
	static struct utsname u;

	if (uname(&u) < 0)
		return "unknown";
	/* OCI uses Go's GOARCH names; the two common machines differ from uname's. */
	if (strcmp(u.machine, "x86_64") == 0)
		return "amd64";
	if (strcmp(u.machine, "aarch64") == 0)
		return "arm64";
	return u.machine;
}

static char *blob_path(const char *layout, const ccgov_digest *d)
{
	char hex[2 * CCGOV_DIGEST_MAX + 1];
	ccgov_buffer b = CCGOV_BUFFER_INIT;

	ccgov_digest_hex(hex, d);
	ccgov_buffer_printf(&b, "%s/blobs/%s/%s", layout, ccgov_digest_alg_name(d->alg), hex);
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	return ccgov_buffer_detach(&b, NULL);
}

/* Writes JSON as RFC 8785 bytes into a blob; returns its descriptor fields. */
static int write_json_blob(ccgov_digest *digest, uint64_t *size, const char *layout,
			   const cJSON *value)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	char *path = NULL;
	int err;

	if ((err = ccgov_json_write(&b, value, CCGOV_JSON_CANONICAL)) < 0 ||
	    (err = ccgov_digest_buffer(digest, CCGOV_SHA256, b.data, b.len)) < 0)
		goto done;
	*size = b.len;
	if (!(path = blob_path(layout, digest))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	err = ccgov_file_write_atomic(path, b.data, b.len, 0644);
done:
	free(path);
	ccgov_buffer_free(&b);
	return err;
}

static cJSON *descriptor(const char *media_type, const ccgov_digest *d, uint64_t size)
{
	char text[CCGOV_DIGEST_STRING_MAX];
	cJSON *o = cJSON_CreateObject();

	ccgov_digest_string(text, d);
	cJSON_AddStringToObject(o, "mediaType", media_type);
	cJSON_AddStringToObject(o, "digest", text);
	cJSON_AddNumberToObject(o, "size", (double)size);
	return o;
}

static int write_layer(ccgov_layer *layer, const char *layout, const ccgov_image_spec *spec,
		       ccgov_fileset *fs)
{
	ccgov_atomic_file *f;
	char *tmp_name, *final;
	int err;

	/* The name is its digest, known only at the end: write beside it, then rename. */
	if (!(tmp_name = malloc(strlen(layout) + 32)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	sprintf(tmp_name, "%s/blobs/sha256/layer", layout);
	if ((err = ccgov_atomic_file_open(&f, tmp_name, 0644)) < 0) {
		free(tmp_name);
		return err;
	}
	err = ccgov_layer_write(layer, fs, ccgov_atomic_file_fd(f), spec->compression, spec->threads,
				spec->created);
	if (err == 0)
		err = ccgov_atomic_file_commit(f);
	else
		ccgov_atomic_file_abort(f);
	if (err == 0) {
		if (!(final = blob_path(layout, &layer->blob)))
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else if (rename(tmp_name, final) < 0)
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", final);
		free(final);
	}
	free(tmp_name);
	return err;
}

static cJSON *image_config(const ccgov_image_spec *spec, const ccgov_layer *layer,
			   const char *created)
{
	char diff_id[CCGOV_DIGEST_STRING_MAX];
	cJSON *c = cJSON_CreateObject(), *rootfs, *ids, *history, *h;

	ccgov_digest_string(diff_id, &layer->diff_id);
	cJSON_AddStringToObject(c, "created", created);
	cJSON_AddStringToObject(c, "architecture", spec->architecture);
	cJSON_AddStringToObject(c, "os", spec->os);
	if (spec->config)
		cJSON_AddItemToObject(c, "config", cJSON_Duplicate(spec->config, 1));
	rootfs = cJSON_AddObjectToObject(c, "rootfs");
	cJSON_AddStringToObject(rootfs, "type", "layers");
	ids = cJSON_AddArrayToObject(rootfs, "diff_ids");
	cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id));
	history = cJSON_AddArrayToObject(c, "history");
	h = cJSON_CreateObject();
	cJSON_AddStringToObject(h, "created", created);
	cJSON_AddStringToObject(h, "created_by", spec->created_by ? spec->created_by : "ccgov build");
	cJSON_AddItemToArray(history, h);
	return c;
}

int ccgov_oci_write(ccgov_image *out, const char *layout, const ccgov_image_spec *spec,
		    ccgov_fileset *fs)
{
	char created[CCGOV_TIMESTAMP_MAX], path[4096];
	cJSON *config = NULL, *manifest = NULL, *index = NULL, *layers, *desc, *ann;
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	uint64_t config_size;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = ccgov_timestamp_format(created, spec->created)) < 0)
		return err;
	if (snprintf(path, sizeof(path), "%s/blobs/sha256", layout) >= (int)sizeof(path))
		return ccgov_error_set(CCGOV_EINVALID, "%s: path too long", layout);
	/* Modes set explicitly: the caller's umask must not show in the layout. */
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), i ? "%s/blobs/sha256" : "%s/blobs", layout);
		if ((mkdir(path, 0755) < 0 && errno != EEXIST) || chmod(path, 0755) < 0)
			return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
	}
	if ((err = write_layer(&out->layer, layout, spec, fs)) < 0)
		return err;

	err = CCGOV_ENOMEM;
	if (!(config = image_config(spec, &out->layer, created)))
		goto done;
	if ((err = write_json_blob(&out->config, &config_size, layout, config)) < 0)
		goto done;

	manifest = cJSON_CreateObject();
	cJSON_AddNumberToObject(manifest, "schemaVersion", 2);
	cJSON_AddStringToObject(manifest, "mediaType", CCGOV_MEDIA_MANIFEST);
	cJSON_AddItemToObject(manifest, "config", descriptor(CCGOV_MEDIA_CONFIG, &out->config, config_size));
	layers = cJSON_AddArrayToObject(manifest, "layers");
	cJSON_AddItemToArray(layers, descriptor(out->layer.media_type, &out->layer.blob,
						out->layer.blob_size));
	if (spec->annotations && spec->annotations->child)
		cJSON_AddItemToObject(manifest, "annotations", cJSON_Duplicate(spec->annotations, 1));
	if ((err = write_json_blob(&out->manifest, &out->manifest_size, layout, manifest)) < 0)
		goto done;

	index = cJSON_CreateObject();
	cJSON_AddNumberToObject(index, "schemaVersion", 2);
	cJSON_AddStringToObject(index, "mediaType", CCGOV_MEDIA_INDEX);
	desc = descriptor(CCGOV_MEDIA_MANIFEST, &out->manifest, out->manifest_size);
	ann = cJSON_AddObjectToObject(desc, "annotations");
	cJSON_AddStringToObject(ann, "org.opencontainers.image.ref.name", spec->tag);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(index, "manifests"), desc);
	if ((err = ccgov_json_write(&b, index, CCGOV_JSON_CANONICAL)) < 0)
		goto done;
	snprintf(path, sizeof(path), "%s/index.json", layout);
	if ((err = ccgov_file_write_atomic(path, b.data, b.len, 0644)) < 0)
		goto done;
	snprintf(path, sizeof(path), "%s/oci-layout", layout);
	if ((err = ccgov_file_write_atomic(path, "{\"imageLayoutVersion\":\"1.0.0\"}", 30, 0644)) < 0)
		goto done;
	/* Even file times say SOURCE_DATE_EPOCH: two layouts of one commit compare equal whole. */
	err = ccgov_file_set_times_tree(layout, spec->created);
done:
	if (err == CCGOV_ENOMEM)
		ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	ccgov_buffer_free(&b);
	cJSON_Delete(config);
	cJSON_Delete(manifest);
	cJSON_Delete(index);
	return err;
}

int ccgov_oci_write_archive(const char *layout, const char *archive_path, int64_t created)
{
	static const char *const top[] = { "blobs", "index.json", "oci-layout" };
	ccgov_atomic_file *f = NULL;
	ccgov_fileset *fs = NULL;
	ccgov_layer tar;
	int err;

	if ((err = ccgov_fileset_new(&fs)) < 0)
		return err;
	for (size_t i = 0; i < 3 && err == 0; i++) {
		char *path = ccgov_path_join(layout, top[i]);

		err = path ? ccgov_fileset_add(fs, path, top[i], top[i])
			   : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		free(path);
	}
	if (err == 0 && (err = ccgov_atomic_file_open(&f, archive_path, 0644)) == 0) {
		err = ccgov_layer_write(&tar, fs, ccgov_atomic_file_fd(f), CCGOV_COMPRESS_NONE, 1, created);
		if (err == 0)
			err = ccgov_atomic_file_commit(f);
		else
			ccgov_atomic_file_abort(f);
	}
	ccgov_fileset_free(fs);
	return err;
}

/* ---- reading and verifying -------------------------------------------- */

/* A descriptor's digest and size, strictly: sha256 only, lowercase hex, whole size. */
static int read_descriptor(ccgov_digest *d, uint64_t *size, const cJSON *desc, const char *where)
{
	const cJSON *digest = cJSON_GetObjectItemCaseSensitive(desc, "digest");
	const cJSON *sz = cJSON_GetObjectItemCaseSensitive(desc, "size");
	int64_t n;
	int err;

	if (!cJSON_IsObject(desc) || !cJSON_IsString(digest) || !cJSON_IsNumber(sz))
		return ccgov_error_set(CCGOV_EINVALID, "%s: descriptor needs a digest and a size", where);
	if (ccgov_digest_parse(d, digest->valuestring) < 0 || d->alg != CCGOV_SHA256)
		return ccgov_error_set(CCGOV_EINVALID, "%s: digest '%.80s' is not sha256:<hex>", where,
				       digest->valuestring);
	/* The OCI image spec makes a size an int64. */
	if ((err = ccgov_json_int64(&n, sz, 0, INT64_MAX, where)) < 0)
		return err;
	*size = (uint64_t)n;
	return 0;
}

static int media_type_is(const cJSON *o, const char *want, const char *where)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(o, "mediaType");

	if (!cJSON_IsString(mt) || strcmp(mt->valuestring, want) != 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: mediaType is not %s", where, want);
	return 0;
}

static int mismatch(const char *path, const ccgov_digest *want, const ccgov_digest *got)
{
	char w[CCGOV_DIGEST_STRING_MAX], g[CCGOV_DIGEST_STRING_MAX];

	ccgov_digest_string(w, want);
	ccgov_digest_string(g, got);
	return ccgov_error_set(CCGOV_EMISMATCH, "%s: content does not match its digest (named %s, content is %s)",
			       path, w, g);
}

/* Reads a JSON blob, checking its size and digest before parsing it. */
static int read_json_blob(cJSON **out, const char *layout, const ccgov_digest *d, uint64_t size)
{
	char *path = blob_path(layout, d), *data = NULL;
	ccgov_digest got;
	size_t len;
	int err;

	*out = NULL;
	if (!path)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = ccgov_file_read(&data, &len, path, MAX_JSON_BLOB)) < 0)
		goto done;
	if (len != size) {
		err = ccgov_error_set(CCGOV_EMISMATCH, "%s: %zu bytes, but its descriptor says %llu",
				      path, len, (unsigned long long)size);
		goto done;
	}
	if ((err = ccgov_digest_buffer(&got, d->alg, data, len)) < 0)
		goto done;
	if (!ccgov_digest_equal(&got, d)) {
		err = mismatch(path, d, &got);
		goto done;
	}
	err = ccgov_json_parse(out, data, len, path);
done:
	free(data);
	free(path);
	return err;
}

typedef struct {
	ccgov_hasher *tar;
	uint64_t tar_size;
} tar_counter;

static int hash_tar(tar_counter *t, const void *data, size_t len)
{
	t->tar_size += len;
	return ccgov_hasher_update(t->tar, data, len);
}

/* gzip: members follow one another until the input ends (RFC 1952 2.2). */
static int inflate_chunk(z_stream *z, tar_counter *t, const unsigned char *in, size_t len,
			 int *ended, const char *path)
{
	unsigned char out[1 << 16];

	z->next_in = (unsigned char *)in;
	z->avail_in = (uInt)len;
	while (z->avail_in > 0) {
		int rc;

		if (*ended) { /* another member starts */
			inflateReset(z);
			*ended = 0;
		}
		z->next_out = out;
		z->avail_out = sizeof(out);
		rc = inflate(z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			return ccgov_error_set(CCGOV_EINVALID, "%s: corrupt gzip data (%s)", path,
					       z->msg ? z->msg : "inflate failed");
		hash_tar(t, out, sizeof(out) - z->avail_out);
		if (rc == Z_STREAM_END)
			*ended = 1;
		else if (rc == Z_BUF_ERROR && z->avail_out != 0)
			break;
	}
	return 0;
}

static int unzstd_chunk(ZSTD_DStream *zs, tar_counter *t, const unsigned char *in, size_t len,
			size_t *pending, const char *path)
{
	unsigned char out[1 << 16];
	ZSTD_inBuffer ib = { in, len, 0 };

	while (ib.pos < ib.size) {
		ZSTD_outBuffer ob = { out, sizeof(out), 0 };
		size_t rc = ZSTD_decompressStream(zs, &ob, &ib);

		if (ZSTD_isError(rc))
			return ccgov_error_set(CCGOV_EINVALID, "%s: corrupt zstd data (%s)", path,
					       ZSTD_getErrorName(rc));
		*pending = rc;
		hash_tar(t, out, ob.pos);
	}
	return 0;
}

/* Streams a layer blob once: its own digest and the digest of what it decompresses to. */
static int check_layer(const char *layout, const cJSON *desc, const char *diff_id_text,
		       ccgov_layer *out)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(desc, "mediaType");
	ccgov_compression kind;
	ccgov_digest want_diff;
	ccgov_hasher *blob = NULL;
	tar_counter t = { 0 };
	z_stream z = { 0 };
	ZSTD_DStream *zs = NULL;
	unsigned char *buf = NULL;
	char *path = NULL;
	uint64_t size, seen = 0;
	size_t zstd_pending = 0;
	int fd = -1, err, gz_ended = 0, decode_err = 0;
	char decode_msg[512] = "";

	if ((err = read_descriptor(&out->blob, &size, desc, "manifest layers[0]")) < 0)
		return err;
	if (!cJSON_IsString(mt))
		return ccgov_error_set(CCGOV_EINVALID, "manifest layers[0]: no mediaType");
	if (strcmp(mt->valuestring, ccgov_layer_media_type(CCGOV_COMPRESS_GZIP)) == 0)
		kind = CCGOV_COMPRESS_GZIP;
	else if (strcmp(mt->valuestring, ccgov_layer_media_type(CCGOV_COMPRESS_ZSTD)) == 0)
		kind = CCGOV_COMPRESS_ZSTD;
	else if (strcmp(mt->valuestring, ccgov_layer_media_type(CCGOV_COMPRESS_NONE)) == 0)
		kind = CCGOV_COMPRESS_NONE;
	else
		return ccgov_error_set(CCGOV_EINVALID, "manifest layers[0]: unsupported mediaType %.100s",
				       mt->valuestring);
	if (ccgov_digest_parse(&want_diff, diff_id_text) < 0 || want_diff.alg != CCGOV_SHA256)
		return ccgov_error_set(CCGOV_EINVALID, "config rootfs.diff_ids[0]: not sha256:<hex>");
	out->media_type = ccgov_layer_media_type(kind);
	if (!(path = blob_path(layout, &out->blob)) || !(buf = malloc(1 << 20))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	if ((err = ccgov_hasher_new(&blob, CCGOV_SHA256)) < 0 ||
	    (err = ccgov_hasher_new(&t.tar, CCGOV_SHA256)) < 0)
		goto done;
	if (kind == CCGOV_COMPRESS_GZIP && inflateInit2(&z, 15 + 16) != Z_OK) {
		err = ccgov_error_set(CCGOV_ENOMEM, "zlib: cannot start");
		goto done;
	}
	if (kind == CCGOV_COMPRESS_ZSTD && !(zs = ZSTD_createDStream())) {
		err = ccgov_error_set(CCGOV_ENOMEM, "zstd: cannot start");
		goto done;
	}
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", path);
		goto done;
	}
	for (;;) {
		ssize_t n = read(fd, buf, 1 << 20);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = ccgov_error_set_errno(CCGOV_EIO, errno, "%s", path);
			goto done;
		}
		if (n == 0)
			break;
		seen += (uint64_t)n;
		ccgov_hasher_update(blob, buf, (size_t)n);
		/* After a decoding error, keep hashing: a digest mismatch is the better report. */
		if (decode_err)
			continue;
		if (kind == CCGOV_COMPRESS_GZIP)
			decode_err = inflate_chunk(&z, &t, buf, (size_t)n, &gz_ended, path);
		else if (kind == CCGOV_COMPRESS_ZSTD)
			decode_err = unzstd_chunk(zs, &t, buf, (size_t)n, &zstd_pending, path);
		else
			decode_err = hash_tar(&t, buf, (size_t)n);
		if (decode_err)
			snprintf(decode_msg, sizeof(decode_msg), "%s", ccgov_error_last()->message);
	}
	if ((err = ccgov_hasher_final(&out->diff_id, t.tar)) < 0)
		goto done;
	{
		ccgov_digest got;

		if ((err = ccgov_hasher_final(&got, blob)) < 0)
			goto done;
		if (seen != size) {
			err = ccgov_error_set(CCGOV_EMISMATCH, "%s: %llu bytes, but its descriptor says %llu",
					      path, (unsigned long long)seen, (unsigned long long)size);
			goto done;
		}
		if (!ccgov_digest_equal(&got, &out->blob)) {
			err = mismatch(path, &out->blob, &got);
			goto done;
		}
	}
	if (decode_err) {
		err = ccgov_error_set(decode_err, "%s", decode_msg);
		goto done;
	}
	if ((kind == CCGOV_COMPRESS_GZIP && !gz_ended) || (kind == CCGOV_COMPRESS_ZSTD && zstd_pending)) {
		err = ccgov_error_set(CCGOV_EINVALID, "%s: compressed data is truncated", path);
		goto done;
	}
	if (!ccgov_digest_equal(&out->diff_id, &want_diff)) {
		char w[CCGOV_DIGEST_STRING_MAX], g[CCGOV_DIGEST_STRING_MAX];

		ccgov_digest_string(w, &want_diff);
		ccgov_digest_string(g, &out->diff_id);
		err = ccgov_error_set(CCGOV_EMISMATCH,
				      "%s: layer does not match the config's diff_id (config says %s, layer is %s)",
				      path, w, g);
		goto done;
	}
	out->blob_size = seen;
	out->tar_size = t.tar_size;
done:
	if (fd >= 0)
		close(fd);
	if (kind == CCGOV_COMPRESS_GZIP)
		inflateEnd(&z);
	ZSTD_freeDStream(zs);
	ccgov_hasher_free(blob);
	ccgov_hasher_free(t.tar);
	free(buf);
	free(path);
	return err;
}

static int find_manifest(const cJSON **out, const cJSON *index, const char *tag, const char *where)
{
	const cJSON *manifests = cJSON_GetObjectItemCaseSensitive(index, "manifests"), *m;
	int count = 0;

	*out = NULL;
	if (!cJSON_IsArray(manifests))
		return ccgov_error_set(CCGOV_EINVALID, "%s: no manifests array", where);
	cJSON_ArrayForEach(m, manifests) {
		const cJSON *ann = cJSON_GetObjectItemCaseSensitive(m, "annotations");
		const cJSON *ref = cJSON_GetObjectItemCaseSensitive(ann, "org.opencontainers.image.ref.name");

		count++;
		if (!tag || (cJSON_IsString(ref) && strcmp(ref->valuestring, tag) == 0)) {
			if (*out && !tag)
				return ccgov_error_set(CCGOV_EINVALID, "%s: holds several images; name a tag", where);
			if (!*out)
				*out = m;
		}
	}
	if (!*out)
		return ccgov_error_set(CCGOV_ENOTFOUND, tag ? "%s: no image tagged '%s'" : "%s: holds no image",
				       where, tag);
	(void)count;
	return 0;
}

int ccgov_oci_verify(ccgov_image *out, const char *layout, const char *tag)
{
	char path[4096];
	cJSON *layout_doc = NULL, *index = NULL, *manifest = NULL, *config = NULL;
	const cJSON *desc, *layers, *diff_ids, *version;
	uint64_t config_size;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/oci-layout", layout);
	if ((err = ccgov_json_parse_file(&layout_doc, path, 4096)) < 0)
		goto done;
	version = cJSON_GetObjectItemCaseSensitive(layout_doc, "imageLayoutVersion");
	if (!cJSON_IsString(version) || strcmp(version->valuestring, "1.0.0") != 0) {
		err = ccgov_error_set(CCGOV_EINVALID, "%s: imageLayoutVersion is not 1.0.0", path);
		goto done;
	}
	snprintf(path, sizeof(path), "%s/index.json", layout);
	if ((err = ccgov_json_parse_file(&index, path, MAX_JSON_BLOB)) < 0 ||
	    (err = find_manifest(&desc, index, tag, path)) < 0 ||
	    (err = media_type_is(desc, CCGOV_MEDIA_MANIFEST, path)) < 0 ||
	    (err = read_descriptor(&out->manifest, &out->manifest_size, desc, path)) < 0 ||
	    (err = read_json_blob(&manifest, layout, &out->manifest, out->manifest_size)) < 0 ||
	    (err = media_type_is(manifest, CCGOV_MEDIA_MANIFEST, "manifest")) < 0)
		goto done;
	desc = cJSON_GetObjectItemCaseSensitive(manifest, "config");
	if ((err = media_type_is(desc, CCGOV_MEDIA_CONFIG, "manifest config")) < 0 ||
	    (err = read_descriptor(&out->config, &config_size, desc, "manifest config")) < 0 ||
	    (err = read_json_blob(&config, layout, &out->config, config_size)) < 0)
		goto done;
	layers = cJSON_GetObjectItemCaseSensitive(manifest, "layers");
	diff_ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(config, "rootfs"),
						   "diff_ids");
	if (!cJSON_IsArray(layers) || !cJSON_IsArray(diff_ids) ||
	    cJSON_GetArraySize(layers) != cJSON_GetArraySize(diff_ids)) {
		err = ccgov_error_set(CCGOV_EMISMATCH,
				      "manifest has %d layers but the config names %d diff_ids",
				      cJSON_GetArraySize(layers), cJSON_GetArraySize(diff_ids));
		goto done;
	}
	/* ccgov writes one layer; images with more are checked layer by layer all the same. */
	for (int i = 0; i < cJSON_GetArraySize(layers) && err == 0; i++) {
		const cJSON *id = cJSON_GetArrayItem(diff_ids, i);

		if (!cJSON_IsString(id))
			err = ccgov_error_set(CCGOV_EINVALID, "config rootfs.diff_ids[%d]: not a string", i);
		else
			err = check_layer(layout, cJSON_GetArrayItem(layers, i), id->valuestring, &out->layer);
	}
done:
	cJSON_Delete(layout_doc);
	cJSON_Delete(index);
	cJSON_Delete(manifest);
	cJSON_Delete(config);
	return err;
}
