/* The AG06 routes on the main listener — GET /health, GET /api/stats, with
 * the rooms' members from rooms.c (/api/rooms itself is rooms.c's) — and
 * the helpers the seed personalities share (compat.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "foh-web/compat.h"

/* Helpers */

JsonNode *props_of(struct web *w, const char *path, const char *iface, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int r;

	if (web_get_all(w, path, iface, &reply, e) < 0)
		return NULL;
	r = web_json_read_props(reply, b);
	sd_bus_message_unref(reply);
	if (r < 0) {
		sd_bus_error_set(e, "org.foh.Web1.Error.BadReply", "fohd's reply could not be read");
		return NULL;
	}
	return json_builder_get_root(b);
}

/* Calls path/iface.member with the arguments of sig; *reply on success. */
int callv(struct web *w, const char *path, const char *iface, const char *member,
		sd_bus_message **reply, sd_bus_error *e, const char *sig, ...)
{
	sd_bus_message *m = NULL;
	va_list ap;
	int r;

	if ((r = web_new_call(w, &m, path, iface, member)) < 0)
		return web_call(w, NULL, NULL, e);
	va_start(ap, sig);
	r = sig ? sd_bus_message_appendv(m, sig, ap) : 0;
	va_end(ap);
	if (r >= 0)
		r = web_call(w, m, reply, e);
	else
		sd_bus_error_set_errno(e, r);
	sd_bus_message_unref(m);
	return r;
}

void fail_bus(struct web *w, SoupServerMessage *msg, sd_bus_error *e)
{
	web_reply_bus_error(w, msg, e);
	sd_bus_error_free(e);
}

bool is_post(SoupServerMessage *msg)
{
	if (strcmp(soup_server_message_get_method(msg), "POST") == 0)
		return true;
	web_reply_error(msg, 405, "org.foh.Web1.Error.Method", "POST only");
	return false;
}

bool is_get(SoupServerMessage *msg)
{
	const char *m = soup_server_message_get_method(msg);

	if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
		return true;
	web_reply_error(msg, 405, "org.foh.Web1.Error.Method", "GET only");
	return false;
}

double num_or_nan(JsonObject *o, const char *k)
{
	JsonNode *n = json_object_get_member(o, k);

	return n && JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) != G_TYPE_STRING &&
		json_node_get_value_type(n) != G_TYPE_BOOLEAN ? json_node_get_double(n) : NAN;
}

void add_db(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	if (isfinite(v))
		json_builder_add_double_value(b, v);
	else
		json_builder_add_null_value(b);
}

/* A JSON number member, or false with a 400 sent. */
bool want_num(SoupServerMessage *msg, JsonObject *o, const char *k, bool required,
		double *out)
{
	JsonNode *n = json_object_get_member(o, k);

	if (n == NULL) {
		if (required)
			web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument", "%s is missing", k);
		return !required;
	}
	if (!JSON_NODE_HOLDS_VALUE(n) || (json_node_get_value_type(n) != G_TYPE_DOUBLE &&
			json_node_get_value_type(n) != G_TYPE_INT64) ||
	    !isfinite(json_node_get_double(n))) {
		web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument", "%s is not a number", k);
		return false;
	}
	*out = json_node_get_double(n);
	return true;
}

JsonObject *body_object(struct web *w, SoupServerMessage *msg, JsonNode **keep)
{
	*keep = web_body_json(w, msg);
	if (*keep == NULL)
		return NULL;
	if (!JSON_NODE_HOLDS_OBJECT(*keep)) {
		web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument", "the body is not an object");
		return NULL;
	}
	return json_node_get_object(*keep);
}

/* PATCH-like: sets the members of b on path/iface and answers ok or the error. */
bool patch_or_fail(struct web *w, SoupServerMessage *msg, const char *path,
		const char *iface, JsonBuilder *b)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);
	sd_bus_error e = SD_BUS_ERROR_NULL;

	if (web_patch(w, path, iface, json_node_get_object(node), &e) < 0) {
		fail_bus(w, msg, &e);
		return false;
	}
	return true;
}

void reply_ok(SoupServerMessage *msg, const char *key, JsonNode *value)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "status");
	json_builder_add_string_value(b, "ok");
	if (key) {
		json_builder_set_member_name(b, key);
		json_builder_add_value(b, value);
	}
	json_builder_end_object(b);
	web_reply_builder(msg, 200, b);
}

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


