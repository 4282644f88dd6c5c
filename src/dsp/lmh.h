/* L/M/H: three Butterworth band-passes on a mono signal, block RMS per band,
 * an asymmetric one-pole smoother per band and the auto-scaler
 * (autoscale.h): the feature server's /audio/lmh values, in [0, 1].
 *
 * Filters. foh_lmh_design() builds what scipy's butter(order, [lo, hi],
 * btype='band', output='sos') builds: the order-N analog Butterworth
 * low-pass prototype, moved to a band-pass (s -> (s^2 + W0^2) / (B s),
 * W0^2 = Wlo Whi, B = Whi - Wlo) with prewarped edges W = tan(pi f / sr),
 * then the bilinear transform z = (1 + s) / (1 - s). That is a 2N-th order
 * filter, N second-order sections, whose response is exactly
 *   |H(f)|^2 = 1 / (1 + ((W^2 - W0^2) / (W B))^(2N)),  W = tan(pi f / sr)
 * so -3.01 dB at lo and hi for every order and 0 dB at f0 = atan(W0) sr/pi.
 * Each section holds one prototype pole's band-pass pole pair and one zero
 * at z = 1 and one at z = -1 (numerator g (1 - z^-2)), and is scaled to 0 dB
 * at f0; scipy distributes the same gain and zeros differently over its
 * sections, the product is the same. Sections run in transposed direct
 * form II in double; audio stays float.
 *
 * Per block of n frames (any n <= FOH_DSP_MAX_FRAMES, dt = n / sr):
 *   block_rms = sqrt(mean(y^2)) of each band's filter output
 *   rms      += a (block_rms - rms), a = 1 - exp(-dt / tau), tau = the
 *               band's attack while block_rms > rms, else its release
 *   value     = foh_autoscale_run(rms)
 *
 * Retuning never clicks, whatever the move: a new design (edges or order)
 * starts as a second cascade from rest, run beside the current one until
 * it has settled (7 time constants of its slowest pole pair, at least
 * FOH_DSP_RAMP_MS, at most 0.5 s); then the band's energy crossfades from
 * the old cascade's output to the new one's over FOH_DSP_RAMP_MS and the
 * old one is dropped. Both are settled filters, so the block RMS moves only
 * by what the two bands really see differently. A set while a new cascade
 * warms up restarts it with the newer design; one during the crossfade is
 * taken when the crossfade ends. (Gliding the coefficients instead is
 * cheaper but makes big, narrow moves ring by up to +30 dB.) The
 * auto-scaler glides its own parameters (autoscale.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscale.h"
#include "biquad.h"

#define FOH_LMH_BANDS		3
#define FOH_LMH_MAX_ORDER	8

enum foh_lmh_band_id {
	FOH_LMH_LOW,
	FOH_LMH_MID,
	FOH_LMH_HIGH,
};

struct foh_lmh_band {
	float lo_hz;		/* >= 20 */
	float hi_hz;		/* > lo + 50, <= 0.45 sr */
	float attack_s;		/* smoother attack tau, [0.005, 2] */
	float release_s;	/* smoother release tau, [0.005, 2] */
};

struct foh_lmh_params {
	struct foh_lmh_band band[FOH_LMH_BANDS];
	uint32_t order;		/* Butterworth prototype order, 1..8 (2) */
	struct foh_autoscale_params scale;
	struct foh_autoscale_geom geom;	/* for the noise budget */
};

/* One band's cascade. */
struct foh_lmh_filter {
	uint32_t n_sec;
	struct foh_biquad_coefs c[FOH_LMH_MAX_ORDER];
	double z[FOH_LMH_MAX_ORDER][2];
};

/* A band: the cascade in use, and the one taking over. */
struct foh_lmh_chain {
	struct foh_lmh_filter cur;
	struct foh_lmh_filter next;
	struct foh_lmh_filter want;	/* latest design, not yet started */
	uint32_t want_settle;	/* its warm-up, frames */
	bool wanted;		/* want is newer than next/cur */
	bool pending;		/* next is warming up or fading in */
	uint32_t warm_left;	/* frames until next has settled */
	uint32_t fade_pos;	/* frames into the crossfade */
};

struct foh_lmh {
	uint32_t rate;
	bool primed;		/* the first set after init applies at once */
	uint32_t fade_len;	/* crossfade, frames */
	struct foh_lmh_params p;
	struct foh_lmh_chain ch[FOH_LMH_BANDS];
	uint32_t alpha_n;	/* block length the smoother poles are for */
	float a_att[FOH_LMH_BANDS], a_rel[FOH_LMH_BANDS];
	float block_rms[FOH_LMH_BANDS];	/* last block, before smoothing */
	float rms[FOH_LMH_BANDS];	/* smoothed */
	float value[FOH_LMH_BANDS];	/* auto-scaled, [0, 1] */
	struct foh_autoscale scale[FOH_LMH_BANDS];
};

/* The feature server's defaults (REFERENCE.md). Its mid and high attack
 * (4.9 and 3.1 ms) lie below the 5 ms that foh_lmh_params_valid() lets a
 * user set; the block accepts them, a config should use 5 ms. */
void foh_lmh_default_params(struct foh_lmh_params *p);
/* Checks every field against the documented ranges for rate; writes the
 * first problem to why. Bands may overlap. */
bool foh_lmh_band_valid(const struct foh_lmh_band *b, uint32_t rate,
		char *why, size_t len);
bool foh_lmh_params_valid(const struct foh_lmh_params *p, uint32_t rate,
		char *why, size_t len);

/* Writes order sections for [lo, hi] at rate into sos (room for order);
 * returns the number of sections (pure). Edges are clamped to
 * 1 <= lo < hi <= 0.49 rate. */
uint32_t foh_lmh_design(struct foh_biquad_coefs *sos, uint32_t order,
		double lo, double hi, uint32_t rate);

void foh_lmh_init(struct foh_lmh *s, uint32_t rate);
/* Nothing allocates; call it between runs (same thread, or swapped in
 * like any other block's parameters). */
void foh_lmh_set(struct foh_lmh *s, const struct foh_lmh_params *p);
/* A mono block of n <= FOH_DSP_MAX_FRAMES frames; updates block_rms, rms
 * and value. */
void foh_lmh_run(struct foh_lmh *s, const float *in, uint32_t n);
void foh_lmh_reset(struct foh_lmh *s);
