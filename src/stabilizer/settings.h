/* Settings of the level stabilizer, as [stabilizer] keys and properties of
 * org.foh.Foh1.Stabilizer. The loop's knobs (stabilizer/loop.h: foh_stab_knobs)
 * are the single source of their keys, ranges and defaults; this adds what
 * the daemon needs around them.
 *
 * Keys of [stabilizer]:
 *   enabled        ride the fader                                    (false)
 *   source         "x32" (the X32 meter of output) or "channel/N"
 *                  (that foh channel's short-term loudness)          ("x32")
 *   output         an X32 id (bus1..bus16, mtx1..mtx6, main_st), or
 *                  "channel/N": local mode, that channel's RT leveler
 *                  at target-db (its Gain untouched)                 ("bus1")
 *   mode           two-speed | single | leveler (the channel leveler's
 *                  controller on the meter, stabilizer/loop.h)      (two-speed)
 *   meter-point    pre | post: whether the X32 meter reads before or after
 *                  the fader it rides (unused in local mode)         (pre)
 *   target-db, slew-db, fast-tau-s, slow-tau-s, smoothing, scene-threshold-db,
 *   scene-deadband-db, scene-slew-db, deadband-db, far-db, far-slew-factor,
 *   silence-db, silence-hold-s, fader-min-db, fader-max-db, interval-s,
 *   pause-s, moderate-step-db (mode leveler: leveler-moderate on the
 *                  desk's meter) the loop's knobs, with the ranges in
 *                  stabilizer/loop.c
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/params.h"
#include "stabilizer/loop.h"

struct foh_stabilizer_settings {
	bool enabled;
	char source[32];
	char output[32];
	char mode[16];
	char meter_point[8];
	struct foh_stab_params p;	/* the doubles; mode and meter point from the strings */
};

/* The table (built once from the knobs): key, D-Bus property, range. */
const struct foh_param *foh_stabilizer_params(size_t *n);

void foh_stabilizer_settings_defaults(struct foh_stabilizer_settings *s);
/* Checks what single keys cannot (names, cross-knob rules) and fills
 * s->p.mode and s->p.meter_point; reason (free()) on failure. */
int foh_stabilizer_settings_check(struct foh_stabilizer_settings *s, char **reason);
