/* Look-ahead brickwall limiter, stereo-linked, sample-peak or true-peak.
 *
 * Every input frame gets a required gain c = ceiling / peak (1 when under).
 * The applied gain is, in order: the minimum of c over the last D + 1
 * frames (a monotonic deque, O(1) per frame); a one-pole release that only
 * ever rises towards that minimum (never above it); and a moving average
 * over B frames (the attack ramp). Audio is delayed by D frames. Because
 * every value averaged for a frame's output is at most that frame's c, the
 * output never exceeds the ceiling; a final hard clamp at the ceiling is a
 * safety net that counts when it engages (it should never, except right
 * after a ceiling cut or a mode switch).
 *
 * True-peak mode first band-limits the programme (8th-order Butterworth
 * low-pass at 0.41 fs up to 48 kHz, i.e. 19.7 kHz at 48 kHz and 18.1 kHz at
 * 44.1 kHz, and at 20 kHz above: flat within 0.01 dB to 18 kHz at 48 kHz,
 * -49 dB at 22 kHz) so nothing is left that a finite interpolator cannot
 * see, then adds 4x oversampled peaks (20-tap-per-phase polyphase FIR,
 * within 0.04 dB to 20 kHz at 48 kHz; each local maximum refined by a
 * parabola through its neighbours) to the required gain and holds each
 * for every sample its interpolation used (B = D - taps + 2). Inter-sample
 * peaks of the output then stay within 0.1 dB of the ceiling even for
 * full-scale noise, square waves and Nyquist-rate signals.
 *
 * D = 64 frames at 48 kHz, scaled with the rate (58 at 44.1 kHz, 256 at
 * 192 kHz), never below 34 frames; B = D - 18 (46 at 48 kHz) in both modes,
 * so switching modes never changes latency or the attack ramp.
 * foh_limiter_latency() reports D. In true-peak mode silence comes out as
 * about 1e-20 (the denormal bias of the low-pass), not exactly 0. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dsp-util.h"
#include "oversample.h"

#define FOH_LIMITER_MAX_DELAY	256u
#define FOH_LIMITER_RING	(FOH_LIMITER_MAX_DELAY + 1u)
#define FOH_LIMITER_LP_SECTIONS	4

/* The band-limit cascade, both channels in lanes 0 and 1. */
struct foh_limiter_lp {
	foh_v4f b0[FOH_LIMITER_LP_SECTIONS], b1[FOH_LIMITER_LP_SECTIONS];
	foh_v4f b2[FOH_LIMITER_LP_SECTIONS], a1[FOH_LIMITER_LP_SECTIONS];
	foh_v4f a2[FOH_LIMITER_LP_SECTIONS];
	foh_v4f z1[FOH_LIMITER_LP_SECTIONS], z2[FOH_LIMITER_LP_SECTIONS];
};

struct foh_limiter_params {
	float ceiling_db;	/* dBFS (sample peak) or dBTP, [-30, 0] */
	float release_ms;	/* time constant of the gain recovery, [1, 5000] */
	bool true_peak;
};

struct foh_limiter {
	uint32_t rate;
	bool primed;		/* the first set after init applies at once */
	uint32_t delay;		/* D */
	uint32_t box_len;	/* B */
	uint32_t frame;		/* running frame index (wraps) */
	bool true_peak;
	float rel;		/* release pole */
	struct foh_ramp ceil;	/* linear */
	float clamp_hi;		/* clamp level while a ceiling cut is in flight */
	uint32_t clamp_hold;
	double env;		/* released gain */
	uint32_t ones;		/* frames in a row whose released gain was 1 */
	bool per_frame;		/* tests: never take the at-rest path */
	uint64_t rests;		/* chunks the at-rest path took */
	float g_min;		/* lowest applied gain in the last run */
	double box_sum;
	uint64_t clamped;	/* samples the safety clamp touched */
	/* sliding minimum deque of required gains */
	uint32_t dq_head, dq_count;
	float dq_val[FOH_LIMITER_RING];
	uint32_t dq_idx[FOH_LIMITER_RING];
	/* moving-average ring and audio delay lines */
	uint32_t box_pos, dl_pos;
	float box[FOH_LIMITER_RING];
	float dl[2][FOH_LIMITER_RING];
	struct foh_os_coefs os_coefs;
	struct foh_os os[2];
	float os_last[2];	/* previous frame's last 4x point */
	struct foh_limiter_lp lp;	/* true-peak band limit */
};

/* -1 dBFS, 50 ms release, sample peak. */
void foh_limiter_default_params(struct foh_limiter_params *p);

void foh_limiter_init(struct foh_limiter *s, uint32_t rate);
void foh_limiter_set(struct foh_limiter *s, const struct foh_limiter_params *p);
/* Mono when inr/outr are NULL. In place is fine. */
void foh_limiter_run(struct foh_limiter *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_limiter_reset(struct foh_limiter *s);

/* Added latency in frames (D). */
uint32_t foh_limiter_latency(const struct foh_limiter *s);
/* Largest gain reduction during the last run, dB >= 0. */
float foh_limiter_reduction_db(const struct foh_limiter *s);
/* Samples the safety clamp touched since init/reset. */
uint64_t foh_limiter_clamp_count(const struct foh_limiter *s);
