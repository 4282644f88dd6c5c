/* Centroid files: the content model (classify.h) as a small versioned key
 * file, read with every value validated and written atomically.
 *
 *   [model]
 *   version=1
 *   features=centroid-khz;rolloff-khz;...   (the names of features.h, in order)
 *   mean=...;...   std=...;...              (the standardisation, std > 0)
 *   [centroid NAME]                          (NAME: 1–64 of [A-Za-z0-9_-])
 *   class=speech|music
 *   vector=...;...                           (one finite number per feature)
 *   windows=N                                (windows it was learned from, ≥ 1)
 *
 * Unknown groups or keys, a missing key, a wrong count or a value out of
 * range refuse the whole file with "FILE: [group] key: reason".
 *
 * Where: the user's file is $XDG_CONFIG_HOME/foh/content/styles; until
 * one is learned, the shipped default (data/content/styles, installed to
 * $datadir/foh/content/styles) is used. */
#pragma once

#include "content/classify.h"

#define FOH_CENTROIDS_VERSION 1

int foh_content_check_name(const char *name, char **reason);

/* On failure *error (g_free) says file, group, key and reason; m untouched.
 * -EPROTO: a file of another version or feature set (an older foh's). */
int foh_centroids_load(const char *path, struct foh_content_model *m, char **error);
/* Reads path; when it is of another version or feature set (-EPROTO) and
 * fallback is another file, reads fallback instead and says why in *note
 * (g_free, else left NULL). *used (g_free): the file read. */
int foh_centroids_load_or(const char *path, const char *fallback,
		struct foh_content_model *m, char **used, char **note, char **error);
/* foh_centroids_path() with the shipped default as the fallback, unless
 * $FOH_CONTENT_STYLES names the file: so a user's styles learned with an
 * older feature set leave the shipped model working, not none. */
int foh_centroids_load_current(struct foh_content_model *m, char **used, char **note,
		char **error);
int foh_centroids_save(const char *path, const struct foh_content_model *m, char **error);

/* The user's file (g_free). */
char *foh_centroids_user_path(void);
/* The file to read: $FOH_CONTENT_STYLES if set, else the user's file if it
 * exists, else the shipped default (g_free). */
char *foh_centroids_path(void);
