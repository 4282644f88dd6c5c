/* A channel strip in the PipeWire graph: a capture stream and a playback
 * stream in one link group, in the style of module-loopback, with the strip
 * of strip.h running in the capture stream's process callback.
 *
 * Main thread: create, connect/disconnect (when PipeWire comes and goes),
 * apply settings, start a test tone, read levels and timing statistics.
 * Data thread: the process callback only. Parameters reach it through
 * non-blocking pw_loop_invoke (the block is copied into the loop's queue);
 * levels and timing leave it through a spa_ringbuffer and atomics. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "channel/settings.h"
#include "channel/strip.h"

struct pw_core;
struct foh_content_tap;
struct pw_loop;
struct foh_channel;

/* Shared by every channel: a graph cycle in which foh's own processing ran
 * past the cycle's deadline counts once, however many channels were late
 * in it. A cycle that reached foh already past its deadline (the driver
 * woke late, or an upstream node was slow) is not foh's xrun: PipeWire
 * counts those itself. */
struct foh_xrun_counter {
	atomic_uint_fast64_t xruns;
	atomic_uint_fast64_t last_cycle;	/* clock.position + 1 of the last one */
};

struct foh_channel_stats {
	uint64_t busy_ns;	/* time spent in the process callback */
	uint64_t cycle_ns;	/* length of the cycles it ran in */
	uint64_t dropped_levels;
	uint64_t xruns;		/* cycles this channel itself ran past the deadline */
};

int foh_channel_new(uint32_t index, const struct foh_channel_settings *s,
		struct foh_xrun_counter *xruns, struct foh_channel **out);
void foh_channel_free(struct foh_channel *ch);

/* Creates the two streams on core; their process runs on data_loop.
 * input_is_sink: the Input names a sink, whose monitor is captured
 * (stream.capture.sink); else a source or a stream's output is.
 * passive: the playback is node.passive — its links keep no driver
 * running, and so neither do the links of whatever captures it. */
int foh_channel_connect(struct foh_channel *ch, struct pw_core *core, struct pw_loop *data_loop,
		bool input_is_sink, bool passive);
void foh_channel_disconnect(struct foh_channel *ch);
bool foh_channel_is_connected(const struct foh_channel *ch);
/* What the streams were made with (foh_channel_connect's input_is_sink). */
bool foh_channel_input_is_sink(const struct foh_channel *ch);
bool foh_channel_is_passive(const struct foh_channel *ch);
/* The PipeWire ids of the capture and playback nodes; SPA_ID_INVALID
 * until PipeWire has made them. */
uint32_t foh_channel_capture_node(const struct foh_channel *ch);
uint32_t foh_channel_playback_node(const struct foh_channel *ch);
/* The playback stream runs: something (its output) is linked to it. */
bool foh_channel_playback_streaming(const struct foh_channel *ch);

/* Playback channels the settings want: 2 for a stereo channel, and for a
 * mono one with reverb, chorus, width other than 100 % or a ping-pong
 * delay on; else 1. */
uint32_t foh_channel_outputs_wanted(const struct foh_channel_settings *s);

/* Applies settings that need no new streams (everything but input, output
 * and audio channels) live and click-free. The one exception: the first
 * stereo effect on a mono channel makes its playback stream anew with two
 * channels (a short gap while WirePlumber links it); it stays stereo when
 * the effects go off, until the channel's streams are made again. */
int foh_channel_apply(struct foh_channel *ch, const struct foh_channel_settings *s);
/* The tempo delay-sync follows (BPM; 0 = unknown, delay-time applies).
 * Moves of under 0.5 BPM are ignored, so a wavering estimate does not keep
 * the delay crossfading. */
void foh_channel_set_tempo(struct foh_channel *ch, double bpm);
/* Whether the strip meters its input's loudness (levels' lufs_m_in, what
 * a loop riding the channel's trim reads); off by default, as nothing else
 * reads it. Switched on, the reading starts afresh. */
void foh_channel_meter_input(struct foh_channel *ch, bool on);
/* The next levels the data thread publishes also write 1 to the eventfd
 * fd (once: arm again for the next). Main thread. */
void foh_channel_arm_wake(struct foh_channel *ch, int fd);
/* Levels are waiting for foh_channel_poll_levels. */
bool foh_channel_levels_pending(struct foh_channel *ch);
const struct foh_channel_settings *foh_channel_settings(const struct foh_channel *ch);

int foh_channel_play_tone(struct foh_channel *ch, double hz, double seconds, double level_dbfs);

/* Drains the levels the data thread published; false when none were new. */
bool foh_channel_poll_levels(struct foh_channel *ch, struct foh_strip_levels *out);
void foh_channel_stats(struct foh_channel *ch, struct foh_channel_stats *out);
uint32_t foh_channel_index(const struct foh_channel *ch);
/* The negotiated rate, 0 until known. */
uint32_t foh_channel_rate(const struct foh_channel *ch);
/* Where the process callback leaves the input for the content detector
 * (content/tap.h); lives as long as the channel. */
struct foh_content_tap *foh_channel_content_tap(struct foh_channel *ch);
uint32_t foh_channel_latency(const struct foh_channel *ch);

/* Maps channel settings to strip parameters (pure). */
void foh_channel_strip_params(const struct foh_channel_settings *s, struct foh_strip_params *p);
