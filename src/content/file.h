/* Content analysis of a sound file (any format libsndfile reads, downmixed
 * to mono at its own rate): the window vector every 0.5 s, as the channel
 * detector computes it, for fohctl content, the evaluation and the tests. */
#pragma once

#include <stdbool.h>

#include "content/features.h"

/* Called every 0.5 s of audio with the time (s from the start of the
 * file) and the latest vector, or NULL while there is none yet. Return
 * false to stop early. */
typedef bool (*foh_content_tick_fn)(double t, const struct foh_cf_vector *v, void *data);

/* Analyses [start, start + seconds) of path (seconds <= 0: to the end).
 * Errors are negative errno with *error (g_free) naming the file. */
int foh_content_file_run(const char *path, double start, double seconds,
		foh_content_tick_fn tick, void *data, char **error);
