/*
 * TOML: every file in testdata/toml/valid must read as Python's tomllib
 * (an independent parser) reads it; every file in testdata/toml/invalid
 * must be refused, as tomllib refuses it, with file, line and column.
 */
#include "unit.h"

#include <dirent.h>
#include <inttypes.h>
#include <stdint.h>

static int parse_file(cJSON **out, const char *path)
{
	char *text;
	size_t len;
	int err = ccgov_file_read(&text, &len, path, 1 << 20);

	if (err == 0)
		err = ccgov_toml_parse(out, text, len, path);
	free(text);
	return err;
}

static void valid_files_read_as_tomllib_reads_them(void)
{
	DIR *d = opendir("testdata/toml/valid");
	struct dirent *de;
	int seen = 0;

	CHECK(d != NULL);
	while ((de = readdir(d))) {
		char path[512], json_path[600], *same;
		ccgov_buffer b = CCGOV_BUFFER_INIT;
		cJSON *v = NULL;

		if (!strstr(de->d_name, ".toml"))
			continue;
		snprintf(path, sizeof(path), "testdata/toml/valid/%s", de->d_name);
		snprintf(json_path, sizeof(json_path), "%s/%s.json", unit_tmpdir(), de->d_name);
		if (parse_file(&v, path) < 0) {
			unit_fail(__FILE__, __LINE__, "%s", ccgov_error_last()->message);
			break;
		}
		ccgov_json_write(&b, v, CCGOV_JSON_CANONICAL);
		cJSON_Delete(v);
		unit_write(json_path, b.data);
		ccgov_buffer_free(&b);
		/* Python compares values: 1000 and 1000.0 are the same number. */
		same = unit_run("python3 -c 'import json, sys, tomllib; "
				"print(json.load(open(sys.argv[1])) == tomllib.load(open(sys.argv[2], \"rb\")))' %s %s",
				json_path, path);
		if (!same || strcmp(same, "True") != 0)
			unit_fail(__FILE__, __LINE__, "%s: differs from tomllib (%s)", path, same ? same : "no output");
		free(same);
		seen++;
	}
	closedir(d);
	CHECK(seen >= 6);
}

/*
 * Every file in testdata/toml/DIR is refused, with its file:line:col; the
 * number of files, or -1 after a failure. tomllib must say tomllib_says.
 */
static int refused_files(const char *dir, const char *tomllib_says)
{
	char folder[256];
	struct dirent *de;
	int seen = 0, bad = 0;
	DIR *d;

	snprintf(folder, sizeof(folder), "testdata/toml/%s", dir);
	if (!(d = opendir(folder)))
		return -1;
	while ((de = readdir(d))) {
		char path[512], *py;
		cJSON *v = NULL;

		if (!strstr(de->d_name, ".toml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", folder, de->d_name);
		if (parse_file(&v, path) == 0) {
			cJSON_Delete(v);
			unit_fail(__FILE__, __LINE__, "%s: accepted", path);
			bad = 1;
			continue;
		}
		if (strncmp(ccgov_error_last()->message, path, strlen(path)) != 0 ||
		    ccgov_error_last()->message[strlen(path)] != ':') {
			unit_fail(__FILE__, __LINE__, "%s: message does not name the place: %s", path,
				  ccgov_error_last()->message);
			bad = 1;
		}
		py = unit_run("python3 -c 'import sys, tomllib\ntry: tomllib.load(open(sys.argv[1], \"rb\")); print(\"accepted\")\n"
			      "except (tomllib.TOMLDecodeError, UnicodeDecodeError): print(\"refused\")' %s", path);
		if (!py || strcmp(py, tomllib_says) != 0) {
			unit_fail(__FILE__, __LINE__, "%s: tomllib says %s", path, py ? py : "nothing");
			bad = 1;
		}
		free(py);
		seen++;
	}
	closedir(d);
	return bad ? -1 : seen;
}

static void invalid_files_are_refused_with_a_place(void)
{
	CHECK(refused_files("invalid", "refused") >= 20);
}

/* What tomllib reads and ccgov refuses on purpose (see the folder's README). */
static void unsupported_files_are_refused_on_purpose(void)
{
	CHECK(refused_files("unsupported", "accepted") >= 9);
}

static void messages_say_what_and_where(void)
{
	cJSON *v = NULL;

	CHECK_ERR(ccgov_toml_parse(&v, "a = 1\na = 2\n", 12, "x.toml"), CCGOV_EINVALID, "x.toml:2:1: duplicate key");
	CHECK_ERR(ccgov_toml_parse(&v, "[a]\n[a]\n", 8, "x.toml"), CCGOV_EINVALID, "x.toml:2:2: table defined twice");
	CHECK_ERR(ccgov_toml_parse(&v, "d = 1979-05-27\n", 15, "x.toml"), CCGOV_EINVALID,
		  "x.toml:1:5: dates and times are not supported");
	CHECK_ERR(ccgov_toml_parse(&v, "s = \"abc", 8, "x.toml"), CCGOV_EINVALID, "x.toml:1:5: unterminated string");
	/* testdata/toml/unsupported: what tomllib reads but ccgov refuses, as TOML 1.0 allows. */
	CHECK_ERR(ccgov_toml_parse(&v, "a = 0xFFFFFFFFFFFFFFFFF\n", 24, "x.toml"), CCGOV_EINVALID,
		  "x.toml:1:5: a: integer 0xFFFFFFFFFFFFFFFFF does not fit in 64 bits");
	CHECK_ERR(ccgov_toml_parse(&v, "a = 99999999999999999999\n", 25, "x.toml"), CCGOV_EINVALID,
		  "x.toml:1:5: a: integer 99999999999999999999 does not fit in 64 bits");
	CHECK(v == NULL);
}

/* One rule with JSON: integers exact in 64 bits, floats never lost to 0 or infinity. */
static void numbers_out_of_range_are_refused(void)
{
	static const struct { const char *in, *message; } cases[] = {
		{ "a = 9223372036854775808", "x.toml:1:5: a: integer 9223372036854775808 does not fit in 64 bits" },
		{ "[t]\nb.c = -9223372036854775809", "x.toml:2:7: c: integer -9223372036854775809 does not fit in 64 bits" },
		{ "a = 0x8000000000000000", "x.toml:1:5: a: integer 0x8000000000000000 does not fit in 64 bits" },
		{ "a = 0o1_000_000_000_000_000_000_000", "a: integer 0o1_000_000_000_000_000_000_000 does not fit" },
		{ "a = [1, 0b1000000000000000000000000000000000000000000000000000000000000000]",
		  "x.toml:1:9: a: integer 0b10000000000000000000000000000000000000... does not fit in 64 bits" },
		{ "a = 1e400", "x.toml:1:5: a: number 1e400 is too large for a 64-bit float" },
		{ "a = 1E400", "x.toml:1:5: a: number 1E400 is too large for a 64-bit float" },
		{ "a = { b = 1e-400 }", "x.toml:1:11: b: number 1e-400 is too small for a 64-bit float: it would read as 0" },
		{ "a = -1e-400", "x.toml:1:5: a: number -1e-400 is too small for a 64-bit float: it would read as 0" },
		{ "a = 1e99999999999999999999", "a: number 1e99999999999999999999 is too large" },
		{ "a = 1_00e-99999999999999999999", "a: number 1_00e-99999999999999999999 is too small" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *v = NULL;

		CHECK_ERR(ccgov_toml_parse(&v, cases[i].in, strlen(cases[i].in), "x.toml"), CCGOV_EINVALID,
			  cases[i].message);
		CHECK(v == NULL);
	}
}

static void integers_are_read_exactly(void)
{
	static const struct { const char *in; int64_t want; } cases[] = {
		{ "a = 9223372036854775807", INT64_MAX },
		{ "a = -9223372036854775808", INT64_MIN },
		{ "a = 0x7FFF_FFFF_FFFF_FFFF", INT64_MAX },
		{ "a = 0o777_777_777_777_777_777_777", INT64_MAX },
		{ "a = 9007199254740993", 9007199254740993LL },
		{ "a = -0", 0 },
		{ "a = +0", 0 },
		{ "a = 1e2", 100 },
		{ "a = 0.0e-99999999999999999999", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cJSON *v = NULL;
		int64_t n = 0;

		CHECK_OK(ccgov_toml_parse(&v, cases[i].in, strlen(cases[i].in), "x.toml"));
		CHECK_OK(ccgov_json_int64(&n, cJSON_GetObjectItemCaseSensitive(v, "a"), INT64_MIN, INT64_MAX, "x.toml"));
		cJSON_Delete(v);
		if (n != cases[i].want) {
			unit_fail(__FILE__, __LINE__, "'%s': got %" PRId64 ", want %" PRId64, cases[i].in, n, cases[i].want);
			return;
		}
	}
}

static void nesting_is_bounded(void)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	cJSON *v = NULL;

	ccgov_buffer_puts(&b, "a = ");
	for (int i = 0; i < 100000; i++)
		ccgov_buffer_putc(&b, '[');
	CHECK_ERR(ccgov_toml_parse(&v, b.data, b.len, "deep.toml"), CCGOV_EINVALID, "nested too deeply");
	ccgov_buffer_free(&b);
	/* Each part within bounds, together too deep: a 100-part header, then a 100-part dotted key. */
	ccgov_buffer_puts(&b, "[h");
	for (int i = 0; i < 99; i++)
		ccgov_buffer_puts(&b, ".h");
	ccgov_buffer_puts(&b, "]\nk");
	for (int i = 0; i < 99; i++)
		ccgov_buffer_puts(&b, ".k");
	ccgov_buffer_puts(&b, " = 1\n");
	CHECK_ERR(ccgov_toml_parse(&v, b.data, b.len, "sum.toml"), CCGOV_EINVALID,
		  "sum.toml: tables and arrays nested deeper than 128 levels in all");
	ccgov_buffer_free(&b);
	/* 128 levels are read, and the JSON writer takes them. */
	ccgov_buffer_puts(&b, "[h");
	for (int i = 0; i < 63; i++)
		ccgov_buffer_puts(&b, ".h");
	ccgov_buffer_puts(&b, "]\nk");
	for (int i = 0; i < 63; i++)
		ccgov_buffer_puts(&b, ".k");
	ccgov_buffer_puts(&b, " = 1\n");
	CHECK_OK(ccgov_toml_parse(&v, b.data, b.len, "edge.toml"));
	ccgov_buffer_free(&b);
	{
		ccgov_buffer j = CCGOV_BUFFER_INIT;

		CHECK_OK(ccgov_json_write(&j, v, CCGOV_JSON_CANONICAL));
		ccgov_buffer_free(&j);
	}
	cJSON_Delete(v);
}

const struct unit_test toml_tests[] = {
	{ "TOML files read as Python's tomllib reads them", valid_files_read_as_tomllib_reads_them },
	{ "invalid TOML refused, as tomllib refuses it, with file:line:col", invalid_files_are_refused_with_a_place },
	{ "TOML errors say what and where", messages_say_what_and_where },
	{ "TOML numbers out of range are refused, naming value, key and place", numbers_out_of_range_are_refused },
	{ "TOML integers are read exactly within 64 bits", integers_are_read_exactly },
	{ "TOML that tomllib reads is refused on purpose, with a place", unsupported_files_are_refused_on_purpose },
	{ "TOML nesting is bounded", nesting_is_bounded },
	{ NULL, NULL }
};
