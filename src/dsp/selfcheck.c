/* DSP self-check: compressor against its static curve, limiter ceiling. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "selfcheck.h"

#define RATE		48000u
#define CHUNK		480u
#define SINE_HZ		1000.0

static void sine(float *out, uint32_t start, uint32_t n, double amp)
{
	for (uint32_t i = 0; i < n; i++)
		out[i] = (float)(amp * sin(2.0 * M_PI * SINE_HZ *
					(double)(start + i) / RATE));
}

bool foh_selfcheck_comp(const struct foh_comp_params *run,
		const struct foh_comp_params *expect, char *line, size_t len)
{
	const double peak_db = -12.0, amp = pow(10.0, peak_db / 20.0);
	float in[CHUNK], outl[CHUNK], outr[CHUNK];
	struct foh_comp comp;
	double sq = 0.0;
	uint32_t measured = 0;

	foh_comp_init(&comp, RATE);
	foh_comp_set(&comp, run);
	foh_comp_reset(&comp);
	for (uint32_t t = 0; t < RATE; t += CHUNK) {
		sine(in, t, CHUNK, amp);
		foh_comp_run(&comp, in, in, outl, outr, CHUNK);
		if (t < RATE / 2)
			continue;
		for (uint32_t i = 0; i < CHUNK; i++)
			sq += (double)outl[i] * outl[i];
		measured += CHUNK;
	}
	double out_db = 10.0 * log10(sq / measured);
	double det_db = expect->detect == FOH_COMP_PEAK ? peak_db :
		20.0 * log10(amp / sqrt(2.0));
	double in_rms_db = 20.0 * log10(amp / sqrt(2.0));
	double want = in_rms_db + foh_comp_static_gain_db(expect, (float)det_db);
	bool ok = fabs(out_db - want) <= FOH_SELFCHECK_COMP_TOL_DB;

	snprintf(line, len, "compressor: out RMS %.2f dBFS, expected %.2f dBFS "
			"(static curve at %.2f dB, tol %.2f dB): %s",
			out_db, want, det_db, FOH_SELFCHECK_COMP_TOL_DB,
			ok ? "PASS" : "FAIL");
	return ok;
}

bool foh_selfcheck_limiter(const struct foh_limiter_params *run,
		float expect_ceiling_db, char *line, size_t len)
{
	float in[CHUNK], outl[CHUNK], outr[CHUNK];
	struct foh_limiter lim;
	float peak = 0.0f;

	foh_limiter_init(&lim, RATE);
	foh_limiter_set(&lim, run);
	foh_limiter_reset(&lim);
	for (uint32_t t = 0; t < RATE; t += CHUNK) {
		sine(in, t, CHUNK, 1.0);
		foh_limiter_run(&lim, in, in, outl, outr, CHUNK);
		for (uint32_t i = 0; i < CHUNK; i++)
			peak = foh_maxf(peak, foh_maxf(fabsf(outl[i]), fabsf(outr[i])));
	}
	/* "at or under": allow only float rounding of the ceiling itself */
	double ceil = pow(10.0, expect_ceiling_db / 20.0) * (1.0 + 1e-6);
	bool ok = peak <= ceil;

	snprintf(line, len, "limiter: out peak %.3f dBFS, ceiling %.3f dBFS: %s",
			20.0 * log10(peak > 0.0f ? peak : 1e-12f),
			expect_ceiling_db, ok ? "PASS" : "FAIL");
	return ok;
}

bool foh_dsp_self_check(char *report, size_t len)
{
	struct foh_comp_params cp;
	struct foh_limiter_params lp;
	char a[160], b[160];
	bool ok;

	foh_comp_default_params(&cp);
	cp.threshold_db = -20.0f;
	cp.ratio = 2.0f;
	cp.attack_ms = 10.0f;
	cp.release_ms = 100.0f;
	foh_limiter_default_params(&lp);
	lp.ceiling_db = -3.0f;
	lp.release_ms = 8.0f;

	ok = foh_selfcheck_comp(&cp, &cp, a, sizeof(a));
	ok = foh_selfcheck_limiter(&lp, lp.ceiling_db, b, sizeof(b)) && ok;
	if (len > 0)
		snprintf(report, len, "%s\n%s\n", a, b);
	return ok;
}
