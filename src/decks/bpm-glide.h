/* Movement → BPM for the decks (pure, no clock of its own): the
 * Crowdstream table turns a movement level into a target BPM, and the
 * current BPM glides to the target linearly, so that any step takes
 * glide_sec (default 30 s) to complete. Time comes from the caller (an
 * injectable clock: seconds on any monotonic scale), so tests run a 30 s
 * glide in microseconds.
 *
 * Table (REFERENCE.md, Crowdstream): m < 0.02 → 105; < 0.05 → 110;
 * < 0.10 → 115; m >= 0.10 → 118 + 12 · min((m − 0.10) / 0.5, 1), i.e. 118
 * at 0.10 up to 130 at 0.6 and above. The glide starts at FOH_BPM_BASE
 * (120), also the base of decks that have no track BPM. */
#pragma once

#include <stdbool.h>

#define FOH_BPM_BASE	120.0
#define FOH_BPM_MIN	20.0
#define FOH_BPM_MAX	300.0

struct foh_bpm_glide {
	double current, target;
	double glide_sec;
	double slope;		/* BPM per second of the glide in progress */
	double last;		/* time of the last update */
	bool timed;		/* last is valid */
};

double foh_bpm_for_movement(double movement);

void foh_bpm_glide_init(struct foh_bpm_glide *g, double glide_sec);
/* A new target: the glide from the current BPM takes glide_sec. */
void foh_bpm_glide_set_target(struct foh_bpm_glide *g, double bpm, double now);
/* The current BPM is bpm at once; a glide to the target goes on from there. */
void foh_bpm_glide_jump(struct foh_bpm_glide *g, double bpm, double now);
void foh_bpm_glide_set_time(struct foh_bpm_glide *g, double glide_sec);
/* Advances the glide to now; returns the current BPM. */
double foh_bpm_glide_update(struct foh_bpm_glide *g, double now);
