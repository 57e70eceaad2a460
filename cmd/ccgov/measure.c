/* ccgov measure: the launch measurements an attestation service must expect. */
#include "cli.h"
#include "measure_cli.h"

#include <ccgov/ccgov.h>

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void print_sgx_text(const ccgov_sgx_measurement *m, const ccgov_sgx_sigstruct *sig, int matches)
{
	char mr[65];

	ccgov_hex(mr, m->mrenclave, 32);
	printf("mrenclave    %s\n", mr);
	printf("enclave      %" PRIu64 " bytes, SSA frame %" PRIu32 " pages; %" PRIu64 " pages added, %" PRIu64
	       " chunks measured, %" PRIu64 " loaded unmeasured\n",
	       m->size, m->ssaframesize, m->pages, m->measured_chunks, m->unmeasured_chunks);
	if (!sig)
		return;
	ccgov_hex(mr, sig->mrsigner, 32);
	printf("mrsigner     %s\n", mr);
	printf("isvprodid    %u\nisvsvn       %u\n", sig->isvprodid, sig->isvsvn);
	printf("attributes   flags 0x%" PRIx64 " xfrm 0x%" PRIx64 " (mask 0x%" PRIx64 " 0x%" PRIx64 ")\n",
	       sig->attributes_flags, sig->attributes_xfrm, sig->attributemask_flags, sig->attributemask_xfrm);
	ccgov_hex(mr, sig->enclavehash, 32);
	printf("signed       %s (%s)\n", mr, matches ? "the computed MRENCLAVE" : "NOT the computed MRENCLAVE");
}

static cJSON *sgx_report(const ccgov_sgx_measurement *m, const ccgov_sgx_sigstruct *sig, int matches)
{
	cJSON *root = cJSON_CreateObject();
	char mr[65];

	ccgov_hex(mr, m->mrenclave, 32);
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
		ccgov_hex(mr, sig->mrsigner, 32);
		cJSON_AddStringToObject(s, "mrsigner", mr);
		ccgov_hex(mr, sig->enclavehash, 32);
		cJSON_AddStringToObject(s, "enclavehash", mr);
		cJSON_AddBoolToObject(s, "enclavehash_matches", matches);
		cJSON_AddNumberToObject(s, "isvprodid", sig->isvprodid);
		cJSON_AddNumberToObject(s, "isvsvn", sig->isvsvn);
		cJSON_AddStringToObject(s, "attributes_flags", flags);
		cJSON_AddStringToObject(s, "attributes_xfrm", xfrm);
	}
	return root;
}

/* ccgov measure sgx --sgxs FILE | --layout FILE [--sigstruct FILE] */
static int measure_sgx(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "sgxs", required_argument, NULL, 's' },
		{ "layout", required_argument, NULL, 'l' },
		{ "sigstruct", required_argument, NULL, 'g' },
		MEASURE_OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	measure_output out = MEASURE_OUTPUT_INIT;
	const char *sgxs = NULL, *layout = NULL, *sigpath = NULL;
	ccgov_sgx_measurement m;
	ccgov_sgx_sigstruct sig;
	ccgov_sgx_layout *l = NULL;
	cJSON *report;
	char *data = NULL;
	size_t len = 0;
	int c, err, status, matches = 1;

	optind = 1;
	while ((c = next_option("measure sgx", argc, argv, "", longopts)) != -1) {
		if (c == 's')
			sgxs = optarg;
		else if (c == 'l')
			layout = optarg;
		else if (c == 'g')
			sigpath = optarg;
		else if (measure_output_option(&out, "measure sgx", c, optarg) <= 0)
			return EXIT_USAGE;
	}
	if (!sgxs == !layout || optind != argc) {
		error_line("measure sgx: usage: ccgov measure sgx --sgxs FILE | --layout FILE [--sigstruct FILE] [--format text|json]");
		return EXIT_USAGE;
	}
	if ((status = measure_output_prepare(&out, sgxs ? sgxs : layout)) != EXIT_OK)
		return status;
	if (sgxs)
		err = ccgov_sgx_measure_sgxs(&m, sgxs);
	else if ((err = ccgov_sgx_layout_read(&l, layout)) == 0)
		err = ccgov_sgx_measure_layout(&m, l);
	ccgov_sgx_layout_free(l);
	if (err < 0) {
		measure_output_free(&out);
		return error_from_library();
	}
	if (sigpath) {
		err = ccgov_file_read(&data, &len, sigpath, 1 << 20);
		if (err == 0)
			err = ccgov_sgx_sigstruct_read(&sig, (unsigned char *)data, len, sigpath);
		free(data);
		if (err < 0) {
			measure_output_free(&out);
			return error_from_library();
		}
		matches = memcmp(sig.enclavehash, m.mrenclave, 32) == 0;
	}
	/* A SIGSTRUCT for other code is a failed check: no Statement is written for it. */
	if (!matches)
		out.statement = NULL;
	report = sgx_report(&m, sigpath ? &sig : NULL, matches);
	status = measure_output_report(&out, report);
	cJSON_Delete(report);
	if (status != EXIT_OK)
		return status;
	if (out.format == FORMAT_TEXT)
		print_sgx_text(&m, sigpath ? &sig : NULL, matches);
	if (!matches) {
		error_line("measure sgx: %s: signed for another enclave: its ENCLAVEHASH is not the MRENCLAVE of %s",
			   sigpath, sgxs ? sgxs : layout);
		return EXIT_CHECK_FAILED;
	}
	return EXIT_OK;
}

static void print_nitro_text(const ccgov_nitro_pcrs *p)
{
	const unsigned char *pcrs[] = { p->pcr0, p->pcr1, p->pcr2 };
	char pcr[97];

	for (int i = 0; i < 3; i++) {
		ccgov_hex(pcr, pcrs[i], 48);
		printf("pcr%d  %s\n", i, pcr);
	}
	if (p->signed_eif) {
		ccgov_hex(pcr, p->pcr8, 48);
		printf("pcr8  %s\n", pcr);
	}
	if (p->version)
		printf("eif   version %u, %s, %zu ramdisks%s\n", p->version, p->aarch64 ? "aarch64" : "x86_64", p->ramdisks,
		       p->signed_eif ? ", signed for PCR0 (signature verified)" : "");
}

static cJSON *nitro_report(const ccgov_nitro_pcrs *p)
{
	cJSON *root = cJSON_CreateObject();
	char pcr[4][97];

	ccgov_hex(pcr[0], p->pcr0, 48);
	ccgov_hex(pcr[1], p->pcr1, 48);
	ccgov_hex(pcr[2], p->pcr2, 48);
	ccgov_hex(pcr[3], p->pcr8, 48);
	cJSON_AddStringToObject(root, "type", "nitro");
	cJSON_AddStringToObject(root, "pcr0", pcr[0]);
	cJSON_AddStringToObject(root, "pcr1", pcr[1]);
	cJSON_AddStringToObject(root, "pcr2", pcr[2]);
	if (p->signed_eif)
		cJSON_AddStringToObject(root, "pcr8", pcr[3]);
	cJSON_AddNumberToObject(root, "ramdisks", (double)p->ramdisks);
	if (p->version) {
		cJSON_AddNumberToObject(root, "eif_version", p->version);
		cJSON_AddStringToObject(root, "architecture", p->aarch64 ? "aarch64" : "x86_64");
		cJSON_AddBoolToObject(root, "signed", p->signed_eif);
	}
	return root;
}

/* ccgov measure nitro (--eif FILE | --kernel FILE --cmdline TEXT --ramdisk FILE...) */
static int measure_nitro(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "eif", required_argument, NULL, 'e' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "cmdline", required_argument, NULL, 'c' },
		{ "ramdisk", required_argument, NULL, 'r' },
		MEASURE_OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	measure_output out = MEASURE_OUTPUT_INIT;
	const char *eif = NULL, *kernel = NULL, *cmdline = NULL;
	const char **ramdisks = calloc((size_t)argc + 1, sizeof(*ramdisks));
	size_t nramdisks = 0;
	ccgov_nitro_pcrs pcrs;
	int c, status = EXIT_OK, err;

	if (!ramdisks)
		return EXIT_INTERNAL;
	optind = 1;
	while ((c = next_option("measure nitro", argc, argv, "", longopts)) != -1) {
		if (c == 'e')
			eif = optarg;
		else if (c == 'k')
			kernel = optarg;
		else if (c == 'c')
			cmdline = optarg;
		else if (c == 'r')
			ramdisks[nramdisks++] = optarg;
		else if (measure_output_option(&out, "measure nitro", c, optarg) <= 0) {
			free(ramdisks);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || (eif ? (kernel || cmdline || nramdisks) : (!kernel || !cmdline || !nramdisks))) {
		error_line("measure nitro: usage: ccgov measure nitro --eif FILE | --kernel FILE --cmdline TEXT --ramdisk FILE...");
		free(ramdisks);
		return EXIT_USAGE;
	}
	if ((status = measure_output_prepare(&out, eif ? eif : kernel)) != EXIT_OK) {
		free(ramdisks);
		return status;
	}
	err = eif ? ccgov_nitro_measure_eif(&pcrs, eif) : ccgov_nitro_measure_parts(&pcrs, kernel, cmdline, ramdisks, nramdisks);
	if (err < 0) {
		status = error_from_library();
		measure_output_free(&out);
	} else {
		cJSON *report = nitro_report(&pcrs);

		status = measure_output_report(&out, report);
		if (status == EXIT_OK && out.format == FORMAT_TEXT)
			print_nitro_text(&pcrs);
		cJSON_Delete(report);
	}
	free(ramdisks);
	return status;
}

/* ccgov measure tdx --firmware FILE [--page-order interleaved|two-pass] */
static int measure_tdx(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "firmware", required_argument, NULL, 'w' },
		{ "page-order", required_argument, NULL, 'o' },
		MEASURE_OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	measure_output out = MEASURE_OUTPUT_INIT;
	cJSON *report;
	ccgov_tdx_order order = CCGOV_TDX_INTERLEAVED;
	const char *firmware = NULL;
	ccgov_tdx_measurement m;
	char *data = NULL, mrtd[97];
	size_t len = 0;
	int c, status = EXIT_OK;

	optind = 1;
	while ((c = next_option("measure tdx", argc, argv, "", longopts)) != -1) {
		if (c == 'w') {
			firmware = optarg;
		} else if (c == 'o' && (!strcmp(optarg, "interleaved") || !strcmp(optarg, "two-pass"))) {
			order = optarg[0] == 'i' ? CCGOV_TDX_INTERLEAVED : CCGOV_TDX_TWO_PASS;
		} else if (c == 'o') {
			error_line("measure tdx: --page-order: '%s' is not interleaved or two-pass", optarg);
			return EXIT_USAGE;
		} else if (measure_output_option(&out, "measure tdx", c, optarg) <= 0) {
			return EXIT_USAGE;
		}
	}
	if (!firmware || optind != argc) {
		error_line("measure tdx: usage: ccgov measure tdx --firmware FILE [--page-order interleaved|two-pass]");
		return EXIT_USAGE;
	}
	if ((status = measure_output_prepare(&out, firmware)) != EXIT_OK)
		return status;
	if (ccgov_file_read(&data, &len, firmware, 256u << 20) < 0 ||
	    ccgov_tdx_measure(&m, (unsigned char *)data, len, firmware, order) < 0) {
		free(data);
		measure_output_free(&out);
		return error_from_library();
	}
	free(data);
	ccgov_hex(mrtd, m.mrtd, 48);
	report = cJSON_CreateObject();
	cJSON_AddStringToObject(report, "type", "tdx");
	cJSON_AddStringToObject(report, "mrtd", mrtd);
	cJSON_AddStringToObject(report, "page_order", order == CCGOV_TDX_INTERLEAVED ? "interleaved" : "two-pass");
	cJSON_AddNumberToObject(report, "sections", m.sections);
	cJSON_AddNumberToObject(report, "pages_added", (double)m.pages_added);
	cJSON_AddNumberToObject(report, "chunks_extended", (double)m.chunks_extended);
	status = measure_output_report(&out, report);
	cJSON_Delete(report);
	if (status == EXIT_OK && out.format == FORMAT_TEXT) {
		printf("mrtd      %s\n", mrtd);
		printf("order     %s; %u sections, %" PRIu64 " pages added, %" PRIu64 " chunks extended\n",
		       order == CCGOV_TDX_INTERLEAVED ? "interleaved" : "two-pass", m.sections, m.pages_added,
		       m.chunks_extended);
	}
	return status;
}

int measure_output_option(measure_output *o, const char *cmd, int c, const char *arg)
{
	if (c == 'f')
		return parse_format(&o->format, cmd, arg) < 0 ? -1 : 1;
	if (c == 'P')
		o->statement = arg;
	else if (c == 'I')
		o->image = arg;
	return c == 'P' || c == 'I';
}

int measure_output_prepare(measure_output *o, const char *input)
{
	if (o->image && !o->statement) {
		error_line("measure: --image names the subject of the Statement --statement FILE writes: give both");
		return EXIT_USAGE;
	}
	/* Before measuring, so that a bad image costs no hashing, and a failed run writes nothing. */
	if (o->statement && ccgov_measure_subject(&o->subject, &o->subject_name, o->image, input) < 0)
		return error_from_library();
	return EXIT_OK;
}

void measure_output_free(measure_output *o)
{
	free(o->subject_name);
	o->subject_name = NULL;
}

static int write_statement(const measure_output *o, const cJSON *report)
{
	ccgov_buffer text = CCGOV_BUFFER_INIT;
	cJSON *st = ccgov_statement_new(o->subject_name, &o->subject, CCGOV_MEASUREMENT_PREDICATE,
					cJSON_Duplicate(report, 1));
	int err;

	if (!st)
		return ccgov_error_set(CCGOV_ENOMEM, "out of memory");
	if ((err = ccgov_json_write(&text, st, CCGOV_JSON_CANONICAL)) == 0)
		err = ccgov_file_write_atomic(o->statement, text.data, text.len, 0644);
	ccgov_buffer_free(&text);
	cJSON_Delete(st);
	return err;
}

int measure_output_report(measure_output *o, const cJSON *report)
{
	int status = EXIT_OK;

	if (o->statement && write_statement(o, report) < 0)
		status = error_from_library();
	else if (o->format == FORMAT_JSON && print_json(report) < 0)
		status = error_from_library();
	measure_output_free(o);
	return status;
}

int cmd_measure(int argc, char **argv)
{
	static const char *const types[] = { "sev-snp", "sgx", "tdx", "nitro" };

	if (argc < 2 || argv[1][0] == '-') {
		error_line("measure: which TEE? (usage: ccgov measure sev-snp|sgx|tdx|nitro ...)");
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "sev-snp") == 0)
		return measure_sev_snp(argc - 1, argv + 1);
	if (strcmp(argv[1], "sgx") == 0)
		return measure_sgx(argc - 1, argv + 1);
	if (strcmp(argv[1], "tdx") == 0)
		return measure_tdx(argc - 1, argv + 1);
	if (strcmp(argv[1], "nitro") == 0)
		return measure_nitro(argc - 1, argv + 1);
	error_line("measure: '%s' is not a TEE type ccgov measures (sev-snp, sgx, tdx, nitro)", argv[1]);
	suggest(argv[1], types, 4);
	return EXIT_USAGE;
}
