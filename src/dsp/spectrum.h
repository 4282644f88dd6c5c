/* Spectrum: the feature server's log-spaced FFT view (/audio/fft), with
 * FFTW single precision. Unlike the other blocks it allocates, so it is
 * split by thread:
 *   foh_spectrum_configure()/_free()  main thread (allocates, plans FFTW;
 *                                     FFTW's planner is not thread safe)
 *   foh_spectrum_push()               any one producer thread, RT included:
 *                                     wait-free, no allocation
 *   foh_spectrum_hop(), _set()        one consumer (worker) thread: the FFT
 * push and hop may run concurrently on different threads (the history is a
 * single-producer single-consumer ring). A new geometry (window, hop, bins,
 * f_min, smear) needs a new object: configure one, swap the pointer the
 * producer and the worker use, free the old one once neither can still hold
 * it. Everything else (raw mode, bands and smoothing, auto-scaler) is
 * foh_spectrum_set(), which allocates nothing.
 *
 * Per hop (every `hop` pushed samples once `window` are there):
 * 1. x = the last window samples times a Hann window w (symmetric,
 *    w[i] = 0.5 - 0.5 cos(2 pi i / (W - 1)), as numpy's hanning), X = rFFT.
 * 2. Power per linear bin k: P[k] = |X[k]|^2 2 / (sum w)^2 (a sine of
 *    amplitude A centred on a bin reads A^2 / 2 there, its mean square).
 * 3. n_bins log bins with edges e_j = f_min (f_max / f_min)^(j / n_bins),
 *    f_max = sr / 2; linear bin k (f = k sr / W) belongs to the log bin j
 *    with e_j <= f < e_j+1 (f_max itself to the last one), f < f_min to
 *    none. A log bin's power is the mean of its linear bins' P; raw dB is
 *    10 log10(max(power, 1e-12)), or FOH_SPECTRUM_EMPTY (-1000) for a log
 *    bin with no linear bin.
 * 4. Post-processing (what /audio/fft sends unless raw): empty bins are
 *    filled in dB by linear interpolation (in bin index) between the
 *    nearest non-empty bins on each side, or copied from the only side
 *    there is. Then per bin j, with centre f_j = sqrt(e_j e_j+1):
 *      lin  = 10^((db_j + tilt_j) / 20), tilt_j = t log2(f_j / 1000)
 *      sm  += a (lin - sm), a from the attack tau while lin > sm, else the
 *             release tau; both taus interpolated linearly in log10 f
 *             between the bands' centres sqrt(lo hi) (constant outside);
 *             dt = hop / sr; sm = lin on the first hop
 *      pk   = the auto-scaler's peak follower on sm (autoscale.h)
 *      pks  = pk convolved with a Gaussian over bins, sigma = smear
 *             octaves x bins per octave, radius int(4 sigma + 0.5), edges
 *             mirrored (scipy's 'reflect'); no smear when 0
 *      out  = blend(tanh(max(0, sm - nf) / max(pks, nf)), base, strength)
 *             base = clip((db_j - db_floor) / (db_ceiling - db_floor), 0,
 *             1), 0 where db_j < 20 log10(nf): untilted, like L/M/H's
 *    There is no noise budget per bin: one log bin is the budget's unit.
 * The output is n_bins floats: post-processed in [0, 1], or raw dB (with
 * the sentinel) in raw mode; both are kept for the last hop. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "autoscale.h"
#include "lmh.h"

#define FOH_SPECTRUM_EMPTY	-1000.0f
#define FOH_SPECTRUM_MIN_BINS	8u
#define FOH_SPECTRUM_MAX_BINS	1024u

struct foh_spectrum_params {
	/* geometry: a change needs a new object */
	uint32_t window;	/* power of two in [256, 8192] (1024) */
	uint32_t hop;		/* [64, window] (512) */
	uint32_t n_bins;	/* [8, 1024] (128) */
	float f_min;		/* [10, 1000] Hz, < sr / 4 (30) */
	float peak_smear_oct;	/* [0, 3] (0.3) */
	/* foh_spectrum_set() */
	bool raw_db;		/* hop() writes raw dB instead of [0, 1] */
	struct foh_lmh_band band[FOH_LMH_BANDS];	/* tau anchors */
	struct foh_autoscale_params scale;
};

struct foh_spectrum;

/* Defaults; bands and taus from foh_lmh_default_params(). */
void foh_spectrum_default_params(struct foh_spectrum_params *p);
bool foh_spectrum_params_valid(const struct foh_spectrum_params *p,
		uint32_t rate, char *why, size_t len);

/* Builds a spectrum for rate (main thread). Returns 0, -EINVAL (invalid
 * geometry) or -ENOMEM; *out is untouched on failure. Only the geometry is
 * checked: like foh_lmh, the block takes the feature server's 3.1 and 4.9 ms
 * attacks that foh_spectrum_params_valid() (the user-facing ranges)
 * refuses. */
int foh_spectrum_configure(struct foh_spectrum **out,
		const struct foh_spectrum_params *p, uint32_t rate);
/* Accepts NULL (main thread). */
void foh_spectrum_free(struct foh_spectrum *s);

/* True when p differs from s in a field only a new object can change. */
bool foh_spectrum_needs_rebuild(const struct foh_spectrum *s,
		const struct foh_spectrum_params *p);
/* Applies p's other fields (worker thread, between hops); geometry fields
 * of p are ignored. */
void foh_spectrum_set(struct foh_spectrum *s,
		const struct foh_spectrum_params *p);

/* Appends n mono frames (producer thread). When the ring is full the whole
 * chunk is dropped and counted; returns the frames taken (n or 0). */
uint32_t foh_spectrum_push(struct foh_spectrum *s, const float *in,
		uint32_t n);
/* Computes the next hop into out (n_bins floats; may be NULL) when one is
 * ready and returns 1, else 0 (worker thread). Call until it returns 0. When the
 * worker lags by more than two hops the oldest hops are skipped (counted)
 * so the view stays current. */
int foh_spectrum_hop(struct foh_spectrum *s, float *out);
/* Forgets the history and the post-processing state (worker thread, with
 * the producer stopped). */
void foh_spectrum_reset(struct foh_spectrum *s);

uint32_t foh_spectrum_n_bins(const struct foh_spectrum *s);
uint32_t foh_spectrum_rate(const struct foh_spectrum *s);
const struct foh_spectrum_params *foh_spectrum_params(
		const struct foh_spectrum *s);
/* Edges of log bin j in Hz (j <= n_bins gives the upper edge of j - 1). */
double foh_spectrum_edge(const struct foh_spectrum *s, uint32_t j);
/* The last hop: raw dB with sentinels, the filled dB the post-processing
 * used, the post-processed values. */
const float *foh_spectrum_raw_db(const struct foh_spectrum *s);
const float *foh_spectrum_filled_db(const struct foh_spectrum *s);
const float *foh_spectrum_values(const struct foh_spectrum *s);
/* Frames dropped by push() on a full ring; hops skipped by hop(). */
uint64_t foh_spectrum_dropped_frames(const struct foh_spectrum *s);
uint64_t foh_spectrum_skipped_hops(const struct foh_spectrum *s);
