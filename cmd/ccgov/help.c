#include "cli.h"

#include <string.h>

void print_overview(FILE *out)
{
	fprintf(out, "usage: ccgov [--version] [--help] COMMAND [ARGS]\n\n"
		     "ccgov makes confidential-computing workloads governable from CI/CD.\n\n"
		     "Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-14s %s\n", c->name, c->summary);
	fprintf(out, "\nSee 'ccgov help COMMAND' or 'man ccgov-COMMAND' for one command,\n"
		     "and 'man ccgov' for exit statuses and the environment.\n");
}

void print_command_help(FILE *out, const struct command *cmd)
{
	fprintf(out, "usage: ccgov %s\n\n%s.\n", cmd->usage, cmd->summary);
	if (cmd->options)
		fprintf(out, "\nOptions:\n%s", cmd->options);
}

int cmd_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc > 2) {
		error_line("help: too many arguments (usage: ccgov help [COMMAND])");
		return EXIT_USAGE;
	}
	if (argc == 1) {
		print_overview(stdout);
		return EXIT_OK;
	}
	if (!(cmd = command_find(argv[1]))) {
		error_line("help: '%s' is not a ccgov command", argv[1]);
		suggest_command(argv[1]);
		return EXIT_USAGE;
	}
	print_command_help(stdout, cmd);
	return EXIT_OK;
}

