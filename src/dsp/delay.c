/* Stereo feedback delay with crossfaded time changes; see delay.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "delay.h"

void foh_delay_default_params(struct foh_delay_params *p)
{
	p->time_ms = 250.0f;
	p->feedback = 0.3f;
	p->mix = 0.3f;
	p->highcut_hz = 8000.0f;
	p->pingpong = false;
}

static uint32_t time_frames(const struct foh_delay *s, float ms)
{
	uint32_t t;

	if (!(ms >= 1.0f))
		ms = 1.0f;
	if (ms > FOH_DELAY_MAX_MS)
		ms = FOH_DELAY_MAX_MS;
	t = foh_dsp_ms_to_frames(ms, s->rate);
	return t < 1 ? 1 : (t > s->size - 1 ? s->size - 1 : t);
}

int foh_delay_init(struct foh_delay *s, uint32_t rate)
{
	struct foh_delay_params p;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	s->size = foh_dsp_ms_to_frames(FOH_DELAY_MAX_MS, s->rate) + 2;
	for (int c = 0; c < 2; c++) {
		s->ring[c] = calloc(s->size, sizeof(float));
		if (s->ring[c] == NULL) {
			foh_delay_free(s);
			return -ENOMEM;
		}
	}
	s->xfade_len = foh_dsp_ms_to_frames(FOH_DELAY_XFADE_MS, s->rate);
	foh_delay_default_params(&p);
	foh_delay_set(s, &p);
	s->primed = false;
	return 0;
}

void foh_delay_free(struct foh_delay *s)
{
	for (int c = 0; c < 2; c++) {
		free(s->ring[c]);
		s->ring[c] = NULL;
	}
}

void foh_delay_set(struct foh_delay *s, const struct foh_delay_params *p)
{
	uint32_t ramp = s->primed ? foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate) : 0;
	uint32_t t = time_frames(s, p->time_ms);
	float fb = p->feedback == p->feedback ? foh_dsp_clampf(p->feedback, 0.0f, 0.95f) : 0.0f;
	float mix = p->mix == p->mix ? foh_dsp_clampf(p->mix, 0.0f, 1.0f) : 0.0f;

	if (!s->primed) {
		s->tap = s->tap_next = s->tap_pending = t;
		s->xfade_left = 0;
	} else {
		s->tap_pending = t;
	}
	s->primed = true;
	foh_ramp_to(&s->fb, fb, ramp);
	foh_ramp_to(&s->mix, mix, ramp);
	foh_ramp_to(&s->cross, p->pingpong ? 1.0f : 0.0f, ramp);
	if (p->highcut_hz > 0.0f && p->highcut_hz < 0.45f * (float)s->rate)
		s->lp_a = expf(-2.0f * (float)M_PI * p->highcut_hz / (float)s->rate);
	else
		s->lp_a = 0.0f;
}

void foh_delay_reset(struct foh_delay *s)
{
	for (int c = 0; c < 2; c++)
		if (s->ring[c] != NULL)
			memset(s->ring[c], 0, s->size * sizeof(float));
	s->lp[0] = s->lp[1] = 0.0f;
	s->tap = s->tap_next = s->tap_pending;
	s->xfade_left = 0;
	foh_ramp_jump(&s->fb, s->fb.target);
	foh_ramp_jump(&s->mix, s->mix.target);
	foh_ramp_jump(&s->cross, s->cross.target);
}

static inline uint32_t back(uint32_t pos, uint32_t d, uint32_t size)
{
	return pos >= d ? pos - d : pos + size - d;
}

void foh_delay_run(struct foh_delay *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	float *rl = s->ring[0], *rr = s->ring[1];
	const uint32_t size = s->size;
	const float a = s->lp_a;
	uint32_t pos = s->pos;
	float lpl = s->lp[0], lpr = s->lp[1];

	if (rl == NULL)
		return;
	for (uint32_t i = 0; i < n; i++) {
		float fb = foh_ramp_tick(&s->fb), mix = foh_ramp_tick(&s->mix);
		float x = foh_ramp_tick(&s->cross);
		float dl, dr;

		if (s->xfade_left == 0 && s->tap_pending != s->tap) {
			s->tap_next = s->tap_pending;
			s->xfade_left = s->xfade_len;
		}
		dl = rl[back(pos, s->tap, size)];
		dr = rr[back(pos, s->tap, size)];
		if (s->xfade_left > 0) {
			float k = 1.0f - (float)s->xfade_left / (float)s->xfade_len;
			float nl = rl[back(pos, s->tap_next, size)];
			float nr = rr[back(pos, s->tap_next, size)];
			dl += k * (nl - dl);
			dr += k * (nr - dr);
			if (--s->xfade_left == 0)
				s->tap = s->tap_next;
		}
		/* high-cut in the loop: y += (1 - a)(x - y) */
		lpl = dl + a * (lpl - dl) + FOH_DSP_BIAS;
		lpr = dr + a * (lpr - dr) + FOH_DSP_BIAS;
		{
			float l = inl[i], r = inr[i];
			float sl = fb * ((1.0f - x) * lpl + x * lpr);
			float sr = fb * ((1.0f - x) * lpr + x * lpl);
			/* ping-pong: the mono sum goes into the left line only */
			float il = (1.0f - x) * l + x * 0.5f * (l + r);
			float ir = (1.0f - x) * r;

			rl[pos] = il + sl;
			rr[pos] = ir + sr;
			outl[i] = l + mix * (dl - l);
			outr[i] = r + mix * (dr - r);
		}
		pos = pos + 1 == size ? 0 : pos + 1;
	}
	s->pos = pos;
	s->lp[0] = lpl;
	s->lp[1] = lpr;
}
