# Shared set-up for the bats suites: assertions, a private folder, the
# ccgov under test, and git that ignores the user's configuration.
bats_require_minimum_version 1.5.0
load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

: "${CCGOV:?tests/run sets CCGOV to the ccgov binary under test}"
REPO_ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
# The workplace's independent checkers (schemas, validate-schema, verify-dsse)
# sit beside the repository, as in CI; CCGOV_SHARED points elsewhere.
SHARED=${CCGOV_SHARED:-$REPO_ROOT/../shared}

# need_shared: skip, saying why, where the independent checkers are absent.
need_shared() {
	[ -x "$SHARED/tools/validate-schema" ] || skip "no independent checkers at $SHARED (set CCGOV_SHARED)"
}

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=ccgov GIT_AUTHOR_EMAIL=ccgov@example.org
export GIT_COMMITTER_NAME=ccgov GIT_COMMITTER_EMAIL=ccgov@example.org
export GIT_AUTHOR_DATE='@1700000000 +0000' GIT_COMMITTER_DATE='@1700000000 +0000'
unset NO_COLOR SOURCE_DATE_EPOCH

ccgov() { "$CCGOV" "$@"; }

# make_repo DIR: a repository with one commit (README, bin/run, lib -> bin).
make_repo() {
	mkdir -p "$1"
	git -C "$1" init -q -b main .
	echo hello >"$1/README"
	mkdir -p "$1/bin"
	printf '#!/bin/sh\necho run\n' >"$1/bin/run"
	chmod 755 "$1/bin/run"
	ln -s bin "$1/lib"
	git -C "$1" add -A
	git -C "$1" commit -q -m one
}

# as_nobody CMD...: root reads anything, so permission tests drop to nobody.
as_nobody() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}

# make_sample DIR: the bundled sample project as its own repository.
make_sample() {
	mkdir -p "$1"
	cp -R "$REPO_ROOT/testdata/sample/." "$1/"
	git -C "$1" init -q -b main .
	git -C "$1" add -A
	git -C "$1" commit -q -m sample
}

# The header of a test rule for C: rule_header ID.
rule_header() {
	printf '; id: %s\n; title: t\n; category: code-loading\n; severity: error\n; languages: c\n; requirement: r\n; message: m\n' "$1"
}

# namespaces_work: ccgov build can show its folder at the fixed path here
# (a private mount namespace: directly as root, in a user namespace else).
namespaces_work() {
	if [ "$(id -u)" = 0 ]; then
		unshare -m true 2>/dev/null
	else
		unshare -Urm true 2>/dev/null
	fi
}
