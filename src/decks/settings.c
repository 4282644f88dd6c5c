/* The decks' settings tables; see decks/settings.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decks/settings.h"

#define M(field) offsetof(struct foh_decks_settings, field)
const struct foh_param foh_decks_params[] = {
	{ "count", NULL, FOH_PARAM_UINT, 1, 4, 4, NULL, M(count), FOH_PARAM_STRUCTURAL, NULL },
	{ "output", "Output", FOH_PARAM_STRING, 0, 255, 0, "", M(output), FOH_PARAM_STRUCTURAL, NULL },
	{ "crossfader", "Crossfader", FOH_PARAM_DOUBLE, 0, 1, 0.5, NULL, M(crossfader), 0, NULL },
	{ "crossfader-enabled", "CrossfaderEnabled", FOH_PARAM_BOOL, 0, 1, 1, NULL,
		M(crossfader_enabled), 0, NULL },
	{ "glide-s", "GlideSec", FOH_PARAM_DOUBLE, 0, 600, 30, NULL, M(glide_sec), 0, "s" },
	{ "follow-bpm", "FollowBpm", FOH_PARAM_BOOL, 0, 1, 1, NULL, M(follow_bpm), 0, NULL },
	{ "eq-max-cut-db", NULL, FOH_PARAM_DOUBLE, 1, 80, 24, NULL, M(eq_max_cut_db), 0, "dB" },
	{ "music-dirs", "MusicDirs", FOH_PARAM_STRING, 0, 1023, 0, "", M(music_dirs), 0, NULL },
};
#undef M
const size_t foh_decks_n_params = sizeof(foh_decks_params) / sizeof(foh_decks_params[0]);

#define D(field) offsetof(struct foh_deck_settings, field)
static const char *const stretch_methods[] = { "rate", "rubberband", NULL };
const struct foh_param foh_deck_params[] = {
	{ "gain", "Gain", FOH_PARAM_DOUBLE, -80, 12, 0, NULL, D(gain), 0, "dB" },
	{ "stretch-method", "StretchMethod", FOH_PARAM_STRING, 0, 15, 0, "rate", D(stretch_method), 0, NULL,
		stretch_methods },
	{ "tempo-ratio", "TempoRatio", FOH_PARAM_DOUBLE, 0.5, 2, 1, NULL, D(tempo_ratio), 0, NULL },
	{ "track-bpm", "TrackBpm", FOH_PARAM_DOUBLE, 0, 300, 0, NULL, D(track_bpm), 0, "BPM" },
	{ "eq-low-db", "EqLowDb", FOH_PARAM_DOUBLE, -80, 6, 0, NULL, D(eq_low_db), 0, "dB" },
	{ "eq-mid-db", "EqMidDb", FOH_PARAM_DOUBLE, -80, 6, 0, NULL, D(eq_mid_db), 0, "dB" },
	{ "eq-high-db", "EqHighDb", FOH_PARAM_DOUBLE, -80, 6, 0, NULL, D(eq_high_db), 0, "dB" },
	{ "loop", "Loop", FOH_PARAM_BOOL, 0, 1, 0, NULL, D(loop), 0, NULL },
};
#undef D
const size_t foh_deck_n_params = sizeof(foh_deck_params) / sizeof(foh_deck_params[0]);

void foh_decks_settings_defaults(struct foh_decks_settings *s)
{
	memset(s, 0, sizeof(*s));
	foh_params_set_defaults(foh_decks_params, foh_decks_n_params, s);
}

void foh_deck_settings_defaults(struct foh_deck_settings *s)
{
	memset(s, 0, sizeof(*s));
	foh_params_set_defaults(foh_deck_params, foh_deck_n_params, s);
}

int foh_deck_settings_check(const struct foh_deck_settings *s, char **reason)
{
	if (strcmp(s->stretch_method, "rate") != 0 && strcmp(s->stretch_method, "rubberband") != 0) {
		if (asprintf(reason, "stretch method \"%s\" is not valid; use rate or rubberband",
					s->stretch_method) < 0)
			*reason = NULL;
		return -EINVAL;
	}
	if (s->track_bpm != 0.0 && s->track_bpm < 20.0) {
		if (asprintf(reason, "track BPM %g is out of range; use 0 (unknown) or 20..300",
					s->track_bpm) < 0)
			*reason = NULL;
		return -ERANGE;
	}
	return 0;
}
