/* Parametric EQ: a high-pass section followed by FOH_EQ_BANDS bands, each an
 * RBJ biquad of any type and each bypassable. Bypass ramps the section to
 * identity (no click); a settled identity section costs nothing. Also the
 * analytic magnitude response of a whole EQ, for tests and the daemon. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "biquad.h"

#define FOH_EQ_BANDS	4
#define FOH_EQ_SECTIONS	(1 + FOH_EQ_BANDS)

struct foh_eq_band {
	bool on;
	struct foh_biquad_params filter;
};

struct foh_eq_params {
	bool hpf_on;
	float hpf_freq;		/* Hz */
	float hpf_q;		/* 0.707 = Butterworth, 12 dB/octave */
	struct foh_eq_band band[FOH_EQ_BANDS];
};

struct foh_eq {
	uint32_t rate;
	struct foh_biquad sec[FOH_EQ_SECTIONS];	/* [0] is the high-pass */
};

/* All sections off, bands preset to peaks at 100/500/2k/8k Hz, 0 dB. */
void foh_eq_default_params(struct foh_eq_params *p);
/* Target coefficients of every section (identity when bypassed) (pure). */
void foh_eq_design(const struct foh_eq_params *p, uint32_t rate,
		struct foh_biquad_coefs c[FOH_EQ_SECTIONS]);
/* Analytic magnitude in dB of the EQ described by p (pure). */
double foh_eq_params_response_db(const struct foh_eq_params *p,
		uint32_t rate, double freq);
/* Analytic magnitude in dB of what s is set to (its target). */
double foh_eq_response_db(const struct foh_eq *s, double freq);

void foh_eq_init(struct foh_eq *s, uint32_t rate);
void foh_eq_set(struct foh_eq *s, const struct foh_eq_params *p);
/* Mono when inr/outr are NULL. In place is fine. */
void foh_eq_run(struct foh_eq *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_eq_reset(struct foh_eq *s);
