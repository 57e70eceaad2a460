#!/usr/bin/env bats
# ccgov build on a base image: pinned by digest, its layers reused byte for
# byte, its config merged, checked against ccgov's own layer, and the
# result started by a real OCI runtime. Bases are made here with umoci (an
# independent writer) from busybox-static and this machine's C library.
load helpers

setup() {
	W="$BATS_TEST_TMPDIR/w"
	mkdir -p "$W"
}

# make_base LAYOUT [libc]: a one-layer OCI layout with busybox as /bin/sh,
# echo and cat, PATH and LANG set and Cmd /bin/sh; with libc, the dynamic
# loader and C library this machine's programs use, at the same paths.
# Prints the manifest digest.
make_base() {
	local layout=$1 b="$BATS_TEST_TMPDIR/bundle.$RANDOM" f
	umoci --log error init --layout "$layout"
	umoci --log error new --image "$layout:b"
	umoci --log error config --image "$layout:b" --config.env PATH=/usr/bin:/bin --config.env LANG=C.UTF-8 \
		--config.cmd /bin/sh
	umoci --log error unpack --image "$layout:b" "$b" >/dev/null
	mkdir -p "$b/rootfs/bin"
	cp /bin/busybox "$b/rootfs/bin/busybox"
	for t in sh echo cat; do ln -s busybox "$b/rootfs/bin/$t"; done
	if [ "${2:-}" = libc ]; then
		for f in "$(readelf -l /bin/true | sed -n 's/.*interpreter: \(.*\)]/\1/p')" \
			"$(ldd /bin/true | awk '/libc\.so/ { print $3 }')"; do
			mkdir -p "$b/rootfs$(dirname "$f")"
			cp -L "$f" "$b/rootfs$f"
		done
	fi
	umoci --log error repack --image "$layout:b" "$b"
	umoci --log error gc --layout "$layout"
	jq -r '.manifests[0].digest' "$layout/index.json"
}

# run_image LAYOUT:TAG [STATUS]: unpacked by umoci, started by runc (which
# must exit STATUS when given); its output in $output.
run_image() {
	local bundle="$BATS_TEST_TMPDIR/run.$RANDOM"
	umoci --log error unpack --image "$1" "$bundle" >/dev/null
	jq '.process.terminal = false' "$bundle/config.json" >"$bundle/c" && mv "$bundle/c" "$bundle/config.json"
	run ${2:+-$2} runc run --bundle "$bundle" "ccgov-test-$$-$RANDOM"
}

@test "the sample on a base with its C library: no warning, base layers kept byte for byte, and runc runs it" {
	d=$(make_base "$W/base" libc)
	make_sample "$W/src"
	run --separate-stderr ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/base@$d"
	assert_success
	assert_equal "$stderr" ""
	# The base's layer descriptors head the image's, unchanged; its blobs are the same bytes.
	base_manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$W/base/index.json")
	out_manifest=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$W/out/image/index.json")
	run jq -cS '.layers[0]' "$W/base/blobs/sha256/$base_manifest"
	base_layer=$output
	run jq -cS '.layers | length, .[0]' "$W/out/image/blobs/sha256/$out_manifest"
	assert_output "2
$base_layer"
	b=$(echo "$base_layer" | jq -r '.digest | sub("sha256:"; "")')
	cmp "$W/base/blobs/sha256/$b" "$W/out/image/blobs/sha256/$b"
	# skopeo reads it; the platform is the base's; the base is named.
	run skopeo inspect "oci:$W/out/image:1.0"
	assert_success
	[ "$(echo "$output" | jq -r '.Architecture, (.Layers | length)' | paste -sd ' ')" = "$(jq -r .architecture "$W/base/blobs/sha256/$(jq -r '.config.digest | sub("sha256:"; "")' "$W/base/blobs/sha256/$base_manifest")") 2" ]
	[ "$(jq -r '.annotations["org.opencontainers.image.base.digest"]' "$W/out/image/blobs/sha256/$out_manifest")" = "$d" ]
	command -v runc >/dev/null || skip "runc is not installed"
	run_image "$W/out/image:1.0"
	assert_success
	assert_output "hello from a governed build"
}

@test "on a base: the same commit from two clones gives one digest; the config is the base's with ccgov's on top" {
	d=$(make_base "$W/base" libc)
	make_sample "$W/src"
	git clone -q "$W/src" "$W/elsewhere/clone"
	ccgov build "$W/src" -o "$W/out1" -q --base "oci:$W/base@$d" --env LANG=C --env TZ=UTC 2>/dev/null
	(cd "$W" && ccgov build elsewhere/clone -o "$W/out2" -q --base "oci:base@$d" --env LANG=C --env TZ=UTC 2>/dev/null)
	[ "$(cat "$W/out1/image.digest")" = "$(cat "$W/out2/image.digest")" ]
	m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$W/out1/image/index.json")
	c=$(jq -r '.config.digest | sub("sha256:"; "")' "$W/out1/image/blobs/sha256/$m")
	# Env merged name by name; our Entrypoint drops the base's Cmd; history and diff_ids extended.
	run jq -c '.config | [.Env, .Entrypoint, .Cmd, .User]' "$W/out1/image/blobs/sha256/$c"
	assert_output '[["PATH=/usr/bin:/bin","LANG=C","TZ=UTC"],["/usr/local/bin/hello"],null,"65532:65532"]'
	bm=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$W/base/index.json")
	bc=$(jq -r '.config.digest | sub("sha256:"; "")' "$W/base/blobs/sha256/$bm")
	run jq -c '[(.rootfs.diff_ids | length), (.history | length), .history[-1].created_by]' "$W/out1/image/blobs/sha256/$c"
	assert_output "[2,$(($(jq '.history | length' "$W/base/blobs/sha256/$bc") + 1)),\"ccgov build\"]"
}

@test "on a base: the provenance lists it as a resolved dependency; the SBOM holds its files and depends on it" {
	d=$(make_base "$W/base" libc)
	make_sample "$W/src"
	ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/base@$d"
	m=$(jq -r '.manifests[0].digest' "$W/base/index.json")
	run jq -c '.predicate.buildDefinition.resolvedDependencies[] | select(.annotations.kind == "base image") | [.name, .digest.sha256, .annotations.manifest]' "$W/out/provenance.intoto.json"
	assert_output "[\"oci:$W/base@$d\",\"${d#sha256:}\",\"$m\"]"
	run jq -r '.components[] | select(.type == "container") | "\(.name) \(.version) \(.purl)"' "$W/out/sbom.cdx.json"
	assert_output "base $m pkg:oci/base@${m/:/%3A}"
	run jq -r '.dependencies[0].dependsOn | index("pkg:oci/base@'"${m/:/%3A}"'") != null' "$W/out/sbom.cdx.json"
	assert_output true
	run jq -r '[.components[] | select(.type == "file") | .name] | join(" ")' "$W/out/sbom.cdx.json"
	assert_output --partial "/bin/busybox"
	assert_output --partial "/usr/local/bin/hello"
	# The image names its base (base.name, base.digest): ccgov sbom --image writes the build's bytes.
	for f in cyclonedx-json:cdx spdx-json:spdx; do
		ccgov sbom "$W/src" --image "$W/out/image" --format "${f%%:*}" -o "$W/again.json"
		cmp "$W/again.json" "$W/out/sbom.${f##*:}.json"
	done
	need_shared
	run "$SHARED/tools/validate-schema" --schema cyclonedx-1.6 "$W/out/sbom.cdx.json"
	assert_success
	run "$SHARED/tools/validate-schema" --schema spdx-2.3 "$W/out/sbom.spdx.json"
	assert_success
}

@test "busybox base, no C library: a shell program runs in runc; the dynamically linked sample is reported" {
	d=$(make_base "$W/base")
	mkdir -p "$W/script"
	printf '#!/bin/sh\necho "hello from $(cat /etc/greeting)"\n' >"$W/script/greet"
	chmod 755 "$W/script/greet"
	echo "a busybox base" >"$W/script/greeting"
	cat >"$W/script/ccgov.json" <<-'JSON'
	{ "name": "greet", "tag": "1", "build": "true",
	  "outputs": [ { "path": "greet", "dest": "/usr/local/bin/greet" }, { "path": "greeting", "dest": "/etc/greeting" } ],
	  "image": { "entrypoint": ["/usr/local/bin/greet"] } }
	JSON
	git -C "$W/script" init -q -b main . && git -C "$W/script" add -A && git -C "$W/script" commit -q -m s
	run --separate-stderr ccgov build "$W/script" -o "$W/out" -q --base "oci:$W/base@$d"
	assert_success
	assert_equal "$stderr" ""
	if command -v runc >/dev/null; then
		run_image "$W/out/image:1"
		assert_success
		assert_output "hello from a busybox base"
	fi
	make_sample "$W/src"
	run --separate-stderr ccgov build "$W/src" -o "$W/out2" -q --base "oci:$W/base@$d"
	assert_success
	loader=$(readelf -l /bin/true | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	fix='set a base image that has it ("base" in ccgov.json, or --base), or link statically'
	assert_equal "$stderr" "ccgov: warning: build: /usr/local/bin/hello: its loader $loader is not in the image: $fix
ccgov: warning: build: /usr/local/bin/hello needs libc.so.6, which is not in the image: $fix"
}

@test "without a base the dynamically linked sample is reported; --strict makes it an error and writes nothing; -static is silent" {
	make_sample "$W/src"
	loader=$(readelf -l /bin/true | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	fix='set a base image that has it ("base" in ccgov.json, or --base), or link statically'
	run --separate-stderr ccgov build "$W/src" -o "$W/out" -q
	assert_success
	assert_equal "$stderr" "ccgov: warning: build: /usr/local/bin/hello: its loader $loader is not in the image: $fix
ccgov: warning: build: /usr/local/bin/hello needs libc.so.6, which is not in the image: $fix"
	run ccgov build "$W/src" -o "$W/strict" -q --strict
	assert_failure 1
	assert_output "ccgov: error: /usr/local/bin/hello: its loader $loader is not in the image: $fix, and more (--strict)"
	[ ! -e "$W/strict" ]
	run --separate-stderr ccgov build "$W/src" -o "$W/static" -q --strict --command 'make LDFLAGS=-static'
	assert_success
	assert_equal "$stderr" ""
	if command -v runc >/dev/null; then
		run_image "$W/static/image:1.0"
		assert_success
		assert_output "hello from a governed build"
	fi
}

@test "a base is taken only pinned by digest: a tag, another transport or a malformed digest is refused with how to pin" {
	make_sample "$W/src"
	run ccgov build "$W/src" -o "$W/out" -q --base oci:base:latest
	assert_failure 2
	assert_output "ccgov: error: --base: base 'oci:base:latest': no digest: a tag can name another image tomorrow, so a base is taken only by digest, oci:PATH@sha256:DIGEST or oci-archive:FILE@sha256:DIGEST (skopeo inspect shows it)"
	run ccgov build "$W/src" -o "$W/out" -q --base docker.io/library/debian:12
	assert_failure 2
	assert_output "ccgov: error: --base: base 'docker.io/library/debian:12': not oci:PATH@sha256:DIGEST or oci-archive:FILE@sha256:DIGEST; ccgov never pulls an image: copy it first, as skopeo copy docker://debian@sha256:DIGEST oci:base does"
	run ccgov build "$W/src" -o "$W/out" -q --base oci:base@sha256:12
	assert_failure 2
	assert_output "ccgov: error: --base: base 'oci:base@sha256:12': the digest is not sha256: and 64 hex digits"
	printf '{ "name": "s", "build": "true", "base": "oci:base:1" }' >"$W/src/ccgov.json"
	git -C "$W/src" commit -q -am base
	run ccgov build "$W/src" -o "$W/out" -q
	assert_failure 2
	assert_output --partial "ccgov: error: $W/src/ccgov.json: base: base 'oci:base:1': no digest"
	[ ! -e "$W/out" ]
}

@test "a base layout that does not hold what it pins: each a one-line error naming it, nothing written" {
	d=$(make_base "$W/base")
	make_sample "$W/src"
	other=sha256:$(printf x | sha256sum | cut -d' ' -f1)
	run ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/base@$other"
	assert_failure 2
	assert_output "ccgov: error: base oci:$W/base@$other: $W/base/index.json: names no manifest or index $other, the digest pinned"
	# A layer blob whose bytes are not its digest.
	cp -a "$W/base" "$W/bad"
	m=$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$W/bad/index.json")
	l=$(jq -r '.layers[0].digest | sub("sha256:"; "")' "$W/bad/blobs/sha256/$m")
	chmod u+w "$W/bad/blobs/sha256/$l"
	printf 'X' | dd of="$W/bad/blobs/sha256/$l" bs=1 seek=100 conv=notrunc 2>/dev/null
	run ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/bad@$d"
	assert_failure 1
	assert_output "ccgov: error: base oci:$W/bad@$d: layer 1: $W/bad/blobs/sha256/$l: content does not match its digest (named sha256:$l, content is sha256:$(sha256sum "$W/bad/blobs/sha256/$l" | cut -d' ' -f1))"
	# A missing blob.
	rm "$W/bad/blobs/sha256/$l"
	run ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/bad@$d"
	assert_failure
	assert_output --partial "$W/bad/blobs/sha256/$l: No such file or directory"
	[ ! -e "$W/out" ]
	[ "$(ls "$W" | grep -c '^\.ccgov' || true)" = 0 ]
}

@test "a base with a link where ccgov writes a folder is refused: the link, and what it reaches, would be replaced" {
	d=$(make_base "$W/base")
	# usr/local/bin -> ../../bin in a second layer, as a real image might have it.
	umoci --log error unpack --image "$W/base:b" "$W/b2" >/dev/null
	mkdir -p "$W/b2/rootfs/usr/local"
	ln -s ../../bin "$W/b2/rootfs/usr/local/bin"
	umoci --log error repack --image "$W/base:b" "$W/b2"
	d=$(jq -r '.manifests[0].digest' "$W/base/index.json")
	make_sample "$W/src"
	run ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/base@$d"
	assert_failure 2
	assert_output "ccgov: error: base oci:$W/base@$d has /usr/local/bin as a symbolic link to ../../bin, and the outputs make it a folder, which would replace the link and what the base reaches through it: give the output a dest under ../../bin instead"
	[ ! -e "$W/out" ]
}

@test "an image index base: this machine's platform, or --platform; a platform it lacks lists those it has" {
	d=$(make_base "$W/base" libc)
	m=$(jq -c '.manifests[0] | del(.annotations)' "$W/base/index.json")
	arch=$(jq -r .architecture "$W/base/blobs/sha256/$(jq -r '.config.digest | sub("sha256:"; "")' "$W/base/blobs/sha256/${d#sha256:}")")
	# An index naming the manifest for this platform, written by hand (umoci writes none).
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[%s]}' \
		"$(echo "$m" | jq -c --arg a "$arch" '. + {platform: {os: "linux", architecture: $a}}')" >"$W/index.blob"
	idx=sha256:$(sha256sum "$W/index.blob" | cut -d' ' -f1)
	mv "$W/index.blob" "$W/base/blobs/sha256/${idx#sha256:}"
	jq --arg i "$idx" --argjson s "$(stat -c %s "$W/base/blobs/sha256/${idx#sha256:}")" \
		'.manifests += [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $i, size: $s}]' \
		"$W/base/index.json" >"$W/ix" && mv "$W/ix" "$W/base/index.json"
	make_sample "$W/src"
	run --separate-stderr ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/base@$idx"
	assert_success
	[ "$(jq -r '.manifests[0].digest' "$W/out/image/index.json")" != "" ]
	run jq -r '.annotations["org.opencontainers.image.base.digest"]' "$W/out/image/blobs/sha256/$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$W/out/image/index.json")"
	assert_output "$d"
	run ccgov build "$W/src" -o "$W/out2" -q --base "oci:$W/base@$idx" --platform linux/s390x
	assert_failure 2
	assert_output "ccgov: error: base oci:$W/base@$idx: image index $idx: no manifest for linux/s390x (it has: linux/$arch); choose one with --platform"
	run ccgov build "$W/src" -o "$W/out2" -q --base "oci:$W/base@$idx" --platform Linux
	assert_failure 2
	assert_output "ccgov: error: --platform: platform 'Linux' is not os/architecture[/variant], as linux/amd64 or linux/arm64/v8"
}

@test "oci-archive: a base as one tar (skopeo's oci-archive) builds the same image; members outside a layout are refused" {
	d=$(make_base "$W/base" libc)
	make_sample "$W/src"
	ccgov build "$W/src" -o "$W/from-layout" -q --base "oci:$W/base@$d" 2>/dev/null
	run skopeo copy -q "oci:$W/base:b" "oci-archive:$W/base.tar"
	assert_success
	run --separate-stderr ccgov build "$W/src" -o "$W/from-archive" -q --base "oci-archive:$W/base.tar@$d"
	assert_success
	[ "$(cat "$W/from-layout/image.digest")" = "$(cat "$W/from-archive/image.digest")" ]
	# An archive with a member that climbs out.
	python3 - "$W/evil.tar" <<-'PY'
	import io, sys, tarfile
	with tarfile.open(sys.argv[1], "w") as t:
	    i = tarfile.TarInfo("../escape")
	    i.size = 1
	    t.addfile(i, io.BytesIO(b"x"))
	PY
	run ccgov build "$W/src" -o "$W/evil" -q --base "oci-archive:$W/evil.tar@$d"
	assert_failure 2
	assert_output "ccgov: error: base oci-archive:$W/evil.tar@$d: $W/evil.tar: member ../escape is not part of an OCI image layout (oci-layout, index.json, blobs/sha256/HEX)"
	[ ! -e "$W/evil" ] && [ ! -e "$W/escape" ]
}

@test "a base of 200 layers with a whiteout and a device node is applied as a runtime applies it; a member named from / is refused" {
	for v in base abs; do
	python3 - "$W/$v" "$v" <<-'PY'
	import gzip, hashlib, io, json, os, sys, tarfile
	out = sys.argv[1]
	os.makedirs(out + "/blobs/sha256")
	def blob(data):
	    d = hashlib.sha256(data).hexdigest()
	    open(f"{out}/blobs/sha256/{d}", "wb").write(data)
	    return "sha256:" + d, len(data)
	layers, diffs = [], []
	for n in range(200):
	    raw = io.BytesIO()
	    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as t:
	        def add(name, data=b"", kind=tarfile.REGTYPE):
	            i = tarfile.TarInfo(name)
	            i.type, i.size, i.mode = kind, len(data), 0o644
	            t.addfile(i, io.BytesIO(data) if data else None)
	        add(f"f/{n:03d}", f"{n}\n".encode())
	        if n == 0:
	            add("dev/null", kind=tarfile.CHRTYPE)
	        if n == 0 and sys.argv[2] == "abs":
	            add("/etc/abs", b"absolute\n")
	        if n == 100:
	            add("f/.wh.050")
	    tar = raw.getvalue()
	    diffs.append("sha256:" + hashlib.sha256(tar).hexdigest())
	    d, size = blob(gzip.compress(tar, mtime=0))
	    layers.append({"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": d, "size": size})
	cd, cs = blob(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
	                          "rootfs": {"type": "layers", "diff_ids": diffs}}).encode())
	md, ms = blob(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
	                          "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": cd, "size": cs},
	                          "layers": layers}).encode())
	json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
	                                              "digest": md, "size": ms}]}, open(out + "/index.json", "w"))
	open(out + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
	PY
	done
	d=$(jq -r '.manifests[0].digest' "$W/base/index.json")
	make_sample "$W/src"
	run --separate-stderr ccgov build "$W/src" -o "$W/out" -q --base "oci:$W/base@$d" --command 'make LDFLAGS=-static'
	assert_success
	assert_equal "$stderr" ""
	run skopeo inspect "oci:$W/out/image:1.0"
	assert_success
	[ "$(echo "$output" | jq '.Layers | length')" = 201 ]
	# What umoci unpacks is what the SBOM lists: 199 numbered files (050 whited out), not the device.
	run jq -r '[.components[] | select(.type == "file") | .name] | (map(select(startswith("/f/"))) | length), (index("/f/050") == null), (index("/dev/null") == null)' "$W/out/sbom.cdx.json"
	assert_output "199
true
true"
	umoci --log error unpack --image "$W/out/image:1.0" "$W/bundle" >/dev/null
	[ "$(ls "$W/bundle/rootfs/f" | wc -l)" = 199 ] && [ ! -e "$W/bundle/rootfs/f/050" ] && [ -c "$W/bundle/rootfs/dev/null" ]
	# A member named from / is refused, as ccgov sbom --image refuses it, naming the layer.
	a=$(jq -r '.manifests[0].digest' "$W/abs/index.json")
	run ccgov build "$W/src" -o "$W/out-abs" -q --base "oci:$W/abs@$a" --command 'make LDFLAGS=-static'
	assert_failure 2
	assert_output "ccgov: error: base oci:$W/abs@$a: layer 1: /etc/abs: absolute path not allowed"
	[ ! -e "$W/out-abs" ]
}

@test "sbom diff between the same project on two versions of a base shows what changed in the base" {
	d1=$(make_base "$W/base" libc)
	make_sample "$W/src"
	ccgov build "$W/src" -o "$W/out1" -q --base "oci:$W/base@$d1"
	umoci --log error unpack --image "$W/base:b" "$W/b2" >/dev/null
	mkdir -p "$W/b2/rootfs/etc"
	echo "v2" >"$W/b2/rootfs/etc/base-release"
	umoci --log error repack --image "$W/base:b" "$W/b2"
	d2=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "b") | .digest' "$W/base/index.json")
	ccgov build "$W/src" -o "$W/out2" -q --base "oci:$W/base@$d2"
	run --separate-stderr ccgov sbom diff "$W/out1/sbom.cdx.json" "$W/out2/sbom.cdx.json" --format json
	assert_failure 1
	assert_equal "$stderr" "ccgov: sbom diff: 1 added, 0 removed, 2 changed in version"
	run jq -c '[.added[].name], [.changed[] | select(.id == "pkg:oci/base") | .from[0], .to[0]]' <<<"$output"
	assert_output "[\"/etc/base-release\"]
[\"$d1\",\"$d2\"]"
}

@test "the library check searches LD_LIBRARY_PATH from the image's env, and runc's loader agrees with it either way" {
	d=$(make_base "$W/base")
	umoci --log error unpack --image "$W/base:b" "$W/b2" >/dev/null
	loader=$(readelf -l /bin/true | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	mkdir -p "$W/b2/rootfs$(dirname "$loader")" "$W/b2/rootfs/opt/lib"
	cp -L "$loader" "$W/b2/rootfs$loader"
	cp -L "$(ldd /bin/true | awk '/libc\.so/ { print $3 }')" "$W/b2/rootfs/opt/lib/"
	umoci --log error repack --image "$W/base:b" "$W/b2"
	d=$(jq -r '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "b") | .digest' "$W/base/index.json")
	make_sample "$W/src"
	run --separate-stderr ccgov build "$W/src" -o "$W/without" -q --base "oci:$W/base@$d"
	assert_success
	assert_equal "$stderr" "ccgov: warning: build: /usr/local/bin/hello needs libc.so.6, which is not in the image: set a base image that has it (\"base\" in ccgov.json, or --base), or link statically"
	run --separate-stderr ccgov build "$W/src" -o "$W/with" -q --base "oci:$W/base@$d" --env LD_LIBRARY_PATH=/opt/lib
	assert_success
	assert_equal "$stderr" ""
	command -v runc >/dev/null || skip "runc is not installed"
	# The loader itself cannot start it: 127, naming the library ccgov named.
	run_image "$W/without/image:1.0" 127
	assert_output --partial "libc.so.6: cannot open shared object file"
	run_image "$W/with/image:1.0"
	assert_success
	assert_output "hello from a governed build"
}
