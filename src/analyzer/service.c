/* fohd's analyzer: applying changed settings (from D-Bus or a reload),
 * announcing what changed and saving it. Main thread only. */
#include <stdio.h>
#include <string.h>


#include "core/daemon.h"
#include "util/log.h"

static void emit_changes(struct foh_daemon *d, const struct foh_analyzer_settings *prev,
		const struct foh_analyzer_settings *next)
{
	for (size_t i = 0; i < foh_analyzer_n_params; i++) {
		const struct foh_param *p = &foh_analyzer_params[i];
		size_t size = p->type == FOH_PARAM_STRING ? (size_t)p->max + 1 :
			p->type == FOH_PARAM_DOUBLE ? sizeof(double) :
			p->type == FOH_PARAM_UINT ? sizeof(uint32_t) : sizeof(bool);
		if (p->property != NULL &&
		    memcmp((const char *)prev + p->offset, (const char *)next + p->offset, size) != 0)
			foh_announce_analyzer(d, p->property);
	}
	if (memcmp(prev->band_lo, next->band_lo, sizeof(prev->band_lo)) != 0 ||
	    memcmp(prev->band_hi, next->band_hi, sizeof(prev->band_hi)) != 0)
		foh_announce_analyzer(d, "Bands");
	if (strcmp(prev->destinations, next->destinations) != 0)
		foh_announce_analyzer(d, "Destinations");
}

/* A D-Bus read of the live values keeps the analyzer running this long. */
#define WATCH_USEC	30000000ULL

/* The analyzer runs while someone uses it: OSC destinations (not "idle"
 * ones: foh-web's feed while no client of its reads it), a D-Bus
 * client reading its live values (Lmh, Bpm, Blocks...) in the last
 * WATCH_USEC, or a channel whose delay follows its tempo (delay-sync).
 * Otherwise its node is inactive and its worker sleeps. */
void foh_daemon_analyzer_update_active(struct foh_daemon *d)
{
	uint64_t now = 0;
	bool want;

	if (d->analyzer == NULL)
		return;
	(void)sd_event_now(d->event, CLOCK_MONOTONIC, &now);
	/* derived when the settings were applied (post), not parsed per tick */
	want = foh_analyzer_sends_osc(d->analyzer) || now < d->analyzer_watch_until;
	for (uint32_t i = 0; i < d->n_channels && !want; i++)
		want = d->conf->channel[i].delay_sync[0] != '\0' && d->conf->channel[i].delay_enabled;
	foh_analyzer_set_active(d->analyzer, want);
}

void foh_daemon_analyzer_watched(struct foh_daemon *d)
{
	uint64_t now;

	if (sd_event_now(d->event, CLOCK_MONOTONIC, &now) < 0)
		return;
	d->analyzer_watch_until = now + WATCH_USEC;
	foh_daemon_analyzer_update_active(d);
}

#define WAIT_USEC	10000000ULL	/* for the source channel's playback link */
#define WAIT_POLL_USEC	50000ULL

/* The channel the analyzer's source names (channel/N), or NULL. */
static struct foh_channel *source_channel(struct foh_daemon *d)
{
	unsigned int n;

	if (sscanf(d->conf->analyzer.source, "channel/%u", &n) != 1 || n < 1 ||
	    n > d->n_channels || d->channels[n - 1] == NULL)
		return NULL;
	return d->channels[n - 1]->channel;
}

/* The channel's playback is linked (to its output): channels' streams are
 * inactive while idle, so "streaming" would not tell. */
static bool playback_linked(struct foh_daemon *d, struct foh_channel *ch)
{
	return foh_engine_node_links(d->engine, foh_channel_playback_node(ch), false) > 0;
}

static int connect_now(struct foh_daemon *d)
{
	struct pw_core *core = foh_engine_core(d->engine);
	int res;

	if (core == NULL || d->analyzer == NULL)
		return 0;
	res = foh_analyzer_connect(d->analyzer, core, foh_engine_data_loop(d->engine),
			foh_engine_target_is_sink(d->engine, d->conf->analyzer.source));
	if (res < 0)
		foh_warn("analyzer: cannot create its stream: %s", strerror(-res));
	return res;
}

static int on_wait(sd_event_source *s, uint64_t usec, void *data)
{
	struct foh_daemon *d = data;
	struct foh_channel *ch = source_channel(d);

	if (foh_engine_core(d->engine) == NULL) {
		/* PipeWire went away: the next connection starts again */
		d->analyzer_wait = sd_event_source_disable_unref(d->analyzer_wait);
		return 0;
	}
	if (ch != NULL && !playback_linked(d, ch) && usec < d->analyzer_wait_until) {
		(void)sd_event_source_set_time(s, usec + WAIT_POLL_USEC);
		return sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
	}
	if (ch != NULL && !playback_linked(d, ch))
		foh_info("analyzer: %s is not linked to its output; capturing it anyway",
				d->conf->analyzer.source);
	d->analyzer_wait = sd_event_source_disable_unref(d->analyzer_wait);
	(void)connect_now(d);
	return 0;
}

/* A channel's output as the source: the analyzer's stream is made only once
 * WirePlumber has linked that channel's playback to its output. The other
 * way round — after a PipeWire restart, when WirePlumber finds every foh
 * stream at once and links the analyzer first — the analyzer's link sets
 * up the playback's ports while the link to the sink is being made; that
 * one fails ("wrong ports"), WirePlumber stops retrying after five
 * failures, and the channel plays to the analyzer alone until its source
 * changes. A playback that is not linked within 10 s (an output that is not
 * there) is captured anyway. */
int foh_daemon_analyzer_connect(struct foh_daemon *d)
{
	struct foh_channel *ch = source_channel(d);
	uint64_t now;
	int res;

	if (foh_engine_core(d->engine) == NULL || d->analyzer == NULL)
		return 0;
	if (ch == NULL || playback_linked(d, ch))
		return connect_now(d);
	if ((res = sd_event_now(d->event, CLOCK_MONOTONIC, &now)) >= 0 && d->analyzer_wait != NULL) {
		d->analyzer_wait_until = now + WAIT_USEC;
		return 0;
	}
	if (res < 0 ||
	    (res = sd_event_add_time(d->event, &d->analyzer_wait, CLOCK_MONOTONIC,
			now + WAIT_POLL_USEC, 10000, on_wait, d)) < 0) {
		foh_warn("analyzer: cannot wait for %s: %s", d->conf->analyzer.source,
				strerror(-res));
		return connect_now(d);
	}
	d->analyzer_wait_until = now + WAIT_USEC;
	return 0;
}

/* The graph changed: a Source that is now known to be a sink, or no longer
 * one, gets a stream made for what it is. */
void foh_daemon_analyzer_graph(struct foh_daemon *d)
{
	const char *source = d->conf->analyzer.source;
	const struct foh_device *devs;
	bool known = false, sink;
	size_t n;

	if (d->analyzer == NULL || !foh_analyzer_connected(d->analyzer) || source[0] == '\0' ||
	    source_channel(d) != NULL)
		return;
	devs = foh_engine_devices(d->engine, &n);
	for (size_t k = 0; k < n && !known; k++)
		known = strcmp(devs[k].name, source) == 0;
	sink = foh_engine_target_is_sink(d->engine, source);
	if (!known || sink == foh_analyzer_source_is_sink(d->analyzer))
		return;
	foh_info("analyzer: its source %s is %s: capturing %s", source,
			sink ? "a sink" : "not a sink", sink ? "its monitor" : "it");
	foh_daemon_analyzer_disconnect(d);
	(void)connect_now(d);
}

void foh_daemon_analyzer_disconnect(struct foh_daemon *d)
{
	d->analyzer_wait = sd_event_source_disable_unref(d->analyzer_wait);
	if (d->analyzer != NULL)
		foh_analyzer_disconnect(d->analyzer);
}

int foh_daemon_analyzer_changed(struct foh_daemon *d, const struct foh_analyzer_settings *prev,
		bool persist)
{
	const struct foh_analyzer_settings *next = &d->conf->analyzer;
	bool new_source = strcmp(prev->source, next->source) != 0;
	int res;

	if (new_source) {
		foh_daemon_analyzer_disconnect(d);
		foh_daemon_channels_passive(d);
	}
	res = foh_analyzer_apply(d->analyzer, next);
	foh_daemon_analyzer_update_active(d);
	if (new_source)
		(void)foh_daemon_analyzer_connect(d);
	emit_changes(d, prev, next);
	if (persist)
		foh_daemon_schedule_save(d);
	return res;
}
