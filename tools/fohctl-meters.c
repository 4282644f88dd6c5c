/* fohctl meters: every channel's levels, live. On a terminal it redraws bars
 * for peak and VU with LUFS and gain reduction at 10 Hz from the Levels
 * signals until Ctrl-C; when stdout is not a terminal it prints one plain
 * line per channel per tick; --once prints one snapshot read from the
 * properties and exits. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "fohctl.h"

#define MAX_CHANNELS 64

struct meter_row {
	char name[64];
	double peak, rms, vu, lufs_m, lufs_s, gr;
	bool seen;
};

struct meters {
	struct ctx *c;
	struct meter_row rows[MAX_CHANNELS];
	unsigned n;
	bool tty;
	unsigned ticks, limit;
};

static int channel_count(struct ctx *c, unsigned *n)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *path;
	int r;

	r = sd_bus_get_property(c->bus, BUS_NAME, MANAGER_PATH, MANAGER_IFACE, "Channels",
			&e, &reply, "ao");
	if (r < 0) {
		r = -report_bus_error("meters", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	*n = 0;
	if ((r = sd_bus_message_enter_container(reply, 'a', "o")) >= 0)
		while ((r = sd_bus_message_read(reply, "o", &path)) > 0)
			(*n)++;
	sd_bus_message_unref(reply);
	if (*n > MAX_CHANNELS)
		*n = MAX_CHANNELS;
	return r < 0 ? -report_bad_reply("meters", r) : 0;
}

static int read_row(struct ctx *c, unsigned idx, struct meter_row *row)
{
	static const char *const props[] = { "PeakDb", "RmsDb", "VuDb", "LufsMomentary",
		"LufsShortTerm", "GainReductionDb" };
	double *dst[] = { &row->peak, &row->rms, &row->vu, &row->lufs_m, &row->lufs_s, &row->gr };
	char path[64];
	char *name = NULL;
	int r;

	snprintf(path, sizeof(path), MANAGER_PATH "/channel/%u", idx + 1);
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

static void print_row(const struct meters *m, unsigned i)
{
	const struct meter_row *r = &m->rows[i];
	char pk[21], vu[21];

	if (!m->tty) {
		printf("ch%u peak=%.1f rms=%.1f vu=%.1f lufs_m=%.1f lufs_s=%.1f gr=%.1f\n",
				i + 1, r->peak, r->rms, r->vu, r->lufs_m, r->lufs_s, r->gr);
		return;
	}
	bar(pk, 20, r->peak, -60);
	bar(vu, 20, r->vu, -60);
	printf("%2u %-14.14s peak %s %6.1f  VU %s %6.1f  LUFS %6.1f/%6.1f  GR %4.1f\n",
			i + 1, r->name[0] ? r->name : "-", pk, r->peak, vu, r->vu,
			r->lufs_m, r->lufs_s, r->gr);
}

static void render(struct meters *m)
{
	if (m->tty)
		printf("\033[H\033[2J%-17s %-32s %-30s %-18s %s\n", "channel", "peak (dBFS)",
				"VU (dBFS)", "LUFS M/S", "GR dB");
	for (unsigned i = 0; i < m->n; i++)
		print_row(m, i);
	fflush(stdout);
}

static int on_levels(sd_bus_message *msg, void *userdata, sd_bus_error *error)
{
	struct meters *m = userdata;
	const char *path = sd_bus_message_get_path(msg);
	unsigned idx;
	struct meter_row *r;

	if (path == NULL || sscanf(path, MANAGER_PATH "/channel/%u", &idx) != 1 ||
	    idx < 1 || idx > m->n)
		return 0;
	r = &m->rows[idx - 1];
	if (sd_bus_message_read(msg, "dddddd", &r->peak, &r->rms, &r->vu, &r->lufs_m,
				&r->lufs_s, &r->gr) >= 0)
		r->seen = true;
	return 0;
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
	    (r = sd_event_add_signal(ev, NULL, SIGINT, on_quit, m)) < 0 ||
	    (r = sd_event_add_signal(ev, NULL, SIGTERM, on_quit, m)) < 0 ||
	    (r = sd_event_add_time_relative(ev, NULL, CLOCK_MONOTONIC, 100000, 1000, on_tick, m)) < 0) {
		sd_event_unref(ev);
		return report_bad_reply("meters", r);
	}
	r = sd_event_loop(ev);
	(void)sd_bus_detach_event(m->c->bus);
	sd_event_unref(ev);
	if (m->tty)
		printf("\n");
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

int cmd_meters(struct ctx *c, int argc, char **argv)
{
	struct meters m = { .c = c, .tty = isatty(STDOUT_FILENO) };
	bool once = false;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0) {
			once = true;
		} else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			m.limit = (unsigned)strtoul(argv[++i], NULL, 10);
		} else {
			fprintf(stderr, "usage: fohctl meters [--once] [--count N]\n");
			return EXIT_USAGE;
		}
	}
	if (channel_count(c, &m.n) < 0)
		return EXIT_FAILURE;
	for (unsigned i = 0; i < m.n; i++)
		if (read_row(c, i, &m.rows[i]) < 0)
			return report_bad_reply("meters", -EIO);
	if (!once)
		return run_live(&m);
	if (c->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_array(b);
		for (unsigned i = 0; i < m.n; i++) {
			const struct meter_row *r = &m.rows[i];
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "channel");
			json_builder_add_int_value(b, i + 1);
			json_builder_set_member_name(b, "name");
			json_builder_add_string_value(b, r->name);
			json_builder_set_member_name(b, "peak_db");
			json_builder_add_double_value(b, r->peak);
			json_builder_set_member_name(b, "rms_db");
			json_builder_add_double_value(b, r->rms);
			json_builder_set_member_name(b, "vu_db");
			json_builder_add_double_value(b, r->vu);
			json_builder_set_member_name(b, "lufs_momentary");
			json_builder_add_double_value(b, r->lufs_m);
			json_builder_set_member_name(b, "lufs_short_term");
			json_builder_add_double_value(b, r->lufs_s);
			json_builder_set_member_name(b, "gain_reduction_db");
			json_builder_add_double_value(b, r->gr);
			json_builder_end_object(b);
		}
		json_builder_end_array(b);
		print_json(b);
		return EXIT_SUCCESS;
	}
	render(&m);
	return EXIT_SUCCESS;
}
