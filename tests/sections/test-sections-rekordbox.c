/* Unit tests of foh-sections' Rekordbox XML reader on small files written
 * here: the errors it reports, and that a second error never replaces (and
 * leaks) the first (issue 13, defect 7: "<a:b/>" is both a namespace error
 * and a wrong root element; LeakSanitizer caught the first message lost).
 * The sanitizer pass of the suite runs this too. */
#include <errno.h>
#include <math.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "sections-rekordbox.h"

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
	g_unlink(path);
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
	g_test_add_func("/rekordbox/undeclared-prefix", test_undeclared_prefix);
	g_test_add_func("/rekordbox/wrong-root", test_wrong_root);
	g_test_add_func("/rekordbox/two-parser-errors", test_two_parser_errors);
	g_test_add_func("/rekordbox/valid", test_valid);
	return g_test_run();
}
