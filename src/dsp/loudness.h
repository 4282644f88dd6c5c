/* Loudness meter after ITU-R BS.1770-4 / EBU R128 for 1 or 2 channels:
 * K-weighting, momentary (400 ms), short-term (3 s) and integrated
 * loudness, and 4x oversampled true peak.
 *
 * K-weighting: kweight.h (the shelf and high-pass stages for any rate).
 * Every 100 ms the mean square of each channel (weights 1.0) is summed into
 * a block energy kept in a ring of 30; running sums over the last 4 and 30
 * blocks give momentary and short-term in O(1). Before the first 400 ms / 3 s
 * the missing past counts as silence.
 * Integrated: every 100 ms the 400 ms block enters a histogram if above
 * -70 LUFS (absolute gate). Bins are 0.01 LU wide over [-70, +5) LUFS and
 * hold the count and the exact energy sum of their blocks, in Fenwick trees,
 * so both gates cost O(log bins) per update and memory is fixed. The
 * relative gate (-10 LU) is resolved to the bin, i.e. within 0.01 LU.
 * Readings are LUFS; -INFINITY when nothing has been measured yet. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kweight.h"
#include "oversample.h"

#define FOH_LOUD_RING		30	/* 100 ms blocks in 3 s */
#define FOH_LOUD_BINS		7500	/* 0.01 LU over [-70, +5) LUFS */
#define FOH_LOUD_BIN_MIN	(-70.0)
#define FOH_LOUD_BIN_WIDTH	0.01

struct foh_loudness_params {
	bool true_peak;		/* measure true peak (costs ~10 ns/frame) */
};

struct foh_loudness {
	uint32_t rate;
	uint32_t block_len;	/* frames per 100 ms */
	uint32_t block_fill;
	bool true_peak;
	struct foh_kweight_coefs kc;
	struct foh_kweight kw[2];	/* per channel */
	double acc[2];			/* squares of the current block */
	double ring[FOH_LOUD_RING];
	uint32_t ring_pos;
	uint64_t blocks;		/* completed 100 ms blocks */
	double sum4, sum30;
	float momentary, short_term, integrated;
	float max_momentary, max_short_term;
	uint32_t seq;			/* bumps every 100 ms */
	/* integrated: Fenwick trees over the histogram (1-based) */
	uint64_t gated_count;
	double gated_sum;
	double fw_sum[FOH_LOUD_BINS + 1];
	uint32_t fw_cnt[FOH_LOUD_BINS + 1];
	/* true peak */
	struct foh_os_coefs os_coefs;
	struct foh_os os[2];
	float tp;			/* linear, since reset */
};

void foh_loudness_init(struct foh_loudness *s, uint32_t rate);
void foh_loudness_set(struct foh_loudness *s,
		const struct foh_loudness_params *p);
/* A sink: mono when inr is NULL. */
void foh_loudness_run(struct foh_loudness *s, const float *inl,
		const float *inr, uint32_t n);
/* Two meters at once, a on (al, ar) and b on (bl, br): the same readings
 * to the bit as foh_loudness_run on each, faster when both are stereo, in
 * step (same rate, same block position) and without true peak, as a
 * strip's input and output meters are; otherwise one after the other. */
void foh_loudness_run_pair(struct foh_loudness *a, const float *al, const float *ar,
		struct foh_loudness *b, const float *bl, const float *br, uint32_t n);
void foh_loudness_reset(struct foh_loudness *s);

/* One 100 ms step given the block's summed K-weighted mean squares. run()
 * calls it; public so tests and benchmarks can drive the gating alone. */
void foh_loudness_push_block(struct foh_loudness *s, double energy);

float foh_loudness_momentary(const struct foh_loudness *s);
float foh_loudness_short_term(const struct foh_loudness *s);
float foh_loudness_integrated(const struct foh_loudness *s);
float foh_loudness_max_momentary(const struct foh_loudness *s);
float foh_loudness_max_short_term(const struct foh_loudness *s);
/* Highest true peak since reset, dBTP (-INFINITY when none). */
float foh_loudness_true_peak_db(const struct foh_loudness *s);
uint32_t foh_loudness_seq(const struct foh_loudness *s);
