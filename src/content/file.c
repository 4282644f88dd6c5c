/* Content analysis of a sound file; see file.h. */
#include <errno.h>
#include <stdlib.h>

#include <glib.h>
#include <sndfile.h>

#include "content/classify.h"
#include "dsp/dsp-util.h"
#include "content/file.h"

#define CHUNK	4096

int foh_content_file_run(const char *path, double start, double seconds,
		foh_content_tick_fn tick, void *data, char **error)
{
	SF_INFO info = { 0 };
	SNDFILE *sf = sf_open(path, SFM_READ, &info);
	struct foh_cfeat *f = NULL;
	float *buf = NULL, *mono = NULL;
	sf_count_t left, per_tick, since = 0;
	double t = 0.0;
	int res = 0;

	if (sf == NULL) {
		*error = g_strdup_printf("%s: %s", path, sf_strerror(NULL));
		return -EINVAL;
	}
	if (info.channels < 1 || info.samplerate < 8000 || info.samplerate > 384000) {
		*error = g_strdup_printf("%s: %d channels at %d Hz: not a signal to analyse",
				path, info.channels, info.samplerate);
		res = -EINVAL;
		goto out;
	}
	if ((res = foh_cfeat_new((uint32_t)info.samplerate, &f)) < 0 ||
	    (buf = malloc(sizeof(float) * CHUNK * (size_t)info.channels)) == NULL ||
	    (mono = malloc(sizeof(float) * CHUNK)) == NULL) {
		*error = g_strdup_printf("%s: out of memory", path);
		res = res < 0 ? res : -ENOMEM;
		goto out;
	}
	if (start > 0.0 && sf_seek(sf, (sf_count_t)(start * info.samplerate), SEEK_SET) < 0) {
		*error = g_strdup_printf("%s: cannot seek to %.1f s", path, start);
		res = -EINVAL;
		goto out;
	}
	left = seconds > 0.0 ? (sf_count_t)(seconds * info.samplerate) : info.frames;
	per_tick = (sf_count_t)(FOH_CONTENT_TICK_S * info.samplerate);
	while (left > 0) {
		sf_count_t want = left < CHUNK ? left : CHUNK, got;
		got = sf_readf_float(sf, buf, want);
		if (got <= 0)
			break;
		/* NaN, inf or garbage in a float file: silence, not a poisoned feature */
		(void)foh_dsp_scrub(buf, (size_t)got * (size_t)info.channels);
		for (sf_count_t i = 0; i < got; i++) {
			float s = 0.0f;
			for (int c = 0; c < info.channels; c++)
				s += buf[i * info.channels + c];
			mono[i] = s / (float)info.channels;
		}
		left -= got;
		/* tick on exact 0.5 s boundaries: push up to each in turn */
		for (sf_count_t done = 0; done < got;) {
			sf_count_t n = got - done;
			if (n > per_tick - since)
				n = per_tick - since;
			foh_cfeat_push(f, mono + done, (uint32_t)n);
			done += n;
			since += n;
			if (since == per_tick) {
				struct foh_cf_vector v;
				since = 0;
				t += FOH_CONTENT_TICK_S;
				if (!tick(t, foh_cfeat_vector(f, &v) ? &v : NULL, data))
					goto out;
			}
		}
	}
out:
	free(buf);
	free(mono);
	foh_cfeat_free(f);
	sf_close(sf);
	return res;
}
