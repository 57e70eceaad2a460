#include "cli.h"

#include <ccgov/ccgov.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CCGOV_RULES_DIR
#define CCGOV_RULES_DIR "/usr/local/share/ccgov/rules"
#endif

enum { OPT_RULES = 256, OPT_NO_DEFAULT_RULES, OPT_FORMAT, OPT_FAIL_ON, OPT_THREADS, OPT_MAX_SIZE,
       OPT_BASELINE, OPT_CHANGED_SINCE, OPT_NO_PREFILTER, OPT_INVENTORY, OPT_ALLOW_SKIPPED };

static const struct option longopts[] = {
	{ "rules", required_argument, NULL, OPT_RULES },
	{ "no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "threads", required_argument, NULL, OPT_THREADS },
	{ "max-file-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "changed-since", required_argument, NULL, OPT_CHANGED_SINCE },
	{ "no-prefilter", no_argument, NULL, OPT_NO_PREFILTER },
	{ "inventory", no_argument, NULL, OPT_INVENTORY },
	{ "allow-skipped", required_argument, NULL, OPT_ALLOW_SKIPPED },
	{ NULL, 0, NULL, 0 }
};

/*
 * The rules shipped with ccgov: $CCGOV_RULES_DIR; else those installed
 * beside the binary (BIN/../share/ccgov/rules), so an installed tree can be
 * moved; else rules/ of the source tree a build runs from (build/ccgov);
 * else the PREFIX the binary was built for.
 */
static char *default_rules_dir(void)
{
	static const char *const beside[] = { "/../share/ccgov/rules", "/../rules" };
	const char *env = getenv("CCGOV_RULES_DIR");
	char exe[PATH_MAX], *slash;
	ssize_t n;

	if (env && env[0])
		return strdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 32);
	if (n > 0 && (exe[n] = '\0', slash = strrchr(exe, '/'))) {
		for (size_t i = 0; i < 2; i++) {
			strcpy(slash, beside[i]);
			if (access(exe, R_OK) == 0)
				return realpath(exe, NULL);
		}
	}
	return strdup(CCGOV_RULES_DIR);
}

/* ---- skipped files ------------------------------------------------------- */

/* A name on one line of text, escaped so that it can neither break the line nor be lost. */
static void put_path(FILE *out, const char *path)
{
	char *e = ccgov_utf8_escape(path, strlen(path));

	fputs(e ? e : "?", out);
	free(e);
}

/*
 * A name in JSON: "path" is the name itself when it is UTF-8 (JSON escapes
 * its control characters). Otherwise JSON cannot hold it: "path" is the
 * escaped text form, for people, and "path_bytes" the exact bytes in hex.
 */
static void add_path(cJSON *o, const char *path)
{
	size_t n = strlen(path);
	char *text, *hex;

	if (ccgov_utf8_valid(path, n)) {
		cJSON_AddStringToObject(o, "path", path);
		return;
	}
	text = ccgov_utf8_escape(path, n);
	cJSON_AddStringToObject(o, "path", text ? text : "");
	if ((hex = malloc(2 * n + 1))) {
		ccgov_hex(hex, (const unsigned char *)path, n);
		cJSON_AddStringToObject(o, "path_bytes", hex);
	}
	free(text);
	free(hex);
}

/*
 * A skip whose kind is not allowed is an error, one that is a warning,
 * whatever --fail-on says: like a rule's severity, the level says what
 * the skip is, and the gate decides the exit status.
 */
static const char *skip_level(const ccgov_skipped_file *s)
{
	return s->allowed ? "warning" : "error";
}

static void print_skipped_text(const ccgov_scan_result *r)
{
	for (size_t i = 0; i < r->nskipped; i++) {
		const ccgov_skipped_file *s = &r->skipped[i];

		put_path(stdout, s->path);
		printf(": %s skipped-%s: %s%s\n", skip_level(s), ccgov_skip_kind_name(s->kind),
		       s->reason, s->allowed ? " (allowed)" : "");
	}
}

static cJSON *skipped_json(const ccgov_scan_result *r)
{
	cJSON *list = cJSON_CreateArray();

	for (size_t i = 0; i < r->nskipped; i++) {
		const ccgov_skipped_file *s = &r->skipped[i];
		cJSON *o = cJSON_CreateObject();

		add_path(o, s->path);
		cJSON_AddStringToObject(o, "kind", ccgov_skip_kind_name(s->kind));
		cJSON_AddStringToObject(o, "level", skip_level(s));
		cJSON_AddBoolToObject(o, "allowed", s->allowed);
		cJSON_AddStringToObject(o, "reason", s->reason);
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

static size_t count_not_allowed(const ccgov_scan_result *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nskipped; i++)
		n += !r->skipped[i].allowed;
	return n;
}

/* The kinds set in a mask, in their order, each between quotes and apart by sep. */
static void put_kinds(FILE *out, unsigned kinds, const char *sep, const char *quote)
{
	const char *s = "";

	for (int k = 0; k < CCGOV_SKIP_KINDS; k++) {
		if (kinds >> k & 1) {
			fprintf(out, "%s%s%s%s", s, quote, ccgov_skip_kind_name(k), quote);
			s = sep;
		}
	}
}

/*
 * One line that says which skips fail the gate, and the exact option and
 * ccgov.json key that would accept them, so that accepting is a visible,
 * reviewed decision.
 */
static void print_skip_verdict(const ccgov_scan_result *r, size_t failing)
{
	unsigned kinds = 0;
	size_t shown = 0;

	fprintf(stderr, "ccgov: scan: the gate fails on %zu skipped file%s: ", failing, failing == 1 ? "" : "s");
	for (size_t i = 0; i < r->nskipped; i++) {
		const ccgov_skipped_file *s = &r->skipped[i];

		if (s->allowed)
			continue;
		kinds |= 1u << s->kind;
		if (shown++ < 10) {
			fputs(shown > 1 ? ", " : "", stderr);
			put_path(stderr, s->path);
			fprintf(stderr, " (%s)", ccgov_skip_kind_name(s->kind));
		}
	}
	if (shown > 10)
		fprintf(stderr, " and %zu more", shown - 10);
	fputs("; to accept these skips, pass --allow-skipped ", stderr);
	put_kinds(stderr, kinds, ",", "");
	fputs(" or set \"scan\": {\"allow_skipped\": [", stderr);
	put_kinds(stderr, kinds, ", ", "\"");
	fputs("]} in ccgov.json\n", stderr);
}

/* ---- findings --------------------------------------------------------------- */

/*
 * A line of code as text shows it: tabs stay, a CRLF file's carriage
 * return goes, and any other control, line separator or bidirectional
 * control is written \xNN, so that code can neither forge a report line
 * nor reorder what the reader sees.
 */
static void put_code(FILE *out, const char *line)
{
	const unsigned char *p = (const unsigned char *)line;
	size_t len = strlen(line);
	uint32_t cp;

	if (len && p[len - 1] == '\r')
		len--;
	while (len) {
		size_t n = ccgov_utf8_decode(&cp, p, len);

		if (n == 0)
			n = 1, cp = 0;
		if (cp != '\t' && ccgov_utf8_breaks_line(cp))
			for (size_t i = 0; i < n; i++)
				fprintf(out, "\\x%02x", p[i]);
		else
			fwrite(p, 1, n, out);
		p += n;
		len -= n;
	}
}

static void print_text(const ccgov_scan_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		const ccgov_finding *f = &r->findings[i];

		if (f->suppression || f->baselined)
			continue;
		put_path(stdout, f->path);
		printf(":%u:%u: %s %s: %s\n    ", f->line, f->column, ccgov_severity_name(f->rule->severity),
		       f->rule->id, f->rule->message);
		put_code(stdout, f->source_line);
		putchar('\n');
	}
}

static cJSON *finding_json(const ccgov_finding *f)
{
	cJSON *o = cJSON_CreateObject();
	char fp[33];

	cJSON_AddStringToObject(o, "rule", f->rule->id);
	cJSON_AddStringToObject(o, "category", f->rule->category);
	cJSON_AddStringToObject(o, "severity", ccgov_severity_name(f->rule->severity));
	add_path(o, f->path);
	cJSON_AddNumberToObject(o, "line", f->line);
	cJSON_AddNumberToObject(o, "column", f->column);
	cJSON_AddNumberToObject(o, "end_line", f->end_line);
	cJSON_AddNumberToObject(o, "end_column", f->end_column);
	cJSON_AddStringToObject(o, "message", f->rule->message);
	cJSON_AddStringToObject(o, "requirement", f->rule->requirement);
	cJSON_AddStringToObject(o, "source", f->source_line);
	ccgov_finding_fingerprint(fp, f);
	cJSON_AddStringToObject(o, "fingerprint", fp);
	if (f->suppression)
		cJSON_AddStringToObject(o, "suppressed", f->suppression);
	if (f->baselined)
		cJSON_AddBoolToObject(o, "baselined", 1);
	return o;
}

static cJSON *summary_json(const ccgov_scan_result *r, size_t nrules, size_t active)
{
	cJSON *s = cJSON_CreateObject(), *skipped;
	size_t baselined = 0;

	for (size_t i = 0; i < r->nfindings; i++)
		baselined += r->findings[i].baselined && !r->findings[i].suppression;
	cJSON_AddNumberToObject(s, "baselined", (double)baselined);
	cJSON_AddNumberToObject(s, "rules", (double)nrules);
	cJSON_AddNumberToObject(s, "files_scanned", (double)r->files_scanned);
	cJSON_AddNumberToObject(s, "files_parsed", (double)r->files_parsed);
	cJSON_AddNumberToObject(s, "files_with_syntax_errors", (double)r->files_with_syntax_errors);
	cJSON_AddNumberToObject(s, "findings", (double)active);
	cJSON_AddNumberToObject(s, "suppressed", (double)(r->nfindings - active));
	skipped = cJSON_AddObjectToObject(s, "skipped");
	cJSON_AddNumberToObject(skipped, "binary", (double)r->skipped_binary);
	cJSON_AddNumberToObject(skipped, "generated", (double)r->skipped_generated);
	cJSON_AddNumberToObject(skipped, "too_large", (double)r->skipped_large);
	cJSON_AddNumberToObject(skipped, "unreadable", (double)r->skipped_unreadable);
	cJSON_AddNumberToObject(skipped, "symlink", (double)r->skipped_symlink);
	cJSON_AddNumberToObject(skipped, "not_allowed", (double)count_not_allowed(r));
	return s;
}

static int print_json_report(const ccgov_scan_result *r, size_t nrules, size_t active)
{
	cJSON *root = cJSON_CreateObject(), *list;
	int err;

	if (!root)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	list = cJSON_AddArrayToObject(root, "findings");
	for (size_t i = 0; i < r->nfindings; i++)
		cJSON_AddItemToArray(list, finding_json(&r->findings[i]));
	cJSON_AddItemToObject(root, "skipped", skipped_json(r));
	cJSON_AddItemToObject(root, "summary", summary_json(r, nrules, active));
	err = print_json(root);
	cJSON_Delete(root);
	return err;
}

/* SARIF levels are ccgov's severities by name. */
static cJSON *sarif_rules(const ccgov_ruleset *rs)
{
	cJSON *rules = cJSON_CreateArray();

	for (size_t i = 0; i < ccgov_ruleset_count(rs); i++) {
		const ccgov_rule *r = ccgov_ruleset_rule(rs, i);
		cJSON *o, *t, *props, *tags;

		if (r->inventory)
			continue;
		o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", r->id);
		cJSON_AddStringToObject(o, "name", r->title);
		t = cJSON_AddObjectToObject(o, "shortDescription");
		cJSON_AddStringToObject(t, "text", r->title);
		t = cJSON_AddObjectToObject(o, "fullDescription");
		cJSON_AddStringToObject(t, "text", r->message);
		if (r->remediation) {
			t = cJSON_AddObjectToObject(o, "help");
			cJSON_AddStringToObject(t, "text", r->remediation);
		}
		t = cJSON_AddObjectToObject(o, "defaultConfiguration");
		cJSON_AddStringToObject(t, "level", ccgov_severity_name(r->severity));
		props = cJSON_AddObjectToObject(o, "properties");
		cJSON_AddStringToObject(props, "category", r->category);
		cJSON_AddStringToObject(props, "requirement", r->requirement);
		tags = cJSON_AddArrayToObject(props, "tags");
		cJSON_AddItemToArray(tags, cJSON_CreateString("security"));
		cJSON_AddItemToArray(tags, cJSON_CreateString(r->category));
		cJSON_AddItemToArray(rules, o);
	}
	return rules;
}

/* The rule's place in SARIF's rules array, which lists the checks only. */
static int rule_index(const ccgov_ruleset *rs, const ccgov_rule *rule)
{
	int index = 0;

	for (size_t i = 0; i < ccgov_ruleset_count(rs); i++) {
		if (ccgov_ruleset_rule(rs, i) == rule)
			return index;
		index += ccgov_ruleset_rule(rs, i)->inventory == NULL;
	}
	return -1;
}

static size_t count_rules(const ccgov_ruleset *rs, int inventory)
{
	size_t n = 0;

	for (size_t i = 0; i < ccgov_ruleset_count(rs); i++)
		n += (ccgov_ruleset_rule(rs, i)->inventory != NULL) == inventory;
	return n;
}

/* "file:line:col: kind key sensitivity[ runtime-mutable]"; a key from a string literal is escaped too. */
static void print_inventory_line(const ccgov_finding *f, const char *sensitivity, int mutable_)
{
	int named = f->key && strcmp(ccgov_inventory_sensitivity(f->key), "unknown") != 0;

	put_path(stdout, f->path);
	printf(":%u:%u: %s ", f->line, f->column, f->rule->inventory);
	if (named)
		put_path(stdout, f->key);
	else
		fputs(mutable_ && !f->key ? "-" : "(computed)", stdout);
	printf(" %s%s\n", sensitivity, mutable_ ? " runtime-mutable" : "");
}

/*
 * The inventory: every place the code reads configuration. A read can
 * change at run time when the same file also has a reload hook or watch.
 */
static int print_inventory(const ccgov_scan_result *r, enum output_format format)
{
	cJSON *root = cJSON_CreateObject(), *list;
	int err;

	if (!root)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	list = cJSON_AddArrayToObject(root, "inventory");
	for (size_t i = 0; i < r->nfindings; i++) {
		const ccgov_finding *f = &r->findings[i];
		cJSON *o = cJSON_CreateObject();
		int mutable_ = strcmp(f->rule->inventory, "reload") == 0;

		for (size_t k = 0; k < r->nfindings && !mutable_; k++)
			mutable_ = strcmp(r->findings[k].path, f->path) == 0 &&
				   strcmp(r->findings[k].rule->inventory, "reload") == 0 &&
				   strcmp(f->rule->inventory, "file") == 0;
		cJSON_AddStringToObject(o, "kind", f->rule->inventory);
		add_path(o, f->path);
		cJSON_AddNumberToObject(o, "line", f->line);
		cJSON_AddNumberToObject(o, "column", f->column);
		if (f->key && strcmp(ccgov_inventory_sensitivity(f->key), "unknown") != 0)
			cJSON_AddStringToObject(o, "key", f->key);
		else
			cJSON_AddNullToObject(o, "key");
		cJSON_AddStringToObject(o, "sensitivity",
					strcmp(f->rule->inventory, "reload") == 0 ? "n/a" :
					ccgov_inventory_sensitivity(f->key));
		cJSON_AddBoolToObject(o, "runtime_mutable", mutable_);
		cJSON_AddStringToObject(o, "source", f->source_line);
		if (format == FORMAT_TEXT)
			print_inventory_line(f, cJSON_GetObjectItem(o, "sensitivity")->valuestring, mutable_);
		cJSON_AddItemToArray(list, o);
	}
	/* The inventory never gates, but what it could not read is named all the same. */
	cJSON_AddItemToObject(root, "skipped", skipped_json(r));
	if (format == FORMAT_TEXT)
		print_skipped_text(r);
	err = format == FORMAT_TEXT ? 0 : print_json(root);
	cJSON_Delete(root);
	return err;
}

static cJSON *sarif_location(const char *path)
{
	cJSON *loc = cJSON_CreateObject(), *phys = cJSON_AddObjectToObject(loc, "physicalLocation"), *a;
	char *uri = ccgov_uri_encode(path, "/");

	a = cJSON_AddObjectToObject(phys, "artifactLocation");
	/* A URI reference: a space, '%', '#' or ':', a control or a non-ASCII byte is escaped. */
	cJSON_AddStringToObject(a, "uri", uri ? uri : "");
	cJSON_AddStringToObject(a, "uriBaseId", "%SRCROOT%");
	free(uri);
	return loc;
}

static cJSON *sarif_result(const ccgov_ruleset *rs, const ccgov_finding *f)
{
	cJSON *o = cJSON_CreateObject(), *t, *loc, *region, *fp;
	char hex[33];

	cJSON_AddStringToObject(o, "ruleId", f->rule->id);
	cJSON_AddNumberToObject(o, "ruleIndex", rule_index(rs, f->rule));
	cJSON_AddStringToObject(o, "level", ccgov_severity_name(f->rule->severity));
	t = cJSON_AddObjectToObject(o, "message");
	cJSON_AddStringToObject(t, "text", f->rule->message);
	loc = sarif_location(f->path);
	region = cJSON_AddObjectToObject(cJSON_GetObjectItem(loc, "physicalLocation"), "region");
	cJSON_AddNumberToObject(region, "startLine", f->line);
	cJSON_AddNumberToObject(region, "startColumn", f->column);
	cJSON_AddNumberToObject(region, "endLine", f->end_line);
	cJSON_AddNumberToObject(region, "endColumn", f->end_column);
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "locations"), loc);
	ccgov_finding_fingerprint(hex, f);
	fp = cJSON_AddObjectToObject(o, "partialFingerprints");
	cJSON_AddStringToObject(fp, "ccgovFinding/v1", hex);
	cJSON_AddStringToObject(o, "baselineState", f->baselined ? "unchanged" : "new");
	if (f->suppression) {
		cJSON *s = cJSON_CreateObject();

		cJSON_AddStringToObject(s, "kind", "inSource");
		cJSON_AddStringToObject(s, "justification", f->suppression);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "suppressions"), s);
	}
	return o;
}

/* What each skip kind means, for SARIF's notification descriptors (ids skipped-KIND). */
static const char *const skip_descriptions[CCGOV_SKIP_KINDS] = {
	"A binary file (mostly NUL and control bytes) was not scanned.",
	"A file larger than the size limit (--max-file-size) was not scanned.",
	"A file with a code generator's marker in its leading comments was not scanned.",
	"A file or folder that could not be read was not scanned.",
	"A file with syntax errors was scanned only as far as it parses: code past an error may be missed.",
	"A symbolic link that leaves the scanned tree, points to nothing or loops was not followed.",
};

static cJSON *sarif_notification_descriptors(void)
{
	cJSON *list = cJSON_CreateArray();

	for (int k = 0; k < CCGOV_SKIP_KINDS; k++) {
		cJSON *o = cJSON_CreateObject(), *t;
		char id[32];

		snprintf(id, sizeof(id), "skipped-%s", ccgov_skip_kind_name(k));
		cJSON_AddStringToObject(o, "id", id);
		t = cJSON_AddObjectToObject(o, "shortDescription");
		cJSON_AddStringToObject(t, "text", skip_descriptions[k]);
		t = cJSON_AddObjectToObject(o, "defaultConfiguration");
		cJSON_AddStringToObject(t, "level", "error");
		cJSON_AddItemToArray(list, o);
	}
	return list;
}

/* A skip is a tool execution notification: the run did not cover that file. */
static cJSON *sarif_notification(const ccgov_skipped_file *s)
{
	cJSON *o = cJSON_CreateObject(), *t;
	char *name = ccgov_utf8_escape(s->path, strlen(s->path));
	ccgov_buffer text = CCGOV_BUFFER_INIT;

	t = cJSON_AddObjectToObject(o, "descriptor");
	ccgov_buffer_printf(&text, "skipped-%s", ccgov_skip_kind_name(s->kind));
	cJSON_AddStringToObject(t, "id", text.data ? text.data : "");
	cJSON_AddNumberToObject(t, "index", s->kind);
	cJSON_AddStringToObject(o, "level", skip_level(s));
	text.len = 0;
	ccgov_buffer_printf(&text, "%s: skipped-%s: %s%s", name ? name : "?", ccgov_skip_kind_name(s->kind),
			    s->reason, s->allowed ? " (allowed)" : "");
	t = cJSON_AddObjectToObject(o, "message");
	cJSON_AddStringToObject(t, "text", text.data ? text.data : "");
	cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "locations"), sarif_location(s->path));
	t = cJSON_AddObjectToObject(o, "properties");
	cJSON_AddBoolToObject(t, "allowed", s->allowed);
	ccgov_buffer_free(&text);
	free(name);
	return o;
}

static cJSON *sarif_invocation(const ccgov_scan_result *r, int exit_code)
{
	cJSON *inv = cJSON_CreateObject(), *list;

	cJSON_AddBoolToObject(inv, "executionSuccessful", 1);
	cJSON_AddNumberToObject(inv, "exitCode", exit_code);
	list = cJSON_AddArrayToObject(inv, "toolExecutionNotifications");
	for (size_t i = 0; i < r->nskipped; i++)
		cJSON_AddItemToArray(list, sarif_notification(&r->skipped[i]));
	return inv;
}

static int print_sarif(const ccgov_ruleset *rs, const ccgov_scan_result *r, int exit_code)
{
	cJSON *root = cJSON_CreateObject(), *run, *tool, *driver, *results;
	int err;

	if (!root)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	cJSON_AddStringToObject(root, "$schema", "https://json.schemastore.org/sarif-2.1.0.json");
	cJSON_AddStringToObject(root, "version", "2.1.0");
	run = cJSON_CreateObject();
	tool = cJSON_AddObjectToObject(run, "tool");
	driver = cJSON_AddObjectToObject(tool, "driver");
	cJSON_AddStringToObject(driver, "name", "ccgov");
	cJSON_AddStringToObject(driver, "version", CCGOV_VERSION);
	cJSON_AddStringToObject(driver, "informationUri", "https://ccgov.dev/");
	cJSON_AddItemToObject(driver, "rules", sarif_rules(rs));
	cJSON_AddItemToObject(driver, "notifications", sarif_notification_descriptors());
	cJSON_AddItemToArray(cJSON_AddArrayToObject(run, "invocations"), sarif_invocation(r, exit_code));
	results = cJSON_AddArrayToObject(run, "results");
	for (size_t i = 0; i < r->nfindings; i++)
		cJSON_AddItemToArray(results, sarif_result(rs, &r->findings[i]));
	cJSON_AddItemToArray(cJSON_AddArrayToObject(root, "runs"), run);
	err = print_json(root);
	cJSON_Delete(root);
	return err;
}

/*
 * The scanned folder's ccgov.json can accept kinds of skips ("scan":
 * {"allow_skipped": [...]}): in the repository, a reviewer sees that
 * decision. No file, no allowance; a file that does not load is an error.
 */
static int project_allowances(unsigned *mask, const char *root)
{
	char *path = ccgov_path_join(root, CCGOV_PROJECT_FILE);
	ccgov_project *p = NULL;
	struct stat st;
	int err = 0;

	if (!path)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	/* A root that cannot be searched is the scan's to report, as a skip or an error. */
	if (stat(path, &st) < 0)
		;
	else if ((err = ccgov_project_load(&p, path, path)) == 0)
		*mask |= p->scan_allow_skipped;
	ccgov_project_free(p);
	free(path);
	return err;
}

int cmd_scan(int argc, char **argv)
{
	ccgov_scan_options opts = { .root = "." };
	const char **dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	char *defaults = NULL;
	const char *baseline = NULL;
	size_t ndirs = 0, active = 0, failing = 0, failing_skips;
	int c, use_defaults = 1, status = EXIT_OK, fail_never = 0, format = 0;
	ccgov_severity fail_on = CCGOV_SEVERITY_WARNING;
	ccgov_ruleset *rules = NULL;
	ccgov_scan_result result = { 0 };

	if (!dirs) {
		error_line("out of memory");
		return EXIT_INTERNAL;
	}
	optind = 1;
	while ((c = next_option("scan", argc, argv, "", longopts)) != -1) {
		switch (c) {
		case OPT_RULES: dirs[ndirs++] = optarg; break;
		case OPT_NO_DEFAULT_RULES: use_defaults = 0; break;
		case OPT_FORMAT:
			if (strcmp(optarg, "text") == 0) format = 0;
			else if (strcmp(optarg, "json") == 0) format = 1;
			else if (strcmp(optarg, "sarif") == 0) format = 2;
			else {
				error_line("scan: --format: unknown format '%s' (expected text, json or sarif)", optarg);
				status = EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_FAIL_ON:
			if (strcmp(optarg, "never") == 0)
				fail_never = 1;
			else if (ccgov_severity_parse(&fail_on, optarg) < 0) {
				error_line("scan: --fail-on: '%s' is not note, warning, error or never", optarg);
				status = EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_THREADS:
			opts.threads = atoi(optarg);
			if (opts.threads < 1 || opts.threads > 64) {
				error_line("scan: --threads: '%s' is not a number from 1 to 64", optarg);
				status = EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_BASELINE: baseline = optarg; break;
		case OPT_CHANGED_SINCE: opts.changed_since = optarg; break;
		case OPT_NO_PREFILTER: opts.no_prefilter = 1; break;
		case OPT_INVENTORY: opts.inventory = 1; break;
		case OPT_ALLOW_SKIPPED:
			if (ccgov_skip_kinds_parse(&opts.allow_skipped, optarg) < 0) {
				error_line("scan: --allow-skipped: %s", ccgov_error_last()->message);
				status = EXIT_USAGE;
				goto done;
			}
			break;
		case OPT_MAX_SIZE:
			opts.max_file_size = strtoull(optarg, NULL, 10);
			if (!opts.max_file_size) {
				error_line("scan: --max-file-size: '%s' is not a positive number of bytes", optarg);
				status = EXIT_USAGE;
				goto done;
			}
			break;
		default:
			status = EXIT_USAGE;
			goto done;
		}
	}
	if (argc - optind > 1) {
		error_line("scan: too many arguments (usage: ccgov scan [PATH] [options])");
		status = EXIT_USAGE;
		goto done;
	}
	if (optind < argc)
		opts.root = argv[optind];
	if (use_defaults) {
		if (!(defaults = default_rules_dir())) {
			error_line("out of memory");
			status = EXIT_INTERNAL;
			goto done;
		}
		dirs[ndirs++] = defaults;
	}
	if (project_allowances(&opts.allow_skipped, opts.root) < 0 || ccgov_ruleset_load(&rules, dirs, ndirs) < 0 ||
	    ccgov_scan(&result, rules, &opts) < 0 ||
	    (baseline && ccgov_scan_apply_baseline(&result, baseline) < 0)) {
		status = error_from_library();
		goto done;
	}
	if (opts.inventory) {
		if (format == 2) {
			error_line("scan: --inventory prints text or json, not sarif");
			status = EXIT_USAGE;
		} else if (print_inventory(&result, format == 1 ? FORMAT_JSON : FORMAT_TEXT) < 0) {
			status = error_from_library();
		}
		goto done;
	}
	for (size_t i = 0; i < result.nfindings; i++) {
		if (result.findings[i].suppression)
			continue;
		active++;
		if (result.findings[i].baselined)
			continue;
		failing += result.findings[i].rule->severity >= fail_on;
	}
	failing_skips = fail_never ? 0 : count_not_allowed(&result);
	if (!fail_never && (failing || failing_skips))
		status = EXIT_CHECK_FAILED;
	if (format == 0) {
		print_text(&result);
		print_skipped_text(&result);
	} else if ((format == 1 && print_json_report(&result, count_rules(rules, 0), active) < 0) ||
		   (format == 2 && print_sarif(rules, &result, status) < 0)) {
		status = error_from_library();
		goto done;
	}
	fflush(stdout);
	if (failing_skips)
		print_skip_verdict(&result, failing_skips);
	fprintf(stderr, "ccgov: scan: %zu files, %zu rules: %zu findings, %zu suppressed; skipped %zu binary, %zu generated, %zu too large, %zu unreadable, %zu symbolic links; %zu with syntax errors\n",
		result.files_scanned, count_rules(rules, 0), active, result.nfindings - active,
		result.skipped_binary, result.skipped_generated, result.skipped_large,
		result.skipped_unreadable, result.skipped_symlink, result.files_with_syntax_errors);
done:
	ccgov_scan_result_clear(&result);
	ccgov_ruleset_free(rules);
	free(defaults);
	free(dirs);
	return status;
}
