/* Struct JSON loader of foh-sections: json-glib parse plus field checks
 * (types, finite numbers, 0 <= start < end) with a one-line reason. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "foh-sections/struct.h"

static bool node_number(JsonNode *node, double *out)
{
	GType t;

	if (node == NULL || JSON_NODE_TYPE(node) != JSON_NODE_VALUE)
		return false;
	t = json_node_get_value_type(node);
	if (t == G_TYPE_INT64)
		*out = (double)json_node_get_int(node);
	else if (t == G_TYPE_DOUBLE)
		*out = json_node_get_double(node);
	else
		return false;
	return isfinite(*out);
}

/* NULL node or JSON null: absent. */
static bool node_absent(JsonNode *node)
{
	return node == NULL || JSON_NODE_HOLDS_NULL(node);
}

static int number_array(JsonObject *root, const char *name, char **reason)
{
	JsonNode *node = json_object_get_member(root, name);
	JsonArray *a;
	double v;

	if (node_absent(node))
		return 0;
	if (!JSON_NODE_HOLDS_ARRAY(node)) {
		*reason = g_strdup_printf("\"%s\" is not an array", name);
		return -EINVAL;
	}
	a = json_node_get_array(node);
	for (guint i = 0; i < json_array_get_length(a); i++) {
		if (!node_number(json_array_get_element(a, i), &v) || v < 0) {
			*reason = g_strdup_printf("\"%s\"[%u] is not a finite number >= 0", name, i);
			return -EINVAL;
		}
	}
	return 0;
}

static int cmp_segment(const void *a, const void *b)
{
	const struct sect_segment *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	/* qsort is not stable: keep file order for equal starts via the end */
	return (x->end > y->end) - (x->end < y->end);
}

static int load_segments(JsonObject *root, struct sect_track *t, char **reason)
{
	JsonNode *node = json_object_get_member(root, "segments");
	JsonArray *a;
	guint n;

	if (node_absent(node)) {
		*reason = g_strdup("no \"segments\"");
		return -ENODATA;
	}
	if (!JSON_NODE_HOLDS_ARRAY(node)) {
		*reason = g_strdup("\"segments\" is not an array");
		return -EINVAL;
	}
	a = json_node_get_array(node);
	n = json_array_get_length(a);
	if (n == 0) {
		*reason = g_strdup("\"segments\" is empty");
		return -ENODATA;
	}
	t->segments = g_new0(struct sect_segment, n);
	for (guint i = 0; i < n; i++) {
		JsonNode *e = json_array_get_element(a, i);
		struct sect_segment *s = &t->segments[i];
		JsonObject *o;
		JsonNode *label;

		if (!JSON_NODE_HOLDS_OBJECT(e)) {
			*reason = g_strdup_printf("segments[%u] is not an object", i);
			return -EINVAL;
		}
		o = json_node_get_object(e);
		if (!node_number(json_object_get_member(o, "start"), &s->start) ||
		    !node_number(json_object_get_member(o, "end"), &s->end)) {
			*reason = g_strdup_printf("segments[%u]: start/end missing or not finite numbers", i);
			return -EINVAL;
		}
		if (s->start < 0 || s->start >= s->end) {
			*reason = g_strdup_printf("segments[%u]: needs 0 <= start < end (%g, %g)",
					i, s->start, s->end);
			return -EINVAL;
		}
		label = json_object_get_member(o, "label");
		if (label == NULL || json_node_get_value_type(label) != G_TYPE_STRING) {
			*reason = g_strdup_printf("segments[%u]: \"label\" missing or not a string", i);
			return -EINVAL;
		}
		s->label = g_strdup(json_node_get_string(label));
		t->n_segments = i + 1;
	}
	qsort(t->segments, t->n_segments, sizeof(*t->segments), cmp_segment);
	return 0;
}

static int load_fields(JsonObject *root, struct sect_track *t, char **reason)
{
	JsonNode *node;
	int r;

	node = json_object_get_member(root, "path");
	if (node_absent(node)) {
		*reason = g_strdup("no \"path\"");
		return -ENODATA;
	}
	if (json_node_get_value_type(node) != G_TYPE_STRING ||
	    json_node_get_string(node)[0] == '\0') {
		*reason = g_strdup("\"path\" is not a non-empty string");
		return -EINVAL;
	}
	t->path = g_strdup(json_node_get_string(node));

	/* absent is allowed here: Rekordbox may supply it; the caller decides */
	node = json_object_get_member(root, "bpm");
	if (!node_absent(node) && !node_number(node, &t->bpm)) {
		*reason = g_strdup("\"bpm\" is not a finite number");
		return -EINVAL;
	}

	node = json_object_get_member(root, "key");
	if (!node_absent(node)) {
		if (json_node_get_value_type(node) != G_TYPE_STRING) {
			*reason = g_strdup("\"key\" is not a string");
			return -EINVAL;
		}
		if (json_node_get_string(node)[0] != '\0')
			t->key = g_strdup(json_node_get_string(node));
	}
	if ((r = number_array(root, "beats", reason)) < 0 ||
	    (r = number_array(root, "downbeats", reason)) < 0)
		return r;
	return load_segments(root, t, reason);
}

int sect_track_load(const char *file, struct sect_track *t, char **reason)
{
	g_autoptr(JsonParser) parser = NULL;
	g_autoptr(GError) err = NULL;
	g_autofree char *text = NULL;
	JsonNode *root;
	struct stat st;
	gsize len;
	int r;

	memset(t, 0, sizeof(*t));
	t->bpm = NAN;
	if (stat(file, &st) < 0) {
		r = -errno;
		*reason = g_strdup_printf("cannot read: %s", strerror(errno));
		return r;
	}
	if (!S_ISREG(st.st_mode)) {
		*reason = g_strdup("not a regular file");
		return -EINVAL;
	}
	if (st.st_size > SECT_STRUCT_MAX_BYTES) {
		*reason = g_strdup_printf("%lld bytes, more than the %d allowed",
				(long long)st.st_size, SECT_STRUCT_MAX_BYTES);
		return -EFBIG;
	}
	if (!g_file_get_contents(file, &text, &len, &err)) {
		*reason = g_strdup_printf("cannot read: %s", err->message);
		return -EIO;
	}
	parser = json_parser_new();
	if (!json_parser_load_from_data(parser, text, (gssize)len, &err)) {
		/* json-glib names in-memory input "<data>"; the caller names the file */
		const char *msg = err->message;

		if (g_str_has_prefix(msg, "<data>:"))
			msg += strlen("<data>:");
		*reason = g_strdup_printf("broken JSON at %s", msg);
		return -EBADMSG;
	}
	root = json_parser_get_root(parser);
	if (root == NULL || !JSON_NODE_HOLDS_OBJECT(root)) {
		*reason = g_strdup("the top level is not an object");
		return -EINVAL;
	}
	if ((r = load_fields(json_node_get_object(root), t, reason)) < 0) {
		sect_track_clear(t);
		return r;
	}
	return 0;
}

void sect_track_clear(struct sect_track *t)
{
	for (size_t i = 0; i < t->n_segments; i++)
		g_free(t->segments[i].label);
	g_free(t->segments);
	g_free(t->path);
	g_free(t->key);
	memset(t, 0, sizeof(*t));
	t->bpm = NAN;
}
