/* Onsets per band (rise over a slow level, adaptive threshold, refractory
 * time) and tempo (leaky autocorrelation of the onset strength, comb
 * search, centroid refinement); see onset.h. */
#include <math.h>
#include <string.h>

#include "autoscale.h"
#include "dsp-util.h"
#include "onset.h"

#define FAST_TAU	0.010	/* s, mean-square envelope */
#define SLOW_TAU	0.050	/* s, reference level */
#define MEAN_TAU	2.0	/* s, mean rise for the adaptive threshold */
#define ODF_MEAN_TAU	1.0	/* s, onset strength baseline */
#define ACF_TAU		4.0	/* s, autocorrelation memory */
#define EVAL_SLOTS	25u	/* tempo update every 250 ms */
#define FORGET_S	5u	/* no onset for this long: tempo unknown */
#define CENTROID_HALF	8	/* slots */
#define MIN_CONFIDENCE	0.1f
#define HALVE_RATIO	0.75f
#define MAX_PERIODS	4

void foh_onset_default_params(struct foh_onset_params *p)
{
	p->threshold_db = 6.0f;
	p->sensitivity = 2.0f;
	p->refractory_s = 0.1f;
	p->gate_db = -70.0f;
	p->bpm_min = 60.0f;
	p->bpm_max = 200.0f;
}

static bool in_range(float v, float lo, float hi)
{
	return v >= lo && v <= hi;	/* false for NaN */
}

bool foh_onset_params_valid(const struct foh_onset_params *p, char *why,
		size_t len)
{
	if (!in_range(p->threshold_db, 1.0f, 40.0f))
		return foh_analysis_fail(why, len, "onset threshold %g dB is out "
				"of range [1, 40] dB", p->threshold_db);
	if (!in_range(p->sensitivity, 0.0f, 20.0f))
		return foh_analysis_fail(why, len, "onset sensitivity %g is out "
				"of range [0, 20]", p->sensitivity);
	if (!in_range(p->refractory_s, 0.02f, 1.0f))
		return foh_analysis_fail(why, len, "onset refractory time %g s is "
				"out of range [0.02, 1] s", p->refractory_s);
	if (!in_range(p->gate_db, -120.0f, -20.0f))
		return foh_analysis_fail(why, len, "onset gate %g dBFS is out of "
				"range [-120, -20] dBFS", p->gate_db);
	if (!in_range(p->bpm_min, 40.0f, 200.0f) ||
	    !in_range(p->bpm_max, p->bpm_min + 10.0f, 240.0f))
		return foh_analysis_fail(why, len, "tempo range [%g, %g] BPM is "
				"invalid; it must lie in [40, 240] BPM and span "
				"at least 10 BPM", p->bpm_min, p->bpm_max);
	return true;
}

void foh_onset_init(struct foh_onset *s, uint32_t rate)
{
	struct foh_onset_params p;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	foh_onset_default_params(&p);
	foh_onset_set(s, &p);
	foh_onset_reset(s);
}

void foh_onset_set(struct foh_onset *s, const struct foh_onset_params *p)
{
	const double slot_s = 1.0 / FOH_ONSET_SLOT_HZ;
	float lo = foh_dsp_clampf(p->bpm_min, 40.0f, 230.0f);
	float hi = foh_dsp_clampf(p->bpm_max, lo + 10.0f, 240.0f);

	s->p = *p;
	s->n_cand = (uint32_t)((hi - lo) * 2.0f) + 1;
	if (s->n_cand > FOH_ONSET_MAX_CAND)
		s->n_cand = FOH_ONSET_MAX_CAND;
	for (uint32_t i = 0; i < s->n_cand; i++) {
		double bpm = (double)lo + 0.5 * (double)i;
		double oct = log2(bpm / 120.0);
		s->cand_p[i] = (float)(60.0 * FOH_ONSET_SLOT_HZ / bpm);
		s->cand_w[i] = (float)exp(-0.5 * oct * oct);
	}
	s->a_odf = foh_onepole_alpha(slot_s, ODF_MEAN_TAU);
	s->leak = (float)exp(-slot_s / ACF_TAU);
	s->alpha_n = 0;
}

void foh_onset_reset(struct foh_onset *s)
{
	float gate = foh_db_to_lin(s->p.gate_db);

	s->frames = s->block_start = 0;
	for (int i = 0; i < FOH_ONSET_BANDS; i++) {
		struct foh_onset_band *b = &s->b[i];
		memset(b, 0, sizeof(*b));
		b->fast = gate * gate;
		b->slow_db = s->p.gate_db;
		b->armed = true;
	}
	s->slot = 0;
	s->slot_acc = s->odf_mean = 0.0f;
	memset(s->hist, 0, sizeof(s->hist));
	memset(s->acf, 0, sizeof(s->acf));
	s->next_eval = EVAL_SLOTS;
	s->last_onset = 0;
	s->any_onset = false;
	s->bpm = s->confidence = 0.0f;
}

/* One band, one block: returns its rise d (dB). */
static float band_step(struct foh_onset *s, struct foh_onset_band *b,
		float ms, float gate_pow, uint64_t refractory)
{
	float level, thr;

	/* below the gate only the gate is read: flooring the input there
	 * also keeps the envelope a normal float in silence */
	b->fast += s->a_fast * (foh_maxf(ms, gate_pow) - b->fast);
	level = 10.0f * log10f(foh_maxf(b->fast, gate_pow));
	b->d = foh_maxf(0.0f, level - b->slow_db);
	b->slow_db += s->a_slow * (level - b->slow_db);
	thr = foh_maxf(s->p.threshold_db, s->p.sensitivity * b->mean);
	b->mean += s->a_mean * (b->d - b->mean);
	if (b->mean < 1e-20f)
		b->mean = 0.0f;		/* no subnormals after long silence */

	b->flag = false;
	if (b->armed && b->d > thr &&
	    (!b->any || s->block_start - b->last >= refractory)) {
		b->flag = true;
		b->armed = false;
		b->any = true;
		b->last = s->block_start;
		s->last_onset = s->block_start;
		s->any_onset = true;
	} else if (!b->armed && b->d < 0.5f * thr) {
		b->armed = true;
	}
	return b->d;
}

/* Smoothed R interpolated at lag l (0 outside the table). */
static float lag_at(const float *r, float l)
{
	uint32_t i;
	float f;

	if (!(l >= 0.0f) || l >= (float)FOH_ONSET_MAX_LAG)
		return 0.0f;
	i = (uint32_t)l;
	f = l - (float)i;
	return r[i] + f * (r[i + 1] - r[i]);
}

static float comb(const float *r, float period)
{
	float acc = 0.0f;

	for (int k = 1; k <= MAX_PERIODS; k++)
		acc += lag_at(r, period * (float)k);
	return acc / (float)MAX_PERIODS;
}

/* Gaussian, sigma 1.5 slots, edges clamped. */
static void smooth_acf(const float *in, float *out)
{
	static const float g[9] = {
		0.0276f, 0.0663f, 0.1238f, 0.1801f, 0.2042f,
		0.1801f, 0.1238f, 0.0663f, 0.0276f,
	};
	const int n = FOH_ONSET_MAX_LAG + 1;

	for (int i = 0; i < n; i++) {
		float acc = 0.0f;
		for (int t = -4; t <= 4; t++) {
			int j = i + t < 0 ? 0 : (i + t >= n ? n - 1 : i + t);
			acc += g[t + 4] * in[j];
		}
		out[i] = acc;
	}
}

/* Centroid of r over [c - h, c + h] above its minimum there; -1 if flat. */
static float centroid(const float *r, float c)
{
	int lo = (int)lrintf(c) - CENTROID_HALF, hi = (int)lrintf(c) + CENTROID_HALF;
	float m = INFINITY, sw = 0.0f, sl = 0.0f;

	lo = lo < 1 ? 1 : lo;
	hi = hi > (int)FOH_ONSET_MAX_LAG ? (int)FOH_ONSET_MAX_LAG : hi;
	for (int l = lo; l <= hi; l++)
		m = foh_minf(m, r[l]);
	for (int l = lo; l <= hi; l++) {
		sw += r[l] - m;
		sl += (float)l * (r[l] - m);
	}
	return sw > 0.0f ? sl / sw : -1.0f;
}

/* Least-squares period through the peaks near k P, k = 1..4. */
static float refine(const float *r, float period)
{
	for (int it = 0; it < 2; it++) {
		float num = 0.0f, den = 0.0f;
		for (int k = 1; k <= MAX_PERIODS; k++) {
			float c = centroid(r, period * (float)k);
			if (c <= 0.0f || period * (float)k > (float)FOH_ONSET_MAX_LAG)
				continue;
			num += (float)k * c;
			den += (float)(k * k);
		}
		if (den > 0.0f)
			period = num / den;
	}
	return period;
}

static void estimate(struct foh_onset *s)
{
	const float *r = s->work;
	float best = -1.0f, period = 0.0f, score;
	float p_min = 60.0f * FOH_ONSET_SLOT_HZ / s->p.bpm_max;

	if (!(s->acf[0] > 1e-9f))
		return;
	smooth_acf(s->acf, s->work);
	for (uint32_t i = 0; i < s->n_cand; i++) {
		float sc = comb(r, s->cand_p[i]) * s->cand_w[i];
		if (sc > best) {
			best = sc;
			period = s->cand_p[i];
		}
	}
	while (0.5f * period >= p_min * 0.999f &&
	       comb(r, 0.5f * period) >= HALVE_RATIO * comb(r, period))
		period *= 0.5f;
	period = refine(r, period);
	score = comb(r, period) / s->acf[0];
	if (score >= MIN_CONFIDENCE && period > 0.0f) {
		s->bpm = 60.0f * FOH_ONSET_SLOT_HZ / period;
		s->confidence = score;
	}
}

static void close_slot(struct foh_onset *s)
{
	uint32_t idx = (uint32_t)(s->slot & (FOH_ONSET_HIST - 1));
	const float *h = s->hist + idx + FOH_ONSET_HIST;
	float x = s->slot_acc;

	s->slot_acc = 0.0f;
	s->odf_mean += s->a_odf * (x - s->odf_mean);
	x = foh_maxf(0.0f, x - s->odf_mean);
	if (s->odf_mean < 1e-20f)
		s->odf_mean = 0.0f;
	if (s->acf[0] < 1e-30f && x == 0.0f)	/* R(0) bounds every |R(l)| */
		memset(s->acf, 0, sizeof(s->acf));
	/* stored twice, so lag l of the newest slot is h[-l]: one run */
	s->hist[idx] = s->hist[idx + FOH_ONSET_HIST] = x;
	for (uint32_t l = 0; l <= FOH_ONSET_MAX_LAG; l++)
		s->acf[l] = s->leak * s->acf[l] + x * h[-(int32_t)l];
	if (++s->slot >= s->next_eval) {
		s->next_eval += EVAL_SLOTS;
		estimate(s);
	}
}

/* First frame of slot k (slots are 10 ms, rounded to frames). */
static uint64_t slot_start(const struct foh_onset *s, uint64_t k)
{
	return k * s->rate / FOH_ONSET_SLOT_HZ;
}

/* The block's onset strength d covers its n frames evenly; a slot gets
 * the mean of d over its frames. */
static void spread(struct foh_onset *s, float d, uint64_t t, uint32_t n)
{
	const uint64_t end = t + n;
	const float per_frame = d * (float)FOH_ONSET_SLOT_HZ / (float)s->rate;

	while (t < end) {
		uint64_t slot_end = slot_start(s, s->slot + 1);
		uint64_t e = end < slot_end ? end : slot_end;
		s->slot_acc += per_frame * (float)(e - t);
		t = e;
		if (t == slot_end)
			close_slot(s);
	}
}

void foh_onset_run(struct foh_onset *s, const float ms[FOH_ONSET_BANDS],
		uint32_t n)
{
	float gate = foh_db_to_lin(s->p.gate_db);
	uint64_t refractory = (uint64_t)((double)s->p.refractory_s * s->rate);
	float odf = 0.0f;

	if (n == 0)
		return;
	if (n != s->alpha_n) {
		double dt = (double)n / (double)s->rate;
		s->a_fast = foh_onepole_alpha(dt, FAST_TAU);
		s->a_slow = foh_onepole_alpha(dt, SLOW_TAU);
		s->a_mean = foh_onepole_alpha(dt, MEAN_TAU);
		s->alpha_n = n;
	}
	s->block_start = s->frames;
	for (int i = 0; i < FOH_ONSET_BANDS; i++)
		odf += band_step(s, &s->b[i], ms[i], gate * gate, refractory);
	s->frames += n;
	spread(s, odf, s->block_start, n);
	if (!s->any_onset ||
	    s->frames - s->last_onset > (uint64_t)FORGET_S * s->rate) {
		s->bpm = 0.0f;
		s->confidence = 0.0f;
	}
}

bool foh_onset_flag(const struct foh_onset *s, int b)
{
	return b >= 0 && b < FOH_ONSET_BANDS && s->b[b].flag;
}

double foh_onset_time(const struct foh_onset *s)
{
	return (double)s->block_start / (double)s->rate;
}

float foh_onset_bpm(const struct foh_onset *s)
{
	return s->bpm;
}
