/*
 * ELF: checked against binutils' readelf (an independent reader) on the
 * unit-test binary itself, a hand-made Go build-info section, and files
 * that lie about their sections.
 */
#include "unit.h"

#include <ccgov/elf.h>

static void matches_readelf(void)
{
	char *self = realpath("/proc/self/exe", NULL), *data = NULL, *want_id, *want_needed, *want_comment;
	size_t len = 0;
	ccgov_elf_info info;
	ccgov_buffer got = CCGOV_BUFFER_INIT;

	CHECK(self != NULL);
	CHECK_OK(ccgov_file_read(&data, &len, self, 256u << 20));
	CHECK_OK(ccgov_elf_read(&info, (unsigned char *)data, len, "self"));
	want_id = unit_run("readelf -n %s | awk '/Build ID:/ { print $3 }'", self);
	want_needed = unit_run("readelf -d %s | sed -n 's/.*(NEEDED).*\\[\\(.*\\)\\]/\\1/p' | paste -sd ' '", self);
	want_comment = unit_run("readelf -p .comment %s | sed -n 's/^ *\\[ *[0-9a-f]*\\] *//p' | sort -u | head -1", self);
	CHECK(want_id && want_needed && want_comment);
	CHECK(strlen(want_id) >= 40);
	CHECK_STR(info.build_id, want_id);
	for (size_t i = 0; i < info.nneeded; i++)
		ccgov_buffer_printf(&got, "%s%s", i ? " " : "", info.needed[i]);
	ccgov_buffer_putc(&got, '\0');
	CHECK_STR(got.data, want_needed);
	CHECK(info.ncomments >= 1);
	{
		int found = 0;

		for (size_t i = 0; i < info.ncomments; i++)
			found |= strcmp(info.comments[i], want_comment) == 0;
		CHECK(found);
	}
	CHECK(info.go_version == NULL);
	ccgov_elf_info_free(&info);
	ccgov_buffer_free(&got);
	free(want_id);
	free(want_needed);
	free(want_comment);
	free(data);
	free(self);
}

static void put(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* An ELF64 with sections: null, .shstrtab, .go.buildinfo (content given). */
static size_t make_go_elf(unsigned char *buf, const unsigned char *info, size_t info_len)
{
	static const char names[] = "\0.shstrtab\0.go.buildinfo";
	size_t names_off = 64, info_off = 128, shoff = 512;

	memset(buf, 0, 1024);
	memcpy(buf, "\177ELF", 4);
	buf[4] = 2, buf[5] = 1, buf[6] = 1;
	put(buf + 40, shoff, 8);
	put(buf + 58, 64, 2);
	put(buf + 60, 3, 2);
	put(buf + 62, 1, 2);
	memcpy(buf + names_off, names, sizeof(names));
	memcpy(buf + info_off, info, info_len);
	/* section 1: .shstrtab */
	put(buf + shoff + 64 + 0, 1, 4);
	put(buf + shoff + 64 + 4, 3, 4);
	put(buf + shoff + 64 + 24, names_off, 8);
	put(buf + shoff + 64 + 32, sizeof(names), 8);
	/* section 2: .go.buildinfo */
	put(buf + shoff + 128 + 0, 11, 4);
	put(buf + shoff + 128 + 4, 1, 4);
	put(buf + shoff + 128 + 24, info_off, 8);
	put(buf + shoff + 128 + 32, info_len, 8);
	return shoff + 3 * 64;
}

static void go_build_info(void)
{
	static const char mod[] = "0123456789abcdef"
				  "path\texample.org/app\n"
				  "mod\texample.org/app\t(devel)\t\n"
				  "dep\tgolang.org/x/sys\tv0.25.0\th1:abc=\n"
				  "dep\tgithub.com/a/b\tv1.0.0\th1:old=\n"
				  "=>\tgithub.com/fork/b\tv1.0.1\th1:new=\n"
				  "dep\texample.org/local\tv0.1.0\n"
				  "=>\t./local\t(devel)\t\n"
				  "build\t-compiler=gc\n"
				  "\n0123456789abcdef";
	unsigned char section[400], elf[1024];
	size_t n = 0, len;
	ccgov_elf_info info;

	memset(section, 0, sizeof(section));
	memcpy(section, "\377 Go buildinf:", 14);
	section[14] = 8;
	section[15] = 2;
	n = 32;
	section[n++] = 8;
	memcpy(section + n, "go1.22.5", 8);
	n += 8;
	/* A two-byte unsigned varint, as Go writes lengths. */
	section[n++] = (unsigned char)(((sizeof(mod) - 1) & 0x7f) | 0x80);
	section[n++] = (unsigned char)((sizeof(mod) - 1) >> 7);
	memcpy(section + n, mod, sizeof(mod) - 1);
	n += sizeof(mod) - 1;
	len = make_go_elf(elf, section, n);
	CHECK_OK(ccgov_elf_read(&info, elf, len, "go"));
	CHECK_STR(info.go_version, "go1.22.5");
	CHECK_STR(info.go_main.path, "example.org/app");
	CHECK(info.ngo_deps == 3);
	/* A local folder replacing a dep leaves the dep's name and version. */
	CHECK_STR(info.go_deps[2].path, "example.org/local");
	CHECK_STR(info.go_deps[2].version, "v0.1.0");
	CHECK_STR(info.go_deps[2].folder, "./local");
	CHECK_STR(info.go_deps[0].path, "golang.org/x/sys");
	CHECK_STR(info.go_deps[0].sum, "h1:abc=");
	CHECK_STR(info.go_deps[1].path, "github.com/fork/b");
	CHECK_STR(info.go_deps[1].version, "v1.0.1");
	ccgov_elf_info_free(&info);
	/* The module list claims more bytes than the section has. */
	len = make_go_elf(elf, section, 60);
	CHECK_ERR(ccgov_elf_read(&info, elf, len, "go"), CCGOV_EINVALID, "go: .go.buildinfo: the module list runs past the section");
}

static void lies_are_errors(void)
{
	unsigned char elf[1024], section[64] = "\377 Go buildinf:";
	size_t len = make_go_elf(elf, section, 40);
	ccgov_elf_info info;

	CHECK_ERR(ccgov_elf_read(&info, elf, 30, "short"), CCGOV_EINVALID, "short: not an ELF file");
	put(elf + 40, 1000000, 8);
	CHECK_ERR(ccgov_elf_read(&info, elf, len, "far"), CCGOV_EINVALID, "far: section header table out of bounds");
	put(elf + 40, 512, 8);
	put(elf + 512 + 128 + 32, 1u << 30, 8); /* .go.buildinfo says it is 1 GiB */
	CHECK_ERR(ccgov_elf_read(&info, elf, len, "big"), CCGOV_EINVALID, "big: section 2 lies outside the file");
	put(elf + 512 + 128 + 32, 40, 8);
	put(elf + 60, 60000, 2);
	CHECK_ERR(ccgov_elf_read(&info, elf, len, "many"), CCGOV_EINVALID, "many: section header table out of bounds");
}

const struct unit_test elf_tests[] = {
	{ "ELF build-id, DT_NEEDED and .comment as readelf reads them", matches_readelf },
	{ "Go build info: toolchain, main module, dependencies and replacements", go_build_info },
	{ "ELF files that lie about their sections are errors naming the lie", lies_are_errors },
	{ NULL, NULL }
};
