/* The 3-band kill EQ: Linkwitz-Riley crossovers; see killeq.h. */
#include <math.h>
#include <string.h>

#include "dsp-util.h"
#include "killeq.h"

#define Q_BUTTERWORTH	0.70710678118654752

void foh_killeq_default_params(struct foh_killeq_params *p)
{
	memset(p, 0, sizeof(*p));
	p->low_hz = 250.0f;
	p->high_hz = 2500.0f;
}

float foh_killeq_db_to_gain(float db)
{
	if (!(db > FOH_KILLEQ_KILL_DB))
		return 0.0f;
	if (db > FOH_KILLEQ_MAX_DB)
		db = FOH_KILLEQ_MAX_DB;
	return expf(db * (float)FOH_DSP_LN10_20);
}

double foh_killeq_percent_to_db(double percent, double max_cut_db)
{
	if (!(percent > 0.0))
		return FOH_KILLEQ_KILL_DB;
	if (percent <= 50.0)
		return (percent / 50.0 - 1.0) * max_cut_db;
	if (percent >= 100.0)
		return FOH_KILLEQ_MAX_DB;
	return (percent - 50.0) / 50.0 * FOH_KILLEQ_MAX_DB;
}

static void design(struct foh_killeq_section *s, enum foh_biquad_type type, float hz, uint32_t rate)
{
	struct foh_biquad_params p = { .type = type, .freq = hz, .q = (float)Q_BUTTERWORTH };

	foh_biquad_design(&s->c, &p, rate);
}

static void design_all(struct foh_killeq *s)
{
	design(&s->low[0], FOH_BIQUAD_LOWPASS, s->low_hz, s->rate);
	design(&s->low[1], FOH_BIQUAD_LOWPASS, s->low_hz, s->rate);
	/* LR4 low + high at one crossover sum to this all-pass: the low band
	 * gets it so that all three bands share the same phase at the top. */
	design(&s->low[2], FOH_BIQUAD_ALLPASS, s->high_hz, s->rate);
	design(&s->rest[0], FOH_BIQUAD_HIGHPASS, s->low_hz, s->rate);
	design(&s->rest[1], FOH_BIQUAD_HIGHPASS, s->low_hz, s->rate);
	design(&s->mid[0], FOH_BIQUAD_LOWPASS, s->high_hz, s->rate);
	design(&s->mid[1], FOH_BIQUAD_LOWPASS, s->high_hz, s->rate);
	design(&s->high[0], FOH_BIQUAD_HIGHPASS, s->high_hz, s->rate);
	design(&s->high[1], FOH_BIQUAD_HIGHPASS, s->high_hz, s->rate);
}

void foh_killeq_init(struct foh_killeq *s, uint32_t rate)
{
	struct foh_killeq_params p;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	s->alpha = 1.0f - expf(-1000.0f / (FOH_KILLEQ_SMOOTH_MS * (float)s->rate));
	foh_killeq_default_params(&p);
	s->low_hz = p.low_hz;
	s->high_hz = p.high_hz;
	design_all(s);
	for (int b = 0; b < FOH_KILLEQ_BANDS; b++)
		s->gain[b] = s->target[b] = 1.0f;
}

void foh_killeq_set(struct foh_killeq *s, const struct foh_killeq_params *p)
{
	float lo = p->low_hz > 20.0f ? p->low_hz : 20.0f;
	float hi = p->high_hz > lo * 2.0f ? p->high_hz : lo * 2.0f;

	if (hi > 0.4f * (float)s->rate)
		hi = 0.4f * (float)s->rate;
	if (lo != s->low_hz || hi != s->high_hz) {
		s->low_hz = lo;
		s->high_hz = hi;
		design_all(s);
	}
	for (int b = 0; b < FOH_KILLEQ_BANDS; b++)
		s->target[b] = foh_killeq_db_to_gain(p->gain_db[b]);
}

void foh_killeq_reset(struct foh_killeq *s)
{
	struct foh_killeq_section *all[] = { &s->low[0], &s->low[1], &s->low[2], &s->rest[0],
		&s->rest[1], &s->mid[0], &s->mid[1], &s->high[0], &s->high[1] };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		memset(all[i]->z, 0, sizeof(all[i]->z));
	for (int b = 0; b < FOH_KILLEQ_BANDS; b++)
		s->gain[b] = s->target[b];
}

static inline double section(struct foh_killeq_section *s, int ch, double x)
{
	const struct foh_biquad_coefs *c = &s->c;
	double y = c->b0 * x + s->z[ch][0];

	s->z[ch][0] = c->b1 * x - c->a1 * y + s->z[ch][1];
	s->z[ch][1] = c->b2 * x - c->a2 * y;
	return y;
}

void foh_killeq_run(struct foh_killeq *s, float *lr, uint32_t n)
{
	float gl = s->gain[0], gm = s->gain[1], gh = s->gain[2];
	const float tl = s->target[0], tm = s->target[1], th = s->target[2], a = s->alpha;

	for (uint32_t i = 0; i < n; i++) {
		gl += a * (tl - gl);
		gm += a * (tm - gm);
		gh += a * (th - gh);
		for (int ch = 0; ch < 2; ch++) {
			double x = (double)lr[2 * i + ch] + FOH_DSP_BIAS;
			double lo = section(&s->low[2], ch, section(&s->low[1], ch,
					section(&s->low[0], ch, x)));
			double rest = section(&s->rest[1], ch, section(&s->rest[0], ch, x));
			double mid = section(&s->mid[1], ch, section(&s->mid[0], ch, rest));
			double hi = section(&s->high[1], ch, section(&s->high[0], ch, rest));
			lr[2 * i + ch] = (float)(gl * lo + gm * mid + gh * hi);
		}
	}
	/* land exactly on the target once within float resolution */
	s->gain[0] = fabsf(tl - gl) < 1e-6f ? tl : gl;
	s->gain[1] = fabsf(tm - gm) < 1e-6f ? tm : gm;
	s->gain[2] = fabsf(th - gh) < 1e-6f ? th : gh;
}
