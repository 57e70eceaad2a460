/* Number tokens of the JSON and TOML parsers: see number.h. */
#include "bytes.h"
#include "number.h"

#include <ccgov/error.h>
#include <ccgov/json.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Names the token, cut short: a hostile one may be megabytes long. */
static int refuse(number_token *t, const char *what, const char *why)
{
	int shown = t->len > 40 ? 40 : (int)t->len;

	snprintf(t->problem, sizeof(t->problem), "%.100s%s%s %.*s%s %s", t->key ? t->key : "",
		 t->key ? ": " : "", what, shown, t->text, t->len > 40 ? "..." : "", why);
	return CCGOV_EINVALID;
}

static int made(cJSON **out, cJSON *node)
{
	if (!(*out = node))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

int number_integer(cJSON **out, number_token *t, const char *digits, size_t n, int base, int negative)
{
	/* The magnitude may reach 2^63 only for a negative number: INT64_MIN. */
	uint64_t limit = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, v = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++) {
		uint64_t d;

		if (digits[i] == '_')
			continue;
		d = (uint64_t)hex_digit(digits[i]);
		if (v > (limit - d) / (uint64_t)base)
			return refuse(t, "integer", "does not fit in 64 bits");
		v = v * (uint64_t)base + d;
	}
	if (!negative)
		return made(out, ccgov_json_create_int64((int64_t)v));
	return made(out, ccgov_json_create_int64(v > (uint64_t)INT64_MAX ? INT64_MIN : -(int64_t)v));
}

/* Whether the digits before the exponent are all zeros: 0.0e5 is zero, 1e-400 is not. */
static int written_as_zero(const char *s)
{
	for (; *s && *s != 'e' && *s != 'E'; s++)
		if (*s >= '1' && *s <= '9')
			return 0;
	return 1;
}

int number_float(cJSON **out, number_token *t)
{
	char text[NUMBER_TEXT_MAX];
	size_t k = 0;
	double v;

	*out = NULL;
	for (size_t i = 0; i < t->len; i++) {
		if (t->text[i] == '_')
			continue;
		if (k == sizeof(text) - 1)
			return refuse(t, "number", "is too long (more than 511 characters)");
		text[k++] = t->text[i];
	}
	text[k] = '\0';
	v = strtod(text, NULL);
	if (isinf(v))
		return refuse(t, "number", "is too large for a 64-bit float");
	if (v == 0 && !written_as_zero(text))
		return refuse(t, "number", "is too small for a 64-bit float: it would read as 0");
	return made(out, cJSON_CreateNumber(v));
}
