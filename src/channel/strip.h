/* A channel strip: input trim → gate → compressor → EQ → chorus → delay →
 * reverb → stereo width → leveler → limiter → test tone → meters and
 * loudness → mute,
 * on one or two channels, composed from the blocks of src/dsp. Pure C, no
 * allocation in foh_strip_init or after it: it runs in the process
 * callback. The effects' memory (their rings) is a struct foh_strip_fx,
 * allocated off the RT thread by foh_strip_fx_new for the strip's rate and
 * handed to foh_strip_init; without it the effect stages pass the signal
 * through. A mono strip may have two outputs (foh_strip_set_outputs): it
 * then runs mono up to the EQ, copies the channel to both sides before
 * the first effect and runs in stereo from there, so a reverb's tail or a
 * chorus is really stereo. A mono strip with one output runs the effects
 * in stereo on a copy of the channel and folds them back to (L + R)/2.
 *
 * The leveler (dsp/leveler.h, the livestream AGC) sits where a broadcast
 * chain puts its AGC: after the tone and dynamics shaping and the effects,
 * so it levels what actually leaves the channel (a louder EQ or a reverb
 * tail counts), and before the peak limiter, which stays last to catch
 * what its gain pushes over the ceiling. Its memory (the look-ahead ring,
 * up to 3 s) is in struct foh_strip_fx. Bypassed, it fades its gain to
 * unity and keeps its look-ahead delay (part of the strip's latency
 * whenever set) and its measure; off with no look-ahead it is skipped and
 * starts cold when switched on.
 *
 * Every stage is bypassable without a click: a toggled stage crossfades
 * between its output and its input over FOH_STRIP_FADE_MS; the limiter's
 * input is delayed by its lookahead for that, so the strip's latency never
 * changes. Trim and mute ramp linearly, mute to exact silence in 5 ms.
 * Meters and loudness read the signal before the mute, so a muted
 * push-to-talk microphone still shows its level. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "dsp/foh-dsp.h"

#define FOH_STRIP_CHUNK		1024	/* frames per internal pass */
#define FOH_STRIP_FADE_MS	10.0f
#define FOH_STRIP_MUTE_MS	5.0f

enum foh_strip_stage {
	FOH_STAGE_GATE,
	FOH_STAGE_COMP,
	FOH_STAGE_EQ,
	FOH_STAGE_CHORUS,
	FOH_STAGE_DELAY,
	FOH_STAGE_REVERB,
	FOH_STAGE_WIDTH,
	FOH_STAGE_LEVELER,
	FOH_STAGE_LIMITER,
	FOH_STAGE_COUNT,
};

struct foh_strip_params {
	float trim_db;
	bool mute;
	bool gate_force_open;		/* push-to-talk */
	bool meter_input;		/* run loudness_in (a loop reads it) */
	bool enabled[FOH_STAGE_COUNT];
	struct foh_gate_params gate;
	struct foh_comp_params comp;
	struct foh_eq_params eq;
	struct foh_limiter_params limiter;
	struct foh_chorus_params chorus;
	struct foh_delay_params delay;
	struct foh_reverb_params reverb;
	struct foh_width_params width;
	struct foh_leveler_params leveler;
};

/* The effects and their memory; see foh_strip_fx_new. */
struct foh_strip_fx {
	uint32_t rate;
	struct foh_chorus chorus;
	struct foh_delay delay;
	struct foh_reverb reverb;
	struct foh_width width;
	struct foh_leveler leveler;
	bool stale[FOH_STAGE_COUNT];	/* holds a tail from before a bypass */
	float right[FOH_STRIP_CHUNK];	/* the second channel of a mono strip */
};

struct foh_strip_levels {
	float peak_db, rms_db, vu_db;		/* loudest channel */
	float lufs_m, lufs_s;
	float lufs_m_in;			/* before the trim; with meter_input */
	float gr_db;				/* compressor + limiter, >= 0 */
	bool gate_open;
	float leveler_gain_db;			/* 0 when no leveler */
	uint64_t nonfinite;			/* input samples made silence (no audio) */
	int leveler_state;			/* enum foh_leveler_state */
};

struct foh_strip_ramp {
	float cur, target, step;
};

struct foh_strip {
	uint32_t rate;
	uint32_t channels;			/* inputs: 1 or 2 */
	uint32_t out_channels;			/* channels, or 2 on a mono strip */
	struct foh_gate gate;
	struct foh_comp comp;
	struct foh_eq eq;
	struct foh_limiter limiter;
	struct foh_strip_fx *fx;		/* not owned; NULL = no effects */
	struct foh_meter meter;
	struct foh_loudness loudness;
	/* the input's loudness, before the trim: what a loop riding the trim
	 * must read, or it would read its own moves */
	struct foh_loudness loudness_in;
	bool meter_input;			/* loudness_in runs (params) */
	uint64_t nonfinite;			/* NaN/inf/huge input samples, zeroed */
	struct foh_strip_ramp mix[FOH_STAGE_COUNT];	/* 0 = bypassed, 1 = in */
	struct foh_strip_ramp trim, mute;
	float fade_step, mute_step;
	/* dry path of the limiter: its input delayed by its latency */
	float delay[2][FOH_LIMITER_RING];
	uint32_t delay_pos, delay_len;
	/* test tone: a rotating phasor, no per-sample sin() */
	double tone_re, tone_im, tone_c, tone_s;
	float tone_gain;
	uint64_t tone_left;
	float dry[2][FOH_STRIP_CHUNK];
	float in[2][FOH_STRIP_CHUNK];	/* the chunk as it came, for the input meter */
	float gr_db;				/* largest in the last run */
};

void foh_strip_default_params(struct foh_strip_params *p);
/* Allocates the effects for rate (off the RT thread): 0 or -ENOMEM. */
int foh_strip_fx_new(uint32_t rate, struct foh_strip_fx **out);
void foh_strip_fx_free(struct foh_strip_fx *fx);
/* fx may be NULL (no effects); it must have been made for this rate, and
 * it stays the caller's (to be freed once no run can use it). */
void foh_strip_init(struct foh_strip *s, uint32_t rate, uint32_t channels,
		struct foh_strip_fx *fx);
/* Outputs of the strip: 1 or 2 on a mono strip (2: a stereo output from
 * the effects on), always 2 on a stereo one. Nothing is reset: a running
 * tail carries on. out in foh_strip_run then holds this many pointers. */
void foh_strip_set_outputs(struct foh_strip *s, uint32_t outputs);
/* Takes effect smoothly from the next run. */
void foh_strip_set(struct foh_strip *s, const struct foh_strip_params *p);
/* in holds `channels` pointers, out `out_channels`; in place is fine;
 * any n. */
void foh_strip_run(struct foh_strip *s, const float *const *in, float *const *out, uint32_t n);
void foh_strip_reset(struct foh_strip *s);
/* Starts a sine of hz at level_dbfs (peak) for seconds, added after the
 * limiter. */
void foh_strip_tone(struct foh_strip *s, double hz, double seconds, double level_dbfs);
uint32_t foh_strip_latency(const struct foh_strip *s);
void foh_strip_levels(const struct foh_strip *s, struct foh_strip_levels *l);
