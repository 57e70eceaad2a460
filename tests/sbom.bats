#!/usr/bin/env bats
# ccgov sbom: exact components, hashes and edges per ecosystem, schema
# validity (checked by the workplace's validator), byte-for-byte
# reproducibility, and bad lock files.

load helpers

setup() {
	F="$REPO_ROOT/testdata/sbom"
	W="$BATS_TEST_TMPDIR/w"
	mkdir -p "$W"
}

# sbom_of DIR FORMAT: the document, written to $W/out.json
sbom_of() {
	ccgov sbom "$1" --format "$2" --name fixture -o "$W/out.json"
}

@test "Cargo.lock: every crate with its checksum as SHA-256, the graph, and direct against transitive" {
	cp -r "$F/cargo" "$W/t"
	run sbom_of "$W/t" cyclonedx-json
	assert_success
	run jq -c '[.components[] | [.purl, (.hashes // [] | map(.alg + ":" + .content) | join(",")), (.properties[] | select(.name == "ccgov:relationship") | .value)]]' "$W/out.json"
	assert_output '[["pkg:cargo/aho-corasick@1.1.5","SHA-256:c982642fa9e8606056828ee9a8505737230110bb1099153c79efe865c59d12ba","transitive"],["pkg:cargo/grep-matcher@0.1.9","","direct"],["pkg:cargo/memchr@2.7.4","SHA-256:78ca9ab1a0babb1e7d5695e3530886289c18cf2f87ec19a1d46bcd3b8ce2b0b3","transitive"],["pkg:cargo/memchr@2.8.3","SHA-256:cf8baf1c55e62ffcace7a9f06f4bd9cd3f0c4beb022d3b367256b91b87513d98","direct"],["pkg:cargo/old-parser@0.3.0","","transitive"],["pkg:cargo/regex@1.13.1","SHA-256:f020237b6c8eed93db2e2cb53c00c60a8e1bc73da7d073199a1180401450218d","direct"]]'
	# "memchr 2.7.4" in a dependency list picks that version, not the other.
	run jq -c '[.dependencies[] | [.ref, (.dependsOn | join(" "))]]' "$W/out.json"
	assert_output '[["pkg:generic/fixture","pkg:cargo/grep-matcher@0.1.9"],["pkg:cargo/aho-corasick@1.1.5","pkg:cargo/memchr@2.8.3"],["pkg:cargo/grep-matcher@0.1.9","pkg:cargo/memchr@2.8.3 pkg:cargo/regex@1.13.1"],["pkg:cargo/memchr@2.7.4",""],["pkg:cargo/memchr@2.8.3",""],["pkg:cargo/old-parser@0.3.0","pkg:cargo/memchr@2.7.4"],["pkg:cargo/regex@1.13.1","pkg:cargo/aho-corasick@1.1.5 pkg:cargo/memchr@2.8.3 pkg:cargo/old-parser@0.3.0"]]'
	[ "$(jq -r '.components[] | select(.name == "old-parser") | .properties[] | select(.name == "ccgov:cargo:source") | .value' "$W/out.json")" = \
	  "git+https://github.com/example/old-parser?rev=4b1d2c3#4b1d2c3e5f60718293a4b5c6d7e8f9012a3b4c5d" ]
	run sbom_of "$W/t" spdx-json
	assert_success
	run jq -r '.relationships[] | "\(.spdxElementId) \(.relationshipType) \(.relatedSpdxElement)"' "$W/out.json"
	assert_line --regexp '^SPDXRef-DOCUMENT DESCRIBES SPDXRef-Package-fixture--[0-9a-f]{8}$'
	assert_line --regexp '^SPDXRef-Package-old-parser-0.3.0-[0-9a-f]{8} DEPENDS_ON SPDXRef-Package-memchr-2.7.4-[0-9a-f]{8}$'
	[ "${#lines[@]}" = 9 ]
	[ "$(jq -r '.packages[] | select(.name == "regex") | .checksums[0] | "\(.algorithm) \(.checksumValue)"' "$W/out.json")" = \
	  "SHA256 f020237b6c8eed93db2e2cb53c00c60a8e1bc73da7d073199a1180401450218d" ]
}

@test "package-lock.json v2 and v3: SRI hashes as hex, dev and optional scopes, nested versions, docs apart" {
	cp -r "$F/npm" "$W/t"
	run sbom_of "$W/t" cyclonedx-json
	assert_success
	run jq -c '[.components[] | [.purl, .scope, (.properties[] | select(.name == "ccgov:relationship") | .value)]]' "$W/out.json"
	assert_output '[["pkg:npm/%40isaacs/cliui@8.0.2","required","direct"],["pkg:npm/ansi-regex@5.0.1","excluded","transitive"],["pkg:npm/ansi-regex@6.2.2","required","transitive"],["pkg:npm/escape-string-regexp@4.0.0","optional","direct"],["pkg:npm/has-flag@4.0.0","required","transitive"],["pkg:npm/strip-ansi@6.0.1","excluded","direct"],["pkg:npm/strip-ansi@7.1.2","required","transitive"],["pkg:npm/supports-color@7.2.0","required","direct"]]'
	# The hex is the lock's base64 integrity, decoded independently here.
	want=$(jq -r '.packages["node_modules/has-flag"].integrity | sub("^sha512-"; "")' "$F/npm/package-lock.json" | base64 -d | od -An -tx1 | tr -d ' \n')
	[ "$(jq -r '.components[] | select(.name == "has-flag") | .hashes[] | select(.alg == "SHA-512") | .content' "$W/out.json")" = "$want" ]
	[ ${#want} = 128 ]
	# Node resolution: cliui's strip-ansi is its own nested 7.1.2, whose ansi-regex is 6.2.2.
	run jq -c '[.dependencies[] | select(.ref | test("cliui|strip-ansi@7")) | .dependsOn]' "$W/out.json"
	assert_output '[["pkg:npm/strip-ansi@7.1.2"],["pkg:npm/ansi-regex@6.2.2"]]'
	[ "$(jq -r '.components[] | select(.name == "@isaacs/cliui") | .licenses[0].expression' "$W/out.json")" = ISC ]
	# The docs/ lock file's has-flag is also the product's: it stays in the product.
	[ "$(jq -r '.components[] | select(.name == "has-flag") | [.properties[] | select(.name == "ccgov:scope")] | length' "$W/out.json")" = 0 ]
}

@test "a lock file under docs/, test/ or fuzz/ is reported apart, scoped as such" {
	mkdir -p "$W/t/docs"
	cp "$F/npm/docs/package-lock.json" "$W/t/docs/"
	run sbom_of "$W/t" cyclonedx-json
	assert_success
	run jq -c '[.components[] | [.purl, .scope, (.properties[] | select(.name == "ccgov:scope") | .value)]]' "$W/out.json"
	assert_output '[["pkg:npm/has-flag@4.0.0","excluded","docs"]]'
	[ "$(jq -c '.dependencies[0].dependsOn' "$W/out.json")" = '[]' ]
	run sbom_of "$W/t" spdx-json
	run jq -r '.relationships[1] | .relationshipType' "$W/out.json"
	assert_output DEV_DEPENDENCY_OF
}

@test "a go.sum that is a symbolic link out of the tree is not followed: warned, its hashes left out" {
	mkdir -p "$W/outside"
	cp -r "$F/go" "$W/t"
	mv "$W/t/go.sum" "$W/outside/go.sum"
	ln -s ../outside/go.sum "$W/t/go.sum"
	run --separate-stderr ccgov sbom "$W/t" --format cyclonedx-json --name fixture -o "$W/out.json"
	assert_success
	assert_equal "$stderr" "ccgov: warning: go.sum: a symbolic link loop, or a link where none may be: not read"
	[ "$(jq '[.components[].properties[]? | select(.name == "ccgov:go:h1")] | length' "$W/out.json")" = 0 ]
}

@test "go.mod and go.sum: h1: is a property, never a SHA-256; replacements and indirect modules" {
	cp -r "$F/go" "$W/t"
	run sbom_of "$W/t" cyclonedx-json
	assert_success
	[ "$(jq '[.components[].hashes // empty] | length' "$W/out.json")" = 0 ]
	run jq -c '[.components[] | [.purl, ([.properties[] | select(.name | test("h1|replaces|relationship")) | .value] | join(" "))]]' "$W/out.json"
	assert_output '[["pkg:golang/github.com/AlecAivazis/survey/v2@v2.3.7","h1:6I/u8FvytdGsgonrYsVn2t8t4QiRnh6QSTqkkhIiSjQ= direct"],["pkg:golang/github.com/cli/go-internal@v0.0.0-20241024130215-fa3c22e38b9b","h1:ogNz+pm9aI2Zn58V+WTMzPViN2fRVq/h2H9gwdvM09k= github.com/rogpeppe/go-internal@v1.13.1 direct"],["pkg:golang/github.com/docker/cli@v27.1.1%2Bincompatible","h1:goaZxOqs4QKxznZjjBWKONQci/MywhtRv2oNn0GkeZE= transitive"],["pkg:golang/golang.org/x/term@v0.25.0","h1:WtHI/ltw4NvSUig5KARz9h521QvRC8RmF/cuYqifU24= direct"]]'
	run sbom_of "$W/t" spdx-json
	[ "$(jq '[.packages[].checksums // empty] | length' "$W/out.json")" = 0 ]
	[ "$(jq -r '.packages[] | select(.name == "golang.org/x/term") | .annotations[] | select(.comment | startswith("ccgov:go:h1")) | .comment' "$W/out.json")" = \
	  "ccgov:go:h1=h1:WtHI/ltw4NvSUig5KARz9h521QvRC8RmF/cuYqifU24=" ]
}

@test "both formats validate against the schemas, for every fixture and for ccgov's own repository" {
	need_shared
	for t in cargo npm go python cpp actions vendored; do
		for f in cyclonedx-json spdx-json; do
			ccgov sbom "$F/$t" --format "$f" -o "$W/$t.$f.json"
		done
		run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/$t.cyclonedx-json.json"
		assert_success
		run "$SHARED/tools/validate-schema" --schema spdx-2.3 "$W/$t.spdx-json.json"
		assert_success
	done
	ccgov sbom "$REPO_ROOT" --format cyclonedx-json -o "$W/self.cdx.json"
	ccgov sbom "$REPO_ROOT" --format spdx-json -o "$W/self.spdx.json"
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/self.cdx.json"
	assert_success
	run "$SHARED/tools/validate-schema" --schema spdx-2.3 "$W/self.spdx.json"
	assert_success
	[ "$(jq '[.components[] | select(.purl | startswith("pkg:npm/tree-sitter-"))] | length' "$W/self.cdx.json")" -ge 5 ]
}

@test "two clones at different paths give identical bytes; the serial number follows the content" {
	make_repo "$W/src"
	cp -r "$F/cargo/Cargo.lock" "$F/go/go.mod" "$F/go/go.sum" "$W/src/"
	git -C "$W/src" add -A && git -C "$W/src" commit -q -m deps && git -C "$W/src" tag v1.4.0
	git clone -q "$W/src" "$W/a/one"
	git clone -q "$W/src" "$W/b/c/two"
	for f in cyclonedx-json spdx-json; do
		(cd "$W/a" && ccgov sbom one --format "$f" -o "$W/one.$f")
		(cd / && ccgov sbom "$W/b/c/two" --format "$f" -o "$W/two.$f")
		cmp "$W/one.$f" "$W/two.$f"
	done
	run jq -r '.metadata | "\(.timestamp) \(.component.name) \(.component.version) \(.component.purl)"' "$W/one.cyclonedx-json"
	# The clones' origin is a folder on this machine: no name from it; go.mod's module path names the project.
	assert_output "2023-11-14T22:13:20Z github.com/cli/cli/v2 v1.4.0 pkg:generic/github.com/cli/cli/v2@v1.4.0"
	[ "$(jq '[.metadata.component.properties[] | select(.name == "ccgov:vcs:url")] | length' "$W/one.cyclonedx-json")" = 0 ]
	serial=$(jq -r .serialNumber "$W/one.cyclonedx-json")
	[[ $serial =~ ^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$ ]]
	SOURCE_DATE_EPOCH=1800000000 ccgov sbom "$W/a/one" --format cyclonedx-json -o "$W/later.json"
	[ "$(jq -r .metadata.timestamp "$W/later.json")" = 2027-01-15T08:00:00Z ]
	[ "$(jq -r .serialNumber "$W/later.json")" != "$serial" ]
	! grep -q "$W" "$W/one.cyclonedx-json" "$W/one.spdx-json"
}

@test "malformed lock files are errors naming the file and the place, and write nothing" {
	mkdir -p "$W/t"
	printf '[[package]]\nname = "x"\nversion = "1.0\n' >"$W/t/Cargo.lock"
	run ccgov sbom "$W/t" --format spdx-json -o "$W/out.json"
	assert_failure 2
	assert_output "ccgov: error: Cargo.lock:3:11: newline in a single-line string"
	[ ! -e "$W/out.json" ]
	rm "$W/t/Cargo.lock"
	printf '{"lockfileVersion": 1, "dependencies": {}}' >"$W/t/package-lock.json"
	run ccgov sbom "$W/t" --format spdx-json
	assert_failure 2
	assert_output "ccgov: error: package-lock.json: lockfileVersion 1 is not supported (2 and 3 are; npm 7 and later write them)"
	printf '{"lockfileVersion": 3, "packages": {"": {}},}' >"$W/t/package-lock.json"
	run ccgov sbom "$W/t" --format spdx-json
	assert_failure 2
	assert_output --partial "ccgov: error: package-lock.json:1:"
	rm "$W/t/package-lock.json"
	printf 'module x\n\nrequire (\n\tgithub.com/a/b\n)\n' >"$W/t/go.mod"
	run ccgov sbom "$W/t" --format spdx-json
	assert_failure 2
	assert_output "ccgov: error: go.mod:4: require needs a module and a version"
	# A broken fixture under tests/ is skipped with a warning: it is reported apart anyway.
	mkdir -p "$W/t/tests/fixtures"
	mv "$W/t/go.mod" "$W/t/tests/fixtures/go.mod"
	run --separate-stderr ccgov sbom "$W/t" --format spdx-json -o "$W/out.json"
	assert_success
	assert_equal "$stderr" "ccgov: warning: tests/fixtures/go.mod:4: require needs a module and a version (skipped)"
	[ -s "$W/out.json" ]
}

# refused_lock NAME CONTENT MESSAGE: $W/t holding only lock file NAME with
# CONTENT (printf format) is exit 2 with exactly MESSAGE, and nothing is written.
refused_lock() {
	rm -rf "$W/t" "$W/out.json"
	mkdir -p "$W/t"
	printf "$2" >"$W/t/$1"
	run ccgov sbom "$W/t" --format spdx-json -o "$W/out.json"
	assert_failure 2
	assert_output "ccgov: error: $3"
	[ ! -e "$W/out.json" ]
}

@test "numbers in lock files are kept exactly or refused, naming the file, the place, the key and the value" {
	refused_lock Cargo.lock 'version = 9223372036854775808\n[[package]]\nname = "app"\nversion = "0.1.0"\n' \
		"Cargo.lock:1:11: version: integer 9223372036854775808 does not fit in 64 bits"
	refused_lock Cargo.lock '[[package]]\nname = "app"\nversion = "0.1.0"\n[metadata]\nchecks = [1, 0x8000_0000_0000_0000]\n' \
		"Cargo.lock:5:14: checks: integer 0x8000_0000_0000_0000 does not fit in 64 bits"
	refused_lock Cargo.lock '[[package]]\nname = "app"\nversion = "0.1.0"\n[metadata]\nratio = -1e-400\n' \
		"Cargo.lock:5:9: ratio: number -1e-400 is too small for a 64-bit float: it would read as 0"
	refused_lock package-lock.json '{"lockfileVersion": 3.5, "packages": {}}' \
		"package-lock.json: lockfileVersion: expected an integer, not 3.5"
	refused_lock package-lock.json '{"lockfileVersion": 9007199254740995, "packages": {}}' \
		"package-lock.json: lockfileVersion 9007199254740995 is not supported (2 and 3 are; npm 7 and later write them)"
}

@test "what a lock file leaves unclear is a warning naming it; the document is still written" {
	mkdir -p "$W/t"
	cat >"$W/t/Cargo.lock" <<-'TOML'
	version = 3
	[[package]]
	name = "app"
	version = "0.1.0"
	dependencies = ["missing"]
	[[package]]
	name = "bad-sum"
	version = "1.0.0"
	source = "registry+https://github.com/rust-lang/crates.io-index"
	checksum = "not-hex"
	TOML
	run --separate-stderr ccgov sbom "$W/t" --format cyclonedx-json --name fixture
	assert_success
	[ "$(echo "$output" | jq '.components | length')" = 2 ]
	[ "$stderr" = "ccgov: warning: Cargo.lock: app 0.1.0: dependency 'missing' is not a package of the lock file
ccgov: warning: Cargo.lock: bad-sum 1.0.0: checksum is not 64 hex digits; left out" ]
}

@test "a repository without a commit yet is described as without VCS" {
	mkdir -p "$W/new"
	git -C "$W/new" init -q -b main .
	cp "$F/cargo/Cargo.lock" "$W/new/"
	run --separate-stderr ccgov sbom "$W/new" --format cyclonedx-json --name fresh
	assert_success
	[ "$(echo "$output" | jq -r '.metadata | "\(.timestamp) \(.component.purl)"')" = "1970-01-01T00:00:00Z pkg:generic/fresh" ]
	[ "$(echo "$output" | jq '.components | length')" = 6 ]
}

@test "usage: --format is required and checked" {
	run ccgov sbom .
	assert_failure 2
	assert_output "ccgov: error: sbom: --format is required: spdx-json or cyclonedx-json"
	run ccgov sbom . --format cyclonedx
	assert_failure 2
	assert_line --index 0 "ccgov: error: sbom: --format: 'cyclonedx' is not spdx-json or cyclonedx-json"
	run ccgov sbom "$W/missing" --format spdx-json
	assert_failure 2
}

@test "requirements.txt and poetry.lock: pinned versions, file hashes as properties, unpinned warned" {
	cp -r "$F/python" "$W/t"
	run --separate-stderr ccgov sbom "$W/t" --format cyclonedx-json --name fixture
	assert_success
	[ "$(echo "$output" | jq -c '[.components[] | [.purl, ([.properties[] | select(.name == "ccgov:pypi:file-hash") | .value] | length)]]')" = \
	  '[["pkg:pypi/certifi@2024.8.30",2],["pkg:pypi/charset-normalizer",0],["pkg:pypi/requests@2.32.3",0]]' ]
	# Requests[socks] is PEP 503 normalized; certifi is a dependency of requests in poetry.lock.
	[ "$(echo "$output" | jq -c '.dependencies[] | select(.ref == "pkg:pypi/requests@2.32.3") | .dependsOn')" = '["pkg:pypi/certifi@2024.8.30"]' ]
	[ "$(echo "$output" | jq '[.components[].hashes // empty] | length')" = 0 ]
	[ "$stderr" = "ccgov: warning: requirements.txt:6: charset-normalizer is not pinned with ==; listed without a version
ccgov: warning: requirements.txt:9: editable requirement left out (a folder or URL, not a release)" ]
}

@test "conan.lock and vcpkg.json: Conan references and vcpkg names, build tools apart" {
	cp -r "$F/cpp" "$W/t"
	run --separate-stderr ccgov sbom "$W/t" --format cyclonedx-json --name fixture
	assert_success
	[ "$(echo "$output" | jq -c '[.components[] | [.purl, .scope]]')" = \
	  '[["pkg:conan/cmake@3.28.1","excluded"],["pkg:conan/openssl@3.2.1","required"],["pkg:conan/zlib@1.3.1","required"],["pkg:generic/vcpkg/fmt@10.1.1","required"],["pkg:generic/vcpkg/protobuf","excluded"],["pkg:generic/vcpkg/spdlog","required"]]' ]
	[ "$(echo "$output" | jq -r '.components[] | select(.name == "zlib") | .properties[] | select(.name == "ccgov:conan:reference") | .value')" = \
	  "zlib/1.3.1#f52e03ae3d251dec704634230cd806a2%1708593606.497" ]
	assert_equal "$stderr" "ccgov: warning: vcpkg.json: protobuf: no exact version (it comes from the vcpkg baseline); listed without one
ccgov: warning: vcpkg.json: spdlog: no exact version (it comes from the vcpkg baseline); listed without one"
}

@test "git submodules: path, URL and pinned commit, as pkg:github or with a vcs_url; a test's submodule apart" {
	make_repo "$W/lib"
	make_repo "$W/app"
	lib_commit=$(git -C "$W/lib" rev-parse HEAD)
	git -C "$W/app" -c protocol.file.allow=always submodule add -q "$W/lib" third-party/lib
	git -C "$W/app" -c protocol.file.allow=always submodule add -q "$W/lib" tests/fixture
	# A GitHub URL in .gitmodules, with the same pinned commit.
	git -C "$W/app" config -f .gitmodules submodule.third-party/lib.url https://github.com/Example/Lib.git
	git -C "$W/app" add .gitmodules && git -C "$W/app" commit -q -m subs
	run --separate-stderr ccgov sbom "$W/app" --format cyclonedx-json
	assert_success
	[ "$(echo "$output" | jq -c '[.components[] | [.purl, .version, .scope, ([.properties[] | select(.name == "ccgov:submodule:path") | .value][0])]]')" = \
	  "[[\"pkg:generic/lib@$lib_commit?vcs_url=git%2B$(printf '%s' "$W/lib" | jq -sRr @uri | sed 's/%2F/%2F/g')%40$lib_commit\",\"$lib_commit\",\"excluded\",\"tests/fixture\"],[\"pkg:github/example/lib@$lib_commit\",\"$lib_commit\",\"required\",\"third-party/lib\"]]" ]
	[ "$(echo "$output" | jq -c '.dependencies[0].dependsOn')" = "[\"pkg:github/example/lib@$lib_commit\"]" ]
	need_shared
	echo "$output" >"$W/s.json"
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/s.json"
	assert_success
}

@test "a work tree is described as its HEAD commit: not the index's submodule pin; a committed lock file stays though .gitignore names it" {
	make_repo "$W/lib"
	make_repo "$W/app"
	git -C "$W/app" -c protocol.file.allow=always submodule add -q "$W/lib" vendor/lib
	git -C "$W/app" commit -q -m sub
	pinned=$(git -C "$W/app" rev-parse HEAD:vendor/lib)
	printf 'requirements*.txt\n' >"$W/app/.gitignore"
	echo 'committed==1.0' >"$W/app/requirements.txt"
	git -C "$W/app" add .gitignore
	git -C "$W/app" add -f requirements.txt
	git -C "$W/app" commit -q -m "an ignored name, committed"
	echo 'ignored==1.0' >"$W/app/requirements-dev.txt"
	# Staged, not committed: another pin.
	git -C "$W/app/vendor/lib" commit -q --allow-empty -m later
	git -C "$W/app" add vendor/lib
	[ "$(git -C "$W/app" rev-parse :vendor/lib)" != "$pinned" ]
	run --separate-stderr ccgov sbom "$W/app" --format cyclonedx-json --name app
	assert_success
	[ "$(echo "$output" | jq -c '[.components[] | [.name, .version]]')" = "[[\"lib\",\"$pinned\"],[\"committed\",\"1.0\"]]" ]
}

@test "GitHub Actions workflows: each uses: step is a CI component, sub-paths as purl subpaths" {
	cp -r "$F/actions" "$W/t"
	run --separate-stderr ccgov sbom "$W/t" --format cyclonedx-json --name fixture
	assert_success
	[ "$(echo "$output" | jq -c '[.components[] | [.purl, .scope, (.properties[] | select(.name == "ccgov:scope") | .value)]]')" = \
	  '[["pkg:docker/alpine@3.20","excluded","ci"],["pkg:github/actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683","excluded","ci"],["pkg:github/github/codeql-action@v3#analyze","excluded","ci"],["pkg:github/octoguide/bot@v1","excluded","ci"]]' ]
	assert_equal "$stderr" "ccgov: warning: .github/workflows/ci.yml:13: uses: 'not-an-action' is not OWNER/REPO@REF; left out"
	run ccgov sbom "$W/t" --format spdx-json --name fixture
	[ "$(echo "$output" | jq -r '[.relationships[] | select(.relationshipType == "DEV_TOOL_OF")] | length')" = 4 ]
}

@test "sbom diff: added, removed and changed components between two SBOMs of either format" {
	cp -r "$F/npm" "$W/old"
	cp -r "$F/npm" "$W/new"
	rm -r "$W/old/docs" "$W/new/docs"
	# The new release: supports-color moves to 7.2.1, escape-string-regexp leaves, left-pad arrives.
	jq '.packages["node_modules/supports-color"].version = "7.2.1"
	  | del(.packages["node_modules/escape-string-regexp"])
	  | .packages["node_modules/left-pad"] = {"version": "1.3.0"}' "$F/npm/package-lock.json" >"$W/new/package-lock.json"
	ccgov sbom "$W/old" --format cyclonedx-json --name fixture -o "$W/old.cdx.json" 2>/dev/null
	ccgov sbom "$W/new" --format spdx-json --name fixture -o "$W/new.spdx.json" 2>/dev/null
	run --separate-stderr ccgov sbom diff "$W/old.cdx.json" "$W/new.spdx.json"
	assert_failure 1
	assert_output "added    pkg:npm/left-pad 1.3.0
removed  pkg:npm/escape-string-regexp 4.0.0
changed  pkg:npm/supports-color 7.2.0 -> 7.2.1"
	assert_equal "$stderr" "ccgov: sbom diff: 1 added, 1 removed, 1 changed in version"
	run --separate-stderr ccgov sbom diff "$W/old.cdx.json" "$W/new.spdx.json" --format json
	assert_failure 1
	[ "$(echo "$output" | jq -c '.changed')" = '[{"from":["7.2.0"],"id":"pkg:npm/supports-color","name":"supports-color","to":["7.2.1"]}]' ]
	# The same SBOM in the other format lists the same components: no difference.
	ccgov sbom "$W/old" --format spdx-json --name fixture -o "$W/old.spdx.json" 2>/dev/null
	run --separate-stderr ccgov sbom diff "$W/old.cdx.json" "$W/old.spdx.json"
	assert_success
	assert_output ""
	echo '{"hello": 1}' >"$W/other.json"
	run ccgov sbom diff "$W/old.cdx.json" "$W/other.json"
	assert_failure 2
	assert_output "ccgov: error: $W/other.json: neither CycloneDX (bomFormat) nor SPDX (spdxVersion) JSON"
	run ccgov sbom diff "$W/old.cdx.json"
	assert_failure 2
}

@test "--image: the image is the subject; files with SHA-256, ELF build-id, libraries and compiler as readelf reads them" {
	make_sample "$W/src"
	ccgov build "$W/src" -o "$W/out" -q >/dev/null
	run --separate-stderr ccgov sbom "$W/src" --image "$W/out/image" --format cyclonedx-json
	assert_success
	echo "$output" >"$W/img.json"
	digest=$(cat "$W/out/image.digest")
	[ "$(jq -r '.metadata.component | "\(.type) \(.version) \(.purl)"' "$W/img.json")" = \
	  "container $digest pkg:oci/sample@${digest/:/%3A}" ]
	# Independent readers: umoci unpacks the image, sha256sum and readelf read the file.
	umoci --log error unpack --rootless --image "$W/out/image:1.0" "$W/bundle" >/dev/null
	f="$W/bundle/rootfs/usr/local/bin/hello"
	hello='.components[] | select(.name == "/usr/local/bin/hello")'
	[ "$(jq -r "$hello | .hashes[0].content" "$W/img.json")" = "$(sha256sum "$f" | cut -d' ' -f1)" ]
	[ "$(jq -r "$hello | .properties[] | select(.name == \"ccgov:elf:build-id\") | .value" "$W/img.json")" = \
	  "$(readelf -n "$f" | awk '/Build ID:/ { print $3 }')" ]
	[ "$(jq -r "$hello | [.properties[] | select(.name == \"ccgov:elf:needed\") | .value] | join(\" \")" "$W/img.json")" = \
	  "$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | paste -sd ' ')" ]
	compiler=$(readelf -p .comment "$f" | sed -n 's/^ *\[ *[0-9a-f]*\] *//p' | head -1)
	[ "$(jq -r "$hello | .properties[] | select(.name == \"ccgov:elf:compiler\") | .value" "$W/img.json")" = "$compiler" ]
	# The toolchain is in the SBOM: the compiler that .comment names.
	[ "$(jq -r '.components[] | select(.scope == "excluded" and .name == "gcc") | .version' "$W/img.json")" = "${compiler##* }" ]
	ccgov sbom "$W/src" --image "$W/out/image" --format spdx-json -o "$W/img.spdx.json"
	[ "$(jq -r '[.relationships[] | select(.relationshipType == "CONTAINS" or .relationshipType == "BUILD_TOOL_OF")] | length' "$W/img.spdx.json")" = 2 ]
	need_shared
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/img.json"
	assert_success
	run "$SHARED/tools/validate-schema" --schema spdx-2.3 "$W/img.spdx.json"
	assert_success
}

@test "--image: the dpkg database's installed packages as pkg:deb, a broken stanza warned with its line" {
	mkdir -p "$W/src"
	dpkg-query -s libc6 zlib1g >"$W/src/status"
	printf '\nPackage: half-removed\nStatus: deinstall ok config-files\nVersion: 1.0\n\nPackage: broken\nStatus: install ok installed\n' >>"$W/src/status"
	cp /etc/os-release "$W/src/os-release"
	cat >"$W/src/ccgov.json" <<-'JSON'
	{ "name": "dpkg-test", "tag": "1", "build": "true",
	  "outputs": [ { "path": "status", "dest": "/var/lib/dpkg/status" },
	               { "path": "os-release", "dest": "/etc/os-release" } ] }
	JSON
	git -C "$W/src" init -q -b main . && git -C "$W/src" add -A && git -C "$W/src" commit -q -m dpkg
	ccgov build "$W/src" -o "$W/out" -q >/dev/null
	run --separate-stderr ccgov sbom "$W/src" --image "$W/out/image" --format cyclonedx-json
	assert_success
	. /etc/os-release
	arch=$(dpkg --print-architecture)
	# Versions percent-encoded by jq's @uri, an encoder independent of ccgov's ("+" and the epoch's ":").
	want=$(dpkg-query -W -f='${Package} ${Version} ${Architecture}\n' libc6 zlib1g | while read -r p v a; do
		echo "pkg:deb/$ID/$p@$(jq -rn --arg v "$v" '$v | @uri')?arch=$a&distro=$ID-$VERSION_ID"; done | sort)
	[ "$(echo "$output" | jq -r '.components[] | select(.purl // "" | startswith("pkg:deb/")) | .purl' | sort)" = "$want" ]
	line=$(grep -n '^Package: broken' "$W/src/status" | cut -d: -f1)
	assert_equal "$stderr" "ccgov: warning: /var/lib/dpkg/status:$line: an installed package without Version; left out"
	[ -n "$arch" ]
}

@test "ccgov build writes both SBOMs into the bundle, about the image it built" {
	make_sample "$W/src"
	run --separate-stderr ccgov build "$W/src" -o "$W/out" -q --format json
	assert_success
	digest=$(cat "$W/out/image.digest")
	[ "$(echo "$output" | jq -r .sbom.cyclonedx)" = "$W/out/sbom.cdx.json" ]
	[ "$(jq -r .metadata.component.version "$W/out/sbom.cdx.json")" = "$digest" ]
	[ "$(jq -r '.packages[0].versionInfo' "$W/out/sbom.spdx.json")" = "$digest" ]
	[ "$(jq -r '[.components[] | select(.type == "file")] | length' "$W/out/sbom.cdx.json")" = 1 ]
	# The same commit built again from another clone gives the same SBOM bytes.
	git clone -q "$W/src" "$W/other/place"
	ccgov build "$W/other/place" -o "$W/out2" -q >/dev/null
	cmp "$W/out/sbom.cdx.json" "$W/out2/sbom.cdx.json"
	cmp "$W/out/sbom.spdx.json" "$W/out2/sbom.spdx.json"
	need_shared
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/out/sbom.cdx.json"
	assert_success
	run "$SHARED/tools/validate-schema" --schema spdx-2.3 "$W/out/sbom.spdx.json"
	assert_success
}

@test "vendored C libraries are recognised by a header that states its own version, and only then" {
	cp -r "$F/vendored" "$W/t"
	run --separate-stderr ccgov sbom "$W/t" --format cyclonedx-json --name fixture
	assert_success
	# src/version.h is the project's own, src/sqlite3.h builds its version from other macros: neither is listed.
	[ "$(echo "$output" | jq -c '[.components[] | [.purl, .scope, (.properties[] | select(.name == "ccgov:vendored:path") | .value)]]')" = \
	  '[["pkg:generic/lz4@1.10.0","required","third_party/lz4/lib"],["pkg:generic/zlib@1.3.1","required","third_party/zlib"]]' ]
	[ "$(echo "$output" | jq -c '.dependencies[0].dependsOn')" = '["pkg:generic/lz4@1.10.0","pkg:generic/zlib@1.3.1"]' ]
}

@test "--image: a Go program's toolchain and modules, as go version -m reads them" {
	command -v go >/dev/null || skip "no Go toolchain (make deps installs golang-go)"
	mkdir -p "$W/go/dep" "$W/src"
	printf 'package dep\n\nfunc Hello() string { return "hello" }\n' >"$W/go/dep/dep.go"
	printf 'module example.org/dep\n\ngo 1.19\n' >"$W/go/dep/go.mod"
	printf 'package main\n\nimport (\n\t"fmt"\n\n\t"example.org/dep"\n)\n\nfunc main() { fmt.Println(dep.Hello()) }\n' >"$W/go/main.go"
	printf 'module example.org/hello\n\ngo 1.19\n\nrequire example.org/dep v1.0.0\n\nreplace example.org/dep => ./dep\n' >"$W/go/go.mod"
	(cd "$W/go" && GOCACHE="$W/gocache" GOPATH="$W/gopath" GOPROXY=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -o "$W/src/hello" .)
	printf '{ "name": "gotest", "tag": "1", "build": "true", "outputs": [ { "path": "hello", "dest": "/usr/bin/hello" } ] }' >"$W/src/ccgov.json"
	git -C "$W/src" init -q -b main . && git -C "$W/src" add -A && git -C "$W/src" commit -q -m go
	ccgov build "$W/src" -o "$W/out" -q >/dev/null
	run --separate-stderr ccgov sbom "$W/src" --image "$W/out/image" --format cyclonedx-json
	assert_success
	echo "$output" >"$W/go.json"
	m=$(go version -m "$W/src/hello")
	[ "$(jq -r '.components[] | select(.name == "stdlib") | .version' "$W/go.json")" = "$(echo "$m" | head -1 | awk '{ print $2 }')" ]
	[ "$(jq -r '.components[] | select(.name == "/usr/bin/hello") | .properties[] | select(.name == "ccgov:go:main") | .value' "$W/go.json")" = \
	  "$(echo "$m" | awk '$1 == "path" { print $2 }')" ]
	[ "$(jq -r '.components[] | select(.purl // "" | startswith("pkg:golang/example.org")) | "\(.name) \(.version) \(.properties[] | select(.name == "ccgov:go:replaced-by-folder") | .value)"' "$W/go.json")" = \
	  "$(echo "$m" | awk '$1 == "dep" { d = $2 " " $3 } $1 == "=>" { print d, $2 }')" ]
}

@test "a cataloger value that is not text an SBOM can hold is warned with file:line and left out; the SBOM is written" {
	mkdir -p "$W/t/vendor/zlib" "$W/t/.github/workflows"
	printf '#define ZLIB_VERSION "1\xa5.3.1"\n' >"$W/t/vendor/zlib/zlib.h"
	printf 'jobs:\n  a:\n    steps:\n      - uses: actions/checkout@v4\x01\n      - uses: actions/setup-go@v5\n' \
		>"$W/t/.github/workflows/ci.yml"
	run --separate-stderr sbom_of "$W/t" cyclonedx-json
	assert_success
	assert_equal "$stderr" "ccgov: warning: .github/workflows/ci.yml:4: uses: 'actions/checkout@v4\\x01' is not text an SBOM can hold (UTF-8 without control characters, at most 1024 bytes); left out
ccgov: warning: vendor/zlib/zlib.h:1: version '1\\xa5.3.1' is not text an SBOM can hold (UTF-8 without control characters, at most 1024 bytes); left out"
	run jq -r '[.components[].purl] | join(" ")' "$W/out.json"
	assert_output "pkg:github/actions/setup-go@v5"
}

@test "every cataloger checks what it reads: a value that is not text is warned at its file and line or entry, and left out alone" {
	mkdir -p "$W/t"
	printf '[[package]]\nname = "a\\u0001b"\nversion = "1.0.0"\n\n[[package]]\nname = "ok"\nversion = "2.0.0"\ndependencies = ["a\\u0001b"]\n' >"$W/t/Cargo.lock"
	printf '{"requires":["zlib/1.3\\u0001", "ok/2#\\u202e"]}' >"$W/t/conan.lock"
	printf 'module x\n\nrequire (\n\tgithub.com/a/b v1.0.0\x0b\n\tgithub.com/c/d v2.0.0\n)\n\nreplace github.com/c/d => github.com/e/\xe2\x80\xaef v1.0.0\n' >"$W/t/go.mod"
	printf '{"name":"x","lockfileVersion":3,"packages":{"node_modules/a\\u0001b":{"version":"1.0.0"},"node_modules/ok":{"version":"2.0.0","license":"\\u202e"}}}' >"$W/t/package-lock.json"
	printf '[[package]]\nname = "a\\u0001b"\nversion = "1"\n\n[[package]]\nname = "ok"\nversion = "2"\n[[package.files]]\nfile = "x"\nhash = "sha256:\\u0007"\n' >"$W/t/poetry.lock"
	printf 'foo==1.0\x01\nbar==2.0 --hash=sha256:ab\x02cd --hash=sha256:00ff\n' >"$W/t/requirements.txt"
	printf '{"dependencies":["a\\u0001b", "ok", "zlib"],"overrides":[{"name":"ok","version":"1\\u2028"}]}' >"$W/t/vcpkg.json"
	run --separate-stderr sbom_of "$W/t" cyclonedx-json
	assert_success
	held="is not text an SBOM can hold (UTF-8 without control characters, at most 1024 bytes); left out"
	assert_equal "$stderr" "ccgov: warning: Cargo.lock: [[package]] 1: name 'a\\x01b' $held
ccgov: warning: Cargo.lock: ok 2.0.0: dependency 'a\\x01b' is not a package of the lock file
ccgov: warning: conan.lock: Conan reference 'ok/2#\\xe2\\x80\\xae' $held
ccgov: warning: conan.lock: Conan reference 'zlib/1.3\\x01' $held
ccgov: warning: go.mod:4: version 'v1.0.0\\x0b' $held
ccgov: warning: go.mod:8: replacement 'github.com/e/\\xe2\\x80\\xaef' $held
ccgov: warning: package-lock.json: packages[\"node_modules/a\\x01b\"]: name 'a\\x01b' $held
ccgov: warning: package-lock.json: packages[\"node_modules/ok\"]: license '\\xe2\\x80\\xae' $held
ccgov: warning: poetry.lock: [[package]] 1: name 'a\\x01b' $held
ccgov: warning: poetry.lock: [[package]] 2: hash 'sha256:\\x07' $held
ccgov: warning: requirements.txt:1: version '1.0\\x01' $held
ccgov: warning: requirements.txt:2: --hash 'sha256:ab\\x02cd' $held
ccgov: warning: vcpkg.json: dependency 'a\\x01b' $held
ccgov: warning: vcpkg.json: version '1\\xe2\\x80\\xa8' $held
ccgov: warning: vcpkg.json: zlib: no exact version (it comes from the vcpkg baseline); listed without one"
	run jq -c '[.components[] | [.purl, ([.properties[] | select(.name | endswith("file-hash")) | .value] | join(","))]]' "$W/out.json"
	assert_output '[["pkg:cargo/ok@2.0.0",""],["pkg:generic/vcpkg/zlib",""],["pkg:npm/ok@2.0.0",""],["pkg:pypi/bar@2.0","sha256:00ff"],["pkg:pypi/ok@2",""]]'
	need_shared
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/out.json"
	assert_success
}

@test "a lock file's entry whose name holds a control character is left out where it is read, with its edges, warned" {
	mkdir -p "$W/t"
	printf '{"name":"x","lockfileVersion":3,"packages":{"":{"name":"x","dependencies":{"a\\u0001b":"1","ok":"2"}},"node_modules/a\\u0001b":{"version":"1.0.0"},"node_modules/ok":{"version":"2.0.0"}}}' \
		>"$W/t/package-lock.json"
	run --separate-stderr sbom_of "$W/t" cyclonedx-json
	assert_success
	assert_equal "$stderr" "ccgov: warning: package-lock.json: packages[\"node_modules/a\\x01b\"]: name 'a\\x01b' is not text an SBOM can hold (UTF-8 without control characters, at most 1024 bytes); left out"
	run jq -c '[.components[].purl], [.dependencies[] | .ref, .dependsOn]' "$W/out.json"
	assert_output '["pkg:npm/ok@2.0.0"]
["pkg:generic/fixture",["pkg:npm/ok@2.0.0"],"pkg:npm/ok@2.0.0",[]]'
	sbom_of "$W/t" spdx-json 2>/dev/null
	[ "$(jq -r '[.packages[].name] | join(" ")' "$W/out.json")" = "fixture ok" ]
}

@test "the root's name comes from content: Cargo.toml before package.json before go.mod; the folder only when nothing names it" {
	make_repo "$W/src"
	printf '{ "name": "@bank/web" }\n' >"$W/src/package.json"
	printf 'module example.org/app\n' >"$W/src/go.mod"
	git -C "$W/src" add -A && git -C "$W/src" commit -q -m manifests
	name() { ccgov sbom "$1" --format cyclonedx-json | jq -r .metadata.component.name; }
	[ "$(name "$W/src")" = "@bank/web" ]
	printf '[package]\nname = "engine"\nversion = "0.1.0"\n' >"$W/src/Cargo.toml"
	[ "$(name "$W/src")" = engine ]
	rm "$W/src/Cargo.toml" "$W/src/package.json" "$W/src/go.mod"
	[ "$(name "$W/src")" = src ]
}
