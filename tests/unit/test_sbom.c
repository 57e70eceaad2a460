/* SBOM building blocks: content UUIDs and package URLs. */
#include "unit.h"

#include <ccgov/sbom.h>

static void uuid5_matches_python(void)
{
	char u[37];

	/* python3 -c 'import uuid; print(uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "https://ccgov.dev/sbom"), "abc"))' */
	CHECK_OK(ccgov_sbom_uuid(u, "abc", 3));
	CHECK_STR(u, "e243e1cd-382c-5cce-a2a7-a2b10005943d");
	CHECK_OK(ccgov_sbom_uuid(u, "", 0));
	CHECK(u[14] == '5' && strchr("89ab", u[19]));
}

static void purls_are_percent_encoded(void)
{
	char *p;

	CHECK((p = ccgov_purl("npm", "@babel", "core", "7.0.0")) != NULL);
	CHECK_STR(p, "pkg:npm/%40babel/core@7.0.0");
	free(p);
	CHECK((p = ccgov_purl("golang", "github.com/docker", "cli", "v27.1.1+incompatible")) != NULL);
	CHECK_STR(p, "pkg:golang/github.com/docker/cli@v27.1.1%2Bincompatible");
	free(p);
	CHECK((p = ccgov_purl("generic", NULL, "a b", NULL)) != NULL);
	CHECK_STR(p, "pkg:generic/a%20b");
	free(p);
}

static void scopes_come_from_folders(void)
{
	CHECK(ccgov_sbom_scope_of("Cargo.lock") == NULL);
	CHECK(ccgov_sbom_scope_of("fuzz/Cargo.lock") != NULL);
	CHECK_STR(ccgov_sbom_scope_of("fuzz/Cargo.lock"), "fuzz");
	CHECK_STR(ccgov_sbom_scope_of("site/docs/package-lock.json"), "docs");
	CHECK(ccgov_sbom_scope_of("testing.lock") == NULL);
	CHECK(ccgov_sbom_scope_of("contest/package-lock.json") == NULL);
}

const struct unit_test sbom_tests[] = {
	{ "SBOM serial numbers are RFC 9562 version 5 UUIDs, as Python computes them", uuid5_matches_python },
	{ "package URLs are percent-encoded", purls_are_percent_encoded },
	{ "lock files under test, fuzz, docs, example folders are scoped apart", scopes_come_from_folders },
	{ NULL, NULL }
};
