/* Spectrum: SPSC history ring, Hann + FFTW rFFT, log-bin map, empty-bin
 * fill and the per-bin post-processing (see spectrum.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "dsp-util.h"
#include "spectrum.h"

#define POWER_FLOOR	1e-12	/* -120 dB: log10 stays finite */
#define MAX_BACKLOG	2u	/* hops the worker may lag before skipping */

struct foh_spectrum {
	uint32_t rate;
	struct foh_spectrum_params p;

	/* history: single producer (push), single consumer (hop) */
	float *ring;
	uint32_t cap, mask;
	_Atomic uint32_t wr;	/* frames pushed */
	_Atomic uint32_t rd;	/* first frame of the next window */
	_Atomic uint64_t dropped;	/* written by the producer only */
	uint64_t skipped;

	/* FFT */
	float *in;
	fftwf_complex *out;
	fftwf_plan plan;
	float *win;
	double corr;		/* 2 / (sum w)^2 */

	/* log bins: linear bins [start, start + count) */
	uint32_t *start, *count;
	double *edges;		/* n_bins + 1 */
	uint32_t *fill_l, *fill_r;	/* empty bins: valid neighbours */
	float *fill_wl;		/* weight of fill_l */

	/* post-processing */
	float *tilt_db;
	float *a_att, *a_rel;	/* per-bin smoother */
	float pk_att, pk_rel;	/* peak follower */
	float *kernel;		/* 2 radius + 1 taps, or NULL */
	uint32_t radius;
	bool warmed;
	float *raw, *filled, *sm, *pk, *pks, *val;
};

void foh_spectrum_default_params(struct foh_spectrum_params *p)
{
	struct foh_lmh_params lp;

	foh_lmh_default_params(&lp);
	p->window = 1024;
	p->hop = 512;
	p->n_bins = 128;
	p->f_min = 30.0f;
	p->peak_smear_oct = 0.3f;
	p->raw_db = false;
	memcpy(p->band, lp.band, sizeof(p->band));
	p->scale = lp.scale;
}

static bool geometry_valid(const struct foh_spectrum_params *p,
		uint32_t rate, char *why, size_t len)
{
	struct foh_autoscale_geom g = { p->window, p->n_bins, p->f_min };

	if (!foh_autoscale_geom_valid(&g, rate, why, len))
		return false;
	if (p->hop < 64 || p->hop > p->window)
		return foh_analysis_fail(why, len, "FFT hop %u is out of range "
				"[64, %u] (the window)", p->hop, p->window);
	if (!(p->peak_smear_oct >= 0.0f && p->peak_smear_oct <= 3.0f))
		return foh_analysis_fail(why, len, "peak smear %g octaves is out "
				"of range [0, 3]", p->peak_smear_oct);
	return true;
}

bool foh_spectrum_params_valid(const struct foh_spectrum_params *p,
		uint32_t rate, char *why, size_t len)
{
	static const char *const names[FOH_LMH_BANDS] = { "low", "mid", "high" };

	if (!geometry_valid(p, rate, why, len))
		return false;
	for (int b = 0; b < FOH_LMH_BANDS; b++) {
		char inner[160];
		if (!foh_lmh_band_valid(&p->band[b], rate, inner, sizeof(inner)))
			return foh_analysis_fail(why, len, "%s band: %s",
					names[b], inner);
	}
	return foh_autoscale_params_valid(&p->scale, why, len);
}

void foh_spectrum_free(struct foh_spectrum *s)
{
	if (s == NULL)
		return;
	if (s->plan)
		fftwf_destroy_plan(s->plan);
	fftwf_free(s->in);
	fftwf_free(s->out);
	free(s->ring);
	free(s->win);
	free(s->start);
	free(s->count);
	free(s->edges);
	free(s->fill_l);
	free(s->fill_r);
	free(s->fill_wl);
	free(s->tilt_db);
	free(s->a_att);
	free(s->a_rel);
	free(s->kernel);
	free(s->raw);
	free(s->filled);
	free(s->sm);
	free(s->pk);
	free(s->pks);
	free(s->val);
	free(s);
}

static uint32_t next_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static int alloc_arrays(struct foh_spectrum *s)
{
	uint32_t w = s->p.window, n = s->p.n_bins;

	s->cap = next_pow2(2 * w + 2 * FOH_DSP_MAX_FRAMES);
	s->mask = s->cap - 1;
	s->ring = calloc(s->cap, sizeof(float));
	s->in = fftwf_alloc_real(w);
	s->out = fftwf_alloc_complex(w / 2 + 1);
	s->win = calloc(w, sizeof(float));
	s->start = calloc(n, sizeof(uint32_t));
	s->count = calloc(n, sizeof(uint32_t));
	s->edges = calloc(n + 1, sizeof(double));
	s->fill_l = calloc(n, sizeof(uint32_t));
	s->fill_r = calloc(n, sizeof(uint32_t));
	s->fill_wl = calloc(n, sizeof(float));
	s->tilt_db = calloc(n, sizeof(float));
	s->a_att = calloc(n, sizeof(float));
	s->a_rel = calloc(n, sizeof(float));
	s->raw = calloc(n, sizeof(float));
	s->filled = calloc(n, sizeof(float));
	s->sm = calloc(n, sizeof(float));
	s->pk = calloc(n, sizeof(float));
	s->pks = calloc(n, sizeof(float));
	s->val = calloc(n, sizeof(float));
	if (!s->ring || !s->in || !s->out || !s->win || !s->start ||
	    !s->count || !s->edges || !s->fill_l || !s->fill_r ||
	    !s->fill_wl || !s->tilt_db || !s->a_att || !s->a_rel ||
	    !s->raw || !s->filled || !s->sm || !s->pk || !s->pks || !s->val)
		return -ENOMEM;
	return 0;
}

static void build_window(struct foh_spectrum *s)
{
	uint32_t w = s->p.window;
	double sum = 0.0;

	for (uint32_t i = 0; i < w; i++) {
		double v = 0.5 - 0.5 * cos(2.0 * M_PI * (double)i / (double)(w - 1));
		s->win[i] = (float)v;
		sum += (double)s->win[i];
	}
	s->corr = 2.0 / (sum * sum);
}

/* Which linear bins each log bin averages (see spectrum.h, step 3). */
static void build_map(struct foh_spectrum *s)
{
	uint32_t n = s->p.n_bins, n_lin = s->p.window / 2 + 1, j = 0;
	double f_min = s->p.f_min, f_max = 0.5 * (double)s->rate;
	double step = log(f_max / f_min) / (double)n;

	for (uint32_t i = 0; i <= n; i++)
		s->edges[i] = f_min * exp(step * (double)i);
	s->edges[n] = f_max;
	for (uint32_t k = 0; k < n_lin; k++) {
		double f = (double)k * (double)s->rate / (double)s->p.window;
		if (f < f_min)
			continue;
		while (j + 1 < n && f >= s->edges[j + 1])
			j++;
		if (s->count[j]++ == 0)
			s->start[j] = k;
	}
}

/* Neighbours an empty bin is interpolated from. */
static void build_fill(struct foh_spectrum *s)
{
	uint32_t n = s->p.n_bins;

	for (uint32_t j = 0; j < n; j++) {
		int64_t l = (int64_t)j - 1, r = (int64_t)j + 1;

		s->fill_l[j] = s->fill_r[j] = j;
		s->fill_wl[j] = 1.0f;
		if (s->count[j] > 0)
			continue;
		while (l >= 0 && s->count[l] == 0)
			l--;
		while (r < (int64_t)n && s->count[r] == 0)
			r++;
		if (l >= 0 && r < (int64_t)n) {
			s->fill_l[j] = (uint32_t)l;
			s->fill_r[j] = (uint32_t)r;
			s->fill_wl[j] = (float)((double)(r - (int64_t)j) /
					(double)(r - l));
		} else if (l >= 0) {
			s->fill_l[j] = s->fill_r[j] = (uint32_t)l;
		} else if (r < (int64_t)n) {
			s->fill_l[j] = s->fill_r[j] = (uint32_t)r;
		}
	}
}

static int build_kernel(struct foh_spectrum *s)
{
	double octaves = log2(0.5 * (double)s->rate / (double)s->p.f_min);
	double sigma = (double)s->p.peak_smear_oct * (double)s->p.n_bins / octaves;
	double sum = 0.0;

	s->radius = 0;
	if (!(sigma > 0.0))
		return 0;
	s->radius = (uint32_t)(4.0 * sigma + 0.5);
	if (s->radius < 1)
		s->radius = 1;
	s->kernel = calloc(2 * s->radius + 1, sizeof(float));
	if (s->kernel == NULL)
		return -ENOMEM;
	for (int64_t t = -(int64_t)s->radius; t <= (int64_t)s->radius; t++)
		sum += exp(-0.5 * ((double)t / sigma) * ((double)t / sigma));
	for (int64_t t = -(int64_t)s->radius; t <= (int64_t)s->radius; t++)
		s->kernel[t + s->radius] = (float)(exp(-0.5 * ((double)t / sigma) *
				((double)t / sigma)) / sum);
	return 0;
}

int foh_spectrum_configure(struct foh_spectrum **out,
		const struct foh_spectrum_params *p, uint32_t rate)
{
	struct foh_spectrum *s;
	int res;

	rate = foh_dsp_clamp_rate(rate);
	if (!geometry_valid(p, rate, NULL, 0))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->rate = rate;
	s->p = *p;
	if ((res = alloc_arrays(s)) < 0 || (res = build_kernel(s)) < 0)
		goto error;
	s->plan = fftwf_plan_dft_r2c_1d((int)p->window, s->in, s->out,
			FFTW_ESTIMATE);
	if (s->plan == NULL) {
		res = -ENOMEM;
		goto error;
	}
	build_window(s);
	build_map(s);
	build_fill(s);
	foh_spectrum_set(s, p);
	foh_spectrum_reset(s);
	*out = s;
	return 0;
error:
	foh_spectrum_free(s);
	return res;
}

bool foh_spectrum_needs_rebuild(const struct foh_spectrum *s,
		const struct foh_spectrum_params *p)
{
	return p->window != s->p.window || p->hop != s->p.hop ||
		p->n_bins != s->p.n_bins || p->f_min != s->p.f_min ||
		p->peak_smear_oct != s->p.peak_smear_oct;
}

/* Per-bin tau: linear in log10 f between the band centres, constant
 * outside them (np.interp). */
static double interp_tau(const double *x, const double *y, double lf)
{
	if (lf <= x[0])
		return y[0];
	for (int i = 1; i < FOH_LMH_BANDS; i++) {
		if (lf <= x[i]) {
			if (x[i] <= x[i - 1])
				return y[i];
			return y[i - 1] + (y[i] - y[i - 1]) * (lf - x[i - 1]) /
				(x[i] - x[i - 1]);
		}
	}
	return y[FOH_LMH_BANDS - 1];
}

/* Band centres in log10 f, sorted, with their taus. */
static void tau_anchors(const struct foh_spectrum_params *p, double *x,
		double *att, double *rel)
{
	int order[FOH_LMH_BANDS] = { 0, 1, 2 };

	for (int i = 1; i < FOH_LMH_BANDS; i++)
		for (int k = i; k > 0; k--) {
			const struct foh_lmh_band *a = &p->band[order[k - 1]];
			const struct foh_lmh_band *b = &p->band[order[k]];
			if ((double)a->lo_hz * a->hi_hz <= (double)b->lo_hz * b->hi_hz)
				break;
			int t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	for (int i = 0; i < FOH_LMH_BANDS; i++) {
		const struct foh_lmh_band *b = &p->band[order[i]];
		x[i] = log10(sqrt(foh_maxf(b->lo_hz, 1.0f) * foh_maxf(b->hi_hz, 1.0f)));
		att[i] = foh_dsp_clampf(b->attack_s, 0.001f, 10.0f);
		rel[i] = foh_dsp_clampf(b->release_s, 0.001f, 10.0f);
	}
}

void foh_spectrum_set(struct foh_spectrum *s,
		const struct foh_spectrum_params *p)
{
	double dt = (double)s->p.hop / (double)s->rate;
	double x[FOH_LMH_BANDS], att[FOH_LMH_BANDS], rel[FOH_LMH_BANDS];
	float floor_pk;

	s->p.raw_db = p->raw_db;
	memcpy(s->p.band, p->band, sizeof(s->p.band));
	s->p.scale = p->scale;
	tau_anchors(&s->p, x, att, rel);
	for (uint32_t j = 0; j < s->p.n_bins; j++) {
		double fc = sqrt(s->edges[j] * s->edges[j + 1]);
		double lf = log10(fc);
		s->tilt_db[j] = (float)((double)s->p.scale.tilt_db_oct *
				log2(fc / 1000.0));
		s->a_att[j] = foh_onepole_alpha(dt, interp_tau(x, att, lf));
		s->a_rel[j] = foh_onepole_alpha(dt, interp_tau(x, rel, lf));
	}
	s->pk_att = foh_onepole_alpha(dt, s->p.scale.attack_s);
	s->pk_rel = foh_onepole_alpha(dt, s->p.scale.release_s);
	floor_pk = foh_maxf(s->p.scale.noise_floor, FOH_AUTOSCALE_EPS);
	for (uint32_t j = 0; j < s->p.n_bins; j++)
		s->pk[j] = foh_maxf(s->pk[j], floor_pk);
}

void foh_spectrum_reset(struct foh_spectrum *s)
{
	uint32_t n = s->p.n_bins;

	atomic_store_explicit(&s->wr, 0, memory_order_relaxed);
	atomic_store_explicit(&s->rd, 0, memory_order_relaxed);
	s->warmed = false;
	for (uint32_t j = 0; j < n; j++) {
		s->raw[j] = FOH_SPECTRUM_EMPTY;
		s->filled[j] = -120.0f;
		s->sm[j] = s->pks[j] = s->val[j] = 0.0f;
		s->pk[j] = foh_maxf(s->p.scale.noise_floor, FOH_AUTOSCALE_EPS);
	}
}

uint32_t foh_spectrum_push(struct foh_spectrum *s, const float *in,
		uint32_t n)
{
	uint32_t wr = atomic_load_explicit(&s->wr, memory_order_relaxed);
	uint32_t rd = atomic_load_explicit(&s->rd, memory_order_acquire);
	uint32_t o = wr & s->mask, first;

	if (n > s->cap - (wr - rd)) {
		uint64_t d = atomic_load_explicit(&s->dropped, memory_order_relaxed);
		atomic_store_explicit(&s->dropped, d + n, memory_order_relaxed);
		return 0;
	}
	first = n < s->cap - o ? n : s->cap - o;
	memcpy(s->ring + o, in, first * sizeof(float));
	memcpy(s->ring, in + first, (n - first) * sizeof(float));
	atomic_store_explicit(&s->wr, wr + n, memory_order_release);
	return n;
}

/* Log-bin powers and raw dB of the spectrum in s->out. */
static void log_bins(struct foh_spectrum *s)
{
	const fftwf_complex *x = s->out;

	for (uint32_t j = 0; j < s->p.n_bins; j++) {
		uint32_t k0 = s->start[j], c = s->count[j];
		double acc = 0.0, pw;

		if (c == 0) {
			s->raw[j] = FOH_SPECTRUM_EMPTY;
			continue;
		}
		for (uint32_t k = k0; k < k0 + c; k++)
			acc += (double)x[k][0] * x[k][0] + (double)x[k][1] * x[k][1];
		pw = acc * s->corr / (double)c;
		s->raw[j] = (float)(10.0 * log10(pw > POWER_FLOOR ? pw : POWER_FLOOR));
	}
}

static void fill_empty(struct foh_spectrum *s)
{
	for (uint32_t j = 0; j < s->p.n_bins; j++) {
		float wl = s->fill_wl[j];
		if (s->count[j] > 0)
			s->filled[j] = s->raw[j];
		else if (s->count[s->fill_l[j]] == 0)
			s->filled[j] = -120.0f;		/* no bin at all */
		else
			s->filled[j] = wl * s->raw[s->fill_l[j]] +
				(1.0f - wl) * s->raw[s->fill_r[j]];
	}
}

/* scipy.ndimage 'reflect': d c b a | a b c d | d c b a, repeating. */
static uint32_t reflect(int64_t i, uint32_t n)
{
	int64_t m = i % (2 * (int64_t)n);

	if (m < 0)
		m += 2 * (int64_t)n;
	return (uint32_t)(m < n ? m : 2 * (int64_t)n - 1 - m);
}

static void smear(struct foh_spectrum *s)
{
	const uint32_t n = s->p.n_bins, r = s->radius;
	const float *k = s->kernel + r;

	for (uint32_t i = 0; i < n; i++) {
		float acc = 0.0f;
		if (i >= r && i + r < n) {
			const float *x = s->pk + i;
			for (int64_t t = -(int64_t)r; t <= (int64_t)r; t++)
				acc += k[t] * x[t];
		} else {
			for (int64_t t = -(int64_t)r; t <= (int64_t)r; t++)
				acc += k[t] * s->pk[reflect((int64_t)i + t, n)];
		}
		s->pks[i] = acc;
	}
}

static void post(struct foh_spectrum *s)
{
	const struct foh_autoscale_params *sp = &s->p.scale;
	const float nf = sp->noise_floor;
	const float gate_db = nf > 0.0f ? 20.0f * log10f(nf) : -INFINITY;
	const uint32_t n = s->p.n_bins;

	fill_empty(s);
	for (uint32_t j = 0; j < n; j++) {
		float lin = expf((s->filled[j] + s->tilt_db[j]) *
				(float)FOH_DSP_LN10_20);
		if (!s->warmed)
			s->sm[j] = lin;
		else
			s->sm[j] = foh_autoscale_follow(s->sm[j], lin,
					s->a_att[j], s->a_rel[j]);
		s->pk[j] = foh_maxf(foh_autoscale_follow(s->pk[j], s->sm[j],
					s->pk_att, s->pk_rel), FOH_AUTOSCALE_EPS);
	}
	s->warmed = true;
	if (s->kernel)
		smear(s);
	else
		memcpy(s->pks, s->pk, n * sizeof(float));
	for (uint32_t j = 0; j < n; j++) {
		float scaled = foh_autoscale_shape(s->sm[j], s->pks[j], nf);
		float base = 0.0f;
		if (sp->strength < 1.0f && s->filled[j] >= gate_db)
			base = foh_autoscale_baseline(s->filled[j], sp->db_floor,
					sp->db_ceiling);
		s->val[j] = foh_autoscale_blend(scaled, base, sp->strength);
	}
}

int foh_spectrum_hop(struct foh_spectrum *s, float *out)
{
	const uint32_t w = s->p.window, hop = s->p.hop;
	uint32_t wr = atomic_load_explicit(&s->wr, memory_order_acquire);
	uint32_t rd = atomic_load_explicit(&s->rd, memory_order_relaxed);
	uint32_t behind;

	if (wr - rd < w)
		return 0;
	behind = (wr - rd - w) / hop;
	if (behind > MAX_BACKLOG) {
		rd += behind * hop;
		s->skipped += behind;
	}
	for (uint32_t i = 0; i < w; i++)
		s->in[i] = s->ring[(rd + i) & s->mask] * s->win[i];
	/* the window is copied: the producer may reuse the frames now */
	atomic_store_explicit(&s->rd, rd + hop, memory_order_release);
	fftwf_execute(s->plan);
	log_bins(s);
	post(s);
	if (out)
		memcpy(out, s->p.raw_db ? s->raw : s->val,
				s->p.n_bins * sizeof(float));
	return 1;
}

uint32_t foh_spectrum_n_bins(const struct foh_spectrum *s)
{
	return s->p.n_bins;
}

uint32_t foh_spectrum_rate(const struct foh_spectrum *s)
{
	return s->rate;
}

const struct foh_spectrum_params *foh_spectrum_params(
		const struct foh_spectrum *s)
{
	return &s->p;
}

double foh_spectrum_edge(const struct foh_spectrum *s, uint32_t j)
{
	return s->edges[j < s->p.n_bins ? j : s->p.n_bins];
}

const float *foh_spectrum_raw_db(const struct foh_spectrum *s)
{
	return s->raw;
}

const float *foh_spectrum_filled_db(const struct foh_spectrum *s)
{
	return s->filled;
}

const float *foh_spectrum_values(const struct foh_spectrum *s)
{
	return s->val;
}

uint64_t foh_spectrum_dropped_frames(const struct foh_spectrum *s)
{
	return atomic_load_explicit(&s->dropped, memory_order_relaxed);
}

uint64_t foh_spectrum_skipped_hops(const struct foh_spectrum *s)
{
	return s->skipped;
}
