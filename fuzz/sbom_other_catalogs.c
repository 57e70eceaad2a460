/*
 * The smaller SBOM catalogers (requirements.txt, poetry.lock, conan.lock,
 * vcpkg.json, GitHub workflows, the dpkg database, vendored C headers), one target: the first byte chooses the
 * cataloger, the rest is the file. Both writers run over what is accepted.
 */
#include "sbom_writers.h"

#include <stdint.h>

typedef int (*cataloger)(ccgov_sbom *, const char *, const char *, size_t);

static int dpkg_status(ccgov_sbom *s, const char *path, const char *text, size_t len)
{
	return ccgov_catalog_dpkg_status(s, path, text, len, "debian", "12");
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
