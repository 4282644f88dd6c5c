/* fohctl list, get, set and call: generic access to every foh object. The
 * types of properties and method arguments come from fohd's introspection,
 * so new interfaces work without new code here. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "fohctl.h"

/* channel/2 before channel/10. */
static gint natural_compare(gconstpointer a, gconstpointer b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	while (*x && *y) {
		if (g_ascii_isdigit(*x) && g_ascii_isdigit(*y)) {
			unsigned long nx = strtoul(x, (char **)&x, 10), ny = strtoul(y, (char **)&y, 10);
			if (nx != ny)
				return nx < ny ? -1 : 1;
			continue;
		}
		if (*x != *y)
			return (unsigned char)*x - (unsigned char)*y;
		x++, y++;
	}
	return (unsigned char)*x - (unsigned char)*y;
}

/* Collects "name\tinterface" rows of the objects under the manager. */
static int managed_objects(sd_bus_message *reply, GPtrArray *rows)
{
	const char *path, *iface;
	int r;

	if ((r = sd_bus_message_enter_container(reply, 'a', "{oa{sa{sv}}}")) < 0)
		return r;
	while ((r = sd_bus_message_enter_container(reply, 'e', "oa{sa{sv}}")) > 0) {
		if ((r = sd_bus_message_read(reply, "o", &path)) < 0 ||
		    (r = sd_bus_message_enter_container(reply, 'a', "{sa{sv}}")) < 0)
			return r;
		while ((r = sd_bus_message_enter_container(reply, 'e', "sa{sv}")) > 0) {
			if ((r = sd_bus_message_read(reply, "s", &iface)) < 0 ||
			    (r = sd_bus_message_skip(reply, "a{sv}")) < 0 ||
			    (r = sd_bus_message_exit_container(reply)) < 0)
				return r;
			if (g_str_has_prefix(iface, "org.foh.") && g_str_has_prefix(path, MANAGER_PATH "/"))
				g_ptr_array_add(rows, g_strdup_printf("%s\t%s",
						path + strlen(MANAGER_PATH "/"), iface));
		}
		if (r < 0 || (r = sd_bus_message_exit_container(reply)) < 0 ||
		    (r = sd_bus_message_exit_container(reply)) < 0)
			return r;
	}
	return r;
}

int cmd_list(struct ctx *c, int argc, char **argv)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(g_free);
	int r;

	if (argc != 1)
		return fprintf(stderr, "usage: fohctl list\n"), EXIT_USAGE;
	r = sd_bus_call_method(c->bus, BUS_NAME, MANAGER_PATH, "org.freedesktop.DBus.ObjectManager",
			"GetManagedObjects", &e, &reply, NULL);
	if (r < 0) {
		r = report_bus_error("list", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	r = managed_objects(reply, rows);
	sd_bus_message_unref(reply);
	if (r < 0)
		return report_bad_reply("list", r);
	g_ptr_array_sort(rows, natural_compare);
	g_ptr_array_insert(rows, 0, g_strdup("manager\t" MANAGER_IFACE));
	json_builder_begin_array(b);
	for (guint i = 0; i < rows->len; i++) {
		g_auto(GStrv) f = g_strsplit(rows->pdata[i], "\t", 2);
		if (!c->json) {
			printf("%-16s %s\n", f[0], f[1]);
			continue;
		}
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "object");
		json_builder_add_string_value(b, f[0]);
		json_builder_set_member_name(b, "interface");
		json_builder_add_string_value(b, f[1]);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	if (c->json)
		print_json(b);
	return EXIT_SUCCESS;
}

static int get_one(struct ctx *c, const char *path, const char *iface, const char *prop,
		JsonNode **out)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	int r;

	r = sd_bus_call_method(c->bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "Get",
			&e, &reply, "ss", iface, prop);
	if (r < 0) {
		r = -report_bus_error(prop, &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	r = read_json_value(reply, out);
	sd_bus_message_unref(reply);
	return r < 0 ? -report_bad_reply(prop, r) : 0;
}

static int get_all(struct ctx *c, const char *path, const char *iface, JsonObject *obj)
{
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *reply = NULL;
	const char *name;
	JsonNode *v;
	int r;

	r = sd_bus_call_method(c->bus, BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll",
			&e, &reply, "s", iface);
	if (r < 0) {
		r = -report_bus_error(path, &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	if ((r = sd_bus_message_enter_container(reply, 'a', "{sv}")) < 0)
		goto out;
	while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(reply, "s", &name)) < 0 ||
		    (r = read_json_value(reply, &v)) < 0)
			goto out;
		json_object_set_member(obj, name, v);
		if ((r = sd_bus_message_exit_container(reply)) < 0)
			goto out;
	}
out:
	sd_bus_message_unref(reply);
	return r < 0 ? -report_bad_reply("get", r) : 0;
}

int cmd_get(struct ctx *c, int argc, char **argv)
{
	g_autofree char *path = NULL, *iface = NULL;
	g_autoptr(JsonObject) obj = json_object_new();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GList) names = NULL;
	int r;

	if (argc < 2)
		return fprintf(stderr, "usage: fohctl get OBJECT [PROPERTY...]\n"), EXIT_USAGE;
	if ((path = object_path(argv[1])) == NULL)
		return fprintf(stderr, "fohctl: '%s' is not an object name\n", argv[1]), EXIT_USAGE;
	if ((r = object_interface(c, path, &iface, NULL)) < 0)
		return EXIT_FAILURE;
	if (argc == 2 && get_all(c, path, iface, obj) < 0)
		return EXIT_FAILURE;
	for (int i = 2; i < argc; i++) {
		JsonNode *v;
		if (get_one(c, path, iface, argv[i], &v) < 0)
			return EXIT_FAILURE;
		json_object_set_member(obj, argv[i], v);
	}
	if (c->json) {
		root = json_node_init_object(json_node_alloc(), obj);
		print_json_node(root);
		return EXIT_SUCCESS;
	}
	names = json_object_get_members(obj);
	names = g_list_sort(names, (GCompareFunc)strcmp);
	for (GList *l = names; l != NULL; l = l->next) {
		g_autofree char *text = json_value_text(json_object_get_member(obj, l->data));
		if (argc == 3)
			printf("%s\n", text);
		else
			printf("%-20s %s\n", (const char *)l->data, text);
	}
	return EXIT_SUCCESS;
}

/* Appends text as one basic value of D-Bus type t; false when it does not parse. */
static bool append_text(sd_bus_message *m, char t, const char *text)
{
	char *end = NULL;

	errno = 0;
	switch (t) {
	case 'b':
		if (g_strv_contains((const char *[]){ "true", "yes", "on", "1", NULL }, text))
			return sd_bus_message_append_basic(m, t, &(int){ 1 }) >= 0;
		if (g_strv_contains((const char *[]){ "false", "no", "off", "0", NULL }, text))
			return sd_bus_message_append_basic(m, t, &(int){ 0 }) >= 0;
		return false;
	case 'd': {
		double d = strtod(text, &end);
		return end != text && *end == '\0' && sd_bus_message_append_basic(m, t, &d) >= 0;
	}
	case 'y': case 'q': case 'u': case 't': {
		uint64_t v = strtoull(text, &end, 10);
		uint64_t max = t == 'y' ? UINT8_MAX : t == 'q' ? UINT16_MAX : t == 'u' ? UINT32_MAX : UINT64_MAX;
		union { uint8_t y; uint16_t q; uint32_t u; uint64_t t; } x;
		if (end == text || *end || errno || v > max || text[0] == '-')
			return false;
		x.t = 0;
		if (t == 'y') x.y = (uint8_t)v; else if (t == 'q') x.q = (uint16_t)v;
		else if (t == 'u') x.u = (uint32_t)v; else x.t = v;
		return sd_bus_message_append_basic(m, t, &x) >= 0;
	}
	case 'n': case 'i': case 'x': {
		int64_t v = strtoll(text, &end, 10);
		int64_t lo = t == 'n' ? INT16_MIN : t == 'i' ? INT32_MIN : INT64_MIN;
		int64_t hi = t == 'n' ? INT16_MAX : t == 'i' ? INT32_MAX : INT64_MAX;
		union { int16_t n; int32_t i; int64_t x; } x;
		if (end == text || *end || errno || v < lo || v > hi)
			return false;
		if (t == 'n') x.n = (int16_t)v; else if (t == 'i') x.i = (int32_t)v; else x.x = v;
		return sd_bus_message_append_basic(m, t, &x) >= 0;
	}
	case 's': case 'o':
		return sd_bus_message_append_basic(m, t, text) >= 0;
	}
	return false;
}

/* Appends text as a value of signature sig: a basic type, or an array of
 * one ("as", "ad", ...) written as a comma-separated list ("" is empty). */
static bool append_arg(sd_bus_message *m, const char *sig, const char *text)
{
	g_auto(GStrv) items = NULL;

	if (strlen(sig) == 1)
		return append_text(m, sig[0], text);
	if (strlen(sig) != 2 || sig[0] != 'a' || !strchr("bdyqutnixso", sig[1]))
		return false;
	if (sd_bus_message_open_container(m, 'a', sig + 1) < 0)
		return false;
	items = text[0] == '\0' ? g_new0(char *, 1) : g_strsplit(text, ",", -1);
	for (char **it = items; *it != NULL; it++)
		if (!append_text(m, sig[1], *it))
			return false;
	return sd_bus_message_close_container(m) >= 0;
}

static GDBusInterfaceInfo *lookup_interface(const char *xml, const char *iface, GDBusNodeInfo **node)
{
	*node = g_dbus_node_info_new_for_xml(xml, NULL);
	return *node ? g_dbus_node_info_lookup_interface(*node, iface) : NULL;
}

int cmd_set(struct ctx *c, int argc, char **argv)
{
	g_autofree char *path = NULL, *iface = NULL, *xml = NULL;
	g_autoptr(GDBusNodeInfo) node = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL;
	GDBusPropertyInfo *prop;
	int r;

	if (argc != 4)
		return fprintf(stderr, "usage: fohctl set OBJECT PROPERTY VALUE\n"), EXIT_USAGE;
	if ((path = object_path(argv[1])) == NULL)
		return fprintf(stderr, "fohctl: '%s' is not an object name\n", argv[1]), EXIT_USAGE;
	if (object_interface(c, path, &iface, &xml) < 0)
		return EXIT_FAILURE;
	prop = g_dbus_interface_info_lookup_property(lookup_interface(xml, iface, &node), argv[2]);
	if (prop == NULL || !(prop->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE))
		return fprintf(stderr, "fohctl: %s has no writable property %s\n", argv[1], argv[2]),
			EXIT_USAGE;
	if ((r = sd_bus_message_new_method_call(c->bus, &m, BUS_NAME, path,
					"org.freedesktop.DBus.Properties", "Set")) < 0 ||
	    (r = sd_bus_message_append(m, "ss", iface, argv[2])) < 0 ||
	    (r = sd_bus_message_open_container(m, 'v', prop->signature)) < 0)
		goto fail;
	if (strlen(prop->signature) != 1 || !append_text(m, prop->signature[0], argv[3])) {
		fprintf(stderr, "fohctl: '%s' is not a valid %s value (D-Bus type %s)\n",
				argv[3], argv[2], prop->signature);
		sd_bus_message_unref(m);
		return EXIT_USAGE;
	}
	if ((r = sd_bus_message_close_container(m)) < 0 ||
	    (r = sd_bus_call(c->bus, m, 0, &e, NULL)) < 0) {
		sd_bus_message_unref(m);
		r = report_bus_error("set refused", &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	sd_bus_message_unref(m);
	warn_if_unsaved(c);
	return EXIT_SUCCESS;
fail:
	sd_bus_message_unref(m);
	return report_bad_reply("set", r);
}

static int print_reply(struct ctx *c, sd_bus_message *reply)
{
	g_autoptr(JsonArray) a = json_array_new();
	g_autoptr(JsonNode) root = NULL;
	JsonNode *v;
	int r;

	while ((r = sd_bus_message_at_end(reply, true)) == 0) {
		if ((r = read_json_value(reply, &v)) < 0)
			return report_bad_reply("call", r);
		json_array_add_element(a, v);
	}
	if (c->json) {
		root = json_node_init_array(json_node_alloc(), a);
		print_json_node(root);
		return EXIT_SUCCESS;
	}
	for (guint i = 0; i < json_array_get_length(a); i++) {
		g_autofree char *text = json_value_text(json_array_get_element(a, i));
		printf("%s\n", text);
	}
	return EXIT_SUCCESS;
}

int cmd_call(struct ctx *c, int argc, char **argv)
{
	g_autofree char *path = NULL, *iface = NULL, *xml = NULL;
	g_autoptr(GDBusNodeInfo) node = NULL;
	sd_bus_error e = SD_BUS_ERROR_NULL;
	sd_bus_message *m = NULL, *reply = NULL;
	GDBusMethodInfo *method;
	int r, n_in = 0;

	if (argc < 3)
		return fprintf(stderr, "usage: fohctl call OBJECT METHOD [ARG...]\n"), EXIT_USAGE;
	if ((path = object_path(argv[1])) == NULL)
		return fprintf(stderr, "fohctl: '%s' is not an object name\n", argv[1]), EXIT_USAGE;
	if (object_interface(c, path, &iface, &xml) < 0)
		return EXIT_FAILURE;
	method = g_dbus_interface_info_lookup_method(lookup_interface(xml, iface, &node), argv[2]);
	if (method == NULL)
		return fprintf(stderr, "fohctl: %s has no method %s\n", argv[1], argv[2]), EXIT_USAGE;
	while (method->in_args && method->in_args[n_in])
		n_in++;
	if (argc - 3 != n_in) {
		fprintf(stderr, "fohctl: %s takes %d argument(s):", argv[2], n_in);
		for (int i = 0; i < n_in; i++)
			fprintf(stderr, " %s:%s", method->in_args[i]->name, method->in_args[i]->signature);
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	if ((r = sd_bus_message_new_method_call(c->bus, &m, BUS_NAME, path, iface, argv[2])) < 0)
		return report_bad_reply("call", r);
	for (int i = 0; i < n_in; i++) {
		const char *sig = method->in_args[i]->signature;
		if (!append_arg(m, sig, argv[3 + i])) {
			fprintf(stderr, "fohctl: '%s' is not a valid %s (D-Bus type %s)\n",
					argv[3 + i], method->in_args[i]->name, sig);
			sd_bus_message_unref(m);
			return EXIT_USAGE;
		}
	}
	r = sd_bus_call(c->bus, m, 0, &e, &reply);
	sd_bus_message_unref(m);
	if (r < 0) {
		r = report_bus_error(argv[2], &e, r);
		sd_bus_error_free(&e);
		return r;
	}
	r = print_reply(c, reply);
	sd_bus_message_unref(reply);
	return r;
}

/* fohctl analyzer|x32|stabilizer|channel N [...]: the generic commands
 * with the object named first. A first argument that names a method of the
 * object calls it; otherwise PROPERTY=VALUE arguments are set in order and
 * then the PROPERTY arguments are read together. */
int cmd_object(struct ctx *c, int argc, char **argv)
{
	g_autofree char *name = NULL, *path = NULL, *iface = NULL, *xml = NULL;
	g_autoptr(GDBusNodeInfo) node = NULL;
	g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func(g_free);
	int first = 1, r = EXIT_SUCCESS;

	if (strcmp(argv[0], "channel") == 0) {
		if (argc < 2 || strspn(argv[1], "0123456789") != strlen(argv[1]))
			return fprintf(stderr, "usage: fohctl channel N [PROPERTY[=VALUE]...]\n"), EXIT_USAGE;
		name = g_strdup_printf("channel/%s", argv[1]);
		first = 2;
	} else if (strcmp(argv[0], "deck") == 0) {
		if (argc < 2 || strlen(argv[1]) != 1 || strchr("abcd", argv[1][0]) == NULL)
			return fprintf(stderr, "usage: fohctl deck a|b|c|d [PROPERTY[=VALUE]... | METHOD ARG...]\n"),
				EXIT_USAGE;
		name = g_strdup_printf("deck/%s", argv[1]);
		first = 2;
	} else {
		name = g_strdup(argv[0]);
	}
	g_ptr_array_add(args, g_strdup("get"));
	g_ptr_array_add(args, g_strdup(name));
	if (argc <= first)
		return cmd_get(c, 2, (char **)args->pdata);
	path = object_path(name);
	if (path == NULL || object_interface(c, path, &iface, &xml) < 0)
		return EXIT_FAILURE;
	node = g_dbus_node_info_new_for_xml(xml, NULL);
	if (node && g_dbus_node_info_lookup_interface(node, iface) &&
	    g_dbus_interface_info_lookup_method(g_dbus_node_info_lookup_interface(node, iface),
			    argv[first])) {
		g_free(g_ptr_array_index(args, 0));
		g_ptr_array_index(args, 0) = g_strdup("call");
		for (int i = first; i < argc; i++)
			g_ptr_array_add(args, g_strdup(argv[i]));
		return cmd_call(c, (int)args->len, (char **)args->pdata);
	}
	/* the sets in order, then one read of every PROPERTY named (one JSON document) */
	for (int i = first; i < argc && r == EXIT_SUCCESS; i++) {
		const char *eq = strchr(argv[i], '=');
		if (eq == NULL) {
			g_ptr_array_add(args, g_strdup(argv[i]));
		} else {
			g_autofree char *prop = g_strndup(argv[i], (gsize)(eq - argv[i]));
			char *set[] = { (char *)"set", name, prop, (char *)eq + 1, NULL };
			r = cmd_set(c, 4, set);
		}
	}
	if (r == EXIT_SUCCESS && args->len > 2)
		r = cmd_get(c, (int)args->len, (char **)args->pdata);
	return r;
}

static void describe_args(GString *out, GDBusArgInfo **args)
{
	for (int i = 0; args && args[i]; i++)
		g_string_append_printf(out, "%s%s:%s", i ? " " : "", args[i]->name,
				args[i]->signature);
}

static void describe_args_json(JsonBuilder *b, const char *member, GDBusArgInfo **args)
{
	json_builder_set_member_name(b, member);
	json_builder_begin_array(b);
	for (int i = 0; args && args[i]; i++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, args[i]->name);
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, args[i]->signature);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
}

static void describe_json(GDBusInterfaceInfo *info)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "interface");
	json_builder_add_string_value(b, info->name);
	json_builder_set_member_name(b, "properties");
	json_builder_begin_array(b);
	for (int i = 0; info->properties && info->properties[i]; i++) {
		GDBusPropertyInfo *p = info->properties[i];
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, p->name);
		json_builder_set_member_name(b, "type");
		json_builder_add_string_value(b, p->signature);
		json_builder_set_member_name(b, "writable");
		json_builder_add_boolean_value(b, p->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "methods");
	json_builder_begin_array(b);
	for (int i = 0; info->methods && info->methods[i]; i++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, info->methods[i]->name);
		describe_args_json(b, "in", info->methods[i]->in_args);
		describe_args_json(b, "out", info->methods[i]->out_args);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "signals");
	json_builder_begin_array(b);
	for (int i = 0; info->signals && info->signals[i]; i++) {
		json_builder_begin_object(b);
		json_builder_set_member_name(b, "name");
		json_builder_add_string_value(b, info->signals[i]->name);
		describe_args_json(b, "args", info->signals[i]->args);
		json_builder_end_object(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
	print_json(b);
}

/* fohctl describe OBJECT: the object's members, one per line as
 * "property NAME TYPE rw|ro", "method NAME ARGS -> RESULTS",
 * "signal NAME ARGS" (also what the bash completion reads). */
int cmd_describe(struct ctx *c, int argc, char **argv)
{
	g_autofree char *path = NULL, *iface = NULL, *xml = NULL;
	g_autoptr(GDBusNodeInfo) node = NULL;
	GDBusInterfaceInfo *info;

	if (argc != 2)
		return fprintf(stderr, "usage: fohctl describe OBJECT\n"), EXIT_USAGE;
	if ((path = object_path(argv[1])) == NULL)
		return fprintf(stderr, "fohctl: '%s' is not an object name\n", argv[1]), EXIT_USAGE;
	if (object_interface(c, path, &iface, &xml) < 0)
		return EXIT_FAILURE;
	if ((info = lookup_interface(xml, iface, &node)) == NULL)
		return report_bad_reply("describe", -EBADMSG);
	if (c->json) {
		describe_json(info);
		return EXIT_SUCCESS;
	}
	for (int i = 0; info->properties && info->properties[i]; i++) {
		GDBusPropertyInfo *p = info->properties[i];
		printf("property %s %s %s\n", p->name, p->signature,
				p->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE ? "rw" : "ro");
	}
	for (int i = 0; info->methods && info->methods[i]; i++) {
		g_autoptr(GString) line = g_string_new(NULL);
		g_string_append_printf(line, "method %s ", info->methods[i]->name);
		describe_args(line, info->methods[i]->in_args);
		g_string_append(line, " -> ");
		describe_args(line, info->methods[i]->out_args);
		printf("%s\n", line->str);
	}
	for (int i = 0; info->signals && info->signals[i]; i++) {
		g_autoptr(GString) line = g_string_new(NULL);
		g_string_append_printf(line, "signal %s ", info->signals[i]->name);
		describe_args(line, info->signals[i]->args);
		printf("%s\n", line->str);
	}
	return EXIT_SUCCESS;
}
