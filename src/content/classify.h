/* The content classifier: a nearest-centroid model over standardised
 * feature vectors (features.h) and the per-channel decision with
 * hysteresis. Pure C: no PipeWire, sd-bus or GLib.
 *
 * A model holds the standardisation (mean and standard deviation of every
 * feature over the training material) and named centroids, each of class
 * speech or music. A vector's class is the class of its nearest centroid;
 * its style is its nearest music centroid. Confidence is the relative
 * margin (d_other − d_best) / (d_other + d_best), 0–1, where d_other is the
 * nearest centroid of another class (or, for styles, another style).
 *
 * Decisions come every 0.5 s (FOH_CONTENT_TICK_S):
 *   silence   the last 0.5 s are under silence-db for 3 ticks in a row (a
 *             pause between words is no silence), whatever the features;
 *             leaves silence at the first tick above it, for unknown (not
 *             judged yet) until two windows since the pause agree on a
 *             class (the first window after a pause may hold too little
 *             of the new passage to tell) fohd's silence-db is
 *             FOH_CONTENT_SILENCE_DB, -70 dBFS RMS: BS.1770's absolute
 *             gate (-70 LUFS), the level under which loudness measurement
 *             itself counts a signal as nothing, on the unweighted level
 *   speech/music  a new class is taken when 2 ticks in a row agree on it
 *             (1.0 s), so one odd window never flips a stable passage; a
 *             window holding less than 0.45 s since the latest pause
 *             (features.h) does not vote
 *   style     nearest music centroid of the running mean (time constant
 *             4 s) of the music windows, taken when 4 ticks in a row agree */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "content/features.h"

#define FOH_CONTENT_TICK_S	0.5
#define FOH_CONTENT_SILENCE_DB	-70.0
#define FOH_CONTENT_NAME_MAX	64
#define FOH_CONTENT_CENTROIDS_MAX 64

enum foh_content_class {
	FOH_CONTENT_SILENCE,
	FOH_CONTENT_SPEECH,
	FOH_CONTENT_MUSIC,
	FOH_CONTENT_UNKNOWN,	/* not enough signal analysed yet */
};

struct foh_content_centroid {
	char name[FOH_CONTENT_NAME_MAX + 1];
	enum foh_content_class cls;	/* speech or music */
	double v[FOH_CF_N];		/* in feature units, not standardised */
	uint32_t windows;		/* how many windows it was learned from */
	double margin;			/* a music style taken only when clearly
					 * nearest: d <= (1 - margin) * the next
					 * style's; 0 = plain nearest */
};

struct foh_content_model {
	double mean[FOH_CF_N], std[FOH_CF_N];
	struct foh_content_centroid c[FOH_CONTENT_CENTROIDS_MAX];
	uint32_t n;
};

struct foh_content_guess {
	enum foh_content_class cls;
	int centroid;			/* nearest of all, -1 if none */
	int style;			/* nearest music centroid, -1 if none */
	double class_confidence, style_confidence;
};

const char *foh_content_class_name(enum foh_content_class c);
/* -1 when name is none of silence, speech, music. */
int foh_content_class_from_name(const char *name);

/* Nearest centroids of one vector (no silence decision). */
void foh_content_guess(const struct foh_content_model *m, const double v[FOH_CF_N],
		struct foh_content_guess *g);
/* Adds or replaces centroid name (class cls) with the mean of vectors. */
int foh_content_model_set(struct foh_content_model *m, const char *name,
		enum foh_content_class cls, const double v[FOH_CF_N], uint32_t windows);
int foh_content_model_find(const struct foh_content_model *m, const char *name);

struct foh_content_state {
	double silence_db;
	enum foh_content_class cls, pending;
	uint32_t pending_ticks, silent_ticks;
	bool after_silence;		/* unknown since silence ended */
	int style, style_pending;
	uint32_t style_pending_ticks;
	double style_mean[FOH_CF_N];
	bool style_mean_valid;
	double confidence;		/* of the current class (or style, for music) */
};

void foh_content_state_init(struct foh_content_state *s, double silence_db);
/* One tick: v is the latest window vector, or NULL when there is none yet.
 * Returns true when class or style changed. */
bool foh_content_update(struct foh_content_state *s, const struct foh_content_model *m,
		const struct foh_cf_vector *v);
/* The current style name, "" when not music or the model has no styles. */
const char *foh_content_style_name(const struct foh_content_state *s,
		const struct foh_content_model *m);
