#include <ccgov/buffer.h>
#include <ccgov/error.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(ccgov_buffer *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return -1;
	if (extra > (size_t)-1 - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > (size_t)-1 / 2 ? need : cap * 2;
	if (!(p = realloc(b->data, cap)))
		goto fail;
	b->data = p;
	b->cap = cap;
	return 0;
fail:
	b->failed = 1;
	return -1;
}

void ccgov_buffer_append(ccgov_buffer *b, const void *data, size_t len)
{
	if (grow(b, len) < 0)
		return;
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void ccgov_buffer_puts(ccgov_buffer *b, const char *s)
{
	ccgov_buffer_append(b, s, strlen(s));
}

void ccgov_buffer_putc(ccgov_buffer *b, char c)
{
	ccgov_buffer_append(b, &c, 1);
}

void ccgov_buffer_printf(ccgov_buffer *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || grow(b, (size_t)n) < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

int ccgov_buffer_check(const ccgov_buffer *b)
{
	if (b->failed)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

char *ccgov_buffer_detach(ccgov_buffer *b, size_t *len)
{
	char *data = b->data;

	if (!data)
		data = calloc(1, 1);
	if (len)
		*len = b->len;
	b->data = NULL;
	b->len = b->cap = 0;
	return data;
}

void ccgov_buffer_free(ccgov_buffer *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
	b->failed = 0;
}
