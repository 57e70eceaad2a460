/*
 * One query per language. tree-sitter walks the whole tree once for each
 * query it runs, so one query per rule walked every tree once per rule:
 * with twenty rules that cost three times the parse itself. The rules of
 * a language are therefore joined and compiled as one query; each pattern
 * maps back to its rule, and every message about a pattern names the rule
 * file and line it came from.
 */
#include "engine.h"

#include <ccgov/buffer.h>
#include <ccgov/error.h>

#include <stdlib.h>
#include <string.h>

/*
 * A rule's text must hold whole patterns: with its parentheses and
 * brackets balanced (outside strings and comments), no pattern can run on
 * into the next rule's text once the two are joined. Returns where the
 * text goes wrong (an unclosed group's start, a stray closer, an
 * unterminated string), or -1.
 */
static long unbalanced_at(const char *s, uint32_t n)
{
	long outer = -1;
	int depth = 0;

	for (uint32_t i = 0; i < n; i++) {
		if (s[i] == ';') {
			while (i < n && s[i] != '\n')
				i++;
		} else if (s[i] == '"') {
			uint32_t start = i;

			for (i++; i < n && s[i] != '"'; i++)
				i += s[i] == '\\';
			if (i >= n)
				return start;
		} else if (s[i] == '(' || s[i] == '[') {
			if (depth++ == 0)
				outer = i;
		} else if ((s[i] == ')' || s[i] == ']') && --depth < 0) {
			return i;
		}
	}
	return depth ? outer : -1;
}

static size_t segment_at(const query_segment *seg, size_t n, uint32_t offset)
{
	size_t s = 0;

	while (s + 1 < n && seg[s + 1].offset <= offset)
		s++;
	return s;
}

static uint32_t line_at(const char *source, const query_segment *seg, uint32_t offset)
{
	uint32_t line = seg->base_line;

	for (uint32_t i = seg->offset; i < offset; i++)
		line += source[i] == '\n';
	return line;
}

static int compile_error(const ccgov_ruleset *rs, int lang, const char *source, const query_segment *seg,
			 size_t nseg, uint32_t offset, TSQueryError type)
{
	static const char *const problems[] = { "", "syntax error", "unknown node type",
						"unknown field", "unknown capture", "impossible pattern",
						"impossible pattern", "language mismatch" };
	const query_segment *s = &seg[segment_at(seg, nseg, offset)];

	return ccgov_error_set(CCGOV_EINVALID, "%s:%u: %s in the query for %s", rs->rules[s->rule].rule.path,
			       line_at(source, s, offset),
			       (size_t)type < sizeof(problems) / sizeof(problems[0]) ? problems[type] : "error",
			       languages[lang].name);
}

/* Joins the texts of the rules that apply, recording where each one went. */
static int join(ccgov_buffer *src, query_segment **segments, size_t *nseg, const ccgov_ruleset *rs,
		int lang, int inventory)
{
	*segments = NULL;
	*nseg = 0;
	for (size_t r = 0; r < rs->count; r++) {
		const rule_entry *e = &rs->rules[r];
		const query_section *sec = &e->sections[lang];
		query_segment *grown;
		long bad;

		if (!sec->present || (e->rule.inventory != NULL) != inventory)
			continue;
		if ((bad = unbalanced_at(e->text + sec->offset, sec->length)) >= 0) {
			uint32_t line = sec->base_line;

			for (long i = 0; i < bad; i++)
				line += e->text[sec->offset + i] == '\n';
			return ccgov_error_set(CCGOV_EINVALID, "%s:%u: unbalanced parentheses or quotes in the query for %s",
					       e->rule.path, line, languages[lang].name);
		}
		if (!(grown = realloc(*segments, (*nseg + 1) * sizeof(**segments))))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		*segments = grown;
		grown[(*nseg)++] = (query_segment){ (uint32_t)src->len, sec->length, r, sec->base_line };
		ccgov_buffer_append(src, e->text + sec->offset, sec->length);
		ccgov_buffer_putc(src, '\n');
	}
	return ccgov_buffer_check(src);
}

static int capture_id(const TSQuery *q, const char *want)
{
	for (uint32_t i = 0; i < ts_query_capture_count(q); i++) {
		uint32_t n;
		const char *name = ts_query_capture_name_for_id(q, i, &n);

		if (n == strlen(want) && memcmp(name, want, n) == 0)
			return (int)i;
	}
	return -1;
}

static int has_capture(const TSQuery *q, uint32_t pattern, int capture)
{
	return capture >= 0 && ts_query_capture_quantifier_for_id(q, pattern, (uint32_t)capture) != TSQuantifierZero;
}

static int compile_one(compiled_query *q, const ccgov_ruleset *rs, int lang, int inventory)
{
	ccgov_buffer src = CCGOV_BUFFER_INIT;
	query_segment *seg = NULL;
	size_t nseg = 0;
	uint32_t offset = 0;
	TSQueryError type = TSQueryErrorNone;
	int err = join(&src, &seg, &nseg, rs, lang, inventory);

	if (err < 0 || nseg == 0)
		goto done;
	if (!(q->query = ts_query_new(languages[lang].grammar(), src.data, (uint32_t)src.len, &offset, &type))) {
		err = compile_error(rs, lang, src.data, seg, nseg, offset, type);
		goto done;
	}
	q->pattern_count = ts_query_pattern_count(q->query);
	q->finding_capture = capture_id(q->query, "finding");
	q->key_capture = capture_id(q->query, "key");
	q->exclude_capture = capture_id(q->query, "exclude");
	if (!(q->pattern_rule = calloc(q->pattern_count + 1, sizeof(*q->pattern_rule))) ||
	    !(q->pattern_role = calloc(q->pattern_count + 1, 1))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	for (uint32_t p = 0; p < q->pattern_count; p++) {
		q->pattern_rule[p] = seg[segment_at(seg, nseg, ts_query_start_byte_for_pattern(q->query, p))].rule;
		q->pattern_role[p] = has_capture(q->query, p, q->exclude_capture) ? PATTERN_EXCLUDE :
				     has_capture(q->query, p, q->finding_capture) ? PATTERN_FINDING :
				     PATTERN_FIRST_CAPTURE;
	}
	err = predicates_compile(q, rs, src.data, seg, nseg);
done:
	free(seg);
	ccgov_buffer_free(&src);
	return err;
}

int queries_compile(ccgov_ruleset *rs)
{
	int err = 0;

	for (int inventory = 0; inventory < 2 && err == 0; inventory++)
		for (int lang = 0; lang < LANGUAGE_COUNT && err == 0; lang++)
			err = compile_one(&rs->queries[inventory][lang], rs, lang, inventory);
	return err;
}

void query_free(compiled_query *q)
{
	predicates_free(q);
	if (q->query)
		ts_query_delete(q->query);
	free(q->pattern_rule);
	free(q->pattern_role);
	memset(q, 0, sizeof(*q));
}
