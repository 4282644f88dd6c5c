/* Look-ahead brickwall limiter: sliding-minimum gain, release, box attack. */
#include <math.h>
#include <string.h>

#include "biquad.h"
#include "limiter.h"

#define OS_TAPS		20u
#define OS_BETA		5.0
#define CHUNK		256u
/* Aim a hair under the ceiling so float rounding in the average and the
 * multiply can never push a sample over (1e-5 is 0.0001 dB). */
#define MARGIN		(1.0f - 1e-5f)
/* A release within this of its goal is there. */
#define SNAP		1e-9

void foh_limiter_default_params(struct foh_limiter_params *p)
{
	p->ceiling_db = -1.0f;
	p->release_ms = 50.0f;
	p->true_peak = false;
}

/* 8th-order Butterworth as four RBJ low-pass sections at one frequency
 * with the Butterworth pole Qs 1 / (2 cos((2k - 1) pi / 16)). Float is
 * plenty for poles this far from z = 1. */
static void design_lowpass(struct foh_limiter *s)
{
	double fc = s->rate <= 48000 ? 0.41 * s->rate : 20000.0;
	struct foh_limiter_lp *lp = &s->lp;

	for (int k = 0; k < FOH_LIMITER_LP_SECTIONS; k++) {
		struct foh_biquad_params p = {
			.type = FOH_BIQUAD_LOWPASS,
			.freq = (float)fc,
			.q = (float)(0.5 / cos((2 * k + 1) * M_PI / 16.0)),
		};
		struct foh_biquad_coefs c;
		foh_biquad_design(&c, &p, s->rate);
		for (int i = 0; i < 4; i++) {
			lp->b0[k][i] = (float)c.b0;
			lp->b1[k][i] = (float)c.b1;
			lp->b2[k][i] = (float)c.b2;
			lp->a1[k][i] = (float)c.a1;
			lp->a2[k][i] = (float)c.a2;
		}
	}
}

static void reset_lowpass(struct foh_limiter *s)
{
	memset(s->lp.z1, 0, sizeof(s->lp.z1));
	memset(s->lp.z2, 0, sizeof(s->lp.z2));
}

/* All four sections per frame: the eight recursions overlap. The bias
 * passes the low-pass as DC and keeps the state out of subnormals. */
static void run_lowpass(struct foh_limiter *s, const float *inl,
		const float *inr, float *outl, float *outr, uint32_t n)
{
	struct foh_limiter_lp lp = s->lp;

	for (uint32_t i = 0; i < n; i++) {
		foh_v4f v = { inl[i] + FOH_DSP_BIAS,
			(inr ? inr[i] : 0.0f) + FOH_DSP_BIAS, 0.0f, 0.0f };
		for (int k = 0; k < FOH_LIMITER_LP_SECTIONS; k++) {
			foh_v4f y = lp.b0[k] * v + lp.z1[k];
			lp.z1[k] = lp.b1[k] * v - lp.a1[k] * y + lp.z2[k];
			lp.z2[k] = lp.b2[k] * v - lp.a2[k] * y;
			v = y;
		}
		outl[i] = v[0];
		if (outr)
			outr[i] = v[1];
	}
	memcpy(s->lp.z1, lp.z1, sizeof(lp.z1));
	memcpy(s->lp.z2, lp.z2, sizeof(lp.z2));
}

void foh_limiter_init(struct foh_limiter *s, uint32_t rate)
{
	struct foh_limiter_params p;
	uint32_t d;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	d = (uint32_t)((uint64_t)64 * s->rate / 48000);
	s->delay = d < OS_TAPS + 14 ? OS_TAPS + 14 : d;
	s->box_len = s->delay - OS_TAPS + 2;
	foh_os_design(&s->os_coefs, OS_TAPS, OS_BETA);
	design_lowpass(s);
	foh_limiter_default_params(&p);
	foh_limiter_set(s, &p);
	s->primed = false;
	foh_limiter_reset(s);
}

void foh_limiter_set(struct foh_limiter *s, const struct foh_limiter_params *p)
{
	float ceil = foh_db_to_lin(foh_dsp_clampf(p->ceiling_db, -30.0f, 0.0f));
	uint32_t ramp = s->primed ? foh_dsp_ms_to_frames(FOH_DSP_RAMP_MS, s->rate) : 0;

	s->rel = foh_dsp_pole(foh_dsp_clampf(p->release_ms, 1.0f, 5000.0f),
			s->rate);
	if (ceil < s->ceil.cur && s->primed) {
		/* frames already in the delay line were limited to the old
		 * ceiling: clamp to that until they are out */
		float hi = s->clamp_hold > 0 ? s->clamp_hi : 0.0f;
		s->clamp_hi = foh_maxf(hi, s->ceil.cur);
		s->clamp_hold = ramp + s->delay;
	}
	foh_ramp_to(&s->ceil, ceil, ramp);
	s->primed = true;
	if (p->true_peak && !s->true_peak) {
		foh_os_reset(&s->os[0]);
		foh_os_reset(&s->os[1]);
		reset_lowpass(s);
	}
	s->true_peak = p->true_peak;
}

void foh_limiter_reset(struct foh_limiter *s)
{
	foh_ramp_jump(&s->ceil, s->ceil.target);
	s->clamp_hold = 0;
	s->frame = 0;
	s->env = 1.0;
	s->ones = FOH_LIMITER_RING;
	s->g_min = 1.0f;
	s->dq_head = s->dq_count = 0;
	s->box_pos = s->dl_pos = 0;
	for (uint32_t i = 0; i < FOH_LIMITER_RING; i++)
		s->box[i] = 1.0f;
	s->box_sum = (double)s->box_len;
	memset(s->dl, 0, sizeof(s->dl));
	foh_os_reset(&s->os[0]);
	foh_os_reset(&s->os[1]);
	s->os_last[0] = s->os_last[1] = 0.0f;
	reset_lowpass(s);
	s->clamped = 0;
}

/* Push the required gain of frame i, return the minimum over the last
 * delay + 1 frames. */
static inline float window_min(struct foh_limiter *s, uint32_t i, float c)
{
	const uint32_t span = s->delay + 1;
	uint32_t head = s->dq_head, count = s->dq_count, back;

	if (count > 0 && i - s->dq_idx[head] >= span) {
		head = head + 1 == FOH_LIMITER_RING ? 0 : head + 1;
		count--;
	}
	while (count > 0) {
		back = head + count - 1;
		back = back >= FOH_LIMITER_RING ? back - FOH_LIMITER_RING : back;
		if (s->dq_val[back] < c)
			break;
		count--;
	}
	back = head + count;
	back = back >= FOH_LIMITER_RING ? back - FOH_LIMITER_RING : back;
	s->dq_val[back] = c;
	s->dq_idx[back] = i;
	s->dq_head = head;
	s->dq_count = count + 1;
	return s->dq_val[head];
}

/* Peak of the waveform around one frame's four 4x points: each local
 * maximum of |y| is refined to the vertex of the parabola through it and
 * its neighbours. The four points alone read a tone at 19.7 kHz up to
 * 0.46 dB low; the vertex is within 0.04 dB. Branch-free, in lanes. */
static inline float refined_peak(foh_v4f v, float before, float after)
{
	const foh_v4f one = { 1.0f, 1.0f, 1.0f, 1.0f };
	foh_v4f m = foh_v4f_abs(v);
	foh_v4f l = { fabsf(before), m[0], m[1], m[2] };
	foh_v4f r = { m[1], m[2], m[3], fabsf(after) };
	foh_v4f den = 2.0f * m - l - r;
	foh_v4i peak = (m >= l) & (m >= r) & (den > 0.0f);
	foh_v4f safe = (foh_v4f)(((foh_v4i)den & peak) | ((foh_v4i)one & ~peak));
	foh_v4f inc = (r - l) * (r - l) / (8.0f * safe);

	m += (foh_v4f)((foh_v4i)inc & peak);
	return foh_v4f_absmax(m);
}

static inline float channel_true_peak(struct foh_limiter *s, int ch, float x)
{
	struct foh_os *os = &s->os[ch];
	uint32_t pos = os->pos;
	foh_v4f v = foh_os_push_n(os, &s->os_coefs, x, OS_TAPS);
	/* the sample after the interpolated interval, still in the window */
	float after = os->hist[pos + 1 + OS_TAPS / 2][0];
	float before = s->os_last[ch];

	s->os_last[ch] = v[3];
	return refined_peak(v, before, after);
}

/* Peak of one input frame as the limiter sees it. */
static inline float frame_peak(struct foh_limiter *s, float l, float r,
		bool stereo)
{
	if (!s->true_peak)
		return foh_maxf(fabsf(l), fabsf(r));
	float p = channel_true_peak(s, 0, l);
	if (stereo)
		p = foh_maxf(p, channel_true_peak(s, 1, r));
	return p;
}

/* Gain for the frame leaving the delay line now. */
static inline float next_gain(struct foh_limiter *s, float pk)
{
	float ceil = foh_ramp_tick(&s->ceil) * MARGIN;
	float c = pk > ceil ? ceil / pk : 1.0f;
	float m = window_min(s, s->frame++, c);
	double env = s->env;
	uint32_t bp = s->box_pos;
	float e;

	if (m < env) {
		env = m;
	} else {
		/* in double: a float release near 1 stalls where rel's step
		 * is under half a float step, 1e-5 under 1 at 8 ms, 7e-3 at
		 * 5 s, and a limiter that limited once would never again
		 * pass its input unchanged; the snap ends the tail */
		env = m + s->rel * (env - m);
		if (m - env < SNAP)
			env = m;
	}
	s->env = env;
	e = (float)env;
	s->ones = e == 1.0f ? s->ones + 1 : 0;
	s->box_sum += (double)e - (double)s->box[bp];
	s->box[bp] = e;
	s->box_pos = bp + 1 == s->box_len ? 0 : bp + 1;
	return (float)(s->box_sum / (double)s->box_len);
}

static inline float clamp_out(struct foh_limiter *s, float y, float lim)
{
	if (fabsf(y) > lim) {
		s->clamped++;
		return copysignf(lim, y);
	}
	return y;
}

static void resync(struct foh_limiter *s, uint32_t n)
{
	double sum = 0.0;

	/* the running sum would drift over hours; re-add it exactly */
	for (uint32_t i = 0; i < s->box_len; i++)
		sum += (double)s->box[i];
	s->box_sum = sum;
	s->clamp_hold = s->clamp_hold > n ? s->clamp_hold - n : 0;
}

/* The largest magnitude of n samples and pk; a NaN is passed over. */
static float peak_of(const float *x, uint32_t n, float pk)
{
	for (uint32_t i = 0; i < n; i++) {
		float a = fabsf(x[i]);
		pk = a > pk ? a : pk;
	}
	return pk;
}

/* At rest: the released gain and every gain in the box are 1, the window
 * holds only 1, the ceiling is not moving, and no frame of these n needs
 * a gain under 1 (a NaN needs none either, as in next_gain). Sample peak
 * only: the true-peak path keeps its interpolator's history. */
static bool at_rest(const struct foh_limiter *s, const float *inl,
		const float *inr, uint32_t n)
{
	float ceil = s->ceil.cur * MARGIN, pk;

	if (s->per_frame || s->true_peak || s->ceil.left > 0 || s->env != 1.0 ||
	    s->ones < s->box_len || s->dq_count != 1 || s->dq_val[s->dq_head] != 1.0f)
		return false;
	pk = peak_of(inl, n, 0.0f);
	if (inr != NULL)
		pk = peak_of(inr, n, pk);
	return !(pk > ceil);
}

/* What next_gain does for n frames that all need gain 1 from rest: the
 * window keeps one 1, the envelope and the box stay at 1, the gain is 1. */
static void rest(struct foh_limiter *s, uint32_t n)
{
	s->rests++;
	s->frame += n;
	s->dq_idx[s->dq_head] = s->frame - 1;
	s->box_pos = (uint32_t)((s->box_pos + (uint64_t)n) % s->box_len);
	s->ones = s->ones > UINT32_MAX - n ? UINT32_MAX : s->ones + n;
}

/* The delay line alone, in blocks: what the per-frame loop does with a
 * gain of 1 to one channel's ring (d frames, next slot dp) for n <= CHUNK
 * frames, in may alias out. The safety clamp still applies. */
static void delay_block(struct foh_limiter *s, float *ring, uint32_t dp,
		const float *in, float *out, uint32_t n, float lim)
{
	const uint32_t d = s->delay;
	float x[CHUNK];
	uint32_t m = n < d ? n : d, first = d - dp < m ? d - dp : m;

	memcpy(x, in, n * sizeof(float));
	/* out: the ring from dp (the oldest first), then the input itself */
	memcpy(out, ring + dp, first * sizeof(float));
	memcpy(out + first, ring, (m - first) * sizeof(float));
	memcpy(out + m, x, (n - m) * sizeof(float));
	/* the ring keeps the last m frames, frame i at (dp + i) mod d */
	uint32_t st = (uint32_t)(((uint64_t)dp + n - m) % d), part = d - st < m ? d - st : m;
	memcpy(ring + st, x + n - m, part * sizeof(float));
	memcpy(ring, x + n - m + part, (m - part) * sizeof(float));
	if (peak_of(out, n, 0.0f) > lim)
		for (uint32_t i = 0; i < n; i++)
			out[i] = clamp_out(s, out[i], lim);
}

/* The per-frame loop over n <= CHUNK frames of (possibly band-limited)
 * input; outl/outr may alias inl/inr. At rest the gain is 1 throughout
 * and only the delay line runs: the same output, bit for bit. */
static float limit(struct foh_limiter *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n, float lim)
{
	const bool stereo = inr != NULL && outr != NULL;
	const uint32_t d = s->delay;
	float gmin = 1.0f;

	if (at_rest(s, inl, stereo ? inr : NULL, n)) {
		uint32_t dp = s->dl_pos;

		rest(s, n);
		delay_block(s, s->dl[0], dp, inl, outl, n, lim);
		if (stereo)
			delay_block(s, s->dl[1], dp, inr, outr, n, lim);
		s->dl_pos = (uint32_t)(((uint64_t)dp + n) % d);
		return gmin;
	}
	for (uint32_t i = 0; i < n; i++) {
		float l = inl[i], r = stereo ? inr[i] : 0.0f;
		float g = next_gain(s, frame_peak(s, l, r, stereo));
		uint32_t dp = s->dl_pos;

		gmin = foh_minf(gmin, g);
		outl[i] = clamp_out(s, s->dl[0][dp] * g, lim);
		s->dl[0][dp] = l;
		if (stereo) {
			outr[i] = clamp_out(s, s->dl[1][dp] * g, lim);
			s->dl[1][dp] = r;
		}
		s->dl_pos = dp + 1 == d ? 0 : dp + 1;
	}
	return gmin;
}

void foh_limiter_run(struct foh_limiter *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	const bool stereo = inr != NULL && outr != NULL;
	float lim = foh_maxf(s->ceil.cur, s->ceil.target);
	float bl[CHUNK], br[CHUNK];
	float gmin = 1.0f;

	if (s->clamp_hold > 0)
		lim = foh_maxf(lim, s->clamp_hi);
	for (uint32_t done = 0; done < n; done += CHUNK) {
		uint32_t k = n - done < CHUNK ? n - done : CHUNK;
		const float *l = inl + done, *r = stereo ? inr + done : NULL;

		if (s->true_peak) {
			run_lowpass(s, l, r, bl, stereo ? br : NULL, k);
			l = bl;
			r = stereo ? br : NULL;
		}
		gmin = foh_minf(gmin, limit(s, l, r, outl + done,
					stereo ? outr + done : NULL, k, lim));
	}
	s->g_min = gmin;
	resync(s, n);
}

uint32_t foh_limiter_latency(const struct foh_limiter *s)
{
	return s->delay;
}

float foh_limiter_reduction_db(const struct foh_limiter *s)
{
	return -foh_lin_to_db(s->g_min, -120.0f);
}

uint64_t foh_limiter_clamp_count(const struct foh_limiter *s)
{
	return s->clamped;
}
