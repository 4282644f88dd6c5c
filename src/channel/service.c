/* fohd's channels: creating, rebuilding and removing them to match the
 * config (at start and on hot reload), connecting their streams when
 * PipeWire is there, the meter timer that reads their levels and timing and
 * hands them to hooks->channel_levels, and the debounced atomic save of settings changed over
 * D-Bus. Main thread only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/daemon.h"
#include "util/log.h"

#define SAVE_DEBOUNCE_USEC (250 * 1000)
/* After a failed save: try again this much later (disk full may pass). */
#define SAVE_RETRY_USEC (10 * 1000 * 1000)

void foh_daemon_channel_effective(const struct foh_daemon *d, uint32_t index,
		struct foh_channel_settings *out)
{
	*out = d->conf->channel[index - 1];
	if (d->stab_leveler_channel != index)
		return;
	out->leveler_enabled = true;
	out->leveler_target = d->stab_leveler_target;
	out->leveler_max_boost = d->stab_leveler_boost;
	out->leveler_max_cut = d->stab_leveler_cut;
	out->leveler_gate = d->stab_leveler_gate;
}

/* A channel is passive (lets the graph suspend while nothing plays into
 * it) unless the analyzer listens to it: an analyzer with destinations
 * sends its readings, silence included, and WirePlumber would make its
 * link to a passive channel passive too, so it would stop with the channel. */
static bool slot_passive(const struct foh_daemon *d, const struct foh_channel_slot *slot)
{
	const char *source = d->conf->analyzer.source;
	char name[32];
	unsigned int n;

	if (sscanf(source, "channel/%u", &n) == 1 && n == slot->index)
		return false;
	snprintf(name, sizeof(name), "foh.ch%u.playback", slot->index);
	return strcmp(source, name) != 0;
}

static int connect_slot(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	struct pw_core *core = foh_engine_core(d->engine);
	int res;

	if (core == NULL)
		return 0;
	res = foh_channel_connect(slot->channel, core, foh_engine_data_loop(d->engine),
			foh_engine_target_is_sink(d->engine,
				foh_channel_settings(slot->channel)->input),
			slot_passive(d, slot));
	if (res < 0)
		foh_warn("channel %u: cannot create its streams: %s", slot->index, strerror(-res));
	return res;
}

static void free_slot(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	if (slot == NULL)
		return;
	if (d->hooks && d->hooks->channel_removed)
		d->hooks->channel_removed(d, slot);
	foh_daemon_content_channel_gone(d, slot);
	foh_channel_free(slot->channel);
	free(slot);
}

static int add_slot(struct foh_daemon *d, uint32_t index)
{
	struct foh_channel_slot *slot = calloc(1, sizeof(*slot));
	struct foh_channel_settings eff;
	int res;

	if (slot == NULL)
		return -ENOMEM;
	slot->daemon = d;
	slot->index = index;
	slot->content.cls = FOH_CONTENT_UNKNOWN;
	slot->levels = (struct foh_strip_levels){ .peak_db = -120, .rms_db = -120, .vu_db = -60,
		.lufs_m = -120, .lufs_s = -120, .lufs_m_in = -120 };
	slot->quiet_ticks = UINT32_MAX;		/* silent until it first runs */
	foh_daemon_channel_effective(d, index, &eff);
	if ((res = foh_channel_new(index, &eff, &d->xruns, &slot->channel)) < 0 ||
	    (d->hooks && d->hooks->channel_added &&
	     (res = d->hooks->channel_added(d, slot)) < 0)) {
		free_slot(d, slot);
		return res;
	}
	d->channels[index - 1] = slot;
	(void)connect_slot(d, slot);
	return 0;
}

int foh_daemon_sync_channels(struct foh_daemon *d, const struct foh_conf *old)
{
	uint32_t want = d->conf->channels, had = d->n_channels;
	int res = 0;

	for (uint32_t i = want; i < had; i++) {
		free_slot(d, d->channels[i]);
		d->channels[i] = NULL;
	}
	for (uint32_t i = 0; i < want && i < had; i++) {
		struct foh_channel_slot *slot = d->channels[i];
		struct foh_channel_settings next;
		const struct foh_channel_settings *prev = foh_channel_settings(slot->channel);

		foh_daemon_channel_effective(d, i + 1, &next);
		if (memcmp(&next, prev, sizeof(next)) == 0)
			continue;	/* unchanged: keeps playing, no gap */
		(void)foh_daemon_channel_changed(d, i + 1,
				foh_channel_settings_structural_change(prev, &next));
	}
	for (uint32_t i = had; i < want; i++)
		if ((res = add_slot(d, i + 1)) < 0)
			foh_error("channel %u: cannot create it: %s", i + 1, strerror(-res));
	d->n_channels = want;
	if (want != had)
		foh_announce_manager(d, "Channels", NULL);
	(void)old;
	return res;
}

void foh_daemon_free_channels(struct foh_daemon *d)
{
	for (uint32_t i = 0; i < d->n_channels; i++) {
		free_slot(d, d->channels[i]);
		d->channels[i] = NULL;
	}
	d->n_channels = 0;
}

void foh_daemon_channels_connection(struct foh_daemon *d, bool connected)
{
	for (uint32_t i = 0; i < d->n_channels; i++) {
		if (connected)
			(void)connect_slot(d, d->channels[i]);
		else
			foh_channel_disconnect(d->channels[i]->channel);
	}
}

/* Channels stay active while connected; an idle one costs nothing because
 * its playback is passive (see slot_passive): with nothing playing into it
 * PipeWire suspends its driver, and a stream linked into it starts the
 * driver and the channel in the same cycle — test channel-idle hears a
 * 100 ms burst whole. Making an idle channel's streams inactive instead
 * (pw_stream_set_active, woken when the registry shows a link into the
 * capture) was tried: a stream newly linked into an idle channel lost its
 * first ~35 ms (a 50 ms burst came out as 15 ms) while the pair woke. */

/* The graph changed: a channel whose Input names a node that is now known
 * to be a sink, or no longer one, gets streams made for what it is (a
 * sink's monitor, or a source). A target that is not there keeps what the
 * streams were made with until it comes. */
void foh_daemon_channels_graph(struct foh_daemon *d)
{
	for (uint32_t i = 0; i < d->n_channels; i++) {
		struct foh_channel_slot *slot = d->channels[i];
		const char *input = foh_channel_settings(slot->channel)->input;
		bool known = false, sink;
		size_t n;
		const struct foh_device *devs = foh_engine_devices(d->engine, &n);

		if (!foh_channel_is_connected(slot->channel) || input[0] == '\0')
			continue;
		for (size_t k = 0; k < n && !known; k++)
			known = strcmp(devs[k].name, input) == 0;
		sink = foh_engine_target_is_sink(d->engine, input);
		if (!known || sink == foh_channel_input_is_sink(slot->channel))
			continue;
		foh_info("channel %u: its input %s is %s: capturing %s", slot->index, input,
				sink ? "a sink" : "not a sink", sink ? "its monitor" : "it");
		foh_channel_disconnect(slot->channel);
		(void)connect_slot(d, slot);
	}
}

/* The analyzer's source changed: a channel it now listens to, or no longer
 * does, gets streams made for that. */
void foh_daemon_channels_passive(struct foh_daemon *d)
{
	for (uint32_t i = 0; i < d->n_channels; i++) {
		struct foh_channel_slot *slot = d->channels[i];

		if (!foh_channel_is_connected(slot->channel) ||
		    slot_passive(d, slot) == foh_channel_is_passive(slot->channel))
			continue;
		foh_channel_disconnect(slot->channel);
		(void)connect_slot(d, slot);
	}
}

int foh_daemon_channel_changed(struct foh_daemon *d, uint32_t index, bool structural)
{
	struct foh_channel_slot *slot = d->channels[index - 1];
	struct foh_channel_settings eff;
	const struct foh_channel_settings *s = &eff;
	int res;

	foh_daemon_channel_effective(d, index, &eff);
	if (structural) {
		/* new input, output or channel count: new streams */
		foh_channel_disconnect(slot->channel);
		(void)foh_channel_apply(slot->channel, s);
		res = connect_slot(d, slot);
	} else {
		res = foh_channel_apply(slot->channel, s);
	}
	foh_daemon_schedule_save(d);
	return res;
}

uint64_t foh_daemon_xruns(struct foh_daemon *d)
{
	return atomic_load_explicit(&d->xruns.xruns, memory_order_relaxed);
}

/* CpuLoad: time in foh's process callbacks over the cycle time they ran in,
 * since the last tick. Channels share the cycle, so their busy times add up
 * against one cycle length. */
static void update_cpu_load(struct foh_daemon *d)
{
	uint64_t busy = 0, cycle = 0;
	struct foh_channel_stats st;

	for (uint32_t i = 0; i < d->n_channels; i++) {
		foh_channel_stats(d->channels[i]->channel, &st);
		busy += st.busy_ns;
		if (st.cycle_ns > cycle)
			cycle = st.cycle_ns;
	}
	if (cycle > d->last_cycle_ns && busy >= d->last_busy_ns)
		d->cpu_load = (double)(busy - d->last_busy_ns) / (double)(cycle - d->last_cycle_ns);
	else
		d->cpu_load = 0.0;
	if (d->cpu_load > 1.0)
		d->cpu_load = 1.0;
	d->last_busy_ns = busy;
	d->last_cycle_ns = cycle;
}

/* The tempo delay-sync follows: the analyzer's BPM estimate, else the
 * decks' current BPM, else none (0). */
static double current_tempo(struct foh_daemon *d)
{
	if (d->analyzer != NULL) {
		struct foh_analyzer_stats st;

		foh_analyzer_stats(d->analyzer, &st);
		if (st.bpm > 0.0f)
			return st.bpm;
	}
	if (d->n_decks > 0 && d->glide.current > 0.0)
		return d->glide.current;
	return 0.0;
}

/* A channel whose node has not run for QUIET_USEC (nothing plays into it
 * and its driver suspended) has silent meters: they are announced once,
 * then no Levels signal is sent until it runs again — an idle fohd sends
 * nothing. A running channel publishes levels every 10 ms, so even a
 * quantum of 8192 frames never looks quiet. */
#define QUIET_USEC (500 * 1000)

static bool levels_to_announce(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	uint32_t quiet = (uint32_t)((QUIET_USEC * d->conf->meter_rate + 999999) / 1000000);

	if (foh_channel_poll_levels(slot->channel, &slot->levels)) {
		slot->quiet_ticks = 0;
		return true;
	}
	if (slot->quiet_ticks == UINT32_MAX)
		return false;
	if (++slot->quiet_ticks < quiet)
		return true;		/* as before: the last reading, held */
	/* the leveler's gain and state hold through silence: keep them */
	slot->levels.peak_db = slot->levels.rms_db = -120.0f;
	slot->levels.vu_db = -60.0f;
	slot->levels.lufs_m = slot->levels.lufs_s = slot->levels.lufs_m_in = -120.0f;
	slot->levels.gr_db = 0.0f;
	slot->quiet_ticks = UINT32_MAX;
	return true;
}

static int on_meter_timer(sd_event_source *s, uint64_t usec, void *data)
{
	struct foh_daemon *d = data;
	double tempo = current_tempo(d);

	for (uint32_t i = 0; i < d->n_channels; i++) {
		struct foh_channel_slot *slot = d->channels[i];
		foh_channel_set_tempo(slot->channel, tempo);
		if (!foh_channel_is_connected(slot->channel))
			continue;
		if (levels_to_announce(d, slot) && d->hooks && d->hooks->channel_levels)
			d->hooks->channel_levels(d, slot);
	}
	update_cpu_load(d);
	foh_daemon_analyzer_update_active(d);
	foh_daemon_content_sync(d);
	/* Timer sources fire once: re-arm for the next tick at the current rate. */
	(void)sd_event_source_set_time(s, usec + 1000000u / d->conf->meter_rate);
	(void)sd_event_source_set_enabled(s, SD_EVENT_ON);
	return 0;
}

int foh_daemon_start_meters(struct foh_daemon *d)
{
	return sd_event_add_time_relative(d->event, &d->meter_timer, CLOCK_MONOTONIC,
			1000000u / d->conf->meter_rate, 1000, on_meter_timer, d);
}

static int on_save_timer(sd_event_source *s, uint64_t usec, void *data)
{
	return foh_daemon_flush_save(data);
}

void foh_daemon_schedule_save(struct foh_daemon *d)
{
	/* Already pending: that write will carry this change too, so a drag
	 * of a fader writes at most once per SAVE_DEBOUNCE_USEC. */
	if (d->save_pending && !d->unsaved)
		return;
	/* after a failed save, a new change tries again soon */
	d->save_pending = true;
	if (d->save_timer == NULL) {
		if (sd_event_add_time_relative(d->event, &d->save_timer, CLOCK_MONOTONIC,
					SAVE_DEBOUNCE_USEC, 1000, on_save_timer, d) < 0)
			foh_error("cannot schedule saving the settings");
		return;
	}
	(void)sd_event_source_set_time_relative(d->save_timer, SAVE_DEBOUNCE_USEC);
	(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_ONESHOT);
}

char *foh_daemon_save_path(struct foh_daemon *d)
{
	return d->cli_config ? g_strdup(d->cli_config) : foh_conf_user_path();
}

/* The save is known to fail when the file is there but is not a regular
 * file, or the nearest existing directory on its way is not a directory
 * fohd may write (read-only file system, permissions, a file in the way). */
static int save_possible(const char *path, char **why)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		*why = g_strdup_printf("%s is not a regular file", path);
		return -EISDIR;
	}
	for (;;) {
		char *up;

		if (stat(dir, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				*why = g_strdup_printf("%s is not a directory", dir);
				return -ENOTDIR;
			}
			if (access(dir, W_OK | X_OK) < 0) {
				int res = -errno;
				*why = g_strdup_printf("%s: %s", dir, strerror(errno));
				return res;
			}
			return 0;
		}
		if (errno != ENOENT) {
			int res = -errno;
			*why = g_strdup_printf("%s: %s", dir, strerror(errno));
			return res;
		}
		up = g_path_get_dirname(dir);
		if (strcmp(up, dir) == 0) {
			g_free(up);
			*why = g_strdup_printf("%s: no such directory", dir);
			return -ENOENT;
		}
		g_free(dir);
		dir = up;
	}
}

int foh_daemon_check_save(struct foh_daemon *d, sd_bus_error *error)
{
	g_autofree char *path = foh_daemon_save_path(d), *why = NULL;
	int res = save_possible(path, &why);

	if (res < 0)
		return sd_bus_error_setf(error, FOH_ERROR_CANNOT_SAVE,
				"the settings cannot be saved (%s); nothing was changed", why);
	return 0;
}

static void save_failed(struct foh_daemon *d, const char *path, int res)
{
	g_autofree char *reason = g_strdup_printf("cannot save the settings to %s: %s",
			path, strerror(-res));
	bool was = d->unsaved;

	foh_error("%s; the changes live in memory only, retrying in %d s", reason,
			SAVE_RETRY_USEC / 1000000);
	d->unsaved = true;
	/* try again later; a new change also tries again */
	d->save_pending = true;
	if (d->save_timer != NULL && !d->stopping) {
		(void)sd_event_source_set_time_relative(d->save_timer, SAVE_RETRY_USEC);
		(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_ONESHOT);
	}
	if (d->stopping || d->bus == NULL)
		return;
	if (!was)
		foh_announce_manager(d, "UnsavedChanges", NULL);
	if (d->hooks && d->hooks->save_failed)
		d->hooks->save_failed(d, reason);
}

int foh_daemon_flush_save(struct foh_daemon *d)
{
	g_autofree char *path = NULL;
	int res;

	if (!d->save_pending)
		return 0;
	d->save_pending = false;
	if (d->save_timer != NULL)
		(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_OFF);
	path = foh_daemon_save_path(d);
	if ((res = foh_conf_save(d->conf, path)) < 0) {
		save_failed(d, path, res);
		return 0;
	}
	foh_debug("saved the settings to %s", path);
	if (d->saved != NULL) {
		struct foh_conf *copy = foh_conf_dup(d->conf);
		if (copy != NULL) {
			foh_conf_free(d->saved);
			d->saved = copy;
		}
	}
	if (d->unsaved) {
		d->unsaved = false;
		foh_info("saved the settings to %s again", path);
		foh_announce_manager(d, "UnsavedChanges", NULL);
	}
	if (g_strcmp0(d->conf->path, path) != 0) {
		free(d->conf->path);
		d->conf->path = strdup(path);
		foh_announce_manager(d, "ConfigPath", NULL);
	}
	return 0;
}

void foh_daemon_cancel_save(struct foh_daemon *d)
{
	d->save_pending = false;
	if (d->save_timer != NULL)
		(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_OFF);
}
