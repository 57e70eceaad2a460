/*
 * .gitmodules, read as git's config parser (config.c) reads it, character
 * by character: a key may follow its section header on the same line,
 * "\r\n" is a newline, a value's unquoted spaces fold, an unknown escape
 * is an error. Only [submodule "NAME"] sections are kept.
 */
#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/gitmodules.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODULES 1000
#define MAX_NAME 4096

typedef struct {
	const char *p, *end, *shown;
	int line;
	ccgov_buffer section; /* "submodule" or other, lower case */
	ccgov_buffer sub;     /* the subsection: the submodule's name */
	int has_sub;
	ccgov_gitmodule *mods;
	size_t n, cap;
} parser;

#define EOF_CHAR (-1)

static int next(parser *ps)
{
	int c;

	if (ps->p >= ps->end)
		return EOF_CHAR;
	c = (unsigned char)*ps->p++;
	if (c == '\r' && ps->p < ps->end && *ps->p == '\n')
		c = (unsigned char)*ps->p++;
	if (c == '\n')
		ps->line++;
	return c;
}

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_key_char(int c)
{
	return c >= 0 && c < 0x80 && (isalnum(c) || c == '-');
}

static int bad_at(const parser *ps, int line, const char *why)
{
	return ccgov_error_set(CCGOV_EINVALID, "%s:%d: %s", ps->shown, line, why);
}

static int bad(const parser *ps, const char *why)
{
	return bad_at(ps, ps->line, why);
}

/* '[' seen: "[name]", "[name "sub"]" or the old "[name.sub]". */
static int section_header(parser *ps)
{
	int c;

	ps->section.len = ps->sub.len = 0;
	ps->has_sub = 0;
	ccgov_buffer_append(&ps->section, "", 0);
	ccgov_buffer_append(&ps->sub, "", 0);
	for (;;) {
		if ((c = next(ps)) == EOF_CHAR || c == '\n')
			return bad(ps, "unterminated section header");
		if (c == ']')
			break;
		if (is_space(c)) {
			while ((c = next(ps)) != EOF_CHAR && c != '\n' && is_space(c))
				;
			if (c != '"')
				return bad(ps, "expected '\"' after the section name");
			ps->has_sub = 1;
			while ((c = next(ps)) != '"') {
				if (c == '\\')
					c = next(ps);
				if (c == EOF_CHAR || c == '\n')
					return bad(ps, "unterminated subsection name");
				ccgov_buffer_putc(&ps->sub, (char)c);
			}
			if (next(ps) != ']')
				return bad(ps, "expected ']' after the subsection name");
			break;
		}
		if (!is_key_char(c) && c != '.')
			return bad(ps, "invalid character in section name");
		ccgov_buffer_putc(&ps->section, (char)tolower(c));
	}
	if (ps->section.len == 0)
		return bad(ps, "empty section name");
	if (!ps->has_sub && ps->section.data) {
		/* The old "[submodule.name]": the name is what follows the first '.', lower-cased. */
		char *dot = strchr(ps->section.data, '.');

		if (dot) {
			ccgov_buffer_puts(&ps->sub, dot + 1);
			ps->section.len = (size_t)(dot - ps->section.data);
			*dot = '\0';
			ps->has_sub = 1;
		}
	}
	if (ps->sub.len > MAX_NAME)
		return bad(ps, "submodule name too long");
	return ccgov_buffer_check(&ps->section) < 0 ? CCGOV_ENOMEM : ccgov_buffer_check(&ps->sub);
}

/* After '=': quotes group, escapes \t \b \n \\ \" and a newline; comments and spaces outside quotes. */
static int value(parser *ps, ccgov_buffer *v)
{
	int quote = 0, comment = 0, c;
	size_t spaces = 0;

	for (;;) {
		c = next(ps);
		if (c == '\n' || c == EOF_CHAR)
			return quote ? bad_at(ps, ps->line - (c == '\n'), "unterminated quoted value")
				     : ccgov_buffer_check(v);
		if (comment)
			continue;
		if (is_space(c) && !quote) {
			spaces += v->len > 0;
			continue;
		}
		if (!quote && (c == ';' || c == '#')) {
			comment = 1;
			continue;
		}
		for (; spaces; spaces--)
			ccgov_buffer_putc(v, ' ');
		if (c == '\\') {
			switch (c = next(ps)) {
			case '\n': continue;
			case 't': c = '\t'; break;
			case 'b': c = '\b'; break;
			case 'n': c = '\n'; break;
			case '\\': case '"': break;
			default: return bad(ps, "unknown escape in value");
			}
			ccgov_buffer_putc(v, (char)c);
			continue;
		}
		if (c == '"') {
			quote = !quote;
			continue;
		}
		ccgov_buffer_putc(v, (char)c);
		if (v->len > CCGOV_GITMODULES_MAX)
			return bad(ps, "value too long");
	}
}

static ccgov_gitmodule *module_named(parser *ps, const char *name)
{
	ccgov_gitmodule *m;

	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->mods[i].name, name) == 0)
			return &ps->mods[i];
	if (ps->n == MAX_MODULES)
		return NULL;
	if (ps->n == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 8;
		ccgov_gitmodule *p = realloc(ps->mods, cap * sizeof(*p));

		if (!p)
			return NULL;
		ps->mods = p;
		ps->cap = cap;
	}
	m = &ps->mods[ps->n];
	memset(m, 0, sizeof(*m));
	if (!(m->name = strdup(name)))
		return NULL;
	ps->n++;
	return m;
}

/* A key line, its first letter c already read; kept when it is submodule.NAME.path or .url. */
static int key(parser *ps, int c)
{
	char name[64];
	size_t len = 0;
	ccgov_buffer v = CCGOV_BUFFER_INIT;
	int has_value = 0, err = 0, line = ps->line;

	while (is_key_char(c)) {
		if (len < sizeof(name) - 1)
			name[len++] = (char)tolower(c);
		c = next(ps);
	}
	name[len] = '\0';
	while (c == ' ' || c == '\t')
		c = next(ps);
	if (c != '\n' && c != EOF_CHAR) {
		if (c != '=')
			return bad(ps, "expected '=' after the key");
		if ((err = value(ps, &v)) < 0) {
			ccgov_buffer_free(&v);
			return err;
		}
		has_value = 1;
	}
	if (ps->section.data && strcmp(ps->section.data, "submodule") == 0 && ps->has_sub &&
	    (strcmp(name, "path") == 0 || strcmp(name, "url") == 0)) {
		ccgov_gitmodule *m;
		char **slot;

		if (!has_value)
			err = bad_at(ps, line, "path and url need a value");
		else if (memchr(v.data ? v.data : "", '\0', v.len) || strlen(ps->sub.data) != ps->sub.len)
			err = bad_at(ps, line, "NUL byte in a submodule's name, path or url");
		else if (!(m = module_named(ps, ps->sub.data)))
			err = ccgov_error_set(CCGOV_ENOMEM, "%s: too many submodules, or out of memory",
					      ps->shown);
		else {
			slot = name[0] == 'p' ? &m->path : &m->url;
			free(*slot);
			*slot = ccgov_buffer_detach(&v, NULL);
			if (!*slot)
				err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		}
	}
	ccgov_buffer_free(&v);
	return err;
}

static int parse(parser *ps)
{
	int comment = 0, c, err = 0, seen_section = 0;

	/* A UTF-8 byte order mark is skipped, as git does. */
	if (ps->end - ps->p >= 3 && memcmp(ps->p, "\xef\xbb\xbf", 3) == 0)
		ps->p += 3;
	while (err == 0 && (c = next(ps)) != EOF_CHAR) {
		if (c == '\n') {
			comment = 0;
		} else if (comment || is_space(c)) {
			continue;
		} else if (c == '#' || c == ';') {
			comment = 1;
		} else if (c == '[') {
			err = section_header(ps);
			seen_section = 1;
		} else if (c < 0x80 && isalpha(c) && seen_section) {
			err = key(ps, c);
		} else {
			err = bad(ps, seen_section ? "expected a key or a section" : "expected a section");
		}
	}
	return err;
}

int ccgov_gitmodules_parse(ccgov_gitmodule **out, size_t *n, const char *text, size_t len,
			   const char *shown_as)
{
	parser ps = { text, text + len, shown_as, 1, CCGOV_BUFFER_INIT, CCGOV_BUFFER_INIT, 0, NULL, 0, 0 };
	int err;

	*out = NULL;
	*n = 0;
	if (len > CCGOV_GITMODULES_MAX)
		return ccgov_error_set(CCGOV_EINVALID, "%s: larger than 1 MiB", shown_as);
	err = parse(&ps);
	ccgov_buffer_free(&ps.section);
	ccgov_buffer_free(&ps.sub);
	if (err < 0) {
		ccgov_gitmodules_free(ps.mods, ps.n);
		return err;
	}
	*out = ps.mods;
	*n = ps.n;
	return 0;
}

void ccgov_gitmodules_free(ccgov_gitmodule *modules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(modules[i].name);
		free(modules[i].path);
		free(modules[i].url);
	}
	free(modules);
}

int ccgov_gitmodule_name_ok(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return 0;
	while (*p) {
		size_t n = strcspn(p, "/\\");

		if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		p += n;
		if (*p && !*++p)
			return 0;
	}
	return 1;
}

/*
 * git's relative_url(): "../" drops the last component of the base, after
 * its last '/' or else its last ':' (then the rest joins with ':', as in
 * "host:repo"); "./" drops nothing. NULL when the base runs out.
 */
char *ccgov_gitmodule_resolve_url(const char *url, const char *base)
{
	char *remote, *cut;
	size_t len;
	int colon = 0;
	ccgov_buffer b = CCGOV_BUFFER_INIT;

	if (strncmp(url, "./", 2) != 0 && strncmp(url, "../", 3) != 0)
		return strdup(url);
	if (!base || !*base || !(remote = strdup(base)))
		return NULL;
	len = strlen(remote);
	if (remote[len - 1] == '/')
		remote[len - 1] = '\0';
	for (;;) {
		if (strncmp(url, "../", 3) == 0) {
			url += 3;
			if ((cut = strrchr(remote, '/'))) {
				*cut = '\0';
			} else if ((cut = strrchr(remote, ':'))) {
				*cut = '\0';
				colon = 1;
			} else {
				free(remote);
				return NULL;
			}
		} else if (strncmp(url, "./", 2) == 0) {
			url += 2;
		} else {
			break;
		}
	}
	ccgov_buffer_printf(&b, "%s%c%s", remote, colon ? ':' : '/', url);
	free(remote);
	if (b.failed) {
		ccgov_buffer_free(&b);
		return NULL;
	}
	if (b.len && b.data[b.len - 1] == '/')
		b.data[--b.len] = '\0';
	return ccgov_buffer_detach(&b, NULL);
}
