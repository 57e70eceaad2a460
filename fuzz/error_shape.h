/*
 * What every reader's error must be, checked by the targets that read
 * named input: one of the documented codes, and one line that names the
 * input ("a clear one-line error naming the input and the problem").
 * Out of memory is the one message that names nothing.
 */
#ifndef CCGOV_FUZZ_ERROR_SHAPE_H
#define CCGOV_FUZZ_ERROR_SHAPE_H

#include <ccgov/ccgov.h>

#include <stdlib.h>
#include <string.h>

/* rc: what the reader returned; name: how the input was named to it. */
static void check_error_shape(int rc, const char *name)
{
	const ccgov_error *e = ccgov_error_last();

	if (rc >= 0)
		return;
	if (rc < CCGOV_ETIMEOUT || !e || !e->message || e->code != rc)
		abort();
	if (rc == CCGOV_ENOMEM)
		return;
	if (!strstr(e->message, name) || strchr(e->message, '\n') || strchr(e->message, '\r'))
		abort();
}

#endif
