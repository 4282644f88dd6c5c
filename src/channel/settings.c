/* The channel settings table; see channel/settings.h for the keys. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "channel/settings.h"

#define F(field) offsetof(struct foh_channel_settings, field)
#define BOOL(k, prop, field, d) \
	{ k, prop, FOH_PARAM_BOOL, 0, 1, d, NULL, F(field), 0, NULL }
#define NUM(k, prop, field, lo, hi, d, unit) \
	{ k, prop, FOH_PARAM_DOUBLE, lo, hi, d, NULL, F(field), 0, unit }
#define BAND(n, f) \
	NUM("eq-band" #n "-freq", "EqBand" #n "Freq", eq_band[n - 1].freq, 20, 20000, f, "Hz"), \
	NUM("eq-band" #n "-gain", "EqBand" #n "Gain", eq_band[n - 1].gain, -24, 24, 0, "dB"), \
	NUM("eq-band" #n "-q", "EqBand" #n "Q", eq_band[n - 1].q, 0.1, 10, 0.707, NULL)

/* "" = off (delay-time applies), else a note division of the tempo: 1/N
 * of a whole note, "d" dotted (× 1.5), "t" triplet (× 2/3). */
static const char *const delay_sync_choices[] = {
	"", "1/1", "1/2", "1/2d", "1/2t", "1/4", "1/4d", "1/4t", "1/8", "1/8d", "1/8t",
	"1/16", "1/16d", "1/16t", "1/32", NULL,
};

static const char *const profile_modes[] = { "off", "auto", "manual", NULL };

const struct foh_param foh_channel_params[] = {
	{ "name", "Name", FOH_PARAM_STRING, 0, 63, 0, "", F(name), 0, NULL },
	{ "input", "Input", FOH_PARAM_STRING, 0, 255, 0, "", F(input), FOH_PARAM_STRUCTURAL, NULL },
	{ "output", "Output", FOH_PARAM_STRING, 0, 255, 0, "", F(output), FOH_PARAM_STRUCTURAL, NULL },
	{ "audio-channels", "AudioChannels", FOH_PARAM_UINT, 1, 2, 2, NULL, F(audio_channels),
		FOH_PARAM_STRUCTURAL, NULL },
	NUM("gain", "Gain", gain, -60, 24, 0, "dB"),
	BOOL("mute", "Mute", mute, 0),
	BOOL("gate-open", "GateOpen", gate_open, 0),
	BOOL("gate-enabled", "GateEnabled", gate_enabled, 0),
	NUM("gate-threshold", "GateThreshold", gate_threshold, -100, 0, -50, "dBFS"),
	NUM("gate-range", "GateRange", gate_range, 0, 120, 40, "dB"),
	NUM("gate-attack", "GateAttack", gate_attack, 0, 500, 1, "ms"),
	NUM("gate-hold", "GateHold", gate_hold, 0, 5000, 100, "ms"),
	NUM("gate-release", "GateRelease", gate_release, 1, 5000, 150, "ms"),
	BOOL("comp-enabled", "CompEnabled", comp_enabled, 1),
	NUM("comp-threshold", "CompThreshold", comp_threshold, -80, 0, -20, "dBFS"),
	NUM("comp-ratio", "CompRatio", comp_ratio, 1, 100, 2, NULL),
	NUM("comp-knee", "CompKnee", comp_knee, 0, 24, 6, "dB"),
	NUM("comp-attack", "CompAttack", comp_attack, 0.05, 1000, 10, "ms"),
	NUM("comp-release", "CompRelease", comp_release, 1, 5000, 100, "ms"),
	NUM("comp-makeup", "CompMakeup", comp_makeup, -24, 48, 0, "dB"),
	BOOL("eq-enabled", "EqEnabled", eq_enabled, 0),
	NUM("eq-highpass", "EqHighpass", eq_highpass, 0, 1000, 0, "Hz"),
	BAND(1, 100),
	BAND(2, 500),
	BAND(3, 2500),
	BAND(4, 8000),
	BOOL("limiter-enabled", "LimiterEnabled", limiter_enabled, 1),
	NUM("limiter-ceiling", "LimiterCeiling", limiter_ceiling, -30, 0, -3, "dBFS"),
	NUM("limiter-release", "LimiterRelease", limiter_release, 1, 5000, 8, "ms"),
	BOOL("limiter-true-peak", "LimiterTruePeak", limiter_true_peak, 0),
	BOOL("chorus-enabled", "ChorusEnabled", chorus_enabled, 0),
	NUM("chorus-rate", "ChorusRateHz", chorus_rate, 0.05, 5, 0.8, "Hz"),
	NUM("chorus-depth", "ChorusDepthMs", chorus_depth, 0, 10, 3, "ms"),
	{ "chorus-voices", "ChorusVoices", FOH_PARAM_UINT, 2, 4, 3, NULL, F(chorus_voices), 0, NULL,
		NULL },
	NUM("chorus-mix", "ChorusMix", chorus_mix, 0, 100, 50, "%"),
	BOOL("delay-enabled", "DelayEnabled", delay_enabled, 0),
	NUM("delay-time", "DelayTimeMs", delay_time, 1, 2000, 350, "ms"),
	NUM("delay-feedback", "DelayFeedback", delay_feedback, 0, 95, 35, "%"),
	NUM("delay-mix", "DelayMix", delay_mix, 0, 100, 25, "%"),
	NUM("delay-high-cut", "DelayHighCutHz", delay_high_cut, 1000, 20000, 8000, "Hz"),
	{ "delay-sync", "DelaySync", FOH_PARAM_STRING, 0, 7, 0, "", F(delay_sync), 0, NULL,
		delay_sync_choices },
	BOOL("delay-ping-pong", "DelayPingPong", delay_ping_pong, 0),
	BOOL("reverb-enabled", "ReverbEnabled", reverb_enabled, 0),
	NUM("reverb-mix", "ReverbMix", reverb_mix, 0, 100, 25, "%"),
	NUM("reverb-decay", "ReverbDecaySec", reverb_decay, 0.2, 10, 1.8, "s"),
	NUM("reverb-pre-delay", "ReverbPreDelayMs", reverb_pre_delay, 0, 200, 20, "ms"),
	NUM("reverb-damping", "ReverbDamping", reverb_damping, 0, 1, 0.5, NULL),
	NUM("reverb-size", "ReverbSize", reverb_size, 0, 1, 0.5, NULL),
	NUM("width", "Width", width, 0, 200, 100, "%"),
	BOOL("leveler-enabled", "LevelerEnabled", leveler_enabled, 0),
	NUM("leveler-target", "LevelerTargetLufs", leveler_target, -60, 0, -23, "LUFS"),
	NUM("leveler-max-boost", "LevelerMaxBoostDb", leveler_max_boost, 0, 40, 20, "dB"),
	NUM("leveler-max-cut", "LevelerMaxCutDb", leveler_max_cut, 0, 40, 40, "dB"),
	NUM("leveler-scene", "LevelerSceneLu", leveler_scene, 2, 30, 6, "LU"),
	NUM("leveler-calm", "LevelerCalmSec", leveler_calm, 0.5, 60, 6, "s"),
	NUM("leveler-gate", "LevelerGateLufs", leveler_gate, -90, -20, -50, "LUFS"),
	NUM("leveler-lookahead", "LevelerLookaheadSec", leveler_lookahead, 0, 3, 0, "s"),
	NUM("leveler-lookahead-scene", "LevelerLookaheadSceneLu", leveler_lookahead_scene, 2, 30, 4,
			"LU"),
	NUM("leveler-quieter", "LevelerQuieterSec", leveler_quieter, 0.5, 3, 0.85, "s"),
	NUM("leveler-moderate", "LevelerModerateLu", leveler_moderate, 2, 30, 3.5, "LU"),
	BOOL("content-enabled", "ContentEnabled", content_enabled, 0),
	{ "profile-mode", "ProfileMode", FOH_PARAM_STRING, 0, 7, 0, "off", F(profile_mode), 0, NULL,
		profile_modes },
	{ "profile", "Profile", FOH_PARAM_STRING, 0, 64, 0, "", F(profile), 0, NULL, NULL },
	NUM("profile-hold", "ProfileHoldSec", profile_hold, 0.5, 60, 3, "s"),
};
const size_t foh_channel_n_params = sizeof(foh_channel_params) / sizeof(foh_channel_params[0]);

void foh_channel_settings_defaults(struct foh_channel_settings *s)
{
	memset(s, 0, sizeof(*s));
	foh_params_set_defaults(foh_channel_params, foh_channel_n_params, s);
}

double foh_delay_sync_ms(const char *sync, double bpm)
{
	char *end;
	long n;
	double ms;

	if (sync[0] == '\0' || strncmp(sync, "1/", 2) != 0 || !(bpm >= 20.0 && bpm <= 400.0))
		return 0.0;
	n = strtol(sync + 2, &end, 10);
	if (n < 1 || n > 64)
		return 0.0;
	/* a quarter note is one beat: 1/n of a whole note is 4/n beats */
	ms = 60000.0 / bpm * 4.0 / (double)n;
	if (*end == 'd')
		ms *= 1.5;
	else if (*end == 't')
		ms *= 2.0 / 3.0;
	return ms < 1.0 ? 1.0 : (ms > 2000.0 ? 2000.0 : ms);
}

bool foh_channel_settings_structural_change(const struct foh_channel_settings *a,
		const struct foh_channel_settings *b)
{
	return strcmp(a->input, b->input) != 0 || strcmp(a->output, b->output) != 0 ||
		a->audio_channels != b->audio_channels;
}
