/* Digests: the FIPS 180 example vectors (NIST CSRC), and openssl dgst on real files. */
#include "unit.h"

#include <stdlib.h>

static const char msg448[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char msg896[] =
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

static const struct {
	ccgov_digest_alg alg;
	const char *message; /* NULL: one million 'a' */
	const char *hex;
} vectors[] = {
	{ CCGOV_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ CCGOV_SHA256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ CCGOV_SHA256, msg448, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	{ CCGOV_SHA256, msg896, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
	{ CCGOV_SHA256, NULL, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	{ CCGOV_SHA384, "abc", "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
	{ CCGOV_SHA384, "", "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b" },
	{ CCGOV_SHA384, msg448, "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b" },
	{ CCGOV_SHA384, msg896, "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039" },
	{ CCGOV_SHA384, NULL, "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985" },
	{ CCGOV_SHA512, "abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	{ CCGOV_SHA512, "", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
	{ CCGOV_SHA512, msg448, "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445" },
	{ CCGOV_SHA512, msg896, "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909" },
	{ CCGOV_SHA512, NULL, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b" },
};

static void nist_vectors(void)
{
	char hex[2 * CCGOV_DIGEST_MAX + 1];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		ccgov_digest d;

		if (vectors[i].message) {
			CHECK_OK(ccgov_digest_buffer(&d, vectors[i].alg, vectors[i].message,
						     strlen(vectors[i].message)));
		} else {
			/* A million 'a' in uneven pieces, to exercise streaming. */
			static char a[1000000];
			ccgov_hasher *h;
			size_t done = 0, step = 1;

			memset(a, 'a', sizeof(a));
			CHECK_OK(ccgov_hasher_new(&h, vectors[i].alg));
			while (done < sizeof(a)) {
				size_t n = step < sizeof(a) - done ? step : sizeof(a) - done;

				ccgov_hasher_update(h, a + done, n);
				done += n;
				step = step * 3 + 1;
			}
			CHECK_OK(ccgov_hasher_final(&d, h));
			ccgov_hasher_free(h);
		}
		ccgov_digest_hex(hex, &d);
		CHECK_STR(hex, vectors[i].hex);
		CHECK(d.len == ccgov_digest_alg_size(vectors[i].alg));
	}
}

static void hasher_restarts_after_final(void)
{
	ccgov_hasher *h;
	ccgov_digest a, b;

	CHECK_OK(ccgov_hasher_new(&h, CCGOV_SHA256));
	ccgov_hasher_update(h, "abc", 3);
	CHECK_OK(ccgov_hasher_final(&a, h));
	ccgov_hasher_update(h, "abc", 3);
	CHECK_OK(ccgov_hasher_final(&b, h));
	ccgov_hasher_free(h);
	CHECK(ccgov_digest_equal(&a, &b));
}

static void string_form_round_trips(void)
{
	char text[CCGOV_DIGEST_STRING_MAX];
	ccgov_digest d, back;

	CHECK_OK(ccgov_digest_buffer(&d, CCGOV_SHA256, "abc", 3));
	ccgov_digest_string(text, &d);
	CHECK_STR(text, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_OK(ccgov_digest_parse(&back, text));
	CHECK(ccgov_digest_equal(&d, &back));
	CHECK_OK(ccgov_digest_buffer(&d, CCGOV_SHA384, "abc", 3));
	ccgov_digest_string(text, &d);
	CHECK(strncmp(text, "sha384:cb00753f", 15) == 0 && strlen(text) == 7 + 96);
}

static void malformed_digests_are_refused(void)
{
	ccgov_digest d;

	CHECK_ERR(ccgov_digest_parse(&d, "sha256"), CCGOV_EINVALID, "not a digest");
	CHECK_ERR(ccgov_digest_parse(&d, "md5:d41d8cd98f00b204e9800998ecf8427e"),
		  CCGOV_EINVALID, "unknown digest algorithm");
	CHECK_ERR(ccgov_digest_parse(&d, "sha256:abc"), CCGOV_EINVALID, "64 hex digits");
	CHECK_ERR(ccgov_digest_parse(&d,
		"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"),
		  CCGOV_EINVALID, "lowercase hex");
	CHECK_ERR(ccgov_digest_parse(&d,
		"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0"),
		  CCGOV_EINVALID, "64 hex digits");
}

/* openssl dgst is an independent implementation path over the same file. */
static void files_match_openssl_dgst(void)
{
	static const char *names[] = { "sha256", "sha384", "sha512" };
	char path[4200], hex[2 * CCGOV_DIGEST_MAX + 1];
	unsigned char block[65536];
	FILE *f;

	snprintf(path, sizeof(path), "%s/random.bin", unit_tmpdir());
	CHECK((f = fopen(path, "wb")) != NULL);
	/* 3 MiB + 17 bytes: several read blocks and a ragged end. */
	for (unsigned i = 0; i < 48; i++) {
		for (size_t j = 0; j < sizeof(block); j++)
			block[j] = (unsigned char)((i * 2654435761u + j * 40503u) >> 7);
		fwrite(block, 1, sizeof(block), f);
	}
	fwrite(block, 1, 17, f);
	CHECK(fclose(f) == 0);
	for (int a = 0; a < 3; a++) {
		ccgov_digest d;
		char *want = unit_run("openssl dgst -%s -r '%s' | cut -d' ' -f1", names[a], path);

		CHECK(want != NULL);
		CHECK_OK(ccgov_digest_file(&d, (ccgov_digest_alg)a, path));
		ccgov_digest_hex(hex, &d);
		CHECK_STR(hex, want);
		free(want);
	}
}

static void missing_file_or_folder_is_named(void)
{
	ccgov_digest d;

	CHECK_ERR(ccgov_digest_file(&d, CCGOV_SHA256, "/nonexistent/ccgov"),
		  CCGOV_ENOTFOUND, "/nonexistent/ccgov: No such file or directory");
	CHECK_ERR(ccgov_digest_file(&d, CCGOV_SHA256, "/"), CCGOV_EINVALID, "/: a folder, not a file");
}

const struct unit_test digest_tests[] = {
	{ "FIPS 180 vectors for SHA-256, SHA-384, SHA-512", nist_vectors },
	{ "a hasher starts over after final", hasher_restarts_after_final },
	{ "sha256:<hex> form round-trips", string_form_round_trips },
	{ "malformed digest strings are refused", malformed_digests_are_refused },
	{ "file digests equal openssl dgst", files_match_openssl_dgst },
	{ "a missing file, or a folder, is named in the error", missing_file_or_folder_is_named },
	{ NULL, NULL }
};
