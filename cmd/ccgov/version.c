#include "cli.h"

#include <ccgov/ccgov.h>

static int print_version_json(const ccgov_versions *v)
{
	cJSON *root = cJSON_CreateObject(), *libs, *abi;
	int err;

	if (!root)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	cJSON_AddStringToObject(root, "ccgov", v->ccgov);
	libs = cJSON_AddObjectToObject(root, "libraries");
	cJSON_AddStringToObject(libs, "cjson", v->cjson);
	cJSON_AddStringToObject(libs, "libarchive", v->libarchive);
	cJSON_AddStringToObject(libs, "libgit2", v->libgit2);
	cJSON_AddStringToObject(libs, "openssl", v->openssl);
	cJSON_AddStringToObject(libs, "tree-sitter", v->tree_sitter);
	abi = cJSON_AddObjectToObject(root, "tree_sitter_language_abi");
	cJSON_AddNumberToObject(abi, "min", v->tree_sitter_min_language_abi);
	cJSON_AddNumberToObject(abi, "max", v->tree_sitter_language_abi);
	err = print_json(root);
	cJSON_Delete(root);
	return err;
}

int cmd_version(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	enum output_format format = FORMAT_TEXT;
	ccgov_versions v;
	int c;

	optind = 1;
	while ((c = next_option("version", argc, argv, "", longopts)) != -1) {
		if (c == '?')
			return EXIT_USAGE;
		if (c == 'f' && parse_format(&format, "version", optarg) < 0)
			return EXIT_USAGE;
	}
	if (optind < argc) {
		error_line("version: unexpected argument '%s'", argv[optind]);
		return EXIT_USAGE;
	}
	ccgov_versions_get(&v);
	if (format == FORMAT_JSON)
		return print_version_json(&v) < 0 ? error_from_library() : EXIT_OK;
	printf("ccgov %s\n", v.ccgov);
	printf("  OpenSSL     %s\n", v.openssl);
	printf("  libgit2     %s\n", v.libgit2);
	printf("  libarchive  %s\n", v.libarchive);
	printf("  cJSON       %s\n", v.cjson);
	printf("  tree-sitter %s (grammar ABI %d to %d)\n", v.tree_sitter,
	       v.tree_sitter_min_language_abi, v.tree_sitter_language_abi);
	return EXIT_OK;
}
