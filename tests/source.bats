#!/usr/bin/env bats
# ccgov source: the git facts a build records, and the export of a commit.

load helpers

setup() {
	R="$BATS_TEST_TMPDIR/repo"
	make_repo "$R"
}

@test "text output names the commit, time, remote and a clean tree" {
	git -C "$R" remote add origin https://ci:token@git.example.org/bank/app.git
	run ccgov source "$R/bin"
	assert_success
	assert_output "repository   $(cd "$R" && pwd -P)
path         bin
revision     HEAD
commit       $(git -C "$R" rev-parse HEAD)
commit time  2023-11-14T22:13:20Z (1700000000)
remote       https://git.example.org/bank/app.git
work tree    clean"
	refute_output --partial token
}

@test "json output has the same facts, and dirty follows tracked changes" {
	echo changed >>"$R/README"
	run ccgov source "$R" --format json
	assert_success
	[ "$(echo "$output" | jq -r .commit)" = "$(git -C "$R" rev-parse HEAD)" ]
	[ "$(echo "$output" | jq -r .commit_time)" = 1700000000 ]
	[ "$(echo "$output" | jq -r .commit_time_rfc3339)" = 2023-11-14T22:13:20Z ]
	[ "$(echo "$output" | jq -r .dirty)" = true ]
	[ "$(echo "$output" | jq -r .remote)" = null ]
	[ "$(echo "$output" | jq -r .path)" = "" ]
}

@test "--rev selects another commit" {
	first=$(git -C "$R" rev-parse HEAD)
	echo two >"$R/two"
	git -C "$R" add two
	GIT_COMMITTER_DATE='@1700000100 +0000' git -C "$R" commit -q -m two
	run ccgov source "$R" --rev HEAD~1 --format json
	assert_success
	[ "$(echo "$output" | jq -r .commit)" = "$first" ]
	run ccgov source "$R" -r main --format json
	[ "$(echo "$output" | jq -r .commit_time)" = 1700000100 ]
	# The work tree is a checkout of HEAD only: another commit never reads it.
	echo changed >>"$R/README"
	run ccgov source "$R" --rev HEAD~1
	assert_line --index 6 "work tree    not read (HEAD is another commit)"
	run ccgov source "$R" --rev HEAD~1 --format json
	[ "$(echo "$output" | jq -r .dirty)" = false ]
	run ccgov source "$R" --rev main --format json
	[ "$(echo "$output" | jq -r .dirty)" = true ]
	run ccgov source "$R" --rev nosuch
	assert_failure 2
	assert_output "ccgov: error: nosuch: no such revision"
}

@test "--export writes exactly the committed tree, as git archive does" {
	echo uncommitted >"$R/untracked"
	echo changed >>"$R/README"
	run ccgov source "$R" --export "$BATS_TEST_TMPDIR/out"
	assert_success
	mkdir "$BATS_TEST_TMPDIR/ref"
	git -C "$R" archive HEAD | tar -x -C "$BATS_TEST_TMPDIR/ref"
	run diff -r --no-dereference "$BATS_TEST_TMPDIR/ref" "$BATS_TEST_TMPDIR/out"
	assert_success
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/out/bin/run")" = 755 ]
	[ "$(readlink "$BATS_TEST_TMPDIR/out/lib")" = bin ]
	run ccgov source "$R" --export "$BATS_TEST_TMPDIR/out"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/out: already exists"
}

@test "a folder outside any repository is exit 2, named" {
	mkdir "$BATS_TEST_TMPDIR/plain"
	run ccgov source "$BATS_TEST_TMPDIR/plain"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/plain: not inside a git repository"
}

@test "a path that leads out of the repository through a link is refused" {
	mkdir "$BATS_TEST_TMPDIR/elsewhere"
	ln -s "$BATS_TEST_TMPDIR/elsewhere" "$R/escape"
	run ccgov source "$R/escape"
	assert_failure 2
	assert_output --regexp "ccgov: error: .*/escape: (outside the repository|not inside a git repository)"
}

@test "a missing path and a non-UTF-8 path are named, bytes escaped" {
	run ccgov source "$BATS_TEST_TMPDIR/missing"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/missing: No such file or directory"
	run ccgov source "$BATS_TEST_TMPDIR/caf"$'\xe9'
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/caf\\xe9: No such file or directory"
	mkdir "$BATS_TEST_TMPDIR/"$'\xff'
	run ccgov source "$BATS_TEST_TMPDIR/"$'\xff'
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/\\xff: not inside a git repository"
}

@test "an unreadable folder is exit 2 with the reason" {
	command -v setpriv >/dev/null || skip "setpriv is not installed"
	chmod 755 "$BATS_TEST_TMPDIR"
	mkdir -m 000 "$BATS_TEST_TMPDIR/closed"
	run as_nobody "$CCGOV" source "$BATS_TEST_TMPDIR/closed/x"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/closed/x: Permission denied"
}

@test "too many arguments and a missing --rev value are usage errors" {
	run ccgov source a b
	assert_failure 2
	assert_output --partial "source: too many arguments"
	run ccgov source --rev
	assert_failure 2
	assert_output "ccgov: error: source: option '--rev' needs a value"
}
