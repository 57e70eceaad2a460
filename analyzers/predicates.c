/*
 * Query predicates. The tree-sitter C library parses #eq? and friends but
 * applies none of them: a rule's filter would silently match everything.
 * ccgov applies them itself, and refuses any predicate it does not know,
 * so a typo fails the rule load instead of turning a filter off.
 */
#include "engine.h"

#include <ccgov/error.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Where a pattern of a combined query came from, for messages. */
typedef struct {
	const ccgov_ruleset *rs;
	const char *source;
	const query_segment *segments;
	size_t nsegments;
} origin;

static int fail(const origin *o, const TSQuery *q, uint32_t pattern, const char *problem, const char *name)
{
	uint32_t at = ts_query_start_byte_for_pattern(q, pattern), line;
	size_t s = 0;

	while (s + 1 < o->nsegments && o->segments[s + 1].offset <= at)
		s++;
	line = o->segments[s].base_line;
	for (uint32_t i = o->segments[s].offset; i < at; i++)
		line += o->source[i] == '\n';
	return ccgov_error_set(CCGOV_EINVALID, "%s:%u: %s%s%s", o->rs->rules[o->segments[s].rule].rule.path,
			       line, problem, name ? " " : "", name ? name : "");
}

/* Compiles one predicate: steps[0] is its name, then arguments up to Done. */
static int compile_one(predicate *p, const TSQuery *q, const TSQueryPredicateStep *steps, uint32_t n,
		       const origin *o, uint32_t pattern)
{
	uint32_t len;
	const char *name = ts_query_string_value_for_id(q, steps[0].value_id, &len);

	memset(p, 0, sizeof(*p));
	p->other_capture = -1;
	if (strcmp(name, "eq?") == 0 || strcmp(name, "not-eq?") == 0) {
		p->kind = PRED_EQ;
		p->negate = name[0] == 'n';
	} else if (strcmp(name, "match?") == 0 || strcmp(name, "not-match?") == 0) {
		p->kind = PRED_MATCH;
		p->negate = name[0] == 'n';
	} else if (strcmp(name, "any-of?") == 0 || strcmp(name, "not-any-of?") == 0) {
		p->kind = PRED_ANY_OF;
		p->negate = name[0] == 'n';
	} else if (strcmp(name, "contains?") == 0 || strcmp(name, "not-contains?") == 0) {
		p->kind = PRED_CONTAINS;
		p->negate = name[0] == 'n';
	} else {
		return fail(o, q, pattern, "unknown predicate", name);
	}
	if (n < 3 || steps[1].type != TSQueryPredicateStepTypeCapture)
		return fail(o, q, pattern, "predicate needs a capture first:", name);
	p->capture = steps[1].value_id;
	/* An optional capture with no node makes no claim, so it proves no literal is needed. */
	{
		TSQuantifier quantifier = ts_query_capture_quantifier_for_id(q, pattern, p->capture);

		p->required = quantifier == TSQuantifierOne || quantifier == TSQuantifierOneOrMore;
	}
	if (p->kind == PRED_EQ && n == 3 && steps[2].type == TSQueryPredicateStepTypeCapture) {
		p->other_capture = (int)steps[2].value_id;
		return 0;
	}
	if ((p->kind != PRED_ANY_OF && p->kind != PRED_CONTAINS && n != 3) || n < 3)
		return fail(o, q, pattern, "wrong number of arguments to", name);
	if (!(p->strings = calloc(n - 2, sizeof(*p->strings))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (uint32_t i = 2; i < n; i++) {
		if (steps[i].type != TSQueryPredicateStepTypeString)
			return fail(o, q, pattern, "expected a string argument to", name);
		p->strings[p->nstrings++] = ts_query_string_value_for_id(q, steps[i].value_id, &len);
	}
	if (p->kind == PRED_MATCH) {
		int rc = regcomp(&p->regex, p->strings[0], REG_EXTENDED | REG_NOSUB);
		char msg[160];

		if (rc != 0) {
			regerror(rc, &p->regex, msg, sizeof(msg));
			return fail(o, q, pattern, "bad regular expression:", msg);
		}
		p->has_regex = 1;
	}
	return 0;
}

int predicates_compile(compiled_query *q, const ccgov_ruleset *rs, const char *source,
		       const query_segment *segments, size_t nsegments)
{
	origin o = { rs, source, segments, nsegments };

	q->pattern_count = ts_query_pattern_count(q->query);
	if (!(q->patterns = calloc(q->pattern_count ? q->pattern_count : 1, sizeof(*q->patterns))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (uint32_t pat = 0; pat < q->pattern_count; pat++) {
		uint32_t nsteps, start = 0;
		const TSQueryPredicateStep *steps = ts_query_predicates_for_pattern(q->query, pat, &nsteps);
		pattern_predicates *pp = &q->patterns[pat];

		for (uint32_t i = 0; i < nsteps; i++)
			pp->count += steps[i].type == TSQueryPredicateStepTypeDone;
		if (pp->count && !(pp->items = calloc(pp->count, sizeof(*pp->items))))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		pp->count = 0;
		for (uint32_t i = 0; i < nsteps; i++) {
			int err;

			if (steps[i].type != TSQueryPredicateStepTypeDone)
				continue;
			if (steps[start].type != TSQueryPredicateStepTypeString)
				return fail(&o, q->query, pat, "malformed predicate", NULL);
			err = compile_one(&pp->items[pp->count], q->query, steps + start, i - start, &o, pat);
			pp->count++;
			if (err < 0)
				return err;
			start = i + 1;
		}
	}
	return 0;
}

void predicates_free(compiled_query *q)
{
	for (uint32_t pat = 0; q->patterns && pat < q->pattern_count; pat++) {
		for (size_t i = 0; i < q->patterns[pat].count; i++) {
			predicate *p = &q->patterns[pat].items[i];

			if (p->has_regex)
				regfree(&p->regex);
			free(p->strings);
		}
		free(q->patterns[pat].items);
	}
	free(q->patterns);
	q->patterns = NULL;
}

/* The node's own text as a C string, in a reusable buffer. */
static const char *node_text(TSNode node, const char *source, char **scratch, size_t *size)
{
	uint32_t start = ts_node_start_byte(node), end = ts_node_end_byte(node), n = end - start;

	if (n + 1 > *size) {
		char *p = realloc(*scratch, n + 1);

		if (!p)
			return NULL;
		*scratch = p;
		*size = n + 1;
	}
	memcpy(*scratch, source + start, n);
	(*scratch)[n] = '\0';
	return *scratch;
}

static int text_equals(TSNode node, const char *source, const char *s)
{
	uint32_t start = ts_node_start_byte(node), n = ts_node_end_byte(node) - start;

	return strlen(s) == n && memcmp(source + start, s, n) == 0;
}

static int nodes_equal(TSNode a, TSNode b, const char *source)
{
	uint32_t sa = ts_node_start_byte(a), na = ts_node_end_byte(a) - sa;
	uint32_t sb = ts_node_start_byte(b), nb = ts_node_end_byte(b) - sb;

	return na == nb && memcmp(source + sa, source + sb, na) == 0;
}

/* Does one node satisfy p (before negation)? -1 on out of memory. */
static int node_holds(const predicate *p, TSNode node, const TSQueryMatch *m, const char *source,
		      char **scratch, size_t *size)
{
	const char *text;

	switch (p->kind) {
	case PRED_EQ:
		if (p->other_capture >= 0) {
			for (uint16_t i = 0; i < m->capture_count; i++)
				if (m->captures[i].index == (uint32_t)p->other_capture)
					return nodes_equal(node, m->captures[i].node, source);
			return 0;
		}
		return text_equals(node, source, p->strings[0]);
	case PRED_CONTAINS:
		for (size_t i = 0; i < p->nstrings; i++)
			if (memmem(source + ts_node_start_byte(node), ts_node_end_byte(node) - ts_node_start_byte(node),
				   p->strings[i], strlen(p->strings[i])))
				return 1;
		return 0;
	case PRED_ANY_OF:
		for (size_t i = 0; i < p->nstrings; i++)
			if (text_equals(node, source, p->strings[i]))
				return 1;
		return 0;
	case PRED_MATCH:
		/* Matched against the node's own text, so ^ and $ anchor at its ends. */
		if (!(text = node_text(node, source, scratch, size)))
			return -1;
		return regexec(&p->regex, text, 0, NULL, 0) == 0;
	}
	return 0;
}

/*
 * A quantified capture (@x*) may hold several nodes: a predicate holds
 * when it holds for every one of them, and a capture with no node makes
 * no claim.
 */
int predicates_hold(const compiled_query *q, const TSQueryMatch *m, const char *source,
		    char **scratch, size_t *size)
{
	const pattern_predicates *pp = &q->patterns[m->pattern_index];

	for (size_t i = 0; i < pp->count; i++) {
		const predicate *p = &pp->items[i];

		for (uint16_t c = 0; c < m->capture_count; c++) {
			int ok;

			if (m->captures[c].index != p->capture)
				continue;
			ok = node_holds(p, m->captures[c].node, m, source, scratch, size);
			if (ok < 0 || ok == p->negate)
				return 0;
		}
	}
	return 1;
}
