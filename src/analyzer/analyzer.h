/* The analyzer in the PipeWire graph: a capture stream foh.analyzer (the
 * source downmixed to mono by PipeWire), L/M/H, onsets and tempo in its
 * process callback, the log FFT and every OSC send on a worker thread.
 *
 * Threads: main (create, connect, apply settings, hand over FFT plans and
 * OSC destinations, read statistics); data (the process callback: L/M/H and
 * onsets, then two rings and an eventfd wake-up — no lock, no allocation);
 * worker (drains the rings, sends /audio/lmh at once, runs FFT hops, sends
 * /audio/fft, onsets, tempo and meta). Main and worker share a mailbox
 * behind a mutex; the data thread never takes it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/settings.h"

struct pw_core;
struct pw_loop;
struct foh_analyzer;

struct foh_analyzer_stats {
	uint64_t ring_drops;		/* records or samples the worker could not take */
	uint64_t osc_failures;		/* sends that failed */
	uint64_t blocks, hops, skipped_hops;
	double lmh_ns_per_block;	/* in the process callback */
	double fft_ns_per_hop;		/* on the worker */
	float lmh[3];			/* the last values */
	float bpm;
};

int foh_analyzer_new(const struct foh_analyzer_settings *s, struct foh_analyzer **out);
void foh_analyzer_free(struct foh_analyzer *a);

/* source_is_sink: the Source names a sink, whose monitor is captured
 * (stream.capture.sink). */
int foh_analyzer_connect(struct foh_analyzer *a, struct pw_core *core, struct pw_loop *data_loop,
		bool source_is_sink);
/* What the stream was made with; false when there is none. */
bool foh_analyzer_source_is_sink(const struct foh_analyzer *a);
bool foh_analyzer_connected(const struct foh_analyzer *a);
/* The stream is made inactive (in the graph, linked, not scheduled) unless
 * set active; fohd makes it active while someone uses what it computes
 * (analyzer/service.c). Kept across reconnections. */
void foh_analyzer_set_active(struct foh_analyzer *a, bool active);
bool foh_analyzer_active(const struct foh_analyzer *a);
/* Whether its settings name a destination it sends to (not "idle"). */
bool foh_analyzer_sends_osc(const struct foh_analyzer *a);
void foh_analyzer_disconnect(struct foh_analyzer *a);

/* Applies new settings: DSP live, FFT geometry by a new plan, destinations
 * by new addresses, the source by a new stream. Validated by the caller. */
int foh_analyzer_apply(struct foh_analyzer *a, const struct foh_analyzer_settings *s);
const struct foh_analyzer_settings *foh_analyzer_settings(const struct foh_analyzer *a);
void foh_analyzer_stats(struct foh_analyzer *a, struct foh_analyzer_stats *out);
uint32_t foh_analyzer_rate(const struct foh_analyzer *a);

/* The target.object a source setting names ("channel/N" → foh.chN.playback). */
void foh_analyzer_source_target(const char *source, char *target, size_t len);
