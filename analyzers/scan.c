/*
 * The scan driver: find the files (tree.c), parse each once with its
 * language's grammar, run every rule for that language, and collect
 * findings in a stable order. Files are independent, so threads take them
 * from a shared counter; each thread has its own parser and cursor, and all
 * share the compiled queries, which tree-sitter never modifies.
 */
#include "engine.h"

#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/utf8.h>

#include <fcntl.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_MAX_FILE (4u << 20)
#define MAX_THREADS 64

typedef struct {
	ccgov_finding *items;
	size_t len, cap;
	size_t scanned, parsed;
	skip_list skipped;
	int error;
	char error_text[512];
} thread_result;

typedef struct {
	const ccgov_ruleset *rules;
	const file_list *files;
	uint64_t max_size;
	int no_prefilter;
	int inventory;
	atomic_size_t next;
} job;

/* ---- one file ------------------------------------------------------------ */

/* The text of line (1-based) without its newline. */
static char *line_text(const char *text, size_t len, uint32_t line)
{
	const char *p = text, *end = text + len, *nl;

	for (uint32_t i = 1; i < line && p < end; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl ? nl + 1 : end;
	}
	nl = memchr(p, '\n', (size_t)(end - p));
	/* Shown and put in JSON: bytes that are not UTF-8 become U+FFFD. */
	return ccgov_utf8_sanitize(p, (size_t)((nl ? nl : end) - p));
}

/*
 * "ccgov:ignore RULE-ID reason" on the finding's line or the line above
 * suppresses it; a reason is required, so an ignore without one does not
 * count (and the finding stays).
 */
static char *suppression_on_line(const char *text, size_t len, uint32_t line, const char *rule_id)
{
	char *t = line_text(text, len, line), *at, *reason = NULL;
	size_t idlen = strlen(rule_id), n;

	if (t && (at = strstr(t, "ccgov:ignore ")) && strncmp(at + 13, rule_id, idlen) == 0 &&
	    at[13 + idlen] == ' ') {
		char *r = at + 13 + idlen;

		while (*r == ' ')
			r++;
		/* A closing comment marker is not part of the reason. */
		n = strlen(r);
		while (n && (r[n - 1] == ' ' || r[n - 1] == '/' || r[n - 1] == '*'))
			n--;
		if (n)
			reason = strndup(r, n);
	}
	free(t);
	return reason;
}

static char *suppression(const char *text, size_t len, uint32_t line, const char *rule_id)
{
	char *reason = suppression_on_line(text, len, line, rule_id);

	if (!reason && line > 1)
		reason = suppression_on_line(text, len, line - 1, rule_id);
	return reason;
}

static int add_finding(thread_result *tr, const ccgov_rule *rule, const char *path, TSNode node,
		       const char *text, size_t len)
{
	TSPoint a = ts_node_start_point(node), b = ts_node_end_point(node);
	ccgov_finding *f;

	if (tr->len == tr->cap) {
		ccgov_finding *p = realloc(tr->items, (tr->cap = tr->cap ? tr->cap * 2 : 64) * sizeof(*p));

		if (!p)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		tr->items = p;
	}
	f = &tr->items[tr->len];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->line = a.row + 1;
	/* Columns count characters, as editors and SARIF viewers do, not bytes. */
	f->column = a.column + 1;
	f->end_line = b.row + 1;
	f->end_column = b.column + 1;
	/* The name's exact bytes: each report escapes them its own way, none loses them. */
	if (!(f->path = strdup(path)) || !(f->source_line = line_text(text, len, f->line))) {
		free(f->path);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	f->suppression = suppression(text, len, f->line, rule->id);
	tr->len++;
	return 0;
}

/* The literal a key capture holds, without its quotes (and prefixes like Python's b/r). */
static int set_key(ccgov_finding *f, TSNode node, const char *text)
{
	uint32_t a = ts_node_start_byte(node), b = ts_node_end_byte(node);

	while (a < b && text[a] != '"' && text[a] != '\'' && text[a] != '`')
		a++;
	if (b - a >= 2 && (text[b - 1] == '"' || text[b - 1] == '\'' || text[b - 1] == '`'))
		a++, b--;
	if (!(f->key = ccgov_utf8_sanitize(text + a, b - a)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

/*
 * A rule's skip-files globs name files it does not apply to (build
 * scripts that never run in the enclave, say): a glob with a '/' is
 * matched against the path from the scanned root, one without against
 * the file's name.
 */
static int skips_file(const ccgov_rule *rule, const char *path)
{
	const char *base = strrchr(path, '/');
	char *list, *save = NULL;
	int skip = 0;

	if (!rule->skip_files || !(list = strdup(rule->skip_files)))
		return 0;
	for (char *g = strtok_r(list, ", ", &save); g && !skip; g = strtok_r(NULL, ", ", &save))
		skip = strchr(g, '/') ? fnmatch(g, path, FNM_PATHNAME) == 0 : fnmatch(g, base ? base + 1 : path, 0) == 0;
	free(list);
	return skip;
}

/* A rule's finding or exclusion in one file, by byte range. */
typedef struct {
	size_t rule;
	uint32_t start, end;
} span;

typedef struct {
	span *items;
	size_t len, cap;
} span_list;

/* The current file's findings and exclusions, reused from file to file. */
typedef struct {
	span_list found, excluded;
} file_spans;

static int push_span(span_list *l, size_t rule, TSNode node)
{
	if (l->len == l->cap) {
		span *p = realloc(l->items, (l->cap = l->cap ? l->cap * 2 : 16) * sizeof(*p));

		if (!p)
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		l->items = p;
	}
	l->items[l->len++] = (span){ rule, ts_node_start_byte(node), ts_node_end_byte(node) };
	return 0;
}

static void free_finding(ccgov_finding *f);

/* Drops this file's findings (tr->items from first on) inside an exclusion of their rule. */
static void drop_excluded(thread_result *tr, const file_spans *fs, size_t first)
{
	size_t kept = first;

	if (fs->excluded.len == 0)
		return;
	for (size_t i = 0; i < fs->found.len; i++) {
		const span *f = &fs->found.items[i];
		int inside = 0;

		for (size_t k = 0; k < fs->excluded.len && !inside; k++) {
			const span *x = &fs->excluded.items[k];

			inside = x->rule == f->rule && x->start <= f->start && f->end <= x->end;
		}
		if (inside)
			free_finding(&tr->items[first + i]);
		else
			tr->items[kept++] = tr->items[first + i];
	}
	tr->len = kept;
}

/* The line of the first ERROR or MISSING node, for a report a person can act on. */
static uint32_t first_error_line(TSNode n)
{
	for (;;) {
		uint32_t count = ts_node_child_count(n), i;

		if (ts_node_is_missing(n) || strcmp(ts_node_type(n), "ERROR") == 0)
			break;
		for (i = 0; i < count; i++) {
			TSNode child = ts_node_child(n, i);

			if (ts_node_has_error(child)) {
				n = child;
				break;
			}
		}
		if (i == count)
			break;
	}
	return ts_node_start_point(n).row + 1;
}

static int scan_text(thread_result *tr, const job *j, TSParser *parser, TSQueryCursor *cursor,
		     const language *lang, const char *path, const char *text, size_t len,
		     char **scratch, size_t *scratch_size, file_spans *fs)
{
	int li = language_index(lang), err = 0, any;
	size_t first = tr->len;
	const compiled_query *q = &j->rules->queries[j->inventory][li];
	unsigned char *rule_ok;
	TSQueryMatch m;
	TSTree *tree;

	if (!q->query)
		return 0;
	/*
	 * A file that holds none of the literals some rule needs cannot match:
	 * it is not parsed (unless --no-prefilter). Matches of rules whose
	 * literals it lacks would fail their predicates anyway; they are
	 * dropped before those are tested.
	 */
	if (!(rule_ok = malloc(j->rules->count ? j->rules->count : 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	/* --no-prefilter: every rule runs, so the literal search is not even made. */
	if (j->no_prefilter)
		memset(rule_ok, 1, j->rules->count);
	else
		prefilter_rules(&j->rules->prefilters[j->inventory][li], j->rules->count, text, len, rule_ok);
	any = 0;
	for (size_t r = 0; r < j->rules->count; r++) {
		if (rule_ok[r] && skips_file(&j->rules->rules[r].rule, path))
			rule_ok[r] = 0;
		any |= rule_ok[r];
	}
	if (!any) {
		free(rule_ok);
		return 0;
	}
	tr->parsed++;
	if (!ts_parser_set_language(parser, lang->grammar())) {
		free(rule_ok);
		return ccgov_error_set(CCGOV_ERROR, "%s: grammar ABI not supported by this tree-sitter", lang->name);
	}
	if (!(tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len))) {
		free(rule_ok);
		return push_skip(&tr->skipped, path, CCGOV_SKIP_SYNTAX_ERROR, "the parser gave up: not checked");
	}
	if (ts_node_has_error(ts_tree_root_node(tree)) &&
	    (err = push_skip(&tr->skipped, path, CCGOV_SKIP_SYNTAX_ERROR,
			     "syntax error on line %u: code past an error may be missed",
			     first_error_line(ts_tree_root_node(tree)))) < 0) {
		ts_tree_delete(tree);
		free(rule_ok);
		return err;
	}
	fs->found.len = fs->excluded.len = 0;
	ts_query_cursor_exec(cursor, q->query, ts_tree_root_node(tree));
	while (err == 0 && ts_query_cursor_next_match(cursor, &m)) {
		size_t rule = q->pattern_rule[m.pattern_index];
		int role = q->pattern_role[m.pattern_index];
		TSNode node, key = { 0 };
		int found = 0, has_key = 0;

		if (!rule_ok[rule] || !predicates_hold(q, &m, text, scratch, scratch_size))
			continue;
		/* The @finding (or @exclude) capture, or the match's first capture. */
		for (uint16_t c = 0; c < m.capture_count && !found; c++)
			if (role == PATTERN_FIRST_CAPTURE ||
			    m.captures[c].index == (uint32_t)(role == PATTERN_EXCLUDE ? q->exclude_capture : q->finding_capture))
				node = m.captures[c].node, found = 1;
		if (!found)
			continue;
		if (role == PATTERN_EXCLUDE) {
			err = push_span(&fs->excluded, rule, node);
			continue;
		}
		for (uint16_t c = 0; c < m.capture_count && q->key_capture >= 0; c++)
			if (m.captures[c].index == (uint32_t)q->key_capture)
				key = m.captures[c].node, has_key = 1;
		err = add_finding(tr, &j->rules->rules[rule].rule, path, node, text, len);
		if (err == 0)
			err = push_span(&fs->found, rule, node);
		if (err == 0 && has_key)
			err = set_key(&tr->items[tr->len - 1], key, text);
	}
	if (err == 0)
		drop_excluded(tr, fs, first);
	ts_tree_delete(tree);
	free(rule_ok);
	return err;
}

/*
 * Reads the file the walk decided on, checking that what is opened is that
 * very file. A file that cannot be read is named with the reason, without
 * the name the library's message starts with: reports add names on their
 * own. 0 with the text, 1 when the file was skipped, or an error.
 */
static int read_listed(char **text, size_t *len, thread_result *tr, const job *j, const listed_file *f)
{
	const char *why;
	size_t n = strlen(f->path);
	struct stat st;
	int fd, e, err = 0, skipped = 1;

	if ((e = open_decided(&fd, &st, j->files->rootfd, f->real, O_RDONLY | O_NOCTTY | O_NONBLOCK, f->dev, f->ino)))
		err = push_skip(&tr->skipped, f->path, CCGOV_SKIP_UNREADABLE, "%s", open_decided_error(e));
	else if ((uint64_t)st.st_size <= j->max_size && ccgov_file_read_fd(text, len, fd, f->path, j->max_size) == 0)
		skipped = 0;
	/* Over the limit, or it grew past it while it was read. */
	else if (fstat(fd, &st) == 0 && (uint64_t)st.st_size > j->max_size)
		err = push_skip(&tr->skipped, f->path, CCGOV_SKIP_LARGE, "%llu bytes, over the limit of %llu",
				(unsigned long long)st.st_size, (unsigned long long)j->max_size);
	else {
		why = ccgov_error_last() ? ccgov_error_last()->message : "cannot read";
		if (strncmp(why, f->path, n) == 0 && why[n] == ':' && why[n + 1] == ' ')
			why += n + 2;
		err = push_skip(&tr->skipped, f->path, CCGOV_SKIP_UNREADABLE, "%s", why);
	}
	if (!e)
		close(fd);
	return err < 0 ? err : skipped;
}

static int scan_file(thread_result *tr, const job *j, TSParser *parser, TSQueryCursor *cursor,
		     const listed_file *f, char **scratch, size_t *scratch_size, file_spans *fs)
{
	const char *rel = f->path;
	const language *lang = language_for_path(rel);
	char *text = NULL, why[128];
	const char *marker;
	size_t len = 0;
	uint32_t line;
	int err;

	/* No rule reads this language: there is nothing to check, or to miss. */
	if (!j->rules->queries[j->inventory][language_index(lang)].query)
		return 0;
	if ((err = read_listed(&text, &len, tr, j, f)) != 0)
		err = err < 0 ? err : 0;
	else if (looks_binary(why, sizeof(why), text, len))
		err = push_skip(&tr->skipped, rel, CCGOV_SKIP_BINARY, "%s", why);
	else if ((marker = generated_marker(&line, text, len, lang)))
		err = push_skip(&tr->skipped, rel, CCGOV_SKIP_GENERATED, "%s marker on line %u", marker, line);
	else {
		/*
		 * C compilers read a NUL as white space (gcc: "null character(s)
		 * ignored"); so does the parser, so that a stray NUL cannot cut
		 * the parse short. Offsets stay the same.
		 */
		for (char *nul = memchr(text, '\0', len); nul; nul = memchr(nul, '\0', len - (size_t)(nul - text)))
			*nul = ' ';
		tr->scanned++;
		err = scan_text(tr, j, parser, cursor, lang, rel, text, len, scratch, scratch_size, fs);
	}
	free(text);
	return err;
}

typedef struct {
	job *j;
	thread_result result;
} worker;

static void *worker_main(void *arg)
{
	worker *w = arg;
	TSParser *parser = ts_parser_new();
	TSQueryCursor *cursor = ts_query_cursor_new();
	char *scratch = NULL;
	size_t scratch_size = 0, i;
	file_spans fs = { { 0 }, { 0 } };

	/* A pathological file must not hang the gate: matches in progress are bounded. */
	ts_query_cursor_set_match_limit(cursor, 1 << 16);
	while (!w->result.error && (i = atomic_fetch_add(&w->j->next, 1)) < w->j->files->len) {
		int err = scan_file(&w->result, w->j, parser, cursor, &w->j->files->items[i], &scratch,
				    &scratch_size, &fs);

		if (err < 0) {
			w->result.error = err;
			snprintf(w->result.error_text, sizeof(w->result.error_text), "%s", ccgov_error_last()->message);
		}
	}
	free(fs.found.items);
	free(fs.excluded.items);
	free(scratch);
	ts_query_cursor_delete(cursor);
	ts_parser_delete(parser);
	return NULL;
}

/* ---- the whole scan ------------------------------------------------------- */

static int by_place(const void *a, const void *b)
{
	const ccgov_finding *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->column != y->column)
		return x->column < y->column ? -1 : 1;
	c = strcmp(x->rule->id, y->rule->id);
	if (c)
		return c;
	if (x->end_line != y->end_line)
		return x->end_line < y->end_line ? -1 : 1;
	if (x->end_column != y->end_column)
		return x->end_column < y->end_column ? -1 : 1;
	return 0;
}

static void free_finding(ccgov_finding *f)
{
	free(f->path);
	free(f->source_line);
	free(f->suppression);
	free(f->key);
}

/* Several patterns of a rule can report the same node: keep one finding per place. */
static void drop_repeats(ccgov_scan_result *r)
{
	size_t kept = 0;

	for (size_t i = 0; i < r->nfindings; i++) {
		if (kept && by_place(&r->findings[kept - 1], &r->findings[i]) == 0) {
			free_finding(&r->findings[i]);
			continue;
		}
		r->findings[kept++] = r->findings[i];
	}
	r->nfindings = kept;
}

/* Moves a list's skips into the result. */
static int take_skips(ccgov_scan_result *r, skip_list *l)
{
	ccgov_skipped_file *p;

	if (!l->len)
		return 0;
	if (!(p = realloc(r->skipped, (r->nskipped + l->len) * sizeof(*p))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	r->skipped = p;
	memcpy(r->skipped + r->nskipped, l->items, l->len * sizeof(*p));
	r->nskipped += l->len;
	l->len = 0;
	return 0;
}

static int skip_by_path(const void *a, const void *b)
{
	const ccgov_skipped_file *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (int)x->kind - (int)y->kind;
}

/* Sorted, so that reports are the same bytes for any thread count; counted by kind. */
static void finish_skips(ccgov_scan_result *r, unsigned allow)
{
	if (r->nskipped)
		qsort(r->skipped, r->nskipped, sizeof(*r->skipped), skip_by_path);
	for (size_t i = 0; i < r->nskipped; i++) {
		ccgov_skipped_file *s = &r->skipped[i];

		s->allowed = (allow >> s->kind) & 1;
		r->skipped_binary += s->kind == CCGOV_SKIP_BINARY;
		r->skipped_large += s->kind == CCGOV_SKIP_LARGE;
		r->skipped_generated += s->kind == CCGOV_SKIP_GENERATED;
		r->skipped_unreadable += s->kind == CCGOV_SKIP_UNREADABLE;
		r->files_with_syntax_errors += s->kind == CCGOV_SKIP_SYNTAX_ERROR;
		r->skipped_symlink += s->kind == CCGOV_SKIP_SYMLINK;
	}
}

int ccgov_scan(ccgov_scan_result *out, const ccgov_ruleset *rules, const ccgov_scan_options *opts)
{
	file_list files = { .rootfd = -1 };
	job j = { .rules = rules };
	worker *workers = NULL;
	int nthreads = opts->threads > 0 ? opts->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	int err, started = 0;

	memset(out, 0, sizeof(*out));
	if (nthreads < 1)
		nthreads = 1;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	j.max_size = opts->max_file_size ? opts->max_file_size : DEFAULT_MAX_FILE;
	j.no_prefilter = opts->no_prefilter;
	j.inventory = opts->inventory;
	j.files = &files;
	atomic_init(&j.next, 0);
	if ((err = find_files(&files, opts->root, opts->changed_since)) < 0)
		goto done;
	if ((size_t)nthreads > files.len)
		nthreads = files.len ? (int)files.len : 1;
	if (!(workers = calloc((size_t)nthreads, sizeof(*workers)))) {
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		goto done;
	}
	{
		pthread_t tids[MAX_THREADS];

		for (int t = 0; t < nthreads; t++) {
			workers[t].j = &j;
			if (pthread_create(&tids[t], NULL, worker_main, &workers[t]) != 0)
				break;
			started++;
		}
		for (int t = 0; t < started; t++)
			pthread_join(tids[t], NULL);
	}
	if (started == 0) {
		err = ccgov_error_set(CCGOV_ERROR, "cannot start scan threads");
		goto done;
	}
	for (int t = 0; t < started; t++) {
		thread_result *tr = &workers[t].result;

		if (tr->error && !err)
			err = ccgov_error_set(tr->error, "%s", tr->error_text);
		out->files_scanned += tr->scanned;
		out->files_parsed += tr->parsed;
		if (!err)
			err = take_skips(out, &tr->skipped);
		if (tr->len) {
			ccgov_finding *p = realloc(out->findings, (out->nfindings + tr->len) * sizeof(*p));

			if (!p) {
				err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
				continue;
			}
			out->findings = p;
			memcpy(out->findings + out->nfindings, tr->items, tr->len * sizeof(*p));
			out->nfindings += tr->len;
			tr->len = 0;
		}
	}
	if (!err)
		err = take_skips(out, &files.skipped);
	finish_skips(out, opts->allow_skipped);
	/* Thread scheduling decides the order findings arrive in; sorting removes it. */
	if (out->nfindings) {
		qsort(out->findings, out->nfindings, sizeof(*out->findings), by_place);
		drop_repeats(out);
	}
done:
	for (int t = 0; workers && t < nthreads; t++) {
		for (size_t i = 0; i < workers[t].result.len; i++)
			free_finding(&workers[t].result.items[i]);
		free(workers[t].result.items);
		skip_list_free(&workers[t].result.skipped);
	}
	free(workers);
	file_list_free(&files);
	if (err < 0)
		ccgov_scan_result_clear(out);
	return err;
}

void ccgov_scan_result_clear(ccgov_scan_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++)
		free_finding(&r->findings[i]);
	free(r->findings);
	for (size_t i = 0; i < r->nskipped; i++) {
		free(r->skipped[i].path);
		free(r->skipped[i].reason);
	}
	free(r->skipped);
	memset(r, 0, sizeof(*r));
}
