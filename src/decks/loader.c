/* A deck's loader thread: decode, tempo stage, ring filling; see
 * decks/loader.h. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rubberband/rubberband-c.h>
#include <sndfile.h>
#include <soxr.h>

#include "decks/loader.h"
#include "dsp/dsp-util.h"
#include "util/log.h"

#define CHUNK		1024u		/* source frames fed to a stage at once */
#define FILL_TARGET	4096u		/* frames kept ahead in the ring (~85 ms at 48 kHz) */
#define PRIME_FRAMES	2048u		/* enough to start without running dry */
#define RATIO_MIN	0.5
#define RATIO_MAX	2.0
#define RATIO_STEP	0.002		/* per block: 1.0 → 1.1 in ~270 ms at 48 kHz */
#define MAX_BYTES	(1024.0 * 1024.0 * 1024.0)	/* decoded audio per deck */
#define MAX_CHANNELS	8

struct source {
	float *data;			/* interleaved stereo at the graph rate */
	uint64_t frames;
	uint32_t rate;
};

struct foh_deck_loader {
	char letter;
	struct foh_deck_ring *ring;
	int notify_fd;
	pthread_t thread;
	bool started;

	/* mailbox: main thread ↔ loader */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool quit;
	bool load_pending, seek_pending;
	char load_path[4096];
	double load_start, seek_sec;
	uint32_t load_rate, load_gen, seek_gen, gen;
	bool result_ready;
	struct foh_deck_load_result result;

	_Atomic double ratio, latency;
	atomic_int method;
	atomic_bool loop, graph_running, loaded;

	/* loader thread only */
	struct source src;
	uint64_t pos;			/* next source frame into the stage */
	double cur_ratio;
	enum foh_deck_method stage;
	soxr_t soxr;
	RubberBandState rb;
	uint32_t rb_rate;
	uint32_t discard;		/* rubberband output frames still to drop */
	bool input_done, stage_done, end_written;
	uint32_t cur_gen;
	float in[2][CHUNK], out[2][FOH_DECK_BLOCK];
};

/* ---- decoding ---------------------------------------------------------- */

/* libsndfile takes a WAV/AIFF whose data chunk runs past the end of the
 * file and plays what is there; its log says so. Such a file was cut off:
 * refuse it rather than play half a track. */
static bool header_truncated(SNDFILE *f)
{
	char log[4096];
	const char *p;

	if (sf_command(f, SFC_GET_LOG_INFO, log, sizeof(log)) <= 0)
		return false;
	log[sizeof(log) - 1] = '\0';
	for (p = log; (p = strstr(p, "\ndata")) != NULL; p++) {
		const char *eol = strchr(p + 1, '\n');
		const char *should = strstr(p, "(should be");
		if (should != NULL && (eol == NULL || should < eol))
			return true;
	}
	return false;
}

static int open_checked(const char *path, SNDFILE **out, SF_INFO *info, char *msg, size_t len)
{
	SNDFILE *f;
	int r = -EINVAL;

	memset(info, 0, sizeof(*info));
	if ((f = sf_open(path, SFM_READ, info)) == NULL) {
		snprintf(msg, len, "%s: not a readable audio file (%s)", path, sf_strerror(NULL));
		return -EINVAL;
	}
	if (info->channels < 1 || info->channels > MAX_CHANNELS || info->frames <= 0 ||
	    info->samplerate < 1000 || info->samplerate > 768000) {
		snprintf(msg, len, "%s: unsupported audio (%d channels, %lld frames, %d Hz)", path,
				info->channels, (long long)info->frames, info->samplerate);
	} else if ((double)info->frames * 2.0 * sizeof(float) > MAX_BYTES) {
		snprintf(msg, len, "%s: too long (%lld frames at %d Hz)", path,
				(long long)info->frames, info->samplerate);
		r = -EFBIG;
	} else if (header_truncated(f)) {
		snprintf(msg, len, "%s: truncated: the header declares more audio than the "
				"file holds", path);
	} else {
		*out = f;
		return 0;
	}
	sf_close(f);
	return r;
}

int foh_deck_probe(const char *path, double *duration, char **why)
{
	char msg[512];
	SNDFILE *f;
	SF_INFO info;
	struct stat st;
	int r;

	if (path[0] != '/') {
		snprintf(msg, sizeof(msg), "%s: the path must be absolute", path);
		r = -EINVAL;
	} else if (stat(path, &st) < 0) {
		snprintf(msg, sizeof(msg), "%s: %s", path, strerror(errno));
		r = errno == ENOENT || errno == ENOTDIR ? -ENOENT : -EINVAL;
	} else if (!S_ISREG(st.st_mode)) {
		snprintf(msg, sizeof(msg), "%s: not a regular file", path);
		r = -EINVAL;
	} else if ((r = open_checked(path, &f, &info, msg, sizeof(msg))) == 0) {
		*duration = (double)info.frames / info.samplerate;
		sf_close(f);
		return 0;
	}
	*why = strdup(msg);
	return r;
}

static int resample(struct source *s, uint32_t rate, char *msg, size_t len)
{
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, 0);
	uint64_t n = (uint64_t)ceil((double)s->frames * rate / s->rate) + 16;
	float *out = malloc(n * 2 * sizeof(float));
	size_t idone = 0, odone = 0;
	soxr_error_t e;

	if (out == NULL)
		return -ENOMEM;
	e = soxr_oneshot(s->rate, rate, 2, s->data, s->frames, &idone, out, n, &odone,
			&io, &q, NULL);
	if (e != NULL) {
		free(out);
		snprintf(msg, len, "cannot resample %u Hz to %u Hz: %s", s->rate, rate, e);
		return -EIO;
	}
	free(s->data);
	s->data = out;
	s->frames = odone;
	s->rate = rate;
	return 0;
}

static int decode(const char *path, uint32_t rate, struct source *out, char *msg, size_t len)
{
	SNDFILE *f;
	SF_INFO info;
	float *buf = NULL;
	struct source s = { 0 };
	sf_count_t n;
	int r;

	if ((r = open_checked(path, &f, &info, msg, len)) < 0)
		return r;
	s.rate = (uint32_t)info.samplerate;
	s.data = malloc((size_t)info.frames * 2 * sizeof(float));
	buf = malloc(4096 * (size_t)info.channels * sizeof(float));
	if (s.data == NULL || buf == NULL) {
		r = -ENOMEM;
		goto done;
	}
	while (s.frames < (uint64_t)info.frames &&
	       (n = sf_readf_float(f, buf, SPA_MIN(4096, info.frames - (sf_count_t)s.frames))) > 0) {
		for (sf_count_t i = 0; i < n; i++) {
			const float *fr = buf + i * info.channels;
			s.data[(s.frames + i) * 2] = fr[0];
			s.data[(s.frames + i) * 2 + 1] = info.channels > 1 ? fr[1] : fr[0];
		}
		s.frames += (uint64_t)n;
	}
	if (s.frames < (uint64_t)info.frames || sf_error(f) != SF_ERR_NO_ERROR) {
		snprintf(msg, len, "%s: truncated or corrupt: decoded %llu of %lld frames", path,
				(unsigned long long)s.frames, (long long)info.frames);
		r = -EINVAL;
		goto done;
	}
	/* a float file may hold NaN, inf or garbage: silence, not a broken graph */
	size_t bad = foh_dsp_scrub(s.data, (size_t)s.frames * 2);
	if (bad > 0)
		foh_warn("%s: %zu samples are no audio (NaN, infinity or beyond +96 dBFS); "
				"they play as silence", path, bad);
	if (s.rate != rate && (r = resample(&s, rate, msg, len)) < 0)
		goto done;
	*out = s;
	s.data = NULL;
	r = 0;
done:
	sf_close(f);
	free(buf);
	free(s.data);
	return r;
}

/* ---- the tempo stage (loader thread) ------------------------------------ */

static double target_ratio(struct foh_deck_loader *l)
{
	double r = atomic_load(&l->ratio);

	return r < RATIO_MIN ? RATIO_MIN : r > RATIO_MAX ? RATIO_MAX : r;
}

static void glide_ratio(struct foh_deck_loader *l)
{
	double t = target_ratio(l), prev = l->cur_ratio;

	if (fabs(t - l->cur_ratio) <= RATIO_STEP)
		l->cur_ratio = t;
	else
		l->cur_ratio += t > l->cur_ratio ? RATIO_STEP : -RATIO_STEP;
	if (l->cur_ratio == prev)
		return;
	if (l->stage == FOH_DECK_METHOD_RATE)
		(void)soxr_set_io_ratio(l->soxr, l->cur_ratio, FOH_DECK_BLOCK);
	else
		rubberband_set_time_ratio(l->rb, 1.0 / l->cur_ratio);
}

/* Up to max source frames at l->pos (interleaved), wrapping when looping;
 * 0 when a non-looping track is over. */
static uint32_t source_span(struct foh_deck_loader *l, uint32_t max, const float **p)
{
	if (l->pos >= l->src.frames) {
		if (!atomic_load(&l->loop))
			return 0;
		l->pos = 0;
	}
	*p = l->src.data + l->pos * 2;
	return (uint32_t)SPA_MIN((uint64_t)max, l->src.frames - l->pos);
}

/* soxr_process() takes as much input as the ratio given to soxr_create()
 * — under SOXR_VR that is RATIO_MAX, whatever soxr_set_io_ratio() set
 * since — would turn into the output asked for: at ratio 1 it took twice
 * what it played and kept the rest in its input fifo, which ran the
 * position ahead at twice the wall time and grew for as long as the deck
 * played. So soxr is first asked for what it can make from what it holds,
 * and then given only the input the current ratio turns into the rest. */
static uint32_t run_rate(struct foh_deck_loader *l, float *dst)
{
	uint32_t got = 0;

	while (got < FOH_DECK_BLOCK) {
		const float *in = NULL;
		size_t idone = 0, odone = 0, want;
		uint32_t n = 0;

		if (!l->input_done) {
			/* any non-NULL input with length 0: no input, no flush */
			(void)soxr_process(l->soxr, dst, 0, NULL, dst + got * 2,
					FOH_DECK_BLOCK - got, &odone);
			got += (uint32_t)odone;
			if (got == FOH_DECK_BLOCK)
				break;
			want = (size_t)ceil((FOH_DECK_BLOCK - got) * l->cur_ratio);
			n = source_span(l, (uint32_t)SPA_MIN(want, (size_t)CHUNK), &in);
			if (n == 0)
				l->input_done = true;
		}
		(void)soxr_process(l->soxr, l->input_done ? NULL : in, n, &idone,
				dst + got * 2, FOH_DECK_BLOCK - got, &odone);
		l->pos += idone;
		got += (uint32_t)odone;
		if (l->input_done && odone == 0) {
			l->stage_done = true;
			break;
		}
	}
	return got;
}

static void rb_feed(struct foh_deck_loader *l)
{
	uint32_t req = rubberband_get_samples_required(l->rb), n, k = 0;
	const float *in;
	const float *planes[2] = { l->in[0], l->in[1] };

	req = SPA_CLAMP(req, 64u, CHUNK);
	while (k < req && (n = source_span(l, req - k, &in)) > 0) {
		for (uint32_t i = 0; i < n; i++) {
			l->in[0][k + i] = in[2 * i];
			l->in[1][k + i] = in[2 * i + 1];
		}
		l->pos += n;
		k += n;
	}
	if (k < req)
		l->input_done = true;
	rubberband_process(l->rb, planes, k, l->input_done);
}

static uint32_t run_rubberband(struct foh_deck_loader *l, float *dst)
{
	uint32_t got = 0;

	while (got < FOH_DECK_BLOCK) {
		int avail = rubberband_available(l->rb);
		float *planes[2] = { l->out[0], l->out[1] };
		uint32_t want, n;

		if (avail < 0 || (avail == 0 && l->input_done)) {
			l->stage_done = true;
			break;
		}
		if (avail == 0) {
			rb_feed(l);
			continue;
		}
		want = l->discard > 0 ? SPA_MIN(l->discard, FOH_DECK_BLOCK) : FOH_DECK_BLOCK - got;
		n = rubberband_retrieve(l->rb, planes, SPA_MIN((uint32_t)avail, want));
		if (l->discard > 0) {
			l->discard -= SPA_MIN(n, l->discard);
			continue;
		}
		for (uint32_t i = 0; i < n; i++) {
			dst[(got + i) * 2] = l->out[0][i];
			dst[(got + i) * 2 + 1] = l->out[1][i];
		}
		got += n;
	}
	return got;
}

static int reset_stage(struct foh_deck_loader *l)
{
	uint32_t rate = l->src.rate;

	l->stage = (enum foh_deck_method)atomic_load(&l->method);
	l->cur_ratio = target_ratio(l);
	l->input_done = l->stage_done = l->end_written = false;
	l->discard = 0;
	if (l->stage == FOH_DECK_METHOD_RATE) {
		if (l->soxr == NULL) {
			soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
			soxr_quality_spec_t q = soxr_quality_spec(SOXR_HQ, SOXR_VR);
			soxr_error_t e = NULL;
			/* under SOXR_VR the two rates only bound the ratio */
			l->soxr = soxr_create(RATIO_MAX, 1.0, 2, &e, &io, &q, NULL);
			if (l->soxr == NULL || e != NULL)
				return -ENOMEM;
		} else {
			(void)soxr_clear(l->soxr);
		}
		(void)soxr_set_io_ratio(l->soxr, l->cur_ratio, 0);
		atomic_store(&l->latency, 0.0);
		return 0;
	}
	if (l->rb == NULL || l->rb_rate != rate) {
		if (l->rb != NULL)
			rubberband_delete(l->rb);
		l->rb = rubberband_new(rate, 2, RubberBandOptionProcessRealTime |
				RubberBandOptionThreadingNever | RubberBandOptionPitchHighConsistency,
				1.0 / l->cur_ratio, 1.0);
		if (l->rb == NULL)
			return -ENOMEM;
		l->rb_rate = rate;
		rubberband_set_max_process_size(l->rb, CHUNK);
	} else {
		rubberband_reset(l->rb);
		rubberband_set_time_ratio(l->rb, 1.0 / l->cur_ratio);
	}
	/* Prime with the preferred pad of silence and drop the start delay:
	 * the first frame out is the cue point, as with the rate method. */
	{
		uint32_t pad = rubberband_get_preferred_start_pad(l->rb);
		const float *planes[2] = { l->in[0], l->in[1] };
		memset(l->in, 0, sizeof(l->in));
		while (pad > 0) {
			uint32_t n = SPA_MIN(pad, CHUNK);
			rubberband_process(l->rb, planes, n, 0);
			pad -= n;
		}
		l->discard = rubberband_get_start_delay(l->rb);
		atomic_store(&l->latency, (double)l->discard / rate);
	}
	return 0;
}

static double block_position(struct foh_deck_loader *l)
{
	double lag = 0.0, p;

	if (l->stage == FOH_DECK_METHOD_RATE && l->soxr != NULL)
		lag = soxr_delay(l->soxr) * l->cur_ratio;
	else if (l->rb != NULL)
		lag = (double)rubberband_get_latency(l->rb) * l->cur_ratio;
	p = ((double)l->pos - lag) / l->src.rate;
	return p < 0.0 ? 0.0 : p;
}

/* Writes one block if there is room and something to write. */
static bool write_block(struct foh_deck_loader *l)
{
	struct foh_deck_ring *r = l->ring;
	uint32_t w, got, slot;
	int32_t fill = spa_ringbuffer_get_write_index(&r->rb, &w);
	float *dst;
	bool end = false;

	if (l->src.data == NULL || l->end_written || fill < 0 ||
	    (uint32_t)fill + FOH_DECK_BLOCK > FILL_TARGET)
		return false;
	dst = r->data + (w & (FOH_DECK_RING_FRAMES - 1)) * 2;
	slot = (w / FOH_DECK_BLOCK) % FOH_DECK_MARKS;
	r->mark_pos[slot] = block_position(l);
	if (l->stage_done) {
		got = 0;
		end = l->end_written = true;
	} else {
		glide_ratio(l);
		got = l->stage == FOH_DECK_METHOD_RATE ? run_rate(l, dst) : run_rubberband(l, dst);
		if (l->stage == FOH_DECK_METHOD_RATE)
			/* the resampler's filter delay, in output frames */
			atomic_store(&l->latency, soxr_delay(l->soxr) / l->src.rate);
	}
	memset(dst + got * 2, 0, (FOH_DECK_BLOCK - got) * 2 * sizeof(float));
	r->mark_end[slot] = end;
	spa_ringbuffer_write_update(&r->rb, w + FOH_DECK_BLOCK);
	return true;
}

/* Fills the ring once any flush is through; marks it primed. */
static bool fill(struct foh_deck_loader *l)
{
	struct foh_deck_ring *r = l->ring;
	bool wrote = false;
	uint32_t idx;
	int32_t filled;

	if (atomic_load(&r->flush_req) != atomic_load(&r->flush_ack)) {
		if (atomic_load(&l->graph_running))
			return false;
		(void)foh_deck_ring_service_flush(r);
	}
	while (write_block(l))
		wrote = true;
	filled = spa_ringbuffer_get_write_index(&r->rb, &idx);
	if (l->src.data != NULL && (filled >= (int32_t)PRIME_FRAMES || l->end_written))
		atomic_store(&r->primed_gen, l->cur_gen);
	return wrote;
}

static void reposition(struct foh_deck_loader *l, double seconds, uint32_t gen, bool new_track)
{
	double frames = seconds * l->src.rate;

	l->pos = frames <= 0.0 ? 0 : SPA_MIN((uint64_t)frames, l->src.frames);
	l->cur_gen = gen;
	atomic_store(&l->ring->flush_stops, new_track);
	atomic_fetch_add(&l->ring->flush_req, 1);
	if (reset_stage(l) < 0)
		foh_warn("deck %c: cannot set up the tempo stage", l->letter);
}

static void notify(struct foh_deck_loader *l)
{
	uint64_t one = 1;

	if (write(l->notify_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		foh_warn("deck %c: cannot signal the main loop: %s", l->letter, strerror(errno));
}

static void do_load(struct foh_deck_loader *l)
{
	char path[sizeof(l->load_path)];
	double start = l->load_start;
	uint32_t rate = l->load_rate, gen = l->load_gen;
	struct foh_deck_load_result res = { .gen = gen };
	struct source s = { 0 }, old;

	memcpy(path, l->load_path, sizeof(path));
	l->load_pending = false;
	pthread_mutex_unlock(&l->lock);
	res.error = decode(path, rate, &s, res.message, sizeof(res.message));
	if (res.error == 0) {
		old = l->src;
		l->src = s;
		res.duration = (double)s.frames / s.rate;
		reposition(l, start, gen, true);
		free(old.data);
		atomic_store(&l->loaded, true);
	}
	pthread_mutex_lock(&l->lock);
	l->result = res;
	l->result_ready = true;
	notify(l);
}

static void *loader_main(void *data)
{
	struct foh_deck_loader *l = data;
	struct timespec ts;

	pthread_mutex_lock(&l->lock);
	while (!l->quit) {
		if (l->load_pending) {
			do_load(l);
			continue;
		}
		if (l->seek_pending) {
			l->seek_pending = false;
			if (l->src.data != NULL)
				reposition(l, l->seek_sec, l->seek_gen, false);
			continue;
		}
		pthread_mutex_unlock(&l->lock);
		(void)fill(l);
		pthread_mutex_lock(&l->lock);
		if (l->quit || l->load_pending || l->seek_pending)
			continue;
		if (l->src.data == NULL || (l->end_written &&
				atomic_load(&l->ring->flush_req) == atomic_load(&l->ring->flush_ack))) {
			/* nothing to write until a command comes */
			(void)pthread_cond_wait(&l->cond, &l->lock);
			continue;
		}
		/* the data thread drains ~5 ms per quantum of 256: look again soon */
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 2000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		(void)pthread_cond_timedwait(&l->cond, &l->lock, &ts);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* ---- main thread --------------------------------------------------------- */

int foh_deck_loader_new(char letter, struct foh_deck_ring *ring, int notify_fd,
		struct foh_deck_loader **out)
{
	struct foh_deck_loader *l = calloc(1, sizeof(*l));
	pthread_condattr_t ca;
	int r;

	if (l == NULL)
		return -ENOMEM;
	l->letter = letter;
	l->ring = ring;
	l->notify_fd = notify_fd;
	atomic_init(&l->ratio, 1.0);
	atomic_init(&l->latency, 0.0);
	atomic_init(&l->method, FOH_DECK_METHOD_RATE);
	atomic_init(&l->loop, false);
	atomic_init(&l->graph_running, false);
	atomic_init(&l->loaded, false);
	pthread_mutex_init(&l->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&l->cond, &ca);
	pthread_condattr_destroy(&ca);
	if ((r = -pthread_create(&l->thread, NULL, loader_main, l)) < 0) {
		foh_deck_loader_free(l);
		return r;
	}
	l->started = true;
	*out = l;
	return 0;
}

void foh_deck_loader_free(struct foh_deck_loader *l)
{
	if (l == NULL)
		return;
	if (l->started) {
		pthread_mutex_lock(&l->lock);
		l->quit = true;
		pthread_cond_signal(&l->cond);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->thread, NULL);
	}
	if (l->soxr != NULL)
		soxr_delete(l->soxr);
	if (l->rb != NULL)
		rubberband_delete(l->rb);
	free(l->src.data);
	pthread_cond_destroy(&l->cond);
	pthread_mutex_destroy(&l->lock);
	free(l);
}

uint32_t foh_deck_loader_load(struct foh_deck_loader *l, const char *path, double start_sec,
		uint32_t rate)
{
	uint32_t gen;

	pthread_mutex_lock(&l->lock);
	snprintf(l->load_path, sizeof(l->load_path), "%s", path);
	l->load_start = start_sec;
	l->load_rate = rate;
	gen = l->load_gen = ++l->gen;
	l->load_pending = true;
	l->seek_pending = false;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	return gen;
}

uint32_t foh_deck_loader_seek(struct foh_deck_loader *l, double seconds)
{
	uint32_t gen;

	pthread_mutex_lock(&l->lock);
	if (l->load_pending) {
		/* the track being decoded starts there instead */
		l->load_start = seconds;
		gen = l->load_gen;
	} else {
		l->seek_sec = seconds;
		gen = l->seek_gen = ++l->gen;
		l->seek_pending = true;
	}
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	return gen;
}

uint32_t foh_deck_loader_gen(struct foh_deck_loader *l)
{
	uint32_t gen;

	pthread_mutex_lock(&l->lock);
	gen = l->gen;
	pthread_mutex_unlock(&l->lock);
	return gen;
}

void foh_deck_loader_set_ratio(struct foh_deck_loader *l, double ratio)
{
	atomic_store(&l->ratio, ratio);
}

void foh_deck_loader_set_method(struct foh_deck_loader *l, enum foh_deck_method m)
{
	atomic_store(&l->method, (int)m);
}

void foh_deck_loader_set_loop(struct foh_deck_loader *l, bool loop)
{
	atomic_store(&l->loop, loop);
}

void foh_deck_loader_set_graph_running(struct foh_deck_loader *l, bool running)
{
	atomic_store(&l->graph_running, running);
}

bool foh_deck_loader_take_result(struct foh_deck_loader *l, struct foh_deck_load_result *r)
{
	bool ready;

	pthread_mutex_lock(&l->lock);
	ready = l->result_ready;
	if (ready)
		*r = l->result;
	l->result_ready = false;
	pthread_mutex_unlock(&l->lock);
	return ready;
}

double foh_deck_loader_latency(struct foh_deck_loader *l)
{
	return atomic_load(&l->latency);
}

bool foh_deck_loader_loaded(struct foh_deck_loader *l)
{
	return atomic_load(&l->loaded);
}
