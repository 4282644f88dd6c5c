/* fohd's profile switching (content/profiles.h), per channel, at the meter
 * rate on the main thread:
 *   profile-mode auto: when the detected style (music) or "speech" differs
 *     from the profile applied and has held for profile-hold seconds, that
 *     profile is applied (if there is one of that name); silence and
 *     unknown keep what is there;
 *   manual (and auto, between detections): the profile named by the
 *     profile setting is applied when it changes;
 *   off: nothing is switched.
 * Applying glides: every number the profile sets moves from where it is to
 * the profile's value over GLIDE_USEC (frequencies on a log scale);
 * switches turn on at the start and off at the end (the strip crossfades a
 * stage's enable, so neither clicks). The channel's settings are what the
 * glide leaves them; they are saved when it ends. */
#include <string.h>

#include <glib.h>

#include "core/daemon.h"
#include "util/log.h"

#define GLIDE_USEC	(2 * 1000 * 1000)

static uint64_t now_usec(struct foh_daemon *d)
{
	uint64_t t = 0;

	(void)sd_event_now(d->event, CLOCK_MONOTONIC, &t);
	return t;
}

static void glide_step(struct foh_daemon *d, struct foh_channel_slot *slot, double x)
{
	foh_profile_glide(&slot->glide, &slot->glide_from, x, &d->conf->channel[slot->index - 1]);
}

static void glide_end(struct foh_daemon *d, struct foh_channel_slot *slot)
{
	glide_step(d, slot, 1.0);
	slot->glide_start = 0;
	(void)foh_daemon_channel_changed(d, slot->index, false);
	for (size_t i = 0; i < foh_channel_n_params && i < FOH_PROFILE_KEYS_MAX; i++)
		if (slot->glide.set[i] && foh_channel_params[i].property != NULL)
			foh_announce_channel(d, slot->index, foh_channel_params[i].property);
	foh_info("channel %u: profile %s applied", slot->index, slot->profile_applied);
}

static void start(struct foh_daemon *d, struct foh_channel_slot *slot, const char *name,
		uint64_t now)
{
	struct foh_channel_settings *cur = &d->conf->channel[slot->index - 1];
	g_autofree char *error = NULL;

	if (strcmp(name, slot->profile_missing) == 0)
		return;
	if (foh_profile_load(name, &slot->glide, &error) < 0) {
		foh_warn("channel %u: %s", slot->index, error);
		snprintf(slot->profile_missing, sizeof(slot->profile_missing), "%s", name);
		return;
	}
	slot->profile_missing[0] = '\0';
	if (slot->glide_start != 0)
		glide_step(d, slot, 1.0);	/* a glide in flight lands first */
	slot->glide_from = *cur;
	slot->glide_start = now;
	snprintf(slot->profile_applied, sizeof(slot->profile_applied), "%s", name);
	if (strcmp(cur->profile, name) != 0) {
		snprintf(cur->profile, sizeof(cur->profile), "%s", name);
		foh_announce_channel(d, slot->index, "Profile");
	}
	foh_debug("channel %u: gliding to profile %s", slot->index, name);
}

/* What auto mode would pick now: NULL for none. */
static const char *wanted(const struct foh_channel_slot *slot)
{
	if (slot->content.cls == FOH_CONTENT_MUSIC && slot->content.style[0] != '\0')
		return slot->content.style;
	if (slot->content.cls == FOH_CONTENT_SPEECH)
		return "speech";
	return NULL;
}

void foh_daemon_profiles_changed(struct foh_daemon *d)
{
	for (uint32_t i = 0; i < d->n_channels; i++)
		if (d->channels[i] != NULL)
			d->channels[i]->profile_missing[0] = '\0';
}

void foh_daemon_profiles_tick(struct foh_daemon *d)
{
	uint64_t now = now_usec(d);

	for (uint32_t i = 0; i < d->n_channels; i++) {
		struct foh_channel_slot *slot = d->channels[i];
		const struct foh_channel_settings *s;
		const char *want;

		if (slot == NULL)
			continue;
		if (slot->glide_start != 0) {
			double x = (double)(now - slot->glide_start) / GLIDE_USEC;
			if (x >= 1.0) {
				glide_end(d, slot);
			} else {
				glide_step(d, slot, x);
				(void)foh_channel_apply(slot->channel, &d->conf->channel[i]);
			}
		}
		s = &d->conf->channel[i];
		if (strcmp(s->profile_mode, "off") == 0)
			continue;
		if (s->profile[0] != '\0' && strcmp(s->profile, slot->profile_applied) != 0) {
			start(d, slot, s->profile, now);
			continue;
		}
		if (strcmp(s->profile_mode, "auto") != 0 || (want = wanted(slot)) == NULL ||
		    strcmp(want, slot->profile_applied) == 0)
			continue;
		if (now - slot->content_since >= (uint64_t)(s->profile_hold * 1e6))
			start(d, slot, want, now);
	}
}
