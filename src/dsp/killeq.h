/* A DJ mixer's 3-band kill EQ for one stereo deck: the signal is split at
 * two crossovers (default 250 Hz and 2.5 kHz) with 4th-order
 * Linkwitz-Riley filters, each band gets its own gain (-inf .. +6 dB), and
 * the bands are summed again. The low band also passes the high crossover's
 * all-pass, so with every gain at 0 dB the sum is an all-pass: flat
 * magnitude, nothing but phase. A gain at or below FOH_KILLEQ_KILL_DB
 * removes its band completely (gain 0).
 *
 * Gains are smoothed per sample (one-pole, FOH_KILLEQ_SMOOTH_MS) so moving a
 * knob or hitting a kill never clicks. Audio is interleaved stereo float,
 * processed in place. Pure C: no allocation, runs on the data thread. */
#pragma once

#include <stdint.h>

#include "biquad.h"

#define FOH_KILLEQ_KILL_DB	-80.0f
#define FOH_KILLEQ_MAX_DB	6.0f
#define FOH_KILLEQ_SMOOTH_MS	5.0f

enum { FOH_KILLEQ_LOW, FOH_KILLEQ_MID, FOH_KILLEQ_HIGH, FOH_KILLEQ_BANDS };

struct foh_killeq_params {
	float gain_db[FOH_KILLEQ_BANDS];	/* clamped to [KILL_DB, MAX_DB] */
	float low_hz, high_hz;			/* crossovers */
};

struct foh_killeq_section {
	struct foh_biquad_coefs c;
	double z[2][2];				/* TDF-II state per channel */
};

struct foh_killeq {
	uint32_t rate;
	float low_hz, high_hz;
	/* per path: low = LP, LP, AP(high); rest = HP, HP; mid = LP, LP; high = HP, HP */
	struct foh_killeq_section low[3], rest[2], mid[2], high[2];
	float gain[FOH_KILLEQ_BANDS];		/* current (smoothed) linear gains */
	float target[FOH_KILLEQ_BANDS];
	float alpha;				/* smoothing coefficient per sample */
};

void foh_killeq_default_params(struct foh_killeq_params *p);
void foh_killeq_init(struct foh_killeq *s, uint32_t rate);
/* New gains glide; new crossovers apply at once (a setup-time change). */
void foh_killeq_set(struct foh_killeq *s, const struct foh_killeq_params *p);
void foh_killeq_run(struct foh_killeq *s, float *lr, uint32_t n);
void foh_killeq_reset(struct foh_killeq *s);
/* dB to the linear gain the EQ uses: 0 at or below the kill level. */
float foh_killeq_db_to_gain(float db);
/* The original Crowdstream knob: percent 0..100 → dB. 0 kills, (0, 50]
 * maps linearly in dB from -max_cut_db to 0, 50 is flat; foh extends the
 * upper half to boost: (50, 100] maps linearly to (0, +6] dB. */
double foh_killeq_percent_to_db(double percent, double max_cut_db);
