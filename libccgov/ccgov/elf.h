/*
 * What an SBOM needs from an ELF file: its GNU build-id, the libraries it
 * needs (DT_NEEDED) and where it looks for them (PT_INTERP, DT_RUNPATH,
 * DT_RPATH), the compilers that built it (.comment), and for Go
 * programs the toolchain and modules recorded in .go.buildinfo. Every
 * offset and size is checked against the file: a file that lies about its
 * sections is an error naming what lies, never a read out of bounds.
 */
#ifndef CCGOV_ELF_H
#define CCGOV_ELF_H

#include <stddef.h>

typedef struct {
	char *path, *version, *sum; /* sum: go.sum's h1: value, or NULL */
	char *folder;               /* replaced by this local folder ("=> ./dep"), or NULL */
} ccgov_go_module;

typedef struct {
	char build_id[129];     /* lower-case hex, "" when there is none */
	char **needed;          /* DT_NEEDED names, in file order */
	size_t nneeded;
	char **comments;        /* .comment strings ("GCC: (Debian 12.2.0-14) 12.2.0"), distinct */
	size_t ncomments;
	char *interp;           /* PT_INTERP, the dynamic loader ("/lib64/ld-linux-x86-64.so.2"), or NULL */
	char *runpath;          /* DT_RUNPATH, or NULL */
	char *rpath;            /* DT_RPATH (searched before LD_LIBRARY_PATH when there is no DT_RUNPATH), or NULL */
	int is64;               /* ELFCLASS64 */
	unsigned machine;       /* e_machine: 62 x86-64, 183 AArch64, ... */
	char *go_version;       /* "go1.22.5", or NULL when not a Go program */
	ccgov_go_module go_main; /* the main module (path NULL when unknown) */
	ccgov_go_module *go_deps;
	size_t ngo_deps;
} ccgov_elf_info;

/* 1 when data starts like an ELF file. */
int ccgov_elf_is_elf(const unsigned char *data, size_t len);

/* Reads len bytes of an ELF file; name is what messages call it. */
int ccgov_elf_read(ccgov_elf_info *out, const unsigned char *data, size_t len, const char *name);
void ccgov_elf_info_free(ccgov_elf_info *info);

#endif
