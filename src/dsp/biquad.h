/* RBJ-cookbook biquad: coefficient design for the eight classic shapes, the
 * analytic magnitude response of a coefficient set, and a mono/stereo filter
 * block whose coefficient changes are interpolated (never clicks).
 *
 * Coefficients are normalised (a0 = 1):
 *   H(z) = (b0 + b1 z^-1 + b2 z^-2) / (1 + a1 z^-1 + a2 z^-2)
 * Coefficients and state are double (the recursion is scalar anyway, so it
 * costs the same as float); audio in and out is float.
 * Interpolation is linear in (b0, b1, b2, a1, a2) over FOH_DSP_RAMP_MS,
 * each step computed from the ramp's start (so run sizes do not change the
 * output); the first set after init applies at once. The
 * stable region of (a1, a2) is a triangle, which is convex, so every
 * intermediate filter between two stable filters is stable too. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum foh_biquad_type {
	FOH_BIQUAD_LOWPASS,
	FOH_BIQUAD_HIGHPASS,
	FOH_BIQUAD_BANDPASS,	/* constant 0 dB peak gain */
	FOH_BIQUAD_PEAK,
	FOH_BIQUAD_LOWSHELF,
	FOH_BIQUAD_HIGHSHELF,
	FOH_BIQUAD_NOTCH,
	FOH_BIQUAD_ALLPASS,
};

struct foh_biquad_params {
	enum foh_biquad_type type;
	float freq;		/* Hz, clamped to [1, 0.49 * rate] */
	float q;		/* clamped to [0.05, 50]; shelves use it as RBJ Q */
	float gain_db;		/* peak and shelves only, clamped to +-48 */
};

/* Double: float coefficients misplace low, sharp poles by ~0.02 dB. */
struct foh_biquad_coefs {
	double b0, b1, b2, a1, a2;
};

struct foh_biquad {
	uint32_t rate;
	bool primed;		/* the first set after init applies at once */
	uint32_t ramp_len;
	uint32_t ramp_pos;	/* steps taken; ramp_len when settled */
	struct foh_biquad_coefs cur;
	struct foh_biquad_coefs from;	/* where the ramp started */
	struct foh_biquad_coefs target;
	struct foh_biquad_coefs step;
	double z[2][2];		/* transposed direct form II state per channel */
};

/* Coefficients for p at rate (pure). */
void foh_biquad_design(struct foh_biquad_coefs *c,
		const struct foh_biquad_params *p, uint32_t rate);
void foh_biquad_identity(struct foh_biquad_coefs *c);
bool foh_biquad_is_identity(const struct foh_biquad_coefs *c);
/* Analytic |H(e^jw)| in dB at freq (pure). */
double foh_biquad_response_db(const struct foh_biquad_coefs *c,
		double freq, double rate);
const char *foh_biquad_type_name(enum foh_biquad_type type);

/* The block. Starts as identity (a wire). */
void foh_biquad_init(struct foh_biquad *s, uint32_t rate);
void foh_biquad_set(struct foh_biquad *s, const struct foh_biquad_params *p);
/* Moves towards c with the usual ramp (used by the EQ for bypass). */
void foh_biquad_set_coefs(struct foh_biquad *s,
		const struct foh_biquad_coefs *c);
/* Mono when inr/outr are NULL. In place is fine (in == out). */
void foh_biquad_run(struct foh_biquad *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_biquad_reset(struct foh_biquad *s);
/* Moves the coefficient ramp k frames on (for callers that run the
 * recursion themselves, like the EQ). */
void foh_biquad_advance(struct foh_biquad *s, uint32_t k);
/* True when settled at identity with its state flushed: running it would
 * be a copy. */
bool foh_biquad_is_wire(const struct foh_biquad *s);
