/*
 * What every SBOM cataloger's fuzz target shares: a document with a root,
 * and both writers run over whatever the cataloger accepted. Checked of
 * an accepted input:
 *   - the cataloger let through only text an SBOM can hold: the writers'
 *     last guard (ccgov_sbom_keep_writable) finds nothing to leave out;
 *   - neither writer fails;
 *   - both documents read back (as ccgov sbom-diff reads them) as the
 *     same components, one for each the cataloger found and the root.
 */
#ifndef CCGOV_FUZZ_SBOM_WRITERS_H
#define CCGOV_FUZZ_SBOM_WRITERS_H

#include <ccgov/ccgov.h>
#include <ccgov/sbom.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fuzz_sbom_start(ccgov_sbom *s)
{
	ccgov_sbom_init(s);
	s->root.type = "application";
	s->root.name = strdup("fuzz");
	s->root.ref = strdup("pkg:generic/fuzz");
	return s->root.name && s->root.ref ? 0 : -1;
}

static int entry_order(const void *a, const void *b)
{
	const ccgov_sbom_entry *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (!c)
		c = strcmp(x->version ? x->version : "", y->version ? y->version : "");
	return c ? c : strcmp(x->name, y->name);
}

/* The components a written document reads back as, in one order; aborts if it does not read. */
static ccgov_sbom_entry *read_back(const ccgov_buffer *doc, size_t *n)
{
	ccgov_sbom_entry *e = NULL;
	char path[64];
	int fd = memfd_create("sbom.json", MFD_CLOEXEC);

	if (fd < 0 || write(fd, doc->data, doc->len) != (ssize_t)doc->len)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (ccgov_sbom_entries(&e, n, path) < 0)
		abort();
	close(fd);
	if (*n)
		qsort(e, *n, sizeof(*e), entry_order);
	return e;
}

static void check_same_components(const ccgov_buffer *cdx, const ccgov_buffer *spdx, size_t expected)
{
	size_t na, nb;
	ccgov_sbom_entry *a = read_back(cdx, &na), *b = read_back(spdx, &nb);

	if (na != expected || nb != expected)
		abort();
	for (size_t i = 0; i < na; i++)
		if (entry_order(&a[i], &b[i]) != 0)
			abort();
	ccgov_sbom_entries_free(a, na);
	ccgov_sbom_entries_free(b, nb);
}

/* accepted: the cataloger's result (0 when it accepted the input). */
static void fuzz_sbom_finish(ccgov_sbom *s, int accepted)
{
	ccgov_buffer cdx = CCGOV_BUFFER_INIT, spdx = CCGOV_BUFFER_INIT;
	size_t warned = s->nwarnings;

	if (accepted == 0) {
		if (ccgov_sbom_keep_writable(s) < 0 || s->nwarnings != warned)
			abort();
		if (ccgov_sbom_write_cyclonedx(&cdx, s) < 0 || ccgov_sbom_write_spdx(&spdx, s) < 0)
			abort();
		check_same_components(&cdx, &spdx, s->len + 1);
	}
	ccgov_buffer_free(&cdx);
	ccgov_buffer_free(&spdx);
	ccgov_sbom_free(s);
}

#endif
