/*
 * Path normalization: whatever it accepts must be relative, free of "."
 * and ".." components and empty components, and stable when normalized again.
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *out = NULL, *again = NULL;

	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ccgov_path_normalize(&out, text) == 0) {
		const char *p = out;

		if (out[0] == '/' || out[0] == '\0')
			abort();
		while (*p) {
			size_t n = strcspn(p, "/");

			if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && !memcmp(p, "..", 2)))
				abort();
			p += n + (p[n] == '/');
		}
		if (ccgov_path_normalize(&again, out) < 0 || strcmp(out, again) != 0)
			abort();
	}
	free(text);
	free(out);
	free(again);
	return 0;
}
