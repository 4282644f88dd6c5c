/* Livestream level stabilizer: the control loop that rides one X32 output
 * fader so the stream leaves the desk at a steady level. Pure: no sockets,
 * no clock, no allocation. The daemon calls foh_stab_step() once every
 * interval_s with the output's meter reading and sends the fader command it
 * gets back; the loop's time is steps x interval_s.
 *
 * Two-speed loop (mode "two-speed", REFERENCE.md seed 1):
 * - level = the reading in dBFS; with meter-point "post" the current fader
 *   (dB) is subtracted first, so the loop always works on the level before
 *   the fader and never chases its own moves. With "post" and the fader at
 *   -inf the reading says nothing about the source: the step is blind.
 * - fast and slow EMAs of the level, alpha = 1 - exp(-interval / tau).
 * - cold start: the first usable reading after start seeds both EMAs and
 *   sets the fader to target - level at once (clamped).
 * - settling: after any seed (cold start, end of a silence or of blind)
 *   the loop runs as in a scene change for 3 x fast-tau-s, the slow EMA
 *   taking the fast one's value each cycle: one reading is a poor seed
 *   (a meter window still half full of the silence before it), and the
 *   slow EMA would take slow-tau-s to forget it.
 * - scene change once |fast - slow| > scene-threshold-db: follow the fast
 *   EMA with scene-deadband-db and scene-slew-db per cycle, and pull the
 *   slow EMA toward the fast one (a second slow-alpha step each cycle, so
 *   it runs twice as quick but still far behind the fast one). The scene
 *   ends when the two agree within scene-deadband-db; the slow EMA then
 *   takes the fast one's value, so the hand-over never moves the fader.
 *   (Pulling at the fast alpha instead makes the two meet before the fast
 *   EMA has settled, leaving the output up to the normal deadband off.)
 * - otherwise follow the slow EMA with deadband-db and slew-db per cycle,
 *   times far-slew-factor while the output is more than far-db off target.
 * - a deadband starts a correction, the correction then runs until the
 *   fader sits on the step nearest to target - reference, so the output
 *   settles on target rather than at the edge of the deadband.
 * - every fader is a desk step (1024, x32/proto.h) inside
 *   [fader-min-db, fader-max-db]; a slew-limited move never exceeds the
 *   slew after quantization (at least one step is always allowed). From a
 *   fader below the floor (e.g. -inf) the first move goes to the floor.
 * - silence: readings under silence-db do not feed the EMAs; once they have
 *   lasted silence-hold-s the state is "silence" and the fader is frozen;
 *   the first reading above the threshold reseeds both EMAs and the fader
 *   then moves by the normal rules (no jump).
 * - blind: a step without a valid reading (meters lost, desk gone) never
 *   writes; the next usable reading reseeds like the end of a silence.
 * - a manual fader (SetFader, or a move seen on the desk) is taken as the
 *   loop's fader and pauses the loop for pause-s; the EMAs keep being fed.
 * - stop: the fader goes back to where it was at start (always written).
 * Mode "leveler" runs the channel leveler's controller (dsp/leveler.h:
 * gated, scene changes from the loudness history, a slow follow inside a
 * scene) on the readings, each held for interval-s, and rides its wanted
 * gain with the deadbands, slews, quantization, silence freeze (its gate,
 * at silence-db and 20 dB under the scene), blind and pause rules above:
 * scene-threshold-db is its scene threshold, slow-tau-s its calm.
 * Mode "single" is the original's smoothing: one EMA with alpha =
 * smoothing per cycle stands in for both, no scene detection; everything
 * else as above.
 *
 * foh_stab_orig_*: the original loop as its README describes it, for the
 * side-by-side benchmark: every cycle EMA(0.15) of the reading, desired =
 * target - EMA clamped to the floor/ceiling, move by at most slew-db and
 * send the fader; a reading under silence-db freezes the fader (not fed to
 * the EMA); a manual set pauses pause-s; no cold start, no deadband, the
 * fader float is sent unquantized; a step with no new meter reuses the last
 * reading (the original keeps the last value it received). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "leveler.h"

enum foh_stab_mode {
	FOH_STAB_TWO_SPEED,
	FOH_STAB_SINGLE,
	FOH_STAB_LEVELER,
};

enum foh_stab_meter_point {
	FOH_STAB_PRE,		/* the meter reads before the fader (default) */
	FOH_STAB_POST,		/* after it: subtract the fader first */
};

enum foh_stab_state {
	FOH_STAB_IDLE,		/* not started */
	FOH_STAB_TRACKING,
	FOH_STAB_SCENE_CHANGE,
	FOH_STAB_SILENCE,	/* fader frozen */
	FOH_STAB_PAUSED,	/* after a manual fader */
	FOH_STAB_BLIND,		/* no usable reading: never writes */
	FOH_STAB_SETTLING,	/* after a (re)seed: following the fast EMA */
};

/* Every double is a knob listed in foh_stab_knobs() with its key, range
 * and default. */
struct foh_stab_params {
	enum foh_stab_mode mode;
	enum foh_stab_meter_point meter_point;
	double target_db;		/* target-db */
	double slew_db;			/* slew-db, per cycle */
	double fast_tau_s;		/* fast-tau-s */
	double slow_tau_s;		/* slow-tau-s */
	double smoothing;		/* smoothing, EMA factor of mode single */
	double scene_threshold_db;	/* scene-threshold-db */
	double scene_deadband_db;	/* scene-deadband-db */
	double scene_slew_db;		/* scene-slew-db, per cycle */
	double deadband_db;		/* deadband-db */
	double far_db;			/* far-db */
	double far_slew_factor;		/* far-slew-factor */
	double silence_db;		/* silence-db */
	double silence_hold_s;		/* silence-hold-s */
	double fader_min_db;		/* fader-min-db */
	double fader_max_db;		/* fader-max-db */
	double interval_s;		/* interval-s */
	double pause_s;			/* pause-s */
	double moderate_step_db;	/* moderate-step-db, mode leveler */
};

struct foh_stab_knob {
	const char *key;
	size_t offset;			/* of the double in struct foh_stab_params */
	double min, max, def;
	const char *what;
};

/* The table of knobs, *n entries. */
const struct foh_stab_knob *foh_stab_knobs(size_t *n);
const struct foh_stab_knob *foh_stab_knob_find(const char *key);

void foh_stab_default_params(struct foh_stab_params *p);
/* 0, or -EINVAL with a message naming the knob, its value and the allowed
 * range (or the knob it must agree with) in msg (may be NULL). */
int foh_stab_params_validate(const struct foh_stab_params *p, char *msg,
		size_t size);
/* Sets one knob by key; -ENOENT for an unknown key, -EINVAL out of range
 * (with the range in msg); *p untouched on failure. */
int foh_stab_params_set(struct foh_stab_params *p, const char *key,
		double value, char *msg, size_t size);

/* The names the two enums take in config and on D-Bus (NULL-terminated). */
extern const char *const foh_stab_mode_names[];
extern const char *const foh_stab_meter_point_names[];

int foh_stab_mode_from_string(const char *s, enum foh_stab_mode *m);
const char *foh_stab_mode_str(enum foh_stab_mode m);
int foh_stab_meter_point_from_string(const char *s,
		enum foh_stab_meter_point *m);
const char *foh_stab_meter_point_str(enum foh_stab_meter_point m);
const char *foh_stab_state_str(enum foh_stab_state s);

struct foh_stab_reading {
	bool valid;		/* false: no meter this interval */
	double level_db;	/* the output's meter in dBFS, -inf for silence */
};

struct foh_stab_output {
	bool write;		/* send fader to the desk */
	int step;		/* the fader after this call, 0..1023 */
	float fader;		/* ... as the desk's float */
	double fader_db;	/* ... in dB */
	enum foh_stab_state state;
	double level_db;	/* smoothed pre-fader level followed, NAN if none */
	double output_db;	/* level_db + fader_db: the estimated stream level */
};

struct foh_stab {
	struct foh_stab_params p;
	enum foh_stab_state state;
	double t;		/* seconds since start */
	double a_fast, a_slow;	/* per-cycle EMA coefficients */
	double fast, slow;	/* EMAs of the pre-fader level, dB */
	bool seeded;		/* the EMAs hold a level */
	bool reseed;		/* the next usable reading reseeds them */
	bool cold;		/* no fader set from a level since start */
	bool scene;
	double settle_s;	/* after a (re)seed: following the fast EMA */
	bool correcting;	/* a deadband correction is running */
	int step;		/* the fader as the desk has it */
	int start_step;		/* the fader at start */
	double silent_s;	/* how long readings have been under silence-db */
	struct foh_leveler lev;	/* mode leveler: the controller alone */
	double pause_until;
};

/* -EINVAL (and s untouched) when p does not validate. */
int foh_stab_init(struct foh_stab *s, const struct foh_stab_params *p);
/* Retunes a running loop; the EMAs and the fader are kept. */
int foh_stab_set(struct foh_stab *s, const struct foh_stab_params *p);
/* Starts with the desk's fader as it is now (dB, -inf allowed); -EINVAL
 * for NaN. */
int foh_stab_start(struct foh_stab *s, double fader_db);
void foh_stab_step(struct foh_stab *s, const struct foh_stab_reading *in,
		struct foh_stab_output *out);
/* A manual SetFader: quantized to the desk's range (not the loop's floor
 * and ceiling), always written; pauses a running loop. -EINVAL for NaN,
 * out untouched. */
int foh_stab_set_fader(struct foh_stab *s, double fader_db,
		struct foh_stab_output *out);
/* Someone moved the fader on the desk (a /xremote push): adopted, pauses
 * a running loop, nothing to write. -EINVAL for NaN. */
int foh_stab_fader_moved(struct foh_stab *s, double fader_db);
/* Stops; out carries the fader from start (write set unless idle). */
void foh_stab_stop(struct foh_stab *s, struct foh_stab_output *out);

/* The original single-EMA loop. */
struct foh_stab_orig {
	struct foh_stab_params p;	/* uses target, slew, smoothing,
					 * silence, floor/ceiling, interval, pause */
	bool running;
	double t;
	double pause_until;
	double fader_db;		/* its own, unquantized */
	double ema;			/* NAN before the first reading */
	double last;			/* last reading received, NAN if none */
};

int foh_stab_orig_init(struct foh_stab_orig *o, const struct foh_stab_params *p);
int foh_stab_orig_start(struct foh_stab_orig *o, double fader_db);
void foh_stab_orig_step(struct foh_stab_orig *o,
		const struct foh_stab_reading *in, struct foh_stab_output *out);
int foh_stab_orig_set_fader(struct foh_stab_orig *o, double fader_db,
		struct foh_stab_output *out);
