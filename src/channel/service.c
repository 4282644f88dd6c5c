/* fohd's channels: creating, rebuilding and removing them to match the
 * config (at start and on hot reload), connecting their streams when
 * PipeWire is there, the meter timer that reads their levels and timing and
 * hands them to hooks->channel_levels. Main thread only. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/daemon.h"
#include "util/log.h"

void foh_daemon_channel_effective(const struct foh_daemon *d, uint32_t index,
		struct foh_channel_settings *out)
{
	*out = d->conf->channel[index - 1];
	if (d->stab_leveler_channel != index)
		return;
	out->leveler_enabled = true;
	out->leveler_target = d->stab_leveler_target;
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

/* The stabilizer reads a channel's input loudness when its source is that
 * channel; no other reader, so other channels do not meter it. */
static bool slot_meters_input(const struct foh_daemon *d, const struct foh_channel_slot *slot)
{
	unsigned int n;

	return sscanf(d->conf->stabilizer.source, "channel/%u", &n) == 1 && n == slot->index;
}

void foh_daemon_channels_meter_input(struct foh_daemon *d)
{
	for (uint32_t i = 0; i < d->n_channels; i++)
		if (d->channels[i] != NULL)
			foh_channel_meter_input(d->channels[i]->channel,
					slot_meters_input(d, d->channels[i]));
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
	foh_channel_meter_input(slot->channel, slot_meters_input(d, slot));
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
		/* what the file says: nothing to save (a save here could land
		 * after the user's next edit of the file and undo it) */
		(void)foh_daemon_channel_apply(d, i + 1,
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

int foh_daemon_channel_apply(struct foh_daemon *d, uint32_t index, bool structural)
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
	return res;
}

int foh_daemon_channel_changed(struct foh_daemon *d, uint32_t index, bool structural)
{
	int res = foh_daemon_channel_apply(d, index, structural);

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

#define SLOW_USEC (1000 * 1000)
#define NONFINITE_USEC (60ull * 1000 * 1000)

/* A client sending NaN, infinity or absurd values: the strip made those
 * samples silence (it would otherwise lose the channel for good); say so,
 * once a minute at most while it goes on. */
static void tell_nonfinite(struct foh_channel_slot *slot, uint64_t now)
{
	uint64_t n = slot->levels.nonfinite;

	if (n < slot->nonfinite_told)
		slot->nonfinite_told = 0;	/* a new strip counts from 0 */
	if (n <= slot->nonfinite_told ||
	    (slot->nonfinite_at != 0 && now - slot->nonfinite_at < NONFINITE_USEC))
		return;
	foh_warn("channel %u: %llu input samples were no audio (NaN, infinity or beyond "
			"+96 dBFS) and were played as silence; the client playing into it "
			"sends broken audio",
			slot->index, (unsigned long long)(n - slot->nonfinite_told));
	slot->nonfinite_told = n;
	slot->nonfinite_at = now;
}

/* Nothing for the tick to follow at its rate: every connected channel
 * quiet (its silence announced) with nothing pending, the analyzer and the
 * decks inactive, no content detection. */
static bool all_idle(struct foh_daemon *d)
{
	if ((d->analyzer != NULL && foh_analyzer_active(d->analyzer)) ||
	    (d->decks != NULL && foh_decks_active(d->decks)))
		return false;
	for (uint32_t i = 0; i < d->n_channels; i++) {
		struct foh_channel_slot *slot = d->channels[i];

		if (foh_channel_settings(slot->channel)->content_enabled)
			return false;
		if (foh_channel_is_connected(slot->channel) && slot->quiet_ticks != UINT32_MAX)
			return false;
	}
	return true;
}

/* Slows the tick to 1 Hz once all is idle; each channel wakes it with its
 * first levels. Armed first, then checked: levels published in between are
 * seen here (the next tick at full rate), levels after arming wake it. */
static bool go_slow(struct foh_daemon *d)
{
	if (d->meter_wake == NULL || !all_idle(d))
		return false;
	for (uint32_t i = 0; i < d->n_channels; i++)
		foh_channel_arm_wake(d->channels[i]->channel, d->meter_wake_fd);
	for (uint32_t i = 0; i < d->n_channels; i++)
		if (foh_channel_levels_pending(d->channels[i]->channel))
			return false;
	return true;
}

static int on_meter_wake(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct foh_daemon *d = data;
	uint64_t n;
	uint64_t now;

	(void)!read(fd, &n, sizeof(n));
	if (!d->meters_slow)
		return 0;
	/* a channel runs again: tick now, then at the full rate */
	d->meters_slow = false;
	if (sd_event_now(d->event, CLOCK_MONOTONIC, &now) < 0)
		return 0;
	(void)sd_event_source_set_time(d->meter_timer, now);
	return sd_event_source_set_enabled(d->meter_timer, SD_EVENT_ON);
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
		tell_nonfinite(slot, usec);
	}
	update_cpu_load(d);
	foh_daemon_analyzer_update_active(d);
	foh_daemon_content_sync(d);
	/* Timer sources fire once: re-arm for the next tick at the current
	 * rate, or at 1 Hz while all is idle (a channel's levels wake it) */
	d->meters_slow = go_slow(d);
	(void)sd_event_source_set_time(s, usec + (d->meters_slow ? SLOW_USEC :
				1000000u / d->conf->meter_rate));
	(void)sd_event_source_set_enabled(s, SD_EVENT_ON);
	return 0;
}

int foh_daemon_start_meters(struct foh_daemon *d)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), r;

	/* without the wake the tick just keeps its full rate */
	if (fd < 0) {
		foh_warn("meters: no eventfd (%s): the meter tick stays at its rate", strerror(errno));
	} else if ((r = sd_event_add_io(d->event, &d->meter_wake, fd, EPOLLIN, on_meter_wake, d)) < 0) {
		foh_warn("meters: cannot watch the wake eventfd: %s", strerror(-r));
		close(fd);
	} else {
		(void)sd_event_source_set_io_fd_own(d->meter_wake, true);
		d->meter_wake_fd = fd;
	}
	return sd_event_add_time_relative(d->event, &d->meter_timer, CLOCK_MONOTONIC,
			1000000u / d->conf->meter_rate, 1000, on_meter_timer, d);
}

