/* Gate timings, hysteresis and force-open.
 *
 * The input is DC at a few levels (quiet -70, between the thresholds -45,
 * loud -20 dBFS) so the key is exact; the gain is out/in per frame. With
 * open -40, close -50, attack 2 ms, hold 20 ms, release 50 ms and range
 * 60 dB at 48 kHz the test expects, from the definitions in gate.h:
 * - opening on the first loud frame, reaching 0 dB attack frames later and
 *   -30 dB halfway (the ramp is linear in dB);
 * - a level between the thresholds neither opens a closed gate nor closes
 *   an open one;
 * - after the key falls below close, unity for exactly hold frames, then
 *   -30 dB halfway through release and -60 dB after release frames;
 * - force open opens a gate on a quiet input and lets it close again after
 *   hold + release once cleared. Timing tolerance is 2 frames.
 * Open and closed paths: a gate and one forced to step every frame give the same output
 * to the bit (and the same open/closed state after every run) on a tone
 * with gaps shorter and longer than the hold, a tone between the
 * thresholds and force-open spells, in random run sizes, mono and stereo. */
#include <string.h>

#include "gate.h"
#include "test-util.h"

#define RATE	48000u
#define LEN	(2 * RATE)

static float in[LEN], out[LEN];
static bool is_open[LEN];

static uint32_t ms(double v)
{
	return (uint32_t)(v * RATE / 1000.0 + 0.5);
}

static double gain_db(uint32_t i)
{
	return amp_to_db(out[i] / in[i]);
}

/* First frame in [from, to) where the gain crosses to >= (up) or <= db. */
static int64_t first_cross(uint32_t from, uint32_t to, double db, bool up)
{
	for (uint32_t i = from; i < to; i++)
		if (up ? gain_db(i) >= db : gain_db(i) <= db)
			return i;
	return -1;
}

static void render(struct foh_gate *g, uint32_t force_from, uint32_t force_to)
{
	for (uint32_t i = 0; i < LEN; i++) {
		foh_gate_force_open(g, i >= force_from && i < force_to);
		foh_gate_run(g, in + i, NULL, out + i, NULL, 1);
		is_open[i] = foh_gate_is_open(g);
	}
}

static void fill(uint32_t from, uint32_t to, double db)
{
	for (uint32_t i = from; i < to; i++)
		in[i] = (float)db_to_amp(db);
}

static void test_open_same(bool stereo)
{
	static float il[1000], ir[1000], al[1000], ar[1000], pl[1000], pr[1000];
	static struct foh_gate a, b;
	struct foh_gate_params p = {
		.open_db = -40, .close_db = -50, .attack_ms = 2, .hold_ms = 20,
		.release_ms = 50, .range_db = 60,
	};
	uint64_t rng = 5, diff = 0;

	foh_gate_init(&a, RATE);
	foh_gate_init(&b, RATE);
	b.per_frame = true;
	foh_gate_set(&a, &p);
	foh_gate_set(&b, &p);
	for (uint32_t t = 0; t < 6 * RATE; ) {
		uint32_t n = 1 + (uint32_t)(test_rand(&rng) * 999);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t f = t + i, ms10 = f / (RATE / 100);
			/* per 100 ms: tone 60 ms, then a gap of 10 ms (under the
			 * hold) or 40 ms; every seventh 100 ms between the
			 * thresholds; the fifth second silent but for the gaps'
			 * -80 dBFS, the sixth 2 dB over the open threshold */
			bool gap = f % (RATE / 10) >= RATE / 10 - (ms10 / 10 % 3 == 0 ?
					RATE / 25 : RATE / 100);
			double amp = ms10 / 10 % 7 == 6 ? db_to_amp(-42) :
				f / RATE == 5 ? db_to_amp(-38) : 0.3;
			gap = gap || f / RATE == 4;
			il[i] = gap ? 1e-4f : (float)(amp * sin(2.0 * M_PI * 440.0 * f / RATE));
			ir[i] = gap ? 0.0f : (float)(amp * sin(2.0 * M_PI * 330.0 * f / RATE));
		}
		bool force = (t / RATE) % 3 == 2;
		foh_gate_force_open(&a, force);
		foh_gate_force_open(&b, force);
		foh_gate_run(&a, il, stereo ? ir : NULL, al, stereo ? ar : NULL, n);
		foh_gate_run(&b, il, stereo ? ir : NULL, pl, stereo ? pr : NULL, n);
		diff += memcmp(al, pl, n * sizeof(float)) != 0;
		diff += stereo && memcmp(ar, pr, n * sizeof(float)) != 0;
		diff += foh_gate_is_open(&a) != foh_gate_is_open(&b);
		diff += a.hold_left != b.hold_left;
		t += n;
	}
	CHECK(a.opens > 250, "the open path ran for %llu runs only", (unsigned long long)a.opens);
	CHECK(a.closes > 20, "the closed path ran for %llu runs only", (unsigned long long)a.closes);
	CHECK(b.opens == 0 && b.closes == 0, "the per-frame gate took a shortcut");
	CHECK(diff == 0, "%s: open path and per frame differ in %llu runs",
			stereo ? "stereo" : "mono", (unsigned long long)diff);
}

int main(void)
{
	const uint32_t att = ms(2), hold = ms(20), rel = ms(50);
	const uint32_t t1 = ms(200), t2 = ms(500), t3 = ms(800), t4 = ms(1000);
	const uint32_t t5 = ms(1300), t6 = ms(1600);
	struct foh_gate_params p = {
		.open_db = -40, .close_db = -50, .attack_ms = 2, .hold_ms = 20,
		.release_ms = 50, .range_db = 60,
	};
	struct foh_gate g;

	test_open_same(true);
	test_open_same(false);
	foh_gate_init(&g, RATE);
	foh_gate_set(&g, &p);
	foh_gate_reset(&g);
	fill(0, t1, -70);
	fill(t1, t2, -20);
	fill(t2, t3, -45);
	fill(t3, t4, -70);
	fill(t4, t5, -45);
	fill(t5, LEN, -70);
	render(&g, t5, t6);

	CHECK_NEAR(gain_db(t1 - 1), -60.0, 0.01, "closed gain");
	CHECK(!is_open[t1 - 1] && is_open[t1], "opens on the first loud frame");
	CHECK_NEAR((double)first_cross(t1, t2, -0.001, true), t1 + att - 1, 2,
			"attack reaches 0 dB");
	CHECK_NEAR(gain_db(t1 + att / 2 - 1), -30.0, 0.5, "attack halfway");
	CHECK(first_cross(t2, t3, -0.001, false) < 0,
			"between thresholds an open gate stays open");
	CHECK_NEAR((double)first_cross(t3, t4, -0.001, false), t3 + hold, 2,
			"hold before release");
	CHECK(is_open[t3 + hold - 1] && !is_open[t3 + hold], "closes after hold");
	CHECK_NEAR(gain_db(t3 + hold + rel / 2 - 1), -30.0, 0.5,
			"release halfway");
	CHECK_NEAR((double)first_cross(t3, t4, -59.999, false),
			t3 + hold + rel - 1, 2, "release reaches -60 dB");
	CHECK(first_cross(t4, t5, -59.9, true) < 0,
			"between thresholds a closed gate stays closed");
	CHECK(is_open[t5] && !is_open[t5 - 1], "force open opens at once");
	CHECK_NEAR((double)first_cross(t5, t6, -0.001, true), t5 + att - 1, 2,
			"forced attack reaches 0 dB");
	CHECK_NEAR((double)first_cross(t6, LEN, -0.001, false), t6 + hold, 2,
			"force cleared: hold, then release");
	CHECK_NEAR((double)first_cross(t6, LEN, -59.999, false),
			t6 + hold + rel - 1, 2, "force cleared: closed after release");
	CHECK_NEAR(foh_gate_gain_db(&g), -60.0, 0.01, "closed at the end");

	printf("attack %u frames: 0 dB at +%lld; hold %u: release from +%lld; "
			"release %u: -60 dB at +%lld\n", att,
			(long long)(first_cross(t1, t2, -0.001, true) - t1 + 1), hold,
			(long long)(first_cross(t3, t4, -0.001, false) - t3), rel,
			(long long)(first_cross(t3, t4, -59.999, false) - t3 - hold + 1));
	return test_summary("test-gate");
}
