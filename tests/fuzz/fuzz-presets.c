/* libFuzzer target: the presets reader (src/core/presets.c) on analyzer
 * presets, the one kind fohd has. The bytes are the preset file
 * $XDG_CONFIG_HOME/foh/presets/analyzer-fuzz.conf (XDG_CONFIG_HOME is a
 * scratch directory); when foh_preset_load() accepts it and the result
 * passes the analyzer's own check (as LoadPreset does), saving it as a
 * preset and loading that into defaults must succeed and give the same
 * settings (compared as the saved files: a preset holds every key). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer/settings.h"
#include "core/presets.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* before GLib caches the user config dir */
	g_autofree char *dir = g_build_filename(fuzz_scratch_dir(), "foh", "presets", NULL);

	g_setenv("XDG_CONFIG_HOME", fuzz_scratch_dir(), TRUE);
	if (g_mkdir_with_parents(dir, 0700) < 0)
		abort();
	return 0;
}

static char *preset_file(const char *name)
{
	g_autofree char *dir = foh_preset_dir();
	g_autofree char *file = g_strdup_printf("analyzer-%s.conf", name);

	return g_build_filename(dir, file, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autofree char *in = preset_file("fuzz"), *a = preset_file("saved a");
	g_autofree char *b = preset_file("saved b");
	g_autofree char *error = NULL, *text_a = NULL, *text_b = NULL;
	char *why = NULL;		/* free(): the analyzer check allocates it */
	struct foh_analyzer_settings s1, s2;
	int r;

	if (size > 64 * 1024)
		return 0;
	fuzz_write_file(in, data, size);
	foh_analyzer_settings_defaults(&s1);
	if (foh_preset_load("analyzer", "fuzz", foh_analyzer_params, foh_analyzer_n_params,
				&s1, &error) < 0) {
		FUZZ_CHECK(error != NULL, "refused without a message");
		return 0;
	}
	if (foh_analyzer_settings_check(&s1, 0, &why) < 0)
		goto out;

	r = foh_preset_save("analyzer", "saved a", foh_analyzer_params, foh_analyzer_n_params,
			&s1);
	FUZZ_CHECK(r == 0, "saving an accepted preset failed: %d", r);
	foh_analyzer_settings_defaults(&s2);
	r = foh_preset_load("analyzer", "saved a", foh_analyzer_params, foh_analyzer_n_params,
			&s2, &error);
	FUZZ_CHECK(r == 0, "the reader refuses a saved preset: %s", error);
	free(why);
	why = NULL;
	FUZZ_CHECK(foh_analyzer_settings_check(&s2, 0, &why) == 0,
			"a saved preset fails the analyzer's check: %s", why);
	r = foh_preset_save("analyzer", "saved b", foh_analyzer_params, foh_analyzer_n_params,
			&s2);
	FUZZ_CHECK(r == 0, "saving a reloaded preset failed: %d", r);
	text_a = fuzz_read_file(a, NULL);
	text_b = fuzz_read_file(b, NULL);
	FUZZ_CHECK(strcmp(text_a, text_b) == 0,
			"settings changed across save and load:\n--- saved\n%s--- reloaded\n%s",
			text_a, text_b);
out:
	free(why);
	return 0;
}
