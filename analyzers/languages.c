/* The languages ccgov scan reads, and the grammars compiled in for them. */
#include "engine.h"

#include <string.h>

const TSLanguage *tree_sitter_c(void);
const TSLanguage *tree_sitter_cpp(void);
const TSLanguage *tree_sitter_go(void);
const TSLanguage *tree_sitter_rust(void);
const TSLanguage *tree_sitter_python(void);
const TSLanguage *tree_sitter_json(void);
const TSLanguage *tree_sitter_toml(void);

static const char *const c_ext[] = { ".c", ".h", NULL };
static const char *const cpp_ext[] = { ".cc", ".cpp", ".cxx", ".c++", ".hh", ".hpp", ".hxx", ".h++", NULL };
static const char *const go_ext[] = { ".go", NULL };
static const char *const rust_ext[] = { ".rs", NULL };
static const char *const python_ext[] = { ".py", ".pyi", NULL };
/* Configuration files are scanned only where they configure an enclave. */
static const char *const json_names[] = { "/enclave.json", NULL };
/* Gramine manifests: app.manifest.template, or a folder's plain manifest.template. */
static const char *const toml_names[] = { ".manifest.template", ".manifest", "/manifest.template", "/manifest", NULL };

const language languages[LANGUAGE_COUNT] = {
	{ CCGOV_LANG_C, "c", c_ext, tree_sitter_c },
	{ CCGOV_LANG_CPP, "cpp", cpp_ext, tree_sitter_cpp },
	{ CCGOV_LANG_GO, "go", go_ext, tree_sitter_go },
	{ CCGOV_LANG_RUST, "rust", rust_ext, tree_sitter_rust },
	{ CCGOV_LANG_PYTHON, "python", python_ext, tree_sitter_python },
	{ CCGOV_LANG_JSON, "json", json_names, tree_sitter_json },
	{ CCGOV_LANG_TOML, "toml", toml_names, tree_sitter_toml },
};

/* By the end of the name: ".c", ".manifest.template", or a whole name "/enclave.json". */
const language *language_for_path(const char *path)
{
	char name[4096];
	size_t n;

	/* A leading '/' lets a whole file name match at the top of the tree too. */
	if (snprintf(name, sizeof(name), "/%s", path) >= (int)sizeof(name))
		return NULL;
	n = strlen(name);
	for (int i = 0; i < LANGUAGE_COUNT; i++) {
		for (const char *const *e = languages[i].extensions; *e; e++) {
			size_t k = strlen(*e);

			if (n >= k && strcmp(name + n - k, *e) == 0)
				return &languages[i];
		}
	}
	return NULL;
}

int language_index(const language *l)
{
	return (int)(l - languages);
}
