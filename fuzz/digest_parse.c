/* "alg:hex" digests: whatever parses must print back to the same text. */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[CCGOV_DIGEST_STRING_MAX + 8], back[CCGOV_DIGEST_STRING_MAX];
	ccgov_digest d;

	if (size >= sizeof(text))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (ccgov_digest_parse(&d, text) == 0) {
		ccgov_digest_string(back, &d);
		if (strcmp(back, text) != 0)
			abort();
	}
	return 0;
}
