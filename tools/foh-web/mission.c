/* The Mission Control personality ([compat] mission-control, port 8000):
 *   GET /status      SampleRate, Quantum (blocksize), ChannelMap (logical →
 *                    input/output node, per-channel overruns), Xruns,
 *                    CpuLoad, Uptime
 *   GET /vu          every channel's VuDb, floored at -60 dBFS
 *   POST /config     the seed's config.json: logical_channels → each
 *                    channel's Input/Output (device ids from ListDevices),
 *                    dsp.comp → Comp*, dsp.limiter.ceiling_db →
 *                    LimiterCeiling; every field checked first, all
 *                    channels or none (a refusal part-way restores them);
 *                    400 invalid, 500 failed, nothing changed either way.
 *                    sample_rate, blocksize and sample_format are checked
 *                    but PipeWire owns the clock; limiter release_ms too,
 *                    foh's limiter has a fixed release.
 *   POST /ptt        {channel, mute?, gate_open?} → Mute, GateOpen
 *   GET /self-check  Manager.SelfCheck → {passed, checks[]} */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foh-web/compat.h"

static void mc_status(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	g_autoptr(JsonNode) mn = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonObject *m;
	JsonArray *map;

	if (!is_get(msg))
		return;
	if ((mn = props_of(w, FOH_ROOT, FOH_IFACE("Manager"), &e)) == NULL)
		return fail_bus(w, msg, &e);
	m = json_node_get_object(mn);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sample_rate");
	json_builder_add_int_value(b, json_object_get_int_member_with_default(m, "SampleRate", 0));
	json_builder_set_member_name(b, "blocksize");
	json_builder_add_int_value(b, json_object_get_int_member_with_default(m, "Quantum", 0));
	map = json_object_has_member(m, "ChannelMap") ? json_object_get_array_member(m, "ChannelMap") : NULL;
	json_builder_set_member_name(b, "channels");
	json_builder_begin_object(b);
	for (guint i = 0; map && i < json_array_get_length(map); i++) {
		JsonArray *row = json_array_get_array_element(map, i);
		char key[16];
		if (json_array_get_length(row) < 6)
			continue;
		snprintf(key, sizeof(key), "%" G_GINT64_FORMAT, json_array_get_int_element(row, 0));
		json_builder_set_member_name(b, key);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, json_array_get_string_element(row, 1));
		json_builder_set_member_name(b, "input");
		json_builder_add_string_value(b, json_array_get_string_element(row, 2));
		json_builder_set_member_name(b, "output");
		json_builder_add_string_value(b, json_array_get_string_element(row, 3));
		json_builder_set_member_name(b, "state");
		json_builder_add_string_value(b, json_array_get_string_element(row, 4));
		json_builder_set_member_name(b, "xruns");
		json_builder_add_int_value(b, json_array_get_int_element(row, 5));
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "xruns");
	json_builder_add_int_value(b, json_object_get_int_member_with_default(m, "Xruns", 0));
	json_builder_set_member_name(b, "cpu_percent");
	json_builder_add_double_value(b, 100.0 * json_object_get_double_member_with_default(m,
			"CpuLoad", 0));
	json_builder_set_member_name(b, "uptime_s");
	json_builder_add_double_value(b, (double)json_object_get_int_member_with_default(m, "Uptime",
			0) / 1e6);
	json_builder_end_object(b);
	web_reply_builder(msg, 200, b);
}

static void mc_vu(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	g_autoptr(JsonNode) mn = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonArray *chans;

	if (!is_get(msg))
		return;
	if ((mn = props_of(w, FOH_ROOT, FOH_IFACE("Manager"), &e)) == NULL)
		return fail_bus(w, msg, &e);
	chans = json_object_get_array_member(json_node_get_object(mn), "Channels");
	json_builder_begin_object(b);
	for (guint i = 0; chans && i < json_array_get_length(chans); i++) {
		const char *p = json_array_get_string_element(chans, i);
		g_autoptr(JsonNode) cn = props_of(w, p, FOH_IFACE("Channel"), &e);
		double vu;
		if (cn == NULL)
			return fail_bus(w, msg, &e);
		vu = num_or_nan(json_node_get_object(cn), "VuDb");
		json_builder_set_member_name(b, strrchr(p, '/') + 1);
		json_builder_add_double_value(b, isfinite(vu) && vu > -60.0 ? vu : -60.0);
	}
	json_builder_end_object(b);
	web_reply_builder(msg, 200, b);
}

static void mc_ptt(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	struct web *w = data;
	g_autoptr(JsonNode) keep = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	JsonObject *o;
	JsonNode *n;
	double ch;
	char cpath[64];
	int set = 0;

	if (!is_post(msg) || (o = body_object(w, msg, &keep)) == NULL ||
	    !want_num(msg, o, "channel", true, &ch))
		return;
	if (ch != floor(ch) || ch < 1 || ch > 999)
		return web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"channel is a number from 1");
	snprintf(cpath, sizeof(cpath), FOH_ROOT "/channel/%d", (int)ch);
	b = json_builder_new();
	json_builder_begin_object(b);
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "gate_open" : "mute", *prop = i ? "GateOpen" : "Mute";
		if ((n = json_object_get_member(o, k)) == NULL)
			continue;
		if (!JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
			return web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
					"%s is not true or false", k);
		json_builder_set_member_name(b, prop);
		json_builder_add_boolean_value(b, json_node_get_boolean(n));
		set++;
	}
	json_builder_end_object(b);
	if (set == 0)
		return web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidArgument",
				"give mute and/or gate_open");
	if (patch_or_fail(w, msg, cpath, FOH_IFACE("Channel"), b))
		reply_ok(msg, NULL, NULL);
}

static void mc_self_check(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *report;
	int passed;

	if (!is_get(msg))
		return;
	if (callv(w, FOH_ROOT, FOH_IFACE("Manager"), "SelfCheck", &reply, &e, NULL) < 0)
		return fail_bus(w, msg, &e);
	if (sd_bus_message_read(reply, "bs", &passed, &report) < 0) {
		sd_bus_message_unref(reply);
		return web_reply_error(msg, 502, "org.foh.Web1.Error.BadReply", "bad SelfCheck reply");
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "passed");
	json_builder_add_boolean_value(b, passed);
	json_builder_set_member_name(b, "checks");
	json_builder_begin_array(b);
	{
		g_auto(GStrv) lines = g_strsplit(report, "\n", -1);
		for (size_t i = 0; lines[i]; i++)
			if (lines[i][0])
				json_builder_add_string_value(b, lines[i]);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sd_bus_message_unref(reply);
	web_reply_builder(msg, 200, b);
}

/* POST /config */

struct dev { uint32_t id; char *name; char *cls; };

static GArray *devices(struct web *w, sd_bus_error *e)
{
	sd_bus_message *reply = NULL;
	GArray *a;
	const char *name, *desc, *cls;
	uint32_t id;

	if (callv(w, FOH_ROOT, FOH_IFACE("Manager"), "ListDevices", &reply, e, NULL) < 0)
		return NULL;
	a = g_array_new(FALSE, TRUE, sizeof(struct dev));
	if (sd_bus_message_enter_container(reply, 'a', "(usss)") >= 0)
		while (sd_bus_message_read(reply, "(usss)", &id, &name, &desc, &cls) > 0) {
			struct dev d = { id, g_strdup(name), g_strdup(cls) };
			g_array_append_val(a, d);
		}
	sd_bus_message_unref(reply);
	return a;
}

static void devices_free(GArray *a)
{
	for (guint i = 0; a && i < a->len; i++) {
		g_free(g_array_index(a, struct dev, i).name);
		g_free(g_array_index(a, struct dev, i).cls);
	}
	if (a)
		g_array_free(a, TRUE);
}

static const char *device_node(GArray *devs, double id, const char *cls)
{
	for (guint i = 0; i < devs->len; i++) {
		struct dev *d = &g_array_index(devs, struct dev, i);
		if ((double)d->id == id && strstr(d->cls, cls))
			return d->name;
	}
	return NULL;
}

#define BAD(...) do { web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidConfig", __VA_ARGS__); \
	goto out; } while (0)

static void mc_config(SoupServer *s, SoupServerMessage *msg, const char *path, GHashTable *query,
		gpointer data)
{
	static const char *const top[] = { "sample_rate", "sample_format", "channels", "blocksize",
		"logical_channels", "dsp" };
	static const struct { const char *k, *prop; } comp[] = {
		{ "ratio", "CompRatio" }, { "threshold_db", "CompThreshold" },
		{ "attack_ms", "CompAttack" }, { "release_ms", "CompRelease" },
	};
	struct web *w = data;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	g_autoptr(JsonNode) keep = NULL, mn = NULL;
	g_autoptr(GList) keys = NULL;
	GPtrArray *patches = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	GPtrArray *olds = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
	GArray *devs = NULL;
	JsonObject *o, *lc = NULL, *dsp = NULL, *cmp = NULL, *lim = NULL;
	JsonArray *chans;
	guint n_ch, done = 0;

	if (!is_post(msg) || (o = body_object(w, msg, &keep)) == NULL)
		goto out;
	keys = json_object_get_members(o);
	for (GList *l = keys; l; l = l->next) {
		bool known = false;
		for (size_t i = 0; i < G_N_ELEMENTS(top); i++)
			known = known || strcmp(l->data, top[i]) == 0;
		if (!known)
			BAD("unknown key \"%s\"", (char *)l->data);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(top); i++) {
		JsonNode *n = json_object_get_member(o, top[i]);
		bool want_obj = i >= 4;
		if (n == NULL)
			continue;
		if (want_obj ? !JSON_NODE_HOLDS_OBJECT(n) : (i == 1 ?
				!(JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING) :
				!(JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_INT64 &&
				  json_node_get_int(n) > 0)))
			BAD("%s is not %s", top[i], want_obj ? "an object" : i == 1 ?
					"a string" : "a positive integer");
	}
	if ((mn = props_of(w, FOH_ROOT, FOH_IFACE("Manager"), &e)) == NULL) {
		fail_bus(w, msg, &e);
		goto out;
	}
	chans = json_object_get_array_member(json_node_get_object(mn), "Channels");
	n_ch = chans ? json_array_get_length(chans) : 0;
	lc = json_object_has_member(o, "logical_channels") ?
		json_object_get_object_member(o, "logical_channels") : NULL;
	dsp = json_object_has_member(o, "dsp") ? json_object_get_object_member(o, "dsp") : NULL;
	if (dsp) {
		g_autoptr(GList) dk = json_object_get_members(dsp);
		for (GList *l = dk; l; l = l->next)
			if (strcmp(l->data, "comp") != 0 && strcmp(l->data, "limiter") != 0)
				BAD("dsp: unknown key \"%s\"", (char *)l->data);
		if (json_object_has_member(dsp, "comp")) {
			JsonNode *c = json_object_get_member(dsp, "comp");
			if (!JSON_NODE_HOLDS_OBJECT(c))
				BAD("dsp.comp is not an object");
			cmp = json_node_get_object(c);
		}
		if (json_object_has_member(dsp, "limiter")) {
			JsonNode *c = json_object_get_member(dsp, "limiter");
			if (!JSON_NODE_HOLDS_OBJECT(c))
				BAD("dsp.limiter is not an object");
			lim = json_node_get_object(c);
		}
	}
	if (lc && (devs = devices(w, &e)) == NULL) {
		fail_bus(w, msg, &e);
		goto out;
	}
	/* one PATCH per channel, built and checked before any is sent */
	for (guint ch = 1; ch <= n_ch; ch++) {
		g_autoptr(JsonBuilder) b = json_builder_new();
		char key[16];
		JsonNode *ln;

		snprintf(key, sizeof(key), "%u", ch);
		json_builder_begin_object(b);
		for (size_t i = 0; cmp && i < G_N_ELEMENTS(comp); i++) {
			double v = num_or_nan(cmp, comp[i].k);
			if (!json_object_has_member(cmp, comp[i].k))
				continue;
			if (!isfinite(v))
				BAD("dsp.comp.%s is not a number", comp[i].k);
			json_builder_set_member_name(b, comp[i].prop);
			json_builder_add_double_value(b, v);
		}
		if (lim && json_object_has_member(lim, "ceiling_db")) {
			double v = num_or_nan(lim, "ceiling_db");
			if (!isfinite(v))
				BAD("dsp.limiter.ceiling_db is not a number");
			json_builder_set_member_name(b, "LimiterCeiling");
			json_builder_add_double_value(b, v);
		}
		if (lim && json_object_has_member(lim, "release_ms") &&
		    !isfinite(num_or_nan(lim, "release_ms")))
			BAD("dsp.limiter.release_ms is not a number");
		if (lc && (ln = json_object_get_member(lc, key))) {
			JsonObject *map;
			if (!JSON_NODE_HOLDS_OBJECT(ln))
				BAD("logical_channels.%s is not an object", key);
			map = json_node_get_object(ln);
			for (int io = 0; io < 2; io++) {
				const char *k = io ? "output_device_id" : "input_device_id";
				const char *node;
				double id = num_or_nan(map, k);
				if (!json_object_has_member(map, k))
					continue;
				if (!isfinite(id) || (node = device_node(devs, id, io ? "Audio/Sink" :
						"Audio/Source")) == NULL)
					BAD("logical_channels.%s.%s: no audio %s with id %g (see ListDevices)",
							key, k, io ? "sink" : "source", id);
				json_builder_set_member_name(b, io ? "Output" : "Input");
				json_builder_add_string_value(b, node);
			}
		}
		json_builder_end_object(b);
		g_ptr_array_add(patches, json_builder_get_root(b));
	}
	if (lc) {
		g_autoptr(GList) lk = json_object_get_members(lc);
		for (GList *l = lk; l; l = l->next) {
			char *end;
			long v = strtol(l->data, &end, 10);
			if (*end != '\0' || v < 1 || (guint)v > n_ch)
				BAD("logical_channels: \"%s\" is not a channel (1..%u)", (char *)l->data, n_ch);
		}
	}
	/* the old values of what will change, then all channels or none */
	for (guint ch = 1; ch <= n_ch; ch++) {
		char cpath[64];
		g_autoptr(JsonNode) all = NULL;
		g_autoptr(JsonBuilder) b = json_builder_new();
		g_autoptr(GList) names = json_object_get_members(json_node_get_object(patches->pdata[ch - 1]));

		snprintf(cpath, sizeof(cpath), FOH_ROOT "/channel/%u", ch);
		if ((all = props_of(w, cpath, FOH_IFACE("Channel"), &e)) == NULL) {
			fail_bus(w, msg, &e);
			goto out;
		}
		json_builder_begin_object(b);
		for (GList *l = names; l; l = l->next) {
			json_builder_set_member_name(b, l->data);
			json_builder_add_value(b, json_node_copy(json_object_get_member(
					json_node_get_object(all), l->data)));
		}
		json_builder_end_object(b);
		g_ptr_array_add(olds, json_builder_get_root(b));
	}
	for (done = 0; done < n_ch; done++) {
		char cpath[64];
		JsonObject *p = json_node_get_object(patches->pdata[done]);

		if (json_object_get_size(p) == 0)
			continue;
		snprintf(cpath, sizeof(cpath), FOH_ROOT "/channel/%u", done + 1);
		if (web_patch(w, cpath, FOH_IFACE("Channel"), p, &e) < 0)
			break;
	}
	if (done < n_ch) {
		for (guint ch = done; ch-- > 0;) {
			char cpath[64];
			sd_bus_error e2 = SD_BUS_ERROR_NULL;
			JsonObject *p = json_node_get_object(olds->pdata[ch]);
			snprintf(cpath, sizeof(cpath), FOH_ROOT "/channel/%u", ch + 1);
			if (json_object_get_size(p) > 0)
				(void)web_patch(w, cpath, FOH_IFACE("Channel"), p, &e2);
			sd_bus_error_free(&e2);
		}
		if (web_error_status(&e) == 400 || web_error_status(&e) == 404)
			web_reply_error(msg, 400, "org.foh.Foh1.Error.InvalidConfig", "%s", e.message);
		else
			web_reply_error(msg, 500, e.name ? e.name : "org.foh.Web1.Error.Failed", "%s",
					e.message ? e.message : "failed");
		sd_bus_error_free(&e);
		goto out;
	}
	reply_ok(msg, NULL, NULL);
out:
	devices_free(devs);
	g_ptr_array_free(patches, TRUE);
	g_ptr_array_free(olds, TRUE);
}

void web_mission_install(struct web *w, SoupServer *s)
{
	soup_server_add_handler(s, "/status", mc_status, w, NULL);
	soup_server_add_handler(s, "/vu", mc_vu, w, NULL);
	soup_server_add_handler(s, "/config", mc_config, w, NULL);
	soup_server_add_handler(s, "/ptt", mc_ptt, w, NULL);
	soup_server_add_handler(s, "/self-check", mc_self_check, w, NULL);
}

