/*
 * A growable byte buffer, always NUL-terminated so that text can be used
 * as a C string. Allocation failure is sticky: later appends do nothing
 * and ccgov_buffer_check() reports it once, so writers need not test
 * every append.
 */
#ifndef CCGOV_BUFFER_H
#define CCGOV_BUFFER_H

#include <stddef.h>

typedef struct {
	char *data;
	size_t len;
	size_t cap;
	int failed;
} ccgov_buffer;

#define CCGOV_BUFFER_INIT { NULL, 0, 0, 0 }

void ccgov_buffer_append(ccgov_buffer *b, const void *data, size_t len);
void ccgov_buffer_puts(ccgov_buffer *b, const char *s);
void ccgov_buffer_putc(ccgov_buffer *b, char c);
void ccgov_buffer_printf(ccgov_buffer *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* CCGOV_ENOMEM (with the error set) if any append failed, else 0. */
int ccgov_buffer_check(const ccgov_buffer *b);
/* Hands the bytes to the caller (free() them) and empties the buffer. */
char *ccgov_buffer_detach(ccgov_buffer *b, size_t *len);
void ccgov_buffer_free(ccgov_buffer *b);

#endif
