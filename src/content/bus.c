/* org.foh.Foh1.Content at /org/foh/Foh1/content: the content model —
 *   Learn(s name, s class, as files) → u windows   a centroid from example
 *       recordings (absolute paths, 1–64), learned off the main thread,
 *       saved to the user's model and used at once; answered when done
 *   ModelPath (s), Centroids (as, "name:class") — what the detectors use
 * and org.foh.Foh1.Profiles at /org/foh/Foh1/profiles: the content profiles
 * (content/profiles.h) — list, read, write and delete them:
 *   List() → as names
 *   Get(s name) → a{ss} settings (config key → value)
 *   Set(s name, a{ss} settings)   validated whole; a bad key or value is
 *       refused (InvalidArgument naming file, key and reason), nothing
 *       written
 *   Delete(s name)
 * A channel whose profile is rewritten picks it up the next time it is
 * applied. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "core/bus.h"
#include "util/log.h"

static int method_list(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_auto(GStrv) names = foh_profile_list();
	sd_bus_message *reply = NULL;
	int r;

	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_append_strv(reply, names)) < 0 ||
	    (r = sd_bus_send(NULL, reply, NULL)) < 0) {
		sd_bus_message_unref(reply);
		return r;
	}
	sd_bus_message_unref(reply);
	return 1;
}

static int method_get(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_autofree char *why = NULL;
	sd_bus_message *reply = NULL;
	struct foh_profile *p = g_new0(struct foh_profile, 1);
	const char *name;
	int r;

	if ((r = sd_bus_message_read(m, "s", &name)) < 0)
		goto out;
	if ((r = foh_profile_load(name, p, &why)) < 0) {
		r = sd_bus_error_setf(error, r == -ENOENT ? FOH_ERROR_NOT_FOUND :
				FOH_ERROR_INVALID_CONFIG, "%s", why);
		goto out;
	}
	if ((r = sd_bus_message_new_method_return(m, &reply)) < 0 ||
	    (r = sd_bus_message_open_container(reply, 'a', "{ss}")) < 0)
		goto out;
	for (size_t i = 0; i < foh_channel_n_params && i < FOH_PROFILE_KEYS_MAX; i++) {
		g_autofree char *v = NULL;
		if (!p->set[i])
			continue;
		v = foh_profile_value(p, i);
		if ((r = sd_bus_message_append(reply, "{ss}", foh_channel_params[i].key,
						v ? v : "")) < 0)
			goto out;
	}
	if ((r = sd_bus_message_close_container(reply)) < 0 ||
	    (r = sd_bus_send(NULL, reply, NULL)) < 0)
		goto out;
	r = 1;
out:
	sd_bus_message_unref(reply);
	g_free(p);
	return r;
}

static int method_set(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func(g_free);
	g_autofree char *why = NULL;
	const char *name, *k, *v;
	int r;

	if ((r = sd_bus_message_read(m, "s", &name)) < 0 ||
	    (r = sd_bus_message_enter_container(m, 'a', "{ss}")) < 0)
		return r;
	while ((r = sd_bus_message_read(m, "{ss}", &k, &v)) > 0) {
		if (keys->len >= FOH_PROFILE_KEYS_MAX)
			return sd_bus_error_setf(error, FOH_ERROR_INVALID_ARGUMENT,
					"more than %d settings", FOH_PROFILE_KEYS_MAX);
		g_ptr_array_add(keys, g_strdup(k));
		g_ptr_array_add(values, g_strdup(v));
	}
	if (r < 0 || (r = sd_bus_message_exit_container(m)) < 0)
		return r;
	if ((r = foh_profile_save(name, (const char *const *)keys->pdata,
					(const char *const *)values->pdata, keys->len, &why)) < 0)
		return sd_bus_error_setf(error, r == -EINVAL ? FOH_ERROR_INVALID_ARGUMENT :
				FOH_ERROR_CANNOT_SAVE, "%s; nothing was changed", why);
	foh_daemon_profiles_changed(userdata);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_delete(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	g_autofree char *why = NULL;
	const char *name;
	int r;

	if ((r = sd_bus_message_read(m, "s", &name)) < 0)
		return r;
	if ((r = foh_profile_delete(name, &why)) < 0)
		return sd_bus_error_setf(error, r == -ENOENT ? FOH_ERROR_NOT_FOUND :
				FOH_ERROR_INVALID_ARGUMENT, "%s", why);
	foh_daemon_profiles_changed(userdata);
	return sd_bus_reply_method_return(m, NULL);
}

static int method_learn(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	g_autofree char *why = NULL;
	char **files = NULL;
	const char *name, *cls;
	int r;

	if ((r = sd_bus_message_read(m, "ss", &name, &cls)) < 0 ||
	    (r = sd_bus_message_read_strv(m, &files)) < 0)
		return r;
	r = foh_daemon_content_learn(d, name, cls, (const char *const *)files,
			files ? g_strv_length(files) : 0, sd_bus_message_ref(m), &why);
	for (char **f = files; f && *f; f++)
		free(*f);
	free(files);
	if (r < 0) {
		sd_bus_message_unref(m);
		return sd_bus_error_setf(error, r == -EBUSY ? "org.foh.Foh1.Error.Busy" :
				FOH_ERROR_INVALID_ARGUMENT, "%s", why);
	}
	return 1;	/* answered by foh_bus_content_learned */
}

void foh_bus_content_learned(struct foh_daemon *d, void *request, int error,
		const char *message, uint32_t windows)
{
	sd_bus_message *m = request;

	if (m == NULL)
		return;
	if (error < 0)
		(void)sd_bus_reply_method_errorf(m, error == -ENOSPC || error == -EIO ||
				error == -EACCES ? FOH_ERROR_CANNOT_SAVE : FOH_ERROR_INVALID_ARGUMENT,
				"%s", message ? message : strerror(-error));
	else
		(void)sd_bus_reply_method_return(m, "u", windows);
	sd_bus_message_unref(m);
}

static int get_model_path(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;

	return sd_bus_message_append(reply, "s", d->content_model_path ? d->content_model_path : "");
}

static int get_centroids(sd_bus *bus, const char *path, const char *interface,
		const char *property, sd_bus_message *reply, void *userdata,
		sd_bus_error *error)
{
	struct foh_daemon *d = userdata;
	int r;

	if ((r = sd_bus_message_open_container(reply, 'a', "s")) < 0)
		return r;
	for (uint32_t i = 0; d->content_model && i < d->content_model->n; i++) {
		g_autofree char *s = g_strdup_printf("%s:%s", d->content_model->c[i].name,
				foh_content_class_name(d->content_model->c[i].cls));
		if ((r = sd_bus_message_append(reply, "s", s)) < 0)
			return r;
	}
	return sd_bus_message_close_container(reply);
}

static const sd_bus_vtable content_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_PROPERTY("ModelPath", "s", get_model_path, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_PROPERTY("Centroids", "as", get_centroids, 0, SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE),
	SD_BUS_METHOD_WITH_ARGS("Learn", SD_BUS_ARGS("s", name, "s", class, "as", files),
			SD_BUS_RESULT("u", windows), method_learn, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

static const sd_bus_vtable profiles_vtable[] = {
	SD_BUS_VTABLE_START(0),
	SD_BUS_METHOD_WITH_ARGS("List", SD_BUS_NO_ARGS, SD_BUS_RESULT("as", names),
			method_list, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Get", SD_BUS_ARGS("s", name), SD_BUS_RESULT("a{ss}", settings),
			method_get, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Set", SD_BUS_ARGS("s", name, "a{ss}", settings),
			SD_BUS_NO_RESULT, method_set, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_METHOD_WITH_ARGS("Delete", SD_BUS_ARGS("s", name), SD_BUS_NO_RESULT,
			method_delete, SD_BUS_VTABLE_UNPRIVILEGED),
	SD_BUS_VTABLE_END
};

int foh_bus_profiles_register(struct foh_daemon *d)
{
	int r = sd_bus_add_object_vtable(d->bus, &d->content_slot, FOH_CONTENT_PATH,
			FOH_CONTENT_INTERFACE, content_vtable, d);

	if (r < 0)
		return r;
	return sd_bus_add_object_vtable(d->bus, &d->profiles_slot, FOH_PROFILES_PATH,
			FOH_PROFILES_INTERFACE, profiles_vtable, d);
}
