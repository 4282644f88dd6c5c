/* Settings of the decks, as config keys and D-Bus properties (one table
 * each describes both).
 *
 * Keys of [decks] (org.foh.Foh1.Mixer properties in brackets):
 *   count          decks a .. d, 1..4 (takes effect at start)       (4)
 *   output         sink node.name the mix plays to, "" = default [Output] ("")
 *   crossfader     0 = deck a only .. 1 = deck b only [Crossfader]  (0.5)
 *   crossfader-enabled  false: a and b play at their Gain alone, as the
 *                  Crowdstream mix does [CrossfaderEnabled]          (true)
 *   glide-s        seconds a BPM glide takes, 0..600 [GlideSec]     (30)
 *   follow-bpm     decks with a TrackBpm follow CurrentBpm [FollowBpm] (true)
 *   eq-max-cut-db  the cut at 1 % of SetEqPercent, 1..80            (24)
 *   music-dirs     comma-separated folders foh-osc may load tracks from;
 *                  fohd itself does not read it ("" = the XDG music
 *                  folder) [MusicDirs]                              ("")
 *
 * Keys of [deck.a] .. [deck.d] (org.foh.Foh1.Deck properties):
 *   gain           dB, -80 (silent) .. +12 [Gain]                   (0)
 *   stretch-method rate | rubberband [StretchMethod]                (rate)
 *   tempo-ratio    0.5 .. 2 [TempoRatio]                            (1)
 *   track-bpm      0 = unknown, else 20..300 [TrackBpm]             (0)
 *   eq-low-db, eq-mid-db, eq-high-db   -80 (kill) .. +6 [EqLowDb ...] (0)
 *   loop           play the track in a loop [Loop]                  (false)
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/params.h"

#define FOH_DECK_LETTERS	"abcd"

struct foh_decks_settings {
	uint32_t count;
	char output[256];
	double crossfader;
	bool crossfader_enabled;
	double glide_sec;
	bool follow_bpm;
	double eq_max_cut_db;
	char music_dirs[1024];
};

struct foh_deck_settings {
	double gain;
	char stretch_method[16];
	double tempo_ratio;
	double track_bpm;
	double eq_low_db, eq_mid_db, eq_high_db;
	bool loop;
};

extern const struct foh_param foh_decks_params[];
extern const size_t foh_decks_n_params;
extern const struct foh_param foh_deck_params[];
extern const size_t foh_deck_n_params;

void foh_decks_settings_defaults(struct foh_decks_settings *s);
void foh_deck_settings_defaults(struct foh_deck_settings *s);
/* What one key cannot check (the method's name, the BPM's range). */
int foh_deck_settings_check(const struct foh_deck_settings *s, char **reason);
