/* L/M/H: band-pass response, band dominance, smoother time constants,
 * glitch-free retuning, parameter checks.
 *
 * Response. The digital Butterworth band-pass of prototype order N made by
 * the bilinear transform with prewarped edges has, with W = tan(pi f / sr),
 *   |H|^2 = 1 / (1 + ((W^2 - Wlo Whi) / (W (Whi - Wlo)))^(2N))
 * (written out below, not taken from the code). The designed sections are
 * evaluated here as a product of (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 +
 * a2 z^-2) at 40 frequencies per band and order and must match it within
 * 0.01 dB down to -60 dB; lo and hi must read -3.01 dB. Then sines at 28
 * frequencies (order 2; 12 for orders 1, 4, 5, 8) run through the block:
 * 10 log10 of the output's mean square (block_rms^2 averaged over the last
 * 0.5 s of 1.5 s) over the input's must match the formula within 0.1 dB
 * where it is above -10 dB and 0.5 dB down to -40 dB.
 *
 * Dominance: 3 s of a -20 dBFS sine at 100 Hz, 1 kHz, 8 kHz with the
 * defaults; the values averaged over the last second must put the tone's
 * band on top by at least 0.05.
 *
 * Time constants: a sine that fills each block with whole cycles (so the
 * block RMS is exact) is switched on (and later off) at a block boundary.
 * The smoothed RMS y, normalised to its settled value, is an exponential
 * once the filter has settled: the time between y = 1 - e^-1 and
 * y = 1 - e^-2 (attack), or e^-1 and e^-2 (release), is tau whatever the
 * filter's delay. Crossings are interpolated in log(1 - y) (log y), which
 * is linear in time for an exponential. Within 10% of the set tau.
 *
 * Retune: a steady 1 kHz sine while band edges move (also onto and off
 * the tone) and the order changes 2 -> 4 -> 1 -> 8, then a slider drag:
 * the mid value (the tone is in the mid band throughout) must not move by
 * more than 0.01 between blocks, and no band's block RMS may overshoot or
 * dip outside the range between its settled levels before and after (a
 * state reset dips, a coefficient glide of a narrow band rings). */
#include <complex.h>
#include <string.h>

#include "lmh.h"
#include "test-util.h"

#define RATE	48000u

static double analytic_db(double f, double lo, double hi, int order,
		double rate)
{
	double w = tan(M_PI * f / rate);
	double wl = tan(M_PI * lo / rate), wh = tan(M_PI * hi / rate);
	double x = (w * w - wl * wh) / (w * (wh - wl));

	return -10.0 * log10(1.0 + pow(x * x, order));
}

static double sections_db(const struct foh_biquad_coefs *c, uint32_t n,
		double f, double rate)
{
	double complex z1 = cexp(-I * 2.0 * M_PI * f / rate), z2 = z1 * z1;
	double complex h = 1.0;

	for (uint32_t k = 0; k < n; k++)
		h *= (c[k].b0 + c[k].b1 * z1 + c[k].b2 * z2) /
			(1.0 + c[k].a1 * z1 + c[k].a2 * z2);
	return 20.0 * log10(cabs(h));
}

static void test_design(void)
{
	static const double edges[3][2] = { { 88, 184 }, { 304, 1760 }, { 2944, 13952 } };
	static const uint32_t orders[] = { 1, 2, 3, 4, 6, 8 };
	double worst = 0.0;

	for (int b = 0; b < 3; b++)
	for (int o = 0; o < 6; o++) {
		struct foh_biquad_coefs c[FOH_LMH_MAX_ORDER];
		double lo = edges[b][0], hi = edges[b][1];
		uint32_t n = foh_lmh_design(c, orders[o], lo, hi, RATE);

		CHECK(n == orders[o], "order %u gives %u sections", orders[o], n);
		for (uint32_t k = 0; k < n; k++)	/* poles inside the unit circle */
			CHECK(fabs(c[k].a2) < 1.0 && fabs(c[k].a1) < 1.0 + c[k].a2,
					"section %u of order %u unstable", k, orders[o]);
		for (int i = 0; i < 40; i++) {
			double f = 20.0 * pow(0.49 * RATE / 20.0, i / 39.0);
			double want = analytic_db(f, lo, hi, (int)orders[o], RATE);
			double got = sections_db(c, n, f, RATE);
			if (want < -60.0)
				continue;
			CHECK_NEAR(got, want, 0.01, "band %d order %u at %.1f Hz",
					b, orders[o], f);
			worst = fmax(worst, fabs(got - want));
		}
		CHECK_NEAR(sections_db(c, n, lo, RATE), -3.0103, 0.01,
				"-3 dB at lo, band %d order %u", b, orders[o]);
		CHECK_NEAR(sections_db(c, n, hi, RATE), -3.0103, 0.01,
				"-3 dB at hi, band %d order %u", b, orders[o]);
		/* 0 dB at the digital centre, W0^2 = Wlo Whi */
		double f0 = atan(sqrt(tan(M_PI * lo / RATE) * tan(M_PI * hi / RATE))) *
			RATE / M_PI;
		CHECK_NEAR(sections_db(c, n, f0, RATE), 0.0, 0.001,
				"centre %.1f Hz, band %d order %u", f0, b, orders[o]);
	}
	printf("design: worst |err| vs analytic %.5f dB\n", worst);
}

/* Mean square of each band's output over the last 0.5 s of 1.5 s of a sine
 * of amplitude amp, divided by the input's, in dB. */
static void measure_sine(struct foh_lmh *s, double f, double *db)
{
	static float buf[1200];
	const uint32_t total = RATE * 3 / 2, tail = RATE / 2;
	double acc[3] = { 0 }, in = 0.0;

	foh_lmh_reset(s);
	for (uint32_t t = 0; t < total; t += 1200) {
		for (uint32_t i = 0; i < 1200; i++)
			buf[i] = (float)(0.5 * sin(2.0 * M_PI * f * (double)(t + i) / RATE));
		foh_lmh_run(s, buf, 1200);
		if (t < total - tail)
			continue;
		for (uint32_t i = 0; i < 1200; i++)
			in += (double)buf[i] * buf[i];
		for (int b = 0; b < 3; b++)
			acc[b] += (double)s->block_rms[b] * s->block_rms[b] * 1200.0;
	}
	for (int b = 0; b < 3; b++)
		db[b] = 10.0 * log10(acc[b] / in);
}

static void measured_response(uint32_t order, int n_freq)
{
	struct foh_lmh s;
	struct foh_lmh_params p;
	double worst_pass = 0.0;

	foh_lmh_init(&s, RATE);
	foh_lmh_default_params(&p);
	p.order = order;
	foh_lmh_set(&s, &p);
	foh_lmh_reset(&s);
	for (int i = 0; i < n_freq; i++) {
		double f = 40.0 * pow(20000.0 / 40.0, i / (n_freq - 1.0)), db[3];
		measure_sine(&s, f, db);
		for (int b = 0; b < 3; b++) {
			double want = analytic_db(f, p.band[b].lo_hz, p.band[b].hi_hz,
					(int)order, RATE);
			if (want >= -10.0) {
				CHECK_NEAR(db[b], want, 0.1, "order %u band %d at %.1f Hz",
						order, b, f);
				worst_pass = fmax(worst_pass, fabs(db[b] - want));
			} else if (want >= -40.0) {
				CHECK_NEAR(db[b], want, 0.5, "order %u band %d at %.1f Hz",
						order, b, f);
			}
		}
	}
	printf("measured order %u, %d frequencies: worst passband |err| %.4f dB\n",
			order, n_freq, worst_pass);
}

/* The run path has a vector form (up to 4 sections) and a scalar one. */
static void test_measured_response(void)
{
	measured_response(2, 28);
	measured_response(1, 12);
	measured_response(4, 12);
	measured_response(5, 12);
	measured_response(8, 12);
}

/* Mean values over the last second of 3 s of a -20 dBFS sine. */
static void run_tone(float strength, double f, double *v)
{
	static float buf[256];
	struct foh_lmh s;
	struct foh_lmh_params p;
	const uint32_t total = 3 * RATE;

	foh_lmh_init(&s, RATE);
	foh_lmh_default_params(&p);
	p.scale.strength = strength;
	foh_lmh_set(&s, &p);
	v[0] = v[1] = v[2] = 0.0;
	for (uint32_t t = 0; t + 256 <= total; t += 256) {
		for (uint32_t i = 0; i < 256; i++)
			buf[i] = (float)(0.1 * sin(2.0 * M_PI * f * (t + i) / RATE));
		foh_lmh_run(&s, buf, 256);
		for (int b = 0; b < 3; b++) {
			CHECK(s.value[b] >= 0.0f && s.value[b] <= 1.0f,
					"value %d = %f outside [0, 1]", b, s.value[b]);
			if (t >= total - RATE)
				v[b] += s.value[b] / (RATE / 256.0);
		}
	}
}

static void test_dominance(void)
{
	static const double freqs[3] = { 100.0, 1000.0, 8000.0 };
	static const float strengths[2] = { 0.7f, 0.0f };

	for (int k = 0; k < 2; k++)
	for (int b = 0; b < 3; b++) {
		double v[3];
		run_tone(strengths[k], freqs[b], v);
		printf("strength %.1f, %5.0f Hz: low %.3f mid %.3f high %.3f\n",
				strengths[k], freqs[b], v[0], v[1], v[2]);
		for (int o = 0; o < 3; o++)
			if (o != b)
				CHECK(v[b] >= v[o] + 0.05, "%.0f Hz: band %d (%.3f) "
						"does not dominate band %d (%.3f)",
						freqs[b], b, v[b], o, v[o]);
		CHECK(v[b] > 0.0 && v[b] < 1.0, "in-band value %.3f not in (0, 1)",
				v[b]);
	}
}

/* Time from y crossing a1 to crossing a2 (normalised, rising or falling),
 * interpolated where log|y - goal| is linear. */
static double crossing(const double *t, const double *y, int n, double level,
		bool rising)
{
	for (int i = 1; i < n; i++) {
		double g0 = rising ? 1.0 - y[i - 1] : y[i - 1];
		double g1 = rising ? 1.0 - y[i] : y[i];
		if (g0 > level && g1 <= level && g1 > 0.0)
			return t[i - 1] + (t[i] - t[i - 1]) * (log(g0) - log(level)) /
				(log(g0) - log(g1));
	}
	return -1.0;
}

static void measure_tau(int band, double f, uint32_t block)
{
	static float buf[1024];
	static double tt[6000], yy[6000];
	struct foh_lmh s;
	struct foh_lmh_params p;
	const int on_blocks = (int)(1.5 * RATE / block), total = 2 * on_blocks;
	double settled;

	foh_lmh_init(&s, RATE);
	foh_lmh_default_params(&p);
	foh_lmh_set(&s, &p);
	for (int k = 0; k < total; k++) {
		for (uint32_t i = 0; i < block; i++)
			buf[i] = k < on_blocks ? (float)(0.3 * sin(2.0 * M_PI * f *
						(double)(k * block + i) / RATE)) : 0.0f;
		foh_lmh_run(&s, buf, block);
		tt[k] = (double)(k + 1) * block / RATE;
		yy[k] = s.rms[band];
	}
	settled = yy[on_blocks - 1];
	for (int k = 0; k < total; k++)
		yy[k] /= settled;
	double a1 = crossing(tt, yy, on_blocks, exp(-1.0), true);
	double a2 = crossing(tt, yy, on_blocks, exp(-2.0), true);
	double r1 = crossing(tt + on_blocks, yy + on_blocks, on_blocks, exp(-1.0), false);
	double r2 = crossing(tt + on_blocks, yy + on_blocks, on_blocks, exp(-2.0), false);
	printf("band %d: attack tau %.2f ms (set %.2f), release tau %.2f ms (set %.2f)\n",
			band, (a2 - a1) * 1e3, p.band[band].attack_s * 1e3,
			(r2 - r1) * 1e3, p.band[band].release_s * 1e3);
	CHECK_NEAR(a2 - a1, p.band[band].attack_s, 0.1 * p.band[band].attack_s,
			"band %d attack tau", band);
	CHECK_NEAR(r2 - r1, p.band[band].release_s, 0.1 * p.band[band].release_s,
			"band %d release tau", band);
}

static void test_time_constants(void)
{
	/* whole cycles per block: 125 Hz x 384, 750 Hz x 64, 6 kHz x 32 */
	measure_tau(FOH_LMH_LOW, 125.0, 384);
	measure_tau(FOH_LMH_MID, 750.0, 64);
	measure_tau(FOH_LMH_HIGH, 6000.0, 32);
}

struct trace {
	double first[3], last[3];	/* block RMS at the ends */
	double lo[3], hi[3];		/* extremes of the block RMS */
	double step;			/* largest mid value step */
};

/* A 1 kHz sine (in the mid band for every design used here) in 256-frame
 * blocks. */
static void run_steady(struct foh_lmh *s, uint64_t *pos, uint32_t blocks,
		float *prev_mid, struct trace *tr)
{
	static float buf[256];

	tr->step = 0.0;
	for (uint32_t k = 0; k < blocks; k++) {
		for (uint32_t i = 0; i < 256; i++, (*pos)++)
			buf[i] = (float)(0.1 * sin(2.0 * M_PI * 1000.0 * (double)*pos / RATE));
		foh_lmh_run(s, buf, 256);
		tr->step = fmax(tr->step, fabs(s->value[1] - *prev_mid));
		*prev_mid = s->value[1];
		for (int b = 0; b < 3; b++) {
			double r = s->block_rms[b];
			if (k == 0)
				tr->first[b] = tr->lo[b] = tr->hi[b] = r;
			tr->lo[b] = fmin(tr->lo[b], r);
			tr->hi[b] = fmax(tr->hi[b], r);
			tr->last[b] = r;
		}
	}
}

/* Applies p after a steady second; the mid value (tone in band) must not
 * step, and no band's block RMS may leave the range between its settled
 * levels before and after (3% for the partial cycles per block). */
static void retune(struct foh_lmh *s, uint64_t *pos, float *prev,
		const struct foh_lmh_params *p, const char *what)
{
	struct trace before, during, after;

	run_steady(s, pos, RATE / 256, prev, &before);
	foh_lmh_set(s, p);
	run_steady(s, pos, RATE / 2 / 256, prev, &during);
	run_steady(s, pos, RATE / 4 / 256, prev, &after);
	printf("%s: mid value max step %.5f (steady %.5f)\n", what, during.step,
			before.step);
	CHECK(during.step < 0.01, "%s: mid value steps by %.4f", what, during.step);
	for (int b = 0; b < 3; b++) {
		double top = fmax(before.last[b], after.last[b]) * 1.03 + 1e-9;
		double bottom = fmin(before.last[b], after.last[b]) * 0.97;
		CHECK(during.hi[b] <= top && during.lo[b] >= bottom,
				"%s: band %d RMS went to [%.3g, %.3g] between "
				"%.3g and %.3g", what, b, during.lo[b], during.hi[b],
				before.last[b], after.last[b]);
	}
}

static void test_retune(void)
{
	struct foh_lmh s;
	struct foh_lmh_params p;
	uint64_t pos = 0;
	float prev = 0.0f;
	struct trace warm;

	foh_lmh_init(&s, RATE);
	foh_lmh_default_params(&p);
	foh_lmh_set(&s, &p);
	run_steady(&s, &pos, 2 * RATE / 256, &prev, &warm);
	p.band[1].lo_hz = 400.0f;
	p.band[1].hi_hz = 2000.0f;
	retune(&s, &pos, &prev, &p, "mid 304-1760 -> 400-2000");
	p.band[0].lo_hz = 700.0f;
	p.band[0].hi_hz = 1400.0f;
	retune(&s, &pos, &prev, &p, "low 88-184 -> 700-1400 (onto the tone)");
	p.band[2].lo_hz = 30.0f;
	p.band[2].hi_hz = 100.0f;
	retune(&s, &pos, &prev, &p, "high 2944-13952 -> 30-100");
	p.order = 4;
	retune(&s, &pos, &prev, &p, "order 2 -> 4");
	p.order = 1;
	retune(&s, &pos, &prev, &p, "order 4 -> 1");
	p.order = 8;
	retune(&s, &pos, &prev, &p, "order 1 -> 8");
	/* sets arriving faster than the new design settles (a slider) */
	foh_lmh_default_params(&p);
	for (int i = 0; i < 20; i++) {
		struct trace t;
		p.band[1].lo_hz = 300.0f + 10.0f * (float)i;
		foh_lmh_set(&s, &p);
		run_steady(&s, &pos, 2, &prev, &t);
		CHECK(t.step < 0.01, "drag %d: mid value steps by %.4f", i, t.step);
	}
	p.band[1].lo_hz = 250.0f;
	retune(&s, &pos, &prev, &p, "after a drag");
}

static void test_odd_blocks(void)
{
	/* any block length up to 8192, silence reads 0 */
	static float buf[8192];
	static const uint32_t sizes[] = { 1, 7, 64, 333, 4096, 8192 };
	struct foh_lmh s;

	foh_lmh_init(&s, RATE);
	memset(buf, 0, sizeof(buf));
	for (int i = 0; i < 6; i++)
		for (int k = 0; k < 20; k++)
			foh_lmh_run(&s, buf, sizes[i]);
	for (int b = 0; b < 3; b++)
		CHECK(s.value[b] == 0.0f, "silence reads %g in band %d",
				s.value[b], b);
}

static void expect_invalid(const struct foh_lmh_params *p, const char *what)
{
	char why[256] = "";

	CHECK(!foh_lmh_params_valid(p, RATE, why, sizeof(why)),
			"%s accepted", what);
	CHECK(why[0] != '\0', "%s: no reason", what);
	printf("  %s: %s\n", what, why);
}

static void test_validation(void)
{
	struct foh_lmh_params p, q;
	char why[256];

	foh_lmh_default_params(&p);
	p.band[1].attack_s = p.band[2].attack_s = 0.005f;
	CHECK(foh_lmh_params_valid(&p, RATE, why, sizeof(why)),
			"defaults (5 ms attacks) rejected: %s", why);
	CHECK(foh_lmh_params_valid(&p, RATE, NULL, 0), "NULL why");
#define BAD(field, value) do { q = p; q.field = value; expect_invalid(&q, #field " = " #value); } while (0)
	BAD(band[0].lo_hz, 19.0f);
	BAD(band[0].hi_hz, 138.0f);
	BAD(band[2].hi_hz, 21601.0f);
	BAD(band[1].lo_hz, NAN);
	BAD(band[1].attack_s, 0.0049f);
	BAD(band[1].release_s, 2.1f);
	BAD(order, 0);
	BAD(order, 9);
	BAD(scale.attack_s, 0.0009f);
	BAD(scale.release_s, 4.0f);
	BAD(scale.release_s, 301.0f);
	BAD(scale.noise_floor, 0.11f);
	BAD(scale.strength, 1.01f);
	BAD(geom.n_bins, 7);
	BAD(geom.n_bins, 1025);
	BAD(geom.window, 1000);
#undef BAD
	CHECK(foh_lmh_params_valid(&p, 44100, NULL, 0), "44.1 kHz rejected");
	q = p;
	q.band[2].hi_hz = 19845.0f;	/* 0.45 x 44.1 kHz */
	CHECK(foh_lmh_params_valid(&q, 44100, NULL, 0), "hi = 0.45 sr rejected");
	q.band[2].hi_hz = 19846.0f;
	CHECK(!foh_lmh_params_valid(&q, 44100, NULL, 0), "hi > 0.45 sr accepted");
}

int main(void)
{
	test_design();
	test_measured_response();
	test_dominance();
	test_time_constants();
	test_retune();
	test_odd_blocks();
	test_validation();
	return test_summary("test-lmh");
}
