#include <ccgov/base.h>
#include <ccgov/error.h>
#include <ccgov/file.h>
#include <ccgov/json.h>
#include <ccgov/path.h>
#include <ccgov/project.h>
#include <ccgov/scan.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const top_fields[] = { "name", "tag", "build", "base", "platform", "outputs", "image", "scan",
					   "timeout" };
static const char *const image_fields[] = { "entrypoint", "cmd", "env", "labels", "user", "workdir" };

int ccgov_project_new(ccgov_project **out)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	return 0;
}

static void free_outputs(ccgov_project *p)
{
	for (size_t i = 0; i < p->noutputs; i++) {
		free(p->outputs[i].path);
		free(p->outputs[i].dest);
	}
	free(p->outputs);
	p->outputs = NULL;
	p->noutputs = 0;
}

void ccgov_project_free(ccgov_project *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->tag);
	free(p->base);
	free(p->platform);
	free(p->build);
	free_outputs(p);
	cJSON_Delete(p->entrypoint);
	cJSON_Delete(p->cmd);
	cJSON_Delete(p->env);
	cJSON_Delete(p->labels);
	free(p->user);
	free(p->workdir);
	free(p);
}

static int known(const char *key, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, fields[i]) == 0)
			return 1;
	return 0;
}

static int check_fields(const cJSON *o, const char *const *fields, size_t n, const char *file,
			const char *prefix)
{
	for (const cJSON *c = o->child; c; c = c->next)
		if (!known(c->string, fields, n))
			return ccgov_error_set(CCGOV_EINVALID, "%s: %s%s: unknown field", file, prefix,
					       c->string);
	return 0;
}

/* OCI tags: [A-Za-z0-9_][A-Za-z0-9._-]{0,127} (distribution-spec). */
static int valid_tag(const char *t)
{
	size_t n = strlen(t);

	if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= 'A' && t[i] <= 'Z') ||
		      (t[i] >= '0' && t[i] <= '9') || t[i] == '_' || t[i] == '.' || t[i] == '-'))
			return 0;
	return 1;
}

/* Image names: lowercase path components as in distribution-spec, no registry host here. */
static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 255)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '.' ||
		      s[i] == '_' || s[i] == '-' || s[i] == '/'))
			return 0;
	return s[0] != '/' && s[n - 1] != '/';
}

/* where: "ccgov.json: tag" for the file, "--tag" for a flag. */
static int set_string(char **slot, const char *field, const char *value, const char *where)
{
	char *copy;

	if (strcmp(field, "tag") == 0 && !valid_tag(value))
		return ccgov_error_set(CCGOV_EINVALID,
				       "%s: '%.130s' is not a valid tag ([A-Za-z0-9_][A-Za-z0-9._-]*, at most 128)",
				       where, value);
	if (strcmp(field, "name") == 0 && !valid_name(value))
		return ccgov_error_set(CCGOV_EINVALID,
				       "%s: '%.260s' is not a valid image name (lowercase letters, digits, . _ - /)",
				       where, value);
	if (strcmp(field, "build") == 0 && !value[0])
		return ccgov_error_set(CCGOV_EINVALID, "%s: empty command", where);
	if (strcmp(field, "base") == 0) {
		ccgov_base_ref ref;

		if (ccgov_base_ref_parse(&ref, value) < 0)
			return ccgov_error_wrap("%s", where);
		ccgov_base_ref_clear(&ref);
	}
	if (strcmp(field, "platform") == 0 && ccgov_platform_check(value) < 0)
		return ccgov_error_wrap("%s", where);
	if (!(copy = strdup(value)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	free(*slot);
	*slot = copy;
	return 0;
}

static char **string_slot(ccgov_project *p, const char *field)
{
	if (strcmp(field, "name") == 0)
		return &p->name;
	if (strcmp(field, "tag") == 0)
		return &p->tag;
	if (strcmp(field, "build") == 0)
		return &p->build;
	if (strcmp(field, "base") == 0)
		return &p->base;
	if (strcmp(field, "platform") == 0)
		return &p->platform;
	if (strcmp(field, "user") == 0)
		return &p->user;
	if (strcmp(field, "workdir") == 0)
		return &p->workdir;
	return NULL;
}

int ccgov_project_set_string(ccgov_project *p, const char *field, const char *value)
{
	char **slot = string_slot(p, field);
	char where[32];

	if (!slot)
		return ccgov_error_set(CCGOV_EINVALID, "%s: not a string field", field);
	snprintf(where, sizeof(where), "--%s", strcmp(field, "build") == 0 ? "command" : field);
	return set_string(slot, field, value, where);
}

static int append_output(ccgov_project *p, const char *path, const char *dest, const char *where)
{
	ccgov_output *o;
	char *clean_path = NULL, *clean_dest = NULL;
	int err;

	if ((err = ccgov_path_normalize(&clean_path, path)) < 0)
		return ccgov_error_wrap("%s: path", where);
	/* An image path may be written absolute; it is relative to the image root all the same. */
	while (*dest == '/')
		dest++;
	if ((err = ccgov_path_normalize(&clean_dest, dest)) < 0) {
		free(clean_path);
		return ccgov_error_wrap("%s: dest", where);
	}
	/* The same output twice is one; one place in the image for two files is refused now, not after the build. */
	for (size_t i = 0; i < p->noutputs; i++) {
		if (strcmp(p->outputs[i].dest, clean_dest) != 0)
			continue;
		err = strcmp(p->outputs[i].path, clean_path) == 0 ? 1 :
		      ccgov_error_set(CCGOV_EINVALID, "%s: dest: '%s' is already the dest of '%s'", where, clean_dest,
				      p->outputs[i].path);
		free(clean_path);
		free(clean_dest);
		return err < 0 ? err : 0;
	}
	if (!(o = realloc(p->outputs, (p->noutputs + 1) * sizeof(*o)))) {
		free(clean_path);
		free(clean_dest);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	p->outputs = o;
	o[p->noutputs].path = clean_path;
	o[p->noutputs].dest = clean_dest;
	p->noutputs++;
	return 0;
}

int ccgov_project_add_output(ccgov_project *p, const char *spec, int replace)
{
	const char *colon = strchr(spec, ':');
	char *path;
	int err;

	if (!colon || colon == spec || !colon[1])
		return ccgov_error_set(CCGOV_EINVALID, "--output: '%s' is not PATH:DEST", spec);
	if (replace)
		free_outputs(p);
	if (!(path = strndup(spec, (size_t)(colon - spec))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	err = append_output(p, path, colon + 1, "--output");
	free(path);
	return err;
}

static int is_string_array(const cJSON *a)
{
	const cJSON *c;

	if (!cJSON_IsArray(a))
		return 0;
	cJSON_ArrayForEach(c, a)
		if (!cJSON_IsString(c))
			return 0;
	return 1;
}

static cJSON **argv_slot(ccgov_project *p, const char *field)
{
	if (strcmp(field, "entrypoint") == 0)
		return &p->entrypoint;
	if (strcmp(field, "cmd") == 0)
		return &p->cmd;
	return NULL;
}

int ccgov_project_set_argv(ccgov_project *p, const char *field, const char *value)
{
	cJSON **slot = argv_slot(p, field), *v = NULL;
	char where[32];

	if (!slot)
		return ccgov_error_set(CCGOV_EINVALID, "%s: not an argument list", field);
	snprintf(where, sizeof(where), "--%s", field);
	if (value[0] == '[') {
		if (ccgov_json_parse(&v, value, strlen(value), where) < 0)
			return CCGOV_EINVALID;
		if (!is_string_array(v)) {
			cJSON_Delete(v);
			return ccgov_error_set(CCGOV_EINVALID, "%s: expected a JSON array of strings", where);
		}
	} else if (!(v = cJSON_CreateArray()) ||
		   !cJSON_AddItemToArray(v, cJSON_CreateString(value))) {
		cJSON_Delete(v);
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	}
	cJSON_Delete(*slot);
	*slot = v;
	return 0;
}

int ccgov_env_name_valid(const char *name, size_t len)
{
	if (!len)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') || (name[i] >= 'a' && name[i] <= 'z') || name[i] == '_' ||
		      (i > 0 && name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

static int valid_env(const char *kv)
{
	const char *eq = strchr(kv, '=');

	return eq && ccgov_env_name_valid(kv, (size_t)(eq - kv));
}

/* The entry of env that sets the variable kv sets, or NULL. */
static cJSON *env_entry(const cJSON *env, const char *kv)
{
	size_t n = strcspn(kv, "=");
	cJSON *e;

	cJSON_ArrayForEach(e, env)
		if (strncmp(e->valuestring, kv, n) == 0 && e->valuestring[n] == '=')
			return e;
	return NULL;
}

/* A variable set again (by ccgov.json, then by a flag) takes the later value, in the earlier place. */
int ccgov_project_add_env(ccgov_project *p, const char *kv)
{
	cJSON *old, *item;

	if (!valid_env(kv))
		return ccgov_error_set(CCGOV_EINVALID, "--env: '%s' is not NAME=VALUE", kv);
	if (!p->env && !(p->env = cJSON_CreateArray()))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (!(item = cJSON_CreateString(kv)))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((old = env_entry(p->env, kv)))
		cJSON_ReplaceItemViaPointer(p->env, old, item);
	else
		cJSON_AddItemToArray(p->env, item);
	return 0;
}

int ccgov_project_add_label(ccgov_project *p, const char *kv)
{
	const char *eq = strchr(kv, '=');
	char *key;

	if (!eq || eq == kv)
		return ccgov_error_set(CCGOV_EINVALID, "--label: '%s' is not KEY=VALUE", kv);
	if (!p->labels && !(p->labels = cJSON_CreateObject()))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if (!(key = strndup(kv, (size_t)(eq - kv))))
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	cJSON_DeleteItemFromObjectCaseSensitive(p->labels, key);
	cJSON_AddStringToObject(p->labels, key, eq + 1);
	free(key);
	return 0;
}

/* ---- the file --------------------------------------------------------- */

static int load_outputs(ccgov_project *p, const cJSON *outputs, const char *file)
{
	const cJSON *o;
	int i = 0, err;

	if (!cJSON_IsArray(outputs))
		return ccgov_error_set(CCGOV_EINVALID, "%s: outputs: expected an array", file);
	cJSON_ArrayForEach(o, outputs) {
		static const char *const fields[] = { "path", "dest" };
		const cJSON *path = cJSON_GetObjectItemCaseSensitive(o, "path");
		const cJSON *dest = cJSON_GetObjectItemCaseSensitive(o, "dest");
		char where[1100], prefix[32];

		snprintf(where, sizeof(where), "%s: outputs[%d]", file, i);
		snprintf(prefix, sizeof(prefix), "outputs[%d].", i);
		if (!cJSON_IsObject(o))
			return ccgov_error_set(CCGOV_EINVALID, "%s: expected an object", where);
		if ((err = check_fields(o, fields, 2, file, prefix)) < 0)
			return err;
		if (!cJSON_IsString(path) || !cJSON_IsString(dest))
			return ccgov_error_set(CCGOV_EINVALID, "%s: needs \"path\" and \"dest\" strings", where);
		if ((err = append_output(p, path->valuestring, dest->valuestring, where)) < 0)
			return err;
		i++;
	}
	return 0;
}

static int load_image(ccgov_project *p, const cJSON *image, const char *file)
{
	const cJSON *v;
	int err;

	if (!cJSON_IsObject(image))
		return ccgov_error_set(CCGOV_EINVALID, "%s: image: expected an object", file);
	if ((err = check_fields(image, image_fields, 6, file, "image.")) < 0)
		return err;
	for (int i = 0; i < 2; i++) {
		const char *f = i ? "cmd" : "entrypoint";

		if ((v = cJSON_GetObjectItemCaseSensitive(image, f))) {
			if (!is_string_array(v))
				return ccgov_error_set(CCGOV_EINVALID, "%s: image.%s: expected an array of strings",
						       file, f);
			*argv_slot(p, f) = cJSON_Duplicate(v, 1);
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(image, "env"))) {
		const cJSON *e;

		if (!is_string_array(v))
			return ccgov_error_set(CCGOV_EINVALID, "%s: image.env: expected an array of \"NAME=VALUE\" strings", file);
		cJSON_ArrayForEach(e, v)
			if (!valid_env(e->valuestring))
				return ccgov_error_set(CCGOV_EINVALID, "%s: image.env: '%.100s' is not NAME=VALUE",
						       file, e->valuestring);
		p->env = cJSON_Duplicate(v, 1);
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(image, "labels"))) {
		const cJSON *l;

		if (!cJSON_IsObject(v))
			return ccgov_error_set(CCGOV_EINVALID, "%s: image.labels: expected an object", file);
		cJSON_ArrayForEach(l, v)
			if (!cJSON_IsString(l))
				return ccgov_error_set(CCGOV_EINVALID, "%s: image.labels.%s: expected a string",
						       file, l->string);
		p->labels = cJSON_Duplicate(v, 1);
	}
	for (int i = 0; i < 2; i++) {
		const char *f = i ? "workdir" : "user";

		if ((v = cJSON_GetObjectItemCaseSensitive(image, f))) {
			char where[1100];

			snprintf(where, sizeof(where), "%s: image.%s", file, f);
			if (!cJSON_IsString(v))
				return ccgov_error_set(CCGOV_EINVALID, "%s: expected a string", where);
			if ((err = set_string(string_slot(p, f), f, v->valuestring, where)) < 0)
				return err;
		}
	}
	return 0;
}

/* "scan": {"allow_skipped": ["generated", ...]}: the skips scan's gate accepts. */
static int load_scan(ccgov_project *p, const cJSON *scan, const char *file)
{
	static const char *const fields[] = { "allow_skipped" };
	const cJSON *list, *kind;
	int i = 0, err;

	if (!cJSON_IsObject(scan))
		return ccgov_error_set(CCGOV_EINVALID, "%s: scan: expected an object", file);
	if ((err = check_fields(scan, fields, 1, file, "scan.")) < 0)
		return err;
	if (!(list = cJSON_GetObjectItemCaseSensitive(scan, "allow_skipped")))
		return 0;
	if (!is_string_array(list))
		return ccgov_error_set(CCGOV_EINVALID, "%s: scan.allow_skipped: expected an array of strings", file);
	cJSON_ArrayForEach(kind, list) {
		/* One kind an entry: a comma inside a name is not a list here. */
		if (strchr(kind->valuestring, ',') ||
		    ccgov_skip_kinds_parse(&p->scan_allow_skipped, kind->valuestring) < 0)
			return ccgov_error_set(CCGOV_EINVALID,
					       "%s: scan.allow_skipped[%d]: '%.64s' is not a skip kind (" CCGOV_SKIP_KIND_LIST ")",
					       file, i, kind->valuestring);
		i++;
	}
	return 0;
}

static int load(ccgov_project *p, const cJSON *root, const char *file)
{
	const cJSON *v;
	int err;

	if (!cJSON_IsObject(root))
		return ccgov_error_set(CCGOV_EINVALID, "%s: expected a JSON object", file);
	if ((err = check_fields(root, top_fields, sizeof(top_fields) / sizeof(top_fields[0]), file, "")) < 0)
		return err;
	for (int i = 0; i < 5; i++) { /* the string fields */
		const char *f = top_fields[i];

		if ((v = cJSON_GetObjectItemCaseSensitive(root, f))) {
			char where[1100];

			snprintf(where, sizeof(where), "%s: %s", file, f);
			if (!cJSON_IsString(v))
				return ccgov_error_set(CCGOV_EINVALID, "%s: expected a string", where);
			if ((err = set_string(string_slot(p, f), f, v->valuestring, where)) < 0)
				return err;
		}
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "outputs")) &&
	    (err = load_outputs(p, v, file)) < 0)
		return err;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "image")) && (err = load_image(p, v, file)) < 0)
		return err;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "scan")) && (err = load_scan(p, v, file)) < 0)
		return err;
	if ((v = cJSON_GetObjectItemCaseSensitive(root, "timeout"))) {
		int64_t seconds;

		/* Whole seconds, as --timeout takes them; a day is more than any real build. */
		if ((err = ccgov_json_int64(&seconds, v, 1, CCGOV_PROJECT_MAX_TIMEOUT, file)) < 0)
			return err;
		p->timeout = (long)seconds;
	}
	return 0;
}

int ccgov_project_load(ccgov_project **out, const char *path, const char *shown_as)
{
	char *text;
	size_t len;
	int fd, err;

	*out = NULL;
	/* Not through a link: a committed ccgov.json -> /elsewhere must not configure the build from outside. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			return ccgov_error_set(CCGOV_ENOTFOUND, "%s: no such file", shown_as);
		if (errno == ELOOP)
			return ccgov_error_set(CCGOV_EUNSAFE, "%s: a symbolic link; ccgov reads only a regular file",
					       shown_as);
		return ccgov_error_set_errno(ccgov_error_from_errno(errno), errno, "%s: cannot read", shown_as);
	}
	/* Named as the user knows it; the reason is the same either way. */
	err = ccgov_file_read_fd(&text, &len, fd, shown_as, CCGOV_PROJECT_MAX_SIZE);
	close(fd);
	if (err < 0)
		return ccgov_error_set(err, "%s: cannot read (%s)", shown_as,
				       err == CCGOV_EINVALID ? "not a regular file, or larger than 1 MiB" : "I/O error");
	err = ccgov_project_parse(out, text, len, shown_as);
	free(text);
	return err;
}

int ccgov_project_parse(ccgov_project **out, const char *text, size_t len, const char *shown_as)
{
	cJSON *root = NULL;
	int err;

	*out = NULL;
	if ((err = ccgov_json_parse(&root, text, len, shown_as)) < 0)
		return err;
	if ((err = ccgov_project_new(out)) == 0 && (err = load(*out, root, shown_as)) < 0) {
		ccgov_project_free(*out);
		*out = NULL;
	}
	cJSON_Delete(root);
	return err;
}

int ccgov_project_check(const ccgov_project *p, const char *name)
{
	if (!p->build)
		return ccgov_error_set(CCGOV_EINVALID, "%s: build: no build command (set \"build\" or --command)", name);
	if (!p->noutputs)
		return ccgov_error_set(CCGOV_EINVALID, "%s: outputs: nothing goes into the image (set \"outputs\" or --output)", name);
	if (!p->name)
		return ccgov_error_set(CCGOV_EINVALID, "%s: name: no image name (set \"name\" or --name)", name);
	return 0;
}

cJSON *ccgov_project_image_config(const ccgov_project *p)
{
	cJSON *c = cJSON_CreateObject();

	if (p->entrypoint)
		cJSON_AddItemToObject(c, "Entrypoint", cJSON_Duplicate(p->entrypoint, 1));
	if (p->cmd)
		cJSON_AddItemToObject(c, "Cmd", cJSON_Duplicate(p->cmd, 1));
	if (p->env)
		cJSON_AddItemToObject(c, "Env", cJSON_Duplicate(p->env, 1));
	if (p->labels)
		cJSON_AddItemToObject(c, "Labels", cJSON_Duplicate(p->labels, 1));
	if (p->user)
		cJSON_AddStringToObject(c, "User", p->user);
	if (p->workdir)
		cJSON_AddStringToObject(c, "WorkingDir", p->workdir);
	return c;
}

cJSON *ccgov_project_to_json(const ccgov_project *p)
{
	cJSON *root = cJSON_CreateObject(), *outputs, *image;

	if (p->name)
		cJSON_AddStringToObject(root, "name", p->name);
	if (p->tag)
		cJSON_AddStringToObject(root, "tag", p->tag);
	if (p->build)
		cJSON_AddStringToObject(root, "build", p->build);
	if (p->base)
		cJSON_AddStringToObject(root, "base", p->base);
	if (p->platform)
		cJSON_AddStringToObject(root, "platform", p->platform);
	if (p->timeout)
		cJSON_AddNumberToObject(root, "timeout", (double)p->timeout);
	outputs = cJSON_AddArrayToObject(root, "outputs");
	for (size_t i = 0; i < p->noutputs; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "path", p->outputs[i].path);
		cJSON_AddStringToObject(o, "dest", p->outputs[i].dest);
		cJSON_AddItemToArray(outputs, o);
	}
	image = cJSON_AddObjectToObject(root, "image");
	if (p->entrypoint)
		cJSON_AddItemToObject(image, "entrypoint", cJSON_Duplicate(p->entrypoint, 1));
	if (p->cmd)
		cJSON_AddItemToObject(image, "cmd", cJSON_Duplicate(p->cmd, 1));
	if (p->env)
		cJSON_AddItemToObject(image, "env", cJSON_Duplicate(p->env, 1));
	if (p->labels)
		cJSON_AddItemToObject(image, "labels", cJSON_Duplicate(p->labels, 1));
	if (p->user)
		cJSON_AddStringToObject(image, "user", p->user);
	if (p->workdir)
		cJSON_AddStringToObject(image, "workdir", p->workdir);
	return root;
}
