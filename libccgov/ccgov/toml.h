/*
 * TOML 1.0 in, as a cJSON tree: tables are objects, arrays (and arrays of
 * tables) are arrays, strings, integers, floats and booleans are what they
 * are. Cargo.lock and poetry.lock are TOML; reading them into the same
 * tree as JSON lock files keeps every cataloger on one data model.
 *
 * Strict like the JSON parser: duplicate keys, a table defined twice,
 * invalid UTF-8, control characters in strings and trailing garbage are
 * errors. Date and time values are not needed by any lock file and are
 * refused with their own message. Numbers follow the rule of
 * ccgov/json.h: integers exact within 64 bits (TOML 1.0 asks for an error
 * beyond), floats as doubles that are neither infinite nor a lost non-zero.
 */
#ifndef CCGOV_TOML_H
#define CCGOV_TOML_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Nesting deeper than this is refused: header parts, dotted-key parts, arrays and inline tables counted together. */
#define CCGOV_TOML_MAX_DEPTH 128

/*
 * Parses len bytes of text. name is what error messages call the input,
 * with the line and column of the problem: "Cargo.lock:12:9: duplicate key".
 */
int ccgov_toml_parse(cJSON **out, const char *text, size_t len, const char *name);

#endif
