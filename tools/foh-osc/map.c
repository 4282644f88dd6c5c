/* foh-osc's address space: one table row per /foh/... address (the object
 * it names, the property or method, the argument type), and the D-Bus
 * caller behind it. Calls are asynchronous; calls with a key coalesce:
 * while one is in flight, a newer one replaces the pending one (latest
 * wins), so a fader dragged at 1 kHz costs one call per round trip, never
 * a queue. Ranges are fohd's: a value it refuses with InvalidArgument is
 * counted as refused_range, nothing here duplicates its limits.
 *
 *   /foh/ch/N/gain, /mute, /gate_open, /gate/enabled, /gate/threshold,
 *   /comp/enabled, /comp/threshold, /comp/ratio, /comp/makeup,
 *   /limiter/enabled, /limiter/ceiling,
 *   /chorus/enabled, /chorus/rate, /chorus/depth, /chorus/mix,
 *   /delay/enabled, /delay/time, /delay/feedback, /delay/mix,
 *   /delay/ping_pong, /reverb/enabled, /reverb/mix, /reverb/decay,
 *   /reverb/pre_delay, /reverb/damping, /reverb/size, /width
 *                                           → Channel N's property
 *   /foh/stabilizer/enabled, /target        → Stabilizer Enabled, TargetDb
 *   /foh/x32/fader/<id> db                  → X32.SetFader(id, db)
 *   /foh/analyzer/band/<name> lo hi         → Analyzer.SetBand(name, lo, hi)
 *   /foh/subscribe, /foh/unsubscribe        → feedback (feedback.c) */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foh-osc.h"
#include "util/log.h"
#include "x32/proto.h"

enum route_obj { OBJ_CHANNEL, OBJ_STABILIZER, OBJ_X32, OBJ_ANALYZER };
enum route_kind { R_PROP, R_X32_FADER, R_BAND };

static const struct {
	const char *path;	/* OBJ_CHANNEL: followed by N */
	const char *iface;
} objects[] = {
	[OBJ_CHANNEL] = { FOH_ROOT "/channel/", "org.foh.Foh1.Channel" },
	[OBJ_STABILIZER] = { FOH_ROOT "/stabilizer", "org.foh.Foh1.Stabilizer" },
	[OBJ_X32] = { FOH_ROOT "/x32", "org.foh.Foh1.X32" },
	[OBJ_ANALYZER] = { FOH_ROOT "/analyzer", "org.foh.Foh1.Analyzer" },
};

/* '#' in a pattern is a channel number 1..64, '*' one name segment. */
static const struct route {
	const char *pattern;
	enum route_obj obj;
	enum route_kind kind;
	const char *member;
	char type;		/* R_PROP: 'd' or 'b' */
} routes[] = {
	{ "/foh/ch/#/gain", OBJ_CHANNEL, R_PROP, "Gain", 'd' },
	{ "/foh/ch/#/mute", OBJ_CHANNEL, R_PROP, "Mute", 'b' },
	{ "/foh/ch/#/gate_open", OBJ_CHANNEL, R_PROP, "GateOpen", 'b' },
	{ "/foh/ch/#/gate/enabled", OBJ_CHANNEL, R_PROP, "GateEnabled", 'b' },
	{ "/foh/ch/#/gate/threshold", OBJ_CHANNEL, R_PROP, "GateThreshold", 'd' },
	{ "/foh/ch/#/comp/enabled", OBJ_CHANNEL, R_PROP, "CompEnabled", 'b' },
	{ "/foh/ch/#/comp/threshold", OBJ_CHANNEL, R_PROP, "CompThreshold", 'd' },
	{ "/foh/ch/#/comp/ratio", OBJ_CHANNEL, R_PROP, "CompRatio", 'd' },
	{ "/foh/ch/#/comp/makeup", OBJ_CHANNEL, R_PROP, "CompMakeup", 'd' },
	{ "/foh/ch/#/limiter/enabled", OBJ_CHANNEL, R_PROP, "LimiterEnabled", 'b' },
	{ "/foh/ch/#/limiter/ceiling", OBJ_CHANNEL, R_PROP, "LimiterCeiling", 'd' },
	{ "/foh/ch/#/chorus/enabled", OBJ_CHANNEL, R_PROP, "ChorusEnabled", 'b' },
	{ "/foh/ch/#/chorus/rate", OBJ_CHANNEL, R_PROP, "ChorusRateHz", 'd' },
	{ "/foh/ch/#/chorus/depth", OBJ_CHANNEL, R_PROP, "ChorusDepthMs", 'd' },
	{ "/foh/ch/#/chorus/mix", OBJ_CHANNEL, R_PROP, "ChorusMix", 'd' },
	{ "/foh/ch/#/delay/enabled", OBJ_CHANNEL, R_PROP, "DelayEnabled", 'b' },
	{ "/foh/ch/#/delay/time", OBJ_CHANNEL, R_PROP, "DelayTimeMs", 'd' },
	{ "/foh/ch/#/delay/feedback", OBJ_CHANNEL, R_PROP, "DelayFeedback", 'd' },
	{ "/foh/ch/#/delay/mix", OBJ_CHANNEL, R_PROP, "DelayMix", 'd' },
	{ "/foh/ch/#/delay/ping_pong", OBJ_CHANNEL, R_PROP, "DelayPingPong", 'b' },
	{ "/foh/ch/#/reverb/enabled", OBJ_CHANNEL, R_PROP, "ReverbEnabled", 'b' },
	{ "/foh/ch/#/reverb/mix", OBJ_CHANNEL, R_PROP, "ReverbMix", 'd' },
	{ "/foh/ch/#/reverb/decay", OBJ_CHANNEL, R_PROP, "ReverbDecaySec", 'd' },
	{ "/foh/ch/#/reverb/pre_delay", OBJ_CHANNEL, R_PROP, "ReverbPreDelayMs", 'd' },
	{ "/foh/ch/#/reverb/damping", OBJ_CHANNEL, R_PROP, "ReverbDamping", 'd' },
	{ "/foh/ch/#/reverb/size", OBJ_CHANNEL, R_PROP, "ReverbSize", 'd' },
	{ "/foh/ch/#/width", OBJ_CHANNEL, R_PROP, "Width", 'd' },
	{ "/foh/stabilizer/enabled", OBJ_STABILIZER, R_PROP, "Enabled", 'b' },
	{ "/foh/stabilizer/target", OBJ_STABILIZER, R_PROP, "TargetDb", 'd' },
	{ "/foh/x32/fader/*", OBJ_X32, R_X32_FADER, "SetFader", 0 },
	{ "/foh/analyzer/band/*", OBJ_ANALYZER, R_BAND, "SetBand", 0 },
};

struct match {
	unsigned int n;		/* '#' */
	char name[32];		/* '*' */
};

struct osc_slot {
	struct foh_osc *o;
	sd_bus_slot *call;	/* the call in flight, NULL when idle */
	struct osc_call pending;
	bool has_pending;
	enum osc_class cls;
};

struct action {
	struct foh_osc *o;
	enum osc_class cls;
};

/* Argument readers */

bool osc_arg_number(char type, lo_arg *a, double *out)
{
	int32_t i;
	int64_t h;
	float f;

	switch (type) {
	case 'i': memcpy(&i, a, sizeof(i)); *out = i; return true;
	case 'h': memcpy(&h, a, sizeof(h)); *out = (double)h; return true;
	case 'f': memcpy(&f, a, sizeof(f)); *out = f; return true;
	case 'd': memcpy(out, a, sizeof(*out)); return true;
	default: return false;
	}
}

bool osc_arg_truth(char type, lo_arg *a, bool *out)
{
	double v;

	if (type == 'T' || type == 'F') {
		*out = type == 'T';
		return true;
	}
	if (!osc_arg_number(type, a, &v))
		return false;
	*out = v != 0.0;
	return true;
}

const char *osc_arg_string(char type, lo_arg *a)
{
	return type == 's' || type == 'S' ? (const char *)a : NULL;
}

/* Calls */

void osc_call_init(struct osc_call *c, enum osc_class cls, const char *path,
		const char *iface, const char *member, bool set_property)
{
	*c = (struct osc_call) { .cls = cls, .iface = iface, .member = member,
		.set_property = set_property };
	snprintf(c->path, sizeof(c->path), "%s", path);
}

static struct osc_arg *next_arg(struct osc_call *c, char type)
{
	if (c->n_args >= OSC_CALL_MAX_ARGS)
		return NULL;
	c->arg[c->n_args].type = type;
	return &c->arg[c->n_args++];
}

int osc_call_add_d(struct osc_call *c, double d)
{
	struct osc_arg *a = next_arg(c, 'd');
	if (a == NULL)
		return -E2BIG;
	a->d = d;
	return 0;
}

int osc_call_add_b(struct osc_call *c, bool b)
{
	struct osc_arg *a = next_arg(c, 'b');
	if (a == NULL)
		return -E2BIG;
	a->b = b;
	return 0;
}

int osc_call_add_s(struct osc_call *c, const char *s)
{
	struct osc_arg *a = next_arg(c, 's');
	if (a == NULL)
		return -E2BIG;
	if ((a->s = strdup(s)) == NULL)
		return -ENOMEM;
	return 0;
}

int osc_call_add_strv(struct osc_call *c, char *const *strs, unsigned int n)
{
	struct osc_arg *a;

	if (n > OSC_CALL_MAX_STRS || (a = next_arg(c, 'A')) == NULL)
		return -E2BIG;
	for (unsigned int i = 0; i < n; i++)
		if ((a->strs[a->n_strs++] = strdup(strs[i])) == NULL)
			return -ENOMEM;
	return 0;
}

void osc_call_clear(struct osc_call *c)
{
	for (unsigned int i = 0; i < c->n_args; i++) {
		free(c->arg[i].s);
		for (unsigned int k = 0; k < c->arg[i].n_strs; k++)
			free(c->arg[i].strs[k]);
	}
	c->n_args = 0;
}

static int append_arg(sd_bus_message *m, const struct osc_arg *a)
{
	char *strv[OSC_CALL_MAX_STRS + 1] = { NULL };

	switch (a->type) {
	case 'd': return sd_bus_message_append(m, "d", a->d);
	case 'b': return sd_bus_message_append(m, "b", a->b);
	case 's': return sd_bus_message_append(m, "s", a->s);
	default:
		memcpy(strv, a->strs, a->n_strs * sizeof(char *));
		return sd_bus_message_append_strv(m, strv);
	}
}

static int build(struct foh_osc *o, const struct osc_call *c, sd_bus_message **out)
{
	sd_bus_message *m = NULL;
	const char sig[2] = { c->n_args ? c->arg[0].type : 'd', '\0' };
	int r;

	if (c->set_property) {
		if ((r = sd_bus_message_new_method_call(o->bus, &m, FOH_BUS_NAME, c->path,
				"org.freedesktop.DBus.Properties", "Set")) < 0 ||
		    (r = sd_bus_message_append(m, "ss", c->iface, c->member)) < 0 ||
		    (r = sd_bus_message_open_container(m, 'v', sig)) < 0 ||
		    (r = append_arg(m, &c->arg[0])) < 0 ||
		    (r = sd_bus_message_close_container(m)) < 0)
			goto error;
	} else {
		if ((r = sd_bus_message_new_method_call(o->bus, &m, FOH_BUS_NAME, c->path,
				c->iface, c->member)) < 0)
			goto error;
		for (unsigned int i = 0; i < c->n_args; i++)
			if ((r = append_arg(m, &c->arg[i])) < 0)
				goto error;
	}
	*out = m;
	return 0;
error:
	sd_bus_message_unref(m);
	return r;
}

/* Counts a reply's error where it belongs. */
static void count_error(struct foh_osc *o, enum osc_class cls, const sd_bus_error *e)
{
	const char *n = e->name ? e->name : "";

	if (strcmp(n, "org.foh.Foh1.Error.InvalidArgument") == 0 ||
	    strcmp(n, "org.foh.Foh1.Error.NotFound") == 0) {
		osc_refused(o, &o->stats.refused_range, "(fohd)", "%s", e->message ? e->message : n);
	} else if (strcmp(n, "org.foh.Foh1.Error.NotConnected") == 0) {
		osc_refused(o, &o->stats.refused_not_connected, "(fohd)", "X32 not connected");
	} else if (strcmp(n, SD_BUS_ERROR_UNKNOWN_OBJECT) == 0 ||
		   strcmp(n, SD_BUS_ERROR_UNKNOWN_METHOD) == 0 ||
		   strcmp(n, SD_BUS_ERROR_UNKNOWN_INTERFACE) == 0 ||
		   strcmp(n, SD_BUS_ERROR_UNKNOWN_PROPERTY) == 0) {
		if (cls == OSC_CLASS_DECK)
			osc_deck_unavailable(o);
		else
			osc_refused(o, &o->stats.refused_unknown_address, "(fohd)", "%s", n);
	} else {
		o->stats.dbus_errors++;
		foh_debug("D-Bus call failed: %s: %s", n, e->message ? e->message : "");
	}
}

static int send_call(struct foh_osc *o, const struct osc_call *c,
		sd_bus_message_handler_t cb, void *data, sd_bus_slot **slot)
{
	sd_bus_message *m = NULL;
	int r;

	if ((r = build(o, c, &m)) >= 0)
		r = sd_bus_call_async(o->bus, slot, m, cb, data, OSC_CALL_TIMEOUT_USEC);
	sd_bus_message_unref(m);
	if (r < 0)
		o->stats.dbus_errors++;
	else
		o->stats.dispatched++;
	return r;
}

static int on_slot_reply(sd_bus_message *reply, void *data, sd_bus_error *ret)
{
	struct osc_slot *s = data;
	struct foh_osc *o = s->o;

	o->stats.completed++;
	if (sd_bus_message_is_method_error(reply, NULL))
		count_error(o, s->cls, sd_bus_message_get_error(reply));
	s->call = sd_bus_slot_unref(s->call);
	if (s->has_pending) {
		s->has_pending = false;
		(void)send_call(o, &s->pending, on_slot_reply, s, &s->call);
		osc_call_clear(&s->pending);
	}
	return 0;
}

static int on_action_reply(sd_bus_message *reply, void *data, sd_bus_error *ret)
{
	struct action *a = data;

	a->o->stats.completed++;
	if (sd_bus_message_is_method_error(reply, NULL))
		count_error(a->o, a->cls, sd_bus_message_get_error(reply));
	return 0;
}

static void action_destroy(void *data)
{
	struct action *a = data;

	a->o->actions_in_flight--;
	free(a);
}

static void submit_action(struct foh_osc *o, const struct osc_call *c)
{
	struct action *a;
	sd_bus_slot *slot = NULL;

	if (o->actions_in_flight >= OSC_MAX_ACTIONS || (a = calloc(1, sizeof(*a))) == NULL) {
		osc_refused(o, &o->stats.refused_busy, c->member, "too many calls in flight");
		return;
	}
	*a = (struct action) { o, c->cls };
	if (send_call(o, c, on_action_reply, a, &slot) < 0) {
		free(a);
		return;
	}
	o->actions_in_flight++;
	(void)sd_bus_slot_set_destroy_callback(slot, action_destroy);
	(void)sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
}

static void slot_free(void *data)
{
	struct osc_slot *s = data;

	sd_bus_slot_unref(s->call);
	osc_call_clear(&s->pending);
	free(s);
}

static gboolean slot_idle(gpointer key, gpointer value, gpointer data)
{
	const struct osc_slot *s = value;

	return s->call == NULL && !s->has_pending;
}

void osc_submit(struct foh_osc *o, struct osc_call *c, const char *key)
{
	struct osc_slot *s;

	if (key == NULL) {
		submit_action(o, c);
		osc_call_clear(c);
		return;
	}
	if (o->slots == NULL)
		o->slots = g_hash_table_new_full(g_str_hash, g_str_equal, free, slot_free);
	s = g_hash_table_lookup(o->slots, key);
	if (s == NULL) {
		/* full: forget the keys with nothing on its way (a surface
		 * naming thousands of bands must not lock the others out) */
		if (g_hash_table_size(o->slots) >= OSC_MAX_SLOTS)
			(void)g_hash_table_foreach_remove(o->slots, slot_idle, NULL);
		if (g_hash_table_size(o->slots) >= OSC_MAX_SLOTS ||
		    (s = calloc(1, sizeof(*s))) == NULL) {
			o->stats.refused_busy++;
			osc_call_clear(c);
			return;
		}
		s->o = o;
		s->cls = c->cls;
		g_hash_table_insert(o->slots, strdup(key), s);
	}
	if (s->call == NULL) {
		(void)send_call(o, c, on_slot_reply, s, &s->call);
		osc_call_clear(c);
		return;
	}
	if (s->has_pending) {
		o->stats.coalesced++;
		osc_call_clear(&s->pending);
	}
	s->pending = *c;	/* takes the strings */
	s->has_pending = true;
	c->n_args = 0;
}

void osc_map_free(struct foh_osc *o)
{
	if (o->slots)
		g_hash_table_destroy(o->slots);
	o->slots = NULL;
	if (o->refusals)
		g_hash_table_destroy(o->refusals);
	o->refusals = NULL;
}

/* Refusals */

#define REFUSAL_LOG_USEC	(10ULL * 1000000ULL)
#define REFUSAL_KEYS		256	/* beyond: one shared key */

struct refusal {
	uint64_t logged_at;
	uint64_t unlogged;
};

void osc_refused(struct foh_osc *o, uint64_t *counter, const char *address,
		const char *fmt, ...)
{
	g_autofree char *reason = NULL, *key = NULL;
	struct refusal *r;
	uint64_t now = osc_now();
	va_list ap;

	(*counter)++;
	va_start(ap, fmt);
	reason = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (o->refusals == NULL)
		o->refusals = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	key = g_strdup_printf("%.100s\t%s", address, reason);
	if ((r = g_hash_table_lookup(o->refusals, key)) == NULL) {
		if (g_hash_table_size(o->refusals) >= REFUSAL_KEYS) {
			g_free(key);
			key = g_strdup("(more)");
			r = g_hash_table_lookup(o->refusals, key);
		}
		if (r == NULL) {
			r = g_new0(struct refusal, 1);
			g_hash_table_insert(o->refusals, g_strdup(key), r);
		}
	}
	if (r->logged_at != 0 && now - r->logged_at < REFUSAL_LOG_USEC) {
		r->unlogged++;
		return;
	}
	if (r->unlogged > 0)
		foh_info("refused %.100s: %s (and %" PRIu64 " more like it)", address, reason,
				r->unlogged);
	else
		foh_info("refused %.100s: %s", address, reason);
	r->logged_at = now;
	r->unlogged = 0;
}

/* Routing */

/* A channel number 1..64, no sign, no leading zero. */
static bool parse_channel(const char *s, size_t n, unsigned int *out)
{
	unsigned int v = 0;

	if (n == 0 || n > 2 || s[0] < '1' || s[0] > '9')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	*out = v;
	return v <= OSC_MAX_CHANNELS;
}

static bool match_route(const char *pat, const char *path, struct match *m)
{
	while (*pat && *path) {
		if (*pat == '#' || *pat == '*') {
			size_t n = strcspn(path, "/");
			if (*pat == '#' && !parse_channel(path, n, &m->n))
				return false;
			if (*pat == '*') {
				if (n == 0 || n >= sizeof(m->name) ||
				    strspn(path, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
					return false;
				memcpy(m->name, path, n);
				m->name[n] = '\0';
			}
			pat++;
			path += n;
			continue;
		}
		if (*pat++ != *path++)
			return false;
	}
	return *pat == '\0' && *path == '\0';
}

static bool read_numbers(const char *types, lo_arg **argv, int argc, double *v, int n)
{
	if (argc != n)
		return false;
	for (int i = 0; i < n; i++)
		if (!osc_arg_number(types[i], argv[i], &v[i]))
			return false;
	return true;
}

static void route_call(struct foh_osc *o, const struct route *r, const struct match *m,
		const char *types, lo_arg **argv, int argc)
{
	struct osc_call c;
	char path[64], key[128];
	double v[2];
	bool b;

	if (r->obj == OBJ_CHANNEL)
		snprintf(path, sizeof(path), "%s%u", objects[r->obj].path, m->n);
	else
		snprintf(path, sizeof(path), "%s", objects[r->obj].path);
	osc_call_init(&c, OSC_CLASS_FOH, path, objects[r->obj].iface, r->member,
			r->kind == R_PROP);
	switch (r->kind) {
	case R_PROP:
		if (r->type == 'b' ? argc != 1 || !osc_arg_truth(types[0], argv[0], &b)
				   : !read_numbers(types, argv, argc, v, 1))
			goto wrong_type;
		(void)(r->type == 'b' ? osc_call_add_b(&c, b) : osc_call_add_d(&c, v[0]));
		snprintf(key, sizeof(key), "%s %s", path, r->member);
		break;
	case R_X32_FADER: {
		struct foh_x32_output out;
		if (foh_x32_output_parse(m->name, &out) < 0) {
			osc_refused(o, &o->stats.refused_unknown_address, m->name, "no such X32 output");
			return;
		}
		if (!read_numbers(types, argv, argc, v, 1))
			goto wrong_type;
		(void)osc_call_add_s(&c, m->name);
		(void)osc_call_add_d(&c, v[0]);
		snprintf(key, sizeof(key), "%s %s %s", path, r->member, m->name);
		break;
	}
	case R_BAND:
		if (!read_numbers(types, argv, argc, v, 2))
			goto wrong_type;
		(void)osc_call_add_s(&c, m->name);
		(void)osc_call_add_d(&c, v[0]);
		(void)osc_call_add_d(&c, v[1]);
		snprintf(key, sizeof(key), "%s %s %s", path, r->member, m->name);
		break;
	}
	osc_submit(o, &c, key);
	return;
wrong_type:
	osc_call_clear(&c);
	osc_refused(o, &o->stats.refused_type, r->pattern, "wrong argument types ,%s", types);
}

void osc_map_message(struct foh_osc *o, const char *path, const char *types,
		lo_arg **argv, int argc)
{
	struct match m = { 0 };

	/* /foh/subscribe [token], /foh/subscribe/confirm token: the handshake
	 * of foh-osc-feedback.c */
	if (strcmp(path, "/foh/subscribe") == 0 || strcmp(path, "/foh/subscribe/confirm") == 0) {
		osc_subscribe(o, types, argv, argc);
		return;
	}
	if (strcmp(path, "/foh/unsubscribe") == 0) {
		osc_unsubscribe(o);
		return;
	}
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (match_route(routes[i].pattern, path, &m)) {
			route_call(o, &routes[i], &m, types, argv, argc);
			return;
		}
	}
	if (!osc_deck_message(o, path, types, argv, argc))
		osc_refused(o, &o->stats.refused_unknown_address, path, "unknown address");
}

/* The pattern with '#' replaced by n. */
static int format_address(const char *pat, unsigned int n, char *addr, size_t size)
{
	const char *hash = strchr(pat, '#');
	int len = hash ? snprintf(addr, size, "%.*s%u%s", (int)(hash - pat), pat, n, hash + 1)
		       : snprintf(addr, size, "%s", pat);

	return len < 0 || (size_t)len >= size ? -ENOSPC : 0;
}

int osc_map_feedback_address(const char *obj_path, const char *iface,
		const char *prop, char *addr, size_t size, char *type)
{
	unsigned int n = 0;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct route *r = &routes[i];
		if (r->kind != R_PROP || strcmp(objects[r->obj].iface, iface) != 0 ||
		    strcmp(r->member, prop) != 0)
			continue;
		if (r->obj == OBJ_CHANNEL) {
			const char *num = obj_path + strlen(FOH_ROOT "/channel/");
			if (strncmp(obj_path, FOH_ROOT "/channel/", strlen(FOH_ROOT "/channel/")) != 0 ||
			    !parse_channel(num, strlen(num), &n))
				return -ENOENT;
		}
		*type = r->type;
		return format_address(r->pattern, n, addr, size);
	}
	return -ENOENT;
}
