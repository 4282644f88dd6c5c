/* 4x polyphase interpolator: prototype design (init time only). */
#include <math.h>
#include <string.h>

#include "oversample.h"

/* Modified Bessel function of the first kind, order 0 (series). */
static double bessel_i0(double x)
{
	double sum = 1.0, term = 1.0;

	for (int k = 1; k < 64; k++) {
		double h = x / (2.0 * k);
		term *= h * h;
		sum += term;
		if (term < sum * 1e-17)
			break;
	}
	return sum;
}

static double tap(double t, double half, double beta)
{
	double u = t / half;
	double sinc = fabs(t) < 1e-12 ? 1.0 : sin(M_PI * t) / (M_PI * t);

	if (fabs(u) >= 1.0)
		return 0.0;
	return sinc * bessel_i0(beta * sqrt(1.0 - u * u)) / bessel_i0(beta);
}

void foh_os_design(struct foh_os_coefs *c, uint32_t taps, double beta)
{
	double h[FOH_OS_PHASES][FOH_OS_MAX_TAPS];
	uint32_t half;

	taps = taps < 4 ? 4 : (taps > FOH_OS_MAX_TAPS ? FOH_OS_MAX_TAPS : taps);
	taps &= ~3u;
	half = taps / 2;
	memset(c, 0, sizeof(*c));
	c->taps = taps;
	for (uint32_t p = 0; p < FOH_OS_PHASES; p++) {
		double sum = 0.0;
		for (uint32_t k = 0; k < taps; k++) {
			/* window index k holds x[c - half + 1 + k] */
			double t = (double)(half - 1) - (double)k + p / 4.0;
			h[p][k] = p == 0 ? (k == half - 1 ? 1.0 : 0.0) :
				tap(t, (double)half, beta);
			sum += h[p][k];
		}
		for (uint32_t k = 0; k < taps; k++)
			c->c[k][p] = (float)(h[p][k] / sum);
	}
}

void foh_os_reset(struct foh_os *s)
{
	memset(s, 0, sizeof(*s));
}
