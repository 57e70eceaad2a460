/*
 * Number tokens of the JSON and TOML parsers, read by one rule (stated in
 * ccgov/json.h and ccgov(1)) so that the two cannot drift apart:
 *
 *   an integer is kept exactly, from -2^63 to 2^63-1, and refused beyond;
 *   any other number is the nearest IEEE 754 double, and refused when
 *   that is an infinity, or zero for a number that is not zero.
 *
 * Each parser checks its own grammar first; these functions only decide
 * the value. Internal to libccgov.
 */
#ifndef CCGOV_NUMBER_H
#define CCGOV_NUMBER_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* Longer float tokens are refused rather than copied without bound. */
#define NUMBER_TEXT_MAX 512

typedef struct {
	const char *text; /* the number as written, for messages */
	size_t len;
	const char *key;  /* the key whose value it is, or NULL */
	char problem[200]; /* why it was refused: "KEY: integer ... does not fit in 64 bits" */
} number_token;

/*
 * An integer node from digits in base 2, 8, 10 or 16; underscores
 * between digits (TOML) are skipped. 0, CCGOV_ENOMEM with the message set,
 * or CCGOV_EINVALID with t->problem set, for the caller to give a place.
 */
int number_integer(cJSON **out, number_token *t, const char *digits, size_t n, int base, int negative);

/* A float node from t->text (sign, digits, '.', exponent, '_'); as above. */
int number_float(cJSON **out, number_token *t);

#endif
