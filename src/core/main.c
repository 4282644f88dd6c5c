/* fohd: the foh live-audio daemon. Parses the command line, owns the
 * sd-event main loop (PipeWire and sd-bus are embedded in it), handles
 * SIGTERM/SIGINT (exit) and SIGHUP (reload) and reports to systemd. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <systemd/sd-daemon.h>

#include "foh-config.h"
#include "core/bus.h"
#include "core/presets.h"
#include "util/atomic-file.h"
#include "util/log.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: fohd [OPTIONS]\n\n"
		"The foh live-audio daemon: channel strips, analyzer, X32 control and\n"
		"decks in the PipeWire graph, controlled over D-Bus (" FOH_BUS_NAME ").\n\n"
		"  -c, --config=FILE    read FILE instead of $XDG_CONFIG_HOME/foh/foh.conf\n"
		"      --check-config   validate the config, print the verdict and exit\n"
		"  -h, --help           show this help\n"
		"      --version        show the version\n");
}

enum { OPT_VERSION = 256, OPT_CHECK };

static int parse_args(int argc, char **argv, char **config, bool *check_only)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check-config", no_argument, NULL, OPT_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			*config = optarg;
			break;
		case OPT_CHECK:
			*check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("fohd %s\n", FOH_VERSION);
			return 0;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fohd: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *data)
{
	struct foh_daemon *d = data;

	foh_info("received %s, stopping", strsignal((int)si->ssi_signo));
	(void)sd_notify(0, "STOPPING=1\nSTATUS=Stopping");
	return sd_event_exit(d->event, 0);
}

static int on_hangup(sd_event_source *s, const struct signalfd_siginfo *si, void *data)
{
	struct foh_daemon *d = data;
	g_autofree char *error = NULL;

	(void)foh_daemon_reload(d, &error);
	return 0;
}

static void on_connection(void *data, bool connected)
{
	struct foh_daemon *d = data;

	foh_daemon_channels_connection(d, connected);
	foh_daemon_decks_connection(d, connected);
	if (connected)
		(void)foh_daemon_analyzer_connect(d);
	else if (d->analyzer != NULL)
		foh_analyzer_disconnect(d->analyzer);
	foh_announce_manager(d, "PipeWireConnected", NULL);
}

static void on_clock(void *data)
{
	struct foh_daemon *d = data;

	foh_announce_manager(d, "SampleRate", "Quantum", NULL);
}

static void on_graph(void *data)
{
	struct foh_daemon *d = data;

	foh_daemon_channels_graph(d);
	foh_daemon_analyzer_graph(d);
}

static const struct foh_engine_events engine_events = {
	.connection = on_connection,
	.clock = on_clock,
	.graph = on_graph,
};

static int setup_signals(struct foh_daemon *d)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	(void)signal(SIGPIPE, SIG_IGN);
	if ((r = sd_event_add_signal(d->event, NULL, SIGTERM, on_terminate, d)) < 0 ||
	    (r = sd_event_add_signal(d->event, NULL, SIGINT, on_terminate, d)) < 0 ||
	    (r = sd_event_add_signal(d->event, NULL, SIGHUP, on_hangup, d)) < 0)
		return r;
	return 0;
}

static int setup_bus(struct foh_daemon *d)
{
	int r;

	if ((r = sd_bus_open_user_with_description(&d->bus, "fohd")) < 0) {
		foh_error("cannot connect to the user bus: %s", strerror(-r));
		return r;
	}
	if ((r = sd_bus_attach_event(d->bus, d->event, SD_EVENT_PRIORITY_NORMAL)) < 0 ||
	    (r = sd_bus_set_exit_on_disconnect(d->bus, 1)) < 0 ||
	    (r = sd_bus_add_object_manager(d->bus, NULL, FOH_OBJECT_PATH)) < 0 ||
	    (r = foh_bus_manager_register(d)) < 0 ||
	    (r = foh_bus_analyzer_register(d)) < 0 ||
	    (r = foh_bus_x32_register(d)) < 0 ||
	    (r = foh_bus_stabilizer_register(d)) < 0 ||
	    (r = foh_bus_profiles_register(d)) < 0)
		return r;
	r = sd_bus_request_name(d->bus, FOH_BUS_NAME, 0);
	if (r == -EEXIST)
		foh_error("another fohd already owns %s on this user bus", FOH_BUS_NAME);
	else if (r < 0)
		foh_error("cannot own %s: %s", FOH_BUS_NAME, strerror(-r));
	return r;
}

static void daemon_clear(struct foh_daemon *d)
{
	d->stopping = true;
	/* first: a local-mode loop puts its channel's gain back, which needs
	 * the channel, and a pending save must carry the gain as it was */
	foh_daemon_stabilizer_free(d);
	if (d->conf != NULL)
		(void)foh_daemon_flush_save(d);
	/* the detectors read the channels' taps: they go first */
	foh_daemon_content_free(d);
	foh_daemon_free_channels(d);
	foh_daemon_decks_free(d);
	foh_daemon_analyzer_disconnect(d);
	foh_analyzer_free(d->analyzer);
	d->analyzer = NULL;	/* the engine's teardown below reports a disconnect */
	sd_bus_slot_unref(d->analyzer_slot);
	foh_x32_free(d->x32);
	sd_bus_slot_unref(d->x32_slot);
	sd_bus_slot_unref(d->profiles_slot);
	sd_bus_slot_unref(d->content_slot);
	sd_event_source_disable_unref(d->meter_timer);
	sd_event_source_disable_unref(d->meter_wake);	/* owns its eventfd */
	foh_daemon_save_free(d);
	foh_engine_free(d->engine);
	sd_bus_slot_unref(d->manager_slot);
	sd_bus_flush_close_unref(d->bus);
	sd_event_unref(d->event);
	foh_conf_free(d->conf);
	foh_conf_free(d->saved);
}

/* A fohd killed inside a save leaves "<file>.tmp-XXXXXX" beside the file it
 * saved; the next start removes them (each save also removes its own file's).
 * After the bus name is ours: no other fohd can be saving these files. */
static void clean_stale_temps(struct foh_daemon *d)
{
	g_autofree char *conf = foh_daemon_save_path(d), *presets = foh_preset_dir();
	int r;

	if (conf != NULL && (r = foh_atomic_clean(conf)) < 0)
		foh_warn("cannot remove stale temporary files beside %s: %s", conf, strerror(-r));
	if ((r = foh_atomic_clean_dir(presets, ".conf")) < 0)
		foh_warn("cannot remove stale temporary files in %s: %s", presets, strerror(-r));
}

static int run(struct foh_daemon *d)
{
	g_autofree char *path = foh_conf_resolve_path(d->cli_config);
	g_autofree char *error = NULL;
	struct timespec ts;
	int r;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	d->start_usec = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
	if (foh_conf_load(path, &d->conf, &error) < 0) {
		foh_error("%s", error);
		return -EINVAL;
	}
	foh_log_set_level(d->conf->log_level);
	if ((d->saved = foh_conf_dup(d->conf)) == NULL)
		return -ENOMEM;
	if ((r = sd_event_default(&d->event)) < 0 || (r = setup_signals(d)) < 0)
		return r;
	(void)sd_event_set_watchdog(d->event, true);
	r = foh_engine_new(d->event, d->conf->pipewire_remote,
			d->conf->reconnect_interval_ms, &engine_events, d, &d->engine);
	if (r < 0) {
		foh_error("cannot set up PipeWire: %s", strerror(-r));
		return r;
	}
	if ((r = foh_analyzer_new(&d->conf->analyzer, &d->analyzer)) < 0) {
		foh_error("cannot set up the analyzer: %s", strerror(-r));
		return r;
	}
	foh_daemon_analyzer_update_active(d);
	if ((r = foh_daemon_x32_start(d)) < 0) {
		foh_error("cannot set up the X32 client: %s", strerror(-r));
		return r;
	}
	if ((r = setup_bus(d)) < 0)
		return r;
	clean_stale_temps(d);
	if ((r = foh_daemon_content_start(d)) < 0) {
		foh_error("cannot set up content detection: %s", strerror(-r));
		return r;
	}
	if ((r = foh_daemon_sync_channels(d, NULL)) < 0 || (r = foh_daemon_start_meters(d)) < 0)
		return r;
	(void)foh_daemon_stabilizer_changed(d, false);
	if ((r = foh_daemon_decks_start(d)) < 0) {
		foh_error("cannot set up the decks: %s", strerror(-r));
		return r;
	}
	foh_info("fohd %s ready (config: %s)", FOH_VERSION,
			d->conf->path ? d->conf->path : "built-in defaults");
	(void)sd_notify(0, "READY=1\nSTATUS=Running");
	return sd_event_loop(d->event);
}

int main(int argc, char **argv)
{
	struct foh_daemon d = { .hooks = &foh_bus_hooks };
	bool check_only = false;
	int r;

	if ((r = parse_args(argc, argv, &d.cli_config, &check_only)) <= 0)
		return r == 0 ? EXIT_SUCCESS : 2;
	if (check_only) {
		g_autofree char *path = foh_conf_resolve_path(d.cli_config);
		g_autofree char *error = NULL;
		struct foh_conf *conf = NULL;

		if (foh_conf_load(path, &conf, &error) < 0) {
			fprintf(stderr, "%s\n", error);
			return EXIT_FAILURE;
		}
		printf("%s: valid\n", path ? path : "built-in defaults");
		foh_conf_free(conf);
		return EXIT_SUCCESS;
	}
	r = run(&d);
	daemon_clear(&d);
	if (r < 0 && r != -EINVAL)
		foh_error("exiting: %s", strerror(-r));
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
