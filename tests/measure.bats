#!/usr/bin/env bats
# ccgov measure: launch measurements, checked against values computed
# independently (a Python implementation written from the Intel SDM, and
# openssl/sha256sum for MRSIGNER), and malformed inputs.

load helpers

setup() {
	M="$REPO_ROOT/testdata/measure"
	W="$BATS_TEST_TMPDIR"
}

@test "sgx: MRENCLAVE of an SGXS stream with partially measured pages, and its SIGSTRUCT" {
	run ccgov measure sgx --sgxs "$M/sgx/demo.sgxs" --sigstruct "$M/sgx/demo.sigstruct" --format json
	assert_success
	# The MRENCLAVE in testdata/measure/sgx/README.md, computed from the SDM's records by another implementation.
	[ "$(echo "$output" | jq -r .mrenclave)" = 1576eb895ee2dc45d38d8b272718f19cc5742bfe653b2a62a3dc4abf21f01589 ]
	[ "$(echo "$output" | jq -c '[.pages, .measured_chunks, .unmeasured_chunks, .enclave_size, .ssa_frame_size]')" = '[3,18,14,16384,1]' ]
	# MRSIGNER is SHA-256 of the 384 modulus bytes as stored (offset 128).
	[ "$(echo "$output" | jq -r .sigstruct.mrsigner)" = "$(dd if="$M/sgx/demo.sigstruct" bs=1 skip=128 count=384 status=none | sha256sum | cut -d' ' -f1)" ]
	[ "$(echo "$output" | jq -c '[.sigstruct.isvprodid, .sigstruct.isvsvn, .sigstruct.enclavehash_matches, .sigstruct.attributes_flags]')" = '[7,2,true,"0x4"]' ]
	# Hashing the file raw gives another value: UNMEASRD chunks are loaded, not measured.
	[ "$(sha256sum "$M/sgx/demo.sgxs" | cut -d' ' -f1)" != 1576eb895ee2dc45d38d8b272718f19cc5742bfe653b2a62a3dc4abf21f01589 ]
}

@test "sgx: a SIGSTRUCT signed for another enclave is exit 1; a tampered one does not verify" {
	head -c 64 "$M/sgx/demo.sgxs" >"$W/other.sgxs"
	run --separate-stderr ccgov measure sgx --sgxs "$W/other.sgxs" --sigstruct "$M/sgx/demo.sigstruct"
	assert_failure 1
	assert_line --index 0 --regexp '^mrenclave    [0-9a-f]{64}$'
	assert_equal "$stderr" "ccgov: error: measure sgx: $M/sgx/demo.sigstruct: signed for another enclave: its ENCLAVEHASH is not the MRENCLAVE of $W/other.sgxs"
	cp "$M/sgx/demo.sigstruct" "$W/tampered"
	printf '\x08' | dd of="$W/tampered" bs=1 seek=1026 conv=notrunc status=none # ISVSVN 2 -> 8
	run ccgov measure sgx --sgxs "$M/sgx/demo.sgxs" --sigstruct "$W/tampered"
	assert_failure
	assert_output "ccgov: error: $W/tampered: the RSA signature does not verify with the modulus it carries"
}

@test "sgx: malformed SGXS streams and SIGSTRUCTs are precise errors" {
	s="$M/sgx/demo.sgxs"
	head -c 100 "$s" >"$W/truncated.sgxs"
	run ccgov measure sgx --sgxs "$W/truncated.sgxs"
	assert_failure 2
	assert_output "ccgov: error: $W/truncated.sgxs: record at byte 64: truncated: the file ends inside a record"
	{ head -c 64 "$s"; printf 'BOGUSTAG'; head -c 56 /dev/zero; } >"$W/tag.sgxs"
	run ccgov measure sgx --sgxs "$W/tag.sgxs"
	assert_output "ccgov: error: $W/tag.sgxs: record at byte 64: unknown record tag"
	{ head -c 64 "$s"; head -c 64 "$s"; } >"$W/twice.sgxs"
	run ccgov measure sgx --sgxs "$W/twice.sgxs"
	assert_output "ccgov: error: $W/twice.sgxs: record at byte 64: ECREATE must be the first record, and the only one"
	{ printf 'UNSIZED\0'; head -c 56 /dev/zero; } >"$W/unsized.sgxs"
	run ccgov measure sgx --sgxs "$W/unsized.sgxs"
	assert_output "ccgov: error: $W/unsized.sgxs: record at byte 0: UNSIZED: the enclave size is not filled in yet, so there is nothing to measure"
	cp "$s" "$W/pad.sgxs"
	printf '\x01' | dd of="$W/pad.sgxs" bs=1 seek=40 conv=notrunc status=none
	run ccgov measure sgx --sgxs "$W/pad.sgxs"
	assert_output "ccgov: error: $W/pad.sgxs: record at byte 0: ECREATE: non-zero reserved bytes"
	: >"$W/empty.sgxs"
	run ccgov measure sgx --sgxs "$W/empty.sgxs"
	assert_output "ccgov: error: $W/empty.sgxs: empty: no ECREATE record"
	head -c 1000 "$M/sgx/demo.sigstruct" >"$W/short.sig"
	run ccgov measure sgx --sgxs "$s" --sigstruct "$W/short.sig"
	assert_failure 2
	assert_output "ccgov: error: $W/short.sig: 1000 bytes, a SIGSTRUCT has 1808"
	run ccgov measure sev
	assert_failure 2
	assert_line --index 0 "ccgov: error: measure: 'sev' is not a TEE type ccgov measures (sev-snp, sgx, tdx, nitro)"
}

# pcr FILE...: SHA-384(48 zero bytes || SHA-384(the files' bytes)), by openssl.
pcr() {
	{ head -c 48 /dev/zero; cat "$@" | openssl dgst -sha384 -binary; } | openssl dgst -sha384 | sed 's/.*= //'
}

@test "nitro: PCR0, PCR1 and PCR2 of an EIF, and of the parts it was built from, as openssl computes them" {
	n="$M/nitro"
	run ccgov measure nitro --eif "$n/demo.eif" --format json
	assert_success
	printf '%s' "$(cat "$n/demo.eif.cmdline")" >"$W/cmdline"
	[ "$(echo "$output" | jq -r .pcr0)" = "$(pcr "$n/demo.eif.kernel" "$W/cmdline" "$n/demo.eif.ramdisk0" "$n/demo.eif.ramdisk1")" ]
	[ "$(echo "$output" | jq -r .pcr1)" = "$(pcr "$n/demo.eif.kernel" "$W/cmdline" "$n/demo.eif.ramdisk0")" ]
	[ "$(echo "$output" | jq -r .pcr2)" = "$(pcr "$n/demo.eif.ramdisk1")" ]
	[ "$(echo "$output" | jq -c '[.eif_version, .architecture, .ramdisks, .signed]')" = '[4,"x86_64",2,false]' ]
	eif_json=$output
	run ccgov measure nitro --kernel "$n/demo.eif.kernel" --cmdline "$(cat "$W/cmdline")" --ramdisk "$n/demo.eif.ramdisk0" --ramdisk "$n/demo.eif.ramdisk1" --format json
	assert_success
	[ "$(echo "$output" | jq -c '[.pcr0, .pcr1, .pcr2]')" = "$(echo "$eif_json" | jq -c '[.pcr0, .pcr1, .pcr2]')" ]
	# One ramdisk: PCR2 is the extend of nothing, the value real single-ramdisk enclaves report.
	run ccgov measure nitro --kernel "$n/demo.eif.kernel" --cmdline x --ramdisk "$n/demo.eif.ramdisk0"
	assert_line --index 2 "pcr2  21b9efbc184807662e966d34f390821309eeac6802309798826296bf3e8bec7c10edb30948c90ba67310f7b964fc500a"
}

@test "nitro: a changed, truncated or foreign EIF is a precise error" {
	n="$M/nitro/demo.eif"
	cp "$n" "$W/changed.eif"
	printf 'X' | dd of="$W/changed.eif" bs=1 seek=1000 conv=notrunc status=none
	run ccgov measure nitro --eif "$W/changed.eif"
	assert_failure
	assert_output "ccgov: error: $W/changed.eif: CRC-32 mismatch (the file was changed after it was built)"
	head -c 2000 "$n" >"$W/short.eif"
	run ccgov measure nitro --eif "$W/short.eif"
	assert_failure 2
	assert_output --regexp "^ccgov: error: $W/short.eif: truncated at byte [0-9]+$"
	head -c 600 /dev/zero >"$W/zero.eif"
	run ccgov measure nitro --eif "$W/zero.eif"
	assert_failure 2
	assert_output "ccgov: error: $W/zero.eif: not an EIF file (no \".eif\" magic)"
	{ cat "$n"; printf 'junk'; } >"$W/trailing.eif"
	run ccgov measure nitro --eif "$W/trailing.eif"
	assert_output "ccgov: error: $W/trailing.eif: bytes after the last section"
	run ccgov measure nitro --kernel "$M/nitro/demo.eif.kernel" --cmdline x
	assert_failure 2
}

# signer NAME CURVE: a throwaway key and self-signed certificate, made for this run only.
signer() {
	openssl ecparam -name "$2" -genkey -noout -out "$W/$1.key" &&
		openssl req -new -x509 -key "$W/$1.key" -days 1 -subj "/CN=ccgov test $1" -out "$W/$1.pem" 2>/dev/null
}

# pcr8 CERT.pem: the extend of the certificate in DER, by openssl.
pcr8() {
	openssl x509 -in "$1" -outform DER >"$W/pcr8.der" && pcr "$W/pcr8.der"
}

@test "nitro: PCR8 of a signed EIF is the extend of its certificate in DER, as openssl computes it" {
	n="$M/nitro"
	run ccgov measure nitro --eif "$n/demo-signed.eif" --format json
	assert_success
	[ "$(echo "$output" | jq -r .pcr8)" = "$(pcr8 "$n/demo-signed.cert.pem")" ]
	# The DER the PEM decodes to, not the PEM text nitro-cli stores.
	[ "$(echo "$output" | jq -r .pcr8)" != "$(pcr "$n/demo-signed.cert.pem")" ]
	[ "$(echo "$output" | jq -c '[.eif_version, .ramdisks, .signed]')" = '[4,2,true]' ]
	signed_json=$output
	# The signature section is measured into none of PCR0, PCR1 and PCR2.
	run ccgov measure nitro --eif "$n/demo.eif" --format json
	[ "$(echo "$output" | jq -c '[.pcr0, .pcr1, .pcr2]')" = "$(echo "$signed_json" | jq -c '[.pcr0, .pcr1, .pcr2]')" ]
	[ "$(echo "$output" | jq 'has("pcr8")')" = false ]
	run ccgov measure nitro --eif "$n/demo-signed.eif"
	assert_success
	assert_line --index 3 "pcr8  $(pcr8 "$n/demo-signed.cert.pem")"
	assert_line --index 4 "eif   version 4, x86_64, 2 ramdisks, signed for PCR0 (signature verified)"
	run ccgov measure nitro --eif "$n/demo.eif"
	refute_line --partial pcr8
	# ES256 and ES512 too, with keys made now.
	signer p256 prime256v1
	signer p521 secp521r1
	python3 "$n/signeif.py" sign "$n/demo.eif" "$W/es256.eif" "$W/p256.key" "$W/p256.pem" --alg ES256
	python3 "$n/signeif.py" sign "$n/demo.eif" "$W/es512.eif" "$W/p521.key" "$W/p521.pem" --alg ES512
	run ccgov measure nitro --eif "$W/es256.eif" --format json
	assert_success
	[ "$(echo "$output" | jq -r .pcr8)" = "$(pcr8 "$W/p256.pem")" ]
	run ccgov measure nitro --eif "$W/es512.eif" --format json
	assert_success
	[ "$(echo "$output" | jq -r .pcr8)" = "$(pcr8 "$W/p521.pem")" ]
}

@test "nitro: a signature for another PCR0 or PCR, or one that does not verify, is exit 1" {
	n="$M/nitro/demo.eif"
	s="$M/nitro/signeif.py"
	signer p384 secp384r1
	signer other secp384r1
	signer p256 prime256v1
	other=$(pcr "$M/nitro/demo.eif.kernel")
	python3 "$s" sign "$n" "$W/pcr0.eif" "$W/p384.key" "$W/p384.pem" --pcr0 "$other"
	run ccgov measure nitro --eif "$W/pcr0.eif"
	assert_failure 1
	assert_output "ccgov: error: $W/pcr0.eif: the signature is for PCR0 $other, not this EIF's PCR0 6cc830fc98d47f1d4da3bb1866cfe20a62a79e27fde3258c42a55e300ecfa4fb2cc81dbca6ce4b1cb168a688766845c1"
	python3 "$s" sign "$n" "$W/pcr1.eif" "$W/p384.key" "$W/p384.pem" --index 1
	run ccgov measure nitro --eif "$W/pcr1.eif"
	assert_failure 1
	assert_output "ccgov: error: $W/pcr1.eif: the signature is for PCR1; an EIF's signature is for PCR0"
	python3 "$s" sign "$n" "$W/flipped.eif" "$W/p384.key" "$W/p384.pem" --flip-signature
	run ccgov measure nitro --eif "$W/flipped.eif"
	assert_failure 1
	assert_output "ccgov: error: $W/flipped.eif: the ES384 signature does not verify with the signing certificate's key"
	# Signed with one key, carrying another's certificate.
	python3 "$s" sign "$n" "$W/swapped.eif" "$W/p384.key" "$W/other.pem"
	run ccgov measure nitro --eif "$W/swapped.eif"
	assert_failure 1
	assert_output "ccgov: error: $W/swapped.eif: the ES384 signature does not verify with the signing certificate's key"
	python3 "$s" sign "$n" "$W/curve.eif" "$W/p256.key" "$W/p256.pem" --alg ES384
	run ccgov measure nitro --eif "$W/curve.eif"
	assert_failure 1
	assert_output "ccgov: error: $W/curve.eif: an ES384 signature, and the signing certificate's key is not on P-384"
}

@test "nitro: a truncated or malformed signature section, or a certificate that is not PEM, is exit 2 with a precise message" {
	d="$M/nitro/demo.eif"
	signed="$M/nitro/demo-signed.eif"
	s="$M/nitro/signeif.py"
	# with_section NAME: demo.eif with $W/NAME.cbor as its signature section, measured.
	with_section() {
		python3 "$s" section "$d" "$W/$1.eif" "$W/$1.cbor"
		run ccgov measure nitro --eif "$W/$1.eif"
	}
	# demo.eif is 12653 bytes: the signature section's data starts after its 12-byte header.
	dd if="$signed" bs=1 skip=12665 status=none of="$W/whole.cbor"
	head -c 21 "$W/whole.cbor" >"$W/cut.cbor"
	with_section cut
	assert_failure 2
	assert_output "ccgov: error: $W/cut.eif: signature section, byte 2: truncated: a text string of 19 bytes, 18 remain"
	head -c 13000 "$signed" >"$W/short.eif"
	run ccgov measure nitro --eif "$W/short.eif"
	assert_failure 2
	assert_output "ccgov: error: $W/short.eif: truncated at byte 13000"
	{ cat "$W/whole.cbor"; printf '\0'; } >"$W/trailing.cbor"
	with_section trailing
	assert_failure 2
	assert_output "ccgov: error: $W/trailing.eif: signature section, byte $(stat -c %s "$W/whole.cbor"): bytes after the array of signatures"
	printf '\xa0' >"$W/map.cbor"
	with_section map
	assert_failure 2
	assert_output "ccgov: error: $W/map.eif: signature section, byte 0: a map where an array should be"
	printf '\x9f' >"$W/indefinite.cbor"
	with_section indefinite
	assert_failure 2
	assert_output "ccgov: error: $W/indefinite.eif: signature section, byte 0: an indefinite length or a reserved value, which nitro-cli never writes"
	# A byte string, as a generic CBOR encoder writes bytes: nitro-cli's Vec<u8> refuses it too.
	printf '\x81\xa2\x73signing_certificate\x42ab' >"$W/bstr.cbor"
	with_section bstr
	assert_failure 2
	assert_output "ccgov: error: $W/bstr.eif: signature section, byte 22: a byte string where an array should be"
	printf '\x81\xa2\x73signing_certificate\x81\x19\x01\x00' >"$W/wide.cbor"
	with_section wide
	assert_failure 2
	assert_output "ccgov: error: $W/wide.eif: signature section, byte 23: 256 in an array of bytes"
	# A COSE_Sign1 whose protected header is empty: no algorithm.
	python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); import signeif
sys.stdout.buffer.write(signeif.signature_section(open(sys.argv[2], "rb").read(), bytes.fromhex("8440a04040")))' \
		"$M/nitro" "$M/nitro/demo-signed.cert.pem" >"$W/cose.cbor"
	with_section cose
	assert_failure 2
	assert_output "ccgov: error: $W/cose.eif: COSE protected header, byte 0: truncated: the data ends where a map should be"
	signer p384 secp384r1
	printf 'not a certificate\n' >"$W/junk.pem"
	python3 "$s" sign "$d" "$W/junk.eif" "$W/p384.key" "$W/junk.pem"
	run ccgov measure nitro --eif "$W/junk.eif"
	assert_failure 2
	assert_output "ccgov: error: $W/junk.eif: the signing certificate is not a PEM certificate"
	openssl x509 -in "$W/p384.pem" -outform DER -out "$W/p384.der"
	python3 "$s" sign "$d" "$W/der.eif" "$W/p384.key" "$W/p384.der"
	run ccgov measure nitro --eif "$W/der.eif"
	assert_failure 2
	assert_output "ccgov: error: $W/der.eif: the signing certificate is DER; an EIF holds it in PEM, the only form nitro-cli reads"
	head -c 32769 /dev/zero >"$W/big.cbor"
	with_section big
	assert_failure 2
	assert_output "ccgov: error: $W/big.eif: a signature section of 32769 bytes (at most 32768)"
	python3 "$s" section "$signed" "$W/twice.eif" "$W/whole.cbor"
	run ccgov measure nitro --eif "$W/twice.eif"
	assert_failure 2
	assert_output "ccgov: error: $W/twice.eif: two signature sections"
}

@test "tdx: MRTD in both page orders, for a synthetic TDVF image and for Debian's OVMF.fd" {
	t="$M/tdx/synth_tdvf.bin"
	run ccgov measure tdx --firmware "$t" --format json
	assert_success
	[ "$(echo "$output" | jq -c '[.mrtd, .page_order, .sections, .pages_added, .chunks_extended]')" = \
	  '["77960d60d93dd9e251db0e15d870aa676a445d5186036abca19fc23df1426422f76cd793f703b9a6664b97fd9d4a37e5","interleaved",3,10,128]' ]
	run ccgov measure tdx --firmware "$t" --page-order two-pass --format json
	[ "$(echo "$output" | jq -r .mrtd)" = f0721a8a3edde3820a6578474a1c402385bf3c9764d5c8aa6cde15975f848e37f93458c9fd83efd647f55429ec44ab7c ]
	# Debian's combined OVMF.fd carries TDVF metadata (6 sections); the value three implementations agree on.
	[ "$(sha256sum /usr/share/ovmf/OVMF.fd | cut -d' ' -f1)" = 7b456907dd0786d415999e801a1ac4637b8ed4d7cf5378cfc6edbe5e574dd773 ] ||
		skip "another build of Debian's OVMF.fd than the one the vectors are for"
	run ccgov measure tdx --firmware /usr/share/ovmf/OVMF.fd
	assert_line --index 0 "mrtd      4c7206f0f483c524f12c366c711e9049030a8d47c471ee5aa9c4999a08de4057fb887fed0744d5631a212967fb231c47"
	run ccgov measure tdx --firmware /usr/share/ovmf/OVMF.fd --page-order two-pass
	assert_line --index 0 "mrtd      acccbcc870a381adab0d3919d90a7f268ac3b0364771f202ed4bb4e892d045b33db3b32e6924cba830a724eed443f7e1"
}

@test "tdx: images without TDVF metadata, or whose sections lie, are precise errors" {
	run ccgov measure tdx --firmware /usr/share/OVMF/OVMF_CODE_4M.fd
	assert_failure 2
	assert_output "ccgov: error: /usr/share/OVMF/OVMF_CODE_4M.fd: no TDX metadata entry in the OVMF footer table (not a TDVF image)"
	# OVMF_CODE.fd has the entry, but its sections point into the VARS part it lacks.
	run ccgov measure tdx --firmware /usr/share/OVMF/OVMF_CODE.fd
	assert_failure 2
	assert_output "ccgov: error: /usr/share/OVMF/OVMF_CODE.fd: TDVF section 0 is malformed (alignment, sizes, bounds, type or attributes)"
	head -c 1000 /dev/zero >"$W/zero.fd"
	run ccgov measure tdx --firmware "$W/zero.fd"
	assert_output "ccgov: error: $W/zero.fd: no OVMF footer GUID table at the end of the image"
	run ccgov measure tdx --firmware "$M/tdx/synth_tdvf.bin" --page-order sideways
	assert_failure 2
	assert_output "ccgov: error: measure tdx: --page-order: 'sideways' is not interleaved or two-pass"
}

@test "every type writes an in-toto Statement of its measurement, about the image or the measured file" {
	digest=sha256:$(printf 'image' | sha256sum | cut -d' ' -f1)
	ccgov measure sgx --sgxs "$M/sgx/demo.sgxs" --statement "$W/sgx.json" --image "$digest" >/dev/null
	ccgov measure tdx --firmware "$M/tdx/synth_tdvf.bin" --statement "$W/tdx.json" >/dev/null
	ccgov measure nitro --eif "$M/nitro/demo.eif" --statement "$W/nitro.json" --format json >"$W/nitro.out"
	[ "$(jq -r '"\(._type) \(.predicateType) \(.subject[0].name) sha256:\(.subject[0].digest.sha256)"' "$W/sgx.json")" = \
		"https://in-toto.io/Statement/v1 https://ccgov.dev/measurement/v1 image $digest" ]
	[ "$(jq -r .predicate.mrenclave "$W/sgx.json")" = 1576eb895ee2dc45d38d8b272718f19cc5742bfe653b2a62a3dc4abf21f01589 ]
	[ "$(jq -r '"\(.subject[0].name) \(.subject[0].digest.sha256) \(.predicate.type)"' "$W/tdx.json")" = \
		"synth_tdvf.bin $(sha256sum "$M/tdx/synth_tdvf.bin" | cut -d' ' -f1) tdx" ]
	[ "$(jq -c .predicate "$W/nitro.json")" = "$(jq -c . "$W/nitro.out")" ]
	# A SIGSTRUCT for other code is a failed check, not evidence: no Statement.
	head -c 64 "$M/sgx/demo.sgxs" >"$W/other.sgxs"
	run ccgov measure sgx --sgxs "$W/other.sgxs" --sigstruct "$M/sgx/demo.sigstruct" --statement "$W/other.json"
	assert_failure 1
	[ ! -e "$W/other.json" ]
	# An unreadable image is an error, and nothing is written.
	run ccgov measure tdx --firmware "$M/tdx/synth_tdvf.bin" --statement "$W/none.json" --image "$W/no-such-layout"
	assert_failure
	[ ! -e "$W/none.json" ]
}
