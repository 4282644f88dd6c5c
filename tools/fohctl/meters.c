/* fohctl meters: every channel's levels, live. On a terminal it redraws bars
 * for peak and VU with LUFS and gain reduction at 10 Hz from the Levels
 * signals until Ctrl-C (or SIGTERM) and leaves the terminal as it found it;
 * when stdout is not a terminal it prints one plain line per channel per
 * tick, with --json one JSON array per tick and line; --once prints one
 * snapshot read from the properties and exits. If fohd goes away meanwhile
 * it says so on one line and exits 1. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "fohctl.h"

#define MAX_CHANNELS 64

struct meter_row {
	char path[128];
	char name[64];
	double peak, rms, vu, lufs_m, lufs_s, gr;
	bool seen;
};

struct meters {
	struct ctx *c;
	struct meter_row rows[MAX_CHANNELS];
	unsigned n;
	bool tty;	/* bars rather than plain lines */
	bool redraw;	/* live on a terminal: redraw in place */
	unsigned ticks, limit;
	bool fohd_gone;
};

/* The channels' object paths, from the manager's Channels property. */
static int channel_paths(struct meters *m)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	int r;

	r = sd_bus_get_property(m->c->bus, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Channels",
			&e, &reply, "ao");
	if (r < 0) {
		r = -report_bus_error("meters", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	m->n = 0;
	if ((r = sd_bus_message_enter_container(reply, 'a', "o")) >= 0)
		while ((r = sd_bus_message_read(reply, "o", &path)) > 0 && m->n < MAX_CHANNELS)
			snprintf(m->rows[m->n++].path, sizeof(m->rows[0].path), "%s", path);
	sd_bus_message_unref(reply);
	return r < 0 ? -report_bad_reply("meters", r) : 0;
}

static int read_row(struct ctx *c, struct meter_row *row)
{
	static const char *const props[] = { "PeakDb", "RmsDb", "VuDb", "LufsMomentary",
		"LufsShortTerm", "GainReductionDb" };
	double *dst[] = { &row->peak, &row->rms, &row->vu, &row->lufs_m, &row->lufs_s, &row->gr };
	const char *path = row->path;
	char *name = NULL;
	int r;

	if ((r = sd_bus_get_property_string(c->bus, BUS_NAME, path, CHANNEL_IFACE, "Name",
					NULL, &name)) < 0)
		return r;
	snprintf(row->name, sizeof(row->name), "%s", name);
	free(name);
	for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
		if ((r = sd_bus_get_property_trivial(c->bus, BUS_NAME, path, CHANNEL_IFACE,
						props[i], NULL, 'd', dst[i])) < 0)
			return r;
	row->seen = true;
	return 0;
}

static void bar(char *out, size_t width, double db, double floor_db)
{
	double f = (db - floor_db) / -floor_db;
	size_t n = f <= 0 ? 0 : f >= 1 ? width : (size_t)(f * (double)width);

	memset(out, '#', n);
	memset(out + n, '.', width - n);
	out[width] = '\0';
}

/* The channel's number, from its path ("/org/foh/Foh1/channel/3" → 3). */
static unsigned row_number(const struct meter_row *r)
{
	const char *slash = strrchr(r->path, '/');

	return slash ? (unsigned)strtoul(slash + 1, NULL, 10) : 0;
}

static void add_row_json(JsonBuilder *b, const struct meter_row *r)
{
	static const char *const keys[] = { "peak_db", "rms_db", "vu_db", "lufs_momentary",
		"lufs_short_term", "gain_reduction_db" };
	const double v[] = { r->peak, r->rms, r->vu, r->lufs_m, r->lufs_s, r->gr };

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "channel");
	json_builder_add_int_value(b, row_number(r));
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, r->name);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_builder_set_member_name(b, keys[i]);
		json_add_double(b, v[i]);
	}
	json_builder_end_object(b);
}

/* Every row as one JSON array; on one line when compact (a live stream). */
static void print_rows_json(const struct meters *m, bool compact)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_array(b);
	for (unsigned i = 0; i < m->n; i++)
		add_row_json(b, &m->rows[i]);
	json_builder_end_array(b);
	if (compact)
		print_json_line(b);
	else
		print_json(b);
}

static void print_row(const struct meters *m, unsigned i)
{
	const struct meter_row *r = &m->rows[i];
	char pk[21], vu[21];

	if (!m->tty) {
		printf("ch%u peak=%.1f rms=%.1f vu=%.1f lufs_m=%.1f lufs_s=%.1f gr=%.1f\n",
				row_number(r), r->peak, r->rms, r->vu, r->lufs_m, r->lufs_s, r->gr);
		return;
	}
	bar(pk, 20, r->peak, -60);
	bar(vu, 20, r->vu, -60);
	/* \033[K: clear what a longer line left behind */
	printf("%2u %-14.14s peak %s %6.1f  VU %s %6.1f  LUFS %6.1f/%6.1f  GR %4.1f\033[K\n",
			row_number(r), r->name[0] ? r->name : "-", pk, r->peak, vu, r->vu,
			r->lufs_m, r->lufs_s, r->gr);
}

static void render(struct meters *m)
{
	if (m->c->json) {
		print_rows_json(m, true);
		fflush(stdout);
		return;
	}
	/* home, no full clear (it flickers); the rest of the screen is cleared after */
	if (m->tty)
		printf("%s%-17s %-32s %-30s %-18s %s\033[K\n", m->redraw ? "\033[H" : "",
				"channel", "peak (dBFS)", "VU (dBFS)", "LUFS M/S", "GR dB");
	for (unsigned i = 0; i < m->n; i++)
		print_row(m, i);
	if (m->redraw)
		printf("\033[J");
	fflush(stdout);
}

static int on_levels(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct meters *m = userdata;
	const char *path = sd_bus_message_get_path(msg);
	struct meter_row *r = NULL;

	for (unsigned i = 0; path != NULL && i < m->n && r == NULL; i++)
		if (strcmp(m->rows[i].path, path) == 0)
			r = &m->rows[i];
	if (r != NULL && sd_bus_message_read(msg, "dddddd", &r->peak, &r->rms, &r->vu,
				&r->lufs_m, &r->lufs_s, &r->gr) >= 0)
		r->seen = true;
	return 0;
}

/* fohd left the bus: the meters would freeze, so stop and say so. */
static int on_owner_changed(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct meters *m = userdata;
	const char *name, *old_owner, *new_owner;

	if (sd_bus_message_read(msg, "sss", &name, &old_owner, &new_owner) < 0 ||
	    strcmp(name, BUS_NAME) != 0 || new_owner[0] != '\0')
		return 0;
	m->fohd_gone = true;
	return sd_event_exit(sd_bus_get_event(sd_bus_message_get_bus(msg)), 0);
}

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct meters *m = userdata;

	render(m);
	if (m->limit > 0 && ++m->ticks >= m->limit)
		return sd_event_exit(sd_event_source_get_event(s), 0);
	(void)sd_event_source_set_time(s, usec + 100000);
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int on_quit(sd_event_source *s, const struct signalfd_siginfo *si, void *userdata)
{
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int run_live(struct meters *m)
{
	sd_event *ev = NULL;
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	if ((r = sd_event_default(&ev)) < 0 ||
	    (r = sd_bus_attach_event(m->c->bus, ev, 0)) < 0 ||
	    (r = sd_bus_match_signal(m->c->bus, NULL, BUS_NAME, NULL, CHANNEL_IFACE, "Levels",
				on_levels, m)) < 0 ||
	    (r = sd_bus_match_signal(m->c->bus, NULL, "org.freedesktop.DBus",
				"/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
				on_owner_changed, m)) < 0 ||
	    (r = sd_event_add_signal(ev, NULL, SIGINT, on_quit, m)) < 0 ||
	    (r = sd_event_add_signal(ev, NULL, SIGTERM, on_quit, m)) < 0 ||
	    (r = sd_event_add_time_relative(ev, NULL, CLOCK_MONOTONIC, 100000, 1000, on_tick, m)) < 0) {
		sd_event_unref(ev);
		return report_bad_reply("meters", r);
	}
	if (m->redraw)
		printf("\033[?25l\033[2J");	/* hide the cursor, start on a clean screen */
	r = sd_event_loop(ev);
	(void)sd_bus_detach_event(m->c->bus);
	sd_event_unref(ev);
	if (m->redraw)
		printf("\033[?25h");		/* the cursor back, below the last frame */
	fflush(stdout);
	if (m->fohd_gone) {
		fprintf(stderr, "fohctl: meters: fohd left the bus\n");
		return EXIT_FAILURE;
	}
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_meters(struct ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "count", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct meters m = { .c = c, .tty = isatty(STDOUT_FILENO) };
	bool once = false;
	char *end;
	int opt;

	optind = 0;	/* a fresh scan of this command's arguments */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			once = true;
			break;
		case 'n':
			errno = 0;
			m.limit = (unsigned)strtoul(optarg, &end, 10);
			if (errno == 0 && end != optarg && *end == '\0' && m.limit > 0 &&
			    optarg[0] != '-')
				break;
			fprintf(stderr, "fohctl meters: --count wants a positive number, not '%s'\n",
					optarg);
			return EXIT_USAGE;
		default:
			fprintf(stderr, "usage: fohctl meters [--once] [--count N]\n");
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fohctl meters: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (c->json)
		m.tty = false;
	m.redraw = m.tty && !once;
	if (channel_paths(&m) < 0)
		return EXIT_FAILURE;
	for (unsigned i = 0; i < m.n; i++)
		if (read_row(c, &m.rows[i]) < 0)
			return report_bad_reply("meters", -EIO);
	if (!once)
		return run_live(&m);
	if (c->json)
		print_rows_json(&m, false);
	else
		render(&m);
	return EXIT_SUCCESS;
}
