/* fohd's shared state: the main loop, the bus, the engine, the running
 * config and every capability's state, and the functions the capabilities'
 * glue (each folder's service.c) offers. Owned by main.c.
 *
 * Arrows point one way: the D-Bus objects (each folder's bus.c, declared in core/bus.h)
 * call the model declared here; the model reports back only through the
 * hooks (struct foh_daemon_hooks) main.c gives it, never by calling a
 * bus.c file. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "analyzer/analyzer.h"
#include "content/detector.h"
#include "content/profiles.h"
#include "decks/bpm-glide.h"
#include "channel/channel.h"
#include "core/conf.h"
#include "decks/deck.h"
#include "decks/loader.h"
#include "core/engine.h"
#include "stabilizer/loop.h"
#include "x32/client.h"

#define FOH_BUS_NAME "org.foh.Foh1"
#define FOH_OBJECT_PATH "/org/foh/Foh1"
#define FOH_MANAGER_INTERFACE "org.foh.Foh1.Manager"
#define FOH_CHANNEL_INTERFACE "org.foh.Foh1.Channel"
#define FOH_CHANNEL_PATH_PREFIX "/org/foh/Foh1/channel/"
#define FOH_ANALYZER_PATH "/org/foh/Foh1/analyzer"
#define FOH_ANALYZER_INTERFACE "org.foh.Foh1.Analyzer"
#define FOH_X32_PATH "/org/foh/Foh1/x32"
#define FOH_X32_INTERFACE "org.foh.Foh1.X32"
#define FOH_STABILIZER_PATH "/org/foh/Foh1/stabilizer"
#define FOH_STABILIZER_INTERFACE "org.foh.Foh1.Stabilizer"

#define FOH_CONTENT_PATH "/org/foh/Foh1/content"
#define FOH_CONTENT_INTERFACE "org.foh.Foh1.Content"
#define FOH_PROFILES_PATH "/org/foh/Foh1/profiles"
#define FOH_PROFILES_INTERFACE "org.foh.Foh1.Profiles"

#define FOH_DECK_INTERFACE "org.foh.Foh1.Deck"
#define FOH_DECK_PATH_PREFIX "/org/foh/Foh1/deck/"
#define FOH_MIXER_PATH "/org/foh/Foh1/mixer"
#define FOH_MIXER_INTERFACE "org.foh.Foh1.Mixer"

#define FOH_ERROR_INVALID_CONFIG "org.foh.Foh1.Error.InvalidConfig"
#define FOH_ERROR_INVALID_ARGUMENT "org.foh.Foh1.Error.InvalidArgument"
#define FOH_ERROR_NOT_FOUND "org.foh.Foh1.Error.NotFound"
#define FOH_ERROR_NOT_CONNECTED "org.foh.Foh1.Error.NotConnected"
#define FOH_ERROR_CANNOT_SAVE "org.foh.Foh1.Error.CannotSave"
#define FOH_ERROR_EXISTS "org.foh.Foh1.Error.Exists"
#define FOH_ERROR_LIMIT_REACHED "org.foh.Foh1.Error.LimitReached"

/* A channel as fohd serves it: the graph module, its D-Bus object, and the
 * latest levels the main thread read from it. */
struct foh_channel_slot {
	struct foh_daemon *daemon;
	uint32_t index;			/* 1-based */
	struct foh_channel *channel;
	sd_bus_slot *bus_slot;
	struct foh_strip_levels levels;
	uint32_t quiet_ticks;		/* meter ticks without new levels */
	uint64_t nonfinite_told;	/* levels.nonfinite when last logged */
	uint64_t nonfinite_at;		/* usec (monotonic) of that warning */
	struct foh_content_result content;	/* as last announced */
	uint64_t content_since;		/* usec (monotonic) of its last class/style change */
	/* profiles (content/service.c): the one applied last, the glide to it */
	char profile_applied[65];
	char profile_missing[65];	/* asked for, not found: not asked again */
	struct foh_profile glide;	/* the keys and their target values */
	struct foh_channel_settings glide_from;
	uint64_t glide_start;		/* usec; 0 = no glide running */
};

/* A deck as fohd serves it (decks/service.c): its loader, its D-Bus
 * object, the track and what the main thread last announced. */
struct foh_deck_slot {
	struct foh_daemon *daemon;
	uint32_t index;			/* 0-based: a = 0 */
	char letter;
	char path_prop[64];		/* "/org/foh/Foh1/deck/a" */
	struct foh_deck_loader *loader;
	sd_bus_slot *bus_slot;
	char path[4096];		/* the loaded track, "" if none */
	double duration;
	bool loading;			/* a Load/Cue is being decoded */
	char loading_path[4096];
	uint32_t load_gen;
	void *load_request;		/* the caller's, handed back by hooks->deck_loaded */
	bool play_pending;		/* Play() while loading */
	double cue_pos;			/* Position while not played since a cue/seek */
	bool cue_valid;
	double ratio_sent;
	struct foh_deck_status last;	/* as last announced */
};

/* How the model tells the outside world what happened: set by main.c from
 * the D-Bus layer (core/bus.h). Called on the main thread only. */
struct foh_daemon_hooks {
	/* These properties of the object at path changed (NULL-terminated). */
	void (*changed)(struct foh_daemon *d, const char *path, const char *interface,
			const char *const *properties);
	/* A channel or deck came into being (its object appears) or went. */
	int (*channel_added)(struct foh_daemon *d, struct foh_channel_slot *slot);
	void (*channel_removed)(struct foh_daemon *d, struct foh_channel_slot *slot);
	/* New levels in slot->levels, at the meter rate. */
	void (*channel_levels)(struct foh_daemon *d, struct foh_channel_slot *slot);
	int (*deck_added)(struct foh_daemon *d, struct foh_deck_slot *s);
	int (*mixer_added)(struct foh_daemon *d);
	/* A load started with a request (foh_daemon_deck_load) ended: error 0,
	 * or negative errno with message; -ECANCELED when fohd drops it. */
	void (*deck_loaded)(struct foh_deck_slot *s, void *request, int error,
			const char *message);
	/* The content detector of a channel decided a new class or style
	 * (slot->content). */
	void (*content_changed)(struct foh_daemon *d, struct foh_channel_slot *slot);
	/* A Learn (foh_daemon_content_learn) ended: windows learned from, or
	 * negative errno with message. */
	void (*content_learned)(struct foh_daemon *d, void *request, int error,
			const char *message, uint32_t windows);
	/* A debounced save failed: the changes live in memory only. */
	void (*save_failed)(struct foh_daemon *d, const char *reason);
};

struct foh_daemon {
	const struct foh_daemon_hooks *hooks;
	sd_event *event;
	sd_bus *bus;
	sd_bus_slot *manager_slot;
	struct foh_engine *engine;
	struct foh_conf *conf;
	char *cli_config;		/* --config, or NULL */
	uint64_t start_usec;		/* CLOCK_MONOTONIC */

	struct foh_channel_slot *channels[FOH_CHANNELS_MAX];
	uint32_t n_channels;
	sd_event_source *meter_timer;
	/* an idle graph: the meter tick slows to 1 Hz and the first channel
	 * that runs again wakes it through this eventfd (channel/service.c) */
	sd_event_source *meter_wake;
	int meter_wake_fd;
	bool meters_slow;
	sd_event_source *save_timer;
	sd_event_source *save_done;	/* the writer thread's eventfd (core/save.c) */
	struct foh_save_job *save_job;	/* the write in flight, or NULL */
	unsigned save_gen;		/* bumped by a reload: a write in flight is stale */
	bool save_pending;
	bool unsaved;			/* the last save failed: changes live in memory only */
	struct foh_conf *saved;		/* the settings as last loaded or saved */
	struct foh_xrun_counter xruns;
	uint64_t last_busy_ns, last_cycle_ns;
	double cpu_load;

	struct foh_analyzer *analyzer;
	sd_bus_slot *analyzer_slot;
	sd_event_source *analyzer_wait;	/* for its source channel's playback link */
	uint64_t analyzer_wait_until;
	uint64_t analyzer_watch_until;	/* a D-Bus reader's lease (CLOCK_MONOTONIC usec) */
	struct foh_x32 *x32;
	sd_bus_slot *x32_slot;

	/* the channels' content detectors (content/service.c) */
	struct foh_content_detector *content;
	sd_event_source *content_source;
	sd_bus_slot *profiles_slot, *content_slot;
	struct foh_content_model *content_model;	/* what the detectors use */
	char *content_model_path;
	struct foh_learn *learn;		/* a Learn in progress, or NULL */
	sd_event_source *learn_source;
	void *learn_request;
	char learn_name[65];
	int learn_class;

	/* the level stabilizer (stabilizer/service.c) */
	struct foh_stab stab;
	bool stab_running;
	struct foh_stab_output stab_out;
	double stab_start_db;				/* the fader when the loop started */
	struct foh_stabilizer_settings stab_applied;	/* what the loop last took */
	sd_event_source *stab_timer;
	sd_bus_slot *stabilizer_slot;
	/* local mode: the channel whose leveler the stabilizer switches on
	 * (1-based, 0 = none) and what it lays over that channel's settings;
	 * never saved, gone when the stabilizer stops */
	uint32_t stab_leveler_channel;
	double stab_leveler_target, stab_leveler_gate;
	bool stopping;			/* tearing down: no more signals */

	/* the decks (decks/service.c) */
	struct foh_decks *decks;
	struct foh_deck_slot *deck[FOH_DECKS_MAX];
	uint32_t n_decks;
	int deck_notify_fd;
	sd_event_source *deck_notify_source, *deck_timer;
	sd_bus_slot *mixer_slot;
	struct foh_bpm_glide glide;
	double movement;
	double target_bpm_override;	/* > 0: TargetBpm was set over D-Bus */
	double bpm_announced, xf_announced;
};

/* Loads, validates and applies the config. On failure nothing changes and
 * *error (free with g_free) names file, key and reason. */
int foh_daemon_reload(struct foh_daemon *d, char **error);

/* Runs every self-check; returns whether all passed and a report (free()). */
bool foh_daemon_self_check(struct foh_daemon *d, char **report);

/* Creates, updates or removes channels to match d->conf (hot reload too). */
int foh_daemon_sync_channels(struct foh_daemon *d, const struct foh_conf *old);
void foh_daemon_free_channels(struct foh_daemon *d);
/* Connects or disconnects every channel's streams with PipeWire. */
void foh_daemon_channels_connection(struct foh_daemon *d, bool connected);
/* The graph changed (engine's graph event): streams follow what their
 * targets are (a sink's monitor or a source) and which are linked. */
void foh_daemon_channels_graph(struct foh_daemon *d);
/* The analyzer's source changed: channels it listens to are not passive. */
void foh_daemon_channels_passive(struct foh_daemon *d);
/* The stabilizer's source changed: which channel meters its input. */
void foh_daemon_channels_meter_input(struct foh_daemon *d);
/* Settings of channel index changed over D-Bus: apply and persist. */
int foh_daemon_channel_changed(struct foh_daemon *d, uint32_t index, bool structural);
/* Apply channel index's effective settings (a reload, a runtime overlay)
 * without saving: d->conf did not change, or it is what the file says. */
int foh_daemon_channel_apply(struct foh_daemon *d, uint32_t index, bool structural);
/* Debounced atomic save of d->conf (at most one write per 250 ms). */
void foh_daemon_schedule_save(struct foh_daemon *d);
int foh_daemon_flush_save(struct foh_daemon *d);
/* Before a change that will be saved: can the save work, as far as can be
 * known now? If not, sets org.foh.Foh1.Error.CannotSave naming the file and
 * the reason, and returns its negative errno: the caller changes nothing. */
int foh_daemon_check_save(struct foh_daemon *d, sd_bus_error *error);
/* Where settings changed over D-Bus are saved (free with g_free). */
char *foh_daemon_save_path(struct foh_daemon *d);
void foh_daemon_cancel_save(struct foh_daemon *d);
/* At exit, after the last flush: waits for a write in flight, frees. */
void foh_daemon_save_free(struct foh_daemon *d);
int foh_daemon_start_meters(struct foh_daemon *d);
uint64_t foh_daemon_xruns(struct foh_daemon *d);

int foh_daemon_analyzer_connect(struct foh_daemon *d);
/* foh_daemon_analyzer_connect() creates the analyzer's stream; with a
 * channel as its source, once that channel's playback is linked to its
 * output (at most 10 s later). Disconnect cancels that wait too. */
void foh_daemon_analyzer_disconnect(struct foh_daemon *d);
/* Makes the analyzer's node active while it has a user (see service.c);
 * _watched: a D-Bus client read its live values just now. */
void foh_daemon_analyzer_update_active(struct foh_daemon *d);
void foh_daemon_analyzer_watched(struct foh_daemon *d);
/* The graph changed: the stream follows what its Source is. */
void foh_daemon_analyzer_graph(struct foh_daemon *d);
/* Settings of the analyzer changed (D-Bus or reload): apply and persist. */
int foh_daemon_analyzer_changed(struct foh_daemon *d, const struct foh_analyzer_settings *prev,
		bool persist);
int foh_daemon_x32_start(struct foh_daemon *d);
/* [x32] changed (D-Bus or reload): reconnect, announce, maybe save. */
int foh_daemon_x32_changed(struct foh_daemon *d, const struct foh_x32_settings *prev, bool persist);
int foh_daemon_stabilizer_changed(struct foh_daemon *d, bool persist);
/* A manual fader: pauses a running loop. */
int foh_daemon_stabilizer_set_fader(struct foh_daemon *d, double db);
void foh_daemon_stabilizer_fader_moved(struct foh_daemon *d, const char *id, double db);
void foh_daemon_stabilizer_free(struct foh_daemon *d);
/* The decks: created at start, following PipeWire's connection. */
int foh_daemon_decks_start(struct foh_daemon *d);
void foh_daemon_decks_connection(struct foh_daemon *d, bool connected);
void foh_daemon_decks_free(struct foh_daemon *d);
/* Deck actions (org.foh.Foh1.Deck); errors as negative errno, *why set. */
/* request (may be NULL) comes back through hooks->deck_loaded. */
int foh_daemon_deck_load(struct foh_deck_slot *s, const char *path, double start,
		void *request, char **why);
int foh_daemon_deck_play(struct foh_deck_slot *s, char **why);
int foh_daemon_deck_stop(struct foh_deck_slot *s);
int foh_daemon_deck_seek(struct foh_deck_slot *s, double seconds, char **why);
double foh_daemon_deck_position(struct foh_deck_slot *s);
double foh_daemon_deck_ratio(struct foh_deck_slot *s);
/* A [deck.X] setting changed over D-Bus: apply and persist. */
int foh_daemon_deck_changed(struct foh_deck_slot *s, const char *property);
int foh_daemon_mixer_changed(struct foh_daemon *d, const char *property);
void foh_daemon_decks_reloaded(struct foh_daemon *d, const struct foh_conf *prev);
int foh_daemon_decks_start_group(struct foh_daemon *d, uint32_t mask, double start, char **why);
int foh_daemon_decks_fade_to(struct foh_daemon *d, uint32_t deck, double start, double seconds,
		char **why);
void foh_daemon_decks_set_movement(struct foh_daemon *d, double level);
void foh_daemon_decks_set_target_bpm(struct foh_daemon *d, double bpm);
void foh_daemon_decks_set_current_bpm(struct foh_daemon *d, double bpm);
int foh_daemon_deck_fade_gain(struct foh_deck_slot *s, double gain_db, double seconds,
		char **why);
#define foh_announce_deck(s, ...) \
	foh_announce((s)->daemon, (s)->path_prop, FOH_DECK_INTERFACE, __VA_ARGS__)
#define foh_announce_mixer(d, ...) \
	foh_announce(d, FOH_MIXER_PATH, FOH_MIXER_INTERFACE, __VA_ARGS__)

/* Announces (hooks->changed) a NULL-terminated list of changed properties
 * of one object; nothing while fohd is tearing down. */
void foh_announce(struct foh_daemon *d, const char *path, const char *interface,
		const char *property, ...) __attribute__((sentinel));
#define foh_announce_manager(d, ...) \
	foh_announce(d, FOH_OBJECT_PATH, FOH_MANAGER_INTERFACE, __VA_ARGS__)
#define foh_announce_x32(d, ...) \
	foh_announce(d, FOH_X32_PATH, FOH_X32_INTERFACE, __VA_ARGS__)
#define foh_announce_analyzer(d, property) \
	foh_announce(d, FOH_ANALYZER_PATH, FOH_ANALYZER_INTERFACE, property, NULL)
#define foh_announce_stabilizer(d, property) \
	foh_announce(d, FOH_STABILIZER_PATH, FOH_STABILIZER_INTERFACE, property, NULL)
/* The settings channel index (1-based) runs with: the config's, with the
 * stabilizer's local mode laid over them (its leveler on, at its target). */
void foh_daemon_channel_effective(const struct foh_daemon *d, uint32_t index,
		struct foh_channel_settings *out);
/* The content detectors: started once, following each channel's
 * content-enabled and stream rate (checked at the meter rate). */
int foh_daemon_content_start(struct foh_daemon *d);
void foh_daemon_content_sync(struct foh_daemon *d);
void foh_daemon_content_channel_gone(struct foh_daemon *d, struct foh_channel_slot *slot);
void foh_daemon_content_free(struct foh_daemon *d);
/* Learns centroid name (class "speech" or "music") from files, off the
 * main thread, into the user's model file and the running detectors; the
 * end comes through hooks->content_learned with request. Refused at once
 * (negative errno, *why) for a bad name, class or file, or while another
 * Learn runs (-EBUSY). */
int foh_daemon_content_learn(struct foh_daemon *d, const char *name, const char *cls,
		const char *const *files, uint32_t n, void *request, char **why);
/* Profile switching and glides (content/switcher.c), at the meter rate. */
void foh_daemon_profiles_tick(struct foh_daemon *d);
/* A profile was written or deleted: names not found before are tried again. */
void foh_daemon_profiles_changed(struct foh_daemon *d);

/* One property of channel index (1-based). */
void foh_announce_channel(struct foh_daemon *d, uint32_t index, const char *property);
