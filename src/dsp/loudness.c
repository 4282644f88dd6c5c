/* Loudness meter: K-weighting (kweight.c), 100 ms block ring, gated histogram, TP. */
#include <math.h>
#include <string.h>

#include "dsp-util.h"
#include "loudness.h"

#define LUFS_OFFSET	(-0.691)
#define ABS_GATE	(-70.0)
#define REL_GATE	(-10.0)
#define TP_TAPS		12u
#define TP_BETA		6.0

void foh_loudness_init(struct foh_loudness *s, uint32_t rate)
{
	struct foh_loudness_params p = { .true_peak = true };

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	s->block_len = s->rate / 10;
	foh_kweight_coefs(&s->kc, s->rate);
	foh_os_design(&s->os_coefs, TP_TAPS, TP_BETA);
	foh_loudness_set(s, &p);
	foh_loudness_reset(s);
}

void foh_loudness_set(struct foh_loudness *s,
		const struct foh_loudness_params *p)
{
	if (p->true_peak && !s->true_peak) {
		foh_os_reset(&s->os[0]);
		foh_os_reset(&s->os[1]);
	}
	s->true_peak = p->true_peak;
}

void foh_loudness_reset(struct foh_loudness *s)
{
	memset(s->kw, 0, sizeof(s->kw));
	memset(s->acc, 0, sizeof(s->acc));
	memset(s->ring, 0, sizeof(s->ring));
	memset(s->fw_sum, 0, sizeof(s->fw_sum));
	memset(s->fw_cnt, 0, sizeof(s->fw_cnt));
	s->block_fill = s->ring_pos = 0;
	s->blocks = s->gated_count = 0;
	s->sum4 = s->sum30 = s->gated_sum = 0.0;
	s->momentary = s->short_term = s->integrated = -INFINITY;
	s->max_momentary = s->max_short_term = -INFINITY;
	s->seq = 0;
	foh_os_reset(&s->os[0]);
	foh_os_reset(&s->os[1]);
	s->tp = 0.0f;
}

static float energy_to_lufs(double z)
{
	if (!(z > 0.0))
		return -INFINITY;
	return (float)(LUFS_OFFSET + 10.0 * log10(z));
}

static void fw_add(struct foh_loudness *s, uint32_t bin, double z)
{
	for (uint32_t i = bin + 1; i <= FOH_LOUD_BINS; i += i & (~i + 1)) {
		s->fw_sum[i] += z;
		s->fw_cnt[i]++;
	}
}

/* Sum and count of bins [0, bins). */
static void fw_prefix(const struct foh_loudness *s, uint32_t bins,
		double *sum, uint64_t *cnt)
{
	double z = 0.0;
	uint64_t c = 0;

	for (uint32_t i = bins; i > 0; i -= i & (~i + 1)) {
		z += s->fw_sum[i];
		c += s->fw_cnt[i];
	}
	*sum = z;
	*cnt = c;
}

static uint32_t lufs_to_bin(double lufs)
{
	double b = floor((lufs - FOH_LOUD_BIN_MIN) / FOH_LOUD_BIN_WIDTH);

	if (b < 0.0)
		return 0;
	if (b >= FOH_LOUD_BINS)
		return FOH_LOUD_BINS - 1;
	return (uint32_t)b;
}

/* Two-stage gating over the histogram, O(log bins). */
static float gated_loudness(const struct foh_loudness *s)
{
	double below_z, z;
	uint64_t below_c, c;
	double rel;

	if (s->gated_count == 0)
		return -INFINITY;
	rel = LUFS_OFFSET + 10.0 * log10(s->gated_sum / (double)s->gated_count)
		+ REL_GATE;
	/* the bin holding the gate goes with the side its centre is on */
	double b = (rel - FOH_LOUD_BIN_MIN) / FOH_LOUD_BIN_WIDTH - 0.5;
	uint32_t first = b < 0.0 ? 0 : (uint32_t)ceil(b);
	if (first > FOH_LOUD_BINS)
		first = FOH_LOUD_BINS;
	fw_prefix(s, first, &below_z, &below_c);
	c = s->gated_count - below_c;
	z = s->gated_sum - below_z;
	if (c == 0 || !(z > 0.0))
		return -INFINITY;
	return energy_to_lufs(z / (double)c);
}

static void gate_block(struct foh_loudness *s, double z)
{
	float lufs = energy_to_lufs(z);

	if (!(lufs > ABS_GATE))
		return;
	fw_add(s, lufs_to_bin(lufs), z);
	s->gated_sum += z;
	s->gated_count++;
}

void foh_loudness_push_block(struct foh_loudness *s, double energy)
{
	uint32_t pos = s->ring_pos;
	uint32_t old4 = (pos + FOH_LOUD_RING - 4) % FOH_LOUD_RING;

	s->sum4 += energy - s->ring[old4];
	s->sum30 += energy - s->ring[pos];
	s->ring[pos] = energy;
	s->ring_pos = (pos + 1) % FOH_LOUD_RING;
	if (s->ring_pos == 0) {
		/* exact re-sum once per ring turn: no drift */
		double a = 0.0, b = 0.0;
		for (int i = 0; i < FOH_LOUD_RING; i++)
			a += s->ring[i];
		for (int i = FOH_LOUD_RING - 4; i < FOH_LOUD_RING; i++)
			b += s->ring[i];
		s->sum30 = a;
		s->sum4 = b;
	}
	s->blocks++;
	s->momentary = energy_to_lufs(s->sum4 / 4.0);
	s->short_term = energy_to_lufs(s->sum30 / FOH_LOUD_RING);
	s->max_momentary = foh_maxf(s->max_momentary, s->momentary);
	s->max_short_term = foh_maxf(s->max_short_term, s->short_term);
	if (s->blocks >= 4) {
		gate_block(s, s->sum4 / 4.0);
		s->integrated = gated_loudness(s);
	}
	s->seq++;
}

/* k more frames are in the current block; a full block is pushed. */
static void fill_block(struct foh_loudness *s, uint32_t k)
{
	s->block_fill += k;
	if (s->block_fill == s->block_len) {
		double len = (double)s->block_len;
		foh_loudness_push_block(s, (s->acc[0] + s->acc[1]) / len);
		s->acc[0] = s->acc[1] = 0.0;
		s->block_fill = 0;
	}
}

static void true_peak(struct foh_loudness *s, int ch, const float *in,
		uint32_t n)
{
	struct foh_os os = s->os[ch];
	float tp = s->tp;

	for (uint32_t i = 0; i < n; i++)
		tp = foh_maxf(tp, foh_v4f_absmax(foh_os_push_n(&os,
						&s->os_coefs, in[i], TP_TAPS)));
	s->os[ch] = os;
	s->tp = tp;
}

void foh_loudness_run(struct foh_loudness *s, const float *inl,
		const float *inr, uint32_t n)
{
	while (n > 0) {
		uint32_t k = s->block_len - s->block_fill;
		k = k < n ? k : n;
		if (inr != NULL) {
			double sq[2];
			foh_kweight_run2(&s->kc, &s->kw[0], &s->kw[1], inl, inr, k, sq);
			s->acc[0] += sq[0];
			s->acc[1] += sq[1];
		} else {
			s->acc[0] += foh_kweight_run(&s->kc, &s->kw[0], inl, k);
		}
		if (s->true_peak) {
			true_peak(s, 0, inl, k);
			if (inr != NULL)
				true_peak(s, 1, inr, k);
		}
		inl += k;
		inr = inr != NULL ? inr + k : NULL;
		n -= k;
		fill_block(s, k);
	}
}

void foh_loudness_run_pair(struct foh_loudness *a, const float *al, const float *ar,
		struct foh_loudness *b, const float *bl, const float *br, uint32_t n)
{
	if (ar == NULL || br == NULL || a->true_peak || b->true_peak ||
	    a->block_len != b->block_len || a->block_fill != b->block_fill ||
	    memcmp(&a->kc, &b->kc, sizeof(a->kc)) != 0) {
		foh_loudness_run(a, al, ar, n);
		foh_loudness_run(b, bl, br, n);
		return;
	}
	while (n > 0) {
		uint32_t k = a->block_len - a->block_fill;
		struct foh_kweight *st[4] = { &a->kw[0], &a->kw[1], &b->kw[0], &b->kw[1] };
		const float *in[4] = { al, ar, bl, br };
		double sq[4];

		k = k < n ? k : n;
		foh_kweight_run4(&a->kc, st, in, k, sq);
		a->acc[0] += sq[0];
		a->acc[1] += sq[1];
		b->acc[0] += sq[2];
		b->acc[1] += sq[3];
		al += k;
		ar += k;
		bl += k;
		br += k;
		n -= k;
		fill_block(a, k);
		fill_block(b, k);
	}
}

float foh_loudness_momentary(const struct foh_loudness *s)
{
	return s->momentary;
}

float foh_loudness_short_term(const struct foh_loudness *s)
{
	return s->short_term;
}

float foh_loudness_integrated(const struct foh_loudness *s)
{
	return s->integrated;
}

float foh_loudness_max_momentary(const struct foh_loudness *s)
{
	return s->max_momentary;
}

float foh_loudness_max_short_term(const struct foh_loudness *s)
{
	return s->max_short_term;
}

float foh_loudness_true_peak_db(const struct foh_loudness *s)
{
	if (!(s->tp > 0.0f))
		return -INFINITY;
	return 20.0f * log10f(s->tp);
}

uint32_t foh_loudness_seq(const struct foh_loudness *s)
{
	return s->seq;
}
