/* The X32 client: one UDP socket on fohd's main loop talking OSC to a
 * Behringer X32 (UDP 10023). States: disconnected → connecting (/xinfo
 * sent) → connected (answered) → lost (nothing heard for 5 s; /xinfo
 * every 2 s until it answers, then a full resync and new subscriptions).
 * /xremote and /meters ,si "/meters/2" are renewed every 9 s. Every
 * datagram is checked by foh_osc_validate() and must come from the desk's
 * address before liblo deserialises it; the rest are dropped and counted.
 * Our own fader writes are clamped, quantized to the desk's 1024 steps and
 * reflected locally (the desk does not echo them). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "x32/proto.h"

enum foh_x32_state {
	FOH_X32_DISCONNECTED,
	FOH_X32_CONNECTING,
	FOH_X32_CONNECTED,
	FOH_X32_LOST,
};

struct foh_x32;

struct foh_x32_events {
	void (*state)(void *data, enum foh_x32_state state);
	/* A fader moved: our write (from_desk false) or a desk push. */
	void (*fader)(void *data, const char *id, double db, bool from_desk);
	/* A /meters/2 packet was taken. */
	void (*meters)(void *data);
};

struct foh_x32_stats {
	uint64_t foreign;	/* datagrams from other addresses */
	uint64_t malformed;	/* failed the OSC validator or a meter check */
	uint64_t meters;	/* meter packets taken */
	uint64_t fader_writes;
};

int foh_x32_new(sd_event *event, const struct foh_x32_events *events, void *data,
		struct foh_x32 **out);
void foh_x32_free(struct foh_x32 *x);

/* Starts talking to address; "" disconnects. */
int foh_x32_connect(struct foh_x32 *x, const char *address);
void foh_x32_disconnect(struct foh_x32 *x);

enum foh_x32_state foh_x32_state(const struct foh_x32 *x);
const char *foh_x32_state_name(enum foh_x32_state s);
const char *foh_x32_model(const struct foh_x32 *x);
const char *foh_x32_firmware(const struct foh_x32 *x);
void foh_x32_stats(const struct foh_x32 *x, struct foh_x32_stats *out);

/* The outputs the stabilizer can ride: bus1..16, mtx1..6, main_st. */
size_t foh_x32_n_outputs(void);
int foh_x32_output_at(size_t i, struct foh_x32_output *o);
const char *foh_x32_name(const struct foh_x32 *x, const struct foh_x32_output *o);
/* -ENODATA until the desk told us. */
int foh_x32_fader_db(const struct foh_x32 *x, const struct foh_x32_output *o, double *db);
int foh_x32_on(const struct foh_x32 *x, const struct foh_x32_output *o, bool *on);
/* The output's latest meter level, dBFS; -ENODATA when stale (> 1 s). */
int foh_x32_level_db(const struct foh_x32 *x, const struct foh_x32_output *o, double *db);

/* Writes a fader (clamped, quantized); *applied is the dB it now holds.
 * -ENOTCONN unless connected. */
int foh_x32_set_fader(struct foh_x32 *x, const struct foh_x32_output *o, double db,
		double *applied);

/* Settings backup as JSON: channels 1–32, buses 1–16, matrices 1–6, main. */
char *foh_x32_backup_json(const struct foh_x32 *x);

struct foh_x32_suggestion {
	char id[16];
	char reason[128];
};
/* Outputs worth riding, ordered as the stabilizer seed did: names with
 * "stream" first, then Main ST, buses, matrices, faders above −80 dB. */
size_t foh_x32_routing(const struct foh_x32 *x, struct foh_x32_suggestion *out, size_t max);
