/* Rotation of the default X32 backup directory; see backups.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "x32/backups.h"

int foh_x32_backup_name_parse(const char *name, char stamp[17], int *n)
{
	const char *p = name;
	int v = 0;

	if (strncmp(p, "x32-", 4) != 0)
		return -EINVAL;
	p += 4;
	for (int i = 0; i < 16; i++) {
		bool ok = i == 8 ? p[i] == 'T' : i == 15 ? p[i] == 'Z' : g_ascii_isdigit(p[i]);
		if (!ok)
			return -EINVAL;
	}
	memcpy(stamp, p, 16);
	stamp[16] = '\0';
	p += 16;
	if (*p == '-') {
		int digits = 0;
		for (p++; g_ascii_isdigit(*p) && digits < 3; p++, digits++)
			v = v * 10 + (*p - '0');
		if (digits == 0 || v == 0)
			return -EINVAL;
	}
	if (strcmp(p, ".json") != 0)
		return -EINVAL;
	*n = v;
	return 0;
}

struct entry {
	char stamp[17];
	int n;
	char *name;
};

#define CMP(a, b) (((a) > (b)) - ((a) < (b)))

/* By the second in the name, then by N (foh_x32_backup_next_n never
 * takes an N below one there is). */
static int newest_first(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(y->stamp, x->stamp);

	return c != 0 ? c : CMP(y->n, x->n);
}

int foh_x32_backup_next_n(const char *dir, const char *stamp)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int next = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char s[17];
		int n;

		if (foh_x32_backup_name_parse(e->d_name, s, &n) == 0 && strcmp(s, stamp) == 0 &&
		    n + 1 > next)
			next = n + 1;
	}
	closedir(d);
	return next;
}

int foh_x32_backups_prune(const char *dir, unsigned keep)
{
	g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(struct entry));
	DIR *d = opendir(dir);
	struct dirent *e;
	int removed = 0, res = 0;

	if (d == NULL)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL) {
		struct entry en;
		struct stat st;

		if (foh_x32_backup_name_parse(e->d_name, en.stamp, &en.n) < 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		en.name = g_strdup(e->d_name);
		g_array_append_val(list, en);
	}
	qsort(list->data, list->len, sizeof(struct entry), newest_first);
	for (guint i = 0; i < list->len; i++) {
		struct entry *en = &g_array_index(list, struct entry, i);

		if (i >= keep) {
			if (unlinkat(dirfd(d), en->name, 0) == 0)
				removed++;
			else if (errno != ENOENT)
				res = -errno;
		}
		g_free(en->name);
	}
	closedir(d);
	return res < 0 && removed == 0 ? res : removed;
}
