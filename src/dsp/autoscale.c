/* Auto-scaler: noise budget, tilt, peak follower, tanh, dB baseline. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "autoscale.h"

bool foh_analysis_fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || len == 0)
		return false;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return false;
}

void foh_autoscale_default_params(struct foh_autoscale_params *p)
{
	p->attack_s = 0.255f;
	p->release_s = 30.0f;
	p->noise_floor = 3.2e-5f;
	p->strength = 0.7f;
	p->db_floor = -90.0f;
	p->db_ceiling = -10.0f;
	p->tilt_db_oct = 3.5f;
}

void foh_autoscale_default_geom(struct foh_autoscale_geom *g)
{
	g->window = 1024;
	g->n_bins = 128;
	g->f_min = 30.0f;
}

static bool in_range(float v, float lo, float hi)
{
	return v >= lo && v <= hi;	/* false for NaN */
}

bool foh_autoscale_params_valid(const struct foh_autoscale_params *p,
		char *why, size_t len)
{
	if (!in_range(p->attack_s, 0.001f, 1.0f))
		return foh_analysis_fail(why, len, "autoscale attack %g s is out "
				"of range [0.001, 1] s", p->attack_s);
	if (!in_range(p->release_s, 5.0f, 300.0f))
		return foh_analysis_fail(why, len, "autoscale release %g s is "
				"out of range [5, 300] s", p->release_s);
	if (!in_range(p->noise_floor, 0.0f, 0.1f))
		return foh_analysis_fail(why, len, "noise floor %g is out of "
				"range [0, 0.1] (linear RMS)", p->noise_floor);
	if (!in_range(p->strength, 0.0f, 1.0f))
		return foh_analysis_fail(why, len, "strength %g is out of range "
				"[0, 1]", p->strength);
	if (!in_range(p->db_floor, -200.0f, 0.0f) ||
	    !in_range(p->db_ceiling, p->db_floor + 1.0f, 20.0f))
		return foh_analysis_fail(why, len, "dB range [%g, %g] is invalid; "
				"the floor must be in [-200, 0] dB and the "
				"ceiling at least 1 dB above it and at most "
				"20 dB", p->db_floor, p->db_ceiling);
	if (!in_range(p->tilt_db_oct, -12.0f, 12.0f))
		return foh_analysis_fail(why, len, "tilt %g dB/octave is out of "
				"range [-12, 12]", p->tilt_db_oct);
	return true;
}

bool foh_autoscale_geom_valid(const struct foh_autoscale_geom *g,
		uint32_t rate, char *why, size_t len)
{
	double nyq = 0.5 * (double)foh_dsp_clamp_rate(rate);

	if (g->window < 256 || g->window > 8192 ||
	    (g->window & (g->window - 1)) != 0)
		return foh_analysis_fail(why, len, "FFT window %u is not a power "
				"of two in [256, 8192]", g->window);
	if (g->n_bins < 8 || g->n_bins > 1024)
		return foh_analysis_fail(why, len, "FFT bins %u is out of range "
				"[8, 1024]", g->n_bins);
	if (!in_range(g->f_min, 10.0f, 1000.0f) || !(g->f_min < 0.5 * nyq))
		return foh_analysis_fail(why, len, "lowest FFT bin edge %g Hz is "
				"out of range [10, 1000] Hz (and must be below "
				"a quarter of the sample rate)", g->f_min);
	return true;
}

double foh_autoscale_k_lin(double lo, double hi, uint32_t window,
		uint32_t rate)
{
	return (hi - lo) * (double)window / (double)rate;
}

double foh_autoscale_n_log(double lo, double hi, uint32_t n_bins,
		double f_min, uint32_t rate)
{
	double octaves = log2(0.5 * (double)rate / f_min);

	return (double)n_bins / octaves * log2(hi / lo);
}

double foh_autoscale_noise_budget(double nf, double lo, double hi,
		const struct foh_autoscale_geom *g, uint32_t rate)
{
	double k_lin = foh_autoscale_k_lin(lo, hi, g->window, rate);
	double n_log = foh_autoscale_n_log(lo, hi, g->n_bins, g->f_min, rate);
	double per_log_bin = k_lin / n_log;

	return nf * nf * (per_log_bin > 1.0 ? per_log_bin : 1.0);
}

double foh_autoscale_tilt(double f_c, double tilt_db_oct)
{
	return pow(10.0, tilt_db_oct * log2(f_c / 1000.0) / 20.0);
}

void foh_autoscale_init(struct foh_autoscale *s, uint32_t rate)
{
	struct foh_autoscale_params p;
	struct foh_autoscale_geom g;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	foh_autoscale_default_params(&p);
	foh_autoscale_default_geom(&g);
	foh_autoscale_set(s, &p, 304.0f, 1760.0f, &g);
	foh_autoscale_reset(s);
}

void foh_autoscale_set(struct foh_autoscale *s,
		const struct foh_autoscale_params *p, float lo, float hi,
		const struct foh_autoscale_geom *g)
{
	uint32_t glide = foh_dsp_ms_to_frames(FOH_AUTOSCALE_GLIDE_MS, s->rate);
	double k_lin = foh_autoscale_k_lin(lo, hi, g->window, s->rate);
	float budget = (float)foh_autoscale_noise_budget(p->noise_floor, lo, hi,
			g, s->rate);
	float isk = (float)(1.0 / sqrt(k_lin > 1e-9 ? k_lin : 1e-9));
	float tilt = (float)foh_autoscale_tilt(sqrt((double)lo * hi),
			p->tilt_db_oct);

	if (!s->primed)
		glide = 0;
	s->primed = true;
	s->p = *p;
	foh_ramp_to(&s->budget, budget, glide);
	foh_ramp_to(&s->inv_sqrt_klin, isk, glide);
	foh_ramp_to(&s->tilt, tilt, glide);
	s->alpha_n = 0;		/* recompute the poles on the next run */
	s->peak = foh_maxf(s->peak, foh_maxf(p->noise_floor, FOH_AUTOSCALE_EPS));
}

void foh_autoscale_reset(struct foh_autoscale *s)
{
	foh_ramp_jump(&s->budget, s->budget.target);
	foh_ramp_jump(&s->inv_sqrt_klin, s->inv_sqrt_klin.target);
	foh_ramp_jump(&s->tilt, s->tilt.target);
	s->peak = foh_maxf(s->p.noise_floor, FOH_AUTOSCALE_EPS);
	s->value = s->scaled = s->base = 0.0f;
}

float foh_autoscale_run(struct foh_autoscale *s, float r, uint32_t n)
{
	float tilt0 = s->tilt.cur;
	float budget = foh_ramp_skip(&s->budget, n);
	float isk = foh_ramp_skip(&s->inv_sqrt_klin, n);
	float tilt = foh_ramp_skip(&s->tilt, n);
	float nf = s->p.noise_floor;
	float v;

	if (n != s->alpha_n) {
		double dt = (double)n / (double)s->rate;
		s->a_att = foh_onepole_alpha(dt, s->p.attack_s);
		s->a_rel = foh_onepole_alpha(dt, s->p.release_s);
		s->alpha_n = n;
	}
	/* the peak follows tilted values: keep v / p independent of a tilt
	 * change so a new band centre does not step the output */
	if (tilt != tilt0 && tilt0 > 0.0f)
		s->peak *= tilt / tilt0;
	v = sqrtf(foh_maxf(0.0f, r * r - budget)) * tilt;
	s->peak = foh_maxf(foh_autoscale_follow(s->peak, v, s->a_att, s->a_rel),
			FOH_AUTOSCALE_EPS);
	s->scaled = foh_autoscale_shape(v, s->peak, nf);
	if (s->p.strength < 1.0f)
		s->base = foh_autoscale_baseline(foh_lin_to_db(r * isk, -400.0f),
				s->p.db_floor, s->p.db_ceiling);
	else
		s->base = 0.0f;
	s->value = foh_autoscale_blend(s->scaled, s->base, s->p.strength);
	return s->value;
}
