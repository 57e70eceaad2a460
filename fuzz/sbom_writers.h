/*
 * What every SBOM cataloger's fuzz target shares: a document with a root,
 * and both writers run over whatever the cataloger accepted.
 */
#ifndef CCGOV_FUZZ_SBOM_WRITERS_H
#define CCGOV_FUZZ_SBOM_WRITERS_H

#include <ccgov/ccgov.h>
#include <ccgov/sbom.h>

#include <stdlib.h>
#include <string.h>

static int fuzz_sbom_start(ccgov_sbom *s)
{
	ccgov_sbom_init(s);
	s->root.type = "application";
	s->root.name = strdup("fuzz");
	s->root.ref = strdup("pkg:generic/fuzz");
	return s->root.name && s->root.ref ? 0 : -1;
}

/* accepted: the cataloger's result. No accepted input may make a writer fail. */
static void fuzz_sbom_finish(ccgov_sbom *s, int accepted)
{
	ccgov_buffer out = CCGOV_BUFFER_INIT;

	if (accepted == 0 && (ccgov_sbom_write_cyclonedx(&out, s) < 0 || ccgov_sbom_write_spdx(&out, s) < 0))
		abort();
	ccgov_buffer_free(&out);
	ccgov_sbom_free(s);
}

#endif
