/* The X32 stabilizer personality ([compat] x32-stabilizer, port 5000): the
 * seed's routes over /x32 and /stabilizer — GET / (dashboard polling
 * /meter at 5 Hz), /status, /meter (LevelDb, FaderDb), /output_list
 * (ListOutputs); POST /start_monitor, /stop_monitor (Enabled),
 * /set_target_level (TargetDb), /set_tuning (SlewDb, Smoothing,
 * SilenceThresholdDb, all or none), /set_mixer_ip (Address + Connect),
 * /set_livestream_bus (Output), /set_fader (SetFader: pauses the loop),
 * /backup_settings (Backup), /analyze_routing (AnalyzeRouting). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "foh-web/compat.h"

#define X32 FOH_ROOT "/x32"
#define STAB FOH_ROOT "/stabilizer"

static void x32_status(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	g_autoptr(JsonNode) xn = NULL, sn = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonObject *x, *st;

	if (!is_get(msg))
		return;
	if ((xn = props_of(w, X32, FOH_IFACE("X32"), &e)) == NULL ||
	    (sn = props_of(w, STAB, FOH_IFACE("Stabilizer"), &e)) == NULL)
		return fail_bus(w, msg, &e);
	x = json_node_get_object(xn);
	st = json_node_get_object(sn);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "connected");
	json_builder_add_boolean_value(b, json_object_get_boolean_member_with_default(x, "Connected", FALSE));
	json_builder_set_member_name(b, "mixer_ip");
	json_builder_add_string_value(b, json_object_get_string_member_with_default(x, "Address", ""));
	json_builder_set_member_name(b, "monitoring");
	json_builder_add_boolean_value(b, json_object_get_boolean_member_with_default(st, "Enabled", FALSE));
	json_builder_set_member_name(b, "state");
	json_builder_add_string_value(b, json_object_get_string_member_with_default(st, "State", ""));
	add_db(b, "level_db", num_or_nan(st, "LevelDb"));
	add_db(b, "fader_db", num_or_nan(st, "FaderDb"));
	add_db(b, "target_level_db", num_or_nan(st, "TargetDb"));
	json_builder_set_member_name(b, "tuning");
	json_builder_begin_object(b);
	add_db(b, "slew_rate", num_or_nan(st, "SlewDb"));
	add_db(b, "smoothing", num_or_nan(st, "Smoothing"));
	add_db(b, "silence_threshold", num_or_nan(st, "SilenceThresholdDb"));
	json_builder_end_object(b);
	json_builder_set_member_name(b, "livestream_bus");
	json_builder_add_string_value(b, json_object_get_string_member_with_default(st, "Output", ""));
	json_builder_end_object(b);
	web_reply_builder(msg, 200, b);
}

static void x32_meter(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	g_autoptr(JsonNode) sn = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (!is_get(msg))
		return;
	if ((sn = props_of(w, STAB, FOH_IFACE("Stabilizer"), &e)) == NULL)
		return fail_bus(w, msg, &e);
	json_builder_begin_object(b);
	add_db(b, "level_db", num_or_nan(json_node_get_object(sn), "LevelDb"));
	add_db(b, "fader_db", num_or_nan(json_node_get_object(sn), "FaderDb"));
	json_builder_end_object(b);
	web_reply_builder(msg, 200, b);
}

/* a(ss) → [{key0, key1}] */
static void x32_pairs(SoupServerMessage *msg, struct web *w, const char *member, const char *list,
		const char *k0, const char *k1)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *a, *c;

	if (callv(w, X32, FOH_IFACE("X32"), member, &reply, &e, NULL) < 0)
		return fail_bus(w, msg, &e);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, list);
	json_builder_begin_array(b);
	if (sd_bus_message_enter_container(reply, 'a', "(ss)") >= 0)
		while (sd_bus_message_read(reply, "(ss)", &a, &c) > 0) {
			json_builder_begin_object(b);
			json_builder_set_member_name(b, k0);
			json_builder_add_string_value(b, a);
			json_builder_set_member_name(b, k1);
			json_builder_add_string_value(b, c);
			json_builder_end_object(b);
		}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sd_bus_message_unref(reply);
	web_reply_builder(msg, 200, b);
}

static void x32_output_list(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	if (is_get(msg))
		x32_pairs(msg, data, "ListOutputs", "outputs", "id", "name");
}

static void x32_analyze(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	if (is_post(msg))
		x32_pairs(msg, data, "AnalyzeRouting", "suggestions", "id", "reason");
}

static void x32_monitor(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	g_autoptr(JsonBuilder) b = json_builder_new();
	bool on = strcmp(path, "/start_monitor") == 0;

	if (!is_post(msg))
		return;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "Enabled");
	json_builder_add_boolean_value(b, on);
	json_builder_end_object(b);
	if (patch_or_fail(w, msg, STAB, FOH_IFACE("Stabilizer"), b))
		reply_ok(msg, "monitoring", json_node_init_boolean(json_node_alloc(), on));
}

/* POST bodies that set stabilizer or X32 properties: [json key, property]. */
static void x32_setter(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	static const struct { const char *route, *key, *prop; bool num, x32; } map[] = {
		{ "/set_target_level", "target_level_db", "TargetDb", true, false },
		{ "/set_tuning", "slew_rate", "SlewDb", true, false },
		{ "/set_tuning", "smoothing", "Smoothing", true, false },
		{ "/set_tuning", "silence_threshold", "SilenceThresholdDb", true, false },
		{ "/set_livestream_bus", "bus_id", "Output", false, false },
		{ "/set_mixer_ip", "ip", "Address", false, true },
	};
	struct web *w = data;
	g_autoptr(JsonNode) keep = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	sd_bus_error e = SD_BUS_ERROR_NULL;
	JsonObject *o;
	bool x32 = false;
	int n = 0;

	if (!is_post(msg) || (o = body_object(w, msg, &keep)) == NULL)
		return;
	json_builder_begin_object(b);
	for (size_t i = 0; i < G_N_ELEMENTS(map); i++) {
		JsonNode *v;
		if (strcmp(map[i].route, path) != 0 || (v = json_object_get_member(o, map[i].key)) == NULL)
			continue;
		if (map[i].num) {
			double d;
			if (!want_num(msg, o, map[i].key, false, &d))
				return;
			json_builder_set_member_name(b, map[i].prop);
			json_builder_add_double_value(b, d);
		} else {
			if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_STRING)
				return web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
						"%s is not a string", map[i].key);
			json_builder_set_member_name(b, map[i].prop);
			json_builder_add_string_value(b, json_node_get_string(v));
		}
		x32 = map[i].x32;
		n++;
	}
	json_builder_end_object(b);
	if (n == 0)
		return web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"the body names none of this route's fields");
	if (!patch_or_fail(w, msg, x32 ? X32 : STAB, x32 ? FOH_IFACE("X32") : FOH_IFACE("Stabilizer"), b))
		return;
	if (x32 && callv(w, X32, FOH_IFACE("X32"), "Connect", NULL, &e, NULL) < 0)
		return fail_bus(w, msg, &e);
	reply_ok(msg, NULL, NULL);
}

static void x32_set_fader(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	g_autoptr(JsonNode) keep = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	JsonObject *o;
	double db;

	if (!is_post(msg) || (o = body_object(w, msg, &keep)) == NULL ||
	    !want_num(msg, o, "fader_db", true, &db))
		return;
	if (callv(w, STAB, FOH_IFACE("Stabilizer"), "SetFader", NULL, &e, "d", db) < 0)
		return fail_bus(w, msg, &e);
	reply_ok(msg, "fader_db", json_node_init_double(json_node_alloc(), db));
}

static void x32_backup(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *written = "";

	if (!is_post(msg))
		return;
	if (callv(w, X32, FOH_IFACE("X32"), "Backup", &reply, &e, "s", "") < 0)
		return fail_bus(w, msg, &e);
	(void)sd_bus_message_read(reply, "s", &written);
	reply_ok(msg, "file", json_node_init_string(json_node_alloc(), written));
	sd_bus_message_unref(reply);
}

static const char x32_page[] =
	"<!doctype html><html><head><meta charset=\"utf-8\"><title>X32 stabilizer</title>"
	"<script type=\"module\" src=\"/dashboard.js\"></script></head><body>"
	"<h1>X32 livestream stabilizer</h1><p>Level <span id=\"level\">–</span> dB, fader "
	"<span id=\"fader\">–</span> dB</p></body></html>";
static const char x32_js[] =
	"// polls /meter at 5 Hz, as the seed's dashboard does\n"
	"const show = (id, v) => { document.getElementById(id).textContent = v === null ? \"–\" : v.toFixed(1); };\n"
	"setInterval(async () => { const m = await (await fetch(\"/meter\")).json();\n"
	"  show(\"level\", m.level_db); show(\"fader\", m.fader_db); }, 200);\n";

static void x32_dashboard(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	bool js = strcmp(path, "/dashboard.js") == 0;

	if (!is_get(msg))
		return;
	if (strcmp(path, "/") != 0 && !js)
		return web_reply_error(msg, 404, "org.foh.Foh1.Error.NotFound", "no such route");
	soup_server_message_set_status(msg, 200, NULL);
	soup_server_message_set_response(msg, js ? "text/javascript" : "text/html; charset=utf-8",
			SOUP_MEMORY_STATIC, js ? x32_js : x32_page, strlen(js ? x32_js : x32_page));
}

void web_x32_install(struct web *w, SoupServer *s)
{
	soup_server_add_handler(s, "/", x32_dashboard, w, NULL);
	soup_server_add_handler(s, "/status", x32_status, w, NULL);
	soup_server_add_handler(s, "/meter", x32_meter, w, NULL);
	soup_server_add_handler(s, "/output_list", x32_output_list, w, NULL);
	soup_server_add_handler(s, "/start_monitor", x32_monitor, w, NULL);
	soup_server_add_handler(s, "/stop_monitor", x32_monitor, w, NULL);
	soup_server_add_handler(s, "/set_target_level", x32_setter, w, NULL);
	soup_server_add_handler(s, "/set_tuning", x32_setter, w, NULL);
	soup_server_add_handler(s, "/set_mixer_ip", x32_setter, w, NULL);
	soup_server_add_handler(s, "/set_livestream_bus", x32_setter, w, NULL);
	soup_server_add_handler(s, "/set_fader", x32_set_fader, w, NULL);
	soup_server_add_handler(s, "/backup_settings", x32_backup, w, NULL);
	soup_server_add_handler(s, "/analyze_routing", x32_analyze, w, NULL);
}
