/*
 * Vendored C libraries: a copy of a library's sources inside the tree is
 * recognised by its public header, where that header states the version
 * itself, as a string ("#define ZLIB_VERSION \"1.3.1\"") or as
 * major/minor/patch numbers. Only headers whose version macro is defined
 * in that same file are listed, so the version is the copy's own, never a
 * guess; the folder is recorded as ccgov:vendored:path.
 */
#include <ccgov/error.h>
#include <ccgov/sbom.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	const char *header;  /* the file's name */
	const char *name;    /* the library, as pkg:generic/NAME */
	const char *string;  /* a macro holding the version string, or NULL */
	const char *major, *minor, *patch; /* else three numeric macros */
} known_header;

static const known_header headers[] = {
	{ "zlib.h", "zlib", "ZLIB_VERSION", NULL, NULL, NULL },
	{ "sqlite3.h", "sqlite", "SQLITE_VERSION", NULL, NULL, NULL },
	{ "opensslv.h", "openssl", "OPENSSL_VERSION_STR", NULL, NULL, NULL },
	{ "curlver.h", "curl", "LIBCURL_VERSION", NULL, NULL, NULL },
	{ "jansson.h", "jansson", "JANSSON_VERSION", NULL, NULL, NULL },
	{ "nghttp2ver.h", "nghttp2", "NGHTTP2_VERSION", NULL, NULL, NULL },
	{ "png.h", "libpng", "PNG_LIBPNG_VER_STRING", NULL, NULL, NULL },
	{ "build_info.h", "mbedtls", "MBEDTLS_VERSION_STRING", NULL, NULL, NULL },
	{ "expat.h", "expat", NULL, "XML_MAJOR_VERSION", "XML_MINOR_VERSION", "XML_MICRO_VERSION" },
	{ "zstd.h", "zstd", NULL, "ZSTD_VERSION_MAJOR", "ZSTD_VERSION_MINOR", "ZSTD_VERSION_RELEASE" },
	{ "lz4.h", "lz4", NULL, "LZ4_VERSION_MAJOR", "LZ4_VERSION_MINOR", "LZ4_VERSION_RELEASE" },
	{ "cJSON.h", "cjson", NULL, "CJSON_VERSION_MAJOR", "CJSON_VERSION_MINOR", "CJSON_VERSION_PATCH" },
	{ "version.h", "libuv", NULL, "UV_VERSION_MAJOR", "UV_VERSION_MINOR", "UV_VERSION_PATCH" },
};

const char *ccgov_vendored_header(const char *base)
{
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (strcmp(base, headers[i].header) == 0)
			return headers[i].name;
	return NULL;
}

/* The value of "#define MACRO value" at the start of a line, or NULL. */
static const char *define_of(const char *text, size_t len, const char *macro, size_t *vlen)
{
	size_t m = strlen(macro);

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *q = p;

		while (q < e && (*q == ' ' || *q == '\t'))
			q++;
		if (q < e && *q == '#') {
			for (q++; q < e && (*q == ' ' || *q == '\t'); q++)
				;
			if ((size_t)(e - q) > 7 + m && strncmp(q, "define", 6) == 0 && (q[6] == ' ' || q[6] == '\t')) {
				for (q += 6; q < e && (*q == ' ' || *q == '\t'); q++)
					;
				if ((size_t)(e - q) > m && strncmp(q, macro, m) == 0 && (q[m] == ' ' || q[m] == '\t')) {
					for (q += m; q < e && (*q == ' ' || *q == '\t'); q++)
						;
					*vlen = (size_t)(e - q);
					return q;
				}
			}
		}
		p = nl ? nl + 1 : end;
	}
	return NULL;
}

/*
 * "1.3.1" from "\"1.3.1\"": a string literal alone, then at most a
 * comment; "" for anything else (a concatenation, another macro).
 */
static void string_value(char *out, size_t size, const char *v, size_t n)
{
	const char *close = n >= 3 && v[0] == '"' ? memchr(v + 1, '"', n - 1) : NULL, *rest;

	out[0] = '\0';
	if (!close || close == v + 1 || (size_t)(close - v - 1) >= size)
		return;
	for (rest = close + 1; rest < v + n && (*rest == ' ' || *rest == '\t' || *rest == '\r'); rest++)
		;
	if (rest < v + n && !(rest + 1 < v + n && rest[0] == '/' && (rest[1] == '*' || rest[1] == '/')))
		return;
	snprintf(out, size, "%.*s", (int)(close - v - 1), v + 1);
}

/* The line of text that p points into, counted from 1. */
static int line_of(const char *text, const char *p)
{
	int line = 1;

	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

static long number_value(const char *v, size_t n)
{
	char buf[32], *end;
	long x;

	if (!v || n == 0)
		return -1;
	snprintf(buf, sizeof(buf), "%.*s", (int)(n < 31 ? n : 31), v);
	x = strtol(buf, &end, 10);
	return end == buf || x < 0 ? -1 : x;
}

int ccgov_catalog_vendored(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	const known_header *h = NULL;
	char version[64] = "", folder[1024], *purl;
	ccgov_component *c;
	size_t n;
	int err;

	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]) && !h; i++)
		if (strcmp(base, headers[i].header) == 0)
			h = &headers[i];
	if (!h)
		return 0;
	if (h->string) {
		const char *v = define_of(text, len, h->string, &n);
		int usable;

		if (v)
			string_value(version, sizeof(version), v, n);
		/* Checked where it is read: a version the SBOM cannot hold leaves the library out, warned. */
		if (version[0] && (usable = ccgov_sbom_text_usable(s, path, line_of(text, v), "version", version,
								   strlen(version))) <= 0)
			return usable;
	} else {
		size_t n1 = 0, n2 = 0, n3 = 0;
		/* Found first, then read: an argument list does not order its evaluation. */
		const char *v1 = define_of(text, len, h->major, &n1), *v2 = define_of(text, len, h->minor, &n2),
			   *v3 = define_of(text, len, h->patch, &n3);
		long a = number_value(v1, n1), b = number_value(v2, n2), p = number_value(v3, n3);

		if (a >= 0 && b >= 0 && p >= 0)
			snprintf(version, sizeof(version), "%ld.%ld.%ld", a, b, p);
	}
	/* The same name in another library (a generic version.h): not this one. */
	if (!version[0])
		return 0;
	snprintf(folder, sizeof(folder), "%.*s", (int)(base - path > 0 ? base - path - 1 : 0), path);
	if (!(purl = ccgov_purl("generic", NULL, h->name, version)) ||
	    !(c = ccgov_sbom_add(s, "library", h->name, version, purl, path))) {
		free(purl);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	ccgov_component_use(c, CCGOV_DEP_RUNTIME, ccgov_sbom_scope_of(path), 1);
	err = ccgov_component_property(c, "ccgov:vendored:path", folder[0] ? folder : ".");
	if (err == 0 && !ccgov_sbom_scope_of(path))
		err = ccgov_component_depends(&s->root, purl);
	free(purl);
	return err;
}
