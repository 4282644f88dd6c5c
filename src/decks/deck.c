/* The decks' mixer node foh.decks; see deck.h.
 *
 * Stream: foh.decks, Stream/Output/Audio, stereo F32P, target.object =
 * [decks] output (else the default sink). */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#include "decks/deck.h"
#include "util/log.h"

#define GAIN_SMOOTH_MS	5.0f
#define MAX_FRAMES	8192u

struct deck_rt {
	struct foh_deck_ring ring;
	/* data thread */
	struct foh_killeq eq;
	struct foh_deck_rt_params params;
	float gain, gain_target;
	float fade_step, fade_to;	/* a FadeGain ramp, per sample */
	bool fading;
	bool playing;
	/* data thread → main */
	atomic_bool a_playing, a_ended, a_starting;
	atomic_uint_fast64_t underruns;
	_Atomic double position;
};

struct foh_decks {
	uint32_t count;
	struct pw_loop *data_loop;
	struct pw_stream *stream;
	struct spa_hook listener;
	uint32_t rate;
	struct spa_io_position *position;
	struct foh_xrun_counter *xr;
	/* main thread: the stream is scheduled only while a deck plays or
	 * starts, and IDLE_HOLD_NS after */
	bool active;
	uint64_t active_until;

	/* data thread */
	bool ready;			/* rate known, EQs set up */
	float gain_alpha;
	uint32_t start_mask;
	uint32_t start_gen[FOH_DECKS_MAX];
	float xf, xf_target, xf_step;	/* crossfader, per sample */
	bool xf_on, xf_was_on;		/* CrossfaderEnabled now, and last cycle */
	float scratch[MAX_FRAMES * 2];
	struct deck_rt deck[FOH_DECKS_MAX];

	_Atomic float xf_pub;
	atomic_uint_fast64_t busy_ns, cycle_ns;
	atomic_bool stopping, stop_acked;
};

/* The decks' node stays scheduled this long after the last deck stopped. */
#define IDLE_HOLD_NS	(2ull * SPA_NSEC_PER_SEC)

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static float db_to_gain(float db)
{
	return db <= -80.0f ? 0.0f : powf(10.0f, db / 20.0f);
}

/* ---- data thread ------------------------------------------------------ */

static bool primed(struct deck_rt *d, uint32_t gen)
{
	return (int32_t)(atomic_load_explicit(&d->ring.primed_gen, memory_order_acquire) - gen) >= 0;
}

static void start_group(struct foh_decks *m)
{
	for (uint32_t i = 0; i < m->count; i++)
		if ((m->start_mask & (1u << i)) && !primed(&m->deck[i], m->start_gen[i]))
			return;
	/* all there: every deck of the group starts at frame 0 of this cycle */
	for (uint32_t i = 0; i < m->count; i++) {
		struct deck_rt *d = &m->deck[i];
		if (!(m->start_mask & (1u << i)))
			continue;
		d->playing = true;
		atomic_store_explicit(&d->a_playing, true, memory_order_relaxed);
		atomic_store_explicit(&d->a_ended, false, memory_order_relaxed);
		atomic_store_explicit(&d->a_starting, false, memory_order_relaxed);
	}
	m->start_mask = 0;
}

/* Reads up to n frames of deck d into m->scratch; the rest is silence.
 * Returns false when the deck stopped here (its track ended). */
static void read_deck(struct foh_decks *m, struct deck_rt *d, uint32_t n)
{
	struct foh_deck_ring *r = &d->ring;
	uint32_t idx, done = 0;
	int32_t avail = spa_ringbuffer_get_read_index(&r->rb, &idx);
	bool ended = false;

	if (avail < 0)
		avail = 0;
	while (done < n && done < (uint32_t)avail) {
		uint32_t at = idx + done, slot = (at / FOH_DECK_BLOCK) % FOH_DECK_MARKS;
		uint32_t seg = SPA_MIN(n - done, FOH_DECK_BLOCK - at % FOH_DECK_BLOCK);
		seg = SPA_MIN(seg, (uint32_t)avail - done);
		if (r->mark_end[slot]) {
			ended = true;
			break;
		}
		memcpy(m->scratch + done * 2, r->data + (at & (FOH_DECK_RING_FRAMES - 1)) * 2,
				seg * 2 * sizeof(float));
		atomic_store_explicit(&d->position, r->mark_pos[slot] +
				(double)(at % FOH_DECK_BLOCK) / m->rate, memory_order_relaxed);
		done += seg;
	}
	spa_ringbuffer_read_update(&r->rb, idx + done);
	if (done < n)
		memset(m->scratch + done * 2, 0, (n - done) * 2 * sizeof(float));
	if (ended) {
		d->playing = false;
		atomic_store_explicit(&d->a_playing, false, memory_order_relaxed);
		atomic_store_explicit(&d->a_ended, true, memory_order_relaxed);
	} else if (done < n) {
		/* ran dry: silence now, count it, carry on when data is back */
		atomic_fetch_add_explicit(&d->underruns, 1, memory_order_relaxed);
	}
}

/* Deck i's crossfader gain at position xf: equal power, a gets cos and b
 * sin of the quarter turn; 1 when the crossfader is off and for c, d. */
static float xf_law(uint32_t i, float xf, bool on)
{
	if (!on || i > 1)
		return 1.0f;
	return i == 0 ? cosf(xf * (float)M_PI_2) : sinf(xf * (float)M_PI_2);
}

/* One sample of a FadeGain ramp: linear in amplitude. */
static float fade_advance(struct deck_rt *d, float gt, uint32_t n)
{
	gt += d->fade_step * (float)n;
	if ((d->fade_step <= 0.0f && gt <= d->fade_to) || (d->fade_step >= 0.0f && gt >= d->fade_to)) {
		gt = d->fade_to;
		d->fading = false;
	}
	return gt;
}

static void mix_deck(struct foh_decks *m, uint32_t i, float *l, float *r, uint32_t n,
		float xf0, float xf1)
{
	struct deck_rt *d = &m->deck[i];
	float g = d->gain, gt = d->gain_target, a = m->gain_alpha;
	float c0, c1, dc;

	if (foh_deck_ring_service_flush(&d->ring) && d->playing) {
		d->playing = false;
		if (atomic_load_explicit(&d->ring.flush_stops, memory_order_relaxed)) {
			/* a new track: it waits for Play */
			atomic_store_explicit(&d->a_playing, false, memory_order_relaxed);
		} else {
			/* a seek under a playing deck: it restarts once the new data
			 * is primed, silent meanwhile, no underrun (the main thread's
			 * start names the exact generation; this is the fallback) */
			m->start_mask |= 1u << i;
			m->start_gen[i] = atomic_load_explicit(&d->ring.primed_gen,
					memory_order_relaxed) + 1;
			atomic_store_explicit(&d->a_starting, true, memory_order_relaxed);
		}
	}
	if (!d->playing) {
		/* a fade runs its course on a silent deck too */
		if (d->fading)
			d->gain = d->gain_target = fade_advance(d, gt, n);
		return;
	}
	read_deck(m, d, n);
	foh_killeq_run(&d->eq, m->scratch, n);
	c0 = xf_law(i, xf0, m->xf_was_on);
	c1 = xf_law(i, xf1, m->xf_on);
	dc = n > 0 ? (c1 - c0) / (float)n : 0.0f;
	for (uint32_t k = 0; k < n; k++) {
		float gain;
		if (d->fading)
			g = gt = fade_advance(d, gt, 1);
		else
			g += a * (gt - g);
		gain = g * (c0 + dc * (float)k);
		l[k] += gain * m->scratch[2 * k];
		r[k] += gain * m->scratch[2 * k + 1];
	}
	d->gain = fabsf(gt - g) < 1e-7f ? gt : g;
	d->gain_target = gt;
}

static uint32_t buffer_frames(struct foh_decks *m, struct pw_buffer *b)
{
	uint32_t n = b->buffer->datas[0].maxsize / sizeof(float);

	if (b->buffer->datas[1].maxsize / sizeof(float) < n)
		n = b->buffer->datas[1].maxsize / sizeof(float);
	if (b->requested > 0 && b->requested < n)
		n = (uint32_t)b->requested;
	return SPA_MIN(n, MAX_FRAMES);
}

static float advance_crossfader(struct foh_decks *m, uint32_t n)
{
	float x = m->xf + m->xf_step * (float)n;

	if ((m->xf_step > 0.0f && x >= m->xf_target) || (m->xf_step < 0.0f && x <= m->xf_target) ||
	    m->xf_step == 0.0f) {
		x = m->xf_target;
		m->xf_step = 0.0f;
	}
	m->xf = x;
	atomic_store_explicit(&m->xf_pub, x, memory_order_relaxed);
	return x;
}

static void run(struct foh_decks *m, struct pw_buffer *b)
{
	struct spa_data *dl = &b->buffer->datas[0], *dr = &b->buffer->datas[1];
	float *l = dl->data, *r = dr->data, xf0;
	uint32_t n;

	if (b->buffer->n_datas < 2 || l == NULL || r == NULL)
		return;
	n = buffer_frames(m, b);
	memset(l, 0, n * sizeof(float));
	memset(r, 0, n * sizeof(float));
	if (m->ready) {
		if (m->start_mask != 0)
			start_group(m);
		xf0 = m->xf;
		advance_crossfader(m, n);
		for (uint32_t i = 0; i < m->count; i++)
			mix_deck(m, i, l, r, n, xf0, m->xf);
		m->xf_was_on = m->xf_on;
	}
	for (int c = 0; c < 2; c++) {
		struct spa_data *d = &b->buffer->datas[c];
		d->chunk->offset = 0;
		d->chunk->size = n * sizeof(float);
		d->chunk->stride = sizeof(float);
	}
}

static void account_time(struct foh_decks *m, uint64_t start, uint64_t end)
{
	struct spa_io_position *pos = m->position;
	uint64_t cycle;

	if (pos == NULL || pos->clock.rate.denom == 0)
		return;
	cycle = pos->clock.duration * SPA_NSEC_PER_SEC * pos->clock.rate.num / pos->clock.rate.denom;
	atomic_fetch_add_explicit(&m->busy_ns, end - start, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->cycle_ns, cycle, memory_order_relaxed);
	if (m->xr != NULL && pos->clock.next_nsec != 0 && end > pos->clock.next_nsec &&
	    start < pos->clock.next_nsec) {
		uint64_t id = pos->clock.position + 1;
		if (atomic_exchange_explicit(&m->xr->last_cycle, id, memory_order_relaxed) != id)
			atomic_fetch_add_explicit(&m->xr->xruns, 1, memory_order_relaxed);
	}
}

/* The RT-safety checker's hooks (tests/rt); NULL in normal runs. */
void foh_rt_enter(void) __attribute__((weak));
void foh_rt_leave(void) __attribute__((weak));

static void on_process(void *data)
{
	struct foh_decks *m = data;
	uint64_t start = monotonic_ns();
	struct pw_buffer *b;

	if (foh_rt_enter)
		foh_rt_enter();
	if (atomic_load_explicit(&m->stopping, memory_order_acquire))
		goto out;
	if ((b = pw_stream_dequeue_buffer(m->stream)) != NULL) {
		run(m, b);
		pw_stream_queue_buffer(m->stream, b);
	}
	account_time(m, start, monotonic_ns());
out:
	if (foh_rt_leave)
		foh_rt_leave();
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct foh_decks *m = data;

	if (id == SPA_IO_Position)
		m->position = area;
}

/* ---- invokes: run on the data thread (or directly while disconnected) -- */

static int do_setup(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;
	uint32_t rate = *(const uint32_t *)data;

	m->gain_alpha = 1.0f - expf(-1000.0f / (GAIN_SMOOTH_MS * (float)rate));
	for (uint32_t i = 0; i < m->count; i++) {
		struct deck_rt *d = &m->deck[i];
		foh_killeq_init(&d->eq, rate);
		foh_killeq_set(&d->eq, &d->params.eq);
		foh_killeq_reset(&d->eq);
		d->gain = d->gain_target = db_to_gain(d->params.gain_db);
	}
	m->ready = true;
	return 0;
}

struct set_msg {
	uint32_t deck;
	struct foh_deck_rt_params p;
};

static int do_set(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;
	const struct set_msg *msg = data;
	struct deck_rt *d = &m->deck[msg->deck];

	/* a new Gain ends a fade; other settings leave it running */
	if (msg->p.gain_db != d->params.gain_db || !d->fading) {
		d->gain_target = db_to_gain(msg->p.gain_db);
		d->fading = false;
	}
	d->params = msg->p;
	if (m->ready)
		foh_killeq_set(&d->eq, &msg->p.eq);
	return 0;
}

struct fade_msg {
	uint32_t deck;
	float gain_db, seconds;
};

static int do_fade(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;
	const struct fade_msg *msg = data;
	struct deck_rt *d = &m->deck[msg->deck];
	float frames = msg->seconds * (float)(m->rate ? m->rate : 48000);
	float to = db_to_gain(msg->gain_db);

	d->params.gain_db = msg->gain_db;
	if (frames < 1.0f || !m->ready) {
		d->gain = d->gain_target = to;
		d->fading = false;
		return 0;
	}
	/* from where the deck is heard now */
	d->gain_target = d->gain;
	d->fade_to = to;
	d->fade_step = (to - d->gain) / frames;
	d->fading = true;
	return 0;
}

struct xf_on_msg {
	bool on;
};

static int do_crossfader_on(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;
	const struct xf_on_msg *msg = data;

	m->xf_on = msg->on;
	if (!m->ready)
		m->xf_was_on = msg->on;
	return 0;
}

struct start_msg {
	uint32_t mask;
	uint32_t gen[FOH_DECKS_MAX];
};

static int do_start(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;
	const struct start_msg *msg = data;

	for (uint32_t i = 0; i < m->count; i++) {
		if (!(msg->mask & (1u << i)))
			continue;
		m->deck[i].playing = false;	/* restarts on the group's sample */
		m->start_gen[i] = msg->gen[i];
		atomic_store_explicit(&m->deck[i].a_starting, true, memory_order_relaxed);
	}
	m->start_mask |= msg->mask;
	return 0;
}

static int do_stop(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;
	uint32_t i = *(const uint32_t *)data;

	m->start_mask &= ~(1u << i);
	m->deck[i].playing = false;
	atomic_store_explicit(&m->deck[i].a_playing, false, memory_order_relaxed);
	atomic_store_explicit(&m->deck[i].a_starting, false, memory_order_relaxed);
	return 0;
}

struct xf_msg {
	float target, seconds;
};

static int do_crossfade(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;
	const struct xf_msg *msg = data;
	float frames = msg->seconds * (float)(m->rate ? m->rate : 48000);

	m->xf_target = msg->target;
	if (frames < 1.0f || !m->ready) {
		m->xf = msg->target;
		m->xf_step = 0.0f;
		atomic_store_explicit(&m->xf_pub, m->xf, memory_order_relaxed);
	} else {
		m->xf_step = (msg->target - m->xf) / frames;
	}
	return 0;
}

/* ---- main thread ------------------------------------------------------ */

static int invoke(struct foh_decks *m, spa_invoke_func_t func, const void *data, size_t size)
{
	int res;

	if (m->stream == NULL)
		/* no process callback runs: the state is ours to change */
		return func(NULL, false, 0, data, size, m);
	res = pw_loop_invoke(m->data_loop, func, 0, data, size, false, m);
	return res < 0 ? res : 0;
}

static void on_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	struct foh_decks *m = data;
	struct spa_audio_info_raw info = { 0 };

	if (id != SPA_PARAM_Format || param == NULL)
		return;
	if (spa_format_audio_raw_parse(param, &info) < 0 || info.rate == 0)
		return;
	m->rate = info.rate;
	if (invoke(m, do_setup, &info.rate, sizeof(info.rate)) < 0)
		foh_warn("decks: cannot set up the mixer");
}

static void on_state_changed(void *data, enum pw_stream_state old, enum pw_stream_state state,
		const char *error)
{
	if (state == PW_STREAM_STATE_ERROR)
		foh_warn("decks: stream error: %s", error ? error : "unknown");
	else
		foh_debug("decks: stream %s", pw_stream_state_as_string(state));
}

static void on_destroy(void *data)
{
	struct foh_decks *m = data;

	spa_hook_remove(&m->listener);
	m->stream = NULL;
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.destroy = on_destroy,
	.state_changed = on_state_changed,
	.io_changed = on_io_changed,
	.param_changed = on_param_changed,
	.process = on_process,
};

int foh_decks_connect(struct foh_decks *m, struct pw_core *core, struct pw_loop *data_loop,
		const char *output)
{
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32P,
			.channels = 2, .position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR });
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_properties *p;
	int res;

	if (m->stream != NULL)
		return 0;
	if ((p = pw_properties_new(PW_KEY_NODE_NAME, "foh.decks",
			PW_KEY_NODE_DESCRIPTION, "foh Decks",
			PW_KEY_MEDIA_NAME, "foh Decks output",
			PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_ROLE, "Music",
			PW_KEY_MEDIA_CLASS, "Stream/Output/Audio",
			PW_KEY_AUDIO_CHANNELS, "2",
			SPA_KEY_AUDIO_POSITION, "[ FL FR ]",
			NULL)) == NULL)
		return -errno;
	if (output != NULL && output[0] != '\0')
		pw_properties_set(p, PW_KEY_TARGET_OBJECT, output);
	m->data_loop = data_loop;
	m->position = NULL;
	atomic_store(&m->stopping, false);
	if ((m->stream = pw_stream_new(core, "foh decks", p)) == NULL)
		return -errno;
	pw_stream_add_listener(m->stream, &m->listener, &stream_events, m);
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	res = pw_stream_connect(m->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
			PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
			PW_STREAM_FLAG_RT_PROCESS | (m->active ? 0 : PW_STREAM_FLAG_INACTIVE),
			params, 1);
	if (res < 0)
		foh_decks_disconnect(m);
	return res;
}

static void set_active(struct foh_decks *m, bool active)
{
	if (m->active == active)
		return;
	m->active = active;
	if (m->stream != NULL)
		pw_stream_set_active(m->stream, active);
	foh_debug("decks: %s", active ? "active" : "idle");
}

void foh_decks_update_active(struct foh_decks *m)
{
	uint64_t now = monotonic_ns();

	for (uint32_t i = 0; i < m->count; i++)
		if (atomic_load_explicit(&m->deck[i].a_playing, memory_order_relaxed) ||
		    atomic_load_explicit(&m->deck[i].a_starting, memory_order_relaxed))
			m->active_until = now + IDLE_HOLD_NS;
	set_active(m, now < m->active_until);
}

bool foh_decks_active(const struct foh_decks *m)
{
	return m->active;
}

static int do_stop_ack(struct spa_loop *loop, bool async, uint32_t seq, const void *data,
		size_t size, void *user_data)
{
	struct foh_decks *m = user_data;

	atomic_store_explicit(&m->stop_acked, true, memory_order_release);
	return 0;
}

/* As in channel.c: the data thread must be out of the callback, and stay
 * out, before the stream goes; bounded so a stopped loop cannot hang us. */
static void quiesce(struct foh_decks *m)
{
	struct timespec ms = { 0, 1000000 };

	atomic_store_explicit(&m->stopping, true, memory_order_release);
	atomic_store_explicit(&m->stop_acked, false, memory_order_relaxed);
	if (m->data_loop == NULL ||
	    pw_loop_invoke(m->data_loop, do_stop_ack, 0, NULL, 0, false, m) < 0)
		return;
	for (int i = 0; i < 500 && !atomic_load_explicit(&m->stop_acked, memory_order_acquire); i++)
		nanosleep(&ms, NULL);
}

void foh_decks_disconnect(struct foh_decks *m)
{
	if (m->stream == NULL)
		return;
	quiesce(m);
	pw_stream_destroy(m->stream);
	m->stream = NULL;
}

bool foh_decks_connected(const struct foh_decks *m)
{
	return m->stream != NULL;
}

uint32_t foh_decks_rate(const struct foh_decks *m)
{
	return m->rate;
}

int foh_decks_new(uint32_t count, struct foh_xrun_counter *xruns, struct foh_decks **out)
{
	struct foh_decks *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return -ENOMEM;
	m->count = SPA_CLAMP(count, 1u, (uint32_t)FOH_DECKS_MAX);
	m->xr = xruns;
	m->xf = m->xf_target = 0.5f;
	m->xf_on = m->xf_was_on = true;
	atomic_init(&m->xf_pub, 0.5f);
	for (uint32_t i = 0; i < FOH_DECKS_MAX; i++) {
		foh_deck_ring_init(&m->deck[i].ring);
		foh_killeq_default_params(&m->deck[i].params.eq);
	}
	*out = m;
	return 0;
}

void foh_decks_free(struct foh_decks *m)
{
	if (m == NULL)
		return;
	foh_decks_disconnect(m);
	free(m);
}

struct foh_deck_ring *foh_decks_ring(struct foh_decks *m, uint32_t deck)
{
	return &m->deck[deck].ring;
}

int foh_decks_set(struct foh_decks *m, uint32_t deck, const struct foh_deck_rt_params *p)
{
	struct set_msg msg = { deck, *p };

	return invoke(m, do_set, &msg, sizeof(msg));
}

int foh_decks_start(struct foh_decks *m, uint32_t mask, const uint32_t gen[FOH_DECKS_MAX])
{
	struct start_msg msg = { .mask = mask };

	/* scheduled from now: the group starts in a process cycle */
	m->active_until = monotonic_ns() + IDLE_HOLD_NS;
	set_active(m, true);
	memcpy(msg.gen, gen, sizeof(msg.gen));
	return invoke(m, do_start, &msg, sizeof(msg));
}

int foh_decks_stop(struct foh_decks *m, uint32_t deck)
{
	return invoke(m, do_stop, &deck, sizeof(deck));
}

int foh_decks_crossfade(struct foh_decks *m, double position, double seconds)
{
	struct xf_msg msg = { (float)position, (float)seconds };

	return invoke(m, do_crossfade, &msg, sizeof(msg));
}

int foh_decks_fade_gain(struct foh_decks *m, uint32_t deck, double gain_db, double seconds)
{
	struct fade_msg msg = { deck, (float)gain_db, (float)seconds };

	return invoke(m, do_fade, &msg, sizeof(msg));
}

int foh_decks_set_crossfader_enabled(struct foh_decks *m, bool on)
{
	struct xf_on_msg msg = { on };

	return invoke(m, do_crossfader_on, &msg, sizeof(msg));
}

double foh_decks_crossfader(const struct foh_decks *m)
{
	return atomic_load_explicit(&m->xf_pub, memory_order_relaxed);
}

void foh_decks_status(struct foh_decks *m, uint32_t deck, struct foh_deck_status *s)
{
	struct deck_rt *d = &m->deck[deck];

	s->playing = atomic_load_explicit(&d->a_playing, memory_order_relaxed);
	s->ended = atomic_load_explicit(&d->a_ended, memory_order_relaxed);
	s->starting = atomic_load_explicit(&d->a_starting, memory_order_relaxed);
	s->position = atomic_load_explicit(&d->position, memory_order_relaxed);
	s->underruns = atomic_load_explicit(&d->underruns, memory_order_relaxed);
}

void foh_decks_stats(struct foh_decks *m, uint64_t *busy_ns, uint64_t *cycle_ns)
{
	*busy_ns = atomic_load_explicit(&m->busy_ns, memory_order_relaxed);
	*cycle_ns = atomic_load_explicit(&m->cycle_ns, memory_order_relaxed);
}
