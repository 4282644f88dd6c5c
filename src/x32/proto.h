/* Behringer X32 OSC protocol, pure (no sockets, no liblo): the fader law
 * and its 1024 steps, output ids and their OSC addresses, a strict parser
 * of /meters/N packets and a parser of /node text replies (every datagram
 * is first checked by osc/validate.h).
 *
 * Fader law, f = step / 1023 (REFERENCE.md, "Behringer X32 OSC"):
 *   f >= 0.5      dB = 40 f - 30     (-10 .. +10)
 *   f >= 0.25     dB = 80 f - 50     (-30 .. -10)
 *   f >= 0.0625   dB = 160 f - 70    (-60 .. -30)
 *   f >  0        dB = 480 f - 90    (-90 .. -60)
 *   f == 0        -inf
 * A dB request maps to the step nearest in dB; requests at or below -90 dB
 * (where the lowest segment reaches f = 0) and -inf map to step 0.
 *
 * Meter packets: address "/meters/N" NUL-padded to 12 bytes, type tag ",b"
 * padded to 4, the blob size as a big-endian int32 (= 4 + 4 count), then,
 * inside the blob, a little-endian int32 count and count little-endian
 * float32 values (linear, 1.0 = 0 dBFS, at most 8.0). /meters/2: 0-15 bus
 * 1-16, 16-21 matrix 1-6, 22-23 main L/R, 24 mono, 25-48 dynamics gains.
 *
 * foh_osc_validate() exists because liblo 0.31 reads past the end of some
 * malformed datagrams: run it on every received datagram before liblo sees
 * the bytes. It accepts exactly the OSC 1.0 types i f s b h t d S c r m T F
 * N I, NUL padding, blobs inside the packet and bundles nested at most 8
 * deep. Everything it accepts liblo 0.31 parses too (tests/x32 checks this
 * on 200000 fuzzed datagrams), except 'r' (RGBA), which liblo refuses.
 * Everything here reads only inside the buffer it is given. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FOH_X32_PORT		10023
#define FOH_X32_FADER_STEPS	1024
#define FOH_X32_FADER_MAX_DB	10.0
#define FOH_X32_FADER_OFF_DB	-90.0	/* the law reaches f = 0 here */
#define FOH_X32_METER_MAX	8.0f	/* linear, +18 dBFS */
#define FOH_X32_METERS2_COUNT	49
#define FOH_X32_METERS_MAX_COUNT 96	/* the largest set, /meters/1 */

/* Fader law. f outside [0, 1] is clamped; NaN gives NaN. */
double foh_x32_fader_to_db(double f);
/* Inverse law, unquantized, clamped to [0, 1]; -inf and <= -90 give 0. */
double foh_x32_db_to_fader(double db);
/* The step (0..1023) nearest in dB to a request, clamped to the fader's
 * range; -EINVAL for NaN. */
int foh_x32_db_to_step(double db);
/* The step nearest to a received fader float (clamped); -EINVAL if the
 * float is not finite. */
int foh_x32_fader_to_step(double f);
/* dB of a step, -inf for step 0; steps outside 0..1023 are clamped. */
double foh_x32_step_to_db(int step);
/* The float sent for a step: step / 1023. */
float foh_x32_step_to_fader(int step);
/* Linear meter value to dBFS: 0 (and below) is -inf. */
double foh_x32_meter_to_db(float v);

enum foh_x32_kind {
	FOH_X32_CH,		/* ch1..ch32 */
	FOH_X32_BUS,		/* bus1..bus16 */
	FOH_X32_MTX,		/* mtx1..mtx6 */
	FOH_X32_MAIN_ST,	/* main_st */
	FOH_X32_MAIN_M,		/* main_m */
};

struct foh_x32_output {
	enum foh_x32_kind kind;
	unsigned int num;	/* 1-based for ch/bus/mtx, 0 for main */
};

enum foh_x32_param {
	FOH_X32_FADER,		/* .../mix/fader, float 0..1 */
	FOH_X32_ON,		/* .../mix/on, int 1 = on */
	FOH_X32_NAME,		/* .../config/name, string */
};

/* Parses an output id: "bus1".."bus16", "mtx1".."mtx6", "main_st",
 * "main_m", "ch1".."ch32"; a bare "1".."16" is a bus (the original's
 * LIVESTREAM_BUS_NUMBER). No leading zeros, no spaces. -EINVAL otherwise;
 * *o untouched on failure. */
int foh_x32_output_parse(const char *id, struct foh_x32_output *o);
/* True for the outputs the stabilizer may ride: bus, mtx, main_st. */
bool foh_x32_output_ridable(const struct foh_x32_output *o);
/* An id naming a ridable output (bus1..16, mtx1..6, main_st); unlike
 * foh_x32_output_parse() a bare number is not taken as a bus. -EINVAL
 * otherwise. */
int foh_x32_ridable_parse(const char *id, struct foh_x32_output *o);
/* The canonical id ("bus5"). Returns its length, -EINVAL for an invalid
 * output, -ENOSPC when size is too small. */
int foh_x32_output_id(const struct foh_x32_output *o, char *buf, size_t size);
/* "/bus/05/mix/fader", "/main/st/mix/on", "/ch/12/config/name", ... Returns
 * the length, -EINVAL or -ENOSPC. */
int foh_x32_output_address(const struct foh_x32_output *o,
		enum foh_x32_param param, char *buf, size_t size);
/* The reverse of foh_x32_output_address(); -EINVAL for anything else. */
int foh_x32_address_parse(const char *addr, struct foh_x32_output *o,
		enum foh_x32_param *param);
/* The output's level in /meters/2 (main_st: the louder of L and R), or
 * -ENOENT for channels, -EINVAL when n is too short for the index. */
int foh_x32_meters2_level(const float *values, size_t n,
		const struct foh_x32_output *o, float *level);

enum foh_x32_meter_reason {
	FOH_X32_METER_OK,
	FOH_X32_METER_TRUNCATED,	/* shorter than the layout requires */
	FOH_X32_METER_OVERSIZED,	/* bytes after the blob */
	FOH_X32_METER_BAD_ADDRESS,	/* not "/meters/N", or bad padding */
	FOH_X32_METER_BAD_TYPETAG,	/* not ",b" */
	FOH_X32_METER_BAD_BLOB_SIZE,	/* blob size != 4 + 4 count */
	FOH_X32_METER_BIG_ENDIAN_COUNT,	/* the count reads right only big-endian */
	FOH_X32_METER_WRONG_COUNT,	/* not the set's number of values */
	FOH_X32_METER_NOT_FINITE,	/* a NaN or infinite value */
	FOH_X32_METER_NEGATIVE,		/* a value below 0 */
	FOH_X32_METER_TOO_LOUD,		/* a value above 8.0 (+18 dBFS) */
	FOH_X32_METER_UNKNOWN_SET,	/* set not one of 0, 1, 2, 3, 5 */
};

const char *foh_x32_meter_reason_str(enum foh_x32_meter_reason r);
/* Values in meter set `set` (0: 70, 1: 96, 2: 49, 3: 22, 5: 27), or
 * -EINVAL for an unknown set. */
int foh_x32_meters_count(unsigned int set);
/* Parses a whole /meters/<set> datagram into values[0..count). Returns the
 * count, or -EBADMSG with *why set (why may be NULL), or -ENOSPC when
 * n_values is too small. values are written only on success. */
int foh_x32_meters_parse(const void *buf, size_t len, unsigned int set,
		float *values, size_t n_values, enum foh_x32_meter_reason *why);
/* The same for the blob's contents alone (count + floats), as liblo hands
 * a 'b' argument over. */
int foh_x32_meters_parse_blob(const void *blob, size_t len, unsigned int set,
		float *values, size_t n_values, enum foh_x32_meter_reason *why);

/* /node replies: one text line, "/path tok tok ...\n"; tokens are
 * separated by spaces, a token in double quotes may hold spaces. */
#define FOH_X32_NODE_MAX_TOKENS	16
#define FOH_X32_NODE_TOKEN_LEN	64

struct foh_x32_node {
	char path[FOH_X32_NODE_TOKEN_LEN];
	unsigned int n_tokens;
	char token[FOH_X32_NODE_MAX_TOKENS][FOH_X32_NODE_TOKEN_LEN];
};

/* Parses at most len bytes of line (stops at NUL or newline). -EINVAL when
 * the path does not start with '/' or a quote is unterminated, -E2BIG for
 * too many or too long tokens; *n untouched on failure. */
int foh_x32_node_parse(const char *line, size_t len, struct foh_x32_node *n);
/* A level token: "-oo" is -inf, else a number with optional sign. */
int foh_x32_node_level(const char *tok, double *db);
/* For a ".../mix" node: the on switch (ON/OFF) and the fader in dB, the
 * first two tokens. -EINVAL when they do not parse. */
int foh_x32_node_mix(const struct foh_x32_node *n, bool *on, double *fader_db);
