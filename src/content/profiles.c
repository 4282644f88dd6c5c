/* Content profiles; see profiles.h. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "content/profiles.h"
#include "core/conf.h"
#include "core/presets.h"

#define KIND	"profile"

/* After the AG06 seed's styles and loudness targets (REFERENCE.md). */
static const struct { const char *name, *text; } builtins[] = {
	{ "speech",
	  "gate-enabled=true\ngate-threshold=-45\ncomp-enabled=true\ncomp-threshold=-24\n"
	  "comp-ratio=3\ncomp-attack=5\ncomp-release=120\neq-enabled=true\neq-highpass=80\n"
	  "eq-band1-gain=-1\neq-band3-gain=2\neq-band4-gain=0\nreverb-enabled=false\n"
	  "leveler-target=-16\n" },
	{ "rock",
	  "gate-enabled=false\ncomp-enabled=true\ncomp-threshold=-18\ncomp-ratio=4\n"
	  "comp-attack=10\ncomp-release=100\neq-enabled=true\neq-highpass=30\n"
	  "eq-band1-gain=2\neq-band3-gain=0\neq-band4-gain=1.5\nreverb-enabled=true\n"
	  "reverb-mix=12\nreverb-decay=1.2\nleveler-target=-14\n" },
	{ "jazz",
	  "gate-enabled=false\ncomp-enabled=true\ncomp-threshold=-22\ncomp-ratio=2\n"
	  "comp-attack=20\ncomp-release=200\neq-enabled=true\neq-highpass=30\n"
	  "eq-band1-gain=1\neq-band3-gain=0\neq-band4-gain=0\nreverb-enabled=true\n"
	  "reverb-mix=20\nreverb-decay=1.8\nleveler-target=-18\n" },
	{ "electronic",
	  "gate-enabled=false\ncomp-enabled=true\ncomp-threshold=-16\ncomp-ratio=6\n"
	  "comp-attack=3\ncomp-release=60\neq-enabled=true\neq-highpass=25\n"
	  "eq-band1-gain=3\neq-band3-gain=0\neq-band4-gain=2\nreverb-enabled=false\n"
	  "leveler-target=-11\n" },
	{ "classical",
	  "gate-enabled=false\ncomp-enabled=true\ncomp-threshold=-30\ncomp-ratio=1.5\n"
	  "comp-attack=30\ncomp-release=300\neq-enabled=false\nreverb-enabled=true\n"
	  "reverb-mix=25\nreverb-decay=2.5\nleveler-target=-23\n" },
};

/* Routing and control: what a channel is, not how it sounds. */
static bool sound_key(const struct foh_param *p)
{
	static const char *const control[] = {
		"name", "mute", "gate-open", "content-enabled", "profile-mode", "profile",
		"profile-hold", NULL,
	};

	return !(p->flags & FOH_PARAM_STRUCTURAL) && !g_strv_contains(control, p->key);
}

/* Validates group [profile] of kf into out; lenient: keys the table does
 * not have are left out (the built-ins may name settings of newer builds). */
static int from_keyfile(GKeyFile *kf, const char *path, const char *name, bool lenient,
		struct foh_profile *out, char **error)
{
	g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
	g_auto(GStrv) keys = NULL;
	struct foh_profile p;
	int res;

	for (guint i = 0; groups[i]; i++)
		if (strcmp(groups[i], KIND) != 0) {
			*error = g_strdup_printf("%s: [%s]: unknown group (a profile has [%s] only)",
					path, groups[i], KIND);
			return -EINVAL;
		}
	memset(&p, 0, sizeof(p));
	snprintf(p.name, sizeof(p.name), "%s", name);
	foh_channel_settings_defaults(&p.values);
	keys = g_key_file_get_keys(kf, KIND, NULL, NULL);
	for (guint i = 0; keys && keys[i]; i++) {
		const struct foh_param *t = foh_params_find_key(foh_channel_params,
				foh_channel_n_params, keys[i]);
		if (t == NULL && lenient) {
			(void)g_key_file_remove_key(kf, KIND, keys[i], NULL);
			continue;
		}
		if (t == NULL) {
			*error = g_strdup_printf("%s: [%s] %s: unknown key (not a channel setting)",
					path, KIND, keys[i]);
			return -EINVAL;
		}
		if (!sound_key(t)) {
			*error = g_strdup_printf("%s: [%s] %s: not a sound setting; a profile cannot "
					"hold it", path, KIND, keys[i]);
			return -EINVAL;
		}
		p.set[t - foh_channel_params] = true;
	}
	if ((res = foh_conf_apply_keys(kf, path, KIND, foh_channel_params, foh_channel_n_params,
					&p.values, error)) < 0)
		return res;
	*out = p;
	return 0;
}

static int builtin(const char *name, struct foh_profile *out, char **error)
{
	for (size_t i = 0; i < G_N_ELEMENTS(builtins); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autofree char *text = NULL;
		int res;
		if (strcmp(builtins[i].name, name) != 0)
			continue;
		text = g_strdup_printf("[%s]\n%s", KIND, builtins[i].text);
		if (!g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, NULL))
			return -EINVAL;
		res = from_keyfile(kf, "(built in)", name, true, out, error);
		out->builtin = true;
		return res;
	}
	*error = g_strdup_printf("no profile named \"%s\"", name);
	return -ENOENT;
}

int foh_profile_load(const char *name, struct foh_profile *out, char **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) gerr = NULL;
	g_autofree char *path = NULL, *text = NULL, *why = NULL;
	int res;

	if (foh_preset_check_name(name, &why) < 0) {
		*error = g_strdup_printf("profile \"%s\": %s", name, why);
		return -EINVAL;
	}
	path = foh_preset_path(KIND, name);
	if (access(path, F_OK) < 0)
		return builtin(name, out, error);
	if ((res = foh_conf_read_text(path, &text, error)) < 0)
		return res;
	if (!g_key_file_load_from_data(kf, text, strlen(text), G_KEY_FILE_NONE, &gerr)) {
		*error = g_strdup_printf("%s: syntax error: %s", path, gerr->message);
		return -EINVAL;
	}
	return from_keyfile(kf, path, name, false, out, error);
}

int foh_profile_save(const char *name, const char *const *keys, const char *const *values,
		size_t n, char **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *why = NULL, *path = NULL;
	struct foh_profile p;
	int res;

	if (foh_preset_check_name(name, &why) < 0) {
		*error = g_strdup_printf("profile \"%s\": %s", name, why);
		return -EINVAL;
	}
	path = foh_preset_path(KIND, name);
	for (size_t i = 0; i < n; i++) {
		if (g_key_file_has_key(kf, KIND, keys[i], NULL)) {
			*error = g_strdup_printf("%s: [%s] %s: given twice", path, KIND, keys[i]);
			return -EINVAL;
		}
		g_key_file_set_value(kf, KIND, keys[i], values[i]);
	}
	if (n == 0)
		g_key_file_set_comment(kf, NULL, NULL, " an empty profile", NULL);
	if ((res = from_keyfile(kf, path, name, false, &p, error)) < 0)
		return res;
	if ((res = foh_preset_save_keys(KIND, name, foh_channel_params, foh_channel_n_params,
					&p.values, p.set)) < 0) {
		*error = g_strdup_printf("%s: cannot write: %s", path, strerror(-res));
		return res;
	}
	return 0;
}

int foh_profile_delete(const char *name, char **error)
{
	g_autofree char *why = NULL;
	int res;

	if (foh_preset_check_name(name, &why) < 0) {
		*error = g_strdup_printf("profile \"%s\": %s", name, why);
		return -EINVAL;
	}
	if ((res = foh_preset_delete(KIND, name)) < 0) {
		*error = g_strdup_printf("profile \"%s\": %s%s", name, strerror(-res),
				res == -ENOENT ? " (built-in profiles cannot be deleted, only "
				"replaced by a file of the same name)" : "");
		return res;
	}
	return 0;
}

char **foh_profile_list(void)
{
	g_auto(GStrv) files = foh_preset_list(KIND);
	GPtrArray *names = g_ptr_array_new();

	for (guint i = 0; files[i]; i++)
		g_ptr_array_add(names, g_strdup(files[i]));
	for (size_t i = 0; i < G_N_ELEMENTS(builtins); i++)
		if (!g_strv_contains((const char *const *)files, builtins[i].name))
			g_ptr_array_add(names, g_strdup(builtins[i].name));
	{
		char **v = (char **)names->pdata;
		for (guint i = 1; i < names->len; i++)
			for (guint j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
				char *t = v[j];
				v[j] = v[j - 1];
				v[j - 1] = t;
			}
	}
	g_ptr_array_add(names, NULL);
	return (char **)g_ptr_array_free(names, FALSE);
}

char *foh_profile_value(const struct foh_profile *p, size_t i)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();

	g_key_file_set_value(kf, KIND, foh_channel_params[i].key, "");
	foh_conf_store_value(kf, KIND, &foh_channel_params[i], &p->values);
	return g_key_file_get_value(kf, KIND, foh_channel_params[i].key, NULL);
}

void foh_profile_glide(const struct foh_profile *p, const struct foh_channel_settings *from,
		double x, struct foh_channel_settings *out)
{
	const struct foh_channel_settings *to = &p->values;

	for (size_t i = 0; i < foh_channel_n_params && i < FOH_PROFILE_KEYS_MAX; i++) {
		const struct foh_param *t = &foh_channel_params[i];
		if (!p->set[i])
			continue;
		if (t->type == FOH_PARAM_DOUBLE) {
			double a = *(const double *)((const char *)from + t->offset);
			double b = *(const double *)((const char *)to + t->offset);
			double v = (t->unit && strcmp(t->unit, "Hz") == 0 && a > 0.0 && b > 0.0) ?
				a * pow(b / a, x) : a + (b - a) * x;
			*(double *)((char *)out + t->offset) = x >= 1.0 ? b : v;
		} else if (t->type == FOH_PARAM_BOOL) {
			bool b = *(const bool *)((const char *)to + t->offset);
			/* on at once, off at the end: the strip crossfades either */
			*(bool *)((char *)out + t->offset) = (b || x >= 1.0) ? b :
				*(const bool *)((const char *)from + t->offset);
		} else if (x >= 1.0) {
			struct foh_profile only;
			memset(only.set, 0, sizeof(only.set));
			only.set[i] = true;
			only.values = *to;
			foh_profile_apply(&only, out);
		}
	}
}

void foh_profile_apply(const struct foh_profile *p, struct foh_channel_settings *s)
{
	for (size_t i = 0; i < foh_channel_n_params && i < FOH_PROFILE_KEYS_MAX; i++) {
		const struct foh_param *t = &foh_channel_params[i];
		size_t size;
		if (!p->set[i])
			continue;
		switch (t->type) {
		case FOH_PARAM_BOOL: size = sizeof(bool); break;
		case FOH_PARAM_UINT: size = sizeof(uint32_t); break;
		case FOH_PARAM_DOUBLE: size = sizeof(double); break;
		case FOH_PARAM_STRING: size = (size_t)t->max + 1; break;
		default: continue;
		}
		memcpy((char *)s + t->offset, (const char *)&p->values + t->offset, size);
	}
}
