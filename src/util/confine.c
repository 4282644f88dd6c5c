/* Paths confined to folders (see confine.h): the one rule foh-osc's
 * Crowdstream tracks and foh-web's music folder both follow. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/confine.h"

static bool inside(const char *real, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(real, dir, n) == 0 && (real[n] == '/' || (n == 1 && dir[0] == '/'));
}

int foh_confine(const char *path, const char *const *roots, size_t n_roots, char **real)
{
	char *abs = NULL, *r;
	size_t n;
	int e;

	if (n_roots == 0)
		return -EINVAL;
	if (path[0] != '/') {
		n = strlen(roots[0]) + 1 + strlen(path) + 1;
		if ((abs = malloc(n)) == NULL)
			return -ENOMEM;
		strcpy(abs, roots[0]);
		strcat(abs, "/");
		strcat(abs, path);
	}
	r = realpath(abs ? abs : path, NULL);
	e = errno;
	free(abs);
	if (r == NULL)
		return -e;
	for (size_t i = 0; i < n_roots; i++)
		if (inside(r, roots[i])) {
			*real = r;
			return 0;
		}
	free(r);
	return -EACCES;
}
