/*
 * JSON in and out, over cJSON trees.
 *
 * In: a strict RFC 8259 / I-JSON (RFC 7493) parser. Evidence and
 * configuration are read by auditors' tools too, and two parsers must never
 * disagree about what a document says, so anything another parser could
 * read differently is an error: duplicate keys, invalid UTF-8, lone
 * surrogates, numbers outside IEEE double range, trailing data.
 *
 * Out: RFC 8785 (JCS) canonical form, the bytes that are hashed and
 * signed, or the same sorted content indented for people.
 */
#ifndef CCGOV_JSON_H
#define CCGOV_JSON_H

#include <ccgov/buffer.h>
#include <cjson/cJSON.h>
#include <stddef.h>

/* Deeper nesting than this is refused rather than risking the stack. */
#define CCGOV_JSON_MAX_DEPTH 256

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

/* Appends the serialization of value to out. */
int ccgov_json_write(ccgov_buffer *out, const cJSON *value, int style);

/*
 * ECMAScript Number.prototype.toString form of v, as RFC 8785 requires,
 * into out (at least 32 bytes). CCGOV_EINVALID for NaN and infinities.
 */
int ccgov_json_number(char *out, size_t size, double v);

#endif
