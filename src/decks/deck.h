/* The decks in the PipeWire graph: one playback stream, foh.decks, whose
 * process callback plays every deck (a .. d) from its ring (decks/ring.h),
 * through its kill EQ and gain, the crossfader for a and b (unless it is
 * off), into one
 * stereo mix that goes to the configured sink.
 *
 * Why one node for all decks rather than a stream per deck: a group start
 * must land every deck's first sample on the same graph sample. Inside
 * one process callback that is a matter of starting them in the same
 * cycle at the same offset (they are; see foh_decks_start), with no
 * dependence on how the graph schedules separate nodes, and the
 * crossfader is a plain per-sample gain. Each deck keeps its own D-Bus
 * object (org.foh.Foh1.Deck at /org/foh/Foh1/deck/a ...).
 *
 * Main thread: create, connect (target sink) / disconnect, parameters,
 * start/stop, readings. Data thread: the process callback only; it reads
 * the rings, never allocates, locks or logs. Parameters reach it through
 * non-blocking pw_loop_invoke; readings leave through atomics. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "channel/channel.h"
#include "decks/ring.h"
#include "dsp/killeq.h"

#define FOH_DECKS_MAX	4

struct pw_core;
struct pw_loop;
struct foh_decks;

struct foh_deck_rt_params {
	float gain_db;			/* <= -80: silent */
	struct foh_killeq_params eq;
};

struct foh_deck_status {
	bool playing;
	bool ended;			/* a track that does not loop ran out */
	bool starting;			/* a start waits for the ring to prime */
	double position;		/* track seconds */
	uint64_t underruns;
};

int foh_decks_new(uint32_t count, struct foh_xrun_counter *xruns, struct foh_decks **out);
void foh_decks_free(struct foh_decks *m);
struct foh_deck_ring *foh_decks_ring(struct foh_decks *m, uint32_t deck);

int foh_decks_connect(struct foh_decks *m, struct pw_core *core, struct pw_loop *data_loop,
		const char *output);
void foh_decks_disconnect(struct foh_decks *m);
bool foh_decks_connected(const struct foh_decks *m);
/* The foh.decks node is made inactive (in the graph, linked, not
 * scheduled) and runs only while a deck plays or starts — foh_decks_start
 * makes it active at once — and 2 s after the last one stopped. Call
 * foh_decks_update_active periodically (main thread). */
void foh_decks_update_active(struct foh_decks *m);
bool foh_decks_active(const struct foh_decks *m);
/* The negotiated rate, 0 until known. */
uint32_t foh_decks_rate(const struct foh_decks *m);

int foh_decks_set(struct foh_decks *m, uint32_t deck, const struct foh_deck_rt_params *p);
/* Starts every deck of mask (bit i = deck i) on the same sample, in the
 * first cycle where each has gen[i] (decks/ring.h primed_gen) primed. */
int foh_decks_start(struct foh_decks *m, uint32_t mask, const uint32_t gen[FOH_DECKS_MAX]);
int foh_decks_stop(struct foh_decks *m, uint32_t deck);
/* Crossfader 0 (a only) .. 1 (b only), equal power, reached over seconds. */
int foh_decks_crossfade(struct foh_decks *m, double position, double seconds);
/* Off: a and b play at their gain alone (the change is spread over a cycle). */
int foh_decks_set_crossfader_enabled(struct foh_decks *m, bool on);
/* Deck's gain from where it is heard now to gain_db over seconds, linear in
 * amplitude; a later foh_decks_set with another gain_db ends the ramp. */
int foh_decks_fade_gain(struct foh_decks *m, uint32_t deck, double gain_db, double seconds);
double foh_decks_crossfader(const struct foh_decks *m);

void foh_decks_status(struct foh_decks *m, uint32_t deck, struct foh_deck_status *s);
void foh_decks_stats(struct foh_decks *m, uint64_t *busy_ns, uint64_t *cycle_ns);
