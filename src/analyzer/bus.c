/* org.foh.Foh1.Analyzer at /org/foh/Foh1/analyzer: the analyzer's settings
 * as properties generated from its table, band edges by SetBand, OSC
 * destinations, presets, the current values and diagnostics. Every change
 * is validated in full before it applies, then saved. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <spa/utils/defs.h>

#include "core/bus-params.h"
#include "core/bus.h"
#include "core/presets.h"
#include "util/cleanup.h"
#include "util/log.h"

static struct foh_analyzer_settings *settings(struct foh_daemon *d)
{
	return &d->conf->analyzer;
}

static int source_exists(struct foh_daemon *d, const char *source, sd_bus_error *error)
{
	const struct foh_device *devs;
	unsigned n;
	size_t count;

	if (source[0] == '\0')
		return 0;
	if (sscanf(source, "channel/%u", &n) == 1) {
		char back[32];
		snprintf(back, sizeof(back), "channel/%u", n);
		if (strcmp(back, source) == 0 && n >= 1 && n <= d->n_channels)
			return 0;
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"Source: \"%s\" is not a channel; channels are channel/1..channel/%u",
				source, d->n_channels);
	}
	if (!foh_engine_connected(d->engine))
		return 0;
	devs = foh_engine_devices(d->engine, &count);
	for (size_t i = 0; i < count; i++)
		if (strcmp(devs[i].name, source) == 0)
			return 0;
	return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
			"Source: no PipeWire audio node is named \"%s\" (see fohctl devices); "
			"use \"\" for the default source or channel/N", source);
}

/* Validates next as a whole; applies, saves and announces it. */
static int commit(struct foh_daemon *d, const struct foh_analyzer_settings *next,
		sd_bus_error *error, const char *what)
{
	struct foh_analyzer_settings prev = *settings(d);
	_cleanup_free_ char *why = NULL;
	int r;

	if (foh_analyzer_settings_check(next, foh_engine_sample_rate(d->engine), &why) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT, "%s: %s", what,
				why ? why : "invalid");
	if ((r = source_exists(d, next->source, error)) < 0)
		return r;
	if (memcmp(&prev, next, sizeof(prev)) == 0)
		return 0;
	if ((r = foh_daemon_check_save(d, error)) < 0)
		return r;
	*settings(d) = *next;
	return foh_daemon_analyzer_changed(d, &prev, true);
}

static int get_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	const struct foh_param *p = foh_params_find_property(foh_analyzer_params,
			foh_analyzer_n_params, property);

	return p ? foh_bus_param_append(reply, p, settings(d)) : -ENOENT;
}

static int set_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_analyzer_settings next = *settings(d);
	int r;

	if ((r = foh_bus_param_read_named(value, foh_analyzer_params, foh_analyzer_n_params,
					property, &next, NULL, error)) < 0)
		return r;
	return commit(d, &next, error, property);
}

static int get_bands(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	int r = sd_bus_message_open_container(reply, 'a', "(sdd)");

	for (int b = 0; r >= 0 && b < FOH_BAND_COUNT; b++)
		r = sd_bus_message_append(reply, "(sdd)", foh_band_names[b],
				settings(d)->band_lo[b], settings(d)->band_hi[b]);
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int get_destinations(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	g_auto(GStrv) list = g_strsplit(settings(d)->destinations, ",", -1);
	int r = sd_bus_message_open_container(reply, 'a', "s");

	for (size_t i = 0; r >= 0 && list[i] != NULL; i++) {
		const char *item = g_strstrip(list[i]);
		if (item[0] != '\0')
			r = sd_bus_message_append(reply, "s", item);
	}
	return r < 0 ? r : sd_bus_message_close_container(reply);
}

static int get_stat(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_analyzer_stats st;

	/* someone watches the live values: the analyzer runs for a while */
	foh_daemon_analyzer_watched(d);
	foh_analyzer_stats(d->analyzer, &st);
	if (strcmp(property, "Lmh") == 0)
		return sd_bus_message_append(reply, "(ddd)", (double)st.lmh[0], (double)st.lmh[1],
				(double)st.lmh[2]);
	if (strcmp(property, "Bpm") == 0)
		return sd_bus_message_append(reply, "d", (double)st.bpm);
	if (strcmp(property, "RingDrops") == 0)
		return sd_bus_message_append(reply, "t", st.ring_drops);
	if (strcmp(property, "OscSendFailures") == 0)
		return sd_bus_message_append(reply, "t", st.osc_failures);
	if (strcmp(property, "Blocks") == 0)
		return sd_bus_message_append(reply, "t", st.blocks);
	if (strcmp(property, "FftHops") == 0)
		return sd_bus_message_append(reply, "t", st.hops);
	if (strcmp(property, "LmhNsPerBlock") == 0)
		return sd_bus_message_append(reply, "d", st.lmh_ns_per_block);
	if (strcmp(property, "FftNsPerHop") == 0)
		return sd_bus_message_append(reply, "d", st.fft_ns_per_hop);
	return -ENOENT;
}

static int method_set_band(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_analyzer_settings next = *settings(d);
	const char *band;
	double lo, hi;
	int r, b;

	if ((r = sd_bus_message_read(m, "sdd", &band, &lo, &hi)) < 0)
		return r;
	for (b = 0; b < FOH_BAND_COUNT; b++)
		if (strcmp(band, foh_band_names[b]) == 0)
			break;
	if (b == FOH_BAND_COUNT)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"band: \"%s\" is not one of low, mid, high", band);
	next.band_lo[b] = lo;
	next.band_hi[b] = hi;
	if ((r = commit(d, &next, error, "SetBand")) < 0)
		return r;
	return sd_bus_reply_method_return(m, NULL);
}

static int set_destinations(struct foh_daemon *d, GPtrArray *list, sd_bus_error *error)
{
	struct foh_analyzer_settings next = *settings(d);
	g_autofree char *joined = NULL;

	g_ptr_array_add(list, NULL);
	joined = g_strjoinv(",", (char **)list->pdata);
	if (strlen(joined) >= sizeof(next.destinations))
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"too many destinations (at most %d)", FOH_ANALYZER_MAX_DESTINATIONS);
	snprintf(next.destinations, sizeof(next.destinations), "%s", joined);
	return commit(d, &next, error, "destination");
}

/* Destinations are matched by address: AddDestination of one that is
 * there already replaces its options ("127.0.0.1:9000 fft" after
 * "127.0.0.1:9000"), RemoveDestination takes an address with or without
 * options. A destination with the "web" option is foh-web's feed, on a
 * port it picks at each start: adding one replaces any other, so a killed
 * foh-web's entry goes when the next one registers, not 16 starts later
 * with AddDestination refused. */
static bool same_address(const char *item, const char *dest)
{
	size_t n = strcspn(item, " \t");

	return n == strcspn(dest, " \t") && strncmp(item, dest, n) == 0;
}

static bool is_web(const char *item)
{
	char host[64], port[8];
	unsigned options;

	return foh_osc_destination_split(item, host, port, &options) == 0 &&
		(options & FOH_OSC_DEST_WEB);
}

static int method_destination(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	bool add = strcmp(sd_bus_message_get_member(m), "AddDestination") == 0;
	g_auto(GStrv) cur = g_strsplit(settings(d)->destinations, ",", -1);
	g_autoptr(GPtrArray) list = g_ptr_array_new();
	char host[64], port[8], canon[128];
	const char *dest;
	unsigned options;
	bool found = false, web;
	int r;

	if ((r = sd_bus_message_read(m, "s", &dest)) < 0)
		return r;
	while (*dest == ' ' || *dest == '\t')
		dest++;
	if (strlen(dest) >= sizeof(canon) ||
	    foh_osc_destination_split(dest, host, port, &options) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"destination \"%s\" is not ip:port (numeric IPv4, or [IPv6]:port; "
				"port 1..65535), optionally followed by the options \"fft\", "
				"\"lmh-raw\", \"idle\" and \"web\"", dest);
	if (add && foh_osc_destination_special(host) != NULL)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"destination \"%s\" is %s: the features would go to no one or to "
				"everyone; name one receiver (or list it in foh.conf's [analyzer] "
				"destinations to mean it)", dest, foh_osc_destination_special(host));
	foh_osc_destination_format(dest, canon, sizeof(canon));
	web = add && (options & FOH_OSC_DEST_WEB);
	for (size_t i = 0; cur[i] != NULL; i++) {
		char *item = g_strstrip(cur[i]);
		if (item[0] == '\0')
			continue;
		if (web && !same_address(item, canon) && is_web(item))
			continue;	/* an earlier foh-web's */
		if (same_address(item, canon)) {
			if (found || !add) {
				found = true;
				continue;
			}
			found = true;
			item = canon;
		}
		g_ptr_array_add(list, item);
	}
	if (!add && !found)
		return sd_bus_error_setf(error, FOH_ERROR_NOT_FOUND,
				"%s is not a destination", dest);
	if (add && !found)
		g_ptr_array_add(list, canon);
	if ((r = set_destinations(d, list, error)) < 0)
		return r;
	foh_announce_analyzer(d, "Destinations");
	return sd_bus_reply_method_return(m, NULL);
}

static int preset_error(sd_bus_error *error, int res, const char *name, const char *why,
		bool saving)
{
	if (saving && res == -EDQUOT)
		return sd_bus_error_setf(error, FOH_ERROR_LIMIT_REACHED,
				"there are %d analyzer presets already, the most there can be; "
				"delete one or save over one", FOH_PRESETS_MAX);
	if (saving && res != -EINVAL) {
		g_autofree char *dir = foh_preset_dir();

		return sd_bus_error_setf(error, FOH_ERROR_CANNOT_SAVE,
				"preset \"%s\" cannot be saved in %s: %s", name,
				dir ? dir : "the presets directory", strerror(-res));
	}
	if (res == -ENOENT)
		return sd_bus_error_setf(error, FOH_ERROR_NOT_FOUND, "no preset named \"%s\"", name);
	if (res == -EINVAL)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT, "preset: %s",
				why ? why : "invalid");
	return sd_bus_error_set_errno(error, res);
}

static int method_preset(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	const char *member = sd_bus_message_get_member(m), *name;
	g_autofree char *why = NULL;
	int r;

	if ((r = sd_bus_message_read(m, "s", &name)) < 0)
		return r;
	if ((r = foh_preset_check_name(name, &why)) < 0)
		return preset_error(error, r, name, why, false);
	if (strcmp(member, "SavePreset") == 0) {
		r = foh_preset_save("analyzer", name, foh_analyzer_params, foh_analyzer_n_params,
				settings(d));
	} else if (strcmp(member, "DeletePreset") == 0) {
		r = foh_preset_delete("analyzer", name);
	} else {
		struct foh_analyzer_settings next = *settings(d);
		r = foh_preset_load("analyzer", name, foh_analyzer_params, foh_analyzer_n_params,
				&next, &why);
		if (r >= 0 && (r = commit(d, &next, error, "LoadPreset")) < 0)
			return r;
	}
	if (r < 0)
		return preset_error(error, r, name, why, strcmp(member, "SavePreset") == 0);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_list_presets(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_auto(GStrv) names = foh_preset_list("analyzer");
	sd_bus_message *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0)
		return r;
	if ((r = sd_bus_message_append_strv(reply, names)) >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int method_list_preset_times(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_auto(GStrv) names = foh_preset_list("analyzer");
	sd_bus_message *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "(sx)");
	for (size_t i = 0; r >= 0 && names[i] != NULL; i++) {
		int64_t t = foh_preset_saved_at("analyzer", names[i]);
		if (t >= 0)	/* deleted since it was listed: left out */
			r = sd_bus_message_append(reply, "(sx)", names[i], t);
	}
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static sd_bus_vtable *analyzer_vtable;

static const sd_bus_vtable *build_vtable(void)
{
	static const sd_bus_vtable tail[] = {
		SD_BUS_PROPERTY("Bands", "a(sdd)", get_bands, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("Destinations", "as", get_destinations, 0,
				SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("Lmh", "(ddd)", get_stat, 0, 0),
		SD_BUS_PROPERTY("Bpm", "d", get_stat, 0, 0),
		SD_BUS_PROPERTY("Blocks", "t", get_stat, 0, 0),
		SD_BUS_PROPERTY("FftHops", "t", get_stat, 0, 0),
		SD_BUS_PROPERTY("RingDrops", "t", get_stat, 0, 0),
		SD_BUS_PROPERTY("OscSendFailures", "t", get_stat, 0, 0),
		SD_BUS_PROPERTY("LmhNsPerBlock", "d", get_stat, 0, 0),
		SD_BUS_PROPERTY("FftNsPerHop", "d", get_stat, 0, 0),
		SD_BUS_METHOD_WITH_ARGS("SetBand", SD_BUS_ARGS("s", band, "d", lo_hz, "d", hi_hz),
				SD_BUS_NO_RESULT, method_set_band, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("AddDestination", SD_BUS_ARGS("s", destination),
				SD_BUS_NO_RESULT, method_destination, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("RemoveDestination", SD_BUS_ARGS("s", destination),
				SD_BUS_NO_RESULT, method_destination, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("SavePreset", SD_BUS_ARGS("s", name),
				SD_BUS_NO_RESULT, method_preset, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("LoadPreset", SD_BUS_ARGS("s", name),
				SD_BUS_NO_RESULT, method_preset, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("DeletePreset", SD_BUS_ARGS("s", name),
				SD_BUS_NO_RESULT, method_preset, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("ListPresets", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", names),
				method_list_presets, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("ListPresetTimes", SD_BUS_NO_ARGS,
				SD_BUS_RESULT("a(sx)", presets), method_list_preset_times,
				SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_VTABLE_END
	};
	if (analyzer_vtable == NULL)
		analyzer_vtable = foh_bus_params_build_vtable(NULL, 0, foh_analyzer_params,
				foh_analyzer_n_params, get_setting, set_setting, tail,
				SPA_N_ELEMENTS(tail));
	return analyzer_vtable;
}

int foh_bus_analyzer_register(struct foh_daemon *d)
{
	const sd_bus_vtable *v = build_vtable();

	if (v == NULL)
		return -ENOMEM;
	return sd_bus_add_object_vtable(d->bus, &d->analyzer_slot, FOH_ANALYZER_PATH,
			FOH_ANALYZER_INTERFACE, v, d);
}
