/* Content features: frame analysis and window summaries; see features.h. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "content/features.h"

#define HISTORY		256u	/* frames kept, power of two (> 5 s at 48 kHz) */
#define BAND_TOP_HZ	11025.0
#define SILENT_RMS	3.1623e-5f	/* -90 dBFS */
#define LOG_FLOOR	1e-5f
#define PAUSE_RMS	1e-3f		/* -60 dBFS */
#define VOICE_MIN_HZ	70.0		/* the pitch range searched: voices */
#define VOICE_MAX_HZ	500.0
#define VOICE_TOP_HZ	3000.0		/* the band whose periodicity counts */
#define VOICED		0.5f		/* voicing from which a frame is voiced */
#define GLIDE_MIN_ST	0.1f		/* pitch steps between frames (semitones) */
#define GLIDE_MAX_ST	1.5f		/* a voice glides through */

struct frame {
	float rms, peak;
	float centroid, rolloff, flatness, flux, zcr;
	float onset;		/* half-wave rectified log-spectral flux */
	float voicing;		/* periodicity at 70–500 Hz, 0–1 */
	float f0;		/* its frequency in Hz, 0 when unvoiced */
	bool silent;
};

struct foh_cfeat {
	uint32_t rate, n, hop, kmax;
	float hz_per_bin;
	float *win, *in, *buf;		/* buf: the last n samples */
	fftwf_complex *out;
	fftwf_plan plan;
	float *mag, *prev_p, *prev_logm;
	/* periodicity: the autocorrelation of the windowed frame, zero-padded
	 * to 2n so lags do not wrap, over 50 Hz–VOICE_TOP_HZ */
	float *ac_in, *ac_out, *ac_win;	/* ac_win: the window's own, normalised */
	fftwf_complex *ac_spec;
	fftwf_plan ac_fwd, ac_inv;
	uint32_t lag_min, lag_max, ac_kmin, ac_kmax;
	uint32_t fill;			/* samples in buf since the last frame */
	bool have_prev;
	struct frame hist[HISTORY];
	uint64_t frames;
};

static const char *const names[FOH_CF_N] = {
	"centroid-khz", "rolloff-khz", "flatness-db", "flux", "crest-db", "zcr-khz",
	"zcr-std-khz", "mod4hz", "low-energy", "onset-rate", "tempo-stability",
	"centroid-std-khz", "voicing", "voicing-mod", "pitch-glide",
};

const char *foh_cf_name(enum foh_cf i)
{
	return (unsigned)i < FOH_CF_N ? names[i] : NULL;
}

void foh_cfeat_free(struct foh_cfeat *f)
{
	if (f == NULL)
		return;
	if (f->plan != NULL)
		fftwf_destroy_plan(f->plan);
	if (f->ac_fwd != NULL)
		fftwf_destroy_plan(f->ac_fwd);
	if (f->ac_inv != NULL)
		fftwf_destroy_plan(f->ac_inv);
	fftwf_free(f->ac_in);
	fftwf_free(f->ac_out);
	fftwf_free(f->ac_spec);
	free(f->ac_win);
	fftwf_free(f->in);
	fftwf_free(f->out);
	free(f->win);
	free(f->buf);
	free(f->mag);
	free(f->prev_p);
	free(f->prev_logm);
	free(f);
}

int foh_cfeat_new(uint32_t rate, struct foh_cfeat **out)
{
	struct foh_cfeat *f;
	uint32_t bins;

	if (rate < 8000 || rate > 384000)
		return -EINVAL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -ENOMEM;
	f->rate = rate;
	/* about 40 ms, a power of two: 2048 at 44.1/48 kHz */
	for (f->n = 256; f->n < (uint32_t)(rate * 0.04); f->n *= 2)
		;
	f->hop = f->n / 2;
	bins = f->n / 2 + 1;
	f->hz_per_bin = (float)rate / (float)f->n;
	f->kmax = (uint32_t)fmin(BAND_TOP_HZ / f->hz_per_bin, (double)(bins - 1));
	f->win = calloc(f->n, sizeof(float));
	f->buf = calloc(f->n, sizeof(float));
	f->mag = calloc(bins, sizeof(float));
	f->prev_p = calloc(bins, sizeof(float));
	f->prev_logm = calloc(bins, sizeof(float));
	f->in = fftwf_malloc(f->n * sizeof(float));
	f->out = fftwf_malloc(bins * sizeof(fftwf_complex));
	f->ac_in = fftwf_malloc(2 * f->n * sizeof(float));
	f->ac_out = fftwf_malloc(2 * f->n * sizeof(float));
	f->ac_spec = fftwf_malloc((f->n + 1) * sizeof(fftwf_complex));
	f->lag_min = (uint32_t)floor(rate / VOICE_MAX_HZ);
	f->lag_max = (uint32_t)ceil(rate / VOICE_MIN_HZ);
	f->ac_win = calloc(f->lag_max + 2, sizeof(float));
	if (!f->win || !f->buf || !f->mag || !f->prev_p || !f->prev_logm || !f->in || !f->out ||
	    !f->ac_in || !f->ac_out || !f->ac_spec || !f->ac_win)
		goto nomem;
	f->plan = fftwf_plan_dft_r2c_1d((int)f->n, f->in, f->out, FFTW_ESTIMATE);
	f->ac_fwd = fftwf_plan_dft_r2c_1d((int)(2 * f->n), f->ac_in, f->ac_spec, FFTW_ESTIMATE);
	f->ac_inv = fftwf_plan_dft_c2r_1d((int)(2 * f->n), f->ac_spec, f->ac_out, FFTW_ESTIMATE);
	if (f->plan == NULL || f->ac_fwd == NULL || f->ac_inv == NULL)
		goto nomem;
	for (uint32_t i = 0; i < f->n; i++)
		f->win[i] = 0.5f - 0.5f * cosf(2.0f * (float)M_PI * (float)i / (float)f->n);
	/* bins of the 2n transform: 2n/rate Hz apart */
	f->ac_kmin = (uint32_t)ceil(50.0 * 2 * f->n / rate);
	f->ac_kmax = (uint32_t)fmin(VOICE_TOP_HZ * 2 * f->n / rate, (double)f->n);
	/* the window's autocorrelation, by which a frame's is divided
	 * (Boersma 1993): a periodic signal then scores 1 at its period */
	for (uint32_t lag = 0; lag <= f->lag_max + 1 && lag < f->n; lag++) {
		double r = 0.0;
		for (uint32_t i = 0; i + lag < f->n; i++)
			r += (double)f->win[i] * f->win[i + lag];
		f->ac_win[lag] = (float)r;
	}
	for (uint32_t lag = f->lag_max + 1; lag > 0; lag--)
		f->ac_win[lag] /= f->ac_win[0];
	f->ac_win[0] = 1.0f;
	*out = f;
	return 0;
nomem:
	foh_cfeat_free(f);
	return -ENOMEM;
}

void foh_cfeat_reset(struct foh_cfeat *f)
{
	memset(f->buf, 0, f->n * sizeof(float));
	memset(f->hist, 0, sizeof(f->hist));
	f->fill = 0;
	f->frames = 0;
	f->have_prev = false;
}

uint64_t foh_cfeat_frames(const struct foh_cfeat *f)
{
	return f->frames;
}

static void time_measures(struct foh_cfeat *f, struct frame *fr)
{
	double sum = 0.0;
	float peak = 0.0f;
	uint32_t zc = 0;

	for (uint32_t i = 0; i < f->n; i++) {
		float x = f->buf[i];
		sum += (double)x * x;
		if (fabsf(x) > peak)
			peak = fabsf(x);
		if (i > 0 && ((x >= 0.0f) != (f->buf[i - 1] >= 0.0f)))
			zc++;
	}
	fr->rms = (float)sqrt(sum / f->n);
	fr->peak = peak;
	/* crossings per sample × rate / 2: the frequency of a sine with as many */
	fr->zcr = (float)zc / (float)(f->n - 1) * (float)f->rate * 0.5f / 1000.0f;
	fr->silent = fr->rms < SILENT_RMS;
}

static void spectral_measures(struct foh_cfeat *f, struct frame *fr)
{
	double total = 0.0, weighted = 0.0, logsum = 0.0, acc = 0.0, flux = 0.0, onset = 0.0;
	uint32_t k, K = f->kmax;

	for (uint32_t i = 0; i < f->n; i++)
		f->in[i] = f->buf[i] * f->win[i];
	fftwf_execute(f->plan);
	for (k = 1; k <= K; k++) {
		float re = f->out[k][0], im = f->out[k][1];
		double p = (double)re * re + (double)im * im;
		f->mag[k] = sqrtf((float)p);
		total += p;
		weighted += p * k;
		logsum += log(p + 1e-20);
	}
	fr->centroid = (float)(weighted / (total + 1e-30) * f->hz_per_bin / 1000.0);
	/* in dB: the ratio spans decades */
	fr->flatness = (float)(10.0 / M_LN10 * (logsum / K - log(total / K + 1e-30)));
	for (k = 1; k <= K; k++) {
		float re = f->out[k][0], im = f->out[k][1];
		acc += (double)re * re + (double)im * im;
		if (acc >= 0.85 * total)
			break;
	}
	fr->rolloff = (float)((k < K ? k : K) * f->hz_per_bin / 1000.0f);
	{
		double msum = 0.0;
		for (k = 1; k <= K; k++)
			msum += f->mag[k];
		for (k = 1; k <= K; k++) {
			float p = (float)(f->mag[k] / (msum + 1e-30));
			float lm = logf(f->mag[k] / (float)f->n + LOG_FLOOR);
			if (f->have_prev) {
				flux += fabsf(p - f->prev_p[k]);
				if (lm > f->prev_logm[k])
					onset += lm - f->prev_logm[k];
			}
			f->prev_p[k] = p;
			f->prev_logm[k] = lm;
		}
	}
	fr->flux = f->have_prev ? (float)flux : 0.0f;
	fr->onset = f->have_prev ? (float)(onset / K) : 0.0f;
	f->have_prev = true;
}

/* Periodicity of the frame (Boersma's normalised autocorrelation): the
 * highest peak at 70–500 Hz, the first within 90 % of it (no octave below
 * a clear period), interpolated. Voiced speech scores near 1, noise and
 * unvoiced consonants near 0. */
static void periodicity(struct foh_cfeat *f, struct frame *fr)
{
	uint32_t N = 2 * f->n, best = 0, pick = 0;
	float r0, top = 0.0f;

	if (fr->silent)
		return;
	for (uint32_t i = 0; i < f->n; i++)
		f->ac_in[i] = f->buf[i] * f->win[i];
	memset(f->ac_in + f->n, 0, f->n * sizeof(float));
	fftwf_execute(f->ac_fwd);
	for (uint32_t k = 0; k <= N / 2; k++) {
		float re = f->ac_spec[k][0], im = f->ac_spec[k][1];
		f->ac_spec[k][0] = k >= f->ac_kmin && k <= f->ac_kmax ? re * re + im * im : 0.0f;
		f->ac_spec[k][1] = 0.0f;
	}
	fftwf_execute(f->ac_inv);
	if ((r0 = f->ac_out[0]) <= 0.0f)
		return;
	for (uint32_t lag = f->lag_min; lag <= f->lag_max; lag++) {
		f->ac_out[lag] = f->ac_out[lag] / r0 / f->ac_win[lag];
		if (f->ac_out[lag] > top) {
			top = f->ac_out[lag];
			best = lag;
		}
	}
	if (best == 0)
		return;
	pick = best;
	for (uint32_t lag = f->lag_min + 1; lag < best; lag++)
		if (f->ac_out[lag] >= 0.9f * top && f->ac_out[lag] >= f->ac_out[lag - 1] &&
		    f->ac_out[lag] >= f->ac_out[lag + 1]) {
			pick = lag;
			break;
		}
	fr->voicing = fminf(f->ac_out[pick], 1.0f);
	{
		double lag = pick;
		if (pick > f->lag_min && pick < f->lag_max) {
			double a = f->ac_out[pick - 1], b = f->ac_out[pick], c = f->ac_out[pick + 1];
			double den = a - 2.0 * b + c;
			if (den < 0.0)
				lag += 0.5 * (a - c) / den;
		}
		fr->f0 = fr->voicing >= VOICED ? (float)(f->rate / lag) : 0.0f;
	}
}

static void analyse_frame(struct foh_cfeat *f)
{
	struct frame *fr = &f->hist[f->frames & (HISTORY - 1)];

	memset(fr, 0, sizeof(*fr));
	time_measures(f, fr);
	spectral_measures(f, fr);
	periodicity(f, fr);
	f->frames++;
}

void foh_cfeat_push(struct foh_cfeat *f, const float *x, uint32_t n)
{
	while (n > 0) {
		uint32_t take = f->hop - f->fill;

		if (take > n)
			take = n;
		/* buf holds the last n samples: slide by what arrives */
		memmove(f->buf, f->buf + take, (f->n - take) * sizeof(float));
		memcpy(f->buf + f->n - take, x, take * sizeof(float));
		f->fill += take;
		x += take;
		n -= take;
		if (f->fill == f->hop) {
			f->fill = 0;
			analyse_frame(f);
		}
	}
}

static uint32_t frames_for(const struct foh_cfeat *f, double seconds)
{
	return (uint32_t)lround(seconds * f->rate / f->hop);
}

static const struct frame *frame_at(const struct foh_cfeat *f, uint32_t count, uint32_t i)
{
	/* i-th of the last count frames, oldest first */
	return &f->hist[(f->frames - count + i) & (HISTORY - 1)];
}

static float get_rms(const struct frame *fr)
{
	return fr->rms;
}

static float get_voicing(const struct frame *fr)
{
	return fr->voicing;
}

/* Energy at lo–hi Hz (0.5 Hz steps) of a frame measure over the last count
 * frames, less its mean and divided by norm, Hann-windowed. */
static float modulation(const struct foh_cfeat *f, uint32_t count,
		float (*get)(const struct frame *), double mean, double norm, double lo, double hi)
{
	double fps = (double)f->rate / f->hop, e = 0.0;
	uint32_t steps = 0;

	if (norm <= 0.0)
		return 0.0f;
	for (double hz = lo; hz <= hi + 1e-9; hz += 0.5, steps++) {
		double re = 0.0, im = 0.0, w = 2.0 * M_PI * hz / fps;
		for (uint32_t i = 0; i < count; i++) {
			double hann = 0.5 - 0.5 * cos(2.0 * M_PI * (i + 0.5) / count);
			double v = (get(frame_at(f, count, i)) - mean) / norm * hann;
			re += v * cos(w * i);
			im -= v * sin(w * i);
		}
		e += (re * re + im * im) / ((double)count * count);
	}
	return (float)(e / steps * 100.0);
}

/* Onsets per second and the periodicity of the onset envelope. */
static void rhythm(const struct foh_cfeat *f, uint32_t count, float *rate, float *stability)
{
	double fps = (double)f->rate / f->hop, mean = 0.0, var = 0.0, r0, best = 0.0;
	uint32_t onsets = 0, last = 0, gap = (uint32_t)ceil(0.1 * fps);
	uint32_t lo = (uint32_t)floor(0.25 * fps), hi = (uint32_t)ceil(1.5 * fps);
	double o[HISTORY];

	for (uint32_t i = 0; i < count; i++) {
		o[i] = frame_at(f, count, i)->onset;
		mean += o[i];
	}
	mean /= count;
	for (uint32_t i = 0; i < count; i++)
		var += (o[i] - mean) * (o[i] - mean);
	r0 = var;
	var /= count;
	for (uint32_t i = 1; i + 1 < count; i++) {
		double thr = mean + sqrt(var);
		if (o[i] > thr && o[i] >= o[i - 1] && o[i] > o[i + 1] && o[i] > 0.02 &&
		    (onsets == 0 || i - last >= gap)) {
			onsets++;
			last = i;
		}
	}
	*rate = (float)(onsets / (count / fps));
	if (hi >= count)
		hi = count - 1;
	for (uint32_t lag = lo; lag <= hi && r0 > 0.0; lag++) {
		double r = 0.0;
		for (uint32_t i = 0; i + lag < count; i++)
			r += (o[i] - mean) * (o[i + lag] - mean);
		/* unbiased: as if the overlap were the whole window */
		r = r / r0 * count / (count - lag);
		if (r > best)
			best = r;
	}
	*stability = (float)(best > 1.0 ? 1.0 : best);
}

/* Of the last count frames, how many follow the latest pause: a run of
 * at least 0.5 s under PAUSE_RMS. A window that reaches back into a pause
 * would mix its quiet into the crest, low-energy and modulation figures. */
static uint32_t since_pause(const struct foh_cfeat *f, uint32_t count)
{
	uint32_t run = 0, need = frames_for(f, 0.5);

	for (uint32_t i = count; i-- > 0;) {
		if (frame_at(f, count, i)->rms < PAUSE_RMS) {
			if (++run >= need)
				return count - 1 - i - (run - 1);
		} else {
			run = 0;
		}
	}
	return count;
}

bool foh_cfeat_vector(const struct foh_cfeat *f, struct foh_cf_vector *v)
{
	uint32_t ns = frames_for(f, FOH_CF_SHORT_S), nl = frames_for(f, FOH_CF_LONG_S);
	uint32_t nr = frames_for(f, 0.5), active = 0, low = 0, tail;
	double sum[FOH_CF_N] = { 0 }, sq_zcr = 0.0, sq_cen = 0.0, ms = 0.0, msr = 0.0;
	double mean_rms = 0.0, voicing = 0.0;
	uint32_t pairs = 0, glides = 0;
	float peak = 0.0f;

	if (f->frames < ns)
		return false;
	if (nl > f->frames)
		nl = (uint32_t)f->frames;
	memset(v, 0, sizeof(*v));
	/* the level of the last 0.5 s, whatever came before */
	for (uint32_t i = 0; i < nr; i++) {
		float r = frame_at(f, nr, i)->rms;
		msr += (double)r * r;
	}
	msr /= nr;
	v->level_db = msr > 1e-12 ? (float)(10.0 * log10(msr)) : -120.0f;
	tail = since_pause(f, nl);
	if (tail < ns)
		ns = tail;
	if (tail < nl)
		nl = tail;
	v->seconds = (float)(ns * (double)f->hop / f->rate);
	if (ns < 3)
		return true;
	for (uint32_t i = 0; i < ns; i++) {
		const struct frame *fr = frame_at(f, ns, i);
		/* the frames overlap by half: every sample is in two */
		ms += (double)fr->rms * fr->rms;
		mean_rms += fr->rms;
		if (fr->peak > peak)
			peak = fr->peak;
		voicing += fr->voicing;
		if (i > 0 && fr->f0 > 0.0f && frame_at(f, ns, i - 1)->f0 > 0.0f) {
			/* a voice's pitch glides; a note holds or jumps */
			float st = fabsf(12.0f * log2f(fr->f0 / frame_at(f, ns, i - 1)->f0));
			pairs++;
			glides += st >= GLIDE_MIN_ST && st <= GLIDE_MAX_ST;
		}
		if (fr->silent)
			continue;
		sum[FOH_CF_VOICING] += fr->voicing;
		active++;
		sum[FOH_CF_CENTROID] += fr->centroid;
		sum[FOH_CF_ROLLOFF] += fr->rolloff;
		sum[FOH_CF_FLATNESS] += fr->flatness;
		sum[FOH_CF_FLUX] += fr->flux;
		sum[FOH_CF_ZCR] += fr->zcr;
		sq_zcr += (double)fr->zcr * fr->zcr;
		sq_cen += (double)fr->centroid * fr->centroid;
	}
	mean_rms /= ns;
	for (uint32_t i = 0; i < ns; i++)
		if (frame_at(f, ns, i)->rms < 0.5 * mean_rms)
			low++;
	if (active > 0) {
		double a = active;
		v->v[FOH_CF_CENTROID] = (float)(sum[FOH_CF_CENTROID] / a);
		v->v[FOH_CF_ROLLOFF] = (float)(sum[FOH_CF_ROLLOFF] / a);
		v->v[FOH_CF_FLATNESS] = (float)(sum[FOH_CF_FLATNESS] / a);
		v->v[FOH_CF_FLUX] = (float)(sum[FOH_CF_FLUX] / a);
		v->v[FOH_CF_ZCR] = (float)(sum[FOH_CF_ZCR] / a);
		v->v[FOH_CF_VOICING] = (float)(sum[FOH_CF_VOICING] / a);
		v->v[FOH_CF_ZCR_STD] = (float)sqrt(fmax(0.0, sq_zcr / a -
					(sum[FOH_CF_ZCR] / a) * (sum[FOH_CF_ZCR] / a)));
		v->v[FOH_CF_CENTROID_STD] = (float)sqrt(fmax(0.0, sq_cen / a -
					(sum[FOH_CF_CENTROID] / a) * (sum[FOH_CF_CENTROID] / a)));
	}
	ms /= ns;
	v->v[FOH_CF_CREST] = ms > 0.0 ? (float)(20.0 * log10(peak / sqrt(ms))) : 0.0f;
	v->v[FOH_CF_MOD4HZ] = modulation(f, ns, get_rms, mean_rms, mean_rms, 2.5, 6.0);
	v->v[FOH_CF_VOICING_MOD] = modulation(f, ns, get_voicing, voicing / ns, 1.0, 2.0, 8.0);
	v->v[FOH_CF_PITCH_GLIDE] = pairs > 0 ? (float)glides / (float)pairs : 0.0f;
	v->v[FOH_CF_LOW_ENERGY] = (float)low / (float)ns;
	rhythm(f, nl, &v->v[FOH_CF_ONSET_RATE], &v->v[FOH_CF_TEMPO_STABILITY]);
	v->active = (float)active / (float)ns;
	return true;
}
