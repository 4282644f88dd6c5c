/* foh-osc's feedback to control surfaces, like the X32's /xremote, behind
 * a return-routability check so that a datagram with a forged source
 * cannot turn foh-osc into a traffic amplifier:
 *   /foh/subscribe (no argument) is answered with one challenge,
 *       /foh/token ,i TOKEN (20 bytes, never larger than the request: a
 *       smaller request gets no answer), at most once a second per
 *       address; the token waits 5 s for its surface, and at most 16
 *       surfaces wait at a time (refused_busy);
 *   /foh/subscribe ,i TOKEN (or /foh/subscribe/confirm ,i TOKEN) from the
 *       same address and port starts a 30 s lease, and renews it later
 *       with the same token; a wrong token is refused (refused_token);
 *   /foh/unsubscribe ends it.
 * A surface holding a lease gets, from the port it sent from, to the
 * address and port it sent from:
 *   /foh/ch/N/levels ,ffffff  peak, rms, vu, lufs_m, lufs_s, gain reduction
 *       at 10 Hz for every channel whose Levels signal fohd sent in the
 *       last second (the latest values);
 *   every change of a mapped property (PropertiesChanged) on its /foh/...
 *       address: ,f for numbers, ,i 0/1 for switches;
 *   /foh/ch/N/content ,ssf class style confidence when channel N's content
 *       detector decides a new class or style (fohd's ContentChanged);
 * within a budget of 64 KiB/s per surface (what is over it is dropped and
 * counted as feedback_dropped). At most 16 surfaces at a time; a 17th is
 * refused (refused_busy). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "foh-osc.h"
#include "util/log.h"

#define LEVELS_FRESH_USEC	1000000ULL
#define CHALLENGE_PATH		"/foh/token"

/* Refills s's byte budget (one second's worth at most) and takes len
 * bytes from it; false when they are not there. */
static bool take_budget(struct osc_sub *s, size_t len, uint64_t now)
{
	s->budget += (double)(now - s->budget_at) * OSC_SUB_BYTES_PER_SEC / 1e6;
	if (s->budget > OSC_SUB_BYTES_PER_SEC)
		s->budget = OSC_SUB_BYTES_PER_SEC;
	s->budget_at = now;
	if (s->budget < (double)len)
		return false;
	s->budget -= (double)len;
	return true;
}

static void send_all(struct foh_osc *o, const char *path, lo_message m)
{
	size_t len = lo_message_length(m, path);
	uint64_t now = osc_now();

	for (unsigned int i = 0; i < o->n_subs; i++) {
		if (!take_budget(&o->subs[i], len, now)) {
			o->stats.feedback_dropped++;
			continue;
		}
		if (osc_send(o, o->subs[i].fd, &o->subs[i].addr, path, m) >= 0)
			o->stats.feedback_sent++;
	}
}

static bool same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

static struct osc_sub *find(struct osc_sub *list, unsigned int n, const struct sockaddr_in *a)
{
	for (unsigned int i = 0; i < n; i++)
		if (same_peer(&list[i].addr, a))
			return &list[i];
	return NULL;
}

static void expire(struct foh_osc *o, uint64_t now)
{
	for (unsigned int i = 0; i < o->n_subs;) {
		if (now < o->subs[i].expires) {
			i++;
			continue;
		}
		foh_info("surface %s:%u: lease ended", inet_ntoa(o->subs[i].addr.sin_addr),
				ntohs(o->subs[i].addr.sin_port));
		o->subs[i] = o->subs[--o->n_subs];
	}
	for (unsigned int i = 0; i < o->n_pending;) {
		if (now < o->pending[i].expires)
			i++;
		else
			o->pending[i] = o->pending[--o->n_pending];
	}
}

/* Answers a /foh/subscribe without a token: the token of the lease or
 * of the wait (a new wait when there is none), in one datagram no larger
 * than the request, at most once a second per address. */
static void challenge(struct foh_osc *o, uint64_t now)
{
	struct osc_sub *s = find(o->subs, o->n_subs, o->from);
	lo_message m;
	size_t len;

	if (s == NULL)
		s = find(o->pending, o->n_pending, o->from);
	if (s == NULL) {
		uint32_t token;
		if (o->n_pending >= OSC_MAX_PENDING) {
			o->stats.refused_busy++;
			return;
		}
		if (getrandom(&token, sizeof(token), GRND_NONBLOCK) != sizeof(token)) {
			foh_warn("no random token for a subscription: %s", strerror(errno));
			return;
		}
		s = &o->pending[o->n_pending++];
		*s = (struct osc_sub) { .addr = *o->from, .fd = o->from_fd,
			.expires = now + OSC_PENDING_USEC, .token = token };
	} else if (s->challenged != 0 && now - s->challenged < OSC_CHALLENGE_GAP_USEC) {
		return;
	}
	if ((m = lo_message_new()) == NULL)
		return;
	lo_message_add_int32(m, (int32_t)s->token);
	len = lo_message_length(m, CHALLENGE_PATH);
	/* no amplification: a request smaller than the answer gets none */
	if (len <= o->from_len && osc_send(o, o->from_fd, o->from, CHALLENGE_PATH, m) >= 0) {
		s->challenged = now;
		o->stats.challenges++;
	}
	lo_message_free(m);
}

/* The token argument: ,i (or ,h holding a 32-bit value). */
static bool token_arg(const char *types, lo_arg **argv, int argc, uint32_t *out)
{
	int32_t i;
	int64_t h;

	if (argc != 1)
		return false;
	if (types[0] == 'i') {
		memcpy(&i, &argv[0]->i, sizeof(i));
		*out = (uint32_t)i;
		return true;
	}
	if (types[0] == 'h') {
		memcpy(&h, &argv[0]->h, sizeof(h));
		if (h < INT32_MIN || h > UINT32_MAX)
			return false;
		*out = (uint32_t)h;
		return true;
	}
	return false;
}

void osc_subscribe(struct foh_osc *o, const char *types, lo_arg **argv, int argc)
{
	uint64_t now = osc_now();
	struct osc_sub *s;
	uint32_t token;

	if (o->from == NULL)
		return;
	expire(o, now);
	if (argc == 0) {
		challenge(o, now);
		return;
	}
	if (!token_arg(types, argv, argc, &token)) {
		o->stats.refused_type++;
		return;
	}
	if ((s = find(o->subs, o->n_subs, o->from)) != NULL) {
		if (s->token != token) {
			o->stats.refused_token++;
			return;
		}
		s->expires = now + o->lease_usec;
		o->stats.subscribes++;
		return;
	}
	if ((s = find(o->pending, o->n_pending, o->from)) == NULL || s->token != token) {
		o->stats.refused_token++;
		return;
	}
	if (o->n_subs >= OSC_MAX_SUBS) {
		o->stats.refused_busy++;
		return;
	}
	o->subs[o->n_subs++] = (struct osc_sub) { .addr = *o->from, .fd = o->from_fd,
		.expires = now + o->lease_usec, .token = token, .challenged = s->challenged,
		.budget = OSC_SUB_BYTES_PER_SEC, .budget_at = now };
	*s = o->pending[--o->n_pending];
	o->stats.subscribes++;
	foh_info("surface %s:%u subscribed", inet_ntoa(o->from->sin_addr),
			ntohs(o->from->sin_port));
}

void osc_unsubscribe(struct foh_osc *o)
{
	struct osc_sub *s;

	if (o->from == NULL)
		return;
	if ((s = find(o->subs, o->n_subs, o->from)) != NULL)
		*s = o->subs[--o->n_subs];
	if ((s = find(o->pending, o->n_pending, o->from)) != NULL)
		*s = o->pending[--o->n_pending];
}

static int on_tick(sd_event_source *s, uint64_t usec, void *data)
{
	struct foh_osc *o = data;
	uint64_t now = osc_now();
	char path[32];

	expire(o, now);
	for (unsigned int n = 0; o->n_subs > 0 && n < OSC_MAX_CHANNELS; n++) {
		struct osc_levels *l = &o->levels[n];
		lo_message m;
		if (l->when == 0 || now - l->when > LEVELS_FRESH_USEC)
			continue;
		if ((m = lo_message_new()) == NULL)
			break;
		for (int k = 0; k < 6; k++)
			lo_message_add_float(m, (float)l->v[k]);
		snprintf(path, sizeof(path), "/foh/ch/%u/levels", n + 1);
		send_all(o, path, m);
		lo_message_free(m);
	}
	/* absolute times: the rate does not drift with the loop's latency */
	(void)sd_event_source_set_time(s, usec + OSC_FEEDBACK_USEC);
	return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static int on_levels(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct foh_osc *o = data;
	const char *path = sd_bus_message_get_path(m);
	const char *prefix = FOH_ROOT "/channel/";
	struct osc_levels l;
	unsigned int n;
	char tail;

	if (path == NULL || strncmp(path, prefix, strlen(prefix)) != 0 ||
	    sscanf(path + strlen(prefix), "%u%c", &n, &tail) != 1 ||
	    n < 1 || n > OSC_MAX_CHANNELS)
		return 0;
	if (sd_bus_message_read(m, "dddddd", &l.v[0], &l.v[1], &l.v[2], &l.v[3],
			&l.v[4], &l.v[5]) < 0)
		return 0;
	l.when = osc_now();
	o->levels[n - 1] = l;
	return 0;
}

/* Channel N's ContentChanged: /foh/ch/N/content ,ssf class style confidence. */
static int on_content(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct foh_osc *o = data;
	const char *path = sd_bus_message_get_path(m);
	const char *prefix = FOH_ROOT "/channel/";
	const char *cls, *style;
	char addr[48], tail;
	unsigned int n;
	lo_message msg;
	double conf;

	if (o->n_subs == 0 || path == NULL || strncmp(path, prefix, strlen(prefix)) != 0 ||
	    sscanf(path + strlen(prefix), "%u%c", &n, &tail) != 1 ||
	    n < 1 || n > OSC_MAX_CHANNELS ||
	    sd_bus_message_read(m, "ssd", &cls, &style, &conf) < 0 ||
	    (msg = lo_message_new()) == NULL)
		return 0;
	snprintf(addr, sizeof(addr), "/foh/ch/%u/content", n);
	lo_message_add_string(msg, cls);
	lo_message_add_string(msg, style);
	lo_message_add_float(msg, (float)conf);
	send_all(o, addr, msg);
	lo_message_free(msg);
	return 0;
}

static void send_change(struct foh_osc *o, const char *obj, const char *iface,
		const char *prop, sd_bus_message *m)
{
	char addr[96], type, sig;
	const char *contents;
	lo_message msg;
	double d;
	int b;

	if (osc_map_feedback_address(obj, iface, prop, addr, sizeof(addr), &type) < 0 ||
	    sd_bus_message_peek_type(m, &sig, &contents) < 0 || contents == NULL ||
	    strcmp(contents, type == 'b' ? "b" : "d") != 0 ||
	    sd_bus_message_enter_container(m, 'v', contents) < 0)
		goto skip;
	if ((type == 'b' ? sd_bus_message_read(m, "b", &b) : sd_bus_message_read(m, "d", &d)) < 0 ||
	    sd_bus_message_exit_container(m) < 0 || (msg = lo_message_new()) == NULL)
		return;
	if (type == 'b')
		lo_message_add_int32(msg, b ? 1 : 0);
	else
		lo_message_add_float(msg, (float)d);
	send_all(o, addr, msg);
	lo_message_free(msg);
	return;
skip:
	(void)sd_bus_message_skip(m, "v");
}

static int on_properties_changed(sd_bus_message *m, void *data, sd_bus_error *ret)
{
	struct foh_osc *o = data;
	const char *iface, *prop, *obj = sd_bus_message_get_path(m);

	if (o->n_subs == 0 || obj == NULL || sd_bus_message_read(m, "s", &iface) < 0 ||
	    sd_bus_message_enter_container(m, 'a', "{sv}") < 0)
		return 0;
	while (sd_bus_message_enter_container(m, 'e', "sv") > 0) {
		if (sd_bus_message_read(m, "s", &prop) < 0)
			return 0;
		send_change(o, obj, iface, prop, m);
		if (sd_bus_message_exit_container(m) < 0)
			return 0;
	}
	return 0;
}

/* fohd could not save its settings: what surfaces set lives in its memory
 * only. Logged and counted (save_failures in Stats). */
static int on_save_failed(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_osc *o = userdata;
	const char *reason = "";

	(void)sd_bus_message_read(m, "s", &reason);
	o->stats.save_failures++;
	foh_warn("fohd cannot save its settings, changes live in its memory only: %s", reason);
	return 0;
}

int osc_feedback_start(struct foh_osc *o)
{
	int r;

	o->lease_usec = OSC_LEASE_USEC;
	if ((r = sd_bus_match_signal_async(o->bus, &o->match_levels, NULL, NULL,
			"org.foh.Foh1.Channel", "Levels", on_levels, NULL, o)) < 0 ||
	    (r = sd_bus_match_signal_async(o->bus, &o->match_content, NULL, NULL,
			"org.foh.Foh1.Channel", "ContentChanged", on_content, NULL, o)) < 0 ||
	    (r = sd_bus_match_signal_async(o->bus, &o->match_save_failed, NULL, NULL,
			"org.foh.Foh1.Manager", "SaveFailed", on_save_failed, NULL, o)) < 0 ||
	    (r = sd_bus_add_match_async(o->bus, &o->match_props,
			"type='signal',"
			"interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
			"path_namespace='" FOH_ROOT "'", on_properties_changed, NULL, o)) < 0)
		return r;
	return sd_event_add_time_relative(o->event, &o->feedback_timer, CLOCK_MONOTONIC,
			OSC_FEEDBACK_USEC, 1000, on_tick, o);
}

void osc_feedback_stop(struct foh_osc *o)
{
	o->feedback_timer = sd_event_source_disable_unref(o->feedback_timer);
	o->match_levels = sd_bus_slot_unref(o->match_levels);
	o->match_content = sd_bus_slot_unref(o->match_content);
	o->match_props = sd_bus_slot_unref(o->match_props);
	o->match_save_failed = sd_bus_slot_unref(o->match_save_failed);
}
