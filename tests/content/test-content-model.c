/* The content model: the nearest-centroid decision and its hysteresis, and
 * centroid files.
 *   - a vector at a centroid is that centroid's class and style, with
 *     confidence 1 when it sits on it; halfway between two it is 0;
 *   - one odd window in a stable passage changes nothing; two in a row
 *     change the class; silence needs three quiet ticks and is left at
 *     once; a window with less than 0.45 s since a pause does not vote;
 *   - a style change must hold for four ticks;
 *   - save → load gives back every number (to 1e-8 relative) and name;
 *   - every malformed file is refused with its path, [group], key and
 *     reason, and the model passed in is left as it was. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "content/centroids.h"
#include "../dsp/test-util.h"

static void model_two(struct foh_content_model *m)
{
	double a[FOH_CF_N] = { 0 }, b[FOH_CF_N] = { 0 }, c[FOH_CF_N] = { 0 };

	memset(m, 0, sizeof(*m));
	for (int i = 0; i < FOH_CF_N; i++)
		m->std[i] = 1.0;
	a[0] = 0.0;
	b[0] = 10.0;
	c[0] = 14.0;
	foh_content_model_set(m, "speech", FOH_CONTENT_SPEECH, a, 10);
	foh_content_model_set(m, "rock", FOH_CONTENT_MUSIC, b, 10);
	foh_content_model_set(m, "jazz", FOH_CONTENT_MUSIC, c, 10);
}

static struct foh_cf_vector vec(double x0)
{
	struct foh_cf_vector v;

	memset(&v, 0, sizeof(v));
	v.v[0] = (float)x0;
	v.level_db = -20.0f;
	v.active = 1.0f;
	v.seconds = 1.5f;
	return v;
}

static void test_guess(void)
{
	struct foh_content_model m;
	struct foh_content_guess g;
	double x[FOH_CF_N] = { 0 };

	model_two(&m);
	foh_content_guess(&m, x, &g);
	CHECK(g.cls == FOH_CONTENT_SPEECH && g.class_confidence == 1.0,
			"on the speech centroid: speech, confidence 1 (%s %.2f)",
			foh_content_class_name(g.cls), g.class_confidence);
	x[0] = 5.0;
	foh_content_guess(&m, x, &g);
	CHECK_NEAR(g.class_confidence, 0.0, 1e-12, "halfway: confidence 0");
	x[0] = 11.0;
	foh_content_guess(&m, x, &g);
	CHECK(g.cls == FOH_CONTENT_MUSIC && g.style == foh_content_model_find(&m, "rock"),
			"near rock: music, rock");
	/* (3 - 1) / (3 + 1) */
	CHECK_NEAR(g.style_confidence, 0.5, 1e-12, "style margin between rock and jazz");

	/* jazz with margin 0.2 is taken only when d(jazz) <= 0.8 d(rock):
	 * at 12.3, 1.7 <= 0.8 * 2.3 = 1.84; at 12.2, 1.8 > 0.8 * 2.2 = 1.76 */
	m.c[foh_content_model_find(&m, "jazz")].margin = 0.2;
	x[0] = 12.3;
	foh_content_guess(&m, x, &g);
	CHECK(g.style == foh_content_model_find(&m, "jazz"), "12.3, jazz clearly nearer: jazz");
	x[0] = 12.2;
	foh_content_guess(&m, x, &g);
	CHECK(g.cls == FOH_CONTENT_MUSIC && g.style == foh_content_model_find(&m, "rock") &&
			g.style_confidence == 0.0,
			"12.2, jazz nearer but not clearly: rock, confidence 0");
	x[0] = 11.0;
	foh_content_guess(&m, x, &g);
	CHECK(g.style == foh_content_model_find(&m, "rock"), "a margin does not touch rock");
	CHECK_NEAR(g.style_confidence, 0.5, 1e-12, "nor rock's confidence");
	foh_content_model_set(&m, "jazz", FOH_CONTENT_MUSIC, x, 3);
	CHECK(m.c[foh_content_model_find(&m, "jazz")].margin == 0.2,
			"learning jazz again keeps its margin");
}

static void test_hysteresis(void)
{
	struct foh_content_model m;
	struct foh_content_state s;
	struct foh_cf_vector sp = vec(0.0), mu = vec(10.0), quiet = vec(10.0), cut = vec(10.0);

	model_two(&m);
	quiet.level_db = -70.0f;
	cut.seconds = 0.3f;
	foh_content_state_init(&s, -60.0);
	CHECK(foh_content_update(&s, &m, &sp) && s.cls == FOH_CONTENT_SPEECH, "first tick decides");
	CHECK(!foh_content_update(&s, &m, &mu) && s.cls == FOH_CONTENT_SPEECH,
			"one music window in speech changes nothing");
	CHECK(!foh_content_update(&s, &m, &sp) && s.cls == FOH_CONTENT_SPEECH, "speech again");
	foh_content_update(&s, &m, &mu);
	CHECK(foh_content_update(&s, &m, &mu) && s.cls == FOH_CONTENT_MUSIC,
			"two music windows in a row: music");
	CHECK(strcmp(foh_content_style_name(&s, &m), "rock") == 0, "style rock at once");
	CHECK(!foh_content_update(&s, &m, &cut) && s.cls == FOH_CONTENT_MUSIC &&
	      !foh_content_update(&s, &m, &cut), "0.3 s since a pause: no vote");
	foh_content_update(&s, &m, &quiet);
	foh_content_update(&s, &m, &quiet);
	CHECK(s.cls == FOH_CONTENT_MUSIC, "two quiet ticks are a pause, not silence");
	CHECK(foh_content_update(&s, &m, &quiet) && s.cls == FOH_CONTENT_SILENCE,
			"the third quiet tick is silence");
	CHECK(strcmp(foh_content_style_name(&s, &m), "") == 0, "no style in silence");
	CHECK(foh_content_update(&s, &m, &cut) && s.cls == FOH_CONTENT_UNKNOWN,
			"over the gate, 0.3 s since the pause: no longer silence, unknown");
	CHECK(!foh_content_update(&s, &m, &sp) && s.cls == FOH_CONTENT_UNKNOWN,
			"out of silence, one speech window: still unknown");
	CHECK(foh_content_update(&s, &m, &sp) && s.cls == FOH_CONTENT_SPEECH,
			"out of silence, two speech windows: speech");
	quiet.v[0] = 0.0f;
	quiet.active = 0.0f;
	foh_content_update(&s, &m, &quiet);
	foh_content_update(&s, &m, &quiet);
	CHECK(foh_content_update(&s, &m, &quiet) && s.cls == FOH_CONTENT_SILENCE,
			"silence again");
	sp.active = 0.0f;
	CHECK(foh_content_update(&s, &m, &sp) && s.cls == FOH_CONTENT_UNKNOWN,
			"over the gate is no silence, whatever the share of active frames");
	CHECK(foh_content_update(&s, &m, &sp) && s.cls == FOH_CONTENT_SPEECH,
			"and two speech windows are speech");
	sp.active = 1.0f;
	CHECK(!foh_content_update(&s, &m, NULL) && s.cls == FOH_CONTENT_SPEECH,
			"no vector: nothing changes");

	/* style: rock → jazz must hold four ticks (the running mean moves too) */
	{
		struct foh_cf_vector jz = vec(30.0);
		int ticks = 0;
		foh_content_state_init(&s, -60.0);
		foh_content_update(&s, &m, &mu);
		while (strcmp(foh_content_style_name(&s, &m), "rock") == 0 && ticks < 40) {
			foh_content_update(&s, &m, &jz);
			ticks++;
		}
		CHECK(ticks >= 4 && strcmp(foh_content_style_name(&s, &m), "jazz") == 0,
				"rock → jazz after %d ticks (at least 4)", ticks);
	}
}

static char *write_file(const char *dir, const char *text)
{
	char *path = g_build_filename(dir, "styles", NULL);

	g_file_set_contents(path, text, -1, NULL);
	return path;
}

static void test_files(void)
{
	g_autofree char *dir = g_dir_make_tmp("foh-content-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "sub", "styles", NULL);
	g_autofree char *good = NULL;
	struct foh_content_model m, back, keep;
	char *error = NULL;
	bool same = true;

	model_two(&m);
	for (int i = 0; i < FOH_CF_N; i++) {
		m.mean[i] = 1.0 / 3.0 + i;
		m.std[i] = 0.1 + i * 1e-7;
		m.c[1].v[i] = -1e-5 * (i + 1) / 7.0;
	}
	m.c[2].margin = 0.25;
	CHECK(foh_centroids_save(path, &m, &error) == 0, "save: %s", error ? error : "");
	g_clear_pointer(&error, g_free);
	CHECK(foh_centroids_load(path, &back, &error) == 0, "load: %s", error ? error : "");
	g_clear_pointer(&error, g_free);
	CHECK(back.n == m.n, "%u centroids back", back.n);
	for (uint32_t c = 0; c < m.n && c < back.n; c++) {
		same = same && strcmp(m.c[c].name, back.c[c].name) == 0 &&
			m.c[c].cls == back.c[c].cls && m.c[c].windows == back.c[c].windows &&
			m.c[c].margin == back.c[c].margin;
		for (int i = 0; i < FOH_CF_N; i++)
			same = same && fabs(m.c[c].v[i] - back.c[c].v[i]) <=
				1e-8 * fmax(1e-300, fabs(m.c[c].v[i]));
	}
	for (int i = 0; i < FOH_CF_N; i++)
		same = same && fabs(m.mean[i] - back.mean[i]) <= 1e-8 * fabs(m.mean[i]) &&
			fabs(m.std[i] - back.std[i]) <= 1e-8 * m.std[i];
	CHECK(same, "save → load gives every name and number back");
	g_file_get_contents(path, &good, NULL, NULL);

	/* [what to replace, with what, the key the error must name, a word of the reason] */
	static const char *const bad[][4] = {
		{ "version=1", "version=2", "[model] version", "not supported" },
		{ "version=1\n", "", "[model] version", "missing" },
		{ "features=centroid-khz;", "features=centroid-hz;", "[model] features", "centroid-khz" },
		{ "\nstd=", "\nstd=0;", "[model] std", "numbers" },
		{ "\nstd=0.1", "\nstd=0", "[model] std", "above 0" },
		{ "\nmean=0.3", "\nmean=nan", "[model] mean", "finite" },
		{ "class=music", "class=noise", "[centroid rock] class", "speech nor music" },
		{ "windows=10\nvector=-1", "windows=0\nvector=-1", "[centroid rock] windows", "count" },
		{ "[centroid rock]", "[centroid ro/ck]", "[centroid ro/ck]", "not allowed" },
		{ "[centroid rock]", "[centroid speech]", "[centroid speech]", "second" },
		{ "[centroid rock]", "[rock]", "[rock]", "unknown group" },
		{ "class=music", "class=music\ncolour=red", "[centroid rock] colour", "unknown key" },
		{ "[model]", "model]", "styles", "syntax" },
		{ "margin=0.250", "margin=1", "[centroid jazz] margin", "[0, 1)" },
		{ "margin=0.250", "margin=-0.1", "[centroid jazz] margin", "[0, 1)" },
		{ "margin=0.250", "margin=wide", "[centroid jazz] margin", "[0, 1)" },
		{ "class=speech", "class=speech\nmargin=0.1", "[centroid speech] margin", "music" },
	};
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		g_autofree char *p = NULL;
		GString *s = g_string_new(good);
		int res;
		CHECK(g_string_replace(s, bad[k][0], bad[k][1], 1) == 1, "case %zu applies", k);
		p = write_file(dir, s->str);
		g_string_free(s, TRUE);
		model_two(&keep);
		back = keep;
		res = foh_centroids_load(p, &back, &error);
		CHECK(res < 0 && error && strstr(error, p) && strstr(error, bad[k][2]) &&
				strstr(error, bad[k][3]) && memcmp(&back, &keep, sizeof(back)) == 0,
				"\"%s\" → \"%s\" refused naming %s (%s): %s", bad[k][0], bad[k][1],
				bad[k][2], bad[k][3], error ? error : "accepted");
		if (error)
			printf("refused: %s\n", error);
		g_clear_pointer(&error, g_free);
		unlink(p);
	}
	{
		g_autofree char *p = g_build_filename(dir, "none", NULL);
		CHECK(foh_centroids_load(p, &back, &error) == -ENOENT && strstr(error, p),
				"a missing file is named");
		g_clear_pointer(&error, g_free);
	}
	/* a file of an older feature set falls back (and says so); a broken
	 * one does not: it is refused as above */
	{
		static const char *const old[][2] = {
			{ "features=centroid-khz;", "features=centroid-khz-old;" },
			{ "version=1", "version=0" },
			{ ";pitch-glide", "" },
			{ ";pitch-glide", ";pitch-glide;chroma" },
		};
		for (size_t k = 0; k < sizeof(old) / sizeof(old[0]); k++) {
			g_autofree char *p = NULL, *used = NULL, *note = NULL;
			GString *s = g_string_new(good);
			CHECK(g_string_replace(s, old[k][0], old[k][1], 1) == 1, "old case %zu", k);
			p = write_file(dir, s->str);
			g_string_free(s, TRUE);
			model_two(&back);
			CHECK(foh_centroids_load(p, &back, &error) == -EPROTO,
					"\"%s\" → \"%s\": another feature set (-EPROTO)",
					old[k][0], old[k][1]);
			g_clear_pointer(&error, g_free);
			CHECK(foh_centroids_load_or(p, NULL, &back, &used, &note, &error) == -EPROTO &&
					used == NULL, "no fallback: refused");
			g_clear_pointer(&error, g_free);
			CHECK(foh_centroids_load_or(p, path, &back, &used, &note, &error) == 0 &&
					used && strcmp(used, path) == 0 && note && strstr(note, p) &&
					strstr(note, path) && back.n == m.n &&
					strcmp(back.c[1].name, m.c[1].name) == 0,
					"\"%s\" → \"%s\": the fallback is read, the note names both: %s",
					old[k][0], old[k][1], note ? note : error);
			g_clear_pointer(&error, g_free);
			unlink(p);
		}
	}
	{
		g_autofree char *p = NULL, *used = NULL, *note = NULL;
		GString *s = g_string_new(good);
		g_string_replace(s, "\nstd=0.1", "\nstd=0", 1);
		p = write_file(dir, s->str);
		g_string_free(s, TRUE);
		model_two(&keep);
		back = keep;
		CHECK(foh_centroids_load_or(p, path, &back, &used, &note, &error) == -EINVAL &&
				used == NULL && note == NULL && error && strstr(error, "[model] std") &&
				memcmp(&back, &keep, sizeof(back)) == 0,
				"a broken file does not fall back: %s", error ? error : "accepted");
		g_clear_pointer(&error, g_free);
		unlink(p);
	}
	unlink(path);
	g_autofree char *sub = g_build_filename(dir, "sub", NULL);
	rmdir(sub);
	rmdir(dir);
}

int main(void)
{
	test_guess();
	test_hysteresis();
	test_files();
	return test_summary("content-model");
}
