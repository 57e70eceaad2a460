/*
 * The smaller SBOM catalogers (requirements.txt, poetry.lock, conan.lock,
 * vcpkg.json, GitHub workflows, the dpkg and apk databases, vendored C
 * headers, a submodule's path, URL and commit), one target: the first byte chooses
 * the cataloger, the rest is the file. Both writers run over what is
 * accepted.
 */
#include "sbom_writers.h"

#include <stdint.h>

typedef int (*cataloger)(ccgov_sbom *, const char *, const char *, size_t);

static int dpkg_status(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	return ccgov_catalog_dpkg_status(s, path, text, len, "debian", "12");
}

static int apk_installed(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	return ccgov_catalog_apk_installed(s, path, text, len, "alpine", "3.19.0");
}

/* A submodule as the repository gives it: path, URL and commit, NUL-separated. */
static int submodule(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	char *copy = malloc(len + 2), *url, *commit;
	int err;

	(void)path;
	if (!copy)
		return -1;
	memcpy(copy, text, len);
	copy[len] = copy[len + 1] = '\0';
	url = copy + strlen(copy) + 1;
	commit = url < copy + len ? url + strlen(url) + 1 : NULL;
	err = ccgov_catalog_submodule(s, copy, url < copy + len ? url : NULL,
				      commit && commit < copy + len ? commit : NULL);
	free(copy);
	return err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct {
		cataloger fn;
		const char *path;
	} catalogs[] = {
		{ ccgov_catalog_requirements, "requirements.txt" }, { ccgov_catalog_poetry_lock, "poetry.lock" },
		{ ccgov_catalog_conan_lock, "conan.lock" },          { ccgov_catalog_vcpkg, "vcpkg.json" },
		{ ccgov_catalog_workflow, ".github/workflows/ci.yml" }, { dpkg_status, "/var/lib/dpkg/status" },
		{ ccgov_catalog_vendored, "third_party/zlib/zlib.h" },    { ccgov_catalog_vendored, "lib/lz4.h" },
		{ submodule, ".gitmodules" },  { apk_installed, "/lib/apk/db/installed" },
	};
	ccgov_sbom s;

	if (size < 1)
		return 0;
	if (fuzz_sbom_start(&s) == 0) {
		size_t which = data[0] % (sizeof(catalogs) / sizeof(catalogs[0]));

		fuzz_sbom_finish(&s, catalogs[which].fn(&s, catalogs[which].path, (const char *)data + 1, size - 1));
	} else {
		ccgov_sbom_free(&s);
	}
	return 0;
}
