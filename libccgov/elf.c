/*
 * A bounded ELF reader (see ccgov/elf.h). Section headers name .dynamic,
 * .comment, the notes and .go.buildinfo directly (every file a linker or
 * Go writes has them); the program headers give PT_INTERP, which is what
 * the kernel itself reads.
 */
#include "bytes.h"

#include <ccgov/elf.h>
#include <ccgov/error.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHT_NOTE 7
#define SHT_DYNAMIC 6
#define SHT_NOBITS 8
#define DT_NULL 0
#define DT_NEEDED 1
#define DT_RPATH 15
#define DT_RUNPATH 29
#define PT_INTERP 3
#define MAX_INTERP 4096
#define NT_GNU_BUILD_ID 3
#define MAX_SECTIONS 65536

typedef struct {
	const unsigned char *data;
	size_t len;
	int is64, big;
	const char *name;
} elf_file;

typedef struct {
	uint32_t name, type, link;
	uint64_t offset, size;
} section;

static uint64_t get(const elf_file *f, const unsigned char *p, int bytes)
{
	return f->big ? bytes_be(p, bytes) : bytes_le(p, bytes);
}

/* 1 when [off, off + size) lies inside the file. */
static int inside(const elf_file *f, uint64_t off, uint64_t size)
{
	return off <= f->len && size <= f->len - off;
}

int ccgov_elf_is_elf(const unsigned char *data, size_t len)
{
	return len >= 4 && memcmp(data, "\177ELF", 4) == 0;
}

static int read_section(const elf_file *f, uint64_t shoff, uint64_t entsize, uint64_t i, section *s)
{
	const unsigned char *p = f->data + shoff + i * entsize;

	s->name = (uint32_t)get(f, p, 4);
	s->type = (uint32_t)get(f, p + 4, 4);
	if (f->is64) {
		s->offset = get(f, p + 24, 8);
		s->size = get(f, p + 32, 8);
		s->link = (uint32_t)get(f, p + 40, 4);
	} else {
		s->offset = get(f, p + 16, 4);
		s->size = get(f, p + 20, 4);
		s->link = (uint32_t)get(f, p + 24, 4);
	}
	if (s->type != SHT_NOBITS && !inside(f, s->offset, s->size))
		return ccgov_error_set(CCGOV_EINVALID, "%s: section %llu lies outside the file", f->name,
				       (unsigned long long)i);
	return 0;
}

/* The NUL-terminated string at off in a string section, or NULL. */
static const char *string_at(const elf_file *f, const section *strtab, uint64_t off)
{
	const char *s;

	/* A string table marked SHT_NOBITS has no bytes in the file to point at. */
	if (strtab->type == SHT_NOBITS || !inside(f, strtab->offset, strtab->size) || off >= strtab->size)
		return NULL;
	s = (const char *)f->data + strtab->offset + off;
	return memchr(s, '\0', strtab->size - off) ? s : NULL;
}

static int push_string(char ***list, size_t *n, const char *s, size_t len, int distinct)
{
	char **grown;

	for (size_t i = 0; distinct && i < *n; i++)
		if (strlen((*list)[i]) == len && memcmp((*list)[i], s, len) == 0)
			return 0;
	if (!(grown = realloc(*list, (*n + 1) * sizeof(*grown))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	*list = grown;
	if (!(grown[*n] = strndup(s, len)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	(*n)++;
	return 0;
}

static int read_notes(const elf_file *f, const section *s, ccgov_elf_info *out)
{
	uint64_t off = 0;

	while (s->size - off >= 12) {
		const unsigned char *p = f->data + s->offset + off;
		uint64_t namesz = get(f, p, 4), descsz = get(f, p + 4, 4), type = get(f, p + 8, 4);
		uint64_t name_pad = (namesz + 3) & ~3ull, desc_pad = (descsz + 3) & ~3ull;

		if (name_pad > s->size - off - 12 || desc_pad > s->size - off - 12 - name_pad)
			return ccgov_error_set(CCGOV_EINVALID, "%s: a note runs past its section", f->name);
		if (type == NT_GNU_BUILD_ID && namesz == 4 && memcmp(p + 12, "GNU", 4) == 0 && descsz &&
		    descsz <= 64) {
			for (uint64_t i = 0; i < descsz; i++)
				snprintf(out->build_id + 2 * i, 3, "%02x", p[12 + name_pad + i]);
		}
		off += 12 + name_pad + desc_pad;
	}
	return 0;
}

static int read_dynamic(const elf_file *f, const section *s, const section *strtab, ccgov_elf_info *out)
{
	uint64_t ent = f->is64 ? 16 : 8;

	for (uint64_t off = 0; off + ent <= s->size; off += ent) {
		const unsigned char *p = f->data + s->offset + off;
		uint64_t tag = get(f, p, f->is64 ? 8 : 4), val = get(f, p + ent / 2, f->is64 ? 8 : 4);
		const char *lib;
		int err;

		if (tag == DT_NULL)
			break;
		if (tag != DT_NEEDED && tag != DT_RUNPATH && tag != DT_RPATH)
			continue;
		if (!(lib = string_at(f, strtab, val)))
			return ccgov_error_set(CCGOV_EINVALID, "%s: a %s string lies outside .dynstr", f->name,
					       tag == DT_NEEDED ? "DT_NEEDED" : tag == DT_RUNPATH ? "DT_RUNPATH" : "DT_RPATH");
		if (tag == DT_NEEDED) {
			if ((err = push_string(&out->needed, &out->nneeded, lib, strlen(lib), 0)) < 0)
				return err;
			continue;
		}
		/* One of each, as the loader takes the first. */
		{
			char **slot = tag == DT_RUNPATH ? &out->runpath : &out->rpath;

			if (!*slot && !(*slot = strdup(lib)))
				return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		}
	}
	return 0;
}

static int read_comment(const elf_file *f, const section *s, ccgov_elf_info *out)
{
	const char *p = (const char *)f->data + s->offset, *end = p + s->size;

	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));
		size_t n = (size_t)((nul ? nul : end) - p);
		int err;

		if (n && (err = push_string(&out->comments, &out->ncomments, p, n, 1)) < 0)
			return err;
		p += n + 1;
	}
	return 0;
}

/* An unsigned LEB128 length, as Go writes them; 0 on a malformed one. */
static int uvarint(const unsigned char **p, const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 64 && *p < end; shift += 7) {
		unsigned char b = *(*p)++;

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 1;
		}
	}
	return 0;
}

static int go_module(ccgov_go_module *m, char *line)
{
	char *save = NULL, *path = strtok_r(line, "\t", &save), *version = strtok_r(NULL, "\t", &save),
	     *sum = strtok_r(NULL, "\t", &save);

	if (!path || !version)
		return 0;
	free(m->path);
	free(m->version);
	free(m->sum);
	m->path = strdup(path);
	m->version = strdup(version);
	m->sum = sum ? strdup(sum) : NULL;
	return m->path && m->version && (!sum || m->sum) ? 1 : -1;
}

/* The module lines of runtime/debug.BuildInfo's text form. */
static int read_modinfo(ccgov_elf_info *out, const char *text, size_t len)
{
	char *copy, *save = NULL;
	int err = 0;

	/* Go wraps the text in 16-byte sentinels. */
	if (len >= 33 && text[len - 17] == '\n') {
		text += 16;
		len -= 32;
	}
	if (!(copy = strndup(text, len)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (char *line = strtok_r(copy, "\n", &save); line && err == 0; line = strtok_r(NULL, "\n", &save)) {
		int rc = 0;

		if (strncmp(line, "mod\t", 4) == 0) {
			rc = go_module(&out->go_main, line + 4);
		} else if (strncmp(line, "dep\t", 4) == 0) {
			ccgov_go_module *grown = realloc(out->go_deps, (out->ngo_deps + 1) * sizeof(*grown));

			if (!grown) {
				rc = -1;
			} else {
				out->go_deps = grown;
				memset(&grown[out->ngo_deps], 0, sizeof(*grown));
				if ((rc = go_module(&grown[out->ngo_deps], line + 4)) == 1)
					out->ngo_deps++;
			}
		} else if (strncmp(line, "=>\t", 3) == 0 && out->ngo_deps) {
			/*
			 * A replacement of the dep just before it: another module
			 * takes its place, or a local folder (no version of its own),
			 * which the dep keeps its name and version for.
			 */
			ccgov_go_module *d = &out->go_deps[out->ngo_deps - 1];

			if (line[3] == '.' || line[3] == '/') {
				free(d->folder);
				rc = (d->folder = strndup(line + 3, strcspn(line + 3, "\t"))) ? 1 : -1;
			} else {
				rc = go_module(d, line + 3);
			}
		}
		if (rc < 0)
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	free(copy);
	return err;
}

/* .go.buildinfo as Go 1.18 and later write it: magic, pointer size, flags, then inline strings. */
static int read_go_buildinfo(const elf_file *f, const section *s, ccgov_elf_info *out)
{
	const unsigned char *p = f->data + s->offset, *end = p + s->size;
	uint64_t n;

	if (s->size < 32 || memcmp(p, "\377 Go buildinf:", 14) != 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: .go.buildinfo without its magic", f->name);
	if (!(p[15] & 2))
		return 0; /* before Go 1.18: pointers into the data, not read (the toolchain is too old to matter here) */
	p += 32;
	if (!uvarint(&p, end, &n) || n > (uint64_t)(end - p))
		return ccgov_error_set(CCGOV_EINVALID, "%s: .go.buildinfo: the Go version runs past the section", f->name);
	if (!(out->go_version = strndup((const char *)p, (size_t)n)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	p += n;
	if (!uvarint(&p, end, &n) || n > (uint64_t)(end - p))
		return ccgov_error_set(CCGOV_EINVALID, "%s: .go.buildinfo: the module list runs past the section", f->name);
	return read_modinfo(out, (const char *)p, (size_t)n);
}

/* PT_INTERP: the loader's path, a NUL-terminated string inside the file. */
static int read_interp(const elf_file *f, ccgov_elf_info *out)
{
	const unsigned char *d = f->data;
	uint64_t phoff = get(f, d + (f->is64 ? 32 : 28), f->is64 ? 8 : 4);
	uint64_t phentsize = get(f, d + (f->is64 ? 54 : 42), 2), phnum = get(f, d + (f->is64 ? 56 : 44), 2);

	if (phoff == 0 || phnum == 0)
		return 0;
	if (phentsize < (uint64_t)(f->is64 ? 56 : 32) || !inside(f, phoff, 0) || phnum > (f->len - phoff) / phentsize)
		return ccgov_error_set(CCGOV_EINVALID, "%s: program header table out of bounds", f->name);
	for (uint64_t i = 0; i < phnum; i++) {
		const unsigned char *p = d + phoff + i * phentsize;
		uint64_t off = get(f, p + (f->is64 ? 8 : 4), f->is64 ? 8 : 4);
		uint64_t size = get(f, p + (f->is64 ? 32 : 16), f->is64 ? 8 : 4);

		if (get(f, p, 4) != PT_INTERP)
			continue;
		if (!inside(f, off, size) || size == 0 || size > MAX_INTERP || memchr(d + off, '\0', size) == NULL)
			return ccgov_error_set(CCGOV_EINVALID, "%s: PT_INTERP is not a path inside the file", f->name);
		if (!(out->interp = strdup((const char *)d + off)))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		return 0;
	}
	return 0;
}

int ccgov_elf_read(ccgov_elf_info *out, const unsigned char *data, size_t len, const char *name)
{
	elf_file f = { data, len, 0, 0, name };
	uint64_t shoff, shentsize, shnum, shstrndx;
	section names, s;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (len < 52 || !ccgov_elf_is_elf(data, len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not an ELF file", name);
	if ((data[4] != 1 && data[4] != 2) || (data[5] != 1 && data[5] != 2))
		return ccgov_error_set(CCGOV_EINVALID, "%s: unknown ELF class or byte order", name);
	f.is64 = data[4] == 2;
	f.big = data[5] == 2;
	if (f.is64 && len < 64)
		return ccgov_error_set(CCGOV_EINVALID, "%s: truncated ELF header", name);
	out->is64 = f.is64;
	out->machine = (unsigned)get(&f, data + 18, 2);
	if ((err = read_interp(&f, out)) < 0) {
		ccgov_elf_info_free(out);
		return err;
	}
	shoff = get(&f, data + (f.is64 ? 40 : 32), f.is64 ? 8 : 4);
	shentsize = get(&f, data + (f.is64 ? 58 : 46), 2);
	shnum = get(&f, data + (f.is64 ? 60 : 48), 2);
	shstrndx = get(&f, data + (f.is64 ? 62 : 50), 2);
	if (shoff == 0)
		return 0; /* no section headers: nothing named to read */
	if (shentsize < (uint64_t)(f.is64 ? 64 : 40) || !inside(&f, shoff, shentsize))
		return ccgov_error_set(CCGOV_EINVALID, "%s: section header table out of bounds", name);
	/* More than 0xff00 sections: the real counts are in section 0. */
	if ((err = read_section(&f, shoff, shentsize, 0, &s)) < 0)
		return err;
	if (shnum == 0)
		shnum = s.size;
	if (shstrndx == 0xffff)
		shstrndx = s.link;
	if (shnum > MAX_SECTIONS || shnum > (len - shoff) / shentsize)
		return ccgov_error_set(CCGOV_EINVALID, "%s: section header table out of bounds", name);
	if (shstrndx >= shnum || (err = read_section(&f, shoff, shentsize, shstrndx, &names)) < 0)
		return err < 0 ? err : ccgov_error_set(CCGOV_EINVALID, "%s: no section name table", name);
	for (uint64_t i = 1; i < shnum && err == 0; i++) {
		const char *sname;

		if ((err = read_section(&f, shoff, shentsize, i, &s)) < 0 || s.type == SHT_NOBITS)
			continue;
		sname = string_at(&f, &names, s.name);
		if (s.type == SHT_NOTE) {
			err = read_notes(&f, &s, out);
		} else if (s.type == SHT_DYNAMIC) {
			section strtab;

			if (s.link >= shnum || (err = read_section(&f, shoff, shentsize, s.link, &strtab)) < 0)
				err = err < 0 ? err : ccgov_error_set(CCGOV_EINVALID, "%s: .dynamic links to no string table", name);
			else
				err = read_dynamic(&f, &s, &strtab, out);
		} else if (sname && strcmp(sname, ".comment") == 0) {
			err = read_comment(&f, &s, out);
		} else if (sname && strcmp(sname, ".go.buildinfo") == 0) {
			err = read_go_buildinfo(&f, &s, out);
		}
	}
	if (err < 0)
		ccgov_elf_info_free(out);
	return err;
}

static void module_free(ccgov_go_module *m)
{
	free(m->folder);
	free(m->path);
	free(m->version);
	free(m->sum);
}

void ccgov_elf_info_free(ccgov_elf_info *info)
{
	for (size_t i = 0; i < info->nneeded; i++)
		free(info->needed[i]);
	free(info->needed);
	for (size_t i = 0; i < info->ncomments; i++)
		free(info->comments[i]);
	free(info->comments);
	free(info->interp);
	free(info->runpath);
	free(info->rpath);
	free(info->go_version);
	module_free(&info->go_main);
	for (size_t i = 0; i < info->ngo_deps; i++)
		module_free(&info->go_deps[i]);
	free(info->go_deps);
	memset(info, 0, sizeof(*info));
}
