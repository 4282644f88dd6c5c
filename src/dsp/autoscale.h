/* Auto-scaler of the analyzer: turns a smoothed band RMS (or one FFT log
 * bin's amplitude) into a value in [0, 1] that VJ tools can use directly.
 * It is the feature server's auto-scaler (REFERENCE.md, seed 3); one band
 * (foh_autoscale) is a block, the per-value steps are inline so the
 * spectrum's per-bin post-processing runs exactly the same maths.
 *
 * For a band [lo, hi] at rate sr, with the FFT view's geometry (window W,
 * n_bins log bins from f_min to sr/2) and noise floor nf (linear RMS):
 *   K_lin  = (hi - lo) W / sr          linear FFT bins in the band
 *   N_log  = n_bins / log2(sr / 2 / f_min) * log2(hi / lo)
 *                                      log bins in the band
 *   budget = nf^2 max(1, K_lin / N_log) one log bin's worth of floor noise
 *   tilt   = 10^(t log2(f_c / 1000) / 20), f_c = sqrt(lo hi), t dB/octave
 * per block of n frames with smoothed band RMS r:
 *   v      = sqrt(max(0, r^2 - budget)) tilt
 *   p     += a (v - p), a = 1 - exp(-dt / tau), dt = n / sr, tau = attack
 *            while v > p, else release; p starts at max(nf, 1e-9)
 *   scaled = tanh(max(0, v - nf) / max(p, nf))
 *   base   = clip((20 log10(r / sqrt(K_lin)) - db_floor) /
 *                 (db_ceiling - db_floor), 0, 1)    (untilted, per FFT bin)
 *   value  = s scaled + (1 - s) base       s = strength; s = 1: scaled only
 * The baseline is what an FFT log bin in the band would read on the same
 * dB scale: r / sqrt(K_lin) is the band's power spread over its linear bins.
 *
 * A change of band edges or geometry does not step the value: budget,
 * 1/sqrt(K_lin) and tilt glide linearly over FOH_AUTOSCALE_GLIDE_MS, and the
 * peak follower is rescaled with the tilt, so v / p only moves with the
 * signal. */
#pragma once

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dsp-util.h"

#define FOH_AUTOSCALE_EPS	1e-9f	/* smallest peak, linear RMS */
#define FOH_AUTOSCALE_GLIDE_MS	50.0f

struct foh_autoscale_params {
	float attack_s;		/* peak follower attack tau, [0.001, 1] (0.255) */
	float release_s;	/* peak follower release tau, [5, 300] (30) */
	float noise_floor;	/* linear RMS, [0, 0.1] (3.2e-5) */
	float strength;		/* [0, 1] (0.7) */
	float db_floor;		/* baseline 0 at, dB (-90) */
	float db_ceiling;	/* baseline 1 at, dB (-10), > db_floor */
	float tilt_db_oct;	/* spectral tilt, dB/octave, [-12, 12] (3.5) */
};

/* The FFT view the noise budget refers to (also used without the FFT). */
struct foh_autoscale_geom {
	uint32_t window;	/* FFT window, frames (1024) */
	uint32_t n_bins;	/* log bins (128) */
	float f_min;		/* lowest log bin edge, Hz (30) */
};

struct foh_autoscale {
	uint32_t rate;
	bool primed;		/* the first set after init applies at once */
	struct foh_autoscale_params p;
	struct foh_ramp budget;	/* linear power */
	struct foh_ramp inv_sqrt_klin;
	struct foh_ramp tilt;	/* linear gain */
	uint32_t alpha_n;	/* block length the cached poles are for */
	float a_att, a_rel;
	float peak;		/* follows v */
	float value;		/* last output, [0, 1] */
	float scaled;		/* last auto-scaled part, [0, 1] */
	float base;		/* last dB baseline, [0, 1] */
};

void foh_autoscale_default_params(struct foh_autoscale_params *p);
void foh_autoscale_default_geom(struct foh_autoscale_geom *g);
bool foh_autoscale_params_valid(const struct foh_autoscale_params *p,
		char *why, size_t len);
bool foh_autoscale_geom_valid(const struct foh_autoscale_geom *g,
		uint32_t rate, char *why, size_t len);

/* The formulas above (pure). */
double foh_autoscale_k_lin(double lo, double hi, uint32_t window,
		uint32_t rate);
double foh_autoscale_n_log(double lo, double hi, uint32_t n_bins,
		double f_min, uint32_t rate);
double foh_autoscale_noise_budget(double nf, double lo, double hi,
		const struct foh_autoscale_geom *g, uint32_t rate);
double foh_autoscale_tilt(double f_c, double tilt_db_oct);

/* One band. */
void foh_autoscale_init(struct foh_autoscale *s, uint32_t rate);
void foh_autoscale_set(struct foh_autoscale *s,
		const struct foh_autoscale_params *p, float lo, float hi,
		const struct foh_autoscale_geom *g);
/* r: the band's smoothed RMS for a block of n frames. Returns the value. */
float foh_autoscale_run(struct foh_autoscale *s, float r, uint32_t n);
void foh_autoscale_reset(struct foh_autoscale *s);

/* Formats a reason into why (when not NULL) and returns false: the
 * analysis blocks' validators share it. */
bool foh_analysis_fail(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One-pole coefficient for a step of dt seconds and time constant tau. */
static inline float foh_onepole_alpha(double dt, double tau)
{
	if (!(tau > 0.0))
		return 1.0f;
	return (float)-expm1(-dt / tau);
}

/* The asymmetric follower step (smoothers and the peak follower). */
static inline float foh_autoscale_follow(float y, float x, float a_up,
		float a_down)
{
	return y + (x > y ? a_up : a_down) * (x - y);
}

static inline float foh_autoscale_shape(float v, float peak, float nf)
{
	return tanhf(foh_maxf(0.0f, v - nf) / foh_maxf(peak, nf));
}

static inline float foh_autoscale_baseline(float db, float db_floor,
		float db_ceiling)
{
	return foh_dsp_clampf((db - db_floor) / (db_ceiling - db_floor),
			0.0f, 1.0f);
}

static inline float foh_autoscale_blend(float scaled, float base,
		float strength)
{
	if (strength >= 1.0f)
		return scaled;
	return strength * scaled + (1.0f - strength) * base;
}
