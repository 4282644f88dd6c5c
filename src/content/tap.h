/* A content tap: where a channel's process callback leaves its input,
 * downmixed to mono, for the content detector's worker (detector.h). One
 * writer (the data thread), one reader (the worker): a spa_ringbuffer. The
 * writer never blocks: when the ring is full the block is dropped and
 * counted, the reader is never moved. Header-only so the RT side needs
 * nothing but this. */
#pragma once

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/ringbuffer.h>

#include "dsp/dsp-util.h"

#define FOH_CONTENT_TAP_SAMPLES	(1u << 15)	/* 0.68 s at 48 kHz; power of two */

struct foh_content_tap {
	atomic_bool on;			/* main thread sets; the writer reads */
	struct spa_ringbuffer ring;
	atomic_uint_fast64_t drops;
	float data[FOH_CONTENT_TAP_SAMPLES];
};

static inline void foh_content_tap_init(struct foh_content_tap *t)
{
	atomic_store(&t->on, false);
	spa_ringbuffer_init(&t->ring);
	atomic_store(&t->drops, 0);
}

/* Data thread: appends the mean of chans planar channels, n frames (the
 * input as it came: before the strip's scrub, which works on its copy). */
static inline void foh_content_tap_push(struct foh_content_tap *t, const float *const *src,
		uint32_t chans, uint32_t n)
{
	uint32_t idx, off;
	int32_t filled;
	float gain = chans > 1 ? 1.0f / (float)chans : 1.0f;

	if (!atomic_load_explicit(&t->on, memory_order_relaxed))
		return;
	filled = spa_ringbuffer_get_write_index(&t->ring, &idx);
	if (filled < 0 || (uint32_t)filled + n > FOH_CONTENT_TAP_SAMPLES) {
		atomic_fetch_add_explicit(&t->drops, 1, memory_order_relaxed);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		float s = src[0][i];
		for (uint32_t c = 1; c < chans; c++)
			s += src[c][i];
		off = (idx + i) & (FOH_CONTENT_TAP_SAMPLES - 1);
		/* no audio (NaN, inf, beyond +96 dBFS: foh_dsp_scrub's rule)
		 * is silence to the detector too */
		t->data[off] = fabsf(s) < FOH_DSP_SANE ? s * gain : 0.0f;
	}
	spa_ringbuffer_write_update(&t->ring, idx + n);
}
