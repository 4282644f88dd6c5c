/* A channel strip in the PipeWire graph; see channel.h.
 *
 * Streams: foh.chN.capture (a virtual sink "foh Channel N" when no input is
 * configured, else a capture stream with target.object = input) and
 * foh.chN.playback (target.object = output, else the default sink), in the
 * node.group and node.link-group foh.chN so they share a driver and
 * WirePlumber links both. The playback is passive (node.passive) unless
 * asked otherwise: its links do not keep a driver running, so a channel
 * with nothing playing into it lets the graph suspend. WirePlumber makes
 * every link of a passive node passive, so a channel something must hear
 * while it is silent (the analyzer's source) is made not passive. The capture stream's process callback dequeues
 * both buffers, runs the strip and triggers the playback stream. */
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/param/latency-utils.h>
#include <spa/utils/ringbuffer.h>

#include "channel/channel.h"
#include "content/tap.h"
#include "util/log.h"

#define LEVELS_RING	32u		/* power of two */
#define LEVELS_PERIOD_MS 10u

enum { RUNNING, STOP_PLAYBACK, STOP_ALL };	/* foh_channel.stopping */

struct tone {
	double hz, seconds, level_dbfs;		/* seconds 0: none */
};

struct foh_channel {
	uint32_t index;
	struct foh_channel_settings settings;
	struct pw_loop *data_loop;
	struct pw_stream *capture, *playback;
	uint32_t out_channels;		/* the playback stream's: 1 or 2 */
	struct spa_hook capture_listener, playback_listener;
	bool input_is_sink;		/* the capture takes a sink's monitor */
	bool passive;			/* the playback's links are passive */
	uint32_t rate;			/* negotiated; 0 until the format is known */
	struct tone pending_tone;	/* main thread: until the format is known */
	/* main thread owns it; the strip uses it once handed over by a
	 * blocking invoke, so it is freed only after the next one or after
	 * quiesce() */
	struct foh_strip_fx *fx;
	double tempo;			/* BPM for delay-sync; 0 = unknown */
	bool meter_input;		/* the strip meters its input's loudness */

	/* data thread only, once the streams exist */
	struct foh_strip strip;
	bool strip_ready;
	struct spa_io_position *position;
	uint32_t frames_since_levels;

	/* data thread → main thread */
	struct spa_ringbuffer levels_ring;
	struct foh_strip_levels levels[LEVELS_RING];
	struct foh_xrun_counter *xr;
	atomic_uint_fast64_t busy_ns, cycle_ns, dropped_levels, xruns;
	/* main → data: the streams (STOP_ALL) or the playback only
	 * (STOP_PLAYBACK) are about to go; the data thread confirms it is out
	 * of the process callback */
	atomic_int stopping;
	atomic_bool stop_acked;

	/* main → data: wake the main loop with the next levels (once) */
	atomic_int wake_fd;
	atomic_bool wake_armed;

	/* data → the content detector's worker: the input, mono */
	struct foh_content_tap tap;
};

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	/* vDSO: no system call */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* The strip's parameters with delay-sync applied at the channel's tempo. */
static void strip_params(const struct foh_channel *ch, const struct foh_channel_settings *s,
		struct foh_strip_params *p)
{
	double sync = foh_delay_sync_ms(s->delay_sync, ch->tempo);

	foh_channel_strip_params(s, p);
	p->meter_input = ch->meter_input;
	if (sync > 0.0)
		p->delay.time_ms = (float)sync;
}

/* ---- data thread ------------------------------------------------------ */

static void publish_levels(struct foh_channel *ch, uint32_t n)
{
	uint32_t idx;
	int32_t filled;

	ch->frames_since_levels += n;
	if (ch->frames_since_levels * 1000u < LEVELS_PERIOD_MS * ch->rate)
		return;
	ch->frames_since_levels = 0;
	filled = spa_ringbuffer_get_write_index(&ch->levels_ring, &idx);
	if (filled >= (int32_t)LEVELS_RING) {
		/* full: drop and count, never move the reader */
		atomic_fetch_add_explicit(&ch->dropped_levels, 1, memory_order_relaxed);
		return;
	}
	foh_strip_levels(&ch->strip, &ch->levels[idx & (LEVELS_RING - 1)]);
	spa_ringbuffer_write_update(&ch->levels_ring, idx + 1);
	if (atomic_load_explicit(&ch->wake_armed, memory_order_relaxed) &&
	    atomic_exchange_explicit(&ch->wake_armed, false, memory_order_acq_rel)) {
		/* the one system call allowed here: waking another loop */
		uint64_t one = 1;
		(void)!write(atomic_load_explicit(&ch->wake_fd, memory_order_relaxed), &one,
				sizeof(one));
	}
}

static uint32_t buffer_frames(struct pw_buffer *in, struct pw_buffer *out, uint32_t chans)
{
	uint32_t n = UINT32_MAX;

	for (uint32_t c = 0; c < chans; c++) {
		struct spa_data *ds = &in->buffer->datas[c], *dd = &out->buffer->datas[c];
		uint32_t offset = SPA_MIN(ds->chunk->offset, ds->maxsize);
		uint32_t size = SPA_MIN(ds->chunk->size, ds->maxsize - offset);
		uint32_t frames = SPA_MIN(size, dd->maxsize) / (uint32_t)sizeof(float);
		n = SPA_MIN(n, frames);
	}
	return n == UINT32_MAX ? 0 : n;
}

static void run_buffers(struct foh_channel *ch, struct pw_buffer *in, struct pw_buffer *out)
{
	uint32_t chans = ch->settings.audio_channels, n;
	uint32_t outs = ch->strip_ready ? ch->strip.out_channels : chans;
	const float *src[2];
	float *dst[2];

	if (in->buffer->n_datas < chans || out->buffer->n_datas < outs)
		return;
	n = buffer_frames(in, out, chans);
	for (uint32_t c = 0; c < chans; c++) {
		struct spa_data *ds = &in->buffer->datas[c];
		src[c] = SPA_PTROFF(ds->data, ds->chunk->offset, const float);
		if (src[c] == NULL)
			return;
	}
	for (uint32_t c = 0; c < outs; c++) {
		struct spa_data *dd = &out->buffer->datas[c];
		dst[c] = dd->data;
		if (dst[c] == NULL || dd->maxsize < n * sizeof(float))
			return;
		dd->chunk->offset = 0;
		dd->chunk->size = n * sizeof(float);
		dd->chunk->stride = sizeof(float);
	}
	/* what comes in, before the strip shapes it, so a profile the
	 * detector chose does not change what the detector hears */
	foh_content_tap_push(&ch->tap, src, chans, n);
	if (ch->strip_ready) {
		foh_strip_run(&ch->strip, src, dst, n);
		publish_levels(ch, n);
	} else {
		for (uint32_t c = 0; c < outs; c++)
			memset(dst[c], 0, n * sizeof(float));
	}
}

static void account_time(struct foh_channel *ch, uint64_t start, uint64_t end)
{
	struct spa_io_position *pos = ch->position;
	uint64_t cycle;

	if (pos == NULL || pos->clock.rate.denom == 0)
		return;
	cycle = pos->clock.duration * SPA_NSEC_PER_SEC * pos->clock.rate.num / pos->clock.rate.denom;
	atomic_fetch_add_explicit(&ch->busy_ns, end - start, memory_order_relaxed);
	atomic_fetch_add_explicit(&ch->cycle_ns, cycle, memory_order_relaxed);
	if (pos->clock.next_nsec != 0 && end > pos->clock.next_nsec &&
	    start < pos->clock.next_nsec) {
		uint64_t id = pos->clock.position + 1;
		atomic_fetch_add_explicit(&ch->xruns, 1, memory_order_relaxed);
		if (atomic_exchange_explicit(&ch->xr->last_cycle, id, memory_order_relaxed) != id)
			atomic_fetch_add_explicit(&ch->xr->xruns, 1, memory_order_relaxed);
	}
}

/* The RT-safety test preloads a library that defines these and fails the
 * test if malloc, free or a mutex is used between them. Unset (NULL) in
 * normal runs: two predictable branches per cycle. */
void foh_rt_enter(void) __attribute__((weak));
void foh_rt_leave(void) __attribute__((weak));

static void capture_process(void *data)
{
	struct foh_channel *ch = data;
	uint64_t start = monotonic_ns();
	struct pw_buffer *in, *out;

	if (foh_rt_enter)
		foh_rt_enter();
	switch (atomic_load_explicit(&ch->stopping, memory_order_acquire)) {
	case RUNNING:
		break;
	case STOP_PLAYBACK:
		/* the playback is being made anew, the capture stays: its
		 * input is dropped, but its buffers go back at once. A buffer
		 * kept here is never offered again (this callback runs when a
		 * new one arrives), so the capture would stall for good once
		 * all of them were kept, and lag by a quantum for each one kept
		 * before that. */
		while ((in = pw_stream_dequeue_buffer(ch->capture)) != NULL)
			pw_stream_queue_buffer(ch->capture, in);
		goto out;
	default:
		/* both streams are going: neither is touched */
		goto out;
	}

	in = pw_stream_dequeue_buffer(ch->capture);
	out = ch->playback != NULL ? pw_stream_dequeue_buffer(ch->playback) : NULL;
	if (in != NULL && out != NULL)
		run_buffers(ch, in, out);
	if (in != NULL)
		pw_stream_queue_buffer(ch->capture, in);
	if (out != NULL)
		pw_stream_queue_buffer(ch->playback, out);
	if (ch->playback != NULL)
		pw_stream_trigger_process(ch->playback);
	account_time(ch, start, monotonic_ns());
out:
	if (foh_rt_leave)
		foh_rt_leave();
}

static void capture_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct foh_channel *ch = data;

	if (id == SPA_IO_Position)
		ch->position = area;
}

struct strip_setup {
	uint32_t rate, channels, outputs;
	struct foh_strip_fx *fx;
	struct foh_strip_params params;
	struct tone tone;			/* asked for before the format was known */
};

static int do_strip_setup(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	struct foh_channel *ch = user_data;
	const struct strip_setup *setup = data;

	foh_strip_init(&ch->strip, setup->rate, setup->channels, setup->fx);
	foh_strip_set_outputs(&ch->strip, setup->outputs);
	foh_strip_set(&ch->strip, &setup->params);
	if (setup->tone.seconds > 0.0)
		foh_strip_tone(&ch->strip, setup->tone.hz, setup->tone.seconds,
				setup->tone.level_dbfs);
	ch->frames_since_levels = 0;
	ch->strip_ready = true;
	return 0;
}

static int do_strip_set(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	struct foh_channel *ch = user_data;

	if (ch->strip_ready)
		foh_strip_set(&ch->strip, data);
	return 0;
}

static int do_set_outputs(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	struct foh_channel *ch = user_data;

	if (ch->strip_ready)
		foh_strip_set_outputs(&ch->strip, *(const uint32_t *)data);
	return 0;
}

static int do_tone(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	struct foh_channel *ch = user_data;
	const struct tone *t = data;

	if (ch->strip_ready)
		foh_strip_tone(&ch->strip, t->hz, t->seconds, t->level_dbfs);
	return 0;
}

struct ring_swap {
	struct foh_strip_fx *fx;
	struct foh_leveler_ring *ring;
	struct foh_leveler_ring **old;	/* main thread's, waited on */
};

static int do_ring_swap(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	const struct ring_swap *w = data;

	*w->old = foh_leveler_swap_ring(&w->fx->leveler, w->ring);
	return 0;
}

/* ---- main thread ------------------------------------------------------ */

static int invoke(struct foh_channel *ch, spa_invoke_func_t func, const void *data, size_t size)
{
	int res = pw_loop_invoke(ch->data_loop, func, 0, data, size, false, ch);

	return res < 0 ? res : 0;
}

/* Waits until the data thread has run func: what it replaced is unused. */
static int invoke_sync(struct foh_channel *ch, spa_invoke_func_t func, const void *data,
		size_t size)
{
	int res = pw_loop_invoke(ch->data_loop, func, 0, data, size, true, ch);

	return res < 0 ? res : 0;
}

/* The leveler's look-ahead ring exists only while a look-ahead is set
 * (3 s of stereo is 1.1 MB a channel): made or dropped here, off the data
 * thread, and swapped in by a blocking invoke when the data thread has fx
 * (shared), so the old one is unused when it is freed. */
static void sync_leveler_ring(struct foh_channel *ch, struct foh_strip_fx *fx, bool shared)
{
	bool want = ch->settings.leveler_lookahead > 0.0;
	struct foh_leveler_ring *ring = NULL, *old = NULL;
	struct ring_swap w;

	if (fx == NULL || want == foh_leveler_has_ring(&fx->leveler))
		return;
	if (want && (ring = foh_leveler_ring_new(fx->rate, FOH_LEVELER_MAX_LOOKAHEAD)) == NULL) {
		foh_warn("channel %u: no memory for the leveler's look-ahead", ch->index);
		return;
	}
	if (!shared) {
		foh_leveler_ring_free(foh_leveler_swap_ring(&fx->leveler, ring));
		return;
	}
	w = (struct ring_swap){ fx, ring, &old };
	if (invoke_sync(ch, do_ring_swap, &w, sizeof(w)) < 0) {
		foh_warn("channel %u: cannot hand the leveler its look-ahead", ch->index);
		foh_leveler_ring_free(ring);
		return;
	}
	foh_leveler_ring_free(old);
}

static void update_latency(struct foh_channel *ch, const struct spa_pod *param,
		struct pw_stream *other)
{
	struct spa_latency_info latency;
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	uint32_t lookahead = foh_channel_latency(ch);

	if (param == NULL || spa_latency_parse(param, &latency) < 0)
		return;
	/* What passes through us arrives later by the limiter's lookahead. */
	latency.min_rate += lookahead;
	latency.max_rate += lookahead;
	params[0] = spa_latency_build(&b, SPA_PARAM_Latency, &latency);
	pw_stream_update_params(other, params, 1);
}

/* Before any latency arrives from the graph, our ports already report the
 * lookahead: downstream sees it on the playback output, upstream on the
 * capture input. Later updates from the graph are forwarded plus it. */
static void publish_own_latency(struct foh_channel *ch)
{
	uint32_t lookahead = foh_channel_latency(ch);
	struct spa_latency_info out = SPA_LATENCY_INFO(SPA_DIRECTION_OUTPUT,
			.min_rate = lookahead, .max_rate = lookahead);
	struct spa_latency_info in = SPA_LATENCY_INFO(SPA_DIRECTION_INPUT,
			.min_rate = lookahead, .max_rate = lookahead);
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];

	params[0] = spa_latency_build(&b, SPA_PARAM_Latency, &out);
	pw_stream_update_params(ch->playback, params, 1);
	spa_pod_builder_init(&b, buffer, sizeof(buffer));
	params[0] = spa_latency_build(&b, SPA_PARAM_Latency, &in);
	pw_stream_update_params(ch->capture, params, 1);
}

static void capture_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	struct foh_channel *ch = data;
	struct spa_audio_info_raw info = { 0 };
	struct strip_setup setup;

	if (id == SPA_PARAM_Latency) {
		update_latency(ch, param, ch->playback);
		return;
	}
	if (id != SPA_PARAM_Format || param == NULL)
		return;
	if (spa_format_audio_raw_parse(param, &info) < 0 || info.rate == 0)
		return;
	ch->rate = info.rate;
	setup.rate = info.rate;
	setup.channels = ch->settings.audio_channels;
	setup.outputs = ch->out_channels;
	strip_params(ch, &ch->settings, &setup.params);
	setup.tone = ch->pending_tone;
	ch->pending_tone.seconds = 0.0;
	setup.fx = ch->fx;
	if (ch->fx == NULL || ch->fx->rate != info.rate) {
		/* the effects' rings, sized for this rate, allocated here and
		 * never on the data thread */
		struct foh_strip_fx *old = ch->fx;
		int res = foh_strip_fx_new(info.rate, &setup.fx);

		if (res < 0) {
			foh_warn("channel %u: no memory for its effects: %s", ch->index,
					strerror(-res));
			setup.fx = NULL;
		}
		sync_leveler_ring(ch, setup.fx, false);
		if (invoke_sync(ch, do_strip_setup, &setup, sizeof(setup)) < 0) {
			foh_warn("channel %u: cannot set up its strip", ch->index);
			foh_strip_fx_free(setup.fx);
			return;
		}
		ch->fx = setup.fx;
		foh_strip_fx_free(old);
		return;
	}
	sync_leveler_ring(ch, ch->fx, true);
	if (invoke(ch, do_strip_setup, &setup, sizeof(setup)) < 0)
		foh_warn("channel %u: cannot set up its strip", ch->index);
}

static void playback_param_changed(void *data, uint32_t id, const struct spa_pod *param)
{
	struct foh_channel *ch = data;

	if (id == SPA_PARAM_Latency)
		update_latency(ch, param, ch->capture);
}

static void stream_state_changed(void *data, enum pw_stream_state old,
		enum pw_stream_state state, const char *error)
{
	struct foh_channel *ch = data;

	if (state == PW_STREAM_STATE_ERROR)
		foh_warn("channel %u: stream error: %s", ch->index, error ? error : "unknown");
	else
		foh_debug("channel %u: stream %s", ch->index, pw_stream_state_as_string(state));
}

static void capture_destroy(void *data)
{
	struct foh_channel *ch = data;

	spa_hook_remove(&ch->capture_listener);
	ch->capture = NULL;
}

static void playback_destroy(void *data)
{
	struct foh_channel *ch = data;

	spa_hook_remove(&ch->playback_listener);
	ch->playback = NULL;
}

static const struct pw_stream_events capture_events = {
	PW_VERSION_STREAM_EVENTS,
	.destroy = capture_destroy,
	.state_changed = stream_state_changed,
	.io_changed = capture_io_changed,
	.param_changed = capture_param_changed,
	.process = capture_process,
};

static const struct pw_stream_events playback_events = {
	PW_VERSION_STREAM_EVENTS,
	.destroy = playback_destroy,
	.state_changed = stream_state_changed,
	.param_changed = playback_param_changed,
};

static void describe(const struct foh_channel *ch, bool capture, char *desc, size_t dlen,
		char *media, size_t mlen)
{
	if (ch->settings.name[0] != '\0')
		snprintf(desc, dlen, "foh Channel %u (%s)", ch->index, ch->settings.name);
	else
		snprintf(desc, dlen, "foh Channel %u", ch->index);
	snprintf(media, mlen, "%s %s", desc, capture ? "input" : "output");
}

/* A renamed channel shows its new name in the graph at once. */
static void update_descriptions(struct foh_channel *ch)
{
	struct pw_stream *streams[2] = { ch->capture, ch->playback };

	for (int i = 0; i < 2; i++) {
		char desc[128], media[160];
		struct spa_dict_item items[2];

		if (streams[i] == NULL)
			continue;
		describe(ch, i == 0, desc, sizeof(desc), media, sizeof(media));
		items[0] = SPA_DICT_ITEM_INIT(PW_KEY_NODE_DESCRIPTION, desc);
		items[1] = SPA_DICT_ITEM_INIT(PW_KEY_MEDIA_NAME, media);
		pw_stream_update_properties(streams[i], &SPA_DICT_INIT(items, 2));
	}
}

static struct pw_properties *stream_props(struct foh_channel *ch, bool capture)
{
	const struct foh_channel_settings *s = &ch->settings;
	const char *target = capture ? s->input : s->output;
	uint32_t chans = capture ? s->audio_channels : ch->out_channels;
	struct pw_properties *p = pw_properties_new(NULL, NULL);
	char desc[128], media[160];

	if (p == NULL)
		return NULL;
	describe(ch, capture, desc, sizeof(desc), media, sizeof(media));
	pw_properties_setf(p, PW_KEY_NODE_NAME, "foh.ch%u.%s", ch->index,
			capture ? "capture" : "playback");
	pw_properties_set(p, PW_KEY_NODE_DESCRIPTION, desc);
	pw_properties_set(p, PW_KEY_MEDIA_NAME, media);
	pw_properties_setf(p, PW_KEY_NODE_GROUP, "foh.ch%u", ch->index);
	pw_properties_setf(p, PW_KEY_NODE_LINK_GROUP, "foh.ch%u", ch->index);
	pw_properties_set(p, PW_KEY_NODE_VIRTUAL, "true");
	pw_properties_set(p, PW_KEY_MEDIA_TYPE, "Audio");
	pw_properties_set(p, PW_KEY_MEDIA_ROLE, "Production");
	pw_properties_set(p, PW_KEY_AUDIO_CHANNELS, chans == 1 ? "1" : "2");
	pw_properties_set(p, SPA_KEY_AUDIO_POSITION, chans == 1 ? "[ MONO ]" : "[ FL FR ]");
	if (capture && target[0] == '\0')
		/* no input: the channel is a virtual sink apps can play into */
		pw_properties_set(p, PW_KEY_MEDIA_CLASS, "Audio/Sink");
	else
		pw_properties_set(p, PW_KEY_MEDIA_CLASS,
				capture ? "Stream/Input/Audio" : "Stream/Output/Audio");
	if (target[0] != '\0')
		pw_properties_set(p, PW_KEY_TARGET_OBJECT, target);
	if (!capture && ch->passive)
		/* its links do not keep the Output's driver running: only
		 * what plays into the channel does */
		pw_properties_set(p, PW_KEY_NODE_PASSIVE, "true");
	if (capture && target[0] != '\0' && ch->input_is_sink)
		/* a sink as the Input: what plays into it, not the default source */
		pw_properties_set(p, PW_KEY_STREAM_CAPTURE_SINK, "true");
	return p;
}

static int connect_stream(struct pw_stream *stream, uint32_t channels,
		enum pw_direction dir, enum pw_stream_flags extra)
{
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32P);
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];

	info.channels = channels;
	if (info.channels == 1) {
		info.position[0] = SPA_AUDIO_CHANNEL_MONO;
	} else {
		info.position[0] = SPA_AUDIO_CHANNEL_FL;
		info.position[1] = SPA_AUDIO_CHANNEL_FR;
	}
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	return pw_stream_connect(stream, dir, PW_ID_ANY,
			PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
			PW_STREAM_FLAG_RT_PROCESS | extra, params, 1);
}

int foh_channel_connect(struct foh_channel *ch, struct pw_core *core, struct pw_loop *data_loop,
		bool input_is_sink, bool passive)
{
	struct pw_properties *props;
	int res;

	if (ch->capture != NULL)
		return 0;
	ch->data_loop = data_loop;
	ch->input_is_sink = input_is_sink;
	ch->passive = passive;
	atomic_store(&ch->stopping, RUNNING);
	ch->strip_ready = false;
	ch->position = NULL;
	ch->rate = 0;
	ch->pending_tone.seconds = 0.0;
	ch->out_channels = foh_channel_outputs_wanted(&ch->settings);
	spa_ringbuffer_init(&ch->levels_ring);
	if ((props = stream_props(ch, true)) == NULL)
		return -errno;
	ch->capture = pw_stream_new(core, "foh channel capture", props);
	if (ch->capture == NULL)
		goto error_errno;
	pw_stream_add_listener(ch->capture, &ch->capture_listener, &capture_events, ch);
	if ((props = stream_props(ch, false)) == NULL)
		goto error_errno;
	ch->playback = pw_stream_new(core, "foh channel playback", props);
	if (ch->playback == NULL)
		goto error_errno;
	pw_stream_add_listener(ch->playback, &ch->playback_listener, &playback_events, ch);
	if ((res = connect_stream(ch->capture, ch->settings.audio_channels,
					PW_DIRECTION_INPUT, 0)) < 0 ||
	    (res = connect_stream(ch->playback, ch->out_channels,
					PW_DIRECTION_OUTPUT, PW_STREAM_FLAG_TRIGGER)) < 0)
		goto error;
	publish_own_latency(ch);
	return 0;
error_errno:
	res = -errno;
error:
	foh_channel_disconnect(ch);
	return res;
}

static int do_stop_ack(struct spa_loop *loop, bool async, uint32_t seq,
		const void *data, size_t size, void *user_data)
{
	struct foh_channel *ch = user_data;

	atomic_store_explicit(&ch->stop_acked, true, memory_order_release);
	return 0;
}

/* The capture callback uses both streams: before one is destroyed, the
 * data thread must be out of the callback and must not use that stream
 * again (what: the playback alone, or both). It runs
 * queued invokes between cycles, so the acknowledgement means any cycle in
 * flight has ended; the wait is bounded so a stopped loop cannot hang us. */
static void quiesce(struct foh_channel *ch, int what)
{
	struct timespec ms = { 0, 1000000 };

	atomic_store_explicit(&ch->stopping, what, memory_order_release);
	atomic_store_explicit(&ch->stop_acked, false, memory_order_relaxed);
	if (ch->data_loop == NULL ||
	    pw_loop_invoke(ch->data_loop, do_stop_ack, 0, NULL, 0, false, ch) < 0)
		return;
	for (int i = 0; i < 500 && !atomic_load_explicit(&ch->stop_acked, memory_order_acquire); i++)
		nanosleep(&ms, NULL);
}

void foh_channel_disconnect(struct foh_channel *ch)
{
	if (ch->capture != NULL || ch->playback != NULL)
		quiesce(ch, STOP_ALL);
	if (ch->capture != NULL)
		pw_stream_destroy(ch->capture);
	if (ch->playback != NULL)
		pw_stream_destroy(ch->playback);
	ch->capture = ch->playback = NULL;
	ch->strip_ready = false;
}

uint32_t foh_channel_capture_node(const struct foh_channel *ch)
{
	return ch->capture ? pw_stream_get_node_id(ch->capture) : SPA_ID_INVALID;
}

uint32_t foh_channel_playback_node(const struct foh_channel *ch)
{
	return ch->playback ? pw_stream_get_node_id(ch->playback) : SPA_ID_INVALID;
}

bool foh_channel_is_connected(const struct foh_channel *ch)
{
	return ch->capture != NULL;
}

bool foh_channel_input_is_sink(const struct foh_channel *ch)
{
	return ch->input_is_sink;
}

bool foh_channel_is_passive(const struct foh_channel *ch)
{
	return ch->passive;
}

bool foh_channel_playback_streaming(const struct foh_channel *ch)
{
	return ch->playback != NULL &&
		pw_stream_get_state(ch->playback, NULL) == PW_STREAM_STATE_STREAMING;
}

int foh_channel_new(uint32_t index, const struct foh_channel_settings *s,
		struct foh_xrun_counter *xruns, struct foh_channel **out)
{
	struct foh_channel *ch = calloc(1, sizeof(*ch));

	if (ch == NULL)
		return -ENOMEM;
	ch->index = index;
	ch->settings = *s;
	ch->xr = xruns;
	spa_ringbuffer_init(&ch->levels_ring);
	foh_content_tap_init(&ch->tap);
	*out = ch;
	return 0;
}

void foh_channel_free(struct foh_channel *ch)
{
	if (ch == NULL)
		return;
	foh_channel_disconnect(ch);
	foh_strip_fx_free(ch->fx);
	free(ch);
}

uint32_t foh_channel_outputs_wanted(const struct foh_channel_settings *s)
{
	if (s->audio_channels == 2)
		return 2;
	/* what makes a mono channel's output differ left from right */
	return s->reverb_enabled || s->chorus_enabled || s->width != 100.0 ||
		(s->delay_enabled && s->delay_ping_pong) ? 2 : 1;
}

/* A mono channel's first stereo effect: its playback stream is made again
 * with two channels (WirePlumber links it anew), while the capture and
 * the strip, with whatever tail it holds, run on. */
static int reopen_playback(struct foh_channel *ch, uint32_t outputs)
{
	struct pw_core *core = pw_stream_get_core(ch->capture);
	struct pw_properties *props;
	int res;

	quiesce(ch, STOP_PLAYBACK);
	if (ch->playback != NULL)
		pw_stream_destroy(ch->playback);
	ch->out_channels = outputs;
	res = invoke_sync(ch, do_set_outputs, &outputs, sizeof(outputs));
	if (res == 0 && (props = stream_props(ch, false)) == NULL)
		res = -errno;
	if (res == 0 && (ch->playback = pw_stream_new(core, "foh channel playback", props)) == NULL)
		res = -errno;
	if (res == 0) {
		pw_stream_add_listener(ch->playback, &ch->playback_listener, &playback_events, ch);
		res = connect_stream(ch->playback, outputs, PW_DIRECTION_OUTPUT,
				PW_STREAM_FLAG_TRIGGER);
	}
	if (res == 0)
		publish_own_latency(ch);
	else
		foh_warn("channel %u: cannot make its stereo output: %s", ch->index,
				strerror(-res));
	atomic_store_explicit(&ch->stopping, RUNNING, memory_order_release);
	return res;
}

int foh_channel_apply(struct foh_channel *ch, const struct foh_channel_settings *s)
{
	struct foh_strip_params p;
	bool renamed = strcmp(ch->settings.name, s->name) != 0;
	bool lookahead = ch->settings.leveler_lookahead != s->leveler_lookahead;
	int r;

	ch->settings = *s;
	if (ch->capture == NULL)
		return 0;
	if (renamed)
		update_descriptions(ch);
	/* one way only: turning the effects off leaves the output stereo, so a
	 * tail rings out and nothing is re-linked twice */
	if (foh_channel_outputs_wanted(s) > ch->out_channels)
		(void)reopen_playback(ch, 2);
	/* a ring before a look-ahead is set; dropped after it is 0 */
	if (s->leveler_lookahead > 0.0)
		sync_leveler_ring(ch, ch->fx, true);
	strip_params(ch, s, &p);
	r = invoke(ch, do_strip_set, &p, sizeof(p));
	if (!(s->leveler_lookahead > 0.0))
		sync_leveler_ring(ch, ch->fx, true);
	/* the look-ahead is latency: tell the graph */
	if (lookahead)
		publish_own_latency(ch);
	return r;
}

void foh_channel_set_tempo(struct foh_channel *ch, double bpm)
{
	struct foh_strip_params p;

	if (fabs(bpm - ch->tempo) < 0.5)
		return;
	ch->tempo = bpm;
	if (ch->capture == NULL || ch->settings.delay_sync[0] == '\0')
		return;
	strip_params(ch, &ch->settings, &p);
	(void)invoke(ch, do_strip_set, &p, sizeof(p));
}

void foh_channel_meter_input(struct foh_channel *ch, bool on)
{
	struct foh_strip_params p;

	if (ch->meter_input == on)
		return;
	ch->meter_input = on;
	if (ch->capture == NULL)
		return;
	strip_params(ch, &ch->settings, &p);
	(void)invoke(ch, do_strip_set, &p, sizeof(p));
}

const struct foh_channel_settings *foh_channel_settings(const struct foh_channel *ch)
{
	return &ch->settings;
}

int foh_channel_play_tone(struct foh_channel *ch, double hz, double seconds, double level_dbfs)
{
	struct tone t = { hz, seconds, level_dbfs };

	if (ch->capture == NULL)
		return -ENOTCONN;
	if (ch->rate == 0) {
		/* the strip is set up when the format is known; start it then */
		ch->pending_tone = t;
		return 0;
	}
	return invoke(ch, do_tone, &t, sizeof(t));
}

void foh_channel_arm_wake(struct foh_channel *ch, int fd)
{
	atomic_store_explicit(&ch->wake_fd, fd, memory_order_relaxed);
	atomic_store_explicit(&ch->wake_armed, true, memory_order_release);
}

bool foh_channel_levels_pending(struct foh_channel *ch)
{
	uint32_t idx;

	return spa_ringbuffer_get_read_index(&ch->levels_ring, &idx) > 0;
}

bool foh_channel_poll_levels(struct foh_channel *ch, struct foh_strip_levels *out)
{
	uint32_t idx;
	int32_t avail = spa_ringbuffer_get_read_index(&ch->levels_ring, &idx);

	if (avail <= 0)
		return false;
	/* The newest snapshot wins: meters hold their peaks inside the strip. */
	*out = ch->levels[(idx + (uint32_t)avail - 1) & (LEVELS_RING - 1)];
	spa_ringbuffer_read_update(&ch->levels_ring, idx + (uint32_t)avail);
	return true;
}

void foh_channel_stats(struct foh_channel *ch, struct foh_channel_stats *out)
{
	out->busy_ns = atomic_load_explicit(&ch->busy_ns, memory_order_relaxed);
	out->cycle_ns = atomic_load_explicit(&ch->cycle_ns, memory_order_relaxed);
	out->dropped_levels = atomic_load_explicit(&ch->dropped_levels, memory_order_relaxed);
	out->xruns = atomic_load_explicit(&ch->xruns, memory_order_relaxed);
}

struct foh_content_tap *foh_channel_content_tap(struct foh_channel *ch)
{
	return &ch->tap;
}

uint32_t foh_channel_rate(const struct foh_channel *ch)
{
	return ch->rate;
}

uint32_t foh_channel_index(const struct foh_channel *ch)
{
	return ch->index;
}

uint32_t foh_channel_latency(const struct foh_channel *ch)
{
	/* The limiter's lookahead at the negotiated rate (64 at 48 kHz) and
	 * the leveler's, as the strip rounds it. */
	struct foh_limiter l;
	uint32_t rate = ch->rate ? ch->rate : 48000;

	foh_limiter_init(&l, rate);
	return foh_limiter_latency(&l) + (uint32_t)lround(ch->settings.leveler_lookahead * rate);
}
