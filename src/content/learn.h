/* Learning a centroid off the main thread: a thread decodes the example
 * files, averages their feature vectors (windows above -60 dBFS) and
 * reports through an eventfd; the main thread takes the result. One job at
 * a time. Pure of D-Bus: fohd's service.c drives it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "content/features.h"

#define FOH_LEARN_FILES_MAX	64

struct foh_learn;

/* Starts a job over files (copied); *fd becomes readable when it is done. */
int foh_learn_start(const char *const *files, uint32_t n, struct foh_learn **out, int *fd);
/* After fd was readable: joins the thread. 0 with the mean vector and its
 * window count, or negative errno with *error (g_free). Frees the job. */
int foh_learn_finish(struct foh_learn *l, double v[FOH_CF_N], uint32_t *windows, char **error);
