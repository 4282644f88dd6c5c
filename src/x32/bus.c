/* org.foh.Foh1.X32 at /org/foh/Foh1/x32: the desk's address and
 * connection state, its outputs with their names, fader get/set, the
 * settings backup and the routing analysis. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <glib.h>

#include "core/bus-params.h"
#include "core/bus.h"
#include "util/atomic-file.h"
#include "x32/backups.h"
#include "util/cleanup.h"
#include "util/log.h"

static int get_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	const struct foh_param *p = foh_params_find_property(foh_x32_params, foh_x32_n_params,
			property);

	return p ? foh_bus_param_append(reply, p, &d->conf->x32) : -ENOENT;
}

static int set_setting(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *value, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_x32_settings prev = d->conf->x32, next = prev;
	_cleanup_free_ char *why = NULL;
	int r;

	if ((r = foh_bus_param_read_named(value, foh_x32_params, foh_x32_n_params, property,
					&next, NULL, error)) < 0)
		return r;
	if (foh_x32_settings_check(&next, &why) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT, "%s: %s", property,
				why ? why : "invalid");
	if (memcmp(&prev, &next, sizeof(prev)) == 0)
		return 0;
	if ((r = foh_daemon_check_save(d, error)) < 0)
		return r;
	d->conf->x32 = next;
	return foh_daemon_x32_changed(d, &prev, true);
}

static int get_state(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	enum foh_x32_state s = foh_x32_state(d->x32);

	if (strcmp(property, "Connected") == 0)
		return sd_bus_message_append(reply, "b", s == FOH_X32_CONNECTED);
	if (strcmp(property, "State") == 0)
		return sd_bus_message_append(reply, "s", foh_x32_state_name(s));
	if (strcmp(property, "Model") == 0)
		return sd_bus_message_append(reply, "s", foh_x32_model(d->x32));
	return sd_bus_message_append(reply, "s", foh_x32_firmware(d->x32));
}

static int get_stat(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_x32_stats st;

	foh_x32_stats(d->x32, &st);
	if (strcmp(property, "ForeignPackets") == 0)
		return sd_bus_message_append(reply, "t", st.foreign);
	if (strcmp(property, "MalformedPackets") == 0)
		return sd_bus_message_append(reply, "t", st.malformed);
	if (strcmp(property, "MeterPackets") == 0)
		return sd_bus_message_append(reply, "t", st.meters);
	return sd_bus_message_append(reply, "t", st.fader_writes);
}

static int need_connection(struct foh_daemon *d, sd_bus_error *error)
{
	if (foh_x32_state(d->x32) == FOH_X32_CONNECTED)
		return 0;
	return sd_bus_error_setf(error, FOH_ERROR_NOT_CONNECTED,
			"the X32 is %s%s%s", foh_x32_state_name(foh_x32_state(d->x32)),
			d->conf->x32.address[0] ? " at " : " (set Address first)",
			d->conf->x32.address);
}

static int read_output(sd_bus_message *m, struct foh_x32_output *o, sd_bus_error *error)
{
	const char *id;
	int r;

	if ((r = sd_bus_message_read(m, "s", &id)) < 0)
		return r;
	if (foh_x32_ridable_parse(id, o) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"id: \"%s\" is not an output; ids are bus1..bus16, mtx1..mtx6, main_st", id);
	return 0;
}

static int method_connect(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	int r;

	if (strcmp(sd_bus_message_get_member(m), "Disconnect") == 0) {
		foh_x32_disconnect(d->x32);
	} else {
		if (d->conf->x32.address[0] == '\0')
			return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
					"no desk address: set Address first");
		if ((r = foh_x32_connect(d->x32, d->conf->x32.address)) < 0)
			return sd_bus_error_set_errno(error, r);
	}
	return sd_bus_reply_method_return(m, NULL);
}

static int method_list_outputs(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	sd_bus_message *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "(ss)");
	for (size_t i = 0; r >= 0 && i < foh_x32_n_outputs(); i++) {
		struct foh_x32_output o;
		char id[16];
		(void)foh_x32_output_at(i, &o);
		(void)foh_x32_output_id(&o, id, sizeof(id));
		r = sd_bus_message_append(reply, "(ss)", id, foh_x32_name(d->x32, &o));
	}
	if (r >= 0 && (r = sd_bus_message_close_container(reply)) >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static int method_get_fader(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_x32_output o;
	double db;
	int r;

	if ((r = read_output(m, &o, error)) < 0 || (r = need_connection(d, error)) < 0)
		return r;
	if (foh_x32_fader_db(d->x32, &o, &db) < 0)
		return sd_bus_error_setf(error, FOH_ERROR_NOT_CONNECTED,
				"the desk has not told us this fader yet");
	return sd_bus_reply_method_return(m, "d", db);
}

static int method_set_fader(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_x32_output o;
	double db, applied;
	int r;

	if ((r = read_output(m, &o, error)) < 0 || (r = sd_bus_message_read(m, "d", &db)) < 0)
		return r;
	if (isnan(db) || db > 10.0)
		return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"db: %g is out of range; allowed range is [-inf, 10] dB", db);
	if ((r = need_connection(d, error)) < 0)
		return r;
	if ((r = foh_x32_set_fader(d->x32, &o, db, &applied)) < 0)
		return sd_bus_error_set_errno(error, r);
	return sd_bus_reply_method_return(m, NULL);
}

/* A path with a ".." component could leave the directory it names. */
static bool has_dotdot(const char *path)
{
	g_auto(GStrv) parts = g_strsplit(path, "/", -1);

	for (size_t i = 0; parts[i] != NULL; i++)
		if (strcmp(parts[i], "..") == 0)
			return true;
	return false;
}

/* Writes data to a new file: O_EXCL (never over an existing file) and
 * O_NOFOLLOW (never through a symbolic link), mode 0600. Returns 0, or a
 * negative errno (-EEXIST when the path is taken) and no file. */
static int write_new_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
			0600);
	size_t done = 0;
	int res = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			res = -errno;
			break;
		}
		done += (size_t)n;
	}
	if (res == 0 && fsync(fd) < 0)
		res = -errno;
	if (close(fd) < 0 && res == 0)
		res = -errno;
	if (res < 0)
		(void)unlink(path);
	return res;
}

/* "" → a new timestamped file under $XDG_DATA_HOME/foh/backups; else an
 * absolute path without "..", in an existing directory (checked again when
 * the file is created). */
static char *backup_path(const char *asked, sd_bus_error *error)
{
	g_autofree char *parent = NULL;
	struct stat st;

	if (asked[0] == '\0')
		return g_build_filename(g_get_user_data_dir(), "foh", "backups", "x32.json", NULL);
	if (asked[0] != '/' || strlen(asked) > 1024) {
		sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"path: \"%s\" must be an absolute file path", asked);
		return NULL;
	}
	if (has_dotdot(asked)) {
		sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"path: \"%s\" has a \"..\" component; name the file directly", asked);
		return NULL;
	}
	if (lstat(asked, &st) == 0) {
		sd_bus_error_setf(error, FOH_ERROR_EXISTS,
				"path: \"%s\" exists; a backup never overwrites a file, "
				"choose a new name", asked);
		return NULL;
	}
	parent = g_path_get_dirname(asked);
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode)) {
		sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
				"path: \"%s\" is not a file in an existing directory", asked);
		return NULL;
	}
	return g_strdup(asked);
}

/* Creates the backup as a new file; for the default location, the first
 * free timestamped name, and then only the newest keep stay there.
 * *written gets the path. */
static int write_backup(const char *asked, const char *path, const char *json,
		unsigned keep, char **written, sd_bus_error *error)
{
	g_autofree char *dir = NULL;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int r;

	if (asked[0] != '\0') {
		r = write_new_file(path, json, strlen(json));
		if (r == -EEXIST)
			return sd_bus_error_setf(error, FOH_ERROR_EXISTS,
					"path: \"%s\" exists; a backup never overwrites a file, "
					"choose a new name", path);
		if (r == -ELOOP)
			return sd_bus_error_setf(error, FOH_ERROR_EXISTS,
					"path: \"%s\" is a symbolic link; a backup never follows one",
					path);
		if (r < 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot write %s: %s",
					path, strerror(-r));
		*written = g_strdup(path);
		return 0;
	}
	dir = g_path_get_dirname(path);
	if ((r = foh_mkdir_parents(path)) < 0)
		return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot create %s: %s",
				dir, strerror(-r));
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (int n = foh_x32_backup_next_n(dir, stamp); n <= FOH_X32_BACKUP_MAX_N; n++) {
		g_autofree char *name = n == 0 ? g_strdup_printf("x32-%s.json", stamp) :
			g_strdup_printf("x32-%s-%d.json", stamp, n);
		g_autofree char *file = g_build_filename(dir, name, NULL);
		r = write_new_file(file, json, strlen(json));
		if (r == -EEXIST)
			continue;
		if (r < 0)
			return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "cannot write %s: %s",
					file, strerror(-r));
		*written = g_steal_pointer(&file);
		if ((r = foh_x32_backups_prune(dir, keep)) > 0)
			foh_info("X32: removed the %d oldest backup%s in %s (keeping the newest %u, "
					"[x32] backups-keep)", r, r == 1 ? "" : "s", dir, keep);
		else if (r < 0)
			foh_warn("X32: cannot remove old backups in %s: %s", dir, strerror(-r));
		return 0;
	}
	return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED, "too many backups this second");
}

static int method_backup(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	g_autofree char *path = NULL, *json = NULL, *written = NULL;
	const char *asked;
	int r;

	if ((r = sd_bus_message_read(m, "s", &asked)) < 0)
		return r;
	if ((path = backup_path(asked, error)) == NULL)
		return -EINVAL;
	if ((r = need_connection(d, error)) < 0)
		return r;
	json = foh_x32_backup_json(d->x32);
	if (strlen(json) > FOH_X32_BACKUP_MAX_BYTES)
		return sd_bus_error_setf(error, FOH_ERROR_LIMIT_REACHED,
				"the backup would be %zu bytes, over the %d a backup may have; "
				"nothing was written", strlen(json), FOH_X32_BACKUP_MAX_BYTES);
	if ((r = write_backup(asked, path, json, d->conf->x32.backups_keep, &written, error)) < 0)
		return r;
	foh_info("X32: settings backed up to %s", written);
	return sd_bus_reply_method_return(m, "s", written);
}

static int method_analyze_routing(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	struct foh_x32_suggestion list[32];
	sd_bus_message *reply = NULL;
	size_t n;
	int r;

	if ((r = need_connection(d, error)) < 0)
		return r;
	n = foh_x32_routing(d->x32, list, 32);
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0)
		return r;
	r = sd_bus_message_open_container(reply, 'a', "(ss)");
	for (size_t i = 0; r >= 0 && i < n; i++)
		r = sd_bus_message_append(reply, "(ss)", list[i].id, list[i].reason);
	if (r >= 0 && (r = sd_bus_message_close_container(reply)) >= 0)
		r = sd_bus_send(NULL, reply, NULL);
	sd_bus_message_unref(reply);
	return r;
}

static const sd_bus_vtable x32_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_WRITABLE_PROPERTY("Address", "s", get_setting, set_setting, 0,
			SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE | SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_PROPERTY("Connected", "b", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("State", "s", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Model", "s", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Firmware", "s", get_state, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("ForeignPackets", "t", get_stat, 0, 0),
	SD_BUS_PROPERTY("MalformedPackets", "t", get_stat, 0, 0),
	SD_BUS_PROPERTY("MeterPackets", "t", get_stat, 0, 0),
	SD_BUS_PROPERTY("FaderWrites", "t", get_stat, 0, 0),
	SD_BUS_METHOD_WITH_ARGS("Connect", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_connect,
			SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Disconnect", SD_BUS_NO_ARGS, SD_BUS_NO_RESULT, method_connect,
			SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("ListOutputs", SD_BUS_NO_ARGS, SD_BUS_RESULT("a(ss)", outputs),
			method_list_outputs, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("GetFader", SD_BUS_ARGS("s", id), SD_BUS_RESULT("d", db),
			method_get_fader, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("SetFader", SD_BUS_ARGS("s", id, "d", db), SD_BUS_NO_RESULT,
			method_set_fader, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Backup", SD_BUS_ARGS("s", path), SD_BUS_RESULT("s", written),
			method_backup, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("AnalyzeRouting", SD_BUS_NO_ARGS,
			SD_BUS_RESULT("a(ss)", suggestions), method_analyze_routing,
			SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int foh_bus_x32_register(struct foh_daemon *d)
{
	return sd_bus_add_object_vtable(d->bus, &d->x32_slot, FOH_X32_PATH, FOH_X32_INTERFACE,
			x32_vtable, d);
}
