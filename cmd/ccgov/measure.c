/* ccgov measure: the launch measurements an attestation service must expect. */
#include "cli.h"

#include <ccgov/ccgov.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void hex(char *out, const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

static int print_sgx(const ccgov_sgx_measurement *m, const ccgov_sgx_sigstruct *sig, int matches,
		     enum output_format format)
{
	char mr[65], signer[65], signed_hash[65];
	cJSON *root;
	int err;

	hex(mr, m->mrenclave, 32);
	if (sig) {
		hex(signer, sig->mrsigner, 32);
		hex(signed_hash, sig->enclavehash, 32);
	}
	if (format == FORMAT_TEXT) {
		printf("mrenclave    %s\n", mr);
		printf("enclave      %" PRIu64 " bytes, SSA frame %" PRIu32 " pages; %" PRIu64 " pages added, %" PRIu64
		       " chunks measured, %" PRIu64 " loaded unmeasured\n",
		       m->size, m->ssaframesize, m->pages, m->measured_chunks, m->unmeasured_chunks);
		if (sig) {
			printf("mrsigner     %s\n", signer);
			printf("isvprodid    %u\nisvsvn       %u\n", sig->isvprodid, sig->isvsvn);
			printf("attributes   flags 0x%" PRIx64 " xfrm 0x%" PRIx64 " (mask 0x%" PRIx64 " 0x%" PRIx64 ")\n",
			       sig->attributes_flags, sig->attributes_xfrm, sig->attributemask_flags,
			       sig->attributemask_xfrm);
			printf("signed       %s (%s)\n", signed_hash,
			       matches ? "the computed MRENCLAVE" : "NOT the computed MRENCLAVE");
		}
		return 0;
	}
	root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "type", "sgx");
	cJSON_AddStringToObject(root, "mrenclave", mr);
	cJSON_AddNumberToObject(root, "enclave_size", (double)m->size);
	cJSON_AddNumberToObject(root, "ssa_frame_size", m->ssaframesize);
	cJSON_AddNumberToObject(root, "pages", (double)m->pages);
	cJSON_AddNumberToObject(root, "measured_chunks", (double)m->measured_chunks);
	cJSON_AddNumberToObject(root, "unmeasured_chunks", (double)m->unmeasured_chunks);
	if (sig) {
		cJSON *s = cJSON_AddObjectToObject(root, "sigstruct");
		char flags[19], xfrm[19];

		snprintf(flags, sizeof(flags), "0x%" PRIx64, sig->attributes_flags);
		snprintf(xfrm, sizeof(xfrm), "0x%" PRIx64, sig->attributes_xfrm);
		cJSON_AddStringToObject(s, "mrsigner", signer);
		cJSON_AddStringToObject(s, "enclavehash", signed_hash);
		cJSON_AddBoolToObject(s, "enclavehash_matches", matches);
		cJSON_AddNumberToObject(s, "isvprodid", sig->isvprodid);
		cJSON_AddNumberToObject(s, "isvsvn", sig->isvsvn);
		cJSON_AddStringToObject(s, "attributes_flags", flags);
		cJSON_AddStringToObject(s, "attributes_xfrm", xfrm);
	}
	err = print_json(root);
	cJSON_Delete(root);
	return err;
}

/* ccgov measure sgx --sgxs FILE [--sigstruct FILE] */
static int measure_sgx(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sgxs", required_argument, NULL, 's' },
		{ "sigstruct", required_argument, NULL, 'g' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	enum output_format format = FORMAT_TEXT;
	const char *sgxs = NULL, *sigpath = NULL;
	ccgov_sgx_measurement m;
	ccgov_sgx_sigstruct sig;
	char *data = NULL;
	size_t len = 0;
	int c, matches = 1;

	optind = 1;
	while ((c = next_option("measure sgx", argc, argv, "", longopts)) != -1) {
		if (c == 's')
			sgxs = optarg;
		else if (c == 'g')
			sigpath = optarg;
		else if (c != 'f' || parse_format(&format, "measure sgx", optarg) < 0)
			return EXIT_USAGE;
	}
	if (!sgxs || optind != argc) {
		error_line("measure sgx: usage: ccgov measure sgx --sgxs FILE [--sigstruct FILE] [--format text|json]");
		return EXIT_USAGE;
	}
	if (ccgov_sgx_measure_sgxs(&m, sgxs) < 0)
		return error_from_library();
	if (sigpath) {
		int err = ccgov_file_read(&data, &len, sigpath, 1 << 20);

		if (err == 0)
			err = ccgov_sgx_sigstruct_read(&sig, (unsigned char *)data, len, sigpath);
		free(data);
		if (err < 0)
			return error_from_library();
		matches = memcmp(sig.enclavehash, m.mrenclave, 32) == 0;
	}
	if (print_sgx(&m, sigpath ? &sig : NULL, matches, format) < 0)
		return error_from_library();
	if (!matches) {
		error_line("measure sgx: %s: signed for another enclave: its ENCLAVEHASH is not the MRENCLAVE of %s",
			   sigpath, sgxs);
		return EXIT_CHECK_FAILED;
	}
	return EXIT_OK;
}

int cmd_measure(int argc, char **argv)
{
	static const char *const types[] = { "sgx" };

	if (argc < 2 || argv[1][0] == '-') {
		error_line("measure: which TEE? (usage: ccgov measure sgx ...)");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "sgx") == 0)
		return measure_sgx(argc - 1, argv + 1);
	error_line("measure: '%s' is not a TEE type ccgov measures (sgx)", argv[1]);
	suggest(argv[1], types, 1);
	return EXIT_USAGE;
}
