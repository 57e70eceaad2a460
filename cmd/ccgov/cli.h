/* What the subcommand files share: the command table and the output conventions. */
#ifndef CCGOV_CLI_H
#define CCGOV_CLI_H

#include <getopt.h>
#include <stdio.h>

#include <cjson/cJSON.h>

/* Exit statuses, as ccgov(1) documents them. */
enum {
	EXIT_OK = 0,
	EXIT_CHECK_FAILED = 1,
	EXIT_USAGE = 2,
	EXIT_INTERNAL = 3
};

typedef int (*command_fn)(int argc, char **argv);

struct command {
	const char *name;
	command_fn run;
	const char *summary; /* one line, for `ccgov help` */
	const char *usage;   /* synopsis after "usage: ccgov " */
	const char *options; /* option lines for `ccgov help CMD`, or NULL */
};

extern const struct command commands[];
const struct command *command_find(const char *name);
/* Prints "did you mean X?" hints for a mistyped word among candidates. */
void suggest(const char *word, const char *const *candidates, size_t n);
/* The same among the names of the command table. */
void suggest_command(const char *word);
void suggest_with_prefix(const char *prefix, const char *word,
			 const char *const *candidates, size_t n);

int cmd_build(int argc, char **argv);
int cmd_help(int argc, char **argv);
int cmd_measure(int argc, char **argv);
int cmd_sbom(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_source(int argc, char **argv);
int cmd_version(int argc, char **argv);

void print_command_help(FILE *out, const struct command *cmd);
void print_overview(FILE *out);

/* ---- output conventions (output.c) ---- */

enum output_format { FORMAT_TEXT, FORMAT_JSON };

/*
 * "ccgov: error: MESSAGE" on stderr, as one line: bytes that are not
 * printable UTF-8 (a hostile file name) are shown as \xNN.
 */
void error_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reports the library's last error and returns the matching exit status. */
int error_from_library(void);

/*
 * getopt_long with ccgov's messages: unknown options and missing values
 * become "ccgov: error: CMD: ..." and the return value '?' (exit 2).
 */
int next_option(const char *cmd, int argc, char **argv, const char *shortopts,
		const struct option *longopts);
int parse_format(enum output_format *out, const char *cmd, const char *value);
/* Prints JSON for people: sorted keys, indented, final newline. */
int print_json(const cJSON *value);
/* 1 when stream is a terminal and NO_COLOR is unset. */
int use_color(FILE *stream);

#endif
