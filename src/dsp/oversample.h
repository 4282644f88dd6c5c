/* 4x polyphase FIR interpolator for true-peak detection (ITU-R BS.1770-4
 * annex 2 style): for every input sample it returns the signal at four
 * positions, t = c, c + 1/4, c + 2/4, c + 3/4, where c = n - taps/2 is
 * taps/2 frames in the past. Lane 0 is the input sample itself (exact).
 *
 * The prototype is a Kaiser-windowed sinc cut off at the input Nyquist, each
 * phase normalised to unity gain at DC. With 12 taps per phase (beta 6) it
 * is within 0.01 dB up to 16 kHz at 48 kHz (loudness true peak); with 20
 * taps (beta 5) within 0.04 dB up to 20 kHz (limiter). Content closer to
 * Nyquist is read low, as with any finite interpolator. */
#pragma once

#include <stdint.h>

#define FOH_OS_MAX_TAPS	32
#define FOH_OS_PHASES	4

typedef float foh_v4f __attribute__((vector_size(16)));

struct foh_os_coefs {
	foh_v4f c[FOH_OS_MAX_TAPS];	/* c[k][p]: tap k of phase p */
	uint32_t taps;			/* multiple of 4, <= FOH_OS_MAX_TAPS */
};

/* History of one channel, stored twice so the window is contiguous, each
 * sample already splat across the four lanes: one multiply-add per tap. */
struct foh_os {
	foh_v4f hist[2 * FOH_OS_MAX_TAPS];
	uint32_t pos;
};

/* taps per phase: 12, 16, 20, 24, 28 or 32; beta the Kaiser parameter. */
void foh_os_design(struct foh_os_coefs *c, uint32_t taps, double beta);
void foh_os_reset(struct foh_os *s);

typedef int32_t foh_v4i __attribute__((vector_size(16)));

/* Push one sample, get the four interpolated values. taps must equal
 * c->taps; pass a constant and the loop unrolls. */
static inline foh_v4f foh_os_push_n(struct foh_os *s,
		const struct foh_os_coefs *c, float x, const uint32_t taps)
{
	uint32_t pos = s->pos;
	foh_v4f a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };

	const foh_v4f xs = { x, x, x, x };

	s->hist[pos] = xs;
	s->hist[pos + taps] = xs;
	const foh_v4f *w = &s->hist[pos + 1];
	/* four accumulators keep four add chains in flight */
	for (uint32_t k = 0; k < taps; k += 4) {
		a0 += c->c[k] * w[k];
		a1 += c->c[k + 1] * w[k + 1];
		a2 += c->c[k + 2] * w[k + 2];
		a3 += c->c[k + 3] * w[k + 3];
	}
	s->pos = pos + 1 == taps ? 0 : pos + 1;
	return (a0 + a1) + (a2 + a3);
}

static inline foh_v4f foh_os_push(struct foh_os *s,
		const struct foh_os_coefs *c, float x)
{
	return foh_os_push_n(s, c, x, c->taps);
}

static inline foh_v4f foh_v4f_abs(foh_v4f v)
{
	const foh_v4i mask = { 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff };

	return (foh_v4f)((foh_v4i)v & mask);
}

/* Largest magnitude of the four lanes. */
static inline float foh_v4f_absmax(foh_v4f v)
{
	float m0 = __builtin_fabsf(v[0]), m1 = __builtin_fabsf(v[1]);
	float m2 = __builtin_fabsf(v[2]), m3 = __builtin_fabsf(v[3]);

	m0 = m0 > m1 ? m0 : m1;
	m2 = m2 > m3 ? m2 : m3;
	return m0 > m2 ? m0 : m2;
}
