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

static void print_versions(const cJSON *list)
{
	const cJSON *v;
	int first = 1;

	cJSON_ArrayForEach(v, list) {
		printf("%s%s", first ? "" : ",", cJSON_IsString(v) ? v->valuestring : "(none)");
		first = 0;
	}
}

/* "added   ID VERSION" lines for one list of the comparison. */
static void print_entries(const char *what, const cJSON *list)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, list) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "version");

		printf("%-8s %s %s\n", what, cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring,
		       cJSON_IsString(v) ? v->valuestring : "(no version)");
	}
}

/* ccgov sbom diff A B: exit 0 when the two list the same components, 1 when not. */
static int sbom_diff(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 }
	};
	enum output_format format = FORMAT_TEXT;
	ccgov_sbom_entry *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	cJSON *report = NULL;
	int c, status;

	optind = 1;
	while ((c = next_option("sbom diff", argc, argv, "", longopts)) != -1) {
		if (c != 'f' || parse_format(&format, "sbom diff", optarg) < 0)
			return EXIT_USAGE;
	}
	if (argc - optind != 2) {
		error_line("sbom diff: two SBOMs are needed (usage: ccgov sbom diff OLD NEW [--format text|json])");
		return EXIT_USAGE;
	}
	if (ccgov_sbom_entries(&a, &na, argv[optind]) < 0 || ccgov_sbom_entries(&b, &nb, argv[optind + 1]) < 0 ||
	    ccgov_sbom_compare(&report, a, na, b, nb) < 0) {
		status = error_from_library();
	} else {
		const cJSON *added = cJSON_GetObjectItemCaseSensitive(report, "added"),
			    *removed = cJSON_GetObjectItemCaseSensitive(report, "removed"),
			    *changed = cJSON_GetObjectItemCaseSensitive(report, "changed"), *e;
		int n_added = cJSON_GetArraySize(added), n_removed = cJSON_GetArraySize(removed),
		    n_changed = cJSON_GetArraySize(changed);

		status = n_added + n_removed + n_changed ? EXIT_CHECK_FAILED : EXIT_OK;
		if (format == FORMAT_JSON) {
			if (print_json(report) < 0)
				status = error_from_library();
		} else {
			print_entries("added", added);
			print_entries("removed", removed);
			cJSON_ArrayForEach(e, changed) {
				printf("%-8s %s ", "changed", cJSON_GetObjectItemCaseSensitive(e, "id")->valuestring);
				print_versions(cJSON_GetObjectItemCaseSensitive(e, "from"));
				printf(" -> ");
				print_versions(cJSON_GetObjectItemCaseSensitive(e, "to"));
				printf("\n");
			}
		}
		fprintf(stderr, "ccgov: sbom diff: %d added, %d removed, %d changed in version\n", n_added, n_removed,
			n_changed);
	}
	cJSON_Delete(report);
	ccgov_sbom_entries_free(a, na);
	ccgov_sbom_entries_free(b, nb);
	return status;
}

int cmd_sbom(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "image", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 }
	};
	enum sbom_format format = SBOM_NONE;
	ccgov_sbom_options opts = { .root = "." };
	const char *output = NULL;
	ccgov_buffer doc = CCGOV_BUFFER_INIT;
	ccgov_sbom sbom;
	int c, status = EXIT_OK;

	if (argc > 1 && strcmp(argv[1], "diff") == 0)
		return sbom_diff(argc - 1, argv + 1);
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
		case 'i':
			opts.image = optarg;
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
