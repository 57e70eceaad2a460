/*
 * Timestamps in evidence come from the source, not the clock, so that the
 * same commit gives the same bytes (reproducible-builds.org SOURCE_DATE_EPOCH).
 */
#ifndef CCGOV_TIMESTAMP_H
#define CCGOV_TIMESTAMP_H

#include <stdint.h>

#define CCGOV_TIMESTAMP_MAX 32

/* "2026-11-27T19:35:46Z" (RFC 3339, UTC, whole seconds). */
int ccgov_timestamp_format(char out[CCGOV_TIMESTAMP_MAX], int64_t seconds);

/*
 * Parses a SOURCE_DATE_EPOCH value: decimal digits only, no sign, no
 * spaces, at most year 9999. CCGOV_EINVALID with the value named otherwise.
 */
int ccgov_timestamp_parse_epoch(int64_t *out, const char *text);

#endif
