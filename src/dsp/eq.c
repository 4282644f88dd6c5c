/* Parametric EQ: high-pass plus FOH_EQ_BANDS bypassable RBJ bands. */
#include <string.h>

#include "eq.h"

void foh_eq_default_params(struct foh_eq_params *p)
{
	static const float freqs[FOH_EQ_BANDS] = { 100.0f, 500.0f, 2000.0f, 8000.0f };

	memset(p, 0, sizeof(*p));
	p->hpf_freq = 80.0f;
	p->hpf_q = 0.7071f;
	for (int i = 0; i < FOH_EQ_BANDS; i++) {
		p->band[i].filter.type = FOH_BIQUAD_PEAK;
		p->band[i].filter.freq = freqs[i];
		p->band[i].filter.q = 1.0f;
	}
}

void foh_eq_design(const struct foh_eq_params *p, uint32_t rate,
		struct foh_biquad_coefs c[FOH_EQ_SECTIONS])
{
	if (p->hpf_on) {
		struct foh_biquad_params hp = {
			.type = FOH_BIQUAD_HIGHPASS,
			.freq = p->hpf_freq,
			.q = p->hpf_q,
		};
		foh_biquad_design(&c[0], &hp, rate);
	} else {
		foh_biquad_identity(&c[0]);
	}
	for (int i = 0; i < FOH_EQ_BANDS; i++) {
		if (p->band[i].on)
			foh_biquad_design(&c[i + 1], &p->band[i].filter, rate);
		else
			foh_biquad_identity(&c[i + 1]);
	}
}

double foh_eq_params_response_db(const struct foh_eq_params *p,
		uint32_t rate, double freq)
{
	struct foh_biquad_coefs c[FOH_EQ_SECTIONS];
	double db = 0.0;

	foh_eq_design(p, rate, c);
	for (int i = 0; i < FOH_EQ_SECTIONS; i++)
		db += foh_biquad_response_db(&c[i], freq, (double)rate);
	return db;
}

double foh_eq_response_db(const struct foh_eq *s, double freq)
{
	double db = 0.0;

	for (int i = 0; i < FOH_EQ_SECTIONS; i++)
		db += foh_biquad_response_db(&s->sec[i].target, freq,
				(double)s->rate);
	return db;
}

void foh_eq_init(struct foh_eq *s, uint32_t rate)
{
	for (int i = 0; i < FOH_EQ_SECTIONS; i++)
		foh_biquad_init(&s->sec[i], rate);
	s->rate = s->sec[0].rate;
}

void foh_eq_set(struct foh_eq *s, const struct foh_eq_params *p)
{
	struct foh_biquad_coefs c[FOH_EQ_SECTIONS];

	foh_eq_design(p, s->rate, c);
	for (int i = 0; i < FOH_EQ_SECTIONS; i++)
		foh_biquad_set_coefs(&s->sec[i], &c[i]);
}

/* Both channels in the two lanes of one SSE2 double vector, all sections
 * per frame, double between sections: the recursions of all sections and
 * both channels overlap instead of running one pass per section. */
typedef double v2d __attribute__((vector_size(16)));

struct lanes {
	v2d b0, b1, b2, a1, a2;
	v2d z1, z2;
};

static inline v2d splat(double x)
{
	return (v2d){ x, x };
}

static void load_lanes(struct lanes *l, const struct foh_biquad_coefs *c,
		const struct foh_biquad *b)
{
	l->b0 = splat(c->b0);
	l->b1 = splat(c->b1);
	l->b2 = splat(c->b2);
	l->a1 = splat(c->a1);
	l->a2 = splat(c->a2);
	l->z1 = (v2d){ b->z[0][0], b->z[1][0] };
	l->z2 = (v2d){ b->z[0][1], b->z[1][1] };
}

static void store_lanes(const struct lanes *l, struct foh_biquad *b)
{
	b->z[0][0] = l->z1[0];
	b->z[1][0] = l->z1[1];
	b->z[0][1] = l->z2[0];
	b->z[1][1] = l->z2[1];
}

static inline v2d section(struct lanes *l, v2d x)
{
	v2d y = l->b0 * x + l->z1;

	l->z1 = l->b1 * x - l->a1 * y + l->z2;
	l->z2 = l->b2 * x - l->a2 * y;
	return y;
}

static inline v2d frame_in(const float *inl, const float *inr, uint32_t i)
{
	/* the bias keeps the recursions out of subnormals in silence */
	return (v2d){ (double)inl[i] + 1e-20, inr ? (double)inr[i] + 1e-20 : 0.0 };
}

static inline void frame_out(float *outl, float *outr, uint32_t i, v2d y)
{
	outl[i] = (float)y[0];
	if (outr)
		outr[i] = (float)y[1];
}

/* Settled coefficients; na sections in l. */
static void run_steady(struct lanes *l, int na, const float *inl,
		const float *inr, float *outl, float *outr, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		v2d v = frame_in(inl, inr, i);
#pragma GCC unroll 5
		for (int k = 0; k < FOH_EQ_SECTIONS; k++)
			if (k < na)
				v = section(&l[k], v);
		frame_out(outl, outr, i, v);
	}
}

/* While any section ramps: coefficients from each ramp's start, per frame,
 * exactly as foh_biquad does. */
static void run_ramping(struct foh_eq *s, struct lanes *l, const int *act,
		int na, const float *inl, const float *inr, float *outl,
		float *outr, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		v2d v = frame_in(inl, inr, i);
		for (int k = 0; k < na; k++) {
			struct foh_biquad *b = &s->sec[act[k]];
			if (b->ramp_pos + i < b->ramp_len) {
				struct foh_biquad_coefs c;
				double t = (double)(b->ramp_pos + i + 1);
				c.b0 = b->from.b0 + b->step.b0 * t;
				c.b1 = b->from.b1 + b->step.b1 * t;
				c.b2 = b->from.b2 + b->step.b2 * t;
				c.a1 = b->from.a1 + b->step.a1 * t;
				c.a2 = b->from.a2 + b->step.a2 * t;
				load_lanes(&l[k], b->ramp_pos + i + 1 < b->ramp_len ?
						&c : &b->target, b);
			}
			v = section(&l[k], v);
			store_lanes(&l[k], b);
		}
		frame_out(outl, outr, i, v);
	}
}

void foh_eq_run(struct foh_eq *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	bool stereo = inr != NULL && outr != NULL;
	struct lanes l[FOH_EQ_SECTIONS];
	int act[FOH_EQ_SECTIONS], na = 0;
	uint32_t ramp = 0;

	for (int i = 0; i < FOH_EQ_SECTIONS; i++) {
		struct foh_biquad *b = &s->sec[i];
		if (foh_biquad_is_wire(b))
			continue;
		uint32_t left = b->ramp_len - b->ramp_pos;
		ramp = left > ramp ? left : ramp;
		load_lanes(&l[na], &b->cur, b);
		act[na++] = i;
	}
	if (na == 0) {
		if (outl != inl)
			memmove(outl, inl, n * sizeof(float));
		if (stereo && outr != inr)
			memmove(outr, inr, n * sizeof(float));
		return;
	}
	ramp = ramp < n ? ramp : n;
	if (!stereo)
		inr = outr = NULL;
	if (ramp > 0) {
		run_ramping(s, l, act, na, inl, inr, outl, outr, ramp);
		for (int k = 0; k < na; k++) {
			struct foh_biquad *b = &s->sec[act[k]];
			uint32_t step = b->ramp_len - b->ramp_pos;
			foh_biquad_advance(b, step < ramp ? step : ramp);
			load_lanes(&l[k], &b->cur, b);
		}
	}
	run_steady(l, na, inl + ramp, inr ? inr + ramp : NULL, outl + ramp,
			outr ? outr + ramp : NULL, n - ramp);
	for (int k = 0; k < na; k++)
		store_lanes(&l[k], &s->sec[act[k]]);
}

void foh_eq_reset(struct foh_eq *s)
{
	for (int i = 0; i < FOH_EQ_SECTIONS; i++)
		foh_biquad_reset(&s->sec[i]);
}
