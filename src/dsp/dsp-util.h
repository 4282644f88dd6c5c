/* Small shared helpers for the DSP blocks: limits, dB conversions, one-pole
 * coefficients and the linear parameter ramp every block uses to smooth a
 * parameter change. Header only; no state of its own. */
#pragma once

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Every block accepts any n up to this many frames per run call. */
#define FOH_DSP_MAX_FRAMES	8192u
/* Fixed-size state is sized for this rate; init clamps the rate to it. */
#define FOH_DSP_MAX_RATE	192000u
#define FOH_DSP_MIN_RATE	8000u

/* Added where a recursive state can decay towards zero: keeps the state a
 * normal float (about -400 dB, far below anything audible). */
#define FOH_DSP_BIAS		1e-20f

/* Parameter changes ramp linearly over this long (never clicks). */
#define FOH_DSP_RAMP_MS		10.0f

#define FOH_DSP_LN10_20		0.11512925464970229	/* ln(10) / 20 */
#define FOH_DSP_20_LN10		8.685889638065037	/* 20 / ln(10) */

static inline uint32_t foh_dsp_clamp_rate(uint32_t rate)
{
	if (rate < FOH_DSP_MIN_RATE)
		return FOH_DSP_MIN_RATE;
	if (rate > FOH_DSP_MAX_RATE)
		return FOH_DSP_MAX_RATE;
	return rate;
}

/* Samples that are no audio — NaN, ±inf, or beyond ±65536 (+96 dBFS: a
 * client's bug, a corrupt float file, integers read as floats) — would stay
 * in every recursive state they reach (a square of 1e30 is inf in float)
 * and in the output for good. The edges where audio comes in (a channel's
 * input, the analyzer's, a deck's decoded file) make them silence here;
 * the count is returned. Four lanes test the exponent bits; only a buffer
 * that has one is walked again. */
#define FOH_DSP_SANE	65536.0f

typedef int32_t foh_v4i __attribute__((vector_size(16)));

static inline size_t foh_dsp_scrub(float *x, size_t n)
{
	const int32_t exp = 0x7f800000, big = (127 + 16) << 23;	/* 2^16 */
	foh_v4i any = { 0, 0, 0, 0 };
	size_t i = 0, bad = 0;
	int32_t tail = 0;

	for (; i + 4 <= n; i += 4) {
		foh_v4i v;
		__builtin_memcpy(&v, x + i, sizeof(v));
		any |= (v & exp) >= big;
	}
	for (; i < n; i++) {
		int32_t v;
		__builtin_memcpy(&v, x + i, sizeof(v));
		tail |= (v & exp) >= big;
	}
	if (!(any[0] | any[1] | any[2] | any[3] | tail))
		return 0;
	for (i = 0; i < n; i++)
		if (!(fabsf(x[i]) < FOH_DSP_SANE)) {
			x[i] = 0.0f;
			bad++;
		}
	return bad;
}

/* fmaxf/fminf are libm calls on x86-64 (NaN rules); these are one
 * instruction. Inputs here are never NaN (foh_dsp_scrub at the edges). */
static inline float foh_maxf(float a, float b)
{
	return a > b ? a : b;
}

static inline float foh_minf(float a, float b)
{
	return a < b ? a : b;
}

static inline float foh_dsp_clampf(float v, float lo, float hi)
{
	return v < lo ? lo : (v > hi ? hi : v);
}

static inline float foh_db_to_lin(float db)
{
	return expf(db * (float)FOH_DSP_LN10_20);
}

/* Linear to dB with a floor, so silence reads as the floor, not -inf. */
static inline float foh_lin_to_db(float lin, float floor_db)
{
	if (!(lin > 0.0f))
		return floor_db;
	float db = logf(lin) * (float)FOH_DSP_20_LN10;
	return db < floor_db ? floor_db : db;
}

/* Per-sample pole of a one-pole smoother with time constant tau_ms: after
 * tau_ms the output has covered 1 - 1/e of a step. 0 when tau is 0. */
static inline float foh_dsp_pole(float tau_ms, uint32_t rate)
{
	if (!(tau_ms > 0.0f))
		return 0.0f;
	return (float)exp(-1000.0 / ((double)tau_ms * (double)rate));
}

static inline uint32_t foh_dsp_ms_to_frames(float ms, uint32_t rate)
{
	if (!(ms > 0.0f))
		return 0;
	return (uint32_t)((double)ms * (double)rate / 1000.0 + 0.5);
}

/* A linearly ramped parameter: cur moves to target over a fixed number of
 * frames, in steps of step; left is the number of steps still to take. */
struct foh_ramp {
	float cur;
	float target;
	float step;
	uint32_t left;
};

static inline void foh_ramp_jump(struct foh_ramp *r, float v)
{
	r->cur = r->target = v;
	r->step = 0.0f;
	r->left = 0;
}

static inline void foh_ramp_to(struct foh_ramp *r, float v, uint32_t frames)
{
	if (v == r->target && r->left == 0)
		return;
	if (frames == 0) {
		foh_ramp_jump(r, v);
		return;
	}
	r->target = v;
	r->step = (v - r->cur) / (float)frames;
	r->left = frames;
}

/* Advance by one frame. */
static inline float foh_ramp_tick(struct foh_ramp *r)
{
	if (r->left > 0) {
		if (--r->left == 0)
			r->cur = r->target;
		else
			r->cur += r->step;
	}
	return r->cur;
}

/* Advance by n frames at once (for blocks that only need the end value). */
static inline float foh_ramp_skip(struct foh_ramp *r, uint32_t n)
{
	if (r->left > n) {
		r->left -= n;
		r->cur += r->step * (float)n;
	} else if (r->left > 0) {
		r->left = 0;
		r->cur = r->target;
	}
	return r->cur;
}
