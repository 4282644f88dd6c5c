/* Loudness against EBU Tech 3341 and libebur128.
 *
 * The Tech 3341 cases built from tones are generated here (1 kHz stereo
 * sines at the levels and durations of the spec):
 * - cases 1-5: integrated loudness, -23 / -33 LUFS within 0.1 LU;
 * - case 9: short-term constant at -23 within 0.1 LU after the first 3 s
 *   (1.34 s at -20, 1.66 s at -30 dBFS, repeated);
 * - case 12: momentary constant at -23 within 0.1 LU after the first 0.4 s
 *   (0.18 s at -20, 0.22 s at -30 dBFS, repeated);
 * - varying: tone bursts of several lengths aligned to the 100 ms grid with
 *   levels chosen so that the highest short-term (bursts of 0.5..4 s) or
 *   momentary (0.1..0.8 s) reading is -23 LUFS: level = -23 - 10 log10(d/w)
 *   for a burst of d shorter than the window w;
 * - cases 15-19: true peak of sines at fs/4, fs/4 +45 deg, fs/6 +60 deg,
 *   fs/8 +67.5 deg (-6 dBTP) and fs/4 +45 deg at 1.41 (+3 dBTP), within
 *   0.2 dB of 20 log10(amplitude).
 * Every case also runs through libebur128 (M, S, I and true-peak modes) fed
 * the same 100 ms chunks: momentary and short-term after every chunk,
 * integrated at the end and the maxima must agree within 0.1 LU, true peak
 * within 0.2 dB. Cases 1 and 5 are repeated at 44.1 and 96 kHz.
 * The two-channel K-weighting pass (foh_kweight_run2, the meter's stereo
 * path) gives the same states and sums, to the bit, as the one-channel
 * filter run on each side; two stereo meters run in one pass
 * (foh_loudness_run_pair, a strip's input and output meters) read what
 * each reads alone. */
#include <ebur128.h>
#include <stdlib.h>
#include <string.h>

#include "kweight.h"
#include "loudness.h"
#include "test-util.h"

struct seg {
	double db;		/* peak level of the sine, NAN for silence */
	double secs;
	double freq;		/* 0 = 1 kHz; < 1: fraction of the rate */
	double phase_deg;
};

struct outcome {
	double integrated, ref_integrated;
	double max_m, max_s, ref_max_m, ref_max_s;
	double tp, ref_tp;
	double worst_m, worst_s;	/* largest |ours - libebur128| */
};

/* Optional per-update check of M or S from a given time on. */
struct constant_check {
	bool short_term;
	double from_s, want;
};

static float *chunk_l, *chunk_r;
/* Raised-cosine fade at both ends (the true-peak cases: an abrupt start
 * would add its own overshoot). */
static double taper_secs;
static uint64_t total_frames;

static double taper(uint64_t f, uint32_t rate)
{
	uint64_t n = (uint64_t)(taper_secs * rate);

	if (n == 0)
		return 1.0;
	if (f < n)
		return 0.5 - 0.5 * cos(M_PI * (double)f / n);
	if (f + n >= total_frames)
		return 0.5 - 0.5 * cos(M_PI * (double)(total_frames - f) / n);
	return 1.0;
}

static void render(const struct seg *sg, int nseg, uint32_t rate,
		uint64_t frame, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		double t = (double)(frame + i) / rate, start = 0.0, v = 0.0;
		uint64_t f0 = 0;
		for (int k = 0; k < nseg; k++) {
			uint64_t len = (uint64_t)llround(sg[k].secs * rate);
			if (frame + i < f0 + len) {
				double hz = sg[k].freq == 0.0 ? 1000.0 :
					sg[k].freq * rate;
				if (!isnan(sg[k].db))
					v = db_to_amp(sg[k].db) * sin(2.0 * M_PI * hz *
						(t - start) + sg[k].phase_deg * M_PI / 180.0);
				break;
			}
			f0 += len;
			start = (double)f0 / rate;
		}
		chunk_l[i] = chunk_r[i] = (float)(v * taper(frame + i, rate));
	}
}

static void play(const char *name, const struct seg *sg, int nseg,
		uint32_t rate, const struct constant_check *cc,
		struct outcome *o)
{
	static struct foh_loudness lm;
	const uint32_t step = rate / 10;
	uint64_t total = 0, frame = 0;
	ebur128_state *ref;
	float *il = malloc(sizeof(float) * 2 * step);

	for (int k = 0; k < nseg; k++)
		total += (uint64_t)llround(sg[k].secs * rate);
	total_frames = total;
	ref = ebur128_init(2, rate, EBUR128_MODE_M | EBUR128_MODE_S |
			EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	foh_loudness_init(&lm, rate);
	memset(o, 0, sizeof(*o));
	o->ref_max_m = o->ref_max_s = -HUGE_VAL;
	for (; frame + step <= total; frame += step) {
		double m, s;
		render(sg, nseg, rate, frame, step);
		foh_loudness_run(&lm, chunk_l, chunk_r, step);
		for (uint32_t i = 0; i < step; i++) {
			il[2 * i] = chunk_l[i];
			il[2 * i + 1] = chunk_r[i];
		}
		ebur128_add_frames_float(ref, il, step);
		ebur128_loudness_momentary(ref, &m);
		ebur128_loudness_shortterm(ref, &s);
		o->ref_max_m = fmax(o->ref_max_m, m);
		o->ref_max_s = fmax(o->ref_max_s, s);
		if (m > -70.0)
			o->worst_m = fmax(o->worst_m,
					fabs(foh_loudness_momentary(&lm) - m));
		if (s > -70.0)
			o->worst_s = fmax(o->worst_s,
					fabs(foh_loudness_short_term(&lm) - s));
		double t = (double)(frame + step) / rate;
		if (cc != NULL && t >= cc->from_s - 1e-9) {
			double v = cc->short_term ? foh_loudness_short_term(&lm) :
				foh_loudness_momentary(&lm);
			CHECK_NEAR(v, cc->want, 0.1, "%s: %s at %.1f s", name,
					cc->short_term ? "S" : "M", t);
		}
	}
	o->integrated = foh_loudness_integrated(&lm);
	ebur128_loudness_global(ref, &o->ref_integrated);
	o->max_m = foh_loudness_max_momentary(&lm);
	o->max_s = foh_loudness_max_short_term(&lm);
	o->tp = foh_loudness_true_peak_db(&lm);
	double tl, tr;
	ebur128_true_peak(ref, 0, &tl);
	ebur128_true_peak(ref, 1, &tr);
	o->ref_tp = amp_to_db(fmax(tl, tr));
	ebur128_destroy(&ref);
	free(il);

	CHECK(o->worst_m <= 0.1, "%s at %u Hz: M differs from libebur128 by %.3f",
			name, rate, o->worst_m);
	CHECK(o->worst_s <= 0.1, "%s at %u Hz: S differs from libebur128 by %.3f",
			name, rate, o->worst_s);
	if (isfinite(o->ref_integrated))
		CHECK_NEAR(o->integrated, o->ref_integrated, 0.1,
				"%s at %u Hz: I vs libebur128", name, rate);
	CHECK_NEAR(o->max_m, o->ref_max_m, 0.1, "%s: max M vs libebur128", name);
	CHECK_NEAR(o->max_s, o->ref_max_s, 0.1, "%s: max S vs libebur128", name);
	CHECK_NEAR(o->tp, o->ref_tp, 0.2, "%s: TP vs libebur128", name);
	printf("%-10s %6u Hz: I %7.3f (ref %7.3f)  max M %7.3f (ref %7.3f)  "
			"max S %7.3f (ref %7.3f)  TP %+6.2f (ref %+6.2f)  "
			"|dM| %.3f |dS| %.3f\n", name, rate, o->integrated,
			o->ref_integrated, o->max_m, o->ref_max_m, o->max_s,
			o->ref_max_s, o->tp, o->ref_tp, o->worst_m, o->worst_s);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_integrated(uint32_t rate, bool all)
{
	static const struct seg c1[] = { { -23, 20, 0, 0 } };
	static const struct seg c2[] = { { -33, 20, 0, 0 } };
	static const struct seg c3[] = { { -36, 10, 0, 0 }, { -23, 60, 0, 0 },
		{ -36, 10, 0, 0 } };
	static const struct seg c4[] = { { -72, 10, 0, 0 }, { -36, 10, 0, 0 },
		{ -23, 60, 0, 0 }, { -36, 10, 0, 0 }, { -72, 10, 0, 0 } };
	static const struct seg c5[] = { { -26, 20, 0, 0 }, { -20, 20.1, 0, 0 },
		{ -26, 20, 0, 0 } };
	struct constant_check m23 = { false, 0.4, -23.0 };
	struct constant_check s23 = { true, 3.0, -23.0 };
	struct outcome o;

	play("case 1 M", c1, N(c1), rate, &m23, &o);
	CHECK_NEAR(o.integrated, -23.0, 0.1, "case 1 I at %u Hz", rate);
	play("case 1 S", c1, N(c1), rate, &s23, &o);
	if (all) {
		play("case 2", c2, N(c2), rate, NULL, &o);
		CHECK_NEAR(o.integrated, -33.0, 0.1, "case 2 I");
		play("case 3", c3, N(c3), rate, NULL, &o);
		CHECK_NEAR(o.integrated, -23.0, 0.1, "case 3 I");
		play("case 4", c4, N(c4), rate, NULL, &o);
		CHECK_NEAR(o.integrated, -23.0, 0.1, "case 4 I");
	}
	play("case 5", c5, N(c5), rate, NULL, &o);
	CHECK_NEAR(o.integrated, -23.0, 0.1, "case 5 I at %u Hz", rate);
}

static void test_constant(void)
{
	struct seg c9[10], c12[50];
	struct constant_check s = { true, 3.0, -23.0 }, m = { false, 0.4, -23.0 };
	struct outcome o;

	for (int i = 0; i < 10; i++)
		c9[i] = (struct seg){ i % 2 ? -30 : -20, i % 2 ? 1.66 : 1.34, 0, 0 };
	for (int i = 0; i < 50; i++)
		c12[i] = (struct seg){ i % 2 ? -30 : -20, i % 2 ? 0.22 : 0.18, 0, 0 };
	play("case 9", c9, N(c9), 48000, &s, &o);
	play("case 12", c12, N(c12), 48000, &m, &o);
}

/* One burst per call, after silence, so the maximum belongs to it. */
static void test_varying(void)
{
	static const double s_len[] = { 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0 };
	static const double m_len[] = { 0.1, 0.2, 0.3, 0.4, 0.8 };
	char name[32];
	struct outcome o;

	for (int i = 0; i < N(s_len); i++) {
		double d = s_len[i];
		struct seg b[] = { { NAN, 3.5, 0, 0 },
			{ -23.0 - 10.0 * log10(fmin(d, 3.0) / 3.0), d, 0, 0 },
			{ NAN, 3.5, 0, 0 } };
		snprintf(name, sizeof(name), "S %.1fs", d);
		play(name, b, N(b), 48000, NULL, &o);
		CHECK_NEAR(o.max_s, -23.0, 0.1, "max S of a %.1f s burst", d);
	}
	for (int i = 0; i < N(m_len); i++) {
		double d = m_len[i];
		struct seg b[] = { { NAN, 1.0, 0, 0 },
			{ -23.0 - 10.0 * log10(fmin(d, 0.4) / 0.4), d, 0, 0 },
			{ NAN, 1.0, 0, 0 } };
		snprintf(name, sizeof(name), "M %.1fs", d);
		play(name, b, N(b), 48000, NULL, &o);
		CHECK_NEAR(o.max_m, -23.0, 0.1, "max M of a %.1f s burst", d);
	}
}

static void test_true_peak(void)
{
	static const struct { double amp, frac, deg; } tp[] = {
		{ 0.5, 0.25, 0.0 },	/* case 15 */
		{ 0.5, 0.25, 45.0 },	/* case 16 */
		{ 0.5, 1.0 / 6.0, 60.0 },	/* case 17 */
		{ 0.5, 0.125, 67.5 },	/* case 18 */
		{ 1.41, 0.25, 45.0 },	/* case 19 */
	};
	char name[32];
	struct outcome o;

	taper_secs = 0.1;
	for (int i = 0; i < N(tp); i++) {
		struct seg b[] = { { amp_to_db(tp[i].amp), 1.0, tp[i].frac,
			tp[i].deg } };
		snprintf(name, sizeof(name), "case %d", 15 + i);
		play(name, b, 1, 48000, NULL, &o);
		CHECK_NEAR(o.tp, amp_to_db(tp[i].amp), 0.2, "%s true peak", name);
	}
	taper_secs = 0.0;
}

/* Noise bursts and silence, in uneven calls so state carries across. */
static void test_kweight_pair(void)
{
	static float l[4800], r[4800];
	struct foh_kweight_coefs kc;
	struct foh_kweight a = { 0 }, b = { 0 }, pl = { 0 }, pr = { 0 };
	uint32_t seed = 12345, done = 0, mism = 0;
	static const uint32_t len[] = { 1, 63, 256, 1000, 480, 3000 };

	foh_kweight_coefs(&kc, 48000);
	for (int i = 0; i < 4800; i++) {
		seed = seed * 1664525u + 1013904223u;
		l[i] = i % 1600 < 900 ? (float)((int32_t)seed) / 2147483648.0f : 0.0f;
		seed = seed * 1664525u + 1013904223u;
		r[i] = 0.3f * (float)((int32_t)seed) / 2147483648.0f;
	}
	for (int k = 0; k < N(len); k++) {
		uint32_t n = len[k] < 4800 - done ? len[k] : 4800 - done;
		double sq[2];
		double sl = foh_kweight_run(&kc, &a, l + done, n);
		double sr = foh_kweight_run(&kc, &b, r + done, n);

		foh_kweight_run2(&kc, &pl, &pr, l + done, r + done, n, sq);
		mism += memcmp(&sl, &sq[0], sizeof(sl)) != 0;
		mism += memcmp(&sr, &sq[1], sizeof(sr)) != 0;
		done += n;
	}
	mism += memcmp(&a, &pl, sizeof(a)) != 0;
	mism += memcmp(&b, &pr, sizeof(b)) != 0;
	CHECK(mism == 0, "K-weighting of a pair differs from each side alone (%u)", mism);
}

/* Two stereo meters in one pass read what each reads alone, to the bit:
 * noise and a tone at different levels, uneven calls over 3.5 s. */
static void test_meter_pair(void)
{
	static float al[960], ar[960], bl[960], br[960];
	static struct foh_loudness a, b, a1, b1;
	static const uint32_t len[] = { 1, 37, 256, 960, 480, 77 };
	uint32_t seed = 99, t = 0, mism = 0;

	foh_loudness_init(&a, 48000);
	foh_loudness_init(&b, 48000);
	foh_loudness_init(&a1, 48000);
	foh_loudness_init(&b1, 48000);
	{
		struct foh_loudness_params p = { .true_peak = false };
		foh_loudness_set(&a, &p);
		foh_loudness_set(&b, &p);
		foh_loudness_set(&a1, &p);
		foh_loudness_set(&b1, &p);
	}
	for (int k = 0; t < 168000; k = (k + 1) % N(len)) {
		uint32_t n = len[k];
		for (uint32_t i = 0; i < n; i++) {
			seed = seed * 1664525u + 1013904223u;
			al[i] = 0.5f * (float)((int32_t)seed) / 2147483648.0f;
			ar[i] = 0.2f * al[i];
			bl[i] = (float)(0.1 * sin(2.0 * M_PI * 997.0 * (t + i) / 48000.0));
			br[i] = (t + i) / 48000 % 2 ? 0.0f : bl[i];
		}
		foh_loudness_run_pair(&a, al, ar, &b, bl, br, n);
		foh_loudness_run(&a1, al, ar, n);
		foh_loudness_run(&b1, bl, br, n);
		mism += foh_loudness_momentary(&a) != foh_loudness_momentary(&a1);
		mism += foh_loudness_short_term(&b) != foh_loudness_short_term(&b1);
		mism += foh_loudness_integrated(&a) != foh_loudness_integrated(&a1);
		mism += foh_loudness_integrated(&b) != foh_loudness_integrated(&b1);
		t += n;
	}
	CHECK(foh_loudness_seq(&a) == 35, "%u blocks in 3.5 s", foh_loudness_seq(&a));
	CHECK(mism == 0, "two meters in one pass differ from each alone (%u)", mism);
}

int main(void)
{
	chunk_l = malloc(sizeof(float) * 19200);
	chunk_r = malloc(sizeof(float) * 19200);
	test_integrated(48000, true);
	test_integrated(44100, false);
	test_integrated(96000, false);
	test_constant();
	test_varying();
	test_true_peak();
	test_kweight_pair();
	test_meter_pair();
	free(chunk_l);
	free(chunk_r);
	return test_summary("test-loudness");
}
