/* Stereo width: mid/side, M = (L + R)/2, S = (L - R)/2, out L = M + w S,
 * R = M - w S with w in [0, 2] (0 % mono, 100 % unchanged, 200 % twice the
 * side). The mono-compatibility guard is structural: the output's mono sum
 * L + R = 2M is the input's, whatever w is, so widening can never raise
 * the mono sum (the right output is computed as (L + R) - out L, so even
 * the float rounding stays on the input's sum). w ramps over
 * FOH_DSP_RAMP_MS; at w = 1 with no ramp running the block is a wire
 * (bit-transparent). No memory, no state besides the ramp. */
#pragma once

#include <stdint.h>

#include "dsp-util.h"

struct foh_width_params {
	float width;		/* [0, 2]; 1 = unchanged */
};

struct foh_width {
	uint32_t rate;
	bool primed;
	struct foh_ramp w;
};

void foh_width_init(struct foh_width *s, uint32_t rate);
void foh_width_set(struct foh_width *s, const struct foh_width_params *p);
/* Stereo only; in place is fine. */
void foh_width_run(struct foh_width *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_width_reset(struct foh_width *s);
