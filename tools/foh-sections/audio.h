/* Audio of foh-sections: read the ini -> end slice of a track (libsndfile),
 * time-align it to the target BPM (libsoxr: resample, pitch moves with the
 * tempo; librubberband offline: pitch preserved) and write WAV files. */
#pragma once

#include <stddef.h>

#define SECT_AUDIO_MAX_CHANNELS 16
/* Longest slice read into memory; a section is a few minutes at most. */
#define SECT_AUDIO_MAX_SECONDS 1200.0
/* A section may end this much past the end of the audio (analysers round
 * segment ends up); the slice is cut at the end of the file then. */
#define SECT_AUDIO_END_SLACK 0.010
/* Largest difference between a stretched length and frames / speed that is
 * accepted (a stretch that far off is reported as a failure). */
#define SECT_AUDIO_LENGTH_SLACK 0.005

enum sect_method {
	SECT_METHOD_RUBBERBAND,
	SECT_METHOD_RATE,
};

struct sect_audio {
	float *data;		/* interleaved */
	size_t frames;
	int channels;
	int rate;
	int subtype;		/* SF_FORMAT_PCM_* written out */
};

/* Reads [from, to) seconds of file. Returns 0 or a negative errno with
 * *reason set (g_free it). */
int sect_audio_read(const char *file, double from, double to,
		struct sect_audio *out, char **reason);

/* out = in played speed times faster: in->frames / speed frames long
 * (within SECT_AUDIO_LENGTH_SLACK, else an error with *reason). */
int sect_audio_stretch(const struct sect_audio *in, double speed, enum sect_method method,
		struct sect_audio *out, char **reason);

/* Writes a WAV beside file and renames it over file, so no half-written
 * file is left behind. */
int sect_audio_write(const char *file, const struct sect_audio *a, char **reason);

double sect_audio_seconds(const struct sect_audio *a);

void sect_audio_clear(struct sect_audio *a);
