/* Stereo chorus: 2–4 voices, each a delay of FOH_CHORUS_BASE_MS plus a
 * sine-modulated part of up to depth ms, read with linear interpolation.
 * The LFO is one rotating phasor (no sin() per sample); voice k runs at a
 * fixed phase offset of k × 90°, so adding or removing a voice never moves
 * the others (its gain fades in or out over FOH_DSP_RAMP_MS). Stereo
 * spread: the right channel's voices run at a further offset of
 * spread × 180°, so even a mono input leaves decorrelated. A voice's
 * delay sweeps as base + depth (1 + sin φ)/2: a 1 kHz sine comes out phase
 * modulated, with sidebands at 1 kHz ± rate. Depth, mix and spread ramp;
 * a rate change keeps the LFO's phase. The rings (allocated by init, freed
 * by foh_chorus_free) hold the input only: no feedback, no denormals. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dsp-util.h"

#define FOH_CHORUS_VOICES	4
#define FOH_CHORUS_BASE_MS	7.0f
#define FOH_CHORUS_MAX_DEPTH_MS	10.0f

struct foh_chorus_params {
	float rate_hz;		/* [0.05, 5] */
	float depth_ms;		/* [0, 10] */
	uint32_t voices;	/* [2, 4] */
	float mix;		/* [0, 1] */
	float spread;		/* [0, 1]: right LFO offset, × 180° */
};

struct foh_chorus {
	uint32_t rate;
	bool primed;
	float *ring[2];
	uint32_t mask;		/* ring size - 1 (a power of two) */
	uint32_t pos;
	double lc, ls, rc, rs;	/* LFO phasor and its per-frame rotation */
	float base;		/* frames */
	struct foh_ramp depth;	/* frames */
	struct foh_ramp mix, spread;
	struct foh_ramp gain[FOH_CHORUS_VOICES];
};

void foh_chorus_default_params(struct foh_chorus_params *p);
int foh_chorus_init(struct foh_chorus *s, uint32_t rate);
void foh_chorus_free(struct foh_chorus *s);
void foh_chorus_set(struct foh_chorus *s, const struct foh_chorus_params *p);
void foh_chorus_run(struct foh_chorus *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_chorus_reset(struct foh_chorus *s);
