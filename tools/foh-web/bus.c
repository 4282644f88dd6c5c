/* foh-web's D-Bus side: sd-bus attached to the GLib main loop as a GSource
 * (the bus fd's events and sd-bus's own timeout drive it), fohd's presence
 * followed through NameOwnerChanged, a reconnect to the bus itself when it
 * goes away, synchronous calls with a short timeout, and the mapping of
 * named D-Bus errors to HTTP status codes with a JSON {error, message}. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "foh-web/foh-web.h"
#include "util/log.h"

#define ERR_UNAVAILABLE "org.foh.Web1.Error.Unavailable"

uint64_t web_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

/* The GSource */

struct bus_source {
	GSource src;
	sd_bus *bus;
	gpointer tag;
	GIOCondition cond;
	struct web *w;
};

static gboolean src_prepare(GSource *s, gint *timeout)
{
	struct bus_source *b = (struct bus_source *)s;
	int events = sd_bus_get_events(b->bus);
	uint64_t until = UINT64_MAX, now;
	GIOCondition cond = 0;

	if (events > 0) {
		if (events & POLLIN)
			cond |= G_IO_IN;
		if (events & POLLOUT)
			cond |= G_IO_OUT;
	}
	/* g_source_modify_unix_fd wakes the context: only on a change, or
	 * the loop never sleeps (it spun at ~96% of a core while idle) */
	cond |= G_IO_ERR | G_IO_HUP;
	if (cond != b->cond) {
		g_source_modify_unix_fd(s, b->tag, cond);
		b->cond = cond;
	}
	*timeout = -1;
	if (sd_bus_get_timeout(b->bus, &until) < 0 || until == UINT64_MAX)
		return FALSE;
	now = web_now();
	if (until <= now) {
		*timeout = 0;
		return TRUE;
	}
	*timeout = (gint)MIN((until - now + 999) / 1000, (uint64_t)G_MAXINT);
	return FALSE;
}

static gboolean src_check(GSource *s)
{
	struct bus_source *b = (struct bus_source *)s;
	uint64_t until = UINT64_MAX;

	if (g_source_query_unix_fd(s, b->tag) != 0)
		return TRUE;
	return sd_bus_get_timeout(b->bus, &until) >= 0 && until != UINT64_MAX && until <= web_now();
}

static void bus_lost(struct web *w);

static gboolean src_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
	struct bus_source *b = (struct bus_source *)s;
	int r = 0;

	/* a bounded batch, so that HTTP is served between bursts of signals */
	for (int i = 0; i < 256; i++) {
		r = sd_bus_process(b->bus, NULL);
		if (r <= 0)
			break;
	}
	if (r < 0) {
		foh_warn("D-Bus connection lost: %s; reconnecting", strerror(-r));
		bus_lost(b->w);
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static GSourceFuncs bus_funcs = {
	.prepare = src_prepare,
	.check = src_check,
	.dispatch = src_dispatch,
};

/* fohd up and down */

static void set_fohd(struct web *w, bool up)
{
	if (w->fohd_up == up)
		return;
	w->fohd_up = up;
	foh_info("fohd is %s", up ? "on the bus" : "gone; answering 503 until it returns");
	web_events_fohd(w, up);
}

static int on_owner_changed(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct web *w = data;
	const char *name, *old, *new;

	if (sd_bus_message_read(m, "sss", &name, &old, &new) < 0 || strcmp(name, FOH_BUS_NAME) != 0)
		return 0;
	set_fohd(w, new[0] != '\0');
	return 0;
}

static int on_props(sd_bus_message *m, void *data, sd_bus_error *error)
{
	web_events_properties(data, m);
	return 0;
}

static int on_levels(sd_bus_message *m, void *data, sd_bus_error *error)
{
	web_events_levels(data, m);
	return 0;
}

static int on_name_owner(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct web *w = data;

	set_fohd(w, !sd_bus_message_is_method_error(m, NULL));
	return 0;
}

static const sd_bus_vtable *web_vtable(void);

static int bus_open(struct web *w)
{
	struct bus_source *b;
	int r;

	if ((r = w->system_bus ? sd_bus_open_system(&w->bus) : sd_bus_open_user(&w->bus)) < 0)
		return r;
	if ((r = sd_bus_match_signal_async(w->bus, &w->match_owner, "org.freedesktop.DBus",
			"/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
			on_owner_changed, NULL, w)) < 0 ||
	    (r = sd_bus_match_signal_async(w->bus, &w->match_levels, NULL, NULL,
			FOH_IFACE("Channel"), "Levels", on_levels, NULL, w)) < 0 ||
	    (r = sd_bus_add_match_async(w->bus, &w->match_props,
			"type='signal',interface='org.freedesktop.DBus.Properties',"
			"member='PropertiesChanged',path_namespace='" FOH_ROOT "'",
			on_props, NULL, w)) < 0 ||
	    (r = sd_bus_add_object_vtable(w->bus, &w->vtable_slot, WEB_PATH, WEB_IFACE,
			web_vtable(), w)) < 0 ||
	    (r = sd_bus_add_object_vtable(w->bus, &w->rooms_slot, WEB_PATH, WEB_IFACE ".Rooms",
			web_rooms_vtable(), w)) < 0 ||
	    (r = sd_bus_call_method_async(w->bus, NULL, "org.freedesktop.DBus",
			"/org/freedesktop/DBus", "org.freedesktop.DBus", "GetNameOwner",
			on_name_owner, w, "s", FOH_BUS_NAME)) < 0 ||
	    (r = sd_bus_request_name_async(w->bus, NULL, WEB_BUS_NAME, 0, NULL, NULL)) < 0)
		return r;
	b = (struct bus_source *)g_source_new(&bus_funcs, sizeof(*b));
	b->bus = w->bus;
	b->w = w;
	b->tag = g_source_add_unix_fd(&b->src, sd_bus_get_fd(w->bus), G_IO_IN);
	b->cond = G_IO_IN;
	g_source_set_name(&b->src, "sd-bus");
	g_source_attach(&b->src, NULL);
	w->bus_source = &b->src;
	return 0;
}

static void bus_close(struct web *w)
{
	if (w->bus_source) {
		g_source_destroy(w->bus_source);
		g_source_unref(w->bus_source);
		w->bus_source = NULL;
	}
	w->match_owner = sd_bus_slot_unref(w->match_owner);
	w->match_props = sd_bus_slot_unref(w->match_props);
	w->match_levels = sd_bus_slot_unref(w->match_levels);
	w->vtable_slot = sd_bus_slot_unref(w->vtable_slot);
	w->rooms_slot = sd_bus_slot_unref(w->rooms_slot);
	w->bus = sd_bus_flush_close_unref(w->bus);
}

static gboolean on_reconnect(gpointer data)
{
	struct web *w = data;

	if (bus_open(w) < 0) {
		bus_close(w);
		return G_SOURCE_CONTINUE;
	}
	foh_info("reconnected to the D-Bus bus");
	w->reconnect_id = 0;
	return G_SOURCE_REMOVE;
}

static void bus_lost(struct web *w)
{
	set_fohd(w, false);
	/* the source is being removed by its own dispatch: forget it first */
	g_source_unref(w->bus_source);
	w->bus_source = NULL;
	bus_close(w);
	if (w->reconnect_id == 0)
		w->reconnect_id = g_timeout_add_seconds(1, on_reconnect, w);
}

int web_bus_start(struct web *w)
{
	int r = bus_open(w);

	if (r < 0)
		foh_error("cannot connect to the %s bus: %s", w->system_bus ? "system" : "user",
				strerror(-r));
	return r;
}

void web_bus_stop(struct web *w)
{
	if (w->reconnect_id)
		g_source_remove(w->reconnect_id);
	w->reconnect_id = 0;
	bus_close(w);
}

/* org.foh.Web1 */

static int method_stats(sd_bus_message *m, void *data, sd_bus_error *error)
{
	struct web *w = data;
	sd_bus_message *reply = NULL;
	unsigned int n_ws = w->clients ? w->clients->len : 0;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "{st}")) < 0)
		goto out;
#define X(n) if (r >= 0) r = sd_bus_message_append(reply, "{st}", #n, (uint64_t)w->stats.n);
	WEB_STATS(X)
#undef X
	if (r < 0 ||
	    (r = sd_bus_message_append(reply, "{st}", "ws_clients", (uint64_t)n_ws)) < 0 ||
	    (r = sd_bus_message_append(reply, "{st}", "connections",
			(uint64_t)web_connections(w))) < 0 ||
	    (r = sd_bus_message_close_container(reply)) < 0)
		goto out;
	r = sd_bus_send(NULL, reply, NULL);
out:
	sd_bus_message_unref(reply);
	return r;
}

static int prop_listen(sd_bus *bus, const char *path, const char *iface, const char *prop,
		sd_bus_message *reply, void *data, sd_bus_error *error)
{
	struct web *w = data;
	int r;

	if ((r = sd_bus_message_open_container(reply, 'a', "{sq}")) < 0)
		return r;
	for (unsigned int i = 0; i < WEB_N_SERVERS; i++) {
		static const char *const names[] = { "main", "feature-server", "mission-control",
			"x32-stabilizer" };
		if (w->lis[i].server == NULL)
			continue;
		if ((r = sd_bus_message_append(reply, "{sq}", names[i], w->lis[i].port)) < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("Stats", SD_BUS_NO_ARGS, SD_BUS_RESULT("a{st}", counters),
			method_stats, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Ports", "a{sq}", prop_listen, 0, SD_BUS_VTABLE_PROPERTY_CONST),
	SD_BUS_VTABLE_END,
};

static const sd_bus_vtable *web_vtable(void)
{
	return vtable;
}

/* Calls */

int web_new_call(struct web *w, sd_bus_message **m, const char *path, const char *iface,
		const char *member)
{
	if (w->bus == NULL)
		return -ENOTCONN;
	return sd_bus_message_new_method_call(w->bus, m, FOH_BUS_NAME, path, iface, member);
}

int web_call(struct web *w, sd_bus_message *m, sd_bus_message **reply, sd_bus_error *error)
{
	int r;

	if (w->bus == NULL || !w->fohd_up) {
		w->stats.fohd_unavailable++;
		return sd_bus_error_set(error, ERR_UNAVAILABLE,
				"fohd is not running (no " FOH_BUS_NAME " on the bus); foh-web "
				"keeps serving and resumes when it returns");
	}
	r = sd_bus_call(w->bus, m, WEB_CALL_USEC, error, reply);
	if (r < 0) {
		w->stats.dbus_errors++;
		if (!sd_bus_error_is_set(error))
			sd_bus_error_set_errno(error, r);
	}
	return r;
}

int web_get_all(struct web *w, const char *path, const char *iface, sd_bus_message **reply,
		sd_bus_error *error)
{
	g_autoptr(GError) unused = NULL;
	sd_bus_message *m = NULL;
	int r;

	if ((r = web_new_call(w, &m, path, "org.freedesktop.DBus.Properties", "GetAll")) < 0 ||
	    (r = sd_bus_message_append(m, "s", iface)) < 0) {
		sd_bus_message_unref(m);
		if (w->bus == NULL)
			return web_call(w, NULL, reply, error);
		return sd_bus_error_set_errno(error, r);
	}
	r = web_call(w, m, reply, error);
	sd_bus_message_unref(m);
	return r;
}

const GDBusPropertyInfo *web_contract_property(struct web *w, const char *iface, const char *prop)
{
	GDBusInterfaceInfo *ii = g_dbus_node_info_lookup_interface(w->contract, iface);

	return ii ? g_dbus_interface_info_lookup_property(ii, prop) : NULL;
}

/* Sets one property from a JSON value, typed by the contract. */
int web_set_json(struct web *w, const char *path, const char *iface, const char *prop,
		JsonNode *value, sd_bus_error *error)
{
	const GDBusPropertyInfo *pi = web_contract_property(w, iface, prop);
	sd_bus_message *m = NULL, *reply = NULL;
	char why[256];
	int r;

	if (pi == NULL)
		return sd_bus_error_setf(error, "org.freedesktop.DBus.Error.UnknownProperty",
				"%s has no property %s", iface, prop);
	if (!(pi->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE))
		return sd_bus_error_setf(error, "org.freedesktop.DBus.Error.PropertyReadOnly",
				"%s.%s is read-only", iface, prop);
	if (w->bus == NULL)
		return web_call(w, NULL, NULL, error);
	if ((r = web_new_call(w, &m, path, "org.freedesktop.DBus.Properties", "Set")) < 0 ||
	    (r = sd_bus_message_append(m, "ss", iface, prop)) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', pi->signature)) < 0)
		goto out;
	if ((r = web_json_append(m, pi->signature, value, why, sizeof(why))) < 0) {
		sd_bus_error_setf(error, "org.foh.Foh1.Error.InvalidArgument", "%s: %s", prop, why);
		goto out;
	}
	if ((r = sd_bus_message_close_container(m)) < 0)
		goto out;
	r = web_call(w, m, &reply, error);
out:
	if (r < 0 && !sd_bus_error_is_set(error))
		sd_bus_error_set_errno(error, r);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r;
}

/* Errors → HTTP */

guint web_error_status(const sd_bus_error *e)
{
	static const struct { const char *name; guint status; } map[] = {
		{ "org.foh.Foh1.Error.InvalidArgument", 400 },
		{ "org.foh.Foh1.Error.InvalidConfig", 400 },
		{ "org.freedesktop.DBus.Error.InvalidArgs", 400 },
		{ "org.freedesktop.DBus.Error.PropertyReadOnly", 405 },
		{ "org.foh.Foh1.Error.NotFound", 404 },
		{ "org.freedesktop.DBus.Error.UnknownObject", 404 },
		{ "org.freedesktop.DBus.Error.UnknownInterface", 404 },
		{ "org.freedesktop.DBus.Error.UnknownMethod", 404 },
		{ "org.freedesktop.DBus.Error.UnknownProperty", 404 },
		{ "org.foh.Foh1.Error.NotConnected", 409 },
		{ "org.foh.Foh1.Error.Exists", 409 },
		{ "org.foh.Foh1.Error.CannotSave", 500 },
		{ ERR_UNAVAILABLE, 503 },
		{ "org.freedesktop.DBus.Error.ServiceUnknown", 503 },
		{ "org.freedesktop.DBus.Error.NameHasNoOwner", 503 },
		{ "org.freedesktop.DBus.Error.NoReply", 503 },
		{ "org.freedesktop.DBus.Error.Timeout", 503 },
		{ "org.freedesktop.DBus.Error.Disconnected", 503 },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(map); i++)
		if (sd_bus_error_has_name(e, map[i].name))
			return map[i].status;
	return 500;
}

void web_reply_builder(SoupServerMessage *msg, guint status, JsonBuilder *b)
{
	g_autoptr(JsonNode) node = json_builder_get_root(b);

	web_reply_json(msg, status, node);
}

char *web_json_string(JsonNode *node)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();

	json_generator_set_root(gen, node);
	return json_generator_to_data(gen, NULL);
}

void web_reply_json(SoupServerMessage *msg, guint status, JsonNode *node)
{
	char *text = web_json_string(node);

	soup_server_message_set_status(msg, status, NULL);
	soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_TAKE, text,
			strlen(text));
}

void web_reply_error(SoupServerMessage *msg, guint status, const char *name, const char *fmt, ...)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "error");
	json_builder_add_string_value(b, name);
	json_builder_set_member_name(b, "message");
	json_builder_add_string_value(b, text);
	json_builder_end_object(b);
	web_reply_builder(msg, status, b);
}

void web_reply_bus_error(struct web *w, SoupServerMessage *msg, const sd_bus_error *e)
{
	guint status = web_error_status(e);

	if (status == 503)
		soup_message_headers_replace(soup_server_message_get_response_headers(msg),
				"Retry-After", "1");
	web_reply_error(msg, status, e->name ? e->name : "org.foh.Web1.Error.Failed", "%s",
			e->message ? e->message : "the call failed");
}
