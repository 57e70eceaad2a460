#!/usr/bin/env bats
# ccgov build: a normalized build into a deterministic OCI image, with provenance.

load helpers

setup() {
	S="$BATS_TEST_TMPDIR/sample"
	O="$BATS_TEST_TMPDIR/out"
	make_sample "$S"
}

@test "the sample builds into an image that skopeo and umoci accept, rootfs equal to the outputs" {
	run --separate-stderr ccgov build "$S" -o "$O"
	assert_success
	digest=$(cat "$O/image.digest")
	[[ "$digest" =~ ^sha256:[0-9a-f]{64}$ ]]
	[ "${lines[-1]}" = "$digest" ]
	run skopeo inspect "oci:$O/image:1.0"
	assert_success
	[ "$(echo "$output" | jq -r .Digest)" = "$digest" ]
	[ "$(echo "$output" | jq -r .Architecture)" = amd64 ]
	[ "$(echo "$output" | jq -r '.Labels["org.opencontainers.image.title"]')" = "ccgov sample" ]
	run umoci unpack --rootless --image "$O/image:1.0" "$BATS_TEST_TMPDIR/unpacked"
	assert_success
	root="$BATS_TEST_TMPDIR/unpacked/rootfs"
	# The rootfs is exactly the one output, byte for byte, executable.
	[ "$(cd "$root" && find . | sort | tr '\n' ' ')" = ". ./usr ./usr/local ./usr/local/bin ./usr/local/bin/hello " ]
	make -s -C "$S" hello >/dev/null
	cmp "$root/usr/local/bin/hello" "$S/hello"
	[ "$(stat -c %a "$root/usr/local/bin/hello")" = 755 ]
	run "$root/usr/local/bin/hello"
	assert_output "hello from a governed build"
	# The config carries ccgov.json's image settings.
	cfg=$(jq -r .config.digest "$O/image/blobs/sha256/${digest#sha256:}")
	cfg="$O/image/blobs/sha256/${cfg#sha256:}"
	[ "$(jq -c .config "$cfg")" = '{"Entrypoint":["/usr/local/bin/hello"],"Labels":{"org.opencontainers.image.title":"ccgov sample"},"User":"65532:65532","WorkingDir":"/"}' ]
	[ "$(jq -r .created "$cfg")" = 2023-11-14T22:13:20Z ]
}

@test "one commit, two clones, other times, umask and TZ: the same digest, and diffoscope sees no difference" {
	run ccgov build -q "$S" -o "$O"
	assert_success
	mkdir -p "$BATS_TEST_TMPDIR/elsewhere/deeper"
	git clone -q "$S" "$BATS_TEST_TMPDIR/elsewhere/deeper/clone"
	sleep 1
	run bash -c 'umask 077; TZ=Pacific/Kiritimati "$CCGOV" build -q "$1" -o "$2" --threads 1' _ \
		"$BATS_TEST_TMPDIR/elsewhere/deeper/clone" "$BATS_TEST_TMPDIR/out2"
	assert_success
	[ "$(cat "$O/image.digest")" = "$(cat "$BATS_TEST_TMPDIR/out2/image.digest")" ]
	run diffoscope "$O/image" "$BATS_TEST_TMPDIR/out2/image"
	assert_success
}

@test "the diff_id is the same for gzip, zstd and none; the layer media type follows" {
	for c in gzip zstd none; do
		run --separate-stderr ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/$c" --compression "$c" --format json
		assert_success
		echo "$output" | jq -r .layer.diff_id >"$BATS_TEST_TMPDIR/$c.diff"
		echo "$output" | jq -r .layer.media_type >"$BATS_TEST_TMPDIR/$c.type"
		run skopeo inspect "oci:$BATS_TEST_TMPDIR/$c/image:1.0"
		assert_success
	done
	cmp "$BATS_TEST_TMPDIR/gzip.diff" "$BATS_TEST_TMPDIR/zstd.diff"
	cmp "$BATS_TEST_TMPDIR/gzip.diff" "$BATS_TEST_TMPDIR/none.diff"
	[ "$(cat "$BATS_TEST_TMPDIR/zstd.type")" = application/vnd.oci.image.layer.v1.tar+zstd ]
	[ "$(cat "$BATS_TEST_TMPDIR/none.type")" = application/vnd.oci.image.layer.v1.tar ]
	run ccgov build -q "$S" -o "$O" --compression brotli
	assert_failure 2
	assert_output "ccgov: error: --compression: unknown compression 'brotli' (expected gzip, zstd or none)"
}

@test "provenance is an in-toto Statement v1 with SLSA Provenance v1 about the image digest" {
	git -C "$S" remote add origin https://ci:secret@git.example.org/bank/sample.git
	run ccgov build -q "$S" -o "$O" --keep-env CUSTOM_TOKEN
	assert_success
	p="$O/provenance.intoto.json"
	digest=$(cat "$O/image.digest")
	[ "$(jq -r ._type "$p")" = https://in-toto.io/Statement/v1 ]
	[ "$(jq -r .predicateType "$p")" = https://slsa.dev/provenance/v1 ]
	[ "$(jq -r '.subject | length' "$p")" = 1 ]
	[ "$(jq -r '.subject[0].name' "$p")" = ccgov/sample:1.0 ]
	[ "sha256:$(jq -r '.subject[0].digest.sha256' "$p")" = "$digest" ]
	d=.predicate.buildDefinition
	[ "$(jq -r "$d.buildType" "$p")" = https://ccgov.dev/build/v1 ]
	[ "$(jq -r "$d.externalParameters.source.commit" "$p")" = "$(git -C "$S" rev-parse HEAD)" ]
	[ "$(jq -r "$d.externalParameters.source.repository" "$p")" = https://git.example.org/bank/sample.git ]
	[ "$(jq -r "$d.resolvedDependencies[0].uri" "$p")" = git+https://git.example.org/bank/sample.git ]
	[ "$(jq -r "$d.resolvedDependencies[0].digest.gitCommit" "$p")" = "$(git -C "$S" rev-parse HEAD)" ]
	[ "$(jq -c "$d.externalParameters.config" "$p")" = "$(jq -c '.outputs[0].dest |= ltrimstr("/")' "$S/ccgov.json" | jq -cS .)" ]
	[ "$(jq -r "$d.internalParameters.environment.TZ" "$p")" = UTC ]
	[ "$(jq -r "$d.internalParameters.environment.SOURCE_DATE_EPOCH" "$p")" = 1700000000 ]
	[ "$(jq -r "$d.internalParameters.sourceDateEpochFrom" "$p")" = "commit time" ]
	[ "$(jq -r "$d.internalParameters.dirty" "$p")" = false ]
	[ "$(jq -r "$d.internalParameters.compression.implementation" "$p")" = "libdeflate $(pkg-config --modversion libdeflate)" ]
	[ "$(jq -r "$d.internalParameters.environment.kept.CUSTOM_TOKEN" "$p")" = null ]
	r=.predicate.runDetails
	[ "$(jq -r "$r.builder.id" "$p")" = https://ccgov.dev/builder/v1 ]
	[ "$(jq -r "$r.builder.version.ccgov" "$p")" = 0.1.0 ]
	[[ "$(jq -r "$r.metadata.startedOn" "$p")" =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]]
	[ "sha256:$(jq -r "$r.byproducts[1].digest.sha256" "$p")" = "$(jq -r '.layers[0].digest' "$O/image/blobs/sha256/${digest#sha256:}")" ]
	run grep -c secret "$p"
	assert_output 0
	# A kept variable is recorded by digest only.
	CUSTOM_TOKEN=hunter2 run ccgov build -q "$S" -o "$O" --keep-env CUSTOM_TOKEN --command 'test "${#CUSTOM_TOKEN}" = 7 && make'
	assert_success
	[ "$(jq -r "$d.internalParameters.environment.kept.CUSTOM_TOKEN" "$p")" = "sha256:$(printf hunter2 | sha256sum | cut -c1-64)" ]
	run grep -c hunter2 "$p"
	assert_output 0
}

@test "the build sees only the normalized environment, at the fixed path" {
	cat >"$S/ccgov.json" <<-'JSON'
	{"name": "env", "build": "env | sort > env.txt; umask > umask.txt; pwd > pwd.txt; mktemp > tmp.txt",
	 "outputs": [{"path": "env.txt", "dest": "env.txt"}, {"path": "umask.txt", "dest": "umask.txt"},
	             {"path": "pwd.txt", "dest": "pwd.txt"}]}
	JSON
	git -C "$S" commit -qam env
	SECRET_FROM_CI=x run ccgov build -q "$S" -o "$O" --build-dir "$BATS_TEST_TMPDIR/bd" --keep-build-dir
	assert_success
	b="$BATS_TEST_TMPDIR/bd/src"
	seen=$BATS_TEST_TMPDIR/bd
	namespaces_work && seen=/tmp/ccgov-build
	run grep -v '^PWD=\|^SHLVL=\|^_=' "$b/env.txt"
	assert_output "HOME=$seen/home
LANG=C.UTF-8
LC_ALL=C.UTF-8
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SOURCE_DATE_EPOCH=1700000000
TMPDIR=$seen/tmp
TZ=UTC"
	[ "$(cat "$b/umask.txt")" = 0022 ]
	[ "$(cat "$b/pwd.txt")" = "$seen/src" ]
	[ "$(jq -r .predicate.buildDefinition.internalParameters.buildDir "$O/provenance.intoto.json")" = "$seen" ] ||
		jq .predicate.buildDefinition.internalParameters "$O/provenance.intoto.json"
	# Without a namespace, a relative --build-dir still gives absolute paths (mktemp works).
	cd "$BATS_TEST_TMPDIR"
	run ccgov build -q "$S" -o "$O" --build-dir rel --keep-build-dir --no-namespace
	assert_success
	[ "$(cat rel/src/pwd.txt)" = "$BATS_TEST_TMPDIR/rel/src" ]
	grep -qx "HOME=$BATS_TEST_TMPDIR/rel/home" rel/src/env.txt
	case "$(cat rel/src/tmp.txt)" in "$BATS_TEST_TMPDIR/rel/tmp/tmp."*) ;; *) false ;; esac
}

@test "a failing build command is exit 1 with its status and last output; no image is written" {
	run ccgov build -q "$S" -o "$O" --command 'echo compiling; echo "hello.c:1: error: boom" >&2; exit 7'
	assert_failure 1
	assert_output "ccgov: error: build command 'echo compiling; echo \"hello.c:1: error: boom\" >&2; exit 7' failed with exit status 7; last output: compiling|hello.c:1: error: boom|"
	[ ! -e "$O" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.out')" ]
}

@test "an interrupted build leaves the previous bundle whole and no partial image" {
	run ccgov build -q "$S" -o "$O"
	assert_success
	before=$(cd "$O" && find . -type f | sort | xargs sha256sum)
	run ccgov build -q "$S" -o "$O" --command 'make && kill -9 $PPID'
	assert_failure
	[ "$(cd "$O" && find . -type f | sort | xargs sha256sum)" = "$before" ]
	run ccgov build -q "$S" -o "$O" --command 'make && kill -9 $PPID' --name other
	[ "$(cd "$O" && find . -type f | sort | xargs sha256sum)" = "$before" ]
}

@test "a dirty tree is refused; --allow-dirty builds the commit and says so" {
	echo "/* local change */" >>"$S/hello.c"
	run ccgov build -q "$S" -o "$O"
	assert_failure 2
	assert_output --partial "the work tree has uncommitted changes"
	[ ! -e "$O" ]
	run ccgov build -q "$S" -o "$O" --allow-dirty
	assert_success
	[ "$(jq -r .predicate.buildDefinition.internalParameters.dirty "$O/provenance.intoto.json")" = true ]
	# Uncommitted edits never reach the image: same digest as the clean commit.
	git -C "$S" stash -q
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/clean"
	[ "$(cat "$O/image.digest")" = "$(cat "$BATS_TEST_TMPDIR/clean/image.digest")" ]
	# A --rev of another commit than HEAD: the work tree is not its checkout, and is not read.
	git -C "$S" tag one
	git -C "$S" commit -q --allow-empty -m two
	git -C "$S" stash pop -q
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/one" --rev one
	assert_success
	[ "$(jq -r .predicate.buildDefinition.internalParameters.dirty "$BATS_TEST_TMPDIR/one/provenance.intoto.json")" = false ]
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/head" --rev main
	assert_failure 2
	assert_output --partial "the work tree has uncommitted changes"
}

# try CONFIG: commit CONFIG as the sample's ccgov.json and build it.
try() {
	printf '%s' "$1" >"$S/ccgov.json"
	git -C "$S" commit -qam bad
	run ccgov build -q "$S" -o "$O"
}

@test "ccgov.json errors name the file and the field" {
	try '{"name": "x", "biuld": "make"}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: biuld: unknown field"
	try '{"name": "x", "build": ["make"]}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: build: expected a string"
	try '{"name": "x", "tag": "v 1", "build": "make"}'
	assert_failure 2
	assert_output --partial "ccgov.json: tag: 'v 1' is not a valid tag"
	try '{"name": "x", "build": "make", "outputs": [{"path": "../etc/passwd", "dest": "x"}]}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: outputs[0]: path: ../etc/passwd: path leaves its folder through '..'"
	try '{"name": "x", "build": "make", "outputs": [{"path": "hello", "dest": "x", "mode": 1}]}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: outputs[0].mode: unknown field"
	try '{"name": "x", "build": "make", "image": {"user": 0}}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: image.user: expected a string"
	try '{"name": "x", "build": "make", "outputs": []}'
	assert_failure 2
	assert_output "ccgov: error: $S: outputs: nothing goes into the image (set \"outputs\" or --output)"
	try '{"name": "x", "name": "y"}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json:1:1: duplicate key \"name\" in object"
}

@test "ccgov.json numbers are kept exactly or refused, naming the file, the place, the key and the value" {
	try "$(printf '{"name": "x", "build": "make",\n "timeout": 9223372036854775808}')"
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json:2:13: timeout: integer 9223372036854775808 does not fit in 64 bits"
	try '{"name": "x", "build": "make", "timeout": 9223372036854775807}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: timeout: expected an integer from 1 to 86400, not 9223372036854775807"
	try '{"name": "x", "build": "make", "timeout": 1e-400}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json:1:43: timeout: number 1e-400 is too small for a 64-bit float: it would read as 0"
	try '{"name": "x", "build": "make", "timeout": 1E400}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json:1:43: timeout: number 1E400 is too large for a 64-bit float"
	try '{"name": "x", "build": "make", "timeout": "60"}'
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: timeout: expected an integer from 1 to 86400, not a string"
}

@test "outputs outside the build folder, special files, bad names and missing files are refused" {
	run ccgov build -q "$S" -o "$O" --output missing:/x
	assert_failure 2
	assert_output "ccgov: error: missing: No such file or directory"
	run ccgov build -q "$S" -o "$O" --output /etc/passwd:/x
	assert_failure 2
	assert_output "ccgov: error: --output: path: /etc/passwd: absolute path not allowed"
	ln -s /etc "$S/etclink"
	git -C "$S" add etclink && git -C "$S" commit -qm link
	run ccgov build -q "$S" -o "$O" --output etclink/passwd:/x
	assert_failure 2
	assert_output --partial "etclink/passwd: etclink: a symbolic link leads outside"
	run ccgov build -q "$S" -o "$O" --command 'mkfifo pipe' --output pipe:/pipe
	assert_failure 2
	assert_output "ccgov: error: pipe: FIFOs are not allowed in an image"
	run ccgov build -q "$S" -o "$O" --command 'python3 -c "import socket; socket.socket(socket.AF_UNIX).bind(\"sock\")"' --output sock:/sock
	assert_failure 2
	assert_output "ccgov: error: sock: sockets are not allowed in an image"
	if [ "$(id -u)" = 0 ]; then
		run ccgov build -q "$S" -o "$O" --command 'mknod null c 1 3' --output null:/null
		assert_failure 2
		assert_output "ccgov: error: null: device files are not allowed in an image"
	fi
	run ccgov build -q "$S" -o "$O" --command 'mkdir d && touch d/$(printf "caf\351")' --output d:/d
	assert_failure 2
	assert_output "ccgov: error: d/caf\\xe9: file name is not valid UTF-8"
	run ccgov build -q "$S" -o "$O" --command 'truncate -s 8589934593 big' --output big:/big
	assert_failure 2
	assert_output "ccgov: error: big: file is larger than 8 GiB"
	[ ! -e "$O" ]
}

@test "symbolic links in outputs are stored as links, never followed" {
	run ccgov build -q "$S" -o "$O" --command 'mkdir -p out && ln -s /etc/shadow out/shadow && ln -s ../x out/up' \
		--output out:/opt/out
	assert_success
	run umoci unpack --rootless --image "$O/image:1.0" "$BATS_TEST_TMPDIR/u"
	assert_success
	[ "$(readlink "$BATS_TEST_TMPDIR/u/rootfs/opt/out/shadow")" = /etc/shadow ]
	[ "$(readlink "$BATS_TEST_TMPDIR/u/rootfs/opt/out/up")" = ../x ]
}

@test "non-ASCII names and link targets are packed byte for byte, with the same digest under any locale" {
	# héllo as a dest, a folder with an NFD name (e + U+0301) inside, a link to héllo.
	nfd=$'e\xcc\x81'
	cmd="make && ln -s héllo l && mkdir -p dé && cp hello dé/$nfd"
	for lang in C C.UTF-8; do
		run env LANG=$lang LC_ALL=$lang "$CCGOV" build -q "$S" -o "$BATS_TEST_TMPDIR/$lang" --command "$cmd" \
			--output hello:/usr/bin/héllo --output l:/usr/bin/l --output dé:/opt/dé
		assert_success
	done
	O="$BATS_TEST_TMPDIR/C"
	[ "$(cat "$O/image.digest")" = "$(cat "$BATS_TEST_TMPDIR/C.UTF-8/image.digest")" ]
	run skopeo inspect "oci:$O/image:1.0"
	assert_success
	run umoci unpack --rootless --image "$O/image:1.0" "$BATS_TEST_TMPDIR/u"
	assert_success
	root="$BATS_TEST_TMPDIR/u/rootfs"
	[ "$(cd "$root" && find . | LC_ALL=C sort | od -An -c | tr -s ' \n' ' ')" = \
	  "$(printf '.\n./opt\n./opt/d\303\251\n./opt/d\303\251/e\314\201\n./usr\n./usr/bin\n./usr/bin/h\303\251llo\n./usr/bin/l\n' | od -An -c | tr -s ' \n' ' ')" ]
	make -s -C "$S" hello >/dev/null
	cmp "$root/usr/bin/h"$'\xc3\xa9'"llo" "$S/hello"
	cmp "$root/opt/d"$'\xc3\xa9'"/$nfd" "$S/hello"
	[ "$(readlink "$root/usr/bin/l")" = "h"$'\xc3\xa9'"llo" ]
	# The SBOM names the files and the link with the image's bytes.
	run jq -r '.components[] | select(.type == "file") | .name' "$O/sbom.cdx.json"
	assert_output "/opt/dé/$nfd
/usr/bin/héllo
/usr/bin/l"
}

@test "names that are not UTF-8 or hold control characters are refused, naming them, leaving nothing behind" {
	bd="$BATS_TEST_TMPDIR/bd"
	run ccgov build -q "$S" -o "$O" --build-dir "$bd" --output $'hello:/usr/bin/caf\xe9'
	assert_failure 2
	assert_output 'ccgov: error: --output: dest: usr/bin/caf\xe9: path is not valid UTF-8'
	run ccgov build -q "$S" -o "$O" --build-dir "$bd" --command $'make && cp hello caf\xe9' --output $'caf\xe9:/x'
	assert_failure 2
	assert_output 'ccgov: error: --output: path: caf\xe9: path is not valid UTF-8'
	run ccgov build -q "$S" -o "$O" --build-dir "$bd" --command $'ln -s caf\xe9 l' --output l:/usr/bin/l
	assert_failure 2
	assert_output 'ccgov: error: l: link target caf\xe9 is not valid UTF-8'
	run ccgov build -q "$S" -o "$O" --build-dir "$bd" --command 'mkdir d && touch "d/a$(printf "\nb")"' --output d:/d
	assert_failure 2
	assert_output 'ccgov: error: d/a\x0ab: file name contains a control character'
	[ ! -e "$O" ]
	[ ! -e "$bd" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.out')" ]
}

# make_submodules: lib (with inner at deps/inner) as a submodule of the sample at sub/lib, file:// URLs, initialized.
make_submodules() {
	local t="$BATS_TEST_TMPDIR" g="git -c protocol.file.allow=always"
	for r in inner lib; do
		git init -q -b main "$t/$r"
		echo "$r" >"$t/$r/$r.txt"
		git -C "$t/$r" add -A
		git -C "$t/$r" commit -q -m "$r"
	done
	$g -C "$t/lib" submodule -q add ../inner deps/inner
	git -C "$t/lib" commit -q -m "inner as a submodule"
	$g -C "$S" submodule -q add ../lib sub/lib
	$g -C "$S" submodule -q update --init --recursive
	git -C "$S" commit -q -m "lib as a submodule"
}

# layer_file OUT PATH: a file of the image's layer, as tar extracts it.
layer_file() {
	local m l
	m=$(jq -r '.manifests[0].digest' "$1/image/index.json")
	l=$(jq -r '.layers[0].digest' "$1/image/blobs/sha256/${m#sha256:}")
	tar -xzOf "$1/image/blobs/sha256/${l#sha256:}" "$2"
}

@test "submodules are built at their pinned commits, nested too, from the local repository, and the provenance names them" {
	make_submodules
	git -C "$S" remote add origin https://git.example.org/bank/sample.git
	run ccgov build -q "$S" -o "$O" --command 'make && cat sub/lib/lib.txt sub/lib/deps/inner/inner.txt > both.txt' \
		--output both.txt:/both.txt --output sub:/opt/sub
	assert_success
	run umoci unpack --rootless --image "$O/image:1.0" "$BATS_TEST_TMPDIR/u"
	assert_success
	root="$BATS_TEST_TMPDIR/u/rootfs"
	[ "$(cat "$root/both.txt")" = "lib
inner" ]
	[ "$(cat "$root/opt/sub/lib/deps/inner/inner.txt")" = inner ]
	lib=$(git -C "$S" rev-parse HEAD:sub/lib)
	inner=$(git -C "$BATS_TEST_TMPDIR/lib" rev-parse HEAD:deps/inner)
	p="$O/provenance.intoto.json"
	d=.predicate.buildDefinition
	[ "$(jq -r "$d.externalParameters.source.submodules" "$p")" = exported ]
	[ "$(jq -r "$d.resolvedDependencies[0].digest.gitCommit" "$p")" = "$(git -C "$S" rev-parse HEAD)" ]
	run jq -c "$d.resolvedDependencies[1:][] | [.name, .uri, .digest.gitCommit, .annotations.submodule, .annotations.url, .annotations.exported]" "$p"
	assert_output "[\"sub/lib\",\"git+https://git.example.org/bank/lib\",\"$lib\",\"sub/lib\",\"../lib\",true]
[\"sub/lib/deps/inner\",\"git+https://git.example.org/bank/inner\",\"$inner\",\"deps/inner\",\"../inner\",true]"
}

@test "a submodule commit not in the local repository is refused, naming it and --no-submodules, which builds it empty and says so" {
	make_submodules
	c="$BATS_TEST_TMPDIR/clone"
	bd="$BATS_TEST_TMPDIR/bd"
	git clone -q "$S" "$c"
	lib=$(git -C "$c" rev-parse HEAD:sub/lib)
	run ccgov build -q "$c" -o "$O" --build-dir "$bd"
	assert_failure 2
	assert_output "ccgov: error: sub/lib: submodule commit $lib is not in the local repository (.git/modules/sub/lib); run 'git submodule update --init', or pass --no-submodules to build with it empty"
	[ ! -e "$O" ]
	[ ! -e "$bd" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR" | grep '^\.out')" ]
	run ccgov build -q "$c" -o "$O" --build-dir "$bd" --no-submodules --command 'make && ls -A sub/lib > ls.txt' \
		--output ls.txt:/ls.txt
	assert_success
	[ -z "$(layer_file "$O" ls.txt)" ]
	p="$O/provenance.intoto.json"
	d=.predicate.buildDefinition
	[ "$(jq -r "$d.externalParameters.source.submodules" "$p")" = "left empty" ]
	run jq -c "$d.resolvedDependencies[1:][] | [.name, .digest.gitCommit, .annotations.exported]" "$p"
	assert_output "[\"sub/lib\",\"$lib\",false]"
	# The outer one fetched, the nested one not: refused by its own path.
	git -c protocol.file.allow=always -C "$c" submodule -q update --init
	inner=$(git -C "$BATS_TEST_TMPDIR/lib" rev-parse HEAD:deps/inner)
	run ccgov build -q "$c" -o "$O" --build-dir "$bd"
	assert_failure 2
	assert_output "ccgov: error: sub/lib/deps/inner: submodule commit $inner is not in the local repository (.git/modules/sub/lib/modules/deps/inner); run 'git submodule update --init --recursive', or pass --no-submodules to build with it empty"
}

@test "a ccgov.json in the work tree but not committed is named, not passed over" {
	git -C "$S" rm -q --cached ccgov.json
	git -C "$S" commit -q -m "ccgov.json untracked"
	run ccgov build -q "$S" -o "$O"
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: not committed; commit it (ccgov builds only what is committed)"
	git -C "$S" add ccgov.json
	run ccgov build -q "$S" -o "$O" --allow-dirty
	assert_failure 2
	assert_output "ccgov: error: $S/ccgov.json: not committed; commit it (ccgov builds only what is committed)"
	[ ! -e "$O" ]
}

@test "flags override ccgov.json, and a project without git is built as it is" {
	plain="$BATS_TEST_TMPDIR/plain"
	cp -R "$REPO_ROOT/testdata/sample" "$plain"
	touch -d @1700000500 "$plain"/* "$plain"
	run ccgov build -q "$plain" -o "$O" --name bank/app --tag 2.0 --env MODE=prod \
		--label team=payments --cmd '["--verbose"]' --output hello:/app/hello
	assert_success
	run skopeo inspect "oci:$O/image:2.0"
	assert_success
	[ "$(echo "$output" | jq -c .Env)" = '["MODE=prod"]' ]
	[ "$(echo "$output" | jq -r .Labels.team)" = payments ]
	p="$O/provenance.intoto.json"
	[ "$(jq -r .subject[0].name "$p")" = bank/app:2.0 ]
	[ "$(jq -r .predicate.buildDefinition.externalParameters.source.vcs "$p")" = none ]
	[ "$(jq -r .predicate.buildDefinition.internalParameters.sourceDateEpochFrom "$p")" = "newest file time" ]
	[ "$(jq -r .predicate.buildDefinition.internalParameters.sourceDateEpoch "$p")" = 1700000500 ]
	run ccgov build -q "$plain" -o "$O" --rev HEAD
	assert_failure 2
	assert_output "ccgov: error: $plain: --rev needs a git repository"
}

@test "an existing folder that is not a bundle is never replaced" {
	mkdir "$O"
	echo precious >"$O/notes.txt"
	run ccgov build -q "$S" -o "$O"
	assert_failure 2
	assert_output "ccgov: error: $O: exists and is not a ccgov evidence bundle; not replacing it"
	[ "$(cat "$O/notes.txt")" = precious ]
}

@test "ccgov builds itself, with the same digest from two clones" {
	for n in 1 2; do
		git clone -q "$REPO_ROOT" "$BATS_TEST_TMPDIR/ccgov$n"
	done
	run ccgov build -q "$BATS_TEST_TMPDIR/ccgov1" -o "$BATS_TEST_TMPDIR/self1"
	assert_success
	run bash -c 'umask 027; TZ=America/St_Johns "$CCGOV" build -q "$1" -o "$2" --threads 1' _ \
		"$BATS_TEST_TMPDIR/ccgov2" "$BATS_TEST_TMPDIR/self2"
	assert_success
	[ "$(cat "$BATS_TEST_TMPDIR/self1/image.digest")" = "$(cat "$BATS_TEST_TMPDIR/self2/image.digest")" ]
	run diffoscope "$BATS_TEST_TMPDIR/self1/image" "$BATS_TEST_TMPDIR/self2/image"
	assert_success
	run umoci unpack --rootless --image "$BATS_TEST_TMPDIR/self1/image:0.1.0" "$BATS_TEST_TMPDIR/u"
	assert_success
	run "$BATS_TEST_TMPDIR/u/rootfs/usr/local/bin/ccgov" --version
	assert_success
	assert_line --index 0 "ccgov 0.1.0"
}

@test "--oci-archive writes the layout as one tar that skopeo reads, the same bytes every time" {
	run ccgov build -q "$S" -o "$O" --oci-archive
	assert_success
	run skopeo inspect "oci-archive:$O/image.oci.tar:1.0"
	assert_success
	[ "$(echo "$output" | jq -r .Digest)" = "$(cat "$O/image.digest")" ]
	run tar --numeric-owner -tvf "$O/image.oci.tar"
	assert_line --index 0 --regexp '^drwxr-xr-x 0/0 +0 2023-11-14 22:13 blobs/$'
	assert_line --index 5 --regexp '^-rw-r--r-- 0/0 +[0-9]+ 2023-11-14 22:13 index.json$'
	run ccgov build -q "$S" -o "$BATS_TEST_TMPDIR/again" --oci-archive --threads 1
	cmp "$O/image.oci.tar" "$BATS_TEST_TMPDIR/again/image.oci.tar"
}

@test "the SBOM of a --rev build is byte-identical to ccgov sbom of a fresh clone checked out at that revision" {
	make_submodules
	git -C "$S" remote add origin https://git.example.org/bank/sample.git
	echo 'requests==2.0.0' >"$S/requirements.txt"
	git -C "$S" add requirements.txt
	git -C "$S" commit -q -m v1
	git -C "$S" tag v1
	# Later: another pin, another submodule commit, another commit time; and an untracked lock file.
	echo lib2 >"$BATS_TEST_TMPDIR/lib/lib.txt"
	git -C "$BATS_TEST_TMPDIR/lib" commit -qam lib2
	git -C "$S/sub/lib" pull -q
	echo 'requests==2.31.0' >"$S/requirements.txt"
	git -C "$S" add requirements.txt sub/lib
	GIT_COMMITTER_DATE='@1700000500 +0000' git -C "$S" commit -q -m two
	mkdir "$S/untracked" && echo 'untracked==1.0' >"$S/untracked/requirements.txt"
	run ccgov build -q "$S" --rev v1 -o "$O"
	assert_success
	# A fresh clone elsewhere, at the tag, with the same remote: the same bytes, both formats.
	c="$(mktemp -d "$BATS_TEST_TMPDIR/other.XXXXXX")/clone"
	git clone -q "$S" "$c"
	git -C "$c" checkout -q v1
	git -C "$c" remote set-url origin https://git.example.org/bank/sample.git
	run ccgov sbom "$c" --image "$O/image" --format cyclonedx-json -o "$BATS_TEST_TMPDIR/clone.cdx.json"
	assert_success
	run ccgov sbom "$c" --image "$O/image" --format spdx-json -o "$BATS_TEST_TMPDIR/clone.spdx.json"
	assert_success
	cmp "$O/sbom.cdx.json" "$BATS_TEST_TMPDIR/clone.cdx.json"
	cmp "$O/sbom.spdx.json" "$BATS_TEST_TMPDIR/clone.spdx.json"
	# What the image was built from, and nothing the checkout holds besides.
	cdx="$O/sbom.cdx.json"
	[ "$(jq -r '.components[] | select(.name == "requests") | .version' "$cdx")" = 2.0.0 ]
	[ "$(jq -r '.components[] | select(.name == "lib") | .version' "$cdx")" = "$(git -C "$S" rev-parse v1:sub/lib)" ]
	[ "$(jq -r '.metadata.component.properties[] | select(.name == "ccgov:vcs:commit") | .value' "$cdx")" = "$(git -C "$S" rev-parse v1)" ]
	[ "$(jq -r '.metadata.component.properties[] | select(.name == "ccgov:source:version") | .value' "$cdx")" = v1 ]
	[ "$(jq -r .metadata.timestamp "$cdx")" = 2023-11-14T22:13:20Z ]
	run grep -l untracked "$O/sbom.cdx.json" "$O/sbom.spdx.json"
	assert_failure 1
}

@test "passwords and tokens in URLs never reach ccgov source, the provenance or either SBOM" {
	make_submodules
	git -C "$S" config -f .gitmodules submodule.sub/lib.url \
		'https://ci:SECRET@git.example.org/bank/lib.git?access_token=SECRET#SECRET'
	cat >"$S/Cargo.lock" <<-'LOCK'
	version = 3

	[[package]]
	name = "dep"
	version = "1.0.0"
	source = "git+https://SECRET@github.com/org/dep?branch=main&access_token=SECRET#0123456789abcdef0123456789abcdef01234567"
	LOCK
	git -C "$S" add .gitmodules Cargo.lock
	git -C "$S" commit -q -m "URLs with credentials"
	for url in 'https://git.example.org/bank/sample.git?access_token=SECRET#frag' \
		'https://user:SECRET@git.example.org/bank/sample.git' 'ssh://git:SECRET@git.example.org/bank/sample.git'; do
		git -C "$S" remote remove origin 2>/dev/null || true
		git -C "$S" remote add origin "$url"
		run ccgov source "$S"
		assert_success
		refute_output --partial SECRET
		run ccgov source "$S" --format json
		assert_success
		refute_output --partial SECRET
		run ccgov build -q "$S" -o "$O"
		assert_success
		run grep -rl SECRET "$O"
		assert_failure 1
	done
	p="$O/provenance.intoto.json"
	d=.predicate.buildDefinition
	[ "$(jq -r "$d.externalParameters.source.repository" "$p")" = ssh://git@git.example.org/bank/sample.git ]
	[ "$(jq -r "$d.resolvedDependencies[1].annotations.url" "$p")" = https://git.example.org/bank/lib.git ]
	run jq -r '.components[] | select(.name == "dep") | .properties[] | select(.name == "ccgov:cargo:source") | .value' "$O/sbom.cdx.json"
	assert_output "git+https://github.com/org/dep?branch=main#0123456789abcdef0123456789abcdef01234567"
	run jq -r '.components[] | select(.name == "lib") | .properties[] | select(.name == "ccgov:vcs:url") | .value' "$O/sbom.cdx.json"
	assert_output https://git.example.org/bank/lib.git
}

@test "the build starts with exactly descriptors 0, 1 and 2, whatever ccgov and its caller hold open" {
	# The shell lists its own descriptors (ls runs in a child of it) onto the build's output, which
	# ccgov copies to its standard error; a redirection would make the shell save a descriptor.
	cat >"$S/ccgov.json" <<-'JSON'
	{"name": "fds", "build": "ls /proc/$$/fd; echo done > done.txt", "outputs": [{"path": "done.txt", "dest": "done.txt"}]}
	JSON
	git -C "$S" commit -qam fds
	for view in namespace --no-namespace; do
		run --separate-stderr bash -c 'exec 7>"$1/held" 9<&0; "$CCGOV" build "$2" -o "$3" --build-dir "$1/bd" $4' _ \
			"$BATS_TEST_TMPDIR" "$S" "$O" "${view#namespace}"
		assert_success
		assert_equal "$(echo "$stderr" | sort -n | tr '\n' ' ')" "0 1 2 "
	done
}

@test "a repeated option is merged, and a bad value is refused before any work, exit 2" {
	FOO=bar run ccgov build -q "$S" -o "$O" --keep-env FOO --keep-env FOO --env A=1 --env B=2 --env A=3 \
		--output hello:/usr/local/bin/hello --output hello:usr/local/bin/hello
	assert_success
	p="$O/provenance.intoto.json"
	d=.predicate.buildDefinition
	[ "$(jq -c "$d.internalParameters.environment.kept" "$p")" = "{\"FOO\":\"sha256:$(printf bar | sha256sum | cut -c1-64)\"}" ]
	[ "$(jq -c "$d.externalParameters.config.image.env" "$p")" = '["A=3","B=2"]' ]
	[ "$(jq -c "$d.externalParameters.config.outputs" "$p")" = '[{"dest":"usr/local/bin/hello","path":"hello"}]' ]
	# Refused at once: the build command, which would run for a minute, never starts.
	refused() {
		local want="$1"
		shift
		run timeout 20 "$CCGOV" build -q "$S" -o "$BATS_TEST_TMPDIR/refused" --command 'sleep 60' "$@"
		assert_failure 2
		assert_output "ccgov: error: $want"
		[ ! -e "$BATS_TEST_TMPDIR/refused" ]
	}
	refused "--keep-env: 'A=B' is not a variable name (letters, digits and _, not starting with a digit)" --keep-env A=B
	refused "--keep-env: '' is not a variable name (letters, digits and _, not starting with a digit)" --keep-env ''
	refused "--keep-env: '1X' is not a variable name (letters, digits and _, not starting with a digit)" --keep-env FOO --keep-env 1X
	refused "--env: 'A' is not NAME=VALUE" --env A
	refused "--label: '=x' is not KEY=VALUE" --label =x
	refused "--output: dest: 'a' is already the dest of 'hello'" --output hello:/a --output other:a
	refused "--name: 'Bad' is not a valid image name (lowercase letters, digits, . _ - /)" --name Bad
	refused "nosuch: no such revision" --rev nosuch
	mkdir "$BATS_TEST_TMPDIR/notes" && echo precious >"$BATS_TEST_TMPDIR/notes/notes.txt"
	refused "$BATS_TEST_TMPDIR/notes: exists and is not a ccgov evidence bundle; not replacing it" -o "$BATS_TEST_TMPDIR/notes"
	[ "$(cat "$BATS_TEST_TMPDIR/notes/notes.txt")" = precious ]
}

@test "a clone whose origin is a folder on this machine records no repository: provenance, SBOMs and ccgov source agree" {
	git clone -q "$S" "$BATS_TEST_TMPDIR/workspace/clone"
	run ccgov build -q "$BATS_TEST_TMPDIR/workspace/clone" -o "$O"
	assert_success
	d=.predicate.buildDefinition
	[ "$(jq -r "$d.externalParameters.source | has(\"repository\")" "$O/provenance.intoto.json")" = false ]
	[ "$(jq -r "$d.resolvedDependencies[0].uri" "$O/provenance.intoto.json")" != "git+$S" ]
	run grep -rlF "$S" "$O"
	assert_failure 1
	run ccgov source "$BATS_TEST_TMPDIR/workspace/clone" --format json
	[ "$(echo "$output" | jq -r .remote)" = null ]
}
