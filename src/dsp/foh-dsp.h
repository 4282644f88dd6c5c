/* Umbrella header for the pure C DSP blocks (no PipeWire, sd-bus or GLib).
 * Every block has the same shape: foh_X_init(s, rate), foh_X_set(s, params),
 * foh_X_run(s, inl, inr, outl, outr, n) with n <= FOH_DSP_MAX_FRAMES (mono
 * when the right channel pointers are NULL; meters take inputs only) and
 * foh_X_reset(s). State is a plain struct; nothing allocates, except the effects
 * (chorus, delay, reverb), whose init allocates their rings and returns 0
 * or -ENOMEM, and whose foh_X_free releases them; their run never
 * allocates. */
#pragma once

#include "dsp-util.h"
#include "biquad.h"
#include "eq.h"
#include "gate.h"
#include "comp.h"
#include "limiter.h"
#include "meter.h"
#include "loudness.h"
#include "selfcheck.h"
#include "chorus.h"
#include "delay.h"
#include "reverb.h"
#include "width.h"
#include "leveler.h"
