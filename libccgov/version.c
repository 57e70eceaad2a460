#include <ccgov/error.h>
#include <ccgov/git.h>
#include <ccgov/version.h>

#include <archive.h>
#include <cjson/cJSON.h>
#include <git2.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <tree_sitter/api.h>

#ifndef CCGOV_TREE_SITTER_VERSION
#error "the Makefile passes CCGOV_TREE_SITTER_VERSION from pkg-config"
#endif

void ccgov_versions_get(ccgov_versions *out)
{
	static char libgit2[32];
	int major = 0, minor = 0, rev = 0;

	git_libgit2_version(&major, &minor, &rev);
	snprintf(libgit2, sizeof(libgit2), "%d.%d.%d", major, minor, rev);
	out->ccgov = CCGOV_VERSION;
	out->openssl = OpenSSL_version(OPENSSL_VERSION_STRING);
	out->libgit2 = libgit2;
	/* archive_version_string() is "libarchive 3.6.2": keep the number. */
	out->libarchive = archive_version_string() + sizeof("libarchive ") - 1;
	out->cjson = cJSON_Version();
	/* tree-sitter 0.20 has no runtime version call; it is linked statically. */
	out->tree_sitter = CCGOV_TREE_SITTER_VERSION;
	out->tree_sitter_language_abi = TREE_SITTER_LANGUAGE_VERSION;
	out->tree_sitter_min_language_abi = TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION;
}

/* libgit2 starts on first use (ccgov_git_init): nothing else needs starting yet. */
int ccgov_init(void)
{
	return 0;
}

void ccgov_shutdown(void)
{
	ccgov_git_shutdown();
}
