/* Unit tests of the atomic file writer: a write replaces the whole file,
 * leaves no temporary behind, and a failed write leaves the old file intact;
 * the temporaries an interrupted writer left are removed, only they. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "util/atomic-file.h"

static char *tmpdir;

static guint count_entries(void)
{
	g_autoptr(GDir) dir = g_dir_open(tmpdir, 0, NULL);
	guint n = 0;

	while (g_dir_read_name(dir) != NULL)
		n++;
	return n;
}

static void assert_content(const char *path, const char *expected)
{
	g_autofree char *text = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(path, &text, &len, NULL));
	g_assert_cmpuint(len, ==, strlen(expected));
	g_assert_cmpmem(text, len, expected, strlen(expected));
}

static void test_create_and_replace(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "settings.conf", NULL);
	struct stat st;

	g_assert_cmpint(foh_atomic_write(path, "one\n", 4, 0600), ==, 0);
	assert_content(path, "one\n");
	g_assert_cmpint(foh_atomic_write(path, "two, longer\n", 12, 0644), ==, 0);
	assert_content(path, "two, longer\n");
	g_assert_cmpint(stat(path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0644);
	g_assert_cmpuint(count_entries(), ==, 1);
	(void)g_remove(path);
}

static void test_missing_directory(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "no-such-dir", "x.conf", NULL);

	g_assert_cmpint(foh_atomic_write(path, "x", 1, 0600), ==, -ENOENT);
	g_assert_cmpuint(count_entries(), ==, 0);
}

/* A write that fails half way (file size limit) keeps the old content. */
static void test_failed_write_keeps_old(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "keep.conf", NULL);
	struct rlimit old, small = { .rlim_cur = 64 };
	char big[4096];

	g_assert_cmpint(foh_atomic_write(path, "precious\n", 9, 0600), ==, 0);
	memset(big, 'x', sizeof(big));
	g_assert_cmpint(getrlimit(RLIMIT_FSIZE, &old), ==, 0);
	small.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &small), ==, 0);
	g_assert_cmpint(foh_atomic_write(path, big, sizeof(big), 0600), ==, -EFBIG);
	g_assert_cmpint(setrlimit(RLIMIT_FSIZE, &old), ==, 0);
	assert_content(path, "precious\n");
	g_assert_cmpuint(count_entries(), ==, 1);
	(void)g_remove(path);
}

static void test_mkdir_parents(void)
{
	g_autofree char *path = g_build_filename(tmpdir, "a", "b", "c.conf", NULL);
	g_autofree char *a = g_build_filename(tmpdir, "a", NULL);
	g_autofree char *ab = g_build_filename(tmpdir, "a", "b", NULL);

	g_assert_cmpint(foh_mkdir_parents(path), ==, 0);
	g_assert_true(g_file_test(ab, G_FILE_TEST_IS_DIR));
	g_assert_cmpint(foh_atomic_write(path, "ok", 2, 0600), ==, 0);
	assert_content(path, "ok");
	(void)g_remove(path);
	(void)g_rmdir(ab);
	(void)g_rmdir(a);
}

static char *in_tmp(const char *name)
{
	return g_build_filename(tmpdir, name, NULL);
}

static void put(const char *name, const char *text)
{
	g_autofree char *p = in_tmp(name);

	g_assert_true(g_file_set_contents(p, text, -1, NULL));
}

static bool exists(const char *name)
{
	g_autofree char *p = in_tmp(name);
	struct stat st;

	return lstat(p, &st) == 0;
}

/* Left by killed writers: "<target>.tmp-" and six letters or digits (the
 * names mkostemp makes). Everything else of a similar name stays: other
 * targets' temporaries, other lengths and characters, a symbolic link (and
 * what it points to) and a directory of that name. */
static void test_clean(void)
{
	static const char *const ours[] = { "s.conf.tmp-a1B2c3", "s.conf.tmp-ZZZZZZ" };
	static const char *const kept[] = {
		"s.conf", "s.conf.tmp-abc", "s.conf.tmp-abcdefg", "s.conf.tmp-ab_def",
		"s.conf.tmp-", "xs.conf.tmp-abcdef", "s.conf.tmp-abcdef.bak", "target",
		"s.conf.tmp-LINK00", "s.conf.tmp-DIR000", "t.conf.tmp-abcdef",
	};
	g_autofree char *conf = in_tmp("s.conf"), *link = in_tmp("s.conf.tmp-LINK00");
	g_autofree char *dir = in_tmp("s.conf.tmp-DIR000"), *target = in_tmp("target");

	for (size_t i = 0; i < G_N_ELEMENTS(ours); i++)
		put(ours[i], "stale");
	for (size_t i = 0; i < G_N_ELEMENTS(kept); i++)
		if (strstr(kept[i], "LINK") == NULL && strstr(kept[i], "DIR") == NULL)
			put(kept[i], "keep");
	g_assert_cmpint(symlink(target, link), ==, 0);
	g_assert_cmpint(g_mkdir(dir, 0700), ==, 0);

	g_assert_cmpint(foh_atomic_clean(conf), ==, 2);
	for (size_t i = 0; i < G_N_ELEMENTS(ours); i++)
		g_assert_false(exists(ours[i]));
	for (size_t i = 0; i < G_N_ELEMENTS(kept); i++)
		g_assert_true(exists(kept[i]));
	assert_content(target, "keep");
	g_assert_cmpint(foh_atomic_clean(conf), ==, 0);

	/* a write cleans its own target's first */
	put("s.conf.tmp-q9q9q9", "stale");
	g_assert_cmpint(foh_atomic_write(conf, "new", 3, 0600), ==, 0);
	g_assert_false(exists("s.conf.tmp-q9q9q9"));
	g_assert_true(exists("t.conf.tmp-abcdef"));

	/* every "*.conf" target of a directory (the presets): not "s.conf" +
	 * anything else, not other suffixes */
	put("a-b.conf.tmp-000000", "stale");
	put("s.json.tmp-000000", "keep");
	g_assert_cmpint(foh_atomic_clean_dir(tmpdir, ".conf"), ==, 3);
	g_assert_false(exists("a-b.conf.tmp-000000"));
	g_assert_false(exists("t.conf.tmp-abcdef"));
	g_assert_false(exists("xs.conf.tmp-abcdef"));
	g_assert_true(exists("s.json.tmp-000000"));
	g_assert_true(exists("s.conf.tmp-LINK00") && exists("s.conf.tmp-DIR000"));
	g_assert_true(exists("s.conf.tmp-abc") && exists("s.conf.tmp-abcdef.bak"));

	/* a directory that is not there has nothing stale */
	g_autofree char *none = in_tmp("none/x.conf");
	g_assert_cmpint(foh_atomic_clean(none), ==, 0);

	(void)g_rmdir(dir);
	{
		g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
		const char *n;

		while ((n = g_dir_read_name(d)) != NULL) {
			g_autofree char *p = in_tmp(n);
			(void)g_remove(p);
		}
	}
}

int main(int argc, char **argv)
{
	int res;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("foh-test-atomic-XXXXXX", NULL);
	g_test_add_func("/atomic-file/create-and-replace", test_create_and_replace);
	g_test_add_func("/atomic-file/missing-directory", test_missing_directory);
	g_test_add_func("/atomic-file/failed-write-keeps-old", test_failed_write_keeps_old);
	g_test_add_func("/atomic-file/mkdir-parents", test_mkdir_parents);
	g_test_add_func("/atomic-file/clean", test_clean);
	res = g_test_run();
	(void)g_rmdir(tmpdir);
	g_free(tmpdir);
	return res;
}
