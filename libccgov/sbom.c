/*
 * The SBOM model: components found by the catalogers, merged by their
 * reference (the purl), and sorted for writing.
 */
#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/sbom.h>
#include <ccgov/utf8.h>
#include <ccgov/uri.h>

#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ccgov_sbom_init(ccgov_sbom *s)
{
	memset(s, 0, sizeof(*s));
}

static void component_free(ccgov_component *c)
{
	free(c->ref);
	free(c->name);
	free(c->version);
	free(c->purl);
	free(c->license);
	free(c->source);
	for (size_t i = 0; i < c->nhashes; i++)
		free(c->hashes[i].hex);
	for (size_t i = 0; i < c->nprops; i++) {
		free(c->props[i].name);
		free(c->props[i].value);
	}
	free(c->props);
	for (size_t i = 0; i < c->ndepends; i++)
		free(c->depends[i]);
	free(c->depends);
	memset(c, 0, sizeof(*c));
}

void ccgov_sbom_free(ccgov_sbom *s)
{
	component_free(&s->root);
	for (size_t i = 0; i < s->len; i++)
		component_free(&s->items[i]);
	free(s->items);
	for (size_t i = 0; i < s->nwarnings; i++)
		free(s->warnings[i]);
	free(s->warnings);
	free(s->index);
	memset(s, 0, sizeof(*s));
}

/* FNV-1a: refs are short, and the table only needs to spread them. */
static size_t ref_hash(const char *ref)
{
	uint64_t h = 1469598103934665603ull;

	for (const unsigned char *p = (const unsigned char *)ref; *p; p++)
		h = (h ^ *p) * 1099511628211ull;
	return (size_t)h;
}

/* The slot of ref in the table: its entry, or the empty slot it would take. */
static size_t *slot_of(const ccgov_sbom *s, const char *ref)
{
	size_t mask = s->index_size - 1, i = ref_hash(ref) & mask;

	while (s->index[i] && strcmp(s->items[s->index[i] - 1].ref, ref) != 0)
		i = (i + 1) & mask;
	return &s->index[i];
}

static int grow_index(ccgov_sbom *s)
{
	size_t size = s->index_size ? s->index_size * 2 : 256;
	size_t *old = s->index, old_size = s->index_size;

	if (!(s->index = calloc(size, sizeof(*s->index)))) {
		s->index = old;
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	s->index_size = size;
	for (size_t i = 0; i < old_size; i++)
		if (old[i])
			*slot_of(s, s->items[old[i] - 1].ref) = old[i];
	free(old);
	return 0;
}

/* Every ref again in the index, after items moved. */
static void reindex(ccgov_sbom *s)
{
	if (s->index)
		memset(s->index, 0, s->index_size * sizeof(*s->index));
	for (size_t i = 0; s->index && i < s->len; i++)
		*slot_of(s, s->items[i].ref) = i + 1;
}

ccgov_component *ccgov_sbom_add_ref(ccgov_sbom *s, const char *ref, const char *type, const char *name,
				    const char *version, const char *purl, const char *source)
{
	ccgov_component *c;
	size_t *slot;

	if ((s->len + 1) * 2 > s->index_size && grow_index(s) < 0)
		return NULL;
	if (*(slot = slot_of(s, ref)))
		return &s->items[*slot - 1];
	if (s->len == s->cap) {
		ccgov_component *p = realloc(s->items, (s->cap = s->cap ? s->cap * 2 : 64) * sizeof(*p));

		if (!p)
			return NULL;
		s->items = p;
	}
	c = &s->items[s->len];
	memset(c, 0, sizeof(*c));
	c->ref = strdup(ref);
	c->type = type;
	c->name = strdup(name);
	c->version = version ? strdup(version) : NULL;
	c->purl = purl ? strdup(purl) : NULL;
	c->source = source ? strdup(source) : NULL;
	if (!c->ref || !c->name || (version && !c->version) || (purl && !c->purl) || (source && !c->source)) {
		component_free(c);
		return NULL;
	}
	*slot = ++s->len;
	return c;
}

ccgov_component *ccgov_sbom_add(ccgov_sbom *s, const char *type, const char *name, const char *version,
				const char *purl, const char *source)
{
	ccgov_component *c;
	char *ref = NULL;

	if (purl)
		return ccgov_sbom_add_ref(s, purl, type, name, version, purl, source);
	if (asprintf(&ref, "ccgov:%s/%s@%s", source ? source : "", name, version ? version : "") < 0)
		return NULL;
	c = ccgov_sbom_add_ref(s, ref, type, name, version, NULL, source);
	free(ref);
	return c;
}

ccgov_component *ccgov_sbom_find(ccgov_sbom *s, const char *ref)
{
	size_t *slot;

	if (!s->index_size)
		return strcmp(s->root.ref ? s->root.ref : "", ref) == 0 ? &s->root : NULL;
	slot = slot_of(s, ref);
	if (*slot)
		return &s->items[*slot - 1];
	return s->root.ref && strcmp(s->root.ref, ref) == 0 ? &s->root : NULL;
}

void ccgov_component_use(ccgov_component *c, ccgov_dep_kind kind, const char *scope, int direct)
{
	if (c->uses++ == 0) {
		c->kind = kind;
		c->scope = scope;
	} else {
		if (kind < c->kind)
			c->kind = kind;
		if (!scope)
			c->scope = NULL;
	}
	c->direct |= direct;
}

int ccgov_component_hash(ccgov_component *c, const char *alg, const char *hex)
{
	for (size_t i = 0; i < c->nhashes; i++)
		if (strcmp(c->hashes[i].alg, alg) == 0)
			return 0;
	if (c->nhashes == sizeof(c->hashes) / sizeof(c->hashes[0]))
		return 0;
	if (!(c->hashes[c->nhashes].hex = strdup(hex)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	c->hashes[c->nhashes++].alg = alg;
	return 0;
}

int ccgov_component_property(ccgov_component *c, const char *name, const char *value)
{
	ccgov_property *p;

	for (size_t i = 0; i < c->nprops; i++)
		if (strcmp(c->props[i].name, name) == 0 && strcmp(c->props[i].value, value) == 0)
			return 0;
	if (!(p = realloc(c->props, (c->nprops + 1) * sizeof(*p))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	c->props = p;
	p[c->nprops].name = strdup(name);
	p[c->nprops].value = strdup(value);
	if (!p[c->nprops].name || !p[c->nprops].value) {
		free(p[c->nprops].name);
		free(p[c->nprops].value);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	c->nprops++;
	return 0;
}

int ccgov_component_depends(ccgov_component *c, const char *ref)
{
	char **p;

	for (size_t i = 0; i < c->ndepends; i++)
		if (strcmp(c->depends[i], ref) == 0)
			return 0;
	if (!(p = realloc(c->depends, (c->ndepends + 1) * sizeof(*p))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	c->depends = p;
	if (!(p[c->ndepends] = strdup(ref)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	c->ndepends++;
	return 0;
}

int ccgov_sbom_warn(ccgov_sbom *s, const char *fmt, ...)
{
	char **p = realloc(s->warnings, (s->nwarnings + 1) * sizeof(*p)), *text = NULL;
	va_list ap;
	int n;

	if (!p)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	s->warnings = p;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	/* A warning quotes what a file holds: it is kept as one line of text whatever that was. */
	if (!ccgov_sbom_text_fits(text, (size_t)n)) {
		char *shown = ccgov_utf8_escape(text, (size_t)n);

		free(text);
		if (!(text = shown))
			return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	p[s->nwarnings++] = text;
	return 0;
}

int ccgov_sbom_text_fits(const char *value, size_t len)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t n;

	if (!ccgov_utf8_valid(value, len))
		return 0;
	for (size_t i = 0; i < len; i += n) {
		uint32_t cp;

		if (!(n = ccgov_utf8_decode(&cp, p + i, len - i)) || ccgov_utf8_breaks_line(cp))
			return 0;
	}
	return 1;
}

/* The warning for a value left out; where is "path:line", a binary file's path, or a file and an entry. */
static int left_out(ccgov_sbom *s, const char *where, const char *what, const char *value, size_t len)
{
	char *shown = ccgov_utf8_escape(value, len > 120 ? 120 : len), *at = ccgov_utf8_escape(where, strlen(where));
	int err = 0;

	/* Both shown escaped, the value cut, so that the warning itself is one line of text. */
	if (!shown || !at)
		err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	else
		err = ccgov_sbom_warn(s, "%s: %s '%s%s' is not text an SBOM can hold (UTF-8 without control "
				      "characters, at most %d bytes); left out", at, what, shown,
				      len > 120 ? "..." : "", CCGOV_SBOM_TEXT_MAX);
	free(shown);
	free(at);
	return err < 0 ? err : 0;
}

static int usable(const char *value, size_t len)
{
	return len <= CCGOV_SBOM_TEXT_MAX && ccgov_sbom_text_fits(value, len);
}

int ccgov_sbom_text_usable(ccgov_sbom *s, const char *path, int line, const char *what, const char *value,
			   size_t len)
{
	char where[PATH_MAX + 24];

	if (usable(value, len))
		return 1;
	if (line > 0)
		snprintf(where, sizeof(where), "%s:%d", path, line);
	else
		snprintf(where, sizeof(where), "%s", path);
	return left_out(s, where, what, value, len);
}

int ccgov_sbom_usable(ccgov_sbom *s, const char *where, ...)
{
	const char *what, *value;
	va_list ap;
	int ok = 1;

	va_start(ap, where);
	while (ok == 1 && (what = va_arg(ap, const char *))) {
		value = va_arg(ap, const char *);
		if (value && !usable(value, strlen(value)))
			ok = left_out(s, where, what, value, strlen(value));
	}
	va_end(ap);
	return ok;
}

/* ---- the last guard before a writer ----------------------------------- */

static int writable(const char *v)
{
	return !v || ccgov_sbom_text_fits(v, strlen(v));
}

static int component_writable(const ccgov_component *c)
{
	int ok = writable(c->ref) && writable(c->name) && writable(c->version) && writable(c->purl) &&
		 writable(c->license) && writable(c->source);

	for (size_t i = 0; ok && i < c->nhashes; i++)
		ok = writable(c->hashes[i].hex);
	return ok;
}

/* A warning about something left out, its text escaped: the warning is text even when the value is not. */
static int warn_left_out(ccgov_sbom *s, const char *source, const char *what, const char *value)
{
	char *shown_source = ccgov_utf8_escape(source, strlen(source));
	char *shown = ccgov_utf8_escape(value, strlen(value) > 120 ? 120 : strlen(value));
	int err = shown_source && shown
			  ? ccgov_sbom_warn(s, "%s: %s '%s' is not text an SBOM can hold; left out", shown_source, what, shown)
			  : ccgov_error_set(CCGOV_ENOMEM, "out of memory");

	free(shown_source);
	free(shown);
	return err;
}

static int keep_writable_properties(ccgov_sbom *s, ccgov_component *c)
{
	size_t kept = 0;
	int err = 0;

	for (size_t i = 0; i < c->nprops; i++) {
		if (writable(c->props[i].name) && writable(c->props[i].value)) {
			c->props[kept++] = c->props[i];
			continue;
		}
		if (err == 0)
			err = warn_left_out(s, c->source ? c->source : c->name, "property value", c->props[i].value);
		free(c->props[i].name);
		free(c->props[i].value);
	}
	c->nprops = kept;
	return err;
}

static void drop_depends_on(ccgov_component *c, char *const *refs, size_t nrefs)
{
	size_t kept = 0;

	for (size_t i = 0; i < c->ndepends; i++) {
		int gone = 0;

		for (size_t k = 0; k < nrefs && !gone; k++)
			gone = strcmp(c->depends[i], refs[k]) == 0;
		if (gone)
			free(c->depends[i]);
		else
			c->depends[kept++] = c->depends[i];
	}
	c->ndepends = kept;
}

int ccgov_sbom_keep_writable(ccgov_sbom *s)
{
	char **dropped = calloc(s->len ? s->len : 1, sizeof(*dropped));
	size_t ndropped = 0, kept = 0;
	int err = dropped ? 0 : ccgov_error_set(CCGOV_ENOMEM, "out of memory");

	for (size_t i = 0; i < s->len && dropped; i++) {
		ccgov_component *c = &s->items[i];

		if (component_writable(c)) {
			int e = keep_writable_properties(s, c);

			err = err ? err : e;
			s->items[kept++] = *c;
			continue;
		}
		if (err == 0)
			err = warn_left_out(s, c->source ? c->source : "(image)", "component", c->name ? c->name : c->ref);
		dropped[ndropped++] = c->ref;
		c->ref = NULL;
		component_free(c);
	}
	if (dropped)
		s->len = kept;
	if (ndropped) {
		drop_depends_on(&s->root, dropped, ndropped);
		for (size_t i = 0; i < s->len; i++)
			drop_depends_on(&s->items[i], dropped, ndropped);
		reindex(s);
	}
	if (err == 0)
		err = keep_writable_properties(s, &s->root);
	/* The root cannot be left out: a name taken from a folder is written with \xNN escapes instead. */
	for (size_t k = 0; k < 2 && err == 0; k++) {
		char **field = k == 0 ? &s->root.name : &s->root.version, *escaped;

		if (writable(*field))
			continue;
		if (!(escaped = ccgov_utf8_escape(*field, strlen(*field)))) {
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
			break;
		}
		err = ccgov_sbom_warn(s, "the project's %s '%s' is not text an SBOM can hold; written with \\xNN escapes",
				      k == 0 ? "name" : "version", escaped);
		free(*field);
		*field = escaped;
	}
	for (size_t i = 0; i < ndropped; i++)
		free(dropped[i]);
	free(dropped);
	return err;
}

char *ccgov_purl(const char *type, const char *namespace_, const char *name, const char *version)
{
	char *ns = namespace_ ? ccgov_uri_encode(namespace_, "/") : NULL;
	char *n = ccgov_uri_encode(name, NULL), *v = version ? ccgov_uri_encode(version, NULL) : NULL, *out = NULL;

	if ((!namespace_ || ns) && n && (!version || v) &&
	    asprintf(&out, "pkg:%s/%s%s%s%s%s", type, ns ? ns : "", ns ? "/" : "", n, v ? "@" : "", v ? v : "") < 0)
		out = NULL;
	free(ns);
	free(n);
	free(v);
	return out;
}

char *ccgov_purl_split(const char *type, const char *full_name, const char *slash, const char *version)
{
	char *ns, *purl;

	if (!slash)
		return ccgov_purl(type, NULL, full_name, version);
	if (!(ns = strndup(full_name, (size_t)(slash - full_name))))
		return NULL;
	purl = ccgov_purl(type, ns, slash + 1, version);
	free(ns);
	return purl;
}

/* "https://github.com/owner/repo(.git)" gives pkg:github/owner/repo@commit. */
char *ccgov_purl_github(const char *url, const char *commit)
{
	const char *p = NULL;
	char owner[256], name[256];

	if (strncmp(url, "https://github.com/", 19) == 0)
		p = url + 19;
	else if (strncmp(url, "git@github.com:", 15) == 0)
		p = url + 15;
	if (!p || sscanf(p, "%255[^/]/%255[^/]", owner, name) != 2)
		return NULL;
	if (strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".git") == 0)
		name[strlen(name) - 4] = '\0';
	for (char *c = owner; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	for (char *c = name; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
	return ccgov_purl("github", owner, name, commit);
}

int ccgov_sbom_license_is_expression(const char *license)
{
	if (!*license)
		return 0;
	for (; *license; license++)
		if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-+:() ", *license))
			return 0;
	return 1;
}

const char *ccgov_sbom_scope_of(const char *path)
{
	static const struct {
		const char *folder, *scope;
	} folders[] = {
		{ "test", "test" },   { "tests", "test" },     { "testdata", "test" }, { "testing", "test" },
		{ "__tests__", "test" }, { "fuzz", "fuzz" },  { "docs", "docs" },     { "doc", "docs" },
		{ "example", "example" }, { "examples", "example" }, { "samples", "example" },
	};
	const char *p = path;

	while (*p) {
		const char *slash = strchr(p, '/');
		size_t n;

		if (!slash)
			break; /* the last part is the file itself */
		n = (size_t)(slash - p);
		for (size_t i = 0; i < sizeof(folders) / sizeof(folders[0]); i++)
			if (strlen(folders[i].folder) == n && strncmp(p, folders[i].folder, n) == 0)
				return folders[i].scope;
		p = slash + 1;
	}
	return NULL;
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int by_hash(const void *a, const void *b)
{
	return strcmp(((const ccgov_hash *)a)->alg, ((const ccgov_hash *)b)->alg);
}

static int by_property(const void *a, const void *b)
{
	const ccgov_property *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->value, y->value);
}

static int by_ref(const void *a, const void *b)
{
	return strcmp(((const ccgov_component *)a)->ref, ((const ccgov_component *)b)->ref);
}

static void sort_component(ccgov_component *c)
{
	qsort(c->hashes, c->nhashes, sizeof(*c->hashes), by_hash);
	if (c->nprops)
		qsort(c->props, c->nprops, sizeof(*c->props), by_property);
	if (c->ndepends)
		qsort(c->depends, c->ndepends, sizeof(*c->depends), by_string);
}

void ccgov_sbom_sort(ccgov_sbom *s)
{
	sort_component(&s->root);
	for (size_t i = 0; i < s->len; i++)
		sort_component(&s->items[i]);
	if (s->len)
		qsort(s->items, s->len, sizeof(*s->items), by_ref);
	/* The index refers to positions that sorting changed. */
	reindex(s);
	if (s->nwarnings)
		qsort(s->warnings, s->nwarnings, sizeof(*s->warnings), by_string);
}

int ccgov_sbom_uuid(char out[37], const void *content, size_t len)
{
	static const unsigned char ns[16] = { 0x17, 0x14, 0x7f, 0xec, 0xca, 0x59, 0x57, 0xf3,
					      0xb3, 0xa7, 0x8d, 0x1d, 0xd3, 0x5a, 0xff, 0x8c };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha1(), NULL) && EVP_DigestUpdate(ctx, ns, sizeof(ns)) &&
		 EVP_DigestUpdate(ctx, content, len) && EVP_DigestFinal_ex(ctx, md, &mdlen);

	EVP_MD_CTX_free(ctx);
	if (!ok)
		return ccgov_error_set(CCGOV_ERROR, "SHA-1 for the document's UUID failed");
	md[6] = (unsigned char)((md[6] & 0x0f) | 0x50); /* version 5 */
	md[8] = (unsigned char)((md[8] & 0x3f) | 0x80); /* RFC 9562 variant */
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", md[0], md[1],
		 md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9], md[10], md[11], md[12], md[13], md[14], md[15]);
	return 0;
}

int ccgov_sbom_document_uuid(char out[37], const cJSON *doc)
{
	ccgov_buffer canonical = CCGOV_BUFFER_INIT;
	int err = ccgov_json_write(&canonical, doc, CCGOV_JSON_CANONICAL);

	if (err == 0)
		err = ccgov_sbom_uuid(out, canonical.data, canonical.len);
	ccgov_buffer_free(&canonical);
	return err;
}
