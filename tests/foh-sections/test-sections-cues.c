/* Unit tests of foh-sections' cue arithmetic and Rekordbox Location decoding.
 * Expected values are worked out by hand from the formulas in REFERENCE.md:
 * ini_cue = end of the last "intro"; begin/end = start/end of the n-th segment
 * starting at or after ini_cue; speed = target / bpm; adj = (cue - ini)/speed.
 * And the Rekordbox reader on small files written here: the errors it reports,
 * and that a second error never replaces (and leaks) the first (issue 13:
 * "<a:b/>" is both a namespace error and a wrong root element; LeakSanitizer
 * caught the first message lost). The sanitizer pass runs these too. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include <glib.h>

#include "foh-sections/cues.h"
#include "foh-sections/rekordbox.h"

#define SEG(s, e, l) { (s), (e), (char *)(l) }

/* Two intros (the second ends at 8.0), a mid-track "Intro" that is the last
 * one, and segments listed in start order. */
static const struct sect_segment track[] = {
	SEG(0.0, 4.0, "intro"),
	SEG(4.0, 8.0, "intro"),
	SEG(8.0, 16.0, "verse"),
	SEG(16.0, 24.0, "chorus"),
	SEG(24.0, 32.0, "verse"),
	SEG(32.0, 40.0, "Intro"),
	SEG(40.0, 48.0, "drop"),
	SEG(48.0, 56.0, "break"),
	SEG(56.0, 64.0, "drop"),
	SEG(64.0, 72.0, "outro"),
};
#define N_TRACK G_N_ELEMENTS(track)

/* The same without the mid-track "Intro": ini is 8.0. */
static const struct sect_segment two_intros[] = {
	SEG(0.0, 4.0, "intro"),
	SEG(4.0, 8.0, "intro"),
	SEG(8.0, 16.0, "verse"),
	SEG(16.0, 24.0, "chorus"),
	SEG(24.0, 32.0, "verse"),
	SEG(32.0, 40.0, "bridge"),
	SEG(40.0, 48.0, "drop"),
	SEG(48.0, 56.0, "break"),
	SEG(56.0, 64.0, "drop"),
};

static void test_ini_cue(void)
{
	/* the last intro by start time is "Intro" at 32..40 (case-insensitive) */
	g_assert_cmpfloat(sect_ini_cue(track, N_TRACK), ==, 40.0);
	/* only the first two: 8.0 */
	g_assert_cmpfloat(sect_ini_cue(track, 3), ==, 8.0);
	g_assert_cmpfloat(sect_ini_cue(two_intros, G_N_ELEMENTS(two_intros)), ==, 8.0);
	/* no intro at all: the section counts from the top */
	g_assert_cmpfloat(sect_ini_cue(track + 2, 3), ==, 0.0);
	g_assert_cmpfloat(sect_ini_cue(track, 0), ==, 0.0);
}

static void test_nth_after(void)
{
	/* after ini 8.0 the segments are 2 (8..16), 3, 4, 5, 6, 7 (48..56) ... */
	g_assert_cmpint(sect_nth_after(track, N_TRACK, 8.0, 1), ==, 2);
	g_assert_cmpint(sect_nth_after(track, N_TRACK, 8.0, 6), ==, 7);
	g_assert_cmpint(sect_nth_after(track, N_TRACK, 8.0, 8), ==, 9);
	g_assert_cmpint(sect_nth_after(track, N_TRACK, 8.0, 9), ==, -ERANGE);
	/* a start a hair before ini (JSON rounding) still counts */
	g_assert_cmpint(sect_nth_after(track, N_TRACK, 8.0 + 1e-9, 1), ==, 2);
	/* ini inside a segment: that segment started before it, so it is out */
	g_assert_cmpint(sect_nth_after(track, N_TRACK, 10.0, 1), ==, 3);
	g_assert_cmpint(sect_nth_after(track, N_TRACK, 0.0, 0), ==, -EINVAL);
}

static void test_compute(void)
{
	struct sect_cues q;

	/* whole track: ini = 40, the 2nd segment after it is 48..56; 128 -> 120 BPM:
	 * speed = 120/128 = 0.9375; begin_adj = (48 - 40)/0.9375 = 8.5333...;
	 * end_adj = (56 - 40)/0.9375 = 17.0666... */
	g_assert_cmpint(sect_compute(track, N_TRACK, 2, 128.0, 120.0, &q), ==, 0);
	g_assert_cmpfloat(q.ini, ==, 40.0);
	g_assert_cmpfloat(q.begin, ==, 48.0);
	g_assert_cmpfloat(q.end, ==, 56.0);
	g_assert_cmpfloat_with_epsilon(q.speed, 0.9375, 1e-12);
	g_assert_cmpfloat_with_epsilon(q.begin_adj, 8.0 / 0.9375, 1e-9);
	g_assert_cmpfloat_with_epsilon(q.begin_adj, 8.533333333, 1e-8);
	g_assert_cmpfloat_with_epsilon(q.end_adj, 17.066666667, 1e-8);

	/* ini 8: the 6th segment after it is 48..56; 122.5 over 121:
	 * speed = 1.01239669...; begin_adj = 40 / 1.01239669 = 39.510204...;
	 * end_adj = 48 / 1.01239669 = 47.412244... */
	g_assert_cmpint(sect_compute(two_intros, G_N_ELEMENTS(two_intros), 6, 121.0, 122.5, &q), ==, 0);
	g_assert_cmpfloat(q.ini, ==, 8.0);
	g_assert_cmpfloat(q.begin, ==, 48.0);
	g_assert_cmpfloat(q.end, ==, 56.0);
	g_assert_cmpfloat_with_epsilon(q.speed, 1.012396694, 1e-9);
	g_assert_cmpfloat_with_epsilon(q.begin_adj, 39.510204082, 1e-8);
	g_assert_cmpfloat_with_epsilon(q.end_adj, 47.412244898, 1e-8);

	/* with ini 40 only 4 segments follow: the 6th does not exist */
	q.ini = -1;
	g_assert_cmpint(sect_compute(track, N_TRACK, 6, 120.0, 120.0, &q), ==, -ERANGE);
	g_assert_cmpfloat(q.ini, ==, -1);
}

static void test_filters(void)
{
	const char *keys[] = { "Gm", "Cm" };

	g_assert_true(sect_bpm_in_range(120.5, 122.5, 2.0));
	g_assert_true(sect_bpm_in_range(124.5, 122.5, 2.0));
	g_assert_false(sect_bpm_in_range(124.51, 122.5, 2.0));
	g_assert_false(sect_bpm_in_range(120.0, 122.5, 2.0));
	g_assert_true(sect_key_matches("Cm", keys, 2));
	g_assert_false(sect_key_matches("cm", keys, 2));
	g_assert_false(sect_key_matches("Am", keys, 2));
	g_assert_false(sect_key_matches(NULL, keys, 2));
	g_assert_false(sect_key_matches("", keys, 2));
}

static void test_location(void)
{
	g_autofree char *a = sect_location_to_path("file://localhost/Users/dj/My%20Music/a%2Cb.wav");
	g_autofree char *b = sect_location_to_path("file:///music/x%C3%A9.wav");
	g_autofree char *c = sect_location_to_path("file://localhost/C:/Music/y.wav");

	g_assert_cmpstr(a, ==, "/Users/dj/My Music/a,b.wav");
	g_assert_cmpstr(b, ==, "/music/x\xc3\xa9.wav");
	g_assert_cmpstr(c, ==, "/C:/Music/y.wav");
	g_assert_null(sect_location_to_path("http://example.com/a.wav"));
	g_assert_null(sect_location_to_path("file://localhost"));
	g_assert_null(sect_location_to_path("file:///a%2"));
	g_assert_null(sect_location_to_path("file:///a%zz.wav"));
	g_assert_null(sect_location_to_path("file:///a%00.wav"));

	g_assert_cmpstr(sect_file_name("/a/b/c.wav"), ==, "c.wav");
	g_assert_cmpstr(sect_file_name("C:\\Music\\d.wav"), ==, "d.wav");
	g_assert_cmpstr(sect_file_name("e.wav"), ==, "e.wav");
	g_assert_null(sect_file_name("/a/b/"));
	g_assert_null(sect_file_name("/a/.."));
	g_assert_null(sect_file_name(""));
}

/* Writes text to a temporary file and loads it; returns the result, with
 * *error set on failure (g_free it) and *out on success. */
static int load_text(const char *text, struct sect_rekordbox **out, char **error)
{
	g_autoptr(GError) gerr = NULL;
	g_autofree char *path = NULL;
	size_t n_bad = 0;
	int fd, r;

	fd = g_file_open_tmp("foh-rekordbox-XXXXXX.xml", &path, &gerr);
	g_assert_no_error(gerr);
	close(fd);
	g_assert_true(g_file_set_contents(path, text, -1, &gerr));
	*out = NULL;
	*error = NULL;
	r = sect_rekordbox_load(path, out, &n_bad, error);
	unlink(path);
	return r;
}

static void test_undeclared_prefix(void)
{
	struct sect_rekordbox *rb;
	g_autofree char *error = NULL;

	/* a namespace error first, then the wrong root: the first one wins */
	g_assert_cmpint(load_text("<a:b/>", &rb, &error), ==, -EBADMSG);
	g_assert_null(rb);
	g_assert_nonnull(error);
	g_test_message("%s", error);
	g_assert_nonnull(strstr(error, "line 1: "));
	g_assert_nonnull(strstr(error, "amespace"));
	g_assert_null(strstr(error, "root element"));
}

static void test_wrong_root(void)
{
	struct sect_rekordbox *rb;
	g_autofree char *error = NULL;

	g_assert_cmpint(load_text("<COLLECTION/>", &rb, &error), ==, -EBADMSG);
	g_assert_null(rb);
	g_assert_nonnull(strstr(error, "root element is <COLLECTION>, not <DJ_PLAYLISTS>"));
}

static void test_two_parser_errors(void)
{
	struct sect_rekordbox *rb;
	g_autofree char *error = NULL;

	/* an undeclared prefix on line 2, then a tag left open */
	g_assert_cmpint(load_text("<DJ_PLAYLISTS>\n<x:TRACK>\n<y:z/>\n", &rb, &error),
			==, -EBADMSG);
	g_assert_null(rb);
	g_test_message("%s", error);
	g_assert_nonnull(strstr(error, "line 2: "));
}

static void test_valid(void)
{
	struct sect_rekordbox *rb;
	g_autofree char *error = NULL;
	const struct sect_rb_track *t;

	g_assert_cmpint(load_text("<DJ_PLAYLISTS Version=\"1.0.0\"><COLLECTION Entries=\"1\">"
			"<TRACK Location=\"file://localhost/m/a%20b.wav\" AverageBpm=\"122.50\" "
			"Tonality=\"Gm\"/></COLLECTION></DJ_PLAYLISTS>", &rb, &error), ==, 0);
	g_assert_null(error);
	g_assert_cmpuint(sect_rekordbox_size(rb), ==, 1);
	t = sect_rekordbox_lookup(rb, "a b.wav");
	g_assert_nonnull(t);
	g_assert_cmpfloat(t->bpm, ==, 122.5);
	g_assert_cmpstr(t->tonality, ==, "Gm");
	sect_rekordbox_free(rb);
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/sections/ini-cue", test_ini_cue);
	g_test_add_func("/sections/nth-after", test_nth_after);
	g_test_add_func("/sections/compute", test_compute);
	g_test_add_func("/sections/filters", test_filters);
	g_test_add_func("/sections/location", test_location);
	g_test_add_func("/rekordbox/undeclared-prefix", test_undeclared_prefix);
	g_test_add_func("/rekordbox/wrong-root", test_wrong_root);
	g_test_add_func("/rekordbox/two-parser-errors", test_two_parser_errors);
	g_test_add_func("/rekordbox/valid", test_valid);
	return g_test_run();
}
