/*
 * An image layer: the files a build produced, packed as a tar stream whose
 * bytes depend only on their names, contents, modes and link targets.
 *
 * Entries are sorted by name; every parent folder is present; mtimes are
 * clamped to SOURCE_DATE_EPOCH; owners are uid/gid 0 with no names; modes
 * are 0755 or 0644 (0755 for folders and executables); symbolic links and
 * hard links stay links and are never followed; no atime or ctime is kept.
 * Names and link targets are UTF-8, kept byte for byte (no normalization),
 * in pax records where ustar cannot hold them (see tar.h).
 */
#ifndef CCGOV_LAYER_H
#define CCGOV_LAYER_H

#include <ccgov/compress.h>
#include <ccgov/digest.h>

#include <stdint.h>

/* Files larger than this are refused: no build output for a TEE image is that big. */
#define CCGOV_LAYER_MAX_FILE (8ULL << 30)

typedef struct ccgov_fileset ccgov_fileset;

int ccgov_fileset_new(ccgov_fileset **out);
void ccgov_fileset_free(ccgov_fileset *fs);

/*
 * Adds source (a file, link or folder on disk, walked without following
 * links) at dest, a relative path inside the image. shown_as names source
 * in messages. Refuses, naming the path: device files, sockets, FIFOs,
 * names or link targets that are not UTF-8, names with control
 * characters, files over CCGOV_LAYER_MAX_FILE.
 */
int ccgov_fileset_add(ccgov_fileset *fs, const char *source, const char *dest,
		      const char *shown_as);

/* Number of entries added (parent folders not counted). */
size_t ccgov_fileset_count(const ccgov_fileset *fs);

typedef struct {
	ccgov_digest blob;    /* of the bytes written: the layer's descriptor digest */
	ccgov_digest diff_id; /* of the uncompressed tar */
	uint64_t blob_size;
	uint64_t tar_size;
	const char *media_type;
} ccgov_layer;

/*
 * Writes the layer to fd (an atomic file's descriptor), hashing the tar
 * and the compressed bytes as they stream, in one pass.
 */
int ccgov_layer_write(ccgov_layer *out, ccgov_fileset *fs, int fd,
		      ccgov_compression compression, int threads, int64_t source_date_epoch);

/* The OCI media type for a layer compressed with compression. */
const char *ccgov_layer_media_type(ccgov_compression compression);

#endif
