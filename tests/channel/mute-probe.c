/* mute-probe: how long after Set Mute returns is a channel's output silent,
 * and how long after unmute is it back, measured on the graph's clock.
 *
 *   mute-probe [--channel N] [--quantum Q] [--limit-ms MS] [--trials N]
 *              [--expect-dbfs DB]
 *
 * A capture stream records the monitor of foh-test-sink (target.object =
 * foh-test-sink, stream.capture.sink = true) while a steady tone plays
 * through channel N to that sink (the test starts tone-play for that). The
 * main thread waits until the level is steady, then, for each trial, sets
 * Mute=true on /org/foh/Foh1/channel/N over sd-bus, notes when the call
 * returned, finds the first cycle whose whole buffer is below -90 dBFS and
 * checks that the silence holds; then sets Mute=false and finds the first
 * cycle from which the level is back within 0.5 dB of the tone (peak and
 * RMS of the whole buffer) and stays there.
 *
 * Threads. PipeWire's events run in a pw_thread_loop; the stream's process
 * callback runs in the context's data (RT) thread; the D-Bus calls and all
 * analysis run in the main thread. The process callback only reads the
 * buffer and the clock and appends one fixed-size record per cycle to a
 * single-producer single-consumer ring (spa_ringbuffer over a static array)
 * — no allocation, no lock, no I/O, no system call but the vDSO
 * clock_gettime; a full ring is counted in an atomic, and the probe fails if
 * any record was dropped.
 *
 * Time base. Every time here is CLOCK_MONOTONIC, one clock for all
 * processes on the machine:
 *  - the call's return: clock_gettime(CLOCK_MONOTONIC) in the main thread
 *    right after sd_bus_set_property() has the reply in hand;
 *  - a buffer's cycle time: spa_io_position.clock.nsec, which the driver
 *    writes at the start of every cycle. The driver here is foh-test-sink,
 *    PipeWire's null-audio-sink, which runs on a CLOCK_MONOTONIC timerfd and
 *    sets clock.nsec to the instant the cycle was due (support/
 *    null-audio-sink.c: on_timeout), so cycle times and call times compare
 *    directly, no conversion or rate estimate in between;
 *  - the time the probe saw the buffer: clock_gettime in its process
 *    callback.
 * Why the reported delay is honest, i.e. never earlier than the silence
 * really was there: fohd can only have written the silent buffer while the
 * cycle that carried it ran, i.e. after that cycle's start; and whatever the
 * probe reads in a cycle was written in that cycle or before. A sink's
 * monitor is filled when the sink consumes its input, which for a driver is
 * the end of the cycle, and the monitor's readers get it in the next cycle
 * — so the buffer the probe reads in the cycle that starts at T was
 * produced by fohd in the cycle before, which ended at T. Hence
 * "cycle time of the first silent buffer the probe reads - call return" is
 * an upper bound of how long fohd took: at most one quantum late, never
 * early. graph-profile --trace shows that order at quantum 256: a capture
 * of the monitor is woken about 65 us into the cycle, fohd's capture node
 * at about 130-155 us, the sink's own process runs last at about 200 us.
 * The time the probe saw the buffer is later still and is printed next to
 * it; the limit applies to the cycle time, as the requirement is stated.
 * What the figure is made of, at quantum 256 (5.33 ms): up to one cycle
 * until fohd's data thread picks the change up, the cycle in which the 5 ms
 * mute ramp runs, then the first silent cycle, which the probe reads one
 * cycle later: between about 2 and 3 cycles, 10.7 to 16 ms. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pipewire/pipewire.h>
#include <spa/param/audio/format-utils.h>
#include <spa/utils/ringbuffer.h>
#include <systemd/sd-bus.h>

#define RING_SIZE	8192u		/* records, power of two: ~44 s at 256/48k */
#define MAX_CHANNELS	2
#define SILENCE_DBFS	-90.0
#define RESTORE_DB	0.5
#define STEADY_CYCLES	32		/* cycles within STEADY_SPREAD_DB to call it steady */
#define STEADY_SPREAD_DB 0.2
#define HOLD_CYCLES	32		/* a mute or restore must hold this long */
#define WAIT_NS		(2 * SPA_NSEC_PER_SEC)

struct record {
	uint64_t cycle_nsec;		/* spa_io_position.clock.nsec */
	uint64_t seen_nsec;		/* CLOCK_MONOTONIC in the process callback */
	uint64_t duration;		/* clock.duration, frames */
	uint32_t rate;			/* clock.rate.denom */
	uint32_t frames;
	float peak_db, rms_db;		/* of the loudest channel, whole buffer */
};

struct probe {
	struct pw_thread_loop *loop;
	struct pw_context *context;
	struct pw_core *core;
	struct pw_stream *stream;
	struct spa_hook stream_listener;
	struct spa_io_position *_Atomic position;
	atomic_int state;		/* enum pw_stream_state */
	atomic_uint_fast64_t dropped;

	struct spa_ringbuffer ring;
	struct record records[RING_SIZE];

	sd_bus *bus;
	char path[64];
};

static struct probe probe;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * SPA_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static float to_db(float v)
{
	return v > 0.0f ? 20.0f * log10f(v) : -200.0f;
}

/* ---- data thread ------------------------------------------------------ */

static void on_process(void *data)
{
	struct probe *p = data;
	struct spa_io_position *pos = atomic_load_explicit(&p->position, memory_order_acquire);
	struct pw_buffer *b = pw_stream_dequeue_buffer(p->stream);
	struct record r = { .seen_nsec = now_ns() };
	float peak = 0.0f, ms = 0.0f;
	uint32_t idx, frames = UINT32_MAX, chans;

	if (b == NULL)
		return;
	chans = SPA_MIN(b->buffer->n_datas, (uint32_t)MAX_CHANNELS);
	for (uint32_t c = 0; c < chans; c++) {
		struct spa_data *d = &b->buffer->datas[c];
		uint32_t offset = SPA_MIN(d->chunk->offset, d->maxsize);
		uint32_t n = SPA_MIN(d->chunk->size, d->maxsize - offset) / (uint32_t)sizeof(float);
		const float *x = SPA_PTROFF(d->data, offset, const float);
		float sum = 0.0f;

		if (d->data == NULL)
			n = 0;
		frames = SPA_MIN(frames, n);
		for (uint32_t i = 0; i < n; i++) {
			float a = fabsf(x[i]);
			if (a > peak)
				peak = a;
			sum += x[i] * x[i];
		}
		if (n > 0 && sum / (float)n > ms)
			ms = sum / (float)n;
	}
	pw_stream_queue_buffer(p->stream, b);
	if (pos == NULL || chans == 0 || frames == 0 || frames == UINT32_MAX)
		return;
	r.cycle_nsec = pos->clock.nsec;
	r.duration = pos->clock.duration;
	r.rate = pos->clock.rate.denom;
	r.frames = frames;
	r.peak_db = to_db(peak);
	r.rms_db = to_db(sqrtf(ms));
	if (spa_ringbuffer_get_write_index(&p->ring, &idx) >= (int32_t)RING_SIZE) {
		atomic_fetch_add_explicit(&p->dropped, 1, memory_order_relaxed);
		return;
	}
	p->records[idx & (RING_SIZE - 1)] = r;
	spa_ringbuffer_write_update(&p->ring, idx + 1);
}

/* ---- PipeWire's main loop thread -------------------------------------- */

static void on_io_changed(void *data, uint32_t id, void *area, uint32_t size)
{
	struct probe *p = data;

	if (id == SPA_IO_Position)
		atomic_store_explicit(&p->position, area, memory_order_release);
}

static void on_state_changed(void *data, enum pw_stream_state old,
		enum pw_stream_state state, const char *error)
{
	struct probe *p = data;

	if (state == PW_STREAM_STATE_ERROR)
		fprintf(stderr, "mute-probe: stream error: %s\n", error ? error : "unknown");
	atomic_store(&p->state, (int)state);
}

static const struct pw_stream_events stream_events = {
	PW_VERSION_STREAM_EVENTS,
	.state_changed = on_state_changed,
	.io_changed = on_io_changed,
	.process = on_process,
};

static int start_capture(struct probe *p)
{
	struct spa_audio_info_raw info = SPA_AUDIO_INFO_RAW_INIT(
			.format = SPA_AUDIO_FORMAT_F32P, .channels = MAX_CHANNELS);
	uint8_t buffer[1024];
	struct spa_pod_builder b = SPA_POD_BUILDER_INIT(buffer, sizeof(buffer));
	const struct spa_pod *params[1];
	struct pw_properties *props;
	int res;

	info.position[0] = SPA_AUDIO_CHANNEL_FL;
	info.position[1] = SPA_AUDIO_CHANNEL_FR;
	props = pw_properties_new(
			PW_KEY_NODE_NAME, "foh-mute-probe",
			PW_KEY_MEDIA_TYPE, "Audio",
			PW_KEY_MEDIA_CATEGORY, "Capture",
			PW_KEY_MEDIA_ROLE, "Production",
			PW_KEY_TARGET_OBJECT, "foh-test-sink",
			PW_KEY_STREAM_CAPTURE_SINK, "true",
			NULL);
	if (props == NULL)
		return -errno;
	params[0] = spa_format_audio_raw_build(&b, SPA_PARAM_EnumFormat, &info);
	pw_thread_loop_lock(p->loop);
	/* client-rt.conf: the data thread is real-time (module-rt), as the
	 * channel's own; a SCHED_OTHER probe misses cycles on a busy machine */
	p->context = pw_context_new(pw_thread_loop_get_loop(p->loop),
			pw_properties_new(PW_KEY_CONFIG_NAME, "client-rt.conf", NULL), 0);
	p->core = p->context ? pw_context_connect(p->context, NULL, 0) : NULL;
	p->stream = p->core ? pw_stream_new(p->core, "foh mute probe", props) : NULL;
	if (p->stream != NULL)
		pw_stream_add_listener(p->stream, &p->stream_listener, &stream_events, p);
	if (p->stream == NULL) {
		res = -errno;
	} else {
		res = pw_stream_connect(p->stream, PW_DIRECTION_INPUT, PW_ID_ANY,
				PW_STREAM_FLAG_AUTOCONNECT | PW_STREAM_FLAG_MAP_BUFFERS |
				PW_STREAM_FLAG_RT_PROCESS, params, 1);
	}
	pw_thread_loop_unlock(p->loop);
	return res < 0 ? res : 0;
}

/* ---- main thread ------------------------------------------------------ */

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / SPA_NSEC_PER_SEC),
			       .tv_nsec = (long)(ns % SPA_NSEC_PER_SEC) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The next record, waiting up to deadline (CLOCK_MONOTONIC). */
static bool next_record(struct probe *p, struct record *out, uint64_t deadline)
{
	uint32_t idx;

	for (;;) {
		if (spa_ringbuffer_get_read_index(&p->ring, &idx) > 0) {
			*out = p->records[idx & (RING_SIZE - 1)];
			spa_ringbuffer_read_update(&p->ring, idx + 1);
			return true;
		}
		if (now_ns() >= deadline)
			return false;
		sleep_ns(500 * SPA_NSEC_PER_USEC);
	}
}

static void drain(struct probe *p)
{
	uint32_t idx;
	int32_t avail = spa_ringbuffer_get_read_index(&p->ring, &idx);

	if (avail > 0)
		spa_ringbuffer_read_update(&p->ring, idx + (uint32_t)avail);
}

static int set_mute(struct probe *p, bool mute, uint64_t *called, uint64_t *returned)
{
	sd_bus_error error = SD_BUS_ERROR_NULL;
	int r;

	*called = now_ns();
	r = sd_bus_set_property(p->bus, "org.foh.Foh1", p->path, "org.foh.Foh1.Channel",
			"Mute", &error, "b", (int)mute);
	*returned = now_ns();
	if (r < 0)
		fprintf(stderr, "mute-probe: setting Mute=%s: %s\n", mute ? "true" : "false",
				error.message ? error.message : strerror(-r));
	sd_bus_error_free(&error);
	return r;
}

static double ms_since(uint64_t t, uint64_t ref)
{
	return ((double)(int64_t)(t - ref)) / 1e6;
}

struct reference {
	double peak_db, rms_db;
	uint64_t duration;
	uint32_t rate;
};

static int wait_steady(struct probe *p, struct reference *ref)
{
	float peaks[STEADY_CYCLES], rmss[STEADY_CYCLES];
	uint32_t n = 0;
	uint64_t deadline = now_ns() + 10 * SPA_NSEC_PER_SEC;
	struct record r;

	while (next_record(p, &r, deadline)) {
		float lo = INFINITY, hi = -INFINITY;
		double sp = 0.0, sr = 0.0;

		peaks[n % STEADY_CYCLES] = r.peak_db;
		rmss[n % STEADY_CYCLES] = r.rms_db;
		if (++n < STEADY_CYCLES)
			continue;
		for (uint32_t i = 0; i < STEADY_CYCLES; i++) {
			lo = fminf(lo, peaks[i]);
			hi = fmaxf(hi, peaks[i]);
			sp += peaks[i];
			sr += rmss[i];
		}
		if (lo > -60.0f && hi - lo <= STEADY_SPREAD_DB) {
			ref->peak_db = sp / STEADY_CYCLES;
			ref->rms_db = sr / STEADY_CYCLES;
			ref->duration = r.duration;
			ref->rate = r.rate;
			return 0;
		}
	}
	fprintf(stderr, "mute-probe: no steady tone on the monitor of foh-test-sink within 10 s\n");
	return -1;
}

static bool is_silent(const struct record *r)
{
	return r->peak_db < SILENCE_DBFS;
}

static bool is_restored(const struct record *r, const struct reference *ref)
{
	return fabs(r->peak_db - ref->peak_db) <= RESTORE_DB &&
		fabs(r->rms_db - ref->rms_db) <= RESTORE_DB;
}

/* The first record for which pred holds, then HOLD_CYCLES more for which it
 * still holds; false (with a message) if it never comes or does not hold. */
static bool find_lasting(struct probe *p, bool (*pred)(const struct record *, const struct reference *),
		const struct reference *ref, const char *what, struct record *first)
{
	uint64_t deadline = now_ns() + WAIT_NS;
	struct record r;

	for (;;) {
		if (!next_record(p, &r, deadline)) {
			fprintf(stderr, "mute-probe: not %s within %.0f ms\n", what,
					(double)WAIT_NS / 1e6);
			return false;
		}
		if (pred(&r, ref))
			break;
	}
	*first = r;
	for (uint32_t i = 0; i < HOLD_CYCLES; i++) {
		if (!next_record(p, &r, now_ns() + WAIT_NS)) {
			fprintf(stderr, "mute-probe: the stream stopped while %s\n", what);
			return false;
		}
		if (!pred(&r, ref)) {
			fprintf(stderr, "mute-probe: %s, but it did not last: %.1f ms later the "
					"peak was %.2f dBFS, RMS %.2f dBFS\n", what,
					ms_since(r.cycle_nsec, first->cycle_nsec), r.peak_db, r.rms_db);
			return false;
		}
	}
	return true;
}

static bool pred_silent(const struct record *r, const struct reference *ref)
{
	return is_silent(r);
}

static bool pred_restored(const struct record *r, const struct reference *ref)
{
	return is_restored(r, ref);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: mute-probe [--channel N] [--quantum Q] [--limit-ms MS] "
			"[--trials N] [--expect-dbfs DB]\n");
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "quantum", required_argument, NULL, 'q' },
		{ "limit-ms", required_argument, NULL, 'l' },
		{ "trials", required_argument, NULL, 't' },
		{ "expect-dbfs", required_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct probe *p = &probe;
	unsigned channel = 1, quantum = 0, trials = 5;
	double limit_ms = 20.0, expect_dbfs = NAN;
	double worst_mute = -INFINITY, worst_seen = -INFINITY, worst_restore = -INFINITY;
	struct reference ref;
	struct record r;
	int c, res, status = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			channel = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'q':
			quantum = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'l':
			limit_ms = atof(optarg);
			break;
		case 't':
			trials = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case 'e':
			expect_dbfs = atof(optarg);
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (channel == 0 || trials == 0) {
		usage(stderr);
		return 2;
	}
	snprintf(p->path, sizeof(p->path), "/org/foh/Foh1/channel/%u", channel);
	spa_ringbuffer_init(&p->ring);

	if ((res = sd_bus_open_user(&p->bus)) < 0) {
		fprintf(stderr, "mute-probe: cannot connect to the user bus: %s\n", strerror(-res));
		return 1;
	}
	{
		/* warm the connection up (Hello), and start from unmuted */
		uint64_t a, b;
		if (set_mute(p, false, &a, &b) < 0)
			return 1;
	}

	pw_init(&argc, &argv);
	p->loop = pw_thread_loop_new("mute-probe", NULL);
	if (p->loop == NULL || pw_thread_loop_start(p->loop) < 0) {
		fprintf(stderr, "mute-probe: cannot start a PipeWire loop: %m\n");
		return 1;
	}
	if ((res = start_capture(p)) < 0) {
		fprintf(stderr, "mute-probe: cannot create the capture stream: %s\n", strerror(-res));
		return 1;
	}
	if (!next_record(p, &r, now_ns() + 10 * SPA_NSEC_PER_SEC)) {
		fprintf(stderr, "mute-probe: no audio from the monitor of foh-test-sink within 10 s "
				"(stream %s)\n", pw_stream_state_as_string(atomic_load(&p->state)));
		return 1;
	}
	if (wait_steady(p, &ref) < 0)
		return 1;
	printf("# tone on the monitor: peak %.2f dBFS, RMS %.2f dBFS; quantum %" PRIu64
			" at %u Hz (%.2f ms per cycle)\n", ref.peak_db, ref.rms_db, ref.duration,
			ref.rate, ref.rate ? (double)ref.duration * 1e3 / ref.rate : 0.0);
	if (quantum != 0 && ref.duration != quantum) {
		fprintf(stderr, "mute-probe: the graph runs at quantum %" PRIu64 ", not %u\n",
				ref.duration, quantum);
		return 1;
	}
	if (!isnan(expect_dbfs) && fabs(ref.peak_db - expect_dbfs) > 1.0) {
		fprintf(stderr, "mute-probe: the tone arrives at %.2f dBFS, expected %.2f\n",
				ref.peak_db, expect_dbfs);
		return 1;
	}

	for (unsigned t = 1; t <= trials; t++) {
		uint64_t called, returned, period = ref.duration * SPA_NSEC_PER_SEC / ref.rate;
		struct record silent, back;
		double mute_ms, seen_ms, restore_ms;

		/* Spread the calls over the cycle: each trial starts at a
		 * different phase of it. */
		drain(p);
		sleep_ns(period * (t % 7) / 7 + period);
		drain(p);
		if (set_mute(p, true, &called, &returned) < 0)
			return 1;
		if (!find_lasting(p, pred_silent, &ref, "silent after Mute=true", &silent))
			return 1;
		mute_ms = ms_since(silent.cycle_nsec, returned);
		seen_ms = ms_since(silent.seen_nsec, returned);

		if (set_mute(p, false, &called, &returned) < 0)
			return 1;
		if (!find_lasting(p, pred_restored, &ref, "restored after Mute=false", &back)) {
			status = 1;
			break;
		}
		restore_ms = ms_since(back.cycle_nsec, returned);
		printf("# trial %u: Set Mute took %.2f ms; silent from the cycle at %+.2f ms "
				"(probe saw it at %+.2f ms); after unmute back within %.1f dB "
				"from the cycle at %+.2f ms\n", t,
				ms_since(returned, called), mute_ms, seen_ms, RESTORE_DB, restore_ms);
		worst_mute = fmax(worst_mute, mute_ms);
		worst_seen = fmax(worst_seen, seen_ms);
		worst_restore = fmax(worst_restore, restore_ms);
		/* let the level settle at the tone again before the next trial */
		sleep_ns(50 * SPA_NSEC_PER_MSEC);
	}
	if (atomic_load(&p->dropped) != 0) {
		fprintf(stderr, "mute-probe: %" PRIu64 " cycles were dropped from the ring\n",
				(uint64_t)atomic_load(&p->dropped));
		status = 1;
	}
	if (status == 0) {
		printf("# mute: silent %.2f ms after the call returned (worst of %u; the probe "
				"saw it %.2f ms after)\n", worst_mute, trials, worst_seen);
		printf("# unmute: back within %.1f dB of the tone %.2f ms after the call returned "
				"(worst of %u)\n", RESTORE_DB, worst_restore, trials);
		if (worst_mute > limit_ms) {
			fprintf(stderr, "mute-probe: silent only %.2f ms after the call, limit %.1f ms\n",
					worst_mute, limit_ms);
			status = 1;
		}
	}
	fflush(stdout);

	pw_thread_loop_lock(p->loop);
	pw_stream_destroy(p->stream);
	pw_core_disconnect(p->core);
	pw_context_destroy(p->context);
	pw_thread_loop_unlock(p->loop);
	pw_thread_loop_stop(p->loop);
	pw_thread_loop_destroy(p->loop);
	sd_bus_flush_close_unref(p->bus);
	pw_deinit();
	return status;
}
