#!/usr/bin/env bats
# ccgov scan: tree-sitter rules as a pre-merge gate.

load helpers

T="$REPO_ROOT/testdata/scan"

findings() { # the JSON report as "path:line:rule" lines
	jq -r '.findings[] | "\(.path):\(.line):\(.rule)"'
}

@test "every positive case gives exactly the expected findings" {
	run --separate-stderr ccgov scan "$T/positive" --format json
	assert_failure 1
	[ "$(echo "$output" | findings)" = "$(cat "$T/positive.expected")" ]
	[ "$(echo "$output" | jq -r .summary.files_scanned)" = 13 ]
}

@test "every rule has a positive case, in every language it claims" {
	run --separate-stderr ccgov scan "$T/positive" --format sarif
	for id in $(echo "$output" | jq -r '.runs[0].tool.driver.rules[].id'); do
		grep -q ":$id\$" "$T/positive.expected" || fail "rule $id has no positive case"
	done
	ext() { case $1 in c) echo c ;; cpp) echo cpp ;; go) echo go ;; rust) echo rs ;; python) echo py ;; json) echo json ;; toml) echo template ;; esac; }
	for f in $(find "$REPO_ROOT/rules" -name '*.scm' -not -path '*/inventory/*'); do
		id=$(sed -n 's/^; id: //p' "$f")
		for lang in $(sed -n 's/^; languages: //p' "$f" | tr ',' ' '); do
			# C rules are exercised by .c files, C++ by .cpp files, and so on.
			grep -qE "\.$(ext "$lang"):[0-9]+:$id\$" "$T/positive.expected" ||
				fail "rule $id has no positive case in $lang"
		done
	done
}

@test "look-alikes in every language give no finding: comments, strings, local names, safe values" {
	run ccgov scan "$T/negative"
	assert_success
	assert_output "ccgov: scan: 6 files, 20 rules: 0 findings, 0 suppressed; skipped 0 binary, 0 generated, 0 too large, 0 unreadable, 0 symbolic links; 0 with syntax errors"
}

@test "text output is file:line:col: severity rule: message, with the line of code" {
	run --separate-stderr ccgov scan "$T/positive"
	assert_failure 1
	assert_line --index 0 "config.c:7:9: warning runtime-config.sensitive-env: a security-sensitive setting comes from an environment variable, which the host sets after the measurement and the attestation service never sees"
	assert_line --index 1 $'    \treturn getenv("PAYMENTS_API_KEY");'
}

@test "SARIF validates against the 2.1.0 schema, and JSON and SARIF are the same for any thread count" {
	for t in 1 2 3; do
		ccgov scan "$T/positive" --format sarif --threads "$t" >"$BATS_TEST_TMPDIR/s$t.sarif" 2>/dev/null || true
		ccgov scan "$T/positive" --format json --threads "$t" >"$BATS_TEST_TMPDIR/j$t.json" 2>/dev/null || true
	done
	cmp "$BATS_TEST_TMPDIR/s1.sarif" "$BATS_TEST_TMPDIR/s2.sarif"
	cmp "$BATS_TEST_TMPDIR/s1.sarif" "$BATS_TEST_TMPDIR/s3.sarif"
	cmp "$BATS_TEST_TMPDIR/j1.json" "$BATS_TEST_TMPDIR/j3.json"
	s="$BATS_TEST_TMPDIR/s1.sarif"
	[ "$(jq -r '.runs[0].results | length' "$s")" = 79 ]
	[ "$(jq -r '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri' "$s")" = config.c ]
	[ "$(jq -r '.runs[0].results[0].partialFingerprints["ccgovFinding/v1"] | length' "$s")" = 32 ]
	idx=$(jq -r '.runs[0].results[0].ruleIndex' "$s")
	[ "$(jq -r ".runs[0].tool.driver.rules[$idx].id" "$s")" = "$(jq -r '.runs[0].results[0].ruleId' "$s")" ]
	need_shared
	run "$SHARED/tools/validate-schema" --schema sarif-2.1.0 "$s"
	assert_success
}

@test "SARIF artifact URIs are percent-encoded relative references" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$d/sub dir"
	printf 'void *f(const char *p) { return dlopen(p, 0); }\n' >"$d/sub dir/a b%c:#d.c"
	run --separate-stderr ccgov scan "$d" --format sarif
	assert_failure 1
	[ "$(echo "$output" | jq -r '.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri')" = "sub%20dir/a%20b%25c%3A%23d.c" ]
	run --separate-stderr ccgov scan "$d" --format json
	[ "$(echo "$output" | jq -r '.findings[0].path')" = "sub dir/a b%c:#d.c" ]
}

@test "ccgov:ignore with a reason suppresses a finding, kept in JSON and SARIF for audit" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	cat >"$d/a.c" <<-'C'
	void *load(const char *p)
	{
		/* ccgov:ignore code-loading.dlopen vendor plug-ins are measured by the loader (ADR-12) */
		void *h = dlopen(p, 0);
		void *g = dlopen(p, 0); // ccgov:ignore code-loading.dlopen
		return h ? h : g;
	}
	C
	run --separate-stderr ccgov scan "$d" --format json
	assert_failure 1
	[ "$(echo "$output" | jq -r '.findings[0].suppressed')" = "vendor plug-ins are measured by the loader (ADR-12)" ]
	[ "$(echo "$output" | jq -r '.findings[1].suppressed')" = null ]
	[ "$(echo "$output" | jq -r '.summary.findings')" = 1 ]
	[ "$(echo "$output" | jq -r '.summary.suppressed')" = 1 ]
	run --separate-stderr ccgov scan "$d" --format sarif
	[ "$(echo "$output" | jq -r '.runs[0].results[0].suppressions[0].justification')" = "vendor plug-ins are measured by the loader (ADR-12)" ]
	run --separate-stderr ccgov scan "$d"
	assert_failure 1
	assert_output --partial "a.c:5:11: error code-loading.dlopen"
	refute_output --partial "a.c:4:"
}

@test "--fail-on sets the gate: exit 1 at or above the severity, 0 below" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf 'const char *k(void) { return getenv("API_KEY"); }\n' >"$d/w.c"
	run ccgov scan "$d" --fail-on error
	assert_success
	run ccgov scan "$d" --fail-on warning
	assert_failure 1
	run ccgov scan "$d" --fail-on note
	assert_failure 1
	run ccgov scan "$d" --fail-on never
	assert_success
	run ccgov scan "$d" --fail-on critical
	assert_failure 2
	assert_output "ccgov: error: scan: --fail-on: 'critical' is not note, warning, error or never"
}

@test "a bad rule file fails fast with its path and line" {
	r="$BATS_TEST_TMPDIR/rules"
	mkdir "$r"
	hdr='; id: t.x
; title: t
; category: code-loading
; severity: error
; languages: c
; requirement: r
; message: m'
	printf '%s\n(call_expression function: (identifier) @fn (#eqq? @fn "dlopen")) @finding\n' "$hdr" >"$r/typo.scm"
	run ccgov scan --no-default-rules --rules "$r" "$T/negative"
	assert_failure 2
	assert_output "ccgov: error: $r/typo.scm:8: unknown predicate eqq?"
	printf '%s\n\n(call_expression function: (identifer) @fn) @finding\n' "$hdr" >"$r/typo.scm"
	run ccgov scan --no-default-rules --rules "$r" "$T/negative"
	assert_failure 2
	assert_output "ccgov: error: $r/typo.scm:9: unknown node type in the query for c"
	printf '%s\n; colour: red\n(identifier) @finding\n' "$hdr" >"$r/typo.scm"
	run ccgov scan --no-default-rules --rules "$r" "$T/negative"
	assert_failure 2
	assert_output "ccgov: error: $r/typo.scm:8: unknown header key 'colour'"
	printf '%s\n((identifier) @finding (#match? @finding "a(("))\n' "$hdr" >"$r/typo.scm"
	run ccgov scan --no-default-rules --rules "$r" "$T/negative"
	assert_failure 2
	assert_output --partial "$r/typo.scm:8: bad regular expression:"
	# The rules of a language are compiled as one query: a mistake in one
	# rule among the shipped ones still names that rule's file and line.
	printf '%s\n\n\n(call_expression function: (identifier) @fn @finding (#eq? @fn "x") (#nope? @fn))\n' "$hdr" >"$r/typo.scm"
	run ccgov scan --rules "$r" "$T/negative"
	assert_failure 2
	assert_output "ccgov: error: $r/typo.scm:10: unknown predicate nope?"
	printf '%s\n\n(call_expression function: (identifier) @fn) @finding\n(identifier\n' "$hdr" >"$r/typo.scm"
	run ccgov scan --rules "$r" "$T/negative"
	assert_failure 2
	assert_output "ccgov: error: $r/typo.scm:10: unbalanced parentheses or quotes in the query for c"
	printf '%s\n\n(call_expression function: (identifier) @fn (#eq? @fn "a;b)")) @finding ; (\n' "$hdr" >"$r/typo.scm"
	run ccgov scan --rules "$r" "$T/negative" --fail-on never
	assert_success
}

@test "binary, generated, oversized, unparsable and unreadable files and broken links never stop the scan, and each is named" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$d/loop"
	{ printf 'int x;'; head -c 100 /dev/zero; printf 'void *p = dlopen("a", 0);\n'; } >"$d/binary.c"
	printf '// Code generated by protoc. DO NOT EDIT.\nvoid *p(void) { return dlopen("a", 0); }\n' >"$d/gen.c"
	head -c 300000 /dev/zero | tr '\0' 'x' >"$d/big.c"
	printf 'void f( { {{ dlopen("x", 0); \n' >"$d/broken.c"
	printf '\xff\xfe void *g(void) { return dlopen("y", 0); }\n' >"$d/latin1.c"
	ln -s . "$d/loop/self"
	ln -s missing "$d/dangling.c"
	python3 -c 'print("int f(void) { return " + "(" * 20000 + "1" + ")" * 20000 + "; }")' >"$d/deep.c"
	run --separate-stderr ccgov scan "$d" --max-file-size 200000 --format json
	assert_failure 1
	[ "$(echo "$stderr" | tail -1)" = "ccgov: scan: 3 files, 20 rules: 2 findings, 0 suppressed; skipped 1 binary, 1 generated, 1 too large, 0 unreadable, 2 symbolic links; 2 with syntax errors" ]
	[ "$(echo "$output" | findings | tr '\n' ' ')" = "broken.c:1:code-loading.dlopen latin1.c:1:code-loading.dlopen " ]
	[ "$(echo "$output" | jq -r '.findings[1].source')" = $'\ufffd\ufffd void *g(void) { return dlopen("y", 0); }' ]
	[ "$(echo "$output" | jq -c '[.skipped[] | [.path, .kind]]')" = '[["big.c","large"],["binary.c","binary"],["broken.c","syntax-error"],["dangling.c","symlink"],["gen.c","generated"],["latin1.c","syntax-error"],["loop/self","symlink"]]' ]
}

@test ".gitignore is honoured inside a git work tree, for untracked files only" {
	d="$BATS_TEST_TMPDIR/repo"
	make_repo "$d"
	mkdir "$d/vendor"
	printf 'void *f(void) { return dlopen("a", 0); }\n' >"$d/vendor/v.c"
	printf 'void *g(void) { return dlopen("b", 0); }\n' >"$d/main.c"
	echo vendor/ >"$d/.gitignore"
	run --separate-stderr ccgov scan "$d" --format json
	[ "$(echo "$output" | findings)" = "main.c:1:code-loading.dlopen" ]
	# Committed files are scanned even where .gitignore matches them: a change
	# must not hide its own code from the gate by listing it there.
	printf 'void *h(void) { return dlopen("c", 0); }\n' >"$d/vendor/tracked.c"
	printf 'hidden.c\n' >>"$d/.gitignore"
	cp "$d/main.c" "$d/hidden.c"
	git -C "$d" add -f vendor/tracked.c hidden.c
	git -C "$d" commit -qm force
	printf 'void *i(void) { return dlopen("d", 0); }\n' >"$d/vendor/untracked.c"
	run --separate-stderr ccgov scan "$d" --format json
	[ "$(echo "$output" | findings | tr '\n' ' ')" = "hidden.c:1:code-loading.dlopen main.c:1:code-loading.dlopen vendor/tracked.c:1:code-loading.dlopen " ]
}

@test "scan usage errors" {
	run ccgov scan --format xml
	assert_failure 2
	assert_output "ccgov: error: scan: --format: unknown format 'xml' (expected text, json or sarif)"
	run ccgov scan "$BATS_TEST_TMPDIR/missing"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/missing: No such file or directory"
	run ccgov scan --no-default-rules --rules "$BATS_TEST_TMPDIR/none" .
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/none: No such file or directory"
}

@test "--baseline accepts known findings, even moved, and still gates new ones" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf 'void *a(void) { return dlopen("a", 0); }\n' >"$d/x.c"
	run --separate-stderr ccgov scan "$d" --format json
	assert_failure 1
	echo "$output" >"$BATS_TEST_TMPDIR/baseline.json"
	[ "$(jq -r '.findings[0].fingerprint | length' "$BATS_TEST_TMPDIR/baseline.json")" = 32 ]
	# The known finding moves down two lines: still accepted.
	printf '\n\nvoid *a(void) { return dlopen("a", 0); }\n' >"$d/x.c"
	run ccgov scan "$d" --baseline "$BATS_TEST_TMPDIR/baseline.json"
	assert_success
	run --separate-stderr ccgov scan "$d" --baseline "$BATS_TEST_TMPDIR/baseline.json" --format sarif
	[ "$(echo "$output" | jq -r '.runs[0].results[0].baselineState')" = unchanged ]
	# A second copy of the same code is new.
	printf 'void *a(void) { return dlopen("a", 0); }\nvoid *a(void) { return dlopen("a", 0); }\n' >"$d/x.c"
	run --separate-stderr ccgov scan "$d" --baseline "$BATS_TEST_TMPDIR/baseline.json" --format json
	assert_failure 1
	[ "$(echo "$output" | jq -r '.summary.baselined')" = 1 ]
	[ "$(echo "$output" | jq -c '[.findings[].baselined]')" = '[true,null]' ]
	echo '{"findings": [{"rule": "x"}]}' >"$BATS_TEST_TMPDIR/bad.json"
	run ccgov scan "$d" --baseline "$BATS_TEST_TMPDIR/bad.json"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/bad.json: findings[0] has no fingerprint"
}

@test "--changed-since scans only files that differ from a revision, new files included" {
	d="$BATS_TEST_TMPDIR/repo"
	make_repo "$d"
	printf 'void *old(void) { return dlopen("a", 0); }\n' >"$d/old.c"
	printf 'void *kept(void) { return dlopen("b", 0); }\n' >"$d/kept.c"
	git -C "$d" add -A && git -C "$d" commit -qm base
	printf 'void *old(void) { return dlopen("c", 0); }\n' >"$d/old.c"
	printf 'void *fresh(void) { return dlopen("d", 0); }\n' >"$d/fresh.c"
	run --separate-stderr ccgov scan "$d" --changed-since HEAD --format json
	assert_failure 1
	[ "$(echo "$output" | findings | tr '\n' ' ')" = "fresh.c:1:code-loading.dlopen old.c:1:code-loading.dlopen " ]
	git -C "$d" add -A && git -C "$d" commit -qm change
	run ccgov scan "$d" --changed-since HEAD
	assert_success
	run ccgov scan "$d" --changed-since nosuch
	assert_failure 2
	assert_output "ccgov: error: nosuch: no such revision"
	mkdir "$BATS_TEST_TMPDIR/plain"
	run ccgov scan "$BATS_TEST_TMPDIR/plain" --changed-since HEAD
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/plain: --changed-since needs a git work tree"
}

@test "the literal pre-filter skips parsing, never findings" {
	run --separate-stderr ccgov scan "$T" --format json --fail-on never
	assert_success
	with=$(echo "$output" | jq -c .findings)
	[ "$(echo "$output" | jq -r .summary.files_parsed)" -lt "$(echo "$output" | jq -r .summary.files_scanned)" ] ||
		[ "$(echo "$output" | jq -r .summary.files_scanned)" = "$(echo "$output" | jq -r .summary.files_parsed)" ]
	run --separate-stderr ccgov scan "$T" --format json --fail-on never --no-prefilter
	assert_success
	[ "$(echo "$output" | jq -c .findings)" = "$with" ]
	# A file that names nothing any rule looks for is read but not parsed.
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf 'int add(int a, int b) { return a + b; }\n' >"$d/plain.c"
	printf 'void *f(void) { return dlopen("x", 0); }\n' >"$d/loads.c"
	run --separate-stderr ccgov scan "$d" --format json --fail-on never
	[ "$(echo "$output" | jq -c '[.summary.files_scanned, .summary.files_parsed, .summary.findings]')" = "[2,1,1]" ]
	run --separate-stderr ccgov scan "$d" --format json --fail-on never --no-prefilter
	[ "$(echo "$output" | jq -c '[.summary.files_scanned, .summary.files_parsed, .summary.findings]')" = "[2,2,1]" ]
}

@test "--inventory lists every configuration read with its key, class and mutability" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	cat >"$d/app.c" <<-'C'
	#include <stdio.h>
	#include <stdlib.h>
	void reload(int sig);
	void init(const char *name)
	{
		const char *home = getenv("HOME");
		const char *key = getenv("SIGNING_KEY");
		const char *any = getenv(name);
		FILE *f = fopen("/etc/app/app.conf", "r");
		signal(SIGHUP, reload);
	}
	C
	printf 'import os\nlevel = os.environ.get("LOG_LEVEL")\n' >"$d/tool.py"
	run --separate-stderr ccgov scan "$d" --inventory --format json
	assert_success
	[ "$(echo "$output" | jq -c '[.inventory[] | [.path, .line, .kind, .key, .sensitivity, .runtime_mutable]]')" = \
	  '[["app.c",6,"env","HOME","non-sensitive",false],["app.c",7,"env","SIGNING_KEY","sensitive",false],["app.c",8,"env",null,"unknown",false],["app.c",9,"file","/etc/app/app.conf","non-sensitive",true],["app.c",10,"reload",null,"n/a",true],["tool.py",2,"env","LOG_LEVEL","non-sensitive",false]]' ]
	run --separate-stderr ccgov scan "$d" --inventory
	assert_line --index 1 "app.c:7:19: env SIGNING_KEY sensitive"
	run ccgov scan "$d" --inventory --format sarif
	assert_failure 2
}

@test "a name is sensitive by its whole words, and the rule and the inventory agree" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	sensitive="SSL_CERT_FILE API_KEY VAULT_TOKEN SSLKEYLOGFILE REQUESTS_CA_BUNDLE GIT_SSL_NO_VERIFY DB_PASSWORD app.secret api_key SGX_AESM_ADDR RA_TLS_ALLOW_DEBUG_ENCLAVE_INSECURE"
	plain="GODEBUG CGO_ENABLED DEBUGINFOD_URLS MONKEY HOME PATH TMPDIR XDG_CONFIG_HOME LANG TERM PWD AUTHOR_NAME DEBUG CURL_DEBUG VAULT_RETRIES TLS_TIMEOUT CURL_STUB_GSS_CREDS"
	for n in $sensitive $plain; do printf 'char *v_%s(void) { return getenv("%s"); }\n' "${n//./_}" "$n"; done >"$d/env.c"
	run --separate-stderr ccgov scan "$d" --format json
	assert_failure 1
	found=$(echo "$output" | jq -r '[.findings[] | .source | capture("getenv\\(\"(?<n>[^\"]+)") | .n] | join(" ")')
	[ "$found" = "$sensitive" ]
	run --separate-stderr ccgov scan "$d" --inventory --format json
	assert_success
	classed=$(echo "$output" | jq -r '[.inventory[] | select(.sensitivity == "sensitive") | .key] | join(" ")')
	[ "$classed" = "$sensitive" ]
}

@test "a user rule can exclude regions, test contents and skip files" {
	r="$BATS_TEST_TMPDIR/rules"
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$r" "$d/tools"
	{ rule_header t.raw-exec; cat <<-'SCM'; } >"$r/raw.scm"
	; skip-files: build_*.c, tools/*.c
	(call_expression
	  function: (identifier) @fn
	  (#eq? @fn "run_code")) @finding
	; a function that checks the code's signature first is fine
	((function_definition) @exclude
	  (#contains? @exclude "verify_signature" "check_signature"))
	SCM
	printf 'void a(void) { run_code(); }\nvoid b(void) { check_signature(); run_code(); }\n' >"$d/app.c"
	printf 'void c(void) { run_code(); }\n' >"$d/build_step.c"
	printf 'void e(void) { run_code(); }\n' >"$d/tools/gen.c"
	for np in "" --no-prefilter; do
		run --separate-stderr ccgov scan "$d" --no-default-rules --rules "$r" --format json $np
		assert_failure 1
		[ "$(echo "$output" | jq -c '[.findings[] | [.path, .line]]')" = '[["app.c",1]]' ]
	done
}

@test "the pre-filter never skips a file an optional capture could match" {
	r="$BATS_TEST_TMPDIR/rules"
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$r" "$d"
	{ rule_header t.optional; cat <<-'SCM'; } >"$r/opt.scm"
	(call_expression
	  function: (identifier) @fn
	  arguments: (argument_list (string_literal)? @s)
	  (#eq? @fn "load")
	  (#eq? @s "\"rare-literal\"")) @finding
	SCM
	printf 'void f(void) { load(); }\n' >"$d/a.c"
	run --separate-stderr ccgov scan --no-default-rules --rules "$r" "$d" --format json
	[ "$(echo "$output" | jq -c '[.summary.files_parsed, .summary.findings]')" = "[1,1]" ]
}

@test "only a comment marks a file as generated, not the same words in a string" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf '// Code generated by protoc-gen-go. DO NOT EDIT.\npackage p\nfunc f() { plugin.Open("x") }\n' >"$d/gen.go"
	printf 'package main\nconst header = "// Code generated by go tool dist; DO NOT EDIT.\\n"\nfunc g() { plugin.Open("y") }\n' >"$d/generator.go"
	run --separate-stderr ccgov scan "$d" --format json
	[ "$(echo "$output" | findings)" = "generator.go:3:code-loading.go-plugin" ]
	[ "$(echo "$output" | jq -r .summary.skipped.generated)" = 1 ]
}

# ---- issue #20: the gate names every skip, and cannot be passed by one ----

# The code every gate test below plants, and the finding it gives.
LOAD='void *f(void) { return dlopen(getenv("X"), 0); }'
DLOPEN='error code-loading.dlopen: dlopen/LoadLibrary loads code after the enclave was measured, so the attested measurement no longer covers what runs'
# The line that says a skip fails the gate: allow_line "file (kind), ..." kind,...
allow_line() {
	local json
	json=$(echo "$2" | sed 's/^/"/; s/,/", "/g; s/$/"/')
	echo "ccgov: scan: the gate fails on $1; to accept these skips, pass --allow-skipped $2 or set \"scan\": {\"allow_skipped\": [$json]} in ccgov.json"
}

@test "a NUL byte in a comment does not make a file binary: the code after it is scanned" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf '#include <dlfcn.h>\n/* vendor \0 blob */\n%s\n' "$LOAD" >"$d/nul.c"
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "nul.c:3:24: $DLOPEN
    $LOAD"
	[ "$stderr" = "ccgov: scan: 1 files, 20 rules: 1 findings, 0 suppressed; skipped 0 binary, 0 generated, 0 too large, 0 unreadable, 0 symbolic links; 0 with syntax errors" ]
	# Mostly NUL bytes: binary, named, and the gate fails until binary is allowed.
	rm "$d/nul.c"
	{ printf '%s\n' "$LOAD"; head -c 200 /dev/zero; } >"$d/blob.c"
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "blob.c: error skipped-binary: 200 of its first 249 bytes are NUL or control bytes"
	[ "$(echo "$stderr" | head -1)" = "$(allow_line "1 skipped file: blob.c (binary)" binary)" ]
	run --separate-stderr ccgov scan "$d" --fail-on error --allow-skipped binary
	assert_success
	assert_output "blob.c: warning skipped-binary: 200 of its first 249 bytes are NUL or control bytes (allowed)"
}

@test "a file over the size limit is named in text, JSON and SARIF, and fails the gate unless large is allowed" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	{ printf '%s\n' "$LOAD"; head -c 4194304 /dev/zero | tr '\0' ' '; } >"$d/big.c"
	size=$(wc -c <"$d/big.c")
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "big.c: error skipped-large: $size bytes, over the limit of 4194304"
	[ "$stderr" = "$(allow_line "1 skipped file: big.c (large)" large)
ccgov: scan: 0 files, 20 rules: 0 findings, 0 suppressed; skipped 0 binary, 0 generated, 1 too large, 0 unreadable, 0 symbolic links; 0 with syntax errors" ]
	run --separate-stderr ccgov scan "$d" --fail-on error --format json
	assert_failure 1
	[ "$(echo "$output" | jq -c .skipped)" = "[{\"allowed\":false,\"kind\":\"large\",\"level\":\"error\",\"path\":\"big.c\",\"reason\":\"$size bytes, over the limit of 4194304\"}]" ]
	[ "$(echo "$output" | jq -c .summary.skipped)" = '{"binary":0,"generated":0,"not_allowed":1,"symlink":0,"too_large":1,"unreadable":0}' ]
	run --separate-stderr ccgov scan "$d" --fail-on error --format sarif
	assert_failure 1
	[ "$(echo "$output" | jq -c '.runs[0].invocations[0].toolExecutionNotifications[] | [.descriptor.id, .level, .locations[0].physicalLocation.artifactLocation.uri, .message.text]')" = \
	  "[\"skipped-large\",\"error\",\"big.c\",\"big.c: skipped-large: $size bytes, over the limit of 4194304\"]" ]
	run --separate-stderr ccgov scan "$d" --fail-on error --allow-skipped large
	assert_success
	assert_output "big.c: warning skipped-large: $size bytes, over the limit of 4194304 (allowed)"
	# The default gate (warning) counts skips; only --fail-on never turns it off, and skips are still named.
	run --separate-stderr ccgov scan "$d"
	assert_failure 1
	run --separate-stderr ccgov scan "$d" --fail-on never
	assert_success
	assert_output "big.c: error skipped-large: $size bytes, over the limit of 4194304"
	[ "$stderr" = "ccgov: scan: 0 files, 20 rules: 0 findings, 0 suppressed; skipped 0 binary, 0 generated, 1 too large, 0 unreadable, 0 symbolic links; 0 with syntax errors" ]
	run --separate-stderr ccgov scan "$d" --max-file-size 100000000
	assert_failure 1
	assert_output "big.c:1:24: $DLOPEN
    $LOAD"
}

@test "the generated markers // @generated and Go's form skip a file, named, and fail the gate unless generated is allowed" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf '// @generated\n%s\n' "$LOAD" >"$d/meta.c"
	printf '// Code generated by hand. DO NOT EDIT.\n%s\n' "$LOAD" >"$d/hand.c"
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "hand.c: error skipped-generated: Go's \"// Code generated ... DO NOT EDIT.\" marker on line 1
meta.c: error skipped-generated: \"@generated\" marker on line 1"
	[ "$(echo "$stderr" | head -1)" = "$(allow_line "2 skipped files: hand.c (generated), meta.c (generated)" generated)" ]
	run --separate-stderr ccgov scan "$d" --fail-on error --allow-skipped generated
	assert_success
	assert_output "hand.c: warning skipped-generated: Go's \"// Code generated ... DO NOT EDIT.\" marker on line 1 (allowed)
meta.c: warning skipped-generated: \"@generated\" marker on line 1 (allowed)"
}

@test "only a known generator's marker, as a whole line of the leading comments, marks a file generated" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	# Look-alikes: scanned, so each gives its finding.
	printf '//@generated\n%s\n' "$LOAD" >"$d/nospace.c"
	printf '// @generatedBy x\n%s\n' "$LOAD" >"$d/longer.c"
	printf '// Code generated by hand. DO NOT EDIT\n%s\n' "$LOAD" >"$d/noperiod.c"
	printf '// Code generated by hand. DO NOT EDIT. \n%s\n' "$LOAD" >"$d/trailing.c"
	printf '/* Code generated by hand. DO NOT EDIT. */\n%s\n' "$LOAD" >"$d/block.c"
	printf 'int x; // @generated\n%s\n' "$LOAD" >"$d/aftercode.c"
	printf '#include <dlfcn.h>\n// @generated\n%s\n' "$LOAD" >"$d/later.c"
	# Not a C comment: scanned, and a syntax error as a compiler would say.
	printf '# @generated\n%s\n' "$LOAD" >"$d/hash.c"
	printf '/* x */ int y;\n// @generated\n%s\n' "$LOAD" >"$d/closed.c"
	# Real generators' headers: skipped.
	printf '/**\n * Copyright (c) Meta Platforms, Inc.\n *\n * @generated SignedSource<<0123abcd>>\n */\n%s\n' "$LOAD" >"$d/docblock.c"
	printf '// Generated by the protocol buffer compiler.  DO NOT EDIT!\n// source: a.proto\n%s\n' "$LOAD" >"$d/a.pb.cc"
	printf '# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\nimport importlib\nm = importlib.import_module(n)\n' >"$d/a_pb2.py"
	printf '// Copyright 2024 The Authors.\n// SPDX-License-Identifier: MIT\n\n// Code generated by stringer -type=T; DO NOT EDIT.\r\n\npackage p\n' >"$d/t_string.go"
	printf '/* @generated */\n%s\n' "$LOAD" >"$d/blocktag.c"
	run --separate-stderr ccgov scan "$d" --format json --fail-on never
	assert_success
	[ "$(echo "$output" | jq -r '[.findings[].path] | join(" ")')" = "aftercode.c block.c closed.c hash.c later.c longer.c noperiod.c nospace.c trailing.c" ]
	[ "$(echo "$output" | jq -r '.skipped[] | "\(.path): \(.kind): \(.reason)"')" = \
	  "a.pb.cc: generated: protoc's \"Generated by the protocol buffer compiler.  DO NOT EDIT!\" marker on line 1
a_pb2.py: generated: protoc's \"Generated by the protocol buffer compiler.  DO NOT EDIT!\" marker on line 2
blocktag.c: generated: \"@generated\" marker on line 1
docblock.c: generated: \"@generated\" marker on line 4
hash.c: syntax-error: syntax error on line 1: code past an error may be missed
t_string.go: generated: Go's \"// Code generated ... DO NOT EDIT.\" marker on line 4" ]
}

@test "an unreadable file or folder is named and fails the gate unless unreadable is allowed" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	# nobody must reach the folder: let others through (not list) bats' folders above it.
	for p in "$BATS_TEST_TMPDIR" "$(dirname "$BATS_TEST_TMPDIR")" "$BATS_RUN_TMPDIR"; do chmod o+x "$p"; done
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$d/closed" "$d/listed"
	printf '%s\n' "$LOAD" >"$d/secret.c"
	printf '%s\n' "$LOAD" >"$d/closed/inner.c"
	printf '%s\n' "$LOAD" >"$d/listed/inner.c"
	chmod 000 "$d/secret.c" "$d/closed"
	# Its names can be listed, but not reached.
	chmod 444 "$d/listed"
	# The shipped rules where nobody can read them: a clone may sit in a 0700 folder.
	cp -R "$REPO_ROOT/rules" "$BATS_TEST_TMPDIR/rules"
	chmod -R o+rX "$BATS_TEST_TMPDIR/rules"
	export CCGOV_RULES_DIR="$BATS_TEST_TMPDIR/rules"
	run --separate-stderr as_nobody "$CCGOV" scan "$d" --fail-on error
	assert_failure 1
	assert_output "closed: error skipped-unreadable: folder: Permission denied
listed: error skipped-unreadable: folder: Permission denied
secret.c: error skipped-unreadable: Permission denied"
	[ "$(echo "$stderr" | head -1)" = "$(allow_line "3 skipped files: closed (unreadable), listed (unreadable), secret.c (unreadable)" unreadable)" ]
	run --separate-stderr as_nobody "$CCGOV" scan "$d" --fail-on error --allow-skipped unreadable
	assert_success
	chmod 755 "$d/closed" "$d/listed"
	chmod 644 "$d/secret.c"
}

@test "a file with syntax errors is named with the first error's line, and fails the gate unless syntax-error is allowed" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf 'const char *home(void) { return getenv("HOME"); }\nint f( { return 0; }\n' >"$d/broken.c"
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "broken.c: error skipped-syntax-error: syntax error on line 2: code past an error may be missed"
	[ "$(echo "$stderr" | head -1)" = "$(allow_line "1 skipped file: broken.c (syntax-error)" syntax-error)" ]
	run --separate-stderr ccgov scan "$d" --fail-on error --allow-skipped syntax-error
	assert_success
	assert_output "broken.c: warning skipped-syntax-error: syntax error on line 2: code past an error may be missed (allowed)"
}

@test "--allow-skipped takes a comma list or repeats; ccgov.json's scan.allow_skipped does the same; bad kinds are refused" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf '// @generated\nint x;\n' >"$d/gen.c"
	printf 'int f( { return getenv("HOME"); }\n' >"$d/broken.c"
	run ccgov scan "$d" --allow-skipped generated
	assert_failure 1
	run ccgov scan "$d" --allow-skipped generated,syntax-error
	assert_success
	run ccgov scan "$d" --allow-skipped generated --allow-skipped syntax-error
	assert_success
	printf '{"scan": {"allow_skipped": ["generated", "syntax-error"]}}\n' >"$d/ccgov.json"
	run ccgov scan "$d"
	assert_success
	printf '{"scan": {"allow_skipped": ["generated"]}}\n' >"$d/ccgov.json"
	run ccgov scan "$d" --allow-skipped syntax-error
	assert_success
	run ccgov scan "$d" --allow-skipped binary,huge
	assert_failure 2
	assert_output "ccgov: error: scan: --allow-skipped: 'huge' is not a skip kind (binary, large, generated, unreadable, syntax-error or symlink)"
	run ccgov scan "$d" --allow-skipped ''
	assert_failure 2
	assert_output "ccgov: error: scan: --allow-skipped: '' is not a skip kind (binary, large, generated, unreadable, syntax-error or symlink)"
	printf '{"scan": {"allow_skipped": ["generated", "huge"]}}\n' >"$d/ccgov.json"
	run ccgov scan "$d"
	assert_failure 2
	assert_output "ccgov: error: $d/ccgov.json: scan.allow_skipped[1]: 'huge' is not a skip kind (binary, large, generated, unreadable, syntax-error or symlink)"
	printf '{"scan": {"allow_skipped": ["generated,large"]}}\n' >"$d/ccgov.json"
	run ccgov scan "$d"
	assert_failure 2
	assert_output "ccgov: error: $d/ccgov.json: scan.allow_skipped[0]: 'generated,large' is not a skip kind (binary, large, generated, unreadable, syntax-error or symlink)"
	printf '{"scan": {"allow_skipped": "generated"}}\n' >"$d/ccgov.json"
	run ccgov scan "$d"
	assert_failure 2
	assert_output "ccgov: error: $d/ccgov.json: scan.allow_skipped: expected an array of strings"
	printf '{"scan": {"allow": []}}\n' >"$d/ccgov.json"
	run ccgov scan "$d"
	assert_failure 2
	assert_output "ccgov: error: $d/ccgov.json: scan.allow: unknown field"
}

@test "SARIF names every skip as a tool execution notification with its descriptor, and validates" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf '// @generated\n%s\n' "$LOAD" >"$d/gen.c"
	{ printf '%s\n' "$LOAD"; head -c 2000 /dev/zero | tr '\0' ' '; } >"$d/big.c"
	{ printf 'x'; head -c 100 /dev/zero; } >"$d/blob.c"
	printf 'int f( { return getenv("HOME"); }\n' >"$d/broken.c"
	s="$BATS_TEST_TMPDIR/r.sarif"
	run ccgov scan "$d" --format sarif --max-file-size 1000 --allow-skipped generated
	assert_failure 1
	ccgov scan "$d" --format sarif --max-file-size 1000 --allow-skipped generated >"$s" 2>/dev/null || true
	[ "$(jq -c '[.runs[0].tool.driver.notifications[].id]' "$s")" = '["skipped-binary","skipped-large","skipped-generated","skipped-unreadable","skipped-syntax-error","skipped-symlink"]' ]
	[ "$(jq -c '[.runs[0].invocations[0].toolExecutionNotifications[] | [.descriptor.id, .level, .locations[0].physicalLocation.artifactLocation.uri, .properties.allowed]]' "$s")" = \
	  '[["skipped-large","error","big.c",false],["skipped-binary","error","blob.c",false],["skipped-syntax-error","error","broken.c",false],["skipped-generated","warning","gen.c",true]]' ]
	# Each descriptor reference points at its descriptor.
	[ "$(jq -r '.runs[0] as $r | [$r.invocations[0].toolExecutionNotifications[] | .descriptor.id == $r.tool.driver.notifications[.descriptor.index].id] | all' "$s")" = true ]
	[ "$(jq -c '.runs[0].invocations[0] | [.executionSuccessful, .exitCode]' "$s")" = '[true,1]' ]
	need_shared
	run "$SHARED/tools/validate-schema" --schema sarif-2.1.0 "$s"
	assert_success
}

@test "a newline, a tab, a control byte or a backslash in a file name is escaped in text and exact in JSON and SARIF" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf '%s\n' "$LOAD" >"$d/"$'new\nline.c'
	printf '%s\n' "$LOAD" >"$d/"$'tab\there\x01\\.c'
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "new\\nline.c:1:24: $DLOPEN
    $LOAD
tab\\there\\x01\\\\.c:1:24: $DLOPEN
    $LOAD"
	ccgov scan "$d" --format json >"$BATS_TEST_TMPDIR/r.json" 2>/dev/null || true
	run python3 - "$BATS_TEST_TMPDIR/r.json" "$d" <<-'PY'
	import json, os, sys
	r = json.load(open(sys.argv[1]))
	paths = [f["path"] for f in r["findings"]]
	assert paths == ["new\nline.c", "tab\there\x01\\.c"], paths
	assert not any("path_bytes" in f for f in r["findings"])
	assert all(os.path.isfile(os.path.join(sys.argv[2], p)) for p in paths)
	PY
	assert_success
	run --separate-stderr ccgov scan "$d" --format sarif
	[ "$(echo "$output" | jq -c '[.runs[0].results[].locations[0].physicalLocation.artifactLocation.uri]')" = '["new%0Aline.c","tab%09here%01%5C.c"]' ]
	printf 'const char *h(void) { return getenv("HOME"); }\n' >"$d/"$'new\nline.c'
	run --separate-stderr ccgov scan "$d" --inventory
	assert_line --index 0 'new\nline.c:1:30: env HOME non-sensitive'
}

@test "a file name that is not UTF-8 keeps its exact bytes: \\xNN in text, path_bytes in JSON, percent-encoded in SARIF" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf '%s\n' "$LOAD" >"$d/"$'bad\xff.c'
	printf '// @generated\n%s\n' "$LOAD" >"$d/"$'gen\xfe\n.c'
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "bad\\xff.c:1:24: $DLOPEN
    $LOAD
gen\\xfe\\n.c: error skipped-generated: \"@generated\" marker on line 1"
	[ "$(echo "$stderr" | head -1)" = "$(allow_line "1 skipped file: gen\\xfe\\n.c (generated)" generated)" ]
	ccgov scan "$d" --format json >"$BATS_TEST_TMPDIR/r.json" 2>/dev/null || true
	ccgov scan "$d" --format sarif >"$BATS_TEST_TMPDIR/r.sarif" 2>/dev/null || true
	run python3 - "$BATS_TEST_TMPDIR/r.json" "$BATS_TEST_TMPDIR/r.sarif" "$d" <<-'PY'
	import json, os, sys, urllib.parse
	r = json.load(open(sys.argv[1]))
	root = os.fsencode(sys.argv[3])
	f, s = r["findings"][0], r["skipped"][0]
	assert f["path"] == "bad\\xff.c" and f["path_bytes"] == "626164ff2e63", f
	assert s["path"] == "gen\\xfe\\n.c" and s["path_bytes"] == "67656efe0a2e63", s
	for name in (bytes.fromhex(f["path_bytes"]), bytes.fromhex(s["path_bytes"])):
	    assert os.path.isfile(os.path.join(root, name)), name
	run = json.load(open(sys.argv[2]))["runs"][0]
	uris = [run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
	        run["invocations"][0]["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
	assert uris == ["bad%FF.c", "gen%FE%0A.c"], uris
	for u in uris:
	    assert os.path.isfile(os.path.join(root, urllib.parse.unquote_to_bytes(u))), u
	PY
	assert_success
	need_shared
	run "$SHARED/tools/validate-schema" --schema sarif-2.1.0 "$BATS_TEST_TMPDIR/r.sarif"
	assert_success
}

@test "a line of code in text shows no raw control byte, and a CRLF file's line no carriage return" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir "$d"
	printf 'void *f(void) { return dlopen(getenv("X"), 0); } /* \033[2K\tx */\r\n' >"$d/crlf.c"
	run --separate-stderr ccgov scan "$d"
	assert_failure 1
	assert_line --index 1 $'    void *f(void) { return dlopen(getenv("X"), 0); } /* \\x1b[2K\tx */'
	[ "${#lines[@]}" = 2 ]
}

# Issue 23: a compiler follows symbolic links, so the scan does, inside the scanned tree.
@test "a link to a source file inside the tree is scanned and reported at the link's path; scanning a folder it leaves fails the gate" {
	d="$BATS_TEST_TMPDIR/proj"
	mkdir -p "$d/app" "$d/vendor"
	printf '%s\n' "$LOAD" >"$d/vendor/loader.c"
	ln -s ../vendor/loader.c "$d/app/loader.c"
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "app/loader.c:1:24: $DLOPEN
    $LOAD"
	[ "$(echo "$stderr" | tail -1)" = "ccgov: scan: 1 files, 20 rules: 1 findings, 0 suppressed; skipped 0 binary, 0 generated, 0 too large, 0 unreadable, 0 symbolic links; 0 with syntax errors" ]
	# The issue's command: app/ alone does not hold the code its link names.
	cd "$d"
	run --separate-stderr ccgov scan app --fail-on error
	assert_failure 1
	assert_output "loader.c: error skipped-symlink: symbolic link leaves the scanned tree (-> ../vendor/loader.c)"
	[ "$stderr" = "$(allow_line "1 skipped file: loader.c (symlink)" symlink)
ccgov: scan: 0 files, 20 rules: 0 findings, 0 suppressed; skipped 0 binary, 0 generated, 0 too large, 0 unreadable, 1 symbolic links; 0 with syntax errors" ]
}

@test "a file reached by several paths is scanned once per language, under the first path in byte order, name by name" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$d/src" "$d/lib" "$d/app"
	printf '%s\n' "$LOAD" >"$d/src/z.c"
	ln -s z.c "$d/src/a.c"
	ln -s ../src/z.c "$d/lib/b.c"
	ln -s ../src "$d/lib/inc"
	run --separate-stderr ccgov scan "$d" --format json
	assert_failure 1
	[ "$(echo "$output" | findings)" = "lib/b.c:1:code-loading.dlopen" ]
	[ "$(echo "$output" | jq -c '[.summary.files_scanned, .skipped]')" = '[1,[]]' ]
	# Name by name: the folder app comes before the name app.c, whatever strcmp says of "app/" and "app.c".
	printf '%s\n' "$LOAD" >"$d/app/x.c"
	ln -s app/x.c "$d/app.c"
	run --separate-stderr ccgov scan "$d" --format json
	[ "$(echo "$output" | findings | tr '\n' ' ')" = "app/x.c:1:code-loading.dlopen lib/b.c:1:code-loading.dlopen " ]
	# A link that names the file as another language is read again, as that language.
	ln -s x.c "$d/app/x.cc"
	run --separate-stderr ccgov scan "$d" --format json
	[ "$(echo "$output" | findings | tr '\n' ' ')" = "app/x.c:1:code-loading.dlopen app/x.cc:1:code-loading.dlopen lib/b.c:1:code-loading.dlopen " ]
}

@test "a link that leaves the tree is a named symlink skip in text, JSON and SARIF, and fails the gate unless symlink is allowed" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$d" "$BATS_TEST_TMPDIR/outside"
	printf '%s\n' "$LOAD" >"$BATS_TEST_TMPDIR/outside/o.c"
	echo notes >"$BATS_TEST_TMPDIR/outside/README"
	printf 'int ok;\n' >"$d/ok.c"
	ln -s /etc/passwd "$d/x.c"
	ln -s ../outside "$d/ext"
	ln -s x.c "$d/y.c"
	# Not source and not a folder: nothing the scan would read.
	ln -s ../outside/README "$d/README"
	# An absolute link that names the tree by its real path stays inside.
	ln -s "$(cd "$d" && pwd -P)/ok.c" "$d/abs.c"
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "ext: error skipped-symlink: symbolic link leaves the scanned tree (-> ../outside)
x.c: error skipped-symlink: symbolic link leaves the scanned tree (-> /etc/passwd)
y.c: error skipped-symlink: symbolic link leaves the scanned tree (-> x.c, then x.c -> /etc/passwd)"
	[ "$(echo "$stderr" | head -1)" = "$(allow_line "3 skipped files: ext (symlink), x.c (symlink), y.c (symlink)" symlink)" ]
	[ "$(echo "$stderr" | tail -1)" = "ccgov: scan: 1 files, 20 rules: 0 findings, 0 suppressed; skipped 0 binary, 0 generated, 0 too large, 0 unreadable, 3 symbolic links; 0 with syntax errors" ]
	run --separate-stderr ccgov scan "$d" --fail-on error --format json
	assert_failure 1
	[ "$(echo "$output" | jq -c '.skipped[1]')" = '{"allowed":false,"kind":"symlink","level":"error","path":"x.c","reason":"symbolic link leaves the scanned tree (-> /etc/passwd)"}' ]
	[ "$(echo "$output" | jq -c .summary.skipped)" = '{"binary":0,"generated":0,"not_allowed":3,"symlink":3,"too_large":0,"unreadable":0}' ]
	s="$BATS_TEST_TMPDIR/r.sarif"
	ccgov scan "$d" --fail-on error --format sarif >"$s" 2>/dev/null || true
	[ "$(jq -c '.runs[0].invocations[0].toolExecutionNotifications[1] | [.descriptor.id, .descriptor.index, .level, .locations[0].physicalLocation.artifactLocation.uri, .message.text]' "$s")" = \
	  '["skipped-symlink",5,"error","x.c","x.c: skipped-symlink: symbolic link leaves the scanned tree (-> /etc/passwd)"]' ]
	[ "$(jq -r '.runs[0] as $r | [$r.invocations[0].toolExecutionNotifications[] | .descriptor.id == $r.tool.driver.notifications[.descriptor.index].id] | all' "$s")" = true ]
	run --separate-stderr ccgov scan "$d" --fail-on error --allow-skipped symlink
	assert_success
	assert_output "ext: warning skipped-symlink: symbolic link leaves the scanned tree (-> ../outside) (allowed)
x.c: warning skipped-symlink: symbolic link leaves the scanned tree (-> /etc/passwd) (allowed)
y.c: warning skipped-symlink: symbolic link leaves the scanned tree (-> x.c, then x.c -> /etc/passwd) (allowed)"
	printf '{"scan": {"allow_skipped": ["symlink"]}}\n' >"$d/ccgov.json"
	run ccgov scan "$d" --fail-on error
	assert_success
	need_shared
	run "$SHARED/tools/validate-schema" --schema sarif-2.1.0 "$s"
	assert_success
}

@test "a link loop, a link to a folder that holds it and a cycle of folder links end the walk: named loops, no hang" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$d/sub" "$d/p" "$d/q"
	ln -s b.c "$d/a.c"
	ln -s a.c "$d/b.c"
	ln -s .. "$d/sub/up"
	printf '%s\n' "$LOAD" >"$d/sub/real.c"
	run --separate-stderr timeout 30 "$CCGOV" scan "$d" --fail-on error
	assert_failure 1
	assert_output "sub/real.c:1:24: $DLOPEN
    $LOAD
a.c: error skipped-symlink: symbolic link loops (-> b.c, then b.c -> a.c)
b.c: error skipped-symlink: symbolic link loops (-> a.c, then a.c -> b.c)
sub/up: error skipped-symlink: symbolic link loops: it points to a folder that holds it (-> ..)"
	run --separate-stderr timeout 30 "$CCGOV" scan "$d" --fail-on error --allow-skipped symlink
	assert_failure 1
	rm "$d/sub/real.c"
	run --separate-stderr timeout 30 "$CCGOV" scan "$d" --fail-on error --allow-skipped symlink
	assert_success
	# Two folders that link to each other: neither link is inside its own
	# target, and each folder is walked once, by its first path.
	rm "$d/a.c" "$d/b.c" "$d/sub/up"
	printf '%s\n' "$LOAD" >"$d/p/x.c"
	printf '%s\n' "$LOAD" >"$d/q/y.c"
	ln -s ../q "$d/p/to-q"
	ln -s ../p "$d/q/to-p"
	run --separate-stderr timeout 30 "$CCGOV" scan "$d" --format json
	assert_failure 1
	[ "$(echo "$output" | findings | tr '\n' ' ')" = "p/to-q/y.c:1:code-loading.dlopen p/x.c:1:code-loading.dlopen " ]
	[ "$(echo "$output" | jq -c .skipped)" = '[]' ]
}

@test "a dangling link with a source name or through a folder link is a named symlink skip" {
	d="$BATS_TEST_TMPDIR/src"
	mkdir -p "$d/lib"
	ln -s missing.c "$d/gone.c"
	ln -s lib "$d/inc"
	ln -s ../nowhere/x.h "$d/lib/x.h"
	# No source name and no folder to read: nothing to miss.
	ln -s ../build/html "$d/docs"
	run --separate-stderr ccgov scan "$d" --fail-on error
	assert_failure 1
	assert_output "gone.c: error skipped-symlink: symbolic link points to nothing (-> missing.c)
inc/x.h: error skipped-symlink: symbolic link points to nothing (-> ../nowhere/x.h)"
	[ "$(echo "$stderr" | head -1)" = "$(allow_line "2 skipped files: gone.c (symlink), inc/x.h (symlink)" symlink)" ]
	run ccgov scan "$d" --fail-on error --allow-skipped symlink
	assert_success
}

@test "links in a git work tree: .gitignore is judged where an entry really is, and --changed-since follows a link to what changed" {
	d="$BATS_TEST_TMPDIR/repo"
	make_repo "$d"
	mkdir -p "$d/src" "$d/app" "$d/vendor"
	printf '%s\n' "$LOAD" >"$d/src/x.c"
	# A committed link that .gitignore matches is still followed, and what
	# lies beneath it is judged where it is: src/x.c is tracked.
	ln -s src "$d/aaa"
	printf 'void *v(void) { return dlopen("v", 0); }\n' >"$d/vendor/v.c"
	ln -s ../vendor/v.c "$d/app/v.c"
	ln -s /etc/passwd "$d/app/old.c"
	git -C "$d" add -A && git -C "$d" commit -qm links
	printf 'aaa\n' >"$d/.gitignore"
	run --separate-stderr ccgov scan "$d" --format json --fail-on never
	[ "$(echo "$output" | findings | tr '\n' ' ')" = "aaa/x.c:1:code-loading.dlopen app/v.c:1:code-loading.dlopen " ]
	[ "$(echo "$output" | jq -r '[.skipped[].path] | join(" ")')" = "app/old.c" ]
	# A change to the file a link leads to is reported at the link's path;
	# an unchanged link that leaves the tree is not this change's, a new one is.
	git -C "$d" add -A && git -C "$d" commit -qm ignore
	printf 'void *w(void) { return dlopen("w", 0); }\n' >"$d/vendor/v.c"
	ln -s /etc/shadow "$d/app/new.c"
	run --separate-stderr ccgov scan "$d" --changed-since HEAD --format json
	assert_failure 1
	[ "$(echo "$output" | findings)" = "app/v.c:1:code-loading.dlopen" ]
	[ "$(echo "$output" | jq -r '[.skipped[].path] | join(" ")')" = "app/new.c" ]
}
