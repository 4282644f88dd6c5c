/* fohd's content detection glue: loads the content model, runs the
 * channels' detectors (detector.h) for every channel whose content-enabled
 * is on and whose stream rate is known, and announces what they decide:
 * ContentClass and ContentStyle changes and hooks->content_changed. Main
 * thread only. Model file: content/centroids.h (FOH_CONTENT_STYLES, the
 * user's ~/.config/foh/content/styles, else the shipped default). */
#include <errno.h>
#include <string.h>

#include <glib.h>

#include "content/centroids.h"
#include "core/daemon.h"
#include "util/log.h"

#define SILENCE_DB	-60.0

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
	g_autofree char *path = foh_centroids_path(), *error = NULL;
	g_autofree struct foh_content_model *m = g_new0(struct foh_content_model, 1);
	int fd, res;

	if (foh_centroids_load(path, m, &error) < 0) {
		/* detection still tells silence from signal; classes need a model */
		foh_warn("content detection without a model: %s", error);
		memset(m, 0, sizeof(*m));
		for (int i = 0; i < FOH_CF_N; i++)
			m->std[i] = 1.0;
	} else {
		foh_debug("content model: %s (%u centroids)", path, m->n);
	}
	if ((res = foh_content_detector_new(m, SILENCE_DB, &d->content, &fd)) < 0)
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

void foh_daemon_content_free(struct foh_daemon *d)
{
	d->content_source = sd_event_source_disable_unref(d->content_source);
	foh_content_detector_free(d->content);
	d->content = NULL;
}
