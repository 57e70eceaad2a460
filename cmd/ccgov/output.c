#include "cli.h"

#include <ccgov/ccgov.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int use_color(FILE *stream)
{
	const char *no_color = getenv("NO_COLOR");

	return isatty(fileno(stream)) && !(no_color && no_color[0]);
}

/* Writes text so that it is one safe line: valid UTF-8, no control bytes. */
static void put_sanitized(FILE *out, const char *text)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t len = strlen(text);

	while (len) {
		uint32_t cp;
		size_t n = ccgov_utf8_decode(&cp, p, len);

		if (n == 0 || cp < 0x20 || cp == 0x7f) {
			fprintf(out, "\\x%02x", *p);
			n = 1;
		} else {
			fwrite(p, 1, n, out);
		}
		p += n;
		len -= n;
	}
}

void error_line(const char *fmt, ...)
{
	char message[2048];
	va_list ap;
	int color = use_color(stderr);

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	fprintf(stderr, "ccgov: %serror:%s ", color ? "\033[1;31m" : "",
		color ? "\033[0m" : "");
	put_sanitized(stderr, message);
	fputc('\n', stderr);
}

int error_from_library(void)
{
	const ccgov_error *e = ccgov_error_last();

	if (!e) {
		error_line("internal error with no message");
		return EXIT_INTERNAL;
	}
	error_line("%s", e->message);
	return ccgov_error_exit_status(e->code);
}

/* getopt_long refuses a prefix of two options without saying so: say which ones. */
static int ambiguous(const char *cmd, const char *arg, const struct option *longopts)
{
	size_t len = strcspn(arg + 2, "="), n = 0;
	char names[512] = "";

	for (const struct option *o = longopts; o->name; o++)
		if (strncmp(o->name, arg + 2, len) == 0 && strlen(names) + strlen(o->name) + 5 < sizeof(names)) {
			strcat(strcat(names, n++ ? ", --" : "--"), o->name);
		}
	if (n < 2)
		return 0;
	error_line("%s: option '%.*s' is ambiguous: %s", cmd, (int)len + 2, arg, names);
	return 1;
}

int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts)
{
	char spec[64];
	const char *arg;
	int c;

	/* A leading ':' makes getopt tell a missing value (':') from an unknown option ('?'). */
	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c != '?' && c != ':')
		return c;
	arg = argv[optind - 1 < argc ? optind - 1 : argc - 1];
	if (strncmp(arg, "--", 2) != 0 && optopt) {
		static char short_name[3] = "-?";

		short_name[1] = (char)optopt;
		arg = short_name;
	}
	if (c == ':') {
		error_line("%s: option '%s' needs a value", cmd, arg);
		return '?';
	}
	if (strncmp(arg, "--", 2) == 0 && ambiguous(cmd, arg, longopts))
		return '?';
	error_line("%s: unknown option '%s'", cmd, arg);
	if (strncmp(arg, "--", 2) == 0) {
		const char *names[64];
		size_t n = 0;
		char word[128];

		snprintf(word, sizeof(word), "%.*s", (int)strcspn(arg + 2, "="), arg + 2);
		for (const struct option *o = longopts; o->name && n < 64; o++)
			names[n++] = o->name;
		suggest_with_prefix("--", word, names, n);
	}
	return '?';
}

int parse_format(enum output_format *out, const char *cmd, const char *value)
{
	if (strcmp(value, "text") == 0)
		*out = FORMAT_TEXT;
	else if (strcmp(value, "json") == 0)
		*out = FORMAT_JSON;
	else {
		error_line("%s: --format: unknown format '%s' (expected text or json)", cmd, value);
		return -1;
	}
	return 0;
}

int print_json(const cJSON *value)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	int err = ccgov_json_write(&b, value, CCGOV_JSON_PRETTY);

	if (err == 0)
		fwrite(b.data, 1, b.len, stdout);
	ccgov_buffer_free(&b);
	return err;
}
