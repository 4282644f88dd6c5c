/* The effects inside the channel strip (src/channel/strip.c), without
 * PipeWire:
 * - with every effect off (width 100 %) the strip's output is
 *   bit-identical to a strip built without effects memory at all;
 * - enabling and disabling each effect during a 1 kHz sine is click-free:
 *   no sample-to-sample step above the largest step of the same strip run
 *   with the effect off or on throughout (+5 % and 0.002);
 * - with every effect on at its longest and loudest, full-scale noise
 *   never leaves the strip above the limiter's ceiling (sample peak, once
 *   the new strip's 10 ms fade-in of its stages is over), and the output
 *   stays finite;
 * - a mono strip runs the effects too (a reverb tail follows an impulse);
 * - a mono strip with two outputs: without effects both sides equal the
 *   one-output strip's channel exactly; with a reverb the tail is stereo
 *   (interchannel correlation below 0.3, as for a stereo strip);
 * - delay-sync: 60000/bpm ms per beat, 4/n beats for 1/n, × 1.5 dotted,
 *   × 2/3 triplet, clamped to 2000 ms; 0 when off or without a tempo;
 * - toggling the limiter keeps the latency: under the ceiling the output is
 *   the input, to the bit, 64 frames later, on, off or fading;
 * - the input meter runs only when asked (meter_input): a stereo 997 Hz
 *   sine at -20 dBFS reads -20.0 LUFS before a -10 dB trim (BS.1770: such
 *   a sine at 0 dBFS in one channel is -3.01 LKFS, two channels add 3.01)
 *   and -30 after it; without meter_input the input reads nothing while
 *   the output still reads -30; switched on, it starts afresh;
 * - NaN, infinity and absurd values (1e30, -3e25) in the input (every
 *   stage and effect on) are counted
 *   and played as silence: the output stays finite, and 50 ms after the
 *   bad samples it is what a strip fed zeros in their place gives, to the
 *   bit (without the scrub it is NaN for good). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "channel/settings.h"
#include "channel/strip.h"
#include "../dsp/test-util.h"

#define RATE	48000u
#define Q	256u

enum { CHORUS, DELAY, REVERB, WIDTH, NFX };
static const char *const fx_names[] = { "chorus", "delay", "reverb", "width" };

static void effect(struct foh_strip_params *p, int fx, bool on)
{
	switch (fx) {
	case CHORUS: p->enabled[FOH_STAGE_CHORUS] = on; p->chorus.mix = 0.5f; break;
	case DELAY: p->enabled[FOH_STAGE_DELAY] = on; p->delay.mix = 0.5f; break;
	case REVERB: p->enabled[FOH_STAGE_REVERB] = on; p->reverb.mix = 0.5f; break;
	case WIDTH: p->width.width = on ? 2.0f : 1.0f; break;
	}
}

static void base_params(struct foh_strip_params *p)
{
	foh_strip_default_params(p);
	p->enabled[FOH_STAGE_COMP] = false;
	p->enabled[FOH_STAGE_LIMITER] = false;
}

/* 3 s of a stereo 1 kHz sine with the effect toggled at 1.5 s from a to b;
 * the largest step. */
static double strip_step(struct foh_strip_fx *fx, int which, bool a, bool b)
{
	static struct foh_strip s;
	struct foh_strip_params p;
	float l[Q], r[Q], pl = 0, pr = 0;
	float *io[2] = { l, r };
	double step = 0;

	base_params(&p);
	effect(&p, which, a);
	foh_strip_init(&s, RATE, 2, fx);
	foh_strip_set(&s, &p);
	for (uint32_t f = 0; f < 3 * RATE; f += Q) {
		if (f == 3 * RATE / 2 / Q * Q) {
			effect(&p, which, b);
			foh_strip_set(&s, &p);
		}
		for (uint32_t i = 0; i < Q; i++) {
			l[i] = (float)(0.5 * sin(2 * M_PI * 1000.0 * (f + i) / RATE));
			r[i] = (float)(0.4 * sin(2 * M_PI * 1000.0 * (f + i) / RATE + 1.0));
		}
		foh_strip_run(&s, (const float *const *)io, io, Q);
		for (uint32_t i = 0; i < Q; i++) {
			if (f + i > 0)
				step = fmax(step, fmax(fabs(l[i] - pl), fabs(r[i] - pr)));
			pl = l[i];
			pr = r[i];
		}
	}
	return step;
}

static void test_toggles(struct foh_strip_fx *fx)
{
	for (int k = 0; k < NFX; k++) {
		double off = strip_step(fx, k, false, false), on = strip_step(fx, k, true, true);
		double ref = fmax(off, on);
		double up = strip_step(fx, k, false, true), down = strip_step(fx, k, true, false);

		CHECK(up <= ref * 1.05 + 0.002, "%s on: click-free (step %.4f, steady %.4f)",
				fx_names[k], up, ref);
		CHECK(down <= ref * 1.05 + 0.002, "%s off: click-free (step %.4f, steady %.4f)",
				fx_names[k], down, ref);
	}
}

static void test_transparent(struct foh_strip_fx *fx)
{
	enum { N = 2 * RATE };
	static struct foh_strip a, b;
	static float al[N], ar[N], bl[N], br[N];
	struct foh_strip_params p;
	uint64_t st = 5;

	foh_strip_default_params(&p);
	foh_strip_init(&a, RATE, 2, fx);
	foh_strip_init(&b, RATE, 2, NULL);
	foh_strip_set(&a, &p);
	foh_strip_set(&b, &p);
	for (int i = 0; i < N; i++) {
		al[i] = bl[i] = (float)(0.5 * test_noise(&st));
		ar[i] = br[i] = (float)(0.5 * test_noise(&st));
	}
	for (uint32_t f = 0; f < N; f += Q) {
		float *x[2] = { al + f, ar + f }, *y[2] = { bl + f, br + f };
		foh_strip_run(&a, (const float *const *)x, x, Q);
		foh_strip_run(&b, (const float *const *)y, y, Q);
	}
	CHECK(memcmp(al, bl, sizeof(al)) == 0 && memcmp(ar, br, sizeof(ar)) == 0,
			"effects off, width 100 %%: bit-identical to a strip without effects");
}

static void test_ceiling(struct foh_strip_fx *fx)
{
	static struct foh_strip s;
	struct foh_strip_params p;
	float l[Q], r[Q], peak = 0;
	float *io[2] = { l, r };
	uint64_t st = 9;
	bool finite = true;

	foh_strip_default_params(&p);
	p.enabled[FOH_STAGE_CHORUS] = p.enabled[FOH_STAGE_DELAY] = true;
	p.enabled[FOH_STAGE_REVERB] = true;
	p.chorus.mix = p.delay.mix = p.reverb.mix = 1.0f;
	p.delay.feedback = 0.95f;
	p.delay.highcut_hz = 0.0f;
	p.reverb.decay_s = 10.0f;
	p.reverb.size = 1.0f;
	p.width.width = 2.0f;
	p.limiter.ceiling_db = -3.0f;
	foh_strip_init(&s, RATE, 2, fx);
	foh_strip_set(&s, &p);
	for (uint32_t f = 0; f < 60 * RATE; f += Q) {
		for (uint32_t i = 0; i < Q; i++) {
			l[i] = (float)test_noise(&st);
			r[i] = (float)test_noise(&st);
		}
		foh_strip_run(&s, (const float *const *)io, io, Q);
		for (uint32_t i = 0; i < Q; i++) {
			finite = finite && isfinite(l[i]) && isfinite(r[i]);
			/* a new strip fades its stages in over 10 ms, the
			 * limiter too: the ceiling holds from then on */
			if (f >= RATE / 10)
				peak = foh_maxf(peak, foh_maxf(fabsf(l[i]), fabsf(r[i])));
		}
	}
	CHECK(finite, "all effects at their longest: finite after 60 s of full-scale noise");
	CHECK(amp_to_db(peak) <= -3.0 + 0.01, "all effects on: peak %.3f dBFS within the -3 dBFS ceiling",
			amp_to_db(peak));
}

static void test_mono(struct foh_strip_fx *fx)
{
	static struct foh_strip s;
	struct foh_strip_params p;
	static float x[RATE];
	float *io[1] = { x };
	double tail = 0;

	base_params(&p);
	p.enabled[FOH_STAGE_REVERB] = true;
	p.reverb.mix = 1.0f;
	foh_strip_init(&s, RATE, 1, fx);
	foh_strip_set(&s, &p);
	memset(x, 0, sizeof(x));
	x[0] = 1.0f;
	foh_strip_run(&s, (const float *const *)io, io, RATE);
	for (uint32_t i = RATE / 10; i < RATE / 2; i++)
		tail += (double)x[i] * x[i];
	CHECK(tail > 1e-4, "mono strip: a reverb tail follows an impulse (%.2g)", tail);
}

static double corr(const float *a, const float *b, uint32_t from, uint32_t to)
{
	double ab = 0, aa = 0, bb = 0;

	for (uint32_t i = from; i < to; i++) {
		ab += (double)a[i] * b[i];
		aa += (double)a[i] * a[i];
		bb += (double)b[i] * b[i];
	}
	return ab / sqrt(aa * bb + 1e-30);
}

static void test_mono_stereo_out(struct foh_strip_fx *fx)
{
	static struct foh_strip s1, s2;
	static float in[RATE], ref[RATE], l[RATE], r[RATE];
	struct foh_strip_params p;
	const float *src[1] = { in };
	float *one[1] = { ref }, *two[2] = { l, r };
	uint32_t same = 0;

	/* a programme with level, so the limiter works: noise at -3 dBFS peak */
	srand(7);
	for (uint32_t i = 0; i < RATE; i++)
		in[i] = 0.7f * ((float)rand() / (float)RAND_MAX * 2.0f - 1.0f);
	base_params(&p);
	p.limiter.ceiling_db = -6.0f;
	foh_strip_init(&s1, RATE, 1, NULL);
	foh_strip_set(&s1, &p);
	foh_strip_init(&s2, RATE, 1, NULL);
	foh_strip_set_outputs(&s2, 2);
	foh_strip_set(&s2, &p);
	for (uint32_t i = 0; i < RATE; i += Q) {
		const float *a[1] = { in + i };
		float *o1[1] = { ref + i }, *o2[2] = { l + i, r + i };
		uint32_t n = RATE - i < Q ? RATE - i : Q;
		foh_strip_run(&s1, a, o1, n);
		foh_strip_run(&s2, a, o2, n);
	}
	for (uint32_t i = 0; i < RATE; i++)
		same += l[i] == ref[i] && r[i] == ref[i];
	CHECK(same == RATE, "mono strip, two outputs, no effects: L = R = the mono output (%u/%u)",
			same, RATE);

	base_params(&p);
	p.enabled[FOH_STAGE_REVERB] = true;
	p.reverb.mix = 1.0f;
	foh_strip_init(&s2, RATE, 1, fx);
	foh_strip_set_outputs(&s2, 2);
	foh_strip_set(&s2, &p);
	memset(in, 0, sizeof(in));
	in[0] = 0.5f;
	foh_strip_run(&s2, src, two, RATE);
	CHECK(fabs(corr(l, r, RATE / 10, RATE / 2)) < 0.3,
			"mono strip, two outputs, reverb: tail correlation %.3f < 0.3",
			corr(l, r, RATE / 10, RATE / 2));
	(void)one;
}

static void test_sync(void)
{
	CHECK_NEAR(foh_delay_sync_ms("1/4", 120.0), 500.0, 1e-9, "1/4 at 120 BPM");
	CHECK_NEAR(foh_delay_sync_ms("1/8", 120.0), 250.0, 1e-9, "1/8 at 120 BPM");
	CHECK_NEAR(foh_delay_sync_ms("1/8d", 120.0), 375.0, 1e-9, "1/8d at 120 BPM");
	CHECK_NEAR(foh_delay_sync_ms("1/4t", 120.0), 1000.0 / 3.0, 1e-9, "1/4t at 120 BPM");
	CHECK_NEAR(foh_delay_sync_ms("1/16", 128.0), 117.1875, 1e-9, "1/16 at 128 BPM");
	CHECK_NEAR(foh_delay_sync_ms("1/1", 60.0), 2000.0, 1e-9, "1/1 at 60 BPM, clamped");
	CHECK(foh_delay_sync_ms("", 120.0) == 0.0, "sync off");
	CHECK(foh_delay_sync_ms("1/4", 0.0) == 0.0, "no tempo");
}

/* The limiter's bypass keeps the channel's latency: under the ceiling, with
 * the compressor off, the output is the input exactly latency frames later
 * whether the limiter is on, off or fading, in random run sizes (the dry
 * ring is fed, not read, while the limiter is not fading). */
static void test_limiter_bypass_aligned(struct foh_strip_fx *fx)
{
	enum { N = 3 * RATE };
	static float in_l[N], in_r[N], out_l[N], out_r[N];
	static struct foh_strip s;
	struct foh_strip_params p;
	uint64_t rng = 4242, bad = 0;
	uint32_t d;

	foh_strip_default_params(&p);
	p.enabled[FOH_STAGE_COMP] = false;
	p.enabled[FOH_STAGE_LIMITER] = true;
	foh_strip_init(&s, RATE, 2, fx);
	foh_strip_set(&s, &p);
	d = foh_strip_latency(&s);
	for (uint32_t i = 0; i < N; i++) {
		in_l[i] = (float)(0.1 * sin(2 * M_PI * 1000.0 * i / RATE));
		in_r[i] = (float)(0.08 * sin(2 * M_PI * 700.0 * i / RATE + 1.0));
	}
	for (uint32_t f = 0; f < N; ) {
		uint32_t n = 1 + (uint32_t)(test_rand(&rng) * 999);
		n = n > N - f ? N - f : n;
		/* off at 0.5 s and 1.5 s, on at 1 s and 2 s */
		bool on = (f / (RATE / 2)) % 2 == 0;
		if (on != p.enabled[FOH_STAGE_LIMITER]) {
			p.enabled[FOH_STAGE_LIMITER] = on;
			foh_strip_set(&s, &p);
		}
		const float *in[2] = { in_l + f, in_r + f };
		float *out[2] = { out_l + f, out_r + f };
		foh_strip_run(&s, in, out, n);
		f += n;
	}
	for (uint32_t i = d; i < N; i++)
		bad += out_l[i] != in_l[i - d] || out_r[i] != in_r[i - d];
	CHECK(d == 64, "latency %u, want 64", d);
	CHECK(bad == 0, "%llu frames not the input %u frames later through limiter toggles",
			(unsigned long long)bad, d);
}

/* 1 s of the sine through s; the input and output momentary loudness. */
static void sine_second(struct foh_strip *s, uint64_t *t, float *in_lufs, float *out_lufs)
{
	struct foh_strip_levels lv;
	float l[Q], r[Q];
	float *io[2] = { l, r };

	for (uint32_t k = 0; k < RATE / Q; k++) {
		for (uint32_t i = 0; i < Q; i++, (*t)++)
			l[i] = r[i] = (float)(0.1 * sin(2 * M_PI * 997.0 * (double)*t / RATE));
		foh_strip_run(s, (const float *const *)io, io, Q);
	}
	foh_strip_levels(s, &lv);
	*in_lufs = lv.lufs_m_in;
	*out_lufs = lv.lufs_m;
}

static void test_meter_input(struct foh_strip_fx *fx)
{
	static struct foh_strip s;
	struct foh_strip_params p;
	float in, out;
	uint64_t t = 0;

	foh_strip_default_params(&p);
	p.enabled[FOH_STAGE_COMP] = false;
	p.enabled[FOH_STAGE_LIMITER] = false;
	p.trim_db = -10.0f;
	p.meter_input = true;
	foh_strip_init(&s, RATE, 2, fx);
	foh_strip_set(&s, &p);
	sine_second(&s, &t, &in, &out);
	CHECK(fabsf(in + 20.0f) < 0.1f, "input meter on: %.2f LUFS, want -20.0", in);
	CHECK(fabsf(out + 30.0f) < 0.1f, "output after the -10 dB trim: %.2f LUFS, want -30.0", out);

	p.meter_input = false;
	foh_strip_init(&s, RATE, 2, fx);
	foh_strip_set(&s, &p);
	sine_second(&s, &t, &in, &out);
	CHECK(isinf(in) && in < 0, "input meter off: %.2f, want no reading", in);
	CHECK(fabsf(out + 30.0f) < 0.1f, "output meter with the input's off: %.2f LUFS", out);

	p.meter_input = true;
	foh_strip_set(&s, &p);
	CHECK(isinf(foh_loudness_momentary(&s.loudness_in)), "switched on: starts afresh");
	sine_second(&s, &t, &in, &out);
	CHECK(fabsf(in + 20.0f) < 0.1f, "input meter switched on: %.2f LUFS, want -20.0", in);
}

/* A new strip with p on fx runs l, r (n, a multiple of Q) in place. */
static void run_fresh(struct foh_strip *s, struct foh_strip_fx *fx,
		const struct foh_strip_params *p, float *l, float *r, uint32_t n)
{
	foh_strip_init(s, RATE, 2, fx);
	foh_strip_set(s, p);
	for (uint32_t f = 0; f < n; f += Q) {
		float *io[2] = { l + f, r + f };
		foh_strip_run(s, (const float *const *)io, io, Q);
	}
}

static void test_nonfinite(void)
{
	enum { N = 188 * Q };
	static float a_l[N], a_r[N], b_l[N], b_r[N];
	static struct foh_strip a, b;
	struct foh_strip_params p;
	struct foh_strip_levels lv;
	const float bad[] = { NAN, INFINITY, -INFINITY, -NAN, 1e30f, -3e25f };
	uint32_t inserted = 0, nonfinite = 0, differ = 0;
	struct foh_strip_fx *fx, *fx2;

	/* fresh effects memory for both: no tails of the tests before */
	CHECK(foh_strip_fx_new(RATE, &fx) == 0 && foh_strip_fx_new(RATE, &fx2) == 0,
			"effects memory");
	foh_strip_default_params(&p);
	for (int st = 0; st < FOH_STAGE_COUNT; st++)
		p.enabled[st] = true;
	p.meter_input = true;
	for (uint32_t i = 0; i < N; i++) {
		a_l[i] = b_l[i] = (float)(0.3 * sin(2 * M_PI * 440.0 * i / RATE));
		a_r[i] = b_r[i] = (float)(0.2 * sin(2 * M_PI * 660.0 * i / RATE));
	}
	/* a few bad samples around 0.25 s, on both sides, one at a chunk's end */
	for (uint32_t k = 0; k < 12; k++) {
		uint32_t i = RATE / 4 + k * 37;
		float *al = k % 2 ? a_r : a_l, *bl = k % 2 ? b_r : b_l;
		al[i] = bad[k % 6];
		bl[i] = 0.0f;
		inserted++;
	}
	a_l[RATE / 4 + 1023] = NAN;
	b_l[RATE / 4 + 1023] = 0.0f;
	inserted++;
	run_fresh(&a, fx, &p, a_l, a_r, N);
	foh_strip_levels(&a, &lv);
	run_fresh(&b, fx2, &p, b_l, b_r, N);
	for (uint32_t i = 0; i < N; i++) {
		nonfinite += !isfinite(a_l[i]) || !isfinite(a_r[i]);
		if (i >= RATE / 4 + 1024 + RATE / 20)
			differ += a_l[i] != b_l[i] || a_r[i] != b_r[i];
	}
	CHECK(lv.nonfinite == inserted, "%llu samples counted, %u inserted",
			(unsigned long long)lv.nonfinite, inserted);
	CHECK(nonfinite == 0, "%u output frames not finite", nonfinite);
	CHECK(differ == 0, "%u frames differ from the strip fed zeros", differ);
	CHECK(isfinite(lv.lufs_m) && isfinite(lv.lufs_m_in) && lv.lufs_m > -30.0f,
			"meters after: %.1f / %.1f LUFS", lv.lufs_m, lv.lufs_m_in);
	foh_strip_fx_free(fx);
	foh_strip_fx_free(fx2);
}

int main(void)
{
	test_sync();
	struct foh_strip_fx *fx;

	CHECK(foh_strip_fx_new(RATE, &fx) == 0, "effects memory");
	test_transparent(fx);
	test_toggles(fx);
	test_ceiling(fx);
	test_mono(fx);
	test_mono_stereo_out(fx);
	test_limiter_bypass_aligned(fx);
	test_meter_input(fx);
	test_nonfinite();
	foh_strip_fx_free(fx);
	return test_summary("strip-fx");
}
