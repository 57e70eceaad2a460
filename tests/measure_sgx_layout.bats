#!/usr/bin/env bats
# ccgov measure sgx --layout: MRENCLAVE from an enclave layout description,
# checked against the SGXS stream of the same enclave and against an
# independent Python implementation (testdata/measure/sgx/layout_ref.py),
# and every way a layout can be refused.

load helpers

setup() {
	S="$REPO_ROOT/testdata/measure/sgx"
	W="$BATS_TEST_TMPDIR"
	TOP='"enclave_size": 16384, "ssa_frame_size": 1,'
	REG='"type": "reg", "permissions": "rw", "measure": "all"'
}

# layout NAME TOP REGIONS: $W/NAME.json with those top-level members and regions.
layout() {
	printf '{ %s "regions": [ %s ] }\n' "$2" "$3" >"$W/$1.json"
}

# refused NAME MESSAGE: measuring $W/NAME.json is exit 2 with exactly that error.
refused() {
	run ccgov measure sgx --layout "$W/$1.json"
	assert_failure 2
	assert_output "ccgov: error: $W/$1.json: $2"
}

@test "sgx layout: the demo enclave described as a layout has the MRENCLAVE of demo.sgxs, and its SIGSTRUCT validates" {
	run ccgov measure sgx --layout "$S/demo.layout.json" --sigstruct "$S/demo.sigstruct" --format json
	assert_success
	[ "$(echo "$output" | jq -r .mrenclave)" = 1576eb895ee2dc45d38d8b272718f19cc5742bfe653b2a62a3dc4abf21f01589 ]
	[ "$(echo "$output" | jq -c '[.pages, .measured_chunks, .unmeasured_chunks, .enclave_size, .ssa_frame_size]')" = '[3,18,14,16384,1]' ]
	[ "$(echo "$output" | jq -c '[.sigstruct.enclavehash_matches, .sigstruct.isvprodid, .sigstruct.isvsvn]')" = '[true,7,2]' ]
	layout_json=$output
	# The same report, to the byte, as from the SGXS stream, in text and in JSON.
	run ccgov measure sgx --sgxs "$S/demo.sgxs" --sigstruct "$S/demo.sigstruct" --format json
	assert_equal "$output" "$layout_json"
	[ "$(ccgov measure sgx --layout "$S/demo.layout.json" --sigstruct "$S/demo.sigstruct")" = \
	  "$(ccgov measure sgx --sgxs "$S/demo.sgxs" --sigstruct "$S/demo.sigstruct")" ]
	# The independent implementation writes that very SGXS stream from the layout.
	run python3 "$S/layout_ref.py" "$S/demo.layout.json" -o "$W/demo.sgxs"
	assert_output 1576eb895ee2dc45d38d8b272718f19cc5742bfe653b2a62a3dc4abf21f01589
	cmp "$W/demo.sgxs" "$S/demo.sgxs"
}

@test "sgx layout: gaps, unaligned file offsets, zero-filled, zero and partly measured pages give the independent MRENCLAVE" {
	# The value in testdata/measure/sgx/README.md, computed by layout_ref.py and by sgxref.py over its SGXS.
	want=ebe517382a76427b1d6560c274090159c7b1e90a8bfad0442c71aef0706f4129
	run ccgov measure sgx --layout "$S/sample.layout.json" --format json
	assert_success
	[ "$(echo "$output" | jq -r .mrenclave)" = "$want" ]
	[ "$(echo "$output" | jq -c '[.pages, .measured_chunks, .unmeasured_chunks, .enclave_size, .ssa_frame_size]')" = '[39,209,31,1048576,2]' ]
	run python3 "$S/layout_ref.py" "$S/sample.layout.json" -o "$W/sample.sgxs"
	assert_output "$want"
	run ccgov measure sgx --sgxs "$W/sample.sgxs"
	assert_line --index 0 "mrenclave    $want"
	# Region files are found beside the layout, wherever ccgov runs.
	cd "$W"
	run ccgov measure sgx --layout "$S/sample.layout.json"
	assert_line --index 0 "mrenclave    $want"
	cd "$S"
	run ccgov measure sgx --layout sample.layout.json
	assert_line --index 0 "mrenclave    $want"
}

@test "sgx layout: a SIGSTRUCT signed for another enclave is exit 1, naming the layout" {
	run --separate-stderr ccgov measure sgx --layout "$S/sample.layout.json" --sigstruct "$S/demo.sigstruct"
	assert_failure 1
	assert_equal "$stderr" "ccgov: error: measure sgx: $S/demo.sigstruct: signed for another enclave: its ENCLAVEHASH is not the MRENCLAVE of $S/sample.layout.json"
}

@test "sgx layout: exactly one of --sgxs and --layout" {
	usage="ccgov: error: measure sgx: usage: ccgov measure sgx --sgxs FILE | --layout FILE [--sigstruct FILE] [--format text|json]"
	run ccgov measure sgx --sgxs "$S/demo.sgxs" --layout "$S/demo.layout.json"
	assert_failure 2
	assert_output "$usage"
	run ccgov measure sgx --sigstruct "$S/demo.sigstruct"
	assert_failure 2
	assert_output "$usage"
	run ccgov measure sgx --layout "$W/missing.json"
	assert_failure 2
	assert_output "ccgov: error: $W/missing.json: No such file or directory"
}

@test "sgx layout: content streams from deep inside a sparse 64 GiB file" {
	truncate -s 64G "$W/huge.bin"
	printf 'end' | dd of="$W/huge.bin" bs=1 seek=$((64 * 1024 * 1024 * 1024 - 3)) conv=notrunc status=none
	layout deep "$TOP" '{ "offset": 0, "pages": 2, "file": "huge.bin", "file_offset": "0xfffffe000", '"$REG"' }'
	run ccgov measure sgx --layout "$W/deep.json" --format json
	assert_success
	# The same enclave from a two-page file holding those bytes.
	tail -c 8192 "$W/huge.bin" >"$W/tail.bin"
	layout tail "$TOP" '{ "offset": 0, "pages": 2, "file": "tail.bin", '"$REG"' }'
	[ "$(echo "$output" | jq -r .mrenclave)" = "$(ccgov measure sgx --layout "$W/tail.json" --format json | jq -r .mrenclave)" ]
	[ "$(echo "$output" | jq -r .mrenclave)" = "$(python3 "$S/layout_ref.py" "$W/tail.json")" ]
}

@test "sgx layout: malformed layouts are precise errors naming the layout and the region" {
	layout top-key "$TOP \"heap_size\": 4096," '{ "offset": 0, "pages": 1, '"$REG"' }'
	refused top-key "unknown key 'heap_size'"
	layout region-key "$TOP" '{ "offset": 0, "pages": 1, "size": 4096, '"$REG"' }'
	refused region-key "region 0: unknown key 'size'"
	layout size "\"enclave_size\": \"0x3000\", \"ssa_frame_size\": 1," '{ "offset": 0, "pages": 1, '"$REG"' }'
	refused size "enclave_size: 0x3000 is not a power of two of at least 0x1000"
	layout small "\"enclave_size\": 2048, \"ssa_frame_size\": 1," '{ "offset": 0, "pages": 1, '"$REG"' }'
	refused small "enclave_size: 0x800 is not a power of two of at least 0x1000"
	for bad in -4096 4096.5 '"4096"' '"0x"' '"0x10000000000000000"' '"0xg000"' 1e300 true; do
		layout number "\"enclave_size\": $bad, \"ssa_frame_size\": 1," '{ "offset": 0, "pages": 1, '"$REG"' }'
		refused number 'enclave_size: not an unsigned integer (a JSON integer from 0 to 2^63-1, or "0x" and 1 to 16 hex digits)'
	done
	# Integers are exact to 64 bits: the check names the very value written.
	layout big '"enclave_size": 9007199254740993, "ssa_frame_size": 1,' '{ "offset": 0, "pages": 1, '"$REG"' }'
	refused big "enclave_size: 0x20000000000001 is not a power of two of at least 0x1000"
	layout huge '"enclave_size": 9223372036854775808, "ssa_frame_size": 1,' '{ "offset": 0, "pages": 1, '"$REG"' }'
	run ccgov measure sgx --layout "$W/huge.json"
	assert_failure 2
	assert_output "ccgov: error: $W/huge.json:1:19: enclave_size: integer 9223372036854775808 does not fit in 64 bits"
	layout ssa '"enclave_size": 16384, "ssa_frame_size": 0,' '{ "offset": 0, "pages": 1, '"$REG"' }'
	refused ssa "ssa_frame_size: 0 is not 1 to 4294967295 pages"
	layout no-ssa '"enclave_size": 16384,' '{ "offset": 0, "pages": 1, '"$REG"' }'
	refused no-ssa "ssa_frame_size: missing"
	layout empty "$TOP" ''
	refused empty "regions: missing, or not a non-empty array"
	layout not-object "$TOP" '5'
	refused not-object "region 0: not a JSON object"
	echo '[]' >"$W/array.json"
	refused array "not a JSON object"
	printf '{ "enclave_size": 16384, "enclave_size": 16384 }' >"$W/dup.json"
	run ccgov measure sgx --layout "$W/dup.json"
	assert_failure 2
	assert_output "ccgov: error: $W/dup.json:1:1: duplicate key \"enclave_size\" in object"
}

@test "sgx layout: regions out of the enclave, unaligned, out of order or overlapping are refused" {
	layout unaligned "$TOP" '{ "offset": "0x1800", "pages": 1, '"$REG"' }'
	refused unaligned "region 0: offset 0x1800 is not page aligned (a multiple of 0x1000)"
	layout zero "$TOP" '{ "offset": 0, "pages": 0, '"$REG"' }'
	refused zero "region 0: pages: 0, a region has at least one page"
	layout outside "$TOP" '{ "offset": 0, "pages": 1, '"$REG"' }, { "offset": "0x3000", "pages": 2, '"$REG"' }'
	refused outside "region 1: offset 0x3000, pages 2: past the end of the enclave (enclave_size 0x4000)"
	layout beyond "$TOP" '{ "offset": "0x4000", "pages": 1, '"$REG"' }'
	refused beyond "region 0: offset 0x4000, pages 1: past the end of the enclave (enclave_size 0x4000)"
	layout huge "$TOP" '{ "offset": "0x1000", "pages": "0xffffffffffffffff", '"$REG"' }'
	refused huge "region 0: offset 0x1000, pages 18446744073709551615: past the end of the enclave (enclave_size 0x4000)"
	layout order "$TOP" '{ "offset": "0x2000", "pages": 1, '"$REG"' }, { "offset": "0x1000", "pages": 1, '"$REG"' }'
	refused order "region 1: offset 0x1000 is below region 0's (0x2000): regions are listed by increasing offset, the order their pages are added"
	layout overlap "$TOP" '{ "offset": 0, "pages": 2, '"$REG"' }, { "offset": "0x1000", "pages": 1, '"$REG"' }'
	refused overlap "region 1: offset 0x1000 overlaps region 0 (0x0 to 0x2000)"
	layout same "$TOP" '{ "offset": "0x1000", "pages": 1, '"$REG"' }, { "offset": "0x1000", "pages": 1, '"$REG"' }'
	refused same "region 1: offset 0x1000 overlaps region 0 (0x1000 to 0x2000)"
}

@test "sgx layout: page types, permissions and chunk masks are checked" {
	layout type "$TOP" '{ "offset": 0, "pages": 1, "type": "secs", "measure": "all" }'
	refused type 'region 0: type: not "reg" or "tcs"'
	layout no-type "$TOP" '{ "offset": 0, "pages": 1, "measure": "all" }'
	refused no-type "region 0: type: missing"
	for perm in wr rww xr R rwxr; do
		layout perm "$TOP" '{ "offset": 0, "pages": 1, "type": "reg", "permissions": "'"$perm"'", "measure": "all" }'
		refused perm "region 0: permissions: '$perm' is not r, w and x, each at most once, in that order"
	done
	layout tcs "$TOP" '{ "offset": 0, "pages": 1, "type": "tcs", "permissions": "rw", "measure": "all" }'
	refused tcs "region 0: permissions: a tcs page has none (its SECINFO R, W and X must be 0)"
	layout no-perm "$TOP" '{ "offset": 0, "pages": 1, "type": "reg", "measure": "all" }'
	refused no-perm "region 0: permissions: missing"
	layout measure "$TOP" '{ "offset": 0, "pages": 1, "type": "reg", "permissions": "r", "measure": "some" }'
	refused measure 'region 0: measure: not "all", "none" or an array of one chunk mask per page'
	layout no-measure "$TOP" '{ "offset": 0, "pages": 1, "type": "reg", "permissions": "r" }'
	refused no-measure "region 0: measure: missing"
	layout count "$TOP" '{ "offset": 0, "pages": 1, "type": "reg", "permissions": "r", "measure": [1, 2] }'
	refused count "region 0: measure: 2 chunk masks, but pages is 1"
	layout mask "$TOP" '{ "offset": 0, "pages": 2, "type": "reg", "permissions": "r", "measure": ["0xffff", 65536] }'
	refused mask 'region 0: measure: mask 1 is not a 16-bit chunk mask (0 to 65535, "0x0" to "0xffff")'
	layout offset-only "$TOP" '{ "offset": 0, "pages": 1, "file_offset": 0, '"$REG"' }'
	refused offset-only "region 0: file_offset: without a file"
	layout name "$TOP" '{ "name": 7, "offset": 0, "pages": 1, '"$REG"' }'
	refused name "region 0: name: not a string"
	# A TCS may say it has no permissions; every chunk mask is a measurement of its own.
	layout fine "$TOP" '{ "offset": 0, "pages": 1, "type": "tcs", "permissions": "", "measure": "all" }, { "offset": "0x1000", "pages": 2, "type": "reg", "permissions": "", "measure": [0, "0xFFFF"] }'
	run ccgov measure sgx --layout "$W/fine.json" --format json
	assert_success
	[ "$(echo "$output" | jq -r .mrenclave)" = "$(python3 "$S/layout_ref.py" "$W/fine.json")" ]
}

@test "sgx layout: region files cannot leave the layout's folder, and must be regular files that reach file_offset" {
	mkdir -p "$W/l/sub"
	cp "$S/demo.content" "$W/l/content.bin"
	echo secret >"$W/secret.bin"
	file_region() { # NAME FILE [MORE]: a layout in $W/l whose second region reads FILE
		layout "l/$1" "$TOP" '{ "offset": 0, "pages": 1, '"$REG"' }, { "offset": "0x1000", "pages": 1, "file": "'"$2"'"'"${3:-}"', '"$REG"' }'
	}
	file_region dotdot ../secret.bin
	refused l/dotdot "region 1: file: ../secret.bin: path leaves its folder through '..'"
	file_region absolute "$W/secret.bin"
	refused l/absolute "region 1: file: $W/secret.bin: absolute path not allowed"
	ln -s "$W/secret.bin" "$W/l/abs-link.bin"
	file_region abs-link abs-link.bin
	refused l/abs-link "region 1: abs-link.bin: path leads outside its folder"
	ln -s ../secret.bin "$W/l/up-link.bin"
	file_region up-link sub/../up-link.bin
	refused l/up-link "region 1: file: sub/../up-link.bin: path leaves its folder through '..'"
	file_region up-link2 up-link.bin
	refused l/up-link2 "region 1: up-link.bin: path leads outside its folder"
	file_region missing missing.bin
	refused l/missing "region 1: missing.bin: No such file or directory"
	file_region dir sub
	refused l/dir "region 1: sub: not a regular file"
	mkfifo "$W/l/fifo"
	file_region fifo fifo
	refused l/fifo "region 1: fifo: not a regular file"
	file_region past content.bin ', "file_offset": 8193'
	refused l/past "region 1: file_offset 8193 is past the end of content.bin (8192 bytes)"
	# A link that stays in the folder is followed.
	ln -s content.bin "$W/l/in-link.bin"
	file_region in-link in-link.bin
	file_region direct ./content.bin
	run ccgov measure sgx --layout "$W/l/in-link.json"
	assert_success
	[ "$output" = "$(ccgov measure sgx --layout "$W/l/direct.json")" ]
}

@test "sgx layout: a layout that asks for more pages than any enclave loads is refused before any work" {
	printf '{"enclave_size": "0x8000000000000000", "ssa_frame_size": 1, "regions": [{"offset": 0, "pages": "0x7ffffffffffff", "type": "reg", "permissions": "rw", "measure": "none"}]}' >"$BATS_TEST_TMPDIR/huge.json"
	run timeout 10 "$CCGOV" measure sgx --layout "$BATS_TEST_TMPDIR/huge.json"
	assert_failure 2
	assert_output "ccgov: error: $BATS_TEST_TMPDIR/huge.json: regions add more than 268435456 pages (1 TiB), more than any enclave loads"
}
