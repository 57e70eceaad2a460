/* Percent-encoding. */
#include <ccgov/buffer.h>
#include <ccgov/uri.h>

#include <string.h>

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
	       c == '.' || c == '_' || c == '~';
}

char *ccgov_uri_encode(const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	ccgov_buffer b = CCGOV_BUFFER_INIT;

	ccgov_buffer_append(&b, "", 0);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p) || (keep && strchr(keep, *p))) {
			ccgov_buffer_putc(&b, (char)*p);
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			ccgov_buffer_append(&b, esc, 3);
		}
	}
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	return ccgov_buffer_detach(&b, NULL);
}
