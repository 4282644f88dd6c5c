/* Onsets and tempo on click tracks, run the way the analyzer runs them:
 * audio -> foh_lmh (default bands) -> each band's block mean square
 * (block_rms^2) -> foh_onset.
 *
 * A click is 30 ms of noise decaying with tau 3 ms, peak 0.5, at
 * t_k = 0.1 s + k 60 / bpm, over white noise at -60 dBFS RMS. Every click
 * must give exactly one onset per band, reported at the start of a block
 * that lies within [t_k - one block, t_k + 30 ms] (the block holding the
 * click's start, or one right after it; the band-pass filters add a few ms),
 * and no other onset may be reported (but one at t = 0, where the -60 dB
 * noise floor starts from digital silence). After 10 s of audio the tempo must be
 * within 1 BPM of 90, 120 and 160; the test also prints when the estimate
 * first got there and stayed. All of it at 48 kHz in blocks of 64, 256 and
 * 1024 frames and at 44.1 kHz in blocks of 256 (time, not block counts).
 *
 * Also: silence and steady noise give no onsets (after the noise starts)
 * and no tempo; the tempo is dropped 5 s after the clicks stop; a tempo
 * change is followed; a drum pattern (kick on beats, snare on 2 and 4,
 * closed hat on eighths) at 120 BPM reads 120. */
#include <string.h>

#include "lmh.h"
#include "onset.h"
#include "test-util.h"

#define MAX_CLICKS	64
#define MAX_ONSETS	256

struct rig {
	uint32_t rate, block;
	struct foh_lmh lmh;
	struct foh_onset on;
	uint64_t pos;		/* frames run */
	uint64_t noise;
	int n_onsets[3];
	double onsets[3][MAX_ONSETS];
	double settled_at;	/* first time the tempo stayed within 1 BPM */
};

static void rig_init(struct rig *r, uint32_t rate, uint32_t block)
{
	memset(r, 0, sizeof(*r));
	r->rate = rate;
	r->block = block;
	r->noise = 0x2545f4914f6cdd1dull;
	r->settled_at = -1.0;
	foh_lmh_init(&r->lmh, rate);
	foh_onset_init(&r->on, rate);
}

/* Click track sample at frame i (clicks at t0 + k period, until stop). */
static double click_at(double t, double t0, double period, double stop,
		uint64_t *st)
{
	double x = 0.0;

	if (t >= t0 && t < stop) {
		double ph = fmod(t - t0, period);
		if (ph < 0.030)
			x = 0.5 * exp(-ph / 0.003) * test_noise(st);
	}
	return x;
}

/* Runs seconds of a click track (period 0: none), tracking onsets and the
 * tempo's convergence to want_bpm. */
static void rig_run(struct rig *r, double seconds, double t0, double period,
		double stop, double want_bpm)
{
	static float buf[1024];
	uint64_t end = r->pos + (uint64_t)(seconds * r->rate);
	const double bg = 0.001 / sqrt(1.0 / 3.0);	/* -60 dBFS RMS */

	while (r->pos + r->block <= end) {
		float ms[3];
		for (uint32_t i = 0; i < r->block; i++) {
			double t = (double)(r->pos + i) / r->rate;
			double c = period > 0.0 ? click_at(t, t0, period, stop, &r->noise) : 0.0;
			buf[i] = (float)(c + bg * test_noise(&r->noise));
		}
		foh_lmh_run(&r->lmh, buf, r->block);
		for (int b = 0; b < 3; b++)
			ms[b] = r->lmh.block_rms[b] * r->lmh.block_rms[b];
		foh_onset_run(&r->on, ms, r->block);
		r->pos += r->block;
		for (int b = 0; b < 3; b++)
			if (foh_onset_flag(&r->on, b) && r->n_onsets[b] < MAX_ONSETS)
				r->onsets[b][r->n_onsets[b]++] = foh_onset_time(&r->on);
		double bpm = foh_onset_bpm(&r->on);
		if (want_bpm > 0.0 && fabs(bpm - want_bpm) <= 1.0) {
			if (r->settled_at < 0.0)
				r->settled_at = (double)r->pos / r->rate;
		} else {
			r->settled_at = -1.0;
		}
	}
}

/* Every click matched by one onset per band, nothing else. */
static void check_onsets(struct rig *r, double t0, double period, double stop,
		const char *what)
{
	double block_s = (double)r->block / r->rate;

	for (int b = 0; b < 3; b++) {
		int matched = 0, clicks = 0;
		double worst = 0.0;
		for (double tc = t0; tc < stop; tc += period, clicks++) {
			int hits = 0;
			for (int i = 0; i < r->n_onsets[b]; i++) {
				double d = r->onsets[b][i] - tc;
				if (d >= -block_s - 1e-9 && d <= 0.030) {
					hits++;
					worst = fmax(worst, fabs(d));
				}
			}
			CHECK(hits == 1, "%s band %d: click at %.3f s has %d onsets",
					what, b, tc, hits);
			matched += hits == 1;
		}
		/* the noise floor itself starting at t = 0 may count once */
		int late = 0;
		for (int i = 0; i < r->n_onsets[b]; i++)
			late += r->onsets[b][i] >= 0.05;
		CHECK(late == clicks, "%s band %d: %d onsets for %d clicks",
				what, b, late, clicks);
		printf("  band %d: %d/%d clicks, %d onsets, worst |dt| %.1f ms\n", b,
				matched, clicks, r->n_onsets[b], worst * 1e3);
	}
}

static void test_click_track(double bpm, uint32_t rate, uint32_t block)
{
	static struct rig r;
	char what[64];
	double period = 60.0 / bpm;

	snprintf(what, sizeof(what), "%.0f BPM %u Hz /%u", bpm, rate, block);
	rig_init(&r, rate, block);
	rig_run(&r, 10.0, 0.1, period, 1e9, bpm);
	double got = foh_onset_bpm(&r.on);
	printf("%s: tempo %.2f BPM after 10 s (within 1 BPM from %.2f s), "
			"confidence %.2f\n", what, got, r.settled_at, r.on.confidence);
	CHECK_NEAR(got, bpm, 1.0, "%s: tempo", what);
	check_onsets(&r, 0.1, period, (double)r.pos / rate - 0.030, what);
}

static void test_quiet(void)
{
	static struct rig r;

	rig_init(&r, 48000, 256);
	rig_run(&r, 10.0, 0.0, 0.0, 0.0, 0.0);
	for (int b = 0; b < 3; b++) {
		/* the noise floor starting at t = 0 may count once */
		int late = 0;
		for (int i = 0; i < r.n_onsets[b]; i++)
			late += r.onsets[b][i] > 0.1;
		CHECK(late == 0, "steady noise: %d onsets in band %d", late, b);
	}
	CHECK(foh_onset_bpm(&r.on) == 0.0f, "steady noise: tempo %g",
			foh_onset_bpm(&r.on));

	static float zero[256];
	struct foh_onset on;
	foh_onset_init(&on, 48000);
	for (int k = 0; k < 2000; k++) {
		float ms[3] = { 0, 0, 0 };
		foh_onset_run(&on, ms, 256);
		for (int b = 0; b < 3; b++)
			CHECK(!foh_onset_flag(&on, b), "silence: onset");
	}
	(void)zero;
	CHECK(foh_onset_bpm(&on) == 0.0f, "silence: tempo");
}

static void test_stop_and_change(void)
{
	static struct rig r;

	rig_init(&r, 48000, 256);
	rig_run(&r, 10.0, 0.1, 0.5, 10.0, 120.0);
	CHECK_NEAR(foh_onset_bpm(&r.on), 120.0, 1.0, "before the stop");
	rig_run(&r, 4.0, 0.1, 0.5, 10.0, 0.0);
	CHECK(foh_onset_bpm(&r.on) > 0.0f, "tempo kept 4 s after the stop");
	rig_run(&r, 2.0, 0.1, 0.5, 10.0, 0.0);
	CHECK(foh_onset_bpm(&r.on) == 0.0f, "tempo %g 6 s after the stop",
			foh_onset_bpm(&r.on));

	rig_init(&r, 48000, 256);
	rig_run(&r, 10.0, 0.1, 0.5, 10.0, 120.0);
	rig_run(&r, 12.0, 10.0, 60.0 / 90.0, 1e9, 90.0);
	printf("120 -> 90 BPM at 10 s: %.2f BPM at 22 s (within 1 BPM from %.2f s)\n",
			foh_onset_bpm(&r.on), r.settled_at);
	CHECK_NEAR(foh_onset_bpm(&r.on), 90.0, 1.0, "after a tempo change");
}

/* Kick (decaying 60 Hz sine) on every beat, snare (noise, 150 ms) on 2 and
 * 4, closed hat (high-passed noise, 20 ms) on every eighth. */
static void test_pattern(void)
{
	static float buf[256];
	struct foh_lmh lmh;
	struct foh_onset on;
	const double beat = 0.5, rate = 48000;
	uint64_t st = 7;
	double hp = 0.0, prev = 0.0;

	foh_lmh_init(&lmh, 48000);
	foh_onset_init(&on, 48000);
	for (uint64_t pos = 0; pos < 10 * 48000; pos += 256) {
		float ms[3];
		for (uint32_t i = 0; i < 256; i++) {
			double t = (double)(pos + i) / rate;
			double tb = fmod(t, beat), te = fmod(t, beat / 2.0);
			int n = (int)(t / beat) % 4;
			double n0 = test_noise(&st);
			hp = 0.5 * (hp + n0 - prev);	/* crude high-pass */
			prev = n0;
			double x = 0.8 * sin(2.0 * M_PI * 60.0 * tb) * exp(-tb / 0.08);
			if (n == 1 || n == 3)
				x += 0.3 * test_noise(&st) * exp(-tb / 0.05) * (tb < 0.15);
			x += 0.2 * hp * exp(-te / 0.01) * (te < 0.02);
			buf[i] = (float)x;
		}
		foh_lmh_run(&lmh, buf, 256);
		for (int b = 0; b < 3; b++)
			ms[b] = lmh.block_rms[b] * lmh.block_rms[b];
		foh_onset_run(&on, ms, 256);
	}
	printf("drum pattern 120 BPM: %.2f BPM\n", foh_onset_bpm(&on));
	CHECK_NEAR(foh_onset_bpm(&on), 120.0, 1.0, "drum pattern");
}

static void test_validation(void)
{
	struct foh_onset_params p, q;
	char why[200];

	foh_onset_default_params(&p);
	CHECK(foh_onset_params_valid(&p, why, sizeof(why)), "defaults: %s", why);
	q = p; q.refractory_s = 0.01f;
	CHECK(!foh_onset_params_valid(&q, why, sizeof(why)), "refractory 10 ms");
	q = p; q.bpm_max = q.bpm_min + 5.0f;
	CHECK(!foh_onset_params_valid(&q, why, sizeof(why)), "narrow tempo range");
	q = p; q.gate_db = NAN;
	CHECK(!foh_onset_params_valid(&q, why, sizeof(why)), "NaN gate");
}

int main(void)
{
	static const double bpms[] = { 90.0, 120.0, 160.0 };

	for (int i = 0; i < 3; i++) {
		test_click_track(bpms[i], 48000, 256);
		test_click_track(bpms[i], 48000, 64);
		test_click_track(bpms[i], 48000, 1024);
		test_click_track(bpms[i], 44100, 256);
	}
	test_quiet();
	test_stop_and_change();
	test_pattern();
	test_validation();
	return test_summary("test-onset");
}
