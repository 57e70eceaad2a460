#!/usr/bin/env bats
# ccgov sbom --image tells what a runtime would unpack: the files of the
# last layer that wrote them, whiteouts applied, hard links and symbolic
# links listed. Checked against umoci, an unpacker independent of ccgov,
# on layouts these tests assemble by hand with GNU tar, gzip and sha256sum.

load helpers

setup() {
	W="$BATS_TEST_TMPDIR/w"
	mkdir -p "$W"
}

# digest_of FILE: sha256:<hex>
digest_of() {
	echo "sha256:$(sha256sum "$1" | cut -d' ' -f1)"
}

# add_blob LAYOUT FILE: moves FILE into LAYOUT's blobs, prints its digest.
add_blob() {
	local d
	d=$(digest_of "$2")
	mkdir -p "$1/blobs/sha256"
	mv "$2" "$1/blobs/sha256/${d#sha256:}"
	echo "$d"
}

# make_layout LAYOUT TAR...: an OCI layout, tagged "t", of these layer tars
# in order; a name ending in .gz is gzipped first. Blobs, digests and JSON
# are written here, independently of ccgov.
make_layout() {
	local layout=$1 t diff blob layers='' diffs='' mt cfg cfgd man mand
	shift
	mkdir -p "$layout/blobs/sha256"
	for t in "$@"; do
		diff=$(digest_of "${t%.gz}")
		if [ "${t%.gz}" != "$t" ]; then
			gzip -n -c "${t%.gz}" >"$t.blob"
			mt=application/vnd.oci.image.layer.v1.tar+gzip
		else
			cp "$t" "$t.blob"
			mt=application/vnd.oci.image.layer.v1.tar
		fi
		size=$(stat -c %s "$t.blob")
		blob=$(add_blob "$layout" "$t.blob")
		layers="$layers${layers:+,}{\"mediaType\":\"$mt\",\"digest\":\"$blob\",\"size\":$size}"
		diffs="$diffs${diffs:+,}\"$diff\""
	done
	printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$diffs" >"$W/config.json"
	cfg=$(stat -c %s "$W/config.json")
	cfgd=$(add_blob "$layout" "$W/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
		"$cfgd" "$cfg" "$layers" >"$W/manifest.json"
	man=$(stat -c %s "$W/manifest.json")
	mand=$(add_blob "$layout" "$W/manifest.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"t"}}]}' \
		"$mand" "$man" >"$layout/index.json"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"
}

# unpacked_set ROOTFS: "path sha256" per regular file, "path -> target" per symbolic link, sorted.
unpacked_set() {
	(cd "$1" && find . \( -type f -o -type l \) -printf '%y %P\n' | while read -r y p; do
		if [ "$y" = l ]; then echo "/$p -> $(readlink "$p")"; else echo "/$p $(sha256sum <"$p" | cut -d' ' -f1)"; fi
	done) | LC_ALL=C sort
}

# sbom_set SBOM: the same lines from a CycloneDX image SBOM.
sbom_set() {
	jq -r '.components[] | select(.type == "file") |
		if any(.properties[]?; .name == "ccgov:file:symlink-target")
		then "\(.name) -> \(.properties[] | select(.name == "ccgov:file:symlink-target") | .value)"
		else "\(.name) \(.hashes[0].content)" end' "$1" | LC_ALL=C sort
}

# umoci_set LAYOUT: what umoci unpacks from the layout's image "t".
umoci_set() {
	umoci --log error unpack --rootless --image "$1:t" "$W/bundle" >/dev/null
	unpacked_set "$W/bundle/rootfs"
}

# Three layers that exercise every rule: a path written twice in one layer
# and again in a later one, hard links (one whose target is replaced later),
# symbolic links (one a folder that a later member is written through),
# a whiteout, an opaque folder, and a gzipped layer.
make_hostile_layers() {
	local l1="$W/l1" l2="$W/l2" l3="$W/l3"
	mkdir -p "$l1/a/usr/bin" "$l1/b/usr/bin" "$l1/a/etc" "$l1/a/opt/old" "$l1/a/var"
	echo BENIGN >"$l1/a/usr/bin/app"
	echo MALICIOUS >"$l1/b/usr/bin/app"
	echo config-1 >"$l1/a/etc/conf"
	ln "$l1/a/etc/conf" "$l1/a/etc/conf.link"
	echo one >"$l1/a/opt/old/one"
	echo gone >"$l1/a/var/gone"
	ln -s usr/bin "$l1/a/bin"
	ln -s ../etc/conf "$l1/a/opt/conf-ref"
	# usr/bin/app twice in one layer: BENIGN first, MALICIOUS last.
	tar --format=posix --sort=name -C "$l1/a" -cf "$W/layer1.tar" .
	tar --format=posix -C "$l1/b" -rf "$W/layer1.tar" usr/bin/app
	mkdir -p "$l2/var" "$l2/opt/old" "$l2/etc"
	: >"$l2/var/.wh.gone"
	: >"$l2/opt/old/.wh..wh..opq"
	echo fresh >"$l2/opt/old/fresh"
	echo config-2 >"$l2/etc/conf"
	tar --format=posix --sort=name -C "$l2" -cf "$W/layer2.tar" .
	# A member written through the symbolic link bin -> usr/bin lands in usr/bin.
	mkdir -p "$l3/bin"
	echo via-link >"$l3/bin/tool"
	echo FINAL >"$l3/app"
	tar --format=posix -C "$l3" -cf "$W/layer3.tar" bin/tool
	tar --format=posix -C "$l3" -rf "$W/layer3.tar" --transform 's|^app$|usr/bin/app|' app
	make_layout "$W/img" "$W/layer1.tar" "$W/layer2.tar" "$W/layer3.tar.gz"
}

@test "--image lists what umoci unpacks: last writer wins, whiteouts applied, links kept" {
	make_hostile_layers
	run --separate-stderr ccgov sbom "$W" --image "$W/img" --format cyclonedx-json -o "$W/sbom.json"
	assert_success
	assert_equal "$stderr" ""
	want=$(umoci_set "$W/img")
	assert_equal "$(sbom_set "$W/sbom.json")" "$want"
	# The exact set, so that umoci and ccgov cannot agree on something wrong.
	h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
	assert_equal "$want" "$(printf '%s\n' \
		"/bin -> usr/bin" \
		"/etc/conf $(h $'config-2\n')" \
		"/etc/conf.link $(h $'config-1\n')" \
		"/opt/conf-ref -> ../etc/conf" \
		"/opt/old/fresh $(h $'fresh\n')" \
		"/usr/bin/app $(h $'FINAL\n')" \
		"/usr/bin/tool $(h $'via-link\n')" | LC_ALL=C sort)"
	# A hard link names the file it shares content with, when that path still does.
	run jq -r '.components[] | select(.name == "/etc/conf.link") | [.properties[]? | select(.name | startswith("ccgov:file:")) | .name] | join(" ")' "$W/sbom.json"
	assert_output ""
}

@test "--image: a hard link whose target stays names it; both paths carry the one hash" {
	mkdir -p "$W/l/usr/bin"
	echo python >"$W/l/usr/bin/python3.11"
	ln "$W/l/usr/bin/python3.11" "$W/l/usr/bin/python3"
	tar --format=posix --sort=name -C "$W/l" -cf "$W/layer.tar" .
	tar -tvf "$W/layer.tar" | grep -q '^h'
	make_layout "$W/img" "$W/layer.tar"
	ccgov sbom "$W" --image "$W/img" --format cyclonedx-json -o "$W/sbom.json"
	assert_equal "$(sbom_set "$W/sbom.json")" "$(umoci_set "$W/img")"
	run jq -r '.components[] | select(.type == "file") | "\(.name) \([.properties[]? | select(.name | startswith("ccgov:file:")) | "\(.name)=\(.value)"] | join(" "))"' "$W/sbom.json"
	assert_output "/usr/bin/python3 
/usr/bin/python3.11 ccgov:file:hardlink-to=/usr/bin/python3"
}

@test "--image: ccgov's own images list what umoci unpacks, hard links and symbolic links too" {
	make_sample "$W/src"
	ccgov build "$W/src" -o "$W/out" -q >/dev/null
	umoci --log error unpack --rootless --image "$W/out/image:1.0" "$W/bundle" >/dev/null
	assert_equal "$(sbom_set "$W/out/sbom.cdx.json")" "$(unpacked_set "$W/bundle/rootfs")"
	# A build whose outputs hold a hard link and a symbolic link.
	mkdir -p "$W/links"
	cat >"$W/links/ccgov.json" <<-'JSON'
	{ "name": "links", "tag": "1", "build": "mkdir -p out && echo a >out/a && ln out/a out/b && ln -s a out/c",
	  "outputs": [ { "path": "out", "dest": "/opt/app" } ] }
	JSON
	git -C "$W/links" init -q -b main . && git -C "$W/links" add -A && git -C "$W/links" commit -q -m links
	ccgov build "$W/links" -o "$W/lout" -q >/dev/null
	rm -rf "$W/bundle"
	umoci --log error unpack --rootless --image "$W/lout/image:1" "$W/bundle" >/dev/null
	a=$(printf 'a\n' | sha256sum | cut -d' ' -f1)
	assert_equal "$(unpacked_set "$W/bundle/rootfs")" "/opt/app/a $a
/opt/app/b $a
/opt/app/c -> a"
	assert_equal "$(sbom_set "$W/lout/sbom.cdx.json")" "$(unpacked_set "$W/bundle/rootfs")"
}

@test "--image: what no runtime unpacks is refused, naming the layer and the member" {
	mkdir -p "$W/l"
	echo x >"$W/l/file"
	tar --format=posix -C "$W/l" -cf "$W/layer.tar" file
	tar --format=posix -C "$W/l" -rf "$W/layer.tar" --transform 's|^file$|file/inside|' file
	make_layout "$W/img" "$W/layer.tar"
	run --separate-stderr ccgov sbom "$W" --image "$W/img" --format cyclonedx-json -o "$W/sbom.json"
	assert_failure 2
	assert_equal "$stderr" "ccgov: error: $W/img: layer 1: file/inside: its folder is not a folder"
	[ ! -e "$W/sbom.json" ]
	# A symbolic link loop on the way.
	rm -rf "$W/l" "$W/img" && mkdir -p "$W/l"
	ln -s b "$W/l/a" && ln -s a "$W/l/b" && echo x >"$W/l/x"
	tar --format=posix -C "$W/l" -cf "$W/layer.tar" a b
	tar --format=posix -C "$W/l" -rf "$W/layer.tar" --transform 's|^x$|a/x|' x
	make_layout "$W/img" "$W/layer.tar"
	run --separate-stderr ccgov sbom "$W" --image "$W/img" --format cyclonedx-json
	assert_failure 2
	assert_equal "$stderr" "ccgov: error: $W/img: layer 1: a/x: too many levels of symbolic links"
	# A hard link to nothing.
	rm -rf "$W/l" "$W/img" && mkdir -p "$W/l"
	echo x >"$W/l/x" && ln "$W/l/x" "$W/l/y"
	tar --format=posix -C "$W/l" -cf "$W/layer.tar" x y
	tar --delete -f "$W/layer.tar" x
	make_layout "$W/img" "$W/layer.tar"
	run --separate-stderr ccgov sbom "$W" --image "$W/img" --format cyclonedx-json
	assert_failure 2
	assert_equal "$stderr" "ccgov: error: $W/img: layer 1: y: a hard link to nothing"
}

@test "--image reads each layer blob once: a blob swapped after it was opened is never read" {
	command -v cc >/dev/null || skip "no C compiler"
	mkdir -p "$W/good" "$W/bad"
	echo BENIGN >"$W/good/app"
	echo MALICIOUS >"$W/bad/app"
	tar --format=posix --mtime=@0 --owner=0 --group=0 -C "$W/good" -cf "$W/layer.tar" app
	tar --format=posix --mtime=@0 --owner=0 --group=0 -C "$W/bad" -cf "$W/evil.tar" app
	make_layout "$W/img" "$W/layer.tar"
	blob=$(jq -r .layers[0].digest "$W/img/blobs/sha256/$(jq -r '.manifests[0].digest' "$W/img/index.json" | cut -d: -f2)")
	# A shim that puts the evil layer in place of the blob when it is opened a second time.
	cc -shared -fPIC -o "$W/swap.so" "$REPO_ROOT/tests/swap_on_reopen.c" -ldl
	# Under ASan its runtime must come first in the preload list.
	asan=$(ldd "$CCGOV" | awk '/libasan/ { print $3 }')
	SWAP_PATH="blobs/sha256/${blob#sha256:}" SWAP_WITH="$W/evil.tar" LD_PRELOAD="${asan:+$asan }$W/swap.so" \
		ccgov sbom "$W" --image "$W/img" --format cyclonedx-json -o "$W/sbom.json"
	assert_equal "$(jq -r '.components[] | select(.name == "/app") | .hashes[0].content' "$W/sbom.json")" \
		"$(printf 'BENIGN\n' | sha256sum | cut -d' ' -f1)"
}

@test "--image: an ELF string that is not text is warned and left out; the rest of the file is described" {
	mkdir -p "$W/src"
	printf 'int main(void) { return 0; }\n' >"$W/t.c"
	cc -static -o "$W/src/t" "$W/t.c"
	printf 'GCC: (Debian 12.2.0-14) 12.2.0\0odd\xa5 compiler\0' >"$W/comment"
	objcopy --update-section .comment="$W/comment" "$W/src/t"
	cat >"$W/src/ccgov.json" <<-'JSON'
	{ "name": "elf-text", "tag": "1", "build": "true", "outputs": [ { "path": "t", "dest": "/usr/bin/t" } ] }
	JSON
	git -C "$W/src" init -q -b main . && git -C "$W/src" add -A && git -C "$W/src" commit -q -m t
	run --separate-stderr ccgov build "$W/src" -o "$W/out" -q
	assert_success
	assert_equal "$stderr" "ccgov: warning: sbom: /usr/bin/t: .comment 'odd\\xa5 compiler' is not text an SBOM can hold (UTF-8 without control characters, at most 1024 bytes); left out"
	# The file is still there with its hash and its compiler.
	f="$W/out/sbom.cdx.json"
	[ "$(jq -r '.components[] | select(.name == "/usr/bin/t") | .hashes[0].content' "$f")" != null ]
	[ "$(jq -r '.components[] | select(.name == "/usr/bin/t") | .properties[] | select(.name == "ccgov:elf:compiler") | .value' "$f")" = \
	  "GCC: (Debian 12.2.0-14) 12.2.0" ]
}

@test "--image: a file name that is not text is listed escaped; a dpkg or os-release value that is not text is warned at its line and left out" {
	python3 - "$W/l.tar" <<-'PY'
	import io, sys, tarfile
	with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
	    for name, data in ((b"usr/bin/a\xe2\x80\xaeb", b"x\n"),
	                       (b"etc/os-release", b"ID=deb\x01ian\nVERSION_ID=\"12\"\n"),
	                       (b"var/lib/dpkg/status", b"Package: a\x01b\nStatus: install ok installed\nVersion: 1\n\n"
	                        b"Package: ok\nStatus: install ok installed\nVersion: 2\nArchitecture: amd64\n")):
	        i = tarfile.TarInfo(name.decode("utf-8", "surrogateescape"))
	        i.size = len(data)
	        t.addfile(i, io.BytesIO(data))
	PY
	make_layout "$W/img" "$W/l.tar"
	run --separate-stderr ccgov sbom "$W" --image "$W/img" --format cyclonedx-json -o "$W/sbom.json"
	assert_success
	held="is not text an SBOM can hold (UTF-8 without control characters, at most 1024 bytes); left out"
	assert_equal "$stderr" "ccgov: warning: /etc/os-release: ID 'deb\\x01ian' $held
ccgov: warning: /var/lib/dpkg/status:1: Package 'a\\x01b' $held"
	run jq -r '.components[] | .purl // .name' "$W/sbom.json"
	assert_output '/etc/os-release
/usr/bin/a\xe2\x80\xaeb
/var/lib/dpkg/status
pkg:deb/debian/ok@2?arch=amd64&distro=debian-12'
	need_shared
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/sbom.json"
	assert_success
}

@test "--image: an ELF file over 16 MiB is described as a small one is (its bytes wait in a temporary file, not in memory)" {
	mkdir -p "$W/src"
	printf 'char big[20 << 20] = { 1 };\nint main(void) { return big[0] - 1; }\n' >"$W/big.c"
	cc -static -o "$W/src/big" "$W/big.c"
	[ "$(stat -c %s "$W/src/big")" -gt $((16 << 20)) ]
	cat >"$W/src/ccgov.json" <<-'JSON'
	{ "name": "big", "tag": "1", "build": "true", "outputs": [ { "path": "big", "dest": "/usr/bin/big" } ] }
	JSON
	git -C "$W/src" init -q -b main . && git -C "$W/src" add -A && git -C "$W/src" commit -q -m big
	run --separate-stderr ccgov build "$W/src" -o "$W/out" -q --strict
	assert_success
	f='.components[] | select(.name == "/usr/bin/big")'
	[ "$(jq -r "$f | .properties[] | select(.name == \"ccgov:elf:build-id\") | .value" "$W/out/sbom.cdx.json")" = \
	  "$(readelf -n "$W/src/big" | awk '/Build ID:/ { print $3 }')" ]
	[ "$(jq -r "$f | .hashes[0].content" "$W/out/sbom.cdx.json")" = "$(sha256sum "$W/src/big" | cut -d' ' -f1)" ]
}

@test "--image: Alpine's apk database: each installed package as pkg:apk, a package without V: warned at its line" {
	python3 - "$W/l.tar" <<-'PY'
	import io, sys, tarfile
	db = (b"C:Q1xEZQ3AH5m3e+bk8C1JRTLcjFa5o=\nP:musl\nV:1.2.4-r2\nA:x86_64\nS:383152\nL:MIT\no:musl\n"
	      b"F:lib\nR:ld-musl-x86_64.so.1\n\n"
	      b"C:Q1Jb3vGnMNVMUdLl7HrGf8Pq1xOpg=\nP:busybox\nV:1.36.1-r5\nA:x86_64\nL:GPL-2.0-only\n\n"
	      b"P:broken\nA:x86_64\n")
	with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
	    for name, data in ((b"lib/apk/db/installed", db), (b"etc/os-release", b"ID=alpine\nVERSION_ID=3.19.0\n")):
	        i = tarfile.TarInfo(name.decode())
	        i.size = len(data)
	        t.addfile(i, io.BytesIO(data))
	PY
	make_layout "$W/img" "$W/l.tar"
	run --separate-stderr ccgov sbom "$W" --image "$W/img" --format cyclonedx-json -o "$W/sbom.json"
	assert_success
	assert_equal "$stderr" "ccgov: warning: /lib/apk/db/installed:17: a package without V:; left out"
	run jq -r '.components[] | select(.type == "library") | .purl' "$W/sbom.json"
	assert_output 'pkg:apk/alpine/busybox@1.36.1-r5?arch=x86_64&distro=alpine-3.19.0
pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.0'
	need_shared
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/sbom.json"
	assert_success
}
