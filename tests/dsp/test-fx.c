/* The channel effects (width, delay, chorus, reverb) against formulas:
 * - width: 0 % gives L == R exactly, 100 % is bit-transparent, 200 %
 *   never raises the mono sum (per sample and in RMS);
 * - delay 250 ms, feedback 50 %, mix 100 %, high-cut off: an impulse comes
 *   back at exactly 12000 frames (48 kHz) and every repeat is
 *   20 log10(1/0.5) = 6.02 dB (± 0.1) lower; ping-pong alternates sides;
 * - chorus: a 1 kHz sine through two voices (LFO phases 0° and 90°, delay
 *   swing A = depth/2) is phase modulated with index b = 2 pi 1000 A, so
 *   its spectrum shows sidebands at 1000 ± rate Hz of
 *   J1(b) / (sqrt(2) J0(b)) relative to the carrier (Bessel expansion);
 * - reverb: RT60 from the impulse response by Schroeder backward
 *   integration (T30: regression of the decay curve between -5 and
 *   -35 dB) in the 1 kHz octave band (two cascaded band-passes, Q sqrt 2)
 *   within ±10 % of the set decay for 0.5, 2 and 6 s (damping 0); the
 *   tail's interchannel correlation below 0.3; finite and bounded during
 *   10 min of full-scale noise, and no subnormal state after it;
 * - click-free: every parameter change during a 1 kHz sine gives no
 *   sample-to-sample step above the largest step of the same block run
 *   with the old or the new setting throughout (+5 % and 0.002). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "foh-dsp.h"
#include "test-util.h"

#define RATE	48000u
#define BLOCK	256u

/* ---- width ------------------------------------------------------------ */

static void test_width(void)
{
	enum { N = 48000 };
	static float l[N], r[N], ol[N], or_[N];
	struct foh_width w;
	struct foh_width_params p;
	uint64_t st = 1;
	double in_sum = 0, out_sum = 0;
	bool same = true, transparent = true, above = false;

	for (int i = 0; i < N; i++) {
		l[i] = (float)(0.7 * test_noise(&st));
		r[i] = (float)(0.3 * l[i] + 0.6 * test_noise(&st));
	}
	foh_width_init(&w, RATE);
	p.width = 1.0f;
	foh_width_set(&w, &p);
	foh_width_run(&w, l, r, ol, or_, N);
	transparent = memcmp(l, ol, sizeof(l)) == 0 && memcmp(r, or_, sizeof(r)) == 0;
	CHECK(transparent, "width 100 %% is bit-transparent");

	foh_width_init(&w, RATE);
	p.width = 0.0f;
	foh_width_set(&w, &p);
	foh_width_run(&w, l, r, ol, or_, N);
	for (int i = 0; i < N; i++)
		same = same && ol[i] == or_[i];
	CHECK(same, "width 0 %% gives L == R exactly");

	foh_width_init(&w, RATE);
	p.width = 2.0f;
	foh_width_set(&w, &p);
	foh_width_run(&w, l, r, ol, or_, N);
	for (int i = 0; i < N; i++) {
		double si = (double)l[i] + r[i], so = (double)ol[i] + or_[i];
		in_sum += si * si;
		out_sum += so * so;
		/* above by more than the float rounding of the two outputs */
		if (fabs(so) > fabs(si) + FLT_EPSILON * (fabs(ol[i]) + fabs(or_[i])))
			above = true;
	}
	CHECK(!above, "width 200 %%: no sample's mono sum above the input's");
	CHECK(out_sum <= in_sum * (1.0 + 1e-6), "width 200 %%: mono sum RMS %.6f <= %.6f",
			sqrt(out_sum / N), sqrt(in_sum / N));
}

/* ---- delay ------------------------------------------------------------ */

static void run_delay(struct foh_delay *d, float *l, float *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i += BLOCK)
		foh_delay_run(d, l + i, r + i, l + i, r + i, n - i < BLOCK ? n - i : BLOCK);
}

static void test_delay(void)
{
	enum { N = 6 * 12000 + 100 };
	static float l[N], r[N];
	struct foh_delay d;
	struct foh_delay_params p = { 250.0f, 0.5f, 1.0f, 0.0f, false };
	float stray = 0.0f;

	CHECK(foh_delay_init(&d, RATE) == 0, "delay init");
	foh_delay_set(&d, &p);
	memset(l, 0, sizeof(l));
	memset(r, 0, sizeof(r));
	l[0] = r[0] = 1.0f;
	run_delay(&d, l, r, N);
	for (int i = 0; i < N; i++)
		if (i % 12000 != 0 || i == 0)
			stray = foh_maxf(stray, fabsf(l[i]));
	CHECK_NEAR(l[12000], 1.0, 1e-6, "first repeat at exactly 12000 frames");
	CHECK(stray < 1e-6f, "nothing between the repeats (%g)", stray);
	for (int k = 1; k < 5; k++) {
		double db = amp_to_db(l[12000 * k] / l[12000 * (k + 1)]);
		CHECK_NEAR(db, 6.0, 0.1, "repeat %d is 6 dB below repeat %d", k + 1, k);
		CHECK(r[12000 * k] == l[12000 * k], "right repeats like left");
	}

	/* ping-pong: an impulse on the left comes back left, then right */
	p.pingpong = true;
	foh_delay_free(&d);
	CHECK(foh_delay_init(&d, RATE) == 0, "delay init");
	foh_delay_set(&d, &p);
	memset(l, 0, sizeof(l));
	memset(r, 0, sizeof(r));
	l[0] = 1.0f;
	run_delay(&d, l, r, N);
	CHECK(l[12000] > 0.4f && fabsf(r[12000]) < 1e-6f, "ping-pong: first repeat left");
	CHECK(r[24000] > 0.2f && fabsf(l[24000]) < 1e-6f, "ping-pong: second repeat right");
	CHECK(l[36000] > 0.1f && fabsf(r[36000]) < 1e-6f, "ping-pong: third repeat left");

	/* high-cut in the loop: a later repeat of an impulse holds less energy
	 * than the feedback alone explains */
	foh_delay_free(&d);
	p.pingpong = false;
	p.highcut_hz = 2000.0f;
	CHECK(foh_delay_init(&d, RATE) == 0, "delay init");
	foh_delay_set(&d, &p);
	memset(l, 0, sizeof(l));
	memset(r, 0, sizeof(r));
	l[0] = r[0] = 1.0f;
	run_delay(&d, l, r, N);
	{
		double e = 0;
		for (int i = 24000; i < 36000; i++)
			e += (double)l[i] * l[i];
		CHECK(10 * log10(e) < -6.02 - 3.0, "high-cut: second repeat %.1f dB",
				10 * log10(e));
	}
	foh_delay_free(&d);

	/* loud noise at 95 % feedback, then 60 s of silence: no subnormal */
	p.feedback = 0.95f;
	CHECK(foh_delay_init(&d, RATE) == 0, "delay init");
	foh_delay_set(&d, &p);
	{
		uint64_t st = 3;
		bool normal = true;
		for (uint32_t f = 0; f < 62 * RATE; f += BLOCK) {
			for (uint32_t i = 0; i < BLOCK; i++)
				l[i] = r[i] = f < 2 * RATE ? (float)test_noise(&st) : 0.0f;
			foh_delay_run(&d, l, r, l, r, BLOCK);
		}
		for (uint32_t i = 0; i < d.size; i++)
			normal = normal && fpclassify(d.ring[0][i]) != FP_SUBNORMAL &&
				fpclassify(d.ring[1][i]) != FP_SUBNORMAL;
		CHECK(normal, "no subnormal delay state after 60 s of silence");
	}
	foh_delay_free(&d);
}

/* ---- chorus ----------------------------------------------------------- */

/* |DFT| of x (Hann window) at hz. */
static double dft_mag(const float *x, int n, double hz)
{
	double re = 0, im = 0, w = 2 * M_PI * hz / RATE;

	for (int i = 0; i < n; i++) {
		double win = 0.5 - 0.5 * cos(2 * M_PI * i / n);
		re += win * x[i] * cos(w * i);
		im -= win * x[i] * sin(w * i);
	}
	return sqrt(re * re + im * im);
}

static void test_chorus(void)
{
	enum { N = 6 * RATE, W = 4 * RATE };
	static float l[N], r[N];
	struct foh_chorus c;
	struct foh_chorus_params p = { 5.0f, 0.1f, 2, 1.0f, 1.0f };
	double b = 2 * M_PI * 1000.0 * 0.05e-3;
	double expect = amp_to_db(j1(b) / (sqrt(2.0) * j0(b)));

	CHECK(foh_chorus_init(&c, RATE) == 0, "chorus init");
	foh_chorus_set(&c, &p);
	for (int i = 0; i < N; i++)
		l[i] = r[i] = (float)(0.5 * sin(2 * M_PI * 1000.0 * i / RATE));
	for (uint32_t i = 0; i < N; i += BLOCK)
		foh_chorus_run(&c, l + i, r + i, l + i, r + i, BLOCK);
	for (int ch = 0; ch < 2; ch++) {
		const float *x = (ch ? r : l) + (N - W);
		double car = dft_mag(x, W, 1000.0);
		double lo = amp_to_db(dft_mag(x, W, 995.0) / car);
		double hi = amp_to_db(dft_mag(x, W, 1005.0) / car);
		double off = amp_to_db(dft_mag(x, W, 1002.5) / car);
		CHECK_NEAR(lo, expect, 1.0, "chorus %s: sideband at 995 Hz (dB re carrier)",
				ch ? "right" : "left");
		CHECK_NEAR(hi, expect, 1.0, "chorus %s: sideband at 1005 Hz (dB re carrier)",
				ch ? "right" : "left");
		CHECK(off < expect - 20.0, "chorus: nothing between (1002.5 Hz at %.1f dB)", off);
	}
	foh_chorus_free(&c);
}

/* ---- reverb ----------------------------------------------------------- */

/* T30 of h (n frames) in seconds, by Schroeder backward integration. */
static double t30(const float *h, int n)
{
	double *e = malloc(sizeof(double) * (size_t)n), acc = 0, total;
	double sx = 0, sy = 0, sxx = 0, sxy = 0;
	int k = 0;

	for (int i = n - 1; i >= 0; i--) {
		acc += (double)h[i] * h[i];
		e[i] = acc;
	}
	total = e[0];
	for (int i = 0; i < n; i++) {
		double db = 10 * log10(e[i] / total + 1e-300);
		if (db > -5)
			continue;
		if (db < -35)
			break;
		double t = (double)i / RATE;
		sx += t;
		sy += db;
		sxx += t * t;
		sxy += t * db;
		k++;
	}
	free(e);
	if (k < 2)
		return 0;
	return -60.0 / ((k * sxy - sx * sy) / (k * sxx - sx * sx));
}

static void reverb_ir(float rt60, float damping, float *l, float *r, int n)
{
	struct foh_reverb v;
	struct foh_reverb_params p = { rt60, 0.0f, damping, 0.5f, 1.0f };

	if (foh_reverb_init(&v, RATE) < 0)
		abort();
	foh_reverb_set(&v, &p);
	memset(l, 0, sizeof(float) * (size_t)n);
	memset(r, 0, sizeof(float) * (size_t)n);
	l[0] = r[0] = 1.0f;
	for (int i = 0; i < n; i += (int)BLOCK)
		foh_reverb_run(&v, l + i, r + i, l + i, r + i,
				n - i < (int)BLOCK ? (uint32_t)(n - i) : BLOCK);
	foh_reverb_free(&v);
}

static void octave_1k(float *x, int n)
{
	struct foh_biquad bq[2];
	struct foh_biquad_params bp = { FOH_BIQUAD_BANDPASS, 1000.0f, (float)M_SQRT2, 0.0f };

	for (int k = 0; k < 2; k++) {
		foh_biquad_init(&bq[k], RATE);
		foh_biquad_set(&bq[k], &bp);
		foh_biquad_reset(&bq[k]);
		for (int i = 0; i < n; i += 4096)
			foh_biquad_run(&bq[k], x + i, NULL, x + i, NULL,
					n - i < 4096 ? (uint32_t)(n - i) : 4096);
	}
}

static bool reverb_state_normal(const struct foh_reverb *v)
{
	for (int k = 0; k < FOH_REVERB_LINES; k++)
		for (uint32_t i = 0; i <= v->line[k].mask; i++)
			if (fpclassify(v->line[k].buf[i]) == FP_SUBNORMAL)
				return false;
	for (int k = 0; k < FOH_REVERB_DIFFUSERS; k++)
		for (uint32_t i = 0; i < v->ap_len[k]; i++)
			if (fpclassify(v->ap[k][i]) == FP_SUBNORMAL)
				return false;
	return true;
}

static void test_reverb(void)
{
	static const float decays[] = { 0.5f, 2.0f, 6.0f };
	int n = (int)(10 * RATE);
	float *l = malloc(sizeof(float) * (size_t)n), *r = malloc(sizeof(float) * (size_t)n);

	for (size_t k = 0; k < sizeof(decays) / sizeof(decays[0]); k++) {
		int len = (int)((1.5 * decays[k] + 0.5) * RATE);
		reverb_ir(decays[k], 0.0f, l, r, len);
		octave_1k(l, len);
		double t = t30(l, len);
		CHECK_NEAR(t, decays[k], 0.1 * decays[k], "reverb T30 (1 kHz octave) for RT60 %.1f s",
				decays[k]);
		printf("reverb: set %.1f s, T30 at 1 kHz %.3f s\n", decays[k], t);
	}
	{
		/* the tail, 50 ms to 1 s, of a 2 s reverb fed a mono impulse */
		double lr = 0, ll = 0, rr = 0, rho;
		reverb_ir(2.0f, 0.5f, l, r, 2 * RATE);
		for (int i = RATE / 20; i < (int)RATE; i++) {
			lr += (double)l[i] * r[i];
			ll += (double)l[i] * l[i];
			rr += (double)r[i] * r[i];
		}
		rho = lr / sqrt(ll * rr);
		CHECK(fabs(rho) < 0.3, "reverb tail interchannel correlation %.3f < 0.3", rho);
		printf("reverb: tail correlation %.3f\n", rho);
	}
	{
		/* damping shortens the high decay, not the low */
		reverb_ir(2.0f, 1.0f, l, r, 4 * RATE);
		octave_1k(l, 4 * RATE);
		double t = t30(l, 4 * RATE);
		printf("reverb: damping 1, T30 at 1 kHz %.3f s for 2 s\n", t);
		CHECK(t < 2.0 && t > 1.0, "damping 1 shortens the 1 kHz decay of 2 s (%.2f s)", t);
	}
	{
		/* 10 min of full-scale noise at the longest decay, then 60 s of
		 * silence: finite, bounded, no subnormal state */
		struct foh_reverb v;
		struct foh_reverb_params p = { 10.0f, 50.0f, 0.0f, 1.0f, 1.0f };
		float bl[BLOCK], br[BLOCK], peak = 0.0f;
		uint64_t st = 7;
		bool finite = true;

		CHECK(foh_reverb_init(&v, RATE) == 0, "reverb init");
		foh_reverb_set(&v, &p);
		for (uint64_t f = 0; f < 660ull * RATE; f += BLOCK) {
			bool loud = f < 600ull * RATE;
			for (uint32_t i = 0; i < BLOCK; i++) {
				bl[i] = loud ? (float)test_noise(&st) : 0.0f;
				br[i] = loud ? (float)test_noise(&st) : 0.0f;
			}
			foh_reverb_run(&v, bl, br, bl, br, BLOCK);
			for (uint32_t i = 0; i < BLOCK; i++) {
				finite = finite && isfinite(bl[i]) && isfinite(br[i]);
				peak = foh_maxf(peak, foh_maxf(fabsf(bl[i]), fabsf(br[i])));
			}
		}
		CHECK(finite, "reverb output finite after 10 min of full-scale noise");
		CHECK(peak < 8.0f, "reverb output bounded (peak %.2f)", peak);
		CHECK(reverb_state_normal(&v), "no subnormal reverb state after 60 s of silence");
		printf("reverb: peak %.2f during 10 min of full-scale noise at 10 s\n", peak);
		foh_reverb_free(&v);
	}
	free(l);
	free(r);
}

/* ---- click-free parameter changes -------------------------------------- */

enum fx { WIDTH, DELAY, CHORUS, REVERB };

struct fx_set {
	struct foh_width_params w;
	struct foh_delay_params d;
	struct foh_chorus_params c;
	struct foh_reverb_params r;
};

union fx_state {
	struct foh_width w;
	struct foh_delay d;
	struct foh_chorus c;
	struct foh_reverb r;
};

static void fx_set(enum fx fx, union fx_state *s, const struct fx_set *p)
{
	switch (fx) {
	case WIDTH: foh_width_set(&s->w, &p->w); break;
	case DELAY: foh_delay_set(&s->d, &p->d); break;
	case CHORUS: foh_chorus_set(&s->c, &p->c); break;
	case REVERB: foh_reverb_set(&s->r, &p->r); break;
	}
}

/* Runs 3 s of a stereo 1 kHz sine (right a quarter period late), with a
 * at first and b from 1.5 s; returns the largest step. */
static double max_step(enum fx fx, const struct fx_set *a, const struct fx_set *b)
{
	union fx_state s;
	float l[BLOCK], r[BLOCK], pl = 0, pr = 0;
	double step = 0;

	switch (fx) {
	case WIDTH: foh_width_init(&s.w, RATE); break;
	case DELAY: (void)foh_delay_init(&s.d, RATE); break;
	case CHORUS: (void)foh_chorus_init(&s.c, RATE); break;
	case REVERB: (void)foh_reverb_init(&s.r, RATE); break;
	}
	fx_set(fx, &s, a);
	for (uint32_t f = 0; f < 3 * RATE; f += BLOCK) {
		if (f == 3 * RATE / 2 / BLOCK * BLOCK)
			fx_set(fx, &s, b);
		for (uint32_t i = 0; i < BLOCK; i++) {
			l[i] = (float)(0.5 * sin(2 * M_PI * 1000.0 * (f + i) / RATE));
			r[i] = (float)(0.4 * sin(2 * M_PI * 1000.0 * (f + i) / RATE - 0.5 * M_PI));
		}
		switch (fx) {
		case WIDTH: foh_width_run(&s.w, l, r, l, r, BLOCK); break;
		case DELAY: foh_delay_run(&s.d, l, r, l, r, BLOCK); break;
		case CHORUS: foh_chorus_run(&s.c, l, r, l, r, BLOCK); break;
		case REVERB: foh_reverb_run(&s.r, l, r, l, r, BLOCK); break;
		}
		for (uint32_t i = 0; i < BLOCK; i++) {
			if (f + i > 0) {
				step = fmax(step, fabs(l[i] - pl));
				step = fmax(step, fabs(r[i] - pr));
			}
			pl = l[i];
			pr = r[i];
		}
	}
	switch (fx) {
	case DELAY: foh_delay_free(&s.d); break;
	case CHORUS: foh_chorus_free(&s.c); break;
	case REVERB: foh_reverb_free(&s.r); break;
	default: break;
	}
	return step;
}

static void check_change(const char *what, enum fx fx, const struct fx_set *a,
		const struct fx_set *b)
{
	double change = max_step(fx, a, b);
	double ref = fmax(max_step(fx, a, a), max_step(fx, b, b));

	CHECK(change <= ref * 1.05 + 0.002, "%s: click-free (step %.4f, steady %.4f)",
			what, change, ref);
}

static void test_clicks(void)
{
	struct fx_set a, b;

	a.w.width = 1.0f;
	foh_delay_default_params(&a.d);
	a.d.mix = 0.5f;
	a.d.feedback = 0.5f;
	foh_chorus_default_params(&a.c);
	foh_reverb_default_params(&a.r);
	a.r.mix = 0.5f;

	b = a; b.w.width = 2.0f; check_change("width 100 -> 200 %", WIDTH, &a, &b);
	b = a; b.w.width = 0.0f; check_change("width 100 -> 0 %", WIDTH, &a, &b);
	b = a; b.d.time_ms = 400.0f; check_change("delay time 250 -> 400 ms", DELAY, &a, &b);
	b = a; b.d.time_ms = 3.0f; check_change("delay time 250 -> 3 ms", DELAY, &a, &b);
	b = a; b.d.feedback = 0.95f; check_change("delay feedback 50 -> 95 %", DELAY, &a, &b);
	b = a; b.d.mix = 1.0f; check_change("delay mix 50 -> 100 %", DELAY, &a, &b);
	b = a; b.d.pingpong = true; check_change("delay ping-pong on", DELAY, &a, &b);
	b = a; b.d.highcut_hz = 1000.0f; check_change("delay high-cut 8 -> 1 kHz", DELAY, &a, &b);
	b = a; b.c.depth_ms = 10.0f; check_change("chorus depth 3 -> 10 ms", CHORUS, &a, &b);
	b = a; b.c.rate_hz = 5.0f; check_change("chorus rate 0.8 -> 5 Hz", CHORUS, &a, &b);
	b = a; b.c.voices = 4; check_change("chorus voices 3 -> 4", CHORUS, &a, &b);
	b = a; b.c.voices = 2; check_change("chorus voices 3 -> 2", CHORUS, &a, &b);
	b = a; b.c.mix = 1.0f; check_change("chorus mix 50 -> 100 %", CHORUS, &a, &b);
	b = a; b.r.decay_s = 8.0f; check_change("reverb decay 1.8 -> 8 s", REVERB, &a, &b);
	b = a; b.r.decay_s = 0.2f; check_change("reverb decay 1.8 -> 0.2 s", REVERB, &a, &b);
	b = a; b.r.size = 1.0f; check_change("reverb size 0.5 -> 1", REVERB, &a, &b);
	b = a; b.r.predelay_ms = 150.0f; check_change("reverb pre-delay 20 -> 150 ms", REVERB, &a, &b);
	b = a; b.r.damping = 1.0f; check_change("reverb damping 0.5 -> 1", REVERB, &a, &b);
	b = a; b.r.mix = 1.0f; check_change("reverb mix 50 -> 100 %", REVERB, &a, &b);
}

int main(void)
{
	test_width();
	test_delay();
	test_chorus();
	test_reverb();
	test_clicks();
	return test_summary("dsp-fx");
}
