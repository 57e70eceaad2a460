/* What the measure subcommands share (measure.c, measure_sev_snp.c). */
#ifndef CCGOV_MEASURE_CLI_H
#define CCGOV_MEASURE_CLI_H

#include "cli.h"

#include <ccgov/digest.h>
#include <cjson/cJSON.h>

/* The options every measure type shares: --format, --statement, --image. */
typedef struct {
	enum output_format format;
	const char *statement, *image;
	ccgov_digest subject;   /* what the Statement is about, once prepared */
	char *subject_name;
} measure_output;

#define MEASURE_OUTPUT_INIT { FORMAT_TEXT, NULL, NULL, { 0 }, NULL }

#define MEASURE_OUTPUT_OPTIONS                                                          \
	{ "format", required_argument, NULL, 'f' }, { "statement", required_argument, NULL, 'P' }, \
	{ "image", required_argument, NULL, 'I' }

/* Takes option c if it is one of those: 1 taken, 0 not one of them, -1 a bad value (reported). */
int measure_output_option(measure_output *o, const char *cmd, int c, const char *arg);

/*
 * Before measuring: checks the options and resolves the Statement's
 * subject, the image (an OCI layout or sha256:<hex>) or else the measured
 * input file. Returns an exit status.
 */
int measure_output_prepare(measure_output *o, const char *input);

/*
 * After measuring: writes the in-toto Statement atomically if one was
 * asked for (its predicate the report), then prints the report if JSON
 * was asked for. Returns the exit status; text output is the caller's.
 */
int measure_output_report(measure_output *o, const cJSON *report);

/* Frees what prepare kept, when the measurement fails (report frees it otherwise). */
void measure_output_free(measure_output *o);

int measure_sev_snp(int argc, char **argv);

#endif
