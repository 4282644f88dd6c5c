/* K-weighting filter (BS.1770); see kweight.h. */
#include <math.h>

#include "kweight.h"

void foh_kweight_coefs(struct foh_kweight_coefs *c, uint32_t rate)
{
	/* stage 1: high shelf, +4 dB above ~1.7 kHz (head as a sphere) */
	double f0 = 1681.974450955533, g = 3.999843853973347;
	double q = 0.7071752369554196;
	double k = tan(M_PI * f0 / (double)rate);
	double vh = pow(10.0, g / 20.0);
	double vb = pow(vh, 0.4996667741545416);
	double a0 = 1.0 + k / q + k * k;

	c->b[0][0] = (vh + vb * k / q + k * k) / a0;
	c->b[0][1] = 2.0 * (k * k - vh) / a0;
	c->b[0][2] = (vh - vb * k / q + k * k) / a0;
	c->a[0][0] = 2.0 * (k * k - 1.0) / a0;
	c->a[0][1] = (1.0 - k / q + k * k) / a0;

	/* stage 2: the RLB high-pass at ~38 Hz */
	f0 = 38.13547087602444;
	q = 0.5003270373238773;
	k = tan(M_PI * f0 / (double)rate);
	a0 = 1.0 + k / q + k * k;
	c->b[1][0] = 1.0;
	c->b[1][1] = -2.0;
	c->b[1][2] = 1.0;
	c->a[1][0] = 2.0 * (k * k - 1.0) / a0;
	c->a[1][1] = (1.0 - k / q + k * k) / a0;
}

double foh_kweight_run(const struct foh_kweight_coefs *c, struct foh_kweight *st,
		const float *in, uint32_t n)
{
	const double b00 = c->b[0][0], b01 = c->b[0][1], b02 = c->b[0][2];
	const double a01 = c->a[0][0], a02 = c->a[0][1];
	const double a11 = c->a[1][0], a12 = c->a[1][1];
	double p1 = st->z[0][0], p2 = st->z[0][1];
	double q1 = st->z[1][0], q2 = st->z[1][1];
	double sq = 0.0;

	for (uint32_t i = 0; i < n; i++) {
		/* the offset keeps the states off denormals in silence */
		double x = (double)in[i] + 1e-20;
		double y = b00 * x + p1;
		p1 = b01 * x - a01 * y + p2;
		p2 = b02 * x - a02 * y;
		/* stage 2 numerator is 1, -2, 1 */
		double z = y + q1;
		q1 = -2.0 * y - a11 * z + q2;
		q2 = y - a12 * z;
		sq += z * z;
	}
	st->z[0][0] = p1;
	st->z[0][1] = p2;
	st->z[1][0] = q1;
	st->z[1][1] = q2;
	return sq;
}

typedef double foh_v2d __attribute__((vector_size(16)));

/* The coefficients splat across two lanes, and two channels' states. */
struct pair_coefs {
	foh_v2d b00, b01, b02, a01, a02, a11, a12;
};

struct pair {
	foh_v2d p1, p2, q1, q2;
};

static void pair_coefs(const struct foh_kweight_coefs *c, struct pair_coefs *k)
{
	k->b00 = (foh_v2d){ c->b[0][0], c->b[0][0] };
	k->b01 = (foh_v2d){ c->b[0][1], c->b[0][1] };
	k->b02 = (foh_v2d){ c->b[0][2], c->b[0][2] };
	k->a01 = (foh_v2d){ c->a[0][0], c->a[0][0] };
	k->a02 = (foh_v2d){ c->a[0][1], c->a[0][1] };
	k->a11 = (foh_v2d){ c->a[1][0], c->a[1][0] };
	k->a12 = (foh_v2d){ c->a[1][1], c->a[1][1] };
}

static struct pair pair_load(const struct foh_kweight *a, const struct foh_kweight *b)
{
	return (struct pair){
		{ a->z[0][0], b->z[0][0] }, { a->z[0][1], b->z[0][1] },
		{ a->z[1][0], b->z[1][0] }, { a->z[1][1], b->z[1][1] },
	};
}

static void pair_store(const struct pair *p, struct foh_kweight *a, struct foh_kweight *b)
{
	a->z[0][0] = p->p1[0];
	b->z[0][0] = p->p1[1];
	a->z[0][1] = p->p2[0];
	b->z[0][1] = p->p2[1];
	a->z[1][0] = p->q1[0];
	b->z[1][0] = p->q1[1];
	a->z[1][1] = p->q2[0];
	b->z[1][1] = p->q2[1];
}

/* One frame of foh_kweight_run's two stages in each lane, the same
 * operations in the same order; returns the filtered pair. */
static inline foh_v2d pair_step(const struct pair_coefs *k, struct pair *st, float l, float r)
{
	const foh_v2d bias = { 1e-20, 1e-20 }, two = { 2.0, 2.0 };
	foh_v2d x = { (double)l, (double)r };

	x = x + bias;
	foh_v2d y = k->b00 * x + st->p1;
	st->p1 = k->b01 * x - k->a01 * y + st->p2;
	st->p2 = k->b02 * x - k->a02 * y;
	foh_v2d z = y + st->q1;
	st->q1 = -two * y - k->a11 * z + st->q2;
	st->q2 = y - k->a12 * z;
	return z;
}

void foh_kweight_run2(const struct foh_kweight_coefs *c, struct foh_kweight *stl,
		struct foh_kweight *str, const float *inl, const float *inr,
		uint32_t n, double sq[2])
{
	struct pair_coefs k;
	struct pair st = pair_load(stl, str);
	foh_v2d acc = { 0.0, 0.0 };

	pair_coefs(c, &k);
	for (uint32_t i = 0; i < n; i++) {
		foh_v2d z = pair_step(&k, &st, inl[i], inr[i]);
		acc += z * z;
	}
	pair_store(&st, stl, str);
	sq[0] = acc[0];
	sq[1] = acc[1];
}

void foh_kweight_run4(const struct foh_kweight_coefs *c, struct foh_kweight *st[4],
		const float *in[4], uint32_t n, double sq[4])
{
	struct pair_coefs k;
	struct pair a = pair_load(st[0], st[1]), b = pair_load(st[2], st[3]);
	const float *i0 = in[0], *i1 = in[1], *i2 = in[2], *i3 = in[3];
	foh_v2d acc = { 0.0, 0.0 }, acc2 = { 0.0, 0.0 };

	pair_coefs(c, &k);
	/* two independent chains in one loop: their latencies overlap */
	for (uint32_t i = 0; i < n; i++) {
		foh_v2d z = pair_step(&k, &a, i0[i], i1[i]);
		foh_v2d w = pair_step(&k, &b, i2[i], i3[i]);
		acc += z * z;
		acc2 += w * w;
	}
	pair_store(&a, st[0], st[1]);
	pair_store(&b, st[2], st[3]);
	sq[0] = acc[0];
	sq[1] = acc[1];
	sq[2] = acc2[0];
	sq[3] = acc2[1];
}
