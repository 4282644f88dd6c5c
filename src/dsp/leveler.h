/* Loudness leveler (AGC) after ITU-R BS.1770: a gain that holds the
 * programme's loudness at a target in LUFS, for a livestream feed.
 *
 * Measure: the input is K-weighted (kweight.h, in double)
 * and its mean square summed over the channels every 50 ms block; a ring
 * of 64 blocks gives the momentary (last 8 blocks, 400 ms) and short-term
 * (last 60, 3 s) loudness in O(1).
 * Gate: while the momentary loudness is under gate-lufs (absolute) or more
 * than 20 LU under the scene's level (relative) the programme is paused:
 * nothing is decided and the gain is frozen where it is (not decayed), so
 * silence, a speech pause or room noise never pull the gain up; the first
 * block above the gate resumes from that gain. A pause, for learning, is a
 * run of 3 s or more of blocks under the gate (the short-term window):
 * those are never learnt from, while shorter gaps (between words, at a
 * sentence's end) are, as they count in the short-term loudness the
 * output is judged by (with 1 s, a speaker pausing 1.1 s after each
 * sentence was held at the target by their words and read 3 LU under).
 * Nothing is learnt while the momentary is under the gate, so a pause's
 * blocks never are: a block is learnt 1 s late, once the programme is
 * back, and the blocks before it tell whether it lay in a pause.
 * Scene: a young scene's level (its first 3 s) is the plain mean energy of
 * its blocks so far, pauses left out; later the blocks are learnt 1 s late
 * (once it is known whether they lie in a pause) by an EMA with weight
 * max(1/n, 1 - exp(-block / calm-s)): a slow follow with time constant
 * calm-s, so drifts inside a scene are followed calmly.
 * Scene changes, answered at once from the blocks that show them. The
 * evidence is a CUSUM on the momentary loudness m: every block above the
 * gate adds (m - scene) - scene-lu/2 to the louder sum (at most 1.5 x
 * scene-lu; without look-ahead the loudness of the newest 100 ms stands
 * for m there, as the momentary fills too slowly for a step up that only
 * a quick answer keeps in the short-term window) and (scene - m) -
 * scene-lu/2 to the quieter one (at most
 * scene-lu/2: a gap between words adds little), each sum floored at 0, so
 * a short excursion (a syllable, a drum fill, a word's end) fades out
 * while a new level keeps adding, however it flickers:
 * - louder: the sum reaches what scene-lu above held for 400 ms gives
 *   (scene-lu/2 x 8 blocks): a 15 LU step in about 150 ms, 10 LU in 200,
 *   8 LU in 300 (from the momentary, with look-ahead: 200, 350, 400 ms),
 *   4 LU in about 1.5 s, 3 LU never;
 * - quieter: what scene-lu under held for quieter-s gives (0.85 s by
 *   default; half of it in the 2 s after a pause, where a new level is
 *   likely a new speaker). A quieter scene can only be told from a gap
 *   between words (in room noise, above the gate) by how long it lasts,
 *   so this is the trade of speed for calm: a gap as long as quieter-s
 *   (plus the momentary's lag) is taken for a scene. The default comes
 *   from the short-term loudness's 3 s memory: a step down by D LU met d s
 *   late leaves the output's short-term loudness 10 log10(1 - d (1 -
 *   10^(-D/10)) / 3) under the target for 3 s, inside 2 LU while d <=
 *   1.14 s for D = 15; the momentary puts the evidence's start about 0.25 s
 *   after the step, so 0.85 s of it answers a 15 LU step about 1.1 s in
 *   (1 s answered it 1.25 s in: -2.2 LU). Gaps of 0.9 s in noise 12 LU under speech
 *   still add up to less (dsp-leveler's speech-gaps test fails from
 *   0.75 s);
 * - held (moderate: moderate-lu, 3.5 by default, up to scene-lu, either
 *   way): the last L blocks (0.5 s up to the quieter deadline of
 *   moderate-lu plus 0.2 s, 2.2 s by default, 3 s at most; after the scene's level was last set, pauses left out)
 *   are D LU from the scene as it stood when they began, each third of
 *   them at least max(2, 0.9 |D|) LU beyond it on the same side (a step
 *   is flat; a burst, a louder phrase or a gap moves one third), and L
 *   is as long as a step of D may go unanswered: the output's short-term
 *   loudness (3 s) stays within 2 LU while the answer comes d <= 3
 *   (10^0.2 - 1) / (10^(D/10) - 1) s after a louder step (1.16 s for 4
 *   LU, 0.59 s for 6) or 3 (1 - 10^-0.2) / (1 - 10^(-D/10)) s after a
 *   quieter one (1.84 s for 4 LU), less the 50 ms the new gain takes to
 *   ramp in. Taken as late as that allows, with the most evidence, as a
 *   scene from the window's start. Under moderate-lu the steps are left
 *   to the slow follow and the smaller-change rule: the trade of speed
 *   for calm. Under 3.5 LU the deadline (1.46 s louder, 2 s quieter)
 *   outlasts a spoken phrase, and a louder phrase held that long is not a
 *   new scene (at 3 LU the tuning programmes' speech gave 7 more scene
 *   changes, and the quiet side lost what the loud side won); from
 *   scene-lu up the rule is off;
 * - smaller: the scene's last 3 s (at least 0.5 s of it, pauses left
 *   out) more than 0.3 x scene-lu (at least 1.6 LU) from its level for
 *   0.3 s: the scene is re-learnt from them
 *   (with look-ahead the gains not yet applied ramp to the new one).
 * A louder or quieter scene starts at its onset (the blocks scanned back
 * to where they cross scene +- scene-lu/2, 100 ms on the old side
 * allowed; blocks under the gate, a gap between words, are gated out of
 * the scan as BS.1770 gates them, so it goes on through them up to a
 * pause). Its level is the mean energy from the onset on, gaps between
 * words included (they count in the loudness heard, as in the young
 * scene's learning that follows) and pauses left out: a quieter speaker
 * is met at their level, not at their words' (15 LU under, 0.25 s gaps:
 * about 2 LU louder). A change whose blocks are not on its side (the
 * momentary still holding a loud word while the newest blocks, all the
 * onset finds, are the room noise after it) is no scene: it waits.
 * Gain: target - scene level, limited to [-max-cut, +max-boost]; inside a
 * scene smoothed by a one-pole of 120 ms per block, at a scene change set
 * at once; applied as a per-sample linear ramp across each 50 ms block:
 * sample-smooth, never a step.
 * Look-ahead: with lookahead-s > 0 the audio is delayed by exactly
 * round(lookahead-s x rate) frames (the block's latency) while the
 * measure runs on the undelayed input; the gains wait in a ring, one per
 * block, and a scene change rewrites those not yet applied from its onset
 * on, so the new gain is in place when the step reaches the output (a cut
 * ramps in the quiet block before the step, a boost in the quiet first
 * block of it: a loud block never gets the higher gain). While the scene
 * is young (3 s) every block rewrites all of its gains not yet applied
 * with the level learnt so far: the look-ahead's future is known, so its
 * first blocks get the level of as much of it as has been measured.
 * With a look-ahead the scene threshold is lookahead-scene-lu (4 LU by
 * default) instead of scene-lu (6): a change is placed at its onset and a
 * young scene's level is read from blocks not yet out, so a smaller step
 * held for a while (a chorus coming in, a quieter song, a guest a few LU
 * under the host) is met where it starts; without look-ahead the same
 * threshold would answer such a step late and half-learnt, so it waits
 * for the slow follow and the smaller-change rule instead.
 *
 * Memory: the look-ahead ring (1.1 MB for 3 s of stereo at 48 kHz) exists
 * only while a look-ahead is wanted: made off the RT thread
 * (foh_leveler_ring_new) and handed over by foh_leveler_swap_ring, which
 * never allocates; without one the leveler has no delay. run never
 * allocates. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kweight.h"

#define FOH_LEVELER_RING	128	/* 50 ms blocks kept: 6.4 s */
#define FOH_LEVELER_GRING	64	/* block gains kept for the look-ahead */
#define FOH_LEVELER_MAX_LOOKAHEAD 3.0

enum foh_leveler_state {
	FOH_LEVELER_COLD,	/* nothing above the gate yet: gain as it was */
	FOH_LEVELER_TRACKING,	/* following the scene slowly */
	FOH_LEVELER_SCENE,	/* a new scene: learning its level */
	FOH_LEVELER_PAUSE,	/* under the gate: gain frozen */
};

struct foh_leveler_params {
	float target_lufs;	/* [-60, 0] */
	float max_boost_db;	/* [0, 40] */
	float max_cut_db;	/* [0, 40] */
	float scene_lu;		/* scene-change threshold [2, 30] */
	float calm_s;		/* in-scene time constant [0.5, 60] */
	float gate_lufs;	/* absolute gate [-90, -20] */
	float lookahead_s;	/* [0, max_lookahead_s] */
	float lookahead_scene_lu; /* scene_lu while a look-ahead is set [2, 30] */
	float quieter_s;	/* a quieter scene's evidence time [0.5, 3] */
	float moderate_lu;	/* smallest held change [2, 30] */
};

/* The look-ahead ring: cap frames of two channels. */
struct foh_leveler_ring {
	uint32_t rate, cap;
	float buf[];
};

struct foh_leveler {
	uint32_t rate;
	uint32_t block_len, block_fill;
	struct foh_kweight_coefs kc;
	struct foh_kweight kw[2];	/* per channel */
	double acc;
	double ring[FOH_LEVELER_RING];
	double scene_hist[FOH_LEVELER_RING];	/* scene_e as block b came */
	uint64_t blocks;		/* blocks measured; block b at ring[b % size] */
	struct foh_leveler_params p;
	float a_slow, a_gain;		/* per block */
	uint32_t down_blocks;		/* quieter-s in blocks */
	uint32_t held_max;		/* the longest held window, blocks */
	/* the scene */
	enum foh_leveler_state state;
	double scene_e;			/* mean K-weighted energy */
	double scene_n;			/* blocks learned in this scene */
	uint64_t scene_start;		/* the scene's first block */
	uint64_t scene_end;		/* the last block of the scene's seed */
	uint32_t mid;			/* blocks a smaller change has lasted */
	double ev_up, ev_down;		/* evidence of a change, LU x blocks */
	uint64_t up_from, down_from;	/* where it began */
	uint64_t pend_from;		/* the scene's first block of gain */
	uint32_t since_pause;		/* active blocks since the last pause */
	uint32_t scenes;		/* scene changes taken since reset */
	float momentary, short_term;	/* of the input, LUFS */
	float want_db, gain_db;		/* wanted, smoothed */
	/* gain ramp across the current block (linear gain) */
	float g, g_step;
	/* bypass: the gain applied is 1 + (g - 1) x mix, mix ramping */
	float mix, mix_target, mix_step, mix_next;
	/* look-ahead: audio ring and the delayed gain curve */
	struct foh_leveler_ring *ring_mem;	/* owned; NULL: no look-ahead */
	float *dl[2];
	uint32_t dl_cap, dl_len, dl_pos;
	float gring[FOH_LEVELER_GRING];	/* dB, per block of input */
	uint32_t gdelay;		/* look-ahead in blocks */
	uint64_t applied;		/* the block whose gain the ramp heads to */
};

void foh_leveler_default_params(struct foh_leveler_params *p);
/* 0 or -ENOMEM; s is zeroed first. max_lookahead_s in [0, 3]: the ring
 * made for it (none for 0). */
int foh_leveler_init(struct foh_leveler *s, uint32_t rate, float max_lookahead_s);
/* Frees the ring it holds. */
void foh_leveler_free(struct foh_leveler *s);
/* A zeroed look-ahead ring for max_s (clamped to [0, 3]) at rate; NULL
 * when out of memory. Allocates: never on the RT thread. */
struct foh_leveler_ring *foh_leveler_ring_new(uint32_t rate, float max_s);
void foh_leveler_ring_free(struct foh_leveler_ring *r);
/* RT-safe: the leveler takes ring r (NULL: none, no delay) and returns the
 * one it held, for the caller to free off the RT thread; a ring of another
 * rate is refused (returned as is). The delay restarts on the new ring:
 * its first look-ahead of output is silence. */
struct foh_leveler_ring *foh_leveler_swap_ring(struct foh_leveler *s, struct foh_leveler_ring *r);
bool foh_leveler_has_ring(const struct foh_leveler *s);
/* The controller alone, on levels instead of audio (a desk's meter): no
 * allocation, no look-ahead ring; run must not be called on it. */
void foh_leveler_init_meter(struct foh_leveler *s);
/* A level (dB or LUFS, -inf for silence) that held for seconds: pushed
 * through the gate and scene logic as that many 50 ms blocks. */
void foh_leveler_push_level(struct foh_leveler *s, double level, double seconds);
/* The gain the controller wants now, dB (before the 120 ms smoothing). */
float foh_leveler_want_db(const struct foh_leveler *s);
/* Values are clamped to the ranges above; the look-ahead to the ring (0
 * without one). A new look-ahead takes effect at once (the ring always
 * holds its capacity of past input, so the audio comes out at the new
 * delay). */
void foh_leveler_set(struct foh_leveler *s, const struct foh_leveler_params *p);
/* Mono when inr/outr are NULL; in place is fine; any n. */
void foh_leveler_run(struct foh_leveler *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
/* Bypassed (on = false), the leveler keeps measuring and delaying but its
 * gain fades to unity over fade_frames; on, it fades back in. */
void foh_leveler_set_active(struct foh_leveler *s, bool on, uint32_t fade_frames);
/* Bypassed, faded out and without look-ahead: running it changes nothing
 * (a caller may skip it, and reset it before running it again). */
bool foh_leveler_idle(const struct foh_leveler *s);
/* Back to cold with unity gain; clears the measure and the part of the
 * look-ahead ring the next dl_len frames read. */
void foh_leveler_reset(struct foh_leveler *s);
/* The look-ahead in frames: what the block delays its input by. */
uint32_t foh_leveler_latency(const struct foh_leveler *s);
/* The gain applied now (dB) and the state. */
float foh_leveler_gain_db(const struct foh_leveler *s);
enum foh_leveler_state foh_leveler_state(const struct foh_leveler *s);
const char *foh_leveler_state_str(enum foh_leveler_state st);
/* The input's loudness as the leveler measures it (LUFS, -inf if none). */
float foh_leveler_momentary(const struct foh_leveler *s);
float foh_leveler_short_term(const struct foh_leveler *s);
/* The scene's level, LUFS (-inf before the first block above the gate). */
float foh_leveler_scene_lufs(const struct foh_leveler *s);
/* Scene changes taken since the last reset (the first scene not counted). */
uint32_t foh_leveler_scene_changes(const struct foh_leveler *s);
