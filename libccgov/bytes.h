/*
 * Little- and big-endian integers read from untrusted bytes, one byte at a
 * time (no alignment or host byte order assumed), and hex digits.
 * Internal to libccgov.
 */
#ifndef CCGOV_BYTES_H
#define CCGOV_BYTES_H

#include <stdint.h>

static inline uint64_t bytes_le(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static inline uint64_t bytes_be(const unsigned char *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The value of a hex digit, either case, or -1. */
static inline int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

#endif
