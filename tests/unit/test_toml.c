/*
 * TOML: every file in testdata/toml/valid must read as Python's tomllib
 * (an independent parser) reads it; every file in testdata/toml/invalid
 * must be refused, as tomllib refuses it, with file, line and column.
 */
#include "unit.h"

#include <dirent.h>

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

static void invalid_files_are_refused_with_a_place(void)
{
	DIR *d = opendir("testdata/toml/invalid");
	struct dirent *de;
	int seen = 0;

	CHECK(d != NULL);
	while ((de = readdir(d))) {
		char path[512], *py;
		cJSON *v = NULL;

		if (!strstr(de->d_name, ".toml"))
			continue;
		snprintf(path, sizeof(path), "testdata/toml/invalid/%s", de->d_name);
		if (parse_file(&v, path) == 0) {
			cJSON_Delete(v);
			unit_fail(__FILE__, __LINE__, "%s: accepted", path);
			continue;
		}
		if (strncmp(ccgov_error_last()->message, path, strlen(path)) != 0 ||
		    ccgov_error_last()->message[strlen(path)] != ':')
			unit_fail(__FILE__, __LINE__, "%s: message does not name the place: %s", path,
				  ccgov_error_last()->message);
		py = unit_run("python3 -c 'import sys, tomllib\ntry: tomllib.load(open(sys.argv[1], \"rb\")); print(\"accepted\")\n"
			      "except (tomllib.TOMLDecodeError, UnicodeDecodeError): print(\"refused\")' %s", path);
		if (!py || strcmp(py, "refused") != 0)
			unit_fail(__FILE__, __LINE__, "%s: tomllib says %s", path, py ? py : "nothing");
		free(py);
		seen++;
	}
	closedir(d);
	CHECK(seen >= 20);
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
		  "x.toml:1:5: integer out of range (TOML integers are 64-bit)");
	CHECK_ERR(ccgov_toml_parse(&v, "a = 99999999999999999999\n", 25, "x.toml"), CCGOV_EINVALID,
		  "x.toml:1:5: integer out of range");
	CHECK_OK(ccgov_toml_parse(&v, "a = -9223372036854775808\n", 25, "x.toml"));
	cJSON_Delete(v);
	v = NULL;
	CHECK(v == NULL);
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
}

const struct unit_test toml_tests[] = {
	{ "TOML files read as Python's tomllib reads them", valid_files_read_as_tomllib_reads_them },
	{ "invalid TOML refused, as tomllib refuses it, with file:line:col", invalid_files_are_refused_with_a_place },
	{ "TOML errors say what and where", messages_say_what_and_where },
	{ "TOML nesting is bounded", nesting_is_bounded },
	{ NULL, NULL }
};
