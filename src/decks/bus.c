/* org.foh.Foh1.Deck at /org/foh/Foh1/deck/a .. /deck/d: the transport
 * (Load, Cue, Play, Stop, Seek), SetEqPercent, FadeGain, the [deck.X] settings as
 * properties generated from their table (Gain, StretchMethod, TempoRatio,
 * TrackBpm, EqLowDb, EqMidDb, EqHighDb, Loop) and the deck's readings
 * (Path, Position, Duration, Playing, Underruns, LatencySec,
 * EffectiveTempoRatio). Load and Cue answer once the decode is done. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus-params.h"
#include "core/bus.h"
#include "dsp/killeq.h"
#include "util/cleanup.h"

#define FOH_ERROR_BUSY "org.foh.Foh1.Error.Busy"

static int reply_error(sd_bus_error *error, int r, const char *why)
{
	const char *name = r == -ENOENT ? FOH_ERROR_NOT_FOUND :
		r == -EBUSY ? FOH_ERROR_BUSY : FOH_ERROR_INVALID_ARGUMENT;

	return sd_bus_error_setf(error, name, "%s", why ? why : strerror(-r));
}

static int get_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct foh_deck_slot *s = userdata;
	const struct foh_param *p = foh_params_find_property(foh_deck_params, foh_deck_n_params,
			property);

	return p ? foh_bus_param_append(reply, p, &s->daemon->conf->deck[s->index]) : -ENOENT;
}

static int set_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata, sd_bus_error *error)
{
	struct foh_deck_slot *s = userdata;
	struct foh_deck_settings *cur = &s->daemon->conf->deck[s->index], next = *cur;
	_cleanup_free_ char *why = NULL;
	int r;

	if ((r = foh_bus_param_read_named(value, foh_deck_params, foh_deck_n_params, property,
					&next, NULL, error)) < 0)
		return r;
	if (foh_deck_settings_check(&next, &why) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT, "%s: %s", property,
				why ? why : "invalid");
	if (memcmp(&next, cur, sizeof(next)) == 0)
		return 0;
	if ((r = foh_daemon_check_save(s->daemon, error)) < 0)
		return r;
	*cur = next;
	(void)foh_daemon_deck_changed(s, property);
	foh_announce_deck(s, property, NULL);
	return 0;
}

static int get_reading(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct foh_deck_slot *s = userdata;
	struct foh_deck_status st;

	foh_decks_status(s->daemon->decks, s->index, &st);
	if (strcmp(property, "Path") == 0)
		return sd_bus_message_append(reply, "s", s->path);
	if (strcmp(property, "Playing") == 0)
		return sd_bus_message_append(reply, "b", (int)st.playing);
	if (strcmp(property, "Underruns") == 0)
		return sd_bus_message_append(reply, "t", (uint64_t)st.underruns);
	if (strcmp(property, "Position") == 0)
		return sd_bus_message_append(reply, "d", foh_daemon_deck_position(s));
	if (strcmp(property, "Duration") == 0)
		return sd_bus_message_append(reply, "d", s->duration);
	if (strcmp(property, "LatencySec") == 0)
		return sd_bus_message_append(reply, "d", foh_deck_loader_latency(s->loader));
	return sd_bus_message_append(reply, "d", foh_daemon_deck_ratio(s));
}

static int load(sd_bus_message *m, struct foh_deck_slot *s, const char *path, double start,
		sd_bus_error *error)
{
	_cleanup_free_ char *why = NULL;
	int r;

	if ((r = foh_daemon_deck_load(s, path, start, sd_bus_message_ref(m), &why)) < 0) {
		sd_bus_message_unref(m);
		return reply_error(error, r, why);
	}
	return 1;	/* answered by foh_bus_deck_loaded when the decode is done */
}

void foh_bus_deck_loaded(struct foh_deck_slot *s, void *request, int error,
		const char *message)
{
	sd_bus_message *m = request;
	int r = 0;

	if (error == 0)
		r = sd_bus_reply_method_return(m, NULL);
	else if (error != -ECANCELED)
		r = sd_bus_reply_method_errorf(m, FOH_ERROR_INVALID_ARGUMENT, "%s", message);
	if (r < 0)
		foh_warn("deck %c: cannot answer Load: %s", s->letter, strerror(-r));
	sd_bus_message_unref(m);
}

static int method_load(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *path;
	int r;

	if ((r = sd_bus_message_read(m, "s", &path)) < 0)
		return r;
	return load(m, userdata, path, 0.0, error);
}

static int method_cue(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	const char *path;
	double start;
	int r;

	if ((r = sd_bus_message_read(m, "sd", &path, &start)) < 0)
		return r;
	return load(m, userdata, path, start, error);
}

static int method_play(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_free_ char *why = NULL;
	int r;

	if ((r = foh_daemon_deck_play(userdata, &why)) < 0)
		return reply_error(error, r, why);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_stop(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	int r;

	if ((r = foh_daemon_deck_stop(userdata)) < 0)
		return sd_bus_error_set_errno(error, r);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_seek(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_free_ char *why = NULL;
	double seconds;
	int r;

	if ((r = sd_bus_message_read(m, "d", &seconds)) < 0)
		return r;
	if ((r = foh_daemon_deck_seek(userdata, seconds, &why)) < 0)
		return reply_error(error, r, why);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_set_eq_percent(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_deck_slot *s = userdata;
	struct foh_deck_settings *c = &s->daemon->conf->deck[s->index];
	const char *band, *prop;
	double pct, *field;
	int r;

	if ((r = sd_bus_message_read(m, "sd", &band, &pct)) < 0)
		return r;
	if (strcmp(band, "low") == 0) {
		field = &c->eq_low_db;
		prop = "EqLowDb";
	} else if (strcmp(band, "mid") == 0) {
		field = &c->eq_mid_db;
		prop = "EqMidDb";
	} else if (strcmp(band, "high") == 0) {
		field = &c->eq_high_db;
		prop = "EqHighDb";
	} else {
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"band \"%s\" is not valid; use low, mid or high", band);
	}
	if (!isfinite(pct) || pct < 0.0 || pct > 100.0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"percent: %g is out of range; allowed range is [0, 100]", pct);
	if ((r = foh_daemon_check_save(s->daemon, error)) < 0)
		return r;
	*field = foh_killeq_percent_to_db(pct, s->daemon->conf->decks.eq_max_cut_db);
	(void)foh_daemon_deck_changed(s, prop);
	foh_announce_deck(s, prop, NULL);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_fade_gain(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	_cleanup_free_ char *why = NULL;
	double db, seconds;
	int r;

	if ((r = sd_bus_message_read(m, "dd", &db, &seconds)) < 0)
		return r;
	if ((r = foh_daemon_deck_fade_gain(userdata, db, seconds, &why)) < 0)
		return reply_error(error, r, why);
	return sd_bus_reply_method_return(m, NULL);
}

static sd_bus_vtable *deck_vtable;

static const sd_bus_vtable *build_vtable(void)
{
	static const sd_bus_vtable head[] = {
		SD_BUS_METHOD_WITH_ARGS("Load", SD_BUS_ARGS("s", path), SD_BUS_NO_RESULT,
				method_load, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("Cue", SD_BUS_ARGS("s", path, "d", start_seconds),
				SD_BUS_NO_RESULT, method_cue, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("Play", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_play,
				SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("Stop", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_stop,
				SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("Seek", SD_BUS_ARGS("d", seconds), SD_BUS_NO_RESULT,
				method_seek, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("SetEqPercent", SD_BUS_ARGS("s", band, "d", percent),
				SD_BUS_NO_RESULT, method_set_eq_percent, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("FadeGain", SD_BUS_ARGS("d", gain_db, "d", duration_seconds),
				SD_BUS_NO_RESULT, method_fade_gain, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_PROPERTY("Path", "s", get_reading, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("Position", "d", get_reading, 0, 0),
		SD_BUS_PROPERTY("Duration", "d", get_reading, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("Playing", "b", get_reading, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("Underruns", "t", get_reading, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("LatencySec", "d", get_reading, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
		SD_BUS_PROPERTY("EffectiveTempoRatio", "d", get_reading, 0,
				SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	};
	static const sd_bus_vtable tail[] = { SD_BUS_VTABLE_END };

	if (deck_vtable == NULL)
		deck_vtable = foh_bus_params_build_vtable(head, FOH_ELEMENTSOF(head),
				foh_deck_params, foh_deck_n_params, get_setting, set_setting,
				tail, FOH_ELEMENTSOF(tail));
	return deck_vtable;
}

int foh_bus_deck_add(struct foh_daemon *d, struct foh_deck_slot *s)
{
	const sd_bus_vtable *v = build_vtable();

	if (v == NULL)
		return -ENOMEM;
	return sd_bus_add_object_vtable(d->bus, &s->bus_slot, s->path_prop, FOH_DECK_INTERFACE,
			v, s);
}
