/*
 * The literal pre-filter. Parsing is most of a scan's cost, and most files
 * of a large tree mention none of the names the rules look for. Every rule
 * pattern has predicates that tie a capture to fixed text; a file that
 * contains none of those texts cannot match, so it is skipped unparsed.
 * The filter only ever skips files that could not match: findings are the
 * same with it on and off (a test checks that).
 */
#include "engine.h"

#include <ccgov/error.h>

#include <stdlib.h>
#include <string.h>

#define BUCKETS 65536

/*
 * The literal text every match of a regular expression must start with
 * (after an optional ^), or NULL: "^GetDerivedKey" gives "GetDerivedKey",
 * "/dev/x/_sgx_mr(a|b)" gives "/dev/x/_sgx_mr", "(^|::)Library$" nothing.
 */
static char *regex_prefix(const char *re)
{
	char *out = malloc(strlen(re) + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	if (*re == '^')
		re++;
	for (; *re; re++) {
		if (*re == '\\' && re[1] && strchr(".^$|()[]{}*+?\\/-", re[1])) {
			out[n++] = *++re;
			continue;
		}
		if (strchr(".^$|()[]{}*+?\\", *re))
			break;
		out[n++] = *re;
	}
	/* A quantifier applies to the character before it, which is then optional. */
	if (n && *re && strchr("*?{", *re))
		n--;
	/* A top-level alternation means the prefix is not required. */
	if (strchr(re, '|') && !strchr(re, '(')) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

static int push_literal(prefilter *pf, size_t *cap, char *lit)
{
	if (pf->count == *cap) {
		char **q = realloc(pf->literals, (*cap = *cap ? *cap * 2 : 64) * sizeof(*q));

		if (!q)
			return -1;
		pf->literals = q;
	}
	pf->literals[pf->count++] = lit;
	return 0;
}

static int push_index(size_t **arr, size_t *len, size_t *cap, size_t value)
{
	if (*len == *cap) {
		size_t *q = realloc(*arr, (*cap = *cap ? *cap * 2 : 64) * sizeof(*q));

		if (!q)
			return -1;
		*arr = q;
	}
	(*arr)[(*len)++] = value;
	return 0;
}

/*
 * Adds one clause per positive predicate whose strings are all usable
 * literals (every predicate must hold, so each such clause is required);
 * returns how many clauses were added, or -1 when out of memory.
 */
static int pattern_clauses(prefilter *pf, const pattern_predicates *pp, size_t *lit_cap,
			   size_t *clause_cap)
{
	int clauses = 0;

	for (size_t i = 0; i < pp->count; i++) {
		const predicate *p = &pp->items[i];
		size_t first = pf->count;
		int usable = p->required && !p->negate && p->other_capture < 0 && p->nstrings > 0 &&
			     !(p->kind == PRED_MATCH && p->nstrings != 1);

		for (size_t k = 0; usable && k < p->nstrings; k++) {
			char *lit = p->kind == PRED_MATCH ? regex_prefix(p->strings[k]) : strdup(p->strings[k]);

			/* A literal shorter than two bytes filters nothing: drop the clause. */
			if (!lit || strlen(lit) < 2) {
				free(lit);
				usable = 0;
			} else if (push_literal(pf, lit_cap, lit) < 0) {
				free(lit);
				return -1;
			}
		}
		if (!usable) {
			while (pf->count > first)
				free(pf->literals[--pf->count]);
			continue;
		}
		if (push_index(&pf->clause_start, &pf->nclauses, clause_cap, first) < 0)
			return -1;
		clauses++;
	}
	return clauses;
}

static uint32_t bucket_of(const char *s)
{
	return (uint32_t)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static int build_one(prefilter *pf, const ccgov_ruleset *rs, int lang, int inventory)
{
	const compiled_query *q = &rs->queries[inventory][lang];
	size_t lit_cap = 0, clause_cap = 0, pattern_cap = 0;
	uint32_t *count;

	if (!(pf->rule_always = calloc(rs->count ? rs->count : 1, 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	pf->usable = 1;
	pf->pattern_rule = q->pattern_rule;
	for (uint32_t pat = 0; q->query && pat < q->pattern_count; pat++) {
		int got;

		if (push_index(&pf->pattern_start, &pf->npatterns, &pattern_cap, pf->nclauses) < 0)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		/*
		 * An @exclude pattern only takes findings away, so it never makes
		 * a file worth parsing: it gets one clause with no literal, which
		 * nothing satisfies.
		 */
		if (q->pattern_role[pat] == PATTERN_EXCLUDE) {
			if (push_index(&pf->clause_start, &pf->nclauses, &clause_cap, pf->count) < 0)
				return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			continue;
		}
		got = pattern_clauses(pf, &q->patterns[pat], &lit_cap, &clause_cap);
		if (got < 0)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		/* A pattern with no literal at all can match any file. */
		if (got == 0) {
			pf->rule_always[q->pattern_rule[pat]] = 1;
			pf->usable = 0;
		}
	}
	/* Sentinels: the end of the last pattern's clauses and of the last clause's literals. */
	if (push_index(&pf->pattern_start, &pf->npatterns, &pattern_cap, pf->nclauses) < 0 ||
	    push_index(&pf->clause_start, &pf->nclauses, &clause_cap, pf->count) < 0)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	pf->npatterns--;
	pf->nclauses--;
	if (!(pf->bucket_start = calloc(BUCKETS + 1, sizeof(uint32_t))) ||
	    !(pf->order = malloc((pf->count ? pf->count : 1) * sizeof(uint32_t))) ||
	    !(count = calloc(BUCKETS, sizeof(uint32_t))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	for (size_t i = 0; i < pf->count; i++)
		pf->bucket_start[bucket_of(pf->literals[i]) + 1]++;
	for (uint32_t b = 0; b < BUCKETS; b++)
		pf->bucket_start[b + 1] += pf->bucket_start[b];
	for (size_t i = 0; i < pf->count; i++) {
		uint32_t b = bucket_of(pf->literals[i]);

		pf->order[pf->bucket_start[b] + count[b]++] = (uint32_t)i;
	}
	free(count);
	return 0;
}

int prefilter_build(ccgov_ruleset *rs)
{
	for (int lang = 0; lang < LANGUAGE_COUNT; lang++) {
		int err = build_one(&rs->prefilters[0][lang], rs, lang, 0);

		if (err == 0)
			err = build_one(&rs->prefilters[1][lang], rs, lang, 1);
		if (err < 0)
			return err;
	}
	return 0;
}

void prefilter_free(prefilter *p)
{
	for (size_t i = 0; i < p->count; i++)
		free(p->literals[i]);
	free(p->literals);
	free(p->bucket_start);
	free(p->order);
	free(p->pattern_start);
	free(p->clause_start);
	free(p->rule_always);
	memset(p, 0, sizeof(*p));
}

int prefilter_rules(const prefilter *p, size_t nrules, const char *text, size_t len,
		    unsigned char *rule_ok)
{
	unsigned char *found;
	int any = 0;

	for (size_t r = 0; r < nrules; r++)
		any |= rule_ok[r] = p->rule_always ? p->rule_always[r] : 1;
	if (!p->rule_always)
		return 1;
	if (!(found = calloc(p->count ? p->count : 1, 1))) {
		memset(rule_ok, 1, nrules);
		return -1;
	}
	/* One pass marks every literal the text contains... */
	for (size_t i = 0; p->count && i + 1 < len; i++) {
		uint32_t b = bucket_of(text + i);

		for (uint32_t k = p->bucket_start[b]; k < p->bucket_start[b + 1]; k++) {
			const char *lit = p->literals[p->order[k]];
			size_t n = strlen(lit);

			if (n <= len - i && memcmp(text + i, lit, n) == 0)
				found[p->order[k]] = 1;
		}
	}
	/* ...then a pattern can match if each of its clauses found one. */
	for (size_t pat = 0; pat < p->npatterns; pat++) {
		int all = 1;

		if (rule_ok[p->pattern_rule[pat]])
			continue;
		for (size_t c = p->pattern_start[pat]; c < p->pattern_start[pat + 1] && all; c++) {
			int hit = 0;

			for (size_t l = p->clause_start[c]; l < p->clause_start[c + 1] && !hit; l++)
				hit = found[l];
			all = hit;
		}
		if (all)
			any = rule_ok[p->pattern_rule[pat]] = 1;
	}
	free(found);
	return any;
}
