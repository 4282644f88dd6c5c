/* Level meters for one strip (1 or 2 channels): sample peak with hold,
 * RMS over a sliding 100 ms window, a VU reading in dBFS published at 10 Hz
 * and a gain-reduction meter fed by the dynamics blocks.
 *
 * RMS: squares are summed (double) into 10 ms sub-blocks; a ring of the last
 * ten sub-block sums and their running total give the 100 ms mean square in
 * O(1) per frame and per query. The window moves in 10 ms steps.
 * VU: every 100 ms of input the meter latches the 100 ms RMS of each channel
 * in dBFS clamped to [-60, 0] and the largest gain reduction pushed during
 * those 100 ms, and bumps vu_seq so a reader knows a new value is there.
 * Peak: the largest |x| per channel; it holds for hold_ms, then falls at
 * fall_db_per_s (never below what is coming in). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define FOH_METER_SUBBLOCKS	10	/* 10 x 10 ms = 100 ms */
#define FOH_METER_FLOOR_DB	-60.0f

struct foh_meter_params {
	float hold_ms;		/* default 1000 */
	float fall_db_per_s;	/* default 20 */
};

struct foh_meter_chan {
	float peak;		/* held peak, linear */
	uint32_t hold_left;	/* frames */
	double acc;		/* squares of the current sub-block */
	double sub[FOH_METER_SUBBLOCKS];
	double win;		/* sum of sub[] */
	float vu_db;
};

struct foh_meter {
	uint32_t rate;
	uint32_t sub_len;	/* frames per sub-block */
	uint32_t sub_fill;	/* frames in the current sub-block */
	uint32_t sub_pos;	/* ring position */
	uint32_t subs_done;	/* sub-blocks since the last VU latch */
	uint32_t hold_frames;
	float fall;		/* per-frame linear factor after hold */
	struct foh_meter_chan ch[2];
	float gr_acc;		/* largest GR pushed since the last latch */
	float gr_db;		/* latched GR, dB >= 0 */
	uint32_t vu_seq;	/* bumps at every 10 Hz latch */
};

void foh_meter_default_params(struct foh_meter_params *p);

void foh_meter_init(struct foh_meter *s, uint32_t rate);
void foh_meter_set(struct foh_meter *s, const struct foh_meter_params *p);
/* A sink: mono when inr is NULL. */
void foh_meter_run(struct foh_meter *s, const float *inl, const float *inr,
		uint32_t n);
void foh_meter_reset(struct foh_meter *s);

/* Gain reduction from a dynamics block for this period, dB >= 0. */
void foh_meter_push_gr(struct foh_meter *s, float gr_db);

/* Held sample peak, dBFS (floor -120). */
float foh_meter_peak_db(const struct foh_meter *s, int ch);
/* RMS over the last complete 100 ms, dBFS (floor -120). */
float foh_meter_rms_db(const struct foh_meter *s, int ch);
/* Last 10 Hz VU value, dBFS in [-60, 0]. */
float foh_meter_vu_db(const struct foh_meter *s, int ch);
/* Last 10 Hz gain-reduction value, dB >= 0. */
float foh_meter_gr_db(const struct foh_meter *s);
uint32_t foh_meter_vu_seq(const struct foh_meter *s);
