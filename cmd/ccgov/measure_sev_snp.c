/*
 * ccgov measure sev-snp: the arguments and output of virtee/sev-snp-measure
 * (0.0.13), so that replacing the command name is the whole migration. Its
 * argparse conventions are kept too: --opt=value, unique abbreviations,
 * the last occurrence wins, integers as Python's int() reads them.
 * Where sev-snp-measure computes something no launch can have (0 vCPUs) or
 * crashes, ccgov says what is wrong instead (exit 2).
 */
#include "cli.h"
#include "measure_cli.h"

#include <ccgov/ccgov.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CMD "measure sev-snp"
#define REFERENCE_VERSION "0.0.13"

static const char *const modes[] = { "sev", "seves", "snp", "snp:ovmf-hash", "snp:svsm" };
static const char *const mode_names[] = { "SEV", "SEV_ES", "SEV_SNP", "", "SEV_SNP_SVSM" };
static const ccgov_sev_mode mode_values[] = { CCGOV_SEV, CCGOV_SEV_ES, CCGOV_SEV_SNP, CCGOV_SEV_SNP, CCGOV_SEV_SNP_SVSM };
enum { MODE_SEV, MODE_SEVES, MODE_SNP, MODE_OVMF_HASH, MODE_SVSM };

typedef struct {
	int mode; /* MODE_*, -1 if not given */
	const char *ovmf, *kernel, *initrd, *append, *vcpus, *vcpu_type, *vcpu_sig;
	const char *family, *model, *stepping, *vmm_type, *guest_features, *ovmf_hash;
	const char *svsm, *vars_size, *vars_file;
	int base64, verbose, dump_vmsa;
	measure_output out;
} sev_args;

/*
 * Python's int(text, base) for base 10 (type=int) or 0 (auto: 0x, 0o, 0b
 * prefixes, no leading zeros in decimal): surrounding whitespace, a sign,
 * single underscores between digits. The value is kept modulo 2^64, as
 * the reference's 64-bit VMSA fields keep it; *fits says whether it is a
 * signed 64-bit integer as written.
 */
static int python_int(uint64_t *out, int *fits, const char *text, int auto_base)
{
	const char *p = text, *digits;
	int negative = 0, base = 10, ndigits = 0, leading_zero = 0, nonzero = 0;
	uint64_t v = 0, magnitude_limit = (uint64_t)INT64_MAX;
	int overflow = 0;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	if (auto_base && p[0] == '0' && p[1] && strchr("xXoObB", p[1])) {
		base = strchr("xX", p[1]) ? 16 : strchr("oO", p[1]) ? 8 : 2;
		p += 2;
		if (*p == '_') /* Python allows one underscore right after the prefix */
			p++;
	}
	digits = p;
	for (; *p && !isspace((unsigned char)*p); p++) {
		int d;

		if (*p == '_' && p > digits && p[-1] != '_' && p[1] && p[1] != '_' && !isspace((unsigned char)p[1]))
			continue;
		d = isdigit((unsigned char)*p) ? *p - '0' : isxdigit((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10 : 99;
		if (d >= base)
			return -1;
		if (ndigits == 0 && d == 0)
			leading_zero = 1;
		nonzero |= d != 0;
		if (v > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
			overflow = 1;
		v = v * (uint64_t)base + (uint64_t)d;
		ndigits++;
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p || ndigits == 0 || (auto_base && base == 10 && leading_zero && nonzero))
		return -1;
	*fits = !overflow && v <= magnitude_limit + (uint64_t)negative;
	*out = negative ? (uint64_t)0 - v : v;
	return 0;
}

static int usage_error(const char *fmt, const char *value)
{
	error_line(CMD ": %s%s", fmt, value ? value : "");
	return EXIT_USAGE;
}

static int int_arg(uint64_t *out, int *fits, const char *option, const char *text, int auto_base)
{
	if (python_int(out, fits, text, auto_base) == 0)
		return 0;
	error_line(CMD ": argument %s: invalid %s value: '%s'", option, auto_base ? "auto_base_int" : "int", text);
	return EXIT_USAGE;
}

/* A signed 64-bit integer (family, model, stepping, vars size). */
static int int64_arg(int64_t *out, const char *option, const char *text)
{
	uint64_t v;
	int fits;

	if (int_arg(&v, &fits, option, text, 0))
		return EXIT_USAGE;
	if (!fits) {
		error_line(CMD ": argument %s: %s is out of range", option, text);
		return EXIT_USAGE;
	}
	*out = (int64_t)v;
	return 0;
}

static int choice(int *out, const char *option, const char *value, const char *const *choices, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(value, choices[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	ccgov_buffer list = CCGOV_BUFFER_INIT;

	for (size_t i = 0; i < n; i++)
		ccgov_buffer_printf(&list, "%s%s", i ? ", " : "", choices[i]);
	error_line(CMD ": argument %s: invalid choice: '%s' (choose from %s)", option, value, list.failed ? "" : list.data);
	ccgov_buffer_free(&list);
	return EXIT_USAGE;
}

/* Integers are read as the reference's argparse types read them, whether or not the mode uses them. */
static int check_int_syntax(const sev_args *a)
{
	const char *const decimal[][2] = { { "--vcpus", a->vcpus }, { "--vcpu-family", a->family }, { "--vcpu-model", a->model },
					   { "--vcpu-stepping", a->stepping }, { "--vars-size", a->vars_size } };
	const char *const auto_base[][2] = { { "--vcpu-sig", a->vcpu_sig }, { "--guest-features", a->guest_features } };
	uint64_t v;
	int fits;

	for (size_t i = 0; i < 5; i++)
		if (decimal[i][1] && int_arg(&v, &fits, decimal[i][0], decimal[i][1], 0))
			return EXIT_USAGE;
	for (size_t i = 0; i < 2; i++)
		if (auto_base[i][1] && int_arg(&v, &fits, auto_base[i][0], auto_base[i][1], 1))
			return EXIT_USAGE;
	return 0;
}

static int parse_args(sev_args *a, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "mode", required_argument, NULL, 'm' },
		{ "vcpus", required_argument, NULL, 'n' },
		{ "vcpu-type", required_argument, NULL, 't' },
		{ "vcpu-sig", required_argument, NULL, 's' },
		{ "vcpu-family", required_argument, NULL, 'F' },
		{ "vcpu-model", required_argument, NULL, 'M' },
		{ "vcpu-stepping", required_argument, NULL, 'S' },
		{ "vmm-type", required_argument, NULL, 'T' },
		{ "ovmf", required_argument, NULL, 'o' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "initrd", required_argument, NULL, 'i' },
		/* argparse's unique prefix of --initrd, which --image would make ambiguous. */
		{ "i", required_argument, NULL, 'i' },
		{ "append", required_argument, NULL, 'a' },
		{ "guest-features", required_argument, NULL, 'g' },
		{ "output-format", required_argument, NULL, 'O' },
		{ "snp-ovmf-hash", required_argument, NULL, 'H' },
		{ "dump-vmsa", no_argument, NULL, 'D' },
		{ "svsm", required_argument, NULL, 'w' },
		{ "vars-size", required_argument, NULL, 'z' },
		{ "vars-file", required_argument, NULL, 'x' },
		MEASURE_OUTPUT_OPTIONS,
		{ NULL, 0, NULL, 0 }
	};
	static const char *const output_formats[] = { "hex", "base64" };
	int c, i;

	memset(a, 0, sizeof(*a));
	a->mode = -1;
	a->vmm_type = "QEMU";
	optind = 1;
	while ((c = next_option(CMD, argc, argv, "v", longopts)) != -1) {
		switch (c) {
		case 'V': printf("ccgov %s measure sev-snp (sev-snp-measure %s)\n", CCGOV_VERSION, REFERENCE_VERSION); return -1;
		case 'v': a->verbose = 1; break;
		case 'm': if (choice(&a->mode, "--mode", optarg, modes, 5)) return EXIT_USAGE; break;
		case 'n': a->vcpus = optarg; break;
		case 't': if (choice(&i, "--vcpu-type", optarg, ccgov_sev_cpu_names, 16)) return EXIT_USAGE; a->vcpu_type = optarg; break;
		case 's': a->vcpu_sig = optarg; break;
		case 'F': a->family = optarg; break;
		case 'M': a->model = optarg; break;
		case 'S': a->stepping = optarg; break;
		case 'T': a->vmm_type = optarg; break;
		case 'o': a->ovmf = optarg; break;
		case 'k': a->kernel = optarg; break;
		case 'i': a->initrd = optarg; break;
		case 'a': a->append = optarg; break;
		case 'g': a->guest_features = optarg; break;
		case 'O': if (choice(&i, "--output-format", optarg, output_formats, 2)) return EXIT_USAGE; a->base64 = i; break;
		case 'H': a->ovmf_hash = optarg; break;
		case 'D': a->dump_vmsa = 1; break;
		case 'w': a->svsm = optarg; break;
		case 'z': a->vars_size = optarg; break;
		case 'x': a->vars_file = optarg; break;
		default: if (measure_output_option(&a->out, CMD, c, optarg) <= 0) return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return usage_error("unrecognized arguments: ", argv[optind]);
	if (check_int_syntax(a))
		return EXIT_USAGE;
	if (a->mode < 0 || !a->ovmf)
		return usage_error(a->mode < 0 ? "the following arguments are required: --mode" : "the following arguments are required: --ovmf", NULL);
	if (a->vars_size && a->vars_file)
		return usage_error("argument --vars-file: not allowed with argument --vars-size", NULL);
	return 0;
}

/* The vCPU signature, in sev-snp-measure's order of precedence. */
static int vcpu_sig(ccgov_sev_launch *l, const sev_args *a)
{
	uint64_t v;
	int fits;

	if (l->mode == CCGOV_SEV)
		return 0;
	if (a->family) {
		int64_t f, m, s;

		if (!a->model || !a->stepping)
			return usage_error("--vcpu-family needs --vcpu-model and --vcpu-stepping", NULL);
		if (int64_arg(&f, "--vcpu-family", a->family) || int64_arg(&m, "--vcpu-model", a->model) ||
		    int64_arg(&s, "--vcpu-stepping", a->stepping))
			return EXIT_USAGE;
		l->vcpu_sig = ccgov_sev_cpu_sig(f, m, s);
	} else if (a->vcpu_sig) {
		if (int_arg(&v, &fits, "--vcpu-sig", a->vcpu_sig, 1))
			return EXIT_USAGE;
		l->vcpu_sig = v;
	} else if (a->vcpu_type) {
		ccgov_sev_cpu_sig_named(&l->vcpu_sig, a->vcpu_type);
	} else if (l->vmm == CCGOV_VMM_QEMU) {
		error_line(CMD ": missing --vcpu-type or --vcpu-sig or --vcpu-family in guest mode '%s'", modes[a->mode]);
		return EXIT_USAGE;
	}
	return 0;
}

/* bytes.fromhex: pairs of hex digits, ASCII whitespace allowed between pairs. */
static int parse_hex_seed(unsigned char out[48], const char *text)
{
	size_t n = 0;

	for (const char *p = text; *p;) {
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (!isxdigit((unsigned char)p[0]) || !isxdigit((unsigned char)p[1]) || n == 48)
			return -1;
		sscanf(p, "%2hhx", &out[n++]);
		p += 2;
	}
	return n == 48 ? 0 : -1;
}

/* snp:svsm: the SVSM image, and the variable store's size (given, or a file's) that lies between it and the OVMF. */
static int svsm_from_args(ccgov_sev_launch *l, const sev_args *a)
{
	struct stat st;
	int64_t size = 0;

	if (l->vmm != CCGOV_VMM_QEMU)
		return usage_error("snp:svsm is measured for QEMU only", NULL);
	if (!a->svsm)
		return usage_error("snp:svsm mode requires --svsm", NULL);
	if (a->vars_file && stat(a->vars_file, &st) != 0) {
		error_line("%s: %s", a->vars_file, strerror(errno));
		return EXIT_USAGE;
	}
	if (a->vars_file)
		size = st.st_size;
	else if (a->vars_size && int64_arg(&size, "--vars-size", a->vars_size))
		return EXIT_USAGE;
	if (size <= 0 && !a->vars_file)
		return usage_error("snp:svsm mode requires --vars-size or --vars-file", NULL);
	l->svsm = a->svsm;
	l->vars_size = (uint64_t)size;
	return 0;
}

static int launch_from_args(ccgov_sev_launch *l, const sev_args *a, unsigned char seed[48])
{
	static const char *const vmms[] = { "QEMU", "ec2", "gce" };
	uint64_t v;
	int fits, vmm = -1, err;

	memset(l, 0, sizeof(*l));
	l->mode = mode_values[a->mode];
	l->ovmf = a->ovmf;
	/* As in sev-snp-measure, an empty string is an option not given; snp:svsm measures no kernel. */
	l->kernel = a->kernel && *a->kernel && l->mode != CCGOV_SEV_SNP_SVSM ? a->kernel : NULL;
	l->initrd = l->kernel && a->initrd && *a->initrd ? a->initrd : NULL;
	l->append = l->kernel && a->append && *a->append ? a->append : NULL;
	if (a->initrd && *a->initrd && !a->kernel)
		return usage_error("--kernel required when using --initrd", NULL);
	if (a->append && *a->append && !a->kernel)
		return usage_error("--kernel required when using --append", NULL);
	if (l->mode != CCGOV_SEV && !a->vcpus) {
		error_line(CMD ": missing --vcpus N in guest mode '%s'", modes[a->mode]);
		return EXIT_USAGE;
	}
	for (int i = 0; i < 3; i++)
		if (strcmp(a->vmm_type, vmms[i]) == 0)
			vmm = i;
	if (vmm < 0)
		return error_line(CMD ": unknown VMM type '%s' (QEMU, ec2, gce)", a->vmm_type), EXIT_USAGE;
	l->vmm = (ccgov_sev_vmm)vmm;
	if ((err = vcpu_sig(l, a)) != 0)
		return err;
	if (a->vcpus && l->mode != CCGOV_SEV) {
		if (int_arg(&v, &fits, "--vcpus", a->vcpus, 0))
			return EXIT_USAGE;
		if (!fits || (int64_t)v < 1 || v > CCGOV_SEV_MAX_VCPUS)
			return error_line(CMD ": --vcpus %s: a guest has 1 to %u vCPUs", a->vcpus, CCGOV_SEV_MAX_VCPUS), EXIT_USAGE;
		l->vcpus = (uint32_t)v;
	}
	l->guest_features = 1;
	if (a->guest_features && int_arg(&l->guest_features, &fits, "--guest-features", a->guest_features, 1))
		return EXIT_USAGE;
	if (a->ovmf_hash && *a->ovmf_hash) {
		if (l->mode != CCGOV_SEV_SNP)
			return usage_error("--snp-ovmf-hash applies to --mode snp only", NULL);
		if (parse_hex_seed(seed, a->ovmf_hash) < 0)
			return usage_error("--snp-ovmf-hash: not 48 bytes in hex (96 hex digits): ", a->ovmf_hash);
		l->ovmf_hash = seed;
	}
	if (a->dump_vmsa && l->mode == CCGOV_SEV)
		return usage_error("--dump-vmsa is not available in mode sev: it has no VMSAs", NULL);
	return l->mode == CCGOV_SEV_SNP_SVSM ? svsm_from_args(l, a) : 0;
}

/* The VMSA pages, kept until the measurement and the Statement are done, then written together. */
typedef struct {
	unsigned char (*pages)[CCGOV_SEV_PAGE];
	uint32_t n;
} vmsa_pages;

static int keep_vmsa(void *ctx, uint32_t index, const unsigned char page[CCGOV_SEV_PAGE])
{
	vmsa_pages *v = ctx;

	memcpy(v->pages[index], page, CCGOV_SEV_PAGE);
	v->n = index + 1;
	return 0;
}

static int write_vmsa_page(ccgov_ownership *proof, const char *name, const unsigned char *page)
{
	ccgov_atomic_file *f;
	int err;

	if ((err = ccgov_atomic_file_open(&f, name, 0644)) < 0)
		return err;
	ccgov_atomic_file_proof(proof, f);
	if ((err = ccgov_atomic_file_write(f, page, CCGOV_SEV_PAGE)) < 0) {
		ccgov_atomic_file_abort(f);
		return err;
	}
	return ccgov_atomic_file_commit(f);
}

/*
 * vmsa0.bin, vmsa1.bin, ... each written atomically; if one fails, those
 * this run wrote are removed again (by their proof: only our own files).
 */
static int write_vmsa_pages(const vmsa_pages *v)
{
	ccgov_ownership written[CCGOV_SEV_MAX_VCPUS];
	char name[32];

	for (uint32_t i = 0; i < v->n; i++) {
		snprintf(name, sizeof(name), "vmsa%" PRIu32 ".bin", i);
		if (write_vmsa_page(&written[i], name, v->pages[i]) == 0)
			continue;
		{
			int status = error_from_library();

			while (i-- > 0) {
				snprintf(name, sizeof(name), "vmsa%" PRIu32 ".bin", i);
				ccgov_remove(name, &written[i], 0);
			}
			return status;
		}
	}
	return EXIT_OK;
}

static void print_measurement(const sev_args *a, const unsigned char *digest, size_t len)
{
	char text[128];

	if (a->base64)
		EVP_EncodeBlock((unsigned char *)text, digest, (int)len);
	else
		ccgov_hex(text, digest, len);
	if (a->verbose)
		printf("Calculated %s guest measurement: %s\n", mode_names[a->mode], text);
	else
		printf("%s\n", text);
}

static void add_sha256(cJSON *root, const char *key, const unsigned char digest[32])
{
	char hex[65];

	ccgov_hex(hex, digest, 32);
	cJSON_AddStringToObject(cJSON_AddObjectToObject(root, key), "sha256", hex);
}

/* A file named by what it holds (its SHA-256), not by where it was on this machine. */
static int add_file(cJSON *root, const char *key, const char *path)
{
	ccgov_digest d;

	if (ccgov_digest_file(&d, CCGOV_SHA256, path) < 0)
		return -1;
	add_sha256(root, key, d.bytes);
	return 0;
}

/*
 * The report: what was measured and how, with inputs by content, so that
 * the same launch gives the same report on any machine.
 */
static cJSON *json_report(const sev_args *a, const ccgov_sev_launch *l, const ccgov_sev_measurement *m)
{
	static const char *const vmms[] = { "QEMU", "ec2", "gce" };
	cJSON *root = cJSON_CreateObject();
	char hex[97], num[19];

	ccgov_hex(hex, m->digest, m->len);
	cJSON_AddStringToObject(root, "type", "sev-snp");
	cJSON_AddStringToObject(root, "mode", modes[a->mode]);
	cJSON_AddStringToObject(root, "measurement", hex);
	if (add_file(root, "ovmf", a->ovmf) < 0 || (l->svsm && add_file(root, "svsm", l->svsm) < 0)) {
		cJSON_Delete(root);
		return NULL;
	}
	if (a->mode == MODE_OVMF_HASH)
		return root;
	cJSON_AddStringToObject(root, "vmm_type", vmms[l->vmm]);
	if (l->mode != CCGOV_SEV) {
		cJSON_AddNumberToObject(root, "vcpus", l->vcpus);
		snprintf(num, sizeof(num), "0x%" PRIx64, l->vcpu_sig);
		cJSON_AddStringToObject(root, "vcpu_sig", num);
	}
	if (l->mode == CCGOV_SEV_SNP) {
		snprintf(num, sizeof(num), "0x%" PRIx64, l->guest_features);
		cJSON_AddStringToObject(root, "guest_features", num);
	}
	if (l->svsm)
		cJSON_AddNumberToObject(root, "vars_size", (double)l->vars_size);
	if (m->kernel_measured) {
		add_sha256(root, "kernel", m->kernel_sha256);
		add_sha256(root, "initrd", m->initrd_sha256);
		cJSON_AddStringToObject(root, "append", l->append ? l->append : "");
	}
	return root;
}

int measure_sev_snp(int argc, char **argv)
{
	sev_args a;
	ccgov_sev_launch l;
	ccgov_sev_measurement m = { .len = 48 };
	vmsa_pages vmsas = { NULL, 0 };
	unsigned char seed[48];
	cJSON *report = NULL;
	int err = parse_args(&a, argc, argv);

	if (err)
		return err < 0 ? EXIT_OK : err;
	memset(&l, 0, sizeof(l));
	if (a.mode != MODE_OVMF_HASH && (err = launch_from_args(&l, &a, seed)) != 0)
		return err;
	if ((err = measure_output_prepare(&a.out, a.ovmf)) != EXIT_OK)
		return err;
	if (a.mode == MODE_OVMF_HASH) {
		/* As in sev-snp-measure: every other option is ignored, the output is hex. */
		err = ccgov_sev_ovmf_hash(m.digest, a.ovmf) < 0 ? error_from_library() : EXIT_OK;
		a.base64 = a.verbose = 0;
	} else {
		if (a.dump_vmsa && !(vmsas.pages = malloc((size_t)CCGOV_SEV_MAX_VCPUS * CCGOV_SEV_PAGE)))
			err = EXIT_INTERNAL;
		l.vmsa_page = a.dump_vmsa ? keep_vmsa : NULL;
		l.vmsa_ctx = &vmsas;
		if (err == EXIT_OK && ccgov_sev_measure(&m, &l) < 0)
			err = error_from_library();
	}
	if (err == EXIT_OK && (a.out.format == FORMAT_JSON || a.out.statement) && !(report = json_report(&a, &l, &m)))
		err = error_from_library();
	if (err == EXIT_OK && report)
		err = measure_output_report(&a.out, report);
	if (err == EXIT_OK && a.dump_vmsa)
		err = write_vmsa_pages(&vmsas);
	if (err == EXIT_OK && a.out.format == FORMAT_TEXT)
		print_measurement(&a, m.digest, m.len);
	measure_output_free(&a.out);
	cJSON_Delete(report);
	free(vmsas.pages);
	return err;
}
