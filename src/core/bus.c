/* org.foh.Foh1.Manager at /org/foh/Foh1: daemon status (version, graph
 * clock, uptime, xruns, CPU load, PipeWire connection, channels), Reload,
 * SelfCheck and ListDevices; and foh_bus_hooks, the D-Bus side of the
 * model's hooks (core/bus.h). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <glib.h>

#include "foh-config.h"
#include "core/bus.h"
#include "util/cleanup.h"
#include "util/log.h"

static uint64_t now_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int property_get_sample_rate(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "u", foh_engine_sample_rate(d->engine));
}

static int property_get_quantum(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "u", foh_engine_quantum(d->engine));
}

static int property_get_uptime(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "t", now_usec() - d->start_usec);
}

static int property_get_xruns(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "t", foh_daemon_xruns(d));
}

static int property_get_cpu_load(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "d", d->cpu_load);
}

static int property_get_connected(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "b", foh_engine_connected(d->engine));
}

static int property_get_channels(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	int r = sd_bus_message_open_container(reply, 'a', "o");

	for (uint32_t i = 0; r >= 0 && i < d->n_channels; i++) {
		char obj[64];
		snprintf(obj, sizeof(obj), FOH_CHANNEL_PATH_PREFIX "%u", i + 1);
		r = sd_bus_message_append(reply, "o", obj);
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

/* Mission Control's logical -> physical map: each channel's input and
 * output node ("" = a virtual sink / the default sink) and its own xruns. */
static int property_get_channel_map(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	int r = sd_bus_message_open_container(reply, 'a', "(usssst)");

	for (uint32_t i = 0; r >= 0 && i < d->n_channels; i++) {
		const struct foh_channel_settings *s = &d->conf->channel[i];
		struct foh_channel_stats st;
		foh_channel_stats(d->channels[i]->channel, &st);
		r = sd_bus_message_append(reply, "(usssst)", i + 1, s->name, s->input, s->output,
				foh_channel_is_connected(d->channels[i]->channel) ?
				"connected" : "disconnected", (uint64_t)st.xruns);
	}
	if (r < 0)
		return r;
	return sd_bus_message_close_container(reply);
}

static int property_get_log_level(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "s", foh_log_level_to_string(d->conf->log_level));
}

static int property_get_config_path(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "s", d->conf->path ? d->conf->path : "");
}

static int property_get_unsaved(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "b", d->unsaved);
}

static int method_reload(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	g_autofree char *reason = NULL;

	if (foh_daemon_reload(d, &reason) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_CONFIG, "%s", reason);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_self_check(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	_cleanup_free_ char *report = NULL;
	bool passed = foh_daemon_self_check(d, &report);

	if (report == NULL)
		return -ENOMEM;
	return sd_bus_reply_method_return(m, "bs", passed, report);
}

static int method_play_test_tone(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	uint32_t channel, rate = foh_engine_sample_rate(d->engine);
	double hz, seconds, level;
	int r;

	if ((r = sd_bus_message_read(m, "uddd", &channel, &hz, &seconds, &level)) < 0)
		return r;
	if (channel < 1 || channel > d->n_channels)
		return sd_bus_error_setf(error, FOH_ERROR_NOT_FOUND,
				"channel %u does not exist; channels are 1..%u", channel, d->n_channels);
	if (!(hz >= 20.0 && hz <= 20000.0) || (rate > 0 && hz >= 0.45 * rate))
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"hz: %g is out of range; allowed range is [20, %g] Hz", hz,
				rate > 0 && 0.45 * rate < 20000.0 ? 0.45 * rate : 20000.0);
	if (!(seconds > 0.0 && seconds <= 60.0))
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"seconds: %g is out of range; allowed range is (0, 60]", seconds);
	if (!(level >= -60.0 && level <= 0.0))
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"level_dbfs: %g is out of range; allowed range is [-60, 0] dBFS", level);
	r = foh_channel_play_tone(d->channels[channel - 1]->channel, hz, seconds, level);
	if (r == -ENOTCONN)
		return sd_bus_error_setf(error, FOH_ERROR_NOT_CONNECTED,
				"channel %u is not in the graph (is PipeWire running?)", channel);
	if (r < 0)
		return sd_bus_error_set_errno(error, r);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_list_devices(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	sd_bus_message *reply = NULL;
	const struct foh_device *devs;
	size_t n;
	int r;

	if (!foh_engine_connected(d->engine))
		return sd_bus_error_setf(error, FOH_ERROR_NOT_CONNECTED,
				"PipeWire is not running; fohd will reconnect when it is back");
	devs = foh_engine_devices(d->engine, &n);
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "(usss)");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sd_bus_message_append(reply, "(usss)", devs[i].id, devs[i].name,
				devs[i].description, devs[i].media_class);
	if (r >= 0)
		r = sd_bus_message_close_container(reply);
	if (r >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int property_get_version(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	return sd_bus_message_append(reply, "s", FOH_VERSION);
}

static const sd_bus_vtable manager_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("Version", "s", property_get_version, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_PROPERTY("SampleRate", "u", property_get_sample_rate, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Quantum", "u", property_get_quantum, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	/* Uptime, Xruns and CpuLoad change all the time: read them, no signal. */
	SD_BUS_PROPERTY("Uptime", "t", property_get_uptime, 0, 0),
	SD_BUS_PROPERTY("Xruns", "t", property_get_xruns, 0, 0),
	SD_BUS_PROPERTY("CpuLoad", "d", property_get_cpu_load, 0, 0),
	SD_BUS_PROPERTY("PipeWireConnected", "b", property_get_connected, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Channels", "ao", property_get_channels, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	/* per-channel xruns change all the time: read it, no signal */
	SD_BUS_PROPERTY("ChannelMap", "a(usssst)", property_get_channel_map, 0, 0),
	SD_BUS_PROPERTY("LogLevel", "s", property_get_log_level, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ConfigPath", "s", property_get_config_path, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("UnsavedChanges", "b", property_get_unsaved, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_SIGNAL_WITH_ARGS("SaveFailed", SD_BUS_ARGS("s", reason), 0),
	SD_BUS_METHOD_WITH_ARGS("Reload", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT,
			method_reload, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SelfCheck", SD_BUS_NO_ARGS,
			SD_BUS_RESULT("b", passed, "s", report),
			method_self_check, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("PlayTestTone",
			SD_BUS_ARGS("u", channel, "d", hz, "d", seconds, "d", level_dbfs),
			SD_BUS_NO_RESULT, method_play_test_tone, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListDevices", SD_BUS_NO_ARGS,
			SD_BUS_RESULT("a(usss)", devices),
			method_list_devices, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int foh_bus_manager_register(struct foh_daemon *d)
{
	return sd_bus_add_object_vtable(d->bus, &d->manager_slot, FOH_OBJECT_PATH,
			FOH_MANAGER_INTERFACE, manager_vtable, d);
}

void foh_bus_manager_save_failed(struct foh_daemon *d, const char *reason)
{
	int r = sd_bus_emit_signal(d->bus, FOH_OBJECT_PATH, FOH_MANAGER_INTERFACE, "SaveFailed",
			"s", reason);

	if (r < 0)
		foh_warn("cannot emit SaveFailed: %s", strerror(-r));
}

void foh_bus_emit_changed(struct foh_daemon *d, const char *path, const char *interface,
		const char *const *properties)
{
	int r = sd_bus_emit_properties_changed_strv(d->bus, path, interface,
			(char **)properties);

	if (r < 0)
		foh_warn("cannot emit PropertiesChanged on %s: %s", path, strerror(-r));
}

const struct foh_daemon_hooks foh_bus_hooks = {
	.changed = foh_bus_emit_changed,
	.channel_added = foh_bus_channel_add,
	.channel_removed = foh_bus_channel_remove,
	.channel_levels = foh_bus_channel_emit_levels,
	.content_changed = foh_bus_channel_emit_content,
	.content_learned = foh_bus_content_learned,
	.deck_added = foh_bus_deck_add,
	.mixer_added = foh_bus_mixer_register,
	.deck_loaded = foh_bus_deck_loaded,
	.save_failed = foh_bus_manager_save_failed,
};
