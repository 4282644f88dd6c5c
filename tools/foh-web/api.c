/* /api/v1: fohd's D-Bus objects one to one over HTTP.
 *   GET   /api/v1/                  the objects (Manager.Channels + the fixed ones)
 *   GET   /api/v1/OBJECT            every property (GetAll) as a JSON object
 *   PATCH /api/v1/OBJECT            {Prop: value, ...}: all or nothing — every
 *                                   name, access and type checked first; a
 *                                   D-Bus error part-way restores what was set
 *   POST  /api/v1/OBJECT/Method     arguments as {name: value} or [positional];
 *                                   the reply's out-arguments as {name: value}
 *   GET   /api/v1/openapi.json      generated from the embedded contract
 * OBJECT is manager, channel/N, analyzer, x32, stabilizer, deck/L, mixer,
 * content or profiles. A deck's Load/Cue path must lie in the music folder
 * (music.c): relative to it, or absolute inside it.
 * Types come from dbus/org.foh.Foh1.xml (compiled in), the same file fohd's
 * introspection is tested against, so the REST side cannot drift from it;
 * ranges, choices, defaults and units in openapi.json's
 * components.schemas.<Kind> come from fohd's own parameter tables
 * (src/<capability>/settings.c, linked in), the ones its setters validate
 * with. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foh-config.h"
#include "analyzer/settings.h"
#include "channel/settings.h"
#include "decks/settings.h"
#include "foh-web/foh-web.h"
#include "stabilizer/settings.h"
#include "util/log.h"
#include "x32/settings.h"

#define ERR_INVALID "org.foh.Foh1.Error.InvalidArgument"
#define ERR_NOT_FOUND "org.foh.Foh1.Error.NotFound"
#define METHOD_USEC (30ULL * 1000000ULL)

static const struct object_kind {
	const char *segment;
	const char *iface;
	char id;		/* 0: none, 'n': a number from 1, 'l': a lower-case letter */
} kinds[] = {
	{ "manager", FOH_IFACE("Manager"), 0 },
	{ "channel", FOH_IFACE("Channel"), 'n' },
	{ "analyzer", FOH_IFACE("Analyzer"), 0 },
	{ "x32", FOH_IFACE("X32"), 0 },
	{ "stabilizer", FOH_IFACE("Stabilizer"), 0 },
	{ "deck", FOH_IFACE("Deck"), 'l' },
	{ "mixer", FOH_IFACE("Mixer"), 0 },
	{ "content", FOH_IFACE("Content"), 0 },
	{ "profiles", FOH_IFACE("Profiles"), 0 },
};

/* fohd's parameter table behind an interface, or NULL (n = 0). */
static const struct foh_param *param_table(const char *iface, size_t *n)
{
	static const struct {
		const char *iface;
		const struct foh_param *table;
		const size_t *n;
	} tables[] = {
		{ FOH_IFACE("Channel"), foh_channel_params, &foh_channel_n_params },
		{ FOH_IFACE("Analyzer"), foh_analyzer_params, &foh_analyzer_n_params },
		{ FOH_IFACE("X32"), foh_x32_params, &foh_x32_n_params },
		{ FOH_IFACE("Mixer"), foh_decks_params, &foh_decks_n_params },
		{ FOH_IFACE("Deck"), foh_deck_params, &foh_deck_n_params },
	};

	*n = 0;
	if (strcmp(iface, FOH_IFACE("Stabilizer")) == 0)
		return foh_stabilizer_params(n);
	for (size_t i = 0; i < G_N_ELEMENTS(tables); i++)
		if (strcmp(iface, tables[i].iface) == 0) {
			*n = *tables[i].n;
			return tables[i].table;
		}
	return NULL;
}

struct target {
	char path[128];
	const char *iface;
	const char *member;	/* a method name, or NULL */
};

static bool valid_id(char kind, const char *s)
{
	size_t n = strlen(s);

	if (kind == 'n') {
		if (n == 0 || n > 3 || s[0] == '0')
			return false;
		for (size_t i = 0; i < n; i++)
			if (!g_ascii_isdigit(s[i]))
				return false;
		return true;
	}
	return n == 1 && s[0] >= 'a' && s[0] <= 'z';
}

/* rest: the part after /api/v1/ */
static bool parse_target(const char *rest, struct target *t)
{
	g_auto(GStrv) seg = g_strsplit(rest, "/", 4);
	guint n = g_strv_length(seg), i = 1;

	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
		if (n == 0 || strcmp(seg[0], kinds[k].segment) != 0)
			continue;
		t->iface = kinds[k].iface;
		if (kinds[k].id) {
			if (n < 2 || !valid_id(kinds[k].id, seg[1]))
				return false;
			snprintf(t->path, sizeof(t->path), FOH_ROOT "/%s/%s", seg[0], seg[1]);
			i = 2;
		} else if (k == 0) {
			snprintf(t->path, sizeof(t->path), FOH_ROOT);
		} else {
			snprintf(t->path, sizeof(t->path), FOH_ROOT "/%s", seg[0]);
		}
		t->member = NULL;
		if (i < n && seg[i][0] != '\0') {
			static char member[64];
			if (i + 1 < n || strlen(seg[i]) >= sizeof(member) ||
			    !g_ascii_isupper(seg[i][0]))
				return false;
			snprintf(member, sizeof(member), "%s", seg[i]);
			t->member = member;
		}
		return true;
	}
	return false;
}

/* GET /api/v1/ */
static void list_objects(struct web *w, SoupServerMessage *msg)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *p;
	int r;

	r = web_get_all(w, FOH_ROOT, FOH_IFACE("Manager"), &reply, &e);
	sd_bus_message_unref(reply);
	reply = NULL;
	if (r >= 0) {
		sd_bus_message *m = NULL;
		if ((r = web_new_call(w, &m, FOH_ROOT, "org.freedesktop.DBus.Properties", "Get")) >= 0 &&
		    (r = sd_bus_message_append(m, "ss", FOH_IFACE("Manager"), "Channels")) >= 0)
			r = web_call(w, m, &reply, &e);
		sd_bus_message_unref(m);
	}
	if (r < 0) {
		web_reply_bus_error(w, msg, &e);
		sd_bus_error_free(&e);
		return;
	}
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "objects");
	json_builder_begin_array(b);
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
		if (kinds[k].id)
			continue;
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "url");
		g_autofree char *url = g_strconcat("/api/v1/", kinds[k].segment, NULL);
		json_builder_add_string_value(b, url);
		json_builder_set_member_name(b, "interface");
		json_builder_add_string_value(b, kinds[k].iface);
		json_builder_end_object(b);
	}
	if (sd_bus_message_enter_container(reply, 'v', "ao") >= 0 &&
	    sd_bus_message_enter_container(reply, 'a', "o") >= 0)
		while (sd_bus_message_read(reply, "o", &p) > 0) {
			g_autofree char *url = g_strconcat("/api/v1", p + strlen(FOH_ROOT), NULL);
			json_builder_begin_object(b);
			json_builder_set_member_name(b, "url");
			json_builder_add_string_value(b, url);
			json_builder_set_member_name(b, "interface");
			json_builder_add_string_value(b, FOH_IFACE("Channel"));
			json_builder_end_object(b);
		}
	for (char d = 'a'; d <= 'b'; d++) {
		char url[32];
		snprintf(url, sizeof(url), "/api/v1/deck/%c", d);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "url");
		json_builder_add_string_value(b, url);
		json_builder_set_member_name(b, "interface");
		json_builder_add_string_value(b, FOH_IFACE("Deck"));
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	sd_bus_message_unref(reply);
	web_reply_builder(msg, 200, b);
}

static void get_object(struct web *w, SoupServerMessage *msg, const struct target *t)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (web_get_all(w, t->path, t->iface, &reply, &e) < 0) {
		web_reply_bus_error(w, msg, &e);
		sd_bus_error_free(&e);
		return;
	}
	if (web_json_read_props(reply, b) < 0) {
		sd_bus_message_unref(reply);
		return web_reply_error(msg, 502, "org.foh.Web1.Error.BadReply",
				"fohd's reply could not be read");
	}
	sd_bus_message_unref(reply);
	web_reply_builder(msg, 200, b);
}

/* PATCH: validate every member, remember every old value, set in order,
 * restore in reverse on the first refusal. */
static int check_member(struct web *w, const struct target *t, const char *name, JsonNode *v,
		sd_bus_error *e)
{
	const GDBusPropertyInfo *pi = web_contract_property(w, t->iface, name);
	sd_bus_message *m = NULL;
	char why[256];
	int r;

	if (pi == NULL)
		return sd_bus_error_setf(e, "org.freedesktop.DBus.Error.UnknownProperty",
				"%s has no property %s", t->iface, name);
	if (!(pi->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE))
		return sd_bus_error_setf(e, "org.freedesktop.DBus.Error.PropertyReadOnly",
				"%s is read-only", name);
	if ((r = web_new_call(w, &m, t->path, t->iface, "Check")) < 0)
		return web_call(w, NULL, NULL, e);
	r = web_json_append(m, pi->signature, v, why, sizeof(why));
	sd_bus_message_unref(m);
	if (r < 0)
		return sd_bus_error_setf(e, ERR_INVALID, "%s: %s", name, why);
	return 0;
}

static int restore(struct web *w, const struct target *t, const char *name, sd_bus_message *old)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	int r;

	if ((r = sd_bus_message_rewind(old, true)) < 0 ||
	    (r = web_new_call(w, &m, t->path, "org.freedesktop.DBus.Properties", "Set")) < 0 ||
	    (r = sd_bus_message_append(m, "ss", t->iface, name)) < 0 ||
	    (r = sd_bus_message_copy(m, old, true)) < 0 ||
	    (r = web_call(w, m, &reply, &e)) < 0)
		foh_warn("PATCH %s: could not restore %s: %s", t->path, name,
				e.message ? e.message : strerror(-r));
	sd_bus_error_free(&e);
	sd_bus_message_unref(m);
	sd_bus_message_unref(reply);
	return r;
}

static void unref_message(gpointer m)
{
	sd_bus_message_unref(m);
}

int web_patch(struct web *w, const char *path, const char *iface, JsonObject *o,
		sd_bus_error *e)
{
	g_autoptr(GList) names = json_object_get_members(o);
	struct target t = { .iface = iface };
	GPtrArray *old;
	guint set = 0;
	int r = 0;

	snprintf(t.path, sizeof(t.path), "%s", path);
	if (names == NULL)
		return sd_bus_error_set(e, ERR_INVALID, "no property named");
	for (GList *l = names; l && r >= 0; l = l->next)
		r = check_member(w, &t, l->data, json_object_get_member(o, l->data), e);
	old = g_ptr_array_new_with_free_func(unref_message);
	for (GList *l = names; l && r >= 0; l = l->next) {
		sd_bus_message *m = NULL, *reply = NULL;
		if ((r = web_new_call(w, &m, t.path, "org.freedesktop.DBus.Properties", "Get")) >= 0 &&
		    (r = sd_bus_message_append(m, "ss", t.iface, (char *)l->data)) >= 0)
			r = web_call(w, m, &reply, e);
		else if (!sd_bus_error_is_set(e))
			r = web_call(w, NULL, NULL, e);
		sd_bus_message_unref(m);
		if (r >= 0)
			g_ptr_array_add(old, reply);
	}
	for (GList *l = names; l && r >= 0; l = l->next, set++)
		r = web_set_json(w, t.path, t.iface, l->data, json_object_get_member(o, l->data), e);
	if (r < 0 && set > 0) {
		/* the loop stepped past the refused one: restore those before it */
		for (guint i = set - 1; i-- > 0;)
			(void)restore(w, &t, g_list_nth_data(names, i), old->pdata[i]);
	}
	g_ptr_array_free(old, TRUE);
	return r;
}

static void patch_object(struct web *w, SoupServerMessage *msg, const struct target *t)
{
	g_autoptr(JsonNode) body = web_body_json(w, msg);
	sd_bus_error e = SD_BUS_ERROR_NULL;

	if (body == NULL)
		return;
	if (!JSON_NODE_HOLDS_OBJECT(body))
		return web_reply_error(msg, 400, ERR_INVALID, "PATCH takes an object {Property: value}");
	if (web_patch(w, t->path, t->iface, json_node_get_object(body), &e) < 0) {
		web_reply_bus_error(w, msg, &e);
		sd_bus_error_free(&e);
		return;
	}
	get_object(w, msg, t);
}

/* POST …/Method: asynchronous, the message paused until fohd answers. */

struct pending {
	struct web *w;
	SoupServerMessage *msg;
	const GDBusMethodInfo *mi;
};

static int on_method_reply(sd_bus_message *reply, void *data, sd_bus_error *unused)
{
	struct pending *p = data;
	const sd_bus_error *e = sd_bus_message_get_error(reply);
	g_autoptr(JsonBuilder) b = json_builder_new();

	if (e) {
		p->w->stats.dbus_errors++;
		web_reply_bus_error(p->w, p->msg, e);
	} else {
		int r = 0;
		json_builder_begin_object(b);
		for (guint i = 0; p->mi->out_args && p->mi->out_args[i] && r >= 0; i++) {
			json_builder_set_member_name(b, p->mi->out_args[i]->name);
			r = web_json_read(reply, b);
		}
		json_builder_end_object(b);
		if (r < 0)
			web_reply_error(p->msg, 502, "org.foh.Web1.Error.BadReply",
					"fohd's reply could not be read");
		else
			web_reply_builder(p->msg, 200, b);
	}
	soup_server_message_unpause(p->msg);
	g_object_unref(p->msg);
	g_free(p);
	return 0;
}

static void call_method(struct web *w, SoupServerMessage *msg, const struct target *t)
{
	GDBusInterfaceInfo *ii = g_dbus_node_info_lookup_interface(w->contract, t->iface);
	const GDBusMethodInfo *mi = ii ? g_dbus_interface_info_lookup_method(ii, t->member) : NULL;
	g_autoptr(JsonNode) body = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	struct pending *p;
	char why[PATH_MAX + 128];
	guint n_in = 0;
	int r;

	if (mi == NULL)
		return web_reply_error(msg, 404, "org.freedesktop.DBus.Error.UnknownMethod",
				"%s has no method %s", t->iface, t->member);
	if ((body = web_body_json(w, msg)) == NULL)
		return;
	while (mi->in_args && mi->in_args[n_in])
		n_in++;
	if (JSON_NODE_HOLDS_ARRAY(body) && json_array_get_length(json_node_get_array(body)) != n_in)
		return web_reply_error(msg, 400, ERR_INVALID, "%s takes %u arguments", t->member, n_in);
	if (!JSON_NODE_HOLDS_ARRAY(body) && !JSON_NODE_HOLDS_OBJECT(body))
		return web_reply_error(msg, 400, ERR_INVALID,
				"arguments are an object {name: value} or an array");
	if ((r = web_new_call(w, &m, t->path, t->iface, t->member)) < 0) {
		web_call(w, NULL, NULL, &e);
		web_reply_bus_error(w, msg, &e);
		sd_bus_error_free(&e);
		return;
	}
	for (guint i = 0; i < n_in; i++) {
		const GDBusArgInfo *a = mi->in_args[i];
		JsonNode *v = JSON_NODE_HOLDS_ARRAY(body) ?
			json_array_get_element(json_node_get_array(body), i) :
			json_object_get_member(json_node_get_object(body), a->name);
		g_autoptr(JsonNode) track = NULL;
		if (v == NULL) {
			sd_bus_message_unref(m);
			return web_reply_error(msg, 400, ERR_INVALID, "%s needs the argument %s (%s)",
					t->member, a->name, a->signature);
		}
		/* a deck's track through foh-web comes from the music folder only */
		if (strcmp(t->iface, FOH_IFACE("Deck")) == 0 && strcmp(a->name, "path") == 0) {
			char *real = NULL;
			if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_STRING ||
			    web_music_resolve(w, json_node_get_string(v), &real, why, sizeof(why)) < 0) {
				sd_bus_message_unref(m);
				w->stats.refused_path++;
				if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_STRING)
					return web_reply_error(msg, 400, ERR_INVALID, "path: not a string");
				return web_reply_error(msg, 403, "org.foh.Web1.Error.NotInMusicFolder",
						"%s", why);
			}
			track = json_node_init_string(json_node_alloc(), real);
			free(real);
			v = track;
		}
		if (web_json_append(m, a->signature, v, why, sizeof(why)) < 0) {
			sd_bus_message_unref(m);
			return web_reply_error(msg, 400, ERR_INVALID, "%s: %s", a->name, why);
		}
	}
	if (JSON_NODE_HOLDS_OBJECT(body)) {
		g_autoptr(GList) members = json_object_get_members(json_node_get_object(body));
		for (GList *l = members; l; l = l->next) {
			bool known = false;
			for (guint i = 0; i < n_in; i++)
				known = known || strcmp(mi->in_args[i]->name, l->data) == 0;
			if (!known) {
				sd_bus_message_unref(m);
				return web_reply_error(msg, 400, ERR_INVALID, "%s has no argument %s",
						t->member, (char *)l->data);
			}
		}
	}
	if (!w->fohd_up) {
		sd_bus_message_unref(m);
		web_call(w, NULL, NULL, &e);
		web_reply_bus_error(w, msg, &e);
		sd_bus_error_free(&e);
		return;
	}
	p = g_new0(struct pending, 1);
	p->w = w;
	p->msg = g_object_ref(msg);
	p->mi = mi;
	r = sd_bus_call_async(w->bus, NULL, m, on_method_reply, p, METHOD_USEC);
	sd_bus_message_unref(m);
	if (r < 0) {
		g_object_unref(p->msg);
		g_free(p);
		return web_reply_error(msg, 503, "org.foh.Web1.Error.Unavailable", "%s", strerror(-r));
	}
	soup_server_message_pause(msg);
}

static void api_handler(SoupServer *s, SoupServerMessage *msg, const char *path,
		GHashTable *query, gpointer data)
{
	struct web *w = data;
	const char *method = soup_server_message_get_method(msg);
	const char *rest = path + strlen("/api/v1");
	struct target t;

	if (rest[0] == '/')
		rest++;
	if (rest[0] == '\0')
		return strcmp(method, "GET") == 0 ? list_objects(w, msg) :
			web_reply_error(msg, 405, "org.foh.Web1.Error.Method", "GET only");
	if (strcmp(rest, "openapi.json") == 0) {
		g_autoptr(JsonNode) doc = web_openapi(w);
		return web_reply_json(msg, 200, doc);
	}
	if (!parse_target(rest, &t))
		return web_reply_error(msg, 404, ERR_NOT_FOUND, "no object at %s", path);
	if (t.member) {
		if (strcmp(method, "POST") != 0)
			return web_reply_error(msg, 405, "org.foh.Web1.Error.Method",
					"methods are called with POST");
		return call_method(w, msg, &t);
	}
	if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
		return get_object(w, msg, &t);
	if (strcmp(method, "PATCH") == 0)
		return patch_object(w, msg, &t);
	web_reply_error(msg, 405, "org.foh.Web1.Error.Method", "GET, PATCH, or POST …/Method");
}

void web_api_install(struct web *w, SoupServer *s)
{
	soup_server_add_handler(s, "/api/v1", api_handler, w, NULL);
}

/* openapi.json, generated from the contract */

/* The members of one value's schema (the caller opens and closes the
 * object); param, when fohd has a table entry for it, gives the range
 * instead of the type's own. */
static void schema_members(JsonBuilder *b, const char *sig, const struct foh_param *param);

static void schema(JsonBuilder *b, const char *sig)
{
	json_builder_begin_object(b);
	schema_members(b, sig, NULL);
	json_builder_end_object(b);
}

/* What fohd's table says of a property: the range it validates with, the
 * only values allowed, the default and the unit. */
static void param_members(JsonBuilder *b, const struct foh_param *p)
{
	switch (p->type) {
	case FOH_PARAM_DOUBLE:
		json_builder_set_member_name(b, "minimum");
		json_builder_add_double_value(b, p->min);
		json_builder_set_member_name(b, "maximum");
		json_builder_add_double_value(b, p->max);
		json_builder_set_member_name(b, "default");
		json_builder_add_double_value(b, p->def);
		break;
	case FOH_PARAM_UINT:
		json_builder_set_member_name(b, "minimum");
		json_builder_add_int_value(b, (gint64)p->min);
		json_builder_set_member_name(b, "maximum");
		json_builder_add_int_value(b, (gint64)p->max);
		json_builder_set_member_name(b, "default");
		json_builder_add_int_value(b, (gint64)p->def);
		break;
	case FOH_PARAM_BOOL:
		json_builder_set_member_name(b, "default");
		json_builder_add_boolean_value(b, p->def != 0.0);
		break;
	case FOH_PARAM_STRING:
		json_builder_set_member_name(b, "maxLength");
		json_builder_add_int_value(b, (gint64)p->max);
		json_builder_set_member_name(b, "default");
		json_builder_add_string_value(b, p->def_str ? p->def_str : "");
		if (p->choices) {
			json_builder_set_member_name(b, "enum");
			json_builder_begin_array(b);
			for (const char *const *c = p->choices; *c; c++)
				json_builder_add_string_value(b, *c);
			json_builder_end_array(b);
		}
		break;
	case FOH_PARAM_LOG_LEVEL:
		break;
	}
	if (p->unit) {
		json_builder_set_member_name(b, "x-unit");
		json_builder_add_string_value(b, p->unit);
	}
}

/* The D-Bus type fohd serves a table entry as (core/bus-params.c): only a
 * property of that type takes the entry's range. */
static char param_sig(const struct foh_param *p)
{
	switch (p->type) {
	case FOH_PARAM_BOOL:
		return 'b';
	case FOH_PARAM_UINT:
		return 'u';
	case FOH_PARAM_DOUBLE:
		return 'd';
	default:
		return 's';
	}
}

/* A property's schema: its type, fohd's range for it where its table has
 * one, readOnly where the contract says so. */
static void property_schema(JsonBuilder *b, const char *iface, const GDBusPropertyInfo *pi)
{
	size_t n;
	const struct foh_param *t = param_table(iface, &n);
	const struct foh_param *p = t ? foh_params_find_property(t, n, pi->name) : NULL;

	json_builder_begin_object(b);
	schema_members(b, pi->signature, p && pi->signature[0] == param_sig(p) ? p : NULL);
	if (!(pi->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE)) {
		json_builder_set_member_name(b, "readOnly");
		json_builder_add_boolean_value(b, TRUE);
	}
	json_builder_end_object(b);
}

static void schema_members(JsonBuilder *b, const char *sig, const struct foh_param *param)
{
	const char *end = web_sig_next(sig);

	switch (sig[0]) {
	case 'b':
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, "boolean");
		break;
	case 'd':
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, "number");
		json_builder_set_member_name(b, "nullable");
		json_builder_add_boolean_value(b, TRUE);
		break;
	case 'y': case 'n': case 'q': case 'i': case 'u': case 'x': case 't': case 'h':
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, "integer");
		if (param == NULL && strchr("yqut", sig[0])) {
			json_builder_set_member_name(b, "minimum");
			json_builder_add_int_value(b, 0);
		}
		break;
	case 's': case 'o': case 'g':
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, "string");
		break;
	case 'a':
		if (sig[1] == '{') {
			/* a{KV}: K is one basic type, V runs to the closing brace */
			g_autofree char *val = g_strndup(sig + 3, (gsize)(end - 1 - (sig + 3)));
			json_builder_set_member_name(b, "type");
			json_builder_add_string_value(b, "object");
			json_builder_set_member_name(b, "additionalProperties");
			schema(b, val);
		} else {
			json_builder_set_member_name(b, "type");
			json_builder_add_string_value(b, "array");
			json_builder_set_member_name(b, "items");
			schema(b, sig + 1);
		}
		break;
	case '(': {
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, "array");
		json_builder_set_member_name(b, "prefixItems");
		json_builder_begin_array(b);
		for (const char *p = sig + 1; p && *p != ')'; p = web_sig_next(p))
			schema(b, p);
		json_builder_end_array(b);
		break;
	}
	default:
		break;
	}
	if (param)
		param_members(b, param);
	json_builder_set_member_name(b, "x-dbus-signature");
	{
		g_autofree char *one = g_strndup(sig, end ? (gsize)(end - sig) : strlen(sig));
		json_builder_add_string_value(b, one);
	}
}

static void error_responses(JsonBuilder *b)
{
	static const struct { const char *code, *what; } codes[] = {
		{ "400", "InvalidArgument: refused, nothing changed" },
		{ "404", "NotFound: no such object, property, method or item" },
		{ "409", "NotConnected: the device (X32) is not connected" },
		{ "503", "fohd is not running; retry" },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(codes); i++) {
		json_builder_set_member_name(b, codes[i].code);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "description");
		json_builder_add_string_value(b, codes[i].what);
		json_builder_set_member_name(b, "content");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "application/json");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "schema");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "$ref");
		json_builder_add_string_value(b, "#/components/schemas/Error");
		json_builder_end_object(b);
		json_builder_end_object(b);
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
}

static void json_body(JsonBuilder *b, const char *member, const char *iface,
		GDBusPropertyInfo **props, GDBusArgInfo **args, bool writable_only)
{
	json_builder_set_member_name(b, member);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "content");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "application/json");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "schema");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "object");
	json_builder_set_member_name(b, "properties");
	json_builder_begin_object(b);
	for (guint i = 0; props && props[i]; i++) {
		if (writable_only && !(props[i]->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE))
			continue;
		json_builder_set_member_name(b, props[i]->name);
		property_schema(b, iface, props[i]);
	}
	for (guint i = 0; args && args[i]; i++) {
		json_builder_set_member_name(b, args[i]->name);
		schema(b, args[i]->signature);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "additionalProperties");
	json_builder_add_boolean_value(b, FALSE);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	if (strcmp(member, "requestBody") == 0) {
		json_builder_set_member_name(b, "required");
		json_builder_add_boolean_value(b, TRUE);
	} else {
		json_builder_set_member_name(b, "description");
		json_builder_add_string_value(b, "OK");
	}
	json_builder_end_object(b);
}

static void path_item(JsonBuilder *b, GDBusInterfaceInfo *ii, const char *url)
{
	json_builder_set_member_name(b, url);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "get");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "summary");
	json_builder_add_string_value(b, ii->name);
	json_builder_set_member_name(b, "responses");
	json_builder_begin_object(b);
	json_body(b, "200", ii->name, ii->properties, NULL, false);
	error_responses(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "patch");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "summary");
	json_builder_add_string_value(b, "set properties, all or nothing");
	json_body(b, "requestBody", ii->name, ii->properties, NULL, true);
	json_builder_set_member_name(b, "responses");
	json_builder_begin_object(b);
	json_body(b, "200", ii->name, ii->properties, NULL, false);
	error_responses(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	for (guint i = 0; ii->methods && ii->methods[i]; i++) {
		GDBusMethodInfo *mi = ii->methods[i];
		g_autofree char *murl = g_strconcat(url, "/", mi->name, NULL);
		json_builder_set_member_name(b, murl);
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "post");
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "operationId");
		g_autofree char *op = g_strconcat(ii->name + strlen("org.foh.Foh1."), ".", mi->name, NULL);
		json_builder_add_string_value(b, op);
		json_body(b, "requestBody", ii->name, NULL, mi->in_args, false);
		json_builder_set_member_name(b, "responses");
		json_builder_begin_object(b);
		json_body(b, "200", ii->name, NULL, mi->out_args, false);
		error_responses(b);
		json_builder_end_object(b);
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
}

JsonNode *web_openapi(struct web *w)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "openapi");
	json_builder_add_string_value(b, "3.1.0");
	json_builder_set_member_name(b, "info");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "title");
	json_builder_add_string_value(b, "foh /api/v1 (generated from org.foh.Foh1.xml)");
	json_builder_set_member_name(b, "version");
	json_builder_add_string_value(b, FOH_VERSION);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "paths");
	json_builder_begin_object(b);
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
		GDBusInterfaceInfo *ii = g_dbus_node_info_lookup_interface(w->contract, kinds[k].iface);
		g_autofree char *url = g_strconcat("/api/v1/", kinds[k].segment,
				kinds[k].id == 'n' ? "/{n}" : kinds[k].id == 'l' ? "/{letter}" : "", NULL);
		if (ii)
			path_item(b, ii, url);
	}
	json_builder_end_object(b);
	json_builder_set_member_name(b, "components");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "schemas");
	json_builder_begin_object(b);
	/* one per interface: Channel, Analyzer, ... with every property */
	for (size_t k = 0; k < G_N_ELEMENTS(kinds); k++) {
		GDBusInterfaceInfo *ii = g_dbus_node_info_lookup_interface(w->contract, kinds[k].iface);
		if (ii == NULL)
			continue;
		json_builder_set_member_name(b, ii->name + strlen(FOH_IFACE("")));
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, "object");
		json_builder_set_member_name(b, "x-dbus-interface");
		json_builder_add_string_value(b, ii->name);
		json_builder_set_member_name(b, "properties");
		json_builder_begin_object(b);
		for (guint i = 0; ii->properties && ii->properties[i]; i++) {
			json_builder_set_member_name(b, ii->properties[i]->name);
			property_schema(b, ii->name, ii->properties[i]);
		}
		json_builder_end_object(b);
		json_builder_end_object(b);
	}
	json_builder_set_member_name(b, "Error");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "type");
	json_builder_add_string_value(b, "object");
	json_builder_set_member_name(b, "required");
	json_builder_begin_array(b);
	json_builder_add_string_value(b, "error");
	json_builder_add_string_value(b, "message");
	json_builder_end_array(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}
