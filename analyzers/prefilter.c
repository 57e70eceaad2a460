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

/* Appends the literals one pattern requires (any one of them); 0 if it has none. */
static int pattern_literals(const pattern_predicates *pp, char ***lits, size_t *n, size_t *cap)
{
	for (size_t i = 0; i < pp->count; i++) {
		const predicate *p = &pp->items[i];
		size_t added = 0;

		if (p->negate || p->other_capture >= 0)
			continue;
		for (size_t k = 0; k < p->nstrings; k++) {
			char *lit = p->kind == PRED_MATCH ? regex_prefix(p->strings[k]) : strdup(p->strings[k]);

			if (!lit)
				continue;
			if (strlen(lit) < 2) { /* too short to filter anything */
				free(lit);
				continue;
			}
			if (*n == *cap) {
				char **q = realloc(*lits, (*cap = *cap ? *cap * 2 : 64) * sizeof(*q));

				if (!q) {
					free(lit);
					return -1;
				}
				*lits = q;
			}
			(*lits)[(*n)++] = lit;
			added++;
		}
		/* One predicate's strings are enough: every predicate must hold. */
		if (added && (p->kind != PRED_MATCH || p->nstrings == 1) &&
		    (p->kind != PRED_EQ || added == 1) && (p->kind != PRED_ANY_OF || added == p->nstrings))
			return 1;
		/* A partial set (some strings too short) proves nothing: drop them. */
		while (added--)
			free((*lits)[--(*n)]);
	}
	return 0;
}

static uint32_t bucket_of(const char *s)
{
	return (uint32_t)(unsigned char)s[0] << 8 | (unsigned char)s[1];
}

static int build_one(prefilter *pf, const ccgov_ruleset *rs, int lang, int inventory)
{
	size_t cap = 0;
	uint32_t *count;

	pf->usable = 1;
	for (size_t r = 0; r < rs->count && pf->usable; r++) {
		const compiled_query *q = &rs->rules[r].queries[lang];

		if (!q->query || (rs->rules[r].rule.inventory != NULL) != inventory)
			continue;
		for (uint32_t pat = 0; pat < q->pattern_count && pf->usable; pat++) {
			int got = pattern_literals(&q->patterns[pat], &pf->literals, &pf->count, &cap);

			if (got < 0)
				return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			if (got == 0)
				pf->usable = 0;
		}
	}
	if (!pf->usable || pf->count == 0) {
		pf->usable = 0;
		return 0;
	}
	if (!(pf->bucket_start = calloc(BUCKETS + 1, sizeof(uint32_t))) ||
	    !(pf->order = malloc(pf->count * sizeof(uint32_t))) ||
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
		int err = build_one(&rs->prefilters[lang], rs, lang, 0);

		if (err == 0)
			err = build_one(&rs->inventory_prefilters[lang], rs, lang, 1);
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
	memset(p, 0, sizeof(*p));
}

int prefilter_may_match(const prefilter *p, const char *text, size_t len)
{
	if (!p->usable)
		return 1;
	for (size_t i = 0; i + 1 < len; i++) {
		uint32_t b = bucket_of(text + i);

		for (uint32_t k = p->bucket_start[b]; k < p->bucket_start[b + 1]; k++) {
			const char *lit = p->literals[p->order[k]];
			size_t n = strlen(lit);

			if (n <= len - i && memcmp(text + i, lit, n) == 0)
				return 1;
		}
	}
	return 0;
}
