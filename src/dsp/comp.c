/* Compressor: detector, soft-knee gain computer, log-domain smoothing. */
#include <math.h>
#include <string.h>

#include "comp.h"

#define CHUNK		32u
#define DB_PER_LOG2	6.020599913279624f	/* 20 log10(2) */
#define RED_FLUSH	1e-6f			/* dB; below this is no reduction */

/* The curve as used inside a chunk. */
struct curve {
	float thr;
	float knee;
	float slope;		/* 1 - 1/ratio */
	float start;		/* detector value (linear, power for RMS) where the knee starts */
};

void foh_comp_default_params(struct foh_comp_params *p)
{
	p->threshold_db = -20.0f;
	p->ratio = 2.0f;
	p->knee_db = 6.0f;
	p->attack_ms = 10.0f;
	p->release_ms = 100.0f;
	p->makeup_db = 0.0f;
	p->detect = FOH_COMP_RMS;
	p->rms_ms = 10.0f;
}

void foh_comp_sanitize(struct foh_comp_params *p)
{
	p->threshold_db = foh_dsp_clampf(p->threshold_db, -80.0f, 0.0f);
	p->ratio = foh_dsp_clampf(p->ratio, 1.0f, 100.0f);
	p->knee_db = foh_dsp_clampf(p->knee_db, 0.0f, 24.0f);
	p->attack_ms = foh_dsp_clampf(p->attack_ms, 0.05f, 1000.0f);
	p->release_ms = foh_dsp_clampf(p->release_ms, 1.0f, 5000.0f);
	p->makeup_db = foh_dsp_clampf(p->makeup_db, -24.0f, 48.0f);
	p->rms_ms = foh_dsp_clampf(p->rms_ms, 0.1f, 1000.0f);
	if (p->detect != FOH_COMP_PEAK)
		p->detect = FOH_COMP_RMS;
}

/* x - y of the soft-knee curve, >= 0. */
static inline float reduction(float x, float thr, float knee, float slope)
{
	float over = x - thr;

	if (2.0f * over <= -knee)
		return 0.0f;
	if (2.0f * over >= knee)
		return slope * over;
	float t = over + 0.5f * knee;
	return slope * t * t / (2.0f * knee);
}

float foh_comp_static_gain_db(const struct foh_comp_params *params, float in_db)
{
	struct foh_comp_params p = *params;

	foh_comp_sanitize(&p);
	return p.makeup_db - reduction(in_db, p.threshold_db, p.knee_db,
			1.0f - 1.0f / p.ratio);
}

void foh_comp_init(struct foh_comp *s, uint32_t rate)
{
	struct foh_comp_params p;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	foh_comp_default_params(&p);
	foh_comp_set(s, &p);
	s->primed = false;
	foh_comp_reset(s);
}

void foh_comp_set(struct foh_comp *s, const struct foh_comp_params *params)
{
	struct foh_comp_params p = *params;
	uint32_t ramp = s->primed ? foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate) : 0;

	s->primed = true;
	foh_comp_sanitize(&p);
	foh_ramp_to(&s->thr, p.threshold_db, ramp);
	foh_ramp_to(&s->slope, 1.0f - 1.0f / p.ratio, ramp);
	foh_ramp_to(&s->knee, p.knee_db, ramp);
	foh_ramp_to(&s->makeup, p.makeup_db, ramp);
	s->detect = p.detect;
	s->att = foh_dsp_pole(p.attack_ms, s->rate);
	s->rel = foh_dsp_pole(p.release_ms, s->rate);
	s->rms_pole = foh_dsp_pole(p.rms_ms, s->rate);
}

void foh_comp_reset(struct foh_comp *s)
{
	foh_ramp_jump(&s->thr, s->thr.target);
	foh_ramp_jump(&s->slope, s->slope.target);
	foh_ramp_jump(&s->knee, s->knee.target);
	foh_ramp_jump(&s->makeup, s->makeup.target);
	s->grid = 0;
	s->ms = 0.0f;
	s->red = 0.0f;
	s->red_max = 0.0f;
}

static void curve_now(const struct foh_comp *s, struct curve *c)
{
	c->thr = s->thr.cur;
	c->knee = s->knee.cur;
	c->slope = s->slope.cur;
	c->start = foh_db_to_lin(c->thr - 0.5f * c->knee);
	if (s->detect == FOH_COMP_RMS)
		c->start *= c->start;
}

/* Detector value of one frame: peak magnitude or smoothed power. */
static inline float detect(float l, float r, bool rms, float pole, float *ms)
{
	if (!rms)
		return foh_maxf(fabsf(l), fabsf(r));
	float p = foh_maxf(l * l, r * r) + FOH_DSP_BIAS;
	/* as p + pole (ms - p), but one multiply-add on the loop-carried
	 * chain instead of a subtract, a multiply and an add */
	*ms = (1.0f - pole) * p + pole * *ms;
	return *ms;
}

/* The detector over n <= CHUNK frames into d; the largest value. */
static float detect_chunk(struct foh_comp *s, const float *inl, const float *inr,
		float *d, uint32_t n)
{
	const bool rms = s->detect == FOH_COMP_RMS;
	const float pole = s->rms_pole;
	float ms = s->ms, top = 0.0f;

	for (uint32_t i = 0; i < n; i++) {
		d[i] = detect(inl[i], inr ? inr[i] : 0.0f, rms, pole, &ms);
		top = d[i] > top ? d[i] : top;
	}
	s->ms = ms;
	return top;
}

/* Below the knee with no reduction left and the makeup not moving, every
 * frame's gain is the makeup: the detector's values are all that is
 * needed. (A NaN detector value is not over the knee in chunk_gains
 * either.) */
static bool quiet_chunk(struct foh_comp *s, const struct curve *c, float top)
{
	if (s->red != 0.0f || s->makeup.left != 0 || s->per_frame || top > c->start)
		return false;
	s->quiet++;
	return true;
}

/* Linear gains for n <= CHUNK frames from their detector values d.
 * Makeup ramps per frame. */
static void chunk_gains(struct foh_comp *s, const struct curve *c,
		const float *d, float *g, uint32_t n)
{
	const float db_per_log2 = s->detect == FOH_COMP_RMS ? 0.5f * DB_PER_LOG2 : DB_PER_LOG2;
	const float att = s->att, rel = s->rel;
	bool steady_mk = s->makeup.left == 0;
	float mk_lin = foh_db_to_lin(s->makeup.cur);
	float red = s->red, red_max = s->red_max;

	for (uint32_t i = 0; i < n; i++) {
		float x = 0.0f;

		if (d[i] > c->start)
			x = reduction(log2f(d[i]) * db_per_log2, c->thr, c->knee,
					c->slope);
		red = x + (x > red ? att : rel) * (red - x);
		if (red < RED_FLUSH)
			red = 0.0f;
		red_max = foh_maxf(red_max, red);
		float mk = foh_ramp_tick(&s->makeup);
		if (red == 0.0f && steady_mk)
			g[i] = mk_lin;
		else
			g[i] = exp2f((mk - red) * (1.0f / DB_PER_LOG2));
	}
	s->red = red;
	s->red_max = red_max;
}

void foh_comp_run(struct foh_comp *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	bool stereo = inr != NULL && outr != NULL;
	float g[CHUNK], d[CHUNK];
	struct curve c;

	curve_now(s, &c);
	s->red_max = s->red;
	for (uint32_t done = 0; done < n; ) {
		uint32_t k = CHUNK - s->grid;
		k = n - done < k ? n - done : k;

		float top = detect_chunk(s, inl + done, stereo ? inr + done : NULL, d, k);
		if (quiet_chunk(s, &c, top)) {
			float mk = foh_db_to_lin(s->makeup.cur);
			for (uint32_t i = 0; i < k; i++)
				g[i] = mk;
		} else {
			chunk_gains(s, &c, d, g, k);
		}
		for (uint32_t i = 0; i < k; i++)
			outl[done + i] = inl[done + i] * g[i];
		if (stereo)
			for (uint32_t i = 0; i < k; i++)
				outr[done + i] = inr[done + i] * g[i];
		done += k;
		s->grid += k;
		if (s->grid < CHUNK)
			continue;
		s->grid = 0;
		if (s->thr.left || s->knee.left || s->slope.left) {
			foh_ramp_skip(&s->thr, CHUNK);
			foh_ramp_skip(&s->knee, CHUNK);
			foh_ramp_skip(&s->slope, CHUNK);
			curve_now(s, &c);
		}
	}
}

float foh_comp_reduction_db(const struct foh_comp *s)
{
	return s->red;
}

float foh_comp_max_reduction_db(const struct foh_comp *s)
{
	return s->red_max;
}
