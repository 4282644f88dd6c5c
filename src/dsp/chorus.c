/* Multi-voice stereo chorus; see chorus.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chorus.h"

void foh_chorus_default_params(struct foh_chorus_params *p)
{
	p->rate_hz = 0.8f;
	p->depth_ms = 3.0f;
	p->voices = 3;
	p->mix = 0.5f;
	p->spread = 1.0f;
}

int foh_chorus_init(struct foh_chorus *s, uint32_t rate)
{
	struct foh_chorus_params p;
	uint32_t need, size = 64;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	need = foh_dsp_ms_to_frames(FOH_CHORUS_BASE_MS + FOH_CHORUS_MAX_DEPTH_MS, s->rate) + 4;
	while (size < need)
		size <<= 1;
	s->mask = size - 1;
	for (int c = 0; c < 2; c++) {
		s->ring[c] = calloc(size, sizeof(float));
		if (s->ring[c] == NULL) {
			foh_chorus_free(s);
			return -ENOMEM;
		}
	}
	s->base = (float)s->rate * FOH_CHORUS_BASE_MS / 1000.0f;
	s->lc = 1.0;
	s->ls = 0.0;
	foh_chorus_default_params(&p);
	foh_chorus_set(s, &p);
	s->primed = false;
	return 0;
}

void foh_chorus_free(struct foh_chorus *s)
{
	for (int c = 0; c < 2; c++) {
		free(s->ring[c]);
		s->ring[c] = NULL;
	}
}

void foh_chorus_set(struct foh_chorus *s, const struct foh_chorus_params *p)
{
	uint32_t ramp = s->primed ? foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate) : 0;
	float hz = p->rate_hz == p->rate_hz ? foh_dsp_clampf(p->rate_hz, 0.05f, 5.0f) : 1.0f;
	float depth = p->depth_ms == p->depth_ms ?
		foh_dsp_clampf(p->depth_ms, 0.0f, FOH_CHORUS_MAX_DEPTH_MS) : 0.0f;
	uint32_t v = p->voices < 2 ? 2 : (p->voices > FOH_CHORUS_VOICES ? FOH_CHORUS_VOICES : p->voices);
	double w = 2.0 * M_PI * (double)hz / (double)s->rate;

	s->primed = true;
	s->rc = cos(w);
	s->rs = sin(w);
	foh_ramp_to(&s->depth, depth * (float)s->rate / 1000.0f, ramp);
	foh_ramp_to(&s->mix, p->mix == p->mix ? foh_dsp_clampf(p->mix, 0.0f, 1.0f) : 0.0f, ramp);
	foh_ramp_to(&s->spread, p->spread == p->spread ? foh_dsp_clampf(p->spread, 0.0f, 1.0f) : 1.0f,
			ramp);
	for (uint32_t k = 0; k < FOH_CHORUS_VOICES; k++)
		foh_ramp_to(&s->gain[k], k < v ? 1.0f / (float)v : 0.0f, ramp);
}

void foh_chorus_reset(struct foh_chorus *s)
{
	for (int c = 0; c < 2; c++)
		if (s->ring[c] != NULL)
			memset(s->ring[c], 0, (s->mask + 1) * sizeof(float));
	foh_ramp_jump(&s->depth, s->depth.target);
	foh_ramp_jump(&s->mix, s->mix.target);
	foh_ramp_jump(&s->spread, s->spread.target);
	for (uint32_t k = 0; k < FOH_CHORUS_VOICES; k++)
		foh_ramp_jump(&s->gain[k], s->gain[k].target);
}

/* The ring read d frames (fractional, >= 1) before pos. */
static inline float tap(const float *ring, uint32_t mask, uint32_t pos, float d)
{
	uint32_t di = (uint32_t)d;
	float f = d - (float)di;
	float a = ring[(pos - di) & mask], b = ring[(pos - di - 1) & mask];

	return a + f * (b - a);
}

void foh_chorus_run(struct foh_chorus *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	float *rl = s->ring[0], *rr = s->ring[1];
	const uint32_t mask = s->mask;
	uint32_t pos = s->pos;
	double c = s->lc, sn = s->ls;
	float ct = cosf((float)M_PI * s->spread.cur), st = sinf((float)M_PI * s->spread.cur);

	if (rl == NULL)
		return;
	for (uint32_t i = 0; i < n; i++) {
		float depth = 0.5f * foh_ramp_tick(&s->depth);
		float mix = foh_ramp_tick(&s->mix);
		if (s->spread.left > 0) {
			float th = (float)M_PI * foh_ramp_tick(&s->spread);
			ct = cosf(th);
			st = sinf(th);
		}
		/* sin(φ + k 90°) for k = 0..4 */
		float lfo[FOH_CHORUS_VOICES + 1] = { (float)sn, (float)c, -(float)sn, -(float)c, (float)sn };
		float wl = 0.0f, wr = 0.0f, l = inl[i], r = inr[i];
		double t;

		rl[pos] = l;
		rr[pos] = r;
		for (uint32_t k = 0; k < FOH_CHORUS_VOICES; k++) {
			float g = foh_ramp_tick(&s->gain[k]);
			float ll = lfo[k], lr = lfo[k] * ct + lfo[k + 1] * st;
			if (g == 0.0f)
				continue;
			wl += g * tap(rl, mask, pos, s->base + depth * (1.0f + ll));
			wr += g * tap(rr, mask, pos, s->base + depth * (1.0f + lr));
		}
		outl[i] = l + mix * (wl - l);
		outr[i] = r + mix * (wr - r);
		pos = (pos + 1) & mask;
		t = c * s->rc - sn * s->rs;
		sn = c * s->rs + sn * s->rc;
		c = t;
	}
	/* renormalise so rounding never lets the phasor grow or shrink */
	{
		double mag = sqrt(c * c + sn * sn);
		s->lc = c / mag;
		s->ls = sn / mag;
	}
	s->pos = pos;
}
