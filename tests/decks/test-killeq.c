/* The 3-band kill EQ against the Linkwitz-Riley formulas: with every band
 * at 0 dB a sine at 50 Hz .. 15 kHz passes at 0 dB (±0.05 dB: the sum is
 * an all-pass); with the low band killed, a sine at f comes out at the
 * 4th-order high-pass magnitude W^4 / (1 + W^4), fc = 250 Hz (±0.5 dB);
 * with the high band killed, at the low-pass magnitude 1 / (1 + W^4),
 * fc = 2500 Hz, where W = tan(pi f / rate) / tan(pi fc / rate) is the
 * bilinear transform's frequency; and the percent mapping of the
 * original (0 kills, 50 is flat, 25 is half the maximum cut). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "killeq.h"

static int failures, checks;

#define CHECK(cond, ...) do { checks++; if (!(cond)) { failures++; \
	printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); printf("\n"); } } while (0)

#define RATE 48000
#define N (RATE / 2)

static float buf[N * 2];

/* Output level (dB re input) of a sine at hz through the EQ, after 0.3 s. */
static double gain_db(const struct foh_killeq_params *p, double hz)
{
	struct foh_killeq eq;
	double in = 0.0, out = 0.0;

	foh_killeq_init(&eq, RATE);
	foh_killeq_set(&eq, p);
	foh_killeq_reset(&eq);
	for (int i = 0; i < N; i++)
		buf[2 * i] = buf[2 * i + 1] = (float)sin(2 * M_PI * hz * i / RATE);
	for (int i = RATE * 3 / 10; i < N; i++)
		in += (double)buf[2 * i] * buf[2 * i];
	foh_killeq_run(&eq, buf, N);
	for (int i = RATE * 3 / 10; i < N; i++)
		out += (double)buf[2 * i] * buf[2 * i];
	return 10.0 * log10(out / in);
}

static double lr4_db(double f, double fc, bool high)
{
	/* the analog prototype through the bilinear transform, prewarped at fc */
	double r = pow(tan(M_PI * f / RATE) / tan(M_PI * fc / RATE), 4.0);

	return 20.0 * log10(high ? r / (1.0 + r) : 1.0 / (1.0 + r));
}

int main(void)
{
	const double freqs[] = { 50, 100, 250, 700, 1000, 2500, 5000, 15000 };
	struct foh_killeq_params p;

	foh_killeq_default_params(&p);
	for (size_t i = 0; i < sizeof(freqs) / sizeof(freqs[0]); i++) {
		double g = gain_db(&p, freqs[i]);
		CHECK(fabs(g) < 0.05, "flat at %g Hz: %.3f dB", freqs[i], g);
	}
	p.gain_db[FOH_KILLEQ_LOW] = -100.0f;
	for (size_t i = 0; i < 4; i++) {
		double g = gain_db(&p, freqs[i]), want = lr4_db(freqs[i], 250.0, true);
		CHECK(fabs(g - want) < 0.5, "low killed at %g Hz: %.2f dB, want %.2f", freqs[i], g, want);
	}
	foh_killeq_default_params(&p);
	p.gain_db[FOH_KILLEQ_HIGH] = -80.0f;
	for (size_t i = 4; i < 8; i++) {
		double g = gain_db(&p, freqs[i]), want = lr4_db(freqs[i], 2500.0, false);
		CHECK(fabs(g - want) < 0.5, "high killed at %g Hz: %.2f dB, want %.2f", freqs[i], g, want);
	}
	foh_killeq_default_params(&p);
	p.gain_db[FOH_KILLEQ_MID] = 6.0f;
	CHECK(fabs(gain_db(&p, 800.0) - 6.0) < 0.5, "mid +6 dB at 800 Hz: %.2f", gain_db(&p, 800.0));
	CHECK(foh_killeq_percent_to_db(0, 24) <= FOH_KILLEQ_KILL_DB, "0 %% kills");
	CHECK(foh_killeq_percent_to_db(50, 24) == 0.0, "50 %% is flat");
	CHECK(fabs(foh_killeq_percent_to_db(25, 24) + 12.0) < 1e-9, "25 %% is -12 dB");
	CHECK(fabs(foh_killeq_percent_to_db(100, 24) - 6.0) < 1e-9, "100 %% is +6 dB");
	printf("killeq: %d checks, %d failures\n", checks, failures);
	return failures ? 1 : 0;
}
