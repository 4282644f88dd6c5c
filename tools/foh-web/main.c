/* foh-web: the HTTP and WebSocket face of foh. A D-Bus client of fohd on
 * one GMainLoop (sd-bus attached as a GSource, libsoup 3 for HTTP and
 * WebSockets, json-glib for JSON); it owns org.foh.Web1 (/org/foh/Web1:
 * Stats() → a{st}, Ports a{sq}).
 *
 * Options override $XDG_CONFIG_HOME/foh/foh-web.conf (else the installed
 * default); keys, all optional:
 *   [web]
 *   listen = 127.0.0.1:8480     main listener: UI, /api/v1, AG06 routes;
 *                               off loopback the access token is needed
 *   allow = 192.168.1.0/24,...  networks that may connect (loopback always may)
 *   hosts = foh.local,...       extra names the Host header may carry
 *   origins = http://x:1,...    extra browser origins allowed
 *   token-file = PATH           access token (default $XDG_CONFIG_HOME/foh/web-token)
 *   static-dir = PATH           the UI's files (default the installed web/)
 *   music-dir = PATH            the folder the UI lists and loads decks'
 *                               tracks from (default none: no loading)
 *   max-body = 65536            request body limit, bytes
 *   max-message = 65536         inbound WebSocket message limit, bytes
 *   ws-queue = 64               frames queued per WebSocket client before it
 *                               is dropped as too slow
 *   osc-port = 0                loopback UDP port for the analyzer's feed
 *   log-level = info
 *   [compat]
 *   feature-server = false      + feature-server-listen = 127.0.0.1:8765
 *   mission-control = false     + mission-control-listen = 127.0.0.1:8000
 *   x32-stabilizer = false      + x32-stabilizer-listen = 127.0.0.1:5000
 *   [rooms]                     WebRTC rooms: keys listed in rooms.c */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib-unix.h>
#include <systemd/sd-daemon.h>

#include "foh-config.h"
#include "foh-web/foh-web.h"
#include "util/log.h"

GResource *web_get_resource(void);
void web_login_install(struct web *w, SoupServer *s);

static const struct { const char *key; uint16_t port; } personality[WEB_N_SERVERS] = {
	{ NULL, WEB_DEFAULT_PORT },
	{ "feature-server", 8765 },
	{ "mission-control", 8000 },
	{ "x32-stabilizer", 5000 },
};

struct options {
	char *config, *listen, *static_dir, *token_file, *log_level;
	bool system_bus;
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: foh-web [OPTIONS]\n\n"
		"HTTP and WebSocket face of fohd (" FOH_BUS_NAME "): the UI, /api/v1, the\n"
		"events WebSocket and the seeds' web protocols.\n\n"
		"  -c, --config=FILE       foh-web.conf (default $XDG_CONFIG_HOME/foh/foh-web.conf,\n"
		"                          else %s)\n"
		"  -l, --listen=IP:PORT    main listener (default 127.0.0.1:%d)\n"
		"  -s, --static-dir=DIR    the UI's files\n"
		"      --token-file=FILE   the access token's file\n"
		"  -b, --bus=user|system   the bus fohd is on (default user)\n"
		"      --log-level=LEVEL   error, warning, info, debug\n"
		"  -h, --help              show this help\n"
		"      --version           show the version\n",
		FOH_DEFAULT_WEB_CONFIG, WEB_DEFAULT_PORT);
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option long_opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "static-dir", required_argument, NULL, 's' },
		{ "token-file", required_argument, NULL, 'T' },
		{ "bus", required_argument, NULL, 'b' },
		{ "log-level", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "c:l:s:b:h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'c': g_free(o->config); o->config = g_strdup(optarg); break;
		case 'l': g_free(o->listen); o->listen = g_strdup(optarg); break;
		case 's': g_free(o->static_dir); o->static_dir = g_strdup(optarg); break;
		case 'T': g_free(o->token_file); o->token_file = g_strdup(optarg); break;
		case 'L': g_free(o->log_level); o->log_level = g_strdup(optarg); break;
		case 'b':
			if (strcmp(optarg, "user") != 0 && strcmp(optarg, "system") != 0) {
				fprintf(stderr, "foh-web: --bus: 'user' or 'system', not '%s'\n", optarg);
				return -EINVAL;
			}
			o->system_bus = strcmp(optarg, "system") == 0;
			break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("foh-web %s\n", FOH_VERSION); return 0;
		default: usage(stderr); return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "foh-web: unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	return 1;
}

/* Config */

static int conf_error(const char *path, const char *group, const char *key, const char *why)
{
	fprintf(stderr, "foh-web: %s: [%s] %s: %s\n", path, group, key, why);
	return -EINVAL;
}

static int check_keys(GKeyFile *kf, const char *path)
{
	static const char *const web_keys[] = { "listen", "allow", "hosts", "origins",
		"token-file", "static-dir", "music-dir", "max-body", "max-message", "ws-queue", "osc-port",
		"log-level" };
	static const char *const compat_keys[] = { "feature-server", "feature-server-listen",
		"mission-control", "mission-control-listen", "x32-stabilizer",
		"x32-stabilizer-listen" };
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);

	for (size_t i = 0; groups[i]; i++) {
		const char *const *known = strcmp(groups[i], "web") == 0 ? web_keys :
			strcmp(groups[i], "compat") == 0 ? compat_keys : NULL;
		size_t n = known == web_keys ? G_N_ELEMENTS(web_keys) : G_N_ELEMENTS(compat_keys);
		g_auto(GStrv) keys = NULL;

		if (strcmp(groups[i], "rooms") == 0)
			continue;	/* rooms.c checks its own */
		if (known == NULL)
			return conf_error(path, groups[i], "", "unknown section (only [web], [compat] and [rooms])");
		keys = g_key_file_get_keys(kf, groups[i], NULL, NULL);
		for (size_t k = 0; keys && keys[k]; k++) {
			bool ok = false;
			for (size_t j = 0; j < n; j++)
				ok = ok || strcmp(keys[k], known[j]) == 0;
			if (!ok)
				return conf_error(path, groups[i], keys[k], "unknown key");
		}
	}
	return 0;
}

static int get_uint(GKeyFile *kf, const char *path, const char *key, guint64 lo, guint64 hi,
		guint64 *out)
{
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	guint64 v;

	if (!g_key_file_has_key(kf, "web", key, NULL))
		return 0;
	text = g_key_file_get_string(kf, "web", key, NULL);
	if (!g_ascii_string_to_unsigned(g_strstrip(text), 10, lo, hi, &v, &err)) {
		g_autofree char *why = g_strdup_printf("not an integer %" G_GUINT64_FORMAT
				"..%" G_GUINT64_FORMAT, lo, hi);
		return conf_error(path, "web", key, why);
	}
	*out = v;
	return 0;
}

static int get_names(GKeyFile *kf, const char *path, const char *key, char **out)
{
	g_auto(GStrv) list = g_key_file_get_string_list(kf, "web", key, NULL, NULL);
	size_t n = 0;

	for (size_t i = 0; list && list[i]; i++) {
		char *v = g_strstrip(list[i]);
		if (v[0] == '\0')
			continue;
		if (n >= WEB_MAX_NAMES)
			return conf_error(path, "web", key, "at most 16 entries");
		if (strpbrk(v, " \t\r\n/") && strcmp(key, "origins") != 0)
			return conf_error(path, "web", key, "a host name has no spaces or slashes");
		out[n++] = g_strdup(v);
	}
	return 0;
}

static int read_config(struct web *w, struct options *o)
{
	g_autofree char *user = g_build_filename(g_get_user_config_dir(), "foh", "foh-web.conf",
			NULL);
	const char *path = o->config ? o->config :
		g_file_test(user, G_FILE_TEST_EXISTS) ? user : FOH_DEFAULT_WEB_CONFIG;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) err = NULL;
	g_autofree char *listen = NULL;
	guint64 v;
	int r;

	if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &err)) {
		if (o->config == NULL && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			goto defaults;
		fprintf(stderr, "foh-web: %s: %s\n", path, err->message);
		return -EINVAL;
	}
	if ((r = check_keys(kf, path)) < 0 || (r = web_rooms_config(w, kf, path)) < 0)
		return r;
	v = w->max_body;
	if ((r = get_uint(kf, path, "max-body", 256, 16 << 20, &v)) < 0)
		return r;
	w->max_body = v;
	v = w->max_message;
	if ((r = get_uint(kf, path, "max-message", 256, 16 << 20, &v)) < 0)
		return r;
	w->max_message = v;
	v = w->ws_queue;
	if ((r = get_uint(kf, path, "ws-queue", 4, 4096, &v)) < 0)
		return r;
	w->ws_queue = (unsigned int)v;
	v = w->osc_port;
	if ((r = get_uint(kf, path, "osc-port", 0, 65535, &v)) < 0)
		return r;
	w->osc_port = (uint16_t)v;
	if ((r = get_names(kf, path, "hosts", w->hosts)) < 0 ||
	    (r = get_names(kf, path, "origins", w->origins)) < 0)
		return r;
	{
		g_auto(GStrv) allow = g_key_file_get_string_list(kf, "web", "allow", NULL, NULL);
		for (size_t i = 0; allow && allow[i]; i++) {
			char *a = g_strstrip(allow[i]);
			if (a[0] == '\0')
				continue;
			if (w->n_allow >= WEB_MAX_ALLOW)
				return conf_error(path, "web", "allow", "at most 32 networks");
			if (web_parse_net(a, &w->allow[w->n_allow++]) < 0)
				return conf_error(path, "web", "allow",
						"not a network such as 192.168.1.0/24 (host bits 0)");
		}
	}
	if (o->static_dir == NULL)
		o->static_dir = g_key_file_get_string(kf, "web", "static-dir", NULL);
	if (o->token_file == NULL)
		o->token_file = g_key_file_get_string(kf, "web", "token-file", NULL);
	{
		g_autofree char *music = g_key_file_get_string(kf, "web", "music-dir", NULL);
		if (music && g_strstrip(music)[0] != '\0') {
			if (!g_path_is_absolute(music))
				return conf_error(path, "web", "music-dir", "not an absolute path");
			w->music_dir = g_strdup(music);
		}
	}
	if (o->log_level == NULL)
		o->log_level = g_key_file_get_string(kf, "web", "log-level", NULL);
	if (o->listen == NULL)
		o->listen = g_key_file_get_string(kf, "web", "listen", NULL);
	for (unsigned int i = 1; i < WEB_N_SERVERS; i++) {
		g_autofree char *lkey = g_strconcat(personality[i].key, "-listen", NULL);
		g_autofree char *addr = NULL;

		if (g_key_file_has_key(kf, "compat", personality[i].key, NULL)) {
			w->lis[i].enabled = g_key_file_get_boolean(kf, "compat", personality[i].key, &err);
			if (err)
				return conf_error(path, "compat", personality[i].key, "not true or false");
		}
		addr = g_key_file_get_string(kf, "compat", lkey, NULL);
		if (addr && web_parse_hostport(g_strstrip(addr), personality[i].port,
				&w->lis[i].want) < 0)
			return conf_error(path, "compat", lkey, "not a numeric IPv4 address[:port]");
	}
defaults:
	if (web_parse_hostport(o->listen ? o->listen : "127.0.0.1", WEB_DEFAULT_PORT,
			&w->lis[WEB_MAIN].want) < 0) {
		fprintf(stderr, "foh-web: listen: '%s' is not a numeric IPv4 address[:port]\n",
				o->listen);
		return -EINVAL;
	}
	w->lis[WEB_MAIN].enabled = true;
	w->static_dir = o->static_dir ? g_strdup(o->static_dir) : g_strdup(FOH_WEB_DIR);
	w->token_file = o->token_file ? g_strdup(o->token_file) :
		g_build_filename(g_get_user_config_dir(), "foh", "web-token", NULL);
	if (o->log_level) {
		enum foh_log_level level;
		if (!foh_log_level_from_string(o->log_level, &level)) {
			fprintf(stderr, "foh-web: log level '%s' is not error, warning, info or debug\n",
					o->log_level);
			return -EINVAL;
		}
		foh_log_set_level(level);
	}
	w->system_bus = o->system_bus;
	return 0;
}

/* Listeners */

static int listen_on(struct web *w, unsigned int i)
{
	struct web_listener *l = &w->lis[i];
	g_autoptr(GSocketAddress) sa = g_socket_address_new_from_native(&l->want, sizeof(l->want));
	g_autoptr(GError) err = NULL;
	GSList *uris;

	l->server = soup_server_new("server-header", "foh-web", NULL);
	/* permessage-deflate would let a small frame inflate past max-message
	 * (libsoup checks the size before inflating): off */
	soup_server_remove_websocket_extension(l->server, SOUP_TYPE_WEBSOCKET_EXTENSION_DEFLATE);
	web_guard_install(w, i);
	if (!soup_server_listen(l->server, sa, 0, &err)) {
		char ip[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &l->want.sin_addr, ip, sizeof(ip));
		foh_error("cannot listen on %s:%u: %s", ip, ntohs(l->want.sin_port), err->message);
		return -EADDRINUSE;
	}
	uris = soup_server_get_uris(l->server);
	l->port = uris ? (uint16_t)g_uri_get_port(uris->data) : ntohs(l->want.sin_port);
	g_slist_free_full(uris, (GDestroyNotify)g_uri_unref);
	return 0;
}

static int setup(struct web *w)
{
	g_autoptr(GBytes) xml = NULL;
	g_autoptr(GError) err = NULL;
	bool need_token = false;
	int r;

	xml = g_resource_lookup_data(web_get_resource(), "/org/foh/web/org.foh.Foh1.xml", 0, &err);
	if (xml == NULL || (w->contract = g_dbus_node_info_new_for_xml(
			g_bytes_get_data(xml, NULL), &err)) == NULL) {
		foh_error("the embedded D-Bus contract does not parse: %s", err->message);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < WEB_N_SERVERS; i++) {
		if (i != WEB_MAIN && w->lis[i].want.sin_family == 0)
			(void)web_parse_hostport("127.0.0.1", personality[i].port, &w->lis[i].want);
		if (w->lis[i].enabled && !web_is_loopback(&w->lis[i].want))
			need_token = true;
	}
	if (need_token && (r = web_token_load(w)) < 0)
		return r;
	w->clients = g_ptr_array_new();
	w->conns = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_object_unref, NULL);
	/* listeners first, so every Host/Origin check knows every port */
	for (unsigned int i = 0; i < WEB_N_SERVERS; i++)
		if (w->lis[i].enabled && (r = listen_on(w, i)) < 0)
			return r;
	web_login_install(w, w->lis[WEB_MAIN].server);
	web_api_install(w, w->lis[WEB_MAIN].server);
	web_music_install(w, w->lis[WEB_MAIN].server);
	web_events_install(w, w->lis[WEB_MAIN].server);
	web_ag06_install(w, w->lis[WEB_MAIN].server);
	web_rooms_install(w, w->lis[WEB_MAIN].server);
	soup_server_add_handler(w->lis[WEB_MAIN].server, "/", web_static_handler, w, NULL);
	if (w->lis[WEB_FEATURE].server && (r = web_feature_start(w, w->lis[WEB_FEATURE].server)) < 0)
		return r;
	if (w->lis[WEB_MISSION].server)
		web_mission_install(w, w->lis[WEB_MISSION].server);
	if (w->lis[WEB_X32].server)
		web_x32_install(w, w->lis[WEB_X32].server);
	if ((r = web_events_start(w)) < 0 || (r = web_rooms_start(w)) < 0)
		return r;
	return web_bus_start(w);
}

static void teardown(struct web *w)
{
	web_rooms_stop(w);
	web_events_stop(w);
	web_feature_stop(w);
	for (unsigned int i = 0; i < WEB_N_SERVERS; i++)
		if (w->lis[i].server) {
			soup_server_disconnect(w->lis[i].server);
			g_clear_object(&w->lis[i].server);
		}
	/* run what the teardown queued (dropped clients are freed from idle
	 * callbacks) before the loop goes away */
	for (int i = 0; i < 100 && g_main_context_pending(NULL); i++)
		g_main_context_iteration(NULL, FALSE);
	web_bus_stop(w);
	if (w->clients)
		g_ptr_array_free(w->clients, TRUE);
	g_clear_pointer(&w->conns, g_hash_table_destroy);
	if (w->contract)
		g_dbus_node_info_unref(w->contract);
	for (size_t i = 0; i < WEB_MAX_NAMES; i++) {
		g_free(w->hosts[i]);
		g_free(w->origins[i]);
	}
	g_free(w->token);
	g_free(w->token_file);
	g_free(w->static_dir);
	g_free(w->music_dir);
}

static gboolean on_terminate(gpointer data)
{
	struct web *w = data;

	(void)sd_notify(0, "STOPPING=1");
	g_main_loop_quit(w->loop);
	return G_SOURCE_CONTINUE;
}

static void options_free(struct options *o)
{
	g_free(o->config);
	g_free(o->listen);
	g_free(o->static_dir);
	g_free(o->token_file);
	g_free(o->log_level);
}

int main(int argc, char **argv)
{
	struct options opts = { 0 };
	struct web w = { .max_body = WEB_MAX_BODY, .max_message = WEB_MAX_MESSAGE,
		.ws_queue = WEB_WS_QUEUE, .osc_fd = -1 };
	int r;

	if ((r = parse_args(argc, argv, &opts)) <= 0 || (r = read_config(&w, &opts)) < 0) {
		options_free(&opts);
		teardown(&w);
		return r == 0 ? EXIT_SUCCESS : 2;
	}
	options_free(&opts);
	w.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_terminate, &w);
	g_unix_signal_add(SIGINT, on_terminate, &w);
	r = setup(&w);
	if (r >= 0) {
		foh_info("listening on 127.0.0.1:%u%s%s", w.lis[WEB_MAIN].port,
				w.lis[WEB_FEATURE].server ? ", feature server" : "",
				w.lis[WEB_MISSION].server ? ", Mission Control" : "");
		(void)sd_notify(0, "READY=1");
		g_main_loop_run(w.loop);
	}
	teardown(&w);
	g_main_loop_unref(w.loop);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
