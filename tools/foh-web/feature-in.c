/* What the feature-server personality takes in (see feature.c for the
 * mapping): every message is parsed and checked against the seed's ranges
 * before anything is sent to fohd; a message that sets several analyzer
 * properties sets all or none (web_patch); each refusal answers an error
 * {reason} and changes nothing, each change answers a fresh meta. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "foh-web/feature.h"

/* inbound: every field checked before anything changes */

static bool get_bool(JsonObject *o, const char *k, bool *out)
{
	JsonNode *n = json_object_get_member(o, k);

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_BOOLEAN)
		return false;
	*out = json_node_get_boolean(n);
	return true;
}

/* 1: present and a finite number in [lo, hi]; 0: absent; -1: bad. */
static int get_num(JsonObject *o, const char *k, double lo, double hi, double *out)
{
	JsonNode *n = json_object_get_member(o, k);
	double v;

	if (n == NULL)
		return 0;
	if (!JSON_NODE_HOLDS_VALUE(n) || (json_node_get_value_type(n) != G_TYPE_DOUBLE &&
			json_node_get_value_type(n) != G_TYPE_INT64))
		return -1;
	v = json_node_get_double(n);
	if (!isfinite(v) || v < lo || v > hi)
		return -1;
	*out = v;
	return 1;
}

static bool commit_ok(struct web_client *c, JsonObject *o)
{
	bool v;

	if (json_object_has_member(o, "commit") && !get_bool(o, "commit", &v)) {
		feature_error(c, "commit must be a boolean");
		return false;
	}
	return true;
}

/* Sets the members of props on the analyzer (all or nothing) and answers
 * an error or a fresh meta. */
static void apply(struct web_client *c, JsonBuilder *props)
{
	g_autoptr(JsonNode) node = json_builder_get_root(props);
	sd_bus_error e = SD_BUS_ERROR_NULL;

	if (web_patch(c->w, ANALYZER, A_IFACE, json_node_get_object(node), &e) < 0) {
		feature_error(c, "%s", e.message ? e.message : "refused");
		sd_bus_error_free(&e);
		return;
	}
	feature_send_meta(c->w, NULL);
}

static void add_num(JsonBuilder *b, const char *name, double v)
{
	json_builder_set_member_name(b, name);
	json_builder_add_double_value(b, v);
}

static void on_set_fft(struct web_client *c, JsonObject *o)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	bool on;

	if (!get_bool(o, "enabled", &on))
		return feature_error(c, "set_fft needs enabled: bool");
	/* The FFT worker, as in the seed; the frames reach foh-web on its own
	 * destination ("fft", events.c), never through SendFft, which is the
	 * other OSC destinations' (the seed's osc.send_fft). */
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "FftEnabled");
	json_builder_add_boolean_value(b, on);
	json_builder_end_object(b);
	apply(c, b);
}

static double sample_rate(struct web *w)
{
	g_autoptr(JsonNode) mn = feature_props(w, FOH_ROOT, FOH_IFACE("Manager"));

	return mn ? (double)json_object_get_int_member_with_default(json_node_get_object(mn),
			"SampleRate", 48000) : 48000.0;
}

static void on_set_band(struct web_client *c, JsonObject *o)
{
	const char *band = json_object_get_string_member_with_default(o, "band", "");
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	double lo, hi, sr;
	int r;

	if (strcmp(band, "low") != 0 && strcmp(band, "mid") != 0 && strcmp(band, "high") != 0)
		return feature_error(c, "set_band: band must be \"low\", \"mid\" or \"high\"");
	if (get_num(o, "lo_hz", -1e9, 1e9, &lo) != 1 || get_num(o, "hi_hz", -1e9, 1e9, &hi) != 1)
		return feature_error(c, "set_band needs lo_hz and hi_hz numbers");
	if (!commit_ok(c, o))
		return;
	sr = sample_rate(c->w);
	if (lo < 20 || hi <= lo + 50 || hi > 0.45 * sr)
		return feature_error(c, "set_band: need lo_hz >= 20, hi_hz > lo_hz + 50 and "
				"hi_hz <= %.0f (0.45 x %.0f Hz)", 0.45 * sr, sr);
	if ((r = web_new_call(c->w, &m, ANALYZER, A_IFACE, "SetBand")) >= 0 &&
	    (r = sd_bus_message_append(m, "sdd", band, lo, hi)) >= 0)
		r = web_call(c->w, m, &reply, &e);
	else
		r = web_call(c->w, NULL, NULL, &e);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	if (r < 0)
		feature_error(c, "%s", e.message ? e.message : "refused");
	else
		feature_send_meta(c->w, NULL);
	sd_bus_error_free(&e);
}

static void on_set_smoothing(struct web_client *c, JsonObject *o)
{
	static const char *const bands[] = { "low", "mid", "high" };
	static const char *const props[] = { "LowRelease", "MidRelease", "HighRelease" };
	g_autoptr(JsonBuilder) b = json_builder_new();
	JsonNode *tn = json_object_get_member(o, "tau");
	JsonObject *tau;
	int n = 0;

	if (tn == NULL || !JSON_NODE_HOLDS_OBJECT(tn))
		return feature_error(c, "set_smoothing needs tau: {low?, mid?, high?}");
	tau = json_node_get_object(tn);
	if (!commit_ok(c, o))
		return;
	json_builder_begin_object(b);
	for (int i = 0; i < 3; i++) {
		double v;
		int r = get_num(tau, bands[i], 0.005, 2.0, &v);
		if (r < 0)
			return feature_error(c, "set_smoothing: tau.%s must be a number in [0.005, 2.0]",
					bands[i]);
		if (r > 0) {
			add_num(b, props[i], v);
			n++;
		}
	}
	json_builder_end_object(b);
	if (n == 0)
		return feature_error(c, "set_smoothing: tau names no band");
	apply(c, b);
}

static void on_set_autoscale(struct web_client *c, JsonObject *o)
{
	static const struct { const char *k, *prop; double lo, hi; } f[] = {
		{ "tau_attack_s", "AutoscaleAttack", 0.001, 1 },
		{ "tau_release_s", "AutoscaleRelease", 5, 300 },
		{ "noise_floor", "NoiseFloor", 0, 0.1 },
		{ "strength", "Strength", 0, 1 },
	};
	g_autoptr(JsonBuilder) b = json_builder_new();
	int n = 0;

	if (!commit_ok(c, o))
		return;
	json_builder_begin_object(b);
	for (size_t i = 0; i < G_N_ELEMENTS(f); i++) {
		double v;
		int r = get_num(o, f[i].k, f[i].lo, f[i].hi, &v);
		if (r < 0)
			return feature_error(c, "set_autoscale: %s must be a number in [%g, %g]", f[i].k,
					f[i].lo, f[i].hi);
		if (r > 0) {
			add_num(b, f[i].prop, v);
			n++;
		}
	}
	json_builder_end_object(b);
	if (n == 0)
		return feature_error(c, "set_autoscale names no field");
	apply(c, b);
}

static void set_one_bool(struct web_client *c, JsonObject *o, const char *k, const char *prop)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	bool v;

	if (!get_bool(o, k, &v))
		return feature_error(c, "%s must be a boolean", k);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, prop);
	json_builder_add_boolean_value(b, v);
	json_builder_end_object(b);
	apply(c, b);
}

static void on_set_peak_smear(struct web_client *c, JsonObject *o)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	double v;

	if (get_num(o, "peak_smear_oct", 0, 3, &v) != 1)
		return feature_error(c, "set_fft_peak_smear: peak_smear_oct must be a number in [0, 3]");
	if (!commit_ok(c, o))
		return;
	json_builder_begin_object(b);
	add_num(b, "PeakSmear", v);
	json_builder_end_object(b);
	apply(c, b);
}

static void on_set_n_bins(struct web_client *c, JsonObject *o)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	double v;

	if (get_num(o, "n", 8, 1024, &v) != 1 || v != floor(v))
		return feature_error(c, "set_n_fft_bins: n must be an integer in [8, 1024]");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "FftBins");
	json_builder_add_int_value(b, (gint64)v);
	json_builder_end_object(b);
	apply(c, b);
}

static void on_set_snapshot_hz(struct web_client *c, JsonObject *o)
{
	struct web_feature *f = c->w->feature;
	double v;

	if (get_num(o, "hz", 15, 240, &v) != 1)
		return feature_error(c, "set_ws_snapshot_hz: hz must be a number in [15, 240]");
	if (!commit_ok(c, o))
		return;
	f->snapshot_hz = v;
	f->next_snap = web_now();
	g_source_set_ready_time(f->snap, (gint64)f->next_snap);
	feature_send_meta(c->w, NULL);
}

struct by_id { int64_t id; char *name; };

static void by_id_fn(void *data, uint32_t id, const char *name, const char *desc, const char *cls)
{
	struct by_id *d = data;

	if ((int64_t)id == d->id && (strstr(cls, "Audio/Source") || strstr(cls, "Audio/Sink")))
		d->name = g_strdup(name);
}

static void on_set_device(struct web_client *c, JsonObject *o)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct by_id d = { .id = -1 };
	double v;

	if (get_num(o, "index", 0, G_MAXUINT32, &v) != 1 || v != floor(v))
		return feature_error(c, "set_device: index must be a device index (see list_devices)");
	d.id = (int64_t)v;
	if (feature_each_device(c->w, by_id_fn, &d) < 0)
		return feature_error(c, "fohd is not running");
	if (d.name == NULL)
		return feature_error(c, "set_device: no audio device with index %" G_GINT64_FORMAT, d.id);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "Source");
	json_builder_add_string_value(b, d.name);
	json_builder_end_object(b);
	g_free(d.name);
	apply(c, b);
}

static bool preset_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 64 || strcmp(s, "main") == 0)
		return false;
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_- ") == n;
}

static void on_preset(struct web_client *c, JsonObject *o, bool save)
{
	JsonNode *n = json_object_get_member(o, "name");
	const char *name;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	int r;

	if (n == NULL || !JSON_NODE_HOLDS_VALUE(n) || json_node_get_value_type(n) != G_TYPE_STRING ||
	    !preset_name_ok(name = json_node_get_string(n)))
		return feature_error(c, "%s: name must be 1-64 of A-Z a-z 0-9 _ - and space (not \"main\")",
				save ? "save_preset" : "load_preset");
	if ((r = web_new_call(c->w, &m, ANALYZER, A_IFACE, save ? "SavePreset" : "LoadPreset")) >= 0 &&
	    (r = sd_bus_message_append(m, "s", name)) >= 0)
		r = web_call(c->w, m, &reply, &e);
	else
		r = web_call(c->w, NULL, NULL, &e);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	if (r < 0) {
		feature_error(c, "%s", e.message ? e.message : "refused");
	} else if (save) {
		feature_send_presets(c->w, NULL);
	} else {
		feature_send_meta(c->w, NULL);
	}
	sd_bus_error_free(&e);
}

void web_feature_message(struct web_client *c, GBytes *message)
{
	g_autoptr(JsonParser) p = json_parser_new();
	gsize n;
	const char *data = g_bytes_get_data(message, &n);
	JsonObject *o;
	const char *type;

	if (!json_parser_load_from_data(p, data, (gssize)n, NULL) ||
	    !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(p)))
		return feature_error(c, "not a JSON object");
	o = json_node_get_object(json_parser_get_root(p));
	type = json_object_get_string_member_with_default(o, "type", "");
	if (!c->w->fohd_up && strcmp(type, "set_ws_snapshot_hz") != 0)
		return feature_error(c, "fohd is not running; nothing was changed");
	if (strcmp(type, "set_fft") == 0)
		on_set_fft(c, o);
	else if (strcmp(type, "set_band") == 0)
		on_set_band(c, o);
	else if (strcmp(type, "set_smoothing") == 0)
		on_set_smoothing(c, o);
	else if (strcmp(type, "set_autoscale") == 0)
		on_set_autoscale(c, o);
	else if (strcmp(type, "set_fft_send_raw_db") == 0)
		set_one_bool(c, o, "send_raw_db", "RawDb");
	else if (strcmp(type, "set_fft_peak_smear") == 0)
		on_set_peak_smear(c, o);
	else if (strcmp(type, "set_n_fft_bins") == 0)
		on_set_n_bins(c, o);
	else if (strcmp(type, "set_ws_snapshot_hz") == 0)
		on_set_snapshot_hz(c, o);
	else if (strcmp(type, "set_device") == 0)
		on_set_device(c, o);
	else if (strcmp(type, "list_devices") == 0)
		feature_send_devices(c->w, c);
	else if (strcmp(type, "list_presets") == 0)
		feature_send_presets(c->w, c);
	else if (strcmp(type, "save_preset") == 0)
		on_preset(c, o, true);
	else if (strcmp(type, "load_preset") == 0)
		on_preset(c, o, false);
	else
		feature_error(c, "unknown message type \"%s\"", type);
}

