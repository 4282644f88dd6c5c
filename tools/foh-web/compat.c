/* The seeds' HTTP personalities on top of fohd.
 * AG06 (on the main listener): GET /health, GET /api/stats (with the
 * rooms' members from rooms.c); /api/rooms is rooms.c's. Mission Control (port 8000) and the X32
 * stabilizer (port 5000): see web_mission_install and web_x32_install. */
#include <string.h>

#include "foh-web/foh-web.h"

static void health(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, w->fohd_up ? "healthy" : "degraded");
	json_builder_set_member_name(b, "fohd");
	json_builder_add_boolean_value(b, w->fohd_up);
	web_rooms_health(w, b);
	json_builder_end_object(b);
	web_reply_builder(msg, w->fohd_up ? 200 : 503, b);
}

static void stats(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	g_autoptr(JsonBuilder) b = json_builder_new();
	unsigned int n = 0;

	for (guint i = 0; i < w->clients->len; i++)
		n++;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "connections");
	json_builder_add_int_value(b, n);
	web_rooms_json(w, b);
	json_builder_end_object(b);
	web_reply_builder(msg, 200, b);
}

void web_ag06_install(struct web *w, SoupServer *s)
{
	soup_server_add_handler(s, "/health", health, w, NULL);
	soup_server_add_handler(s, "/api/stats", stats, w, NULL);
}

void web_mission_install(struct web *w, SoupServer *s)
{
}

void web_x32_install(struct web *w, SoupServer *s)
{
}
