/* DSP benchmarks: ns per stereo frame for every block and for the full
 * strip (gate -> compressor -> 4-band EQ + HPF -> limiter -> meters ->
 * loudness) with true peak on and off, at quanta 64, 256 and 1024; and ns
 * per loudness 100 ms update. The effects: fx_chorus (4 voices), fx_delay
 * (ping-pong, high-cut), fx_reverb (6 s, size 1), fx_width (150 %),
 * fx_all (the four in strip order) and strip_fx (the full strip with all
 * four effects between the EQ and the limiter), each at 50 % mix. The input is 4 s of stereo noise with a
 * slowly moving level around -20 dBFS and loud bursts, so every dynamics
 * block is working. Each figure is the best of 5 passes over the 4 s.
 * Prints: BENCH <name> ns_per_frame=<x> quantum=<n>
 * And the effects' decaying tails: fx_all after 4 s of loud noise, then
 * 10 min of silence at quantum 256, timed over the first and the last
 * 10 s of the silence (BENCH fx_tail_silence first_ns_per_frame=…
 * last_ns_per_frame=…): a tail gone subnormal would make the last figure
 * many times the first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "foh-dsp.h"

#define RATE	48000u
#define LEN	(4 * RATE)
#define PASSES	5

static float in_l[LEN], in_r[LEN], buf_l[LEN], buf_r[LEN];

struct strip {
	struct foh_gate gate;
	struct foh_comp comp;
	struct foh_eq eq;
	struct foh_limiter lim;
	struct foh_meter meter;
	struct foh_loudness loud;
	struct foh_chorus chorus;
	struct foh_delay delay;
	struct foh_reverb reverb;
	struct foh_width width;
};

static struct strip st;

enum which { GATE, COMP, EQ, LIM, LIM_TP, METER, LOUD, LOUD_TP, STRIP,
	STRIP_TP, CHORUS, DELAY, REVERB, WIDTH, FX_ALL, STRIP_FX, NWHICH };
static const char *const names[] = { "gate", "comp", "eq", "limiter",
	"limiter_tp", "meter", "loudness", "loudness_tp", "strip", "strip_tp",
	"fx_chorus", "fx_delay", "fx_reverb", "fx_width", "fx_all", "strip_fx" };

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void setup(bool tp)
{
	struct foh_gate_params gp;
	struct foh_comp_params cp;
	struct foh_eq_params ep;
	struct foh_limiter_params lp = { -1.0f, 50.0f, tp };
	struct foh_loudness_params lo = { tp };

	foh_gate_init(&st.gate, RATE);
	foh_gate_default_params(&gp);
	foh_gate_set(&st.gate, &gp);
	foh_comp_init(&st.comp, RATE);
	foh_comp_default_params(&cp);
	cp.makeup_db = 6.0f;
	foh_comp_set(&st.comp, &cp);
	foh_eq_init(&st.eq, RATE);
	foh_eq_default_params(&ep);
	ep.hpf_on = true;
	for (int i = 0; i < FOH_EQ_BANDS; i++) {
		ep.band[i].on = true;
		ep.band[i].filter.gain_db = i % 2 ? -3.0f : 4.0f;
	}
	foh_eq_set(&st.eq, &ep);
	foh_limiter_init(&st.lim, RATE);
	foh_limiter_set(&st.lim, &lp);
	foh_meter_init(&st.meter, RATE);
	foh_loudness_init(&st.loud, RATE);
	foh_loudness_set(&st.loud, &lo);
	{
		struct foh_chorus_params chp = { 1.0f, 4.0f, 4, 0.5f, 1.0f };
		struct foh_delay_params dp = { 375.0f, 0.5f, 0.5f, 6000.0f, true };
		struct foh_reverb_params rp = { 6.0f, 20.0f, 0.5f, 1.0f, 0.5f };
		struct foh_width_params wp = { 1.5f };

		foh_chorus_free(&st.chorus);
		foh_delay_free(&st.delay);
		foh_reverb_free(&st.reverb);
		if (foh_chorus_init(&st.chorus, RATE) < 0 || foh_delay_init(&st.delay, RATE) < 0 ||
		    foh_reverb_init(&st.reverb, RATE) < 0)
			abort();
		foh_chorus_set(&st.chorus, &chp);
		foh_delay_set(&st.delay, &dp);
		foh_reverb_set(&st.reverb, &rp);
		foh_width_init(&st.width, RATE);
		foh_width_set(&st.width, &wp);
	}
}

static void run_fx(float *l, float *r, uint32_t n)
{
	foh_chorus_run(&st.chorus, l, r, l, r, n);
	foh_delay_run(&st.delay, l, r, l, r, n);
	foh_reverb_run(&st.reverb, l, r, l, r, n);
	foh_width_run(&st.width, l, r, l, r, n);
}

static void run_one(enum which w, float *l, float *r, uint32_t n)
{
	switch (w) {
	case GATE: foh_gate_run(&st.gate, l, r, l, r, n); break;
	case COMP: foh_comp_run(&st.comp, l, r, l, r, n); break;
	case EQ: foh_eq_run(&st.eq, l, r, l, r, n); break;
	case LIM: case LIM_TP: foh_limiter_run(&st.lim, l, r, l, r, n); break;
	case METER: foh_meter_run(&st.meter, l, r, n); break;
	case LOUD: case LOUD_TP: foh_loudness_run(&st.loud, l, r, n); break;
	case CHORUS: foh_chorus_run(&st.chorus, l, r, l, r, n); break;
	case DELAY: foh_delay_run(&st.delay, l, r, l, r, n); break;
	case REVERB: foh_reverb_run(&st.reverb, l, r, l, r, n); break;
	case WIDTH: foh_width_run(&st.width, l, r, l, r, n); break;
	case FX_ALL: run_fx(l, r, n); break;
	default:
		foh_gate_run(&st.gate, l, r, l, r, n);
		foh_comp_run(&st.comp, l, r, l, r, n);
		foh_eq_run(&st.eq, l, r, l, r, n);
		if (w == STRIP_FX)
			run_fx(l, r, n);
		foh_limiter_run(&st.lim, l, r, l, r, n);
		foh_meter_run(&st.meter, l, r, n);
		foh_meter_push_gr(&st.meter, foh_comp_max_reduction_db(&st.comp));
		foh_loudness_run(&st.loud, l, r, n);
		break;
	}
}

static double bench(enum which w, uint32_t quantum)
{
	double best = 1e30;

	setup(w == LIM_TP || w == LOUD_TP || w == STRIP_TP);
	for (int p = 0; p < PASSES; p++) {
		memcpy(buf_l, in_l, sizeof(buf_l));
		memcpy(buf_r, in_r, sizeof(buf_r));
		double t0 = now_ns();
		for (uint32_t t = 0; t + quantum <= LEN; t += quantum)
			run_one(w, buf_l + t, buf_r + t, quantum);
		double dt = now_ns() - t0;
		best = dt < best ? dt : best;
	}
	return best / (double)(LEN / quantum * quantum);
}

static void bench_loudness_update(void)
{
	const int n = 200000;
	double best = 1e30;

	for (int p = 0; p < PASSES; p++) {
		foh_loudness_init(&st.loud, RATE);
		double t0 = now_ns();
		for (int i = 0; i < n; i++)
			foh_loudness_push_block(&st.loud,
					1e-3 * (1.0 + 0.9 * sin(i * 0.01)));
		double dt = now_ns() - t0;
		best = dt < best ? dt : best;
	}
	printf("BENCH loudness_update ns_per_update=%.1f\n", best / n);
}

static void bench_tail_silence(void)
{
	const uint32_t q = 256, ten_s = 10 * RATE / q, blocks = 600 * RATE / q;
	static float l[256], r[256];
	double first = 0, last = 0;

	setup(false);
	memcpy(buf_l, in_l, sizeof(buf_l));
	memcpy(buf_r, in_r, sizeof(buf_r));
	for (uint32_t i = 0; i < LEN; i++) {
		buf_l[i] *= 8.0f;
		buf_r[i] *= 8.0f;
	}
	for (uint32_t t = 0; t + q <= LEN; t += q)
		run_fx(buf_l + t, buf_r + t, q);
	for (uint32_t b = 0; b < blocks; b++) {
		double t0;

		memset(l, 0, sizeof(l));
		memset(r, 0, sizeof(r));
		t0 = now_ns();
		run_fx(l, r, q);
		if (b < ten_s)
			first += now_ns() - t0;
		else if (b >= blocks - ten_s)
			last += now_ns() - t0;
	}
	printf("BENCH fx_tail_silence first_ns_per_frame=%.2f last_ns_per_frame=%.2f "
			"quantum=%u silence_s=600\n", first / (ten_s * q), last / (ten_s * q), q);
}

int main(void)
{
	static const uint32_t quanta[] = { 64, 256, 1024 };
	uint64_t x = 88172645463325252ull;

	for (uint32_t i = 0; i < LEN; i++) {
		double t = (double)i / RATE;
		double lvl = 0.1 * (1.0 + 0.8 * sin(2.0 * M_PI * 0.5 * t));
		if ((i / 12000) % 7 == 3)
			lvl = 0.9;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		double u = (double)(x >> 11) / 9007199254740992.0 - 0.5;
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		double v = (double)(x >> 11) / 9007199254740992.0 - 0.5;
		in_l[i] = (float)(lvl * (u + 0.3 * sin(2.0 * M_PI * 220.0 * t)));
		in_r[i] = (float)(lvl * (v + 0.3 * sin(2.0 * M_PI * 330.0 * t)));
	}
	for (int w = 0; w < NWHICH; w++)
		for (int q = 0; q < 3; q++)
			printf("BENCH %s ns_per_frame=%.2f quantum=%u\n", names[w],
					bench(w, quanta[q]), quanta[q]);
	bench_loudness_update();
	bench_tail_silence();
	return 0;
}
