/* fohd's content detectors; see detector.h. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "content/detector.h"
#include "content/features.h"

#define PERIOD_MS	100
#define CHUNK		4096u

struct slot {
	/* held by the worker while it works on this channel, and by main
	 * while it swaps what the worker uses: never by the data thread */
	pthread_mutex_t lock;
	struct foh_content_tap *tap;
	struct foh_cfeat *feat;
	uint32_t rate, since;
	struct foh_content_state st;
	struct foh_content_result res;
};

struct foh_content_detector {
	struct foh_content_model model;
	double silence_db;
	struct slot slot[FOH_CONTENT_DETECTORS_MAX];
	int notify_fd, quit_fd;
	int wake_fd;		/* main -> worker: a detector was set */
	pthread_t worker;
	bool started;
	float chunk[CHUNK];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void notify(struct foh_content_detector *d)
{
	uint64_t one = 1;

	(void)!write(d->notify_fd, &one, sizeof(one));
}

static void decide(struct foh_content_detector *d, struct slot *s)
{
	struct foh_cf_vector v;
	bool have = foh_cfeat_vector(s->feat, &v);

	if (foh_content_update(&s->st, &d->model, have ? &v : NULL)) {
		s->res.seq++;
		notify(d);
	}
	s->res.cls = s->st.cls;
	snprintf(s->res.style, sizeof(s->res.style), "%s",
			foh_content_style_name(&s->st, &d->model));
	s->res.confidence = s->st.confidence;
	s->res.decisions++;
}

static void work(struct foh_content_detector *d, struct slot *s)
{
	uint32_t idx, per_tick = s->rate / 2;
	int32_t avail = spa_ringbuffer_get_read_index(&s->tap->ring, &idx);
	uint64_t t0 = now_ns();

	while (avail > 0) {
		uint32_t n = (uint32_t)avail < CHUNK ? (uint32_t)avail : CHUNK, done = 0;
		spa_ringbuffer_read_data(&s->tap->ring, s->tap->data,
				FOH_CONTENT_TAP_SAMPLES * sizeof(float),
				(idx & (FOH_CONTENT_TAP_SAMPLES - 1)) * sizeof(float), d->chunk,
				n * sizeof(float));
		idx += n;
		avail -= (int32_t)n;
		spa_ringbuffer_read_update(&s->tap->ring, idx);
		/* decide on exact 0.5 s boundaries of the signal */
		while (done < n) {
			uint32_t k = n - done;
			if (k > per_tick - s->since)
				k = per_tick - s->since;
			foh_cfeat_push(s->feat, d->chunk + done, k);
			done += k;
			s->since += k;
			if (s->since == per_tick) {
				s->since = 0;
				decide(d, s);
			}
		}
		s->res.frames += n;
	}
	s->res.work_ns += now_ns() - t0;
}

/* Every PERIOD_MS while a detector is on; with none, it sleeps until
 * foh_content_detector_set wakes it (an idle fohd does not wake for it). */
static void *worker_main(void *data)
{
	struct foh_content_detector *d = data;
	struct pollfd pfd[2] = {
		{ .fd = d->quit_fd, .events = POLLIN },
		{ .fd = d->wake_fd, .events = POLLIN },
	};
	bool any = true;

	for (;;) {
		uint64_t n;

		if (poll(pfd, 2, any ? PERIOD_MS : -1) > 0) {
			if (pfd[0].revents != 0)
				break;
			if (pfd[1].revents != 0)
				(void)!read(d->wake_fd, &n, sizeof(n));
		}
		any = false;
		for (int i = 0; i < FOH_CONTENT_DETECTORS_MAX; i++) {
			struct slot *s = &d->slot[i];
			pthread_mutex_lock(&s->lock);
			if (s->feat != NULL && s->tap != NULL) {
				work(d, s);
				any = true;
			}
			pthread_mutex_unlock(&s->lock);
		}
	}
	return NULL;
}

int foh_content_detector_new(const struct foh_content_model *m, double silence_db,
		struct foh_content_detector **out, int *fd)
{
	struct foh_content_detector *d = calloc(1, sizeof(*d));
	int res;

	if (d == NULL)
		return -ENOMEM;
	d->model = *m;
	d->silence_db = silence_db;
	d->notify_fd = d->quit_fd = d->wake_fd = -1;
	for (int i = 0; i < FOH_CONTENT_DETECTORS_MAX; i++) {
		pthread_mutex_init(&d->slot[i].lock, NULL);
		foh_content_state_init(&d->slot[i].st, silence_db);
		d->slot[i].res.cls = FOH_CONTENT_UNKNOWN;
	}
	if ((d->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    (d->quit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0 ||
	    (d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		res = -errno;
		goto error;
	}
	if ((res = -pthread_create(&d->worker, NULL, worker_main, d)) < 0)
		goto error;
	d->started = true;
	*out = d;
	*fd = d->notify_fd;
	return 0;
error:
	foh_content_detector_free(d);
	return res;
}

void foh_content_detector_free(struct foh_content_detector *d)
{
	uint64_t one = 1;

	if (d == NULL)
		return;
	if (d->started) {
		(void)!write(d->quit_fd, &one, sizeof(one));
		pthread_join(d->worker, NULL);
	}
	for (int i = 0; i < FOH_CONTENT_DETECTORS_MAX; i++) {
		if (d->slot[i].tap != NULL)
			atomic_store(&d->slot[i].tap->on, false);
		foh_cfeat_free(d->slot[i].feat);
		pthread_mutex_destroy(&d->slot[i].lock);
	}
	if (d->notify_fd >= 0)
		close(d->notify_fd);
	if (d->quit_fd >= 0)
		close(d->quit_fd);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	free(d);
}

int foh_content_detector_set(struct foh_content_detector *d, uint32_t idx,
		struct foh_content_tap *tap, uint32_t rate)
{
	struct foh_cfeat *feat = NULL, *old;
	struct slot *s;
	int res;

	if (idx >= FOH_CONTENT_DETECTORS_MAX)
		return -EINVAL;
	s = &d->slot[idx];
	if (tap == s->tap && (tap == NULL || rate == s->rate))
		return 0;
	if (tap != NULL && rate > 0 && (res = foh_cfeat_new(rate, &feat)) < 0)
		return res;
	pthread_mutex_lock(&s->lock);
	if (s->tap != NULL && s->tap != tap)
		atomic_store(&s->tap->on, false);
	old = s->feat;
	s->feat = feat;
	s->tap = feat != NULL ? tap : NULL;
	s->rate = rate;
	s->since = 0;
	foh_content_state_init(&s->st, d->silence_db);
	memset(&s->res, 0, sizeof(s->res));
	s->res.cls = FOH_CONTENT_UNKNOWN;
	if (s->tap != NULL) {
		/* what waits in the ring is from before: skip it */
		uint32_t ridx;
		int32_t avail = spa_ringbuffer_get_read_index(&tap->ring, &ridx);
		if (avail > 0)
			spa_ringbuffer_read_update(&tap->ring, ridx + (uint32_t)avail);
		atomic_store(&tap->on, true);
	}
	pthread_mutex_unlock(&s->lock);
	foh_cfeat_free(old);
	notify(d);
	if (s->tap != NULL) {
		uint64_t one = 1;
		(void)!write(d->wake_fd, &one, sizeof(one));
	}
	return 0;
}

void foh_content_detector_set_model(struct foh_content_detector *d,
		const struct foh_content_model *m)
{
	/* the worker reads the model only while it holds a channel's lock */
	for (int i = 0; i < FOH_CONTENT_DETECTORS_MAX; i++)
		pthread_mutex_lock(&d->slot[i].lock);
	d->model = *m;
	for (int i = FOH_CONTENT_DETECTORS_MAX; i-- > 0;)
		pthread_mutex_unlock(&d->slot[i].lock);
}

void foh_content_detector_ack(struct foh_content_detector *d)
{
	uint64_t count;

	(void)!read(d->notify_fd, &count, sizeof(count));
}

bool foh_content_detector_result(struct foh_content_detector *d, uint32_t idx,
		struct foh_content_result *out)
{
	struct slot *s;

	if (idx >= FOH_CONTENT_DETECTORS_MAX)
		return false;
	s = &d->slot[idx];
	pthread_mutex_lock(&s->lock);
	*out = s->res;
	pthread_mutex_unlock(&s->lock);
	return s->tap != NULL || out->decisions > 0;
}
