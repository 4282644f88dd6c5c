/* Cue arithmetic of the track-section exporter (foh-sections): where the
 * intro ends, which segment is "the section", the stretch factor to a target
 * BPM and the cue times after stretching. Pure: no I/O, no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A labelled span of a track, seconds from its start (start < end). */
struct sect_segment {
	double start;
	double end;
	char *label;
};

struct sect_cues {
	double ini;		/* end of the last "intro" segment, 0 without one */
	double begin;		/* start of the n-th segment counted from ini */
	double end;		/* end of that segment */
	double speed;		/* target_bpm / bpm */
	double begin_adj;	/* (begin - ini) / speed */
	double end_adj;		/* (end - ini) / speed */
};

/* Segments starting this close before ini still count as "at or after" it:
 * JSON round trips leave a few ulps between an intro's end and the next start. */
#define SECT_CUE_EPSILON 1e-6

/* End of the last segment (by start time, then by position) labelled "intro"
 * (any case); 0 when the track has none. seg need not be sorted. */
double sect_ini_cue(const struct sect_segment *seg, size_t n);

/* Index of the nth (1-based) segment, in start order, among those starting at
 * or after ini. seg must be sorted by start. Returns the index, or -ERANGE when
 * fewer than nth segments follow ini, -EINVAL when nth is 0. */
int sect_nth_after(const struct sect_segment *seg, size_t n, double ini, unsigned int nth);

double sect_speed(double target_bpm, double bpm);

/* Where a cue lands in the section after it was cut at ini and stretched. */
double sect_adjust(double cue, double ini, double speed);

/* All cues of one track; seg sorted by start, bpm and target > 0. Returns 0,
 * or the error of sect_nth_after (out untouched). */
int sect_compute(const struct sect_segment *seg, size_t n, unsigned int nth,
		double bpm, double target_bpm, struct sect_cues *out);

/* |bpm - target| <= delta (a hair of slack for decimal BPMs like 122.5). */
bool sect_bpm_in_range(double bpm, double target, double delta);

/* True when key equals one of keys (exact, case-sensitive: "C" and "c" are
 * different keys in some notations); false when key is NULL or empty. */
bool sect_key_matches(const char *key, const char *const *keys, size_t n_keys);
