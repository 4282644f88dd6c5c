/* The feature-server personality: the seed's WebSocket protocol on
 * ws://127.0.0.1:8765 ([compat] feature-server = true), over fohd's
 * analyzer.
 *
 * Out: meta (on connect and after every change, from the Analyzer's and
 * Manager's properties), snapshot at ws_snapshot_hz (the last /audio/lmh,
 * and as low_raw/mid_raw/high_raw the last /audio/lmh_raw: the smoothed RMS
 * before the auto-scaler, which foh-web's destination asks for while a
 * client is connected), binary FFT frames (events.c builds them from
 * /audio/fft, byte for byte the same floats; they reach foh-web's own
 * destination only), devices, presets (saved_at from ListPresetTimes),
 * server_status at 2 Hz, error {reason}.
 * In: set_fft → FftEnabled (the FFT worker; never SendFft, which is the
 * other OSC destinations'),
 * set_band → SetBand, set_smoothing tau.X → XRelease, set_autoscale →
 * AutoscaleAttack/AutoscaleRelease/NoiseFloor/Strength, set_fft_send_raw_db
 * → RawDb, set_fft_peak_smear → PeakSmear, set_n_fft_bins → FftBins,
 * set_device → Source (the device's node name), list_devices →
 * Manager.ListDevices, list_presets/save_preset/load_preset → the
 * Analyzer's presets, set_ws_snapshot_hz (foh-web's own). Every message is
 * checked against the seed's ranges before anything is sent to fohd, and a
 * message that sets several properties sets all or none. fohd persists
 * every change itself, debounced and atomically, so `commit` only needs to
 * be a boolean. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "foh-web/feature.h"
#include "util/log.h"

#define STATUS_USEC 500000ULL	/* server_status at 2 Hz */

static bool has_clients(struct web *w)
{
	for (guint i = 0; i < w->clients->len; i++)
		if (((struct web_client *)w->clients->pdata[i])->kind == WEB_FEATURE)
			return true;
	return false;
}

static void to_all(struct web *w, JsonBuilder *b, struct web_client *only)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);
	g_autofree char *text = web_json_string(node);
	g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text) + 1);
	g_autoptr(GPtrArray) list = g_ptr_array_copy(w->clients, NULL, NULL);

	if (only)
		return web_client_send(only, bytes, false);
	for (guint i = 0; i < list->len; i++) {
		struct web_client *c = list->pdata[i];
		if (c->kind == WEB_FEATURE)
			web_client_send(c, bytes, false);
	}
}

void feature_error(struct web_client *c, const char *fmt, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *reason = NULL;
	va_list ap;

	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	c->w->stats.refused_message++;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "error");
	json_builder_set_member_name(b, "reason");
	json_builder_add_string_value(b, reason);
	json_builder_end_object(b);
	to_all(c->w, b, c);
}

/* meta */

static void set_num(JsonBuilder *b, const char *name, JsonObject *o, const char *prop, double def)
{
	JsonNode *n = o ? json_object_get_member(o, prop) : NULL;

	json_builder_set_member_name(b, name);
	json_builder_add_double_value(b, n && JSON_NODE_HOLDS_VALUE(n) ? json_node_get_double(n) : def);
}

JsonNode *feature_props(struct web *w, const char *path, const char *iface)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	int r;

	r = web_get_all(w, path, iface, &reply, &e);
	sd_bus_error_free(&e);
	if (r < 0)
		return NULL;
	r = web_json_read_props(reply, b);
	sd_bus_message_unref(reply);
	return r < 0 ? NULL : json_builder_get_root(b);
}

static int32_t device_id(struct web *w, const char *node_name, char **desc);

void feature_send_meta(struct web *w, struct web_client *only)
{
	static const char *const bands[] = { "low", "mid", "high" };
	static const char *const release[] = { "LowRelease", "MidRelease", "HighRelease" };
	g_autoptr(JsonNode) an = feature_props(w, ANALYZER, A_IFACE);
	g_autoptr(JsonNode) mn = feature_props(w, FOH_ROOT, FOH_IFACE("Manager"));
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *desc = NULL;
	JsonObject *a, *m;
	JsonArray *edges;
	const char *source;
	double sr;

	if (an == NULL || mn == NULL)
		return;
	a = json_node_get_object(an);
	m = json_node_get_object(mn);
	sr = json_object_get_int_member_with_default(m, "SampleRate", 48000);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "meta");
	json_builder_set_member_name(b, "sr");
	json_builder_add_int_value(b, w->meta_sr > 0 ? w->meta_sr : (gint64)sr);
	json_builder_set_member_name(b, "blocksize");
	json_builder_add_int_value(b, w->meta_block > 0 ? w->meta_block : 256);
	json_builder_set_member_name(b, "n_fft_bins");
	json_builder_add_int_value(b, json_object_get_int_member_with_default(a, "FftBins", 128));
	json_builder_set_member_name(b, "bands");
	json_builder_begin_object(b);
	edges = json_object_has_member(a, "Bands") ? json_object_get_array_member(a, "Bands") : NULL;
	for (guint i = 0; edges && i < json_array_get_length(edges); i++) {
		JsonArray *e = json_array_get_array_element(edges, i);
		if (json_array_get_length(e) != 3)
			continue;
		json_builder_set_member_name(b, json_array_get_string_element(e, 0));
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "lo_hz");
		json_builder_add_double_value(b, json_array_get_double_element(e, 1));
		json_builder_set_member_name(b, "hi_hz");
		json_builder_add_double_value(b, json_array_get_double_element(e, 2));
		json_builder_end_object(b);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "fft_enabled");
	json_builder_add_boolean_value(b, json_object_get_boolean_member_with_default(a, "FftEnabled",
			FALSE));
	json_builder_set_member_name(b, "fft_db_floor");
	json_builder_add_double_value(b, -90.0);
	json_builder_set_member_name(b, "fft_db_ceiling");
	json_builder_add_double_value(b, -10.0);
	set_num(b, "fft_f_min", a, "FftMinHz", 30.0);
	json_builder_set_member_name(b, "fft_send_raw_db");
	json_builder_add_boolean_value(b, json_object_get_boolean_member_with_default(a, "RawDb",
			FALSE));
	set_num(b, "fft_peak_smear_oct", a, "PeakSmear", 0.3);
	json_builder_set_member_name(b, "tau");
	json_builder_begin_object(b);
	for (int i = 0; i < 3; i++)
		set_num(b, bands[i], a, release[i], 0.1);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "autoscale");
	json_builder_begin_object(b);
	set_num(b, "tau_attack_s", a, "AutoscaleAttack", 0.255);
	set_num(b, "tau_release_s", a, "AutoscaleRelease", 30);
	set_num(b, "noise_floor", a, "NoiseFloor", 3.2e-5);
	set_num(b, "strength", a, "Strength", 0.7);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "ws_snapshot_hz");
	json_builder_add_double_value(b, w->feature->snapshot_hz);
	source = json_object_get_string_member_with_default(a, "Source", "");
	json_builder_set_member_name(b, "device");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "index");
	json_builder_add_int_value(b, device_id(w, source, &desc));
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, desc ? desc : source);
	json_builder_end_object(b);
	json_builder_end_object(b);
	to_all(w, b, only);
}

static gboolean meta_idle(gpointer data)
{
	struct web *w = data;

	w->feature->meta_idle = 0;
	if (has_clients(w))
		feature_send_meta(w, NULL);
	return G_SOURCE_REMOVE;
}

/* A burst of PropertiesChanged becomes one meta. */
void web_feature_meta(struct web *w)
{
	if (w->feature && w->feature->meta_idle == 0)
		w->feature->meta_idle = g_timeout_add(20, meta_idle, w);
}

void web_feature_properties(struct web *w, const char *path)
{
	if (strcmp(path, ANALYZER) == 0)
		web_feature_meta(w);
}

/* devices and presets */


int feature_each_device(struct web *w, device_fn fn, void *data)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	const char *name, *desc, *cls;
	uint32_t id;
	int r;

	if ((r = web_new_call(w, &m, FOH_ROOT, FOH_IFACE("Manager"), "ListDevices")) >= 0)
		r = web_call(w, m, &reply, &e);
	sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	if (r < 0)
		return r;
	if ((r = sd_bus_message_enter_container(reply, 'a', "(usss)")) >= 0)
		while (sd_bus_message_read(reply, "(usss)", &id, &name, &desc, &cls) > 0)
			fn(data, id, name, desc, cls);
	sd_bus_message_unref(reply);
	return r;
}

struct find { const char *name; int32_t id; char *desc; };

static void find_fn(void *data, uint32_t id, const char *name, const char *desc, const char *cls)
{
	struct find *f = data;

	if (f->name && strcmp(f->name, name) == 0) {
		f->id = (int32_t)id;
		f->desc = g_strdup(desc);
	}
}

static int32_t device_id(struct web *w, const char *node_name, char **desc)
{
	struct find f = { .name = node_name, .id = -1 };

	if (node_name[0] != '\0')
		(void)feature_each_device(w, find_fn, &f);
	*desc = f.desc;
	return f.id;
}

struct devs { JsonBuilder *b; gint64 sr; };

static void device_fn_json(void *data, uint32_t id, const char *name, const char *desc,
		const char *cls)
{
	struct devs *d = data;
	JsonBuilder *b = d->b;

	if (strstr(cls, "Audio/Source") == NULL && strstr(cls, "Audio/Sink") == NULL)
		return;
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "index");
	json_builder_add_int_value(b, id);
	json_builder_set_member_name(b, "name");
	json_builder_add_string_value(b, desc[0] ? desc : name);
	json_builder_set_member_name(b, "hostapi");
	json_builder_add_string_value(b, "PipeWire");
	json_builder_set_member_name(b, "node_name");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "media_class");
	json_builder_add_string_value(b, cls);
	json_builder_set_member_name(b, "default_samplerate");
	json_builder_add_int_value(b, d->sr);
	json_builder_set_member_name(b, "max_input_channels");
	/* a sink's monitor is a capture source too (loopback capture) */
	json_builder_add_int_value(b, 2);
	json_builder_end_object(b);
}

void feature_send_devices(struct web *w, struct web_client *only)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	struct devs d = { b, w->meta_sr > 0 ? w->meta_sr : 48000 };

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "devices");
	json_builder_set_member_name(b, "items");
	json_builder_begin_array(b);
	if (feature_each_device(w, device_fn_json, &d) < 0) {
		json_builder_end_array(b);
		json_builder_end_object(b);
		return;
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	to_all(w, b, only);
}

struct preset { char *name; char saved_at[32]; };

static void preset_clear(gpointer p)
{
	g_free(((struct preset *)p)->name);
}

/* Newest first, as the seed lists them (its sort on the saved_at text). */
static gint newest_first(gconstpointer a, gconstpointer b)
{
	return strcmp(((const struct preset *)b)->saved_at, ((const struct preset *)a)->saved_at);
}

/* items: [{name, saved_at}], saved_at being the preset file's modification
 * time in the seed's format, local time "%Y-%m-%d %H:%M". */
void feature_send_presets(struct web *w, struct web_client *only)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GArray) list = g_array_new(FALSE, TRUE, sizeof(struct preset));
	const char *name;
	int64_t t;
	int r;

	g_array_set_clear_func(list, preset_clear);
	if ((r = web_new_call(w, &m, ANALYZER, A_IFACE, "ListPresetTimes")) >= 0)
		r = web_call(w, m, &reply, &e);
	sd_bus_message_unref(m);
	sd_bus_error_free(&e);
	if (r < 0)
		return;
	if (sd_bus_message_enter_container(reply, 'a', "(sx)") >= 0)
		while (sd_bus_message_read(reply, "(sx)", &name, &t) > 0) {
			struct preset p = { g_strdup(name), "" };
			g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(t);
			g_autofree char *text = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M") : NULL;

			snprintf(p.saved_at, sizeof(p.saved_at), "%s", text ? text : "");
			g_array_append_val(list, p);
		}
	sd_bus_message_unref(reply);
	g_array_sort(list, newest_first);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "presets");
	json_builder_set_member_name(b, "items");
	json_builder_begin_array(b);
	for (guint i = 0; i < list->len; i++) {
		const struct preset *p = &g_array_index(list, struct preset, i);

		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, p->name);
		json_builder_set_member_name(b, "saved_at");
		json_builder_add_string_value(b, p->saved_at);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	to_all(w, b, only);
}

/* snapshot and server_status */

static void send_snapshot(struct web *w)
{
	struct web_feature *f = w->feature;
	char text[320];
	uint64_t t0 = web_now();
	double now = (double)g_get_real_time() / 1e6;

	snprintf(text, sizeof(text), "{\"type\":\"snapshot\",\"seq\":%" G_GUINT64_FORMAT ","
			"\"low\":%.6g,\"mid\":%.6g,\"high\":%.6g,\"low_raw\":%.6g,\"mid_raw\":%.6g,"
			"\"high_raw\":%.6g,\"t\":%.6f}", f->seq++, w->lmh[0], w->lmh[1], w->lmh[2],
			w->lmh_raw[0], w->lmh_raw[1], w->lmh_raw[2], now);
	{
		g_autoptr(GBytes) bytes = g_bytes_new(text, strlen(text) + 1);
		g_autoptr(GPtrArray) list = g_ptr_array_copy(w->clients, NULL, NULL);
		for (guint i = 0; i < list->len; i++) {
			struct web_client *c = list->pdata[i];
			if (c->kind == WEB_FEATURE)
				web_client_send(c, bytes, false);
		}
	}
	f->ws_ms_sum += (double)(web_now() - t0) / 1000.0;
	f->ws_n++;
}

static gboolean snap_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct web *w = data;
	struct web_feature *f = w->feature;
	uint64_t period = (uint64_t)(1e6 / f->snapshot_hz), now = web_now();

	if (w->fohd_up && has_clients(w))
		send_snapshot(w);
	f->next_snap += period;
	if (f->next_snap < now)		/* fell behind: do not burst to catch up */
		f->next_snap = now + period;
	g_source_set_ready_time(s, (gint64)f->next_snap);
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs snap_funcs = { .dispatch = snap_dispatch };

static void stage(JsonBuilder *b, const char *name, double avg_ms, double period_ms)
{
	json_builder_set_member_name(b, name);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "avg_ms");
	json_builder_add_double_value(b, avg_ms);
	json_builder_set_member_name(b, "p95_ms");
	json_builder_add_double_value(b, avg_ms);
	json_builder_set_member_name(b, "load_pct");
	json_builder_add_double_value(b, period_ms > 0 ? 100.0 * avg_ms / period_ms : 0.0);
	json_builder_end_object(b);
}

static gboolean on_status(gpointer data)
{
	struct web *w = data;
	struct web_feature *f = w->feature;
	g_autoptr(JsonNode) an = NULL, mn = NULL;
	g_autoptr(JsonBuilder) b = NULL;
	JsonObject *a, *m;
	double sr, block_ms, hop_ms, ws_ms;

	if (!w->fohd_up || !has_clients(w))
		return G_SOURCE_CONTINUE;
	an = feature_props(w, ANALYZER, A_IFACE);
	mn = feature_props(w, FOH_ROOT, FOH_IFACE("Manager"));
	if (an == NULL || mn == NULL)
		return G_SOURCE_CONTINUE;
	a = json_node_get_object(an);
	m = json_node_get_object(mn);
	sr = (double)json_object_get_int_member_with_default(m, "SampleRate", 48000);
	block_ms = 1000.0 * (w->meta_block > 0 ? w->meta_block : 256) / sr;
	hop_ms = 1000.0 * (double)json_object_get_int_member_with_default(a, "FftHop", 512) / sr;
	ws_ms = 1000.0 / f->snapshot_hz;
	b = json_builder_new();
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "server_status");
	json_builder_set_member_name(b, "cb_overruns");
	json_builder_add_int_value(b, json_object_get_int_member_with_default(m, "Xruns", 0));
	json_builder_set_member_name(b, "dsp_drops");
	json_builder_add_int_value(b, json_object_get_int_member_with_default(a, "RingDrops", 0));
	json_builder_set_member_name(b, "fft_drops");
	json_builder_add_int_value(b, 0);
	json_builder_set_member_name(b, "perf");
	json_builder_begin_object(b);
	stage(b, "cb", 0.0, block_ms);
	stage(b, "dsp", json_object_get_double_member_with_default(a, "LmhNsPerBlock", 0) / 1e6,
			block_ms);
	stage(b, "fft", json_object_get_double_member_with_default(a, "FftNsPerHop", 0) / 1e6,
			hop_ms);
	stage(b, "ws", f->ws_n ? f->ws_ms_sum / (double)f->ws_n : 0.0, ws_ms);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "block_period_ms");
	json_builder_add_double_value(b, block_ms);
	json_builder_set_member_name(b, "hop_period_ms");
	json_builder_add_double_value(b, hop_ms);
	json_builder_set_member_name(b, "ws_period_ms");
	json_builder_add_double_value(b, ws_ms);
	json_builder_end_object(b);
	f->ws_ms_sum = 0;
	f->ws_n = 0;
	to_all(w, b, NULL);
	return G_SOURCE_CONTINUE;
}

/* feed from events.c */

void web_feature_fft(struct web *w, GBytes *frame)
{
	g_autoptr(GPtrArray) list = NULL;

	if (w->feature == NULL)
		return;
	list = g_ptr_array_copy(w->clients, NULL, NULL);
	for (guint i = 0; i < list->len; i++) {
		struct web_client *c = list->pdata[i];
		if (c->kind == WEB_FEATURE)
			web_client_send(c, frame, true);
	}
}

static void feature_ws(SoupServer *s, SoupServerMessage *msg, const char *path,
		SoupWebsocketConnection *conn, gpointer data)
{
	struct web *w = data;
	struct web_client *c = web_client_new(w, msg, conn, WEB_FEATURE);

	if (c == NULL)
		return;
	if (!w->fohd_up) {
		feature_error(c, "fohd is not running; meta follows when it returns");
		w->stats.refused_message--;	/* not the client's fault */
		return;
	}
	feature_send_meta(w, c);
	feature_send_devices(w, c);
	feature_send_presets(w, c);
}

int web_feature_start(struct web *w, SoupServer *s)
{
	struct web_feature *f = g_new0(struct web_feature, 1);

	f->w = w;
	f->snapshot_hz = 60.0;
	f->snap = g_source_new(&snap_funcs, sizeof(GSource));
	g_source_set_callback(f->snap, NULL, w, NULL);
	g_source_set_name(f->snap, "feature-snapshot");
	f->next_snap = web_now() + 1000;
	g_source_set_ready_time(f->snap, (gint64)f->next_snap);
	g_source_set_priority(f->snap, G_PRIORITY_HIGH);
	g_source_attach(f->snap, NULL);
	f->status_id = g_timeout_add(STATUS_USEC / 1000, on_status, w);
	w->feature = f;
	/* the seed serves the protocol on any path of its port */
	soup_server_add_websocket_handler(s, NULL, NULL, NULL, feature_ws, w, NULL);
	return 0;
}

void web_feature_stop(struct web *w)
{
	struct web_feature *f = w->feature;

	if (f == NULL)
		return;
	g_source_destroy(f->snap);
	g_source_unref(f->snap);
	if (f->status_id)
		g_source_remove(f->status_id);
	if (f->meta_idle)
		g_source_remove(f->meta_idle);
	g_free(f);
	w->feature = NULL;
}
