/* fohd's content detection glue: loads the content model, runs the
 * channels' detectors (detector.h) for every channel whose content-enabled
 * is on and whose stream rate is known, and announces what they decide:
 * ContentClass and ContentStyle changes and hooks->content_changed. Main
 * thread only. Model file: content/centroids.h (FOH_CONTENT_STYLES, the
 * user's ~/.config/foh/content/styles, else the shipped default). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fftw3.h>
#include <glib.h>

#include "content/centroids.h"
#include "content/learn.h"
#include "core/daemon.h"
#include "util/atomic-file.h"
#include "util/log.h"


static void announce(struct foh_daemon *d, struct foh_channel_slot *slot,
		const struct foh_content_result *r)
{
	bool cls = r->cls != slot->content.cls;
	bool style = strcmp(r->style, slot->content.style) != 0;

	slot->content = *r;
	if (!cls && !style)
		return;
	(void)sd_event_now(d->event, CLOCK_MONOTONIC, &slot->content_since);
	if (cls)
		foh_announce_channel(d, slot->index, "ContentClass");
	if (style)
		foh_announce_channel(d, slot->index, "ContentStyle");
	if (!d->stopping && d->hooks && d->hooks->content_changed)
		d->hooks->content_changed(d, slot);
}

static int on_results(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct foh_daemon *d = data;
	struct foh_content_result r;

	foh_content_detector_ack(d->content);
	for (uint32_t i = 0; i < d->n_channels; i++) {
		struct foh_channel_slot *slot = d->channels[i];
		if (slot == NULL)
			continue;
		(void)foh_content_detector_result(d->content, i, &r);
		announce(d, slot, &r);
	}
	return 0;
}

int foh_daemon_content_start(struct foh_daemon *d)
{
	g_autofree char *path = NULL, *error = NULL, *note = NULL;
	g_autofree char *user = foh_centroids_user_path();
	g_autofree struct foh_content_model *m = g_new0(struct foh_content_model, 1);
	int fd, res;

	/* what a learn killed inside its save left (see foh_atomic_clean) */
	if ((res = foh_atomic_clean(user)) < 0)
		foh_warn("cannot remove stale temporary files beside %s: %s", user, strerror(-res));

	/* Learn plans FFTs on a thread of its own while the main thread may
	 * plan the detectors' and the analyzer's: FFTW's planner must lock.
	 * Called before any second thread plans. */
	fftwf_make_planner_thread_safe();
	if (foh_centroids_load_current(m, &path, &note, &error) < 0) {
		/* detection still tells silence from signal; classes need a model */
		foh_warn("content detection without a model: %s", error);
		memset(m, 0, sizeof(*m));
		for (int i = 0; i < FOH_CF_N; i++)
			m->std[i] = 1.0;
		path = foh_centroids_path();
	} else {
		if (note != NULL)
			foh_warn("content model: %s", note);
		foh_debug("content model: %s (%u centroids)", path, m->n);
	}
	d->content_model = g_steal_pointer(&m);
	d->content_model_path = g_steal_pointer(&path);
	if ((res = foh_content_detector_new(d->content_model, FOH_CONTENT_SILENCE_DB, &d->content, &fd)) < 0)
		return res;
	return sd_event_add_io(d->event, &d->content_source, fd, EPOLLIN, on_results, d);
}

void foh_daemon_content_sync(struct foh_daemon *d)
{
	foh_daemon_profiles_tick(d);
	if (d->content == NULL)
		return;
	for (uint32_t i = 0; i < d->n_channels; i++) {
		struct foh_channel_slot *slot = d->channels[i];
		struct foh_channel *ch;
		bool want;
		int res;

		if (slot == NULL)
			continue;
		ch = slot->channel;
		want = foh_channel_settings(ch)->content_enabled && foh_channel_is_connected(ch) &&
			foh_channel_rate(ch) > 0;
		res = foh_content_detector_set(d->content, i,
				want ? foh_channel_content_tap(ch) : NULL,
				want ? foh_channel_rate(ch) : 0);
		if (res < 0)
			foh_warn("channel %u: cannot start its content detector: %s", slot->index,
					strerror(-res));
	}
}

void foh_daemon_content_channel_gone(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	if (d->content != NULL)
		(void)foh_content_detector_set(d->content, slot->index - 1, NULL, 0);
}

static int on_learned(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct foh_daemon *d = data;
	g_autofree struct foh_content_model *m = g_memdup2(d->content_model, sizeof(*m));
	g_autofree char *error = NULL, *path = foh_centroids_user_path();
	void *request = d->learn_request;
	double v[FOH_CF_N];
	uint32_t windows = 0;
	int res;

	d->learn_source = sd_event_source_disable_unref(d->learn_source);
	res = foh_learn_finish(d->learn, v, &windows, &error);
	d->learn = NULL;
	d->learn_request = NULL;
	if (res == 0 && (res = foh_content_model_set(m, d->learn_name,
					(enum foh_content_class)d->learn_class, v, windows)) < 0)
		error = g_strdup_printf("the model holds %d centroids already",
				FOH_CONTENT_CENTROIDS_MAX);
	if (res == 0 && (res = foh_centroids_save(path, m, &error)) == 0) {
		*d->content_model = *m;
		foh_content_detector_set_model(d->content, m);
		g_free(d->content_model_path);
		d->content_model_path = g_steal_pointer(&path);
		foh_info("content: learned %s from %u windows into %s", d->learn_name, windows,
				d->content_model_path);
		foh_announce(d, FOH_CONTENT_PATH, FOH_CONTENT_INTERFACE, "ModelPath", "Centroids",
				NULL);
	}
	if (d->hooks && d->hooks->content_learned)
		d->hooks->content_learned(d, request, res, error, windows);
	return 0;
}

int foh_daemon_content_learn(struct foh_daemon *d, const char *name, const char *cls,
		const char *const *files, uint32_t n, void *request, char **why)
{
	int c = foh_content_class_from_name(cls), fd, res;

	if (d->learn != NULL) {
		*why = g_strdup_printf("learning %s is under way", d->learn_name);
		return -EBUSY;
	}
	if (d->content == NULL) {
		*why = g_strdup("content detection is not running");
		return -ENODEV;
	}
	if (foh_content_check_name(name, why) < 0)
		return -EINVAL;
	if (c != FOH_CONTENT_SPEECH && c != FOH_CONTENT_MUSIC) {
		*why = g_strdup_printf("class is speech or music, not \"%s\"", cls);
		return -EINVAL;
	}
	if (n < 1 || n > FOH_LEARN_FILES_MAX) {
		*why = g_strdup_printf("1 to %d files, not %u", FOH_LEARN_FILES_MAX, n);
		return -EINVAL;
	}
	for (uint32_t i = 0; i < n; i++) {
		struct stat st;
		if (files[i][0] != '/' || stat(files[i], &st) < 0 || !S_ISREG(st.st_mode) ||
		    access(files[i], R_OK) < 0) {
			*why = g_strdup_printf("%s: not a readable file given by its absolute path",
					files[i]);
			return -EINVAL;
		}
	}
	if ((res = foh_learn_start(files, n, &d->learn, &fd)) < 0) {
		*why = g_strdup_printf("cannot start learning: %s", strerror(-res));
		return res;
	}
	if ((res = sd_event_add_io(d->event, &d->learn_source, fd, EPOLLIN, on_learned, d)) < 0) {
		double v[FOH_CF_N];
		uint32_t w;
		g_autofree char *e = NULL;
		(void)foh_learn_finish(d->learn, v, &w, &e);
		d->learn = NULL;
		*why = g_strdup_printf("cannot wait for learning: %s", strerror(-res));
		return res;
	}
	snprintf(d->learn_name, sizeof(d->learn_name), "%s", name);
	d->learn_class = c;
	d->learn_request = request;
	return 0;
}

void foh_daemon_content_free(struct foh_daemon *d)
{
	if (d->learn != NULL) {
		double v[FOH_CF_N];
		uint32_t w;
		g_autofree char *e = NULL;
		(void)foh_learn_finish(d->learn, v, &w, &e);
		d->learn = NULL;
		if (d->hooks && d->hooks->content_learned)
			d->hooks->content_learned(d, d->learn_request, -ECANCELED,
					"fohd is stopping", 0);
	}
	d->learn_source = sd_event_source_disable_unref(d->learn_source);
	g_clear_pointer(&d->content_model, g_free);
	g_clear_pointer(&d->content_model_path, g_free);
	d->content_source = sd_event_source_disable_unref(d->content_source);
	foh_content_detector_free(d->content);
	d->content = NULL;
}
