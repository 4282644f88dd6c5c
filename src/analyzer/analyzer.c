/* The analyzer module; see analyzer.h.
 *
 * Config keys: [analyzer] in analyzer/settings.h. The stream asks for mono
 * F32 at the graph rate, so PipeWire's converter does the downmix. */
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/utils/ringbuffer.h>

#include "analyzer/analyzer.h"
#include "dsp/dsp-util.h"
#include "dsp/lmh.h"
#include "dsp/onset.h"
#include "dsp/spectrum.h"
#include "analyzer/osc-out.h"
#include "util/log.h"

#define RECORDS		512u		/* power of two */
#define SAMPLES		(1u << 16)	/* power of two */
#define WAKE_QUIET_BLOCKS 4u		/* see on_process */

struct record {
	float value[3];
	float raw[3];		/* smoothed RMS, before the auto-scaler */
	uint8_t onset[3];
	float bpm;
	uint32_t frames;
};

/* What main hands the worker (and gets back), under mbox_lock. */
struct mailbox {
	struct foh_spectrum *spectrum, *old_spectrum;
	struct foh_osc_out *osc, *old_osc;
	bool have_spectrum, have_osc;
	bool fft, send_fft, meta;
	float edges[6];
	uint32_t bins;
};

struct foh_analyzer {
	struct foh_analyzer_settings settings;
	struct pw_loop *data_loop;
	struct pw_stream *stream;
	struct spa_hook listener;
	bool source_is_sink;
	bool active;			/* the stream is scheduled */
	uint32_t rate;
	/* main → data thread: the stream is about to go (see quiesce()) */
	atomic_bool stopping, stop_acked;

	/* data thread */
	struct foh_lmh lmh;
	struct foh_onset onset;
	bool dsp_ready;
	float mono[FOH_DSP_MAX_FRAMES];

	/* data → worker */
	struct spa_ringbuffer rec_ring, smp_ring;
	struct record recs[RECORDS];
	float smp[SAMPLES];
	atomic_bool fft_on;
	atomic_bool osc_on;		/* OSC destinations: wake the worker per block */
	uint32_t quiet_blocks;		/* data thread: blocks since the last wake */
	int wake_fd;

	/* worker */
	pthread_t worker;
	bool worker_started;
	atomic_bool quit;
	struct foh_spectrum *spectrum;
	struct foh_osc_out *osc;
	float fft_out[1024];
	float chunk[4096];
	uint32_t last_frames;
	float last_bpm_sent;
	uint64_t last_bpm_ns;

	pthread_mutex_t mbox_lock;
	struct mailbox mbox;

	/* statistics, any thread */
	atomic_uint_fast64_t ring_drops, osc_failures, blocks, lmh_ns, hops, fft_ns;
	_Atomic float lmh_out[3], bpm_out;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ---- settings → DSP parameters (pure) --------------------------------- */

static void lmh_params(const struct foh_analyzer_settings *s, struct foh_lmh_params *p)
{
	foh_lmh_default_params(p);
	for (int b = 0; b < FOH_BAND_COUNT; b++) {
		p->band[b].lo_hz = (float)s->band_lo[b];
		p->band[b].hi_hz = (float)s->band_hi[b];
		p->band[b].attack_s = (float)s->attack[b];
		p->band[b].release_s = (float)s->release[b];
	}
	p->order = s->filter_order;
	p->scale.attack_s = (float)s->autoscale_attack;
	p->scale.release_s = (float)s->autoscale_release;
	p->scale.noise_floor = (float)s->noise_floor;
	p->scale.strength = (float)s->strength;
	p->geom.window = s->fft_window;
	p->geom.n_bins = s->fft_bins;
	p->geom.f_min = (float)s->fft_min_hz;
}

static void spectrum_params(const struct foh_analyzer_settings *s, struct foh_spectrum_params *p)
{
	struct foh_lmh_params l;

	foh_spectrum_default_params(p);
	lmh_params(s, &l);
	p->window = s->fft_window;
	p->hop = s->fft_hop;
	p->n_bins = s->fft_bins;
	p->f_min = (float)s->fft_min_hz;
	p->peak_smear_oct = (float)s->peak_smear;
	p->raw_db = s->raw_db;
	memcpy(p->band, l.band, sizeof(p->band));
	p->scale = l.scale;
}

/* ---- data thread ------------------------------------------------------ */

static void push_record(struct foh_analyzer *a, uint32_t n)
{
	uint32_t idx;
	int32_t filled = spa_ringbuffer_get_write_index(&a->rec_ring, &idx);
	struct record *r;

	if (filled >= (int32_t)RECORDS) {
		atomic_fetch_add_explicit(&a->ring_drops, 1, memory_order_relaxed);
		return;
	}
	r = &a->recs[idx & (RECORDS - 1)];
	for (int b = 0; b < 3; b++) {
		r->value[b] = a->lmh.value[b];
		r->raw[b] = a->lmh.rms[b];
		r->onset[b] = foh_onset_flag(&a->onset, b);
	}
	r->bpm = foh_onset_bpm(&a->onset);
	r->frames = n;
	spa_ringbuffer_write_update(&a->rec_ring, idx + 1);
}

static void push_samples(struct foh_analyzer *a, uint32_t n)
{
	uint32_t idx;
	int32_t filled = spa_ringbuffer_get_write_index(&a->smp_ring, &idx);

	if (filled < 0 || (uint32_t)filled + n > SAMPLES) {
		atomic_fetch_add_explicit(&a->ring_drops, 1, memory_order_relaxed);
		return;
	}
	spa_ringbuffer_write_data(&a->smp_ring, a->smp, SAMPLES * sizeof(float),
			(idx & (SAMPLES - 1)) * sizeof(float), a->mono, n * sizeof(float));
	spa_ringbuffer_write_update(&a->smp_ring, idx + n);
}

static void analyze(struct foh_analyzer *a, uint32_t n)
{
	float ms[3];

	foh_lmh_run(&a->lmh, a->mono, n);
	for (int b = 0; b < 3; b++)
		ms[b] = a->lmh.block_rms[b] * a->lmh.block_rms[b];
	foh_onset_run(&a->onset, ms, n);
	push_record(a, n);
	if (atomic_load_explicit(&a->fft_on, memory_order_relaxed))
		push_samples(a, n);
}

static void on_process(void *data)
{
	struct foh_analyzer *a = data;
	uint64_t start = now_ns(), one = 1;
	struct pw_stream *s;
	struct pw_buffer *b;
	struct spa_data *d;
	uint32_t n, offset;

	if (atomic_load_explicit(&a->stopping, memory_order_acquire) || (s = a->stream) == NULL)
		return;
	if ((b = pw_stream_dequeue_buffer(s)) == NULL)
		return;
	d = &b->buffer->datas[0];
	offset = SPA_MIN(d->chunk->offset, d->maxsize);
	n = SPA_MIN(d->chunk->size, d->maxsize - offset) / (uint32_t)sizeof(float);
	n = SPA_MIN(n, (uint32_t)FOH_DSP_MAX_FRAMES);
	if (d->data != NULL && n > 0 && a->dsp_ready) {
		memcpy(a->mono, SPA_PTROFF(d->data, offset, float), n * sizeof(float));
		/* NaN, inf or garbage from a client would stay in every filter */
		(void)foh_dsp_scrub(a->mono, n);
		analyze(a, n);
	}
	pw_stream_queue_buffer(s, b);
	/* Waking the worker is the one system call allowed here: every block
	 * while /audio/lmh goes out per block; else (only D-Bus reads the
	 * values) once per WAKE_QUIET_BLOCKS, about one FFT hop. */
	if (atomic_load_explicit(&a->osc_on, memory_order_relaxed) ||
	    ++a->quiet_blocks >= WAKE_QUIET_BLOCKS) {
		a->quiet_blocks = 0;
		(void)!write(a->wake_fd, &one, sizeof(one));
	}
	atomic_fetch_add_explicit(&a->blocks, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&a->lmh_ns, now_ns() - start, memory_order_relaxed);
}

struct dsp_setup {
	uint32_t rate;
	bool init;
	struct foh_lmh_params lmh;
	struct foh_onset_params onset;
};

static int do_dsp_setup(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	struct foh_analyzer *a = user_data;
	const struct dsp_setup *s = data;

	if (s->init) {
		foh_lmh_init(&a->lmh, s->rate);
		foh_onset_init(&a->onset, s->rate);
		foh_onset_set(&a->onset, &s->onset);
	} else if (!a->dsp_ready) {
		return 0;
	}
	foh_lmh_set(&a->lmh, &s->lmh);
	a->dsp_ready = true;
	return 0;
}

/* ---- worker thread ---------------------------------------------------- */

static void count_failures(struct foh_analyzer *a, unsigned failed)
{
	if (failed > 0)
		atomic_fetch_add_explicit(&a->osc_failures, failed, memory_order_relaxed);
}

/* Takes what main left in the mailbox; gives back what it replaces. */
static void take_mailbox(struct foh_analyzer *a, struct mailbox *m)
{
	pthread_mutex_lock(&a->mbox_lock);
	if (a->mbox.have_spectrum) {
		a->mbox.old_spectrum = a->spectrum;
		a->spectrum = a->mbox.spectrum;
		a->mbox.spectrum = NULL;
		a->mbox.have_spectrum = false;
	}
	if (a->mbox.have_osc) {
		a->mbox.old_osc = a->osc;
		a->osc = a->mbox.osc;
		a->mbox.osc = NULL;
		a->mbox.have_osc = false;
	}
	*m = a->mbox;
	a->mbox.meta = false;
	pthread_mutex_unlock(&a->mbox_lock);
}

static void send_meta(struct foh_analyzer *a, const struct mailbox *m, uint32_t frames)
{
	uint32_t bins = a->spectrum ? foh_spectrum_n_bins(a->spectrum) : m->bins;

	count_failures(a, foh_osc_send_meta(a->osc, (int32_t)a->rate, (int32_t)frames,
				(int32_t)bins, m->edges));
}

static void send_record(struct foh_analyzer *a, const struct record *r)
{
	uint64_t t = now_ns();

	count_failures(a, foh_osc_send_lmh(a->osc, r->value));
	count_failures(a, foh_osc_send_lmh_raw(a->osc, r->raw));
	for (int b = 0; b < 3; b++)
		if (r->onset[b])
			count_failures(a, foh_osc_send_onset(a->osc, (enum foh_band)b));
	/* tempo: when it moves by 0.1 BPM, and once a second anyway */
	if (r->bpm > 0 && (fabsf(r->bpm - a->last_bpm_sent) >= 0.1f ||
				t - a->last_bpm_ns >= SPA_NSEC_PER_SEC)) {
		count_failures(a, foh_osc_send_bpm(a->osc, r->bpm));
		a->last_bpm_sent = r->bpm;
		a->last_bpm_ns = t;
	}
	for (int b = 0; b < 3; b++)
		atomic_store_explicit(&a->lmh_out[b], r->value[b], memory_order_relaxed);
	atomic_store_explicit(&a->bpm_out, r->bpm, memory_order_relaxed);
}

static void drain_records(struct foh_analyzer *a, struct mailbox *m)
{
	uint32_t idx;
	int32_t avail = spa_ringbuffer_get_read_index(&a->rec_ring, &idx);

	for (int32_t i = 0; i < avail; i++) {
		const struct record *r = &a->recs[(idx + (uint32_t)i) & (RECORDS - 1)];
		if (m->meta || r->frames != a->last_frames) {
			a->last_frames = r->frames;
			send_meta(a, m, r->frames);
			m->meta = false;
		}
		send_record(a, r);
	}
	if (avail > 0)
		spa_ringbuffer_read_update(&a->rec_ring, idx + (uint32_t)avail);
}

static void run_fft(struct foh_analyzer *a, const struct mailbox *m)
{
	uint32_t idx;
	int32_t avail = spa_ringbuffer_get_read_index(&a->smp_ring, &idx);

	while (avail > 0) {
		uint32_t n = SPA_MIN((uint32_t)avail, (uint32_t)SPA_N_ELEMENTS(a->chunk));
		spa_ringbuffer_read_data(&a->smp_ring, a->smp, SAMPLES * sizeof(float),
				(idx & (SAMPLES - 1)) * sizeof(float), a->chunk, n * sizeof(float));
		idx += n;
		avail -= (int32_t)n;
		spa_ringbuffer_read_update(&a->smp_ring, idx);
		if (a->spectrum == NULL || !m->fft)
			continue;
		foh_spectrum_push(a->spectrum, a->chunk, n);
		for (;;) {
			uint64_t t0 = now_ns();
			if (foh_spectrum_hop(a->spectrum, a->fft_out) != 1)
				break;
			atomic_fetch_add_explicit(&a->fft_ns, now_ns() - t0, memory_order_relaxed);
			atomic_fetch_add_explicit(&a->hops, 1, memory_order_relaxed);
			if (a->osc != NULL)
				count_failures(a, foh_osc_send_fft(a->osc, a->fft_out,
							foh_spectrum_n_bins(a->spectrum), m->send_fft));
		}
	}
}

static void *worker_main(void *data)
{
	struct foh_analyzer *a = data;
	struct pollfd pfd = { .fd = a->wake_fd, .events = POLLIN };
	struct mailbox m;
	bool meta_pending = false;
	uint64_t count;

	while (!atomic_load(&a->quit)) {
		/* woken by the data thread, by post() and by quit: no timeout */
		if (poll(&pfd, 1, -1) > 0)
			(void)!read(a->wake_fd, &count, sizeof(count));
		take_mailbox(a, &m);
		/* a change's /audio/meta goes out with the next record: keep the
		 * request until there is one */
		m.meta = meta_pending = meta_pending || m.meta;
		if (a->osc == NULL)
			continue;
		drain_records(a, &m);
		meta_pending = m.meta;
		run_fft(a, &m);
	}
	return NULL;
}

/* ---- main thread ------------------------------------------------------ */

static void free_returned(struct foh_analyzer *a)
{
	struct foh_spectrum *s;
	struct foh_osc_out *o;

	pthread_mutex_lock(&a->mbox_lock);
	s = a->mbox.old_spectrum;
	o = a->mbox.old_osc;
	a->mbox.old_spectrum = NULL;
	a->mbox.old_osc = NULL;
	pthread_mutex_unlock(&a->mbox_lock);
	foh_spectrum_free(s);	/* FFTW plans are made and freed on main only */
	foh_osc_out_free(o);
}

static void post(struct foh_analyzer *a, struct foh_spectrum *spectrum, bool new_spectrum,
		struct foh_osc_out *osc, bool new_osc)
{
	const struct foh_analyzer_settings *s = &a->settings;
	struct foh_spectrum *stale_s = NULL;
	struct foh_osc_out *stale_o = NULL;
	uint64_t one = 1;

	free_returned(a);
	pthread_mutex_lock(&a->mbox_lock);
	if (new_spectrum) {
		stale_s = a->mbox.have_spectrum ? a->mbox.spectrum : NULL;
		a->mbox.spectrum = spectrum;
		a->mbox.have_spectrum = true;
	}
	if (new_osc) {
		stale_o = a->mbox.have_osc ? a->mbox.osc : NULL;
		a->mbox.osc = osc;
		a->mbox.have_osc = true;
	}
	a->mbox.fft = s->fft;
	a->mbox.send_fft = s->send_fft;
	a->mbox.bins = s->fft_bins;
	for (int b = 0; b < 3; b++) {
		a->mbox.edges[2 * b] = (float)s->band_lo[b];
		a->mbox.edges[2 * b + 1] = (float)s->band_hi[b];
	}
	a->mbox.meta = true;
	pthread_mutex_unlock(&a->mbox_lock);
	/* never taken by the worker: replaced before it looked */
	foh_spectrum_free(stale_s);
	foh_osc_out_free(stale_o);
	atomic_store(&a->fft_on, s->fft);
	atomic_store(&a->osc_on, foh_osc_destinations_live(s->destinations));
	(void)!write(a->wake_fd, &one, sizeof(one));
}

/* Builds the spectrum for the current settings and rate (NULL before a
 * rate is known or when it cannot be built); the caller posts it together
 * with its other changes, so one change is one /audio/meta. */
static struct foh_spectrum *build_spectrum(struct foh_analyzer *a)
{
	struct foh_spectrum_params p;
	struct foh_spectrum *s = NULL;
	int res;

	if (a->rate == 0)
		return NULL;
	spectrum_params(&a->settings, &p);
	if ((res = foh_spectrum_configure(&s, &p, a->rate)) < 0) {
		foh_warn("analyzer: cannot set up the FFT: %s", strerror(-res));
		return NULL;
	}
	return s;
}

static int invoke_dsp(struct foh_analyzer *a, bool init)
{
	struct dsp_setup setup = { .rate = a->rate, .init = init };

	if (a->stream == NULL || a->rate == 0)
		return 0;
	lmh_params(&a->settings, &setup.lmh);
	foh_onset_default_params(&setup.onset);
	return pw_loop_invoke(a->data_loop, do_dsp_setup, 0, &setup, sizeof(setup), false, a) < 0
		? -EIO : 0;
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	struct foh_analyzer *a = data;
	struct spa_audio_info_raw info = { 0 };

	if (id != SPA_PARAM_Format || param == NULL)
		return;
	if (spa_format_audio_raw_parse(param, &info) < 0 || info.rate == 0)
		return;
	if (info.rate == a->rate && a->dsp_ready)
		return;
	a->rate = info.rate;
	if (invoke_dsp(a, true) < 0)
		foh_warn("analyzer: cannot set up its DSP");
	struct foh_spectrum *spectrum = build_spectrum(a);
	if (spectrum != NULL)
		post(a, spectrum, true, NULL, false);
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
		const char *error)
{
	if (state == PW_STREAM_STATE_ERROR)
		foh_warn("analyzer: stream error: %s", error ? error : "unknown");
}

static void on_destroy(void *data)
{
	struct foh_analyzer *a = data;

	spa_hook_remove(&a->listener);
	a->stream = NULL;
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.destroy = on_destroy,
	.state_changed = on_state_changed,
	.param_changed = on_param_changed,
	.process = on_process,
};

void foh_analyzer_source_target(const char *source, char *target, size_t len)
{
	unsigned n;

	if (sscanf(source, "channel/%u", &n) == 1)
		snprintf(target, len, "foh.ch%u.playback", n);
	else
		snprintf(target, len, "%s", source);
}

int foh_analyzer_connect(struct foh_analyzer *a, struct pw_core *core, struct pw_loop *data_loop,
		bool source_is_sink)
{
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32,
			.channels = 1, .position = { SPA_AUDIO_CHANNEL_MONO });
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_properties *props;
	char target[300];
	int res;

	if (a->stream != NULL)
		return 0;
	a->data_loop = data_loop;
	a->dsp_ready = false;
	a->rate = 0;
	atomic_store_explicit(&a->stopping, false, memory_order_release);
	props = pw_properties_new(PW_KEY_NODE_NAME, "foh.analyzer",
			PW_KEY_NODE_DESCRIPTION, "foh Analyzer",
			PW_KEY_MEDIA_NAME, "foh Analyzer input",
			PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CATEGORY, "Capture",
			PW_KEY_MEDIA_ROLE, "Production",
			PW_KEY_NODE_LATENCY, "256/48000",
			/* a stereo source downmixed at unity, not +3 dB */
			"channelmix.normalize", "true",
			NULL);
	if (props == NULL)
		return -errno;
	foh_analyzer_source_target(a->settings.source, target, sizeof(target));
	if (target[0] != '\0')
		pw_properties_set(props, PW_KEY_TARGET_OBJECT, target);
	/* a sink as the Source: what is playing into it */
	a->source_is_sink = target[0] != '\0' && source_is_sink;
	if (a->source_is_sink)
		pw_properties_set(props, PW_KEY_STREAM_CAPTURE_SINK, "true");
	if ((a->stream = pw_stream_new(core, "foh analyzer", props)) == NULL)
		return -errno;
	pw_stream_add_listener(a->stream, &a->listener, &stream_events, a);
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	res = pw_stream_connect(a->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
			PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
			PW_STREAM_FLAG_RT_PROCESS | (a->active ? 0 : PW_STREAM_FLAG_INACTIVE),
			params, 1);
	if (res < 0)
		foh_analyzer_disconnect(a);
	return res;
}

bool foh_analyzer_source_is_sink(const struct foh_analyzer *a)
{
	return a->stream != NULL && a->source_is_sink;
}

void foh_analyzer_set_active(struct foh_analyzer *a, bool active)
{
	if (a->active == active)
		return;
	a->active = active;
	if (a->stream != NULL)
		pw_stream_set_active(a->stream, active);
	foh_debug("analyzer: %s", active ? "active" : "idle");
}

bool foh_analyzer_active(const struct foh_analyzer *a)
{
	return a->active;
}

bool foh_analyzer_sends_osc(const struct foh_analyzer *a)
{
	return atomic_load_explicit(&a->osc_on, memory_order_relaxed);
}

bool foh_analyzer_connected(const struct foh_analyzer *a)
{
	return a->stream != NULL;
}

static int do_stop_ack(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	struct foh_analyzer *a = user_data;

	atomic_store_explicit(&a->stop_acked, true, memory_order_release);
	return 0;
}

/* Before the stream is destroyed the data thread must be out of on_process
 * and must not enter it again (a cycle in flight at SIGTERM used the
 * stream as it went: ASan caught a SEGV in pw_stream_queue_buffer). The
 * data loop runs queued invokes between cycles, so the acknowledgement
 * means any cycle in flight has ended; the wait is bounded. */
static void quiesce(struct foh_analyzer *a)
{
	struct timespec ms = { 0, 1000000 };

	atomic_store_explicit(&a->stopping, true, memory_order_release);
	atomic_store_explicit(&a->stop_acked, false, memory_order_relaxed);
	if (a->data_loop == NULL ||
	    pw_loop_invoke(a->data_loop, do_stop_ack, 0, NULL, 0, false, a) < 0)
		return;
	for (int i = 0; i < 500 && !atomic_load_explicit(&a->stop_acked, memory_order_acquire); i++)
		nanosleep(&ms, NULL);
}

void foh_analyzer_disconnect(struct foh_analyzer *a)
{
	if (a->stream != NULL) {
		quiesce(a);
		pw_stream_destroy(a->stream);
	}
	a->stream = NULL;
	a->dsp_ready = false;
}

int foh_analyzer_new(const struct foh_analyzer_settings *s, struct foh_analyzer **out)
{
	struct foh_analyzer *a = calloc(1, sizeof(*a));
	struct foh_osc_out *osc = NULL;
	int res;

	if (a == NULL)
		return -ENOMEM;
	a->settings = *s;
	spa_ringbuffer_init(&a->rec_ring);
	spa_ringbuffer_init(&a->smp_ring);
	pthread_mutex_init(&a->mbox_lock, NULL);
	if ((a->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		res = -errno;
		goto error;
	}
	if ((res = foh_osc_out_new(s->destinations, &osc)) < 0)
		goto error;
	post(a, NULL, false, osc, true);
	if ((res = -pthread_create(&a->worker, NULL, worker_main, a)) < 0)
		goto error;
	a->worker_started = true;
	*out = a;
	return 0;
error:
	foh_analyzer_free(a);
	return res;
}

void foh_analyzer_free(struct foh_analyzer *a)
{
	if (a == NULL)
		return;
	foh_analyzer_disconnect(a);
	if (a->worker_started) {
		uint64_t one = 1;
		atomic_store(&a->quit, true);
		(void)!write(a->wake_fd, &one, sizeof(one));
		pthread_join(a->worker, NULL);
	}
	free_returned(a);
	foh_spectrum_free(a->spectrum);
	foh_spectrum_free(a->mbox.spectrum);
	foh_osc_out_free(a->osc);
	foh_osc_out_free(a->mbox.osc);
	if (a->wake_fd >= 0)
		close(a->wake_fd);
	pthread_mutex_destroy(&a->mbox_lock);
	free(a);
}

static bool geometry_changed(const struct foh_analyzer_settings *a,
		const struct foh_analyzer_settings *b)
{
	return a->fft_window != b->fft_window || a->fft_hop != b->fft_hop ||
		a->fft_bins != b->fft_bins || a->fft_min_hz != b->fft_min_hz ||
		a->peak_smear != b->peak_smear || a->raw_db != b->raw_db ||
		memcmp(a->attack, b->attack, sizeof(a->attack)) != 0 ||
		memcmp(a->release, b->release, sizeof(a->release)) != 0 ||
		a->autoscale_attack != b->autoscale_attack ||
		a->autoscale_release != b->autoscale_release ||
		a->noise_floor != b->noise_floor || a->strength != b->strength ||
		memcmp(a->band_lo, b->band_lo, sizeof(a->band_lo)) != 0 ||
		memcmp(a->band_hi, b->band_hi, sizeof(a->band_hi)) != 0;
}

int foh_analyzer_apply(struct foh_analyzer *a, const struct foh_analyzer_settings *s)
{
	struct foh_analyzer_settings prev = a->settings;
	struct foh_osc_out *osc = NULL;
	bool new_osc = strcmp(prev.destinations, s->destinations) != 0;
	int res;

	if (new_osc && (res = foh_osc_out_new(s->destinations, &osc)) < 0)
		return res;
	a->settings = *s;
	/* The spectrum is rebuilt for any change it depends on: the plan is
	 * cheap next to a hop's worth of audio, and it keeps one code path. */
	struct foh_spectrum *spectrum = geometry_changed(&prev, s) ? build_spectrum(a) : NULL;
	post(a, spectrum, spectrum != NULL, osc, new_osc);
	if ((res = invoke_dsp(a, false)) < 0)
		return res;
	return 0;
}

const struct foh_analyzer_settings *foh_analyzer_settings(const struct foh_analyzer *a)
{
	return &a->settings;
}

uint32_t foh_analyzer_rate(const struct foh_analyzer *a)
{
	return a->rate;
}

void foh_analyzer_stats(struct foh_analyzer *a, struct foh_analyzer_stats *out)
{
	uint64_t blocks = atomic_load(&a->blocks), hops = atomic_load(&a->hops);

	free_returned(a);
	out->ring_drops = atomic_load(&a->ring_drops);
	out->osc_failures = atomic_load(&a->osc_failures);
	out->blocks = blocks;
	out->hops = hops;
	out->skipped_hops = 0;
	out->lmh_ns_per_block = blocks ? (double)atomic_load(&a->lmh_ns) / (double)blocks : 0.0;
	out->fft_ns_per_hop = hops ? (double)atomic_load(&a->fft_ns) / (double)hops : 0.0;
	for (int b = 0; b < 3; b++)
		out->lmh[b] = atomic_load(&a->lmh_out[b]);
	out->bpm = atomic_load(&a->bpm_out);
}
