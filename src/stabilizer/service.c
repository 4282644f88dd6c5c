/* fohd's level stabilizer. X32 mode: runs the loop of stabilizer/loop.c
 * every interval on the main loop, on the X32 meter of the output it rides
 * (or a foh channel's loudness), writing that fader. Local mode (output
 * channel/N): the channel's own RT leveler (dsp/leveler.h, in the strip
 * after the width and before the limiter) does the work, sample-smooth and
 * per 50 ms block, which a fader loop at interval-s cannot match (the
 * benchmark bench-leveler.sh shows the two side by side); the stabilizer
 * switches it on at target-db (as LUFS) with silence-db as its gate, laid
 * over the channel's settings and never saved (its largest boost and cut
 * are the channel's leveler-max-boost/-cut, 20 and 40 dB by default, as
 * its speed and look-ahead are the channel's: no fader moves, so the fader
 * range, whose top is the X32's +10 dB, does not bound it), and reports
 * its state, gain and the channel's short-term loudness every interval.
 * The channel's Gain is never touched by the loop; stopping takes the
 * overlay away. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/daemon.h"
#include "util/log.h"

#define GAIN_MIN_DB -60.0
#define GAIN_MAX_DB 24.0

static const struct foh_stabilizer_settings *cfg(struct foh_daemon *d)
{
	return &d->conf->stabilizer;
}

/* channel/N → N (1-based) when that channel exists, else 0. */
static uint32_t local_channel(struct foh_daemon *d, const char *s)
{
	unsigned n;

	if (sscanf(s, "channel/%u", &n) == 1 && n >= 1 && n <= d->n_channels)
		return n;
	return 0;
}

/* Local mode: the leveler overlay on (or off, with 0) for channel ch. */
static void set_overlay(struct foh_daemon *d, uint32_t ch)
{
	uint32_t was = d->stab_leveler_channel;

	d->stab_leveler_channel = ch;
	d->stab_leveler_target = cfg(d)->p.target_db;
	d->stab_leveler_gate = fmin(fmax(cfg(d)->p.silence_db, -90.0), -20.0);
	if (was != 0 && was != ch && was <= d->n_channels && d->channels[was - 1] != NULL)
		(void)foh_daemon_channel_apply(d, was, false);
	if (ch != 0 && ch <= d->n_channels && d->channels[ch - 1] != NULL)
		(void)foh_daemon_channel_apply(d, ch, false);
}

static enum foh_stab_state leveler_state(int st)
{
	switch ((enum foh_leveler_state)st) {
	case FOH_LEVELER_TRACKING: return FOH_STAB_TRACKING;
	case FOH_LEVELER_SCENE: return FOH_STAB_SCENE_CHANGE;
	case FOH_LEVELER_PAUSE: return FOH_STAB_SILENCE;
	case FOH_LEVELER_COLD: break;
	}
	return FOH_STAB_SETTLING;
}

/* Local mode's tick: what the channel's leveler did. */
static void read_leveler(struct foh_daemon *d, uint32_t ch, struct foh_stab_output *out)
{
	struct foh_channel_slot *slot = d->channels[ch - 1];

	memset(out, 0, sizeof(*out));
	if (slot == NULL || !foh_channel_is_connected(slot->channel)) {
		out->state = FOH_STAB_BLIND;
		out->fader_db = out->level_db = out->output_db = NAN;
		return;
	}
	out->state = leveler_state(slot->levels.leveler_state);
	out->fader_db = slot->levels.leveler_gain_db;
	out->output_db = slot->levels.lufs_s > -120.0f ? slot->levels.lufs_s : -INFINITY;
	out->level_db = out->output_db - out->fader_db;
}

static void effective_params(struct foh_daemon *d, struct foh_stab_params *p)
{
	*p = cfg(d)->p;
	if (local_channel(d, cfg(d)->output)) {
		p->meter_point = FOH_STAB_PRE;
		p->fader_min_db = fmax(p->fader_min_db, GAIN_MIN_DB);
		p->fader_max_db = fmin(p->fader_max_db, 10.0);
	}
}

static int current_fader(struct foh_daemon *d, double *db)
{
	struct foh_x32_output o;
	uint32_t ch = local_channel(d, cfg(d)->output);

	if (ch) {
		*db = d->conf->channel[ch - 1].gain;
		return 0;
	}
	if (foh_x32_output_parse(cfg(d)->output, &o) < 0)
		return -EINVAL;
	return foh_x32_fader_db(d->x32, &o, db);
}

static void read_level(struct foh_daemon *d, struct foh_stab_reading *r)
{
	uint32_t ch = local_channel(d, cfg(d)->source);
	struct foh_x32_output o;

	r->valid = false;
	r->level_db = -INFINITY;
	if (ch) {
		struct foh_channel_slot *slot = d->channels[ch - 1];
		if (slot != NULL && foh_channel_is_connected(slot->channel)) {
			r->valid = true;
			r->level_db = slot->levels.lufs_m_in > -120.0f ? slot->levels.lufs_m_in : -INFINITY;
		}
		return;
	}
	if (foh_x32_state(d->x32) == FOH_X32_CONNECTED &&
	    foh_x32_output_parse(cfg(d)->output, &o) == 0 &&
	    foh_x32_level_db(d->x32, &o, &r->level_db) == 0)
		r->valid = true;
}

/* Puts the loop's fader on its actuator. */
static int actuate(struct foh_daemon *d, double db)
{
	uint32_t ch = local_channel(d, cfg(d)->output);
	struct foh_x32_output o;
	double applied;

	if (ch) {
		struct foh_channel_settings *s = &d->conf->channel[ch - 1];
		s->gain = fmin(fmax(db, GAIN_MIN_DB), GAIN_MAX_DB);
		(void)foh_channel_apply(d->channels[ch - 1]->channel, s);
		foh_announce_channel(d, ch, "Gain");
		return 0;
	}
	if (foh_x32_output_parse(cfg(d)->output, &o) < 0)
		return -EINVAL;
	return foh_x32_set_fader(d->x32, &o, db, &applied);
}

static void publish(struct foh_daemon *d, const struct foh_stab_output *out)
{
	bool state_changed = out->state != d->stab_out.state;

	d->stab_out = *out;
	if (state_changed)
		foh_announce_stabilizer(d, "State");
}

static int on_tick(sd_event_source *s, uint64_t usec, void *data)
{
	struct foh_daemon *d = data;
	struct foh_stab_reading r;
	struct foh_stab_output out;
	uint32_t ch = local_channel(d, cfg(d)->output);

	if (ch) {
		read_leveler(d, ch, &out);
		publish(d, &out);
		(void)sd_event_source_set_time(s, usec + (uint64_t)(cfg(d)->p.interval_s * 1e6));
		return sd_event_source_set_enabled(s, SD_EVENT_ON);
	}
	read_level(d, &r);
	foh_stab_step(&d->stab, &r, &out);
	/* blind never writes; the loop says so, and the desk is checked again */
	if (out.write && out.state != FOH_STAB_BLIND && actuate(d, out.fader_db) < 0)
		foh_debug("stabilizer: fader write failed");
	publish(d, &out);
	(void)sd_event_source_set_time(s, usec + (uint64_t)(cfg(d)->p.interval_s * 1e6));
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static void stop(struct foh_daemon *d)
{
	struct foh_stab_output out;

	if (!d->stab_running)
		return;
	if (d->stab_leveler_channel != 0) {
		set_overlay(d, 0);
		d->stab_running = false;
		(void)sd_event_source_set_enabled(d->stab_timer, SD_EVENT_OFF);
		memset(&out, 0, sizeof(out));
		out.state = FOH_STAB_IDLE;
		publish(d, &out);
		foh_info("stabilizer: stopped, the channel's leveler back to its own setting");
		return;
	}
	foh_stab_stop(&d->stab, &out);
	/* back to the fader as it was read, not its nearest desk step: a
	 * channel's gain is no desk fader, and 0 dB must come back as 0 */
	out.fader_db = d->stab_start_db;
	if (out.write)
		(void)actuate(d, out.fader_db);
	d->stab_running = false;
	(void)sd_event_source_set_enabled(d->stab_timer, SD_EVENT_OFF);
	out.state = FOH_STAB_IDLE;
	publish(d, &out);
	foh_info("stabilizer: stopped, fader back at %.1f dB", out.fader_db);
}

static int start(struct foh_daemon *d)
{
	struct foh_stab_params p;
	double fader;
	int r;

	if (current_fader(d, &fader) < 0) {
		foh_warn("stabilizer: the fader of %s is not known yet; waiting", cfg(d)->output);
		return -EAGAIN;
	}
	effective_params(d, &p);
	if ((r = foh_stab_init(&d->stab, &p)) < 0 || (r = foh_stab_start(&d->stab, fader)) < 0)
		return r;
	if (local_channel(d, cfg(d)->output))
		set_overlay(d, local_channel(d, cfg(d)->output));
	d->stab_start_db = fader;
	if (d->stab_timer == NULL)
		r = sd_event_add_time_relative(d->event, &d->stab_timer, CLOCK_MONOTONIC,
				(uint64_t)(p.interval_s * 1e6), 1000, on_tick, d);
	else
		r = sd_event_source_set_time_relative(d->stab_timer, (uint64_t)(p.interval_s * 1e6));
	if (r < 0)
		return r;
	(void)sd_event_source_set_enabled(d->stab_timer, SD_EVENT_ON);
	d->stab_running = true;
	foh_info("stabilizer: riding %s from %s at %.1f dB, target %.1f", cfg(d)->output,
			cfg(d)->source, fader, p.target_db);
	return 0;
}

int foh_daemon_stabilizer_changed(struct foh_daemon *d, bool persist)
{
	const struct foh_stabilizer_settings *was = &d->stab_applied;
	struct foh_stab_params p;
	int r = 0;

	/* a new source, output, mode or meter point is a new loop */
	if (d->stab_running && (!cfg(d)->enabled ||
				strcmp(was->source, cfg(d)->source) != 0 ||
				strcmp(was->output, cfg(d)->output) != 0 ||
				was->p.mode != cfg(d)->p.mode ||
				was->p.meter_point != cfg(d)->p.meter_point))
		stop(d);
	if (d->stab_running) {
		effective_params(d, &p);
		r = foh_stab_set(&d->stab, &p);
		if (d->stab_leveler_channel != 0)
			set_overlay(d, d->stab_leveler_channel);	/* a new target */
	} else if (cfg(d)->enabled) {
		r = start(d);
	}
	d->stab_applied = *cfg(d);
	foh_daemon_channels_meter_input(d);
	if (persist)
		foh_daemon_schedule_save(d);
	return r == -EAGAIN ? 0 : r;
}

int foh_daemon_stabilizer_set_fader(struct foh_daemon *d, double db)
{
	struct foh_stab_output out;
	int r;

	if (!d->stab_running)
		return actuate(d, db);
	if ((r = foh_stab_set_fader(&d->stab, db, &out)) < 0)
		return r;
	if (out.write && (r = actuate(d, out.fader_db)) < 0)
		return r;
	publish(d, &out);
	return 0;
}

void foh_daemon_stabilizer_fader_moved(struct foh_daemon *d, const char *id, double db)
{
	if (d->stab_running && strcmp(id, cfg(d)->output) == 0)
		(void)foh_stab_fader_moved(&d->stab, db);
}

void foh_daemon_stabilizer_free(struct foh_daemon *d)
{
	stop(d);
	d->stab_timer = sd_event_source_disable_unref(d->stab_timer);
	sd_bus_slot_unref(d->stabilizer_slot);
}
