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
#include <ccgov/image_files.h>
#include <ccgov/json.h>
#include <ccgov/oci.h>
#include <ccgov/path.h>
#include <ccgov/sbom.h>
#include <ccgov/tar.h>
#include <ccgov/uri.h>
#include <ccgov/utf8.h>

#include <ccgov/rootfs.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the dpkg and apk databases ------------------------------------------- */

#define APK_DB "/lib/apk/db/installed"

/* The end of the stanza that starts at p: just after the next empty line, or end; *line counts the lines passed. */
static const char *stanza_end(const char *p, const char *end, int *line)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
		int empty = e == p || (e - p == 1 && *p == '\r');

		(*line)++;
		p = nl ? nl + 1 : end;
		if (empty)
			break;
	}
	return p;
}

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

/*
 * A distribution package's purl: pkg:TYPE/DISTRO/NAME@VERSION with the
 * qualifiers in key order, as the purl spec asks (arch, then distro),
 * their values percent-encoded.
 */
static char *os_purl(const char *type, const char *distro, const char *distro_version, const char *name,
		     const char *version, const char *arch)
{
	char *base = ccgov_purl(type, distro, name, version), *purl = NULL, *a = NULL, *d = NULL, *dv = NULL;

	if (base && (!arch || (a = ccgov_uri_encode(arch, NULL))) &&
	    (!distro_version || ((d = ccgov_uri_encode(distro, NULL)) && (dv = ccgov_uri_encode(distro_version, NULL)))) &&
	    asprintf(&purl, "%s%s%s%s%s%s%s", base, a ? "?arch=" : "", a ? a : "",
		     dv ? (a ? "&distro=" : "?distro=") : "", dv ? d : "", dv ? "-" : "", dv ? dv : "") < 0)
		purl = NULL;
	free(base);
	free(a);
	free(d);
	free(dv);
	return purl;
}

/* A package of a distribution's database: its purl type, and name, version and arch as the file keys them. */
typedef struct {
	const char *type;
	const char *key[3];
	const char *value[3]; /* not NUL-terminated; arch may be NULL */
	size_t len[3];
} package_fields;

/*
 * One installed package read at path:line: checked, added as
 * pkg:TYPE/DISTRO/NAME@VERSION, and depended on by the image. *out is
 * NULL when a value is not text (warned, left out).
 */
static int add_os_package(ccgov_sbom *s, ccgov_component **out, const package_fields *f, const char *path,
			  int line, const char *distro, const char *distro_version)
{
	char *v[3] = { NULL, NULL, NULL }, *purl = NULL, where[PATH_MAX + 24];
	int err = 0;

	*out = NULL;
	for (int i = 0; i < 3 && err == 0; i++)
		if (f->value[i] && !(v[i] = strndup(f->value[i], f->len[i])))
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	snprintf(where, sizeof(where), "%s:%d", path, line);
	if (err == 0 && (err = ccgov_sbom_usable(s, where, f->key[0], v[0], f->key[1], v[1], f->key[2], v[2],
						 NULL)) > 0) {
		if (!(purl = os_purl(f->type, distro, distro_version, v[0], v[1], v[2])) ||
		    !(*out = ccgov_sbom_add(s, "library", v[0], v[1], purl, path)))
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		else {
			ccgov_component_use(*out, CCGOV_DEP_RUNTIME, NULL, 1);
			err = ccgov_component_depends(&s->root, (*out)->ref);
		}
	}
	free(purl);
	for (int i = 0; i < 3; i++)
		free(v[i]);
	return err < 0 ? err : 0;
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
		const char *start = p, *stop;
		int start_line = line;
		size_t nl_name = 0, nl_version = 0, nl_arch = 0, nl_status = 0;
		const char *name, *version, *arch, *status;

		p = stop = stanza_end(start, end, &line);
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
			ccgov_component *c = NULL;
			const package_fields f = { "deb", { "Package", "Version", "Architecture" },
						   { name, version, arch }, { nl_name, nl_version, nl_arch } };

			if ((err = add_os_package(s, &c, &f, path, start_line, distro, distro_version)) == 0 && c)
				err = ccgov_component_property(c, "ccgov:dpkg:status", "installed");
		}
	}
	return err;
}

/* "K:value" lines of an apk database stanza [p, end): the value of key, or NULL. */
static const char *apk_get(const char *p, const char *end, char key, size_t *len)
{
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;

		if (e - p >= 2 && p[0] == key && p[1] == ':') {
			*len = (size_t)(e - p - 2);
			if (*len && p[2 + *len - 1] == '\r')
				(*len)--;
			return p + 2;
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

int ccgov_catalog_apk_installed(ccgov_sbom *s, const char *path, const char *text, size_t len, const char *distro,
				const char *distro_version)
{
	const char *p = text, *end = text + len;
	int line = 1, err = 0;

	if (!ccgov_utf8_valid(text, len) || memchr(text, '\0', len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not UTF-8 text", path);
	while (p < end && err == 0) {
		/* A package runs to the next empty line. */
		const char *start = p, *stop, *name, *version, *arch;
		size_t nl_name = 0, nl_version = 0, nl_arch = 0;
		int start_line = line;

		p = stop = stanza_end(start, end, &line);
		name = apk_get(start, stop, 'P', &nl_name);
		version = apk_get(start, stop, 'V', &nl_version);
		arch = apk_get(start, stop, 'A', &nl_arch);
		if (!name && !version)
			continue; /* blank lines, or a stanza of other keys */
		if (!name || !version || !nl_name || !nl_version) {
			err = ccgov_sbom_warn(s, "%s:%d: a package without %s; left out", path, start_line,
					      name && nl_name ? "V:" : "P:");
			continue;
		}
		{
			ccgov_component *c = NULL;
			const package_fields f = { "apk", { "P:", "V:", "A:" }, { name, version, arch },
						   { nl_name, nl_version, nl_arch } };

			err = add_os_package(s, &c, &f, path, start_line, distro, distro_version);
		}
	}
	return err;
}

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
	/* Cut to 63 bytes, a name or version can end inside a character: no component then (the ident stays). */
	if (!name[0] || !ccgov_utf8_valid(name, strlen(name)) || !ccgov_utf8_valid(version, strlen(version)))
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

/* 1 if a string read from an ELF file may go into the SBOM; 0 when it is left out, warned; <0 on error. */
static int elf_text(ccgov_sbom *s, const char *file, const char *what, const char *value)
{
	return ccgov_sbom_text_usable(s, file, 0, what, value, strlen(value));
}

/* The same for every string of a Go module's build information. */
static int go_text(ccgov_sbom *s, const char *file, const ccgov_go_module *m)
{
	const char *parts[] = { m->path, m->version, m->sum, m->folder };
	int ok = 1;

	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]) && ok > 0; i++)
		if (parts[i])
			ok = elf_text(s, file, "Go module", parts[i]);
	return ok;
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
	if (err == 0 && info->go_main.path && (err = go_text(s, file, &info->go_main)) > 0)
		err = ccgov_component_property(ccgov_sbom_find(s, file_ref), "ccgov:go:main", info->go_main.path);
	for (size_t i = 0; i < info->ngo_deps && err >= 0; i++) {
		const ccgov_go_module *m = &info->go_deps[i];
		const char *slash = strrchr(m->path, '/');

		if ((err = go_text(s, file, m)) <= 0)
			continue;
		err = 0;
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
	return err < 0 ? err : 0;
}

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

/* ---- what the image holds in the end ---------------------------------- */

/*
 * Every file is listed, whatever its name: a name that is not text an SBOM
 * can hold (not UTF-8, a control or bidi character) is written with \xNN
 * escapes, as symbolic link targets are, rather than hidden from the audit.
 */
static int add_file(ccgov_sbom *s, const ccgov_rootfs_entry *e, ccgov_component **out)
{
	char *name = ccgov_utf8_escape(e->path, strlen(e->path)), *ref = NULL;

	if (!name || asprintf(&ref, "file:%s", name) < 0 ||
	    !(*out = ccgov_sbom_add_ref(s, ref, "file", name, NULL, NULL, NULL))) {
		free(name);
		free(ref);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	free(name);
	free(ref);
	ccgov_component_use(*out, CCGOV_DEP_RUNTIME, NULL, 0);
	return ccgov_component_depends(&s->root, (*out)->ref);
}

static int symlink_entry(ccgov_sbom *s, const ccgov_rootfs_entry *e)
{
	ccgov_component *c;
	char *target = ccgov_utf8_escape(e->link, strlen(e->link));
	int err = target ? add_file(s, e, &c) : ccgov_error_set(CCGOV_ENOMEM, "out of memory");

	if (err == 0)
		err = ccgov_component_property(c, "ccgov:file:symlink-target", target);
	free(target);
	return err;
}

static int regular_entry(ccgov_sbom *s, const ccgov_rootfs_entry *e)
{
	const ccgov_file_facts *f = e->content->facts;
	ccgov_component *c;
	char hex[2 * CCGOV_DIGEST_MAX + 1];
	int err = add_file(s, e, &c);

	if (err == 0 && e->content->hashed) {
		ccgov_digest_hex(hex, &e->content->sha256);
		err = ccgov_component_hash(c, "SHA-256", hex);
	}
	if (err == 0 && e->same_as) {
		char *to = ccgov_utf8_escape(e->same_as, strlen(e->same_as));

		err = to ? ccgov_component_property(c, "ccgov:file:hardlink-to", to) :
			   ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		free(to);
	}
	if (err < 0 || e->same_as || !f)
		return err; /* a hard link's facts are its first path's */
	if (f->sparse)
		return ccgov_sbom_warn(s, "%s: a sparse file: not hashed", e->path);
	if (f->elf_problem)
		return ccgov_sbom_warn(s, "%s", f->elf_problem);
	if (!f->is_elf)
		return 0;
	if (f->elf.build_id[0])
		err = ccgov_component_property(c, "ccgov:elf:build-id", f->elf.build_id);
	for (size_t i = 0; i < f->elf.nneeded && err == 0; i++)
		if ((err = elf_text(s, e->path, "DT_NEEDED", f->elf.needed[i])) > 0)
			err = ccgov_component_property(ccgov_sbom_find(s, c->ref), "ccgov:elf:needed", f->elf.needed[i]);
	for (size_t i = 0; i < f->elf.ncomments && err == 0; i++)
		if ((err = elf_text(s, e->path, ".comment", f->elf.comments[i])) > 0 &&
		    (err = ccgov_component_property(ccgov_sbom_find(s, c->ref), "ccgov:elf:compiler",
						    f->elf.comments[i])) == 0)
			err = toolchain(s, f->elf.comments[i], e->path);
	if (err == 0 && f->elf.go_version && (err = elf_text(s, e->path, "Go version", f->elf.go_version)) > 0) {
		char *ref = strdup(c->ref);

		err = ref ? go_program(s, &f->elf, e->path, ref) : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		free(ref);
	}
	return err;
}

static const ccgov_file_facts *kept_text(ccgov_rootfs *fs, const char *path)
{
	const ccgov_rootfs_content *c = ccgov_rootfs_lookup(fs, path);
	const ccgov_file_facts *f = c ? c->facts : NULL;

	return f && f->text ? f : NULL;
}

/* The package databases an image holds (dpkg, apk), its os-release naming the distribution. */
static int package_databases(ccgov_sbom *s, ccgov_rootfs *fs)
{
	const ccgov_file_facts *dpkg = kept_text(fs, "/var/lib/dpkg/status"), *apk = kept_text(fs, APK_DB);
	const char *os_path = "/etc/os-release";
	const ccgov_file_facts *os = kept_text(fs, os_path);
	char *id, *version;
	int err = 0;

	if (!dpkg && !apk)
		return 0;
	if (!os)
		os = kept_text(fs, os_path = "/usr/lib/os-release");
	id = os ? os_release_value(os->text, "ID") : NULL;
	version = os ? os_release_value(os->text, "VERSION_ID") : NULL;
	/* Both go into every package's purl: an unusable one is left out, with a warning. */
	if (id && (err = ccgov_sbom_usable(s, os_path, "ID", id, NULL)) <= 0) {
		free(id);
		id = NULL;
	}
	if (err >= 0 && version && (err = ccgov_sbom_usable(s, os_path, "VERSION_ID", version, NULL)) <= 0) {
		free(version);
		version = NULL;
	}
	if (err >= 0 && dpkg)
		err = ccgov_catalog_dpkg_status(s, "/var/lib/dpkg/status", dpkg->text, dpkg->text_len,
						id ? id : "debian", version);
	if (err >= 0 && apk)
		err = ccgov_catalog_apk_installed(s, APK_DB, apk->text, apk->text_len, id ? id : "alpine", version);
	free(id);
	free(version);
	return err;
}

int ccgov_sbom_catalog_image_files(ccgov_sbom *s, ccgov_rootfs *fs)
{
	ccgov_rootfs_entry *list;
	size_t n;
	int err = ccgov_rootfs_list(fs, &list, &n);

	for (size_t i = 0; i < n && err == 0; i++) {
		if (list[i].type == CCGOV_ROOTFS_SYMLINK)
			err = symlink_entry(s, &list[i]);
		else if (list[i].type == CCGOV_ROOTFS_FILE)
			err = regular_entry(s, &list[i]);
	}
	ccgov_rootfs_list_free(list, n);
	return err == 0 ? package_databases(s, fs) : err;
}

int ccgov_sbom_collect_image(ccgov_sbom *s, const char *layout_dir, char digest[CCGOV_DIGEST_STRING_MAX])
{
	ccgov_rootfs *fs = NULL;
	int err = ccgov_image_files_read(&fs, layout_dir, digest, NULL);

	if (err == 0)
		err = ccgov_sbom_catalog_image_files(s, fs);
	ccgov_rootfs_free(fs);
	return err;
}
