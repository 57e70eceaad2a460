/*
 * Rule files: "; key: value" header lines, then a tree-sitter query. The
 * header is itself query comments, so a rule file is a valid query file
 * that editors and the tree-sitter CLI understand.
 */
#include "engine.h"

#include <ccgov/buffer.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/utf8.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_RULE_FILE (256u << 10)

static const char *const categories[] = { "sealing", "runtime-config", "code-loading",
					  "insecure-transport", "debug-enclave", "inventory" };

const char *ccgov_severity_name(ccgov_severity s)
{
	static const char *const names[] = { "note", "warning", "error" };

	return names[s];
}

int ccgov_severity_parse(ccgov_severity *out, const char *name)
{
	for (int i = 0; i < 3; i++) {
		if (strcmp(name, ccgov_severity_name((ccgov_severity)i)) == 0) {
			*out = (ccgov_severity)i;
			return 0;
		}
	}
	return ccgov_error_set(CCGOV_EINVALID, "'%s': unknown severity (expected note, warning or error)", name);
}

static int set_field(ccgov_rule *r, const char *key, const char *value, const char *path, int line)
{
	char **slot = NULL;

	if (strcmp(key, "id") == 0)
		slot = &r->id;
	else if (strcmp(key, "title") == 0)
		slot = &r->title;
	else if (strcmp(key, "category") == 0)
		slot = &r->category;
	else if (strcmp(key, "message") == 0)
		slot = &r->message;
	else if (strcmp(key, "remediation") == 0)
		slot = &r->remediation;
	else if (strcmp(key, "requirement") == 0)
		slot = &r->requirement;
	else if (strcmp(key, "inventory") == 0) {
		if (strcmp(value, "env") && strcmp(value, "file") && strcmp(value, "reload"))
			return ccgov_error_set(CCGOV_EINVALID, "%s:%d: inventory is env, file or reload, not '%s'",
					       path, line, value);
		slot = &r->inventory;
	}
	else if (strcmp(key, "skip-files") == 0)
		slot = &r->skip_files;
	else if (strcmp(key, "severity") == 0) {
		if (ccgov_severity_parse(&r->severity, value) < 0)
			return ccgov_error_wrap("%s:%d: severity", path, line);
		return 0;
	} else if (strcmp(key, "languages") == 0) {
		char *copy = strdup(value), *save = NULL;

		if (!copy)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		for (char *t = strtok_r(copy, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
			int found = 0;

			for (int i = 0; i < LANGUAGE_COUNT; i++)
				if (strcmp(t, languages[i].name) == 0)
					r->languages |= languages[i].bit, found = 1;
			if (!found) {
				ccgov_error_set(CCGOV_EINVALID, "%s:%d: unknown language '%s' (expected c, cpp, go, rust, python, json, toml)",
						path, line, t);
				free(copy);
				return CCGOV_EINVALID;
			}
		}
		free(copy);
		return 0;
	} else {
		return ccgov_error_set(CCGOV_EINVALID, "%s:%d: unknown header key '%s'", path, line, key);
	}
	if (*slot)
		return ccgov_error_set(CCGOV_EINVALID, "%s:%d: '%s' given twice", path, line, key);
	if (!(*slot = strdup(value)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

/* Reads the "; key: value" lines at the top of text. */
static int parse_header(ccgov_rule *r, char *text, const char *path)
{
	int line = 1;

	for (char *p = text; *p == ';' || *p == '\n'; line++) {
		char *end = strchr(p, '\n'), *colon, *key, *value;

		if (end)
			*end = '\0';
		key = p + 1;
		while (*key == ';' || *key == ' ')
			key++;
		colon = strchr(key, ':');
		/* Comment lines without "key:" are allowed: a rule may explain itself. */
		if (colon && colon > key && strspn(key, "abcdefghijklmnopqrstuvwxyz-") == (size_t)(colon - key)) {
			int err;

			/* "; query: LANGS" starts the queries: the header is over. */
			if (colon - key == 5 && strncmp(key, "query", 5) == 0) {
				if (end)
					*end = '\n';
				break;
			}

			*colon = '\0';
			value = colon + 1;
			while (*value == ' ')
				value++;
			err = set_field(r, key, value, path, line);
			*colon = ':';
			if (err < 0) {
				if (end)
					*end = '\n';
				return err;
			}
		}
		if (!end)
			break;
		*end = '\n';
		p = end + 1;
	}
	if (!r->id || !r->title || !r->category || !r->message || !r->requirement || !r->languages)
		return ccgov_error_set(CCGOV_EINVALID,
				       "%s:1: a rule needs id, title, category, severity, languages, message and requirement",
				       path);
	if ((strcmp(r->category, "inventory") == 0) != (r->inventory != NULL))
		return ccgov_error_set(CCGOV_EINVALID, "%s:1: 'inventory: KIND' goes with category inventory, and only there", path);
	for (size_t i = 0; i < sizeof(categories) / sizeof(categories[0]); i++)
		if (strcmp(r->category, categories[i]) == 0)
			return 0;
	return ccgov_error_set(CCGOV_EINVALID, "%s: unknown category '%s'", path, r->category);
}

/* Records where a rule's query for one language is; it is compiled with the others. */
static void add_section(rule_entry *e, int lang, const char *source, uint32_t len, uint32_t base_line)
{
	e->sections[lang] = (query_section){ (uint32_t)(source - e->text), len, base_line, 1 };
}

/* Parses "c, cpp" into language bits. */
static int parse_languages(unsigned *out, const char *list, const char *path, uint32_t line)
{
	ccgov_rule tmp = { 0 };
	int err;

	err = set_field(&tmp, "languages", list, path, (int)line);
	*out = tmp.languages;
	return err;
}

/*
 * Node types differ between grammars, so a rule may hold one query per
 * group of languages, each after a "; query: LANGS" line. Without such
 * lines the whole file is the query for every language of the rule.
 */
static int compile_sections(rule_entry *e, const char *text, size_t len, const char *path)
{
	const char *marker = "; query:";
	const char *p = text, *end = text + len;
	unsigned done = 0;
	uint32_t line = 1;
	int err = 0, sections = 0;

	while (p < end && err == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *next = nl ? nl + 1 : end;

		if ((size_t)(end - p) > strlen(marker) && strncmp(p, marker, strlen(marker)) == 0) {
			char list[128];
			const char *body = next, *stop = body, *q;
			uint32_t body_line = line + 1;
			unsigned langs;

			snprintf(list, sizeof(list), "%.*s", (int)((nl ? nl : end) - p - strlen(marker)),
				 p + strlen(marker));
			if ((err = parse_languages(&langs, list, path, line)) < 0)
				break;
			if (langs & ~e->rule.languages || langs & done)
				return ccgov_error_set(CCGOV_EINVALID,
						       "%s:%u: a query section's languages must be in 'languages' and not repeat",
						       path, line);
			/* The section runs to the next marker. */
			for (q = body; q < end;) {
				const char *qn = memchr(q, '\n', (size_t)(end - q));

				if (strncmp(q, marker, strlen(marker)) == 0)
					break;
				q = qn ? qn + 1 : end;
			}
			stop = q;
			for (int i = 0; i < LANGUAGE_COUNT && err == 0; i++)
				if (langs & languages[i].bit)
					add_section(e, i, body, (uint32_t)(stop - body), body_line);
			done |= langs;
			sections++;
			for (const char *c = p; c < stop; c++)
				line += *c == '\n';
			p = stop;
			continue;
		}
		line++;
		p = next;
	}
	if (err == 0 && sections == 0) {
		for (int i = 0; i < LANGUAGE_COUNT && err == 0; i++)
			if (e->rule.languages & languages[i].bit)
				add_section(e, i, text, (uint32_t)len, 1);
		done = e->rule.languages;
	}
	if (err == 0 && done != e->rule.languages)
		err = ccgov_error_set(CCGOV_EINVALID, "%s: a language in 'languages' has no query section", path);
	return err;
}

static int load_file(rule_entry *e, const char *path)
{
	char *text = NULL;
	size_t len;
	int err;

	memset(e, 0, sizeof(*e));
	e->rule.severity = CCGOV_SEVERITY_WARNING;
	if ((err = ccgov_file_read(&text, &len, path, MAX_RULE_FILE)) < 0)
		return err;
	if (!ccgov_utf8_valid(text, len) || memchr(text, '\0', len)) {
		free(text);
		return ccgov_error_set(CCGOV_EINVALID, "%s: not UTF-8 text", path);
	}
	e->text = text;
	if (!(e->rule.path = strdup(path)))
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (err == 0)
		err = parse_header(&e->rule, text, path);
	if (err == 0)
		err = compile_sections(e, text, len, path);
	return err;
}

static void free_entry(rule_entry *e)
{
	ccgov_rule *r = &e->rule;

	free(r->id);
	free(r->title);
	free(r->category);
	free(r->message);
	free(r->remediation);
	free(r->requirement);
	free(r->path);
	free(r->inventory);
	free(r->skip_files);
	free(e->text);
}

typedef struct {
	char **paths;
	size_t len, cap;
} path_list;

static int collect(path_list *l, const char *dir, int depth)
{
	DIR *d;
	struct dirent *de;
	int err = 0;

	if (depth > 16)
		return ccgov_error_set(CCGOV_EINVALID, "%s: rule folders nested too deep", dir);
	if (!(d = opendir(dir)))
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s", dir);
	while (err == 0 && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		char *path;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (!(path = malloc(strlen(dir) + n + 2))) {
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			break;
		}
		sprintf(path, "%s/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			err = collect(l, path, depth + 1);
			free(path);
		} else if (n > 4 && strcmp(de->d_name + n - 4, ".scm") == 0) {
			if (l->len == l->cap) {
				char **p = realloc(l->paths, (l->cap = l->cap ? l->cap * 2 : 64) * sizeof(*p));

				if (!p) {
					free(path);
					err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
					break;
				}
				l->paths = p;
			}
			l->paths[l->len++] = path;
		} else {
			free(path);
		}
	}
	closedir(d);
	return err;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_rule_id(const void *a, const void *b)
{
	return strcmp(((const rule_entry *)a)->rule.id, ((const rule_entry *)b)->rule.id);
}

int ccgov_ruleset_load(ccgov_ruleset **out, const char *const *dirs, size_t ndirs)
{
	ccgov_ruleset *rs = calloc(1, sizeof(*rs));
	path_list l = { 0 };
	int err = 0;

	*out = NULL;
	if (!rs)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (size_t i = 0; i < ndirs && err == 0; i++)
		err = collect(&l, dirs[i], 0);
	if (err == 0 && l.len)
		qsort(l.paths, l.len, sizeof(*l.paths), by_string);
	if (err == 0 && !(rs->rules = calloc(l.len ? l.len : 1, sizeof(*rs->rules))))
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (size_t i = 0; i < l.len && err == 0; i++) {
		err = load_file(&rs->rules[i], l.paths[i]);
		rs->count++;
	}
	if (err == 0) {
		qsort(rs->rules, rs->count, sizeof(*rs->rules), by_rule_id);
		for (size_t i = 1; i < rs->count && err == 0; i++)
			if (strcmp(rs->rules[i - 1].rule.id, rs->rules[i].rule.id) == 0)
				err = ccgov_error_set(CCGOV_EINVALID, "%s: rule id '%s' is also used by %s",
						      rs->rules[i].rule.path, rs->rules[i].rule.id,
						      rs->rules[i - 1].rule.path);
	}
	/* After sorting: the queries and the pre-filter refer to rules by their index. */
	if (err == 0)
		err = queries_compile(rs);
	if (err == 0)
		err = prefilter_build(rs);
	for (size_t i = 0; i < l.len; i++)
		free(l.paths[i]);
	free(l.paths);
	if (err < 0) {
		ccgov_ruleset_free(rs);
		return err;
	}
	*out = rs;
	return 0;
}

size_t ccgov_ruleset_count(const ccgov_ruleset *rs)
{
	return rs->count;
}

const ccgov_rule *ccgov_ruleset_rule(const ccgov_ruleset *rs, size_t i)
{
	return &rs->rules[i].rule;
}

void ccgov_ruleset_free(ccgov_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->count; i++)
		free_entry(&rs->rules[i]);
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i < LANGUAGE_COUNT; i++) {
			query_free(&rs->queries[k][i]);
			prefilter_free(&rs->prefilters[k][i]);
		}
	}
	free(rs->rules);
	free(rs);
}
