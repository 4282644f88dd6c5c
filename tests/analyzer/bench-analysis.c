/* Analyzer DSP benchmarks, 48 kHz. The input is 4 s of noise with a
 * moving level, a 220 Hz tone and clicks every 0.5 s, so every band, the
 * auto-scaler and the onset detector are working. Each figure is the best
 * of 5 passes.
 *   BENCH lmh ns_per_block=<x> block=<n>            (order 2, and order 8)
 *   BENCH fft_hop ns_per_hop=<x> window=<w> bins=<b> push + window + FFT +
 *                                                   log bins + post
 *   BENCH onset ns_per_block=<x> block=<n>          mean, tempo included
 *   BENCH onset_max ns_per_block=<x> block=<n>      slowest block (tempo
 *                                                   update, every 250 ms),
 *                                                   best pass */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lmh.h"
#include "onset.h"
#include "spectrum.h"
#include "test-util.h"

#define RATE	48000u
#define LEN	(4 * RATE)
#define PASSES	5

static float in[LEN];

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void bench_lmh(uint32_t block, uint32_t order)
{
	static struct foh_lmh s;
	struct foh_lmh_params p;
	double best = 1e30;

	foh_lmh_init(&s, RATE);
	foh_lmh_default_params(&p);
	p.order = order;
	foh_lmh_set(&s, &p);
	foh_lmh_reset(&s);
	for (int k = 0; k < PASSES; k++) {
		double t0 = now_ns();
		for (uint32_t t = 0; t + block <= LEN; t += block)
			foh_lmh_run(&s, in + t, block);
		best = fmin(best, now_ns() - t0);
	}
	printf("BENCH %s ns_per_block=%.0f block=%u\n", order == 2 ? "lmh" :
			"lmh_order8", best / (LEN / block), block);
}

static void bench_fft(uint32_t window, uint32_t bins)
{
	struct foh_spectrum_params p;
	struct foh_spectrum *s = NULL;
	static float out[FOH_SPECTRUM_MAX_BINS];
	double best = 1e30;
	int hops = 0;

	foh_spectrum_default_params(&p);
	p.window = window;
	p.hop = window / 2;
	p.n_bins = bins;
	if (foh_spectrum_configure(&s, &p, RATE) < 0) {
		printf("configure failed\n");
		return;
	}
	for (int k = 0; k < PASSES; k++) {
		hops = 0;
		double t0 = now_ns();
		for (uint32_t t = 0; t + p.hop <= LEN; t += p.hop) {
			(void)foh_spectrum_push(s, in + t, p.hop);
			while (foh_spectrum_hop(s, out))
				hops++;
		}
		best = fmin(best, now_ns() - t0);
	}
	printf("BENCH fft_hop ns_per_hop=%.0f window=%u bins=%u\n", best / hops,
			window, bins);
	foh_spectrum_free(s);
}

static void bench_onset(uint32_t block)
{
	static struct foh_lmh l;
	static struct foh_onset o;
	static float ms[LEN / 64][3];
	double best = 1e30, worst_block = 1e30;
	uint32_t n = LEN / block;

	foh_lmh_init(&l, RATE);
	for (uint32_t i = 0; i < n; i++) {
		foh_lmh_run(&l, in + i * block, block);
		for (int b = 0; b < 3; b++)
			ms[i][b] = l.block_rms[b] * l.block_rms[b];
	}
	for (int k = 0; k < PASSES; k++) {
		foh_onset_init(&o, RATE);
		double t0 = now_ns();
		for (uint32_t i = 0; i < n; i++)
			foh_onset_run(&o, ms[i], block);
		best = fmin(best, now_ns() - t0);
	}
	/* the slowest block of a pass; the best pass, so a preemption of
	 * this process does not count */
	for (int k = 0; k < PASSES; k++) {
		double worst = 0.0;
		foh_onset_init(&o, RATE);
		for (uint32_t i = 0; i < n; i++) {
			double t0 = now_ns();
			foh_onset_run(&o, ms[i], block);
			worst = fmax(worst, now_ns() - t0);
		}
		worst_block = fmin(worst_block, worst);
	}
	printf("BENCH onset ns_per_block=%.0f block=%u\n", best / n, block);
	printf("BENCH onset_max ns_per_block=%.0f block=%u\n", worst_block, block);
}

int main(void)
{
	static const uint32_t blocks[] = { 64, 256, 1024 };
	uint64_t st = 88172645463325252ull;

	for (uint32_t i = 0; i < LEN; i++) {
		double t = (double)i / RATE, ph = fmod(t, 0.5);
		double lvl = 0.1 * (1.0 + 0.8 * sin(2.0 * M_PI * 0.5 * t));
		in[i] = (float)(lvl * (test_noise(&st) + 0.3 * sin(2.0 * M_PI * 220.0 * t)) +
				(ph < 0.03 ? 0.5 * exp(-ph / 0.003) * test_noise(&st) : 0.0));
	}
	for (int b = 0; b < 3; b++)
		bench_lmh(blocks[b], 2);
	for (int b = 0; b < 3; b++)
		bench_lmh(blocks[b], 8);
	bench_fft(1024, 128);
	bench_fft(2048, 256);
	bench_fft(4096, 512);
	bench_fft(8192, 1024);
	for (int b = 0; b < 3; b++)
		bench_onset(blocks[b]);
	return 0;
}
