/* The settings of one channel strip, as config keys of [channel.N] and as
 * properties of org.foh.Foh1.Channel — one table describes both.
 *
 * Keys of [channel.N] (N from 1 to [daemon] channels):
 *   name                   what the channel is for ("Host mic")   ("")
 *   input                  node.name to capture; "" = a virtual sink  ("")
 *   output                 node.name to play to; "" = the default sink ("")
 *   audio-channels         1 (mono) or 2 (stereo)                  (2)
 *   gain                   input trim, dB [-60, 24]                (0)
 *   mute, gate-open        mute; push-to-talk (forces the gate open)  (false)
 *   gate-enabled           (false); gate-threshold dBFS [-100, 0] (-50),
 *   gate-range dB [0, 120] (40), gate-attack ms [0, 500] (1),
 *   gate-hold ms [0, 5000] (100), gate-release ms [1, 5000] (150)
 *   comp-enabled           (true); comp-threshold dBFS [-80, 0] (-20),
 *   comp-ratio [1, 100] (2), comp-knee dB [0, 24] (6),
 *   comp-attack ms [0.05, 1000] (10), comp-release ms [1, 5000] (100),
 *   comp-makeup dB [-24, 48] (0)
 *   eq-enabled             (false); eq-highpass Hz, 0 = off [0, 1000] (0)
 *   eq-bandK-freq Hz [20, 20000], eq-bandK-gain dB [-24, 24] (0),
 *   eq-bandK-q [0.1, 10] (0.707) for K = 1..4; band 1 is a low shelf
 *   (100 Hz), bands 2 and 3 peaking (500 Hz, 2500 Hz), band 4 a high shelf
 *   (8000 Hz)
 *   limiter-enabled        (true); limiter-ceiling dBFS [-30, 0] (-3),
 *   limiter-release ms [1, 5000] (8), limiter-true-peak (false)
 *   chorus-enabled         (false); chorus-rate Hz [0.05, 5] (0.8),
 *   chorus-depth ms [0, 10] (3), chorus-voices [2, 4] (3),
 *   chorus-mix % [0, 100] (50)
 *   delay-enabled          (false); delay-time ms [1, 2000] (350),
 *   delay-feedback % [0, 95] (35), delay-mix % [0, 100] (25),
 *   delay-high-cut Hz [1000, 20000] (8000), delay-sync "" or a note
 *   division "1/1" … "1/32" with "d" (dotted) or "t" (triplet) ("": off),
 *   delay-ping-pong (false)
 *   reverb-enabled         (false); reverb-mix % [0, 100] (25),
 *   reverb-decay s (RT60) [0.2, 10] (1.8), reverb-pre-delay ms [0, 200] (20),
 *   reverb-damping [0, 1] (0.5), reverb-size [0, 1] (0.5)
 *   width                  stereo width % [0, 200], 100 = unchanged (100)
 *   leveler-enabled        the loudness leveler (dsp/leveler.h) (false);
 *   leveler-target LUFS [-60, 0] (-23), leveler-max-boost dB [0, 40] (20),
 *   leveler-max-cut dB [0, 40] (40), leveler-scene LU [2, 30] (6): the
 *   deviation that is a new scene (lower: faster, less calm),
 *   leveler-calm s [0.5, 60] (6): how slowly a scene is followed,
 *   leveler-gate LUFS [-90, -20] (-50): the absolute gate,
 *   leveler-lookahead s [0, 3] (0): delays the channel by that much (its
 *   latency grows by it) so the leveler meets a step as it arrives,
 *   leveler-lookahead-scene LU [2, 30] (4): leveler-scene while a
 *   look-ahead is set (a change is then met at its onset, so a smaller
 *   one is worth taking as a scene),
 *   leveler-quieter s [0.5, 3] (0.85): how long a level scene-lu under
 *   must hold to be a quieter scene (a gap between words that long is
 *   taken for one),
 *   leveler-moderate LU [2, 30] (3.5): the smallest step (louder or
 *   quieter, under the scene threshold) taken as a scene once it has held
 *   as long as the output's short-term loudness allows it to go
 *   unanswered (smaller ones are followed slowly)
 *   content-enabled        detect speech, music or silence and the style of
 *                          music in what comes in (false; README.md,
 *                          "Content detection")
 *   profile-mode           off | auto (the detected class or style picks
 *                          the profile) | manual (profile is pinned) ("off")
 *   profile                the profile applied or pinned ("")
 *   profile-hold           s a class/style must hold before auto switches
 *                          [0.5, 60] (3)
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "core/params.h"

#define FOH_CHANNELS_MAX	64
#define FOH_EQ_USER_BANDS	4

struct foh_eq_band_settings {
	double freq, gain, q;
};

struct foh_channel_settings {
	char name[64];
	char input[256];
	char output[256];
	uint32_t audio_channels;
	double gain;
	bool mute, gate_open;
	bool gate_enabled;
	double gate_threshold, gate_range, gate_attack, gate_hold, gate_release;
	bool comp_enabled;
	double comp_threshold, comp_ratio, comp_knee, comp_attack, comp_release, comp_makeup;
	bool eq_enabled;
	double eq_highpass;
	struct foh_eq_band_settings eq_band[FOH_EQ_USER_BANDS];
	bool limiter_enabled;
	double limiter_ceiling, limiter_release;
	bool limiter_true_peak;
	bool chorus_enabled;
	double chorus_rate, chorus_depth, chorus_mix;
	uint32_t chorus_voices;
	bool delay_enabled;
	double delay_time, delay_feedback, delay_mix, delay_high_cut;
	char delay_sync[8];
	bool delay_ping_pong;
	bool reverb_enabled;
	double reverb_mix, reverb_decay, reverb_pre_delay, reverb_damping, reverb_size;
	double width;
	bool leveler_enabled;
	double leveler_target, leveler_max_boost, leveler_max_cut, leveler_scene, leveler_calm;
	double leveler_gate, leveler_lookahead, leveler_lookahead_scene, leveler_quieter;
	double leveler_moderate;
	bool content_enabled;
	char profile_mode[8];
	char profile[65];
	double profile_hold;
};

extern const struct foh_param foh_channel_params[];
extern const size_t foh_channel_n_params;

void foh_channel_settings_defaults(struct foh_channel_settings *s);

/* The delay time of a delay-sync division at bpm, ms in [1, 2000]; 0 when
 * sync is off ("") or the tempo is unknown (outside 20–400 BPM). */
double foh_delay_sync_ms(const char *sync, double bpm);

/* Whether a and b differ in what needs new streams (input, output, channels). */
bool foh_channel_settings_structural_change(const struct foh_channel_settings *a,
		const struct foh_channel_settings *b);
