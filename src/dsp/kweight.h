/* K-weighting filter of ITU-R BS.1770: the two stages (a +4 dB high shelf
 * above ~1.7 kHz, the head as a sphere; the RLB high-pass at ~38 Hz) for
 * any rate, computed from their analogue prototypes via the bilinear
 * transform (at 48 kHz the coefficients of the recommendation and
 * libebur128), run in double on one channel or two at once. The loudness meter and the
 * leveler both measure through it. */
#pragma once

#include <stdint.h>

struct foh_kweight_coefs {
	double b[2][3], a[2][2];	/* [stage]: b0..b2, a1 a2 (a0 = 1) */
};

/* One channel's state: [stage][z1, z2]. Zeroed is reset. */
struct foh_kweight {
	double z[2][2];
};

void foh_kweight_coefs(struct foh_kweight_coefs *c, uint32_t rate);
/* Filters n samples of in and returns the sum of their squares. */
double foh_kweight_run(const struct foh_kweight_coefs *c, struct foh_kweight *st,
		const float *in, uint32_t n);
/* Filters n samples of a pair of channels in one pass (two lanes of one
 * SSE2 register: the same operations in the same order as
 * foh_kweight_run on each, so the same sums to the bit, at about half the
 * time) and stores the two sums of squares in sq[0], sq[1]. */
void foh_kweight_run2(const struct foh_kweight_coefs *c, struct foh_kweight *stl,
		struct foh_kweight *str, const float *inl, const float *inr,
		uint32_t n, double sq[2]);
/* Two pairs at once (two independent chains overlap): sq[0..1] as
 * foh_kweight_run2 on (al, ar), sq[2..3] on (bl, br), to the bit. */
void foh_kweight_run4(const struct foh_kweight_coefs *c, struct foh_kweight *st[4],
		const float *in[4], uint32_t n, double sq[4]);
