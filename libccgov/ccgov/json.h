/*
 * JSON in and out, over cJSON trees.
 *
 * In: a strict RFC 8259 / I-JSON (RFC 7493) parser. Evidence and
 * configuration are read by auditors' tools too, and two parsers must never
 * disagree about what a document says, so anything another parser could
 * read differently is an error: duplicate keys, invalid UTF-8, lone
 * surrogates, trailing data, and numbers it cannot keep (below).
 *
 * Out: RFC 8785 (JCS) canonical form, the bytes that are hashed and
 * signed, or the same sorted content indented for people.
 *
 * Numbers, one rule for JSON and TOML (ccgov/toml.h), as ccgov(1) states it:
 *
 *  - An integer (written without a fraction or an exponent; in TOML also
 *    0x, 0o, 0b) is kept exactly, every digit, from -2^63 to 2^63-1, and
 *    refused beyond: "FILE:LINE:COL: KEY: integer 9223372036854775808
 *    does not fit in 64 bits". cJSON holds numbers as doubles, so the
 *    parsers keep the integer's decimal text in the node's valuestring.
 *  - Any other number is the nearest IEEE 754 double, as for RFC 8785 and
 *    every JavaScript reader; it is refused when that double is an
 *    infinity (1E400) or is zero for a number that is not (-1e-400),
 *    since either way the value would be lost.
 *  - Callers read an integer only through ccgov_json_int64, never
 *    valuedouble or valueint, which cannot hold every int64.
 *  - RFC 8785 writes a number as the shortest form of its double. The
 *    writer refuses a number whose form would not read back, by this rule,
 *    as the same number, rather than change it: an integer beyond 2^53
 *    whose double is not exactly it (2^63-1 would be 9223372036854776000),
 *    and a whole double from 2^63 to 10^21, whose form is an integer
 *    beyond 64 bits. Integers within 2^53 and all other doubles are kept.
 */
#ifndef CCGOV_JSON_H
#define CCGOV_JSON_H

#include <ccgov/buffer.h>
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

/* Deeper nesting than this is refused rather than risking the stack. */
#define CCGOV_JSON_MAX_DEPTH 256

/* 2^53: every integer up to this magnitude is exactly a double. */
#define CCGOV_JSON_EXACT_LIMIT 9007199254740992LL

/*
 * Parses len bytes of text. name is what error messages call the input,
 * with the line and column of the problem: "ccgov.json:3:14: duplicate key".
 */
int ccgov_json_parse(cJSON **out, const char *text, size_t len, const char *name);

/* Reads and parses a file of at most max_size bytes. */
int ccgov_json_parse_file(cJSON **out, const char *path, size_t max_size);

enum {
	CCGOV_JSON_CANONICAL = 0, /* RFC 8785: no whitespace */
	CCGOV_JSON_PRETTY = 1     /* sorted, two-space indent, final newline */
};

/* The string value of object[key], or NULL when it is missing or not a string. */
const char *ccgov_json_string(const cJSON *object, const char *key);

/*
 * The integer item holds, exactly, if it is from min to max: an integer as
 * the parsers keep it, or a number whose double is a whole number within
 * 2^53 (1.0, 1e2). Otherwise CCGOV_EINVALID and the message
 * "WHERE: KEY: expected an integer from MIN to MAX, not VALUE", where KEY
 * is item's key (none for an array element), VALUE its number or kind,
 * and the range is left out when it is all of int64.
 */
int ccgov_json_int64(int64_t *out, const cJSON *item, int64_t min, int64_t max, const char *where);

/* A number node that keeps n exactly (see above); NULL when out of memory. */
cJSON *ccgov_json_create_int64(int64_t n);

/* Appends the serialization of value to out. */
int ccgov_json_write(ccgov_buffer *out, const cJSON *value, int style);

/*
 * ECMAScript Number.prototype.toString form of v, as RFC 8785 requires,
 * into out (at least 32 bytes). CCGOV_EINVALID for NaN and infinities.
 */
int ccgov_json_number(char *out, size_t size, double v);

#endif
