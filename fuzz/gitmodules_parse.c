/*
 * .gitmodules: any input parses or fails with a message, never a crash.
 * What parses must read the same when written back in git's syntax (every
 * name, path and url quoted and escaped), and every name and URL goes
 * through the checks that guard .git/modules.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A value in quotes; a subsection name (value 0) knows only the escapes \\ and \". */
static void quoted(ccgov_buffer *b, const char *s, int value)
{
	ccgov_buffer_putc(b, '"');
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			ccgov_buffer_putc(b, '\\');
		if (!value)
			ccgov_buffer_putc(b, *s);
		else if (*s == '\n')
			ccgov_buffer_puts(b, "\\n");
		else if (*s == '\t')
			ccgov_buffer_puts(b, "\\t");
		else if (*s == '\b')
			ccgov_buffer_puts(b, "\\b");
		else
			ccgov_buffer_putc(b, *s);
	}
	ccgov_buffer_putc(b, '"');
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ccgov_gitmodule *m, *again;
	size_t n, n2;
	ccgov_buffer text = CCGOV_BUFFER_INIT;

	if (ccgov_gitmodules_parse(&m, &n, (const char *)data, size, ".gitmodules") < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char *url = m[i].url ? ccgov_gitmodule_resolve_url(m[i].url, "https://h/a/b.git") : NULL;

		if (!m[i].name)
			abort();
		(void)ccgov_gitmodule_name_ok(m[i].name);
		free(url);
		ccgov_buffer_puts(&text, "[submodule ");
		quoted(&text, m[i].name, 0);
		ccgov_buffer_puts(&text, "]\n");
		if (m[i].path) {
			ccgov_buffer_puts(&text, "\tpath = ");
			quoted(&text, m[i].path, 1);
			ccgov_buffer_putc(&text, '\n');
		}
		if (m[i].url) {
			ccgov_buffer_puts(&text, "\turl = ");
			quoted(&text, m[i].url, 1);
			ccgov_buffer_putc(&text, '\n');
		}
	}
	if (ccgov_buffer_check(&text) == 0) {
		if (ccgov_gitmodules_parse(&again, &n2, text.data ? text.data : "", text.len, "again") < 0 || n2 != n)
			abort();
		for (size_t i = 0; i < n; i++)
			if (!same(m[i].name, again[i].name) || !same(m[i].path, again[i].path) ||
			    !same(m[i].url, again[i].url))
				abort();
		ccgov_gitmodules_free(again, n2);
	}
	ccgov_buffer_free(&text);
	ccgov_gitmodules_free(m, n);
	return 0;
}
