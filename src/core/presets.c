/* Presets of a settings table; see presets.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/conf.h"
#include "core/presets.h"
#include "util/atomic-file.h"

int foh_preset_check_name(const char *name, char **reason)
{
	size_t len = strlen(name);

	if (len < 1 || len > 64) {
		*reason = g_strdup_printf("a preset name has 1 to 64 characters, not %zu", len);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++) {
		if (!g_ascii_isalnum(name[i]) && name[i] != '_' && name[i] != '-' && name[i] != ' ') {
			*reason = g_strdup_printf("a preset name may hold only letters, digits, '_', "
					"'-' and spaces; '%c' at position %zu is not allowed",
					g_ascii_isprint(name[i]) ? name[i] : '?', i + 1);
			return -EINVAL;
		}
	}
	/* " " or " x" would be a name nobody can tell apart or type back */
	if (name[0] == ' ' || name[len - 1] == ' ') {
		*reason = g_strdup_printf("a preset name may not start or end with a space "
				"(\"%s\")", name);
		return -EINVAL;
	}
	if (g_ascii_strcasecmp(name, "main") == 0) {
		*reason = g_strdup("\"main\" is reserved for the running settings");
		return -EINVAL;
	}
	return 0;
}

char *foh_preset_dir(void)
{
	return g_build_filename(g_get_user_config_dir(), "foh", "presets", NULL);
}

static char *preset_path(const char *kind, const char *name)
{
	g_autofree char *dir = foh_preset_dir();
	g_autofree char *file = g_strdup_printf("%s-%s.conf", kind, name);

	return g_build_filename(dir, file, NULL);
}

char *foh_preset_path(const char *kind, const char *name)
{
	g_autofree char *why = NULL;

	return foh_preset_check_name(name, &why) < 0 ? NULL : preset_path(kind, name);
}

int foh_preset_save(const char *kind, const char *name, const struct foh_param *table,
		size_t n, const void *base)
{
	return foh_preset_save_keys(kind, name, table, n, base, NULL);
}

int foh_preset_save_keys(const char *kind, const char *name, const struct foh_param *table,
		size_t n, const void *base, const bool *set)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *path = NULL, *data = NULL, *why = NULL;
	gsize len = 0;
	int res;

	if ((res = foh_preset_check_name(name, &why)) < 0)
		return res;
	path = preset_path(kind, name);
	if (access(path, F_OK) < 0) {
		g_auto(GStrv) names = foh_preset_list(kind);

		if (names != NULL && g_strv_length(names) >= FOH_PRESETS_MAX)
			return -EDQUOT;
	}
	for (size_t i = 0; i < n; i++) {
		if ((table[i].flags & FOH_PARAM_NO_PRESET) || (set != NULL && !set[i]))
			continue;
		/* every key, defaults too: a preset must not depend on them */
		g_key_file_set_value(kf, kind, table[i].key, "");
		foh_conf_store_value(kf, kind, &table[i], base);
	}
	data = g_key_file_to_data(kf, &len, NULL);
	if ((res = foh_mkdir_parents(path)) < 0)
		return res;
	return foh_atomic_write(path, data, len, 0644);
}

int foh_preset_load(const char *kind, const char *name, const struct foh_param *table,
		size_t n, void *base, char **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	g_autofree char *path = NULL, *text = NULL;
	int res;

	if ((res = foh_preset_check_name(name, error)) < 0)
		return res;
	path = preset_path(kind, name);
	if (access(path, F_OK) < 0) {
		*error = g_strdup_printf("no preset named \"%s\"", name);
		return -ENOENT;
	}
	if ((res = foh_conf_read_text(path, &text, error)) < 0)
		return res;
	if (!g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, &gerr)) {
		*error = g_strdup_printf("%s: syntax error: %s", path, gerr->message);
		return -EINVAL;
	}
	return foh_conf_apply_keys(kf, path, kind, table, n, base, error);
}

int foh_preset_delete(const char *kind, const char *name)
{
	g_autofree char *path = NULL, *why = NULL;
	int res;

	if ((res = foh_preset_check_name(name, &why)) < 0)
		return res;
	path = preset_path(kind, name);
	return unlink(path) < 0 ? -errno : 0;
}

static gint compare_names(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **foh_preset_list(const char *kind)
{
	g_autofree char *dir = foh_preset_dir();
	g_autofree char *prefix = g_strdup_printf("%s-", kind);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	GPtrArray *names = g_ptr_array_new();
	const char *entry;

	while (d != NULL && (entry = g_dir_read_name(d)) != NULL) {
		g_autofree char *why = NULL;
		char *name;
		if (!g_str_has_prefix(entry, prefix) || !g_str_has_suffix(entry, ".conf"))
			continue;
		name = g_strndup(entry + strlen(prefix), strlen(entry) - strlen(prefix) - 5);
		if (foh_preset_check_name(name, &why) < 0) {
			g_free(name);
			continue;
		}
		g_ptr_array_add(names, name);
	}
	g_ptr_array_sort(names, compare_names);
	g_ptr_array_add(names, NULL);
	return (char **)g_ptr_array_free(names, FALSE);
}

int64_t foh_preset_saved_at(const char *kind, const char *name)
{
	g_autofree char *path = foh_preset_path(kind, name);
	struct stat st;

	if (path == NULL)
		return -EINVAL;
	if (stat(path, &st) < 0)
		return -errno;
	return (int64_t)st.st_mtime;
}
