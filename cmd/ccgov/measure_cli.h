/* What the measure subcommands share (measure.c, measure_sev.c). */
#ifndef CCGOV_MEASURE_CLI_H
#define CCGOV_MEASURE_CLI_H

#include <cjson/cJSON.h>

/*
 * Writes, atomically, an in-toto Statement whose predicate is report and
 * whose subject is the image (an OCI layout or sha256:<hex>) or, without
 * one, the measured input file.
 */
int measure_write_statement(const char *path, const char *image, const char *input, const cJSON *report);

int measure_sev_snp(int argc, char **argv);

#endif
