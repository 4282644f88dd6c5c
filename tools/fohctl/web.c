/* fohctl web: foh-web's counters (org.foh.Web1 Stats: requests and every
 * kind of refusal) and its access token (read from the token file, which
 * foh-web writes 0600 on first start with a non-loopback listener). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fohctl.h"

#define WEB_BUS_NAME "org.foh.Web1"
#define WEB_PATH "/org/foh/Web1"
#define WEB_IFACE "org.foh.Web1"


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
		return print_stats(c, "foh-web", WEB_BUS_NAME, WEB_PATH, WEB_IFACE, "web stats");
	if ((argc == 2 || argc == 3) && strcmp(argv[1], "token") == 0)
		return web_token(c, argc == 3 ? argv[2] : NULL);
	fprintf(stderr, "Usage: fohctl [--json] web stats | web token [FILE]\n");
	return EXIT_USAGE;
}
