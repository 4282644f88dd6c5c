/* Learning a centroid off the main thread; see learn.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib.h>

#include "content/file.h"
#include "content/learn.h"

#define MIN_DB		-60.0
#define MIN_ACTIVE	0.5f

struct foh_learn {
	char **files;
	pthread_t thread;
	int fd;
	double sum[FOH_CF_N];
	uint32_t windows;
	int res;
	char *error;
};

static bool collect(double t, const struct foh_cf_vector *v, void *data)
{
	struct foh_learn *l = data;

	if (v == NULL || v->level_db < MIN_DB || v->active < MIN_ACTIVE)
		return true;
	for (int i = 0; i < FOH_CF_N; i++)
		l->sum[i] += v->v[i];
	l->windows++;
	return true;
}

static void *run(void *data)
{
	struct foh_learn *l = data;
	uint64_t one = 1;

	for (char **f = l->files; *f != NULL && l->res == 0; f++)
		l->res = foh_content_file_run(*f, 0.0, 0.0, collect, l, &l->error);
	if (l->res == 0 && l->windows == 0) {
		l->error = g_strdup_printf("no window above %.0f dBFS in the files given", MIN_DB);
		l->res = -ENODATA;
	}
	(void)!write(l->fd, &one, sizeof(one));
	return NULL;
}

static void free_job(struct foh_learn *l)
{
	if (l->fd >= 0)
		close(l->fd);
	g_strfreev(l->files);
	g_free(l->error);
	g_free(l);
}

int foh_learn_start(const char *const *files, uint32_t n, struct foh_learn **out, int *fd)
{
	struct foh_learn *l = g_new0(struct foh_learn, 1);
	int res;

	l->files = g_new0(char *, n + 1);
	for (uint32_t i = 0; i < n; i++)
		l->files[i] = g_strdup(files[i]);
	if ((l->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) < 0) {
		res = -errno;
		free_job(l);
		return res;
	}
	if ((res = -pthread_create(&l->thread, NULL, run, l)) < 0) {
		free_job(l);
		return res;
	}
	*out = l;
	*fd = l->fd;
	return 0;
}

int foh_learn_finish(struct foh_learn *l, double v[FOH_CF_N], uint32_t *windows, char **error)
{
	int res;

	pthread_join(l->thread, NULL);
	res = l->res;
	if (res < 0) {
		*error = g_steal_pointer(&l->error);
	} else {
		for (int i = 0; i < FOH_CF_N; i++)
			v[i] = l->sum[i] / l->windows;
		*windows = l->windows;
	}
	free_job(l);
	return res;
}
