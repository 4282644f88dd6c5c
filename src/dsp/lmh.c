/* L/M/H: Butterworth band-pass design, the band filters with coefficient
 * glides, block RMS, smoothers and auto-scalers. */
#include <complex.h>
#include <math.h>
#include <string.h>

#include "dsp-util.h"
#include "lmh.h"

/* added at every section input: keeps the recursion away from subnormals
 * after long silence (-400 dB, far below anything measured) */
#define BIAS	1e-20

void foh_lmh_default_params(struct foh_lmh_params *p)
{
	static const struct foh_lmh_band bands[FOH_LMH_BANDS] = {
		{ 88.0f, 184.0f, 0.015f, 0.12f },
		{ 304.0f, 1760.0f, 0.0049f, 0.090f },
		{ 2944.0f, 13952.0f, 0.0031f, 0.050f },
	};

	memcpy(p->band, bands, sizeof(bands));
	p->order = 2;
	foh_autoscale_default_params(&p->scale);
	foh_autoscale_default_geom(&p->geom);
}

bool foh_lmh_band_valid(const struct foh_lmh_band *b, uint32_t rate,
		char *why, size_t len)
{
	double top = 0.45 * (double)foh_dsp_clamp_rate(rate);

	if (!(b->lo_hz >= 20.0f) || !(b->lo_hz + 50.0 < top))
		return foh_analysis_fail(why, len, "band low edge %g Hz is out of "
				"range [20, %g) Hz", b->lo_hz, top - 50.0);
	if (!(b->hi_hz > b->lo_hz + 50.0f) || !(b->hi_hz <= top))
		return foh_analysis_fail(why, len, "band high edge %g Hz must be "
				"above the low edge + 50 Hz and at most %g Hz "
				"(0.45 x the sample rate)", b->hi_hz, top);
	if (!(b->attack_s >= 0.005f && b->attack_s <= 2.0f) ||
	    !(b->release_s >= 0.005f && b->release_s <= 2.0f))
		return foh_analysis_fail(why, len, "smoothing %g/%g s (attack/"
				"release) is out of range [0.005, 2] s",
				b->attack_s, b->release_s);
	return true;
}

bool foh_lmh_params_valid(const struct foh_lmh_params *p, uint32_t rate,
		char *why, size_t len)
{
	static const char *const names[FOH_LMH_BANDS] = { "low", "mid", "high" };

	if (p->order < 1 || p->order > FOH_LMH_MAX_ORDER)
		return foh_analysis_fail(why, len, "filter order %u is out of "
				"range [1, %u]", p->order, FOH_LMH_MAX_ORDER);
	for (int b = 0; b < FOH_LMH_BANDS; b++) {
		char inner[160];
		if (!foh_lmh_band_valid(&p->band[b], rate, inner, sizeof(inner)))
			return foh_analysis_fail(why, len, "%s band: %s",
					names[b], inner);
	}
	return foh_autoscale_params_valid(&p->scale, why, len) &&
		foh_autoscale_geom_valid(&p->geom, rate, why, len);
}

/* What the design and the auto-scaler can always work with. */
static void clamp_edges(double *lo, double *hi, uint32_t rate)
{
	double top = 0.49 * (double)rate;

	if (!(*hi <= top))
		*hi = top;
	if (!(*hi >= 2.0))
		*hi = 2.0;
	if (!(*lo >= 1.0))
		*lo = 1.0;
	if (*lo > 0.9 * *hi)
		*lo = 0.9 * *hi;
}

/* A section with poles z1, z2 (a conjugate pair or two real poles), zeros
 * at +1 and -1, scaled to unit gain at wc (radians per sample). */
static void make_section(struct foh_biquad_coefs *c, double complex z1,
		double complex z2, double wc)
{
	double complex e1 = cexp(-I * wc), e2 = e1 * e1;

	c->a1 = -creal(z1 + z2);
	c->a2 = creal(z1 * z2);
	c->b0 = cabs(1.0 + c->a1 * e1 + c->a2 * e2) / cabs(1.0 - e2);
	c->b1 = 0.0;
	c->b2 = -c->b0;
}

static double complex bilinear(double complex s)
{
	return (1.0 + s) / (1.0 - s);
}

uint32_t foh_lmh_design(struct foh_biquad_coefs *sos, uint32_t order,
		double lo, double hi, uint32_t rate)
{
	double fs = (double)foh_dsp_clamp_rate(rate);
	uint32_t n = 0;

	order = order < 1 ? 1 : (order > FOH_LMH_MAX_ORDER ? FOH_LMH_MAX_ORDER : order);
	clamp_edges(&lo, &hi, (uint32_t)fs);
	double wl = tan(M_PI * lo / fs), wh = tan(M_PI * hi / fs);
	double w0sq = wl * wh, half_bw = 0.5 * (wh - wl);
	double wc = 2.0 * atan(sqrt(w0sq));

	/* prototype poles exp(j pi (2k + N + 1) / 2N): k < N/2 are the upper
	 * half plane ones (their conjugates give the conjugate sections), an
	 * odd order adds the real pole -1 */
	for (uint32_t k = 0; k < (order + 1) / 2; k++) {
		double complex p = cexp(I * M_PI * (double)(2 * k + order + 1) /
				(double)(2 * order));
		double complex pb = p * half_bw;
		double complex d = csqrt(pb * pb - w0sq);
		double complex s1 = pb + d, s2 = pb - d;

		if (2 * k + 1 == order) {
			/* real prototype pole: s1, s2 are a conjugate pair or
			 * both real, one section either way */
			make_section(&sos[n++], bilinear(s1), bilinear(s2), wc);
		} else {
			make_section(&sos[n++], bilinear(s1), conj(bilinear(s1)), wc);
			make_section(&sos[n++], bilinear(s2), conj(bilinear(s2)), wc);
		}
	}
	return n;
}

/* Frames for a cascade to settle from rest: 7 time constants (-60 dB) of
 * the slowest pole pair, about 1 / (pi B sin(pi / 2N)) for a band B Hz
 * wide. */
static uint32_t settle_frames(double lo, double hi, uint32_t order,
		uint32_t rate, uint32_t min)
{
	double tau = 1.0 / (M_PI * (hi - lo) * sin(M_PI / (2.0 * order)));
	double frames = 7.0 * tau * (double)rate;

	if (!(frames < 0.5 * rate))
		frames = 0.5 * rate;
	return frames > (double)min ? (uint32_t)frames : min;
}

static bool band_moved(const struct foh_lmh_band *a, const struct foh_lmh_band *b)
{
	return a->lo_hz != b->lo_hz || a->hi_hz != b->hi_hz;
}

void foh_lmh_set(struct foh_lmh *s, const struct foh_lmh_params *p)
{
	bool now = !s->primed;
	bool reorder = p->order != s->p.order;

	for (int b = 0; b < FOH_LMH_BANDS; b++) {
		struct foh_lmh_chain *c = &s->ch[b];
		const struct foh_lmh_band *bp = &p->band[b];
		double lo = bp->lo_hz, hi = bp->hi_hz;

		clamp_edges(&lo, &hi, s->rate);
		if (now) {
			c->cur.n_sec = foh_lmh_design(c->cur.c, p->order, lo, hi,
					s->rate);
			memset(c->cur.z, 0, sizeof(c->cur.z));
		} else if (reorder || band_moved(bp, &s->p.band[b])) {
			c->want.n_sec = foh_lmh_design(c->want.c, p->order, lo, hi,
					s->rate);
			c->want_settle = settle_frames(lo, hi, p->order, s->rate,
					s->fade_len);
			c->wanted = true;
		}
		foh_autoscale_set(&s->scale[b], &p->scale, (float)lo, (float)hi,
				&p->geom);
	}
	s->p = *p;
	s->primed = true;
	s->alpha_n = 0;
}

void foh_lmh_init(struct foh_lmh *s, uint32_t rate)
{
	struct foh_lmh_params p;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	s->fade_len = foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate);
	for (int b = 0; b < FOH_LMH_BANDS; b++)
		foh_autoscale_init(&s->scale[b], s->rate);
	foh_lmh_default_params(&p);
	foh_lmh_set(s, &p);
	foh_lmh_reset(s);
}

void foh_lmh_reset(struct foh_lmh *s)
{
	for (int b = 0; b < FOH_LMH_BANDS; b++) {
		struct foh_lmh_chain *c = &s->ch[b];
		if (c->wanted)
			c->cur = c->want;
		else if (c->pending)
			c->cur = c->next;
		c->wanted = c->pending = false;
		memset(c->cur.z, 0, sizeof(c->cur.z));
		foh_autoscale_reset(&s->scale[b]);
		s->block_rms[b] = s->rms[b] = s->value[b] = 0.0f;
	}
}

/* Runs the cascade over n frames; returns the output's sum of squares and
 * writes the output to y when not NULL. */
static double cascade(struct foh_lmh_filter *f, const float *in, double *y,
		uint32_t n)
{
	const uint32_t ns = f->n_sec;
	double z[FOH_LMH_MAX_ORDER][2];
	double acc = 0.0;

	memcpy(z, f->z, sizeof(z));
	for (uint32_t i = 0; i < n; i++) {
		double x = (double)in[i];
		for (uint32_t k = 0; k < ns; k++) {
			const struct foh_biquad_coefs *c = &f->c[k];
			double xb = x + BIAS;
			double v = c->b0 * xb + z[k][0];
			z[k][0] = c->b1 * xb - c->a1 * v + z[k][1];
			z[k][1] = c->b2 * xb - c->a2 * v;
			x = v;
		}
		acc += x * x;
		if (y)
			y[i] = x;
	}
	memcpy(f->z, z, sizeof(z));
	return acc;
}

#define FADE_CHUNK	128u

/* Energy crossfade from cur to next over k <= FADE_CHUNK frames. */
static double crossfade(struct foh_lmh_chain *c, const float *in, uint32_t k,
		uint32_t fade_len)
{
	double y0[FADE_CHUNK], y1[FADE_CHUNK], acc = 0.0;

	(void)cascade(&c->cur, in, y0, k);
	(void)cascade(&c->next, in, y1, k);
	for (uint32_t i = 0; i < k; i++) {
		double g = ((double)(c->fade_pos + i) + 0.5) / (double)fade_len;
		acc += (1.0 - g) * y0[i] * y0[i] + g * y1[i] * y1[i];
	}
	return acc;
}

/* Starts the latest design warming up beside the current cascade. */
static void start_next(struct foh_lmh_chain *c)
{
	c->next = c->want;
	memset(c->next.z, 0, sizeof(c->next.z));
	c->warm_left = c->want_settle;
	c->fade_pos = 0;
	c->pending = true;
	c->wanted = false;
}

/* One band over n frames: sum of squares of its output. */
static double chain_run(struct foh_lmh_chain *c, const float *in, uint32_t n,
		uint32_t fade_len)
{
	double acc = 0.0;

	while (n > 0) {
		uint32_t k;
		/* a newer design replaces one still warming up; one that is
		 * fading in finishes first */
		if (c->wanted && (!c->pending || c->warm_left > 0))
			start_next(c);
		if (!c->pending)
			return acc + cascade(&c->cur, in, NULL, n);
		if (c->warm_left > 0) {
			k = n < c->warm_left ? n : c->warm_left;
			acc += cascade(&c->cur, in, NULL, k);
			(void)cascade(&c->next, in, NULL, k);
			c->warm_left -= k;
		} else {
			k = fade_len - c->fade_pos;
			k = k < n ? k : n;
			k = k < FADE_CHUNK ? k : FADE_CHUNK;
			acc += crossfade(c, in, k, fade_len);
			if ((c->fade_pos += k) == fade_len) {
				c->cur = c->next;
				c->pending = false;
			}
		}
		in += k;
		n -= k;
	}
	return acc;
}

/* The three bands side by side in one vector (GCC vector extension; the
 * fourth lane idles). */
typedef double v4d __attribute__((vector_size(32)));

/* The three settled cascades of ns sections in one pass, each band in a
 * lane: their recursions are independent, so one instruction stream runs
 * all three (about 3x faster than one band after the other). ns is a
 * constant in each caller, so the section loop unrolls. */
static inline __attribute__((always_inline)) void cascade3_n(
		struct foh_lmh_chain *ch, const float *in, uint32_t n, double *acc,
		const uint32_t ns)
{
	v4d b0[FOH_LMH_MAX_ORDER], b1[FOH_LMH_MAX_ORDER], b2[FOH_LMH_MAX_ORDER];
	v4d a1[FOH_LMH_MAX_ORDER], a2[FOH_LMH_MAX_ORDER];
	v4d z1[FOH_LMH_MAX_ORDER], z2[FOH_LMH_MAX_ORDER];
	v4d sum = { 0.0, 0.0, 0.0, 0.0 };
	const v4d bias = { BIAS, BIAS, BIAS, BIAS };

	for (uint32_t k = 0; k < ns; k++) {
		const struct foh_biquad_coefs *c0 = &ch[0].cur.c[k];
		const struct foh_biquad_coefs *c1 = &ch[1].cur.c[k];
		const struct foh_biquad_coefs *c2 = &ch[2].cur.c[k];
		b0[k] = (v4d){ c0->b0, c1->b0, c2->b0, 0.0 };
		b1[k] = (v4d){ c0->b1, c1->b1, c2->b1, 0.0 };
		b2[k] = (v4d){ c0->b2, c1->b2, c2->b2, 0.0 };
		a1[k] = (v4d){ c0->a1, c1->a1, c2->a1, 0.0 };
		a2[k] = (v4d){ c0->a2, c1->a2, c2->a2, 0.0 };
		z1[k] = (v4d){ ch[0].cur.z[k][0], ch[1].cur.z[k][0], ch[2].cur.z[k][0], 0.0 };
		z2[k] = (v4d){ ch[0].cur.z[k][1], ch[1].cur.z[k][1], ch[2].cur.z[k][1], 0.0 };
	}
	for (uint32_t i = 0; i < n; i++) {
		double xi = (double)in[i];
		v4d x = { xi, xi, xi, 0.0 };
		for (uint32_t k = 0; k < ns; k++) {
			v4d xb = x + bias;
			v4d v = b0[k] * xb + z1[k];
			z1[k] = b1[k] * xb - a1[k] * v + z2[k];
			z2[k] = b2[k] * xb - a2[k] * v;
			x = v;
		}
		sum += x * x;
	}
	for (uint32_t k = 0; k < ns; k++)
		for (int b = 0; b < FOH_LMH_BANDS; b++) {
			ch[b].cur.z[k][0] = z1[k][b];
			ch[b].cur.z[k][1] = z2[k][b];
		}
	acc[0] = sum[0];
	acc[1] = sum[1];
	acc[2] = sum[2];
}

/* The same in scalar code, for long cascades: the three recursions still
 * overlap, and the state does not have to fit in vector registers (the
 * vector form spills from 5 sections on and runs slower than this). */
static inline __attribute__((always_inline)) void cascade3_scalar(
		struct foh_lmh_chain *ch, const float *in, uint32_t n, double *acc,
		const uint32_t ns)
{
	struct foh_biquad_coefs c[FOH_LMH_BANDS][FOH_LMH_MAX_ORDER];
	double z[FOH_LMH_BANDS][FOH_LMH_MAX_ORDER][2];
	double a0 = 0.0, a1 = 0.0, a2 = 0.0;

	for (int b = 0; b < FOH_LMH_BANDS; b++) {
		memcpy(c[b], ch[b].cur.c, ns * sizeof(c[b][0]));
		memcpy(z[b], ch[b].cur.z, ns * sizeof(z[b][0]));
	}
	for (uint32_t i = 0; i < n; i++) {
		double x[FOH_LMH_BANDS] = { in[i], in[i], in[i] };
		for (uint32_t k = 0; k < ns; k++) {
			for (int b = 0; b < FOH_LMH_BANDS; b++) {
				const struct foh_biquad_coefs *q = &c[b][k];
				double xb = x[b] + BIAS;
				double v = q->b0 * xb + z[b][k][0];
				z[b][k][0] = q->b1 * xb - q->a1 * v + z[b][k][1];
				z[b][k][1] = q->b2 * xb - q->a2 * v;
				x[b] = v;
			}
		}
		a0 += x[0] * x[0];
		a1 += x[1] * x[1];
		a2 += x[2] * x[2];
	}
	for (int b = 0; b < FOH_LMH_BANDS; b++)
		memcpy(ch[b].cur.z, z[b], ns * sizeof(z[b][0]));
	acc[0] = a0;
	acc[1] = a1;
	acc[2] = a2;
}

/* True (and the bands' sums of squares in acc) when all three bands ran
 * settled cascades of one length, the usual case. */
static bool run_settled(struct foh_lmh *s, const float *in, uint32_t n,
		double *acc)
{
	const uint32_t ns = s->ch[0].cur.n_sec;

	for (int b = 0; b < FOH_LMH_BANDS; b++)
		if (s->ch[b].pending || s->ch[b].wanted || s->ch[b].cur.n_sec != ns)
			return false;
	switch (ns) {
	case 1: cascade3_n(s->ch, in, n, acc, 1); break;
	case 2: cascade3_n(s->ch, in, n, acc, 2); break;
	case 3: cascade3_n(s->ch, in, n, acc, 3); break;
	case 4: cascade3_n(s->ch, in, n, acc, 4); break;
	case 5: cascade3_scalar(s->ch, in, n, acc, 5); break;
	case 6: cascade3_scalar(s->ch, in, n, acc, 6); break;
	case 7: cascade3_scalar(s->ch, in, n, acc, 7); break;
	case 8: cascade3_scalar(s->ch, in, n, acc, 8); break;
	default: return false;
	}
	return true;
}

void foh_lmh_run(struct foh_lmh *s, const float *in, uint32_t n)
{
	double acc[FOH_LMH_BANDS];

	if (n == 0)
		return;
	if (n != s->alpha_n) {
		double dt = (double)n / (double)s->rate;
		for (int b = 0; b < FOH_LMH_BANDS; b++) {
			s->a_att[b] = foh_onepole_alpha(dt, s->p.band[b].attack_s);
			s->a_rel[b] = foh_onepole_alpha(dt, s->p.band[b].release_s);
		}
		s->alpha_n = n;
	}
	if (!run_settled(s, in, n, acc))
		for (int b = 0; b < FOH_LMH_BANDS; b++)
			acc[b] = chain_run(&s->ch[b], in, n, s->fade_len);
	for (int b = 0; b < FOH_LMH_BANDS; b++) {
		s->block_rms[b] = (float)sqrt(acc[b] / (double)n);
		/* the bias keeps the smoother a normal float in silence */
		s->rms[b] = foh_autoscale_follow(s->rms[b],
				s->block_rms[b] + FOH_DSP_BIAS, s->a_att[b], s->a_rel[b]);
		s->value[b] = foh_autoscale_run(&s->scale[b], s->rms[b], n);
	}
}
