/* Unit tests of presets (names, atomic save, load, list, delete) and the
 * analyzer settings' cross-key checks (band edges, OSC destinations). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "analyzer/settings.h"
#include "core/conf.h"
#include "core/presets.h"

static void test_names(void)
{
	static const char *const bad[] = {
		"", "a/b", "..", "../etc", "x.conf", "main", "MAIN", "tab\there", "ünï",
		" ", "   ", " lead", "trail ",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
	};
	static const char *const good[] = { "Dark room", "set_2-b", "a", "main2",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 64 */ };

	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autofree char *why = NULL;
		if (foh_preset_check_name(bad[i], &why) >= 0)
			g_error("preset name \"%s\" was accepted", bad[i]);
		g_test_message("\"%s\": %s", bad[i], why);
	}
	for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
		g_autofree char *why = NULL;
		if (foh_preset_check_name(good[i], &why) < 0)
			g_error("preset name \"%s\" was refused: %s", good[i], why);
	}
}

static void test_save_load(void)
{
	struct foh_analyzer_settings a, b;
	g_autofree char *error = NULL;
	g_auto(GStrv) names = NULL;

	foh_analyzer_settings_defaults(&a);
	a.strength = 0.25;
	a.band_lo[1] = 400;
	a.fft_bins = 64;
	snprintf(a.destinations, sizeof(a.destinations), "10.0.0.9:7000");
	g_assert_cmpint(foh_preset_save("analyzer", "Club night", foh_analyzer_params,
				foh_analyzer_n_params, &a), ==, 0);
	g_assert_cmpint(foh_preset_save("analyzer", "../escape", foh_analyzer_params,
				foh_analyzer_n_params, &a), ==, -EINVAL);
	foh_analyzer_settings_defaults(&b);
	if (foh_preset_load("analyzer", "Club night", foh_analyzer_params,
				foh_analyzer_n_params, &b, &error) < 0)
		g_error("loading the preset failed: %s", error);
	g_assert_cmpfloat(b.strength, ==, 0.25);
	g_assert_cmpfloat(b.band_lo[1], ==, 400);
	g_assert_cmpuint(b.fft_bins, ==, 64);
	/* routing is not part of a preset */
	g_assert_cmpstr(b.destinations, ==, "127.0.0.1:9000");
	names = foh_preset_list("analyzer");
	g_assert_cmpuint(g_strv_length(names), ==, 1);
	g_assert_cmpstr(names[0], ==, "Club night");
	g_assert_cmpint(foh_preset_load("analyzer", "nope", foh_analyzer_params,
				foh_analyzer_n_params, &b, &error), ==, -ENOENT);
	g_assert_cmpint(foh_preset_delete("analyzer", "Club night"), ==, 0);
	g_assert_cmpint(foh_preset_delete("analyzer", "Club night"), ==, -ENOENT);
}

static void test_bands(void)
{
	static const struct { double lo, hi; bool ok; } cases[] = {
		{ 88, 184, true }, { 20, 71, true }, { 19.9, 184, false }, { 100, 150, false },
		{ 100, 150.1, true }, { 2944, 21600, true }, { 2944, 21601, false },
		{ 300, 200, false }, { NAN, 200, false }, { 100, INFINITY, false },
	};

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *why = NULL;
		bool ok = foh_analyzer_check_band(cases[i].lo, cases[i].hi, 48000, &why) == 0;
		if (ok != cases[i].ok)
			g_error("band %g..%g: %s, want %s (%s)", cases[i].lo, cases[i].hi,
					ok ? "accepted" : "refused", cases[i].ok ? "accepted" : "refused",
					why ? why : "");
		free(why);
	}
}

static void test_destinations(void)
{
	static const char *const good[] = { "127.0.0.1:9000", "[::1]:9000", "10.1.2.3:1" };
	static const char *const bad[] = { "localhost:9000", "127.0.0.1", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:90x", ":9000", "1.2.3:9000", "[::1:9000" };
	char host[64], port[8];

	for (size_t i = 0; i < G_N_ELEMENTS(good); i++)
		if (foh_osc_destination_parse(good[i], host, port) < 0)
			g_error("destination %s refused", good[i]);
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		if (foh_osc_destination_parse(bad[i], host, port) >= 0)
			g_error("destination %s accepted", bad[i]);
}

int main(int argc, char **argv)
{
	g_autofree char *dir = g_dir_make_tmp("foh-test-presets-XXXXXX", NULL);
	int res;

	g_setenv("XDG_CONFIG_HOME", dir, TRUE);
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/presets/names", test_names);
	g_test_add_func("/presets/save-load", test_save_load);
	g_test_add_func("/analyzer/bands", test_bands);
	g_test_add_func("/analyzer/destinations", test_destinations);
	res = g_test_run();
	{
		g_autofree char *presets = g_build_filename(dir, "foh", "presets", NULL);
		g_autofree char *foh = g_build_filename(dir, "foh", NULL);
		(void)g_rmdir(presets);
		(void)g_rmdir(foh);
		(void)g_rmdir(dir);
	}
	return res;
}
