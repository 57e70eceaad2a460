/* JSON: RFC 8785's own examples, and a parser strict enough for evidence. */
#include "unit.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static char *canonical(const char *text, size_t len)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	cJSON *v;

	if (ccgov_json_parse(&v, text, len, "input") < 0)
		return NULL;
	if (ccgov_json_write(&b, v, CCGOV_JSON_CANONICAL) < 0) {
		cJSON_Delete(v);
		ccgov_buffer_free(&b);
		return NULL;
	}
	cJSON_Delete(v);
	return ccgov_buffer_detach(&b, NULL);
}

/* testdata/jcs/NAME.in.json canonicalizes to exactly NAME.out.json. */
static void check_example(const char *name)
{
	char in_path[256], out_path[256], *in, *want, *got;
	size_t in_len, want_len;

	snprintf(in_path, sizeof(in_path), "testdata/jcs/%s.in.json", name);
	snprintf(out_path, sizeof(out_path), "testdata/jcs/%s.out.json", name);
	CHECK_OK(ccgov_file_read(&in, &in_len, in_path, 1 << 20));
	CHECK_OK(ccgov_file_read(&want, &want_len, out_path, 1 << 20));
	got = canonical(in, in_len);
	if (!got)
		unit_fail(__FILE__, __LINE__, "%s: %s", name, ccgov_error_last()->message);
	else if (strlen(got) != want_len || memcmp(got, want, want_len) != 0)
		unit_fail(__FILE__, __LINE__, "%s:\n#  got  %s\n#  want %s", name, got, want);
	free(in);
	free(want);
	free(got);
}

static void rfc8785_example(void)
{
	check_example("example");
}

static void rfc8785_sorting(void)
{
	check_example("sorting");
}

static void rfc8785_appendices(void)
{
	check_example("wireformat"); /* appendix C */
	check_example("subtypes");   /* appendix E */
}

/* Appendix B: IEEE 754 bit patterns and their required serialization. */
static void rfc8785_numbers(void)
{
	char *text, *line, *save = NULL;
	size_t len;
	int count = 0;

	CHECK_OK(ccgov_file_read(&text, &len, "testdata/jcs/numbers.txt", 1 << 20));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char want[64], got[32];
		uint64_t bits;
		double v;

		if (line[0] == '#' || !line[0])
			continue;
		if (sscanf(line, "%16" SCNx64 " %63s", &bits, want) != 2) {
			unit_fail(__FILE__, __LINE__, "bad line '%s'", line);
			break;
		}
		memcpy(&v, &bits, sizeof(v));
		count++;
		if (strcmp(want, "error") == 0) {
			if (ccgov_json_number(got, sizeof(got), v) != CCGOV_EINVALID)
				unit_fail(__FILE__, __LINE__, "%016" PRIx64 " should fail", bits);
			continue;
		}
		if (ccgov_json_number(got, sizeof(got), v) < 0 || strcmp(got, want) != 0) {
			unit_fail(__FILE__, __LINE__, "%016" PRIx64 ": got %s, want %s", bits, got, want);
			break;
		}
	}
	free(text);
	CHECK(count >= 20);
}

static void numbers_in_documents(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "[1.0]", "[1]" },           { "[-0.0]", "[0]" },
		{ "[1E2]", "[100]" },         { "[0.1]", "[0.1]" },
		{ "[1e21]", "[1e+21]" },      { "[1e-7]", "[1e-7]" },
		{ "[1.2345678901234567890e23]", "[1.2345678901234569e+23]" },
		{ "[0.000001]", "[0.000001]" },
		{ "[-0]", "[0]" },            { "[5e-324]", "[5e-324]" },
		{ "[0e-99999999999999999999]", "[0]" },
		{ "[9007199254740992,-9007199254740992]", "[9007199254740992,-9007199254740992]" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = canonical(cases[i].in, strlen(cases[i].in));

		CHECK(got != NULL);
		CHECK_STR(got, cases[i].out);
		free(got);
	}
}

static void strict_parser_refuses(void)
{
	static const struct { const char *in, *problem; } cases[] = {
		{ "{\"a\":1,\"a\":2}", "input:1:1: duplicate key \"a\"" },
		{ "{\"x\":{\"b\":1,\"c\":2,\"b\":3}}", "input:1:6: duplicate key \"b\"" },
		{ "[1,]", "input:1:4: unexpected character" },
		{ "[01]", "leading zero" },
		{ "[1.]", "invalid number" },
		{ "[.5]", "unexpected character" },
		{ "[+1]", "unexpected character" },
		{ "[-]", "invalid number" },
		{ "[1E400]", "input:1:2: number 1E400 is too large for a 64-bit float" },
		{ "[1e99999999999999999999]", "input:1:2: number 1e99999999999999999999 is too large" },
		{ "{\"t\":1e-400}", "input:1:6: t: number 1e-400 is too small for a 64-bit float: it would read as 0" },
		{ "[-1e-400]", "input:1:2: number -1e-400 is too small for a 64-bit float: it would read as 0" },
		{ "[1e-99999999999999999999]", "number 1e-99999999999999999999 is too small" },
		{ "[2.4703282292062327e-324]", "is too small" }, /* just below half of 5e-324 */
		{ "{\"t\":9223372036854775808}", "input:1:6: t: integer 9223372036854775808 does not fit in 64 bits" },
		{ "{\"a\":{\"b\":[1,-9223372036854775809]}}", "input:1:14: b: integer -9223372036854775809 does not fit" },
		{ "[123456789012345678901234]", "integer 123456789012345678901234 does not fit in 64 bits" },
		{ "[NaN]", "input:1:2: unexpected character" },
		{ "\"\\ud800\"", "lone high surrogate" },
		{ "\"\\udc00\"", "lone low surrogate" },
		{ "\"\\u0000\"", "\\u0000" },
		{ "\"a\tb\"", "control character" },
		{ "\"\xff\"", "invalid UTF-8" },
		{ "\"\xc0\xaf\"", "invalid UTF-8" },        /* overlong '/' */
		{ "\"\xed\xa0\x80\"", "invalid UTF-8" },    /* surrogate as UTF-8 */
		{ "{} {}", "unexpected data after" },
		{ "\xef\xbb\xbf{}", "byte order mark" },
		{ "", "unexpected end of input" },
		{ "[1,\n 2,\n x]", "input:3:2: unexpected character" },
		{ "{\"a\" 1}", "expected ':'" },
		{ "[\"abc", "unterminated string" },
		{ "\"\\x\"", "unknown escape" },
		{ "[true false]", "expected ',' or ']'" },
		{ "{\"a\":1", "unterminated object" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *v = NULL;
		int err = ccgov_json_parse(&v, cases[i].in, strlen(cases[i].in), "input");

		if (err != CCGOV_EINVALID || v || !strstr(ccgov_error_last()->message, cases[i].problem)) {
			unit_fail(__FILE__, __LINE__, "'%s': got %d '%s', want '%s'", cases[i].in,
				  err, ccgov_error_last() ? ccgov_error_last()->message : "",
				  cases[i].problem);
			cJSON_Delete(v);
			return;
		}
	}
}

/* Parses text, which must be accepted, and returns its canonical form or the writer's message. */
static char *written(const char *text)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	cJSON *v = NULL;

	if (ccgov_json_parse(&v, text, strlen(text), "input") < 0)
		return strdup(ccgov_error_last()->message);
	if (ccgov_json_write(&b, v, CCGOV_JSON_CANONICAL) < 0) {
		b.len = 0;
		ccgov_buffer_puts(&b, ccgov_error_last()->message);
	}
	cJSON_Delete(v);
	return ccgov_buffer_detach(&b, NULL);
}

/*
 * RFC 8785 would write 2^63-1 as 9223372036854776000: refused, never
 * rounded. Written: what reads back as the same number.
 */
static void writer_refuses_what_would_read_back_otherwise(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "[9007199254740992]", "[9007199254740992]" },
		{ "[9007199254740994,1000000000000000000]", "[9007199254740994,1000000000000000000]" },
		{ "[1e21,-1e300]", "[1e+21,-1e+300]" },
		{ "[9007199254740993.0]", "[9007199254740992]" }, /* a double, as RFC 8785 reads it */
		{ "{\"n\":9007199254740993}",
		  "n: integer 9007199254740993 has no exact RFC 8785 form: it would be written 9007199254740992" },
		{ "[9223372036854775807]",
		  "integer 9223372036854775807 has no exact RFC 8785 form: it would be written 9223372036854776000" },
		{ "[-9223372036854775808]", "integer -9223372036854775808 has no exact RFC 8785 form" },
		{ "[1152921504606846976]", /* 2^60, exactly a double, but written by its shortest digits */
		  "integer 1152921504606846976 has no exact RFC 8785 form: it would be written 1152921504606847000" },
		{ "[-9007199254740993]", "integer -9007199254740993 has no exact RFC 8785 form" },
		{ "{\"d\":1e20}",
		  "d: number 100000000000000000000 has an RFC 8785 form that reads as an integer beyond 64 bits" },
		{ "[-9.3e18]", "number -9300000000000000000 has an RFC 8785 form that reads as an integer beyond 64 bits" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = written(cases[i].in);
		int ok = got && strncmp(got, cases[i].out, strlen(cases[i].out)) == 0;

		if (!ok)
			unit_fail(__FILE__, __LINE__, "'%s': got '%s', want '%s'", cases[i].in, got ? got : "", cases[i].out);
		free(got);
		if (!ok)
			return;
	}
}

/* A hostile token is named, cut short, and never copied without bound. */
static void long_number_tokens(void)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	cJSON *v = NULL;

	ccgov_buffer_putc(&b, '[');
	for (int i = 0; i < 1000; i++)
		ccgov_buffer_putc(&b, (char)('1' + i % 9));
	ccgov_buffer_putc(&b, ']');
	CHECK_ERR(ccgov_json_parse(&v, b.data, b.len, "long"), CCGOV_EINVALID,
		  "long:1:2: integer 1234567891234567891234567891234567891234... does not fit in 64 bits");
	b.len = 0;
	ccgov_buffer_puts(&b, "[1.");
	for (int i = 0; i < 600; i++)
		ccgov_buffer_putc(&b, '0');
	ccgov_buffer_putc(&b, ']');
	CHECK_ERR(ccgov_json_parse(&v, b.data, b.len, "long"), CCGOV_EINVALID,
		  "long:1:2: number 1.00000000000000000000000000000000000000... is too long (more than 511 characters)");
	ccgov_buffer_free(&b);
}

static int64_t read_int64(const char *text, int64_t min, int64_t max, int *err)
{
	cJSON *v = NULL;
	int64_t n = 0;

	*err = ccgov_json_parse(&v, text, strlen(text), "input");
	if (*err == 0)
		*err = ccgov_json_int64(&n, cJSON_GetObjectItemCaseSensitive(v, "k"), min, max, "in.json");
	cJSON_Delete(v);
	return n;
}

/* Every digit of an integer survives to the caller, through one accessor. */
static void integers_are_read_exactly(void)
{
	static const struct { const char *in; int64_t want; } exact[] = {
		{ "{\"k\":9007199254740993}", 9007199254740993LL },
		{ "{\"k\":9223372036854775807}", INT64_MAX },
		{ "{\"k\":-9223372036854775808}", INT64_MIN },
		{ "{\"k\":-0}", 0 },
		{ "{\"k\":1.0}", 1 },
		{ "{\"k\":1e2}", 100 },
		{ "{\"k\":-9.007199254740992e15}", -9007199254740992LL },
	};
	static const struct { const char *in, *message; } refused[] = {
		{ "{\"k\":1.5}", "in.json: k: expected an integer, not 1.5" },
		{ "{\"k\":9.007199254740994e15}", "not 9007199254740994" }, /* a double, beyond 2^53 */
		{ "{\"k\":1e300}", "not 1e+300" },
		{ "{\"k\":\"7\"}", "in.json: k: expected an integer, not a string" },
		{ "{\"k\":[7]}", "not an array" },
		{ "{\"j\":7}", "in.json: expected an integer, not nothing" },
	};
	int err;

	for (size_t i = 0; i < sizeof(exact) / sizeof(exact[0]); i++) {
		int64_t got = read_int64(exact[i].in, INT64_MIN, INT64_MAX, &err);

		if (err < 0 || got != exact[i].want) {
			unit_fail(__FILE__, __LINE__, "'%s': got %" PRId64 " (%d), want %" PRId64, exact[i].in, got, err,
				  exact[i].want);
			return;
		}
	}
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		CHECK_ERR((read_int64(refused[i].in, INT64_MIN, INT64_MAX, &err), err), CCGOV_EINVALID, refused[i].message);
	CHECK_ERR((read_int64("{\"k\":86401}", 1, 86400, &err), err), CCGOV_EINVALID,
		  "in.json: k: expected an integer from 1 to 86400, not 86401");
	CHECK_ERR((read_int64("{\"k\":-1}", 0, INT64_MAX, &err), err), CCGOV_EINVALID,
		  "in.json: k: expected an integer from 0 to 9223372036854775807, not -1");
}

/* Numbers made by code, or changed by cJSON after parsing, are read by their double. */
static void integers_made_or_changed_by_code(void)
{
	cJSON *v = NULL;
	int64_t n = 0;

	v = cJSON_CreateNumber(4096);
	CHECK_OK(ccgov_json_int64(&n, v, 0, INT64_MAX, "code"));
	CHECK(n == 4096);
	cJSON_Delete(v);
	CHECK_OK(ccgov_json_parse(&v, "9223372036854775807", 19, "input"));
	cJSON_SetNumberValue(v, 12);
	CHECK_OK(ccgov_json_int64(&n, v, 0, INT64_MAX, "code"));
	CHECK(n == 12);
	cJSON_Delete(v);
	v = ccgov_json_create_int64(INT64_MIN);
	CHECK(v != NULL);
	CHECK_OK(ccgov_json_int64(&n, v, INT64_MIN, 0, "code"));
	CHECK(n == INT64_MIN);
	cJSON_Delete(v);
}

static void nesting_is_bounded(void)
{
	char deep[2 * 300 + 1];
	cJSON *v = NULL;

	memset(deep, '[', 300);
	memset(deep + 300, ']', 300);
	deep[600] = '\0';
	CHECK_ERR(ccgov_json_parse(&v, deep, 600, "deep.json"), CCGOV_EINVALID,
		  "deep.json:1:257: nesting deeper than 256 levels");
	CHECK(v == NULL);
	/* 256 levels are fine. */
	CHECK_OK(ccgov_json_parse(&v, deep + 44, 512, "ok.json"));
	cJSON_Delete(v);
}

static void many_keys_detect_duplicates_fast(void)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	cJSON *v = NULL;

	ccgov_buffer_putc(&b, '{');
	for (int i = 0; i < 100000; i++)
		ccgov_buffer_printf(&b, "\"k%d\":%d,", i, i);
	ccgov_buffer_puts(&b, "\"k77777\":0}");
	CHECK_ERR(ccgov_json_parse(&v, b.data, b.len, "big"), CCGOV_EINVALID,
		  "duplicate key \"k77777\"");
	ccgov_buffer_free(&b);
}

static void escapes_and_unicode_round_trip(void)
{
	const char *in = "{\"s\":\"\\u00e9\\ud83d\\ude00\\/\\u001f\\u007f\\u2028\"}";
	char *got = canonical(in, strlen(in));

	CHECK(got != NULL);
	CHECK_STR(got, "{\"s\":\"\xc3\xa9\xf0\x9f\x98\x80/\\u001f\x7f\xe2\x80\xa8\"}");
	free(got);
}

/* U+FB33 sorts after U+1F600 in UTF-16 (0xD83D < 0xFB33), unlike by code point. */
static void keys_sort_by_utf16_units(void)
{
	const char *in = "{\"\xef\xac\xb3\":1,\"\xf0\x9f\x98\x80\":2,\"b\":3,\"a\":4,\"ab\":5}";
	char *got = canonical(in, strlen(in));

	CHECK(got != NULL);
	CHECK_STR(got, "{\"a\":4,\"ab\":5,\"b\":3,\"\xf0\x9f\x98\x80\":2,\"\xef\xac\xb3\":1}");
	free(got);
}

static void writer_refuses_what_has_no_canonical_form(void)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "x", NAN);
	CHECK_ERR(ccgov_json_write(&b, o, CCGOV_JSON_CANONICAL), CCGOV_EINVALID, "NaN");
	cJSON_Delete(o);
	o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "k", 1);
	cJSON_AddNumberToObject(o, "k", 2);
	CHECK_ERR(ccgov_json_write(&b, o, CCGOV_JSON_CANONICAL), CCGOV_EINVALID,
		  "duplicate JSON key \"k\"");
	cJSON_Delete(o);
	o = cJSON_CreateString("\xff");
	CHECK_ERR(ccgov_json_write(&b, o, CCGOV_JSON_CANONICAL), CCGOV_EINVALID, "not valid UTF-8");
	cJSON_Delete(o);
	ccgov_buffer_free(&b);
}

static void pretty_output_is_sorted_and_indented(void)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	cJSON *v;

	CHECK_OK(ccgov_json_parse(&v, "{\"b\":[1,{}],\"a\":\"x\",\"c\":[]}", 27, "in"));
	CHECK_OK(ccgov_json_write(&b, v, CCGOV_JSON_PRETTY));
	CHECK_STR(b.data, "{\n  \"a\": \"x\",\n  \"b\": [\n    1,\n    {}\n  ],\n  \"c\": []\n}\n");
	cJSON_Delete(v);
	ccgov_buffer_free(&b);
}

const struct unit_test json_tests[] = {
	{ "RFC 8785 section 3.2.2 example", rfc8785_example },
	{ "RFC 8785 section 3.2.3 sorting example", rfc8785_sorting },
	{ "RFC 8785 appendix B numbers", rfc8785_numbers },
	{ "RFC 8785 appendices C and E", rfc8785_appendices },
	{ "numbers inside documents", numbers_in_documents },
	{ "strict parser refuses ambiguous input, with line and column", strict_parser_refuses },
	{ "writer refuses numbers that would read back otherwise", writer_refuses_what_would_read_back_otherwise },
	{ "long number tokens are named, cut short", long_number_tokens },
	{ "integers are read exactly, through ccgov_json_int64", integers_are_read_exactly },
	{ "integers made or changed by code are read by their double", integers_made_or_changed_by_code },
	{ "nesting is bounded at 256 levels", nesting_is_bounded },
	{ "duplicate keys among 100000", many_keys_detect_duplicates_fast },
	{ "escapes and non-ASCII round-trip", escapes_and_unicode_round_trip },
	{ "keys sort by UTF-16 code units", keys_sort_by_utf16_units },
	{ "writer refuses NaN, duplicate keys, bad UTF-8", writer_refuses_what_has_no_canonical_form },
	{ "pretty output is sorted and indented", pretty_output_is_sorted_and_indented },
	{ NULL, NULL }
};
