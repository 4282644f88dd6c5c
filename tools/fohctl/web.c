/* fohctl web: foh-web's counters (org.foh.Web1 Stats: requests and every
 * kind of refusal) and its access token (read from the token file, which
 * foh-web writes 0600 on first start with a non-loopback listener). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"

#define WEB_BUS_NAME "org.foh.Web1"
#define WEB_PATH "/org/foh/Web1"
#define WEB_IFACE "org.foh.Web1"

static int web_stats(struct ctx *c)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *name;
	uint64_t v;
	int r;

	r = sd_bus_call_method(c->bus, WEB_BUS_NAME, WEB_PATH, WEB_IFACE, "Stats", &e, &reply, "");
	if (r < 0) {
		if (sd_bus_error_has_names(&e, "org.freedesktop.DBus.Error.ServiceUnknown",
					"org.freedesktop.DBus.Error.NameHasNoOwner"))
			fprintf(stderr, "fohctl: foh-web is not running (no %s on the user bus)\n",
					WEB_BUS_NAME);
		else
			report_bus_error("web stats", &e, r);
		sd_bus_error_free(&e);
		return EXIT_FAILURE;
	}
	json_builder_begin_object(b);
	if ((r = sd_bus_message_enter_container(reply, 'a', "{st}")) < 0)
		goto bad;
	while ((r = sd_bus_message_read(reply, "{st}", &name, &v)) > 0) {
		if (c->json) {
			json_builder_set_member_name(b, name);
			json_builder_add_int_value(b, (gint64)v);
		} else {
			printf("%-24s %" PRIu64 "\n", name, v);
		}
	}
	if (r < 0)
		goto bad;
	json_builder_end_object(b);
	if (c->json)
		print_json(b);
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
bad:
	sd_bus_message_unref(reply);
	return report_bad_reply("web stats", r);
}

/* foh-web.conf's [web] token-file, else the default beside it. */
static char *token_path(void)
{
	g_autofree char *conf = g_build_filename(g_get_user_config_dir(), "foh", "foh-web.conf", NULL);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	char *path = NULL;

	if (g_key_file_load_from_file(kf, conf, G_KEY_FILE_NONE, NULL))
		path = g_key_file_get_string(kf, "web", "token-file", NULL);
	if (path)
		return g_strstrip(path);
	return g_build_filename(g_get_user_config_dir(), "foh", "web-token", NULL);
}

static int web_token(struct ctx *c, const char *given)
{
	g_autofree char *path = given ? g_strdup(given) : token_path();
	g_autofree char *text = NULL;
	g_autoptr(GError) err = NULL;

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		fprintf(stderr, "fohctl: no access token in %s (%s): foh-web writes one on its "
				"first start with a listener off 127.0.0.1\n", path, err->message);
		return EXIT_FAILURE;
	}
	g_strstrip(text);
	if (c->json) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "token");
		json_builder_add_string_value(b, text);
		json_builder_set_member_name(b, "file");
		json_builder_add_string_value(b, path);
		json_builder_end_object(b);
		print_json(b);
	} else {
		printf("%s\n", text);
	}
	return EXIT_SUCCESS;
}

int cmd_web(struct ctx *c, int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "stats") == 0)
		return web_stats(c);
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "token") == 0)
		return web_token(c, argc == 3 ? argv[2] : NULL);
	fprintf(stderr, "Usage: fohctl [--json] web stats | web token [FILE]\n");
	return EXIT_USAGE;
}
