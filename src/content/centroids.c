/* Centroid files; see centroids.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "foh-config.h"
#include "content/centroids.h"
#include "util/atomic-file.h"

#define MAX_FILE_BYTES	(1 << 20)

int foh_content_check_name(const char *name, char **reason)
{
	size_t len = strlen(name);

	if (len < 1 || len > FOH_CONTENT_NAME_MAX) {
		*reason = g_strdup_printf("a name has 1 to %d characters, not %zu",
				FOH_CONTENT_NAME_MAX, len);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '-') {
			*reason = g_strdup_printf("a name may hold only letters, digits, '_' and "
					"'-'; '%c' at position %zu is not allowed",
					g_ascii_isprint(name[i]) ? name[i] : '?', i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int fail(char **error, const char *path, const char *group, const char *key,
		const char *fmt, ...) G_GNUC_PRINTF(5, 6);

static int fail(char **error, const char *path, const char *group, const char *key,
		const char *fmt, ...)
{
	g_autofree char *why = NULL;
	va_list ap;

	va_start(ap, fmt);
	why = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (group && key)
		*error = g_strdup_printf("%s: [%s] %s: %s", path, group, key, why);
	else if (group)
		*error = g_strdup_printf("%s: [%s]: %s", path, group, why);
	else
		*error = g_strdup_printf("%s: %s", path, why);
	return -EINVAL;
}

static int read_vector(GKeyFile *kf, const char *path, const char *group, const char *key,
		double out[FOH_CF_N], bool positive, char **error)
{
	g_autoptr(GError) gerr = NULL;
	g_auto(GStrv) items = g_key_file_get_string_list(kf, group, key, NULL, &gerr);
	guint n;

	if (items == NULL)
		return fail(error, path, group, key, "missing");
	n = g_strv_length(items);
	if (n != FOH_CF_N)
		return fail(error, path, group, key, "%u numbers, %d expected (one per feature)",
				n, FOH_CF_N);
	for (guint i = 0; i < n; i++) {
		char *end;
		double v = g_ascii_strtod(g_strstrip(items[i]), &end);
		if (items[i][0] == '\0' || *end != '\0' || !isfinite(v))
			return fail(error, path, group, key, "item %u (\"%s\") is not a finite number",
					i + 1, items[i]);
		if (positive && !(v > 0.0))
			return fail(error, path, group, key, "item %u (%s, %s) must be above 0",
					i + 1, items[i], foh_cf_name((enum foh_cf)i));
		out[i] = v;
	}
	return 0;
}

static int only_keys(GKeyFile *kf, const char *path, const char *group,
		const char *const *allowed, char **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);

	for (guint i = 0; keys && keys[i]; i++)
		if (!g_strv_contains(allowed, keys[i]))
			return fail(error, path, group, keys[i], "unknown key");
	for (guint i = 0; allowed[i]; i++)
		if (!g_key_file_has_key(kf, group, allowed[i], NULL))
			return fail(error, path, group, allowed[i], "missing");
	return 0;
}

static int read_header(GKeyFile *kf, const char *path, struct foh_content_model *m,
		char **error)
{
	static const char *const keys[] = { "version", "features", "mean", "std", NULL };
	g_autofree char *version = NULL;
	g_auto(GStrv) feats = NULL;
	int res;

	if (!g_key_file_has_group(kf, "model"))
		return fail(error, path, "model", NULL, "missing");
	if ((res = only_keys(kf, path, "model", keys, error)) < 0)
		return res;
	version = g_key_file_get_value(kf, "model", "version", NULL);
	if (strcmp(g_strstrip(version), G_STRINGIFY(FOH_CENTROIDS_VERSION)) != 0) {
		(void)fail(error, path, "model", "version", "\"%s\" is not supported "
				"(this fohd reads version %d)", version, FOH_CENTROIDS_VERSION);
		return -EPROTO;
	}
	feats = g_key_file_get_string_list(kf, "model", "features", NULL, NULL);
	for (int i = 0; i < FOH_CF_N; i++)
		if (feats == NULL || feats[i] == NULL ||
		    strcmp(g_strstrip(feats[i]), foh_cf_name((enum foh_cf)i)) != 0) {
			(void)fail(error, path, "model", "features", "item %d is \"%s\", not \"%s\" "
					"(made for another feature set: learn the styles again)",
					i + 1, feats && feats[i] ? feats[i] : "", foh_cf_name((enum foh_cf)i));
			return -EPROTO;
		}
	if (feats[FOH_CF_N] != NULL) {
		(void)fail(error, path, "model", "features", "more than %d features (made for "
				"another feature set: learn the styles again)", FOH_CF_N);
		return -EPROTO;
	}
	if ((res = read_vector(kf, path, "model", "mean", m->mean, false, error)) < 0 ||
	    (res = read_vector(kf, path, "model", "std", m->std, true, error)) < 0)
		return res;
	return 0;
}

static int read_centroid(GKeyFile *kf, const char *path, const char *group,
		struct foh_content_model *m, char **error)
{
	static const char *const keys[] = { "class", "vector", "windows", NULL };
	static const char *const keys_margin[] = { "class", "vector", "windows", "margin", NULL };
	const char *name = group + strlen("centroid ");
	g_autofree char *why = NULL, *cls = NULL, *win = NULL, *mar = NULL;
	double v[FOH_CF_N], margin = 0.0;
	char *end;
	guint64 windows;
	int c, res;
	bool has_margin = g_key_file_has_key(kf, group, "margin", NULL);

	if (foh_content_check_name(name, &why) < 0)
		return fail(error, path, group, NULL, "%s", why);
	if (foh_content_model_find(m, name) >= 0)
		return fail(error, path, group, NULL, "a second centroid of that name");
	if (m->n >= FOH_CONTENT_CENTROIDS_MAX)
		return fail(error, path, group, NULL, "more than %d centroids",
				FOH_CONTENT_CENTROIDS_MAX);
	if ((res = only_keys(kf, path, group, has_margin ? keys_margin : keys, error)) < 0)
		return res;
	cls = g_strstrip(g_key_file_get_value(kf, group, "class", NULL));
	c = foh_content_class_from_name(cls);
	if (c != FOH_CONTENT_SPEECH && c != FOH_CONTENT_MUSIC)
		return fail(error, path, group, "class", "\"%s\" is neither speech nor music", cls);
	win = g_strstrip(g_key_file_get_value(kf, group, "windows", NULL));
	windows = g_ascii_strtoull(win, &end, 10);
	if (win[0] == '\0' || *end != '\0' || windows < 1 || windows > UINT32_MAX)
		return fail(error, path, group, "windows", "\"%s\" is not a count from 1", win);
	if ((res = read_vector(kf, path, group, "vector", v, false, error)) < 0)
		return res;
	if (has_margin) {
		mar = g_strstrip(g_key_file_get_value(kf, group, "margin", NULL));
		margin = g_ascii_strtod(mar, &end);
		if (mar[0] == '\0' || *end != '\0' || !isfinite(margin) || margin < 0.0 ||
		    margin >= 1.0)
			return fail(error, path, group, "margin", "\"%s\" is not a number in [0, 1)",
					mar);
		if (c != FOH_CONTENT_MUSIC && margin > 0.0)
			return fail(error, path, group, "margin", "only a music style has one");
	}
	if ((res = foh_content_model_set(m, name, (enum foh_content_class)c, v,
			(uint32_t)windows)) < 0)
		return res;
	m->c[m->n - 1].margin = margin;
	return 0;
}

/* GKeyFile merges a group written twice: find that before it does. */
static int unique_groups(const char *text, const char *path, char **error)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (guint i = 0; lines[i]; i++) {
		char *l = g_strstrip(lines[i]), *end;
		if (l[0] != '[' || (end = strchr(l, ']')) == NULL)
			continue;
		*end = '\0';
		if (!g_hash_table_add(seen, g_strdup(l + 1)))
			return fail(error, path, l + 1, NULL, "a second group of that name (line %u)",
					i + 1);
	}
	return 0;
}

int foh_centroids_load(const char *path, struct foh_content_model *out, char **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	g_autofree char *text = NULL;
	g_auto(GStrv) groups = NULL;
	struct foh_content_model *m;
	gsize len = 0;
	int res = 0;

	if (!g_file_get_contents(path, &text, &len, &gerr)) {
		*error = g_strdup_printf("%s: %s", path, gerr->message);
		return gerr->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;
	}
	if (len > MAX_FILE_BYTES)
		return fail(error, path, NULL, NULL, "%zu bytes, more than a centroid file holds",
				(size_t)len);
	if (memchr(text, '\0', len) != NULL || !g_utf8_validate(text, (gssize)len, NULL))
		return fail(error, path, NULL, NULL, "not UTF-8 text");
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &gerr))
		return fail(error, path, NULL, NULL, "syntax error: %s", gerr->message);
	if ((res = unique_groups(text, path, error)) < 0)
		return res;
	if ((m = g_new0(struct foh_content_model, 1)) == NULL)
		return -ENOMEM;
	if ((res = read_header(kf, path, m, error)) < 0)
		goto out;
	groups = g_key_file_get_groups(kf, NULL);
	for (guint i = 0; groups[i]; i++) {
		if (strcmp(groups[i], "model") == 0)
			continue;
		if (!g_str_has_prefix(groups[i], "centroid ")) {
			res = fail(error, path, groups[i], NULL, "unknown group "
					"(expected [model] and [centroid NAME])");
			goto out;
		}
		if ((res = read_centroid(kf, path, groups[i], m, error)) < 0)
			goto out;
	}
	*out = *m;
out:
	g_free(m);
	return res;
}

static void append_vector(GString *s, const char *key, const double v[FOH_CF_N])
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append_printf(s, "%s=", key);
	for (int i = 0; i < FOH_CF_N; i++) {
		/* %.9g: a double survives the round trip to well under 1e-8 */
		g_ascii_formatd(buf, sizeof(buf), "%.9g", v[i]);
		g_string_append_printf(s, "%s%s", buf, i + 1 < FOH_CF_N ? ";" : "\n");
	}
}

int foh_centroids_save(const char *path, const struct foh_content_model *m, char **error)
{
	g_autoptr(GString) s = g_string_new("# foh content centroids (fohctl content learn); "
			"see README.md, \"Content detection\"\n[model]\n");
	int res;

	g_string_append_printf(s, "version=%d\nfeatures=", FOH_CENTROIDS_VERSION);
	for (int i = 0; i < FOH_CF_N; i++)
		g_string_append_printf(s, "%s%s", foh_cf_name((enum foh_cf)i),
				i + 1 < FOH_CF_N ? ";" : "\n");
	append_vector(s, "mean", m->mean);
	append_vector(s, "std", m->std);
	for (uint32_t i = 0; i < m->n; i++) {
		g_string_append_printf(s, "\n[centroid %s]\nclass=%s\nwindows=%u\n", m->c[i].name,
				foh_content_class_name(m->c[i].cls), m->c[i].windows);
		append_vector(s, "vector", m->c[i].v);
		if (m->c[i].margin > 0.0) {
			char buf[G_ASCII_DTOSTR_BUF_SIZE];

			g_string_append_printf(s, "margin=%s\n",
					g_ascii_formatd(buf, sizeof(buf), "%.3f", m->c[i].margin));
		}
	}
	if ((res = foh_mkdir_parents(path)) < 0 ||
	    (res = foh_atomic_write(path, s->str, s->len, 0644)) < 0) {
		*error = g_strdup_printf("%s: cannot write: %s", path, strerror(-res));
		return res;
	}
	return 0;
}

char *foh_centroids_user_path(void)
{
	return g_build_filename(g_get_user_config_dir(), "foh", "content", "styles", NULL);
}

int foh_centroids_load_or(const char *path, const char *fallback,
		struct foh_content_model *m, char **used, char **note, char **error)
{
	g_autofree char *why = NULL;
	int res = foh_centroids_load(path, m, &why);

	if (res == -EPROTO && fallback != NULL && strcmp(path, fallback) != 0) {
		g_autofree char *why2 = NULL;
		if ((res = foh_centroids_load(fallback, m, &why2)) < 0) {
			*error = g_strdup_printf("%s; and the fallback: %s", why, why2);
			return res;
		}
		*note = g_strdup_printf("%s; read %s instead (its centroids are not there "
				"until they are learned again)", why, fallback);
		*used = g_strdup(fallback);
		return 0;
	}
	if (res < 0) {
		*error = g_steal_pointer(&why);
		return res;
	}
	*used = g_strdup(path);
	return 0;
}

int foh_centroids_load_current(struct foh_content_model *m, char **used, char **note,
		char **error)
{
	g_autofree char *path = foh_centroids_path();
	const char *env = g_getenv("FOH_CONTENT_STYLES");

	/* a file named by the environment is what is asked for, nothing else */
	return foh_centroids_load_or(path, env && env[0] ? NULL : FOH_CONTENT_DEFAULT_STYLES, m,
			used, note, error);
}

char *foh_centroids_path(void)
{
	const char *env = g_getenv("FOH_CONTENT_STYLES");
	g_autofree char *user = NULL;

	if (env != NULL && env[0] != '\0')
		return g_strdup(env);
	user = foh_centroids_user_path();
	if (access(user, F_OK) == 0)
		return g_steal_pointer(&user);
	return g_strdup(FOH_CONTENT_DEFAULT_STYLES);
}
