/* Stereo width by mid/side; see width.h. */
#include <string.h>

#include "width.h"

void foh_width_init(struct foh_width *s, uint32_t rate)
{
	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	foh_ramp_jump(&s->w, 1.0f);
}

void foh_width_set(struct foh_width *s, const struct foh_width_params *p)
{
	uint32_t ramp = s->primed ? foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate) : 0;
	float w = p->width == p->width ? foh_dsp_clampf(p->width, 0.0f, 2.0f) : 1.0f;

	s->primed = true;
	foh_ramp_to(&s->w, w, ramp);
}

void foh_width_reset(struct foh_width *s)
{
	foh_ramp_jump(&s->w, s->w.target);
}

void foh_width_run(struct foh_width *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	if (s->w.left == 0 && s->w.cur == 1.0f) {
		if (outl != inl)
			memmove(outl, inl, n * sizeof(float));
		if (outr != inr)
			memmove(outr, inr, n * sizeof(float));
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		float w = foh_ramp_tick(&s->w);
		float l = inl[i], r = inr[i];
		float sum = l + r;
		float m = 0.5f * sum, sd = 0.5f * (l - r);
		float ol = m + w * sd;

		if (w == 0.0f) {
			/* exactly mono: both sides the same value */
			outl[i] = outr[i] = m;
			continue;
		}
		outl[i] = ol;
		outr[i] = sum - ol;
	}
}
