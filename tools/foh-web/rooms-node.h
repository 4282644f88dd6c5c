/* rooms-node: a publisher's PipeWire source node (foh.room.<id>.<peer>),
 * fed with decoded audio by one writer thread, read by the graph with a
 * bounded backlog.
 *
 * Why not GStreamer's pipewiresink: it queues whole GStreamer buffers
 * (a 20 ms Opus frame each) in its stream and never drops any, so what
 * piles up during a hiccup (a late packet burst, a busy CPU, the link
 * being made) stays as delay for good: 50 to 100 ms measured between
 * foh-web's decoder and the node (bench rooms-latency with its taps).
 * Here each graph cycle takes exactly the frames it asks for from a ring;
 * what stayed in the ring after every read for a quarter second is backlog
 * (a burst's excess is read before that) and is skipped, oldest first, down
 * to RM_NODE_SLACK_MS. */
#pragma once

#include <stdint.h>

/* Standing backlog kept: a margin for packets arriving late. */
#define RM_NODE_SLACK_MS	5u

struct rm_node;

/* A stereo F32 48 kHz Audio/Source node named name (also its description);
 * NULL when PipeWire is not there. */
struct rm_node *rm_node_new(const char *name);
/* Interleaved stereo frames; one writer thread at a time. What does not fit
 * (the graph is not running the node) is dropped. */
void rm_node_write(struct rm_node *n, const float *frames, uint32_t n_frames);
/* Frames skipped to bound the backlog, and frames of silence played for
 * want of audio, so far. */
void rm_node_counts(struct rm_node *n, uint64_t *skipped, uint64_t *silent);
void rm_node_free(struct rm_node *n);
