/* fohctl's shared helpers: error lines, JSON output, object names and a
 * generic D-Bus value → JSON reader. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "fohctl.h"

int report_bus_error(const char *what, const sd_bus_error *e, int r)
{
	if (sd_bus_error_has_names(e, "org.freedesktop.DBus.Error.ServiceUnknown",
				"org.freedesktop.DBus.Error.NameHasNoOwner",
				"org.freedesktop.DBus.Error.Spawn.ServiceNotFound"))
		fprintf(stderr, "fohctl: fohd is not running (no %s on the user bus)\n", BUS_NAME);
	else if (sd_bus_error_is_set(e) && e->message != NULL &&
		 g_str_has_prefix(e->message, what) && e->message[strlen(what)] == ':')
		/* fohd's message names it already: "SetBand: ...", not "SetBand: SetBand: ..." */
		fprintf(stderr, "fohctl: %s\n", e->message);
	else if (sd_bus_error_is_set(e))
		fprintf(stderr, "fohctl: %s: %s\n", what, e->message ? e->message : e->name);
	else
		fprintf(stderr, "fohctl: %s: %s\n", what, strerror(-r));
	return EXIT_FAILURE;
}

int report_bad_reply(const char *what, int r)
{
	fprintf(stderr, "fohctl: %s: unexpected reply from fohd: %s\n", what, strerror(-r));
	return EXIT_FAILURE;
}

static void print_node(JsonNode *root, bool pretty)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autofree char *text = NULL;

	json_generator_set_pretty(gen, pretty);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, NULL);
	printf("%s\n", text);
}

void print_json_node(JsonNode *root)
{
	print_node(root, true);
}

void json_add_double(JsonBuilder *b, double v)
{
	if (isfinite(v))
		json_builder_add_double_value(b, v);
	else
		json_builder_add_null_value(b);
}

void print_json(JsonBuilder *b)
{
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	print_node(root, true);
}

void print_json_line(JsonBuilder *b)
{
	g_autoptr(JsonNode) root = json_builder_get_root(b);

	print_node(root, false);
	fflush(stdout);
}

char *object_path(const char *name)
{
	if (strcmp(name, "manager") == 0 || strcmp(name, "/") == 0)
		return g_strdup(MANAGER_PATH);
	for (const char *p = name; *p; p++)
		if (!g_ascii_isalnum(*p) && *p != '/' && *p != '_')
			return NULL;
	if (name[0] == '/' || strstr(name, "//") != NULL || name[strlen(name) - 1] == '/')
		return NULL;
	return g_strdup_printf(MANAGER_PATH "/%s", name);
}

int object_interface(struct ctx *c, const char *path, char **iface, char **xml)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(GDBusNodeInfo) node = NULL;
	const char *text;
	int r;

	r = sd_bus_call_method(c->bus, BUS_NAME, path, "org.freedesktop.DBus.Introspectable",
			"Introspect", &e, &reply, NULL);
	if (r < 0) {
		r = -report_bus_error(path, &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	if ((r = sd_bus_message_read(reply, "s", &text)) < 0) {
		sd_bus_message_unref(reply);
		return r;
	}
	node = g_dbus_node_info_new_for_xml(text, NULL);
	*iface = NULL;
	for (int i = 0; node && node->interfaces && node->interfaces[i]; i++)
		if (g_str_has_prefix(node->interfaces[i]->name, "org.foh."))
			*iface = g_strdup(node->interfaces[i]->name);
	if (xml != NULL)
		*xml = g_strdup(text);
	sd_bus_message_unref(reply);
	if (*iface == NULL) {
		fprintf(stderr, "fohctl: %s: no such foh object (see fohctl list)\n", path);
		return -ENOENT;
	}
	return 0;
}

static int read_basic_json(sd_bus_message *m, char type, JsonNode **out)
{
	union { uint8_t y; int b; int16_t n; uint16_t q; int32_t i; uint32_t u;
		int64_t x; uint64_t t; double d; const char *s; } v;
	JsonNode *n = json_node_new(JSON_NODE_VALUE);
	int r = sd_bus_message_read_basic(m, type, &v);

	if (r < 0) {
		json_node_unref(n);
		return r;
	}
	switch (type) {
	case 'y': json_node_set_int(n, v.y); break;
	case 'b': json_node_set_boolean(n, v.b); break;
	case 'n': json_node_set_int(n, v.n); break;
	case 'q': json_node_set_int(n, v.q); break;
	case 'i': json_node_set_int(n, v.i); break;
	case 'u': json_node_set_int(n, v.u); break;
	case 'x': json_node_set_int(n, v.x); break;
	case 't': json_node_set_int(n, (gint64)v.t); break;
	case 'd':
		/* JSON has no NaN or infinity (json-glib would write "nan.0"): null */
		if (isfinite(v.d))
			json_node_set_double(n, v.d);
		else
			json_node_init_null(n);
		break;
	default: json_node_set_string(n, v.s); break;
	}
	*out = n;
	return 0;
}

int read_json_value(sd_bus_message *m, JsonNode **out)
{
	const char *contents;
	char type;
	int r;

	if ((r = sd_bus_message_peek_type(m, &type, &contents)) <= 0)
		return r < 0 ? r : -ENODATA;
	if (type != SD_BUS_TYPE_ARRAY && type != SD_BUS_TYPE_STRUCT &&
	    type != SD_BUS_TYPE_VARIANT && type != SD_BUS_TYPE_DICT_ENTRY)
		return read_basic_json(m, type, out);
	if ((r = sd_bus_message_enter_container(m, type, contents)) < 0)
		return r;
	if (type == SD_BUS_TYPE_VARIANT) {
		r = read_json_value(m, out);
	} else {
		JsonArray *a = json_array_new();
		JsonNode *item;
		while ((r = sd_bus_message_at_end(m, false)) == 0) {
			if ((r = read_json_value(m, &item)) < 0)
				break;
			json_array_add_element(a, item);
		}
		*out = json_node_init_array(json_node_alloc(), a);
		json_array_unref(a);
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

char *json_value_text(JsonNode *n)
{
	g_autoptr(JsonGenerator) gen = NULL;

	if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_STRING)
		return g_strdup(json_node_get_string(n));
	if (JSON_NODE_HOLDS_NULL(n))
		return g_strdup("-");
	if (JSON_NODE_HOLDS_VALUE(n) && json_node_get_value_type(n) == G_TYPE_DOUBLE)
		return g_strdup_printf("%g", json_node_get_double(n));
	gen = json_generator_new();
	json_generator_set_root(gen, n);
	return json_generator_to_data(gen, NULL);
}

void warn_if_unsaved(struct ctx *c)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	int unsaved = 0;

	if (sd_bus_get_property_trivial(c->bus, BUS_NAME, MANAGER_PATH, MANAGER_IFACE,
				"UnsavedChanges", &e, 'b', &unsaved) >= 0 && unsaved)
		fprintf(stderr, "fohctl: warning: fohd cannot save its settings (see its log or "
				"fohctl status); this change lives in memory only\n");
	sd_bus_error_free(&e);
}

/* Calls Stats() (a{st}) of a foh program's own object and prints its
 * counters, as a table or (--json) an object; "PROGRAM is not running"
 * when its name has no owner. */
int print_stats(struct ctx *c, const char *program, const char *bus_name,
		const char *path, const char *iface, const char *what)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	const char *name;
	uint64_t v;
	int r;

	r = sd_bus_call_method(c->bus, bus_name, path, iface, "Stats", &e, &reply, "");
	if (r < 0) {
		if (sd_bus_error_has_names(&e, "org.freedesktop.DBus.Error.ServiceUnknown",
					"org.freedesktop.DBus.Error.NameHasNoOwner"))
			fprintf(stderr, "fohctl: %s is not running (no %s on the user bus)\n",
					program, bus_name);
		else
			report_bus_error(what, &e, r);
		sd_bus_error_free(&e);
		return EXIT_FAILURE;
	}
	json_builder_begin_object(b);
	if ((r = sd_bus_message_enter_container(reply, 'a', "{st}")) < 0)
		goto bad;
	while ((r = sd_bus_message_read(reply, "{st}", &name, &v)) > 0) {
		if (c->json) {
			json_builder_set_member_name(b, name);
			json_builder_add_int_value(b, (gint64)v);
		} else {
			printf("%-24s %" PRIu64 "\n", name, v);
		}
	}
	if (r < 0)
		goto bad;
	json_builder_end_object(b);
	if (c->json)
		print_json(b);
	sd_bus_message_unref(reply);
	return EXIT_SUCCESS;
bad:
	sd_bus_message_unref(reply);
	return report_bad_reply(what, r);
}
