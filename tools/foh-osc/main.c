/* foh-osc: the OSC bridge for control surfaces (TouchOSC, Open Stage
 * Control) and the Crowdstream movement detector. A D-Bus client of fohd
 * and a UDP OSC server on one sd-event loop; it owns org.foh.Osc1
 * (/org/foh/Osc1: Stats() → a{st}, Listen, MovementListen).
 *
 * Options override the [osc] section of $XDG_CONFIG_HOME/foh/foh-osc.conf
 * (a file of its own: fohd refuses sections it does not know in foh.conf):
 *   listen = 127.0.0.1:9001     control address (a public address needs allow)
 *   movement-port = 57122       second port on the same address, 0 = any
 *   allow = 192.168.1.0/24, ... networks that may send (loopback always may)
 *   log-level = info            error, warning, info, debug
 *   foh-config = PATH           fohd's foh.conf, whose [decks] music-dirs
 *                               confines OSC-given track paths (default
 *                               $XDG_CONFIG_HOME/foh/foh.conf) */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "foh-config.h"
#include "foh-osc.h"
#include "util/log.h"

struct options {
	char *listen;
	long movement_port;
	char **allow;		/* NULL-terminated */
	bool system_bus;
	char *config;
	char *log_level;
	char *foh_config;
};

uint64_t osc_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

/* org.foh.Osc1 */

static int method_stats(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct foh_osc *o = data;
	sd_bus_message *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "{st}")) < 0)
		goto out;
#define X(n) if (r >= 0) r = sd_bus_message_append(reply, "{st}", #n, (uint64_t)o->stats.n);
	OSC_STATS(X)
#undef X
	if (r < 0 ||
	    (r = sd_bus_message_append(reply, "{st}", "subscribers", (uint64_t)o->n_subs)) < 0 ||
	    (r = sd_bus_message_append(reply, "{st}", "pending", (uint64_t)o->n_pending)) < 0 ||
	    (r = sd_bus_message_append(reply, "{st}", "coalescing_keys",
			(uint64_t)(o->slots ? g_hash_table_size(o->slots) : 0))) < 0 ||
	    (r = sd_bus_message_append(reply, "{st}", "calls_in_flight",
			(uint64_t)o->actions_in_flight)) < 0 ||
	    (r = sd_bus_message_append(reply, "{st}", "timed_calls", (uint64_t)o->n_later)) < 0 ||
	    (r = sd_bus_message_close_container(reply)) < 0)
		goto out;
	r = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return r;
}

static int prop_listen(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *reply, void *data, sd_bus_error *error)
{
	struct foh_osc *o = data;
	unsigned int i = strcmp(prop, "Listen") == 0 ? 0 : 1;
	char buf[64] = "";

	if (i < o->n_sock)
		snprintf(buf, sizeof(buf), "%s:%u", inet_ntoa(o->sock[i].bound.sin_addr),
				ntohs(o->sock[i].bound.sin_port));
	return sd_bus_message_append(reply, "s", buf);
}

static const sd_bus_vtable osc_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("Stats", SD_BUS_NO_ARGS, SD_BUS_RESULT("a{st}", counters),
			method_stats, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Listen", "s", prop_listen, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("MovementListen", "s", prop_listen, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

/* Options and config */

static void usage(FILE *f)
{
	fprintf(f, "Usage: foh-osc [OPTIONS]\n\n"
		"OSC bridge between control surfaces and fohd (" FOH_BUS_NAME ").\n\n"
		"  -l, --listen=IP:PORT      control address (default 127.0.0.1:%d)\n"
		"  -m, --movement-port=PORT  Crowdstream/movement port on the same IP\n"
		"                            (default %d, 0 = any free port)\n"
		"  -a, --allow=NET/BITS      a network that may send (repeatable; needed\n"
		"                            for a non-loopback --listen)\n"
		"  -b, --bus=user|system     the bus fohd is on (default user)\n"
		"  -c, --config=FILE         [osc] keys (default $XDG_CONFIG_HOME/foh/foh-osc.conf)\n"
		"      --log-level=LEVEL     error, warning, info, debug\n"
		"      --foh-config=FILE     fohd's foh.conf, for [decks] music-dirs\n"
		"                            (default $XDG_CONFIG_HOME/foh/foh.conf)\n"
		"  -h, --help                show this help\n"
		"      --version             show the version\n",
		OSC_DEFAULT_PORT, OSC_DEFAULT_MOVEMENT);
}

static int conf_error(const char *path, const char *key, const char *why)
{
	fprintf(stderr, "foh-osc: %s: [osc] %s: %s\n", path, key, why);
	return -EINVAL;
}

/* Reads [osc] into opts where the command line left a value unset. */
static int read_config(struct options *opts)
{
	static const char *const known[] = { "listen", "movement-port", "allow", "log-level",
		"foh-config" };
	g_autofree char *path = opts->config ? g_strdup(opts->config) :
		g_build_filename(g_get_user_config_dir(), "foh", "foh-osc.conf", NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_auto(GStrv) groups = NULL, keys = NULL;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
		if (opts->config == NULL && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return 0;
		fprintf(stderr, "foh-osc: %s: %s\n", path, err->message);
		return -EINVAL;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (size_t i = 0; groups[i]; i++)
		if (strcmp(groups[i], "osc") != 0)
			return conf_error(path, groups[i], "unknown section (only [osc])");
	keys = g_key_file_get_keys(kf, "osc", NULL, NULL);
	for (size_t i = 0; keys && keys[i]; i++) {
		bool ok = false;
		for (size_t k = 0; k < G_N_ELEMENTS(known); k++)
			ok = ok || strcmp(keys[i], known[k]) == 0;
		if (!ok)
			return conf_error(path, keys[i], "unknown key");
	}
	if (opts->listen == NULL)
		opts->listen = g_key_file_get_string(kf, "osc", "listen", NULL);
	if (opts->log_level == NULL)
		opts->log_level = g_key_file_get_string(kf, "osc", "log-level", NULL);
	if (opts->foh_config == NULL)
		opts->foh_config = g_key_file_get_string(kf, "osc", "foh-config", NULL);
	if (opts->movement_port < 0 && g_key_file_has_key(kf, "osc", "movement-port", NULL)) {
		gint v = g_key_file_get_integer(kf, "osc", "movement-port", &err);
		if (err != NULL || v < 0 || v > 65535)
			return conf_error(path, "movement-port", "not a port number 0..65535");
		opts->movement_port = v;
	}
	if (opts->allow == NULL && g_key_file_has_key(kf, "osc", "allow", NULL)) {
		opts->allow = g_key_file_get_string_list(kf, "osc", "allow", NULL, NULL);
		for (size_t i = 0; opts->allow && opts->allow[i]; i++)
			g_strstrip(opts->allow[i]);
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *opts)
{
	static const struct option long_opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "movement-port", required_argument, NULL, 'm' },
		{ "allow", required_argument, NULL, 'a' },
		{ "bus", required_argument, NULL, 'b' },
		{ "config", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "foh-config", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	g_autoptr(GPtrArray) allow = g_ptr_array_new_with_free_func(g_free);
	char *end;
	int c;

	while ((c = getopt_long(argc, argv, "l:m:a:b:c:h", long_opts, NULL)) != -1) {
		switch (c) {
		/* the last of a repeated option wins */
		case 'l': g_free(opts->listen); opts->listen = g_strdup(optarg); break;
		case 'a': g_ptr_array_add(allow, g_strdup(optarg)); break;
		case 'c': g_free(opts->config); opts->config = g_strdup(optarg); break;
		case 'L': g_free(opts->log_level); opts->log_level = g_strdup(optarg); break;
		case 'F': g_free(opts->foh_config); opts->foh_config = g_strdup(optarg); break;
		case 'm':
			errno = 0;
			opts->movement_port = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || errno || opts->movement_port < 0 ||
			    opts->movement_port > 65535) {
				fprintf(stderr, "foh-osc: --movement-port: '%s' is not 0..65535\n", optarg);
				return -EINVAL;
			}
			break;
		case 'b':
			if (strcmp(optarg, "user") != 0 && strcmp(optarg, "system") != 0) {
				fprintf(stderr, "foh-osc: --bus: 'user' or 'system', not '%s'\n", optarg);
				return -EINVAL;
			}
			opts->system_bus = strcmp(optarg, "system") == 0;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("foh-osc %s\n", FOH_VERSION); return 0;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "foh-osc: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (allow->len > 0) {
		g_ptr_array_add(allow, NULL);
		opts->allow = (char **)g_ptr_array_steal(allow, NULL);
	}
	return 1;
}

/* Validates the options into o's allow-list and the two addresses. */
static int apply_options(struct foh_osc *o, struct options *opts,
		struct sockaddr_in *ctl, struct sockaddr_in *mov)
{
	enum foh_log_level level;

	if (opts->log_level) {
		if (!foh_log_level_from_string(opts->log_level, &level)) {
			fprintf(stderr, "foh-osc: log level '%s' is not error, warning, info or debug\n",
					opts->log_level);
			return -EINVAL;
		}
		foh_log_set_level(level);
	}
	if (osc_parse_hostport(opts->listen ? opts->listen : "127.0.0.1", OSC_DEFAULT_PORT, ctl) < 0) {
		fprintf(stderr, "foh-osc: listen: '%s' is not a numeric IPv4 address[:port]\n",
				opts->listen);
		return -EINVAL;
	}
	for (size_t i = 0; opts->allow && opts->allow[i]; i++) {
		if (o->n_allow >= OSC_MAX_ALLOW) {
			fprintf(stderr, "foh-osc: allow: at most %d networks\n", OSC_MAX_ALLOW);
			return -EINVAL;
		}
		if (osc_parse_net(opts->allow[i], &o->allow[o->n_allow++]) < 0) {
			fprintf(stderr, "foh-osc: allow: '%s' is not a network such as "
					"192.168.1.0/24 (host bits must be 0)\n", opts->allow[i]);
			return -EINVAL;
		}
	}
	/* 127.0.0.1 unless the user names an address; 0.0.0.0 (every
	 * interface, a stage network) only when asked for, and like any other
	 * non-loopback address only with an allow-list (README "Sockets") */
	if ((ntohl(ctl->sin_addr.s_addr) >> 24) != 127 && o->n_allow == 0) {
		fprintf(stderr, "foh-osc: listening on %s needs at least one --allow network\n",
				inet_ntoa(ctl->sin_addr));
		return -EINVAL;
	}
	*mov = *ctl;
	mov->sin_port = htons((uint16_t)(opts->movement_port < 0 ? OSC_DEFAULT_MOVEMENT
								  : opts->movement_port));
	return 0;
}

static int on_terminate(sd_event_source *s, const struct signalfd_siginfo *si, void *data)
{
	(void)sd_notify(0, "STOPPING=1");
	return sd_event_exit(sd_event_source_get_event(s), 0);
}

static int setup(struct foh_osc *o, const struct options *opts,
		const struct sockaddr_in *ctl, const struct sockaddr_in *mov)
{
	sigset_t mask;
	int r;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	if ((r = sd_event_default(&o->event)) < 0 ||
	    (r = sd_event_add_signal(o->event, NULL, SIGTERM, on_terminate, o)) < 0 ||
	    (r = sd_event_add_signal(o->event, NULL, SIGINT, on_terminate, o)) < 0)
		return r;
	if ((r = opts->system_bus ? sd_bus_open_system(&o->bus) : sd_bus_open_user(&o->bus)) < 0) {
		foh_error("cannot connect to the %s bus: %s", opts->system_bus ? "system" : "user",
				strerror(-r));
		return r;
	}
	if ((r = sd_bus_add_object_vtable(o->bus, &o->vtable_slot, OSC_PATH, OSC_IFACE,
			osc_vtable, o)) < 0 ||
	    (r = sd_bus_attach_event(o->bus, o->event, SD_EVENT_PRIORITY_NORMAL)) < 0)
		return r;
	if ((r = osc_sock_open(o, &o->sock[0], ctl)) < 0 ||
	    (o->n_sock = 1, r = osc_sock_open(o, &o->sock[1], mov)) < 0) {
		foh_error("cannot listen on %s:%u: %s", inet_ntoa(o->n_sock ? mov->sin_addr : ctl->sin_addr),
				ntohs(o->n_sock ? mov->sin_port : ctl->sin_port), strerror(-r));
		return r;
	}
	o->n_sock = 2;
	if ((r = osc_feedback_start(o)) < 0)
		return r;
	/* last: once the name is visible, everything it names works */
	if ((r = sd_bus_request_name(o->bus, OSC_BUS_NAME, 0)) < 0) {
		foh_error("cannot own %s: %s", OSC_BUS_NAME, strerror(-r));
		return r;
	}
	return 0;
}

static void teardown(struct foh_osc *o)
{
	osc_feedback_stop(o);
	osc_map_free(o);
	for (unsigned int i = 0; i < o->n_sock; i++)
		osc_sock_close(&o->sock[i]);
	o->vtable_slot = sd_bus_slot_unref(o->vtable_slot);
	o->bus = sd_bus_flush_close_unref(o->bus);
	o->event = sd_event_unref(o->event);
}

static void options_free(struct options *opts)
{
	g_free(opts->listen);
	g_free(opts->config);
	g_free(opts->log_level);
	g_free(opts->foh_config);
	g_strfreev(opts->allow);
}

int main(int argc, char **argv)
{
	struct options opts = { .movement_port = -1 };
	struct foh_osc o = { .sock = { { .fd = -1 }, { .fd = -1 } } };
	struct sockaddr_in ctl, mov;
	int r;

	if ((r = parse_args(argc, argv, &opts)) <= 0 || (r = read_config(&opts)) < 0 ||
	    (r = apply_options(&o, &opts, &ctl, &mov)) < 0) {
		options_free(&opts);
		return r == 0 ? EXIT_SUCCESS : 2;
	}
	o.foh_config = g_strdup(opts.foh_config);
	r = setup(&o, &opts, &ctl, &mov);
	options_free(&opts);
	if (r >= 0) {
		foh_info("listening on %s:%u (control) and :%u (movement), %u allowed networks",
				inet_ntoa(o.sock[0].bound.sin_addr), ntohs(o.sock[0].bound.sin_port),
				ntohs(o.sock[1].bound.sin_port), o.n_allow);
		(void)sd_notify(0, "READY=1");
		r = sd_event_loop(o.event);
	}
	teardown(&o);
	g_free(o.foh_config);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
