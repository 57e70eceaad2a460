#!/usr/bin/env bats
# fuzz/run, the fuzzing budget: every target keeps its time whatever
# another finds, findings are kept and listed, the exit status says so.
# Stand-in targets (scripts that answer as libFuzzer does) keep it fast.

load helpers

setup() {
	B="$BATS_TEST_TMPDIR/bin"
	mkdir -p "$B"
	# A target that finds nothing, and one that finds a crash in its first second.
	cat >"$B/calm" <<-'SH'
	#!/bin/sh
	echo "#1200: cov: 41 ft: 90 corp: 12 exec/s 1200 oom/timeout/crash: 0/0/0 time: 1s job: 1"
	SH
	cat >"$B/broken" <<-'SH'
	#!/bin/sh
	for a; do case $a in -artifact_prefix=*) p=${a#-artifact_prefix=} ;; esac; done
	printf 'boom' >"${p}crash-0123abcd"
	echo "#77: cov: 9 ft: 10 corp: 3 exec/s 77 oom/timeout/crash: 0/0/1 time: 1s job: 1"
	SH
	chmod +x "$B/calm" "$B/broken"
	export FUZZ_BIN="$B" FUZZ_OUT="$BATS_TEST_TMPDIR/out" FUZZ_SECONDS=1
}

@test "a finding in one target does not stop the others; it is kept, listed, and the run fails" {
	FUZZ_TARGETS="broken calm" run --separate-stderr "$REPO_ROOT/fuzz/run"
	assert_failure 1
	assert_output "target                          execs      cov findings
broken                             77        9        1
calm                             1200       41        0
fuzz: findings (fix, then add each input to fuzz/corpus/TARGET/):
$FUZZ_OUT/artifacts/broken/crash-0123abcd"
	[ "$(cat "$FUZZ_OUT/artifacts/broken/crash-0123abcd")" = boom ]
}

@test "nothing found is exit 0; a target that cannot run is a finding" {
	FUZZ_TARGETS=calm run "$REPO_ROOT/fuzz/run"
	assert_success
	assert_line "fuzz: nothing found"
	FUZZ_TARGETS="calm missing" run "$REPO_ROOT/fuzz/run"
	assert_failure 1
	assert_line --regexp '^missing +0 +0 +exit 127$'
}
