/* osc-latency: the analyzer's input → OSC latency, on the graph clock.
 *
 *   osc-latency --port PORT [--target NODE] [--bursts N] [--hz HZ]
 *               [--dbfs PEAK] [--on-ms MS] [--period-ms MS] [--band B]
 *               [--jump J]
 *
 * One process does both ends:
 *  - a PipeWire playback stream (node.name foh-osc-latency, target.object
 *    NODE, default foh.ch1.capture) plays silence, and every PERIOD ms a
 *    tone burst of ON ms that starts at the first frame of a cycle's buffer.
 *    For that cycle it records the driver's cycle start, spa_io_position
 *    clock.nsec (CLOCK_MONOTONIC): the graph runs the stream, the channel
 *    and foh.analyzer in the same cycle, so this is the start of the cycle
 *    that captures the burst's first frame;
 *  - a UDP socket on 127.0.0.1:PORT (add it to the analyzer's destinations)
 *    receives /audio/lmh, stamped with CLOCK_MONOTONIC when recv() returns.
 * A burst's latency is the receive time of the first /audio/lmh after the
 * burst's cycle started whose band B value (0 low, 1 mid, 2 high; default
 * 1) is at least J (0.05) above the last value received before that cycle,
 * minus the cycle's start. That is an upper bound of when fohd sent it (it
 * adds the loopback delivery and this thread's wake-up, some tens of µs).
 *
 * Prints one line per burst, then
 *   BENCH analyzer_input_to_osc_ms p50=<x> p99=<y> quantum=<q>
 * and how that compares with the requirement: the first /audio/lmh after a
 * sound starts leaves fohd within one cycle + 1 ms of the start of the
 * cycle that captured it. Exits 1 when fewer than half the bursts were
 * seen, 0 otherwise (a benchmark reports, it does not judge). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>

#define CHANNELS	2
#define MAX_BURSTS	1000
#define RATE		48000

struct bench {
	struct pw_main_loop *loop;
	struct pw_stream *stream;
	struct spa_hook listener;
	struct spa_io_position *position;
	const char *target;
	int port, bursts, band;
	double hz, amp, on_ms, period_ms, jump;
	int sock;

	/* data thread */
	uint64_t frames;		/* frames played since armed */
	uint64_t next_burst;		/* frame of the next burst start */
	uint32_t on_left;
	double phase;
	int started;			/* bursts started */

	/* data thread → receiver (index published with release) */
	uint64_t burst_nsec[MAX_BURSTS];
	uint32_t burst_quantum[MAX_BURSTS];
	atomic_int n_started;
	atomic_bool armed;		/* receiver saw the analyzer's OSC */

	/* receiver */
	double latency_ms[MAX_BURSTS];
	bool seen[MAX_BURSTS];
	atomic_int n_done;		/* bursts measured or given up */
	atomic_bool quit;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* ---- data thread ---- */

static void on_process(void *data)
{
	struct bench *b = data;
	struct pw_buffer *buf = pw_stream_dequeue_buffer(b->stream);
	struct spa_data *d;
	float *dst;
	uint32_t frames, stride = sizeof(float) * CHANNELS;
	double step = b->hz / RATE;

	if (buf == NULL)
		return;
	d = &buf->buffer->datas[0];
	if ((dst = d->data) == NULL) {
		pw_stream_queue_buffer(b->stream, buf);
		return;
	}
	frames = d->maxsize / stride;
	if (buf->requested != 0 && buf->requested < frames)
		frames = (uint32_t)buf->requested;

	if (atomic_load_explicit(&b->armed, memory_order_acquire) && b->started < b->bursts &&
	    b->frames >= b->next_burst) {
		int i = b->started++;
		b->burst_nsec[i] = b->position ? b->position->clock.nsec : now_ns();
		b->burst_quantum[i] = b->position ? (uint32_t)b->position->clock.duration : frames;
		atomic_store_explicit(&b->n_started, b->started, memory_order_release);
		b->on_left = (uint32_t)(b->on_ms * RATE / 1000.0);
		b->phase = 0.0;
		b->next_burst = b->frames + (uint64_t)(b->period_ms * RATE / 1000.0);
	}
	for (uint32_t i = 0; i < frames; i++) {
		float v = 0.0f;
		if (b->on_left > 0) {
			v = (float)(b->amp * sin(2.0 * M_PI * b->phase));
			b->phase += step;
			if (b->phase >= 1.0)
				b->phase -= 1.0;
			b->on_left--;
		}
		for (uint32_t c = 0; c < CHANNELS; c++)
			*dst++ = v;
	}
	if (atomic_load_explicit(&b->armed, memory_order_relaxed))
		b->frames += frames;
	d->chunk->offset = 0;
	d->chunk->stride = (int32_t)stride;
	d->chunk->size = frames * stride;
	pw_stream_queue_buffer(b->stream, buf);
}

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct bench *b = data;

	if (id == SPA_IO_Position)
		b->position = area;
}

static void on_state_changed(void *data, enum pw_stream_state old,
		enum pw_stream_state state, const char *error)
{
	struct bench *b = data;

	if (state == PW_STREAM_STATE_ERROR) {
		fprintf(stderr, "osc-latency: stream: %s\n", error ? error : "error");
		atomic_store(&b->quit, true);
		pw_main_loop_quit(b->loop);
	}
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.io_changed = on_io_changed,
	.process = on_process,
};

/* ---- receiver thread ---- */

static size_t pad4(size_t n)
{
	return (n + 4) & ~(size_t)3;	/* a string, its NUL, padded to 4 */
}

/* /audio/lmh ,fff → values; false for anything else. */
static bool parse_lmh(const uint8_t *p, size_t len, float v[3])
{
	size_t a, t;

	if (len < 12 || memcmp(p, "/audio/lmh", 11) != 0)
		return false;
	a = pad4(strnlen((const char *)p, len));
	if (a + 8 > len || memcmp(p + a, ",fff", 5) != 0)
		return false;
	t = a + pad4(4);
	if (t + 12 > len)
		return false;
	for (int i = 0; i < 3; i++) {
		uint32_t u;
		memcpy(&u, p + t + 4 * i, 4);
		u = ntohl(u);
		memcpy(&v[i], &u, 4);
	}
	return true;
}

static void *receiver(void *data)
{
	struct bench *b = data;
	uint8_t msg[2048];
	float v[3], base = 0.0f;
	int waiting = -1, done = 0;	/* burst being looked for; bursts handled */

	while (!atomic_load(&b->quit)) {
		ssize_t n = recv(b->sock, msg, sizeof(msg), 0);
		uint64_t t = now_ns();

		if (waiting >= 0 && t - b->burst_nsec[waiting] > SPA_NSEC_PER_SEC) {
			/* no jump within 1 s: give up on this burst */
			waiting = -1;
			atomic_store(&b->n_done, ++done);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				continue;	/* the 100 ms receive timeout */
			perror("osc-latency: recv");
			break;
		}
		if (!parse_lmh(msg, (size_t)n, v))
			continue;
		if (!atomic_load_explicit(&b->armed, memory_order_relaxed))
			atomic_store_explicit(&b->armed, true, memory_order_release);
		/* base is the value received last before we learnt of the burst:
		 * sent for a cycle before the burst's (the burst's index is
		 * published in our process callback, which runs before the
		 * analyzer's in the same cycle) */
		if (waiting < 0 &&
		    atomic_load_explicit(&b->n_started, memory_order_acquire) > done)
			waiting = done;
		if (waiting < 0) {
			base = v[b->band];
			continue;
		}
		if (v[b->band] - base >= (float)b->jump) {
			b->latency_ms[waiting] = (double)(int64_t)(t - b->burst_nsec[waiting]) / 1e6;
			b->seen[waiting] = true;
			waiting = -1;
			atomic_store(&b->n_done, ++done);
			base = v[b->band];
		}
	}
	return NULL;
}

/* ---- main thread ---- */

static void on_tick(void *data, uint64_t expirations)
{
	struct bench *b = data;

	if (atomic_load(&b->n_done) >= b->bursts)
		pw_main_loop_quit(b->loop);
}

static void on_signal(void *data, int signal_number)
{
	struct bench *b = data;

	pw_main_loop_quit(b->loop);
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;

	return a < c ? -1 : a > c;
}

/* nearest rank */
static double percentile(const double *sorted, int n, double p)
{
	int r = (int)ceil(p / 100.0 * n);

	return sorted[SPA_CLAMP(r, 1, n) - 1];
}

static void usage(FILE *f)
{
	fprintf(f, "usage: osc-latency --port PORT [--target NODE] [--bursts N] [--hz HZ] "
			"[--dbfs PEAK] [--on-ms MS] [--period-ms MS] [--band B] [--jump J]\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "target", required_argument, NULL, 't' },
		{ "bursts", required_argument, NULL, 'n' },
		{ "hz", required_argument, NULL, 'f' },
		{ "dbfs", required_argument, NULL, 'l' },
		{ "on-ms", required_argument, NULL, 'o' },
		{ "period-ms", required_argument, NULL, 'P' },
		{ "band", required_argument, NULL, 'b' },
		{ "jump", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct bench b = {
		.target = "foh.ch1.capture", .bursts = 20, .band = 1, .hz = 1000.0,
		.amp = 0.1, .on_ms = 60.0, .period_ms = 500.0, .jump = 0.05, .sock = -1,
	};
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(.format = SPA_AUDIO_FORMAT_F32,
			.rate = RATE, .channels = CHANNELS,
			.position = { SPA_AUDIO_CHANNEL_FL, SPA_AUDIO_CHANNEL_FR });
	uint8_t buffer[1024];
	struct spa_pod_builder pb = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct sockaddr_in addr = { .sin_family = AF_INET };
	struct timeval tv = { .tv_usec = 100000 };
	struct timespec tick = { .tv_nsec = 100000000 };
	struct pw_context *context;
	struct pw_core *core;
	struct pw_loop *l;
	struct spa_source *timer;
	pthread_t thread;
	double lat[MAX_BURSTS], cycle_ms, limit_ms;
	uint32_t quantum = 0;
	int c, n = 0, late = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'p': b.port = atoi(optarg); break;
		case 't': b.target = optarg; break;
		case 'n': b.bursts = atoi(optarg); break;
		case 'f': b.hz = atof(optarg); break;
		case 'l': b.amp = pow(10.0, atof(optarg) / 20.0); break;
		case 'o': b.on_ms = atof(optarg); break;
		case 'P': b.period_ms = atof(optarg); break;
		case 'b': b.band = atoi(optarg); break;
		case 'j': b.jump = atof(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (b.port < 1 || b.port > 65535 || b.bursts < 1 || b.bursts > MAX_BURSTS ||
	    b.band < 0 || b.band > 2 || !(b.period_ms > b.on_ms) || !(b.on_ms > 0)) {
		usage(stderr);
		return 2;
	}
	b.next_burst = (uint64_t)(b.period_ms * RATE / 1000.0);	/* a period of silence first */

	b.sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	addr.sin_port = htons((uint16_t)b.port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (b.sock < 0 || bind(b.sock, (struct sockaddr *)&addr, sizeof(addr)) < 0 ||
	    setsockopt(b.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		fprintf(stderr, "osc-latency: cannot listen on 127.0.0.1:%d: %m\n", b.port);
		return 1;
	}
	if (pthread_create(&thread, NULL, receiver, &b) != 0) {
		fprintf(stderr, "osc-latency: cannot start the receiver\n");
		return 1;
	}

	pw_init(&argc, &argv);
	b.loop = pw_main_loop_new(NULL);
	l = pw_main_loop_get_loop(b.loop);
	pw_loop_add_signal(l, SIGINT, on_signal, &b);
	pw_loop_add_signal(l, SIGTERM, on_signal, &b);
	timer = pw_loop_add_timer(l, on_tick, &b);
	pw_loop_update_timer(l, timer, &tick, &tick, false);
	context = pw_context_new(l,
			pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	if (context == NULL || (core = pw_context_connect(context, NULL, 0)) == NULL) {
		fprintf(stderr, "osc-latency: cannot connect to PipeWire: %m\n");
		return 1;
	}
	b.stream = pw_stream_new(core, "foh osc latency", pw_properties_new(
				PW_KEY_MEDIA_TYPE, "Audio",
				PW_KEY_MEDIA_CATEGORY, "Playback",
				PW_KEY_MEDIA_ROLE, "Production",
				PW_KEY_NODE_NAME, "foh-osc-latency",
				PW_KEY_TARGET_OBJECT, b.target,
				NULL));
	if (b.stream == NULL) {
		fprintf(stderr, "osc-latency: cannot create the stream: %m\n");
		return 1;
	}
	pw_stream_add_listener(b.stream, &b.listener, &stream_events, &b);
	params[0] = spa_format_audio_raw_build(&pb, SPA_PARAM_EnumFormat, &info);
	if (pw_stream_connect(b.stream, PW_DIRECTION_OUTPUT, PW_ID_ANY,
				PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				PW_STREAM_FLAG_RT_PROCESS, params, 1) < 0) {
		fprintf(stderr, "osc-latency: cannot connect the stream\n");
		return 1;
	}
	pw_main_loop_run(b.loop);

	atomic_store(&b.quit, true);
	pthread_join(thread, NULL);
	pw_stream_destroy(b.stream);
	pw_core_disconnect(core);
	pw_context_destroy(context);
	pw_main_loop_destroy(b.loop);
	pw_deinit();
	close(b.sock);

	for (int i = 0; i < atomic_load(&b.n_started) && i < b.bursts; i++) {
		if (quantum == 0)
			quantum = b.burst_quantum[i];
		if (!b.seen[i]) {
			printf("burst %2d: no /audio/lmh jump within 1 s\n", i + 1);
			continue;
		}
		printf("burst %2d: %.3f ms (quantum %u)\n", i + 1, b.latency_ms[i],
					b.burst_quantum[i]);
		lat[n++] = b.latency_ms[i];
	}
	if (n == 0) {
		printf("BENCH analyzer_input_to_osc_ms p50=nan p99=nan quantum=%u\n", quantum);
		return 1;
	}
	qsort(lat, (size_t)n, sizeof(lat[0]), cmp_double);
	cycle_ms = 1000.0 * quantum / RATE;
	limit_ms = cycle_ms + 1.0;
	for (int i = 0; i < n; i++)
		late += lat[i] > limit_ms;
	printf("BENCH analyzer_input_to_osc_ms p50=%.3f p99=%.3f quantum=%u\n",
			percentile(lat, n, 50), percentile(lat, n, 99), quantum);
	printf("# %d of %d bursts seen; min %.3f max %.3f ms; requirement: within one cycle "
			"(%.3f ms) + 1 ms = %.3f ms of the capturing cycle's start: %d late -> %s\n",
			n, b.bursts, lat[0], lat[n - 1], cycle_ms, limit_ms, late,
			late ? "NOT MET" : "met");
	return n * 2 >= b.bursts ? 0 : 1;
}
