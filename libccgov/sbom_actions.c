/*
 * GitHub Actions workflows: every "uses: OWNER/REPO[/PATH]@REF" step runs
 * third-party code in the pipeline that builds the product, so it belongs
 * in the bill of materials, apart from the product (scope "ci"). Only the
 * uses: key is read, line by line; local actions (./path) name no release
 * and docker:// images are reported as pkg:docker.
 */
#include <ccgov/error.h>
#include <ccgov/sbom.h>
#include <ccgov/utf8.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *lower(const char *s, size_t n)
{
	char *out = strndup(s, n);

	for (char *p = out; p && *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* "owner/repo/sub/path@ref": pkg:github/owner/repo@ref#sub/path (owner and repo in lower case, as the purl type says). */
static char *action_purl(const char *spec, char **name_out, char **ref_out)
{
	const char *at = strrchr(spec, '@'), *slash1 = strchr(spec, '/'), *slash2;
	char *owner, *repo, *purl = NULL, *base;

	*name_out = *ref_out = NULL;
	if (!at || !slash1 || slash1 > at || !at[1])
		return NULL;
	slash2 = memchr(slash1 + 1, '/', (size_t)(at - slash1 - 1));
	owner = lower(spec, (size_t)(slash1 - spec));
	repo = lower(slash1 + 1, (size_t)((slash2 ? slash2 : at) - slash1 - 1));
	*ref_out = strdup(at + 1);
	if (owner && repo && *ref_out && (base = ccgov_purl("github", owner, repo, *ref_out))) {
		if (slash2 && asprintf(&purl, "%s#%.*s", base, (int)(at - slash2 - 1), slash2 + 1) < 0)
			purl = NULL;
		else if (!slash2)
			purl = base, base = NULL;
		free(base);
		if (asprintf(name_out, "%s/%s", owner, repo) < 0)
			*name_out = NULL;
	}
	free(owner);
	free(repo);
	return purl;
}

static char *docker_purl(const char *image, char **name_out, char **tag_out)
{
	const char *colon = strrchr(image, ':'), *slash = strrchr(image, '/');
	size_t n = colon && (!slash || colon > slash) ? (size_t)(colon - image) : strlen(image);

	*name_out = strndup(image, n);
	*tag_out = n < strlen(image) ? strdup(image + n + 1) : NULL;
	return *name_out ? ccgov_purl_split("docker", *name_out, strrchr(*name_out, '/'), *tag_out) : NULL;
}

int ccgov_catalog_workflow(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	int line = 0, err = 0;

	if (!ccgov_utf8_valid(text, len) || memchr(text, '\0', len))
		return ccgov_error_set(CCGOV_EINVALID, "%s: not UTF-8 text", path);
	while (p < end && err == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end, *q = p;
		char spec[512], *name = NULL, *ref = NULL, *purl = NULL;
		ccgov_component *c;
		size_t n;

		line++;
		p = nl ? nl + 1 : end;
		while (q < e && (*q == ' ' || *q == '\t' || *q == '-'))
			q++;
		if ((size_t)(e - q) < 6 || strncmp(q, "uses:", 5) != 0)
			continue;
		for (q += 5; q < e && (*q == ' ' || *q == '\t' || *q == '"' || *q == '\''); q++)
			;
		for (n = 0; q + n < e && !strchr(" \t\"'#\r", q[n]); n++)
			;
		if (n == 0 || n >= sizeof(spec) || q[0] == '.' || q[0] == '$')
			continue;
		if ((err = ccgov_sbom_text_usable(s, path, line, "uses:", q, n)) <= 0)
			continue;
		err = 0;
		snprintf(spec, sizeof(spec), "%.*s", (int)n, q);
		if (strncmp(spec, "docker://", 9) == 0)
			purl = docker_purl(spec + 9, &name, &ref);
		else
			purl = action_purl(spec, &name, &ref);
		if (!purl) {
			err = name || ref ? ccgov_error_set(CCGOV_ENOMEM, "out of memory") :
					    ccgov_sbom_warn(s, "%s:%d: uses: '%s' is not OWNER/REPO@REF; left out", path, line, spec);
		} else if (!(c = ccgov_sbom_add(s, "application", name, ref, purl, path))) {
			err = ccgov_error_set(CCGOV_ENOMEM, "out of memory");
		} else {
			ccgov_component_use(c, CCGOV_DEP_DEV, "ci", 0);
		}
		free(purl);
		free(name);
		free(ref);
	}
	return err;
}
