/* The fuzz input as a tar stream (a ccgov_tar_source), read in short pieces to exercise refilling. */
#ifndef FUZZ_MEMORY_SOURCE_H
#define FUZZ_MEMORY_SOURCE_H

#include <stdint.h>
#include <string.h>

typedef struct {
	const uint8_t *data;
	size_t len, at;
} memory;

static inline long from_memory(void *ctx, void *buf, size_t len)
{
	memory *m = ctx;

	if (len > m->len - m->at)
		len = m->len - m->at;
	if (len > 7 && (m->at & 1))
		len = 7;
	memcpy(buf, m->data + m->at, len);
	m->at += len;
	return (long)len;
}

#endif
