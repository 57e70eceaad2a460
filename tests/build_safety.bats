#!/usr/bin/env bats
# ccgov build as root on someone's machine: it removes or replaces only what
# it created, stops everything it started, and gives every user the same
# digest. Every path here is inside the test's throwaway folder.

load helpers

setup() {
	S="$BATS_TEST_TMPDIR/sample"
	O="$BATS_TEST_TMPDIR/out"
	make_sample "$S"
	# Stale temporary build folders would go to TMPDIR: keep them in view.
	export TMPDIR="$BATS_TEST_TMPDIR/tmp"
	mkdir -p "$TMPDIR"
}

teardown() {
	# A failed test must not leave a build running.
	[ -z "${pid:-}" ] || kill -KILL "$pid" 2>/dev/null || true
}

# tree DIR: every path and file content below DIR, to compare before and after.
tree() {
	(cd "$1" && find . -printf '%p %y %l\n' | sort && find . -type f -print0 | sort -z | xargs -0r sha256sum)
}

@test "a --build-dir with someone's files is refused and left exactly as it was" {
	bd="$BATS_TEST_TMPDIR/bd"
	mkdir -p "$bd/notes"
	echo precious >"$bd/notes/a.txt"
	before=$(tree "$bd")
	run ccgov build -q "$S" -o "$O" --build-dir "$bd"
	assert_failure 2
	assert_output "ccgov: error: $bd: exists and is not a ccgov build folder (it has content and no ccgov marker); ccgov removes only what it created: empty or remove it yourself, or choose another --build-dir"
	[ "$(tree "$bd")" = "$before" ]
	[ ! -e "$bd.lock" ] && [ ! -e "$O" ]
}

@test "a symbolic link as --build-dir or -o is refused; the link and its target stay" {
	mkdir "$BATS_TEST_TMPDIR/target"
	echo keep >"$BATS_TEST_TMPDIR/target/file"
	ln -s target "$BATS_TEST_TMPDIR/link"
	run ccgov build -q "$S" -o "$O" --build-dir "$BATS_TEST_TMPDIR/link"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/link: is a symbolic link; ccgov never builds in or removes through a link: give the real folder to --build-dir"
	[ -L "$BATS_TEST_TMPDIR/link" ] && [ "$(cat "$BATS_TEST_TMPDIR/target/file")" = keep ]
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/link"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/link: is a symbolic link; not replacing it"
	[ -L "$BATS_TEST_TMPDIR/link" ] && [ "$(cat "$BATS_TEST_TMPDIR/target/file")" = keep ]
}

@test "the repository, the current folder, an ancestor, the home folder and / are never a build folder or bundle" {
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME/work"
	echo mine >"$HOME/work/file"
	before_repo=$(tree "$S")
	before_home=$(tree "$HOME")
	cd "$BATS_TEST_TMPDIR"
	for dir in "$S" "$S/.." . .. "$HOME" "$HOME/work/.." /; do
		run ccgov build -q "$S" -o "$O" --build-dir "$dir"
		assert_failure 2
		assert_output --regexp "^ccgov: error: .*: is (the project being built|the current folder|the home folder|the root folder)( or one above it)?; ccgov never removes or replaces it$"
		run ccgov build -q "$S" -o "$dir"
		assert_failure 2
		assert_output --regexp "^ccgov: error: .*: is (the project being built|the current folder|the home folder|the root folder)( or one above it)?; ccgov never removes or replaces it$"
	done
	[ "$(tree "$S")" = "$before_repo" ] && [ "$(tree "$HOME")" = "$before_home" ]
	cd "$S"
	run ccgov build -q . -o .
	assert_failure 2
	assert_output "ccgov: error: .: is the current folder or one above it; ccgov never removes or replaces it"
	[ "$(tree "$S")" = "$before_repo" ]
}

@test "-o replaces only a bundle ccgov wrote there: not a stray image.digest, not a copy" {
	mkdir "$O"
	echo sha256:0 >"$O/image.digest"
	echo precious >"$O/notes.txt"
	run ccgov build -q "$S" -o "$O"
	assert_failure 2
	assert_output "ccgov: error: $O: exists and is not a ccgov evidence bundle; not replacing it"
	[ "$(cat "$O/notes.txt")" = precious ]
	rm -r "$O"
	run ccgov build -q "$S" -o "$O"
	assert_success
	digest=$(cat "$O/image.digest")
	# The same folder again (or moved on its file system) is replaced whole.
	mv "$O" "$O.moved" && mv "$O.moved" "$O"
	run ccgov build -q "$S" -o "$O"
	assert_success
	[ "$(cat "$O/image.digest")" = "$digest" ]
	# A copy carries a marker for another folder: it proves nothing.
	cp -a "$O" "$BATS_TEST_TMPDIR/copy"
	echo mine >"$BATS_TEST_TMPDIR/copy/notes.txt"
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/copy"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/copy: its ccgov marker was written for another folder (a copy, or the folder was moved to another file system); not replacing it"
	[ "$(cat "$BATS_TEST_TMPDIR/copy/notes.txt")" = mine ]
	# An empty folder is taken.
	mkdir "$BATS_TEST_TMPDIR/empty"
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/empty"
	assert_success
	[ "$(cat "$BATS_TEST_TMPDIR/empty/image.digest")" = "$digest" ]
}

@test "an empty --build-dir is used and left empty; a new one is removed; no lock files" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	run ccgov build -q "$S" -o "$O" --build-dir "$BATS_TEST_TMPDIR/empty"
	assert_success
	[ -d "$BATS_TEST_TMPDIR/empty" ] && [ -z "$(ls -A "$BATS_TEST_TMPDIR/empty")" ]
	run ccgov build -q "$S" -o "$O" --build-dir "$BATS_TEST_TMPDIR/new"
	assert_success
	[ ! -e "$BATS_TEST_TMPDIR/new" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '\.lock$')" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

# start_build ARGS...: ccgov build in the background, its pid in $pid.
start_build() {
	"$CCGOV" build -q "$S" -o "$O" "$@" >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr" &
	pid=$!
}

# wait_for PATTERN: up to 30 s for a file that matches.
wait_for() {
	for _ in $(seq 300); do compgen -G "$1" >/dev/null && return 0; sleep 0.1; done
	return 1
}

# A build that starts a child that ignores SIGTERM, and a grandchild, and
# says where they are in its HOME (in the build folder: its /tmp is private).
HANGING='sh -c "trap \"\" TERM; sleep 1000" & sleep 1000 & echo $$ $! > "$HOME/pids"; wait'

@test "SIGINT, SIGTERM and SIGHUP stop the whole build, remove its folders, keep the previous bundle" {
	run ccgov build -q "$S" -o "$O"
	assert_success
	before=$(tree "$O")
	for sig in INT TERM HUP; do
		start_build --build-dir "$BATS_TEST_TMPDIR/bd" --command "$HANGING"
		wait_for "$BATS_TEST_TMPDIR/bd/home/pids"
		sleep 0.1
		pids=$(cat "$BATS_TEST_TMPDIR/bd/home/pids")
		kill -"$sig" "$pid"
		status=0
		wait "$pid" || status=$?
		case $sig in INT) assert_equal "$status" 130 ;; TERM) assert_equal "$status" 143 ;; HUP) assert_equal "$status" 129 ;; esac
		[ "$(cat "$BATS_TEST_TMPDIR/stderr")" = "ccgov: error: build: interrupted by SIG$sig: the build's processes were stopped and its temporary folders removed; $O was left as it was" ]
		for p in $pids; do ! kill -0 "$p" 2>/dev/null; done
		[ ! -e "$BATS_TEST_TMPDIR/bd" ]
		[ "$(tree "$O")" = "$before" ]
		[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.out\.')" ]
	done
}

@test "SIGTERM while the image is packed: nothing published, nothing left" {
	run ccgov build -q "$S" -o "$O"
	assert_success
	before=$(tree "$O")
	start_build --build-dir "$BATS_TEST_TMPDIR/bd" --command 'head -c 150000000 /dev/urandom > big && touch "$HOME/built"' \
		--output big:/big --threads 1
	wait_for "$BATS_TEST_TMPDIR/bd/home/built"
	sleep 0.3
	kill -TERM "$pid"
	status=0
	wait "$pid" || status=$?
	assert_equal "$status" 143
	[ "$(tree "$O")" = "$before" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.out\.')" ]
	[ ! -e "$BATS_TEST_TMPDIR/bd" ]
}

@test "after SIGKILL, the build command dies too, and the next run cleans what was left" {
	start_build --build-dir "$BATS_TEST_TMPDIR/bd" --command 'echo $$ > "$HOME/pids"; exec sleep 1000'
	wait_for "$BATS_TEST_TMPDIR/bd/home/pids"
	sleep 0.1
	build=$(cat "$BATS_TEST_TMPDIR/bd/home/pids")
	kill -KILL "$pid"
	wait "$pid" || true
	for _ in $(seq 50); do kill -0 "$build" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$build" 2>/dev/null
	[ -e "$BATS_TEST_TMPDIR/bd/.ccgov-owned" ]
	run ccgov build -q "$S" -o "$O" --build-dir "$BATS_TEST_TMPDIR/bd"
	assert_success
	[ ! -e "$BATS_TEST_TMPDIR/bd" ]
}

@test "after SIGKILL while packing, the next run removes the half-written bundle and build folder" {
	namespaces_work || skip "without namespaces the build folder is the fixed path, outside this test's folder"
	mkdir "$BATS_TEST_TMPDIR/.out.notours"
	echo mine >"$BATS_TEST_TMPDIR/.out.notours/file"
	start_build --command 'head -c 150000000 /dev/urandom > big && touch "$HOME/built"' --output big:/big --threads 1
	wait_for "$TMPDIR/ccgov-build.*/home/built"
	sleep 0.5
	kill -KILL "$pid"
	wait "$pid" || true
	[ -n "$(ls -A "$TMPDIR")" ]
	[ -n "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.out\.......$')" ]
	run ccgov build -q "$S" -o "$O"
	assert_success
	[ -z "$(ls -A "$TMPDIR")" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.out\.......$')" ]
	# A folder with such a name but no marker of its own is not ccgov's to remove.
	[ "$(cat "$BATS_TEST_TMPDIR/.out.notours/file")" = mine ]
}

@test "--timeout and ccgov.json's timeout stop a hung build and everything it started" {
	SECONDS=0
	run ccgov build -q "$S" -o "$O" --timeout 1 --command "$HANGING" --build-dir "$BATS_TEST_TMPDIR/bd" --keep-build-dir
	assert_failure 1
	assert_output "ccgov: error: build command '$HANGING' ran past its timeout of 1 seconds and was stopped with its process group; last output: "
	[ "$SECONDS" -lt 10 ]
	for p in $(cat "$BATS_TEST_TMPDIR/bd/home/pids"); do ! kill -0 "$p" 2>/dev/null; done
	[ ! -e "$O" ]
	jq '. + {"timeout": 1, "build": "sleep 100"}' "$S/ccgov.json" >"$S/ccgov.json.new"
	mv "$S/ccgov.json.new" "$S/ccgov.json"
	git -C "$S" commit -qam timeout
	run ccgov build -q "$S" -o "$O"
	assert_failure 1
	assert_output "ccgov: error: build command 'sleep 100' ran past its timeout of 1 seconds and was stopped with its process group; last output: "
	run ccgov build -q "$S" -o "$O" --timeout 0
	assert_failure 2
	assert_output "ccgov: error: build: --timeout: '0' is not whole seconds from 1 to 86400"
	jq '.timeout = 1.5' "$S/ccgov.json" >"$S/ccgov.json.new" && mv "$S/ccgov.json.new" "$S/ccgov.json"
	git -C "$S" commit -qam bad
	run ccgov build -q "$S" -o "$O"
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: timeout: expected an integer from 1 to 86400, not 1.5"
}

@test "a build folder held by another run: waited for, said once with its pid, given up after --lock-timeout" {
	start_build --build-dir "$BATS_TEST_TMPDIR/bd" --command 'echo $$ > "$HOME/pids"; sleep 1000'
	first=$pid
	wait_for "$BATS_TEST_TMPDIR/bd/home/pids"
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/out2" --build-dir "$BATS_TEST_TMPDIR/bd" --lock-timeout 1
	assert_failure 3
	assert_output "ccgov: build: waiting for $BATS_TEST_TMPDIR/bd, held by another ccgov build (pid $first); --lock-timeout bounds the wait
ccgov: error: $BATS_TEST_TMPDIR/bd: still held by another ccgov run (pid $first) after 1 seconds; wait longer with --lock-timeout, or choose another --build-dir"
	kill -TERM "$first"
	wait "$first" || true
	[ ! -e "$BATS_TEST_TMPDIR/bd" ]
}

@test "two builds at once, each in a folder of its own, give the same digest" {
	namespaces_work || skip "no mount namespaces here: builds share the fixed path one at a time"
	"$CCGOV" build -q "$S" -o "$BATS_TEST_TMPDIR/a" >"$BATS_TEST_TMPDIR/a.txt" &
	a=$!
	"$CCGOV" build -q "$S" -o "$BATS_TEST_TMPDIR/b" >"$BATS_TEST_TMPDIR/b.txt" &
	b=$!
	wait "$a"
	wait "$b"
	[ "$(cat "$BATS_TEST_TMPDIR/a/image.digest")" = "$(cat "$BATS_TEST_TMPDIR/b/image.digest")" ]
	[ -z "$(ls -A "$TMPDIR")" ]
}

@test "root and an ordinary user build the same digest, in either order, with any --build-dir" {
	[ "$(id -u)" = 0 ] || skip "needs root to act as a second user"
	shared=$(mktemp -d /tmp/ccgov-users.XXXXXX)
	chmod 755 "$shared"
	make_sample "$shared/sample"
	install -d -o 65534 -g 65534 "$shared/nobody"
	run ccgov build -q "$shared/sample" -o "$shared/root-out"
	assert_success
	digest=$(cat "$shared/root-out/image.digest")
	# git's rule: another user's repository is refused until trusted, and said so.
	(cd "$shared/nobody" && HOME="$shared/nobody" TMPDIR=/tmp run as_nobody "$CCGOV" build -q "$shared/sample" -o out
	 assert_failure 2
	 assert_output "ccgov: error: $shared/sample: the git repository $shared/sample belongs to uid 0, not to this user (uid 65534), and git refuses such repositories; run ccgov as its owner, or trust it with: git config --global --add safe.directory $shared/sample (and, for libgit2 1.5, $shared/sample/ too)")
	printf '[safe]\n\tdirectory = %s\n\tdirectory = %s/\n' "$shared/sample" "$shared/sample" >"$shared/nobody/.gitconfig"
	for bd in "" "--build-dir=$shared/nobody/bd" "--build-dir=rel"; do
		(cd "$shared/nobody" && HOME="$shared/nobody" TMPDIR=/tmp as_nobody "$CCGOV" build -q "$shared/sample" -o out $bd) >/dev/null
		[ "$(cat "$shared/nobody/out/image.digest")" = "$digest" ]
		[ "$(stat -c %u "$shared/nobody/out")" = 65534 ]
	done
	# And root after the ordinary user, from the user's own clone.
	printf '\tdirectory = %s/.git\n' "$shared/sample" >>"$shared/nobody/.gitconfig"
	HOME="$shared/nobody" GIT_CONFIG_GLOBAL="$shared/nobody/.gitconfig" as_nobody git clone -q "$shared/sample" "$shared/nobody/clone"
	printf '[safe]\n\tdirectory = %s\n\tdirectory = %s/\n' "$shared/nobody/clone" "$shared/nobody/clone" >"$shared/.gitconfig"
	HOME="$shared" run ccgov build -q "$shared/nobody/clone" -o "$shared/root-out"
	assert_success
	[ "$(cat "$shared/root-out/image.digest")" = "$digest" ]
	rm -rf "$shared"
}

@test "a committed ccgov.json that is a symbolic link is refused, not followed out of the project" {
	printf '{ "name": "evil", "build": "touch %s/ran" }\n' "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/outside.json"
	rm "$S/ccgov.json"
	ln -s ../outside.json "$S/ccgov.json"
	git -C "$S" add -A && git -C "$S" commit -q -m link
	run ccgov build -q "$S" -o "$O"
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: a symbolic link; ccgov reads only a regular file"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ] && [ ! -e "$O" ]
}
