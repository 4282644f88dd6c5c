/* Content features: from a mono float signal, the frame-level spectral and
 * temporal measures (FFTW rFFT of a Hann frame of about 40 ms, hop half a
 * frame) and their summary over a texture window, the vector the content
 * classifier (classify.h) works on. Pure C: no PipeWire, sd-bus or GLib.
 *
 * Frames and features (spectral ones over 0–11025 Hz whatever the rate, so
 * material at 22.05, 44.1 and 48 kHz is comparable; frames under -90 dBFS
 * are "silent" and left out of the spectral means):
 *   centroid-khz      mean spectral centroid
 *   rolloff-khz       mean frequency under which 85 % of the power lies
 *   flatness-db       mean spectral flatness (geometric over arithmetic mean
 *                     of the power), in dB
 *   flux              mean L1 distance of consecutive sum-normalised spectra
 *   crest-db          window peak over window RMS
 *   zcr-khz           mean zero-crossing rate, as a frequency (crossings/2)
 *   zcr-std-khz       its standard deviation across frames
 *   mod4hz            energy of the RMS envelope (divided by its mean) at
 *                     2.5–6 Hz: the syllabic rhythm of speech
 *   low-energy        share of frames under half the window's mean RMS
 *   onset-rate        onsets per second (peaks of the log-spectral flux)
 *   tempo-stability   highest normalised autocorrelation of the onset
 *                     envelope at lags of 0.25–1.5 s (40–240 BPM), 0–1
 *   centroid-std-khz  standard deviation of the centroid across frames
 *   voicing           mean periodicity of the frames: the peak of the
 *                     normalised autocorrelation (divided by the window's,
 *                     Boersma 1993) at 70–500 Hz, of the 50–3000 Hz band,
 *                     0–1; a frame from 0.5 is voiced and has a pitch
 *   voicing-mod       energy of the frames' periodicity at 2–8 Hz: voiced
 *                     and unvoiced sounds alternating at the syllable rate.
 *                     Unlike mod4hz it does not need the level to move, so
 *                     it survives a limiter or a compressor
 *   pitch-glide       share of consecutive voiced frames whose pitch moves
 *                     0.1–1.5 semitones: a voice's intonation glides, a
 *                     note holds (under 0.1) or jumps to the next
 * All but the rhythm ones are over the short window (1.5 s), the rhythm ones
 * (onset-rate, tempo-stability) over the long window (3 s); both start
 * after the latest pause (0.5 s under -60 dBFS) when there is one in
 * them, so music after a pause is judged on itself alone. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

enum foh_cf {
	FOH_CF_CENTROID,
	FOH_CF_ROLLOFF,
	FOH_CF_FLATNESS,
	FOH_CF_FLUX,
	FOH_CF_CREST,
	FOH_CF_ZCR,
	FOH_CF_ZCR_STD,
	FOH_CF_MOD4HZ,
	FOH_CF_LOW_ENERGY,
	FOH_CF_ONSET_RATE,
	FOH_CF_TEMPO_STABILITY,
	FOH_CF_CENTROID_STD,
	FOH_CF_VOICING,
	FOH_CF_VOICING_MOD,
	FOH_CF_PITCH_GLIDE,
	FOH_CF_N
};

#define FOH_CF_SHORT_S	1.5
#define FOH_CF_LONG_S	3.0

struct foh_cf_vector {
	float v[FOH_CF_N];
	float level_db;		/* RMS of the last 0.5 s, dBFS (-120 floor) */
	float active;		/* share of non-silent frames in the short window */
	float seconds;		/* the short window's length after a pause cut it */
};

struct foh_cfeat;

/* Allocates and plans the FFT: never on a real-time thread. */
int foh_cfeat_new(uint32_t rate, struct foh_cfeat **out);
void foh_cfeat_free(struct foh_cfeat *f);
void foh_cfeat_reset(struct foh_cfeat *f);

/* Feeds n mono samples; analyses every complete frame (no allocation). */
void foh_cfeat_push(struct foh_cfeat *f, const float *x, uint32_t n);
/* Frames analysed since the start or the last reset. */
uint64_t foh_cfeat_frames(const struct foh_cfeat *f);
/* Summarises the most recent windows; false (v untouched) until a short
 * window of frames has been analysed. */
bool foh_cfeat_vector(const struct foh_cfeat *f, struct foh_cf_vector *v);

/* "centroid-khz", ... (the names the centroid files use). */
const char *foh_cf_name(enum foh_cf i);
