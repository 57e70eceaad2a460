/* What the measure subcommands share (measure.c, measure_sev.c). */
#ifndef CCGOV_MEASURE_CLI_H
#define CCGOV_MEASURE_CLI_H

#include "cli.h"

#include <cjson/cJSON.h>

/* The options every measure type shares: --format, --statement, --image. */
typedef struct {
	enum output_format format;
	const char *statement, *image;
} measure_output;

#define MEASURE_OUTPUT_OPTIONS                                                          \
	{ "format", required_argument, NULL, 'f' }, { "statement", required_argument, NULL, 'P' }, \
	{ "image", required_argument, NULL, 'I' }

/* Takes option c if it is one of those: 1 taken, 0 not one of them, -1 a bad value (reported). */
int measure_output_option(measure_output *o, const char *cmd, int c, const char *arg);

/*
 * Writes, atomically, the in-toto Statement if one is asked for (its
 * predicate the report, its subject the image, an OCI layout or
 * sha256:<hex>, or else the measured input file), then prints the report
 * if JSON is asked for. Returns the exit status; text is the caller's.
 */
int measure_output_report(const measure_output *o, const cJSON *report, const char *input);

int measure_sev_snp(int argc, char **argv);

#endif
