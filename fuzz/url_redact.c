/*
 * URL redaction: whatever the input, the result is no longer than it, is
 * stable when redacted again, and keeps no password, query or fragment of
 * a URL (a scheme:// one, or scp-like user@host:path).
 */
#include <ccgov/ccgov.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * No password kept: no '@' in the first n bytes (the authority, or what
 * precedes an scp-like path's first '/') has a ':' before it while a ':'
 * (the host's) still follows it.
 */
static void check_userinfo(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '@' && memchr(s, ':', i) && memchr(s + i + 1, ':', n - i - 1))
			abort();
}

static void check(const char *in, const char *out)
{
	const char *sep = strstr(out, "://");
	size_t scheme = strspn(out, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	int url = sep && (size_t)(sep - out) == scheme && scheme > 0;
	const char *colon = strchr(in, ':'), *slash = strchr(in, '/');

	if (strlen(out) > strlen(in))
		abort();
	if (url) {
		size_t n = strcspn(sep + 3, "/?#");

		/* The authority's userinfo: a login at most, never with a ':'. */
		if (memchr(sep + 3, '@', n) && memchr(sep + 3, ':', (size_t)((char *)memchr(sep + 3, '@', n) - (sep + 3))))
			abort();
		if (strpbrk(out, "?#"))
			abort();
	} else if (colon && (!slash || colon < slash)) {
		check_userinfo(out, strcspn(out, "/"));
		if (strpbrk(out, "?#"))
			abort();
	} else if (strcmp(in, out) != 0) {
		abort(); /* a local path is kept as it is */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text, *out, *again;

	if (!(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	out = ccgov_uri_redact(text, NULL);
	again = out ? ccgov_uri_redact(out, NULL) : NULL;
	if (out && again) {
		check(text, out);
		if (strcmp(out, again) != 0)
			abort();
	}
	free(text);
	free(out);
	free(again);
	return 0;
}
