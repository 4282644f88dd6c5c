/* Stereo feedback delay: time 1–2000 ms, feedback 0–95 %, a one-pole
 * high-cut in the feedback path, ping-pong, wet/dry mix.
 *
 * Each channel has a ring of 2000 ms (allocated by init, freed by
 * foh_delay_free; run never allocates). The wet output of a line is its
 * read tap; what goes back into the line is the input plus feedback times
 * the high-cut of the tap. Ping-pong crosses the feedback (the left tap
 * feeds the right line and back) and sends the mono sum of the input into
 * the left line only; the switch is a ramp of the crossing, so it never
 * clicks. With the high-cut off, an impulse comes back after exactly
 * round(time * rate / 1000) frames and every repeat is the feedback times
 * the one before (50 % = -6.02 dB).
 *
 * A time change crossfades from the old tap to the new one over
 * FOH_DELAY_XFADE_MS (a change arriving during a crossfade waits for its
 * end): the repeats move without a click and without the pitch sweep of
 * a tape-style glide. Feedback and mix ramp over FOH_DSP_RAMP_MS. The
 * loop adds FOH_DSP_BIAS so a decaying tail never turns denormal. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dsp-util.h"

#define FOH_DELAY_MAX_MS	2000.0f
#define FOH_DELAY_XFADE_MS	30.0f

struct foh_delay_params {
	float time_ms;		/* [1, 2000] */
	float feedback;		/* [0, 0.95] */
	float mix;		/* [0, 1]: 0 dry only, 1 wet only */
	float highcut_hz;	/* feedback high-cut; 0 = off */
	bool pingpong;
};

struct foh_delay {
	uint32_t rate;
	bool primed;
	float *ring[2];
	uint32_t size;		/* frames per ring */
	uint32_t pos;		/* next write */
	uint32_t tap, tap_next, tap_pending;	/* delays in frames */
	uint32_t xfade_len, xfade_left;
	struct foh_ramp fb, mix, cross;
	float lp_a;		/* high-cut pole; 0 = off */
	float lp[2];		/* high-cut states */
};

void foh_delay_default_params(struct foh_delay_params *p);
/* Allocates the rings for rate: 0 or -ENOMEM. */
int foh_delay_init(struct foh_delay *s, uint32_t rate);
void foh_delay_free(struct foh_delay *s);
void foh_delay_set(struct foh_delay *s, const struct foh_delay_params *p);
/* Stereo; in place is fine; n <= FOH_DSP_MAX_FRAMES. */
void foh_delay_run(struct foh_delay *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
/* Clears the rings (what the strip calls before an enable). */
void foh_delay_reset(struct foh_delay *s);
