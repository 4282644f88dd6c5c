/* Compressor, stereo-linked, after Giannoulis, Massberg and Reiss (2012):
 * level detection, a soft-knee gain computer in the log domain, then a
 * branching one-pole smoother on the gain reduction in dB.
 *
 * Detector (the level the static curve is applied to):
 * - PEAK: x = 20 log10 max(|L|, |R|) per frame.
 * - RMS:  x = 10 log10 m, m a one-pole mean of max(L^2, R^2) with time
 *   constant rms_ms. For a steady sine, x is its RMS level.
 * Gain computer (T threshold, R ratio, W knee, all dB):
 *   2(x - T) <  -W:      y = x
 *   2|x - T| <= W:       y = x + (1/R - 1)(x - T + W/2)^2 / (2W)
 *   2(x - T) >  W:       y = T + (x - T)/R
 *   reduction r = x - y >= 0.
 * Smoothing: s += (1 - a)(r - s), with a = exp(-1/(tau fs)) and tau =
 * attack_ms while r > s, release_ms otherwise. So after a step in r the
 * reduction in dB has covered 1 - 1/e of the step after exactly tau: that is
 * the attack/release time constant, measured in tests/dsp/test-comp.c.
 * Output gain = makeup_db - s.
 *
 * Gain reduction is reported as a positive number of dB (0 = none).
 * Threshold, ratio, knee and makeup changes ramp over FOH_DSP_RAMP_MS (the
 * first set after init applies at once); makeup moves every frame, the
 * curve every 32 frames of a fixed grid, so run sizes never change the
 * output. Below the knee with no reduction left and the makeup still, a
 * chunk's gain is the makeup and only the detector runs (the same output
 * to the bit, without a log and an exp per frame). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dsp-util.h"

enum foh_comp_detect {
	FOH_COMP_RMS,
	FOH_COMP_PEAK,
};

struct foh_comp_params {
	float threshold_db;	/* [-80, 0] */
	float ratio;		/* [1, 100] */
	float knee_db;		/* [0, 24] full knee width */
	float attack_ms;	/* [0.05, 1000] */
	float release_ms;	/* [1, 5000] */
	float makeup_db;	/* [-24, 48] */
	enum foh_comp_detect detect;
	float rms_ms;		/* RMS averaging time constant, [0.1, 1000] */
};

struct foh_comp {
	uint32_t rate;
	bool primed;		/* the first set after init applies at once */
	uint32_t grid;		/* frames since the curve was last updated */
	struct foh_ramp thr;	/* dB */
	struct foh_ramp slope;	/* 1 - 1/ratio */
	struct foh_ramp knee;	/* dB */
	struct foh_ramp makeup;	/* dB */
	enum foh_comp_detect detect;
	float att;		/* attack pole */
	float rel;		/* release pole */
	float rms_pole;
	float ms;		/* RMS detector state (linear power) */
	float red;		/* smoothed gain reduction, dB >= 0 */
	float red_max;		/* largest reduction in the last run */
	bool per_frame;		/* tests: never take the quiet path */
	uint64_t quiet;		/* chunks the quiet path took */
};

/* Mission Control defaults: -20 dBFS, 2:1, 6 dB knee, 10/100 ms, RMS. */
void foh_comp_default_params(struct foh_comp_params *p);
/* Clamps every field to its documented range. */
void foh_comp_sanitize(struct foh_comp_params *p);
/* Static curve: steady-state output level minus input level in dB for a
 * detector level in_db, makeup included (pure). */
float foh_comp_static_gain_db(const struct foh_comp_params *p, float in_db);

void foh_comp_init(struct foh_comp *s, uint32_t rate);
void foh_comp_set(struct foh_comp *s, const struct foh_comp_params *p);
/* Mono when inr/outr are NULL. In place is fine. */
void foh_comp_run(struct foh_comp *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_comp_reset(struct foh_comp *s);

/* Current gain reduction, dB >= 0. */
float foh_comp_reduction_db(const struct foh_comp *s);
/* Largest gain reduction during the last run, dB >= 0. */
float foh_comp_max_reduction_db(const struct foh_comp *s);
