/* Stereo reverb: a feedback delay network in the zita-rev1 tradition
 * (Fons Adriaensen's zita-rev1: eight delay lines mixed by an orthogonal
 * matrix, per-line absorption set from RT60) with Jot and Chaigne's
 * absorption filters (J.-M. Jot, A. Chaigne, "Digital delay networks for
 * designing artificial reverberators", AES 90th convention, 1991) and
 * Dattorro's input diffusion (J. Dattorro, "Effect Design Part 1:
 * Reverberator and Other Filters", JAES 45(9), 1997: four series
 * allpasses of 142, 107, 379 and 277 frames at 29761 Hz, gains 0.75 and
 * 0.625).
 *
 * Signal path: mono sum of the input → pre-delay (0–200 ms; a change
 * crossfades between two taps) → four input allpasses → into the eight
 * lines with alternating signs. Each line i of length len_i frames is
 * absorbed by g_i = 10^(-3 len_i / (RT60 fs)), so every path through the
 * network loses 60 dB in RT60 seconds whatever the lengths, by Jot's
 * one-pole absorption filter g_i (1 - b_i)/(1 - b_i z^-1): its gain is g_i
 * at DC and g_i^(1/a) at Nyquist, so (1 - b_i)/(1 + b_i) = g_i^(1/a - 1)
 * (solved exactly, not with Jot's small-b approximation, which exceeds 1
 * for strong damping) and the RT60 at Nyquist is a times the RT60 at DC,
 * with a = 1 - 0.8 damping (damping 0 = the same decay at every
 * frequency). The lines are mixed by an 8×8 Hadamard matrix
 * scaled by 1/sqrt(8) (orthogonal, so the loop's only losses are the g_i).
 * The two outputs are two other, mutually orthogonal Hadamard rows of the
 * line outputs: a decorrelated stereo tail even from a mono input.
 *
 * Size scales the line lengths (0 → 0.4, 1 → 1.6 times the base lengths of
 * 30–71 ms); a size change glides the lengths at most 0.5 % per frame with a
 * linearly interpolated read, so it bends the tail's pitch for a moment and
 * never clicks. Decay and damping move the g_i and b_i linearly over
 * FOH_DSP_RAMP_MS; mix ramps. The lines and allpasses add FOH_DSP_BIAS so
 * the tail never turns denormal. Memory (about 0.3 MB at 48 kHz) comes
 * from init and goes with foh_reverb_free. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dsp-util.h"

#define FOH_REVERB_LINES	8
#define FOH_REVERB_DIFFUSERS	4
#define FOH_REVERB_MAX_PREDELAY_MS	200.0f

struct foh_reverb_params {
	float decay_s;		/* RT60, [0.2, 10] */
	float predelay_ms;	/* [0, 200] */
	float damping;		/* [0, 1] */
	float size;		/* [0, 1] */
	float mix;		/* [0, 1] */
};

struct foh_reverb_line {
	float *buf;
	uint32_t mask;
	float len, target;	/* frames */
	float g, g_step;	/* absorption */
	float b, b_step;	/* damping pole */
	float z;		/* damping state */
};

struct foh_reverb {
	uint32_t rate;
	bool primed;
	uint32_t pos;			/* shared write position of the lines */
	struct foh_reverb_line line[FOH_REVERB_LINES];
	uint32_t ramp_left;		/* g and b steps still to take */
	float *ap[FOH_REVERB_DIFFUSERS];
	uint32_t ap_len[FOH_REVERB_DIFFUSERS], ap_pos[FOH_REVERB_DIFFUSERS];
	float *pre;
	uint32_t pre_mask, pre_pos;
	uint32_t pre_tap, pre_next, pre_pending, xfade_len, xfade_left;
	struct foh_ramp mix;
};

void foh_reverb_default_params(struct foh_reverb_params *p);
int foh_reverb_init(struct foh_reverb *s, uint32_t rate);
void foh_reverb_free(struct foh_reverb *s);
void foh_reverb_set(struct foh_reverb *s, const struct foh_reverb_params *p);
/* Stereo; in place is fine. */
void foh_reverb_run(struct foh_reverb *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_reverb_reset(struct foh_reverb *s);
