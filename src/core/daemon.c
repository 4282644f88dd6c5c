/* fohd's daemon-wide actions: applying a reloaded config and running the
 * self-checks. Both are main-thread operations shared by D-Bus and signals. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <glib.h>
#include <systemd/sd-daemon.h>

#include "core/daemon.h"
#include "dsp/selfcheck.h"
#include "util/log.h"

int foh_daemon_reload(struct foh_daemon *d, char **error)
{
	g_autofree char *path = foh_conf_resolve_path(d->cli_config);
	struct foh_conf *next = NULL, *prev = d->conf, *base;
	struct timespec ts;
	size_t carried;
	int res;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	(void)sd_notifyf(0, "RELOADING=1\nSTATUS=Reloading %s\nMONOTONIC_USEC=%llu",
			path ? path : "built-in defaults",
			(unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000ull);
	res = foh_conf_load(path, &next, error);
	if (res < 0) {
		foh_error("reload refused, keeping the running config: %s", *error);
		(void)sd_notify(0, "READY=1\nSTATUS=Running (last reload refused)");
		return res;
	}
	if ((res = foh_engine_configure(d->engine, next->pipewire_remote,
					next->reconnect_interval_ms)) < 0) {
		*error = g_strdup_printf("cannot apply %s: %s", path, strerror(-res));
		foh_conf_free(next);
		(void)sd_notify(0, "READY=1");
		return res;
	}
	/* Changes not yet written (a reload within the save's debounce, while
	 * the save is being written, or after a failed save) are kept, except
	 * where the file changed that setting itself: the file wins over what
	 * it names. */
	carried = 0;
	if (d->saved != NULL && (base = foh_conf_dup(next)) != NULL) {
		if (d->save_pending || d->unsaved || d->save_job != NULL)
			carried = foh_conf_carry_changes(next, d->saved, prev);
		foh_conf_free(d->saved);
		d->saved = base;
	}
	foh_daemon_cancel_save(d);
	d->conf = next;
	if (carried > 0) {
		foh_info("reload: kept %zu setting%s changed over D-Bus and not saved yet",
				carried, carried == 1 ? "" : "s");
		foh_daemon_schedule_save(d);
	} else if (d->unsaved) {
		/* what runs is what the file says: nothing left unsaved */
		d->unsaved = false;
		foh_announce_manager(d, "UnsavedChanges", NULL);
	}
	foh_log_set_level(next->log_level);
	(void)foh_daemon_sync_channels(d, prev);
	if (memcmp(&prev->analyzer, &next->analyzer, sizeof(next->analyzer)) != 0)
		(void)foh_daemon_analyzer_changed(d, &prev->analyzer, false);
	(void)foh_daemon_x32_changed(d, &prev->x32, false);
	(void)foh_daemon_stabilizer_changed(d, false);
	foh_daemon_decks_reloaded(d, prev);
	foh_info("reloaded %s", next->path ? next->path : "built-in defaults");
	if (prev->log_level != next->log_level)
		foh_announce_manager(d, "LogLevel", NULL);
	if (g_strcmp0(prev->path, next->path) != 0)
		foh_announce_manager(d, "ConfigPath", NULL);
	foh_conf_free(prev);
	(void)sd_notify(0, "READY=1\nSTATUS=Running");
	return 0;
}

bool foh_daemon_self_check(struct foh_daemon *d, char **report)
{
	GString *out = g_string_new(NULL);
	bool connected = foh_engine_connected(d->engine);
	char dsp[2048];
	bool dsp_ok = foh_dsp_self_check(dsp, sizeof(dsp));
	uint32_t streaming = 0;

	g_string_append_printf(out, "ok config: %s\n",
			d->conf->path ? d->conf->path : "built-in defaults");
	if (connected)
		g_string_append_printf(out, "ok pipewire: connected, %u Hz, quantum %u\n",
				foh_engine_sample_rate(d->engine), foh_engine_quantum(d->engine));
	else
		g_string_append(out, "FAIL pipewire: not connected\n");
	for (uint32_t i = 0; i < d->n_channels; i++)
		streaming += foh_channel_is_connected(d->channels[i]->channel);
	g_string_append_printf(out, "%s channels: %u of %u in the graph\n",
			streaming == d->n_channels ? "ok" : "FAIL", streaming, d->n_channels);
	g_string_append(out, dsp);
	if (out->len > 0 && out->str[out->len - 1] != '\n')
		g_string_append_c(out, '\n');
	*report = strdup(out->str);
	g_string_free(out, TRUE);
	return connected && dsp_ok && streaming == d->n_channels;
}

void foh_announce(struct foh_daemon *d, const char *path, const char *interface,
		const char *property, ...)
{
	const char *names[16];
	size_t n = 0;
	va_list ap;

	if (d->stopping || d->bus == NULL)
		return;
	va_start(ap, property);
	for (const char *p = property; p != NULL && n < sizeof(names) / sizeof(names[0]) - 1;
			p = va_arg(ap, const char *))
		names[n++] = p;
	va_end(ap);
	names[n] = NULL;
	if (d->hooks && d->hooks->changed)
		d->hooks->changed(d, path, interface, names);
}

void foh_announce_channel(struct foh_daemon *d, uint32_t index, const char *property)
{
	char path[sizeof(FOH_CHANNEL_PATH_PREFIX) + 16];

	snprintf(path, sizeof(path), FOH_CHANNEL_PATH_PREFIX "%u", index);
	foh_announce(d, path, FOH_CHANNEL_INTERFACE, property, NULL);
}
