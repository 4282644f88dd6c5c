/* Noise gate: hysteresis, hold, linear-in-dB attack/release, force open. */
#include <math.h>
#include <string.h>

#include "dsp-util.h"
#include "gate.h"

void foh_gate_default_params(struct foh_gate_params *p)
{
	p->open_db = -45.0f;
	p->close_db = -50.0f;
	p->attack_ms = 1.0f;
	p->hold_ms = 50.0f;
	p->release_ms = 150.0f;
	p->range_db = 60.0f;
}

void foh_gate_init(struct foh_gate *s, uint32_t rate)
{
	struct foh_gate_params p;

	memset(s, 0, sizeof(*s));
	s->rate = foh_dsp_clamp_rate(rate);
	foh_gate_default_params(&p);
	foh_gate_set(s, &p);
	foh_gate_reset(s);
}

/* Per-frame factor that covers range_db in ms; 0 means instant. */
static float slew_factor(float range_db, float ms, uint32_t rate)
{
	uint32_t frames = foh_dsp_ms_to_frames(ms, rate);

	if (frames == 0)
		return 0.0f;
	return (float)exp((double)range_db * FOH_DSP_LN10_20 / (double)frames);
}

void foh_gate_set(struct foh_gate *s, const struct foh_gate_params *p)
{
	float range = foh_dsp_clampf(p->range_db, 0.0f, 120.0f);
	float open_db = foh_dsp_clampf(p->open_db, -120.0f, 0.0f);
	float close_db = foh_dsp_clampf(p->close_db, -120.0f, open_db);

	s->open_lin = foh_db_to_lin(open_db);
	s->close_lin = foh_db_to_lin(close_db);
	s->floor = foh_db_to_lin(-range);
	s->hold_frames = foh_dsp_ms_to_frames(p->hold_ms, s->rate);
	s->up = slew_factor(range, p->attack_ms, s->rate);
	s->down = slew_factor(range, p->release_ms, s->rate);
	if (s->down > 0.0f)
		s->down = 1.0f / s->down;
	if (s->hold_left > s->hold_frames)
		s->hold_left = s->hold_frames;
}

void foh_gate_reset(struct foh_gate *s)
{
	s->open = false;
	s->hold_left = 0;
	s->gain = s->floor;
	s->min_gain = s->floor;
}

/* The state machine for one frame; returns the gain target. */
static inline float gate_step(struct foh_gate *s, float key)
{
	if (!s->open) {
		if (key >= s->open_lin || s->force_open) {
			s->open = true;
			s->hold_left = s->hold_frames;
		}
	} else if (key >= s->close_lin || s->force_open) {
		s->hold_left = s->hold_frames;
	} else if (s->hold_left > 0) {
		s->hold_left--;
	} else {
		s->open = false;
	}
	return s->open ? 1.0f : s->floor;
}

static inline float slew(float g, float target, float up, float down)
{
	if (g < target) {
		g = up > 0.0f ? g * up : target;
		return g > target ? target : g;
	}
	if (g > target) {
		g = g * down;
		return g < target ? target : g;
	}
	return g;
}

/* The key of one frame: its larger magnitude. */
static inline float key_of(float l, float r)
{
	return foh_maxf(fabsf(l), fabsf(r));
}

/* Fully open, and no gap in these n frames outlasts the hold: the gain
 * stays 1 and only the hold count moves, as gate_step would move it. */
static bool stays_open(struct foh_gate *s, const float *inl, const float *inr,
		uint32_t n)
{
	const float close = s->close_lin;
	const uint32_t hold = s->hold_frames;
	uint32_t h = s->hold_left;

	if (s->per_frame || !s->open || s->gain != 1.0f)
		return false;
	if (s->force_open) {
		h = n > 0 ? hold : h;
	} else {
		for (uint32_t i = 0; i < n; i++) {
			float key = key_of(inl[i], inr != NULL ? inr[i] : 0.0f);
			if (key >= close)
				h = hold;
			else if (h > 0)
				h--;
			else
				return false;
		}
	}
	s->hold_left = h;
	s->min_gain = 1.0f;
	s->opens++;
	return true;
}

/* Fully closed, and nothing in these n frames opens it: the gain stays at
 * the floor and no state moves. */
static bool stays_closed(struct foh_gate *s, const float *inl, const float *inr,
		uint32_t n)
{
	const float open = s->open_lin;
	bool opens = false;

	if (s->per_frame || s->open || s->force_open || s->gain != s->floor)
		return false;
	for (uint32_t i = 0; i < n; i++) {
		float key = key_of(inl[i], inr != NULL ? inr[i] : 0.0f);
		opens |= key >= open;
	}
	if (opens)
		return false;
	s->min_gain = s->floor;
	s->closes++;
	return true;
}

void foh_gate_run(struct foh_gate *s, const float *inl, const float *inr,
		float *outl, float *outr, uint32_t n)
{
	bool stereo = inr != NULL && outr != NULL;
	const float up = s->up, down = s->down;
	float g = s->gain, gmin = g;

	if (stays_open(s, inl, stereo ? inr : NULL, n)) {
		if (outl != inl)
			memmove(outl, inl, n * sizeof(float));
		if (stereo && outr != inr)
			memmove(outr, inr, n * sizeof(float));
		return;
	}
	if (stays_closed(s, inl, stereo ? inr : NULL, n)) {
		for (uint32_t i = 0; i < n; i++)
			outl[i] = inl[i] * g;
		if (stereo)
			for (uint32_t i = 0; i < n; i++)
				outr[i] = inr[i] * g;
		return;
	}

	for (uint32_t i = 0; i < n; i++) {
		float l = inl[i], r = stereo ? inr[i] : 0.0f;
		float key = key_of(l, r);
		float target = gate_step(s, key);

		g = slew(g, target, up, down);
		gmin = foh_minf(gmin, g);
		outl[i] = l * g;
		if (stereo)
			outr[i] = r * g;
	}
	s->gain = g;
	s->min_gain = gmin;
}

void foh_gate_force_open(struct foh_gate *s, bool force)
{
	s->force_open = force;
}

bool foh_gate_is_open(const struct foh_gate *s)
{
	return s->open;
}

float foh_gate_gain_db(const struct foh_gate *s)
{
	return foh_lin_to_db(s->gain, -120.0f);
}

float foh_gate_reduction_db(const struct foh_gate *s)
{
	return -foh_lin_to_db(s->min_gain, -120.0f);
}
