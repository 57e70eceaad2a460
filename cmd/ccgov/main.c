/*
 * ccgov: the command table and the dispatcher, in the manner of git's
 * builtin table. Each subcommand lives in its own file and only parses,
 * calls libccgov and prints.
 */
#include "cli.h"

#include <ccgov/ccgov.h>

#include <stdlib.h>
#include <string.h>

const struct command commands[] = {
	{ "build", cmd_build,
	  "Build a project in a normalized environment into a deterministic OCI image",
	  "build [PROJECT_DIR] [-o OUT_DIR] [--rev REV] [--allow-dirty] [--compression gzip|zstd|none] [options]",
	  "  PROJECT_DIR          the project, with its ccgov.json (default .)\n"
	  "  -o, --output-dir DIR the evidence bundle (default ccgov-out)\n"
	  "  --rev REV            build this commit (default HEAD)\n"
	  "  --allow-dirty        build although tracked files have uncommitted changes\n"
	  "  --no-submodules      leave submodules empty folders (the provenance says so)\n"
	  "  --compression ALG    gzip (default), zstd or none\n"
	  "  --command CMD        the build command, run with /bin/sh -c\n"
	  "  --output PATH:DEST   put PATH (in the project) at DEST (in the image); repeatable\n"
	  "  --name NAME          image name\n"
	  "  --tag TAG            image tag (default latest)\n"
	  "  --entrypoint ARGV    a JSON array of strings, or one string\n"
	  "  --cmd ARGV           a JSON array of strings, or one string\n"
	  "  --env NAME=VALUE     environment of the image; repeatable\n"
	  "  --label KEY=VALUE    image label; repeatable\n"
	  "  --user USER          user the image runs as\n"
	  "  --workdir DIR        working folder of the image\n"
	  "  --keep-env VAR       pass the caller's VAR to the build; repeatable\n"
	  "  --build-dir DIR      the build folder (default: a new one in TMPDIR); the build sees\n"
	  "                       it at /tmp/ccgov-build whatever DIR is, where namespaces allow\n"
	  "  --keep-build-dir     leave the build folder for inspection\n"
	  "  --timeout SECONDS    stop the build command and its processes after SECONDS\n"
	  "  --lock-timeout SECONDS  wait at most SECONDS for a build folder another run holds (600)\n"
	  "  --no-namespace       run the build at the build folder's real path\n"
	  "  --oci-archive        also write the layout as one tar, OUT_DIR/image.oci.tar\n"
	  "  --threads N          compression threads (default: all CPUs; output is the same)\n"
	  "  -q, --quiet          do not show the build's output\n"
	  "  --format FMT         text (default) or json\n" },
	{ "help", cmd_help, "Show help for ccgov or one of its commands",
	  "help [COMMAND]", NULL },
	{ "scan", cmd_scan,
	  "Find platform sealing, runtime code loading and runtime-mutable security configuration",
	  "scan [PATH] [--rules DIR] [--format text|json|sarif] [--fail-on SEVERITY] [--allow-skipped KIND] [--baseline FILE] [--changed-since REV]",
	  "  PATH                 the folder to scan (default .); .gitignore hides untracked files only;\n"
	  "                       symbolic links are followed inside it, each file read once\n"
	  "  --rules DIR          also load the rules in DIR (*.scm); repeatable\n"
	  "  --no-default-rules   only the rules given with --rules\n"
	  "  --format FMT         text (default), json or sarif (SARIF 2.1.0)\n"
	  "  --fail-on SEVERITY   exit 1 on a finding at or above note, warning (default) or error,\n"
	  "                       or on a skipped file not allowed; never turns the gate off\n"
	  "  --threads N          parse with N threads (default: all CPUs; output is the same)\n"
	  "  --max-file-size N    skip files larger than N bytes (default 4194304)\n"
	  "  --allow-skipped KIND let the gate pass files skipped as KIND: binary, large,\n"
	  "                       generated, unreadable, syntax-error, symlink; repeatable or a comma list\n"
	  "  --baseline FILE      accept the findings of an earlier --format json report\n"
	  "  --changed-since REV  scan only files that differ from git revision REV\n"
	  "  --no-prefilter       parse every file, even those that contain no rule's literal\n"
	  "  --inventory          list every place the code reads configuration, instead of checking\n" },
	{ "measure", cmd_measure,
	  "Compute TEE launch measurements (reference values) an attestation service expects",
	  "measure sev-snp --mode MODE --ovmf FILE [sev-snp-measure's options] [--format text|json]\n"
	  "       ccgov measure sgx --sgxs FILE | --layout FILE [--sigstruct FILE] [--format text|json]\n"
	  "       ccgov measure tdx --firmware FILE [--page-order interleaved|two-pass] [--format text|json]\n"
	  "       ccgov measure nitro --eif FILE | --kernel FILE --cmdline TEXT --ramdisk FILE... [--format text|json]",
	  "  sev-snp              SEV, SEV-ES or SEV-SNP launch digest, bit for bit as sev-snp-measure 0.0.13\n"
	  "                       computes it, with its options and output:\n"
	  "  --mode MODE          snp, snp:ovmf-hash, snp:svsm, seves or sev\n"
	  "  --ovmf FILE          the OVMF firmware image (its footer table and SEV metadata are checked)\n"
	  "  --vcpus N            vCPUs, 1 to 4096\n"
	  "  --vcpu-type TYPE     EPYC, EPYC-Rome, EPYC-Milan, EPYC-Genoa, EPYC-Turin and their -vN names,\n"
	  "  --vcpu-sig VALUE     or the CPUID signature,\n"
	  "  --vcpu-family N      or family, --vcpu-model N and --vcpu-stepping N\n"
	  "  --vmm-type TYPE      QEMU (default), ec2 or gce\n"
	  "  --kernel FILE        the kernel, --initrd FILE and command line --append TEXT, measured\n"
	  "                       through the firmware's kernel hashes table\n"
	  "  --guest-features V   SEV_FEATURES of the VMSAs (default 0x1)\n"
	  "  --snp-ovmf-hash HEX  the firmware's digest from --mode snp:ovmf-hash, instead of hashing it\n"
	  "  --svsm FILE          snp:svsm: the SVSM image, with --vars-size N or --vars-file FILE\n"
	  "  --output-format FMT  hex (default) or base64; -v, --verbose names the mode\n"
	  "  --dump-vmsa          also write each VMSA page to vmsaN.bin\n"
	  "  sgx                  MRENCLAVE from an SGXS stream (Fortanix format) or an enclave layout;\n"
	  "                       with a SIGSTRUCT, MRSIGNER, product id, SVN and attributes, checked against it\n"
	  "  --sgxs FILE          the enclave's SGXS stream\n"
	  "  --layout FILE        or its layout: a JSON list of regions, their page types, permissions,\n"
	  "                       content files and measured chunks (see the man page)\n"
	  "  --sigstruct FILE     its 1808-byte SIGSTRUCT: the signature is verified, and exit 1\n"
	  "                       when it was signed for another MRENCLAVE\n"
	  "  tdx                  MRTD of a TDVF firmware image (OVMF built with TDX)\n"
	  "  --firmware FILE      the firmware image\n"
	  "  --page-order ORDER   interleaved (KVM/QEMU 9 and later, the default) or two-pass (QEMU-TDX 8.2)\n"
	  "  nitro                PCR0, PCR1 and PCR2 of an AWS Nitro Enclaves image\n"
	  "  --eif FILE           the Enclave Image File (header, sections and CRC-32 checked)\n"
	  "  --kernel FILE        or the parts it is built from: the kernel,\n"
	  "  --cmdline TEXT       the kernel command line,\n"
	  "  --ramdisk FILE       and the ramdisks, in order; repeatable\n"
	  "  --format FMT         text (default) or json\n"
	  "  --statement FILE     also write an in-toto Statement of the measurement to FILE\n"
	  "  --image IMAGE        its subject: an OCI layout or sha256:DIGEST (default: the measured file)\n" },
	{ "sbom", cmd_sbom,
	  "Write an SPDX 2.3 or CycloneDX 1.6 SBOM of a source tree",
	  "sbom [PATH] [--image OCI_DIR] --format spdx-json|cyclonedx-json [-o FILE] [--name NAME]\n"
	  "       ccgov sbom diff OLD NEW [--format text|json]",
	  "  PATH                 the tree to describe (default .); what git ignores is skipped\n"
	  "  --image OCI_DIR      also the image built from it (an OCI layout): its files, ELF build-ids,\n"
	  "                       libraries and compilers, Go modules, Debian packages; the image is the subject\n"
	  "  --format FMT         spdx-json or cyclonedx-json\n"
	  "  -o, --output FILE    write the document to FILE (atomically) instead of standard output\n"
	  "  --name NAME          the project's name (default: ccgov.json's, the remote's or the folder's)\n"
	  "  diff OLD NEW         components added, removed or changed in version between two SBOMs\n"
	  "                       of either format; exit 1 when there is a difference\n" },
	{ "source", cmd_source,
	  "Show the commit a build of PATH would use, or export its tree",
	  "source [PATH] [--rev REV] [--export DIR] [--format text|json]",
	  "  PATH            a file or folder inside a git work tree (default .)\n"
	  "  -r, --rev REV   the revision to describe (default HEAD)\n"
	  "  --export DIR    write the committed tree of REV into DIR, which must not exist\n"
	  "  --format FMT    text (default) or json\n" },
	{ "version", cmd_version,
	  "Show ccgov's version and the versions of the libraries it runs with",
	  "version [--format text|json]",
	  "  --format FMT    text (default) or json\n" },
	{ NULL, NULL, NULL, NULL, NULL }
};

const struct command *command_find(const char *name)
{
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Damerau-Levenshtein (optimal string alignment) distance, as git's help.c uses for hints. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[64][64];

	if (la >= 64 || lb >= 64)
		return (size_t)-1;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++) {
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

void suggest_command(const char *word)
{
	const char *names[32];
	size_t n = 0;

	for (const struct command *c = commands; c->name && n < 32; c++)
		names[n++] = c->name;
	suggest(word, names, n);
}

void suggest(const char *word, const char *const *candidates, size_t n)
{
	suggest_with_prefix("", word, candidates, n);
}

void suggest_with_prefix(const char *prefix, const char *word,
			 const char *const *candidates, size_t n)
{
	size_t best = (size_t)-1, limit = strlen(word) / 3 + 1;
	const char *hint = NULL;

	if (limit > 3)
		limit = 3;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, candidates[i]);

		if (d < best) {
			best = d;
			hint = candidates[i];
		}
	}
	if (hint && best <= limit)
		fprintf(stderr, "ccgov: did you mean %s%s?\n", prefix, hint);
}

static int has_help_flag(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	}
	return 0;
}

static int dispatch(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		print_overview(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		print_overview(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(argc - 1, argv + 1);
	if (argv[1][0] == '-') {
		error_line("unknown option '%s' (usage: ccgov [--version] [--help] COMMAND [ARGS])",
			   argv[1]);
		return EXIT_USAGE;
	}
	if (!(cmd = command_find(argv[1]))) {
		error_line("'%s' is not a ccgov command; see 'ccgov help'", argv[1]);
		suggest_command(argv[1]);
		return EXIT_USAGE;
	}
	if (has_help_flag(argc - 1, argv + 1)) {
		print_command_help(stdout, cmd);
		return EXIT_OK;
	}
	return cmd->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	int status;

	if (ccgov_init() < 0)
		return error_from_library();
	status = dispatch(argc, argv);
	ccgov_shutdown();
	if (fflush(stdout) != 0 || ferror(stdout)) {
		error_line("standard output: write failed");
		return EXIT_INTERNAL;
	}
	return status;
}
