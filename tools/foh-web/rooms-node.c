/* rooms-node: a publisher's PipeWire source node with a bounded backlog
 * (see rooms-node.h).
 *
 * Threads: every node's pw_stream lives on one pw_thread_loop, made with
 * the first node and kept; the stream processes on PipeWire's data thread
 * (PW_STREAM_FLAG_RT_PROCESS), where on_process only reads the ring and
 * moves its read index: no allocation, lock, log or syscall. The one
 * writer (a GStreamer streaming thread) only moves the write index. */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/utils/result.h>
#include <spa/utils/ringbuffer.h>

#include "foh-web/rooms-node.h"
#include "util/log.h"

#define RATE		48000u
#define CHANNELS	2u
#define STRIDE		(CHANNELS * sizeof(float))
#define RING_FRAMES	8192u		/* power of two, 170 ms */
#define SLACK		(RM_NODE_SLACK_MS * RATE / 1000u)
#define WINDOW		(RATE / 4u)	/* frames over which backlog is measured */

struct rm_node {
	struct pw_stream *stream;
	struct spa_hook listener;
	struct spa_ringbuffer rb;	/* indices count frames */
	uint32_t low, window;		/* data thread: backlog watch */
	atomic_uint_fast64_t skipped, silent;
	float data[RING_FRAMES * CHANNELS];
};

static struct pw_thread_loop *loop;

static void on_process(void *data)
{
	struct rm_node *n = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(n->stream);
	struct spa_data *d;
	uint32_t want, take, r;
	int32_t avail;

	if (b == NULL)
		return;
	d = &b->buffer->datas[0];
	if (d->data == NULL) {
		pw_stream_queue_buffer(n->stream, b);
		return;
	}
	want = d->maxsize / STRIDE;
	if (b->requested > 0 && b->requested < want)
		want = (uint32_t)b->requested;
	avail = spa_ringbuffer_get_read_index(&n->rb, &r);
	/* the least the ring held after a cycle's read, over a window, is
	 * backlog no cycle needed: delay for good. Skip it, down to SLACK.
	 * A burst (two packets at once, then none) is not backlog: its
	 * excess is read before the window ends. */
	if (avail > (int32_t)want)
		n->low = SPA_MIN(n->low, (uint32_t)avail - want);
	else
		n->low = 0;
	n->window += want;
	if (n->window >= WINDOW) {
		if (n->low > SLACK && n->low != UINT32_MAX) {
			uint32_t skip = n->low - SLACK;
			r += skip;
			avail -= (int32_t)skip;
			atomic_fetch_add_explicit(&n->skipped, skip, memory_order_relaxed);
		}
		n->low = UINT32_MAX;
		n->window = 0;
	}
	take = avail > 0 ? SPA_MIN((uint32_t)avail, want) : 0;
	spa_ringbuffer_read_data(&n->rb, n->data, sizeof(n->data), (r % RING_FRAMES) * STRIDE,
			d->data, take * STRIDE);
	spa_ringbuffer_read_update(&n->rb, r + take);
	if (take < want) {
		memset(SPA_PTROFF(d->data, take * STRIDE, void), 0, (want - take) * STRIDE);
		atomic_fetch_add_explicit(&n->silent, want - take, memory_order_relaxed);
	}
	d->chunk->offset = 0;
	d->chunk->stride = STRIDE;
	d->chunk->size = want * STRIDE;
	pw_stream_queue_buffer(n->stream, b);
}

static void on_state(void *data, enum pw_stream_state old, enum pw_stream_state state,
		const char *error)
{
	if (state == PW_STREAM_STATE_ERROR)
		foh_warn("room node: %s", error ? error : "stream error");
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state,
	.process = on_process,
};

static bool loop_start(void)
{
	if (loop)
		return true;
	pw_init(NULL, NULL);
	loop = pw_thread_loop_new("foh-web-rooms", NULL);
	if (loop == NULL || pw_thread_loop_start(loop) < 0) {
		foh_error("rooms: no PipeWire thread loop");
		if (loop)
			pw_thread_loop_destroy(loop);
		loop = NULL;
		return false;
	}
	return true;
}

struct rm_node *rm_node_new(const char *name)
{
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32,
			.rate = RATE, .channels = CHANNELS,
			.position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR });
	uint8_t buffer[1024];
	struct spa_pod_builder pb = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_properties *props;
	struct rm_node *n;
	int r;

	if (!loop_start())
		return NULL;
	n = calloc(1, sizeof(*n));
	if (n == NULL)
		return NULL;
	spa_ringbuffer_init(&n->rb);
	n->low = UINT32_MAX;
	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CLASS, "Audio/Source",
			PW_KEY_NODE_NAME, name,
			PW_KEY_NODE_DESCRIPTION, name,
			PW_KEY_APP_NAME, "foh-web",
			NULL);
	params[0] = spa_format_audio_raw_build(&pb, SPA_PARAM_EnumFormat, &info);
	pw_thread_loop_lock(loop);
	n->stream = pw_stream_new_simple(pw_thread_loop_get_loop(loop), name, props,
			&stream_events, n);
	/* not AUTOCONNECT: the node waits to be linked (a channel takes it
	 * as its Input); not a driver: it follows the graph's clock */
	r = n->stream ? pw_stream_connect(n->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
			PW_STREAM_FLAG_MAP_BUFFERS | PW_STREAM_FLAG_RT_PROCESS, params, 1) : -errno;
	pw_thread_loop_unlock(loop);
	if (r < 0) {
		foh_error("rooms: cannot make the node %s: %s", name, spa_strerror(r));
		rm_node_free(n);
		return NULL;
	}
	return n;
}

void rm_node_write(struct rm_node *n, const float *frames, uint32_t n_frames)
{
	uint32_t w;
	int32_t filled = spa_ringbuffer_get_write_index(&n->rb, &w);
	uint32_t room = filled < 0 ? 0 : RING_FRAMES - SPA_MIN((uint32_t)filled, RING_FRAMES);

	if (n_frames > room)
		n_frames = room;	/* the graph does not take it: dropped */
	spa_ringbuffer_write_data(&n->rb, n->data, sizeof(n->data), (w % RING_FRAMES) * STRIDE,
			frames, n_frames * STRIDE);
	spa_ringbuffer_write_update(&n->rb, w + n_frames);
}

void rm_node_counts(struct rm_node *n, uint64_t *skipped, uint64_t *silent)
{
	*skipped = atomic_load_explicit(&n->skipped, memory_order_relaxed);
	*silent = atomic_load_explicit(&n->silent, memory_order_relaxed);
}

void rm_node_free(struct rm_node *n)
{
	if (n == NULL)
		return;
	if (n->stream) {
		pw_thread_loop_lock(loop);
		pw_stream_destroy(n->stream);
		pw_thread_loop_unlock(loop);
	}
	free(n);
}
