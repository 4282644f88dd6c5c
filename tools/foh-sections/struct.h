/* Struct JSON of foh-sections: one file per track with "path" (audio file),
 * "bpm", optional "key", optional "beats"/"downbeats" (arrays of seconds) and
 * "segments" (array of {start, end, label}). Loading validates every field
 * and says in one line why a file was refused. */
#pragma once

#include <stddef.h>

#include "foh-sections/cues.h"

/* Struct files larger than this are refused unread (a struct JSON is a few
 * hundred kB even for long tracks with every beat listed). */
#define SECT_STRUCT_MAX_BYTES (16 * 1024 * 1024)

struct sect_track {
	char *path;			/* "path" as written in the JSON */
	double bpm;			/* NAN when the JSON has none */
	char *key;			/* NULL when absent, null or "" */
	struct sect_segment *segments;	/* sorted by start */
	size_t n_segments;
};

/* Loads and validates file into t. Returns 0, or a negative errno with
 * *reason set (g_free it) and t left empty. */
int sect_track_load(const char *file, struct sect_track *t, char **reason);

void sect_track_clear(struct sect_track *t);
