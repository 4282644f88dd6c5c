/* Noise gate, stereo-linked (key = max(|L|, |R|) per frame, same gain on
 * both channels), with hysteresis, hold and a force-open input for
 * push-to-talk.
 *
 * Timing, exactly as tests measure it:
 * - The gate opens on the first frame whose key reaches open_db (or at once
 *   while forced open). From then the gain rises linearly in dB at
 *   range_db / attack_ms, so a fully closed gate is fully open attack_ms
 *   later.
 * - While open, every frame whose key reaches close_db restarts the hold
 *   timer. Once hold_ms has passed with the key below close_db the gate
 *   closes and the gain falls linearly in dB at range_db / release_ms, so it
 *   reaches -range_db release_ms later.
 * - A parameter change never steps the gain: it only moves the target and
 *   the gain slews there at the rates above. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct foh_gate_params {
	float open_db;		/* dBFS, key at or above opens */
	float close_db;		/* dBFS, clamped to <= open_db */
	float attack_ms;	/* full range, floor to unity; 0 = instant */
	float hold_ms;
	float release_ms;	/* full range, unity to floor; 0 = instant */
	float range_db;		/* attenuation when closed, > 0, <= 120 */
};

struct foh_gate {
	uint32_t rate;
	bool open;
	bool force_open;
	uint32_t hold_frames;
	uint32_t hold_left;
	float open_lin;
	float close_lin;
	float floor;		/* linear gain when closed */
	float up;		/* per-frame gain factor while opening */
	float down;		/* per-frame gain factor while closing */
	float gain;		/* current linear gain */
	float min_gain;		/* lowest gain in the last run */
	bool per_frame;		/* tests: never take the open path */
	uint64_t opens;		/* runs the open path took */
	uint64_t closes;	/* runs the closed path took */
};

void foh_gate_default_params(struct foh_gate_params *p);

void foh_gate_init(struct foh_gate *s, uint32_t rate);
void foh_gate_set(struct foh_gate *s, const struct foh_gate_params *p);
/* Mono when inr/outr are NULL. In place is fine. */
void foh_gate_run(struct foh_gate *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n);
void foh_gate_reset(struct foh_gate *s);

/* Push-to-talk: while set the gate is held open (attack still applies). */
void foh_gate_force_open(struct foh_gate *s, bool force);
bool foh_gate_is_open(const struct foh_gate *s);
/* Current gain in dB (<= 0). */
float foh_gate_gain_db(const struct foh_gate *s);
/* Largest attenuation during the last run, dB >= 0 (for a GR meter). */
float foh_gate_reduction_db(const struct foh_gate *s);
