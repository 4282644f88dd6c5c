/* foh-osc's feedback to control surfaces, like the X32's /xremote: a
 * surface that sends /foh/subscribe holds a 30 s lease (renewed by sending
 * it again; /foh/unsubscribe ends it) and gets, from the port it sent
 * from, to the address and port it sent from:
 *   /foh/ch/N/levels ,ffffff  peak, rms, vu, lufs_m, lufs_s, gain reduction
 *       at 10 Hz for every channel whose Levels signal fohd sent in the
 *       last second (the latest values);
 *   every change of a mapped property (PropertiesChanged) on its /foh/...
 *       address: ,f for numbers, ,i 0/1 for switches.
 * At most 16 surfaces at a time; a 17th is refused (refused_busy). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "foh-osc.h"
#include "util/log.h"

#define LEVELS_FRESH_USEC	1000000ULL

static void send_all(struct foh_osc *o, const char *path, lo_message m)
{
	for (unsigned int i = 0; i < o->n_subs; i++)
		(void)osc_send(o, o->subs[i].fd, &o->subs[i].addr, path, m);
}

static bool same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

void osc_subscribe(struct foh_osc *o, bool on)
{
	unsigned int i;

	if (o->from == NULL)
		return;
	for (i = 0; i < o->n_subs; i++)
		if (same_peer(&o->subs[i].addr, o->from))
			break;
	if (!on) {
		if (i < o->n_subs)
			o->subs[i] = o->subs[--o->n_subs];
		return;
	}
	if (i == o->n_subs) {
		if (o->n_subs >= OSC_MAX_SUBS) {
			o->stats.refused_busy++;
			return;
		}
		o->n_subs++;
		foh_info("surface %s:%u subscribed", inet_ntoa(o->from->sin_addr),
				ntohs(o->from->sin_port));
	}
	o->stats.subscribes++;
	o->subs[i] = (struct osc_sub) { *o->from, o->from_fd, osc_now() + o->lease_usec };
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
	o->match_props = sd_bus_slot_unref(o->match_props);
	o->match_save_failed = sd_bus_slot_unref(o->match_save_failed);
}
