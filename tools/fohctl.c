/* fohctl: the command-line client of fohd. Speaks only D-Bus
 * (org.foh.Foh1 on the user bus). Exit codes: 0 ok, 1 an error from fohd or
 * fohd not running, 2 usage. Every read command takes --json; every command
 * takes --help. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foh-config.h"
#include "fohctl.h"

static const struct command commands[] = {
	{ "status", "", "daemon, PipeWire and graph status", cmd_status },
	{ "devices", "", "PipeWire audio sources and sinks", cmd_devices },
	{ "reload", "", "reload and validate the config", cmd_reload },
	{ "self-check", "", "run fohd's self-checks (exit 1 when one fails)", cmd_self_check },
	{ "list", "", "every foh object and its interface", cmd_list },
	{ "get", "OBJECT [PROPERTY...]", "read properties (all when none is named)", cmd_get },
	{ "set", "OBJECT PROPERTY VALUE", "change a property", cmd_set },
	{ "call", "OBJECT METHOD [ARG...]", "call a method", cmd_call },
	{ "meters", "[--once] [--count N]", "live meters of every channel (Ctrl-C stops)", cmd_meters },
	{ "analyzer", "[PROPERTY[=VALUE]... | METHOD ARG...]", "the analyzer", cmd_object },
	{ "x32", "[PROPERTY[=VALUE]... | METHOD ARG...]", "the X32 connection", cmd_object },
	{ "stabilizer", "[PROPERTY[=VALUE]... | METHOD ARG...]", "the level stabilizer", cmd_object },
	{ "channel", "N [PROPERTY[=VALUE]... | METHOD ARG...]", "channel N", cmd_object },
	{ "deck", "L [PROPERTY[=VALUE]... | METHOD ARG...]", "deck L (a..d): Load, Play, Stop, Seek ...", cmd_object },
	{ "mixer", "[PROPERTY[=VALUE]... | METHOD ARG...]", "the decks' mixer: crossfader, BPM", cmd_object },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
	fprintf(f, "Usage: fohctl [OPTIONS] COMMAND [ARGS...]\n\n"
		"Controls fohd, the foh live-audio daemon, over D-Bus.\n\nCommands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(f, "  %-11s %-24s %s\n", commands[i].name, commands[i].args,
				commands[i].summary);
	fprintf(f, "\nOBJECT is manager, channel/N, or another name from 'fohctl list'.\n"
		"\nOptions:\n"
		"  -j, --json     machine-readable output for read commands\n"
		"  -h, --help     show this help (after a command: that command's help)\n"
		"      --version  show the version\n"
		"\nExit status: 0 ok, 1 an error from fohd or fohd not running, 2 usage.\n");
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* Takes --json/-j and --help/-h out of a command's arguments. */
static int strip_common_options(struct ctx *c, const struct command *cmd, int *argc, char **argv)
{
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0) {
			c->json = true;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("Usage: fohctl [--json] %s %s\n\n%s\n", cmd->name, cmd->args, cmd->summary);
			return 0;
		} else {
			argv[out++] = argv[i];
		}
	}
	*argc = out;
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctx c = { 0 };
	const struct command *cmd;
	int opt, r, cargc;

	while ((opt = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			c.json = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("fohctl %s\n", FOH_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if ((cmd = find_command(argv[optind])) == NULL) {
		fprintf(stderr, "fohctl: unknown command '%s' (see fohctl --help)\n", argv[optind]);
		return EXIT_USAGE;
	}
	cargc = argc - optind;
	if (strip_common_options(&c, cmd, &cargc, argv + optind) == 0)
		return EXIT_SUCCESS;
	if (cmd->args[0] == '\0' && cargc > 1) {
		fprintf(stderr, "fohctl %s: unexpected argument '%s'\n", cmd->name, argv[optind + 1]);
		return EXIT_USAGE;
	}
	if ((r = sd_bus_open_user(&c.bus)) < 0) {
		fprintf(stderr, "fohctl: cannot connect to the user bus: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	r = cmd->run(&c, cargc, argv + optind);
	sd_bus_flush_close_unref(c.bus);
	return r;
}
