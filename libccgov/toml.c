/*
 * A strict TOML 1.0 reader producing cJSON trees (see ccgov/toml.h).
 *
 * While parsing, the otherwise unused valueint of an object or array
 * records how it came to be, which decides what may still be added to it:
 * a table named by a [header] cannot be named again, one made by dotted
 * keys cannot be reopened by a header, and inline tables and literal
 * arrays are closed once written. The marks are cleared before returning.
 */
#include "bytes.h"
#include "number.h"

#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/toml.h>
#include <ccgov/utf8.h>

#include <stdlib.h>
#include <string.h>

enum {
	MADE_BY_HEADER = 1,  /* [a.b] named it */
	MADE_BY_PATH = 2,    /* created on the way to a header: [a.b] makes a */
	MADE_BY_DOTS = 4,    /* created by a dotted key: a.b = 1 makes a */
	CLOSED = 8,          /* an inline table or a literal array */
	ARRAY_OF_TABLES = 16 /* made by [[a]] */
};

typedef struct {
	const char *start, *p, *end;
	const char *name;
	const char *key; /* the last part of the key being set, for messages */
	int depth;
} parser;

static int fail(const parser *ps, const char *at, const char *problem)
{
	int line = 1, col = 1;

	for (const char *c = ps->start; c < at && c < ps->end; c++) {
		if (*c == '\n')
			line++, col = 1;
		else if (((unsigned char)*c & 0xc0) != 0x80)
			col++;
	}
	return ccgov_error_set(CCGOV_EINVALID, "%s:%d:%d: %s", ps->name, line, col, problem);
}

static int at_end(const parser *ps)
{
	return ps->p >= ps->end;
}

static void skip_blank(parser *ps)
{
	while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t'))
		ps->p++;
}

static int skip_comment(parser *ps)
{
	if (at_end(ps) || *ps->p != '#')
		return 0;
	for (ps->p++; !at_end(ps) && *ps->p != '\n'; ps->p++) {
		unsigned char c = (unsigned char)*ps->p;

		if (c == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
			continue;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return fail(ps, ps->p, "control character in a comment");
	}
	return 0;
}

static int is_newline(const parser *ps)
{
	return !at_end(ps) && (*ps->p == '\n' || (*ps->p == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n'));
}

static void take_newline(parser *ps)
{
	ps->p += *ps->p == '\r' ? 2 : 1;
}

/* Blanks, comments and newlines, as allowed inside arrays and between lines. */
static int skip_space(parser *ps)
{
	int err;

	for (;;) {
		skip_blank(ps);
		if ((err = skip_comment(ps)) < 0)
			return err;
		if (!is_newline(ps))
			return 0;
		take_newline(ps);
	}
}

/* After a key/value pair or a header: only a comment may follow on the line. */
static int end_of_line(parser *ps)
{
	int err;

	skip_blank(ps);
	if ((err = skip_comment(ps)) < 0)
		return err;
	if (at_end(ps))
		return 0;
	if (!is_newline(ps))
		return fail(ps, ps->p, "expected the end of the line");
	take_newline(ps);
	return 0;
}

/* ---- strings ------------------------------------------------------------ */

static int escape(parser *ps, ccgov_buffer *out)
{
	const char *at = ps->p;
	char c;
	int digits = 0;
	uint32_t cp = 0;
	char utf8[4];

	if (++ps->p >= ps->end)
		return fail(ps, at, "unterminated escape");
	c = *ps->p++;
	switch (c) {
	case 'b': ccgov_buffer_putc(out, '\b'); return 0;
	case 't': ccgov_buffer_putc(out, '\t'); return 0;
	case 'n': ccgov_buffer_putc(out, '\n'); return 0;
	case 'f': ccgov_buffer_putc(out, '\f'); return 0;
	case 'r': ccgov_buffer_putc(out, '\r'); return 0;
	case '"': ccgov_buffer_putc(out, '"'); return 0;
	case '\\': ccgov_buffer_putc(out, '\\'); return 0;
	case 'u': digits = 4; break;
	case 'U': digits = 8; break;
	default: return fail(ps, at, "unknown escape");
	}
	for (int i = 0; i < digits; i++) {
		int h = ps->p < ps->end ? hex_digit(*ps->p) : -1;

		if (h < 0)
			return fail(ps, at, "bad \\u escape");
		cp = cp << 4 | (uint32_t)h;
		ps->p++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp == 0)
		return fail(ps, at, "escape is not a Unicode scalar value (or is NUL)");
	ccgov_buffer_append(out, utf8, ccgov_utf8_encode(utf8, cp));
	return 0;
}

/* One character of string content, checked: UTF-8, no control characters. */
static int string_char(parser *ps, ccgov_buffer *out, int multiline)
{
	unsigned char c = (unsigned char)*ps->p;
	uint32_t cp;
	size_t n;

	if (multiline && is_newline(ps)) {
		ccgov_buffer_putc(out, '\n');
		take_newline(ps);
		return 0;
	}
	if ((c < 0x20 && c != '\t') || c == 0x7f)
		return fail(ps, ps->p, "control character in a string");
	if (!(n = ccgov_utf8_decode(&cp, (const unsigned char *)ps->p, (size_t)(ps->end - ps->p))))
		return fail(ps, ps->p, "invalid UTF-8");
	ccgov_buffer_append(out, ps->p, n);
	ps->p += n;
	return 0;
}

static int starts(const parser *ps, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(ps->end - ps->p) >= n && memcmp(ps->p, s, n) == 0;
}

/*
 * A string of any of the four kinds, at ps->p. Multi-line strings drop a
 * newline right after the opening quotes; in basic ones a backslash at
 * the end of a line joins it to the next non-blank text.
 */
static int string_value(parser *ps, char **out)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	const char *at = ps->p;
	char quote = *ps->p;
	int multi = quote == '"' ? starts(ps, "\"\"\"") : starts(ps, "'''"), err = 0;

	ccgov_buffer_append(&b, "", 0);
	ps->p += multi ? 3 : 1;
	if (multi && is_newline(ps))
		take_newline(ps);
	for (;;) {
		if (at_end(ps)) {
			err = fail(ps, at, "unterminated string");
			break;
		}
		if (*ps->p == quote) {
			if (!multi) {
				ps->p++;
				break;
			}
			if (starts(ps, quote == '"' ? "\"\"\"" : "'''")) {
				/* Up to two quotes may end the content: """a""""" is a"" */
				int extra = 0;

				while (extra < 2 && ps->p + 3 + extra < ps->end && ps->p[3 + extra] == quote)
					extra++;
				ccgov_buffer_append(&b, ps->p, (size_t)extra);
				ps->p += 3 + extra;
				break;
			}
			ccgov_buffer_putc(&b, quote);
			ps->p++;
			continue;
		}
		if (quote == '"' && *ps->p == '\\') {
			if (multi) {
				const char *q = ps->p + 1;

				while (q < ps->end && (*q == ' ' || *q == '\t'))
					q++;
				if (q < ps->end && (*q == '\n' || (*q == '\r' && q + 1 < ps->end && q[1] == '\n'))) {
					ps->p = q;
					while (!at_end(ps) && (*ps->p == ' ' || *ps->p == '\t' || is_newline(ps)))
						ps->p += is_newline(ps) && *ps->p == '\r' ? 2 : 1;
					continue;
				}
			}
			if ((err = escape(ps, &b)) < 0)
				break;
			continue;
		}
		if (!multi && is_newline(ps)) {
			err = fail(ps, at, "newline in a single-line string");
			break;
		}
		if ((err = string_char(ps, &b, multi)) < 0)
			break;
	}
	if (err == 0 && (err = ccgov_buffer_check(&b)) == 0)
		*out = ccgov_buffer_detach(&b, NULL);
	ccgov_buffer_free(&b);
	return err;
}

/* ---- keys ----------------------------------------------------------------- */

typedef struct {
	char *parts[CCGOV_TOML_MAX_DEPTH];
	size_t n;
	const char *at;
} key_path;

static void key_free(key_path *k)
{
	for (size_t i = 0; i < k->n; i++)
		free(k->parts[i]);
	k->n = 0;
}

static int bare_key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int key_parts(parser *ps, key_path *k)
{
	int err;

	k->n = 0;
	k->at = ps->p;
	for (;;) {
		char *part = NULL;

		skip_blank(ps);
		if (at_end(ps))
			return fail(ps, ps->p, "expected a key");
		if (*ps->p == '"' || *ps->p == '\'') {
			if (starts(ps, "\"\"\"") || starts(ps, "'''"))
				return fail(ps, ps->p, "a key cannot be a multi-line string");
			if ((err = string_value(ps, &part)) < 0)
				return err;
		} else {
			const char *s = ps->p;

			while (!at_end(ps) && bare_key_char(*ps->p))
				ps->p++;
			if (ps->p == s)
				return fail(ps, s, "expected a key");
			if (!(part = strndup(s, (size_t)(ps->p - s))))
				return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		}
		if (k->n == CCGOV_TOML_MAX_DEPTH) {
			free(part);
			return fail(ps, k->at, "key has too many parts");
		}
		k->parts[k->n++] = part;
		skip_blank(ps);
		if (at_end(ps) || *ps->p != '.')
			return 0;
		ps->p++;
	}
}

/* A simple or dotted key; on error nothing is left to free. */
static int key(parser *ps, key_path *k)
{
	int err = key_parts(ps, k);

	if (err < 0)
		key_free(k);
	return err;
}

/* ---- values --------------------------------------------------------------- */

static int value(parser *ps, cJSON **out);

static int add_item(parser *ps, cJSON *table, const char *name, cJSON *item, const char *at)
{
	if (cJSON_GetObjectItemCaseSensitive(table, name)) {
		cJSON_Delete(item);
		return fail(ps, at, "duplicate key");
	}
	if (!cJSON_AddItemToObject(table, name, item)) {
		cJSON_Delete(item);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	return 0;
}

/*
 * The table a dotted key's last part goes into: a.b.c = 1 in t makes (or
 * enters) t.a and t.a.b. Tables made by headers or closed ones cannot be
 * entered this way.
 */
static int dotted_parent(parser *ps, cJSON **table, const key_path *k)
{
	for (size_t i = 0; i + 1 < k->n; i++) {
		cJSON *next = cJSON_GetObjectItemCaseSensitive(*table, k->parts[i]);

		if (!next) {
			int err;

			if (!(next = cJSON_CreateObject()))
				return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			next->valueint = MADE_BY_DOTS;
			if ((err = add_item(ps, *table, k->parts[i], next, k->at)) < 0)
				return err;
		} else if (!cJSON_IsObject(next) || next->valueint != MADE_BY_DOTS) {
			return fail(ps, k->at, "key extends a value or table defined elsewhere");
		}
		*table = next;
	}
	return 0;
}

static int key_value(parser *ps, cJSON *table)
{
	key_path k;
	cJSON *v = NULL;
	int err = key(ps, &k);

	if (err == 0 && (at_end(ps) || *ps->p != '='))
		err = fail(ps, ps->p, "expected '=' after the key");
	if (err == 0) {
		const char *outer = ps->key;

		ps->p++;
		skip_blank(ps);
		ps->key = k.parts[k.n - 1];
		err = value(ps, &v);
		ps->key = outer;
	}
	if (err == 0)
		err = dotted_parent(ps, &table, &k);
	if (err == 0) {
		err = add_item(ps, table, k.parts[k.n - 1], v, k.at);
		v = NULL;
	}
	cJSON_Delete(v);
	key_free(&k);
	return err;
}

static int enter(parser *ps)
{
	if (++ps->depth > CCGOV_TOML_MAX_DEPTH)
		return fail(ps, ps->p, "nested too deeply");
	return 0;
}

static int array_value(parser *ps, cJSON **out)
{
	cJSON *a = cJSON_CreateArray();
	int err;

	if (!a)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	a->valueint = CLOSED;
	ps->p++;
	if ((err = enter(ps)) < 0)
		goto fail;
	for (;;) {
		cJSON *item;

		if ((err = skip_space(ps)) < 0)
			goto fail;
		if (!at_end(ps) && *ps->p == ']')
			break;
		if ((err = value(ps, &item)) < 0)
			goto fail;
		cJSON_AddItemToArray(a, item);
		if ((err = skip_space(ps)) < 0)
			goto fail;
		if (!at_end(ps) && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (at_end(ps) || *ps->p != ']') {
			err = fail(ps, ps->p, "expected ',' or ']' in an array");
			goto fail;
		}
		break;
	}
	ps->p++;
	ps->depth--;
	*out = a;
	return 0;
fail:
	cJSON_Delete(a);
	return err;
}

static int inline_table(parser *ps, cJSON **out)
{
	cJSON *t = cJSON_CreateObject();
	int err;

	if (!t)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	t->valueint = CLOSED;
	ps->p++;
	if ((err = enter(ps)) < 0)
		goto fail;
	skip_blank(ps);
	if (!at_end(ps) && *ps->p == '}') {
		ps->p++;
		goto done;
	}
	for (;;) {
		if ((err = key_value(ps, t)) < 0)
			goto fail;
		skip_blank(ps);
		if (!at_end(ps) && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (at_end(ps) || *ps->p != '}') {
			err = fail(ps, ps->p, "expected ',' or '}' in an inline table");
			goto fail;
		}
		ps->p++;
		break;
	}
done:
	ps->depth--;
	*out = t;
	return 0;
fail:
	cJSON_Delete(t);
	return err;
}

/* Digits of base with single underscores between them. */
static int digits_ok(const char *s, size_t n, int base)
{
	if (n == 0 || s[0] == '_' || s[n - 1] == '_')
		return 0;
	for (size_t i = 0; i < n; i++) {
		int h = hex_digit(s[i]);

		if (s[i] == '_') {
			if (s[i + 1] == '_')
				return 0;
		} else if (h < 0 || h >= base) {
			return 0;
		}
	}
	return 1;
}

/* Whether the decimal digits (with underscores) from *i are well formed; *i moves past them. */
static int decimal_part(const char *s, size_t *i, size_t n)
{
	size_t from = *i;

	while (*i < n && (s[*i] == '_' || (s[*i] >= '0' && s[*i] <= '9')))
		(*i)++;
	return digits_ok(s + from, *i - from, 10);
}

/*
 * Whether s is a decimal integer or float by TOML's grammar: an integer
 * part without leading zeros, then [.digits] [e[+-]digits].
 */
static int decimal_ok(const char *s, size_t n, int *is_float)
{
	size_t i = 0;

	*is_float = 0;
	if (!decimal_part(s, &i, n) || (i > 1 && s[0] == '0'))
		return 0;
	if (i < n && s[i] == '.') {
		i++;
		if (!decimal_part(s, &i, n))
			return 0;
		*is_float = 1;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!decimal_part(s, &i, n))
			return 0;
		*is_float = 1;
	}
	return i == n;
}

/* An integer or a float, by the rule of number.h; s..n is the whole token. */
static int number(parser *ps, const char *s, size_t n, cJSON **out)
{
	number_token t = { s, n, ps->key, "" };
	int neg = 0, sign = 0, base = 10, is_float = 0, err;
	const char *digits = s;

	if (n && (s[0] == '+' || s[0] == '-'))
		neg = s[0] == '-', sign = 1, digits++, n--;
	if ((n == 3 && memcmp(digits, "inf", 3) == 0) || (n == 3 && memcmp(digits, "nan", 3) == 0))
		return fail(ps, s, "inf and nan cannot be represented in the JSON model");
	if (!sign && n > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o' || digits[1] == 'b')) {
		base = digits[1] == 'x' ? 16 : digits[1] == 'o' ? 8 : 2;
		digits += 2, n -= 2;
		if (!digits_ok(digits, n, base))
			return fail(ps, s, "malformed integer");
	} else if (!decimal_ok(digits, n, &is_float)) {
		return fail(ps, s, "malformed number");
	}
	err = is_float ? number_float(out, &t) : number_integer(out, &t, digits, n, base, neg);
	return err == CCGOV_EINVALID ? fail(ps, s, t.problem) : err;
}

/* Booleans, integers, floats; the token is already cut out. */
static int scalar(parser *ps, const char *s, size_t n, cJSON **out)
{
	if (n == 4 && memcmp(s, "true", 4) == 0)
		return (*out = cJSON_CreateTrue()) ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (n == 5 && memcmp(s, "false", 5) == 0)
		return (*out = cJSON_CreateFalse()) ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return number(ps, s, n, out);
}

/* Whether s starts with k digits and then c. */
static int digits_then(const char *s, size_t n, size_t k, char c)
{
	if (n <= k || s[k] != c)
		return 0;
	for (size_t i = 0; i < k; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* 1979-05-27 or 07:32:00; all four or two digits, or 1.0e-5 would be a date. */
static int looks_like_date(const char *s, size_t n)
{
	return digits_then(s, n, 4, '-') || digits_then(s, n, 2, ':');
}

static int value(parser *ps, cJSON **out)
{
	const char *s = ps->p;

	*out = NULL;
	if (at_end(ps))
		return fail(ps, ps->p, "expected a value");
	if (*ps->p == '"' || *ps->p == '\'') {
		char *str = NULL;
		int err = string_value(ps, &str);

		if (err < 0)
			return err;
		*out = cJSON_CreateString(str);
		free(str);
		return *out ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	if (*ps->p == '[')
		return array_value(ps, out);
	if (*ps->p == '{')
		return inline_table(ps, out);
	while (!at_end(ps) && (bare_key_char(*ps->p) || *ps->p == '+' || *ps->p == '.' || *ps->p == ':'))
		ps->p++;
	if (ps->p == s)
		return fail(ps, s, "expected a value");
	if (looks_like_date(s, (size_t)(ps->p - s)))
		return fail(ps, s, "dates and times are not supported");
	return scalar(ps, s, (size_t)(ps->p - s), out);
}

/* ---- tables --------------------------------------------------------------- */

/* [a.b.c] or [[a.b.c]]: the table that the following key/value lines fill. */
static int header(parser *ps, cJSON *root, cJSON **current)
{
	int array = starts(ps, "[["), err;
	cJSON *t = root, *last;
	key_path k;

	ps->p += array ? 2 : 1;
	if ((err = key(ps, &k)) < 0)
		return err;
	if (!starts(ps, array ? "]]" : "]")) {
		key_free(&k);
		return fail(ps, ps->p, array ? "expected ']]'" : "expected ']'");
	}
	ps->p += array ? 2 : 1;
	for (size_t i = 0; i + 1 < k.n && err == 0; i++) {
		cJSON *next = cJSON_GetObjectItemCaseSensitive(t, k.parts[i]);

		if (!next) {
			if (!(next = cJSON_CreateObject())) {
				err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
				break;
			}
			next->valueint = MADE_BY_PATH;
			err = add_item(ps, t, k.parts[i], next, k.at);
		} else if (cJSON_IsArray(next) && next->valueint == ARRAY_OF_TABLES) {
			next = cJSON_GetArrayItem(next, cJSON_GetArraySize(next) - 1);
		} else if (!cJSON_IsObject(next) || next->valueint == CLOSED) {
			err = fail(ps, k.at, "header goes into a value that is not a table");
		}
		t = next;
	}
	if (err == 0) {
		const char *name = k.parts[k.n - 1];

		last = cJSON_GetObjectItemCaseSensitive(t, name);
		if (array) {
			cJSON *table = cJSON_CreateObject();

			if (!last) {
				if (!(last = cJSON_CreateArray()))
					err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
				else if ((last->valueint = ARRAY_OF_TABLES, err = add_item(ps, t, name, last, k.at)) < 0)
					last = NULL;
			} else if (!cJSON_IsArray(last) || last->valueint != ARRAY_OF_TABLES) {
				err = fail(ps, k.at, "[[array]] names something that is not an array of tables");
			}
			if (err == 0 && table) {
				table->valueint = MADE_BY_HEADER;
				cJSON_AddItemToArray(last, table);
				*current = table;
			} else {
				cJSON_Delete(table);
				if (err == 0)
					err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			}
		} else if (!last) {
			if (!(last = cJSON_CreateObject())) {
				err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			} else {
				last->valueint = MADE_BY_HEADER;
				if ((err = add_item(ps, t, name, last, k.at)) == 0)
					*current = last;
			}
		} else if (cJSON_IsObject(last) && last->valueint == MADE_BY_PATH) {
			last->valueint = MADE_BY_HEADER;
			*current = last;
		} else {
			err = fail(ps, k.at, "table defined twice");
		}
	}
	key_free(&k);
	return err < 0 ? err : end_of_line(ps);
}

static void clear_marks(cJSON *v)
{
	for (; v; v = v->next) {
		if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
			v->valueint = 0;
			clear_marks(v->child);
		}
	}
}

/*
 * Nesting counted whole: a [header]'s parts, a dotted key's and an inline
 * value's add up, so no accepted document is deeper than any one of them
 * may be (the JSON writer, which refuses 256 levels, must never see one).
 */
static int too_deep(const cJSON *v, int depth)
{
	if (depth > CCGOV_TOML_MAX_DEPTH)
		return 1;
	for (const cJSON *c = v->child; c; c = c->next)
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) && too_deep(c, depth + 1))
			return 1;
	return 0;
}

int ccgov_toml_parse(cJSON **out, const char *text, size_t len, const char *name)
{
	parser ps = { text, text, text + len, name, NULL, 0 };
	cJSON *root = cJSON_CreateObject(), *current;
	int err = 0;

	*out = NULL;
	if (!root)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	current = root;
	/* A byte order mark is allowed at the start, nowhere else. */
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		ps.p += 3;
	while (err == 0) {
		if ((err = skip_space(&ps)) < 0 || at_end(&ps))
			break;
		if (*ps.p == '[')
			err = header(&ps, root, &current);
		else if ((err = key_value(&ps, current)) == 0)
			err = end_of_line(&ps);
	}
	clear_marks(root);
	if (err == 0 && too_deep(root, 0))
		err = ccgov_error_set(CCGOV_EINVALID, "%s: tables and arrays nested deeper than %d levels in all", name,
				      CCGOV_TOML_MAX_DEPTH);
	if (err < 0) {
		cJSON_Delete(root);
		return err;
	}
	*out = root;
	return 0;
}
