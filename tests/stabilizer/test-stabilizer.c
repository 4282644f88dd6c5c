/* Stabilizer: the two-speed loop, its knobs, and the original loop, on
 * synthetic level series (one reading per 0.5 s cycle).
 *
 * A simulated desk holds the fader: it changes only when a step says
 * "write" (checked every cycle), and in post mode the desk's meter reads
 * level + fader. Output = pre-fader level + fader. Every cycle after the
 * cold start also checks the slew: a move is at most slew-db, or
 * scene-slew-db in a scene change, or slew-db x far-slew-factor when the
 * reported level plus the previous fader is more than far-db off target;
 * every fader is a desk step inside the floor and ceiling.
 * - cold start: the first reading sets target - level at once.
 * - 12 dB steps up and down (clean and with +-1.5 dB jitter): the output
 *   stays within +-1 dB of target from some time on, measured from the
 *   output series; with slews 2/2/x1 every move is <= 2 dB and the limit is
 *   reached.
 * - scene change: after a 12 dB step the state goes scene-change within
 *   5 s and the output settles at least twice as fast as with scene
 *   detection off (threshold 30 dB), both measured here.
 * - silence: the fader is frozen (no write, no change) once readings have
 *   been under -60 dB for 3 s, the state says so; the first reading back
 *   reseeds (the reported level equals it) and the fader moves by at most
 *   the slew (no jump).
 * - manual set: written at once, then no write for 5 s (10 cycles), then
 *   the loop moves again; a move seen on the desk pauses the same way.
 * - blind: invalid readings (and post mode with the fader at -inf) never
 *   write, whatever the level does.
 * - stop: writes the fader from start.
 * - post meter point: settles on the same fader as pre and stays put.
 * - knobs: each out of range (below, above, NaN) is refused with a message
 *   naming the key and its range; pair rules refused.
 * - the original loop against its formula computed here: EMA 0.15,
 *   desired = target - EMA clamped, slew 2 dB; silence freezes; pause. */
#include <errno.h>
#include <string.h>

#include "stabilizer/loop.h"
#include "test-util.h"
#include "x32/proto.h"

#define DT	0.5

struct sim {
	struct foh_stab s;
	double fader;		/* the desk's fader, dB */
	double prev_level;	/* the pre-fader level of the last cycle */
	int writes;
	bool check_slew;
	double max_move;
	struct foh_stab_output out;
};

static void sim_init(struct sim *m, const struct foh_stab_params *p, double fader)
{
	memset(m, 0, sizeof(*m));
	CHECK(foh_stab_init(&m->s, p) == 0, "init");
	CHECK(foh_stab_start(&m->s, fader) == 0, "start");
	m->fader = foh_x32_step_to_db(foh_x32_db_to_step(fader));
}

static void check_move(struct sim *m, double before)
{
	const struct foh_stab_params *p = &m->s.p;
	const struct foh_stab_output *o = &m->out;
	double move = fabs(o->fader_db - before), allowed = p->slew_db;

	if (o->state == FOH_STAB_SCENE_CHANGE || o->state == FOH_STAB_SETTLING)
		allowed = p->scene_slew_db;
	else if (fabs(o->level_db + before - p->target_db) > p->far_db)
		allowed = p->slew_db * p->far_slew_factor;
	CHECK(move <= allowed + 1e-9, "move %.3f dB > %.3f allowed (state %s)",
			move, allowed, foh_stab_state_str(o->state));
	m->max_move = fmax(m->max_move, move);
}

/* One cycle; pre is the level before the fader, NAN for no reading. */
static void cycle(struct sim *m, double pre)
{
	struct foh_stab_reading in = { !isnan(pre), pre };
	double before = m->fader;

	if (m->s.p.meter_point == FOH_STAB_POST && in.valid)
		in.level_db = pre + m->fader;
	foh_stab_step(&m->s, &in, &m->out);
	CHECK(m->out.write || m->out.fader_db == before, "fader moved without a write");
	if (m->out.write) {
		m->writes++;
		m->fader = m->out.fader_db;
		CHECK(m->out.fader == foh_x32_step_to_fader(m->out.step) &&
				m->out.fader_db == foh_x32_step_to_db(m->out.step),
				"written fader is not a desk step");
		CHECK(m->fader >= m->s.p.fader_min_db - 1e-9 &&
				m->fader <= m->s.p.fader_max_db + 1e-9,
				"fader %.2f outside [%g, %g]", m->fader,
				m->s.p.fader_min_db, m->s.p.fader_max_db);
		if (m->check_slew)
			check_move(m, before);
	}
	m->prev_level = pre;
}

static double output(const struct sim *m, double pre)
{
	return pre + m->fader;
}

static void test_cold_start(void)
{
	struct foh_stab_params p;
	struct sim m;

	foh_stab_default_params(&p);
	sim_init(&m, &p, 0.0);
	cycle(&m, -36.0);
	CHECK(m.out.write && fabs(m.fader - 6.0) <= 0.5 * 40.0 / 1023.0 + 1e-9,
			"cold start to +6 dB: %.3f", m.fader);
	CHECK(m.out.state == FOH_STAB_TRACKING, "state %s", foh_stab_state_str(m.out.state));
	CHECK(m.out.level_db == -36.0, "EMAs seeded: %.3f", m.out.level_db);
	sim_init(&m, &p, 0.0);
	cycle(&m, -55.0);
	CHECK(m.out.write && m.fader <= 10.0 && m.fader > 9.9, "cold start clamps to +10: %.2f",
			m.fader);
	sim_init(&m, &p, -INFINITY);
	cycle(&m, -10.0);
	CHECK(m.out.write && fabs(m.fader + 20.0) < 0.05, "cold start from -inf: %.2f", m.fader);
}

/* Level from -30 - step/2 to -30 + step/2 at 60 s; returns the settle time
 * (from the step to the last cycle off by more than 1 dB), -1 if the
 * output is still off at the end. */
static double step_response(const struct foh_stab_params *p, double step,
		double jitter, double *max_move, int *writes_after)
{
	uint64_t rng = 77;
	double lo = -30.0 - step / 2.0, hi = -30.0 + step / 2.0, last_bad = -1.0;
	struct sim m;

	sim_init(&m, p, 0.0);
	for (int k = 0; k < 120; k++) {
		cycle(&m, lo + jitter * test_noise(&rng));
		m.check_slew = true;
	}
	*writes_after = 0;
	for (int k = 0; k < 240; k++) {
		double out = output(&m, hi);
		if (fabs(out - p->target_db) > 1.0)
			last_bad = k * DT;
		int w = m.writes;
		cycle(&m, hi + jitter * test_noise(&rng));
		if (k >= 180)
			*writes_after += m.writes - w;
	}
	*max_move = m.max_move;
	return last_bad >= 239 * DT ? -1.0 : last_bad + DT;
}

/* A seed from a meter window still half full of silence reads 4 dB low
 * (under the scene threshold, so no scene change would catch it): the
 * settling after the seed follows the fast EMA, and the output is within
 * the deadband + 0.5 dB of target as soon as the fast EMA is (ln(4/1.5)
 * fast taus) plus the moves that takes, not after
 * the slow EMA's 20 s; and the fader then stays put. The same after a
 * silence. */
static void test_settling(void)
{
	struct foh_stab_params p;
	struct sim m;
	int k = 0, w;

	foh_stab_default_params(&p);
	sim_init(&m, &p, 0.0);
	cycle(&m, -24.0);		/* the half-full window: the true level is -20 */
	m.check_slew = true;		/* (the cold start itself jumps) */
	CHECK(fabs(m.fader + 6.0) < 0.05, "cold start on the low reading: %.2f", m.fader);
	CHECK(m.out.state == FOH_STAB_TRACKING, "cold start state %s",
			foh_stab_state_str(m.out.state));
	cycle(&m, -20.0);
	/* issue 13: settling after the seed, not a scene change */
	CHECK(m.out.state == FOH_STAB_SETTLING, "settling state %s",
			foh_stab_state_str(m.out.state));
	while (k++ < 40 && fabs(output(&m, -20.0) - p.target_db) > p.deadband_db + 0.5)
		cycle(&m, -20.0);
	printf("settling: a seed 4 dB low is within 1.5 dB after %.1f s\n", k * DT);
	CHECK(k * DT <= log(4.0 / 1.5) * p.fast_tau_s + 2.0, "within 1.5 dB only after %.1f s",
			k * DT);
	for (int i = 0; i < 3.0 * p.fast_tau_s / DT; i++)
		cycle(&m, -20.0);
	CHECK(m.out.state == FOH_STAB_TRACKING, "state %s after settling",
			foh_stab_state_str(m.out.state));
	/* the hand-over leaves what the fast EMA had left after 3 taus of the
	 * 4 dB seed error (e^-3), plus half a desk step */
	CHECK(fabs(output(&m, -20.0) - p.target_db) <= 4.0 * exp(-3.0) + 0.5 * 40.0 / 1023.0,
			"settled on target: %.2f", output(&m, -20.0));
	w = m.writes;
	for (int i = 0; i < 100; i++)
		cycle(&m, -20.0);
	CHECK(m.writes == w, "%d writes on a steady level after settling", m.writes - w);

	/* silence, then the signal returns 4 dB low for one reading */
	for (int i = 0; i < 10; i++)
		cycle(&m, -INFINITY);
	CHECK(m.out.state == FOH_STAB_SILENCE, "state %s in silence",
			foh_stab_state_str(m.out.state));
	cycle(&m, -14.0);		/* really -10 */
	for (k = 0; k < 40 && fabs(output(&m, -10.0) - p.target_db) > p.deadband_db + 0.5; k++)
		cycle(&m, -10.0);
	printf("settling after silence: 10 dB louder and a seed 4 dB low, within 1.5 dB after "
			"%.1f s\n", k * DT);
	/* 14 dB to travel at scene-slew-db per cycle, then the fast EMA */
	CHECK(k * DT <= log(4.0 / 1.5) * p.fast_tau_s + 3.0, "after silence within 1.5 dB only after %.1f s",
			k * DT);
}

static void test_steps(void)
{
	static const double steps[] = { 12.0, -12.0 };
	struct foh_stab_params p;
	double mv, t;
	int w;

	foh_stab_default_params(&p);
	for (int j = 0; j < 2; j++)
		for (int i = 0; i < 2; i++) {
			double jit = j ? 1.5 : 0.0;
			t = step_response(&p, steps[i], jit, &mv, &w);
			CHECK(t >= 0.0 && t <= 30.0, "%+.0f dB step, jitter %.1f: settle %.1f s",
					steps[i], jit, t);
			CHECK(w == 0 || jit > 0.0, "%+.0f dB step: %d writes in the last 30 s",
					steps[i], w);
			printf("%+.0f dB step, jitter +-%.1f dB: within 1 dB after %.1f s, "
					"largest move %.2f dB\n", steps[i], jit, t, mv);
		}
	/* one slew for every case: every move within it, and it is reached */
	p.slew_db = 2.0;
	p.scene_slew_db = 2.0;
	p.far_slew_factor = 1.0;
	t = step_response(&p, 24.0, 0.0, &mv, &w);
	CHECK(mv <= 2.0 + 1e-9 && mv > 1.9, "slew 2 dB: largest move %.3f", mv);
	CHECK(t >= 0.0, "24 dB step with slew 2 settles");
	printf("24 dB step, every slew 2 dB: largest move %.3f dB, settled after %.1f s\n", mv, t);
}

static void test_scene_change(void)
{
	struct foh_stab_params p;
	double t_scene = -1.0, with, without, mv;
	char msg[32];
	struct sim m;
	int w;

	foh_stab_default_params(&p);
	sim_init(&m, &p, 0.0);
	for (int k = 0; k < 120; k++)
		cycle(&m, -30.0);
	for (int k = 0; k < 240; k++) {
		cycle(&m, -18.0);
		if (m.out.state == FOH_STAB_SCENE_CHANGE && t_scene < 0.0)
			t_scene = (k + 1) * DT;
	}
	CHECK(t_scene > 0.0 && t_scene <= 5.0, "scene change after %.1f s", t_scene);
	CHECK(m.out.state == FOH_STAB_TRACKING, "scene over after 120 s: %s",
			foh_stab_state_str(m.out.state));
	with = step_response(&p, 12.0, 0.0, &mv, &w);
	p.scene_threshold_db = 30.0;
	without = step_response(&p, 12.0, 0.0, &mv, &w);
	CHECK(with >= 0.0 && (without < 0.0 || with <= without / 2.0),
			"settle with scene detection %.1f s, without %.1f s", with, without);
	snprintf(msg, sizeof(msg), without < 0.0 ? "not within 120 s" : "after %.1f s",
			without);
	printf("12 dB step: scene change after %.1f s; settled after %.1f s, "
			"without scene detection %s\n", t_scene, with, msg);
}

static void test_silence(void)
{
	struct foh_stab_params p;
	struct sim m;
	double frozen, back;
	int w;

	foh_stab_default_params(&p);
	sim_init(&m, &p, 0.0);
	for (int k = 0; k < 60; k++)
		cycle(&m, -30.0);
	m.check_slew = true;
	/* a gap shorter than the hold: no state change, EMAs not fed */
	for (int k = 0; k < 4; k++) {
		cycle(&m, -INFINITY);
		CHECK(m.out.state == FOH_STAB_TRACKING && m.out.level_db == -30.0,
				"short gap: %s %.2f", foh_stab_state_str(m.out.state), m.out.level_db);
	}
	cycle(&m, -30.0);
	cycle(&m, -6.0);	/* one loud reading so the EMAs differ from a reseed */
	for (int k = 0; k < 6; k++)
		cycle(&m, -30.0);
	frozen = m.fader;
	w = m.writes;
	for (int k = 1; k <= 40; k++) {
		cycle(&m, k % 2 ? -70.0 : -INFINITY);
		CHECK((m.out.state == FOH_STAB_SILENCE) == (k * DT >= 3.0),
				"after %.1f s of silence: %s", k * DT, foh_stab_state_str(m.out.state));
	}
	CHECK(m.writes == w && m.fader == frozen, "silence: %d writes, fader %.2f -> %.2f",
			m.writes - w, frozen, m.fader);
	cycle(&m, -16.0);
	back = m.fader - frozen;
	CHECK(m.out.level_db == -16.0, "reseeded on return: %.2f", m.out.level_db);
	CHECK(fabs(back) <= 6.0 + 1e-9, "no jump on return: %.2f -> %.2f", frozen, m.fader);
	for (int k = 0; k < 60; k++)
		cycle(&m, -16.0);
	CHECK(fabs(output(&m, -16.0) - p.target_db) <= 1.0, "settled after silence: %.2f",
			output(&m, -16.0));
	printf("silence: frozen after 3.0 s, first move on return %+.2f dB (14 dB off)\n", back);
}

static void test_manual(void)
{
	struct foh_stab_params p;
	struct sim m;
	int first = -1;

	foh_stab_default_params(&p);
	sim_init(&m, &p, 0.0);
	for (int k = 0; k < 60; k++)
		cycle(&m, -30.0);
	CHECK(foh_stab_set_fader(&m.s, -10.0, &m.out) == 0 && m.out.write &&
			m.out.state == FOH_STAB_PAUSED, "set fader written, paused");
	CHECK(fabs(m.out.fader_db + 10.0) < 0.03, "set fader -10: %.3f", m.out.fader_db);
	m.fader = m.out.fader_db;
	m.check_slew = true;
	for (int k = 1; k <= 30; k++) {
		int w = m.writes;
		cycle(&m, -30.0);
		if (k * DT < 5.0 - 1e-9)
			CHECK(m.writes == w && m.out.state == FOH_STAB_PAUSED,
					"%.1f s after set: write %d state %s", k * DT,
					m.writes - w, foh_stab_state_str(m.out.state));
		if (m.writes > w && first < 0)
			first = k;
	}
	CHECK(first * DT == 5.0, "loop resumed %.1f s after the set", first * DT);
	CHECK(fabs(output(&m, -30.0) - p.target_db) <= 1.0, "back on target");
	/* a move seen on the desk pauses without a write */
	CHECK(foh_stab_fader_moved(&m.s, 3.0) == 0, "fader moved");
	m.fader = foh_x32_step_to_db(foh_x32_db_to_step(3.0));
	first = -1;
	for (int k = 1; k <= 30 && first < 0; k++) {
		int w = m.writes;
		cycle(&m, -30.0);
		if (m.writes > w)
			first = k;
	}
	CHECK(first * DT == 5.0, "desk move: resumed after %.1f s", first * DT);
	CHECK(foh_stab_set_fader(&m.s, NAN, &m.out) == -EINVAL, "NaN set refused");
	printf("manual set: paused %.1f s\n", first * DT);
}

static void test_blind(void)
{
	struct foh_stab_params p;
	struct sim m;
	int w;

	foh_stab_default_params(&p);
	sim_init(&m, &p, 0.0);
	for (int k = 0; k < 60; k++)
		cycle(&m, -30.0);
	m.check_slew = true;
	w = m.writes;
	for (int k = 0; k < 60; k++) {
		cycle(&m, NAN);
		CHECK(m.out.state == FOH_STAB_BLIND && !m.out.write, "blind: %s",
				foh_stab_state_str(m.out.state));
	}
	CHECK(m.writes == w, "blind wrote %d times", m.writes - w);
	cycle(&m, -10.0);
	CHECK(m.out.level_db == -10.0 && fabs(m.fader) <= 6.0 + 1e-9,
			"after blind: reseeded, no jump (%.2f)", m.fader);
	/* never started: nothing at all */
	sim_init(&m, &p, 0.0);
	for (int k = 0; k < 20; k++)
		cycle(&m, NAN);
	CHECK(m.writes == 0 && m.out.state == FOH_STAB_BLIND, "blind from start");
	cycle(&m, -36.0);
	CHECK(m.out.write && fabs(m.fader - 6.0) < 0.03, "cold start after blind");
	/* post meter with the fader off says nothing about the source */
	p.meter_point = FOH_STAB_POST;
	sim_init(&m, &p, -INFINITY);
	for (int k = 0; k < 20; k++)
		cycle(&m, -20.0);
	CHECK(m.writes == 0 && m.out.state == FOH_STAB_BLIND, "post, fader off: blind");
}

static void test_stop(void)
{
	struct foh_stab_params p;
	struct foh_stab_output out;
	struct sim m;
	int start = foh_x32_db_to_step(-7.3);

	foh_stab_default_params(&p);
	sim_init(&m, &p, -7.3);
	for (int k = 0; k < 120; k++)
		cycle(&m, k < 60 ? -40.0 : -25.0);
	CHECK(m.writes > 0 && m.out.step != start, "the loop moved the fader");
	foh_stab_stop(&m.s, &out);
	CHECK(out.write && out.step == start && out.state == FOH_STAB_IDLE,
			"stop restores step %d: %d", start, out.step);
	foh_stab_step(&m.s, &(struct foh_stab_reading) { true, -10.0 }, &out);
	CHECK(!out.write && out.state == FOH_STAB_IDLE, "idle after stop");
	foh_stab_stop(&m.s, &out);
	CHECK(!out.write, "stop when idle writes nothing");
	CHECK(foh_stab_start(&m.s, NAN) == -EINVAL, "start with NaN fader");
}

static void test_post(void)
{
	struct foh_stab_params p;
	struct sim pre, post;
	int w;

	foh_stab_default_params(&p);
	sim_init(&pre, &p, 0.0);
	p.meter_point = FOH_STAB_POST;
	sim_init(&post, &p, 0.0);
	for (int k = 0; k < 240; k++) {
		double lvl = k < 120 ? -36.0 : -24.0;
		cycle(&pre, lvl);
		cycle(&post, lvl);
		pre.check_slew = post.check_slew = true;
	}
	CHECK(fabs(post.fader - pre.fader) < 0.05, "post %.2f vs pre %.2f", post.fader,
			pre.fader);
	w = post.writes;
	for (int k = 0; k < 240; k++)
		cycle(&post, -24.0);
	CHECK(post.writes == w, "post: %d writes on a steady level", post.writes - w);
	printf("post meter point: fader %.2f dB, pre %.2f dB\n", post.fader, pre.fader);
}

static void test_limits(void)
{
	struct foh_stab_params p;
	struct sim m;

	foh_stab_default_params(&p);
	p.fader_min_db = -20.0;
	p.fader_max_db = -5.0;
	sim_init(&m, &p, -10.0);
	cycle(&m, -5.0);
	CHECK(m.fader >= -20.0 && m.fader < -19.9, "floor -20: %.3f", m.fader);
	for (int k = 0; k < 100; k++)
		cycle(&m, -35.0);
	CHECK(m.fader <= -5.0 && m.fader > -5.1, "ceiling -5: %.3f", m.fader);
}

static void test_knobs(void)
{
	struct foh_stab_params p, d;
	const struct foh_stab_knob *k;
	char msg[160], want[80];
	size_t n;

	foh_stab_default_params(&d);
	CHECK(foh_stab_params_validate(&d, msg, sizeof(msg)) == 0, "defaults valid");
	CHECK(d.target_db == -30.0 && d.slew_db == 2.0 && d.fast_tau_s == 2.0 &&
			d.slow_tau_s == 20.0 && d.smoothing == 0.15 &&
			d.scene_threshold_db == 5.0 && d.scene_deadband_db == 1.0 &&
			d.deadband_db == 1.0 && d.scene_slew_db == 6.0 && d.far_db == 8.0 &&
			d.far_slew_factor == 3.0 && d.silence_db == -60.0 &&
			d.silence_hold_s == 3.0 && d.fader_min_db == -80.0 &&
			d.fader_max_db == 10.0 && d.interval_s == 0.5 && d.pause_s == 5.0 &&
			d.moderate_step_db == 3.5 &&
			d.mode == FOH_STAB_TWO_SPEED && d.meter_point == FOH_STAB_PRE,
			"documented defaults");
	k = foh_stab_knobs(&n);
	CHECK(n == 18, "%zu knobs", n);
	for (size_t i = 0; i < n; i++) {
		const double bad[] = { k[i].min - 1.0, k[i].max + 1.0, NAN };
		for (int b = 0; b < 3; b++) {
			p = d;
			*(double *)((char *)&p + k[i].offset) = bad[b];
			msg[0] = '\0';
			snprintf(want, sizeof(want), "[%g, %g]", k[i].min, k[i].max);
			CHECK(foh_stab_params_validate(&p, msg, sizeof(msg)) == -EINVAL &&
					strstr(msg, k[i].key) && strstr(msg, want),
					"%s = %g: '%s'", k[i].key, bad[b], msg);
			p = d;
			CHECK(foh_stab_params_set(&p, k[i].key, bad[b], msg, sizeof(msg)) ==
					-EINVAL && memcmp(&p, &d, sizeof(p)) == 0,
					"set %s = %g refused", k[i].key, bad[b]);
		}
	}
	p = d;
	CHECK(foh_stab_params_set(&p, "slow-tau-s", 2.0, msg, sizeof(msg)) == -EINVAL &&
			strstr(msg, "fast-tau-s"), "slow < fast: '%s'", msg);
	CHECK(foh_stab_params_set(&p, "fader-min-db", -60.5, msg, sizeof(msg)) == 0, "min -60.5");
	CHECK(foh_stab_params_set(&p, "fader-max-db", -60.0, msg, sizeof(msg)) == -EINVAL &&
			strstr(msg, "fader-min-db"), "max near min: '%s'", msg);
	p = d;
	CHECK(foh_stab_params_set(&p, "scene-deadband-db", 5.0, msg, sizeof(msg)) == -EINVAL,
			"scene deadband at threshold: '%s'", msg);
	CHECK(foh_stab_params_set(&p, "no-such", 1.0, msg, sizeof(msg)) == -ENOENT, "unknown");
	CHECK(foh_stab_params_set(&p, "slew-db", 4.0, msg, sizeof(msg)) == 0 && p.slew_db == 4.0,
			"set slew-db");
	p.mode = (enum foh_stab_mode)7;
	CHECK(foh_stab_params_validate(&p, msg, sizeof(msg)) == -EINVAL, "bad mode");
	CHECK(foh_stab_mode_from_string("single", &p.mode) == 0 && p.mode == FOH_STAB_SINGLE,
			"mode single");
	CHECK(foh_stab_mode_from_string("fast", &p.mode) == -EINVAL, "mode fast");
	CHECK(foh_stab_meter_point_from_string("post", &p.meter_point) == 0 &&
			p.meter_point == FOH_STAB_POST, "post");
	CHECK(strcmp(foh_stab_state_str(FOH_STAB_SCENE_CHANGE), "scene-change") == 0, "names");
	CHECK(strcmp(foh_stab_state_str(FOH_STAB_SETTLING), "settling") == 0, "names");
	struct foh_stab s;
	p = d;
	p.interval_s = 0.0;
	CHECK(foh_stab_init(&s, &p) == -EINVAL, "init refuses bad params");
}

static double clampd(double v, double lo, double hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

/* The original loop against its formula, written out here. */
static void test_original(void)
{
	struct foh_stab_params p;
	struct foh_stab_orig o;
	struct foh_stab_output out;
	double fader = -5.0, ema = NAN, worst = 0.0;
	uint64_t rng = 9;
	int writes = 0;

	foh_stab_default_params(&p);
	foh_stab_orig_init(&o, &p);
	foh_stab_orig_start(&o, fader);
	for (int k = 0; k < 400; k++) {
		double lvl = (k < 200 ? -42.0 : -20.0) + 2.0 * test_noise(&rng);
		if (k >= 300 && k < 320)
			lvl = -75.0;
		foh_stab_orig_step(&o, &(struct foh_stab_reading) { true, lvl }, &out);
		if (lvl >= -60.0) {
			ema = isnan(ema) ? lvl : ema + 0.15 * (lvl - ema);
			fader += clampd(clampd(-30.0 - ema, -80.0, 10.0) - fader, -2.0, 2.0);
			CHECK(out.write, "original writes every live cycle");
		} else {
			CHECK(!out.write && out.state == FOH_STAB_SILENCE, "original frozen");
		}
		writes += out.write;
		worst = fmax(worst, fabs(out.fader - foh_x32_db_to_fader(fader)));
	}
	CHECK(worst < 1e-6, "original fader vs formula: worst %.2g", worst);
	CHECK(foh_stab_orig_set_fader(&o, -12.0, &out) == 0 && out.write, "orig set");
	for (int k = 1; k <= 12; k++) {
		foh_stab_orig_step(&o, &(struct foh_stab_reading) { true, -20.0 }, &out);
		CHECK(out.write == (k * DT >= 5.0 - 1e-9), "orig pause at %.1f s", k * DT);
	}
	printf("original loop: %d writes in 400 cycles, worst float error %.2g\n", writes, worst);
}

static void test_single_mode(void)
{
	struct foh_stab_params p;
	double mv, t;
	int w;

	foh_stab_default_params(&p);
	p.mode = FOH_STAB_SINGLE;
	p.deadband_db = 0.5;
	t = step_response(&p, 12.0, 0.0, &mv, &w);
	CHECK(t >= 0.0 && t <= 30.0, "single mode settles: %.1f s", t);
	printf("single mode, deadband 0.5 dB: 12 dB step within 1 dB after %.1f s\n", t);
}

/* Mode leveler: the channel leveler's controller on the meter, with the
 * desk's rules: one result per cycle (a write or none), desk steps inside
 * the floor and ceiling, slew-limited moves (checked in cycle()), a 12 dB
 * step settled within 1 dB, no write while blind or in silence (the fader
 * frozen, where it was), no write while paused after a manual move. */
static void test_leveler_mode(void)
{
	struct foh_stab_params p;
	struct sim m;
	double mv, t, frozen;
	int w;

	foh_stab_default_params(&p);
	p.mode = FOH_STAB_LEVELER;
	t = step_response(&p, 12.0, 0.0, &mv, &w);
	CHECK(t >= 0.0 && t <= 10.0, "leveler mode settles: %.1f s", t);
	CHECK(w == 0, "leveler mode still writing %d times after settling", w);
	printf("leveler mode: 12 dB step within 1 dB after %.1f s, largest move %.2f dB\n", t, mv);
	sim_init(&m, &p, 0.0);
	for (int k = 0; k < 60; k++)
		cycle(&m, -36.0);
	m.check_slew = true;
	CHECK(fabs(output(&m, -36.0) - p.target_db) <= 1.0, "leveler mode: output %.2f",
			output(&m, -36.0));
	frozen = m.fader;
	w = m.writes;
	for (int k = 0; k < 40; k++)
		cycle(&m, NAN);
	CHECK(m.writes == w && m.out.state == FOH_STAB_BLIND, "leveler mode wrote while blind");
	for (int k = 0; k < 40; k++)
		cycle(&m, -95.0);
	CHECK(m.writes == w && m.fader == frozen && m.out.state == FOH_STAB_SILENCE,
			"leveler mode: silence moved the fader (%.2f, %s)", m.fader,
			foh_stab_state_str(m.out.state));
	cycle(&m, -36.0);
	CHECK(fabs(m.fader - frozen) <= p.slew_db + 1e-9, "leveler mode: a jump after silence");
	(void)foh_stab_set_fader(&m.s, -20.0, &m.out);
	m.fader = m.out.fader_db;
	w = m.writes;
	for (int k = 0; k < (int)(p.pause_s / p.interval_s) - 1; k++)
		cycle(&m, -20.0);
	CHECK(m.writes == w && m.out.state == FOH_STAB_PAUSED, "leveler mode wrote while paused");
}

int main(void)
{
	test_cold_start();
	test_settling();
	test_steps();
	test_scene_change();
	test_silence();
	test_manual();
	test_blind();
	test_stop();
	test_post();
	test_limits();
	test_knobs();
	test_original();
	test_single_mode();
	test_leveler_mode();
	return test_summary("test-stabilizer");
}
