/* Limiter: the ceiling holds, always.
 *
 * Sample-peak mode: 10 minutes of adversarial stereo at 48 kHz in 2 s
 * segments that cycle through full-scale and +20 dB noise, square bursts,
 * single-sample impulses, sweeps, DC steps, alternating +-full-scale
 * samples and overdriven tone mixes, with the ceiling (-0.1 .. -12 dBFS)
 * and release (1 .. 300 ms) changed between segments and random run sizes
 * (1 .. 8192 frames). Every output sample is compared with the ceiling in
 * force (during a ceiling cut, the old one until the frames limited to it
 * are out); none may be above, and the safety clamp may never engage.
 *
 * True-peak mode: 2 minutes of the same material at a -1 dBTP ceiling,
 * measured with an 8x, 64-tap-per-phase windowed-sinc interpolator written
 * here (accurate to 0.01 dB up to 22 kHz); the highest inter-sample peak
 * may be at most 0.1 dB over the ceiling. Sample peaks are checked too.
 *
 * Also: latency is 64 frames at 48 kHz (scaled with rate) and a signal under
 * the ceiling comes out unchanged, exactly that many frames later, also
 * half a second after a passage it limited; and the at-rest path (only the delay line runs while no frame needs a gain under
 * 1) gives the same output to the bit as the per-frame loop, on tone that
 * moves between under and over the ceiling, in random run sizes, through
 * ceiling changes. */
#include <string.h>

#include "limiter.h"
#include "test-util.h"

#define RATE		48000u
#define SEG		(2 * RATE)
#define MAXRUN		8192u

/* ---- adversarial material ---- */

struct gen {
	uint64_t rng;
	uint32_t kind, t;
	double phase, freq, level, dc;
	uint32_t hold;
};

static double sample_of(struct gen *g, int ch)
{
	double u = test_noise(&g->rng), x = 0.0;
	double tt = (double)g->t / RATE;

	switch (g->kind) {
	case 0: return u;					/* full-scale noise */
	case 1: return 10.0 * (u + test_noise(&g->rng)) / 2.0;	/* +20 dB noise */
	case 2:							/* square bursts */
		if ((g->t / 2400) % 2)
			return 0.0;
		return (fmod(g->freq * tt, 1.0) < 0.5 ? 1.0 : -1.0) * g->level;
	case 3:							/* impulses */
		return test_rand(&g->rng) < 0.01 ? g->level * (u < 0 ? -1 : 1) : 0.0;
	case 4:							/* sweep 20 Hz..20 kHz */
		g->phase += 2.0 * M_PI * 20.0 * pow(1000.0, tt / 2.0) / RATE / 2.0;
		return 2.0 * sin(g->phase + ch);
	case 5:							/* DC steps */
		if (g->hold-- == 0) {
			g->dc = 10.0 * u;
			g->hold = (uint32_t)(test_rand(&g->rng) * 2000.0);
		}
		return g->dc;
	case 6:							/* Nyquist +-full scale */
		return (g->t % 2 ? 1.0 : -1.0) * g->level;
	default:						/* overdriven tones */
		x = sin(2 * M_PI * 110 * tt) + 0.7 * sin(2 * M_PI * 1234 * tt + ch) +
			0.5 * sin(2 * M_PI * 5555 * tt) + 0.3 * u;
		return 10.0 * x;
	}
}

static void gen_start(struct gen *g, uint32_t seg)
{
	g->kind = seg % 8;
	g->t = 0;
	g->phase = 0.0;
	g->freq = 20.0 + 4980.0 * test_rand(&g->rng);
	g->level = 1.0 + 9.0 * test_rand(&g->rng);
	g->hold = 0;
}

static void gen_fill(struct gen *g, float *l, float *r, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++, g->t++) {
		double ph = g->phase;
		l[i] = (float)sample_of(g, 0);
		if (g->kind == 4)
			g->phase = ph;	/* same sweep on both channels */
		r[i] = (float)sample_of(g, 1);
	}
}

/* ---- independent true-peak measurement: 8x, 64 taps per phase ---- */

#define M_PHASES	8
#define M_TAPS		64

typedef float v8f __attribute__((vector_size(32)));

struct tpm {
	v8f c[M_TAPS];
	float hist[2][2 * M_TAPS];
	uint32_t pos;
};

static double bessel0(double x)
{
	double s = 1.0, t = 1.0;
	for (int k = 1; k < 60; k++) {
		t *= (x / (2 * k)) * (x / (2 * k));
		s += t;
	}
	return s;
}

static void tpm_init(struct tpm *m)
{
	memset(m, 0, sizeof(*m));
	for (int p = 0; p < M_PHASES; p++) {
		double h[M_TAPS], sum = 0.0;
		for (int k = 0; k < M_TAPS; k++) {
			double t = (M_TAPS / 2 - 1) - k + (double)p / M_PHASES;
			double u = t / (M_TAPS / 2);
			double w = fabs(u) < 1 ? bessel0(8.0 * sqrt(1 - u * u)) / bessel0(8.0) : 0;
			h[k] = (fabs(t) < 1e-9 ? 1.0 : sin(M_PI * t) / (M_PI * t)) * w;
			sum += h[k];
		}
		for (int k = 0; k < M_TAPS; k++)
			m->c[k][p] = (float)(h[k] / sum);
	}
}

static float tpm_push(struct tpm *m, float l, float r)
{
	v8f al = { 0 }, ar = { 0 };
	uint32_t pos = m->pos;

	m->hist[0][pos] = m->hist[0][pos + M_TAPS] = l;
	m->hist[1][pos] = m->hist[1][pos + M_TAPS] = r;
	const float *wl = &m->hist[0][pos + 1], *wr = &m->hist[1][pos + 1];
	for (int k = 0; k < M_TAPS; k++) {
		al += m->c[k] * wl[k];
		ar += m->c[k] * wr[k];
	}
	m->pos = (pos + 1) % M_TAPS;
	float pk = 0.0f;
	for (int p = 0; p < M_PHASES; p++)
		pk = fmaxf(pk, fmaxf(fabsf(al[p]), fabsf(ar[p])));
	return pk;
}

/* ---- the runs ---- */

static float bl[MAXRUN], br[MAXRUN], ol[MAXRUN], orr[MAXRUN];

struct result {
	uint64_t frames, overs, clamps;
	double worst_over_db;	/* largest sample peak relative to its ceiling */
	double worst_tp_db;	/* largest true peak relative to the ceiling */
};

static void run_material(uint32_t rate, bool tp, uint32_t seconds,
		struct result *res)
{
	static const float ceils[] = { -0.1f, -1.0f, -3.0f, -6.0f, -12.0f };
	static const float rels[] = { 1.0f, 8.0f, 50.0f, 300.0f };
	static struct foh_limiter lim;
	static struct tpm meter;
	struct gen g = { .rng = 0x9e3779b97f4a7c15ull };
	uint64_t rng = 12345;
	double allowed = 0.0, ceil_now = 0.0;
	uint32_t transition = 0;

	memset(res, 0, sizeof(*res));
	res->worst_over_db = res->worst_tp_db = -INFINITY;
	foh_limiter_init(&lim, rate);
	tpm_init(&meter);
	for (uint32_t seg = 0; seg < seconds * RATE / SEG; seg++) {
		struct foh_limiter_params p = {
			.ceiling_db = tp ? -1.0f : ceils[seg % 5],
			.release_ms = rels[(seg / 5) % 4],
			.true_peak = tp,
		};
		double c = db_to_amp(p.ceiling_db);
		/* a cut applies to new input; frames already inside keep the
		 * old ceiling until they are out (ramp + latency) */
		if (c < ceil_now)
			transition = rate / 100 + foh_limiter_latency(&lim);
		allowed = fmax(c, ceil_now);
		ceil_now = c;
		foh_limiter_set(&lim, &p);
		gen_start(&g, seg);
		for (uint32_t t = 0; t < SEG; ) {
			uint32_t n = 1 + (uint32_t)(test_rand(&rng) * (MAXRUN - 1));
			n = n > SEG - t ? SEG - t : n;
			gen_fill(&g, bl, br, n);
			foh_limiter_run(&lim, bl, br, ol, orr, n);
			for (uint32_t i = 0; i < n; i++) {
				double lim_now = transition > 0 ? allowed : ceil_now;
				double pk = fmax(fabs(ol[i]), fabs(orr[i]));
				if (transition > 0)
					transition--;
				if (pk > lim_now)
					res->overs++;
				if (pk > 0.0)
					res->worst_over_db = fmax(res->worst_over_db,
							amp_to_db(pk / lim_now));
				if (tp)
					res->worst_tp_db = fmax(res->worst_tp_db,
							amp_to_db(tpm_push(&meter, ol[i], orr[i]) / ceil_now));
			}
			t += n;
			res->frames += n;
		}
	}
	res->clamps = foh_limiter_clamp_count(&lim);
}

static void test_transparent_and_latency(uint32_t rate, uint32_t want_latency)
{
	static float in[4096], out[4096];
	struct foh_limiter_params p = { .ceiling_db = -1.0f, .release_ms = 50.0f };
	struct foh_limiter lim;

	foh_limiter_init(&lim, rate);
	foh_limiter_set(&lim, &p);
	foh_limiter_reset(&lim);
	CHECK(foh_limiter_latency(&lim) == want_latency,
			"latency at %u Hz is %u, want %u", rate,
			foh_limiter_latency(&lim), want_latency);
	for (uint32_t i = 0; i < 4096; i++)
		in[i] = (float)(0.5 * sin(2.0 * M_PI * 1000.0 * i / rate));
	foh_limiter_run(&lim, in, NULL, out, NULL, 4096);
	uint32_t d = foh_limiter_latency(&lim), bad = 0;
	for (uint32_t i = d; i < 4096; i++)
		bad += out[i] != in[i - d];
	CHECK(bad == 0, "%u frames under the ceiling changed at %u Hz", bad, rate);
}

static void test_rest_same(void)
{
	static float il[MAXRUN], ir[MAXRUN], al[MAXRUN], ar[MAXRUN], pl[MAXRUN], pr[MAXRUN];
	static struct foh_limiter a, b;
	static float hist[48 * RATE];
	uint64_t rng = 777, diff = 0, t = 0, changed = 0;
	const uint32_t d = 64;

	foh_limiter_init(&a, RATE);
	foh_limiter_init(&b, RATE);
	b.per_frame = true;
	for (int seg = 0; seg < 48; seg++) {
		/* 1 s at -12 dBFS, 0.2 s at +6 or 0.1 dB over the ceiling,
		 * 1 s 0.01 dB under it, 1 s at -12 dBFS with a click 0.05 dB
		 * over it every 0.1 s; a -3 or -6 dBFS ceiling */
		int kind = seg % 4;
		double ceil_db = seg % 8 < 4 ? -3.0 : -6.0;
		double over = seg % 16 < 8 ? 6.0 : ceil_db + 0.1;
		double amp = db_to_amp(kind == 1 ? over : kind == 2 ? ceil_db - 0.01 : -12.0);
		float click = (float)db_to_amp(ceil_db + 0.05);
		uint32_t len = kind == 1 ? RATE / 5 : RATE;
		struct foh_limiter_params p = { .ceiling_db = (float)ceil_db,
			.release_ms = kind == 3 || seg % 5 == 0 ? 1.0f : 8.0f };
		foh_limiter_set(&a, &p);
		foh_limiter_set(&b, &p);
		for (uint32_t done = 0; done < len; ) {
			uint32_t n = 1 + (uint32_t)(test_rand(&rng) * 999);
			n = n > len - done ? len - done : n;
			for (uint32_t i = 0; i < n; i++) {
				il[i] = (float)(amp * sin(2.0 * M_PI * 440.0 * (double)(t + i) / RATE));
				ir[i] = (float)(0.5 * amp * sin(2.0 * M_PI * 660.0 * (double)(t + i) / RATE));
				if (kind == 3 && (done + i) % (RATE / 10) == RATE / 20)
					il[i] = click;
				hist[t + i] = il[i];
			}
			foh_limiter_run(&a, il, ir, al, ar, n);
			foh_limiter_run(&b, il, ir, pl, pr, n);
			/* the second half of an under passage: the input, D later */
			for (uint32_t i = 0; (kind == 0 || kind == 2) && i < n; i++)
				if (done + i >= len / 2)
					changed += al[i] != hist[t + i - d];
			t += n;
			diff += memcmp(al, pl, n * sizeof(float)) != 0;
			diff += memcmp(ar, pr, n * sizeof(float)) != 0;
			done += n;
		}
	}
	CHECK(a.rests > 1000, "the at-rest path ran for %llu runs only",
			(unsigned long long)a.rests);
	CHECK(b.rests == 0, "the per-frame limiter took the at-rest path");
	CHECK(changed == 0, "%llu frames under the ceiling changed after limiting",
			(unsigned long long)changed);
	CHECK(diff == 0, "at rest and per frame differ in %llu runs", (unsigned long long)diff);
}

int main(void)
{
	struct result r;

	test_rest_same();

	test_transparent_and_latency(48000, 64);
	test_transparent_and_latency(44100, 58);
	test_transparent_and_latency(96000, 128);
	test_transparent_and_latency(192000, 256);

	run_material(48000, false, 600, &r);
	CHECK(r.overs == 0, "sample-peak mode: %llu samples over the ceiling",
			(unsigned long long)r.overs);
	CHECK(r.clamps == 0, "sample-peak mode: safety clamp engaged %llu times",
			(unsigned long long)r.clamps);
	printf("sample peak at 48000 Hz: %.0f s, %llu overs, clamp %llu, highest sample %.6f dB re ceiling\n",
			r.frames / (double)RATE, (unsigned long long)r.overs,
			(unsigned long long)r.clamps, r.worst_over_db);

	for (int i = 0; i < 2; i++) {
		uint32_t rate = i == 0 ? 48000 : 44100;
		run_material(rate, true, i == 0 ? 120 : 30, &r);
		CHECK(r.overs == 0, "true-peak mode at %u Hz: %llu samples over the ceiling",
				rate, (unsigned long long)r.overs);
		CHECK(r.clamps == 0, "true-peak mode at %u Hz: clamp engaged %llu times",
				rate, (unsigned long long)r.clamps);
		CHECK(r.worst_tp_db <= 0.1, "true-peak mode at %u Hz: inter-sample peak %.3f dB over",
				rate, r.worst_tp_db);
		printf("true peak at %u Hz: %.0f s, %llu sample overs, clamp %llu, "
				"highest true peak %+.3f dB re ceiling\n", rate,
				r.frames / (double)rate, (unsigned long long)r.overs,
				(unsigned long long)r.clamps, r.worst_tp_db);
	}
	return test_summary("test-limiter");
}
