/* Channel settings → strip parameters (pure): foh_channel_strip_params of
 * channel.h, apart from the PipeWire module so unit tests can use it. */
#include "channel/channel.h"

void foh_channel_strip_params(const struct foh_channel_settings *s, struct foh_strip_params *p)
{
	static const enum foh_biquad_type band_types[FOH_EQ_USER_BANDS] = {
		FOH_BIQUAD_LOWSHELF, FOH_BIQUAD_PEAK, FOH_BIQUAD_PEAK, FOH_BIQUAD_HIGHSHELF,
	};

	foh_strip_default_params(p);
	p->trim_db = (float)s->gain;
	p->mute = s->mute;
	p->gate_force_open = s->gate_open;
	p->enabled[FOH_STAGE_GATE] = s->gate_enabled;
	p->enabled[FOH_STAGE_COMP] = s->comp_enabled;
	p->enabled[FOH_STAGE_EQ] = s->eq_enabled;
	p->enabled[FOH_STAGE_LIMITER] = s->limiter_enabled;
	p->gate.open_db = (float)s->gate_threshold;
	p->gate.close_db = (float)s->gate_threshold - 6.0f;
	p->gate.range_db = (float)s->gate_range;
	p->gate.attack_ms = (float)s->gate_attack;
	p->gate.hold_ms = (float)s->gate_hold;
	p->gate.release_ms = (float)s->gate_release;
	p->comp.threshold_db = (float)s->comp_threshold;
	p->comp.ratio = (float)s->comp_ratio;
	p->comp.knee_db = (float)s->comp_knee;
	p->comp.attack_ms = (float)s->comp_attack;
	p->comp.release_ms = (float)s->comp_release;
	p->comp.makeup_db = (float)s->comp_makeup;
	p->eq.hpf_on = s->eq_highpass > 0.0;
	p->eq.hpf_freq = s->eq_highpass > 0.0 ? (float)s->eq_highpass : 20.0f;
	p->eq.hpf_q = 0.707f;
	for (int i = 0; i < FOH_EQ_USER_BANDS && i < FOH_EQ_BANDS; i++) {
		p->eq.band[i].on = s->eq_band[i].gain != 0.0;
		p->eq.band[i].filter.type = band_types[i];
		p->eq.band[i].filter.freq = (float)s->eq_band[i].freq;
		p->eq.band[i].filter.q = (float)s->eq_band[i].q;
		p->eq.band[i].filter.gain_db = (float)s->eq_band[i].gain;
	}
	p->limiter.ceiling_db = (float)s->limiter_ceiling;
	p->limiter.release_ms = (float)s->limiter_release;
	p->limiter.true_peak = s->limiter_true_peak;
	p->enabled[FOH_STAGE_CHORUS] = s->chorus_enabled;
	p->chorus.rate_hz = (float)s->chorus_rate;
	p->chorus.depth_ms = (float)s->chorus_depth;
	p->chorus.voices = s->chorus_voices;
	p->chorus.mix = (float)(s->chorus_mix / 100.0);
	p->chorus.spread = 1.0f;
	p->enabled[FOH_STAGE_DELAY] = s->delay_enabled;
	p->delay.time_ms = (float)s->delay_time;
	p->delay.feedback = (float)(s->delay_feedback / 100.0);
	p->delay.mix = (float)(s->delay_mix / 100.0);
	p->delay.highcut_hz = s->delay_high_cut >= 20000.0 ? 0.0f : (float)s->delay_high_cut;
	p->delay.pingpong = s->delay_ping_pong;
	p->enabled[FOH_STAGE_REVERB] = s->reverb_enabled;
	p->reverb.mix = (float)(s->reverb_mix / 100.0);
	p->reverb.decay_s = (float)s->reverb_decay;
	p->reverb.predelay_ms = (float)s->reverb_pre_delay;
	p->reverb.damping = (float)s->reverb_damping;
	p->reverb.size = (float)s->reverb_size;
	p->enabled[FOH_STAGE_WIDTH] = true;
	p->width.width = (float)(s->width / 100.0);
	p->enabled[FOH_STAGE_LEVELER] = s->leveler_enabled;
	p->leveler.target_lufs = (float)s->leveler_target;
	p->leveler.max_boost_db = (float)s->leveler_max_boost;
	p->leveler.max_cut_db = (float)s->leveler_max_cut;
	p->leveler.scene_lu = (float)s->leveler_scene;
	p->leveler.calm_s = (float)s->leveler_calm;
	p->leveler.gate_lufs = (float)s->leveler_gate;
	p->leveler.lookahead_s = (float)s->leveler_lookahead;
	p->leveler.lookahead_scene_lu = (float)s->leveler_lookahead_scene;
	p->leveler.quieter_s = (float)s->leveler_quieter;
	p->leveler.moderate_lu = (float)s->leveler_moderate;
}
