/* ccgov sbom: the SBOM of a source tree, in SPDX 2.3 or CycloneDX 1.6 JSON. */
#include "cli.h"

#include <ccgov/ccgov.h>
#include <ccgov/sbom.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum sbom_format { SBOM_NONE, SBOM_SPDX, SBOM_CYCLONEDX };

static int parse_sbom_format(enum sbom_format *out, const char *value)
{
	static const char *const names[] = { "spdx-json", "cyclonedx-json" };

	if (strcmp(value, "spdx-json") == 0)
		*out = SBOM_SPDX;
	else if (strcmp(value, "cyclonedx-json") == 0)
		*out = SBOM_CYCLONEDX;
	else {
		error_line("sbom: --format: '%s' is not spdx-json or cyclonedx-json", value);
		suggest(value, names, 2);
		return -1;
	}
	return 0;
}

static int write_document(const ccgov_buffer *doc, const char *output)
{
	if (output)
		return ccgov_file_write_atomic(output, doc->data, doc->len, 0644);
	if (fwrite(doc->data, 1, doc->len, stdout) != doc->len || fflush(stdout) != 0)
		return ccgov_error_set(CCGOV_EIO, "standard output: write failed");
	return 0;
}

int cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	enum sbom_format format = SBOM_NONE;
	ccgov_sbom_options opts = { .root = "." };
	const char *output = NULL;
	ccgov_buffer doc = CCGOV_BUFFER_INIT;
	ccgov_sbom sbom;
	int c, status = EXIT_OK;

	optind = 1;
	while ((c = next_option("sbom", argc, argv, "o:", longopts)) != -1) {
		switch (c) {
		case 'f':
			if (parse_sbom_format(&format, optarg) < 0)
				return EXIT_USAGE;
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			opts.name = optarg;
			break;
		default:
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		error_line("sbom: too many arguments (usage: ccgov sbom [PATH] --format spdx-json|cyclonedx-json)");
		return EXIT_USAGE;
	}
	if (format == SBOM_NONE) {
		error_line("sbom: --format is required: spdx-json or cyclonedx-json");
		return EXIT_USAGE;
	}
	if (optind < argc)
		opts.root = argv[optind];
	ccgov_sbom_init(&sbom);
	if (ccgov_sbom_collect(&sbom, &opts) < 0 ||
	    (format == SBOM_SPDX ? ccgov_sbom_write_spdx(&doc, &sbom) : ccgov_sbom_write_cyclonedx(&doc, &sbom)) < 0 ||
	    write_document(&doc, output) < 0) {
		status = error_from_library();
	} else {
		/* Inputs read only in part are said, each on its own line. */
		for (size_t i = 0; i < sbom.nwarnings; i++)
			fprintf(stderr, "ccgov: warning: %s\n", sbom.warnings[i]);
	}
	ccgov_buffer_free(&doc);
	ccgov_sbom_free(&sbom);
	return status;
}
