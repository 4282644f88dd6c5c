/* A deck's loader thread: decodes a file (WAV, FLAC, Ogg... through
 * libsndfile) into memory at the graph rate, and keeps the deck's ring
 * (decks/ring.h) filled ~85 ms ahead through the tempo stage:
 *
 *   rate        libsoxr variable-rate resampling (SOXR_VR): varispeed,
 *               pitch follows tempo; ratio changes slew over a block.
 *   rubberband  librubberband in real-time mode: tempo without pitch
 *               change. Its start delay is compensated (the stretcher is
 *               primed with its preferred start pad and the first
 *               start-delay frames of output are dropped), so a deck
 *               starts on its cue point whatever the method.
 *
 * The tempo ratio (0.5 .. 2, > 1 faster) glides towards a new value at
 * most RATIO_STEP per block so that it never clicks.
 *
 * Nothing here runs on the data thread. The main thread gives commands
 * (a mailbox under a mutex the data thread never sees) and learns of a
 * finished load through notify_fd (an eventfd it polls) and
 * foh_deck_loader_take_result. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "decks/ring.h"

enum foh_deck_method {
	FOH_DECK_METHOD_RATE,
	FOH_DECK_METHOD_RUBBERBAND,
};

struct foh_deck_loader;

struct foh_deck_load_result {
	uint32_t gen;
	int error;		/* 0 or negative errno */
	char message[256];	/* why it failed */
	double duration;	/* seconds, on success */
};

/* Checks on the calling thread that path is a file libsndfile can decode
 * (header, format, length); on failure a negative errno (-ENOENT for a
 * missing file) and *why (free()). */
int foh_deck_probe(const char *path, double *duration, char **why);

int foh_deck_loader_new(char letter, struct foh_deck_ring *ring, int notify_fd,
		struct foh_deck_loader **out);
void foh_deck_loader_free(struct foh_deck_loader *l);

/* Each returns the command's generation (see decks/ring.h primed_gen). */
uint32_t foh_deck_loader_load(struct foh_deck_loader *l, const char *path, double start_sec,
		uint32_t rate);
uint32_t foh_deck_loader_seek(struct foh_deck_loader *l, double seconds);
/* The generation whose data the ring will hold once primed. */
uint32_t foh_deck_loader_gen(struct foh_deck_loader *l);

void foh_deck_loader_set_ratio(struct foh_deck_loader *l, double ratio);
/* Takes effect at the next load or seek. */
void foh_deck_loader_set_method(struct foh_deck_loader *l, enum foh_deck_method m);
void foh_deck_loader_set_loop(struct foh_deck_loader *l, bool loop);
/* While false the loader empties the ring itself on a flush (no cycle
 * reads it); set false only once no cycle is in flight. */
void foh_deck_loader_set_graph_running(struct foh_deck_loader *l, bool running);

bool foh_deck_loader_take_result(struct foh_deck_loader *l, struct foh_deck_load_result *r);
/* The stretch's own delay (seconds), compensated at every start. */
double foh_deck_loader_latency(struct foh_deck_loader *l);
bool foh_deck_loader_loaded(struct foh_deck_loader *l);
