/* The content detectors of fohd's channels: one worker thread for all of
 * them, which every 100 ms drains each enabled channel's tap (tap.h),
 * computes the features (features.h) and, every 0.5 s of signal, the
 * decision (classify.h). Results go to the main thread under a mutex the
 * data thread never sees, with an eventfd to wake it.
 *
 * Main thread: new/free, set (enable a channel's detector with its tap
 * and rate; the feature state is built here, never on the worker, since
 * FFTW plans only on one thread), take results when the fd is readable. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "content/classify.h"
#include "content/tap.h"

#define FOH_CONTENT_DETECTORS_MAX 64

struct foh_content_result {
	enum foh_content_class cls;
	char style[FOH_CONTENT_NAME_MAX + 1];
	double confidence;
	uint64_t seq;			/* bumps on every change of class or style */
	uint64_t decisions;		/* ticks decided so far */
	uint64_t work_ns;		/* the worker's time for this channel */
	uint64_t frames;		/* samples analysed */
};

struct foh_content_detector;

/* m is copied. *fd is the eventfd to watch (readable: results changed). */
int foh_content_detector_new(const struct foh_content_model *m, double silence_db,
		struct foh_content_detector **out, int *fd);
void foh_content_detector_free(struct foh_content_detector *d);
/* Channel idx (0-based): tap == NULL or rate == 0 turns it off. The tap
 * must stay valid until it is turned off again. Restarting resets the
 * decision to unknown. */
int foh_content_detector_set(struct foh_content_detector *d, uint32_t idx,
		struct foh_content_tap *tap, uint32_t rate);
/* Replaces the model (copied) between two decisions of every channel. */
void foh_content_detector_set_model(struct foh_content_detector *d,
		const struct foh_content_model *m);
/* Clears the fd; then read each channel's latest result. */
void foh_content_detector_ack(struct foh_content_detector *d);
bool foh_content_detector_result(struct foh_content_detector *d, uint32_t idx,
		struct foh_content_result *out);
