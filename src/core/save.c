/* The save of settings changed over D-Bus: debounced (one write per 250 ms
 * however many changes), and written on a thread of its own, since a write
 * ends in fsyncs that take 100 ms and more on a busy disk and the main loop
 * answers D-Bus and meters meanwhile. The main thread takes a copy of the
 * settings, the thread writes it (foh_conf_save: keep the file's comments,
 * atomic replace) and wakes the main loop through an eventfd, which then
 * updates what was saved, or on failure flags UnsavedChanges and retries.
 * One write at a time; changes made while one is in flight are written
 * after it. A reload makes a write in flight stale (it still lands, the
 * file is whole either way, but counts for nothing). At exit the write in
 * flight is waited for and what is pending written at once. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>

#include "core/daemon.h"
#include "util/log.h"

#define SAVE_DEBOUNCE_USEC (250 * 1000)
/* After a failed save: try again this much later (disk full may pass). */
#define SAVE_RETRY_USEC (10 * 1000 * 1000)

struct foh_save_job {
	struct foh_conf *copy;	/* what is written */
	char *path;
	unsigned gen;		/* d->save_gen when it started */
	int res;
	int efd;		/* written when done */
	pthread_t thread;
};

static void job_free(struct foh_save_job *j)
{
	if (j == NULL)
		return;
	foh_conf_free(j->copy);
	g_free(j->path);
	g_free(j);
}

static void *job_run(void *data)
{
	struct foh_save_job *j = data;
	uint64_t one = 1;

	j->res = foh_conf_save(j->copy, j->path);
	if (write(j->efd, &one, sizeof(one)) < 0) {
		/* the main loop's eventfd cannot overflow at one a save */
	}
	return NULL;
}

static void save_failed(struct foh_daemon *d, const char *path, int res);
static void save_succeeded(struct foh_daemon *d, const char *path, struct foh_conf *copy);

/* What a finished write means, on the main thread. */
static void job_finish(struct foh_daemon *d)
{
	struct foh_save_job *j = d->save_job;

	(void)pthread_join(j->thread, NULL);
	d->save_job = NULL;
	if (j->gen != d->save_gen) {
		foh_debug("a save that a reload made stale ended (%s)", strerror(-j->res));
	} else if (j->res < 0) {
		save_failed(d, j->path, j->res);
	} else {
		save_succeeded(d, j->path, j->copy);
		j->copy = NULL;
	}
	job_free(j);
}

static int on_save_done(sd_event_source *s, int fd, uint32_t revents, void *data)
{
	struct foh_daemon *d = data;
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		foh_warn("the save's eventfd: %s", strerror(errno));
	if (d->save_job == NULL)
		return 0;
	job_finish(d);
	/* changes made while it was written: their turn now */
	if (d->save_pending && !d->stopping && d->save_timer != NULL &&
	    sd_event_source_get_enabled(d->save_timer, NULL) == 0) {
		(void)sd_event_source_set_time_relative(d->save_timer, d->unsaved ?
				SAVE_RETRY_USEC : SAVE_DEBOUNCE_USEC);
		(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_ONESHOT);
	}
	return 0;
}

/* Starts writing copy to path on a thread; < 0 when it cannot (then the
 * caller writes at once). */
static int job_start(struct foh_daemon *d, struct foh_conf *copy, char *path)
{
	struct foh_save_job *j;
	int r;

	if (d->save_done == NULL) {
		int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

		if (efd < 0)
			return -errno;
		if ((r = sd_event_add_io(d->event, &d->save_done, efd, EPOLLIN, on_save_done,
						d)) < 0) {
			close(efd);
			return r;
		}
		(void)sd_event_source_set_io_fd_own(d->save_done, true);
	}
	j = g_new0(struct foh_save_job, 1);
	j->copy = copy;
	j->path = path;
	j->gen = d->save_gen;
	j->efd = sd_event_source_get_io_fd(d->save_done);
	if ((r = -pthread_create(&j->thread, NULL, job_run, j)) < 0) {
		j->copy = NULL;
		j->path = NULL;
		job_free(j);
		return r;
	}
	d->save_job = j;
	return 0;
}

static int on_save_timer(sd_event_source *s, uint64_t usec, void *data)
{
	return foh_daemon_flush_save(data);
}

void foh_daemon_schedule_save(struct foh_daemon *d)
{
	/* Already pending: that write will carry this change too, so a drag
	 * of a fader writes at most once per SAVE_DEBOUNCE_USEC. */
	if (d->save_pending && !d->unsaved)
		return;
	/* after a failed save, a new change tries again soon */
	d->save_pending = true;
	if (d->save_timer == NULL) {
		if (sd_event_add_time_relative(d->event, &d->save_timer, CLOCK_MONOTONIC,
					SAVE_DEBOUNCE_USEC, 1000, on_save_timer, d) < 0)
			foh_error("cannot schedule saving the settings");
		return;
	}
	(void)sd_event_source_set_time_relative(d->save_timer, SAVE_DEBOUNCE_USEC);
	(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_ONESHOT);
}

char *foh_daemon_save_path(struct foh_daemon *d)
{
	return d->cli_config ? g_strdup(d->cli_config) : foh_conf_user_path();
}

/* The save is known to fail when the file is there but is not a regular
 * file, or the nearest existing directory on its way is not a directory
 * fohd may write (read-only file system, permissions, a file in the way). */
static int save_possible(const char *path, char **why)
{
	g_autofree char *dir = g_path_get_dirname(path);
	struct stat st;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		*why = g_strdup_printf("%s is not a regular file", path);
		return -EISDIR;
	}
	for (;;) {
		char *up;

		if (stat(dir, &st) == 0) {
			if (!S_ISDIR(st.st_mode)) {
				*why = g_strdup_printf("%s is not a directory", dir);
				return -ENOTDIR;
			}
			if (access(dir, W_OK | X_OK) < 0) {
				int res = -errno;
				*why = g_strdup_printf("%s: %s", dir, strerror(errno));
				return res;
			}
			return 0;
		}
		if (errno != ENOENT) {
			int res = -errno;
			*why = g_strdup_printf("%s: %s", dir, strerror(errno));
			return res;
		}
		up = g_path_get_dirname(dir);
		if (strcmp(up, dir) == 0) {
			g_free(up);
			*why = g_strdup_printf("%s: no such directory", dir);
			return -ENOENT;
		}
		g_free(dir);
		dir = up;
	}
}

int foh_daemon_check_save(struct foh_daemon *d, sd_bus_error *error)
{
	g_autofree char *path = foh_daemon_save_path(d), *why = NULL;
	int res = save_possible(path, &why);

	if (res < 0)
		return sd_bus_error_setf(error, FOH_ERROR_CANNOT_SAVE,
				"the settings cannot be saved (%s); nothing was changed", why);
	return 0;
}

static void save_failed(struct foh_daemon *d, const char *path, int res)
{
	g_autofree char *reason = g_strdup_printf("cannot save the settings to %s: %s",
			path, strerror(-res));
	bool was = d->unsaved;

	foh_error("%s; the changes live in memory only, retrying in %d s", reason,
			SAVE_RETRY_USEC / 1000000);
	d->unsaved = true;
	/* try again later; a new change also tries again */
	d->save_pending = true;
	if (d->save_timer != NULL && !d->stopping) {
		(void)sd_event_source_set_time_relative(d->save_timer, SAVE_RETRY_USEC);
		(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_ONESHOT);
	}
	if (d->stopping || d->bus == NULL)
		return;
	if (!was)
		foh_announce_manager(d, "UnsavedChanges", NULL);
	if (d->hooks && d->hooks->save_failed)
		d->hooks->save_failed(d, reason);
}

static void save_succeeded(struct foh_daemon *d, const char *path, struct foh_conf *copy)
{
	foh_debug("saved the settings to %s", path);
	if (d->saved != NULL && copy != NULL) {
		foh_conf_free(d->saved);
		d->saved = copy;
	} else {
		foh_conf_free(copy);
	}
	if (d->unsaved) {
		d->unsaved = false;
		foh_info("saved the settings to %s again", path);
		foh_announce_manager(d, "UnsavedChanges", NULL);
	}
	if (g_strcmp0(d->conf->path, path) != 0) {
		free(d->conf->path);
		d->conf->path = strdup(path);
		foh_announce_manager(d, "ConfigPath", NULL);
	}
}

int foh_daemon_flush_save(struct foh_daemon *d)
{
	g_autofree char *path = NULL;
	struct foh_conf *copy;
	int res;

	if (d->save_job != NULL) {
		/* one write at a time: the one in flight re-arms the timer when
		 * it ends; at exit, wait for it and write what is left now */
		if (!d->stopping)
			return 0;
		job_finish(d);
	}
	if (!d->save_pending)
		return 0;
	d->save_pending = false;
	if (d->save_timer != NULL)
		(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_OFF);
	path = foh_daemon_save_path(d);
	if ((copy = foh_conf_dup(d->conf)) == NULL) {
		save_failed(d, path, -ENOMEM);
		return 0;
	}
	if (!d->stopping && job_start(d, copy, path) == 0) {
		path = NULL;	/* the job's now */
		return 0;
	}
	if ((res = foh_conf_save(copy, path)) < 0) {
		foh_conf_free(copy);
		save_failed(d, path, res);
		return 0;
	}
	save_succeeded(d, path, copy);
	return 0;
}

void foh_daemon_cancel_save(struct foh_daemon *d)
{
	/* a write in flight no longer counts: its copy is not what is saved */
	d->save_gen++;
	d->save_pending = false;
	if (d->save_timer != NULL)
		(void)sd_event_source_set_enabled(d->save_timer, SD_EVENT_OFF);
}

void foh_daemon_save_free(struct foh_daemon *d)
{
	if (d->save_job != NULL) {
		(void)pthread_join(d->save_job->thread, NULL);
		job_free(d->save_job);
		d->save_job = NULL;
	}
	d->save_done = sd_event_source_disable_unref(d->save_done);
	d->save_timer = sd_event_source_disable_unref(d->save_timer);
}
