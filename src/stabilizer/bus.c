/* org.foh.Foh1.Stabilizer at /org/foh/Foh1/stabilizer: the level
 * stabilizer's settings as properties generated from its table (the loop's
 * knobs plus Enabled, Source, Output, Mode, MeterPoint), its state and
 * readings, and SetFader (a manual move that pauses the loop). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus-params.h"
#include "core/bus.h"
#include "util/cleanup.h"

static struct foh_stabilizer_settings *settings(struct foh_daemon *d)
{
	return &d->conf->stabilizer;
}

static int get_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	size_t n;
	const struct foh_param *t = foh_stabilizer_params(&n);
	const struct foh_param *p = foh_params_find_property(t, n, property);

	return p ? foh_bus_param_append(reply, p, settings(d)) : -ENOENT;
}

static int set_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_stabilizer_settings next = *settings(d);
	size_t n;
	const struct foh_param *t = foh_stabilizer_params(&n);
	_cleanup_free_ char *why = NULL;
	unsigned ch;
	int r;

	if ((r = foh_bus_param_read_named(value, t, n, property, &next, NULL, error)) < 0)
		return r;
	if (foh_stabilizer_settings_check(&next, &why) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT, "%s: %s", property,
				why ? why : "invalid");
	if ((sscanf(next.source, "channel/%u", &ch) == 1 && ch > d->n_channels) ||
	    (sscanf(next.output, "channel/%u", &ch) == 1 && ch > d->n_channels))
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"%s: channel %u does not exist; channels are 1..%u", property, ch,
				d->n_channels);
	if (memcmp(&next, settings(d), sizeof(next)) == 0)
		return 0;
	if ((r = foh_daemon_check_save(d, error)) < 0)
		return r;
	*settings(d) = next;
	if ((r = foh_daemon_stabilizer_changed(d, true)) < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "%s: %s", property, strerror(-r));
	foh_announce_stabilizer(d, property);
	return 0;
}

static int get_state(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	const struct foh_stab_output *o = &d->stab_out;

	if (strcmp(property, "State") == 0)
		return sd_bus_message_append(reply, "s",
				d->stab_running ? foh_stab_state_str(o->state) : "idle");
	if (strcmp(property, "FaderDb") == 0)
		return sd_bus_message_append(reply, "d", d->stab_running ? o->fader_db : NAN);
	if (strcmp(property, "LevelDb") == 0)
		return sd_bus_message_append(reply, "d", d->stab_running ? o->level_db : NAN);
	return sd_bus_message_append(reply, "d", d->stab_running ? o->output_db : NAN);
}

static int method_set_fader(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	double db;
	int r;

	if ((r = sd_bus_message_read(m, "d", &db)) < 0)
		return r;
	if (isnan(db) || db > 10.0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"db: %g is out of range; allowed range is [-inf, 10] dB", db);
	r = foh_daemon_stabilizer_set_fader(d, db);
	if (r == -ENOTCONN)
		return sd_bus_error_setf(error, FOH_ERROR_NOT_CONNECTED,
				"the X32 is not connected; the fader was not moved");
	if (r < 0)
		return sd_bus_error_set_errno(error, r);
	return sd_bus_reply_method_return(m, NULL);
}

static sd_bus_vtable *stabilizer_vtable;

static const sd_bus_vtable *build_vtable(void)
{
	static const sd_bus_vtable tail[] = {
		SD_BUS_PROPERTY("State", "s", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("FaderDb", "d", get_state, 0, 0),
		SD_BUS_PROPERTY("LevelDb", "d", get_state, 0, 0),
		SD_BUS_PROPERTY("OutputDb", "d", get_state, 0, 0),
		SD_BUS_METHOD_WITH_ARGS("SetFader", SD_BUS_ARGS("d", db), SD_BUS_NO_RESULT,
				method_set_fader, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_VTABLE_END
	};
	size_t n_params;
	const struct foh_param *t = foh_stabilizer_params(&n_params);

	if (stabilizer_vtable == NULL)
		stabilizer_vtable = foh_bus_params_build_vtable(NULL, 0, t, n_params,
				get_setting, set_setting, tail, sizeof(tail) / sizeof(tail[0]));
	return stabilizer_vtable;
}

int foh_bus_stabilizer_register(struct foh_daemon *d)
{
	const sd_bus_vtable *v = build_vtable();

	if (v == NULL)
		return -ENOMEM;
	return sd_bus_add_object_vtable(d->bus, &d->stabilizer_slot, FOH_STABILIZER_PATH,
			FOH_STABILIZER_INTERFACE, v, d);
}
