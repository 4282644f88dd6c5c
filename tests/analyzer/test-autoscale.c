/* Auto-scaler: the noise budget and tilt against REFERENCE.md's formulas
 * written out here, the per-block recursion against an independent
 * simulation, silence -> 0, tones -> (0, 1), the dB baseline at strength 0,
 * and glide (no step) on a band change.
 *
 * REFERENCE.md (feature server): budget = nf^2 max(1, K_lin / N_log),
 * K_lin = (hi - lo) window / sr, N_log = n_bins / log2((sr/2) / f_min)
 * log2(hi / lo); v = sqrt(max(0, r^2 - budget)) 10^(3.5 log2(f_c/1000)/20),
 * f_c = sqrt(lo hi); peak p (attack 0.255 s, release 30 s, from the floor);
 * scaled = tanh(max(0, v - nf) / max(p, nf)); blend with
 * clip((20 log10(r / sqrt(K_lin)) - floor) / (ceiling - floor), 0, 1). */
#include <string.h>

#include "autoscale.h"
#include "lmh.h"
#include "test-util.h"

#define RATE	48000u

static double ref_budget(double nf, double lo, double hi, double window,
		double n_bins, double f_min, double sr)
{
	double k_lin = (hi - lo) * window / sr;
	double n_log = n_bins / log2((sr / 2.0) / f_min) * log2(hi / lo);
	double m = k_lin / n_log;

	return nf * nf * (m > 1.0 ? m : 1.0);
}

static void test_budget(void)
{
	static const double bands[][2] = {
		{ 88, 184 }, { 304, 1760 }, { 2944, 13952 }, { 30, 16000 },
		{ 1000, 1100 }, { 20, 90 },
	};
	static const uint32_t rates[] = { 44100, 48000, 96000 };
	static const uint32_t windows[] = { 256, 1024, 8192 };
	static const uint32_t bins[] = { 8, 128, 1024 };
	static const float fmins[] = { 10.0f, 30.0f, 100.0f };
	int n = 0, above_one = 0;

	for (int b = 0; b < 6; b++)
	for (int r = 0; r < 3; r++)
	for (int w = 0; w < 3; w++)
	for (int k = 0; k < 3; k++)
	for (int f = 0; f < 3; f++) {
		struct foh_autoscale_geom g = { windows[w], bins[k], fmins[f] };
		double nf = 3.2e-5 * (1 + b);
		double want = ref_budget(nf, bands[b][0], bands[b][1], windows[w],
				bins[k], fmins[f], rates[r]);
		double got = foh_autoscale_noise_budget(nf, bands[b][0],
				bands[b][1], &g, rates[r]);
		CHECK(fabs(got - want) <= 1e-12 * want, "budget band %d rate %u "
				"window %u bins %u fmin %g: %g vs %g", b, rates[r],
				windows[w], bins[k], fmins[f], got, want);
		above_one += want > nf * nf * 1.0000001;
		n++;
	}
	CHECK(above_one > 10 && above_one < n, "grid exercises both sides of "
			"max(1, .): %d of %d", above_one, n);
	/* the defaults by hand: high band K_lin = 11008 * 1024 / 48000 =
	 * 234.837, N_log = 128 / log2(800) * log2(13952 / 2944) = 29.7920 */
	struct foh_autoscale_geom g = { 1024, 128, 30.0f };
	CHECK_NEAR(foh_autoscale_noise_budget(1.0, 2944, 13952, &g, 48000),
			234.837 / 29.7920, 1e-3, "default high band budget / nf^2");
	CHECK_NEAR(foh_autoscale_noise_budget(1.0, 88, 184, &g, 48000), 1.0,
			1e-12, "default low band budget / nf^2 (K_lin < N_log)");
	CHECK_NEAR(foh_autoscale_tilt(2000.0, 3.5), pow(10.0, 3.5 / 20.0), 1e-9,
			"tilt one octave up");
	CHECK_NEAR(foh_autoscale_tilt(250.0, 3.5), pow(10.0, -7.0 / 20.0), 1e-9,
			"tilt two octaves down");
	printf("budget: %d configurations\n", n);
}

/* Runs constant r through the block and an independent simulation of the
 * reference recursion; they must agree block by block. */
static void test_recursion(float r, float strength, uint32_t block)
{
	struct foh_autoscale s;
	struct foh_autoscale_params p;
	struct foh_autoscale_geom g = { 1024, 128, 30.0f };
	const double lo = 304, hi = 1760, sr = RATE;
	double worst = 0.0;

	foh_autoscale_default_params(&p);
	p.strength = strength;
	foh_autoscale_init(&s, RATE);
	foh_autoscale_set(&s, &p, (float)lo, (float)hi, &g);
	foh_autoscale_reset(&s);

	double nf = p.noise_floor, peak = nf, dt = block / sr;
	double budget = ref_budget(nf, lo, hi, 1024, 128, 30, sr);
	double tilt = pow(10.0, 3.5 * log2(sqrt(lo * hi) / 1000.0) / 20.0);
	double k_lin = (hi - lo) * 1024 / sr;
	for (int i = 0; i < (int)(4.0 * sr / block); i++) {
		double v = sqrt(fmax(0.0, (double)r * r - budget)) * tilt;
		double tau = v > peak ? 0.255 : 30.0;
		peak += (1.0 - exp(-dt / tau)) * (v - peak);
		double scaled = tanh(fmax(0.0, v - nf) / fmax(peak, nf));
		double db = 20.0 * log10((double)r / sqrt(k_lin));
		double base = fmin(1.0, fmax(0.0, (db + 90.0) / 80.0));
		double want = strength * scaled + (1.0 - strength) * base;
		double got = foh_autoscale_run(&s, r, block);
		worst = fmax(worst, fabs(got - want));
		CHECK(got >= 0.0f && got <= 1.0f, "value %f outside [0, 1]", got);
	}
	CHECK(worst < 2e-4, "r %g strength %.1f block %u: worst |err| %g", r,
			strength, block, worst);
	printf("recursion r %g strength %.1f block %u: final %.4f, worst |err| %.2e\n",
			r, strength, block, s.value, worst);
}

static void test_silence_and_tones(void)
{
	static float buf[256];
	static const double levels[] = { -60.0, -40.0, -20.0, -6.0, 0.0 };
	static const double freqs[] = { 130.0, 700.0, 6000.0 };
	struct foh_lmh s;

	foh_lmh_init(&s, RATE);
	memset(buf, 0, sizeof(buf));
	for (uint32_t k = 0; k < 10 * RATE / 256; k++)
		foh_lmh_run(&s, buf, 256);
	for (int b = 0; b < 3; b++)
		CHECK(s.value[b] == 0.0f, "silence: band %d reads %g", b, s.value[b]);
	for (int l = 0; l < 5; l++)
	for (int b = 0; b < 3; b++) {
		double amp = db_to_amp(levels[l]) * (levels[l] == 0.0 ? 0.999 : 1.0);
		foh_lmh_reset(&s);
		for (uint32_t t = 0; t < 3 * RATE; t += 256) {
			for (uint32_t i = 0; i < 256; i++)
				buf[i] = (float)(amp * sin(2.0 * M_PI * freqs[b] *
							(t + i) / RATE));
			foh_lmh_run(&s, buf, 256);
			for (int o = 0; o < 3; o++)
				CHECK(s.value[o] >= 0.0f && s.value[o] <= 1.0f,
						"value %g outside [0, 1]", s.value[o]);
		}
		CHECK(s.value[b] > 0.0f && s.value[b] < 1.0f, "%.0f dBFS at %.0f "
				"Hz: in-band value %g not in (0, 1)", levels[l],
				freqs[b], s.value[b]);
	}
}

/* A band change with a steady input: the value glides. */
static void test_no_step(void)
{
	struct foh_autoscale s;
	struct foh_autoscale_params p;
	struct foh_autoscale_geom g = { 1024, 128, 30.0f };
	float prev, worst = 0.0f;

	foh_autoscale_default_params(&p);
	foh_autoscale_init(&s, RATE);
	foh_autoscale_set(&s, &p, 304.0f, 1760.0f, &g);
	foh_autoscale_reset(&s);
	for (uint32_t i = 0; i < 5 * RATE / 256; i++)
		(void)foh_autoscale_run(&s, 0.01f, 256);
	prev = s.value;
	foh_autoscale_set(&s, &p, 100.0f, 8000.0f, &g);
	for (uint32_t i = 0; i < RATE / 256; i++) {
		float v = foh_autoscale_run(&s, 0.01f, 256);
		worst = foh_maxf(worst, fabsf(v - prev));
		prev = v;
	}
	printf("band change: largest value step %.5f\n", worst);
	CHECK(worst < 0.01f, "band change steps the value by %g", worst);
}

static void test_validation(void)
{
	struct foh_autoscale_params p, q;
	char why[200];

	foh_autoscale_default_params(&p);
	CHECK(foh_autoscale_params_valid(&p, why, sizeof(why)), "defaults: %s", why);
	q = p; q.attack_s = 1.5f;
	CHECK(!foh_autoscale_params_valid(&q, why, sizeof(why)), "attack 1.5");
	q = p; q.noise_floor = -0.001f;
	CHECK(!foh_autoscale_params_valid(&q, why, sizeof(why)), "nf < 0");
	q = p; q.db_ceiling = q.db_floor;
	CHECK(!foh_autoscale_params_valid(&q, why, sizeof(why)), "empty dB range");
	q = p; q.strength = NAN;
	CHECK(!foh_autoscale_params_valid(&q, why, sizeof(why)), "NaN strength");
	CHECK(strstr(why, "strength") != NULL, "reason names the field: %s", why);
}

int main(void)
{
	test_budget();
	test_recursion(0.02f, 0.7f, 256);
	test_recursion(0.02f, 1.0f, 64);
	test_recursion(1e-3f, 0.0f, 1024);
	test_recursion(3e-5f, 0.7f, 256);	/* below the budget: 0 */
	test_silence_and_tones();
	test_no_step();
	test_validation();
	return test_summary("test-autoscale");
}
