/*
 * The image a build writes: its base copied and read, its own layer read
 * back and checked against the base, and the libraries its ELF files
 * need looked for in the image (see build_image.h).
 */
#include "build_image.h"

#include <ccgov/error.h>
#include <ccgov/image_files.h>
#include <ccgov/path.h>
#include <ccgov/utf8.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOW_TO_FIX "set a base image that has it (\"base\" in ccgov.json, or --base), or link statically"

void ccgov_build_list_free(ccgov_build_list *l)
{
	for (size_t i = 0; i < l->len; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->len = 0;
}

static int push(ccgov_build_list *l, char *s)
{
	char **grown;

	if (!s || !(grown = realloc(l->items, (l->len + 1) * sizeof(*grown)))) {
		free(s);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	l->items = grown;
	l->items[l->len++] = s;
	return 0;
}

/* ---- the base ---------------------------------------------------------- */

int ccgov_build_take_base(ccgov_rootfs *fs, ccgov_oci_reader *base, const char *layout, const char *written)
{
	ccgov_layer_reading how = { .copy_to = layout };
	int err = 0;

	for (size_t i = 0; i < ccgov_oci_layer_count(base) && err == 0; i++) {
		char *where = NULL;

		if (asprintf(&where, "base %s: layer %zu", written, i + 1) < 0)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		err = ccgov_image_files_read_layer(fs, base, i, where, &how);
		free(where);
	}
	return err;
}

/* ---- ccgov's own layer, against the base ------------------------------- */

typedef struct {
	const char *base; /* as written; NULL without a base */
	ccgov_build_list *files;
} own_layer;

/* "/usr/local/bin" for the member "./usr/local/bin/". */
static void image_path(char *out, size_t size, const char *member)
{
	size_t n;

	while (member[0] == '.' && member[1] == '/')
		member += 2;
	n = strlen(member);
	while (n && member[n - 1] == '/')
		n--;
	snprintf(out, size, "/%.*s", (int)n, member);
}

static int against_base(void *ctx, ccgov_rootfs *fs, const ccgov_tar_member *m, const char *where)
{
	const own_layer *o = ctx;
	char path[PATH_MAX + 2];
	ccgov_rootfs_type type;
	const char *link = NULL;
	int rc;

	if (!o->base)
		return 0;
	image_path(path, sizeof(path), m->path);
	if ((rc = ccgov_rootfs_stat(fs, path, &type, &link)) < 0)
		return ccgov_error_wrap("%s: %s", where, path);
	if (rc == 0)
		return 0;
	if (m->type == CCGOV_TAR_DIR && type == CCGOV_ROOTFS_SYMLINK) {
		char *shown = ccgov_utf8_escape(link, strlen(link));
		int err = ccgov_error_set(CCGOV_EINVALID,
					  "base %s has %s as a symbolic link to %s, and the outputs make it a folder, "
					  "which would replace the link and what the base reaches through it: give "
					  "the output a dest under %s instead", o->base, path, shown ? shown : "?",
					  shown ? shown : "its target");

		free(shown);
		return err;
	}
	if (m->type != CCGOV_TAR_DIR && type == CCGOV_ROOTFS_DIR)
		return ccgov_error_set(CCGOV_EINVALID, "base %s has %s as a folder, and an output is a file there: "
				       "give the output another dest", o->base, path);
	return 0;
}

static int landed(void *ctx, const char *path)
{
	own_layer *o = ctx;

	return push(o->files, strdup(path));
}

int ccgov_build_read_own_layer(ccgov_rootfs *fs, const char *layout, const char *base_written,
			       ccgov_build_list *files)
{
	own_layer o = { base_written, files };
	ccgov_layer_reading how = { .check = against_base, .landed = landed, .ctx = &o };
	ccgov_oci_reader *r;
	char *where = NULL;
	int err;

	if ((err = ccgov_oci_open(&r, layout, NULL)) < 0)
		return err;
	if (asprintf(&where, "%s: layer %zu", layout, ccgov_oci_layer_count(r)) < 0)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	else
		err = ccgov_image_files_read_layer(fs, r, ccgov_oci_layer_count(r) - 1, where, &how);
	free(where);
	ccgov_oci_close(r);
	return err;
}

/* ---- libraries ----------------------------------------------------------- */

/* The Debian multiarch folder name for an ELF machine, or NULL. */
static const char *multiarch(unsigned machine, int is64)
{
	switch (machine) {
	case 62: return "x86_64-linux-gnu";
	case 183: return "aarch64-linux-gnu";
	case 3: return "i386-linux-gnu";
	case 40: return "arm-linux-gnueabihf";
	case 243: return is64 ? "riscv64-linux-gnu" : NULL;
	case 21: return "powerpc64le-linux-gnu";
	case 22: return "s390x-linux-gnu";
	default: return NULL;
	}
}

/* Each folder of a colon-separated list, $ORIGIN as the ELF file's own folder. */
static int add_search_list(ccgov_build_list *dirs, const char *list, const char *origin)
{
	const char *p = list;
	int err = 0;

	while (err == 0 && *p) {
		size_t n = strcspn(p, ":");
		char *dir = strndup(p, n), *expanded = NULL;

		if (dir && (strncmp(dir, "$ORIGIN", 7) == 0 || strncmp(dir, "${ORIGIN}", 9) == 0)) {
			const char *rest = dir + (dir[1] == '{' ? 9 : 7);

			if (asprintf(&expanded, "%s%s", origin, rest) < 0)
				expanded = NULL;
			free(dir);
			dir = expanded;
		}
		err = dir && dir[0] ? push(dirs, dir) : (free(dir), 0);
		p += n + (p[n] == ':');
	}
	return err;
}

/* The folders ld.so.conf and ld.so.conf.d/NAME.conf name (include lines are what ld.so.conf.d is). */
static int add_ld_so_conf(ccgov_build_list *dirs, ccgov_rootfs *fs)
{
	ccgov_rootfs_entry *list;
	size_t n;
	int err = ccgov_rootfs_list(fs, &list, &n);

	for (size_t i = 0; i < n && err == 0; i++) {
		const ccgov_file_facts *f = list[i].content ? list[i].content->facts : NULL;
		const char *p;

		if (list[i].type != CCGOV_ROOTFS_FILE || !f || !f->text ||
		    (strcmp(list[i].path, "/etc/ld.so.conf") != 0 && strncmp(list[i].path, "/etc/ld.so.conf.d/", 18) != 0))
			continue;
		for (p = f->text; *p && err == 0; p += strcspn(p, "\n"), p += *p == '\n') {
			size_t len = strcspn(p, "\n#");

			while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' || p[len - 1] == '\r'))
				len--;
			while (len && (*p == ' ' || *p == '\t'))
				p++, len--;
			if (len && p[0] == '/')
				err = push(dirs, strndup(p, len));
		}
	}
	ccgov_rootfs_list_free(list, n);
	return err;
}

static int add_defaults(ccgov_build_list *dirs, const ccgov_elf_info *elf)
{
	static const char *const plain[] = { "/lib64", "/usr/lib64", "/lib", "/usr/lib" };
	const char *triplet = multiarch(elf->machine, elf->is64);
	int err = 0;

	for (int usr = 0; usr < 2 && err == 0 && triplet; usr++) {
		char *d = NULL;

		err = asprintf(&d, "%s/lib/%s", usr ? "/usr" : "", triplet) < 0 ? push(dirs, NULL) : push(dirs, d);
	}
	for (size_t i = elf->is64 ? 0 : 2; i < sizeof(plain) / sizeof(plain[0]) && err == 0; i++)
		err = push(dirs, strdup(plain[i]));
	return err;
}

/* One line of missing (file and name escaped: both come from the file). */
static int miss(ccgov_build_list *missing, const char *file, const char *name, int loader)
{
	char *f = ccgov_utf8_escape(file, strlen(file)), *n = ccgov_utf8_escape(name, strlen(name)), *line = NULL;
	int rc = !f || !n ? -1 :
		 loader ? asprintf(&line, "%s: its loader %s is not in the image: " HOW_TO_FIX, f, n) :
			  asprintf(&line, "%s needs %s, which is not in the image: " HOW_TO_FIX, f, n);

	free(f);
	free(n);
	return push(missing, rc < 0 ? NULL : line);
}

static int found(ccgov_rootfs *fs, const ccgov_build_list *dirs, const char *name)
{
	char path[PATH_MAX];

	if (strchr(name, '/'))
		return ccgov_rootfs_lookup(fs, name) != NULL;
	for (size_t i = 0; i < dirs->len; i++)
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dirs->items[i], name) < sizeof(path) &&
		    ccgov_rootfs_lookup(fs, path))
			return 1;
	return 0;
}

static int check_file(ccgov_rootfs *fs, const char *file, const ccgov_elf_info *elf, const char *ld_library_path,
		      ccgov_build_list *missing)
{
	ccgov_build_list dirs = { 0 };
	char *origin = strdup(file);
	int err = origin ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");

	if (err == 0)
		*strrchr(origin, '/') = '\0';
	if (err == 0 && elf->interp && !ccgov_rootfs_lookup(fs, elf->interp))
		err = miss(missing, file, elf->interp, 1);
	/* DT_RPATH counts only without DT_RUNPATH (ld.so(8)). */
	if (err == 0 && elf->rpath && !elf->runpath)
		err = add_search_list(&dirs, elf->rpath, origin);
	if (err == 0 && ld_library_path)
		err = add_search_list(&dirs, ld_library_path, origin);
	if (err == 0 && elf->runpath)
		err = add_search_list(&dirs, elf->runpath, origin);
	if (err == 0 && elf->nneeded && (err = add_ld_so_conf(&dirs, fs)) == 0)
		err = add_defaults(&dirs, elf);
	for (size_t i = 0; i < elf->nneeded && err == 0; i++) {
		if (!found(fs, &dirs, elf->needed[i]))
			err = miss(missing, file, elf->needed[i], 0);
	}
	ccgov_build_list_free(&dirs);
	free(origin);
	return err;
}

int ccgov_build_check_libraries(ccgov_rootfs *fs, const ccgov_build_list *files, const char *ld_library_path,
				ccgov_build_list *missing)
{
	int err = 0;

	for (size_t i = 0; i < files->len && err == 0; i++) {
		const ccgov_rootfs_content *c = ccgov_rootfs_lookup(fs, files->items[i]);
		const ccgov_file_facts *f = c ? c->facts : NULL;

		if (f && f->is_elf)
			err = check_file(fs, files->items[i], &f->elf, ld_library_path, missing);
	}
	return err;
}
