/* click-play: a sample-exact click track into a PipeWire node, with the
 * graph time of every click.
 *
 *   click-play [--bpm BPM] [--seconds S] [--dbfs PEAK] TARGET
 *
 * Plays (F32 stereo, node.name foh-click.TARGET) a click every 60/BPM s
 * (default 120), the first 0.25 s after the stream starts, for S seconds
 * (default 10), then exits: 20 ms of white noise (a fixed xorshift seed)
 * under an exponential decay of tau 4 ms, peak PEAK dBFS (default -6). The
 * samples are computed in the process callback, so no file read can make
 * the stream miss a cycle and shift later clicks (pw-play of a WAV did, by
 * a quantum now and then, on a loaded machine).
 *
 * Prints one line per click when it ends:
 *   click <i> <t>
 * t being when the click's first frame plays on the graph clock — the
 * cycle's spa_io_position clock.nsec plus the frame's offset in the buffer
 * over the rate — converted from CLOCK_MONOTONIC to the wall clock
 * (CLOCK_REALTIME, seconds), the clock oscdump stamps messages with;
 * then
 *   missed <m>
 * the graph cycles the stream missed (its clock moved on by more than a
 * cycle: an overloaded graph skipped it, and every later click came a
 * cycle late in the audio). */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#define CHANNELS	2
#define RATE		48000
#define MAX_CLICKS	4096

struct player {
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	struct spa_hook listener;
	struct spa_io_position *position;
	double amp;
	uint64_t period, total;		/* frames */
	int failed;

	/* data thread */
	uint64_t frame;			/* frames played */
	uint64_t next;			/* frame of the next click */
	uint64_t click_start;		/* frame of the click playing */
	uint32_t rng;
	int n_clicks;
	uint64_t click_nsec[MAX_CLICKS];
	uint64_t next_position;		/* the graph clock's next cycle */
	bool started;
	unsigned int missed;		/* cycles the clock moved past us */
	atomic_bool done;		/* → main thread, which then reads the above */
};

static float noise(struct player *p)
{
	p->rng ^= p->rng << 13;
	p->rng ^= p->rng >> 17;
	p->rng ^= p->rng << 5;
	return (float)p->rng / 2147483648.0f - 1.0f;
}

static void on_process(void *data)
{
	struct player *p = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(p->stream);
	struct spa_data *d;
	float *dst;
	uint32_t frames, stride = sizeof(float) * CHANNELS;
	const uint32_t click_len = RATE / 50;	/* 20 ms */

	if (p->position != NULL) {
		uint64_t pos = p->position->clock.position;
		if (p->started && pos != p->next_position)
			p->missed++;
		p->next_position = pos + p->position->clock.duration;
		p->started = true;
	}
	if (b == NULL)
		return;
	d = &b->buffer->datas[0];
	if ((dst = d->data) == NULL) {
		pw_stream_queue_buffer(p->stream, b);
		return;
	}
	frames = d->maxsize / stride;
	if (b->requested != 0 && b->requested < frames)
		frames = (uint32_t)b->requested;
	for (uint32_t i = 0; i < frames; i++, p->frame++) {
		float v = 0.0f;
		if (p->frame == p->next && p->frame + click_len < p->total &&
		    p->n_clicks < MAX_CLICKS) {
			uint64_t nsec = p->position ? p->position->clock.nsec : 0;
			p->click_nsec[p->n_clicks++] = nsec + (uint64_t)i * SPA_NSEC_PER_SEC / RATE;
			p->click_start = p->frame;
			p->next += p->period;
		}
		if (p->n_clicks > 0 && p->frame - p->click_start < click_len)
			v = p->amp * expf(-(float)(p->frame - p->click_start) / (0.004f * RATE)) *
				noise(p);
		for (uint32_t c = 0; c < CHANNELS; c++)
			*dst++ = v;
	}
	d->chunk->offset = 0;
	d->chunk->stride = (int32_t)stride;
	d->chunk->size = frames * stride;
	pw_stream_queue_buffer(p->stream, b);
	if (p->frame >= p->total)
		atomic_store_explicit(&p->done, true, memory_order_release);
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct player *p = data;

	if (id == SPA_IO_Position)
		p->position = area;
}

static void on_state_changed(void *data, enum pw_stream_state old,
		enum pw_stream_state state, const char *error)
{
	struct player *p = data;

	if (state == PW_STREAM_STATE_ERROR) {
		fprintf(stderr, "click-play: %s\n", error ? error : "stream error");
		p->failed = 1;
		pw_main_loop_quit(p->loop);
	}
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.io_changed = on_io_changed,
	.process = on_process,
};

static void on_tick(void *data, uint64_t expirations)
{
	struct player *p = data;

	if (atomic_load_explicit(&p->done, memory_order_acquire))
		pw_main_loop_quit(p->loop);
}

static void on_signal(void *data, int signal_number)
{
	struct player *p = data;

	pw_main_loop_quit(p->loop);
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "bpm", required_argument, NULL, 'b' },
		{ "seconds", required_argument, NULL, 's' },
		{ "dbfs", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct player p = { .amp = 0.5, .rng = 2463534242u };
	double bpm = 120.0, seconds = 10.0;
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32,
			.rate = RATE, .channels = CHANNELS,
			.position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR });
	uint8_t buffer[1024];
	struct spa_pod_builder pb = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct timespec tick = { .tv_nsec = 50000000 }, mono, real;
	struct pw_properties *props;
	struct pw_context *context;
	struct pw_core *core;
	struct spa_source *timer;
	struct pw_loop *l;
	double offset;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bpm = atof(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'l': p.amp = pow(10.0, atof(optarg) / 20.0); break;
		case 'h':
			printf("usage: click-play [--bpm BPM] [--seconds S] [--dbfs PEAK] TARGET\n");
			return 0;
		default:
			return 2;
		}
	}
	if (optind != argc - 1 || !(bpm >= 10 && bpm <= 600) || !(seconds > 0)) {
		fprintf(stderr, "usage: click-play [--bpm BPM] [--seconds S] [--dbfs PEAK] TARGET\n");
		return 2;
	}
	p.period = (uint64_t)llround(60.0 / bpm * RATE);
	p.total = (uint64_t)llround(seconds * RATE);
	p.next = RATE / 4;

	pw_init(&argc, &argv);
	p.loop = pw_main_loop_new(NULL);
	l = pw_main_loop_get_loop(p.loop);
	pw_loop_add_signal(l, SIGINT, on_signal, &p);
	pw_loop_add_signal(l, SIGTERM, on_signal, &p);
	timer = pw_loop_add_timer(l, on_tick, &p);
	pw_loop_update_timer(l, timer, &tick, &tick, false);
	context = pw_context_new(l,
			pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	if (context == NULL || (core = pw_context_connect(context, NULL, 0)) == NULL) {
		fprintf(stderr, "click-play: cannot connect to PipeWire: %m\n");
		return 1;
	}
	props = pw_properties_new(PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CATEGORY, "Playback",
			PW_KEY_MEDIA_ROLE, "Production",
			PW_KEY_TARGET_OBJECT, argv[optind],
			NULL);
	pw_properties_setf(props, PW_KEY_NODE_NAME, "foh-click.%s", argv[optind]);
	if ((p.stream = pw_stream_new(core, "foh click", props)) == NULL) {
		fprintf(stderr, "click-play: cannot create the stream: %m\n");
		return 1;
	}
	pw_stream_add_listener(p.stream, &p.listener, &stream_events, &p);
	params[0] = spa_format_audio_raw_build(&pb, SPA_PARAM_EnumFormat, &info);
	if (pw_stream_connect(p.stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
				PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				PW_STREAM_FLAG_RT_PROCESS, params, 1) < 0) {
		fprintf(stderr, "click-play: cannot connect the stream\n");
		return 1;
	}
	pw_main_loop_run(p.loop);
	pw_stream_destroy(p.stream);

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	offset = (double)(real.tv_sec - mono.tv_sec) + (double)(real.tv_nsec - mono.tv_nsec) / 1e9;
	for (int i = 0; i < p.n_clicks; i++)
		printf("click %d %.6f\n", i, (double)p.click_nsec[i] / 1e9 + offset);
	printf("missed %u\n", p.missed);

	pw_core_disconnect(core);
	pw_context_destroy(context);
	pw_main_loop_destroy(p.loop);
	pw_deinit();
	return p.failed;
}
