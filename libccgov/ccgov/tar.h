/*
 * The tar format of image layers: POSIX ustar headers, with a pax extended
 * header only where ustar cannot say it (a name or link target that is
 * long or not ASCII, a file of 8 GiB, a time before 1970 or after 2038).
 * pax records hold names as UTF-8, which is all a layer may contain.
 *
 * The header bytes depend on the entry alone: no locale, no library
 * version. For every entry that libarchive 3.6's "restricted pax" writer
 * could write they are the bytes it wrote, so a layer built before keeps
 * its digest.
 */
#ifndef CCGOV_TAR_H
#define CCGOV_TAR_H

#include <ccgov/buffer.h>

#include <stddef.h>
#include <stdint.h>

#define CCGOV_TAR_BLOCK 512
/* The end of an archive: two blocks of zeros. */
#define CCGOV_TAR_TRAILER (2 * CCGOV_TAR_BLOCK)
/* Longer names or link targets are refused: no unpacker could create them. */
#define CCGOV_TAR_NAME_MAX 65535

typedef enum {
	CCGOV_TAR_FILE = '0',
	CCGOV_TAR_HARDLINK = '1',
	CCGOV_TAR_SYMLINK = '2',
	CCGOV_TAR_DIR = '5',
} ccgov_tar_type;

typedef struct {
	const char *path;    /* relative, UTF-8, no trailing '/' (a folder gets one) */
	const char *link;    /* a link's target (for a hard link, another entry's path); else NULL */
	ccgov_tar_type type;
	unsigned mode;       /* permission bits; only 0777 are kept */
	int64_t mtime;
	uint64_t size;       /* bytes of content: files only */
} ccgov_tar_entry;

/*
 * Appends the header of e to out: a pax extended header and its records
 * when needed, then the ustar block. The content (size bytes) and
 * ccgov_tar_padding(size) zeros come next. CCGOV_EINVALID, naming the
 * path, for a name or target that is empty, not UTF-8 or too long.
 */
int ccgov_tar_header(ccgov_buffer *out, const ccgov_tar_entry *e);

/* Zeros after size bytes of content, to the end of their last block. */
size_t ccgov_tar_padding(uint64_t size);

/*
 * Reading a layer, any tool's: ustar, pax (path, linkpath and size
 * records) and GNU long names, names kept byte for byte, as Go's
 * archive/tar (and so every container runtime) reads them.
 */
typedef struct ccgov_tar_reader ccgov_tar_reader;

/* Up to len bytes of the tar stream into buf: their count, 0 at its end, or a CCGOV_E* code (error set). */
typedef long (*ccgov_tar_source)(void *ctx, void *buf, size_t len);

typedef struct {
	const char *path;  /* as the archive names it; not checked */
	const char *link;  /* a link's target; NULL if none */
	char type;         /* the typeflag: CCGOV_TAR_* or another ('3' device, 'S' sparse, ...) */
	int sparse;        /* a GNU sparse file: the content read is its map and data, not the file */
	uint64_t size;     /* bytes of content to read */
} ccgov_tar_member;

int ccgov_tar_reader_new(ccgov_tar_reader **out, ccgov_tar_source source, void *ctx);
void ccgov_tar_reader_free(ccgov_tar_reader *r);

/*
 * The next member into *out (valid until the next call): 1, or 0 at the
 * end of the archive. What was not read of the previous member is
 * skipped. CCGOV_EINVALID for a damaged or truncated archive.
 */
int ccgov_tar_next(ccgov_tar_reader *r, const ccgov_tar_member **out);

/* Content of the current member: up to len bytes, 0 at its end, or a CCGOV_E* code. */
long ccgov_tar_read(ccgov_tar_reader *r, void *buf, size_t len);

#endif
