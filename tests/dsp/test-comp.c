/* Compressor: static curve, time constants, stereo link, no clicks.
 *
 * Static curve: steady inputs (DC of a given level, which both detectors
 * read exactly; and sines in RMS mode, read at their RMS) are run until the
 * gain has settled (>= 15 release time constants); the output level minus
 * the input level is compared, within 0.1 dB, to the Giannoulis-Massberg-
 * Reiss soft-knee formula written out again below.
 *
 * Time constants, as defined in comp.h: the gain reduction in dB covers
 * 1 - 1/e of a step after tau. Peak mode, knee 0, the input steps from below
 * the threshold to a level giving R dB of reduction (attack) and back
 * (release); the reduction is read per sample as in_db - out_db and the
 * first sample past (1 - 1/e) R (attack) or below R/e (release) gives the
 * measured tau, which must be within 10%.
 *
 * Quiet path: a compressor and one forced to compute every frame's gain
 * give the same output to the bit on tone that moves between under the
 * knee, over it and 1 dB into it, in random run sizes, with threshold
 * and makeup changes, in both detector modes. */
#include <string.h>

#include "comp.h"
#include "test-util.h"

#define RATE	48000u
#define CHUNK	1024u

/* The formula, independently: gain (out - in) in dB incl. makeup. */
static double gmr_gain(double x, double t, double r, double w, double mk)
{
	double y;

	if (2.0 * (x - t) < -w)
		y = x;
	else if (w > 0.0 && 2.0 * fabs(x - t) <= w)
		y = x + (1.0 / r - 1.0) * (x - t + w / 2.0) * (x - t + w / 2.0) /
			(2.0 * w);
	else
		y = t + (x - t) / r;
	return y - x + mk;
}

/* Output/input level in dB after settling on a steady signal. */
static double settle_gain_db(struct foh_comp *c, double amp, double freq)
{
	static float in[CHUNK], out[CHUNK];
	const uint32_t total = RATE, tail = RATE / 5;
	double si = 0.0, so = 0.0;

	for (uint32_t t = 0; t < total; t += CHUNK) {
		uint32_t n = total - t < CHUNK ? total - t : CHUNK;
		for (uint32_t i = 0; i < n; i++)
			in[i] = (float)(freq == 0.0 ? amp :
					amp * sin(2.0 * M_PI * freq * (t + i) / RATE));
		foh_comp_run(c, in, NULL, out, NULL, n);
		for (uint32_t i = 0; i < n; i++) {
			if (t + i < total - tail)
				continue;
			si += (double)in[i] * in[i];
			so += (double)out[i] * out[i];
		}
	}
	return 10.0 * log10(so / si);
}

static void test_static_curve(enum foh_comp_detect det, double freq)
{
	static const float thr[] = { -30.0f, -20.0f, -10.0f };
	static const float ratio[] = { 1.5f, 2.0f, 4.0f, 10.0f };
	static const float knee[] = { 0.0f, 6.0f, 12.0f };
	double worst = 0.0;
	int n = 0;

	for (int a = 0; a < 3; a++)
	for (int b = 0; b < 4; b++)
	for (int k = 0; k < 3; k++)
	for (double lvl = -44.0; lvl <= 0.0; lvl += 4.0) {
		struct foh_comp_params p;
		struct foh_comp c;
		foh_comp_default_params(&p);
		p.threshold_db = thr[a];
		p.ratio = ratio[b];
		p.knee_db = knee[k];
		p.attack_ms = 5.0f;
		p.release_ms = 50.0f;
		p.makeup_db = 3.0f;
		p.detect = det;
		foh_comp_init(&c, RATE);
		foh_comp_set(&c, &p);
		foh_comp_reset(&c);
		/* a sine's detector level is its RMS */
		double amp = freq == 0.0 ? db_to_amp(lvl) : db_to_amp(lvl) * sqrt(2.0);
		double got = settle_gain_db(&c, amp, freq);
		double want = gmr_gain(lvl, thr[a], ratio[b], knee[k], 3.0);
		CHECK_NEAR(got, want, 0.1, "%s%s T %.0f R %.1f W %.0f at %.0f dB",
				det == FOH_COMP_PEAK ? "peak" : "rms",
				freq == 0.0 ? " dc" : " sine", thr[a], ratio[b],
				knee[k], lvl);
		CHECK_NEAR(foh_comp_static_gain_db(&p, (float)lvl), want, 0.001,
				"foh_comp_static_gain_db at %.0f", lvl);
		worst = fmax(worst, fabs(got - want));
		n++;
	}
	printf("static curve %s %s: %d points, worst |err| %.4f dB\n",
			det == FOH_COMP_PEAK ? "peak" : "rms",
			freq == 0.0 ? "dc" : "1 kHz sine", n, worst);
}

/* Drive DC at lo for 0.5 s, hi for 1 s, lo for 2 s; measure both taus. */
static void measure_taus(float att_ms, float rel_ms, double *att, double *rel)
{
	static float in[4 * RATE], out[4 * RATE];
	const double thr = -30.0, ratio = 4.0, lo = -40.0, hi = -10.0;
	const double red = (hi - thr) * (1.0 - 1.0 / ratio);
	const uint32_t up = RATE / 2, down = up + RATE * 3 / 2, total = 4 * RATE;
	struct foh_comp_params p;
	struct foh_comp c;

	foh_comp_default_params(&p);
	p.threshold_db = (float)thr;
	p.ratio = (float)ratio;
	p.knee_db = 0.0f;
	p.attack_ms = att_ms;
	p.release_ms = rel_ms;
	p.detect = FOH_COMP_PEAK;
	foh_comp_init(&c, RATE);
	foh_comp_set(&c, &p);
	foh_comp_reset(&c);
	for (uint32_t i = 0; i < total; i++)
		in[i] = (float)db_to_amp(i >= up && i < down ? hi : lo);
	for (uint32_t t = 0; t < total; t += CHUNK)
		foh_comp_run(&c, in + t, NULL, out + t, NULL,
				total - t < CHUNK ? total - t : CHUNK);
	*att = *rel = -1.0;
	for (uint32_t i = up; i < down && *att < 0.0; i++)
		if (amp_to_db(in[i] / out[i]) >= red * (1.0 - exp(-1.0)))
			*att = (i - up + 1) * 1000.0 / RATE;
	for (uint32_t i = down; i < total && *rel < 0.0; i++)
		if (amp_to_db(in[i] / out[i]) <= red * exp(-1.0))
			*rel = (i - down + 1) * 1000.0 / RATE;
}

static void test_time_constants(void)
{
	static const float att[] = { 1.0f, 10.0f, 50.0f };
	static const float rel[] = { 50.0f, 100.0f, 500.0f };

	for (int i = 0; i < 3; i++) {
		double a, r;
		measure_taus(att[i], rel[i], &a, &r);
		CHECK_NEAR(a, att[i], 0.1 * att[i], "attack %.0f ms", att[i]);
		CHECK_NEAR(r, rel[i], 0.1 * rel[i], "release %.0f ms", rel[i]);
		printf("attack %.0f ms measured %.3f ms, release %.0f ms measured %.3f ms\n",
				att[i], a, rel[i], r);
	}
}

/* Loud left, quiet right: the right channel gets the same gain. */
static void test_stereo_link(void)
{
	static float l[RATE], r[RATE], ol[RATE], orr[RATE];
	struct foh_comp_params p;
	struct foh_comp c;

	foh_comp_default_params(&p);
	foh_comp_init(&c, RATE);
	foh_comp_set(&c, &p);
	for (uint32_t i = 0; i < RATE; i++) {
		l[i] = (float)(0.5 * sin(2.0 * M_PI * 440.0 * i / RATE));
		r[i] = (float)(0.001 * sin(2.0 * M_PI * 1000.0 * i / RATE));
	}
	foh_comp_run(&c, l, r, ol, orr, RATE);
	double worst = 0.0;
	for (uint32_t i = RATE / 2; i < RATE; i++)
		if (fabsf(l[i]) > 0.05f && fabsf(r[i]) > 1e-4f)
			worst = fmax(worst, fabs(ol[i] / l[i] - orr[i] / r[i]));
	CHECK(worst < 1e-4, "stereo link: gains differ by %g", worst);
	CHECK(foh_comp_reduction_db(&c) > 1.0f, "left at -9 dBFS RMS compresses");
	printf("stereo link: L/R gain difference %.2g, reduction %.2f dB\n",
			worst, foh_comp_reduction_db(&c));
}

/* Makeup +12 dB and threshold -40 dB at once mid-sine: no step larger than
 * a sine of the louder amplitude makes. */
static void test_no_click(void)
{
	static float buf[RATE];
	struct foh_comp_params p;
	struct foh_comp c;
	double max_step = 0.0;

	foh_comp_default_params(&p);
	foh_comp_init(&c, RATE);
	foh_comp_set(&c, &p);
	for (uint32_t i = 0; i < RATE; i++)
		buf[i] = (float)(0.1 * sin(2.0 * M_PI * 1000.0 * i / RATE));
	foh_comp_run(&c, buf, NULL, buf, NULL, RATE / 2);
	p.makeup_db = 12.0f;
	p.threshold_db = -40.0f;
	foh_comp_set(&c, &p);
	foh_comp_run(&c, buf + RATE / 2, NULL, buf + RATE / 2, NULL, RATE / 2);
	for (uint32_t i = RATE / 2 - 50; i < RATE; i++)
		max_step = fmax(max_step, fabs(buf[i] - buf[i - 1]));
	double bound = 2.0 * M_PI * 1000.0 * 0.1 * db_to_amp(12.0) / RATE;
	CHECK(max_step <= bound, "compressor change steps %.5f > %.5f",
			max_step, bound);
	printf("makeup/threshold jump: largest step %.5f, sine bound %.5f\n",
			max_step, bound);
}

static void test_quiet_same(enum foh_comp_detect det)
{
	static float il[1000], ir[1000], al[1000], ar[1000], pl[1000], pr[1000];
	static struct foh_comp a, b;
	struct foh_comp_params p;
	uint64_t rng = 99, diff = 0, t = 0;

	foh_comp_default_params(&p);
	p.detect = det;
	foh_comp_init(&a, RATE);
	foh_comp_init(&b, RATE);
	b.per_frame = true;
	for (int seg = 0; seg < 24; seg++) {
		/* -40 dBFS for 2 s, 1 dB into the knee and 12 dB over
		 * the threshold for 0.5 s;
		 * the threshold -20 or -30, makeup 0 or 6 dB */
		int kind = seg % 3;
		p.threshold_db = seg % 6 < 3 ? -20.0f : -30.0f;
		p.makeup_db = seg % 4 < 2 ? 0.0f : 6.0f;
		double lvl = kind == 0 ? -40.0 : kind == 2 ? p.threshold_db + 12.0 :
			p.threshold_db - 0.5 * p.knee_db + 1.0;
		/* a sine's RMS is 3 dB under its peak */
		double amp = db_to_amp(lvl + (det == FOH_COMP_RMS ? 3.0103 : 0.0));
		uint32_t len = kind == 0 ? 2 * RATE : RATE / 2;
		foh_comp_set(&a, &p);
		foh_comp_set(&b, &p);
		for (uint32_t done = 0; done < len; ) {
			uint32_t n = 1 + (uint32_t)(test_rand(&rng) * 999);
			n = n > len - done ? len - done : n;
			for (uint32_t i = 0; i < n; i++, t++) {
				il[i] = (float)(amp * sin(2.0 * M_PI * 440.0 * (double)t / RATE));
				ir[i] = (float)(0.7 * amp * sin(2.0 * M_PI * 550.0 * (double)t / RATE));
			}
			foh_comp_run(&a, il, ir, al, ar, n);
			foh_comp_run(&b, il, ir, pl, pr, n);
			diff += memcmp(al, pl, n * sizeof(float)) != 0;
			diff += memcmp(ar, pr, n * sizeof(float)) != 0;
			done += n;
		}
	}
	CHECK(a.quiet > 1000, "%s: the quiet path ran for %llu chunks only",
			det == FOH_COMP_RMS ? "RMS" : "peak", (unsigned long long)a.quiet);
	CHECK(b.quiet == 0, "the per-frame compressor took the quiet path");
	CHECK(diff == 0, "%s: quiet and per frame differ in %llu runs",
			det == FOH_COMP_RMS ? "RMS" : "peak", (unsigned long long)diff);
}

int main(void)
{
	test_quiet_same(FOH_COMP_RMS);
	test_quiet_same(FOH_COMP_PEAK);
	test_static_curve(FOH_COMP_PEAK, 0.0);
	test_static_curve(FOH_COMP_RMS, 0.0);
	test_static_curve(FOH_COMP_RMS, 1000.0);
	test_time_constants();
	test_stereo_link();
	test_no_click();
	return test_summary("test-comp");
}
