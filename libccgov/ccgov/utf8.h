/* UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, at most U+10FFFF. */
#ifndef CCGOV_UTF8_H
#define CCGOV_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes one code point from s (len > 0 bytes available) into *cp and
 * returns its length in bytes, or 0 if the bytes are not valid UTF-8.
 */
size_t ccgov_utf8_decode(uint32_t *cp, const unsigned char *s, size_t len);

/* 1 if all len bytes are valid UTF-8, else 0. */
int ccgov_utf8_valid(const char *s, size_t len);

/* Writes cp (a valid scalar value) as UTF-8 into out[4]; returns the length. */
size_t ccgov_utf8_encode(char out[4], uint32_t cp);

/*
 * A copy of len bytes in which every byte that is not part of valid UTF-8
 * becomes U+FFFD, so hostile text can still be shown and put in JSON.
 * NULL if out of memory.
 */
char *ccgov_utf8_sanitize(const char *s, size_t len);

/*
 * A copy of len bytes as one line of printable text that maps back to the
 * exact bytes: a backslash becomes \\, a line feed \n, a tab \t, a
 * carriage return \r, and every byte of a character that could break or
 * disguise a line (other C0 controls, DEL, C1 controls, U+2028 to U+202E,
 * U+2066 to U+2069) or that is not valid UTF-8 becomes \xNN (lowercase
 * hex). For file names in reports: a hostile name cannot forge a line.
 * NULL if out of memory.
 */
char *ccgov_utf8_escape(const char *s, size_t len);

/* 1 for the code points ccgov_utf8_escape writes as \xNN bytes (controls, separators, bidi). */
int ccgov_utf8_breaks_line(uint32_t cp);

#endif
