#include "number.h"

#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/json.h>
#include <ccgov/utf8.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- parsing ---------------------------------------------------------- */

typedef struct {
	const unsigned char *start, *p, *end;
	const char *name;
	const char *key; /* the member being read, for messages about its value */
	int depth;
	ccgov_buffer text; /* the string being decoded */
} parser;

static int parse_value(cJSON **out, parser *ps);

/* Reports the problem at the parser's position as NAME:LINE:COLUMN. */
static int fail_at(parser *ps, const unsigned char *at, const char *problem)
{
	size_t line = 1, col = 1;

	for (const unsigned char *q = ps->start; q < at && q < ps->end; q++) {
		if (*q == '\n')
			line++, col = 1;
		else if ((*q & 0xc0) != 0x80)
			col++;
	}
	return ccgov_error_set(CCGOV_EINVALID, "%s:%zu:%zu: %s", ps->name, line,
			       col, problem);
}

static void skip_space(parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
				   *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static int expect_word(parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return fail_at(ps, ps->p, "unexpected character");
	ps->p += n;
	return 0;
}

static int hex4(parser *ps, uint32_t *out)
{
	uint32_t v = 0;

	if (ps->end - ps->p < 4)
		return fail_at(ps, ps->p, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		unsigned char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return fail_at(ps, ps->p - 1, "bad hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

static int parse_escape(parser *ps)
{
	const unsigned char *at = ps->p - 1;
	uint32_t cp, lo;
	char utf8[4];
	int err;

	if (ps->p >= ps->end)
		return fail_at(ps, at, "unterminated string");
	switch (*ps->p++) {
	case '"': ccgov_buffer_putc(&ps->text, '"'); return 0;
	case '\\': ccgov_buffer_putc(&ps->text, '\\'); return 0;
	case '/': ccgov_buffer_putc(&ps->text, '/'); return 0;
	case 'b': ccgov_buffer_putc(&ps->text, '\b'); return 0;
	case 'f': ccgov_buffer_putc(&ps->text, '\f'); return 0;
	case 'n': ccgov_buffer_putc(&ps->text, '\n'); return 0;
	case 'r': ccgov_buffer_putc(&ps->text, '\r'); return 0;
	case 't': ccgov_buffer_putc(&ps->text, '\t'); return 0;
	case 'u': break;
	default: return fail_at(ps, at, "unknown escape in string");
	}
	if ((err = hex4(ps, &cp)) < 0)
		return err;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return fail_at(ps, at, "lone low surrogate in string");
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return fail_at(ps, at, "lone high surrogate in string");
		ps->p += 2;
		if ((err = hex4(ps, &lo)) < 0)
			return err;
		if (lo < 0xdc00 || lo > 0xdfff)
			return fail_at(ps, at, "lone high surrogate in string");
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	/* C strings end at NUL: a key or value with one would be cut short. */
	if (cp == 0)
		return fail_at(ps, at, "\\u0000 in string is not supported");
	ccgov_buffer_append(&ps->text, utf8, ccgov_utf8_encode(utf8, cp));
	return 0;
}

/* Decodes a string into ps->text; ps->p is just past the opening quote. */
static int parse_string_text(parser *ps)
{
	const unsigned char *open = ps->p - 1;
	uint32_t cp;
	int err;

	ps->text.len = 0;
	ccgov_buffer_append(&ps->text, "", 0);
	for (;;) {
		const unsigned char *run = ps->p;
		size_t n;

		while (ps->p < ps->end && *ps->p >= 0x20 && *ps->p < 0x80 &&
		       *ps->p != '"' && *ps->p != '\\')
			ps->p++;
		ccgov_buffer_append(&ps->text, run, (size_t)(ps->p - run));
		if (ps->p >= ps->end)
			return fail_at(ps, open, "unterminated string");
		if (*ps->p == '"') {
			ps->p++;
			return ccgov_buffer_check(&ps->text);
		}
		if (*ps->p == '\\') {
			ps->p++;
			if ((err = parse_escape(ps)) < 0)
				return err;
			continue;
		}
		if (*ps->p < 0x20)
			return fail_at(ps, ps->p, "control character in string");
		n = ccgov_utf8_decode(&cp, ps->p, (size_t)(ps->end - ps->p));
		if (!n)
			return fail_at(ps, ps->p, "invalid UTF-8 in string");
		ccgov_buffer_append(&ps->text, ps->p, n);
		ps->p += n;
	}
}

static int is_digit(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* Digits until anything else, then where they stopped. */
static const unsigned char *skip_digits(const unsigned char *p, const unsigned char *end)
{
	while (is_digit(p, end))
		p++;
	return p;
}

/* RFC 8259's grammar here; the value, by the rule of number.h, there. */
static int parse_number(cJSON **out, parser *ps)
{
	const unsigned char *s = ps->p, *digits;
	int negative = 0, integer = 1, err;
	number_token t = { 0 };

	if (ps->p < ps->end && *ps->p == '-')
		ps->p++, negative = 1;
	digits = ps->p;
	if (!is_digit(ps->p, ps->end))
		return fail_at(ps, s, "invalid number");
	if (*ps->p == '0' && is_digit(ps->p + 1, ps->end))
		return fail_at(ps, s, "number with a leading zero");
	ps->p = skip_digits(ps->p, ps->end);
	if (ps->p < ps->end && *ps->p == '.') {
		integer = 0;
		if (!is_digit(++ps->p, ps->end))
			return fail_at(ps, s, "invalid number");
		ps->p = skip_digits(ps->p, ps->end);
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		integer = 0;
		if (++ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (!is_digit(ps->p, ps->end))
			return fail_at(ps, s, "invalid number");
		ps->p = skip_digits(ps->p, ps->end);
	}
	t.text = (const char *)s;
	t.len = (size_t)(ps->p - s);
	t.key = ps->key;
	err = integer ? number_integer(out, &t, (const char *)digits, (size_t)(ps->p - digits), 10, negative) :
			number_float(out, &t);
	return err == CCGOV_EINVALID ? fail_at(ps, s, t.problem) : err;
}

/*
 * Duplicate keys: sorting the keys once per object keeps hostile objects
 * with many keys at n log n instead of n squared.
 */
static int compare_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *find_duplicate_key(const cJSON *object, int *failed)
{
	const cJSON *c;
	size_t n = 0, i = 0;
	const char **keys;
	const char *dup = NULL;

	*failed = 0;
	for (c = object->child; c; c = c->next)
		n++;
	if (n < 2)
		return NULL;
	if (!(keys = malloc(n * sizeof(*keys)))) {
		*failed = 1;
		return NULL;
	}
	for (c = object->child; c; c = c->next)
		keys[i++] = c->string;
	qsort(keys, n, sizeof(*keys), compare_keys);
	for (i = 1; i < n && !dup; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			dup = keys[i];
	free(keys);
	return dup;
}

static int parse_members(cJSON *object, parser *ps, const unsigned char *open)
{
	const char *outer = ps->key;
	cJSON *last = NULL;

	for (;;) {
		cJSON *member = NULL;
		char *key;
		int err;

		skip_space(ps);
		if (ps->p >= ps->end || *ps->p != '"')
			return fail_at(ps, ps->p, "expected a string key");
		ps->p++;
		if ((err = parse_string_text(ps)) < 0)
			return err;
		if (!(key = strdup(ps->text.data)))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		skip_space(ps);
		if (ps->p >= ps->end || *ps->p != ':') {
			free(key);
			return fail_at(ps, ps->p, "expected ':' after key");
		}
		ps->p++;
		ps->key = key;
		err = parse_value(&member, ps);
		ps->key = outer;
		if (err < 0) {
			free(key);
			cJSON_Delete(member);
			return err;
		}
		member->string = key;
		/* Appending by hand: cJSON_AddItemToObject walks the whole list. */
		if (last) {
			last->next = member;
			member->prev = last;
			object->child->prev = member;
		} else {
			object->child = member;
			member->prev = member;
		}
		last = member;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == '}') {
			ps->p++;
			return 0;
		}
		return fail_at(ps, ps->p >= ps->end ? open : ps->p,
			       ps->p >= ps->end ? "unterminated object" :
						  "expected ',' or '}'");
	}
}

static int parse_object(cJSON **out, parser *ps)
{
	const unsigned char *open = ps->p++;
	cJSON *object = cJSON_CreateObject();
	const char *dup;
	int failed, err;

	if (!object)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	*out = object;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == '}') {
		ps->p++;
		return 0;
	}
	if ((err = parse_members(object, ps, open)) < 0)
		return err;
	dup = find_duplicate_key(object, &failed);
	if (failed)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (dup) {
		char problem[160];

		snprintf(problem, sizeof(problem), "duplicate key \"%.100s\" in object", dup);
		return fail_at(ps, open, problem);
	}
	return 0;
}

static int parse_array(cJSON **out, parser *ps)
{
	const unsigned char *open = ps->p++;
	cJSON *array = cJSON_CreateArray(), *last = NULL;

	if (!array)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	*out = array;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		cJSON *item = NULL;
		int err;

		if ((err = parse_value(&item, ps)) < 0) {
			cJSON_Delete(item);
			return err;
		}
		if (last) {
			last->next = item;
			item->prev = last;
			array->child->prev = item;
		} else {
			array->child = item;
			item->prev = item;
		}
		last = item;
		skip_space(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == ']') {
			ps->p++;
			return 0;
		}
		return fail_at(ps, ps->p >= ps->end ? open : ps->p,
			       ps->p >= ps->end ? "unterminated array" :
						  "expected ',' or ']'");
	}
}

/*
 * On failure *out may hold a partial tree: the caller frees it, so every
 * node is owned by exactly one parent from the moment it is made.
 */
static int parse_value(cJSON **out, parser *ps)
{
	int err;

	*out = NULL;
	skip_space(ps);
	if (ps->p >= ps->end)
		return fail_at(ps, ps->p, "unexpected end of input");
	if (++ps->depth > CCGOV_JSON_MAX_DEPTH)
		return fail_at(ps, ps->p, "nesting deeper than 256 levels");
	switch (*ps->p) {
	case '{':
		err = parse_object(out, ps);
		break;
	case '[':
		err = parse_array(out, ps);
		break;
	case '"':
		ps->p++;
		err = parse_string_text(ps);
		if (err == 0 && !(*out = cJSON_CreateString(ps->text.data)))
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		break;
	case 't':
		if ((err = expect_word(ps, "true")) == 0)
			*out = cJSON_CreateTrue();
		break;
	case 'f':
		if ((err = expect_word(ps, "false")) == 0)
			*out = cJSON_CreateFalse();
		break;
	case 'n':
		if ((err = expect_word(ps, "null")) == 0)
			*out = cJSON_CreateNull();
		break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			err = parse_number(out, ps);
		else
			err = fail_at(ps, ps->p, "unexpected character");
		break;
	}
	if (err == 0 && !*out)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	ps->depth--;
	return err;
}

int ccgov_json_parse(cJSON **out, const char *text, size_t len, const char *name)
{
	parser ps = { 0 };
	cJSON *root = NULL;
	int err;

	*out = NULL;
	ps.start = ps.p = (const unsigned char *)text;
	ps.end = ps.start + len;
	ps.name = name;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
		err = fail_at(&ps, ps.p, "byte order mark is not allowed");
		goto done;
	}
	err = parse_value(&root, &ps);
	if (err == 0) {
		skip_space(&ps);
		if (ps.p < ps.end)
			err = fail_at(&ps, ps.p, "unexpected data after the JSON value");
	}
done:
	ccgov_buffer_free(&ps.text);
	if (err < 0) {
		cJSON_Delete(root);
		return err;
	}
	*out = root;
	return 0;
}

int ccgov_json_parse_file(cJSON **out, const char *path, size_t max_size)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	if ((err = ccgov_file_read(&text, &len, path, max_size)) < 0)
		return err;
	err = ccgov_json_parse(out, text, len, path);
	free(text);
	return err;
}

/* ---- numbers ---------------------------------------------------------- */

/*
 * cJSON keeps a number as a double only; valuestring, unused for numbers,
 * holds the exact decimal text of an integer, which cJSON_Delete frees and
 * cJSON_Duplicate copies.
 */
cJSON *ccgov_json_create_int64(int64_t n)
{
	cJSON *v = cJSON_CreateNumber((double)n);
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, n);
	if (v && !(v->valuestring = strdup(text))) {
		cJSON_Delete(v);
		return NULL;
	}
	return v;
}

/*
 * The integer kept in v's text. A text that no longer matches the double
 * was left behind by cJSON_SetNumberValue, which knows nothing of it.
 */
static int kept_integer(int64_t *out, const cJSON *v)
{
	long long n;
	char *end;

	if (!cJSON_IsNumber(v) || !v->valuestring)
		return 0;
	errno = 0;
	n = strtoll(v->valuestring, &end, 10);
	if (errno || end == v->valuestring || *end || (double)n != v->valuedouble)
		return 0;
	*out = n;
	return 1;
}

static int exact_integer(int64_t *out, const cJSON *v)
{
	double d;

	if (kept_integer(out, v))
		return 1;
	if (!cJSON_IsNumber(v))
		return 0;
	/* Within 2^53 a double holds every integer, so 1.0 and 1e2 are exact. */
	d = v->valuedouble;
	if (!(d >= -CCGOV_JSON_EXACT_LIMIT && d <= CCGOV_JSON_EXACT_LIMIT) || d != (double)(int64_t)d)
		return 0;
	*out = (int64_t)d;
	return 1;
}

/* What v is, for a message: its number, or its kind. */
static const char *describe(char buf[40], const cJSON *v)
{
	int64_t n;

	if (kept_integer(&n, v)) {
		snprintf(buf, 40, "%" PRId64, n);
		return buf;
	}
	if (cJSON_IsNumber(v) && ccgov_json_number(buf, 40, v->valuedouble) == 0)
		return buf;
	return !v ? "nothing" : cJSON_IsNumber(v) ? "NaN or an infinity" : cJSON_IsString(v) ? "a string" :
	       cJSON_IsTrue(v) ? "true" : cJSON_IsFalse(v) ? "false" : cJSON_IsNull(v) ? "null" :
	       cJSON_IsArray(v) ? "an array" : "an object";
}

int ccgov_json_int64(int64_t *out, const cJSON *item, int64_t min, int64_t max, const char *where)
{
	char shown[40], range[64] = "";
	int64_t n;

	if (exact_integer(&n, item) && n >= min && n <= max) {
		*out = n;
		return 0;
	}
	if (min != INT64_MIN || max != INT64_MAX)
		snprintf(range, sizeof(range), " from %" PRId64 " to %" PRId64, min, max);
	return ccgov_error_set(CCGOV_EINVALID, "%s: %.100s%sexpected an integer%s, not %s", where,
			       item && item->string ? item->string : "", item && item->string ? ": " : "", range,
			       describe(shown, item));
}


/*
 * The shortest decimal that reads back as v: try 1 to 17 significant
 * digits; printf rounds correctly, so the first that round-trips is also
 * the closest of that length, which is what ECMAScript asks for.
 */
static int shortest_digits(char digits[24], int *exponent, double v)
{
	char text[40];

	for (int precision = 1; precision <= 17; precision++) {
		snprintf(text, sizeof(text), "%.*e", precision - 1, v);
		if (strtod(text, NULL) == v || precision == 17)
			break;
	}
	/* text is "d.ddde[+-]xx": collect the digits, then the exponent. */
	size_t k = 0;
	const char *q = text;

	for (; *q && *q != 'e'; q++)
		if (*q >= '0' && *q <= '9')
			digits[k++] = *q;
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	*exponent = atoi(q + 1) + 1; /* value = 0.DIGITS x 10^exponent */
	return (int)k;
}

int ccgov_json_number(char *out, size_t size, double v)
{
	char digits[24];
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	int k, n;

	if (isnan(v) || isinf(v))
		return ccgov_error_set(CCGOV_EINVALID,
				       "NaN and Infinity have no JSON form");
	if (v == 0) {
		snprintf(out, size, "0");
		return 0;
	}
	if (v < 0) {
		ccgov_buffer_putc(&b, '-');
		v = -v;
	}
	k = shortest_digits(digits, &n, v);
	if (k <= n && n <= 21) {
		ccgov_buffer_puts(&b, digits);
		for (int i = 0; i < n - k; i++)
			ccgov_buffer_putc(&b, '0');
	} else if (0 < n && n <= 21) {
		ccgov_buffer_append(&b, digits, (size_t)n);
		ccgov_buffer_putc(&b, '.');
		ccgov_buffer_puts(&b, digits + n);
	} else if (-6 < n && n <= 0) {
		ccgov_buffer_puts(&b, "0.");
		for (int i = 0; i < -n; i++)
			ccgov_buffer_putc(&b, '0');
		ccgov_buffer_puts(&b, digits);
	} else {
		ccgov_buffer_putc(&b, digits[0]);
		if (k > 1) {
			ccgov_buffer_putc(&b, '.');
			ccgov_buffer_puts(&b, digits + 1);
		}
		ccgov_buffer_printf(&b, "e%c%d", n - 1 < 0 ? '-' : '+', abs(n - 1));
	}
	if (ccgov_buffer_check(&b) < 0)
		return CCGOV_ENOMEM;
	snprintf(out, size, "%s", b.data);
	ccgov_buffer_free(&b);
	return 0;
}

/* ---- writing ---------------------------------------------------------- */

/* Next UTF-16 code unit of a UTF-8 string, for RFC 8785 key order. */
typedef struct {
	const unsigned char *p, *end;
	uint16_t pending; /* low surrogate still to come, or 0 */
} utf16_reader;

static int next_unit(utf16_reader *r, uint32_t *unit)
{
	uint32_t cp;
	size_t n;

	if (r->pending) {
		*unit = r->pending;
		r->pending = 0;
		return 1;
	}
	if (r->p >= r->end)
		return 0;
	n = ccgov_utf8_decode(&cp, r->p, (size_t)(r->end - r->p));
	if (!n) /* invalid bytes sort as themselves; writing rejects them */
		cp = *r->p, n = 1;
	r->p += n;
	if (cp >= 0x10000) {
		cp -= 0x10000;
		*unit = 0xd800 + (cp >> 10);
		r->pending = (uint16_t)(0xdc00 + (cp & 0x3ff));
		return 1;
	}
	*unit = cp;
	return 1;
}

static int compare_utf16(const void *a, const void *b)
{
	const char *x = (*(const cJSON *const *)a)->string;
	const char *y = (*(const cJSON *const *)b)->string;
	utf16_reader rx = { (const unsigned char *)x, (const unsigned char *)x + strlen(x), 0 };
	utf16_reader ry = { (const unsigned char *)y, (const unsigned char *)y + strlen(y), 0 };

	for (;;) {
		uint32_t ux = 0, uy = 0;
		int hx = next_unit(&rx, &ux), hy = next_unit(&ry, &uy);

		if (!hx || !hy)
			return hx - hy;
		if (ux != uy)
			return ux < uy ? -1 : 1;
	}
}

static int write_string(ccgov_buffer *out, const char *s)
{
	size_t len = strlen(s);

	if (!ccgov_utf8_valid(s, len))
		return ccgov_error_set(CCGOV_EINVALID,
				       "JSON string is not valid UTF-8: \"%.40s\"", s);
	ccgov_buffer_putc(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': ccgov_buffer_puts(out, "\\\""); break;
		case '\\': ccgov_buffer_puts(out, "\\\\"); break;
		case '\b': ccgov_buffer_puts(out, "\\b"); break;
		case '\f': ccgov_buffer_puts(out, "\\f"); break;
		case '\n': ccgov_buffer_puts(out, "\\n"); break;
		case '\r': ccgov_buffer_puts(out, "\\r"); break;
		case '\t': ccgov_buffer_puts(out, "\\t"); break;
		default:
			if (*p < 0x20)
				ccgov_buffer_printf(out, "\\u%04x", *p);
			else
				ccgov_buffer_putc(out, (char)*p);
		}
	}
	ccgov_buffer_putc(out, '"');
	return 0;
}

static void newline(ccgov_buffer *out, int style, int depth)
{
	if (style != CCGOV_JSON_PRETTY)
		return;
	ccgov_buffer_putc(out, '\n');
	for (int i = 0; i < depth; i++)
		ccgov_buffer_puts(out, "  ");
}

static int write_value(ccgov_buffer *out, const cJSON *v, int style, int depth);

static int write_object(ccgov_buffer *out, const cJSON *v, int style, int depth)
{
	size_t n = 0, i = 0;
	const cJSON **members;
	const cJSON *c;
	int err = 0;

	for (c = v->child; c; c = c->next)
		n++;
	if (n == 0) {
		ccgov_buffer_puts(out, "{}");
		return 0;
	}
	if (!(members = malloc(n * sizeof(*members))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (c = v->child; c; c = c->next) {
		if (!c->string) {
			free(members);
			return ccgov_error_set(CCGOV_EINVALID, "JSON object member without a key");
		}
		members[i++] = c;
	}
	qsort(members, n, sizeof(*members), compare_utf16);
	ccgov_buffer_putc(out, '{');
	for (i = 0; i < n && err == 0; i++) {
		if (i > 0 && strcmp(members[i - 1]->string, members[i]->string) == 0) {
			err = ccgov_error_set(CCGOV_EINVALID, "duplicate JSON key \"%.100s\"",
					      members[i]->string);
			break;
		}
		if (i > 0)
			ccgov_buffer_putc(out, ',');
		newline(out, style, depth + 1);
		if ((err = write_string(out, members[i]->string)) < 0)
			break;
		ccgov_buffer_puts(out, style == CCGOV_JSON_PRETTY ? ": " : ":");
		err = write_value(out, members[i], style, depth + 1);
	}
	free(members);
	if (err < 0)
		return err;
	newline(out, style, depth);
	ccgov_buffer_putc(out, '}');
	return 0;
}

static int write_array(ccgov_buffer *out, const cJSON *v, int style, int depth)
{
	int err;

	if (!v->child) {
		ccgov_buffer_puts(out, "[]");
		return 0;
	}
	ccgov_buffer_putc(out, '[');
	for (const cJSON *c = v->child; c; c = c->next) {
		if (c != v->child)
			ccgov_buffer_putc(out, ',');
		newline(out, style, depth + 1);
		if ((err = write_value(out, c, style, depth + 1)) < 0)
			return err;
	}
	newline(out, style, depth);
	ccgov_buffer_putc(out, ']');
	return 0;
}

/* Whether decimal digits (and a sign) name an integer of 64 bits. */
static int fits_int64(const char *digits)
{
	errno = 0;
	strtoll(digits, NULL, 10);
	return errno == 0;
}

/*
 * RFC 8785 writes a number as the shortest form of its double, written
 * here only when it reads back, by the rule of ccgov/json.h, as the same
 * number: beyond 2^53 an integer may have another form (2^63-1 would be
 * 9223372036854776000), and a whole double from 2^63 to 10^21 has the
 * form of an integer that does not fit in 64 bits.
 */
static int write_number(ccgov_buffer *out, const cJSON *v)
{
	const char *key = v->string ? v->string : "", *sep = v->string ? ": " : "";
	char number[32], digits[24];
	int64_t n;
	int err;

	if ((err = ccgov_json_number(number, sizeof(number), v->valuedouble)) < 0)
		return err;
	if (kept_integer(&n, v)) {
		snprintf(digits, sizeof(digits), "%" PRId64, n);
		if (strcmp(digits, number) != 0)
			return ccgov_error_set(CCGOV_EINVALID,
					       "%.100s%sinteger %s has no exact RFC 8785 form: it would be written %s",
					       key, sep, digits, number);
	} else if (!strpbrk(number, ".e") && !fits_int64(number)) {
		return ccgov_error_set(CCGOV_EINVALID,
				       "%.100s%snumber %s has an RFC 8785 form that reads as an integer beyond 64 bits",
				       key, sep, number);
	}
	ccgov_buffer_puts(out, number);
	return 0;
}

static int write_value(ccgov_buffer *out, const cJSON *v, int style, int depth)
{
	if (depth > CCGOV_JSON_MAX_DEPTH)
		return ccgov_error_set(CCGOV_EINVALID, "JSON nesting deeper than 256 levels");
	switch (v->type & 0xff) {
	case cJSON_NULL:
		ccgov_buffer_puts(out, "null");
		return 0;
	case cJSON_True:
		ccgov_buffer_puts(out, "true");
		return 0;
	case cJSON_False:
		ccgov_buffer_puts(out, "false");
		return 0;
	case cJSON_Number:
		return write_number(out, v);
	case cJSON_String:
		return write_string(out, v->valuestring ? v->valuestring : "");
	case cJSON_Array:
		return write_array(out, v, style, depth);
	case cJSON_Object:
		return write_object(out, v, style, depth);
	default:
		return ccgov_error_set(CCGOV_EINVALID, "JSON value of unknown type");
	}
}

int ccgov_json_write(ccgov_buffer *out, const cJSON *value, int style)
{
	int err = write_value(out, value, style, 0);

	if (err == 0 && style == CCGOV_JSON_PRETTY)
		ccgov_buffer_putc(out, '\n');
	if (err == 0)
		err = ccgov_buffer_check(out);
	return err;
}

const char *ccgov_json_string(const cJSON *object, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(object, key));
}
