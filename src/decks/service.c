/* fohd's decks: the mixer node (deck.c), one loader per deck
 * (decks/loader.c), their objects' coming and going (hooks), the BPM glide (bpm-glide.c) and
 * the transport (load, cue, play, stop, seek, group start, fade). Main
 * thread only. Reads [decks] and [deck.a] .. [deck.d] (decks/settings.h).
 *
 * A 50 ms timer advances the BPM glide, hands each deck its tempo ratio
 * (TempoRatio, or CurrentBpm / TrackBpm while following), and announces
 * what the data thread changed (Playing, Underruns, Crossfader during a
 * fade). Loads finish on the loaders' threads and are answered here (an
 * eventfd wakes the loop) and handed back through hooks->deck_loaded, so
 * Load's reply waits for the decode. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "core/daemon.h"
#include "dsp/killeq.h"
#include "util/log.h"

#define TICK_USEC	50000u

static struct foh_deck_settings *cfg(struct foh_deck_slot *s)
{
	return &s->daemon->conf->deck[s->index];
}

static double now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint32_t graph_rate(struct foh_daemon *d)
{
	uint32_t r = foh_decks_rate(d->decks);

	if (r == 0)
		r = foh_engine_sample_rate(d->engine);
	return r ? r : 48000;
}

static enum foh_deck_method method_of(const struct foh_deck_settings *c)
{
	return strcmp(c->stretch_method, "rubberband") == 0 ?
		FOH_DECK_METHOD_RUBBERBAND : FOH_DECK_METHOD_RATE;
}

/* Following the BPM, a deck with a TrackBpm plays at CurrentBpm /
 * TrackBpm; one without is stretched like the whole Crowdstream mix, by
 * CurrentBpm / 120 on top of its TempoRatio. */
double foh_daemon_deck_ratio(struct foh_deck_slot *s)
{
	struct foh_daemon *d = s->daemon;
	double r = cfg(s)->tempo_ratio;

	if (d->conf->decks.follow_bpm)
		r = cfg(s)->track_bpm > 0.0 ? d->glide.current / cfg(s)->track_bpm :
			r * d->glide.current / FOH_BPM_BASE;
	return r < 0.5 ? 0.5 : r > 2.0 ? 2.0 : r;
}

static void apply_rt(struct foh_deck_slot *s)
{
	const struct foh_deck_settings *c = cfg(s);
	struct foh_deck_rt_params p = { .gain_db = (float)c->gain };

	foh_killeq_default_params(&p.eq);
	p.eq.gain_db[FOH_KILLEQ_LOW] = (float)c->eq_low_db;
	p.eq.gain_db[FOH_KILLEQ_MID] = (float)c->eq_mid_db;
	p.eq.gain_db[FOH_KILLEQ_HIGH] = (float)c->eq_high_db;
	if (foh_decks_set(s->daemon->decks, s->index, &p) < 0)
		foh_warn("deck %c: cannot apply its settings", s->letter);
}

static void apply_ratio(struct foh_deck_slot *s)
{
	double r = foh_daemon_deck_ratio(s);

	if (r != s->ratio_sent) {
		foh_deck_loader_set_ratio(s->loader, r);
		s->ratio_sent = r;
		foh_announce_deck(s, "EffectiveTempoRatio", NULL);
	}
}

static int start_one(struct foh_deck_slot *s, uint32_t gen)
{
	uint32_t gens[FOH_DECKS_MAX] = { 0 };

	gens[s->index] = gen;
	return foh_decks_start(s->daemon->decks, 1u << s->index, gens);
}

/* ---- transport ---------------------------------------------------------- */

int foh_daemon_deck_load(struct foh_deck_slot *s, const char *path, double start,
		void *request, char **why)
{
	double duration;
	int r;

	if (s->loading) {
		*why = strdup("a load is already in progress on this deck");
		return -EBUSY;
	}
	if ((r = foh_deck_probe(path, &duration, why)) < 0)
		return r;
	if (!isfinite(start) || start < 0.0 || start >= duration) {
		if (asprintf(why, "start %g s is outside the track (0 .. %g s)", start, duration) < 0)
			*why = NULL;
		return -ERANGE;
	}
	s->load_gen = foh_deck_loader_load(s->loader, path, start, graph_rate(s->daemon));
	s->loading = true;
	snprintf(s->loading_path, sizeof(s->loading_path), "%s", path);
	s->play_pending = false;
	s->cue_pos = start;
	s->load_request = request;
	return 0;
}

int foh_daemon_deck_play(struct foh_deck_slot *s, char **why)
{
	struct foh_deck_status st;

	if (s->loading) {
		/* starts on the first sample once the track is there */
		s->play_pending = true;
		return start_one(s, s->load_gen);
	}
	if (s->path[0] == '\0') {
		*why = strdup("no track is loaded; call Load first");
		return -ENOENT;
	}
	foh_decks_status(s->daemon->decks, s->index, &st);
	if (st.playing || st.starting)
		return 0;
	if (st.ended && !s->cue_valid)
		/* played to its end: start it again */
		return start_one(s, foh_deck_loader_seek(s->loader, 0.0));
	return start_one(s, foh_deck_loader_gen(s->loader));
}

int foh_daemon_deck_stop(struct foh_deck_slot *s)
{
	s->play_pending = false;
	return foh_decks_stop(s->daemon->decks, s->index);
}

int foh_daemon_deck_seek(struct foh_deck_slot *s, double seconds, char **why)
{
	struct foh_deck_status st;
	uint32_t gen;

	if (s->path[0] == '\0' && !s->loading) {
		*why = strdup("no track is loaded; call Load first");
		return -ENOENT;
	}
	if (!isfinite(seconds) || seconds < 0.0 || (!s->loading && seconds >= s->duration)) {
		if (asprintf(why, "%g s is outside the track (0 .. %g s)", seconds, s->duration) < 0)
			*why = NULL;
		return -ERANGE;
	}
	foh_decks_status(s->daemon->decks, s->index, &st);
	gen = foh_deck_loader_seek(s->loader, seconds);
	s->cue_pos = seconds;
	s->cue_valid = true;
	if (st.playing || st.starting)
		return start_one(s, gen);
	return 0;
}

double foh_daemon_deck_position(struct foh_deck_slot *s)
{
	struct foh_deck_status st;

	foh_decks_status(s->daemon->decks, s->index, &st);
	if (s->cue_valid && !st.playing)
		return s->cue_pos;
	return st.position;
}

/* The generation deck s starts with from where it is (Play's choice). */
static uint32_t gen_here(struct foh_deck_slot *s)
{
	struct foh_deck_status st;

	if (s->loading)
		return s->load_gen;
	foh_decks_status(s->daemon->decks, s->index, &st);
	if (st.ended && !s->cue_valid)
		return foh_deck_loader_seek(s->loader, 0.0);
	return foh_deck_loader_gen(s->loader);
}

/* start < 0: every deck from where it is (its cue point, or where it
 * stopped); else every deck from start seconds into its track. */
int foh_daemon_decks_start_group(struct foh_daemon *d, uint32_t mask, double start, char **why)
{
	uint32_t gens[FOH_DECKS_MAX] = { 0 };
	bool here = start < 0.0;

	for (uint32_t i = 0; i < d->n_decks; i++) {
		struct foh_deck_slot *s = d->deck[i];
		if (!(mask & (1u << i)))
			continue;
		if (s->path[0] == '\0' && !s->loading) {
			if (asprintf(why, "deck %c has no track; Load one first", s->letter) < 0)
				*why = NULL;
			return -ENOENT;
		}
		if (!isfinite(start) || (!here && !s->loading && start >= s->duration)) {
			if (asprintf(why, "start %g s is outside deck %c's track (0 .. %g s)", start,
						s->letter, s->duration) < 0)
				*why = NULL;
			return -ERANGE;
		}
	}
	for (uint32_t i = 0; i < d->n_decks; i++) {
		if (!(mask & (1u << i)))
			continue;
		d->deck[i]->play_pending = d->deck[i]->loading;
		if (here) {
			gens[i] = gen_here(d->deck[i]);
			continue;
		}
		gens[i] = foh_deck_loader_seek(d->deck[i]->loader, start);
		d->deck[i]->cue_pos = start;
		d->deck[i]->cue_valid = true;
	}
	return foh_decks_start(d->decks, mask, gens);
}

int foh_daemon_decks_fade_to(struct foh_daemon *d, uint32_t deck, double start, double seconds,
		char **why)
{
	struct foh_deck_slot *s = d->deck[deck];
	struct foh_deck_status st;
	int r;

	if (deck > 1) {
		*why = strdup("the crossfader runs between decks a and b");
		return -EINVAL;
	}
	if (!d->conf->decks.crossfader_enabled) {
		*why = strdup("the crossfader is off; set CrossfaderEnabled first");
		return -EINVAL;
	}
	if (!isfinite(seconds) || seconds < 0.0 || seconds > 600.0) {
		*why = strdup("duration must be 0 .. 600 s");
		return -ERANGE;
	}
	foh_decks_status(d->decks, deck, &st);
	if (!st.playing && !st.starting) {
		if ((r = foh_daemon_deck_seek(s, start, why)) < 0 ||
		    (r = foh_daemon_deck_play(s, why)) < 0)
			return r;
	}
	return foh_decks_crossfade(d->decks, deck == 0 ? 0.0 : 1.0, seconds);
}

int foh_daemon_deck_fade_gain(struct foh_deck_slot *s, double gain_db, double seconds,
		char **why)
{
	if (!isfinite(gain_db) || gain_db < -80.0 || gain_db > 12.0) {
		*why = strdup("gain must be -80 .. 12 dB");
		return -ERANGE;
	}
	if (!isfinite(seconds) || seconds < 0.0 || seconds > 600.0) {
		*why = strdup("duration must be 0 .. 600 s");
		return -ERANGE;
	}
	/* Gain is where the deck is going; the ramp is the data thread's */
	cfg(s)->gain = gain_db;
	if (foh_decks_fade_gain(s->daemon->decks, s->index, gain_db, seconds) < 0)
		apply_rt(s);
	foh_daemon_schedule_save(s->daemon);
	foh_announce_deck(s, "Gain", NULL);
	return 0;
}

/* ---- BPM ------------------------------------------------------------------ */

static void retarget(struct foh_daemon *d)
{
	double t = d->target_bpm_override > 0.0 ? d->target_bpm_override :
		foh_bpm_for_movement(d->movement);

	if (t != d->glide.target) {
		foh_bpm_glide_set_target(&d->glide, t, now_sec());
		foh_announce_mixer(d, "TargetBpm", NULL);
	}
}

void foh_daemon_decks_set_movement(struct foh_daemon *d, double level)
{
	d->movement = level;
	foh_announce_mixer(d, "Movement", NULL);
	retarget(d);
}

void foh_daemon_decks_set_target_bpm(struct foh_daemon *d, double bpm)
{
	d->target_bpm_override = bpm;
	retarget(d);
}

/* CurrentBpm at once (Crowdstream's /set_tempo); it stays there until
 * the movement (or an overriding TargetBpm) asks for another. */
void foh_daemon_decks_set_current_bpm(struct foh_daemon *d, double bpm)
{
	double now = now_sec();

	foh_bpm_glide_jump(&d->glide, bpm, now);
	if (d->target_bpm_override <= 0.0 && d->glide.target != bpm) {
		foh_bpm_glide_set_target(&d->glide, bpm, now);
		foh_announce_mixer(d, "TargetBpm", NULL);
	}
	d->bpm_announced = d->glide.current;
	foh_announce_mixer(d, "CurrentBpm", NULL);
	for (uint32_t i = 0; i < d->n_decks; i++)
		apply_ratio(d->deck[i]);
}

/* ---- what the threads changed --------------------------------------------- */

static void announce(struct foh_deck_slot *s)
{
	struct foh_deck_status st;

	foh_decks_status(s->daemon->decks, s->index, &st);
	if (st.playing && s->cue_valid)
		s->cue_valid = false;
	if (st.playing != s->last.playing)
		foh_announce_deck(s, "Playing", NULL);
	if (st.underruns != s->last.underruns)
		foh_announce_deck(s, "Underruns", NULL);
	s->last = st;
}

static int on_tick(sd_event_source *es, uint64_t usec, void *data)
{
	struct foh_daemon *d = data;
	double bpm = foh_bpm_glide_update(&d->glide, now_sec()), xf;

	if (fabs(bpm - d->bpm_announced) >= 0.05 || (bpm == d->glide.target && bpm != d->bpm_announced)) {
		d->bpm_announced = bpm;
		foh_announce_mixer(d, "CurrentBpm", NULL);
	}
	xf = foh_decks_crossfader(d->decks);
	if (fabs(xf - d->xf_announced) >= 0.01 || (xf != d->xf_announced && (xf == 0.0 || xf == 1.0))) {
		d->xf_announced = xf;
		foh_announce_mixer(d, "Crossfader", NULL);
	}
	for (uint32_t i = 0; i < d->n_decks; i++) {
		apply_ratio(d->deck[i]);
		announce(d->deck[i]);
	}
	foh_decks_update_active(d->decks);
	return sd_event_source_set_time_relative(es, TICK_USEC);
}

static void finish_load(struct foh_deck_slot *s, const struct foh_deck_load_result *res)
{
	void *request = s->load_request;
	struct foh_daemon *d = s->daemon;

	if (res->gen != s->load_gen)
		return;
	s->loading = false;
	s->load_request = NULL;
	if (res->error == 0) {
		memcpy(s->path, s->loading_path, sizeof(s->path));
		s->duration = res->duration;
		s->cue_valid = true;
		foh_announce_deck(s, "Path", "Duration", "LatencySec", NULL);
	} else {
		foh_warn("deck %c: %s", s->letter, res->message);
		if (s->play_pending)
			(void)foh_decks_stop(s->daemon->decks, s->index);
	}
	s->play_pending = false;
	if (request != NULL && d->hooks && d->hooks->deck_loaded)
		d->hooks->deck_loaded(s, request, res->error, res->message);
}

static int on_notify(sd_event_source *es, int fd, uint32_t revents, void *data)
{
	struct foh_daemon *d = data;
	struct foh_deck_load_result res;
	uint64_t v;

	(void)!read(fd, &v, sizeof(v));
	for (uint32_t i = 0; i < d->n_decks; i++)
		while (foh_deck_loader_take_result(d->deck[i]->loader, &res))
			finish_load(d->deck[i], &res);
	return 0;
}

/* ---- settings --------------------------------------------------------------- */

/* Puts one changed deck setting to work (no save: see the callers). */
static void apply_deck(struct foh_deck_slot *s, const char *property)
{
	const struct foh_deck_settings *c = cfg(s);
	struct foh_deck_status st;

	if (strcmp(property, "StretchMethod") == 0) {
		foh_deck_loader_set_method(s->loader, method_of(c));
		if (s->path[0] != '\0' && !s->loading) {
			/* the new stage starts where the deck is */
			double at = foh_daemon_deck_position(s);
			uint32_t gen = foh_deck_loader_seek(s->loader, at < s->duration ? at : 0.0);
			foh_decks_status(s->daemon->decks, s->index, &st);
			if (st.playing || st.starting)
				(void)start_one(s, gen);
		}
		foh_announce_deck(s, "LatencySec", NULL);
	} else if (strcmp(property, "Loop") == 0) {
		foh_deck_loader_set_loop(s->loader, c->loop);
	} else if (strcmp(property, "TempoRatio") == 0 || strcmp(property, "TrackBpm") == 0) {
		apply_ratio(s);
	} else {
		apply_rt(s);
	}
}

int foh_daemon_deck_changed(struct foh_deck_slot *s, const char *property)
{
	apply_deck(s, property);
	foh_daemon_schedule_save(s->daemon);
	return 0;
}

static void apply_mixer(struct foh_daemon *d, const char *property)
{
	const struct foh_decks_settings *c = &d->conf->decks;

	if (strcmp(property, "Output") == 0) {
		foh_daemon_decks_connection(d, false);
		foh_daemon_decks_connection(d, foh_engine_connected(d->engine));
	} else if (strcmp(property, "Crossfader") == 0) {
		/* a few ms so that a jump does not click */
		(void)foh_decks_crossfade(d->decks, c->crossfader, 0.01);
	} else if (strcmp(property, "CrossfaderEnabled") == 0) {
		(void)foh_decks_set_crossfader_enabled(d->decks, c->crossfader_enabled);
	} else if (strcmp(property, "GlideSec") == 0) {
		foh_bpm_glide_set_time(&d->glide, c->glide_sec);
	} else if (strcmp(property, "FollowBpm") == 0) {
		for (uint32_t i = 0; i < d->n_decks; i++)
			apply_ratio(d->deck[i]);
	}
}

int foh_daemon_mixer_changed(struct foh_daemon *d, const char *property)
{
	apply_mixer(d, property);
	foh_daemon_schedule_save(d);
	return 0;
}

/* A reloaded config: every [decks] and [deck.X] key that changed is put to
 * work and announced, as if set over D-Bus (the file is not rewritten). The
 * number of decks is the one thing that waits for the next start. */
void foh_daemon_decks_reloaded(struct foh_daemon *d, const struct foh_conf *prev)
{
	const struct foh_decks_settings *a = &prev->decks, *b = &d->conf->decks;
	static const struct { const char *prop; size_t off; } deck_doubles[] = {
		{ "Gain", offsetof(struct foh_deck_settings, gain) },
		{ "TempoRatio", offsetof(struct foh_deck_settings, tempo_ratio) },
		{ "TrackBpm", offsetof(struct foh_deck_settings, track_bpm) },
		{ "EqLowDb", offsetof(struct foh_deck_settings, eq_low_db) },
		{ "EqMidDb", offsetof(struct foh_deck_settings, eq_mid_db) },
		{ "EqHighDb", offsetof(struct foh_deck_settings, eq_high_db) },
	};

	if (d->decks == NULL)
		return;
	if (a->count != b->count)
		foh_warn("decks: count = %u takes effect when fohd starts again (%u running)",
				b->count, d->n_decks);
#define MIXER_KEY(field, prop) \
	if (a->field != b->field) { apply_mixer(d, prop); foh_announce_mixer(d, prop, NULL); }
	MIXER_KEY(crossfader, "Crossfader")
	MIXER_KEY(glide_sec, "GlideSec")
	MIXER_KEY(follow_bpm, "FollowBpm")
	MIXER_KEY(crossfader_enabled, "CrossfaderEnabled")
#undef MIXER_KEY
	if (strcmp(a->music_dirs, b->music_dirs) != 0)
		foh_announce_mixer(d, "MusicDirs", NULL);
	if (strcmp(a->output, b->output) != 0) {
		apply_mixer(d, "Output");
		foh_announce_mixer(d, "Output", NULL);
	}
	for (uint32_t i = 0; i < d->n_decks; i++) {
		const struct foh_deck_settings *x = &prev->deck[i], *y = &d->conf->deck[i];
		struct foh_deck_slot *s = d->deck[i];
		for (size_t k = 0; k < sizeof(deck_doubles) / sizeof(deck_doubles[0]); k++) {
			if (*(const double *)((const char *)x + deck_doubles[k].off) !=
			    *(const double *)((const char *)y + deck_doubles[k].off)) {
				apply_deck(s, deck_doubles[k].prop);
				foh_announce_deck(s, deck_doubles[k].prop, NULL);
			}
		}
		if (strcmp(x->stretch_method, y->stretch_method) != 0) {
			apply_deck(s, "StretchMethod");
			foh_announce_deck(s, "StretchMethod", NULL);
		}
		if (x->loop != y->loop) {
			apply_deck(s, "Loop");
			foh_announce_deck(s, "Loop", NULL);
		}
	}
}

/* ---- life cycle --------------------------------------------------------------- */

void foh_daemon_decks_connection(struct foh_daemon *d, bool connected)
{
	struct pw_core *core = foh_engine_core(d->engine);
	int r;

	if (d->decks == NULL)
		return;
	if (!connected || core == NULL) {
		foh_decks_disconnect(d->decks);
		/* no cycle reads the rings now: the loaders empty them themselves */
		for (uint32_t i = 0; i < d->n_decks; i++) {
			foh_deck_loader_set_graph_running(d->deck[i]->loader, false);
			(void)foh_decks_stop(d->decks, i);
		}
		return;
	}
	for (uint32_t i = 0; i < d->n_decks; i++)
		foh_deck_loader_set_graph_running(d->deck[i]->loader, true);
	r = foh_decks_connect(d->decks, core, foh_engine_data_loop(d->engine),
			d->conf->decks.output);
	if (r < 0)
		foh_warn("decks: cannot create the foh.decks stream: %s", strerror(-r));
}

static int add_deck(struct foh_daemon *d, uint32_t i)
{
	struct foh_deck_slot *s = calloc(1, sizeof(*s));
	int r;

	if (s == NULL)
		return -ENOMEM;
	d->deck[i] = s;
	s->daemon = d;
	s->index = i;
	s->letter = FOH_DECK_LETTERS[i];
	s->ratio_sent = -1.0;
	snprintf(s->path_prop, sizeof(s->path_prop), FOH_DECK_PATH_PREFIX "%c", s->letter);
	if ((r = foh_deck_loader_new(s->letter, foh_decks_ring(d->decks, i), d->deck_notify_fd,
					&s->loader)) < 0)
		return r;
	foh_deck_loader_set_method(s->loader, method_of(cfg(s)));
	foh_deck_loader_set_loop(s->loader, cfg(s)->loop);
	/* on the bus first: applying the ratio announces it */
	if (d->hooks && d->hooks->deck_added && (r = d->hooks->deck_added(d, s)) < 0)
		return r;
	apply_ratio(s);
	apply_rt(s);
	return 0;
}

int foh_daemon_decks_start(struct foh_daemon *d)
{
	int r;

	foh_bpm_glide_init(&d->glide, d->conf->decks.glide_sec);
	d->bpm_announced = d->glide.current;
	d->xf_announced = d->conf->decks.crossfader;
	if ((r = foh_decks_new(d->conf->decks.count, &d->xruns, &d->decks)) < 0)
		return r;
	(void)foh_decks_crossfade(d->decks, d->conf->decks.crossfader, 0.0);
	(void)foh_decks_set_crossfader_enabled(d->decks, d->conf->decks.crossfader_enabled);
	if ((d->deck_notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0)
		return -errno;
	if ((r = sd_event_add_io(d->event, &d->deck_notify_source, d->deck_notify_fd, EPOLLIN,
					on_notify, d)) < 0 ||
	    (r = sd_event_add_time_relative(d->event, &d->deck_timer, CLOCK_MONOTONIC, TICK_USEC,
					    0, on_tick, d)) < 0 ||
	    (r = sd_event_source_set_enabled(d->deck_timer, SD_EVENT_ON)) < 0)
		return r;
	d->n_decks = SPA_CLAMP(d->conf->decks.count, 1u, (uint32_t)FOH_DECKS_MAX);
	for (uint32_t i = 0; i < d->n_decks; i++)
		if ((r = add_deck(d, i)) < 0)
			return r;
	if (d->hooks && d->hooks->mixer_added && (r = d->hooks->mixer_added(d)) < 0)
		return r;
	foh_daemon_decks_connection(d, foh_engine_connected(d->engine));
	return 0;
}

void foh_daemon_decks_free(struct foh_daemon *d)
{
	if (d->decks != NULL)
		foh_decks_disconnect(d->decks);
	for (uint32_t i = 0; i < FOH_DECKS_MAX; i++) {
		struct foh_deck_slot *s = d->deck[i];
		if (s == NULL)
			continue;
		foh_deck_loader_free(s->loader);
		sd_bus_slot_unref(s->bus_slot);
		if (s->load_request != NULL && d->hooks && d->hooks->deck_loaded)
			d->hooks->deck_loaded(s, s->load_request, -ECANCELED, "fohd is stopping");
		free(s);
		d->deck[i] = NULL;
	}
	d->n_decks = 0;
	sd_bus_slot_unref(d->mixer_slot);
	d->mixer_slot = NULL;
	sd_event_source_disable_unref(d->deck_timer);
	sd_event_source_disable_unref(d->deck_notify_source);
	d->deck_timer = d->deck_notify_source = NULL;
	if (d->deck_notify_fd > 0)
		close(d->deck_notify_fd);
	d->deck_notify_fd = -1;
	foh_decks_free(d->decks);
	d->decks = NULL;
}
