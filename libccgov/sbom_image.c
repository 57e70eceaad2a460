/*
 * What an OCI image holds: every regular file with its SHA-256; for ELF
 * files their build-id, the libraries they need and the compilers that
 * built them (so the toolchain is in the SBOM); for Go programs the Go
 * version and modules compiled in; and the Debian packages the dpkg
 * database lists. The image is verified first (ccgov_oci_verify: every
 * blob's digest), then its layers are read once, in order.
 */
#include <ccgov/digest.h>
#include <ccgov/elf.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/json.h>
#include <ccgov/oci.h>
#include <ccgov/path.h>
#include <ccgov/sbom.h>
#include <ccgov/tar.h>
#include <ccgov/utf8.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARSED_FILE (256u << 20) /* larger ELF files are hashed, not parsed */
#define MAX_TEXT_FILE (64u << 20)

/* ---- the dpkg database ---------------------------------------------------- */

/* The value of key in the stanza [p, end) (first line only), or NULL. */
static const char *stanza_get(const char *p, const char *end, const char *key, size_t *len)
{
	size_t k = strlen(key);

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

		if ((size_t)(e - p) > k && strncmp(p, key, k) == 0 && p[k] == ':') {
			const char *v = p + k + 1;

			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			*len = (size_t)(e - v);
			while (*len && (v[*len - 1] == ' ' || v[*len - 1] == '\r'))
				(*len)--;
			return v;
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

static char *deb_purl(const char *distro, const char *distro_version, const char *name, const char *version,
		      const char *arch)
{
	char *base = ccgov_purl("deb", distro, name, version), *purl = NULL;

	/* Qualifiers in key order, as the purl spec asks: arch, then distro. */
	if (base && asprintf(&purl, "%s%s%s%s%s%s%s", base, arch ? "?arch=" : "", arch ? arch : "",
			     distro_version ? (arch ? "&distro=" : "?distro=") : "", distro_version ? distro : "",
			     distro_version ? "-" : "", distro_version ? distro_version : "") < 0)
		purl = NULL;
	free(base);
	return purl;
}

int ccgov_catalog_dpkg_status(ccgov_sbom *s, const char *path, const char *text, size_t len, const char *distro,
			      const char *distro_version)
{
	const char *p = text, *end = text + len;
	int line = 1, err = 0;

	if (!ccgov_utf8_valid(text, len) || memchr(text, '\0', len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not UTF-8 text", path);
	while (p < end && err == 0) {
		/* A stanza runs to the next empty line. */
		const char *start = p, *stop = p;
		int start_line = line;
		size_t nl_name = 0, nl_version = 0, nl_arch = 0, nl_status = 0;
		const char *name, *version, *arch, *status;

		while (stop < end) {
			const char *nl = memchr(stop, '\n', (size_t)(end - stop)), *e = nl ? nl : end;

			line++;
			if (e == stop || (e - stop == 1 && *stop == '\r')) {
				stop = nl ? nl + 1 : end;
				break;
			}
			stop = nl ? nl + 1 : end;
		}
		p = stop;
		name = stanza_get(start, stop, "Package", &nl_name);
		version = stanza_get(start, stop, "Version", &nl_version);
		arch = stanza_get(start, stop, "Architecture", &nl_arch);
		status = stanza_get(start, stop, "Status", &nl_status);
		if (!name && !version && !status)
			continue; /* blank lines between stanzas */
		if (!status || nl_status < 9 || strncmp(status + nl_status - 9, "installed", 9) != 0 ||
		    (nl_status >= 13 && strncmp(status + nl_status - 13, "not-installed", 13) == 0))
			continue; /* removed, or only configuration files left */
		if (!name || !version || !nl_name || !nl_version) {
			err = ccgov_sbom_warn(s, "%s:%d: an installed package without %s; left out", path, start_line,
					      name ? "Version" : "Package");
			continue;
		}
		{
			char *n = strndup(name, nl_name), *v = strndup(version, nl_version),
			     *a = arch ? strndup(arch, nl_arch) : NULL, *purl = NULL;
			ccgov_component *c = NULL;

			if (n && v && (!arch || a) && (purl = deb_purl(distro, distro_version, n, v, a)))
				c = ccgov_sbom_add(s, "library", n, v, purl, path);
			if (!c)
				err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			else
				ccgov_component_use(c, CCGOV_DEP_RUNTIME, NULL, 1);
			if (c && (err = ccgov_component_depends(&s->root, c->ref)) == 0)
				err = ccgov_component_property(c, "ccgov:dpkg:status", "installed");
			free(purl);
			free(n);
			free(v);
			free(a);
		}
	}
	return err;
}

/* ---- one layer ------------------------------------------------------------ */

typedef struct {
	ccgov_sbom *s;
	char *dpkg, *os_release;   /* texts kept for the end */
	size_t dpkg_len, os_release_len;
} image_walk;

/* "GCC: (Debian 12.2.0-14) 12.2.0" gives gcc 12.2.0; "clang version 14.0.6" gives clang 14.0.6. */
static int toolchain(ccgov_sbom *s, const char *ident, const char *file)
{
	char name[64] = "", version[64] = "", *purl;
	const char *clang = strstr(ident, "clang version ");
	ccgov_component *c;
	int err;

	if (strncmp(ident, "GCC: ", 5) == 0) {
		const char *last = strrchr(ident, ' ');

		snprintf(name, sizeof(name), "gcc");
		snprintf(version, sizeof(version), "%s", last ? last + 1 : "");
	} else if (clang) {
		snprintf(name, sizeof(name), "clang");
		sscanf(clang + 14, "%63s", version);
	} else {
		snprintf(name, sizeof(name), "%.*s", (int)strcspn(ident, ":"), ident);
	}
	if (!name[0])
		return 0;
	if (!(purl = ccgov_purl("generic", NULL, name, version[0] ? version : NULL)) ||
	    !(c = ccgov_sbom_add(s, "application", name, version[0] ? version : NULL, purl, file))) {
		free(purl);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	free(purl);
	ccgov_component_use(c, CCGOV_DEP_DEV, "toolchain", 0);
	err = ccgov_component_property(c, "ccgov:toolchain:ident", ident);
	return err;
}

static int go_program(ccgov_sbom *s, const ccgov_elf_info *info, const char *file, const char *file_ref)
{
	char *purl = ccgov_purl("golang", NULL, "stdlib", info->go_version);
	ccgov_component *c;
	int err = 0;

	if (!purl || !(c = ccgov_sbom_add(s, "library", "stdlib", info->go_version, purl, file))) {
		free(purl);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	ccgov_component_use(c, CCGOV_DEP_RUNTIME, NULL, 0);
	err = ccgov_component_depends(ccgov_sbom_find(s, file_ref), purl);
	free(purl);
	if (err == 0 && info->go_main.path)
		err = ccgov_component_property(ccgov_sbom_find(s, file_ref), "ccgov:go:main", info->go_main.path);
	for (size_t i = 0; i < info->ngo_deps && err == 0; i++) {
		const ccgov_go_module *m = &info->go_deps[i];
		const char *slash = strrchr(m->path, '/');

		if (!(purl = ccgov_purl_split("golang", m->path, slash, m->version)) ||
		    !(c = ccgov_sbom_add(s, "library", m->path, m->version, purl, file))) {
			free(purl);
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		}
		ccgov_component_use(c, CCGOV_DEP_RUNTIME, NULL, 0);
		if (m->sum)
			err = ccgov_component_property(c, "ccgov:go:h1", m->sum);
		if (err == 0 && m->folder)
			err = ccgov_component_property(c, "ccgov:go:replaced-by-folder", m->folder);
		if (err == 0)
			err = ccgov_component_depends(ccgov_sbom_find(s, file_ref), purl);
		free(purl);
	}
	return err;
}

static int elf_file(image_walk *w, const char *file, const char *ref, const unsigned char *data, size_t len)
{
	ccgov_elf_info info;
	ccgov_component *c;
	int err = ccgov_elf_read(&info, data, len, file);

	/* A file that only looks like ELF is still a file with a hash: warn, go on. */
	if (err < 0)
		return ccgov_sbom_warn(w->s, "%s", ccgov_error_last()->message);
	c = ccgov_sbom_find(w->s, ref);
	if (info.build_id[0])
		err = ccgov_component_property(c, "ccgov:elf:build-id", info.build_id);
	for (size_t i = 0; i < info.nneeded && err == 0; i++)
		err = ccgov_component_property(ccgov_sbom_find(w->s, ref), "ccgov:elf:needed", info.needed[i]);
	for (size_t i = 0; i < info.ncomments && err == 0; i++)
		if ((err = ccgov_component_property(ccgov_sbom_find(w->s, ref), "ccgov:elf:compiler", info.comments[i])) == 0)
			err = toolchain(w->s, info.comments[i], file);
	if (err == 0 && info.go_version)
		err = go_program(w->s, &info, file, ref);
	ccgov_elf_info_free(&info);
	return err;
}

static int keep_text(char **out, size_t *out_len, const unsigned char *data, size_t len)
{
	free(*out);
	if (!(*out = malloc(len + 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	memcpy(*out, data, len);
	(*out)[len] = '\0';
	*out_len = len;
	return 0;
}

/* One regular file of a layer: hashed as it streams; kept whole when it is to be parsed. */
static int layer_file(image_walk *w, ccgov_tar_reader *r, const ccgov_tar_member *m, const char *file)
{
	uint64_t size = m->size;
	int keep = size <= MAX_PARSED_FILE;
	unsigned char *buf = NULL, chunk[65536];
	size_t used = 0;
	char hex[2 * CCGOV_DIGEST_MAX + 1], *ref = NULL;
	ccgov_hasher *hasher;
	ccgov_digest digest;
	ccgov_component *c;
	long n;
	int err = ccgov_hasher_new(&hasher, CCGOV_SHA256);

	if (err < 0)
		return err;
	if (keep && !(buf = malloc(size ? (size_t)size : 1)))
		keep = 0;
	while ((n = ccgov_tar_read(r, chunk, sizeof(chunk))) > 0) {
		ccgov_hasher_update(hasher, chunk, (size_t)n);
		if (keep && used + (size_t)n <= (size_t)size) {
			memcpy(buf + used, chunk, (size_t)n);
			used += (size_t)n;
		}
	}
	if (n < 0)
		err = ccgov_error_wrap("%s", file);
	if (err == 0)
		err = ccgov_hasher_final(&digest, hasher);
	ccgov_hasher_free(hasher);
	if (err == 0)
		ccgov_digest_hex(hex, &digest);
	if (err == 0 && asprintf(&ref, "file:%s", file) < 0)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (err == 0 && !(c = ccgov_sbom_add_ref(w->s, ref, "file", file, NULL, NULL, NULL)))
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (err == 0) {
		ccgov_component_use(c, CCGOV_DEP_RUNTIME, NULL, 0);
		err = ccgov_component_hash(c, "SHA-256", hex);
		if (err == 0)
			err = ccgov_component_depends(&w->s->root, c->ref);
		if (err == 0 && keep && ccgov_elf_is_elf(buf, used))
			err = elf_file(w, file, c->ref, buf, used);
		if (err == 0 && keep && strcmp(file, "/var/lib/dpkg/status") == 0 && used <= MAX_TEXT_FILE)
			err = keep_text(&w->dpkg, &w->dpkg_len, buf, used);
		if (err == 0 && keep && (strcmp(file, "/etc/os-release") == 0 || strcmp(file, "/usr/lib/os-release") == 0) &&
		    used <= MAX_TEXT_FILE && !w->os_release)
			err = keep_text(&w->os_release, &w->os_release_len, buf, used);
	}
	free(ref);
	free(buf);
	return err;
}

/* The decompressed layer, through libarchive's filters: the tar itself is read by ccgov_tar_*. */
static long layer_bytes(void *ctx, void *buf, size_t len)
{
	struct archive *a = ctx;
	la_ssize_t n = archive_read_data(a, buf, len);

	if (n < 0) {
		const char *why = archive_error_string(a);

		return ccgov_error_set(CCGOV_EINVALID, "%s", why ? why : "layer: decompression failed");
	}
	return (long)n;
}

static int open_layer(struct archive **out, const char *blob)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int err;

	*out = NULL;
	if (!a)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_filename(a, blob, 1 << 16) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		const char *why = archive_error_string(a);

		err = ccgov_error_set(CCGOV_EINVALID, "%s: %s", blob, why ? why : "unreadable layer");
		archive_read_free(a);
		return err;
	}
	*out = a;
	return 0;
}

/* One member: "./usr/bin/x" and "usr/bin/x" are the same file; "../x" and "/x" are hostile. */
static int layer_member(image_walk *w, ccgov_tar_reader *r, const ccgov_tar_member *m, const char *blob)
{
	const char *name = m->path, *base;
	char *file = NULL, *rooted = NULL;
	int err = 0;

	while (name[0] == '.' && name[1] == '/')
		name += 2;
	if (!name[0] || (name[0] == '.' && !name[1]))
		return 0;
	if (ccgov_path_normalize(&file, name) < 0)
		return ccgov_error_wrap("%s", blob);
	base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
	if (strncmp(base, ".wh.", 4) == 0) {
		err = ccgov_sbom_warn(w->s, "%s: whiteout %s not applied: the SBOM lists the layer's files", blob, file);
	} else if (m->sparse) {
		err = ccgov_sbom_warn(w->s, "%s: %s is a sparse file: not hashed", blob, file);
	} else if (m->type == CCGOV_TAR_FILE || m->type == '\0' || m->type == '7') {
		if (asprintf(&rooted, "/%s", file) < 0)
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else
			err = layer_file(w, r, m, rooted);
	}
	free(rooted);
	free(file);
	return err;
}

static int read_layer(image_walk *w, const char *blob)
{
	struct archive *a;
	ccgov_tar_reader *r = NULL;
	const ccgov_tar_member *m;
	int rc, err;

	if ((err = open_layer(&a, blob)) < 0)
		return err;
	if ((err = ccgov_tar_reader_new(&r, layer_bytes, a)) == 0) {
		while ((rc = ccgov_tar_next(r, &m)) == 1 && (err = layer_member(w, r, m, blob)) == 0)
			;
		if (err == 0 && rc < 0)
			err = ccgov_error_wrap("%s", blob);
	}
	ccgov_tar_reader_free(r);
	archive_read_free(a);
	return err;
}

/* ---- the image ------------------------------------------------------------- */

/* KEY=value or KEY="value" from os-release text, or NULL. */
static char *os_release_value(const char *text, const char *key)
{
	size_t k = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, k) == 0 && p[k] == '=') {
			const char *v = p + k + 1;
			size_t n = strcspn(v, "\n");

			if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
				v++, n -= 2;
			return strndup(v, n);
		}
	}
	return NULL;
}

/* The layer blobs of the image's manifest, in order. */
static int layer_blobs(cJSON **layers, const char *layout_dir, const ccgov_image *img, cJSON **manifest)
{
	char hex[2 * CCGOV_DIGEST_MAX + 1], *path = NULL;
	int err;

	ccgov_digest_hex(hex, &img->manifest);
	if (asprintf(&path, "%s/blobs/%s/%s", layout_dir, ccgov_digest_alg_name(img->manifest.alg), hex) < 0)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	err = ccgov_json_parse_file(manifest, path, 4u << 20);
	free(path);
	if (err == 0 && !cJSON_IsArray(*layers = cJSON_GetObjectItemCaseSensitive(*manifest, "layers")))
		err = ccgov_error_set(CCGOV_EINVALID, "%s: the manifest has no layers", layout_dir);
	return err;
}

int ccgov_sbom_collect_image(ccgov_sbom *s, const char *layout_dir, char digest[CCGOV_DIGEST_STRING_MAX])
{
	ccgov_image img;
	image_walk w = { s, NULL, NULL, 0, 0 };
	cJSON *manifest = NULL, *layers = NULL, *l;
	int err;

	if ((err = ccgov_oci_verify(&img, layout_dir, NULL)) < 0)
		return err;
	ccgov_digest_string(digest, &img.manifest);
	if ((err = layer_blobs(&layers, layout_dir, &img, &manifest)) < 0)
		goto done;
	cJSON_ArrayForEach(l, layers) {
		const char *id = ccgov_json_string(l, "digest");
		char *blob = NULL;

		/* ccgov_oci_verify has checked every layer digest's form and blob. */
		if (!id || !strchr(id, ':') ||
		    asprintf(&blob, "%s/blobs/%.*s/%s", layout_dir, (int)(strchr(id, ':') - id), id, strchr(id, ':') + 1) < 0) {
			err = ccgov_error_set(CCGOV_EINVALID, "%s: a layer without a digest", layout_dir);
			break;
		}
		err = read_layer(&w, blob);
		free(blob);
		if (err < 0)
			break;
	}
	if (err == 0 && w.dpkg) {
		char *id = w.os_release ? os_release_value(w.os_release, "ID") : NULL;
		char *version = w.os_release ? os_release_value(w.os_release, "VERSION_ID") : NULL;

		err = ccgov_catalog_dpkg_status(s, "/var/lib/dpkg/status", w.dpkg, w.dpkg_len, id ? id : "debian", version);
		free(id);
		free(version);
	}
done:
	free(w.dpkg);
	free(w.os_release);
	cJSON_Delete(manifest);
	return err;
}
