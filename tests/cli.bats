#!/usr/bin/env bats
# The ccgov command itself: the command table, help, version, usage errors.

load helpers

# The commands the sources define: each cmd_NAME function (one file each).
source_commands() {
	sed -n 's/^int cmd_\([a-z_]*\)(int argc, char \*\*argv)$/\1/p' "$REPO_ROOT"/cmd/ccgov/*.c | tr _ - | sort
}

listed_commands() {
	ccgov help | sed -n '/^Commands:/,/^$/p' | awk 'NF && !/^Commands:/ {print $1}' | sort
}

@test "help lists every command that exists and no other" {
	run listed_commands
	assert_success
	assert_output "$(source_commands)"
	for c in $(listed_commands); do
		run ccgov help "$c"
		assert_success
		assert_line --index 0 --partial "usage: ccgov $c"
	done
}

@test "every command has a man page that names each of its options" {
	for c in $(listed_commands); do
		[ -f "$REPO_ROOT/man/ccgov-$c.1" ] || fail "man/ccgov-$c.1 is missing"
		# A command's pages: its own, and one per subcommand with its own source file.
		pages=("$REPO_ROOT/man/ccgov-$c.1")
		for p in "$REPO_ROOT/man/ccgov-$c"-*.1; do
			if [ -f "$p" ]; then pages+=("$p"); fi
		done
		for opt in $(ccgov help "$c" | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
			cat "${pages[@]}" | grep -qF -- "${opt//-/\\-}" || fail "man/ccgov-$c*.1 do not mention $opt"
		done
	done
	grep -q '^\.SH "EXIT STATUS"' "$REPO_ROOT/man/ccgov.1"
}

@test "a subcommand with a source file of its own has a man page of its own" {
	for f in "$REPO_ROOT"/cmd/ccgov/*_*.c; do
		n=$(basename "$f" .c)
		[ -f "$REPO_ROOT/man/ccgov-${n//_/-}.1" ] || fail "$f has no man/ccgov-${n//_/-}.1"
	done
}

@test "CMD --help prints the same text as help CMD" {
	for c in $(listed_commands); do
		[ "$(ccgov "$c" --help)" = "$(ccgov help "$c")" ] || fail "$c --help differs"
	done
}

@test "--version names ccgov and the five libraries it runs with" {
	run ccgov --version
	assert_success
	assert_line --index 0 "ccgov 0.1.0"
	assert_line --partial "OpenSSL     $(openssl version | awk '{print $2}')"
	assert_line --partial "libgit2     $(pkg-config --modversion libgit2)"
	assert_line --partial "libarchive  $(pkg-config --modversion libarchive)"
	assert_line --partial "cJSON       $(pkg-config --modversion libcjson)"
	assert_line --partial "tree-sitter $(dpkg-query -W -f='${source:Upstream-Version}' libtree-sitter-dev)"
}

@test "--version --format json is valid JSON with the five library versions" {
	run ccgov --version --format json
	assert_success
	echo "$output" | jq -e . >/dev/null
	[ "$(echo "$output" | jq -r '.libraries | keys | join(",")')" = "cjson,libarchive,libgit2,openssl,tree-sitter" ]
	[ "$(echo "$output" | jq -r .libraries.libgit2)" = "$(pkg-config --modversion libgit2)" ]
	[ "$(echo "$output" | jq -r .libraries.openssl)" = "$(openssl version | awk '{print $2}')" ]
	[ "$(echo "$output" | jq -r .ccgov)" = "0.1.0" ]
	[ "$(echo "$output" | jq -c .tree_sitter_language_abi)" = '{"max":14,"min":13}' ]
	run ccgov version --format json
	assert_success
}

@test "an unknown command is exit 2, with a suggestion for a near miss" {
	run ccgov sourse
	assert_failure 2
	assert_line --index 0 "ccgov: error: 'sourse' is not a ccgov command; see 'ccgov help'"
	assert_line --index 1 "ccgov: did you mean source?"
	run ccgov frobnicate
	assert_failure 2
	refute_output --partial "did you mean"
	run ccgov help verison
	assert_failure 2
	assert_output --partial "did you mean version?"
}

@test "no command prints the overview to stderr and exits 2" {
	run --separate-stderr ccgov
	assert_failure 2
	[ -z "$output" ]
	[[ "$stderr" == usage:* ]]
}

@test "unknown options and missing values are exit 2 with the option named" {
	run ccgov version --formt json
	assert_failure 2
	assert_line --index 0 "ccgov: error: version: unknown option '--formt'"
	assert_line --index 1 "ccgov: did you mean --format?"
	run ccgov version --format
	assert_failure 2
	assert_output "ccgov: error: version: option '--format' needs a value"
	run ccgov version --format xml
	assert_failure 2
	assert_output "ccgov: error: version: --format: unknown format 'xml' (expected text or json)"
	run ccgov --frobnicate
	assert_failure 2
	assert_output --partial "unknown option '--frobnicate'"
	run ccgov help version extra
	assert_failure 2
	assert_output --partial "too many arguments"
	run ccgov version extra
	assert_failure 2
	assert_output "ccgov: error: version: unexpected argument 'extra'"
}

@test "errors carry no colour when stderr is not a terminal" {
	run ccgov nosuch
	assert_failure 2
	refute_output --partial $'\033'
}

@test "a failed write to stdout is exit 3, not silent success" {
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c '"$CCGOV" help >/dev/full'
	assert_failure 3
	assert_output "ccgov: error: standard output: write failed"
}

@test "make install puts the binary, man pages and rules under DESTDIR/PREFIX, and the copy finds its rules" {
	run make -s -C "$REPO_ROOT" install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/ccgov BUILD="$(basename "$(dirname "$CCGOV")")"
	assert_success
	r="$BATS_TEST_TMPDIR/root/opt/ccgov"
	[ -x "$r/bin/ccgov" ]
	for c in $(listed_commands); do [ -f "$r/share/man/man1/ccgov-$c.1" ] || fail "ccgov-$c.1 not installed"; done
	[ -f "$r/share/man/man1/ccgov.1" ]
	[ "$(cd "$r/share/ccgov/rules" && find . -name '*.scm' | sort)" = "$(cd "$REPO_ROOT/rules" && find . -name '*.scm' | sort)" ]
	mkdir "$BATS_TEST_TMPDIR/src"
	printf 'void *f(void) { return dlopen("x", 0); }\n' >"$BATS_TEST_TMPDIR/src/a.c"
	run "$r/bin/ccgov" scan "$BATS_TEST_TMPDIR/src"
	assert_failure 1
	assert_line --index 0 --partial "a.c:1:24: error code-loading.dlopen"
}

@test "-o onto a device or FIFO writes through and never replaces it; a socket or folder is refused" {
	W="$BATS_TEST_TMPDIR/w"
	make_repo "$W/repo"
	# A null device of our own: the machine's /dev/null is never put at risk by a test.
	if [ "$(id -u)" = 0 ]; then
		mknod -m 666 "$W/null" c 1 3
		run ccgov sbom "$W/repo" --format cyclonedx-json -o "$W/null"
		assert_success
		[ -c "$W/null" ]
		ln -s null "$W/null-link"
		run ccgov sbom "$W/repo" --format cyclonedx-json -o "$W/null-link"
		assert_success
		[ -L "$W/null-link" ] && [ -c "$W/null" ]
	fi
	mkfifo "$W/fifo"
	cat "$W/fifo" >"$W/from-fifo" &
	run ccgov sbom "$W/repo" --format cyclonedx-json -o "$W/fifo"
	assert_success
	wait
	[ -p "$W/fifo" ]
	[ "$(jq -r .bomFormat "$W/from-fifo")" = CycloneDX ]
	python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$W/sock"
	run ccgov sbom "$W/repo" --format cyclonedx-json -o "$W/sock"
	assert_failure 2
	assert_output "ccgov: error: $W/sock: a socket, not a file: ccgov replaces only files"
	[ -S "$W/sock" ]
	mkdir "$W/dir"
	run ccgov sbom "$W/repo" --format cyclonedx-json -o "$W/dir"
	assert_failure 2
	assert_output "ccgov: error: $W/dir: a folder, not a file: ccgov replaces only files"
}
