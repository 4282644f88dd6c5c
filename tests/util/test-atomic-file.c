/* Unit tests of the atomic file writer: a write replaces the whole file,
 * leaves no temporary behind, and a failed write leaves the old file intact. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

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

int main(int argc, char **argv)
{
	int res;

	g_test_init(&argc, &argv, NULL);
	tmpdir = g_dir_make_tmp("foh-test-atomic-XXXXXX", NULL);
	g_test_add_func("/atomic-file/create-and-replace", test_create_and_replace);
	g_test_add_func("/atomic-file/missing-directory", test_missing_directory);
	g_test_add_func("/atomic-file/failed-write-keeps-old", test_failed_write_keeps_old);
	g_test_add_func("/atomic-file/mkdir-parents", test_mkdir_parents);
	res = g_test_run();
	(void)g_rmdir(tmpdir);
	g_free(tmpdir);
	return res;
}
