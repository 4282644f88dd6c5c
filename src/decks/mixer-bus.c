/* org.foh.Foh1.Mixer at /org/foh/Foh1/mixer: the decks' crossfader and
 * output, the movement input and the BPM glide. Properties from the
 * [decks] table (Output, Crossfader, CrossfaderEnabled, GlideSec,
 * FollowBpm, MusicDirs; Crossfader reads the live position, which moves
 * during FadeTo), plus TargetBpm (rw: > 0 overrides the movement's target,
 * 0 hands it back), CurrentBpm (rw: a write jumps there) and Movement;
 * methods StartGroup, FadeTo, SetMovement. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bus-params.h"
#include "core/bus.h"
#include "util/cleanup.h"

static int deck_index(struct foh_daemon *d, const char *name, uint32_t *out)
{
	for (uint32_t i = 0; i < d->n_decks; i++) {
		if (name[0] == FOH_DECK_LETTERS[i] && name[1] == '\0') {
			*out = i;
			return 0;
		}
	}
	return -ENOENT;
}

static int reply_error(struct foh_daemon *d, sd_bus_error *error, int r, const char *why)
{
	return sd_bus_error_setf(error, r == -ENOENT ? FOH_ERROR_NOT_FOUND :
			FOH_ERROR_INVALID_ARGUMENT, "%s", why ? why : strerror(-r));
}

static int get_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	const struct foh_param *p = foh_params_find_property(foh_decks_params, foh_decks_n_params,
			property);

	if (strcmp(property, "Crossfader") == 0)
		return sd_bus_message_append(reply, "d", foh_decks_crossfader(d->decks));
	return p ? foh_bus_param_append(reply, p, &d->conf->decks) : -ENOENT;
}

static int set_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_decks_settings next = d->conf->decks;
	int r;

	if ((r = foh_bus_param_read_named(value, foh_decks_params, foh_decks_n_params, property,
					&next, NULL, error)) < 0)
		return r;
	if (memcmp(&next, &d->conf->decks, sizeof(next)) == 0 && strcmp(property, "Crossfader") != 0)
		return 0;
	if ((r = foh_daemon_check_save(d, error)) < 0)
		return r;
	d->conf->decks = next;
	(void)foh_daemon_mixer_changed(d, property);
	foh_announce_mixer(d, property, NULL);
	return 0;
}

static int get_bpm(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	if (strcmp(property, "TargetBpm") == 0)
		return sd_bus_message_append(reply, "d", d->glide.target);
	if (strcmp(property, "CurrentBpm") == 0)
		return sd_bus_message_append(reply, "d", d->glide.current);
	return sd_bus_message_append(reply, "d", d->movement);
}

static int set_target_bpm(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata, sd_bus_error *error)
{
	double bpm;
	int r;

	if ((r = sd_bus_message_read(value, "d", &bpm)) < 0)
		return r;
	if (!isfinite(bpm) || (bpm != 0.0 && (bpm < FOH_BPM_MIN || bpm > FOH_BPM_MAX)))
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"TargetBpm: %g is out of range; use 0 (follow the movement) or %g..%g",
				bpm, FOH_BPM_MIN, FOH_BPM_MAX);
	foh_daemon_decks_set_target_bpm(userdata, bpm);
	return 0;
}

static int set_current_bpm(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata, sd_bus_error *error)
{
	double bpm;
	int r;

	if ((r = sd_bus_message_read(value, "d", &bpm)) < 0)
		return r;
	if (!isfinite(bpm) || bpm < FOH_BPM_MIN || bpm > FOH_BPM_MAX)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"CurrentBpm: %g is out of range; allowed range is [%g, %g]",
				bpm, FOH_BPM_MIN, FOH_BPM_MAX);
	foh_daemon_decks_set_current_bpm(userdata, bpm);
	return 0;
}

static int method_start_group(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	_cleanup_free_ char *why = NULL;
	const char *name;
	uint32_t mask = 0, i;
	double start;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'a', "s")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "s", &name)) > 0) {
		if (deck_index(d, name, &i) < 0)
			return sd_bus_error_setf(error, FOH_ERROR_NOT_FOUND,
					"deck \"%s\" does not exist; decks are a..%c", name,
					FOH_DECK_LETTERS[d->n_decks - 1]);
		mask |= 1u << i;
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0 ||
	    (r = sd_bus_message_read(m, "d", &start)) < 0)
		return r;
	if (mask == 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT, "no deck named");
	if ((r = foh_daemon_decks_start_group(d, mask, start, &why)) < 0)
		return reply_error(d, error, r, why);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_fade_to(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	_cleanup_free_ char *why = NULL;
	const char *name;
	double start, seconds;
	uint32_t i;
	int r;

	if ((r = sd_bus_message_read(m, "sdd", &name, &start, &seconds)) < 0)
		return r;
	if (deck_index(d, name, &i) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_NOT_FOUND, "deck \"%s\" does not exist", name);
	if ((r = foh_daemon_decks_fade_to(d, i, start, seconds, &why)) < 0)
		return reply_error(d, error, r, why);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_set_movement(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	double level;
	int r;

	if ((r = sd_bus_message_read(m, "d", &level)) < 0)
		return r;
	if (!isfinite(level) || level < 0.0 || level > 100.0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"level: %g is out of range; allowed range is [0, 100]", level);
	foh_daemon_decks_set_movement(userdata, level);
	return sd_bus_reply_method_return(m, NULL);
}

static sd_bus_vtable *mixer_vtable;

static const sd_bus_vtable *build_vtable(void)
{
	static const sd_bus_vtable head[] = {
		SD_BUS_METHOD_WITH_ARGS("StartGroup", SD_BUS_ARGS("as", decks, "d", start_seconds),
				SD_BUS_NO_RESULT, method_start_group, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("FadeTo",
				SD_BUS_ARGS("s", deck, "d", start_seconds, "d", duration_seconds),
				SD_BUS_NO_RESULT, method_fade_to, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_METHOD_WITH_ARGS("SetMovement", SD_BUS_ARGS("d", level), SD_BUS_NO_RESULT,
				method_set_movement, SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_WRITABLE_PROPERTY("TargetBpm", "d", get_bpm, set_target_bpm, 0,
				SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_WRITABLE_PROPERTY("CurrentBpm", "d", get_bpm, set_current_bpm, 0,
				SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
		SD_BUS_PROPERTY("Movement", "d", get_bpm, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	};
	static const sd_bus_vtable tail[] = { SD_BUS_VTABLE_END };

	if (mixer_vtable == NULL)
		mixer_vtable = foh_bus_params_build_vtable(head, FOH_ELEMENTSOF(head),
				foh_decks_params, foh_decks_n_params, get_setting, set_setting,
				tail, FOH_ELEMENTSOF(tail));
	return mixer_vtable;
}

int foh_bus_mixer_register(struct foh_daemon *d)
{
	const sd_bus_vtable *v = build_vtable();

	if (v == NULL)
		return -ENOMEM;
	return sd_bus_add_object_vtable(d->bus, &d->mixer_slot, FOH_MIXER_PATH, FOH_MIXER_INTERFACE,
			v, d);
}
