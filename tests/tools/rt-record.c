/* rt-record: records a sink's monitor (or a source) into a 16-bit stereo
 * WAV, like `pw-record --target TARGET -P '{ stream.capture.sink=true }'`,
 * but without losing cycles when the machine is busy: pw-record handles
 * each buffer on its main thread, and a main thread held off for longer
 * than its few buffers last drops whole cycles — a recording some tens of
 * ms short with phase jumps where the cycles went (deck-tempo saw 55 ms).
 * Here the data thread copies every cycle into memory reserved up front;
 * the file is written on SIGTERM or SIGINT.
 *
 *   rt-record [--source] [--max-seconds S] TARGET OUT.wav
 *
 * The stream is node.name foh-rec, F32 interleaved stereo at the graph's
 * rate; --source records TARGET itself instead of a sink's monitor. At
 * exit it prints "rt-record: F frames, missed M cycles" on stderr: M counts
 * the cycles the graph's clock ran without this stream (an overloaded
 * graph restarting its cycle), in which what the sink heard was lost. Exits
 * 1 if the stream fails or the file cannot be written, 2 on bad usage;
 * a recording longer than --max-seconds (default 120) keeps its start and
 * says so on stderr. */
#include <getopt.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pipewire/pipewire.h>
#include <sndfile.h>
#include <spa/param/audio/format-utils.h>

#define CHANNELS 2

struct rec {
	struct pw_main_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct pw_stream *stream;
	struct spa_hook listener;
	float *data;
	size_t cap;			/* frames */
	atomic_size_t frames;		/* written by the data thread */
	atomic_bool overflow;
	/* data thread: the graph's clock, to see cycles this stream missed */
	struct spa_io_position *position;
	uint64_t next_position;
	bool started;
	atomic_uint missed;		/* cycles the clock moved past us */
	uint32_t rate;
	int failed;
};

/* data thread: copy, never allocate or print */
static void on_process(void *userdata)
{
	struct rec *r = userdata;
	struct pw_buffer *b = pw_stream_dequeue_buffer(r->stream);
	struct spa_data *d;
	size_t have, n;

	if (r->position != NULL) {
		uint64_t pos = r->position->clock.position;
		if (r->started && pos != r->next_position)
			atomic_fetch_add_explicit(&r->missed, 1, memory_order_relaxed);
		r->next_position = pos + r->position->clock.duration;
		r->started = true;
	}
	if (b == NULL)
		return;
	d = &b->buffer->datas[0];
	if (d->data != NULL && d->chunk->size > 0) {
		n = d->chunk->size / (sizeof(float) * CHANNELS);
		have = atomic_load_explicit(&r->frames, memory_order_relaxed);
		if (n > r->cap - have) {
			n = r->cap - have;
			atomic_store_explicit(&r->overflow, true, memory_order_relaxed);
		}
		memcpy(r->data + have * CHANNELS,
				SPA_PTROFF(d->data, d->chunk->offset % d->maxsize, void),
				n * sizeof(float) * CHANNELS);
		atomic_store_explicit(&r->frames, have + n, memory_order_release);
	}
	pw_stream_queue_buffer(r->stream, b);
}

static void on_io_changed(void *userdata, uint32_t id, void *area, uint32_t size)
{
	struct rec *r = userdata;

	if (id == SPA_IO_Position)
		r->position = area;
}

static void on_param_changed(void *userdata, uint32_t id, const struct spa_pod *param)
{
	struct rec *r = userdata;
	struct spa_audio_info_raw info = { 0 };

	if (id == SPA_PARAM_Format && param != NULL &&
	    spa_format_audio_raw_parse(param, &info) >= 0 && info.rate > 0)
		r->rate = info.rate;
}

static void on_state_changed(void *userdata, enum pw_stream_state old,
		enum pw_stream_state state, const char *error)
{
	struct rec *r = userdata;

	if (state == PW_STREAM_STATE_ERROR) {
		fprintf(stderr, "rt-record: stream error: %s\n", error ? error : "unknown");
		r->failed = 1;
		pw_main_loop_quit(r->loop);
	}
}

static const struct pw_stream_events events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.param_changed = on_param_changed,
	.io_changed = on_io_changed,
	.process = on_process,
};

static void on_signal(void *userdata, int signo)
{
	pw_main_loop_quit(((struct rec *)userdata)->loop);
}

static int write_wav(struct rec *r, const char *path)
{
	SF_INFO info = { .samplerate = (int)(r->rate ? r->rate : 48000), .channels = CHANNELS,
		.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	size_t frames = atomic_load_explicit(&r->frames, memory_order_acquire);
	SNDFILE *f = sf_open(path, SFM_WRITE, &info);

	if (f == NULL) {
		fprintf(stderr, "rt-record: %s: %s\n", path, sf_strerror(NULL));
		return -1;
	}
	/* full scale is ±1.0, clipped rather than wrapped */
	sf_command(f, SFC_SET_CLIPPING, NULL, SF_TRUE);
	if (sf_writef_float(f, r->data, (sf_count_t)frames) != (sf_count_t)frames) {
		fprintf(stderr, "rt-record: %s: %s\n", path, sf_strerror(f));
		sf_close(f);
		return -1;
	}
	return sf_close(f) == 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "source", no_argument, NULL, 's' },
		{ "max-seconds", required_argument, NULL, 'm' },
		{ NULL, 0, NULL, 0 },
	};
	struct rec r = { 0 };
	struct spa_audio_info_raw want = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32,
			.channels = CHANNELS, .position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR });
	uint8_t buf[1024];
	struct spa_pod_builder pb = SPA_POD_BUILDER_INIT(buf, sizeof(buf));
	const struct spa_pod *params[1];
	double max_seconds = 120.0;
	bool monitor = true;
	int c, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			monitor = false;
		else if (c == 'm' && (max_seconds = atof(optarg)) > 0.0 && max_seconds <= 3600.0)
			continue;
		else {
			fprintf(stderr, "usage: rt-record [--source] [--max-seconds S] TARGET OUT.wav\n");
			return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: rt-record [--source] [--max-seconds S] TARGET OUT.wav\n");
		return 2;
	}
	/* at most 192 kHz; pages never written are never resident */
	r.cap = (size_t)(max_seconds * 192000.0);
	if ((r.data = malloc(r.cap * CHANNELS * sizeof(float))) == NULL) {
		fprintf(stderr, "rt-record: no memory for %g s\n", max_seconds);
		return 1;
	}
	pw_init(&argc, &argv);
	r.loop = pw_main_loop_new(NULL);
	pw_loop_add_signal(pw_main_loop_get_loop(r.loop), SIGINT, on_signal, &r);
	pw_loop_add_signal(pw_main_loop_get_loop(r.loop), SIGTERM, on_signal, &r);
	/* client-rt.conf loads module-rt: the data thread that runs
	 * on_process is real-time, as in pw-record (client.conf, which
	 * pw_stream_new_simple's own context takes, leaves it SCHED_OTHER,
	 * and a busy machine made it miss cycles) */
	r.context = pw_context_new(pw_main_loop_get_loop(r.loop),
			pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	if (r.context == NULL || (r.core = pw_context_connect(r.context, NULL, 0)) == NULL) {
		fprintf(stderr, "rt-record: cannot connect to PipeWire: %m\n");
		return 1;
	}
	r.stream = pw_stream_new(r.core, "foh-rec",
			pw_properties_new(PW_KEY_NODE_NAME, "foh-rec",
				PW_KEY_MEDIA_TYPE, "Audio",
				PW_KEY_MEDIA_CATEGORY, "Capture",
				PW_KEY_MEDIA_ROLE, "Production",
				PW_KEY_TARGET_OBJECT, argv[optind],
				PW_KEY_STREAM_CAPTURE_SINK, monitor ? "true" : "false",
				NULL));
	if (r.stream == NULL) {
		fprintf(stderr, "rt-record: cannot make the stream: %m\n");
		return 1;
	}
	pw_stream_add_listener(r.stream, &r.listener, &events, &r);
	params[0] = spa_format_audio_raw_build(&pb, SPA_PARAM_EnumFormat, &want);
	if (pw_stream_connect(r.stream, PW_DIRECTION_INPUT, PW_ID_ANY,
			PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
			PW_STREAM_FLAG_RT_PROCESS, params, 1) < 0) {
		fprintf(stderr, "rt-record: cannot connect to %s\n", argv[optind]);
		return 1;
	}
	pw_main_loop_run(r.loop);
	pw_stream_destroy(r.stream);	/* no process callback runs after this */
	/* the line tests read (lib.sh's rec_missed) */
	fprintf(stderr, "rt-record: %zu frames, missed %u cycles\n",
			atomic_load(&r.frames), atomic_load(&r.missed));
	if (atomic_load(&r.overflow))
		fprintf(stderr, "rt-record: longer than %g s; kept the start\n", max_seconds);
	if (write_wav(&r, argv[optind + 1]) < 0)
		rc = 1;
	pw_core_disconnect(r.core);
	pw_context_destroy(r.context);
	pw_main_loop_destroy(r.loop);
	pw_deinit();
	free(r.data);
	return rc != 0 ? rc : r.failed;
}
