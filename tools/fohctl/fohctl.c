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

#define OBJECT_HELP \
	"With no argument: every property. PROPERTY reads one, PROPERTY=VALUE\n" \
	"sets one (several may follow each other), METHOD ARG... calls a method.\n" \
	"'fohctl describe OBJECT' lists the properties and methods."

static const struct command commands[] = {
	{ "status", "", "daemon, PipeWire and graph status", NULL, true, cmd_status },
	{ "devices", "", "PipeWire audio sources and sinks", NULL, true, cmd_devices },
	{ "self-check", "", "run fohd's self-checks (exit 1 when one fails)", NULL, true,
		cmd_self_check },
	{ "list", "", "every foh object and its interface", NULL, true, cmd_list },
	{ "describe", "OBJECT", "the properties, methods and signals of an object",
		"Types are D-Bus signatures; a property is read-only or read-write.", true,
		cmd_describe },
	{ "get", "OBJECT [PROPERTY...]", "read properties (all when none is named)",
		"With one PROPERTY its value alone is printed.", true, cmd_get },
	{ "call", "OBJECT METHOD [ARG...]", "call a method and print what it returns",
		"Arguments are converted to the types fohd's introspection declares.", true,
		cmd_call },
	{ "meters", "[--once] [--count N]", "live meters of every channel (Ctrl-C stops)",
		"On a terminal: bars for peak and VU, LUFS momentary/short-term and gain\n"
		"reduction, redrawn at 10 Hz from the Levels signals. When stdout is not\n"
		"a terminal: one plain line per channel per tick; with --json one JSON\n"
		"array per tick and line.\n"
		"  --once      print one snapshot of the current values and exit\n"
		"  --count N   stop after N ticks", true, cmd_meters },
	{ "manager", "[PROPERTY[=VALUE]...]", "the daemon", OBJECT_HELP, true,
		cmd_object },
	{ "analyzer", "[PROPERTY[=VALUE]...]", "the analyzer", OBJECT_HELP, true,
		cmd_object },
	{ "x32", "[VERB [ARG...] | PROPERTY[=VALUE]...]",
		"the X32 connection",
		"  connect [IP[:PORT]]  set Address (when given) and connect\n"
		"  disconnect           stop talking to the desk\n"
		"  outputs              the ridable outputs and their desk names\n"
		"  fader ID [DB]        read, or set (quantized), an output's fader\n"
		"  backup [PATH]        save the desk's faders, mutes and names as JSON\n"
		"                       (no PATH: under $XDG_DATA_HOME/foh/backups)\n"
		"  routing              which outputs look like the stream feed\n\n"
		OBJECT_HELP, true, cmd_x32 },
	{ "stabilizer", "[watch | PROPERTY[=VALUE]...]", "the level stabilizer",
		"  watch [--count N]    live view: state, target, output (short-term loudness\n"
		"                       in local mode), fader (the leveler's gain), 4 times a\n"
		"                       second (Ctrl-C stops)\n\n"
		OBJECT_HELP, true, cmd_stabilizer },
	{ "channel", "N [PROPERTY[=VALUE]...]", "channel N", OBJECT_HELP, true,
		cmd_object },
	{ "deck", "L [load PATH [OPTIONS] | PROPERTY[=VALUE]...]",
		"deck L (a..d): load, play, tempo, EQ",
		"  load PATH [--struct FILE.json] [--rekordbox FILE.xml]\n"
		"                       load a track; with a struct JSON and/or a\n"
		"                       Rekordbox collection, also set TrackBpm from\n"
		"                       them (Rekordbox's AverageBpm wins), so the deck\n"
		"                       follows the mixer's BPM\n\n"
		OBJECT_HELP, true, cmd_deck },
	{ "mixer", "[PROPERTY[=VALUE]...]", "the decks' mixer: crossfader, BPM, movement",
		OBJECT_HELP, true, cmd_object },
	{ "content", "VERB [OPTIONS] FILE...",
		"content detection of sound files (no fohd needed)",
		"  classify [--timeline] [--file MODEL] FILE...\n"
		"                       class (silence, speech, music), style and\n"
		"                       confidence of each file; --timeline prints every\n"
		"                       0.5 s decision\n"
		"  learn [--class speech|music] [--margin M] [--file MODEL] NAME FILE...\n"
		"                       a centroid (a style when music, the default)\n"
		"                       from example recordings, into the user's model\n"
		"                       ~/.config/foh/content/styles (or MODEL); a style\n"
		"                       with --margin M (0..1) is decided only when\n"
		"                       nearer than (1 - M) x the next style\n"
		"  init --file MODEL FILE...\n"
		"                       a new model without centroids: the features'\n"
		"                       standardisation over FILE...\n"
		"  features FILE...     the feature vectors, one line per 0.5 s\n\n"
		"The model read is $FOH_CONTENT_STYLES, else the user's, else the one\n"
		"foh ships (see README.md, \"Content detection\").",
		true, cmd_content, true },
	{ "profile", "list | show NAME | set NAME KEY=VALUE... | delete NAME",
		"content profiles: named sets of channel settings",
		"A profile holds config keys of [channel.N] that describe a sound (gate,\n"
		"compressor, EQ, effects, ...). set replaces the whole profile; fohd\n"
		"validates it and writes nothing on a refusal. Built in: speech, rock,\n"
		"jazz, electronic, classical. A channel uses them through its\n"
		"ProfileMode (off, auto, manual) and Profile properties.",
		true, cmd_profile },
	{ "osc", "stats", "foh-osc's counters (received, dispatched, refused...)",
		"Asks foh-osc (org.foh.Osc1), not fohd.", true, cmd_osc },
	{ "web", "stats | token [FILE]", "foh-web's counters (requests, refusals...) or access token",
		"stats asks foh-web (org.foh.Web1); token prints the token foh-web needs\n"
		"on a listener off 127.0.0.1 (from [web] token-file in foh-web.conf, else\n"
		"$XDG_CONFIG_HOME/foh/web-token).", true, cmd_web },
	{ "room", "create [--id ID] [--channel N] [--programme NODE] [--listen-key] "
		"[--max-peers N] | list | close ID", "foh-web's WebRTC rooms",
		"Asks foh-web (org.foh.Web1.Rooms), not fohd: create prints the new room's\n"
		"id and keys, list its rooms with their counts, close ends one (its peers\n"
		"leave, its channel gets its Input back).", true, cmd_room },
	{ "set", "OBJECT PROPERTY VALUE", "change a property",
		"VALUE is converted to the property's type; booleans are true/false,\n"
		"yes/no, on/off or 1/0. A negative VALUE needs no --.", false, cmd_set },
	{ "test-tone", "[--channel N] [--hz HZ] [--seconds S] [--level DBFS]",
		"play a sine through a channel's output",
		"Defaults: channel 1, 1000 Hz, 5 s, -18 dBFS (peak). --opt=VALUE works too.",
		false, cmd_test_tone },
	{ "reload", "", "reload and validate the config",
		"A config with any error is refused and changes nothing.", false, cmd_reload },
};

#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void list_commands(FILE *f, bool reads)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (commands[i].reads == reads)
			fprintf(f, "  %-11s %-24s %s\n", commands[i].name, commands[i].args,
					commands[i].summary);
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: fohctl [OPTIONS] COMMAND [ARGS...]\n\n"
		"Controls fohd, the foh live-audio daemon, over D-Bus.\n\n"
		"Commands that print what they read (--json for JSON):\n");
	list_commands(f, true);
	fprintf(f, "\nCommands that change settings:\n");
	list_commands(f, false);
	fprintf(f, "\nOBJECT is manager, channel/N, or another name from 'fohctl list'.\n"
		"\nOptions:\n"
		"  -j, --json     machine-readable output for read commands\n"
		"  -h, --help     show this help (after a command: that command's help)\n"
		"      --version  show the version\n"
		"\nExit status: 0 ok, 1 an error from fohd or fohd not running, 2 usage.\n");
}

static void command_usage(const struct command *cmd)
{
	printf("Usage: fohctl %s%s %s\n\n%s.\n", cmd->reads ? "[--json] " : "", cmd->name,
			cmd->args, cmd->summary);
	if (cmd->help != NULL)
		printf("\n%s\n", cmd->help);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

/* Takes --json/-j and --help/-h out of a command's arguments, anywhere
 * before a "--" (which goes too: what follows is taken as it is, so a
 * negative number needs no care). Other options stay for the command. */
static int strip_common_options(struct ctx *c, const struct command *cmd, int *argc, char **argv)
{
	bool options = true;
	int out = 1;

	for (int i = 1; i < *argc; i++) {
		if (options && strcmp(argv[i], "--") == 0) {
			options = false;
		} else if (options && (strcmp(argv[i], "--json") == 0 || strcmp(argv[i], "-j") == 0)) {
			c->json = true;
		} else if (options && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			command_usage(cmd);
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
	if (!cmd->local && (r = sd_bus_open_user(&c.bus)) < 0) {
		fprintf(stderr, "fohctl: cannot connect to the user bus: %s\n", strerror(-r));
		return EXIT_FAILURE;
	}
	r = cmd->run(&c, cargc, argv + optind);
	sd_bus_flush_close_unref(c.bus);
	return r;
}
