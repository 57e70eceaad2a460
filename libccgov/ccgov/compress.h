/*
 * Layer compression that uses every core and still gives the same bytes
 * on any machine: the stream is cut into fixed-size chunks, each chunk is
 * compressed on its own into a complete gzip member or zstd frame, and the
 * results are written in order. Concatenated members and frames are valid
 * gzip and zstd streams (RFC 1952 section 2.2; zstd format section 2), so
 * any reader accepts them, and the output does not depend on the number of
 * threads because no chunk depends on another.
 */
#ifndef CCGOV_COMPRESS_H
#define CCGOV_COMPRESS_H

#include <stddef.h>

typedef enum {
	CCGOV_COMPRESS_GZIP,
	CCGOV_COMPRESS_ZSTD,
	CCGOV_COMPRESS_NONE
} ccgov_compression;

/* The pinned settings: they change the bytes, so they are recorded in provenance. */
typedef struct {
	ccgov_compression algorithm;
	const char *name;           /* "gzip", "zstd", "none" */
	const char *implementation; /* "libdeflate 1.14", "libzstd 1.5.4", "" */
	int level;
	size_t chunk_size;
} ccgov_compression_settings;

int ccgov_compression_parse(ccgov_compression *out, const char *name);
void ccgov_compression_settings_get(ccgov_compression_settings *out, ccgov_compression algorithm);

/* Receives compressed bytes in stream order. A negative return stops the stream. */
typedef int (*ccgov_sink_fn)(void *ctx, const void *data, size_t len);

typedef struct ccgov_compressor ccgov_compressor;

/* threads == 0: one worker per online CPU. */
int ccgov_compressor_new(ccgov_compressor **out, ccgov_compression algorithm, int threads,
			 ccgov_sink_fn sink, void *sink_ctx);
int ccgov_compressor_write(ccgov_compressor *c, const void *data, size_t len);
/* Compresses what is left and hands every remaining byte to the sink. */
int ccgov_compressor_finish(ccgov_compressor *c);
/* Stops the workers; safe after an error or without finish. */
void ccgov_compressor_free(ccgov_compressor *c);

#endif
