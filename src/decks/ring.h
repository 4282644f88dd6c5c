/* The hand-off between a deck's loader thread (the only writer) and the
 * data thread (the only reader): a spa_ringbuffer of interleaved stereo
 * float frames at the graph rate, written in whole blocks of
 * FOH_DECK_BLOCK frames, each with a mark: the track position it starts
 * at and whether it lies past the end of a track that does not loop.
 *
 * Flush: the reader is the only one to move the read index, so a flush
 * (seek, new track, new stretch method) is a request: the loader bumps
 * flush_req and stops writing; the data thread, at its next cycle, skips
 * to the write index and answers with flush_ack = flush_req. While the
 * graph does not run the deck (disconnected), the main thread answers for
 * it (foh_deck_ring_flush_idle), after making sure no cycle is in flight.
 *
 * flush_stops: the flush comes with a new track, which does not start by
 * itself: a deck playing the old one stops (after a seek it restarts).
 *
 * primed_gen: the loader's command generation (load, cue, seek) whose
 * first frames are in the ring, enough of them to start without running
 * dry; a start waits for it. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <spa/utils/ringbuffer.h>

#define FOH_DECK_BLOCK		256u
#define FOH_DECK_RING_FRAMES	8192u		/* power of two, ~170 ms at 48 kHz */
#define FOH_DECK_MARKS		(FOH_DECK_RING_FRAMES / FOH_DECK_BLOCK)

struct foh_deck_ring {
	struct spa_ringbuffer rb;		/* indices count frames */
	float data[FOH_DECK_RING_FRAMES * 2];
	double mark_pos[FOH_DECK_MARKS];	/* track seconds at the block's start */
	bool mark_end[FOH_DECK_MARKS];		/* past the end of the track */
	atomic_uint flush_req, flush_ack;
	atomic_bool flush_stops;
	atomic_uint primed_gen;
};

static inline void foh_deck_ring_init(struct foh_deck_ring *r)
{
	spa_ringbuffer_init(&r->rb);
	atomic_init(&r->flush_req, 0);
	atomic_init(&r->flush_ack, 0);
	atomic_init(&r->flush_stops, false);
	atomic_init(&r->primed_gen, 0);
}

/* Reader side (data thread, or the main thread while the graph is idle). */
static inline bool foh_deck_ring_service_flush(struct foh_deck_ring *r)
{
	unsigned req = atomic_load_explicit(&r->flush_req, memory_order_acquire);
	uint32_t w;

	if (req == atomic_load_explicit(&r->flush_ack, memory_order_relaxed))
		return false;
	w = __atomic_load_n(&r->rb.writeindex, __ATOMIC_ACQUIRE);
	spa_ringbuffer_read_update(&r->rb, w);
	atomic_store_explicit(&r->flush_ack, req, memory_order_release);
	return true;
}
