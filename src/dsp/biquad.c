/* RBJ-cookbook biquad: design, analytic response and the filter block
 * (transposed direct form II in double, coefficient interpolation). */
#include <math.h>
#include <string.h>

#include "biquad.h"
#include "dsp-util.h"

/* keeps the recursion away from subnormals after long silence */
#define BIAS	1e-20

struct raw {
	double b0, b1, b2, a0, a1, a2;
};

static void design_pass(struct raw *r, enum foh_biquad_type type,
		double cw, double alpha)
{
	r->a0 = 1.0 + alpha;
	r->a1 = -2.0 * cw;
	r->a2 = 1.0 - alpha;
	switch (type) {
	case FOH_BIQUAD_LOWPASS:
		r->b0 = r->b2 = (1.0 - cw) / 2.0;
		r->b1 = 1.0 - cw;
		break;
	case FOH_BIQUAD_HIGHPASS:
		r->b0 = r->b2 = (1.0 + cw) / 2.0;
		r->b1 = -(1.0 + cw);
		break;
	case FOH_BIQUAD_BANDPASS:
		r->b0 = alpha;
		r->b1 = 0.0;
		r->b2 = -alpha;
		break;
	case FOH_BIQUAD_NOTCH:
		r->b0 = r->b2 = 1.0;
		r->b1 = -2.0 * cw;
		break;
	default: /* all-pass */
		r->b0 = 1.0 - alpha;
		r->b1 = -2.0 * cw;
		r->b2 = 1.0 + alpha;
		break;
	}
}

static void design_gain(struct raw *r, enum foh_biquad_type type,
		double cw, double alpha, double a)
{
	double sa = 2.0 * sqrt(a) * alpha;

	switch (type) {
	case FOH_BIQUAD_PEAK:
		r->b0 = 1.0 + alpha * a;
		r->b1 = -2.0 * cw;
		r->b2 = 1.0 - alpha * a;
		r->a0 = 1.0 + alpha / a;
		r->a1 = -2.0 * cw;
		r->a2 = 1.0 - alpha / a;
		break;
	case FOH_BIQUAD_LOWSHELF:
		r->b0 = a * ((a + 1.0) - (a - 1.0) * cw + sa);
		r->b1 = 2.0 * a * ((a - 1.0) - (a + 1.0) * cw);
		r->b2 = a * ((a + 1.0) - (a - 1.0) * cw - sa);
		r->a0 = (a + 1.0) + (a - 1.0) * cw + sa;
		r->a1 = -2.0 * ((a - 1.0) + (a + 1.0) * cw);
		r->a2 = (a + 1.0) + (a - 1.0) * cw - sa;
		break;
	default: /* high shelf */
		r->b0 = a * ((a + 1.0) + (a - 1.0) * cw + sa);
		r->b1 = -2.0 * a * ((a - 1.0) + (a + 1.0) * cw);
		r->b2 = a * ((a + 1.0) + (a - 1.0) * cw - sa);
		r->a0 = (a + 1.0) - (a - 1.0) * cw + sa;
		r->a1 = 2.0 * ((a - 1.0) - (a + 1.0) * cw);
		r->a2 = (a + 1.0) - (a - 1.0) * cw - sa;
		break;
	}
}

void foh_biquad_design(struct foh_biquad_coefs *c,
		const struct foh_biquad_params *p, uint32_t rate)
{
	double fs = (double)foh_dsp_clamp_rate(rate);
	double f = foh_dsp_clampf(p->freq, 1.0f, (float)(0.49 * fs));
	double q = foh_dsp_clampf(p->q, 0.05f, 50.0f);
	double g = foh_dsp_clampf(p->gain_db, -48.0f, 48.0f);
	double w0 = 2.0 * M_PI * f / fs;
	double alpha = sin(w0) / (2.0 * q);
	struct raw r;

	if (p->type == FOH_BIQUAD_PEAK || p->type == FOH_BIQUAD_LOWSHELF ||
	    p->type == FOH_BIQUAD_HIGHSHELF)
		design_gain(&r, p->type, cos(w0), alpha, pow(10.0, g / 40.0));
	else
		design_pass(&r, p->type, cos(w0), alpha);

	c->b0 = r.b0 / r.a0;
	c->b1 = r.b1 / r.a0;
	c->b2 = r.b2 / r.a0;
	c->a1 = r.a1 / r.a0;
	c->a2 = r.a2 / r.a0;
}

void foh_biquad_identity(struct foh_biquad_coefs *c)
{
	c->b0 = 1.0;
	c->b1 = c->b2 = c->a1 = c->a2 = 0.0;
}

bool foh_biquad_is_identity(const struct foh_biquad_coefs *c)
{
	return c->b0 == 1.0 && c->b1 == 0.0 && c->b2 == 0.0 &&
		c->a1 == 0.0 && c->a2 == 0.0;
}

double foh_biquad_response_db(const struct foh_biquad_coefs *c,
		double freq, double rate)
{
	double w = 2.0 * M_PI * freq / rate;
	double c1 = cos(w), s1 = sin(w), c2 = cos(2.0 * w), s2 = sin(2.0 * w);
	double nr = c->b0 + c->b1 * c1 + c->b2 * c2;
	double ni = -(c->b1 * s1 + c->b2 * s2);
	double dr = 1.0 + c->a1 * c1 + c->a2 * c2;
	double di = -(c->a1 * s1 + c->a2 * s2);

	return 10.0 * log10((nr * nr + ni * ni) / (dr * dr + di * di));
}

const char *foh_biquad_type_name(enum foh_biquad_type type)
{
	static const char *const names[] = {
		"lowpass", "highpass", "bandpass", "peak",
		"lowshelf", "highshelf", "notch", "allpass",
	};
	if ((unsigned)type >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[type];
}

void foh_biquad_init(struct foh_biquad *s, uint32_t rate)
{
	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	s->ramp_len = foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate);
	s->ramp_pos = s->ramp_len;
	foh_biquad_identity(&s->cur);
	s->target = s->from = s->cur;
}

void foh_biquad_set_coefs(struct foh_biquad *s,
		const struct foh_biquad_coefs *c)
{
	double k = 1.0 / (double)s->ramp_len;

	if (!s->primed) {
		s->primed = true;
		s->cur = s->from = s->target = *c;
		return;
	}
	if (memcmp(c, &s->target, sizeof(*c)) == 0)
		return;
	s->from = s->cur;
	s->target = *c;
	s->step.b0 = (c->b0 - s->cur.b0) * k;
	s->step.b1 = (c->b1 - s->cur.b1) * k;
	s->step.b2 = (c->b2 - s->cur.b2) * k;
	s->step.a1 = (c->a1 - s->cur.a1) * k;
	s->step.a2 = (c->a2 - s->cur.a2) * k;
	s->ramp_pos = 0;
}

void foh_biquad_set(struct foh_biquad *s, const struct foh_biquad_params *p)
{
	struct foh_biquad_coefs c;

	foh_biquad_design(&c, p, s->rate);
	foh_biquad_set_coefs(s, &c);
}

void foh_biquad_reset(struct foh_biquad *s)
{
	memset(s->z, 0, sizeof(s->z));
	s->cur = s->from = s->target;
	s->ramp_pos = s->ramp_len;
}

bool foh_biquad_is_wire(const struct foh_biquad *s)
{
	/* identity flushes its state to exactly 0 in two frames; skipping
	 * only after that keeps the output independent of run sizes */
	return s->ramp_pos == s->ramp_len && foh_biquad_is_identity(&s->cur) &&
		s->z[0][0] == 0.0 && s->z[0][1] == 0.0 &&
		s->z[1][0] == 0.0 && s->z[1][1] == 0.0;
}

/* Coefficients j steps into the ramp. */
static inline void ramp_at(const struct foh_biquad *s, uint32_t j,
		struct foh_biquad_coefs *c)
{
	double t = (double)j;

	c->b0 = s->from.b0 + s->step.b0 * t;
	c->b1 = s->from.b1 + s->step.b1 * t;
	c->b2 = s->from.b2 + s->step.b2 * t;
	c->a1 = s->from.a1 + s->step.a1 * t;
	c->a2 = s->from.a2 + s->step.a2 * t;
}

/* One channel while the coefficients move (steps pos + 1 .. pos + n). */
static void run_ramp(const struct foh_biquad *s, double *z, const float *in,
		float *out, uint32_t n)
{
	double z1 = z[0], z2 = z[1];
	struct foh_biquad_coefs c;

	for (uint32_t i = 0; i < n; i++) {
		ramp_at(s, s->ramp_pos + i + 1, &c);
		double x = (double)in[i] + BIAS;
		double y = c.b0 * x + z1;
		z1 = c.b1 * x - c.a1 * y + z2;
		z2 = c.b2 * x - c.a2 * y;
		out[i] = (float)y;
	}
	z[0] = z1;
	z[1] = z2;
}

static void run_mono(const struct foh_biquad_coefs *c, double *z,
		const float *in, float *out, uint32_t n)
{
	const double b0 = c->b0, b1 = c->b1, b2 = c->b2, a1 = c->a1, a2 = c->a2;
	double z1 = z[0], z2 = z[1];

	for (uint32_t i = 0; i < n; i++) {
		double x = (double)in[i] + BIAS;
		double y = b0 * x + z1;
		z1 = b1 * x - a1 * y + z2;
		z2 = b2 * x - a2 * y;
		out[i] = (float)y;
	}
	z[0] = z1;
	z[1] = z2;
}

/* Both channels in one loop: two independent recursions overlap. */
static void run_stereo(const struct foh_biquad_coefs *c, double (*z)[2],
		const float *inl, const float *inr, float *outl, float *outr,
		uint32_t n)
{
	const double b0 = c->b0, b1 = c->b1, b2 = c->b2, a1 = c->a1, a2 = c->a2;
	double l1 = z[0][0], l2 = z[0][1], r1 = z[1][0], r2 = z[1][1];

	for (uint32_t i = 0; i < n; i++) {
		double xl = (double)inl[i] + BIAS, xr = (double)inr[i] + BIAS;
		double yl = b0 * xl + l1, yr = b0 * xr + r1;
		l1 = b1 * xl - a1 * yl + l2;
		r1 = b1 * xr - a1 * yr + r2;
		l2 = b2 * xl - a2 * yl;
		r2 = b2 * xr - a2 * yr;
		outl[i] = (float)yl;
		outr[i] = (float)yr;
	}
	z[0][0] = l1; z[0][1] = l2;
	z[1][0] = r1; z[1][1] = r2;
}

void foh_biquad_advance(struct foh_biquad *s, uint32_t k)
{
	s->ramp_pos += k;
	if (s->ramp_pos >= s->ramp_len) {
		s->ramp_pos = s->ramp_len;
		s->cur = s->target;
	} else {
		ramp_at(s, s->ramp_pos, &s->cur);
	}
}

void foh_biquad_run(struct foh_biquad *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	bool stereo = inr != NULL && outr != NULL;
	uint32_t left = s->ramp_len - s->ramp_pos;
	uint32_t k = left < n ? left : n;

	if (k > 0) {
		run_ramp(s, s->z[0], inl, outl, k);
		if (stereo)
			run_ramp(s, s->z[1], inr, outr, k);
		foh_biquad_advance(s, k);
	}
	if (k == n)
		return;
	if (stereo)
		run_stereo(&s->cur, s->z, inl + k, inr + k, outl + k, outr + k,
				n - k);
	else
		run_mono(&s->cur, s->z[0], inl + k, outl + k, n - k);
}
