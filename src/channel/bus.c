/* org.foh.Foh1.Channel at /org/foh/Foh1/channel/N: every setting of a
 * channel strip as a read-write property, generated from the parameter
 * table of channel/settings.c (so D-Bus and foh.conf validate alike), the
 * meters as read-only properties, and the Levels signal. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus-params.h"
#include "core/bus.h"
#include "util/cleanup.h"
#include "util/log.h"

static const char *const meter_names[] = {
	"PeakDb", "RmsDb", "VuDb", "LufsMomentary", "LufsShortTerm", "GainReductionDb",
};

/* Meters never carry -inf over the bus: -120 dB stands for silence. */
static double floor_db(float v)
{
	return isfinite(v) && v > -120.0f ? (double)v : -120.0;
}

static void meter_values(const struct foh_strip_levels *l, double v[6])
{
	v[0] = floor_db(l->peak_db);
	v[1] = floor_db(l->rms_db);
	v[2] = floor_db(l->vu_db);
	v[3] = floor_db(l->lufs_m);
	v[4] = floor_db(l->lufs_s);
	v[5] = isfinite(l->gr_db) ? (double)l->gr_db : 0.0;
}

static struct foh_channel_settings *slot_settings(struct foh_channel_slot *slot)
{
	return &slot->daemon->conf->channel[slot->index - 1];
}

static int get_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;
	const struct foh_param *p = foh_params_find_property(foh_channel_params,
			foh_channel_n_params, property);

	if (p == NULL)
		return -ENOENT;
	return foh_bus_param_append(reply, p, slot_settings(slot));
}

/* An input or output must name a node PipeWire has, when we can know. */
static int check_target(struct foh_daemon *d, const char *name, sd_bus_error *error,
		const char *property)
{
	const struct foh_device *devs;
	size_t n;

	if (name[0] == '\0' || !foh_engine_connected(d->engine))
		return 0;
	devs = foh_engine_devices(d->engine, &n);
	for (size_t i = 0; i < n; i++)
		if (strcmp(devs[i].name, name) == 0)
			return 0;
	return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
			"%s: no PipeWire audio node is named \"%s\" (see fohctl devices)",
			property, name);
}

static int set_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;
	struct foh_channel_settings *cur = slot_settings(slot), next = *cur;
	const struct foh_param *p;
	int r;

	if ((r = foh_bus_param_read_named(value, foh_channel_params, foh_channel_n_params,
					property, &next, &p, error)) < 0)
		return r;
	if ((p->offset == offsetof(struct foh_channel_settings, input) ||
	     p->offset == offsetof(struct foh_channel_settings, output)) &&
	    (r = check_target(slot->daemon, (const char *)&next + p->offset, error, property)) < 0)
		return r;
	if (memcmp(&next, cur, sizeof(next)) == 0)
		return 0;
	if ((r = foh_daemon_check_save(slot->daemon, error)) < 0)
		return r;
	*cur = next;
	if ((r = foh_daemon_channel_changed(slot->daemon, slot->index,
					(p->flags & FOH_PARAM_STRUCTURAL) != 0)) < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
				"%s: applied, but the channel could not be rebuilt: %s",
				property, strerror(-r));
	foh_announce_channel(slot->daemon, slot->index, property);
	return 0;
}

static int get_meter(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;
	double v[6];

	meter_values(&slot->levels, v);
	for (size_t i = 0; i < FOH_ELEMENTSOF(meter_names); i++)
		if (strcmp(property, meter_names[i]) == 0)
			return sd_bus_message_append(reply, "d", v[i]);
	return -ENOENT;
}

static int get_index(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;

	return sd_bus_message_append(reply, "u", slot->index);
}

static int get_latency(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;

	return sd_bus_message_append(reply, "u", foh_channel_latency(slot->channel));
}

static int get_xruns(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;
	struct foh_channel_stats st;

	foh_channel_stats(slot->channel, &st);
	return sd_bus_message_append(reply, "t", (uint64_t)st.xruns);
}

static int get_leveler(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;

	if (strcmp(property, "LevelerGainDb") == 0)
		return sd_bus_message_append(reply, "d", (double)slot->levels.leveler_gain_db);
	return sd_bus_message_append(reply, "s",
			foh_leveler_state_str((enum foh_leveler_state)slot->levels.leveler_state));
}

static int get_content(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_channel_slot *slot = userdata;
	const struct foh_content_result *r = &slot->content;

	if (strcmp(property, "ContentClass") == 0)
		return sd_bus_message_append(reply, "s", foh_content_class_name(r->cls));
	if (strcmp(property, "ContentStyle") == 0)
		return sd_bus_message_append(reply, "s", r->style);
	return sd_bus_message_append(reply, "d", r->confidence);
}

static sd_bus_vtable *channel_vtable;

/* Built once from the parameter table; the table is static, so is this. */
static const sd_bus_vtable *build_vtable(void)
{
	static const sd_bus_vtable head[] = {
		SD_BUS_PROPERTY("Index", "u", get_index, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	};
	/* the meters change every cycle: read them or take Levels, no signal */
	static const sd_bus_vtable tail[] = {
		SD_BUS_PROPERTY("LatencyFrames", "u", get_latency, 0, 0),
		SD_BUS_PROPERTY("Xruns", "t", get_xruns, 0, 0),
		SD_BUS_PROPERTY("PeakDb", "d", get_meter, 0, 0),
		SD_BUS_PROPERTY("RmsDb", "d", get_meter, 0, 0),
		SD_BUS_PROPERTY("VuDb", "d", get_meter, 0, 0),
		SD_BUS_PROPERTY("LufsMomentary", "d", get_meter, 0, 0),
		SD_BUS_PROPERTY("LufsShortTerm", "d", get_meter, 0, 0),
		SD_BUS_PROPERTY("GainReductionDb", "d", get_meter, 0, 0),
		SD_BUS_PROPERTY("LevelerGainDb", "d", get_leveler, 0, 0),
		SD_BUS_PROPERTY("LevelerState", "s", get_leveler, 0, 0),
		/* what the content detector hears: "unknown" while it is off
		 * or has not heard enough; the confidence moves every 0.5 s,
		 * so only class and style changes are signalled */
		SD_BUS_PROPERTY("ContentClass", "s", get_content, 0,
				SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("ContentStyle", "s", get_content, 0,
				SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("ContentConfidence", "d", get_content, 0, 0),
		SD_BUS_SIGNAL_WITH_ARGS("ContentChanged",
				SD_BUS_ARGS("s", class, "s", style, "d", confidence), 0),
		SD_BUS_SIGNAL_WITH_ARGS("Levels",
				SD_BUS_ARGS("d", peak_db, "d", rms_db, "d", vu_db, "d", lufs_m,
					"d", lufs_s, "d", gain_reduction_db), 0),
		SD_BUS_VTABLE_END
	};

	if (channel_vtable == NULL)
		channel_vtable = foh_bus_params_build_vtable(head, FOH_ELEMENTSOF(head),
				foh_channel_params, foh_channel_n_params, get_setting, set_setting,
				tail, FOH_ELEMENTSOF(tail));
	return channel_vtable;
}

static char *slot_path(const struct foh_channel_slot *slot)
{
	char *path = NULL;

	if (asprintf(&path, FOH_CHANNEL_PATH_PREFIX "%u", slot->index) < 0)
		return NULL;
	return path;
}

int foh_bus_channel_add(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	const sd_bus_vtable *vtable = build_vtable();
	_cleanup_free_ char *path = slot_path(slot);
	int r;

	if (vtable == NULL || path == NULL)
		return -ENOMEM;
	r = sd_bus_add_object_vtable(d->bus, &slot->bus_slot, path, FOH_CHANNEL_INTERFACE,
			vtable, slot);
	if (r < 0)
		return r;
	(void)sd_bus_emit_object_added(d->bus, path);
	return 0;
}

void foh_bus_channel_remove(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	_cleanup_free_ char *path = slot_path(slot);

	if (slot->bus_slot == NULL)
		return;
	if (path != NULL)
		(void)sd_bus_emit_object_removed(d->bus, path);
	slot->bus_slot = sd_bus_slot_unref(slot->bus_slot);
}

void foh_bus_channel_emit_levels(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	_cleanup_free_ char *path = slot_path(slot);
	double v[6];

	if (path == NULL)
		return;
	meter_values(&slot->levels, v);
	(void)sd_bus_emit_signal(d->bus, path, FOH_CHANNEL_INTERFACE, "Levels", "dddddd",
			v[0], v[1], v[2], v[3], v[4], v[5]);
}

void foh_bus_channel_emit_content(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	_cleanup_free_ char *path = slot_path(slot);

	if (path == NULL)
		return;
	(void)sd_bus_emit_signal(d->bus, path, FOH_CHANNEL_INTERFACE, "ContentChanged", "ssd",
			foh_content_class_name(slot->content.cls), slot->content.style,
			slot->content.confidence);
}
