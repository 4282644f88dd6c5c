/* fohctl x32 and fohctl stabilizer: the desk's verbs (connect, outputs,
 * fader, backup) as words a person types, and a live view of the
 * stabilizer. Every verb is a property set or a method call of
 * org.foh.Foh1.X32 made through the generic set/call, so types, errors and
 * --json behave as everywhere else; anything else falls through to the
 * generic object form (PROPERTY[=VALUE]..., METHOD ARG...). */
#include <math.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fohctl.h"

#define X32_PATH "/org/foh/Foh1/x32"
#define STAB_PATH "/org/foh/Foh1/stabilizer"
#define STAB_IFACE "org.foh.Foh1.Stabilizer"

/* fohctl call x32 METHOD [ARG] */
static int call_x32(struct ctx *c, const char *method, const char *arg)
{
	char *args[] = { "call", "x32", (char *)method, (char *)arg, NULL };

	return cmd_call(c, arg ? 4 : 3, args);
}

/* ListOutputs and AnalyzeRouting answer a(ss): a table for people, the
 * generic call's JSON with --json. */
static int x32_table(struct ctx *c, const char *method, const char *head1, const char *head2)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *a, *b;
	int r;

	if (c->json)
		return call_x32(c, method, NULL);
	r = sd_bus_call_method(c->bus, BUS_NAME, X32_PATH, "org.foh.Foh1.X32", method, &e,
			&reply, NULL);
	if (r < 0) {
		r = report_bus_error(method, &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	if ((r = sd_bus_message_enter_container(reply, 'a', "(ss)")) < 0)
		goto bad;
	printf("%-8s %s\n", head1, head2);
	while ((r = sd_bus_message_read(reply, "(ss)", &a, &b)) > 0)
		printf("%-8s %s\n", a, b);
	if (r < 0)
		goto bad;
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
bad:
	sd_bus_message_unref(reply);
	return report_bad_reply(method, r);
}

int cmd_x32(struct ctx *c, int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	int r;

	if (strcmp(verb, "connect") == 0) {
		if (argc > 3)
			return fprintf(stderr, "usage: fohctl x32 connect [IP[:PORT]]\n"), EXIT_USAGE;
		if (argc == 3) {
			char *set[] = { "set", "x32", "Address", argv[2], NULL };
			if ((r = cmd_set(c, 4, set)) != EXIT_SUCCESS)
				return r;
		}
		return call_x32(c, "Connect", NULL);
	}
	if (strcmp(verb, "disconnect") == 0 && argc == 2)
		return call_x32(c, "Disconnect", NULL);
	if (strcmp(verb, "outputs") == 0 && argc == 2)
		return x32_table(c, "ListOutputs", "ID", "NAME");
	if (strcmp(verb, "routing") == 0 && argc == 2)
		return x32_table(c, "AnalyzeRouting", "ID", "WHY");
	if (strcmp(verb, "fader") == 0) {
		if (argc == 3)
			return call_x32(c, "GetFader", argv[2]);
		if (argc == 4) {
			char *args[] = { "call", "x32", "SetFader", argv[2], argv[3], NULL };
			return cmd_call(c, 5, args);
		}
		return fprintf(stderr, "usage: fohctl x32 fader ID [DB]\n"), EXIT_USAGE;
	}
	if (strcmp(verb, "backup") == 0) {
		if (argc > 3)
			return fprintf(stderr, "usage: fohctl x32 backup [PATH]\n"), EXIT_USAGE;
		return call_x32(c, "Backup", argc == 3 ? argv[2] : "");
	}
	return cmd_object(c, argc, argv);
}

static volatile sig_atomic_t stop_watch;

static void on_signal(int sig)
{
	(void)sig;
	stop_watch = 1;
}

struct stab_view {
	char *state, *source, *output;
	double level, fader, output_db, target;
};

static int read_view(struct ctx *c, struct stab_view *v)
{
	static const struct { const char *name; size_t off; } doubles[] = {
		{ "LevelDb", offsetof(struct stab_view, level) },
		{ "FaderDb", offsetof(struct stab_view, fader) },
		{ "OutputDb", offsetof(struct stab_view, output_db) },
		{ "TargetDb", offsetof(struct stab_view, target) },
	};
	static const struct { const char *name; size_t off; } strings[] = {
		{ "State", offsetof(struct stab_view, state) },
		{ "Source", offsetof(struct stab_view, source) },
		{ "Output", offsetof(struct stab_view, output) },
	};
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int r;

	for (size_t i = 0; i < sizeof(doubles) / sizeof(doubles[0]); i++) {
		double *d = (double *)((char *)v + doubles[i].off);
		r = sd_bus_get_property_trivial(c->bus, BUS_NAME, STAB_PATH, STAB_IFACE,
				doubles[i].name, &e, 'd', d);
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		char **s = (char **)((char *)v + strings[i].off);
		free(*s);
		*s = NULL;
		r = sd_bus_get_property_string(c->bus, BUS_NAME, STAB_PATH, STAB_IFACE,
				strings[i].name, &e, s);
		if (r < 0)
			goto fail;
	}
	return 0;
fail:
	(void)report_bus_error("stabilizer watch", &e, r);
	sd_bus_error_free(&e);
	return -1;
}

static void db_text(char *buf, size_t size, double v, int width)
{
	if (isfinite(v))
		snprintf(buf, size, "%*.1f", width, v);
	else
		snprintf(buf, size, "%*s", width, "-");
}

static void print_view(struct ctx *c, const struct stab_view *v, bool redraw)
{
	if (c->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "State");
		json_builder_add_string_value(b, v->state);
		json_builder_set_member_name(b, "Source");
		json_builder_add_string_value(b, v->source);
		json_builder_set_member_name(b, "Output");
		json_builder_add_string_value(b, v->output);
		json_builder_set_member_name(b, "LevelDb");
		json_add_double(b, v->level);
		json_builder_set_member_name(b, "FaderDb");
		json_add_double(b, v->fader);
		json_builder_set_member_name(b, "OutputDb");
		json_add_double(b, v->output_db);
		json_builder_set_member_name(b, "TargetDb");
		json_add_double(b, v->target);
		json_builder_end_object(b);
		print_json_line(b);
		return;
	}
	{
		/* NaN is "no reading" (idle, blind): a dash, never a number */
		char level[16], fader[16], out[16], target[16];
		db_text(level, sizeof(level), v->level, 7);
		db_text(fader, sizeof(fader), v->fader, 7);
		db_text(out, sizeof(out), v->output_db, 7);
		db_text(target, sizeof(target), v->target, 6);
		/* local mode: the channel's leveler; its gain and the channel's
		 * measured short-term loudness */
		bool local = strncmp(v->output, "channel/", 8) == 0;
		printf("%s%-13s %s → %-8s target %s  %s %s  %s %s  level %s dB%s",
				redraw ? "\r\033[K" : "", v->state, v->source, v->output, target,
				local ? "short-term" : "output", out, local ? "gain" : "fader", fader,
				level, redraw ? "" : "\n");
	}
	fflush(stdout);
}

/* fohctl stabilizer watch [--count N]: state, target, the output (in
 * local mode the channel's measured short-term loudness), the fader (in
 * local mode the leveler's applied gain) and the level before it, four
 * times a second; one line redrawn on a terminal,
 * a line (or a JSON object) per tick otherwise. */
static int stabilizer_watch(struct ctx *c, int argc, char **argv)
{
	struct stab_view v = { 0 };
	long count = -1;
	bool redraw = isatty(STDOUT_FILENO) && !c->json;
	int r = EXIT_SUCCESS;

	if (argc == 4 && strcmp(argv[2], "--count") == 0) {
		char *end;
		count = strtol(argv[3], &end, 10);
		if (*end != '\0' || count < 1)
			return fprintf(stderr, "fohctl: --count needs a positive number\n"), EXIT_USAGE;
	} else if (argc != 2) {
		return fprintf(stderr, "usage: fohctl stabilizer watch [--count N]\n"), EXIT_USAGE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	for (long i = 0; !stop_watch && (count < 0 || i < count); i++) {
		if (i > 0)
			nanosleep(&(struct timespec){ 0, 250000000L }, NULL);
		if (stop_watch)
			break;
		if (read_view(c, &v) < 0) {
			r = EXIT_FAILURE;
			break;
		}
		print_view(c, &v, redraw);
	}
	if (redraw)
		printf("\n");
	free(v.state);
	free(v.source);
	free(v.output);
	return r;
}

int cmd_stabilizer(struct ctx *c, int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "watch") == 0)
		return stabilizer_watch(c, argc, argv);
	return cmd_object(c, argc, argv);
}
