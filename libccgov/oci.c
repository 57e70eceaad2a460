#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/json.h>
#include <ccgov/oci.h>
#include <ccgov/path.h>
#include <ccgov/timestamp.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

/* NAME of "NAME=VALUE". */
static size_t env_name_len(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq ? (size_t)(eq - kv) : strlen(kv);
}

/* The base's Env with ours on top: a name set by both takes our value in the base's place; new names follow. */
static void merge_env(cJSON *env, const cJSON *ours)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, ours) {
		cJSON *e, *replaced = NULL;
		int i = 0;

		if (!cJSON_IsString(o))
			continue;
		cJSON_ArrayForEach(e, env) {
			if (cJSON_IsString(e) && env_name_len(e->valuestring) == env_name_len(o->valuestring) &&
			    strncmp(e->valuestring, o->valuestring, env_name_len(o->valuestring)) == 0) {
				replaced = e;
				break;
			}
			i++;
		}
		if (replaced)
			cJSON_ReplaceItemInArray(env, i, cJSON_CreateString(o->valuestring));
		else
			cJSON_AddItemToArray(env, cJSON_CreateString(o->valuestring));
	}
}

/*
 * The run config of an image on a base: the base's, with each setting
 * ccgov has replacing the base's (Entrypoint, Cmd, User, WorkingDir), Env
 * and Labels merged name by name, ours winning; an Entrypoint of ours
 * without a Cmd of ours drops the base's Cmd, as a Dockerfile's
 * ENTRYPOINT does. What ccgov does not set (ExposedPorts, Volumes,
 * StopSignal) stays the base's.
 */
static cJSON *merged_run_config(const cJSON *base, const cJSON *ours)
{
	static const char *const replaced[] = { "Entrypoint", "Cmd", "User", "WorkingDir" };
	cJSON *c = cJSON_IsObject(base) ? cJSON_Duplicate(base, 1) : cJSON_CreateObject();
	const cJSON *v;

	if (!c || !ours)
		return c;
	if (cJSON_GetObjectItemCaseSensitive(ours, "Entrypoint") && !cJSON_GetObjectItemCaseSensitive(ours, "Cmd"))
		cJSON_DeleteItemFromObjectCaseSensitive(c, "Cmd");
	for (size_t i = 0; i < sizeof(replaced) / sizeof(replaced[0]); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(ours, replaced[i]))) {
			cJSON_DeleteItemFromObjectCaseSensitive(c, replaced[i]);
			cJSON_AddItemToObject(c, replaced[i], cJSON_Duplicate(v, 1));
		}
	if ((v = cJSON_GetObjectItemCaseSensitive(ours, "Env"))) {
		cJSON *env = cJSON_GetObjectItemCaseSensitive(c, "Env");

		if (!cJSON_IsArray(env)) {
			cJSON_DeleteItemFromObjectCaseSensitive(c, "Env");
			env = cJSON_AddArrayToObject(c, "Env");
		}
		merge_env(env, v);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(ours, "Labels"))) {
		cJSON *labels = cJSON_GetObjectItemCaseSensitive(c, "Labels");
		const cJSON *l;

		if (!cJSON_IsObject(labels)) {
			cJSON_DeleteItemFromObjectCaseSensitive(c, "Labels");
			labels = cJSON_AddObjectToObject(c, "Labels");
		}
		cJSON_ArrayForEach(l, v) {
			cJSON_DeleteItemFromObjectCaseSensitive(labels, l->string);
			cJSON_AddItemToObject(labels, l->string, cJSON_Duplicate(l, 1));
		}
	}
	return c;
}

/* The base's platform fields, as its config gives them. */
static void copy_platform(cJSON *c, const cJSON *base)
{
	static const char *const fields[] = { "architecture", "os", "variant", "os.version", "os.features" };

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(base, fields[i]);

		if (v)
			cJSON_AddItemToObject(c, fields[i], cJSON_Duplicate(v, 1));
	}
}

static cJSON *image_config(const ccgov_image_spec *spec, const ccgov_layer *layer,
			   const char *created)
{
	const cJSON *base = spec->base ? ccgov_oci_config(spec->base) : NULL, *v;
	char diff_id[CCGOV_DIGEST_STRING_MAX];
	cJSON *c = cJSON_CreateObject(), *rootfs, *ids, *history, *h;

	ccgov_digest_string(diff_id, &layer->diff_id);
	cJSON_AddStringToObject(c, "created", created);
	if (base) {
		copy_platform(c, base);
		cJSON_AddItemToObject(c, "config", merged_run_config(cJSON_GetObjectItemCaseSensitive(base, "config"),
								     spec->config));
	} else {
		cJSON_AddStringToObject(c, "architecture", spec->architecture);
		cJSON_AddStringToObject(c, "os", spec->os);
		if (spec->config)
			cJSON_AddItemToObject(c, "config", cJSON_Duplicate(spec->config, 1));
	}
	rootfs = cJSON_AddObjectToObject(c, "rootfs");
	cJSON_AddStringToObject(rootfs, "type", "layers");
	/* The base's layers first, as they are; its history too. */
	ids = base ? cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(base, "rootfs"),
								      "diff_ids"), 1)
		   : cJSON_CreateArray();
	cJSON_AddItemToObject(rootfs, "diff_ids", ids);
	cJSON_AddItemToArray(ids, cJSON_CreateString(diff_id));
	v = base ? cJSON_GetObjectItemCaseSensitive(base, "history") : NULL;
	history = cJSON_IsArray(v) ? cJSON_Duplicate(v, 1) : cJSON_CreateArray();
	cJSON_AddItemToObject(c, "history", history);
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
	/* A base's layer descriptors are kept whole: same blobs, media types and annotations. */
	for (size_t i = 0; spec->base && i < ccgov_oci_layer_count(spec->base); i++)
		cJSON_AddItemToArray(layers, cJSON_Duplicate(ccgov_oci_layer_descriptor(spec->base, i), 1));
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

/* A manifest's or index's own mediaType is optional (image-spec: SHOULD); when there, it must be want. */
static int own_media_type_is(const cJSON *o, const char *want, const char *where)
{
	return cJSON_GetObjectItemCaseSensitive(o, "mediaType") ? media_type_is(o, want, where) : 0;
}

static int mismatch(const char *path, const ccgov_digest *want, const ccgov_digest *got)
{
	char w[CCGOV_DIGEST_STRING_MAX], g[CCGOV_DIGEST_STRING_MAX];

	ccgov_digest_string(w, want);
	ccgov_digest_string(g, got);
	return ccgov_error_set(CCGOV_EMISMATCH, "%s: content does not match its digest (named %s, content is %s)",
			       path, w, g);
}

/*
 * A file of the layout, opened relative to the layout's descriptor and
 * never through a link in its last component: what is read is what is
 * checked, whatever happens to the paths meanwhile.
 */
static int open_in_layout(int layout_fd, const char *layout, const char *name, char **shown)
{
	int fd;

	if (!(*shown = ccgov_path_join(layout, name)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((fd = openat(layout_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) < 0)
		return ccgov_error_set_errno(errno == ELOOP ? CCGOV_EINVALID : ccgov_error_from_errno(errno), errno,
					     errno == ELOOP ? "%s: a symbolic link, not a file" : "%s", *shown);
	return fd;
}

static int read_json_in_layout(cJSON **out, int layout_fd, const char *layout, const char *name, size_t max,
			       const ccgov_digest *d, uint64_t size)
{
	char *shown = NULL, *data = NULL;
	ccgov_digest got;
	size_t len;
	int fd = open_in_layout(layout_fd, layout, name, &shown), err;

	*out = NULL;
	if (fd < 0) {
		free(shown);
		return fd;
	}
	if ((err = ccgov_file_read_fd(&data, &len, fd, shown, max)) < 0)
		goto done;
	if (d && len != size) {
		err = ccgov_error_set(CCGOV_EMISMATCH, "%s: %zu bytes, but its descriptor says %llu", shown, len,
				      (unsigned long long)size);
		goto done;
	}
	/* A blob's bytes are checked before they are parsed: the parser sees only what the digest vouches for. */
	if (d && (err = ccgov_digest_buffer(&got, d->alg, data, len)) < 0)
		goto done;
	if (d && !ccgov_digest_equal(&got, d)) {
		err = mismatch(shown, d, &got);
		goto done;
	}
	err = ccgov_json_parse(out, data, len, shown);
done:
	close(fd);
	free(data);
	free(shown);
	return err;
}

static void blob_name(char *out, size_t size, const ccgov_digest *d)
{
	char hex[2 * CCGOV_DIGEST_MAX + 1];

	ccgov_digest_hex(hex, d);
	snprintf(out, size, "blobs/%s/%s", ccgov_digest_alg_name(d->alg), hex);
}

static int read_json_blob(cJSON **out, int layout_fd, const char *layout, const ccgov_digest *d, uint64_t size)
{
	char name[200];

	blob_name(name, sizeof(name), d);
	return read_json_in_layout(out, layout_fd, layout, name, MAX_JSON_BLOB, d, size);
}

/* ---- one layer, streamed --------------------------------------------- */

#define LAYER_BUFFER (1u << 20)
#define LAYER_SLOTS 3

/* The open layer: one descriptor, read once; every byte hashed as it passes. */
typedef struct {
	int fd;
	char *path;                 /* for messages */
	ccgov_compression kind;
	ccgov_layer layer;          /* blob digest wanted, media type; sizes counted */
	ccgov_digest want_diff;
	uint64_t want_size;
	ccgov_hasher *blob, *tar;
	ccgov_atomic_file *copy;    /* the blob's bytes, as read, into another layout (or NULL) */
	unsigned char *in;          /* compressed bytes read, not yet decoded */
	size_t in_pos, in_len;
	int eof;
	z_stream z;
	int z_started, gz_ended;
	ZSTD_DStream *zs;
	size_t zstd_pending;

	/*
	 * Both cores: a worker reads the blob, hashes it, copies it and
	 * decompresses it into slots; the caller's thread takes the slots,
	 * hashes the tar and parses it. The worker owns everything above once
	 * started; the slots and the fields below are shared under mu.
	 */
	pthread_t worker;
	int worker_started;
	pthread_mutex_t mu;
	pthread_cond_t changed;
	unsigned char *slot[LAYER_SLOTS];
	size_t slot_len[LAYER_SLOTS];
	unsigned head, filled;      /* the filled slots: head, head + 1, ... (mod LAYER_SLOTS) */
	size_t taken;               /* what the caller has taken of slot[head] */
	int finished, stop;         /* the worker is done (end or failure); the caller is gone */
	int failed;                 /* the worker's error code, 0 if none */
	char failed_message[1024];
} layer_stream;

struct ccgov_oci_reader {
	ccgov_image image;
	ccgov_digest pinned;        /* what ccgov_oci_open_pinned was given: the manifest's digest, or an index's */
	cJSON *manifest, *config;
	const cJSON *layers, *diff_ids;
	char *layout;
	int layout_fd;
	layer_stream *open;
};

/* Tells the worker to stop after the slot it is filling, and waits for it. */
static void stop_worker(layer_stream *s)
{
	if (!s->worker_started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = 1;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->worker, NULL);
	s->worker_started = 0;
}

static void layer_stream_free(layer_stream *s)
{
	if (!s)
		return;
	stop_worker(s);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->changed);
	for (unsigned i = 0; i < LAYER_SLOTS; i++)
		free(s->slot[i]);
	if (s->fd >= 0)
		close(s->fd);
	if (s->copy)
		ccgov_atomic_file_abort(s->copy);
	if (s->z_started)
		inflateEnd(&s->z);
	ZSTD_freeDStream(s->zs);
	ccgov_hasher_free(s->blob);
	ccgov_hasher_free(s->tar);
	free(s->in);
	free(s->path);
	free(s);
}

static int layer_kind(ccgov_compression *kind, const cJSON *desc, size_t i)
{
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(desc, "mediaType");
	static const ccgov_compression kinds[] = { CCGOV_COMPRESS_GZIP, CCGOV_COMPRESS_ZSTD, CCGOV_COMPRESS_NONE };

	if (!cJSON_IsString(mt))
		return ccgov_error_set(CCGOV_EINVALID, "manifest layers[%zu]: no mediaType", i);
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
		if (strcmp(mt->valuestring, ccgov_layer_media_type(kinds[k])) == 0) {
			*kind = kinds[k];
			return 0;
		}
	return ccgov_error_set(CCGOV_EINVALID, "manifest layers[%zu]: unsupported mediaType %.100s", i,
			       mt->valuestring);
}

/* The next compressed bytes from the blob into s->in; s->eof at its end. */
static int refill(layer_stream *s)
{
	ssize_t n;

	do
		n = read(s->fd, s->in, LAYER_BUFFER);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return ccgov_error_set_errno(CCGOV_EIO, errno, "%s", s->path);
	s->in_pos = 0;
	s->in_len = (size_t)n;
	s->eof = n == 0;
	s->layer.blob_size += (uint64_t)n;
	/* A blob longer than its descriptor says is wrong however it ends: stop reading it. */
	if (s->layer.blob_size > s->want_size)
		return ccgov_error_set(CCGOV_EMISMATCH, "%s: more than the %llu bytes its descriptor says", s->path,
				       (unsigned long long)s->want_size);
	if (s->copy && n > 0 && ccgov_atomic_file_write(s->copy, s->in, (size_t)n) < 0)
		return ccgov_error_last()->code;
	return ccgov_hasher_update(s->blob, s->in, (size_t)n);
}

/* Decodes from s->in into out: bytes produced (maybe 0: more input needed), or a CCGOV_E* code. */
static long decode(layer_stream *s, unsigned char *out, size_t len)
{
	size_t avail = s->in_len - s->in_pos;

	if (s->kind == CCGOV_COMPRESS_NONE) {
		size_t n = avail < len ? avail : len;

		memcpy(out, s->in + s->in_pos, n);
		s->in_pos += n;
		return (long)n;
	}
	if (s->kind == CCGOV_COMPRESS_GZIP) {
		int rc;

		if (s->gz_ended) { /* gzip members follow one another to the end (RFC 1952 2.2) */
			inflateReset(&s->z);
			s->gz_ended = 0;
		}
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)avail;
		s->z.next_out = out;
		s->z.avail_out = (uInt)len;
		rc = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			return ccgov_error_set(CCGOV_EINVALID, "%s: corrupt gzip data (%s)", s->path,
					       s->z.msg ? s->z.msg : "inflate failed");
		s->gz_ended = rc == Z_STREAM_END;
		return (long)(len - s->z.avail_out);
	}
	{
		ZSTD_inBuffer ib = { s->in, s->in_len, s->in_pos };
		ZSTD_outBuffer ob = { out, len, 0 };
		size_t rc = ZSTD_decompressStream(s->zs, &ob, &ib);

		if (ZSTD_isError(rc))
			return ccgov_error_set(CCGOV_EINVALID, "%s: corrupt zstd data (%s)", s->path,
					       ZSTD_getErrorName(rc));
		s->in_pos = ib.pos;
		s->zstd_pending = rc;
		return (long)ob.pos;
	}
}

/*
 * After a decoding error the rest of the blob is still hashed: if the
 * blob is not the one the manifest names, that is the better report.
 */
static int decoding_failed(layer_stream *s, int err)
{
	char why[512];
	ccgov_digest got;

	snprintf(why, sizeof(why), "%s", ccgov_error_last()->message);
	while (!s->eof)
		if (refill(s) < 0)
			return ccgov_error_last()->code;
	if (ccgov_hasher_final(&got, s->blob) == 0 && !ccgov_digest_equal(&got, &s->layer.blob))
		return mismatch(s->path, &s->layer.blob, &got);
	return ccgov_error_set(err, "%s", why);
}

/* Up to len decompressed bytes into out, as the blob streams in: their count, 0 at the end, or a CCGOV_E* code. */
static long produce(layer_stream *s, unsigned char *out, size_t len)
{
	long n;
	int err;

	for (;;) {
		if (s->in_pos == s->in_len) {
			if (s->eof)
				return 0;
			if ((err = refill(s)) < 0)
				return err;
			continue;
		}
		if ((n = decode(s, out, len)) < 0)
			return decoding_failed(s, (int)n);
		if (n > 0)
			return n;
	}
}

/* The worker: fills slots until the blob ends, fails, or the caller is gone. */
static void *worker_main(void *arg)
{
	layer_stream *s = arg;

	for (;;) {
		unsigned i;
		size_t used = 0;
		long n = 0;

		pthread_mutex_lock(&s->mu);
		while (s->filled == LAYER_SLOTS && !s->stop)
			pthread_cond_wait(&s->changed, &s->mu);
		i = (s->head + s->filled) % LAYER_SLOTS;
		n = s->stop ? 0 : 1;
		pthread_mutex_unlock(&s->mu);
		if (!n)
			return NULL;
		while (used < LAYER_BUFFER && (n = produce(s, s->slot[i] + used, LAYER_BUFFER - used)) > 0)
			used += (size_t)n;
		pthread_mutex_lock(&s->mu);
		if (used) {
			s->slot_len[i] = used;
			s->filled++;
		}
		if (n < 0) {
			s->failed = (int)n;
			snprintf(s->failed_message, sizeof(s->failed_message), "%s",
				 ccgov_error_last() ? ccgov_error_last()->message : "reading the layer failed");
		}
		s->finished = n <= 0;
		pthread_cond_broadcast(&s->changed);
		pthread_mutex_unlock(&s->mu);
		if (n <= 0)
			return NULL;
	}
}

static int start_worker(layer_stream *s)
{
	for (unsigned i = 0; i < LAYER_SLOTS; i++)
		if (!(s->slot[i] = malloc(LAYER_BUFFER)))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (pthread_create(&s->worker, NULL, worker_main, s) != 0)
		return ccgov_error_set(CCGOV_ERROR, "cannot start a thread");
	s->worker_started = 1;
	return 0;
}

long ccgov_oci_layer_read(void *ctx, void *buf, size_t len)
{
	ccgov_oci_reader *r = ctx;
	layer_stream *s = r->open;
	size_t n;
	int err;

	if (!s)
		return ccgov_error_set(CCGOV_EINVALID, "no layer is open");
	if (!s->worker_started && (err = start_worker(s)) < 0)
		return err;
	pthread_mutex_lock(&s->mu);
	while (!s->filled && !s->finished)
		pthread_cond_wait(&s->changed, &s->mu);
	if (!s->filled) {
		pthread_mutex_unlock(&s->mu);
		/* Every byte before the failure was handed out first, as a single thread would have. */
		return s->failed ? ccgov_error_set(s->failed, "%s", s->failed_message) : 0;
	}
	pthread_mutex_unlock(&s->mu);
	/* slot[head] is the caller's until it is released. */
	n = s->slot_len[s->head] - s->taken < len ? s->slot_len[s->head] - s->taken : len;
	memcpy(buf, s->slot[s->head] + s->taken, n);
	s->taken += n;
	s->layer.tar_size += (uint64_t)n;
	if ((err = ccgov_hasher_update(s->tar, buf, n)) < 0)
		return err;
	if (s->taken == s->slot_len[s->head]) {
		pthread_mutex_lock(&s->mu);
		s->head = (s->head + 1) % LAYER_SLOTS;
		s->filled--;
		s->taken = 0;
		pthread_cond_broadcast(&s->changed);
		pthread_mutex_unlock(&s->mu);
	}
	return (long)n;
}

int ccgov_oci_layer_open(ccgov_oci_reader *r, size_t i)
{
	const cJSON *desc = cJSON_GetArrayItem(r->layers, (int)i), *id = cJSON_GetArrayItem(r->diff_ids, (int)i);
	char where[64], name[200];
	layer_stream *s;
	int err;

	if (r->open)
		return ccgov_error_set(CCGOV_EINVALID, "a layer is already open");
	if (!(s = calloc(1, sizeof(*s))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	s->fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->changed, NULL);
	snprintf(where, sizeof(where), "manifest layers[%zu]", i);
	if ((err = read_descriptor(&s->layer.blob, &s->want_size, desc, where)) < 0 ||
	    (err = layer_kind(&s->kind, desc, i)) < 0)
		goto fail;
	if (!cJSON_IsString(id) || ccgov_digest_parse(&s->want_diff, id->valuestring) < 0 ||
	    s->want_diff.alg != CCGOV_SHA256) {
		err = ccgov_error_set(CCGOV_EINVALID, "config rootfs.diff_ids[%zu]: not sha256:<hex>", i);
		goto fail;
	}
	s->layer.media_type = ccgov_layer_media_type(s->kind);
	if (!(s->in = malloc(LAYER_BUFFER))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto fail;
	}
	if ((err = ccgov_hasher_new(&s->blob, CCGOV_SHA256)) < 0 || (err = ccgov_hasher_new(&s->tar, CCGOV_SHA256)) < 0)
		goto fail;
	if (s->kind == CCGOV_COMPRESS_GZIP) {
		if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
			err = ccgov_error_set(CCGOV_ENOMEM, "zlib: cannot start");
			goto fail;
		}
		s->z_started = 1;
	}
	if (s->kind == CCGOV_COMPRESS_ZSTD && !(s->zs = ZSTD_createDStream())) {
		err = ccgov_error_set(CCGOV_ENOMEM, "zstd: cannot start");
		goto fail;
	}
	blob_name(name, sizeof(name), &s->layer.blob);
	if ((s->fd = open_in_layout(r->layout_fd, r->layout, name, &s->path)) < 0) {
		err = s->fd;
		goto fail;
	}
	r->open = s;
	return 0;
fail:
	layer_stream_free(s);
	return err;
}

int ccgov_oci_layer_copy_to(ccgov_oci_reader *r, const char *layout_dir)
{
	char *path;
	int err;

	if (!r->open || r->open->worker_started)
		return ccgov_error_set(CCGOV_EINVALID, "a layer must be open and unread to be copied");
	if (!(path = blob_path(layout_dir, &r->open->layer.blob)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	err = ccgov_atomic_file_open(&r->open->copy, path, 0644);
	free(path);
	return err;
}

static int layer_checks(layer_stream *s)
{
	ccgov_digest got;
	int err;

	if ((err = ccgov_hasher_final(&got, s->blob)) < 0)
		return err;
	if (s->layer.blob_size != s->want_size)
		return ccgov_error_set(CCGOV_EMISMATCH, "%s: %llu bytes, but its descriptor says %llu", s->path,
				       (unsigned long long)s->layer.blob_size, (unsigned long long)s->want_size);
	if (!ccgov_digest_equal(&got, &s->layer.blob))
		return mismatch(s->path, &s->layer.blob, &got);
	if ((s->kind == CCGOV_COMPRESS_GZIP && !s->gz_ended) || (s->kind == CCGOV_COMPRESS_ZSTD && s->zstd_pending))
		return ccgov_error_set(CCGOV_EINVALID, "%s: compressed data is truncated", s->path);
	if ((err = ccgov_hasher_final(&s->layer.diff_id, s->tar)) < 0)
		return err;
	if (!ccgov_digest_equal(&s->layer.diff_id, &s->want_diff)) {
		char w[CCGOV_DIGEST_STRING_MAX], g[CCGOV_DIGEST_STRING_MAX];

		ccgov_digest_string(w, &s->want_diff);
		ccgov_digest_string(g, &s->layer.diff_id);
		return ccgov_error_set(CCGOV_EMISMATCH,
				       "%s: layer does not match the config's diff_id (config says %s, layer is %s)",
				       s->path, w, g);
	}
	return 0;
}

void ccgov_oci_layer_discard(ccgov_oci_reader *r)
{
	layer_stream_free(r->open);
	r->open = NULL;
}

int ccgov_oci_layer_close(ccgov_oci_reader *r, ccgov_layer *out)
{
	layer_stream *s = r->open;
	unsigned char *scratch = malloc(1 << 16);
	long n = 0;
	int err;

	if (!s) {
		free(scratch);
		return ccgov_error_set(CCGOV_EINVALID, "no layer is open");
	}
	if (!scratch) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	} else {
		while ((n = ccgov_oci_layer_read(r, scratch, 1 << 16)) > 0)
			;
		/* The worker has finished (or is told to): what it hashed and counted is ours to check. */
		stop_worker(s);
		err = n < 0 ? (int)n : layer_checks(s);
	}
	if (err == 0 && out)
		*out = s->layer;
	/* A copy takes its name, the blob's digest, only once the bytes proved to be that blob. */
	if (err == 0 && s->copy) {
		err = ccgov_atomic_file_commit(s->copy);
		s->copy = NULL;
	}
	free(scratch);
	layer_stream_free(s);
	r->open = NULL;
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

void ccgov_oci_close(ccgov_oci_reader *r)
{
	if (!r)
		return;
	layer_stream_free(r->open);
	if (r->layout_fd >= 0)
		close(r->layout_fd);
	cJSON_Delete(r->manifest);
	cJSON_Delete(r->config);
	free(r->layout);
	free(r);
}

const ccgov_image *ccgov_oci_image(const ccgov_oci_reader *r)
{
	return &r->image;
}

size_t ccgov_oci_layer_count(const ccgov_oci_reader *r)
{
	return (size_t)cJSON_GetArraySize(r->layers);
}

static int read_layout_version(const ccgov_oci_reader *r)
{
	cJSON *doc = NULL;
	const cJSON *version;
	int err;

	if ((err = read_json_in_layout(&doc, r->layout_fd, r->layout, "oci-layout", 4096, NULL, 0)) < 0)
		return err;
	version = cJSON_GetObjectItemCaseSensitive(doc, "imageLayoutVersion");
	if (!cJSON_IsString(version) || strcmp(version->valuestring, "1.0.0") != 0)
		err = ccgov_error_set(CCGOV_EINVALID, "%s/oci-layout: imageLayoutVersion is not 1.0.0", r->layout);
	cJSON_Delete(doc);
	return err;
}

/* The manifest desc names (in where), then the config it names: each read once, checked, then parsed. */
static int read_manifest(ccgov_oci_reader *r, const cJSON *desc, const char *where)
{
	uint64_t config_size;
	int err;

	if ((err = media_type_is(desc, CCGOV_MEDIA_MANIFEST, where)) < 0 ||
	    (err = read_descriptor(&r->image.manifest, &r->image.manifest_size, desc, where)) < 0 ||
	    (err = read_json_blob(&r->manifest, r->layout_fd, r->layout, &r->image.manifest,
				  r->image.manifest_size)) < 0 ||
	    (err = own_media_type_is(r->manifest, CCGOV_MEDIA_MANIFEST, "manifest")) < 0)
		return err;
	desc = cJSON_GetObjectItemCaseSensitive(r->manifest, "config");
	if ((err = media_type_is(desc, CCGOV_MEDIA_CONFIG, "manifest config")) < 0 ||
	    (err = read_descriptor(&r->image.config, &config_size, desc, "manifest config")) < 0 ||
	    (err = read_json_blob(&r->config, r->layout_fd, r->layout, &r->image.config, config_size)) < 0)
		return err;
	r->layers = cJSON_GetObjectItemCaseSensitive(r->manifest, "layers");
	r->diff_ids = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r->config, "rootfs"),
						       "diff_ids");
	if (!cJSON_IsArray(r->layers) || !cJSON_IsArray(r->diff_ids) ||
	    cJSON_GetArraySize(r->layers) != cJSON_GetArraySize(r->diff_ids))
		return ccgov_error_set(CCGOV_EMISMATCH, "manifest has %d layers but the config names %d diff_ids",
				       cJSON_GetArraySize(r->layers), cJSON_GetArraySize(r->diff_ids));
	return 0;
}

/* index.json, then the manifest it names by tag. */
static int read_image(ccgov_oci_reader *r, const char *tag)
{
	char *where = ccgov_path_join(r->layout, "index.json");
	cJSON *index = NULL;
	const cJSON *desc;
	int err;

	if (!where)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = read_json_in_layout(&index, r->layout_fd, r->layout, "index.json", MAX_JSON_BLOB, NULL, 0)) == 0 &&
	    (err = find_manifest(&desc, index, tag, where)) == 0)
		err = read_manifest(r, desc, where);
	cJSON_Delete(index);
	free(where);
	return err;
}

/* ---- a pinned image, such as a base ---------------------------------- */

/* The descriptor among index's "manifests" whose digest is want, or NULL. */
static const cJSON *find_digest(const cJSON *index, const ccgov_digest *want)
{
	char text[CCGOV_DIGEST_STRING_MAX];
	const cJSON *m;

	ccgov_digest_string(text, want);
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(index, "manifests")) {
		const char *d = ccgov_json_string(m, "digest");

		if (d && strcmp(d, text) == 0)
			return m;
	}
	return NULL;
}

/* "os/architecture[/variant]" of a descriptor's platform, into out; "" when it has none. */
static void platform_of(char *out, size_t size, const cJSON *desc)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(desc, "platform");
	const char *os = ccgov_json_string(p, "os"), *arch = ccgov_json_string(p, "architecture");
	const char *variant = ccgov_json_string(p, "variant");

	if (!os || !arch)
		snprintf(out, size, "%s", "");
	else
		snprintf(out, size, "%.40s/%.40s%s%.40s", os, arch, variant ? "/" : "", variant ? variant : "");
}

/* want "os/arch" matches any variant; "os/arch/variant" only that one. */
static int platform_matches(const char *want, const char *have)
{
	size_t n = strlen(want);

	return strcmp(want, have) == 0 ||
	       (strchr(want, '/') == strrchr(want, '/') && strncmp(want, have, n) == 0 && have[n] == '/');
}

/* In an image index, the one manifest for platform (NULL: this machine's); a message listing those it has else. */
static int pick_platform(const cJSON **out, const cJSON *index, const char *platform, const char *where)
{
	char want[128], have[128];
	ccgov_buffer seen = CCGOV_BUFFER_INIT;
	const cJSON *m;
	int err;

	*out = NULL;
	if (platform)
		snprintf(want, sizeof(want), "%s", platform);
	else
		snprintf(want, sizeof(want), "linux/%s", ccgov_oci_host_architecture());
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(index, "manifests")) {
		platform_of(have, sizeof(have), m);
		if (!have[0])
			continue;
		if (platform_matches(want, have) && !*out)
			*out = m;
		ccgov_buffer_printf(&seen, "%s%s", seen.len ? ", " : "", have);
	}
	if (*out) {
		ccgov_buffer_free(&seen);
		return 0;
	}
	ccgov_buffer_putc(&seen, '\0');
	err = ccgov_error_set(CCGOV_ENOTFOUND, "%s: no manifest for %s (it has: %s); choose one with --platform", where,
			      want, seen.failed || !seen.len || !seen.data[0] ? "none" : seen.data);
	ccgov_buffer_free(&seen);
	return err;
}

static int read_pinned(ccgov_oci_reader *r, const char *platform)
{
	char where[CCGOV_DIGEST_STRING_MAX + 32], pin[CCGOV_DIGEST_STRING_MAX], *shown = ccgov_path_join(r->layout, "index.json");
	cJSON *top = NULL, *index = NULL;
	const cJSON *desc;
	uint64_t size;
	ccgov_digest d;
	int err;

	if (!shown)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	ccgov_digest_string(pin, &r->pinned);
	if ((err = read_json_in_layout(&top, r->layout_fd, r->layout, "index.json", MAX_JSON_BLOB, NULL, 0)) < 0)
		goto done;
	if (!(desc = find_digest(top, &r->pinned))) {
		err = ccgov_error_set(CCGOV_ENOTFOUND, "%s: names no manifest or index %s, the digest pinned", shown, pin);
		goto done;
	}
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(desc, "mediaType")) ||
	    strcmp(ccgov_json_string(desc, "mediaType"), CCGOV_MEDIA_INDEX) != 0) {
		err = read_manifest(r, desc, shown);
		goto done;
	}
	/* An image index: its manifest for the platform, each blob checked against its digest. */
	snprintf(where, sizeof(where), "image index %s", pin);
	if ((err = read_descriptor(&d, &size, desc, shown)) == 0 &&
	    (err = read_json_blob(&index, r->layout_fd, r->layout, &d, size)) == 0 &&
	    (err = own_media_type_is(index, CCGOV_MEDIA_INDEX, where)) == 0 &&
	    (err = pick_platform(&desc, index, platform, where)) == 0)
		err = read_manifest(r, desc, where);
done:
	cJSON_Delete(top);
	cJSON_Delete(index);
	free(shown);
	return err;
}

/*
 * A reader on the layout, its image chosen by tag (or the only one) or,
 * when pin is set, by digest and platform.
 */
static int open_reader(ccgov_oci_reader **out, const char *layout, const char *tag, const ccgov_digest *pin,
		       const char *platform)
{
	ccgov_oci_reader *r = calloc(1, sizeof(*r));
	int err;

	*out = NULL;
	if (!r || !(r->layout = strdup(layout))) {
		free(r);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	if (pin)
		r->pinned = *pin;
	/* Everything is read relative to this descriptor: the layout cannot be swapped part way. */
	if ((r->layout_fd = open(layout, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		err = ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", layout);
		goto fail;
	}
	if ((err = read_layout_version(r)) < 0 || (err = pin ? read_pinned(r, platform) : read_image(r, tag)) < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	ccgov_oci_close(r);
	return err;
}

int ccgov_oci_open_pinned(ccgov_oci_reader **out, const char *layout, const ccgov_digest *pin, const char *platform)
{
	return open_reader(out, layout, NULL, pin, platform);
}

const cJSON *ccgov_oci_config(const ccgov_oci_reader *r)
{
	return r->config;
}

const cJSON *ccgov_oci_manifest(const ccgov_oci_reader *r)
{
	return r->manifest;
}

const cJSON *ccgov_oci_layer_descriptor(const ccgov_oci_reader *r, size_t i)
{
	return cJSON_GetArrayItem(r->layers, (int)i);
}

int ccgov_oci_open(ccgov_oci_reader **out, const char *layout, const char *tag)
{
	return open_reader(out, layout, tag, NULL, NULL);
}

int ccgov_oci_verify(ccgov_image *out, const char *layout, const char *tag)
{
	ccgov_oci_reader *r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = ccgov_oci_open(&r, layout, tag)) < 0)
		return err;
	*out = r->image;
	/* ccgov writes one layer; images with more are checked layer by layer all the same. */
	for (size_t i = 0; i < ccgov_oci_layer_count(r) && err == 0; i++)
		if ((err = ccgov_oci_layer_open(r, i)) == 0)
			err = ccgov_oci_layer_close(r, &out->layer);
	ccgov_oci_close(r);
	return err;
}
