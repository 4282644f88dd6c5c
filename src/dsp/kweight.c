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

void foh_kweight_run2(const struct foh_kweight_coefs *c, struct foh_kweight *stl,
		struct foh_kweight *str, const float *inl, const float *inr,
		uint32_t n, double sq[2])
{
	const foh_v2d b00 = { c->b[0][0], c->b[0][0] }, b01 = { c->b[0][1], c->b[0][1] };
	const foh_v2d b02 = { c->b[0][2], c->b[0][2] };
	const foh_v2d a01 = { c->a[0][0], c->a[0][0] }, a02 = { c->a[0][1], c->a[0][1] };
	const foh_v2d a11 = { c->a[1][0], c->a[1][0] }, a12 = { c->a[1][1], c->a[1][1] };
	const foh_v2d bias = { 1e-20, 1e-20 }, two = { 2.0, 2.0 };
	foh_v2d p1 = { stl->z[0][0], str->z[0][0] }, p2 = { stl->z[0][1], str->z[0][1] };
	foh_v2d q1 = { stl->z[1][0], str->z[1][0] }, q2 = { stl->z[1][1], str->z[1][1] };
	foh_v2d acc = { 0.0, 0.0 };

	for (uint32_t i = 0; i < n; i++) {
		foh_v2d x = { (double)inl[i], (double)inr[i] };
		x = x + bias;
		foh_v2d y = b00 * x + p1;
		p1 = b01 * x - a01 * y + p2;
		p2 = b02 * x - a02 * y;
		foh_v2d z = y + q1;
		q1 = -two * y - a11 * z + q2;
		q2 = y - a12 * z;
		acc += z * z;
	}
	stl->z[0][0] = p1[0];
	str->z[0][0] = p1[1];
	stl->z[0][1] = p2[0];
	str->z[0][1] = p2[1];
	stl->z[1][0] = q1[0];
	str->z[1][0] = q1[1];
	stl->z[1][1] = q2[0];
	str->z[1][1] = q2[1];
	sq[0] = acc[0];
	sq[1] = acc[1];
}

void foh_kweight_run4(const struct foh_kweight_coefs *c, struct foh_kweight *st[4],
		const float *in[4], uint32_t n, double sq[4])
{
	const foh_v2d b00 = { c->b[0][0], c->b[0][0] }, b01 = { c->b[0][1], c->b[0][1] };
	const foh_v2d b02 = { c->b[0][2], c->b[0][2] };
	const foh_v2d a01 = { c->a[0][0], c->a[0][0] }, a02 = { c->a[0][1], c->a[0][1] };
	const foh_v2d a11 = { c->a[1][0], c->a[1][0] }, a12 = { c->a[1][1], c->a[1][1] };
	const foh_v2d bias = { 1e-20, 1e-20 }, two = { 2.0, 2.0 };
	const float *i0 = in[0], *i1 = in[1], *i2 = in[2], *i3 = in[3];
	foh_v2d p1 = { st[0]->z[0][0], st[1]->z[0][0] }, p2 = { st[0]->z[0][1], st[1]->z[0][1] };
	foh_v2d q1 = { st[0]->z[1][0], st[1]->z[1][0] }, q2 = { st[0]->z[1][1], st[1]->z[1][1] };
	foh_v2d r1 = { st[2]->z[0][0], st[3]->z[0][0] }, r2 = { st[2]->z[0][1], st[3]->z[0][1] };
	foh_v2d t1 = { st[2]->z[1][0], st[3]->z[1][0] }, t2 = { st[2]->z[1][1], st[3]->z[1][1] };
	foh_v2d acc = { 0.0, 0.0 }, acc2 = { 0.0, 0.0 };

	for (uint32_t i = 0; i < n; i++) {
		foh_v2d x = { (double)i0[i], (double)i1[i] };
		foh_v2d u = { (double)i2[i], (double)i3[i] };
		x = x + bias;
		u = u + bias;
		foh_v2d y = b00 * x + p1;
		foh_v2d v = b00 * u + r1;
		p1 = b01 * x - a01 * y + p2;
		r1 = b01 * u - a01 * v + r2;
		p2 = b02 * x - a02 * y;
		r2 = b02 * u - a02 * v;
		foh_v2d z = y + q1;
		foh_v2d w = v + t1;
		q1 = -two * y - a11 * z + q2;
		t1 = -two * v - a11 * w + t2;
		q2 = y - a12 * z;
		t2 = v - a12 * w;
		acc += z * z;
		acc2 += w * w;
	}
	st[0]->z[0][0] = p1[0];
	st[1]->z[0][0] = p1[1];
	st[0]->z[0][1] = p2[0];
	st[1]->z[0][1] = p2[1];
	st[0]->z[1][0] = q1[0];
	st[1]->z[1][0] = q1[1];
	st[0]->z[1][1] = q2[0];
	st[1]->z[1][1] = q2[1];
	st[2]->z[0][0] = r1[0];
	st[3]->z[0][0] = r1[1];
	st[2]->z[0][1] = r2[0];
	st[3]->z[0][1] = r2[1];
	st[2]->z[1][0] = t1[0];
	st[3]->z[1][0] = t1[1];
	st[2]->z[1][1] = t2[0];
	st[3]->z[1][1] = t2[1];
	sq[0] = acc[0];
	sq[1] = acc[1];
	sq[2] = acc2[0];
	sq[3] = acc2[1];
}
