/* The content features against what formulas say they must be:
 *   a sine of f Hz: centroid and roll-off at f (within a bin), the
 *   zero-crossing rate f (a sine crosses zero twice a period), crest
 *   20·log10(√2) = 3.01 dB, no modulation, no low-energy frames;
 *   white noise: flatness e^(−γ) = −2.51 dB (the mean of the log of an
 *   exponential variable is −γ below the log of its mean), centroid at
 *   the middle of the 0–11025 Hz band the features use;
 *   noise whose amplitude is gated on and off at 4 Hz (50 % duty): the
 *   4 Hz modulation well above steady noise's, and half the frames under
 *   half the mean RMS;
 *   clicks every 0.5 s (120 BPM): an onset rate of 2/s and a tempo
 *   stability near 1; steady noise: stability near 0;
 *   a steady harmonic tone (150 Hz, 8 harmonics): voicing near 1 (the
 *   normalised autocorrelation of a periodic signal is 1 at its period),
 *   its pitch holds (no glides), no voicing modulation; white noise: no
 *   period (voicing well under 0.5, so no pitch);
 *   that tone gliding up an octave every 1.5 s (12/(1.5·rate/hop)
 *   semitones a frame, 0.17 at 48 kHz): nearly every step a glide;
 *   the tone and noise of the same RMS alternating at 4 Hz, as voiced and
 *   unvoiced sounds alternate in words: the voicing modulation far above
 *   the steady tone's while the level's 4 Hz modulation stays small — the
 *   cue a hard-limited voice keeps;
 *   48 and 44.1 kHz give the same figures for the same signal. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "content/features.h"
#include "../dsp/test-util.h"

typedef float (*gen_fn)(uint32_t i, uint32_t rate, uint32_t *seed);

static float noise(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return (float)(*seed >> 8) / 8388608.0f - 1.0f;
}

static float gen_sine(uint32_t i, uint32_t rate, uint32_t *seed)
{
	return 0.5f * sinf(2.0f * (float)M_PI * 1000.0f * (float)i / (float)rate);
}

static float gen_noise(uint32_t i, uint32_t rate, uint32_t *seed)
{
	return 0.3f * noise(seed);
}

static float gen_gated(uint32_t i, uint32_t rate, uint32_t *seed)
{
	/* 4 Hz: on for 125 ms, off (-40 dB) for 125 ms */
	float on = fmodf((float)i / (float)rate * 4.0f, 1.0f) < 0.5f ? 1.0f : 0.01f;
	return 0.3f * on * noise(seed);
}

static float gen_clicks(uint32_t i, uint32_t rate, uint32_t *seed)
{
	uint32_t k = i % (rate / 2);
	float n = 0.001f * noise(seed);

	return n + (k < rate / 50 ? 0.8f * expf(-(float)k / (0.003f * rate)) * noise(seed) : 0.0f);
}

#define TONE_HZ	150.0
#define TONE_RMS	0.2623	/* 0.3·√(Σ 1/(2k²)), k = 1..8 */

static float harmonics(double phase)
{
	double x = 0.0;

	for (int k = 1; k <= 8; k++)
		x += sin(k * phase) / k;
	return (float)(0.3 * x);
}

static float gen_tone(uint32_t i, uint32_t rate, uint32_t *seed)
{
	return harmonics(2.0 * M_PI * TONE_HZ * (double)i / rate);
}

static float gen_glide(uint32_t i, uint32_t rate, uint32_t *seed)
{
	/* f(t) = 150·2^(t/T) Hz from every T = 1.5 s: phase 2π·150·T/ln 2·(2^(t/T) − 1) */
	const double T = 1.5;
	double t = fmod((double)i / rate, T);
	return harmonics(2.0 * M_PI * TONE_HZ * T / M_LN2 * (exp2(t / T) - 1.0));
}

static float gen_syllables(uint32_t i, uint32_t rate, uint32_t *seed)
{
	/* 125 ms tone, 125 ms noise of the same RMS (uniform noise: 1/√3) */
	if (fmod((double)i / rate * 4.0, 1.0) < 0.5)
		return gen_tone(i, rate, seed);
	return (float)(TONE_RMS * sqrt(3.0)) * noise(seed);
}

static void run(gen_fn gen, uint32_t rate, double seconds, struct foh_cf_vector *v)
{
	struct foh_cfeat *f;
	uint32_t n = (uint32_t)(seconds * rate), seed = 12345;
	float *x = malloc(n * sizeof(float));

	for (uint32_t i = 0; i < n; i++)
		x[i] = gen(i, rate, &seed);
	if (foh_cfeat_new(rate, &f) < 0)
		abort();
	/* in quanta of 256, as a channel delivers them */
	for (uint32_t i = 0; i < n; i += 256)
		foh_cfeat_push(f, x + i, n - i < 256 ? n - i : 256);
	CHECK(foh_cfeat_vector(f, v), "a vector after %.1f s", seconds);
	foh_cfeat_free(f);
	free(x);
}

int main(void)
{
	static const uint32_t rates[] = { 48000, 44100 };
	struct foh_cf_vector v, w;

	for (int r = 0; r < 2; r++) {
		uint32_t rate = rates[r];
		double bin = rate / 2048.0 / 1000.0;

		run(gen_sine, rate, 4.0, &v);
		printf("sine at %u Hz: centroid %.3f kHz, roll-off %.3f, zcr %.3f, crest %.2f dB\n",
				rate, v.v[FOH_CF_CENTROID], v.v[FOH_CF_ROLLOFF], v.v[FOH_CF_ZCR],
				v.v[FOH_CF_CREST]);
		CHECK_NEAR(v.v[FOH_CF_CENTROID], 1.0, bin, "sine centroid (kHz) at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_ROLLOFF], 1.0, bin, "sine roll-off (kHz) at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_ZCR], 1.0, 0.03, "sine zero-crossing rate (kHz) at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_ZCR_STD], 0.0, 0.03, "sine zcr spread at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_CREST], 20.0 * log10(sqrt(2.0)), 0.05, "sine crest at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_LOW_ENERGY], 0.0, 1e-9, "sine low-energy at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_MOD4HZ], 0.0, 0.001, "sine 4 Hz modulation at %u", rate);
		CHECK_NEAR(v.level_db, 20.0 * log10(0.5 / sqrt(2.0)), 0.05, "sine level at %u", rate);

		run(gen_noise, rate, 4.0, &v);
		printf("noise at %u Hz: flatness %.2f dB, centroid %.3f kHz, mod4hz %.4f, "
				"stability %.2f\n", rate, v.v[FOH_CF_FLATNESS], v.v[FOH_CF_CENTROID],
				v.v[FOH_CF_MOD4HZ], v.v[FOH_CF_TEMPO_STABILITY]);
		CHECK_NEAR(v.v[FOH_CF_FLATNESS], 10.0 * log10(exp(-0.5772156649)), 0.3,
				"white noise flatness (dB) at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_CENTROID], 11.025 / 2.0, 0.15, "white noise centroid at %u",
				rate);
		/* white noise: each lag's estimate has σ ≈ 1/√(frames − lag), about
		 * 0.12 at the long lags; the largest of ~60 stays under 4σ */
		CHECK(v.v[FOH_CF_TEMPO_STABILITY] < 0.5f, "steady noise has no tempo (%.2f)",
				v.v[FOH_CF_TEMPO_STABILITY]);

		run(gen_gated, rate, 4.0, &w);
		printf("gated noise at %u Hz: mod4hz %.4f, low-energy %.2f\n", rate,
				w.v[FOH_CF_MOD4HZ], w.v[FOH_CF_LOW_ENERGY]);
		CHECK(w.v[FOH_CF_MOD4HZ] > 20.0f * v.v[FOH_CF_MOD4HZ] && w.v[FOH_CF_MOD4HZ] > 1.0f,
				"4 Hz gating: modulation %.4f vs steady %.4f", w.v[FOH_CF_MOD4HZ],
				v.v[FOH_CF_MOD4HZ]);
		/* frames are ~43 ms against 125 ms halves: some straddle the edges */
		CHECK_NEAR(w.v[FOH_CF_LOW_ENERGY], 0.5, 0.2, "4 Hz gating: low-energy share");

		run(gen_clicks, rate, 6.0, &v);
		printf("clicks at 120 BPM, %u Hz: onsets %.2f/s, stability %.2f\n", rate,
				v.v[FOH_CF_ONSET_RATE], v.v[FOH_CF_TEMPO_STABILITY]);
		/* 6 clicks in the 3 s window; one on the window's edge is no peak */
		CHECK_NEAR(v.v[FOH_CF_ONSET_RATE], 2.0, 1.0 / 3.0 + 0.01,
				"clicks every 0.5 s: onset rate");
		CHECK(v.v[FOH_CF_TEMPO_STABILITY] > 0.7f, "clicks every 0.5 s: stability %.2f",
				v.v[FOH_CF_TEMPO_STABILITY]);

		run(gen_tone, rate, 4.0, &v);
		printf("tone of %.0f Hz at %u Hz: voicing %.3f, glides %.3f, voicing-mod %.4f\n",
				TONE_HZ, rate, v.v[FOH_CF_VOICING], v.v[FOH_CF_PITCH_GLIDE],
				v.v[FOH_CF_VOICING_MOD]);
		CHECK_NEAR(v.v[FOH_CF_VOICING], 1.0, 0.03, "harmonic tone: voicing at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_PITCH_GLIDE], 0.0, 1e-9, "steady tone: no glide at %u", rate);
		CHECK_NEAR(v.v[FOH_CF_VOICING_MOD], 0.0, 0.001, "steady tone: voicing-mod at %u",
				rate);
		run(gen_noise, rate, 4.0, &w);
		printf("noise at %u Hz: voicing %.3f, glides %.3f\n", rate, w.v[FOH_CF_VOICING],
				w.v[FOH_CF_PITCH_GLIDE]);
		CHECK(w.v[FOH_CF_VOICING] < 0.4f, "white noise: voicing %.3f", w.v[FOH_CF_VOICING]);

		run(gen_glide, rate, 4.0, &w);
		printf("gliding tone at %u Hz: voicing %.3f, glides %.3f\n", rate,
				w.v[FOH_CF_VOICING], w.v[FOH_CF_PITCH_GLIDE]);
		/* one restart of the sweep (an octave's jump) in the 1.5 s window */
		CHECK(w.v[FOH_CF_PITCH_GLIDE] > 0.9f, "an octave in 1.5 s glides: %.3f",
				w.v[FOH_CF_PITCH_GLIDE]);

		run(gen_syllables, rate, 4.0, &w);
		printf("tone/noise at 4 Hz, %u Hz: voicing-mod %.4f, mod4hz %.4f\n", rate,
				w.v[FOH_CF_VOICING_MOD], w.v[FOH_CF_MOD4HZ]);
		CHECK(w.v[FOH_CF_VOICING_MOD] > 0.1f &&
		      w.v[FOH_CF_VOICING_MOD] > 20.0f * v.v[FOH_CF_VOICING_MOD],
				"voiced/unvoiced at 4 Hz: voicing-mod %.4f vs steady %.4f",
				w.v[FOH_CF_VOICING_MOD], v.v[FOH_CF_VOICING_MOD]);
		CHECK(w.v[FOH_CF_MOD4HZ] < 0.1f, "same RMS: little level modulation (%.4f)",
				w.v[FOH_CF_MOD4HZ]);
	}
	/* not enough signal yet: no vector, and the output is left alone */
	{
		struct foh_cfeat *f;
		float x[4800] = { 0 };
		memset(&v, 0x5a, sizeof(v));
		w = v;
		if (foh_cfeat_new(48000, &f) < 0)
			abort();
		foh_cfeat_push(f, x, 4800);
		CHECK(!foh_cfeat_vector(f, &v) && memcmp(&v, &w, sizeof(v)) == 0,
				"0.1 s is too little for a vector");
		foh_cfeat_free(f);
	}
	CHECK(foh_cfeat_new(1000, (struct foh_cfeat **)&v) == -EINVAL, "a rate of 1000 is refused");
	return test_summary("content-features");
}
