/* Biquad and EQ magnitude against the analogue prototypes.
 *
 * The RBJ filters are the bilinear transform of analogue prototypes
 * prewarped at f0, so |H(e^jw)| equals |Ha(j W)| with
 * W = tan(w/2) / tan(w0/2). This test evaluates Ha itself (nothing from
 * src/dsp) and compares:
 * - the measured gain: a sine with an integer number of cycles is run
 *   through the filter, the first 0.3 s are dropped, and the amplitude is
 *   taken by correlation with sin/cos over the rest (a DFT bin, no leakage),
 *   within 0.05 dB at 24 frequencies per filter type and setting;
 * - foh_biquad_response_db() and foh_eq_response_db() (the analytic helpers
 *   the daemon uses) within 0.01 dB;
 * - a full EQ (high-pass + 4 bands, one bypassed) the same way;
 * - a parameter change mid-signal: no output step larger than a sine of the
 *   larger amplitude can make (no click). */
#include <complex.h>
#include <string.h>

#include "eq.h"
#include "test-util.h"

#define RATE	48000u
#define NFREQ	24
#define CHUNK	4096u

/* Independent analogue prototype of each RBJ shape at W (normalised). */
static double complex proto(const struct foh_biquad_params *p, double w)
{
	double complex s = I * w;
	double q = p->q, a = pow(10.0, p->gain_db / 40.0), sa = sqrt(a);
	double complex den = s * s + s / q + 1.0;

	switch (p->type) {
	case FOH_BIQUAD_LOWPASS: return 1.0 / den;
	case FOH_BIQUAD_HIGHPASS: return s * s / den;
	case FOH_BIQUAD_BANDPASS: return (s / q) / den;
	case FOH_BIQUAD_NOTCH: return (s * s + 1.0) / den;
	case FOH_BIQUAD_ALLPASS: return (s * s - s / q + 1.0) / den;
	case FOH_BIQUAD_PEAK:
		return (s * s + s * (a / q) + 1.0) / (s * s + s / (a * q) + 1.0);
	case FOH_BIQUAD_LOWSHELF:
		return a * (s * s + (sa / q) * s + a) /
			(a * s * s + (sa / q) * s + 1.0);
	case FOH_BIQUAD_HIGHSHELF:
		return a * (a * s * s + (sa / q) * s + 1.0) /
			(s * s + (sa / q) * s + a);
	}
	return 1.0;
}

static double expected_db(const struct foh_biquad_params *p, double f,
		double rate)
{
	double w = tan(M_PI * f / rate) / tan(M_PI * p->freq / rate);
	return 20.0 * log10(cabs(proto(p, w)));
}

/* Steady-state gain in dB of the EQ at (about) f; f is moved so that the
 * measured span holds a whole number of cycles, and returned in *f. */
static double measure_db(struct foh_eq *eq, double *f)
{
	static float buf[CHUNK];
	const uint32_t settle = RATE * 3 / 10, span = RATE;
	double cycles = fmax(1.0, round(*f * span / RATE));
	double fr = cycles * RATE / span, c = 0.0, s = 0.0;

	*f = fr;
	foh_eq_reset(eq);
	for (uint32_t t = 0; t < settle + span; t += CHUNK) {
		uint32_t n = settle + span - t < CHUNK ? settle + span - t : CHUNK;
		for (uint32_t i = 0; i < n; i++)
			buf[i] = (float)(0.25 * sin(2.0 * M_PI * fr * (t + i) / RATE));
		foh_eq_run(eq, buf, NULL, buf, NULL, n);
		for (uint32_t i = 0; i < n; i++) {
			if (t + i < settle)
				continue;
			double ph = 2.0 * M_PI * fr * (t + i) / RATE;
			c += buf[i] * cos(ph);
			s += buf[i] * sin(ph);
		}
	}
	return 20.0 * log10(2.0 * sqrt(c * c + s * s) / span / 0.25);
}

static void set_single(struct foh_eq *eq, const struct foh_biquad_params *bp)
{
	struct foh_eq_params p;

	foh_eq_default_params(&p);
	p.band[1].on = true;
	p.band[1].filter = *bp;
	foh_eq_set(eq, &p);
	foh_eq_reset(eq);	/* settle the coefficient ramp at once */
}

static void check_filter(const struct foh_biquad_params *bp)
{
	struct foh_eq eq;
	int worst_i = 0;
	double worst = 0.0;

	foh_eq_init(&eq, RATE);
	set_single(&eq, bp);
	for (int i = 0; i < NFREQ; i++) {
		double f = 20.0 * pow(1000.0, (double)i / (NFREQ - 1));
		double got = measure_db(&eq, &f);
		double want = expected_db(bp, f, RATE);
		double helper = foh_eq_response_db(&eq, f);

		CHECK_NEAR(helper, want, 0.01, "%s helper at %.1f Hz",
				foh_biquad_type_name(bp->type), f);
		if (want < -40.0) {
			/* deep in a stop band compare amplitudes, not dB */
			CHECK(fabs(pow(10, got / 20) - pow(10, want / 20)) < 1e-3,
					"%s at %.1f Hz: %.2f dB vs %.2f dB",
					foh_biquad_type_name(bp->type), f, got, want);
			continue;
		}
		CHECK_NEAR(got, want, 0.05, "%s f0 %.0f q %.2f g %.1f at %.1f Hz",
				foh_biquad_type_name(bp->type), bp->freq, bp->q,
				bp->gain_db, f);
		if (fabs(got - want) > worst) {
			worst = fabs(got - want);
			worst_i = i;
		}
	}
	printf("%-9s f0 %6.0f q %4.2f gain %5.1f: %d freqs, worst |err| %.4f dB (#%d)\n",
			foh_biquad_type_name(bp->type), bp->freq, bp->q,
			bp->gain_db, NFREQ, worst, worst_i);
}

static void test_types(void)
{
	static const struct foh_biquad_params cases[] = {
		{ FOH_BIQUAD_LOWPASS, 1000.0f, 0.707f, 0.0f },
		{ FOH_BIQUAD_LOWPASS, 8000.0f, 2.0f, 0.0f },
		{ FOH_BIQUAD_HIGHPASS, 80.0f, 0.707f, 0.0f },
		{ FOH_BIQUAD_HIGHPASS, 30.0f, 1.2f, 0.0f },
		{ FOH_BIQUAD_BANDPASS, 700.0f, 1.5f, 0.0f },
		{ FOH_BIQUAD_PEAK, 250.0f, 1.0f, 9.0f },
		{ FOH_BIQUAD_PEAK, 3000.0f, 4.0f, -12.0f },
		{ FOH_BIQUAD_LOWSHELF, 120.0f, 0.707f, 6.0f },
		{ FOH_BIQUAD_LOWSHELF, 400.0f, 0.5f, -9.0f },
		{ FOH_BIQUAD_HIGHSHELF, 6000.0f, 0.707f, -6.0f },
		{ FOH_BIQUAD_HIGHSHELF, 2500.0f, 1.0f, 4.5f },
		{ FOH_BIQUAD_NOTCH, 60.0f, 5.0f, 0.0f },
		{ FOH_BIQUAD_NOTCH, 1500.0f, 2.0f, 0.0f },
		{ FOH_BIQUAD_ALLPASS, 1000.0f, 0.707f, 0.0f },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_filter(&cases[i]);
}

/* HPF + 4 bands (band 3 bypassed): measured against the summed prototypes. */
static void test_full_eq(void)
{
	struct foh_eq_params p;
	struct foh_eq eq;
	double worst = 0.0;

	foh_eq_default_params(&p);
	p.hpf_on = true;
	p.hpf_freq = 90.0f;
	p.hpf_q = 0.707f;
	p.band[0] = (struct foh_eq_band){ true, { FOH_BIQUAD_LOWSHELF, 200.0f, 0.707f, 4.0f } };
	p.band[1] = (struct foh_eq_band){ true, { FOH_BIQUAD_PEAK, 900.0f, 1.4f, -5.0f } };
	p.band[2] = (struct foh_eq_band){ false, { FOH_BIQUAD_PEAK, 2000.0f, 2.0f, 12.0f } };
	p.band[3] = (struct foh_eq_band){ true, { FOH_BIQUAD_HIGHSHELF, 7000.0f, 0.707f, 3.0f } };
	foh_eq_init(&eq, RATE);
	foh_eq_set(&eq, &p);
	foh_eq_reset(&eq);
	for (int i = 0; i < NFREQ; i++) {
		double f = 25.0 * pow(800.0, (double)i / (NFREQ - 1));
		double got = measure_db(&eq, &f);
		struct foh_biquad_params hp = { FOH_BIQUAD_HIGHPASS, 90.0f, 0.707f, 0.0f };
		double want = expected_db(&hp, f, RATE);
		for (int b = 0; b < FOH_EQ_BANDS; b++)
			if (p.band[b].on)
				want += expected_db(&p.band[b].filter, f, RATE);
		CHECK_NEAR(got, want, 0.05, "full EQ at %.1f Hz", f);
		CHECK_NEAR(foh_eq_params_response_db(&p, RATE, f), want, 0.01,
				"full EQ helper at %.1f Hz", f);
		worst = fmax(worst, fabs(got - want));
	}
	printf("full EQ (hpf + 3 of 4 bands): %d freqs, worst |err| %.4f dB\n",
			NFREQ, worst);
}

/* Switch a +12 dB peak on mid-sine: the output may not step faster than
 * the largest sine involved can move per sample. */
static void test_no_click(void)
{
	static float buf[RATE];
	const double f = 1000.0, amp = 0.25;
	struct foh_eq_params p;
	struct foh_eq eq;
	double max_step = 0.0;

	foh_eq_default_params(&p);
	foh_eq_init(&eq, RATE);
	foh_eq_set(&eq, &p);
	for (uint32_t i = 0; i < RATE; i++)
		buf[i] = (float)(amp * sin(2.0 * M_PI * f * i / RATE));
	foh_eq_run(&eq, buf, NULL, buf, NULL, RATE / 2);
	p.band[2] = (struct foh_eq_band){ true, { FOH_BIQUAD_PEAK, 1000.0f, 1.0f, 12.0f } };
	foh_eq_set(&eq, &p);
	foh_eq_run(&eq, buf + RATE / 2, NULL, buf + RATE / 2, NULL, RATE / 2);
	for (uint32_t i = RATE / 2 - 100; i < RATE; i++)
		max_step = fmax(max_step, fabs(buf[i] - buf[i - 1]));
	/* a sine of amplitude A moves at most 2 pi f A / fs per sample */
	double bound = 2.0 * M_PI * f * amp * db_to_amp(12.0) / RATE;
	CHECK(max_step <= bound * 1.05, "EQ change steps %.5f > %.5f", max_step,
			bound);
	printf("EQ +12 dB switch-on: largest step %.5f, sine bound %.5f\n",
			max_step, bound);
}

int main(void)
{
	test_types();
	test_full_eq();
	test_no_click();
	return test_summary("test-eq");
}
