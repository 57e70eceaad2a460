#include <ccgov/error.h>
#include <ccgov/interrupt.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * One fixed buffer per thread: setting an error never allocates, so an
 * out-of-memory failure can still be reported.
 */
static _Thread_local char error_text[1024];
static _Thread_local ccgov_error last_error;
static _Thread_local int has_error;

const ccgov_error *ccgov_error_last(void)
{
	return has_error ? &last_error : NULL;
}

void ccgov_error_clear(void)
{
	has_error = 0;
	error_text[0] = '\0';
}

/*
 * src into dst as one line of text: a message quotes what an input holds
 * (a tag, a path, a value), and a newline or other control character in
 * it would make one error look like several lines, or hide it. They are
 * written \xNN, as the command line shows them; nothing is allocated.
 */
static void one_line(char *dst, size_t size, const char *src)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (const unsigned char *p = (const unsigned char *)src; *p && o + 5 < size; p++) {
		if (*p >= 0x20 && *p != 0x7f) {
			dst[o++] = (char)*p;
			continue;
		}
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[*p >> 4];
		dst[o++] = hex[*p & 15];
	}
	dst[o] = '\0';
}

static void set_message(int code, const char *fmt, va_list ap)
{
	char raw[sizeof(error_text)];

	vsnprintf(raw, sizeof(raw), fmt, ap);
	one_line(error_text, sizeof(error_text), raw);
	last_error.code = code;
	last_error.message = error_text;
	has_error = 1;
}

int ccgov_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_message(code, fmt, ap);
	va_end(ap);
	return code;
}

int ccgov_error_set_errno(int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t used;

	va_start(ap, fmt);
	set_message(code, fmt, ap);
	va_end(ap);
	used = strlen(error_text);
	if (used < sizeof(error_text) - 1)
		snprintf(error_text + used, sizeof(error_text) - used, ": %s",
			 strerror(errnum));
	return code;
}

int ccgov_error_wrap(const char *fmt, ...)
{
	char prefix[256], raw[sizeof(prefix)], old[sizeof(error_text)];
	size_t p, o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	one_line(prefix, sizeof(prefix), raw);
	if (!has_error)
		return ccgov_error_set(CCGOV_ERROR, "%s", prefix);
	/* Copied first: the old message lives in the buffer being written. */
	memcpy(old, error_text, sizeof(old));
	p = strlen(prefix);
	o = strnlen(old, sizeof(old) - 1);
	if (o > sizeof(error_text) - p - 3)
		o = sizeof(error_text) - p - 3;
	memcpy(error_text, prefix, p);
	memcpy(error_text + p, ": ", 2);
	memcpy(error_text + p + 2, old, o);
	error_text[p + 2 + o] = '\0';
	return last_error.code;
}

int ccgov_error_from_errno(int errnum)
{
	switch (errnum) {
	case ENOENT:
	case ENOTDIR:
		return CCGOV_ENOTFOUND;
	case EEXIST:
		return CCGOV_EEXISTS;
	case ENOMEM:
		return CCGOV_ENOMEM;
	case ELOOP:
		return CCGOV_EUNSAFE;
	case EACCES:
	case EPERM:
	case EISDIR:
	case ENAMETOOLONG:
		return CCGOV_EINVALID;
	default:
		return CCGOV_EIO;
	}
}

int ccgov_error_exit_status(int code)
{
	switch (code) {
	case CCGOV_OK:
		return 0;
	case CCGOV_EMISMATCH:
	case CCGOV_ETIMEOUT:
		return 1;
	case CCGOV_EINTERRUPTED:
		return 128 + (ccgov_interrupted() ? ccgov_interrupted() : SIGINT);
	case CCGOV_EINVALID:
	case CCGOV_ENOTFOUND:
	case CCGOV_EUNSAFE:
	case CCGOV_EEXISTS:
		return 2;
	default:
		return 3;
	}
}
