/* Rekordbox collection XML for foh-sections: AverageBpm and Tonality of every
 * COLLECTION TRACK, looked up by the file name of its Location (a file:// URL,
 * percent-encoded), because the exporter rebases all paths by file name. */
#pragma once

#include <stddef.h>

/* Collections above this size are refused (a 50 000-track library exports to
 * well under 200 MB). */
#define SECT_REKORDBOX_MAX_BYTES (512ll * 1024 * 1024)

struct sect_rekordbox;

struct sect_rb_track {
	double bpm;		/* AverageBpm, NAN when absent, unparsable or <= 0 */
	char *tonality;		/* NULL when absent or empty */
};

/* Parses file. Returns 0 and *out, or a negative errno and *error (g_free
 * it) naming the problem and the line. A TRACK whose AverageBpm does not parse
 * is kept without a BPM and counted in *n_bad_bpm. */
int sect_rekordbox_load(const char *file, struct sect_rekordbox **out,
		size_t *n_bad_bpm, char **error);

/* The track whose Location ends in file name name, or NULL. When several do,
 * the last in the file wins. */
const struct sect_rb_track *sect_rekordbox_lookup(const struct sect_rekordbox *rb,
		const char *name);

size_t sect_rekordbox_size(const struct sect_rekordbox *rb);

void sect_rekordbox_free(struct sect_rekordbox *rb);

/* file://[host]/a%20b.wav -> "/a b.wav". NULL when not a file URL or when the
 * percent-encoding is broken or decodes to a NUL byte. g_free the result. */
char *sect_location_to_path(const char *location);

/* The part after the last '/' or '\\'; NULL for "", ".", ".." or a trailing
 * separator. Points into path. */
const char *sect_file_name(const char *path);
