/* Onsets per band and a tempo estimate, from the L/M/H band energies
 * (/audio/onset/{low,mid,high} and /audio/bpm). Everything is measured in
 * time, not in blocks, so any block length gives the same behaviour; run()
 * is cheap and allocation-free, fine for the RT thread (a tempo update,
 * every 250 ms, costs a few microseconds more).
 *
 * Input per block of n frames: each band's mean square (foh_lmh's
 * block_rms squared), dt = n / sr.
 *
 * Onsets, per band b (levels below gate_db read as gate_db):
 *   fast   = one-pole (tau 10 ms) of max(mean square, gate power);
 *            L = 10 log10(fast)
 *   slow  += a (L - slow) after use, one-pole in dB, tau 50 ms
 *   d      = max(0, L - slow)            rise over the recent level, dB
 *   mean   = one-pole (tau 2 s) of d
 *   fires when d > max(threshold_db, sensitivity mean) and the band is
 *   armed and at least refractory_s passed since its last onset; it
 *   re-arms when d falls below half that threshold. An onset is reported
 *   for the block it fires in; foh_onset_time() is that block's start.
 *
 * Tempo (inside run(), no worker needed):
 *   o(t)   = sum of the bands' d, integrated into 10 ms slots (a block's
 *            d spread evenly over the time it covers)
 *   x      = max(0, o - its 1 s mean), the onset strength per slot
 *   R(L)  += x(t) x(t - L) with an exponential memory of tau 4 s (about
 *            an 8 s window), L = 0 .. 600 slots (6 s)
 *   every 250 ms: R is smoothed (Gaussian, sigma 1.5 slots), then for
 *   each tempo from bpm_min to bpm_max in 0.5 BPM steps, period P slots:
 *     score = prior(bpm) (R(P) + R(2P) + R(3P) + R(4P)) / 4
 *            prior = exp(-log2(bpm / 120)^2 / 2) (log-Gaussian, 1 octave)
 *   the best P is halved while the score without the prior at P / 2 is at
 *   least 3/4 of the one at P and P / 2 is in range (a steady beat also
 *   repeats at twice its period); then refined: each R(kP) peak's centroid
 *   c_k over +-8 slots, P = sum k c_k / sum k^2, twice. bpm = 6000 / P.
 *   The estimate is published when the comb score is at least 0.1 R(0),
 *   and dropped (0) after 5 s without any onset. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FOH_ONSET_BANDS		3
#define FOH_ONSET_SLOT_HZ	100u	/* tempo slots per second */
#define FOH_ONSET_MAX_LAG	600u	/* slots: 4 periods at 40 BPM */
#define FOH_ONSET_HIST		1024u	/* > FOH_ONSET_MAX_LAG, power of 2 */
#define FOH_ONSET_MAX_CAND	401u	/* 40..240 BPM in 0.5 steps */

struct foh_onset_params {
	float threshold_db;	/* smallest rise that is an onset, [1, 40] (6) */
	float sensitivity;	/* adaptive threshold factor, [0, 20] (2) */
	float refractory_s;	/* [0.02, 1] (0.1) */
	float gate_db;		/* band levels floored here, dBFS [-120, -20] (-70) */
	float bpm_min;		/* [40, 200] (60) */
	float bpm_max;		/* [bpm_min + 10, 240] (200) */
};

struct foh_onset_band {
	float fast;		/* mean-square envelope */
	float slow_db;
	float mean;		/* mean of d */
	float d;		/* last rise, dB */
	bool armed;
	bool flag;		/* onset in the last block */
	uint64_t last;		/* frame of the last onset */
	bool any;		/* an onset happened since reset */
};

struct foh_onset {
	uint32_t rate;
	struct foh_onset_params p;
	uint64_t frames;	/* time: frames run since reset */
	uint64_t block_start;	/* first frame of the last block */
	uint32_t alpha_n;
	float a_fast, a_slow, a_mean;
	struct foh_onset_band b[FOH_ONSET_BANDS];

	/* tempo */
	uint64_t slot;		/* slot being filled */
	float slot_acc;
	float odf_mean;
	float a_odf, leak;	/* per slot */
	float hist[2 * FOH_ONSET_HIST];	/* each slot twice */
	float acf[FOH_ONSET_MAX_LAG + 1];
	float work[FOH_ONSET_MAX_LAG + 1];
	uint32_t n_cand;
	float cand_p[FOH_ONSET_MAX_CAND];	/* period, slots */
	float cand_w[FOH_ONSET_MAX_CAND];	/* prior */
	uint64_t next_eval;	/* slot */
	uint64_t last_onset;	/* frame of the last onset in any band */
	bool any_onset;
	float bpm;		/* 0 = unknown */
	float confidence;	/* comb score / R(0) of the last estimate */
};

void foh_onset_default_params(struct foh_onset_params *p);
bool foh_onset_params_valid(const struct foh_onset_params *p, char *why,
		size_t len);

void foh_onset_init(struct foh_onset *s, uint32_t rate);
void foh_onset_set(struct foh_onset *s, const struct foh_onset_params *p);
/* ms: the bands' mean squares over this block of n frames. */
void foh_onset_run(struct foh_onset *s, const float ms[FOH_ONSET_BANDS],
		uint32_t n);
void foh_onset_reset(struct foh_onset *s);

/* Onset in band b during the last block. */
bool foh_onset_flag(const struct foh_onset *s, int b);
/* Start of the last block, seconds since reset. */
double foh_onset_time(const struct foh_onset *s);
/* Tempo in BPM, 0 when unknown. */
float foh_onset_bpm(const struct foh_onset *s);
