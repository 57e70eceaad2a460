#include <ccgov/buffer.h>
#include <ccgov/utf8.h>

size_t ccgov_utf8_decode(uint32_t *cp, const unsigned char *s, size_t len)
{
	uint32_t c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

int ccgov_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	while (len) {
		size_t n = ccgov_utf8_decode(&cp, p, len);

		if (!n)
			return 0;
		p += n;
		len -= n;
	}
	return 1;
}

size_t ccgov_utf8_encode(char out[4], uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *ccgov_utf8_sanitize(const char *s, size_t len)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	ccgov_buffer_append(&b, "", 0);
	while (len) {
		size_t n = ccgov_utf8_decode(&cp, p, len);

		if (n == 0 || cp == 0) {
			ccgov_buffer_puts(&b, "\xef\xbf\xbd");
			n = 1;
		} else {
			ccgov_buffer_append(&b, p, n);
		}
		p += n;
		len -= n;
	}
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	return ccgov_buffer_detach(&b, NULL);
}

/* Code points a text line must not show raw: they end, hide or reorder it. */
int ccgov_utf8_breaks_line(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x2028 && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

char *ccgov_utf8_escape(const char *s, size_t len)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;

	ccgov_buffer_append(&b, "", 0);
	while (len) {
		size_t n = ccgov_utf8_decode(&cp, p, len);

		if (n == 0)
			n = 1, cp = 0; /* not UTF-8: escaped byte by byte below */
		if (*p == '\\')
			ccgov_buffer_puts(&b, "\\\\");
		else if (*p == '\n')
			ccgov_buffer_puts(&b, "\\n");
		else if (*p == '\t')
			ccgov_buffer_puts(&b, "\\t");
		else if (*p == '\r')
			ccgov_buffer_puts(&b, "\\r");
		else if (ccgov_utf8_breaks_line(cp))
			for (size_t i = 0; i < n; i++)
				ccgov_buffer_printf(&b, "\\x%02x", p[i]);
		else
			ccgov_buffer_append(&b, p, n);
		p += n;
		len -= n;
	}
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	return ccgov_buffer_detach(&b, NULL);
}
