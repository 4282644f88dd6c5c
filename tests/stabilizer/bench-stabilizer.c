/* Stabilizer benchmark: the two-speed loop, its single-EMA mode and the
 * original loop on one fixed synthetic programme, side by side.
 *
 * Programme (bus level before the fader, dBFS, one reading per 0.5 s):
 *   0-30 s -50 (below the fader's reach), 30 s step to -20, 120 s to -35,
 *   210 s to -23 (the 12 dB step up), 300-420 s drift to -29, 420-440 s
 *   silence, 440 s -29, 500-620 s a +-3 dB swell with a 60 s period,
 *   620 s step to -23, 680 s to -35 (the 12 dB step down), 770-776 s
 *   silence, 776-860 s -32.
 *   Every reading carries +-1.5 dB of uniform jitter (fixed seed).
 * The desk applies the fader a loop sent at cycle k to the level at cycle
 * k + 1; output = level + fader. Figures, over the non-silent cycles:
 *   within1db/within2db: share with |output - target| <= 1 / 2 dB, the
 *     output taken on the programme level without the jitter (no fader can
 *     follow per-reading jitter); *_raw the same with the jitter in.
 *   settle_s: after the 12 dB step up at 210 s, the time from which the
 *     output stays within +-1 dB until the next event (settle_down_s: the
 *     12 dB step down at 680 s); "inf" if it never does.
 *   overshoot_db: after every step, the largest excursion past the target
 *     on the side opposite to the step's initial error.
 *   writes: fader writes sent; travel_db: total fader movement.
 * Loops: two-speed and single (stabilizer/loop.c, defaults), original
 * (foh_stab_orig_*), leveler (mode leveler: the channel leveler's controller
 * on the meter, defaults), and two-speed-reference: REFERENCE.md's values (deadband-db 3,
 * fast-tau-s 4), the defaults foh tuned away from.
 * Prints: BENCH stabilizer=<name> within1db=... within2db=... settle_s=...
 *   overshoot_db=... (and the extra figures); --trace adds every cycle. */
#include <stdio.h>
#include <string.h>

#include "stabilizer/loop.h"
#include "test-util.h"
#include "x32/proto.h"

#define DT		0.5	/* interval-s */
#define LEN_S		860.0
#define N		1720	/* LEN_S / DT */
#define SILENT		-200.0

struct seg {
	double start, from, to;
	int shape;		/* 0 flat at from, 1 ramp from -> to, 2 swell */
};

static const struct seg programme[] = {
	{ 0.0, -50.0, 0, 0 }, { 30.0, -20.0, 0, 0 }, { 120.0, -35.0, 0, 0 },
	{ 210.0, -23.0, 0, 0 }, { 300.0, -23.0, -29.0, 1 }, { 420.0, SILENT, 0, 0 },
	{ 440.0, -29.0, 0, 0 }, { 500.0, -29.0, 3.0, 2 }, { 620.0, -23.0, 0, 0 },
	{ 680.0, -35.0, 0, 0 }, { 770.0, SILENT, 0, 0 }, { 776.0, -32.0, 0, 0 },
	{ LEN_S, 0, 0, 0 },
};
#define N_SEGS	(sizeof(programme) / sizeof(programme[0]) - 1)

/* Step events: segment starts where the level jumps. */
static const double steps_at[] = { 30.0, 120.0, 210.0, 620.0, 680.0, 776.0 };

static double level_at(double t, size_t *seg)
{
	size_t i = 0;

	while (i + 1 < N_SEGS && t >= programme[i + 1].start)
		i++;
	*seg = i;
	const struct seg *s = &programme[i];
	double x = (t - s->start) / (programme[i + 1].start - s->start);
	switch (s->shape) {
	case 1:
		return s->from + (s->to - s->from) * x;
	case 2:
		return s->from + s->to * sin(2.0 * M_PI * (t - s->start) / 60.0);
	default:
		return s->from;
	}
}

struct run {
	double prog[N];		/* programme level, no jitter */
	double out[N];		/* programme level + fader */
	double raw[N];		/* reading (with jitter) + fader */
	size_t seg[N];
	int writes;
	double travel;
};

/* One loop over the programme; orig selects the original loop. */
static void simulate(const struct foh_stab_params *p, bool orig, struct run *r)
{
	struct foh_stab s;
	struct foh_stab_orig o;
	struct foh_stab_output out;
	uint64_t rng = 0x1234567ull;
	double fader = 0.0;

	foh_stab_init(&s, p);
	foh_stab_orig_init(&o, p);
	foh_stab_start(&s, fader);
	foh_stab_orig_start(&o, fader);
	r->writes = 0;
	r->travel = 0.0;
	for (int k = 0; k < N; k++) {
		double lvl = level_at(k * DT, &r->seg[k]);
		double jit = 1.5 * test_noise(&rng);
		struct foh_stab_reading in = { true, lvl <= SILENT ? -INFINITY : lvl + jit };
		r->prog[k] = lvl;
		r->out[k] = lvl + fader;
		r->raw[k] = in.level_db + fader;
		if (orig)
			foh_stab_orig_step(&o, &in, &out);
		else
			foh_stab_step(&s, &in, &out);
		r->writes += out.write;
		r->travel += fabs(out.fader_db - fader);
		fader = out.fader_db;
	}
}

/* Time from the step at t0 after which |out - target| <= 1 until the next
 * segment boundary; -1 if never. */
static double settle_time(const struct run *r, double t0, double target)
{
	int k0 = (int)(t0 / DT), end = k0, last_bad = -1;

	while (end < N && r->seg[end] == r->seg[k0])
		end++;
	for (int k = k0; k < end; k++)
		if (fabs(r->out[k] - target) > 1.0)
			last_bad = k;
	if (last_bad == end - 1)
		return -1.0;
	return last_bad < 0 ? 0.0 : (last_bad + 1 - k0) * DT;
}

static double overshoot(const struct run *r, double target)
{
	double worst = 0.0;

	for (size_t e = 0; e < sizeof(steps_at) / sizeof(steps_at[0]); e++) {
		int k0 = (int)(steps_at[e] / DT);
		double sign = r->out[k0] > target ? 1.0 : -1.0;
		for (int k = k0; k < N && r->seg[k] == r->seg[k0]; k++)
			worst = fmax(worst, -sign * (r->out[k] - target));
	}
	return worst;
}

static void report(const char *name, const struct run *r, double target)
{
	int live = 0, in1 = 0, in2 = 0, raw1 = 0, raw2 = 0;
	double up = settle_time(r, 210.0, target), down = settle_time(r, 680.0, target);
	char su[32], sd[32];

	for (int k = 0; k < N; k++) {
		if (r->prog[k] <= SILENT)
			continue;
		live++;
		in1 += fabs(r->out[k] - target) <= 1.0;
		in2 += fabs(r->out[k] - target) <= 2.0;
		raw1 += fabs(r->raw[k] - target) <= 1.0;
		raw2 += fabs(r->raw[k] - target) <= 2.0;
	}
	snprintf(su, sizeof(su), up < 0 ? "inf" : "%.1f", up);
	snprintf(sd, sizeof(sd), down < 0 ? "inf" : "%.1f", down);
	printf("BENCH stabilizer=%s within1db=%.3f within2db=%.3f settle_s=%s "
			"overshoot_db=%.2f settle_down_s=%s within1db_raw=%.3f "
			"within2db_raw=%.3f writes=%d travel_db=%.1f\n", name,
			(double)in1 / live, (double)in2 / live, su, overshoot(r, target), sd,
			(double)raw1 / live, (double)raw2 / live, r->writes, r->travel);
}

int main(int argc, char **argv)
{
	static struct run r;
	struct foh_stab_params p[5];
	static const char *const names[] = { "two-speed", "single", "original",
		"two-speed-reference", "leveler" };
	bool trace = argc > 1 && strcmp(argv[1], "--trace") == 0;

	for (int w = 0; w < 5; w++)
		foh_stab_default_params(&p[w]);
	p[1].mode = FOH_STAB_SINGLE;
	p[4].mode = FOH_STAB_LEVELER;
	/* the later seed's own values: a 3 dB deadband leaves up to 3 dB of
	 * standing error, the 4 s fast EMA settles a step 5 s later */
	p[3].deadband_db = 3.0;
	p[3].fast_tau_s = 4.0;
	for (int w = 0; w < 5; w++) {
		simulate(&p[w], w == 2, &r);
		report(names[w], &r, p[w].target_db);
		for (int k = 0; trace && k < N; k++)
			printf("%s %.1f prog %.2f out %.2f\n", names[w], k * DT,
					r.prog[k], r.out[k]);
	}
	return 0;
}
