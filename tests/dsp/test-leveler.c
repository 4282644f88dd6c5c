/* The loudness leveler (src/dsp/leveler.c), judged by libebur128's
 * momentary loudness of its output, an implementation independent of the
 * leveler's own K-weighting:
 * - a -20 -> -5 -> -20 dBFS 1 kHz programme (20 s phases) is within 1 LU of
 *   the target from 2 s after each step to the end of the phase (no
 *   look-ahead);
 * - a pause (silence, then noise 25 LU under the programme: room noise)
 *   leaves the gain exactly where it was, and the programme after it is on
 *   target at once;
 * - speech-like phrases with gaps between words of up to 0.9 s in a noisy
 *   room do not move the gain by more than 1 dB (no pumping);
 * - max boost and max cut hold when the programme wants more;
 * - words 15 LU under a loud passage: a quieter scene recognised in a gap
 *   (the momentary still holding the last word) takes its level from the
 *   words, not the silence;
 * - a loud word, then room noise 12 LU under the scene: the louder
 *   evidence completing in the noise takes no scene from it (the gain
 *   never rises; it went to the max boost);
 * - a quieter speaker whose words have short gaps: the new scene's level,
 *   the moment it is recognised, counts the gaps (gated out of the
 *   evidence, not out of the loudness): within 0.97 LU of libebur128's
 *   short-term loudness of the words, 2.2 LU under their tone;
 * - a 15 LU step down is a new scene after quieter-s of evidence, which
 *   starts within the momentary's 400 ms: by default soon enough that the
 *   output's short-term loudness stays within 2 LU (d <= 1.14 s, below);
 *   with quieter-s 2 s, between 2 and 2.4 s;
 * - a 10 LU step up is a new scene within 0.25 s (no look-ahead: the
 *   louder evidence reads the newest 100 ms, not the 400 ms momentary);
 * - a moderate step (+-4, +-5, +-6 LU, steady) is a new scene when it has
 *   held as long as the output's short-term loudness allows it to go
 *   unanswered (the formula in test_held_step): not sooner than 0.25 s
 *   before that, not later, and the output's short-term loudness
 *   (libebur128) stays within 2 LU of the target across it; a 3 LU step
 *   (under moderate-lu, 3.5: left to the slow follow) is no scene change
 *   within 2 s, and with moderate-lu 3 it is taken by its deadline;
 * - look-ahead delays the audio by exactly round(s x rate) frames and is
 *   the block's latency (only with a ring handed over: none, no delay; a
 *   ring of another rate is refused); with 1.5 s the step is met: the output stays
 *   within 2 LU of the target across the step, and a 5 LU step (over
 *   lookahead-scene-lu) within 1 LU; the speech-like phrases are no scene
 *   change with look-ahead either.
 * Expected loudness of a stereo sine of peak P dBFS at 1 kHz per BS.1770:
 * P - 3.01 (rms) + 3.01 (two channels) - 0.691 + K(1 kHz) with K about
 * 0, so the targets below hold without computing it: the leveler and
 * libebur128 agree or the checks fail. */
#include <ebur128.h>
#include <stdlib.h>
#include <string.h>

#include "leveler.h"
#include "test-util.h"

#define RATE	48000u
#define BLOCK	480u	/* 10 ms */

struct run {
	struct foh_leveler lev;
	ebur128_state *ref;
	double t;
	double phase;
	uint64_t rng;
};

static void run_init(struct run *r, const struct foh_leveler_params *p)
{
	memset(r, 0, sizeof(*r));
	if (foh_leveler_init(&r->lev, RATE, 3.0f) < 0)
		abort();
	foh_leveler_set(&r->lev, p);
	r->ref = ebur128_init(2, RATE, EBUR128_MODE_S);	/* momentary too */
	r->rng = 42;
}

static void run_free(struct run *r)
{
	foh_leveler_free(&r->lev);
	ebur128_destroy(&r->ref);
}

/* kind: 0 sine of peak dbfs, 1 white noise of rms dbfs, 2 silence */
static void gen(struct run *r, int kind, double dbfs, float *l, float *rr, uint32_t n)
{
	double a = db_to_amp(dbfs);

	for (uint32_t i = 0; i < n; i++) {
		double v = 0.0;
		if (kind == 0) {
			v = a * sin(r->phase);
			r->phase += 2.0 * M_PI * 1000.0 / RATE;
			if (r->phase > 2.0 * M_PI)
				r->phase -= 2.0 * M_PI;
		} else if (kind == 1) {
			v = a * sqrt(3.0) * test_noise(&r->rng);
		}
		l[i] = rr[i] = (float)v;
	}
}

/* Runs seconds of a signal; calls back every 100 ms with the output's
 * momentary loudness (libebur128) and the leveler's gain. */
typedef void (*probe_fn)(double t, double m, double gain_db, void *data);

static void play(struct run *r, int kind, double dbfs, double seconds, probe_fn probe,
		void *data)
{
	float l[BLOCK], rr[BLOCK], il[2 * BLOCK];
	uint32_t blocks = (uint32_t)lround(seconds * RATE / BLOCK);

	for (uint32_t b = 0; b < blocks; b++) {
		gen(r, kind, dbfs, l, rr, BLOCK);
		foh_leveler_run(&r->lev, l, rr, l, rr, BLOCK);
		for (uint32_t i = 0; i < BLOCK; i++) {
			il[2 * i] = l[i];
			il[2 * i + 1] = rr[i];
		}
		ebur128_add_frames_float(r->ref, il, BLOCK);
		r->t += (double)BLOCK / RATE;
		if (probe != NULL && (b + 1) % 10 == 0) {
			double m;
			ebur128_loudness_momentary(r->ref, &m);
			probe(r->t, m, foh_leveler_gain_db(&r->lev), data);
		}
	}
}

struct settle {
	double phase_start, target, tol, worst;
	double first_in;	/* first time within tol since the phase began */
	bool out_after;		/* left tol after 2 s into the phase */
};

static void settle_probe(double t, double m, double gain_db, void *data)
{
	struct settle *s = data;
	double since = t - s->phase_start;

	(void)gain_db;
	if (since >= 2.0 && fabs(m - s->target) > s->worst)
		s->worst = fabs(m - s->target);
	if (fabs(m - s->target) <= s->tol && s->first_in < 0)
		s->first_in = since;
}

static void test_steps(void)
{
	struct foh_leveler_params p;
	struct run r;
	const double level[] = { -20.0, -5.0, -20.0 };

	foh_leveler_default_params(&p);
	p.target_lufs = -23.0f;
	run_init(&r, &p);
	for (int k = 0; k < 3; k++) {
		struct settle s = { r.t, -23.0, 1.0, 0.0, -1.0, false };
		play(&r, 0, level[k], 20.0, settle_probe, &s);
		printf("phase %d (%.0f dBFS): within 1 LU after %.1f s, worst %.2f LU from 2 s on\n",
				k + 1, level[k], s.first_in, s.worst);
		CHECK(s.first_in >= 0 && s.first_in <= 2.0,
				"phase %d: settled after %.1f s", k + 1, s.first_in);
		CHECK(s.worst <= 1.0, "phase %d: %.2f LU off target after settling", k + 1, s.worst);
	}
	run_free(&r);
}

static void last_gain(double t, double m, double gain_db, void *data)
{
	(void)t;
	(void)m;
	*(double *)data = gain_db;
}

static void test_pause(void)
{
	struct foh_leveler_params p;
	struct run r;
	double before, after_silence, after_noise;

	foh_leveler_default_params(&p);
	p.gate_lufs = -70.0f;	/* the relative gate alone must hold the noise off */
	run_init(&r, &p);
	play(&r, 0, -30.0, 10.0, last_gain, &before);
	play(&r, 2, 0.0, 8.0, last_gain, &after_silence);
	/* room noise about 25 LU under the programme */
	play(&r, 1, -62.0, 8.0, last_gain, &after_noise);
	printf("pause: gain %.4f dB before, %.4f after silence, %.4f after noise (state %s)\n",
			before, after_silence, after_noise,
			foh_leveler_state_str(foh_leveler_state(&r.lev)));
	CHECK(fabs(after_silence - before) < 1e-4, "silence moved the gain");
	CHECK(fabs(after_noise - before) < 1e-4, "room noise moved the gain");
	CHECK(foh_leveler_state(&r.lev) == FOH_LEVELER_PAUSE, "not paused");
	{
		/* resumed where it was: on target as soon as the meter is full */
		struct settle s = { r.t, -23.0, 1.0, 0.0, -1.0, false };
		play(&r, 0, -30.0, 5.0, settle_probe, &s);
		CHECK(s.first_in >= 0 && s.first_in <= 0.5, "after the pause: on target after %.1f s",
				s.first_in);
		CHECK(s.worst <= 0.5, "after the pause: %.2f LU off", s.worst);
	}
	run_free(&r);
}

struct range {
	double from, lo, hi;
};

static void range_probe(double t, double m, double gain_db, void *data)
{
	struct range *g = data;

	(void)m;
	if (t >= g->from) {
		g->lo = fmin(g->lo, gain_db);
		g->hi = fmax(g->hi, gain_db);
	}
}

/* Speech-like phrases (1.2 s of tone) with gaps between words of 0.3, 0.6
 * and 0.9 s in a noisy room (noise about 10 LU under the phrases, above
 * the gates): the gaps are not scene changes, the gain does not pump. */
static void test_speech_gaps(float lookahead_s)
{
	struct foh_leveler_params p;
	struct run r;
	struct range g = { 4.0 + lookahead_s, INFINITY, -INFINITY };
	uint64_t scene = 0;

	foh_leveler_default_params(&p);
	p.lookahead_s = lookahead_s;
	run_init(&r, &p);
	for (int k = 0; k < 15; k++) {
		if (k == 3)
			scene = r.lev.scene_start;
		play(&r, 0, -25.0, 1.2, range_probe, &g);
		play(&r, 1, -40.0, 0.3 * (1 + k % 3), range_probe, &g);
	}
	printf("speech gaps, look-ahead %.1f s: gain within [%.2f, %.2f] dB from %.1f s on\n",
			lookahead_s, g.lo, g.hi, g.from);
	CHECK(r.lev.scene_start == scene, "a gap was taken for a scene change");
	CHECK(g.hi - g.lo <= 1.0, "the gaps pumped the gain: %.2f dB", g.hi - g.lo);
	run_free(&r);
}

struct st_mean {
	struct run *r;
	double from, sum;
	uint32_t n;
};

static void st_probe(double t, double m, double gain_db, void *data)
{
	struct st_mean *g = data;
	double st;

	(void)m;
	(void)gain_db;
	if (t >= g->from && ebur128_loudness_shortterm(g->r->ref, &st) == EBUR128_SUCCESS) {
		g->sum += st;
		g->n++;
	}
}

static void test_sentence_gaps(void)
{
	struct foh_leveler_params p;
	struct run r;
	struct st_mean g = { &r, 10.0, 0.0, 0 };
	double mean;

	foh_leveler_default_params(&p);
	run_init(&r, &p);
	for (int k = 0; k < 15; k++) {
		play(&r, 0, -20.0, 1.0, st_probe, &g);
		play(&r, 2, 0.0, 1.1, st_probe, &g);
	}
	mean = g.n > 0 ? g.sum / g.n : -INFINITY;
	printf("sentence gaps of 1.1 s: output short-term %.2f LUFS on average from 10 s on, "
			"gain %.2f dB\n", mean, foh_leveler_gain_db(&r.lev));
	CHECK(fabs(mean + 23.0) <= 1.0, "output short-term %.2f LUFS on average, want -23 +- 1",
			mean);
	run_free(&r);
}

static void test_limits(void)
{
	struct foh_leveler_params p;
	struct run r;
	double g;

	foh_leveler_default_params(&p);
	p.max_boost_db = 10.0f;
	p.max_cut_db = 8.0f;
	run_init(&r, &p);
	play(&r, 0, -45.0, 8.0, last_gain, &g);	/* wants about +22.7 */
	CHECK_NEAR(g, 10.0, 0.01, "max boost");
	play(&r, 0, 0.0, 8.0, last_gain, &g);		/* wants about -22.3 */
	CHECK_NEAR(g, -8.0, 0.01, "max cut");
	run_free(&r);
}

static void test_lookahead_delay(void)
{
	struct foh_leveler lev;
	struct foh_leveler_params p;
	uint32_t n = (uint32_t)lround(0.25 * RATE), len = n + 3000, bad = 0;
	float *x = calloc(len, sizeof(float));

	if (x == NULL || foh_leveler_init(&lev, RATE, 3.0f) < 0)
		abort();
	foh_leveler_default_params(&p);
	p.lookahead_s = 0.25f;
	foh_leveler_set(&lev, &p);
	CHECK(foh_leveler_latency(&lev) == n, "latency %u, want %u", foh_leveler_latency(&lev), n);
	x[100] = 1e-3f;	/* under the gate: the gain stays at 0 dB */
	/* odd chunk sizes: the ring must not care */
	for (uint32_t done = 0; done < len; ) {
		uint32_t k = len - done < 777 ? len - done : 777;
		foh_leveler_run(&lev, x + done, NULL, x + done, NULL, k);
		done += k;
	}
	for (uint32_t i = 0; i < len; i++)
		if ((i == 100 + n) != (x[i] != 0.0f))
			bad++;
	CHECK(bad == 0 && x[100 + n] == 1e-3f, "impulse not delayed by exactly %u frames (%u wrong)",
			n, bad);
	foh_leveler_free(&lev);
	free(x);
}

/* Where the impulse at frame 100 comes out of the leveler (-1: nowhere or
 * more than once). */
static long impulse_at(struct foh_leveler *lev, uint32_t len)
{
	float *x = calloc(len, sizeof(float));
	long at = -1;

	if (x == NULL)
		abort();
	x[100] = 1e-3f;	/* under the gate: the gain stays at 0 dB */
	foh_leveler_run(lev, x, NULL, x, NULL, len);
	for (uint32_t i = 0; i < len; i++)
		if (x[i] != 0.0f)
			at = at < 0 && x[i] == 1e-3f ? (long)i : -2;
	free(x);
	return at < 0 ? -1 : at;
}

/* The look-ahead ring exists only when handed over: without one a
 * look-ahead asked for is no delay; swapped in, the delay is exact; swapped
 * out, it is gone; a ring of another rate is refused. */
static void test_ring(void)
{
	struct foh_leveler lev;
	struct foh_leveler_params p;
	struct foh_leveler_ring *ring, *other;
	uint32_t n = (uint32_t)lround(0.25 * RATE);

	if (foh_leveler_init(&lev, RATE, 0.0f) < 0)
		abort();
	CHECK(!foh_leveler_has_ring(&lev), "a ring without look-ahead");
	foh_leveler_default_params(&p);
	p.lookahead_s = 0.25f;
	foh_leveler_set(&lev, &p);
	CHECK(foh_leveler_latency(&lev) == 0, "latency %u without a ring", foh_leveler_latency(&lev));
	CHECK(impulse_at(&lev, 2000) == 100, "no ring: the audio is delayed");
	other = foh_leveler_ring_new(44100, 3.0f);
	CHECK(foh_leveler_swap_ring(&lev, other) == other && !foh_leveler_has_ring(&lev),
			"a ring of another rate was taken");
	foh_leveler_ring_free(other);
	ring = foh_leveler_ring_new(RATE, 3.0f);
	CHECK(ring != NULL && foh_leveler_swap_ring(&lev, ring) == NULL, "swap in");
	CHECK(foh_leveler_latency(&lev) == n, "latency %u with a ring, want %u",
			foh_leveler_latency(&lev), n);
	CHECK(impulse_at(&lev, n + 2000) == (long)(100 + n), "ring: not delayed by %u", n);
	CHECK(foh_leveler_swap_ring(&lev, NULL) == ring, "swap out returns the ring");
	CHECK(foh_leveler_latency(&lev) == 0 && impulse_at(&lev, 2000) == 100,
			"swapped out: still delayed");
	foh_leveler_ring_free(ring);
	foh_leveler_free(&lev);
}

static void band_probe(double t, double m, double gain_db, void *data)
{
	double *worst = data;

	if (getenv("TRACE"))
		printf("  %.1f %.2f %.2f\n", t, m, gain_db);
	/* from the first full meter window of the delayed output */
	if (t > 2.5 && fabs(m + 23.0) > *worst)
		*worst = fabs(m + 23.0);
}

static void test_lookahead_step(void)
{
	struct foh_leveler_params p;
	struct run r;
	double worst = 0.0;

	foh_leveler_default_params(&p);
	p.lookahead_s = 1.5f;
	run_init(&r, &p);
	/* the first 2.5 s: 1.5 s of look-ahead silence and the cold start */
	play(&r, 0, -20.0, 20.0, band_probe, &worst);
	play(&r, 0, -5.0, 20.0, band_probe, &worst);
	printf("look-ahead 1.5 s: output within %.2f LU of the target across the step\n", worst);
	CHECK(worst <= 2.0, "look-ahead 1.5 s: %.2f LU off across the step", worst);
	run_free(&r);
}

/* A loud passage, then speech-like words 15 LU under it (0.3 s of tone,
 * 0.3 s of silence): the evidence of the quieter scene may complete in a
 * gap, while the momentary (400 ms) still holds the last word but the
 * newest blocks are silence. The new scene's level must come from the
 * words, gaps and all (the gain: target - their loudness as libebur128
 * measures the same words alone), never from the silence alone (which
 * took the gain to the max boost). */
/* libebur128's integrated loudness of n words: 0.3 s of silence, then
 * 0.3 s of a 1 kHz stereo sine of peak dbfs. */
static double words_lufs(double dbfs, int n)
{
	struct run r;
	float l[BLOCK], rr[BLOCK], il[2 * BLOCK];
	uint32_t len = (uint32_t)lround(0.3 * RATE / BLOCK);
	double lufs;

	memset(&r, 0, sizeof(r));
	r.ref = ebur128_init(2, RATE, EBUR128_MODE_I);
	for (uint32_t b = 0; b < 2 * len * (uint32_t)n; b++) {
		gen(&r, (b / len) % 2 == 0 ? 2 : 0, dbfs, l, rr, BLOCK);
		for (uint32_t i = 0; i < BLOCK; i++) {
			il[2 * i] = l[i];
			il[2 * i + 1] = rr[i];
		}
		ebur128_add_frames_float(r.ref, il, BLOCK);
	}
	ebur128_loudness_global(r.ref, &lufs);
	ebur128_destroy(&r.ref);
	return lufs;
}

static void test_tail_over_silence(void)
{
	struct foh_leveler_params p;
	double want = -23.0 - words_lufs(-20.0, 8);

	/* the first word's length moves where the evidence completes */
	for (int k = 0; k < 6; k++) {
		double first = 0.05 + 0.05 * k;
		struct range g = { 10.0, INFINITY, -INFINITY };
		struct run r;

		foh_leveler_default_params(&p);
		run_init(&r, &p);
		play(&r, 0, -5.0, 10.0, NULL, NULL);
		play(&r, 0, -20.0, first, range_probe, &g);
		for (int w = 0; w < 8; w++) {
			play(&r, 2, 0.0, 0.3, range_probe, &g);
			play(&r, 0, -20.0, 0.3, range_probe, &g);
		}
		printf("words after a loud passage (first %.2f s): gain within [%.2f, %.2f] dB "
				"(want %.2f)\n", first, g.lo, g.hi, want);
		CHECK(g.hi <= want + 1.5, "the gain went to %.2f dB, over %.2f + 1.5", g.hi, want);
		CHECK_NEAR(foh_leveler_gain_db(&r.lev), want, 1.0, "gain on the words");
		run_free(&r);
	}
}

/* libebur128's short-term loudness (3 s, ungated) of words of 0.3 s of a
 * 1 kHz stereo sine of peak dbfs, each followed by 0.2 s of silence. */
static double gapped_words_lufs(double dbfs)
{
	struct run r;
	float l[BLOCK], rr[BLOCK], il[2 * BLOCK];
	double lufs;

	memset(&r, 0, sizeof(r));
	r.ref = ebur128_init(2, RATE, EBUR128_MODE_S);
	for (uint32_t b = 0; b < 3 * RATE / BLOCK; b++) {
		gen(&r, b % 50 < 30 ? 0 : 2, dbfs, l, rr, BLOCK);
		for (uint32_t i = 0; i < BLOCK; i++) {
			il[2 * i] = l[i];
			il[2 * i + 1] = rr[i];
		}
		ebur128_add_frames_float(r.ref, il, BLOCK);
	}
	ebur128_loudness_shortterm(r.ref, &lufs);
	ebur128_destroy(&r.ref);
	return lufs;
}

/* A quieter speaker after a loud passage, words of 0.3 s with gaps of
 * 0.2 s (digital silence, under the gate): the gaps are gated out of the
 * evidence and of the search for the change's onset, but they count in
 * the new scene's level, as in the loudness heard: at the block the change
 * is taken, the scene is at the words' short-term loudness, not at their
 * tone's (10 log10(0.3 / 0.5) = 2.2 LU louder). The change takes 1 s of
 * evidence at least, so its blocks span k >= 2 words from a word's start:
 * ending at a word's end they hold 0.3 k s of tone in 0.5 k - 0.2 s,
 * 10 log10(0.3 k / (0.5 k - 0.2) / 0.6) <= 0.97 LU over the words' level
 * (k = 2), the most the window can be off by. */
static void test_gapped_scene(void)
{
	struct foh_leveler_params p;
	struct run r;
	double want = gapped_words_lufs(-20.0), at = NAN;
	uint64_t scene;

	foh_leveler_default_params(&p);
	run_init(&r, &p);
	play(&r, 0, -5.0, 10.0, NULL, NULL);
	scene = r.lev.scene_start;
	for (int b = 0; b < 160 && isnan(at); b++) {	/* 8 s, in 50 ms steps */
		play(&r, b % 10 < 6 ? 0 : 2, -20.0, 0.05, NULL, NULL);
		if (r.lev.scene_start != scene)
			at = foh_leveler_scene_lufs(&r.lev);
	}
	printf("gapped words: scene at %.2f LUFS when taken, short-term %.2f\n", at, want);
	CHECK(!isnan(at), "no scene change for words 15 LU quieter");
	CHECK_NEAR(at, want, 0.97, "the new scene's level");
	run_free(&r);
}

/* When a 15 LU step down (-5 -> -20 dBFS, steady) is taken as a scene, s
 * after it. */
static double quieter_after(float quieter_s)
{
	struct foh_leveler_params p;
	struct run r;
	double t = NAN;
	uint64_t scene;

	foh_leveler_default_params(&p);
	p.quieter_s = quieter_s;
	run_init(&r, &p);
	play(&r, 0, -5.0, 10.0, NULL, NULL);
	scene = r.lev.scene_start;
	for (int b = 1; b <= 100 && isnan(t); b++) {	/* 5 s, in 50 ms steps */
		play(&r, 0, -20.0, 0.05, NULL, NULL);
		if (r.lev.scene_start != scene)
			t = 0.05 * b;
	}
	run_free(&r);
	return t;
}

/* The short-term loudness (3 s) of the output after a step down by D LU
 * met d s late is 10 log10(1 - d (1 - 10^(-D/10)) / 3) LU off for 3 s:
 * inside 2 LU while d <= 3 (1 - 10^(-0.2)) / (1 - 10^(-1.5)) = 1.14 s
 * for D = 15. The default quieter-s answers within that; a longer one
 * waits that long after the evidence starts (the momentary shows the step
 * beyond half of scene-lu within its 400 ms). */
static void test_quieter_time(void)
{
	double dmax = 3.0 * (1.0 - pow(10.0, -0.2)) / (1.0 - pow(10.0, -1.5));
	double t0 = quieter_after(0.85f), t2 = quieter_after(2.0f);

	printf("15 LU step down: a scene after %.2f s (quieter-s 0.85; short-term within 2 LU "
			"up to %.2f s), %.2f s (quieter-s 2)\n", t0, dmax, t2);
	CHECK(t0 <= dmax, "default: the step down taken after %.2f s", t0);
	CHECK(t2 >= 2.0 && t2 <= 2.4, "quieter-s 2: the step down taken after %.2f s", t2);
}

/* A steady step of d LU from a settled scene (10 s): when it is taken as
 * a scene, s after it (NAN: not within 4 s), and the output's short-term
 * loudness's farthest distance from the target from the step to 3 s after
 * the scene change. */
static double held_after(double d, float moderate_lu, double *worst)
{
	struct foh_leveler_params p;
	struct run r;
	double t = NAN, until = 4.0, st;
	uint64_t scene;

	foh_leveler_default_params(&p);
	p.moderate_lu = moderate_lu;
	run_init(&r, &p);
	play(&r, 0, -12.0, 10.0, NULL, NULL);
	scene = r.lev.scene_start;
	*worst = 0.0;
	for (int b = 1; 0.05 * b <= until; b++) {	/* 50 ms steps */
		play(&r, 0, -12.0 + d, 0.05, NULL, NULL);
		if (isnan(t) && r.lev.scene_start != scene) {
			t = 0.05 * b;
			until = t + 3.0;
		}
		if (ebur128_loudness_shortterm(r.ref, &st) == EBUR128_SUCCESS)
			*worst = fmax(*worst, fabs(st - p.target_lufs));
	}
	run_free(&r);
	return t;
}

/* A louder step of 10 LU (over scene-lu): without look-ahead every 50 ms
 * before the answer stays in the output's short-term loudness for 3 s,
 * 10 log10(1 + d (10^(D/10) - 1) / 3) LU over the target, plus the 50 ms
 * ramp. The louder evidence reads the newest 100 ms: taken within 0.25 s
 * (0.20 s, libebur128's short-term at most 2.8 LU off; read from the
 * 400 ms momentary it was taken after 0.35 s, 3.7 LU off). */
static void test_louder_time(void)
{
	double worst, t = held_after(10.0, 3.5f, &worst);

	printf("+10 LU step: a scene after %.2f s, output short-term at most %.2f LU off\n",
			t, worst);
	CHECK(!isnan(t) && t <= 0.25, "+10 LU step taken after %.2f s", t);
}

/* A step of D LU answered d s late leaves the output's short-term loudness
 * (3 s) off the target by 10 log10(1 + d (10^(D/10) - 1) / 3) for 3 s:
 * inside 2 LU while d <= 3 (10^0.2 - 1) / (10^(D/10) - 1) (louder; 1.16 s
 * for 4 LU) or 3 (1 - 10^-0.2) / (1 - 10^(-D/10)) (quieter; 1.84 s for
 * 4 LU). A steady moderate step is taken by then, and not much sooner:
 * the leveler waits as long as the window allows, for the most evidence
 * (a louder bar or sentence, a gap, is not a step); what proves it is the
 * output's short-term loudness, measured by libebur128. */
static void test_held_step(void)
{
	const double steps[] = { 4.0, 5.0, 6.0, -4.0, -5.0, -6.0 };

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		double D = steps[i], worst, t = held_after(D, 3.5f, &worst);
		double dmax = D > 0 ? 3.0 * (pow(10.0, 0.2) - 1.0) / (pow(10.0, D / 10.0) - 1.0)
			: 3.0 * (1.0 - pow(10.0, -0.2)) / (1.0 - pow(10.0, D / 10.0));
		printf("%+.1f LU step: a scene after %.2f s (short-term within 2 LU up to %.2f s), "
				"output short-term at most %.2f LU off\n", D, t, dmax, worst);
		CHECK(!isnan(t) && t <= dmax, "%+.1f LU: taken after %.2f s, deadline %.2f s",
				D, t, dmax);
		CHECK(!isnan(t) && t >= dmax - 0.3, "%+.1f LU: taken after %.2f s, well before its "
				"deadline %.2f s", D, t, dmax);
		CHECK(worst <= 2.0, "%+.1f LU: the output's short-term %.2f LU off", D, worst);
	}
	{
		double worst, t = held_after(3.0, 3.5f, &worst);
		double dmax = 3.0 * (pow(10.0, 0.2) - 1.0) / (pow(10.0, 0.3) - 1.0);
		printf("+3.0 LU step: a scene after %.2f s (none: the slow follow)\n", t);
		CHECK(isnan(t) || t > 2.0, "+3 LU: a scene after %.2f s", t);
		/* moderate-lu 3: it is taken too, by its deadline */
		t = held_after(3.0, 3.0f, &worst);
		printf("+3.0 LU step, moderate-lu 3: a scene after %.2f s (deadline %.2f s), output "
				"short-term at most %.2f LU off\n", t, dmax, worst);
		CHECK(!isnan(t) && t <= dmax && t >= dmax - 0.3, "moderate-lu 3: +3 LU taken after %.2f s", t);
		CHECK(worst <= 2.0, "moderate-lu 3: the output's short-term %.2f LU off", worst);
	}
}

/* A smaller step, 5 LU: with look-ahead it is a scene change (over
 * lookahead-scene-lu, 4) met at its onset, the output's momentary loudness
 * stays within 1 LU of the target across it; without, it is followed by
 * the smaller-change rule, a second or two late (printed, for contrast). */
static void test_small_step(float lookahead_s, double *worst)
{
	struct foh_leveler_params p;
	struct run r;

	foh_leveler_default_params(&p);
	p.lookahead_s = lookahead_s;
	run_init(&r, &p);
	*worst = 0.0;
	play(&r, 0, -25.0, 10.0, band_probe, worst);
	play(&r, 0, -20.0, 10.0, band_probe, worst);
	printf("5 LU step, look-ahead %.1f s: output within %.2f LU of the target\n",
			lookahead_s, *worst);
	run_free(&r);
}

static void test_lookahead_small_step(void)
{
	double worst0, worst;

	test_small_step(0.0f, &worst0);
	test_small_step(1.5f, &worst);
	CHECK(worst <= 1.0, "look-ahead 1.5 s: %.2f LU off across a 5 LU step", worst);
}

/* A loud word, then room noise (above the gates, 12 LU under the scene):
 * the louder evidence, built by the momentary (400 ms) holding the word,
 * may complete while the newest blocks are the noise. A louder scene needs
 * louder blocks: none is taken from the noise, so the gain never rises
 * (it went to the max boost, the noise's level taken for the scene's). */
static void test_louder_tail(void)
{
	struct foh_leveler_params p;

	/* the word's length and level move where the evidence completes */
	for (int k = 0; k < 12; k++) {
		double len = 0.1 + 0.05 * (k % 6), word = k < 6 ? -18.0 : -14.0;
		struct range g = { 0.0, INFINITY, -INFINITY };
		struct run r;
		double before;

		foh_leveler_default_params(&p);
		run_init(&r, &p);
		play(&r, 0, -30.0, 6.0, NULL, NULL);
		before = foh_leveler_gain_db(&r.lev);
		g.from = r.t;
		play(&r, 0, word, len, range_probe, &g);
		play(&r, 1, -42.0, 0.6, range_probe, &g);
		play(&r, 0, -30.0, 2.0, range_probe, &g);
		printf("a %.2f s word at %.0f dBFS, then room noise: gain %.2f dB before, "
				"within [%.2f, %.2f] after\n", len, word, before, g.lo, g.hi);
		/* a stereo 1 kHz sine of -30 dBFS reads -30 LUFS (EBU Tech
		 * 3341's calibration: -23 dBFS, -23 LUFS) */
		CHECK_NEAR(before, -23.0 + 30.0, 0.5, "gain on the tone");
		CHECK(g.hi <= before + 1.5, "the gain rose to %.2f dB from %.2f", g.hi, before);
		run_free(&r);
	}
}

int main(void)
{
	test_steps();
	test_pause();
	test_speech_gaps(0.0f);
	test_speech_gaps(1.5f);
	test_sentence_gaps();
	test_limits();
	test_tail_over_silence();
	test_louder_tail();
	test_gapped_scene();
	test_quieter_time();
	test_louder_time();
	test_held_step();
	test_lookahead_delay();
	test_ring();
	test_lookahead_step();
	test_lookahead_small_step();
	return test_summary("leveler");
}
