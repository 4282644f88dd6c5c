/* level-file: runs one way of holding a programme's loudness offline on a
 * WAV file, for the leveler benchmark (bench-leveler.sh):
 *
 *   level-file leveler IN.wav OUT.wav TARGET_LUFS [LOOKAHEAD_S]
 *       the channel's RT leveler (dsp/leveler.c) with its defaults, the
 *       output advanced by its look-ahead (a latency-compensated stream),
 *       so every variant's output lines up with the input
 *   level-file two-speed IN.wav OUT.wav TARGET_LUFS
 *       the stabilizer's two-speed loop as local mode ran it before the
 *       leveler: every interval-s the input's momentary loudness (foh's
 *       meter, before the gain) → foh_stab_step → the channel gain, ramped
 *       over 10 ms as the strip's trim; knobs as README suggests for local
 *       mode (fast-tau-s 1), fader range [-60, 10] dB
 *   level-file seed IN.wav OUT.wav TARGET_LUFS
 *       the original seed's loop (foh_stab_orig_*) in the same harness
 *   level-file momentary IN.wav OUT.wav TARGET_LUFS
 *       the simple causal baseline the issue names: every 10 ms the gain
 *       heads for target minus the input's momentary loudness (400 ms,
 *       foh's BS.1770 meter), smoothed by a one-pole of 0.3 s, within
 *       +-20 dB, ramped per sample; frozen while the momentary is under
 *       -50 LUFS (without that a pause would pull it to +20 dB)
 *   level-file ideal-late IN.wav OUT.wav DELAY_S IDEAL.wav
 *       not a leveler but a limit: IDEAL.wav is IN.wav with every passage
 *       at the target by its own gain; that gain (per 10 ms, the ratio of
 *       the two files' energies, held through silence) is applied to IN
 *       DELAY_S late, as by a leveler that knows each passage's level
 *       exactly but needs DELAY_S to see that it changed (a 400 ms
 *       momentary shows a 15 LU step after about 200 ms)
 * Every variant runs the same code the daemon runs, on the file instead of
 * the graph, in 1024-frame chunks. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leveler.h"
#include "loudness.h"
#include "stabilizer/loop.h"

#define CHUNK 1024

static float *read_wav(const char *path, SF_INFO *info)
{
	SNDFILE *f = sf_open(path, SFM_READ, info);
	float *x;

	if (f == NULL || info->channels != 2) {
		fprintf(stderr, "level-file: %s: not a stereo file\n", path);
		exit(2);
	}
	x = malloc(sizeof(float) * 2 * (size_t)info->frames);
	if (x == NULL || sf_readf_float(f, x, info->frames) != info->frames)
		exit(2);
	sf_close(f);
	return x;
}

static void write_wav(const char *path, const float *x, sf_count_t frames, int rate)
{
	SF_INFO info = { .samplerate = rate, .channels = 2, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);

	if (f == NULL || sf_writef_float(f, x, frames) != frames)
		exit(2);
	sf_close(f);
}

/* Frames [from, from + n) of interleaved stereo x (frames long) into l and
 * r; zeros past the end. */
static void split(const float *x, sf_count_t frames, sf_count_t from, int n, float *l, float *r)
{
	for (int i = 0; i < n; i++) {
		sf_count_t k = from + i;
		l[i] = k < frames ? x[2 * k] : 0.0f;
		r[i] = k < frames ? x[2 * k + 1] : 0.0f;
	}
}

static void run_leveler(float *x, sf_count_t frames, int rate, double target, double la)
{
	struct foh_leveler lev;
	struct foh_leveler_params p;
	float l[CHUNK], r[CHUNK];
	sf_count_t lat;
	uint32_t scenes = 0;

	if (foh_leveler_init(&lev, (uint32_t)rate, 3.0f) < 0)
		exit(2);
	foh_leveler_default_params(&p);
	p.target_lufs = (float)target;
	p.lookahead_s = (float)la;
	foh_leveler_set(&lev, &p);
	lat = foh_leveler_latency(&lev);
	/* run past the end by the latency (zeros in) and drop its head */
	float *y = calloc((size_t)(frames + lat + CHUNK) * 2, sizeof(float));
	for (sf_count_t done = 0; done < frames + lat; done += CHUNK) {
		split(x, frames, done, CHUNK, l, r);
		foh_leveler_run(&lev, l, r, l, r, CHUNK);
		if (getenv("LEVEL_SCENES") != NULL && foh_leveler_scene_changes(&lev) != scenes) {
			scenes = foh_leveler_scene_changes(&lev);
			fprintf(stderr, "%.2f scene %u: %.1f LUFS\n", (double)done / rate, scenes,
					foh_leveler_scene_lufs(&lev));
		}
		if (getenv("LEVEL_TRACE") != NULL && (done / CHUNK) % 24 == 0)
			fprintf(stderr, "%.2f %s scene %.1f m %.1f gain %.2f\n", (double)done / rate,
					foh_leveler_state_str(foh_leveler_state(&lev)),
					foh_leveler_scene_lufs(&lev), foh_leveler_momentary(&lev),
					foh_leveler_gain_db(&lev));
		for (int i = 0; i < CHUNK; i++) {
			y[2 * (done + i)] = l[i];
			y[2 * (done + i) + 1] = r[i];
		}
	}
	/* stderr, for the bench: how often it changed its mind */
	fprintf(stderr, "scenes=%u\n", foh_leveler_scene_changes(&lev));
	memcpy(x, y + 2 * lat, sizeof(float) * 2 * (size_t)frames);
	free(y);
	foh_leveler_free(&lev);
}

static void run_loop(float *x, sf_count_t frames, int rate, double target, bool seed)
{
	struct foh_stab_params p;
	struct foh_stab st;
	struct foh_stab_orig orig;
	struct foh_loudness meter;
	float l[CHUNK], r[CHUNK];
	double gain = 1.0, want = 1.0, step = 0.0, next;

	foh_stab_default_params(&p);
	p.target_db = target;
	p.fast_tau_s = 1.0;
	p.meter_point = FOH_STAB_PRE;
	p.fader_min_db = -60.0;
	p.fader_max_db = 10.0;
	if (seed ? foh_stab_orig_init(&orig, &p) < 0 || foh_stab_orig_start(&orig, 0.0) < 0
		 : foh_stab_init(&st, &p) < 0 || foh_stab_start(&st, 0.0) < 0)
		exit(2);
	foh_loudness_init(&meter, (uint32_t)rate);
	next = p.interval_s;
	for (sf_count_t done = 0; done < frames; done += CHUNK) {
		int n = frames - done < CHUNK ? (int)(frames - done) : CHUNK;
		split(x, frames, done, n, l, r);
		foh_loudness_run(&meter, l, r, (uint32_t)n);
		for (int i = 0; i < n; i++) {
			double d = want - gain;
			gain = fabs(d) <= step ? want : gain + (d > 0 ? step : -step);
			x[2 * (done + i)] *= (float)gain;
			x[2 * (done + i) + 1] *= (float)gain;
		}
		if ((double)(done + n) / rate >= next) {
			struct foh_stab_reading rd = { true, foh_loudness_momentary(&meter) };
			struct foh_stab_output out;
			if (!(rd.level_db > -120.0))
				rd.level_db = -INFINITY;
			if (seed)
				foh_stab_orig_step(&orig, &rd, &out);
			else
				foh_stab_step(&st, &rd, &out);
			if (out.write) {
				/* the strip's trim: linear, there in 10 ms */
				want = pow(10.0, out.fader_db / 20.0);
				step = fabs(want - gain) / (0.010 * rate) + 1e-12;
			}
			next += p.interval_s;
		}
	}
}

static void run_momentary(float *x, sf_count_t frames, int rate, double target)
{
	struct foh_loudness meter;
	sf_count_t step = rate / 100;
	double a = 1.0 - exp(-0.01 / 0.3), g_db = 0.0, g = 1.0;
	float l[CHUNK], r[CHUNK];

	foh_loudness_init(&meter, (uint32_t)rate);
	for (sf_count_t done = 0; done < frames; done += step) {
		int n = frames - done < step ? (int)(frames - done) : (int)step;
		double m, to, dg;
		split(x, frames, done, n, l, r);
		foh_loudness_run(&meter, l, r, (uint32_t)n);
		m = foh_loudness_momentary(&meter);
		if (m > -50.0)
			g_db += a * (fmin(20.0, fmax(-20.0, target - m)) - g_db);
		to = pow(10.0, g_db / 20.0);
		dg = (to - g) / n;
		for (int i = 0; i < n; i++) {
			g += dg;
			x[2 * (done + i)] *= (float)g;
			x[2 * (done + i) + 1] *= (float)g;
		}
		g = to;
	}
}

static void run_ideal_late(float *x, sf_count_t frames, int rate, double delay_s,
		const char *ideal_path)
{
	SF_INFO info = { 0 };
	float *y = read_wav(ideal_path, &info);
	sf_count_t blk = rate / 100, nb = frames / blk, d = (sf_count_t)lround(delay_s * 100.0);
	double *g = malloc(sizeof(double) * (size_t)(nb + 1)), last = 1.0;

	if (g == NULL || info.frames < frames || info.samplerate != rate)
		exit(2);
	for (sf_count_t b = 0; b < nb; b++) {
		double ex = 0.0, ey = 0.0;
		for (sf_count_t i = b * blk; i < (b + 1) * blk; i++) {
			ex += (double)x[2 * i] * x[2 * i] + (double)x[2 * i + 1] * x[2 * i + 1];
			ey += (double)y[2 * i] * y[2 * i] + (double)y[2 * i + 1] * y[2 * i + 1];
		}
		if (ex > 1e-12)
			last = sqrt(ey / ex);
		g[b] = last;
	}
	g[nb] = last;
	for (sf_count_t i = 0; i < frames; i++) {
		sf_count_t b = i / blk - d;
		double gain = g[b < 0 ? 0 : (b > nb ? nb : b)];
		x[2 * i] *= (float)gain;
		x[2 * i + 1] *= (float)gain;
	}
	free(g);
	free(y);
}

int main(int argc, char **argv)
{
	SF_INFO info = { 0 };
	float *x;
	double target, la;

	if (argc < 5) {
		fprintf(stderr, "usage: level-file leveler|momentary|two-speed|seed IN OUT TARGET [LOOKAHEAD]\n"
				"       level-file ideal-late IN OUT DELAY_S IDEAL\n");
		return 2;
	}
	target = atof(argv[4]);
	la = argc > 5 ? atof(argv[5]) : 0.0;
	x = read_wav(argv[2], &info);
	if (strcmp(argv[1], "leveler") == 0)
		run_leveler(x, info.frames, info.samplerate, target, la);
	else if (strcmp(argv[1], "momentary") == 0)
		run_momentary(x, info.frames, info.samplerate, target);
	else if (strcmp(argv[1], "ideal-late") == 0 && argc > 5)
		run_ideal_late(x, info.frames, info.samplerate, target, argv[5]);
	else if (strcmp(argv[1], "two-speed") == 0 || strcmp(argv[1], "seed") == 0)
		run_loop(x, info.frames, info.samplerate, target, strcmp(argv[1], "seed") == 0);
	else
		return 2;
	write_wav(argv[3], x, info.frames, info.samplerate);
	free(x);
	return 0;
}
