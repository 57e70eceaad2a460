/*
 * What the JSON and TOML targets check of an accepted tree: the RFC 8785
 * writer refuses only a number it cannot keep, and what it writes reads
 * back as the same values, every integer to the digit.
 */
#ifndef CCGOV_FUZZ_VALUES_KEPT_H
#define CCGOV_FUZZ_VALUES_KEPT_H

#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Numbers: the same double, and an integer kept as text keeps its text. */
static int same_number(const cJSON *a, const cJSON *b)
{
	int64_t x, y;

	if (a->valuedouble != b->valuedouble)
		return 0;
	if (!a->valuestring)
		return 1;
	return ccgov_json_int64(&x, a, INT64_MIN, INT64_MAX, "a") == 0 &&
	       ccgov_json_int64(&y, b, INT64_MIN, INT64_MAX, "b") == 0 && x == y && b->valuestring &&
	       strcmp(a->valuestring, b->valuestring) == 0;
}

static int same_values(const cJSON *a, const cJSON *b)
{
	const cJSON *c, *d;

	if ((a->type & 0xff) != (b->type & 0xff))
		return 0;
	if (cJSON_IsNumber(a))
		return same_number(a, b);
	if (cJSON_IsString(a))
		return strcmp(a->valuestring, b->valuestring) == 0;
	if (cJSON_IsArray(a)) {
		for (c = a->child, d = b->child; c && d; c = c->next, d = d->next)
			if (!same_values(c, d))
				return 0;
		return !c && !d;
	}
	if (cJSON_IsObject(a)) {
		if (cJSON_GetArraySize(a) != cJSON_GetArraySize(b))
			return 0;
		for (c = a->child; c; c = c->next)
			if (!(d = cJSON_GetObjectItemCaseSensitive(b, c->string)) || !same_values(c, d))
				return 0;
	}
	return 1;
}

/*
 * Writes the accepted tree v canonically into out: 1 when written, 0 when
 * a number was refused, which is the only refusal allowed. What is
 * written must read back as the same values.
 */
static int check_values_kept(const cJSON *v, ccgov_buffer *out)
{
	cJSON *again = NULL;

	if (ccgov_json_write(out, v, CCGOV_JSON_CANONICAL) < 0) {
		if (!strstr(ccgov_error_last()->message, "RFC 8785 form"))
			abort();
		return 0;
	}
	if (ccgov_json_parse(&again, out->data, out->len, "canonical") < 0 || !same_values(v, again))
		abort();
	cJSON_Delete(again);
	return 1;
}

#endif
