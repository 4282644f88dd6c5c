/* Benchmark: one channel strip as fohd runs it with the default channel
 * settings (foh_channel_settings_defaults → foh_channel_strip_params,
 * effects memory allocated, stereo), without PipeWire, on three
 * programmes at quantum 256:
 *   silence; sine, 1 kHz at -20 dBFS (channels-cpu's programme);
 *   noise, white at -12 dBFS RMS (the compressor working);
 * prints BENCH strip programme=<name> ns_per_frame=<best of 9 passes>;
 * with a programme's name as argument, only that one (for a profiler).
 * Asserts nothing about speed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "channel/channel.h"
#include "channel/settings.h"
#include "channel/strip.h"

#define RATE	48000u
#define Q	256u
#define LEN	(10u * RATE)
#define PASSES	9

static float in_l[LEN], in_r[LEN], out_l[Q], out_r[Q];

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static double run(const struct foh_strip_params *p, struct foh_strip_fx *fx)
{
	static struct foh_strip s;
	double best = 1e30;

	for (int pass = 0; pass < PASSES; pass++) {
		foh_strip_init(&s, RATE, 2, fx);
		foh_strip_set(&s, p);
		double t0 = now_ns();
		for (uint32_t t = 0; t + Q <= LEN; t += Q) {
			const float *in[2] = { in_l + t, in_r + t };
			float *out[2] = { out_l, out_r };
			foh_strip_run(&s, in, out, Q);
		}
		double dt = now_ns() - t0;
		best = dt < best ? dt : best;
	}
	return best / (double)LEN;
}

static int wanted(int argc, char **argv, const char *name)
{
	return argc < 2 || strcmp(argv[1], name) == 0;
}

int main(int argc, char **argv)
{
	struct foh_channel_settings cs;
	struct foh_strip_params p;
	struct foh_strip_fx *fx;
	uint64_t x = 88172645463325252ull;

	foh_channel_settings_defaults(&cs);
	foh_channel_strip_params(&cs, &p);
	if (foh_strip_fx_new(RATE, &fx) < 0)
		return 1;
	memset(in_l, 0, sizeof(in_l));
	memset(in_r, 0, sizeof(in_r));
	if (wanted(argc, argv, "silence"))
		printf("BENCH strip programme=silence ns_per_frame=%.2f\n", run(&p, fx));
	for (uint32_t i = 0; i < LEN; i++)
		in_l[i] = in_r[i] = (float)(0.1 * sin(2.0 * M_PI * 1000.0 * i / RATE));
	if (wanted(argc, argv, "sine"))
		printf("BENCH strip programme=sine ns_per_frame=%.2f\n", run(&p, fx));
	for (uint32_t i = 0; i < LEN; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		in_l[i] = (float)(0.2512 * sqrt(3.0) * ((double)(x >> 11) / 4503599627370496.0 - 1.0));
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		in_r[i] = (float)(0.2512 * sqrt(3.0) * ((double)(x >> 11) / 4503599627370496.0 - 1.0));
	}
	if (wanted(argc, argv, "noise"))
		printf("BENCH strip programme=noise ns_per_frame=%.2f\n", run(&p, fx));
	foh_strip_fx_free(fx);
	return 0;
}
