/* DSP self-check (Mission Control): runs known signals through the blocks
 * and compares what comes out with what their own formulas predict.
 * - Compressor: a 1 s, 1 kHz sine at -12 dBFS peak, 48 kHz stereo, must come
 *   out, over its last 0.5 s, at the RMS predicted by
 *   foh_comp_static_gain_db() applied to the detector level (the input RMS
 *   for RMS detection, the input peak for peak detection), within 0.3 dB.
 * - Limiter: a 1 s, 1 kHz, 0 dBFS sine must peak at or under the ceiling.
 * No allocation: buffers live on the stack (about 20 KiB). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "comp.h"
#include "limiter.h"

#define FOH_SELFCHECK_COMP_TOL_DB	0.3

/* Processes with run, predicts with expect (the same set for a real check;
 * tests pass a different one to prove the check can fail). Writes one line
 * with measured and expected values. */
bool foh_selfcheck_comp(const struct foh_comp_params *run,
		const struct foh_comp_params *expect, char *line, size_t len);
bool foh_selfcheck_limiter(const struct foh_limiter_params *run,
		float expect_ceiling_db, char *line, size_t len);

/* Both checks with the Mission Control settings (compressor -20 dBFS, 2:1,
 * 10/100 ms, default knee; limiter -3 dBFS, 8 ms release). report gets one
 * line per check. True when all pass. */
bool foh_dsp_self_check(char *report, size_t len);
