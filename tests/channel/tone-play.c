/* tone-play: plays a continuous sine into one or more PipeWire nodes until
 * SIGTERM or SIGINT (or --seconds), one playback stream per target. The
 * graph tests use it instead of pw-play of a WAV: it never runs out, costs
 * nothing to prepare, and its phase is continuous, so a level measured on
 * any one cycle is the tone's level.
 *
 *   tone-play [--hz HZ] [--dbfs PEAK] [--seconds S] TARGET...
 *
 * Each stream is F32 interleaved stereo with target.object = TARGET and
 * node.name = foh-tone.TARGET. Exits 1 if a stream fails. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#define MAX_TARGETS	64
#define CHANNELS	2

struct player;

struct tone_stream {
	struct player *player;
	struct pw_stream *stream;
	struct spa_hook listener;
	double phase;			/* data thread only, in cycles of the tone */
	const char *target;
};

struct player {
	struct pw_main_loop *loop;
	double hz, amp;
	uint32_t rate;
	int failed;
	struct tone_stream streams[MAX_TARGETS];
	uint32_t n_streams;
};

/* data thread: fill the buffer, never allocate or print */
static void on_process(void *data)
{
	struct tone_stream *t = data;
	struct pw_buffer *b = pw_stream_dequeue_buffer(t->stream);
	struct spa_data *d;
	float *dst;
	uint32_t frames, stride = sizeof(float) * CHANNELS;
	double step = t->player->hz / (double)t->player->rate;

	if (b == NULL)
		return;
	d = &b->buffer->datas[0];
	if ((dst = d->data) == NULL) {
		pw_stream_queue_buffer(t->stream, b);
		return;
	}
	frames = d->maxsize / stride;
	if (b->requested != 0 && b->requested < frames)
		frames = (uint32_t)b->requested;
	for (uint32_t i = 0; i < frames; i++) {
		float v = (float)(t->player->amp * sin(2.0 * M_PI * t->phase));
		for (uint32_t c = 0; c < CHANNELS; c++)
			*dst++ = v;
		t->phase += step;
		if (t->phase >= 1.0)
			t->phase -= 1.0;
	}
	d->chunk->offset = 0;
	d->chunk->stride = (int32_t)stride;
	d->chunk->size = frames * stride;
	pw_stream_queue_buffer(t->stream, b);
}

static void on_state_changed(void *data, enum pw_stream_state old,
		enum pw_stream_state state, const char *error)
{
	struct tone_stream *t = data;

	if (state == PW_STREAM_STATE_ERROR) {
		fprintf(stderr, "tone-play: stream to %s: %s\n", t->target,
				error ? error : "error");
		t->player->failed = 1;
		pw_main_loop_quit(t->player->loop);
	}
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.process = on_process,
};

static void on_signal(void *data, int signal_number)
{
	struct player *p = data;

	pw_main_loop_quit(p->loop);
}

static void on_timeout(void *data, uint64_t expirations)
{
	struct player *p = data;

	pw_main_loop_quit(p->loop);
}

static int connect_stream(struct player *p, struct tone_stream *t, struct pw_core *core)
{
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(
			.format = SPA_AUDIO_FORMAT_F32,
			.rate = p->rate,
			.channels = CHANNELS);
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_properties *props;

	info.position[0] = SPA_AUDIO_CHANNEL_FL;
	info.position[1] = SPA_AUDIO_CHANNEL_FR;
	props = pw_properties_new(
			PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CATEGORY, "Playback",
			PW_KEY_MEDIA_ROLE, "Production",
			PW_KEY_TARGET_OBJECT, t->target,
			NULL);
	if (props == NULL)
		return -errno;
	pw_properties_setf(props, PW_KEY_NODE_NAME, "foh-tone.%s", t->target);
	t->player = p;
	t->stream = pw_stream_new(core, "foh tone", props);
	if (t->stream == NULL)
		return -errno;
	pw_stream_add_listener(t->stream, &t->listener, &stream_events, t);
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	return pw_stream_connect(t->stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
			PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
			PW_STREAM_FLAG_RT_PROCESS, params, 1);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: tone-play [--hz HZ] [--dbfs PEAK] [--seconds S] TARGET...\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "hz", required_argument, NULL, 'f' },
		{ "dbfs", required_argument, NULL, 'l' },
		{ "seconds", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct player p = { .hz = 1000.0, .amp = 0.1, .rate = 48000 };
	double seconds = 0.0;
	struct pw_context *context;
	struct pw_core *core;
	struct pw_loop *l;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			p.hz = atof(optarg);
			break;
		case 'l':
			p.amp = pow(10.0, atof(optarg) / 20.0);
			break;
		case 's':
			seconds = atof(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc || argc - optind > MAX_TARGETS || !(p.hz > 0.0)) {
		usage(stderr);
		return 2;
	}

	pw_init(&argc, &argv);
	p.loop = pw_main_loop_new(NULL);
	l = pw_main_loop_get_loop(p.loop);
	pw_loop_add_signal(l, SIGINT, on_signal, &p);
	pw_loop_add_signal(l, SIGTERM, on_signal, &p);
	if (seconds > 0.0) {
		struct timespec value = {
			.tv_sec = (time_t)seconds,
			.tv_nsec = (long)((seconds - floor(seconds)) * 1e9),
		};
		struct spa_source *timer = pw_loop_add_timer(l, on_timeout, &p);

		pw_loop_update_timer(l, timer, &value, NULL, false);
	}
	context = pw_context_new(l, pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	if (context == NULL || (core = pw_context_connect(context, NULL, 0)) == NULL) {
		fprintf(stderr, "tone-play: cannot connect to PipeWire: %m\n");
		return 1;
	}
	for (int i = optind; i < argc; i++) {
		struct tone_stream *t = &p.streams[p.n_streams++];
		int res;

		t->target = argv[i];
		if ((res = connect_stream(&p, t, core)) < 0) {
			fprintf(stderr, "tone-play: stream to %s: %s\n", t->target, strerror(-res));
			return 1;
		}
	}
	pw_main_loop_run(p.loop);

	for (uint32_t i = 0; i < p.n_streams; i++)
		pw_stream_destroy(p.streams[i].stream);
	pw_core_disconnect(core);
	pw_context_destroy(context);
	pw_main_loop_destroy(p.loop);
	pw_deinit();
	return p.failed;
}
