/* Meters: 100 ms RMS, 10 Hz VU with clamping, peak hold and fall, GR.
 *
 * - A sine of amplitude A reads 20 log10(A / sqrt 2) RMS within 0.01 dB
 *   once 100 ms have passed; a 2:1 level step is fully visible exactly
 *   100 ms later (window length) and not before.
 * - vu_seq advances once per 100 ms of input whatever the run sizes, and the
 *   VU value is clamped to [-60, 0] dBFS.
 * - A single 0.5 sample holds -6.02 dBFS for hold_ms, then falls at
 *   fall_db_per_s (checked 0.5 s into the fall, within 0.1 dB).
 * - The GR meter latches the largest value pushed in each 100 ms. */
#include "meter.h"
#include "test-util.h"

#define RATE	48000u

static void feed(struct foh_meter *m, double amp, double freq, uint32_t from,
		uint32_t n, uint32_t run)
{
	static float buf[8192];

	while (n > 0) {
		uint32_t k = n < run ? n : run;
		for (uint32_t i = 0; i < k; i++)
			buf[i] = (float)(freq == 0.0 ? amp :
				amp * sin(2.0 * M_PI * freq * (from + i) / RATE));
		foh_meter_run(m, buf, buf, k);
		from += k;
		n -= k;
	}
}

static void test_rms_vu(void)
{
	struct foh_meter m;
	const double amp = 0.3, want = amp_to_db(amp / sqrt(2.0));

	foh_meter_init(&m, RATE);
	feed(&m, amp, 1000.0, 0, RATE / 10, 37);
	CHECK(foh_meter_vu_seq(&m) == 1, "one VU update after 100 ms (got %u)",
			foh_meter_vu_seq(&m));
	CHECK_NEAR(foh_meter_rms_db(&m, 0), want, 0.01, "sine RMS");
	CHECK_NEAR(foh_meter_vu_db(&m, 1), want, 0.01, "VU of the sine");
	/* a 6 dB step shows fully after 100 ms, partly at 50 ms */
	feed(&m, 2.0 * amp, 1000.0, RATE / 10, RATE / 20, 480);
	CHECK(foh_meter_rms_db(&m, 0) < want + 5.0, "step not complete at 50 ms");
	feed(&m, 2.0 * amp, 1000.0, RATE * 3 / 20, RATE / 20, 1);
	CHECK_NEAR(foh_meter_rms_db(&m, 0), want + amp_to_db(2.0), 0.01,
			"step complete at 100 ms");
	CHECK(foh_meter_vu_seq(&m) == 2, "two VU updates after 200 ms");
	/* 10 s of odd run sizes: exactly 100 updates more */
	for (uint32_t t = 0; t < 10 * RATE; t += 1000)
		feed(&m, 1e-4, 0.0, 0, 1000, 333);
	CHECK(foh_meter_vu_seq(&m) == 102, "VU at 10 Hz (seq %u)",
			foh_meter_vu_seq(&m));
	CHECK_NEAR(foh_meter_vu_db(&m, 0), -60.0, 1e-6, "VU clamps at -60");
	feed(&m, 2.0, 0.0, 0, RATE / 10, 4800);
	CHECK_NEAR(foh_meter_vu_db(&m, 0), 0.0, 1e-6, "VU clamps at 0");
	printf("RMS %.4f dB (want %.4f), VU seq %u\n", want, want,
			foh_meter_vu_seq(&m));
}

static void test_peak(void)
{
	static float buf[RATE];
	struct foh_meter_params p = { .hold_ms = 500.0f, .fall_db_per_s = 20.0f };
	struct foh_meter m;

	foh_meter_init(&m, RATE);
	foh_meter_set(&m, &p);
	buf[0] = 0.5f;
	foh_meter_run(&m, buf, NULL, 1);
	buf[0] = 0.0f;
	CHECK_NEAR(foh_meter_peak_db(&m, 0), amp_to_db(0.5), 1e-4, "peak");
	foh_meter_run(&m, buf, NULL, RATE / 2 - 10);
	CHECK_NEAR(foh_meter_peak_db(&m, 0), amp_to_db(0.5), 1e-4, "held");
	foh_meter_run(&m, buf, NULL, 10 + RATE / 2);
	CHECK_NEAR(foh_meter_peak_db(&m, 0), amp_to_db(0.5) - 10.0, 0.1,
			"fell 10 dB in 0.5 s after the hold");
	printf("peak after hold + 0.5 s: %.3f dB\n", foh_meter_peak_db(&m, 0));
}

static void test_gr(void)
{
	struct foh_meter m;

	foh_meter_init(&m, RATE);
	foh_meter_push_gr(&m, 3.0f);
	foh_meter_push_gr(&m, 7.5f);
	foh_meter_push_gr(&m, 1.0f);
	feed(&m, 0.1, 0.0, 0, RATE / 10, 128);
	CHECK_NEAR(foh_meter_gr_db(&m), 7.5, 1e-6, "GR latches the maximum");
	feed(&m, 0.1, 0.0, 0, RATE / 10, 128);
	CHECK_NEAR(foh_meter_gr_db(&m), 0.0, 1e-6, "GR resets per period");
}

int main(void)
{
	test_rms_vu();
	test_peak();
	test_gr();
	return test_summary("test-meter");
}
