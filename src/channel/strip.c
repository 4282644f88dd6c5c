/* The channel strip chain; see strip.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "channel/strip.h"

static void ramp_to(struct foh_strip_ramp *r, float target, float step)
{
	r->target = target;
	r->step = step;
}

/* Advances a linear ramp by n frames; returns the value at the start. */
static float ramp_advance(struct foh_strip_ramp *r, uint32_t n, float *end)
{
	float start = r->cur, d = r->target - r->cur, max = r->step * (float)n;

	if (fabsf(d) <= max)
		r->cur = r->target;
	else
		r->cur += d > 0 ? max : -max;
	*end = r->cur;
	return start;
}

void foh_strip_default_params(struct foh_strip_params *p)
{
	memset(p, 0, sizeof(*p));
	foh_gate_default_params(&p->gate);
	foh_comp_default_params(&p->comp);
	foh_eq_default_params(&p->eq);
	foh_limiter_default_params(&p->limiter);
	foh_chorus_default_params(&p->chorus);
	foh_delay_default_params(&p->delay);
	foh_reverb_default_params(&p->reverb);
	p->width.width = 1.0f;
	foh_leveler_default_params(&p->leveler);
	p->enabled[FOH_STAGE_COMP] = true;
	p->enabled[FOH_STAGE_WIDTH] = true;
	p->enabled[FOH_STAGE_LIMITER] = true;
}

void foh_strip_fx_free(struct foh_strip_fx *fx)
{
	if (fx == NULL)
		return;
	foh_chorus_free(&fx->chorus);
	foh_delay_free(&fx->delay);
	foh_reverb_free(&fx->reverb);
	foh_leveler_free(&fx->leveler);
	free(fx);
}

int foh_strip_fx_new(uint32_t rate, struct foh_strip_fx **out)
{
	struct foh_strip_fx *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -ENOMEM;
	fx->rate = rate;
	if (foh_chorus_init(&fx->chorus, rate) < 0 || foh_delay_init(&fx->delay, rate) < 0 ||
	    foh_reverb_init(&fx->reverb, rate) < 0 ||
	    foh_leveler_init(&fx->leveler, rate, 0.0f) < 0) {
		foh_strip_fx_free(fx);
		return -ENOMEM;
	}
	foh_width_init(&fx->width, rate);
	*out = fx;
	return 0;
}

void foh_strip_init(struct foh_strip *s, uint32_t rate, uint32_t channels,
		struct foh_strip_fx *fx)
{
	const struct foh_loudness_params no_tp = { .true_peak = false };

	memset(s, 0, sizeof(*s));
	s->rate = rate;
	s->fx = fx != NULL && fx->rate == rate ? fx : NULL;
	if (s->fx != NULL) {
		/* a reused fx may hold an old strip's tails and parameters */
		for (int i = 0; i < FOH_STAGE_COUNT; i++)
			s->fx->stale[i] = true;
		foh_width_init(&s->fx->width, rate);
		foh_leveler_reset(&s->fx->leveler);
	}
	s->channels = channels == 1 ? 1 : 2;
	s->out_channels = s->channels;
	foh_gate_init(&s->gate, rate);
	foh_comp_init(&s->comp, rate);
	foh_eq_init(&s->eq, rate);
	foh_limiter_init(&s->limiter, rate);
	foh_meter_init(&s->meter, rate);
	foh_loudness_init(&s->loudness, rate);
	foh_loudness_init(&s->loudness_in, rate);
	/* no channel reading is a true peak (the limiter has its own): the
	 * meters skip the 4x interpolation, about 10 ns a stereo frame each */
	foh_loudness_set(&s->loudness, &no_tp);
	foh_loudness_set(&s->loudness_in, &no_tp);
	s->fade_step = 1000.0f / (FOH_STRIP_FADE_MS * (float)rate);
	s->mute_step = 1000.0f / (FOH_STRIP_MUTE_MS * (float)rate);
	s->trim.cur = s->trim.target = 1.0f;
	s->mute.cur = s->mute.target = 1.0f;
	s->delay_len = foh_limiter_latency(&s->limiter);
}

void foh_strip_set_outputs(struct foh_strip *s, uint32_t outputs)
{
	s->out_channels = s->channels == 2 || outputs == 2 ? 2 : 1;
}

void foh_strip_set(struct foh_strip *s, const struct foh_strip_params *p)
{
	float trim = powf(10.0f, p->trim_db / 20.0f);

	foh_gate_set(&s->gate, &p->gate);
	foh_gate_force_open(&s->gate, p->gate_force_open);
	foh_comp_set(&s->comp, &p->comp);
	foh_eq_set(&s->eq, &p->eq);
	foh_limiter_set(&s->limiter, &p->limiter);
	if (s->fx != NULL) {
		foh_chorus_set(&s->fx->chorus, &p->chorus);
		foh_delay_set(&s->fx->delay, &p->delay);
		foh_reverb_set(&s->fx->reverb, &p->reverb);
		foh_width_set(&s->fx->width, &p->width);
		foh_leveler_set(&s->fx->leveler, &p->leveler);
		foh_leveler_set_active(&s->fx->leveler, p->enabled[FOH_STAGE_LEVELER],
				(uint32_t)(FOH_STRIP_FADE_MS * (float)s->rate / 1000.0f));
	}
	if (p->meter_input != s->meter_input) {
		/* a fresh reading, not one frozen when it was switched off */
		foh_loudness_reset(&s->loudness_in);
		s->meter_input = p->meter_input;
	}
	s->delay_len = foh_limiter_latency(&s->limiter);
	for (int i = 0; i < FOH_STAGE_COUNT; i++)
		ramp_to(&s->mix[i], p->enabled[i] ? 1.0f : 0.0f, s->fade_step);
	/* Trim moves at most 20 dB per FOH_STRIP_FADE_MS: fast, never a step. */
	ramp_to(&s->trim, trim, fabsf(trim - s->trim.cur) * s->fade_step + 1e-9f);
	ramp_to(&s->mute, p->mute ? 0.0f : 1.0f, s->mute_step);
}

void foh_strip_reset(struct foh_strip *s)
{
	foh_gate_reset(&s->gate);
	foh_comp_reset(&s->comp);
	foh_eq_reset(&s->eq);
	foh_limiter_reset(&s->limiter);
	foh_meter_reset(&s->meter);
	foh_loudness_reset(&s->loudness);
	foh_loudness_reset(&s->loudness_in);
	memset(s->delay, 0, sizeof(s->delay));
	if (s->fx != NULL) {
		for (int i = 0; i < FOH_STAGE_COUNT; i++)
			s->fx->stale[i] = true;
		foh_width_reset(&s->fx->width);
		foh_leveler_reset(&s->fx->leveler);
	}
	s->tone_left = 0;
}

/* out = dry + (wet - dry) * mix, with mix ramping from m0 to m1 over n. */
static void crossfade(float *wet, const float *dry, uint32_t n, float m0, float m1)
{
	float m = m0, dm = (m1 - m0) / (float)n;

	for (uint32_t i = 0; i < n; i++, m += dm)
		wet[i] = dry[i] + (wet[i] - dry[i]) * m;
}

static void apply_gain_ramp(float *const *buf, uint32_t chans, uint32_t n, float g0, float g1)
{
	float dg = (g1 - g0) / (float)n;

	for (uint32_t c = 0; c < chans; c++) {
		float g = g0;
		if (g0 == g1 && g0 == 1.0f)
			break;
		for (uint32_t i = 0; i < n; i++, g += dg)
			buf[c][i] *= g;
	}
}

/* Delays s->dry by the limiter's latency, in place, through a ring that
 * always runs so it is warm when a bypass fade starts. */
static void delay_dry(struct foh_strip *s, uint32_t chans, uint32_t n)
{
	uint32_t len = s->delay_len + 1, pos = s->delay_pos;

	if (len > FOH_LIMITER_RING)
		len = FOH_LIMITER_RING;
	if (pos >= len)
		pos = 0;
	for (uint32_t c = 0; c < chans; c++) {
		float *ring = s->delay[c], *x = s->dry[c];
		uint32_t p = pos;
		for (uint32_t i = 0; i < n; i++) {
			float v = x[i];
			ring[p] = v;
			/* the oldest sample sits right after the newest */
			p = p + 1 == len ? 0 : p + 1;
			x[i] = ring[p];
		}
		if (c + 1 == chans)
			pos = p;
	}
	s->delay_pos = pos;
}

/* What delay_dry leaves in the ring, without producing the delayed copy
 * nobody reads while the limiter is not fading: only the last len input
 * frames at their places. */
static void feed_dry(struct foh_strip *s, float *const *buf, uint32_t chans, uint32_t n)
{
	uint32_t len = s->delay_len + 1, pos = s->delay_pos;
	uint32_t from = 0;

	if (len > FOH_LIMITER_RING)
		len = FOH_LIMITER_RING;
	if (pos >= len)
		pos = 0;
	if (n > len) {
		from = n - len;
		pos = (uint32_t)(((uint64_t)pos + from) % len);
	}
	for (uint32_t c = 0; c < chans; c++) {
		float *ring = s->delay[c];
		const float *x = buf[c] + from;
		uint32_t k = n - from, first = len - pos < k ? len - pos : k;

		memcpy(ring + pos, x, first * sizeof(float));
		memcpy(ring, x + first, (k - first) * sizeof(float));
	}
	s->delay_pos = (uint32_t)(((uint64_t)pos + n - from) % len);
}

/* The gate, compressor or EQ on l, r in place. */
static void run_dynamics(struct foh_strip *s, int stage, float *l, float *r, uint32_t n)
{
	switch (stage) {
	case FOH_STAGE_GATE:
		foh_gate_run(&s->gate, l, r, l, r, n);
		break;
	case FOH_STAGE_COMP:
		foh_comp_run(&s->comp, l, r, l, r, n);
		break;
	case FOH_STAGE_EQ:
		foh_eq_run(&s->eq, l, r, l, r, n);
		break;
	}
}

/* A fully bypassed gate, compressor or EQ runs on a copy of its input, so
 * it is warm when it fades back in; its input passes unchanged. */
static void run_aside(struct foh_strip *s, int stage, float *const *buf, uint32_t chans,
		uint32_t n)
{
	for (uint32_t c = 0; c < chans; c++)
		memcpy(s->dry[c], buf[c], n * sizeof(float));
	run_dynamics(s, stage, s->dry[0], chans == 2 ? s->dry[1] : NULL, n);
}

static bool is_effect(int stage)
{
	return stage == FOH_STAGE_CHORUS || stage == FOH_STAGE_DELAY ||
		stage == FOH_STAGE_REVERB || stage == FOH_STAGE_WIDTH;
}

/* Runs an effect on l, r in place. A stage that was fully bypassed starts
 * from silence: its rings are cleared as it fades in (one memset, at the
 * toggle, not per cycle), so no stale tail comes back. */
static void run_effect(struct foh_strip_fx *fx, int stage, float *l, float *r, uint32_t n)
{
	if (fx->stale[stage]) {
		fx->stale[stage] = false;
		switch (stage) {
		case FOH_STAGE_CHORUS: foh_chorus_reset(&fx->chorus); break;
		case FOH_STAGE_DELAY: foh_delay_reset(&fx->delay); break;
		case FOH_STAGE_REVERB: foh_reverb_reset(&fx->reverb); break;
		default: break;
		}
	}
	switch (stage) {
	case FOH_STAGE_CHORUS:
		foh_chorus_run(&fx->chorus, l, r, l, r, n);
		break;
	case FOH_STAGE_DELAY:
		foh_delay_run(&fx->delay, l, r, l, r, n);
		break;
	case FOH_STAGE_REVERB:
		foh_reverb_run(&fx->reverb, l, r, l, r, n);
		break;
	case FOH_STAGE_WIDTH:
		foh_width_run(&fx->width, l, r, l, r, n);
		break;
	}
}

/* An effect stage: skipped while fully bypassed (and marked stale), else
 * run in stereo; a mono strip runs it on a copy and folds back. */
static void effect_stage(struct foh_strip *s, int stage, float *const *buf, uint32_t chans,
		uint32_t n, float m0, float m1)
{
	struct foh_strip_fx *fx = s->fx;

	if (fx == NULL || (m0 == 0.0f && m1 == 0.0f)) {
		if (fx != NULL)
			fx->stale[stage] = true;
		return;
	}
	if (chans == 2) {
		run_effect(fx, stage, buf[0], buf[1], n);
		return;
	}
	memcpy(fx->right, buf[0], n * sizeof(float));
	run_effect(fx, stage, buf[0], fx->right, n);
	for (uint32_t i = 0; i < n; i++)
		buf[0][i] = 0.5f * (buf[0][i] + fx->right[i]);
}

/* Runs one stage on buf in place, crossfading with its input when bypassed
 * or while toggling. */
static void run_stage(struct foh_strip *s, int stage, float *const *buf, uint32_t chans,
		uint32_t n)
{
	float *r = chans == 2 ? buf[1] : NULL;
	float m1, m0 = ramp_advance(&s->mix[stage], n, &m1);
	bool fading = m0 != m1 || m0 != 1.0f;

	if (stage == FOH_STAGE_LEVELER) {
		/* runs while on, fading or delaying (it fades itself); fully off
		 * with no look-ahead it costs nothing and starts cold when
		 * switched on again, not from a scene long gone */
		if (s->fx == NULL)
			return;
		if (foh_leveler_idle(&s->fx->leveler)) {
			s->fx->stale[stage] = true;
			return;
		}
		if (s->fx->stale[stage]) {
			s->fx->stale[stage] = false;
			foh_leveler_reset(&s->fx->leveler);
		}
		foh_leveler_run(&s->fx->leveler, buf[0], r, buf[0], r, n);
		return;
	}
	if (is_effect(stage)) {
		if (m0 == 0.0f && m1 == 0.0f) {
			effect_stage(s, stage, buf, chans, n, m0, m1);
			return;
		}
		fading = fading && s->fx != NULL;
	}

	if (stage == FOH_STAGE_LIMITER && !fading) {
		feed_dry(s, buf, chans, n);
		foh_limiter_run(&s->limiter, buf[0], r, buf[0], r, n);
		return;
	}
	/* (a fully bypassed effect has returned above) */
	if (m0 == 0.0f && m1 == 0.0f && stage != FOH_STAGE_LIMITER) {
		run_aside(s, stage, buf, chans, n);
		return;
	}
	if (fading || stage == FOH_STAGE_LIMITER)
		for (uint32_t c = 0; c < chans; c++)
			memcpy(s->dry[c], buf[c], n * sizeof(float));
	switch (stage) {
	case FOH_STAGE_GATE:
	case FOH_STAGE_COMP:
	case FOH_STAGE_EQ:
		run_dynamics(s, stage, buf[0], r, n);
		break;
	case FOH_STAGE_LIMITER:
		foh_limiter_run(&s->limiter, buf[0], r, buf[0], r, n);
		delay_dry(s, chans, n);
		break;
	default:
		effect_stage(s, stage, buf, chans, n, m0, m1);
		break;
	}
	if (!fading)
		return;
	for (uint32_t c = 0; c < chans; c++)
		crossfade(buf[c], s->dry[c], n, m0, m1);
}

static void add_tone(struct foh_strip *s, float *const *buf, uint32_t n)
{
	double re = s->tone_re, im = s->tone_im, c = s->tone_c, sn = s->tone_s;
	uint32_t len = s->tone_left < n ? (uint32_t)s->tone_left : n;

	for (uint32_t i = 0; i < len; i++) {
		double t = re * c - im * sn;
		im = re * sn + im * c;
		re = t;
		for (uint32_t ch = 0; ch < s->out_channels; ch++)
			buf[ch][i] += s->tone_gain * (float)im;
	}
	/* renormalise the phasor so rounding never lets it grow or shrink */
	{
		double mag = sqrt(re * re + im * im);
		s->tone_re = re / mag;
		s->tone_im = im / mag;
	}
	s->tone_left -= len;
}

static void run_chunk(struct foh_strip *s, float *const *buf, uint32_t n)
{
	float *r = s->channels == 2 ? buf[1] : NULL;
	float g1, g0 = ramp_advance(&s->trim, n, &g1);
	uint32_t chans = s->channels;
	float gr;

	for (uint32_t c = 0; c < s->channels; c++)
		s->nonfinite += foh_dsp_scrub(buf[c], n);
	/* the input meter, when on, runs with the output meter at the end,
	 * in one pass */
	if (s->meter_input)
		for (uint32_t c = 0; c < s->channels; c++)
			memcpy(s->in[c], buf[c], n * sizeof(float));
	apply_gain_ramp(buf, s->channels, n, g0, g1);
	for (int stage = 0; stage < FOH_STAGE_COUNT; stage++) {
		if (stage == FOH_STAGE_CHORUS && chans < s->out_channels) {
			/* a mono strip with a stereo output: both sides from here */
			memcpy(buf[1], buf[0], n * sizeof(float));
			chans = 2;
		}
		run_stage(s, stage, buf, chans, n);
	}
	r = chans == 2 ? buf[1] : NULL;
	if (s->tone_left > 0)
		add_tone(s, buf, n);
	gr = s->mix[FOH_STAGE_COMP].cur * foh_comp_max_reduction_db(&s->comp) +
		s->mix[FOH_STAGE_LIMITER].cur * foh_limiter_reduction_db(&s->limiter);
	foh_meter_push_gr(&s->meter, gr);
	if (gr > s->gr_db)
		s->gr_db = gr;
	foh_meter_run(&s->meter, buf[0], r, n);
	if (s->meter_input)
		foh_loudness_run_pair(&s->loudness_in, s->in[0],
				s->channels == 2 ? s->in[1] : NULL, &s->loudness, buf[0], r, n);
	else
		foh_loudness_run(&s->loudness, buf[0], r, n);
	g0 = ramp_advance(&s->mute, n, &g1);
	apply_gain_ramp(buf, chans, n, g0, g1);
}

void foh_strip_run(struct foh_strip *s, const float *const *in, float *const *out, uint32_t n)
{
	s->gr_db = 0.0f;
	for (uint32_t done = 0; done < n; ) {
		uint32_t len = n - done < FOH_STRIP_CHUNK ? n - done : FOH_STRIP_CHUNK;
		float *buf[2];
		for (uint32_t c = 0; c < s->channels; c++) {
			buf[c] = out[c] + done;
			if (in[c] != out[c])
				memcpy(buf[c], in[c] + done, len * sizeof(float));
		}
		if (s->out_channels > s->channels)
			buf[1] = out[1] + done;
		run_chunk(s, buf, len);
		done += len;
	}
}

void foh_strip_tone(struct foh_strip *s, double hz, double seconds, double level_dbfs)
{
	double w = 2.0 * M_PI * hz / (double)s->rate;

	s->tone_c = cos(w);
	s->tone_s = sin(w);
	s->tone_re = 1.0;
	s->tone_im = 0.0;
	s->tone_gain = (float)pow(10.0, level_dbfs / 20.0);
	s->tone_left = (uint64_t)(seconds * (double)s->rate);
}

uint32_t foh_strip_latency(const struct foh_strip *s)
{
	return foh_limiter_latency(&s->limiter) +
		(s->fx != NULL ? foh_leveler_latency(&s->fx->leveler) : 0);
}

void foh_strip_levels(const struct foh_strip *s, struct foh_strip_levels *l)
{
	int loud = 0;

	bool two = s->out_channels == 2;

	if (two && foh_meter_peak_db(&s->meter, 1) > foh_meter_peak_db(&s->meter, 0))
		loud = 1;
	l->peak_db = foh_meter_peak_db(&s->meter, loud);
	l->rms_db = fmaxf(foh_meter_rms_db(&s->meter, 0),
			two ? foh_meter_rms_db(&s->meter, 1) : -INFINITY);
	l->vu_db = fmaxf(foh_meter_vu_db(&s->meter, 0),
			two ? foh_meter_vu_db(&s->meter, 1) : -INFINITY);
	l->lufs_m = foh_loudness_momentary(&s->loudness);
	l->lufs_s = foh_loudness_short_term(&s->loudness);
	l->lufs_m_in = foh_loudness_momentary(&s->loudness_in);
	l->gr_db = foh_meter_gr_db(&s->meter);
	l->gate_open = foh_gate_is_open(&s->gate);
	l->leveler_gain_db = s->fx != NULL ? foh_leveler_gain_db(&s->fx->leveler) : 0.0f;
	l->leveler_state = s->fx != NULL ? (int)foh_leveler_state(&s->fx->leveler) : 0;
	l->nonfinite = s->nonfinite;
}
