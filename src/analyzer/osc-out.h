/* The analyzer's OSC feature stream: /audio/meta, /audio/lmh, /audio/fft,
 * /audio/onset/{low,mid,high}, /audio/bpm, and /audio/lmh_raw to the
 * destinations that ask for it (the "lmh-raw" option), serialised with liblo and sent
 * from one UDP socket per destination (bound to the local address that routes
 * there), in the feature server's wire format. Used from the
 * analyzer's worker thread only (never the RT thread); a send that fails is
 * counted, never waited on (a destination without a route is tried again a
 * second later), so an unreachable destination stalls
 * nothing. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analyzer/settings.h"

struct foh_osc_out;

/* Parses a validated "ip:port, ip:port" list. */
int foh_osc_out_new(const char *destinations, struct foh_osc_out **out);
void foh_osc_out_free(struct foh_osc_out *o);
unsigned foh_osc_out_count(const struct foh_osc_out *o);
/* Some destination has one of these FOH_OSC_DEST_* options. */
bool foh_osc_out_wants(const struct foh_osc_out *o, unsigned options);

/* Each returns the number of destinations that failed. */
unsigned foh_osc_send_meta(struct foh_osc_out *o, int32_t rate, int32_t block, int32_t bins,
		const float edges[6]);
unsigned foh_osc_send_lmh(struct foh_osc_out *o, const float lmh[3]);
/* To the "lmh-raw" destinations only. */
unsigned foh_osc_send_lmh_raw(struct foh_osc_out *o, const float raw[3]);
/* To every destination (everyone: send-fft is on) or to the "fft" ones. */
unsigned foh_osc_send_fft(struct foh_osc_out *o, const float *bins, uint32_t n, bool everyone);
unsigned foh_osc_send_onset(struct foh_osc_out *o, enum foh_band band);
unsigned foh_osc_send_bpm(struct foh_osc_out *o, float bpm);
