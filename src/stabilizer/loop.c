/* Livestream level stabilizer: knobs, the two-speed loop and the original
 * single-EMA loop. Pure; see stabilizer/loop.h for the rules. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stabilizer/loop.h"
#include "x32/proto.h"

#define EPS	1e-9

#define KNOB(k, field, lo, hi, d, w) \
	{ k, offsetof(struct foh_stab_params, field), lo, hi, d, w }

static const struct foh_stab_knob knobs[] = {
	KNOB("target-db", target_db, -60.0, 0.0, -30.0, "stream level to hold, dBFS"),
	KNOB("slew-db", slew_db, 0.1, 12.0, 2.0, "largest fader move per cycle"),
	KNOB("fast-tau-s", fast_tau_s, 0.5, 60.0, 2.0, "fast EMA time constant"),
	KNOB("slow-tau-s", slow_tau_s, 2.0, 600.0, 20.0, "slow EMA time constant"),
	KNOB("smoothing", smoothing, 0.05, 0.5, 0.15, "EMA factor per cycle, mode single"),
	KNOB("scene-threshold-db", scene_threshold_db, 1.0, 30.0, 5.0,
			"fast - slow gap that starts a scene change"),
	KNOB("scene-deadband-db", scene_deadband_db, 0.0, 10.0, 1.0,
			"deadband while in a scene change"),
	KNOB("scene-slew-db", scene_slew_db, 0.1, 24.0, 6.0,
			"largest fader move per cycle in a scene change"),
	KNOB("deadband-db", deadband_db, 0.0, 12.0, 1.0, "deadband when tracking"),
	KNOB("far-db", far_db, 1.0, 40.0, 8.0, "output error beyond which slew is multiplied"),
	KNOB("far-slew-factor", far_slew_factor, 1.0, 10.0, 3.0, "slew multiplier when far off"),
	KNOB("silence-db", silence_db, -120.0, -20.0, -60.0, "readings below are silence"),
	KNOB("silence-hold-s", silence_hold_s, 0.0, 60.0, 3.0, "silence before the fader freezes"),
	KNOB("fader-min-db", fader_min_db, -89.5, 0.0, -80.0, "fader floor"),
	KNOB("fader-max-db", fader_max_db, -60.0, 10.0, 10.0, "fader ceiling"),
	KNOB("interval-s", interval_s, 0.05, 10.0, 0.5, "control cycle"),
	KNOB("pause-s", pause_s, 0.0, 600.0, 5.0, "pause after a manual fader"),
	KNOB("moderate-step-db", moderate_step_db, 2.0, 30.0, 3.5,
			"mode leveler: smallest step taken as a scene once held"),
};

const struct foh_stab_knob *foh_stab_knobs(size_t *n)
{
	*n = sizeof(knobs) / sizeof(knobs[0]);
	return knobs;
}

const struct foh_stab_knob *foh_stab_knob_find(const char *key)
{
	for (size_t i = 0; key && i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if (strcmp(knobs[i].key, key) == 0)
			return &knobs[i];
	return NULL;
}

static double *knob_ptr(struct foh_stab_params *p, const struct foh_stab_knob *k)
{
	return (double *)((char *)p + k->offset);
}

static double knob_get(const struct foh_stab_params *p, const struct foh_stab_knob *k)
{
	return *(const double *)((const char *)p + k->offset);
}

void foh_stab_default_params(struct foh_stab_params *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = FOH_STAB_TWO_SPEED;
	p->meter_point = FOH_STAB_PRE;
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		*knob_ptr(p, &knobs[i]) = knobs[i].def;
}

__attribute__((format(printf, 3, 4)))
static int invalid(char *msg, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (msg && size > 0) {
		va_start(ap, fmt);
		vsnprintf(msg, size, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int check_knob(const struct foh_stab_knob *k, double v, char *msg,
		size_t size)
{
	if (v >= k->min && v <= k->max)
		return 0;
	return invalid(msg, size, "%s = %g is out of range [%g, %g]",
			k->key, v, k->min, k->max);
}

/* Rules between knobs. */
static int check_pairs(const struct foh_stab_params *p, char *msg, size_t size)
{
	if (p->fast_tau_s >= p->slow_tau_s)
		return invalid(msg, size, "fast-tau-s = %g must be shorter than "
				"slow-tau-s = %g", p->fast_tau_s, p->slow_tau_s);
	if (p->fader_max_db - p->fader_min_db < 1.0)
		return invalid(msg, size, "fader-min-db = %g must be at least 1 dB "
				"below fader-max-db = %g", p->fader_min_db, p->fader_max_db);
	if (p->scene_deadband_db >= p->scene_threshold_db)
		return invalid(msg, size, "scene-deadband-db = %g must be below "
				"scene-threshold-db = %g", p->scene_deadband_db,
				p->scene_threshold_db);
	return 0;
}

int foh_stab_params_validate(const struct foh_stab_params *p, char *msg,
		size_t size)
{
	int res;

	if (p->mode != FOH_STAB_TWO_SPEED && p->mode != FOH_STAB_SINGLE &&
	    p->mode != FOH_STAB_LEVELER)
		return invalid(msg, size, "mode must be two-speed, single or leveler");
	if (p->meter_point != FOH_STAB_PRE && p->meter_point != FOH_STAB_POST)
		return invalid(msg, size, "meter-point must be pre or post");
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++)
		if ((res = check_knob(&knobs[i], knob_get(p, &knobs[i]), msg, size)) < 0)
			return res;
	return check_pairs(p, msg, size);
}

int foh_stab_params_set(struct foh_stab_params *p, const char *key,
		double value, char *msg, size_t size)
{
	const struct foh_stab_knob *k = foh_stab_knob_find(key);
	struct foh_stab_params tmp = *p;
	int res;

	if (k == NULL) {
		(void)invalid(msg, size, "unknown knob '%s'", key ? key : "(null)");
		return -ENOENT;
	}
	if ((res = check_knob(k, value, msg, size)) < 0)
		return res;
	*knob_ptr(&tmp, k) = value;
	if ((res = check_pairs(&tmp, msg, size)) < 0)
		return res;
	*p = tmp;
	return 0;
}

const char *const foh_stab_mode_names[] = { "two-speed", "single", "leveler", NULL };
const char *const foh_stab_meter_point_names[] = { "pre", "post", NULL };
#define mode_names foh_stab_mode_names
#define point_names foh_stab_meter_point_names
static const char *const state_names[] = {
	[FOH_STAB_IDLE] = "idle",
	[FOH_STAB_TRACKING] = "tracking",
	[FOH_STAB_SCENE_CHANGE] = "scene-change",
	[FOH_STAB_SILENCE] = "silence",
	[FOH_STAB_PAUSED] = "paused",
	[FOH_STAB_BLIND] = "blind",
	[FOH_STAB_SETTLING] = "settling",
};

static int name_index(const char *const *names, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(names[i], s) == 0)
			return (int)i;
	return -EINVAL;
}

int foh_stab_mode_from_string(const char *s, enum foh_stab_mode *m)
{
	int i = name_index(mode_names, 3, s);

	if (i < 0)
		return i;
	*m = (enum foh_stab_mode)i;
	return 0;
}

const char *foh_stab_mode_str(enum foh_stab_mode m)
{
	return (unsigned int)m < 3 ? mode_names[m] : "invalid";
}

int foh_stab_meter_point_from_string(const char *s,
		enum foh_stab_meter_point *m)
{
	int i = name_index(point_names, 2, s);

	if (i < 0)
		return i;
	*m = (enum foh_stab_meter_point)i;
	return 0;
}

const char *foh_stab_meter_point_str(enum foh_stab_meter_point m)
{
	return (unsigned int)m < 2 ? point_names[m] : "invalid";
}

const char *foh_stab_state_str(enum foh_stab_state s)
{
	return (unsigned int)s <= FOH_STAB_SETTLING ? state_names[s] : "invalid";
}

/* The two-speed loop */

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

static void set_coefficients(struct foh_stab *s)
{
	const struct foh_stab_params *p = &s->p;

	if (p->mode == FOH_STAB_SINGLE) {
		s->a_fast = s->a_slow = p->smoothing;
		return;
	}
	s->a_fast = 1.0 - exp(-p->interval_s / p->fast_tau_s);
	s->a_slow = 1.0 - exp(-p->interval_s / p->slow_tau_s);
}

/* Mode leveler: the channel leveler's controller (dsp/leveler.h) on the
 * meter: target-db its target, scene-threshold-db its scene threshold,
 * slow-tau-s its calm (at most 60 s), silence-db its gate,
 * moderate-step-db its smallest held change (leveler-moderate); the fader's
 * floor and ceiling bound the gain. */
static void lev_params(struct foh_stab *s)
{
	struct foh_leveler_params lp;

	foh_leveler_default_params(&lp);
	lp.target_lufs = (float)s->p.target_db;
	lp.scene_lu = (float)s->p.scene_threshold_db;
	lp.calm_s = (float)fmin(s->p.slow_tau_s, 60.0);
	lp.gate_lufs = (float)s->p.silence_db;
	lp.moderate_lu = (float)s->p.moderate_step_db;
	lp.max_boost_db = 40.0f;
	lp.max_cut_db = 40.0f;
	foh_leveler_set(&s->lev, &lp);
}

int foh_stab_init(struct foh_stab *s, const struct foh_stab_params *p)
{
	if (foh_stab_params_validate(p, NULL, 0) < 0)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->state = FOH_STAB_IDLE;
	s->fast = s->slow = NAN;
	set_coefficients(s);
	foh_leveler_init_meter(&s->lev);
	lev_params(s);
	return 0;
}

int foh_stab_set(struct foh_stab *s, const struct foh_stab_params *p)
{
	if (foh_stab_params_validate(p, NULL, 0) < 0)
		return -EINVAL;
	s->p = *p;
	set_coefficients(s);
	lev_params(s);
	if (p->mode == FOH_STAB_SINGLE && s->seeded) {
		s->fast = s->slow;
		s->scene = false;
	}
	return 0;
}

int foh_stab_start(struct foh_stab *s, double fader_db)
{
	int step = foh_x32_db_to_step(fader_db);

	if (step < 0)
		return step;
	s->state = FOH_STAB_TRACKING;
	s->t = 0.0;
	s->step = s->start_step = step;
	s->seeded = s->reseed = s->scene = s->correcting = false;
	s->settle_s = 0.0;
	s->cold = true;
	s->fast = s->slow = NAN;
	foh_leveler_reset(&s->lev);
	s->silent_s = 0.0;
	s->pause_until = 0.0;
	return 0;
}

static double reference(const struct foh_stab *s)
{
	return s->scene ? s->fast : s->slow;
}

static void emit(const struct foh_stab *s, struct foh_stab_output *out,
		bool write)
{
	out->write = write;
	out->step = s->step;
	out->fader = foh_x32_step_to_fader(s->step);
	out->fader_db = foh_x32_step_to_db(s->step);
	out->state = s->state;
	out->level_db = s->seeded ? reference(s) : NAN;
	out->output_db = out->level_db + out->fader_db;
}

/* The step nearest to db inside the floor and ceiling. */
static int clamp_step(const struct foh_stab_params *p, double db)
{
	int st = foh_x32_db_to_step(clamp(db, p->fader_min_db, p->fader_max_db));

	if (foh_x32_step_to_db(st) < p->fader_min_db - EPS)
		st++;
	if (foh_x32_step_to_db(st) > p->fader_max_db + EPS)
		st--;
	return st;
}

/* One slew-limited move toward want; quantizing never adds to the move
 * beyond one step. */
static int move_step(const struct foh_stab *s, double want, double limit)
{
	double cur = foh_x32_step_to_db(s->step);
	int st;

	if (cur < s->p.fader_min_db)
		return clamp_step(&s->p, s->p.fader_min_db);
	st = clamp_step(&s->p, clamp(want, cur - limit, cur + limit));
	while (fabs(foh_x32_step_to_db(st) - cur) > limit + EPS &&
			abs(st - s->step) > 1)
		st += st > s->step ? -1 : 1;
	return st;
}

/* Readings below the silence threshold are counted, not fed. Returns false
 * once the silence has lasted the hold time: the fader is frozen. */
static bool feed(struct foh_stab *s, double level)
{
	if (!(level >= s->p.silence_db)) {
		s->silent_s += s->p.interval_s;
		if (s->silent_s + EPS < s->p.silence_hold_s)
			return true;
		s->reseed = true;
		s->correcting = false;
		return false;
	}
	s->silent_s = 0.0;
	if (!s->seeded || s->reseed) {
		s->fast = s->slow = level;
		s->seeded = true;
		s->reseed = false;
		/* One reading is a poor seed (a meter window half full of the
		 * silence before it): settle like a scene change for three fast
		 * taus (the fast EMA 95 % of the way to the level), the slow EMA
		 * riding along, before the slow one leads. */
		s->scene = s->p.mode == FOH_STAB_TWO_SPEED;
		s->settle_s = s->scene ? 3.0 * s->p.fast_tau_s : 0.0;
		return true;
	}
	s->fast += s->a_fast * (level - s->fast);
	s->slow += s->a_slow * (level - s->slow);
	return true;
}

/* Back to the slow EMA. The fader followed a moving reference within the
 * scene deadband; one last correction puts the output on target instead of
 * leaving it where the last move stopped. */
static void end_scene(struct foh_stab *s)
{
	s->scene = false;
	s->settle_s = 0.0;
	s->correcting = true;
}

static void update_scene(struct foh_stab *s)
{
	if (s->p.mode == FOH_STAB_SINGLE) {
		s->fast = s->slow;
		s->scene = false;
		return;
	}
	if (s->settle_s > 0.0) {
		s->settle_s -= s->p.interval_s;
		s->slow = s->fast;
		if (s->settle_s <= EPS)
			end_scene(s);
		return;
	}
	if (!s->scene && fabs(s->fast - s->slow) > s->p.scene_threshold_db) {
		s->scene = true;
		s->correcting = false;
	}
	if (!s->scene)
		return;
	/* A second slow-alpha step: twice as quick as alone, still far slower
	 * than the fast EMA, which has settled by the time the two meet. */
	s->slow += s->a_slow * (s->fast - s->slow);
	if (fabs(s->fast - s->slow) <= s->p.scene_deadband_db) {
		s->slow = s->fast;
		end_scene(s);
	}
}

/* Moves the fader toward target - reference; true when it moved. */
static bool track(struct foh_stab *s)
{
	const struct foh_stab_params *p = &s->p;
	double ref = reference(s), cur = foh_x32_step_to_db(s->step);
	double desired = clamp(p->target_db - ref, p->fader_min_db, p->fader_max_db);
	double band = s->scene ? p->scene_deadband_db : p->deadband_db;
	double limit = s->scene ? p->scene_slew_db : p->slew_db;
	int goal = clamp_step(p, desired);

	if (goal == s->step) {
		s->correcting = false;
		return false;
	}
	if (!s->correcting && fabs(foh_x32_step_to_db(goal) - cur) <= band)
		return false;
	s->correcting = true;
	if (!s->scene && fabs(ref + cur - p->target_db) > p->far_db)
		limit *= p->far_slew_factor;
	s->step = move_step(s, desired, limit);
	if (s->step == goal)
		s->correcting = false;
	return true;
}

/* The reading as a pre-fader level; false when it carries none. */
static bool pre_fader_level(const struct foh_stab *s,
		const struct foh_stab_reading *in, double *level)
{
	if (!in->valid || isnan(in->level_db))
		return false;
	if (s->p.meter_point == FOH_STAB_PRE) {
		*level = in->level_db;
		return true;
	}
	if (s->step == 0)
		return false;
	*level = in->level_db - foh_x32_step_to_db(s->step);
	return true;
}

/* Mode leveler: the reading held for one interval goes through the
 * leveler's controller; its wanted gain is the fader to reach, by the same
 * deadband, slew (scene-slew-db on a scene change), quantization and one
 * write per cycle as the two-speed loop. Its gate is the silence freeze. */
static bool decide_leveler(struct foh_stab *s, double level)
{
	enum foh_leveler_state st;
	bool moved;

	foh_leveler_push_level(&s->lev, level, s->p.interval_s);
	st = foh_leveler_state(&s->lev);
	if (s->t < s->pause_until - EPS) {
		s->state = FOH_STAB_PAUSED;
		return false;
	}
	if (st == FOH_LEVELER_COLD || st == FOH_LEVELER_PAUSE) {
		s->state = st == FOH_LEVELER_PAUSE ? FOH_STAB_SILENCE : FOH_STAB_SETTLING;
		s->correcting = false;
		return false;
	}
	/* the reference the deadband and slew work on: target - wanted gain */
	s->fast = s->slow = s->p.target_db - foh_leveler_want_db(&s->lev);
	s->seeded = true;
	s->scene = st == FOH_LEVELER_SCENE;
	if (s->cold) {
		s->cold = false;
		s->step = clamp_step(&s->p, s->p.target_db - s->slow);
		s->state = FOH_STAB_SCENE_CHANGE;
		return s->step != s->start_step;
	}
	moved = track(s);
	s->state = s->scene ? FOH_STAB_SCENE_CHANGE : FOH_STAB_TRACKING;
	return moved;
}

/* The loop's decision for one usable pre-fader level; true to write. */
static bool decide(struct foh_stab *s, double level)
{
	bool live, moved;

	if (s->p.mode == FOH_STAB_LEVELER)
		return decide_leveler(s, level);
	live = feed(s, level);

	if (s->t < s->pause_until - EPS) {
		s->state = FOH_STAB_PAUSED;
		return false;
	}
	if (!live || !s->seeded) {
		s->state = live ? FOH_STAB_TRACKING : FOH_STAB_SILENCE;
		return false;
	}
	if (s->cold) {
		s->cold = false;
		s->step = clamp_step(&s->p, s->p.target_db - s->slow);
		s->state = FOH_STAB_TRACKING;
		return s->step != s->start_step;
	}
	update_scene(s);
	moved = track(s);
	/* the settling after a seed moves like a scene change but is none:
	 * the level did not change, the averages are filling */
	s->state = !s->scene ? FOH_STAB_TRACKING :
		s->settle_s > 0.0 ? FOH_STAB_SETTLING : FOH_STAB_SCENE_CHANGE;
	return moved;
}

void foh_stab_step(struct foh_stab *s, const struct foh_stab_reading *in,
		struct foh_stab_output *out)
{
	bool write = false;
	double level;

	if (s->state != FOH_STAB_IDLE) {
		s->t += s->p.interval_s;
		if (pre_fader_level(s, in, &level)) {
			write = decide(s, level);
		} else {
			s->state = FOH_STAB_BLIND;
			s->reseed = s->seeded;
			s->correcting = false;
			s->silent_s = 0.0;
		}
	}
	emit(s, out, write);
}

/* A fader set from outside the loop. */
static int adopt(struct foh_stab *s, double fader_db)
{
	int step = foh_x32_db_to_step(fader_db);

	if (step < 0)
		return step;
	s->step = step;
	if (s->state == FOH_STAB_IDLE)
		return 0;
	s->cold = false;
	s->correcting = false;
	s->pause_until = s->t + s->p.pause_s;
	if (s->p.pause_s > 0.0)
		s->state = FOH_STAB_PAUSED;
	return 0;
}

int foh_stab_set_fader(struct foh_stab *s, double fader_db,
		struct foh_stab_output *out)
{
	int res = adopt(s, fader_db);

	if (res < 0)
		return res;
	emit(s, out, true);
	return 0;
}

int foh_stab_fader_moved(struct foh_stab *s, double fader_db)
{
	return adopt(s, fader_db);
}

void foh_stab_stop(struct foh_stab *s, struct foh_stab_output *out)
{
	bool running = s->state != FOH_STAB_IDLE;

	if (running)
		s->step = s->start_step;
	s->state = FOH_STAB_IDLE;
	s->seeded = s->scene = s->correcting = false;
	emit(s, out, running);
}

/* The original single-EMA loop */

int foh_stab_orig_init(struct foh_stab_orig *o, const struct foh_stab_params *p)
{
	if (foh_stab_params_validate(p, NULL, 0) < 0)
		return -EINVAL;
	memset(o, 0, sizeof(*o));
	o->p = *p;
	o->ema = o->last = NAN;
	return 0;
}

int foh_stab_orig_start(struct foh_stab_orig *o, double fader_db)
{
	if (isnan(fader_db))
		return -EINVAL;
	o->running = true;
	o->t = o->pause_until = 0.0;
	/* its fader arithmetic needs a finite start: below the floor is the floor */
	o->fader_db = fader_db < o->p.fader_min_db ? o->p.fader_min_db : fader_db;
	o->ema = o->last = NAN;
	return 0;
}

static void orig_emit(const struct foh_stab_orig *o, struct foh_stab_output *out,
		enum foh_stab_state state, bool write)
{
	float f = (float)foh_x32_db_to_fader(o->fader_db);

	out->write = write;
	out->fader = f;
	/* what the desk makes of the float it is sent */
	out->step = foh_x32_fader_to_step(f);
	out->fader_db = foh_x32_step_to_db(out->step);
	out->state = state;
	out->level_db = o->ema;
	out->output_db = o->ema + out->fader_db;
}

void foh_stab_orig_step(struct foh_stab_orig *o,
		const struct foh_stab_reading *in, struct foh_stab_output *out)
{
	const struct foh_stab_params *p = &o->p;
	double desired;

	if (!o->running) {
		orig_emit(o, out, FOH_STAB_IDLE, false);
		return;
	}
	o->t += p->interval_s;
	if (in->valid && !isnan(in->level_db))
		o->last = in->level_db;
	if (o->t < o->pause_until - EPS) {
		orig_emit(o, out, FOH_STAB_PAUSED, false);
		return;
	}
	if (isnan(o->last) || o->last < p->silence_db) {
		orig_emit(o, out, FOH_STAB_SILENCE, false);
		return;
	}
	o->ema = isnan(o->ema) ? o->last : o->ema + p->smoothing * (o->last - o->ema);
	desired = clamp(p->target_db - o->ema, p->fader_min_db, p->fader_max_db);
	o->fader_db += clamp(desired - o->fader_db, -p->slew_db, p->slew_db);
	orig_emit(o, out, FOH_STAB_TRACKING, true);
}

int foh_stab_orig_set_fader(struct foh_stab_orig *o, double fader_db,
		struct foh_stab_output *out)
{
	if (isnan(fader_db))
		return -EINVAL;
	o->fader_db = clamp(fader_db, o->p.fader_min_db, o->p.fader_max_db);
	if (o->running)
		o->pause_until = o->t + o->p.pause_s;
	orig_emit(o, out, o->running ? FOH_STAB_PAUSED : FOH_STAB_IDLE, true);
	return 0;
}
