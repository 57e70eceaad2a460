/*
 * The enclave layout format of `ccgov measure sgx --layout`: a JSON
 * description of what a loader adds to an enclave, after the Intel SGX
 * SDK's layout table (runs of pages at an offset, with SECINFO flags and
 * whether they are EEXTENDed) and Gramine's memory areas, for enclaves
 * whose loader leaves no SGXS stream behind.
 *
 * It is read strictly: a reference value is only as good as the
 * description it comes from, so anything two readers could take
 * differently (an unknown key, overlapping or unordered regions, a
 * permission a TCS cannot have, a path that leaves the layout's folder)
 * is refused, naming the region, rather than measured.
 */
#include "bytes.h"

#include <ccgov/error.h>
#include <ccgov/json.h>
#include <ccgov/measure.h>
#include <ccgov/path.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096
#define MAX_LAYOUT_BYTES (16u << 20)
#define MAX_PAGES (1ull << 28)

enum { PT_TCS = 1, PT_REG = 2 };

static const char *const top_keys[] = { "enclave_size", "ssa_frame_size", "regions" };
static const char *const region_keys[] = { "name", "offset", "pages", "type", "permissions",
					   "file", "file_offset", "measure" };

/* Where a problem is: the layout, and the region's index (-1: the top level). */
typedef struct {
	const char *name;
	long region;
} where;

__attribute__((format(printf, 2, 3))) static int fail(const where *w, const char *fmt, ...)
{
	char problem[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	if (w->region < 0)
		return ccgov_error_set(CCGOV_EINVALID, "%s: %s", w->name, problem);
	return ccgov_error_set(CCGOV_EINVALID, "%s: region %ld: %s", w->name, w->region, problem);
}

static int check_keys(const cJSON *o, const char *const *keys, size_t n, const where *w)
{
	for (const cJSON *c = o->child; c; c = c->next) {
		size_t i = 0;

		while (i < n && strcmp(c->string, keys[i]) != 0)
			i++;
		if (i == n)
			return fail(w, "unknown key '%.64s'", c->string);
	}
	return 0;
}

/*
 * An exact JSON integer, or a "0x" string of 1 to 16 hex digits: SGX
 * tools print offsets and sizes in hex, and a layout should read the same.
 * The caller says what was wrong, in the layout's words.
 */
static int get_u64(uint64_t *out, const cJSON *v)
{
	if (cJSON_IsNumber(v)) {
		int64_t n;

		if (ccgov_json_int64(&n, v, 0, INT64_MAX, "layout") < 0)
			return -1;
		*out = (uint64_t)n;
		return 0;
	}
	if (cJSON_IsString(v) && strncmp(v->valuestring, "0x", 2) == 0) {
		const char *s = v->valuestring + 2;
		size_t n = strlen(s);
		uint64_t x = 0;

		if (n == 0 || n > 16)
			return -1;
		for (; *s; s++) {
			if (hex_digit(*s) < 0)
				return -1;
			x = x << 4 | (uint64_t)hex_digit(*s);
		}
		*out = x;
		return 0;
	}
	return -1;
}

static int field_u64(uint64_t *out, const cJSON *o, const char *key, const where *w)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!v)
		return fail(w, "%s: missing", key);
	if (get_u64(out, v) < 0)
		return fail(w, "%s: not an unsigned integer (a JSON integer from 0 to 2^63-1, or \"0x\" and 1 to 16 hex digits)",
			    key);
	return 0;
}

/* R, W and X as SECINFO bits 0 to 2, from "r", "w" and "x" in that order. */
static int parse_rwx(uint64_t *bits, const char *s)
{
	static const char order[] = "rwx";
	int i = 0;

	*bits = 0;
	for (; *s; s++, i++) {
		while (i < 3 && order[i] != *s)
			i++;
		if (i == 3)
			return -1;
		*bits |= 1u << i;
	}
	return 0;
}

static int parse_page_type(ccgov_sgx_region *r, const cJSON *o, const where *w)
{
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(o, "type");
	const cJSON *perm = cJSON_GetObjectItemCaseSensitive(o, "permissions");
	uint64_t rwx = 0;

	if (!type)
		return fail(w, "type: missing");
	if (!cJSON_IsString(type) || (strcmp(type->valuestring, "reg") && strcmp(type->valuestring, "tcs")))
		return fail(w, "type: not \"reg\" or \"tcs\"");
	if (perm && !cJSON_IsString(perm))
		return fail(w, "permissions: not a string");
	if (type->valuestring[0] == 't') {
		/* EADD faults on a TCS page with R, W or X set. */
		if (perm && perm->valuestring[0])
			return fail(w, "permissions: a tcs page has none (its SECINFO R, W and X must be 0)");
		r->secinfo_flags = PT_TCS << 8;
		return 0;
	}
	if (!perm)
		return fail(w, "permissions: missing");
	if (parse_rwx(&rwx, perm->valuestring) < 0)
		return fail(w, "permissions: '%.16s' is not r, w and x, each at most once, in that order", perm->valuestring);
	r->secinfo_flags = PT_REG << 8 | rwx;
	return 0;
}

static int parse_measure(ccgov_sgx_region *r, const cJSON *o, const where *w)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "measure"), *m;
	size_t i = 0;
	int n;

	if (!v)
		return fail(w, "measure: missing");
	if (cJSON_IsString(v) && (!strcmp(v->valuestring, "all") || !strcmp(v->valuestring, "none"))) {
		r->mask = v->valuestring[0] == 'a' ? 0xffff : 0;
		return 0;
	}
	if (!cJSON_IsArray(v))
		return fail(w, "measure: not \"all\", \"none\" or an array of one chunk mask per page");
	if ((n = cJSON_GetArraySize(v)) < 0 || (uint64_t)n != r->pages)
		return fail(w, "measure: %d chunk masks, but pages is %llu", n, (unsigned long long)r->pages);
	if (!(r->page_masks = malloc((size_t)n * sizeof(*r->page_masks) + 1)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	cJSON_ArrayForEach(m, v) {
		uint64_t mask;

		if (get_u64(&mask, m) < 0 || mask > 0xffff)
			return fail(w, "measure: mask %zu is not a 16-bit chunk mask (0 to 65535, \"0x0\" to \"0xffff\")", i);
		r->page_masks[i++] = (uint16_t)mask;
	}
	return 0;
}

static int parse_file(ccgov_sgx_region *r, const cJSON *o, const where *w)
{
	const cJSON *file = cJSON_GetObjectItemCaseSensitive(o, "file");
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(o, "name");

	if (name && !cJSON_IsString(name))
		return fail(w, "name: not a string");
	if (!file) {
		if (cJSON_GetObjectItemCaseSensitive(o, "file_offset"))
			return fail(w, "file_offset: without a file");
		return 0;
	}
	if (!cJSON_IsString(file))
		return fail(w, "file: not a string");
	/* Refused here, before anything is opened: absolute paths and "..". */
	if (ccgov_path_normalize(&r->file, file->valuestring) < 0)
		return ccgov_error_wrap("%s: region %ld: file", w->name, w->region);
	if (cJSON_GetObjectItemCaseSensitive(o, "file_offset"))
		return field_u64(&r->file_offset, o, "file_offset", w);
	return 0;
}

/* Offset and size against the enclave and the region before it (prev, or NULL). */
static int check_place(const ccgov_sgx_region *r, const ccgov_sgx_region *prev, uint64_t size, const where *w)
{
	if (r->offset % PAGE)
		return fail(w, "offset 0x%llx is not page aligned (a multiple of 0x1000)", (unsigned long long)r->offset);
	if (r->pages == 0)
		return fail(w, "pages: 0, a region has at least one page");
	if (r->offset >= size || r->pages > (size - r->offset) / PAGE)
		return fail(w, "offset 0x%llx, pages %llu: past the end of the enclave (enclave_size 0x%llx)",
			    (unsigned long long)r->offset, (unsigned long long)r->pages, (unsigned long long)size);
	if (!prev)
		return 0;
	if (r->offset < prev->offset)
		return fail(w, "offset 0x%llx is below region %ld's (0x%llx): regions are listed by increasing offset, "
			       "the order their pages are added",
			    (unsigned long long)r->offset, w->region - 1, (unsigned long long)prev->offset);
	if (r->offset < prev->offset + prev->pages * PAGE)
		return fail(w, "offset 0x%llx overlaps region %ld (0x%llx to 0x%llx)", (unsigned long long)r->offset,
			    w->region - 1, (unsigned long long)prev->offset,
			    (unsigned long long)(prev->offset + prev->pages * PAGE));
	return 0;
}

static int parse_region(ccgov_sgx_layout *l, size_t i, const cJSON *o)
{
	where w = { l->name, (long)i };
	ccgov_sgx_region *r = &l->regions[i];
	int err;

	if (!cJSON_IsObject(o))
		return fail(&w, "not a JSON object");
	if ((err = check_keys(o, region_keys, sizeof(region_keys) / sizeof(*region_keys), &w)) < 0 ||
	    (err = field_u64(&r->offset, o, "offset", &w)) < 0 || (err = field_u64(&r->pages, o, "pages", &w)) < 0 ||
	    (err = check_place(r, i ? r - 1 : NULL, l->size, &w)) < 0 || (err = parse_page_type(r, o, &w)) < 0 ||
	    (err = parse_file(r, o, &w)) < 0)
		return err;
	return parse_measure(r, o, &w);
}

static int parse_top(ccgov_sgx_layout *l, const cJSON *root)
{
	where w = { l->name, -1 };
	const cJSON *regions, *o;
	uint64_t ssa, pages = 0;
	size_t i = 0;
	int err, n;

	if (!cJSON_IsObject(root))
		return fail(&w, "not a JSON object");
	if ((err = check_keys(root, top_keys, sizeof(top_keys) / sizeof(*top_keys), &w)) < 0 ||
	    (err = field_u64(&l->size, root, "enclave_size", &w)) < 0 ||
	    (err = field_u64(&ssa, root, "ssa_frame_size", &w)) < 0)
		return err;
	if (l->size < PAGE || (l->size & (l->size - 1)))
		return fail(&w, "enclave_size: 0x%llx is not a power of two of at least 0x1000",
			    (unsigned long long)l->size);
	if (ssa == 0 || ssa > UINT32_MAX)
		return fail(&w, "ssa_frame_size: %llu is not 1 to 4294967295 pages", (unsigned long long)ssa);
	l->ssaframesize = (uint32_t)ssa;
	regions = cJSON_GetObjectItemCaseSensitive(root, "regions");
	if (!cJSON_IsArray(regions) || (n = cJSON_GetArraySize(regions)) < 1)
		return fail(&w, "regions: missing, or not a non-empty array");
	if (!(l->regions = calloc((size_t)n, sizeof(*l->regions))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	l->nregions = (size_t)n;
	cJSON_ArrayForEach(o, regions) {
		if ((err = parse_region(l, i++, o)) < 0)
			return err;
		/* Each page costs a record to hash, and a layout costs nothing to write: bound the work it asks for. */
		if ((pages += l->regions[i - 1].pages) > MAX_PAGES)
			return fail(&w, "regions add more than %llu pages (1 TiB), more than any enclave loads",
				    (unsigned long long)MAX_PAGES);
	}
	return 0;
}

void ccgov_sgx_layout_free(ccgov_sgx_layout *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->nregions; i++) {
		free(l->regions[i].file);
		free(l->regions[i].page_masks);
	}
	free(l->regions);
	free(l->name);
	free(l->dir);
	free(l);
}

static int from_tree(ccgov_sgx_layout **out, const cJSON *root, const char *name, const char *dir)
{
	ccgov_sgx_layout *l = calloc(1, sizeof(*l));
	int err;

	*out = NULL;
	if (!l || !(l->name = strdup(name)) || !(l->dir = strdup(dir))) {
		ccgov_sgx_layout_free(l);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	if ((err = parse_top(l, root)) < 0) {
		ccgov_sgx_layout_free(l);
		return err;
	}
	*out = l;
	return 0;
}

int ccgov_sgx_layout_parse(ccgov_sgx_layout **out, const char *text, size_t len, const char *name, const char *dir)
{
	cJSON *root = NULL;
	int err;

	*out = NULL;
	if ((err = ccgov_json_parse(&root, text, len, name)) < 0)
		return err;
	err = from_tree(out, root, name, dir);
	cJSON_Delete(root);
	return err;
}

int ccgov_sgx_layout_read(ccgov_sgx_layout **out, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	cJSON *root = NULL;
	int err;

	*out = NULL;
	if (!dir)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = ccgov_json_parse_file(&root, path, MAX_LAYOUT_BYTES)) == 0)
		err = from_tree(out, root, path, dir);
	cJSON_Delete(root);
	free(dir);
	return err;
}
