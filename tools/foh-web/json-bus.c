/* D-Bus values ↔ JSON, driven by the D-Bus signature: booleans ↔ true/false,
 * integers ↔ integers (range-checked), doubles ↔ numbers (NaN and ±inf,
 * which JSON has no word for, ↔ null), strings and object paths ↔ strings,
 * a{..} ↔ objects (keys as strings), other arrays and structs ↔ arrays,
 * variants ↔ their value. Used for properties, method arguments and
 * signals alike, so the REST mapping is one to one. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "foh-web/foh-web.h"

static bool is_basic(char t)
{
	return strchr("ybnqiuxtdsogh", t) != NULL && t != '\0';
}

const char *web_sig_next(const char *sig)
{
	int depth = 0;

	do {
		/* an array's element is part of the array (a `continue` here
		 * would test depth and stop after the 'a' of a top-level array) */
		while (*sig == 'a')
			sig++;
		switch (*sig) {
		case '\0': return NULL;
		case '(': case '{': depth++; break;
		case ')': case '}': depth--; break;
		default: break;
		}
		sig++;
	} while (depth > 0);
	return sig;
}

static int read_basic(sd_bus_message *m, char t, JsonBuilder *b)
{
	union { uint8_t y; int bo; int16_t n; uint16_t q; int32_t i; uint32_t u; int64_t x;
		uint64_t t; double d; const char *s; } v;
	int r = sd_bus_message_read_basic(m, t, &v);

	if (r <= 0)
		return r < 0 ? r : -EBADMSG;
	switch (t) {
	case 'y': json_builder_add_int_value(b, v.y); break;
	case 'b': json_builder_add_boolean_value(b, v.bo); break;
	case 'n': json_builder_add_int_value(b, v.n); break;
	case 'q': json_builder_add_int_value(b, v.q); break;
	case 'i': case 'h': json_builder_add_int_value(b, v.i); break;
	case 'u': json_builder_add_int_value(b, v.u); break;
	case 'x': json_builder_add_int_value(b, v.x); break;
	case 't': json_builder_add_int_value(b, (gint64)MIN(v.t, (uint64_t)G_MAXINT64)); break;
	case 'd':
		if (isfinite(v.d))
			json_builder_add_double_value(b, v.d);
		else
			json_builder_add_null_value(b);
		break;
	default: json_builder_add_string_value(b, v.s); break;
	}
	return 1;
}

static int read_key(sd_bus_message *m, char t, JsonBuilder *b)
{
	union { uint8_t y; int bo; int16_t n; uint16_t q; int32_t i; uint32_t u; int64_t x;
		uint64_t t; double d; const char *s; } v;
	char buf[64];
	int r = sd_bus_message_read_basic(m, t, &v);

	if (r <= 0)
		return r < 0 ? r : -EBADMSG;
	switch (t) {
	case 's': case 'o': case 'g': json_builder_set_member_name(b, v.s); return 1;
	case 'y': snprintf(buf, sizeof(buf), "%u", v.y); break;
	case 'b': snprintf(buf, sizeof(buf), "%s", v.bo ? "true" : "false"); break;
	case 'n': snprintf(buf, sizeof(buf), "%d", v.n); break;
	case 'q': snprintf(buf, sizeof(buf), "%u", v.q); break;
	case 'i': case 'h': snprintf(buf, sizeof(buf), "%d", v.i); break;
	case 'u': snprintf(buf, sizeof(buf), "%u", v.u); break;
	case 'x': snprintf(buf, sizeof(buf), "%lld", (long long)v.x); break;
	case 't': snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v.t); break;
	default: snprintf(buf, sizeof(buf), "%g", v.d); break;
	}
	json_builder_set_member_name(b, buf);
	return 1;
}

int web_json_read(sd_bus_message *m, JsonBuilder *b)
{
	const char *contents;
	char t;
	int r;

	if ((r = sd_bus_message_peek_type(m, &t, &contents)) <= 0)
		return r < 0 ? r : -EBADMSG;
	if (is_basic(t))
		return read_basic(m, t, b);
	if ((r = sd_bus_message_enter_container(m, t, contents)) < 0)
		return r;
	if (t == 'v') {
		r = web_json_read(m, b);
	} else if (t == 'a' && contents[0] == '{') {
		g_autofree char *entry = g_strndup(contents + 1, strlen(contents) - 2);

		json_builder_begin_object(b);
		while ((r = sd_bus_message_enter_container(m, 'e', entry)) > 0) {
			char kt;
			const char *kc;
			if ((r = sd_bus_message_peek_type(m, &kt, &kc)) <= 0 ||
			    (r = read_key(m, kt, b)) < 0 || (r = web_json_read(m, b)) < 0 ||
			    (r = sd_bus_message_exit_container(m)) < 0)
				return r < 0 ? r : -EBADMSG;
		}
		json_builder_end_object(b);
	} else {
		json_builder_begin_array(b);
		while ((r = sd_bus_message_at_end(m, false)) == 0)
			if ((r = web_json_read(m, b)) < 0)
				return r;
		json_builder_end_array(b);
	}
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m) < 0 ? -EBADMSG : 1;
}

int web_json_read_props(sd_bus_message *m, JsonBuilder *b)
{
	const char *name;
	int r;

	if ((r = sd_bus_message_enter_container(m, 'a', "{sv}")) < 0)
		return r;
	json_builder_begin_object(b);
	while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
		if ((r = sd_bus_message_read(m, "s", &name)) < 0)
			return r;
		json_builder_set_member_name(b, name);
		if ((r = web_json_read(m, b)) < 0 || (r = sd_bus_message_exit_container(m)) < 0)
			return r;
	}
	json_builder_end_object(b);
	if (r < 0)
		return r;
	return sd_bus_message_exit_container(m);
}

/* JSON → D-Bus */

#define WHY(...) (snprintf(why, n, __VA_ARGS__), -EINVAL)

static const char *json_kind(JsonNode *node)
{
	if (node == NULL || JSON_NODE_HOLDS_NULL(node))
		return "null";
	if (JSON_NODE_HOLDS_OBJECT(node))
		return "an object";
	if (JSON_NODE_HOLDS_ARRAY(node))
		return "an array";
	switch (json_node_get_value_type(node) == G_TYPE_BOOLEAN ? 'b' :
		json_node_get_value_type(node) == G_TYPE_STRING ? 's' : 'n') {
	case 'b': return "a boolean";
	case 's': return "a string";
	default: return "a number";
	}
}

static bool holds(JsonNode *node, GType t)
{
	return node && JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == t;
}

/* An integer: a JSON integer, or a double with no fraction (JavaScript has
 * one number type). */
static bool get_int(JsonNode *node, gint64 *out)
{
	if (holds(node, G_TYPE_INT64)) {
		*out = json_node_get_int(node);
		return true;
	}
	if (holds(node, G_TYPE_DOUBLE)) {
		double d = json_node_get_double(node);
		if (d != floor(d) || d < -9.2e18 || d > 9.2e18)
			return false;
		*out = (gint64)d;
		return true;
	}
	return false;
}

static int append_basic(sd_bus_message *m, char t, JsonNode *node, char *why, size_t n)
{
	static const struct { char t; gint64 lo, hi; const char *name; } ints[] = {
		{ 'y', 0, 255, "0..255" }, { 'n', -32768, 32767, "-32768..32767" },
		{ 'q', 0, 65535, "0..65535" }, { 'i', G_MININT32, G_MAXINT32, "a 32-bit integer" },
		{ 'u', 0, G_MAXUINT32, "0..4294967295" }, { 'x', G_MININT64, G_MAXINT64, "an integer" },
		{ 't', 0, G_MAXINT64, "an integer >= 0" }, { 'h', 0, G_MAXINT32, "an fd" },
	};
	gint64 v;

	if (t == 'b') {
		int b;
		if (!holds(node, G_TYPE_BOOLEAN))
			return WHY("%s is not a boolean%s", json_kind(node), "");
		b = json_node_get_boolean(node);
		return sd_bus_message_append_basic(m, 'b', &b);
	}
	if (t == 'd') {
		double d;
		if (holds(node, G_TYPE_DOUBLE))
			d = json_node_get_double(node);
		else if (holds(node, G_TYPE_INT64))
			d = (double)json_node_get_int(node);
		else
			return WHY("%s is not a number%s", json_kind(node), "");
		/* 1e999 parses as infinity, which JSON cannot give back */
		if (!isfinite(d))
			return WHY("%s is out of range%s", "a number", "");
		return sd_bus_message_append_basic(m, 'd', &d);
	}
	if (t == 's' || t == 'o' || t == 'g') {
		const char *s;
		if (!holds(node, G_TYPE_STRING))
			return WHY("%s is not a string%s", json_kind(node), "");
		s = json_node_get_string(node);
		if (t == 'g' && !g_variant_is_signature(s))
			return WHY("\"%s\" is not a D-Bus signature", s);
		if (t == 'o' && !sd_bus_object_path_is_valid(s))
			return WHY("\"%s\" is not an object path%s", s, "");
		if (!g_utf8_validate(s, -1, NULL))
			return WHY("a string is not UTF-8%s%s", "", "");
		return sd_bus_message_append_basic(m, t, s);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(ints); i++) {
		if (ints[i].t != t)
			continue;
		if (!get_int(node, &v) || v < ints[i].lo || v > ints[i].hi)
			return WHY("%s is not %s", json_kind(node), ints[i].name);
		switch (t) {
		case 'y': { uint8_t x = (uint8_t)v; return sd_bus_message_append_basic(m, t, &x); }
		case 'n': { int16_t x = (int16_t)v; return sd_bus_message_append_basic(m, t, &x); }
		case 'q': { uint16_t x = (uint16_t)v; return sd_bus_message_append_basic(m, t, &x); }
		case 'i': case 'h': { int32_t x = (int32_t)v; return sd_bus_message_append_basic(m, t, &x); }
		case 'u': { uint32_t x = (uint32_t)v; return sd_bus_message_append_basic(m, t, &x); }
		default: return sd_bus_message_append_basic(m, t, &v);
		}
	}
	return WHY("type %s is not supported%s", (char[]){ t, 0 }, "");
}

/* A dictionary key given as a JSON member name. */
static int append_key(sd_bus_message *m, char t, const char *key, char *why, size_t n)
{
	g_autoptr(JsonNode) node = NULL;
	char *end;

	if (t == 's' || t == 'o' || t == 'g') {
		node = json_node_init_string(json_node_alloc(), key);
	} else if (t == 'b') {
		if (strcmp(key, "true") != 0 && strcmp(key, "false") != 0)
			return WHY("key \"%s\" is not true or false%s", key, "");
		node = json_node_init_boolean(json_node_alloc(), strcmp(key, "true") == 0);
	} else if (t == 'd') {
		double d = g_ascii_strtod(key, &end);
		if (*key == '\0' || *end != '\0')
			return WHY("key \"%s\" is not a number%s", key, "");
		node = json_node_init_double(json_node_alloc(), d);
	} else {
		gint64 v = g_ascii_strtoll(key, &end, 10);
		if (*key == '\0' || *end != '\0')
			return WHY("key \"%s\" is not an integer%s", key, "");
		node = json_node_init_int(json_node_alloc(), v);
	}
	return append_basic(m, t, node, why, n);
}

static int append_any(sd_bus_message *m, const char *sig, JsonNode *node, char *why, size_t n)
{
	const char *end = web_sig_next(sig);
	g_autofree char *inner = NULL;
	int r;

	if (end == NULL)
		return WHY("bad signature %s%s", sig, "");
	if (is_basic(sig[0]))
		return append_basic(m, sig[0], node, why, n);
	if (sig[0] == 'v') {
		/* a variant from JSON: the natural type of the value */
		if (holds(node, G_TYPE_BOOLEAN))
			return sd_bus_message_append(m, "v", "b", (int)json_node_get_boolean(node));
		if (holds(node, G_TYPE_INT64))
			return sd_bus_message_append(m, "v", "x", (int64_t)json_node_get_int(node));
		if (holds(node, G_TYPE_DOUBLE))
			return isfinite(json_node_get_double(node)) ? sd_bus_message_append(m, "v", "d",
					json_node_get_double(node)) : WHY("a number is out of range%s%s", "", "");
		if (holds(node, G_TYPE_STRING))
			return sd_bus_message_append(m, "v", "s", json_node_get_string(node));
		return WHY("%s cannot be a variant%s", json_kind(node), "");
	}
	if (sig[0] == 'a' && sig[1] == '{') {
		g_autofree char *entry = g_strndup(sig + 2, (gsize)(end - sig) - 3);
		JsonObject *o;
		g_autoptr(GList) members = NULL;

		if (node == NULL || !JSON_NODE_HOLDS_OBJECT(node))
			return WHY("%s is not an object%s", json_kind(node), "");
		o = json_node_get_object(node);
		members = json_object_get_members(o);
		inner = g_strndup(sig + 1, (gsize)(end - sig) - 1);
		if ((r = sd_bus_message_open_container(m, 'a', inner)) < 0)
			return r;
		for (GList *l = members; l; l = l->next) {
			if ((r = sd_bus_message_open_container(m, 'e', entry)) < 0 ||
			    (r = append_key(m, entry[0], l->data, why, n)) < 0 ||
			    (r = append_any(m, entry + 1, json_object_get_member(o, l->data),
					why, n)) < 0 ||
			    (r = sd_bus_message_close_container(m)) < 0)
				return r;
		}
		return sd_bus_message_close_container(m);
	}
	if (sig[0] == 'a') {
		JsonArray *a;

		if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node))
			return WHY("%s is not an array%s", json_kind(node), "");
		a = json_node_get_array(node);
		inner = g_strndup(sig + 1, (gsize)(end - sig) - 1);
		if ((r = sd_bus_message_open_container(m, 'a', inner)) < 0)
			return r;
		for (guint i = 0; i < json_array_get_length(a); i++)
			if ((r = append_any(m, inner, json_array_get_element(a, i), why, n)) < 0)
				return r;
		return sd_bus_message_close_container(m);
	}
	if (sig[0] == '(') {
		JsonArray *a;
		const char *p;
		guint i = 0;

		if (node == NULL || !JSON_NODE_HOLDS_ARRAY(node))
			return WHY("%s is not an array (a structure)%s", json_kind(node), "");
		a = json_node_get_array(node);
		inner = g_strndup(sig + 1, (gsize)(end - sig) - 2);
		if ((r = sd_bus_message_open_container(m, 'r', inner)) < 0)
			return r;
		for (p = inner; *p; p = web_sig_next(p), i++) {
			g_autofree char *one = g_strndup(p, (gsize)(web_sig_next(p) - p));
			if (i >= json_array_get_length(a))
				return WHY("the structure %s has too few fields%s", sig, "");
			if ((r = append_any(m, one, json_array_get_element(a, i), why, n)) < 0)
				return r;
		}
		if (i != json_array_get_length(a))
			return WHY("the structure %s has too many fields%s", sig, "");
		return sd_bus_message_close_container(m);
	}
	return WHY("type %s is not supported%s", sig, "");
}

int web_json_append(sd_bus_message *m, const char *sig, JsonNode *node, char *why, size_t n)
{
	int r;

	why[0] = '\0';
	r = append_any(m, sig, node, why, n);
	/* sd-bus's own refusals (nesting too deep, a message too large...) */
	if (r < 0 && why[0] == '\0')
		snprintf(why, n, "cannot be sent as %s: %s", sig, strerror(-r));
	return r;
}
