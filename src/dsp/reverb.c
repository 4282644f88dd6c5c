/* Feedback delay network reverb; see reverb.h for the design and sources. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reverb.h"

#define MAX_SCALE	1.6f
#define GLIDE		0.005f		/* frames of length change per frame */
#define OUT_GAIN	0.25f
#define CHUNK		256u		/* frames of input diffusion at a time */

/* Base line lengths at size 0.5 (scale 1), ms: mutually prime at 48 kHz
 * after rounding, spread so the modes interleave. */
static const float base_ms[FOH_REVERB_LINES] = {
	30.1f, 35.9f, 41.3f, 46.7f, 52.9f, 58.1f, 64.3f, 71.1f,
};
/* Dattorro's input diffusers: frames at 29761 Hz, and their gains. */
static const float ap_frames[FOH_REVERB_DIFFUSERS] = { 142.0f, 107.0f, 379.0f, 277.0f };
static const float ap_gain[FOH_REVERB_DIFFUSERS] = { 0.75f, 0.75f, 0.625f, 0.625f };

void foh_reverb_default_params(struct foh_reverb_params *p)
{
	p->decay_s = 1.8f;
	p->predelay_ms = 20.0f;
	p->damping = 0.5f;
	p->size = 0.5f;
	p->mix = 0.25f;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t s = 16;

	while (s < n)
		s <<= 1;
	return s;
}

int foh_reverb_init(struct foh_reverb *s, uint32_t rate)
{
	struct foh_reverb_params p;
	uint32_t size;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	/* one size (the longest line's) for all: one mask in the loop */
	size = pow2_at_least(foh_dsp_ms_to_frames(base_ms[FOH_REVERB_LINES - 1] * MAX_SCALE,
				s->rate) + 4);
	for (int i = 0; i < FOH_REVERB_LINES; i++) {
		s->line[i].mask = size - 1;
		if ((s->line[i].buf = calloc(size, sizeof(float))) == NULL)
			goto error;
	}
	for (int i = 0; i < FOH_REVERB_DIFFUSERS; i++) {
		s->ap_len[i] = (uint32_t)(ap_frames[i] * (float)s->rate / 29761.0f + 0.5f);
		if ((s->ap[i] = calloc(s->ap_len[i], sizeof(float))) == NULL)
			goto error;
	}
	size = pow2_at_least(foh_dsp_ms_to_frames(FOH_REVERB_MAX_PREDELAY_MS, s->rate) + 4);
	s->pre_mask = size - 1;
	if ((s->pre = calloc(size, sizeof(float))) == NULL)
		goto error;
	s->xfade_len = foh_dsp_ms_to_frames(30.0f, s->rate);
	foh_reverb_default_params(&p);
	foh_reverb_set(s, &p);
	s->primed = false;
	return 0;
error:
	foh_reverb_free(s);
	return -ENOMEM;
}

void foh_reverb_free(struct foh_reverb *s)
{
	for (int i = 0; i < FOH_REVERB_LINES; i++) {
		free(s->line[i].buf);
		s->line[i].buf = NULL;
	}
	for (int i = 0; i < FOH_REVERB_DIFFUSERS; i++) {
		free(s->ap[i]);
		s->ap[i] = NULL;
	}
	free(s->pre);
	s->pre = NULL;
}

void foh_reverb_set(struct foh_reverb *s, const struct foh_reverb_params *p)
{
	uint32_t ramp = s->primed ? foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate) : 0;
	float rt60 = p->decay_s == p->decay_s ? foh_dsp_clampf(p->decay_s, 0.2f, 10.0f) : 1.0f;
	float damp = p->damping == p->damping ? foh_dsp_clampf(p->damping, 0.0f, 1.0f) : 0.0f;
	float size = p->size == p->size ? foh_dsp_clampf(p->size, 0.0f, 1.0f) : 0.5f;
	float pre = p->predelay_ms == p->predelay_ms ?
		foh_dsp_clampf(p->predelay_ms, 0.0f, FOH_REVERB_MAX_PREDELAY_MS) : 0.0f;
	float mix = p->mix == p->mix ? foh_dsp_clampf(p->mix, 0.0f, 1.0f) : 0.0f;
	float scale = 0.4f + (MAX_SCALE - 0.4f) * size;
	double a = 1.0 - 0.8 * (double)damp;
	uint32_t pre_frames = foh_dsp_ms_to_frames(pre, s->rate);

	for (int i = 0; i < FOH_REVERB_LINES; i++) {
		struct foh_reverb_line *l = &s->line[i];
		float len = floorf(base_ms[i] * scale * (float)s->rate / 1000.0f + 0.5f);
		double g = pow(10.0, -3.0 * (double)len / ((double)rt60 * (double)s->rate));
		/* Nyquist gain g^(1/a) exactly: (1 - b)/(1 + b) = g^(1/a - 1) */
		double q = pow(g, 1.0 / a - 1.0);
		double b = (1.0 - q) / (1.0 + q);

		if (len > (float)(l->mask - 2))
			len = (float)(l->mask - 2);
		l->target = len;
		if (ramp == 0) {
			l->len = len;
			l->g = (float)g;
			l->b = (float)b;
			l->g_step = l->b_step = 0.0f;
		} else {
			l->g_step = ((float)g - l->g) / (float)ramp;
			l->b_step = ((float)b - l->b) / (float)ramp;
		}
	}
	s->ramp_left = ramp;
	if (!s->primed)
		s->pre_tap = s->pre_next = pre_frames;
	s->pre_pending = pre_frames;
	foh_ramp_to(&s->mix, mix, ramp);
	s->primed = true;
}

void foh_reverb_reset(struct foh_reverb *s)
{
	for (int i = 0; i < FOH_REVERB_LINES; i++) {
		struct foh_reverb_line *l = &s->line[i];
		if (l->buf != NULL)
			memset(l->buf, 0, (l->mask + 1) * sizeof(float));
		l->z = 0.0f;
		l->len = l->target;
		l->g += l->g_step * (float)s->ramp_left;
		l->b += l->b_step * (float)s->ramp_left;
	}
	s->ramp_left = 0;
	for (int i = 0; i < FOH_REVERB_DIFFUSERS; i++)
		if (s->ap[i] != NULL)
			memset(s->ap[i], 0, s->ap_len[i] * sizeof(float));
	if (s->pre != NULL)
		memset(s->pre, 0, (s->pre_mask + 1) * sizeof(float));
	s->pre_tap = s->pre_next = s->pre_pending;
	s->xfade_left = 0;
	foh_ramp_jump(&s->mix, s->mix.target);
}

/* In-place 8-point fast Walsh–Hadamard transform, scaled by 1/sqrt(8);
 * written out (-O2 leaves the loop form rolled). */
static inline void hadamard8(float *v)
{
	const float k = 0.35355339059327373f;
	float a0 = v[0] + v[1], a1 = v[0] - v[1], a2 = v[2] + v[3], a3 = v[2] - v[3];
	float a4 = v[4] + v[5], a5 = v[4] - v[5], a6 = v[6] + v[7], a7 = v[6] - v[7];
	float b0 = a0 + a2, b1 = a1 + a3, b2 = a0 - a2, b3 = a1 - a3;
	float b4 = a4 + a6, b5 = a5 + a7, b6 = a4 - a6, b7 = a5 - a7;

	v[0] = k * (b0 + b4);
	v[1] = k * (b1 + b5);
	v[2] = k * (b2 + b6);
	v[3] = k * (b3 + b7);
	v[4] = k * (b0 - b4);
	v[5] = k * (b1 - b5);
	v[6] = k * (b2 - b6);
	v[7] = k * (b3 - b7);
}

static float predelay(struct foh_reverb *s, float x)
{
	const uint32_t mask = s->pre_mask;
	uint32_t pos = s->pre_pos;
	float y;

	s->pre[pos] = x;
	if (s->xfade_left == 0 && s->pre_pending != s->pre_tap) {
		s->pre_next = s->pre_pending;
		s->xfade_left = s->xfade_len;
	}
	y = s->pre[(pos - s->pre_tap) & mask];
	if (s->xfade_left > 0) {
		float k = 1.0f - (float)s->xfade_left / (float)s->xfade_len;
		y += k * (s->pre[(pos - s->pre_next) & mask] - y);
		if (--s->xfade_left == 0)
			s->pre_tap = s->pre_next;
	}
	s->pre_pos = (pos + 1) & mask;
	return y;
}

static inline float diffuse(struct foh_reverb *s, float x)
{
	for (int i = 0; i < FOH_REVERB_DIFFUSERS; i++) {
		float *buf = s->ap[i];
		uint32_t p = s->ap_pos[i];
		float d = buf[p], g = ap_gain[i];
		float w = x + g * d + FOH_DSP_BIAS;

		buf[p] = w;
		x = d - g * w;
		s->ap_pos[i] = p + 1 == s->ap_len[i] ? 0 : p + 1;
	}
	return x;
}

/* Reads line l at its (possibly fractional, gliding) length. */
static inline float line_read(struct foh_reverb_line *l, uint32_t pos)
{
	float d = l->len;
	uint32_t di = (uint32_t)d;
	float f = d - (float)di;
	float a = l->buf[(pos - di) & l->mask];

	if (f == 0.0f)
		return a;
	return a + f * (l->buf[(pos - di - 1) & l->mask] - a);
}

/* projects equally onto both output rows */
static const float sign_in[FOH_REVERB_LINES] = { 1, 1, 1, -1, 1, -1, -1, -1 };

static bool steady(const struct foh_reverb *s)
{
	if (s->ramp_left > 0)
		return false;
	for (int k = 0; k < FOH_REVERB_LINES; k++)
		if (s->line[k].len != s->line[k].target)
			return false;
	return true;
}

/* Pre-delay and input diffusion of a block, in place: each stage in a
 * loop of its own with its state in locals (the build has
 * -fno-strict-aliasing, so state read through s would be reloaded after
 * every store into a ring). */
static void input_block(struct foh_reverb *s, float *x, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		x[i] = predelay(s, x[i]);
	for (int k = 0; k < FOH_REVERB_DIFFUSERS; k++) {
		float *buf = s->ap[k];
		const float g = ap_gain[k];
		const uint32_t len = s->ap_len[k];
		uint32_t p = s->ap_pos[k];

		for (uint32_t i = 0; i < n; i++) {
			float d = buf[p];
			float w = x[i] + g * d + FOH_DSP_BIAS;
			buf[p] = w;
			x[i] = d - g * w;
			p = p + 1 == len ? 0 : p + 1;
		}
		s->ap_pos[k] = p;
	}
}

/* Four lanes of the network at once (GCC/clang vector extensions: SSE on
 * x86-64, NEON on arm64, plain code elsewhere). */
typedef float v4f __attribute__((vector_size(16)));
typedef int v4i __attribute__((vector_size(16)));

/* 4-point Walsh–Hadamard transform (unscaled) in two butterflies. */
static inline v4f wht4(v4f a)
{
	const v4f s1 = { 1.0f, -1.0f, 1.0f, -1.0f }, s2 = { 1.0f, 1.0f, -1.0f, -1.0f };
	v4f p = __builtin_shuffle(a, (v4i){ 1, 0, 3, 2 });

	a = a * s1 + p;
	p = __builtin_shuffle(a, (v4i){ 2, 3, 0, 1 });
	return a * s2 + p;
}

/* The common case: no ramp, no glide, integer lengths (the targets are
 * whole frames). The same network as the general loop below, on locals
 * and in two four-lane vectors: lines 0–3 and 4–7. The 8-point transform
 * is two 4-point ones and a last butterfly, and the two output rows
 * (rows 1 and 2 of the unscaled transform) fall out of its sum. */
static void run_steady(struct foh_reverb *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	const float k8 = 0.35355339059327373f;
	const v4f sin_a = { 1, 1, 1, -1 }, sin_b = { 1, -1, -1, -1 };
	float *buf[FOH_REVERB_LINES], x[CHUNK];
	uint32_t d[FOH_REVERB_LINES];
	v4f ga_a, ga_b, b_a, b_b, z_a, z_b;
	const uint32_t mask = s->line[0].mask;
	uint32_t pos = s->pos;
	struct foh_ramp mix = s->mix;

	for (int k = 0; k < FOH_REVERB_LINES; k++) {
		buf[k] = s->line[k].buf;
		d[k] = (uint32_t)s->line[k].len;
	}
	for (int k = 0; k < 4; k++) {
		ga_a[k] = s->line[k].g * (1.0f - s->line[k].b);
		ga_b[k] = s->line[k + 4].g * (1.0f - s->line[k + 4].b);
		b_a[k] = s->line[k].b;
		b_b[k] = s->line[k + 4].b;
		z_a[k] = s->line[k].z;
		z_b[k] = s->line[k + 4].z;
	}
	for (uint32_t done = 0; done < n; ) {
		uint32_t m = n - done < CHUNK ? n - done : CHUNK;
		const float *il = inl + done, *ir = inr + done;
		float *ol = outl + done, *or_ = outr + done;

		for (uint32_t i = 0; i < m; i++)
			x[i] = 0.5f * (il[i] + ir[i]);
		input_block(s, x, m);
		for (uint32_t i = 0; i < m; i++) {
			float l = il[i], r = ir[i], wl, wr;
			float mx = foh_ramp_tick(&mix);
			v4f ya = { buf[0][(pos - d[0]) & mask], buf[1][(pos - d[1]) & mask],
				   buf[2][(pos - d[2]) & mask], buf[3][(pos - d[3]) & mask] };
			v4f yb = { buf[4][(pos - d[4]) & mask], buf[5][(pos - d[5]) & mask],
				   buf[6][(pos - d[6]) & mask], buf[7][(pos - d[7]) & mask] };
			v4f ha, hb, sum, dif, xi = x[i] + (v4f){ 0, 0, 0, 0 };
			const uint32_t w = pos & mask;

			/* Jot: H(z) = g (1 - b) / (1 - b z^-1), per line */
			z_a = ga_a * ya + b_a * z_a;
			z_b = ga_b * yb + b_b * z_b;
			ha = wht4(z_a);
			hb = wht4(z_b);
			sum = ha + hb;
			dif = ha - hb;
			wl = OUT_GAIN * sum[1];
			wr = OUT_GAIN * sum[2];
			sum = k8 * sum + sin_a * xi + FOH_DSP_BIAS;
			dif = k8 * dif + sin_b * xi + FOH_DSP_BIAS;
			buf[0][w] = sum[0];
			buf[1][w] = sum[1];
			buf[2][w] = sum[2];
			buf[3][w] = sum[3];
			buf[4][w] = dif[0];
			buf[5][w] = dif[1];
			buf[6][w] = dif[2];
			buf[7][w] = dif[3];
			ol[i] = l + mx * (wl - l);
			or_[i] = r + mx * (wr - r);
			pos++;
		}
		done += m;
	}
	for (int k = 0; k < 4; k++) {
		s->line[k].z = z_a[k];
		s->line[k + 4].z = z_b[k];
	}
	s->mix = mix;
	s->pos = pos;
}

void foh_reverb_run(struct foh_reverb *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	uint32_t pos = s->pos;

	if (s->pre == NULL)
		return;
	if (steady(s)) {
		run_steady(s, inl, inr, outl, outr, n);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		float l = inl[i], r = inr[i];
		float x = diffuse(s, predelay(s, 0.5f * (l + r)));
		float v[FOH_REVERB_LINES], wl, wr, mix = foh_ramp_tick(&s->mix);
		bool ramp = s->ramp_left > 0;

		for (int k = 0; k < FOH_REVERB_LINES; k++) {
			struct foh_reverb_line *ln = &s->line[k];
			float y = line_read(ln, pos);
			if (ramp) {
				ln->g += ln->g_step;
				ln->b += ln->b_step;
			}
			/* Jot: H(z) = g (1 - b) / (1 - b z^-1) */
			ln->z = ln->g * (1.0f - ln->b) * y + ln->b * ln->z;
			v[k] = ln->z;
			if (ln->len != ln->target) {
				float d = ln->target - ln->len;
				ln->len += d > GLIDE ? GLIDE : (d < -GLIDE ? -GLIDE : d);
			}
		}
		if (ramp)
			s->ramp_left--;
		/* two Hadamard rows other than the first: orthogonal outputs */
		wl = OUT_GAIN * (v[0] - v[1] + v[2] - v[3] + v[4] - v[5] + v[6] - v[7]);
		wr = OUT_GAIN * (v[0] + v[1] - v[2] - v[3] + v[4] + v[5] - v[6] - v[7]);
		hadamard8(v);
		for (int k = 0; k < FOH_REVERB_LINES; k++)
			s->line[k].buf[pos & s->line[k].mask] =
				v[k] + sign_in[k] * x + FOH_DSP_BIAS;
		outl[i] = l + mix * (wl - l);
		outr[i] = r + mix * (wr - r);
		pos++;
	}
	s->pos = pos;
}
