/* Audio of foh-sections: slice reading, time alignment (soxr or rubberband)
 * and WAV writing. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <rubberband/rubberband-c.h>
#include <sndfile.h>
#include <soxr.h>

#include "foh-sections/audio.h"

#define RB_BLOCK 4096

static int source_subtype(int format)
{
	int sub = format & SF_FORMAT_SUBMASK;

	/* keep the source's PCM depth; float and compressed sources get 24-bit */
	if (sub == SF_FORMAT_PCM_16 || sub == SF_FORMAT_PCM_24 || sub == SF_FORMAT_PCM_32)
		return sub;
	return SF_FORMAT_PCM_24;
}

static int check_slice(const SF_INFO *info, double from, double to,
		sf_count_t *start, sf_count_t *stop, char **reason)
{
	double len = (double)info->frames / info->samplerate;

	if (info->channels < 1 || info->channels > SECT_AUDIO_MAX_CHANNELS ||
	    info->samplerate < 1000 || info->samplerate > 768000) {
		*reason = g_strdup_printf("unsupported audio: %d channels at %d Hz",
				info->channels, info->samplerate);
		return -ENOTSUP;
	}
	if (to > len + SECT_AUDIO_END_SLACK) {
		*reason = g_strdup_printf("section ends at %.3f s, past the end of the audio (%.3f s)",
				to, len);
		return -ERANGE;
	}
	if (to - from > SECT_AUDIO_MAX_SECONDS) {
		*reason = g_strdup_printf("section of %.0f s is longer than the %.0f s allowed",
				to - from, SECT_AUDIO_MAX_SECONDS);
		return -EFBIG;
	}
	*start = llround(from * info->samplerate);
	*stop = llround(to * info->samplerate);
	if (*stop > info->frames)
		*stop = info->frames;
	if (*start >= *stop) {
		*reason = g_strdup_printf("empty section (%.3f s to %.3f s)", from, to);
		return -ERANGE;
	}
	return 0;
}

int sect_audio_read(const char *file, double from, double to,
		struct sect_audio *out, char **reason)
{
	SF_INFO info = { 0 };
	sf_count_t start, stop, got;
	SNDFILE *sf;
	float *data;
	int r;

	if ((sf = sf_open(file, SFM_READ, &info)) == NULL) {
		*reason = g_strdup_printf("cannot open audio %s: %s", file, sf_strerror(NULL));
		return -EIO;
	}
	if ((r = check_slice(&info, from, to, &start, &stop, reason)) < 0)
		goto done;
	if (sf_seek(sf, start, SEEK_SET) != start) {
		*reason = g_strdup_printf("cannot seek in %s: %s", file, sf_strerror(sf));
		r = -EIO;
		goto done;
	}
	data = g_new(float, (size_t)(stop - start) * (size_t)info.channels);
	got = sf_readf_float(sf, data, stop - start);
	if (got != stop - start) {
		*reason = g_strdup_printf("short read from %s (%lld of %lld frames)", file,
				(long long)got, (long long)(stop - start));
		g_free(data);
		r = -EIO;
		goto done;
	}
	out->data = data;
	out->frames = (size_t)got;
	out->channels = info.channels;
	out->rate = info.samplerate;
	out->subtype = source_subtype(info.format);
	r = 0;
done:
	sf_close(sf);
	return r;
}

static int stretch_rate(const struct sect_audio *in, double speed, struct sect_audio *out,
		char **reason)
{
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
	size_t olen = (size_t)ceil((double)in->frames / speed) + 64, idone = 0, odone = 0;
	float *data = g_new(float, olen * (size_t)in->channels);
	soxr_error_t err;

	/* played speed times faster = resampled to rate / speed, then labelled rate */
	err = soxr_oneshot(in->rate, in->rate / speed, (unsigned)in->channels,
			in->data, in->frames, &idone, data, olen, &odone, &io, &q, NULL);
	if (err != NULL) {
		*reason = g_strdup_printf("soxr: %s", err);
		g_free(data);
		return -EIO;
	}
	out->data = data;
	out->frames = odone;
	return 0;
}

struct planar {
	float *ch[SECT_AUDIO_MAX_CHANNELS];
	size_t frames, capacity;
	int channels;
};

static void planar_grow(struct planar *p, size_t need)
{
	if (need <= p->capacity)
		return;
	p->capacity = MAX(need, p->capacity * 2);
	for (int c = 0; c < p->channels; c++)
		p->ch[c] = g_renew(float, p->ch[c], p->capacity);
}

static void planar_free(struct planar *p)
{
	for (int c = 0; c < p->channels; c++)
		g_free(p->ch[c]);
}

static void rb_drain(RubberBandState rb, struct planar *o)
{
	float *ptr[SECT_AUDIO_MAX_CHANNELS];
	int avail;

	while ((avail = rubberband_available(rb)) > 0) {
		planar_grow(o, o->frames + (size_t)avail);
		for (int c = 0; c < o->channels; c++)
			ptr[c] = o->ch[c] + o->frames;
		o->frames += rubberband_retrieve(rb, ptr, (unsigned)avail);
	}
}

/* Offline (two-pass: study, then process) so the whole slice shapes the
 * stretch; the finer R3 engine for quality, since this runs off-line. */
static void rb_run(RubberBandState rb, const struct planar *in, struct planar *o, bool study)
{
	const float *ptr[SECT_AUDIO_MAX_CHANNELS];

	for (size_t off = 0; off < in->frames; off += RB_BLOCK) {
		size_t n = MIN((size_t)RB_BLOCK, in->frames - off);
		int final = off + n >= in->frames;

		for (int c = 0; c < in->channels; c++)
			ptr[c] = in->ch[c] + off;
		if (study) {
			rubberband_study(rb, ptr, (unsigned)n, final);
		} else {
			rubberband_process(rb, ptr, (unsigned)n, final);
			rb_drain(rb, o);
		}
	}
}

static int stretch_rubberband(const struct sect_audio *in, double speed, struct sect_audio *out)
{
	struct planar pin = { .channels = in->channels }, pout = { .channels = in->channels };
	RubberBandState rb;
	int ch = in->channels;

	planar_grow(&pin, in->frames);
	for (size_t i = 0; i < in->frames; i++)
		for (int c = 0; c < ch; c++)
			pin.ch[c][i] = in->data[i * (size_t)ch + (size_t)c];
	pin.frames = in->frames;
	planar_grow(&pout, (size_t)ceil((double)in->frames / speed) + RB_BLOCK);

	rb = rubberband_new((unsigned)in->rate, (unsigned)ch,
			RubberBandOptionProcessOffline | RubberBandOptionEngineFiner,
			1.0 / speed, 1.0);
	rubberband_set_expected_input_duration(rb, (unsigned)in->frames);
	rubberband_set_max_process_size(rb, RB_BLOCK);
	rb_run(rb, &pin, &pout, true);
	rb_run(rb, &pin, &pout, false);
	rb_drain(rb, &pout);
	rubberband_delete(rb);

	out->data = g_new(float, MAX(pout.frames, 1) * (size_t)ch);
	for (size_t i = 0; i < pout.frames; i++)
		for (int c = 0; c < ch; c++)
			out->data[i * (size_t)ch + (size_t)c] = pout.ch[c][i];
	out->frames = pout.frames;
	planar_free(&pin);
	planar_free(&pout);
	return 0;
}

int sect_audio_stretch(const struct sect_audio *in, double speed, enum sect_method method,
		struct sect_audio *out, char **reason)
{
	struct sect_audio o = { .channels = in->channels, .rate = in->rate, .subtype = in->subtype };
	double want, got;
	int r;

	if (!isfinite(speed) || speed < 0.25 || speed > 4.0) {
		*reason = g_strdup_printf("speed %.4f is outside 0.25 to 4", speed);
		return -ERANGE;
	}
	if (method == SECT_METHOD_RATE)
		r = stretch_rate(in, speed, &o, reason);
	else
		r = stretch_rubberband(in, speed, &o);
	if (r < 0)
		return r;
	/* a stretcher that starves (inputs shorter than its window) returns too
	 * little; measured lengths are within a frame or two otherwise */
	want = (double)in->frames / speed / in->rate;
	got = sect_audio_seconds(&o);
	if (fabs(got - want) > SECT_AUDIO_LENGTH_SLACK) {
		*reason = g_strdup_printf("the stretcher returned %.4f s, expected %.4f s", got, want);
		sect_audio_clear(&o);
		return -EIO;
	}
	*out = o;
	return 0;
}

int sect_audio_write(const char *file, const struct sect_audio *a, char **reason)
{
	g_autofree char *tmp = g_strdup_printf("%s.tmp", file);
	SF_INFO info = {
		.samplerate = a->rate,
		.channels = a->channels,
		.format = SF_FORMAT_WAV | a->subtype,
	};
	sf_count_t put;
	SNDFILE *sf;
	int err;

	if ((sf = sf_open(tmp, SFM_WRITE, &info)) == NULL) {
		*reason = g_strdup_printf("cannot write %s: %s", tmp, sf_strerror(NULL));
		return -EIO;
	}
	/* the stretcher may overshoot full scale a little: clip, never wrap */
	sf_command(sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
	put = sf_writef_float(sf, a->data, (sf_count_t)a->frames);
	err = sf_close(sf);
	if (put != (sf_count_t)a->frames || err != 0) {
		*reason = g_strdup_printf("cannot write %s: %s", tmp,
				err ? sf_error_number(err) : "short write");
		(void)g_unlink(tmp);
		return -EIO;
	}
	if (g_rename(tmp, file) < 0) {
		int r = -errno;

		*reason = g_strdup_printf("cannot rename %s to %s: %s", tmp, file, strerror(errno));
		(void)g_unlink(tmp);
		return r;
	}
	return 0;
}

double sect_audio_seconds(const struct sect_audio *a)
{
	return (double)a->frames / a->rate;
}

void sect_audio_clear(struct sect_audio *a)
{
	g_free(a->data);
	memset(a, 0, sizeof(*a));
}
