/* SBOM building blocks: content UUIDs, package URLs, the text checks. */
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

/* Catalogers check where they read; this is what stands behind them if one does not. */
static void last_guard_leaves_out_what_is_not_text(void)
{
	ccgov_sbom s;
	ccgov_component *bad, *good;

	ccgov_sbom_init(&s);
	s.root.type = "application";
	CHECK((s.root.name = strdup("fixture")) && (s.root.ref = strdup("pkg:generic/fixture")));
	CHECK((bad = ccgov_sbom_add(&s, "library", "a\x01" "b", "1", "pkg:npm/ab@1", "package-lock.json")) != NULL);
	CHECK((good = ccgov_sbom_add(&s, "library", "ok", "2", "pkg:npm/ok@2", "package-lock.json")) != NULL);
	CHECK_OK(ccgov_component_property(good, "ccgov:x", "\xe2\x80\xae"));
	CHECK_OK(ccgov_component_depends(&s.root, "pkg:npm/ab@1"));
	CHECK_OK(ccgov_component_depends(&s.root, "pkg:npm/ok@2"));
	CHECK_OK(ccgov_sbom_keep_writable(&s));
	CHECK(s.len == 1 && strcmp(s.items[0].name, "ok") == 0 && s.items[0].nprops == 0);
	CHECK(s.root.ndepends == 1 && strcmp(s.root.depends[0], "pkg:npm/ok@2") == 0);
	CHECK(s.nwarnings == 2);
	CHECK_STR(s.warnings[0], "package-lock.json: component 'a\\x01b' is not text an SBOM can hold; left out");
	CHECK_STR(s.warnings[1], "package-lock.json: property value '\\xe2\\x80\\xae' is not text an SBOM can hold; left out");
	ccgov_sbom_free(&s);
}

/* A warning quotes a file: it stays one line of text whatever the file held. */
static void warnings_are_one_line_of_text(void)
{
	ccgov_sbom s;

	ccgov_sbom_init(&s);
	CHECK_OK(ccgov_sbom_warn(&s, "%s: unknown source '%s'", "Cargo.lock", "x\ny\xff"));
	CHECK_STR(s.warnings[0], "Cargo.lock: unknown source 'x\\ny\\xff'");
	CHECK(ccgov_sbom_usable(&s, "go.mod:3", "module", "ok", "version", "v1\x7f", NULL) == 0);
	CHECK_STR(s.warnings[1], "go.mod:3: version 'v1\\x7f' is not text an SBOM can hold (UTF-8 without control "
				 "characters, at most 1024 bytes); left out");
	CHECK(ccgov_sbom_usable(&s, "go.mod:4", "module", "ok", "version", NULL, NULL) == 1);
	CHECK(s.nwarnings == 2);
	ccgov_sbom_free(&s);
}

const struct unit_test sbom_tests[] = {
	{ "SBOM serial numbers are RFC 9562 version 5 UUIDs, as Python computes them", uuid5_matches_python },
	{ "package URLs are percent-encoded", purls_are_percent_encoded },
	{ "lock files under test, fuzz, docs, example folders are scoped apart", scopes_come_from_folders },
	{ "the writers' last guard leaves out a component or property that is not text, and edges to it",
	  last_guard_leaves_out_what_is_not_text },
	{ "warnings are one line of text; ccgov_sbom_usable warns once, naming where", warnings_are_one_line_of_text },
	{ NULL, NULL }
};
