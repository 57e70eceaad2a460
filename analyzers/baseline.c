/* Baselines: known findings that a team has accepted, so the gate shows only new ones. */
#include "engine.h"

#include <ccgov/buffer.h>
#include <ccgov/digest.h>
#include <ccgov/error.h>
#include <ccgov/json.h>

#include <stdlib.h>
#include <string.h>

#define MAX_BASELINE (64u << 20)

void ccgov_finding_fingerprint(char out[33], const ccgov_finding *f)
{
	ccgov_buffer b = CCGOV_BUFFER_INIT;
	char hex[65];
	ccgov_digest d;

	ccgov_buffer_printf(&b, "%s\n%s\n", f->rule->id, f->path);
	for (const char *c = f->source_line; *c; c++)
		if (*c != ' ' && *c != '\t' && *c != '\r')
			ccgov_buffer_putc(&b, *c);
	ccgov_digest_buffer(&d, CCGOV_SHA256, b.data ? b.data : "", b.len);
	ccgov_digest_hex(hex, &d);
	memcpy(out, hex, 32);
	out[32] = '\0';
	ccgov_buffer_free(&b);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first index whose fingerprint is not less than fp. */
static size_t lower_bound(char *const *known, size_t n, const char *fp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(known[mid], fp) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int ccgov_scan_apply_baseline(ccgov_scan_result *r, const char *path)
{
	cJSON *doc = NULL, *f;
	const cJSON *list;
	char **known = NULL;
	unsigned char *used = NULL;
	size_t n = 0, i = 0;
	int err;

	if ((err = ccgov_json_parse_file(&doc, path, MAX_BASELINE)) < 0)
		return err;
	list = cJSON_GetObjectItemCaseSensitive(doc, "findings");
	if (!cJSON_IsArray(list)) {
		cJSON_Delete(doc);
		return ccgov_error_set(CCGOV_EINVALID, "%s: not a ccgov scan JSON report (no findings array)", path);
	}
	n = (size_t)cJSON_GetArraySize(list);
	if (n && (!(known = calloc(n, sizeof(*known))) || !(used = calloc(n, 1)))) {
		free(known);
		cJSON_Delete(doc);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(f, list) {
		const cJSON *fp = cJSON_GetObjectItemCaseSensitive(f, "fingerprint");

		if (!cJSON_IsString(fp) || strlen(fp->valuestring) != 32) {
			err = ccgov_error_set(CCGOV_EINVALID, "%s: findings[%zu] has no fingerprint", path, i);
			break;
		}
		known[i++] = fp->valuestring;
	}
	if (err == 0 && n) {
		qsort(known, n, sizeof(*known), by_string);
		/* Each baseline entry accepts one finding: a second copy of accepted code is new. */
		for (size_t k = 0; k < r->nfindings; k++) {
			char fp[33];
			size_t j;

			ccgov_finding_fingerprint(fp, &r->findings[k]);
			for (j = lower_bound(known, n, fp); j < n && strcmp(known[j], fp) == 0; j++) {
				if (!used[j]) {
					used[j] = 1;
					r->findings[k].baselined = 1;
					break;
				}
			}
		}
	}
	free(used);
	free(known);
	cJSON_Delete(doc);
	return err;
}
